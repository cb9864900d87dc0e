"""Reliability under faults: memory bounded across connections
([conn.input-budget]); the server keeps serving the others."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       test, main)

# clauses: conn.input-budget

P = "faults/"


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
            refused = held = 0
            for c in hogs:
                c.setblocking(False)
                # The refusal, then the close; a client that still had
                # unread bytes in flight may see only the reset.
                try:
                    d = c.recv(100)
                    check(d in (b"SERVER_ERROR out of memory\r\n", b""),
                          "refusal text: %r" % d)
                    refused += 1
                except BlockingIOError:
                    held += 1
                except ConnectionResetError:
                    refused += 1
            check(refused >= 14, "most of 20 x 2 MiB refused under 8 MiB: %d" % refused)
            check(held >= 2, "the ones that fit keep their buffers: %d" % held)
            grown = _peak_rss_kb(s.pid) - base_kb
            check(grown < 24 * 1024, "peak RSS grew %d KiB (budget 8 MiB)" % grown)
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


if __name__ == "__main__":
    main()
