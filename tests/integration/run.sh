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
# MCREF_IT_PORTS=LO-HI  where servers get their ports (default 22000-22999)
# MCREF_IT_JOBS=N      run up to N test files at once (default 1); each file
#             starts its own servers on free ports, so files are independent.
#             The slowest files start first; each file's output is printed
#             whole, in file order, at the end. The port range is split
#             into N slices, one per file running at a time, so that two
#             files never race for one port (a server that cannot say who
#             it is, e.g. behind SASL, could answer for another's).
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
JOBS="${MCREF_IT_JOBS:-1}"
case "$JOBS" in ''|*[!0-9]*|0) JOBS=1 ;; esac
# The slowest files first, so that with several jobs they overlap the rest.
SLOW_FIRST="test_soak test_process test_cli test_faults test_restart"
[ "$JOBS" -eq 1 ] && SLOW_FIRST=""
files=()
for n in $SLOW_FIRST; do
    [ -f "$HERE/$n.py" ] && files+=("$HERE/$n.py")
done
for f in "$HERE"/test_*.py; do
    case " $SLOW_FIRST " in *" $(basename "$f" .py) "*) continue ;; esac
    files+=("$f")
done

# run_file NAME FILE: one file, its stdout in $TMP/NAME.out, stderr in
# $TMP/NAME.err, exit status and seconds in $TMP/NAME.rc.
run_file() {
    local name=$1 f=$2 t0 rc
    local args=()
    [ -n "$PATTERN" ] && args=(-k "$PATTERN")
    t0=$(date +%s)
    # run from /tmp so relative paths in the tests cannot touch the repo
    if [ "$JOBS" -eq 1 ]; then # live: shown as it runs, and kept
        (cd "$TMP" && timeout -k 5 "$FILE_TIMEOUT" "$PY" "$f" "${args[@]}") \
            2> >(tee "$TMP/$name.err" >&2) | tee "$TMP/$name.out"
        rc=${PIPESTATUS[0]}
    else
        (cd "$TMP" && timeout -k 5 "$FILE_TIMEOUT" "$PY" "$f" "${args[@]}") \
            >"$TMP/$name.out" 2>"$TMP/$name.err"
        rc=$?
    fi
    echo "$rc $(( $(date +%s) - t0 ))" >"$TMP/$name.rc"
}

# report NAME: prints a finished file's output and adds it to the log.
report() {
    local name=$1 flog="$TMP/$1.out" ferr="$TMP/$1.err" rc secs why
    read -r rc secs <"$TMP/$name.rc"
    if [ "$JOBS" -ne 1 ]; then
        cat "$ferr" >&2
        cat "$flog"
    fi
    cat "$flog" >>"$LOG"
    echo "# $name: ${secs}s"
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$flog"; then
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            why="timed out after ${FILE_TIMEOUT}s"
        else
            why="exited with status $rc: $(tail -n 1 "$ferr" 2>/dev/null | tr -d '\r')"
        fi
        echo "FAIL $name: $why"
        extra_fail=$((extra_fail + 1))
    fi
}

if [ "$JOBS" -eq 1 ]; then
    for f in "${files[@]}"; do
        name="$(basename "$f" .py)"
        run_file "$name" "$f"
        report "$name"
    done
else
    trap 'kill $(jobs -rp) 2>/dev/null; rm -rf "$TMP"' EXIT
    IFS=- read -r lo hi <<<"${MCREF_IT_PORTS:-22000-22999}"
    width=$(( (hi - lo + 1) / JOBS ))
    declare -A slot_of=()   # pid -> slot
    free_slots=()
    for ((i = 0; i < JOBS; i++)); do free_slots+=("$i"); done
    for f in "${files[@]}"; do
        while [ ${#free_slots[@]} -eq 0 ]; do
            done_pid=
            wait -n -p done_pid || true
            if [ -n "$done_pid" ] && [ -n "${slot_of[$done_pid]:-}" ]; then
                free_slots+=("${slot_of[$done_pid]}")
                unset "slot_of[$done_pid]"
            fi
        done
        slot=${free_slots[0]}
        free_slots=("${free_slots[@]:1}")
        MCREF_IT_PORTS="$((lo + slot * width))-$((lo + (slot + 1) * width - 1))" \
            run_file "$(basename "$f" .py)" "$f" &
        slot_of[$!]=$slot
    done
    wait
    for f in "$HERE"/test_*.py; do
        report "$(basename "$f" .py)"
    done
fi
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
