"""Runs fn's benchmarks beside its peers and prints one markdown table.

Called by bench/run, which builds fn and finds the peers. The work is split into sections; each
section yields rows (a label, a unit and a value per system) and the printer lays all rows of all
sections out as one table with a column per system and the ratio columns in RATIOS. A new section
(issue 6: runtime under the emulator, binary size, scale) is a function added to SECTIONS.

Timing: each program times its own work with its language's clock and prints `ms <value>` as its
last line (its first line is the result, checked equal across languages); the whole process is
timed from outside, by hyperfine when it is installed (median of its runs), else by this script.
Figures are medians over --runs runs after one warm-up run.
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

# Ratio columns: (numerator, denominator). fn/CPython < 1 means fn is faster than CPython;
# R/fn > 10 is the goal of issue 2.
RATIOS = [("fn", "CPython"), ("R", "fn")]


class System:
    """One language implementation that runs program files with a given extension."""

    def __init__(self, name, extension, argv):
        self.name = name
        self.extension = extension
        self.argv = argv

    def command(self, path):
        return self.argv + [path]


def run_once(argv):
    """Runs argv once; returns (wall ms, stdout lines) or raises RuntimeError with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError("exit %d: %s" % (proc.returncode, detail[-1] if detail else ""))
    return wall, proc.stdout.splitlines()


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
        result = json.load(open(out.name))["results"][0]
        return result["median"] * 1000


def measure_program(system, path, runs):
    """Returns (result line, work ms median or None, process ms median, process timer name)."""
    argv = system.command(path)
    run_once(argv)  # warm-up: file cache, dynamic loader
    walls, works, result = [], [], None
    for _ in range(runs):
        wall, lines = run_once(argv)
        walls.append(wall)
        timed = [line for line in lines if line.startswith("ms ")]
        if timed:
            works.append(float(timed[-1].split()[1]))
        others = [line for line in lines if not line.startswith("ms ")]
        result = others[0].strip() if others else None
    process = hyperfine_median(argv, runs)
    timer = "hyperfine"
    if process is None:
        process, timer = statistics.median(walls), "python"
    work = statistics.median(works) if works else None
    return result, work, process, timer


def program_title(path):
    with open(path) as f:
        first = f.readline().strip()
    return first.lstrip("#").strip().split(":")[0] if first.startswith("#") else os.path.basename(path)


def interpreter_section(args, systems):
    """The same programs in every language: work timed inside, and the whole process."""
    stems = sorted({os.path.splitext(name)[0] for name in os.listdir(args.programs)},
                   key=lambda s: (s != "startup", s))
    rows, timers = [], set()
    for stem in stems:
        work, process, results = {}, {}, {}
        title = None
        for system in systems:
            path = os.path.join(args.programs, stem + system.extension)
            if not os.path.exists(path):
                continue
            title = title or program_title(path)
            try:
                result, w, p, timer = measure_program(system, path, args.runs)
            except (RuntimeError, OSError) as error:
                print("bench: %s %s failed: %s" % (system.name, stem, error), file=sys.stderr)
                work[system.name] = process[system.name] = "fail"
                continue
            timers.add(timer)
            results[system.name] = result
            process[system.name] = p
            if w is not None:
                work[system.name] = w
        # The peers are the reference: a system whose answer differs from theirs is timed for nothing.
        reference = results.get("R") or results.get("CPython")
        for name, result in results.items():
            if reference is not None and result != reference:
                print("bench: %s: %s answers %r, expected %r" % (stem, name, result, reference), file=sys.stderr)
                work[name] = process[name] = "wrong"
        if any(isinstance(v, float) for v in work.values()):
            rows.append(("%s, work" % title, "ms", work))
        rows.append(("%s, whole process" % title, "ms", process))
    return rows, "process times by %s" % " and ".join(sorted(timers))


SECTIONS = [interpreter_section]


def cell(value):
    if isinstance(value, float):
        return "%.1f" % value if value >= 10 else "%.2f" % value
    return value if value is not None else ""


def ratio(row, num, den):
    a, b = row.get(num), row.get(den)
    if isinstance(a, float) and isinstance(b, float) and b > 0:
        return "%.2f" % (a / b)
    return ""


def version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return out.strip().splitlines()[0]
    except OSError:
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
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fn", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--rscript", required=True)
    parser.add_argument("--programs", required=True)
    args = parser.parse_args()

    systems = [
        System("fn", ".fn", [args.fn, "run"]),
        System("CPython", ".py", [args.python]),
        System("R", ".R", [args.rscript, "--vanilla"]),
    ]
    rows, notes = [], []
    for section in SECTIONS:
        section_rows, note = section(args, systems)
        rows += section_rows
        notes.append(note)

    names = [s.name for s in systems]
    ratios = [(a, b) for a, b in RATIOS if any(ratio(r[2], a, b) for r in rows)]
    print("%s, %s, %d cpus; median of %d runs; %s; %s, %s." % (
        datetime.date.today().isoformat(), cpu_model(), os.cpu_count(), args.runs, "; ".join(notes),
        version([args.python, "--version"]), version([args.rscript, "--version"])))
    print()
    header = ["benchmark", "unit"] + names + ["%s/%s" % r for r in ratios]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * 2 + "---:|" * (len(header) - 2))
    for label, unit, values in rows:
        cells = [label, unit] + [cell(values.get(n)) for n in names] + [ratio(values, a, b) for a, b in ratios]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
