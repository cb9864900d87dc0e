#!/usr/bin/env bash
# ci/run-prop.sh BUILD_DIR - property tests: fixed seeds (replayable, the
# same on every run), then a time-boxed batch of fresh seeds each
# (PROP_SECONDS, default 10, split among the tests). Every run prints its
# first seed; a failure prints the command that replays it.
set -euo pipefail
b=$1
seconds=${PROP_SECONDS:-10}
share=$(awk "BEGIN { printf \"%.1f\", $seconds / 6 }")
fresh=$(date +%s)
"$b/tests/prop/prop_store" --seed 1 --runs 300 --ops 3000
"$b/tests/prop/prop_session" --mode split --seed 1 --runs 200
"$b/tests/prop/prop_session" --mode model --seed 1 --runs 300
"$b/tests/prop/prop_binary" --mode split --seed 1 --runs 100
"$b/tests/prop/prop_binary" --mode model --seed 1 --runs 300
"$b/tests/prop/prop_store" --seed "$fresh" --seconds "$share" --ops 3000
"$b/tests/prop/prop_session" --mode split --seed "$fresh" --seconds "$share"
"$b/tests/prop/prop_session" --mode model --seed "$fresh" --seconds "$share"
"$b/tests/prop/prop_binary" --mode split --seed "$fresh" --seconds "$share"
"$b/tests/prop/prop_binary" --mode model --seed "$fresh" --seconds "$share"
