#!/usr/bin/python3
"""mcdiff.py - differential fuzzing of mcref against memcached 1.6.18.

Starts build/release/mcref and /usr/bin/memcached on 127.0.0.1 (ports
25000-25999) with the same settings, sends both the same generated command
streams, and compares the replies batch by batch after normalising the
differences spec/differences.md allows. At the first real divergence it
shrinks the stream (drops batches, then commands, while the divergence
persists, on fresh servers each time) and prints the minimal reproducer as
byte strings and as a ready-to-run command.

    fuzz/diff/mcdiff.py [--seed S] [--seconds T | --runs N] [--batches N]
                        [--config FLAGS] [--keep-going] [--verbose]
                        [--protocol text|meta|mixed] [--ports LO-HI]
    fuzz/diff/mcdiff.py [--config FLAGS] --batch BYTES [--batch BYTES ...]
    fuzz/diff/mcdiff.py --protocol meta --validate [--seconds T]

A run draws its server flags (none, -C or -F unless --config is given) and
BATCHES batches of 1-3 commands from its seed; every seed is printed and
replays with --seed S --runs 1. Each batch is written at once and followed by
`version\\r\\n`, whose reply marks the end of the batch's replies. --batch
replays given batches (Python escapes: \\r \\n \\xNN) and prints both servers'
replies. Exit status: 0 no divergence, 1 divergence, 2 set-up error.

--protocol meta sends meta streams (mg ms md ma mn me, flag mixes biased to
the boundaries: opaques of 30/31 and 33/34 bytes, base64 keys, q, N R T I,
modes), mixed interleaves them with the text commands on the same keys; text
(the default) is the text generator alone. The meta differences allowed are
spec/differences.md's M1-M12 (avoided or normalised as it says), and a `t`
or `exp=` one second apart (the servers' clocks tick apart). --validate runs
the generator against memcached alone: no crash, every reply parses, every
batch ends with its sentinel.

The generator stays clear of what memcached answers nondeterministically or
by timing, or wrongly (spec/differences.md): no relative TTL that can expire
during a run, no delayed flush_all, no flush_all under -C, no values near the -I limit,
no command lines over 2048 bytes, no append/prepend on counters (decr pads
them), long-key gets and unsupported commands alone in their batch.
"""
import argparse
import base64
import binascii
import codecs
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))
MCREF = os.path.join(ROOT, "build", "release", "mcref")
MEMCACHED = "/usr/bin/memcached"
PORT_FIRST, PORT_LAST = 25000, 25999   # --ports overrides
START_TIMEOUT_S = 5.0
REPLY_TIMEOUT_S = 5.0     # a batch whose sentinel never comes waits this long
SENTINEL = b"version\r\n"
VALUE_MAX = 1048576       # -I: both servers run with the default
BIG_DATA = 1048576 + 64   # a too-large value, for both servers
LINE_MAX = 2048           # [frame.line-limit]: generated lines stay under it
RUN_SHOWN = 16            # runs of this many equal bytes print as b'x'*N
PORTS = (PORT_FIRST, PORT_LAST)

# --------------------------------------------------------------------------
# Servers


def free_port(rng_ports):
    for _ in range(200):
        port = rng_ports.randint(*PORTS)
        with socket.socket() as s:
            # Both servers listen with SO_REUSEADDR: ports in TIME_WAIT
            # from earlier runs are free for them.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port in %d-%d" % PORTS)


class Server:
    def __init__(self, name, argv, port):
        self.name = name
        self.port = port
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("%s did not start: %s" %
                                       (name, " ".join(argv)))
                time.sleep(0.01)
        self.sock = None

    def connect(self):
        self.close_conn()
        self.sock = socket.create_connection(("127.0.0.1", self.port), 2)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close_conn(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def stop(self):
        self.close_conn()
        if self.proc.poll() is None:
            # No state to keep, and memcached takes a second to stop on
            # SIGTERM: shrinking restarts the servers many times.
            self.proc.kill()
            self.proc.wait()


def start_servers(flags, rng_ports):
    p1 = free_port(rng_ports)
    p2 = free_port(rng_ports)
    while p2 == p1:
        p2 = free_port(rng_ports)
    common = ["-U", "0", "-l", "127.0.0.1", "-m", "64", "-c", "64"] + flags
    if os.getuid() == 0:
        common = ["-u", "root"] + common
    mcref = Server("mcref", [MCREF, "-p", str(p1)] + common, p1)
    try:
        memcached = Server("memcached",
                           [MEMCACHED, "-p", str(p2), "-t", "1"] + common, p2)
    except Exception:
        mcref.stop()
        raise
    return mcref, memcached


# --------------------------------------------------------------------------
# Replies: split into items, read up to the sentinel


def split_replies(data):
    """Reply items (lines, VALUE blocks) and whether the data is complete."""
    items = []
    at = 0
    while at < len(data):
        nl = data.find(b"\n", at)
        if nl < 0:
            return items, at
        line = data[at:nl + 1]
        if line.startswith(b"VALUE ") or line.startswith(b"VA "):
            fields = line.rstrip(b"\r\n").split(b" ")
            try:
                n = int(fields[3 if line.startswith(b"VALUE ") else 1])
            except (IndexError, ValueError):
                n = -1
            end = nl + 1 + n + 2
            if n >= 0:
                if end > len(data):
                    return items, at
                line = data[at:end]
                nl = end - 1
        items.append(line)
        at = nl + 1
    return items, at


def read_batch(server, sentinels):
    """Reads until `sentinels` VERSION lines; returns (bytes, closed)."""
    data = b""
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while True:
        items, _ = split_replies(data)
        if sum(1 for i in items if i.startswith(b"VERSION ")) >= sentinels:
            return data, False
        left = deadline - time.monotonic()
        if left <= 0:
            return data + b"<timeout>", False
        server.sock.settimeout(left)
        try:
            chunk = server.sock.recv(1 << 16)
        except socket.timeout:
            continue
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            server.close_conn()
            return data + b"<close>", True
        data += chunk


def exchange(server, batch):
    if server.sock is None:
        server.connect()
    payload = b"".join(u.data for u in batch.units) + SENTINEL
    try:
        server.sock.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass
    expected = 1 + sum(u.versions for u in batch.units)
    return read_batch(server, expected)


# --------------------------------------------------------------------------
# Normalisation: spec/differences.md, one function per entry


def normalise(reply, batch):
    """The reply with every difference spec/differences.md allows removed."""
    if batch.allowed:
        return b"<allowed: %s>" % batch.allowed.encode()
    items, rest = split_replies(reply)
    if batch.stats and items and items[-1].startswith(b"VERSION ") and \
            items[-2:-1] == [b"END\r\n"] and \
            all(i.startswith(b"STAT ") for i in items[:-2]):
        return b"<statistics>\r\nVERSION <version>\r\n"   # [stats.general]
    out = []
    in_stats = False
    for item in items:
        if item.startswith(b"VERSION "):           # [misc.version]
            item = b"VERSION <version>\r\n"
        elif item.startswith(b"STAT "):            # [stats.general]
            if not in_stats:
                out.append(b"<STAT lines>\r\n")
            in_stats = True
            continue
        elif item.startswith(b"VALUE "):          # [incr.no-padding]
            item = unpad_counter(item)
        elif item[:3] in META_CODES:
            if batch.swallow_all and item == b"MN\r\n":
                continue                             # M8 [meta.ms-swallow-all]
            item = normalise_meta(item)
        in_stats = False
        out.append(item)
    return b"".join(out) + reply[rest:]


META_CODES = (b"HD ", b"HD\r", b"VA ", b"EN ", b"EN\r", b"NF ", b"NF\r",
              b"NS ", b"NS\r", b"EX ", b"EX\r", b"ME ")


def b64_raw(token):
    """The bytes a canonical base64 token encodes, or None."""
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw) == token else None


