#!/bin/sh
# Symbol names against binutils' ground truth: objdump -d (NAME@plt
# entries), objdump -d -j .plt with readelf -r and nm (the IRELATIVE PLT
# of a static program), nm and nm -C (demangled C++ names, the mangled one
# kept in symbols.mangled), readelf -S (no symbol reaches past its
# section).  Programs: tests/names/prog.cc built here (dynamic, and with
# IBT's .plt.sec) and samples/demo.c (static, as the e2e demo).  A PT
# script (ptscript) runs the template function and the PLT entry, so the
# decode symbolizes them for real.
: "${HWT:=../../build/bin/hwt}" "${BUILD:=../../build/decoder}" "${ROOT:=../..}"
T=$BUILD/names
rm -rf "$T"
mkdir -p "$T"
ok() { echo "PASS: $1"; }
ko() { echo "FAIL: $1"; }
check() { _n=$1; shift; if "$@"; then ok "$_n"; else ko "$_n"; fi; }
if ! command -v g++ >/dev/null; then
	ko "names (g++ missing)"
	exit 0
fi
gcc -O1 -g -no-pie -fno-pie -c -o "$T/unit2.o" names/unit2.c 2>"$T/err" &&
g++ -O1 -g -no-pie -fno-pie -o "$T/prog" names/prog.cc "$T/unit2.o" \
	2>>"$T/err" &&
g++ -O1 -g -no-pie -fno-pie -fcf-protection -Wl,-z,ibtplt \
	-o "$T/prog-ibt" names/prog.cc "$T/unit2.o" 2>>"$T/err" &&
gcc -O2 -g -static -fno-optimize-sibling-calls -o "$T/demo" \
	"$ROOT/samples/demo.c" 2>>"$T/err" || {
	ko "names (build: $(head -c 300 "$T/err"))"
	exit 0
}

dec() { printf '%d' "0x$1"; }
CHECK="python3 names/check.py"

# 1. A PT run through the template and the PLT entry of prog.
P=$T/prog
tw=$(nm "$P" | awk '$3 ~ /^_ZN6hwt_ns5twiceIlEET_NS_3BoxIS1_EE$/ { print $1 }')
plt=$(objdump -d "$P" | sed -n 's/^\([0-9a-f]*\) <puts@plt>:$/\1/p')
inl=$(nm "$P" | awk '$3 == "hwt_inl" { print $1 }')
cat >"$T/script" <<EOS
psb
mode.exec 64
psbend
tip.pge 3 0x$tw
tip.pgd 0
tip.pge 3 0x$plt
tip.pgd 0
tip.pge 3 0x$inl
tip.pgd 0
EOS
: >"$T/nosyms"
"$BUILD/ptscript" "$T/script" "$T/nosyms" "$T/pt.bin" 2>"$T/err" &&
"$HWT" decode -q --pt "$T/pt.bin" --elf "$P" -o "$T/prog.db" 2>>"$T/err"
check names-decode test $? -eq 0
"$HWT" query --csv "$T/prog.db" "SELECT name, calls, insn_count FROM
	function_stats ORDER BY name" | tail -n +2 | tr -d '"' >"$T/fs"
tname=$(nm -C "$P" | awk -v a="$tw" '$1 == a { $1 = ""; $2 = ""; sub(/^  /, ""); print }')
check names-template-demangled-as-nm-C \
	grep -qxF "$tname,1,2" "$T/fs"
check names-plt-entry-as-objdump grep -qx 'puts@plt,1,1' "$T/fs"
check names-template-mangled-kept test "$("$HWT" query --csv "$T/prog.db" \
	"SELECT mangled FROM symbols WHERE sym_start = $(dec "$tw")" |
	tail -1 | tr -d '"')" = "_ZN6hwt_ns5twiceIlEET_NS_3BoxIS1_EE"
check names-no-init-phantom sh -c "! grep -q '^_init,' '$T/fs'"
# Inline frames (DWARF DW_TAG_inlined_subroutine, the inlines table) as
# llvm-symbolizer gives them at each instruction of hwt_inl: sq inside
# sq_plus inside hwt_inl, and sq inside hwt_inl.
"$HWT" replay "$T/prog.db" -F ip,sym,inline >"$T/inl" 2>&1
check names-inline-frames-as-llvm-symbolizer $CHECK inline "$P" "$T/inl" hwt_inl
# Source lines (the lines table, DWARF read only from the units and
# subprograms whose code ran: prog's unit2.o and hwt_cold did not) at
# every executed instruction: llvm-symbolizer's innermost file and line.
"$HWT" replay "$T/prog.db" -F ip,srcline >"$T/lines" 2>&1
check names-lines-as-llvm-symbolizer $CHECK lines "$P" "$T/lines"
# hwt report --inline: the instructions that ran in each inlined
# function (innermost, and anywhere in the chain) as llvm-symbolizer's
# frames at every executed address count them.
"$HWT" replay "$T/prog.db" -F ip >"$T/ips" 2>&1
"$HWT" report --inline "$T/prog.db" --top 1000000 >"$T/inl-report" 2>&1
check names-report-inline-as-llvm-symbolizer $CHECK inline-report "$P" \
	"$T/ips" "$T/inl-report"

# 2. Every NAME@plt label objdump -d shows (the lazy .plt, and IBT's
# .plt.sec) is a symbol of that name at that address, 16 bytes at most.
"$HWT" decode -q --pt "$T/pt.bin" --elf "$T/prog-ibt" -o "$T/prog-ibt.db" \
	2>/dev/null
objdump -d -j .plt.sec "$T/prog-ibt" | grep -q '<puts@plt>:'
check names-ibt-puts-in-plt-sec test $? -eq 0
for b in prog prog-ibt; do
	check "names-$b-plt-like-objdump" $CHECK plt "$T/$b" "$T/$b.db"
done

# 3. Static demo (IRELATIVE .plt, as the e2e demo): each entry named after
# an IFUNC nm lists at the addend readelf -r gives its slot.
"$HWT" decode -q --pt "$T/pt.bin" --elf "$T/demo" -o "$T/demo.db" \
	2>/dev/null
check names-static-plt-like-objdump-readelf-nm \
	$CHECK static-plt "$T/demo" "$T/demo.db"

# 4. No symbol past its section (readelf -S): _init stays in .init.
for b in prog prog-ibt demo; do
	check "names-$b-symbols-within-sections" \
		$CHECK sections "$T/$b" "$T/$b.db"
done

# 5. Names as nm -C gives them, mangled ones as nm.
check names-prog-demangled-as-nm-C $CHECK demangle "$T/prog" "$T/prog.db" 1
check names-demo-as-nm $CHECK demangle "$T/demo" "$T/demo.db"
