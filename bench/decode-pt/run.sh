#!/bin/sh
# usage: bench/decode-pt/run.sh [MiB]   (default 64)
# Generates a synthetic PT trace (libipt encoder; calls, returns, indirect
# calls/jumps, loops), then times on the same input in the same run:
#   ref     a minimal ptxed-like libipt block-decoder loop (ref_blk.c)
#   hwt     hwt decode --pt ... -o DB (full pipeline into SQLite; a trace
#           this big is decoded in PSB segments by worker threads with the
#           query-decoder fast path)
#   hwt-nc  the same with --no-calls (no per-call rows)
#   hwt-1   --threads 1 --no-calls: one continuous libipt block decode,
#           ptxed's way, plus the core and SQLite
# and prints instructions/s, MB/s and the ratio hwt/ref.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/decode-pt
MIB=${1:-64}
make -s all >/dev/null
G=$OUT/trace-$MIB
if [ ! -s "$G/pt.bin" ]; then
	mkdir -p "$G"
	"$OUT/ptgen" "$G" --min-bytes $((MIB * 1048576)) --psb 4096 \
		--iters 1000 --no-truth
fi
bytes=$(stat -c %s "$G/pt.bin")
now() { date +%s.%N; }
ref_out=$("$OUT/ref_blk" "$G/pt.bin" "$G/prog.elf" 0x400000 0x1000 \
	$(awk '$1 == "size" { print $2 }' "$G/info"))
ref_insn=$(echo "$ref_out" | awk '{ print $3 }')
ref_s=$(echo "$ref_out" | awk '{ print $9 }')
run_hwt() {	# extra args; prints seconds
	rm -f "$OUT/x.db"
	t0=$(now)
	"$ROOT/build/bin/hwt" decode -q "$@" --pt "$G/pt.bin" \
		--elf "$G/prog.elf" -o "$OUT/x.db"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
report() {	# name seconds insns
	awk -v n="$1" -v s="$2" -v i="$3" -v b="$bytes" -v r="$ref_s" 'BEGIN {
		printf "%-8s %8.3f s %8.1f M insn/s %7.1f MB/s  ratio %.2fx\n",
			n, s, i / s / 1e6, b / s / 1e6, r / s }'
}
echo "trace: $bytes bytes, $ref_insn instructions ($G)"
report ref "$ref_s" "$ref_insn"
s=$(run_hwt)
hwt_insn=$("$ROOT/build/bin/hwt" query --csv "$OUT/x.db" \
	"SELECT SUM(insn_count) FROM streams" | tail -1)
report hwt "$s" "$hwt_insn"
s=$(run_hwt --no-calls)
report hwt-nc "$s" "$hwt_insn"
s=$(run_hwt --no-calls --threads 1)
report hwt-1 "$s" "$hwt_insn"
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$hwt_insn" = "$ref_insn" ] ||
	echo "WARNING: instruction counts differ (hwt $hwt_insn, ref $ref_insn)"
