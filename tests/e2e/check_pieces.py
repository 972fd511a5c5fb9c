#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A thread's decode with gaps against its ptrace ground truth: `hwt
replay --format addr` prints the instruction addresses of what was
decoded and a "[gap]" line where trace is missing (a run the thread ran
untraced, bytes lost).  Every piece between gaps must be a contiguous
stretch of the ground truth, and the pieces must come in the ground
truth's order without overlapping: nothing invented, nothing out of
order, nothing from another thread (whose path differs).

usage: check_pieces.py GT REPLAY    (one %016x address a line; REPLAY's
other lines starting with "[" are gaps); prints one line, exit 1 if a
piece is not where it must be.
"""
import sys


def pieces(path):
    """The replay's pieces (lists of addresses) and its gap count."""
    out, cur, gaps = [], [], 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("["):
                gaps += 1
                if cur:
                    out.append(cur)
                cur = []
                continue
            cur.append(line)
    if cur:
        out.append(cur)
    return out, gaps


def find(gt, piece, start):
    """The first index >= start where piece is gt's stretch, or -1."""
    n = len(piece)
    first = piece[0]
    i = start
    while i + n <= len(gt):
        try:
            i = gt.index(first, i, len(gt) - n + 1)
        except ValueError:
            return -1
        if gt[i:i + n] == piece:
            return i
        i += 1
    return -1


def main():
    with open(sys.argv[1]) as f:
        gt = [line.strip() for line in f if line.strip()]
    ps, gaps = pieces(sys.argv[2])
    at, got = 0, 0
    for k, p in enumerate(ps):
        i = find(gt, p, at)
        if i < 0:
            print("piece %d of %d (%d instructions, from %s) is no "
                  "stretch of the ground truth after instruction %d"
                  % (k + 1, len(ps), len(p), p[0], at))
            return 1
        at = i + len(p)
        got += len(p)
    print("%d pieces, %d gaps, %d of %d instructions, each piece a "
          "stretch of the ground truth, in order"
          % (len(ps), gaps, got, len(gt)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
