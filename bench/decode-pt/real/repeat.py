#!/usr/bin/env python3
# usage: repeat.py STREAM K OUT
# Writes K copies of a soft-backend PT stream one after another.  The
# stream ends disabled (TIP.PGD at exit_group) and starts with
# PSB, [TSC,] MODE.Exec, FUP ip, PSBEND (enabled at the PSB+).  A PSB+ with a FUP
# while tracing is disabled is an error for a continuous decode unless the
# FUP's IP is where tracing stopped (libipt 2.0.5), so in copies 2..K the
# FUP becomes PADs and a TIP.PGE with the same IP follows the PSBEND: what
# hardware writes when tracing comes back on (Intel SDM vol. 3C, Intel
# Processor Trace chapter: PSB+ holds "FUP, if PacketEn=1" (the PSB+
# section before "Internal Buffer Overflow"), and the TIP.PGE packet
# definition: "PacketEn transitions to 1 ... the IP at which the tracing
# begins"; 36.3.7 and 36.4.2.4 in the edition that numbers it chapter 36).
import sys

PSB = bytes([0x02, 0x82] * 8)


def main():
    src, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = open(src, 'rb').read()
    again = None
    # PSB, an optional TSC (19 + 7 bytes: soft traces with timestamps),
    # MODE.Exec (99 xx), FUP with a 6-byte IP (7d), PSBEND (02 23).
    at = 16
    if len(data) > at + 8 and data[at] == 0x19:
        at += 8
    if (len(data) > at + 12 and data[:16] == PSB and data[at] == 0x99 and
            data[at + 2] == 0x7d and
            data[at + 9:at + 11] == bytes([0x02, 0x23])):
        ip = data[at + 3:at + 9]
        again = (data[:at + 2] + bytes(7) + data[at + 9:at + 11] +
                 bytes([0x71]) + ip + data[at + 11:])
    else:
        sys.exit('repeat.py: %s does not start with PSB, [TSC,] '
                 'MODE.Exec, FUP, PSBEND' % src)
    with open(out, 'wb') as f:
        f.write(data)
        for _ in range(k - 1):
            f.write(again)


main()