def normalise_meta(item):
    """A meta reply line (and its data block) with spec/differences.md's
    meta allowances applied."""
    head, sep, body = item.partition(b"\r\n")
    words = head.split(b" ")
    if words[0] == b"ME":
        out = words[:2]
        for w in words[2:]:
            name, eq, val = w.partition(b"=")
            if name in (b"la", b"cls", b"size"):   # M5-like, M12 [meta.me]
                w = name + b"=*"
            elif name == b"fetch" and KNOWN.get("fetched"):
                w = b"fetch=*"
            elif name == b"exp" and val.lstrip(b"-").isdigit() and \
                    val != b"-1":                   # M10 [meta.me-exp]
                w = b"exp=" + val.lstrip(b"-")
            out.append(w)
        return b" ".join(out) + sep + body
    out = [words[0]]
    i = 1
    if words[0] == b"VA" and len(words) > 1:
        out.append(words[1])
        i = 2
    while i < len(words):
        w = words[i]
        if w[:1] == b"l" and w[1:].isdigit():     # M5 [meta.mg-access]
            w = b"l"
        elif w in (b"h0", b"h1") and KNOWN.get("fetched"):
            w = b"h"
        elif w[:1] == b"k" and i + 1 < len(words) and words[i + 1] == b"b":
            raw = b64_raw(w[1:])                    # M3 [meta.base64-mark]
            if raw is not None:
                out.append(b"k" + raw)
                i += 2
                continue
        out.append(w)
        i += 1
    line = b" ".join(out) + sep
    if words[0] == b"VA":                           # [incr.no-padding]
        data = body[:-2]
        stripped = data.rstrip(b" ")
        if stripped != data and stripped.isdigit():
            out[1] = str(len(stripped)).encode()
            return b" ".join(out) + sep + stripped + b"\r\n"
    return line + body


def near_number(x, y):
    """Both tokens the same number give or take one (a clock tick)."""
    try:
        return abs(int(x) - int(y)) <= 1
    except ValueError:
        return False


def equivalent(a, b):
    """Normalised replies equal, allowing `t<n>` and `exp=<n>` to differ by
    one: the two servers' clocks tick at different moments."""
    if a == b:
        return True
    la, lb = a.split(b"\r\n"), b.split(b"\r\n")
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb):
        if x == y:
            continue
        wx, wy = x.split(b" "), y.split(b" ")
        if len(wx) != len(wy) or wx[0] not in (b"VA", b"HD", b"ME"):
            return False
        for p, q in zip(wx, wy):
            if p == q:
                continue
            if p[:1] == q[:1] == b"t" and near_number(p[1:], q[1:]):
                continue
            if p[:4] == q[:4] == b"exp=" and near_number(p[4:], q[4:]):
                continue
            return False
    return True


NON_NUMERIC = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"


def big_counter(batch, a, b):
    """memcached 1.6.18 defect (spec/differences.md D1): for a value of 2^63
    or more, safe_strtoull() looks for '-' with strchr(), past the value into
    stale bytes of its slab chunk, and may answer non-numeric. True when a
    lone incr/decr got a number from mcref, that error from memcached, and
    mcref's answer shows the value was at least 2^63."""
    if len(batch.units) != 1 or not b.startswith(NON_NUMERIC):
        return False
    words = batch.units[0].data.split()
    if words and words[0] == b"ma" and not a.startswith(b"CLIENT_ERROR"):
        # The same defect through ma; without v mcref's HD does not show
        # the value, so any success there ends the run the same way.
        return True
    first = a.split(b"\r\n")[0]
    if len(words) < 3 or words[0] not in (b"incr", b"decr") or \
            not first.isdigit():
        return False
    try:
        delta = int(words[2])
    except ValueError:
        return False
    result = int(first)
    if words[0] == b"incr":
        value = (result - delta) % (1 << 64)
    elif result > 0:
        value = result + delta
    else:
        value = delta   # the value was at most delta
    return value >= 1 << 63


def unpad_counter(block):
    head, _, body = block.partition(b"\r\n")
    data = body[:-2]
    stripped = data.rstrip(b" ")
    if stripped != data and stripped.isdigit():
        fields = head.split(b" ")
        fields[3] = str(len(stripped)).encode()
        return b" ".join(fields) + b"\r\n" + stripped + b"\r\n"
    return block


# --------------------------------------------------------------------------
# The generator


def count_versions(data):
    """Lines of data that are `version` commands (each answers VERSION)."""
    return sum(1 for line in data.split(b"\n")
               if line.lstrip(b" ").split(b" ")[0].rstrip(b"\r") == b"version")


class Unit:
    """One command as sent, and how many VERSION lines it answers itself."""

    def __init__(self, data):
        self.data = data
        self.versions = count_versions(data)


UNSUPPORTED = (b"mg", b"ms", b"md", b"ma", b"mn", b"me")


