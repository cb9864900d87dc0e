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
# COVERAGE_GATES=0 reports without failing. MCREF_SOAK_S shortens the
# integration suite's soak test (60 s; make test gives it 5 s), and
# MCREF_IT_PORTS, CONFORM_PORT_BASE, SMOKE_PORT_LO/HI move the servers' ports.
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
t0=$SECONDS
say() { echo "coverage: $* (at $((SECONDS - t0)) s)"; }

# The servers on loopback (conformance, integration, bench) mostly wait, so
# they run in the background while the unit, property and fuzz-corpus runs
# use the CPU; their output follows. The counters of processes that exit
# together add up (gcov locks each .gcda file while it merges), so the
# conformance profiles also run 2 at a time and the integration files 3 at
# a time (CONFORM_JOBS, MCREF_IT_JOBS). The -O0 server is slow: a wait for
# a reply may last 10 s (CONFORM_ARGS), a bound on waiting, not a check.
servers() {
    local rc=0
    if [ -x ci/conform.sh ] && [ -x "$b/mcref-conform" ]; then
        say "conformance cases"
        CONFORM_JOBS=${CONFORM_JOBS:-2} CONFORM_ARGS=${CONFORM_ARGS:---timeout 10000} \
            CONFORM_BIN="$b/mcref-conform" ci/conform.sh "$b/mcref" || rc=1
    fi
    say "integration suites"
    MCREF_IT_JOBS=${MCREF_IT_JOBS:-3} \
        MCREF_BIN="$b/mcref" CONFORM_BIN="$b/mcref-conform" BENCH_BIN="$b/mcref-bench" \
        tests/integration/run.sh || rc=1
    BENCH_BIN="$b/mcref-bench" REQUIRE_META=1 tests/integration/bench_smoke.sh "$b/mcref" || rc=1
    say "servers done"
    return $rc
}
servers >"$out/servers.log" 2>&1 &
servers_pid=$!
kill_tree() { # PID: it and everything it started, children first
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done
    kill "$1" 2>/dev/null || true
}
trap 'kill_tree $servers_pid' EXIT

say "unit tests"
UNIT_JOBS=${UNIT_JOBS:-2} make -s PROFILE=cov unit >/dev/null
say "property tests (fixed seeds)"
"$b/tests/prop/prop_store" --seed 1 --runs 150 --ops 3000
"$b/tests/prop/prop_session" --mode split --seed 1 --runs 100
"$b/tests/prop/prop_session" --mode model --seed 1 --runs 200
"$b/tests/prop/prop_binary" --mode split --seed 1 --runs 50
"$b/tests/prop/prop_binary" --mode model --seed 1 --runs 100
say "fuzz corpora"
make -s PROFILE=cov fuzz-replay
say "waiting for the servers"
servers_rc=0
wait $servers_pid || servers_rc=$?
trap - EXIT
cat "$out/servers.log"
if [ "$servers_rc" -ne 0 ]; then
    echo "coverage: a conformance, integration or bench run failed (above)" >&2
    exit 1
fi
say "gcovr"

gcovr --root . --object-directory "$b" --filter 'src/' \
    --txt "$out/summary.txt" --html-details "$out/index.html" \
    --json "$out/coverage.json" --print-summary
python3 ci/coverage_gate.py "$out/coverage.json" | tee "$out/gates.txt"
