// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_model's rules, one broken write each (every one must be refused and
 * counted, and an allowed neighbour accepted so the refusal is the
 * rule's, not a blanket one), and cs_seq against it: zero refusals on
 * every unit of cs_cpus.h with the default config, a restart without a
 * stop in between, a unit claimed by an external debugger (EBUSY, no
 * write made), and ETE's need for an ISB before TRCSTATR is polled.
 */
#include "cs_unit.h"
#include "cs_cpus.h"
#include "cs_run.h"
#include "../cs_config.h"

#define SOFT_ETE	(&cs_cpus[2])
#define MIN		(&cs_cpus[5])

/* Software reads TRCSTATR until IDLE (or CSM_IDLE_READS times). */
static void poll_idle(struct csm *m)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < CSM_IDLE_READS && !(v & TRCSTATR_IDLE); i++)
		CHECK(csm_read(m, TRCSTATR, &v) == 0);
}

/* Model ready for programming: claimed, OS Lock off, idle seen. */
static void ready(struct csm *m, const struct cs_cpu *c)
{
	csm_init(m, &c->id);
	CHECK(csm_write(m, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED) == 0);
	CHECK(csm_write(m, TRCOSLAR, 0) == 0);
	poll_idle(m);
	CHECK(m->refused == 0);
}

/* The write must be refused, and counted. */
#define REFUSED(m, reg, v) do {						\
	uint32_t r0 = (m)->refused;					\
	CHECKF(csm_write(m, reg, v) == -1 && (m)->refused == r0 + 1,	\
	       "write %#x = %#llx accepted", (unsigned int)(reg),	\
	       (unsigned long long)(v));				\
} while (0)
#define ACCEPTED(m, reg, v) CHECKF(csm_write(m, reg, v) == 0,		\
	"write %#x = %#llx refused: %s", (unsigned int)(reg),		\
	(unsigned long long)(v), (m)->rule)

static void test_trace_unit_rules(void)
{
	const struct cs_cpu *a53 = &cs_cpus[0];
	struct csm m;
	uint64_t v;
	int i;

	csm_init(&m, &a53->id);
	/* OS Lock held at reset (ETMv4 7.3.42), claim not held. */
	CHECK(csm_write(&m, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED) == 0);
	REFUSED(&m, TRCCONFIGR, 1);
	ACCEPTED(&m, TRCOSLAR, 0);
	REFUSED(&m, TRCCONFIGR, 1);		/* IDLE not read yet */
	poll_idle(&m);
	ACCEPTED(&m, TRCCONFIGR, 1);
	/* Claim released: programming refused. */
	ACCEPTED(&m, TRCCLAIMCLR, CS_CLAIM_SELF_HOSTED);
	REFUSED(&m, TRCCONFIGR, 1);
	ACCEPTED(&m, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED);

	/* RES1/RES0 and capabilities of TRCCONFIGR. */
	REFUSED(&m, TRCCONFIGR, 0);			/* bit 0 RES1 */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 5);		/* RES0 */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 18);
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 16);		/* DA: no data */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 8);		/* COND */
	ACCEPTED(&m, TRCCONFIGR, 1 | 1 << 3 | 1 << 4 | 1 << 6 | 1 << 7 |
		 1 << 11 | 1 << 12);
	/* Comparators: 4 pairs = TRCACVR0..7. */
	ACCEPTED(&m, TRCACVR(7), 0x1000);
	REFUSED(&m, TRCACVR(8), 0x1000);
	REFUSED(&m, TRCACATR(8), 0);
	REFUSED(&m, TRCACATR(0), 1);			/* data address */
	REFUSED(&m, TRCACVR(0) + 4, 0);			/* no such offset */
	ACCEPTED(&m, TRCVIIECTLR, 0x000f000f);
	REFUSED(&m, TRCVIIECTLR, 0x10);
	REFUSED(&m, TRCVIIECTLR, 0x100000);
	/* Threshold, trace ID, sync period, EL bits. */
	REFUSED(&m, TRCCCCTLR, 3);			/* CCITMIN 4 */
	ACCEPTED(&m, TRCCCCTLR, 4);
	REFUSED(&m, TRCCCCTLR, 0x1000);
	REFUSED(&m, TRCTRACEIDR, 0);
	REFUSED(&m, TRCTRACEIDR, 0x70);
	REFUSED(&m, TRCTRACEIDR, 0x80);
	ACCEPTED(&m, TRCTRACEIDR, 0x6f);
	REFUSED(&m, TRCSYNCPR, 7);
	REFUSED(&m, TRCSYNCPR, 21);
	ACCEPTED(&m, TRCSYNCPR, 12);
	ACCEPTED(&m, TRCVICTLR, 1 | 1 << 9 | 0xb << 16 | 7 << 20);
	REFUSED(&m, TRCVICTLR, 1 | 1 << 9 | 0xf << 16);	/* S EL2 absent */
	REFUSED(&m, TRCVICTLR, 1 | 1 << 9 | 0x8 << 20);	/* NS EL3 absent */
	REFUSED(&m, TRCVICTLR, 1 | 1 << 8);		/* RES0 */
	REFUSED(&m, TRCVICTLR, 16);			/* resource 16 of 16 */

	/* Enabled: nothing but TRCPRGCTLR; disabled: not until idle. */
	ACCEPTED(&m, TRCPRGCTLR, 1);
	REFUSED(&m, TRCCONFIGR, 1);
	REFUSED(&m, TRCPRGCTLR, 3);
	ACCEPTED(&m, TRCPRGCTLR, 0);
	REFUSED(&m, TRCCONFIGR, 1);			/* not idle yet */
	for (i = 0; i < CSM_IDLE_READS; i++)
		CHECK(csm_read(&m, TRCSTATR, &v) == 0);
	CHECK(v & TRCSTATR_IDLE);
	CHECK(csm_read(&m, TRCSTATR, &v) == 0 && (v & TRCSTATR_IDLE));
	ACCEPTED(&m, TRCCONFIGR, 1);
	/* Re-enabling before idle after a disable. */
	ACCEPTED(&m, TRCPRGCTLR, 1);
	ACCEPTED(&m, TRCPRGCTLR, 0);
	REFUSED(&m, TRCPRGCTLR, 1);
	CHECKF(m.refused == 29, "%u refused", m.refused);
}

