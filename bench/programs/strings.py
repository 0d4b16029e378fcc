# strings 5k: build a character vector with paste0 and c() in a loop, then collapse it (Python: append, join)
import time


def build(n):
    parts = []
    for i in range(1, n + 1):
        parts.append("item-" + str(i) + ";")
    return "".join(parts)


t0 = time.perf_counter()
s = build(5000)
t1 = time.perf_counter()
print(len(s))
print("ms %s" % ((t1 - t0) * 1000))
