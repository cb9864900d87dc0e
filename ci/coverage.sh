#!/usr/bin/env bash
# ci/coverage.sh - `make coverage`: line and branch coverage of src/.
#
# Builds everything with gcov instrumentation (PROFILE=cov: gcc -O0
# --coverage, CHECK failures counted once, BOUNDARY markers live), runs the
# unit, property, fuzz-replay, conformance and integration suites against
# it, and writes:
#   build/coverage/summary.txt   gcovr's per-file table (lines, branches)
#   build/coverage/index.html    the same, file by file, line by line
#   build/coverage/coverage.json the raw data the gates read
# then applies the gates (ci/coverage_gate.py): thresholds and boundaries.
# COVERAGE_GATES=0 reports without failing.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
b=build/cov
out=build/coverage

# Counters from an earlier run would add up with this one's.
find "$b" -name '*.gcda' -delete 2>/dev/null || true
rm -rf "$out"
mkdir -p "$out"

make -s -j"$jobs" PROFILE=cov all unit-bins prop-bins fuzz-replay-bins
echo "coverage: unit tests"
make -s PROFILE=cov unit >/dev/null
echo "coverage: property tests (fixed seeds)"
"$b/tests/prop/prop_store" --seed 1 --runs 150 --ops 3000
"$b/tests/prop/prop_session" --mode split --seed 1 --runs 100
"$b/tests/prop/prop_session" --mode model --seed 1 --runs 200
"$b/tests/prop/prop_binary" --mode split --seed 1 --runs 50
"$b/tests/prop/prop_binary" --mode model --seed 1 --runs 100
echo "coverage: fuzz corpora"
make -s PROFILE=cov fuzz-replay
if [ -x ci/conform.sh ] && [ -x "$b/mcref-conform" ]; then
    echo "coverage: conformance cases"
    CONFORM_BIN="$b/mcref-conform" ci/conform.sh "$b/mcref"
fi
echo "coverage: integration suites"
MCREF_BIN="$b/mcref" CONFORM_BIN="$b/mcref-conform" BENCH_BIN="$b/mcref-bench" \
    tests/integration/run.sh
BENCH_BIN="$b/mcref-bench" tests/integration/bench_smoke.sh "$b/mcref"

gcovr --root . --object-directory "$b" --filter 'src/' \
    --txt "$out/summary.txt" --html-details "$out/index.html" \
    --json "$out/coverage.json" --print-summary
python3 ci/coverage_gate.py "$out/coverage.json" | tee "$out/gates.txt"
