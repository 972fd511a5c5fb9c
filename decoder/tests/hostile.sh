#!/bin/sh
# Damaged and hostile inputs (issue 14, findings 3, 5, 6): a damaged page
# of chunks or a lock held by another process never reads as "no more
# rows"; outputs are written atomically, never into a session, 0600; a
# database from someone else cannot crash replay, exhaust memory or hang
# report/query; root decoding a user's session copies no file that user
# could not read.  Env (from run.sh): HWT, PTGEN.
cd "$(dirname "$0")" || exit 1
: "${HWT:=../../build/bin/hwt}" "${PTGEN:=../../build/decoder/ptgen}"
# The calls table's module: SQLite re-reads the whole schema (calls_view
# over calls) to rename a table.
: "${EXT:=../../build/lib/hwt_calls.so}"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
q() { "$HWT" query --csv "$1" "$2" 2>/dev/null | tail -1; }
G=$T/gen
mkdir -p "$G"
"$PTGEN" "$G" --iters 2000 --psb 256 > /dev/null || { echo "FAIL: hostile (ptgen)"; exit 0; }
# mksession.sh DIR PT ELF ...: the directory first.
mks2() { d=$1; shift; ./gen/mksession.sh "$d" "$G/pt.bin" "$G/prog.elf" \
	0x400000 0x1000 0x58 "$@"; }

# --- an overlapping chunk index (issue 19): refused, the chunk named ------
mks2 "$T/ov" --chunks 3
python3 - "$T/ov/session.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE chunks SET offset = 0 WHERE stream = 0 AND seq = 1")
db.commit()
PY
"$HWT" decode -q "$T/ov" -o "$T/ov.db" > "$T/out" 2>&1; rc=$?
check overlapping-chunks-decode-refused sh -c "test $rc -ne 0 &&
	grep -q 'chunk 1 at offset 0 overlaps' '$T/out' && test ! -e '$T/ov.db'"

# --- finding 3: 16 zeroed bytes in a leaf page of chunks ---------------
mks2 "$T/z" --chunks 2000
head -c 5000 /dev/urandom >> "$T/z/stream-0.bin"	# an un-indexed tail
size0=$(stat -c %s "$T/z/stream-0.bin")
python3 - "$T/z/session.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
pages = [r[0] for r in db.execute("SELECT pageno FROM dbstat WHERE "
         "name = 'chunks' AND pagetype = 'leaf' ORDER BY pageno")]
