// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_trbe: register values spelled out from the Arm ARM's TRBLIMITR_EL1
 * layout, every refusal, TRBSR_EL1 decoding of hand-built values, and
 * pointer math against cs_model: for every fill mode and a sweep of
 * start offsets and output lengths, the span cs_trbe_collect() gives
 * after cs_seq_stop() equals what an independent computation here says
 * the unit wrote (the pointer wraps to the base at the limit, WRAP set;
 * Fill mode stops there, Wrap/Circular go on: modulo).
 */
#include "cs_unit.h"
#include "cs_cpus.h"
#include "cs_run.h"
#include "../cs_config.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_program(void)
{
	struct cs_caps ete, a53;
	struct cs_trbe_regs r;
	const uint64_t b = 0xffff800012340000ull;

	CHECK(cs_caps_parse(&cs_cpus[2].id, &ete) == 0);	/* Align 6 */
	CHECK(cs_caps_parse(&cs_cpus[0].id, &a53) == 0);
	CHECK(cs_trbe_program(&ete, b, 0x8000, TRB_FM_WRAP, TRB_TM_IRQ, 0x40,
			      &r) == 0);
	/* LIMIT 63:12 = base + size, FM 2:1 = 0b01, TM 4:3 = 0b01, E. */
	CHECK(r.limitr == (b + 0x8000) + (1 << 1) + (1 << 3) + 1);
	CHECK(r.baser == b && r.ptr == b + 0x40);
	CHECK(cs_trbe_program(&ete, b, 0x8000, TRB_FM_CIRCULAR,
			      TRB_TM_IGNORE, 0, &r) == 0);
	CHECK(r.limitr == (b + 0x8000) + (3 << 1) + (3 << 3) + 1);

	CHECK(cs_trbe_program(&a53, b, 0x8000, 0, 0, 0, &r) ==
	      -CS_EOPNOTSUPP);
	CHECK(cs_trbe_program(&ete, b + 0x800, 0x8000, 0, 0, 0, &r) ==
	      -CS_EINVAL);			/* base not 4K */
	CHECK(cs_trbe_program(&ete, b, 0x8800, 0, 0, 0, &r) == -CS_EINVAL);
	CHECK(cs_trbe_program(&ete, b, 0, 0, 0, 0, &r) == -CS_EINVAL);
	CHECK(cs_trbe_program(&ete, ~0xfffull, 0x1000, 0, 0, 0, &r) ==
	      -CS_EINVAL);			/* wraps to 0 */
	CHECK(cs_trbe_program(&ete, b, 0x8000, 2, 0, 0, &r) == -CS_EINVAL);
	CHECK(cs_trbe_program(&ete, b, 0x8000, 0, 2, 0, &r) == -CS_EINVAL);
	CHECK(cs_trbe_program(&ete, b, 0x8000, 4, 0, 0, &r) == -CS_EINVAL);
	CHECK(cs_trbe_program(&ete, b, 0x8000, 0, 0, 0x8000, &r) ==
	      -CS_EINVAL);			/* offset == size */
	CHECK(cs_trbe_program(&ete, b, 0x8000, 0, 0, 0x20, &r) ==
	      -CS_EINVAL);			/* 2^6 alignment */
	CHECK(r.limitr == 0);			/* nothing left behind */

	CHECK(cs_trbe_program(&ete, b, 0x8000, 0, 0, 0, &r) == 0);
	{
		uint64_t off = 1;

		CHECK(cs_trbe_offset(&r, b - 1, &off) == -CS_EINVAL);
		CHECK(cs_trbe_offset(&r, b + 0x8001, &off) == -CS_EINVAL);
		CHECK(cs_trbe_offset(&r, b + 0x8000, &off) == 0 &&
		      off == 0x8000);
		CHECK(cs_trbe_offset(&r, b, &off) == 0 && off == 0);
	}
}

