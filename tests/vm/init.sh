#!/bin/busybox sh
# /init of the hwt test VM (installed by tests/vm/run.sh).  Loads our
# modules, runs every program in /tests then /extra, unloads the modules,
# scans dmesg, and ends the VM with vmctl: exit 0 = all passed, 1 = a test
# failed.  Results ("PASS: x" / "FAIL: x" lines only) go to the host over a
# clean channel: /dev/ttyS1 on x86-64, a semihosting file on arm64.  The
# console (ttyS0 / ttyAMA0) gets everything, for debugging.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The RNG ready now, while nothing else runs (vmctl.c's seed says why).
/bin/vmctl seed /etc/hwt-seed
# The initramfs may carry files under /tmp (a recorded program built there
# comes with its libraries at their host paths): they stay visible on the
# tmpfs mounted over it.
mkdir /.initramfs-tmp
mount --bind /tmp /.initramfs-tmp
mount -t tmpfs tmp /tmp
cp -a /.initramfs-tmp/. /tmp/
umount /.initramfs-tmp
rmdir /.initramfs-tmp
# The initramfs has no /dev/console node: the kernel gave us no stdio.
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
. /etc/hwt-vm.conf	# HWT_ARCH, HWT_PROG_TIMEOUT, HWT_RMMOD_TIMEOUT

if [ "$HWT_ARCH" = x86_64 ]; then
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	stty -F /dev/ttyS3 raw -echo 2>/dev/null
	to_results() { cat >/dev/ttyS1; }
	to_dmesg() { cat >/dev/ttyS2; }
	to_record() { cat >/dev/ttyS3; }
else
	to_results() { /bin/vmctl append results.txt; }
	to_dmesg() { /bin/vmctl append dmesg.txt; }
	to_record() { /bin/vmctl append record.b64; }
fi

failed=0
# One result line to the host and the console.
result() {
	echo "$1" | to_results
	echo "hwt-vm: $1" >/dev/console
	case $1 in FAIL:*) failed=1 ;; esac
}
kmsg() { echo "hwt-vm: $*" >/dev/kmsg; }

finish() {
	dmesg >/tmp/dmesg.txt
	to_dmesg </tmp/dmesg.txt
	echo "hwt-vm: done, failed=$failed" >/dev/console
	/bin/vmctl exit "$failed"
	poweroff -f	# vmctl failed: the host sees status 0, "no verdict"
}

