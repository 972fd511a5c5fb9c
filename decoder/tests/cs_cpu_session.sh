#!/bin/sh
# shellcheck disable=SC2046 # mksession arguments: one per line, no spaces
# CoreSight CPU-mode sessions (hwt_coresight's ETE + TRBE: one raw ETE
# source per CPU) decoded per thread (src/session_cpu.h), without the VM
# (the recorded one is tests/vm/guest/cs_emu.c, "cs/emu/cpu"): etegen
# traces of known path (truth.txt) from the soft backend's ETE encoder,
# cut into runs as the backend cuts them (each run opens with the sync
# point the unit's re-enable at the switch emits, and ends with the
# Exception element of the switch), scheduled round robin onto two CPU
# streams with switch_in records (mkcpu.py --kind ete), stored by the
# store's own writer (mksession).
#  - three threads of two processes running the same code at the same
#    address: each thread's replay is its truth, instruction for
#    instruction;
#  - a run that does not start with an A-sync (its switch_in placed 3
#    bytes early, as a run after a switch without a re-enable of the
#    unit would be): those bytes are a gap naming the run, nothing is
#    guessed from them, and that thread's replay is still its truth;
#  - bytes lost inside a run: a gap of that run's thread only;
#  - runs whose sync point comes after Ignore padding (hwt_coresight
#    aligns the TRBE pointer at each re-enable): no gap, each thread's
#    replay is its truth;
#  - ETMv4 in TMC frames, a TMC per CPU (5, 6), and one TMC shared by
#    both CPUs (7, 8: mkcpu.py --kind etm4-shared, the threads' raw
#    ETMv4 runs interleaved in one formatter by tmcmux, CPU c's unit
#    under trace ID 0x10 + c, a flush at each switch): each thread's
#    replay is its truth with no gap, its runs taken from both IDs; 64
#    bytes lost in the middle of the shared buffer are a gap in the run
#    of each CPU there (two threads), the third thread whole;
#  - thread mode through the shared TMC (9, 10): one thread's runs in
#    its own stream's frames under IDs 0x10 and 0x11 in turn: its
#    replay is its truth with no gap; 64 bytes lost are one gap, the
#    pieces around it stretches of the truth (tests/e2e/check_pieces.py).
# Env (from run.sh): HWT, BUILD, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${BUILD:=$ROOT/build/decoder}"
ETEGEN=$BUILD/etegen
TMCMUX=$BUILD/tmcmux
export TMCMUX
MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
[ -x "$ETEGEN" ] || make -s -C "$ROOT/decoder" "$ETEGEN" >&2 || exit 1
[ -x "$TMCMUX" ] || make -s -C "$ROOT/decoder" "$TMCMUX" >&2 || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) || exit 1
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }

# gen DIR TID SEED RUNS STEPS [--pad N]: an etegen trace of thread TID
gen() { _g=$1 _t=$2 _s=$3 _r=$4 _n=$5; shift 5
	mkdir -p "$_g" && "$ETEGEN" "$_g" --tid "$_t" --seed "$_s" \
	--runs "$_r" --switch "$_n" "$@"; }
session() {
	_d=$1 _a=$2
	shift 2
	"$MK" "$_d" --meta mode=cpu --meta arch=aarch64 \
		--meta backend=coresight "$@" $(cat "$_a")
}
# The code at 0x400000 in process $1.
map() { echo "--mmap"; echo "0x400000:0x400:0:$T/a/prog.bin:$1"; }

gen "$T/a" 100 1 12 400 && gen "$T/c" 101 2 9 333 &&
gen "$T/d" 300 3 7 500 || { echo "FAIL: cs-cpu-session (etegen)"; exit 0; }
# 1: pid 100 (threads 100, 101) and pid 300
mkdir -p "$T/g1" &&
python3 "$HERE/mkcpu.py" --kind ete --params "$T/a/params.txt" "$T/g1" 2 \
	100:100:"$T/a" 100:101:"$T/c" 300:300:"$T/d" > "$T/args1" &&
session "$T/s1" "$T/args1" $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s1" -o "$T/s1.db" 2> "$T/err1" ||
	echo "FAIL: cs-cpu-session-decode ($(cat "$T/err1"))"
ok=1 n=""
for x in 100:a 101:c 300:d; do
	"$HWT" replay "$T/s1.db" --thread "${x%%:*}" --format addr > "$T/r" \
		2>> "$T/err1"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
	n="$n $(wc -l < "$T/r")"
done
check "cs-cpu-session-replay-per-thread-is-truth (instructions:$n)" \
	[ $ok = 1 ]
