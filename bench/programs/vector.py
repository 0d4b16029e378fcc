# vector 1e6: element-wise arithmetic, %% and sum over 1e6-element vectors (lists: plain CPython, no numpy)
import time

x = list(range(1, 1000001))
t0 = time.perf_counter()
y = [v * 3.0 + 1 for v in x]
z = [v % 7 for v in y]
r = sum([v * v for v in z]) + sum([v > 1500000 for v in y])
t1 = time.perf_counter()
print("%.0f" % r)
print("ms %s" % ((t1 - t0) * 1000))
