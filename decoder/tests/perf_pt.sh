#!/bin/sh
# perf.data with Intel PT (perf 4.14's file in the corpus; its binaries,
# from a ChromiumOS machine, are not): every AUXTRACE buffer (CPU 0, CPU
# 3) goes through the Intel PT front end: one stream per CPU with libipt's
# errors at offsets inside it, each missing binary a gap naming its path
# and build id, [vdso] never this host's, exit 0.  perf 6.1 decodes no
# instruction of it either (it reports "Failed to get instruction").
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
F=$ROOT/../shared/corpus/intel_pt/perf-intel_pt-4.14/perf.data.intel_pt-4.14
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $1"; [ -n "$2" ] && echo "  $2"; }
q() { "$HWT" query --csv "$T/pt.db" "$1" | tail -1 | tr -d '"'; }

if [ ! -f "$F" ]; then
	fail perf-pt-corpus "no corpus at $F"
	exit 1
fi
if ! "$HWT" decode -q "$F" --buildid-dir "$T/none" -o "$T/pt.db" \
		2> "$T/err"; then
	fail perf-pt-decode "exit $?: $(cat "$T/err")"
	exit 1
fi
s=$(q "SELECT group_concat(id || ':' || cpu || ':' || tid) FROM
	(SELECT * FROM streams ORDER BY id)")
if [ "$s" = "0:0:3174,3:3:3174" ]; then
	echo "PASS: perf-pt-one-stream-per-cpu"
else
	fail perf-pt-one-stream-per-cpu "streams (id:cpu:tid) $s, expected 0:0:3174,3:3:3174"
fi
# libipt ran over each buffer (0x2fd0 and 0x21a00 bytes): errors inside.
n0=$(q "SELECT max(offset) FROM errors WHERE stream_id = 0 AND
	message = 'no memory mapped at this address'")
n3=$(q "SELECT max(offset) FROM errors WHERE stream_id = 3 AND
	message = 'no memory mapped at this address'")
if [ "${n0:-0}" -gt 0 ] && [ "${n3:-0}" -gt 65536 ]; then
	echo "PASS: perf-pt-every-buffer-decoded"
else
	fail perf-pt-every-buffer-decoded "last libipt error offsets: cpu0 $n0, cpu3 $n3"
fi
g=$(q "SELECT count(*) FROM errors WHERE message LIKE
	'binary /lib64/libc-2.23.so (build id 93fdba25fc55b597068e81c42f82e7766da372cb)%not found%'")
v=$(q "SELECT count(*) FROM errors WHERE message LIKE '[vdso]%not decoded%'")
if [ "$g" -eq 2 ] && [ "$v" -eq 2 ]; then
	echo "PASS: perf-pt-missing-binary-gaps"
else
	fail perf-pt-missing-binary-gaps "libc gaps $g, [vdso] $v (2 streams each)"
fi
# Pipe mode (mkpipe.py): the same streams and errors as the file.
if python3 ./mkpipe.py "$F" "$T/pt.pipe" &&
	"$HWT" decode -q "$T/pt.pipe" --buildid-dir "$T/none" -o "$T/pipe.db" \
		2> "$T/err"; then
	for db in pt pipe; do
		"$HWT" query --csv "$T/$db.db" "SELECT s.id, s.cpu, s.tid,
			e.offset, e.message FROM streams s JOIN errors e ON
			e.stream_id = s.id ORDER BY 1, 4, 5" > "$T/$db.rows"
	done
	if cmp -s "$T/pt.rows" "$T/pipe.rows" && [ -s "$T/pt.rows" ]; then
		echo "PASS: perf-pt-pipe-mode ($(wc -l < "$T/pt.rows") rows)"
	else
		fail perf-pt-pipe-mode "$(diff "$T/pt.rows" "$T/pipe.rows" | head -3)"
	fi
else
	fail perf-pt-pipe-mode "exit $?: $(cat "$T/err")"
fi

# Per-CPU buffers split between threads by the sideband (SWITCH_CPU_WIDE
# and ITRACE_START in perf's time, TIP.PGE the switch point): the threads
# perf 6.1 attributes its trace errors to on each CPU (perf script
# --itrace=e) are the threads of our streams with errors on that CPU
# (the file's other threads, 1760, 118, ..., ran while the traced one was
# switched out: none of them gets trace).
if command -v perf > /dev/null; then
	perf script -i "$F" --itrace=e --kallsyms=/dev/null 2> /dev/null |
		sed -n 's/.*trace error.* cpu \([0-9]*\) pid [0-9-]* tid \([0-9-]*\).*/\1:\2/p' |
		sort -u | tr '\n' ' ' > "$T/perf.tids"
	q "SELECT group_concat(c, ' ') FROM (SELECT DISTINCT s.cpu || ':' ||
		s.tid AS c FROM errors e JOIN streams s ON s.id = e.stream_id
		ORDER BY 1)" > "$T/hwt.tids"
	if [ -s "$T/perf.tids" ] &&
		[ "$(cat "$T/perf.tids")" = "$(cat "$T/hwt.tids") " ]; then
		echo "PASS: perf-pt-error-threads-as-perf ($(cat "$T/hwt.tids"))"
	else
		fail perf-pt-error-threads-as-perf "perf $(cat "$T/perf.tids"), hwt $(cat "$T/hwt.tids")"
	fi
fi
