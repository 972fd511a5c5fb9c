#!/bin/sh
# Host half of tests/vm/guest/cs_emu.c, run by tests/vm/run.sh after the
# guest: the ETE each thread's TRBE buffer held (printed on the console as
# "SOFTA64:<case>" dumps, as the soft backend's arm64 tests do) is decoded
# by OpenCSD against the same guest binary and compared with the thread's
# ptrace ground truth, by the soft backend's checker (ete_vmcheck).
# usage: vm-post.sh ARCH BUILD_DIR; prints PASS:/FAIL: lines.
arch=$1
B=$2
here=$(cd "$(dirname "$0")/.." && pwd)
soft=$(cd "$here/../soft" && pwd)
[ "$arch" = arm64 ] || exit 0
# Only when the guest test exists (a stale binary in $B is not a run).
[ -f "$here/../../tests/vm/guest/cs_emu.c" ] && [ -f "$B/guest/cs_emu" ] ||
	exit 0
if ! make -s -C "$soft" "$soft/build/ete_vmcheck" >"$B/cs-ete_vmcheck-build.log" 2>&1; then
	echo "FAIL: cs/emu/vm/build_ete_vmcheck (see $B/cs-ete_vmcheck-build.log)"
	exit 0
fi
# The single-threaded workload, both threads of the two-thread one, the
# flight recorder's tail, the two address filters, the three tasks of
# CPU mode (main thread, second thread, second process); then the first
# two and CPU mode on the unit row "all"; then ETMv4 in TMC frames through
# an ETR with scatter-gather (e4sg), a contiguous one (e4fl), and an ETF
# (e4etf), and CPU mode's three tasks through e4sg and e4etf; then CPU
# mode's three tasks through one ETR shared behind funnels by both CPUs
# (e4sh: thread mode's two workloads, pinned to CPU 0; CPU mode's whole
# buffer, each task's runs and trace ID), CPU mode's the same behind
# Juno r1's ETF and replicator (e4jr), and CPU mode's
# flight recorder around a crash through the TRBE and the ETR (the last
# two, dumped by cs_emu_shared).
for c in cs_demo cs_mt cs_mt2 cs_ring cs_filt1 cs_filt2 cs_cpu cs_cpu2 \
	cs_cpu_proc cs_all_demo cs_all_mt cs_all_mt2 cs_all_cpu cs_all_cpu2 \
	cs_all_cpu_proc cs_e4sg_demo cs_e4sg_mt cs_e4sg_mt2 cs_e4fl_demo \
	cs_e4fl_mt cs_e4fl_mt2 cs_e4etf_demo cs_e4etf_mt cs_e4etf_mt2 \
	cs_e4sg_cpu cs_e4sg_cpu2 cs_e4sg_cpu_proc cs_e4etf_cpu cs_e4etf_cpu2 \
	cs_e4etf_cpu_proc cs_e4sh_demo cs_e4sh_mt cs_e4sh_mt2 cs_e4sh_cpu \
	cs_e4sh_cpu2 cs_e4sh_cpu_proc cs_e4jr_cpu cs_e4jr_cpu2 cs_e4jr_cpu_proc \
	cs_cpu_ring cs_e4sg_cpu_ring cs_fill cs_ring4k; do
	out=$("$soft/build/ete_vmcheck" "$B/console.log" "$B/guest" \
		"SOFTA64:$c" "cs/emu/$c/vm")
	echo "$out"
	# A later VM boot rewrites console.log: keep the dump a failure
	# was read from.
	case $out in
	*FAIL:*) cp "$B/console.log" "$B/console-fail-$c.log" ;;
	esac
done
exit 0
