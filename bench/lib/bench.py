"""Runs fn's benchmarks beside its peers and prints one markdown table (see bench/README.md).

Called by bench/run, which builds fn and sets up the peers. The work is split into sections; each
section returns rows (a label, a unit, a value per column and the goals of issue 6 that apply) and
the printer lays all rows out as one table: a column per system, then the goal, fn's ratio and
whether the goal is met. A missed goal is reported, never an error.

Columns: fn; C (the minimal C runtime loop, the floor); Python (awslambdaric in the runtime rows,
CPython in the interpreter rows); R (the httr/jsonlite/logger runtime in the runtime rows, Rscript
in the interpreter rows).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import container
import emulator

COLUMNS = ["fn", "C", "Python", "R"]
PARITY_EVENT = b'{"number": 5}'
PARITY_ANSWER = b'{"parity":"odd"}'


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


# Goals: each takes a row's values and returns (goal text, fn's ratio text, met or None).

def at_most(peer, factor):
    def check(values):
        a, b = values.get("fn"), values.get(peer)
        if not (isinstance(a, float) and isinstance(b, float) and b > 0):
            return "≤ %g× %s" % (factor, peer), "", None
        return "≤ %g× %s" % (factor, peer), "%.2f× %s" % (a / b, peer), a / b <= factor
    return check


def ahead_of(peer):
    def check(values):
        a, b = values.get("fn"), values.get(peer)
        if not (isinstance(a, float) and isinstance(b, float) and b > 0):
            return "< %s" % peer, "", None
        return "< %s" % peer, "%.2f× %s" % (a / b, peer), a < b
    return check


def times_faster_than(peer, factor):
    def check(values):
        a, b = values.get("fn"), values.get(peer)
        if not (isinstance(a, float) and isinstance(b, float) and a > 0):
            return "%s ≥ %g× fn" % (peer, factor), "", None
        return "%s ≥ %g× fn" % (peer, factor), "%s %.1f× fn" % (peer, b / a), b / a >= factor
    return check


def at_most_value(limit, unit):
    def check(values):
        a = values.get("fn")
        if not isinstance(a, float):
            return "≤ %g %s" % (limit, unit), "", None
        return "≤ %g %s" % (limit, unit), "", a <= limit
    return check


def ratio_to(peer):
    """No goal: fn's ratio to a peer, for reading."""
    def check(values):
        a, b = values.get("fn"), values.get(peer)
        if not (isinstance(a, float) and isinstance(b, float) and b > 0):
            return "", "", None
        return "", "%.2f× %s" % (a / b, peer), None
    return check


def equals(expected):
    def check(values):
        return expected, "", values.get("fn") == expected
    return check


# Runtime, under the emulator.

def runtime_peers(args):
    out = args.out
    return [
        emulator.Peer("fn", os.path.join(out, "peers/fn/var/runtime/bootstrap"), os.path.join(args.root, "handlers"),
                      "functions.parity"),
        emulator.Peer("C", os.path.join(out, "peers/c/bootstrap"), os.path.join(args.root, "handlers"),
                      "functions.parity"),
        emulator.Peer("Python", os.path.join(out, "peers/python/bootstrap"),
                      os.path.join(args.root, "bench/peers/python"), "app.handler"),
        emulator.Peer("R", os.path.join(out, "peers/r/bootstrap"), os.path.join(args.root, "bench/peers/r-runtime"),
                      "functions.parity"),
    ]


