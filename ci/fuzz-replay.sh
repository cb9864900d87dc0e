#!/usr/bin/env bash
# ci/fuzz-replay.sh BUILD_DIR HARNESS... - replay every seed and regression
# input of each harness through its plain driver (no fuzzer runtime).
set -euo pipefail
b=$1
shift
status=0
for h in "$@"; do
    dirs=()
    for d in "fuzz/corpus/$h" "fuzz/regress/$h"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    [ ${#dirs[@]} -gt 0 ] || { echo "$h: no corpus"; continue; }
    echo "replay $h: ${dirs[*]}"
    "$b/fuzz/$h-replay" "${dirs[@]}" || status=1
done
exit $status
