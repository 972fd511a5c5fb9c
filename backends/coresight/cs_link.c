// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Funnel and replicator programming sequences (see cs_link.h).
 */
#include "cs_link.h"

#define OP(k, r, v, m)	((struct cs_op){ .kind = (k), .reg = (r), \
					 .val = (v), .mask = (m) })
#define WR(r, v)	OP(CS_OP_WRITE, r, v, 0)
#define RMW(r, v, m)	OP(CS_OP_WRITE, r, v, m)
#define RD(r)		OP(CS_OP_READ, r, 0, 0)
#define POLL(r, v, m)	OP(CS_OP_POLL, r, v, m)
#define WAIT(r, v, m)	OP(CS_OP_WAIT, r, v, m)

/*
 * Whether port and id fit a link of kind.
 * Returns 0 if they do, -CS_EINVAL if not.
 */
static int link_check(enum cs_link_kind kind, unsigned int port, uint8_t id)
{
	if (id < CS_TRACEID_MIN || id > CS_TRACEID_MAX)
		return -CS_EINVAL;
	if (kind == CS_LINK_FUNNEL)
		return port > 7 ? -CS_EINVAL : 0;
	if (kind == CS_LINK_REPLICATOR)
		return port > 1 ? -CS_EINVAL : 0;
	if (kind == CS_LINK_ETF)
		return port ? -CS_EINVAL : 0;
	return -CS_EINVAL;
}

