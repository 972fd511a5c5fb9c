#!/usr/bin/env python3
"""Ground-truth checks of a decoded database's symbols (tests/names.sh).

usage: check.py CHECK BINARY DB
  plt         every <NAME@plt> label of objdump -d is a symbol NAME@plt at
              that address, 1..16 bytes
  static-plt  every entry of objdump -d -j .plt (jmp *SLOT) is named after
              an IFUNC nm lists at the addend readelf -r gives SLOT, 8 bytes
  sections    no symbol reaches past the end of the section it starts in
              (readelf -S)
  demangle    every name is one nm -C gives that address (NAME@plt aside);
              every mangled name is one nm gives it; ARG4=1: at least one
              demangled name
  inline      DB is `hwt replay -F ip,sym,inline` output: at every address
              of a function named ARG4, the inline frames innermost first
              and then the function are llvm-symbolizer's frames (LLVM's
              DWARF reader, not libdwarf), and some address has two or
              more inline frames
  inline-report  DB is `hwt replay -F ip` output (every executed
              instruction), ARG4 `hwt report --inline` output: for every
              function llvm-symbolizer shows inlined at those addresses,
              self (instructions where it is the innermost frame) and
              total (where it is any inline frame) are the report's, and
              the report has no other row
  lines       DB is `hwt replay -F ip,srcline` output: at every address,
              the file (its base name) and line are llvm-symbolizer's
              innermost frame's, and some address has one
Prints one line per mismatch; exits 1 on any.
"""
import re
import sqlite3
import subprocess
import sys


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def symbols(db):
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    rows = con.execute('SELECT sym_start, sym_end, name, mangled '
                       'FROM symbols WHERE id > 0').fetchall()
    con.close()
    return rows


def inline(binary, replay, func):
    got = {}
    with open(replay) as f:
        for line in f:
            f = line.split()
            ip, sym, chain = f[0], ' '.join(f[1:-1]), f[-1]
            if sym == func:
                got[int(ip, 16)] = ([] if chain == '-' else
                                    chain.split(';')) + [sym]
    if not got:
        return ['no instruction of %s in the replay' % func]
    out = run('llvm-symbolizer', '--obj=' + binary,
              *['0x%x' % a for a in sorted(got)])
    frames = [b.split('\n')[0::2] for b in out.strip().split('\n\n')]
    bad = []
    for a, want in zip(sorted(got), frames):
        if got[a] != want:
            bad.append('%x: inline frames %s, llvm-symbolizer %s' %
                       (a, got[a], want))
    if len(frames) != len(got):
        bad.append('llvm-symbolizer gave %d answers for %d addresses' %
                   (len(frames), len(got)))
    if not any(len(v) > 2 for v in got.values()):
        bad.append('no address with two inline frames')
    return bad


def lines(binary, replay):
    got = {}
    with open(replay) as f:
        for line in f:
            ip, src = line.split()
            got[int(ip, 16)] = src
    out = run('llvm-symbolizer', '--obj=' + binary,
              *['0x%x' % a for a in sorted(got)])
    frames = [b.split('\n')[1] for b in out.strip().split('\n\n')]
    bad = []
    if len(frames) != len(got):
        return ['llvm-symbolizer gave %d answers for %d addresses' %
                (len(frames), len(got))]
    for a, want in zip(sorted(got), frames):
        file, line = want.rsplit(':', 2)[:2]
        want = '%s:%s' % (file.rsplit('/', 1)[-1], line)
        file, line = got[a].rsplit(':', 1)
        if '%s:%s' % (file.rsplit('/', 1)[-1], line) != want:
            bad.append('%x: line %s, llvm-symbolizer %s' % (a, got[a], want))
    if all(v == '??:0' for v in got.values()):
        bad.append('no address with a line')
    return bad


