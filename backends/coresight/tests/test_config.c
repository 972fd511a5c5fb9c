// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_config against cs_model, on every unit of cs_cpus.h, both modes:
 *   - an oracle written here from the ABI's documented rules and the hand
 *     decodes of cs_cpus.h (not cs_caps) predicts the answer to every
 *     generated config: cs_config_parse() must agree;
 *   - every accepted config, programmed with cs_seq_start(), draws zero
 *     refusals from the model, enables the unit, and the model's
 *     registers hold what the config asked for (bit positions spelled
 *     out from the ETMv4 spec here); trace emitted through a TRBE lands
 *     where cs_trbe_offset() says after cs_seq_stop(), again with zero
 *     refusals;
 *   - every config refused as unsupported where the unit's registers
 *     would show it really is: its register values built for a unit
 *     that claims the feature draw at least one refusal from this
 *     unit's model.
 */
#include <stdlib.h>

#include "cs_unit.h"
#include "cs_cpus.h"
#include "cs_run.h"
#include "../cs_config.h"

#define F(x)	HWT_CORESIGHT_ ## x

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- the oracle ---- */

/* E_NOTSUPP_SOFT: unsupported without a register showing it (an EL the
 * unit cannot trace only goes unexcluded; a sink is not a unit register). */
enum why { OK, E_ABI_BIG, E_INVAL, E_NOTSUPP_SOFT, E_NOTSUPP, E_CPU_BIG };

static enum why oracle(const struct cs_cpu *c,
		       const struct hwt_coresight_config *x, enum cs_mode mode)
{
	static const struct hwt_coresight_range zero;
	unsigned int i, f = x->flags;
	int bad = 0, notsupp = 0, soft = 0;

	if (x->nranges > 8)
		return E_ABI_BIG;
	bad |= (f >> 9) != 0 || x->reserved[0] || x->reserved[1];
	bad |= x->sink > 3;
	bad |= !(f & (F(USER) | F(KERNEL)));
	bad |= (f & F(KERNEL)) && mode == CS_MODE_THREAD;
	bad |= (f & F(CYCLES)) ? x->cc_threshold == 0 ||
	       x->cc_threshold > 0xfff : x->cc_threshold != 0;
	bad |= (f & F(TS_EVENT)) && !(f & F(TIMESTAMP));
	bad |= (f & F(TS_EVENT)) ? x->ts_event > 31 : x->ts_event != 0;
	bad |= x->sync_period && (x->sync_period < 8 || x->sync_period > 20);
	for (i = 0; i < 8; i++) {
		const struct hwt_coresight_range *r = &x->ranges[i];

		if (i >= x->nranges) {
			bad |= memcmp(r, &zero, sizeof(zero)) != 0;
			continue;
		}
		bad |= r->reserved || (r->type != 1 && r->type != 2);
		bad |= ((r->start | r->end) & 3) != 0;
		bad |= c->want.ia_bits == 32 && ((r->start | r->end) >> 32);
		bad |= r->start > r->end;
	}
	if (bad)
		return E_INVAL;
	notsupp |= (f & F(BRANCH_BCAST)) && !c->want.bb;
	notsupp |= (f & F(RETSTACK)) && !c->want.rs;
	notsupp |= (f & F(CYCLES)) &&
		   (!c->want.cci || x->cc_threshold < c->want.ccitmin);
	notsupp |= (f & F(TIMESTAMP)) && !c->want.ts_bits;
	notsupp |= (f & F(TS_EVENT)) && x->ts_event >= 2 * c->want.rs_pairs;
	notsupp |= ((f & F(CONTEXTID)) || mode == CS_MODE_THREAD) &&
		   !c->want.cid_bits;
	notsupp |= (f & F(VMID)) && !c->want.vmid_bits;
	notsupp |= x->sync_period && c->want.sync_fixed;
	soft |= (f & F(USER)) && !(c->want.exl_ns & 1);
	soft |= (f & F(KERNEL)) && !(c->want.exl_ns & 2);
	soft |= x->sink ? !(c->want.sinks & (1u << x->sink)) : !c->want.sinks;
	if (notsupp)
		return E_NOTSUPP;
	if (soft)
		return E_NOTSUPP_SOFT;
	if (x->nranges > c->want.pairs)
		return E_CPU_BIG;
	return OK;
}

