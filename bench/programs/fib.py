# fib(25): naive recursive Fibonacci (calls, argument binding, comparison, addition)
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


t0 = time.perf_counter()
r = fib(25)
t1 = time.perf_counter()
print("%.0f" % r)
print("ms %s" % ((t1 - t0) * 1000))
