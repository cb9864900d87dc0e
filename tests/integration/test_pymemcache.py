"""pymemcache (Debian python3-pymemcache, base.Client) against the server."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, check, eq, raises, test, main  # noqa: E402

from pymemcache.client.base import Client  # noqa: E402
from pymemcache import serde  # noqa: E402
from pymemcache.exceptions import (MemcacheClientError,  # noqa: E402
                                   MemcacheServerError)

P = "pymemcache/"


def client(srv, **kw):
    # default_noreply=False: every call waits for (and checks) the reply;
    # the noreply paths are exercised explicitly below
    kw.setdefault("default_noreply", False)
    return Client(("127.0.0.1", srv.port), connect_timeout=5, timeout=5,
                  no_delay=True, **kw)


@test(P + "set_get_delete")
def _():
    with Server() as s:
        c = client(s)
        eq(c.set("k", b"v1"), True, "set")
        eq(c.get("k"), b"v1", "get")
        eq(c.set("k", b"v2", flags=77), True, "overwrite with flags")
        eq(c.get("k"), b"v2", "get after overwrite")
        with s.conn() as r:
            r.send("get k\r\n")
            eq(r.readline(), b"VALUE k 77 2", "flags stored by pymemcache")
        eq(c.get("missing"), None, "missing key")
        eq(c.get("missing", default=b"dflt"), b"dflt", "missing key default")
        eq(c.delete("k"), True, "delete existing")
        eq(c.delete("k"), False, "delete missing (NOT_FOUND)")
        eq(c.get("k"), None, "get after delete")
        c.close()


@test(P + "add_replace_append_prepend")
def _():
    with Server() as s:
        c = client(s)
        eq(c.replace("r", b"x"), False, "replace missing")
        eq(c.get("r"), None, "replace must not create")
        eq(c.add("r", b"first"), True, "add missing")
        eq(c.add("r", b"second"), False, "add existing")
        eq(c.get("r"), b"first", "value after failed add")
        eq(c.replace("r", b"mid"), True, "replace existing")
        eq(c.append("r", b">"), True, "append")
        eq(c.prepend("r", b"<"), True, "prepend")
        eq(c.get("r"), b"<mid>", "after append/prepend")
        eq(c.append("nokey", b"x"), False, "append to missing")
        eq(c.prepend("nokey", b"x"), False, "prepend to missing")
        c.close()


@test(P + "incr_decr")
def _():
    with Server() as s:
        c = client(s)
        eq(c.incr("n", 1), None, "incr missing")
        eq(c.decr("n", 1), None, "decr missing")
        eq(c.set("n", b"41"), True, "set")
        eq(c.incr("n", 1), 42, "incr")
        eq(c.incr("n", 2 ** 40), 42 + 2 ** 40, "incr big delta")
        eq(c.decr("n", 2 ** 40), 42, "decr big delta")
        eq(c.decr("n", 50), 0, "decr stops at 0")
        eq(c.decr("n", 1), 0, "decr at 0")
        eq(c.get("n").strip(), b"0", "stored value after decr")
        eq(c.set("n", b"7"), True, "set")
        # non-numeric value: server says CLIENT_ERROR, pymemcache raises
        eq(c.set("s", b"abc"), True, "set")
        e = raises(MemcacheClientError, c.incr, "s", 1)
        check("non-numeric" in str(e) or "numeric" in str(e),
              "error text %r does not mention the non-numeric value" % str(e))
        raises(MemcacheClientError, c.decr, "s", 1)
        eq(c.get("s"), b"abc", "value after failed incr")
        eq(c.incr("n", 3), 10, "connection in sync after errors")
        c.close()


@test(P + "many")
def _():
    with Server() as s:
        c = client(s)
        data = {"m%03d" % i: ("val%d" % i).encode() * (i + 1) for i in range(100)}
        eq(c.set_many(data), [], "set_many failed keys")
        got = c.get_many(list(data) + ["absent"])
        eq(got, data, "get_many")
        eq(c.delete_many(["m%03d" % i for i in range(0, 100, 2)]), True, "delete_many")
        got = c.get_many(list(data))
        eq(sorted(got), ["m%03d" % i for i in range(1, 100, 2)], "left after delete_many")
        c.close()


@test(P + "cas_flow")
def _():
    with Server() as s:
        c = client(s)
        eq(c.gets("ck"), (None, None), "gets on missing key")
        eq(c.cas("ck", b"x", b"12345"), None, "cas on missing key (NOT_FOUND)")
        eq(c.set("ck", b"v0"), True, "set")
        v, tok = c.gets("ck")
        eq(v, b"v0", "gets value")
        check(tok is not None and tok.isdigit(), "cas token %r not numeric" % (tok,))
        # token is stable while nothing changes
        eq(c.gets("ck")[1], tok, "cas token changed without a write")
        eq(c.cas("ck", b"v1", tok), True, "cas with the current token")
        eq(c.get("ck"), b"v1", "value after cas")
        # the old token is now stale
        eq(c.cas("ck", b"v2", tok), False, "cas with a stale token (EXISTS)")
        eq(c.get("ck"), b"v1", "value after failed cas")
        # another client writes in between: our token goes stale
        other = client(s)
        v, tok2 = c.gets("ck")
        check(tok2 != tok, "cas token did not change after a cas store")
        eq(other.set("ck", b"theirs"), True, "concurrent set")
        eq(c.cas("ck", b"mine", tok2), False, "cas after a concurrent set")
        eq(c.get("ck"), b"theirs", "the concurrent value survives")
        # touch does not change the cas token; incr does
        v, tok3 = c.gets("ck")
        eq(c.touch("ck", 100), True, "touch")
        eq(c.gets("ck")[1], tok3, "touch changed the cas token")
        eq(c.set("num", b"1"), True, "set num")
        t_before = c.gets("num")[1]
        c.incr("num", 1)
        check(c.gets("num")[1] != t_before, "incr did not change the cas token")
        # cas after delete -> NOT_FOUND
        v, tok4 = c.gets("ck")
        c.delete("ck")
        eq(c.cas("ck", b"z", tok4), None, "cas after delete")
        other.close()
        c.close()


@test(P + "expiry_and_touch")
def _():
    with Server() as s:
        c = client(s)
        eq(c.touch("nokey", 10), False, "touch missing")
        eq(c.set("e_ttl", b"1", expire=2), True, "set ttl 2")
        eq(c.set("e_touch_short", b"2"), True, "set no ttl")
        eq(c.touch("e_touch_short", 2), True, "touch to 2 s")
        eq(c.set("e_touch_long", b"3", expire=2), True, "set ttl 2")
        eq(c.touch("e_touch_long", 100), True, "touch to 100 s")
        eq(c.set("e_none", b"4"), True, "set")
        eq(c.get("e_ttl"), b"1", "ttl-2 key right after set")
        eq(c.get("e_touch_short"), b"2", "touched key right after touch")
        time.sleep(2.2)
        got = c.get_many(["e_ttl", "e_touch_short", "e_touch_long", "e_none"])
        eq(sorted(got), ["e_none", "e_touch_long"], "keys alive after 2.2 s")
        c.close()


@test(P + "noreply")
def _():
    with Server() as s:
        c = client(s)
        eq(c.set("nr", b"a", noreply=True), True, "set noreply")
        eq(c.add("nr", b"b", noreply=True), True, "add noreply (no reply to read)")
        eq(c.get("nr"), b"a", "add noreply on existing key did not store")
        eq(c.replace("nr", b"c", noreply=True), True, "replace noreply")
        eq(c.append("nr", b"d", noreply=True), True, "append noreply")
        eq(c.get("nr"), b"cd", "after replace/append noreply")
        eq(c.set("cnt", b"10"), True, "set")
        eq(c.incr("cnt", 5, noreply=True), None, "incr noreply returns None")
        eq(c.decr("cnt", 3, noreply=True), None, "decr noreply returns None")
        eq(c.get("cnt"), b"12", "after incr/decr noreply")
        eq(c.touch("cnt", 100, noreply=True), True, "touch noreply")
        eq(c.delete("nr", noreply=True), True, "delete noreply")
        eq(c.get("nr"), None, "after delete noreply")
        eq(c.set_many({"x1": b"1", "x2": b"2"}, noreply=True), [], "set_many noreply")
        eq(c.get_many(["x1", "x2"]), {"x1": b"1", "x2": b"2"}, "after set_many noreply")
        # errors are silenced by noreply too: no stray reply desyncs the stream
        eq(c.set("s", b"abc"), True, "set")
        eq(c.incr("s", 1, noreply=True), None, "incr noreply on non-numeric")
        eq(c.delete("absent", noreply=True), True, "delete noreply missing")
        eq(c.get("s"), b"abc", "stream in sync after silenced errors")
        # default_noreply=True client: fire-and-forget sets, then read back
        f = client(s, default_noreply=True)
        for i in range(200):
            f.set("f%d" % i, b"%d" % i)
        # round trip on f's own connection first: then all 200 are applied
        eq(f.version()[:1].isdigit(), True, "version after 200 noreply sets")
        eq(c.get_many(["f0", "f199"]), {"f0": b"0", "f199": b"199"},
           "fire-and-forget sets visible")
        f.close()
        c.close()


@test(P + "unicode_binary_serde")
def _():
    with Server() as s:
        c = client(s, serde=serde.PickleSerde())
        u = "\u00fcnic\u00f8de \u2603 \U0001f40d"
        eq(c.set("u", u), True, "set unicode")
        eq(c.get("u"), u, "unicode round trip")
        eq(c.set("i", 123456789), True, "set int")
        eq(c.get("i"), 123456789, "int round trip")
        eq(c.set("d", {"a": [1, 2]}), True, "set dict")
        eq(c.get("d"), {"a": [1, 2]}, "pickled round trip")
        b = bytes(range(255, -1, -1)) * 8 + b"\r\nEND\r\n"
        eq(c.set("b", b), True, "set binary")
        eq(c.get("b"), b, "binary round trip")
        # python-memcache-compatible flags: python-memcache reads it back
        import memcache
        mc = memcache.Client(["127.0.0.1:%d" % s.port], socket_timeout=5, dead_retry=0)
        eq(mc.get("u"), u, "python-memcache reads pymemcache's unicode")
        eq(mc.get("i"), 123456789, "python-memcache reads pymemcache's int")
        mc.disconnect_all()
        c.close()


@test(P + "large_values")
def _():
    with Server() as s:
        c = client(s)
        n = 1024 * 1024 - 1024
        v = os.urandom(n)
        eq(c.set("big", v), True, "set ~1 MiB")
        eq(c.get("big"), v, "get ~1 MiB")
        eq(c.get_many(["big", "big"]), {"big": v}, "get_many ~1 MiB")
        e = raises(MemcacheServerError, c.set, "huge", b"y" * (1024 * 1024 + 10))
        check("too large" in str(e), "oversize error %r" % str(e))
        eq(c.get("huge"), None, "oversize value must not be stored")
        eq(c.get("big"), v, "connection in sync after the oversize set")
        c.close()


@test(P + "stats_version_flush")
def _():
    with Server() as s:
        c = client(s)
        ver = c.version()
        check(ver and ver[0:1].isdigit(), "version %r" % ver)
        c.set("a", b"1")
        c.get("a")
        c.get("zz")
        st = c.stats()
        for name in (b"pid", b"uptime", b"curr_items", b"cmd_get", b"cmd_set",
                     b"get_hits", b"get_misses", b"curr_connections"):
            check(name in st, "stats lacks %r" % name)
        eq(st[b"pid"], s.pid, "stats pid")
        check(st[b"get_hits"] >= 1 and st[b"get_misses"] >= 1,
              "get_hits/get_misses %r/%r" % (st[b"get_hits"], st[b"get_misses"]))
        eq(st[b"curr_items"], 1, "curr_items")
        eq(c.flush_all(), True, "flush_all")
        eq(c.get("a"), None, "key after flush_all")
        c.close()


@test(P + "cross_client_visibility")
def _():
    with Server() as s:
        a, b = client(s), client(s)
        eq(a.set("x", b"1"), True, "set via a")
        eq(b.get("x"), b"1", "b sees a's key")
        eq(b.incr("x", 9), 10, "b incr")
        eq(a.get("x"), b"10", "a sees b's incr")
        eq(b.delete("x"), True, "b delete")
        eq(a.get("x"), None, "a sees b's delete")
        a.close()
        b.close()


if __name__ == "__main__":
    main()
