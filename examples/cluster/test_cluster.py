"""Three mcref nodes as one cache, two ways, and the loss of one node.

1. Behind twemproxy (nutcracker.yml: ketama, auto_eject_hosts): keys
   spread over the three nodes; one node is stopped; the proxy ejects it,
   keys on the other two still hit, only the lost node's share misses, and
   new writes are served.
2. The same with no proxy: a pylibmc client pool with ketama consistent
   hashing (libmemcached) and auto_eject.

Which node holds a key is asked of the nodes themselves. Everything is
bounded; nodes and the proxy are stopped by PID. MCREF_BIN names the server."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))

from mcnode import Node  # noqa: E402

KEYS = ["user:%04d" % i for i in range(600)]


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def owners(nodes, keys):
    """key -> index of the node holding it (asked of each node)."""
    where = {}
    for i, n in enumerate(nodes):
        with socket.create_connection(("127.0.0.1", n.port), timeout=3) as s:
            f = s.makefile("rb")
            for k in keys:
                s.sendall(b"get " + k.encode() + b"\r\n")
                line = f.readline()
                if line.startswith(b"VALUE"):
                    f.readline()
                    f.readline()
                    check(k not in where, "%s on two nodes" % k)
                    where[k] = i
    return where


def check_spread(where, n_keys):
    counts = [sum(1 for v in where.values() if v == i) for i in range(3)]
    check(sum(counts) == n_keys, "every key on one node: %s of %d" % (counts, n_keys))
    # Ketama over 3 equal nodes: each gets a fair share, none all.
    check(min(counts) > n_keys * 0.15, "keys spread: %s" % counts)
    return counts


class Proxy:
    def __init__(self, nodes):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="mcref-cluster-")
        conf = open(os.path.join(HERE, "nutcracker.yml")).read()
        conf = conf.replace("@PROXY_PORT@", str(self.port))
        for i, n in enumerate(nodes):
            conf = conf.replace("@PORT%d@" % (i + 1), str(n.port))
        self.conf = os.path.join(self.dir, "nutcracker.yml")
        open(self.conf, "w").write(conf)
        self.proc = subprocess.Popen(
            ["nutcracker", "-c", self.conf, "-s", str(free_port()),
             "-a", "127.0.0.1", "-o", os.path.join(self.dir, "log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError("nutcracker did not start: %s" %
                                       open(os.path.join(self.dir, "log")).read()[-500:])
                time.sleep(0.05)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class TextClient:
    """Just enough of the text protocol to talk through the proxy."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=3)
        self.f = self.s.makefile("rb")

    def set(self, k, v):
        self.s.sendall(b"set %s 0 0 %d\r\n%s\r\n" % (k.encode(), len(v), v.encode()))
        return self.f.readline().strip()

    def get(self, k):
        """The value, None for a miss, or the error line (bytes)."""
        self.s.sendall(b"get " + k.encode() + b"\r\n")
        line = self.f.readline()
        if line.startswith(b"VALUE"):
            v = self.f.readline().strip().decode()
            self.f.readline()
            return v
        if line == b"END\r\n":
            return None
        return line.strip()

    def close(self):
        self.s.close()


def lose_a_node(nodes, where, get, set_):
    """Stops node 2; checks only its share moves and the rest serves on."""
    lost = 1
    nodes[lost].stop()
    # Until the lost node is out of the ring: its keys stop erroring (20 s).
    victim = [k for k, v in where.items() if v == lost]
    end = time.monotonic() + 20
    while True:
        results = [get(k) for k in victim[:20]]
        if all(r is None for r in results):
            break
        check(time.monotonic() < end, "lost node never ejected: %r" % results[:3])
        time.sleep(0.2)
    kept = moved = 0
    for k, owner in where.items():
        v = get(k)
        if owner == lost:
            check(v is None, "%s was on the lost node, yet %r" % (k, v))
            moved += 1
        else:
            check(v == "v-" + k, "%s on a live node must still hit: %r" % (k, v))
            kept += 1
    # And it serves on: the lost share is written again, to the others.
    for k in victim:
        check(set_(k, "w-" + k), "set %s after the loss" % k)
    for k in victim:
        check(get(k) == "w-" + k, "get %s after the loss" % k)
    survivors = [nodes[0], nodes[2]]
    after = owners(survivors, victim)
    check(len(after) == len(victim), "lost keys landed on the survivors")
    return kept, moved


def via_twemproxy():
    nodes = [Node().start() for _ in range(3)]
    proxy = None
    try:
        proxy = Proxy(nodes)
        c = TextClient(proxy.port)
        for k in KEYS:
            check(c.set(k, "v-" + k) == b"STORED", "set %s through the proxy" % k)
        where = owners(nodes, KEYS)
        counts = check_spread(where, len(KEYS))
        for k in KEYS[:50]:
            check(c.get(k) == "v-" + k, "get %s through the proxy" % k)

        def get(k):
            return c.get(k)

        def set_(k, v):
            return c.set(k, v) == b"STORED"
        kept, moved = lose_a_node(nodes, where, get, set_)
        print("PASS cluster/twemproxy: spread %s; node 2 lost: %d keys kept, "
              "%d moved" % (counts, kept, moved))
    finally:
        if proxy:
            proxy.close()
        for n in nodes:
            n.close()


def via_pylibmc():
    import pylibmc
    nodes = [Node().start() for _ in range(3)]
    try:
        # ketama: libmemcached's consistent hashing; auto_eject with
        # failure_limit 1: a node that fails once leaves the ring for
        # retry_timeout seconds, and only its keys move.
        mc = pylibmc.Client([n.address for n in nodes], behaviors={
            "ketama": True, "auto_eject": True, "failure_limit": 1,
            "retry_timeout": 30, "connect_timeout": 500})
        for k in KEYS:
            check(mc.set(k, "v-" + k), "pylibmc set %s" % k)
        where = owners(nodes, KEYS)
        counts = check_spread(where, len(KEYS))

        def get(k):
            try:
                return mc.get(k)
            except pylibmc.Error as e:
                return str(e)

        def set_(k, v):
            try:
                return mc.set(k, v)
            except pylibmc.Error:
                return False
        kept, moved = lose_a_node(nodes, where, get, set_)
        print("PASS cluster/pylibmc-ketama: spread %s; node 2 lost: %d keys "
              "kept, %d moved" % (counts, kept, moved))
    finally:
        for n in nodes:
            n.close()


def main():
    failed = 0
    for name, fn in (("twemproxy", via_twemproxy), ("pylibmc-ketama", via_pylibmc)):
        try:
            fn()
        except Exception as e:
            print("FAIL cluster/%s: %s: %s" % (name, type(e).__name__, e))
            failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
