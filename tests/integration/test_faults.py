"""Reliability under faults: memory bounded across connections
([conn.input-budget]); the server keeps serving the others."""

import hashlib
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       server_bin, test, main)

# clauses: conn.input-budget conn.output-budget restart.unclean restart.restore

P = "faults/"


def _instrumented():
    """ASan or valgrind: their own memory makes RSS figures meaningless."""
    return bool(os.environ.get("VG_TARGET") or os.environ.get("ASAN_OPTIONS")
                or "asan" in server_bin())


def _peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


@test(P + "input_budget_refuses_the_largest_and_serves_the_rest", timeout=60)
def _():
    if is_memcached():
        raise SkipTest("memcached 1.6.18 has no bound on input over connections")
    with Server(["-o", "read_buf_mem_limit=8", "-c", "100"]) as s:
        base_kb = _peak_rss_kb(s.pid)
        line = b"get " + b" ".join([b"k" * 200] * (2 * 1024 * 1024 // 201))
        with s.conn() as probe:
            eq(probe.store("set", "p", "before"), "STORED", "probe set")
            hogs = []
            for _ in range(20):
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                try:
                    c.sendall(line)
                except OSError:
                    pass  # already refused and reset
                hogs.append(c)
            time.sleep(0.5)
            # The others are served meanwhile.
            eq(probe.get("p"), b"before", "probe served while the budget is spent")
            refused = 0
            pending = list(hogs)
            for c in pending:
                c.setblocking(False)
            end = time.monotonic() + 10
            while refused < 14 and time.monotonic() < end:
                for c in list(pending):
                    # The refusal, then the close; a client that still had
                    # unread bytes in flight may see only the reset.
                    try:
                        d = c.recv(100)
                        check(d in (b"SERVER_ERROR out of memory\r\n", b""),
                              "refusal text: %r" % d)
                        refused += 1
                        pending.remove(c)
                    except BlockingIOError:
                        pass
                    except ConnectionResetError:
                        refused += 1
                        pending.remove(c)
                time.sleep(0.05)
            held = len(pending)
            check(refused >= 14, "most of 20 x 2 MiB refused under 8 MiB: %d" % refused)
            check(held >= 2, "the ones that fit keep their buffers: %d" % held)
            grown = _peak_rss_kb(s.pid) - base_kb
            check(_instrumented() or grown < 24 * 1024,
                  "peak RSS grew %d KiB (budget 8 MiB)" % grown)
            # The budget comes back: finish the held lines; new clients fit.
            for c in hogs:
                c.close()
            time.sleep(0.3)
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(line + b" p\r\n")
            c.settimeout(5)
            got = b""
            while not got.endswith(b"END\r\n"):
                d = c.recv(65536)
                check(d != b"", "a new client's long get after the hogs left")
                got += d
            check(got.startswith(b"VALUE p 0 6"), "long get answered: %r" % got[:40])
            c.close()
            eq(probe.get("p"), b"before", "probe still served")


def _value(key, n):
    """A value that proves itself: its key, a counter and their digest."""
    body = b"%s:%d:" % (key.encode(), n) + b"x" * (n % 500)
    return body + hashlib.sha1(body).hexdigest().encode()


def _value_ok(key, v):
    body, digest = v[:-40], v[-40:]
    return (hashlib.sha1(body).hexdigest().encode() == digest and
            body.startswith(key.encode() + b":"))


def _writer(port, stop, counts):
    """Pipelined sets of self-checking values until stop is set."""
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        n = 0
        while not stop.is_set():
            batch = []
            for _ in range(50):
                key = "w%d" % (n % 2000)
                v = _value(key, n)
                batch.append(b"set %s 0 0 %d\r\n%s\r\n" % (key.encode(), len(v), v))
                n += 1
            c.sendall(b"".join(batch))
            got = b""
            while got.count(b"\r\n") < 50:
                d = c.recv(65536)
                if not d:
                    return
                got += d
            counts[0] = n
    except OSError:
        pass  # the server went away under us: that is the test


def _load_then(sig, path):
    """A server with -e under write load from 4 clients, stopped by sig."""
    s = Server(["-e", path, "-m", "32", "-v"]).start()
    stop = threading.Event()
    counts = [0]
    ts = [threading.Thread(target=_writer, args=(s.port, stop, counts))
          for _ in range(4)]
    for t in ts:
        t.start()
    time.sleep(1.5)
    s.expect_exit = True
    s.stop(sig)
    stop.set()
    for t in ts:
        t.join(10)
    check(counts[0] > 0, "the writers wrote")
    return s


@test(P + "output_budget_closes_clients_that_do_not_read", timeout=60)
def _():
    if is_memcached():
        raise SkipTest("memcached 1.6.18 has no bound on replies over connections")
    with Server(["-o", "read_buf_mem_limit=4", "-c", "100"]) as s:
        with s.conn() as probe:
            eq(probe.store("set", "big", "v" * (200 * 1024)), "STORED", "set big")
            before = int(probe.stats()["curr_connections"])
            hogs = []
            for _ in range(30):
                c = socket.socket()
                c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                c.connect(("127.0.0.1", s.port))
                c.settimeout(2)
                try:
                    c.sendall(b"get big\r\n" * 60)  # 12 MB of replies
                except OSError:
                    pass  # already closed
                hogs.append(c)
            time.sleep(1.0)
            # The reading client is served all along.
            eq(probe.get("big"), b"v" * (200 * 1024), "probe served")
            now = int(probe.stats()["curr_connections"])
            closed = before + 30 - now
            # 30 x (256 KiB + a 200 KiB reply) is past 4 MiB: some go.
            check(closed >= 10, "clients that do not read closed: %d" % closed)
            check(closed < 30, "those within the budget stay: %d" % closed)
            for c in hogs:
                c.close()


@test(P + "kill9_and_sigusr1_under_load_then_restart", timeout=90)
def _():
    if is_memcached():
        raise SkipTest("mcref's restart rules")
    d = tempfile.mkdtemp(prefix="mcref-it-faults-",
                         dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        path = os.path.join(d, "cache")
        _load_then(signal.SIGKILL, path)
        with Server(["-e", path, "-m", "32", "-v"]) as s:
            check("not graceful" in s.stderr_text(), "kill -9: refused")
            with s.conn() as c:
                eq(c.get_multi(*["w%d" % i for i in range(0, 2000, 7)]), {},
                   "kill -9 under load: nothing served")
        _load_then(signal.SIGUSR1, path)
        with Server(["-e", path, "-m", "32", "-v"]) as s:
            check("restored" in s.stderr_text(), "SIGUSR1 under load: restored")
            with s.conn() as c:
                got = c.get_multi(*["w%d" % i for i in range(2000)])
                check(len(got) > 0, "items restored")
                for k, v in got.items():
                    check(_value_ok(k, v), "restored value of %s intact" % k)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test(P + "clients_vanishing_mid_request_and_mid_reply", timeout=60)
def _():
    with Server(["-m", "64"]) as s:
        with s.conn() as c:
            big = b"v" * 500000
            eq(c.store("set", "big", big), "STORED", "set big")
            base = int(c.stats()["curr_connections"])
        partials = [b"set k 0 0 100\r\nabc", b"get " + b"k" * 100, b"gets big",
                    b"get big big big big\r\n", b"incr", b"set k 0 0 5\r\n"]
        for i in range(300):
            v = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            v.sendall(partials[i % len(partials)])
            if i % 3 == 0:
                # An abortive close (RST) instead of a FIN.
                v.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\x01\x00\x00\x00\x00\x00\x00\x00")
            v.close()
        with s.conn() as c:
            eq(c.get("big"), big, "served after 300 vanished clients")
            end = time.monotonic() + 5
            while int(c.stats()["curr_connections"]) > base and time.monotonic() < end:
                time.sleep(0.05)
            eq(int(c.stats()["curr_connections"]), base, "every vanished client closed")


if __name__ == "__main__":
    main()
