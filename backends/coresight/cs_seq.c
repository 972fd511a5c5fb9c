// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Trace unit programming sequences (see cs_seq.h).
 */
#include "cs_seq.h"

#define OP(k, r, v, m)	(struct cs_op){ .kind = (k), .reg = (r), \
					.val = (v), .mask = (m) }
#define WR(r, v)	OP(CS_OP_WRITE, r, v, 0)

int cs_seq_start(const struct cs_caps *caps, const struct cs_regs *regs,
		 const struct cs_trbe_regs *trbe, struct cs_op *ops)
{
	int n = 0, is_trbe = regs->sink == HWT_CORESIGHT_SINK_TRBE;
	uint32_t i;

	if (is_trbe != !!trbe || (is_trbe && caps->arch != CS_ARCH_ETE))
		return -CS_EINVAL;

	/* Claim (CoreSight Architecture B2.4): nobody holds a tag. */
	ops[n++] = OP(CS_OP_EXPECT, TRCCLAIMCLR, 0,
		      CS_CLAIM_SELF_HOSTED | CS_CLAIM_EXTERNAL);
	/* ETMv4, memory-mapped: the software lock off before any write
	 * (CoreSight B2 LAR), as Linux's etm4x does (CS_UNLOCK). */
	if (caps->arch == CS_ARCH_ETMV4)
		ops[n++] = WR(TRCLAR, CS_LAR_UNLOCK);
	ops[n++] = WR(TRCCLAIMSET, CS_CLAIM_SELF_HOSTED);
	/* OS Lock released before programming (ETMv4 3.4.1, 7.3.41). */
	ops[n++] = WR(TRCOSLAR, 0);
	ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
	/* Disable, then wait for idle before any programming (3.4.3). */
	ops[n++] = WR(TRCPRGCTLR, 0);
	ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
	ops[n++] = OP(CS_OP_POLL, TRCSTATR, TRCSTATR_IDLE, TRCSTATR_IDLE);

	ops[n++] = WR(TRCCONFIGR, regs->configr);
	ops[n++] = WR(TRCEVENTCTL0R, regs->eventctl0r);
	ops[n++] = WR(TRCEVENTCTL1R, regs->eventctl1r);
	if (caps->stallctl)
		ops[n++] = WR(TRCSTALLCTLR, regs->stallctlr);
	if (caps->ts_bits)
		ops[n++] = WR(TRCTSCTLR, regs->tsctlr);
	if (regs->write_syncpr)
		ops[n++] = WR(TRCSYNCPR, regs->syncpr);
	if (regs->write_ccctlr)
		ops[n++] = WR(TRCCCCTLR, regs->ccctlr);
	if (regs->write_bbctlr)
		ops[n++] = WR(TRCBBCTLR, regs->bbctlr);
	ops[n++] = WR(TRCTRACEIDR, regs->traceidr);
	ops[n++] = WR(TRCVICTLR, regs->victlr);
	if (caps->num_ac_pairs)
		ops[n++] = WR(TRCVIIECTLR, regs->viiectlr);
	if (caps->num_ac_pairs)
		ops[n++] = WR(TRCVISSCTLR, regs->vissctlr);
	for (i = 0; i < regs->nac; i++) {
		ops[n++] = WR(TRCACVR(i), regs->acvr[i]);
		ops[n++] = WR(TRCACATR(i), regs->acatr[i]);
	}

	/* ETMv4: powered (TRCPDSR.POWER; the read clears STICKYPD,
	 * 7.3.50), and kept powered while it traces (TRCPDCR.PU, 7.3.49). */
	if (caps->arch == CS_ARCH_ETMV4) {
		ops[n++] = OP(CS_OP_POLL, TRCPDSR, TRCPDSR_POWER,
			      TRCPDSR_POWER);
		ops[n++] = WR(TRCPDCR, TRCPDCR_PU);
	}
	/* The sink before the source (D10.2: TRBE enabled, then trace). */
	if (trbe) {
		ops[n++] = WR(CS_TRBSR, 0);
		ops[n++] = WR(CS_TRBBASER, trbe->baser);
		ops[n++] = WR(CS_TRBPTR, trbe->ptr);
		ops[n++] = WR(CS_TRBLIMITR, trbe->limitr);
		ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
	}
	ops[n++] = WR(TRCPRGCTLR, TRCPRGCTLR_EN);
	ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
	ops[n++] = OP(CS_OP_POLL, TRCSTATR, 0, TRCSTATR_IDLE);
	if (caps->arch == CS_ARCH_ETMV4)
		ops[n++] = WR(TRCLAR, 0);
	return n;
}

