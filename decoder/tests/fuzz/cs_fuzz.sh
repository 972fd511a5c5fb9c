#!/bin/sh
# Builds and runs the CoreSight libFuzzer target (snapshot .ini parsing +
# OpenCSD decode) for FUZZ_TIME seconds (default 60).  Seeds are made from
# the corpus snapshot juno-uname-002.  Usage (from decoder/):
#   sh tests/fuzz/cs_fuzz.sh [SECONDS]
set -e
cd "$(dirname "$0")/../.."
T=${1:-${FUZZ_TIME:-60}}
B=../build/decoder/csfuzz
C=../../shared/corpus/coresight/juno-uname-002
mkdir -p "$B/obj" "$B/corpus"
for s in src/*.c ../store/store_io.c ../store/store_reader.c; do
	o="$B/obj/$(basename "$s" .c).o"
	[ "$o" -nt "$s" ] || clang -O1 -g -std=gnu11 \
		-fsanitize=fuzzer-no-link,address,undefined -Iinclude -Isrc \
		-I../store -I../common \
		-c -o "$o" "$s"
done
clang -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -I../store -I../common \
	-o "$B/cs_fuzz" tests/fuzz/cs_fuzz.c "$B"/obj/*.o \
	-lipt -lelf -ldwarf -lcapstone -lZydis -lsqlite3 -lz -lopencsd_c_api \
	-lopencsd -lstdc++ -lpthread
# Seed: juno-uname-002's ETM 0x16 (renamed) with code.bin at 0x400000.
seed="$B/corpus/seed-uname"
{
	printf '[snapshot]\nversion=1.0\n[device_list]\ndevice0=cpu_0.ini\ndevice1=device_0.ini\n[trace]\nmetadata=trace.ini\n'
	printf '\n%%%%\n'
	printf '[trace_buffers]\nbuffers=buffer0\n[buffer0]\nname=ETB_0\nfile=trace.bin\nformat=coresight\n[source_buffers]\nETM_3=ETB_0\n[core_trace_sources]\ncpu_3=ETM_3\n'
	printf '\n%%%%\n'
	sed 's/ETM_0/ETM_3/; s/0x00000010/0x00000016/' "$C/device_6.ini"
	printf '\n%%%%\n'
	printf '[device]\nname=cpu_3\nclass=core\ntype=Cortex-A53\n[dump1]\nfile=code.bin\naddress=0x7f8e58f000\nlength=0x1000\n'
	printf '\n%%%%\n'
	head -c 8192 "$C/trace.bin"
} > "$seed"
# allow_user_segv_handler: the decode child resets SIGSEGV to the default
# (OpenCSD 1.3.3 crashes on some corrupt trace; the parent records a gap).
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
ASAN_OPTIONS=detect_leaks=0:allow_user_segv_handler=1 "$B/cs_fuzz" \
	-max_total_time="$T" -max_len=16384 -timeout=20 \
	-artifact_prefix="$B/" "$B/corpus"
