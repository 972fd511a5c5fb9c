#!/bin/sh
# The vDSO in a session (both architectures, the soft backend):
# tests/e2e/vdso/prog.c calls clock_gettime 20 times, which the C library
# runs in the kernel's vDSO, each followed by a call of its own work().
# Recorded in the VM, decoded on the host:
#   - the session holds images/[vdso] (the recorder's copy: hwtd/vdso.h)
#     and the decode maps it: no error, no gap;
#   - the vDSO's clock_gettime (symbols of the [vdso] binary) has 20
#     calls, work() 20: the decode went on past every vDSO call (without
#     the image the first one ended it: "no memory mapped at this
#     address", work() 0 times).
# usage: vdso.sh [x86_64|arm64]; PASS:/FAIL: lines, appended to
# $HWT_RESULTS/e2e.txt.
set -u
arch=${1:-x86_64}
case $arch in
x86_64) cc=gcc ;;
arm64) cc=aarch64-linux-gnu-gcc ;;
*) echo "usage: $0 [x86_64|arm64]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
t=e2e-vdso-$arch
w=$root/build/$t
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

if ! $cc -O2 -g -static -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wshadow -o "$w/prog" "$root/tests/e2e/vdso/prog.c"; then
	result "FAIL: $t/build"
	exit 1
fi
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/prog \
	HWT_VM_RECORD_OUT=$w/session HWT_VM_RECORD_OPTS="-b soft" \
	"$root/tests/vm/run.sh" "$arch" >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: $t/record (log: $w/vm.log)"
	exit 1
fi
if ! "$hwt" decode "$w/session" -o "$w/vdso.db" >"$w/decode.log" 2>&1; then
	result "FAIL: $t/decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
q() { "$hwt" query --csv "$w/vdso.db" "$1" | tail -n 1; }
ne=$(q "SELECT count(*) FROM errors")
vd=$(q "SELECT count(*) FROM binaries WHERE path LIKE '%/images/[vdso]'")
if [ -s "$w/session/images/[vdso]" ] && [ "$vd" = 1 ] && [ "$ne" = 0 ]; then
	result "PASS: $t/vdso-image-mapped ($(wc -c <"$w/session/images/[vdso]") bytes, 0 errors)"
else
	result "FAIL: $t/vdso-image-mapped (images: $(ls "$w/session/images" | tr '\n' ' '); [vdso] binaries $vd; errors $ne: $(q "SELECT message FROM errors LIMIT 1"))"
fi
cg=$(q "SELECT sum(ss.calls) FROM symbol_stats ss JOIN symbols s ON
	s.id = ss.symbol_id JOIN binaries b ON b.id = s.binary_id WHERE
	b.path LIKE '%/images/[vdso]' AND s.name LIKE '%clock_gettime'")
wk=$(q "SELECT calls FROM function_stats WHERE name = 'work'")
if [ "$cg" = 20 ] && [ "$wk" = 20 ]; then
	result "PASS: $t/calls-through-vdso (vDSO clock_gettime 20, work 20)"
else
	result "FAIL: $t/calls-through-vdso (vDSO clock_gettime '$cg', work '$wk'; want 20, 20)"
fi
