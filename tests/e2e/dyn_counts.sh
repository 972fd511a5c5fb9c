#!/bin/sh
# End to end with a dynamically linked program (issue 19): a two-thread
# program calling a shared library of ours through the PLT and a library
# it loads with dlopen (tests/e2e/dyn/), recorded in the VM with the soft
# backend (the guest gets the loader and libraries at their host paths),
# decoded on the host; function_stats must give the call counts the
# program's structure fixes (tests/e2e/dyn/prog.c).  PASS:/FAIL: lines,
# appended to $HWT_RESULTS/e2e.txt.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
res=${HWT_RESULTS:-$root/build/results}/e2e.txt
w=$root/build/e2e-dyn
src=$root/tests/e2e/dyn
hwt=$root/build/bin/hwt
mkdir -p "$(dirname "$res")"
rm -rf "$w"
mkdir -p "$w"
result() { echo "$1" | tee -a "$res"; }

cflags="-O2 -g -fno-optimize-sibling-calls -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow"
# shellcheck disable=SC2086
if ! gcc $cflags -shared -fPIC -o "$w/libdyn.so" "$src/libdyn.c" ||
	! gcc $cflags -shared -fPIC -o "$w/plugin.so" "$src/plugin.c" ||
	! gcc $cflags -o "$w/prog" "$src/prog.c" -L"$w" -ldyn \
		-Wl,-rpath,"$w" -pthread -ldl; then
	result "FAIL: e2e/dyn-build"
	exit 1
fi
if ! HWT_RESULTS=$w/vm-results HWT_VM_RECORD_PROG=$w/prog \
	HWT_VM_RECORD_ARGS="$w/plugin.so" HWT_VM_RECORD_FILES="$w/plugin.so" \
	HWT_VM_RECORD_OUT=$w/session HWT_VM_RECORD_OPTS="-b soft" \
	"$root/tests/vm/run.sh" x86_64 >"$w/vm.log" 2>&1; then
	tail -n 15 "$w/vm.log" | sed 's/^/    /'
	result "FAIL: e2e/dyn-record (log: $w/vm.log)"
	exit 1
fi
if ! "$hwt" decode -q "$w/session" -o "$w/dyn.db" >"$w/decode.log" 2>&1; then
	result "FAIL: e2e/dyn-decode ($(tail -n 1 "$w/decode.log"))"
	exit 1
fi
threads=$("$hwt" query --csv "$w/dyn.db" "SELECT COUNT(*) FROM streams" | tail -n 1)
errors=$("$hwt" query --csv "$w/dyn.db" "SELECT COUNT(*) FROM errors" | tail -n 1)
[ "$threads" = 2 ] && [ "$errors" = 0 ] &&
	result "PASS: e2e/dyn-two-threads-no-errors" ||
	result "FAIL: e2e/dyn-two-threads-no-errors ($threads streams, $errors errors)"
# prog.c: ADDS 100 per thread, MULS 7, STEPS 5; each call to the library
# goes through its PLT entry once.
for want in dyn_add:200 dyn_mul:7 plugin_work:1 plugin_step:5 \
	dyn_add@plt:200 dyn_mul@plt:7; do
	name=${want%:*}
	got=$("$hwt" query --csv "$w/dyn.db" \
		"SELECT SUM(calls) FROM function_stats WHERE name = '$name'" |
		tail -n 1)
	[ "$got" = "${want#*:}" ] &&
		result "PASS: e2e/dyn-calls-$name ($got)" ||
		result "FAIL: e2e/dyn-calls-$name (got '$got', want ${want#*:})"
done
