#!/usr/bin/env bash
# ci/run-prop.sh BUILD_DIR - property tests: fixed seeds, then a time-boxed
# batch of fresh seeds (PROP_SECONDS, default 10). Every run prints its seed.
set -euo pipefail
b=$1
seconds=${PROP_SECONDS:-10}
"$b/tests/prop/prop_store" --seed 1 --runs 300 --ops 3000
"$b/tests/prop/prop_store" --seed "$(date +%s)" --seconds "$seconds" --ops 3000
