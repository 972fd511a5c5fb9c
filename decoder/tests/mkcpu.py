#!/usr/bin/env python3
"""mkcpu.py: a CPU-mode session's streams from per-thread ptgen traces.

usage: mkcpu.py [--kind ete --params FILE] OUTDIR NCPU PID:TID:GENDIR...
         > mksession-args

Each GENDIR holds a ptgen --switch trace (pt.bin, runs.txt).  Its runs
are scheduled round robin over the threads, the k-th run placed on CPU
k % NCPU, times increasing: OUTDIR/cpuN.bin get the bytes, and the
mksession arguments (one per line) give each switch_in record (the run's
offset in its CPU stream, pid, tid, cpu, time), an idle task's empty run
after every third run, and the CPU streams.  Each thread's runs, by time,
are its trace as ptgen wrote it: its truth.txt.
With --kind ete the streams are raw ETE (etegen's runs) and each gets the
"key=value" lines of FILE (the unit's registers) as stream_params; with
--kind etm4-tmc they are ETMv4 in TMC frames (etegen --tmc 1): kind etm4,
formatted.
"""
import os
import sys


def runs_of(gen):
    data = open(os.path.join(gen, "pt.bin"), "rb").read()
    offs = [int(l.split()[0]) for l in open(os.path.join(gen, "runs.txt"))]
    offs.append(len(data))
    return [data[a:b] for a, b in zip(offs, offs[1:]) if b > a]


def main():
    argv, kind, params = sys.argv[1:], "intel_pt", ["cpu=0/0/0"]
    if argv[:1] == ["--kind"]:
        kind = argv[1]
        if argv[2:3] != ["--params"]:
            sys.exit("mkcpu.py: --kind needs --params FILE")
        params = [l.strip() for l in open(argv[3]) if l.strip()]
        argv = argv[4:]
    out, ncpu = argv[0], int(argv[1])
    threads = []
    for spec in argv[2:]:
        pid, tid, gen = spec.split(":", 2)
        threads.append((int(pid), int(tid), runs_of(gen)))
    cpus = [bytearray() for _ in range(ncpu)]
    args, k, t = [], 0, 1000
    while any(r for _, _, r in threads):
        for pid, tid, runs in threads:
            if not runs:
                continue
            c = k % ncpu
            args += ["--record", "switch_in:pid=%d:tid=%d:cpu=%d:buf=%d:"
                     "head=%d:time=%d" % (pid, tid, c, c, len(cpus[c]), t)]
            cpus[c] += runs.pop(0)
            t += 10
            k += 1
            if k % 3 == 0:      # the idle task: no user trace
                args += ["--record", "switch_in:pid=0:tid=0:cpu=%d:buf=%d:"
                         "head=%d:time=%d" % (c, c, len(cpus[c]), t)]
                t += 10
    for c in range(ncpu):
        path = os.path.join(out, "cpu%d.bin" % c)
        open(path, "wb").write(cpus[c])
        if kind == "etm4-tmc":
            args += ["--stream", "%d:etm4:cpu=%d:formatted" % (c, c)]
        else:
            args += ["--stream", "%d:%s:cpu=%d" % (c, kind, c)]
        for p in params:
            args += ["--param", "%d:%s" % (c, p)]
        if cpus[c]:
            args += ["--data", "%d:%s:/3" % (c, path)]
    print("\n".join(args))


main()