static void test_caps_rules(void)
{
	struct csm m;

	ready(&m, MIN);
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 3);		/* BB */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 4);		/* CCI */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 6);		/* CID */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 7);		/* VMID */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 11);		/* TS */
	REFUSED(&m, TRCCONFIGR, 1 | 1 << 12);		/* RS */
	REFUSED(&m, TRCBBCTLR, 0);
	REFUSED(&m, TRCCCCTLR, 0);
	REFUSED(&m, TRCTSCTLR, 0);
	REFUSED(&m, TRCSYNCPR, 12);			/* fixed period */
	REFUSED(&m, TRCACVR(0), 0);
	REFUSED(&m, TRCSTALLCTLR, 1);
	ACCEPTED(&m, TRCCONFIGR, 1);
	ACCEPTED(&m, TRCTRACEIDR, 0);			/* TRACEIDSIZE 0 */
	REFUSED(&m, TRCTRACEIDR, 1);
	/* No TRBE on an ETMv4. */
	REFUSED(&m, CS_TRBBASER, 0x1000);
}

static void test_trbe_rules(void)
{
	const uint64_t b = 0x40000000;
	struct csm m;

	ready(&m, SOFT_ETE);				/* TRBIDR.Align 6 */
	REFUSED(&m, CS_TRBBASER, b + 0x800);		/* 11:0 RES0 */
	ACCEPTED(&m, CS_TRBBASER, b);
	REFUSED(&m, CS_TRBPTR, b + 0x20);		/* 64-byte align */
	ACCEPTED(&m, CS_TRBPTR, b + 0x40);
	REFUSED(&m, CS_TRBLIMITR, b | 1);		/* limit <= base */
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 1 << 6); /* RES0 */
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 2 << 1 | 1); /* FM 0b10 */
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 2 << 3 | 1); /* TM 0b10 */
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 1 << 5 | 1); /* nVM */
	ACCEPTED(&m, CS_TRBPTR, b + 0x1000);
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 1);	/* ptr == limit */
	ACCEPTED(&m, CS_TRBPTR, b);
	ACCEPTED(&m, CS_TRBSR, TRBSR_S);
	REFUSED(&m, CS_TRBLIMITR, (b + 0x1000) | 1);	/* stale S */
	ACCEPTED(&m, CS_TRBSR, 0);
	REFUSED(&m, CS_TRBSR, 1ull << 19);		/* RES0 */
	/* The source may not run with its TRBE off (no ATB sink here). */
	REFUSED(&m, TRCPRGCTLR, 1);
	ACCEPTED(&m, CS_TRBLIMITR, (b + 0x1000) | 1);
	REFUSED(&m, CS_TRBLIMITR, b + 0x1000);		/* source idle, but
							 * no TSB; DSB */
	REFUSED(&m, CS_TRBBASER, b);			/* while enabled */
	REFUSED(&m, CS_TRBPTR, b);
	REFUSED(&m, CS_TRBSR, 0);
	REFUSED(&m, CS_TRBLIMITR, (b + 0x2000) | 1);
	ACCEPTED(&m, TRCPRGCTLR, 1);
	csm_barrier(&m, CS_OP_ISB);
	poll_idle(&m);
	/* Off before the source is idle, then before TSB CSYNC; DSB. */
	REFUSED(&m, CS_TRBLIMITR, b + 0x1000);
	ACCEPTED(&m, TRCPRGCTLR, 0);
	csm_barrier(&m, CS_OP_TSB);			/* not idle yet */
	csm_barrier(&m, CS_OP_ISB);
	poll_idle(&m);
	csm_barrier(&m, CS_OP_DSB);
	REFUSED(&m, CS_TRBLIMITR, b + 0x1000);		/* TSB was early */
	csm_barrier(&m, CS_OP_TSB);
	REFUSED(&m, CS_TRBLIMITR, b + 0x1000);		/* no DSB yet */
	csm_barrier(&m, CS_OP_DSB);
	ACCEPTED(&m, CS_TRBLIMITR, b + 0x1000);
	REFUSED(&m, CS_TRBIDR, 0);
}

