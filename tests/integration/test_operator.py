"""An operator's command lines, as memcached takes them: -m with suffixes,
-d -u -P (the pid file written as the user, removed at exit), the
MEMCACHED_PORT_FILENAME ports file with -p -1, -R and conn_yields, and -v
saying only what is true.  Those memcached shares run against it too."""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Conn, Server, SkipTest, become_subreaper,  # noqa: E402
                       check, eq, is_memcached, kill_pid, pid_alive,
                       pick_port, server_bin, test, main, user_args,
                       wait_pid_exit, wait_until, _child_setup)

P = "operator/"

become_subreaper()


def mcref_only():
    if is_memcached():
        raise SkipTest("mcref's own rule")


def needs_root():
    if os.geteuid() != 0:
        raise SkipTest("needs root to switch users")


def nobody_dir():
    """A fresh directory the user nobody may write in."""
    d = tempfile.mkdtemp(prefix="mcref-it-op-")
    nob = pwd.getpwnam("nobody")
    os.chown(d, nob.pw_uid, nob.pw_gid)
    os.chmod(d, 0o755)
    return d


@test(P + "memory_limit_64m_is_64_megabytes")
def _():
    with Server(["-m", "64m"]) as s:
        eq(s.stats()["limit_maxbytes"], str(64 << 20), "limit_maxbytes of -m 64m")


