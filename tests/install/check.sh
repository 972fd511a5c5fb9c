#!/bin/sh
# make install, checked: the tree scripts/install.sh lists is installed in
# a staging DESTDIR; the installed hwt, hwtd and hwt-collect run; a program
# built with nothing but the staged pkg-config file (shared, then static)
# decodes a trace made by libipt's encoder to exactly its known
# instructions; the shared library exports exactly what hwt/decode.h
# declares; uninstall leaves no file behind.  PASS:/FAIL: lines.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
results=${HWT_RESULTS:-$root/build/results}/install.txt
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
res() {
	echo "$1" | tee -a "$results"
	case $1 in FAIL:*) fails=$((fails + 1)) ;; esac
}
mkdir -p "$(dirname "$results")"
S=$T/stage
export DESTDIR=$S PREFIX=/usr DKMSDIR=/usr/src
make -s -C "$root/decoder" dist >"$T/dist.log" 2>&1 || {
	res "FAIL: install/dist (see make -C decoder dist)"; exit 1; }
make -s -C "$root/decoder" "$root/build/decoder/ptgen" >/dev/null 2>&1
"$root/scripts/install.sh" install >"$T/install.log" 2>&1 || {
	res "FAIL: install/install ($(tail -1 "$T/install.log"))"; exit 1; }

missing=0
for f in $("$root/scripts/install.sh" list); do
	[ -e "$S$f" ] || [ -L "$S$f" ] || { echo "  missing: $f"; missing=$((missing + 1)); }
done
n=$("$root/scripts/install.sh" list | wc -l)
if [ "$missing" = 0 ] && [ -x "$S/usr/bin/hwt" ] && [ -x "$S/usr/sbin/hwtd" ] &&
	[ -f "$S/usr/lib/pkgconfig/hwtdecode.pc" ] &&
	[ -f "$S/usr/src/hwt-$(cat "$root/VERSION")/dkms.conf" ] &&
	grep -q "^ExecStart=/usr/sbin/hwtd " "$S/usr/lib/systemd/system/hwtd.service"; then
	res "PASS: install/tree ($n files)"
else
	res "FAIL: install/tree ($missing of $n missing)"
fi

v=$(cat "$root/VERSION") ok=1
for b in bin/hwt bin/hwt-collect sbin/hwtd; do
	[ "$("$S/usr/$b" --version 2>&1)" = "${b#*/} $v" ] || ok=0
	"$S/usr/$b" --help >/dev/null 2>&1 || ok=0
done
[ $ok = 1 ] && res "PASS: install/binaries-run (--version, --help)" ||
	res "FAIL: install/binaries-run (--version or --help)"

# The public API and nothing else.
nm -D --defined-only "$S/usr/lib/libhwtdecode.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	sort >"$T/exported"
grep -oE '\bhwt_[a-z0-9_]+\(' "$root/decoder/include/hwt/decode.h" | tr -d '(' |
	sort -u >"$T/declared"
if cmp -s "$T/exported" "$T/declared"; then
	res "PASS: install/exports-decode.h ($(wc -l <"$T/exported") functions)"
else
	res "FAIL: install/exports-decode.h ($(diff "$T/declared" "$T/exported" | grep -c '^[<>]') differ)"
fi

# A user's program, with pkg-config only, against libipt's encoder's truth.
G=$T/g
mkdir -p "$G"
"$root/build/decoder/ptgen" "$G" --iters 50 --psb 256 >/dev/null 2>&1 || {
	res "FAIL: install/ptgen"; exit 1; }
export PKG_CONFIG_SYSROOT_DIR=$S PKG_CONFIG_LIBDIR=$S/usr/lib/pkgconfig
for kind in shared static; do
	if [ $kind = shared ]; then
		flags=$(pkg-config --cflags --libs hwtdecode)
		link=
	else
		flags=$(pkg-config --static --cflags --libs hwtdecode)
		link=-Wl,-Bstatic
	fi
	# shellcheck disable=SC2086 # flags: pkg-config's words
	if ! cc -std=c11 -Wall -Wextra -Werror -o "$T/decode_min_$kind" \
		"$root/tests/install/decode_min.c" \
		$(echo "$flags" | sed "s|-lhwtdecode|$link -lhwtdecode -Wl,-Bdynamic|") \
		>"$T/cc.log" 2>&1; then
		res "FAIL: install/pkg-config-$kind (does not build: $(head -1 "$T/cc.log"))"
		continue
	fi
	rm -f "$T/o.db"
	LD_LIBRARY_PATH=$S/usr/lib "$T/decode_min_$kind" "$G/pt.bin" \
		"$G/prog.elf" "$T/o.db" >"$T/got" 2>"$T/err"
	if [ -s "$G/truth.txt" ] && cmp -s "$T/got" "$G/truth.txt"; then
		res "PASS: install/pkg-config-$kind ($(wc -l <"$T/got") instructions as encoded)"
	else
		res "FAIL: install/pkg-config-$kind ($(wc -l <"$T/got") vs $(wc -l <"$G/truth.txt") instructions; $(head -1 "$T/err"))"
	fi
done
if [ -x "$T/decode_min_shared" ] &&
	LD_LIBRARY_PATH=$S/usr/lib ldd "$T/decode_min_shared" | grep -q "libhwtdecode.so.${v%%.*} => $S"; then
	res "PASS: install/soname (libhwtdecode.so.${v%%.*})"
else
	res "FAIL: install/soname"
fi

"$root/scripts/install.sh" uninstall >/dev/null 2>&1
left=$(find "$S" -type f -o -type l | wc -l)
[ "$left" = 0 ] && res "PASS: install/uninstall-removes-all" ||
	res "FAIL: install/uninstall-removes-all ($left left)"
[ "$fails" = 0 ]
