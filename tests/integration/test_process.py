"""Process-level behaviour: -d/-P, -u, root refusal, -c, idle_timeout, -vv,
SIGTERM/SIGINT under load, port reuse after exit."""

import hashlib
import os
import pwd
import random
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Conn, Server, SkipTest, become_subreaper,  # noqa: E402
                       check, eq, is_memcached, kill_pid, pick_port, pid_alive,
                       read_all_until_close, server_bin, test, main, user_args,
                       wait_pid_exit, wait_until, _child_setup)

P = "process/"
TOO_MANY = b"ERROR Too many open connections\r\n"

become_subreaper()


def _tmpdir():
    return tempfile.mkdtemp(prefix="mcref-it-proc-")


def _rm_tree(d):
    for n in os.listdir(d):
        try:
            os.unlink(os.path.join(d, n))
        except OSError:
            pass
    try:
        os.rmdir(d)
    except OSError:
        pass


def _proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


# ---------------------------------------------------------------------------
# daemon mode


class Daemon:
    """A server started with -d -P; its pid comes from the pidfile.  We are
    a child subreaper, so the daemon is re-parented to us and its exit
    status can be reaped."""

    def __init__(self, extra=()):
        self.dir = _tmpdir()
        self.pidfile = os.path.join(self.dir, "mc.pid")
        self.extra = list(extra)
        self.pid = None
        self.port = None
        self.parent_rc = None

    def start(self):
        last = ""
        for _ in range(3):
            self.port = pick_port()
            argv = [server_bin(), "-p", str(self.port), "-l", "127.0.0.1", "-d",
                    "-P", self.pidfile] + user_args(self.extra) + self.extra
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 preexec_fn=_child_setup)
            try:
                _, err = p.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                kill_pid(p.pid)
                p.wait(5)
                raise AssertionError("-d: the launching process did not exit within 5 s")
            self.parent_rc = p.returncode
            self.parent_pid = p.pid
            if not wait_until(lambda: os.path.exists(self.pidfile) and
                              open(self.pidfile).read().strip().isdigit(), 3):
                last = "no pidfile (parent rc=%s, stderr=%r)" % (p.returncode, err[-200:])
                continue
            self.pid = int(open(self.pidfile).read().strip())
            if self._ready():
                return self
            last = "daemon pid %d not answering on port %d" % (self.pid, self.port)
            self.kill()
        raise AssertionError("daemon did not start: " + last)

    def _ready(self):
        end = time.monotonic() + 5
        while time.monotonic() < end:
            if not pid_alive(self.pid):
                return False
            try:
                with Conn(self.port, timeout=2) as c:
                    if c.cmd("version").startswith("VERSION "):
                        return int(c.stats()["pid"]) == self.pid
            except (OSError, EOFError):
                time.sleep(0.05)
        return False

    def kill(self):
        if self.pid and pid_alive(self.pid):
            kill_pid(self.pid, signal.SIGKILL)
            wait_pid_exit(self.pid, 3)

    def cleanup(self):
        self.kill()
        _rm_tree(self.dir)


