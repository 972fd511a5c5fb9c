#!/bin/sh
# shellcheck disable=SC2046 # mksession arguments: one per line, no spaces
# A per-CPU Intel PT perf.data whose CPU runs threads of three processes
# (issue 18, docs/perf-data.md "Per-CPU Intel PT split between threads"):
# pid 42 runs ptgen's program, pid 77 a different static binary at the
# same address (ptgen --variant: every address after main's first
# instruction 4 bytes lower), pid 88 is forked from 42 (FORK, no exec,
# no mapping of its own) and runs 42's code.  Each thread's trace is one
# ptgen run cut into runs (--switch: FUP + TIP.PGD, then PSB+ and
# TIP.PGE, as a switched task's trace is), the runs interleaved on CPU 0
# (mkcpu.py), TSCs increasing across the CPU (one PSB+ per run, the k-th
# run of each thread at BASE + k * 0x10000, the threads' BASEs 0x5000
# apart), the session exported by `hwt export --perf-data` (its
# SWITCH_CPU_WIDE records timed by the trace's TSC there).
#  - Debian's perf (its own Intel PT decoder and its own image switching:
#    the reference) prints each thread's truth;
#  - hwt replay --thread T of `hwt decode` is perf's T, instruction for
#    instruction (before per-process images: thread 77 decoded against
#    42's binary, the wrong instructions);
#  - each thread's calls and instructions per function are ptgen's
#    (stats.txt), its function names from its own process's binary;
#  - segmented = continuous: --segmented --threads 2 gives the same
#    replays (a CPU of several processes decodes in one piece);
#  - FORK records that loop between two processes: the decode ends;
#  - per-thread buffers (perf record --per-thread) of two processes with
#    different binaries at the same address: each decodes as perf does,
#    its calls per function ptgen's;
#  - a COMM exec in the middle of a thread's trace: the trace before it
#    decodes against the old program, after it against the new one, as
#    perf decodes it.
# Env (from run.sh): HWT, PTGEN, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${PTGEN:=$ROOT/build/decoder/ptgen}"
MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) || exit 1
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
if ! command -v perf >/dev/null 2>&1; then
	echo "FAIL: perf-pt-procs (no perf: install linux-perf, the reference)"
	exit 0
fi
# stats DB: "tid name calls insns" per thread and function
stats() {
	"$HWT" query --csv "$1" "SELECT t.tid, s.name, ss.calls,
		ss.insn_count FROM symbol_stats ss JOIN threads t ON
		t.id = ss.thread_id JOIN symbols s ON s.id = ss.symbol_id
		WHERE ss.calls > 0 OR ss.insn_count > 0" | tail -n +2 |
		tr , ' ' | sort
}
map() { echo "--mmap"; echo "0x400000:0x1000:0x1000:$T/$1/prog.elf:$2"; }

mkdir -p "$T/a" "$T/v" "$T/c" "$T/g"
if ! "$PTGEN" "$T/a" --iters 300 --switch 400 --psb 1000000 \
		--tsc 0x100000000:0x10000 >/dev/null ||
	! "$PTGEN" "$T/v" --iters 200 --switch 350 --psb 1000000 \
		--tsc 0x100005000:0x10000 --variant >/dev/null ||
	! "$PTGEN" "$T/c" --iters 250 --switch 300 --psb 1000000 \
		--tsc 0x10000a000:0x10000 >/dev/null ||
	! python3 "$HERE/mkcpu.py" "$T/g" 1 42:42:"$T/a" 77:77:"$T/v" \
		88:88:"$T/c" > "$T/args" ||
	! "$MK" "$T/s" --meta mode=cpu --meta arch=x86_64 \
		--param 0:nom_freq=24 $(cat "$T/args") $(map a 42) \
		$(map v 77) --record \
		thread_create:pid=88:tid=88:ppid=42:ptid=42:flags=2 ||
	! "$HWT" export --perf-data "$T/out.data" "$T/s" 2> "$T/err"; then
	echo "FAIL: perf-pt-procs (ptgen/mksession/export: $(cat "$T/err"))"
	exit 0
