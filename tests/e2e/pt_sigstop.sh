#!/bin/sh
# A task switched out inside rt_sigreturn, in Intel PT's CPU mode (issue
# 10): tests/e2e/sigstop/prog.c, whose child takes a job-control stop on
# rt_sigreturn's way out ROUNDS (8) times, recorded in the x86 VM by
# hwt-collect -C 1 through hwt_intel_pt driving the emulated Kaby Lake PT
# unit, decoded on the host.
#
# At each stop the CPU switches away from the child, and the emulated unit
# ends the child's run there.  rt_sigreturn ran: a real unit ends user
# tracing at the SYSCALL with a TIP.PGD bound to that far branch (SDM Vol.
# 3C 33.4.2.3, "TIP.PGD"), so the decode runs the SYSCALL.  Had the run
# ended with FUP + TIP.PGD at it instead (an asynchronous disable: it never
# ran), the decode would skip it and resume in raise(), silently.  So:
#   - the child's replay runs __restore_rt's SYSCALL exactly 8 times (the
#     program's known count: one per SIGUSR1 handled, checked by the
#     program itself, which also checks it was stopped 8 times);
#   - each time, the next instruction is the one the signal interrupted
#     (the child resumes where it was, not in __restore_rt again);
#   - its decode has no error or gap.
# PASS:/FAIL: lines, appended to $HWT_RESULTS/e2e.txt.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
t=e2e-intel_pt-sigstop
w=$root/build/$t
hwt=$root/build/bin/hwt
rounds=8
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

cflags="-O2 -g -static -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow"
# shellcheck disable=SC2086
if ! gcc $cflags -o "$w/prog" "$root/tests/e2e/sigstop/prog.c"; then
	result "FAIL: $t/build"
	exit 1
fi
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/prog \
	HWT_VM_RECORD_OUT=$w/session \
	HWT_VM_RECORD_OPTS="-b intel_pt -x tsc,noretcomp -C 1" \
	HWT_VM_PT_EMU=kabylake HWT_VM_SMP=2 \
	"$root/tests/vm/run.sh" x86_64 >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/record (log: $w/vm.log)"
	exit 1
fi
s=$w/session
L=$(sqlite3 "$s/session.db" "SELECT value FROM meta WHERE key =
	'launch_pid'" 2>&1)
if ! "$hwt" decode "$s" -o "$w/cpu.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
q() { "$hwt" query --csv "$w/cpu.db" "$1" | tail -n +2; }
child=$(q "SELECT pid FROM sideband WHERE type = 'FORK' AND ppid = $L AND
	pid != $L AND pid = tid LIMIT 1")
# The SYSCALL of __restore_rt, the signal trampoline glibc installs.
sc=$(objdump -d --no-show-raw-insn "$w/prog" | awk '
	/<__restore_rt>:/ { f = 1; next }
	f && /^$/ { exit }
	f && $2 == "syscall" { sub(":", "", $1); printf "%016s\n", $1; exit }' |
	tr ' ' 0)
if [ -z "$child" ] || [ -z "$sc" ]; then
	result "FAIL: $t/found (launch pid '$L', child '$child', __restore_rt syscall '$sc')"
	exit 1
fi
"$hwt" replay "$w/cpu.db" --thread "$child" --format addr \
	>"$w/child.addr" 2>"$w/child.err"
n=$(grep -c "^$sc\$" "$w/child.addr")
if [ "$n" = "$rounds" ]; then
	result "PASS: $t/sigreturn-runs ($n times, tid $child)"
else
	result "FAIL: $t/sigreturn-runs (__restore_rt's syscall $n times, want $rounds; tid $child, $(wc -l <"$w/child.addr") instructions)"
fi
# After each rt_sigreturn the child resumes where the signal stopped it,
# never in __restore_rt (its first instruction, or the SYSCALL) again.
rr=$(nm "$w/prog" | awk '$3 == "__restore_rt" { printf "%016s\n", $1 }' |
	tr ' ' 0)
bad=$(awk -v sc="$sc" -v rr="$rr" '
	after { if ($1 == sc || $1 == rr) n++; after = 0 }
	$1 == sc { after = 1 }
	END { print n + 0 }' "$w/child.addr")
if [ "$bad" = 0 ] && [ "$n" -gt 0 ] && [ -n "$rr" ]; then
	result "PASS: $t/resumes-after-sigreturn"
else
	result "FAIL: $t/resumes-after-sigreturn ($bad resumptions in __restore_rt '$rr')"
fi
ne=$(q "SELECT count(*) FROM errors e JOIN streams st ON
	st.id = e.stream_id WHERE st.tid = $child")
if [ "$ne" = 0 ]; then
	result "PASS: $t/no-gaps (0 decode errors or gaps)"
else
	first=$(q "SELECT e.kind || ': ' || e.message FROM errors e JOIN
		streams st ON st.id = e.stream_id WHERE st.tid = $child
		ORDER BY e.id LIMIT 1")
	result "FAIL: $t/no-gaps ($ne errors or gaps; first: $first)"
fi
