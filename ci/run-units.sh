#!/usr/bin/env bash
# ci/run-units.sh BIN... - run cmocka unit test binaries; fail if any fails.
# UNIT_JOBS=N runs N binaries at once (default 1), the slowest first; each
# binary's output is then printed whole, in the order given.
set -uo pipefail
status=0
jobs_max=${UNIT_JOBS:-1}
case "$jobs_max" in ''|*[!0-9]*|0) jobs_max=1 ;; esac
if [ "$jobs_max" -eq 1 ] || [ $# -le 1 ]; then
    for bin in "$@"; do
        if ! "$bin"; then
            echo "FAILED: $bin" >&2
            status=1
        fi
    done
    exit $status
fi

SLOW_FIRST="test_store test_engine_session"
out=$(mktemp -d)
trap 'kill $(jobs -rp) 2>/dev/null; rm -rf "$out"' EXIT
order=()
for s in $SLOW_FIRST; do
    for i in $(seq 1 $#); do
        [ "$(basename "${!i}")" = "$s" ] && order+=("$i")
    done
done
for i in $(seq 1 $#); do
    case " $SLOW_FIRST " in *" $(basename "${!i}") "*) continue ;; esac
    order+=("$i")
done
for i in "${order[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
    ( "${!i}" >"$out/$i.out" 2>&1; echo $? >"$out/$i.rc" ) &
done
wait
for i in $(seq 1 $#); do
    cat "$out/$i.out"
    if [ "$(cat "$out/$i.rc" 2>/dev/null)" != 0 ]; then
        echo "FAILED: ${!i}" >&2
        status=1
    fi
done
exit $status
