#!/usr/bin/env bash
# ci/conform.sh SERVER_BIN [extra server flags...] - runs the executable
# cases of spec/cases/ against a memcached-compatible server binary, once per
# flag profile the cases need, and prints the results of each profile.
#
#   ci/conform.sh build/release/mcref
#   ci/conform.sh /usr/bin/memcached -t 2
#
# Profiles (each on a fresh server on a free 127.0.0.1 port):
#   default   (no flags)             every case
#   shutdown  -A                     every case; the final one shuts it down
#   noevict   -M -m 2m               every case
#   nocas     -C                     every case
#   noflush   -F -X                  every case (-X: no key dumps)
#   conns     -c 32 -o idle_timeout=2  only conn.max and conn.idle-timeout
#   asciiauth -Y FILE                only the `requires: ascii-auth` cases
#   sasl      -S (MEMCACHED_SASL_PWDB=FILE)  only `requires: sasl` cases;
#             other servers: only with saslpasswd2 (Debian sasl2-bin), for
#             a Cyrus sasldb named by SASL_CONF_PATH (memcached's -S)
# FILE holds the one user the auth cases log in as: alice:secret.
# When the binary is mcref (its -V output or its name says so), every
# profile also gets -o test_clock, so waits take no real time, and
# mcref-only cases run (--server mcref). For other servers slow cases are
# run in the default profile only.
#
# After each profile the server is stopped: by the shutdown case (-A), or
# by SIGTERM. Its exit status must be 0 ([conn.signal]) for mcref; for other
# servers it is only reported.
#
# Environment: CONFORM_BIN (the tool, default build/release/mcref-conform,
# built if missing), CONFORM_PORT_BASE (first port tried, default 23400),
# CONFORM_JOBS (profiles run at once, default 1: each profile is its own
# server, mostly waiting, so several overlap well; profile i then takes
# its ports from CONFORM_PORT_BASE + 20*i, and its output is printed whole),
# CONFORM_PROFILES (names to run, default all), CONFORM_ARGS (extra options
# for the tool, e.g. "-v" or "--fail-fast"), CONFORM_TIMEOUT (seconds per
# profile, default 300).
#
# Prints `N passed, N failed` alone on the last line; exits non-zero if a
# case failed, a server misbehaved, or a profile could not run.
set -uo pipefail

