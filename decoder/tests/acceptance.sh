#!/bin/sh
# Acceptance: real Intel PT capture (DynamoRIO hello) against ptxed's
# output, error handling of bad inputs, and the read-side commands.
: "${HWT:=../../build/bin/hwt}" "${ROOT:=../..}"
C=$ROOT/../shared/corpus/intel_pt/dynamorio-hello
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
ok() { echo "PASS: $1"; }
ko() { echo "FAIL: $1"; }
check() { _n=$1; shift; if "$@"; then ok "$_n"; else ko "$_n"; fi; }

if [ -d "$C" ]; then
	"$HWT" decode --pt "$C/test_simple.raw/pt.bin" \
		--elf "$C/test_simple.raw/hello" -o "$T/x.db" &&
	"$HWT" replay "$T/x.db" --format addr > "$T/addr" &&
	grep -E '^[0-9a-f]{16} ' "$C/ptxed-elf-hello.out" |
		cut -c1-16 > "$T/ref" &&
	cp "$T/addr" "$T/got"
	# Every line: ptxed's addresses, no placeholder and no gap line.
	check acceptance-dynamorio-hello-ptxed cmp -s "$T/ref" "$T/got"
	check acceptance-dynamorio-hello-8insn \
		test "$(wc -l < "$T/got")" -eq 8
	check function-stats-start test "$("$HWT" query --csv "$T/x.db" \
		"SELECT calls, insn_count FROM function_stats WHERE
		 name = '_start'" | tail -1)" = "1,8"
	"$HWT" replay "$T/x.db" --format insn > "$T/insn"
	check replay-insn grep -q '^0000000000401019  syscall' "$T/insn"
	"$HWT" replay "$T/x.db" --from 5 --count 2 > "$T/r52"
	check replay-from-count test "$(cat "$T/r52" | tr '\n' ' ')" = \
		"000000000040101b 0000000000401020 "
	"$HWT" report "$T/x.db" > "$T/rep"
	check report-lists-start grep -q '_start' "$T/rep"
	# Image missing: decode continues, the gap is recorded.
	"$HWT" decode --pt "$C/test_simple.raw/pt.bin" -o "$T/noimg.db" \
		2> "$T/err"
	check no-image-gap-recorded test "$("$HWT" query --csv "$T/noimg.db" \
		"SELECT COUNT(*) > 0 FROM errors" | tail -1)" = 1
	# Truncated trace: no crash, a prefix of the full replay.
	head -c 1100 "$C/test_simple.raw/pt.bin" > "$T/trunc.bin"
	"$HWT" decode --pt "$T/trunc.bin" --elf "$C/test_simple.raw/hello" \
		-o "$T/trunc.db"
	check truncated-trace-decodes test $? -eq 0
	echo "not a database" > "$T/text.db"
	"$HWT" decode --pt "$C/test_simple.raw/pt.bin" -o "$T/text.db" \
		2> "$T/err"
	check non-sqlite-output-refused sh -c \
		"test $? -ne 0 && grep -q 'not an SQLite' '$T/err' &&
		 grep -q 'not a database' '$T/text.db'"
	"$HWT" decode --pt "$C/test_simple.raw/pt.bin" --cpu banana \
		-o "$T/cpu.db" 2> "$T/err"
	check unknown-cpu-error sh -c "test $? -ne 0 && grep -q 'unknown CPU' '$T/err'"
fi
"$HWT" decode --pt "$T/does-not-exist" -o "$T/m.db" 2> "$T/err"
check missing-trace-error sh -c "test $? -ne 0 && grep -q 'does-not-exist' '$T/err'"
mkdir -p "$T/sess"
"$HWT" decode "$T/sess" -o "$T/s.db" 2> "$T/err"
check missing-session-error sh -c "test $? -ne 0 && grep -q 'session' '$T/err'"
echo garbage > "$T/sess/session.db"
"$HWT" decode "$T/sess" -o "$T/s.db" 2> "$T/err"
check corrupt-session-error sh -c "test $? -ne 0 && grep -q 'corrupt' '$T/err'"
for c in decode replay report query; do
	"$HWT" $c --help > "$T/h" 2>&1
	check "help-$c" grep -q "usage: hwt $c" "$T/h"
done