@test(P + "daemon_pidfile")
def _():
    d = Daemon()
    try:
        d.start()
        eq(d.parent_rc, 0, "exit status of the launching process")
        check(d.pid != d.parent_pid, "pidfile holds the launcher's pid, not the daemon's")
        check(pid_alive(d.pid), "daemon not running")
        exe = os.path.realpath("/proc/%d/exe" % d.pid)
        if os.environ.get("VG_TARGET"):
            # ci/valgrind-integration.sh: the server runs inside memcheck.
            check("valgrind" in exe, "pidfile names a valgrind process: %r" % exe)
        else:
            eq(exe, os.path.realpath(server_bin()),
               "pidfile names a process running the server binary")
        st = _proc_status(d.pid)
        check(int(st["PPid"][0]) != d.parent_pid, "daemon still a child of the launcher")
        # detached from our session, stdin not inherited
        with open("/proc/%d/stat" % d.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        sid = int(fields[3])
        check(sid != os.getsid(0), "daemon is still in the caller's session (no setsid)")
        eq(os.path.realpath("/proc/%d/fd/0" % d.pid), "/dev/null", "daemon stdin")
        with Conn(d.port) as c:
            eq(c.store("set", "dk", "dv"), "STORED", "set on the daemon")
            eq(c.get("dk"), b"dv", "get on the daemon")
        os.kill(d.pid, signal.SIGTERM)
        t0 = time.monotonic()
        rc = wait_pid_exit(d.pid, 5)
        check(rc is not None, "daemon still running 5 s after SIGTERM")
        if rc is not True:
            eq(rc, 0, "daemon exit status after SIGTERM")
        check(wait_until(lambda: not os.path.exists(d.pidfile), 2),
              "pidfile not removed after SIGTERM")
        check(time.monotonic() - t0 < 5, "slow exit")
    finally:
        d.cleanup()


# ---------------------------------------------------------------------------
# users


@test(P + "user_nobody")
def _():
    if os.geteuid() != 0:
        raise SkipTest("needs root")
    nob = pwd.getpwnam("nobody")
    with Server(["-u", "nobody"]) as s:
        st = _proc_status(s.pid)
        eq([int(x) for x in st["Uid"]], [nob.pw_uid] * 4, "Uid (real, effective, saved, fs)")
        eq([int(x) for x in st["Gid"]], [nob.pw_gid] * 4, "Gid (real, effective, saved, fs)")
        with s.conn() as c:
            eq(c.store("set", "u", "nobody"), "STORED", "set as nobody")
            eq(c.get("u"), b"nobody", "get as nobody")


@test(P + "refuses_root_without_u")
def _():
    if os.geteuid() != 0:
        raise SkipTest("needs root")
    port = pick_port()
    p = subprocess.Popen([server_bin(), "-p", str(port), "-l", "127.0.0.1"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=_child_setup)
    try:
        out, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        kill_pid(p.pid)
        p.communicate(timeout=5)
        raise AssertionError("server kept running as root without -u")
    check(p.returncode != 0, "exit status 0 when run as root without -u")
    msg = err.decode("utf-8", "replace")
    check("root" in msg and "-u" in msg,
          "stderr %r does not explain the root/-u refusal" % msg[:200])
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        raise AssertionError("something listens on port %d after the refusal" % port)
    except (ConnectionRefusedError, socket.timeout):
        pass


# ---------------------------------------------------------------------------
# -c connection limit


def _classify(socks, settle=0.4, total=3.0):
    """Wait until the set of sockets with pending data stops growing; those
    are the rejected ones (the server writes an error and closes)."""
    end = time.monotonic() + total
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], 0.05)
        if len(r) != last:
            last, stable_since = len(r), time.monotonic()
        elif time.monotonic() - stable_since >= settle:
            break
    return set(select.select(socks, [], [], 0)[0])


@test(P + "conn_limit")
def _():
    N = 40
    with Server(["-c", str(N)]) as s:
        socks = []
        try:
            # first connection: make sure the server has finished closing the
            # readiness-probe connection, so that exactly one client is open
            first = Conn(s.port)
            socks.append(first.sock)
            check(wait_until(lambda: first.stats()["curr_connections"] == "1", 3),
                  "curr_connections never settled at 1 (%s)" % first.stats()["curr_connections"])
            for _ in range(N + 1):
                socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=5))
            rejected_set = _classify(socks)
            accepted = [x for x in socks if x not in rejected_set]
            rejected = [x for x in socks if x in rejected_set]
            k = len(accepted)
            if not is_memcached():
                # the backlog is FIFO: the first N connects are the ones kept
                check(accepted == socks[:k], "accepted connections are not a prefix "
                      "of the connect order")
            if is_memcached():
                # memcached 1.6.18 (maxconns_fast) rejects by fd number:
                # sfd >= maxconns - 1, and its own internal fds count, so
                # with -c 40 only ~16 clients fit.  Accept any threshold in
                # [1, N] from it.
                check(1 <= k <= N, "memcached accepted %d connections with -c %d" % (k, N))
            else:
                # mcref's rule: exactly -c client connections.
                eq(k, N, "connections accepted with -c %d" % N)
            check(rejected, "no connection rejected past the limit")
            for i, x in enumerate(rejected):
                data, how = read_all_until_close(x, 3)
                eq(data, TOO_MANY, "reply to rejected connection #%d" % (k + i + 1))
                check(how in ("eof", "reset"), "rejected connection not closed (%s)" % how)
            # existing connections keep working
            conns = []
            for i, x in enumerate(accepted):
                if x is first.sock:
                    c = first
                else:
                    c = Conn.__new__(Conn)
                    c.sock, c.buf = x, b""
                x.settimeout(5)
                conns.append(c)
                eq(c.store("set", "c%d" % i, "v%d" % i), "STORED", "set on accepted conn %d" % i)
            for i, c in enumerate(conns):
                eq(c.get("c%d" % i), b"v%d" % i, "get on accepted conn %d" % i)
            st = conns[0].stats()
            eq(int(st["rejected_connections"]), len(rejected), "rejected_connections")
            eq(int(st["max_connections"]), N, "max_connections")
            # a slot freed by a close is usable again
            conns[-1].close()
            got = None
            for _ in range(40):
                y = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                y.sendall(b"version\r\n")
                data, _how = read_all_until_close(y, 0.3)
                if data.startswith(b"VERSION "):
                    got = y
                    break
                y.close()
                time.sleep(0.05)
            check(got is not None, "no new connection accepted after closing one")
            socks.append(got)
            # and the limit still holds
            z = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            socks.append(z)
            data, how = read_all_until_close(z, 3)
            eq(data, TOO_MANY, "connection past the limit after the re-fill")
            eq(conns[0].cmd("version")[:8], "VERSION ", "first connection still works")
        finally:
            for x in socks:
                x.close()


