#!/usr/bin/env bash
# ci/bench.sh - side-by-side benchmark of mcref and memcached (make bench).
#
# Runs each workload against mcref, the do-nothing server (mcref-null: it
# frames requests, stores nothing; load workloads only), memcached -t 1 and
# memcached with its default threads, in alternation (A B C D A B C D ...),
# each run on a freshly started server so no run inherits another's state.
# Prints one markdown table of medians over ROUNDS with mcref / memcached
# -t 1 and mcref / do-nothing ratio columns.
#
# env (relative paths are taken from the repository root):
#      MCREF_BIN     (build/release/mcref)
#      MCREF_EXTRA   (unset): words added to mcref's command line, e.g.
#        "-o client_check" to compare strict mode's cost (README "Testing clients")
#      MEMCACHED_BIN (/usr/bin/memcached; apt-get installed if missing, as root)
#      BENCH_BIN     (build/release/mcref-bench)
#      NULL_BIN      (build/release/mcref-null): the do-nothing server
#      SERVERS ("mcref null mc1 mcN"): the servers to run, in this order
#      ROUNDS (5), DURATION (5 s per load run)
#      WORKLOADS (all): the workloads to run, e.g. "aside ow1k@1024 mget90"
#      OW_MEMS ("1024"): the -m values of the overwrite workloads;
#        BENCH_FULL=1 makes it "64 1024 4096" (the whole sweep)
#      OW_DURATION (DURATION): seconds of each overwrite run
#      RSS_ROUNDS (1): rounds of the RSS workloads (RSS varies little)
#      BENCH_HIST (unset): =1 prints, after the table, each load workload's
#        latency distribution per server (round 1), bucket by bucket
#      BENCH_PORT_LO/HI (21000-21999), BENCH_OUT (build/bench: raw JSON)
# Kills only the servers it started. Exit status 1 if any run failed or
# counted errors (the table is printed all the same, failed cells marked).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

MCREF_BIN=${MCREF_BIN:-build/release/mcref}
MEMCACHED_BIN=${MEMCACHED_BIN:-/usr/bin/memcached}
BENCH_BIN=${BENCH_BIN:-build/release/mcref-bench}
NULL_BIN=${NULL_BIN:-build/release/mcref-null}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
port_lo=${BENCH_PORT_LO:-21000}
port_hi=${BENCH_PORT_HI:-21999}
out_dir=${BENCH_OUT:-build/bench}

mem_mb=64                 # -m for every server but where wl_mem says
conns_max=2048            # -c for every server but the idle-conns one
idle_conns=10000          # workload 6b
idle_conns_max=11000      # its server's -c
idle_nofile=16384         # its server's ulimit -n
fill_limit_s=120          # bound of one --fill run
start_attempts=10         # ports tried per server start
ready_polls=100           # x 0.05 s waiting for a listener
OW_DURATION=${OW_DURATION:-$DURATION}
RSS_ROUNDS=${RSS_ROUNDS:-1}
if [ -n "${BENCH_FULL:-}" ]; then
    OW_MEMS=${OW_MEMS:-64 1024 4096}
else
    OW_MEMS=${OW_MEMS:-1024}
fi
rss_every_ms=250          # RSS sampling step of the overwrite runs
rss_after_ms=2000         # and how long after the load it goes on
aside_requests=300000     # gets of one cache-aside run
run_timeout=$((DURATION * 3 + 90)) # one bench run, warm-up and open included
[ $((OW_DURATION * 3 + 90)) -gt $run_timeout ] && run_timeout=$((OW_DURATION * 3 + 90))

server_pid=
port=
failures=0

say() { printf '%s\n' "$*" >&2; }

stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}
trap 'stop_server' EXIT
trap 'stop_server; exit 130' INT TERM

# --- servers -----------------------------------------------------------

read -r -a servers <<<"${SERVERS:-mcref null mc1 mcN}"
declare -A server_label=(
    [mcref]="mcref"
    [null]="do-nothing"
    [mc1]="memcached -t 1"
    [mcN]="memcached (default -t)"
)

