#!/bin/sh
# The ETE encoder judged by the reference tool: ete_enc_test writes one
# stream (ETE, timestamps, signals, losses), and one filtered by four
# address ranges, as an OpenCSD snapshot
# directory with the simulated execution in expected.txt; Debian's
# trc_pkt_lister (libopencsd-bin) decodes it, and the instruction ranges
# it prints, expanded, must equal the simulated addresses in order (the
# gaps at losses are checked by ete_enc_test itself).
# usage: ete_lister.sh BUILD_DIR
B=${1:-build}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
if ! command -v trc_pkt_lister > /dev/null 2>&1; then
	echo "FAIL: soft/ete_enc/trc_pkt_lister (not installed: libopencsd-bin)"
	exit 1
fi
# check FLAG NAME: one snapshot (-s: the lossy run, -f: the run filtered
# by four address ranges), decoded by trc_pkt_lister, against the run.
check() {
	S=$T/snap$1
	if ! "$B/ete_enc_test" "$1" "$S" > "$T/log" 2>&1 ||
		! [ -s "$S/trace.bin" ]; then
		echo "FAIL: soft/ete_enc/$2 (no snapshot written)"
		return 1
	fi
	(cd "$S" && trc_pkt_lister -ss_dir . -decode \
		-logfilename "$T/lister$1.ppl" > /dev/null 2>&1)
	"$B/ete_enc_test" -x "$T/lister$1.ppl" > "$T/got" || return 1
	grep -v '^gap$' "$S/expected.txt" > "$T/want"
	n=$(wc -l < "$T/want")
	if [ "$n" -gt 1000 ] && cmp -s "$T/want" "$T/got"; then
		echo "PASS: soft/ete_enc/$2 ($n instructions," \
			"$(grep -c 'I_OVERFLOW' "$T/lister$1.ppl") overflows," \
			"$(grep -c 'ELEM_EXCEPTION(' "$T/lister$1.ppl") exceptions," \
			"$(grep -c 'ELEM_TRACE_ON(' "$T/lister$1.ppl") trace on)"
	else
		echo "FAIL: soft/ete_enc/$2: $n expected," \
			"$(wc -l < "$T/got") decoded; $(cmp "$T/want" "$T/got" 2>&1 | head -1)"
		return 1
	fi
}
rc=0
check -s trc_pkt_lister || rc=1
check -f trc_pkt_lister_filtered || rc=1
exit $rc
