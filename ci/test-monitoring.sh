#!/usr/bin/env bash
# ci/test-monitoring.sh MCREF_BIN - Debian's monitoring reads mcref as it
# reads memcached (make test's `monitoring` stage):
#   collectd (collectd-core's memcached.so, csv output) polls an mcref and a
#   memcached 1.6.18 side by side for a few seconds: mcref must give every
#   series memcached gives, with the values its own `stats` has;
#   munin's memcached_ plugin (munin-plugins-extra) is run by hand for each
#   of its graphs (bytes, counters, rates) against both: the same fields,
#   and mcref's values equal to its stats.
# Servers and collectd are stopped by PID; collectd runs at most 20 s.
set -uo pipefail
cd "$(dirname "$0")/.."
mcref=${1:-build/release/mcref}
case "$mcref" in /*) ;; *) mcref="$(pwd)/$mcref" ;; esac
PY=/usr/bin/python3
tmp=$(mktemp -d /tmp/mcref-test-monitoring.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip_all() { echo "SKIP monitoring: $1"; exit 0; }

[ -x /usr/sbin/collectd ] || skip_all "collectd-core is not installed (ci/deps.sh test)"
[ -f /usr/share/munin/plugins/memcached_ ] || skip_all "munin-plugins-extra is not installed"
[ -x /usr/bin/memcached ] || skip_all "memcached (the reference) is not installed"

free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
user=()
[ "$(id -u)" -eq 0 ] && user=(-u root)
start() { # NAME BIN: a server on a free port; sets port_NAME
    local name=$1 bin=$2 port
    port=$(free_port)
    "$bin" -p "$port" -l 127.0.0.1 -U 0 -m 16 "${user[@]}" 2>"$tmp/$name.err" &
    pids+=($!)
    eval "port_$name=$port"
}
start mcref "$mcref"
start memcached /usr/bin/memcached

# The same traffic on both: 3 sets, 2 hits, 1 miss, incr hit and miss, decr
# hit, delete hit and miss, a touch, 2 bytes' worth of items left.
workload() {
    $PY - "$1" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        break
    except OSError:
        time.sleep(0.05)
def cmd(line, data=None):
    s.sendall(line + b"\r\n" + (data + b"\r\n" if data is not None else b""))
    buf = b""
    while not (buf.endswith(b"\r\n") and (buf.endswith(b"END\r\n") or not buf.startswith(b"VALUE"))):
        buf += s.recv(4096)
    return buf
cmd(b"set a 0 0 1", b"1"); cmd(b"set b 0 0 2", b"bb"); cmd(b"set c 0 0 1", b"5")
cmd(b"get a"); cmd(b"get b"); cmd(b"get nope")
cmd(b"incr a 1"); cmd(b"incr nope 1"); cmd(b"decr c 1")
cmd(b"delete b"); cmd(b"delete nope"); cmd(b"touch a 100")
PY
}
workload "$port_mcref" || fail "setup" "workload on mcref"
workload "$port_memcached" || fail "setup" "workload on memcached"

stats() { # PORT: `stats` as NAME VALUE lines
    $PY - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"stats\r\n")
buf = b""
while not buf.endswith(b"END\r\n"):
    buf += s.recv(65536)
for line in buf.decode().split("\r\n"):
    if line.startswith("STAT "):
        print(line[5:])
PY
}

# ---- collectd ------------------------------------------------------------------
cat >"$tmp/collectd.conf" <<CONF
Hostname "mcreftest"
FQDNLookup false
Interval 1
BaseDir "$tmp"
PIDFile "$tmp/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "$tmp/collectd.log"
</Plugin>
LoadPlugin memcached
<Plugin memcached>
  <Instance "mcref">
    Host "127.0.0.1"
    Port "$port_mcref"
  </Instance>
  <Instance "memcached">
    Host "127.0.0.1"
    Port "$port_memcached"
  </Instance>
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$tmp/csv"
  StoreRates false
</Plugin>
CONF
/usr/sbin/collectd -f -C "$tmp/collectd.conf" >"$tmp/collectd.out" 2>&1 &
cpid=$!
pids+=($cpid)
# Until both instances have 3 rows in their item series (20 s at most).
rows() { cat "$tmp"/csv/mcreftest/memcached-"$1"/memcached_items-current-* 2>/dev/null | grep -c '^[0-9]'; }
end=$((SECONDS + 20))
while [ $SECONDS -lt $end ]; do
    [ "$(rows mcref)" -ge 3 ] && [ "$(rows memcached)" -ge 3 ] && break
    kill -0 $cpid 2>/dev/null || break
    sleep 0.5
done
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null
series() { (cd "$tmp/csv/mcreftest/memcached-$1" 2>/dev/null && ls | sed 's/-[0-9-]*$//' | sort -u); }
series mcref >"$tmp/series.mcref"
series memcached >"$tmp/series.memcached"
if [ ! -s "$tmp/series.memcached" ]; then
    fail "collectd/ran" "no csv for memcached; log: $(tail -5 "$tmp/collectd.log" "$tmp/collectd.out" 2>/dev/null)"
else
    pass "collectd/ran ($(wc -l <"$tmp/series.memcached") series from memcached)"
    missing=$(comm -23 "$tmp/series.memcached" "$tmp/series.mcref" | tr '\n' ' ')
    if [ -z "$missing" ]; then
        pass "collectd/every-series-memcached-has"
    else
        fail "collectd/every-series-memcached-has" "mcref lacks: $missing"
    fi
fi
# The values: the last csv row of each series against mcref's own stats.
stats "$port_mcref" >"$tmp/stats.mcref"
$PY - "$tmp/csv/mcreftest/memcached-mcref" "$tmp/stats.mcref" <<'PY' || failed=$((failed + 1))
import glob, os, sys
d, stats_file = sys.argv[1], sys.argv[2]
st = dict(l.split(" ", 1) for l in open(stats_file).read().splitlines())
def last(series):
    files = sorted(glob.glob(os.path.join(d, series + "-*")))
    if not files:
        return None
    rows = [l for l in open(files[-1]) if l[:1].isdigit()]
    return [float(x) for x in rows[-1].strip().split(",")[1:]]
# collectd series -> the stats it comes from (collectd's memcached.c).
checks = {
    "memcached_items-current": ["curr_items"],
    "memcached_command-get": ["cmd_get"],
    "memcached_command-set": ["cmd_set"],
    "memcached_command-touch": ["cmd_touch"],
    "memcached_ops-hits": ["get_hits"],
    "memcached_ops-misses": ["get_misses"],
    "memcached_ops-incr_hits": ["incr_hits"],
    "memcached_ops-incr_misses": ["incr_misses"],
    "memcached_ops-decr_hits": ["decr_hits"],
    "memcached_ops-decr_misses": ["decr_misses"],
    "memcached_ops-delete_hits": ["delete_hits"],
    "memcached_ops-delete_misses": ["delete_misses"],
    "memcached_ops-evictions": ["evictions"],
    "df-cache": ["bytes", "limit_maxbytes"],
}
bad = []
for series, names in checks.items():
    got = last(series)
    if got is None:
        bad.append("%s: no series" % series)
        continue
    want = [float(st[n]) for n in names]
    if series == "df-cache":  # used, free
        want = [want[0], want[1] - want[0]]
    if got != want:
        bad.append("%s: collectd %s, stats %s" % (series, got, want))
# The workload's own numbers, so that equal-but-wrong cannot pass.
expect = {"curr_items": 2, "cmd_get": 3, "get_hits": 2, "get_misses": 1,
          "incr_hits": 1, "incr_misses": 1, "decr_hits": 1,
          "delete_hits": 1, "delete_misses": 1, "cmd_touch": 1}
for n, v in expect.items():
    if int(st[n]) != v:
        bad.append("stats %s is %s, the workload made it %d" % (n, st[n], v))
if bad:
    print("FAIL collectd/values-match-stats: " + "; ".join(bad))
    sys.exit(1)
print("PASS collectd/values-match-stats (%d series)" % len(checks))
PY

# ---- munin ---------------------------------------------------------------------
for graph in bytes counters rates; do
    ln -sf /usr/share/munin/plugins/memcached_ "$tmp/memcached_$graph"
done
munin() { # NAME PORT GRAPH [config]
    host=127.0.0.1 port=$2 timeout 20 perl "$tmp/memcached_$3" ${4:-} 2>&1
}
for graph in bytes counters rates; do
    munin mcref "$port_mcref" "$graph" >"$tmp/munin.mcref.$graph"
    munin memcached "$port_memcached" "$graph" >"$tmp/munin.memcached.$graph"
    fields() { grep -o '^[a-z_]*\.value' "$1" | sort; }
    if [ -z "$(fields "$tmp/munin.memcached.$graph")" ]; then
        fail "munin/$graph" "no values from memcached: $(head -3 "$tmp/munin.memcached.$graph")"
    elif [ "$(fields "$tmp/munin.mcref.$graph")" != "$(fields "$tmp/munin.memcached.$graph")" ] ||
        grep -q 'value U$' "$tmp/munin.mcref.$graph"; then
        fail "munin/$graph" "mcref: $(tr '\n' ' ' <"$tmp/munin.mcref.$graph"); memcached: $(tr '\n' ' ' <"$tmp/munin.memcached.$graph")"
    else
        pass "munin/$graph (same fields as memcached)"
    fi
    if ! munin mcref "$port_mcref" "$graph" config | grep -q '^graph_title'; then
        fail "munin/$graph-config" "no graph_title"
    fi
done
stats "$port_mcref" >"$tmp/stats.mcref"
$PY - "$tmp" <<'PY' || failed=$((failed + 1))
import sys
tmp = sys.argv[1]
st = dict(l.split(" ", 1) for l in open(tmp + "/stats.mcref").read().splitlines())
values = {}
for g in ("bytes", "counters", "rates"):
    for line in open("%s/munin.mcref.%s" % (tmp, g)):
        if ".value " in line:
            k, v = line.split(".value ")
            values[k] = v.strip()
# munin field -> stat (the plugin's stat_name); counters keep moving only
# with traffic, and there was none since the workload.
fields = {"memcache_curr_items": "curr_items", "memcache_bytes_allocated": "bytes",
          "memcache_bytes_read": "bytes_read", "memcache_bytes_written": "bytes_written",
          "memcache_cache_hits": "get_hits", "memcache_cache_misses": "get_misses",
          "memcache_total_items": "total_items", "memcache_cmd_get": "cmd_get",
          "memcache_cmd_set": "cmd_set"}
bad = []
for f, stat in fields.items():
    if f not in values:
        continue  # the plugin's field names vary by version; checked above
    if stat in ("bytes_read", "bytes_written"):
        # our own `stats` calls move these; munin's read came earlier.
        if not 0 < int(values[f]) <= int(st[stat]):
            bad.append("%s %s vs %s %s" % (f, values[f], stat, st[stat]))
    elif values[f] != st[stat]:
        bad.append("%s %s vs %s %s" % (f, values[f], stat, st[stat]))
checked = len([f for f in fields if f in values])
if bad or checked < 5:
    print("FAIL munin/values-match-stats: %s (%d checked) %s" % ("; ".join(bad), checked, values))
    sys.exit(1)
print("PASS munin/values-match-stats (%d fields)" % checked)
PY

echo "$failed failed"
[ $failed -eq 0 ]
