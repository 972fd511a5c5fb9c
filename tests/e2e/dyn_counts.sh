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
calls() {	# TEST-PREFIX NAME:COUNT...: function_stats' calls
	_p=$1
	shift
	for want in "$@"; do
		name=${want%:*}
		got=$("$hwt" query --csv "$w/dyn.db" \
			"SELECT SUM(calls) FROM function_stats WHERE name = '$name'" |
			tail -n 1)
		[ "$got" = "${want#*:}" ] &&
			result "PASS: e2e/$_p-$name ($got)" ||
			result "FAIL: e2e/$_p-$name (got '$got', want ${want#*:})"
	done
}
calls dyn-calls dyn_add:200 dyn_mul:7 plugin_work:1 plugin_step:5 \
	dyn_add@plt:200 dyn_mul@plt:7
# hwt report --thread: each thread's own report has its 100 dyn_add calls.
for tid in $("$hwt" query --csv "$w/dyn.db" "SELECT tid FROM streams" | tail -n +2); do
	got=$("$hwt" report "$w/dyn.db" --thread "$tid" --sort name --top 1000000 |
		awk '$NF == "dyn_add" { print $(NF - 1) }')
	[ "$got" = 100 ] &&
		result "PASS: e2e/dyn-report-thread-$tid-dyn_add (100)" ||
		result "FAIL: e2e/dyn-report-thread-$tid-dyn_add (got '$got', want 100)"
done

# Names inside stripped code.  ld.so and libc are stripped; their names
# come from the separate debug files found by build id in /usr/lib/debug
# (Debian's libc6-dbg, installed by scripts/install-deps.sh), checked
# against nm on those files; ld.so's structure fixes a few counts.
debug_file() {	# ELF: its debug file by build id, or nothing
	_id=$(readelf -n "$1" 2>/dev/null | awk '/Build ID:/ { print $3 }')
	[ -n "$_id" ] && [ -f "/usr/lib/debug/.build-id/$(echo "$_id" |
		cut -c1-2)/$(echo "$_id" | cut -c3-).debug" ] &&
		echo "/usr/lib/debug/.build-id/$(echo "$_id" |
			cut -c1-2)/$(echo "$_id" | cut -c3-).debug"
}
for lib in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6; do
	dbg=$(debug_file "$lib")
	if [ -z "$dbg" ]; then
		result "FAIL: e2e/debuginfo-names-${lib##*/} (no debug file for $lib: apt-get install libc6-dbg)"
		continue
	fi
	python3 "$root/tests/e2e/check_debuginfo.py" names "$w/dyn.db" \
		"${lib##*/}" "$dbg" | tee -a "$res"
done
calls dyn-ldso-calls _dl_start:1 dl_main:1 _dl_fini:1
# Without its debug file, a stripped program's own functions are named
# sub_ADDR from its .eh_frame: the same starts, calls and instructions as
# the symbols of the unstripped program say (those .eh_frame describes:
# readelf --debug-dump=frames).  With its debug file in a directory of
# ours, the names come back.
rm -rf "$w/session-strip" "$w/dbg" "$w/strip.db" "$w/strip-dbg.db"
cp -a "$w/session" "$w/session-strip"
sp=$w/session-strip/images/record/prog
id=$(readelf -n "$sp" | awk '/Build ID:/ { print $3 }')
mkdir -p "$w/dbg/.build-id/$(echo "$id" | cut -c1-2)"
if objcopy --only-keep-debug "$sp" \
	"$w/dbg/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug" &&
	strip -s "$sp" && [ -z "$(nm "$sp" 2>/dev/null)" ] &&
	"$hwt" decode -q "$w/session-strip" -o "$w/strip.db" &&
	"$hwt" decode -q --debug-dir "/usr/lib/debug:$w/dbg" "$w/session-strip" \
		-o "$w/strip-dbg.db"; then
	readelf --debug-dump=frames "$w/prog" >"$w/frames.txt"
	python3 "$root/tests/e2e/check_debuginfo.py" stripped "$w/dyn.db" \
		"$w/strip.db" record/prog "$w/frames.txt" | tee -a "$res"
	q="SELECT name, calls, insn_count FROM function_stats ORDER BY name"
	if [ "$("$hwt" query --csv "$w/dyn.db" "$q")" = \
	     "$("$hwt" query --csv "$w/strip-dbg.db" "$q")" ]; then
		result "PASS: e2e/stripped-debug-file-by-build-id"
	else
		result "FAIL: e2e/stripped-debug-file-by-build-id (function_stats differ)"
	fi
else
	result "FAIL: e2e/stripped-decode (strip or decode failed)"
fi
