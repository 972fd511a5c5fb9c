#!/bin/sh
# Event scenarios (tests/events/*.S): `hwt replay --format addr` against
# libipt's instruction decoder driven as ptxed drives it (ref_insn), for
# the continuous decode and for the PSB-segmented one (fast path), with
# worker threads and inline, and segmented with libipt alone (both of
# its joins), and with all PSBs in one segment (pieces).
# Address lines must match exactly; every error the reference reports
# must show as a gap ('[' line) in hwt's replay too.
: "${HWT:=../../build/bin/hwt}" "${BUILD:=../../build/decoder}"
T=$BUILD/events
mkdir -p "$T"
result() {
	echo "$1"
}
# Whether the replay's addresses are the reference's.  One latitude: the
# instruction at which the reference reports an error may be missing
# (libipt's block decoder reports the block before a failed query with or
# without it, depending on its block cache; ptxed's instruction decoder
# prints it).
same_flow() {	# REF.out HWT.out
	awk 'function addr(l) { return length(l) == 16 && l ~ /^[0-9a-f]+$/ }
	FNR == NR { if (addr($0)) { r[++n] = $0; opt[n] = 0 }
		    else if ($0 ~ /error/ && n) opt[n] = 1
		    next }
	addr($0) { h[++m] = $0 }
	END {
		i = 1; j = 1
		while (i <= n || j <= m) {
			if (i <= n && j <= m && r[i] == h[j]) { i++; j++ }
			else if (i <= n && opt[i]) i++
			else exit 1
		}
	}' "$1" "$2"
}
# EVENTS="name ...": only those scenarios (while working on them).
srcs=events/*.S
[ -n "$EVENTS" ] && srcs=$(for n in $EVENTS; do printf 'events/%s.S ' "$n"; done)
for src in $srcs; do
	n=$(basename "$src" .S)
	d=$T/$n
	mkdir -p "$d"
	sed -n 's/^[^#]*#@ *//p' "$src" >"$d/script"
	if ! as -o "$d/x.o" "$src" 2>"$d/err" ||
	   ! ld -Ttext=0x100000 -e 0x100000 -o "$d/x.elf" "$d/x.o" 2>>"$d/err" ||
	   ! objcopy -O binary -j .text "$d/x.elf" "$d/x.bin" ||
	   ! nm "$d/x.elf" >"$d/syms" ||
	   ! "$BUILD/ptscript" "$d/script" "$d/syms" "$d/pt.bin" 2>>"$d/err"; then
		result "FAIL: events-$n (build: $(head -c 300 "$d/err"))"
		continue
	fi
	# "# cpu: F/M" in the scenario: that processor's errata, both sides.
	cpu=$(sed -n 's/^# cpu: *//p' "$src")
	cpuopt=${cpu:+--cpu $cpu}
	"$BUILD/ref_insn" "$d/pt.bin" $cpuopt "$d/x.bin:0x100000" >"$d/ref.out"
	grep -E '^[0-9a-f]{16}$' "$d/ref.out" >"$d/ref.addr"
	if [ ! -s "$d/ref.addr" ]; then
		result "FAIL: events-$n (the reference decoded nothing)"
		continue
	fi
	for mode in plain segmented inline libipt libipt2 pieces; do
		nofast= segmin=
		case $mode in
		plain) opt= ;;
		segmented) opt="--segmented --threads 2" ;;
		inline) opt="--segmented --threads 1" ;;	# no worker thread
		# segments without the fast path: libipt's joins
		libipt) opt="--segmented --threads 2" nofast=1 ;;
		# and the join's fallback (two decodes, no MODE.Exec event)
		libipt2) opt="--segmented --threads 2" nofast=2 ;;
		# one segment of all the PSBs: where the fast path gives up,
		# piece by piece between them
		pieces) opt="--segmented --threads 1" segmin=1000000 ;;
		esac
		rm -f "$d/$mode.db"
		[ -n "$nofast" ] && opt="$opt --test-pt-no-fastpath $nofast"
		[ -n "$segmin" ] && opt="$opt --test-pt-segment-min $segmin"
		"$HWT" decode -q $opt $cpuopt \
			--pt "$d/pt.bin" \
			--raw "$d/x.bin:0x100000" -o "$d/$mode.db" \
			>"$d/$mode.log" 2>&1
		"$HWT" replay "$d/$mode.db" --format addr >"$d/$mode.out" \
			2>>"$d/$mode.log"
		grep -E '^[0-9a-f]{16}$' "$d/$mode.out" >"$d/$mode.addr"
		want=$(grep -c ': error:\|sync error' "$d/ref.out")
		got=$(grep -c '^\[' "$d/$mode.out")
		if ! same_flow "$d/ref.out" "$d/$mode.out"; then
			result "FAIL: events-$n-$mode (addresses differ from libipt's insn decoder: diff $d/ref.addr $d/$mode.addr)"
		elif [ "$got" -lt "$want" ]; then
			result "FAIL: events-$n-$mode ($want errors in the reference, $got gaps in the replay)"
		else
			result "PASS: events-$n-$mode ($(wc -l <"$d/ref.addr") insns, $want errors)"
		fi
	done
done
# The scenarios that say "# fast path: all": the fast path decodes every
# byte of their trace (hwt decode's "Intel PT in PSB segments" line),
# none goes to libipt's block decoder: what it models stays modelled.
for src in $srcs; do
	grep -q '^# fast path: all' "$src" || continue
	n=$(basename "$src" .S)
	d=$T/$n
	rm -f "$d/stats.db"
	line=$("$HWT" decode --segmented --threads 1 --pt "$d/pt.bin" \
		--raw "$d/x.bin:0x100000" -o "$d/stats.db" 2>&1 |
		grep 'Intel PT in PSB segments')
	case $line in
	*" 0 trace bytes by the fast path"*|"")
		result "FAIL: events-$n-fast-path-all (${line:-no segment line})" ;;
	*", 0 by libipt's block decoder"*)
		result "PASS: events-$n-fast-path-all" ;;
	*)
		result "FAIL: events-$n-fast-path-all ($line)" ;;
	esac
done
# `--format insn` where capstone 4 cannot disassemble (evex.S): every
# instruction, by the length libipt measured, never a placeholder, and
# each VEX/EVEX one as binutils' objdump spells it (Zydis's text:
# objdump_text.py).
d=$T/evex
if [ -f "$d/plain.db" ] && [ events/evex.S -ot "$d/plain.db" ]; then
	"$HWT" replay "$d/plain.db" --format insn >"$d/insn.out" 2>&1
	if why=$(python3 ./objdump_text.py "$d/x.elf" "$d/insn.out") &&
	   ! grep -q '^\[\|(bad)\|\.byte' "$d/insn.out" &&
	   [ "$(wc -l <"$d/insn.out")" -eq "$(wc -l <"$d/ref.addr")" ]; then
		result "PASS: events-evex-insn-as-objdump ($(echo "$why" | tail -n 1))"
	else
		result "FAIL: events-evex-insn-as-objdump ($(echo "$why" | tail -n 1); see $d/insn.out)"
	fi
fi
