#!/bin/sh
# Fetches what the arm64 VM run needs and the host lacks: Debian's arm64
# kernel image and headers of the SAME version as the installed amd64 ones,
# and busybox-static for arm64.  Only Debian's package mirrors are used
# (dpkg --add-architecture arm64 + apt-get download).  Idempotent: a
# finished fetch leaves $DEST/.done-$ABI and is not repeated.
#
# usage: fetch-arm64.sh ABI DEST     e.g. fetch-arm64.sh 6.1.0-56 build/vm-arm64/debs
set -eu
abi=${1:?abi, e.g. 6.1.0-56}
dest=${2:?destination directory}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
[ -e "$dest/.done-$abi" ] && exit 0

# Same package version as the amd64 kernel we run on the host side, so the
# two VMs test the same kernel source.
ver=$(dpkg-query -W -f='${Version}' "linux-image-$abi-amd64" 2>/dev/null ||
	dpkg-query -W -f='${Version}' "linux-headers-$abi-amd64")
[ -n "$ver" ] || { echo "fetch-arm64: no amd64 kernel $abi installed" >&2; exit 1; }

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	[ "$(id -u)" = 0 ] || { echo "fetch-arm64: need root for dpkg --add-architecture arm64" >&2; exit 1; }
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
fi

pkgs="linux-image-$abi-arm64-unsigned:arm64=$ver linux-headers-$abi-arm64:arm64=$ver busybox-static:arm64"
cd "$dest"
rm -f ./*.deb
if ! apt-get download -q $pkgs >/dev/null 2>&1; then
	# The package lists may predate arm64 being added or be stale.
	[ "$(id -u)" = 0 ] && apt-get update -q >/dev/null
	apt-get download -q $pkgs
fi
rm -rf root
mkdir root
for d in ./*.deb; do
	dpkg-deb -x "$d" root
done
touch ".done-$abi"
echo "fetch-arm64: linux $abi-arm64 $ver and busybox-static:arm64 in $dest/root"
