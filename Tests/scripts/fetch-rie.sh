#!/bin/sh
# Prints the path of AWS's Lambda Runtime Interface Emulator, fetching it on first use.
#
# The emulator ships inside the aws-sam-cli wheel on PyPI as samcli/local/rapid/aws-lambda-rie-x86_64.
# It is cached outside the repository: ${XDG_CACHE_HOME:-$HOME/.cache}/fn/aws-lambda-rie.
# Set FN_RIE to use an emulator binary you already have.
set -eu

if [ -n "${FN_RIE:-}" ]; then
    echo "$FN_RIE"
    exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/fn"
rie="$cache/aws-lambda-rie"
if [ -x "$rie" ]; then
    echo "$rie"
    exit 0
fi

case "$(uname -m)" in
    x86_64) member=samcli/local/rapid/aws-lambda-rie-x86_64 ;;
    aarch64 | arm64) member=samcli/local/rapid/aws-lambda-rie-arm64 ;;
    *) echo "fetch-rie: no emulator for $(uname -m)" >&2; exit 1 ;;
esac

mkdir -p "$cache"
wheels="$cache/wheels"
mkdir -p "$wheels"
if ! ls "$wheels"/aws_sam_cli-*.whl >/dev/null 2>&1; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: aws-sam-cli -d "$wheels" >&2
fi
wheel=$(ls "$wheels"/aws_sam_cli-*.whl | tail -n 1)

python3 - "$wheel" "$member" "$rie" <<'PY'
import os, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    data = z.read(member)
tmp = target + ".tmp"
with open(tmp, "wb") as f:
    f.write(data)
os.chmod(tmp, 0o755)
os.replace(tmp, target)
PY
# The wheel (tens of MB) is only a carrier for the emulator.
rm -rf "$wheels"
echo "$rie"
