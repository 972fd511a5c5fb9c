#!/bin/sh
# The ETE encoder judged by the reference tool: ete_enc_test writes one
# stream (ETE, timestamps, signals, losses) as an OpenCSD snapshot
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
if ! "$B/ete_enc_test" -s "$T/snap" > "$T/log" 2>&1 ||
	! [ -s "$T/snap/trace.bin" ]; then
	echo "FAIL: soft/ete_enc/trc_pkt_lister (no snapshot written)"
	exit 1
fi
(cd "$T/snap" && trc_pkt_lister -ss_dir . -decode \
	-logfilename "$T/lister.ppl" > /dev/null 2>&1)
"$B/ete_enc_test" -x "$T/lister.ppl" > "$T/got" || exit 1
grep -v '^gap$' "$T/snap/expected.txt" > "$T/want"
n=$(wc -l < "$T/want")
if [ "$n" -gt 1000 ] && cmp -s "$T/want" "$T/got"; then
	echo "PASS: soft/ete_enc/trc_pkt_lister ($n instructions," \
		"$(grep -c 'I_OVERFLOW' "$T/lister.ppl") overflows," \
		"$(grep -c 'ELEM_EXCEPTION(' "$T/lister.ppl") exceptions)"
else
	echo "FAIL: soft/ete_enc/trc_pkt_lister: $n expected," \
		"$(wc -l < "$T/got") decoded; $(cmp "$T/want" "$T/got" 2>&1 | head -1)"
	exit 1
fi
