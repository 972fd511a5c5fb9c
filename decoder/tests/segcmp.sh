#!/bin/sh
# Segmented = continuous (issue 21).  On every trace the decoder's suites
# use (the event scenarios of tests/events, the generator's traces and a
# corrupted one, the corpus's Intel PT capture) and on the real-program
# traces of bench/decode-pt/real.sh where they are recorded, each
# segmented mode of `hwt decode` (worker threads, inline, libipt alone and
# its fallback join, all PSBs in one segment) must give what the
# continuous decode (--threads 1: libipt's block decoder in ptxed's loop)
# gives: the same instructions and gaps (replay), instruction and error
# counts, the same errors, the same blocks and their counts, and the same
# calls with their times, call_paths, call_path_stats and function_stats
# rows.  Compared between the two databases in SQL (EXCEPT both ways, rows
# counted).  And a segment's decode depends on its own trace only: the
# fast path's and libipt's segmented decodes intern the same blocks in
# the same order (block ids and counts) on one thread in trace order,
# with the segments decoded last first, and on worker threads.  KEEP=1
# keeps the databases; CHECKS="..." picks the comparisons.
: "${HWT:=../../build/bin/hwt}" "${PTGEN:=../../build/decoder/ptgen}"
: "${BUILD:=../../build/decoder}" "${ROOT:=../..}"
: "${EXT:=$ROOT/build/lib/hwt_calls.so}"
C=$ROOT/../shared/corpus/intel_pt/dynamorio-hello
T=$(mktemp -d) || exit 1
[ -n "$KEEP" ] || trap 'rm -rf "$T"' EXIT

