/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the decoder needs of an Intel PT trace (HWT_IOC_DESCRIBE): the
 * CPU it ran on, for libipt's errata and timing (struct pt_config's cpu,
 * cpuid_0x15_eax/ebx, mtc_freq), and the address filter it was taken
 * under.  Pure logic: built into hwt_intel_pt.ko and into the tests.
 */
#ifndef HWT_PT_DESCRIBE_H
#define HWT_PT_DESCRIBE_H

#include "pt_pure.h"
#include "pt_caps.h"
#include <hwt/hwt_intel_pt.h>

/* Family, model, stepping as CPUID.1:EAX gives them (SDM Vol. 2A, CPUID
 * "Version Information": the display family and model). */
struct pt_fms {
	uint32_t family, model, stepping;
};

/* Decode CPUID.1:EAX. */
void pt_fms_decode(uint32_t leaf1_eax, struct pt_fms *fms);

/*
 * pt_describe() - the describe text for a trace taken with cfg on id.
 *
 * Writes "kind=intel_pt\n", "cpu=F/M/S\n" (0/0/0 without leaf 1),
 * "cpuid_15_eax=N\n" and "cpuid_15_ebx=N\n" where leaf 15H exists and
 * is not zero, "mtc_freq=N\n" with MTC on, and "addr_filter=..." and
 * "trace_stop=..." ("START-END" inclusive, hex, comma-separated) for the
 * ranges of each type, NUL-terminated.
 *
 * Returns the length written (NUL not counted) if it fits in len.
 * Returns -PT_E2BIG if len is too small (buf then holds a cut text).
 */
int pt_describe(const struct pt_cpuid *id,
		const struct hwt_intel_pt_config *cfg, char *buf, size_t len);

#endif /* HWT_PT_DESCRIBE_H */
