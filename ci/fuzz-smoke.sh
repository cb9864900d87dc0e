#!/usr/bin/env bash
# ci/fuzz-smoke.sh SECONDS HARNESS... - run each libFuzzer harness briefly,
# from a scratch copy of its corpus, with its dictionary. Any crash fails.
set -euo pipefail
seconds=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in "$@"; do
    mkdir -p "$work/$h"
    for d in "fuzz/corpus/$h" "fuzz/regress/$h"; do
        [ -d "$d" ] && cp -r "$d/." "$work/$h/"
    done
    dict=()
    [ -f "fuzz/dict/$h.dict" ] && dict=(-dict="fuzz/dict/$h.dict")
    [ -f "fuzz/dict/text.dict" ] && [ ${#dict[@]} -eq 0 ] && dict=(-dict=fuzz/dict/text.dict)
    echo "fuzz-smoke $h: ${seconds}s"
    if ! build/fuzz/fuzz/"$h" "${dict[@]}" -max_total_time="$seconds" \
        -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/$h" 2>"$work/$h.log"; then
        echo "fuzz-smoke $h FAILED; the last lines of its log:" >&2
        tail -n 40 "$work/$h.log" >&2
        mkdir -p fuzz/findings
        cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* fuzz/findings/ 2>/dev/null || true
        status=1
    else
        grep -E 'stat::number_of_executed_units|cov:' "$work/$h.log" | tail -n 2
    fi
done
exit $status