def inline_report(binary, replay, report):
    runs = {}
    with open(replay) as f:
        for line in f:
            a = int(line.split()[0], 16)
            runs[a] = runs.get(a, 0) + 1
    out = run('llvm-symbolizer', '--obj=' + binary,
              *['0x%x' % a for a in sorted(runs)])
    frames = [b.split('\n')[0::2] for b in out.strip().split('\n\n')]
    want = {}
    for a, fr in zip(sorted(runs), frames):
        inl = fr[:-1]		# the last frame is the real function
        if not inl:
            continue
        w = want.setdefault(inl[0], [0, 0])
        w[0] += runs[a]
        for name in set(inl):
            want.setdefault(name, [0, 0])[1] += runs[a]
    got = {}
    with open(report) as f:
        for line in f:
            m = re.match(r'^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S.*)$', line)
            if m:
                got[m.group(4)] = [int(m.group(1)), int(m.group(2))]
    bad = []
    if len(frames) != len(runs):
        bad.append('llvm-symbolizer gave %d answers for %d addresses' %
                   (len(frames), len(runs)))
    if not want:
        bad.append('llvm-symbolizer shows no inlined code run')
    for name in sorted(set(want) | set(got)):
        if want.get(name) != got.get(name):
            bad.append('%s: report self/total %s, llvm-symbolizer %s' %
                       (name, got.get(name), want.get(name)))
    return bad


def main():
    what, binary, db = sys.argv[1:4]
    if what in ('inline', 'inline-report', 'lines'):
        bad = (inline(binary, db, sys.argv[4]) if what == 'inline' else
               lines(binary, db) if what == 'lines' else
               inline_report(binary, db, sys.argv[4]))
        for b in bad[:20]:
            print(b)
        sys.exit(1 if bad else 0)
    rows = symbols(db)
    at = {r[0]: r for r in rows}
    bad = []
    if what == 'plt':
        labels = re.findall(r'^([0-9a-f]+) <(.*@plt)>:$',
                            run('objdump', '-d', binary), re.M)
        if not labels:
            bad.append('objdump shows no @plt entry')
        for a, name in labels:
            r = at.get(int(a, 16))
            if not r or r[2] != name or not 1 <= r[1] - r[0] <= 16:
                bad.append('%s %s: got %s' % (a, name, r))
    elif what == 'static-plt':
        slots = re.findall(r'^ *([0-9a-f]+):.*jmp +\*.*# ([0-9a-f]+)',
                           run('objdump', '-d', '-j', '.plt', binary), re.M)
        addend = {}
        for line in run('readelf', '-rW', binary).splitlines():
            f = line.split()
            if len(f) >= 4 and 'IRELATIV' in f[2]:
                addend[int(f[0], 16)] = int(f[3], 16)
        ifuncs = {}
        for line in run('nm', binary).splitlines():
            f = line.split()
            if len(f) == 3 and f[1] == 'i':
                ifuncs.setdefault(int(f[0], 16), set()).add(f[2] + '@plt')
        if not slots:
            bad.append('objdump shows no .plt entry')
        for a, slot in slots:
            r = at.get(int(a, 16))
            want = ifuncs.get(addend.get(int(slot, 16)), set())
            if not r or r[2] not in want or r[1] - r[0] != 8:
                bad.append('%s slot %s: got %s, want one of %s' %
                           (a, slot, r, sorted(want)))
    elif what == 'sections':
        secs = []
        for line in run('readelf', '-SW', binary).splitlines():
            m = re.match(r'\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+'
                         r'[0-9a-f]+\s+([0-9a-f]+)', line)
            if m and m.group(2) != 'NOBITS' and int(m.group(3), 16):
                s = int(m.group(3), 16)
                secs.append((s, s + int(m.group(4), 16), m.group(1)))
        for r in rows:
            for s, e, n in secs:
                if s <= r[0] < e and r[1] > e:
                    bad.append('%s [%x, %x) past %s end %x' %
                               (r[2], r[0], r[1], n, e))
    elif what == 'demangle':
        plain, dem = set(), set()
        for line in run('nm', '--defined-only', binary).splitlines():
            f = line.split(' ', 2)
            if len(f) == 3:
                plain.add((int(f[0], 16), f[2]))
        for line in run('nm', '-C', '--defined-only',
                        binary).splitlines():
            f = line.split(' ', 2)
            if len(f) == 3:
                dem.add((int(f[0], 16), f[2]))
        ndem = 0
        for r in rows:
            if r[2].endswith('@plt'):
                continue
            if (r[0], r[2]) not in dem:
                bad.append('name %r at %x: not nm -C\'s' % (r[2], r[0]))
            if r[3] is not None:
                ndem += 1
                if (r[0], r[3]) not in plain:
                    bad.append('mangled %r at %x: not nm\'s' % (r[3], r[0]))
        if len(sys.argv) > 4 and sys.argv[4] == '1' and not ndem:
            bad.append('no demangled name')
    else:
        sys.exit('unknown check ' + what)
    for b in bad[:20]:
        print(b)
    sys.exit(1 if bad else 0)


main()
