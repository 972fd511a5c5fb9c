// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The funnel and replicator model (see cs_model_link.h).
 */
#include "cs_model_link.h"

/* Returns -1 after counting a refusal of rule. */
static int refuse(struct csm_link *l, const char *rule)
{
	l->refused++;
	l->rule = rule;
	return -1;
}

int csm_link_init(struct csm_link *l, enum cs_link_kind kind,
		  uint32_t nports)
{
	memset(l, 0, sizeof(*l));
	if (!nports || (kind == CS_LINK_FUNNEL && nports > 8) ||
	    (kind == CS_LINK_REPLICATOR && nports > 2) ||
	    (kind == CS_LINK_ETF && nports > 1) ||
	    (kind != CS_LINK_FUNNEL && kind != CS_LINK_REPLICATOR &&
	     kind != CS_LINK_ETF))
		return -CS_EINVAL;
	l->kind = kind;
	l->nports = nports;
	l->ctrl = FUNNEL_CTRL_HT_RESET << FUNNEL_CTRL_HT_SHIFT;
	l->slk = 1;
	return 0;
}

void csm_link_claim_external(struct csm_link *l)
{
	l->claim |= CS_CLAIM_EXTERNAL;
}

/* ETF: STS.TMCReady (TMC 3.3.3): capture off, or stopped after a flush. */
static int etf_ready(const struct csm_link *l)
{
	return !(l->ctl & TMC_CTL_CAPTEN) || l->stopped;
}

/* FFCR bits that are settings, not the flush and stop controls. */
#define ETF_FFCR_SETTINGS	(TMC_FFCR_DEFINED & ~(TMC_FFCR_FLUSHMAN | \
						       TMC_FFCR_STOPONFL))

/*
 * A write to an ETF's programming register (TMC 3.3.x).
 * Returns 0, or -1 if refused.
 */
static int etf_write(struct csm_link *l, uint32_t reg, uint32_t v)
{
	switch (reg) {
	case TMC_CTL:
		if (v & ~TMC_CTL_CAPTEN)
			return refuse(l, "TMC 3.3.8 CTL: RES0");
		/* Capture on starts afresh; off ends a stop (3.3.8). */
		if ((v ^ l->ctl) & TMC_CTL_CAPTEN)
			l->stopped = 0;
		l->ctl = v;
		return 0;
	case TMC_MODE:
		if (!etf_ready(l))
			return refuse(l, "TMC 3.3.10 MODE: changed while capture is enabled (not TMCReady)");
		if (v > TMC_MODE_HWFIFO)
			return refuse(l, "TMC 3.3.10 MODE: reserved value");
		l->mode = v;
		return 0;
	case TMC_BUFWM:
		if (!etf_ready(l))
			return refuse(l, "TMC 3.3.3: BUFWM written while not TMCReady");
		l->bufwm = v;
		return 0;
	case TMC_FFCR:
		if (v & ~TMC_FFCR_DEFINED)
			return refuse(l, "TMC 3.3.20 FFCR: RES0");
		if (!etf_ready(l) && ((v ^ l->ffcr) & ETF_FFCR_SETTINGS))
			return refuse(l, "TMC 3.3.3: FFCR settings changed while not TMCReady");
		/* The model holds nothing in its FIFO: a manual flush
		 * completes at once, and with StopOnFl stops capture. */
		if ((v & TMC_FFCR_FLUSHMAN) && (l->ctl & TMC_CTL_CAPTEN) &&
		    (v & TMC_FFCR_STOPONFL))
			l->stopped = 1;
		l->ffcr = v & ~TMC_FFCR_FLUSHMAN;
		return 0;
	}
	return refuse(l, "TMC as an ETF: no such register (or read-only)");
}

/*
 * A write to a programming register (not LAR, not CLAIM*).
 * Returns 0, or -1 if refused.
 */
static int prog_write(struct csm_link *l, uint32_t reg, uint32_t v)
{
	uint32_t ports = (1u << l->nports) - 1;

	if (!(l->claim_ours & CS_CLAIM_SELF_HOSTED))
		return refuse(l, "CoreSight B2.4: programmed without the claim tag");
	if (l->kind == CS_LINK_ETF)
		return etf_write(l, reg, v);
	if (l->kind == CS_LINK_FUNNEL) {
		if (reg == FUNNEL_CTRL) {
			if (v & FUNNEL_CTRL_RES0)
				return refuse(l, "SoC-400 Funnel Control: RES0");
			if (v & FUNNEL_CTRL_ENS_MASK & ~ports)
				return refuse(l, "SoC-400 Funnel Control: EnS of a port not implemented (DEVID PORTCOUNT)");
			l->ctrl = v;
			return 0;
		}
		if (reg == FUNNEL_PRICTRL) {
			if (v & FUNNEL_PRICTRL_RES0)
				return refuse(l, "SoC-400 Priority Control: RES0");
			if (l->ctrl & FUNNEL_CTRL_ENS_MASK)
				return refuse(l, "SoC-400 Priority Control: written with ports enabled");
			l->prictrl = v;
			return 0;
		}
		return refuse(l, "SoC-400 funnel: no such register");
	}
	if (reg == REPL_IDFILTER0 || reg == REPL_IDFILTER1) {
		unsigned int p = (reg - REPL_IDFILTER0) / 4;

		if (p >= l->nports)
			return refuse(l, "SoC-400 IDFILTERn: no such master port (DEVID PORTNUM)");
		if (v & REPL_IDFILTER_RES0)
			return refuse(l, "SoC-400 IDFILTERn: RES0");
		l->idf[p] = v;
		return 0;
	}
	return refuse(l, "SoC-400 replicator: no such register");
}