"$HWT" query --csv "$T/s1.db" "SELECT count(*) FROM errors" > "$T/nerr"
check cs-cpu-session-no-gaps [ "$(tail -n 1 "$T/nerr")" = 0 ]

# 2: thread 101's third run placed 3 bytes early (before its A-sync);
# no idle runs (an empty one would sit at the same offset)
paste -d ' ' - - < "$T/args1" | grep -v 'tid=0:' | awk 'BEGIN { n = 0 }
	/tid=101:/ && ++n == 3 { match($0, /head=[0-9]+/)
		h = substr($0, RSTART + 5, RLENGTH - 5)
		sub(/head=[0-9]+/, "head=" h - 3) } { print }' |
	tr ' ' '\n' > "$T/args2"
session "$T/s2" "$T/args2" $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s2" -o "$T/s2.db" 2> "$T/err2" ||
	echo "FAIL: cs-cpu-session-decode-2 ($(cat "$T/err2"))"
"$HWT" query --csv "$T/s2.db" "SELECT message FROM errors" > "$T/gaps"
check cs-cpu-session-run-without-async-is-a-gap \
	grep -q "run of tid 101 at stream 1 offset .*: 3 bytes before its first A-sync not decoded" "$T/gaps"
# (the 3 bytes are the end of the run before it, another thread's);
# replay shows the gap as a "[...]" line where it is
"$HWT" replay "$T/s2.db" --thread 101 --format addr | grep -v '^\[' > "$T/r"
check cs-cpu-session-run-without-async-thread-whole cmp -s "$T/r" \
	"$T/c/truth.txt"

# 3: 64 bytes lost before CPU 0's second chunk (inside a run of thread
# 100): a gap of that thread's stream only; thread 101 whole
mkdir -p "$T/g3" &&
python3 "$HERE/mkcpu.py" --kind ete --params "$T/a/params.txt" "$T/g3" 2 \
	100:100:"$T/a" 100:101:"$T/c" > "$T/args3" &&
session "$T/s3" "$T/args3" --lost-before 0:1:64 $(map 100) &&
"$HWT" decode -q "$T/s3" -o "$T/s3.db" 2> "$T/err3" ||
	echo "FAIL: cs-cpu-session-decode-3 ($(cat "$T/err3"))"
"$HWT" query --csv "$T/s3.db" "SELECT DISTINCT s.tid, e.message FROM
	errors e JOIN streams s ON s.id = e.stream_id WHERE e.message LIKE
	'%lost%'" > "$T/gaps3"
"$HWT" replay "$T/s3.db" --thread 101 --format addr > "$T/r"
check cs-cpu-session-loss-is-a-gap-of-its-run \
	[ "$(tail -n +2 "$T/gaps3")" = "100,64 bytes lost" ]
check cs-cpu-session-loss-other-thread-whole cmp -s "$T/r" "$T/c/truth.txt"

# 4: every run after 13 and 31 bytes of Ignore padding
gen "$T/ap" 100 1 12 400 --pad 13 && gen "$T/cp" 101 2 9 333 --pad 31 &&
mkdir -p "$T/g4" &&
python3 "$HERE/mkcpu.py" --kind ete --params "$T/a/params.txt" "$T/g4" 2 \
	100:100:"$T/ap" 100:101:"$T/cp" > "$T/args4" &&
session "$T/s4" "$T/args4" $(map 100) &&
"$HWT" decode -q "$T/s4" -o "$T/s4.db" 2> "$T/err4" ||
	echo "FAIL: cs-cpu-session-decode-4 ($(cat "$T/err4"))"
ok=1
for x in 100:ap 101:cp; do
	"$HWT" replay "$T/s4.db" --thread "${x%%:*}" --format addr > "$T/r"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
done
"$HWT" query --csv "$T/s4.db" "SELECT count(*) FROM errors" > "$T/nerr"
[ "$(tail -n 1 "$T/nerr")" = 0 ] || ok=0
check cs-cpu-session-ignore-padding-no-gap [ $ok = 1 ]

# 5: ETMv4 in TMC frames (hwt_coresight's ETMv4 + TMC CPU mode: kind
# etm4, formatted; every run whole frames): the three threads of 1, each
# thread's replay is its truth, no gaps
gen "$T/af" 100 1 12 400 --tmc 1 && gen "$T/cf" 101 2 9 333 --tmc 1 &&
gen "$T/df" 300 3 7 500 --tmc 1 && mkdir -p "$T/g5" &&
python3 "$HERE/mkcpu.py" --kind etm4-tmc --params "$T/af/params.txt" \
	"$T/g5" 2 100:100:"$T/af" 100:101:"$T/cf" 300:300:"$T/df" \
	> "$T/args5" &&
