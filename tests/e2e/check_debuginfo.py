#!/usr/bin/env python3
"""Names of stripped code against binutils' ground truth (issue 19/20).

  check_debuginfo.py names DB BINARY_SUFFIX DEBUG_FILE
      Every symbol of the binary whose path ends in BINARY_SUFFIX that the
      decode used must be a function of DEBUG_FILE (nm) at the same
      address under the same name (or an alias there).  Prints PASS/FAIL
      lines; the names come from the separate debug file found by build id.

  check_debuginfo.py stripped FULL_DB STRIPPED_DB BINARY_SUFFIX FRAMES
      FULL_DB decoded the program with its symbols, STRIPPED_DB a copy of
      the session whose program was stripped (no debug file): each of the
      program's functions that ran and that .eh_frame describes (FRAMES:
      readelf --debug-dump=frames of the program) must appear in
      STRIPPED_DB as sub_<start in hex> or under its own name (dynsym),
      with the same calls and instructions.
"""
import sqlite3
import subprocess
import sys


def used_symbols(db, suffix):
    """(link-time start, name) -> (calls, insns) of the binary's symbols
    with stats."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute(
        "SELECT s.sym_start - b.bias, s.name, SUM(st.calls), SUM(st.insn_count) "
        "FROM symbol_stats st JOIN symbols s ON s.id = st.symbol_id "
        "JOIN binaries b ON b.id = s.binary_id WHERE b.path LIKE ? "
        "GROUP BY s.id", ("%" + suffix,)).fetchall()
    con.close()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def nm_functions(path):
    """start -> set of names (nm's t/T/i/W symbols of path)."""
    out = subprocess.run(["nm", "--defined-only", path], check=True,
                         capture_output=True, text=True).stdout
    funcs = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTiWw":
            # glibc's symtab names carry their version (X@@GLIBC_2.34)
            funcs.setdefault(int(f[0], 16), set()).add(f[2].split("@")[0])
    return funcs


def check(name, ok, detail):
    print("%s: e2e/%s (%s)" % ("PASS" if ok else "FAIL", name, detail))
    return ok


def names(db, suffix, debug_file):
    used = used_symbols(db, suffix)
    truth = nm_functions(debug_file)
    # NAME@plt entries are made from relocations (tests/names.sh checks
    # them against objdump), not symbols.
    bad = [(hex(a), n) for (a, n) in used
           if not n.endswith("@plt") and n not in truth.get(a, ())]
    check("debuginfo-names-%s" % suffix.rsplit("/", 1)[-1],
          used and not bad,
          "%d functions used, %d not nm's: %s" % (len(used), len(bad),
                                                  bad[:5]))


def fde_starts(frames):
    """Start addresses of the FDEs readelf printed."""
    starts = set()
    for line in open(frames):
        if " FDE " in line and "pc=" in line:
            starts.add(int(line.split("pc=")[1].split("..")[0], 16))
    return starts


def stripped(full_db, strip_db, suffix, frames):
    fdes = fde_starts(frames)
    full = {k: v for k, v in used_symbols(full_db, suffix).items()
            if k[0] in fdes}
    strip = used_symbols(strip_db, suffix)
    by_start = {a: (n, v) for (a, n), v in strip.items()}
    bad = []
    for (a, n), v in sorted(full.items()):
        got = by_start.get(a)
        want_names = (n, "sub_%x" % a)
        if not got or got[0] not in want_names or got[1] != v:
            bad.append((n, hex(a), v, got))
    subs = sum(1 for (a, n) in strip if n.startswith("sub_"))
    check("stripped-eh-frame-names", full and not bad and subs,
          "%d functions, %d named sub_ADDR, %d differ: %s" %
          (len(full), subs, len(bad), bad[:4]))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "names":
        names(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "stripped":
        stripped(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
