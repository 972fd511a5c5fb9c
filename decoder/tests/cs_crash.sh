#!/bin/sh
# OpenCSD 1.3.3 segfaults on some corrupt trace (mispredictAtom).  This
# damages juno_r1_1's trace the same way every time (300 seeded byte
# flips) into an input that crashes it in-process (--test-cs-no-fork), and
# checks that `hwt decode` survives: exit 0, the crashed chunk recorded as
# an "OpenCSD failed" gap, the other trace still decoded.
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
C=$ROOT/../shared/corpus/coresight
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
if [ ! -d "$C/juno_r1_1" ] || ! command -v python3 > /dev/null; then
	echo "FAIL: cs-crash-isolated (needs the corpus and python3)"
	exit 0
fi
cp -r "$C/juno_r1_1" "$T/s" && chmod -R u+w "$T/s"
python3 - "$T/s/cstrace.bin" <<'PY'
import random, sys
random.seed(3)
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(300):
    b[random.randrange(len(b))] ^= random.randrange(1, 256)
open(sys.argv[1], "wb").write(b)
PY
"$HWT" decode --test-cs-no-fork --snapshot "$T/s" -q -o "$T/n.db" \
	> /dev/null 2>&1
inproc=$?
"$HWT" decode --snapshot "$T/s" -q -o "$T/f.db" 2> "$T/err"
rc=$?
q() { "$HWT" query --csv "$T/f.db" "$1" | tail -1; }
gaps=$(q "SELECT COUNT(*) FROM errors WHERE message LIKE 'OpenCSD failed (signal%'")
insn=$(q "SELECT SUM(insn_count) FROM streams")
echo "# in-process exit $inproc; isolated: exit $rc, $gaps crash gaps, $insn insns"
if [ $rc = 0 ] && [ "${insn:-0}" -gt 0 ] &&
	{ [ "${gaps:-0}" -gt 0 ] || [ $inproc = 0 ]; }; then
	echo "PASS: cs-crash-isolated"
else
	echo "FAIL: cs-crash-isolated $(cat "$T/err")"
fi
exit 0