A=vm-$HWT_ARCH
kmsg "loading modules"	# the dmesg scan starts at this line
loaded=""
# Debian's own modules ours depend on first (none so far), then ours, in
# the order run.sh wrote.
for m in $(cat /lib/hwt/deps/order /lib/hwt/order 2>/dev/null); do
	ko=/lib/hwt/$m.ko
	[ -f "$ko" ] || ko=/lib/hwt/deps/$m.ko
	# Shipped for a guest test that loads it itself (vm-noload).
	grep -qx "$m" /lib/hwt/noload 2>/dev/null && continue
	need=$(sed -n "s/^$m //p" /lib/hwt/needs 2>/dev/null)
	# Record mode with an emulated PT unit (make vm-record PT_EMU=ROW):
	# the emulator first, so that hwt_intel_pt takes its ops at load.
	if [ "$m" = hwt_intel_pt ] && [ -n "${HWT_PT_EMU:-}" ]; then
		if err=$(insmod /lib/hwt/hwt_pt_emu.ko cpu="$HWT_PT_EMU" 2>&1)
		then
			loaded="hwt_pt_emu $loaded"
			result "PASS: $A/insmod/hwt_pt_emu (cpu=$HWT_PT_EMU)"
			need=""
		else
			result "FAIL: $A/insmod/hwt_pt_emu ($err)"
		fi
	fi
	# The same for an emulated CoreSight unit (HWT_CS_EMU="ROW[:TMC]
	# [PARAM=VALUE...]": the row, then more of the unit's module
	# parameters, e.g. topo=shared).
	if [ "$m" = hwt_coresight ] && [ -n "${HWT_CS_EMU:-}" ]; then
		cs_more=""
		case $HWT_CS_EMU in *" "*) cs_more=${HWT_CS_EMU#* } ;; esac
		# shellcheck disable=SC2086 # cs_more: one word per parameter
		if err=$(insmod /lib/hwt/hwt_cs_emu.ko \
			cpu="${HWT_CS_EMU%% *}" $cs_more 2>&1)
		then
			loaded="hwt_cs_emu $loaded"
			result "PASS: $A/insmod/hwt_cs_emu (cpu=$HWT_CS_EMU)"
			need=""
		else
			result "FAIL: $A/insmod/hwt_cs_emu ($err)"
		fi
	fi
	if [ -n "$need" ] && ! grep -qw "$need" /proc/cpuinfo; then
		# This guest lacks the feature: the module must refuse with
		# ENODEV and say why in one line (busybox insmod retries with
		# init_module after finit_module fails, so init may run twice:
		# count distinct lines).
		if err=$(insmod "$ko" 2>&1); then
			loaded="$m $loaded"
			result "FAIL: $A/insmod/$m (loaded without $need)"
		elif echo "$err" | grep -q 'No such device' &&
			[ "$(dmesg | sed -n "s/^\[[ 0-9.]*\] $m: //p" |
				sort -u | wc -l)" = 1 ]; then
			result "PASS: $A/insmod/$m (refused: no $need)"
		else
			result "FAIL: $A/insmod/$m (want ENODEV and one \"$m:\" line: $err)"
		fi
		continue
	fi
	if err=$(insmod "$ko" 2>&1); then
		loaded="$m $loaded"
		case $ko in */deps/*) ;; *) result "PASS: $A/insmod/$m" ;; esac
	else
		result "FAIL: $A/insmod/$m ($err)"
	fi
done

# Runs "$@" (output in /tmp/out) for at most $LIMIT seconds; sets rc, and
# state to ok, timeout, or stuck when even SIGKILL did not end it (a task
# stuck in the kernel: its stack goes to the log via sysrq-w and the run
# stops here, since waiting for it would hang the VM).
run_limited() {
	"$@" </dev/null >/tmp/out 2>&1 &
	pid=$!
	ticks=0
	state=ok
	while alive $pid; do
		if [ $ticks -ge $((LIMIT * 10)) ]; then
			state=timeout
			kill -KILL $pid
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				alive $pid || break
				sleep 0.5
			done
			if alive $pid; then
				state=stuck
				echo w >/proc/sysrq-trigger
				return
			fi
			break
		fi
		sleep 0.1
		ticks=$((ticks + 1))
	done
	wait $pid
	rc=$?
}
# A zombie is done; only init could reap it, and will in `wait`.
alive() {
	st=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}
stuck() {
	result "FAIL: $1 (still running ${LIMIT}s later and unkillable: stuck in the kernel; sysrq-w stacks in dmesg.txt)"
	finish
}

cd /tmp
LIMIT=$HWT_PROG_TIMEOUT
if [ -n "$HWT_RECORD_PROG" ]; then
	# Record mode: trace one program (hwt-collect, or `hwt record`
	# through hwtd) and send the sessions to the host (the fourth serial
	# port), then unload as usual.
	kmsg "record $HWT_RECORD_PROG"
	# CPU mode (-C): this shell's polling loop and what it runs stay on
	# CPU 0 (hwt-collect puts the program on the CPUs it traces).
	case " $HWT_RECORD_OPTS " in
	*" -C "*) taskset -p 1 $$ >/dev/null ;;
	esac
	if [ -n "${HWT_RECORD_GT:-}" ]; then
		# shellcheck disable=SC2086
		run_limited "$HWT_RECORD_GT" /tmp/gt "$HWT_RECORD_PROG" \
			$HWT_RECORD_ARGS
		sed "s|^|[record-gt] |" /tmp/out >/dev/console
		[ $state = stuck ] && stuck record-gt
		[ $state = ok ] && [ "$rc" = 0 ] &&
			result "PASS: record-gt/$(basename "$HWT_RECORD_PROG")" ||
			result "FAIL: record-gt/$(basename "$HWT_RECORD_PROG") (exit $rc, $state)"
	fi
	# One recording per recorder in HWT_RECORD_VIA (run.sh: "collect"
	# by default): hwt-collect into /tmp/session; `hwt record` through
	# hwtd (started here as root, as its service runs) into
	# /tmp/session-hwtd.  Each gets the ground truth as gt/.
	sessions=""
	for via in ${HWT_RECORD_VIA:-collect}; do
		case $via in
		collect)
			out=/tmp/session rname=record
			# shellcheck disable=SC2086
			run_limited /bin/hwt-collect $HWT_RECORD_OPTS -o $out -- \
				"$HWT_RECORD_PROG" $HWT_RECORD_ARGS
			;;
		hwtd)
			out=/tmp/session-hwtd rname=record-hwtd
			/bin/hwtd -f -s /tmp/hwtd.sock -S /tmp/hwtd-state \
				</dev/null >/tmp/hwtd.log 2>&1 &
			hwtd_pid=$!
			for _ in $(seq 100); do
				/bin/hwt status -S /tmp/hwtd.sock >/dev/null \
					2>&1 && break
				sleep 0.1
			done
			# shellcheck disable=SC2086
			run_limited /bin/hwt record -S /tmp/hwtd.sock \
				$HWT_RECORD_OPTS -o $out -- \
				"$HWT_RECORD_PROG" $HWT_RECORD_ARGS
			kill "$hwtd_pid" 2>/dev/null
			wait "$hwtd_pid"
			sed "s|^|[hwtd] |" /tmp/hwtd.log >/dev/console
			;;
		*)
			result "FAIL: record/via ($via: collect or hwtd)"
			continue
			;;
		esac
		sed "s|^|[$rname] |" /tmp/out >/dev/console
		[ $state = stuck ] && stuck $rname
		if [ $state = ok ] && [ "$rc" = 0 ] && [ -d $out ]; then
			[ -d /tmp/gt ] && cp -a /tmp/gt $out/gt
			sessions="$sessions ${out#/tmp/}"
			result "PASS: $rname/$(basename "$HWT_RECORD_PROG")"
		else
			result "FAIL: $rname/$(basename "$HWT_RECORD_PROG") (exit $rc, $state)"
		fi
	done
	if [ -n "$sessions" ]; then
		{
			echo HWT-RECORD-BEGIN
			# shellcheck disable=SC2086
			tar -C /tmp -czf - $sessions | base64
			echo HWT-RECORD-END
		} | to_record
	fi
	rm -rf /tmp/gt
	# An emulated CoreSight unit: no register write may have broken a
	# rule of the specs, no trace may have been lost or unsynchronised;
	# except, in thread mode through a shared sink, the trace of runs
	# that found the sink held by another thread (hwt_coresight's
	# sink_busy): those ran untraced, the emulator dropping what their
	# unit would not have written, each a gap the decode must show;
	# and what a full TRBE (Fill mode) dropped before hwt_coresight
	# handled its stop (stops: each a gap record), as when hwtd is
	# killed -9 and nobody reads the buffer until the context goes.
	e=/sys/module/hwt_cs_emu/parameters
	if [ -d $e ]; then
		cp=/sys/module/hwt_coresight/parameters
		c="refused $(cat $e/refused), dropped $(cat $e/dropped), unsynced $(cat $e/unsynced 2>/dev/null), writes $(cat $e/writes), stored $(cat $e/stored), sink_busy $(cat $cp/sink_busy 2>/dev/null), stops $(cat $cp/stops 2>/dev/null)"
		case $c in
		"refused 0, dropped 0, unsynced 0,"*|\
		"refused 0, dropped "*", unsynced 0, "*", sink_busy "[1-9]*|\
		"refused 0, dropped "*", unsynced 0, "*", stops "[1-9]*)
			result "PASS: record/cs_emu-counters ($c)" ;;
		*) result "FAIL: record/cs_emu-counters ($c)" ;;
		esac
	fi
fi
for p in /tests/* /extra/*; do
	[ -f "$p" ] && [ -x "$p" ] || continue
	name=guest/${p##*/}
	kmsg "run $name"
	run_limited "$p"
	sed "s|^|[$name] |" /tmp/out >/dev/console
	grep -E '^(PASS|FAIL|SKIP): ' /tmp/out | to_results
	grep -q '^FAIL: ' /tmp/out && failed=1
	[ $state = stuck ] && stuck "$name"
	if [ $state = timeout ]; then
		result "FAIL: $name (timeout after ${LIMIT}s)"
	elif [ "$rc" = 0 ]; then
		result "PASS: $name"
	elif [ "$rc" -gt 128 ]; then
		result "FAIL: $name (exit $rc, signal $((rc - 128)))"
	else
		result "FAIL: $name (exit $rc)"
	fi
