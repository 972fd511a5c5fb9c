#!/bin/sh
# Host half of the soft backend's VM test, run by tests/vm/run.sh after the
# guest: decode the PT that tests/vm/guest/soft_trace printed on the console
# with libipt (no static libipt for the guest in Debian) against the same
# guest binary, and compare with the guest's ptrace ground truth; on arm64
# the ETE that tests/vm/guest/soft_a64 printed, with OpenCSD.
# usage: vm-post.sh ARCH BUILD_DIR; prints PASS:/FAIL: lines.
arch=$1
B=$2
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "$arch" = arm64 ]; then
	# The ETE that tests/vm/guest/soft_a64 printed, decoded by OpenCSD.
	[ -f "$here/../../tests/vm/guest/soft_a64.c" ] &&
		[ -f "$B/guest/soft_a64" ] || exit 0
	if ! make -s -C "$here" "$here/build/ete_vmcheck" >"$B/ete_vmcheck-build.log" 2>&1; then
		echo "FAIL: soft/a64/vm/build_ete_vmcheck (see $B/ete_vmcheck-build.log)"
		exit 0
	fi
	"$here/build/ete_vmcheck" "$B/console.log" "$B/guest" \
		"SOFTA64:a64" "soft/a64/vm"
	# One dump per case of the guest tests built on soft_a64_gt.h; a
	# case the guest did not dump fails here.
	for t in "soft_a64_excl asm glibc edges" "soft_a64_sys sys" \
		"soft_a64_ring ring" "soft_a64_mt mt mt2" \
		"soft_a64_filt filt1 filt2"; do
		set -- $t
		prog=$1
		shift
		[ -f "$here/../../tests/vm/guest/$prog.c" ] &&
			[ -f "$B/guest/$prog" ] || continue
		for c in "$@"; do
			"$here/build/ete_vmcheck" "$B/console.log" "$B/guest" \
				"SOFTA64:$c" "soft/a64x/$c/vm"
		done
	done
	exit 0
fi
[ "$arch" = x86_64 ] || exit 0
# Only when the guest tests exist (a stale binary in $B is not a run).
[ -f "$here/../../tests/vm/guest/soft_trace.c" ] &&
	[ -f "$B/guest/soft_trace" ] || exit 0
if ! make -s -C "$here" "$here/build/soft_vmcheck" >"$B/soft_vmcheck-build.log" 2>&1; then
	echo "FAIL: soft/vm/build_soft_vmcheck (see $B/soft_vmcheck-build.log)"
	exit 0
fi
"$here/build/soft_vmcheck" "$B/console.log" "$B/guest"
exit 0
