#!/bin/sh
# usage: bench/pgo/run.sh [TRAIN_N [RUN_N [SAMPLE]]]
#                         (prog.c; defaults 100000, 3000000, 1009)
#        bench/pgo/run.sh zlib [TRAIN_KIB [RUN_KIB [SAMPLE]]]
#                         (zdrv.c + zlib; defaults 48, 1024, 1009)
#        bench/pgo/run.sh objdump [TRAIN_KIB [RUN_KIB [SAMPLE]]]
#                         (objdump -d; defaults 10, 512, 1009)
#
# Profile-guided optimization from an hwt trace, one command (issue 22),
# for one of three programs: prog.c (a small bytecode interpreter of our
# own), zlib (deflate/inflate, the zlib 1.2.12 that Debian's
# binutils-source ships, driven by zdrv.c on a generated input) or
# objdump -d (binutils 2.40 from the same package: bfd, opcodes'
# table-driven x86 disassembler, libiberty; a hot path of many functions,
# larger than the I1):
#  1. builds the program with clang-16 (-O2, DWARF 4 for Debian's autofdo
#     0.19, no jump tables: BOLT 16 refuses a static binary's PIC jump
#     tables, -Wl,--emit-relocs for BOLT), static (the test VM runs static
#     programs); binutils is configured and built out of tree once per
#     build (build/bench/pgo/binutils: minutes each);
#  2. records it with the soft backend in the x86 VM on the training input
#     (seed 1: TRAIN_N rounds or TRAIN_KIB KiB; objdump: objdump -d of
#     the first TRAIN_KIB KiB of the code of prog.c's static binary,
#     copied into the VM; make vm-record: minutes);
#  3. hwt decode, hwt export --bolt and --autofdo (--binary);
#  4. (a) llvm-bolt-16 --pa with the usual layout options, (b)
#     create_llvm_prof --profiler text + clang-16 -fprofile-sample-use
#     (afdo_names.py works around autofdo 0.19's corrupt inlinee names),
#     (c) the same from hwt export --profgen through llvm-profgen-16
#     --unsymbolized-profile --use-offset=0 instead of create_llvm_prof;
#  5. checks (PASS/FAIL lines): llvm-bolt reads the profile without
#     a parse error and with most traces matching its CFG; create_llvm_prof
#     accepts the AutoFDO file and llvm-profgen the profgen one, and each
#     writes a profile of the hot function;
#     every build prints what the plain build prints, on another input
#     (seed 7: RUN_N rounds or RUN_KIB KiB; objdump: objdump -d of the
#     first RUN_KIB KiB of the plain objdump's own code);
#  5b. the same with the profiles LBR sampling would give of the same
#     trace (hwt export --sample SAMPLE: a 32-branch stack at every
#     SAMPLE-th taken branch, what perf inject --itrace=l and perf2bolt
#     see), to show what exact fall-through ranges buy;
#  6. measures on that other input: wall time (hyperfine, host, 30 runs:
#     the minimum is the figure a loaded machine spoils least) and
#     cachegrind's simulated I1 misses (the host's I1 and an 8 KiB one)
#     and branch mispredictions (on a
#     tenth (prog) or an eighth (zlib, objdump) of the input: cachegrind runs ~50x
#     slower), for the plain, BOLT and AutoFDO builds, and prints the
#     ratios to the plain build.
# Outputs under build/bench/pgo/.  Needs bolt-16, clang-16, autofdo,
# llvm-16, hyperfine, valgrind, binutils-source (installed here:
# scripts/install-deps.sh --bench) and the VM's kernel.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
"$ROOT/scripts/install-deps.sh" --bench
OUT=$ROOT/build/bench/pgo
H=$ROOT/build/bin/hwt
CFLAGS="-O2 -gdwarf-4 -fdebug-info-for-profiling -fno-jump-tables"
LDFLAGS="-static -Wl,--emit-relocs"
TRAIN_FILES=
BOLT_SKIPS=
fails=0
pass() { echo "PASS: pgo/$1"; }
fail() { echo "FAIL: pgo/$1${2:+ ($2)}"; fails=$((fails + 1)); }

mkdir -p "$OUT"
make -s -C "$ROOT" build >/dev/null

