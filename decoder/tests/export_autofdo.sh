#!/bin/sh
# hwt export --autofdo against simpleperf: the corpus's perf_etm.data
# (simpleperf's own test recording, etm_test_loop beside it) decoded and
# exported must equal, line for line, the perf_inject.data simpleperf's
# `inject` wrote from the same file (its ranges, branches, counts, order,
# build id and path trailer).  Then the options: --binary by file name,
# path and 40-digit build id give the same file; a binary the trace never
# ran is an error that leaves no output file; --bolt of the same database
# holds the same taken branches (simpleperf's direct ones, each with its
# count) and no line BOLT 16's parser would refuse.
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
C=$(cd "$ROOT/../shared/corpus/coresight/simpleperf-etm" 2>/dev/null && pwd)
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $1"; [ -n "$2" ] && echo "  $2"; }

if [ ! -f "$C/perf_etm.data" ] || [ ! -f "$C/perf_inject.data" ]; then
	fail export-corpus "no corpus at $C"
	exit 1
fi
BIN=/data/local/tmp/etm_test_loop
mkdir -p "$T/symfs${BIN%/*}"
ln -s "$C/etm_test_loop" "$T/symfs$BIN"
if ! "$HWT" decode -q "$C/perf_etm.data" --symfs "$T/symfs" \
		-o "$T/a.db" 2> "$T/err"; then
	fail export-decode "$(cat "$T/err")"
	exit 1
fi

# 1. simpleperf's expected output, byte for byte.
if "$HWT" export --autofdo "$T/a.txt" "$T/a.db" 2> "$T/err" &&
   cmp -s "$T/a.txt" "$C/perf_inject.data"; then
	echo "PASS: export-autofdo-simpleperf"
else
	fail export-autofdo-simpleperf \
		"$(cat "$T/err"; diff "$C/perf_inject.data" "$T/a.txt" | head -20)"
fi

# 2. --binary by file name, recorded path, build id (perf's padded form).
ok=1
for b in etm_test_loop "$BIN" 0c9a20bf9c009d0e4e8bbf9fad0300ae00000000; do
	"$HWT" export --autofdo "$T/b.txt" --binary "$b" "$T/a.db" \
		2> "$T/err" && cmp -s "$T/b.txt" "$C/perf_inject.data" ||
		{ ok=0; fail export-binary-$b "$(cat "$T/err")"; }
done
[ $ok = 1 ] && echo "PASS: export-binary"

# 3. A binary the trace did not run: exit 1, a message, no file.
if "$HWT" export --autofdo "$T/c.txt" --binary libc.so "$T/a.db" \
		2> "$T/err"; then
	fail export-binary-absent "exit 0"
elif [ -e "$T/c.txt" ] || ! grep -q "libc.so" "$T/err"; then
	fail export-binary-absent "file left or no message: $(cat "$T/err")"
else
	echo "PASS: export-binary-absent"
fi

# 4. BOLT: each direct taken branch of simpleperf's file (to != 0) is a
#    B record with the same count; every line is "B x y n 0" / "F x y n".
"$HWT" export --bolt "$T/a.fdata" "$T/a.db" 2> "$T/err" ||
	fail export-bolt "$(cat "$T/err")"
sed -n 's/^\([0-9a-f]*\)->\([0-9a-f]*\):\([0-9]*\)$/B \1 \2 \3 0/p' \
	"$C/perf_inject.data" | grep -v '^B [0-9a-f]* 0 ' | sort > "$T/want"
grep '^B ' "$T/a.fdata" | sort > "$T/got"
bad=$(grep -cvE '^(B [0-9a-f]+ [0-9a-f]+ [0-9]+ 0|F [0-9a-f]+ [0-9a-f]+ [0-9]+)$' \
	"$T/a.fdata")
if [ "$bad" = 0 ] && [ -n "$(cat "$T/want")" ] &&
   [ -z "$(comm -23 "$T/want" "$T/got")" ]; then
	echo "PASS: export-bolt-branches"
else
	fail export-bolt-branches "bad lines $bad; missing: $(comm -23 "$T/want" "$T/got")"
fi

# 5. --sample N (what LBR sampling sees): with a sample at every taken
#    branch each branch the exact profile has is in some sample, at most
#    in 32 (the stack's depth): exact <= sampled <= 32 x exact, the same
#    branches; a period longer than the run gives no sample at all.
"$HWT" export --bolt "$T/s.fdata" --sample 1 "$T/a.db" 2> "$T/err" ||
	fail export-sample "$(cat "$T/err")"
