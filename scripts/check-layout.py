#!/usr/bin/env python3
"""The layout's "never" rules (docs/architecture.md), checked over the
tree: every quoted #include of the product code (tests excepted) and every
-I flag and archive in a room's Makefile must point into a room that room
may depend on; only store/ holds SQL over session.db's own tables.

Prints PASS:/FAIL: lines (one per rule, each violation below a FAIL) and
exits 1 if a rule is broken.  usage: scripts/check-layout.py [ROOT]
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                       os.path.join(os.path.dirname(__file__), '..'))

# Who may use whom: the arrows of docs/architecture.md.  A room is a
# top-level directory; user space at the bottom, the command on top.
MAY_USE = {
    'include':  {'include'},
    'common':   {'common'},
    'kmod':     {'kmod', 'include'},
    'backends': {'backends', 'kmod', 'include'},
    'store':    {'store', 'common', 'include'},
    'hwtd':     {'hwtd', 'store', 'common', 'include'},
    'decoder':  {'decoder', 'store', 'common', 'include'},
    'hwt':      {'hwt', 'decoder', 'store', 'hwtd', 'common', 'include'},
}
ROOMS = set(MAY_USE)
# session.db's own tables (the decoded database has none of these).
SESSION_SQL = re.compile(r'\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+'
                         r'(chunks|stream_params|switches|records)\b')


def room_of(path):
    rel = os.path.relpath(os.path.realpath(path), ROOT)
    top = rel.split(os.sep)[0]
    return top if top in ROOMS else None


def is_test(rel):
    parts = rel.split(os.sep)
    return 'tests' in parts or parts[0] in ('tests', 'bench', 'samples')


def makefile_dirs(room):
    """-I directories of room's Makefiles (and Kbuild files), absolute."""
    dirs = []
    for base, _, files in os.walk(os.path.join(ROOT, room)):
        for f in files:
            if f not in ('Makefile', 'Kbuild'):
                continue
            text = open(os.path.join(base, f), errors='replace').read()
            for m in re.finditer(r'-I\s*(\S+)', text):
                d = m.group(1).replace('$(TOP)', ROOT)
                d = d.replace('$(ROOT)', ROOT).replace('$(src)', base)
                d = d.replace('$(STORE)', os.path.join(ROOT, 'store'))
                if '$' in d:
                    continue
                dirs.append(d if os.path.isabs(d) else os.path.join(base, d))
    return dirs


def check_includes():
    bad = []
    for room in sorted(ROOMS):
        idirs = makefile_dirs(room)
        for base, _, files in os.walk(os.path.join(ROOT, room)):
            for f in files:
                if not f.endswith(('.c', '.h')):
                    continue
                path = os.path.join(base, f)
                rel = os.path.relpath(path, ROOT)
                if is_test(rel):
                    continue
                for n, line in enumerate(open(path, errors='replace'), 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    target = None
                    for d in [base] + idirs:
                        cand = os.path.join(d, m.group(1))
                        if os.path.exists(cand):
                            target = cand
                            break
                    if target is None:
                        continue	# a system or generated header
                    to = room_of(target)
                    if to and to not in MAY_USE[room]:
                        bad.append('%s:%d: %s/ includes %s (%s/)' %
                                   (rel, n, room, m.group(1), to))
    return bad


def check_makefiles():
    bad = []
    # $(TOP)/room/..., ../room/..., and archives build/room/libX.a
    ref = re.compile(r'(?:\$\((?:TOP|ROOT)\)|\.\.)/(?:build/(\w+)/lib\w+'
                     r'\.a|(\w+)/)')
    for room in sorted(ROOMS):
        for base, _, files in os.walk(os.path.join(ROOT, room)):
            if is_test(os.path.relpath(base, ROOT)):
                continue
            for f in files:
                if f != 'Makefile':
                    continue
                path = os.path.join(base, f)
                for n, line in enumerate(open(path, errors='replace'), 1):
                    # Flags, archives and sources: what a build links or
                    # compiles (`$(MAKE) -C` only orders the builds).
                    if '$(MAKE)' in line or line.lstrip().startswith('#'):
                        continue
                    for m in ref.finditer(line):
                        to = m.group(1) or m.group(2)
                        if to in ROOMS and to not in MAY_USE[room]:
                            bad.append('%s:%d: %s/ builds with %s/' %
                                       (os.path.relpath(path, ROOT), n,
                                        room, to))
    return bad


def check_session_sql():
    bad = []
    for base, _, files in os.walk(ROOT):
        rel_base = os.path.relpath(base, ROOT)
        if rel_base.split(os.sep)[0] in ('build', '.git', 'store'):
            continue
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            path = os.path.join(base, f)
            for n, line in enumerate(open(path, errors='replace'), 1):
                if SESSION_SQL.search(line):
                    bad.append('%s:%d: SQL on session.db outside store/: %s'
                               % (os.path.relpath(path, ROOT), n,
                                  line.strip()))
    return bad


def report(name, bad):
    if bad:
        print('FAIL: layout/%s (%d)' % (name, len(bad)))
        for b in bad:
            print('  ' + b)
    else:
        print('PASS: layout/%s' % name)
    return not bad


ok = report('includes-follow-the-arrows', check_includes())
ok &= report('makefiles-follow-the-arrows', check_makefiles())
ok &= report('only-store-reads-session-db', check_session_sql())
sys.exit(0 if ok else 1)
