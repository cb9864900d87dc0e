"""pylibmc (Debian python3-pylibmc, libmemcached, text protocol)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import Server, check, eq, raises, test, main  # noqa: E402

import pylibmc  # noqa: E402

P = "pylibmc/"

# libmemcached timeouts: connect in ms, send/receive in us, poll in ms
BEHAVIORS = {"tcp_nodelay": True, "connect_timeout": 5000,
             "send_timeout": 5000000, "receive_timeout": 5000000,
             "_poll_timeout": 5000, "retry_timeout": 0}


def client(srv, **extra):
    b = dict(BEHAVIORS)
    b.update(extra)
    c = pylibmc.Client(["127.0.0.1:%d" % srv.port], binary=False, behaviors=b)
    return c


@test(P + "set_get_delete")
def _():
    with Server() as s:
        c = client(s)
        eq(c.set("k", "v"), True, "set")
        eq(c.get("k"), "v", "get")
        eq(c.set("k", b"bytes"), True, "overwrite")
        eq(c.get("k"), b"bytes", "get after overwrite")
        eq(c.get("missing"), None, "get missing")
        eq(c.delete("k"), True, "delete existing")
        eq(c.delete("k"), False, "delete missing (NOT_FOUND)")
        eq(c.get("k"), None, "get after delete")
        eq(c.set("i", 42), True, "set int")
        eq(c.get("i"), 42, "int round trip")
        eq(c.set("o", ("tuple", 1, [2])), True, "set object")
        eq(c.get("o"), ("tuple", 1, [2]), "pickled round trip")
        c.disconnect_all()


@test(P + "add_replace_append_prepend")
def _():
    with Server() as s:
        c = client(s)
        eq(c.replace("r", "x"), False, "replace missing")
        eq(c.add("r", "first"), True, "add missing")
        eq(c.add("r", "second"), False, "add existing")
        eq(c.get("r"), "first", "after failed add")
        eq(c.replace("r", "mid"), True, "replace existing")
        eq(c.append("r", "]"), True, "append")
        eq(c.prepend("r", "["), True, "prepend")
        eq(c.get("r"), "[mid]", "after append/prepend")
        eq(c.append("none", "x"), False, "append missing")
        c.disconnect_all()


@test(P + "incr_decr")
def _():
    with Server() as s:
        c = client(s)
        raises(pylibmc.NotFound, c.incr, "n")
        eq(c.get("n"), None, "incr must not create the key")
        eq(c.set("n", "99"), True, "set")
        eq(c.incr("n"), 100, "incr")
        eq(c.incr("n", 23), 123, "incr 23")
        eq(c.decr("n", 3), 120, "decr 3")
        eq(c.decr("n", 1000), 0, "decr stops at 0")
        eq(c.decr("n"), 0, "decr at 0")
        eq(c.get("n").strip(), "0", "stored value")
        eq(c.set("s", "text"), True, "set non-numeric")
        # server: CLIENT_ERROR cannot increment or decrement non-numeric value
        raises(pylibmc.Error, c.incr, "s", 1)
        raises(pylibmc.Error, c.decr, "s", 1)
        eq(c.get("s"), "text", "value after failed incr")
        eq(c.incr("n", 5), 5, "in sync after errors")
        c.disconnect_all()


@test(P + "multi")
def _():
    with Server() as s:
        c = client(s)
        data = {"k%d" % i: "v%d" % i for i in range(100)}
        eq(c.set_multi(data), [], "set_multi failures")
        eq(c.get_multi(list(data) + ["nope"]), data, "get_multi")
        eq(c.set_multi({"a": 1, "b": 2}, key_prefix="p_"), [], "set_multi prefix")
        eq(c.get("p_a"), 1, "prefixed key")
        eq(c.delete_multi(["k%d" % i for i in range(50)]), True, "delete_multi of existing keys")
        eq(sorted(c.get_multi(list(data))), sorted("k%d" % i for i in range(50, 100)),
           "left after delete_multi")
        # libmemcached reports a NOT_FOUND in the batch as a failure
        eq(c.delete_multi(["k0", "k99"]), False, "delete_multi with a missing key")
        eq(c.get("k99"), None, "existing key of that batch deleted")
        c.disconnect_all()


@test(P + "cas_flow")
def _():
    with Server() as s:
        c = client(s, cas=True)
        eq(c.gets("ck"), (None, None), "gets missing")
        raises(pylibmc.NotFound, c.cas, "ck", "x", 12345)
        eq(c.set("ck", "v0"), True, "set")
        v, tok = c.gets("ck")
        eq(v, "v0", "gets value")
        check(isinstance(tok, int) and tok > 0, "cas token %r" % (tok,))
        eq(c.cas("ck", "v1", tok), True, "cas current token")
        eq(c.cas("ck", "v2", tok), False, "cas stale token (EXISTS)")
        eq(c.get("ck"), "v1", "after failed cas")
        # interleaved writer
        other = client(s, cas=True)
        v, tok2 = c.gets("ck")
        check(tok2 != tok, "token unchanged after a cas store")
        eq(other.set("ck", "theirs"), True, "other set")
        eq(c.cas("ck", "mine", tok2), False, "cas after concurrent set")
        eq(c.get("ck"), "theirs", "concurrent value survives")
        # read-modify-write loop with contention settles
        eq(c.set("ctr", "0"), True, "set ctr")
        for i in range(20):
            for cl in (c, other):
                while True:
                    v, t = cl.gets("ctr")
                    if cl.cas("ctr", str(int(v) + 1), t):
                        break
        eq(c.get("ctr"), "40", "cas increment loop result")
        other.disconnect_all()
        c.disconnect_all()


@test(P + "expiry_and_touch")
def _():
    with Server() as s:
        c = client(s)
        eq(c.touch("nokey", 10), False, "touch missing")
        eq(c.set("t2", "a", time=2), True, "set ttl 2")
        eq(c.set("tt", "b"), True, "set")
        eq(c.touch("tt", 2), True, "touch 2")
        eq(c.set("tl", "c", time=2), True, "set ttl 2")
        eq(c.touch("tl", 300), True, "touch 300")
        eq(c.set("tn", "d"), True, "set no ttl")
        eq(c.get("t2"), "a", "ttl-2 key right after set")
        time.sleep(2.2)
        eq(sorted(c.get_multi(["t2", "tt", "tl", "tn"])), ["tl", "tn"],
           "keys alive after 2.2 s")
        c.disconnect_all()


@test(P + "noreply")
def _():
    with Server() as s:
        q = client(s, _noreply=True)
        c = client(s)
        eq(q.set("nr", "a"), True, "set noreply")
        q.add("nr", "b")           # would be NOT_STORED; nothing comes back
        q.replace("missing", "x")  # would be NOT_STORED
        eq(q.set("n", "10"), True, "set noreply")
        q.incr("n", 5)
        q.decr("n", 2)
        q.delete("absent")         # would be NOT_FOUND
        for i in range(100):
            q.set("bulk%d" % i, str(i))
        # a round trip on q's own connection: the server handles one
        # connection's commands in order, so all of the above are done now
        eq(q.get("nr"), "a", "get on the noreply client (sync point)")
        eq(c.get("nr"), "a", "add noreply did not overwrite")
        eq(c.get("missing"), None, "replace noreply did not create")
        eq(c.get("n"), "13", "incr/decr noreply applied")
        eq(c.get_multi(["bulk0", "bulk99"]), {"bulk0": "0", "bulk99": "99"},
           "bulk noreply sets")
        q.delete("nr")
        eq(q.get("nr"), None, "delete noreply (same connection)")
        eq(c.get("nr"), None, "delete noreply (other connection)")
        c.disconnect_all()
        q.disconnect_all()


@test(P + "unicode_binary_large")
def _():
    with Server() as s:
        c = client(s)
        u = "gr\u00fc\u00dfe \u4e16\u754c \U0001f30d"
        eq(c.set("u", u), True, "set unicode")
        eq(c.get("u"), u, "unicode round trip")
        b = b"\x00\x01\r\n" + bytes(range(256)) + b"\r\nEND\r\n"
        eq(c.set("b", b), True, "set binary")
        eq(c.get("b"), b, "binary round trip")
        big = os.urandom(1024 * 1024 - 1024)
        eq(c.set("big", big), True, "set ~1 MiB")
        eq(c.get("big"), big, "get ~1 MiB")
        raises(pylibmc.Error, c.set, "huge", b"z" * (1024 * 1024 + 10))
        eq(c.get("huge"), None, "oversize value not stored")
        eq(c.get("b"), b, "still in sync")
        c.disconnect_all()


@test(P + "stats_flush_cross_client")
def _():
    with Server() as s:
        c = client(s)
        d = client(s)
        eq(c.set("x", "1"), True, "set via c")
        eq(d.get("x"), "1", "d sees c's key")
        eq(d.incr("x", 4), 5, "d incr")
        eq(c.get("x"), "5", "c sees d's incr")
        st = c.get_stats()
        eq(len(st), 1, "one server in get_stats")
        name, d_st = st[0]
        check(str(s.port) in name.decode() if isinstance(name, bytes) else str(s.port) in name,
              "server name %r" % name)
        eq(int(d_st["pid"]), s.pid, "stats pid")
        check(int(d_st["curr_items"]) == 1, "curr_items %r" % d_st["curr_items"])
        check(int(d_st["cmd_set"]) >= 1, "cmd_set")
        eq(c.flush_all(), True, "flush_all")
        eq(d.get("x"), None, "gone after flush_all")
        c.disconnect_all()
        d.disconnect_all()


if __name__ == "__main__":
    main()