done
cd /

# Unloading must work: a leaked reference or a stuck thread shows up here.
kmsg "unloading modules"
LIMIT=$HWT_RMMOD_TIMEOUT
for m in $loaded; do
	case " $(cat /lib/hwt/order) " in *" $m "*) ;; *) continue ;; esac
	# Record mode leaves the framework loaded (its backends, whose
	# contexts would pin them, still go): the suite run tests hwt's
	# own unload, and that unload has twice stopped an x86 guest under
	# load, once silently and once with an oops in an exec on the
	# other CPU (docs/testing.md), which a recording need not risk.
	[ -n "$HWT_RECORD_PROG" ] && [ "$m" = hwt ] && continue
	run_limited rmmod "$m"
	[ $state = stuck ] && stuck "$A/rmmod/$m"
	if [ $state = ok ] && [ "$rc" = 0 ]; then
		result "PASS: $A/rmmod/$m"
	else
		err=$(cat /tmp/out)
		[ $state = timeout ] && err="timeout after ${LIMIT}s"
		result "FAIL: $A/rmmod/$m ($err; refcnt $(cat /sys/module/$m/refcnt 2>/dev/null))"
	fi
done

# Any kernel warning after our modules came in is a failure (an NMI no
# handler claimed too: a trace unit's PMI its backend did not recognise,
# tests/vm/guest/pt_emu.c).  Taint bits
# 5 (bad page), 7 (died: oops) and 9 (warning) catch what the text misses.
dmesg | sed -n '/hwt-vm: loading modules/,$p' |
	grep -E 'WARNING:|BUG:|Oops|general protection|Call [Tt]race|refcount_t|list_(add|del) corruption|KASAN|UBSAN|Unable to handle kernel|Internal error:|stack-protector|blocked for more than|rcu_.* stall|NMI received for unknown reason' \
	>/tmp/bad
t=$(cat /proc/sys/kernel/tainted)
if [ -s /tmp/bad ]; then
	result "FAIL: $A/dmesg-clean ($(head -n 1 /tmp/bad | sed 's/^\[[ 0-9.]*\] //'))"
elif [ $((t & 0x2a0)) != 0 ]; then
	result "FAIL: $A/dmesg-clean (kernel tainted $t)"
else
	result "PASS: $A/dmesg-clean"
fi
finish
