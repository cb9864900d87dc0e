#!/usr/bin/env bash
# ci/test-ossfuzz.sh [SECONDS] - builds the harnesses with
# fuzz/oss-fuzz/build.sh under the variables OSS-Fuzz and ClusterFuzzLite
# set (clang, -fsanitize=fuzzer-no-link,address, LIB_FUZZING_ENGINE=
# -fsanitize=fuzzer, OUT a fresh folder), checks what they expect in $OUT,
# and runs each fuzzer from its seed corpus zip for SECONDS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
export OUT="$tmp/out" WORK="$tmp/work"
mkdir -p "$OUT" "$WORK"
env -u SRC fuzz/oss-fuzz/build.sh
status=0
for h in fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    for f in "$OUT/$name" "$OUT/$name.options"; do
        [ -e "$f" ] || { echo "ossfuzz: $f missing"; status=1; }
    done
    corpus="$tmp/corpus-$name"
    mkdir -p "$corpus"
    if [ -f "$OUT/${name}_seed_corpus.zip" ]; then
        unzip -q "$OUT/${name}_seed_corpus.zip" -d "$corpus"
    fi
    dict=()
    [ -f "$OUT/$name.dict" ] && dict=(-dict="$OUT/$name.dict")
    if "$OUT/$name" "${dict[@]}" -max_total_time="$seconds" -max_len=4096 \
        -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$tmp/" "$corpus" \
        >"$tmp/$name.log" 2>&1; then
        echo "ossfuzz $name: $(grep -c . <(ls "$corpus")) inputs, $(grep -oE 'stat::number_of_executed_units: [0-9]+|#[0-9]+.*DONE' "$tmp/$name.log" | tail -1)"
    else
        echo "ossfuzz $name FAILED:"; tail -n 30 "$tmp/$name.log"; status=1
    fi
done
if [ "$status" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit "$status"
