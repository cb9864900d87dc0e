#!/usr/bin/env bash
# tests/soak/mutants.sh - the soak's binary checker must be able to fail.
#
#   tests/soak/mutants.sh SERVER_BIN
#
# Builds copies of the client (tests/soak/soak.c, soak_binary.c, soak.h),
# each with one expectation made wrong
# (an opaque, a known CAS, the fresh-CAS rule, the flags, a status, a
# counter's value, a delete's CAS, getk's key, the quiet miss forms, the
# count of evicted misses), runs each against a fresh SERVER_BIN with every
# connection binary, and fails unless the unchanged copy passes and every
# mutant fails. By hand (about a minute); ports SOAK_PORT (default
# ${CONFORM_PORT_BASE:-26400}+160).
set -euo pipefail
server=$1
port=${SOAK_PORT:-$(( ${CONFORM_PORT_BASE:-26400} + 160 ))}
src=$(dirname "$0")
dir=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

# run NAME MEM CONNS [OLD NEW]: builds the copy (OLD replaced by NEW, which
# must occur exactly once in the client's sources), runs it for 3 s; prints
# its exit status.
run() {
    local name=$1 mem=$2 conns=$3
    mkdir "$dir/$name.src"
    cp "$src/soak.c" "$src/soak_binary.c" "$src/soak.h" "$dir/$name.src/"
    if [ $# -gt 3 ]; then
        python3 - "$dir/$name.src" "$4" "$5" <<'EOF'
import os, sys
where, old, new = sys.argv[1:4]
paths = [os.path.join(where, f) for f in ("soak.c", "soak_binary.c", "soak.h")]
texts = {p: open(p).read() for p in paths}
count = sum(t.count(old) for t in texts.values())
if count != 1:
    sys.exit("mutants.sh: the text to change occurs %d times in the client" % count)
for p, t in texts.items():
    if old in t:
        open(p, "w").write(t.replace(old, new))
EOF
    fi
    cc -std=c11 -D_GNU_SOURCE -O2 -o "$dir/$name" "$dir/$name.src/soak.c" "$dir/$name.src/soak_binary.c"
    "$server" -p "$port" -l 127.0.0.1 -U 0 -m "$mem" -c 5000 -u root & pid=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    local rc=0
    "$dir/$name" -p "$port" -c "$conns" -t 3 --binary -q >"$dir/$name.out" 2>&1 || rc=$?
    kill "$pid"; wait "$pid" || true; pid=
    echo "$rc"
}

failed=0
expect() { # expect pass|fail NAME MEM CONNS [OLD NEW]
    local want=$1; shift
    local rc; rc=$(run "$@")
    local why; why=$(grep -m1 'ERROR' "$dir/$1.out" | cut -c1-110 || true)
    if { [ "$want" = pass ] && [ "$rc" = 0 ]; } || { [ "$want" = fail ] && [ "$rc" = 1 ]; }; then
        echo "mutants: $1: exit $rc as it should ${why:+($why)}"
    else
        echo "mutants: $1: exit $rc, expected to $want" >&2
        sed -n 1,20p "$dir/$1.out" >&2
        failed=1
    fi
}

expect pass unchanged 32 100
expect fail opaque 32 100 '    put_be(b, opaque, 4);
}' '    put_be(b, opaque + (op == OP_GETK), 4);
}'
expect fail known-cas 32 100 '        put_be(&c->exp, sl->cas, CAS_LEN);' \
    '        put_be(&c->exp, sl->cas + 1, CAS_LEN);'
expect fail fresh-cas 32 100 '        if (v <= c->cas_high) {' \
    '        if (v <= c->cas_high + 1000000) {'
expect fail flags 32 100 '    put_be(&c->exp, sl->flags, 4);' '    put_be(&c->exp, sl->flags ^ 1, 4);'
expect fail status 32 100 '    bin_error(&c->exp, op, status, opq);' \
    '    bin_error(&c->exp, op, status == ST_EXISTS ? ST_NOT_FOUND : status, opq);'
expect fail counter 32 100 '        put_be(&c->exp, c->counter, 8);' \
    '        put_be(&c->exp, c->counter + 1, 8);'
expect fail delete-cas 32 100 '        bin_head(&c->exp, op, 0, 0, ST_SUCCESS, 0, opq);
        put_be(&c->exp, 0, CAS_LEN);' '        bin_head(&c->exp, op, 0, 0, ST_SUCCESS, 0, opq);
        put_be(&c->exp, 1, CAS_LEN);'
expect fail getk-key 32 100 '    buf_add(&c->exp, key, with_key ? kl : 0);' \
    '    buf_add(&c->exp, key, with_key ? kl - 1 : 0); buf_add(&c->exp, "X", with_key);'
# With evictions (-m 4, 2,000 connections): the miss forms must be right.
expect pass unchanged-evicting 4 2000
expect fail quiet-miss-forms 4 2000 '            int fits = alt_fits(c, r, buf, n);' \
    '            int fits = r->len == 0 ? 0 : alt_fits(c, r, buf, n);'
expect fail miss-count 4 2000 '        if (!evicted_before(c, i)) {' '        if (true) {'
exit $failed
