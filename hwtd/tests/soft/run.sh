#!/bin/sh
# hwtd with the soft backend, end to end: driver.c records in the VM (via
# hwtd, via hwt-collect, with a one-function filter, a flight recorder
# around a crash); the sessions come back to the host and are decoded with
# the host's hwt.  Prints PASS:/FAIL: lines; exit 1 if any failed.
#   hwtd/tests/soft/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
B=$root/build/hwtd/soft
HWT=$root/build/bin/hwt
fails=0
res() {
	echo "$1"
	case $1 in FAIL:*) fails=$((fails + 1)) ;; esac
}
mkdir -p "$B"
gcc -static -O1 -g -no-pie -Wall -Wextra -Werror -I "$root/include" -o "$B/driver" \
	"$here/driver.c" || exit 1
rm -rf "$B/out" "$B"/*.db
HWT_RESULTS=$B/results HWT_VM_RECORD_PROG=$B/driver HWT_VM_RECORD_ARGS=drive \
	HWT_VM_RECORD_OUT=$B/out HWT_VM_RECORD_OPTS="-b null" \
	"$root/tests/vm/run.sh" x86_64 >"$B/vm.log" 2>&1
if [ ! -d "$B/out/sub" ]; then
	res "FAIL: hwtd/soft (no sessions came back; see $B/vm.log)"
	exit 1
fi
grep -a '^driver: \|\[record\] driver' "$root/build/vm-x86_64/console.log" |
	tr -d '\r' | sed 's/^/  /'
for s in hwtd collect filter crash killed; do
	if ! "$HWT" decode "$B/out/sub/$s" -q -o "$B/$s.db" \
		>"$B/$s.decode.log" 2>&1; then
		res "FAIL: hwtd/soft/decode-$s (see $B/$s.decode.log)"
	fi
done

# 1. The same program recorded through hwtd and by hwt-collect decodes to
# the same instructions.
"$HWT" replay "$B/hwtd.db" --format addr >"$B/hwtd.addr" 2>/dev/null
"$HWT" replay "$B/collect.db" --format addr >"$B/collect.addr" 2>/dev/null
n=$(wc -l <"$B/hwtd.addr")
if [ "$n" -gt 1000 ] && cmp -s "$B/hwtd.addr" "$B/collect.addr"; then
	res "PASS: hwtd/soft/same-as-hwt-collect ($n instructions)"
else
	res "FAIL: hwtd/soft/same-as-hwt-collect ($n vs $(wc -l <"$B/collect.addr") instructions)"
fi

# 2. A filter on hot_function: every traced instruction is in it (nm).
set -- $(nm -S "$B/driver" | awk '$4 == "hot_function" { print $1, $2 }')
lo=$((0x$1)) hi=$((0x$1 + 0x$2))
"$HWT" replay "$B/filter.db" --format addr >"$B/filter.addr" 2>/dev/null
n=$(wc -l <"$B/filter.addr")
out=0
while read -r a _; do
	v=$((0x$a))
	[ "$v" -ge "$lo" ] && [ "$v" -lt "$hi" ] || out=$((out + 1))
done <"$B/filter.addr"
if [ "$n" -gt 0 ] && [ "$out" = 0 ]; then
	res "PASS: hwtd/soft/filter-one-function ($n instructions, all in hot_function)"
else
	res "FAIL: hwtd/soft/filter-one-function ($n instructions, $out outside hot_function)"
fi

# 3. Flight recorder: the dump after the SIGSEGV ends at the faulting line.
line=$(grep -n 'CRASH_LINE \*/' "$here/driver.c" | cut -d: -f1)
# The last instruction line ("[...]" lines are decoder diagnostics: it
# reports the ring's WRAP records, whose stream_offset is the kernel's head,
# past the stored bytes, as errors at the end).
last=$("$HWT" replay "$B/crash.db" --format line 2>/dev/null | grep -v '^\[' |
	tail -n 1)
q() { sqlite3 "$B/out/sub/crash/session.db" "$1" 2>/dev/null; }
state=$(q "SELECT value FROM meta WHERE key = 'state'")
bytes=$(q "SELECT SUM(bytes) FROM streams")
gap=$(q "SELECT SUM(lost_before) FROM chunks")
case $last in
*driver.c:"$line"*)
	if [ "$state" = crashed ] && [ "$bytes" -le 4096 ] && [ "$gap" -gt 0 ]; then
		res "PASS: hwtd/soft/crash-replay-ends-at-fault (state $state, last $bytes bytes of a wrapped 4K ring after a $gap-byte gap, $last)"
	else
		res "FAIL: hwtd/soft/crash-replay-ends-at-fault (state $state, $bytes bytes, gap $gap: want crashed, <= 4096, a gap)"
	fi ;;
*)	res "FAIL: hwtd/soft/crash-replay-ends-at-fault (state $state, last line '$last', want driver.c:$line)" ;;
esac

# 4. kill -9 of hwtd mid-session: fsck'd in the guest, consistent, decodes.
st=$(sqlite3 "$B/out/sub/killed/session.db" \
	"SELECT value FROM meta WHERE key = 'state'" 2>/dev/null)
n=$("$HWT" replay "$B/killed.db" --format addr 2>/dev/null | grep -vc '^\[')
if [ "$st" = interrupted ] && "$HWT" info "$B/out/sub/killed" >/dev/null &&
	"$HWT" fsck "$B/out/sub/killed" >/dev/null && [ "$n" -gt 1000 ]; then
	res "PASS: hwtd/soft/kill-9-session-decodes ($n instructions)"
else
	res "FAIL: hwtd/soft/kill-9-session-decodes (state $st, $n instructions)"
fi
[ "$fails" = 0 ]
