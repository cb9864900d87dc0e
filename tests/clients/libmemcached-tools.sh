#!/bin/sh
# libmemcached-tools: memccp, memccat, memcexist, memctouch, memcrm and
# memcstat against $MEMCACHED_SERVERS. Without faults every step must give
# the expected output; under faults a tool may fail (non-zero status), but a
# value it prints must be one that was stored. Exit 1 on a wrong value, 2
# when the tools do not work again within 5 s at the end.
# MCREF_SCENARIO_BINARY=1 (libmemcached-tools-binary): every tool --binary.
set -u
s=$MEMCACHED_SERVERS
if [ "${MCREF_SCENARIO_BINARY:-0}" = 1 ]; then
    # Each tool is called as $tool --servers=...: put --binary in front.
    for t in memccp memccat memcexist memctouch memcrm memcstat; do
        eval "$t() { command $t --binary \"\$@\"; }"
    done
fi
strict=0
[ "${MCREF_PROFILE:-strict}" = strict ] && strict=1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ok=0 clean=0 bad=0
judge() { # name status
    if [ "$2" -eq 0 ]; then ok=$((ok + 1)); return; fi
    if [ $strict -eq 1 ]; then echo "FAIL $1: status $2" >&2; bad=$((bad + 1))
    else clean=$((clean + 1)); fi
}
for i in 0 1 2 3 4 5 6 7; do
    k=cc$$_$i
    printf 'v%s' "$i" >"$dir/$k"
    (cd "$dir" && memccp --servers="$s" "$k") >/dev/null 2>&1; judge memccp $?
    out=$(memccat --servers="$s" "$k" 2>/dev/null); st=$?
    if [ $st -eq 0 ] && [ "$out" != "v$i" ]; then
        echo "WRONG memccat: '$out' was never stored under $k" >&2; bad=$((bad + 1))
    else judge memccat $st; fi
    memcexist --servers="$s" "$k" >/dev/null 2>&1; judge memcexist $?
    memctouch --servers="$s" --expire=100 "$k" >/dev/null 2>&1; judge memctouch $?
    memcrm --servers="$s" "$k" >/dev/null 2>&1; judge memcrm $?
    memcexist --servers="$s" "$k" >/dev/null 2>&1
    [ $? -ne 0 ] && ok=$((ok + 1)) || { [ $strict -eq 1 ] && { echo "FAIL memcexist after memcrm" >&2; bad=$((bad + 1)); } || clean=$((clean + 1)); }
    memcstat --servers="$s" >/dev/null 2>&1; judge memcstat $?
done
# A large value (512 KiB) through memccp and memccat.
head -c 524288 /dev/zero | tr '\0' L >"$dir/cc$$_big"
(cd "$dir" && memccp --servers="$s" "cc$$_big") >/dev/null 2>&1; judge "memccp large" $?
out=$(memccat --servers="$s" "cc$$_big" 2>/dev/null | wc -c); st=$?
# memccat ends what it prints with a newline.
judge "memccat large" $([ "$out" -eq 524289 ] && echo 0 || echo 1)
recovered=0
end=$(($(date +%s) + 5))
while [ $recovered -eq 0 ] && [ "$(date +%s)" -le $end ]; do
    printf end >"$dir/cc$$_end"
    if (cd "$dir" && memccp --servers="$s" "cc$$_end") >/dev/null 2>&1 &&
        [ "$(memccat --servers="$s" "cc$$_end" 2>/dev/null)" = end ]; then
        recovered=1
    else sleep 0.05; fi
done
r=""; [ $recovered -eq 1 ] || r=", NO RECOVERY"
echo "libmemcached-tools: $ok ok, $clean clean failures, $bad problems$r" >&2
[ $bad -eq 0 ] || exit 1
[ $recovered -eq 1 ] || exit 2
exit 0
