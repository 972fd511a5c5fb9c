#!/usr/bin/env python3
"""Function entries from perf's branch samples, as function_stats counts
them (decoder/tests/perf_cs.sh).

usage: perf_entries.py BRANCHES SYMBOLS
  BRANCHES: `perf script --itrace=b -F flags,ip,addr` lines without
            "tr end" ("KIND... FROM => TO", hex);
  SYMBOLS:  CSV rows "name,sym_start,sym_end" of hwt's symbols table.
Prints "name,count" per function, sorted: a frame begins at every call
(perf's "call"), where the trace begins ("tr strt"), and at a jump to a
function's first instruction from another function (a tail call); a
target in no symbol counts for "[unknown]".
"""
import collections
import csv
import sys


def main():
    syms = [(r[0], int(r[1]), int(r[2]))
            for r in csv.reader(open(sys.argv[2]))]

    def sym(addr):
        for name, start, end in syms:
            if start <= addr < end:
                return name, start
        return "[unknown]", None

    count = collections.Counter()
    for line in open(sys.argv[1]):
        f = line.split()
        if len(f) < 4 or f[-2] != "=>":
            sys.exit("perf_entries.py: not a branch line: %r" % line)
        to, frm, kind = int(f[-1], 16), int(f[-3], 16), " ".join(f[:-3])
        name, start = sym(to)
        if kind == "call" or kind.startswith("tr strt"):
            count[name] += 1
        elif kind in ("jmp", "jcc") and start == to and sym(frm)[0] != name:
            count[name] += 1
    for name in sorted(count):
        print("%s,%d" % (name, count[name]))


main()
