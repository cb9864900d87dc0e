#!/usr/bin/env bash
# ci/test-deb.sh - the Debian package installs, starts under its wrapper,
# and removes cleanly (make test's `deb` stage).
#
# Needs root (dpkg -i); otherwise it says so and skips. It also skips when a
# package named mcref is already installed (it will not replace someone
# else's). When systemd is PID 1 the service is started with systemctl;
# otherwise the installed wrapper runs the installed conf, with the port
# changed to a free one. Every step is bounded; the server is stopped by PID.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP deb: installing a package needs root"
    exit 0
fi
if dpkg-query -W -f='${Status}' mcref 2>/dev/null | grep -q installed; then
    echo "SKIP deb: a package named mcref is already installed; not replacing it"
    exit 0
fi

tmp=$(mktemp -d /tmp/mcref-test-deb.XXXXXX)
chmod 755 "$tmp"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    dpkg -P mcref >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
answers() {
    /usr/bin/python3 - "$1" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    s.sendall(b"set deb 0 0 2\r\nok\r\nget deb\r\n")
    data = b""
    while not data.endswith(b"END\r\n"):
        chunk = s.recv(100)
        if not chunk:
            break
        data += chunk
    sys.exit(0 if data == b"STORED\r\nVALUE deb 0 2\r\nok\r\nEND\r\n" else 1)
except OSError:
    sys.exit(1)
PY
}
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

deb=$(make -s deb 2>"$tmp/build.err" | tail -n 1)
if [ ! -f "$deb" ]; then
    fail "deb/build" "$(tail -5 "$tmp/build.err")"
    echo "$failed failed"
    exit 1
fi
pass "deb/build ($deb)"

if timeout 120 dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
    pass "deb/install"
else
    fail "deb/install" "$(tail -5 "$tmp/install.log")"
    echo "$failed failed"
    exit 1
fi
dpkg -L mcref | sort >"$tmp/files"
missing=""
for f in /usr/bin/mcref /usr/bin/mcref-conform /usr/bin/mcref-bench /etc/mcref.conf \
    /lib/systemd/system/mcref.service /usr/share/mcref/scripts/mcref-start \
    /usr/share/man/man1/mcref.1.gz /usr/share/mcref/cases/conn.case; do
    [ -e "$f" ] || missing="$missing $f"
done
if [ -z "$missing" ] && getent passwd mcref >/dev/null && command -v mcref >/dev/null; then
    pass "deb/files-and-user"
else
    fail "deb/files-and-user" "missing:$missing; user: $(getent passwd mcref)"
fi
if (cd / && mcref-conform --list | grep -q 'share/mcref/cases/conn.case'); then
    pass "deb/conform-finds-cases"
else
    fail "deb/conform-finds-cases" "$(cd / && mcref-conform --list 2>&1 | head -3)"
fi

port=$(free_port)
if [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
    sed -i "s/^-p 11211$/-p $port/" /etc/mcref.conf
    timeout 30 systemctl restart mcref.service
    how="systemctl"
else
    sed "s/^-p 11211$/-p $port/" /etc/mcref.conf >"$tmp/mcref.conf"
    timeout 5 /usr/share/mcref/scripts/mcref-start --print "$tmp/mcref.conf" >"$tmp/cmdline"
    /usr/share/mcref/scripts/mcref-start "$tmp/mcref.conf" &
    server_pid=$!
    how="the wrapper (systemd is not PID 1 here)"
fi
if wait_for 10 answers "$port" && wait_for 5 test -s /run/mcref/mcref.pid; then
    user=$(ps -o user= -p "$(cat /run/mcref/mcref.pid)")
    if [ "$user" = mcref ]; then
        pass "deb/starts ($how, as $user, on $port)"
    else
        fail "deb/starts" "runs as '$user'"
    fi
else
    fail "deb/starts" "no answer on $port via $how; log: $(tail -3 /var/log/mcref.log 2>/dev/null)"
fi
if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid"
    wait_for 5 sh -c "! kill -0 $server_pid 2>/dev/null"
    if [ ! -e /run/mcref/mcref.pid ]; then
        pass "deb/stops-and-removes-pid-file"
    else
        fail "deb/stops-and-removes-pid-file" "pid file left"
    fi
    server_pid=""
else
    timeout 30 systemctl stop mcref.service
fi

timeout 60 dpkg -r mcref >"$tmp/remove.log" 2>&1
left=""
while read -r f; do
    [ -f "$f" ] && [ "$f" != /etc/mcref.conf ] && left="$left $f"
done <"$tmp/files"
if [ -z "$left" ] && [ -e /etc/mcref.conf ]; then
    pass "deb/remove (conf kept until purge)"
else
    fail "deb/remove" "left:$left; conf: $(ls /etc/mcref.conf 2>&1)"
fi
timeout 60 dpkg -P mcref >"$tmp/purge.log" 2>&1
if [ ! -e /etc/mcref.conf ] && [ ! -e /var/log/mcref.log ] &&
    [ ! -e /etc/systemd/system/multi-user.target.wants/mcref.service ] &&
    ! dpkg-query -W mcref >/dev/null 2>&1; then
    pass "deb/purge"
else
    fail "deb/purge" "$(ls -d /etc/mcref.conf /var/log/mcref.log \
        /etc/systemd/system/multi-user.target.wants/mcref.service 2>/dev/null)"
fi

echo "$failed failed"
[ $failed -eq 0 ]
