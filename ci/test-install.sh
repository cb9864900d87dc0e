#!/usr/bin/env bash
# ci/test-install.sh BUILD_DIR - what an operator meets first, checked from
# the shell (make test's `operator` stage):
#   make run (the listening line; a taken port said plainly), mcref-conform
#   finding its cases from an installed tree and saying where it looked
#   otherwise, `make install` into a DESTDIR against the expected file list,
#   the unit through `systemd-analyze verify`, and mcref-start's command
#   line from sample confs and a real start through it.
# Servers run on free loopback ports and are stopped by PID.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
build=${1:-build/release}
tmp=$(mktemp -d /tmp/mcref-test-install.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
answers() { # PORT: does a server answer `version` there?
    /usr/bin/python3 - "$1" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    s.sendall(b"version\r\n")
    sys.exit(0 if s.recv(100).startswith(b"VERSION ") else 1)
except OSError:
    sys.exit(1)
PY
}
wait_for() { # SECONDS COMMAND...: until the command succeeds
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.1
    done
}

# ---- make run ----------------------------------------------------------------
port=$(free_port)
PORT=$port ARGS="-m 8m" ci/run.sh "$build/mcref" >"$tmp/run.out" 2>&1 &
run_pid=$!
pids+=($run_pid)
if wait_for 10 grep -q "listening on 127.0.0.1 port $port" "$tmp/run.out" &&
    answers "$port"; then
    pass "make-run/listening-line"
else
    fail "make-run/listening-line" "$(cat "$tmp/run.out")"
fi
# The same port again: taken, said plainly, non-zero status.
PORT=$port ci/run.sh "$build/mcref" >"$tmp/run2.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "port $port on 127.0.0.1 is taken" "$tmp/run2.out" &&
    grep -q "make run PORT=" "$tmp/run2.out"; then
    pass "make-run/port-taken"
else
    fail "make-run/port-taken" "rc=$rc: $(cat "$tmp/run2.out")"
fi
kill -TERM $run_pid
if wait_for 5 sh -c "! kill -0 $run_pid 2>/dev/null"; then
    pass "make-run/stops-on-sigterm"
else
    fail "make-run/stops-on-sigterm" "still running"
fi

# ---- make install into a DESTDIR -------------------------------------------------
dest="$tmp/dest"
if make -s install PROFILE="$(basename "$build")" DESTDIR="$dest" >"$tmp/install.out" 2>&1; then
    (cd "$dest" && find . -type f -o -type l | sed 's|^\./|/|' | sort) >"$tmp/got"
    {
        printf '%s\n' /etc/mcref.conf /usr/local/bin/mcref /usr/local/bin/mcref-bench \
            /usr/local/bin/mcref-conform /usr/local/bin/mcref-clientcheck \
            /usr/local/bin/mcref-fuzz \
            /usr/local/lib/systemd/system/mcref.service \
            /usr/local/share/man/man1/mcref-bench.1 /usr/local/share/man/man1/mcref-conform.1 \
            /usr/local/share/man/man1/mcref-clientcheck.1 /usr/local/share/man/man1/mcref-fuzz.1 \
            /usr/local/share/man/man1/mcref.1 /usr/local/share/mcref/scripts/mcref-start
        for c in spec/cases/*.case; do echo "/usr/local/share/mcref/cases/$(basename "$c")"; done
    } | sort >"$tmp/want"
    if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
        pass "install/file-list"
    else
        fail "install/file-list" "$(cat "$tmp/diff")"
    fi
    # An operator's conf survives a second install.
    echo "# mine" >>"$dest/etc/mcref.conf"
    make -s install PROFILE="$(basename "$build")" DESTDIR="$dest" >/dev/null 2>&1
    if tail -n 1 "$dest/etc/mcref.conf" | grep -q "# mine"; then
        pass "install/keeps-conf"
    else
        fail "install/keeps-conf" "overwritten"
    fi
else
    fail "install/file-list" "make install failed: $(tail -5 "$tmp/install.out")"
fi

# ---- mcref-conform finds its cases -------------------------------------------------
n_cases=$(cat spec/cases/*.case | grep -c '^case ')
got=$(cd / && "$dest/usr/local/bin/mcref-conform" --list 2>&1 | grep -c '\.case:')
if [ "$got" = "$n_cases" ]; then
    pass "conform/installed-tree"
else
    fail "conform/installed-tree" "listed $got of $n_cases cases"
fi
got=$(cd / && "$repo/$build/mcref-conform" --list 2>&1 | grep -c '\.case:')
if [ "$got" = "$n_cases" ]; then
    pass "conform/source-tree"
else
    fail "conform/source-tree" "listed $got of $n_cases cases"
fi
cp "$build/mcref-conform" "$tmp/lonely-conform"
out=$(cd / && MCREF_CONFORM_CASES= "$tmp/lonely-conform" --list 2>&1)
rc=$?
if [ $rc -eq 2 ] && grep -q "looked in" <<<"$out" && grep -q -- "--cases DIR" <<<"$out"; then
    pass "conform/says-where-it-looked"
else
    fail "conform/says-where-it-looked" "rc=$rc: $out"
fi

# ---- the systemd unit -----------------------------------------------------------------
real="$tmp/real"
make -s install PROFILE="$(basename "$build")" PREFIX="$real/usr" SYSCONFDIR="$real/etc" \
    UNITDIR="$real/unit" >/dev/null 2>&1
if ! command -v systemd-analyze >/dev/null; then
    fail "unit/verify" "systemd-analyze missing (ci/deps.sh test installs systemd)"
else
    out=$(MANPATH="$real/usr/share/man" systemd-analyze verify "$real/unit/mcref.service" 2>&1)
    rc=$?
    # verify warns without failing on many mistakes: any output is one.
    if [ $rc -eq 0 ] && [ -z "$out" ]; then
        pass "unit/verify"
    else
        fail "unit/verify" "rc=$rc: $out"
    fi
    # ... and it does bite: a broken copy must be reported.
    sed 's/^Type=simple/Type=bogus/; s|^ExecStart=.*|ExecStart=/nonexistent/x|' \
        "$real/unit/mcref.service" >"$real/unit/mcref-broken.service"
    out=$(MANPATH="$real/usr/share/man" systemd-analyze verify "$real/unit/mcref-broken.service" 2>&1)
    if grep -q "bogus" <<<"$out" && grep -q "nonexistent" <<<"$out"; then
        pass "unit/verify-bites"
    else
        fail "unit/verify-bites" "no complaint: $out"
    fi
fi

# ---- mcref-start: the command line from a conf -------------------------------------------
start="$dest/usr/local/share/mcref/scripts/mcref-start"
cat >"$tmp/sample.conf" <<'CONF'
# a sample in memcached.conf's format
-d
logfile /var/log/x.log
  -m 64m    # trailing comment
-p 11311
# -vv
-l 127.0.0.1,::1
-c 2048
-o idle_timeout=30,hashpower=20
-P /run/mcref/mcref.pid
-u memcache
-I 2m
-h
CONF
want="/usr/local/bin/mcref -m 64m -p 11311 -l 127.0.0.1,::1 -c 2048 -o idle_timeout=30,hashpower=20 -P /run/mcref/mcref.pid -u memcache -I 2m"
got=$("$start" --print "$tmp/sample.conf")
if [ "$got" = "$want" ]; then
    pass "wrapper/command-line"
else
    fail "wrapper/command-line" "got [$got] want [$want]"
fi
# The shipped conf, as installed.
want="/usr/local/bin/mcref -m 64 -p 11211 -u mcref -l 127.0.0.1 -P /run/mcref/mcref.pid"
got=$("$start" --print "$dest/etc/mcref.conf")
if [ "$got" = "$want" ]; then
    pass "wrapper/shipped-conf"
else
    fail "wrapper/shipped-conf" "got [$got] want [$want]"
fi

# ---- mcref-start runs the server -----------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP wrapper/starts-server: needs root (-u and the pid directory)"
else
    chmod 755 "$tmp" # the -u user walks to its pid directory
    port=$(free_port)
    cat >"$tmp/run.conf" <<CONF
-p $port
-l 127.0.0.1
-m 16m
-u nobody
-P $tmp/piddir/mcref.pid
logfile $tmp/mcref.log
-v
CONF
    MCREF_BIN="$repo/$build/mcref" "$start" "$tmp/run.conf" &
    wpid=$!
    pids+=($wpid)
    if wait_for 10 answers "$port" && wait_for 5 test -s "$tmp/piddir/mcref.pid"; then
        spid=$(cat "$tmp/piddir/mcref.pid")
        owner=$(stat -c %U "$tmp/piddir")
        # exec: the wrapper's pid is the server's.
        if [ "$spid" = "$wpid" ] && [ "$owner" = nobody ]; then
            pass "wrapper/starts-server"
        else
            fail "wrapper/starts-server" "pid file $spid, wrapper $wpid, dir owner $owner"
        fi
        kill -TERM "$wpid"
        wait "$wpid"
        rc=$?
        if [ $rc -eq 0 ] && [ ! -e "$tmp/piddir/mcref.pid" ]; then
            pass "wrapper/clean-stop"
        else
            fail "wrapper/clean-stop" "rc=$rc, pid file left: $(ls "$tmp/piddir")"
        fi
    else
        fail "wrapper/starts-server" "no answer on $port; log: $(cat "$tmp/mcref.log" 2>/dev/null)"
    fi
fi

echo "$failed failed"
[ $failed -eq 0 ]