class Batch:
    """Commands written at once. A batch of one `stats` command has varying
    values ([stats.general]); one unsupported command may get any reply
    ([misc.unsupported]). Both are told from the bytes, so that replays of
    reproducers are judged as the run that found them was."""

    meta = False   # --protocol meta or mixed: meta commands are compared

    def __init__(self, units):
        self.units = units
        data = b"".join(u.data for u in units)
        first = data.lstrip(b" ").split(b" ")[0].rstrip(b"\r\n")
        single = len(units) == 1 and data.count(b"\n") == 1
        self.stats = single and data in STATS
        self.allowed = "misc.unsupported" if single and first in UNSUPPORTED \
            and not Batch.meta else ""
        # M8: an ms line refused for its key length or token count, alone,
        # with `mn` as its data block: swallowed (mcref) or run (1.6.18).
        words = data.split(b"\r\n")[0].split(b" ")
        self.swallow_all = Batch.meta and len(units) == 1 and \
            words[0] == b"ms" and len(words) > 2 and \
            (len(words[1]) > 250 or len(words) > 19) and \
            data.endswith(b"\r\nmn\r\n")


KEYS = [b"a", b"b", b"k", b"key_with_more_bytes", b"\x01x", b"t\tb", b"r\rq",
        b"\xc3\xa9t\xc3\xa9", b"L" * 250]
COUNTERS = [b"n0", b"n1", b"n2"]
STATS = [b"stats\r\n", b"stats settings\r\n", b"stats items\r\n",
         b"stats slabs\r\n", b"stats sizes\r\n", b"stats conns\r\n",
         b"stats  items extra\r\n"]
LONG_KEY = b"L" * 251
FLAGS = [b"0", b"0", b"1", b"42", b"4294967295", b"4294967296", b"+5", b"007",
         b"-0", b"-1", b"abc", b"18446744073709551616", b"18446744073709551615"]
# No relative TTL that could expire while a run lasts ([expiry.relative]).
BAD_NUMBERS = (b"-1", b"abc", b"18446744073709551616")
EXPTIMES = [b"0", b"0", b"0", b"100000", b"2592000", b"2592001", b"-1", b"-5",
            b"4294967295", b"4294967296", b"abc", b"+100000",
            b"2147483648", b"99999999999"]
DELTAS = [b"0", b"1", b"1", b"7", b"100", b"18446744073709551615",
          b"18446744073709551616", b"-1", b"abc", b"0x5", b"1.5", b"+3",
          b"00012", b" 5"]
# Counter values. None of whitespace only, and none of 2^63 or more: on
# those memcached parses past the value (spec/differences.md D1, D2). incr
# by 2^64-1 still wraps ([incr.wrap]).
NUMBERS = [b"0", b"1", b"9", b"10", b"100", b"9223372036854775807",
           b"9223372036854775806", b"  42", b"42abc", b"-1", b"+7", b"007",
           b"", b"18446744073709551616", b"4 2", b" x"]
VALUE_BYTES = b"abcxyz0129 \t\r\n\x00\xff-"


