#!/bin/sh
# hwt export --perf-data without the VM (the recorded two-thread round trip
# is tests/e2e/perf_export.sh): sessions made with the store's writer
# (mksession) from ptgen traces whose path is known (truth.txt).
#  - perf 6.1 (its own Intel PT decoder) prints the truth, instruction for
#    instruction, from the exported file; hwt decode of it replays the
#    truth, with and without return compression (noretcomp config bit);
#  - bytes lost before a chunk: the export's decode has the session's gap
#    at the same place and the same replay; perf sees the truncated AUX
#    record ("Lost trace data");
#  - sessions perf.data cannot hold are refused with the reason, and no
#    file is left behind.
# Env (from run.sh): HWT, PTGEN, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${PTGEN:=$ROOT/build/decoder/ptgen}"
MK=$ROOT/build/store/mksession
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
have_perf=0
command -v perf >/dev/null 2>&1 && have_perf=1

# A session of ptgen's trace: stream 0, thread 42, in 7 chunks, prog.elf's
# code mapped at 0x400000 (file offset 0x1000).  mksession DIR GEN [ARG]...
mksession() {
	_d=$1 _g=$2
	shift 2
	"$MK" "$_d" --meta mode=thread --meta arch=x86_64 \
		--meta target_pid=42 --stream 0:intel_pt:tid=42 \
		--param 0:cpu=0/0/0 "$@" --data "0:$_g/pt.bin:/7" \
		--mmap "0x400000:0x1000:0x1000:$_g/prog.elf:42"
}

for cfg in "loop:--iters 2000 --psb 256:" \
	   "retcomp:--iters 500 --psb 300 --retcomp:" \
	   "noretcomp:--iters 500 --psb 300:--param 0:ret_compression=0"; do
	name=${cfg%%:*}; rest=${cfg#*:}; args=${rest%%:*}; extra=${rest#*:}
	G=$T/$name
	mkdir -p "$G/db"
	# shellcheck disable=SC2086
	if ! "$PTGEN" "$G" $args || ! mksession "$G/s" "$G" $extra; then
		echo "FAIL: perf-export-$name (ptgen/mksession)"
		continue
	fi
	if ! "$HWT" export --perf-data "$G/out.data" "$G/s" 2> "$G/err"; then
		echo "FAIL: perf-export-$name-write ($(cat "$G/err"))"
		continue
	fi
	"$HWT" decode -q "$G/out.data" -o "$G/db/x.db" 2> "$G/err"
	"$HWT" replay "$G/db/x.db" > "$G/got" 2>> "$G/err"
	check "perf-export-$name-redecode-is-truth" cmp -s "$G/got" \
		"$G/truth.txt"
	[ $have_perf = 1 ] || continue
	perf script -i "$G/out.data" --itrace=i0ns -F tid,ip 2> "$G/perr" |
		awk '$1 == 42 { printf "%16s\n", $2 }' | tr ' ' 0 > "$G/perf"
	check "perf-export-$name-perf-script-is-truth" cmp -s "$G/perf" \
		"$G/truth.txt"
done
[ $have_perf = 1 ] ||
	echo "SKIP: perf-export-perf-script (no perf: apt-get install linux-perf)"

# Bytes lost before chunk 3: a gap in the session's decode, the same gap
# (PERF_AUX_FLAG_TRUNCATED) in the export's, the same instructions.
G=$T/loop
if mksession "$T/lost" "$G" --lost-before 0:3:4096 &&
	"$HWT" export --perf-data "$T/lost.data" "$T/lost" 2> "$T/err"; then
	mkdir -p "$T/db"
	"$HWT" decode -q "$T/lost" -o "$T/db/s.db"
	"$HWT" decode -q "$T/lost.data" -o "$T/db/e.db"
	# instructions; the gap lines name the loss each its own way
	"$HWT" replay "$T/db/s.db" | grep -v '^\[' > "$T/s.txt"
	"$HWT" replay "$T/db/e.db" | grep -v '^\[' > "$T/e.txt"
	gs=$("$HWT" query --csv "$T/db/s.db" "SELECT insn_index FROM errors
		WHERE kind = 'gap' OR message LIKE '%lost%'" | tail -n +2 | tr '\n' ' ')
	ge=$("$HWT" query --csv "$T/db/e.db" "SELECT insn_index FROM errors
		WHERE message LIKE '%truncated%'" | tail -n +2 | tr '\n' ' ')
	check perf-export-lost-bytes-replay test -s "$T/s.txt" -a \
		"$(cmp "$T/s.txt" "$T/e.txt" 2>&1)" = ""
	check perf-export-lost-bytes-gap test -n "$gs" -a "$gs" = "$ge"
	if [ $have_perf = 1 ]; then
		perf script -i "$T/lost.data" --itrace=e -F tid 2>&1 |
			grep -c "Lost trace data" > "$T/lostn"
		check perf-export-lost-bytes-perf-sees-it test "$(cat "$T/lostn")" = 1
	fi
else
	echo "FAIL: perf-export-lost-bytes ($(cat "$T/err"))"
fi

# Build ids come from the file hwt decode takes: the recorded path, or
# the session's copy; a copy reached through a symlink (images/usr ->
# /usr) is never read (store_io.h's rules: a session is untrusted input).
B=/usr/bin/true
bid=$(file -L "$B" 2>/dev/null | sed -n 's/.*BuildID\[sha1\]=\([0-9a-f]*\).*/\1/p')
if [ $have_perf = 1 ] && [ -n "$bid" ] &&
	"$MK" "$T/bid" --meta mode=thread --stream 0:intel_pt:tid=42 \
		--data "0:$G/pt.bin:/2" --mmap "0x400000:0x1000:0x1000:$B:42"; then
	"$HWT" export --perf-data "$T/bid1.data" "$T/bid"
	mkdir -p "$T/bid/images" && ln -s /usr "$T/bid/images/usr"
	"$HWT" export --perf-data "$T/bid2.data" "$T/bid"
	check perf-export-build-id-of-the-binary test \
		"$(perf buildid-list -i "$T/bid1.data" 2>/dev/null)" = "$bid $B"
	check perf-export-build-id-never-through-a-symlink test \
		-z "$(perf buildid-list -i "$T/bid2.data" 2>/dev/null)"
fi

# Refused, with the reason, and nothing left behind.
refused() {	# NAME WANT SESSION|FILE [OUT]
	_o=${4:-$T/refused.data}
	rm -f "$_o"
	if "$HWT" export --perf-data "$_o" "$3" 2> "$T/err"; then
		echo "FAIL: perf-export-refuses-$1 (exit 0)"
	elif ! grep -q "$2" "$T/err" || [ -e "$_o" ] && [ "$_o" != - ]; then
		echo "FAIL: perf-export-refuses-$1 ($(cat "$T/err"))"
	else
		echo "PASS: perf-export-refuses-$1"
	fi
}
"$MK" "$T/cpu" --meta mode=cpu --stream 0:intel_pt:cpu=0 \
	--data "0:$G/pt.bin:/2" && refused cpu-mode "thread mode only" "$T/cpu"
"$MK" "$T/etm" --meta mode=thread --stream 0:etm4:tid=7 \
	--data "0:$G/pt.bin:/2" && refused coresight "Intel PT sessions only" \
	"$T/etm"
"$MK" "$T/empty" --meta mode=thread && refused no-stream "no stream" \
	"$T/empty"
refused decoded-db "not a session directory" "$G/db/x.db"
refused stdout "must be seekable" "$G/s" -
exit 0
