#!/usr/bin/python3
"""make_seeds.py - writes the seed inputs of every harness, named by what they
exercise, into OUTDIR/<harness>/ (default: a fresh directory it prints).

    fuzz/tools/make_seeds.py [OUTDIR]

Text-protocol seeds (fuzz_parse, fuzz_session) come from two places:
  - every case of spec/cases/*.case: its `send` and `send-chunks` bytes in
    order (${k} becomes a 10-byte key prefix like the conformance tool's,
    variables get plausible values, `wait N` becomes a clock step, `repeat`
    runs at most REPEAT_MAX times), so every command, error and clause the
    spec exercises is in the corpus, hostile inputs included (hostile.case
    holds shared/reliability.md section 1.4, items 1-11 and 15);
  - the hand-written streams in EXTRA_STREAMS below.
Long runs ("x"*N) are cut to RUN_MAX bytes, which keeps every line-limit
case over its limit while keeping seeds small.

fuzz_store and fuzz_settings seeds are the operation sequences and argument
vectors below. Input formats are described at the top of each harness.

After writing new seeds, minimise them into fuzz/corpus/ with
ci/fuzz-merge.sh (see fuzz/README.md).
"""
import os
import re
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KEY_PREFIX = b"k00000000_"   # as long as the conformance tool's ${k}
REPEAT_MAX = 3               # iterations kept of a `repeat N` block
RUN_MAX = 4200               # bytes kept of one "x"*N run
NOW = 1700000000             # the session harness's start time
SEED_MAX = 16384             # bytes of one seed, at most

# --- the case language (spec/cases/README.md), just enough of it -----------

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(?:\*(\d+))?')


