#!/usr/bin/env bash
# ci/fuzz-merge.sh [--engine libfuzzer|afl] [--full] HARNESS DIR...
#
# Merges the inputs in DIR... into fuzz/corpus/HARNESS, keeping only what adds
# coverage, and names what it keeps:
#   - an input whose bytes equal a file with a descriptive name (in the corpus
#     or in DIR...) keeps that name; any other is named cov-<sha1 prefix>;
#   - libFuzzer without --full: additive (`-merge=1 corpus DIR...`); the
#     corpus keeps every file it had and gains the inputs that add coverage;
#   - libFuzzer --full, and AFL++ always: the corpus is minimised from
#     scratch over itself and DIR... (`-merge=1` into an empty directory, or
#     afl-cmin), then replaces the old one. Files named hostile-* (the
#     must-try inputs of shared/reliability.md section 1.4) are kept whatever
#     their coverage.
# Needs build/fuzz/fuzz/HARNESS (libFuzzer) or build/afl/fuzz/HARNESS (AFL++):
# `make fuzz` builds both. Prints the corpus size before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

engine=libfuzzer
full=0
while [ $# -gt 0 ]; do
    case $1 in
    --engine) engine=$2; shift 2 ;;
    --full) full=1; shift ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--engine libfuzzer|afl] [--full] HARNESS DIR..." >&2; exit 2; }
h=$1
shift
corpus=fuzz/corpus/$h
mkdir -p "$corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sha1 -> descriptive name, from the corpus and every input directory.
descriptive() {
    [[ ! $1 =~ ^[0-9a-f]{40}$ ]] || return 1
    case $1 in
    id:* | crash-* | leak-* | timeout-* | oom-* | README* | .*) return 1 ;;
    esac
    return 0
}
: >"$work/names"
for d in "$corpus" "$@"; do
    [ -d "$d" ] || continue
    for f in "$d"/*; do
        [ -f "$f" ] || continue
        n=$(basename "$f")
        descriptive "$n" || continue
        echo "$(sha1sum <"$f" | cut -c1-40) $n" >>"$work/names"
    done
done

# Moves the kept inputs of $1 into the corpus under their names.
adopt() {
    local from=$1 f sum name
    for f in "$from"/*; do
        [ -f "$f" ] || continue
        sum=$(sha1sum <"$f" | cut -c1-40)
        name=$(awk -v s="$sum" '$1 == s { print $2; exit }' "$work/names")
        [ -n "$name" ] || name=cov-${sum:0:16}
        [ -e "$corpus/$name" ] && cmp -s "$f" "$corpus/$name" && continue
        cp "$f" "$corpus/$name"
    done
}

before=$(find "$corpus" -maxdepth 1 -type f | wc -l)
if [ "$engine" = libfuzzer ] && [ $full -eq 0 ]; then
    mkdir "$work/new"
    build/fuzz/fuzz/"$h" -merge=1 -rss_limit_mb=2048 -timeout=30 \
        "$work/new" "$corpus" "$@" >"$work/merge.log" 2>&1 ||
        { tail -n 20 "$work/merge.log" >&2; exit 1; }
    # -merge=1 into an empty directory keeps what the old corpus covers
    # plus what the new inputs add; take only the new ones.
    for c in "$corpus"/*; do
        [ -f "$c" ] && sha1sum <"$c" | cut -c1-40
    done >"$work/old"
    mkdir "$work/add"
    for f in "$work/new"/*; do
        [ -f "$f" ] || continue
        grep -qx "$(basename "$f")" "$work/old" || cp "$f" "$work/add/"
    done
    adopt "$work/add"
else
    mkdir "$work/all" "$work/min"
    i=0
    for d in "$corpus" "$@"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            i=$((i + 1))
            cp "$f" "$work/all/$i"
        done
    done
    if [ "$engine" = libfuzzer ]; then
        build/fuzz/fuzz/"$h" -merge=1 -rss_limit_mb=2048 -timeout=30 \
            "$work/min" "$work/all" >"$work/merge.log" 2>&1 ||
            { tail -n 20 "$work/merge.log" >&2; exit 1; }
    else
        rmdir "$work/min"
        AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_ALLOW_TMP=1 afl-cmin -i "$work/all" -o "$work/min" \
            -t 5000 -m none -- build/afl/fuzz/"$h" >"$work/merge.log" 2>&1 ||
            { tail -n 20 "$work/merge.log" >&2; exit 1; }
    fi
    mkdir "$work/keep"
    for d in "$corpus" "$@"; do
        for f in "$d"/hostile-*; do
            [ -f "$f" ] && cp "$f" "$work/keep/"
        done
    done
    find "$corpus" -maxdepth 1 -type f -delete
    cp "$work/keep"/* "$corpus/" 2>/dev/null || true
    adopt "$work/min"
fi
after=$(find "$corpus" -maxdepth 1 -type f | wc -l)
echo "$h: corpus $before -> $after inputs ($(du -sk "$corpus" | cut -f1) KiB)"
