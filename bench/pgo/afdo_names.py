#!/usr/bin/env python3
"""usage: afdo_names.py IN.prof OUT.prof

Debian 12's create_llvm_prof (autofdo 0.19) writes the names of inlined
callees from freed memory (google/autofdo issue 95: "LLVM profile (text
format) has corrupt names for called functions", a dangling StringRef in
llvm_profile_writer.cc), which clang then refuses as malformed.  This drops
each inlined callsite whose name is not an identifier, with its subtree,
and says how many it dropped: the rest of the profile is kept as written.
"""
import re
import sys

lines = open(sys.argv[1], "rb").read().decode("latin-1").split("\n")
out, drop, dropped = [], None, 0
for line in lines:
    indent = len(line) - len(line.lstrip(" "))
    if drop is not None:
        if line.strip() and indent > drop:
            continue
        drop = None
    m = re.match(r"^ +\d+(\.\d+)?: (.*):\d+$", line)
    if m and not re.fullmatch(r"[A-Za-z_.$][\w.$]*", m.group(2)):
        drop = indent
        dropped += 1
        continue
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out))
print("afdo_names: dropped %d inlined callsites with corrupt names" % dropped)
