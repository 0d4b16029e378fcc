#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60, the CI figure), one after another. Exits
# non-zero when a target fails to build or finds a crash, sanitizer report, timeout or
# out-of-memory; then prints where the failing input was written and the end of the fuzzer's log.
#   Tests/Fuzz/run-all.sh [SECONDS [libFuzzer flags for every target]]
set -u
cd "$(dirname "$0")/../.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
status=0
mkdir -p .build-fuzz
for target in parse json eval regex rds http; do
    log=.build-fuzz/$target.log
    started=$(date +%s)
    if Tests/Fuzz/run.sh "$target" "$seconds" "$@" >"$log" 2>&1; then
        runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        echo "fuzz $target: ok, ${runs:-?} inputs, $cov, $(($(date +%s) - started)) s including the build"
    else
        status=1
        echo "fuzz $target: FAILED (log: $log)"
        # libFuzzer names the input it saved: crash-*, leak-*, timeout-* or oom-* under the artifact prefix.
        artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -1)
        if [ -n "$artifact" ]; then
            echo "  failing input: $artifact"
            echo "  replay: Tests/Fuzz/run.sh $target 0 $artifact"
        else
            echo "  no input saved (a build failure or a crash of the harness itself)"
        fi
        echo "  ---- last lines of $log ----"
        tail -n 40 "$log" | sed 's/^/  /'
    fi
done
exit $status
