"""Connection robustness smoke: 1000+ concurrent connections, connect/close
churn with exact connection accounting."""

import os
import selectors
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       raise_nofile, test, main, wait_until)

P = "connections/"


def _fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


@test(P + "concurrent_1050", timeout=60)
def _():
    NCONN = 1050
    lim = raise_nofile(NCONN + 200)
    check(lim >= NCONN + 100, "RLIMIT_NOFILE only %d" % lim)
    with Server(["-c", "1200"]) as s:
        with s.conn() as ctl:
            base = int(ctl.stats()["curr_connections"])
            socks = []
            try:
                for i in range(NCONN):
                    x = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                    x.setblocking(False)
                    socks.append(x)
                # every connection: one pipelined set + get round trip
                sel = selectors.DefaultSelector()
                want, got = {}, {}
                for i, x in enumerate(socks):
                    v = b"value-%d-" % i + b"x" * (i % 200)
                    req = b"set ck%d 0 0 %d\r\n%s\r\nget ck%d\r\n" % (i, len(v), v, i)
                    want[i] = b"STORED\r\nVALUE ck%d 0 %d\r\n%s\r\nEND\r\n" % (i, len(v), v)
                    got[i] = b""
                    x.send(req)  # small: fits the socket buffer
                    sel.register(x, selectors.EVENT_READ, i)
                done = 0
                end = time.monotonic() + 30
                while done < NCONN and time.monotonic() < end:
                    for key, _ in sel.select(timeout=1):
                        i = key.data
                        try:
                            d = key.fileobj.recv(65536)
                        except BlockingIOError:
                            continue
                        if not d:
                            raise AssertionError("connection %d closed by the server (got %r)"
                                                 % (i, got[i][:60]))
                        got[i] += d
                        if len(got[i]) >= len(want[i]):
                            eq(got[i], want[i], "round trip on connection %d" % i)
                            sel.unregister(key.fileobj)
                            done += 1
                eq(done, NCONN, "connections that completed their round trip")
                sel.close()
                st = ctl.stats()
                eq(int(st["curr_connections"]), base + NCONN, "curr_connections with all open")
                eq(int(st.get("rejected_connections", 0)), 0, "rejected_connections")
            finally:
                for x in socks:
                    x.close()
            ok = wait_until(lambda: int(ctl.stats()["curr_connections"]) == base, 5)
            check(ok, "curr_connections %s, baseline %d, after closing all"
                  % (ctl.stats()["curr_connections"], base))
            # the server is still healthy
            eq(ctl.store("set", "after", "1"), "STORED", "set after the storm")
            eq(ctl.get("after"), b"1", "get after the storm")


@test(P + "churn_5000", timeout=60)
def _():
    with Server() as s:
        with s.conn() as ctl:
            st0 = ctl.stats()
            curr0, total0 = int(st0["curr_connections"]), int(st0["total_connections"])
            fds0 = _fd_count(s.pid)
            n_version, n_bare, n_rst = 3000, 1000, 1000
            linger0 = struct.pack("ii", 1, 0)
            for i in range(n_version + n_bare + n_rst):
                x = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                try:
                    if i < n_version or i >= n_version + n_bare:
                        x.sendall(b"version\r\n")
                        r = b""
                        while not r.endswith(b"\r\n"):
                            d = x.recv(100)
                            if not d:
                                raise AssertionError("cycle %d: closed before reply" % i)
                            r += d
                        check(r.startswith(b"VERSION "), "cycle %d: reply %r" % (i, r))
                    if i >= n_version + n_bare:
                        # abortive close: RST instead of FIN
                        x.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger0)
                finally:
                    x.close()
            cycles = n_version + n_bare + n_rst

            def settled():
                st = ctl.stats()
                return (int(st["curr_connections"]) == curr0 and
                        int(st["total_connections"]) - total0 >= cycles)
            wait_until(settled, 5)
            st = ctl.stats()
            eq(int(st["curr_connections"]), curr0, "curr_connections back to baseline")
            eq(int(st["total_connections"]) - total0, cycles, "total_connections growth")
            eq(int(st.get("rejected_connections", 0)), 0, "rejected_connections")
            ok = wait_until(lambda: _fd_count(s.pid) == fds0, 3)
            check(ok, "server fd count %d, baseline %d (fd leak?)" % (_fd_count(s.pid), fds0))
            eq(ctl.cmd("version")[:8], "VERSION ", "control connection survives the churn")