static void test_status(void)
{
	struct cs_trbe_status s;

	CHECK(cs_trbe_status(0, &s) == 0 && s.why == CS_TRBE_RUNNING);
	/* S, IRQ, EC 0, BSC 1: full in fill mode. */
	CHECK(cs_trbe_status(1ull << 17 | 1ull << 22 | 1, &s) == 0 &&
	      s.why == CS_TRBE_FULL && s.irq && s.stopped && !s.wrapped);
	CHECK(cs_trbe_status(1ull << 17 | 2, &s) == 0 &&
	      s.why == CS_TRBE_TRIGGER);
	CHECK(cs_trbe_status(1ull << 17, &s) == 0 &&
	      s.why == CS_TRBE_STOP_NONE);
	CHECK(cs_trbe_status(1ull << 20 | 1ull << 22, &s) == 0 &&
	      s.wrapped && s.irq && s.why == CS_TRBE_RUNNING);
	/* EC 0x24 data abort, stage 1, with FSC 0x10 and EA. */
	CHECK(cs_trbe_status(0x24ull << 26 | 1ull << 17 | 1ull << 18 | 0x10,
			     &s) == 0 && s.why == CS_TRBE_ABORT_S1 &&
	      s.ext_abort && s.mss == 0x10);
	CHECK(cs_trbe_status(0x25ull << 26 | 1ull << 17, &s) == 0 &&
	      s.why == CS_TRBE_ABORT_S2);
	CHECK(cs_trbe_status(0x1eull << 26 | 1ull << 17, &s) == 0 &&
	      s.why == CS_TRBE_GPC);
	CHECK(cs_trbe_status(0x1full << 26 | 1ull << 17, &s) == 0 &&
	      s.why == CS_TRBE_IMPDEF);
	/* Refused: BSC 3, undefined EC, RES0 bits 16, 19, 63:32, an abort
	 * that did not stop collection. */
	CHECK(cs_trbe_status(1ull << 17 | 3, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(0x10ull << 26, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(1ull << 16, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(1ull << 19, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(1ull << 40, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(0x24ull << 26, &s) == -CS_EINVAL);
	CHECK(cs_trbe_status(0x400, &s) == -CS_EINVAL);	/* MSS, EC 0 */
}

/*
 * The interrupt handler's decision, on TRBSR_EL1 values spelled out from
 * its register page (S 17, EA 18, WRAP 20, TRG 21, IRQ 22, EC 31:26,
 * BSC 5:0) and D10.3's events per fill mode.
 */
static void test_irq_action(void)
{
	const uint64_t S = 1ull << 17, EA = 1ull << 18, WRAP = 1ull << 20,
		       TRG = 1ull << 21, IRQ = 1ull << 22, FULL = 1;
	const unsigned int F = TRB_FM_FILL, W = TRB_FM_WRAP,
			   C = TRB_FM_CIRCULAR;

	/* Nothing pending: running, stopped by software, wrapped silently
	 * (Circular Buffer mode), a full stop a drain already cleared. */
	CHECK(cs_trbe_irq_action(0, F) == CS_TRBE_ACT_NONE);
	CHECK(cs_trbe_irq_action(S, F) == CS_TRBE_ACT_NONE);
	CHECK(cs_trbe_irq_action(WRAP, C) == CS_TRBE_ACT_NONE);
	CHECK(cs_trbe_irq_action(WRAP | S | FULL, F) == CS_TRBE_ACT_NONE);
	/* Fill mode at the limit: WRAP, S, EC 0, BSC FULL, IRQ. */
	CHECK(cs_trbe_irq_action(IRQ | WRAP | S | FULL, F) ==
	      CS_TRBE_ACT_FULL);
	/* Wrap mode: WRAP and IRQ, collection goes on (no S, BSC 0). */
	CHECK(cs_trbe_irq_action(IRQ | WRAP, W) == CS_TRBE_ACT_WRAP);
	/* The same values in the other modes are no event they raise. */
	CHECK(cs_trbe_irq_action(IRQ | WRAP, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP, C) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP | S | FULL, W) ==
	      CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP | S | FULL, C) ==
	      CS_TRBE_ACT_FATAL);
	/* Full without the wrap, or without the stop. */
	CHECK(cs_trbe_irq_action(IRQ | S | FULL, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP | FULL, F) == CS_TRBE_ACT_FATAL);
	/* A stop with no reason, a trigger (BSC 2, TRG), EA. */
	CHECK(cs_trbe_irq_action(IRQ | S, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | S | TRG | 2, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP | TRG, W) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP | S | FULL | EA, F) ==
	      CS_TRBE_ACT_FATAL);
	/* Aborts (EC 0x24, 0x25), GPC (0x1e), IMPDEF (0x1f): stopped. */
	CHECK(cs_trbe_irq_action(IRQ | S | 0x24ull << 26 | 0x10, F) ==
	      CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | S | 0x25ull << 26, W) ==
	      CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | S | 0x1eull << 26, F) ==
	      CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | S | 0x1full << 26, F) ==
	      CS_TRBE_ACT_FATAL);
	/* Values the TRBE does not define, pending or not; no fill mode. */
	CHECK(cs_trbe_irq_action(IRQ | S | 3, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(1ull << 19, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(0x10ull << 26, F) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(IRQ | WRAP, 2) == CS_TRBE_ACT_FATAL);
	CHECK(cs_trbe_irq_action(0, 4) == CS_TRBE_ACT_FATAL);
}

static void test_collect(void)
{
	struct cs_trbe_span sp;

	const unsigned int F = TRB_FM_FILL, W = TRB_FM_WRAP;

	CHECK(cs_trbe_collect(0x1000, 0x100, 0x300, F, 0, &sp) == 0 &&
	      sp.off == 0x100 && sp.len == 0x200 && !sp.lost && !sp.full);
	CHECK(cs_trbe_collect(0x1000, 0x300, 0x100, W, 1, &sp) == 0 &&
	      sp.off == 0x100 && sp.len == 0x1000 && sp.lost && !sp.full);
	CHECK(cs_trbe_collect(0x1000, 0x300, 0x1000, TRB_FM_CIRCULAR, 1,
			      &sp) == 0 && sp.off == 0);
	CHECK(cs_trbe_collect(0x1000, 0x300, 0, F, 1, &sp) == 0 &&
	      sp.off == 0x300 && sp.len == 0xd00 && sp.full && !sp.lost);
	CHECK(cs_trbe_collect(0x1000, 0x300, 0x40, F, 1, &sp) == -CS_EINVAL);
	CHECK(cs_trbe_collect(0x1000, 0x300, 0x100, F, 0, &sp) == -CS_EINVAL);
	CHECK(cs_trbe_collect(0x1000, 0x1001, 0x1001, F, 0, &sp) ==
	      -CS_EINVAL);
	CHECK(cs_trbe_collect(0x1000, 0, 0, 2, 0, &sp) == -CS_EINVAL);
}

/* Through the model: what was written where, per fill mode. */
static void test_pointer(const struct cs_cpu *c, unsigned int fm)
{
	struct hwt_coresight_config x;
	struct cs_trbe_regs trbe;
	struct cs_trbe_status st;
	struct cs_trbe_span sp;
	struct cs_caps k;
	struct cs_regs regs;
	struct csm m;
	uint64_t res[2], off, start, total, chunk, want_end, size, live;
	enum cs_trbe_act act;
	int i, j, wrapped, full;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	cs_config_default(&x);
	x.sink = HWT_CORESIGHT_SINK_TRBE;
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x10, &regs) == 0);
	size = RUN_BUF_SIZE;
	for (i = 0; i < 300 && !unit_cur_failed; i++) {
		start = (rnd() % size) & ~((1ull << k.trbe_align) - 1);
		csm_init(&m, &c->id);
		CHECK(run_start(&m, &k, &regs, start, fm, &trbe) == 0);
		total = 0;
		for (j = rnd() % 6; j > 0; j--) {
			chunk = rnd() % (i & 1 ? size / 2 : 0x2000);
			total += csm_emit(&m, chunk);
		}
		/* The handler's decision on TRBSR as the unit left it: an
		 * interrupt exactly where D10.3 raises one. */
		CHECK(csm_read(&m, CS_TRBSR, &live) == 0);
		act = cs_trbe_irq_action(live, fm);
		wrapped = start + total >= size;
		CHECK(act == (fm == TRB_FM_FILL && wrapped ? CS_TRBE_ACT_FULL :
			      fm == TRB_FM_WRAP && wrapped ? CS_TRBE_ACT_WRAP :
			      CS_TRBE_ACT_NONE));
		CHECK(run_stop(&m, &k, 1, res) == 0);
		CHECKF(m.refused == 0, "refused: %s", m.rule);
		CHECK(cs_trbe_offset(&trbe, res[0], &off) == 0);
		CHECK(cs_trbe_status(res[1], &st) == 0);
		/* Independently: where the unit must have stopped.  The
		 * pointer wraps to the base at the limit in every mode;
		 * Fill mode stops there. */
		full = fm == TRB_FM_FILL && start + total >= size;
		want_end = full ? 0 : (start + total) % size;
		if (full)
			CHECK(total == size - start);
		CHECKF(off == want_end, "fm %u start %#llx total %#llx: "
		       "offset %#llx", fm, (unsigned long long)start,
		       (unsigned long long)total, (unsigned long long)off);
		CHECK(st.wrapped == wrapped);
		CHECK((st.why == CS_TRBE_FULL) == full);
		CHECK(st.irq == (full || (wrapped && fm == TRB_FM_WRAP)));
		CHECK(cs_trbe_collect(size, start, off, fm, st.wrapped, &sp) ==
		      0);
		if (!wrapped)
			CHECK(sp.off == start && sp.len == want_end - start);
		else if (full)
			CHECK(sp.off == start && sp.len == size - start &&
			      sp.full && !sp.lost);
		else
			CHECK(sp.len == size && sp.off == want_end && sp.lost);
	}
}

