# shellcheck shell=sh
# shellcheck disable=SC2154,SC2034 # set by the sourcing script
# Sourced by tests/hw/intel_pt.sh and tests/hw/coresight.sh: the same
# acceptance on a real trace unit, whichever backend drives it.  The
# caller sets root, hwt, collect, res, w, be (backend name, also its
# directory under backends/ and its module hwt_$be), cc, and sources
# this file; every verdict is one PASS:/FAIL:/SKIP: line.

fail=0
result() {
	echo "$1" | tee -a "$res"
	case $1 in FAIL:*) fail=1 ;; esac
}
skip() {
	result "SKIP: hw/$be ($1)"
	exit 0
}

# What any real-hardware run needs, else one SKIP line.
hw_preflight() {
	[ "$(id -u)" = 0 ] || skip "loading the modules needs root"
	kdir=/lib/modules/$(uname -r)/build
	[ -d "$kdir" ] || skip "no kernel headers for $(uname -r) at $kdir"
	grep -qw '^hwt' /proc/modules &&
		skip "an hwt module is loaded already: unload it first"
	[ -x "$hwt" ] && [ -x "$collect" ] || skip "build first (make build)"
}

# Build hwt.ko and hwt_$be.ko for the running kernel and load them
# (unloaded at exit).  A backend that finds no trace unit refuses to
# load (ENODEV): one SKIP line with its dmesg line.
hw_load() {
	rm -rf "$w"
	mkdir -p "$w/src"
	cp -r "$root/include" "$root/kmod" "$root/backends" "$w/src/"
	if ! make -C "$kdir" M="$w/src/kmod/hwt" modules >"$w/build.log" 2>&1 ||
		! make -C "$kdir" M="$w/src/backends/$be" \
			KBUILD_EXTRA_SYMBOLS="$w/src/kmod/hwt/Module.symvers" \
			modules >>"$w/build.log" 2>&1; then
		result "FAIL: hw/$be/build (see $w/build.log)"
		exit 1
	fi
	if ! err=$(insmod "$w/src/kmod/hwt/hwt.ko" 2>&1); then
		skip "cannot load modules here: $err"
	fi
	# shellcheck disable=SC2064 # $be now
	trap "rmmod hwt_$be 2>/dev/null; rmmod hwt 2>/dev/null" EXIT
	if ! err=$(insmod "$w/src/backends/$be/hwt_$be.ko" 2>&1); then
		case $err in
		*"No such device"*)
			skip "hwt_$be finds no trace unit: $(dmesg |
				grep "hwt_$be" | tail -n 1)" ;;
		esac
		result "FAIL: hw/$be/insmod ($err; dmesg: $(dmesg |
			grep "hwt_$be" | tail -n 1))"
		exit 1
	fi
	result "PASS: hw/$be/insmod ($1)"
	$cc -O2 -g -static -fno-optimize-sibling-calls -o "$w/demo" \
		"$root/samples/demo.c" ||
		{ result "FAIL: hw/$be/demo-build"; exit 1; }
}

