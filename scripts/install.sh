#!/bin/sh
# make install / make uninstall (GNU conventions): every file hwt ships,
# from one list, so that uninstall removes exactly what install put.
#
#   scripts/install.sh install|uninstall|list
#
# From the environment (the top-level Makefile passes them): DESTDIR,
# PREFIX (/usr/local), BINDIR, SBINDIR, LIBDIR, INCLUDEDIR, MANDIR,
# DATADIR, SYSTEMDUNITDIR, DKMSDIR (/usr/src).  Expects `make build` and
# `make -C decoder dist` to have run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
op=${1:-install}
: "${DESTDIR:=}"
: "${PREFIX:=/usr/local}"
: "${BINDIR:=$PREFIX/bin}"
: "${SBINDIR:=$PREFIX/sbin}"
: "${LIBDIR:=$PREFIX/lib}"
: "${INCLUDEDIR:=$PREFIX/include}"
: "${MANDIR:=$PREFIX/share/man}"
: "${DATADIR:=$PREFIX/share}"
: "${SYSTEMDUNITDIR:=$LIBDIR/systemd/system}"
: "${DKMSDIR:=/usr/src}"
version=$(cat "$root/VERSION")
major=${version%%.*}
dist=$root/build/decoder/dist
dkms=$DKMSDIR/hwt-$version

# MODE SOURCE DESTINATION (destination without DESTDIR)
files() {
	echo "0755 $root/build/bin/hwt $BINDIR/hwt"
	echo "0755 $root/build/bin/hwt-collect $BINDIR/hwt-collect"
	echo "0755 $root/build/bin/hwtd $SBINDIR/hwtd"
	echo "0644 $dist/libhwtdecode.a $LIBDIR/libhwtdecode.a"
	echo "0755 $dist/libhwtdecode.so.$version $LIBDIR/libhwtdecode.so.$version"
	echo "link libhwtdecode.so.$version $LIBDIR/libhwtdecode.so.$major"
	echo "link libhwtdecode.so.$major $LIBDIR/libhwtdecode.so"
	# The calls table's SQLite module for other readers (docs/schema.md).
	echo "0755 $root/build/lib/hwt_calls.so $LIBDIR/hwt/hwt_calls.so"
	echo "gen:pc - $LIBDIR/pkgconfig/hwtdecode.pc"
	echo "0644 $root/decoder/include/hwt/decode.h $INCLUDEDIR/hwt/decode.h"
	for h in "$root"/include/hwt/*.h; do
		echo "0644 $h $INCLUDEDIR/hwt/${h##*/}"
	done
	for m in "$root"/man/*.[0-9]; do
		s=${m##*.}
		echo "0644 $m $MANDIR/man$s/${m##*/}"
	done
	echo "0644 $root/hwt/hwt.bash-completion $DATADIR/bash-completion/completions/hwt"
	echo "gen:unit - $SYSTEMDUNITDIR/hwtd.service"
	# The kernel modules as a DKMS source tree: dkms builds them for
	# each kernel the user installs.
	echo "gen:dkms - $dkms/dkms.conf"
	(cd "$root" && git ls-files kmod/hwt backends/soft backends/intel_pt \
		include/hwt 2>/dev/null || find kmod/hwt backends/soft \
		backends/intel_pt include/hwt -type f) |
	# Test sources stay out; headers stay in (the test module hwt_pt_emu,
	# built but not installed, takes its CPU table from tests/pt_cpus.h).
	grep -E '(\.[ch]|/Kbuild)$' | grep -Ev '/tests/.*\.c$' |
	while read -r f; do
		echo "0644 $root/$f $dkms/$f"
	done
}

gen_pc() {
	cat <<EOF
prefix=$PREFIX
libdir=$LIBDIR
includedir=$INCLUDEDIR

Name: hwtdecode
Description: hwt's trace decoder: Intel PT and CoreSight into SQLite
Version: $version
Libs: -L\${libdir} -lhwtdecode
Libs.private: -lipt -lelf -ldwarf -lcapstone -lZydis -lsqlite3 -lz -lopencsd_c_api -lopencsd -lstdc++ -lpthread
Cflags: -I\${includedir}
EOF
}

gen_unit() {
	sed "s|/usr/local/sbin/hwtd|$SBINDIR/hwtd|g" "$root/hwtd/hwtd.service"
}

# One MAKE step per module directory, against kmod/hwt's symbols.
gen_dkms() {
	b='${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build'
	k='make -C ${kernel_source_dir}'
	cat <<EOF
# hwt's kernel modules for DKMS (made by make install; docs/install.md).
PACKAGE_NAME="hwt"
PACKAGE_VERSION="$version"
MAKE[0]="$k M=$b/kmod/hwt modules && $k M=$b/backends/soft KBUILD_EXTRA_SYMBOLS=$b/kmod/hwt/Module.symvers modules && $k M=$b/backends/intel_pt KBUILD_EXTRA_SYMBOLS=$b/kmod/hwt/Module.symvers modules"
CLEAN="$k M=$b/kmod/hwt clean; $k M=$b/backends/soft clean; $k M=$b/backends/intel_pt clean"
BUILT_MODULE_NAME[0]="hwt"
BUILT_MODULE_LOCATION[0]="kmod/hwt/"
DEST_MODULE_LOCATION[0]="/extra"
BUILT_MODULE_NAME[1]="hwt_soft"
BUILT_MODULE_LOCATION[1]="backends/soft/"
DEST_MODULE_LOCATION[1]="/extra"
EOF
	# The Intel PT backend is built on x86-64 only (its Kbuild).
	case $(uname -m) in
	x86_64)
		cat <<EOF
BUILT_MODULE_NAME[2]="hwt_intel_pt"
BUILT_MODULE_LOCATION[2]="backends/intel_pt/"
DEST_MODULE_LOCATION[2]="/extra"
EOF
		;;
	esac
	echo 'AUTOINSTALL="yes"'
}

case $op in
list)
	files | awk '{ print $3 }'
	;;
install)
	files | while read -r mode src dst; do
		mkdir -p "$DESTDIR$(dirname "$dst")"
		case $mode in
		link) ln -sfn "$src" "$DESTDIR$dst" ;;
		gen:pc) gen_pc >"$DESTDIR$dst" && chmod 0644 "$DESTDIR$dst" ;;
		gen:unit) gen_unit >"$DESTDIR$dst" && chmod 0644 "$DESTDIR$dst" ;;
		gen:dkms) gen_dkms >"$DESTDIR$dst" && chmod 0644 "$DESTDIR$dst" ;;
		*)
			[ -f "$src" ] || {
				echo "install: $src is missing (make build first)" >&2
				exit 1
			}
			install -m "$mode" "$src" "$DESTDIR$dst"
			;;
		esac
	done
	echo "installed hwt $version under $DESTDIR$PREFIX (kernel modules: dkms add $DESTDIR$dkms)"
	;;
uninstall)
	files | while read -r _ _ dst; do
		rm -f "$DESTDIR$dst"
	done
	rm -rf "$DESTDIR$dkms"	# /usr/src/hwt-VERSION: never empty
	echo "removed hwt $version from $DESTDIR$PREFIX"
	;;
*)
	echo "usage: $0 install|uninstall|list" >&2
	exit 2
	;;
esac
