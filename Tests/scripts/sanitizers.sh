#!/bin/sh
# Runs the test suite under AddressSanitizer, then under ThreadSanitizer, each built in its own
# scratch path (.build-asan, .build-tsan) so the normal .build is untouched. The runs are
# sequential and must not overlap another `swift test`: the emulator tests start AWS's RIE, whose
# Runtime API port (9001) is fixed. Exits non-zero when either build or run fails.
#   Tests/scripts/sanitizers.sh [address|thread ...]     (default: both)
# FN_SANITIZER_ARGS adds `swift test` arguments, e.g. FN_SANITIZER_ARGS="--filter FnLanguageTests".
# Tests/SANITIZERS.md explains the options and the tests skipped under TSan.
set -u
cd "$(dirname "$0")/../.."

# Tests skipped under TSan, as `swift test --skip` patterns. All four recurse more than 65,536
# frames deep (100,000-deep values freed recursively; recursion through builtins up to fn's stack
# limit), past TSan's fixed-size shadow call stack; TSan then crashes inside its own runtime and
# hangs while reporting it. See Tests/SANITIZERS.md.
tsan_skips="HostileInputTests/hundredThousandDeepValuesAreBuiltAndFreed
HostileInputTests/deepRecursionThroughBuiltinsIsALimitError
HostileEventTests/largeAndDeepValuesInsideHandlers
ServeCommandTests/aDeeplyNestedResultIsAnErrorAndTheServerLives"

# Tests skipped under both sanitizers: they run fn under `prlimit --as` (an address-space limit of a
# few GiB), and a sanitized process maps terabytes of shadow memory at start, so it cannot start
# there. The plain `swift test` run before the sanitizers runs them. See Tests/SANITIZERS.md.
limit_skips="MemoryLimitTests"

# A crash inside a sanitizer's runtime can deadlock the test process instead of ending it; a run
# longer than this is a failure (a normal run takes 1-3 minutes here).
limit=${FN_SANITIZER_TIMEOUT:-1200}

# LeakSanitizer is off: Swift's regex parser (_StringProcessing) leaks a few boxes per compiled
# pattern, and environments captured by closures form reference cycles by design.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

status=0
for sanitizer in ${*:-address thread}; do
    case "$sanitizer" in
        address) scratch=.build-asan; skips=$limit_skips ;;
        thread) scratch=.build-tsan; skips="$tsan_skips
$limit_skips" ;;
        *) echo "sanitizers.sh: unknown sanitizer $sanitizer (address or thread)" >&2; exit 2 ;;
    esac
    mkdir -p "$scratch"
    started=$(date +%s)
    # ld.gold prints thousands of harmless "Cannot export local symbol '__asan_check_*'" warnings.
    if ! swift build --build-tests --sanitize "$sanitizer" --scratch-path "$scratch" >"$scratch/build.log" 2>&1; then
        grep -v 'Cannot export local symbol' "$scratch/build.log" >&2
        echo "sanitizers.sh: the $sanitizer build failed" >&2
        status=1
        continue
    fi
    set --
    for pattern in $skips; do set -- "$@" --skip "$pattern"; done
    # shellcheck disable=SC2086
    set -- "$@" ${FN_SANITIZER_ARGS:-}
    echo "+ swift test --sanitize $sanitizer --scratch-path $scratch $*"
    # A sanitizer report fails the run even if the process still exits 0 (TSan goes on after a race).
    if timeout "$limit" swift test --sanitize "$sanitizer" --scratch-path "$scratch" --skip-build "$@" \
            >"$scratch/test.log" 2>&1 \
            && ! grep -q -E 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer' "$scratch/test.log"; then
        summary=$(grep 'Test run with' "$scratch/test.log" | tail -1)
        echo "$sanitizer: ${summary#* } ($(($(date +%s) - started)) s including the build)"
    else
        code=$?
        problems='✘|ERROR: (Address|Thread)Sanitizer|WARNING: ThreadSanitizer|SUMMARY|Fatal error'
        grep -E "$problems" "$scratch/test.log" | head -n 60 >&2
        [ "$code" = 124 ] && echo "sanitizers.sh: the $sanitizer run took more than $limit s" >&2
        echo "sanitizers.sh: $sanitizer FAILED (exit $code); the whole output is in $scratch/test.log" >&2
        status=1
    fi
done
exit $status
