#!/bin/sh
# The hardening half of CI, run after `swift test`: the test suite under ASan and TSan
# (Tests/scripts/sanitizers.sh), then every fuzz target for FN_FUZZ_SECONDS each (default 60;
# Tests/Fuzz/run-all.sh). Both run even when the first fails; exits non-zero when either does.
set -u
cd "$(dirname "$0")/../.."
status=0
started=$(date +%s)
Tests/scripts/sanitizers.sh || status=1
Tests/Fuzz/run-all.sh "${FN_FUZZ_SECONDS:-60}" || status=1
echo "hardening: $([ $status = 0 ] && echo ok || echo FAILED) after $(($(date +%s) - started)) s"
exit $status
