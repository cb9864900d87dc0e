#!/usr/bin/env bash
# ci/test.sh - the whole test suite, as `make test` runs it.
#
# Stages run in lanes. The main lane, in the foreground, holds what keeps
# the CPU busy: the builds, unit, property and fuzz runs, the soak,
# coverage and valgrind. Stages that mostly wait (servers on loopback,
# real clients, timeouts, memcached without a test clock) run in
# background lanes, started as soon as the build they need exists; a lane
# runs its stages in order, each on its own ports, and its output is shown
# when it is collected at the end. Every stage prints its wall time and the
# CPU time of its processes. The first failure, in any lane, stops the run
# with a non-zero status.
#
# TEST_STAGES (space-separated names) runs a subset, e.g.
# TEST_STAGES="units prop" make test. TEST_LANES=0 runs every stage in the
# foreground, one at a time (slower; one stage's time is then its own).
#
# The by-hand long forms: make soak (10 minutes), make fuzz, make mutation,
# make coverage, tests/integration/run.sh (the 60 s soak test),
# FUZZ_SECONDS=60 make fuzz-smoke.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
all="deps units prop purity release asan soak fuzz-smoke mutation-smoke fuzz-ossfuzz
coverage valgrind clauses conformance integration clients conformance-proxy fuzz-net
operator deb monitoring examples conformance-asan integration-asan
conformance-memcached"
stages=${TEST_STAGES:-$all}
lanes=${TEST_LANES:-1}
started=$(date +%s)
# Each stage's log and result ("status seconds cpu" in NAME.rc); kept after
# the run.
logs=build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
lane_pids=()
lane_names=()
main_pid=

# Kills a process and everything it started (by PID, children first).
kill_tree() {
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done
    kill "$1" 2>/dev/null || true
}
cleanup() {
    local p
    for p in "${lane_pids[@]}" $main_pid; do kill_tree "$p"; done
}
trap cleanup EXIT

wanted() { case " $(echo $stages) " in *" $1 "*) return 0 ;; esac; return 1; }

# Sets ticks: the CPU time (user + system, in clock ticks) of this shell's
# finished children (not in $(...): that would be another shell).
cpu_ticks() {
    local f
    read -r -a f <"/proc/$BASHPID/stat"
    ticks=$((f[15] + f[16]))
}
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)

# run_stage NAME CMD...: runs one stage, prints its result and keeps it in
# $logs/NAME.rc ("status seconds cpu"); returns the stage's status.
run_stage() {
    local name=$1 t0 c0 rc=0 secs cpu ticks
    shift
    echo "==== $name"
    t0=$(date +%s)
    cpu_ticks
    c0=$ticks
    "$@" || rc=$?
    secs=$(($(date +%s) - t0))
    cpu_ticks
    cpu=$(((ticks - c0) * 10 / hz))
    cpu=$((cpu / 10)).$((cpu % 10))
    echo "$rc $secs $cpu" >"$logs/$name.rc"
    if [ "$rc" -ne 0 ]; then
        echo "==== $name FAILED after $secs s (CPU $cpu s)"
    else
        echo "==== $name passed in $secs s (CPU $cpu s)"
    fi
    return "$rc"
}