user_flag=()
[ "$(id -u)" = 0 ] && user_flag=(-u root)

# server_cmd NAME CONNS_MAX MEM_MB [VALUE_SIZE]: the command line of a
# server, one word a line. The do-nothing server's gets hit with values of
# VALUE_SIZE bytes (the workload's), as mcref's do after --warmup.
server_cmd() {
    local bin=$MEMCACHED_BIN
    [ "$1" = mcref ] && bin=$MCREF_BIN
    [ "$1" = null ] && bin=$NULL_BIN
    printf '%s\n' "$bin" -p "$port" -U 0 -l 127.0.0.1 -m "$3" -c "$2" \
        "${user_flag[@]}"
    [ "$1" = mc1 ] && printf '%s\n' -t 1
    if [ "$1" = null ] && [ -n "${4:-}" ]; then
        printf '%s\n' -o "value_size=$4"
    fi
    if [ "$1" = mcref ] && [ -n "${MCREF_EXTRA:-}" ]; then
        printf '%s\n' $MCREF_EXTRA
    fi
    return 0
}

# start_server NAME CONNS_MAX NOFILE MEM_MB [VALUE_SIZE]: on a free port;
# sets server_pid/port.
start_server() {
    local attempt poll
    for attempt in $(seq 1 "$start_attempts"); do
        port=$((port_lo + RANDOM % (port_hi - port_lo + 1)))
        ss -Htln "sport = :$port" 2>/dev/null | grep -q . && continue
        local cmd
        mapfile -t cmd < <(server_cmd "$1" "$2" "$4" "${5:-}")
        (ulimit -n "$3" && exec "${cmd[@]}") >/dev/null 2>&1 &
        server_pid=$!
        for poll in $(seq 1 "$ready_polls"); do
            kill -0 "$server_pid" 2>/dev/null || break
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                return 0
            fi
            sleep 0.05
        done
        stop_server
    done
    say "cannot start ${server_label[$1]}: ${cmd[*]}"
    return 1
}

# --- workloads ---------------------------------------------------------

common="--keys 10000 --value-size 100"
workloads=(get90 pipe16 mget10 set1k conns1000 fill idle mget90 mpipe16 aside bget90 bpipe16)
declare -A wl_mem=([aside]=4)
declare -A wl_servers=()   # default: every server but null
declare -A wl_rounds=()    # default: ROUNDS
for m in $OW_MEMS; do
    workloads+=("ow1k@$m" "ow100@$m" "owzipf@$m")