static void test_claims(void)
{
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct cs_caps k;
	struct csm m;

	CHECK(cs_caps_parse(&cs_cpus[0].id, &k) == 0);
	cs_config_default(&x);
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x10, &regs) == 0);
	/* An external debugger holds the unit: EBUSY, nothing written. */
	csm_init(&m, &cs_cpus[0].id);
	csm_claim_external(&m);
	CHECK(run_start(&m, &k, &regs, 0, 0, &trbe) == -CS_EBUSY);
	CHECK(m.writes == 0 && m.refused == 0 && m.oslk == 1);
	/* Stomping or clearing its tag is refused. */
	REFUSED(&m, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED);
	REFUSED(&m, TRCCLAIMCLR, CS_CLAIM_EXTERNAL);
	REFUSED(&m, TRCCLAIMSET, 1 << 4);
	/* A debugger claiming while we trace: our next write is refused. */
	csm_init(&m, &cs_cpus[0].id);
	CHECK(run_start(&m, &k, &regs, 0, 0, &trbe) == 0 && !m.refused);
	csm_claim_external(&m);
	REFUSED(&m, TRCPRGCTLR, 0);
}

/* Zero refusals on every unit, with a restart and a second session. */
static void test_seq(const struct cs_cpu *c)
{
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct cs_caps k;
	struct csm m;
	uint64_t res[2];
	enum cs_mode mode = c->want.cid_bits ? CS_MODE_THREAD : CS_MODE_CPU;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	cs_config_default(&x);
	if (!c->want.cid_bits)
		x.flags &= ~HWT_CORESIGHT_CONTEXTID;
	CHECK(cs_config_regs(&k, &x, mode, 0x10, &regs) == 0);
	csm_init(&m, &c->id);
	CHECK(run_start(&m, &k, &regs, 0, TRB_FM_FILL, &trbe) == 0);
	CHECK(m.prgctlr == 1 && m.idle == 0);
	csm_emit(&m, 100);
	/* Re-programming a running unit: the start sequence disables and
	 * waits for idle first (but a TRBE must be stopped: its registers
	 * cannot be rewritten while enabled). */
	if (regs.sink != HWT_CORESIGHT_SINK_TRBE)
		CHECK(run_start(&m, &k, &regs, 0, TRB_FM_FILL, &trbe) ==
		      -CS_EBUSY);	/* our own claim: the tag is set */
	CHECK(run_stop(&m, &k, regs.sink == HWT_CORESIGHT_SINK_TRBE,
		       res) == 0);
	CHECK(run_start(&m, &k, &regs, 0, TRB_FM_FILL, &trbe) == 0);
	CHECK(run_stop(&m, &k, regs.sink == HWT_CORESIGHT_SINK_TRBE,
		       res) == 0);
	CHECKF(m.refused == 0, "%s: %u refused: %s", c->name, m.refused,
	       m.rule);
	CHECK(m.prgctlr == 0 && m.claim == 0);
}

