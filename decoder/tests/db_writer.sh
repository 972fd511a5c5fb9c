#!/bin/sh
# The database writer thread (src/db/db_writer.c, docs/decoder.md "The
# database writer"): a decode that writes through it gives the database
# the writes in place give, row for row; replays the ground truth on one
# CPU too; and a write that fails in it (the file size limit: EFBIG) fails
# the decode with SQLite's message and leaves neither OUT nor OUT.tmp.
: "${HWT:=../../build/bin/hwt}" "${PTGEN:=../../build/decoder/ptgen}"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
dump() {	# DB: every table's rows, in rowid order
	for t in meta threads binaries sections symbols streams blocks edges \
		 block_counts call_paths call_chunks errors flow symbol_stats \
		 call_path_stats lines events inlines binary_lines; do
		echo "== $t"
		"$HWT" query --csv "$1" "SELECT * FROM $t ORDER BY rowid" |
			grep -av "^complete,"
	done
	"$HWT" query --csv "$1" "SELECT COUNT(*), SUM(insn_count) FROM calls"
}

G=$T/g
mkdir -p "$G"
"$PTGEN" "$G" --iters 3000 --psb 256 --retcomp >/dev/null ||
	{ echo "FAIL: db-writer (ptgen)"; exit 0; }
for w in -1 1; do
	"$HWT" decode -q --segmented --test-pt-segment-min 4096 \
		--test-db-writer "$w" --pt "$G/pt.bin" --elf "$G/prog.elf" \
		-o "$T/w$w.db" || echo "FAIL: db-writer-decode-$w"
	dump "$T/w$w.db" >"$T/w$w.txt"
done
check db-writer-rows-as-written-in-place cmp -s "$T/w-1.txt" "$T/w1.txt"
check db-writer-rows-not-empty test "$(grep -c . "$T/w1.txt")" -gt 1000

# One CPU, the writer forced on: the thread shares the CPU with the decode.
if command -v taskset >/dev/null; then
	taskset -c 0 "$HWT" decode -q --test-db-writer 1 --pt "$G/pt.bin" \
		--elf "$G/prog.elf" -o "$T/one.db"
	"$HWT" replay "$T/one.db" >"$T/one.txt"
	check db-writer-one-cpu-replay-matches-truth \
		cmp -s "$T/one.txt" "$G/truth.txt"
else
	echo "SKIP: db-writer-one-cpu-replay-matches-truth (no taskset)"
fi

# The writer's write fails (1 MiB file size limit, SIGXFSZ ignored: write
# returns EFBIG): the decode fails and says so, and leaves nothing.
B=$T/big
mkdir -p "$B"
"$PTGEN" "$B" --iters 40000 --psb 256 --no-truth >/dev/null ||
	{ echo "FAIL: db-writer-efbig (ptgen)"; exit 0; }
(
	trap '' XFSZ
	ulimit -f 2048
	"$HWT" decode -q --segmented --test-db-writer 1 --pt "$B/pt.bin" \
		--elf "$B/prog.elf" -o "$T/full.db" 2>"$T/full.err"
	echo $? >"$T/full.rc"
)
check db-writer-write-error-fails-the-decode test "$(cat "$T/full.rc")" -ne 0
check db-writer-write-error-said grep -qi 'database\|disk\|large' "$T/full.err"
check db-writer-write-error-leaves-nothing \
	test ! -e "$T/full.db" -a ! -e "$T/full.db.tmp" -a ! -e "$T/full.db.tmp-journal"
# The same decode without the limit succeeds: the limit made it fail.
"$HWT" decode -q --segmented --test-db-writer 1 --pt "$B/pt.bin" \
	--elf "$B/prog.elf" -o "$T/nolimit.db"
check db-writer-write-error-was-the-limit test "$(stat -c %s "$T/nolimit.db")" -gt 1048576