session "$T/s5" "$T/args5" $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s5" -o "$T/s5.db" 2> "$T/err5" ||
	echo "FAIL: cs-cpu-session-tmc-decode ($(cat "$T/err5"))"
ok=1 n=""
for x in 100:af 101:cf 300:df; do
	"$HWT" replay "$T/s5.db" --thread "${x%%:*}" --format addr > "$T/r" \
		2>> "$T/err5"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
	n="$n $(wc -l < "$T/r")"
done
check "cs-cpu-session-tmc-replay-per-thread-is-truth (instructions:$n)" \
	[ $ok = 1 ]
"$HWT" query --csv "$T/s5.db" "SELECT count(*) FROM errors" > "$T/nerr"
check cs-cpu-session-tmc-no-gaps [ "$(tail -n 1 "$T/nerr")" = 0 ]

# 6: thread 101's third run's switch_in 5 bytes early, off the frame
# boundary: its run is taken from the next boundary (a 5-byte gap that
# names it, its replay still its truth); the run before it ends in 11
# bytes of a frame, a gap that names that run
paste -d ' ' - - < "$T/args5" | grep -v 'tid=0:' | awk 'BEGIN { n = 0 }
	/tid=101:/ && ++n == 3 { match($0, /head=[0-9]+/)
		h = substr($0, RSTART + 5, RLENGTH - 5)
		sub(/head=[0-9]+/, "head=" h - 5) } { print }' |
	tr ' ' '\n' > "$T/args6"
session "$T/s6" "$T/args6" $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s6" -o "$T/s6.db" 2> "$T/err6" ||
	echo "FAIL: cs-cpu-session-tmc-decode-6 ($(cat "$T/err6"))"
"$HWT" query --csv "$T/s6.db" "SELECT message FROM errors" > "$T/gaps6"
check cs-cpu-session-tmc-run-off-frame-is-a-gap \
	grep -q "run of tid 101 at stream 1 offset .*: 5 bytes before its first whole TMC frame not decoded" "$T/gaps6"
check cs-cpu-session-tmc-partial-frame-is-a-gap \
	grep -q "its last 11 bytes are no whole TMC frame, not decoded" "$T/gaps6"
"$HWT" replay "$T/s6.db" --thread 101 --format addr | grep -v '^\[' > "$T/r"
check cs-cpu-session-tmc-run-off-frame-thread-whole cmp -s "$T/r" \
	"$T/cf/truth.txt"

# 7: one TMC shared by both CPUs: the three threads of 1 as raw ETMv4,
# interleaved in one stream's frames under IDs 0x10 and 0x11
gen "$T/as" 100 1 12 400 --etm4 1 && gen "$T/cs" 101 2 9 333 --etm4 1 &&
gen "$T/ds" 300 3 7 500 --etm4 1 && mkdir -p "$T/g7" &&
python3 "$HERE/mkcpu.py" --kind etm4-shared --params "$T/as/params.txt" \
	"$T/g7" 2 100:100:"$T/as" 100:101:"$T/cs" 300:300:"$T/ds" \
	> "$T/args7" &&
session "$T/s7" "$T/args7" $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s7" -o "$T/s7.db" 2> "$T/err7" ||
	echo "FAIL: cs-cpu-session-shared-decode ($(cat "$T/err7"))"
ok=1 n=""
for x in 100:as 101:cs 300:ds; do
	"$HWT" replay "$T/s7.db" --thread "${x%%:*}" --format addr > "$T/r" \
		2>> "$T/err7"
	cmp -s "$T/r" "$T/${x#*:}/truth.txt" || ok=0
	n="$n $(wc -l < "$T/r")"
done
check "cs-cpu-session-shared-replay-per-thread-is-truth (instructions:$n)" \
	[ $ok = 1 ]
"$HWT" query --csv "$T/s7.db" "SELECT count(*) FROM errors" > "$T/nerr"
check cs-cpu-session-shared-no-gaps [ "$(tail -n 1 "$T/nerr")" = 0 ]
# each thread's runs came from both CPUs (round robin over 2 CPUs, 3
# threads), so both IDs were decoded for each of them
"$HWT" query --csv "$T/s7.db" "SELECT count(*) FROM streams WHERE
	cpu = -1 AND tid IN (100, 101, 300)" > "$T/nboth"
check cs-cpu-session-shared-threads-on-both-ids \
	[ "$(tail -n 1 "$T/nboth")" = 3 ]

# 8: 64 bytes lost before the shared stream's second chunk: a gap in
# the run each CPU had there (two threads), the third thread whole
mkdir -p "$T/g8" &&
python3 "$HERE/mkcpu.py" --kind etm4-shared --params "$T/as/params.txt" \
	"$T/g8" 2 100:100:"$T/as" 100:101:"$T/cs" 300:300:"$T/ds" \
	> "$T/args8" &&
