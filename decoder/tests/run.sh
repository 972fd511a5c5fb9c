#!/bin/sh
# Runs the decoder's unit test binaries (each prints PASS:/FAIL: lines) and
# the shell acceptance tests; appends every verdict to $RESULTS.
# Env: HWT (the binary), BUILD, RESULTS, ROOT.
cd "$(dirname "$0")" || exit 1
: "${RESULTS:=../../build/results/decoder.txt}"
mkdir -p "$(dirname "$RESULTS")"
export HWT PTGEN BUILD ROOT
# hwt decode's DWARF cache under the build, not the user's (every test
# then decodes through it: cold in the first, warm in the later ones).
XDG_CACHE_HOME=$(cd "${BUILD:-../../build/decoder}" && pwd)/xdg-cache
export XDG_CACHE_HOME
fail=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP): ' | tee -a "$RESULTS"
	printf '%s\n' "$out" | grep -q '^FAIL: ' && fail=1
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL: '; then
		echo "FAIL: $(basename "$t") (exit $rc)" | tee -a "$RESULTS"
		printf '%s\n' "$out" | tail -5
		fail=1
	fi
done
for s in ./*.sh; do
	[ "$s" = ./run.sh ] && continue
	out=$(sh "$s" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL|SKIP): ' | tee -a "$RESULTS"
	printf '%s\n' "$out" | grep -q '^FAIL: ' && fail=1
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^FAIL: '; then
		echo "FAIL: $(basename "$s") (exit $rc)" | tee -a "$RESULTS"
		fail=1
	fi
done
exit $fail
