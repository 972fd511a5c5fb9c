#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""`hwt replay --calls` against the executed instructions: in a run of
samples/demo.c, every call of the demo's own functions shows as the
execution of that function's first instruction (they are not entered any
other way: no function jumps back to its own entry), so the order of
those entries in the instruction stream (`hwt replay --format addr`, or
trc_pkt_lister's, which agree) is the order of the calls.  The call trace
must list the same calls at the same instruction indexes (its first
column: the callee's first instruction), and fib(12)'s recursion must
show 12 deep.

usage: check_calls.py PROGRAM ADDRS CALLS    (CALLS: hwt replay --calls
--func run_all output); prints one line, exit 1 if they differ.
"""
import re
import subprocess
import sys

OWN = ("fib", "mix", "square", "cube", "apply", "checksum")


def main():
    prog, addrs, calls = sys.argv[1:4]
    syms = {}
    out = subprocess.run(["readelf", "-sW", prog], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[7] in OWN:
            syms[int(f[1], 16)] = f[7]
    if sorted(syms.values()) != sorted(OWN):
        print("symbols missing: %s" % sorted(syms.values()))
        return 1
    want = []
    with open(addrs) as f:
        index = 0
        for line in f:
            a = line.strip()
            if a and not a.startswith("["):
                name = syms.get(int(a, 16))
                if name:
                    want.append((index, name))
                index += 1
    got, depth_of = [], {}
    fib_deepest, base = 0, None
    line_re = re.compile(r"^\s*(\d+)(?:\s+\d+)?  ( *)(\S+) \[\d+\]$")
    with open(calls) as f:
        for line in f:
            m = line_re.match(line.rstrip("\n"))
            if not m:
                continue
            index, name = int(m.group(1)), m.group(3)
            depth = len(m.group(2)) // 2
            if name == "run_all":
                base = depth
            if name in OWN:
                got.append((index, name))
                depth_of.setdefault(name, set()).add(depth)
                if name == "fib" and base is not None:
                    fib_deepest = max(fib_deepest, depth - base)
    problems = []
    if got != want:
        n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                 min(len(got), len(want)))
        problems.append("call %d differs: %d calls traced, %d entries"
                        % (n, len(got), len(want)))
    nfib = sum(1 for _, name in got if name == "fib")
    if nfib != 465:
        problems.append("%d fib calls" % nfib)
    if fib_deepest != 12:
        problems.append("fib nested %d deep under run_all" % fib_deepest)
    if problems:
        print("; ".join(problems))
        return 1
    print("%d calls in entry order, fib 465 nested 12 deep" % len(got))
    return 0


if __name__ == "__main__":
    sys.exit(main())
