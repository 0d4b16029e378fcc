# loop 300k: a 300,000-iteration scalar loop with %% and if
import time


def run(n):
    s = 0
    for i in range(1, n + 1):
        if i % 3 == 0:
            s = s + i
        else:
            s = s - 1
    return s


t0 = time.perf_counter()
r = run(300000)
t1 = time.perf_counter()
print("%.0f" % r)
print("ms %s" % ((t1 - t0) * 1000))