class Generator:
    def __init__(self, rng, flags, skip=()):
        self.rng = rng
        self.cas_disabled = "-C" in flags
        self.skip = set(skip)

    def key(self, counters=False):
        r = self.rng
        if counters or r.random() < 0.15:
            return r.choice(COUNTERS)
        return r.choice(KEYS)

    def value(self):
        r = self.rng
        roll = r.random()
        if roll < 0.1:
            return b""
        if roll < 0.2:
            return r.choice(NUMBERS)
        # [item.value-max]: far from the limit, where the servers differ.
        n = r.choice([1, 2, 5, 10, 50, 200, 400])
        return bytes(r.choice(VALUE_BYTES) for _ in range(r.randint(1, n)))

    def length_token(self, n):
        r = self.rng
        roll = r.random()
        if roll < 0.75:
            return str(n).encode()
        if roll < 0.8:
            return b"+%d" % n
        if roll < 0.85:
            return b"00%d" % n
        if roll < 0.9:
            return str(n + 4294967296).encode()   # [num.truncate32]
        return r.choice([b"-1", b"abc", b"4294967295", b"2147483646",
                         b"2147483647", b"18446744073709551616"])

    def tail(self, noreply_ok=True):
        r = self.rng
        roll = r.random()
        if roll < 0.15 and noreply_ok:
            return b" noreply"
        if roll < 0.2:
            return r.choice([b" norepl", b" NOREPLY", b" x"])
        if roll < 0.22:
            return b" noreply extra"
        return b""

    def storage(self):
        r = self.rng
        cmd = r.choice([b"set", b"set", b"add", b"replace", b"append",
                        b"prepend", b"cas"])
        counters = cmd in (b"set", b"add", b"replace", b"cas") and \
            r.random() < 0.3
        key = self.key(counters)
        if cmd in (b"append", b"prepend") and key in COUNTERS:
            key = b"a"     # [incr.no-padding]: never extend a counter
        if r.random() < 0.03:
            key = LONG_KEY
        # Counters hold numbers only (spec/differences.md D2).
        value = r.choice(NUMBERS) if key in COUNTERS else self.value()
        length = self.length_token(len(value))
        flags, exptime = r.choice(FLAGS), r.choice(EXPTIMES)
        line = b"%s %s %s %s %s" % (cmd, key, flags, exptime, length)
        unique = b"1"
        if cmd == b"cas":
            unique = r.choice([b"0", b"1", b"2", b"3", b"5", b"8", b"13",
                               b"21", b"abc", b"-1"])
            line += b" " + unique
        tail = self.tail()
        line += tail
        # Whether the server reads a data block after this line; if not,
        # the block is parsed as lines, and a bad chunk would run into the
        # next command ([store.bad-line]).
        reads_data = key != LONG_KEY and tail != b" noreply extra" and \
            flags not in BAD_NUMBERS and exptime not in BAD_NUMBERS and \
            unique not in BAD_NUMBERS and length == str(len(value)).encode()
        roll = r.random()
        if roll < 0.02:       # [store.too-large]: swallowed whole
            line = b"%s %s 0 0 %d%s" % (cmd, r.choice(KEYS[:4]), BIG_DATA,
                                         b" 1" if cmd == b"cas" else b"")
            return line + b"\r\n" + b"z" * (BIG_DATA + 2)
        if roll < 0.08 and reads_data:
            # [store.bad-chunk]: as many bytes as declared, the wrong end.
            return line + b"\r\n" + value + r.choice([b"xy", b"\n\n", b"\rx"])
        return line + b"\r\n" + value + b"\r\n"

    def retrieval(self):
        r = self.rng
        cmd = r.choice([b"get", b"get", b"gets", b"bget", b"gat", b"gats"])
        keys = [self.key() for _ in range(r.choice([0, 1, 1, 2, 3, 5]))]
        if r.random() < 0.05:
            keys = keys * 10
        while len(b" ".join(keys)) > LINE_MAX - 64:
            keys.pop()      # [frame.line-limit]: no line over 2048 bytes
        line = cmd
        if cmd in (b"gat", b"gats"):
            line += b" " + r.choice(EXPTIMES)
        for k in keys:
            line += b" " + k
        if r.random() < 0.1 and len(line) * 3 < LINE_MAX:
            line = line.replace(b" ", b"   ")
        return line + r.choice([b"\r\n", b"\r\n", b"\n"])

    def arith(self):
        """incr/decr on a counter; alone in its batch (see big_counter)."""
        r = self.rng
        c = self.key(True)
        cmd = r.choice([b"incr", b"decr"])
        if r.random() < 0.05:
            return b"%s %s\r\n" % (cmd, c)
        # No noreply: a reply must show when memcached meets D1.
        return b"%s %s %s%s\r\n" % (cmd, c, r.choice(DELTAS),
                                     self.tail(noreply_ok=False))

    def other(self):
        r = self.rng
        k = self.key()
        choices = [
            b"delete %s\r\n" % k, b"delete %s 0\r\n" % k,
            b"delete %s noreply\r\n" % k, b"delete %s 0 noreply\r\n" % k,
            b"delete %s 1\r\n" % k, b"delete %s x y\r\n" % k, b"delete\r\n",
            b"touch %s %s%s\r\n" % (k, r.choice(EXPTIMES), self.tail()),
            b"touch %s\r\n" % k,
            b"verbosity 1\r\n", b"verbosity\r\n", b"verbosity x\r\n",
            b"verbosity 1 noreply\r\n", b"verbosity 0 extra\r\n",
            b"stats reset\r\n", b"stats bogus\r\n", b"stats reset noreply\r\n",
            b"shutdown\r\n", b"shutdown graceful\r\n", b"debugtime 5\r\n",
            b"\r\n", b"\n", b"   \r\n", b"x\r\n", b"xyzzy foo\r\n",
            b"GET %s\r\n" % k, b"Set %s 0 0 1\r\n" % k, b"set %s\0junk\r\n" % k,
            b"get %s\0%s\r\n" % (k, k), b"gx / HTTP/1.1\r\n",
            b"set " + b" 1" * 30 + b"\r\n", b"get" + b" a" * 30 + b"\r\n",
        ]
        if not self.cas_disabled:
            # [flush.immediate]: no delay. Delayed ones are avoided: memcached
            # revives flushed items when one follows an immediate flush, and
            # ignores absolute times long past (spec/differences.md D3, D4).
            choices += [b"flush_all\r\n", b"flush_all 0\r\n",
                        b"flush_all -1\r\n", b"flush_all noreply\r\n",
                        b"flush_all 0 noreply\r\n", b"flush_all junk\r\n",
                        b"flush_all 1 2 3\r\n"]
        return r.choice(choices)

    def batch(self):
        r = self.rng
        roll = r.random()
        if roll < 0.02:
            # [frame.pipeline]: memcached drops queued replies before a
            # long-key get, so such a get goes alone.
            return Batch([Unit(b"get a %s b\r\n" % LONG_KEY)])
        if roll < 0.03:
            return Batch([Unit(r.choice([b"mg a v\r\n", b"mn\r\n",
                                         b"me a\r\n"]))])
        if roll < 0.04:
            return Batch([Unit(r.choice([b"quit\r\n",
                                         b"GET / HTTP/1.1\r\n",
                                         b"PUT /x HTTP/1.0\r\n"]))])
        if roll < 0.05:
            return Batch([Unit(b"version\r\n")])
        if roll < 0.07:
            # [stats.general]: values differ; alone, so the reply is known
            # to be a statistics block.
            return Batch([Unit(r.choice(STATS))])
        if roll < 0.17:
            return Batch([Unit(self.arith())])
        units = []
        while len(units) < r.choice([1, 1, 1, 2, 3]):
            pick = r.random()
            if pick < 0.45:
                data = self.storage()
            elif pick < 0.75:
                data = self.retrieval()
            else:
                data = self.other()
            if data.lstrip(b" ").split(b" ")[0].rstrip(b"\r\n") in self.skip:
                continue
            units.append(Unit(data))
        return Batch(units)


# --------------------------------------------------------------------------
# The meta generator (--protocol meta / mixed)

# Canonical base64 of keys the text commands use too (same items), and of
# binary keys. None decodes to a space, CR or LF: memcached 1.6.18 may echo
# a binary key raw (M3), which would break its reply line.
B64_KEYS = [base64.b64encode(k) for k in KEYS[:8]] + \
    [base64.b64encode(b"\x00\x01\xfe"), base64.b64encode(b"bin\x7f"),
     base64.b64encode(b"L" * 187)]          # 252 bytes: over 250 as sent
META_COUNTERS = COUNTERS + [b"n3"]          # n3 only ever made by ma N
OPAQUE_LENS = [0, 1, 5, 30, 31, 31, 33, 34, 40]   # M1: never 32
OPAQUE_BYTES = b"abcXYZ0189-_.:"
META_CAS = [b"0", b"1", b"2", b"3", b"5", b"8", b"13", b"21", b"34",
            b"18446744073709551615", b"abc", b"-1", b""]
