/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the guest tests that drive a backend through its emulated trace
 * unit share (emu_sig_switch, emu_stop_unload, emu_excl_switch,
 * emu_excl_pause): the modules of this architecture (hwt_pt_emu under
 * hwt_intel_pt on x86-64, hwt_cs_emu under hwt_coresight on arm64),
 * loading them in that order and unloading them in the other, pinning a
 * task to a CPU.  Included after hwt_test.h, on x86-64 and arm64 only.
 */
#ifndef EMU_UNIT_H
#define EMU_UNIT_H

#if defined(__x86_64__)
#include "hwt/hwt_intel_pt.h"
#define EMU_KO		"/lib/hwt/hwt_pt_emu.ko"
#define EMU_NAME	"hwt_pt_emu"
#define BACKEND_KO	"/lib/hwt/hwt_intel_pt.ko"
#define BACKEND_MOD	"hwt_intel_pt"
#define BACKEND		HWT_INTEL_PT_BACKEND_NAME
#else
#include "hwt/hwt_coresight.h"
#define EMU_KO		"/lib/hwt/hwt_cs_emu.ko"
#define EMU_NAME	"hwt_cs_emu"
#define BACKEND_KO	"/lib/hwt/hwt_coresight.ko"
#define BACKEND_MOD	"hwt_coresight"
#define BACKEND		HWT_CORESIGHT_BACKEND_NAME
#endif

/* Runs pid (0: the caller) only on cpu, best effort (the VM has 2). */
static inline void emu_pin(pid_t pid, int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(pid, sizeof(one), &one);
}

/*
 * Whether both modules are installed in the guest; if not, a SKIP line
 * for test.  Returns 1 if they are, 0 if not.
 */
static inline int emu_present(const char *test)
{
	if (!access(EMU_KO, F_OK) && !access(BACKEND_KO, F_OK))
		return 1;
	printf("SKIP: %s (%s or %s missing)\n", test, EMU_KO, BACKEND_KO);
	return 0;
}

/*
 * Loads the emulated unit, then the backend over it.
 * Returns 0 if both loaded;
 * Returns -1 (a failed check saying what: what, e.g. "round 2") if
 *   either did not, neither left loaded.
 */
static inline int emu_load(const char *what)
{
	if (!module_load(EMU_KO, "") && !module_load(BACKEND_KO, ""))
		return 0;
	t_fail("%s: load %s, %s: %s", what, EMU_KO, BACKEND_KO,
	       strerror(errno));
	module_unload(BACKEND_MOD);
	module_unload(EMU_NAME);
	return -1;
}

/* Unloads the backend, then the emulated unit: a check each. */
static inline void emu_unload(void)
{
	CHECK(module_unload(BACKEND_MOD) == 0);
	CHECK(module_unload(EMU_NAME) == 0);
}

#if defined(__aarch64__)
/* An atomic add: a load/store-exclusive loop (cortex-a57: no LSE). */
static inline void emu_excl_add(volatile unsigned long *w)
{
	unsigned long v;
	unsigned int fail;

	__asm__ volatile("1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
			 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
			 : "=&r"(v), "=&r"(fail) : "r"(w) : "memory");
}
#endif

#endif /* EMU_UNIT_H */
