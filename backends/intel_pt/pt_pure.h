/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types and error codes shared by the pure parts of the intel_pt backend:
 * files with no kernel includes that are built into hwt_intel_pt.ko and
 * into the user-space tests (backends/intel_pt/tests).
 *
 * Functions return 0 or a negated PT_E* code; the kernel glue maps them to
 * -errno (pt_errno()).  Bit and section references are to the Intel SDM
 * Vol. 3C, chapter 33 "Intel Processor Trace".
 */
#ifndef HWT_PT_PURE_H
#define HWT_PT_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#endif

#define PT_EINVAL	1	/* malformed request or value */
#define PT_EOPNOTSUPP	2	/* the CPU lacks the feature */
#define PT_E2BIG	3	/* more than the CPU or table holds */
#define PT_ENODEV	4	/* no usable Intel PT */

/* Map a pure return value (0 or -PT_E*) to 0 or -errno. */
static inline int pt_errno(int ret)
{
	switch (ret) {
	case 0:
		return 0;
	case -PT_EOPNOTSUPP:
		return -EOPNOTSUPP;
	case -PT_E2BIG:
		return -E2BIG;
	case -PT_ENODEV:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

/* Where the output goes: IA32_RTIT_OUTPUT_BASE and _MASK_PTRS. */
struct pt_output {
	uint64_t base;
	uint64_t mask_ptrs;
	uint8_t topa;		/* ToPA (1) or single range (0) */
};

/* MSR addresses (SDM Vol. 4, and Vol. 3C 33.2.8). */
#define PT_MSR_OUTPUT_BASE	0x560
#define PT_MSR_OUTPUT_MASK	0x561	/* IA32_RTIT_OUTPUT_MASK_PTRS */
#define PT_MSR_CTL		0x570
#define PT_MSR_STATUS		0x571
#define PT_MSR_CR3_MATCH	0x572
#define PT_MSR_ADDR0_A		0x580	/* ADDRn_A = 0x580 + 2n, _B + 1 */

/* IA32_RTIT_CTL bits (33.2.8.2, table "IA32_RTIT_CTL MSR"). */
#define PT_CTL_TRACEEN		(1ull << 0)
#define PT_CTL_CYCEN		(1ull << 1)
#define PT_CTL_OS		(1ull << 2)
#define PT_CTL_USER		(1ull << 3)
#define PT_CTL_PWREVTEN		(1ull << 4)
#define PT_CTL_FUPONPTW		(1ull << 5)
#define PT_CTL_FABRICEN		(1ull << 6)
#define PT_CTL_CR3FILTER	(1ull << 7)
#define PT_CTL_TOPA		(1ull << 8)
#define PT_CTL_MTCEN		(1ull << 9)
#define PT_CTL_TSCEN		(1ull << 10)
#define PT_CTL_DISRETC		(1ull << 11)
#define PT_CTL_PTWEN		(1ull << 12)
#define PT_CTL_BRANCHEN		(1ull << 13)
#define PT_CTL_MTCFREQ_SHIFT	14	/* 17:14 */
#define PT_CTL_CYCTHRESH_SHIFT	19	/* 22:19 */
#define PT_CTL_PSBFREQ_SHIFT	24	/* 27:24 */
#define PT_CTL_EVENTEN		(1ull << 31)
#define PT_CTL_ADDR_SHIFT(n)	(32 + 4 * (n))	/* ADDRn_CFG, 4 bits */
#define PT_CTL_DISTNT		(1ull << 55)

/* IA32_RTIT_STATUS bits (33.2.8.4). */
#define PT_STATUS_FILTEREN	(1ull << 0)
#define PT_STATUS_CONTEXTEN	(1ull << 1)
#define PT_STATUS_TRIGGEREN	(1ull << 2)
#define PT_STATUS_ERROR		(1ull << 4)
#define PT_STATUS_STOPPED	(1ull << 5)
#define PT_STATUS_PENDPSB	(1ull << 6)
#define PT_STATUS_PENDTOPAPMI	(1ull << 7)

/*
 * IA32_PERF_GLOBAL_STATUS (38EH) bit 55, Trace_ToPA_PMI: set with a ToPA
 * PMI (33.2.7.2 "ToPA PMI"); perf's NMI handler acknowledges it.
 */
#define PT_GLOBAL_STATUS_TOPA_PMI	(1ull << 55)
#define PT_STATUS_BYTECNT_SHIFT	32	/* PacketByteCnt, 48:32 */

/* ToPA entry bits (33.2.7.2, table "ToPA Table Entry Fields"). */
#define PT_TOPA_END		(1ull << 0)
#define PT_TOPA_INT		(1ull << 2)
#define PT_TOPA_STOP		(1ull << 4)
#define PT_TOPA_SIZE_SHIFT	6	/* 9:6, region = 4K << Size */
#define PT_TOPA_SIZE_MAX	15	/* 128 MiB */

#endif /* HWT_PT_PURE_H */
