#!/bin/sh
# Bounded mutation test (issue 14): the session store reader (hwt info,
# hwt fsck, hwt decode) on mutated session.db files, and hwt replay/report/
# export (profiles, timeline) and flamegraph on mutated decoded databases.  Each run must end by itself (no hang: 30 s
# each) with no crash and no runaway allocation (1 GB of address space):
# exit status 0 or 1.  Seeded; the seed is printed (HWT_MUTATE_SEED repeats
# a run, HWT_MUTATE_ROUNDS sets its length).  Env (from run.sh): HWT, PTGEN.
cd "$(dirname "$0")" || exit 1
: "${HWT:=../../build/bin/hwt}" "${PTGEN:=../../build/decoder/ptgen}"
SEED=${HWT_MUTATE_SEED:-$(date +%s)}
N=${HWT_MUTATE_ROUNDS:-40}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
echo "# mutation test: seed $SEED, $N rounds (HWT_MUTATE_SEED=$SEED repeats it)"
mkdir -p "$T/g"
"$PTGEN" "$T/g" --iters 300 --psb 128 > /dev/null || { echo "FAIL: mutate (ptgen)"; exit 0; }
./gen/mksession.sh "$T/base" "$T/g/pt.bin" "$T/g/prog.elf" 0x400000 \
	0x1000 0x58 --chunks 16 --lost-before 3:100
head -c 300 /dev/urandom >> "$T/base/stream-0.bin"
"$HWT" decode -q "$T/base" -o "$T/base.db" || { echo "FAIL: mutate (decode)"; exit 0; }
bad=0
run() {	# NAME CMD...: exit 0 or 1 only, within 30 s and 1 GB
	name=$1; shift
	(ulimit -v 1000000; timeout 30 "$@") > /dev/null 2> "$T/err"
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "#   seed $SEED round $i: $name exited $rc: $(tail -1 "$T/err")"
		cp "$T/m/session.db" "$T/m.db" "$ROOT/build" 2>/dev/null
		bad=$((bad + 1))
	fi
}
i=0
while [ $i -lt $N ]; do
	rm -rf "$T/m" "$T/m.db" "$T/o.db"
	cp -r "$T/base" "$T/m"
	python3 ./mutate.py "$T/base/session.db" "$T/m/session.db" $((SEED + i))
	run info "$HWT" info "$T/m"
	run decode "$HWT" decode -q "$T/m" -o "$T/o.db"
	[ -e "$T/o.db" ] && run replay-of-decode "$HWT" replay "$T/o.db"
	run fsck "$HWT" fsck "$T/m"
	python3 ./mutate.py "$T/base.db" "$T/m.db" $((SEED + i))
	run replay "$HWT" replay "$T/m.db"
	run replay-insn "$HWT" replay --format insn --count 2000 "$T/m.db"
	run report "$HWT" report "$T/m.db"
	run export-autofdo "$HWT" export --autofdo "$T/x.txt" "$T/m.db"
	run export-bolt "$HWT" export --bolt "$T/x.fdata" "$T/m.db"
	run export-sample "$HWT" export --bolt "$T/x.fdata" --sample 3 "$T/m.db"
	run flamegraph "$HWT" flamegraph --folded -o "$T/x.folded" --per-thread "$T/m.db"
	run flamegraph-svg "$HWT" flamegraph --svg "$T/x.svg" "$T/m.db"
	run report-diff "$HWT" report --diff "$T/m.db" "$T/m.db"
	run replay-calls "$HWT" replay --calls "$T/m.db"
	run report-latency "$HWT" report --latency main "$T/m.db"
	run perfetto "$HWT" export --perfetto "$T/x.json" --max-events 100000 "$T/m.db"
	i=$((i + 1))
done
if [ $bad = 0 ]; then
	echo "PASS: mutate-session-and-database-readers ($N rounds, seed $SEED)"
else
	echo "FAIL: mutate-session-and-database-readers ($bad runs crashed or hung, seed $SEED)"
fi
exit 0
