#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check `hwt export --perfetto` JSON of samples/demo.c against what the
program's structure fixes: it parses as Chrome trace-event JSON, every
call is one complete ("X") slice on its thread's track, slices nest
(each lies inside the one open around it, as calls do), fib has 465
slices nested at most 12 deep (fib(12)), each slice's duration on the
instruction clock equals its instruction count, and the slices number
CALLS (the database's calls rows).

usage: check_timeline.py JSON CALLS   (prints one line; exit 1 if wrong)
"""
import json
import sys


def main():
    path, calls = sys.argv[1], int(sys.argv[2])
    with open(path) as f:
        doc = json.load(f)
    ev = doc["traceEvents"]
    slices = [e for e in ev if e.get("ph") == "X"]
    problems = []
    if len(slices) != calls:
        problems.append("%d slices for %d calls" % (len(slices), calls))
    fib = [e for e in slices if e["name"] == "fib"]
    if len(fib) != 465:
        problems.append("%d fib slices, want 465" % len(fib))
    for e in slices:
        if e["dur"] != e["args"]["instructions"]:
            problems.append("%s at %d: dur %d, %d instructions" %
                            (e["name"], e["ts"], e["dur"],
                             e["args"]["instructions"]))
            break
    tracks = {}
    for e in slices:
        tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    deepest = 0
    for track in tracks.values():
        track.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in track:
            while stack and e["ts"] >= stack[-1]["ts"] + stack[-1]["dur"]:
                stack.pop()
            if stack and e["ts"] + e["dur"] > stack[-1]["ts"] + stack[-1]["dur"]:
                problems.append("%s at %d overlaps %s" %
                                (e["name"], e["ts"], stack[-1]["name"]))
                break
            stack.append(e)
            deepest = max(deepest, sum(1 for s in stack
                                       if s["name"] == "fib"))
    if deepest != 12:
        problems.append("fib nests %d deep, want 12" % deepest)
    if problems:
        print("; ".join(problems[:3]))
        return 1
    print("%d slices on %d track(s), fib 465 nested 12 deep" %
          (len(slices), len(tracks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
