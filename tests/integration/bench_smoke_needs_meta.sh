#!/usr/bin/env bash
# bench_smoke_needs_meta.sh - bench_smoke.sh must fail, not skip, when
# mcref's meta handshake breaks. A stand-in for mcref-bench fails every
# --protocol meta run as a server without meta would; bench_smoke.sh
# against mcref must then report failures and exit non-zero.
#
# usage: tests/integration/bench_smoke_needs_meta.sh MCREF_BIN BENCH_BIN
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
mcref=$1
bench=$2
case "$bench" in /*) ;; *) bench="$top/$bench" ;; esac
stub=$(mktemp)
trap 'rm -f "$stub"' EXIT
cat > "$stub" <<STUB
#!/bin/sh
for a in "\$@"; do
    if [ "\$a" = meta ]; then
        echo "stand-in: no MN reply: does the server speak meta?" >&2
        exit 1
    fi
done
exec "$bench" "\$@"
STUB
chmod +x "$stub"
out=$(BENCH_BIN="$stub" SMOKE_DURATION=1 "$top/tests/integration/bench_smoke.sh" "$mcref" 2>&1)
rc=$?
if [ "$rc" != 0 ] && printf '%s\n' "$out" | grep -q '^FAIL meta'; then
    echo "PASS bench_smoke fails when mcref's meta handshake breaks"
    exit 0
fi
echo "FAIL bench_smoke did not fail on a broken meta handshake (exit $rc):"
printf '%s\n' "$out" | tail -5
exit 1
