#!/bin/sh
# hwt VM tests: boot Debian's own kernel under QEMU TCG with our modules and
# the programs of tests/vm/guest/ (plus $VM_EXTRA) in an initramfs, and turn
# what comes back into PASS:/FAIL: lines.  See docs/testing.md.
#
# usage: tests/vm/run.sh x86_64|arm64
#
# Environment: HWT_RESULTS (results dir), VM_EXTRA (more static programs to
# run in the guest), HWT_VM_TIMEOUT (whole VM, s), HWT_VM_PROG_TIMEOUT (per
# program, s; default 240), HWT_VM_SMP, HWT_VM_MEM (MiB), HWT_VM_KVER (kernel
# release; default: newest installed amd64 kernel with headers), HWT_VM_CPU
# (arm64 QEMU CPU model; default cortex-a57, e.g. max: PAC, BTI, LSE),
# HWT_VM_JOBS; record mode (make vm-record): HWT_VM_RECORD_PROG, _ARGS, _OUT,
# _OPTS, HWT_VM_RECORD_VIA (the recorders, in turn: "collect", hwt-collect,
# the default, into _OUT; "hwtd", `hwt record` through hwtd, into _OUT-hwtd;
# both: "collect hwtd"), HWT_VM_RECORD_GT (a ground-truth program the guest
# runs first as GT OUTDIR PROG ARGS: OUTDIR comes back as each session's gt/),
# HWT_VM_RECORD_FILES (files the program opens itself, copied to
# the same absolute paths), and HWT_VM_PT_EMU (a CPU row of the emulated
# Intel PT unit, backends/intel_pt/tests/pt_cpus.h: loaded before
# hwt_intel_pt so that `-b intel_pt` records through it).  A separate boot
# (tests/e2e/cs_mmio.sh): HWT_VM_DTB (arm64: the device tree QEMU hands
# the guest, -dtb), HWT_VM_APPEND (more kernel parameters), HWT_VM_GUEST
# (when set, only these tests/vm/guest programs, by name; empty: none,
# so that VM_EXTRA's run alone, and no host-side halves), HWT_VM_KMODS
# (Debian modules, by name, shipped in /lib/hwt/kmods for a guest test
# to load itself).  Booting with ACPI (tests/e2e/cs_acpi.sh): HWT_VM_FIRMWARE
# (arm64: a UEFI image QEMU runs, -bios, e.g. qemu-efi-aarch64's
# QEMU_EFI.fd; it hands the kernel QEMU's ACPI tables and no device tree)
# and HWT_VM_ACPI_TABLES (compiled tables, .aml, added at boot by the
# kernel's initrd table upgrade, CONFIG_ACPI_TABLE_UPGRADE: an uncompressed
# cpio of kernel/firmware/acpi/NAME.aml before the initramfs).
set -u

arch=${1:-x86_64}
case $arch in
x86_64) ;;
arm64 | aarch64) arch=arm64 ;;
*) echo "usage: $0 x86_64|arm64" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=$root/build/vm-$arch
A=vm-$arch
res_dir=${HWT_RESULTS:-$root/build/results}
mkdir -p "$B" "$res_dir" || exit 1
res_file=$res_dir/vm-$arch.txt
# Two runs for one arch would share $B: take turns.
exec 9>"$B/.lock"
flock 9
prog_timeout=${HWT_VM_PROG_TIMEOUT:-240}
smp=${HWT_VM_SMP:-2}
mem=${HWT_VM_MEM:-1024}
jobs=${HWT_VM_JOBS:-2}
nfail=0

result() {
	echo "$1"
	echo "$1" >>"$res_file"
	case $1 in FAIL:*) nfail=$((nfail + 1)) ;; esac
}
note() { echo "$A: $*"; }
die() {
	result "FAIL: $A/$1"
	exit 1
}
# Last lines of a log, indented, for a failure message.
show_tail() {
	tail -n "${2:-25}" "$1" | sed 's/^/    /'
}

