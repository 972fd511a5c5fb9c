#!/bin/sh
# hwtd with the soft backend, end to end: driver.c records in the VM (via
# hwtd, via hwt-collect, with a one-function filter, a flight recorder
# around a crash); the sessions come back to the host and are decoded with
# the host's hwt.  Prints PASS:/FAIL: lines; exit 1 if any failed.
#   hwtd/tests/soft/run.sh [x86_64|arm64|coresight|intel_pt]
# (arm64: the soft backend's ETE half, decoded with OpenCSD; results are
# named hwtd/soft-arm64/...; coresight: the same in the arm64 VM through
# hwt_coresight over the emulated ETE + TRBE, hwtd/coresight/...;
# intel_pt: in the x86 VM through hwt_intel_pt over the emulated Kaby
# Lake PT unit, hwtd/intel_pt/...)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
arch=${1:-x86_64}
backend=soft
csemu=""
ptemu=""
case $arch in
x86_64) cc=gcc t=hwtd/soft B=$root/build/hwtd/soft ;;
arm64) cc=aarch64-linux-gnu-gcc t=hwtd/soft-arm64 B=$root/build/hwtd/soft-arm64 ;;
coresight) arch=arm64 cc=aarch64-linux-gnu-gcc t=hwtd/coresight \
	B=$root/build/hwtd/coresight backend=coresight csemu=soft-ete ;;
intel_pt) arch=x86_64 cc=gcc t=hwtd/intel_pt B=$root/build/hwtd/intel_pt \
	backend=intel_pt ptemu=kabylake ;;
*) echo "usage: $0 [x86_64|arm64|coresight|intel_pt]" >&2; exit 2 ;;
esac
HWT=$root/build/bin/hwt
fails=0
res() {
	echo "$1"
	case $1 in FAIL:*) fails=$((fails + 1)) ;; esac
}
# Symbols as "ADDR SIZE NAME" of the driver's functions (readelf reads
# either architecture's ELF).
funcs() {
	readelf -sW "$B/driver" | awk '$4 == "FUNC" { print $2, $3, $8 }'
}
mkdir -p "$B"
$cc -static -O1 -g -no-pie -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow \
	-I "$root/include" -o "$B/driver" \
	"$here/driver.c" || exit 1
