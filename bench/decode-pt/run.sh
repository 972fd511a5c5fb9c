#!/bin/sh
# usage: bench/decode-pt/run.sh [--real] [MiB]   (default 64)
# Generates (once, cached under build/bench/decode-pt/trace-MiB) a synthetic
# PT trace (libipt encoder; calls, returns, indirect calls/jumps, loops);
# with --real also the real-program traces of real.sh (gzip, perl, sqlite3
# recorded with the soft backend in the VM, once, cached under
# build/bench/decode-pt/real; each repeated to REAL_MIB MiB, default 8,
# images from the session: REAL_MIB=32 gives the 28-32 MB of the real
# captures issue 21 measured; and each again as NAME-status, with the
# MODE.TSX, PIP and VMCS that real captures carry in every PSB+).  Then
# times, on each input in the same run:
#   ref      a minimal ptxed-like libipt block-decoder loop (ref_blk.c)
#   hwt      hwt decode --pt ... -o DB (full pipeline into SQLite; a trace
#            this big is decoded in PSB segments by worker threads with the
#            packet-level fast path, pt_fastpkt.c), one calls row per call
#   hwt-nc   the same with --no-calls (no per-call rows)
#   hwt-1c   hwt decode --no-calls pinned to one core (taskset -c 0: one
#            CPU in the affinity mask, so the segments are decoded inline
#            on the main thread)
#   hwt-1cc  the default decode (calls rows) pinned to one core
#   hwt-1    --threads 1 --no-calls: one continuous libipt block decode,
#            ptxed's way, plus the core and SQLite
# Every run is timed by /usr/bin/time (whole process: start, file reading,
# decode, database); it prints wall and CPU (user+sys) seconds,
# instructions/s and MB/s on CPU time, the ratios ref/hwt on wall and
# on CPU time (>1: hwt is faster) and the peak RSS; after the hwt row, how
# many trace bytes the fast path decoded and how many libipt did.  HWT=PATH times
# another hwt binary (a build of an older commit) against the same inputs;
# BASE=PATH also times that binary in the same run (rows base, base-1c,
# base-1cc: before and after side by side, under the same load).  RUNS=N
# runs each command N times and reports the least wall and CPU time of
# the N and the peak RSS (default 1).  On a shared machine CPU time is
# the figure to trust: wall time counts other jobs' load.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/decode-pt
REAL=
if [ "${1:-}" = --real ]; then
	REAL=1
	shift
fi
MIB=${1:-64}
HWT=${HWT:-$ROOT/build/bin/hwt}
make -s all >/dev/null
G=$OUT/trace-$MIB
if [ ! -s "$G/pt.bin" ] || [ ! -s "$G/info" ]; then
	mkdir -p "$G"
	"$OUT/ptgen" "$G" --min-bytes $((MIB * 1048576)) --psb 4096 \
		--iters 1000 --no-truth
fi
[ -z "$REAL" ] || ./real.sh "${REAL_MIB:-8}"
TF=$OUT/time.out
RUNS=${RUNS:-1}
timed() {	# command...; sets wall and cpu (the least of RUNS runs)
		# and rss (the most); output of the command to $OUT/cmd.out
	: >"$TF.all"
	k=0
	while [ "$k" -lt "$RUNS" ]; do
		rm -f "$OUT/x.db"
		/usr/bin/time -o "$TF" -f "%e %U %S %M" "$@" >"$OUT/cmd.out"
		tail -n 1 "$TF" >>"$TF.all"
		k=$((k + 1))
	done
	wall=$(sort -n -k1,1 "$TF.all" | awk 'NR == 1 { print $1 }')
	cpu=$(awk '{ printf "%.2f\n", $2 + $3 }' "$TF.all" | sort -n | head -n 1)
	rss=$(sort -n -k4,4 "$TF.all" | awk 'END { printf "%.0f", $4 / 1024 }')
}
run_hwt() {	# extra args (a leading "pin": taskset -c 0 pins the run)
	rm -f "$OUT/x.db"
	pre=
	if [ "$1" = pin ]; then
		pre="taskset -c 0"
		shift
	fi
	# shellcheck disable=SC2086
	timed $pre "${H:-$HWT}" decode -q "$@" --pt "$PT" $IMAGES \
		-o "$OUT/x.db"
}
report() {	# name
	awk -v n="$1" -v w="$wall" -v c="$cpu" -v i="$ref_insn" -v b="$bytes" \
	    -v rw="$ref_wall" -v rc="$ref_cpu" -v m="$rss" 'BEGIN {
		printf "%-7s wall %7.2f s  cpu %7.2f s  %7.1f M insn/s %6.1f MB/s (cpu)  ratio wall %.2fx cpu %.2fx  rss %4d MB\n",
			n, w, c, i / c / 1e6, b / c / 1e6, rw / w, rc / c, m }'
}
bench() {	# name; PT, REF (ref_blk's image args), IMAGES (hwt's) set
	bytes=$(stat -c %s "$PT")
	# shellcheck disable=SC2086
	timed "$OUT/ref_blk" "$PT" $REF
	ref_insn=$(awk '{ print $3 }' "$OUT/cmd.out")
	ref_wall=$wall
	ref_cpu=$cpu
	echo "$1: $bytes bytes, $ref_insn instructions ($PT)"
	report ref
	run_hwt
	hwt_insn=$("$HWT" query --csv "$OUT/x.db" \
		"SELECT SUM(insn_count) FROM streams" | tail -1)
	report hwt
	# How much of the trace the fast path took (hwt decode says it
	# without -q; the rest went to libipt's block decoder).
	rm -f "$OUT/x.db"
	# shellcheck disable=SC2086
	"$HWT" decode --pt "$PT" $IMAGES -o "$OUT/x.db" 2>&1 |
		sed -n 's/^hwt decode: Intel PT in PSB segments: /        /p'
	run_hwt --no-calls
	report hwt-nc
	run_hwt pin --no-calls
	report hwt-1c
	run_hwt pin
	report hwt-1cc
	run_hwt --no-calls --threads 1
	report hwt-1
	if [ -n "${BASE:-}" ]; then
		H=$BASE
		run_hwt
		report base
		run_hwt pin --no-calls
		report base-1c
		run_hwt pin
		report base-1cc
		H=
	fi
	[ "$hwt_insn" = "$ref_insn" ] ||
		echo "WARNING: instruction counts differ (hwt $hwt_insn, ref $ref_insn)"
}
PT=$G/pt.bin
REF="$G/prog.elf 0x400000 0x1000 $(awk '$1 == "size" { print $2 }' "$G/info")"
IMAGES="--elf $G/prog.elf"
bench "trace-$MIB"
if [ -n "$REAL" ]; then
	for name in gzip perl sqlite gzip-status perl-status sqlite-status; do
		d=$OUT/real/$name
		PT=$d/pt.bin
		REF=$(awk '{ printf "%s %s %s %s ", $1, $2, $3, $4 }' "$d/args")
		IMAGES=$(awk '{ printf "--elf %s:%s ", $1, $5 }' "$d/args")
		bench "$name"
	done
fi
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
