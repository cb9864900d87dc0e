#!/usr/bin/env python3
"""Restore time of a full -e file: fills `-m MB` with items of VALUE bytes,
stops with SIGUSR1 (timing the save), restarts (timing until it answers
`version` and `stats` shows every item), and prints the figures.

    ci/restore-time.py [BIN] [--mb 1024] [--value 1000] [--port 26250] [--dir /dev/shm]
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def connect(port, deadline):
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=60)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def ask(sock, data, until):
    sock.sendall(data)
    buf = b""
    while not buf.endswith(until):
        d = sock.recv(1 << 20)
        if not d:
            raise RuntimeError("closed")
        buf += d
    return buf


def stats(sock):
    out = {}
    for line in ask(sock, b"stats\r\n", b"END\r\n").decode().split("\r\n"):
        p = line.split(" ")
        if len(p) == 3:
            out[p[1]] = p[2]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin", nargs="?", default="build/release/mcref")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--value", type=int, default=1000)
    ap.add_argument("--port", type=int, default=26250)
    ap.add_argument("--dir", default="/dev/shm")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="mcref-restore-", dir=a.dir)
    path = os.path.join(d, "cache")
    argv = [a.bin, "-p", str(a.port), "-l", "127.0.0.1", "-m", str(a.mb),
            "-e", path, "-v"]
    if os.geteuid() == 0:
        argv += ["-u", "root"]
    try:
        proc = subprocess.Popen(argv, stderr=subprocess.PIPE)
        s = connect(a.port, time.monotonic() + 10)
        value = b"x" * a.value
        batch = 2000
        i = 0
        t0 = time.monotonic()
        while True:
            req = b"".join(b"set k%d 0 0 %d noreply\r\n%s\r\n" % (j, a.value, value)
                           for j in range(i, i + batch))
            s.sendall(req)
            i += batch
            st = stats(s)
            if int(st["evictions"]) > 0:
                break
        fill_s = time.monotonic() - t0
        st = stats(s)
        items = int(st["curr_items"])
        nbytes = int(st["bytes"])
        s.close()
        t0 = time.monotonic()
        proc.send_signal(signal.SIGUSR1)
        proc.wait(120)
        save_s = time.monotonic() - t0
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stderr=subprocess.PIPE)
        s = connect(a.port, time.monotonic() + 120)
        ask(s, b"version\r\n", b"\r\n")
        ready_s = time.monotonic() - t0
        st2 = stats(s)
        s.close()
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=30)[1].decode(errors="replace")
        print("-m %d, %d-byte values: %d items, %d bytes (filled in %.1f s)" %
              (a.mb, a.value, items, nbytes, fill_s))
        print("save (SIGUSR1 to exit): %.3f s" % save_s)
        print("restart until it answers: %.3f s; items after restart: %s" %
              (ready_s, st2["curr_items"]))
        print("server said: %s" % " | ".join(l for l in err.splitlines() if "-e" in l))
        return 0 if int(st2["curr_items"]) == items else 1
    finally:
        for n in ("cache", "cache.meta"):
            try:
                os.unlink(os.path.join(d, n))
            except OSError:
                pass
        os.rmdir(d)


if __name__ == "__main__":
    sys.exit(main())
