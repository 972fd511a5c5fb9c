#!/bin/sh
# hwt's command-line conventions (issue 19): --version and --help on every
# binary and command (exit 0, on stdout), bad values refused with exit 2
# and a message naming the option, a session directory given where a
# decoded database is wanted answered with the command that makes one.
# PASS:/FAIL: lines.  Env: ROOT (repo), RESULTS (file to append to).
set -u
: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RESULTS:=$ROOT/build/results/hwt.txt}"
B=$ROOT/build/bin
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
mkdir -p "$(dirname "$RESULTS")"
fails=0
# expect NAME RC PATTERN CMD...: exit status RC, output matching PATTERN
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pat" "$T/out"; then
		echo "PASS: hwt/cli/$name" | tee -a "$RESULTS"
	else
		echo "FAIL: hwt/cli/$name (exit $rc, want $want; $(head -c 200 "$T/out"))" |
			tee -a "$RESULTS"
		fails=$((fails + 1))
	fi
}
v=$(cat "$ROOT/VERSION")
expect version-hwt 0 "^hwt $v\$" "$B/hwt" --version
expect version-hwtd 0 "^hwtd $v\$" "$B/hwtd" --version
expect version-hwt-collect 0 "^hwt-collect $v\$" "$B/hwt-collect" --version
expect help-hwtd 0 "^usage: hwtd" "$B/hwtd" --help
expect help-hwt-collect 0 "^usage: hwt-collect" "$B/hwt-collect" --help
expect help-hwt 0 "^usage: hwt COMMAND" "$B/hwt" --help
for c in decode replay report query export flamegraph record stop snapshot status info fsck; do
	expect "help-$c" 0 "^usage: hwt $c" "$B/hwt" "$c" --help
done
expect unknown-command 2 "unknown command 'frob'" "$B/hwt" frob
for n in abc -5 0 1000001; do
	expect "report-top-$n" 2 "--top $n: a number from 1 to 1000000" \
		"$B/hwt" report --top "$n" "$T/x.db"
done
expect report-sort-bad 2 "--sort frob: one of self, calls, total, name" \
	"$B/hwt" report --sort frob "$T/x.db"
expect report-thread-bad 2 "--thread x1: a thread id" \
	"$B/hwt" report --thread x1 "$T/x.db"
expect report-children-with-diff 2 "^usage: hwt report" \
	"$B/hwt" report --children --diff "$T/x.db" "$T/y.db"
expect replay-field-bad 2 "unknown field 'frob'" \
	"$B/hwt" replay -F ip,frob "$T/x.db"
expect record-size-abc 2 "-s abc: a size" "$B/hwt" record -s abc -o "$T/s" -- /bin/true
expect record-quota-abc 2 "-q 12Q: a size" "$B/hwt" record -q 12Q -o "$T/s" -- /bin/true
for n in abc -3 257 100000; do
	expect "decode-threads-$n" 2 "--threads $n: a number from 0" \
		"$B/hwt" decode --threads "$n" --pt /dev/null -o "$T/t.db"
done
# Every decode ends with one summary line (-q: none).  The corpus
# capture's 8 instructions are ptxed's count.
P=$ROOT/../shared/corpus/intel_pt/dynamorio-hello/test_simple.raw
expect decode-summary 0 "^hwt decode: 8 instructions in 1 stream (1 thread), 0 errors or gaps; 2272 trace bytes" \
	"$B/hwt" decode --pt "$P/pt.bin" --elf "$P/hello" -o "$T/sum.db"
"$B/hwt" decode -q --pt "$P/pt.bin" --elf "$P/hello" -o "$T/q.db" 2>"$T/q.err"
if [ ! -s "$T/q.err" ] && [ -s "$T/q.db" ]; then
	echo "PASS: hwt/cli/decode-quiet-says-nothing" | tee -a "$RESULTS"
else
	echo "FAIL: hwt/cli/decode-quiet-says-nothing" | tee -a "$RESULTS"
	fails=$((fails + 1))
fi
# A progress line while a decode runs on a terminal (script(1) gives it
# one): bytes done of the total, rewritten in place, cleared before the
# summary; none without a terminal or with -q.  The test switch lifts the
# half-second throttle so that a small trace shows it.
G=$T/gen
mkdir -p "$G"
if "$ROOT/build/decoder/ptgen" "$G" --min-bytes 1000000 --psb 4096 \
	--iters 1000 --no-truth >/dev/null 2>&1; then
	for mode in continuous segmented; do
		opt=--segmented
		[ $mode = continuous ] && opt="--threads 1"
		script -qec "$B/hwt decode $opt --test-progress-unthrottled \
--pt $G/pt.bin --elf $G/prog.elf -o $T/pr-$mode.db" /dev/null \
			>"$T/tty.out" 2>&1
		if grep -aq "hwt decode: 0\.[0-9] of 1\.0 MB ([0-9]*%), " "$T/tty.out" &&
		   tr '\r' '\n' <"$T/tty.out" | grep -aq "^.\[Khwt decode: 2158472 instructions"; then
			echo "PASS: hwt/cli/decode-progress-$mode" | tee -a "$RESULTS"
		else
			echo "FAIL: hwt/cli/decode-progress-$mode ($(head -c 200 "$T/tty.out"))" |
				tee -a "$RESULTS"
			fails=$((fails + 1))
		fi
	done
	"$B/hwt" decode --test-progress-unthrottled --pt "$G/pt.bin" \
		--elf "$G/prog.elf" -o "$T/pr-notty.db" 2>"$T/notty.err"
	script -qec "$B/hwt decode -q --test-progress-unthrottled --pt \
$G/pt.bin --elf $G/prog.elf -o $T/pr-q.db" /dev/null >"$T/q.out" 2>&1
	if [ "$(wc -l <"$T/notty.err")" = 1 ] && ! grep -q "MB (" "$T/notty.err" &&
	   [ ! -s "$T/q.out" ] && [ -s "$T/pr-q.db" ]; then
		echo "PASS: hwt/cli/decode-progress-only-on-a-terminal" | tee -a "$RESULTS"
	else
		echo "FAIL: hwt/cli/decode-progress-only-on-a-terminal ($(head -c 200 "$T/notty.err") / $(head -c 100 "$T/q.out"))" |
			tee -a "$RESULTS"
		fails=$((fails + 1))
	fi