static int want_ret(enum why w)
{
	switch (w) {
	case OK:
		return 0;
	case E_ABI_BIG:
	case E_CPU_BIG:
		return -CS_E2BIG;
	case E_INVAL:
		return -CS_EINVAL;
	default:
		return -CS_EOPNOTSUPP;
	}
}

/* ---- config generator: mostly near-valid, some of everything ---- */

static void gen(struct hwt_coresight_config *x, unsigned int pairs)
{
	unsigned int i, r = rnd() % 20;
	uint64_t a;

	memset(x, 0, sizeof(*x));
	x->flags = rnd() & F(FLAGS_ALL);
	if (r != 0)
		x->flags &= ~F(KERNEL) | (rnd() % 4 ? 0 : F(KERNEL));
	if (r != 1)
		x->flags |= rnd() % 8 ? F(USER) : 0;
	if (r == 2)
		x->flags |= 1u << (9 + rnd() % 23);
	if (x->flags & F(CYCLES))
		x->cc_threshold = r == 3 ? 0x1000 : 1 + rnd() % 64;
	if (x->flags & F(TS_EVENT))
		x->ts_event = r == 4 ? 32 : rnd() % 20;
	else if (!(x->flags & F(TIMESTAMP)) && r != 5)
		x->flags &= ~F(TS_EVENT);
	if (rnd() % 3 == 0)
		x->sync_period = r == 6 ? rnd() % 8 : 8 + rnd() % 13;
	x->sink = r == 7 ? 4 + rnd() % 4 : rnd() % 4;
	x->nranges = r == 8 ? rnd() % 10 : rnd() % (pairs + 2);
	if (x->nranges > 8 && r != 8)
		x->nranges = 8;
	for (i = 0; i < x->nranges && i < 8; i++) {
		a = 0x400000 + (rnd() % 0x100000) * 4;
		x->ranges[i].start = a;
		x->ranges[i].end = a + (rnd() % 0x4000) * 4;
		x->ranges[i].type = 1 + rnd() % 2;
	}
	switch (r) {
	case 9:
		x->reserved[rnd() % 2] = 1;
		break;
	case 10:
		if (x->nranges && x->nranges <= 8)
			x->ranges[0].start += 2;	/* unaligned */
		break;
	case 11:
		if (x->nranges && x->nranges <= 8)
			x->ranges[0].end = x->ranges[0].start - 4;
		break;
	case 12:
		if (x->nranges < 8)
			x->ranges[7].type = 1;	/* unused slot set */
		break;
	case 13:
		if (x->nranges && x->nranges <= 8)
			x->ranges[0].type = 3;
		break;
	case 14:
		if (!(x->flags & F(CYCLES)))
			x->cc_threshold = 8;
		break;
	}
}

/* ---- checking an accepted config ---- */

static unsigned int bit(uint32_t v, unsigned int n)
{
	return (v >> n) & 1;
}

static void check_programmed(const struct cs_cpu *c, const struct cs_caps *k,
			     const struct hwt_coresight_config *x,
			     enum cs_mode mode)
{
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct csm m;
	uint64_t res[2] = { 0, 0 }, off, emit;
	uint32_t cfgr, vic, iie = 0, i, f = x->flags;
	int ret, is_trbe;

	ret = cs_config_regs(k, x, mode, 0x10, &regs);
	CHECKF(ret == 0, "%s: cs_config_regs() = %d", c->name, ret);
	if (ret)
		return;
	csm_init(&m, &c->id);
	is_trbe = regs.sink == F(SINK_TRBE);
	ret = run_start(&m, k, &regs, 0x1000, TRB_FM_FILL, &trbe);
	CHECKF(ret == 0 && m.refused == 0, "%s flags %#x sink %u: start %d, "
	       "%u refused: %s", c->name, f, regs.sink, ret, m.refused,
	       m.rule ? m.rule : "");
	CHECK(m.prgctlr == 1 && m.idle == 0);

