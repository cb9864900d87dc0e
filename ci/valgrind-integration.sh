#!/usr/bin/env bash
# ci/valgrind-integration.sh - the integration suite against mcref running
# under valgrind memcheck: every server the suite starts must finish with no
# memory error and no leak. Prints each offending valgrind log in full.
set -uo pipefail
cd "$(dirname "$0")/.."
target=$(realpath "${1:-build/debug/mcref}")
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export VG_LOG_DIR=$logs VG_TARGET=$target
export MCREF_IS_MEMCACHED=0
# Under valgrind servers start and stop several times slower.
export MCREF_IT_SLOW=1
MCREF_BIN=ci/valgrind-mcref.sh tests/integration/run.sh
suite=$?
bad=0
for f in "$logs"/mcref.*.log; do
    [ -f "$f" ] || continue
    if grep -qE 'ERROR SUMMARY: [1-9]|(definitely|indirectly|possibly) lost: [1-9]' "$f"; then
        echo "valgrind: $(basename "$f") reports errors or leaks:" >&2
        cat "$f" >&2
        bad=1
    fi
done
count=$(ls "$logs" | wc -l)
echo "valgrind: $count server processes checked, $([ $bad -eq 0 ] && echo 'no errors, no leaks' || echo 'ERRORS')"
[ $suite -eq 0 ] && [ $bad -eq 0 ]