# sqlite3 with the calls table's module (docs/schema.md).
sq() {
	sqlite3 -cmd ".load $EXT" "$@"
}
# Rows of QUERY ('@.' for the database's schema) as a multiset: each
# distinct row and how often it occurs.
rows() {	# SCHEMA QUERY
	printf 'SELECT *, COUNT(*) FROM (%s) GROUP BY 1' \
		"$(printf '%s' "$2" | sed "s/@\./$1./g")" |
		sed 's/GROUP BY 1$/GROUP BY '"$(cols "$2")"'/'
}
# "1, 2, ..., N" for QUERY's N result columns, nothing if the query
# fails (then so does the comparison).  Counted from the columns of a view
# of it: the sqlite3 shell prints no header for a result without rows, and
# GROUP BY 1 alone would compare each first column with any row's others.
cols() {
	n=$(sq "$CDB" "CREATE TEMP VIEW segcmp_cols AS
		$(printf '%s' "$1" | sed 's/@\./main./g');
		SELECT COUNT(*) FROM pragma_table_info('segcmp_cols');" 2>/dev/null)
	[ "${n:-0}" -gt 0 ] && seq -s ', ' 1 "$n"
}
# How many rows of QUERY differ between $CDB (continuous) and $SDB.
ndiff() {	# QUERY
	a=$(rows main "$1") b=$(rows c "$1")
	sq "$SDB" "ATTACH '$CDB' AS c;
		SELECT (SELECT COUNT(*) FROM ($a EXCEPT $b)) +
		       (SELECT COUNT(*) FROM ($b EXCEPT $a));"
}

# Each database of DBS ($SDB) against $CDB on each query named in NAMES:
# appends to why the rows that differ (nothing more once why is set).
diffs() {	# DBS NAMES
	for SDB in $1; do
		[ -z "$why" ] || break
		for q in $2; do
			eval "query=\$$q"
			n=$(ndiff "$query")
			[ "$n" = 0 ] || why="$why $q: $n rows differ ($SDB vs $CDB)"
		done
	done
}

BLOCKS='SELECT b.ip, b.end_ip, b.ninsn, b.isa, b.iclass, b.insn_lens,
	SUM(k.count) FROM @.block_counts k JOIN @.blocks b ON b.id = k.block_id
	GROUP BY b.id'
ERRORS='SELECT stream_id, insn_index, offset, ip, code, kind, message
	FROM @.errors'
STREAMS='SELECT id, insn_count, error_count FROM @.streams'
# Call paths by content (ids are interning order).
PATHS='SELECT p.id, p.parent_id, s.name, s.sym_start, p.ip
	FROM @.call_paths p LEFT JOIN @.symbols s ON s.id = p.symbol_id'
CALLS='SELECT thread_id, comm_id, call_path_id, call_insn, return_insn,
	insn_count, branch_count, parent_call_id, flags FROM @.calls'
# The calls' times: a continuous decode's time at an instruction is the
# time libipt gives the last event before it (a one-instruction block
# takes the tick bound to it).  The fast path keeps the time as libipt's
# query decoder does (TSC, TMA and MTC) and places each change where
# libipt reports it; a trace with CYC (a time libipt estimates with a
# calibration carried from the start of the trace) goes to libipt's
# segments, whose times are only checked here on the traces below.
TIMES='SELECT id, call_time, return_time FROM @.calls'
# Events (tracing enabled and disabled; exception returns) with their
# times.  Not arg, an enable's "resumed where it stopped": a segment that
# starts disabled at a PSB+ without FUP does not know where tracing
# stopped before it (the fast path's enables after a SYSCALL or an
# interrupt inside a segment say it as libipt does).
EVENTS='SELECT stream_id, insn_index, kind, ip, code, time FROM @.events'
CPSTATS='SELECT thread_id, call_path_id, calls, insn_count
	FROM @.call_path_stats'
FSTATS='SELECT name, calls, insn_count FROM @.function_stats'

: "${CHECKS:=ERRORS EVENTS STREAMS BLOCKS PATHS CALLS TIMES CPSTATS FSTATS}"
# The segmented modes compare() runs; REPLAY non-empty: the replays too;
# ORDER non-empty: order() too.
MODES="segmented inline libipt libipt2 pieces"
REPLAY=1 ORDER=1
# Blocks by id: interned in the same order.
IDS='SELECT id, ip, end_ip, ninsn, isa, iclass, insn_lens FROM @.blocks'
IDCOUNTS='SELECT stream_id, block_id, count FROM @.block_counts'
# NAME DECODE-ARGS... after compare(): the fast path's and libipt's
# segmented decodes on one thread in trace order, then with every segment
# decoded before the first is fed, last first (--test-pt-reverse-segments),
# and compare()'s worker threads' decodes: all three the same by block id.
# libipt's block cache, shared between the workers, once split a block
# where another segment's decode had cached its tail: the ids then
# followed which segment was decoded first.
order() {
	name=$1; shift
	d=$T/$name
	for mode in segmented libipt; do
		opt="--segmented --threads 1"
		[ "$mode" = libipt ] && opt="$opt --test-pt-no-fastpath 1"
		CDB=$d/$mode-inorder.db
		why=
		if ! "$HWT" decode -q $opt "$@" -o "$CDB" >"$d/$mode-inorder.log" 2>&1 ||
		   ! "$HWT" decode -q $opt --test-pt-reverse-segments "$@" \
			-o "$d/$mode-reverse.db" >"$d/$mode-reverse.log" 2>&1
		then
			why="decode failed"
		fi
		diffs "$d/$mode-reverse.db $d/$mode.db" "IDS IDCOUNTS"
		if [ -n "$why" ]; then
			echo "FAIL: segcmp-order-$name-$mode ($why)"
		else
			echo "PASS: segcmp-order-$name-$mode"
		fi
	done
}
# NAME DECODE-ARGS...: the continuous decode, then each segmented mode,
# compared.
compare() {
	name=$1; shift
	d=$T/$name
	mkdir -p "$d"
	CDB=$d/cont.db
	if ! "$HWT" decode -q --threads 1 "$@" -o "$CDB" >"$d/cont.log" 2>&1
	then
		echo "FAIL: segcmp-$name (continuous decode: $(head -c 200 "$d/cont.log"))"
		return
	fi
	[ -z "$REPLAY" ] || "$HWT" replay "$CDB" --format addr >"$d/cont.out" 2>&1
	calls=$(sq "$CDB" 'SELECT COUNT(*) FROM calls')
	insns=$(sq "$CDB" 'SELECT SUM(insn_count) FROM streams')
	for mode in $MODES; do
		nofast= segmin= opt="--segmented --threads 2"
		case $mode in
		inline) opt="--segmented --threads 1" ;;
		libipt) nofast=1 ;;
		libipt2) nofast=2 ;;
		pieces) opt="--segmented --threads 1" segmin=1000000 ;;
		esac
		SDB=$d/$mode.db
		why=
		[ -n "$nofast" ] && opt="$opt --test-pt-no-fastpath $nofast"
		[ -n "$segmin" ] && opt="$opt --test-pt-segment-min $segmin"
		if ! "$HWT" decode -q $opt "$@" -o "$SDB" >"$d/$mode.log" 2>&1
		then
			why="decode failed"
		elif [ -n "$REPLAY" ]; then
			"$HWT" replay "$SDB" --format addr >"$d/$mode.out" 2>&1
			cmp -s "$d/cont.out" "$d/$mode.out" ||
				why="replay differs: diff $d/cont.out $d/$mode.out"
		fi
		if [ "$why" != "decode failed" ]; then
			for q in $CHECKS; do
				eval "query=\$$q"
				n=$(ndiff "$query")
				[ "$n" = 0 ] || why="$why $q: $n rows differ"
			done
			[ -z "$why" ] || why="$why ($SDB vs $CDB)"
		fi
		if [ -n "$why" ]; then
			echo "FAIL: segcmp-$name-$mode ($why)"
		else
			echo "PASS: segcmp-$name-$mode ($insns insns, $calls calls)"
		fi
	done
	[ -z "$ORDER" ] || order "$name" "$@"
}

