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


def main():
    what, binary, db = sys.argv[1:4]
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
