#!/bin/sh
# hwt export --perf-data without the VM (the recorded two-thread round trip
# is tests/e2e/perf_export.sh): sessions made with the store's writer
# (mksession) from ptgen traces whose path is known (truth.txt).
#  - perf 6.1 (its own Intel PT decoder) prints the truth, instruction for
#    instruction, from the exported file; hwt decode of it replays the
#    truth, with and without return compression (noretcomp config bit);
#  - bytes lost before a chunk: the export's decode has the session's gap
#    at the same place and the same replay; perf sees the truncated AUX
#    record ("Lost trace data");
#  - sessions perf.data cannot hold are refused with the reason, and no
#    file is left behind.
# Env (from run.sh): HWT, PTGEN, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${PTGEN:=$ROOT/build/decoder/ptgen}"
MK=$ROOT/build/store/mksession
T=$(mktemp -d) || exit 1
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
have_perf=0
command -v perf >/dev/null 2>&1 && have_perf=1

# A session of ptgen's trace: stream 0, thread 42, in 7 chunks, prog.elf's
# code mapped at 0x400000 (file offset 0x1000).  mksession DIR GEN [ARG]...
mksession() {
	_d=$1 _g=$2
	shift 2
	"$MK" "$_d" --meta mode=thread --meta arch=x86_64 \
		--meta target_pid=42 --stream 0:intel_pt:tid=42 \
		--param 0:cpu=0/0/0 "$@" --data "0:$_g/pt.bin:/7" \
		--mmap "0x400000:0x1000:0x1000:$_g/prog.elf:42"
}

