#!/bin/sh
# hwt export --perf-data against perf (issue 18): the two-thread session
# of tests/e2e/dyn (soft backend, recorded in the x86 VM by dyn_counts.sh:
# reused when it is there, recorded once otherwise) is exported as a
# perf.data; Debian's perf (its own Intel PT decoder, not libipt) must
# print, per thread, the very instructions hwt replays of the session's
# decode (perf script --itrace=i0ns -F tid,ip), and hwt decode of the
# exported file must give the session's replay per thread and its
# function_stats.  PASS:/FAIL:/SKIP: lines, appended to
# $HWT_RESULTS/e2e.txt.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
hwt=$root/build/bin/hwt
dyn=$root/build/e2e-dyn
w=$root/build/e2e-perf-export
mkdir -p "$(dirname "$res")"
result() { echo "$1" | tee -a "$res"; }

if ! command -v perf >/dev/null 2>&1; then
	result "SKIP: e2e/perf-export (no perf: apt-get install linux-perf)"
	exit 0
fi
if [ ! -f "$dyn/session/session.db" ]; then
	HWT_RESULTS=$w/dyn-results "$root/tests/e2e/dyn_counts.sh" \
		>/dev/null 2>&1
fi
s=$dyn/session
if [ ! -f "$s/session.db" ]; then
	result "FAIL: e2e/perf-export-session (no session: see $dyn/vm.log)"
	exit 1
fi
rm -rf "$w"
mkdir -p "$w/db"
if ! "$hwt" decode -q "$s" -o "$w/db/sess.db" >"$w/decode.log" 2>&1; then
	result "FAIL: e2e/perf-export-decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
if ! "$hwt" export --perf-data "$w/out.data" "$s" >"$w/export.log" 2>&1
then
	result "FAIL: e2e/perf-export-write ($(tail -n 1 "$w/export.log"))"
	exit 1
fi
result "PASS: e2e/perf-export-write"

tids=$("$hwt" query --csv "$w/db/sess.db" \
	"SELECT DISTINCT tid FROM streams ORDER BY tid" | tail -n +2)
[ "$(echo "$tids" | wc -w)" = 2 ] ||
	result "FAIL: e2e/perf-export-two-threads (threads: $tids)"

# perf's decode: the binaries are the session's copies (--symfs), found
# by the build ids the file records.
perf script -i "$w/out.data" --itrace=i0ns -F tid,ip \
	--symfs "$s/images" >"$w/perf.txt" 2>"$w/perf.err"
"$hwt" decode -q "$w/out.data" --symfs "$s/images" -o "$w/db/export.db" \
	>"$w/decode-export.log" 2>&1 ||
	result "FAIL: e2e/perf-export-decode-export ($(tail -n 1 \
		"$w/decode-export.log"))"
for t in $tids; do
	"$hwt" replay "$w/db/sess.db" --thread "$t" --format addr \
		>"$w/hwt-$t.txt"
	awk -v t="$t" '$1 == t { printf "%16s\n", $2 }' "$w/perf.txt" |
		tr ' ' 0 >"$w/perf-$t.txt"
	n=$(wc -l <"$w/hwt-$t.txt")
	if [ "$n" -gt 0 ] && cmp -s "$w/hwt-$t.txt" "$w/perf-$t.txt"; then
		result "PASS: e2e/perf-export-perf-script-tid-$t ($n instructions)"
	else
		result "FAIL: e2e/perf-export-perf-script-tid-$t (hwt $n, perf \
$(wc -l <"$w/perf-$t.txt") instructions; first difference: \
$(cmp "$w/hwt-$t.txt" "$w/perf-$t.txt" 2>&1 | head -n 1))"
	fi
	"$hwt" replay "$w/db/export.db" --thread "$t" --format addr \
		>"$w/export-$t.txt" 2>&1
	if [ "$n" -gt 0 ] && cmp -s "$w/hwt-$t.txt" "$w/export-$t.txt"; then
		result "PASS: e2e/perf-export-redecode-tid-$t ($n instructions)"
	else
		result "FAIL: e2e/perf-export-redecode-tid-$t (session $n, \
export $(wc -l <"$w/export-$t.txt") instructions)"
	fi
done
for db in sess export; do
	"$hwt" query --csv "$w/db/$db.db" "SELECT name, calls, insn_count FROM
		function_stats ORDER BY name" >"$w/fs-$db.csv"
done
if [ -s "$w/fs-sess.csv" ] && cmp -s "$w/fs-sess.csv" "$w/fs-export.csv"
then
	result "PASS: e2e/perf-export-redecode-function-stats \
($(($(wc -l <"$w/fs-sess.csv") - 1)) functions)"
else
	result "FAIL: e2e/perf-export-redecode-function-stats (see \
$w/fs-sess.csv, $w/fs-export.csv)"
fi
errs=$("$hwt" query --csv "$w/db/export.db" "SELECT COUNT(*) FROM errors" |
	tail -n 1)
[ "$errs" = 0 ] && result "PASS: e2e/perf-export-redecode-no-errors" ||
	result "FAIL: e2e/perf-export-redecode-no-errors ($errs errors rows)"
exit 0
