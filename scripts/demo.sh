#!/bin/sh
# make demo [ARCH=arm64]: trace samples/demo.c in the test VM (Debian's
# kernel under QEMU, with hwt + the soft backend), decode the trace into
# SQLite and print a report.  Everything lands in build/demo/ (x86-64) or
# build/demo-arm64/ (arm64: the soft backend writes ETE there, decoded
# with OpenCSD).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-x86_64}
hwt=$root/build/bin/hwt
case $arch in
x86_64) out=$root/build/demo cc=gcc ;;
arm64) out=$root/build/demo-arm64 cc=aarch64-linux-gnu-gcc ;;
*) echo "usage: $0 [x86_64|arm64]" >&2; exit 2 ;;
esac
rm -rf "$out"
mkdir -p "$out"

echo "== building the sample program (samples/demo.c, static, $arch)"
$cc -O2 -g -static -fno-optimize-sibling-calls -o "$out/demo" \
	"$root/samples/demo.c"

backend=soft
if [ ! -f "$root/backends/soft/Kbuild" ]; then
	backend=null
	echo "== NOTE: the soft backend (backends/soft) has not landed yet."
	echo "   Recording with the null test backend instead: this shows the"
	echo "   kernel framework, collector and trace store working, but there"
	echo "   are no instructions to decode until the soft backend exists."
fi

echo "== recording it in the $arch VM with the $backend backend (make vm-record)"
HWT_RESULTS=$out/results HWT_VM_RECORD_PROG=$out/demo \
	HWT_VM_RECORD_OUT=$out/session HWT_VM_RECORD_OPTS="-b $backend" \
	"$root/tests/vm/run.sh" "$arch" >"$out/vm.log" 2>&1 || {
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
echo "== flame graph and timeline"
"$hwt" flamegraph "$out/demo.db" --folded -o "$out/demo.folded"
"$hwt" flamegraph "$out/demo.db" --svg "$out/demo.svg"
"$hwt" export --perfetto "$out/demo.json" "$out/demo.db"
echo "   $out/demo.svg: an interactive flame graph (open it in a browser)"
echo "   $out/demo.folded: folded stacks (flamegraph.pl, inferno, speedscope.app)"
echo "   $out/demo.json: a timeline for ui.perfetto.dev or chrome://tracing"
echo "== done: $out/demo.db (try: $hwt replay $out/demo.db --format line | less)"
