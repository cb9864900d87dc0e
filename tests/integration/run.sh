#!/usr/bin/env bash
# Integration tests with real clients and tools (python-memcache, pymemcache,
# pylibmc, libmemcached tools) plus process/connection behaviour.
#
#   tests/integration/run.sh [-k PATTERN]
#
# MCREF_BIN   server binary (default build/release/mcref, relative to the
#             repository root); validate with MCREF_BIN=/usr/bin/memcached
# -k PATTERN  run only tests whose name contains PATTERN (case-insensitive),
#             e.g. -k pylibmc/ or -k sigterm
# MCREF_IT_VERBOSE=1   tracebacks and per-test timings on stderr
#
# Prints `PASS name` / `FAIL name: reason` (and `SKIP name: why`) per test and
# ends with `N passed, N failed` alone on the last line; exits non-zero if any
# test failed.  The Debian client modules load only under /usr/bin/python3.
set -u

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3
PATTERN=""
FILE_TIMEOUT="${MCREF_IT_FILE_TIMEOUT:-180}"

usage() { echo "usage: $0 [-k PATTERN]" >&2; exit 2; }
while getopts "k:h" opt; do
    case "$opt" in
        k) PATTERN="$OPTARG" ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

BIN="${MCREF_BIN:-build/release/mcref}"
case "$BIN" in /*) ;; *) BIN="$REPO/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    echo "FAIL setup: server binary $BIN not found or not executable (set MCREF_BIN)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -x "$PY" ]; then
    echo "FAIL setup: $PY not found"
    echo "0 passed, 1 failed"
    exit 1
fi
export MCREF_BIN="$BIN"
export PYTHONDONTWRITEBYTECODE=1

TMP="$(mktemp -d /tmp/mcref-it-run.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
LOG="$TMP/all.log"
: >"$LOG"

echo "# server: $BIN ($("$BIN" -V 2>/dev/null | head -n 1))"
start=$(date +%s)
extra_fail=0
for f in "$HERE"/test_*.py; do
    name="$(basename "$f" .py)"
    flog="$TMP/$name.out"
    ferr="$TMP/$name.err"
    args=()
    [ -n "$PATTERN" ] && args=(-k "$PATTERN")
    # run from /tmp so relative paths in the tests cannot touch the repo
    (cd "$TMP" && timeout -k 5 "$FILE_TIMEOUT" "$PY" "$f" "${args[@]}") \
        2> >(tee "$ferr" >&2) | tee "$flog"
    rc=${PIPESTATUS[0]}
    cat "$flog" >>"$LOG"
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$flog"; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            why="timed out after ${FILE_TIMEOUT}s"
        else
            why="exited with status $rc: $(tail -n 1 "$ferr" 2>/dev/null | tr -d '\r')"
        fi
        echo "FAIL $name: $why"
        extra_fail=$((extra_fail + 1))
    fi
done
passed=$(grep -c '^PASS ' "$LOG")
failed=$(( $(grep -c '^FAIL ' "$LOG") + extra_fail ))
skipped=$(grep -c '^SKIP ' "$LOG")
echo "# runtime: $(( $(date +%s) - start ))s"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
