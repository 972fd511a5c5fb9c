#!/bin/sh
# A snapshot with several trace buffers (OpenCSD's own ETE snapshots
# q_elem and friends have two): `hwt decode --snapshot` decodes the buffer
# trc_pkt_lister decodes without -src_name -- the first buffer section of
# trace.ini, whatever the order of buffers= -- and the same instructions;
# `--buffer NAME` the one named, `--buffer all` both.  Several buffers
# are often several sinks of one trace: decoding all by default counted
# its instructions twice.  The snapshot is juno-uname-002 with a second
# buffer (its own trace again, behind a second ETM device of trace ID
# 0x16), in both section orders.
# Env (from run.sh): HWT, ROOT.
: "${ROOT:=../..}"
: "${HWT:=$ROOT/build/bin/hwt}"
S=$ROOT/../shared/corpus/coresight/juno-uname-002
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
ok() { echo "PASS: $1"; }
ko() { echo "FAIL: $1"; }
if ! command -v trc_pkt_lister >/dev/null 2>&1; then
	ko "cs-buffers (no trc_pkt_lister: apt-get install libopencsd-bin)"
	exit 0
fi
# lister DIR [SRC]: instructions trc_pkt_lister decodes (sum of num_i)
# and the buffer it says it used.
lister() {
	rm -f "$T/l.ppl"
	(cd "$1" && trc_pkt_lister -ss_dir . -decode ${2:+-src_name "$2"} \
		-logfilename "$T/l.ppl" >/dev/null 2>&1)
	n=$(sed -n 's/.*INSTR_RANGE.*num_i(\([0-9]*\)).*/\1/p' "$T/l.ppl" |
		awk '{ s += $1 } END { print s + 0 }')
	echo "$n $(sed -n 's/^Using \([^ ]*\) as trace source.*/\1/p' \
		"$T/l.ppl" | head -n 1)"
}
hwtn() {	# DIR [--buffer X]: instructions hwt decodes
	rm -f "$T/h.db"
	"$HWT" decode -q --snapshot "$@" -o "$T/h.db" >"$T/h.log" 2>&1 &&
		"$HWT" query --csv "$T/h.db" "SELECT SUM(insn_count) FROM
			streams" | tail -n 1
}
for order in first second; do
	D=$T/$order
	cp -r "$S" "$D" && chmod -R u+w "$D"
	sed 's/^name=ETM_3$/name=ETM_3B/' "$D/device_9.ini" >"$D/device_12.ini"
	grep -q '^name=ETM_3B$' "$D/device_12.ini" ||
		{ ko "cs-buffers-$order (no ETM_3 device to copy)"; continue; }
	sed -i 's/^device11=device_11.ini$/&\ndevice12=device_12.ini/' \
		"$D/snapshot.ini"
	head -c 60000 "$D/trace.bin" >"$D/trace2.bin"
	b0='[buffer0]
name=ETB_0
file=trace.bin
format=coresight
'
	b1='[buffer1]
name=ETB_1
file=trace2.bin
format=coresight
'
	{
		printf '[trace_buffers]\nbuffers=buffer1,buffer0\n\n'
		if [ $order = first ]; then
			printf '%s\n%s\n' "$b0" "$b1"
		else
			printf '%s\n%s\n' "$b1" "$b0"
		fi
		printf '[source_buffers]\n'
		for i in 0 1 2 3 4 5; do printf 'ETM_%d=ETB_0\n' $i; done
		printf 'ETM_3B=ETB_1\n\n[core_trace_sources]\n'
		for i in 0 1 2 3 4 5; do printf 'cpu_%d=ETM_%d\n' $i $i; done
		printf 'cpu_3=ETM_3B\n'
	} >"$D/trace.ini"
	set -- $(lister "$D")
	want=$1 used=$2
	got=$(hwtn "$D")
	[ -n "$used" ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ] &&
		ok "cs-buffers-default-$order ($got instructions, $used as trc_pkt_lister)" ||
		ko "cs-buffers-default-$order (hwt $got, trc_pkt_lister $want from '$used'; $(tail -n 1 "$T/h.log"))"
	other=ETB_0
	[ "$used" = ETB_0 ] && other=ETB_1
	set -- $(lister "$D" "$other")
	want2=$1
	got=$(hwtn "$D" --buffer "$other")
	[ "$want2" -gt 0 ] && [ "$got" = "$want2" ] && [ "$want2" != "$want" ] &&
		ok "cs-buffers-named-$order ($got instructions from $other)" ||
		ko "cs-buffers-named-$order (hwt $got, trc_pkt_lister -src_name $other $want2)"
	got=$(hwtn "$D" --buffer all)
	[ "$got" = $((want + want2)) ] &&
		ok "cs-buffers-all-$order ($got = $want + $want2)" ||
		ko "cs-buffers-all-$order (hwt $got, want $want + $want2)"
done
"$HWT" decode -q --snapshot "$T/first" --buffer ETB_9 -o "$T/x.db" \
	>"$T/x.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "no trace buffer named 'ETB_9'" "$T/x.log" &&
	[ ! -e "$T/x.db" ] && ok "cs-buffers-unknown-refused" ||
	ko "cs-buffers-unknown-refused (exit $rc: $(cat "$T/x.log"))"
