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
formatted; with --kind etm4-shared the threads' runs are raw ETMv4
(etegen --etm4 1) interleaved by tmcmux (TMCMUX: its path) in the frames
of one TMC shared by the CPUs, CPU c's unit with trace ID 0x10 + c, in
chunks of 7 + 4c bytes taken from each CPU in turn, a flush at each
switch giving its switch_in's head: one stream, 0, stream_params
shared_sink=1 and traceid_base=0x10 (OUTDIR/shared.bin).
"""
import os
import subprocess
import sys


def runs_of(gen):
    data = open(os.path.join(gen, "pt.bin"), "rb").read()
    offs = [int(l.split()[0]) for l in open(os.path.join(gen, "runs.txt"))]
    offs.append(len(data))
    return [data[a:b] for a, b in zip(offs, offs[1:]) if b > a]


def runs_at(gen):
    """The runs of gen as (path, offset, length)."""
    path = os.path.join(gen, "pt.bin")
    size = os.path.getsize(path)
    offs = [int(l.split()[0]) for l in open(os.path.join(gen, "runs.txt"))]
    offs.append(size)
    return [(path, a, b - a) for a, b in zip(offs, offs[1:]) if b > a]


def shared(out, ncpu, specs, params):
    """--kind etm4-shared: the script for tmcmux, run; its arguments."""
    threads = []
    for spec in specs:
        pid, tid, gen = spec.split(":", 2)
        threads.append((int(pid), int(tid), runs_at(gen)))
    queue = [[] for _ in range(ncpu)]   # (pid, tid, time, run or None)
    k, t = 0, 1000
    while any(r for _, _, r in threads):
        for pid, tid, runs in threads:
            if not runs:
                continue
            c = k % ncpu
            queue[c].append((pid, tid, t, runs.pop(0)))
            t += 10
            k += 1
            if k % 3 == 0:      # the idle task: no user trace
                queue[c].append((0, 0, t, None))
                t += 10
    script, cur = [], [None] * ncpu
    while True:
        busy = False
        for c in range(ncpu):
            while cur[c] is None or cur[c][2] == 0:
                if not queue[c]:
                    cur[c] = None
                    break
                pid, tid, tm, run = queue[c].pop(0)
                script.append("switch %d %d %d %d" % (pid, tid, c, tm))
                cur[c] = list(run) if run else [None, 0, 0]
            if cur[c] is None:
                continue
            busy = True
            n = min(7 + 4 * c, cur[c][2])
            script.append("put %d %s %d %d" % (0x10 + c, cur[c][0],
                                               cur[c][1], n))
            cur[c][1] += n
            cur[c][2] -= n
        if not busy:
            break
    path = os.path.join(out, "shared.bin")
    res = subprocess.run([os.environ["TMCMUX"], path, "0"],
                         input="\n".join(script) + "\n", text=True,
                         capture_output=True, check=True)
    args = res.stdout.split()
    args += ["--stream", "0:etm4:cpu=0:formatted"]
    for p in params + ["shared_sink=1", "traceid_base=0x10"]:
        args += ["--param", "0:%s" % p]
    args += ["--data", "0:%s:/3" % path]
    print("\n".join(args))


def main():
    argv, kind, params = sys.argv[1:], "intel_pt", ["cpu=0/0/0"]
    if argv[:1] == ["--kind"]:
        kind = argv[1]
        if argv[2:3] != ["--params"]:
            sys.exit("mkcpu.py: --kind needs --params FILE")
        params = [l.strip() for l in open(argv[3]) if l.strip()]
        argv = argv[4:]
    out, ncpu = argv[0], int(argv[1])
    if kind == "etm4-shared":
        shared(out, ncpu, argv[2:], params)
        return
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
