#!/bin/sh
# CoreSight on real hardware, end to end (issue 17's acceptance on an
# arm64 machine with ETE + TRBE, or ETMv4 with a TMC; the project's
# machines have none, so there it prints one SKIP line saying why and
# exits 0).  The steps are tests/hw/lib.sh's, shared with
# tests/hw/intel_pt.sh:
#  - builds hwt.ko and hwt_coresight.ko for the running kernel and loads
#    them (unloaded again at the end): hwt_coresight refuses to load
#    without a trace unit (a SKIP line); a unit Linux's coresight drivers
#    have claimed makes START fail with EBUSY (unbind them first:
#    docs/coresight-backend.md);
#  - records samples/demo.c with hwt-collect -b coresight, plain and
#    with timestamps (-x ts), and with a one-function filter through
#    `hwt record -n -f fib`; exact call counts (the filtered one: only
#    fib's instructions);
#  - CPU mode (hwt-collect -C 1): the demo process's exact call counts;
#  - ring mode: a 4 KiB flight recorder (hwt record -n -m ring -x sync=8)
#    around hwtd's acceptance driver's SIGSEGV: the ring wrapped, and the
#    replay ends on the faulting line (make -C hwtd check-vm-coresight
#    runs the same driver on the emulated unit);
#  - where perf has the cs_etm PMU, perf's own decode of the same program
#    (--itrace=i1i) equals `hwt replay` in the demo's own functions.
# Never run on hardware yet (none here).
# PASS:/FAIL:/SKIP: lines; appended to $HWT_RESULTS/hw.txt.
# usage: tests/hw/coresight.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/hw.txt
be=coresight
cc=gcc
w=$root/build/hw/$be
hwt=$root/build/bin/hwt
collect=$root/build/bin/hwt-collect
mkdir -p "$(dirname "$res")"
. "$root/tests/hw/lib.sh"

[ "$(uname -m)" = aarch64 ] || skip "not an arm64 host"
hw_preflight
hw_load "$(grep -m1 'CPU part' /proc/cpuinfo | sed 's/.*: /CPU part /')"
hw_demo plain
hw_demo timed -x ts
hw_filter
hw_cpu_mode
# A sync point every 2^8 bytes, as the VM's crash ring: 3000 rounds wrap.
hw_ring "-x sync=8" 3000
hw_same_as_perf cs_etm i1i
exit $fail