	/* TRCCONFIGR (ETMv4 7.3.11): RES1 0, BB 3, CCI 4, CID 6, VMID 7,
	 * TS 11, RS 12; nothing else. */
	cfgr = m.reg[TRCCONFIGR / 4];
	CHECKF(cfgr == (1u | (!!(f & F(BRANCH_BCAST))) << 3 |
			(!!(f & F(CYCLES))) << 4 |
			(!!(f & F(CONTEXTID)) || mode == CS_MODE_THREAD) << 6 |
			(!!(f & F(VMID))) << 7 |
			(!!(f & F(TIMESTAMP))) << 11 |
			(!!(f & F(RETSTACK))) << 12),
	       "%s: TRCCONFIGR %#x for flags %#x", c->name, cfgr, f);
	if (f & F(CYCLES))
		CHECK(m.reg[TRCCCCTLR / 4] == x->cc_threshold);
	if (f & F(TS_EVENT))
		CHECK(m.reg[TRCTSCTLR / 4] == x->ts_event);
	if (!c->want.sync_fixed)
		CHECK(m.reg[TRCSYNCPR / 4] ==
		      (x->sync_period ? x->sync_period : 12u));
	CHECK(m.reg[TRCTRACEIDR / 4] == (c->want.traceid_bits ? 0x10u : 0));
	/* TRCVICTLR (7.3.72): EVENT 1 (TRUE), SSSTATUS 9, EXLEVEL_S 19:16
	 * all excluded, EXLEVEL_NS 23:20: EL0 unless USER, EL1/2 unless
	 * KERNEL, EL3 always (among the implemented). */
	vic = m.reg[TRCVICTLR / 4];
	CHECK((vic & 0xff) == 1 && bit(vic, 9));
	CHECK(((vic >> 16) & 0xf) == c->want.exl_s);
	CHECKF(((vic >> 20) & 0xf) == (c->want.exl_ns &
				       ~((f & F(USER) ? 1u : 0) |
					 (f & F(KERNEL) ? 6u : 0))),
	       "%s: EXLEVEL_NS %#x flags %#x", c->name, (vic >> 20) & 0xf, f);
	for (i = 0; i < x->nranges; i++) {
		CHECK(m.acvr[2 * i] == x->ranges[i].start);
		CHECK(m.acvr[2 * i + 1] == x->ranges[i].end);
		iie |= 1u << (i + (x->ranges[i].type == 2 ? 16 : 0));
	}
	if (c->want.pairs)
		CHECK(m.reg[TRCVIIECTLR / 4] == iie);

	emit = 1 + rnd() % 0x8000;
	CHECK(csm_emit(&m, emit) == (is_trbe ? emit : 0));
	ret = run_stop(&m, k, is_trbe, res);
	CHECKF(ret == 0 && m.refused == 0, "%s: stop %d, %u refused: %s",
	       c->name, ret, m.refused, m.rule ? m.rule : "");
	CHECK(m.prgctlr == 0 && m.claim == 0);
	if (is_trbe) {
		CHECK(cs_trbe_offset(&trbe, res[0], &off) == 0 &&
		      off == 0x1000 + emit);
		CHECK(!(m.trblimitr & TRBLIMITR_E));
	}
}

/*
 * An unsupported config's registers, built as if the unit had
 * everything, must draw a refusal from the real unit's model.
 */
static void check_refused(const struct cs_cpu *c, const struct cs_caps *k,
			  const struct hwt_coresight_config *x0,
			  enum cs_mode mode)
{
	struct hwt_coresight_config x = *x0;
	struct cs_caps lie = *k;
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct csm m;
	int ret;

	lie.bb = lie.cci = lie.retstack = 1;
	lie.ts_bits = 64;
	lie.cid_bits = lie.vmid_bits = 32;
	lie.ccitmin = 1;
	lie.sync_fixed = 0;
	lie.num_ac_pairs = lie.max_ranges = 8;
	lie.num_rs_pairs = 16;
	lie.exlevel_ns |= 3;
	lie.sinks |= 1u << F(SINK_ETR);
	x.sink = F(SINK_ANY);
	ret = cs_config_regs(&lie, &x, mode, 0x10, &regs);
	CHECKF(ret == 0, "%s: lie regs %d", c->name, ret);
	if (ret)
		return;
	csm_init(&m, &c->id);
	run_start(&m, k, &regs, 0, TRB_FM_FILL, &trbe);
	CHECKF(m.refused > 0, "%s: unsupported flags %#x nranges %u cc %u "
	       "sync %u ev %u programmed without a refusal", c->name,
	       x.flags, x.nranges, x.cc_threshold, x.sync_period, x.ts_event);
}

static unsigned int seen[6], accepted;

