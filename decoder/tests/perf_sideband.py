#!/usr/bin/env python3
"""Checks the sideband table of DB (hwt decode of FILE) against `perf
report -D -i FILE`: every record perf dumps (at a file offset) is the row
of that file_offset, with the same type, CPU, time and the fields perf
prints; and every row is a record perf dumps.  perf's output is parsed
here, nothing is hard-coded.

usage: perf_sideband.py [--pipe] FILE DB [PERF]
--pipe: FILE is pipe mode, given to perf on stdin (perf counts offsets
from the end of the 16-byte header then, and names HEADER_ATTR "ATTR").
Prints PASS:/FAIL: lines; exits 1 on a failure.
"""
import re
import sqlite3
import subprocess
import sys

U64 = 1 << 64
U32 = 1 << 32


def num(s):
    return int(s, 0)


def main():
    args = sys.argv[1:]
    pipe = args[0] == '--pipe'
    if pipe:
        args = args[1:]
    path, dbpath = args[0], args[1]
    perf = args[2] if len(args) > 2 else 'perf'
    with open(path, 'rb') as f:
        out = subprocess.run([perf, 'report', '-D', '-i',
                              '-' if pipe else path], stdin=f,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL,
                             check=False).stdout.decode('utf-8', 'replace')
    delta = 16 if pipe else 0
    db = sqlite3.connect(dbpath)
    db.row_factory = sqlite3.Row
    name = 'perf-sideband-' + path.rsplit('/', 1)[-1]
    try:
        rows = {r['file_offset']: r for r in db.execute(
            "SELECT * FROM sideband WHERE source = 'perf.data'")}
    except sqlite3.Error as e:
        print('FAIL: %s %s' % (name, e))
        return 1
    head = re.compile(r'^(-?\d+) (-?\d+) (0x[0-9a-f]+|0) \[(0x[0-9a-f]+)\]: '
                      r'PERF_RECORD_([A-Z0-9_]+)(.*)$')
    lines = out.split('\n')
    seen, bad, checked = set(), [], 0
    for i, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        cpu, time = int(m.group(1)), int(m.group(2))
        off = num(m.group(3)) + delta
        typ, rest = ALIAS.get(m.group(5), m.group(5)), m.group(6)
        if off == 0:        # ATTR records perf makes from the header
            continue
        seen.add(off)
        r = rows.get(off)
        if r is None:
            bad.append('%s at 0x%x: no row' % (typ, off))
            continue
        why = check(r, typ, cpu, time, rest, lines[i + 1:i + 4])
        if why:
            bad.append('%s at 0x%x: %s' % (typ, off, why))
        checked += 1
    # perf 6.1 stops a pipe at its first AUXTRACE record ("bad event
    # header size"), the records it had queued by time never dumped: in
    # pipe mode only perf's records are asked for.
    extra = [] if pipe else sorted(set(rows) - seen)
    for off in extra[:5]:
        bad.append('row %s at 0x%x: not a record perf dumps' %
                   (rows[off]['type'], off))
    if not checked:
        print('FAIL: %s perf dumped no record' % name)
        return 1
    if bad:
        print('FAIL: %s %d of %d records differ, %d rows extra' %
              (name, len(bad) - min(len(extra), 5), checked, len(extra)))
        for b in bad[:10]:
            print('  ' + b)
        return 1
    print('PASS: %s (%d records, every field perf prints)' % (name, checked))
    return 0


def eq(a, b, mod=U64):
    return a is not None and b is not None and a % mod == b % mod


def check(r, typ, cpu, time, rest, after):
    if r['type'] != typ:
        return 'type %s, perf %s' % (r['type'], typ)
    if typ == 'AUXTRACE':
        pass            # the body's cpu, below
    elif r['cpu'] is None:
        if cpu not in (0, -1, U32 - 1):
            return 'no cpu, perf %d' % cpu
    elif not eq(r['cpu'], cpu, U32):
        return 'cpu %s, perf %d' % (r['cpu'], cpu)
    if r['time'] is not None and typ not in ('FORK', 'EXIT') or \
            time not in (0, -1):
        if not eq(r['time'], time):
            return 'time %s, perf %d' % (r['time'], time)
    f = FIELDS.get(typ)
    if f:
        return f(r, rest, after)
    return None


def want(r, pairs):
    for col, val in pairs:
        if isinstance(val, int):
            if not eq(r[col], val):
                return '%s %s, perf %d' % (col, r[col], val)
        elif r[col] != val:
            return '%s %r, perf %r' % (col, r[col], val)
    return None


def f_mmap(r, rest, _):
    m = re.match(r' (-?\d+)/(-?\d+): \[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ '
                 r'(\S+)\]: ([rx]) (.*)$', rest)
    if not m:
        return 'perf line not understood: ' + rest
    data = 'r' if r['misc'] & (1 << 13) else 'x'
    return want(r, [('pid', int(m.group(1))), ('tid', int(m.group(2))),
                    ('addr', num(m.group(3))), ('len', num(m.group(4))),
                    ('pgoff', num(m.group(5))), ('filename', m.group(7))]) \
        or (None if data == m.group(6) else 'misc says %s' % data)