/*
 * cs_trbe_advance() against values spelled out from D10.3 (what the
 * pointer and TRBSR say after each kind of stop), and cs_trbe_pad()
 * against the alignment rule of TRBPTR_EL1 (2^TRBIDR.Align).
 */
static void test_advance(void)
{
	const uint64_t b = 0xffff800012340000ull, sz = 0x4000;
	const struct cs_trbe_regs r = { .baser = b, .limitr = b + sz + 1 };
	/* TRBSR: S 17, EA 18, WRAP 20, IRQ 22, EC 31:26, BSC 5:0. */
	const uint64_t full = (1ull << 17) | (1ull << 20) | (1ull << 22) | 1;
	struct cs_trbe_adv a;
	struct cs_caps ete, all;

	/* Running, no wrap: the bytes between the offsets. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x300, 0, &a) == 0);
	CHECK(a.bytes == 0x200 && a.off == 0x300 && !a.gap && !a.error);
	/* Stopped by software, nothing written. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x100,
			      1ull << 17, &a) == 0);
	CHECK(a.bytes == 0 && a.off == 0x100 && !a.gap);
	/* Fill mode full: stopped at the base with WRAP: to the end, gap. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b, full, &a) == 0);
	CHECK(a.bytes == sz - 0x100 && a.off == 0 && a.gap && !a.error);
	/* ... anywhere but the base is no state the TRBE can be in. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x40, full, &a) ==
	      -CS_EINVAL);
	/* Circular Buffer mode went round: one lap counted, no gap. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_CIRCULAR, b + 0x80,
			      1ull << 20, &a) == 0);
	CHECK(a.bytes == sz - 0x100 + 0x80 && a.off == 0x80 && !a.gap);
	/* The pointer at the limit is the end of a full buffer. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + sz, 0, &a) == 0);
	CHECK(a.bytes == sz - 0x100 && a.off == 0);
	/* Stage 1 data abort (EC 0x24) with S: an error and a gap. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x180,
			      (0x24ull << 26) | (1ull << 17), &a) == 0);
	CHECK(a.bytes == 0x80 && a.gap && a.error);
	/* External abort. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x180,
			      (1ull << 18) | (1ull << 17), &a) == 0);
	CHECK(a.gap && a.error);
	/* Refused: backwards without WRAP, outside, undefined EC, off. */
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x80, 0, &a) ==
	      -CS_EINVAL);
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b - 4, 0, &a) ==
	      -CS_EINVAL);
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + sz + 4, 0, &a) ==
	      -CS_EINVAL);
	CHECK(cs_trbe_advance(&r, 0x100, TRB_FM_FILL, b + 0x200,
			      0x3ull << 26, &a) == -CS_EINVAL);
	CHECK(cs_trbe_advance(&r, sz, TRB_FM_FILL, b, 0, &a) == -CS_EINVAL);
	CHECK(a.bytes == 0 && a.off == 0 && !a.gap);	/* cleared */

	CHECK(cs_caps_parse(&cs_cpus[2].id, &ete) == 0);	/* Align 6 */
	CHECK(cs_caps_parse(&cs_cpus[4].id, &all) == 0);	/* Align 11 */
	CHECK(cs_trbe_pad(&ete, 0) == 0 && cs_trbe_pad(&ete, 0x40) == 0);
	CHECK(cs_trbe_pad(&ete, 0x41) == 63 && cs_trbe_pad(&ete, 0x7f) == 1);
	CHECK(cs_trbe_pad(&all, 0x801) == 0x7ff);
	CHECK(cs_trbe_pad(&all, 0x1000) == 0);
}

int main(void)
{
	static const char *const fmn[] = { "fill", "wrap", "", "circular" };
	unsigned int fm;
	size_t c;

	RUN(test_program(), "trbe register values and refusals");
	RUN(test_status(), "trbe TRBSR_EL1 decoding");
	RUN(test_irq_action(), "trbe interrupt action from TRBSR_EL1");
	RUN(test_collect(), "trbe valid span");
	RUN(test_advance(), "trbe advance from pointer and status, padding");
	for (c = 0; c < ARRAY_SIZE(cs_cpus); c++) {
		if (!cs_cpus[c].want.trbe)
			continue;
		for (fm = 0; fm < 4; fm++)
			if (fm != 2)
				RUN(test_pointer(&cs_cpus[c], fm),
				    "trbe pointer math, %s mode, %s", fmn[fm],
				    cs_cpus[c].name);
	}
	return unit_failed ? 1 : 0;
}
