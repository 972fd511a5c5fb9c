#!/bin/sh
# Intel PT on real hardware, end to end (issue 10's acceptance where the
# CPU has PT; the project's machines do not, so there it prints one SKIP
# line saying why and exits 0).  The steps are tests/hw/lib.sh's, shared
# with tests/hw/coresight.sh:
#  - builds hwt.ko and hwt_intel_pt.ko for the running kernel and loads
#    them (unloaded again at the end);
#  - records samples/demo.c with hwt-collect -b intel_pt, plain and with
#    -x tsc,mtc=3, and with a one-function filter through
#    `hwt record -n -f fib`;
#  - decodes each and checks the demo's exact call counts (the filtered
#    one: only fib's instructions);
#  - CPU mode (hwt-collect -C 1): the demo process's exact call counts;
#  - ring mode: a 4 KiB flight recorder (hwt record -n -m ring -x psb=0)
#    around hwtd's acceptance driver's SIGSEGV: the ring wrapped, and the
#    replay ends on the faulting line (make -C hwtd check-vm-intel-pt
#    runs the same command on the emulated unit);
#  - where perf has the intel_pt PMU, records the same program with perf
#    and requires perf script's instruction addresses (its own decoder)
#    to equal `hwt replay --format addr` for the demo's own functions.
# PASS:/FAIL:/SKIP: lines; appended to $HWT_RESULTS/hw.txt.
# usage: tests/hw/intel_pt.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/hw.txt
be=intel_pt
cc=gcc
w=$root/build/hw/$be
hwt=$root/build/bin/hwt
collect=$root/build/bin/hwt-collect
mkdir -p "$(dirname "$res")"
. "$root/tests/hw/lib.sh"

[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 host"
grep -qw intel_pt /proc/cpuinfo || skip "no intel_pt in /proc/cpuinfo"
hw_preflight
hw_load "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
hw_demo plain
hw_demo timed -x tsc,mtc=3
hw_filter
hw_cpu_mode
# PSBFreq 0: a PSB+ every 2 KiB; 15000 rounds of the driver wrap 4 KiB.
hw_ring "-x psb=0" 15000
hw_same_as_perf intel_pt i0ns
exit $fail
