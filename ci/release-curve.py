#!/usr/bin/env python3
"""ci/release-curve.py - resident memory over time after flush_all, mass
deletion and mass expiry ([mem.elastic]), for any memcached-compatible server.

  ci/release-curve.py SERVER_BIN PORT [extra server flags...]

Starts the server (-m 1024 -U 0 -l 127.0.0.1, plus the flags given), and for
each phase stores KEYS values of 1 KiB, then flushes / deletes 90% / lets
them expire (exptime 3 s), while one light client sends 100 requests/s
(90% get, 10% set of 1,000 small keys). Samples VmRSS every 0.5 s for 10 s
after the event and prints one line per phase: phase, then "t:MiB" pairs.
Kills only the server it started.
"""
import os, socket, subprocess, sys, threading, time

KEYS = 200000
VALUE = b"v" * 1024
SAMPLE_S, SAMPLES = 0.5, 21


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def connect(port):
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port))
        except OSError:
            time.sleep(0.05)
    raise SystemExit("cannot connect")


def drain(sock, want_end, count=None):
    buf = b""
    while True:
        d = sock.recv(1 << 20)
        if not d:
            raise SystemExit("closed")
        buf += d
        if count is not None and buf.count(want_end) >= count:
            return buf
        if count is None and buf.endswith(want_end):
            return buf


def store_all(port, exptime):
    s = connect(port)
    batch = []
    for i in range(KEYS):
        batch.append(b"set big:%08d 0 %d 1024 noreply\r\n%s\r\n" % (i, exptime, VALUE))
        if len(batch) == 500:
            s.sendall(b"".join(batch))
            batch = []
    s.sendall(b"".join(batch) + b"version\r\n")
    drain(s, b"\r\n", 1)
    s.close()


def command(port, line):
    s = connect(port)
    s.sendall(line)
    reply = drain(s, b"\r\n", 1)
    s.close()
    return reply


def delete_most(port):
    s = connect(port)
    batch = []
    for i in range(KEYS):
        if i % 10 != 0:
            batch.append(b"delete big:%08d noreply\r\n" % i)
        if len(batch) == 1000:
            s.sendall(b"".join(batch))
            batch = []
    s.sendall(b"".join(batch) + b"version\r\n")
    drain(s, b"\r\n", 1)
    s.close()


def light_traffic(port, stop):
    s = connect(port)
    n = 0
    while not stop.is_set():
        k = n % 1000
        if n % 10 == 0:
            s.sendall(b"set small:%d 0 0 10\r\n0123456789\r\n" % k)
        else:
            s.sendall(b"get small:%d\r\n" % k)
        drain(s, b"\r\n")
        n += 1
        time.sleep(0.01)
    s.close()


def sample(pid, label, t0_rss):
    points = [f"0.0:{t0_rss:.1f}"]
    start = time.monotonic()
    for i in range(1, SAMPLES):
        time.sleep(max(0, start + i * SAMPLE_S - time.monotonic()))
        points.append(f"{i * SAMPLE_S:.1f}:{rss_mib(pid):.1f}")
    print(label, " ".join(points), flush=True)


def main():
    bin_, port, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    user = ["-u", "root"] if os.getuid() == 0 else []
    srv = subprocess.Popen([bin_, "-p", str(port), "-U", "0", "-l", "127.0.0.1",
                            "-m", "1024", *user, *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        connect(port).close()
        stop = threading.Event()
        light = threading.Thread(target=light_traffic, args=(port, stop))
        light.start()
        print(f"idle {rss_mib(srv.pid):.1f}")
        # flush_all
        store_all(port, 0)
        before = rss_mib(srv.pid)
        command(port, b"flush_all\r\n")
        sample(srv.pid, "flush_all", before)
        # 90% deleted
        store_all(port, 0)
        before = rss_mib(srv.pid)
        delete_most(port)
        sample(srv.pid, "delete90", before)
        command(port, b"flush_all\r\n")
        time.sleep(2)
        # all expire 3 s after being stored
        store_all(port, 3)
        before = rss_mib(srv.pid)
        sample(srv.pid, "expire(3s)", before)
        stop.set()
        light.join()
    finally:
        srv.kill()
        srv.wait()


if __name__ == "__main__":
    main()