# The event scenarios, built as tests/events.sh builds them.
for src in events/*.S; do
	n=$(basename "$src" .S)
	e=$T/ev-$n
	mkdir -p "$e"
	sed -n 's/^[^#]*#@ *//p' "$src" >"$e/script"
	if ! as -o "$e/x.o" "$src" 2>"$e/err" ||
	   ! ld -Ttext=0x100000 -e 0x100000 -o "$e/x.elf" "$e/x.o" 2>>"$e/err" ||
	   ! objcopy -O binary -j .text "$e/x.elf" "$e/x.bin" ||
	   ! nm "$e/x.elf" >"$e/syms" ||
	   ! "$BUILD/ptscript" "$e/script" "$e/syms" "$e/pt.bin" 2>>"$e/err"
	then
		echo "FAIL: segcmp-ev-$n (build: $(head -c 300 "$e/err"))"
		continue
	fi
	cpu=$(sed -n 's/^# cpu: *//p' "$src")
	compare "ev-$n" ${cpu:+--cpu $cpu} --pt "$e/pt.bin" \
		--raw "$e/x.bin:0x100000"
done

# A PSB+'s status packets (MODE.TSX outside a transaction, PIP, VMCS,
# CBR: SDM vol. 3C 33.3.7) change nothing: psb_status.S decodes, by
# either decode, to the blocks, edges (no break at a PSB), counts, calls
# and times of the same trace without them, decoded continuously.
EDGES='SELECT b.ip, b.end_ip, c.ip, c.end_ip, e.flags, e.count
	FROM @.edges e JOIN @.blocks b ON b.id = e.from_block
	JOIN @.blocks c ON c.id = e.to_block'
e=$T/ev-psb_status
if [ -s "$e/pt.bin" ]; then
	grep -v '^\(pip\|vmcs\|cbr\|mode\.tsx\) ' "$e/script" >"$e/bare.script"
	CDB=$e/bare.db why=
	if grep -q '^pip ' "$e/bare.script" ||
	   ! "$BUILD/ptscript" "$e/bare.script" "$e/syms" "$e/bare.bin" \
		2>"$e/bare.err" ||
	   ! "$HWT" decode -q --threads 1 --pt "$e/bare.bin" \
		--raw "$e/x.bin:0x100000" -o "$CDB" >>"$e/bare.err" 2>&1; then
		why="the bare trace: $(head -c 200 "$e/bare.err")"
	fi
	diffs "$e/cont.db $e/segmented.db $e/pieces.db" \
		"BLOCKS EDGES CALLS TIMES EVENTS ERRORS STREAMS CPSTATS"
	if [ -n "$why" ]; then
		echo "FAIL: segcmp-psb-status-changes-nothing ($why)"
	else
		echo "PASS: segcmp-psb-status-changes-nothing"
	fi
