#!/usr/bin/env bash
# ci/conform-proxy.sh [MCREF_BIN] - the conformance cases through twemproxy
# (nutcracker) in front of mcref. Clauses a proxy cannot pass by design are
# listed in spec/proxy.md; this fails when any other clause fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mcref=$(realpath "${1:-build/release/mcref}")
tool=${CONFORM_BIN:-build/release/mcref-conform}
command -v nutcracker >/dev/null || { echo "conform-proxy: nutcracker is not installed"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
server_port=$(free_port)
proxy_port=$(free_port)
user=()
[ "$(id -u)" -eq 0 ] && user=(-u root)
"$mcref" -p "$server_port" -l 127.0.0.1 "${user[@]}" &
pids+=($!)
cat > "$work/nutcracker.yml" <<YAML
mcref:
  listen: 127.0.0.1:$proxy_port
  hash: fnv1a_64
  distribution: ketama
  timeout: 2000
  redis: false
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:$server_port:1
YAML
nutcracker -c "$work/nutcracker.yml" -o "$work/nutcracker.log" -p "$work/nutcracker.pid" &
pids+=($!)
for _ in $(seq 50); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$proxy_port),0.2)" 2>/dev/null && break
    sleep 0.1
done

"$tool" --allow-destructive --server other "127.0.0.1:$proxy_port" > "$work/out.txt" 2>&1
tail -n 3 "$work/out.txt"
allowed=$(awk '/^```proxy-clauses/{f=1; next} /^```/{f=0} f' spec/proxy.md | tr -s ' \n' '\n' | sort -u)
failed=$(sed -n 's/^failed clauses: //p' "$work/out.txt" | tr ' ' '\n' | sort -u)
unexpected=$(comm -23 <(printf '%s\n' $failed) <(printf '%s\n' $allowed))
if [ -n "$unexpected" ]; then
    echo "conform-proxy: clauses failing through twemproxy that spec/proxy.md does not list:"
    printf '  %s\n' $unexpected
    grep -E '^FAIL' "$work/out.txt" | head -40
    echo "0 passed, 1 failed"
    exit 1
fi
echo "conform-proxy: every clause that failed through twemproxy is listed in spec/proxy.md"
echo "1 passed, 0 failed"