# TTLs: never one that can expire while a run lasts ([expiry.relative]);
# -1 and 2592001 (an absolute time in 1970) expire at once.
META_TTLS = [b"0", b"100000", b"2592000", b"-1", b"2592001"]
LIVE_TTLS = [b"0", b"100000", b"2592000"]
# R: far from every remaining TTL, so the same answer in both servers.
# Not above 2592000: memcached reads R as a TTL argument (absolute beyond
# 30 days), a difference found and reported.
RECACHE = [b"30", b"100500", b"2000000", b"0"]
BAD_FLAGS = [b"S3", b"a", b"!", b"zz", b"\xff"]     # not E or x (M11)
# --known NAME: look past a divergence found and reported, not allowed by
# any clause (see the notes of the run that found it):
#   fetched      the fetched mark (h0/h1, me's fetch=) is not compared
#   vivify-ttl   no T on an mg with N (vivifying, or t before T on a hit)
#   expire-t     no T that expires the item (T-1, T2592001) on mg
#   recache-ttl  no T with R on mg
#   me           no me commands
#   ma-ttl       no T on ma (mcref applies it when ma creates; memcached
#                1.6.18 loses it when the incr copies the item: §12)
#   cas0         no C0 (md C0 on a live item)
#   append-cas   no C on ms append/prepend
KNOWN = {}


def meta_cas(r, append=False):
    """A C argument; --known cas0 / append-cas steer clear of the
    divergences found there."""
    choices = META_CAS
    if KNOWN.get("cas0"):
        choices = [c for c in choices if c != b"0"]
    return r.choice(choices)