@test(P + "slow_reader_keeps_values_overwritten_meanwhile", timeout=60)
def _():
    # Large values are sent from the item's memory. A reader that stops
    # reading leaves such a reply pending while other connections replace the
    # item and reuse its memory: the reply must still carry the old bytes.
    size = 1000 * 1000
    old = b"".join(b"old-%06d|" % i for i in range(size // 11)).ljust(size, b"o")
    new = b"".join(b"NEW-%06d|" % i for i in range(size // 11)).ljust(size, b"N")
    with Server(["-m", "8"]) as s:
        with s.conn(timeout=20) as w:
            eq(w.store("set", "k0", old), "STORED", "set k0")
            slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            slow.settimeout(20)
            slow.connect(("127.0.0.1", s.port))
            try:
                # 8 MB of replies: more than the kernel buffers, so mcref
                # holds part of one while it waits for the reader.
                slow.sendall(b"get" + b" k0" * 8 + b"\r\n")
                # The overwrite must come after the server began the reply:
                # wait (bounded) until it has served a key of that get.
                check(wait_until(lambda: int(w.stats()["get_hits"]) >= 1, 10),
                      "the slow reader's get was not served within 10 s")
                eq(w.store("set", "k0", new), "STORED", "replace k0")
                for i in range(20):
                    eq(w.store("set", "fill%d" % i, new), "STORED", "set fill%d" % i)
                st = w.stats()
                check(int(st["evictions"]) > 0, "the log was reused (evictions %s)"
                      % st["evictions"])
                got = b""
                while not got.endswith(b"END\r\n"):
                    d = slow.recv(1 << 20)
                    if not d:
                        raise AssertionError("closed after %d bytes" % len(got))
                    got += d
            finally:
                slow.close()
        head = b"VALUE k0 0 %d\r\n" % size
        blocks = got[:-len(b"END\r\n")].split(head)
        eq(blocks[0], b"", "reply starts with a VALUE line")
        check(2 <= len(blocks) <= 9, "%d values for 8 keys" % (len(blocks) - 1))
        eq(blocks[1], old + b"\r\n", "the first value is the one stored before")
        for i, b in enumerate(blocks[1:]):
            check(b in (old + b"\r\n", new + b"\r\n"),
                  "value %d is the old or the new one, whole" % i)


def _round_trips(port, nconn, req, want):
    """Opens nconn connections at once, sends req on each, and returns the
    seconds until every one has its whole reply."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5)
             for _ in range(nconn)]
    try:
        start = time.monotonic()
        for x in socks:
            x.sendall(req)
        for i, x in enumerate(socks):
            got = b""
            while not got.endswith(b"\r\n"):
                d = x.recv(4096)
                check(d, "connection %d closed early (got %r)" % (i, got))
                got += d
            check(got.startswith(want), "reply on connection %d: %r" % (i, got))
        return time.monotonic() - start
    finally:
        for x in socks:
            x.close()


# [faults.delay], [faults.connect]: an injected delay holds one connection,
# never the loop. 40 connections each delayed 1-100 ms (300 ms for accepts)
# take at most about the longest delay when served meanwhile, and the sum of
# the delays (about 2 s, 6 s) when the loop sleeps.
@test(P + "fault_delay_holds_only_its_connection", timeout=60)
def _():
    if is_memcached():
        raise SkipTest("faults are mcref's")
    with Server(["-o", "faults=delay:100,fault_seed=7"]) as s:
        took = _round_trips(s.port, 40, b"version\r\n", b"VERSION ")
        check(took < 0.6, "40 delayed replies took %.2f s" % took)
    with Server(["-o", "faults=slow_accept:100,fault_seed=7"]) as s:
        took = _round_trips(s.port, 40, b"version\r\n", b"VERSION ")
        check(took < 1.5, "40 slow accepts took %.2f s" % took)


if __name__ == "__main__":
    main()
