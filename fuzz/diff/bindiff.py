#!/usr/bin/python3
"""bindiff.py - differential fuzzing of mcref's binary protocol ([bin.*])
against memcached 1.6.18.

Starts build/release/mcref and /usr/bin/memcached on 127.0.0.1 (ports from
--ports, default 25560-25599), sends both the same random binary packet
streams, and compares the responses batch by batch. Each batch is 1-4
packets followed by a NOOP whose response ends the batch. CAS uniques are
compared as zero / non-zero (the servers' counters need not agree) and the
version body is left out; everything else must be equal byte for byte.

    fuzz/diff/bindiff.py [--seed S] [--seconds T | --runs N] [--batches N]
                         [--ports LO-HI] [--verbose]

The generator stays clear of the differences spec/protocol.md allows: no
unknown opcode with a body ([bin.unknown]), no packet that closes the
connection, no get of a counter after incr/decr (memcached pads a shorter
number with spaces, [incr.no-padding]), no expiring TTLs, no
flush. Exit status: 0 no divergence, 1 divergence, 2 set-up error.
"""
import argparse
import os
import random
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))
MCREF = os.path.join(ROOT, "build", "release", "mcref")
MEMCACHED = "/usr/bin/memcached"
KEYS = [b"a", b"bb", b"key3", b"k4", b"n1", b"n2"]
COUNTERS = {b"n1", b"n2"}


def packet(op, key=b"", extras=b"", value=b"", opaque=0, cas=0):
    body = len(extras) + len(key) + len(value)
    return struct.pack(">BBHBBHIIQ", 0x80, op, len(key), len(extras), 0, 0,
                       body, opaque, cas) + extras + key + value


class Server:
    def __init__(self, argv, port):
        self.port = port
        self.proc = subprocess.Popen(argv + ["-p", str(port), "-l", "127.0.0.1",
                                             "-U", "0"] +
                                     (["-u", "root"] if os.geteuid() == 0 else []),
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        end = time.monotonic() + 5
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                if time.monotonic() > end or self.proc.poll() is not None:
                    raise RuntimeError("server on %d did not start" % port)
                time.sleep(0.05)
        self.sock.settimeout(5)
        self.buf = b""

    def read_packet(self):
        while len(self.buf) < 24:
            d = self.sock.recv(65536)
            if not d:
                raise RuntimeError("closed")
            self.buf += d
        body = struct.unpack(">I", self.buf[8:12])[0]
        while len(self.buf) < 24 + body:
            d = self.sock.recv(65536)
            if not d:
                raise RuntimeError("closed")
            self.buf += d
        p, self.buf = self.buf[:24 + body], self.buf[24 + body:]
        return p

    def batch(self, data, sentinel):
        self.sock.sendall(data + packet(0x0a, opaque=sentinel))
        out = []
        while True:
            p = self.read_packet()
            if p[1] == 0x0a and struct.unpack(">I", p[12:16])[0] == sentinel:
                return out
            out.append(p)

    def stop(self):
        self.sock.close()
        self.proc.kill()
        self.proc.wait()


def normal(p):
    """A response with its CAS as 0/1, the version body dropped."""
    cas = struct.unpack(">Q", p[16:24])[0]
    head = p[:16] + struct.pack(">Q", 1 if cas else 0)
    if p[1] == 0x0b:
        return head[:8] + head[12:]
    return head + p[24:]


def gen_packet(rng, decremented):
    key = rng.choice(KEYS)
    opaque = rng.randrange(1 << 32)
    cas = rng.choice([0, 0, 0, 123456789])
    flags = rng.randrange(4)
    exptime = rng.choice([0, 0, 100000])
    if key in COUNTERS:
        ops = [0x00, 0x05, 0x06, 0x15, 0x16, 0x04, 0x01, 0x0c, 0x09, 0x1c]
    else:
        ops = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0c, 0x0d, 0x09, 0x0e, 0x0f,
               0x11, 0x12, 0x13, 0x14, 0x19, 0x1a, 0x1c, 0x1d, 0x1e, 0x23,
               0x24, 0x10, 0x0b]
    op = rng.choice(ops)
    if key in decremented and op in (0x00, 0x0c, 0x09):
        op = 0x05  # a get would show memcached's padding
    if op in (0x01, 0x02, 0x03, 0x11, 0x12, 0x13):
        if key in COUNTERS:
            value = str(rng.randrange(100)).encode()
            if cas == 0 and op in (0x01, 0x11):
                decremented.discard(key)  # a plain set stores it afresh
        else:
            value = bytes(rng.randrange(256) for _ in range(rng.randrange(20)))
        return packet(op, key, struct.pack(">II", flags, exptime), value,
                      opaque, cas)
    if op in (0x0e, 0x0f, 0x19, 0x1a):
        value = bytes(rng.randrange(97, 123) for _ in range(rng.randrange(5)))
        return packet(op, key, b"", value, opaque, cas)
    if op in (0x05, 0x06, 0x15, 0x16):
        decremented.add(key)  # a shorter result may be padded (incr too)
        # Small deltas: values near 2^64 are [incr.*]'s business (the text
        # differential covers them), not the binary framing's.
        delta = rng.choice([0, 1, 7, 1000])
        extras = struct.pack(">QQI", delta, rng.randrange(100),
                             rng.choice([0, 0xffffffff]))
        # Known, left to the store: memcached answers an empty value's
        # incr with a wrong CAS as non-numeric, mcref as exists (meta ma
        # too). Counters are never empty.
        return packet(op, key, extras, b"", opaque,
                      cas if key in COUNTERS else 0)
    if op in (0x1c, 0x1d, 0x1e, 0x23, 0x24):
        return packet(op, key, struct.pack(">I", 100000), b"", opaque, 0)
    if op == 0x10:
        return packet(op, b"nope", b"", b"", opaque)  # an unknown group
    if op == 0x0b:
        return packet(op, b"", b"", b"", opaque)
    return packet(op, key, b"", b"", opaque, cas if op in (0x04, 0x14) else 0)