else
	echo "FAIL: hwt/cli/decode-progress (ptgen)" | tee -a "$RESULTS"
	fails=$((fails + 1))
fi
# --elf/--raw with an input that names its own images is refused.
expect decode-elf-with-session 2 "a session names its own" \
	"$B/hwt" decode "$T/sess" --elf "$P/hello" -o "$T/e.db"
expect decode-raw-with-perf-data 2 "a perf.data names its own" \
	"$B/hwt" decode --perf-data "$P/pt.bin" --raw "$P/hello:0x1000" -o "$T/e.db"
# A session directory where a decoded database is wanted.
mkdir "$T/sess" && : >"$T/sess/session.db"
for c in replay report; do
	expect "$c-of-a-session" 1 "hwt decode $T/sess -o OUT.db" "$B/hwt" "$c" "$T/sess"
done
expect query-of-a-session 1 "hwt decode $T/sess -o OUT.db" "$B/hwt" query "$T/sess" "SELECT 1"
expect export-of-a-session 1 "hwt decode $T/sess -o OUT.db" "$B/hwt" export --bolt "$T/o" "$T/sess"
expect export-no-format 2 "^usage: hwt export" "$B/hwt" export "$T/x.db"
expect export-two-formats 2 "one of --autofdo, --bolt, --profgen, --perfetto and --perf-data" "$B/hwt" export --bolt "$T/o" --autofdo "$T/p" "$T/x.db"
expect export-perfetto-with-sample 2 "with --perfetto" "$B/hwt" export --perfetto "$T/o" --sample 3 "$T/x.db"
expect export-bolt-with-clock 2 "with --perfetto" "$B/hwt" export --bolt "$T/o" --clock time "$T/x.db"
expect export-perf-data-with-sample 2 "--perf-data takes no other option" "$B/hwt" export --perf-data "$T/o" --sample 3 "$T/sess"
expect export-perfetto-clock-abc 2 "--clock abc: insn or time" "$B/hwt" export --perfetto "$T/o" --clock abc "$T/x.db"
expect export-perfetto-max-events-x 2 "--max-events x: a number" "$B/hwt" export --perfetto "$T/o" --max-events x "$T/x.db"
for n in 0 abc 1000000001; do
	expect "export-sample-$n" 2 "--sample $n: a number from 1" "$B/hwt" export --bolt "$T/o" --sample "$n" "$T/x.db"
done
expect report-diff-one-db 2 "^usage: hwt report" "$B/hwt" report --diff "$T/x.db"
expect report-diff-of-a-session 1 "hwt decode $T/sess -o OUT.db" "$B/hwt" report --diff "$T/sess" "$T/sess"
expect report-latency-and-diff 2 "^usage: hwt report" "$B/hwt" report --latency f --diff "$T/x.db" "$T/x.db"
expect report-latency-empty 2 "^usage: hwt report" "$B/hwt" report --latency "" "$T/x.db"
expect replay-calls-with-format 2 "^usage: hwt replay" "$B/hwt" replay --calls --format addr "$T/x.db"
expect replay-func-without-calls 2 "^usage: hwt replay" "$B/hwt" replay --func main "$T/x.db"
expect flamegraph-of-a-session 1 "hwt decode $T/sess -o OUT.db" "$B/hwt" flamegraph --folded "$T/sess"
expect flamegraph-no-format 2 "^usage: hwt flamegraph" "$B/hwt" flamegraph "$T/x.db"
expect flamegraph-two-formats 2 "^usage: hwt flamegraph" "$B/hwt" flamegraph --folded --svg "$T/o.svg" "$T/x.db"
expect flamegraph-svg-and-o 2 "^usage: hwt flamegraph" "$B/hwt" flamegraph --svg "$T/o.svg" -o "$T/o" "$T/x.db"
for n in abc -1 2147483648; do
	expect "flamegraph-thread-$n" 2 "--thread $n: a thread id" "$B/hwt" flamegraph --folded --thread "$n" "$T/x.db"
done
expect replay-of-a-directory 1 "is a directory, not a decoded database" "$B/hwt" replay "$T"
[ "$fails" = 0 ]
