#!/bin/bash -eu
# fuzz/oss-fuzz/build.sh - builds the in-process harnesses (fuzz/fuzz_*.c)
# the way OSS-Fuzz and ClusterFuzzLite expect: with their $CC, $CFLAGS,
# $CXX, $CXXFLAGS and $LIB_FUZZING_ENGINE, into $OUT, each harness with
#   $OUT/<harness>                   the fuzzer
#   $OUT/<harness>_seed_corpus.zip   fuzz/corpus/<harness> + fuzz/regress/<harness>
#   $OUT/<harness>.dict              fuzz/dict/<harness>.dict, else text.dict
#   $OUT/<harness>.options           libFuzzer options (max_len)
# Run from anywhere: the source tree is $SRC/mcref when $SRC is set (the
# Dockerfile copies it there), else the tree this script is in. Objects go
# to $WORK (a temporary folder when unset). ci/test-ossfuzz.sh runs it as
# those systems do and runs each fuzzer for a few seconds.
: "${CC:?}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
CXX=${CXX:-clang++}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
if [ -n "${SRC:-}" ] && [ -d "$SRC/mcref/fuzz" ]; then
    tree=$SRC/mcref
else
    tree=$(cd "$(dirname "$0")/../.." && pwd)
fi
work=${WORK:-$(mktemp -d)}/mcref-obj
mkdir -p "$work" "$OUT"
cd "$tree"

# What the harnesses link: the pure layers, the store model, the settings
# parser (fuzz_settings), and the support files of fuzz/.
sources=(src/common/*.c src/store/*.c src/proto/*.c src/engine/*.c
         spec/model/model.c src/app/settings.c)
for f in fuzz/*.c; do
    case "$f" in fuzz/fuzz_*.c|fuzz/replay_main.c) ;; *) sources+=("$f") ;; esac
done
flags=(-std=c11 -D_GNU_SOURCE -DMCREF_SLOW_CHECKS)
objs=()
for f in "${sources[@]}"; do
    o="$work/$(echo "$f" | tr / _).o"
    objs+=("$o")
    echo "$f $o"
done | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 2 sh -c \
    "$CC $CFLAGS ${flags[*]} -c \"\$0\" -o \"\$1\""
for f in "${sources[@]}"; do objs+=("$work/$(echo "$f" | tr / _).o"); done

for h in fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    $CC $CFLAGS "${flags[@]}" -c "$h" -o "$work/$name.o"
    # C harnesses, linked by $CXX as OSS-Fuzz links (its engine is C++).
    $CXX $CXXFLAGS "$work/$name.o" "${objs[@]}" $LIB_FUZZING_ENGINE -lm \
        -o "$OUT/$name"
    rm -f "$OUT/${name}_seed_corpus.zip"
    for d in "fuzz/corpus/$name" "fuzz/regress/$name"; do
        if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then
            (cd "$d" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
        fi
    done
    if [ -f "fuzz/dict/$name.dict" ]; then
        cp "fuzz/dict/$name.dict" "$OUT/$name.dict"
    elif [ -f fuzz/dict/text.dict ]; then
        cp fuzz/dict/text.dict "$OUT/$name.dict"
    fi
    printf '[libfuzzer]\nmax_len = 4096\n' >"$OUT/$name.options"
done