int csm_link_write(struct csm_link *l, uint32_t reg, uint64_t val)
{
	uint32_t v = (uint32_t)val, other;
	int ret;

	if (val >> 32)
		return refuse(l, "CoreSight: 32-bit registers");
	if (reg == CS_LINK_LAR) {
		l->slk = v != CS_LAR_UNLOCK;
		l->writes++;
		return 0;
	}
	if (l->slk)
		return refuse(l, "CoreSight B2 LAR: written while the software lock is set");
	other = l->claim & ~l->claim_ours;
	switch (reg) {
	case CS_LINK_CLAIMSET:
		if (v & ~0xfu)
			return refuse(l, "CoreSight B2.4 CLAIMSET: a tag not implemented");
		if (other)
			return refuse(l, "CoreSight B2.4: claimed over another agent's tag");
		l->claim |= v;
		l->claim_ours |= v;
		break;
	case CS_LINK_CLAIMCLR:
		if (v & ~l->claim_ours)
			return refuse(l, "CoreSight B2.4: another agent's tag cleared");
		l->claim &= ~v;
		l->claim_ours &= ~v;
		break;
	default:
		ret = prog_write(l, reg, v);
		if (ret)
			return ret;
	}
	l->writes++;
	return 0;
}

int csm_link_read(struct csm_link *l, uint32_t reg, uint64_t *val)
{
	switch (reg) {
	case CS_LINK_CLAIMSET:
		*val = 0xf;		/* four tags implemented */
		return 0;
	case CS_LINK_CLAIMCLR:
		*val = l->claim;
		return 0;
	case CS_LINK_LSR:
		*val = CS_LSR_SLI | (l->slk ? CS_LSR_SLK : 0);
		return 0;
	case CS_LINK_DEVID:
		/* ETF: DEVID.CONFIGTYPE 2, MEMWIDTH 4 (128 bits). */
		*val = l->kind == CS_LINK_ETF ?
		       (uint64_t)CS_TMC_ETF << TMC_DEVID_CONFIG_SHIFT |
		       4u << TMC_DEVID_MEMWIDTH_SHIFT : l->nports;
		return 0;
	}
	if (l->kind == CS_LINK_ETF) {
		switch (reg) {
		case TMC_STS:
			/* The FIFO never holds anything: Empty, FtEmpty. */
			*val = (etf_ready(l) ? TMC_STS_TMCREADY : 0) |
			       TMC_STS_EMPTY | TMC_STS_FTEMPTY;
			return 0;
		case TMC_CTL:
			*val = l->ctl;
			return 0;
		case TMC_MODE:
			*val = l->mode;
			return 0;
		case TMC_FFCR:
			*val = l->ffcr;
			return 0;
		case TMC_BUFWM:
			*val = l->bufwm;
			return 0;
		case TMC_FFSR:
			*val = l->stopped ? TMC_FFSR_FTSTOPPED : 0;
			return 0;
		}
		return refuse(l, "TMC as an ETF: no such register");
	}
	if (l->kind == CS_LINK_FUNNEL && reg == FUNNEL_CTRL)
		*val = l->ctrl;
	else if (l->kind == CS_LINK_FUNNEL && reg == FUNNEL_PRICTRL)
		*val = l->prictrl;
	else if (l->kind == CS_LINK_REPLICATOR && reg == REPL_IDFILTER0)
		*val = l->idf[0];
	else if (l->kind == CS_LINK_REPLICATOR && reg == REPL_IDFILTER1 &&
		 l->nports > 1)
		*val = l->idf[1];
	else
		return refuse(l, "CoreSight link: no such register");
	return 0;
}

int csm_link_pass(struct csm_link *l, unsigned int in, unsigned int out,
		  uint8_t id)
{
	int pass;

	if (l->kind == CS_LINK_FUNNEL)
		pass = in < l->nports && out == 0 &&
		       (l->ctrl & FUNNEL_CTRL_ENS(in));
	else if (l->kind == CS_LINK_ETF)
		pass = in == 0 && out == 0 && (l->ctl & TMC_CTL_CAPTEN) &&
		       l->mode == TMC_MODE_HWFIFO && !l->stopped;
	else
		pass = in == 0 && out < l->nports &&
		       !(l->idf[out] & cs_repl_id_bit(id));
	if (pass)
		l->passed++;
	else
		l->blocked++;
	return pass;
}

static int io_read(void *ctx, uint32_t reg, uint64_t *v)
{
	return csm_link_read(ctx, reg, v);
}

static int io_write(void *ctx, uint32_t reg, uint64_t v)
{
	return csm_link_write(ctx, reg, v);
}

static void io_order(void *ctx, enum cs_op_kind kind)
{
	(void)ctx;
	(void)kind;
}

void csm_link_io(struct csm_link *l, struct cs_io *io)
{
	io->read = io_read;
	io->write = io_write;
	io->order = io_order;
	io->ctx = l;
}