# Per program: P the binary (and the prefix of every file of it under
# OUT), SESS its training session, the inputs (training, measured, the
# cachegrind one), HOT the functions of its own whose BOLT records must
# all match BOLT's CFG, AFDO_FN the function the AutoFDO profile must
# hold, HEAD_FN a function called directly whose call count both AutoFDO
# profiles must give (HEAD_WANT: that count, where the program fixes it),
# build() its compile and link.
if [ "${1:-}" = zlib ]; then
	shift
	P=zdrv
	SESS=$OUT/zsess
	TRAIN_KIB=${1:-48}
	RUN_KIB=${2:-1024}
	TRAIN_ARGS="1 $TRAIN_KIB"
	RUN_ARGS="7 $RUN_KIB"
	CG_ARGS="7 $((RUN_KIB / 8))"
	HOT="main longest_match deflate_slow deflate_fast deflate_rle \
deflate_huff inflate inflate_fast compress_block build_tree"
	AFDO_FN=longest_match
	HEAD_FN=longest_match
	HEAD_WANT=
	# zlib from Debian's binutils-source (the mirror has no orig
	# tarballs for apt-get source): its C files, extracted once.
	Z=$OUT/zlib
	ZSRC="adler32 compress crc32 deflate inffast inflate inftrees trees
	      zutil"
	if [ ! -f "$Z/zlib.h" ]; then
		rm -rf "$Z"
		mkdir -p "$Z"
		tar -xJf /usr/src/binutils/binutils-*.tar.xz -C "$Z" \
			--strip-components=2 --wildcards '*/zlib/*.[ch]'
	fi
	build() {	# OUTPUT [FLAGS...]
		o=$1
		shift
		set -- "$@" zdrv.c
		for f in $ZSRC; do
			set -- "$@" "$Z/$f.c"
		done
		# shellcheck disable=SC2086 # flag lists
		clang-16 $CFLAGS -Wno-deprecated-non-prototype -I"$Z" \
			$LDFLAGS -o "$o" "$@"
	}
