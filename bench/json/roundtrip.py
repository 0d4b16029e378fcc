# JSON 1 MB: read, parse and re-serialise an event with Python's json module (C accelerated)
import json
import sys
import time

t0 = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    event = json.loads(f.read())
out = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
sys.stdout.write(out + "\n")
sys.stdout.flush()
t1 = time.perf_counter()
print("ms %s" % ((t1 - t0) * 1000))
