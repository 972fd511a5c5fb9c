#!/usr/bin/env python3
# usage: status.py IN OUT
# Writes trace IN with MODE.TSX (outside a transaction), PIP and VMCS
# added to every PSB+, right after its PSB: the status a real capture's
# PSB+ carries on a processor with TSX tracing the kernel under VMX
# (Intel SDM vol. 3C 33.3.7 "PSB+": MODE.TSX if ContextEn and BranchEn,
# PIP if ContextEn and OS=1, VMCS in VMX operation; their order in PSB+
# is not fixed), as issue 21's QEMU capture has in each.  The flow is
# the same: a decoder must give the same instructions.
import sys

PSB = bytes([0x02, 0x82] * 8)
# MODE.TSX (99, leaf 001 in bits 7:5, InTX = TXAbort = 0), PIP (02 43,
# CR3[51:5] in bits 47:1, NR = 0: CR3 0x1000), VMCS (02 c8, the VMCS
# pointer's bits 51:12: 0x5000).
STATUS = (bytes([0x99, 0x20]) +
          bytes([0x02, 0x43]) + ((0x1000 >> 5) << 1).to_bytes(6, 'little') +
          bytes([0x02, 0xc8]) + (0x5000 >> 12).to_bytes(5, 'little'))


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = open(src, 'rb').read()
    parts, at, n = [], 0, 0
    while True:
        i = data.find(PSB, at)
        if i < 0:
            break
        parts.append(data[at:i + 16])
        parts.append(STATUS)
        at = i + 16
        n += 1
    parts.append(data[at:])
    if not n:
        sys.exit('status.py: %s has no PSB' % src)
    with open(out, 'wb') as f:
        f.write(b''.join(parts))


main()