if [ "$arch" = x86_64 ]; then
	qemu=qemu-system-x86_64 cc=gcc cross=""
else
	qemu=qemu-system-aarch64 cc=aarch64-linux-gnu-gcc
	cross="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
fi
for t in $qemu $cc make cpio timeout file flock; do
	command -v "$t" >/dev/null ||
		die "setup (missing tool $t: run scripts/install-deps.sh)"
done

# --- Kernel: the newest Debian amd64 kernel that has its headers. -------
kver=${HWT_VM_KVER:-}
if [ -z "$kver" ]; then
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' |
		sort -rV); do
		if [ -e "/lib/modules/$v/build/Makefile" ] ||
			[ -e "/usr/src/linux-headers-$v/Makefile" ]; then
			kver=$v
			break
		fi
	done
fi
[ -n "$kver" ] || die "setup (no /boot/vmlinuz-*-amd64 with headers: install linux-image-amd64 linux-headers-amd64)"
abi=${kver%-amd64}

if [ "$arch" = x86_64 ]; then
	kdir=/lib/modules/$kver/build
	[ -e "$kdir/Makefile" ] || kdir=/usr/src/linux-headers-$kver
	kimage=/boot/vmlinuz-$kver
	kmods=/lib/modules/$kver
	busybox=$(command -v busybox)
	console=ttyS0
else
	debs=$B/debs
	"$here/fetch-arm64.sh" "$abi" "$debs" ||
		die "setup (could not fetch arm64 kernel $abi packages)"
	kdir=$debs/root/usr/src/linux-headers-$abi-arm64
	# The package's scripts/tools links are relative to /usr/src; point
	# them at the host's linux-kbuild (same version, host binaries).
	for l in scripts tools; do
		t=$(readlink "$kdir/$l")
		case $t in
		../../lib/*) ln -sfn "/usr/lib/${t#../../lib/}" "$kdir/$l" ;;
		esac
	done
	kimage=$debs/root/boot/vmlinuz-$abi-arm64
	kmods=$debs/root/lib/modules/$abi-arm64
	busybox=$debs/root/bin/busybox
	console=ttyAMA0
fi
for f in "$kdir/Makefile" "$kimage" "$busybox"; do
	[ -e "$f" ] || die "setup (missing $f)"
done
case $(file -L "$busybox") in
*"statically linked"*) ;;
*) die "setup ($busybox is not static: install busybox-static)" ;;
esac
note "kernel $kver ($arch), headers $kdir"

# --- Modules: build copies under $B/src (kbuild writes objects next to the
# sources, and the x86 and arm64 builds must not collide). ---------------
src=$B/src
# Mirror the sources of one directory, touching only files that changed so
# that kbuild's incremental build stays correct.
sync_dir() {
	mkdir -p "$2"
	(cd "$1" && find . -type f \( -name '*.[chS]' -o -name Kbuild \
		-o -name Makefile -o -name '*.lds' \)) | while read -r f; do
		mkdir -p "$2/${f%/*}"
		cmp -s "$1/$f" "$2/$f" || cp "$1/$f" "$2/$f"
	done
	(cd "$2" && find . -type f \( -name '*.[chS]' -o -name Kbuild \
		-o -name Makefile -o -name '*.lds' \)) | while read -r f; do
		case $f in *.mod.c) continue ;; esac
		[ -e "$1/$f" ] || rm -f "$2/$f"
	done
}
# kbuild's list of the modules a directory built, in Kbuild order.
built_modules() {
	[ -f "$1/modules.order" ] || return 0
	sed 's,.*/,,; s,\.o$,,; s,\.ko$,,' "$1/modules.order"
}

# Module sources may include each other's headers across these trees.
for d in include kmod backends; do
	[ -d "$root/$d" ] && sync_dir "$root/$d" "$src/$d"
