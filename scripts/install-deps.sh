#!/bin/sh
# Installs what building and testing hwt needs on Debian 12 (run as root).
# Idempotent: does nothing when every package is already there.
# --bench: also what the benchmarks need (clang-16 bolt-16 autofdo
# llvm-16 (llvm-profgen-16) hyperfine valgrind: the profiles' consumers
# and the measurements of
# bench/pgo, docs/pgo.md; binutils-source: the zlib sources bench/pgo
# builds; PySide2's QtSql for perf's export-to-sqlite.py in bench/perf);
# make check does not.
set -eu

PKGS="build-essential pkg-config git python3 file xz-utils zstd cpio kmod bc
 linux-image-amd64 linux-headers-amd64
 qemu-system-x86 qemu-system-arm qemu-efi-aarch64 acpica-tools busybox-static
 gcc-aarch64-linux-gnu libc6-dev-arm64-cross
 libipt-dev libopencsd-dev libopencsd-bin libelf-dev libdwarf-dev libfdt-dev
 libcapstone-dev libzydis-dev libsqlite3-dev sqlite3 zlib1g-dev clang llvm librsvg2-bin libc6-dbg
 linux-perf chromium
 libsqlite3-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64"
[ "${1:-}" = --bench ] && PKGS="$PKGS clang-16 bolt-16 autofdo llvm-16 hyperfine
 valgrind binutils-source python3-pyside2.qtsql libqt5sql5-sqlite"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# hwt-collect and hwtd run in the arm64 test VM: static arm64 builds
# need the arm64 libraries (Debian multiarch).
dpkg --print-foreign-architectures | grep -qx arm64 ||
	dpkg --add-architecture arm64
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