int cs_seq_stop(const struct cs_caps *caps, int trbe, struct cs_op *ops)
{
	int n = 0;

	if (caps->arch == CS_ARCH_ETMV4)
		ops[n++] = WR(TRCLAR, CS_LAR_UNLOCK);
	ops[n++] = WR(TRCPRGCTLR, 0);
	ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
	/* Idle with stable registers (ETMv4 7.3.66). */
	ops[n++] = OP(CS_OP_POLL, TRCSTATR, TRCSTATR_IDLE | TRCSTATR_PMSTABLE,
		      TRCSTATR_IDLE | TRCSTATR_PMSTABLE);
	if (trbe) {
		/* Trace in flight to memory, then the TRBE off (D10.8). */
		ops[n++] = OP(CS_OP_TSB, 0, 0, 0);
		ops[n++] = OP(CS_OP_DSB, 0, 0, 0);
		ops[n++] = OP(CS_OP_READ, CS_TRBLIMITR, 0, 0);
		ops[n++] = OP(CS_OP_WRITE, CS_TRBLIMITR, 0, TRBLIMITR_E);
		ops[n++] = OP(CS_OP_ISB, 0, 0, 0);
		ops[n++] = OP(CS_OP_READ, CS_TRBPTR, 0, 0);
		ops[n++] = OP(CS_OP_READ, CS_TRBSR, 0, 0);
		ops[n++] = WR(CS_TRBSR, 0);
	}
	ops[n++] = WR(TRCCLAIMCLR, CS_CLAIM_SELF_HOSTED);
	if (caps->arch == CS_ARCH_ETMV4)
		ops[n++] = WR(TRCLAR, 0);
	return n;
}

