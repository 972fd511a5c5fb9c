/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_config: a struct hwt_intel_pt_config checked against a CPU's
 * capabilities and turned into the values of its configuration MSRs, and
 * the order in which they are written (SDM Vol. 3C 33.2.8, 33.3.3,
 * 33.3.7.1).
 */
#ifndef HWT_PT_CONFIG_H
#define HWT_PT_CONFIG_H

#include "pt_pure.h"
#include "pt_caps.h"
#include "hwt/hwt_intel_pt.h"

enum pt_mode {
	PT_MODE_THREAD,		/* one thread, enabled while it runs */
	PT_MODE_CPU,		/* everything on a CPU */
};

/* The configuration MSRs of one trace (not the output ones). */
struct pt_msrs {
	uint64_t ctl;		/* IA32_RTIT_CTL, TraceEn clear */
	uint64_t cr3_match;	/* written iff write_cr3 */
	uint64_t addr_a[HWT_INTEL_PT_MAX_RANGES];
	uint64_t addr_b[HWT_INTEL_PT_MAX_RANGES];
	uint32_t naddr;		/* ADDRn pairs written: 0 .. naddr-1 */
	uint8_t write_cr3;
};

struct pt_wrmsr {
	uint32_t msr;
	uint64_t val;
};

/*
 * Most writes one pt_seq_start() emits: STATUS, OUTPUT_BASE,
 * OUTPUT_MASK_PTRS, CR3_MATCH, ADDRn_A/B pairs, RTIT_CTL.
 */
#define PT_SEQ_MAX	(5 + 2 * HWT_INTEL_PT_MAX_RANGES)

/*
 * pt_config_parse() - check a SET_CONFIG blob and copy it to cfg.
 * @mode:	the context's mode (kernel tracing is CPU mode only)
 *
 * Returns 0 and fills cfg if the blob is valid for this CPU.
 * Returns -PT_EINVAL if version or size is wrong, an unknown flag or a
 * reserved field is set, neither USER nor KERNEL is asked for, KERNEL is
 * asked for in thread mode, FUP_ON_PTW comes without PTWRITE, a period
 * field is set without its flag or is above 15, a range has start > end,
 * a non-canonical address, an unknown type or non-zero reserved field, an
 * unused range slot is not 0, or cr3_match has bits 4:0 set or is set
 * without CR3_FILTER in CPU mode (thread mode: must be 0).
 * Returns -PT_EOPNOTSUPP if the CPU lacks what is asked for: CYC or a PSB
 * period (CPUID.(14H,0):EBX[1]), MTC (EBX[3]), PTWRITE (EBX[4]), power
 * events (EBX[5]), CR3 filtering (EBX[0]), a period encoding not in the
 * CPU's bitmap (CPUID.(14H,1)), or tracing without BranchEn where the CPU
 * cannot (no EBX[1]: the first PT generation, as Linux's pt.c treats it).
 * Returns -PT_E2BIG if nranges is above HWT_INTEL_PT_MAX_RANGES or the
 * CPU's address ranges (caps->max_ranges, 0 without IP filtering).
 * When several apply: E2BIG for HWT_INTEL_PT_MAX_RANGES first, then
 * EINVAL, then EOPNOTSUPP, then E2BIG for the CPU's ranges.
 */
int pt_config_parse(const struct pt_caps *caps, uint32_t version,
		    const void *data, uint32_t size, enum pt_mode mode,
		    struct hwt_intel_pt_config *cfg);

/* The config used without SET_CONFIG (valid on every PT CPU). */
void pt_config_default(struct hwt_intel_pt_config *cfg);

/*
 * pt_config_regs() - MSR values for a config that pt_config_parse()
 * accepted.
 * @out_topa:	output scheme, from pt_output.topa
 * @cr3:	in thread mode with CR3_FILTER, the CR3 value to match
 *
 * Returns 0 and fills regs.
 * Returns -PT_EINVAL if cfg does not pass the checks of pt_config_parse()
 * (they are repeated), or the output scheme is one the CPU lacks.
 */
int pt_config_regs(const struct pt_caps *caps,
		   const struct hwt_intel_pt_config *cfg, enum pt_mode mode,
		   int out_topa, uint64_t cr3, struct pt_msrs *regs);

/*
 * pt_seq_start() - the WRMSR sequence that starts (or, at switch-in,
 * resumes) tracing with TraceEn clear beforehand: RTIT_STATUS, the output
 * MSRs, CR3_MATCH, ADDRn_A/B, then RTIT_CTL with TraceEn set, last
 * (33.3.3 "Enabling Packet Generation", 33.3.7.1 "Manual Trace
 * Configuration Context Switch").  status is the value saved at the last
 * switch-out (0 at start).
 *
 * Returns the number of writes stored in seq (at most PT_SEQ_MAX).
 */
int pt_seq_start(const struct pt_msrs *regs, const struct pt_output *out,
		 uint64_t status, struct pt_wrmsr *seq);

/* pt_seq_drain() flags */
#define PT_DRAIN_STATUS		(1u << 0)	/* rewrite STATUS (Error) */
#define PT_DRAIN_NEW_RUN	(1u << 1)	/* PacketByteCnt 0: PSB+ */

/* Most writes one pt_seq_drain() emits. */
#define PT_DRAIN_MAX	4

/*
 * pt_seq_drain() - the WRMSR sequence that enables tracing again after
 * a drain cleared TraceEn and read the output (PMI, poll, CPU-mode
 * context switch): OUTPUT_BASE and OUTPUT_MASK_PTRS at out, RTIT_STATUS
 * if flags ask for it, RTIT_CTL with TraceEn last (STATUS and the output
 * MSRs #GP while TraceEn = 1: 33.2.8.4, 33.2.8.7, 33.2.8.8).
 * @status:	what the drain read from RTIT_STATUS
 * @flags:	PT_DRAIN_STATUS: write status back without Error (and
 *		TriggerEn, ContextEn, FilterEn, which are read-only);
 *		PT_DRAIN_NEW_RUN: write it with PacketByteCnt 0 too, so that
 *		the enable writes a full PSB+ (33.2.8.3 "Enabling and
 *		Disabling Packet Generation with TraceEn"): a CPU-mode drain
 *		at a context switch, where the next task's part of the
 *		stream begins and a decoder must be able to start.  Without
 *		it the enable writes only timing packets and the next
 *		task's packets continue the previous one's (IP compression).
 *
 * Returns the number of writes stored in seq (at most PT_DRAIN_MAX).
 */
int pt_seq_drain(const struct pt_msrs *regs, const struct pt_output *out,
		 uint64_t status, unsigned int flags, struct pt_wrmsr *seq);

/* Is addr canonical for a CPU with lin linear address bits (48, 57)? */
int pt_canonical(uint64_t addr, unsigned int lin);

#endif /* HWT_PT_CONFIG_H */
