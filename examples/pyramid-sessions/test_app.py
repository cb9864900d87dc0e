"""The Pyramid example against a real mcref, once with python-memcache and
once with pylibmc: log in, count in the session, use a cache region, let
the session expire, and restart mcref under the app (its sessions and cache
entries are gone: a miss, never an error, and it carries on).

Run by ci/test-examples.sh (make test); MCREF_BIN names the server."""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "common"))

import webtest  # noqa: E402

import app as demo  # noqa: E402
from mcnode import Node  # noqa: E402

SESSION_TIMEOUT = 2  # seconds, so that expiry is quick to see


def wait_for(fn, timeout, what):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("not within %s s: %s" % (timeout, what))
        time.sleep(0.1)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def run(module):
    node = Node().start()
    try:
        web = webtest.TestApp(demo.main(**demo.settings_for(
            node.address, module, timeout=SESSION_TIMEOUT,
            lock_dir=os.path.join(node.dir, "lock"))))
        # Not logged in yet.
        web.get("/count", status=403)
        r = web.get("/login", {"user": "ann"})
        check("demo_session=" in r.headers.get("Set-Cookie", ""), "session cookie")
        for n in (1, 2, 3):
            r = web.get("/count")
            check(r.text == "ann: %d\n" % n, "count %d: %r" % (n, r.text))
        st = node.stats()
        check(int(st["curr_items"]) >= 1 and int(st["get_hits"]) >= 3,
              "the session lives in mcref: %s items, %s hits" % (st["curr_items"], st["get_hits"]))

        # A cache region: computed once, then served from mcref.
        before = demo.COMPUTED["square"]
        check(web.get("/square/7").text == "49\n", "square")
        check(web.get("/square/7").text == "49\n", "square again")
        check(demo.COMPUTED["square"] == before + 1, "computed once, cached after")

        # The session expires after SESSION_TIMEOUT s without a request.
        time.sleep(SESSION_TIMEOUT + 1.2)
        web.get("/count", status=403)

        # Logged in again; then mcref restarts on the same port.
        web.get("/login", {"user": "bob"})
        check(web.get("/count").text == "bob: 1\n", "count after new login")
        node.stop()
        node.start()
        check(int(node.stats()["curr_items"]) == 0, "a fresh mcref")
        # Sessions and cache entries are gone: misses, not errors (no 500).
        r = web.get("/count", expect_errors=True)
        check(r.status_int == 403, "after the restart: %s %r" % (r.status, r.text))
        before = demo.COMPUTED["square"]
        check(web.get("/square/7").text == "49\n", "square after restart")
        check(demo.COMPUTED["square"] == before + 1, "recomputed after restart")

        # And it carries on: new sessions are stored again (a client that
        # marked the server dead retries it after a while).
        def works_again():
            web.get("/login", {"user": "cy"})
            r = web.get("/count", expect_errors=True)
            return r.status_int == 200 and r.text == "cy: 1\n"
        wait_for(works_again, 40, "sessions stored in the restarted mcref")
        print("PASS pyramid-sessions/%s" % module)
    finally:
        node.close()


def main():
    if len(sys.argv) == 2:
        try:
            run(sys.argv[1])
        except Exception as e:
            print("FAIL pyramid-sessions/%s: %s: %s" % (sys.argv[1], type(e).__name__, e))
            sys.exit(1)
        return
    # One process per client: Beaker keeps its clients and region caches
    # per process, as a real deployment has one client library.
    import subprocess
    failed = 0
    for module in ("memcache", "pylibmc"):
        rc = subprocess.run([sys.executable, os.path.abspath(__file__), module],
                            timeout=90).returncode
        failed += rc != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
