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
if [ -z "$C" ] || [ ! -d "$S" ]; then
	echo "FAIL: cs-session (needs the corpus)"
	exit 0
fi

MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
mksession() {	# DIR DAMAGE(0/1)
	grep -qi '^TRCTRACEIDR[^=]*=0x0*16[[:space:]]*$' "$S/device_9.ini" || return 1
	bad=
	[ "$2" = 1 ] && bad="--bad-crc 0:10"
	set -- "$1"
	for img in uname.bin:0x400000 libc-2.21.bin:0x7f8e446000 \
		ld-2.21.bin:0x7f8e58f000 vdso.bin:0x7f8e5ba000; do
		f=$S/${img%%:*}
		set -- "$@" --mmap "${img#*:}:$(stat -c %s "$f"):0:$f"
	done
	# shellcheck disable=SC2086 # $bad: an option pair
	"$MK" "$@" --meta backend=coresight --meta mode=cpu \
		--meta arch=aarch64 \
		--stream 0:etm4:cpu=3:trace_id=22:formatted \
		--params-ini "0:$S/device_9.ini" \
		--param 0:core_profile=Cortex-A53 $bad \
		--data "0:$S/trace.bin:4096"
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