/* Re-programming without a stop (the switch-in path): the start
 * sequence's own disable + wait-for-idle must make it legal. */
static void test_reprogram(void)
{
	const struct cs_cpu *c = &cs_cpus[0];
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_caps k;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	struct csm m;
	int n, i;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	cs_config_default(&x);
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x10, &regs) == 0);
	csm_init(&m, &c->id);
	n = cs_seq_start(&k, &regs, NULL, ops);
	CHECK(n > 3);
	csm_io(&m, &io);
	CHECK(cs_seq_run(ops, n, &io, NULL, 0) == 0);
	/* Skip the claim check (we hold it) and run the rest again. */
	for (i = 0; i < n && ops[i].kind == CS_OP_EXPECT; i++)
		;
	CHECK(cs_seq_run(ops + i, n - i, &io, NULL, 0) == 0);
	CHECKF(m.refused == 0, "%u refused: %s", m.refused, m.rule);
	CHECK(m.prgctlr == 1);
}

/* ETE: TRCSTATR does not follow a TRCPRGCTLR write before an ISB. */
static void test_ete_isb(void)
{
	const struct cs_op ops[] = {
		{ CS_OP_WRITE, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED, 0 },
		{ CS_OP_WRITE, TRCOSLAR, 0, 0 },
		{ CS_OP_POLL, TRCSTATR, TRCSTATR_IDLE, TRCSTATR_IDLE },
		{ CS_OP_WRITE, CS_TRBBASER, 0x40000000, 0 },
		{ CS_OP_WRITE, CS_TRBPTR, 0x40000000, 0 },
		{ CS_OP_WRITE, CS_TRBLIMITR, 0x40001001, 0 },
		{ CS_OP_WRITE, TRCPRGCTLR, 1, 0 },
		{ CS_OP_POLL, TRCSTATR, 0, TRCSTATR_IDLE },
	};
	struct cs_io io;
	struct csm m;

	csm_init(&m, &SOFT_ETE->id);
	csm_io(&m, &io);
	CHECK(cs_seq_run(ops, 8, &io, NULL, 0) == -CS_EINVAL);
	CHECK(m.prgctlr == 1 && m.idle == 1);	/* the poll timed out */
	csm_barrier(&m, CS_OP_ISB);
	CHECK(cs_seq_run(ops + 7, 1, &io, NULL, 0) == 0);
	CHECK(m.refused == 0 && m.idle == 0);
}

/* A TRBSR left set (an interrupt handler stopped the TRBE and the next
 * session starts): the start sequence clears it before enabling. */
static void test_stale_status(void)
{
	const struct cs_cpu *c = SOFT_ETE;
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct cs_caps k;
	struct csm m;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	cs_config_default(&x);
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x10, &regs) == 0);
	csm_init(&m, &c->id);
	m.trbsr = TRBSR_S | TRBSR_IRQ | TRB_BSC_FULL;
	CHECK(run_start(&m, &k, &regs, 0, TRB_FM_FILL, &trbe) == 0);
	CHECKF(m.refused == 0, "%s", m.rule);
	CHECK(csm_emit(&m, 64) == 64);
}

int main(void)
{
	size_t i;

	RUN(test_trace_unit_rules(), "model trace unit rules (A53)");
	RUN(test_caps_rules(), "model capability rules (min unit)");
	RUN(test_trbe_rules(), "model TRBE rules");
	RUN(test_claims(), "model claim tags: EBUSY, nothing written");
	RUN(test_reprogram(), "model re-programming a running unit");
	RUN(test_ete_isb(), "model ETE needs an ISB before TRCSTATR");
	RUN(test_stale_status(), "model start clears a stale TRBSR");
	for (i = 0; i < ARRAY_SIZE(cs_cpus); i++)
		RUN(test_seq(&cs_cpus[i]), "model zero refusals, %s",
		    cs_cpus[i].name);
	return unit_failed ? 1 : 0;
}