static void sweep(const struct cs_cpu *c, enum cs_mode mode, int n)
{
	struct hwt_coresight_config x, got;
	struct cs_regs regs;
	struct cs_caps k;
	enum why w;
	int i, ret;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	for (i = 0; i < n && !unit_cur_failed; i++) {
		gen(&x, c->want.pairs);
		w = oracle(c, &x, mode);
		seen[w]++;
		ret = cs_config_parse(&k, HWT_CORESIGHT_CONFIG_VERSION, &x,
				      sizeof(x), mode, &got);
		CHECKF(ret == want_ret(w), "%s mode %d: flags %#x sink %u "
		       "nranges %u cc %u ev %u sync %u: got %d, oracle %d",
		       c->name, mode, x.flags, x.sink, x.nranges,
		       x.cc_threshold, x.ts_event, x.sync_period, ret, w);
		if (ret == 0) {
			accepted++;
			CHECK(!memcmp(&got, &x, sizeof(x)));
			check_programmed(c, &k, &x, mode);
		} else {
			CHECK(cs_config_regs(&k, &x, mode, 0x10, &regs) ==
			      -CS_EINVAL);
		}
		if (w == E_NOTSUPP || w == E_CPU_BIG)
			check_refused(c, &k, &x, mode);
	}
}

/* The ABI envelope: version, size, NULL; nothing left behind. */
static void test_envelope(void)
{
	struct hwt_coresight_config x, got;
	struct cs_caps k;

	CHECK(cs_caps_parse(&cs_cpus[0].id, &k) == 0);
	cs_config_default(&x);
	CHECK(cs_config_parse(&k, 1, &x, sizeof(x), CS_MODE_THREAD, &got) == 0);
	CHECK(cs_config_parse(&k, 2, &x, sizeof(x), CS_MODE_THREAD, &got) ==
	      -CS_EINVAL);
	CHECK(cs_config_parse(&k, 1, &x, sizeof(x) - 8, CS_MODE_THREAD,
			      &got) == -CS_EINVAL);
	CHECK(cs_config_parse(&k, 1, NULL, sizeof(x), CS_MODE_THREAD, &got) ==
	      -CS_EINVAL);
	x.flags |= F(KERNEL);
	memset(&got, 0x5a, sizeof(got));
	CHECK(cs_config_parse(&k, 1, &x, sizeof(x), CS_MODE_THREAD, &got) ==
	      -CS_EINVAL && got.flags == 0);
	CHECK(cs_config_parse(&k, 1, &x, sizeof(x), CS_MODE_CPU, &got) == 0);
	/* Reserved trace IDs (ETMv4 7.3.70). */
	CHECK(cs_config_regs(&k, &x, CS_MODE_CPU, 0, &(struct cs_regs){0}) ==
	      -CS_EINVAL);
	CHECK(cs_config_regs(&k, &x, CS_MODE_CPU, 0x70, &(struct cs_regs){0}) ==
	      -CS_EINVAL);
}

/* Every documented error, one at a time, from a valid config. */
static int try(const struct cs_cpu *c, const struct cs_idregs *id,
	       const struct hwt_coresight_config *x, enum cs_mode mode)
{
	struct hwt_coresight_config got;
	struct cs_caps k;

	if (cs_caps_parse(id ? id : &c->id, &k))
		return -99;
	return cs_config_parse(&k, HWT_CORESIGHT_CONFIG_VERSION, x,
			       sizeof(*x), mode, &got);
}

#define EXPECT(cpu, id, mode, want, ...) do {				\
	struct hwt_coresight_config x = base;				\
	int r_;								\
	__VA_ARGS__;							\
	r_ = try(cpu, id, &x, mode);					\
	CHECKF(r_ == (want), "%s: %s: got %d, want %d", (cpu)->name,	\
	       #__VA_ARGS__, r_, want);					\
} while (0)