@test(P + "memory_limit_suffixes_have_their_meaning")
def _():
    mcref_only()  # memcached reads -m 1g as 1 MB ([cli.memory-size])
    with Server(["-m", "1g"]) as s:
        eq(s.stats()["limit_maxbytes"], str(1 << 30), "limit_maxbytes of -m 1g")
    with Server(["-m", "8192k"]) as s:
        eq(s.stats()["limit_maxbytes"], str(8 << 20), "limit_maxbytes of -m 8192k")
    p = subprocess.run([server_bin(), "-m", "1gb"] + user_args([]),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    eq(p.returncode, 64, "exit status of -m 1gb")
    check(b"k, m or g suffix" in p.stderr, "message: %r" % p.stderr)


@test(P + "daemon_as_user_removes_its_pidfile")
def _():
    needs_root()
    d = nobody_dir()
    pidfile = os.path.join(d, "mc.pid")
    port = pick_port()
    pid = None
    try:
        p = subprocess.run([server_bin(), "-d", "-u", "nobody", "-P", pidfile,
                            "-p", str(port), "-l", "127.0.0.1", "-U", "0"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=10, preexec_fn=_child_setup)
        eq(p.returncode, 0, "launcher exit status (stderr %r)" % p.stderr)
        check(wait_until(lambda: os.path.exists(pidfile) and
                         open(pidfile).read().strip().isdigit(), 5),
              "no pid file")
        pid = int(open(pidfile).read())
        eq(os.stat(pidfile).st_uid, pwd.getpwnam("nobody").pw_uid,
           "owner of the pid file (written after dropping root)")
        with Conn(port) as c:
            check(c.cmd("version").startswith("VERSION"), "daemon answers")
        os.kill(pid, signal.SIGTERM)
        check(wait_pid_exit(pid, 5) is not None, "daemon still running")
        check(wait_until(lambda: not os.path.exists(pidfile), 3),
              "stale pid file left after SIGTERM")
    finally:
        if pid and pid_alive(pid):
            kill_pid(pid)
        shutil.rmtree(d, ignore_errors=True)


@test(P + "pidfile_removal_failure_is_reported_without_v")
def _():
    mcref_only()  # memcached says nothing
    needs_root()
    d = nobody_dir()
    pidfile = os.path.join(d, "mc.pid")
    try:
        with Server(["-u", "nobody", "-P", pidfile]) as s:
            check(wait_until(lambda: os.path.exists(pidfile), 3), "no pid file")
            os.chmod(d, 0o555)  # nobody can no longer unlink in it
            s.expect_exit = True
            s.stop(signal.SIGTERM)
            text = s.stderr_text()
        check("Could not remove the pid file %s" % pidfile in text,
              "stderr without -v: %r" % text)
    finally:
        os.chmod(d, 0o755)
        shutil.rmtree(d, ignore_errors=True)


@test(P + "daemon_reports_pidfile_removal_failure_to_syslog")
def _():
    """Under -d without -v, stderr is /dev/null: the failure goes to syslog.
    A datagram socket stands in for syslogd at /dev/log, only when no
    syslogd owns that path."""
    mcref_only()
    needs_root()
    if os.path.exists("/dev/log"):
        raise SkipTest("/dev/log belongs to this host's syslog")
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    d = nobody_dir()
    pidfile = os.path.join(d, "mc.pid")
    pid = None
    try:
        log.bind("/dev/log")
        os.chmod("/dev/log", 0o666)  # the daemon runs as nobody
        log.settimeout(5)
        port = pick_port()
        p = subprocess.run([server_bin(), "-d", "-u", "nobody", "-P", pidfile,
                            "-p", str(port), "-l", "127.0.0.1", "-U", "0"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=10, preexec_fn=_child_setup)
        eq(p.returncode, 0, "launcher exit status (stderr %r)" % p.stderr)
        check(wait_until(lambda: os.path.exists(pidfile) and
                         open(pidfile).read().strip().isdigit(), 5), "no pid file")
        pid = int(open(pidfile).read())
        os.chmod(d, 0o555)
        os.kill(pid, signal.SIGTERM)
        check(wait_pid_exit(pid, 5) is not None, "daemon still running")
        msg = log.recv(4096).decode("utf-8", "replace")
        check("mcref" in msg and "Could not remove the pid file %s" % pidfile in msg,
              "syslog message: %r" % msg)
    finally:
        log.close()
        try:
            os.unlink("/dev/log")
        except OSError:
            pass
        if pid and pid_alive(pid):
            kill_pid(pid)
        os.chmod(d, 0o755)
        shutil.rmtree(d, ignore_errors=True)


@test(P + "ports_file_with_any_port")
def _():
    d = tempfile.mkdtemp(prefix="mcref-it-op-")
    ports = os.path.join(d, "ports")
    env = dict(os.environ, MEMCACHED_PORT_FILENAME=ports)
    proc = subprocess.Popen([server_bin(), "-p", "-1", "-U", "0", "-l",
                             "127.0.0.1"] + user_args([]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env,
                            preexec_fn=_child_setup)
    try:
        check(wait_until(lambda: os.path.exists(ports), 5),
              "no ports file (stderr so far unknown)")
        check(not os.path.exists(ports + ".lck"), "the .lck file was left")
        lines = open(ports).read().splitlines()
        eq(len(lines), 1, "one line per listener: %r" % lines)
        check(lines[0].startswith("TCP INET: "), "format: %r" % lines)
        port = int(lines[0].split(": ")[1])
        with Conn(port) as c:
            check(c.cmd("version").startswith("VERSION"), "answers on the port")
    finally:
        kill_pid(proc.pid, signal.SIGTERM)
        proc.wait(5)
        shutil.rmtree(d, ignore_errors=True)


def yields(s):
    return int(s.stats()["conn_yields"])


@test(P + "reqs_per_event_yields")
def _():
    with Server(["-R", "2"]) as s:
        with s.conn() as c:
            for n, more in ((2, 0), (3, 1), (10, 4)):
                before = yields(s)
                c.send(b"get nokey\r\n" * n)
                for _ in range(n):
                    eq(c.readline(), b"END", "reply")
                eq(yields(s) - before, more, "conn_yields after %d requests" % n)


@test(P + "reqs_per_event_lets_others_in")
def _():
    """A connection with a long pipeline does not hold the server: another
    client's request is answered while the first is still being served."""
    mcref_only()
    with Server(["-R", "1"]) as s:
        big = socket.create_connection(("127.0.0.1", s.port))
        try:
            n = 20000
            big.sendall(b"set k 0 0 1\r\nx\r\n" + b"get k\r\n" * n)
            with s.conn() as c:
                check(c.cmd("version").startswith("VERSION"), "other client")
            # Every reply of the long pipeline still arrives, in order.
            want = b"STORED\r\n" + b"VALUE k 0 1\r\nx\r\nEND\r\n" * n
            got = b""
            big.settimeout(10)
            while len(got) < len(want):
                chunk = big.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
            check(got == want, "pipeline replies: %d of %d bytes" % (len(got), len(want)))
            check(yields(s) > 0, "yields: %d" % yields(s))
        finally:
            big.close()


@test(P + "v_says_only_what_is_true")
def _():
    mcref_only()
    with Server(["-v"]) as s:
        with s.conn() as c:
            c.cmd("version")
        s.expect_exit = True
        s.stop(signal.SIGTERM)
        text = s.stderr_text()
    check("-t" not in text and "thread" not in text, "-v without -t: %r" % text)
    with Server(["-v", "-t", "4"]) as s:
        s.expect_exit = True
        s.stop(signal.SIGTERM)
        text = s.stderr_text()
    check("-t: one thread serves every connection" in text, "-v -t 4: %r" % text)


if __name__ == "__main__":
    main()
