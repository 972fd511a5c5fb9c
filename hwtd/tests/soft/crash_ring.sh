# shellcheck shell=sh
# Sourced (sh): the verdict on a flight recorder dumped after
# hwtd/tests/soft/driver.c's SIGSEGV, shared by hwtd/tests/soft/run.sh
# (the VM) and tests/hw/intel_pt.sh (real Intel PT).
#   crash_ring_verdict NAME HWT DB SESSION DRIVER_C
# prints one PASS:/FAIL: line for NAME: the session's state is crashed,
# its 4 KiB ring wrapped (at most 4096 bytes stored, after a gap), and
# the replay's last line, diagnostics ("[...]") included, is the
# faulting line (CRASH_LINE): the ring's WRAP records lose nothing and
# cut nothing, so nothing comes after the fault.
crash_ring_verdict() {
	_cr_line=$(grep -n 'CRASH_LINE \*/' "$5" | cut -d: -f1)
	_cr_last=$("$2" replay "$3" --format line 2>/dev/null | tail -n 1)
	_cr_state=$(sqlite3 "$4/session.db" "SELECT value FROM meta WHERE
		key = 'state'" 2>/dev/null)
	_cr_bytes=$(sqlite3 "$4/session.db" "SELECT SUM(bytes) FROM streams" \
		2>/dev/null)
	_cr_gap=$(sqlite3 "$4/session.db" "SELECT SUM(lost_before) FROM
		chunks" 2>/dev/null)
	case $_cr_last in
	*driver.c:"$_cr_line"*)
		if [ "$_cr_state" = crashed ] && [ "${_cr_bytes:-0}" -le 4096 ] &&
			[ "${_cr_gap:-0}" -gt 0 ]; then
			echo "PASS: $1 (state $_cr_state, last $_cr_bytes bytes of a wrapped 4K ring after a $_cr_gap-byte gap, $_cr_last)"
		else
			echo "FAIL: $1 (state $_cr_state, $_cr_bytes bytes, gap $_cr_gap: want crashed, <= 4096, a gap)"
		fi ;;
	*)	echo "FAIL: $1 (state '$_cr_state', last line '$_cr_last', want driver.c:$_cr_line)" ;;
	esac
}
