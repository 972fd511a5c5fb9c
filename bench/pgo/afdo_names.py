#!/usr/bin/env python3
"""usage: afdo_names.py IN.prof OUT.prof

Debian 12's create_llvm_prof (autofdo 0.19) writes the names of inlined
callees from freed memory (google/autofdo issue 95: "LLVM profile (text
format) has corrupt names for called functions", a dangling StringRef in
llvm_profile_writer.cc), which clang then refuses as malformed.  This drops
each line that is not of the text format's grammar (a callsite whose name
is not an identifier, with its subtree, and the pieces of a name that
held a newline) and says how many it dropped: the rest of the profile is
kept as written.
"""
import re
import sys

NAME = r"[A-Za-z_.$][\w.$]*"
VALID = [
    re.compile(r"^%s:\d+:\d+$" % NAME),                      # function
    re.compile(r"^ +\d+(\.\d+)?: \d+( %s:\d+)*$" % NAME),     # body line
    re.compile(r"^ +\d+(\.\d+)?: %s:\d+$" % NAME),            # callsite
]
CALLSITE = re.compile(r"^ +\d+(\.\d+)?: (?!\d+( |$))")

lines = open(sys.argv[1], "rb").read().decode("latin-1").split("\n")
out, drop, dropped = [], None, 0
for line in lines:
    indent = len(line) - len(line.lstrip(" "))
    valid = any(v.match(line) for v in VALID)
    if drop is not None:
        # the subtree of a dropped callsite, and the pieces of its name
        if not valid or indent > drop:
            continue
        drop = None
    if not line:
        out.append(line)
        continue
    if not valid:
        if CALLSITE.match(line):
            drop = indent
        dropped += 1
        continue
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out))
print("afdo_names: dropped %d corrupt callsites, %d of %d lines" %
      (dropped, len(lines) - len(out), len(lines)))