# ---------------------------------------------------------------------------
# idle timeout


@test(P + "idle_timeout")
def _():
    with Server(["-o", "idle_timeout=2"]) as s:
        idle, active = s.conn(), s.conn()
        try:
            eq(idle.cmd("version")[:8], "VERSION ", "idle conn first command")
            eq(active.cmd("version")[:8], "VERSION ", "active conn first command")
            t0 = time.monotonic()
            closed_at = None
            limit = 6.0 if is_memcached() else 4.5
            idle.sock.settimeout(0.25)
            while time.monotonic() - t0 < limit:
                try:
                    d = idle.sock.recv(100)
                    if d:
                        raise AssertionError("idle connection received %r" % d[:60])
                    closed_at = time.monotonic() - t0
                    break
                except socket.timeout:
                    pass
                except ConnectionResetError:
                    closed_at = time.monotonic() - t0
                    break
                eq(active.cmd("version")[:8], "VERSION ", "active connection")
            check(closed_at is not None, "idle connection still open after %.1f s" % limit)
            # memcached 1.6.18 kicks when (now - last_cmd) > idle_timeout on
            # its 1-second clock, from a sweep thread that sleeps in whole
            # seconds: observed 4.3-5.0 s for idle_timeout=2.  mcref is held
            # to the 2-4 s window (plus scheduling slack).
            check(closed_at >= 1.9, "idle connection closed too early (%.2f s)" % closed_at)
            check(closed_at <= limit, "idle connection closed late (%.2f s)" % closed_at)
            eq(active.cmd("version")[:8], "VERSION ", "active connection after the kick")
            st = active.stats()
            eq(int(st["idle_kicks"]), 1, "idle_kicks")
        finally:
            idle.close()
            active.close()


# ---------------------------------------------------------------------------
# -vv


@test(P + "verbose_vv")
def _():
    with Server(["-vv"]) as s:
        with s.conn() as c:
            eq(c.store("set", "foo", "bar"), "STORED", "set")
            eq(c.get("foo"), b"bar", "get")
            eq(c.get("nokey"), None, "get miss")
            eq(c.cmd("delete foo"), "DELETED", "delete")
        text = wait_until(lambda: (lambda t: t if re.search(r"^>\d+ DELETED$", t, re.M)
                                   else None)(s.stderr_text()), 3) or s.stderr_text()
        m = re.search(r"^<(\d+) set foo 0 0 3$", text, re.M)
        check(m, "no '<fd set foo 0 0 3' line in -vv stderr (tail %r)" % text[-300:])
        fd = m.group(1)
        want = ["<%s set foo 0 0 3" % fd, ">%s STORED" % fd, "<%s get foo" % fd,
                ">%s END" % fd, "<%s get nokey" % fd, ">%s END" % fd,
                "<%s delete foo" % fd, ">%s DELETED" % fd]
        lines = [ln for ln in text.splitlines() if ln.startswith(("<" + fd + " ", ">" + fd + " "))]
        pos = 0
        for w in want:
            try:
                pos = lines.index(w, pos) + 1
            except ValueError:
                raise AssertionError("-vv: missing or out-of-order line %r; fd %s lines: %r"
                                     % (w, fd, lines[:20]))
    # -v alone does not log commands
    with Server(["-v"]) as s:
        with s.conn() as c:
            eq(c.store("set", "foo", "bar"), "STORED", "set")
            eq(c.get("foo"), b"bar", "get")
        # A negative check: read stderr only once the server has exited, so
        # a line written late cannot be missed.
        s.expect_exit = True
        check(s.stop() is not None, "the -v server did not stop")
        text = s.stderr_text()
        check(not re.search(r"^<\d+ (set|get) foo", text, re.M),
              "-v (one v) logs commands: %r" % text[-200:])


