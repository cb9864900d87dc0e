#!/usr/bin/env bash
# ci/run.sh BIN - `make run`: the server in the foreground on PORT (default
# 11211) of LISTEN (default 127.0.0.1), with -m 64 and then ARGS, which
# override or add flags (make run PORT=11311 ARGS="-m 128 -vv").
#
# Says "listening on ..." once the server listens (it reads the port back
# from memcached's MEMCACHED_PORT_FILENAME file), and says plainly when the
# port is taken. Ctrl-C (or SIGTERM) stops the server.
set -uo pipefail

bin=${1:?usage: ci/run.sh BIN}
port=${PORT:-11211}
listen=${LISTEN:-127.0.0.1}
read -r -a extra <<<"${ARGS:-}"
user=()
[ "$(id -u)" -eq 0 ] && user=(-u root)

tmp=$(mktemp -d /tmp/mcref-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ports="$tmp/ports"

MEMCACHED_PORT_FILENAME=$ports "$bin" -p "$port" -l "$listen" -U 0 -m 64 \
    "${user[@]}" "${extra[@]}" 2> >(tee "$tmp/stderr" >&2) &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' INT TERM

# Up to 10 s for the ports file, or for the server to exit.
for _ in $(seq 100); do
    [ -f "$ports" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -f "$ports" ]; then
    got=$(sed -n 's/^TCP INET6\{0,1\}: //p' "$ports" | sort -u | tr '\n' ' ')
    echo "mcref: listening on ${listen} port ${got% } (pid $pid); Ctrl-C stops it"
elif ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    rc=$?
    # tee copies stderr on its own schedule: give it up to 2 s to catch up.
    for _ in $(seq 20); do
        grep -q "Address already in use" "$tmp/stderr" 2>/dev/null && break
        sleep 0.1
    done
    if grep -q "Address already in use" "$tmp/stderr" 2>/dev/null; then
        echo "make run: port $port on $listen is taken (is memcached or another" \
             "mcref running? \`ss -ltnp 'sport = :$port'\` shows who);" \
             "choose another: make run PORT=11311" >&2
    fi
    exit "$rc"
fi
wait "$pid"
rc=$?
# A stop by Ctrl-C or SIGTERM ends the wait early: wait for the exit itself.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; rc=$?; done
exit "$rc"
