#!/usr/bin/env bash
# packaging/build-deb.sh BUILD_DIR OUT_DIR - the mcref .deb, from the
# binaries in BUILD_DIR (build/release), with dpkg-deb.
#
# The tree is what `make install PREFIX=/usr SYSCONFDIR=/etc
# UNITDIR=/lib/systemd/system` lays out, with stripped binaries, gzipped
# man pages, the copyright file, and the maintainer scripts of
# packaging/debian/ (system user, unit enabling, purge). Prints the path of
# the package on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: packaging/build-deb.sh BUILD_DIR OUT_DIR}
out=${2:?usage: packaging/build-deb.sh BUILD_DIR OUT_DIR}
profile=$(basename "$build")

upstream=$(sed -n 's/^#define MCREF_VERSION "\(.*\)"$/\1/p' src/app/version.h)
version="$upstream-1"
arch=$(dpkg --print-architecture)
root="$out/root"
rm -rf "$root"
mkdir -p "$root/DEBIAN"

make -s install PROFILE="$profile" DESTDIR="$(pwd)/$root" PREFIX=/usr \
    SYSCONFDIR=/etc UNITDIR=/lib/systemd/system >/dev/null
strip --strip-unneeded "$root"/usr/bin/mcref "$root"/usr/bin/mcref-conform \
    "$root"/usr/bin/mcref-bench "$root"/usr/bin/mcref-clientcheck \
    "$root"/usr/bin/mcref-fuzz
gzip -9n "$root"/usr/share/man/man1/*.1
install -d "$root/usr/share/doc/mcref"
install -m 644 packaging/debian/copyright "$root/usr/share/doc/mcref/copyright"

for f in postinst prerm postrm; do
    install -m 755 "packaging/debian/$f" "$root/DEBIAN/$f"
done
echo /etc/mcref.conf >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    packaging/debian/control.in >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
    sort | xargs md5sum) >"$root/DEBIAN/md5sums"

deb="$out/mcref_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
