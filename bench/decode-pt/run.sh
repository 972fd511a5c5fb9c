#!/bin/sh
# usage: bench/decode-pt/run.sh [MiB]   (default 64)
# Generates (once, cached under build/bench/decode-pt/trace-MiB) a synthetic
# PT trace (libipt encoder; calls, returns, indirect calls/jumps, loops),
# then times on the same input in the same run:
#   ref      a minimal ptxed-like libipt block-decoder loop (ref_blk.c)
#   hwt      hwt decode --pt ... -o DB (full pipeline into SQLite; a trace
#            this big is decoded in PSB segments by worker threads with the
#            packet-level fast path, pt_fastpkt.c), one calls row per call
#   hwt-nc   the same with --no-calls (no per-call rows)
#   hwt-1c   hwt decode --no-calls pinned to one core (taskset -c 0: one
#            CPU in the affinity mask, so the segments are decoded inline
#            on the main thread)
#   hwt-1    --threads 1 --no-calls: one continuous libipt block decode,
#            ptxed's way, plus the core and SQLite
# Every run is timed by /usr/bin/time (whole process: start, file reading,
# decode, database); it prints wall and CPU (user+sys) seconds,
# instructions/s and MB/s on CPU time, and the ratios ref/hwt on wall and
# on CPU time (>1: hwt is faster).  On a shared machine CPU time is the
# figure to trust: wall time counts other jobs' load.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/decode-pt
MIB=${1:-64}
make -s all >/dev/null
G=$OUT/trace-$MIB
if [ ! -s "$G/pt.bin" ] || [ ! -s "$G/info" ]; then
	mkdir -p "$G"
	"$OUT/ptgen" "$G" --min-bytes $((MIB * 1048576)) --psb 4096 \
		--iters 1000 --no-truth
fi
bytes=$(stat -c %s "$G/pt.bin")
TF=$OUT/time.out
timed() {	# command...; sets wall, cpu; output of the command to $OUT/cmd.out
	/usr/bin/time -o "$TF" -f "%e %U %S" "$@" >"$OUT/cmd.out"
	wall=$(awk '{ print $1 }' "$TF")
	cpu=$(awk '{ printf "%.2f", $2 + $3 }' "$TF")
}
timed "$OUT/ref_blk" "$G/pt.bin" "$G/prog.elf" 0x400000 0x1000 \
	$(awk '$1 == "size" { print $2 }' "$G/info")
ref_insn=$(awk '{ print $3 }' "$OUT/cmd.out")
ref_wall=$wall
ref_cpu=$cpu
run_hwt() {	# extra args (a leading "taskset -c 0" pins the run)
	rm -f "$OUT/x.db"
	pre=
	if [ "$1" = pin ]; then
		pre="taskset -c 0"
		shift
	fi
	timed $pre "$ROOT/build/bin/hwt" decode -q "$@" --pt "$G/pt.bin" \
		--elf "$G/prog.elf" -o "$OUT/x.db"
}
report() {	# name
	awk -v n="$1" -v w="$wall" -v c="$cpu" -v i="$ref_insn" -v b="$bytes" \
	    -v rw="$ref_wall" -v rc="$ref_cpu" 'BEGIN {
		printf "%-7s wall %7.2f s  cpu %7.2f s  %7.1f M insn/s %6.1f MB/s (cpu)  ratio wall %.2fx cpu %.2fx\n",
			n, w, c, i / c / 1e6, b / c / 1e6, rw / w, rc / c }'
}
echo "trace: $bytes bytes, $ref_insn instructions ($G)"
wall=$ref_wall cpu=$ref_cpu report ref
run_hwt
hwt_insn=$("$ROOT/build/bin/hwt" query --csv "$OUT/x.db" \
	"SELECT SUM(insn_count) FROM streams" | tail -1)
report hwt
run_hwt --no-calls
report hwt-nc
run_hwt pin --no-calls
report hwt-1c
run_hwt --no-calls --threads 1
report hwt-1
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$hwt_insn" = "$ref_insn" ] ||
	echo "WARNING: instruction counts differ (hwt $hwt_insn, ref $ref_insn)"