psz = db.execute("PRAGMA page_size").fetchone()[0]
db.close()
f = open(sys.argv[1], "r+b")
f.seek((pages[len(pages) // 2] - 1) * psz)
f.write(b"\0" * 16)
PY
"$HWT" fsck "$T/z" > "$T/out" 2>&1; rc=$?
check zeroed-chunks-page-fsck-fails sh -c "test $rc -ne 0 &&
	grep -qi 'malformed\|corrupt' '$T/out' &&
	test $(stat -c %s "$T/z/stream-0.bin") = $size0"
"$HWT" decode -q "$T/z" -o "$T/z.db" > "$T/out" 2>&1; rc=$?
check zeroed-chunks-page-decode-fails sh -c "test $rc -ne 0 &&
	grep -qi 'malformed\|corrupt' '$T/out' && test ! -e '$T/z.db'"
"$HWT" info "$T/z" > "$T/out" 2>&1; rc=$?
check zeroed-chunks-page-info-fails sh -c "test $rc -ne 0 &&
	grep -qi 'malformed\|corrupt' '$T/out'"

# --- finding 3: session.db locked by another process --------------------
mks2 "$T/l" --chunks 8
head -c 100 /dev/urandom >> "$T/l/stream-0.bin"
python3 - "$T/l/session.db" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
# Out of WAL (where readers never wait): the lock then blocks readers too.
db.execute("PRAGMA journal_mode=DELETE")
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(9)
PY
lockpid=$!
n=0
while [ ! -e "$T/locked" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$HWT" fsck "$T/l" > "$T/lf" 2>&1 & p1=$!
"$HWT" decode -q "$T/l" -o "$T/l.db" > "$T/ld" 2>&1 & p2=$!
"$HWT" info "$T/l" > "$T/li" 2>&1 & p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
wait $lockpid
check locked-session-fsck-fails sh -c "test $r1 -ne 0 && grep -q locked '$T/lf' &&
	test $(stat -c %s "$T/l/stream-0.bin") -gt $(stat -c %s "$G/pt.bin")"
check locked-session-decode-fails sh -c "test $r2 -ne 0 && grep -q locked '$T/ld'"
check locked-session-info-fails sh -c "test $r3 -ne 0 && grep -q locked '$T/li'"

# --- finding 5: outputs ----------------------------------------------------
mks2 "$T/s" --chunks 4
"$HWT" decode -q "$T/s" -o "$T/old.db" || echo "FAIL: hostile (decode)"
cp "$T/old.db" "$T/old.copy"
check output-mode-0600 test "$(stat -c %a "$T/old.db")" = 600
"$HWT" decode -q "$T/s" -o "$T/old.db" 2> "$T/out"; rc=$?
check output-exists-needs-force sh -c "test $rc -ne 0 && grep -q -- --force '$T/out'"
"$HWT" decode -q --force --mode 0644 "$T/s" -o "$T/m.db" 2>/dev/null
check output-mode-option test "$(stat -c %a "$T/m.db")" = 644
# A decode that fails keeps OUT as it was (with or without --force).
"$HWT" decode -q "$T/z" -o "$T/old.db" 2>/dev/null; rc1=$?
"$HWT" decode -q --force "$T/z" -o "$T/old.db" 2>/dev/null; rc=$?
check failed-decode-keeps-old-output sh -c "test $rc -ne 0 && test $rc1 -ne 0 &&
	cmp -s '$T/old.db' '$T/old.copy' && test ! -e '$T/old.db.tmp'"
# Never into a session directory, never over its session.db.
cp "$T/s/session.db" "$T/sdb.copy"
"$HWT" decode -q --force "$T/s" -o "$T/s/session.db" 2> "$T/out"; rc=$?
check output-in-session-refused sh -c "test $rc -ne 0 &&
	cmp -s '$T/s/session.db' '$T/sdb.copy' && grep -q refused '$T/out'"
"$HWT" decode -q "$T/z" -o "$T/s/x.db" 2> /dev/null
check output-in-other-session-refused test ! -e "$T/s/x.db"
# A second decode into the same path: told so (the first's OUT.tmp).
: > "$T/two.db.tmp"
"$HWT" decode -q "$T/s" -o "$T/two.db" 2> "$T/out"; rc=$?
check second-decode-same-output-refused sh -c "test $rc -ne 0 &&
	grep -q 'another decode' '$T/out' && test ! -e '$T/two.db'"
rm -f "$T/two.db.tmp"
# Readers say when a database is incomplete (its decode did not finish).
cp "$T/old.db" "$T/inc.db"
python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); \
d.execute(\"DELETE FROM meta WHERE key='complete'\"); d.commit()" "$T/inc.db"
"$HWT" report "$T/inc.db" > /dev/null 2> "$T/out"
check incomplete-database-warned grep -q incomplete "$T/out"
# hwt report during a decode never makes the decode fail.
G2=$T/big
mkdir -p "$G2"
"$PTGEN" "$G2" --iters 60000 --psb 256 > /dev/null
ok=1
for i in 1 2 3; do
	rm -f "$T/r.db"
	"$HWT" decode -q --pt "$G2/pt.bin" --elf "$G2/prog.elf" \
		-o "$T/r.db" 2> "$T/rd" & dp=$!
	while kill -0 $dp 2>/dev/null; do
		"$HWT" report "$T/r.db" > /dev/null 2>&1
		"$HWT" report "$T/r.db.tmp" > /dev/null 2>&1
	done
	wait $dp || { ok=0; cat "$T/rd"; }
done
check report-during-decode-decode-succeeds test $ok = 1

# --- finding 6: hostile databases and sessions ----------------------------
cp "$T/old.db" "$T/b30.db"
python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); \
d.execute('INSERT INTO blocks (id, ninsn) VALUES (1073741824, 1)'); d.commit()" "$T/b30.db"
"$HWT" replay "$T/b30.db" > /dev/null 2> "$T/out"; rc=$?
check replay-block-id-2pow30-no-crash sh -c "test $rc = 1 && grep -q 'blocks' '$T/out'"
# Call paths whose parents loop: flamegraph says so and stops (no hang).
cp "$T/old.db" "$T/loop.db"
python3 - "$T/loop.db" <<'PY'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("UPDATE call_paths SET parent_id = id WHERE id = (SELECT "
          "call_path_id FROM call_path_stats ORDER BY insn_count LIMIT 1)")
d.commit()
PY
timeout 30 "$HWT" flamegraph --folded "$T/loop.db" > /dev/null 2> "$T/out"; rc=$?
check flamegraph-parent-loop-refused sh -c "test $rc = 1 &&
	grep -q 'parents loop' '$T/out' &&
	test \"\$(sqlite3 '$T/old.db' 'SELECT COUNT(*) FROM call_path_stats')\" -gt 0"
# 1000 chunks of length 2^62 over a 2 MiB stream file: bounded by the file.
mks2 "$T/huge" --chunks 1
head -c 2000000 /dev/zero >> "$T/huge/stream-0.bin"
python3 - "$T/huge/session.db" <<'PY'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("DELETE FROM chunks")
d.executemany("INSERT INTO chunks VALUES (0, ?, 0, ?, 0, 0, NULL)",
              [(i, 1 << 62) for i in range(1000)])
d.commit()
PY
(ulimit -v 1000000; "$HWT" decode -q "$T/huge" -o "$T/huge.db") > /dev/null 2>&1; rc=$?
check chunk-length-2pow62-bounded test $rc -lt 2
# function_stats redefined as an endless recursive CTE.
cp "$T/old.db" "$T/cte.db"
python3 - "$T/cte.db" <<'PY'
import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.executescript("""DROP VIEW function_stats;
CREATE VIEW function_stats AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL
  SELECT n + 1 FROM r) SELECT 'x' AS name, n AS calls, n AS insn_count FROM r
  ORDER BY n DESC;""")
PY
timeout 300 "$HWT" report "$T/cte.db" > "$T/out" 2>&1; rc=$?
check report-recursive-view-no-hang sh -c "test $rc = 0 && grep -q 'Call tree' '$T/out'"
timeout 300 "$HWT" query "$T/cte.db" "SELECT * FROM function_stats" > "$T/out" 2>&1; rc=$?
check query-recursive-view-stops sh -c "test $rc = 1 && grep -q 'stopped after' '$T/out'"
sqlite3 -cmd ".load $EXT" "$T/cte.db" \
	'ALTER TABLE symbols RENAME TO s2; CREATE VIEW symbols AS SELECT * FROM s2;'
timeout 60 "$HWT" report "$T/cte.db" > "$T/out" 2>&1; rc=$?
check report-table-as-view-refused sh -c "test $rc = 1 && grep -q 'not a table' '$T/out'"

# A trace whose image loops on direct branches (`jmp .`: libipt walks it
# a block at a time and never reads the trace again; ptxed hangs too):
# the decode ends with one error saying so, in both decode paths.
printf '.globl _start\n_start: jmp _start\n' > "$T/spin.s"
if gcc -nostdlib -static -Wl,-Ttext=0x401000 -o "$T/spin" "$T/spin.s"; then
	# PSB, MODE.Exec 64-bit, PSBEND, TIP.PGE 0x401000, TNT8 (one bit).
	python3 -c 'import sys; sys.stdout.buffer.write(bytes([2, 0x82] * 8 +
		[0x99, 1, 2, 0x23, 0x71] + list((0x401000).to_bytes(6, "little")) +
		[6] + [0] * 8))' > "$T/spin.pt"
	for th in 2 1; do
		rm -f "$T/spin.db"
		timeout 120 "$HWT" decode -q --threads $th --pt "$T/spin.pt" \
			--elf "$T/spin" -o "$T/spin.db" > "$T/out" 2>&1; rc=$?
		check "direct-branch-loop-ends-threads-$th" sh -c "test $rc = 0 &&
			test \"\$(\"$HWT\" query --csv '$T/spin.db' \"SELECT COUNT(*)
			FROM errors WHERE message LIKE 'no trace read in%'\" |
			tail -1)\" = 1"
	done
