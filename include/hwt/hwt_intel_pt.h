/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * Config blob of the "intel_pt" backend (hwt_intel_pt.ko), passed with
 * HWT_IOC_SET_CONFIG { .version = HWT_INTEL_PT_CONFIG_VERSION,
 * .size = sizeof(struct hwt_intel_pt_config) }.
 *
 * Every field maps to a field of IA32_RTIT_CTL or of the address-range and
 * CR3 MSRs (Intel SDM Vol. 3C, 33.2.8 "Enabling and Configuration MSRs").
 * The backend checks the config against what CPUID leaf 14H says the CPU
 * supports: a feature the CPU lacks is EOPNOTSUPP, more address ranges
 * than it has is E2BIG, anything malformed (unknown flag, reserved field
 * not 0, encoding out of range, range start > end, non-canonical address)
 * is EINVAL.  See docs/intel-pt.md.
 *
 * Without SET_CONFIG the default is HWT_INTEL_PT_DEFAULT_FLAGS, hardware
 * default periods, no address filter.
 */
#ifndef _UAPI_HWT_HWT_INTEL_PT_H
#define _UAPI_HWT_HWT_INTEL_PT_H

#include <linux/types.h>

#define HWT_INTEL_PT_BACKEND_NAME	"intel_pt"
#define HWT_INTEL_PT_CONFIG_VERSION	1

/* IA32_RTIT_CTL has four ADDRn_CFG fields (ADDR0..ADDR3). */
#define HWT_INTEL_PT_MAX_RANGES		4

/*
 * hwt_intel_pt_config.flags, each the IA32_RTIT_CTL bit named:
 *   USER         trace CPL > 0 (User)
 *   KERNEL       trace CPL 0 (OS); CPU mode only
 *   BRANCH       change-of-flow packets: TNT, TIP, FUP... (BranchEn)
 *   TSC          TSC packets (TSCEn)
 *   MTC          MTC packets every 2^mtc_period crystal clocks (MTCEn)
 *   CYC          cycle-accurate mode, threshold cyc_thresh (CYCEn)
 *   PSB_PERIOD   PSB every 2K << psb_period bytes (PSBFreq); without
 *                it the CPU's default
 *   NO_RETCOMP   no return compression: every RET is a TIP (DisRETC)
 *   PTWRITE      PTWRITE packets (PTWEn)
 *   FUP_ON_PTW   a FUP after each PTW packet; needs PTWRITE (FUPonPTW)
 *   PWR_EVT      power event packets (PwrEvtEn)
 *   CR3_FILTER   only while CR3 == cr3_match (CR3Filter); in thread mode
 *                the backend uses the thread's CR3 and cr3_match is 0
 */
#define HWT_INTEL_PT_USER		(1u << 0)
#define HWT_INTEL_PT_KERNEL		(1u << 1)
#define HWT_INTEL_PT_BRANCH		(1u << 2)
#define HWT_INTEL_PT_TSC		(1u << 3)
#define HWT_INTEL_PT_MTC		(1u << 4)
#define HWT_INTEL_PT_CYC		(1u << 5)
#define HWT_INTEL_PT_PSB_PERIOD		(1u << 6)
#define HWT_INTEL_PT_NO_RETCOMP		(1u << 7)
#define HWT_INTEL_PT_PTWRITE		(1u << 8)
#define HWT_INTEL_PT_FUP_ON_PTW		(1u << 9)
#define HWT_INTEL_PT_PWR_EVT		(1u << 10)
#define HWT_INTEL_PT_CR3_FILTER		(1u << 11)
#define HWT_INTEL_PT_FLAGS_ALL		((1u << 12) - 1)

#define HWT_INTEL_PT_DEFAULT_FLAGS	(HWT_INTEL_PT_USER | \
					 HWT_INTEL_PT_BRANCH)

/* hwt_intel_pt_range.type (the ADDRn_CFG encodings) */
#define HWT_INTEL_PT_RANGE_FILTER	1	/* trace only inside */
#define HWT_INTEL_PT_RANGE_STOP		2	/* TraceStop on entry */

/* An IP is in a range iff start <= IP <= end (inclusive, as ADDRn_A/B). */
struct hwt_intel_pt_range {
	__u64	start;
	__u64	end;
	__u32	type;			/* HWT_INTEL_PT_RANGE_* */
	__u32	reserved;		/* must be 0 */
};

/*
 * The period fields are the SDM's 4-bit encodings (0..15), used only with
 * their flag (else 0), and must be among those CPUID.(14H,1) enumerates.
 * Range slots from nranges on must be all 0.
 */
struct hwt_intel_pt_config {
	__u32	flags;			/* HWT_INTEL_PT_* */
	__u8	mtc_period;		/* MTCFreq, with HWT_INTEL_PT_MTC */
	__u8	cyc_thresh;		/* CycThresh, with HWT_INTEL_PT_CYC */
	__u8	psb_period;		/* PSBFreq, with _PSB_PERIOD */
	__u8	reserved0;		/* must be 0 */
	__u32	nranges;		/* <= the CPU's address ranges */
	__u32	reserved1;		/* must be 0 */
	__u64	cr3_match;		/* CPU mode CR3 filter; 4:0 zero */
	struct hwt_intel_pt_range ranges[HWT_INTEL_PT_MAX_RANGES];
};

#endif /* _UAPI_HWT_HWT_INTEL_PT_H */
