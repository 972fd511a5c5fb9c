#!/bin/sh
# End to end against ground truth: record samples/demo.c in the VM with the
# soft backend, decode with `hwt decode`, and compare function_stats with the
# call counts the program's structure fixes (see samples/demo.c).  Prints
# PASS:/FAIL: lines (appended to $HWT_RESULTS/e2e.txt).
# usage: demo_counts.sh [x86_64|arm64|intel_pt|coresight]
#   x86_64    the soft backend (Intel PT packets), results e2e/...
#   arm64     the soft backend's ETE, decoded with OpenCSD: e2e-arm64/...
#   intel_pt  hwt_intel_pt driving the emulated PT unit of a Kaby Lake
#             (backends/intel_pt/emu), with TSC packets and no return
#             compression (-x tsc,noretcomp): e2e-intel_pt/...; the
#             session must carry that CPU's family/model/stepping and TSC
#             ratio
#   coresight hwt_coresight (ETE + TRBE) driving the emulated unit
#             (backends/coresight/emu, row soft-ete): e2e-coresight/...
#   coresight-etm4
#             hwt_coresight (ETMv4 + TMC-ETR, scatter-gather) driving
#             the emulated unit (row soft-etm4, tmc etr): ETMv4 in TMC
#             frames, the session's stream kind etm4 and formatted:
#             e2e-coresight-etm4/...
#   coresight-etm4-shared
#             the same through one ETR shared behind funnels by every
#             CPU (the Juno shape, hwt_cs_emu topo=shared) in thread
#             mode: the sink taken by the demo at each switch-in, the
#             ETMv4 under its CPU's trace ID (0x10 + CPU), the stream
#             saying shared_sink=1, traceid_base=0x10:
#             e2e-coresight-etm4-shared/...
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-x86_64}
emu=""
csemu=""
backend=soft
xopts=""
case $mode in
x86_64) arch=x86_64 cc=gcc t=e2e ;;
arm64) arch=arm64 cc=aarch64-linux-gnu-gcc t=e2e-arm64 ;;
intel_pt) arch=x86_64 cc=gcc t=e2e-intel_pt emu=kabylake backend=intel_pt
	xopts="-x tsc,noretcomp" ;;
coresight) arch=arm64 cc=aarch64-linux-gnu-gcc t=e2e-coresight \
	backend=coresight csemu=soft-ete ;;
coresight-etm4) arch=arm64 cc=aarch64-linux-gnu-gcc t=e2e-coresight-etm4 \
	backend=coresight csemu=soft-etm4:etr ;;
coresight-etm4-shared) arch=arm64 cc=aarch64-linux-gnu-gcc \
	t=e2e-coresight-etm4-shared backend=coresight \
	csemu="soft-etm4:etr topo=shared" ;;
*) echo "usage: $0 [x86_64|arm64|intel_pt|coresight|coresight-etm4[-shared]]" >&2
	exit 2 ;;
esac
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

$cc -O2 -g -static -fno-optimize-sibling-calls -o "$w/demo" \
	"$root/samples/demo.c" || { result "FAIL: $t/demo-build"; exit 1; }
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/demo \
	HWT_VM_RECORD_OUT=$w/session HWT_VM_RECORD_OPTS="-b $backend $xopts" \
	HWT_VM_PT_EMU=$emu HWT_VM_CS_EMU=$csemu \
	"$root/tests/vm/run.sh" "$arch" >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/demo-record (log: $w/vm.log)"
	exit 1
