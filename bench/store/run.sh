#!/bin/sh
# bench/store: trace-store throughput with the null backend, in the test VM
# (one command).  Builds bench_store statically, boots the VM with it as an
# extra program, and prints its BENCH: lines.  See bench_store.c.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/bench-store
mkdir -p "$out"
gcc -static -O2 -Wall -Wextra -Werror -I "$root/include" \
	-o "$out/bench_store" "$here/bench_store.c" || exit 1
make -s -C "$root/hwtd" vm >/dev/null || exit 1
# The writer alone, on the host (its storage, native speed).
gcc -O2 -I "$root/include" -I "$root/common" -I "$root/store" \
	-o "$out/host_store" "$here/host_store.c" "$root/store/store.c" \
	"$root/store/store_io.c" -lsqlite3 -lz || exit 1
"$out/host_store" "$out/host-session"
HWT_RESULTS=$out/results HWT_VM_MEM=${HWT_VM_MEM:-2048} \
	VM_EXTRA="$out/bench_store" "$root/tests/vm/run.sh" x86_64 \
	>"$out/vm.log" 2>&1
rc=$?
grep -a 'BENCH: ' "$root/build/vm-x86_64/console.log" | sed 's/^.*BENCH: /BENCH: /' |
	tr -d '\r'
grep -E '^(PASS|FAIL): .*bench' "$out/vm.log"
[ $rc = 0 ] || echo "bench/store: VM run had failures (see $out/vm.log)"
