"""Runs a Lambda runtime under AWS's Runtime Interface Emulator (RIE) and measures it.

The emulator is started as `RIE --runtime-interface-emulator-address 127.0.0.1:PORT BOOTSTRAP`
with `_HANDLER` and `LAMBDA_TASK_ROOT` exported and the task root as working directory, as in the
provided:al2023 image. It starts the bootstrap on the first invocation. Its Runtime API listens on
the fixed port 9001, so only one emulator can run at a time: peers are measured one after another.
"""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import time

RUNTIME_API_PORT = 9001
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepting(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.05):
            return True
    except OSError:
        return False


def children(pid):
    """Pids whose parent is pid, from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = open("/proc/%s/stat" % name).read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == pid:
                found.append(int(name))
    return sorted(found)


def cpu_seconds(pid):
    """CPU time of the process so far. The sum of its threads' on-CPU nanoseconds from
    /proc/PID/task/*/schedstat, because utime+stime in /proc/PID/stat count whole clock ticks
    (10 ms), too coarse for 1,000 invocations of ~40 us; falls back to utime+stime."""
    total, seen = 0, False
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                total += int(open("/proc/%d/task/%s/schedstat" % (pid, task)).read().split()[0])
                seen = True
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    if seen:
        return total / 1e9
    stat = open("/proc/%d/stat" % pid).read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def memory_kib(pid, field):
    """A field of /proc/PID/status in KiB: VmHWM (peak resident) or VmRSS (resident now)."""
    for line in open("/proc/%d/status" % pid):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError("no %s for pid %d" % (field, pid))


class Peer:
    """A runtime to measure: its bootstrap executable, task root and handler."""

    def __init__(self, name, bootstrap, task_root, handler, environment=None):
        self.name = name
        self.bootstrap = bootstrap
        self.task_root = task_root
        self.handler = handler
        self.environment = environment or {}


class Emulator:
    """One emulator process running one peer; a context manager that stops both."""

    def __init__(self, rie, peer, log_path):
        self.rie, self.peer, self.log_path = rie, peer, log_path
        self.port = free_port()
        self.process = None
        self.connection = None

    def start(self):
        wait_for_runtime_api_port()
        env = dict(os.environ)
        env.update(self.peer.environment)
        env["_HANDLER"] = self.peer.handler
        env["LAMBDA_TASK_ROOT"] = self.peer.task_root
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.rie, "--runtime-interface-emulator-address", "127.0.0.1:%d" % self.port, self.peer.bootstrap],
            env=env, cwd=self.peer.task_root, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def wait_until_listening(self, timeout=10):
        deadline = time.perf_counter() + timeout
        while not accepting(self.port):
            if self.process.poll() is not None:
                raise RuntimeError("the emulator exited (%d); see %s" % (self.process.returncode, self.log_path))
            if time.perf_counter() > deadline:
                raise RuntimeError("the emulator did not listen within %ds" % timeout)
            time.sleep(0.0005)

    def invoke(self, body):
        """One invocation over a keep-alive connection; returns the response body."""
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("POST", INVOKE_PATH, body=body,
                                        headers={"Content-Type": "application/json"})
                response = self.connection.getresponse()
                data = response.read()
                if response.status != 200:
                    raise RuntimeError("invocation answered HTTP %d: %r" % (response.status, data[:200]))
                return data
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def runtime_pid(self):
        """The runtime process: the emulator's child (bootstrap scripts exec their runtime)."""
        pids = children(self.process.pid)
        if len(pids) != 1:
            raise RuntimeError("expected one runtime process under the emulator, found %r" % pids)
        return pids[0]

    def stop(self):
        if self.connection is not None:
            self.connection.close()
        if self.process is None:
            return
        runtimes = children(self.process.pid)
        # The emulator stops its runtime on SIGTERM; kill whatever is left so 9001 is free again.
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in runtimes:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_for_runtime_api_port(timeout=30):
    """Waits until nothing listens on 9001 (a previous emulator, or another user's)."""
    deadline = time.perf_counter() + timeout
    while accepting(RUNTIME_API_PORT):
        if time.perf_counter() > deadline:
            raise RuntimeError("port %d stays busy: another emulator is running" % RUNTIME_API_PORT)
        time.sleep(0.05)


def cold_start_ms(rie, peer, event, log_path):
    """Emulator launch to first response, in ms (a fresh emulator and runtime)."""
    emulator = Emulator(rie, peer, log_path)
    try:
        start = time.perf_counter()
        emulator.start()
        emulator.wait_until_listening()
        emulator.invoke(event)
        return (time.perf_counter() - start) * 1000
    finally:
        emulator.stop()


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    index = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def warm(rie, peer, event, invocations, warmup, log_path, expect=None):
    """Latency distribution, throughput, CPU per invocation and peak RSS over `invocations`."""
    with Emulator(rie, peer, log_path) as emulator:
        emulator.wait_until_listening()
        for _ in range(warmup):
            answer = emulator.invoke(event)
        if expect is not None and answer.replace(b" ", b"") != expect:
            raise RuntimeError("%s answered %r, expected %r" % (peer.name, answer, expect))
        pid = emulator.runtime_pid()
        cpu_before = cpu_seconds(pid)
        latencies = []
        begin = time.perf_counter()
        for _ in range(invocations):
            t0 = time.perf_counter()
            emulator.invoke(event)
            latencies.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - begin
        cpu = cpu_seconds(pid) - cpu_before
        peak = memory_kib(pid, "VmHWM")
    latencies.sort()
    return {
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "rate": invocations / elapsed,
        "cpu_us": cpu / invocations * 1e6,
        "peak_mib": peak / 1024,
    }


def leak(rie, peer, event, early, late, log_path):
    """Resident MiB of the runtime after `late` invocations minus after `early`."""
    with Emulator(rie, peer, log_path) as emulator:
        emulator.wait_until_listening()
        for _ in range(early):
            emulator.invoke(event)
        pid = emulator.runtime_pid()
        before = memory_kib(pid, "VmRSS")
        for _ in range(late - early):
            emulator.invoke(event)
        after = memory_kib(pid, "VmRSS")
    return before / 1024, after / 1024


def per_invocation_ms(rie, peer, events, log_path):
    """Median ms per invocation for each (label, body, count) in events, one emulator."""
    result = {}
    with Emulator(rie, peer, log_path) as emulator:
        emulator.wait_until_listening()
        for label, body, count in events:
            emulator.invoke(body)
            times = []
            for _ in range(count):
                t0 = time.perf_counter()
                emulator.invoke(body)
                times.append((time.perf_counter() - t0) * 1000)
            result[label] = statistics.median(times)
    return result