int cs_seq_tmc_start(const struct cs_tmc_regs *r, struct cs_op *ops)
{
	int n = 0, etr = r->kind == CS_TMC_ETR;

	if ((r->kind != CS_TMC_ETR && r->kind != CS_TMC_ETF) ||
	    etr == (r->buf == CS_TMC_BUF_RAM))
		return -CS_EINVAL;
	ops[n++] = OP(CS_OP_EXPECT, TMC_CLAIMCLR, 0,
		      CS_CLAIM_SELF_HOSTED | CS_CLAIM_EXTERNAL);
	ops[n++] = WR(TMC_LAR, CS_LAR_UNLOCK);
	ops[n++] = WR(TMC_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	/* Programmed only when ready (TMC 3.3.3, Linux
	 * tmc_wait_for_tmcready()). */
	ops[n++] = OP(CS_OP_POLL, TMC_STS, TMC_STS_TMCREADY,
		      TMC_STS_TMCREADY);
	if (etr)
		ops[n++] = WR(TMC_RSZ, r->rsz);
	ops[n++] = WR(TMC_MODE, r->mode);
	if (etr) {
		ops[n++] = WR(TMC_AXICTL, r->axictl);
		ops[n++] = WR(TMC_DBALO, (uint32_t)r->dba);
		ops[n++] = WR(TMC_DBAHI, r->dba >> 32);
	}
	/* The pointers where this session's trace starts (TMC 3.3.5/6;
	 * SoC-600 ETRs need them written, Linux TMC_ETR_SAVE_RESTORE). */
	ops[n++] = WR(TMC_RRP, (uint32_t)r->rrp);
	ops[n++] = WR(TMC_RWP, (uint32_t)r->rwp);
	if (etr) {
		ops[n++] = WR(TMC_RRPHI, r->rrp >> 32);
		ops[n++] = WR(TMC_RWPHI, r->rwp >> 32);
	}
	ops[n++] = WR(TMC_FFCR, r->ffcr);
	ops[n++] = WR(TMC_TRG, 0);
	ops[n++] = WR(TMC_CTL, TMC_CTL_CAPTEN);
	ops[n++] = WR(TMC_LAR, 0);
	return n;
}

int cs_seq_tmc_stop(const struct cs_tmc_regs *r, struct cs_op *ops)
{
	int n = 0;

	ops[n++] = WR(TMC_LAR, CS_LAR_UNLOCK);
	/* Flush and stop (TMC 3.3.20; Linux tmc_flush_and_stop()):
	 * StopOnFl, then FlushMan, wait for it to clear and TMCReady. */
	ops[n++] = WR(TMC_FFCR, r->ffcr | TMC_FFCR_STOPONFL);
	ops[n++] = WR(TMC_FFCR, r->ffcr | TMC_FFCR_STOPONFL |
		      TMC_FFCR_FLUSHMAN);
	ops[n++] = OP(CS_OP_POLL, TMC_FFCR, 0, TMC_FFCR_FLUSHMAN);
	ops[n++] = OP(CS_OP_POLL, TMC_STS, TMC_STS_TMCREADY,
		      TMC_STS_TMCREADY);
	ops[n++] = OP(CS_OP_READ, TMC_RWP, 0, 0);
	ops[n++] = OP(CS_OP_READ, r->kind == CS_TMC_ETR ? TMC_RWPHI : TMC_RSZ,
		      0, 0);
	ops[n++] = OP(CS_OP_READ, TMC_STS, 0, 0);
	return n;
}

int cs_seq_tmc_flush(const struct cs_tmc_regs *r, struct cs_op *ops)
{
	int n = 0;

	if (r->kind != CS_TMC_ETR)
		return -CS_EINVAL;
	ops[n++] = WR(TMC_LAR, CS_LAR_UNLOCK);
	ops[n++] = WR(TMC_FFCR, r->ffcr | TMC_FFCR_FLUSHMAN);
	ops[n++] = OP(CS_OP_POLL, TMC_FFCR, 0, TMC_FFCR_FLUSHMAN);
	ops[n++] = OP(CS_OP_READ, TMC_RWP, 0, 0);
	ops[n++] = OP(CS_OP_READ, TMC_RWPHI, 0, 0);
	ops[n++] = OP(CS_OP_READ, TMC_STS, 0, 0);
	ops[n++] = WR(TMC_LAR, 0);
	return n;
}

int cs_seq_tmc_release(struct cs_op *ops)
{
	int n = 0;

	ops[n++] = WR(TMC_CTL, 0);
	ops[n++] = WR(TMC_CLAIMCLR, CS_CLAIM_SELF_HOSTED);
	ops[n++] = WR(TMC_LAR, 0);
	return n;
}

int cs_tmc_drain(const struct cs_io *io, uint8_t *ring, uint64_t size,
		 uint64_t start, uint64_t *got)
{
	uint64_t v;
	int i;

	*got = 0;
	if (!size || size % 4 || start >= size || start % 4)
		return -CS_EINVAL;
	for (;;) {
		if (io->read(io->ctx, TMC_RRD, &v))
			return -CS_EINVAL;
		/* 0xFFFFFFFF: nothing left (TMC 3.3.4; Linux
		 * tmc_etb_dump_hw()). */
		if ((uint32_t)v == 0xffffffffu)
			return 0;
		for (i = 0; i < 4; i++)
			ring[(start + *got + i) % size] = (uint8_t)(v >> 8 * i);
		*got += 4;
	}
}

int cs_seq_run(const struct cs_op *ops, int n, const struct cs_io *io,
	       uint64_t *res, int nres)
{
	int failed;

	return cs_seq_run_at(ops, n, io, res, nres, &failed);
}

/*
 * Reads o->reg until (value & o->mask) == o->val.
 * Returns 1 if it did, 0 if not in CS_POLL_MAX reads;
 * Returns -1 if a read was refused.
 */
static int poll_until(const struct cs_io *io, const struct cs_op *o)
{
	uint64_t v;
	int k;

	for (k = 0; k < CS_POLL_MAX; k++) {
		if (io->read(io->ctx, o->reg, &v))
			return -1;
		if ((v & o->mask) == o->val)
			return 1;
	}
	return 0;
}

int cs_seq_run_at(const struct cs_op *ops, int n, const struct cs_io *io,
		  uint64_t *res, int nres, int *failed)
{
	int i, k, r = 0, waited = -1;
	uint64_t v, last = 0;

	for (i = 0; i < n; i++) {
		*failed = i;
		const struct cs_op *o = &ops[i];

		switch (o->kind) {
		case CS_OP_WRITE:
			v = o->val;
			/* mask: those bits of the last value read replaced
			 * by val's (a read-modify-write, e.g. TRBLIMITR.E). */
			if (o->mask)
				v = (last & ~o->mask) | (o->val & o->mask);
			if (io->write(io->ctx, o->reg, v))
				return -CS_EINVAL;
			break;
		case CS_OP_POLL:
		case CS_OP_WAIT:
			k = poll_until(io, o);
			if (k < 0 || (!k && o->kind == CS_OP_POLL))
				return -CS_EINVAL;
			if (!k && waited < 0)
				waited = i;
			break;
		case CS_OP_EXPECT:
			if (io->read(io->ctx, o->reg, &v))
				return -CS_EINVAL;
			if ((v & o->mask) != o->val)
				return -CS_EBUSY;
			break;
		case CS_OP_READ:
			if (io->read(io->ctx, o->reg, &v))
				return -CS_EINVAL;
			last = v;
			/* The TRBLIMITR read only feeds the next write. */
			if (o->reg == CS_TRBLIMITR)
				break;
			if (r >= nres)
				return -CS_EINVAL;
			res[r++] = v;
			break;
		default:
			io->order(io->ctx, o->kind);
			break;
		}
	}
	*failed = waited < 0 ? n : waited;
	return waited < 0 ? 0 : -CS_EINVAL;
}
