#!/bin/sh
# CoreSight end to end through the CLI: for each corpus snapshot,
# `hwt decode --snapshot DIR` then, per trace ID, `hwt replay --stream ID
# --format addr` must equal the instruction addresses expanded from every
# OCSD_GEN_TRC_ELEM_INSTR_RANGE of trc_pkt_lister (run live when installed,
# and the stored expected/*.ppl), in order.  Plus symbolization of
# juno-uname-002 (ELF dumps named, raw ranges attributed).
# Env (from run.sh): HWT, BUILD, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${BUILD:=$ROOT/build/decoder}"
C=$ROOT/../shared/corpus/coresight
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $1"; [ -n "$2" ] && echo "  $2"; }

# compare NAME DB REF: every trace ID of REF ("ID ADDR" lines) replays
# to exactly its addresses.
compare() {
	ids=$(cut -d' ' -f1 "$3" | sort -un)
	[ -n "$ids" ] || { fail "$1" "empty reference"; return; }
	for id in $ids; do
		awk -v id="$id" '$1 == id { print $2 }' "$3" > "$T/want"
		"$HWT" replay "$2" --stream "$id" --format addr |
			grep -E '^[0-9a-f]{16}$' > "$T/got"
		if ! cmp -s "$T/want" "$T/got"; then
			fail "$1" "trace ID $id: $(wc -l < "$T/want") expected, $(wc -l < "$T/got") replayed; first diff: $(cmp "$T/want" "$T/got" 2>&1 | head -1)"
			return
		fi
	done
	echo "PASS: $1"
}

for snap in juno_r1_1 juno-uname-002; do
	if [ ! -d "$C/$snap" ]; then
		fail "cs-cli-$snap" "no corpus at $C/$snap"
		continue
	fi
	if ! "$HWT" decode --snapshot "$C/$snap" -q -o "$T/$snap.db" \
		2> "$T/err"; then
		fail "cs-cli-$snap" "$(cat "$T/err")"
		continue
	fi
	"$BUILD/tests/cs_ppl_test" --ref "$C/$snap" "$C/expected/$snap.ppl" \
		> "$T/ref" && compare "cs-cli-$snap" "$T/$snap.db" "$T/ref"
	if command -v trc_pkt_lister > /dev/null 2>&1; then
		trc_pkt_lister -ss_dir "$C/$snap" -decode_only \
			-logfilename "$T/live-$snap.ppl" > /dev/null 2>&1
		"$BUILD/tests/cs_ppl_test" --ref "$C/$snap" "$T/live-$snap.ppl" \
			> "$T/ref" &&
			compare "cs-cli-$snap-live-lister" "$T/$snap.db" "$T/ref"
	fi
done

# Dumps given as pieces: ld.so split into two [dump] sections of the same
# file (the second with offset= and space=EL1S, which the 1.3.3 lister
# does not apply to the non-secure trace), against the lister run live.
if command -v trc_pkt_lister > /dev/null 2>&1 && [ -d "$C/juno-uname-002" ]; then
	V=$T/split
	cp -r "$C/juno-uname-002" "$V" && chmod -R u+w "$V"
	for f in "$C"/juno-uname-002/cpu_*.ini; do
		awk '/^\[dump3\]/ { d = 1 }
		     d && /^length=/ { print "length=0x8000"; print "";
			print "[dump5]"; print "file=ld-2.21.bin";
			print "address=0x7f8e597000"; print "offset=0x8000";
			print "length=0x16b40"; print "space=EL1S"; d = 0; next }
		     { print }' "$f" > "$V/$(basename "$f")"
	done
	trc_pkt_lister -ss_dir "$V" -decode_only \
		-logfilename "$T/live-split.ppl" > /dev/null 2>&1
	if grep -q 'offset=0x8000' "$V/cpu_3.ini" &&
		"$HWT" decode --snapshot "$V" -q -o "$T/split.db" \
			2> "$T/err" && ! [ -s "$T/err" ] &&
		"$BUILD/tests/cs_ppl_test" --ref "$V" "$T/live-split.ppl" \
			> "$T/ref"; then
		compare cs-cli-split-dumps-live-lister "$T/split.db" "$T/ref"
	else
		fail cs-cli-split-dumps-live-lister "setup failed"
	fi
fi

# juno-uname-002: the dumps are stripped ELF files; the trace runs in
# ld.so, whose exported functions must be named, and every block must be
# attributed to the image file holding it (one binaries row per dump).
db=$T/juno-uname-002.db
if [ -f "$db" ]; then
	q() { "$HWT" query "$db" --csv "$1" | tail -n +2; }
	nbin=$(q "SELECT COUNT(*) FROM binaries WHERE path LIKE '%.bin'")
	named=$(q "SELECT COUNT(*) FROM function_stats WHERE name IN ('malloc', 'calloc', '__libc_memalign') AND insn_count > 0")
	unattr=$(q "SELECT COUNT(*) FROM blocks WHERE binary_id = 0")
	inld=$(q "SELECT COUNT(*) FROM blocks b JOIN binaries i ON i.id = b.binary_id WHERE i.path LIKE '%ld-2.21.bin'")
	if [ "$nbin" = 4 ] && [ "$named" = 3 ] && [ "$unattr" = 0 ] &&
		[ "${inld:-0}" -gt 0 ]; then
		echo "PASS: cs-cli-uname-symbols"
	else
		fail cs-cli-uname-symbols "binaries=$nbin named=$named unattributed=$unattr in_ld=$inld"
	fi
fi
exit 0