elif [ "${1:-}" = objdump ]; then
	shift
	P=objdump
	SESS=$OUT/osess
	TRAIN_KIB=${1:-10}
	RUN_KIB=${2:-512}
	# Both inputs are static binaries linked at 0x400000, code from
	# 0x401000, generated here: the training one prog.c's (gcc's static
	# glibc and clang's prog), disassembled in the VM (copied there);
	# the measured one the plain objdump itself (clang's bfd, opcodes,
	# libiberty), code the profile never saw.
	TRAIN_IN=$OUT/objdump.train-input
	# shellcheck disable=SC2086 # flag lists
	clang-16 $CFLAGS $LDFLAGS -o "$TRAIN_IN" prog.c
	TRAIN_FILES=$TRAIN_IN
	range() {	# KIB: the first KIB KiB of the code
		printf -- '--start-address=0x401000 --stop-address=0x%x' \
			$((0x401000 + $1 * 1024))
	}
	TRAIN_ARGS="-d $(range "$TRAIN_KIB") $TRAIN_IN"
	RUN_ARGS="-d $(range "$RUN_KIB") $OUT/objdump"
	CG_ARGS="-d $(range $((RUN_KIB / 8))) $OUT/objdump"
	HOT="main disassemble_section print_insn putop OP_E OP_E_memory OP_G \
fetch_data i386_dis_printf objdump_sprintf objdump_styled_sprintf \
compare_symbols buffer_read_memory find_symbol_for_address \
objdump_print_addr_with_sym print_operand_value sanitize_string \
bfd_elf64_slurp_symbol_table"
	# glibc's printf core, 36% of the profile (objdump prints), has a
	# computed-goto jump table BOLT 16 cannot follow.
	BOLT_SKIPS=__vfprintf_internal
	AFDO_FN=print_insn
	HEAD_FN=print_insn
	HEAD_WANT=	# below: the plain build's count of instructions
	# binutils 2.40 from Debian's binutils-source, extracted once (no gas,
	# ld, gold, gprof, gprofng) and configured and built out of tree, once
	# per build (FLAGS and profile): a build directory each, kept.
	BU=$OUT/binutils
	if [ ! -f "$BU/binutils-2.40/configure" ]; then
		rm -rf "$BU"
		mkdir -p "$BU"
		tar -xJf /usr/src/binutils/binutils-2.40.tar.xz -C "$BU" \
			--exclude='*/gas' --exclude='*/ld' --exclude='*/gold' \
			--exclude='*/gprof' --exclude='*/gprofng' \
			--exclude='*/elfcpp'
		# The tarball's arlex.c is older than its arlex.l: make would
		# run flex.
		touch "$BU/binutils-2.40/binutils/arlex.c"
	fi
	build() {	# OUTPUT [FLAGS...]
		o=$1
		shift
		d=$BU/obj.${o##*/}
		key="$CFLAGS $*"
		for f in "$@"; do
			case $f in
			-fprofile-sample-use=*)
				key="$key $(sha256sum "${f#*=}" | cut -c1-16)" ;;
			esac
		done
		if [ "$(cat "$d/key" 2>/dev/null)" != "$key" ] ||
		   [ ! -x "$d/binutils/objdump" ]; then
			echo "building binutils ${o##*/} (minutes)"
			rm -rf "$d"
			mkdir -p "$d"
			# libtool drops -static from LDFLAGS and links
			# dynamically; -all-static is its word for it, which the
			# configure tests' plain clang would refuse: objdump is
			# linked again with it.
			# shellcheck disable=SC2086 # flag lists
			(cd "$d" && ../binutils-2.40/configure --disable-nls \
				--disable-gdb --disable-gprofng --disable-werror \
				--disable-shared --disable-plugins \
				--disable-libctf --without-zstd \
				--without-debuginfod --without-msgpack \
				CC=clang-16 CFLAGS="$CFLAGS $*" \
				LDFLAGS="$LDFLAGS" MAKEINFO=true &&
			 make -j2 all-binutils MAKEINFO=true &&
			 rm -f binutils/objdump &&
			 make -C binutils objdump \
				LDFLAGS="-all-static ${LDFLAGS#-static }") \
				>"$d.log" 2>&1 || { tail -20 "$d.log"; exit 1; }
			echo "$key" >"$d/key"
		fi
		cp "$d/binutils/objdump" "$o"
	}
else
	P=prog
	SESS=$OUT/sess
	TRAIN_N=${1:-100000}
	RUN_N=${2:-3000000}
	TRAIN_ARGS="1 $TRAIN_N"
	RUN_ARGS="7 $RUN_N"
	CG_ARGS="7 $((RUN_N / 10))"
	HOT="main run_vm"
	AFDO_FN=main
	HEAD_FN=run_vm
	# main calls run_vm once a round and again every 64th round.
	HEAD_WANT=$((TRAIN_N + (TRAIN_N + 63) / 64))
	build() {	# OUTPUT [FLAGS...]
		o=$1
		shift
		# shellcheck disable=SC2086 # flag lists
		clang-16 $CFLAGS "$@" $LDFLAGS -o "$o" prog.c
	}
fi
SAMPLE=${3:-1009}
build "$OUT/$P"
if [ "$P" = objdump ]; then
	# print_insn runs once a disassembled instruction: the lines of
	# objdump -d with a mnemonic (a continuation line of bytes has no
	# second tab).
	# shellcheck disable=SC2086 # argument list
	HEAD_WANT=$("$OUT/$P" $TRAIN_ARGS |
		grep -c "$(printf '^ *[0-9a-f]*:\t[^\t]*\t')")
fi

# The training trace, recorded again only when the binary or input changed.
# shellcheck disable=SC2086 # none or one file
key="$(cat "$OUT/$P" $TRAIN_FILES | sha256sum | cut -c1-16) $TRAIN_ARGS"
if [ "$(cat "$SESS.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$SESS"
	start=$(date +%s)
	# The soft backend single-steps under TCG at 0.1-0.3 M instructions/s
	# (docs/decoder.md): more than the VM's default 120 s a program.
	HWT_VM_PROG_TIMEOUT=900 HWT_VM_TIMEOUT=1200 \
	HWT_VM_RECORD_FILES="$TRAIN_FILES" \
	make -s -C "$ROOT" vm-record PROG="$OUT/$P" ARGS="$TRAIN_ARGS" \
		OUT="$SESS" >"$OUT/$P.record.log" 2>&1 ||
		{ tail -20 "$OUT/$P.record.log"; exit 1; }
	echo "recorded in the VM in $(($(date +%s) - start)) s"
	echo "$key" >"$SESS.key"
fi
"$H" decode -q "$SESS" -o "$OUT/$P.train.db" --force
# The exact profiles, and for comparison what perf inject --itrace=l /
# LBR sampling would give of the same run: a 32-branch stack at every
# SAMPLE-th taken branch.
"$H" export --bolt "$OUT/$P.fdata" "$OUT/$P.train.db" --binary "$P"
"$H" export --autofdo "$OUT/$P.afdo" "$OUT/$P.train.db" --binary "$P"
"$H" export --bolt "$OUT/$P.s.fdata" "$OUT/$P.train.db" --binary "$P" \
	--sample "$SAMPLE"
"$H" export --autofdo "$OUT/$P.s.afdo" "$OUT/$P.train.db" --binary "$P" \
	--sample "$SAMPLE"
echo "trace: $("$H" query "$OUT/$P.train.db" --csv \
	'SELECT SUM(insn_count) FROM streams' | tail -1) instructions;" \
	"exact: $(wc -l <"$OUT/$P.fdata") BOLT records," \
	"$(head -1 "$OUT/$P.afdo") AutoFDO ranges;" \
	"sampled every $SAMPLE taken branches: $(wc -l <"$OUT/$P.s.fdata")" \
	"BOLT records, $(head -1 "$OUT/$P.s.afdo") AutoFDO ranges"

mismatching() {	# BOLT_LOG: prints the percentage of mismatching traces
	sed -n 's/.*mismatching disassembled function contents: [0-9]* (\([0-9.]*\)%).*/\1/p' \
		"$1"
}
# fdata_filter keep|drop IN OUT NAME...: OUT is IN with only the records
# from the functions NAME... (keep) or without any record from or to them
# (drop).
fdata_filter() {
	python3 - "$OUT/$P" "$@" <<'PY'
import subprocess, sys
binary, mode, src, dst, names = sys.argv[1], sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5:]
fns = []
for l in subprocess.check_output(["nm", "-S", "--defined-only",
                                  binary]).decode().split("\n"):
    f = l.split()
    if len(f) == 4 and f[3] in names:
        fns.append((int(f[0], 16), int(f[0], 16) + int(f[1], 16)))
def inside(a):
    return any(lo <= a < hi for lo, hi in fns)
with open(dst, "w") as out:
    for l in open(src):
        a, b = int(l.split()[1], 16), int(l.split()[2], 16)
        if mode == "keep" and inside(a) or \
           mode == "drop" and not inside(a) and not inside(b):
            out.write(l)
PY
}

# optimize V: V "" the exact profiles, ".s" the sampled ones.
optimize() {
	v=$1
	llvm-bolt-16 "$OUT/$P" -o "$OUT/$P$v.bolt" --pa \
		-p "$OUT/$P$v.fdata" -reorder-blocks=ext-tsp \
		-reorder-functions=hfsort -split-functions -split-all-cold \
		-dyno-stats >"$OUT/$P.bolt$v.log" 2>&1 ||
		fail "bolt-runs$v" "$(tail -3 "$OUT/$P.bolt$v.log")"
	mis=$(mismatching "$OUT/$P.bolt$v.log")
	# The functions of BOLT_SKIPS BOLT gives up on (it says so): every
	# trace in them mismatches, whatever the profile.  The share of the
	# others is the check, from BOLT run again on the profile without
	# their records.
	rest=$mis
	why=
	if [ -n "$BOLT_SKIPS" ]; then
		# shellcheck disable=SC2086 # a list of names
		fdata_filter drop "$OUT/$P$v.fdata" "$OUT/$P$v.rest.fdata" \
			$BOLT_SKIPS
		llvm-bolt-16 "$OUT/$P" -o "$OUT/$P$v.rest.bolt" --pa -v=1 \
			-p "$OUT/$P$v.rest.fdata" >"$OUT/$P.bolt-rest$v.log" 2>&1 ||
			true
		rest=$(mismatching "$OUT/$P.bolt-rest$v.log")
		for f in $BOLT_SKIPS; do
			grep -q "failed to post-process indirect branches for $f\$" \
				"$OUT/$P.bolt-rest$v.log" ||
				fail "bolt-skips$v" "BOLT does not say it gives up on $f"
		done
		why=", all but $BOLT_SKIPS, which BOLT gives up on: $rest%"
	fi
	if grep -qiE "expected (B|end|hexadecimal)|malformed|parse" \
			"$OUT/$P.bolt$v.log"; then
		fail "bolt-reads-profile$v" "$(grep -iE "expected|malformed|parse" "$OUT/$P.bolt$v.log" | head -3)"
	elif [ -z "$rest" ] || [ "${rest%.*}" -ge 25 ]; then
		fail "bolt-traces-match$v" "mismatching ${mis:-?}%$why"
	else
		pass "bolt-reads-profile$v (traces mismatching its CFG: $mis%$why)"
	fi
	create_llvm_prof --profiler text --profile "$OUT/$P$v.afdo" \
		--binary "$OUT/$P" --out "$OUT/$P$v.prof" --format text \
		>"$OUT/$P.afdo$v.log" 2>&1 ||
		fail "create-llvm-prof$v" "$(tail -3 "$OUT/$P.afdo$v.log")"
	./afdo_names.py "$OUT/$P$v.prof" "$OUT/$P$v.fixed.prof"
	if grep -q "^$AFDO_FN:[0-9]*:" "$OUT/$P$v.prof"; then
		pass "create-llvm-prof-accepts$v"
	else
		fail "create-llvm-prof-accepts$v" "no $AFDO_FN in the profile"
	fi
	build "$OUT/$P$v.afdo-build" \
		-fprofile-sample-use="$OUT/$P$v.fixed.prof"
	# (c) llvm-profgen instead of create_llvm_prof.
	# shellcheck disable=SC2086 # no option or two words
	"$H" export --profgen "$OUT/$P$v.pg" "$OUT/$P.train.db" \
		--binary "$P" ${v:+--sample $SAMPLE}
	llvm-profgen-16 --unsymbolized-profile="$OUT/$P$v.pg" \
		--use-offset=0 --binary="$OUT/$P" --output="$OUT/$P$v.pg.prof" \
		--format=text >"$OUT/$P.profgen$v.log" 2>&1 ||
		fail "llvm-profgen$v" "$(tail -3 "$OUT/$P.profgen$v.log")"
	# Nothing but its density estimate (docs/pgo.md) on its output.
	other=$(grep -v "is estimated to optimize better with" \
		"$OUT/$P.profgen$v.log" | head -3)
	if [ -n "$other" ]; then
		fail "llvm-profgen-quiet$v" "$other"
	elif grep -q "^$AFDO_FN:[0-9]*:" "$OUT/$P$v.pg.prof"; then
		pass "llvm-profgen-accepts$v ($(grep -c '^[^ ]' "$OUT/$P$v.pg.prof") functions)"
	else
		fail "llvm-profgen-accepts$v" "no $AFDO_FN in the profile"
	fi
	# Two consumers of two files: the calls of HEAD_FN (direct calls
	# only, so simpleperf's indirect-to-0 does not matter) agree.
	if [ -z "$v" ]; then
		a=$(grep -a "^$HEAD_FN:" "$OUT/$P.prof" | cut -d: -f3)
		b=$(grep "^$HEAD_FN:" "$OUT/$P.pg.prof" | cut -d: -f3)
		if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" != 0 ] &&
		   [ "${HEAD_WANT:-$a}" = "$a" ]; then
			pass "profiles-agree ($HEAD_FN called $a times${HEAD_WANT:+, as the program does})"
		else
			fail profiles-agree "$HEAD_FN head samples: create_llvm_prof ${a:-none}, llvm-profgen ${b:-none}${HEAD_WANT:+, the program: $HEAD_WANT}"
		fi
	fi
	build "$OUT/$P$v.pg-build" -fprofile-sample-use="$OUT/$P$v.pg.prof"
}
optimize ""
optimize .s

# The records of the program's own hot functions (BOLT skips some of
# static glibc's hand-written assembly: those traces count as
# mismatching) must all match BOLT's CFG.
# shellcheck disable=SC2086 # a list of names
fdata_filter keep "$OUT/$P.fdata" "$OUT/$P.own.fdata" $HOT
llvm-bolt-16 "$OUT/$P" -o "$OUT/$P.own.bolt" --pa -p "$OUT/$P.own.fdata" \
	>"$OUT/$P.bolt-own.log" 2>&1 || true
own=$(sed -n 's/.*mismatching disassembled function contents: \([0-9]*\) .*/\1/p' \
	"$OUT/$P.bolt-own.log")
if [ "$own" = 0 ] && [ -s "$OUT/$P.own.fdata" ]; then
	pass "bolt-own-functions-match ($(wc -l <"$OUT/$P.own.fdata") records of $HOT: 0 traces mismatching)"
else
	fail bolt-own-functions-match "${own:-?} traces mismatching"
fi

BUILDS="$P $P.bolt $P.afdo-build $P.pg-build $P.s.bolt $P.s.afdo-build \
$P.s.pg-build"
# Same output on another input (objdump's: megabytes, compared as files).
# shellcheck disable=SC2086 # argument lists
"$OUT/$P" $RUN_ARGS >"$OUT/$P.want" 2>&1 || true
for b in $BUILDS; do
	[ "$b" = "$P" ] && continue
	# shellcheck disable=SC2086
	"$OUT/$b" $RUN_ARGS >"$OUT/$b.got" 2>&1 || true
	if cmp -s "$OUT/$b.got" "$OUT/$P.want"; then
		pass "same-output-$b ($(wc -l <"$OUT/$P.want") lines)"
	else
		fail "same-output-$b" "$(diff "$OUT/$P.want" "$OUT/$b.got" |
			head -4 | tr '\n' ' ')"
	fi
	rm -f "$OUT/$b.got"