grep '^B ' "$T/a.fdata" | awk '{ print $2 "-" $3, $4 }' | sort > "$T/ex"
grep '^B ' "$T/s.fdata" | awk '{ print $2 "-" $3, $4 }' | sort > "$T/sa"
if [ -s "$T/ex" ] && [ "$(cut -d' ' -f1 "$T/ex")" = "$(cut -d' ' -f1 "$T/sa")" ] &&
   join "$T/ex" "$T/sa" | awk '$3 < $2 || $3 > 32 * $2 { bad = 1 } END { exit bad }'; then
	echo "PASS: export-sample-every-branch"
else
	fail export-sample-every-branch "$(join -a1 -a2 "$T/ex" "$T/sa")"
fi
"$HWT" export --autofdo "$T/s.txt" --sample 1000000 "$T/a.db" 2> "$T/err"
if [ "$(head -3 "$T/s.txt" | tr '\n' ' ')" = "0 0 0 " ]; then
	echo "PASS: export-sample-none"
else
	fail export-sample-none "$(head -5 "$T/s.txt"; cat "$T/err")"
fi

# 6. A database whose block ids were forged (one id far beyond the rows):
#    a clear error, exit 1, no file; never an allocation sized by it.
cp "$T/a.db" "$T/f.db" && chmod u+w "$T/f.db" &&
	sqlite3 "$T/f.db" "UPDATE blocks SET id = 200000000 WHERE id = 1"
if "$HWT" export --bolt "$T/f.fdata" "$T/f.db" 2> "$T/err"; then
	fail export-forged-ids "exit 0"
elif [ $? != 1 ] || [ -e "$T/f.fdata" ] || ! grep -q "out of range" "$T/err"; then
	fail export-forged-ids "$(cat "$T/err")"
else
	echo "PASS: export-forged-ids"
fi

# 7. --profgen (llvm-profgen --unsymbolized-profile --use-offset=0): the
#    ranges of simpleperf's file (etm_test_loop is a PIE whose first
#    PT_LOAD is at 0: its link-time addresses are its offsets), no
#    address section and no trailer (LLVM 16's reader takes neither),
#    simpleperf's direct branches with their counts, and each of its
#    indirect ones (to 0: simpleperf only knows immediate targets) with
#    the destination the trace saw: the start of a range, or 0 where it
#    left the binary, with the same count (some not 0: the ret at 1088
#    returns to 10a4).
"$HWT" export --profgen "$T/p.txt" "$T/a.db" 2> "$T/err" ||
	fail export-profgen "$(cat "$T/err")"
awk 'NR == 1 { n = $1 } NR <= n + 1' "$C/perf_inject.data" > "$T/want"
awk 'NR == 1 { n = $1 } NR <= n + 1' "$T/p.txt" > "$T/got"
nr=$(head -1 "$T/p.txt")
nb=$(sed -n "$((nr + 2))p" "$T/p.txt")
lines=$(wc -l < "$T/p.txt")
sed -n 's/^\([0-9a-f]*->[0-9a-f]*\):\([0-9]*\)$/\1 \2/p' "$C/perf_inject.data" |
	sort > "$T/wb"
sed -n 's/^\([0-9a-f]*->[0-9a-f]*\):\([0-9]*\)$/\1 \2/p' "$T/p.txt" |
	sort > "$T/gb"
# simpleperf's X->0 becomes X->Y with Y 0 or a range start, same count.
starts=$(sed -n "2,$((nr + 1))s/-.*//p" "$T/p.txt" | tr '\n' ' ')
bad=$(awk -v starts=" $starts 0 " '
	NR == FNR { want[$1] = $2; next }
	{ split($1, a, "->"); got[a[1]] = a[2] " " $2; seen[$1] = $2 }
	END {
		for (b in want) {
			split(b, a, "->")
			if (a[2] != "0") {
				if (seen[b] != want[b]) print "missing " b
				continue
			}
			split(got[a[1]], g, " ")
			if (g[2] != want[b] || index(starts, " " g[1] " ") == 0)
				print "indirect " b " -> " got[a[1]]
		}
	}' "$T/wb" "$T/gb")
if cmp -s "$T/want" "$T/got" && [ "$nb" = "$(wc -l < "$T/gb")" ] &&
   [ "$lines" = $((nr + nb + 2)) ] && ! grep -q '^//' "$T/p.txt" &&
   [ -z "$bad" ] && [ "$(grep -c -- '->0:' "$T/p.txt")" -lt \
	"$(grep -c -- '->0:' "$C/perf_inject.data")" ]; then
	echo "PASS: export-profgen"
else
	fail export-profgen "$bad $(diff "$T/want" "$T/got" | head -5; head -40 "$T/p.txt")"
fi
