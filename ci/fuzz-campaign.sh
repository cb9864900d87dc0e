#!/usr/bin/env bash
# ci/fuzz-campaign.sh ENGINE DURATION JOBS [HARNESS...]
#
# A fuzzing campaign, as a nightly CI job runs it: for each harness (default:
# every fuzz/fuzz_*.c), fuzz for DURATION seconds with JOBS parallel jobs,
# starting from fuzz/corpus/<harness>/; then merge what grew back into that
# corpus (ci/fuzz-merge.sh), and copy every crash, leak and timeout into
# fuzz/findings/<harness>/ with a one-line reproducer each.
#
#   ENGINE libfuzzer: build/fuzz/fuzz/<harness> -fork=JOBS, crashes ignored so
#          the run goes on; additive -merge=1 into the corpus.
#   ENGINE afl:       build/afl/fuzz/<harness>, one afl-fuzz -M and JOBS-1
#          -S instances with the dictionary; afl-cmin over corpus and queues.
#
# Findings are replayed with build/asan/fuzz/<harness>-replay and grouped by
# what failed (the CHECK, sanitizer or timeout line); one input per group is
# kept, named finding-<kind>-<sha1 prefix> (never crash-*: those belong in
# fuzz/regress/ only), and fuzz/findings/<harness>/REPRODUCE lists the
# command and the failure of each.
#
# Environment: FUZZ_PRUNE=1 minimises the corpus from scratch instead of
# adding to it; FUZZ_WORK=DIR keeps the work files there (default: a fresh
# directory under /tmp, removed at the end unless there are findings);
# FUZZ_NO_BUILD=1 uses the binaries as they are.
#
# Prints a table per harness: time, execs, execs/s, coverage (libFuzzer
# cov/ft, AFL++ edges and bitmap), corpus size before and after, findings.
# Then the campaign's reach: the merged corpora replayed under gcov
# (build/cov replay binaries), line coverage of src/ cumulative after each
# harness and in total, in build/fuzz-coverage/ (FUZZ_COVERAGE=0 skips it).
# Exit status: 0 clean, 1 findings, 2 usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 libfuzzer|afl DURATION_SECONDS JOBS [HARNESS...]" >&2
    exit 2
}
[ $# -ge 3 ] || usage
engine=$1
duration=$2
jobs=$3
shift 3
case $engine in libfuzzer | afl) ;; *) usage ;; esac
[[ $duration =~ ^[0-9]+$ && $jobs =~ ^[0-9]+$ && $jobs -ge 1 ]] || usage
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do
        harnesses+=("$(basename "$f" .c)")
    done
fi

# Per-run limits: a slow input is a finding, and so is runaway memory.
TIMEOUT_S=25
RSS_LIMIT_MB=2048
AFL_TIMEOUT_MS=2000
REPLAY_TIMEOUT_S=120

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    targets=()
    replays=()
    for h in "${harnesses[@]}"; do
        targets+=("build/fuzz/fuzz/$h")
        replays+=("build/asan/fuzz/$h-replay")
    done
    make -s -j"$jobs" PROFILE=fuzz "${targets[@]}" || exit 2
    make -s -j"$jobs" PROFILE=asan "${replays[@]}" || exit 2
    if [ "$engine" = afl ]; then
        make -s -j"$jobs" PROFILE=afl "${targets[@]/build\/fuzz/build\/afl}" || exit 2
    fi
fi

work=${FUZZ_WORK:-$(mktemp -d /tmp/mcref-campaign.XXXXXX)}
mkdir -p "$work"
echo "campaign: $engine, ${duration}s x ${#harnesses[@]} harnesses, $jobs jobs; work in $work"

# Longest input libFuzzer makes: long enough for the 2 KiB line limits and a
# few data blocks; longer inputs only slow each run down.
max_len_for() {
    case $1 in
    fuzz_parse | fuzz_session) echo 4096 ;;
    *) echo 2048 ;;
    esac
}

dict_for() {
    if [ -f "fuzz/dict/$1.dict" ]; then
        echo "fuzz/dict/$1.dict"
    elif [ "$1" = fuzz_parse ] || [ "$1" = fuzz_session ]; then
        echo fuzz/dict/text.dict
    fi
}

