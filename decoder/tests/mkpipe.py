#!/usr/bin/env python3
"""Rewrites a file-mode perf.data as pipe mode (format.txt "Pipe-mode
data"), as perf record -o - lays it out: the 16-byte header, one
HEADER_ATTR record per attr (perf_event_attr + its ids), one
HEADER_BUILD_ID record per HEADER_BUILD_ID entry, a HEADER_FEATURE record
for HEADER_CPUID, then the data section's records unchanged.
Usage: mkpipe.py IN OUT"""
import struct
import sys

def main():
    d = open(sys.argv[1], 'rb').read()
    assert d[:8] == b'PERFILE2'
    attr_size, aoff, asz, doff, dsz = struct.unpack_from('<QQQQQ', d, 16)
    out = bytearray(b'PERFILE2' + struct.pack('<Q', 16))
    for i in range(asz // attr_size):
        a = aoff + i * attr_size
        size = struct.unpack_from('<I', d, a + 4)[0]
        ioff, isz = struct.unpack_from('<QQ', d, a + attr_size - 16)
        body = d[a:a + size] + d[ioff:ioff + isz]
        out += struct.pack('<IHH', 64, 0, 8 + len(body)) + body
    feats = [b for b in range(256) if d[72 + b // 8] >> (b % 8) & 1]
    tab = doff + dsz
    for k, bit in enumerate(feats):
        off, size = struct.unpack_from('<QQ', d, tab + 16 * k)
        if bit == 2:            # HEADER_BUILD_ID entries
            pos = off
            while pos < off + size:
                esz = struct.unpack_from('<H', d, pos + 6)[0]
                out += struct.pack('<I', 67) + d[pos + 4:pos + esz]
                pos += esz
        elif bit == 9:          # HEADER_CPUID
            out += struct.pack('<IHHQ', 80, 0, 16 + size, bit)
            out += d[off:off + size]
    out += d[doff:doff + dsz]
    open(sys.argv[2], 'wb').write(out)

main()
