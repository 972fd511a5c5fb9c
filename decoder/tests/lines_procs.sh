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
# were two.c's where the programs overlap.
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
# map P PID: the mmap record of P's executable segment
map() {
	readelf -lW "$T/$1" | awk -v f="$T/$1" -v p="$2" \
		'$1 == "LOAD" && / R E / { printf "--mmap\n%s:%s:%s:%s:%s\n",
			$3, $5, $2, f, p }'
}
# truth P FN: the addresses of FN's instructions up to its return
truth() {
	objdump -d --no-show-raw-insn "$T/$1" | awk -v f="<$2>:" '
		$2 == f { on = 1; next }
		on { a = $1; sub(/:$/, "", a); printf "%16s\n", a
			if ($2 ~ /^ret/) on = 0 }' | tr ' ' 0
}
# gen P TSC FN...: P's runs (one per FN, TSCs TSC, TSC + 0x10000, ...)
# in T/P.gen/pt.bin with runs.txt, and their truth
gen() {
	_p=$1 _t=$2
	shift 2
	mkdir -p "$T/$_p.gen" && nm "$T/$_p" > "$T/$_p.syms" || return 1
	: > "$T/$_p.gen/pt.bin"
	: > "$T/$_p.gen/runs.txt"
	: > "$T/$_p.gen/truth.txt"
	for _f in "$@"; do
		printf 'psb\ntsc %s\nmode.exec 64\npsbend\ntip.pge 3 %s\ntip.pgd 0\n' \
			"$(printf '0x%x' "$_t")" "$_f" > "$T/run.script"
		"$BUILD/ptscript" "$T/run.script" "$T/$_p.syms" "$T/run.pt" \
			2>> "$T/err" || return 1
		wc -c < "$T/$_p.gen/pt.bin" >> "$T/$_p.gen/runs.txt"
		cat "$T/run.pt" >> "$T/$_p.gen/pt.bin"
		truth "$_p" "$_f" >> "$T/$_p.gen/truth.txt"
		_t=$((_t + 0x10000))
	done
}

if ! build one || ! build two ||
	! gen one 0x100000000 one_first one_second one_first ||
	! gen two 0x100005000 two_first two_second two_first two_second ||
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
exit 0