done
order=""		# our modules, load order
moddirs=""
build_ok=1
mod_dirs="kmod/hwt"
for d in "$root"/backends/*/; do
	[ -f "$d/Kbuild" ] && mod_dirs="$mod_dirs backends/$(basename "$d")"
done
for d in $mod_dirs; do
	if [ ! -f "$root/$d/Kbuild" ]; then
		result "FAIL: $A/build/$d (no $d/Kbuild)"
		build_ok=0
		continue
	fi
	extra=""
	[ "$d" != kmod/hwt ] &&
		extra="KBUILD_EXTRA_SYMBOLS=$src/kmod/hwt/Module.symvers"
	log=$B/build-$(echo "$d" | tr / -).log
	rm -f "$src/$d/modules.order"
	# shellcheck disable=SC2086
	if make -C "$kdir" M="$src/$d" $cross $extra -j"$jobs" modules \
		>"$log" 2>&1; then
		mods=$(built_modules "$src/$d")
		result "PASS: $A/build/$d${mods:+ (}$(echo $mods)${mods:+)}"
		order="$order $(echo $mods)"	# one line: the case matches below need spaces
		moddirs="$moddirs $src/$d"
	else
		result "FAIL: $A/build/$d (see $log)"
		show_tail "$log"
		build_ok=0
	fi
done
# hwt first, then the null test backend, then the soft backend, then the
# other backends.
load=""
for m in hwt hwt_null hwt_soft; do
	case " $order " in *" $m "*) load="$load $m" ;; esac
done
for m in $order; do
	case " $load " in *" $m "*) ;; *) load="$load $m" ;; esac
done
if [ $build_ok = 0 ]; then
	result "FAIL: $A/vm (not booted: module build failed)"
	exit 1
fi

# Debian modules ours depend on (modinfo depends), dependencies first.
deps=""
add_deps() {
	for dep in $(modinfo -F depends "$1" 2>/dev/null | tr , ' '); do
		case " $load $deps " in *" $dep "*) continue ;; esac
		ko=$(find "$kmods/kernel" -name "$dep.ko*" | head -n 1)
		[ -n "$ko" ] || die "setup (module dependency $dep not found in $kmods)"
		add_deps "$ko"
		deps="$deps $dep"
		dep_files="$dep_files $ko"
	done
}
dep_files=""
for m in $load; do
	for d in $moddirs; do
		[ -f "$d/$m.ko" ] && add_deps "$d/$m.ko"
	done
done

# --- Guest programs. ----------------------------------------------------
gdir=$B/guest
mkdir -p "$gdir"
cflags="-static -O2 -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -I $root/include"
# Rebuild when the source, a guest header, an ABI header or the pure A64
# logic some guest tests compile in (backends/soft/a64_*) changed.
stale() {
	[ ! -e "$1" ] || [ "$2" -nt "$1" ] ||
		[ -n "$(find "$root/tests/vm/guest" "$root/include" "$root/kmod" \
			-name '*.h' -newer "$1" 2>/dev/null | head -n 1)" ] ||
		[ -n "$(find "$root/backends/soft" -maxdepth 1 -name 'a64_*.[ch]' \
			-newer "$1" 2>/dev/null | head -n 1)" ]
}
if stale "$gdir/vmctl" "$here/vmctl.c"; then
	# shellcheck disable=SC2086
	$cc $cflags -o "$gdir/vmctl" "$here/vmctl.c" >"$gdir/vmctl.log" 2>&1 || {
		show_tail "$gdir/vmctl.log"
		die "build/vmctl"
	}
fi
progs=""
for c in "$root"/tests/vm/guest/*.c; do
	[ -e "$c" ] || continue
	n=$(basename "$c" .c)
	if [ -n "${HWT_VM_GUEST+set}" ]; then
		case " $HWT_VM_GUEST " in *" $n "*) ;; *) continue ;; esac
	fi
	if stale "$gdir/$n" "$c"; then
		rm -f "$gdir/$n"
		# shellcheck disable=SC2086
		if ! $cc $cflags -o "$gdir/$n" "$c" >"$gdir/$n.log" 2>&1; then
			result "FAIL: $A/build/guest/$n"
			show_tail "$gdir/$n.log"
			continue
		fi
	fi
	progs="$progs $gdir/$n"
done

# Other parts ship static programs for the guest's /bin (hwtd, hwt): a
# top-level directory whose Makefile has a `vm` target builds them into
# build/vm-$VM_ARCH/bin.  For arm64 only Makefiles that know VM_ARCH are
# asked, so an x86-only one is not built for nothing.
for mk in "$root"/*/Makefile; do
	grep -q '^vm:' "$mk" || continue
	[ "$arch" = x86_64 ] || grep -q VM_ARCH "$mk" || continue
	d=${mk%/Makefile}
	n=${d##*/}
	if make -C "$d" vm VM_ARCH="$arch" -j"$jobs" >"$B/build-$n-vm.log" 2>&1
	then
		result "PASS: $A/build/$n-vm"
	else
		result "FAIL: $A/build/$n-vm (see $B/build-$n-vm.log)"
		show_tail "$B/build-$n-vm.log"
	fi
done

# --- Initramfs. ---------------------------------------------------------
st=$B/initramfs
rm -rf "$st"
mkdir -p "$st/bin" "$st/dev" "$st/proc" "$st/sys" "$st/tmp" "$st/etc" \
	"$st/lib/hwt/deps" "$st/tests" "$st/extra"
cp "$busybox" "$st/bin/busybox"
for p in "$B"/bin/*; do
	[ -f "$p" ] && [ -x "$p" ] && cp "$p" "$st/bin/"
done
cp "$gdir/vmctl" "$st/bin/vmctl"
cp "$here/init.sh" "$st/init"
chmod 755 "$st/init"
for m in $load; do
	for d in $moddirs; do
		[ -f "$d/$m.ko" ] && cp "$d/$m.ko" "$st/lib/hwt/"
	done
done
echo $load >"$st/lib/hwt/order"
# Modules that need a CPU feature the guest may lack: backends/*/vm-needs
# lines "module cpuinfo-flag"; init.sh expects them to refuse to load
# (ENODEV, one dmesg line) where /proc/cpuinfo lacks the flag.
cat "$root"/backends/*/vm-needs >"$st/lib/hwt/needs" 2>/dev/null || :
# Modules built and shipped but not loaded at boot (backends/*/vm-noload,
# one name a line): a guest test loads them itself.
cat "$root"/backends/*/vm-noload >"$st/lib/hwt/noload" 2>/dev/null || :
for ko in $dep_files; do
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -dcq "$ko" ;;
	*) cat "$ko" ;;
	esac >"$st/lib/hwt/deps/$(basename "${ko%.ko*}").ko"
done
echo $deps >"$st/lib/hwt/deps/order"
for m in ${HWT_VM_KMODS:-}; do
	ko=$(find "$kmods/kernel" -name "$m.ko*" | head -n 1)
	[ -n "$ko" ] || die "setup (HWT_VM_KMODS: $m not found in $kmods)"
	mkdir -p "$st/lib/hwt/kmods"
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -dcq "$ko" ;;
	*) cat "$ko" ;;
	esac >"$st/lib/hwt/kmods/$m.ko"
done
# A dynamically linked program gets its loader and the libraries ldd
# lists, at the same paths (x86-64: the host's own are the guest's), so
# that it runs in the guest and its images decode on the host.
copy_dynamic_deps() {	# program
	case $(file -L "$1") in
	*"dynamically linked"*) ;;
	*) return 0 ;;
	esac
	[ "$arch" = x86_64 ] || return 0
	for l in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$st${l%/*}"
		cp -L "$l" "$st$l"
	done
}

record_prog=${HWT_VM_RECORD_PROG:-}
if [ -n "$record_prog" ]; then
	[ -f "$record_prog" ] || die "record ($record_prog not found)"
	# arm64: the guest has no arm64 libraries to run a dynamic program.
	if [ "$arch" = arm64 ]; then
		case $(file -L "$record_prog") in
		*"dynamically linked"*)
			die "record (arm64: $record_prog is dynamically linked; link it -static)" ;;
		esac
	fi
	[ -n "${HWT_VM_RECORD_OUT:-}" ] || die "record (HWT_VM_RECORD_OUT unset)"
	for o in "$HWT_VM_RECORD_OUT" "$HWT_VM_RECORD_OUT-hwtd"; do
		[ -e "$o" ] && die "record ($o exists: not overwriting it)"
	done
	mkdir -p "$st/record"
	cp "$record_prog" "$st/record/"
	copy_dynamic_deps "$record_prog"
	if [ -n "${HWT_VM_RECORD_GT:-}" ]; then
		[ -f "$HWT_VM_RECORD_GT" ] ||
			die "record ($HWT_VM_RECORD_GT not found)"
		cp "$HWT_VM_RECORD_GT" "$st/record/gt"
	fi
	# Files the program opens itself (a dlopen'd library...), at their
	# own absolute paths.
	for f in ${HWT_VM_RECORD_FILES:-}; do
		[ -f "$f" ] || die "record ($f not found)"
		mkdir -p "$st${f%/*}"
		cp -L "$f" "$st$f"
		copy_dynamic_deps "$f"
	done
	progs="" VM_EXTRA=""
fi
for p in $progs; do
	cp "$p" "$st/tests/"
done
case $arch in
x86_64) want="x86-64" ;;
arm64) want="aarch64" ;;
esac
for p in ${VM_EXTRA:-}; do
	n=$(basename "$p")
	if [ ! -f "$p" ]; then
		result "FAIL: guest/$n (VM_EXTRA program $p not found)"
		continue
	fi
	info=$(file -L "$p")
	case $info in
	*"$want"*) ;;
	*ELF*)
		# `make check` runs both VMs: a program for the other one is
		# not ours to run.
		echo "SKIP: guest/$n (built for another architecture; this is the $arch VM)" | tee -a "$res_file"
		continue
		;;
	esac
	cp "$p" "$st/extra/$n"
	chmod 755 "$st/extra/$n"
	copy_dynamic_deps "$p"
done
# 64 bytes of the host's randomness for the guest's RNG (init.sh).
head -c 64 /dev/urandom >"$st/etc/hwt-seed" || die "setup (seed)"
cat >"$st/etc/hwt-vm.conf" <<EOF
HWT_RECORD_PROG='${record_prog:+/record/$(basename "$record_prog")}'
HWT_RECORD_ARGS='${HWT_VM_RECORD_ARGS:-}'
HWT_RECORD_OPTS='${HWT_VM_RECORD_OPTS:-}'
HWT_RECORD_GT='${HWT_VM_RECORD_GT:+/record/gt}'
HWT_RECORD_VIA='${HWT_VM_RECORD_VIA:-collect}'
HWT_PT_EMU='${HWT_VM_PT_EMU:-}'
HWT_CS_EMU='${HWT_VM_CS_EMU:-}'
HWT_ARCH=$arch
HWT_PROG_TIMEOUT=$prog_timeout
HWT_RMMOD_TIMEOUT=30
EOF
(cd "$st" && find . | cpio -o -H newc --quiet) >"$B/initramfs.cpio" ||
	die "setup (cpio failed)"
# ACPI tables for the kernel's table upgrade (Documentation/admin-guide/
# acpi/initrd_table_override.rst): first in the initrd, uncompressed, at
# kernel/firmware/acpi/ (no "./": the early scan matches that prefix).
if [ -n "${HWT_VM_ACPI_TABLES:-}" ]; then
	at=$B/acpi-tables
	rm -rf "$at"
	mkdir -p "$at/kernel/firmware/acpi"
	for f in $HWT_VM_ACPI_TABLES; do
		[ -f "$f" ] || die "setup (HWT_VM_ACPI_TABLES: $f not found)"
		cp "$f" "$at/kernel/firmware/acpi/"
	done
	(cd "$at" && find kernel | cpio -o -H newc --quiet) >"$B/acpi.cpio" &&
		cat "$B/acpi.cpio" "$B/initramfs.cpio" >"$B/initramfs.acpi" &&
		mv "$B/initramfs.acpi" "$B/initramfs.cpio" ||
		die "setup (ACPI table cpio failed)"
fi

# --- Boot. --------------------------------------------------------------
# The guest bounds every program and rmmod itself, so only a kernel-level
# hang can outlast this.
nprogs=$(find "$st/tests" "$st/extra" -type f | wc -l)
# Record mode runs one program, the recording, under the same limit.
[ -n "$record_prog" ] && nprogs=$((nprogs + 1))
vm_timeout=${HWT_VM_TIMEOUT:-$((120 + nprogs * prog_timeout + 30 * $(echo $load | wc -w)))}
run=$B/run
rm -rf "$run"
mkdir -p "$run"
append="console=$console panic=-1 oops=panic loglevel=5 mitigations=off"
[ -n "${HWT_VM_APPEND:-}" ] && append="$append $HWT_VM_APPEND"
# arm64: KASLR forces KPTI on despite mitigations=off, and every trap
# (single-step) then pays for it: 25-32 K steps/s instead of 338-407 K.
[ "$arch" = arm64 ] && append="$append kpti=0"
# x86: no KASLR, so that a hang's instruction pointers (hang.txt) name
# the same code in every run (hang_registers).
[ "$arch" = x86_64 ] && append="$append nokaslr"

# Debian's x86 bzImage is XZ-compressed; its ELF vmlinux boots through PVH
# and skips the decompressor (~3 s under TCG).  Extracted once, cached.
extract_vmlinux() {
	for magic in 'xz:\xFD\x37\x7A\x58\x5A\x00' 'zstd -q:\x28\xB5\x2F\xFD' \
		'gzip:\x1F\x8B\x08'; do
		tool=${magic%%:*}
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$1" |
			cut -d: -f1); do
			tail -c +$((off + 1)) "$1" | $tool -dc >"$2.tmp" 2>/dev/null
			if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = \
				7f454c46 ]; then
				mv "$2.tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$2.tmp"
	return 1
}

# Every vCPU's registers, from the monitor, into FILE, then one line per
# vCPU: where it was.  (x86 boots nokaslr: a kernel address then reads
# against the symbols of a guest booted the same way, /proc/kallsyms.)
hang_registers() {	# FILE
	python3 - "$run/monitor.sock" "$1" <<'PY'
import re, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"info registers -a\n")
end, out = time.time() + 3, b""
s.settimeout(0.5)
while time.time() < end:
    try:
        b = s.recv(65536)
    except socket.timeout:
        continue
    if not b:
        break
    out += b
text = out.decode(errors="replace")
lines = [text]
for n, cpu in enumerate(text.split("CPU#")[1:]):
    ip = re.search(r"\b(?:RIP|PC)=([0-9a-f]+)", cpu)
    fl = re.search(r"RFL=([0-9a-f]+)", cpu)
    cpl = re.search(r"CPL=(\d)", cpu)
    hlt = re.search(r"HLT=(\d)", cpu)
    if ip:
        lines.append("vCPU at %d:%s%s%s%s" % (n, ip.group(1),
            " CPL=" + cpl.group(1) if cpl else "",
            " IF=%d" % ((int(fl.group(1), 16) >> 9) & 1) if fl else "",
            " HLT=" + hlt.group(1) if hlt else ""))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
}

boot() {	# kernel image
	cd "$run" || return 1
	rm -f console.log results.txt dmesg.txt qemu.err record.b64
	if [ "$arch" = x86_64 ]; then
		set -- -accel tcg -kernel "$1" \
			-device isa-debug-exit,iobase=0xf4,iosize=4 \
			-serial file:console.log -serial file:results.txt \
			-serial file:dmesg.txt -serial file:record.b64
	else
		set -- -M virt -cpu "${HWT_VM_CPU:-cortex-a57}" -accel tcg -kernel "$1" \
			-semihosting-config enable=on,target=native,userspace=on \
			-serial file:console.log
		[ -n "${HWT_VM_DTB:-}" ] && set -- "$@" -dtb "$HWT_VM_DTB"
		[ -n "${HWT_VM_FIRMWARE:-}" ] &&
			set -- "$@" -bios "$HWT_VM_FIRMWARE"
	fi
	start=$(date +%s.%N)
	# A hang that prints nothing (every vCPU spinning with interrupts
	# off, which no lockup detector reports under TCG) is seen only
	# from outside: the monitor's registers, taken just before the
	# timeout, go to hang.txt.
	rm -f hang.txt
	# The watcher must not hold the run's lock (fd 9), nor leave its
	# sleep behind when it is killed.
	(
		exec 9>&-
		sleep $((vm_timeout - 2)) &
		nap=$!
		trap 'kill $nap 2>/dev/null; exit 0' TERM
		wait $nap && hang_registers hang.txt 2>hang.err
	) &
	watcher=$!
	timeout -k 5 "$vm_timeout" $qemu "$@" -m "$mem" -smp "$smp" \
		-nodefaults -no-user-config -display none \
		-monitor unix:"$run/monitor.sock",server=on,wait=off \
		-no-reboot -initrd "$B/initramfs.cpio" -append "$append" \
		</dev/null 2>qemu.err
	rc=$?
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	took=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')
	touch console.log results.txt dmesg.txt
	cd "$root" || return 1
}

if [ "$arch" = x86_64 ]; then
	vmlinux=$B/vmlinux-$kver
	if [ ! -s "$vmlinux" ] || [ "$kimage" -nt "$vmlinux" ]; then
		extract_vmlinux "$kimage" "$vmlinux" ||
			note "could not extract vmlinux from $kimage"
	fi
	if [ -s "$vmlinux" ]; then
		boot "$vmlinux"
		if [ ! -s "$run/console.log" ] && [ -s "$run/qemu.err" ]; then
			note "PVH boot of vmlinux failed ($(head -n 1 "$run/qemu.err")); falling back to the bzImage"
			rm -f "$vmlinux"	# extract again next time
			boot "$kimage"
		fi
	else
		note "booting the bzImage (slower)"
		boot "$kimage"
	fi
else
	image=$B/Image-$abi
	if [ ! -s "$image" ] || [ "$kimage" -nt "$image" ]; then
		case $(file -b "$kimage") in
		gzip*) gzip -dc "$kimage" >"$image" ;;
		*) cp "$kimage" "$image" ;;
		esac
	fi
	boot "$image"
fi

# --- Verdict. -----------------------------------------------------------
cp "$run/console.log" "$B/console.log"
tr -d '\r' <"$run/dmesg.txt" >"$B/dmesg.txt"
tr -d '\r' <"$run/results.txt" | grep -E '^(PASS|FAIL|SKIP): ' >"$B/results.txt"
while IFS= read -r line; do
	result "$line"
done <"$B/results.txt"
# Host-side halves of guest tests (e.g. decoding a trace with host
# libraries): backends/*/tests/vm-post.sh ARCH BUILD_DIR prints PASS/FAIL.
for h in "$root"/backends/*/tests/vm-post.sh; do
	[ -x "$h" ] && [ -z "$record_prog" ] && [ -z "${HWT_VM_GUEST+set}" ] ||
		continue	# no tests ran
	"$h" "$arch" "$B" >"$B/post.txt" 2>>"$B/post.err"
	while IFS= read -r line; do
		case $line in PASS:* | FAIL:* | SKIP:*) result "$line" ;; INFO:*) echo "$line" ;; esac
	done <"$B/post.txt"
done
npass=$(grep -c '^PASS: ' "$B/results.txt")
gfail=$(grep -c '^FAIL: ' "$B/results.txt")
# The first sign of a crash on the console, and the program then running.
crash_re='Kernel panic|BUG: |Oops|general protection fault|Internal error:'
panic=$(grep -m 1 -E "$crash_re" "$B/console.log" | tr -d '\r' |
	sed 's/^\[[ 0-9.]*\] //')
running=$(grep -o 'hwt-vm: run .*' "$B/console.log" | tail -n 1 | tr -d '\r')
[ -n "$panic" ] && [ -n "$running" ] && panic="$panic; during ${running#hwt-vm: run }"
logs="console: $B/console.log, dmesg: $B/dmesg.txt"

case $rc in
1)	if [ "$gfail" = 0 ] && [ "$npass" -gt 0 ]; then
		verdict=pass
	else
		verdict="test failure (guest said pass but sent $gfail FAIL, $npass PASS lines)"
	fi ;;
3)	verdict="test failure ($gfail FAIL lines)" ;;
124 | 137)
	# where each vCPU was (hang_registers)
	at=$(sed -n 's/^vCPU at //p' "$run/hang.txt" 2>/dev/null |
		tr '\n' ',' | sed 's/,$//; s/,/, /g')
	cp "$run/hang.txt" "$B/hang.txt" 2>/dev/null
	verdict="hang (no exit within ${vm_timeout}s${panic:+; console: $panic}${at:+; vCPUs at $at})" ;;
0)	if [ -n "$panic" ]; then
		verdict="kernel panic/oops ($panic)"
	else
		verdict="VM stopped without a verdict (reboot or poweroff)"
	fi ;;
*)	if [ $((rc & 1)) = 1 ] && [ "$rc" -lt 256 ]; then
		verdict="guest error (status $(((rc - 1) / 2)))"
	else
		verdict="qemu failed (status $rc: $(head -n 1 "$B/run/qemu.err"))"
	fi ;;
esac
if [ -n "$record_prog" ] && [ "$verdict" = pass ]; then
	# The session came back as base64 of a gzipped tar, between markers.
	out=$HWT_VM_RECORD_OUT
	tmp=$B/record.tgz
	tr -d '\r' <"$run/record.b64" |
		sed -n '/^HWT-RECORD-BEGIN$/,/^HWT-RECORD-END$/p' |
		sed '1d;$d' | base64 -d >"$tmp" 2>/dev/null
	# session (hwt-collect) to $out, session-hwtd (hwtd) to $out-hwtd.
	nsess=0
	if mkdir -p "$out.tmp" && tar -xzf "$tmp" -C "$out.tmp" 2>/dev/null
	then
		for d in "$out.tmp"/session "$out.tmp"/session-*; do
			[ -f "$d/session.db" ] || continue
			suffix=${d#"$out.tmp"/session}
			mv "$d" "$out$suffix" && nsess=$((nsess + 1))
		done
	fi
	rm -rf "$out.tmp"
	[ "$nsess" -gt 0 ] ||
		verdict="record (no session came back; see $B/console.log)"
fi
# A failed recording says why on the terminal, not only in console.log.
if [ -n "$record_prog" ] && grep -q "^FAIL: record" "$B/results.txt" 2>/dev/null; then
	tr -d '\r' <"$B/console.log" | grep -a '^\[\(record\|record-hwtd\|hwtd\)\] ' | tail -n 20 |
		sed 's/^/    /'
fi
note "verdict: $verdict (${took}s; $logs)"
if [ "$verdict" = pass ]; then
	result "PASS: $A/vm ($npass guest results, ${took}s)"
else
	case $verdict in
	"test failure"*) ;;
	"kernel panic"*)
		grep -m 1 -A 30 -E "$crash_re" "$B/console.log" | sed 's/^/    /' ;;
	*) show_tail "$B/console.log" 30 ;;
	esac
	result "FAIL: $A/vm ($verdict)"
fi
[ "$nfail" = 0 ]
