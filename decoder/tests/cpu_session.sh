#!/bin/sh
# shellcheck disable=SC2046 # mksession arguments: one per line, no spaces
# CPU-mode sessions decoded per thread (src/session_cpu.h), without the VM
# (the recorded one is tests/e2e/pt_cpu.sh): ptgen traces of known path
# (truth.txt, stats.txt), cut into runs (--switch: FUP + TIP.PGD, then
# PSB+ and TIP.PGE, as a switched task's trace is), scheduled round robin
# onto two CPU streams with switch_in records (mkcpu.py), stored by the
# store's own writer (mksession).
#  - three threads of two processes running the same static binary at
#    the same address: each thread's replay is its truth, instruction for
#    instruction, and its per-thread call and instruction counts are
#    ptgen's (a thread's runs carry its call stack across the cuts);
#  - two processes with different static binaries at the same address:
#    each thread's code comes from its own process's mappings (its replay
#    is its truth) and its symbols from its own binary (its per-function
#    counts are its generator's);
#  - the same threads cut as hwt_pt_emu cuts them (--switch-fup: each
#    run starts with a PSB+ whose FUP is where the last one stopped, no
#    TIP.PGE): the same replays and per-thread counts;
#  - a run that does not start with a PSB (its switch_in placed 3 bytes
#    early): those bytes are a gap naming the run, the rest decodes;
#  - bytes lost inside a run: a gap of that run's thread only;
#  - a process forked in the session (no exec) runs on its parent's image;
#  - a switch_in whose offset goes back: a clear error naming it.
# Env (from run.sh): HWT, PTGEN, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${PTGEN:=$ROOT/build/decoder/ptgen}"
MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) || exit 1
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }

# gen DIR ARGS...: a ptgen trace with runs
gen() { _d=$1; shift; mkdir -p "$_d" && "$PTGEN" "$_d" "$@" >/dev/null; }
# session DIR ARGSFILE OPTION...: a CPU-mode session (the options first:
# --lost-before must come before --data)
session() {
	_d=$1 _a=$2
	shift 2
	"$MK" "$_d" --meta mode=cpu --meta arch=x86_64 --meta backend=intel_pt \
		"$@" $(cat "$_a")
}
map() { echo "--mmap"; echo "0x400000:0x1000:0x1000:$1/prog.elf:$2"; }
# stats DB: "tid name calls insns" per thread and function
stats() {
	"$HWT" query --csv "$1" "SELECT t.tid, s.name, ss.calls,
		ss.insn_count FROM symbol_stats ss JOIN threads t ON
		t.id = ss.thread_id JOIN symbols s ON s.id = ss.symbol_id
		WHERE ss.calls > 0 OR ss.insn_count > 0" | tail -n +2 |
		tr , ' ' | sort
}

gen "$T/a" --iters 300 --switch 400 &&
gen "$T/c" --iters 500 --switch 300 &&
gen "$T/d" --iters 200 --switch 500 &&
gen "$T/v" --iters 300 --switch 350 --variant &&
gen "$T/af" --iters 300 --switch 400 --switch-fup &&
gen "$T/cf" --iters 500 --switch 300 --switch-fup &&
gen "$T/df" --iters 200 --switch 500 --switch-fup || {
	echo "FAIL: cpu-session (ptgen)"; exit 0; }

# 1: pid 100 (threads 100, 101) and pid 300, the same binary
mkdir -p "$T/g1" &&
python3 "$HERE/mkcpu.py" "$T/g1" 2 100:100:"$T/a" 100:101:"$T/c" \
	300:300:"$T/d" > "$T/args1" &&
session "$T/s1" "$T/args1" $(map "$T/a" 100) $(map "$T/d" 300) &&
"$HWT" decode -q "$T/s1" -o "$T/s1.db" 2> "$T/err1" ||
	echo "FAIL: cpu-session-decode ($(cat "$T/err1"))"
ok=1
for x in 100:a 101:c 300:d; do
	"$HWT" replay "$T/s1.db" --thread "${x%%:*}" --format addr > "$T/r" \
		2>> "$T/err1"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
done
check cpu-session-replay-per-thread-is-truth [ $ok = 1 ]
for x in 100:a 101:c 300:d; do
	awk -v t="${x%%:*}" '$2 + $3 > 0 { print t, $1, $2, $3 }' \
		"$T/${x#*:}/stats.txt"
done | sort > "$T/want"
stats "$T/s1.db" > "$T/got"
check cpu-session-calls-per-thread-exact cmp -s "$T/got" "$T/want"

# 1f: the same, each run starting with a PSB+ and its FUP (hwt_pt_emu's)
mkdir -p "$T/g1f" &&
python3 "$HERE/mkcpu.py" "$T/g1f" 2 100:100:"$T/af" 100:101:"$T/cf" \
	300:300:"$T/df" > "$T/args1f" &&
session "$T/s1f" "$T/args1f" $(map "$T/af" 100) $(map "$T/df" 300) &&
"$HWT" decode -q "$T/s1f" -o "$T/s1f.db" 2> "$T/err1f" ||
	echo "FAIL: cpu-session-fup-decode ($(cat "$T/err1f"))"
ok=1
for x in 100:af 101:cf 300:df; do
	"$HWT" replay "$T/s1f.db" --thread "${x%%:*}" --format addr > "$T/r" \
		2>> "$T/err1f"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
done
check cpu-session-fup-replay-per-thread-is-truth [ $ok = 1 ]
for x in 100:af 101:cf 300:df; do
	awk -v t="${x%%:*}" '$2 + $3 > 0 { print t, $1, $2, $3 }' \
		"$T/${x#*:}/stats.txt"