done
declare -A wl_label=(
    [get90]="1. 90% get / 10% set, 100 B, 10k keys, 50 conns"
    [pipe16]="2. the same, pipeline depth 16"
    [mget10]="3. the same, gets of 10 keys (multi-get)"
    [set1k]="4. 100% set, 1 KiB values, 50 conns"
    [conns1000]="5. 1000 conns, 50 active (as 1)"
    [fill]="6a. fill -m $mem_mb: 20 B keys, 100 B values"
    [idle]="6b. $idle_conns idle conns"
    [mget90]="7. meta: 1. as mg / ms (90% get, 50 conns)"
    [mpipe16]="8. meta: 2. pipelined, quiet mg .. q + mn, -P 16"
    [aside]="9. cache-aside (get; set on miss), zipf 1.0, 200k keys of 100 B, -m 4, $aside_requests gets, 20 conns"
    [bget90]="13. binary: 1. as GET / SET packets (90% get, 50 conns)"
    [bpipe16]="14. binary: 2. pipelined, -P 16"
)
declare -A wl_args=(
    [get90]="-c 50 --ratio 90:10 $common --warmup -d $DURATION"
    [pipe16]="-c 50 -P 16 --ratio 90:10 $common --warmup -d $DURATION"
    [mget10]="-c 50 --mget 10 --ratio 90:10 $common --warmup -d $DURATION"
    [set1k]="-c 50 --ratio 0:100 --keys 10000 --value-size 1024 -d $DURATION"
    [conns1000]="-c 1000 --active 50 --ratio 90:10 $common --warmup -d $DURATION"
    [fill]="--fill -P 32 --key-len 20 --value-size 100 -d $fill_limit_s"
    [idle]="--idle-conns $idle_conns"
    [mget90]="-c 50 --protocol meta --ratio 90:10 $common --warmup -d $DURATION"
    [mpipe16]="-c 50 -P 16 --protocol meta --ratio 90:10 $common --warmup -d $DURATION"
    [aside]="-c 20 --cache-aside --key-dist zipf:1.0 --keys 200000 --value-size 100 -n $aside_requests"
    [bget90]="-c 50 --protocol binary --ratio 90:10 $common --warmup -d $DURATION"
    [bpipe16]="-c 50 -P 16 --protocol binary --ratio 90:10 $common --warmup -d $DURATION"
)
declare -A wl_metrics=(
    [fill]="items rss_mib bytes_per_item"
    [idle]="bytes_per_conn"
    [aside]="hit_ratio ops_per_s p99_us"
)
# Overwrite (issue 12): 20 clients, set only, RSS sampled during and after.
ow_common="-c 20 --ratio 0:100 -d $OW_DURATION --rss-every $rss_every_ms --rss-after $rss_after_ms"
for m in $OW_MEMS; do
    wl_label["ow1k@$m"]="10. overwrite -m $m: 20 conns set 10k keys of 1 KiB, ${OW_DURATION} s"
    wl_label["ow100@$m"]="11. overwrite -m $m: the same, 100 B values"
    wl_label["owzipf@$m"]="12. overwrite -m $m: 1 KiB, zipf 0.99 popularity"
    wl_args["ow1k@$m"]="$ow_common --keys 10000 --value-size 1024"
    wl_args["ow100@$m"]="$ow_common --keys 10000 --value-size 100"
    wl_args["owzipf@$m"]="$ow_common --keys 10000 --value-size 1024 --key-dist zipf"
    for w in "ow1k@$m" "ow100@$m" "owzipf@$m"; do
        wl_mem[$w]=$m
        wl_servers[$w]="mcref mc1"
        wl_rounds[$w]=$RSS_ROUNDS
        wl_metrics[$w]="rss_peak_mib rss_final_mib ops_per_s p99_us"
    done
done
wl_servers[aside]="mcref mc1"
# The do-nothing server answers every load workload (sets vanish, gets hit
# with a canned value of the workload's --value-size); it never evicts
# (fill) and is no store (idle, aside, overwrite).
for w in get90 pipe16 mget10 set1k conns1000 mget90 mpipe16 bget90 bpipe16; do
    wl_servers[$w]="mcref null mc1 mcN"
done
load_metrics="ops_per_s server_cpu_us_per_op server_user_us_per_op p99_us"
declare -A metric_label=(
    [ops_per_s]="ops/s"
    [server_cpu_us_per_op]="server CPU µs/op"
    [server_user_us_per_op]="  of which user space"
    [p99_us]="p99 µs"
    [items]="items before 1st eviction"
    [rss_mib]="server RSS then, MiB"
    [bytes_per_item]="RSS bytes/item"
    [bytes_per_conn]="RSS bytes/idle conn"
    [hit_ratio]="hit ratio"
    [rss_peak_mib]="server RSS peak, MiB"
    [rss_final_mib]="server RSS at the end (+${rss_after_ms} ms idle), MiB"
)

# servers_of WORKLOAD: the servers that run it, in SERVERS' order.
servers_of() {
    local want=" ${wl_servers[$1]:-mcref mc1 mcN} " s out=()
    for s in "${servers[@]}"; do
        case $want in *" $s "*) out+=("$s") ;; esac
    done
    printf '%s\n' "${out[*]}"
}

# --- results -----------------------------------------------------------

declare -A values   # "workload|server|metric" -> "v1 v2 ..."
declare -A failed   # "workload|server" -> 1
declare -A unsupported # "workload|server" -> 1: no meta protocol
unsupported_runs=0