static void test_errors(void)
{
	const struct cs_cpu *a53 = &cs_cpus[0], *ete = &cs_cpus[2],
			    *min = &cs_cpus[5];
	const enum cs_mode T = CS_MODE_THREAD, C = CS_MODE_CPU;
	const int INV = -CS_EINVAL, NS = -CS_EOPNOTSUPP, BIG = -CS_E2BIG;
	struct hwt_coresight_config base;
	struct cs_idregs ia32 = a53->id, noel0 = a53->id;

	memset(&base, 0, sizeof(base));
	base.flags = F(USER) | F(KERNEL) | F(CONTEXTID);
	base.nranges = 1;
	base.ranges[0] = (struct hwt_coresight_range){ 0x400000, 0x400ffc,
						       1, 0 };
	ia32.trcidr[2] = (ia32.trcidr[2] & ~0x1fu) | 4;	/* IASIZE 32 */
	noel0.trcidr[3] &= ~(1u << 20);			/* NS EL0 gone */

	EXPECT(a53, NULL, C, 0, (void)0);
	/* EINVAL */
	EXPECT(a53, NULL, C, INV, x.flags |= 1u << 9);
	EXPECT(a53, NULL, C, INV, x.reserved[0] = 1);
	EXPECT(a53, NULL, C, INV, x.reserved[1] = 1);
	EXPECT(a53, NULL, C, INV, x.sink = 4);
	EXPECT(a53, NULL, C, INV, x.flags = F(CONTEXTID));
	EXPECT(a53, NULL, T, INV, (void)0);		/* KERNEL, thread */
	EXPECT(a53, NULL, C, INV, x.cc_threshold = 8);
	EXPECT(a53, NULL, C, INV, x.flags |= F(CYCLES));	/* thr 0 */
	EXPECT(a53, NULL, C, INV, x.flags |= F(CYCLES);
	       x.cc_threshold = 0x1000);
	EXPECT(a53, NULL, C, INV, x.flags |= F(TS_EVENT));
	EXPECT(a53, NULL, C, INV, x.flags |= F(TIMESTAMP); x.ts_event = 1);
	EXPECT(a53, NULL, C, INV, x.flags |= F(TIMESTAMP) | F(TS_EVENT);
	       x.ts_event = 32);
	EXPECT(a53, NULL, C, INV, x.sync_period = 7);
	EXPECT(a53, NULL, C, INV, x.sync_period = 21);
	EXPECT(a53, NULL, C, INV, x.ranges[0].reserved = 1);
	EXPECT(a53, NULL, C, INV, x.ranges[0].type = 0);
	EXPECT(a53, NULL, C, INV, x.ranges[0].type = 3);
	EXPECT(a53, NULL, C, INV, x.ranges[0].start += 2);
	EXPECT(a53, NULL, C, INV, x.ranges[0].end += 1);
	EXPECT(a53, NULL, C, INV, x.ranges[0].end = 0x3ffffc);
	EXPECT(a53, NULL, C, INV, x.ranges[3].end = 4);	/* unused slot */
	EXPECT(a53, &ia32, C, INV, x.ranges[0].end = 1ull << 32);
	EXPECT(a53, &ia32, C, BIG, (void)0);	/* 32-bit: no ranges */
	/* EOPNOTSUPP */
	EXPECT(min, NULL, C, 0, x.flags &= ~F(CONTEXTID); x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)));
	EXPECT(min, NULL, C, NS, x.flags |= F(BRANCH_BCAST); x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)));
	EXPECT(min, NULL, C, NS, x.flags |= F(RETSTACK));
	EXPECT(min, NULL, C, NS, x.flags |= F(CYCLES); x.cc_threshold = 8);
	EXPECT(min, NULL, C, NS, x.flags |= F(TIMESTAMP));
	EXPECT(min, NULL, C, NS, (void)0);		/* CONTEXTID */
	EXPECT(min, NULL, C, NS, x.flags |= F(VMID));
	EXPECT(min, NULL, T, NS, x.flags = F(USER); x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)));	/* no CID */
	EXPECT(min, NULL, C, NS, x.flags &= ~F(CONTEXTID); x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)); x.sync_period = 12);
	EXPECT(min, NULL, C, NS, x.flags &= ~F(CONTEXTID); x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)); x.sink = 2); /* ETR */
	EXPECT(a53, NULL, C, NS, x.sink = 1);			/* TRBE */
	EXPECT(a53, NULL, C, NS, x.flags |= F(CYCLES); x.cc_threshold = 3);
	EXPECT(a53, NULL, C, 0, x.flags |= F(CYCLES); x.cc_threshold = 4);
	EXPECT(a53, NULL, C, NS, x.flags |= F(TIMESTAMP) | F(TS_EVENT);
	       x.ts_event = 16);			/* 8 pairs: 0..15 */
	EXPECT(a53, NULL, C, 0, x.flags |= F(TIMESTAMP) | F(TS_EVENT);
	       x.ts_event = 15);
	EXPECT(a53, &noel0, C, NS, (void)0);		/* USER */
	EXPECT(a53, &noel0, C, 0, x.flags &= ~F(USER));
	EXPECT(ete, NULL, C, NS, x.nranges = 0;
	       memset(x.ranges, 0, sizeof(x.ranges)));	/* KERNEL: EL0 only */
	/* E2BIG, and the order of the answers */
	EXPECT(a53, NULL, C, BIG, x.nranges = 9);
	EXPECT(a53, NULL, C, BIG, x.nranges = 9; x.flags |= 1u << 9);
	EXPECT(a53, NULL, C, BIG, x.nranges = 5;
	       x.ranges[1] = x.ranges[2] = x.ranges[3] = x.ranges[4] =
	       x.ranges[0]);
	EXPECT(a53, NULL, C, 0, x.nranges = 4;
	       x.ranges[1] = x.ranges[2] = x.ranges[3] = x.ranges[0]);
	EXPECT(a53, NULL, C, INV, x.nranges = 5; x.flags |= 1u << 9;
	       x.ranges[1] = x.ranges[2] = x.ranges[3] = x.ranges[4] =
	       x.ranges[0]);
	EXPECT(min, NULL, C, NS, x.flags |= F(BRANCH_BCAST));	/* not BIG */
	EXPECT(min, NULL, C, BIG, x.flags &= ~F(CONTEXTID));
}

