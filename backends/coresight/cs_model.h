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

#endif /* HWT_CS_MODEL_H */
