#!/bin/sh
# usage: bench/pgo/run.sh [TRAIN_N [RUN_N [SAMPLE]]]
#        (defaults 100000, 3000000, 1009)
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
#  5b. the same with the profiles LBR sampling would give of the same
#     trace (hwt export --sample SAMPLE: a 32-branch stack at every
#     SAMPLE-th taken branch, what perf inject --itrace=l and perf2bolt
#     see), to show what exact fall-through ranges buy;
#  6. measures on that other input: wall time (hyperfine, host, 30 runs:
#     the minimum is the figure a loaded machine spoils least) and
#     cachegrind's simulated I1 misses and branch mispredictions (on
#     RUN_N/10 rounds: cachegrind runs ~50x slower), for the plain,
#     BOLT and AutoFDO builds, and prints the ratios to the plain build.
# Outputs under build/bench/pgo/.  Needs bolt-16, clang-16, autofdo,
# hyperfine, valgrind (installed here: scripts/install-deps.sh --bench)
# and the VM's kernel.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
"$ROOT/scripts/install-deps.sh" --bench
OUT=$ROOT/build/bench/pgo
H=$ROOT/build/bin/hwt
TRAIN_N=${1:-100000}
RUN_N=${2:-3000000}
SAMPLE=${3:-1009}
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
# The exact profiles, and for comparison what perf inject --itrace=l /
# LBR sampling would give of the same run: a 32-branch stack at every
# SAMPLE-th taken branch.
"$H" export --bolt "$OUT/prog.fdata" "$OUT/train.db" --binary prog
"$H" export --autofdo "$OUT/prog.afdo" "$OUT/train.db" --binary prog
"$H" export --bolt "$OUT/prog.s.fdata" "$OUT/train.db" --binary prog \
	--sample "$SAMPLE"
"$H" export --autofdo "$OUT/prog.s.afdo" "$OUT/train.db" --binary prog \
	--sample "$SAMPLE"
echo "trace: $("$H" query "$OUT/train.db" --csv \
	'SELECT SUM(insn_count) FROM streams' | tail -1) instructions;" \
	"exact: $(wc -l <"$OUT/prog.fdata") BOLT records," \
	"$(head -1 "$OUT/prog.afdo") AutoFDO ranges;" \
	"sampled every $SAMPLE taken branches: $(wc -l <"$OUT/prog.s.fdata")" \
	"BOLT records, $(head -1 "$OUT/prog.s.afdo") AutoFDO ranges"

# optimize V: V "" the exact profiles, ".s" the sampled ones.
optimize() {
	v=$1
	llvm-bolt-16 "$OUT/prog" -o "$OUT/prog$v.bolt" --pa \
		-p "$OUT/prog$v.fdata" -reorder-blocks=ext-tsp \
		-reorder-functions=hfsort -split-functions -split-all-cold \
		-dyno-stats >"$OUT/bolt$v.log" 2>&1 ||
		fail "bolt-runs$v" "$(tail -3 "$OUT/bolt$v.log")"
	mis=$(sed -n 's/.*mismatching disassembled function contents: [0-9]* (\([0-9.]*\)%).*/\1/p' \
		"$OUT/bolt$v.log")
	if grep -qiE "expected (B|end|hexadecimal)|malformed|parse" \
			"$OUT/bolt$v.log"; then
		fail "bolt-reads-profile$v" "$(grep -iE "expected|malformed|parse" "$OUT/bolt$v.log" | head -3)"
	elif [ -z "$mis" ] || [ "${mis%.*}" -ge 25 ]; then
		fail "bolt-traces-match$v" "mismatching ${mis:-?}%"
	else
		pass "bolt-reads-profile$v (traces mismatching its CFG: $mis%)"
	fi
	create_llvm_prof --profiler text --profile "$OUT/prog$v.afdo" \
		--binary "$OUT/prog" --out "$OUT/prog$v.prof" --format text \
		>"$OUT/afdo$v.log" 2>&1 ||
		fail "create-llvm-prof$v" "$(tail -3 "$OUT/afdo$v.log")"
	./afdo_names.py "$OUT/prog$v.prof" "$OUT/prog$v.fixed.prof"
	if grep -q '^main:[0-9]*:' "$OUT/prog$v.prof"; then
		pass "create-llvm-prof-accepts$v"
	else
		fail "create-llvm-prof-accepts$v" "no main in the profile"
	fi
	# shellcheck disable=SC2086
	clang-16 $CFLAGS -fprofile-sample-use="$OUT/prog$v.fixed.prof" \
		$LDFLAGS -o "$OUT/prog$v.afdo-build" prog.c
}
optimize ""
optimize .s

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

# Same output on another input.
want=$("$OUT/prog" 7 "$RUN_N")
for b in prog.bolt prog.afdo-build prog.s.bolt prog.s.afdo-build; do
	got=$("$OUT/$b" 7 "$RUN_N" 2>&1) || true
	if [ "$got" = "$want" ]; then
		pass "same-output-$b"
	else
		fail "same-output-$b" "$got != $want"
	fi
done

# Measurements, on the other input.
set --
for b in prog prog.bolt prog.afdo-build prog.s.bolt prog.s.afdo-build; do
	set -- "$@" "$OUT/$b 7 $RUN_N"
done
hyperfine -N -w 3 -r 30 --export-json "$OUT/hyperfine.json" "$@" \
	>"$OUT/hyperfine.log" 2>&1
python3 - "$OUT/hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bmin, bmed = r[0]["min"], r[0]["median"]
for x in r:
    print("wall %-17s min %.4f s (%.3fx)  median %.4f s (%.3fx)  mean %.4f +- %.4f" % (
        x["command"].split()[0].rsplit("/", 1)[-1], x["min"], bmin / x["min"],
        x["median"], bmed / x["median"], x["mean"], x["stddev"]))
PY
# hyperfine runs one command's runs after the other's, so load that comes
# and goes on a shared machine favours some: the same builds again,
# interleaved round by round, minimum of 30.
python3 - "$OUT" "$RUN_N" <<'PY'
import subprocess, sys, time
out, n = sys.argv[1], sys.argv[2]
names = ["prog", "prog.bolt", "prog.afdo-build", "prog.s.bolt",
         "prog.s.afdo-build"]
best = dict((b, 1e9) for b in names)
for _ in range(30):
    for b in names:
        t = time.perf_counter()
        subprocess.run(["%s/%s" % (out, b), "7", n], check=True,
                       stdout=subprocess.DEVNULL)
        best[b] = min(best[b], time.perf_counter() - t)
for b in names:
    print("interleaved %-17s min %.4f s (%.3fx)" % (b, best[b],
                                                   best["prog"] / best[b]))
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
for b in prog prog.bolt prog.afdo-build prog.s.bolt prog.s.afdo-build; do
	# shellcheck disable=SC2046 # three numbers
	set -- $(cg "$OUT/$b" 7 $((RUN_N / 10)))
	[ -z "$base" ] && base="$1 $2 $3"
	# shellcheck disable=SC2086
	echo "$b $1 $2 $3 $base" | awk '{
		printf "cachegrind %-17s I1 misses %9d (%.3f of plain)  mispredicts %10d (%.3f)  instructions %11d (%.3f)\n",
			$1, $2, $2 / ($5 ? $5 : 1), $3, $3 / ($6 ? $6 : 1),
			$4, $4 / ($7 ? $7 : 1) }'
done
[ "$fails" = 0 ]