usage() {
    echo "usage: $0 SERVER_BIN [extra server flags...]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
server_bin=$1
shift
extra_flags=("$@")
case "$server_bin" in */*) ;; *) server_bin=$(command -v "$server_bin" || echo "$server_bin") ;; esac
if [ ! -x "$server_bin" ]; then
    echo "conform: $server_bin is not an executable"
    echo "0 passed, 1 failed"
    exit 1
fi

tool=${CONFORM_BIN:-$repo/build/release/mcref-conform}
if [ ! -x "$tool" ] && [ -z "${CONFORM_BIN:-}" ]; then
    make -s -C "$repo" build/release/mcref-conform >&2 || true
fi
if [ ! -x "$tool" ]; then
    echo "conform: $tool not found (make build/release/mcref-conform)"
    echo "0 passed, 1 failed"
    exit 1
fi

port=${CONFORM_PORT_BASE:-23400}
profile_timeout=${CONFORM_TIMEOUT:-300}
read -r -a tool_args <<<"${CONFORM_ARGS:-}"
is_mcref=0
if timeout 5 "$server_bin" -V 2>&1 | grep -qi mcref ||
    [[ "$(basename "$server_bin")" == *mcref* ]]; then
    is_mcref=1
fi

tmp=$(mktemp -d /tmp/mcref-conform.XXXXXX)
server_pid=""
cleanup() {
    local j
    for j in $(jobs -rp); do kill "$j" 2>/dev/null; done
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Starts the server with the given flags on the next free port; sets
# server_pid and server_port. False if it does not come up.
start_server() {
    local log=$1
    shift
    local tries=0
    while [ $tries -lt 20 ]; do
        tries=$((tries + 1))
        port=$((port + 1))
        if port_busy "$port"; then
            continue
        fi
        local cmd=("$server_bin" -l 127.0.0.1 -p "$port" -U 0)
        if [ "$(id -u)" = 0 ]; then
            cmd+=(-u root)
        fi
        cmd+=("$@" "${extra_flags[@]}")
        echo "${cmd[*]}" >"$log"
        "${cmd[@]}" >>"$log" 2>&1 &
        server_pid=$!
        local waited=0
        while [ $waited -lt 50 ]; do
            if ! kill -0 "$server_pid" 2>/dev/null; then
                break
            fi
            if port_busy "$port"; then
                server_port=$port
                return 0
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=""
        # A port taken meanwhile: try the next; anything else: give up.
        grep -qi "address already in use\|bind" "$log" || return 1
    done
    return 1
}

# Waits up to $2 tenths of a second for the server to exit; sets
# server_status (or leaves it empty if still running).
wait_exit() {
    local pid=$1 tenths=$2 i=0
    server_status=""
    while [ $i -lt "$tenths" ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            server_status=$?
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

total_passed=0
total_failed=0
total_skipped=0
problems=0
summary=()

# run_profile NAME "SERVER FLAGS" "-o EXTENDED,..." [TOOL OPTIONS...]
run_profile() {
    local name=$1 flags=$2 extended=$3
    shift 3
    case " ${CONFORM_PROFILES:-$name} " in *" $name "*) ;; *) return 0 ;; esac
    local server_flags=()
    read -r -a server_flags <<<"$flags"
    if [ $is_mcref -eq 1 ]; then
        extended=${extended:+$extended,}test_clock
    fi
    if [ -n "$extended" ]; then
        server_flags+=(-o "$extended")
    fi
    local opts=(--allow-destructive "$@" "${tool_args[@]}")
    if [ $is_mcref -eq 1 ]; then
        opts+=(--server mcref)
    else
        opts+=(--server other)
    fi
    local log=$tmp/$name.server.log out=$tmp/$name.out
    local t0=$SECONDS
    echo "=== profile $name: $(basename "$server_bin") ${server_flags[*]} ${extra_flags[*]}"
    if ! start_server "$log" "${server_flags[@]}"; then
        echo "FAIL profile $name: the server did not start:"
        sed 's/^/    /' "$log"
        problems=$((problems + 1))
        summary+=("$name: server did not start")
        return 0
    fi
    timeout --kill-after=5 "$profile_timeout" \
        "$tool" "${opts[@]}" "127.0.0.1:$server_port" >"$out" 2>&1
    local rc=$?
    cat "$out"
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        echo "FAIL profile $name: mcref-conform exited with status $rc"
        problems=$((problems + 1))
    fi
    local line passed=0 failed=0 skipped=0
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
    if [ -n "$line" ]; then
        passed=${line%% passed*}
        failed=${line#*, }
        failed=${failed%% failed*}
    fi
    line=$(grep -E '^[0-9]+ skipped$' "$out" | tail -1)
    [ -n "$line" ] && skipped=${line%% skipped}

    # Stop the server: it may already be gone (shutdown, which only -A
    # allows: give it 3 s); else SIGTERM.
    local how="shutdown command" grace=1
    case " $flags " in *" -A "*) grace=30 ;; esac
    if ! wait_exit "$server_pid" "$grace"; then
        how="SIGTERM"
        kill -TERM "$server_pid" 2>/dev/null
        if ! wait_exit "$server_pid" 50; then
            how="SIGTERM, then SIGKILL after 5 s"
            kill -KILL "$server_pid" 2>/dev/null
            wait "$server_pid" 2>/dev/null
            server_status=killed
        fi
    fi
    server_pid=""
    if [ "$server_status" != 0 ]; then
        if [ $is_mcref -eq 1 ]; then
            echo "FAIL profile $name: server stopped by $how with status $server_status [conn.signal]"
            problems=$((problems + 1))
        else
            echo "note: server stopped by $how with status $server_status"
        fi
    fi
    local secs=$((SECONDS - t0))
    echo "=== profile $name: $passed passed, $failed failed, $skipped skipped ($secs s)"
    summary+=("$name: $passed passed, $failed failed, $skipped skipped ($secs s)")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
}

slow=()
[ $is_mcref -eq 1 ] || slow=(--skip-slow)

# profile NAME ...: run_profile now, or (CONFORM_JOBS > 1) in the
# background on its own ports, its output and counts kept in $tmp.
jobs_max=${CONFORM_JOBS:-1}
case "$jobs_max" in ''|*[!0-9]*|0) jobs_max=1 ;; esac
port_base=$port
bg_profiles=()
profile() {
    if [ "$jobs_max" -eq 1 ]; then
        run_profile "$@"
        return
    fi
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n
    done
    local i=${#bg_profiles[@]}
    bg_profiles+=("$1")
    (
        port=$((port_base + 20 * i))
        trap cleanup_server EXIT
        trap 'exit 130' INT TERM
        run_profile "$@"
        echo "$total_passed $total_failed $total_skipped $problems" >"$tmp/bg$i.counts"
        printf '%s\n' "${summary[@]}" >"$tmp/bg$i.summary"
    ) >"$tmp/bg$i.log" 2>&1 &
}
cleanup_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
}
# Waits for the background profiles and adds them up, in order.
collect_profiles() {
    [ ${#bg_profiles[@]} -gt 0 ] || return 0
    wait
    local i p f s k
    for i in "${!bg_profiles[@]}"; do
        cat "$tmp/bg$i.log"
        if [ ! -f "$tmp/bg$i.counts" ]; then
            echo "FAIL profile ${bg_profiles[$i]}: it did not finish"
            problems=$((problems + 1))
            summary+=("${bg_profiles[$i]}: did not finish")
            continue
        fi
        read -r p f s k <"$tmp/bg$i.counts"
        total_passed=$((total_passed + p))
        total_failed=$((total_failed + f))
        total_skipped=$((total_skipped + s))
        problems=$((problems + k))
        while IFS= read -r line; do
            [ -n "$line" ] && summary+=("$line")
        done <"$tmp/bg$i.summary"
    done
}

profile default "" ""
profile shutdown "-A" "" "${slow[@]}"
profile noevict "-M -m 2m" "" "${slow[@]}"
profile nocas "-C" "" "${slow[@]}"
profile noflush "-F -X" "" "${slow[@]}"
profile conns "-c 32" "idle_timeout=2" --clause conn.max --clause conn.idle-timeout
printf 'alice:secret\n' >"$tmp/passwords"
export MEMCACHED_SASL_PWDB="$tmp/passwords"
profile asciiauth "-Y $tmp/passwords" "" --auth ascii --clause auth
if [ $is_mcref -eq 1 ]; then
    profile sasl "-S" "" --auth sasl --clause auth
elif command -v saslpasswd2 >/dev/null 2>&1; then
    # memcached reads SASL users through Cyrus SASL: a sasldb with the same
    # user (Debian sasl2-bin), named by SASL_CONF_PATH's memcached.conf.
    mkdir -p "$tmp/sasl"
    printf 'mech_list: plain\nsasldb_path: %s\n' "$tmp/sasl/sasldb" \
        >"$tmp/sasl/memcached.conf"
    if printf 'secret' | saslpasswd2 -p -a memcached -f "$tmp/sasl/sasldb" \
        -c -u "$(hostname)" alice; then
        export SASL_CONF_PATH="$tmp/sasl"
        profile sasl "-S" "" --auth sasl --clause auth
        unset SASL_CONF_PATH
    fi
fi
collect_profiles

echo "=== summary ($(basename "$server_bin"))"
for s in "${summary[@]}"; do
    echo "    $s"
done
echo "$total_skipped skipped"
total_failed=$((total_failed + problems))
echo "$total_passed passed, $total_failed failed"
[ $total_failed -eq 0 ]