def unescape(text, variables):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            n = text[i + 1]
            if n == "x":
                out.append(int(text[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0",
                    "\\": b"\\", '"': b'"', "$": b"$"}[n]
            i += 2
        elif c == "$" and text[i + 1:i + 2] == "{":
            end = text.index("}", i)
            out += variables.get(text[i + 2:end], b"1")
            i = end + 1
        else:
            out += c.encode("latin-1")
            i += 1
    return bytes(out)


def strings(rest, variables):
    out = b""
    for m in STRING.finditer(rest):
        piece = unescape(m.group(1), variables)
        count = int(m.group(2)) if m.group(2) is not None else 1
        if len(piece) * count > RUN_MAX:
            count = max(1, RUN_MAX // max(1, len(piece)))
        out += piece * count
    return out


def evaluate(expr, variables):
    total = 0
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", expr.strip()):
        term = term.strip()
        value = variables.get(term[2:-1], b"1") if term.startswith("${") \
            else term.encode()
        number = int(value) if value.isdigit() else 1
        total += -number if sign == "-" else number
    return str(total).encode()


class Case:
    def __init__(self, name):
        self.name = name
        self.requires = ""
        self.steps = []   # ("send", bytes, chunk) | ("wait", seconds)


def read_cases():
    cases = []
    folder = os.path.join(ROOT, "spec", "cases")
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".case"):
            continue
        case = None
        variables = {}
        stack = []   # (index of the repeat's first step, count)
        for line in open(os.path.join(folder, file), encoding="latin-1"):
            line = line.strip()
            word, _, rest = line.partition(" ")
            if word == "case":
                case = Case(rest.strip())
                variables = {"k": KEY_PREFIX, "now": str(NOW).encode(),
                             "i": b"0"}
                stack = []
            elif case is None:
                continue
            elif word == "requires:":
                case.requires = rest
            elif word == "send":
                case.steps.append(("send", strings(rest, variables), 0))
            elif word == "send-chunks":
                size, _, tail = rest.partition(" ")
                _, _, tail = tail.strip().partition(" ")
                case.steps.append(("send", strings(tail, variables),
                                   int(size)))
            elif word == "wait":
                case.steps.append(("wait", float(rest)))
            elif word == "let":
                name, _, expr = rest.partition("=")
                variables[name.strip()] = evaluate(expr, variables)
            elif word == "repeat":
                stack.append((len(case.steps), int(rest.split()[0])))
            elif word == "done" and stack:
                start, count = stack.pop()
                body = case.steps[start:]
                for _ in range(min(count, REPEAT_MAX) - 1):
                    case.steps.extend(body)
            elif word == "end":
                cases.append(case)
                case = None
    return cases


# --- session and parse encodings --------------------------------------------

def session_config(requires):
    """The fuzz_session configuration byte a case's requirements ask for."""
    conf = 5 << 5    # 1 MiB log, 64 KiB values
    if "item_size_max=1048576" in requires or "maxbytes>=16777216" in requires \
            or "maxbytes=67108864" in requires:
        conf = 7 << 5  # 4 MiB log, 1 MiB values
    if "maxbytes<=4194304" in requires:
        conf = 3 << 5  # 64 KiB log, 4 KiB values
    if "evictions=off" in requires:
        conf |= 1
    if "cas_enabled=no" in requires:
        conf |= 2
    if "debugtime" in requires and "no-debugtime" not in requires:
        conf |= 4
    if "flush_enabled=no" in requires:
        conf |= 8
    if "shutdown_command=yes" in requires:
        conf |= 16
    return conf


def session_seed(conf, steps):
    """fuzz_session input: 0xFF escaped, reads and clock steps as controls."""
    out = bytearray([conf])
    for step in steps:
        if step[0] == "wait":
            seconds = int(-(-step[1] // 1))
            while seconds > 0:
                n = min(seconds, 0xFF - 0x7E)
                out += bytes([0xFF, 0x7E + n])
                seconds -= n
            continue
        data, chunk = step[1], step[2]
        pieces = [data] if chunk == 0 else \
            [data[i:i + chunk] for i in range(0, len(data), chunk)]
        for piece in pieces:
            out += piece.replace(b"\xff", b"\xff\xff") + b"\xff\x00"
    return bytes(out)


def parse_seed(steps, value_limit=3):
    """fuzz_parse input: a configuration byte, split points, the stream."""
    stream = bytearray()
    points = []
    for step in steps:
        if step[0] != "send":
            continue
        data, chunk = step[1], step[2]
        if chunk:
            points += range(len(stream) + chunk, len(stream) + len(data),
                            chunk)
        stream += data
        points.append(len(stream))
    points = [p for p in points if 0 < p < len(stream)][:255]
    trailer = b"".join(bytes([p & 0xFF, p >> 8]) for p in points
                       if p < 65536)
    return bytes([value_limit, len(trailer) // 2]) + bytes(stream) + trailer


# --- hand-written streams ----------------------------------------------------

def extra_streams():
    k = b"key"
    long_key = b"L" * 250
    too_long_key = b"L" * 251
    return {
        # shared/reliability.md section 1.4, as the text protocol sees them.
        "hostile-item01-negative-and-huge-lengths":
            b"set k 0 0 -1\r\nset k 0 0 4294967295\r\nset k 0 0 2147483647\r\n"
            b"xx\r\nset k 0 0 18446744073709551616\r\nset k 0 0 2147483646\r\n"
            b"ms k -1\r\nms k 99999999999\r\nget k\r\n",
        "hostile-item02-too-large-then-command":
            b"set k 0 0 70000\r\n" + b"\r\n" * 20 + b"get k\r\n",
        "hostile-item03-bad-data-chunk":
            b"set k 0 0 3\r\nold\r\nset k 0 0 3\r\nabcde\r\nget k\r\n",
        "hostile-item04-key-251-bytes":
            b"set " + too_long_key + b" 0 0 1\r\nz\r\nget " + too_long_key +
            b"\r\nset " + long_key + b" 0 0 1\r\nz\r\nget " + long_key +
            b" " + too_long_key + b"\r\n",
        "hostile-item05-spaces-without-newline": b" " * 2100,
        "hostile-item05-2kib-then-incr": b" " * 2048 + b"incr k 1",
        "hostile-item05-get-after-spaces":
            b"get" + b" " * 2100 + b"k\r\n",
        "hostile-item06-line-endings":
            b"set k 0 0 1\nz\nget k\n\r\nget k\r\r\n\n\r\n   \r\n\t\t\r\n"
            b"get k\0x\r\nset k\0 0 0 1\r\nq\r\n\r\rget k\r\n",
        "hostile-item07-missing-last-argument":
            b"touch k\r\nincr k\r\ngat k\r\nmg k T\r\nma k D\r\ndecr k\r\n"
            b"get" + b" k" * 30 + b"\r\nset" + b" 1" * 30 + b"\r\n",
        "hostile-item08-same-key-many-times":
            b"set k 0 0 1\r\nv\r\nget" + b" k" * 700 + b"\r\n",
        "hostile-item09-incr-odd-values":
            b"set e 0 0 0\r\n\r\nincr e 1\r\nset n 0 0 3\r\nabc\r\nincr n 1\r\n"
            b"set m 0 0 20\r\n18446744073709551615\r\nincr m 1\r\n"
            b"set s 0 0 4\r\n  42\r\nincr s 1\r\nincr s 18446744073709551616\r\n"
            b"set big 0 0 21\r\n184467440737095516150\r\ndecr big 1\r\n",
        "hostile-item10-admin-commands":
            b"lru mode\r\nlru temp_ttl\r\nslabs reassign 999 -1\r\n"
            b"slabs automove 0\r\nverbosity\r\nstats detail dump\r\n"
            b"stats cachedump 999999 0\r\nwatch\r\nlru_crawler metadump all\r\n"
            b"shutdown\r\nmisbehave\r\nflush_all -1\r\nflush_all noreply junk\r\n"
            b"version\r\n",
        "hostile-item11-http-request":
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\nset k 0 0 1\r\nv\r\n",
        "hostile-item11-http-post-with-commands":
            b"POST /x HTTP/1.0\r\nContent-Length: 20\r\n\r\nflush_all\r\n",
        "hostile-item15-ends-mid-request": b"set k 0 0 10\r\nabc",
        "hostile-item15-quit-then-more":
            b"set k 0 0 1\r\nv\r\nquit\r\nget k\r\n",
        # Every command once, with its common errors.
        "cmd-storage-all":
            b"set " + k + b" 1 0 1\r\na\r\nadd " + k + b" 0 0 1\r\nb\r\n"
            b"replace " + k + b" 0 0 1\r\nc\r\nappend " + k + b" 0 0 1\r\nd\r\n"
            b"prepend " + k + b" 0 0 1\r\ne\r\ngets " + k + b"\r\n"
            b"cas " + k + b" 0 0 1 1\r\nf\r\ncas " + k + b" 0 0 1 5 noreply\r\n"
            b"g\r\nset " + k + b" 0 0 1 noreply\r\nh\r\nget " + k + b"\r\n",
        "cmd-retrieval-all":
            b"set a 0 0 1\r\n1\r\nget a b a\r\ngets a\r\ngat 100 a b\r\n"
            b"gats -1 a\r\nbget a\r\ngat x a\r\nget\r\ngat 10\r\n",
        "cmd-delete-touch-incr":
            b"set n 5 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr n x\r\n"
            b"touch n 10\r\ntouch n x\r\ndelete n 0\r\ndelete n\r\n"
            b"delete n 5\r\ndelete n 0 noreply\r\nincr n 1 noreply\r\n",
        "cmd-misc-all":
            b"version\r\nverbosity 1\r\nverbosity x\r\nverbosity 1 noreply\r\n"
            b"flush_all\r\nflush_all 10\r\nflush_all 0 noreply\r\n"
            b"flush_all noreply\r\nstats\r\nstats settings\r\nstats items\r\n"
            b"stats slabs\r\nstats sizes\r\nstats conns\r\nstats reset\r\n"
            b"stats bogus\r\nshutdown graceful\r\nshutdown now\r\n"
            b"debugtime 5\r\ndebugtime p\r\ndebugtime r\r\ndebugtime x\r\n"
            b"quit\r\n",
        "cmd-meta-unsupported":
            b"mg k v\r\nms k 1\r\nv\r\nmd k\r\nma k\r\nmn\r\nme k\r\n"
            b"cache_memlimit 10\r\nextstore x\r\nrefresh_certs\r\n",
    }


def meta_streams():
    """The meta protocol ([meta.*]): every flag, every error line."""
    o32 = b"O" + b"o" * 32
    o33 = o32 + b"x"
    f17 = b" ".join(bytes([c]) for c in b"bcfhklLOPqstuvxI")
    b64 = b"YWJj"
    return {
        "meta-mg-every-flag":
            b"ms " + k_meta() + b" 5 T100 F77 c k O1 b\r\nhello\r\n"
            b"mg " + k_meta() + b" s v t f c k O99 h l q u b\r\n"
            b"mg " + k_meta() + b" T30 N40 R50 E7 C9 P L\r\nmn\r\n",
        "meta-ms-modes-and-flags":
            b"ms k 2 MS\r\nhi\r\nms k 1 ME\r\nx\r\nms k 1 MA N30\r\ny\r\n"
            b"ms k 1 MP\r\nz\r\nms k 1 MR C1 I E5 s\r\nw\r\n"
            b"ms k 0 q k c\r\n\r\nmg k v\r\n",
        "meta-md-ma-me-mn":
            b"md k q\r\nmd k I T30 C5 E6 x k O1\r\nma k\r\n"
            b"ma k N0 J10 D5 T7 MD q t c v k O1 C3 E4\r\nma k M+\r\n"
            b"ma k M-\r\nma k MI\r\nme k\r\nme " + b64 + b" b\r\n"
            b"mn a b\r\n",
        "meta-errors-flags":
            b"mg k v v\r\nmg k zz\r\nmg k Tx Jy\r\nmg k Jy Tx\r\nmg k Dy\r\n"
            b"mg k Fx\r\nmg k MSS\r\nmg k b\r\nmg k \x80\r\nmd k v v\r\n"
            b"md k Tx\r\nma k zz\r\nma k Mx\r\nma k MII\r\nmg\r\nms\r\n"
            b"md\r\nma\r\nme\r\nme k b\r\n",
        "meta-errors-opaque-and-count":
            b"mg k " + o32 + b"\r\nmg k " + o33 + b"\r\nmd k " + o33 +
            b"\r\nms k 2 " + o33 + b"\r\nhi\r\nmg " + b64 + b" " + f17 +
            b" T1\r\nmg " + b64 + b" " + f17 + b" T1 N1\r\nms " + b64 +
            b" 2 " + f17 + b" T1\r\nhi\r\n",
        "meta-ms-datalen-and-swallow":
            b"ms k\r\nms k abc\r\nhi\r\nms k -1\r\nhi\r\n"
            b"ms k 2147483646\r\nhi\r\nms k 4294967298\r\nhi\r\n"
            b"ms k 2 zz\r\nhi\r\nms k 2 MX\r\nhi\r\nms k 2 F4294967296\r\n"
            b"hi\r\nms k 2\r\nhixxmn\r\nms k 2000000 T1\r\n" +
            b"v" * 64 + b"\r\nmn\r\n",
        "meta-base64-keys":
            b"mg AA== b k v\r\nmg a$zE= b k\r\nmg YQ==YWJj b\r\n"
            b"mg A=BC b\r\nmg YWJ b\r\nms YWJj 1 b k\r\nz\r\n"
            b"md YWJj b q\r\nma YWJj b N0\r\nmg +/+/ b k\r\n",
        "meta-mixed-with-text":
            b"set k 0 0 1\r\na\r\nmg k v c\r\nms k 1 c\r\nb\r\ngets k\r\n"
            b"incr n 1\r\nma n N0 J5 v\r\nget n\r\nmd k q\r\nget k\r\n"
            b"mn\r\n",
    }


def k_meta():
    return b"bWs="   # base64 of "mk": every flag, b included


# --- fuzz_store operation sequences -------------------------------------------

def op(code, key, *args):
    return bytes([(key << 3) | code]) + bytes(args)


GET, PUT, TOUCH, DELETE, ARITH, FLUSH, TIME, RESET = range(8)
SET, ADD, REPLACE, APPEND, PREPEND, CAS = range(6)


def store_seeds():
    # Config byte 0: memory (0-7) | value limit << 3 | -M 0x20 | -C 0x40 |
    # long keys 0x80; byte 1: index | start << 3 | key space << 5 | seed 0x80.
    typical = (20 << 3) | 5   # a 20-byte value
    number = (1 << 3) | 4     # "1"
    big = (5 << 3) | 4        # "18446744073709551615"
    seeds = {
        "store-set-get-delete": bytes([6, 0x10]) +
            op(PUT, 0, SET, typical, 0, 0, 0) + op(GET, 0) +
            op(DELETE, 0) + op(GET, 0),
        "store-modes-and-cas": bytes([6, 0x10]) +
            op(PUT, 0, ADD, typical, 3, 0, 0) + op(PUT, 0, ADD, 1, 0, 0, 0) +
            op(PUT, 1, REPLACE, 1, 0, 0, 0) + op(PUT, 0, APPEND, 1, 0, 0, 0) +
            op(PUT, 0, PREPEND, 2, 0, 0, 0) + op(GET, 0) +
            op(PUT, 0, CAS, 1, 0, 0, 9) + op(PUT, 0, CAS, 1, 0, 0, 4) +
            op(PUT, 0, CAS, 1, 0, 0, 0),
        "store-value-sizes": bytes([6 | (2 << 3), 0x10]) +
            op(PUT, 0, SET, 0, 0, 0, 0) + op(PUT, 1, SET, 1, 0, 0, 0) +
            op(PUT, 2, SET, 2, 0, 0, 0) + op(PUT, 3, SET, 3, 0, 0, 0) +
            op(PUT, 3, SET | 8, 3, 0, 0, 0) + op(GET, 2) + op(GET, 3),
        "store-incr-decr-edges": bytes([6, 0x10]) +
            op(PUT, 0, SET, number, 0, 0, 0) + op(ARITH, 0, 1 | (6 << 1)) +
            op(ARITH, 0, 1) + op(PUT, 1, SET, big, 0, 0, 0) +
            op(ARITH, 1, 1 | (1 << 1)) + op(ARITH, 1, 0 | (5 << 1)) +
            op(PUT, 2, SET, (8 << 3) | 4, 0, 0, 0) + op(ARITH, 2, 1 | 2) +
            op(ARITH, 3, 1 | 2),
        "store-expiry-30-day-rule": bytes([6, 0x10]) +
            op(PUT, 0, SET, 1, 0, 8, 0) + op(PUT, 1, SET, 1, 0, 9, 0) +
            op(PUT, 2, SET, 1, 0, 5, 0) + op(PUT, 3, SET, 1, 0, 10, 0) +
            op(GET, 0) + op(GET, 1) + op(GET, 2) + op(TIME, 0, 6) +
            op(GET, 0) + op(GET, 3) + op(TIME, 0, 7) + op(GET, 0),
        "store-touch-and-gat": bytes([6, 0x10]) +
            op(PUT, 0, SET, 1, 0, 0, 0) + op(TOUCH, 0, 2) +
            op(TOUCH, 0, 0x80 | 4) + op(TIME, 0, 3) + op(GET, 0) +
            op(TOUCH, 0, 0x80 | 5) + op(GET, 0),
        "store-flush-delayed": bytes([6, 0x10]) +
            op(PUT, 0, SET, 1, 0, 0, 0) + op(FLUSH, 0, 3) +
            op(PUT, 1, SET, 1, 0, 0, 0) + op(GET, 0) + op(TIME, 0, 3) +
            op(GET, 0) + op(GET, 1) + op(PUT, 2, SET, 1, 0, 0, 0) +
            op(FLUSH, 0, 0x80) + op(GET, 2),
        "store-evict-tiny-log": bytes([2, 0x20 | 0x10]) +
            b"".join(op(PUT, i, SET, typical, 0, 0, 0) for i in range(12)) +
            op(GET, 3) + op(GET, 11) +
            b"".join(op(PUT, i, SET, typical, 0, 0, 0) for i in range(6)),
        "store-no-evict-full": bytes([2 | 0x20, 0x20 | 0x10]) +
            b"".join(op(PUT, i, SET, typical, 0, 0, 0) for i in range(12)) +
            op(ARITH, 0, 1) + op(TOUCH, 1, 2),
        "store-cas-disabled": bytes([6 | 0x40, 0x10]) +
            op(PUT, 0, SET, 1, 0, 0, 0) + op(GET, 0) +
            op(PUT, 0, CAS, 1, 0, 0, 4) + op(PUT, 0, CAS, 1, 0, 0, 0),
        "store-long-keys": bytes([5 | 0x80, 0x60 | 0x10]) +
            op(PUT, 3, SET, typical, 0, 0, 0) + op(PUT, 7, SET, 2, 0, 0, 0) +
            op(GET, 3) + op(DELETE, 7) + op(GET, 7),
        "store-index-growth": bytes([7, 0x60 | 0x10]) +
            b"".join(op(PUT, i, SET, 1, 0, 0, 0) for i in range(32)) +
            b"".join(op(GET, i) for i in range(32)) + op(RESET, 0),
        "store-int32-clock-edge": bytes([6, 0x18]) +
            op(PUT, 0, SET, 1, 0, 13, 0) + op(PUT, 1, SET, 1, 0, 10, 0) +
            op(TIME, 0, 7) + op(GET, 0) + op(GET, 1),
    }
    return seeds


# --- fuzz_settings argument vectors --------------------------------------------

def settings_seeds():
    vectors = {
        "settings-typical": ["-d", "-m", "1024", "-u", "memcache", "-l",
                             "127.0.0.1", "-p", "11211", "-c", "1024", "-P",
                             "/tmp/mcref.pid"],
        "settings-every-supported": ["-p", "0", "-s", "/tmp/s", "-a", "755",
                                     "-A", "-M", "-C", "-F", "-k", "-r",
                                     "-vvv", "-b", "10", "-I", "2m", "-m",
                                     "64", "-o", "idle_timeout=5,hashpower=16,"
                                     "test_clock"],
        "settings-long-options": ["--port=1", "--listen=::1", "--listen",
                                  "[::1]:5", "--memory-limit=8",
                                  "--max-item-size=1k", "--conn-limit=3",
                                  "--verbose", "--extended=test_clock",
                                  "--disable-cas"],
        "settings-accepted-without-effect": ["-t", "8", "-R", "5", "-f", "2",
                                             "-n", "48", "-L", "-X", "-W",
                                             "-B", "auto", "-o",
                                             "modern,slab_reassign"],
        "settings-refused": ["-S"],
        "settings-refused-suboption": ["-o", "ext_path=/x"],
        "settings-udp": ["-U", "11211"],
        "settings-bad-numbers": ["-m", "-1", "-c", "0", "-p", "70000"],
        "settings-item-size-over-half": ["-m", "1", "-I", "1m"],
        "settings-item-size-suffixes": ["-I", "4294967295g"],
        "settings-help": ["-h"],
        "settings-version": ["-V"],
        "settings-licence-in-cluster": ["-vi"],
        "settings-unknown": ["-Q", "extra"],
        "settings-missing-argument": ["-p"],
        "settings-listen-many": ["-l", "a,b", "-l", "c:1", "-l", "[::1]"],
    }
    return {name: b"\0".join(a.encode() for a in args)
            for name, args in vectors.items()}


def write(outdir, harness, name, data):
    folder = os.path.join(outdir, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data[:SEED_MAX])


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else \
        tempfile.mkdtemp(prefix="mcref-seeds-")
    for case in read_cases():
        write(outdir, "fuzz_session", case.name,
              session_seed(session_config(case.requires), case.steps))
        write(outdir, "fuzz_parse", case.name, parse_seed(case.steps))
    for name, stream in list(extra_streams().items()) + \
            list(meta_streams().items()):
        conf = 5 << 5
        if "http" in name or "admin" in name:
            conf |= 4   # test clock: debugtime is known
        write(outdir, "fuzz_session", name,
              session_seed(conf, [("send", stream, 0)]))
        write(outdir, "fuzz_parse", name, parse_seed([("send", stream, 0)]))
    # Small limits make too-large values easy to reach.
    write(outdir, "fuzz_parse", "limit-100-storage",
          parse_seed([("send", b"set a 0 0 100\r\n" + b"x" * 100 +
                       b"\r\nset b 0 0 101\r\n" + b"y" * 101 + b"\r\n", 7)],
                     value_limit=1))
    for name, data in store_seeds().items():
        write(outdir, "fuzz_store", name, data)
    for name, data in settings_seeds().items():
        write(outdir, "fuzz_settings", name, data)
    print(outdir)


if __name__ == "__main__":
    main()
