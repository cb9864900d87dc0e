#!/usr/bin/env python3
"""ci/mutate.py - mutation testing: do the unit and property tests notice a
deliberately broken line in src/proto, src/store or src/engine?

Each mutant changes one token of one source file: a comparison flipped
(< <= > >= == !=), && and || swapped, a negation dropped, an integer constant
or a named limit (LIMIT_*, *_MAX, *_MIN, *_SIZE) moved by one, a +1/-1
boundary removed or turned around, true and false swapped. Mutants are
enumerated from the sources as they are now (no fixed line numbers), in a
fixed order, so `--sample N --seed S` picks the same mutants from the same
code. Assertions (CHECK, BOUNDARY, assert) and preprocessor lines are not
mutated: they guard invariants rather than decide behaviour.

Every mutant is built (PROFILE=debug, with the O(n) invariant checks) in a
private copy of the tree under build/mutation/, and the tests run with a
timeout each, fastest first, stopping at the first failure. A mutant is
killed when a test fails, crashes or times out; it survives when all pass; it
is invalid (not counted) when it does not compile.

    ci/mutate.py                          # every mutant (slow: hours)
    ci/mutate.py --sample 300 --seed 1    # 300 of them, reproducibly
    ci/mutate.py --list                   # print the mutants, run nothing
    ci/mutate.py --smoke                  # `make test`'s check of this script
    ci/mutate.py --survivors-of build/mutation/report.json   # after new tests

The report (build/mutation/report.txt, and .json) gives killed/survived per
file, the kill ratio, and every survivor as file:line, the change, and the
line, so a survivor can be replayed with --only FILE:LINE:COL:NEW.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
LAYERS = ("src/proto", "src/store", "src/engine")
PROFILE = "debug"

# Every unit test of the three layers (tests/unit/test_{proto,store,engine}_*),
# found at run time so that a new test file counts at once; the slow ones
# last, so that most mutants die early.
SLOW_UNITS = ("test_engine_session", "test_store")


def unit_tests():
    names = sorted(f[:-2] for f in os.listdir(os.path.join(ROOT, "tests", "unit"))
                   if re.match(r"test_(proto|store|engine)(_\w+)?\.c$", f))
    return [n for n in names if n not in SLOW_UNITS] + \
        [n for n in SLOW_UNITS if n in names]


UNIT_TESTS = unit_tests()

# Fixed seeds, so a mutant's verdict does not depend on the day it runs.
PROP_RUNS = [
    ["prop_session", "--mode", "model", "--seed", "1", "--runs", "300"],
    ["prop_session", "--mode", "split", "--seed", "1", "--runs", "100"],
    ["prop_store", "--seed", "1", "--runs", "100", "--ops", "2000"],
]

# C tokens, longest operators first, so that "->", "<<=" or "<=" are one token.
TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>\b(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<op><<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>=!&|^~?:;,.(){}\[\]])
  | (?P<space>\s+)
""", re.S | re.X)

FLIP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==",
        "&&": "||", "||": "&&"}
# Names of bounds (limits.h, block sizes): moving one by one is a boundary.
LIMIT_NAME = re.compile(r"^(?:LIMIT_[A-Z0-9_]+|[A-Z][A-Z0-9_]*_(?:MAX|MIN|SIZE))$")
SKIP_CALLS = {"CHECK", "BOUNDARY", "assert", "static_assert", "_Static_assert",
              "sizeof", "_Alignof", "alignof"}


def tokens(text):
    """(kind, value, offset) for every token but spaces and comments."""
    pos = 0
    out = []
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:  # a character C does not have (never in our sources)
            pos += 1
            continue
        kind = m.lastgroup
        if kind not in ("space", "comment"):
            out.append((kind, m.group(), m.start()))
        pos = m.end()
    return out


