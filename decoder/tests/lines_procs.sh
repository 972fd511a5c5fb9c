#!/bin/sh
# shellcheck disable=SC2046 # mksession arguments: one per line, no spaces
# DWARF lines and inline frames per process (issues 10 and 18): two
# static programs built here from different sources (lines_procs/one.c,
# two.c: straight-line functions with functions inlined into them, one
# into another), linked at the same address, so one address is another
# file's line and other inline frames in each.  Process 100 runs one,
# process 200 two; each function run is one run of PT (ptscript: PSB+
# with a TSC, TIP.PGE at the function, TIP.PGD at its return), the runs
# interleaved on CPU 0 of a CPU-mode session (mkcpu.py, mksession), and
# that session exported with `hwt export --perf-data` (a per-CPU
# perf.data whose CPU the decode splits between the two processes).
# For both decodes, per thread:
#  - its replay is the functions it ran, as objdump lists them;
#  - at every instruction that ran, its source line (`hwt replay -F
#    ip,srcline`: the lines and binary_lines tables) is `addr2line -i -e
#    ITS_BINARY`'s innermost frame (file base name and line);
#  - at every instruction that ran, the inlines rows of its binary that
#    cover it, deepest first, are the call sites addr2line -i gives
#    after that frame;
# and the two binaries' lines differ at an address both ran (else this
# proves nothing).  Before lines and inlines were per process, both
# came from the binary mapped last at an address: thread 100's lines
# were two.c's where the programs overlap.  Then a perf.data where a
# thread execs one after running two (below): its lines, call sites and
# per-function instruction counts are two's before the exec and one's
# after it (before, the symbols of its first image stayed).
# Env (from run.sh): HWT, BUILD, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
: "${BUILD:=$ROOT/build/decoder}"
MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d) || exit 1
trap '[ -n "$KEEP" ] || rm -rf "$T"' EXIT
check() { _n=$1; shift; if "$@"; then echo "PASS: $_n"; else echo "FAIL: $_n"; fi; }
CHECK="python3 $HERE/lines_procs/check.py"
if ! command -v gcc >/dev/null || ! command -v addr2line >/dev/null; then
	echo "FAIL: lines-procs (gcc and addr2line needed)"
	exit 0
fi

