#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60, the CI figure); exits non-zero when any finds
# a crash. Crashing inputs are left in .build-fuzz/crashes/TARGET.
set -u
cd "$(dirname "$0")"
seconds=${1:-60}
status=0
mkdir -p ../../.build-fuzz
for target in parse json eval http; do
    if ./run.sh "$target" "$seconds" >"../../.build-fuzz/$target.log" 2>&1; then
        echo "$target: ok ($(grep -o 'number_of_executed_units: *[0-9]*' "../../.build-fuzz/$target.log" | grep -o '[0-9]*$') runs)"
    else
        echo "$target: FAILED, see .build-fuzz/$target.log"
        status=1
    fi
done
exit $status