def preprocessor_spans(text):
    """Offsets covered by # lines (with their continuations)."""
    spans = []
    for m in re.finditer(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", text, re.M):
        spans.append((m.start(), m.end()))
    return spans


def skipped_spans(toks):
    """Offsets inside CHECK(...), BOUNDARY(...), sizeof(...), and inside the
    size of an array declaration (`uint8_t line[12 + LIMIT_KEY_LEN];`): a
    buffer one byte larger or smaller is not behaviour a test can see, short
    of an overflow the sanitizer builds look for."""
    spans = []
    for i, (kind, val, off) in enumerate(toks):
        if val == "[" and i >= 2 and toks[i - 1][0] == "ident" and \
                toks[i - 2][0] == "ident" and toks[i - 2][1] not in (
                    "return", "case", "else", "sizeof"):
            spans.append((off, closing(toks, i, "[", "]")))
        if kind == "ident" and val in SKIP_CALLS and i + 1 < len(toks) \
                and toks[i + 1][1] == "(":
            spans.append((off, closing(toks, i + 1, "(", ")")))
    return spans


def closing(toks, i, opener, closer):
    """The offset just past the bracket that closes toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][1] == opener:
            depth += 1
        elif toks[j][1] == closer:
            depth -= 1
            if depth == 0:
                return toks[j][2] + 1
    return toks[-1][2] + 1


def inside(off, spans):
    return any(a <= off < b for a, b in spans)


def enumerate_mutants(rel):
    """Every mutant of one file, in source order: dicts with file, offset,
    old, new, line, col, kind."""
    text = open(os.path.join(ROOT, rel)).read()
    toks = tokens(text)
    skip = preprocessor_spans(text) + skipped_spans(toks)
    muts = []

    def add(i, new, kind, length=None):
        _, old, off = toks[i]
        line = text.count("\n", 0, off) + 1
        col = off - (text.rfind("\n", 0, off) + 1) + 1
        muts.append({"file": rel, "offset": off, "old": old,
                     "len": len(old) if length is None else length,
                     "new": new, "line": line, "col": col, "kind": kind})

    for i, (kind, val, off) in enumerate(toks):
        if inside(off, skip):
            continue
        prev = toks[i - 1][1] if i > 0 else ""
        nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
        if kind == "op" and val in FLIP:
            add(i, FLIP[val], "logic" if val in ("&&", "||") else "compare")
        elif kind == "op" and val == "!" and nxt != "=":
            add(i, "", "negation")
        elif kind == "op" and val in ("+", "-") and i + 1 < len(toks) \
                and toks[i + 1][1] == "1" and i > 0 \
                and (toks[i - 1][0] in ("ident", "number") or prev in (")", "]")) \
                and prev != "return":
            # x + 1 / x - 1: drop the boundary shift (" + 1" becomes "").
            _, one, one_off = toks[i + 1]
            add(i, "", "boundary", length=one_off + len(one) - off)
            add(i, "-" if val == "+" else "+", "boundary")
        elif kind == "number":
            m = re.match(r"(0[xX][0-9a-fA-F]+|\d+)(.*)", val)
            digits, suffix = m.group(1), m.group(2)
            n = int(digits, 0)
            add(i, "%d%s" % (n + 1, suffix), "constant")
            if n > 0:
                add(i, "%d%s" % (n - 1, suffix), "constant")
        elif kind == "ident" and LIMIT_NAME.match(val) and nxt != "(" and \
                prev not in ("case", "enum", "#define") and nxt != "=":
            # a named limit used as a value: one past it, one before it
            add(i, "(%s + 1)" % val, "limit")
            add(i, "(%s - 1)" % val, "limit")
        elif kind == "ident" and val in ("true", "false"):
            add(i, "false" if val == "true" else "true", "constant")
    return muts


def all_mutants():
    out = []
    for layer in LAYERS:
        for name in sorted(os.listdir(os.path.join(ROOT, layer))):
            if name.endswith(".c"):
                out.extend(enumerate_mutants(layer + "/" + name))
    return out


def mutant_id(m):
    return "%s:%d:%d:%s" % (m["file"], m["line"], m["col"], m["new"] or "<drop>")


def describe(m):
    return "%s:%d:%d %s %r -> %r" % (m["file"], m["line"], m["col"], m["kind"],
                                     m["old"] if m["len"] == len(m["old"])
                                     else m["old"] + " 1", m["new"])


# ---- running ----------------------------------------------------------------

def copy_tree(work):
    if os.path.exists(work):
        shutil.rmtree(os.path.join(work, "src"), ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    for entry in ("Makefile", "src", "tests", "spec", "fuzz", "ci"):
        src = os.path.join(ROOT, entry)
        dst = os.path.join(work, entry)
        if os.path.isdir(src):
            if os.path.exists(dst):
                shutil.rmtree(dst)
            # Fresh mtimes (copy, not copy2): objects left from a mutant of
            # an interrupted run must not look newer than the sources.
            shutil.copytree(src, dst, copy_function=shutil.copy,
                            ignore=shutil.ignore_patterns(
                                "corpus", "regress", "__pycache__"))
        else:
            shutil.copy(src, dst)


def targets():
    b = "build/%s/" % PROFILE
    return [b + "tests/unit/" + t for t in UNIT_TESTS] + \
        [b + "tests/prop/prop_store", b + "tests/prop/prop_session"]


MAKE_JOBS = 1  # --jobs


def build(work, timeout):
    try:
        r = subprocess.run(["make", "-s", "-j%d" % MAKE_JOBS, "PROFILE=" + PROFILE] +
                           targets(),
                           cwd=work, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "build timed out"
    return r.returncode == 0, r.stdout.decode(errors="replace")[-2000:]


def run_tests(work, timeout):
    """None when every test passes, else what failed first."""
    b = os.path.join(work, "build", PROFILE, "tests")
    runs = [[os.path.join(b, "unit", t)] for t in UNIT_TESTS] + \
        [[os.path.join(b, "prop", r[0])] + r[1:] for r in PROP_RUNS]
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="stdout")
    for cmd in runs:
        name = " ".join([os.path.basename(cmd[0])] + cmd[1:3])
        try:
            r = subprocess.run(cmd, cwd=work, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=timeout,
                               env=env)
        except subprocess.TimeoutExpired:
            return name + " (timeout)"
        if r.returncode != 0:
            return "%s (exit %d)" % (name, r.returncode)
    return None


def apply(work, m, original):
    path = os.path.join(work, m["file"])
    off = m["offset"]
    text = original[:off] + m["new"] + original[off + m["len"]:]
    with open(path, "w") as f:
        f.write(text)


def restore(work, rel, original):
    path = os.path.join(work, rel)
    with open(path, "w") as f:
        f.write(original)
    # A build in the same second as the mutant's must still see the change.
    t = time.time() + 2
    os.utime(path, (t, t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    ap.add_argument("--sample", type=int, help="run N mutants drawn at random")
    ap.add_argument("--seed", type=int, default=1, help="for --sample (1)")
    ap.add_argument("--files", default="", help="only files whose path "
                    "contains this text (comma-separated alternatives)")
    ap.add_argument("--only", action="append", default=[],
                    help="one mutant by FILE:LINE:COL:NEW (repeatable)")
    ap.add_argument("--survivors-of", metavar="REPORT_JSON",
                    help="run again only the mutants that survived in a "
                    "report (e.g. after adding tests)")
    ap.add_argument("--timeout", type=float, default=30,
                    help="seconds per test binary (30); a hang is a kill")
    ap.add_argument("--list", action="store_true", help="list, run nothing")
    ap.add_argument("--smoke", action="store_true",
                    help="a few mutants: the script works, known mutants die")
    ap.add_argument("--jobs", type=int, default=1,
                    help="parallel jobs of each build (1)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "mutation"))
    ap.add_argument("--report", default=None)
    args = ap.parse_args()
    global MAKE_JOBS
    MAKE_JOBS = max(1, args.jobs)

    muts = all_mutants()
    if args.files:
        keys = args.files.split(",")
        muts = [m for m in muts if any(k in m["file"] for k in keys)]
    if args.smoke:
        muts = smoke_mutants(muts)
    elif args.survivors_of:
        with open(args.survivors_of) as f:
            wanted = {mutant_id(r) for r in json.load(f)
                      if r["verdict"] == "survived"}
        muts = [m for m in muts if mutant_id(m) in wanted]
        if len(muts) != len(wanted):
            print("mutate: %d survivors no longer exist (the code changed)"
                  % (len(wanted) - len(muts)))
    elif args.only:
        muts = [m for m in muts if mutant_id(m) in args.only]
        if len(muts) != len(args.only):
            sys.exit("mutate: --only names a mutant that does not exist now")
    elif args.sample is not None and args.sample < len(muts):
        rng = random.Random(args.seed)
        muts = sorted(rng.sample(muts, args.sample),
                      key=lambda m: (m["file"], m["offset"]))
    if args.list:
        for m in muts:
            print(mutant_id(m), " ", describe(m))
        print("%d mutants" % len(muts))
        return 0

    work = os.path.abspath(args.work)
    report = args.report or os.path.join(work, "report")
    print("mutate: %d mutants; copying the tree to %s" % (len(muts), work))
    copy_tree(work)
    ok, out = build(work, 900)
    if not ok:
        print(out)
        sys.exit("mutate: the unmutated tree does not build")
    failed = run_tests(work, args.timeout * 3)
    if failed:
        sys.exit("mutate: the unmutated tree fails its tests: " + failed)

    results = []
    t0 = time.time()
    by_file = {}
    for m in muts:
        by_file.setdefault(m["file"], []).append(m)
    n = 0
    for rel in sorted(by_file):
        original = open(os.path.join(work, rel)).read()
        for m in by_file[rel]:
            n += 1
            apply(work, m, original)
            ok, out = build(work, 300)
            if not ok:
                verdict, why = "invalid", "does not compile"
            else:
                why = run_tests(work, args.timeout)
                verdict = "killed" if why else "survived"
            restore(work, rel, original)
            res = dict(m, verdict=verdict, by=why or "",
                       text=original.split("\n")[m["line"] - 1].strip())
            results.append(res)
            print("[%d/%d %4.0fs] %-8s %s%s" % (
                n, len(muts), time.time() - t0, verdict, describe(m),
                "  (" + why + ")" if verdict == "killed" else ""), flush=True)
    build(work, 900)  # leave the copy unmutated

    text = summarize(results)
    print(text)
    with open(report + ".txt", "w") as f:
        f.write(text)
    with open(report + ".json", "w") as f:
        json.dump(results, f, indent=1)
    print("mutate: report in %s.txt and %s.json" % (report, report))
    if args.smoke:
        return smoke_verdict(results)
    return 0


def summarize(results):
    lines = []
    files = sorted({r["file"] for r in results})
    lines.append("%-28s %7s %8s %7s %6s" % ("file", "killed", "survived",
                                             "invalid", "ratio"))
    tk = ts = 0
    for f in files:
        k = sum(1 for r in results if r["file"] == f and r["verdict"] == "killed")
        s = sum(1 for r in results if r["file"] == f and r["verdict"] == "survived")
        i = sum(1 for r in results if r["file"] == f and r["verdict"] == "invalid")
        tk += k
        ts += s
        lines.append("%-28s %7d %8d %7d %5.1f%%" % (
            f, k, s, i, 100.0 * k / (k + s) if k + s else 0))
    lines.append("%-28s %7d %8d %7s %5.1f%%" % (
        "total", tk, ts, "", 100.0 * tk / (tk + ts) if tk + ts else 0))
    surv = [r for r in results if r["verdict"] == "survived"]
    if surv:
        lines.append("\nsurvivors:")
        for r in surv:
            lines.append("  %s    %s" % (describe(r), r["text"]))
    return "\n".join(lines) + "\n"


# ---- smoke: does the script itself work? --------------------------------------

# Mutants found by what the code says, not where: each must exist and be
# killed. They stand for the classes of mutation the script makes.
SMOKE_KILL = [
    # the 30-day limit between relative and absolute exptimes
    ("src/store/exptime.c", "<=", "<", "exptime <= LIMIT_RELATIVE_EXPTIME"),
    # keys longer than the limit are refused
    ("src/proto/text_parse.c", None, None, "LIMIT_KEY"),
]


def smoke_mutants(muts):
    chosen = []
    for rel, old, new, context in SMOKE_KILL:
        path = os.path.join(ROOT, rel)
        text = open(path).read()
        lines = text.split("\n")
        cands = [m for m in muts if m["file"] == rel and
                 context in lines[m["line"] - 1] and
                 (old is None or (m["old"] == old and m["new"] == new)) and
                 m["kind"] in ("compare", "constant", "boundary")]
        if not cands:
            sys.exit("mutate --smoke: no mutant of %s at '%s' any more; "
                     "update SMOKE_KILL" % (rel, context))
        c = dict(cands[0])
        c["must_die"] = True
        chosen.append(c)
    # Three more, drawn the same way every time from what exists now.
    rest = [m for m in muts if mutant_id(m) not in {mutant_id(c) for c in chosen}]
    chosen += random.Random(5).sample(rest, min(3, len(rest)))
    return chosen


def smoke_verdict(results):
    bad = [r for r in results if r.get("must_die") and r["verdict"] != "killed"]
    for r in bad:
        print("mutate --smoke: %s was not killed (%s)" % (describe(r), r["verdict"]))
    if bad:
        return 1
    print("mutate --smoke: ok (%d mutants, the known ones killed)" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
