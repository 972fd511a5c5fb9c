#!/bin/sh
# make demo: trace samples/demo.c in the test VM (Debian's kernel under
# QEMU, with hwt + the soft backend), decode the trace into SQLite and
# print a report.  Everything lands in build/demo/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/demo
hwt=$root/build/bin/hwt
rm -rf "$out"
mkdir -p "$out"

echo "== building the sample program (samples/demo.c, static)"
gcc -O2 -g -static -fno-optimize-sibling-calls -o "$out/demo" \
	"$root/samples/demo.c"

backend=soft
if [ ! -f "$root/backends/soft/Kbuild" ]; then
	backend=null
	echo "== NOTE: the soft backend (backends/soft) has not landed yet."
	echo "   Recording with the null test backend instead: this shows the"
	echo "   kernel framework, collector and trace store working, but there"
	echo "   are no instructions to decode until the soft backend exists."
fi

echo "== recording it in the VM with the $backend backend (make vm-record)"
HWT_RESULTS=$out/results HWT_VM_RECORD_PROG=$out/demo \
	HWT_VM_RECORD_OUT=$out/session HWT_VM_RECORD_OPTS="-b $backend" \
	"$root/tests/vm/run.sh" x86_64 >"$out/vm.log" 2>&1 || {
	tail -n 20 "$out/vm.log"
	echo "demo: recording failed (log: $out/vm.log)" >&2
	exit 1
}
"$hwt" info "$out/session"

if [ "$backend" = null ]; then
	echo "== done (null backend: nothing to decode). Session: $out/session"
	exit 0
fi

echo "== decoding into SQLite (hwt decode)"
"$hwt" decode "$out/session" -o "$out/demo.db"
echo "== report (hwt report --top 8; first 50 lines)"
"$hwt" report --top 8 "$out/demo.db" >"$out/report.txt"
head -n 50 "$out/report.txt"
echo "   ... (whole report: $out/report.txt)"
echo "== function_stats for the sample's own functions (expected calls:"
echo "   fib 465, mix 64, square 16, cube 16, apply 2, checksum/run_all/main 1)"
"$hwt" query "$out/demo.db" "SELECT name, calls, insn_count FROM function_stats
	WHERE name IN ('main','run_all','fib','checksum','mix','apply','square','cube')
	ORDER BY insn_count DESC"
echo "== done: $out/demo.db (try: $hwt replay $out/demo.db --format line | less)"
