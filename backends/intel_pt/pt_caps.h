/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_caps: what a CPU's Intel PT can do, decoded from CPUID.
 *
 * Input is the raw CPUID output the kernel glue collects (cpuid_count()
 * on the target CPU): leaf 07H EBX (the PT feature flag), leaf 14H
 * sub-leaves 0 and 1, leaf 15H (TSC/core crystal clock ratio) and the
 * address widths of leaf 80000008H.  Bit definitions: SDM Vol. 3C 33.3.1
 * "Detection of Intel Processor Trace and Capability Enumeration" (table
 * "CPUID Leaf 14H Enumeration of Intel Processor Trace Capabilities") and
 * Vol. 2A, CPUID.
 */
#ifndef HWT_PT_CAPS_H
#define HWT_PT_CAPS_H

#include "pt_pure.h"

/* Raw CPUID registers, as returned: [0] = EAX .. [3] = EDX. */
struct pt_cpuid {
	uint32_t max_leaf;	/* CPUID.0:EAX */
	uint32_t leaf1_eax;	/* CPUID.1:EAX: family, model, stepping */
	uint32_t leaf7_ebx;	/* CPUID.(7,0):EBX, bit 25 = Intel PT */
	uint32_t leaf14[2][4];	/* CPUID.(14H, 0) and (14H, 1) */
	/* CPUID.15H: EAX denominator, EBX numerator, ECX crystal Hz */
	uint32_t leaf15[4];
	/* CPUID.80000008H:EAX: 7:0 MAXPHYADDR, 15:8 linear address bits */
	uint32_t ext8_eax;
};

#define PT_CPUID7_EBX_PT	(1u << 25)

/* CPUID.(14H,0):EBX */
#define PT_14_0_EBX_CR3_FILTER	(1u << 0)
#define PT_14_0_EBX_PSB_CYC	(1u << 1)
#define PT_14_0_EBX_IP_FILTER	(1u << 2)	/* + TraceStop, warm reset */
#define PT_14_0_EBX_MTC		(1u << 3)
#define PT_14_0_EBX_PTWRITE	(1u << 4)
#define PT_14_0_EBX_POWER_EVT	(1u << 5)
#define PT_14_0_EBX_PSB_PMI	(1u << 6)	/* PSB and PMI preservation */
#define PT_14_0_EBX_EVENT_TRACE	(1u << 7)
#define PT_14_0_EBX_TNT_DISABLE	(1u << 8)
/* CPUID.(14H,0):ECX */
#define PT_14_0_ECX_TOPA	(1u << 0)
#define PT_14_0_ECX_TOPA_MULTI	(1u << 1)
#define PT_14_0_ECX_SINGLE	(1u << 2)
#define PT_14_0_ECX_TRANSPORT	(1u << 3)
#define PT_14_0_ECX_LIP		(1u << 31)

struct pt_caps {
	/* CPUID.(14H,0):EBX */
	uint8_t cr3_filter;
	uint8_t psb_cyc;	/* configurable PSB, cycle-accurate mode */
	uint8_t ip_filter;	/* IP filtering and TraceStop */
	uint8_t mtc;
	uint8_t ptwrite;
	uint8_t power_event;
	uint8_t psb_pmi_preserve;
	uint8_t event_trace;
	uint8_t tnt_disable;
	/* CPUID.(14H,0):ECX */
	uint8_t topa;
	uint8_t topa_multi;	/* more than one output entry per table */
	uint8_t single_range;
	uint8_t transport;	/* FabricEn */
	uint8_t lip;		/* IP payloads are linear (CS base added) */
	/* CPUID.(14H,1) */
	uint32_t max_subleaf;
	uint32_t num_ranges;	/* RANGECNT as CPUID reports it */
	/* usable: num_ranges with IP filtering, at most the 4 ADDRn_CFG */
	uint32_t max_ranges;
	uint16_t mtc_periods;	/* bitmap of MTCFreq encodings */
	uint16_t cyc_thresholds; /* bitmap of CycThresh encodings */
	uint16_t psb_periods;	/* bitmap of PSBFreq encodings */
	/* CPUID.15H */
	uint32_t tsc_art_num;	/* TSC = ART * num / den; 0: unknown */
	uint32_t tsc_art_den;
	uint32_t crystal_hz;	/* 0: not enumerated */
	/* CPUID.80000008H */
	uint8_t maxphyaddr;
	uint8_t linaddr_bits;
	/*
	 * Not CPUID: set by the kernel glue when user mode's CR3 is not
	 * __pa(pgd) (PTI's user bit, a PCID in bits 11:0), so no
	 * RTIT_CR3_MATCH could match it (33.2.8.6; docs/intel-pt.md,
	 * "CR3 filtering with PTI"): CR3_FILTER is refused.
	 */
	uint8_t cr3_inexact;
};

/*
 * pt_caps_parse() - decode raw CPUID into caps.
 *
 * Returns 0 and fills caps if the CPU has Intel PT with an output scheme
 * to memory (ToPA or single range).
 * Returns -PT_ENODEV if CPUID.(7,0):EBX[25] is clear, leaf 14H is beyond
 * the maximum leaf, or neither ToPA nor single-range output is there.
 * Returns -PT_EINVAL if the address widths are impossible (MAXPHYADDR
 * outside 32..52, linear width not 48 or 57).
 */
int pt_caps_parse(const struct pt_cpuid *raw, struct pt_caps *caps);

/*
 * pt_caps_lowest() - the lowest encoding set in a period bitmap.
 *
 * Returns the encoding (0..15), or -PT_EOPNOTSUPP if the bitmap is empty.
 */
int pt_caps_lowest(uint16_t bitmap);

#endif /* HWT_PT_CAPS_H */
