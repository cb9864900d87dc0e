#!/usr/bin/env bash
# ci/run-units.sh BIN... - run cmocka unit test binaries; fail if any fails.
set -uo pipefail
status=0
for bin in "$@"; do
    if ! "$bin"; then
        echo "FAILED: $bin" >&2
        status=1
    fi
done
exit $status
