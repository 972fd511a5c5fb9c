#!/bin/sh
# End to end against ground truth: record samples/demo.c in the VM with the
# soft backend, decode with `hwt decode`, and compare function_stats with the
# call counts the program's structure fixes (see samples/demo.c).  Prints
# PASS:/FAIL: lines (appended to $HWT_RESULTS/e2e.txt).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
w=$root/build/e2e
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
fail=0
result() {
	echo "$1" | tee -a "$res"
	case $1 in FAIL:*) fail=1 ;; esac
}

gcc -O2 -g -static -fno-optimize-sibling-calls -o "$w/demo" \
	"$root/samples/demo.c" || { result "FAIL: e2e/demo-build"; exit 1; }
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/demo \
	HWT_VM_RECORD_OUT=$w/session HWT_VM_RECORD_OPTS="-b soft" \
	"$root/tests/vm/run.sh" x86_64 >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: e2e/demo-record (log: $w/vm.log)"
	exit 1
fi
result "PASS: e2e/demo-record"
if ! "$hwt" decode "$w/session" -o "$w/demo.db" >"$w/decode.log" 2>&1; then
	result "FAIL: e2e/demo-decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
result "PASS: e2e/demo-decode"
errors=$("$hwt" query --csv "$w/demo.db" "SELECT count(*) FROM errors" |
	tail -n 1)
[ "$errors" = 0 ] && result "PASS: e2e/demo-no-decode-errors" ||
	result "FAIL: e2e/demo-no-decode-errors ($errors errors/gaps)"
# _init: glibc's static start-up (csu/libc-start.c, call_init) calls it
# once; an _init stretched over .plt counted every PLT call as one more.
for want in fib:465 mix:64 square:16 cube:16 apply:2 checksum:1 run_all:1 \
	main:1 _init:1; do
	name=${want%:*}
	got=$("$hwt" query --csv "$w/demo.db" \
		"SELECT calls FROM function_stats WHERE name = '$name'" |
		tail -n 1)
	[ "$got" = "${want#*:}" ] && result "PASS: e2e/demo-calls-$name" ||
		result "FAIL: e2e/demo-calls-$name (got '$got', want ${want#*:})"
done
# Every entry into .plt (readelf -S gives its range; entries of 8 bytes,
# the IFUNC stubs of a static program) is a call of a NAME@plt symbol.
plt=$(readelf -SW "$w/demo" | sed 's/^ *\[ *[0-9]*\]//' |
	awk '$1 == ".plt" { print $3, $5 }')
if [ -n "$plt" ]; then
	set -- $plt
	entries=$("$hwt" query --csv "$w/demo.db" "SELECT sum(c.count)
		FROM block_counts c JOIN blocks b ON b.id = c.block_id
		WHERE b.ip >= $((0x$1)) AND b.ip < $((0x$1 + 0x$2))
		AND (b.ip - $((0x$1))) % 8 = 0" | tail -n 1)
	named=$("$hwt" query --csv "$w/demo.db" "SELECT sum(calls) FROM
		function_stats WHERE name LIKE '%@plt'" | tail -n 1)
	[ -n "$entries" ] && [ "$entries" = "$named" ] &&
		result "PASS: e2e/demo-plt-calls-named ($named)" ||
		result "FAIL: e2e/demo-plt-calls-named ($entries entries, $named NAME@plt calls)"
else
	result "FAIL: e2e/demo-plt-calls-named (no .plt in the demo)"
fi
exit $fail
