#!/bin/sh
# usage: bench/decode-pt/tables-md5.sh OUT [decode args...]
# Decodes each real-program trace of real.sh (cached under
# build/bench/decode-pt/real; run.sh --real records them) pinned to one
# core with $HWT (default build/bin/hwt) and the decode args given, and
# writes to OUT one line per table and view: trace, name, md5 of
# hwt query --csv "SELECT * FROM name".  sessions is left out (its
# created time differs every run).  Two OUT files of two builds compare
# with diff: a speed change must leave every line as it was.
set -e
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
HWT=${HWT:-$ROOT/build/bin/hwt}
REAL=$ROOT/build/bench/decode-pt/real
out=$1
shift
db=$(mktemp -u /tmp/hwt-tables-md5.XXXXXX).db
: >"$out"
for name in gzip perl sqlite; do
	d=$REAL/$name
	IMAGES=$(awk '{ printf "--elf %s:%s ", $1, $5 }' "$d/args")
	rm -f "$db"
	# shellcheck disable=SC2086
	taskset -c 0 "$HWT" decode -q "$@" --pt "$d/pt.bin" $IMAGES -o "$db"
	for t in $("$HWT" query --csv "$db" "SELECT name FROM sqlite_master
	    WHERE type IN ('table', 'view') AND name != 'sessions'
	    ORDER BY name" | tail -n +2); do
		echo "$name $t $("$HWT" query --csv "$db" "SELECT * FROM $t" |
			md5sum | cut -d' ' -f1)" >>"$out"
	done
done
rm -f "$db"
