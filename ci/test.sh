#!/usr/bin/env bash
# ci/test.sh - the whole test suite, as `make test` runs it.
#
# Stages run in order; each prints its name and time, and the first failure
# stops the run with a non-zero status. TEST_STAGES (space-separated names)
# runs a subset, e.g. TEST_STAGES="units prop" make test.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc 2>/dev/null || echo 2)
stages=${TEST_STAGES:-"deps units prop purity asan fuzz-smoke release integration integration-asan"}
started=$(date +%s)

stage() {
    local name=$1
    shift
    case " $stages " in *" $name "*) ;; *) return 0 ;; esac
    local t0
    t0=$(date +%s)
    echo "==== $name"
    if ! "$@"; then
        echo "==== $name FAILED after $(($(date +%s) - t0)) s" >&2
        exit 1
    fi
    echo "==== $name passed in $(($(date +%s) - t0)) s"
}

stage deps ci/deps.sh test
# gcc, with the O(n) checks on.
stage units make -s -j"$jobs" PROFILE=debug unit
stage prop make -s -j"$jobs" PROFILE=debug prop
stage purity make -s -j"$jobs" PROFILE=release check-purity
# clang with AddressSanitizer and UndefinedBehaviorSanitizer; the fuzz
# corpora and regressions replayed without a fuzzer runtime.
stage asan env PROP_SECONDS=5 make -s -j"$jobs" PROFILE=asan unit prop fuzz-replay
# Each libFuzzer harness for a short, fixed time.
stage fuzz-smoke make -s -j"$jobs" fuzz-smoke FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
# The shipped build: the server and its tools, gcc -O2.
stage release make -s -j"$jobs" PROFILE=release all
# The real binary on loopback, driven by real clients and tools; then the
# same suite against the ASan+UBSan build of the server.
stage integration make -s PROFILE=release integration
stage integration-asan env ASAN_OPTIONS=detect_leaks=1 make -s PROFILE=asan integration

echo "==== all stages passed in $(($(date +%s) - started)) s"