rm -rf "$B/out" "$B"/*.db
HWT_RESULTS=$B/results HWT_VM_RECORD_PROG=$B/driver \
	HWT_VM_RECORD_ARGS="drive $backend" HWT_VM_CS_EMU=$csemu \
	HWT_VM_PT_EMU=$ptemu \
	HWT_VM_RECORD_OUT=$B/out HWT_VM_RECORD_OPTS="-b null" \
	"$root/tests/vm/run.sh" "$arch" >"$B/vm.log" 2>&1
if [ ! -d "$B/out/sub" ]; then
	# Why, where the log will not be kept (CI): the VM's verdict, the
	# lines before it (a hang's console tail, a failed recording).
	tr -d '\r' <"$B/vm.log" | tail -n 25 | sed 's/^/  /'
	res "FAIL: $t (no sessions came back; see $B/vm.log)"
	exit 1
fi
grep -a '^driver: \|\[record\] driver' "$root/build/vm-$arch/console.log" |
	tr -d '\r' | sed 's/^/  /'
for s in hwtd collect filter crash crash-local killed; do
	if ! "$HWT" decode "$B/out/sub/$s" -q -o "$B/$s.db" \
		>"$B/$s.decode.log" 2>&1; then
		res "FAIL: $t/decode-$s (see $B/$s.decode.log)"
	fi
done

# 1. The same program recorded through hwtd and by hwt-collect decodes to
# the same instructions in the program's own code.  Only there: the static
# C library's string functions take alignment-dependent paths (page-cross
# checks on stack strings), and the stack is randomized per exec, so whole
# runs may differ by a few instructions in libc (seen: 13979 vs 13995).
own_code() {
	funcs | awk '$3 == "main" || $3 == "work" || $3 == "hot_function" ||
		$3 == "cold_function" { print $1, $2 }' |
	while read -r start size; do
		printf '%016x %016x\n' $((0x$start)) $((0x$start + size))
	done
}
own_code >"$B/own.ranges"
"$HWT" replay "$B/hwtd.db" --format addr >"$B/hwtd.addr" 2>/dev/null
"$HWT" replay "$B/collect.db" --format addr >"$B/collect.addr" 2>/dev/null
for s in hwtd collect; do
	# Same-width lower-case hex compares as strings.
	awk 'NR == FNR { lo[NR] = $1; hi[NR] = $2; n = NR; next }
	     { for (i = 1; i <= n; i++)
		   if ($1 >= lo[i] && $1 < hi[i]) { print; next } }' \
		"$B/own.ranges" "$B/$s.addr" >"$B/$s.own.addr"
done
n=$(wc -l <"$B/hwtd.own.addr")
echo "INFO: $t: $(wc -l <"$B/hwtd.addr") vs $(wc -l <"$B/collect.addr") instructions in all, $(wc -l <"$B/own.ranges") own functions"
# Both start at the ELF entry point and end on the same instruction (the
# exit_group syscall): neither recording began late or stopped early.
entry=$(printf '%016x' "$(readelf -h "$B/driver" | awk '/Entry point/ { print $4 }')")
ends_ok=1
for s in hwtd collect; do
	[ "$(head -n 1 "$B/$s.addr")" = "$entry" ] || ends_ok=0
done
[ "$(tail -n 1 "$B/hwtd.addr")" = "$(tail -n 1 "$B/collect.addr")" ] || ends_ok=0
if [ "$(wc -l <"$B/own.ranges")" = 4 ] && [ "$n" -gt 500 ] &&
	[ "$ends_ok" = 1 ] &&
	cmp -s "$B/hwtd.own.addr" "$B/collect.own.addr"; then
	res "PASS: $t/same-as-hwt-collect ($n instructions in the program's code)"
else
	res "FAIL: $t/same-as-hwt-collect ($n vs $(wc -l <"$B/collect.own.addr") instructions in the program's code; entry and exit agree: $ends_ok)"
fi

# 2. A filter on hot_function: every traced instruction is in it (nm).
set -- $(funcs | awk '$3 == "hot_function" { print $1, $2 }')
lo=$((0x$1)) hi=$((0x$1 + $2))
"$HWT" replay "$B/filter.db" --format addr >"$B/filter.addr" 2>/dev/null
n=$(wc -l <"$B/filter.addr")
out=0
while read -r a _; do
	v=$((0x$a))
	[ "$v" -ge "$lo" ] && [ "$v" -lt "$hi" ] || out=$((out + 1))
done <"$B/filter.addr"
if [ "$n" -gt 0 ] && [ "$out" = 0 ]; then
	res "PASS: $t/filter-one-function ($n instructions, all in hot_function)"
else
	res "FAIL: $t/filter-one-function ($n instructions, $out outside hot_function)"
fi

# 3. Flight recorder: the dump after the SIGSEGV ends at the faulting line,
# through hwtd (crash) and in `hwt record -n` (crash-local).
. "$here/crash_ring.sh"
for c in crash crash-local; do
	res "$(crash_ring_verdict "$t/$c-replay-ends-at-fault" "$HWT" \
		"$B/$c.db" "$B/out/sub/$c" "$here/driver.c")"
done

# 4. kill -9 of hwtd mid-session: fsck'd in the guest, consistent, decodes.
st=$(sqlite3 "$B/out/sub/killed/session.db" \
	"SELECT value FROM meta WHERE key = 'state'" 2>/dev/null)
n=$("$HWT" replay "$B/killed.db" --format addr 2>/dev/null | grep -vc '^\[')
if [ "$st" = interrupted ] && "$HWT" info "$B/out/sub/killed" >/dev/null &&
	"$HWT" fsck "$B/out/sub/killed" >/dev/null && [ "$n" -gt 1000 ]; then
	res "PASS: $t/kill-9-session-decodes ($n instructions)"
else
	res "FAIL: $t/kill-9-session-decodes (state $st, $n instructions)"
fi
[ "$fails" = 0 ]
