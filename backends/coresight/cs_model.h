/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_model: a software model of one CPU's trace unit programmers' model
 * (ETE or ETMv4) and its TRBE that enforces the specs.
 *
 * Every write the hardware would refuse, ignore or make UNPREDICTABLE,
 * and every one that breaks a programming rule, is refused and counted
 * (refused, with the spec section of the rule in rule): programming while
 * TRCPRGCTLR.EN = 1 or before TRCSTATR.IDLE, RES0/RES1 bits, a
 * capability the unit lacks (decoded here from the ID registers, not by
 * cs_caps, so a mistake in cs_caps shows as refusals), the OS Lock held,
 * the claim tag not held or another agent's tag stomped, a TRBE base or
 * pointer misaligned, TRBE enabled with limit <= base or the pointer
 * outside, TRBE registers written while it is enabled, the source
 * enabled with its TRBE off, the TRBE disabled before the source is idle
 * and the trace flushed (TSB CSYNC, DSB).
 *
 * Timing the software must wait for is modelled: after TRCPRGCTLR
 * changes, TRCSTATR.IDLE follows only after an ISB (ETE, system
 * registers) and CSM_IDLE_READS reads, and programming is refused until
 * software has read IDLE since the last change (or since reset).  csm_emit() plays the trace
 * unit's output side on the TRBE pointer.
 *
 * Pure C with no kernel includes: the user-space tests use it now, the
 * emulated trace unit will use it in the kernel.
 */
#ifndef HWT_CS_MODEL_H
#define HWT_CS_MODEL_H

#include "cs_pure.h"
#include "cs_caps.h"
#include "cs_seq.h"
#include "cs_tmc.h"

#define CSM_IDLE_READS	3	/* TRCSTATR reads before IDLE changes */
#define CSM_NREG	(0x1000 / 4)

struct csm {
	struct cs_idregs id;
	int ete;			/* ETE (system registers) */
	int has_trbe;
	/* trace unit state */
	uint32_t reg[CSM_NREG];		/* programming registers, by offset/4 */
	uint64_t acvr[16];
	uint32_t prgctlr;
	uint32_t idle;			/* TRCSTATR.IDLE as read now */
	uint32_t idle_want;		/* where it is going */
	uint32_t idle_reads;		/* reads left before it gets there */
	uint8_t idle_seen;		/* software read IDLE since the last
					 * TRCPRGCTLR change (or reset) */
	uint8_t isb_due;		/* ETE: TRCPRGCTLR written, no ISB yet */
	uint8_t oslk;			/* OS Lock locked */
	/* ETMv4 through its memory-mapped view (csm_init_mmio) */
	uint8_t mmio;
	uint8_t slk;			/* software lock set (TRCLSR.SLK) */
	uint8_t stickypd;		/* TRCPDSR.STICKYPD */
	uint32_t pdcr;			/* TRCPDCR */
	uint32_t claim;			/* claim tags set */
	uint32_t claim_ours;		/* set by this agent */
	/* TRBE */
	uint64_t trblimitr, trbptr, trbbaser, trbsr;
	uint8_t tsb_done, dsb_done;	/* since the unit went idle */
	/* accounting */
	uint32_t refused;
	const char *rule;		/* spec section of the last refusal */
	uint32_t writes;		/* accepted writes */
	uint64_t stored;		/* trace bytes written to the buffer */
	uint32_t irqs;			/* TRBE management interrupts */
};

/* Reset state: OS Lock locked (ETMv4 7.3.42: OSLK resets to 1), unit
 * disabled and idle, TRBE disabled, no claim. */
void csm_init(struct csm *m, const struct cs_idregs *id);

/*
 * An ETMv4 reached through its memory-mapped view (ETMv4 7.1, CoreSight
 * B2): as csm_init, plus the software lock set at reset (every write but
 * TRCLAR refused until TRCLAR = 0xC5ACCE55), TRCPDSR.STICKYPD set at
 * reset (enabling refused until TRCPDSR was read: the state software
 * programmed may have been lost) and TRCPDCR.PU required to enable (the
 * unit may power down under the trace otherwise).
 */
void csm_init_mmio(struct csm *m, const struct cs_idregs *id);

/* Returns 0, or -1 if refused (counted). */
int csm_write(struct csm *m, uint32_t reg, uint64_t val);
int csm_read(struct csm *m, uint32_t reg, uint64_t *val);
void csm_barrier(struct csm *m, enum cs_op_kind kind);