fi
# the two binaries differ at the same address (else the test proves
# nothing)
cmp -s "$T/a/prog.elf" "$T/v/prog.elf" &&
	echo "FAIL: perf-pt-procs-binaries-differ"
perf script -i "$T/out.data" --itrace=i0ns -F tid,ip > "$T/perf" \
	2> "$T/perr"
"$HWT" decode -q "$T/out.data" -o "$T/x.db" 2> "$T/err" ||
	echo "FAIL: perf-pt-procs-decode ($(cat "$T/err"))"
"$HWT" decode -q --segmented --threads 2 "$T/out.data" -o "$T/seg.db" \
	2> "$T/err" || echo "FAIL: perf-pt-procs-decode-segmented ($(cat "$T/err"))"
n=$("$HWT" query --csv "$T/x.db" "SELECT group_concat(tid) FROM (SELECT
	tid FROM streams WHERE cpu = 0 ORDER BY tid)" | tail -n 1 | tr -d '"')
check perf-pt-procs-a-stream-per-thread test "$n" = "42,77,88"
for x in 42:a 77:v 88:c; do
	t=${x%%:*} g=${x#*:}
	awk -v t="$t" '$1 == t { printf "%16s\n", $2 }' "$T/perf" | tr ' ' 0 \
		> "$T/perf-$t"
	"$HWT" replay "$T/x.db" --thread "$t" --format addr > "$T/hwt-$t" \
		2>> "$T/err"
	"$HWT" replay "$T/seg.db" --thread "$t" --format addr > "$T/seg-$t" \
		2>> "$T/err"
	check "perf-pt-procs-perf-tid-$t-is-truth" cmp -s "$T/perf-$t" \
		"$T/$g/truth.txt"
	check "perf-pt-procs-replay-tid-$t-is-perf" cmp -s "$T/hwt-$t" \
		"$T/perf-$t"
	check "perf-pt-procs-replay-tid-$t-is-truth" cmp -s "$T/hwt-$t" \
		"$T/$g/truth.txt"
	check "perf-pt-procs-segmented-tid-$t-is-continuous" cmp -s \
		"$T/seg-$t" "$T/hwt-$t"
done
# per thread and function: ptgen's counts, each thread's names from its
# own process's binary (77's functions are 4 bytes below 42's)
for x in 42:a 77:v 88:c; do
	awk -v t="${x%%:*}" '$2 + $3 > 0 { print t, $1, $2, $3 }' \
		"$T/${x#*:}/stats.txt"
done | sort > "$T/want"
stats "$T/x.db" > "$T/got"
check perf-pt-procs-calls-per-thread-exact cmp -s "$T/got" "$T/want"
stats "$T/seg.db" > "$T/got"
check perf-pt-procs-segmented-calls-per-thread-exact cmp -s "$T/got" \
	"$T/want"

# Hostile sideband: 6000 FORK records where two processes that are never
# switched in (98, 99; 99 maps a binary) fork each other in a loop.
# The decode ends at once (the fork parents are followed up, 16 at
# most, never searched down) and the threads still decode as perf does.
for i in $(seq 1 3000); do
	echo "--record"; echo "thread_create:pid=98:tid=98:ppid=99:ptid=99:flags=2"
	echo "--record"; echo "thread_create:pid=99:tid=99:ppid=98:ptid=98:flags=2"
done > "$T/forks"
if "$MK" "$T/sl" --meta mode=cpu --meta arch=x86_64 --param 0:nom_freq=24 \
		$(cat "$T/args") $(map a 42) $(map v 77) $(map a 99) \
		$(cat "$T/forks") &&
	"$HWT" export --perf-data "$T/loop.data" "$T/sl" 2> "$T/err"; then
	timeout 60 "$HWT" decode -q "$T/loop.data" -o "$T/loop.db" 2> "$T/err"
	check perf-pt-procs-fork-loop-decodes test $? = 0
	ok=1
	for t in 42 77; do
		"$HWT" replay "$T/loop.db" --thread "$t" --format addr \
			> "$T/r" 2>> "$T/err"
		cmp -s "$T/r" "$T/perf-$t" || ok=0
	done
	check perf-pt-procs-fork-loop-replay-is-perf [ $ok = 1 ]
else
	echo "FAIL: perf-pt-procs-fork-loop (mksession/export: $(cat "$T/err"))"
fi

# Per-thread buffers (a thread-mode session: AUXTRACE cpu -1) of two
# processes with different binaries at the same address: each thread's
# queue decodes against its own process's maps, as perf's does.
mkdir -p "$T/t/a" "$T/t/v"
if "$PTGEN" "$T/t/a" --iters 300 --psb 256 >/dev/null &&
	"$PTGEN" "$T/t/v" --iters 200 --psb 256 --variant >/dev/null &&
	"$MK" "$T/t/s" --meta mode=thread --meta arch=x86_64 \
		--stream 0:intel_pt:tid=42 --param 0:cpu=0/0/0 \
		--data "0:$T/t/a/pt.bin:/3" --stream 1:intel_pt:tid=77 \
		--param 1:cpu=0/0/0 --data "1:$T/t/v/pt.bin:/3" \
		$(map t/a 42) $(map t/v 77) &&
	"$HWT" export --perf-data "$T/t/out.data" "$T/t/s" 2> "$T/err" &&
	"$HWT" decode -q "$T/t/out.data" -o "$T/t/x.db" 2> "$T/err"; then
	perf script -i "$T/t/out.data" --itrace=i0ns -F tid,ip \
		> "$T/t/perf" 2> "$T/perr"
	for x in 42:a 77:v; do
		t=${x%%:*} g=${x#*:}
		awk -v t="$t" '$1 == t { printf "%16s\n", $2 }' "$T/t/perf" |
			tr ' ' 0 > "$T/t/perf-$t"
		"$HWT" replay "$T/t/x.db" --thread "$t" --format addr \
			> "$T/t/hwt-$t" 2>> "$T/err"
		check "perf-pt-procs-per-thread-perf-tid-$t-is-truth" cmp -s \
			"$T/t/perf-$t" "$T/t/$g/truth.txt"
		check "perf-pt-procs-per-thread-replay-tid-$t-is-perf" cmp -s \
			"$T/t/hwt-$t" "$T/t/perf-$t"
	done
	for x in 42:a 77:v; do
		awk -v t="${x%%:*}" '$2 + $3 > 0 { print t, $1, $2, $3 }' \
			"$T/t/${x#*:}/stats.txt"
	done | sort > "$T/want"
	stats "$T/t/x.db" > "$T/got"
	check perf-pt-procs-per-thread-calls-exact cmp -s "$T/got" "$T/want"
else
	echo "FAIL: perf-pt-procs-per-thread ($(cat "$T/err"))"
fi

# An exec (PERF_RECORD_COMM with PERF_RECORD_MISC_COMM_EXEC) in the
# middle of thread 77's trace: it runs ptgen --variant (v2's runs), then
# execs ptgen's program (a2's runs, TSCs after v2's), both mapped at
# 0x400000.  The session has what the kernel records for an exec, in its
# order (task_rename in begin_new_exec, the new program's mmap, then the
# exec record), 3, 2 and 1 ns before 77's first switch-in after it;
# hwt export writes the comm as PERF_RECORD_COMM with
# PERF_RECORD_MISC_COMM_EXEC and it and the MMAP2 at those times, tied to
# the trace by the switch_in records' times and TSCs.  perf then maps a2
# from that time on; hwt takes the maps after the exec from the exec's
# time on.  (Before the writer knew execs, this file was patched by hand:
# the old writer gives every sideband record time 0 and no COMM_EXEC, and
# perf decodes all of 77's trace against the last mapping, a2.)
mkdir -p "$T/e/a" "$T/e/v2" "$T/e/a2" "$T/e/b" "$T/e/g"
"$PTGEN" "$T/e/a" --iters 400 --switch 400 --psb 1000000 \
	--tsc 0x100000000:0x10000 >/dev/null &&
"$PTGEN" "$T/e/v2" --iters 100 --switch 350 --psb 1000000 \
	--tsc 0x100008000:0x10000 --variant >/dev/null &&
nv=$(wc -l < "$T/e/v2/runs.txt") &&
"$PTGEN" "$T/e/a2" --iters 80 --switch 350 --psb 1000000 --tsc \
	"$(printf '0x%x' $((0x100008000 + nv * 0x10000))):0x10000" >/dev/null &&
cat "$T/e/v2/pt.bin" "$T/e/a2/pt.bin" > "$T/e/b/pt.bin" &&
lv=$(wc -c < "$T/e/v2/pt.bin") &&
{ cat "$T/e/v2/runs.txt"
  awk -v o="$lv" '{ $1 = $1 + o; print }' "$T/e/a2/runs.txt"; } \
	> "$T/e/b/runs.txt" &&
cat "$T/e/v2/truth.txt" "$T/e/a2/truth.txt" > "$T/e/b/truth.txt" &&
python3 "$HERE/mkcpu.py" "$T/e/g" 1 42:42:"$T/e/a" 77:77:"$T/e/b" \
	> "$T/e/args" &&
x=$(grep '^switch_in:pid=77:' "$T/e/args" | sed -n "$((nv + 1))s/.*time=//p") &&
[ -n "$x" ] &&
"$MK" "$T/e/s" --meta mode=cpu --meta arch=x86_64 --param 0:nom_freq=24 \
	$(cat "$T/e/args") $(map e/a 42) $(map e/v2 77) \
	--record "comm:pid=77:tid=77:name=prog.elf:time=$((x - 3))" \
	--mmap "0x400000:0x1000:0x1000:$T/e/a2/prog.elf:77:$((x - 2))" \
	--record "exec:pid=77:tid=77:path=$T/e/a2/prog.elf:time=$((x - 1))" &&
"$HWT" export --perf-data "$T/e/out.data" "$T/e/s" 2> "$T/err" ||
	echo "FAIL: perf-pt-procs-exec (setup: $(cat "$T/err"))"
perf script -i "$T/e/out.data" --itrace=i0ns -F tid,ip > "$T/e/perf" \
	2> "$T/perr"
"$HWT" decode -q "$T/e/out.data" -o "$T/e/x.db" 2> "$T/err" ||
	echo "FAIL: perf-pt-procs-exec-decode ($(cat "$T/err"))"
for x in 42:a 77:b; do
	t=${x%%:*} g=${x#*:}
	awk -v t="$t" '$1 == t { printf "%16s\n", $2 }' "$T/e/perf" |
		tr ' ' 0 > "$T/e/perf-$t"
	"$HWT" replay "$T/e/x.db" --thread "$t" --format addr > "$T/e/hwt-$t" \
		2>> "$T/err"
	check "perf-pt-procs-exec-perf-tid-$t-is-truth" cmp -s \
		"$T/e/perf-$t" "$T/e/$g/truth.txt"
	check "perf-pt-procs-exec-replay-tid-$t-is-perf" cmp -s \
		"$T/e/hwt-$t" "$T/e/perf-$t"
	check "perf-pt-procs-exec-replay-tid-$t-is-truth" cmp -s \
		"$T/e/hwt-$t" "$T/e/$g/truth.txt"
done
# perf sees the exec as perf record writes it: a COMM exec of 77, then
# the new program's MMAP2
perf script -i "$T/e/out.data" --no-itrace --show-task-events \
	--show-mmap-events 2> "$T/perr" | grep -o 'PERF_RECORD_[A-Z0-9]*.*' |
	grep '[ :]77/77' > "$T/e/events"
check perf-pt-procs-exec-is-comm-exec-then-mmap2 test \
	"$(grep -c . "$T/e/events"):$(sed -n 's/^PERF_RECORD_COMM \(exec\).*/\1/p;s/^PERF_RECORD_\(MMAP2\).*/\1/p' "$T/e/events" | tr '\n' ' ')" \
	= "3:MMAP2 exec MMAP2 "
exit 0