fi

# The generator's traces (tests/synthetic.sh's), and one corrupted.
for cfg in "small:--iters 10" "loop:--iters 2000 --psb 256" \
	   "psb-dense:--iters 300 --psb 64" "retcomp:--iters 500 --psb 300 --retcomp" \
	   "tsc:--iters 2000 --psb 256 --tsc 0x100000000:1000 --tsc-tip 3 --plt" \
	   "tsc-retcomp:--iters 500 --psb 300 --retcomp --tsc 0x200000000:77 --tsc-tip 2"; do
	name=${cfg%%:*}; args=${cfg#*:}
	G=$T/gen-$name
	mkdir -p "$G"
	"$PTGEN" "$G" $args >/dev/null || { echo "FAIL: segcmp-gen-$name (ptgen)"; continue; }
	compare "gen-$name" --pt "$G/pt.bin" --elf "$G/prog.elf"
done
# MTC timing (ptgen --mtc: a TMA in each PSB+, an MTC after every
# second flow packet), from a session whose stream params give libipt
# the MTC frequency and the TSC/crystal clock ratio: libipt's time
# between TSCs, which the fast path keeps as libipt does.
MK=$ROOT/build/store/mksession
G=$T/gen-mtc
mkdir -p "$G"
if [ ! -x "$MK" ]; then
	echo "SKIP: segcmp-gen-mtc (no $MK: make -C store)"
elif "$PTGEN" "$G" --iters 2000 --psb 256 --tsc 0x100000000:100000 \
	--mtc 2 --plt >/dev/null &&
   "$MK" "$G/s" --meta mode=thread --meta arch=x86_64 \
	--meta target_pid=42 --stream 0:intel_pt:tid=42 \
	--param 0:cpu=0/0/0 --param 0:mtc_freq=3 \
	--param 0:cpuid_15_eax=2 --param 0:cpuid_15_ebx=168 \
	--data "0:$G/pt.bin:/7" \
	--mmap "0x400000:0x1000:0x1000:$G/prog.elf:42" >/dev/null; then
	compare gen-mtc "$G/s"
else
	echo "FAIL: segcmp-gen-mtc (ptgen or mksession)"
fi
G=$T/gen-loop
cp "$G/pt.bin" "$T/corrupt.bin"
printf '\002\002\002\002' | dd of="$T/corrupt.bin" bs=1 seek=1100 conv=notrunc 2>/dev/null
compare gen-corrupt --pt "$T/corrupt.bin" --elf "$G/prog.elf"

# The corpus's real capture.
if [ -d "$C" ]; then
	compare dynamorio-hello --pt "$C/test_simple.raw/pt.bin" \
		--elf "$C/test_simple.raw/hello"
else
	echo "SKIP: segcmp-dynamorio-hello (no $C)"
fi

# The real programs' traces (bench/decode-pt/real.sh: gzip, perl, sqlite3
# recorded with the soft backend, each repeated to 8 MiB, its copies
# joined by disabled PSB+s and TIP.PGE) where they are recorded.  40-180 M
# instructions each: no replay text (the calls' instruction indexes, the
# blocks' counts and the streams' totals pin the instruction sequence),
# the worker threads' decode and libipt's segments.
# Each again with a real capture's PSB+ status (MODE.TSX, PIP, VMCS:
# real/status.py), which the fast path takes as status.
R=$ROOT/build/bench/decode-pt/real
MODES="segmented libipt" REPLAY='' ORDER=''
for name in gzip perl sqlite gzip-status perl-status sqlite-status; do
	if [ ! -s "$R/$name/pt.bin" ] || [ ! -s "$R/$name/args" ]; then
		echo "SKIP: segcmp-real-$name (not recorded: bench/decode-pt/real.sh records it, ~15 min)"
		continue
	fi
	# shellcheck disable=SC2046
	compare "real-$name" --pt "$R/$name/pt.bin" $(awk '{ printf "--elf %s:%s ", $1, $5 }' "$R/$name/args")
done
