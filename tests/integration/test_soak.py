"""Soak, short form: many connections, pipelined text and meta traffic,
slow readers and churn for MCREF_SOAK_S seconds (default 60); every reply
is checked against a model, RSS is sampled and must stay flat."""

import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, check, eq, test, main  # noqa: E402

P = "soak/"
SLOW = os.environ.get("MCREF_IT_SLOW") == "1"  # under valgrind
CONNS = int(os.environ.get("MCREF_SOAK_CONNS", "50" if SLOW else "200"))
SECONDS = float(os.environ.get("MCREF_SOAK_S", "10" if SLOW else "60"))
# ASan's quarantine and valgrind's own memory make RSS meaningless.
RSS_CHECKED = not (SLOW or os.environ.get("VG_TARGET") or
                   os.environ.get("ASAN_OPTIONS"))


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    """One connection and the model of its own keys."""

    def __init__(self, port, ident, rng):
        self.port, self.ident, self.rng = port, ident, rng
        self.model = {}
        self.sock = None
        self.buf = b""
        self.connect()

    def connect(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                raise AssertionError("connection %d closed" % self.ident)
            self.buf += d
        i = self.buf.index(b"\r\n")
        out, self.buf = self.buf[:i], self.buf[i + 2:]
        return out

    def exact(self, n):
        while len(self.buf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise AssertionError("connection %d closed" % self.ident)
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def batch(self):
        """A pipelined batch of 1-20 requests; every reply checked."""
        reqs, expect = [], []
        for _ in range(self.rng.randint(1, 20)):
            key = "c%d_%d" % (self.ident, self.rng.randrange(40))
            op = self.rng.random()
            if op < 0.35:
                v = bytes([97 + self.rng.randrange(26)]) * self.rng.randint(0, 4000)
                reqs.append(b"set %s 5 0 %d\r\n%s\r\n" % (key.encode(), len(v), v))
                expect.append(("line", b"STORED"))
                self.model[key] = v
            elif op < 0.45:
                v = b"m" * self.rng.randint(0, 2000)
                reqs.append(b"ms %s %d T0 F5\r\n%s\r\n" % (key.encode(), len(v), v))
                expect.append(("line", b"HD"))
                self.model[key] = v
            elif op < 0.75:
                reqs.append(b"get %s\r\n" % key.encode())
                expect.append(("get", key, self.model.get(key)))
            elif op < 0.85:
                reqs.append(b"mg %s v f\r\n" % key.encode())
                expect.append(("mg", key, self.model.get(key)))
            elif op < 0.95:
                reqs.append(b"delete %s\r\n" % key.encode())
                expect.append(("line", b"DELETED" if key in self.model else b"NOT_FOUND"))
                self.model.pop(key, None)
            else:
                reqs.append(b"version\r\n")
                expect.append(("prefix", b"VERSION "))
        self.sock.sendall(b"".join(reqs))
        for e in expect:
            if e[0] == "line":
                eq(self.line(), e[1], "reply on connection %d" % self.ident)
            elif e[0] == "prefix":
                check(self.line().startswith(e[1]), "version reply")
            elif e[0] == "get":
                head = self.line()
                if e[2] is None:
                    eq(head, b"END", "miss of %s" % e[1])
                    continue
                eq(head, b"VALUE %s 5 %d" % (e[1].encode(), len(e[2])), "get header")
                eq(self.exact(len(e[2]) + 2), e[2] + b"\r\n", "value of %s" % e[1])
                eq(self.line(), b"END", "get end")
            else:
                head = self.line()
                if e[2] is None:
                    eq(head, b"EN", "mg miss of %s" % e[1])
                    continue
                eq(head, b"VA %d f5" % len(e[2]), "mg header")
                eq(self.exact(len(e[2]) + 2), e[2] + b"\r\n", "mg value of %s" % e[1])


def _slow_reader(port, stop, errors):
    """Asks for 2 MB at a time and reads it 4 KiB per 20 ms."""
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        want = b"".join(b"VALUE slowbig 0 200000\r\n" + b"s" * 200000 + b"\r\n"
                        for _ in range(10)) + b"END\r\n"
        while not stop.is_set():
            c.sendall(b"get" + b" slowbig" * 10 + b"\r\n")
            got = b""
            while len(got) < len(want):
                time.sleep(0.02)
                d = c.recv(4096)
                if not d:
                    raise AssertionError("slow reader closed")
                got += d
            if got != want:
                raise AssertionError("slow reader: reply differs")
    except Exception as e:  # reported by the test
        errors.append("slow reader: %s" % e)


@test(P + "mixed_pipelined_churn_slow_readers_rss_flat", timeout=int(SECONDS) + 90)
def _():
    with Server(["-m", "256", "-c", str(CONNS + 64)]) as s:
        rng = random.Random(int(os.environ.get("MCREF_SOAK_SEED", "1")))
        print("soak: seed %s, %d connections, %.0f s" % (
            os.environ.get("MCREF_SOAK_SEED", "1"), CONNS, SECONDS), file=sys.stderr)
        with s.conn() as c:
            eq(c.store("set", "slowbig", b"s" * 200000), "STORED", "big value")
        stop = threading.Event()
        errors = []
        slow = [threading.Thread(target=_slow_reader, args=(s.port, stop, errors))
                for _ in range(4)]
        for t in slow:
            t.start()
        clients = [Client(s.port, i, rng) for i in range(CONNS)]
        start = time.monotonic()
        samples = []
        next_sample = start
        batches = churned = 0
        try:
            while time.monotonic() - start < SECONDS and not errors:
                cl = clients[rng.randrange(CONNS)]
                if rng.random() < 0.01:
                    cl.connect()  # churn: the keys stay, the connection changes
                    churned += 1
                cl.batch()
                batches += 1
                now = time.monotonic()
                if now >= next_sample:
                    samples.append((now - start, _rss_kb(s.pid)))
                    next_sample = now + 1.0
        finally:
            stop.set()
            for t in slow:
                t.join(15)
        check(not errors, "; ".join(errors))
        # Flat: after the first third, RSS grows by less than 16 MiB.
        warm = [r for t, r in samples if t >= SECONDS / 3]
        check(len(warm) >= 2, "RSS samples")
        grew = max(warm) - warm[0]
        print("soak: %d batches, %d reconnects, RSS %d..%d KiB after warm-up" % (
            batches, churned, min(warm), max(warm)), file=sys.stderr)
        check(not RSS_CHECKED or grew < 16 * 1024,
              "RSS grew %d KiB after warm-up" % grew)
        for cl in clients:
            cl.sock.close()


if __name__ == "__main__":
    main()
