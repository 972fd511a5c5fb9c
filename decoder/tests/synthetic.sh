#!/bin/sh
# Synthetic ground truth: traces made with libipt's encoder from a program
# whose execution path is known (tests/gen/ptgen.c).  Replay must match the
# truth instruction for instruction, function_stats the known counts.
: "${HWT:=../../build/bin/hwt}" "${PTGEN:=../../build/decoder/ptgen}"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
stats_match() {	# DB DIR: function_stats equals ptgen's stats.txt
	"$HWT" query --csv "$1" "SELECT name, calls, insn_count FROM
		function_stats ORDER BY name" | tail -n +2 | tr , ' ' > "$T/fs"
	awk '$2 > 0 || $3 > 0' "$2/stats.txt" | sort > "$T/exp"
	cmp -s "$T/fs" "$T/exp"
}

for cfg in "small:--iters 10" "loop:--iters 2000 --psb 256" \
	   "psb-dense:--iters 300 --psb 64" "retcomp:--iters 500 --psb 300 --retcomp"; do
	name=${cfg%%:*}; args=${cfg#*:}
	G=$T/$name; mkdir -p "$G"
	"$PTGEN" "$G" $args || { echo "FAIL: synth-$name (ptgen)"; continue; }
	"$HWT" decode -q --pt "$G/pt.bin" --elf "$G/prog.elf" -o "$G/x.db"
	"$HWT" replay "$G/x.db" > "$G/got"
	check "synth-$name-replay-matches-truth" cmp -s "$G/got" "$G/truth.txt"
	check "synth-$name-function-stats" stats_match "$G/x.db" "$G"
	check "synth-$name-no-errors" test "$("$HWT" query --csv "$G/x.db" \
		"SELECT COUNT(*) FROM errors" | tail -1)" = 0
done

G=$T/loop
# The same trace against a raw image (ptxed --raw) replays the same.
"$HWT" decode -q --pt "$G/pt.bin" --raw "$G/prog.bin:0x400000" -o "$T/raw.db"
"$HWT" replay "$T/raw.db" > "$T/raw"
check synth-raw-image-replay cmp -s "$T/raw" "$G/truth.txt"
"$HWT" decode -q --pt "$G/pt.bin" --raw "$G/prog.elf:0x1000-0x58:0x400000" \
	-o "$T/raw2.db"
"$HWT" replay "$T/raw2.db" > "$T/raw2"
check synth-raw-offset-size-replay cmp -s "$T/raw2" "$G/truth.txt"

# Calls table: one row per call of each function, consistent with stats.
check synth-calls-rows test "$("$HWT" query --csv "$G/x.db" "SELECT COUNT(*)
	FROM calls c JOIN call_paths p ON p.id = c.call_path_id JOIN symbols s
	ON s.id = p.symbol_id WHERE s.name = 'h'" | tail -1)" = \
	"$(awk '$1 == "h" { print $2 }' "$G/stats.txt")"
# Calls nest: every h called from g (tail call) has g's parent (main).
check synth-tail-call-parent test "$("$HWT" query --csv "$G/x.db" "SELECT
	COUNT(*) FROM call_paths p JOIN symbols s ON s.id = p.symbol_id JOIN
	call_paths q ON q.id = p.parent_id JOIN symbols t ON t.id = q.symbol_id
	WHERE s.name = 'h' AND t.name NOT IN ('main', 'f')" | tail -1)" = 0
# call_path_stats (the call tree's counts) equals the calls rows summed
# per call path, and --no-calls keeps it: hwt report prints the same.
check synth-call-path-stats test "$("$HWT" query --csv "$G/x.db" "SELECT
	COUNT(*) FROM (SELECT call_path_id, COUNT(*), SUM(insn_count) FROM calls
	GROUP BY call_path_id EXCEPT SELECT call_path_id, calls, insn_count
	FROM call_path_stats)" | tail -1)" = 0
"$HWT" decode -q --no-calls --pt "$G/pt.bin" --elf "$G/prog.elf" \
	-o "$T/nocalls.db"
"$HWT" report "$G/x.db" > "$T/report-calls"
"$HWT" report "$T/nocalls.db" > "$T/report-nocalls"
check synth-no-calls-report-same sh -c "cmp -s '$T/report-calls' \
	'$T/report-nocalls' && grep -q ' calls ' '$T/report-calls'"
# Block counts add up to the instruction count.
check synth-block-counts-sum test "$("$HWT" query --csv "$G/x.db" "SELECT
	SUM(insn_count) FROM block_stats" | tail -1)" = "$(wc -l < "$G/truth.txt")"
# --from/--count slices the same sequence.
"$HWT" replay "$G/x.db" --from 1000 --count 500 > "$T/slice"
check synth-replay-slice sh -c "sed -n 1001,1500p '$G/truth.txt' | cmp -s - '$T/slice'"

# PSB segments decoded in parallel (query-decoder fast path + libipt)
# join into the same sequence.
R=$T/retcomp
"$HWT" decode -q --segmented --threads 2 --pt "$R/pt.bin" --elf "$R/prog.elf" \
	-o "$T/segrc.db"
"$HWT" replay "$T/segrc.db" > "$T/segrc"
check synth-segmented-retcomp-replay-matches-truth cmp -s "$T/segrc" "$R/truth.txt"
# The same with every segment through libipt (no fast path): its joins
# at every PSB, wherever the generator put it (after a branch, in
# straight-line code, after calls), with and without return compression.
# --test-pt-no-fastpath 2: the join's two-decode fallback alone.
for c in "$G" "$R"; do
	for nf in 1 2; do
		"$HWT" decode -q --force --segmented --test-pt-no-fastpath "$nf" \
			--threads 2 --pt "$c/pt.bin" --elf "$c/prog.elf" \
			-o "$T/seglib.db"
		"$HWT" replay "$T/seglib.db" > "$T/seglib"
		check "synth-segmented-libipt$nf-$(basename "$c")-replay-matches-truth" \
			cmp -s "$T/seglib" "$c/truth.txt"
	done
done
for t in 1 2; do
	"$HWT" decode -q --segmented --threads $t --pt "$G/pt.bin" \
		--elf "$G/prog.elf" -o "$T/seg$t.db"
	"$HWT" replay "$T/seg$t.db" > "$T/seg$t"
	check synth-segmented-$t-replay-matches-truth cmp -s "$T/seg$t" "$G/truth.txt"
	check synth-segmented-$t-function-stats stats_match "$T/seg$t.db" "$G"
done

# Corruption: the error is recorded, decoding resyncs at the next PSB
# (ptxed semantics): what follows the gap is the truth from that PSB on.
cp "$G/pt.bin" "$T/c.bin"
printf '\002\002\002\002' | dd of="$T/c.bin" bs=1 seek=1100 conv=notrunc 2>/dev/null
"$HWT" decode -q --pt "$T/c.bin" --elf "$G/prog.elf" -o "$T/c.db"
"$HWT" replay "$T/c.db" > "$T/c"
idx=$(awk '$1 > 1100 { print $2; exit }' "$G/psb.txt")
sed -n '/^\[/,$p' "$T/c" | tail -n +2 > "$T/after"
tail -n +$((idx + 1)) "$G/truth.txt" > "$T/exp-after"
check synth-corrupt-gap-recorded grep -q '^\[' "$T/c"
check synth-corrupt-resync-at-next-psb cmp -s "$T/after" "$T/exp-after"
sed '/^\[/,$d' "$T/c" > "$T/before"
check synth-corrupt-prefix-is-truth sh -c \
	"head -n $(wc -l < "$T/before") '$G/truth.txt' | cmp -s - '$T/before'"

"$HWT" decode -q --segmented --threads 2 --pt "$T/c.bin" --elf "$G/prog.elf" \
	-o "$T/cs.db"
"$HWT" replay "$T/cs.db" > "$T/cs"
check synth-corrupt-segmented-equals-continuous cmp -s "$T/c" "$T/cs"

# Session directory input: chunks concatenated, image from the mmap record.
./gen/mksession.sh "$T/s1" "$G/pt.bin" "$G/prog.elf" 0x400000 0x1000 0x58 \
	--chunks 4 --tid 777
"$HWT" decode -q "$T/s1" -o "$T/s1.db"
"$HWT" replay "$T/s1.db" --thread 777 > "$T/s1.out"
check session-replay-matches-truth cmp -s "$T/s1.out" "$G/truth.txt"
check session-thread-row test "$("$HWT" query --csv "$T/s1.db" \
	"SELECT tid FROM threads WHERE id > 0" | tail -1)" = 777
./gen/mksession.sh "$T/s2" "$G/pt.bin" "$G/prog.elf" 0x400000 0x1000 0x58 \
	--chunks 4 --lost-before 2:4096 --bad-crc 3
"$HWT" decode "$T/s2" -o "$T/s2.db" 2>"$T/s2.sum"
check session-summary-says-lost-bytes grep -q \
	"2 errors or gaps (0 overflows, 4096 bytes lost)" "$T/s2.sum"
check session-lost-and-crc-gaps test "$("$HWT" query --csv "$T/s2.db" \
	"SELECT COUNT(*) FROM errors WHERE message LIKE '%lost%' OR
	 message LIKE '%crc32%'" | tail -1)" = 2
"$HWT" replay "$T/s2.db" > "$T/s2.out"
check session-gap-prefix-is-truth sh -c "sed '/^\[/,\$d' '$T/s2.out' > '$T/s2p';
	head -n \$(wc -l < '$T/s2p') '$G/truth.txt' | cmp -s - '$T/s2p'"

# Source lines from DWARF (libdwarf): the program rebuilt by as/ld with one
# line per instruction; --format line prints the line transitions.
G=$T/small
if python3 ./mklines.py "$G" "$T" 2>/dev/null; then
	"$HWT" decode -q --pt "$G/pt.bin" --elf "$T/lines.elf" -o "$T/ln.db"
	"$HWT" replay "$T/ln.db" --format line | sed 's/.*://' > "$T/ln.out"
	check dwarf-replay-line-transitions cmp -s "$T/ln.out" "$T/lines.exp"
	check dwarf-line-file-name sh -c "\"$HWT\" replay '$T/ln.db' --format line |
		head -1 | grep -q 'prog.S:'"
else
	echo "FAIL: dwarf-replay-line-transitions (as/ld failed)"
fi

# A truncated stream file: what is left is decoded, the rest is a gap.
G=$T/loop
./gen/mksession.sh "$T/s3" "$G/pt.bin" "$G/prog.elf" 0x400000 0x1000 0x58 \
	--chunks 2
head -c 3000 "$G/pt.bin" > "$T/s3/stream-0.bin"
"$HWT" decode -q "$T/s3" -o "$T/s3.db"
check session-truncated-stream-file sh -c "test \$(\"$HWT\" query --csv '$T/s3.db' \
	\"SELECT COUNT(*) FROM errors WHERE message LIKE '%truncated%'\" | tail -1) -ge 1"
"$HWT" replay "$T/s3.db" | grep -v '^\[' > "$T/s3.out"
check session-truncated-prefix-is-truth sh -c "test -s '$T/s3.out' &&
	head -n \$(wc -l < '$T/s3.out') '$G/truth.txt' | cmp -s - '$T/s3.out'"
