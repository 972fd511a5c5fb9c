/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_seq: the programming sequences of a trace unit (ETE or ETMv4) and
 * its TRBE, as lists of operations that the kernel glue runs against the
 * hardware (MMIO or system registers) and the tests run against
 * cs_model.  The order is the spec's:
 *
 * start (ETMv4 3.4 "Programming the trace unit", ETE "Programming and
 * enabling the trace unit"; Arm ARM D10 for TRBE):
 *   claim: TRCCLAIMCLR reads 0 (no agent), TRCCLAIMSET = self-hosted,
 *   TRCOSLAR = 0 (release the OS Lock), ISB,
 *   TRCPRGCTLR = 0, ISB, poll TRCSTATR.IDLE == 1,
 *   program TRCCONFIGR ... TRCACATRn,
 *   TRBE: TRBSR = 0, TRBBASER, TRBPTR, TRBLIMITR with E = 1, ISB,
 *   TRCPRGCTLR = 1, ISB, poll TRCSTATR.IDLE == 0.
 * stop:
 *   TRCPRGCTLR = 0, ISB, poll TRCSTATR.IDLE == 1 (and PMSTABLE),
 *   TRBE: TSB CSYNC, DSB (trace in flight reaches memory, D10.8
 *   "Synchronization and the Trace Buffer Unit"), TRBLIMITR with E = 0,
 *   ISB, read TRBPTR, read TRBSR, TRBSR = 0,
 *   TRCCLAIMCLR = self-hosted.
 */
#ifndef HWT_CS_SEQ_H
#define HWT_CS_SEQ_H

#include "cs_pure.h"
#include "cs_caps.h"
#include "cs_config.h"
#include "cs_trbe.h"
#include "cs_tmc.h"

enum cs_op_kind {
	CS_OP_WRITE,		/* reg = val */
	CS_OP_POLL,		/* read reg until (v & mask) == val */
	CS_OP_EXPECT,		/* read reg once: (v & mask) == val or EBUSY */
	CS_OP_READ,		/* read reg into the next result slot */
	CS_OP_ISB,		/* context synchronization */
	CS_OP_DSB,		/* DSB: outstanding writes complete */
	CS_OP_TSB,		/* TSB CSYNC: trace synchronization barrier */
	CS_OP_WAIT,		/* POLL that, timed out, lets the rest run */
};

/*
 * A WRITE with mask != 0 is a read-modify-write: it writes the value of
 * the last READ with the mask bits replaced by val's.
 */
struct cs_op {
	uint8_t kind;		/* enum cs_op_kind */
	uint32_t reg;
	uint64_t val;
	uint64_t mask;
};

/* Reads a POLL makes before it gives up (the unit is stuck). */
#define CS_POLL_MAX	1000

/* Most ops either sequence emits. */
#define CS_SEQ_MAX	(40 + 4 * HWT_CORESIGHT_MAX_RANGES)

/* Access to the unit, through the real registers or the model. */
struct cs_io {
	/* Return 0, or -1 if the access faulted / was refused. */
	int (*read)(void *ctx, uint32_t reg, uint64_t *val);
	int (*write)(void *ctx, uint32_t reg, uint64_t val);
	void (*order)(void *ctx, enum cs_op_kind kind);	/* ISB, DSB, TSB */
	void *ctx;
};

/*
 * cs_seq_start() - the ops that claim, program and enable a unit.
 * @trbe:	TRBE values for regs->sink == TRBE; NULL for a TMC sink
 *		(its ops come from the TMC step)
 *
 * Returns the number of ops stored in ops (at most CS_SEQ_MAX).
 * Returns -CS_EINVAL if regs->sink is TRBE without trbe values or not
 * TRBE with them, or the unit is ETMv4 and the sink is TRBE.
 */
int cs_seq_start(const struct cs_caps *caps, const struct cs_regs *regs,
		 const struct cs_trbe_regs *trbe, struct cs_op *ops);

/*
 * cs_seq_stop() - the ops that disable the unit, drain the TRBE (with
 * trbe), read TRBPTR_EL1 then TRBSR_EL1 into result slots 0 and 1, clear
 * the status, and release the claim.
 *
 * Returns the number of ops stored in ops (at most CS_SEQ_MAX).
 */
int cs_seq_stop(const struct cs_caps *caps, int trbe, struct cs_op *ops);

/*
 * cs_seq_run() - run ops through io.
 * @res:	result slots for CS_OP_READ (nres of them)
 *
 * Returns 0 if every op completed.
 * Returns -CS_EBUSY if an EXPECT failed (the unit is claimed by another
 * agent); nothing after it ran.
 * Returns -CS_EINVAL if an access was refused, a POLL did not see its
 * value in CS_POLL_MAX reads, or there are more READs than nres;
 *   nothing after it ran;
 * Returns -CS_EINVAL if a WAIT did not see its value in CS_POLL_MAX
 *   reads and everything else completed: a disable goes on to turn the
 *   device off when a flush never ends, as Linux's tmc_flush_and_stop()
 *   reports the timeout and tmc_disable_hw() still writes CTL = 0.
 */
int cs_seq_run(const struct cs_op *ops, int n, const struct cs_io *io,
	       uint64_t *res, int nres);

/*
 * cs_seq_run_at() - cs_seq_run(), with *failed the index of the op that
 * failed (a POLL that timed out, a refused access, an EXPECT that saw
 * another agent; else the first WAIT that timed out), or n if every op
 * completed.  Returns as cs_seq_run().
 */
int cs_seq_run_at(const struct cs_op *ops, int n, const struct cs_io *io,
		  uint64_t *res, int nres, int *failed);

/*
 * cs_seq_tmc_start() - the ops that unlock, claim and program a TMC with
 * r and start capture: claim (EXPECT CLAIMCLR 0), LAR unlock, CLAIMSET,
 * poll STS.TMCReady, RSZ (ETR), MODE, AXICTL, DBALO/HI (ETR), RRP, RWP
 * (+HI, ETR), FFCR, TRG = 0, CTL.TraceCaptEn = 1, LAR lock.  Run it
 * before the trace unit's cs_seq_start(): the sink before the source.
 *
 * Returns the number of ops (at most CS_SEQ_MAX).
 * Returns -CS_EINVAL if r is neither an ETR nor an ETF or its buffer
 * kind does not fit it.
 */
int cs_seq_tmc_start(const struct cs_tmc_regs *r, struct cs_op *ops);

/*
 * cs_seq_tmc_stop() - flush and stop, after the trace unit's
 * cs_seq_stop(): LAR unlock, FFCR with StopOnFl, then with FlushMan too,
 * poll FlushMan clear, poll TMCReady, then READs into result slots 0-2:
 * RWP, RWPHI (ETR; an ETF's RSZ), STS.  Capture stays enabled (stopped)
 * so that an ETF can be drained (cs_tmc_drain()); cs_seq_tmc_release()
 * ends it.  Returns the number of ops.
 */
int cs_seq_tmc_stop(const struct cs_tmc_regs *r, struct cs_op *ops);

/*
 * cs_seq_tmc_flush() - a manual flush that leaves capture running (a TMC
 * shared by several sources, whose other sources go on): LAR unlock,
 * FFCR with FlushMan (StopOnFl clear), poll FlushMan clear, then READs
 * into result slots 0-2: RWP, RWPHI, STS; LAR lock.  The flush drains
 * the sources' ATB pipelines through the links and completes the frame
 * in progress with null-ID padding (TMC 2.x "Flush", 3.3.20 FFCR;
 * CoreSight D4), so trace a source emitted before its disable is
 * stored before the RWP read back, which is a frame boundary.  ETR
 * only (an ETF's RAM is drained stopped).
 * Returns the number of ops, or -CS_EINVAL if r is no ETR.
 */
int cs_seq_tmc_flush(const struct cs_tmc_regs *r, struct cs_op *ops);

/* CTL = 0, CLAIMCLR, LAR lock.  Returns the number of ops. */
int cs_seq_tmc_release(struct cs_op *ops);

/*
 * cs_tmc_drain() - read a stopped ETF's RAM through RRD, from RRP on,
 * until it reads 0xFFFFFFFF (TMC 3.3.4), into the ring buffer ring of
 * size bytes from offset start on, wrapping; *got the bytes read (more
 * than size: the oldest were overwritten in ring).
 *
 * Returns 0 when the RAM is empty.
 * Returns -CS_EINVAL if size or start is not a multiple of 4, start is
 * not below size, or a read was refused.
 */
int cs_tmc_drain(const struct cs_io *io, uint8_t *ring, uint64_t size,
		 uint64_t start, uint64_t *got);

#endif /* HWT_CS_SEQ_H */
