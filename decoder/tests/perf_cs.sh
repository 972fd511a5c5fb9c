#!/bin/sh
# perf.data with CoreSight trace (simpleperf's files in the corpus):
# `hwt decode FILE.data` (by its magic) and `--perf-data FILE`, binaries
# by build id (--buildid-dir) or --symfs; per CPU, `hwt replay --format
# addr` must equal `perf script --itrace=i1i -F cpu,ip` on the same file
# (perf given the binary through --symfs, --kallsyms=/dev/null; the
# stored count is checked too when perf is not installed).  The file
# whose AUX data is missing decodes with the gaps recorded, exit 0; a cut
# file decodes what comes before the cut.  perf's branch samples
# (--itrace=b) against hwt's taken edges and calls (function_stats).
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
C=$ROOT/../shared/corpus/coresight/simpleperf-etm
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $1"; [ -n "$2" ] && echo "  $2"; }

if [ ! -f "$C/perf_etm.data" ] || [ ! -f "$C/etm_test_loop" ]; then
	fail perf-cs-corpus "no corpus at $C"
	exit 1
fi
BIN=/data/local/tmp/etm_test_loop
BID=0c9a20bf9c009d0e4e8bbf9fad0300ae
# A build-id cache as perf lays it out, and a symfs, both pointing at
# the corpus binary (never copied into the repository).
mkdir -p "$T/bid/0c/${BID#0c}" "$T/symfs${BIN%/*}"
ln -s "$C/etm_test_loop" "$T/bid/0c/${BID#0c}/elf"
ln -s "$C/etm_test_loop" "$T/symfs$BIN"

# replay_cpu DB CPU: the addresses, without leading zeros (perf's form).
replay_cpu() {
	"$HWT" replay "$1" --stream "$2" --format addr |
		grep -E '^[0-9a-f]{16}$' | sed 's/^0*//'
}

# 1. By magic, binary by build id.
if ! "$HWT" decode -q "$C/perf_etm.data" --buildid-dir "$T/bid" \
		-o "$T/bid.db" 2> "$T/err"; then
	fail perf-cs-decode-by-magic "$(cat "$T/err")"
else
	echo "PASS: perf-cs-decode-by-magic"
fi
# 1b. The same file rewritten in pipe mode (mkpipe.py: HEADER_ATTR and
# HEADER_BUILD_ID records, then the records): the same decode.
python3 ./mkpipe.py "$C/perf_etm.data" "$T/etm.pipe" &&
"$HWT" decode -q "$T/etm.pipe" --buildid-dir "$T/bid" -o "$T/pipe.db" \
	2> "$T/err" || fail perf-cs-pipe-decode "$(cat "$T/err")"

# 2. --perf-data, binary through --symfs (no build-id cache).
if ! "$HWT" decode -q --perf-data "$C/perf_etm.data" --symfs "$T/symfs" \
		--buildid-dir "$T/none" -o "$T/symfs.db" 2> "$T/err"; then
	fail perf-cs-decode-symfs "$(cat "$T/err")"
fi

