#!/usr/bin/env bash
# ci/check-purity.sh BUILD_DIR - the pure layers stay pure (design.md).
#
# proto/ and store/ may call only memory and string functions of libc, the
# allocator, and each other's own symbols or common/'s pure ones. No I/O, no
# clock, no randomness, no printing. Their sources may include only their own
# headers, common/'s, and a few freestanding libc headers.
set -euo pipefail
b=$1
fail=0

allowed_libc='^(memcpy|memmove|memset|memcmp|memchr|strlen|malloc|calloc|realloc|free|abort)$'
# Instrumentation added by sanitizer or coverage builds is not the code's own.
instrumentation='^(__asan|__ubsan|__gcov|__sanitizer|__llvm|__msan|__tsan|__stack_chk_fail|_GLOBAL_OFFSET_TABLE_|__afl|__cmplog)'

common_pure="$b/obj/common/decimal.o"
for layer in store proto; do
    lib="$b/lib$layer.a"
    [ -f "$lib" ] || continue
    defined=$( (nm --defined-only "$lib" "$common_pure" 2>/dev/null || true) | awk 'NF>=3 {print $3}' | sort -u)
    undefined=$(nm -u "$lib" 2>/dev/null | awk 'NF>=2 {print $2}' | sort -u)
    for sym in $undefined; do
        [ "$sym" = check_fail ] && continue
        if grep -qxF "$sym" <<<"$defined"; then continue; fi
        if [[ $sym =~ $allowed_libc || $sym =~ $instrumentation ]]; then continue; fi
        echo "check-purity: src/$layer uses forbidden symbol '$sym'" >&2
        fail=1
    done
done
for sym in $(nm -u "$common_pure" | awk '{print $2}'); do
    if [[ $sym =~ $allowed_libc || $sym =~ $instrumentation || $sym == check_fail ]]; then continue; fi
    echo "check-purity: src/common/decimal.c uses forbidden symbol '$sym'" >&2
    fail=1
done

allowed_headers='^(stdbool|stddef|stdint|string|stdlib|limits|inttypes)\.h$'
for layer in store proto; do
    for f in src/$layer/*.[ch]; do
        [ -f "$f" ] || continue
        while IFS= read -r inc; do
            name=$(sed -E 's/^#include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"$inc")
            case "$name" in
            ../common/*) ;;
            ../*) echo "check-purity: $f includes another layer: $name" >&2; fail=1 ;;
            */*) echo "check-purity: $f includes $name" >&2; fail=1 ;;
            *.h)
                if [[ $inc == *'"'* ]]; then
                    [ -f "src/$layer/$name" ] || { echo "check-purity: $f includes unknown $name" >&2; fail=1; }
                elif ! [[ $name =~ $allowed_headers ]]; then
                    echo "check-purity: $f includes <$name>" >&2; fail=1
                fi ;;
            esac
        done < <(grep -E '^#include' "$f")
    done
done
# Two headers with one include guard hide each other (app/log.h and
# store/log.h once did): every guard is unique.
dup_guards=$(grep -rhoE '^#ifndef MCREF_[A-Z0-9_]+_H$' src spec tests fuzz 2>/dev/null |
             sort | uniq -d)
if [ -n "$dup_guards" ]; then
    echo "check-purity: include guards used twice: $dup_guards" >&2
    fail=1
fi
if [ $fail -eq 0 ]; then
    echo "check-purity: proto/ and store/ are pure"
fi
exit $fail
