#!/usr/bin/env bash
# ci/fuzz-net.sh [MCREF_BIN] - mcref-fuzz, bounded in time, against
#   1. Debian's memcached 1.6.18 (text, then mixed text+meta, then the
#      binary protocol): must find nothing beyond spec/differences.md
#      (exit 0);
#   2. twemproxy (nutcracker) in front of mcref, with the commands it
#      forwards and spec/proxy.md's clauses as known differences: it must
#      not crash or hang up for good, and every finding it writes must
#      replay: pass on mcref itself (the expectations are mcref's replies)
#      and fail through the proxy (it reproduces).
# FUZZ_NET_SECONDS (default 8) bounds each run. Servers listen on free
# loopback ports and are stopped by PID.
set -uo pipefail
cd "$(dirname "$0")/.."
mcref=$(realpath "${1:-build/release/mcref}")
fuzz=${FUZZ_BIN:-build/release/mcref-fuzz}
conform=${CONFORM_BIN:-build/release/mcref-conform}
secs=${FUZZ_NET_SECONDS:-8}
for b in "$fuzz" "$conform" "$mcref"; do
    [ -x "$b" ] || { echo "fuzz-net: $b not built"; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
    for _ in $(seq 50); do
        /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
user=()
[ "$(id -u)" -eq 0 ] && user=(-u root)
status=0

# Replays every case of a findings folder: on mcref it must pass, on the
# target it must fail.
replay_findings() { # DIR TARGET_PORT MCREF_PORT
    local f
    for f in "$1"/*.case; do
        [ -e "$f" ] || continue
        if ! "$conform" --allow-destructive --case "$f" "127.0.0.1:$3" >"$work/replay.txt" 2>&1; then
            echo "fuzz-net: $f does not pass on mcref:"; cat "$work/replay.txt"; status=1
        fi
        if "$conform" --allow-destructive --case "$f" "127.0.0.1:$2" >"$work/replay.txt" 2>&1; then
            echo "fuzz-net: $f does not reproduce on the target (flaky?)"
        fi
    done
}

# ---- 1. memcached ---------------------------------------------------------
if command -v memcached >/dev/null; then
    mport=$(free_port)
    memcached -U 0 -p "$mport" -l 127.0.0.1 "${user[@]}" 2>"$work/memcached.log" &
    pids+=($!)
    wait_port "$mport" || { echo "fuzz-net: memcached did not start"; exit 1; }
    for proto in text mixed binary; do
        out="$work/mc-$proto"
        "$fuzz" -q --seconds "$secs" --protocol "$proto" --flush --out "$out" \
            "127.0.0.1:$mport" >"$work/mc.txt" 2>&1
        rc=$?
        cat "$work/mc.txt"
        if [ "$rc" -ne 0 ]; then
            echo "fuzz-net: memcached ($proto): findings beyond spec/differences.md (exit $rc)"
            for f in "$out"/*.case; do [ -e "$f" ] && { echo "--- $f"; cat "$f"; }; done
            status=1
        fi
    done
else
    echo "fuzz-net: memcached is not installed; skipping that target"
fi

# ---- 2. twemproxy in front of mcref --------------------------------------
sport=$(free_port)
"$mcref" -p "$sport" -l 127.0.0.1 "${user[@]}" &
pids+=($!)
wait_port "$sport" || { echo "fuzz-net: mcref did not start"; exit 1; }
if command -v nutcracker >/dev/null; then
    pport=$(free_port)
    cat >"$work/nutcracker.yml" <<YAML
mcref:
  listen: 127.0.0.1:$pport
  hash: fnv1a_64
  distribution: ketama
  timeout: 2000
  redis: false
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:$sport:1
YAML
    nutcracker -c "$work/nutcracker.yml" -o "$work/nutcracker.log" -p "$work/nutcracker.pid" \
        -s "$(free_port)" &
    pids+=($!)
    wait_port "$pport" || { echo "fuzz-net: nutcracker did not start"; exit 1; }
    known=$(awk '/^```proxy-clauses/{f=1; next} /^```/{f=0} f' spec/proxy.md | tr '\n' ' ')
    "$fuzz" -q --seconds "$secs" --min-budget 60 \
        --commands get,gets,set,add,replace,append,prepend,cas,delete,incr,decr,touch \
        --known-clauses "$known" --out "$work/proxy" --json \
        "127.0.0.1:$pport" >"$work/proxy.json" 2>"$work/proxy.err"
    rc=$?
    /usr/bin/python3 - "$work/proxy.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("fuzz-net: twemproxy: %d streams, %d requests, %d known, %d findings%s" % (
    s["streams"], s["requests"], s["known"], len(s["findings"]),
    " (target gone)" if s["target_gone"] else ""))
for f in s["findings"]:
    print("  %-20s %-10s mcref `%s` proxy `%s`" % (f["clause"], f["kind"], f["mcref"], f["target"]))
PY
    if [ "$rc" -gt 1 ] || grep -q '"target_gone": true' "$work/proxy.json"; then
        echo "fuzz-net: twemproxy run failed (exit $rc)"; cat "$work/proxy.err"; status=1
    fi
    replay_findings "$work/proxy" "$pport" "$sport"
else
    echo "fuzz-net: nutcracker is not installed; skipping the proxy target"
fi

# ---- 3. mcref itself: its own oracle must agree with it ------------------
for proto in mixed binary; do
    "$fuzz" -q --seconds "$secs" --protocol "$proto" --flush --out "$work/self-$proto" \
        "127.0.0.1:$sport" >"$work/self.txt" 2>&1
    rc=$?
    cat "$work/self.txt"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz-net: mcref ($proto) diverges from its own in-process session"; status=1
    fi
done

if [ "$status" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit "$status"
