"""mcref's own process behaviour: start-up failures and their exit codes,
-v notes, -vvv internal lines, the unix socket, -k/-r, an unwritable pid
file.  memcached differs on several of these, so each test is mcref-only."""

import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Conn, Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       pick_port, server_bin, test, main, user_args,
                       wait_until)

P = "cli/"


def mcref_only():
    if is_memcached():
        raise SkipTest("mcref's own start-up rules")


def run_binary(args, timeout=10):
    """Runs the server binary to completion; returns (rc, stderr)."""
    argv = [server_bin()] + user_args(args) + list(args)
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


@test(P + "port_in_use_exits_71")
def _():
    mcref_only()
    with Server() as s:
        rc, err = run_binary(["-p", str(s.port), "-l", "127.0.0.1"])
        eq(rc, 71, "exit status with the port taken")
        check("failed to listen on" in err, "message names the failure: %r" % err)


@test(P + "impossible_memory_exits_71")
def _():
    mcref_only()
    rc, err = run_binary(["-p", str(pick_port()), "-l", "127.0.0.1",
                          "-m", "16384g"])
    eq(rc, 71, "exit status when -m cannot be allocated")
    check("cannot allocate" in err, "message: %r" % err)


@test(P + "unknown_user_exits_64")
def _():
    mcref_only()
    if os.geteuid() != 0:
        raise SkipTest("needs root to switch users")
    rc, err = run_binary(["-p", str(pick_port()), "-l", "127.0.0.1",
                          "-u", "no-such-user-mcref"])
    eq(rc, 64, "exit status")
    check("can't find the user no-such-user-mcref" in err, "message: %r" % err)


@test(P + "usage_errors_exit_before_starting")
def _():
    mcref_only()
    for args, code, text in ((["-o", "bogus"], 1, 'Illegal suboption "bogus"'),
                             (["-U", "11211"], 64, "UDP is not supported"),
                             (["-I", "512"], 64, "less than 1024 bytes")):
        rc, err = run_binary(args)
        eq(rc, code, "exit status of %s" % " ".join(args))
        check(text in err, "message of %s: %r" % (" ".join(args), err))
    rc, out = run_binary(["-h"])
    eq(rc, 0, "-h exit status")
    check("--max-item-size" in out, "-h lists the flags")


@test(P + "v_notes_and_vvv_state")
def _():
    mcref_only()
    with Server(["-vvv", "-t", "8", "-f", "1.5", "-X"]) as s:
        with s.conn() as c:
            # A reply over the output bound: -vvv logs the pause and resume.
            c.send(b"set big 0 0 300000\r\n" + b"v" * 300000 + b"\r\n")
            eq(c.readline(), b"STORED", "store a big value")
            c.send(b"get big big\r\n")
            got = 0
            while got < 2 * 300000:
                line = c.readline()
                check(line.startswith(b"VALUE big"), "value header: %r" % line)
                c.read_exact(300000 + 2)
                got += 300000
            eq(c.readline(), b"END", "end of the get")
        wanted = ("one thread serves every connection (-t 8", "slab classes",
                  ": wrote ", "paused", "resumed")
        wait_until(lambda: all(w in s.stderr_text() for w in wanted), 5)
        err = s.stderr_text()
        check("-t: one thread serves every connection" in err, "-v says -t has no effect")
        check("slab classes" in err, "-v notes the ignored -f")
        check(": wrote " in err, "-vvv logs writes")
        check("paused" in err and "resumed" in err, "-vvv logs the output bound")


@test(P + "unix_socket")
def _():
    mcref_only()
    d = tempfile.mkdtemp(prefix="mcref-it-cli-")
    path = os.path.join(d, "mcref.sock")
    s = Server(["-s", path, "-a", "700"], listen=None, check_pid=False)
    s.port = 0
    # Server expects a TCP port; start the process by hand around it.
    argv = [server_bin(), "-s", path, "-a", "700"] + user_args([])
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 8
        while not os.path.exists(path) and time.monotonic() < end:
            time.sleep(0.05)
        check(os.path.exists(path), "socket file created")
        eq(os.stat(path).st_mode & 0o777, 0o700, "socket mode from -a")
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.settimeout(5)
        u.connect(path)
        u.sendall(b"set k 0 0 1\r\nv\r\nget k\r\nstats conns\r\n")
        data = b""
        while not data.endswith(b"END\r\n") or data.count(b"END\r\n") < 2:
            chunk = u.recv(65536)
            check(chunk, "reply over the unix socket")
            data += chunk
        check(data.startswith(b"STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n"), "reply: %r" % data[:60])
        check(("addr unix:" + path).encode() in data, "stats conns names the socket")
        u.close()
    finally:
        p.terminate()
        rc = p.wait(timeout=10)
        s.close()
    eq(rc, 0, "exit status after SIGTERM")
    check(not os.path.exists(path), "socket file removed on exit")


@test(P + "lock_memory_coredumps_bad_pidfile")
def _():
    mcref_only()
    with Server(["-k", "-r", "-P", "/nonexistent-dir/mcref.pid", "-m", "8"]) as s:
        with s.conn() as c:
            eq(c.cmd("version")[:7], "VERSION", "serves with -k -r")
        err = s.stderr_text()
        check("Could not open the pid file" in err, "warns about the pid file: %r" % err)


if __name__ == "__main__":
    main()
