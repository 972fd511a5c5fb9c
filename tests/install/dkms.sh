#!/bin/sh
# make check-dkms: the DKMS tree make install ships builds the modules
# with dkms itself, against the newest Debian kernel with headers here
# (the VM harness's kernel; HWT_VM_KVER overrides), in a private dkms tree
# (nothing under /var/lib/dkms or /usr/src is touched).  Needs the dkms
# package (installed if missing).  PASS:/FAIL: lines.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
results=${HWT_RESULTS:-$root/build/results}/dkms.txt
mkdir -p "$(dirname "$results")"
res() { echo "$1" | tee -a "$results"; }
command -v dkms >/dev/null || {
	apt-get update -qq && apt-get install -y -qq dkms >/dev/null
} || { res "FAIL: dkms (cannot install the dkms package)"; exit 1; }
kver=${HWT_VM_KVER:-}
[ -n "$kver" ] || for v in $(ls /boot | sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' |
	sort -rV); do
	[ -e "/lib/modules/$v/build/Makefile" ] && { kver=$v; break; }
done
[ -n "$kver" ] || { res "FAIL: dkms (no kernel with headers)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
v=$(cat "$root/VERSION")
DESTDIR=$T/stage PREFIX=/usr DKMSDIR=/usr/src "$root/scripts/install.sh" \
	install >/dev/null || { res "FAIL: dkms/install"; exit 1; }
mkdir -p "$T/tree"
if ! dkms build --sourcetree "$T/stage/usr/src" --dkmstree "$T/tree" \
	"hwt/$v" -k "$kver" >"$T/build.log" 2>&1; then
	res "FAIL: dkms/build ($kver; $(tail -n 2 "$T/build.log" | head -n 1))"
	exit 1
fi
bad=0
for m in hwt hwt_soft hwt_intel_pt; do
	ko=$T/tree/hwt/$v/$kver/$(uname -m)/module/$m.ko
	[ -f "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver " || bad=1
done
[ $bad = 0 ] && res "PASS: dkms/build (hwt, hwt_soft, hwt_intel_pt for $kver)" ||
	res "FAIL: dkms/build (a module is missing or not for $kver)"
[ $bad = 0 ]
