# hwt top-level build.  `make demo` and `make check` are the two entry points
# the README promises; both install what they need first (scripts/install-deps.sh).

BUILD        := $(CURDIR)/build
export HWT_RESULTS := $(BUILD)/results
# Extra static programs for the test VMs (tests/vm/run.sh; docs/testing.md).
export VM_EXTRA

# Each directory has a Makefile with `all` and `check`; `check` prints
# "PASS: name" / "FAIL: name" lines and appends them to $(HWT_RESULTS)/*.txt.
UNIT_DIRS    := kmod/hwt store hwtd decoder hwt backends/soft backends/intel_pt \
		backends/coresight

.PHONY: all deps build check check-unit check-vm check-vm-arm64 demo clean \
	install uninstall check-install-run check-dkms \
	vm-record bench check-e2e check-unit-run check-vm-run check-vm-arm64-run \
	check-hw-run \
	check-hwtd-soft-run check-vm-fuzz \
	check-e2e-run

all: build

deps:
	@scripts/install-deps.sh

# The layout's "never" rules (docs/architecture.md) are part of the build.
build: deps
	@scripts/check-layout.py
	@for d in $(UNIT_DIRS); do $(MAKE) -C $$d all || exit 1; done

# make install [PREFIX=/usr/local] [DESTDIR=...]: binaries, libhwtdecode
# (shared and static, hwtdecode.pc), headers, man pages, bash completion,
# the systemd unit, and the kernel modules as a DKMS source tree
# (scripts/install.sh holds the one list; docs/install.md).
INSTALL_VARS := DESTDIR PREFIX BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR \
		DATADIR SYSTEMDUNITDIR DKMSDIR
export $(INSTALL_VARS)
install: build
	@$(MAKE) --no-print-directory -C decoder dist
	@scripts/install.sh install

uninstall:
	@scripts/install.sh uninstall

# Every suite runs even if an earlier one failed; the summary decides.
# The suites' decodes keep their DWARF cache in the build, not in the
# user's ~/.cache (hwt decode's default).
check check-e2e: export XDG_CACHE_HOME := $(BUILD)/cache
check: deps
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS)
	-@$(MAKE) --no-print-directory check-unit-run
	-@$(MAKE) --no-print-directory check-install-run
	-@$(MAKE) --no-print-directory check-vm-run
	-@$(MAKE) --no-print-directory check-hwtd-soft-run
	-@$(MAKE) --no-print-directory check-vm-arm64-run
	-@$(MAKE) --no-print-directory check-e2e-run
	-@$(MAKE) --no-print-directory check-hw-run
	@scripts/summary.sh $(HWT_RESULTS)

# Real trace hardware of this host, where it has some (one SKIP line
# saying why where not): tests/hw/intel_pt.sh, tests/hw/coresight.sh.
check-hw-run:
	@mkdir -p $(HWT_RESULTS)
	@tests/hw/intel_pt.sh || \
		echo "FAIL: hw (tests/hw/intel_pt.sh exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hw.txt
	@tests/hw/coresight.sh || \
		echo "FAIL: hw (tests/hw/coresight.sh exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hw.txt

# End to end against ground truth (record in the VM, decode, compare).
check-e2e: build
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS)
	-@$(MAKE) --no-print-directory check-e2e-run
	@scripts/summary.sh $(HWT_RESULTS)

