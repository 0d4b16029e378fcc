#!/bin/sh
# Builds a libFuzzer target with address sanitizer and runs it for SECONDS over its seed corpus.
#   Tests/Fuzz/run.sh parse|json|eval|regex|rds|http SECONDS [extra libFuzzer flags or crash files...]
# Sources are compiled straight with swiftc into one module, so targets may use internal APIs
# (SwiftPM cannot link libFuzzer's main into a product). parse, json, eval, regex and rds share one binary.
# Inputs the fuzzer finds go to .build-fuzz/corpus/TARGET (not checked in); crashes to
# .build-fuzz/crashes/TARGET. To replay a crash: run.sh TARGET 0 .build-fuzz/crashes/TARGET/crash-...
set -eu
cd "$(dirname "$0")/../.."
target=${1:?usage: run.sh parse|json|eval|regex|rds|http SECONDS [libFuzzer flags]}
seconds=${2:-60}
shift; [ $# -gt 0 ] && shift

out=.build-fuzz
mkdir -p "$out/corpus/$target" "$out/crashes/$target"
case "$target" in
    parse|json|eval|regex|rds)
        binary=$out/fuzz-language
        sources="$(find Sources/FnLanguage -name '*.swift' | sort) Tests/Fuzz/Targets/language.swift"
        sources="$sources Tests/Fuzz/Targets/parse.swift Tests/Fuzz/Targets/json.swift Tests/Fuzz/Targets/eval.swift"
        sources="$sources Tests/Fuzz/Targets/regex.swift Tests/Fuzz/Targets/rds.swift"
        flags="-module-name FnLanguage -lm" ;;
    http)
        binary=$out/fuzz-http
        sources="$(find Sources/FnLambda/HTTP -name '*.swift' | sort) Tests/Fuzz/Targets/http.swift"
        flags="-module-name FnHTTP" ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac

# Rebuild only when a source is newer than the binary.
newest=$(ls -t $sources "$binary" 2>/dev/null | head -1)
if [ "$newest" != "$binary" ]; then
    echo "building $binary" >&2
    # shellcheck disable=SC2086
    # Link to a new file and rename it, so fuzzers already running the old binary are not disturbed.
    if ! swiftc -parse-as-library -swift-version 5 -O -g -sanitize=fuzzer,address $flags $sources \
            -o "$binary.new" 2>"$out/build.log"; then
        grep -v 'Cannot export local symbol' "$out/build.log" >&2
        exit 1
    fi
    mv "$binary.new" "$binary"
fi

case "$target" in parse|eval) dict=-dict=Tests/Fuzz/fn.dict ;; *) dict=-dict=Tests/Fuzz/$target.dict ;; esac
# Builtins do not check the deadline, and a legal 1e8-element vector takes seconds per operation
# under ASan, so eval gets a longer per-input timeout than the 10 s the other targets get.
timeout=10
[ "$target" = eval ] && timeout=60
# fn's own limits allow 1e8-element vectors (800 MB as doubles), so the memory caps sit above that.
# Leak detection is off: Swift's own regex parser (_StringProcessing) leaks a few boxes per pattern,
# and environments captured by closures form cycles by design. The Swift backtracer is off so ASan
# reports the crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} SWIFT_BACKTRACE=enable=no
export FN_FUZZ_TARGET=$target
# Replaying crash files: run just those inputs.
if [ $# -gt 0 ] && [ -f "$1" ]; then exec "$binary" "$@"; fi
exec "$binary" "$out/corpus/$target" "Tests/Fuzz/corpus/$target" \
    -max_total_time="$seconds" -max_len=4096 -timeout=$timeout -rss_limit_mb=3072 -malloc_limit_mb=2048 \
    -artifact_prefix="$out/crashes/$target/" -print_final_stats=1 $dict "$@"
