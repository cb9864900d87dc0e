#!/usr/bin/env bash
# tests/soak/run.sh - the soak: a server under many verifying connections.
#
#   tests/soak/run.sh SERVER_BIN SOAK_BIN [short|long]
#
# short (make test): SOAK_CONNS=2000 for SOAK_SECONDS=40, then a 5 s
#   self-check that the client catches wrong replies (two clients sharing
#   one key space must disagree with the server, on text connections and on
#   binary ones). The client's traffic: text and meta, and binary on 25% of
#   the connections (SOAK_ARGS="--binary-pct N" changes the share).
# long (make soak): 10,000 connections for 600 s (ulimit -n raised).
# Env: SOAK_CONNS, SOAK_SECONDS, SOAK_MEM (-m, default 32: the log wraps
#   during warm-up, so memory must then be flat), SOAK_PORT (default
#   ${CONFORM_PORT_BASE:-26400}+150), SOAK_SELFCHECK=0 to skip it.
set -euo pipefail
server=$1 soak=$2 mode=${3:-short}
case "$mode" in
    short) conns=${SOAK_CONNS:-2000} secs=${SOAK_SECONDS:-40} ;;
    long) conns=${SOAK_CONNS:-10000} secs=${SOAK_SECONDS:-600} ;;
    *) echo "usage: $0 SERVER SOAK [short|long]" >&2; exit 2 ;;
esac
mem=${SOAK_MEM:-32}
port=${SOAK_PORT:-$(( ${CONFORM_PORT_BASE:-26400} + 150 ))}
ulimit -n $((conns + 2000)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

start_server() {
    "$server" -p "$port" -l 127.0.0.1 -U 0 -m "$mem" -c $((conns + 1000)) -u root &
    pid=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "soak: server did not start on port $port" >&2
    exit 1
}

start_server
echo "soak: $server -m $mem, $conns connections, $secs s (port $port)"
"$soak" -p "$port" -c "$conns" -t "$secs" --server-pid "$pid" ${SOAK_ARGS:-}
kill -0 "$pid" || { echo "soak: the server died" >&2; exit 1; }
kill "$pid"
wait "$pid" || { echo "soak: the server exited with an error" >&2; exit 1; }
pid=

# The client must be able to fail: two clients with the same seed share
# every key (and speak the same protocol on each), so each sees the other's
# writes as wrong replies; both checkers, text and binary, must see them.
if [ "$mode" = short ] && [ "${SOAK_SELFCHECK:-1}" = 1 ]; then
    start_server
    out=$(mktemp -d)
    trap 'cleanup; rm -rf "$out"' EXIT
    check_args=(-p "$port" -c 50 -t 5 --idle-pct 0 --slow-pct 0 --binary-pct 50 -q)
    "$soak" "${check_args[@]}" >"$out/a" 2>&1 & a=$!
    "$soak" "${check_args[@]}" >"$out/b" 2>&1 || true
    wait "$a" || true
    # "errors E (mismatches M, ...)" and "binary: ... B mismatches"
    all=$(sed -n 's/.*(mismatches \([0-9]*\),.*/\1/p' "$out/a" "$out/b" | awk '{ s += $1 } END { print s + 0 }')
    bin=$(sed -n 's/^soak: binary: .*, \([0-9]*\) mismatches$/\1/p' "$out/a" "$out/b" | awk '{ s += $1 } END { print s + 0 }')
    if [ -z "$all" ] || [ -z "$bin" ] || [ "$bin" -eq 0 ] || [ "$all" -eq "$bin" ]; then
        echo "soak: self-check FAILED: two clients sharing keys saw no wrong reply" \
            "(text mismatches $((${all:-0} - ${bin:-0})), binary ${bin:-none})" >&2
        exit 1
    fi
    echo "soak: self-check passed (a clash of key spaces is caught:" \
        "$((all - bin)) text and $bin binary mismatches)"
fi