done | sort > "$T/want"
stats "$T/s1f.db" > "$T/got"
check cpu-session-fup-calls-per-thread-exact cmp -s "$T/got" "$T/want"

# 2: pid 100 and pid 200 map different binaries at the same address
mkdir -p "$T/g2" &&
python3 "$HERE/mkcpu.py" "$T/g2" 2 100:100:"$T/a" 200:200:"$T/v" > \
	"$T/args2" &&
session "$T/s2" "$T/args2" $(map "$T/a" 100) $(map "$T/v" 200) &&
"$HWT" decode -q "$T/s2" -o "$T/s2.db" 2> "$T/err2" ||
	echo "FAIL: cpu-session-decode-2 ($(cat "$T/err2"))"
"$HWT" replay "$T/s2.db" --thread 100 --format addr > "$T/r100"
"$HWT" replay "$T/s2.db" --thread 200 --format addr > "$T/r200"
check cpu-session-image-per-process cmp -s "$T/r100" "$T/a/truth.txt"
check cpu-session-image-per-process-variant cmp -s "$T/r200" \
	"$T/v/truth.txt"
# ... and each is symbolized against its own binary: per-thread calls
# and instructions per function are its generator's
for x in 100:a 200:v; do
	awk -v t="${x%%:*}" '$2 + $3 > 0 { print t, $1, $2, $3 }' \
		"$T/${x#*:}/stats.txt"
done | sort > "$T/want2"
stats "$T/s2.db" > "$T/got2"
check cpu-session-symbols-per-process cmp -s "$T/got2" "$T/want2"

# 3: thread 101's third run placed 3 bytes early (before its PSB); no
# idle runs (an empty one would sit at the same offset)
paste -d ' ' - - < "$T/args1" | grep -v 'tid=0:' | awk 'BEGIN { n = 0 }
	/tid=101:/ && ++n == 3 { match($0, /head=[0-9]+/)
		h = substr($0, RSTART + 5, RLENGTH - 5)
		sub(/head=[0-9]+/, "head=" h - 3) } { print }' |
	tr ' ' '\n' > "$T/args3"
session "$T/s3" "$T/args3" $(map "$T/a" 100) $(map "$T/d" 300) &&
"$HWT" decode -q "$T/s3" -o "$T/s3.db" 2> "$T/err3" ||
	echo "FAIL: cpu-session-decode-3 ($(cat "$T/err3"))"
"$HWT" query --csv "$T/s3.db" "SELECT message FROM errors" > "$T/gaps"
check cpu-session-run-without-psb-is-a-gap \
	grep -q "run of tid 101 at stream 1 offset .*: 3 bytes before its first PSB not decoded" "$T/gaps"
"$HWT" replay "$T/s3.db" --thread 300 --format addr > "$T/r"
check cpu-session-run-without-psb-others-whole cmp -s "$T/r" \
	"$T/d/truth.txt"

# 5: pid 400, forked by pid 300 (no exec, no mapping of its own), runs
# pid 300's binary: its image is its parent's
mkdir -p "$T/g5" &&
python3 "$HERE/mkcpu.py" "$T/g5" 2 300:300:"$T/d" 400:400:"$T/a" > \
	"$T/args5" &&
session "$T/s5" "$T/args5" $(map "$T/d" 300) --record \
	thread_create:pid=400:tid=400:ppid=300:ptid=300:flags=2 &&
"$HWT" decode -q "$T/s5" -o "$T/s5.db" 2> "$T/err5" ||
	echo "FAIL: cpu-session-decode-5 ($(cat "$T/err5"))"
"$HWT" replay "$T/s5.db" --thread 400 --format addr > "$T/r"
check cpu-session-fork-child-has-parent-image cmp -s "$T/r" \
	"$T/a/truth.txt"

# 6: 64 bytes lost before CPU 0's second chunk (inside a run of thread
# 100): a gap of that thread's stream only; thread 101 whole
mkdir -p "$T/g6" &&
python3 "$HERE/mkcpu.py" "$T/g6" 2 100:100:"$T/a" 100:101:"$T/c" > \
	"$T/args6" &&
session "$T/s6" "$T/args6" --lost-before 0:1:64 $(map "$T/a" 100) &&
"$HWT" decode -q "$T/s6" -o "$T/s6.db" 2> "$T/err6" ||
	echo "FAIL: cpu-session-decode-6 ($(cat "$T/err6"))"
"$HWT" query --csv "$T/s6.db" "SELECT s.tid, e.message FROM errors e
	JOIN streams s ON s.id = e.stream_id" > "$T/gaps6"
"$HWT" replay "$T/s6.db" --thread 101 --format addr > "$T/r"
check cpu-session-loss-is-a-gap-of-its-run \
	[ "$(tail -n +2 "$T/gaps6")" = "100,64 bytes lost" ]
check cpu-session-loss-other-thread-whole cmp -s "$T/r" "$T/c/truth.txt"

# 4: a switch_in before the one before it in its stream: refused
awk 'BEGIN { n = 0 } /buf=0:/ && /switch_in/ && ++n == 4 {
	sub(/head=[0-9]+/, "head=1") } { print }' "$T/args1" > "$T/args4"
session "$T/s4" "$T/args4" $(map "$T/a" 100) &&
! "$HWT" decode -q "$T/s4" -o "$T/s4.db" 2> "$T/err4"
check cpu-session-switch-going-back-refused \
	grep -q "stream 0: switch_in 3 (row [0-9]*) at offset 1, before the previous at" "$T/err4"
exit 0