def run_once(seed, batches, ports, verbose):
    rng = random.Random(seed)
    a = Server([MCREF], ports[0])
    try:
        b = Server([MEMCACHED, "-t", "1"], ports[1])
    except Exception:
        a.stop()
        raise
    decremented = set()
    try:
        for i in range(batches):
            data = b"".join(gen_packet(rng, decremented)
                            for _ in range(rng.randrange(1, 5)))
            sentinel = 0xfeed0000 + i
            ra = [normal(p) for p in a.batch(data, sentinel)]
            rb = [normal(p) for p in b.batch(data, sentinel)]
            if ra != rb:
                print("seed %d: batch %d differs\n  sent:     %r\n"
                      "  mcref:    %r\n  memcached: %r" % (seed, i, data, ra, rb))
                return False
        if verbose:
            print("seed %d: %d batches agree" % (seed, batches))
        return True
    finally:
        a.stop()
        b.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--batches", type=int, default=200)
    ap.add_argument("--ports", default="25560-25599")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.ports.split("-"))
    seed = args.seed if args.seed is not None else int(time.time())
    runs = 1 if args.seed is not None else args.runs
    print("bindiff: first seed %d" % seed)
    start = time.monotonic()
    i = 0
    port = lo
    while True:
        if args.seconds > 0:
            if time.monotonic() - start >= args.seconds:
                break
        elif i >= runs:
            break
        if port + 1 > hi:
            port = lo
        try:
            ok = run_once(seed + i, args.batches, (port, port + 1), args.verbose)
        except RuntimeError as e:
            print("set-up error: %s" % e)
            return 2
        port += 2
        if not ok:
            print("replay: fuzz/diff/bindiff.py --seed %d --batches %d"
                  % (seed + i, args.batches))
            return 1
        i += 1
    print("%d runs, no divergence" % i)
    return 0


if __name__ == "__main__":
    sys.exit(main())