# db [pid]: the demo's known calls (of that process only); prints the
# first that differs.
hw_counts() {
	for want in fib:465 mix:64 square:16 cube:16 apply:2 checksum:1 \
		run_all:1 main:1; do
		if [ -n "${2:-}" ]; then
			got=$("$hwt" query --csv "$1" "SELECT sum(ss.calls) FROM
				symbol_stats ss JOIN threads th ON
				th.id = ss.thread_id JOIN symbols sy ON
				sy.id = ss.symbol_id WHERE th.pid = $2 AND
				sy.name = '${want%:*}'" | tail -n 1)
		else
			got=$("$hwt" query --csv "$1" "SELECT calls FROM
				function_stats WHERE name = '${want%:*}'" |
				tail -n 1)
		fi
		[ "$got" = "${want#*:}" ] ||
			{ echo "${want%:*} $got, want ${want#*:}"; return 1; }
	done
}

# NAME OPTIONS...: the demo recorded by hwt-collect with OPTIONS; exact
# call counts, no decode error.
hw_demo() {
	n=$1
	shift
	if ! "$collect" -b "$be" "$@" -o "$w/$n" -- "$w/demo" \
		>"$w/$n.log" 2>&1 ||
		! "$hwt" decode "$w/$n" -q -o "$w/$n.db" >>"$w/$n.log" 2>&1; then
		result "FAIL: hw/$be/demo-$n (see $w/$n.log)"
		return
	fi
	errs=$("$hwt" query --csv "$w/$n.db" "SELECT count(*) FROM errors" |
		tail -n 1)
	if why=$(hw_counts "$w/$n.db") && [ "$errs" = 0 ]; then
		result "PASS: hw/$be/demo-$n (exact call counts, 0 errors)"
	else
		result "FAIL: hw/$be/demo-$n ($why; $errs decode errors)"
	fi
}

# A filter on fib through `hwt record -n`: only fib's instructions.
hw_filter() {
	if "$hwt" record -n -b "$be" -f fib -o "$w/filter" -- "$w/demo" \
		>"$w/filter.log" 2>&1 &&
		"$hwt" decode "$w/filter" -q -o "$w/filter.db" \
			>>"$w/filter.log" 2>&1; then
		# shellcheck disable=SC2046 # address and size
		set -- $(readelf -sW "$w/demo" |
			awk '$4 == "FUNC" && $8 == "fib" { print $2, $3 }')
		lo=$((0x$1)) hi=$((0x$1 + $2))
		out=0 n=0
		for a in $("$hwt" replay "$w/filter.db" --format addr |
			grep -v '^\['); do
			n=$((n + 1))
			[ $((0x$a)) -ge "$lo" ] && [ $((0x$a)) -lt "$hi" ] ||
				out=$((out + 1))
		done
		if [ "$n" -gt 0 ] && [ "$out" = 0 ]; then
			result "PASS: hw/$be/filter-fib ($n instructions, all in fib)"
		else
			result "FAIL: hw/$be/filter-fib ($n instructions, $out outside fib)"
		fi
	else
		result "FAIL: hw/$be/filter-fib (see $w/filter.log)"
	fi
}

# CPU mode: CPU 1 traced while the demo runs there (hwt-collect pins it
# to the traced CPUs and itself off them); every task that ran on CPU 1
# is in the session, so the counts are the demo process's.
hw_cpu_mode() {
	if "$collect" -b "$be" -C 1 -o "$w/cpu" -- "$w/demo" \
		>"$w/cpu.log" 2>&1 &&
		"$hwt" decode "$w/cpu" -q -o "$w/cpu.db" >>"$w/cpu.log" 2>&1; then
		L=$(sqlite3 "$w/cpu/session.db" "SELECT value FROM meta WHERE
			key = 'launch_pid'" 2>/dev/null)
		if [ -n "$L" ] && why=$(hw_counts "$w/cpu.db" "$L"); then
			result "PASS: hw/$be/cpu-mode (the demo's exact call counts, pid $L)"
		else
			result "FAIL: hw/$be/cpu-mode (launch pid '$L': ${why:-})"
		fi
	else
		result "FAIL: hw/$be/cpu-mode (see $w/cpu.log)"
	fi
}

# Ring mode: a 4 KiB flight recorder around a SIGSEGV (hwtd's acceptance
# driver, the command its VM run checks on the emulated unit: make -C
# hwtd check-vm-$be): the ring wrapped, and the replay of its last bytes
# ends on the faulting line.  OPTIONS: the backend's, for sync points
# often enough that a 4 KiB ring holds one; ROUNDS: the driver's work.
hw_ring() {
	opts=$1 rounds=$2
	if $cc -static -O1 -g -no-pie -I "$root/include" -o "$w/driver" \
		"$root/hwtd/tests/soft/driver.c" >"$w/ring.log" 2>&1; then
		"$hwt" record -n -b "$be" -m ring -s 4K $opts -o "$w/ring" \
			-- "$w/driver" crash "$rounds" >>"$w/ring.log" 2>&1
		"$hwt" decode "$w/ring" -q -o "$w/ring.db" >>"$w/ring.log" 2>&1
		. "$root/hwtd/tests/soft/crash_ring.sh"
		result "$(crash_ring_verdict "hw/$be/ring-ends-at-fault" \
			"$hwt" "$w/ring.db" "$w/ring" \
			"$root/hwtd/tests/soft/driver.c")"
	else
		result "FAIL: hw/$be/ring-build (see $w/ring.log)"
	fi
}

# PMU ITRACE: where perf has the PMU, the same program recorded by perf
# (-e PMU//u) and decoded by perf's own decoder (--itrace=ITRACE): its
# instruction addresses in the demo's own functions must equal `hwt
# replay --format addr` of the plain run's.
hw_same_as_perf() {
	if ! command -v perf >/dev/null 2>&1 ||
		[ ! -d "/sys/bus/event_source/devices/$1" ]; then
		result "SKIP: hw/$be/same-as-perf (no perf with the $1 PMU)"
		return
	fi
	readelf -sW "$w/demo" | awk '$4 == "FUNC" && ($8 == "fib" ||
		$8 == "mix" || $8 == "square" || $8 == "cube" ||
		$8 == "apply" || $8 == "checksum" || $8 == "run_all" ||
		$8 == "main") { print $2, $3 }' | while read -r a s; do
		printf '%016x %016x\n' $((0x$a)) $((0x$a + s))
	done >"$w/own.ranges"
	own() {	# the demo's own functions' instructions, one hex a line
		awk 'NR == FNR { lo[NR] = $1; hi[NR] = $2; n = NR; next }
		     { for (i = 1; i <= n; i++)
			   if ($1 >= lo[i] && $1 < hi[i]) { print; next } }' \
			"$w/own.ranges" -
	}
	if ! perf record -q -o "$w/perf.data" -e "$1//u" -- "$w/demo" \
		>/dev/null 2>"$w/perf.log"; then
		result "SKIP: hw/$be/same-as-perf (perf record failed: $(tail -n 1 "$w/perf.log"))"
		return
	fi
	perf script -i "$w/perf.data" --itrace="$2" -F ip 2>/dev/null |
		while read -r ip; do printf '%016x\n' "0x$ip"; done |
		own >"$w/perf.own"
	"$hwt" replay "$w/plain.db" --format addr | own >"$w/hwt.own"
	n=$(wc -l <"$w/hwt.own")
	if [ "$n" -gt 1000 ] && cmp -s "$w/perf.own" "$w/hwt.own"; then
		result "PASS: hw/$be/same-as-perf ($n instructions in the demo's code)"
	else
		result "FAIL: hw/$be/same-as-perf (perf $(wc -l <"$w/perf.own"), hwt $n)"
	fi
}
