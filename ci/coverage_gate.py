#!/usr/bin/env python3
"""ci/coverage_gate.py COVERAGE_JSON - the coverage gates of make test.

Thresholds (issue: coverage and sanitizer gates):
  src/proto, src/store, src/engine: at least 95% of lines, 90% of branches;
  all of src/: at least 85% of lines.
Boundaries: every BOUNDARY(x) marker in src/ must have been seen with x
true and with x false (both branches of its line taken).

Prints a table of the figures, every file that falls short of its group's
threshold, and every boundary with its counts; exits 1 when a gate fails
(unless COVERAGE_GATES=0).
"""
import json
import os
import re
import sys

STRICT = {"src/proto": (95.0, 90.0), "src/store": (95.0, 90.0),
          "src/engine": (95.0, 90.0)}
ALL_LINES = 85.0


def counts(entry):
    lines = [l for l in entry["lines"] if not l.get("gcovr/noncode", False)]
    lc = len(lines)
    lh = sum(1 for l in lines if l["count"] > 0)
    branches = [b for l in lines for b in l.get("branches", [])]
    bc = len(branches)
    bh = sum(1 for b in branches if b["count"] > 0)
    return lh, lc, bh, bc


def pct(hit, total):
    return 100.0 * hit / total if total else 100.0


def main(path):
    data = json.load(open(path))
    files = {f["file"]: f for f in data["files"]}
    failed = []
    groups = {}
    for name, entry in files.items():
        g = next((d for d in STRICT if name.startswith(d + "/")), None)
        lh, lc, bh, bc = counts(entry)
        groups.setdefault(g, []).append((name, lh, lc, bh, bc))

    print("coverage gates")
    print("%-22s %8s %8s" % ("", "lines", "branches"))
    total = [0, 0, 0, 0]
    for g in sorted(k for k in groups if k is not None):
        s = [sum(x[i] for x in groups[g]) for i in range(1, 5)]
        min_l, min_b = STRICT[g]
        lp, bp = pct(s[0], s[1]), pct(s[2], s[3])
        ok = lp >= min_l and bp >= min_b
        print("%-22s %7.1f%% %7.1f%%  (need %.0f%% / %.0f%%) %s"
              % (g, lp, bp, min_l, min_b, "ok" if ok else "FAIL"))
        if not ok:
            short = [(n, pct(a, b), pct(c, d)) for n, a, b, c, d in groups[g]
                     if pct(a, b) < min_l or pct(c, d) < min_b]
            failed.append("%s: %.1f%% lines, %.1f%% branches; files short: %s"
                          % (g, lp, bp, ", ".join("%s (%.1f%%/%.1f%%)" % x
                                                  for x in short)))
    for g in groups:
        for _, a, b, c, d in groups[g]:
            total[0] += a
            total[1] += b
            total[2] += c
            total[3] += d
    lp = pct(total[0], total[1])
    ok = lp >= ALL_LINES
    print("%-22s %7.1f%% %7.1f%%  (need %.0f%% lines) %s"
          % ("src/ (all)", lp, pct(total[2], total[3]), ALL_LINES,
             "ok" if ok else "FAIL"))
    if not ok:
        short = sorted((pct(a, b), n) for g in groups
                       for n, a, b, c, d in groups[g] if pct(a, b) < ALL_LINES)
        failed.append("src/: %.1f%% lines; files under %.0f%%: %s"
                      % (lp, ALL_LINES,
                         ", ".join("%s (%.1f%%)" % (n, p) for p, n in short)))

    print("\nboundaries (each must be seen true and false)")
    for name in sorted(files):
        src = name
        if not os.path.exists(src):
            continue
        text = open(src).read().split("\n")
        by_line = {l["line_number"]: l for l in files[name]["lines"]}
        for i, line in enumerate(text, 1):
            m = re.search(r"\bBOUNDARY\((.*)\);", line)
            if not m or "#define" in line:
                continue
            br = by_line.get(i, {}).get("branches", [])
            taken = [b["count"] for b in br]
            both = len(taken) >= 2 and all(c > 0 for c in taken)
            print("  %-26s %-48s %s %s" % ("%s:%d" % (name, i), m.group(1),
                                            taken, "ok" if both else "FAIL"))
            if not both:
                failed.append("boundary %s:%d (%s) not seen both ways: %s"
                              % (name, i, m.group(1), taken))
    if failed:
        print("\ncoverage gates FAILED:")
        for f in failed:
            print("  " + f)
        if os.environ.get("COVERAGE_GATES", "1") != "0":
            return 1
    else:
        print("\ncoverage gates passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
