"""python-memcache (Debian python3-memcache) against the server under test."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, check, eq, raises, test, main  # noqa: E402

import memcache  # noqa: E402

P = "python_memcache/"


def client(srv):
    # dead_retry=0 + socket_timeout: a lost connection shows up as a failed
    # assertion, never as a hang or a silently skipped server
    return memcache.Client(["%s:%d" % ("127.0.0.1", srv.port)],
                           socket_timeout=5, dead_retry=0)


@test(P + "set_get_delete")
def _():
    with Server() as s:
        mc = client(s)
        check(mc.set("k1", "v1"), "set returned false")
        eq(mc.get("k1"), "v1", "get after set")
        check(mc.set("k1", "v2"), "overwrite returned false")
        eq(mc.get("k1"), "v2", "get after overwrite")
        eq(mc.get("missing"), None, "get of a missing key")
        check(mc.delete("k1"), "delete of existing key returned false")
        eq(mc.get("k1"), None, "get after delete")
        # python-memcache returns 1 for both DELETED and NOT_FOUND; the
        # server's reply itself is checked on a raw connection
        check(mc.delete("k1"), "delete of a missing key reported an error")
        with s.conn() as c:
            eq(c.cmd("delete k1"), "NOT_FOUND", "raw delete of the deleted key")
        # non-string values round-trip (pickled / int flags)
        check(mc.set("ik", 12345), "set int")
        eq(mc.get("ik"), 12345, "int round trip")
        check(mc.set("lk", [1, "two", {"three": 3}]), "set list")
        eq(mc.get("lk"), [1, "two", {"three": 3}], "pickled round trip")
        mc.disconnect_all()


@test(P + "add_replace")
def _():
    with Server() as s:
        mc = client(s)
        check(not mc.replace("r", "x"), "replace on missing key succeeded")
        eq(mc.get("r"), None, "replace on missing key created it")
        check(mc.add("r", "first"), "add on missing key failed")
        check(not mc.add("r", "second"), "add on existing key succeeded")
        eq(mc.get("r"), "first", "value after failed add")
        check(mc.replace("r", "third"), "replace on existing key failed")
        eq(mc.get("r"), "third", "value after replace")
        check(mc.append("r", "+a"), "append failed")
        check(mc.prepend("r", "p+"), "prepend failed")
        eq(mc.get("r"), "p+third+a", "value after append/prepend")
        mc.disconnect_all()


@test(P + "incr_decr")
def _():
    with Server() as s:
        mc = client(s)
        eq(mc.incr("nope"), None, "incr on a missing key")
        eq(mc.get("nope"), None, "incr must not create the key")
        check(mc.set("n", "10"), "set n")
        eq(mc.incr("n"), 11, "incr by default 1")
        eq(mc.incr("n", 100), 111, "incr by 100")
        eq(mc.decr("n", 11), 100, "decr by 11")
        eq(int(mc.get("n")), 100, "value after incr/decr")
        # decr stops at 0 and never goes negative
        eq(mc.decr("n", 1000), 0, "decr below zero")
        eq(mc.decr("n", 1), 0, "decr at zero")
        eq(int(mc.get("n")), 0, "stored value after decr to 0")
        # 64-bit wrap on incr
        check(mc.set("w", str(2 ** 64 - 1)), "set 2^64-1")
        eq(mc.incr("w", 2), 1, "incr wraps at 2^64")
        mc.disconnect_all()


@test(P + "incr_non_numeric")
def _():
    with Server() as s:
        mc = client(s)
        check(mc.set("s", "hello"), "set")
        # The server answers `CLIENT_ERROR cannot increment or decrement
        # non-numeric value`; python-memcache does int() on that line, so
        # the call raises ValueError and the connection stays in sync.
        e = raises(ValueError, mc.incr, "s", 1)
        check("CLIENT_ERROR" in str(e), "ValueError does not carry the "
              "server's CLIENT_ERROR line: %s" % e)
        raises(ValueError, mc.decr, "s", 1)
        eq(mc.get("s"), "hello", "value after failed incr")
        check(mc.set("after", "ok"), "set after the error")
        eq(mc.get("after"), "ok", "connection usable after the error")
        mc.disconnect_all()


@test(P + "multi")
def _():
    with Server() as s:
        mc = client(s)
        data = {"m%d" % i: "value-%d" % i for i in range(50)}
        eq(mc.set_multi(data), [], "set_multi failed keys")
        got = mc.get_multi(list(data) + ["absent1", "absent2"])
        eq(got, data, "get_multi")
        # key_prefix form
        eq(mc.set_multi({"a": "1", "b": "2"}, key_prefix="pfx:"), [], "set_multi prefix")
        eq(mc.get("pfx:a"), "1", "prefixed key visible")
        eq(mc.get_multi(["a", "b"], key_prefix="pfx:"), {"a": "1", "b": "2"},
           "get_multi prefix")
        check(mc.delete_multi(["m%d" % i for i in range(25)]), "delete_multi")
        got = mc.get_multi(list(data))
        eq(sorted(got), sorted("m%d" % i for i in range(25, 50)), "keys left after delete_multi")
        mc.disconnect_all()


@test(P + "expiry")
def _():
    with Server() as s:
        mc = client(s)
        check(mc.set("t_short", "x", time=1), "set ttl 1")
        check(mc.set("t_two", "y", time=2), "set ttl 2")
        check(mc.set("t_long", "z", time=100), "set ttl 100")
        check(mc.set("t_none", "w"), "set no ttl")
        # TTL 2 lives at least 1 s with a 1-second server clock
        eq(mc.get("t_two"), "y", "ttl-2 key right after set")
        time.sleep(2.2)
        eq(mc.get("t_short"), None, "ttl-1 key after 2.2 s")
        eq(mc.get("t_two"), None, "ttl-2 key after 2.2 s")
        eq(mc.get("t_long"), "z", "ttl-100 key after 2.2 s")
        eq(mc.get("t_none"), "w", "no-ttl key after 2.2 s")
        # a negative TTL stores an item that is immediately invisible
        check(mc.set("t_neg", "n", time=-1), "set negative ttl")
        eq(mc.get("t_neg"), None, "negative ttl item visible")
        mc.disconnect_all()


@test(P + "unicode_and_binary")
def _():
    with Server() as s:
        mc = client(s)
        u = "h\u00e9llo \u2713 \u65e5\u672c\u8a9e \U0001f600"
        check(mc.set("uni", u), "set unicode")
        eq(mc.get("uni"), u, "unicode round trip")
        b = bytes(range(256)) * 4 + b"\r\nEND\r\nVALUE x 0 1\r\n\x00"
        check(mc.set("bin", b), "set binary")
        eq(mc.get("bin"), b, "binary round trip")
        check(mc.set("empty", b""), "set empty")
        eq(mc.get("empty"), b"", "empty value round trip")
        # binary-ish value visible byte-exact to a raw connection
        with s.conn() as c:
            eq(c.get("bin"), b, "raw get of a python-memcache value")
        mc.disconnect_all()


@test(P + "large_values")
def _():
    with Server() as s:
        mc = client(s)
        for n in (100 * 1024, 512 * 1024, 1024 * 1024 - 1024):
            v = bytes((i * 7 + n) & 0xFF for i in range(n))
            check(mc.set("big%d" % n, v), "set of %d bytes failed" % n)
            eq(mc.get("big%d" % n), v, "round trip of %d bytes" % n)
        # python-memcache refuses > 1 MiB itself; the server's own limit is
        # tested with a raw connection (value of -I + 1 bytes)
        with s.conn(timeout=10) as c:
            r = c.store("set", "toobig", b"x" * (1024 * 1024 + 1))
            eq(r, "SERVER_ERROR object too large for cache", "oversize set reply")
            eq(c.cmd("version")[:8], "VERSION ", "connection in sync after oversize set")
        mc.disconnect_all()


@test(P + "cross_client_visibility")
def _():
    with Server() as s:
        a, b = client(s), client(s)
        check(a.set("shared", "from-a"), "set via a")
        eq(b.get("shared"), "from-a", "b sees a's key")
        check(b.set("shared", "from-b"), "set via b")
        eq(a.get("shared"), "from-b", "a sees b's overwrite")
        check(b.delete("shared"), "delete via b")
        eq(a.get("shared"), None, "a sees b's delete")
        check(a.set("ctr", "5"), "set ctr")
        eq(b.incr("ctr", 3), 8, "b incr a's counter")
        eq(a.get("ctr"), "8", "a sees b's incr")
        with s.conn() as c:
            eq(c.get("ctr"), b"8", "raw connection sees the value")
            eq(c.store("set", "rawkey", "raw"), "STORED", "raw set")
        eq(a.get("rawkey"), b"raw", "python-memcache sees raw set (flags 0 -> bytes)")
        a.disconnect_all()
        b.disconnect_all()


if __name__ == "__main__":
    main()
