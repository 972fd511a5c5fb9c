#!/bin/sh
# usage: bench/pgo/run.sh [TRAIN_N [RUN_N]]    (defaults 100000, 3000000)
#
# Profile-guided optimization from an hwt trace, one command (issue 22):
#  1. builds prog.c with clang-16 (-O2, DWARF 4 for Debian's autofdo 0.19,
#     no jump tables: BOLT 16 refuses a static binary's PIC jump tables,
#     -Wl,--emit-relocs for BOLT), static (the test VM runs static
#     programs);
#  2. records it with the soft backend in the x86 VM on the training input
#     (seed 1, TRAIN_N rounds; make vm-record: minutes);
#  3. hwt decode, hwt export --bolt and --autofdo (--binary prog);
#  4. (a) llvm-bolt-16 --pa with the usual layout options, (b)
#     create_llvm_prof --profiler text + clang-16 -fprofile-sample-use
#     (afdo_names.py works around autofdo 0.19's corrupt inlinee names);
#  5. checks (PASS/FAIL lines): llvm-bolt reads the profile without
#     a parse error and with most traces matching its CFG; create_llvm_prof
#     accepts the AutoFDO file and writes a profile of main; every build
#     prints what the plain build prints, on another input (seed 7, RUN_N);
#  6. measures on that other input: wall time (hyperfine, host) and
#     cachegrind's simulated I1 misses and branch mispredictions (on
#     RUN_N/10 rounds: cachegrind runs ~50x slower), for the plain,
#     BOLT and AutoFDO builds, and prints the ratios to the plain build.
# Outputs under build/bench/pgo/.  Needs bolt-16, clang-16, autofdo,
# hyperfine, valgrind (scripts/install-deps.sh) and the VM's kernel.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/pgo
H=$ROOT/build/bin/hwt
TRAIN_N=${1:-100000}
RUN_N=${2:-3000000}
CFLAGS="-O2 -gdwarf-4 -fdebug-info-for-profiling -fno-jump-tables"
LDFLAGS="-static -Wl,--emit-relocs"
fails=0
pass() { echo "PASS: pgo/$1"; }
fail() { echo "FAIL: pgo/$1${2:+ ($2)}"; fails=$((fails + 1)); }

mkdir -p "$OUT"
make -s -C "$ROOT" build >/dev/null
# shellcheck disable=SC2086 # flag lists
clang-16 $CFLAGS $LDFLAGS -o "$OUT/prog" prog.c

