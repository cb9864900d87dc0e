#!/usr/bin/python3
"""meta_lines.py - the meta line parser against memcached 1.6.18, line by line.

Generates random meta lines (mg md ma ms me mn with 0-18 flags drawn from
valid, malformed and foreign tokens), asks mcref's parser (through
fuzz/diff/meta_lines_drv.c, built here against build/release/libproto.a)
and a memcached on 127.0.0.1:PORT which error line each gets, and prints
every line where they differ. Each line is followed by `mn`, so memcached's
replies are delimited; memcached's non-error replies count as OK.

    make build/release/libproto.a build/release/libcommon.a
    memcached -U 0 -p 24200 -l 127.0.0.1 -u root &
    fuzz/diff/meta_lines.py [--seed S] [--lines N] [--port P]

The generator avoids what mcref answers differently on purpose (spec
clauses marked (mcref)): the flags E and x, base64 keys with bytes outside
the alphabet, opaques of exactly 32 bytes, F over 32 bits. Two differences
remain and are expected: `ms` over the token limit answers 1.6.40's
`options flags are too long` ([meta.ms-swallow-all]), and `ma` on a key an
`ms` stored as text answers memcached's non-numeric error (an engine
matter, not the parser's). Exit status 1 when any other line differs.
"""
import argparse
import os
import random
import socket
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FLAGS = ["v", "k", "c", "f", "s", "t", "h", "l", "u", "q", "b", "I", "P",
         "L", "Pz", "vv", "kx", "T30", "T-1", "T0", "T", "Tx", "T5x", "T+5",
         "T 5", "T4294967396", "T99999999999999999999", "N30", "N", "Nx",
         "R30", "R", "Rx", "C1", "C0", "C", "Cx", "C-1",
         "C18446744073709551615", "C18446744073709551616", "J5", "J", "Jx",
         "J-1", "D2", "D", "Dx", "D18446744073709551616", "F7", "F", "Fx",
         "F-1", "F4294967295", "MS", "ME", "MA", "MP", "MR", "MI", "MD", "M+",
         "M-", "Mx", "Ms", "MSS", "M", "M5", "O", "Oab", "O" + "o" * 31,
         "O" + "o" * 33, "zz", "!", "a", "S3", "0", "\x80", "\x7f", "\t"]
KEYS64 = ["YWJj", "YQ==", "YWI=", "YWJ", "Zm9v=", "====", "QUFB" * 63]
EXPECTED = ("CLIENT_ERROR options flags are too long",
            "CLIENT_ERROR options flags too long")


def gen_line(rng):
    cmd = rng.choice(["mg", "md", "ma", "ms", "me", "mn", "mg", "ms"])
    if cmd == "mn":
        return "mn" + (" x" if rng.random() < .3 else "") + "\r\n"
    if rng.random() < .2:
        key = rng.choice(KEYS64)
    elif rng.random() < .05:
        key = "k" * rng.choice([250, 251])
    else:
        key = cmd[1] + str(rng.randrange(4))
    if cmd == "ms" and len(key) > 250:
        key = "s1"
    if cmd == "me":
        return "me %s%s\r\n" % (key, rng.choice(["", " b", " bx", " v"]))
    sizes = [0, 1, 2, 3, 4, 5, 6, 16, 17, 18] if cmd != "ms" else \
        [0, 1, 2, 3, 4, 5, 6, 15, 16]
    flags = "".join(" " + rng.choice(FLAGS) for _ in range(rng.choice(sizes)))
    if cmd == "ms":
        return "ms %s 1%s\r\nz\r\n" % (key, flags)
    return "%s %s%s\r\n" % (cmd, key, flags)


def memcached_verdicts(port, lines):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    f = s.makefile("rb")
    out = []
    for ln in lines:
        mn = ln.startswith("mn")
        s.sendall(ln.encode("latin-1") + (b"" if mn else b"mn\r\n"))
        first = None
        while True:
            r = f.readline()
            if r == b"MN\r\n":
                break
            if r.startswith(b"VA "):
                f.read(int(r.split()[1]) + 2)
            if first is None:
                first = r.decode("latin-1").rstrip("\r\n")
        if mn:
            first = "MN"
        elif first is None or not (first.startswith("CLIENT_ERROR") or
                                   first == "ERROR"):
            first = "OK"
        out.append(first)
    s.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--port", type=int, default=24200)
    args = ap.parse_args()
    drv = os.path.join(ROOT, "build", "release", "meta_lines_drv")
    subprocess.run(["cc", "-O1", "-o", drv,
                    os.path.join(ROOT, "fuzz/diff/meta_lines_drv.c"),
                    os.path.join(ROOT, "build/release/libproto.a"),
                    os.path.join(ROOT, "build/release/libcommon.a")],
                   check=True)
    rng = random.Random(args.seed)
    lines = [gen_line(rng) for _ in range(args.lines)]
    mine = subprocess.run([drv], input="".join(lines).encode("latin-1"),
                          capture_output=True, check=True).stdout
    mine = mine.decode().splitlines()
    theirs = memcached_verdicts(args.port, lines)
    unexpected = expected = 0
    for ln, a, b in zip(lines, mine, theirs):
        if a == b:
            continue
        if (a, b) == EXPECTED or "non-numeric" in b:
            expected += 1
            continue
        unexpected += 1
        print(repr(ln), "mcref:", a, "| memcached:", b)
    print("seed %d: %d lines, %d differ as expected, %d otherwise"
          % (args.seed, len(lines), expected, unexpected))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
