#!/usr/bin/env python3
"""tests/soak/faults.py - the server under faults (issue 16).

  MCREF_BIN=build/release/mcref tests/soak/faults.py [-k NAME]

Each test starts its own server on a port from FAULTS_PORT_BASE (default
CONFORM_PORT_BASE+100, else 26500) and checks that the server survives, keeps
serving the clients it has, and recovers:
  fd_exhaustion   descriptors run out (prlimit on the running server): accept
                  errors handled, established clients served, pending ones
                  served once descriptors free up
  tiny_m          -m 2 with values near and over -I, and -M full: the
                  protocol's SERVER_ERRORs, the connection stays in sync
  storm           an established client's p99 latency during a connect storm
  vanish          clients that reset (SO_LINGER 0) mid-request and mid-reply
  idle_timeout    silent clients (a half-open peer looks the same) stuck
                  mid-request or mid-reply are closed by -o idle_timeout
"""
import os
import resource
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import mcharness as h  # noqa: E402

BASE = int(os.environ.get("FAULTS_PORT_BASE",
                          int(os.environ.get("CONFORM_PORT_BASE", 26400)) + 100))
_next = [BASE]


def server(args):
    _next[0] += 1
    return h.Server(args, port=_next[0])


def connect(port, timeout=5.0):
    s = socket.create_connection((h.HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def roundtrip(s, req, want, timeout=5.0):
    s.settimeout(timeout)
    s.sendall(req)
    got = b""
    while len(got) < len(want):
        d = s.recv(65536)
        if not d:
            break
        got += d
    h.eq(got, want, "reply to %r" % req[:40])


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


@h.test("faults/fd_exhaustion", timeout=60)
def fd_exhaustion():
    with server(["-c", "1024"]) as srv:
        held = [connect(srv.port) for _ in range(5)]
        for i, s in enumerate(held):
            roundtrip(s, b"set k%d 0 0 1\r\n%d\r\n" % (i, i), b"STORED\r\n")
        limit = open_fds(srv.pid) + 5
        soft, hard = resource.prlimit(srv.pid, resource.RLIMIT_NOFILE)
        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (limit, hard))
        # 25 more: about 5 are accepted, the rest wait in the backlog.
        extra = []
        for _ in range(25):
            # Non-blocking: memcached shrinks its backlog to 0 while out of
            # descriptors, so its new clients wait in SYN retries.
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((h.HOST, srv.port))
            extra.append(s)
        time.sleep(0.5)
        for s in extra:
            _has_reply(s)
        time.sleep(0.5)
        h.check(srv.alive(), "server died out of descriptors")
        # Established clients keep being served while accept fails.
        for i, s in enumerate(held):
            roundtrip(s, b"get k%d\r\n" % i,
                      b"VALUE k%d 0 1\r\n%d\r\nEND\r\n" % (i, i))
        served = sum(1 for s in extra if _has_reply(s))
        h.check(served < len(extra),
                "all %d extra clients served at a limit of %d fds" %
                (len(extra), limit))
        st = dict(_stats(held[0]))
        h.check(int(st.get("listen_disabled_num", 0)) >= 1,
                "listen_disabled_num %r after EMFILE" % st.get("listen_disabled_num"))
        # Free descriptors: every waiting client is served.
        resource.prlimit(srv.pid, resource.RLIMIT_NOFILE, (soft, hard))
        for s in held[1:]:
            s.close()
        deadline = time.monotonic() + 10
        pending = list(extra)
        while pending and time.monotonic() < deadline:
            pending = [s for s in pending if not _has_reply(s)]
            time.sleep(0.1)
        h.check(not pending, "%d clients never served after recovery" % len(pending))
        _record("fd_exhaustion", "soft limit %d: %d of %d new clients served, "
                "listen_disabled_num %s, established clients served; all "
                "served %.1f s after descriptors freed" %
                (limit, served, len(extra), st.get("listen_disabled_num"),
                 10 - (deadline - time.monotonic())))
        roundtrip(held[0], b"get k0\r\n", b"VALUE k0 0 1\r\n0\r\nEND\r\n")
        for s in extra:
            s.close()
        held[0].close()


_answered = set()


_asked = set()


def _has_reply(s):
    if s.fileno() in _answered:
        return True
    if s.fileno() not in _asked:
        try:
            s.send(b"version\r\n")
        except OSError:
            return False  # not connected yet
        _asked.add(s.fileno())
        return False
    try:
        d = s.recv(100)
    except BlockingIOError:
        return False
    h.check(d.startswith(b"VERSION "), "reply %r to version" % d)
    _answered.add(s.fileno())
    return True


def _stats(s):
    s.settimeout(5)
    s.sendall(b"stats\r\n")
    buf = b""
    while not buf.endswith(b"END\r\n"):
        d = s.recv(65536)
        if not d:
            raise AssertionError("connection closed during stats")
        buf += d
    for line in buf.decode().split("\r\n"):
        p = line.split(" ")
        if len(p) == 3 and p[0] == "STAT":
            yield p[1], p[2]


@h.test("faults/tiny_m", timeout=60)
def tiny_m():
    with server(["-m", "2"]) as srv:
        s = connect(srv.port)
        for n in (900 * 1024, 1000 * 1024, 600 * 1024):
            roundtrip(s, b"set big 0 0 %d\r\n" % n + b"x" * n + b"\r\n",
                      b"STORED\r\n")
        n = 2 * 1024 * 1024
        roundtrip(s, b"set huge 0 0 %d\r\n" % n + b"y" * n + b"\r\n",
                  b"SERVER_ERROR object too large for cache\r\n")
        roundtrip(s, b"set a 0 0 1\r\nz\r\nget a\r\n",
                  b"STORED\r\nVALUE a 0 1\r\nz\r\nEND\r\n")
        s.close()
    with server(["-m", "2", "-M"]) as srv:
        s = connect(srv.port)
        n = 700 * 1024
        got_oom = False
        for i in range(6):
            s.sendall(b"set v%d 0 0 %d\r\n" % (i, n) + b"x" * n + b"\r\n")
            line = _line(s)
            # memcached 1.6.18 says "Out of memory during read" here (its
            # chunked items); the documented text is mcref's.
            if line == b"SERVER_ERROR out of memory storing object\r\n" or (
                    h.is_memcached() and
                    line == b"SERVER_ERROR Out of memory during read\r\n"):
                got_oom = True
            else:
                h.eq(line, b"STORED\r\n", "set %d under -M" % i)
        h.check(got_oom, "-M -m 2 stored 6 values of 700 KiB")
        roundtrip(s, b"get nothing\r\n", b"END\r\n")
        s.close()
        h.check(srv.alive(), "server died")


def _line(s):
    s.settimeout(5)
    buf = b""
    while not buf.endswith(b"\r\n"):
        d = s.recv(1)
        if not d:
            break
        buf += d
    return buf


STORM = r"""
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + secs
n = 0
while time.monotonic() < end:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if n % 2:
            s.sendall(b"get x\r\n")
        s.close()
        n += 1
    except OSError:
        pass
print(n)
"""


def _p99(port, secs):
    s = connect(port)
    roundtrip(s, b"set lat 0 0 3\r\nabc\r\n", b"STORED\r\n")
    lat = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        t = time.perf_counter()
        roundtrip(s, b"get lat\r\n", b"VALUE lat 0 3\r\nabc\r\nEND\r\n")
        lat.append(time.perf_counter() - t)
        time.sleep(0.002)
    s.close()
    lat.sort()
    return lat[int(len(lat) * 0.99)] * 1000, len(lat)


@h.test("faults/storm", timeout=60)
def storm():
    with server(["-c", "4096"]) as srv:
        base, nb = _p99(srv.port, 2)
        procs = [subprocess.Popen([sys.executable, "-c", STORM, str(srv.port), "4"],
                                  stdout=subprocess.PIPE) for _ in range(3)]
        time.sleep(0.3)
        during, nd = _p99(srv.port, 3)
        conns = sum(int(p.communicate(timeout=30)[0] or 0) for p in procs)
        rate = conns / 4.0
        print("storm: %d connects (%.0f/s); established client p99 %.2f ms "
              "quiet (%d gets), %.2f ms in the storm (%d gets)" %
              (conns, rate, base, nb, during, nd), file=sys.stderr)
        _record("storm", "%d connects in 4 s (%.0f/s); established client get "
                "p99 %.2f ms quiet, %.2f ms during the storm" %
                (conns, rate, base, during))
        h.check(conns > 1000, "storm too weak: %d connects" % conns)
        # Not starved: the machine is shared (2 cores, other jobs), so the
        # bound is loose; the figure is what the README quotes.
        h.check(during < max(400.0, 20 * base),
                "established p99 %.2f ms during the storm (quiet %.2f ms)" %
                (during, base))


@h.test("faults/vanish", timeout=60)
def vanish():
    with server(["-c", "4096"]) as srv:
        s = connect(srv.port)
        big = 512 * 1024
        roundtrip(s, b"set big 0 0 %d\r\n" % big + b"b" * big + b"\r\n",
                  b"STORED\r\n")
        before = int(dict(_stats(s))["curr_connections"])
        partial = [b"get big", b"set k 0 0 10\r\nabc", b"mg big v",
                   b"set k 0 0 5\r\nabcdefghij", b"\x80\x00"]
        for i in range(300):
            c = connect(srv.port)
            kind = i % 3
            if kind == 0:  # mid-request
                c.sendall(partial[i % len(partial)])
            elif kind == 1:  # mid-reply: ask for 8 MiB, read a little
                c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
                c.sendall(b"get big\r\n" * 16)
                c.recv(1000)
            else:  # a pipelined burst, nothing read
                c.sendall(b"get big\r\nset z 0 0 1\r\nz\r\n" * 4)
            rst_close(c)
        ok = h.wait_until(lambda: int(dict(_stats(s))["curr_connections"]) == before, 10)
        h.check(ok, "connections not released: %s" %
                dict(_stats(s))["curr_connections"])
        roundtrip(s, b"set y 0 0 1\r\ny\r\nget y\r\n",
                  b"STORED\r\nVALUE y 0 1\r\ny\r\nEND\r\n")
        h.check(srv.alive(), "server died")
        s.close()


@h.test("faults/idle_timeout", timeout=60)
def idle_timeout():
    with server(["-o", "idle_timeout=2", "-c", "1024"]) as srv:
        s = connect(srv.port)
        big = 1000 * 1024
        roundtrip(s, b"set big 0 0 %d\r\n" % big + b"b" * big + b"\r\n",
                  b"STORED\r\n")
        s.close()
        mid_req = connect(srv.port)
        mid_req.sendall(b"set k 0 0 100\r\nonly part")
        mid_reply = connect(srv.port)
        mid_reply.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        mid_reply.sendall(b"get big\r\n" * 8)
        mid_reply.recv(100)
        t0 = time.monotonic()
        _, how = h.read_all_until_close(mid_req, 6)
        # memcached 1.6.18 never closes a client idle in the middle of a
        # request (only between requests); mcref does.
        h.check(how in ("eof", "reset") or h.is_memcached(),
                "mid-request client not closed: %s" % how)
        t_req = time.monotonic() - t0
        # The mid-reply client drains what is left and then sees the close.
        n = 100
        mid_reply.settimeout(10)
        while True:
            d = mid_reply.recv(1 << 16)
            if not d:
                break
            n += len(d)
        t_reply = time.monotonic() - t0
        print("idle_timeout=2: mid-request client: " + how + " after %.1f s, "
              "mid-reply client after %.1f s (%d of %d bytes sent)" %
              (t_req, t_reply, n, 8 * (big + 28)), file=sys.stderr)
        h.check(t_req < 6 or h.is_memcached(),
                "mid-request client kept %.1f s" % t_req)
        h.check(t_reply < 12, "mid-reply client kept %.1f s" % t_reply)
        # A client that asks for 8 MB and never reads: [conn.idle-timeout]
        # spares a connection with replies waiting (memcached too), so it
        # stays, its backlog bounded by [conn.output-bound]; others are
        # served meanwhile. (A half-open peer with replies pending is thus
        # left to TCP's own timeouts: see the README's reliability notes.)
        if h.is_memcached():
            # Its mid-request clients above are still open, closing at
            # its own pace: the count below would not be exact.
            return
        c = connect(srv.port)
        base = int(dict(_stats(c))["curr_connections"])
        stuck = connect(srv.port)
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        stuck.sendall(b"get big\r\n" * 8)
        h.check(h.wait_until(lambda: int(dict(_stats(c))["curr_connections"]) == base + 1, 2),
                "the stuck client was not counted")
        c.close()
        time.sleep(5)
        c = connect(srv.port)
        kept = int(dict(_stats(c))["curr_connections"]) == base + 1
        h.check(kept or h.is_memcached(),
                "a client with replies pending was closed by idle_timeout")
        _record("idle_timeout", "idle_timeout=2: a client silent mid-request: "
                "%s after %.1f s; one that never reads its 8 MB reply kept "
                "(replies pending spare it)" %
                ("closed" if how in ("eof", "reset") else "not closed", t_req))
        roundtrip(c, b"get nothing\r\n", b"END\r\n")
        c.close()
        stuck.close()


def _record(name, text):
    path = os.environ.get("FAULTS_FIGURES")
    if path:
        with open(path, "a") as f:
            f.write("%s: %s\n" % (name, text))


if __name__ == "__main__":
    h.main()
