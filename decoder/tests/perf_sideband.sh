#!/bin/sh
# The sideband table of a perf.data decode against perf 6.1's own dump
# (perf_sideband.py parses `perf report -D`): every record perf dumps is
# the row at its file offset with the same type, CPU, time and fields, and
# every row is one of perf's records.  perf 4.14's Intel PT file (MMAP,
# MMAP2, COMM, EXIT, SWITCH_CPU_WIDE, ITRACE_START, AUX, AUXTRACE,
# TIME_CONV, SAMPLE), simpleperf's CoreSight files and the 4.14 file in
# pipe mode (mkpipe.py).  Then the threads and comms the records name.
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
C=$ROOT/../shared/corpus
PT=$C/intel_pt/perf-intel_pt-4.14/perf.data.intel_pt-4.14
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $1"; [ -n "$2" ] && echo "  $2"; }
q() { "$HWT" query --csv "$1" "$2" | tail -n +2 | tr -d '"'; }

if ! command -v perf > /dev/null; then
	echo "SKIP: perf-sideband (no perf)"
	exit 0
fi
for f in "$PT" "$C"/coresight/simpleperf-etm/perf_etm.data \
	 "$C"/coresight/simpleperf-etm/perf_with_missing_aux_data.data; do
	b=$(basename "$f")
	if ! "$HWT" decode -q "$f" --buildid-dir "$T/none" -o "$T/$b.db" \
			2> "$T/err"; then
		fail "perf-sideband-$b" "decode exit $?: $(cat "$T/err")"
		continue
	fi
	python3 ./perf_sideband.py "$f" "$T/$b.db"
done
db=$T/$(basename "$PT").db
if python3 ./mkpipe.py "$PT" "$T/pt.pipe" &&
	"$HWT" decode -q "$T/pt.pipe" --buildid-dir "$T/none" -o "$T/pipe.db" \
		2> "$T/err"; then
	python3 ./perf_sideband.py --pipe "$T/pt.pipe" "$T/pipe.db"
else
	fail perf-sideband-pipe "exit $?: $(cat "$T/err")"
fi

# threads: every tid perf's COMM/EXIT/SWITCH_CPU_WIDE/ITRACE_START/SAMPLE
# records name (perf script --show-task-events --show-switch-events), once.
perf script -i "$PT" --show-task-events --show-switch-events -F pid,tid \
	2> /dev/null | grep -E 'PERF_RECORD_(COMM|EXIT|SWITCH|ITRACE)' |
	sed -E 's/.*(next|prev) pid\/tid: *([0-9]+)\/([0-9]+).*/\3/' |
	grep -E '^[0-9]+$' | sort -un > "$T/want.tids"
perf script -i "$PT" --show-task-events --show-switch-events -F pid,tid \
	2> /dev/null | grep -E 'PERF_RECORD_' | awk '{ split($1, a, "/");
	print a[2] }' | grep -E '^[0-9]+$' >> "$T/want.tids"
sort -un "$T/want.tids" -o "$T/want.tids"
q "$db" "SELECT tid FROM threads WHERE id > 0 ORDER BY tid" | sort -un \
	> "$T/got.tids"
dup=$(q "$db" "SELECT count(*) - count(DISTINCT tid) FROM threads")
if [ -s "$T/want.tids" ] && cmp -s "$T/want.tids" "$T/got.tids" &&
	[ "$dup" = 0 ]; then
	echo "PASS: perf-sideband-threads ($(wc -l < "$T/got.tids") tids)"
else
	fail perf-sideband-threads "duplicates $dup; $(diff "$T/want.tids" \
		"$T/got.tids" | head -4 | tr '\n' ' ')"
fi
# comms: perf's COMM records, in order, each with its thread and exec flag.
perf report -D -i "$PT" 2> /dev/null | sed -nE \
	's/^[0-9]+ ([0-9]+) 0x[0-9a-f]+ \[0x[0-9a-f]+\]: PERF_RECORD_COMM( exec)?: (.*):[0-9]+\/([0-9]+)$/\3,\4,\1,\2/p' |
	sed 's/, exec$/,1/; s/,$/,0/' | sort > "$T/want.comms"
q "$db" "SELECT c.comm, t.tid, c.time, c.exec FROM comms c JOIN threads t
	ON t.id = c.thread_id WHERE c.id > 0" | sort > "$T/got.comms"
if [ -s "$T/want.comms" ] && cmp -s "$T/want.comms" "$T/got.comms"; then
	echo "PASS: perf-sideband-comms ($(wc -l < "$T/got.comms") comms)"
