"""scenario.py - the common operations every client scenario runs, and how
their outcomes are judged (tests/clients/README.md).

A scenario gets the server from MEMCACHED_SERVERS (HOST:PORT) and the
profile from MCREF_PROFILE. Each client's script supplies an adapter: a
small object with the client's own calls (set get add replace delete incr
decr gets cas touch get_multi, a noreply set where it has one) and the
exception classes the client documents for server and network errors.

Without faults (profile "strict") every result must be exactly the
expected one. Under faults a result may also be a clean failure (None,
False, or one of the client's documented errors) - what a legitimate
server or network can cause - but never a WRONG value (one the scenario
never stored under that key: the client read another reply, out of step)
and never a CRASH (an exception outside the client's documented errors).
The operations run in ROUNDS rounds, each with a new client object (a new
connection, as a short-lived process would make). At the end the last
client must RECOVER: a set and get that succeed, within 5 s of retries.
Exit status: 0 fine, 1 WRONG or CRASH, 2 no recovery, 3 a FINDING: a
defect of the client's own API that an adapter reports (finding()), with
nothing worse.
"""
import os
import sys
import time

LARGE = b"L" * (512 * 1024)
ROUNDS = 8


class Run:
    def __init__(self, adapter):
        self.a = adapter
        self.errors = adapter.errors
        self.strict = os.environ.get("MCREF_PROFILE", "strict") == "strict"
        self.possible = {}  # key -> set of values ever sent for it
        self.ok = 0
        self.clean = 0
        self.bad = []

    def note(self, what, detail):
        self.bad.append("%s %s" % (what, detail))
        print("%s: %s" % (what, detail), file=sys.stderr)

    def call(self, name, fn, *args):
        """The call's result, or the sentinel FAILED for a documented error."""
        try:
            return fn(*args)
        except self.errors as e:
            if self.strict:
                self.note("CRASH", "%s raised %r without faults" % (name, e))
            return FAILED
        except Exception as e:  # anything else is the client's own defect
            self.note("CRASH", "%s raised %s: %r" % (name, type(e).__name__, e))
            return FAILED

    def expect(self, name, got, want, allowed=()):
        if got == want:
            self.ok += 1
            return
        if not self.strict and (got is FAILED or got in (None, False)
                                or got in allowed):
            self.clean += 1
            return
        kind = "WRONG" if not self.strict else "FAIL"
        self.note(kind, "%s: got %r, wanted %r" % (name, short(got), short(want)))

    def stores(self, key, value):
        self.possible.setdefault(key, set()).add(value)

    def read(self, name, key, want):
        got = self.call(name, self.a.get, key)
        if not self.strict and got is not FAILED and got is not None:
            if got not in self.possible.get(key, set()):
                self.note("WRONG", "%s: %r was never stored under %s"
                          % (name, short(got), key))
                return
            self.clean += got != want
            self.ok += got == want
            return
        self.expect(name, got, want)


FAILED = object()
FINDINGS = []


def finding(what):
    """An adapter saw a defect of the client's own (README lists them)."""
    if what not in FINDINGS:
        print("FINDING: %s" % what, file=sys.stderr)
    FINDINGS.append(what)


def short(v):
    if isinstance(v, (bytes, str)) and len(v) > 40:
        return v[:20] + (b"..." if isinstance(v, bytes) else "...")
    return v