# 3. The reference: perf script, per CPU.
if command -v perf > /dev/null 2>&1; then
	perf script -i "$C/perf_etm.data" --itrace=i1i -F cpu,ip \
		--kallsyms=/dev/null --symfs="$T/symfs" > "$T/perf" 2> /dev/null
	cpus=$(sed -n 's/^ *\[0*\([0-9][0-9]*\)\].*/\1/p' "$T/perf" | sort -un)
	[ -n "$cpus" ] || fail perf-cs-vs-perf-script "perf decoded nothing"
	for cpu in $cpus; do
		awk -v c="$cpu" '{ g = $1; gsub(/[][]/, "", g);
			if (g + 0 == c) print $2 }' "$T/perf" > "$T/want.$cpu"
		for db in bid symfs pipe; do
			replay_cpu "$T/$db.db" "$cpu" > "$T/got"
			if cmp -s "$T/want.$cpu" "$T/got"; then
				echo "PASS: perf-cs-vs-perf-script-$db-cpu$cpu ($(wc -l < "$T/got") insns)"
			else
				fail "perf-cs-vs-perf-script-$db-cpu$cpu" "perf $(wc -l < "$T/want.$cpu"), hwt $(wc -l < "$T/got"): $(cmp "$T/want.$cpu" "$T/got" 2>&1 | head -1)"
			fi
		done
	done
	# 3b. perf's branch samples (--itrace=b; "tr strt"/"tr end" are
	# trace on/off, not branches): every taken branch FROM -> TO with its
	# count equals hwt's taken edges that no break cut (the last
	# instruction of from_block -> to_block), and perf's calls (flags
	# "call") by target equal hwt's calls entered by a call instruction
	# (flags without 1 "no call seen" and 4 "entered by a jump"), each
	# at its symbol's start or, unnamed, its call path's address.
	perf script -i "$C/perf_etm.data" --itrace=b -F flags,ip,addr \
		--kallsyms=/dev/null --symfs="$T/symfs" 2> /dev/null \
		> "$T/perf.all"
	grep -v 'tr strt\|tr end' "$T/perf.all" > "$T/perf.b"
	awk '{ print $(NF - 2), $NF }' "$T/perf.b" | sort | uniq -c |
		awk '{ print $2, $3, $1 }' > "$T/want.b"
	awk '$1 == "call" { print $(NF) }' "$T/perf.b" | sort | uniq -c |
		awk '{ print $2, $1 }' > "$T/want.calls"
	for db in bid pipe; do
		"$HWT" query --csv "$T/$db.db" "SELECT printf('%x %x',
			f.end_ip, t.ip) AS k, sum(e.count) FROM edges e JOIN blocks
			f ON f.id = e.from_block JOIN blocks t ON
			t.id = e.to_block WHERE e.flags = 1 GROUP BY 1" |
			tail -n +2 | tr -d '"' | tr , ' ' | sort > "$T/got.b"
		"$HWT" query --csv "$T/$db.db" "SELECT printf('%x',
			CASE WHEN p.symbol_id = 0 THEN p.ip ELSE s.sym_start
			END) AS k, count(*) FROM calls c JOIN call_paths p ON
			p.id = c.call_path_id LEFT JOIN symbols s ON
			s.id = p.symbol_id WHERE (c.flags & 5) = 0 GROUP BY 1" |
			tail -n +2 | tr -d '"' | tr , ' ' | sort > "$T/got.calls"
		if [ -s "$T/want.b" ] && cmp -s "$T/want.b" "$T/got.b"; then
			echo "PASS: perf-cs-branches-vs-perf-script-$db ($(wc -l < "$T/got.b") branches, $(awk '{ n += $3 } END { print n }' "$T/got.b") taken)"
		else
			fail "perf-cs-branches-vs-perf-script-$db" "perf $(wc -l < "$T/want.b") branches, hwt $(wc -l < "$T/got.b"): $(diff "$T/want.b" "$T/got.b" | head -3 | tr '\n' ' ')"
		fi
		# function_stats: every frame, also those a jump or the
		# trace's start began (perf_entries.py's rule on perf's
		# branch samples).
		"$HWT" query --csv "$T/$db.db" "SELECT name, sym_start,
			sym_end FROM symbols WHERE id > 0" | tail -n +2 |
			tr -d '"' > "$T/syms.csv"
		grep -v 'tr end' "$T/perf.all" |
			python3 ./perf_entries.py /dev/stdin "$T/syms.csv" \
			> "$T/want.fs"
		"$HWT" query --csv "$T/$db.db" "SELECT name, calls FROM
			function_stats ORDER BY name" | tail -n +2 |
			tr -d '"' | LC_ALL=C sort > "$T/got.fs"
		LC_ALL=C sort -o "$T/want.fs" "$T/want.fs"
		if [ -s "$T/want.fs" ] && cmp -s "$T/want.fs" "$T/got.fs"; then
			echo "PASS: perf-cs-function-stats-vs-perf-script-$db ($(tr '\n' ' ' < "$T/got.fs"))"
		else
			fail "perf-cs-function-stats-vs-perf-script-$db" "perf: $(tr '\n' ' ' < "$T/want.fs"); hwt: $(tr '\n' ' ' < "$T/got.fs")"
		fi
		if [ -s "$T/want.calls" ] &&
			cmp -s "$T/want.calls" "$T/got.calls"; then
			echo "PASS: perf-cs-calls-vs-perf-script-$db ($(tr '\n' ' ' < "$T/got.calls"))"
		else
			fail "perf-cs-calls-vs-perf-script-$db" "perf: $(tr '\n' ' ' < "$T/want.calls"); hwt: $(tr '\n' ' ' < "$T/got.calls")"
		fi
	done
else
	echo "perf not installed: the stored count only"
fi
# 4. cs_etm AUXTRACE_INFO version 2 (perf 6.1+ with dynamic trace IDs):
# mkv2.py rewrites the file with every metadata trace ID marked unused
# (bit 31) and wrong (0x20 + CPU), and the real one in an
# AUX_OUTPUT_HW_ID record before each CPU's first AUX record.  perf 6.1
# reads no version 2 ("Unknown Header Version"), so the reference is its
# decode of the version 1 file: the same trace.
python3 ./mkv2.py "$C/perf_etm.data" "$T/etm.v2" &&
"$HWT" decode -q "$T/etm.v2" --buildid-dir "$T/bid" -o "$T/v2.db" \
	2> "$T/err" || fail perf-cs-v2-decode "$(cat "$T/err")"
if [ -s "$T/want.7" ]; then
	replay_cpu "$T/v2.db" 7 > "$T/got"
	if [ -s "$T/got" ] && cmp -s "$T/want.7" "$T/got"; then
		echo "PASS: perf-cs-v2-hw-id-vs-perf-script-cpu7 ($(wc -l < "$T/got") insns)"
	else
		fail perf-cs-v2-hw-id-vs-perf-script-cpu7 "perf (v1 file) $(wc -l < "$T/want.7"), hwt (v2) $(wc -l < "$T/got")"
	fi
