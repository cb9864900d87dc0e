"""What the admin tools use to list keys and adjust memory: memcdump
(libmemcached-tools, `stats cachedump`), `lru_crawler metadump` and
`mgdump` read over a socket, and cache_memlimit ([stats.cachedump],
[admin.*]).  Those memcached shares run against it too."""

import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       test, main)

P = "admin/"


def mcref_only(why):
    if is_memcached():
        raise SkipTest(why)


def fill(c, keys, value=b"v", exptime=0):
    """Stores every key with one write per 500 (noreply), then syncs."""
    for i in range(0, len(keys), 500):
        batch = b"".join(b"set %s 0 %d %d noreply\r\n%s\r\n"
                         % (k.encode(), exptime, len(value), value)
                         for k in keys[i:i + 500])
        c.send(batch)
    eq(c.cmd("version")[:8], "VERSION ", "sync after the sets")


def read_dump(c, end):
    """Reads a dump's bytes up to its end line."""
    while end not in c.buf:
        c._fill()
    data, c.buf = c.buf.split(end, 1)
    return data


@test(P + "memcdump_lists_every_key")
def _():
    if shutil.which("memcdump") is None:
        raise AssertionError("memcdump not installed (apt-get install libmemcached-tools)")
    # ASCII keys: memcdump (libmemcached 1.1.4) prints an empty line for a
    # key with bytes above 0x7e, whatever the server sent.
    keys = ["k%05d" % i for i in range(3000)] + ["x" * 250, "a.b-c_d~e"]
    with Server() as s:
        with s.conn() as c:
            fill(c, keys)
        r = subprocess.run(["memcdump", "--servers=127.0.0.1:%d" % s.port],
                           capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        eq(r.returncode, 0, "memcdump exit status (stderr %r)" % r.stderr[-200:])
        got = r.stdout.decode("utf-8").split("\n")
        if got and got[-1] == "":
            got.pop()
        if is_memcached():
            # memcached lists only items that reached its cold LRU.
            check(set(got) <= set(keys), "memcdump listed a key never stored")
            return
        eq(len(got), len(keys), "lines memcdump printed")
        eq(sorted(got), sorted(keys), "the keys memcdump printed")


@test(P + "metadump_lists_every_item_once_while_others_are_served")
def _():
    n = 20000
    keys = ["m%06d" % i for i in range(n)]
    with Server() as s:
        with s.conn() as c:
            fill(c, keys, value=b"x" * 20)
            c.send("get m000001\r\n")
            eq(c.readline(), b"VALUE m000001 0 20", "a fetched item")
            c.read_exact(22)
            eq(c.readline(), b"END", "end of get")
        with s.conn() as dumper, s.conn(timeout=5.0) as other:
            dumper.send("lru_crawler metadump all\r\n")
            # Another client is answered while the dump is under way (and
            # the dumper has not read a byte yet).
            t0 = time.monotonic()
            eq(other.store("set", "during", "1"), "STORED", "set during the dump")
            eq(other.get("during"), b"1", "get during the dump")
            check(time.monotonic() - t0 < 2.0, "other client waited %.2fs"
                  % (time.monotonic() - t0))
            data = read_dump(dumper, b"END\r\n")
        lines = data.split(b"\n")
        eq(lines[-1], b"", "the dump's last line ends with LF")
        lines.pop()
        seen = {}
        for line in lines:
            fields = dict(f.split(b"=", 1) for f in line.split(b" "))
            seen[fields[b"key"].decode()] = fields
        check(set(keys) <= set(seen), "keys missing from metadump: %d"
              % len(set(keys) - set(seen)))
        got = [line.split(b" ", 1)[0] for line in lines]
        eq(len(got), len(set(got)), "metadump lines for distinct keys")
        eq(seen["m000001"][b"fetch"], b"yes", "fetch= of the item read")
        eq(seen["m000002"][b"fetch"], b"no", "fetch= of an item not read")
        eq(seen["m000002"][b"exp"], b"-1", "exp= of an item without expiry")


@test(P + "mgdump_lines_are_meta_gets")
def _():
    mcref_only("lru_crawler mgdump is memcached 1.6.19's ([admin.mgdump])")
    keys = ["g%04d" % i for i in range(2500)]
    with Server() as s:
        with s.conn() as c:
            fill(c, keys)
            c.send(b"ms YSBi 1 b\r\nz\r\n")  # the key "a b", not text
            eq(c.readline(), b"HD", "ms with a base64 key")
            c.send("lru_crawler mgdump all\r\n")
            data = read_dump(c, b"EN\r\n")
            lines = data.split(b"\r\n")
            eq(lines.pop(), b"", "mgdump's last line")
            eq(len(lines), len(keys) + 1, "mgdump lines")
            check(b"mg YSBi b" in lines, "the binary key base64 with b")
            # Each line, sent back with v, answers the item.
            c.send(b"".join(line + b" v\r\n" for line in lines))
            for line in lines:
                head = c.readline()
                check(head.startswith(b"VA "), "%r answered %r" % (line, head))
                c.readline()


@test(P + "cache_memlimit_moves_limit_maxbytes")
def _():
    with Server(["-m", "64"]) as s:
        with s.conn() as c:
            eq(c.cmd("cache_memlimit 32"), "OK", "cache_memlimit 32")
            eq(c.stats()["limit_maxbytes"], str(32 << 20), "limit_maxbytes after 32")
            eq(c.cmd("cache_memlimit 64"), "OK", "cache_memlimit 64")
            eq(c.stats()["limit_maxbytes"], str(64 << 20), "limit_maxbytes after 64")
            eq(c.cmd("cache_memlimit 7"),
               "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m", "below 8")
            # The store still works at the limit it was given.
            fill(c, ["c%d" % i for i in range(100)], value=b"y" * 1000)
            eq(c.get("c99"), b"y" * 1000, "an item after cache_memlimit")


if __name__ == "__main__":
    main()
