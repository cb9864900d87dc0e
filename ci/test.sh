#!/usr/bin/env bash
# ci/test.sh - the whole test suite, as `make test` runs it.
#
# Stages run in order; each prints its name and time, and the first failure
# stops the run with a non-zero status. Conformance against memcached is
# mostly waiting (memcached has no test clock), so it runs in the background
# from the start and is collected at the end. TEST_STAGES (space-separated
# names) runs a subset, e.g. TEST_STAGES="units prop" make test.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
all="deps units prop mutation-smoke purity asan fuzz-smoke release clauses conformance
integration clients conformance-asan integration-asan soak conformance-memcached
conformance-proxy fuzz-net fuzz-ossfuzz operator deb monitoring examples coverage valgrind"
stages=${TEST_STAGES:-$all}
started=$(date +%s)
logs=$(mktemp -d)
bg_pids=()
cleanup() {
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$logs"
}
trap cleanup EXIT

wanted() { case " $(echo $stages) " in *" $1 "*) return 0 ;; esac; return 1; }

stage() {
    local name=$1
    shift
    wanted "$name" || return 0
    local t0
    t0=$(date +%s)
    echo "==== $name"
    if ! "$@"; then
        echo "==== $name FAILED after $(($(date +%s) - t0)) s" >&2
        exit 1
    fi
    echo "==== $name passed in $(($(date +%s) - t0)) s"
}

# A stage in the background: its output is kept and shown when collected.
bg_stage() {
    local name=$1
    shift
    wanted "$name" || return 0
    echo "==== $name (started in the background)"
    ( t0=$(date +%s); "$@" > "$logs/$name.log" 2>&1; rc=$?
      echo "$rc $(($(date +%s) - t0))" > "$logs/$name.rc" ) &
    bg_pids+=($!)
}

collect() {
    local name=$1
    wanted "$name" || return 0
    while [ ! -f "$logs/$name.rc" ]; do sleep 1; done
    read -r rc secs < "$logs/$name.rc"
    echo "==== $name"
    tail -n 12 "$logs/$name.log"
    if [ "$rc" -ne 0 ]; then
        echo "==== $name FAILED after $secs s; its whole log:" >&2
        cat "$logs/$name.log" >&2
        exit 1
    fi
    echo "==== $name passed in $secs s"
}

have_memcached() { command -v memcached >/dev/null || [ -x /usr/bin/memcached ]; }

stage deps ci/deps.sh test
# The tools against memcached need only the tool: start that first.
if wanted conformance-memcached; then
    make -s -j"$jobs" PROFILE=release build/release/mcref-conform
    if have_memcached; then
        bg_stage conformance-memcached env CONFORM_PORT_BASE=23700 ci/conform.sh /usr/bin/memcached
    else
        echo "==== conformance-memcached skipped: memcached is not installed"
    fi
fi
# gcc, with the O(n) checks on.
stage units make -s -j"$jobs" PROFILE=debug unit
stage prop make -s -j"$jobs" PROFILE=debug prop
# The mutation script works, and known mutants of proto/ and store/ are
# killed by the tests above (`make mutation` runs the whole pass).
stage mutation-smoke make -s mutation-smoke
stage purity make -s -j"$jobs" PROFILE=release check-purity
# clang with AddressSanitizer and UndefinedBehaviorSanitizer; the fuzz
# corpora and regressions replayed without a fuzzer runtime.
stage asan env PROP_SECONDS=5 make -s -j"$jobs" PROFILE=asan unit prop fuzz-replay
# Each libFuzzer harness for a short, fixed time.
stage fuzz-smoke make -s -j"$jobs" fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
# The shipped build: the server and its tools, gcc -O2.
stage release make -s -j"$jobs" PROFILE=release all
# Every clause of spec/protocol.md has a case; every cited clause exists.
stage clauses sh -c 'ci/check-clauses.sh && ci/check-clauses.sh --units'
# The executable spec against the shipped server, then the real binary on
# loopback with real clients and tools.
stage conformance ci/conform.sh build/release/mcref
stage integration make -s PROFILE=release integration
# Real memcached clients from Debian under every mcref-clientcheck profile,
# against their expected results (tests/clients/expected.txt; ~1 minute).
stage clients timeout 900 tests/clients/run.py build/release
# The same against the ASan+UBSan build of the server.
stage conformance-asan sh -c "make -s -j$jobs PROFILE=asan build/asan/mcref && ci/conform.sh build/asan/mcref"
stage integration-asan env ASAN_OPTIONS=detect_leaks=1 make -s PROFILE=asan integration
# Reliability: the soak's short form (2,000 verifying connections, mixed
# text and meta, binary on a quarter of them, pipelined, slow, idle and
# churning, RSS flat after warm-up)
# against the release and the ASan+UBSan servers, then the fault suite
# (descriptors exhausted, -m tiny, connect storm, vanishing clients,
# idle_timeout). About 90 s.
stage soak sh -c "make -s soak-short && make -s faults"
# Through twemproxy: only the clauses spec/proxy.md lists may fail.
if command -v nutcracker >/dev/null; then
    stage conformance-proxy ci/conform-proxy.sh build/release/mcref
fi
# mcref-fuzz, bounded: memcached 1.6.18 (only documented differences),
# twemproxy in front of mcref (findings replay), mcref against itself.
stage fuzz-net env FUZZ_NET_SECONDS="${FUZZ_NET_SECONDS:-6}" ci/fuzz-net.sh build/release/mcref
# The harnesses built by fuzz/oss-fuzz/build.sh as OSS-Fuzz and
# ClusterFuzzLite build them, each run for a few seconds.
stage fuzz-ossfuzz ci/test-ossfuzz.sh 3
# What an operator meets: make run, make install, the unit, the start
# wrapper (ci/test-install.sh); the Debian package installed, started and
# removed (root only; it says why it skips); collectd and munin reading
# stats; the examples (Pyramid sessions through Beaker, a three-node
# cluster behind twemproxy and as a pylibmc ketama pool).
stage operator ci/test-install.sh build/release
stage deb ci/test-deb.sh
stage monitoring ci/test-monitoring.sh build/release/mcref
stage examples ci/test-examples.sh build/release/mcref
# Line and branch coverage with its gates; then the integration suite with
# the server under valgrind memcheck (no errors, no leaks).
stage coverage ci/coverage.sh
stage valgrind sh -c "make -s -j$jobs PROFILE=debug build/debug/mcref && ci/valgrind-integration.sh build/debug/mcref"
collect conformance-memcached

echo "==== all stages passed in $(($(date +%s) - started)) s"
