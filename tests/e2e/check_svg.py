#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check `hwt flamegraph --svg` of samples/demo.c: well-formed SVG with its
script, a frame per call path as the folded stacks give them (the root
"all" as wide as the traced instructions, every frame's width = its
instructions x the scale, callees inside their caller's span and one row
above it), fib stacked 12 high above run_all, and each tooltip naming
its frame's instructions.

usage: check_svg.py SVG TOTAL   (TOTAL: the folded stacks' sum)
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = {"s": "http://www.w3.org/2000/svg"}


def main():
    path, total = sys.argv[1], int(sys.argv[2])
    root = ET.parse(path).getroot()
    if root.find("s:script", NS) is None:
        print("no script")
        return 1
    frames = []
    for g in root.findall("s:g", NS):
        title = g.find("s:title", NS).text
        m = re.match(r"^(.*) \((\d+) instructions, [\d.]+%\)$", title)
        r = g.find("s:rect", NS)
        frames.append({"name": m.group(1), "w": int(g.get("data-w")),
                       "x": int(g.get("data-x")), "tw": int(m.group(2)),
                       "px": float(r.get("x")), "pw": float(r.get("width")),
                       "y": int(r.get("y"))})
    problems = []
    top = frames[0]
    if top["name"] != "all" or top["w"] != total:
        problems.append("root %s %d, want all %d" % (top["name"], top["w"],
                                                    total))
    scale = top["pw"] / top["w"]
    for f in frames:
        if f["tw"] != f["w"] or abs(f["pw"] - f["w"] * scale) > 0.02:
            problems.append("%s: width %.2f for %d instructions"
                            % (f["name"], f["pw"], f["w"]))
            break
    # Callees: a row above, inside the caller's span (draw order is
    # depth first, so a frame's caller is the last frame one row below).
    below = {}
    for f in frames:
        parent = below.get(f["y"] + 16)
        if f is not top and (parent is None or f["x"] < parent["x"] or
                             f["x"] + f["w"] > parent["x"] + parent["w"]):
            problems.append("%s at %d: outside its caller" % (f["name"],
                                                              f["x"]))
            break
        below[f["y"]] = f
    run_all = [f for f in frames if f["name"] == "run_all"]
    fib_rows = {f["y"] for f in frames if f["name"] == "fib"}
    if len(run_all) != 1 or not fib_rows or \
            max(fib_rows) != run_all[0]["y"] - 16 or len(fib_rows) != 12:
        problems.append("fib rows %d above run_all" % len(fib_rows))
    if problems:
        print("; ".join(problems[:3]))
        return 1
    print("%d frames, root %d instructions, fib %d rows high" %
          (len(frames), total, len(fib_rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
