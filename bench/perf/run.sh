#!/bin/sh
# usage: bench/perf/run.sh [ITERS]   (default 200000)
# The same perf.data files through perf's tools and through hwt decode,
# one run each, CPU (user + system) and wall seconds, and the ratios:
#   script   perf script --itrace=i0ns (Intel PT; CoreSight: i1i): every
#            instruction as a sample, printed (to /dev/null)
#   sqlite   perf script --itrace=bep -s export-to-sqlite.py DB branches
#            calls: perf's own way to a database (what its documentation
#            shows; needs PySide2's QtSql: python3-pyside2.qtsql and
#            libqt5sql5-sqlite, else "n/a")
#   hwt      hwt decode FILE -o DB: every instruction, calls, stats,
#            replayable flow into SQLite
# Inputs:
#   export-ptgen  a session made by the store's writer (mksession) from a
#                 ptgen trace of ITERS loop iterations (decoder/tests/gen:
#                 the path is known), in 64 KiB chunks, exported with
#                 hwt export --perf-data: the exported session, scaled up
#   export-dyn    the two-thread soft-backend session of tests/e2e/dyn
#                 (build/e2e-dyn, if make check-e2e recorded it), exported
#   perf_etm, perf_with_missing_aux_data
#                 shared/corpus/coresight/simpleperf-etm (CoreSight,
#                 simpleperf; the binary given by --symfs)
set -u
cd "$(dirname "$0")" || exit 1
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/perf
HWT=$ROOT/build/bin/hwt
ITERS=${1:-200000}
CS=$ROOT/../shared/corpus/coresight/simpleperf-etm
SQLPY=/usr/lib/perf-core/scripts/python/export-to-sqlite.py
[ -f "$SQLPY" ] || SQLPY=/usr/share/perf-core/scripts/python/export-to-sqlite.py
command -v perf >/dev/null || { echo "perf not installed (linux-perf)"; exit 1; }
make -s -C "$ROOT" build >/dev/null || exit 1
make -s -C "$ROOT/decoder" "$ROOT/build/decoder/ptgen" >/dev/null || exit 1
make -s -C "$ROOT/store" tools >/dev/null || exit 1
rm -rf "$OUT"
mkdir -p "$OUT/db"

# The inputs.
G=$OUT/gen
mkdir -p "$G"
"$ROOT/build/decoder/ptgen" "$G" --iters "$ITERS" --psb 4096 --no-truth ||
	exit 1
"$ROOT/build/store/mksession" "$OUT/ptgen-session" --meta mode=thread \
	--meta arch=x86_64 --meta target_pid=42 --stream 0:intel_pt:tid=42 \
	--param 0:cpu=0/0/0 --data "0:$G/pt.bin:65536" \
	--mmap "0x400000:0x1000:0x1000:$G/prog.elf:42" || exit 1
"$HWT" export --perf-data "$OUT/export-ptgen.data" "$OUT/ptgen-session" ||
	exit 1
inputs="export-ptgen"
DYN=$ROOT/build/e2e-dyn/session
if [ -f "$DYN/session.db" ] &&
	"$HWT" export --perf-data "$OUT/export-dyn.data" "$DYN"; then
	inputs="$inputs export-dyn"
fi
mkdir -p "$OUT/symfs/data/local/tmp"
for f in perf_etm perf_with_missing_aux_data; do
	if [ -f "$CS/$f.data" ]; then
		ln -sf "$CS/$f.data" "$OUT/$f.data"
		inputs="$inputs $f"
	fi
done
[ -f "$CS/etm_test_loop" ] &&
	ln -sf "$CS/etm_test_loop" "$OUT/symfs/data/local/tmp/etm_test_loop"

# run NAME CMD...: CPU and wall seconds of one run (GNU time), appended.
run() {
	_n=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$OUT/time" "$@" \
		>"$OUT/$_n.out" 2>"$OUT/$_n.err"
	_rc=$?
	awk -v rc="$_rc" '{ printf "%.2f %.2f %d\n", $1, $2 + $3, rc }' \
		"$OUT/time"
}
sqlite_ok=0
/usr/bin/python3 -c 'import PySide2.QtSql' 2>/dev/null && [ -f "$SQLPY" ] &&
	sqlite_ok=1
printf '%-28s %8s %8s %6s %10s\n' "input / tool" "wall s" "CPU s" "insns" \
	"CPU ratio"
echo "($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg), perf $(perf version | \
	cut -d' ' -f3), ITERS=$ITERS)"
for in in $inputs; do
	f=$OUT/$in.data
	case $in in
	export-ptgen) sym="--symfs /"; it=i0ns; po="" ;;
	export-dyn) sym="--symfs $DYN/images"; it=i0ns; po="" ;;
	*) sym="--symfs $OUT/symfs"; it=i1i; po="--kallsyms=/dev/null" ;;
	esac
	bytes=$(stat -L -c %s "$f")
	# shellcheck disable=SC2086
	s=$(run "$in-script" perf script -i "$f" --itrace=$it -F ip $sym $po)
	pi=$(wc -l <"$OUT/$in-script.out")
	# shellcheck disable=SC2086
	h=$(run "$in-hwt" "$HWT" decode -q "$f" $sym -o "$OUT/db/$in.db")
	hi=$("$HWT" query --csv "$OUT/db/$in.db" \
		"SELECT SUM(insn_count) FROM streams" 2>/dev/null | tail -n 1)
	if [ $sqlite_ok = 1 ]; then
		rm -f "$OUT/db/$in.sqlite"
		# shellcheck disable=SC2086
		q=$(run "$in-sqlite" perf script -i "$f" --itrace=bep $sym $po \
			-s "$SQLPY" "$OUT/db/$in.sqlite" branches calls)
	else
		q="n/a n/a 0"
	fi
	echo "$in: $bytes bytes"
	hc=$(echo "$h" | cut -d' ' -f2)
	for t in "script:$s:$pi" "sqlite:$q:" "hwt:$h:$hi"; do
		n=${t%%:*}; v=${t#*:}; ins=${v#*:}; v=${v%%:*}
		# shellcheck disable=SC2086
		set -- $v
		ratio=$(awk -v a="$2" -v b="$hc" 'BEGIN {
			if (a == "n/a" || b + 0 == 0) print "-";
			else printf "%.1fx", a / b }')
		printf '  %-26s %8s %8s %6s %10s%s\n' "$n" "$1" "$2" \
			"${ins:--}" "$ratio" "$([ "${3:-0}" = 0 ] || echo " (exit $3)")"
	done
done
[ $sqlite_ok = 1 ] || echo "export-to-sqlite.py: n/a (needs PySide2's" \
	"QtSql: apt-get install python3-pyside2.qtsql libqt5sql5-sqlite)"
echo "CPU ratio: the tool's CPU seconds over hwt decode's"
