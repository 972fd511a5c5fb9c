#!/bin/sh
# End to end of the CoreSight backend's CPU mode (issue 17, ETE + TRBE):
# tests/e2e/ptcpu/prog.c (a main thread, a second thread and a second
# process, all on CPU 1) recorded in the arm64 VM (-smp 2) by
# hwt-collect -b coresight -C 1 through hwt_coresight driving the
# emulated ETE + TRBE unit (row soft-ete), decoded on the host (the
# session's CPU stream split per thread at its switch_in records,
# decoder/src/session_cpu.c); its ground truth is the same program
# single-stepped by ptrace in the guest just before
# (tests/e2e/ptcpu/gt.c, from the exit of its pipe2 on), each task's
# instruction addresses.  For each task:
#   - hwt replay --thread TID --format addr equals the ground truth, the
#     main thread from main_begin on, the thread up to thread_end (after
#     it, it races main's exit_group), the process whole;
#   - its call counts (symbol_stats of its thread) of fib, op_add,
#     op_mul, op_xor, op_neg and jump_table are the times their first
#     instruction ran in the ground truth.
# The decode has no gap (each run begins at its sync point), and the
# emulated unit refused no register write, dropped nothing and saw no
# run begin without a re-enable of the unit (init.sh's
# record/cs_emu-counters).  PASS:/FAIL: lines, appended to
# $HWT_RESULTS/e2e.txt.
# usage: cs_cpu.sh [etm4|shared|juno-r1]: with etm4, the same through the
# emulated ETMv4 + TMC-ETR (row soft-etm4, tmc etr: each CPU's ETR over
# its buffer, ETMv4 in TMC frames, the session's stream kind etm4 and
# formatted), as e2e-coresight-etm4-cpu; with shared, through one ETR
# shared behind funnels by every CPU (the Juno shape, hwt_cs_emu
# topo=shared) in a 3-CPU VM recording CPUs 1 and 2 (the collector on
# CPU 0), as e2e-coresight-etm4-shared-cpu: one stream whose frames
# interleave trace IDs 0x11 and 0x12, the program's tasks free to run on
# and move between both CPUs, decoded by hwt split per trace ID
# (decoder/src/session_cpu.h); the session must have one stream, with
# shared_sink=1 and traceid_base=0x10, and each thread must be decoded
# from its CPU's ID.  With juno-r1, the same as shared through Juno r1's
# path behind the main funnel (hwt_cs_emu topo=juno-r1: the ETF driven
# as a link in Hardware FIFO mode, funnel@20150000, the replicator's
# port towards the ETR), as e2e-coresight-etm4-juno-r1-cpu.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
t=e2e-coresight-cpu row=soft-ete smp=2 cpus=1
case ${1:-} in
"") ;;
etm4) t=e2e-coresight-etm4-cpu row=soft-etm4:etr ;;
shared) t=e2e-coresight-etm4-shared-cpu row="soft-etm4:etr topo=shared"
	smp=3 cpus=1-2 ;;
juno-r1) t=e2e-coresight-etm4-juno-r1-cpu
	row="soft-etm4:etr topo=juno-r1" smp=3 cpus=1-2 ;;
*) echo "usage: $0 [etm4|shared|juno-r1]" >&2; exit 2 ;;
esac
w=$root/build/$t
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

. "$root/tests/e2e/task_truth.sh"
task_build aarch64-linux-gnu-gcc prog || exit 1
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/prog \
	HWT_VM_RECORD_GT=$w/gt HWT_VM_RECORD_OUT=$w/session \
	HWT_VM_RECORD_OPTS="-b coresight -C $cpus" \
	HWT_VM_CS_EMU=$row HWT_VM_SMP=$smp \
	"$root/tests/vm/run.sh" arm64 >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/record (log: $w/vm.log)"
	exit 1
fi
c=$(grep -E '^(PASS|FAIL): record/cs_emu-counters' "$w/vm.log")
case $c in
PASS:*) result "PASS: $t/emu-counters (${c#*cs_emu-counters }" ;;
*) result "FAIL: $t/emu-counters (${c:-no counters line in $w/vm.log})" ;;
esac
s=$w/session
mode=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key = 'mode'")
L=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key =
	'launch_pid'")
[ "$mode" = cpu ] && [ -n "$L" ] && [ -f "$s/gt/tasks.txt" ] &&
	result "PASS: $t/record (mode $mode, program pid $L)" || {
	result "FAIL: $t/record (mode '$mode', launch_pid '$L', gt: $(ls "$s/gt" 2>&1))"
	exit 1; }
case ${1:-} in shared|juno-r1) is_shared=1 ;; *) is_shared= ;; esac
if [ -n "$is_shared" ]; then
	# One stream for both CPUs, which DESCRIBE said is shared.
	sh=$(sqlite3 "$s/session.db" "SELECT count(*) || ' ' ||
		group_concat(value) FROM stream_params WHERE key IN
		('shared_sink', 'traceid_base')")
	ns=$(sqlite3 "$s/session.db" "SELECT count(*) FROM streams")
	case $sh in
	"2 1,0x10"|"2 0x10,1") ;;
	*) sh="" ;;
	esac
	[ -n "$sh" ] && [ "$ns" = 1 ] &&
		result "PASS: $t/shared-stream (shared_sink=1, traceid_base 0x10, 1 stream)" ||
		result "FAIL: $t/shared-stream (params '$sh', $ns streams)"
fi
if ! "$hwt" decode "$s" -o "$w/cpu.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
result "PASS: $t/decode ($(tail -n 1 "$w/decode.log"))"
# Every run starts at its sync point (the re-enable at each switch;
# the Ignore padding before it is no loss): no gap anywhere.
grep -q ' 0 errors or gaps;' "$w/decode.log" &&
	result "PASS: $t/no-gaps" ||
	result "FAIL: $t/no-gaps ($(tail -n 1 "$w/decode.log"))"
q() { "$hwt" query --csv "$w/cpu.db" "$1" | tail -n +2; }
if [ -n "$is_shared" ]; then
	# Each thread decoded from its CPU's trace ID (0x10 + CPU: 0x11 or
	# 0x12, never the stream's trctraceidr 0x10), on that CPU or on
	# both (cpu -1).
	bad=$(q "SELECT count(*) FROM streams WHERE tid > 0 AND (trace_id
		NOT IN (17, 18) OR (cpu != -1 AND cpu != trace_id - 16))")
	ids=$(q "SELECT group_concat(DISTINCT printf('0x%x', trace_id))
		FROM streams WHERE tid > 0" | tr -d '"')
	[ "$bad" = 0 ] &&
		result "PASS: $t/trace-ids-per-cpu (threads' trace IDs $ids)" ||
		result "FAIL: $t/trace-ids-per-cpu ($bad threads off their CPU's ID; $ids)"
fi
# The recorded tasks: main (the launched pid), the process it made (a
# FORK of a new process), its thread.
proc=$(q "SELECT pid FROM sideband WHERE type = 'FORK' AND ppid = $L AND
	pid != $L AND pid = tid LIMIT 1")
thr=$(q "SELECT tid FROM threads WHERE pid = $L AND tid != $L LIMIT 1")
nm=aarch64-linux-gnu-nm
begin=$(task_addr $nm "$w/prog" main_begin)
tend=$(task_addr $nm "$w/prog" thread_end)
for name in main proc thread; do
	case $name in
	main) tid=$L cut="from $begin" ;;
	proc) tid=$proc cut="" ;;
	*) tid=$thr cut="to $tend" ;;
	esac
	task_check $name "$tid" "$cut" "$s" "$w/cpu.db" $nm "$w/prog" || continue
done
