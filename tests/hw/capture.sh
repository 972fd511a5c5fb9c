#!/bin/sh
# Records real Intel PT traces on a host that has PT (run where the
# kernel's intel_pt PMU exists; the project's own machines have none).
# Needs build/hw/{ptcap,demo,hwload} (tests/hw/Makefile, static).
# usage: tests/hw/capture.sh OUTDIR
# Writes OUTDIR/host.txt and, when PT is there, OUTDIR/*.tar.xz: one
# directory per capture (pt.bin, info, the program's stdout).
out=${1:?usage: capture.sh OUTDIR}
B=$(cd "$(dirname "$0")/../.." && pwd)/build/hw
{
	uname -a
	grep -m1 'model name' /proc/cpuinfo
	echo "perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid)"
	ls /sys/bus/event_source/devices/
} >"$out/host.txt" 2>&1
cat "$out/host.txt"
[ -d /sys/bus/event_source/devices/intel_pt ] || { echo NO_INTEL_PT; exit 0; }
cd "$out" || exit 1
cap() {	# name flags prog args...
	n=$1 f=$2
	shift 2
	mkdir -p "$n"
	"$B/ptcap" -a 64 -c "$f" "$n" "$@" >"$n/stdout" 2>"$n/stderr"
	echo "== $n rc=$?"
	cat "$n/info" "$n/stderr"
}
cap demo pt,branch,tsc "$B/demo"
cap demo-mtc pt,branch,tsc,mtc "$B/demo"
cap demo-nrc pt,branch,noretcomp "$B/demo"
cap load pt,branch,tsc,mtc "$B/hwload" 3
tar cJf demo.tar.xz demo demo-mtc demo-nrc
XZ_OPT=-T16 tar cJf load.tar.xz load
ls -l