else
	echo "FAIL: direct-branch-loop (gcc)"
fi

# Root decoding uid 1000's session that names root's 0600 file: refused.
if [ "$(id -u)" = 0 ]; then
	cp "$G/prog.elf" "$T/secret" && chmod 600 "$T/secret"
	./gen/mksession.sh "$T/u" "$G/pt.bin" "$T/secret" 0x400000 0x1000 0x58 --chunks 2
	chown -R 1000:1000 "$T/u"
	"$HWT" decode "$T/u" -o "$T/u.db" > /dev/null 2> "$T/out"
	check root-decode-refuses-unreadable-image sh -c "
		grep -q 'not world-readable' '$T/out' &&
		test \"\$(\"$HWT\" query --csv '$T/u.db' 'SELECT COUNT(*) FROM
			blocks WHERE code IS NOT NULL' | tail -1)\" = 0"
	# The same file world-readable: used.
	chmod 644 "$T/secret"
	"$HWT" decode -q --force "$T/u" -o "$T/u.db" 2>/dev/null
	check root-decode-uses-readable-image test "$(q "$T/u.db" \
		'SELECT COUNT(*) FROM blocks WHERE code IS NOT NULL')" -gt 0
	# A stream file that links elsewhere is never followed.
	ln -sf "$G/pt.bin" "$T/u/stream-0.bin.l" && mv "$T/u/stream-0.bin.l" "$T/u/stream-0.bin"
	"$HWT" decode -q --force "$T/u" -o "$T/u.db" 2> "$T/out"; rc=$?
	check session-stream-symlink-refused sh -c "test $rc -ne 0 &&
		grep -q 'symbolic link' '$T/out'"
else
	echo "SKIP: root-decode-refuses-unreadable-image (needs root)"
fi
exit 0