# The training trace, recorded again only when the binary or input changed.
key="$(sha256sum "$OUT/prog" | cut -c1-16) $TRAIN_N"
if [ "$(cat "$OUT/sess.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$OUT/sess"
	make -s -C "$ROOT" vm-record PROG="$OUT/prog" ARGS="1 $TRAIN_N" \
		OUT="$OUT/sess" >"$OUT/record.log" 2>&1 ||
		{ tail -20 "$OUT/record.log"; exit 1; }
	echo "$key" >"$OUT/sess.key"
fi
"$H" decode -q "$OUT/sess" -o "$OUT/train.db" --force
"$H" export --bolt "$OUT/prog.fdata" "$OUT/train.db" --binary prog
"$H" export --autofdo "$OUT/prog.afdo" "$OUT/train.db" --binary prog
echo "trace: $("$H" query "$OUT/train.db" --csv \
	'SELECT SUM(insn_count) FROM streams' | tail -1) instructions;" \
	"$(wc -l <"$OUT/prog.fdata") BOLT records;" \
	"$(head -1 "$OUT/prog.afdo") AutoFDO ranges"

# (a) BOLT
llvm-bolt-16 "$OUT/prog" -o "$OUT/prog.bolt" --pa -p "$OUT/prog.fdata" \
	-reorder-blocks=ext-tsp -reorder-functions=hfsort -split-functions \
	-split-all-cold -dyno-stats >"$OUT/bolt.log" 2>&1 ||
	fail bolt-runs "$(tail -3 "$OUT/bolt.log")"
mis=$(sed -n 's/.*mismatching disassembled function contents: [0-9]* (\([0-9.]*\)%).*/\1/p' \
	"$OUT/bolt.log")
if grep -qiE "expected (B|end|hexadecimal)|malformed|parse" "$OUT/bolt.log"; then
	fail bolt-reads-profile "$(grep -iE "expected|malformed|parse" "$OUT/bolt.log" | head -3)"
elif [ -z "$mis" ] || [ "${mis%.*}" -ge 25 ]; then
	fail bolt-traces-match "mismatching ${mis:-?}%"
else
	pass "bolt-reads-profile (traces mismatching its CFG: $mis%)"
fi

# The records of prog.c's own functions (BOLT skips some of static
# glibc's hand-written assembly: those traces count as mismatching) must
# all match BOLT's CFG.
python3 - "$OUT/prog" "$OUT/prog.fdata" "$OUT/own.fdata" <<'PY'
import subprocess, sys
own = []
for l in subprocess.check_output(["nm", "-S", "--defined-only",
                                  sys.argv[1]]).decode().split("\n"):
    f = l.split()
    if len(f) == 4 and f[3] in ("main", "run_vm"):
        own.append((int(f[0], 16), int(f[0], 16) + int(f[1], 16)))
with open(sys.argv[3], "w") as out:
    for l in open(sys.argv[2]):
        a = int(l.split()[1], 16)
        if any(lo <= a < hi for lo, hi in own):
            out.write(l)
PY
llvm-bolt-16 "$OUT/prog" -o "$OUT/prog.own.bolt" --pa -p "$OUT/own.fdata" \
	>"$OUT/bolt-own.log" 2>&1 || true
own=$(sed -n 's/.*mismatching disassembled function contents: \([0-9]*\) .*/\1/p' \
	"$OUT/bolt-own.log")
if [ "$own" = 0 ] && [ -s "$OUT/own.fdata" ]; then
	pass "bolt-own-functions-match ($(wc -l <"$OUT/own.fdata") records of main, run_vm: 0 traces mismatching)"
else
	fail bolt-own-functions-match "${own:-?} traces mismatching"
fi

# (b) AutoFDO
create_llvm_prof --profiler text --profile "$OUT/prog.afdo" \
	--binary "$OUT/prog" --out "$OUT/prog.prof" --format text \
	>"$OUT/afdo.log" 2>&1 || fail create-llvm-prof "$(tail -3 "$OUT/afdo.log")"
./afdo_names.py "$OUT/prog.prof" "$OUT/prog.fixed.prof"
if grep -q '^main:[0-9]*:' "$OUT/prog.prof"; then
	pass create-llvm-prof-accepts
else
	fail create-llvm-prof-accepts "no main in the profile"
fi
# shellcheck disable=SC2086
clang-16 $CFLAGS -fprofile-sample-use="$OUT/prog.fixed.prof" $LDFLAGS \
	-o "$OUT/prog.afdo-build" prog.c

# Same output on another input.
want=$("$OUT/prog" 7 "$RUN_N")
for b in prog.bolt prog.afdo-build; do
	got=$("$OUT/$b" 7 "$RUN_N" 2>&1) || true
	if [ "$got" = "$want" ]; then
		pass "same-output-$b"
	else
		fail "same-output-$b" "$got != $want"
	fi
done

# Measurements, on the other input.
hyperfine -N -w 2 -r 15 --export-json "$OUT/hyperfine.json" \
	"$OUT/prog 7 $RUN_N" "$OUT/prog.bolt 7 $RUN_N" \
	"$OUT/prog.afdo-build 7 $RUN_N" >"$OUT/hyperfine.log" 2>&1 ||
	hyperfine -w 2 -r 15 --export-json "$OUT/hyperfine.json" \
	"$OUT/prog 7 $RUN_N" "$OUT/prog.bolt 7 $RUN_N" \
	"$OUT/prog.afdo-build 7 $RUN_N" >"$OUT/hyperfine.log" 2>&1
python3 - "$OUT/hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["mean"]
for x in r:
    print("wall %-14s mean %.4f s +- %.4f  median %.4f  speedup %.3fx" % (
        x["command"].split()[0].rsplit("/", 1)[-1], x["mean"], x["stddev"],
        x["median"], base / x["mean"]))
PY
cg() {	# command...: prints "I1_misses mispredicts instructions"
	valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
		--cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	awk '/ I1  misses:/ { gsub(",", "", $4); i = $4 }
	     / Mispredicts:/ { gsub(",", "", $3); m = $3 }
	     / I   refs:/ { gsub(",", "", $4); r = $4 }
	     END { print i, m, r }'
}
base=
for b in prog prog.bolt prog.afdo-build; do
	# shellcheck disable=SC2046 # three numbers
	set -- $(cg "$OUT/$b" 7 $((RUN_N / 10)))
	[ -z "$base" ] && base="$1 $2 $3"
	# shellcheck disable=SC2086
	echo "$b $1 $2 $3 $base" | awk '{
		printf "cachegrind %-15s I1 misses %9d (%.3f of plain)  mispredicts %10d (%.3f)  instructions %11d (%.3f)\n",
			$1, $2, $2 / ($5 ? $5 : 1), $3, $3 / ($6 ? $6 : 1),
			$4, $4 / ($7 ? $7 : 1) }'
done
[ "$fails" = 0 ]
