#!/usr/bin/env bash
# ci/deps.sh [server|test|deb] - install the Debian packages a command needs.
#
# `server` (make run) needs only a C compiler and make. `test` (make test)
# needs the test tools, fuzzers, clients and reference servers. Installs only
# what is missing, with apt-get as root (or sudo); says what it needs otherwise.
set -euo pipefail

want=${1:-test}
server_pkgs=(gcc make libc6-dev)
test_pkgs=(gcc make libc6-dev clang libclang-rt-14-dev llvm libcmocka-dev afl++
    gcovr valgrind memcached libmemcached-tools nutcracker python3
    python3-memcache python3-pymemcache python3-pylibmc
    systemd man-db dpkg-dev fakeroot adduser collectd-core munin-plugins-extra
    libcache-memcached-perl libcache-memcached-fast-perl php-cli php-memcached
    sasl2-bin ruby ruby-dalli
    python3-pyramid python3-beaker python3-webtest)
# make deb: the Debian packaging tools.
deb_pkgs=(gcc make libc6-dev dpkg-dev fakeroot)

case "$want" in
server) pkgs=("${server_pkgs[@]}") ;;
deb) pkgs=("${deb_pkgs[@]}") ;;
test) pkgs=("${test_pkgs[@]}") ;;
*) echo "usage: ci/deps.sh [server|test|deb]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ci/deps.sh: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1; then
    run=(sudo -n)
else
    echo "ci/deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq </dev/null
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
# The Debian memcached package may start a system daemon on 11211; tests use
# their own ports, but stop it so `make run` can take 11211.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet memcached 2>/dev/null; then
    "${run[@]}" systemctl stop memcached || true
fi
