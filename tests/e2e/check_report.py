#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""`hwt report --children` against a call stack rebuilt independently.

The executed addresses (hwt replay --format addr, or trc_pkt_lister's on
arm64) and the program's disassembly (objdump -d: which instruction is a
call, which a return) give the call stack at every instruction: a call
pushes the function its target lies in (readelf's FUNC symbols), a return
pops, and a jump to the first instruction of another function replaces the
frame (a tail call, as in arm64 glibc's `__wrap_main: b main`).  For the demo's own functions that gives calls (frames pushed), self
instructions (addresses inside the function) and inclusive instructions
(executed while the function is anywhere on the stack, recursion counted
once: perf report --children).  The report (--sort name --children, every
row) must say the same for each of them.

usage: check_report.py PROGRAM ADDRS REPORT OBJDUMP
prints one line; exit 1 if they differ.
"""
import bisect
import re
import subprocess
import sys

OWN = ("main", "run_all", "fib", "mix", "square", "cube", "apply",
       "checksum")
CALLS = ("call", "bl", "blr", "callq")
RETS = ("ret", "retq")
JUMPS = ("jmp", "jmpq", "b", "br")


def main():
    prog, addrs, report, objdump = sys.argv[1:5]
    syms = []
    out = subprocess.run(["readelf", "-sW", prog], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] in ("FUNC", "IFUNC") and int(f[2], 0):
            syms.append((int(f[1], 16), int(f[2], 0), f[7]))
    syms.sort()
    starts = [s[0] for s in syms]

    def func_of(a):
        i = bisect.bisect_right(starts, a) - 1
        if i >= 0 and a < syms[i][0] + syms[i][1]:
            return syms[i][2]
        return None

    kind = {}
    dis = subprocess.run([objdump, "-d", "--no-show-raw-insn", prog],
                         check=True, capture_output=True, text=True).stdout
    insn_re = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)")
    for line in dis.splitlines():
        m = insn_re.match(line)
        if m:
            op = m.group(2)
            if op in CALLS:
                kind[int(m.group(1), 16)] = "call"
            elif op in RETS:
                kind[int(m.group(1), 16)] = "ret"
            elif op in JUMPS:
                kind[int(m.group(1), 16)] = "jump"
    want = {n: [0, 0, 0] for n in OWN}   # calls, self, inclusive
    stack, pending_call, pending_jump = [], False, False
    first = set(starts)
    with open(addrs) as f:
        for line in f:
            a = line.strip()
            if not a or a.startswith("["):
                continue
            a = int(a, 16)
            if pending_call:
                stack.append(func_of(a))
                if stack[-1] in want:
                    want[stack[-1]][0] += 1
            elif (pending_jump and stack and a in first and
                  func_of(a) != stack[-1]):
                stack[-1] = func_of(a)
                if stack[-1] in want:
                    want[stack[-1]][0] += 1
            pending_call = pending_jump = False
            fn = func_of(a)
            if fn in want:
                want[fn][1] += 1
            for n in set(stack):
                if n in want:
                    want[n][2] += 1
            k = kind.get(a)
            if k == "call":
                pending_call = True
            elif k == "jump":
                pending_jump = True
            elif k == "ret" and stack:
                stack.pop()
    got = {}
    row = re.compile(r"^\s*(\d+)\s+[\d.]+%\s+(\d+)\s+[\d.]+%\s+(\d+)\s+(\S+)$")
    with open(report) as f:
        for line in f:
            m = row.match(line.rstrip("\n"))
            if m and m.group(4) in want:
                got[m.group(4)] = [int(m.group(3)), int(m.group(1)),
                                   int(m.group(2))]
    bad = ["%s: report %s, stack %s" % (n, got.get(n), want[n])
           for n in OWN if got.get(n) != want[n]]
    if bad or not any(v[0] for v in want.values()):
        print("differ: " + "; ".join(bad))
        return 1
    print("%d functions: calls, self, children as the stack says "
          "(main %d inclusive)" % (len(OWN), want["main"][2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
