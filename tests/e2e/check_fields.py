#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""`hwt replay -F ip,sym,symoff,srcline` against binutils.

Every line's sym+0xOFF must be a symbol of the program (nm) that starts
OFF bytes before the ip, and every srcline of the program's own code must
be what addr2line says for that ip (file name and line; addr2line reads
the same DWARF line table through libbfd, not libdwarf).

usage: check_fields.py PROGRAM REPLAY NM ADDR2LINE
prints one line; exit 1 if anything differs.
"""
import os
import subprocess
import sys


def main():
    prog, replay, nm, addr2line = sys.argv[1:5]
    starts = {}
    out = subprocess.run([nm, "--defined-only", prog], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3:
            starts.setdefault(f[2], set()).add(int(f[0], 16))
    lines, bad_sym, nsym = {}, [], 0
    with open(replay) as f:
        for line in f:
            if line.startswith("["):
                continue	# a gap marker
            ip, symoff, src = line.split()
            ip = int(ip, 16)
            # NAME@plt is made from relocations (tests/names.sh checks
            # those against objdump), not a symbol
            if symoff != "[unknown]" and "@plt+" not in symoff:
                name, off = symoff.rsplit("+", 1)
                nsym += 1
                if ip - int(off, 16) not in starts.get(name, ()):
                    bad_sym.append((hex(ip), symoff))
            if src != "??:0":
                lines[ip] = src
    if not lines:
        print("no source lines in the replay")
        return 1
    addrs = sorted(lines)
    out = subprocess.run([addr2line, "-e", prog] + ["%x" % a for a in addrs],
                         check=True, capture_output=True,
                         text=True).stdout.splitlines()
    bad_line = []
    for a, want in zip(addrs, out):
        want = want.split(" ")[0]	# "(discriminator N)"
        wf, wl = want.rsplit(":", 1)
        gf, gl = lines[a].rsplit(":", 1)
        if os.path.basename(wf) != os.path.basename(gf) or wl != gl:
            bad_line.append((hex(a), lines[a], want))
    if bad_sym or bad_line or len(out) != len(addrs):
        print("sym+off not nm's: %d %s; srcline not addr2line's: %d %s" %
              (len(bad_sym), bad_sym[:3], len(bad_line), bad_line[:3]))
        return 1
    print("%d sym+off as nm, %d addresses' srcline as addr2line" %
          (nsym, len(addrs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
