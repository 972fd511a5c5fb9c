#!/bin/sh
# A thread-mode soft/PT session from a raw PT file and an ELF, for the
# decoder's tests, built by the store's own writer (store/tests/mksession.c).
#
# usage: mksession.sh DIR PT ELF VADDR TEXT_OFF TEXT_LEN [--chunks N]
#        [--lost-before SEQ:BYTES] [--bad-crc SEQ] [--tid TID]
: "${ROOT:=$(cd "$(dirname "$0")/../../.." && pwd)}"
MK=$ROOT/build/store/mksession
[ -x "$MK" ] || make -s -C "$ROOT/store" tools >&2 || exit 1
d=$1 pt=$2 elf=$3 vaddr=$4 toff=$5 tlen=$6
shift 6
chunks=3 tid=4242 extra=
while [ $# -gt 1 ]; do
	case $1 in
	--chunks) chunks=$2 ;;
	--tid) tid=$2 ;;
	--lost-before) extra="$extra --lost-before 0:$2" ;;
	--bad-crc) extra="$extra --bad-crc 0:$2" ;;
	*) echo "mksession.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done
case $elf in /*) ;; *) elf=$(pwd)/$elf ;; esac
# shellcheck disable=SC2086 # $extra: option pairs
exec "$MK" "$d" --meta backend=soft --meta mode=thread --meta arch=x86_64 \
	--meta target_pid="$tid" --stream "0:intel_pt:tid=$tid" \
	--param 0:cpu=0/0/0 $extra --data "0:$pt:/$chunks" \
	--mmap "$vaddr:$tlen:$toff:$elf:$tid"