class MetaGenerator:
    """Meta commands with flag mixes biased to the boundaries, staying clear
    of spec/differences.md's M1-M12 as it says."""

    def __init__(self, rng, text):
        self.rng = rng
        self.text = text      # the text generator: values, keys

    def opaque(self, fits=False):
        """fits: at most 31 bytes. memcached 1.6.18 vivifies (N) before it
        refuses a long opaque, so an N with one would leave the stores
        different (a defect: mcref's error changes nothing)."""
        r = self.rng
        n = r.choice([x for x in OPAQUE_LENS if x <= 31] if fits
                     else OPAQUE_LENS)
        return b"O" + bytes(r.choice(OPAQUE_BYTES) for _ in range(n))

    def key(self, counters=False, binary_ok=True, long_ok=True):
        """(key token, is_base64). No key over 250 bytes for ms (M8)."""
        r = self.rng
        if counters:
            return r.choice(META_COUNTERS), False
        roll = r.random()
        if roll < 0.2 and binary_ok:
            k = r.choice(B64_KEYS if long_ok else B64_KEYS[:-1])
            return k, True
        if roll < 0.23 and long_ok:
            return LONG_KEY, False
        return r.choice(KEYS[:8]), False

    def flags(self, picks, extra_chance=0.05, many_ok=True):
        """picks: flag tokens; shuffled, sometimes a duplicate, a bad flag,
        or (many_ok) so many that the line has too many tokens."""
        r = self.rng
        picks = list(picks)
        r.shuffle(picks)
        roll = r.random()
        if roll < extra_chance and picks:
            picks.insert(r.randrange(len(picks) + 1), r.choice(picks))
        elif roll < 2 * extra_chance:
            picks.insert(r.randrange(len(picks) + 1), r.choice(BAD_FLAGS))
        elif roll < 3 * extra_chance:
            picks += [b"P", b"L"]
        elif roll < 3.5 * extra_chance and many_ok:
            # [meta.token-limit]: 17 flags fit, 18 do not (16/17 for ms).
            # No b (the keys are not all base64: M2), no C (mg C: M11).
            pool = [b"c", b"f", b"h", b"k", b"l", b"s", b"t", b"u", b"v",
                    b"O", b"P", b"L", b"T100000", b"N100000", b"R30", b"q",
                    b"F1", b"D1", b"J1", b"I"]
            r.shuffle(pool)
            picks = pool[:r.choice([16, 17, 18])]
        return picks

    def line(self, cmd, key, flags, data_len=None):
        parts = [cmd, key]
        if data_len is not None:
            parts.append(data_len)
        return b" ".join(parts + flags) + b"\r\n"

    def mg(self):
        r = self.rng
        key, binary = self.key()
        picks = [f for f in (b"c", b"f", b"h", b"k", b"l", b"s", b"t", b"u",
                             b"v", b"q") if r.random() < 0.3]
        if binary:
            picks.append(b"b")
        roll = r.random()
        vivify = roll < 0.15 and key not in META_COUNTERS
        if vivify:
            picks.append(b"N" + r.choice(LIVE_TTLS))
        elif roll < 0.25:
            picks.append(b"R" + r.choice(RECACHE))
        if r.random() < 0.3:
            # memcached 1.6.18 refuses a long opaque only after the lookup:
            # the item is marked fetched (or vivified) all the same.
            picks.append(self.opaque(fits=True))
        if r.random() < 0.15 and not (vivify and KNOWN.get("vivify-ttl")):
            # M4 [meta.mg-ttl-expired]: no t with a TTL already passed.
            ttls = LIVE_TTLS if b"t" in picks else META_TTLS
            picks.append(b"T" + r.choice(ttls))
        if r.random() < 0.03:
            picks.append(r.choice([b"Tabc", b"N", b"R-", b"T"]))
        flags = self.flags(picks)
        if KNOWN.get("vivify-ttl") and any(f[:1] == b"N" for f in flags):
            flags = [f for f in flags if f[:1] != b"T" or f == b"T"]
        if KNOWN.get("expire-t"):
            flags = [f for f in flags if f not in (b"T-1", b"T2592001")]
        if KNOWN.get("recache-ttl") and any(f[:1] == b"R" for f in flags):
            flags = [f for f in flags if f[:1] != b"T" or f == b"T"]
        return self.line(b"mg", key, flags)

    def ms(self):
        r = self.rng
        counters = r.random() < 0.2
        key, binary = self.key(counters, long_ok=False)
        mode = r.choice([None, None, b"S", b"E", b"A", b"P", b"R"])
        if counters and mode in (b"A", b"P"):
            mode = b"S"    # [incr.no-padding]: never extend a counter
        value = r.choice(NUMBERS) if counters else self.text.value()
        picks = [f for f in (b"c", b"k", b"q", b"I") if r.random() < 0.2]
        if r.random() < 0.3:
            picks.append(self.opaque())
        if binary:
            picks.append(b"b")
        if mode is not None:
            picks.append(b"M" + mode)
        elif r.random() < 0.03:
            picks.append(r.choice([b"Mx", b"MSS", b"M", b"Ms"]))
        if r.random() < 0.4:
            picks.append(b"T" + r.choice(META_TTLS))
        if r.random() < 0.3:
            # M9 [meta.ms-flags-range]: at most 4294967295.
            picks.append(b"F" + r.choice([b"0", b"1", b"42", b"4294967295",
                                           b"abc", b"-1", b""]))
        if r.random() < 0.2 and not (KNOWN.get("append-cas") and
                                     mode in (b"A", b"P")):
            picks.append(b"C" + meta_cas(r))
        length = str(len(value)).encode()
        flags = self.flags(picks, many_ok=False)
        if r.random() < 0.03:
            # [meta.ms-datalen]: the block is not read but parsed as lines,
            # so it ends in CRLF (the sentinel stays a line of its own).
            length = r.choice([b"abc", b"-1", b""])
            head = self.line(b"ms", key, flags, length if length else None)
            return head + value + b"\r\n"
        head = self.line(b"ms", key, flags, length)
        roll = r.random()
        if roll < 0.02:        # [meta.ms-too-large]: swallowed whole
            return b"ms %s %d T0\r\n" % (r.choice(KEYS[:4]), BIG_DATA) + \
                b"z" * BIG_DATA + b"\r\n"
        if roll < 0.06:        # [meta.ms-bad-chunk]
            return head + value + r.choice([b"xy", b"\n\n", b"\rx"])
        return head + value + b"\r\n"

    def md(self):
        r = self.rng
        key, binary = self.key()
        picks = [f for f in (b"k", b"q", b"I") if r.random() < 0.25]
        if r.random() < 0.3:
            picks.append(self.opaque())
        if binary:
            picks.append(b"b")
        if r.random() < 0.2:
            picks.append(b"T" + r.choice(META_TTLS))
        if r.random() < 0.2:
            picks.append(b"C" + meta_cas(r))
        return self.line(b"md", key, self.flags(picks))

    def ma(self):
        """On counters only (spec/differences.md D2), alone in its batch
        and without q's hiding of N (M7), t after N (M6)."""
        r = self.rng
        key, _ = self.key(counters=True)
        picks = [f for f in (b"c", b"k", b"v", b"v") if r.random() < 0.4]
        vivify = r.random() < 0.3
        if r.random() < 0.2:
            # A long opaque is refused after the value check in memcached
            # (non-numeric first): no long opaque on ma.
            picks.append(self.opaque(fits=True))
        if r.random() < 0.4:
            picks.append(b"D" + r.choice([b"0", b"1", b"7", b"100",
                                          b"18446744073709551615",
                                          b"18446744073709551616", b"abc",
                                          b"-1", b""]))
        if r.random() < 0.3:
            picks.append(b"M" + r.choice([b"I", b"+", b"D", b"-", b"x",
                                          b"ID"]))
        if r.random() < 0.2:
            picks.append(b"C" + meta_cas(r))
        if r.random() < 0.2 and not KNOWN.get("ma-ttl"):
            picks.append(b"T" + r.choice(LIVE_TTLS))
        if vivify:
            picks.append(b"J" + r.choice([b"0", b"10", b"abc",
                                          b"18446744073709551615"]))
        elif r.random() < 0.2:
            picks.append(b"q")
        flags = self.flags(picks)
        if vivify or any(f[:1] == b"N" for f in flags):
            # M7: no q where ma may create (the token-limit pool too).
            flags = [f for f in flags if f != b"q"]
        if KNOWN.get("ma-ttl"):
            flags = [f for f in flags if f[:1] != b"T" or f == b"T"]
        if vivify:
            flags.insert(0, b"N" + r.choice(LIVE_TTLS))
        if r.random() < 0.3 and b"t" not in flags:
            flags.append(b"t")
        if b"t" in flags:
            # M6 [meta.ma-flag-order]: t shows the TTL after the command in
            # mcref, in flag order in memcached; t last agrees in both.
            flags = [f for f in flags if f != b"t"] + [b"t"]
        return self.line(b"ma", key, flags)

    def me(self):
        r = self.rng
        key, binary = self.key(binary_ok=False)
        return b"me %s\r\n" % key

    def mn(self):
        return self.rng.choice([b"mn\r\n", b"mn\r\n", b"mn extra\r\n"])

    def swallow_all(self):
        """M8: an ms refused for its key length or tokens, data `mn`."""
        r = self.rng
        if r.random() < 0.5:
            return b"ms %s 2 T0\r\nmn\r\n" % LONG_KEY
        return b"ms a 2 c k f h l t u v O P L T0 F0 I q D1 J1\r\nmn\r\n"

    def unit(self):
        r = self.rng
        pick = r.random()
        if KNOWN.get("me") and 0.82 <= pick < 0.92:
            pick = r.random() * 0.82
        if pick < 0.35:
            return self.mg()
        if pick < 0.7:
            return self.ms()
        if pick < 0.82:
            return self.md()
        if pick < 0.92:
            return self.me()
        return self.mn()

    def batch(self, mixed):
        r = self.rng
        roll = r.random()
        if roll < 0.12:
            return Batch([Unit(self.ma())])
        if roll < 0.14:
            return Batch([Unit(self.swallow_all())])
        if mixed and roll < 0.45:
            b = self.text.batch()
            if KNOWN.get("me") and b.units[0].data.startswith(b"me "):
                return Batch([Unit(self.mn())])
            return b
        units = []
        while len(units) < r.choice([1, 1, 2, 3, 5]):
            if mixed and r.random() < 0.3:
                b = self.text.batch()
                # Not what must go alone: a long-key get ([frame.pipeline]),
                # stats, incr/decr (D1).
                if len(b.units) == 1 and not b.allowed and not b.stats and \
                        LONG_KEY not in b.units[0].data and \
                        not (KNOWN.get("me") and
                             b.units[0].data.startswith(b"me ")) and \
                        b.units[0].data.split(b" ")[0] not in (b"incr",
                                                               b"decr"):
                    units.append(b.units[0])
                continue
            units.append(Unit(self.unit()))
        return Batch(units)


# --------------------------------------------------------------------------
# Running and shrinking


class Inconclusive(Exception):
    """A reply did not come in time (a loaded machine): nothing is known."""