def runtime_section(args):
    cold, stats = {}, {}
    for peer in runtime_peers(args):
        log_path = os.path.join(args.out, "logs", peer.name + ".log")
        try:
            # One uncounted start first: it pays for reading a freshly built binary into the page cache.
            emulator.cold_start_ms(args.rie, peer, PARITY_EVENT, log_path)
            times = []
            for _ in range(args.cold):
                times.append(emulator.cold_start_ms(args.rie, peer, PARITY_EVENT, log_path))
            cold[peer.name] = statistics.median(times)
            log("runtime %s: cold %s ms" % (peer.name, " ".join("%.1f" % t for t in times)))
            stats[peer.name] = emulator.warm(args.rie, peer, PARITY_EVENT, args.invocations, 20, log_path,
                                             PARITY_ANSWER)
            log("runtime %s: %s" % (peer.name, ", ".join("%s %.3f" % kv for kv in stats[peer.name].items())))
        except (RuntimeError, OSError) as error:
            log("runtime %s failed: %s (log: %s)" % (peer.name, error, log_path))
            cold.setdefault(peer.name, "fail")
            stats[peer.name] = None

    def column(key):
        return {name: (s[key] if s else "fail") for name, s in stats.items()}

    n = args.invocations
    return [
        ("runtime", "cold start (median of %d)" % args.cold, "ms", cold, [at_most("C", 1.3), ahead_of("Python")]),
        ("runtime", "warm p50 (%d inv.)" % n, "ms", column("p50"), [at_most("C", 1.15), ahead_of("Python")]),
        ("runtime", "warm p90", "ms", column("p90"), [ratio_to("C")]),
        ("runtime", "warm p99", "ms", column("p99"), [ratio_to("C")]),
        ("runtime", "throughput", "inv/s", column("rate"), [ratio_to("C")]),
        ("runtime", "runtime CPU per invocation", "µs", column("cpu_us"), [at_most("C", 2), ahead_of("Python")]),
        ("runtime", "peak RSS of the runtime (VmHWM)", "MiB", column("peak_mib"),
         [at_most_value(8, "MiB"), ahead_of("Python")]),
    ]


# Container: the image run with podman, fn's and the C floor's, each FROM scratch with the emulator.

def container_section(args):
    cold, size = container.section(args, PARITY_EVENT, PARITY_ANSWER, log)
    return [
        ("container", "cold start, podman run to first answer (median of %d)" % args.cold, "ms", cold,
         [ratio_to("C")]),
        ("container", "image size (emulator + bootstrap + handlers)", "MiB", size, [ratio_to("C")]),
    ]


# Scale: fn under the emulator with growing events, and for a long time.

def scale_section(args):
    fn, c = runtime_peers(args)[:2]
    rows = []
    log_path = os.path.join(args.out, "logs", "scale.log")
    early, late = args.leak
    try:
        before, after = emulator.leak(args.rie, fn, PARITY_EVENT, early, late, log_path)
        log("scale: fn RSS %.2f MiB after %d, %.2f MiB after %d" % (before, early, after, late))
        rows.append(("scale", "RSS after %d inv. − after %d" % (late, early), "MiB", {"fn": after - before},
                     [at_most_value(1, "MiB")]))
    except (RuntimeError, OSError) as error:
        log("scale: leak check failed: %s" % error)
        rows.append(("scale", "RSS after %d inv. − after %d" % (late, early), "MiB", {"fn": "fail"}, []))

    sizes = [("1 KB", 1000), ("100 KB", 100_000), ("5 MB", 5_000_000)]
    events = []
    for (label, size), count in zip(sizes, args.size_counts):
        # {"number": 5, ...}: the C floor answers the parity, fn's bench.size counts the fields.
        padding = size - len('{"number":5,"payload":""}')
        events.append((label, b'{"number":5,"payload":"' + b"x" * padding + b'"}', count))
    measured = {}
    fn_size = emulator.Peer("fn", fn.bootstrap, os.path.join(args.root, "bench/handlers"), "bench.size")
    for peer in (fn_size, c):
        try:
            measured[peer.name] = emulator.per_invocation_ms(args.rie, peer, events, log_path)
        except (RuntimeError, OSError) as error:
            log("scale: %s failed: %s" % (peer.name, error))
            measured[peer.name] = {}
    for label, _ in sizes:
        values = {name: m.get(label, "fail") for name, m in measured.items()}
        rows.append(("scale", "per invocation, %s event" % label, "ms", values, [ratio_to("C")]))

    # Linear growth: the cost of an extra MB between 100 KB and 5 MB vs between 1 KB and 100 KB.
    growth = {}
    for name, m in measured.items():
        if len(m) == 3:
            small = (m["100 KB"] - m["1 KB"]) / 0.099
            large = (m["5 MB"] - m["100 KB"]) / 4.9
            growth[name] = large / small if small > 0 else "n/a"
    rows.append(("scale", "ms per extra MB, 100 KB→5 MB ÷ 1 KB→100 KB", "ratio", growth,
                 [at_most_value(2, "(linear)")]))
    return rows