def f_mmap2(r, rest, _):
    m = re.match(r' (-?\d+)/(-?\d+): \[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ '
                 r'(\S+) (?:([0-9a-f]+):([0-9a-f]+) (\d+) (\d+)|<(\w*)>)\]: '
                 r'(\S+) (.*)$', rest)
    if not m:
        return 'perf line not understood: ' + rest
    pairs = [('pid', int(m.group(1))), ('tid', int(m.group(2))),
             ('addr', num(m.group(3))), ('len', num(m.group(4))),
             ('pgoff', num(m.group(5))), ('filename', m.group(12))]
    if m.group(10) is not None:
        pairs.append(('build_id', m.group(10)))
    else:
        pairs += [('maj', int(m.group(6), 16)), ('min', int(m.group(7), 16)),
                  ('ino', int(m.group(8))),
                  ('ino_generation', int(m.group(9)))]
    prot = r['prot'] or 0
    flags = r['flags'] or 0
    s = ('r' if prot & 1 else '-') + ('w' if prot & 2 else '-') + \
        ('x' if prot & 4 else '-') + ('s' if flags & 1 else 'p')
    return want(r, pairs) or (None if s == m.group(11) else
                              'prot/flags %s, perf %s' % (s, m.group(11)))


def f_comm(r, rest, _):
    m = re.match(r'(: | exec: )(.*):(\d+)/(\d+)$', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('comm', m.group(2)), ('pid', int(m.group(3))),
                    ('tid', int(m.group(4))),
                    ('exec', 1 if 'exec' in m.group(1) else 0)])


def f_fork(r, rest, _):
    m = re.match(r'\((-?\d+):(-?\d+)\):\((-?\d+):(-?\d+)\)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('pid', int(m.group(1))), ('tid', int(m.group(2))),
                    ('ppid', int(m.group(3))), ('ptid', int(m.group(4)))])


def f_switch(r, rest, _):
    m = re.match(r' (IN|OUT)( preempt)?\s*(?:(next|prev) pid/tid:\s*'
                 r'(-?\d+)/(-?\d+))?', rest)
    if not m:
        return 'perf line not understood: ' + rest
    pairs = [('switch_out', 1 if m.group(1) == 'OUT' else 0),
             ('preempt', 1 if m.group(2) else 0)]
    if m.group(3):
        pairs += [('next_prev_pid', int(m.group(4))),
                  ('next_prev_tid', int(m.group(5)))]
    return want(r, pairs)


def f_itrace(r, rest, _):
    m = re.match(r' pid: (-?\d+) tid: (-?\d+)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('pid', int(m.group(1))), ('tid', int(m.group(2)))])


def f_aux(r, rest, _):
    m = re.match(r' offset: (\S+) size: (\S+) flags: (\S+)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('aux_offset', num(m.group(1))),
                    ('aux_size', num(m.group(2))),
                    ('aux_flags', num(m.group(3)))])


def f_auxtrace(r, rest, _):
    m = re.match(r' size: (\S+)\s+offset: (\S+)\s+ref: (\S+)\s+idx: (\d+)'
                 r'\s+tid: (-?\d+)\s+cpu: (-?\d+)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('aux_size', num(m.group(1))),
                    ('aux_offset', num(m.group(2))),
                    ('reference', num(m.group(3))), ('idx', int(m.group(4))),
                    ('tid', int(m.group(5))), ('cpu', int(m.group(6)))])


def f_sample(r, rest, _):
    m = re.match(r'\(IP, (0x[0-9a-f]+)\): (-?\d+)/(-?\d+): (0x[0-9a-f]+) '
                 r'period: (\d+) addr: (\S+)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('misc', num(m.group(1))), ('pid', int(m.group(2))),
                    ('tid', int(m.group(3))), ('ip', num(m.group(4))),
                    ('period', int(m.group(5))), ('addr', num(m.group(6)))])


def f_time_conv(r, _, after):
    got = {}
    for line in after:
        m = re.match(r'\.\.\. Time (\w+)\s+(\d+)', line)
        if m:
            got[m.group(1)] = int(m.group(2))
    if not got:
        return 'perf printed no TIME_CONV fields'
    return want(r, [(c, got[k]) for k, c in
                    (('Shift', 'time_shift'), ('Muliplier', 'time_mult'),
                     ('Zero', 'time_zero'), ('Cycles', 'time_cycles'),
                     ('Mask', 'time_mask')) if k in got])


def f_info(r, rest, _):
    m = re.match(r' type: (\d+)', rest)
    if not m:
        return 'perf line not understood: ' + rest
    return want(r, [('auxtrace_type', int(m.group(1)))])


ALIAS = {'ATTR': 'HEADER_ATTR', 'BUILD_ID': 'HEADER_BUILD_ID',
         'FEATURE': 'HEADER_FEATURE'}

FIELDS = {
    'MMAP': f_mmap, 'MMAP2': f_mmap2, 'COMM': f_comm, 'FORK': f_fork,
    'EXIT': f_fork, 'SWITCH': f_switch, 'SWITCH_CPU_WIDE': f_switch,
    'ITRACE_START': f_itrace, 'AUX': f_aux, 'AUXTRACE': f_auxtrace,
    'SAMPLE': f_sample, 'TIME_CONV': f_time_conv, 'AUXTRACE_INFO': f_info,
}

if __name__ == '__main__':
    sys.exit(main())
