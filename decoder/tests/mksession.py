#!/usr/bin/env python3
"""Builds a trace session directory (docs/trace-store.md) from a raw PT
file and an ELF, for decoder tests.

usage: mksession.py DIR PT ELF VADDR TEXT_OFF TEXT_LEN [--chunks N]
       [--lost-before SEQ:BYTES] [--bad-crc SEQ] [--tid TID]
"""
import os, sqlite3, sys, zlib

a = sys.argv[1:]
d, pt, elf = a[0], a[1], a[2]
vaddr, toff, tlen = int(a[3], 0), int(a[4], 0), int(a[5], 0)
opts = dict(zip(a[6::2], a[7::2]))
nchunks = int(opts.get('--chunks', 3))
tid = int(opts.get('--tid', 4242))
lost = {}
if '--lost-before' in opts:
    s, n = opts['--lost-before'].split(':')
    lost[int(s)] = int(n)
badcrc = int(opts.get('--bad-crc', -1))
os.makedirs(d, exist_ok=True)
data = open(pt, 'rb').read()
open(os.path.join(d, 'stream-0.bin'), 'wb').write(data)
db = sqlite3.connect(os.path.join(d, 'session.db'))
db.executescript('''
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE streams (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, tid INTEGER,
  cpu INTEGER, trace_id INTEGER, formatted INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0);
CREATE TABLE stream_params (stream INTEGER NOT NULL, key TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (stream, key));
CREATE TABLE chunks (stream INTEGER NOT NULL, seq INTEGER NOT NULL,
  offset INTEGER NOT NULL, length INTEGER NOT NULL, crc32 INTEGER NOT NULL,
  lost_before INTEGER NOT NULL DEFAULT 0, time INTEGER,
  PRIMARY KEY (stream, seq));
CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL, time INTEGER,
  pid INTEGER, tid INTEGER, cpu INTEGER, stream INTEGER, stream_offset INTEGER,
  addr INTEGER, len INTEGER, pgoff INTEGER, prot INTEGER, flags INTEGER,
  path TEXT, aux INTEGER);
''')
db.executemany('INSERT INTO meta VALUES (?, ?)', [
    ('format_version', '1'), ('backend', 'soft'), ('mode', 'thread'),
    ('arch', 'x86_64'), ('target_pid', str(tid)), ('state', 'complete')])
db.execute("INSERT INTO streams (id, kind, tid, bytes) VALUES (0, 'intel_pt', ?, ?)",
           (tid, len(data)))
db.execute("INSERT INTO stream_params VALUES (0, 'cpu', '0/0/0')")
db.execute("INSERT INTO records (type, pid, tid, addr, len, pgoff, prot, path) "
           "VALUES ('mmap', ?, ?, ?, ?, ?, 5, ?)",
           (tid, tid, vaddr, tlen, toff, os.path.abspath(elf)))
step = (len(data) + nchunks - 1) // nchunks
for i in range(nchunks):
    b = data[i * step:(i + 1) * step]
    crc = zlib.crc32(b) ^ (1 if i == badcrc else 0)
    db.execute('INSERT INTO chunks VALUES (0, ?, ?, ?, ?, ?, NULL)',
               (i, i * step, len(b), crc, lost.get(i, 0)))
db.commit()