json_field() {
    printf '%s\n' "$1" | grep -o "\"$2\":[^,}]*" | head -n1 | cut -d: -f2-
}

add_value() {
    local key="$1|$2|$3"
    values[$key]="${values[$key]:-} $4"
}

# record WORKLOAD SERVER JSON: keeps the figures of one run.
record() {
    local w=$1 s=$2 json=$3
    case $w in
    fill)
        local items rss
        items=$(json_field "$json" items_before_eviction)
        rss=$(json_field "$json" rss_bytes)
        add_value "$w" "$s" items "$items"
        add_value "$w" "$s" rss_mib "$(awk -v r="$rss" 'BEGIN{printf "%.1f", r/1048576}')"
        add_value "$w" "$s" bytes_per_item "$(json_field "$json" bytes_per_item)"
        ;;
    idle)
        add_value "$w" "$s" bytes_per_conn "$(json_field "$json" bytes_per_conn)"
        ;;
    aside)
        local m
        for m in hit_ratio ops_per_s p99_us; do
            add_value "$w" "$s" "$m" "$(json_field "$json" "$m")"
        done
        ;;
    ow*)
        local peak final
        peak=$(json_field "$json" rss_peak_bytes)
        final=$(json_field "$json" rss_final_bytes)
        add_value "$w" "$s" rss_peak_mib "$(awk -v r="$peak" 'BEGIN{if (r != "") printf "%.1f", r/1048576}')"
        add_value "$w" "$s" rss_final_mib "$(awk -v r="$final" 'BEGIN{if (r != "") printf "%.1f", r/1048576}')"
        add_value "$w" "$s" ops_per_s "$(json_field "$json" ops_per_s)"
        add_value "$w" "$s" p99_us "$(json_field "$json" p99_us)"
        ;;
    *)
        local m
        for m in $load_metrics; do
            add_value "$w" "$s" "$m" "$(json_field "$json" "$m")"
        done
        ;;
    esac
}

# run_one WORKLOAD SERVER ROUND: fresh server, one bench run, stop.
run_one() {
    local w=$1 s=$2 round=$3
    local conns=$conns_max nofile=$((conns_max + 64))
    if [ "$w" = idle ]; then
        conns=$idle_conns_max
        nofile=$idle_nofile
    fi
    local value_size
    value_size=$(sed -n 's/.*--value-size \([0-9][0-9]*\).*/\1/p' <<<"${wl_args[$w]}")
    if ! start_server "$s" "$conns" "$nofile" "${wl_mem[$w]:-$mem_mb}" \
         "$value_size"; then
        failed["$w|$s"]=1
        failures=$((failures + 1))
        return
    fi
    local json rc err_file=$out_dir/stderr.last
    # shellcheck disable=SC2086 # the args are words on purpose
    json=$(timeout "$run_timeout" "$BENCH_BIN" -s "127.0.0.1:$port" \
           --server-pid "$server_pid" --seed "$round" --json ${wl_args[$w]} \
           2>"$err_file")
    rc=$?
    stop_server
    { echo "[$w ${server_label[$s]} round $round]"; cat "$err_file"; } >>"$out_dir/stderr.log"
    printf '{"workload":"%s","server":"%s","round":%s,"rc":%s,"result":%s}\n' \
        "$w" "$s" "$round" "$rc" "${json:-null}" >>"$out_dir/raw.jsonl"
    if [ "$rc" != 0 ] && grep -q 'does the server speak meta' "$err_file"; then
        # Not a failure of the run: the server has no meta protocol.
        unsupported["$w|$s"]=1
        unsupported_runs=$((unsupported_runs + 1))
        say "  ${server_label[$s]}: meta protocol not supported (mn answered with an error)"
        return
    fi
    if [ "$rc" != 0 ] || [ -z "$json" ]; then
        failed["$w|$s"]=1
        failures=$((failures + 1))
        say "  ${server_label[$s]}: FAILED (exit $rc; see $out_dir/stderr.log)"
        [ -n "$json" ] || return
    fi
    record "$w" "$s" "$json"
    say "  ${server_label[$s]} round $round: $(
        case $w in
        fill) echo "items $(json_field "$json" items_before_eviction)" ;;
        idle) echo "$(json_field "$json" bytes_per_conn) B/conn" ;;
        aside) echo "hit ratio $(json_field "$json" hit_ratio), $(json_field "$json" ops_per_s) ops/s" ;;
        ow*) echo "RSS peak $(json_field "$json" rss_peak_bytes) B, final $(json_field "$json" rss_final_bytes) B, $(json_field "$json" ops_per_s) ops/s" ;;
        *) echo "$(json_field "$json" ops_per_s) ops/s, p99 $(json_field "$json" p99_us) us" ;;
        esac)"
}

