/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_model: a software model of one logical CPU's Intel PT MSR interface
 * that enforces the Intel SDM Vol. 3C chapter 33.
 *
 * Every WRMSR/RDMSR the hardware answers with #GP is refused and counted
 * (gp, with the SDM section of the rule in gp_rule); every "operational
 * error" (33.2.7.2 "ToPA Errors", 33.2.8.7, 33.2.8.8) sets
 * RTIT_STATUS.Error and is counted (op_errors).  ptm_emit() plays the
 * trace unit's side: it stores packet bytes where the ToPA tables or the
 * single range say, moving the output pointers, following END, raising
 * PMIs at INT entries and stopping at STOP entries.
 *
 * The model decodes CPUID itself (it does not use pt_caps), so that a
 * mistake in the backend's reading of CPUID shows up as refused writes.
 * Pure C with no kernel includes: the user-space tests use it now, the
 * emulated trace unit (hwt_pt_emu) will use it in the kernel.
 */
#ifndef HWT_PT_MODEL_H
#define HWT_PT_MODEL_H

#include "pt_pure.h"
#include "pt_caps.h"

/* Physical memory as the trace unit sees it. */
struct ptm_mem {
	/* Returns 0, or -1 if [pa, pa + len) is not memory. */
	int (*read)(void *ctx, uint64_t pa, void *buf, uint32_t len);
	int (*write)(void *ctx, uint64_t pa, const void *buf, uint32_t len);
	void *ctx;
};

struct ptm {
	struct pt_cpuid cpuid;
	const struct ptm_mem *mem;
	/* architectural state */
	uint64_t ctl, status, base, mask_ptrs, cr3_match;
	uint64_t addr[8];
	/* IA32_PERF_GLOBAL_STATUS: only Trace_ToPA_PMI (bit 55) */
	uint64_t global_status;
	/* accounting */
	uint32_t gp;			/* refused accesses */
	const char *gp_rule;		/* SDM section of the last one */
	uint32_t op_errors;		/* operational errors */
	const char *op_rule;
	uint32_t pmi;			/* ToPA PMIs raised */
	uint32_t writes;		/* accepted WRMSRs */
	uint64_t stored;		/* packet bytes written to memory */
	/*
	 * RTIT_STATUS.PacketByteCnt (bits 48:32, 33.2.8.4): the packet
	 * bytes stored since software last wrote it, saturating at the
	 * field's maximum (the SDM leaves its exact rhythm to the CPU; a
	 * count that never wraps back to 0 makes "PSB+ at enable" depend on
	 * software's write alone).  Kept here, not in status; reads of
	 * STATUS show it where CPUID.(14H,0):EBX[1] enumerates the field
	 * (without it the field is reserved: reads 0, only 0 is written,
	 * and the count the unit keeps is reset by that write).
	 */
	uint32_t pbc;
	/*
	 * Packet generation at TraceEn 0 -> 1 (33.2.8.3 "Enabling and
	 * Disabling Packet Generation with TraceEn"; 33.4.3 "Packet
	 * Generation under Different Enable Conditions", rows 2b/2d): set
	 * psb_plus to have the model write what the unit writes there.
	 * With PacketByteCnt = 0 a full PSB+; the emulated unit only ever
	 * enables from the kernel with user-only tracing, PacketEn = 0, so
	 * that PSB+ is PSB, TSC (if TSCEn, the value in tsc), PSBEND: no
	 * MODE.Exec, no FUP (both "if PacketEn = 1", 33.3.7 "PSB+").
	 * Otherwise only timing packets: TSC if TSCEn.  Off (0) for tests
	 * that drive the output by hand (test_topa).
	 */
	uint8_t psb_plus;
	uint64_t tsc;			/* TSC value for those packets */
	uint32_t enable_psbs;		/* PSB+ written at an enable */
	/*
	 * TraceStop (33.2.4.3): trace_stopped is set when the unit set
	 * Stopped because a taken branch entered a TraceStop range
	 * (ptm_trace_stop), and cleared by the STATUS write that clears
	 * Stopped.  hold_stop (the emulated unit sets it while a CPU-mode
	 * session traces this CPU) makes such a write a refused access:
	 * hardware takes it and resumes tracing past the stop, which no
	 * driver should do in the middle of a CPU-mode session.  Not an
	 * SDM #GP: a rule of the tests, counted in gp like the others.
	 */
	uint8_t hold_stop;
	uint8_t trace_stopped;
};

void ptm_init(struct ptm *m, const struct pt_cpuid *cpuid,
	      const struct ptm_mem *mem);

/*
 * Returns 0, or -1 for #GP (counted).  A write that sets TraceEn also
 * stores the enable's packets where psb_plus asks for them (ptm_emit:
 * pmi counts an INT region they fill).
 */
int ptm_wrmsr(struct ptm *m, uint32_t msr, uint64_t val);
int ptm_rdmsr(struct ptm *m, uint32_t msr, uint64_t *val);

/*
 * ptm_emit() - the trace unit outputs len packet bytes.
 *
 * Returns the bytes stored: all of them while packet generation is on
 * (TraceEn set, no Error, not Stopped), fewer if a STOP region filled or
 * an operational error happened on the way, 0 while it is off.  Each
 * INT region filled counts a PMI (pmi) and sets global_status bit 55
 * (33.2.7.2 "ToPA PMI"); the caller raises the interrupt.
 */
uint64_t ptm_emit(struct ptm *m, const uint8_t *buf, uint64_t len);

/*
 * ptm_trace_stop() - a taken branch entered a TraceStop range and the
 * unit wrote TIP.PGD and TraceStop (the caller's packets, through
 * ptm_emit): it sets RTIT_STATUS.Stopped, which clears TriggerEn, and
 * writes nothing more until software clears Stopped (33.2.4.3,
 * 33.2.8.4).  Nothing happens while packet generation is off.
 * Returns 1 if Stopped was set now, 0 if generation was off already.
 */
int ptm_trace_stop(struct ptm *m);

#endif /* HWT_PT_MODEL_H */