/* Another agent (an external debugger) sets its claim tag. */
void csm_claim_external(struct csm *m);

/*
 * csm_emit() - the trace unit outputs len bytes through the TRBE.
 *
 * Returns the bytes stored: all while the unit is enabled and the TRBE
 * collects, fewer if the buffer filled in Fill mode, 0 while off.  At the
 * limit the pointer returns to the base with TRBSR.WRAP set in every
 * mode; Fill mode then stops (S, BSC FULL, IRQ), Wrap mode raises IRQ and
 * goes on, Circular Buffer mode goes on silently.
 */
uint64_t csm_emit(struct csm *m, uint64_t len);

/* A cs_io that runs ops against the model. */
void csm_io(struct csm *m, struct cs_io *io);

/*
 * The memory a TMC-ETR writes by bus address (and reads its
 * scatter-gather table from).  Each returns 0, or -1 if nothing is
 * there (STS.MemErr on hardware).
 */
struct csm_mem {
	int (*read)(void *ctx, uint64_t pa, void *dst, size_t n);
	int (*write)(void *ctx, uint64_t pa, const void *src, size_t n);
	void *ctx;
};

/*
 * csm_tmc: a model of one TMC (ETR or ETF) that enforces the TMC TRM's
 * programming rules like csm does the trace unit's: writes refused and
 * counted with the rule in rule.  See docs/coresight-backend.md.
 */
struct csm_tmc {
	struct cs_tmc_caps caps;
	uint32_t devid, rsz_ro;
	uint8_t *ram;			/* ETF: caps.ram bytes */
	struct csm_mem mem;		/* ETR */
	/* registers */
	uint32_t ctl, mode, rsz, axictl, ffcr, trg;
	uint64_t dba, rwp, rrp;
	uint32_t claim, claim_ours;
	uint8_t slk;			/* software lock (CoreSight B2) */
	uint8_t full, memerr, stopped;	/* STS.Full, MemErr; stopped
					 * after a flush with StopOnFl */
	uint8_t ready;			/* STS.TMCReady as read now */
	uint8_t ready_reads;		/* reads left before it is set */
	uint8_t ready_seen;		/* read as 1 since capture ended */
	uint8_t flush_reads;		/* FFCR reads before FlushMan clears */
	/* the scatter-gather walk: the entry of the page RWP is in */
	uint64_t sg_tab;		/* its table page */
	uint32_t sg_idx;		/* its index there */
	uint8_t sg_last;		/* it is the LAST entry */
	uint64_t rrd_left;		/* ETF: bytes RRD still returns */
	struct cs_fmt fmt;
	/* accounting */
	uint32_t refused;
	const char *rule;
	uint32_t writes;
	uint64_t stored;		/* bytes written to the buffer */
	uint64_t wraps;			/* times the pointer crossed the top */
};

/*
 * csm_tmc_init() - reset state: disabled and ready, software lock set,
 * no claim.  devid and (ETF) rsz as cs_tmc_parse() takes them; ram (ETF,
 * caps.ram bytes) or mem (ETR) is where the trace goes.
 * Returns 0, or -CS_EINVAL / -CS_ENODEV as cs_tmc_parse(), or -CS_EINVAL
 * if an ETF has no ram or an ETR no mem.
 */
int csm_tmc_init(struct csm_tmc *t, uint32_t devid, uint32_t rsz,
		 uint8_t *ram, const struct csm_mem *mem);

/* Returns 0, or -1 if refused (counted). */
int csm_tmc_write(struct csm_tmc *t, uint32_t reg, uint64_t val);
int csm_tmc_read(struct csm_tmc *t, uint32_t reg, uint64_t *val);

/*
 * csm_tmc_emit() - len bytes of source id reach the TMC over the ATB:
 * formatted (FFCR.EnFt) into frames or passed through, written at RWP:
 * the ETR into the scatter-gather table's pages or the contiguous
 * buffer, the ETF into its RAM, wrapping at the top with STS.Full set.
 *
 * Returns the bytes taken: len while capturing, 0 while disabled or
 * stopped (the trace is lost), fewer if a write failed (STS.MemErr,
 * capture stops).
 */
size_t csm_tmc_emit(struct csm_tmc *t, uint8_t id, const uint8_t *data,
		    size_t len);

/* A cs_io that runs ops against the TMC model. */
void csm_tmc_io(struct csm_tmc *t, struct cs_io *io);

#endif /* HWT_CS_MODEL_H */
