#!/usr/bin/env python3
"""Rewrites a cs_etm perf.data (AUXTRACE_INFO header version 1) as version
2, as perf 6.1+ records with dynamic trace IDs: each CPU's TRCTRACEIDR
becomes (0x20 + cpu) | CORESIGHT_TRACE_ID_UNUSED_FLAG (bit 31: not the
ID), and a PERF_RECORD_AUX_OUTPUT_HW_ID (type 21, hw_id: [7:0] the trace
ID, [63:60] version 0) carrying each traced CPU's real ID is put before
that CPU's first PERF_RECORD_AUX (its sample_id copied from it).  The
feature sections move with the inserted bytes (HEADER_AUXTRACE's entries
are left as they are: perf 6.1 rejects simpleperf's index and walks the
data section, as hwt does).  Usage: mkv2.py IN OUT"""
import struct
import sys

ETMV4 = 0x4040404040404040
ETE = 0x5050505050505050


def main():
    d = bytearray(open(sys.argv[1], 'rb').read())
    assert d[:8] == b'PERFILE2'
    doff, dsz = struct.unpack_from('<QQ', d, 40)
    recs = []
    pos = doff
    while pos < doff + dsz:
        t, _, s = struct.unpack_from('<IHH', d, pos)
        extra = struct.unpack_from('<Q', d, pos + 8)[0] if t == 71 else 0
        recs.append((pos, t, s + extra))
        pos += s + extra
    ids = {}
    for pos, t, _ in recs:
        if t != 70:
            continue
        p = pos + 16                    # priv[0]
        assert struct.unpack_from('<Q', d, p)[0] == 1
        struct.pack_into('<Q', d, p, 2)
        ncpus = struct.unpack_from('<Q', d, p + 8)[0] & 0xffffffff
        w = p + 24
        for _ in range(ncpus):
            magic, cpu, nr = struct.unpack_from('<QQQ', d, w)
            assert magic in (ETMV4, ETE)
            tid_at = w + 24 + 8         # TRCCONFIGR, then TRCTRACEIDR
            ids[cpu] = struct.unpack_from('<Q', d, tid_at)[0] & 0x7f
            struct.pack_into('<Q', d, tid_at, (0x20 + cpu) | 1 << 31)
            w += 24 + 8 * nr
    out = bytearray(d[:doff])
    seen = set()
    added = 0
    for pos, t, size in recs:
        if t == 11:
            body = d[pos:pos + size]
            cpu = struct.unpack_from('<I', body, len(body) - 8)[0]
            if cpu not in seen and cpu in ids:
                seen.add(cpu)
                trailer = body[8 + 24:]
                hw = struct.pack('<Q', ids[cpu])
                out += struct.pack('<IHH', 21, 0, 8 + 8 + len(trailer))
                out += hw + trailer
                added += 16 + len(trailer)
        out += d[pos:pos + size]
    feats = [b for b in range(256) if d[72 + b // 8] >> (b % 8) & 1]
    tab = doff + dsz
    rest = bytearray(d[tab:])
    for k, bit in enumerate(feats):
        off, size = struct.unpack_from('<QQ', rest, 16 * k)
        struct.pack_into('<Q', rest, 16 * k, off + added)
    struct.pack_into('<Q', out, 48, dsz + added)
    open(sys.argv[2], 'wb').write(bytes(out + rest))


main()
