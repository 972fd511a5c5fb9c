#!/usr/bin/env python3
"""Source lines and inline frames of a decode against binutils' addr2line.

usage: check.py lines BIN REPLAY
         REPLAY: `hwt replay DB --thread T -F ip,srcline` of a thread
         whose process ran BIN: at every instruction, the file (its base
         name) and line are `addr2line -i -e BIN`'s innermost frame.
       check.py inlines BIN DB REPLAY
         the inlines rows of BIN (binaries.path) covering each address of
         REPLAY, deepest first, name the call sites (call_file's base
         name, call_line) that addr2line -i gives after the innermost
         frame; and some address has one (else nothing was checked).
       check.py differ BIN1 REPLAY1 BIN2 REPLAY2
         some address ran in both threads where addr2line gives the two
         binaries different lines (else the test proves nothing).
Prints what differs (at most 10 lines) and exits 1, or exits 0.
"""
import re
import sqlite3
import subprocess
import sys


def base(fl):
    """'DIR/FILE:LINE (discriminator N)' -> 'FILE:LINE'."""
    fl = re.sub(r' \(discriminator \d+\)$', '', fl.strip())
    f, _, line = fl.rpartition(':')
    return '%s:%s' % (f.rsplit('/', 1)[-1], line)


def addr2line(binary, addrs):
    """{addr: [innermost 'FILE:LINE', call sites outwards...]}."""
    out = subprocess.run(['addr2line', '-a', '-i', '-e', binary] +
                         ['0x%x' % a for a in addrs], check=True,
                         capture_output=True, text=True).stdout
    frames, cur = {}, None
    for line in out.splitlines():
        if re.match(r'^0x[0-9a-f]+$', line):
            cur = frames.setdefault(int(line, 16), [])
        elif cur is not None:
            cur.append(base(line))
    return frames


def replay(path):
    """[(addr, 'FILE:LINE' or None)] of `hwt replay -F ip,srcline`."""
    rows = []
    for line in open(path):
        f = line.split()
        if len(f) == 2 and re.match(r'^[0-9a-f]{16}$', f[0]):
            rows.append((int(f[0], 16), None if f[1] == '??:0'
                         else base(f[1])))
    return rows


def lines(binary, rep):
    rows = replay(rep)
    want = addr2line(binary, sorted({a for a, _ in rows}))
    bad = ['%x: %s, addr2line %s' % (a, got, want.get(a, ['?'])[0])
           for a, got in rows if got != want.get(a, ['?'])[0]]
    if not rows:
        bad.append('%s: no instructions' % rep)
    return bad


def inlines(binary, db, rep):
    addrs = sorted({a for a, _ in replay(rep)})
    con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
    rows = con.execute('SELECT i.start, i.end, i.depth, i.call_file, '
                       'i.call_line FROM inlines i JOIN binaries b ON '
                       'b.id = i.binary_id WHERE b.path = ?',
                       (binary,)).fetchall()
    want = addr2line(binary, addrs)
    bad, some = [], 0
    for a in addrs:
        at = sorted((r for r in rows if r[0] <= a < r[1]),
                    key=lambda r: -r[2])
        got = [base('%s:%d' % (r[3], r[4])) for r in at]
        some += bool(got)
        if got != want.get(a, ['?'])[1:]:
            bad.append('%x: call sites %s, addr2line %s' %
                       (a, got, want.get(a, ['?'])[1:]))
    if not some:
        bad.append('%s: no address in inlined code' % rep)
    return bad


def differ(b1, r1, b2, r2):
    shared = sorted({a for a, _ in replay(r1)} & {a for a, _ in replay(r2)})
    w1, w2 = addr2line(b1, shared), addr2line(b2, shared)
    if any(w1.get(a) != w2.get(a) for a in shared):
        return []
    return ['no address ran in both whose lines differ (%d shared)' %
            len(shared)]


def main():
    what, args = sys.argv[1], sys.argv[2:]
    bad = {'lines': lines, 'inlines': inlines, 'differ': differ}[what](*args)
    for b in bad[:10]:
        print(b)
    sys.exit(1 if bad else 0)


main()