int cs_link_seq_enable(enum cs_link_kind kind, unsigned int port, uint8_t id,
		       int first, struct cs_op *ops)
{
	int n = 0, ret = link_check(kind, port, id);

	if (ret)
		return ret;
	if (first) {
		/* Claim (CoreSight B2.4): nobody holds a tag. */
		ops[n++] = OP(CS_OP_EXPECT, CS_LINK_CLAIMCLR, 0,
			      CS_CLAIM_SELF_HOSTED | CS_CLAIM_EXTERNAL);
	}
	/* The software lock off before any write (CoreSight B2 LAR). */
	ops[n++] = WR(CS_LINK_LAR, CS_LAR_UNLOCK);
	if (first)
		ops[n++] = WR(CS_LINK_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	if (kind == CS_LINK_ETF) {
		/* Programmed only while TMCReady (TMC 3.3.3): capture off
		 * or stopped; then Hardware FIFO mode (3.3.10), formatter
		 * (3.3.20) and capture on (3.3.8), as Linux's
		 * __tmc_etf_enable_link.  A later user needs nothing. */
		if (first) {
			ops[n++] = POLL(TMC_STS, TMC_STS_TMCREADY,
					TMC_STS_TMCREADY);
			ops[n++] = WR(TMC_MODE, TMC_MODE_HWFIFO);
			ops[n++] = WR(TMC_FFCR, CS_ETF_LINK_FFCR);
			ops[n++] = WR(TMC_BUFWM, 0);
			ops[n++] = WR(TMC_CTL, TMC_CTL_CAPTEN);
		}
	} else if (kind == CS_LINK_FUNNEL) {
		/* Equal priorities, while every port is off (SoC-400
		 * Priority Control); then EnS<port> with the reset hold
		 * time (Funnel Control), the other ports as they are. */
		if (first)
			ops[n++] = WR(FUNNEL_PRICTRL, 0);
		ops[n++] = RD(FUNNEL_CTRL);
		ops[n++] = RMW(FUNNEL_CTRL,
			       FUNNEL_CTRL_HT_RESET << FUNNEL_CTRL_HT_SHIFT |
			       FUNNEL_CTRL_ENS(port),
			       FUNNEL_CTRL_HT_MASK | FUNNEL_CTRL_ENS(port));
	} else {
		/* Both master ports closed to every ID (reset passes all),
		 * then this ID's group opened on port (SoC-400 IDFILTERn). */
		if (first) {
			ops[n++] = WR(REPL_IDFILTER0, REPL_IDFILTER_ALL);
			ops[n++] = WR(REPL_IDFILTER1, REPL_IDFILTER_ALL);
		}
		ops[n++] = RD(REPL_IDFILTER(port));
		ops[n++] = RMW(REPL_IDFILTER(port), 0, cs_repl_id_bit(id));
	}
	ops[n++] = WR(CS_LINK_LAR, 0);
	return n;
}

int cs_link_seq_disable(enum cs_link_kind kind, unsigned int port,
			uint8_t id, int last, struct cs_op *ops)
{
	int n = 0, ret = link_check(kind, port, id);

	if (ret)
		return ret;
	ops[n++] = WR(CS_LINK_LAR, CS_LAR_UNLOCK);
	if (kind == CS_LINK_ETF) {
		/* Flush and stop (TMC 3.3.20, Linux's tmc_flush_and_stop):
		 * StopOnFl, then FlushMan, which clears itself once what
		 * the FIFO held has gone out of its master port; then
		 * TMCReady (3.3.3) before capture is turned off (3.3.8).
		 * A flush that never ends (a wedged master port) is waited
		 * for, reported, and capture turned off all the same, as
		 * Linux's tmc_disable_hw() follows a timed-out flush. */
		if (last) {
			ops[n++] = WR(TMC_FFCR, CS_ETF_LINK_FFCR |
				      TMC_FFCR_STOPONFL);
			ops[n++] = WR(TMC_FFCR, CS_ETF_LINK_FFCR |
				      TMC_FFCR_STOPONFL | TMC_FFCR_FLUSHMAN);
			ops[n++] = WAIT(TMC_FFCR, 0, TMC_FFCR_FLUSHMAN);
			ops[n++] = WAIT(TMC_STS, TMC_STS_TMCREADY,
					TMC_STS_TMCREADY);
			ops[n++] = WR(TMC_CTL, 0);
		}
	} else if (kind == CS_LINK_FUNNEL) {
		ops[n++] = RD(FUNNEL_CTRL);
		ops[n++] = RMW(FUNNEL_CTRL, 0, FUNNEL_CTRL_ENS(port));
	} else {
		ops[n++] = RD(REPL_IDFILTER(port));
		ops[n++] = RMW(REPL_IDFILTER(port), cs_repl_id_bit(id),
			       cs_repl_id_bit(id));
		if (last) {
			ops[n++] = WR(REPL_IDFILTER0, REPL_IDFILTER_ALL);
			ops[n++] = WR(REPL_IDFILTER1, REPL_IDFILTER_ALL);
		}
	}
	if (last)
		ops[n++] = WR(CS_LINK_CLAIMCLR, CS_CLAIM_SELF_HOSTED);
	ops[n++] = WR(CS_LINK_LAR, 0);
	return n;
}

/* Where hop i of p keeps its use counts, and how it is programmed. */
struct link_slot {
	const struct cs_comp *c;
	struct cs_link_use *u;
	uint16_t *bit;
	enum cs_link_kind kind;
	unsigned int port;
};

/*
 * Finds hop i's slot for source trace ID id.
 * Returns 0 with *s filled;
 * Returns -CS_EINVAL if i is not a link of p or id no source trace ID;
 * Returns -CS_EOPNOTSUPP if the hop is a link this backend does not
 *   program.
 */
static int link_slot(const struct cs_topo *t, const struct cs_path *p,
		     unsigned int i, uint8_t id, struct cs_link_use *use,
		     struct link_slot *s)
{
	unsigned int rp = 0, bit;

	if (!i || i + 1 >= p->nhop || p->nhop > CS_TOPO_MAX_HOPS ||
	    id < CS_TRACEID_MIN || id > CS_TRACEID_MAX)
		return -CS_EINVAL;
	s->c = &t->comp[p->hop[i].comp];
	s->u = &use[p->hop[i].comp];
	if (s->c->kind == CS_COMP_FUNNEL) {
		s->kind = CS_LINK_FUNNEL;
		s->port = (unsigned int)p->hop[i].in_port;
		bit = s->port;
	} else if (s->c->kind == CS_COMP_REPLICATOR) {
		s->kind = CS_LINK_REPLICATOR;
		s->port = (unsigned int)p->hop[i].out_port;
		rp = s->port;
		bit = (unsigned int)id >> 4;
	} else if (s->c->kind == CS_COMP_TMC && s->c->n_out) {
		/* One FIFO for every source behind it. */
		s->kind = CS_LINK_ETF;
		s->port = 0;
		bit = 0;
	} else {
		return -CS_EOPNOTSUPP;
	}
	if (s->port > (s->kind == CS_LINK_FUNNEL ? 7u : 1u))
		return -CS_EINVAL;
	s->bit = &s->u->bit[rp][bit];
	return 0;
}

int cs_link_hop(const struct cs_topo *t, const struct cs_path *p,
		unsigned int i, uint8_t id, int enable,
		struct cs_link_use *use, struct cs_op *ops)
{
	struct link_slot s;
	int ret = link_slot(t, p, i, id, use, &s);

	if (ret)
		return ret;
	if (enable) {
		int first = !s.u->users, n = 0;

		s.u->users++;
		if (!(*s.bit)++ && !(s.c->flags & CS_COMP_STATIC))
			n = cs_link_seq_enable(s.kind, s.port, id, first, ops);
		return n;
	}
	if (!s.u->users || !*s.bit)
		return -CS_EINVAL;
	s.u->users--;
	if (--(*s.bit) || (s.c->flags & CS_COMP_STATIC))
		return 0;
	return cs_link_seq_disable(s.kind, s.port, id, !s.u->users, ops);
}

int cs_link_hop_forget(const struct cs_topo *t, const struct cs_path *p,
		       unsigned int i, uint8_t id, struct cs_link_use *use)
{
	struct link_slot s;
	int ret = link_slot(t, p, i, id, use, &s);

	if (ret)
		return ret;
	if (!s.u->users || !*s.bit)
		return -CS_EINVAL;
	s.u->users--;
	(*s.bit)--;
	return 0;
}

int cs_link_path(const struct cs_topo *t, const struct cs_path *p,
		 uint8_t id, int enable, struct cs_link_use *use,
		 cs_link_run_fn run, void *ctx, struct cs_op *ops)
{
	unsigned int k, i;
	int n, ran, ret = 0;

	for (k = 1; k + 1 < p->nhop; k++) {
		i = enable ? p->nhop - 1 - k : k;
		n = cs_link_hop(t, p, i, id, enable, use, ops);
		ran = n > 0;
		if (ran)
			n = run(ctx, i, ops, n);
		if (!n)
			continue;
		if (!ret)
			ret = n;
		if (!enable)
			continue;
		/* Opened from the sink: closed again from the source's
		 * side, from hop i if its ops ran (no ops made: no use
		 * counted), its use forgotten if another agent holds it
		 * (EBUSY: nothing written). */
		if (!ran)
			i++;
		else if (n == -CS_EBUSY)
			cs_link_hop_forget(t, p, i++, id, use);
		for (; i + 1 < p->nhop; i++) {
			n = cs_link_hop(t, p, i, id, 0, use, ops);
			if (n > 0)
				run(ctx, i, ops, n);
		}
		break;
	}
	return ret;
}
