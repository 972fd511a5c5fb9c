#!/bin/sh
# End to end of Intel PT's CPU mode (issue 10): tests/e2e/ptcpu/prog.c (a
# main thread, a second thread and a second process, all on CPU 1)
# recorded in the x86 VM (-smp 2) twice in one boot, by hwt-collect -C 1
# and by `hwt record -C 1` through hwtd (started as root in the guest, as
# its service runs), through hwt_intel_pt driving the emulated Kaby Lake
# PT unit, decoded on the host; its ground truth is the same program
# single-stepped by ptrace in the guest just before
# (tests/e2e/ptcpu/gt.c), each task's instruction addresses.  For each
# session (e2e-intel_pt-cpu: hwt-collect, e2e-intel_pt-cpu-hwtd: hwtd)
# and each task:
#   - hwt replay --thread TID --format addr equals the ground truth, the
#     main thread from main_begin on (glibc's start-up before it reads the
#     randomized stack: not the same instructions in two runs), the thread
#     up to thread_end (after it, it races main's exit_group), the
#     process whole;
#   - its call counts (symbol_stats of its thread) of fib, op_add,
#     op_mul, op_xor, op_neg and jump_table are the times their first
#     instruction ran in the ground truth.
#   - its decode has no error and no gap (errors rows of its stream):
#     each of its runs begins with a PSB+, which hardware writes at the
#     drain's TraceEn enable only because the driver wrote PacketByteCnt
#     0 (SDM Vol. 3C 33.2.8.3; the emulated unit enforces it), so no run
#     has bytes before its first PSB that the decoder must drop.
# PASS:/FAIL: lines, appended to $HWT_RESULTS/e2e.txt.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
t=e2e-intel_pt-cpu
w=$root/build/$t
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

. "$root/tests/e2e/task_truth.sh"
task_build gcc prog || exit 1
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/prog \
	HWT_VM_RECORD_GT=$w/gt HWT_VM_RECORD_OUT=$w/session \
	HWT_VM_RECORD_OPTS="-b intel_pt -x tsc,noretcomp -C 1" \
	HWT_VM_RECORD_VIA="collect hwtd" \
	HWT_VM_PT_EMU=kabylake HWT_VM_SMP=2 \
	"$root/tests/vm/run.sh" x86_64 >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/record (log: $w/vm.log)"
	exit 1
fi
top=$w
# The checks of one session: $1 the session, $2 the results' prefix, $3
# a work directory of its own (sh has no locals: these are global).
check_session() {
	s=$1 t=$2 w=$3
	mkdir -p "$w"
	if [ ! -f "$s/session.db" ]; then
		result "FAIL: $t/record (no session $s came back)"
		return 1
	fi
	mode=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key = 'mode'")
	L=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key =
		'launch_pid'")
	[ "$mode" = cpu ] && [ -n "$L" ] && [ -f "$s/gt/tasks.txt" ] &&
		result "PASS: $t/record (mode $mode, program pid $L)" || {
		result "FAIL: $t/record (mode '$mode', launch_pid '$L', gt: $(ls "$s/gt" 2>&1))"
		return 1; }
	if ! "$hwt" decode "$s" -o "$w/cpu.db" >"$w/decode.log" 2>&1; then
		result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
		return 1
	fi
	result "PASS: $t/decode ($(tail -n 1 "$w/decode.log"))"
	q() { "$hwt" query --csv "$w/cpu.db" "$1" | tail -n +2; }
	# The recorded tasks: main (the launched pid), the process it made
	# (a FORK of a new process), its thread.
	proc=$(q "SELECT pid FROM sideband WHERE type = 'FORK' AND ppid = $L AND
		pid != $L AND pid = tid LIMIT 1")
	thr=$(q "SELECT tid FROM threads WHERE pid = $L AND tid != $L LIMIT 1")
	begin=$(task_addr nm "$top/prog" main_begin)
	tend=$(task_addr nm "$top/prog" thread_end)
	for name in main proc thread; do
		case $name in
		main) tid=$L cut="from $begin" ;;
		proc) tid=$proc cut="" ;;
		*) tid=$thr cut="to $tend" ;;
		esac
		task_check $name "$tid" "$cut" "$s" "$w/cpu.db" nm "$top/prog" || continue
		ne=$(q "SELECT count(*) FROM errors e JOIN streams st ON
			st.id = e.stream_id WHERE st.tid = $tid")
		if [ "$ne" = 0 ]; then
			result "PASS: $t/$name-no-gaps (0 decode errors or gaps)"
		else
			first=$(q "SELECT e.kind || ': ' || e.message FROM errors e
				JOIN streams st ON st.id = e.stream_id WHERE
				st.tid = $tid ORDER BY e.id LIMIT 1")
			result "FAIL: $t/$name-no-gaps ($ne errors or gaps; first: $first)"
		fi
	done
}

check_session "$top/session" "$t" "$top/collect"
check_session "$top/session-hwtd" "$t-hwtd" "$top/hwtd"
