"""The binary protocol ([bin.*]) and authentication ([auth.*]) with real
clients: pylibmc binary=True (Debian python3-pylibmc), libmemcached tools
with --binary (libmemcached-tools), SASL PLAIN from pylibmc, ascii auth."""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcharness import (Server, ServerError, SkipTest, check, eq,  # noqa: E402
                       is_memcached, test, main)  # noqa: E402

import pylibmc  # noqa: E402

P = "binary/"

BEHAVIORS = {"tcp_nodelay": True, "connect_timeout": 5000,
             "send_timeout": 5000000, "receive_timeout": 5000000,
             "_poll_timeout": 5000, "retry_timeout": 0}


class AuthServer(Server):
    """A server under -S or -Y: ready when it answers a binary version
    (allowed before SASL) or refuses a text one (-Y)."""

    def _wait_ready(self):
        import time
        end = time.monotonic() + self.ready_timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False, "exited rc=%s" % self.proc.returncode
            try:
                sock = socket.create_connection(("127.0.0.1", self.port),
                                                timeout=1.0)
            except OSError:
                time.sleep(0.02)
                continue
            try:
                if "-S" in self.args:
                    sock.sendall(packet(0x0b))
                    p = read_packet(sock)
                    return (p is not None and p["status"] == 0), "version"
                sock.sendall(b"version\r\n")
                line = sock.makefile("rb").readline()
                return line == b"CLIENT_ERROR unauthenticated\r\n", repr(line)
            except OSError as e:
                time.sleep(0.02)
                why = str(e)
            finally:
                sock.close()
        return False, "timeout"


def client(srv, **kw):
    b = dict(BEHAVIORS, cas=True)
    return pylibmc.Client(["127.0.0.1:%d" % srv.port], binary=True,
                          behaviors=b, **kw)


def run(argv, timeout=30):
    return subprocess.run(argv, capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def pwfile(text):
    fd, path = tempfile.mkstemp(prefix="mcref-it-pw-")
    os.write(fd, text.encode())
    os.close(fd)
    return path


def packet(op, key=b"", extras=b"", value=b"", opaque=0):
    body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0,
                       body, opaque, 0) + extras + key + value


def read_packet(sock):
    head = b""
    while len(head) < 24:
        d = sock.recv(24 - len(head))
        if not d:
            return None
        head += d
    magic, op, kl, el, _, status, bl, opaque, cas = struct.unpack(
        ">BBHBBHIIQ", head)
    body = b""
    while len(body) < bl:
        d = sock.recv(bl - len(body))
        check(d, "connection closed inside a packet")
        body += d
    return {"magic": magic, "op": op, "status": status, "opaque": opaque,
            "cas": cas, "extras": body[:el], "key": body[el:el + kl],
            "value": body[el + kl:]}


@test(P + "pylibmc_set_get_multi")
def _():
    with Server() as s:
        c = client(s)
        eq(c.set("a", "1"), True, "set")
        eq(c.set("big", b"x" * 500000), True, "set 500 kB")
        eq(c.set("n", 5), True, "set int")
        eq(c.get("a"), "1", "get")
        eq(len(c.get("big")), 500000, "large value")
        got = c.get_multi(["a", "big", "missing", "n"])
        eq(sorted(got), ["a", "big", "n"], "get_multi keys (misses left out)")
        eq(got["n"], 5, "get_multi int")
        c.set_multi({"k%d" % i: i for i in range(200)})
        eq(len(c.get_multi(["k%d" % i for i in range(200)])), 200,
           "get_multi of 200 keys")
        eq(c.incr("n", 3), 8, "incr")
        eq(c.decr("n", 10), 0, "decr floors at 0")
        eq(c.add("a", "2"), False, "add existing")
        try:
            c.replace("zz", "2")
            replaced = True
        except pylibmc.NotFound:  # binary: a miss is status 1, an error
            replaced = False
        eq(replaced, False, "replace missing")
        eq(c.append("a", "+"), True, "append")
        eq(c.prepend("a", "-"), True, "prepend")
        eq(c.get("a"), "-1+", "after append/prepend")
        v, cas = c.gets("a")
        eq(c.cas("a", "new", cas), True, "cas with the current unique")
        eq(c.cas("a", "newer", cas), False, "cas with a stale unique")
        eq(c.delete("a"), True, "delete")
        eq(c.get("a"), None, "get after delete")
        eq(c.touch("big", 100), True, "touch")
        stats = c.get_stats()[0][1]
        check(int(stats["curr_items"]) >= 200, "stats over binary")
        c.flush_all()
        eq(c.get("big"), None, "after flush")
        c.disconnect_all()


@test(P + "memccapable_binary")
def _():
    check(shutil.which("memccapable"), "memccapable not installed")
    with Server() as s:
        r = run(["memccapable", "-h", "127.0.0.1", "-p", str(s.port), "-b"],
                timeout=60)
        out = r.stdout.decode(errors="replace")
        check(r.returncode == 0 and "All tests passed" in out,
              "memccapable -b: rc=%d %s" % (r.returncode, out[-600:]))