check-e2e-run:
	@mkdir -p $(HWT_RESULTS)
	@tests/e2e/demo_counts.sh || \
		echo "FAIL: e2e (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/demo_counts.sh arm64 || \
		echo "FAIL: e2e-arm64 (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/demo_counts.sh intel_pt || \
		echo "FAIL: e2e-intel_pt (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/pt_cpu.sh || \
		echo "FAIL: e2e-intel_pt-cpu (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/pt_sigstop.sh || \
		echo "FAIL: e2e-intel_pt-sigstop (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/vdso.sh x86_64 || \
		echo "FAIL: e2e-vdso-x86_64 (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/vdso.sh arm64 || \
		echo "FAIL: e2e-vdso-arm64 (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/demo_counts.sh coresight || \
		echo "FAIL: e2e-coresight (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/demo_counts.sh coresight-etm4 || \
		echo "FAIL: e2e-coresight-etm4 (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/demo_counts.sh coresight-etm4-shared || \
		echo "FAIL: e2e-coresight-etm4-shared (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_cpu.sh || \
		echo "FAIL: e2e-coresight-cpu (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_cpu.sh etm4 || \
		echo "FAIL: e2e-coresight-etm4-cpu (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_cpu.sh shared || \
		echo "FAIL: e2e-coresight-etm4-shared-cpu (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_cpu.sh juno-r1 || \
		echo "FAIL: e2e-coresight-etm4-juno-r1-cpu (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_mmio.sh || \
		echo "FAIL: e2e-coresight-mmio (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_mmio.sh acpi || \
		echo "FAIL: e2e-coresight-acpi (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_thread.sh pin || \
		echo "FAIL: e2e-coresight-etm4-shared-thread-pinned (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/cs_thread.sh || \
		echo "FAIL: e2e-coresight-etm4-shared-thread (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/pt_lap.sh || \
		echo "FAIL: e2e-pt-lap (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/dyn_counts.sh || \
		echo "FAIL: e2e/dyn (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt
	@tests/e2e/perf_export.sh || \
		echo "FAIL: e2e/perf-export (exited non-zero)" | tee -a $(HWT_RESULTS)/e2e.txt

check-unit: deps
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS)
	-@$(MAKE) --no-print-directory check-unit-run
	@scripts/summary.sh $(HWT_RESULTS)

check-unit-run:
	@mkdir -p $(HWT_RESULTS)
	@scripts/check-layout.py | tee -a $(HWT_RESULTS)/layout.txt
	@for d in $(UNIT_DIRS); do \
		name=$$(echo $$d | tr / -); \
		$(MAKE) --no-print-directory -C $$d check || \
			echo "FAIL: $$name (make check exited non-zero)" | \
			tee -a $(HWT_RESULTS)/$$name.txt; \
	done

check-vm: deps
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS)
	-@$(MAKE) --no-print-directory check-vm-run
	@scripts/summary.sh $(HWT_RESULTS)

check-vm-arm64: deps
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS)
	-@$(MAKE) --no-print-directory check-vm-arm64-run
	@scripts/summary.sh $(HWT_RESULTS)

# The DKMS tree make install ships, built by dkms itself for the VM's
# kernel in a private tree (needs the dkms package; not part of check).
check-dkms: build
	@tests/install/dkms.sh

# make install into a staging DESTDIR, and a program built against it
# with pkg-config (tests/install/check.sh).
check-install-run:
	@mkdir -p $(HWT_RESULTS)
	@tests/install/check.sh || \
		echo "FAIL: install (tests/install/check.sh exited non-zero)" | \
		tee -a $(HWT_RESULTS)/install.txt

check-vm-run:
	@mkdir -p $(HWT_RESULTS)
	@tests/vm/run.sh x86_64 || \
		echo "FAIL: vm-x86_64 (harness exited non-zero)" | \
		tee -a $(HWT_RESULTS)/vm-x86_64.txt

# hwtd's acceptance with the soft backend, in the x86-64 and the arm64
# VM, and with hwt_coresight over the emulated unit (arm64): a session through hwtd decodes as hwt-collect's does, a
# one-function filter, the crash ring's replay ends at the faulting line,
# a kill -9'd session decodes.
check-hwtd-soft-run:
	@mkdir -p $(HWT_RESULTS)
	@$(MAKE) --no-print-directory -C hwtd check-vm-soft || \
		echo "FAIL: hwtd/soft (make check-vm-soft exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hwtd.txt
	@$(MAKE) --no-print-directory -C hwtd check-vm-soft-arm64 || \
		echo "FAIL: hwtd/soft-arm64 (make check-vm-soft-arm64 exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hwtd.txt
	@$(MAKE) --no-print-directory -C hwtd check-vm-coresight || \
		echo "FAIL: hwtd/coresight (make check-vm-coresight exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hwtd.txt
	@$(MAKE) --no-print-directory -C hwtd check-vm-intel-pt || \
		echo "FAIL: hwtd/intel_pt (make check-vm-intel-pt exited non-zero)" | \
		tee -a $(HWT_RESULTS)/hwtd.txt

check-vm-arm64-run:
	@mkdir -p $(HWT_RESULTS)
	@tests/vm/run.sh arm64 || \
		echo "FAIL: vm-arm64 (harness exited non-zero)" | \
		tee -a $(HWT_RESULTS)/vm-arm64.txt

# The kernel fuzzer alone for longer (make check runs it 30 s per VM):
#   make check-vm-fuzz [FUZZ_SECONDS=300] [FUZZ_SEED=N] [FUZZ_ARCH=arm64]
# A copy of tests/vm/guest/hwt_fuzz.c built with those defaults runs after
# the usual guest tests (every guest program runs in each VM boot).
FUZZ_SECONDS ?= 300
FUZZ_SEED    ?= 0
FUZZ_ARCH    ?= x86_64
check-vm-fuzz: deps
	@rm -rf $(HWT_RESULTS); mkdir -p $(HWT_RESULTS) $(BUILD)/fuzz
	@case "$(FUZZ_ARCH)" in arm64) cc=aarch64-linux-gnu-gcc ;; *) cc=gcc ;; esac; \
	$$cc -static -O2 -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow -I include \
		-DFUZZ_SECONDS=$(FUZZ_SECONDS) -DFUZZ_SEED=$(FUZZ_SEED) \
		-o $(BUILD)/fuzz/hwt_fuzz_long tests/vm/guest/hwt_fuzz.c
	-@VM_EXTRA=$(BUILD)/fuzz/hwt_fuzz_long \
		HWT_VM_PROG_TIMEOUT=$$(($(FUZZ_SECONDS) + 180)) \
		tests/vm/run.sh $(FUZZ_ARCH)
	@scripts/summary.sh $(HWT_RESULTS)

# ARCH=arm64 makes demo and vm-record use the arm64 VM (the soft
# backend's ETE half); anything else, or nothing, the x86-64 one.
REC_ARCH := $(if $(filter arm64 aarch64,$(ARCH)),arm64,x86_64)

# Trace one program in the VM with the soft backend:
#   make vm-record PROG=/abs/program [ARGS="..."] OUT=/abs/dir
#                  [OPTS="hwt-collect options, e.g. -b null -s 4M"]
#                  [ARCH=arm64 (a static arm64 program)]
#                  [PT_EMU=kabylake (OPTS="-b intel_pt" through the
#                   emulated Intel PT unit of that CPU row)]
vm-record: build
	@if [ -z "$(PROG)" ] || [ -z "$(OUT)" ]; then \
		echo 'usage: make vm-record PROG=/abs/program [ARGS="..."] OUT=/abs/dir [OPTS="..."] [ARCH=arm64]' >&2; \
		exit 2; fi
	@HWT_RESULTS=$(BUILD)/vm-record-results HWT_VM_RECORD_PROG="$(PROG)" \
		HWT_VM_RECORD_ARGS="$(ARGS)" HWT_VM_RECORD_OUT="$(OUT)" \
		HWT_VM_RECORD_OPTS="$(if $(OPTS),$(OPTS),-b soft)" \
		HWT_VM_PT_EMU="$(PT_EMU)" tests/vm/run.sh $(REC_ARCH)
	@build/bin/hwt info "$(OUT)"

# make demo [ARCH=arm64]
demo: build
	@scripts/demo.sh $(REC_ARCH)

clean:
	rm -rf $(BUILD)
	@for d in $(UNIT_DIRS); do $(MAKE) -C $$d clean; done