# ---------------------------------------------------------------------------
# signals under load


def _val(key, ver, size):
    h = hashlib.sha256(b"%s|%d" % (key.encode(), ver)).digest()
    body = (h * (size // len(h) + 1))[:size]
    return body


class Loader(threading.Thread):
    """Hammers the server with pipelined set+get; verifies every complete
    reply byte for byte.  A stream that ends (EOF/RST) mid-reply is fine;
    any reply that is wrong or mis-framed is a violation."""

    def __init__(self, port, idx, bigkeys, stop):
        super().__init__(daemon=True)
        self.port, self.idx, self.bigkeys, self.stop = port, idx, bigkeys, stop
        self.ops = 0
        self.violations = []
        self.ended = None

    def run(self):
        rnd = random.Random(self.idx)
        ver = 0
        while not self.stop.is_set():
            try:
                c = Conn(self.port, timeout=5)
            except OSError as e:
                self.ended = "connect: %s" % e.__class__.__name__
                return
            try:
                while not self.stop.is_set():
                    ver += 1
                    key = "L%d_%d" % (self.idx, rnd.randrange(20))
                    size = rnd.choice((10, 1000, 50000, 200000))
                    v = _val(key, ver, size)
                    big = rnd.choice(list(self.bigkeys))
                    c.send(b"set %s 0 0 %d\r\n%s\r\nget %s %s\r\n"
                           % (key.encode(), len(v), v, key.encode(), big.encode()))
                    line = c.readline()
                    if line != b"STORED":
                        self.violations.append("set reply %r" % line[:60])
                        return
                    got = {}
                    while True:
                        line = c.readline()
                        if line == b"END":
                            break
                        parts = line.split()
                        if len(parts) != 4 or parts[0] != b"VALUE":
                            self.violations.append("bad line in get reply %r" % line[:60])
                            return
                        data = c.read_exact(int(parts[3]) + 2)
                        if data[-2:] != b"\r\n":
                            self.violations.append("value block of %s not CRLF-terminated"
                                                   % parts[1])
                            return
                        got[parts[1].decode()] = data[:-2]
                    if got.get(key) != v:
                        self.violations.append("wrong value for %s" % key)
                        return
                    if got.get(big) != self.bigkeys[big]:
                        self.violations.append("wrong value for %s" % big)
                        return
                    self.ops += 1
            except (EOFError, ConnectionResetError, BrokenPipeError) as e:
                self.ended = type(e).__name__
                return
            except socket.timeout:
                self.violations.append("reply timed out (server hung?)")
                return
            except OSError as e:
                self.ended = "oserror %s" % e
                return
            finally:
                c.close()


def _signal_under_load(sig, daemon):
    d = None
    s = None
    tmp = _tmpdir()
    pidfile = os.path.join(tmp, "mc.pid")
    stop = threading.Event()
    loaders = []
    try:
        if daemon:
            d = Daemon(["-t", "4"])
            d.pidfile = pidfile
            d.start()
            port, pid = d.port, d.pid
        else:
            s = Server(["-t", "4", "-P", pidfile])
            s.start()
            port, pid = s.port, s.pid
            check(wait_until(lambda: os.path.exists(pidfile), 2), "no pidfile written")
            eq(int(open(pidfile).read().strip()), pid, "pidfile content")
        bigkeys = {"big%d" % i: _val("big%d" % i, 0, n)
                   for i, n in enumerate((1024 * 1024 - 4096, 700000, 100))}
        with Conn(port, timeout=10) as c:
            for k, v in bigkeys.items():
                eq(c.store("set", k, v), "STORED", "preload %s" % k)
        loaders = [Loader(port, i, bigkeys, stop) for i in range(6)]
        for t in loaders:
            t.start()
        # Under load: wait (bounded) until the loaders have done some work.
        wait_until(lambda: sum(t.ops for t in loaders) >= 200, 10)
        ops_before = sum(t.ops for t in loaders)
        check(ops_before > 0, "no operation completed under load before the signal")
        os.kill(pid, sig)
        t0 = time.monotonic()
        if daemon:
            rc = wait_pid_exit(pid, 5)
        else:
            rc = s.wait(5)
            s.expect_exit = True
        elapsed = time.monotonic() - t0
        check(rc is not None, "server still running 5 s after %s" % signal.Signals(sig).name)
        if rc is not True:
            eq(rc, 0, "exit status after %s" % signal.Signals(sig).name)
        check(elapsed <= 3.0, "exit took %.2f s" % elapsed)
        stop.set()
        for t in loaders:
            t.join(10)
        check(not any(t.is_alive() for t in loaders), "a client thread hung")
        bad = [v for t in loaders for v in t.violations]
        check(not bad, "clients saw broken replies: %s" % "; ".join(bad[:5]))
        # pidfile: memcached 1.6.18 removes it only when daemonized (-d); a
        # foreground memcached leaves it behind.  mcref removes it always.
        if daemon or not is_memcached():
            check(wait_until(lambda: not os.path.exists(pidfile), 2),
                  "pidfile not removed after exit")
        # the port is free again at once: a new server binds it
        s2 = Server(["-t", "2"], port=port)
        try:
            s2.start()
            with s2.conn() as c:
                eq(c.cmd("version")[:8], "VERSION ", "restarted server on the same port")
        finally:
            s2.__exit__(None, None, None)
        return sum(t.ops for t in loaders)
    finally:
        stop.set()
        for t in loaders:
            t.join(5)
        if d:
            d.cleanup()
        if s:
            s.close()
        _rm_tree(tmp)


@test(P + "sigterm_under_load", timeout=40)
def _():
    _signal_under_load(signal.SIGTERM, daemon=False)


@test(P + "sigint_under_load_daemon", timeout=40)
def _():
    _signal_under_load(signal.SIGINT, daemon=True)


@test(P + "shutdown_with_requests_on_other_conns", timeout=20)
def _():
    """[conn.signal] `shutdown` and requests on other connections reach the
    server in one wakeup (it is stopped while they are sent): the stop must
    not free a connection whose event is still to be handled."""
    with Server(["-A"]) as s:
        a = s.conn()
        others = [s.conn() for _ in range(8)]
        os.kill(s.pid, signal.SIGSTOP)
        try:
            a.send(b"shutdown\r\n")
            for c in others:
                c.send(b"get k\r\n")
        finally:
            os.kill(s.pid, signal.SIGCONT)
        rc = s.wait(5)
        s.expect_exit = True
        check(rc is not None, "server still running 5 s after shutdown")
        eq(rc, 0, "exit status after shutdown")
        for c in [a] + others:
            c.close()


@test(P + "sigint_foreground", timeout=20)
def _():
    with Server() as s:
        with s.conn() as c:
            eq(c.store("set", "a", "b"), "STORED", "set")
        port = s.port
        os.kill(s.pid, signal.SIGINT)
        rc = s.wait(5)
        s.expect_exit = True
        eq(rc, 0, "exit status after SIGINT")
    # rebind immediately
    with Server(port=port) as s2:
        with s2.conn() as c:
            eq(c.get("a"), None, "fresh server is empty")


# ---------------------------------------------------------------------------
# -k: a log under locked memory never reports pages as given back

def _held_after_flush(args):
    """log_bytes_held with 4 MB stored, and the least seen within 4 s
    after flush_all (the log gives memory back within about 1.5 s)."""
    with Server(["-m", "8"] + args) as s:
        with s.conn() as c:
            value = "v" * 1024
            for i in range(4000):
                eq(c.store("set", "k%d" % i, value), "STORED", "set")
            full = int(c.stats()["log_bytes_held"])
            eq(c.cmd("flush_all"), "OK", "flush_all")
            least = full
            t0 = time.monotonic()
            while time.monotonic() - t0 < 4.0:
                c.cmd("version")  # light traffic drives reclamation too
                least = min(least, int(c.stats()["log_bytes_held"]))
                if least <= full // 2:
                    break
                time.sleep(0.1)
            return full, least


@test(P + "lock_memory_keeps_the_log")
def _():
    if is_memcached():
        raise SkipTest("mcref's log_bytes_held ([mem.elastic])")
    # The control: without -k the log gives most of its memory back.
    full, least = _held_after_flush([])
    check(full >= 4000000, "4 MB stored, log_bytes_held %d" % full)
    check(least <= full // 2, "without -k the log shrinks: %d -> %d" % (full, least))
    # [mem.elastic]: with -k the log is fixed and keeps what it touched
    # (mlockall may be refused here; the server warns and goes on).
    full, least = _held_after_flush(["-k"])
    check(full >= 4000000, "-k: 4 MB stored, log_bytes_held %d" % full)
    check(least >= full, "-k: nothing given back: %d -> %d" % (full, least))


if __name__ == "__main__":
    main()