@test(P + "libmemcached_tools_binary")
def _():
    for t in ("memccp", "memccat", "memcstat", "memcrm"):
        check(shutil.which(t), t + " not installed")
    tmp = tempfile.mkdtemp(prefix="mcref-it-bin-")
    try:
        path = os.path.join(tmp, "file.bin")
        data = bytes(range(256)) * 100
        with open(path, "wb") as f:
            f.write(data)
        with Server() as s:
            srv = "--servers=127.0.0.1:%d" % s.port
            r = run(["memccp", "--binary", srv, path])
            eq(r.returncode, 0, "memccp --binary")
            r = run(["memccat", "--binary", srv, "file.bin"])
            eq(r.stdout, data + b"\n", "memccat --binary (it adds a newline)")
            r = run(["memcstat", "--binary", srv])
            check(b"curr_items" in r.stdout, "memcstat --binary: %r" % r.stdout[:200])
            r = run(["memcrm", "--binary", srv, "file.bin"])
            eq(r.returncode, 0, "memcrm --binary")
            r = run(["memccat", "--binary", srv, "file.bin"])
            check(r.returncode != 0, "memccat after memcrm")
    finally:
        shutil.rmtree(tmp)


def mcref_only():
    if is_memcached():
        raise SkipTest("mcref's password file (memcached: Cyrus SASL)")


@test(P + "sasl_pylibmc")
def _():
    mcref_only()
    path = pwfile("alice:secret\nbob:other pass\n")
    os.environ["MEMCACHED_SASL_PWDB"] = path
    try:
        with AuthServer(["-S"]) as s:
            c = client(s, username="alice", password="secret")
            eq(c.set("k", "v"), True, "set after SASL")
            eq(c.get("k"), "v", "get after SASL")
            c2 = client(s, username="bob", password="other pass")
            eq(c2.get("k"), "v", "a password with a space")
            bad = client(s, username="alice", password="wrong")
            try:
                bad.set("k", "x")
                ok = False
            except pylibmc.Error:
                ok = True
            check(ok, "a wrong password must fail")
            eq(c.get("k"), "v", "value unchanged by the refused client")
            # [auth.before]: a command before authentication: 0x20, closed.
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            sock.sendall(packet(0x00, b"k", opaque=9))
            p = read_packet(sock)
            eq((p["status"], p["value"], p["opaque"]),
               (0x20, b"Auth failure.", 9), "get before auth")
            eq(read_packet(sock), None, "closed after the auth error")
            sock.close()
            # [auth.sasl-binary-only]: a text command gets no reply.
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            sock.sendall(b"get k\r\n" * 4)  # 28 bytes: past a header
            eq(sock.recv(100), b"", "text under -S: closed without a reply")
            sock.close()
    finally:
        del os.environ["MEMCACHED_SASL_PWDB"]
        os.unlink(path)


def start_fails(args, want):
    srv = AuthServer(args)
    try:
        srv.start()
        srv.close()
        raise AssertionError("server started with %s" % (args,))
    except ServerError as e:
        check(want in str(e), "wanted %r in %s" % (want, str(e)[-300:]))


@test(P + "auth_file_errors")
def _():
    mcref_only()
    os.environ.pop("MEMCACHED_SASL_PWDB", None)
    start_fails(["-S"], "MEMCACHED_SASL_PWDB")
    start_fails(["-Y", "/nonexistent/mcref-pw"], "No such file")
    empty = pwfile("")
    noc = pwfile("alice:secret\njustauser\n")
    try:
        start_fails(["-Y", empty], "no user:password line")
        start_fails(["-Y", noc], "line 2: no ':'")
        os.environ["MEMCACHED_SASL_PWDB"] = noc
        start_fails(["-S"], "line 2")
    finally:
        os.environ.pop("MEMCACHED_SASL_PWDB", None)
        os.unlink(empty)
        os.unlink(noc)


@test(P + "ascii_auth")
def _():
    path = pwfile("alice:secret\n")
    try:
        with AuthServer(["-Y", path]) as s:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            f = sock.makefile("rb")
            sock.sendall(b"get k\r\n")
            eq(f.readline(), b"CLIENT_ERROR unauthenticated\r\n", "before auth")
            sock.sendall(b"set a 0 0 12\r\nalice wrong!\r\n")
            eq(f.readline(), b"CLIENT_ERROR authentication failure\r\n",
               "wrong password")
            sock.sendall(b"set a 0 0 12\r\nalice secret\r\n")
            eq(f.readline(), b"STORED\r\n", "authenticated")
            sock.sendall(b"set k 0 0 1\r\nv\r\nget k\r\n")
            eq(f.readline(), b"STORED\r\n", "set after auth")
            eq(f.readline(), b"VALUE k 0 1\r\n", "get after auth")
            sock.close()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
