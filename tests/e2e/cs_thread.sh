#!/bin/sh
# End to end of the CoreSight backend's thread mode through one ETR
# shared behind funnels by every CPU (issue 17; the Juno shape,
# hwt_cs_emu topo=shared, row soft-etm4 with a scatter-gather ETR):
# tests/e2e/ptcpu/share.c (two threads computing at once, each leaving
# its CPU after every iteration) recorded in a 3-CPU arm64 VM by
# `hwt-collect -b coresight` (thread mode, what `hwt record -b coresight
# ./prog` uses), decoded on the host (each thread's stream: its runs
# under the trace ID of the CPU each ran on, 0x10 + CPU, deformatted and
# joined, decoder/src/cs/cs_session.c); its ground truth is the same
# program single-stepped by ptrace in the guest just before
# (tests/e2e/ptcpu/gt.c), each thread's instruction addresses.
# The sink takes one thread's run at a time (perf's semantics): a
# thread that switches in while the other holds it runs untraced, which
# hwt_coresight counts (sink_busy) and records as a gap.
#   usage: cs_thread.sh [pin]
#   - two CPUs (no argument, e2e-coresight-etm4-shared-thread: main
#     bound to CPU 1, the thread to CPU 2): each
#     thread's replay, cut at its "[gap]" lines, is pieces that are each
#     a stretch of its ground truth, in order (check_pieces.py: nothing
#     invented or taken from the other thread, whose path differs); the
#     decode reports gaps if and only if a switch-in found the sink held;
#     without any, as pinned;
#   - pin (e2e-coresight-etm4-shared-thread-pinned): both threads bound
#     to CPU 1, they take turns and always find the sink
#     free: no gap, each thread's replay equals its ground truth (main
#     from share_begin on, the thread up to share_end), and the call
#     counts of fib, op_*, jump_table are the times their first
#     instruction ran in the ground truth.
# Both: the session's streams say shared_sink=1 and traceid_base=0x10;
# the emulated unit refused no register write (init.sh's
# record/cs_emu-counters; the bytes of untraced runs are its "dropped",
# allowed only with sink_busy > 0).  Nothing left enabled after the
# recording is the VM suite's cs_emu row (funnel ports, ETR, claims).
# PASS:/FAIL: lines, appended to $HWT_RESULTS/e2e.txt.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
t=e2e-coresight-etm4-shared-thread args=""
case ${1:-} in
"") ;;
pin) t=e2e-coresight-etm4-shared-thread-pinned args=pin ;;
*) echo "usage: $0 [pin]" >&2; exit 2 ;;
esac
w=$root/build/$t
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

. "$root/tests/e2e/task_truth.sh"
task_build aarch64-linux-gnu-gcc share || exit 1
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/share \
	HWT_VM_RECORD_ARGS=$args HWT_VM_RECORD_GT=$w/gt \
	HWT_VM_RECORD_OUT=$w/session HWT_VM_RECORD_OPTS="-b coresight" \
	HWT_VM_CS_EMU="soft-etm4:etr topo=shared" HWT_VM_SMP=3 \
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
busy=$(echo "$c" | sed -n 's/.*sink_busy \([0-9]*\).*/\1/p')
s=$w/session
mode=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key = 'mode'")
L=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key =
	'target_pid'")
[ "$mode" = thread ] && [ -n "$L" ] && [ -f "$s/gt/tasks.txt" ] &&
	result "PASS: $t/record (mode $mode, program pid $L)" || {
	result "FAIL: $t/record (mode '$mode', target_pid '$L', gt: $(ls "$s/gt" 2>&1))"
	exit 1; }
# A stream per thread, each saying it came through the shared sink.
ns=$(sqlite3 "$s/session.db" "SELECT count(*) FROM streams")
nsh=$(sqlite3 "$s/session.db" "SELECT count(*) FROM stream_params WHERE
	(key = 'shared_sink' AND value = '1') OR
	(key = 'traceid_base' AND value = '0x10')")
[ "$ns" -ge 2 ] && [ "$nsh" = $((2 * ns)) ] &&
	result "PASS: $t/shared-streams ($ns streams, shared_sink=1, traceid_base 0x10)" ||
	result "FAIL: $t/shared-streams ($ns streams, $nsh of $((2 * ns)) params)"
if ! "$hwt" decode "$s" -o "$w/thr.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
result "PASS: $t/decode ($(grep ' or gap' "$w/decode.log" | tail -n 1))"
gaps=$(sed -n 's/.* \([0-9]*\) errors\{0,1\} or gaps\{0,1\};.*/\1/p' "$w/decode.log" |
	tail -n 1)
# Gaps where, and only where, a switch-in found the sink held.
if [ -n "$args" ]; then
	[ "$gaps" = 0 ] && [ "$busy" = 0 ] &&
		result "PASS: $t/no-gaps (sink never found held)" ||
		result "FAIL: $t/no-gaps ($gaps gaps, sink_busy '$busy')"
elif [ "${busy:-0}" -gt 0 ]; then
	[ "${gaps:-0}" -gt 0 ] &&
		result "PASS: $t/gaps-reported ($gaps gaps for $busy switch-ins that found the sink held)" ||
		result "FAIL: $t/gaps-reported (sink_busy $busy, but $gaps gaps)"
else
	[ "$gaps" = 0 ] &&
		result "PASS: $t/gaps-reported (the sink was never found held, no gap)" ||
		result "FAIL: $t/gaps-reported ($gaps gaps, sink_busy '$busy')"
fi
q() { "$hwt" query --csv "$w/thr.db" "$1" | tail -n +2; }
thr=$(q "SELECT tid FROM threads WHERE pid = $L AND tid != $L LIMIT 1")
nm=aarch64-linux-gnu-nm
begin=$(task_addr $nm "$w/share" share_begin)
tend=$(task_addr $nm "$w/share" share_end)
for name in main thread; do
	case $name in
	main) tid=$L cut="from $begin" ;;
	*) tid=$thr cut="to $tend" ;;
	esac
	# Without gaps: equal to the truth, calls exact; else pieces.
	only=cut
	[ "${gaps:-1}" = 0 ] && only=
	task_check $name "$tid" "$cut" "$s" "$w/thr.db" $nm "$w/share" \
		$only || continue
	[ -z "$only" ] && continue
	# Main is alone (traced, the sink free) up to share_begin, which
	# its replay thus has.  The thread's replay may lack share_end (an
	# untraced run): its whole ground truth then, the end racing
	# main's exit_group.
	[ $name = thread ] && cp "$g" "$w/$name.gt"
	if o=$(python3 "$root/tests/e2e/check_pieces.py" "$w/$name.gt" \
		"$w/$name.hwt"); then
		result "PASS: $t/$name-pieces-are-ptrace ($o; tid $tid)"
	else
		result "FAIL: $t/$name-pieces-are-ptrace ($o; tid $tid)"
	fi
done