# Binary.

def binary_section(args):
    size = os.path.getsize(args.fn) / (1024 * 1024)
    ldd = subprocess.run(["ldd", args.fn], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dynamic = "not dynamic" if "not a dynamic executable" in ldd.stdout else "dynamic"
    return [
        ("binary", "static stripped size", "MiB", {"fn": size}, [at_most_value(12, "MiB")]),
        ("binary", "ldd", "", {"fn": dynamic}, [equals("not dynamic")]),
    ]


# Interpreter: the same programs in fn, CPython and Rscript.

GOALS = {
    "fib": [at_most("Python", 1), times_faster_than("R", 10)],
    "loop": [ahead_of("Python")],
    "vector": [ahead_of("Python")],
}


def run_once(argv):
    """Runs argv once; returns (wall ms, stdout) or raises RuntimeError with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError("exit %d: %s" % (proc.returncode, detail[-1] if detail else ""))
    return wall, proc.stdout


def hyperfine_median(argv, runs):
    """Median wall time in ms of argv over `runs` runs measured by hyperfine, or None."""
    if shutil.which("hyperfine") is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        proc = subprocess.run(
            ["hyperfine", "--style", "none", "--shell=none", "--warmup", "1", "--runs", str(runs),
             "--export-json", out.name, shlex.join(argv)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            return None
        with open(out.name) as f:
            return json.load(f)["results"][0]["median"] * 1000


def work_ms(stdout):
    timed = [line for line in stdout.splitlines() if line.startswith("ms ")]
    return float(timed[-1].split()[1]) if timed else None


def measure_program(argv, runs):
    """Returns (result line, work ms median or None, process ms median, process timer name)."""
    run_once(argv)  # warm-up: file cache, dynamic loader
    walls, works, result = [], [], None
    for _ in range(runs):
        wall, stdout = run_once(argv)
        walls.append(wall)
        w = work_ms(stdout)
        if w is not None:
            works.append(w)
        others = [line for line in stdout.splitlines() if not line.startswith("ms ")]
        result = others[0].strip() if others else None
    process = hyperfine_median(argv, runs)
    timer = "hyperfine"
    if process is None:
        process, timer = statistics.median(walls), "python"
    return result, (statistics.median(works) if works else None), process, timer


def program_title(path):
    with open(path) as f:
        first = f.readline().strip()
    return first.lstrip("#").strip().split(":")[0] if first.startswith("#") else os.path.basename(path)


def interpreter_section(args):
    systems = [("fn", ".fn", [args.fn, "run"]), ("Python", ".py", [args.python]),
               ("R", ".R", [args.rscript, "--vanilla"])]
    stems = sorted({os.path.splitext(name)[0] for name in os.listdir(args.programs)},
                   key=lambda s: (s != "startup", s))
    rows = []
    for stem in stems:
        work, process, results = {}, {}, {}
        title = None
        for name, extension, argv in systems:
            path = os.path.join(args.programs, stem + extension)
            if not os.path.exists(path):
                continue
            title = title or program_title(path)
            try:
                result, w, p, timer = measure_program(argv + [path], args.runs)
            except (RuntimeError, OSError) as error:
                log("%s %s failed: %s" % (name, stem, error))
                work[name] = process[name] = "fail"
                continue
            args.timers.add(timer)
            results[name] = result
            process[name] = p
            if w is not None:
                work[name] = w
        # The peers are the reference: a system whose answer differs from theirs is timed for nothing.
        reference = results.get("R") or results.get("Python")
        for name, result in results.items():
            if reference is not None and result != reference:
                log("%s: %s answers %r, expected %r" % (stem, name, result, reference))
                work[name] = process[name] = "wrong"
        if any(isinstance(v, float) for v in work.values()):
            rows.append(("interpreter", "%s, work" % title, "ms", work, GOALS.get(stem, [ratio_to("Python")])))
        rows.append(("interpreter", "%s, whole process" % title, "ms", process, [ratio_to("Python")]))
    rows += json_rows(args)
    return rows


def json_rows(args):
    """Parse + re-serialise a 1 MB event. Python and R time their own read/parse/serialise/write;
    fn has no JSON builtins, so its figure is `fn invoke bench.echo @event.json` (read, parse into
    fn values, call, serialise, print) minus `fn invoke bench.echo` of a tiny event (start-up)."""
    event = os.path.join(args.out, "event-1mb.json")
    tiny = os.path.join(args.out, "event-tiny.json")
    here = os.path.join(args.root, "bench/json")
    subprocess.run([args.python, os.path.join(here, "event.py"), event, "1000000"], check=True)
    with open(tiny, "w") as f:
        f.write('{"httpMethod":"GET","path":"/"}')
    handlers = os.path.join(args.root, "bench/handlers")
    fn_big = [args.fn, "invoke", "bench.echo", "@" + event, "--root", handlers]
    fn_tiny = [args.fn, "invoke", "bench.echo", "@" + tiny, "--root", handlers]
    python = [args.python, os.path.join(here, "roundtrip.py"), event]
    r = [args.rscript, "--vanilla", os.path.join(here, "roundtrip.R"), event]

    work, process, outputs = {}, {}, {}
    for name, argv in (("fn", fn_big), ("Python", python), ("R", r)):
        try:
            _, out = run_once(argv)  # warm-up, and the answer to check
            outputs[name] = json.loads(out.split("\nms ")[0])
            walls, works = [], []
            for _ in range(args.runs):
                wall, out = run_once(argv)
                walls.append(wall)
                if work_ms(out) is not None:
                    works.append(work_ms(out))
            process[name] = statistics.median(walls)
            if works:
                work[name] = statistics.median(works)
        except (RuntimeError, OSError, ValueError) as error:
            log("json %s failed: %s" % (name, error))
            work[name] = process[name] = "fail"
    if isinstance(process.get("fn"), float):
        start = statistics.median([run_once(fn_tiny)[0] for _ in range(args.runs + 1)])
        work["fn"] = max(0.0, process["fn"] - start)
    with open(event) as f:
        original = json.load(f)
    # fn follows jsonlite's simplification (a 1-element array comes back a scalar), so its answer is
    # checked against jsonlite's; Python's must be the event itself.
    if "R" in outputs and "fn" in outputs and outputs["fn"] != outputs["R"]:
        log("json: fn's round trip differs from jsonlite's")
        work["fn"] = process["fn"] = "wrong"
    if "Python" in outputs and outputs["Python"] != original:
        work["Python"] = process["Python"] = "wrong"
    return [
        ("interpreter", "JSON 1 MB parse + serialise, work", "ms", work, [at_most("Python", 2), ahead_of("R")]),
        ("interpreter", "JSON 1 MB parse + serialise, whole process", "ms", process, [ratio_to("Python")]),
    ]


# The table.

# Data frames: one program per system that builds a 100,000-row frame and times each step itself.

DATAFRAME_STEPS = [
    ("fromJSON", "fromJSON of 100k records text"),
    ("data.frame", "data.frame() of 4 columns"),
    ("filter", "df[df$x > v, ]"),
    ("subset", "subset(df, x > v & y < w)"),
    ("order", "df[order(df$g, -df$x), ]"),
    ("aggregate", "aggregate(y ~ g, df, mean), 1,000 groups"),
    ("merge", "merge with a 1,000-row table"),
    ("toJSON", "toJSON of the merged frame"),
]


def step_ms(stdout):
    """The `ms STEP value` lines of a data-frame program, as {step: ms}."""
    steps = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "ms":
            steps[parts[1]] = float(parts[2])
    return steps


def dataframe_section(args):
    """fn and Rscript (jsonlite) run bench/dataframe/frame.{fn,R} in turn, fn R fn R ..., so each
    pair of runs sees the same machine; every step's figure is the median of its runs."""
    directory = os.path.join(args.root, "bench/dataframe")
    systems = [("fn", [args.fn, "run", os.path.join(directory, "frame.fn")]),
               ("R", [args.rscript, "--vanilla", os.path.join(directory, "frame.R")])]
    timings = {name: [] for name, _ in systems}
    results, failed = {}, set()
    for attempt in range(args.runs + 1):  # the first round is an uncounted warm-up
        for name, argv in systems:
            if name in failed:
                continue
            try:
                _, stdout = run_once(argv)
            except (RuntimeError, OSError) as error:
                log("%s dataframe failed: %s" % (name, error))
                failed.add(name)
                continue
            others = [line for line in stdout.splitlines() if not line.startswith("ms ")]
            results[name] = others[0].strip() if others else None
            if attempt > 0:
                timings[name].append(step_ms(stdout))
    reference = results.get("R")
    rows = []
    for step, label in DATAFRAME_STEPS:
        values = {}
        for name, _ in systems:
            if name in failed:
                values[name] = "fail"
            elif reference is not None and results.get(name) != reference:
                log("dataframe: %s answers %r, expected %r" % (name, results.get(name), reference))
                values[name] = "wrong"
            else:
                figures = [t[step] for t in timings[name] if step in t]
                if figures:
                    values[name] = statistics.median(figures)
        rows.append(("dataframe", label, "ms", values, [at_most("R", 1)]))
    return rows


def cell(value):
    if isinstance(value, float):
        if abs(value) >= 100:
            return "%.0f" % value
        return "%.1f" % value if abs(value) >= 10 else "%.2f" % value
    return value if value is not None else ""


def version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return out.strip().splitlines()[0]
    except (OSError, IndexError):
        return "absent"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--fn", required=True, help="the static stripped fn binary")
    parser.add_argument("--rie", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--rscript", required=True)
    parser.add_argument("--root", required=True, help="the repository")
    parser.add_argument("--out", required=True, help="bench/out: peers, logs, events")
    parser.add_argument("--sections", default="runtime,container,scale,binary,interpreter,dataframe")
    args = parser.parse_args()
    args.programs = os.path.join(args.root, "bench/programs")
    args.timers = set()
    if args.quick:
        args.runs = args.runs or 2
        args.cold, args.invocations, args.leak, args.size_counts = 3, 300, (100, 2000), (50, 20, 3)
    else:
        args.runs = args.runs or 5
        args.cold, args.invocations, args.leak, args.size_counts = 5, 1000, (100, 10000), (200, 100, 10)
    os.makedirs(os.path.join(args.out, "logs"), exist_ok=True)

    sections = {"runtime": runtime_section, "container": container_section, "scale": scale_section, "binary": binary_section,
                "interpreter": interpreter_section, "dataframe": dataframe_section}
    rows = []
    begin = time.perf_counter()
    for name in args.sections.split(","):
        log("section %s" % name)
        rows += sections[name](args)
    log("done in %.0f s" % (time.perf_counter() - begin))

    print("%s, %s, %d cpus, load %s; %s; runtime: %d cold starts, %d warm invocations; interpreter: median of "
          "%d runs (process times by %s); %s, %s, awslambdaric %s." % (
              datetime.date.today().isoformat(), cpu_model(), os.cpu_count(),
              " ".join(open("/proc/loadavg").read().split()[:3]), "quick" if args.quick else "full",
              args.cold, args.invocations, args.runs, " and ".join(sorted(args.timers)) or "-",
              version([args.python, "--version"]), version([args.rscript, "--version"]),
              version([os.path.join(args.out, "venv/bin/python"), "-c",
                       "import importlib.metadata as m; print(m.version('awslambdaric'))"])))
    print()
    header = ["section", "benchmark", "unit", "fn", "C floor", "Python", "R", "goal", "fn ratio", "met"]
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|" + "---:|" * 4 + "---|---|:-:|")
    for section, label, unit, values, goals in rows:
        checks = [goal(values) for goal in goals]
        goal_text = "; ".join(c[0] for c in checks if c[0])
        ratio_text = "; ".join(c[1] for c in checks if c[1])
        met = " ".join("✓" if c[2] else "✗" for c in checks if c[2] is not None)
        cells = [section, label, unit] + [cell(values.get(n)) for n in COLUMNS] + [goal_text, ratio_text, met]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
