#!/usr/bin/env python3
"""Mutates a copy of an SQLite database for tests/mutate.sh.

usage: mutate.py IN OUT SEED

One of: a few random bytes of the file flipped (damaged pages), or a few
cells of its tables set to hostile values (huge, negative, wrong type,
NULL) through SQL, the way someone else's database could be written.
"""
import random, shutil, sqlite3, sys

src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
shutil.copyfile(src, dst)
VALUES = [0, -1, 1, 2**30, 2**31, 2**62, -2**63, 2**63 - 1, 'x' * 40, None,
          b'\x00\xff' * 8, 1.5]
if rng.random() < 0.4:
    with open(dst, 'r+b') as f:
        data = bytearray(f.read())
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(100 if rng.random() < 0.9 else 0, len(data))
            data[i] = rng.randrange(256)
        f.seek(0)
        f.write(data)
else:
    db = sqlite3.connect(dst)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for _ in range(rng.randint(1, 4)):
        t = rng.choice(tables)
        cols = [r[1] for r in db.execute('PRAGMA table_info("%s")' % t)]
        rows = [r[0] for r in db.execute('SELECT rowid FROM "%s"' % t)]
        if not rows or not cols:
            continue
        c, r, v = rng.choice(cols), rng.choice(rows), rng.choice(VALUES)
        try:
            db.execute('UPDATE "%s" SET "%s" = ? WHERE rowid = ?' % (t, c),
                       (v, r))
        except sqlite3.Error:
            pass
    db.commit()
    db.close()
