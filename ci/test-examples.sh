#!/usr/bin/env bash
# ci/test-examples.sh MCREF_BIN - the examples' tests (make test's
# `examples` stage): the Pyramid app with sessions and cache regions in
# mcref through Beaker (python-memcache, then pylibmc), and the three-node
# cluster behind twemproxy and as a pylibmc ketama pool. Each test starts
# and stops its own servers by PID; each is bounded by `timeout`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/mcref}
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
export MCREF_BIN=$bin PYTHONDONTWRITEBYTECODE=1
PY=/usr/bin/python3
failed=0
run() { # NAME SECONDS SCRIPT: one example's test
    local name=$1 secs=$2 script=$3
    if ! timeout -k 5 "$secs" "$PY" "$script"; then
        echo "FAIL examples/$name (see above; limit ${secs}s)"
        failed=$((failed + 1))
    fi
}
missing=()
for m in pyramid beaker webtest memcache pylibmc; do
    "$PY" -c "import $m" 2>/dev/null || missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "FAIL examples: python modules missing: ${missing[*]} (ci/deps.sh test installs them)"
    exit 1
fi
# python-memcache skips a server for 30 s (dead_retry) after it drops a
# connection, so the restart part of its run takes that long.
run pyramid-sessions 150 examples/pyramid-sessions/test_app.py
if command -v nutcracker >/dev/null; then
    run cluster 90 examples/cluster/test_cluster.py
else
    echo "FAIL examples/cluster: nutcracker (twemproxy) is not installed"
    failed=$((failed + 1))
fi
echo "$failed failed"
[ $failed -eq 0 ]