fi
id=$("$HWT" query --csv "$T/v2.db" "SELECT trace_id FROM streams WHERE id = 7" |
	tail -1)
[ "$id" = 30 ] && echo "PASS: perf-cs-v2-trace-id-from-hw-id (0x1e)" ||
	fail perf-cs-v2-trace-id-from-hw-id "trace_id $id, want 30 (0x1e)"
# perf 6.1 decodes 944 instructions on CPU 7 (checked when written).
n=$(replay_cpu "$T/bid.db" 7 | wc -l)
if [ "$n" -eq 944 ] && [ "$(replay_cpu "$T/bid.db" 7 | head -1)" = 582b2b1000 ]; then
	echo "PASS: perf-cs-count-cpu7"
else
	fail perf-cs-count-cpu7 "$n instructions, 944 expected"
fi

# 4. Missing binaries are gaps naming path and build id; [vdso] never
# taken from this host.
g=$("$HWT" query --csv "$T/bid.db" "SELECT count(*) FROM errors WHERE
	message LIKE '%/system/lib64/libc++.so (build id 038d4ab0b4ef91c520d94f73693c8c14%not found%'")
v=$("$HWT" query --csv "$T/bid.db" "SELECT count(*) FROM errors WHERE
	message LIKE '[vdso]%not decoded%'")
if [ "$(echo "$g" | tail -1)" -ge 1 ] && [ "$(echo "$v" | tail -1)" -ge 1 ]; then
	echo "PASS: perf-cs-missing-binary-gap"
else
	fail perf-cs-missing-binary-gap "libc++ gaps: $g; vdso: $v"
fi
# without_binary NAME DECODE-OPTIONS...: no instruction of etm_test_loop
# decoded, a gap naming its path and build id.
without_binary() {
	name=$1; shift
	"$HWT" decode -q "$C/perf_etm.data" --buildid-dir "$T/none" "$@" \
		-o "$T/$name.db" 2> /dev/null
	n=$("$HWT" query --csv "$T/$name.db" "SELECT count(*) FROM errors
		WHERE message LIKE '%$BIN (build id $BID%not found%'" | tail -1)
	if [ "$n" -ge 1 ] && [ "$(replay_cpu "$T/$name.db" 7 | wc -l)" -eq 0 ]
	then
		echo "PASS: perf-cs-$name"
	else
		fail "perf-cs-$name" "gaps naming $BIN: $n"
	fi
}
without_binary no-binary
# A file at the recorded path whose build id differs is refused.
mkdir -p "$T/wrong${BIN%/*}"
ln -s "$(command -v sh)" "$T/wrong$BIN"
without_binary build-id-mismatch --symfs "$T/wrong"

# 5. Missing AUX data: exit 0, gaps recorded.
if "$HWT" decode -q "$C/perf_with_missing_aux_data.data" -o "$T/miss.db" \
		2> "$T/err"; then
	n=$("$HWT" query --csv "$T/miss.db" "SELECT count(*) FROM errors WHERE
		message LIKE 'AUX data of CPU % not in the file%'" | tail -1)
	if [ "$n" -eq 6 ]; then
		echo "PASS: perf-cs-missing-aux-data"
	else
		fail perf-cs-missing-aux-data "$n gaps, 6 expected (one per AUX record)"
	fi
else
	fail perf-cs-missing-aux-data "exit $?: $(cat "$T/err")"
fi

# 6. A cut file: the records before the cut decode, the cut is an error
# row naming the record and its offset.
head -c $((0x26a8 + 0x30 + 0x100)) "$C/perf_etm.data" > "$T/cut.data"
if "$HWT" decode -q "$T/cut.data" --buildid-dir "$T/bid" -o "$T/cut.db" \
		2> "$T/err"; then
	m=$("$HWT" query --csv "$T/cut.db" "SELECT count(*) FROM errors WHERE
		message LIKE '%PERF_RECORD_AUXTRACE at file offset 0x26a8%'" | tail -1)
	if [ "$m" -ge 1 ]; then
		echo "PASS: perf-cs-cut-file"
	else
		fail perf-cs-cut-file "no error row naming the AUXTRACE at 0x26a8"
	fi
else
	fail perf-cs-cut-file "exit $?: $(cat "$T/err")"
fi
# Not perf.data at all / a damaged header: a clear error, exit 1.
printf 'PERFILE2\150\0\0\0\0\0\0\0' > "$T/bad.data"
if "$HWT" decode -q --perf-data "$T/bad.data" -o "$T/bad.db" 2> "$T/err"; then
	fail perf-cs-bad-header "exit 0"
elif grep -q 'file header' "$T/err"; then
	echo "PASS: perf-cs-bad-header"
else
	fail perf-cs-bad-header "$(cat "$T/err")"
fi
