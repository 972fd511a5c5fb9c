#!/usr/bin/env python3
"""Rebuilds ptgen's program as an ELF with a DWARF line table (one source
line per instruction: line = 10 + index), via as/ld, and prints the
expected `hwt replay --format line` line numbers for the truth.

usage: mklines.py GENDIR OUTDIR   -> OUTDIR/lines.elf, OUTDIR/lines.exp
"""
import os, subprocess, sys

g, out = sys.argv[1], sys.argv[2]
code = open(os.path.join(g, 'prog.bin'), 'rb').read()
base = 0x400000
truth = [int(l, 16) for l in open(os.path.join(g, 'truth.txt'))]
starts = sorted(set(truth))
line = {a: 10 + i for i, a in enumerate(starts)}
src = ['\t.file 1 "prog.S"', '\t.text', '\t.globl _start', '_start:']
bounds = starts + [base + len(code)]
if bounds[0] != base:
    src.append('\t.byte ' + ','.join(str(b) for b in code[:bounds[0] - base]))
for a, b in zip(bounds, bounds[1:]):
    # gas emits a pending .loc row when it sees the next directive: say it
    # twice so the row lands at this address even before .byte data.
    src.append('\t.loc 1 %d' % line[a])
    src.append('\t.loc 1 %d' % line[a])
    src.append('\t.byte ' + ','.join(str(x) for x in code[a - base:b - base]))
open(os.path.join(out, 'lines.S'), 'w').write('\n'.join(src) + '\n')
subprocess.check_call(['as', '--64', '-o', os.path.join(out, 'lines.o'),
                       os.path.join(out, 'lines.S')])
subprocess.check_call(['ld', '-Ttext=0x%x' % base, '-e', '_start', '-o',
                       os.path.join(out, 'lines.elf'),
                       os.path.join(out, 'lines.o')])
exp, last = [], None
for a in truth:
    if line[a] != last:
        exp.append(str(line[a]))
        last = line[a]
open(os.path.join(out, 'lines.exp'), 'w').write('\n'.join(exp) + '\n')