# --- table -------------------------------------------------------------

median() {
    tr ' ' '\n' <<<"$1" | grep -E '^[0-9.]+$' | sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { exit }
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            if (m >= 100) printf "%.0f", m; else if (m < 1) printf "%.4f", m; else printf "%.2f", m
        }'
}

cell() {
    local m
    if [ -n "${unsupported[$1|$2]:-}" ]; then
        printf 'n/s'
        return
    fi
    case " $(servers_of "$1") " in
    *" $2 "*) ;;
    *) printf '·'; return ;;
    esac
    m=$(median "${values[$1|$2|$3]:-}")
    [ -n "${failed[$1|$2]:-}" ] && m="${m:-–} !"
    printf '%s' "${m:-–}"
}

# ratio WORKLOAD METRIC OTHER: mcref's median over OTHER's.
ratio() {
    local a b
    a=$(median "${values[$1|mcref|$2]:-}")
    b=$(median "${values[$1|$3|$2]:-}")
    awk -v a="$a" -v b="$b" 'BEGIN {
        if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f", a / b }'
}

print_table() {
    local cpu
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
    echo "mcref bench, $(date -u '+%Y-%m-%d %H:%M UTC'); machine: nproc $(nproc), ${cpu:-unknown CPU};" \
         "command: ${MCREF_EXTRA:+MCREF_EXTRA='$MCREF_EXTRA' }MCREF_BIN=$MCREF_BIN MEMCACHED_BIN=$MEMCACHED_BIN ROUNDS=$ROUNDS DURATION=$DURATION SERVERS='${servers[*]}' ci/bench.sh;" \
         "$("$MEMCACHED_BIN" -V 2>/dev/null | head -n1); medians of $ROUNDS rounds"
    echo
    echo "| workload | metric | ${server_label[mcref]} | ${server_label[mc1]} | ${server_label[mcN]} | ${server_label[null]} | mcref / memcached -t 1 | mcref / do-nothing |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    local w m first
    for w in "${selected[@]}"; do
        first=1
        for m in ${wl_metrics[$w]:-$load_metrics}; do
            local label=""
            [ $first = 1 ] && label=${wl_label[$w]}
            first=0
            echo "| $label | ${metric_label[$m]} | $(cell "$w" mcref "$m") | $(cell "$w" mc1 "$m") | $(cell "$w" mcN "$m") | $(cell "$w" null "$m") | $(ratio "$w" "$m" mc1) | $(ratio "$w" "$m" null) |"
        done
    done
    if [ "$unsupported_runs" -gt 0 ]; then
        echo
        echo "n/s: the server does not speak the meta protocol (its \`mn\` got an error; $unsupported_runs run(s)). ·: not run for that server."
    fi
    if [ "$failures" -gt 0 ]; then
        echo
        echo "! $failures run(s) failed or counted errors; see $out_dir/raw.jsonl and $out_dir/stderr.log"
    fi
}