# A failed stage of a background lane stops the run at once.
check_lanes() {
    local f name rc
    for f in "$logs"/*.rc; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .rc)
        read -r rc _ <"$f"
        if [ "${rc:-0}" != 0 ] && [ -e "$logs/$name.log" ]; then
            echo "==== $name FAILED (in a background lane); its whole log:" >&2
            cat "$logs/$name.log" >&2
            echo "==== the background stages that had finished (logs in $logs):" >&2
            grep -h "^==== .* in [0-9]* s" "$logs"/*.log >&2 || true
            exit 1
        fi
    done
}

# stage NAME CMD...: a stage of the main lane. While it runs, a failure in
# a background lane stops the run.
stage() {
    wanted "$1" || return 0
    check_lanes
    if [ ${#lane_pids[@]} -eq 0 ]; then
        run_stage "$@" || exit 1
        return 0
    fi
    run_stage "$@" &
    main_pid=$!
    while kill -0 "$main_pid" 2>/dev/null; do
        check_lanes
        sleep 1
    done
    wait "$main_pid" || exit 1
    main_pid=
    check_lanes
}

# In a lane: bg NAME CMD... runs a stage into $logs/NAME.log.
bg() {
    wanted "$1" || return 0
    if [ "$lanes" = 0 ]; then
        run_stage "$@"
    else
        run_stage "$@" >"$logs/$1.log" 2>&1
    fi
}

# lane NAME FUNCTION: runs FUNCTION (a sequence of bg stages) in the
# background; it stops at its first failure.
lane() {
    local name=$1 fn=$2
    [ -n "$("${fn}_stages")" ] || return 0
    if [ "$lanes" = 0 ]; then
        "$fn" || exit 1
        return 0
    fi
    echo "==== lane $name started in the background: $("${fn}_stages")"
    ( "$fn" ) &
    lane_pids+=($!)
    lane_names+=("$fn")
}

# Waits for every lane, then prints each stage's log in order.
collect() {
    local i fn s rc
    for i in "${!lane_pids[@]}"; do
        while kill -0 "${lane_pids[$i]}" 2>/dev/null; do
            check_lanes
            sleep 1
        done
        wait "${lane_pids[$i]}" || true
        fn=${lane_names[$i]}
        for s in $("${fn}_stages"); do
            [ -e "$logs/$s.log" ] || continue
            cat "$logs/$s.log"
        done
    done
    lane_pids=()
    check_lanes
}

have_memcached() { command -v memcached >/dev/null || [ -x /usr/bin/memcached ]; }

# ---- lanes: each has its own ports ------------------------------------------

# Against memcached 1.6.18: mostly sleeping (memcached has no test clock).
reference_stages() { wanted conformance-memcached && echo conformance-memcached || true; }
reference() {
    bg conformance-memcached env CONFORM_PORT_BASE=23700 ci/conform.sh /usr/bin/memcached
}

# The shipped build on loopback: the executable spec, then real clients and
# tools, the proxy, the network fuzzer, the operator's view, the examples.
net_stages() {
    local s
    for s in clauses conformance integration clients conformance-proxy fuzz-net \
        operator deb monitoring examples; do
        wanted "$s" && echo -n "$s " || true
    done
}
net() {
    # Every clause of spec/protocol.md has a case; every cited clause exists.
    bg clauses sh -c 'ci/check-clauses.sh && ci/check-clauses.sh --units' &&
    bg conformance env CONFORM_JOBS=4 CONFORM_PORT_BASE=23400 \
        ci/conform.sh build/release/mcref &&
    # The integration suite, 3 files at a time; its soak test for 20 s
    # (60 s by hand: tests/integration/run.sh).
    bg integration env MCREF_IT_JOBS=3 MCREF_IT_PORTS=22000-22249 MCREF_SOAK_S=20 \
        SMOKE_PORT_LO=21000 SMOKE_PORT_HI=21299 make -s PROFILE=release integration &&
    # Real memcached clients from Debian under every mcref-clientcheck
    # profile, against their expected results (tests/clients/expected.txt).
    bg clients timeout 900 tests/clients/run.py build/release &&
    # Through twemproxy: only the clauses spec/proxy.md lists may fail.
    { ! command -v nutcracker >/dev/null ||
        bg conformance-proxy ci/conform-proxy.sh build/release/mcref; } &&
    # mcref-fuzz, bounded: memcached 1.6.18 (only documented differences),
    # twemproxy in front of mcref (findings replay), mcref against itself.
    bg fuzz-net env FUZZ_NET_SECONDS="${FUZZ_NET_SECONDS:-6}" ci/fuzz-net.sh build/release/mcref &&
    # What an operator meets: make run, make install, the unit, the start
    # wrapper; the Debian package installed, started and removed (root
    # only; it says why it skips); collectd and munin reading stats; the
    # examples (Pyramid sessions through Beaker, a three-node cluster
    # behind twemproxy and as a pylibmc ketama pool).
    bg operator ci/test-install.sh build/release &&
    bg deb ci/test-deb.sh &&
    bg monitoring ci/test-monitoring.sh build/release/mcref &&
    bg examples ci/test-examples.sh build/release/mcref
}

# The same spec and suite against the ASan+UBSan server (its soak test 10 s).
# The sanitized server is several times slower: its conformance profiles run
# 2 at a time and each wait for a reply may last 10 s instead of 2 (a bound
# on waiting, not a timing check).
asan_net_stages() {
    local s
    for s in conformance-asan integration-asan; do
        wanted "$s" && echo -n "$s " || true
    done
}
asan_net() {
    bg conformance-asan env CONFORM_JOBS=2 CONFORM_PORT_BASE=24000 \
        CONFORM_ARGS="--timeout 10000" ci/conform.sh build/asan/mcref &&
    bg integration-asan env ASAN_OPTIONS=detect_leaks=1 MCREF_IT_JOBS=3 \
        MCREF_IT_PORTS=22250-22499 MCREF_SOAK_S=10 SMOKE_PORT_LO=21300 SMOKE_PORT_HI=21599 \
        make -s PROFILE=asan integration
}

# ---- the main lane ------------------------------------------------------------

stage deps ci/deps.sh test
# The tools against memcached need only the tool: start that first.
if wanted conformance-memcached; then
    make -s -j"$jobs" PROFILE=release build/release/mcref-conform
    if have_memcached; then
        lane reference reference
    else
        echo "==== conformance-memcached skipped: memcached is not installed"
    fi
fi
# gcc, with the O(n) checks on; the unit test binaries two at a time.
export UNIT_JOBS=${UNIT_JOBS:-2}
stage units make -s -j"$jobs" PROFILE=debug unit
stage prop make -s -j"$jobs" PROFILE=debug prop
stage purity make -s -j"$jobs" PROFILE=release check-purity
# The shipped build: the server and its tools, gcc -O2 (and the soak client).
stage release make -s -j"$jobs" PROFILE=release all build/release/tests/soak/soak
# clang with AddressSanitizer and UndefinedBehaviorSanitizer; the fuzz
# corpora and regressions replayed without a fuzzer runtime.
stage asan env PROP_SECONDS=5 make -s -j"$jobs" PROFILE=asan unit prop fuzz-replay \
    build/asan/mcref build/asan/mcref-bench
# Reliability: the soak's short form (2,000 verifying connections, mixed
# text and meta, binary on a quarter of them, pipelined, slow, idle and
# churning, RSS flat after warm-up)
# against the release and the ASan+UBSan servers, then the fault suite
# (descriptors exhausted, -m tiny, connect storm, vanishing clients,
# idle_timeout). It loads both cores and the storm measures latency, so it
# runs before the other lanes start. About 90 s.
stage soak sh -c "make -s soak-short && make -s faults"
lane net net
lane asan-net asan_net
# Each libFuzzer harness for a short, fixed time, two at a time.
stage fuzz-smoke make -s -j"$jobs" fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-10}" \
    FUZZ_SMOKE_JOBS=2
# The mutation script works, and known mutants of proto/ and store/ are
# killed by the tests above (`make mutation` runs the whole pass).
stage mutation-smoke make -s mutation-smoke
# The harnesses built by fuzz/oss-fuzz/build.sh as OSS-Fuzz and
# ClusterFuzzLite build them, each run for a few seconds.
stage fuzz-ossfuzz ci/test-ossfuzz.sh 3
# Line and branch coverage with its gates; then the integration suite with
# the server under valgrind memcheck (no errors, no leaks).
# Its integration run has the soak test for 5 s; its servers use their own
# ports.
stage coverage env MCREF_SOAK_S=5 MCREF_IT_PORTS=22500-22749 CONFORM_PORT_BASE=24200 \
    SMOKE_PORT_LO=21600 SMOKE_PORT_HI=21899 ci/coverage.sh
stage valgrind sh -c "make -s -j$jobs PROFILE=debug build/debug/mcref &&
    MCREF_IT_JOBS=2 MCREF_IT_PORTS=22750-22999 ci/valgrind-integration.sh build/debug/mcref"
collect

echo "==== stage times (wall s, CPU s; the lanes overlap):"
for s in $stages; do
    [ -e "$logs/$s.rc" ] || continue
    read -r _ secs cpu <"$logs/$s.rc"
    printf '     %-22s %5s %7s\n' "$s" "$secs" "$cpu"
done
echo "==== all stages passed in $(($(date +%s) - started)) s"