else
	fail perf-sideband-comms "$(diff "$T/want.comms" "$T/got.comms" |
		head -4 | tr '\n' ' ')"
fi
# trace start/stop: ITRACE_START and switches as trace_events.
n=$(perf report -D -i "$PT" 2> /dev/null | grep -cE \
	'PERF_RECORD_(ITRACE_START|SWITCH_CPU_WIDE|EXIT)')
m=$(q "$db" "SELECT count(*) FROM trace_events WHERE event IN ('start',
	'switch_in', 'switch_out', 'exit')")
if [ "$n" -gt 0 ] && [ "$n" = "$m" ]; then
	echo "PASS: perf-sideband-trace-events ($m)"
else
	fail perf-sideband-trace-events "perf $n, trace_events $m"
fi

# A session's records (mksession: the store's writer, format 2 packing the
# switches) are rows of the same table, named as perf names them, by time.
MK=$ROOT/build/store/mksession
: "${PTGEN:=$ROOT/build/decoder/ptgen}"
mkdir -p "$T/g"
if "$PTGEN" "$T/g" --iters 50 > /dev/null &&
	"$MK" "$T/s" --meta mode=thread --meta arch=x86_64 \
	--meta target_pid=42 --stream 0:intel_pt:tid=42 --param 0:cpu=0/0/0 \
	--record comm:pid=42:tid=42:cpu=1:time=100:name=prog \
	--record thread_create:pid=42:tid=43:ppid=42:ptid=42:time=150:cpu=1 \
	--data "0:$T/g/pt.bin:/3" \
	--mmap "0x400000:0x1000:0x1000:$T/g/prog.elf:42" \
	--record switch_out:pid=42:tid=42:cpu=1:other=-1:time=200:buf=0:head=64 \
	--record switch_in:pid=42:tid=42:cpu=2:other=7:time=300:buf=0:head=64 \
	--record buffer:pid=42:tid=42:cpu=2:buf=0:head=128:flags=1:lost=4096:time=400 \
	--record lost:lost=3:total=3:time=500 \
	--record thread_exit:pid=42:tid=43:code=9:time=600 &&
	"$HWT" decode -q "$T/s" -o "$T/s.db" 2> "$T/err"; then
	got=$(q "$T/s.db" "SELECT group_concat(r, ' ') FROM (SELECT type ||
		',' || ifnull(time, '') || ',' || ifnull(cpu, '') || ',' ||
		ifnull(tid, '') || ',' || coalesce(comm, filename, '') || ',' ||
		ifnull(ppid, '') || ',' || ifnull(switch_out, '') || ',' ||
		ifnull(next_prev_tid, '') || ',' || ifnull(aux_flags, '') ||
		',' || ifnull(lost, '') || ',' || ifnull(exit_code, '') AS r
		FROM sideband WHERE source = 'session' ORDER BY id)")
	want="MMAP2,0,0,42,$T/g/prog.elf,,,,,,"
	want="$want COMM,100,1,42,prog,,,,,,"
	want="$want FORK,150,1,43,,42,,,,,"
	want="$want SWITCH_CPU_WIDE,200,1,42,,,1,-1,,,"
	want="$want SWITCH_CPU_WIDE,300,2,42,,,0,7,,,"
	want="$want AUX,400,2,42,,,,,1,4096,"
	want="$want LOST,500,0,,,,,,,3,"
	want="$want EXIT,600,0,43,,,,,,,9"
	if [ "$got" = "$want" ]; then
		echo "PASS: session-sideband-rows"
	else
		fail session-sideband-rows "got  $got" ; echo "  want $want"
	fi
	# the same queries as for perf.data: threads and comms
	th=$(q "$T/s.db" "SELECT group_concat(tid) FROM (SELECT tid FROM
		threads WHERE id > 0 ORDER BY tid)")
	cm=$(q "$T/s.db" "SELECT c.comm || ':' || t.tid FROM comms c JOIN
		threads t ON t.id = c.thread_id WHERE c.id > 0")
	ev=$(q "$T/s.db" "SELECT group_concat(event) FROM (SELECT event FROM
		trace_events ORDER BY id)")
	if [ "$th" = "7,42,43" ] && [ "$cm" = "prog:42" ] &&
		[ "$ev" = "switch_out,switch_in,truncated,lost,exit" ]; then
		echo "PASS: session-sideband-threads-comms-events"
	else
		fail session-sideband-threads-comms-events "threads $th, comms $cm, events $ev"
	fi
else
	fail session-sideband "session: $(cat "$T/err")"
fi