for cfg in "loop:--iters 2000 --psb 256:" \
	   "retcomp:--iters 500 --psb 300 --retcomp:" \
	   "noretcomp:--iters 500 --psb 300:--param 0:ret_compression=0"; do
	name=${cfg%%:*}; rest=${cfg#*:}; args=${rest%%:*}; extra=${rest#*:}
	G=$T/$name
	mkdir -p "$G/db"
	# shellcheck disable=SC2086
	if ! "$PTGEN" "$G" $args || ! mksession "$G/s" "$G" $extra; then
		echo "FAIL: perf-export-$name (ptgen/mksession)"
		continue
	fi
	if ! "$HWT" export --perf-data "$G/out.data" "$G/s" 2> "$G/err"; then
		echo "FAIL: perf-export-$name-write ($(cat "$G/err"))"
		continue
	fi
	"$HWT" decode -q "$G/out.data" -o "$G/db/x.db" 2> "$G/err"
	"$HWT" replay "$G/db/x.db" > "$G/got" 2>> "$G/err"
	check "perf-export-$name-redecode-is-truth" cmp -s "$G/got" \
		"$G/truth.txt"
	[ $have_perf = 1 ] || continue
	perf script -i "$G/out.data" --itrace=i0ns -F tid,ip 2> "$G/perr" |
		awk '$1 == 42 { printf "%16s\n", $2 }' | tr ' ' 0 > "$G/perf"
	check "perf-export-$name-perf-script-is-truth" cmp -s "$G/perf" \
		"$G/truth.txt"
done
[ $have_perf = 1 ] ||
	echo "SKIP: perf-export-perf-script (no perf: apt-get install linux-perf)"

# Bytes lost before chunk 3: a gap in the session's decode, the same gap
# (PERF_AUX_FLAG_TRUNCATED) in the export's, the same instructions.
G=$T/loop
if mksession "$T/lost" "$G" --lost-before 0:3:4096 &&
	"$HWT" export --perf-data "$T/lost.data" "$T/lost" 2> "$T/err"; then
	mkdir -p "$T/db"
	"$HWT" decode -q "$T/lost" -o "$T/db/s.db"
	"$HWT" decode -q "$T/lost.data" -o "$T/db/e.db"
	# instructions; the gap lines name the loss each its own way
	"$HWT" replay "$T/db/s.db" | grep -v '^\[' > "$T/s.txt"
	"$HWT" replay "$T/db/e.db" | grep -v '^\[' > "$T/e.txt"
	gs=$("$HWT" query --csv "$T/db/s.db" "SELECT insn_index FROM errors
		WHERE kind = 'gap' OR message LIKE '%lost%'" | tail -n +2 | tr '\n' ' ')
	ge=$("$HWT" query --csv "$T/db/e.db" "SELECT insn_index FROM errors
		WHERE message LIKE '%truncated%'" | tail -n +2 | tr '\n' ' ')
	check perf-export-lost-bytes-replay test -s "$T/s.txt" -a \
		"$(cmp "$T/s.txt" "$T/e.txt" 2>&1)" = ""
	check perf-export-lost-bytes-gap test -n "$gs" -a "$gs" = "$ge"
	if [ $have_perf = 1 ]; then
		perf script -i "$T/lost.data" --itrace=e -F tid 2>&1 |
			grep -c "Lost trace data" > "$T/lostn"
		check perf-export-lost-bytes-perf-sees-it test "$(cat "$T/lostn")" = 1
	fi
else
	echo "FAIL: perf-export-lost-bytes ($(cat "$T/err"))"
fi

# A trace with TSC packets (ptgen --tsc: one in every PSB+, the n-th
# 0x100000000 + n * 1000) and a 2.4 GHz TSC (nom_freq 24: max non-turbo
# ratio x 100 MHz): the export carries TIME_CONV and sample_time, perf
# prints each instruction's time, which is the truth's TSC (the last PSB+
# before it) / 2.4 GHz within perf's rounding (its time_mult / 2^31 is
# not exactly 1 / 2.4), and hwt decode of the export gives calls the very
# times perf prints for their first and last instructions.
TS=$T/tsc
mkdir -p "$TS"
if "$PTGEN" "$TS" --iters 200 --psb 256 --tsc 0x100000000:1000 > /dev/null &&
	mksession "$TS/s" "$TS" --param 0:nom_freq=24 &&
	"$HWT" export --perf-data "$TS/out.data" "$TS/s" 2> "$TS/err" &&
	"$HWT" decode -q "$TS/out.data" -o "$TS/x.db" 2>> "$TS/err"; then
	if [ $have_perf = 1 ]; then
		perf script -i "$TS/out.data" --itrace=i0ns --ns -F tid,time,ip \
			2> "$TS/perr" > "$TS/perf"
		"$HWT" query --csv "$TS/x.db" "SELECT call_insn, call_time,
			return_insn, return_time FROM calls" | tail -n +2 |
			tr -d '"' > "$TS/calls"
		python3 - "$TS" <<'PY'
import bisect, sys
d = sys.argv[1]
psb = [(0, 0x100000000)] + [tuple(map(int, l.split()[1:3]))
                            for l in open(d + '/psb.txt')]
first = [p[0] for p in psb]
truth = [int(l, 16) for l in open(d + '/truth.txt')]
perf = []
for l in open(d + '/perf'):
    tid, t, ip = l.split()
    s, ns = t.rstrip(':').split('.')
    perf.append((int(tid), int(s) * 10**9 + int(ns), int(ip, 16)))
ok = len(perf) == len(truth) and all(p[0] == 42 for p in perf)
# perf's mult is 1e9 * 2^shift / hz rounded down (shift <= 31): it loses
# under 1 ns per 2^31 cycles, and the product's fraction is dropped.
def off(i, t):
    tsc = psb[bisect.bisect_right(first, i) - 1][1]
    return abs(t - tsc * 10**9 / 2.4e9) > 1 + tsc / 2**31
bad = [i for i, p in enumerate(perf) if i < len(truth) and
       (p[2] != truth[i] or off(i, p[1]))]
print('%s: perf-export-tsc-perf-times-are-truth (%d insns, %d differ%s)' %
      ('PASS' if ok and not bad and perf else 'FAIL', len(perf), len(bad),
       '' if not bad else ': first at %d' % bad[0]))
n = m = 0
for l in open(d + '/calls'):
    ci, ct, ri, rt = map(int, l.split(','))
    for i, t in ((ci, ct), (ri, rt)):
        if i < len(perf):
            n += 1
            m += perf[i][1] != t
print('%s: perf-export-tsc-call-times-are-perfs (%d call/return times, '
      '%d differ)' % ('PASS' if n and not m else 'FAIL', n, m))
PY
	fi
else
	echo "FAIL: perf-export-tsc ($(cat "$TS/err"))"
fi

# A TSC before every TIP as well (ptgen --tsc-tip 1), main calling g
# through a one-instruction PLT stub (--plt): libipt binds each such time
# to the branch that takes the TIP, and perf times that instruction by
# it.  The stub's jmp is its block's first instruction, and the first of
# the call to g_plt: hwt's call times must still be perf's, decoded
# continuously and in segments (the fast path's and libipt's).
TP=$T/tsctip
mkdir -p "$TP"
if [ $have_perf = 1 ] &&
	"$PTGEN" "$TP" --iters 200 --psb 256 --tsc 0x100000000:1000 \
		--tsc-tip 1 --plt > /dev/null &&
	mksession "$TP/s" "$TP" --param 0:nom_freq=24 &&
	"$HWT" export --perf-data "$TP/out.data" "$TP/s" 2> "$TP/err"; then
	perf script -i "$TP/out.data" --itrace=i0ns --ns -F tid,time,ip \
		2> "$TP/perr" > "$TP/perf"
	for m in continuous:--threads=1 segmented:--segmented \
		 "libipt-segments:--segmented --test-pt-no-fastpath=1"; do
		rm -f "$TP/x.db"
		# shellcheck disable=SC2086
		"$HWT" decode -q ${m#*:} "$TP/out.data" -o "$TP/x.db" \
			2>> "$TP/err"
		"$HWT" query --csv "$TP/x.db" "SELECT call_insn, call_time,
			return_insn, return_time FROM calls" | tail -n +2 |
			tr -d '"' > "$TP/calls"
		python3 - "$TP" "${m%%:*}" <<'PY'
import sys
d, mode = sys.argv[1:3]
truth = [int(l, 16) for l in open(d + '/truth.txt')]
perf = []
for l in open(d + '/perf'):
    tid, t, ip = l.split()
    s, ns = t.rstrip(':').split('.')
    perf.append((int(s) * 10**9 + int(ns), int(ip, 16)))
ok = [p[1] for p in perf] == truth
n = m = 0
first = None
for l in open(d + '/calls'):
    ci, ct, ri, rt = map(int, l.split(','))
    for i, t in ((ci, ct), (ri, rt)):
        if i < len(perf):
            n += 1
            if perf[i][0] != t:
                m += 1
                first = first or '%#x: %d, perf %d' % (perf[i][1], t,
                                                       perf[i][0])
print('%s: perf-export-tsc-tip-%s-call-times-are-perfs (%d call/return '
      'times, %d differ%s)' % ('PASS' if ok and n and not m else 'FAIL',
                               mode, n, m, '; ' + first if first else ''))
PY
	done
elif [ $have_perf = 1 ]; then
	echo "FAIL: perf-export-tsc-tip ($(cat "$TP/err"))"
fi
# Two threads interleaved on one CPU (a cpu-mode session): three ptgen
# traces with TSC (A1, B, A2; each PSB+ ... TIP.PGD) back to back in CPU
# 0's stream, switch records at the joins (the store's stream_offset).
# The export is a per-CPU perf.data with SWITCH_CPU_WIDE records timed
# by the trace's TSC there; perf (its own sync of switches and trace)
# prints A1 + A2's truth for thread 42 and B's for 43, and hwt decode of
# the file splits the CPU's trace the same way: replay per thread is
# perf's per thread.
CP=$T/cpu2
mkdir -p "$CP/a1" "$CP/b" "$CP/a2"
if "$PTGEN" "$CP/a1" --iters 30 --psb 256 --tsc 0x100000000:1000 >/dev/null &&
	"$PTGEN" "$CP/b" --iters 20 --psb 256 --tsc 0x200000000:1000 >/dev/null &&
	"$PTGEN" "$CP/a2" --iters 25 --psb 256 --tsc 0x300000000:1000 >/dev/null &&
	cat "$CP/a1/pt.bin" "$CP/b/pt.bin" "$CP/a2/pt.bin" > "$CP/cpu.bin"; then
	a=$(wc -c < "$CP/a1/pt.bin")
	b=$((a + $(wc -c < "$CP/b/pt.bin")))
	sw() { echo "switch_$1:pid=42:tid=$2:cpu=0:other=$3:buf=0:head=$4"; }
	"$MK" "$CP/s" --meta mode=cpu --meta arch=x86_64 --meta target_pid=42 \
		--stream 0:intel_pt:cpu=0 --param 0:cpu=0/0/0 \
		--param 0:nom_freq=24 --data "0:$CP/cpu.bin:/5" \
		--mmap "0x400000:0x1000:0x1000:$CP/a1/prog.elf:42" \
		--record "$(sw in 42 -1 0)" --record "$(sw out 42 43 "$a")" \
		--record "$(sw in 43 42 "$a")" --record "$(sw out 43 42 "$b")" \
		--record "$(sw in 42 43 "$b")"
	cat "$CP/a1/truth.txt" "$CP/a2/truth.txt" > "$CP/truth-42"
	cp "$CP/b/truth.txt" "$CP/truth-43"
	if "$HWT" export --perf-data "$CP/out.data" "$CP/s" 2> "$CP/err" &&
		"$HWT" decode -q "$CP/out.data" -o "$CP/x.db" 2>> "$CP/err"; then
		n=$("$HWT" query --csv "$CP/x.db" "SELECT group_concat(tid)
			FROM (SELECT tid FROM streams WHERE cpu = 0 ORDER BY tid)" |
			tail -n 1 | tr -d '"')
		check perf-export-cpu-two-threads-two-streams test "$n" = "42,43"
		[ $have_perf = 1 ] && perf script -i "$CP/out.data" \
			--itrace=i0ns -F tid,ip > "$CP/perf" 2> "$CP/perr"
		for t in 42 43; do
			"$HWT" replay "$CP/x.db" --thread $t --format addr \
				> "$CP/hwt-$t" 2>> "$CP/err"
			check "perf-export-cpu-replay-tid-$t-is-truth" cmp -s \
				"$CP/hwt-$t" "$CP/truth-$t"
			[ $have_perf = 1 ] || continue
			awk -v t=$t '$1 == t { printf "%16s\n", $2 }' "$CP/perf" |
				tr ' ' 0 > "$CP/perf-$t"
			check "perf-export-cpu-perf-tid-$t-is-truth" cmp -s \
				"$CP/perf-$t" "$CP/truth-$t"
		done
	else
		echo "FAIL: perf-export-cpu ($(cat "$CP/err"))"
	fi
else
	echo "FAIL: perf-export-cpu (ptgen)"
fi

# Sideband at its time: the cpu2 trace with a 1 GHz TSC (nom_freq 10:
# perf time = TSC, exactly) and a session whose CLOCK_MONOTONIC is that
# TSC (each switch_in at the time of its run's first TSC), with an mmap
# and a comm before the trace, a FORK and a COMM of thread 43 during
# A1's run and its EXIT during A2's.  perf prints each of those records
# at the session's time for it, to the ns, ITRACE_START 2 ns before the
# first TSC, and perf and hwt decode of the file still give each
# thread's truth.  (The old writer gave every one time 0 and wrote no
# EXIT.)
if [ $have_perf = 1 ] && [ -s "$CP/cpu.bin" ]; then
	t1=$((0x100000000)) t2=$((0x200000000)) t3=$((0x300000000))
	sw() { echo "switch_$1:pid=42:tid=$2:cpu=0:other=$3:buf=0:head=$4:time=$5"; }
	"$MK" "$CP/ts" --meta mode=cpu --meta arch=x86_64 \
		--meta target_pid=42 --stream 0:intel_pt:cpu=0 \
		--param 0:cpu=0/0/0 --param 0:nom_freq=10 \
		--data "0:$CP/cpu.bin:/5" \
		--mmap "0x400000:0x1000:0x1000:$CP/a1/prog.elf:42:$((t1 - 1000))" \
		--record "comm:pid=42:tid=42:name=a1:time=$((t1 - 900))" \
		--record "$(sw in 42 -1 0 $t1)" \
		--record "thread_create:pid=42:tid=43:ppid=42:ptid=42:time=$((t1 + 5000))" \
		--record "comm:pid=42:tid=43:name=b:time=$((t1 + 6000))" \
		--record "$(sw out 42 43 "$a" $((t2 - 10)))" \
		--record "$(sw in 43 42 "$a" $t2)" \
		--record "$(sw out 43 42 "$b" $((t3 - 10)))" \
		--record "$(sw in 42 43 "$b" $t3)" \
		--record "thread_exit:pid=42:tid=43:time=$((t3 + 100))" &&
	"$HWT" export --perf-data "$CP/ts.data" "$CP/ts" 2> "$CP/err"
	perf script -i "$CP/ts.data" --no-itrace --show-task-events \
		--show-mmap-events --ns 2> "$CP/perr" |
		sed -n 's/.* \([0-9]*\)\.\([0-9]*\): PERF_RECORD_\([A-Z0-9_]*\).*/\1\2 \3/p' |
		grep -v SWITCH | sed 's/^0*//' > "$CP/ts-got"
	# perf script shows no ITRACE_START: perf report -D's dump (CPU,
	# time, file offset, size, type) does
	perf report -D -i "$CP/ts.data" 2> "$CP/perr" |
		sed -n 's/^0 \([0-9]*\) 0x.*PERF_RECORD_\(ITRACE_START\) .*/\1 \2/p' \
		>> "$CP/ts-got"
	printf '%s MMAP2\n%s COMM\n%s FORK\n%s COMM\n%s EXIT\n%s ITRACE_START\n' \
		$((t1 - 1000)) $((t1 - 900)) $((t1 + 5000)) $((t1 + 6000)) \
		$((t3 + 100)) $((t1 - 2)) > "$CP/ts-want"
	check perf-export-sideband-at-the-sessions-times cmp -s \
		"$CP/ts-got" "$CP/ts-want"
	perf script -i "$CP/ts.data" --itrace=i0ns -F tid,ip > "$CP/perf" \
		2> "$CP/perr"
	"$HWT" decode -q "$CP/ts.data" -o "$CP/ts.db" 2> "$CP/err"
	ok=1 okd=1
	for t in 42 43; do
		awk -v t=$t '$1 == t { printf "%16s\n", $2 }' "$CP/perf" |
			tr ' ' 0 | cmp -s - "$CP/truth-$t" || ok=0
		"$HWT" replay "$CP/ts.db" --thread $t --format addr 2>> \
			"$CP/err" | cmp -s - "$CP/truth-$t" || okd=0
	done
	check perf-export-sideband-timed-perf-is-truth [ $ok = 1 ]
	check perf-export-sideband-timed-redecode-is-truth [ $okd = 1 ]
fi

# An exec record with no comm before it (the comm lost, or a session
# that has only the exec): a COMM exec named as the kernel names the
# task (the path's last component, TASK_COMM_LEN 16: 15 characters),
# before the new program's MMAP2, and perf still prints the truth.
# (The old writer wrote nothing for an exec.)
if [ $have_perf = 1 ] &&
	"$MK" "$T/bx" --meta mode=thread --meta arch=x86_64 \
		--meta target_pid=42 --stream 0:intel_pt:tid=42 \
		--param 0:cpu=0/0/0 --data "0:$G/pt.bin:/3" \
		--record "exec:pid=42:tid=42:path=/bin/averyveryverylongname" \
		--mmap "0x400000:0x1000:0x1000:$G/prog.elf:42" &&
	"$HWT" export --perf-data "$T/bx.data" "$T/bx" 2> "$T/err"; then
	perf script -i "$T/bx.data" --no-itrace --show-task-events \
		--show-mmap-events 2> "$T/perr" |
		sed -n 's/.*PERF_RECORD_\(COMM exec: [^ ]*\).*/\1/p
			s/.*PERF_RECORD_\(MMAP2\) .*/\1/p' \
		> "$T/bx-got"
	printf 'COMM exec: averyveryverylo:42/42\nMMAP2\n' > "$T/bx-want"
	check perf-export-exec-without-comm-is-a-comm-exec cmp -s \
		"$T/bx-got" "$T/bx-want"
	perf script -i "$T/bx.data" --itrace=i0ns -F ip 2> "$T/perr" |
		awk '{ printf "%16s\n", $1 }' | tr ' ' 0 > "$T/bx-perf"
	check perf-export-exec-without-comm-perf-is-truth cmp -s \
		"$T/bx-perf" "$G/truth.txt"
fi

# Build ids come from the file hwt decode takes: the recorded path, or
# the session's copy; a copy reached through a symlink (images/usr ->
# /usr) is never read (store_io.h's rules: a session is untrusted input).
B=/usr/bin/true
bid=$(file -L "$B" 2>/dev/null | sed -n 's/.*BuildID\[sha1\]=\([0-9a-f]*\).*/\1/p')
if [ $have_perf = 1 ] && [ -n "$bid" ] &&
	"$MK" "$T/bid" --meta mode=thread --stream 0:intel_pt:tid=42 \
		--data "0:$G/pt.bin:/2" --mmap "0x400000:0x1000:0x1000:$B:42"; then
	"$HWT" export --perf-data "$T/bid1.data" "$T/bid"
	mkdir -p "$T/bid/images" && ln -s /usr "$T/bid/images/usr"
	"$HWT" export --perf-data "$T/bid2.data" "$T/bid"
	check perf-export-build-id-of-the-binary test \
		"$(perf buildid-list -i "$T/bid1.data" 2>/dev/null)" = "$bid $B"
	check perf-export-build-id-never-through-a-symlink test \
		-z "$(perf buildid-list -i "$T/bid2.data" 2>/dev/null)"
fi

# Refused, with the reason, and nothing left behind.
refused() {	# NAME WANT SESSION|FILE [OUT]
	_o=${4:-$T/refused.data}
	rm -f "$_o"
	if "$HWT" export --perf-data "$_o" "$3" 2> "$T/err"; then
		echo "FAIL: perf-export-refuses-$1 (exit 0)"
	elif ! grep -q "$2" "$T/err" || [ -e "$_o" ] && [ "$_o" != - ]; then
		echo "FAIL: perf-export-refuses-$1 ($(cat "$T/err"))"
	else
		echo "PASS: perf-export-refuses-$1"
	fi
}
"$MK" "$T/cpu" --meta mode=cpu --stream 0:intel_pt:cpu=0 \
	--data "0:$G/pt.bin:/2" && refused cpu-mode-without-tsc \
	"without TSC packets" "$T/cpu"
"$MK" "$T/etm" --meta mode=thread --stream 0:etm4:tid=7 \
	--data "0:$G/pt.bin:/2" && refused coresight "Intel PT sessions only" \
	"$T/etm"
"$MK" "$T/empty" --meta mode=thread && refused no-stream "no stream" \
	"$T/empty"
refused decoded-db "not a session directory" "$G/db/x.db"
refused stdout "must be seekable" "$G/s" -
exit 0
