#!/bin/sh
# Builds and runs the perf.data reader's libFuzzer target (ASan, UBSan)
# for FUZZ_TIME seconds (default 60), seeded with the corpus' perf.data
# files (CoreSight and Intel PT).  Usage (from decoder/):
#   sh tests/fuzz/perf_fuzz.sh [SECONDS]
set -e
cd "$(dirname "$0")/../.."
T=${1:-${FUZZ_TIME:-60}}
B=../build/decoder/perffuzz
C=../../shared/corpus
mkdir -p "$B/corpus"
clang -O1 -g -std=gnu11 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Iinclude -Isrc -I../store -I../common \
	-o "$B/perf_fuzz" tests/fuzz/perf_fuzz.c src/perf/perf_file.c \
	src/perf/perf_cs.c src/perf/perf_pt.c src/perf/perf_sideband.c \
	src/perf/perf_time.c src/db/sideband.c src/core/util.c \
	../store/store_io.c -lsqlite3
cp "$C/coresight/simpleperf-etm/perf_etm.data" "$B/corpus/seed-etm"
cp "$C/intel_pt/perf-intel_pt-4.14/perf.data.intel_pt-4.14" "$B/corpus/seed-pt"
chmod u+w "$B"/corpus/seed-*
"$B/perf_fuzz" -max_total_time="$T" -max_len=200000 -print_final_stats=1 \
	"$B/corpus"