def one_round(r, a, p):
    k1, k2, n, big, nr = p + "k1", p + "k2", p + "n", p + "big", p + "nr"
    r.stores(k1, b"v1")
    r.expect("set", r.call("set", a.set, k1, b"v1"), True)
    r.read("get", k1, b"v1")
    # Under faults the first set may have failed, or its item been evicted.
    r.stores(k1, b"x")
    r.expect("add existing", r.call("add", a.add, k1, b"x"), False,
             allowed=(True,))
    r.stores(k2, b"v2")
    r.expect("add new", r.call("add", a.add, k2, b"v2"), True)
    r.stores(k2, b"v2b")
    r.expect("replace", r.call("replace", a.replace, k2, b"v2b"), True)
    r.expect("replace missing", r.call("replace", a.replace, p + "none", b"x"),
             False)
    r.read("get replaced", k2, b"v2b")
    r.expect("delete", r.call("delete", a.delete, k2), True)
    r.read("get deleted", k2, None)
    r.stores(n, b"10")
    r.expect("set number", r.call("set", a.set, n, b"10"), True)
    r.expect("incr", r.call("incr", a.incr, n, 5), 15, allowed=range(0, 100))
    r.expect("decr", r.call("decr", a.decr, n, 20), 0, allowed=range(0, 100))
    got = r.call("gets", a.gets, k1)
    if got is not FAILED and got is not None and got[0] is not None:
        r.stores(k1, b"v1cas")
        r.expect("cas", r.call("cas", a.cas, k1, b"v1cas", got[1]), True)
        r.read("get after cas", k1, b"v1cas")
    elif r.strict:
        r.expect("gets", got, (b"v1", "cas"))
    else:
        r.clean += 1  # a miss: the item was evicted or never stored
    r.expect("touch", r.call("touch", a.touch, k1, 100), True)
    want = {k1: b"v1cas", n: b"0"}
    got = r.call("get_multi", a.get_multi, [k1, n, p + "none"])
    if got is FAILED or not isinstance(got, dict):
        r.expect("get_multi", got, want)
    else:
        for k, v in got.items():
            if v not in r.possible.get(k, set()) and not (k == n and v.isdigit()):
                r.note("WRONG", "get_multi: %r under %s" % (short(v), k))
        r.expect("get_multi", got, want, allowed=(got,))
    if hasattr(a, "set_noreply"):
        r.stores(nr, b"quiet")
        r.call("set noreply", a.set_noreply, nr, b"quiet")
        r.read("get after noreply", nr, b"quiet")
    r.stores(big, LARGE)
    r.expect("set large", r.call("set", a.set, big, LARGE), True)
    r.read("get large", big, LARGE)


class ClientAdapter:
    """An adapter over a client object self.c whose methods already have the
    scenario's names; a client's adapter overrides where its library differs."""

    def set(self, k, v):
        return bool(self.c.set(k, v))

    def get(self, k):
        return self.c.get(k)

    def add(self, k, v):
        return bool(self.c.add(k, v))

    def replace(self, k, v):
        return bool(self.c.replace(k, v))

    def delete(self, k):
        return bool(self.c.delete(k))

    def incr(self, k, d):
        return self.c.incr(k, d)

    def decr(self, k, d):
        return self.c.decr(k, d)

    def gets(self, k):
        return self.c.gets(k)

    def cas(self, k, v, cas_id):
        return bool(self.c.cas(k, v, cas_id))

    def touch(self, k, t):
        return bool(self.c.touch(k, t))

    def get_multi(self, keys):
        return self.c.get_multi(keys)


def main(make_adapter):
    a = None
    r = None
    for i in range(ROUNDS):
        try:
            a = make_adapter()
        except Exception as e:
            print("CRASH: creating the client: %r" % e, file=sys.stderr)
            sys.exit(1)
        if r is None:
            r = Run(a)
        r.a = a
        one_round(r, a, "cc%d_%d_" % (os.getpid(), i))
    k1 = "cc%d_end" % os.getpid()
    # Recovery: the client works again once faults let it.
    recovered = False
    until = time.time() + 5
    while time.time() < until and not recovered:
        r.stores(k1, b"end")
        if r.call("set", a.set, k1, b"end") is True and \
                r.call("get", a.get, k1) == b"end":
            recovered = True
        else:
            time.sleep(0.05)
    print("%s: %d ok, %d clean failures, %d problems%s" % (
        a.name, r.ok, r.clean, len(r.bad), "" if recovered else ", NO RECOVERY"),
        file=sys.stderr)
    if r.bad:
        sys.exit(1)
    if not recovered:
        sys.exit(2)
    sys.exit(3 if FINDINGS else 0)
