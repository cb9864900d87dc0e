#!/usr/bin/env bash
# ci/fuzz-smoke.sh SECONDS HARNESS... - run each libFuzzer harness briefly,
# from a scratch copy of its corpus, with its dictionary. Any crash fails;
# the failing inputs are copied to fuzz/findings/<harness>/ as
# finding-<kind>-<sha1 prefix> (see fuzz/README.md: they become regressions).
# FUZZ_SMOKE_JOBS=N runs N harnesses at once (default 1; each is one
# process on one core, so up to the number of cores costs no fuzzing time).
set -euo pipefail
seconds=$1
shift
jobs_max=${FUZZ_SMOKE_JOBS:-1}
case "$jobs_max" in ''|*[!0-9]*|0) jobs_max=1 ;; esac
work=$(mktemp -d)
trap 'kill $(jobs -rp) 2>/dev/null || true; rm -rf "$work"' EXIT

# smoke HARNESS: one run; its report in $work/HARNESS.out, status in .rc.
smoke() {
    local h=$1 d f kind
    mkdir -p "$work/$h" "$work/$h.artifacts"
    for d in "fuzz/corpus/$h" "fuzz/regress/$h"; do
        [ -d "$d" ] && cp -r "$d/." "$work/$h/"
    done
    local dict=()
    if [ -f "fuzz/dict/$h.dict" ]; then
        dict=(-dict="fuzz/dict/$h.dict")
    elif [ "$h" = fuzz_parse ] || [ "$h" = fuzz_session ]; then
        dict=(-dict=fuzz/dict/text.dict)
    fi
    echo "fuzz-smoke $h: ${seconds}s"
    if ! build/fuzz/fuzz/"$h" "${dict[@]}" -max_total_time="$seconds" \
        -max_len=4096 -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/$h.artifacts/" "$work/$h" 2>"$work/$h.log"; then
        echo "fuzz-smoke $h FAILED; the last lines of its log:" >&2
        tail -n 40 "$work/$h.log" >&2
        mkdir -p "fuzz/findings/$h"
        for f in "$work/$h.artifacts"/*; do
            [ -f "$f" ] || continue
            kind=${f##*/}
            kind=${kind%%-*}
            cp "$f" "fuzz/findings/$h/finding-$kind-$(sha1sum <"$f" | cut -c1-16)"
        done
        return 1
    fi
    grep -E 'stat::number_of_executed_units|cov:' "$work/$h.log" | tail -n 2
}

status=0
if [ "$jobs_max" -eq 1 ]; then
    for h in "$@"; do
        smoke "$h" || status=1
    done
    exit $status
fi
for h in "$@"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n || true
    done
    ( if smoke "$h" >"$work/$h.out" 2>&1; then echo 0; else echo 1; fi >"$work/$h.rc" ) &
done
wait
for h in "$@"; do
    cat "$work/$h.out"
    [ "$(cat "$work/$h.rc" 2>/dev/null)" = 0 ] || status=1
done
exit $status