# build P: lines_procs/P.c, static, no libc, entry P_first
build() {
	gcc -O2 -g -static -nostdlib -fno-pie -no-pie -fcf-protection=none \
		-fno-stack-protector -Wl,-e,"$1_first" -o "$T/$1" \
		"$HERE/lines_procs/$1.c" 2>> "$T/err"
}
# map P PID [TIME]: the mmap record of P's executable segment
map() {
	readelf -lW "$T/$1" | awk -v f="$T/$1" -v p="$2" -v t="${3:+:$3}" \
		'$1 == "LOAD" && / R E / { printf "--mmap\n%s:%s:%s:%s:%s%s\n",
			$3, $5, $2, f, p, t }'
}
# truth P FN: the addresses of FN's instructions up to its return
truth() {
	objdump -d --no-show-raw-insn "$T/$1" | awk -v f="<$2>:" '
		$2 == f { on = 1; next }
		on { a = $1; sub(/:$/, "", a); printf "%16s\n", a
			if ($2 ~ /^ret/) on = 0 }' | tr ' ' 0
}
# gen NAME TSC P:FN...: a thread's runs, one per function FN of program
# P (TSCs TSC, TSC + 0x10000, ...), in T/NAME.gen/pt.bin with runs.txt,
# and their truth
gen() {
	_g=$T/$1.gen _t=$2
	shift 2
	mkdir -p "$_g" || return 1
	: > "$_g/pt.bin"
	: > "$_g/runs.txt"
	: > "$_g/truth.txt"
	for _x in "$@"; do
		_p=${_x%%:*} _f=${_x#*:}
		[ -s "$T/$_p.syms" ] || nm "$T/$_p" > "$T/$_p.syms" || return 1
		printf 'psb\ntsc %s\nmode.exec 64\npsbend\ntip.pge 3 %s\ntip.pgd 0\n' \
			"$(printf '0x%x' "$_t")" "$_f" > "$T/run.script"
		"$BUILD/ptscript" "$T/run.script" "$T/$_p.syms" "$T/run.pt" \
			2>> "$T/err" || return 1
		wc -c < "$_g/pt.bin" >> "$_g/runs.txt"
		cat "$T/run.pt" >> "$_g/pt.bin"
		truth "$_p" "$_f" >> "$_g/truth.txt"
		_t=$((_t + 0x10000))
	done
}

if ! build one || ! build two ||
	! gen one 0x100000000 one:one_first one:one_second one:one_first ||
	! gen two 0x100005000 two:two_first two:two_second two:two_first \
		two:two_second ||
	! python3 "$HERE/mkcpu.py" "$T" 1 100:100:"$T/one.gen" \
		200:200:"$T/two.gen" > "$T/args" ||
	! "$MK" "$T/s" --meta mode=cpu --meta arch=x86_64 \
		--param 0:nom_freq=24 $(cat "$T/args") $(map one 100) \
		$(map two 200) 2>> "$T/err" ||
	! mkdir -p "$T/p" "$T/db" ||
	! "$HWT" export --perf-data "$T/p/out.data" "$T/s" 2>> "$T/err"; then
	echo "FAIL: lines-procs (build/ptscript/mksession/export: $(head -c 300 "$T/err"))"
	exit 0
fi

# checks NAME INPUT: decode INPUT, then per thread the checks above
checks() {
	"$HWT" decode -q "$2" -o "$T/db/$1-out.db" 2> "$T/err" ||
		echo "FAIL: lines-procs-$1-decode ($(cat "$T/err"))"
	for x in 100:one 200:two; do
		t=${x%%:*} p=${x#*:}
		"$HWT" replay "$T/db/$1-out.db" --thread "$t" --format addr \
			> "$T/$1-$t.addr" 2>> "$T/err"
		"$HWT" replay "$T/db/$1-out.db" --thread "$t" -F ip,srcline \
			> "$T/$1-$t.lines" 2>> "$T/err"
		check "lines-procs-$1-replay-tid-$t-is-truth" cmp -s \
			"$T/$1-$t.addr" "$T/$p.gen/truth.txt"
		check "lines-procs-$1-lines-tid-$t-as-addr2line" \
			$CHECK lines "$T/$p" "$T/$1-$t.lines"
		check "lines-procs-$1-inlines-tid-$t-as-addr2line" \
			$CHECK inlines "$T/$p" "$T/db/$1-out.db" "$T/$1-$t.lines"
	done
}
checks session "$T/s"
check lines-procs-binaries-differ $CHECK differ "$T/one" \
	"$T/session-100.lines" "$T/two" "$T/session-200.lines"
checks perf "$T/p/out.data"

# An exec in the middle of a thread's trace (a perf.data split between
# processes; a session's process image is all its pid's mappings, so
# not there): thread 300 runs two's functions, execs one and runs one's
# (the session records what the kernel does, as perf_pt_procs.sh: a
# comm, the new program's mmap and the exec, 3, 2 and 1 ns before the
# thread's first run of one; hwt export writes a COMM exec and an
# MMAP2), while thread 200 runs two all along.  The instructions before
# the exec have two's lines and call sites, those after it one's.
n=$({ truth two two_first; truth two two_second; } | wc -l)
if gen x 0x10000a000 two:two_first two:two_second one:one_first \
		one:one_second &&
	python3 "$HERE/mkcpu.py" "$T/x.gen" 1 200:200:"$T/two.gen" \
		300:300:"$T/x.gen" > "$T/xargs" &&
	x=$(grep '^switch_in:pid=300:' "$T/xargs" | sed -n '3s/.*time=//p') &&
	[ -n "$x" ] &&
	"$MK" "$T/xs" --meta mode=cpu --meta arch=x86_64 \
		--param 0:nom_freq=24 $(cat "$T/xargs") $(map two 200) \
		$(map two 300) \
		--record "comm:pid=300:tid=300:name=one:time=$((x - 3))" \
		$(map one 300 $((x - 2))) \
		--record "exec:pid=300:tid=300:path=$T/one:time=$((x - 1))" \
		2>> "$T/err" &&
	mkdir -p "$T/xp" &&
	"$HWT" export --perf-data "$T/xp/out.data" "$T/xs" 2>> "$T/err" &&
	"$HWT" decode -q "$T/xp/out.data" -o "$T/db/exec-out.db" 2>> "$T/err"
then
	"$HWT" replay "$T/db/exec-out.db" --thread 300 --format addr \
		> "$T/exec.addr" 2>> "$T/err"
	"$HWT" replay "$T/db/exec-out.db" --thread 300 -F ip,srcline \
		> "$T/exec.lines" 2>> "$T/err"
	head -n "$n" "$T/exec.lines" > "$T/exec-before.lines"
	tail -n +"$((n + 1))" "$T/exec.lines" > "$T/exec-after.lines"
	check lines-procs-exec-replay-is-truth cmp -s "$T/exec.addr" \
		"$T/x.gen/truth.txt"
	# its instructions per function: each program's own names
	for y in two:two_first two:two_second one:one_first one:one_second; do
		echo "${y#*:} $(truth "${y%%:*}" "${y#*:}" | wc -l)"
	done | sort > "$T/exec.want"
	"$HWT" query --csv "$T/db/exec-out.db" "SELECT s.name, ss.insn_count
		FROM symbol_stats ss JOIN threads t ON t.id = ss.thread_id
		JOIN symbols s ON s.id = ss.symbol_id WHERE t.tid = 300 AND
		ss.insn_count > 0" | tail -n +2 | tr , ' ' | sort > "$T/exec.got"
	check lines-procs-exec-functions-per-program cmp -s "$T/exec.got" \
		"$T/exec.want"
	for y in before:two after:one; do
		check "lines-procs-exec-lines-${y%%:*}-as-addr2line" $CHECK \
			lines "$T/${y#*:}" "$T/exec-${y%%:*}.lines"
		check "lines-procs-exec-inlines-${y%%:*}-as-addr2line" $CHECK \
			inlines "$T/${y#*:}" "$T/db/exec-out.db" \
			"$T/exec-${y%%:*}.lines"
	done
else
	echo "FAIL: lines-procs-exec (setup: $(head -c 300 "$T/err"))"
fi
exit 0
