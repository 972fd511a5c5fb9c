#!/bin/sh
# usage: bench/decode-pt/real.sh [MiB]   (default 8)
# Real-program traces for bench/decode-pt/run.sh --real: records (once,
# cached under build/bench/decode-pt/real/NAME/session) three real,
# dynamically linked programs with the soft backend in the x86-64 VM
# (make vm-record: the guest carries ld.so and the libraries, the session
# their images):
#   gzip    /bin/gzip -9 on 80 KiB of words (real/words.awk)    ~36 M insns
#   perl    /usr/bin/perl on real/perl.pl (hashes, regexes, sort) ~40 M
#   sqlite  /usr/bin/sqlite3 on real/sqlite.sql (insert, index, join,
#           group by)                                            ~40 M
# (instruction counts: valgrind --tool=callgrind on the host, Debian 12;
# the soft backend steps ~0.3 M insns/s under TCG with its collector, so a
# recording takes about two minutes).  Then, per program, it writes
#   NAME/pt.bin   the stream's trace repeated to at least MiB
#                 (real/repeat.py: the copies join as a disabled trace
#                 that tracing re-enables)
#   NAME/args     the images as the session's MMAP records place them:
#                 one line "FILE VADDR OFFSET SIZE BASE" per executable
#                 mapping (ref_blk takes FILE VADDR OFFSET SIZE, hwt
#                 decode --elf FILE:BASE)
#   NAME-status/  the same trace with MODE.TSX, PIP and VMCS in every
#                 PSB+ (real/status.py), as real captures have them
set -e
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
OUT=$ROOT/build/bench/decode-pt/real
MIB=${1:-8}
IN=$OUT/in
mkdir -p "$IN"
[ -s "$IN/words.txt" ] || awk -f "$HERE/real/words.awk" | head -c 81920 >"$IN/words.txt"
cp "$HERE/real/perl.pl" "$HERE/real/sqlite.sql" "$IN/"

record() {	# name prog args files
	d=$OUT/$1
	[ -s "$d/session/session.db" ] && return 0
	mkdir -p "$d"
	rm -rf "$d/session"
	echo "recording $1 in the VM ($2 $3)..." >&2
	# The VM's own time limit counts no record program: give it room.
	HWT_VM_TIMEOUT=1200 HWT_VM_PROG_TIMEOUT=900 HWT_VM_RECORD_FILES="$4" \
		make -s -C "$ROOT" vm-record PROG="$2" ARGS="$3" \
		OUT="$d/session" >"$d/record.log" 2>&1 || {
		tail -n 20 "$d/record.log" >&2
		echo "real.sh: recording $1 failed (log: $d/record.log)" >&2
		exit 1
	}
}
record gzip /bin/gzip "-9 -k -f $IN/words.txt" "$IN/words.txt"
record perl /usr/bin/perl "$IN/perl.pl" "$IN/perl.pl"
record sqlite /usr/bin/sqlite3 "-init $IN/sqlite.sql :memory: .quit" \
	"$IN/sqlite.sql"

for name in gzip perl sqlite; do
	d=$OUT/$name
	s=$d/session
	if [ ! -s "$d/pt.bin" ] || [ ! -s "$d/args" ] ||
	    [ "$(cat "$d/mib" 2>/dev/null)" != "$MIB" ]; then
		n=$(stat -c %s "$s/stream-0.bin")
		k=$(((MIB * 1048576 + n - 1) / n))
		python3 "$HERE/real/repeat.py" "$s/stream-0.bin" "$k" \
			"$d/pt.bin"
		# Executable file mappings (not [vdso]: no file), the last
		# one at each address.
		sqlite3 -separator ' ' "$s/session.db" "SELECT path, addr,
			pgoff, len FROM records WHERE type = 'mmap' AND
			prot & 4 AND path != '' AND path NOT LIKE '[%' AND
			id IN (SELECT max(id) FROM records WHERE type = 'mmap' GROUP BY addr)
			ORDER BY addr" | while read -r p a o l; do
			f=$s/images$p
			fs=$(stat -c %s "$f")
			[ $((o + l)) -le "$fs" ] || l=$((fs - o))
			# Lowest segment at file offset 0 = vaddr 0 (PIE, DSO).
			echo "$f $a $o $l $((a - o))"
		done >"$d/args"
		echo "$MIB" >"$d/mib"
	fi
	# The same trace with a real capture's PSB+ status (MODE.TSX, PIP,
	# VMCS: real/status.py), the same images.
	t=$OUT/$name-status
	if [ ! -s "$t/pt.bin" ] || [ "$t/pt.bin" -ot "$d/pt.bin" ] ||
	    [ "$t/pt.bin" -ot "$HERE/real/status.py" ]; then
		mkdir -p "$t"
		python3 "$HERE/real/status.py" "$d/pt.bin" "$t/pt.bin"
		cp "$d/args" "$d/mib" "$t/"
	fi
done