# What a failing input breaks, as one stable line.
signature() {
    local h=$1 file=$2 out
    out=$(timeout "$REPLAY_TIMEOUT_S" "build/asan/fuzz/$h-replay" "$file" 2>&1 >/dev/null) && {
        echo "does not fail when replayed"
        return
    }
    [ $? -eq 124 ] && { echo "timeout in replay"; return; }
    grep -m1 -E 'check failed|SUMMARY: |runtime error|ERROR: ' <<<"$out" |
        sed -E 's/==[0-9]+==//; s/0x[0-9a-f]+/ADDR/g' || echo "abnormal exit"
}

# Groups the failing inputs in $2 (files) and keeps one per group.
collect_findings() {
    local h=$1 list=$2 dest=fuzz/findings/$1 f kind sum sig
    : >"$work/$h.sigs"
    while IFS= read -r f; do
        [ -f "$f" ] || continue
        case $(basename "$f") in
        crash-* | *sig:*) kind=crash ;;
        leak-*) kind=leak ;;
        timeout-* | */hangs/*) kind=timeout ;;
        oom-*) kind=oom ;;
        *) kind=crash ;;
        esac
        [[ $f == */hangs/* ]] && kind=timeout
        sig=$(signature "$h" "$f")
        grep -qxF "$sig" "$work/$h.sigs" && continue
        echo "$sig" >>"$work/$h.sigs"
        sum=$(sha1sum <"$f" | cut -c1-16)
        mkdir -p "$dest"
        cp "$f" "$dest/finding-$kind-$sum"
        echo "build/asan/fuzz/$h-replay $dest/finding-$kind-$sum   # $sig" >>"$dest/REPRODUCE"
    done <"$list"
    wc -l <"$work/$h.sigs"
}

run_libfuzzer() {
    local h=$1 w=$2 dict
    mkdir -p "$w/corpus" "$w/artifacts"
    cp -r "fuzz/corpus/$h/." "$w/corpus/" 2>/dev/null || true
    dict=$(dict_for "$h")
    "build/fuzz/fuzz/$h" ${dict:+-dict="$dict"} -fork="$jobs" \
        -max_len="$(max_len_for "$h")" \
        -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$duration" -timeout="$TIMEOUT_S" \
        -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
        -artifact_prefix="$w/artifacts/" "$w/corpus" >"$w/log" 2>&1 || true
    # Fork mode: "#<execs>: cov: C ft: F corp: N exec/s E ..."; otherwise
    # "#<execs> DONE cov: C ft: F corp: N/..b ... exec/s: E".
    local line
    line=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$w/log" | tail -n 1 || true)
    execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$line")
    coverage=$(sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/' <<<"$line")
    local full=()
    [ "${FUZZ_PRUNE:-0}" = 1 ] && full=(--full)
    ci/fuzz-merge.sh "${full[@]}" "$h" "$w/corpus" >"$w/merge.log" 2>&1 ||
        { cat "$w/merge.log" >&2; merge_failed=1; }
    find "$w/artifacts" -type f >"$w/failing"
}

afl_stat() {
    awk -F: -v k="$2" '{ gsub(/ /, "", $1) } $1 == k { gsub(/^ +/, "", $2); print $2 }' "$1"
}

run_afl() {
    local h=$1 w=$2 dict i pids=()
    dict=$(dict_for "$h")
    mkdir -p "$w/out"
    export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
        AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FAST_CAL=1 \
        AFL_IGNORE_UNKNOWN_ENVS=1
    for i in $(seq 1 "$jobs"); do
        local role=(-S "s$i")
        [ "$i" -eq 1 ] && role=(-M main)
        afl-fuzz "${role[@]}" -i "fuzz/corpus/$h" -o "$w/out" ${dict:+-x "$dict"} \
            -t "$AFL_TIMEOUT_MS" -m none -V "$duration" -- "build/afl/fuzz/$h" \
            >"$w/afl-$i.log" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || true
    done
    execs=0
    local edges=0 total=0 bitmap=""
    for s in "$w"/out/*/fuzzer_stats; do
        [ -f "$s" ] || continue
        execs=$((execs + $(afl_stat "$s" execs_done)))
        if [ "$(afl_stat "$s" edges_found)" -gt "$edges" ]; then
            edges=$(afl_stat "$s" edges_found)
            total=$(afl_stat "$s" total_edges)
            bitmap=$(afl_stat "$s" bitmap_cvg)
        fi
    done
    coverage="edges $edges/$total ($bitmap)"
    local queues=()
    for q in "$w"/out/*/queue; do
        queues+=("$q")
    done
    ci/fuzz-merge.sh --engine afl "$h" "${queues[@]}" >"$w/merge.log" 2>&1 ||
        { cat "$w/merge.log" >&2; merge_failed=1; }
    find "$w"/out/*/crashes "$w"/out/*/hangs -type f -name 'id:*' >"$w/failing" 2>/dev/null || true
}

merge_failed=0
total_findings=0
summary=$work/summary
printf '%-14s %-9s %6s %11s %8s  %-34s %-11s %s\n' harness engine time execs execs/s \
    coverage corpus findings >"$summary"
for h in "${harnesses[@]}"; do
    w=$work/$h
    mkdir -p "$w"
    before=$(find "fuzz/corpus/$h" -maxdepth 1 -type f 2>/dev/null | wc -l)
    execs=0
    coverage=?
    started=$(date +%s)
    echo "== $h: $engine for ${duration}s"
    "run_$engine" "$h" "$w"
    elapsed=$(($(date +%s) - started))
    after=$(find "fuzz/corpus/$h" -maxdepth 1 -type f | wc -l)
    findings=$(collect_findings "$h" "$w/failing")
    total_findings=$((total_findings + findings))
    printf '%-14s %-9s %5ss %11s %8s  %-34s %-11s %s\n' "$h" "$engine" "$duration" \
        "${execs:-0}" "$(( ${execs:-0} / (duration > 0 ? duration : 1) ))" "$coverage" \
        "$before->$after" "$findings" >>"$summary"
    echo "   done in ${elapsed}s; $(tail -n 1 "$w/merge.log" 2>/dev/null)"
done

echo
cat "$summary"

# The campaign's reach in lines of src/: the merged corpora replayed by
# the cov profile's replay binaries (gcc --coverage), summed by gcovr into
# build/fuzz-coverage/ (summary.txt, index.html). FUZZ_COVERAGE=0 skips it.
if [ "${FUZZ_COVERAGE:-1}" != 0 ] && command -v gcovr >/dev/null; then
    covdir=build/fuzz-coverage
    find build/cov -name '*.gcda' -delete 2>/dev/null || true
    rm -rf "$covdir"
    mkdir -p "$covdir"
    make -s PROFILE=cov $(for h in "${harnesses[@]}"; do echo "build/cov/fuzz/$h-replay"; done) >/dev/null
    for h in "${harnesses[@]}"; do
        [ -d "fuzz/corpus/$h" ] || continue
        timeout "$REPLAY_TIMEOUT_S" "build/cov/fuzz/$h-replay" "fuzz/corpus/$h" \
            >"$covdir/$h.replay.txt" 2>&1 || echo "coverage: $h replay did not finish cleanly"
        # Cumulative: what the corpora so far reach together.
        echo "coverage after $h's corpus (cumulative): $(gcovr --root . \
            --object-directory build/cov --filter 'src/' --print-summary \
            --txt /dev/null 2>/dev/null | grep -E '^lines' || echo '?')"
    done
    gcovr --root . --object-directory build/cov --filter 'src/' \
        --txt "$covdir/summary.txt" --html-details "$covdir/index.html" \
        --print-summary | tail -n 3
    echo "campaign corpus coverage of src/: $covdir/summary.txt, $covdir/index.html"
fi

for h in "${harnesses[@]}"; do
    if [ -s "fuzz/findings/$h/REPRODUCE" ]; then
        echo
        echo "findings of $h (fuzz/findings/$h/REPRODUCE):"
        cat "fuzz/findings/$h/REPRODUCE"
    fi
done
if [ "$total_findings" -gt 0 ]; then
    echo
    echo "$total_findings distinct finding(s); work files kept in $work"
    exit 1
fi
[ "$merge_failed" -eq 0 ] || exit 2
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
exit 0
