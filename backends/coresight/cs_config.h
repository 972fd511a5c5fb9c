/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_config: a struct hwt_coresight_config checked against a trace
 * unit's capabilities and turned into the values of its programming
 * registers (ETMv4 chapter 7, ETE; the order they are written in is
 * cs_seq's).
 */
#ifndef HWT_CS_CONFIG_H
#define HWT_CS_CONFIG_H

#include "cs_pure.h"
#include "cs_caps.h"
#include "hwt/hwt_coresight.h"

/* TRCSYNCPR.PERIOD without a sync_period: 2^12 bytes, as Linux. */
#define CS_SYNC_DEFAULT	12

enum cs_mode {
	CS_MODE_THREAD,		/* one thread, enabled while it runs */
	CS_MODE_CPU,		/* everything on a CPU */
};

/* The trace unit's programming registers for one trace. */
struct cs_regs {
	uint32_t configr;	/* TRCCONFIGR */
	uint32_t eventctl0r;	/* TRCEVENTCTL0R: 0, no event trace */
	uint32_t eventctl1r;	/* TRCEVENTCTL1R: 0 */
	uint32_t stallctlr;	/* TRCSTALLCTLR: 0, never stall the PE */
	uint32_t tsctlr;	/* TRCTSCTLR */
	uint32_t syncpr;	/* TRCSYNCPR, written iff write_syncpr */
	uint32_t ccctlr;	/* TRCCCCTLR, written iff CCI */
	uint32_t bbctlr;	/* TRCBBCTLR, written iff BB */
	uint32_t traceidr;	/* TRCTRACEIDR */
	uint32_t victlr;	/* TRCVICTLR */
	uint32_t viiectlr;	/* TRCVIIECTLR */
	uint32_t vissctlr;	/* TRCVISSCTLR: 0, no start/stop points */
	uint64_t acvr[2 * HWT_CORESIGHT_MAX_RANGES];	/* TRCACVRn */
	uint64_t acatr[2 * HWT_CORESIGHT_MAX_RANGES];	/* TRCACATRn */
	uint32_t nac;		/* comparators written: 0 .. nac-1 */
	uint32_t sink;		/* HWT_CORESIGHT_SINK_*, never ANY */
	uint8_t write_syncpr;
	uint8_t write_ccctlr;
	uint8_t write_bbctlr;
};

/*
 * cs_config_parse() - check a SET_CONFIG blob and copy it to cfg.
 * @mode:	the context's mode (kernel tracing is CPU mode only)
 *
 * Returns 0 and fills cfg if the blob is valid for this unit.
 * Returns -CS_EINVAL if version or size is wrong, data is NULL, an
 * unknown flag, sink or a reserved field is set, neither USER nor KERNEL
 * is asked for, KERNEL in thread mode, cc_threshold without CYCLES or
 * above 0xfff or 0 with it, TS_EVENT without TIMESTAMP, ts_event without
 * TS_EVENT or above 31, sync_period not 0 or 8..20, a range with start >
 * end, an unaligned (4 bytes) or too wide (TRCIDR2.IASIZE) address, an
 * unknown type or non-zero reserved field, or an unused slot not 0.
 * Returns -CS_EOPNOTSUPP if the unit lacks what is asked for: BRANCH_BCAST
 * (TRCIDR0.TRCBB), RETSTACK (RETSTACK), CYCLES (TRCCCI) or a threshold
 * below TRCIDR3.CCITMIN, TIMESTAMP (TSSIZE), a ts_event resource beyond
 * TRCIDR4.NUMRSPAIR, CONTEXTID or thread mode (CIDSIZE), VMID
 * (VMIDSIZE), USER or KERNEL at an EL TRCIDR3.EXLEVEL_NS lacks, a
 * sync_period where TRCIDR3.SYNCPR says it is fixed, or a sink the CPU
 * does not have (TRBE needs ETE + FEAT_TRBE).
 * Returns -CS_E2BIG if nranges is above HWT_CORESIGHT_MAX_RANGES or the
 * unit's TRCIDR4.NUMACPAIRS.
 * When several apply: E2BIG for the ABI first, then EINVAL, then
 * EOPNOTSUPP, then E2BIG for the unit.
 */
int cs_config_parse(const struct cs_caps *caps, uint32_t version,
		    const void *data, uint32_t size, enum cs_mode mode,
		    struct hwt_coresight_config *cfg);

/* The config used without SET_CONFIG (valid on every unit that traces
 * EL0 with a context ID). */
void cs_config_default(struct hwt_coresight_config *cfg);

/*
 * cs_config_regs() - register values for a config that cs_config_parse()
 * accepted.
 * @trace_id:	the ATB trace ID the backend allocated (1..0x6f); ignored
 *		(TRCTRACEIDR = 0) on a unit with TRCIDR5.TRACEIDSIZE == 0
 *
 * Returns 0 and fills regs.
 * Returns -CS_EINVAL if cfg does not pass the checks of cs_config_parse()
 * (they are repeated), or trace_id is reserved (0, 0x70..).
 */
int cs_config_regs(const struct cs_caps *caps,
		   const struct hwt_coresight_config *cfg, enum cs_mode mode,
		   uint32_t trace_id, struct cs_regs *regs);

#endif /* HWT_CS_CONFIG_H */
