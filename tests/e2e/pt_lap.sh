#!/bin/sh
# Intel PT streaming with a lap, end to end (issue 10: records' stream
# offsets).  tests/e2e/pt_lap.c recorded in the VM by hwt-collect with
# -b intel_pt on the emulated Kaby Lake, a 4 KiB buffer, no return
# compression; the program SIGSTOPs its collector, laps the buffer many
# times, SIGCONTs it and calls tail_fn exactly 40 times.  On the host:
# the session has a loss, every decode error/gap sits at that one place
# in the stored stream (the BUFFER records of the lap are placed where
# the bytes are missing, in stored offsets), and after it the decode
# runs tail_fn exactly 40 times; the bytes stored as lost are the
# kernel's count, no more (a lap during a copy is counted once).  Prints PASS:/FAIL: lines (appended to
# $HWT_RESULTS/e2e.txt).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
t=e2e-pt-lap
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
w=$root/build/$t
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
fail=0
result() {
	echo "$1" | tee -a "$res"
	case $1 in FAIL:*) fail=1 ;; esac
}
gcc -O2 -g -static -fno-optimize-sibling-calls -o "$w/pt_lap" \
	"$root/tests/e2e/pt_lap.c" || { result "FAIL: $t/build"; exit 1; }
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/pt_lap \
	HWT_VM_RECORD_OUT=$w/session \
	HWT_VM_RECORD_OPTS="-b intel_pt -s 4096 -x noretcomp" \
	HWT_VM_PT_EMU=kabylake "$root/tests/vm/run.sh" x86_64 \
	>"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/record (log: $w/vm.log)"
	exit 1
fi
result "PASS: $t/record"
if ! "$hwt" decode "$w/session" -o "$w/lap.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
q() { "$hwt" query --csv "$w/lap.db" "$1" | tail -n 1; }
s() { sqlite3 "$w/session/session.db" "$1" 2>/dev/null; }
lost=$(s "SELECT SUM(lost_before) FROM chunks")
nrec=$(s "SELECT COUNT(*) FROM records WHERE type = 'buffer'
	AND (flags & 1) != 0")
# The kernel's count (each BUFFER record carries the total so far): the
# store must hold every lost byte once, the torn ones included.
klost=$(s "SELECT MAX(len) FROM records WHERE type = 'buffer'
	AND (flags & 1) != 0")
offs=$(q "SELECT COUNT(DISTINCT offset) FROM errors")
nerr=$(q "SELECT COUNT(*) FROM errors")
tailc=$(q "SELECT calls FROM function_stats WHERE name = 'tail_fn'")
workc=$(q "SELECT calls FROM function_stats WHERE name = 'work_fn'")
if [ "${lost:-0}" -gt 0 ] && [ "${nrec:-0}" -gt 0 ] && [ "$offs" = 1 ] &&
	[ "$lost" = "$klost" ] &&
	[ "$tailc" = 40 ] && [ "${workc:-0}" -lt 20000 ]; then
	result "PASS: $t/decode-after-loss ($lost bytes lost as the kernel counted, $nrec loss records, $nerr errors all at one offset, tail_fn 40 calls, work_fn $workc of 20000 kept)"
else
	result "FAIL: $t/decode-after-loss (lost '$lost' (kernel '$klost'), loss records '$nrec', $nerr errors at $offs offsets, tail_fn '$tailc' calls (want 40), work_fn '$workc')"
fi
[ $fail = 0 ]
