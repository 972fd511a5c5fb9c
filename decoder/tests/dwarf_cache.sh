#!/bin/sh
# The DWARF cache (image/dwarf_cache.c): a second decode of the same
# binary reads its DWARF from the cache (the stats line says so) and gives
# the lines, inlines, symbols and function_stats of a --no-cache decode
# byte for byte, the lines and inline frames llvm-symbolizer gives (the
# ground truth of names.sh); a truncated or damaged cache file is warned
# about, ignored and rewritten, with the same tables; a changed binary
# (mtime) is not served a stale cache; a binary without a build id is
# not cached; --no-cache neither reads nor writes one.  Program: tests/names/prog.cc (inline frames, two units).
: "${HWT:=../../build/bin/hwt}" "${BUILD:=../../build/decoder}"
T=$BUILD/dwarf_cache
rm -rf "$T"
mkdir -p "$T"
ok() { echo "PASS: $1"; }
ko() { echo "FAIL: $1"; }
check() { _n=$1; shift; if "$@"; then ok "$_n"; else ko "$_n"; fi; }
if ! command -v g++ >/dev/null; then
	ko "dwarf-cache (g++ missing)"
	exit 0
fi
gcc -O1 -g -no-pie -fno-pie -c -o "$T/unit2.o" names/unit2.c 2>"$T/err" &&
g++ -O1 -g -no-pie -fno-pie -o "$T/prog" names/prog.cc "$T/unit2.o" \
	2>>"$T/err" || {
	ko "dwarf-cache (build: $(head -c 300 "$T/err"))"
	exit 0
}
P=$T/prog
inl=$(nm "$P" | awk '$3 == "hwt_inl" { print $1 }')
main=$(nm "$P" | awk '$3 == "main" { print $1 }')
cat >"$T/script" <<EOS
psb
mode.exec 64
psbend
tip.pge 3 0x$inl
tip.pgd 0
tip.pge 3 0x$main
tip.pgd 0
EOS
: >"$T/nosyms"
"$BUILD/ptscript" "$T/script" "$T/nosyms" "$T/pt.bin" 2>"$T/err"
BID=$(readelf -n "$P" | awk '/Build ID/ { print $3 }')
C=$T/xdg/hwt/dwarf/$BID
# dec NAME [args]: decode into $T/NAME.db, stderr in $T/NAME.err; the
# cache under $T/xdg (the command reads XDG_CACHE_HOME, the library not)
dec() {
	_n=$1
	shift
	XDG_CACHE_HOME=$T/xdg "$HWT" decode --pt "${PT:-$T/pt.bin}" --elf "$P" \
		"$@" -o "$T/$_n.db" 2>"$T/$_n.err"
}
# tables NAME: what DWARF gives, as rows
tables() {
	for t in lines inlines symbols; do
		sqlite3 "$T/$1.db" ".dump $t"
	done
	"$HWT" query --csv "$T/$1.db" "SELECT * FROM function_stats"
}
same() {	# NAME [REF]
	tables "$1" >"$T/$1.tab" && cmp -s "$T/${2:-ref}.tab" "$T/$1.tab"
}

dec ref --no-cache
check dwarf-cache-no-cache-writes-none test $? -eq 0 -a ! -e "$T/xdg"
tables ref >"$T/ref.tab"
check dwarf-cache-ref-has-lines-and-inlines test \
	"$(sqlite3 "$T/ref.db" "SELECT (SELECT COUNT(*) FROM lines) > 0 AND
	(SELECT COUNT(*) FROM inlines) > 0")" = 1

dec cold
check dwarf-cache-first-decode-writes grep -q \
	'DWARF cache .*: 0 binaries read from it, 1 written, 0 damaged' \
	"$T/cold.err"
check dwarf-cache-file-by-build-id test -s "$C"
check dwarf-cache-first-decode-same-tables same cold

dec warm
check dwarf-cache-second-decode-reads-it grep -q \
	'DWARF cache .*: 1 binary read from it, 0 written, 0 damaged' \
	"$T/warm.err"
check dwarf-cache-second-decode-same-tables same warm
"$HWT" replay "$T/warm.db" -F ip,sym,inline >"$T/inl" 2>&1
check dwarf-cache-inline-frames-as-llvm-symbolizer \
	python3 names/check.py inline "$P" "$T/inl" hwt_inl
"$HWT" replay "$T/warm.db" -F ip,srcline >"$T/lines" 2>&1
check dwarf-cache-lines-as-llvm-symbolizer \
	python3 names/check.py lines "$P" "$T/lines"