done

# Measurements, on the other input.
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
set --
for b in $BUILDS; do
	set -- "$@" "$OUT/$b $RUN_ARGS"
done
hyperfine -N -w 3 -r 30 --export-json "$OUT/$P.hyperfine.json" "$@" \
	>"$OUT/$P.hyperfine.log" 2>&1
python3 - "$OUT/$P.hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bmin, bmed = r[0]["min"], r[0]["median"]
for x in r:
    print("wall %-17s min %.4f s (%.3fx)  median %.4f s (%.3fx)  mean %.4f +- %.4f" % (
        x["command"].split()[0].rsplit("/", 1)[-1], x["min"], bmin / x["min"],
        x["median"], bmed / x["median"], x["mean"], x["stddev"]))
PY
# hyperfine runs one command's runs after the other's, so load that comes
# and goes on a shared machine favours some: the same builds again,
# interleaved round by round, minimum of 30, wall and CPU (user + sys of
# the child: what waiting for a core on a loaded machine adds to the wall
# time is not in it).
# shellcheck disable=SC2086
python3 - "$OUT" "$RUN_ARGS" $BUILDS <<'PY'
import os, subprocess, sys, time
out, args, names = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
best = dict((b, 1e9) for b in names)
cpu = dict((b, 1e9) for b in names)
for _ in range(30):
    for b in names:
        t = time.perf_counter()
        p = subprocess.Popen(["%s/%s" % (out, b)] + args,
                             stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        best[b] = min(best[b], time.perf_counter() - t)
        cpu[b] = min(cpu[b], ru.ru_utime + ru.ru_stime)
        if status:
            sys.exit("%s failed: %d" % (b, status))
for b in names:
    print("interleaved %-17s min %.4f s (%.3fx)  cpu min %.4f s (%.3fx)" % (
        b, best[b], best[names[0]] / best[b], cpu[b], cpu[names[0]] / cpu[b]))
PY
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
cg() {	# command...: prints "I1_misses mispredicts instructions"
	valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
		--cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	awk '/ I1  misses:/ { gsub(",", "", $4); i = $4 }
	     / Mispredicts:/ { gsub(",", "", $3); m = $3 }
	     / I   refs:/ { gsub(",", "", $4); r = $4 }
	     END { print i, m, r }'
}
# The I1 misses again on an 8 KiB 2-way I1: a hot path bigger than the
# cache (zlib's is 8-16 KiB, the host's I1 32 KiB), what layout is for.
cg_small() {	# command...: prints the I1 misses
	valgrind --tool=cachegrind --cache-sim=yes --I1=8192,2,64 \
		--cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	awk '/ I1  misses:/ { gsub(",", "", $4); print $4 }'
}
base=
for b in $BUILDS; do
	# shellcheck disable=SC2046,SC2086 # four numbers; argument list
	set -- $(cg "$OUT/$b" $CG_ARGS) $(cg_small "$OUT/$b" $CG_ARGS)
	[ -z "$base" ] && base="$1 $2 $3 $4"
	# shellcheck disable=SC2086
	echo "$b $1 $2 $3 $4 $base" | awk '{
		printf "cachegrind %-17s I1 misses %9d (%.3f of plain)  8 KiB I1 %9d (%.3f)  mispredicts %10d (%.3f)  instructions %11d (%.3f)\n",
			$1, $2, $2 / ($6 ? $6 : 1), $5, $5 / ($9 ? $9 : 1),
			$3, $3 / ($7 ? $7 : 1), $4, $4 / ($8 ? $8 : 1) }'
done
[ "$fails" = 0 ]
