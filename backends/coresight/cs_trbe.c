// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TRBE programming values and status (see cs_trbe.h).
 */
#include "cs_trbe.h"

static int cs_trbe_mode_ok(unsigned int m)
{
	return m == 0 || m == 1 || m == 3;	/* 0b10 is reserved */
}

int cs_trbe_program(const struct cs_caps *caps, uint64_t base,
		    uint64_t size, unsigned int fill, unsigned int trig,
		    uint64_t offset, struct cs_trbe_regs *regs)
{
	uint64_t align;

	memset(regs, 0, sizeof(*regs));
	if (!caps->trbe)
		return -CS_EOPNOTSUPP;
	if ((base | size) & (CS_TRBE_PAGE - 1) || !size ||
	    base + size < base || base + size == 0)
		return -CS_EINVAL;
	if (!cs_trbe_mode_ok(fill) || !cs_trbe_mode_ok(trig))
		return -CS_EINVAL;
	/* TRBPTR_EL1 must be aligned to 2^TRBIDR_EL1.Align (D19). */
	align = 1ull << caps->trbe_align;
	if (offset >= size || offset & (align - 1))
		return -CS_EINVAL;
	regs->baser = base;
	regs->ptr = base + offset;
	regs->limitr = (base + size) | (uint64_t)fill << TRBLIMITR_FM_SHIFT |
		       (uint64_t)trig << TRBLIMITR_TM_SHIFT | TRBLIMITR_E;
	return 0;
}

int cs_trbe_offset(const struct cs_trbe_regs *regs, uint64_t ptr,
		   uint64_t *off)
{
	uint64_t limit = regs->limitr & TRBLIMITR_LIMIT_MASK;

	if (ptr < regs->baser || ptr > limit)
		return -CS_EINVAL;
	*off = ptr - regs->baser;
	return 0;
}

int cs_trbe_status(uint64_t v, struct cs_trbe_status *st)
{
	/* Defined: MSS 15:0, S 17, EA 18, WRAP 20, TRG 21, IRQ 22, EC. */
	const uint64_t known = TRBSR_MSS_MASK | TRBSR_S | TRBSR_EA |
			       TRBSR_WRAP | TRBSR_TRG | TRBSR_IRQ |
			       TRBSR_EC_MASK;

	memset(st, 0, sizeof(*st));
	if (v & ~known)
		return -CS_EINVAL;
	st->ec = (v & TRBSR_EC_MASK) >> TRBSR_EC_SHIFT;
	st->mss = v & TRBSR_MSS_MASK;
	st->bsc = v & TRBSR_BSC_MASK;
	st->irq = !!(v & TRBSR_IRQ);
	st->wrapped = !!(v & TRBSR_WRAP);
	st->triggered = !!(v & TRBSR_TRG);
	st->ext_abort = !!(v & TRBSR_EA);
	st->stopped = !!(v & TRBSR_S);
	switch (st->ec) {
	case TRB_EC_BUF_MGMT:
		if (st->mss & ~TRBSR_BSC_MASK)
			goto bad;
		switch (st->bsc) {
		case TRB_BSC_NONE:
			st->why = st->stopped ? CS_TRBE_STOP_NONE :
				  CS_TRBE_RUNNING;
			break;
		case TRB_BSC_FULL:
			st->why = CS_TRBE_FULL;
			break;
		case TRB_BSC_TRIGGER:
			st->why = CS_TRBE_TRIGGER;
			break;
		default:
			goto bad;
		}
		break;
	case TRB_EC_ABORT_S1:
		st->why = CS_TRBE_ABORT_S1;
		break;
	case TRB_EC_ABORT_S2:
		st->why = CS_TRBE_ABORT_S2;
		break;
	case TRB_EC_GPC:
		st->why = CS_TRBE_GPC;
		break;
	case TRB_EC_IMPDEF:
		st->why = CS_TRBE_IMPDEF;
		break;
	default:
		goto bad;
	}
	if (st->why != CS_TRBE_RUNNING && st->why != CS_TRBE_STOP_NONE &&
	    !st->stopped && st->ec != TRB_EC_BUF_MGMT)
		goto bad;	/* an abort always stops collection */
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -CS_EINVAL;
}

enum cs_trbe_act cs_trbe_irq_action(uint64_t trbsr, unsigned int fill)
{
	struct cs_trbe_status st;

	if (cs_trbe_status(trbsr, &st) || !cs_trbe_mode_ok(fill))
		return CS_TRBE_ACT_FATAL;
	if (!st.irq)
		return CS_TRBE_ACT_NONE;
	if (st.ext_abort || st.triggered || !st.wrapped)
		return CS_TRBE_ACT_FATAL;
	if (fill == TRB_FM_FILL && st.why == CS_TRBE_FULL && st.stopped)
		return CS_TRBE_ACT_FULL;
	if (fill == TRB_FM_WRAP && st.why == CS_TRBE_RUNNING)
		return CS_TRBE_ACT_WRAP;
	return CS_TRBE_ACT_FATAL;
}

int cs_trbe_collect(uint64_t size, uint64_t start, uint64_t now,
		    unsigned int fill, int wrapped, struct cs_trbe_span *span)
{
	memset(span, 0, sizeof(*span));
	if (start > size || now > size || !cs_trbe_mode_ok(fill))
		return -CS_EINVAL;
	if (wrapped && fill == TRB_FM_FILL) {
		if (now != 0)
			return -CS_EINVAL;
		span->off = start;
		span->len = size - start;
		span->full = 1;
		return 0;
	}
	if (!wrapped) {
		if (now < start)
			return -CS_EINVAL;
		span->off = start;
		span->len = now - start;
		return 0;
	}
	span->off = now == size ? 0 : now;
	span->len = size;
	span->lost = 1;
	return 0;
}

int cs_trbe_advance(const struct cs_trbe_regs *regs, uint64_t off,
		    unsigned int fill, uint64_t ptr, uint64_t trbsr,
		    struct cs_trbe_adv *adv)
{
	uint64_t size = (regs->limitr & TRBLIMITR_LIMIT_MASK) - regs->baser;
	struct cs_trbe_status st;
	struct cs_trbe_span span;
	uint64_t now;

	memset(adv, 0, sizeof(*adv));
	if ((regs->limitr & TRBLIMITR_LIMIT_MASK) <= regs->baser ||
	    off >= size || cs_trbe_offset(regs, ptr, &now) ||
	    cs_trbe_status(trbsr, &st))
		return -CS_EINVAL;
	/* A pointer at the limit is the base after a wrap, else the end
	 * of a full buffer (cs_trbe_offset()). */
	if (st.wrapped && now == size)
		now = 0;
	if (cs_trbe_collect(size, off, now, fill, st.wrapped, &span))
		return -CS_EINVAL;
	adv->bytes = st.wrapped ? size - off + now : now - off;
	adv->off = now == size ? 0 : now;
	adv->error = st.ext_abort || (st.why != CS_TRBE_RUNNING &&
				      st.why != CS_TRBE_STOP_NONE &&
				      st.why != CS_TRBE_FULL &&
				      st.why != CS_TRBE_TRIGGER);
	adv->gap = span.full || adv->error;
	return 0;
}

uint64_t cs_trbe_pad(const struct cs_caps *caps, uint64_t off)
{
	uint64_t align = 1ull << caps->trbe_align;

	return (align - (off & (align - 1))) & (align - 1);
}
