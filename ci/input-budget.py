#!/usr/bin/env python3
"""Memory under a slow-get attack ([conn.input-budget]): N clients each send
a get line of SIZE bytes without its newline; reports the server's peak RSS,
how many clients were refused (SERVER_ERROR ...) or closed, and whether a
well-behaved client is still served meanwhile.

    ci/input-budget.py BIN [--clients 100] [--mb 4] [--port 26280] [-- extra server args]
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run(binary, clients, mb, port, extra):
    argv = [binary, "-p", str(port), "-l", "127.0.0.1", "-c", str(clients + 50)] + extra
    if os.geteuid() == 0:
        argv += ["-u", "root"]
    proc = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                probe = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                time.sleep(0.02)
        line = b"get " + b" ".join([b"k" * 200] * (mb * 1024 * 1024 // 201))
        conns = []
        for _ in range(clients):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            conns.append(c)
        refused = closed = 0
        first_error = [None]
        for c in conns:
            try:
                c.sendall(line)
            except OSError:
                pass
        time.sleep(1.0)
        probe.sendall(b"set p 0 0 1\r\nx\r\nget p\r\n")
        time.sleep(0.2)
        served = probe.recv(1000) == b"STORED\r\nVALUE p 0 1\r\nx\r\nEND\r\n"
        for c in conns:
            c.setblocking(False)
            try:
                d = c.recv(1000)
                if d.startswith(b"SERVER_ERROR"):
                    first_error[0] = first_error[0] or d
                    refused += 1
                elif d == b"":
                    closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        rss = peak_rss_kb(proc.pid)
        for c in conns:
            c.close()
        probe.close()
        print("first refusal: %r" % (first_error[0],))
        return rss, refused, closed, served
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--mb", type=int, default=4)
    ap.add_argument("--port", type=int, default=26280)
    ap.add_argument("extra", nargs="*")
    a, rest = ap.parse_known_args()
    a.extra = [x for x in a.extra + rest if x != "--"]
    rss, refused, closed, served = run(a.bin, a.clients, a.mb, a.port, a.extra)
    print("%s %s: %d clients x %d MB get line: peak RSS %.1f MiB, %d refused "
          "(SERVER_ERROR), %d closed, other client served: %s" %
          (os.path.basename(a.bin), " ".join(a.extra), a.clients, a.mb,
           rss / 1024.0, refused, closed, served))
    return 0


if __name__ == "__main__":
    sys.exit(main())
