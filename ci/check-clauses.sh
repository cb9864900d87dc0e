#!/usr/bin/env bash
# ci/check-clauses.sh - every clause of spec/protocol.md has an executable
# case, and every case cites only clauses that exist.
#
#   ci/check-clauses.sh [--units]
#
# Clause IDs are the **[id]** markers of spec/protocol.md. A case cites
# clauses on its `clauses:` lines (spec/cases/*.case). Fails (status 1),
# naming each one, when a clause has no case or a case cites an unknown ID.
# --units also checks the IDs that tests/unit cite with CLAUSE_TEST("id", ...)
# exist (it does not require unit tests for every clause).
#
# SPEC and CASES_DIR (environment) override the default paths.
set -euo pipefail
cd "$(dirname "$0")/.."

spec=${SPEC:-spec/protocol.md}
cases_dir=${CASES_DIR:-spec/cases}
check_units=0
case "${1:-}" in
    --units) check_units=1 ;;
    "") ;;
    *) echo "usage: $0 [--units]" >&2; exit 2 ;;
esac

if [ ! -f "$spec" ]; then
    echo "check-clauses: $spec not found" >&2
    exit 2
fi
shopt -s nullglob
case_files=("$cases_dir"/*.case)
if [ ${#case_files[@]} -eq 0 ]; then
    echo "check-clauses: no .case files in $cases_dir" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Clause IDs, as the spec defines them: **[id]**.
grep -oE '\*\*\[[a-z0-9][a-z0-9.-]*\]\*\*' "$spec" |
    sed -E 's/^\*\*\[//; s/\]\*\*$//' | sort -u >"$tmp/defined"

# IDs cited by cases, with where: "id<TAB>file:line". An integration test
# that checks what no case can (a restart, [restart.*]) cites its clauses on
# "# clauses: ID..." lines.
it_files=(tests/integration/test_*.py)
awk '
    /^[ \t]*clauses:/ {
        for (i = 2; i <= NF; i++) printf "%s\t%s:%d\n", $i, FILENAME, FNR
    }
    /^# clauses:/ && FILENAME ~ /\.py$/ {
        for (i = 3; i <= NF; i++) printf "%s\t%s:%d\n", $i, FILENAME, FNR
    }
' "${case_files[@]}" "${it_files[@]}" | sort >"$tmp/cited_at"
cut -f1 "$tmp/cited_at" | sort -u >"$tmp/cited"

status=0
missing=$(comm -23 "$tmp/defined" "$tmp/cited")
if [ -n "$missing" ]; then
    status=1
    while IFS= read -r id; do
        echo "MISSING [$id]: no case in $cases_dir cites it"
    done <<<"$missing"
fi

unknown=$(comm -13 "$tmp/defined" "$tmp/cited")
if [ -n "$unknown" ]; then
    status=1
    while IFS= read -r id; do
        awk -F'\t' -v id="$id" '$1 == id { print "UNKNOWN [" id "] cited at " $2 }' \
            "$tmp/cited_at"
    done <<<"$unknown"
fi

# Findings of mcref-fuzz kept in found/ (spec/cases/found/README.md): their
# clause IDs must exist too, but they cover nothing (they are verdicts on
# other servers, and mcref-conform does not load the folder by default).
found_files=("$cases_dir"/found/*.case)
if [ ${#found_files[@]} -gt 0 ]; then
    awk '
        /^[ \t]*clauses:/ {
            for (i = 2; i <= NF; i++) printf "%s\t%s:%d\n", $i, FILENAME, FNR
        }
    ' "${found_files[@]}" | while IFS=$'\t' read -r id where; do
        grep -qxF "$id" "$tmp/defined" || echo "UNKNOWN [$id] cited at $where"
    done >"$tmp/found_unknown"
    if [ -s "$tmp/found_unknown" ]; then
        status=1
        cat "$tmp/found_unknown"
    fi
fi

if [ "$check_units" -eq 1 ]; then
    units=(tests/unit/*.c)
    if [ ${#units[@]} -gt 0 ]; then
        grep -HnoE 'CLAUSE_TEST\("[^"]*"' "${units[@]}" |
            sed -E 's/^([^:]*:[0-9]+):CLAUSE_TEST\("([^"]*)"$/\2\t\1/' |
            sort >"$tmp/unit_at"
        while IFS=$'\t' read -r id where; do
            if ! grep -qxF "$id" "$tmp/defined"; then
                status=1
                echo "UNKNOWN [$id] cited by a unit test at $where"
            fi
        done <"$tmp/unit_at"
    fi
fi

n_defined=$(wc -l <"$tmp/defined")
n_covered=$(comm -12 "$tmp/defined" "$tmp/cited" | wc -l)
n_cases=$(grep -hcE '^[ \t]*case ' "${case_files[@]}" | awk '{ s += $1 } END { print s }')
echo "check-clauses: $n_covered of $n_defined clauses have cases ($n_cases cases in ${#case_files[@]} files)"
exit $status
