#!/bin/sh
# usage: [SNAP=name] bench/decode-cs/run.sh [N] [RUNS]   (defaults 200, 3)
# The corpus snapshots are small (~100 KB of trace: too short to time), so
# the largest one (by trace bytes) is copied with its trace.bin repeated N
# times (frame aligned; each copy resyncs at its first A-sync packet).
# On that same input, in the same run, best of RUNS wall times:
#   lister  trc_pkt_lister -ss_dir DIR -decode_only (OpenCSD's own tool)
#   hwt     hwt decode --snapshot DIR -o DB (full pipeline into SQLite)
#   null    the front end with a counting sink (OpenCSD decode alone,
#           crash-safe child process; null-nofork: in-process)
# and prints instructions/s and the ratio to the lister.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/decode-cs
CORPUS=$ROOT/../shared/corpus/coresight
N=${1:-200}
RUNS=${2:-3}
make -s all >/dev/null
command -v trc_pkt_lister > /dev/null ||
	{ echo "trc_pkt_lister not installed (libopencsd-bin)"; exit 1; }
best=""
# SNAP=name picks a snapshot instead of the largest.
for d in "$CORPUS"/${SNAP:-*}/; do
	[ -f "$d/snapshot.ini" ] || continue
	b=$(awk -F= '/^file=/ { print $2; exit }' "$d/trace.ini")
	s=$(stat -c %s "$d/$b")
	if [ -z "$best" ] || [ "$s" -gt "$bsize" ]; then
		best=$d; bsize=$s; bfile=$b
	fi
done
name=$(basename "$best")
S=$OUT/$name-x$N
if [ ! -s "$S/$bfile" ]; then
	rm -rf "$S" && mkdir -p "$S"
	for f in "$best"/*; do
		if [ -f "$f" ]; then cp "$f" "$S"/; fi
	done
	chmod u+w "$S"/*
	i=0; : > "$S/$bfile.tmp"
	while [ $i -lt "$N" ]; do
		cat "$best/$bfile" >> "$S/$bfile.tmp"; i=$((i + 1))
	done
	mv "$S/$bfile.tmp" "$S/$bfile"
fi
bytes=$(stat -c %s "$S/$bfile")
now() { date +%s.%N; }
# time CMD...: best wall seconds over RUNS
timeit() {
	b=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		t0=$(now); "$@" > /dev/null 2>&1; t1=$(now)
		b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN {
			s = c - a; if (b == "" || s < b) b = s; printf "%.3f", b }')
		r=$((r + 1))
	done
	echo "$b"
}
lister() {
	rm -f "$OUT/lister.ppl"
	trc_pkt_lister -ss_dir "$S" -decode_only \
		-logfilename "$OUT/lister.ppl"
}
hwt() {
	rm -f "$OUT/x.db"
	"$ROOT/build/bin/hwt" decode -q --snapshot "$S" -o "$OUT/x.db"
}
t_lister=$(timeit lister)
l_insn=$(grep -o 'num_i([0-9]*)' "$OUT/lister.ppl" |
	tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }')
t_hwt=$(timeit hwt)
h_insn=$("$ROOT/build/bin/hwt" query --csv "$OUT/x.db" \
	"SELECT SUM(insn_count) FROM streams" | tail -1)
t_null=$(timeit "$OUT/cs_null" "$S")
t_nofork=$(timeit "$OUT/cs_null" --no-fork "$S")
report() {	# name seconds insns
	awk -v n="$1" -v s="$2" -v i="$3" -v b="$bytes" -v r="$t_lister" \
		'BEGIN { printf "%-12s %8.3f s %7.2f M insn/s %6.2f MB/s  ratio %.2fx\n",
			n, s, i / s / 1e6, b / s / 1e6, r / s }'
}
echo "input: $name trace x$N = $bytes bytes, $l_insn instructions," \
	"best of $RUNS ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
report lister "$t_lister" "$l_insn"
report hwt "$t_hwt" "$h_insn"
report null "$t_null" "$h_insn"
report null-nofork "$t_nofork" "$h_insn"
[ "$h_insn" = "$l_insn" ] ||
	echo "WARNING: instruction counts differ (hwt $h_insn, lister $l_insn)"
