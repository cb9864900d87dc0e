#!/usr/bin/env bash
# bench_smoke.sh - smoke test of mcref-bench against a memcached-compatible
# server binary: a few short workloads must finish with zero errors and a
# non-zero rate (cache-aside with a hit ratio, an RSS series, the meta
# protocol when the server has it), and --fill must see an eviction in -m 8.
#
# usage: tests/integration/bench_smoke.sh SERVER_BIN
# env:   BENCH_BIN (default build/release/mcref-bench; a relative path is
#        taken from the repository root), SMOKE_DURATION (1 s per workload),
#        SMOKE_PORT_LO/HI (21000-21999: where to look for a free port).
# Prints `PASS name` / `FAIL name: reason` per check and `N passed, N failed`
# alone on the last line; exit status non-zero on any failure.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
server_bin=${1:-}
bench_bin=${BENCH_BIN:-build/release/mcref-bench}
case "$bench_bin" in /*) ;; *) bench_bin="$top/$bench_bin" ;; esac
duration=${SMOKE_DURATION:-1}
port_lo=${SMOKE_PORT_LO:-21000}
port_hi=${SMOKE_PORT_HI:-21999}
fill_limit=15                          # s: -m 8 fills in well under 1 s
bench_timeout=$((duration * 4 + fill_limit + 5)) # any one run, worst case
start_attempts=10                      # ports tried before giving up
ready_polls=50                         # x 0.1 s waiting for the listener

passed=0
failed=0
server_pid=
port=

ok()   { passed=$((passed + 1)); echo "PASS $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL $1"; }

stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}
finish() {
    stop_server
    echo "$passed passed, $failed failed"
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

port_busy() {
    ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# Starts the server on a free port with memcached's flags plus "$@".
start_server() {
    local user_flag=()
    [ "$(id -u)" = 0 ] && user_flag=(-u root)
    local attempt polls
    for attempt in $(seq 1 "$start_attempts"); do
        port=$((port_lo + RANDOM % (port_hi - port_lo + 1)))
        port_busy "$port" && continue
        "$server_bin" -p "$port" -U 0 -l 127.0.0.1 "${user_flag[@]}" "$@" \
            >/dev/null 2>&1 &
        server_pid=$!
        for polls in $(seq 1 "$ready_polls"); do
            kill -0 "$server_pid" 2>/dev/null || break
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                return 0
            fi
            sleep 0.1
        done
        stop_server   # lost a race for the port, or never listened
    done
    return 1
}

# json_field JSON NAME: the raw value of a top-level field.
json_field() {
    printf '%s\n' "$1" | grep -o "\"$2\":[^,}]*" | head -n1 | cut -d: -f2-
}

# run_load NAME ARGS...: one workload; zero errors, exit 0, ops/s > 0.
run_load() {
    local name=$1
    shift
    local out rc
    out=$(timeout "$bench_timeout" "$bench_bin" -s "127.0.0.1:$port" \
          --server-pid "$server_pid" --json --seed 1 -d "$duration" "$@")
    rc=$?
    local errors ops
    errors=$(json_field "$out" errors)
    ops=$(json_field "$out" ops_per_s)
    if [ "$rc" = 0 ] && [ "$errors" = 0 ] \
       && awk -v v="${ops:-0}" 'BEGIN { exit !(v > 0) }'; then
        ok "$name ($ops ops/s, p99 $(json_field "$out" p99_us) us)"
    else
        bad "$name: exit $rc, errors '${errors}', ops/s '${ops}': $out"
    fi
}

# run_checked NAME AWK_TEST ARGS...: run_load, and AWK_TEST (where
# json_field("name") reads a field of the result) must exit 0.
run_checked() {
    local name=$1 test=$2
    shift 2
    local out rc
    out=$(timeout "$bench_timeout" "$bench_bin" -s "127.0.0.1:$port" \
          --server-pid "$server_pid" --json --seed 1 -d "$duration" "$@")
    rc=$?
    if [ "$rc" = 0 ] && [ "$(json_field "$out" errors)" = 0 ] &&
       awk -v json="$out" '
           function json_field(name,   m) {
               if (!match(json, "\"" name "\":[^,}]*")) return ""
               m = substr(json, RSTART, RLENGTH)
               sub(/^[^:]*:/, "", m)
               return m + 0
           }
           BEGIN { '"$test"' }'; then
        ok "$name ($(json_field "$out" ops_per_s) ops/s)"
    else
        bad "$name: exit $rc: $out"
    fi
}

# run_meta NAME ARGS...: a --protocol meta load; skipped (not failed) when
# the server does not speak the meta protocol.
run_meta() {
    local name=$1
    shift
    local err
    err=$(timeout "$bench_timeout" "$bench_bin" -s "127.0.0.1:$port" \
          --protocol meta -c 1 -n 1 2>&1 >/dev/null)
    if printf '%s' "$err" | grep -q 'does the server speak meta'; then
        echo "SKIP $name: the server has no meta protocol"
        return
    fi
    run_load "$name" --protocol meta "$@"
}

if [ -z "$server_bin" ] || [ ! -x "$server_bin" ]; then
    echo "usage: $0 SERVER_BIN (an executable memcached-compatible server)"
    bad "setup: server binary '$server_bin' is not executable"
    finish
    exit 1
fi
if [ ! -x "$bench_bin" ]; then
    bad "setup: mcref-bench not found at $bench_bin (set BENCH_BIN)"
    finish
    exit 1
fi

if start_server -m 64 -c 1024; then
    ok "server started on port $port (pid $server_pid)"
    run_load "pipelined 90:10, -P 16, warmed up" -c 8 -P 16 --warmup
    run_load "multi-get of 10 keys" -c 8 --mget 10
    run_load "sets of 1 KiB" -c 8 --ratio 0:100 --value-size 1024
    run_load "zipf keys, 100 conns, 10 active at 500/s" \
        -c 100 --active 10 --rate 500 --key-dist zipf
    run_checked "cache-aside, zipf 1.0" \
        'h = json_field("hit_ratio"); s = json_field("aside_sets");
         exit !(h > 0 && h < 1 && s > 0)' \
        -c 8 --cache-aside --key-dist zipf:1.0 --keys 20000
    run_checked "overwrite with the RSS series" \
        'exit !(json_field("rss_peak_bytes") > 0 && json_field("rss_final_bytes") > 0)' \
        -c 8 --ratio 0:100 --value-size 1024 --rss-every 100 --rss-after 200
    # The text report: the latency histogram and the RSS series.
    out=$(timeout "$bench_timeout" "$bench_bin" -s "127.0.0.1:$port" \
          --server-pid "$server_pid" --seed 1 -d "$duration" -c 4 \
          --rss-every 100 --rss-after 100 2>/dev/null)
    if printf '%s\n' "$out" | grep -q '^latency histogram' &&
       printf '%s\n' "$out" | grep -q '^server rss  peak' &&
       printf '%s\n' "$out" | grep -q '^rss series'; then
        ok "text report with histogram and RSS series"
    else
        bad "text report: $out"
    fi
    for depth in 1 16; do
        run_meta "meta, -P $depth, warmed up" -c 8 -P "$depth" --warmup
    done
    for depth in 1 16; do
        run_load "binary, -P $depth, warmed up" --protocol binary -c 8 \
            -P "$depth" --warmup
    done
    stop_server
else
    bad "server start: not listening (tried $start_attempts ports)"
fi

if start_server -m 8 -c 1024; then
    out=$(timeout "$bench_timeout" "$bench_bin" -s "127.0.0.1:$port" \
          --fill -P 32 -d "$fill_limit" --server-pid "$server_pid" --json)
    rc=$?
    items=$(json_field "$out" items_before_eviction)
    if [ "$rc" = 0 ] && [ "$(json_field "$out" evicted)" = true ] \
       && [ "$(json_field "$out" errors)" = 0 ] && [ "${items:-0}" -gt 0 ]; then
        per_item=$(json_field "$out" bytes_per_item)
        ok "fill -m 8: $items items before the first eviction, $per_item B/item"
    else
        bad "fill -m 8: exit $rc: $out"
    fi
    stop_server
else
    bad "server start for the fill: not listening"
fi

finish
[ "$failed" = 0 ]
