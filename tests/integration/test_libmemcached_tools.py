"""libmemcached command-line tools (Debian libmemcached-tools) against the
server: memccp, memccat, memcstat, memcflush, memcrm, memcexist, memccapable."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, check, eq, test, main  # noqa: E402

P = "libmemcached/"


def run(argv, timeout=30, **kw):
    return subprocess.run(argv, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kw)


def srv_opt(s):
    return "--servers=127.0.0.1:%d" % s.port


def need(tool):
    if shutil.which(tool) is None:
        raise AssertionError("%s not installed (apt-get install libmemcached-tools)" % tool)


@test(P + "memccp_memccat_roundtrip")
def _():
    need("memccp")
    need("memccat")
    tmp = tempfile.mkdtemp(prefix="mcref-it-tools-")
    try:
        files = {
            "hello.txt": b"hello, world\n",
            "empty.bin": b"",
            "crlf.txt": b"line1\r\nEND\r\nVALUE x 0 1\r\n\r\n",
            "random.bin": os.urandom(300 * 1024),
            "near1m.bin": os.urandom(1024 * 1024 - 2048),
        }
        paths = []
        for name, data in files.items():
            p = os.path.join(tmp, name)
            with open(p, "wb") as f:
                f.write(data)
            paths.append(p)
        with Server() as s:
            r = run(["memccp", srv_opt(s)] + paths)
            eq(r.returncode, 0, "memccp exit status (stderr %r)" % r.stderr[-200:])
            for name, data in files.items():
                out = os.path.join(tmp, name + ".out")
                r = run(["memccat", srv_opt(s), "--file=" + out, name])
                eq(r.returncode, 0, "memccat %s exit status" % name)
                with open(out, "rb") as f:
                    got = f.read()
                check(got == data, "memccat --file %s: %d bytes back, %d stored, equal=%s"
                      % (name, len(got), len(data), got == data))
            # stdout form: memccat writes the value followed by a newline
            r = run(["memccat", srv_opt(s), "hello.txt", "crlf.txt"])
            eq(r.returncode, 0, "memccat to stdout")
            eq(r.stdout, files["hello.txt"] + b"\n" + files["crlf.txt"] + b"\n",
               "memccat stdout of two keys")
            # a missing key: non-zero exit
            r = run(["memccat", srv_opt(s), "no-such-key"])
            check(r.returncode != 0, "memccat of a missing key exited 0")
            # raw protocol view of what memccp stored
            with s.conn() as c:
                eq(c.get("random.bin"), files["random.bin"], "raw get of memccp'd file")
            # --flags / --expire are sent to the server
            r = run(["memccp", srv_opt(s), "--flags=1234", "--expire=600",
                     os.path.join(tmp, "hello.txt")])
            eq(r.returncode, 0, "memccp --flags --expire")
            with s.conn() as c:
                c.send("get hello.txt\r\n")
                eq(c.readline(), b"VALUE hello.txt 1234 %d" % len(files["hello.txt"]),
                   "flags stored by memccp")
            r = run(["memccat", "-F", srv_opt(s), "hello.txt"])
            check(r.stdout.startswith(b"1234\n"), "memccat -F output %r" % r.stdout[:40])
            # --add on an existing key is refused, --replace on a new one too
            r = run(["memccp", srv_opt(s), "--add", os.path.join(tmp, "hello.txt")])
            check(r.returncode != 0, "memccp --add over an existing key exited 0")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test(P + "memcstat")
def _():
    need("memcstat")
    with Server() as s:
        with s.conn() as c:
            for i in range(5):
                eq(c.store("set", "k%d" % i, "v"), "STORED", "set")
            c.get("k0")
            c.get("nothere")
        r = run(["memcstat", srv_opt(s)])
        eq(r.returncode, 0, "memcstat exit status")
        out = r.stdout.decode("utf-8", "replace")
        check(re.search(r"^Server: 127\.0\.0\.1 \(%d\)" % s.port, out, re.M),
              "no 'Server: 127.0.0.1 (%d)' header in %r" % (s.port, out[:120]))
        st = dict(re.findall(r"^\t(\w+): (.*)$", out, re.M))
        for name in ("pid", "uptime", "time", "version", "curr_connections",
                     "total_connections", "curr_items", "total_items", "bytes",
                     "cmd_get", "cmd_set", "get_hits", "get_misses", "evictions",
                     "limit_maxbytes", "threads"):
            check(name in st, "memcstat output lacks %s" % name)
        eq(int(st["pid"]), s.pid, "pid reported by memcstat")
        eq(int(st["curr_items"]), 5, "curr_items")
        eq(int(st["cmd_set"]), 5, "cmd_set")
        eq(int(st["get_hits"]), 1, "get_hits")
        eq(int(st["get_misses"]), 1, "get_misses")
        eq(int(st["limit_maxbytes"]), 64 * 1024 * 1024, "limit_maxbytes (default -m 64)")
        # -S: server version line
        r = run(["memcstat", srv_opt(s), "-S"])
        eq(r.returncode, 0, "memcstat -S exit status")
        with s.conn() as c:
            ver = c.cmd("version").split(" ", 1)[1]
        # libmemcached parses major.minor.micro out of the reply and prints
        # those numbers, so "1.6.18-mcref-0.1.0" shows as "1.6.18".
        ver = re.match(r"\d+\.\d+\.\d+", ver).group(0)
        both = (r.stdout + r.stderr).decode("utf-8", "replace")  # -S prints on stderr
        check(("127.0.0.1:%d %s" % (s.port, ver)) in both,
              "memcstat -S output %r lacks version %r" % (both[:80], ver))


@test(P + "memcflush_memcrm_memcexist")
def _():
    for t in ("memcflush", "memcrm", "memcexist"):
        need(t)
    with Server() as s:
        with s.conn() as c:
            for i in range(20):
                eq(c.store("set", "f%d" % i, "x" * i), "STORED", "set")
        eq(run(["memcexist", srv_opt(s), "f3"]).returncode, 0, "memcexist on a present key")
        check(run(["memcexist", srv_opt(s), "nokey"]).returncode != 0,
              "memcexist on a missing key exited 0")
        eq(run(["memcrm", srv_opt(s), "f3"]).returncode, 0, "memcrm on a present key")
        check(run(["memcrm", srv_opt(s), "f3"]).returncode != 0,
              "memcrm on a removed key exited 0")
        check(run(["memcexist", srv_opt(s), "f3"]).returncode != 0,
              "memcexist after memcrm exited 0")
        r = run(["memcflush", srv_opt(s)])
        eq(r.returncode, 0, "memcflush exit status")
        with s.conn() as c:
            got = c.get_multi(*["f%d" % i for i in range(20)])
            eq(got, {}, "keys left after memcflush")
            st = c.stats()
            check(int(st["cmd_flush"]) >= 1, "cmd_flush %s" % st["cmd_flush"])
            eq(c.store("set", "after", "1"), "STORED", "set after flush")
            eq(c.get("after"), b"1", "new key after flush is visible")


@test(P + "memccapable_ascii", timeout=120)
def _():
    need("memccapable")
    with Server() as s:
        r = run(["memccapable", "-a", "-h", "127.0.0.1", "-p", str(s.port), "-t", "5"],
                timeout=100)
        out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
        results = re.findall(r"^(ascii [\w ]+?)\s+\[(\w+)\]\s*$", out, re.M)
        check(len(results) >= 20, "memccapable ran only %d ascii tests; output %r"
              % (len(results), out[-300:]))
        failed = [name for name, res in results if res.lower() != "pass"]
        check(not failed, "memccapable ascii failures: %s" % ", ".join(
            "%s [%s]" % (n, res) for n, res in results if res.lower() != "pass"))
        eq(r.returncode, 0, "memccapable exit status (output tail %r)" % out[-200:])
        check("All tests passed" in out, "no 'All tests passed' line")


if __name__ == "__main__":
    main()
