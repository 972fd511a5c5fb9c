#!/bin/sh
# hwt decode --pt of something that is not Intel PT (issue 19): an error
# that says what it is, exit 1, no output database; a real trace, even a
# truncated one that still holds a PSB, decodes.  Env: HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
C=$ROOT/../shared/corpus
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
refused() {	# NAME FILE PATTERN
	"$HWT" decode -q --pt "$2" -o "$T/$1.db" > "$T/err" 2>&1
	rc=$?
	check "pt-input-$1-refused" sh -c "test $rc = 1 &&
		grep -q '$3' '$T/err' && test ! -e '$T/$1.db'"
}
echo "this is text" > "$T/text"
refused text "$T/text" "not an Intel PT trace (no PSB packet"
head -c 300000 /dev/urandom > "$T/random"
refused random "$T/random" "not an Intel PT trace (no PSB packet in its first 300000 bytes)"
refused elf "$HWT" "an ELF file: programs go with --elf"
sqlite3 "$T/x.sqlite" "CREATE TABLE t (x)"
refused sqlite "$T/x.sqlite" "an SQLite database"
refused perf-data "$C/coresight/simpleperf-etm/perf_etm.data" "a perf.data file"
# A real trace whose first PSB comes after 4000 bytes of other stuff.
P=$C/intel_pt/dynamorio-hello/test_simple.raw
{ head -c 4000 /dev/zero; cat "$P/pt.bin"; } > "$T/late-psb"
"$HWT" decode -q --pt "$T/late-psb" --elf "$P/hello" -o "$T/late.db" 2> "$T/err"
check pt-input-late-psb-decodes sh -c "test $? = 0 && test \$('$HWT' query \
	--csv '$T/late.db' 'SELECT SUM(insn_count) > 0 FROM streams' | tail -1) = 1"