def run_batches(flags, batches, rng_ports, on_batch=None):
    """Runs batches on fresh servers; the first divergence, or None.
    Raises Inconclusive when a server did not answer in time."""
    mcref, memcached = start_servers(flags, rng_ports)
    try:
        for i, batch in enumerate(batches):
            a, closed_a = exchange(mcref, batch)
            b, closed_b = exchange(memcached, batch)
            if on_batch is not None:
                on_batch(i, batch, a, b)
            if a.endswith(b"<timeout>") or b.endswith(b"<timeout>"):
                raise Inconclusive("batch %d, %s" % (i + 1, shown(
                    b"".join(u.data for u in batch.units), 200)))
            if big_counter(batch, a, b):
                # Allowed, but the stores now differ: nothing after it
                # can be compared.
                return None
            na, nb = normalise(a, batch), normalise(b, batch)
            if closed_a and closed_b and nb.endswith(b"<close>") and \
                    na.startswith(nb[:-len(b"<close>")]):
                continue   # [frame.pipeline]: memcached drops queued replies
            if not equivalent(na, nb) or closed_a != closed_b:
                return i, a, b
        return None
    finally:
        mcref.stop()
        memcached.stop()


def shrink(flags, batches, rng_ports, log):
    """Drops batches, then units, while some divergence persists."""
    def diverges(candidate):
        try:
            return candidate and \
                run_batches(flags, candidate, rng_ports) is not None
        except Inconclusive:
            return False

    chunk = max(1, len(batches) // 2)
    while chunk >= 1:
        i = 0
        while i < len(batches):
            candidate = batches[:i] + batches[i + chunk:]
            if diverges(candidate):
                batches = candidate
                log("  shrink: %d batches" % len(batches))
            else:
                i += chunk
        chunk //= 2
    for bi in range(len(batches)):
        ui = 0
        while len(batches[bi].units) > 1 and ui < len(batches[bi].units):
            units = batches[bi].units[:ui] + batches[bi].units[ui + 1:]
            candidate = batches[:bi] + [Batch(units)] + batches[bi + 1:]
            if diverges(candidate):
                batches = candidate
            else:
                ui += 1
    return batches


def escape(data):
    return codecs.escape_encode(data)[0].decode("ascii")


def shown(data, limit=600):
    """data as a Python bytes expression, long runs as b'x'*N."""
    parts = []
    i = 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        if j - i >= RUN_SHOWN:
            parts.append("b'%s'*%d" % (escape(data[i:i + 1]), j - i))
            i = j
            continue
        k = i
        while k < len(data):
            m = k
            while m < len(data) and data[m] == data[k]:
                m += 1
            if m - k >= RUN_SHOWN:
                break
            k = m
        parts.append("b'%s'" % escape(data[i:k]))
        i = k
    text = " + ".join(parts) if parts else "b''"
    if len(text) > limit:
        text = text[:limit] + "...(%d bytes)" % len(data)
    return text


def report(flags, batches, divergence, seed):
    i, a, b = divergence
    print("DIVERGENCE at batch %d of %d" % (i + 1, len(batches)))
    for u in batches[i].units:
        print("  sent:      %s" % shown(u.data))
    print("  mcref:     %s" % shown(a))
    print("  memcached: %s" % shown(b))
    print("reproducer (%d batches, each written at once, then version\\r\\n):"
          % len(batches))
    for batch in batches:
        print("  %s" % shown(b"".join(u.data for u in batch.units)))
    path = os.path.join(tempfile.gettempdir(), "mcdiff-%d.repro" % seed)
    with open(path, "w") as f:
        f.write("# mcdiff reproducer; flags: %s\n" % " ".join(flags))
        if Batch.meta:
            f.write("# protocol: meta\n")
        for batch in batches:
            f.write(escape(b"".join(u.data for u in batch.units)) + "\n")
    cmd = [os.path.relpath(os.path.abspath(__file__))]
    if Batch.meta:
        cmd += ["--protocol=meta"]
    if flags:
        cmd += ["--config=" + " ".join(flags)]
    if sum(len(u.data) for bt in batches for u in bt.units) <= 400:
        for batch in batches:
            cmd += ["--batch", escape(b"".join(u.data for u in batch.units))]
    else:
        cmd += ["--replay", path]
    print("run: " + " ".join(shlex.quote(c) for c in cmd))


def replay(flags, raw_batches, rng_ports):
    batches = [Batch([Unit(codecs.escape_decode(x.encode())[0])])
               for x in raw_batches]

    def show(i, batch, a, b):
        print("batch %d: %s" % (i + 1, shown(batch.units[0].data)))
        print("  mcref:     %s" % shown(a))
        print("  memcached: %s" % shown(b))

    try:
        divergence = run_batches(flags, batches, rng_ports, show)
    except Inconclusive as e:
        print("inconclusive: %s timed out" % e)
        return 2
    if divergence is None:
        print("no divergence")
        return 0
    print("diverges at batch %d" % (divergence[0] + 1))
    return 1


REPLY_WORDS = (b"VA ", b"HD", b"EN", b"NF", b"NS", b"EX", b"MN", b"ME ",
               b"VALUE ", b"END", b"STORED", b"NOT_STORED", b"EXISTS",
               b"NOT_FOUND", b"DELETED", b"TOUCHED", b"OK", b"ERROR",
               b"CLIENT_ERROR ", b"SERVER_ERROR ", b"VERSION ", b"STAT ",
               b"RESET")


def validate(args, rng_ports):
    """The generator against memcached alone: every batch answered up to
    its sentinel, every reply item well-formed, the server alive."""
    started = time.monotonic()
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    runs = batches_sent = items_seen = 0
    bad = 0
    counts = {}
    replies = {}
    while time.monotonic() - started < args.seconds and \
            (args.runs is None or runs < args.runs):
        rng = random.Random(seed + runs)
        flags = rng.choice([[], [], ["-C"], ["-F"]])
        gen = MetaGenerator(rng, Generator(rng, flags))
        batches = [gen.batch(args.protocol == "mixed")
                   for _ in range(args.batches)]
        port = free_port(rng_ports)
        common = ["-U", "0", "-l", "127.0.0.1", "-m", "64", "-c", "64"] + flags
        if os.getuid() == 0:
            common = ["-u", "root"] + common
        mc = Server("memcached", [MEMCACHED, "-p", str(port), "-t", "1"] +
                    common, port)
        try:
            for i, batch in enumerate(batches):
                reply, closed = exchange(mc, batch)
                batches_sent += 1
                items, rest = split_replies(reply)
                sent = b"".join(u.data for u in batch.units)
                word = sent.split(b" ")[0].split(b"\r")[0][:8]
                counts[word] = counts.get(word, 0) + 1
                wrong = [x for x in items if not x.startswith(REPLY_WORDS)
                         and not x.rstrip(b"\r\n").isdigit()]
                if reply.endswith(b"<timeout>") or rest != len(reply) and \
                        not closed or wrong or mc.proc.poll() is not None:
                    bad += 1
                    print("seed %d batch %d: %s -> %s" %
                          (seed + runs, i + 1, shown(sent, 300),
                           shown(reply, 300)))
                items_seen += len(items)
                for x in items:
                    head = x.split(b"\r\n")[0].split(b" ")
                    tags = [head[0][:12]] + [w for w in head[1:]
                                             if w in (b"W", b"X", b"Z", b"b")]
                    for t in tags:
                        replies[t] = replies.get(t, 0) + 1
        finally:
            alive = mc.proc.poll() is None
            mc.stop()
        if not alive:
            print("seed %d: memcached died" % (seed + runs))
            bad += 1
        runs += 1
    print("mcdiff validate (%s): %d runs, %d batches, %d reply items, "
          "%d problems" % (args.protocol, runs, batches_sent, items_seen,
                           bad))
    print("  first words sent: " + ", ".join(
        "%s %d" % (k.decode("latin-1"), v) for k, v in
        sorted(counts.items(), key=lambda kv: -kv[1])[:16]))
    print("  replies (first word; W X Z b flags): " + ", ".join(
        "%s %d" % (k.decode("latin-1"), v) for k, v in
        sorted(replies.items(), key=lambda kv: -kv[1])[:24]))
    return 1 if bad else 0


def main():
    # A terminated run still stops its servers (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--batches", type=int, default=300)
    ap.add_argument("--config", default=None,
                    help="server flags for both, e.g. '-C' (default: drawn)")
    ap.add_argument("--batch", action="append", default=None,
                    help="replay this batch (Python escapes); repeatable")
    ap.add_argument("--replay", metavar="FILE",
                    help="replay the batches of a reproducer file")
    ap.add_argument("--keep-going", action="store_true",
                    help="after a divergence, go on with the next seed")
    ap.add_argument("--skip", action="append", default=[], metavar="CMD",
                    help="generate no CMD commands (to look past a known "
                         "divergence); repeatable")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--protocol", choices=("text", "meta", "mixed"),
                    default="text",
                    help="text commands, meta commands, or both mixed")
    ap.add_argument("--ports", default="%d-%d" % (PORT_FIRST, PORT_LAST),
                    help="where to look for free ports, LO-HI")
    ap.add_argument("--validate", action="store_true",
                    help="run the generator against memcached alone")
    ap.add_argument("--known", action="append", default=[],
                    choices=("fetched", "vivify-ttl", "me", "ma-ttl",
                             "cas0", "append-cas", "expire-t",
                             "recache-ttl"),
                    help="look past a known meta divergence; repeatable")
    args = ap.parse_args()
    global PORTS
    lo, _, hi = args.ports.partition("-")
    PORTS = (int(lo), int(hi))
    Batch.meta = args.protocol != "text"
    for k in args.known:
        KNOWN[k] = True
    if args.validate:
        return validate(args, random.Random())
    for binary in (MCREF, MEMCACHED):
        if not os.access(binary, os.X_OK):
            print("mcdiff: %s is missing (make PROFILE=release)" % binary,
                  file=sys.stderr)
            return 2
    rng_ports = random.Random()
    fixed_flags = None if args.config is None else args.config.split()
    if args.replay:
        with open(args.replay) as f:
            lines = f.read().split("\n")
        if lines and lines[0].startswith("# mcdiff reproducer; flags:"):
            if fixed_flags is None:
                fixed_flags = lines[0].split(":", 1)[1].split()
            lines = lines[1:]
        if lines and lines[0] == "# protocol: meta":
            Batch.meta = True
            lines = lines[1:]
        args.batch = [x for x in lines if x]
    if args.batch:
        return replay(fixed_flags or [], args.batch, rng_ports)

    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    started = time.monotonic()
    runs = 0
    found = 0
    while True:
        if args.runs is not None and runs >= args.runs:
            break
        if args.runs is None and time.monotonic() - started >= args.seconds:
            break
        rng = random.Random(seed + runs)
        flags = fixed_flags if fixed_flags is not None else \
            rng.choice([[], [], ["-C"], ["-F"]])
        gen = Generator(rng, flags, [w.encode() for w in args.skip])
        if args.protocol == "text":
            batches = [gen.batch() for _ in range(args.batches)]
        else:
            meta = MetaGenerator(rng, gen)
            batches = [meta.batch(args.protocol == "mixed")
                       for _ in range(args.batches)]
        print("mcdiff: seed %d, flags '%s', %s, %d batches" %
              (seed + runs, " ".join(flags), args.protocol, len(batches)),
              flush=True)
        runs += 1
        try:
            divergence = run_batches(flags, batches, rng_ports)
            if divergence is not None:
                # Only what happens again counts: a loaded machine can
                # delay a reply past its deadline.
                again = run_batches(flags, batches[:divergence[0] + 1],
                                    rng_ports)
                if again is None or again[0] != divergence[0]:
                    print("  divergence at batch %d did not happen again; "
                          "skipped" % (divergence[0] + 1))
                    continue
        except Inconclusive as e:
            print("  inconclusive (%s timed out); skipped" % e)
            continue
        if divergence is None:
            continue
        found += 1
        small = shrink(flags, batches[:divergence[0] + 1], rng_ports,
                       print if args.verbose else (lambda _m: None))
        try:
            final = run_batches(flags, small, rng_ports)
        except Inconclusive:
            final = None
        if final is None:
            # The shrunk stream stopped diverging: show the whole prefix.
            small, final = batches[:divergence[0] + 1], divergence
        report(flags, small, final, seed + runs - 1)
        print("replay the whole run: %s --seed %d --runs 1 --batches %d%s%s%s" %
              (os.path.relpath(os.path.abspath(__file__)), seed + runs - 1,
               args.batches, " --config='%s'" % " ".join(flags)
               if fixed_flags is not None else "",
               "".join(" --skip " + w for w in args.skip),
               " --protocol " + args.protocol
               if args.protocol != "text" else ""), flush=True)
        if not args.keep_going:
            break
    print("mcdiff: %d runs, %d divergences" % (runs, found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
