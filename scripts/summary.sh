#!/bin/sh
# Prints the closing line of `make check` from the PASS:/FAIL: lines that
# every suite writes into $1/*.txt, and fails if anything failed or if no
# test ran at all.
dir=${1:?results dir}
cat "$dir"/*.txt 2>/dev/null | grep -E '^FAIL: ' | sed 's/^/  /'
pass=$(cat "$dir"/*.txt 2>/dev/null | grep -cE '^PASS: ')
fail=$(cat "$dir"/*.txt 2>/dev/null | grep -cE '^FAIL: ')
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