# A trace of the other unit (hwt_unit2): the cache lacks that unit, so
# it is read and added; then both traces' decodes read the cache.
u2=$(nm "$P" | awk '$3 == "hwt_unit2" { print $1 }')
printf 'psb\nmode.exec 64\npsbend\ntip.pge 3 0x%s\ntip.pgd 0\n' "$u2" \
	>"$T/script2"
"$BUILD/ptscript" "$T/script2" "$T/nosyms" "$T/pt2.bin" 2>"$T/err"
PT=$T/pt2.bin dec ref2 --no-cache
tables ref2 >"$T/ref2.tab"
PT=$T/pt2.bin dec unit2
check dwarf-cache-new-unit-added grep -q \
	'0 binaries read from it, 1 written, 0 damaged' "$T/unit2.err"
check dwarf-cache-new-unit-same-tables same unit2 ref2
check dwarf-cache-new-unit-differs-from-first \
	test "$(sqlite3 "$T/unit2.db" "SELECT COUNT(*) FROM lines WHERE
	file LIKE '%unit2.c'")" -gt 0
PT=$T/pt2.bin dec unit2b
check dwarf-cache-both-units-read-1 grep -q '1 binary read from it' \
	"$T/unit2b.err"
check dwarf-cache-both-units-same-tables-1 same unit2b ref2
dec warm2
check dwarf-cache-both-units-read-2 grep -q '1 binary read from it' \
	"$T/warm2.err"
check dwarf-cache-both-units-same-tables-2 same warm2

# Damage: truncated, then one byte changed, then garbage of the same size.
size=$(stat -c %s "$C")
head -c $((size / 2)) "$C" >"$T/half" && cat "$T/half" >"$C"
dec trunc
check dwarf-cache-truncated-warns grep -q \
	'warning: DWARF cache .*ignored, rebuilt' "$T/trunc.err"
check dwarf-cache-truncated-counted grep -q \
	'0 binaries read from it, 1 written, 1 damaged' "$T/trunc.err"
check dwarf-cache-truncated-same-tables same trunc
check dwarf-cache-truncated-rewritten test "$(stat -c %s "$C")" -gt \
	$((size / 2))

python3 - "$C" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x40
open(p, 'wb').write(b)
EOF
dec flip
check dwarf-cache-flipped-byte-warns grep -q \
	'warning: DWARF cache .*CRC' "$T/flip.err"
check dwarf-cache-flipped-byte-same-tables same flip

head -c "$size" /dev/urandom >"$C"
dec junk
check dwarf-cache-garbage-warns grep -q \
	'warning: DWARF cache .*magic' "$T/junk.err"
check dwarf-cache-garbage-same-tables same junk

dec again
check dwarf-cache-read-after-rewrite grep -q \
	'1 binary read from it, 0 written, 0 damaged' "$T/again.err"

# A binary without a build id: no cache, the same tables.
g++ -O1 -g -no-pie -fno-pie -Wl,--build-id=none -o "$T/prog-noid" \
	names/prog.cc "$T/unit2.o" 2>"$T/err"
ls "$T/xdg/hwt/dwarf" >"$T/before"
XDG_CACHE_HOME=$T/xdg "$HWT" decode --pt "$T/pt.bin" --elf "$T/prog-noid" \
	-o "$T/noid.db" 2>"$T/noid.err"
ls "$T/xdg/hwt/dwarf" >"$T/after"
check dwarf-cache-no-build-id-not-cached test -z "$(readelf -n \
	"$T/prog-noid" | grep 'Build ID')" -a -s "$T/noid.db" -a \
	"$(grep -c 'DWARF cache' "$T/noid.err")" = 0
check dwarf-cache-no-build-id-no-file cmp -s "$T/before" "$T/after"
XDG_CACHE_HOME=$T/xdg "$HWT" decode -q --no-cache --pt "$T/pt.bin" \
	--elf "$T/prog-noid" -o "$T/noidref.db"
tables noidref >"$T/noidref.tab"
check dwarf-cache-no-build-id-same-tables same noid noidref

# A changed file (same build id, new mtime): its cache is not used.
touch -d '2001-01-01' "$P"
dec touched
check dwarf-cache-changed-binary-rereads grep -q \
	'0 binaries read from it, 1 written, 0 damaged' "$T/touched.err"
check dwarf-cache-changed-binary-same-tables same touched
exit 0
