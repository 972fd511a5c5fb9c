#!/usr/bin/env python3
"""hwt replay's text of VEX/EVEX instructions against objdump's (events.sh).

usage: objdump_text.py ELF REPLAY
  REPLAY is `hwt replay --format insn` output ("ADDR  TEXT" lines).  For
  every instruction of ELF whose encoding starts with a VEX (c4, c5) or
  EVEX (62) prefix -- what Debian 12's capstone 4.0.2 mostly cannot
  disassemble and Zydis does (image/insn_zydis.c) -- the replay's text at
  that address is binutils' `objdump -d -M intel` text, spelled the same
  after normalising what differs by style only: case, spaces, "SIZE PTR"
  memory-size words, leading zeros of immediates, and objdump's
  comparison aliases (vpcmpeqb A,B,C = vpcmpb A,B,C,0x0).
Prints one line per mismatch and a summary; exits 1 on any mismatch or if
no such instruction ran.
"""
import re
import subprocess
import sys

PRED = {'eq': 0, 'lt': 1, 'le': 2, 'false': 3, 'neq': 4, 'nlt': 5,
        'nle': 6, 'true': 7}


def norm(text):
    t = text.lower()
    t = re.sub(r'<[^>]*>', '', t)
    t = re.sub(r'\b(byte|word|dword|qword|xmmword|ymmword|zmmword|tbyte)'
               r'\s+ptr\s*', '', t)
    t = re.sub(r'\b0x0*([0-9a-f])', r'0x\1', t)
    m = re.match(r'^(vpcmp)(eq|lt|le|false|neq|nlt|nle|true)(u?[bwdq])\s+'
                 r'(.*)$', t)
    if m:
        t = '%s%s %s,0x%x' % (m.group(1), m.group(3), m.group(4),
                              PRED[m.group(2)])
    return re.sub(r'\s+', '', t)


def main():
    elf, replay = sys.argv[1:3]
    dis = subprocess.run(['objdump', '-d', '-M', 'intel', elf], check=True,
                         capture_output=True, text=True).stdout
    want = {}
    for line in dis.splitlines():
        m = re.match(r'^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(.*)$',
                     line)
        if m and m.group(2).split()[0] in ('62', 'c4', 'c5'):
            want[int(m.group(1), 16)] = m.group(3)
    bad, seen = [], 0
    with open(replay) as f:
        for line in f:
            m = re.match(r'^([0-9a-f]{16})  (.*)$', line.rstrip('\n'))
            if not m or int(m.group(1), 16) not in want:
                continue
            seen += 1
            a = int(m.group(1), 16)
            if norm(m.group(2)) != norm(want[a]):
                bad.append('%x: hwt "%s", objdump "%s"' %
                           (a, m.group(2), want[a]))
    for b in bad[:20]:
        print(b)
    print('%d VEX/EVEX instructions run, %d as objdump spells them' %
          (seen, seen - len(bad)))
    sys.exit(1 if bad or not seen else 0)


if __name__ == '__main__':
    main()
