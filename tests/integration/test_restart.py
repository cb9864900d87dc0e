"""Restartable cache (-e FILE): what a restart keeps, and every file it must
refuse ([restart.*] in spec/protocol.md).  mcref only: memcached 1.6.18
serves damaged files (see the README)."""

import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, SkipTest, check, eq, is_memcached,  # noqa: E402
                       test, main)

# clauses: restart.flag restart.graceful restart.restore restart.unclean
# clauses: restart.image restart.settings restart.checksum restart.clock
# clauses: restart.layout restart.record

P = "restart/"
N = 300


def _dir():
    if is_memcached():
        raise SkipTest("mcref's restart rules; memcached trusts damaged files")
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    return tempfile.mkdtemp(prefix="mcref-it-restart-", dir=base)


def _server(path, *extra):
    return Server(["-e", path, "-m", "16", "-v", "-A"] + list(extra))


def _fill(s):
    """N items with flags and CAS, half with a TTL; returns {key: (flags, value, cas)}."""
    want = {}
    with s.conn() as c:
        for i in range(N):
            key = "key%d" % i
            value = ("v%d-" % i).encode() * (1 + i % 37)
            eq(c.store("set", key, value, flags=i * 7, exptime=3600 if i % 2 else 0),
               "STORED", "set")
        for i in range(N):
            key = "key%d" % i
            c.send("gets %s\r\n" % key)
            parts = c.readline().split()
            data = c.read_exact(int(parts[3]) + 2)[:-2]
            eq(c.readline(), b"END", "gets end")
            want[key] = (int(parts[2]), data, int(parts[4]))
    return want


def _check_all(s, want):
    with s.conn() as c:
        for key, (flags, value, cas) in want.items():
            c.send("gets %s\r\n" % key)
            line = c.readline()
            check(line.startswith(b"VALUE "), "%s kept after restart: %r" % (key, line))
            parts = line.split()
            eq(int(parts[2]), flags, "flags of " + key)
            eq(int(parts[4]), cas, "CAS of " + key)
            eq(c.read_exact(int(parts[3]) + 2)[:-2], value, "value of " + key)
            eq(c.readline(), b"END", "gets end")


def _graceful_stop(s):
    s.expect_exit = True
    eq(s.stop(signal.SIGUSR1), 0, "exit status after SIGUSR1")


def _expect_empty(s, reason):
    """The server says why at start, is empty, and serves."""
    text = s.stderr_text()
    check(reason in text and "starting with an empty cache" in text,
          "message %r missing from %r" % (reason, text[-600:]))
    with s.conn() as c:
        eq(c.get("key1"), None, "nothing restored")
        eq(c.store("set", "after", "ok"), "STORED", "serves after the refusal")
        eq(c.get("after"), b"ok", "get after the refusal")


def _saved(d, *extra):
    """A file saved by a graceful stop, with its items."""
    path = os.path.join(d, "cache")
    s = _server(path, *extra).start()
    want = _fill(s)
    _graceful_stop(s)
    check(os.path.exists(path + ".meta"), "SIGUSR1 wrote FILE.meta")
    return path, want


@test(P + "sigusr1_keeps_items_flags_cas_ttl")
def _():
    d = _dir()
    try:
        path, want = _saved(d)
        # Restarted within the same second as the stop: still restored.
        with _server(path) as s:
            check(not os.path.exists(path + ".meta"), "FILE.meta removed once read")
            check("restored %d items" % N in s.stderr_text(), "restore announced at -v")
            _check_all(s, want)
            with s.conn() as c:
                c.send("set new 0 0 1\r\nx\r\ngets new\r\n")
                eq(c.readline(), b"STORED", "set after restore")
                cas = int(c.readline().split()[4])
                check(cas > max(v[2] for v in want.values()), "CAS keeps increasing")
                c.readline(), c.readline()
                # A short TTL keeps counting while the server is down.
                eq(c.store("set", "short", "s", exptime=2), "STORED", "set short")
                c.send("shutdown graceful\r\n")
            s.expect_exit = True
            eq(s.wait(5), 0, "exit status after shutdown graceful")
        check(os.path.exists(path + ".meta"), "shutdown graceful wrote FILE.meta")
        time.sleep(2.2)
        with _server(path) as s:
            with s.conn() as c:
                eq(c.get("short"), None, "TTL counted while down")
                eq(c.get("new"), b"x", "item kept by shutdown graceful")
            _check_all(s, {k: v for k, v in list(want.items())[:20]})
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test(P + "sigterm_and_kill9_start_empty")
def _():
    d = _dir()
    try:
        path = os.path.join(d, "cache")
        s = _server(path).start()
        _fill(s)
        s.expect_exit = True
        s.stop(signal.SIGTERM)
        check(not os.path.exists(path + ".meta"), "SIGTERM writes no FILE.meta")
        with _server(path) as s:
            _expect_empty(s, "not graceful")
            _fill(s)
            s.expect_exit = True
            s.stop(signal.SIGKILL)
        with _server(path) as s:
            _expect_empty(s, "not graceful")
        # An image that survived next to a file written after it (a kill -9
        # after a restart that did not consume it) fails the checksum.
        path2, want = _saved(d)
        with open(path2 + ".meta", "rb") as f:
            meta = f.read()
        with _server(path2) as s:
            with s.conn() as c:
                for i in range(50):
                    eq(c.store("set", "key%d" % i, "changed"), "STORED", "overwrite")
            s.expect_exit = True
            s.stop(signal.SIGKILL)
        with open(path2 + ".meta", "wb") as f:
            f.write(meta)
        with _server(path2) as s:
            _expect_empty(s, "checksum")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test(P + "truncated_files_start_empty")