# print_rounds: each load workload's CPU per op and p99, round by round, so
# that a median can be read with its spread (one noisy round moves a median
# of three).
print_rounds() {
    local w s m line
    echo
    echo "per round (in run order; CPU µs/op, then p99 µs):"
    echo
    for w in "${selected[@]}"; do
        [ -n "${wl_metrics[$w]:-}" ] && continue # not a load workload
        for m in server_cpu_us_per_op p99_us; do
            line="- ${wl_label[$w]%%:*}, ${metric_label[$m]# *}:"
            for s in $(servers_of "$w"); do
                line="$line ${server_label[$s]}${values[$w|$s|$m]:- –};"
            done
            echo "${line%;}"
        done
    done
}

# print_hists: per load workload, round 1's latency buckets of every
# server side by side (count and cumulative %), from raw.jsonl.
print_hists() {
    local w
    for w in "${selected[@]}"; do
        case $w in fill | idle) continue ;; esac
        echo
        echo "latency distribution, ${wl_label[$w]} (round 1; µs, upper bound of each bucket)"
        echo
        awk -v w="$w" -v order="$(servers_of "$w")" '
            index($0, "\"workload\":\"" w "\",") && index($0, "\"round\":1,") {
                match($0, /"server":"[^"]*"/)
                s = substr($0, RSTART + 10, RLENGTH - 11)
                if (!match($0, /"latency_hist":\[[^]]*(\][^]]*)*\]\]/)) next
                h = substr($0, RSTART + 16, RLENGTH - 17)
                gsub(/\],\[/, ";", h); gsub(/[][]/, "", h)
                n = split(h, b, ";")
                for (i = 1; i <= n; i++) {
                    split(b[i], f, ",")
                    hi = f[2] + 0
                    if (!(hi in seen)) { seen[hi] = 1; his[++nh] = hi }
                    cnt[s, hi] = f[3]; tot[s] += f[3]
                }
            }
            END {
                ns = split(order, sv, " ")
                line = "| ≤ µs |"; sep = "|---:|"
                for (j = 1; j <= ns; j++) { line = line " " sv[j] " | cum % |"; sep = sep "---:|---:|" }
                print line; print sep
                for (i = 2; i <= nh; i++) {       # insertion sort, numeric
                    v = his[i]; k = i - 1
                    while (k > 0 && his[k] > v) { his[k + 1] = his[k]; k-- }
                    his[k + 1] = v
                }
                for (i = 1; i <= nh; i++) {
                    hi = his[i]; line = sprintf("| %.1f |", hi)
                    for (j = 1; j <= ns; j++) {
                        s = sv[j]; c = cnt[s, hi] + 0; cum[s] += c
                        line = line sprintf(" %d | %s |", c,
                            tot[s] ? sprintf("%.3f", 100 * cum[s] / tot[s]) : "–")
                    }
                    print line
                }
            }' "$out_dir/raw.jsonl"
    done
}

# --- main --------------------------------------------------------------

if [ ! -x "$MEMCACHED_BIN" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing memcached (apt-get)"
        apt-get install -y memcached >&2 || exit 1
        MEMCACHED_BIN=/usr/bin/memcached
    fi
fi
bins=("$MCREF_BIN" "$MEMCACHED_BIN" "$BENCH_BIN")
case " ${servers[*]} " in *" null "*) bins+=("$NULL_BIN") ;; esac
for bin in "${bins[@]}"; do
    if [ ! -x "$bin" ]; then
        say "not executable: $bin"
        exit 1
    fi
done
mkdir -p "$out_dir" || exit 1
: >"$out_dir/raw.jsonl"
: >"$out_dir/stderr.log"

selected=()
for w in ${WORKLOADS:-${workloads[*]}}; do
    if [ -z "${wl_args[$w]:-}" ]; then
        say "unknown workload '$w' (known: ${workloads[*]})"
        exit 1
    fi
    selected+=("$w")
done
for w in "${selected[@]}"; do
    say "${wl_label[$w]}"
    for round in $(seq 1 "${wl_rounds[$w]:-$ROUNDS}"); do
        for s in $(servers_of "$w"); do
            run_one "$w" "$s" "$round"
        done
    done
done

print_table
print_rounds
[ -n "${BENCH_HIST:-}" ] && print_hists
[ "$failures" = 0 ]