session "$T/s8" "$T/args8" --lost-before 0:1:64 $(map 100) $(map 300) &&
"$HWT" decode -q "$T/s8" -o "$T/s8.db" 2> "$T/err8" ||
	echo "FAIL: cs-cpu-session-shared-decode-8 ($(cat "$T/err8"))"
"$HWT" query --csv "$T/s8.db" "SELECT s.tid FROM errors e JOIN streams s
	ON s.id = e.stream_id WHERE e.message = '64 bytes lost' ORDER BY
	s.tid" | tail -n +2 | tr '\n' ' ' > "$T/lost8"
check "cs-cpu-session-shared-loss-is-a-gap-of-each-cpu (threads $(cat "$T/lost8"))" \
	[ "$(cat "$T/lost8")" = "100 300 " ]
"$HWT" replay "$T/s8.db" --thread 101 --format addr > "$T/r"
check cs-cpu-session-shared-loss-other-thread-whole cmp -s "$T/r" \
	"$T/cs/truth.txt"

# 9: thread mode through the shared TMC (hwt_coresight takes the sink
# for one run of a thread at a time, over that thread's own buffer,
# the unit under its CPU's trace ID): thread 101's runs in its own
# stream's frames, alternately under IDs 0x10 and 0x11, a flush at each
# switch; its replay is its truth, no gap (deformatted for its
# trctraceidr alone, the runs under 0x11 would be lost)
k=0 t=1000
: > "$T/script9"
while read -r off _; do
	end=$(sed -n "$((k + 2))s/ .*//p" "$T/cs/runs.txt")
	[ -n "$end" ] || end=$(wc -c < "$T/cs/pt.bin")
	echo "switch 100 101 $((k % 2)) $t" >> "$T/script9"
	echo "put $((0x10 + k % 2)) $T/cs/pt.bin $off $((end - off))" \
		>> "$T/script9"
	k=$((k + 1)) t=$((t + 10))
done < "$T/cs/runs.txt"
thread_session() {
	_d=$1
	shift
	"$MK" "$_d" --meta mode=thread --meta arch=aarch64 \
		--meta backend=coresight --stream 0:etm4:tid=101:formatted \
		$(sed 's/^/--param 0:/' "$T/as/params.txt") \
		--param 0:shared_sink=1 --param 0:traceid_base=0x10 "$@" \
		--data 0:"$T/t9.bin":/3 $(map 100)
}
"$TMCMUX" "$T/t9.bin" 0 < "$T/script9" > /dev/null &&
thread_session "$T/s9" &&
"$HWT" decode -q "$T/s9" -o "$T/s9.db" 2> "$T/err9" ||
	echo "FAIL: cs-cpu-session-shared-thread-decode ($(cat "$T/err9"))"
"$HWT" replay "$T/s9.db" --thread 101 --format addr > "$T/r"
check "cs-cpu-session-shared-thread-replay-is-truth ($k runs, $(wc -l < "$T/r") instructions)" \
	cmp -s "$T/r" "$T/cs/truth.txt"
"$HWT" query --csv "$T/s9.db" "SELECT count(*) FROM errors" > "$T/nerr"
check cs-cpu-session-shared-thread-no-gaps [ "$(tail -n 1 "$T/nerr")" = 0 ]
# 10: the same with 64 bytes lost before the second chunk (as a run the
# thread ran untraced is a cut): one gap, and the replay's pieces around
# it are each a stretch of the truth, in order
thread_session "$T/s10" --lost-before 0:1:64 &&
"$HWT" decode -q "$T/s10" -o "$T/s10.db" 2> "$T/err10" ||
	echo "FAIL: cs-cpu-session-shared-thread-decode-10 ($(cat "$T/err10"))"
"$HWT" replay "$T/s10.db" --thread 101 --format addr > "$T/r"
"$HWT" query --csv "$T/s10.db" "SELECT count(*) FROM errors" > "$T/nerr"
p=$(python3 "$ROOT/tests/e2e/check_pieces.py" "$T/cs/truth.txt" "$T/r")
pieces_ok() { python3 "$ROOT/tests/e2e/check_pieces.py" "$@" > /dev/null; }
check "cs-cpu-session-shared-thread-loss-is-a-gap ($p)" \
	pieces_ok "$T/cs/truth.txt" "$T/r"
check cs-cpu-session-shared-thread-loss-one-gap \
	[ "$(tail -n 1 "$T/nerr")" = 1 ]
exit 0