/* A second session on the same unit inherits nothing of the first. */
static void test_no_stale(void)
{
	const struct cs_cpu *c = &cs_cpus[0];
	struct hwt_coresight_config a, b;
	struct cs_regs ra, rb;
	struct cs_trbe_regs trbe;
	struct cs_caps k;
	struct csm m;
	uint64_t res[2];

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	memset(&a, 0, sizeof(a));
	a.flags = F(USER) | F(KERNEL) | F(TIMESTAMP) | F(TS_EVENT) |
		  F(CYCLES) | F(BRANCH_BCAST) | F(VMID);
	a.ts_event = 5;
	a.cc_threshold = 100;
	a.sync_period = 16;
	a.nranges = 2;
	a.ranges[0] = (struct hwt_coresight_range){ 0x1000, 0x1ffc, 1, 0 };
	a.ranges[1] = (struct hwt_coresight_range){ 0x1800, 0x18fc, 2, 0 };
	cs_config_default(&b);
	CHECK(cs_config_regs(&k, &a, CS_MODE_CPU, 0x10, &ra) == 0);
	CHECK(cs_config_regs(&k, &b, CS_MODE_THREAD, 0x11, &rb) == 0);
	csm_init(&m, &c->id);
	CHECK(run_start(&m, &k, &ra, 0, 0, &trbe) == 0);
	CHECK(run_stop(&m, &k, 0, res) == 0);
	CHECK(run_start(&m, &k, &rb, 0, 0, &trbe) == 0);
	CHECK(m.refused == 0);
	CHECK(m.reg[TRCCONFIGR / 4] == (1u | 1u << 6));
	CHECK(m.reg[TRCSYNCPR / 4] == 12);
	CHECK(m.reg[TRCTSCTLR / 4] == 0);
	CHECK(m.reg[TRCVIIECTLR / 4] == 0);
	CHECK(m.reg[TRCTRACEIDR / 4] == 0x11);
	CHECK(((m.reg[TRCVICTLR / 4] >> 20) & 0xf) == 6);	/* EL1, EL2 */
}

int main(void)
{
	size_t i;

	RUN(test_envelope(), "config ABI envelope");
	RUN(test_errors(), "config every error, one at a time");
	RUN(test_no_stale(), "config second session inherits nothing");
	for (i = 0; i < ARRAY_SIZE(cs_cpus); i++) {
		accepted = 0;
		RUN(sweep(&cs_cpus[i], CS_MODE_THREAD, 4000),
		    "config sweep %s thread mode (%u accepted)",
		    cs_cpus[i].name, accepted);
		accepted = 0;
		RUN(sweep(&cs_cpus[i], CS_MODE_CPU, 4000),
		    "config sweep %s CPU mode (%u accepted)", cs_cpus[i].name,
		    accepted);
	}
	/* The generator must reach every outcome, or the sweep is weak. */
	RUN(CHECKF(seen[OK] && seen[E_ABI_BIG] && seen[E_INVAL] &&
		   seen[E_NOTSUPP_SOFT] && seen[E_NOTSUPP] && seen[E_CPU_BIG],
		   "outcomes %u %u %u %u %u %u", seen[0], seen[1], seen[2],
		   seen[3], seen[4], seen[5]),
	    "config sweep reaches every outcome (ok %u, inval %u, notsupp %u)",
	    seen[OK], seen[E_INVAL], seen[E_NOTSUPP]);
	return unit_failed ? 1 : 0;
}
