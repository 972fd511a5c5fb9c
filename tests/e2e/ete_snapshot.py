#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write one ETE/ETMv4 stream of an hwt session as an OpenCSD snapshot
directory (what trc_pkt_lister -ss_dir reads): the trace unit's registers
as the session describes them (stream_params, lowercase names, hex), the
stream's bytes as one source_data buffer, and the executable PT_LOAD
segments of the traced program as memory dumps at their addresses (a
static, non-PIE program).  So Arm's reference tool decodes what hwt
recorded, independently of hwt's own decoder.

usage: ete_snapshot.py SESSION_DIR STREAM_ID PROGRAM OUT_DIR
       ete_snapshot.py --expand LISTER_LOG
(--expand prints the A64 instruction addresses of every INSTR_RANGE
element of a `trc_pkt_lister -decode` log, one "%016x" a line, as
`hwt replay --format addr` prints them.)
"""
import re
import os
import sqlite3
import struct
import sys

# Register number (byte offset / 4) of each register a decoder reads,
# from the ETMv4/ETE programmers' model (Arm IHI 0064, ETE: DDI 0608).
REG_INDEX = {
    "trcconfigr": 0x004, "trctraceidr": 0x010, "trcvictlr": 0x020,
    "trcviiectlr": 0x021, "trcvissctlr": 0x022,
    "trcidr8": 0x060, "trcidr9": 0x061, "trcidr10": 0x062,
    "trcidr11": 0x063, "trcidr12": 0x064, "trcidr13": 0x065,
    "trcidr0": 0x078, "trcidr1": 0x079, "trcidr2": 0x07a,
    "trcidr3": 0x07b, "trcidr4": 0x07c, "trcidr5": 0x07d,
    "trcauthstatus": 0x3ee, "trcdevarch": 0x3ef,
}
for n in range(16):
    REG_INDEX["trcacvr%d" % n] = 0x100 + 2 * n
    REG_INDEX["trcacatr%d" % n] = 0x120 + 2 * n


def exec_segments(path):
    """(vaddr, bytes) of each executable PT_LOAD of a 64-bit ELF."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("%s: not a 64-bit little-endian ELF" % path)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        (p_type, p_flags, p_offset, p_vaddr, _p_paddr, p_filesz,
         _p_memsz, _p_align) = struct.unpack_from(
             "<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_flags & 1:     # PT_LOAD, PF_X
            segs.append((p_vaddr, data[p_offset:p_offset + p_filesz]))
    if not segs:
        sys.exit("%s: no executable segment" % path)
    return segs


def expand(log):
    rng = re.compile(r"INSTR_RANGE\(exec range=0x([0-9a-f]+):\[0x([0-9a-f]+)\]")
    with open(log) as f:
        for line in f:
            m = rng.search(line)
            if m:
                for a in range(int(m.group(1), 16), int(m.group(2), 16), 4):
                    sys.stdout.write("%016x\n" % a)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--expand":
        expand(sys.argv[2])
        return
    if len(sys.argv) != 5:
        sys.exit("usage: ete_snapshot.py SESSION_DIR STREAM_ID PROGRAM OUT_DIR"
                 " | --expand LISTER_LOG")
    session, stream, program, out = sys.argv[1:]
    db = sqlite3.connect("file:%s/session.db?mode=ro" % session, uri=True)
    row = db.execute("SELECT kind FROM streams WHERE id = ?",
                     (int(stream),)).fetchone()
    if not row or row[0] not in ("ete", "etm4"):
        sys.exit("stream %s: not an ETE/ETMv4 stream" % stream)
    ete = row[0] == "ete"
    regs = db.execute("SELECT key, value FROM stream_params WHERE "
                      "stream = ? ORDER BY key", (int(stream),)).fetchall()
    src = "ETE_0" if ete else "ETM_0"
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "snapshot.ini"), "w") as f:
        f.write("[snapshot]\nversion=1.0\n\n[device_list]\n"
                "device0=cpu_0.ini\ndevice1=device_1.ini\n\n"
                "[trace]\nmetadata=trace.ini\n")
    with open(os.path.join(out, "device_1.ini"), "w") as f:
        f.write("[device]\nname=%s\nclass=trace_source\ntype=%s\n\n[regs]\n"
                % (src, "ETE" if ete else "ETM4"))
        for key, value in regs:
            if key in REG_INDEX:
                f.write("%s(0x%03x)=0x%08X\n" % (key.upper(),
                                                  REG_INDEX[key],
                                                  int(value, 16)))
    segs = exec_segments(program)
    with open(os.path.join(out, "cpu_0.ini"), "w") as f:
        f.write("[device]\nname=cpu_0\nclass=core\ntype=%s\n\n"
                "[regs]\nPC(size:64)=0x%x\n"
                % ("ARMv9-A" if ete else "ARMv8-A", segs[0][0]))
        for i, (va, code) in enumerate(segs):
            f.write("\n[dump%d]\nfile=seg%d.bin\naddress=0x%x\n"
                    "length=0x%x\n" % (i + 1, i, va, len(code)))
    for i, (va, code) in enumerate(segs):
        with open(os.path.join(out, "seg%d.bin" % i), "wb") as f:
            f.write(code)
    with open(os.path.join(out, "trace.ini"), "w") as f:
        f.write("[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\n"
                "name=TRB_0\nfile=trace.bin\nformat=source_data\n\n"
                "[source_buffers]\n%s=TRB_0\n\n[core_trace_sources]\n"
                "cpu_0=%s\n" % (src, src))
    with open(os.path.join(session, "stream-%s.bin" % stream), "rb") as s, \
            open(os.path.join(out, "trace.bin"), "wb") as f:
        f.write(s.read())


if __name__ == "__main__":
    main()
