#!/usr/bin/env bash
# ci/fuzz-smoke.sh SECONDS HARNESS... - run each libFuzzer harness briefly,
# from a scratch copy of its corpus, with its dictionary. Any crash fails;
# the failing inputs are copied to fuzz/findings/<harness>/ as
# finding-<kind>-<sha1 prefix> (see fuzz/README.md: they become regressions).
set -euo pipefail
seconds=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in "$@"; do
    mkdir -p "$work/$h" "$work/$h.artifacts"
    for d in "fuzz/corpus/$h" "fuzz/regress/$h"; do
        [ -d "$d" ] && cp -r "$d/." "$work/$h/"
    done
    dict=()
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
        status=1
    else
        grep -E 'stat::number_of_executed_units|cov:' "$work/$h.log" | tail -n 2
    fi
done
exit $status
