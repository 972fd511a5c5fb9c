#!/bin/sh
# CoreSight through a trace session directory (docs/trace-store.md): the
# juno-uname-002 capture stored as our CoreSight backend would store it
# (stream-0.bin in 4 KiB chunks with crc32, kind etm4, TMC-formatted,
# trace_id 0x16, ETM registers in stream_params, mmap records for the
# images).  `hwt decode SESSION` + `hwt replay --stream 0` must equal the
# reference for trace ID 0x16; a damaged chunk must become a recorded gap.
# Env (from run.sh): HWT, BUILD, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${BUILD:=$ROOT/build/decoder}"
C=$(cd "$ROOT/../shared/corpus/coresight" 2>/dev/null && pwd)
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
S=$C/juno-uname-002
if [ -z "$C" ] || [ ! -d "$S" ] || ! command -v python3 > /dev/null; then
	echo "FAIL: cs-session (needs the corpus and python3)"
	exit 0
fi

mksession() {	# DIR DAMAGE(0/1)
	python3 - "$S" "$1" "$2" <<'PY'
import os, sqlite3, sys, zlib
src, out, damage = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
os.makedirs(out)
trace = open(os.path.join(src, "trace.bin"), "rb").read()
regs = {}
for line in open(os.path.join(src, "device_9.ini")):
    if "=" in line and line.startswith("TRC"):
        k, v = line.strip().split("=", 1)
        regs[k.split("(")[0].lower()] = v
assert int(regs["trctraceidr"], 16) == 0x16
db = sqlite3.connect(os.path.join(out, "session.db"))
db.executescript("""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE streams (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, tid INTEGER,
  cpu INTEGER, trace_id INTEGER, formatted INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0);
CREATE TABLE stream_params (stream INTEGER NOT NULL, key TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (stream, key));
CREATE TABLE chunks (stream INTEGER NOT NULL, seq INTEGER NOT NULL,
  offset INTEGER NOT NULL, length INTEGER NOT NULL, crc32 INTEGER NOT NULL,
  lost_before INTEGER NOT NULL DEFAULT 0, time INTEGER,
  PRIMARY KEY (stream, seq));
CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL,
  time INTEGER, pid INTEGER, tid INTEGER, cpu INTEGER, stream INTEGER,
  stream_offset INTEGER, addr INTEGER, len INTEGER, pgoff INTEGER,
  prot INTEGER, flags INTEGER, path TEXT, aux INTEGER);
""")
for k, v in [("format_version", "1"), ("backend", "coresight"),
             ("mode", "cpu"), ("arch", "aarch64"), ("state", "complete")]:
    db.execute("INSERT INTO meta VALUES (?, ?)", (k, v))
db.execute("INSERT INTO streams VALUES (0, 'etm4', NULL, 3, 22, 1, ?, 0)",
           (len(trace),))
for k, v in regs.items():
    db.execute("INSERT INTO stream_params VALUES (0, ?, ?)", (k, v))
db.execute("INSERT INTO stream_params VALUES (0, 'core_profile', 'Cortex-A53')")
with open(os.path.join(out, "stream-0.bin"), "wb") as f:
    f.write(trace)
for seq, off in enumerate(range(0, len(trace), 4096)):
    chunk = trace[off:off + 4096]
    crc = zlib.crc32(chunk)
    if damage and seq == 10:
        crc ^= 1
    db.execute("INSERT INTO chunks VALUES (0, ?, ?, ?, ?, 0, NULL)",
               (seq, off, len(chunk), crc))
for name, addr in [("uname.bin", 0x400000), ("libc-2.21.bin", 0x7f8e446000),
                   ("ld-2.21.bin", 0x7f8e58f000), ("vdso.bin", 0x7f8e5ba000)]:
    p = os.path.join(src, name)
    db.execute("INSERT INTO records (type, pid, tid, addr, len, pgoff, path)"
               " VALUES ('mmap', 1, 1, ?, ?, 0, ?)",
               (addr, os.path.getsize(p), p))
db.commit()
PY
}

"$BUILD/tests/cs_ppl_test" --ref "$S" "$C/expected/juno-uname-002.ppl" |
	awk '$1 == 22 { print $2 }' > "$T/want"
mksession "$T/s" 0 &&
	"$HWT" decode -q "$T/s" -o "$T/s.db" 2> "$T/err" &&
	"$HWT" replay "$T/s.db" --stream 0 --format addr |
	grep -E '^[0-9a-f]{16}$' > "$T/got"
if [ -s "$T/want" ] && cmp -s "$T/want" "$T/got"; then
	echo "PASS: cs-session-stream"
else
	echo "FAIL: cs-session-stream ($(wc -l < "$T/want") expected," \
		"$(wc -l < "$T/got" 2>/dev/null) replayed) $(cat "$T/err")"
fi
mksession "$T/d" 1 && "$HWT" decode -q "$T/d" -o "$T/d.db" 2> "$T/err"
rc=$?
crc=$("$HWT" query "$T/d.db" --csv \
	"SELECT COUNT(*) FROM errors WHERE message LIKE '%crc32 mismatch%'" |
	tail -1)
got=$("$HWT" replay "$T/d.db" --stream 0 --format addr |
	grep -cE '^[0-9a-f]{16}$')
if [ $rc = 0 ] && [ "$crc" = 1 ] && [ "$got" -gt 0 ] &&
	[ "$got" -lt "$(wc -l < "$T/want")" ]; then
	echo "PASS: cs-session-bad-chunk"
else
	echo "FAIL: cs-session-bad-chunk (rc $rc, crc gaps $crc, $got insns) $(cat "$T/err")"
fi
exit 0