fi
result "PASS: $t/demo-record"
# What the backend described (HWT_IOC_DESCRIBE) is what the session keeps.
param() {
	sqlite3 "$w/session/session.db" "SELECT value FROM stream_params
		WHERE stream = 0 AND key = '$1'" 2>/dev/null
}
case $mode in
x86_64) want="intel_pt cpu=0/0/0" ;;
arm64 | coresight) want="ete trcidr0=0x8000001" ;;
coresight-etm4) want="etm4 trcidr0=0x8000001 trctraceidr=0x10 formatted=1" ;;
coresight-etm4-shared) want="etm4 trcidr0=0x8000001 trctraceidr=0x10 formatted=1 shared_sink=1 traceid_base=0x10" ;;
intel_pt) want="intel_pt cpu=6/158/9 cpuid_15_eax=2 cpuid_15_ebx=300" ;;
esac
kind=$(sqlite3 "$w/session/session.db" "SELECT kind FROM streams
	WHERE id = 0" 2>/dev/null)
got=$kind
for kv in ${want#* }; do
	got="$got ${kv%%=*}=$(param "${kv%%=*}")"
done
[ "$got" = "$want" ] && result "PASS: $t/demo-described ($got)" ||
	result "FAIL: $t/demo-described (got '$got', want '$want')"
# TMC frames: the stream row says so, so the decoder deformats them.
if [ "${mode%-shared}" = coresight-etm4 ]; then
	f=$(sqlite3 "$w/session/session.db" "SELECT formatted FROM streams
		WHERE id = 0" 2>/dev/null)
	[ "$f" = 1 ] && result "PASS: $t/demo-stream-formatted" ||
		result "FAIL: $t/demo-stream-formatted (streams.formatted '$f')"
fi
if ! "$hwt" decode "$w/session" -o "$w/demo.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/demo-decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
result "PASS: $t/demo-decode"
errors=$("$hwt" query --csv "$w/demo.db" "SELECT count(*) FROM errors" |
	tail -n 1)
[ "$errors" = 0 ] && result "PASS: $t/demo-no-decode-errors" ||
	result "FAIL: $t/demo-no-decode-errors ($errors errors/gaps)"
# _init: glibc's static start-up (csu/libc-start.c, call_init) calls it
# once; an _init stretched over .plt counted every PLT call as one more.
for want in fib:465 mix:64 square:16 cube:16 apply:2 checksum:1 run_all:1 \
	main:1 _init:1; do
	name=${want%:*}
	got=$("$hwt" query --csv "$w/demo.db" \
		"SELECT calls FROM function_stats WHERE name = '$name'" |
		tail -n 1)
	[ "$got" = "${want#*:}" ] && result "PASS: $t/demo-calls-$name" ||
		result "FAIL: $t/demo-calls-$name (got '$got', want ${want#*:})"
done
# Folded stacks (hwt flamegraph --folded): they add up to every traced
# instruction, and fib(12)'s recursion shows as stacks of 1 to 12 fib
# frames under run_all, no deeper (samples/demo.c).
"$hwt" flamegraph "$w/demo.db" --folded >"$w/demo.folded" 2>"$w/folded.log"
fsum=$(awk '{ s += $NF } END { print s + 0 }' "$w/demo.folded")
traced=$("$hwt" query --csv "$w/demo.db" "SELECT SUM(insn_count) FROM flow" |
	tail -n 1)
depths=$(awk '{ n = gsub(/;fib/, ";fib", $1); if (n) print n }' \
	"$w/demo.folded" | sort -n | uniq | tr '\n' ' ')
[ "$fsum" = "$traced" ] && [ "$fsum" -gt 0 ] &&
	[ "$depths" = "1 2 3 4 5 6 7 8 9 10 11 12 " ] &&
	grep -q ';main;run_all;fib ' "$w/demo.folded" &&
	result "PASS: $t/demo-folded-stacks ($fsum instructions, fib depths 1-12)" ||
	result "FAIL: $t/demo-folded-stacks (sum $fsum, traced $traced, fib depths '$depths')"
# Weighted by time (--weight time: each path's calls' return_time -
# call_time, less its callees'): on the soft backend's instruction clock
# every stack below a root frame weighs exactly its instructions.
if [ "$backend" = soft ]; then
	"$hwt" flamegraph "$w/demo.db" --folded --weight time \
		>"$w/demo-time.folded" 2>>"$w/folded.log"
	grep ';' "$w/demo-time.folded" >"$w/demo-time-calls.folded"
	grep ';' "$w/demo.folded" >"$w/demo-calls.folded"
	nt=$(wc -l <"$w/demo-time-calls.folded")
	if [ "$nt" -gt 100 ] && cmp -s "$w/demo-time-calls.folded" \
		"$w/demo-calls.folded"; then
		result "PASS: $t/demo-flamegraph-time ($nt stacks weigh their instructions)"
	else
		result "FAIL: $t/demo-flamegraph-time ($nt stacks; $(diff "$w/demo-calls.folded" "$w/demo-time-calls.folded" | head -n 2 | tr '\n' ' '))"
	fi
fi
# The SVG flame graph: frames as the folded stacks say (check_svg.py), and
# librsvg renders it.
if "$hwt" flamegraph "$w/demo.db" --svg "$w/demo.svg" 2>"$w/svg.log" &&
	why=$("$root/tests/e2e/check_svg.py" "$w/demo.svg" "$fsum") &&
	rsvg-convert -w 1200 "$w/demo.svg" -o "$w/demo.png" 2>>"$w/svg.log" &&
	[ -s "$w/demo.png" ]; then
	result "PASS: $t/demo-flamegraph-svg ($why; rendered)"
else
	result "FAIL: $t/demo-flamegraph-svg (${why:-$(tail -n 1 "$w/svg.log")})"
fi
# hwt report --diff of the run with itself: every function unchanged, the
# totals are function_stats' (fib's row first among equals: 465 calls).
"$hwt" report --diff "$w/demo.db" "$w/demo.db" --top 1000000 >"$w/diff.txt" 2>&1
fs=$("$hwt" query --csv "$w/demo.db" "SELECT SUM(calls) || ' ' ||
	SUM(insn_count) FROM function_stats" | tail -n 1)
changed=$(awk 'NR > 4 && ($3 != "+0" || $6 != "+0")' "$w/diff.txt" | wc -l)
tot=$(tail -n 1 "$w/diff.txt" | awk '{ print $1, $4 }')
fibrow=$(awk '$NF == "fib" { print $1, $2 }' "$w/diff.txt")
[ "$changed" = 0 ] && [ "$tot" = "$fs" ] && [ "$fibrow" = "465 465" ] &&
	result "PASS: $t/demo-report-diff-self (all unchanged, totals $tot)" ||
	result "FAIL: $t/demo-report-diff-self ($changed changed, totals '$tot' vs '$fs', fib '$fibrow')"
# hwt report --latency fib: 465 calls; the shortest are fib(12)'s 233 base
# cases (F(13), one histogram bucket), the longest the outer fib(12), which
# holds every fib instruction (function_stats' self count: fib only calls
# fib).
"$hwt" report --latency fib "$w/demo.db" >"$w/latency.txt" 2>&1
ncalls_fib=$(sed -n 's/^fib: \([0-9]*\) calls.*/\1/p' "$w/latency.txt")
lmax=$(awk '$1 == "max" { print $2 }' "$w/latency.txt")
first=$(awk '/^histogram/ { getline; print $(NF - 1) }' "$w/latency.txt")
fibins=$("$hwt" query --csv "$w/demo.db" "SELECT insn_count FROM function_stats
	WHERE name = 'fib'" | tail -n 1)
[ "$ncalls_fib" = 465 ] && [ "$first" = 233 ] && [ "$lmax" = "$fibins" ] &&
	result "PASS: $t/demo-latency-fib (465 calls, 233 base cases, max $lmax)" ||
	result "FAIL: $t/demo-latency-fib (calls '$ncalls_fib', shortest bucket '$first', max '$lmax' vs $fibins)"
# The Perfetto timeline (hwt export --perfetto): every call one slice,
# properly nested, fib's 465 calls 12 deep, durations = instructions.
ncalls=$("$hwt" query --csv "$w/demo.db" "SELECT COUNT(*) FROM calls" |
	tail -n 1)
if "$hwt" export --perfetto "$w/demo.json" "$w/demo.db" 2>"$w/json.log" &&
	why=$("$root/tests/e2e/check_timeline.py" "$w/demo.json" "$ncalls"); then
	result "PASS: $t/demo-perfetto-timeline ($why)"
else
	result "FAIL: $t/demo-perfetto-timeline (${why:-$(cat "$w/json.log")})"
fi
# Both in headless Chromium (x86-64 run only: the same writers serve every
# architecture): the SVG's script runs without console errors and shows
# the frames, it renders to a PNG, and a page script parses the JSON as
# the trace viewers do (tests/e2e/check_browser.py).
if [ "$mode" = x86_64 ]; then
	if command -v chromium >/dev/null 2>&1; then
		python3 "$root/tests/e2e/check_browser.py" "$w/demo.svg" \
			"$w/demo.json" "$w/browser" fib main run_all mix \
			2>&1 | sed "s|e2e/browser|$t/browser|" | tee -a "$res"
	else
		result "FAIL: $t/browser (no chromium: apt-get install chromium)"
	fi
fi
# Arm's reference decoder on the recorded stream: the session written out
# as an OpenCSD snapshot (ete_snapshot.py: the described registers, the
# stream's bytes, the program's code) decodes with trc_pkt_lister to
# exactly the instructions `hwt replay` gives.
# (ETE snapshots only: the ETMv4 + TMC session's frames are judged by the
# VM test's OpenCSD check, tests/vm/guest/cs_emu.c.)
if [ "$arch" = arm64 ] && [ "${mode%-shared}" != coresight-etm4 ]; then
	rm -rf "$w/snapshot"
	if "$root/tests/e2e/ete_snapshot.py" "$w/session" 0 "$w/demo" \
		"$w/snapshot" 2>"$w/snapshot.log" &&
		(cd "$w/snapshot" && trc_pkt_lister -ss_dir . -decode \
			-logfilename "$w/lister.log" >/dev/null 2>&1); then
		"$root/tests/e2e/ete_snapshot.py" --expand "$w/lister.log" \
			>"$w/lister.addr"
		"$hwt" replay "$w/demo.db" --format addr >"$w/hwt.addr" 2>&1
		n=$(wc -l <"$w/hwt.addr")
		[ "$n" -gt 10000 ] && cmp -s "$w/lister.addr" "$w/hwt.addr" &&
			result "PASS: $t/demo-trc_pkt_lister-agrees ($n instructions)" ||
			result "FAIL: $t/demo-trc_pkt_lister-agrees ($(wc -l <"$w/lister.addr") vs $n instructions)"
	else
		result "FAIL: $t/demo-trc_pkt_lister-agrees (no snapshot or no lister run: $w/snapshot.log)"
	fi
fi
# hwt replay --calls against the executed instructions (trc_pkt_lister's
# on arm64, where it decoded them independently; hwt's own elsewhere):
# every call of the demo's functions at the index of its entry
# instruction, in order, fib 12 deep (tests/e2e/check_calls.py).
"$hwt" replay "$w/demo.db" --calls --func run_all >"$w/calls.txt" 2>&1
addrs=$w/lister.addr
[ "$arch" = arm64 ] && [ "${mode%-shared}" != coresight-etm4 ] &&
	[ -s "$addrs" ] || {
	addrs=$w/replay.addr
	"$hwt" replay "$w/demo.db" --format addr >"$addrs" 2>&1
}
if why=$("$root/tests/e2e/check_calls.py" "$w/demo" "$addrs" "$w/calls.txt")
then
	result "PASS: $t/demo-call-trace ($why; entries from $(basename "$addrs"))"
else
	result "FAIL: $t/demo-call-trace ($why)"
fi
# hwt report --children (and calls, self) against the call stack rebuilt
# from the same executed addresses and objdump's calls and returns
# (tests/e2e/check_report.py).
objdump=objdump
[ "$arch" = arm64 ] && objdump=aarch64-linux-gnu-objdump
"$hwt" report "$w/demo.db" --sort name --children --top 1000000 \
	>"$w/report-children.txt" 2>&1
if why=$("$root/tests/e2e/check_report.py" "$w/demo" "$addrs" \
	"$w/report-children.txt" "$objdump"); then
	result "PASS: $t/demo-report-children ($why)"
else
	result "FAIL: $t/demo-report-children ($why)"
fi
# hwt replay --markers: one system-call marker right after each executed
# instruction objdump calls syscall (x86-64) or svc (arm64), and the
# instruction lines are the replay's without markers.
"$hwt" replay "$w/demo.db" --markers >"$w/markers.txt" 2>&1
"$objdump" -d --no-show-raw-insn "$w/demo" |
	awk '$2 == "syscall" || $2 == "svc" {
	sub(":", "", $1); print $1 }' >"$w/sysaddrs"
msys=$(awk 'NR == FNR { sys[substr("0000000000000000", length($1) + 1) $1] = 1
		next }
	/^\[/ { if (prev_sys && /system call/) ok++; else if (/system call/) bad++
		prev_sys = 0; next }
	{ if (prev_sys) missed++; prev_sys = ($1 in sys); if (prev_sys) n++ }
	END { if (prev_sys) missed++; print n + 0, ok + 0, bad + 0, missed + 0 }' \
	"$w/sysaddrs" "$w/markers.txt" | sed 's/ /,/g')
grep -v '^\[' "$w/markers.txt" | cmp -s - "$addrs" && same=yes || same=no
case $msys in
0,*) result "FAIL: $t/demo-replay-markers (no system call executed: $msys)" ;;
*)	set -- $(echo "$msys" | tr , ' ')
	[ "$1" = "$2" ] && [ "$3 $4" = "0 0" ] && [ "$same" = yes ] &&
		result "PASS: $t/demo-replay-markers ($1 system calls, each followed by its marker)" ||
		result "FAIL: $t/demo-replay-markers (system calls, marked, stray, unmarked: $msys; instructions unchanged: $same)" ;;
esac
# The timeline marks the same places: on each executed system call's
# successor (its index: the instruction clock) a "trace off" instant
# (x86: PT's TIP.PGD; no instructions pass while tracing is off, so not a
# slice) or an "interrupt or exception" one (ETE's exception packet).
marks=$(python3 -c 'import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
print(" ".join(sorted({str(e["ts"]) for e in ev if e.get("cat") == "trace"},
		      key=int)))' "$w/demo.json" 2>&1)
sysidx=$(awk 'NR == FNR { sys[substr("0000000000000000", length($1) + 1) $1] = 1
		next }
	{ if ($1 in sys) printf "%s%d", n++ ? " " : "", FNR }' \
	"$w/sysaddrs" "$addrs")
unmarked=$(for i in $sysidx; do
	case " $marks " in *" $i "*) ;; *) printf '%s ' "$i" ;; esac
done)
[ -n "$sysidx" ] && [ -z "$unmarked" ] &&
	result "PASS: $t/demo-perfetto-trace-marks ($(echo "$sysidx" | wc -w) system calls marked on their threads' tracks)" ||
	result "FAIL: $t/demo-perfetto-trace-marks (unmarked system calls at '$unmarked'; marks at '$marks')"
# hwt replay -F: every sym+0xOFF is nm's, every srcline addr2line's
# (tests/e2e/check_fields.py).
nm=nm addr2line=addr2line
[ "$arch" = arm64 ] && nm=aarch64-linux-gnu-nm addr2line=aarch64-linux-gnu-addr2line
"$hwt" replay "$w/demo.db" -F ip,sym,symoff,srcline >"$w/fields.txt" 2>&1
if why=$("$root/tests/e2e/check_fields.py" "$w/demo" "$w/fields.txt" \
	"$nm" "$addr2line"); then
	result "PASS: $t/demo-replay-fields ($why)"
else
	result "FAIL: $t/demo-replay-fields ($why)"
fi
# The soft backend's clock (on by default): its timestamps count the
# instructions the thread executed, so each call's time is its
# instruction index, exactly, on both sides of every timestamp the trace
# carries (PSB+, each return from a system call): call_time - call_insn
# and return_time - return_insn are 0 for every call.  A timestamp one
# instruction off, or a real TSC, gives other differences.
if [ "$backend" = soft ]; then
	clock=$(param clock)
	offs=$("$hwt" query --csv "$w/demo.db" "SELECT COUNT(*) || ' ' ||
		COUNT(DISTINCT call_time - call_insn) || ' ' ||
		MIN(call_time - call_insn) || ' ' || MAX(call_time - call_insn)
		|| ' ' || SUM(return_time - return_insn <> 0) FROM calls
		WHERE return_insn > 0" | tail -n 1)
	[ "$clock" = insn ] && set -- $offs && [ "$1" -gt 100 ] &&
		[ "$2 $3 $4 $5" = "1 0 0 0" ] &&
		result "PASS: $t/demo-insn-clock ($1 calls, time = instruction index)" ||
		result "FAIL: $t/demo-insn-clock (clock '$clock'; calls, distinct, min, max, bad returns: $offs)"
	# replay's time field is each instruction's (its index, on this
	# clock), and --time A,B is the same slice as --from A --count
	# B-A+1.
	"$hwt" replay "$w/demo.db" -F index,time >"$w/times.txt" 2>&1
	nt=$(awk '$1 == $2 { n++ } END { print n + 0 }' "$w/times.txt")
	"$hwt" replay "$w/demo.db" --time 5000,5099 >"$w/slice-time.addr" 2>&1
	"$hwt" replay "$w/demo.db" --from 5000 --count 100 \
		>"$w/slice-from.addr" 2>&1
	[ "$nt" = "$traced" ] && [ "$(wc -l <"$w/slice-time.addr")" = 100 ] &&
		cmp -s "$w/slice-time.addr" "$w/slice-from.addr" &&
		result "PASS: $t/demo-replay-time ($nt instructions timed; --time 5000,5099 = --from 5000 --count 100)" ||
		result "FAIL: $t/demo-replay-time ($nt of $traced timed as their index; $(wc -l <"$w/slice-time.addr") lines for --time 5000,5099)"
fi
# -x tsc reached the trace unit: calls carry TSC times (libipt's).
if [ "$mode" = intel_pt ]; then
	timed=$("$hwt" query --csv "$w/demo.db" "SELECT count(*) FROM calls
		WHERE call_time > 0" | tail -n 1)
	tsok=$("$hwt" export --perfetto - --clock time "$w/demo.db" |
		python3 -c 'import json, sys
x = [e for e in json.load(sys.stdin)["traceEvents"] if e["ph"] == "X"
     and e.get("cat") != "trace"]	# calls, not the [trace off] ranges
print(sum(1 for e in x if e["ts"] > 0))' 2>/dev/null)
	[ "${timed:-0}" -gt 0 ] && [ "${tsok:-0}" = "$timed" ] &&
		result "PASS: $t/demo-tsc-times ($timed calls timed, as many TSC slices)" ||
		result "FAIL: $t/demo-tsc-times ($timed calls timed, $tsok slices on the TSC clock)"
fi
[ "$arch" = x86_64 ] || exit $fail	# arm64's IFUNC PLT: issue 20
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
		result "PASS: $t/demo-plt-calls-named ($named)" ||
		result "FAIL: $t/demo-plt-calls-named ($entries entries, $named NAME@plt calls)"
else
	result "FAIL: $t/demo-plt-calls-named (no .plt in the demo)"
fi
exit $fail