def _():
    d = _dir()
    try:
        path, _want = _saved(d)
        os.truncate(path, 1 << 20)
        with _server(path) as s:
            _expect_empty(s, "truncated, or written with another -m")
        # Each save's image may differ in length (its numbers' digits), so
        # every cut is taken from the image it cuts.
        for part in ("none", "head", "half", "all but its last byte"):
            path, _want = _saved(d)
            size = os.path.getsize(path + ".meta")
            cut = {"none": 0, "head": 10, "half": size // 2,
                   "all but its last byte": size - 1}[part]
            os.truncate(path + ".meta", cut)
            with _server(path) as s:
                _expect_empty(s, "truncated or damaged")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test(P + "corrupted_bytes_start_empty", timeout=60)
def _():
    d = _dir()
    try:
        # One flipped bit, then 4 KiB of damage (memcached hung on that).
        for offset, length in ((1000, 1), (4096, 4096), (0, 64)):
            path, _want = _saved(d)
            with open(path, "r+b") as f:
                f.seek(offset)
                data = bytearray(f.read(length))
                for i in range(len(data)):
                    data[i] ^= 0x5a
                f.seek(offset)
                f.write(bytes(data))
            with _server(path) as s:
                _expect_empty(s, "checksum")
        # A damaged image: one changed digit, and garbage.
        path, _want = _saved(d)
        with open(path + ".meta", "r+b") as f:
            text = f.read().replace(b"\nhead ", b"\nhead 1", 1)
            f.seek(0)
            f.write(text)
        with _server(path) as s:
            _expect_empty(s, "checksum")
        path, _want = _saved(d)
        with open(path + ".meta", "wb") as f:
            f.write(os.urandom(300))
        with _server(path) as s:
            _expect_empty(s, "image")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def _rewrite_meta(path, old, new):
    """Edits FILE.meta and signs it again, as a writer of that text would."""
    with open(path + ".meta", "rb") as f:
        text = f.read()
    body = text[:text.rindex(b"sum ")].replace(old, new, 1)
    check(old in text, "%r in FILE.meta" % old)
    with open(path + ".meta", "wb") as f:
        f.write(body + b"sum %016x\n" % _fnv1a(body))


@test(P + "other_settings_and_version_start_empty", timeout=60)
def _():
    d = _dir()
    try:
        path, _want = _saved(d)
        with Server(["-e", path, "-m", "32", "-v"]) as s:
            _expect_empty(s, "another -m")
        path, _want = _saved(d)
        with _server(path, "-I", "2m") as s:
            _expect_empty(s, "other settings")
        path, _want = _saved(d)
        with _server(path, "-C") as s:
            _expect_empty(s, "other settings")
        path, _want = _saved(d)
        _rewrite_meta(path, b"\nversion ", b"\nversion 9.")
        with _server(path) as s:
            _expect_empty(s, "another mcref version")
        # A consistent-looking image with impossible positions.
        path, _want = _saved(d)
        _rewrite_meta(path, b"\nhead ", b"\nhead 9")
        with _server(path) as s:
            _expect_empty(s, "positions are impossible")
        # A stop time in the future (the clock went back).
        path, _want = _saved(d)
        _rewrite_meta(path, b"\nlast_now_s 1", b"\nlast_now_s 3")
        with _server(path) as s:
            _expect_empty(s, "the clock is before")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
