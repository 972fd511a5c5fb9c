// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_config against pt_model, on every CPU of pt_cpus.h:
 *   - an oracle written here from the ABI's documented rules (and the
 *     hand decoding of CPUID in pt_cpus.h, not pt_caps) predicts the
 *     answer to every generated config: pt_config_parse() must agree;
 *   - every accepted config, programmed with pt_seq_start(), draws zero
 *     refused writes and zero operational errors from the model, starts
 *     generating, and the model's registers hold what the config asked
 *     for (bit positions spelled out from the SDM's table here);
 *   - every config refused as unsupported (EOPNOTSUPP, or E2BIG for the
 *     CPU's ranges) really is: its MSR values built for a CPU that has
 *     everything draw at least one #GP from this CPU's model.
 */
#include <stdlib.h>

#include "pt_unit.h"
#include "pt_cpus.h"
#include "pt_mem.h"
#include "../pt_config.h"
#include "../pt_topa.h"

#define F(x)	HWT_INTEL_PT_ ## x

static struct pt_mem mem;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- the oracle ---- */

static unsigned int lin_bits(const struct pt_cpu *c)
{
	return (c->id.ext8_eax >> 8) & 0xff;
}

static int canon(uint64_t a, unsigned int lin)
{
	return (uint64_t)((int64_t)(a << (64 - lin)) >> (64 - lin)) == a;
}

static int bm_has(unsigned int bm, unsigned int enc)
{
	return enc < 16 && (bm >> enc) & 1;
}

/*
 * E_NOTSUPP: a feature the CPU lacks whose MSR value faults there;
 * E_NOTSUPP_SOFT: unsupported without a fault: a PSB period of encoding 0
 * where PSBFreq is not configurable (the value is the reset value but not
 * the CPU's period), BranchEn=0 on the first PT generation.
 */
enum why { OK, E_ABI_BIG, E_INVAL, E_NOTSUPP_SOFT, E_NOTSUPP, E_CPU_BIG };

static enum why oracle(const struct pt_cpu *c, const struct hwt_intel_pt_config *x,
		       enum pt_mode mode)
{
	static const struct hwt_intel_pt_range zero;
	unsigned int i, f = x->flags, lin = lin_bits(c);
	int bad = 0, notsupp = 0, soft = 0;

	if (x->nranges > 4)
		return E_ABI_BIG;
	bad |= (f >> 12) != 0 || x->reserved0 || x->reserved1;
	bad |= !(f & (F(USER) | F(KERNEL)));
	bad |= (f & F(KERNEL)) && mode == PT_MODE_THREAD;
	bad |= (f & F(FUP_ON_PTW)) && !(f & F(PTWRITE));
	bad |= (x->mtc_period && !(f & F(MTC))) ||
	       (x->cyc_thresh && !(f & F(CYC))) ||
	       (x->psb_period && !(f & F(PSB_PERIOD)));
	bad |= x->mtc_period > 15 || x->cyc_thresh > 15 || x->psb_period > 15;
	bad |= (x->cr3_match & 31) != 0;
	bad |= mode == PT_MODE_THREAD ? x->cr3_match != 0 :
	       x->cr3_match && !(f & F(CR3_FILTER));
	for (i = 0; i < 4; i++) {
		const struct hwt_intel_pt_range *r = &x->ranges[i];

		if (i >= x->nranges) {
			bad |= memcmp(r, &zero, sizeof(zero)) != 0;
			continue;
		}
		bad |= r->reserved || (r->type != 1 && r->type != 2);
		bad |= !canon(r->start, lin) || !canon(r->end, lin);
		bad |= r->start > r->end;
	}
	if (bad)
		return E_INVAL;
	notsupp |= (f & F(CYC)) && !c->want.psb_cyc;
	notsupp |= (f & F(PSB_PERIOD)) && !c->want.psb_cyc && x->psb_period;
	soft |= (f & F(PSB_PERIOD)) && !c->want.psb_cyc;
	notsupp |= (f & F(MTC)) && !c->want.mtc;
	notsupp |= (f & F(PTWRITE)) && !c->want.ptw;
	notsupp |= (f & F(PWR_EVT)) && !c->want.pwr;
	notsupp |= (f & F(CR3_FILTER)) && !c->want.cr3;
	notsupp |= (f & F(MTC)) && !bm_has(c->want.mtc_bm, x->mtc_period);
	notsupp |= (f & F(CYC)) && !bm_has(c->want.cyc_bm, x->cyc_thresh);
	notsupp |= (f & F(PSB_PERIOD)) && c->want.psb_cyc &&
		   !bm_has(c->want.psb_bm, x->psb_period);
	soft |= !(f & F(BRANCH)) && !c->want.psb_cyc;
	if (notsupp)
		return E_NOTSUPP;
	if (soft)
		return E_NOTSUPP_SOFT;
	if (x->nranges > c->want.ranges)
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
		return -PT_E2BIG;
	case E_INVAL:
		return -PT_EINVAL;
	default:
		return -PT_EOPNOTSUPP;
	}
}

/* ---- config generator: mostly near-valid, some of everything ---- */

static uint64_t gen_addr(unsigned int lin)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();				/* often junk */
	case 1:
		return (1ull << (lin - 1)) - 1 - rnd() % 4096; /* top */
	case 2:
		return ~0ull << (lin - 1) | (rnd() % 4096);	/* kernel */
	default:
		return 0x400000 + rnd() % 0x100000;
	}
}

static void gen(const struct pt_cpu *c, struct hwt_intel_pt_config *x,
		uint32_t flags)
{
	unsigned int i, lin = lin_bits(c), r = rnd() % 16;
	uint64_t a, b;

	memset(x, 0, sizeof(*x));
	x->flags = flags;
	if (flags & F(MTC))
		x->mtc_period = rnd() % (r ? 16 : 17);
	if (flags & F(CYC))
		x->cyc_thresh = rnd() % 16;
	if (flags & F(PSB_PERIOD))
		x->psb_period = rnd() % 16;
	x->nranges = rnd() % (r == 1 ? 7 : 5);
	for (i = 0; i < x->nranges && i < 4; i++) {
		a = gen_addr(lin);
		b = r == 2 ? gen_addr(lin) : a + rnd() % 0x10000;
		x->ranges[i].start = a;
		x->ranges[i].end = b;
		x->ranges[i].type = r == 3 ? rnd() % 4 : 1 + rnd() % 2;
	}
	if ((flags & F(CR3_FILTER)) && r != 4)
		x->cr3_match = (rnd() & 0xffffffff000ull) | (r == 5 ? 8 : 0);
	switch (r) {
	case 6:
		x->reserved0 = 1;
		break;
	case 7:
		x->ranges[3].reserved = x->nranges < 4;
		break;
	case 8:
		x->mtc_period |= flags & F(MTC) ? 0 : 3;
		break;
	case 9:
		x->cyc_thresh = 2;
		break;
	}
}

/* ---- programming the model ---- */

static const struct pt_cpu *all_cpu(void)
{
	return &pt_cpus[3];	/* synthetic-all: accepts most configs */
}

/* An output for CPU c: ToPA (one or two 4K chunks) or an 8K single range. */
static int make_output(const struct pt_caps *k, int topa,
		       struct pt_output *out, struct pt_topa *t,
		       struct pt_chunk *ch, uint64_t **tabs, uint64_t *tphys,
		       uint64_t *start)
{
	uint32_t n = k->topa_multi ? 2 : 1;

	if (!topa)
		return pt_single_output(k, PT_MEM_BASE + 0x10000, 0x2000, 0,
					out);
	tphys[0] = PT_MEM_BASE;
	tabs[0] = pt_mem_at(&mem, PT_MEM_BASE);
	ch[0] = (struct pt_chunk){ .phys = PT_MEM_BASE + 0x8000, .order = 0 };
	ch[1] = (struct pt_chunk){ .phys = PT_MEM_BASE + 0x4000, .order = 0,
				   .intr = 1 };
	if (pt_topa_build(t, k, ch, n, tabs, tphys, 1, start))
		return -1;
	return pt_topa_output(t, 0, out);
}

/* Program regs + out on a fresh model of c; returns refused writes. */
static uint32_t program(const struct pt_cpu *c, const struct pt_msrs *regs,
			const struct pt_output *out, struct ptm *m)
{
	struct pt_wrmsr seq[PT_SEQ_MAX];
	int n, i;

	ptm_init(m, &c->id, &mem.ops);
	n = pt_seq_start(regs, out, 0, seq);
	for (i = 0; i < n; i++)
		ptm_wrmsr(m, seq[i].msr, seq[i].val);
	return m->gp;
}

static uint64_t field(uint64_t v, int lo, int bits)
{
	return (v >> lo) & ((1ull << bits) - 1);
}

/* The model holds what the config asked for (SDM 33.2.8.2 bit table). */
static int regs_match(const struct hwt_intel_pt_config *x,
		      const struct ptm *m, int topa)
{
	uint64_t v = m->ctl;
	uint32_t f = x->flags, i;

	if (field(v, 0, 1) != 1 || field(v, 3, 1) != !!(f & F(USER)) ||
	    field(v, 2, 1) != !!(f & F(KERNEL)) ||
	    field(v, 13, 1) != !!(f & F(BRANCH)) ||
	    field(v, 10, 1) != !!(f & F(TSC)) ||
	    field(v, 11, 1) != !!(f & F(NO_RETCOMP)) ||
	    field(v, 9, 1) != !!(f & F(MTC)) ||
	    field(v, 1, 1) != !!(f & F(CYC)) ||
	    field(v, 12, 1) != !!(f & F(PTWRITE)) ||
	    field(v, 5, 1) != !!(f & F(FUP_ON_PTW)) ||
	    field(v, 4, 1) != !!(f & F(PWR_EVT)) ||
	    field(v, 7, 1) != !!(f & F(CR3_FILTER)) ||
	    field(v, 8, 1) != !!topa || field(v, 6, 1))
		return 0;
	if ((f & F(MTC)) && field(v, 14, 4) != x->mtc_period)
		return 0;
	if ((f & F(CYC)) && field(v, 19, 4) != x->cyc_thresh)
		return 0;
	if ((f & F(PSB_PERIOD)) && field(v, 24, 4) != x->psb_period)
		return 0;
	for (i = 0; i < 4; i++) {
		uint64_t cfg = field(v, 32 + 4 * i, 4);

		if (i >= x->nranges ? cfg != 0 : cfg != x->ranges[i].type)
			return 0;
		if (i < x->nranges && (m->addr[2 * i] != x->ranges[i].start ||
				       m->addr[2 * i + 1] != x->ranges[i].end))
			return 0;
	}
	if ((f & F(CR3_FILTER)) && x->cr3_match != m->cr3_match)
		return 0;
	return 1;
}

struct stats {
	unsigned long tried, accepted, refused, gp_proven;
};

static void one(const struct pt_cpu *c, const struct pt_caps *k,
		const struct pt_caps *kall, const struct hwt_intel_pt_config *x,
		enum pt_mode mode, struct stats *st)
{
	struct hwt_intel_pt_config got;
	enum why w = oracle(c, x, mode);
	int ret = pt_config_parse(k, HWT_INTEL_PT_CONFIG_VERSION, x,
				  sizeof(*x), mode, &got);
	struct pt_chunk ch[2];
	uint64_t *tabs[1], tphys[1], start[2];
	struct pt_topa t;
	struct pt_output out;
	struct pt_msrs regs;
	struct ptm m;
	int topa = k->topa;
	uint8_t pkt[100];

	st->tried++;
	CHECKF(ret == want_ret(w),
	       "%s mode %d flags %#x nranges %u: got %d, want %d (%d)",
	       c->name, mode, x->flags, x->nranges, ret, want_ret(w), w);
	if (ret != want_ret(w))
		return;
	if (make_output(k, topa, &out, &t, ch, tabs, tphys, start)) {
		CHECK(0);
		return;
	}
	if (ret == 0) {
		st->accepted++;
		CHECK(pt_config_regs(k, &got, mode, topa, 0, &regs) == 0);
		CHECKF(program(c, &regs, &out, &m) == 0, "%s flags %#x: %s",
		       c->name, x->flags, m.gp_rule);
		CHECKF(m.op_errors == 0, "%s: %s", c->name, m.op_rule);
		CHECK(m.status & PT_STATUS_TRIGGEREN);
		CHECK(regs_match(x, &m, topa));
		memset(pkt, 0x55, sizeof(pkt));
		CHECK(ptm_emit(&m, pkt, sizeof(pkt)) == sizeof(pkt));
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, regs.ctl) == 0);
		CHECK(m.gp == 0);
		return;
	}
	st->refused++;
	if (w != E_NOTSUPP && w != E_CPU_BIG)
		return;
	/* Was the refusal needed?  Build on a CPU with everything. */
	if (pt_config_parse(kall, HWT_INTEL_PT_CONFIG_VERSION, x, sizeof(*x),
			    mode, &got))
		return;
	CHECK(pt_config_regs(kall, &got, mode, topa, 0, &regs) == 0);
	CHECKF(program(c, &regs, &out, &m) > 0,
	       "%s flags %#x nranges %u mtc %u cyc %u psb %u: refused, but the CPU takes it",
	       c->name, x->flags, x->nranges, x->mtc_period, x->cyc_thresh,
	       x->psb_period);
	st->gp_proven++;
}

static uint32_t supported(const struct pt_cpu *c, enum pt_mode mode)
{
	uint32_t f = F(USER) | F(BRANCH) | F(TSC) | F(NO_RETCOMP);

	if (mode == PT_MODE_CPU)
		f |= F(KERNEL);
	if (c->want.mtc)
		f |= F(MTC);
	if (c->want.psb_cyc)
		f |= F(CYC) | F(PSB_PERIOD);
	if (c->want.ptw)
		f |= F(PTWRITE) | F(FUP_ON_PTW);
	if (c->want.pwr)
		f |= F(PWR_EVT);
	if (c->want.cr3)
		f |= F(CR3_FILTER);
	return f;
}

static void test_cpu(const struct pt_cpu *c)
{
	struct pt_caps k, kall;
	struct hwt_intel_pt_config x;
	struct stats st = { 0 };
	uint32_t flags;
	int mode, rep;

	CHECK(pt_caps_parse(&c->id, &k) == 0);
	CHECK(pt_caps_parse(&all_cpu()->id, &kall) == 0);
	for (mode = PT_MODE_THREAD; mode <= PT_MODE_CPU; mode++) {
		/* every flag combination, plus one unknown flag */
		for (flags = 0; flags <= (F(FLAGS_ALL) << 1); flags++)
			for (rep = 0; rep < 4; rep++) {
				gen(c, &x, flags);
				one(c, &k, &kall, &x, mode, &st);
			}
		for (rep = 0; rep < 40000; rep++) {
			flags = rnd() & (rep % 97 ? F(FLAGS_ALL) : ~0u);
			if (rep % 2) {	/* mostly what this CPU can do */
				flags &= supported(c, mode);
				flags |= F(USER);
			}
			gen(c, &x, flags);
			one(c, &k, &kall, &x, mode, &st);
		}
	}
	/* Every CPU accepts some configs and refuses some. */
	CHECK(st.accepted > 100 && st.refused > 100);
	printf("  %s: %lu configs, %lu accepted (0 refused writes), %lu refused, %lu refusals shown to #GP\n",
	       c->name, st.tried, st.accepted, st.refused, st.gp_proven);
}

/* The blob: version, size, NULL; and an explicit list of bad configs. */
static void test_blob(void)
{
	const struct pt_cpu *c = &pt_cpus[1];	/* Kaby Lake */
	struct hwt_intel_pt_config x, got;
	struct pt_caps k;

	CHECK(pt_caps_parse(&c->id, &k) == 0);
	pt_config_default(&x);
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      0);
	CHECK(pt_config_parse(&k, 2, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_EINVAL);
	CHECK(pt_config_parse(&k, 0, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_EINVAL);
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x) - 8, PT_MODE_THREAD,
			      &got) == -PT_EINVAL);
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x) + 8, PT_MODE_THREAD,
			      &got) == -PT_EINVAL);
	CHECK(pt_config_parse(&k, 1, NULL, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_EINVAL);
	/* nothing left behind on refusal */
	x.flags = F(USER) | F(PTWRITE);
	memset(&got, 0xaa, sizeof(got));
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_EOPNOTSUPP);
	CHECK(got.flags == 0 && got.nranges == 0);
	/* kernel tracing: CPU mode only */
	x.flags = F(KERNEL) | F(BRANCH);
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_EINVAL);
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_CPU, &got) == 0);
	/* three ranges on a 2-range CPU; five on any */
	pt_config_default(&x);
	x.nranges = 3;
	x.ranges[0] = x.ranges[1] = x.ranges[2] =
		(struct hwt_intel_pt_range){ 0x1000, 0x2000, 1, 0 };
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_E2BIG);
	x.nranges = 5;
	CHECK(pt_config_parse(&k, 1, &x, sizeof(x), PT_MODE_THREAD, &got) ==
	      -PT_E2BIG);
	/* the default is valid on every CPU */
	{
		unsigned int i;

		for (i = 0; i < PT_NCPUS; i++) {
			CHECK(pt_caps_parse(&pt_cpus[i].id, &k) == 0);
			pt_config_default(&x);
			CHECK(pt_config_parse(&k, 1, &x, sizeof(x),
					      PT_MODE_THREAD, &got) == 0);
		}
	}
}

/* pt_seq_start: status/output/filters first, RTIT_CTL with TraceEn last. */
static void test_seq(void)
{
	struct pt_msrs regs = { .ctl = 0x2008, .cr3_match = 0x1000,
				.addr_a = { 1, 3 }, .addr_b = { 2, 4 },
				.naddr = 2, .write_cr3 = 1 };
	struct pt_output out = { 0x5000, 0x7f, 1 };
	struct pt_wrmsr seq[PT_SEQ_MAX];
	int n = pt_seq_start(&regs, &out, 0x20, seq), i;

	CHECK(n == 9);
	CHECK(seq[0].msr == 0x571 && seq[0].val == 0x20);
	CHECK(seq[1].msr == 0x560 && seq[1].val == 0x5000);
	CHECK(seq[2].msr == 0x561 && seq[3].msr == 0x572);
	CHECK(seq[4].msr == 0x580 && seq[4].val == 1 && seq[7].msr == 0x583 &&
	      seq[7].val == 4);
	CHECK(seq[n - 1].msr == 0x570 && seq[n - 1].val == (0x2008 | 1));
	for (i = 0; i < n - 1; i++)
		CHECK(seq[i].msr != 0x570);
}

/*
 * pt_seq_drain: output MSRs, STATUS when asked, RTIT_CTL with TraceEn
 * last; PT_DRAIN_NEW_RUN writes PacketByteCnt 0, keeping PendPSB and
 * PendToPAPMI.  Played on the model (which writes the enable's packets,
 * psb_plus): a CPU-mode switch drain makes the next run begin with a
 * PSB+ (33.2.8.3), a drain without it (PMI, poll; or a driver that
 * forgot) leaves the next bytes without one.
 */
static void test_seq_drain(void)
{
	struct pt_msrs regs = { .ctl = PT_CTL_USER | PT_CTL_BRANCHEN |
				       PT_CTL_TOPA };
	struct pt_output out = { PT_MEM_BASE, 0x7f, 1 };
	struct pt_wrmsr seq[PT_SEQ_MAX];
	static const uint8_t task[100];
	const uint8_t *buf;
	uint64_t *tbl, st, base, mask;
	unsigned int flags;
	struct ptm m;
	int n, i, j;

	n = pt_seq_drain(&regs, &out, 0x1234ull << 32 | PT_STATUS_PENDPSB |
			 PT_STATUS_PENDTOPAPMI | PT_STATUS_TRIGGEREN,
			 PT_DRAIN_NEW_RUN, seq);
	CHECK(n == 4 && seq[0].msr == PT_MSR_OUTPUT_BASE &&
	      seq[1].msr == PT_MSR_OUTPUT_MASK && seq[2].msr == PT_MSR_STATUS &&
	      seq[2].val == (PT_STATUS_PENDPSB | PT_STATUS_PENDTOPAPMI) &&
	      seq[3].msr == PT_MSR_CTL && seq[3].val == (regs.ctl | 1));
	n = pt_seq_drain(&regs, &out, 0x1234ull << 32 | PT_STATUS_ERROR,
			 PT_DRAIN_STATUS, seq);
	CHECK(n == 4 && seq[2].msr == PT_MSR_STATUS &&
	      seq[2].val == 0x1234ull << 32);
	n = pt_seq_drain(&regs, &out, 0x1234ull << 32, 0, seq);
	CHECK(n == 3 && seq[2].msr == PT_MSR_CTL);
	for (i = 0; i < n; i++)
		CHECK(seq[i].msr != PT_MSR_STATUS);

	/* The global arena (1 MiB): a table and one 8K region. */
	tbl = pt_mem_at(&mem, PT_MEM_BASE);
	tbl[0] = (PT_MEM_BASE + 0x2000) | 1ull << PT_TOPA_SIZE_SHIFT;
	tbl[1] = PT_MEM_BASE | PT_TOPA_END;
	buf = pt_mem_at(&mem, PT_MEM_BASE + 0x2000);
	for (flags = 0; flags <= PT_DRAIN_NEW_RUN; flags++) {
		ptm_init(&m, &pt_cpus[1].id, &mem.ops);	/* Kaby Lake */
		m.psb_plus = 1;
		/* START: STATUS 0 (PSB+ at 0), then a task's 100 bytes. */
		n = pt_seq_start(&regs, &out, 0, seq);
		for (i = 0; i < n; i++)
			CHECK(ptm_wrmsr(&m, seq[i].msr, seq[i].val) == 0);
		CHECK(m.stored == 18 && ptm_emit(&m, task, 100) == 100);
		/* The drain: TraceEn clear, STATUS and pointers read. */
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, regs.ctl) == 0);
		CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &st) == 0 &&
		      st >> 32 == 118);
		CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_BASE, &base) == 0 &&
		      ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &mask) == 0);
		out.base = base;
		out.mask_ptrs = mask;
		n = pt_seq_drain(&regs, &out, st, flags, seq);
		for (i = 0; i < n; i++)
			CHECK(ptm_wrmsr(&m, seq[i].msr, seq[i].val) == 0);
		CHECK(m.gp == 0 && m.op_errors == 0);
		/* The next run begins at 118: with a PSB only if asked. */
		for (j = 0; j < 16 && m.stored == 136; j += 2)
			CHECK(buf[118 + j] == 0x02 && buf[119 + j] == 0x82);
		CHECKF((m.stored == 136) == (flags == PT_DRAIN_NEW_RUN),
		       "flags %u: stored %llu", flags,
		       (unsigned long long)m.stored);
		out.base = PT_MEM_BASE;
		out.mask_ptrs = 0x7f;
		memset(mem.p + 0x2000, 0, 0x2000);
	}
}

/*
 * A CPU-mode switch drain after a TraceStop (33.2.4.3): the STATUS read
 * back has Stopped, and pt_seq_drain (PT_DRAIN_NEW_RUN) writes it back
 * with PacketByteCnt 0, which the model holding the stop (hold_stop, as
 * in a CPU-mode session on the emulated unit) accepts: no refused write,
 * and the enable writes nothing, nor does the next task's trace.  A
 * drain that cleared Stopped would be refused.
 */
static void test_seq_drain_tracestop(void)
{
	struct pt_msrs regs = { .ctl = PT_CTL_USER | PT_CTL_BRANCHEN |
				       PT_CTL_TOPA };
	struct pt_output out = { PT_MEM_BASE, 0x7f, 1 };
	struct pt_wrmsr seq[PT_SEQ_MAX];
	static const uint8_t task[100];
	uint64_t *tbl, st = 0, base = 0, mask = 0;
	unsigned int flags;
	struct ptm m;
	int n, i;

	tbl = pt_mem_at(&mem, PT_MEM_BASE);
	tbl[0] = (PT_MEM_BASE + 0x2000) | 1ull << PT_TOPA_SIZE_SHIFT;
	tbl[1] = PT_MEM_BASE | PT_TOPA_END;
	for (flags = 0; flags <= PT_DRAIN_NEW_RUN; flags++) {
		ptm_init(&m, &pt_cpus[1].id, &mem.ops);	/* Kaby Lake */
		m.psb_plus = 1;
		n = pt_seq_start(&regs, &out, 0, seq);
		for (i = 0; i < n; i++)
			CHECK(ptm_wrmsr(&m, seq[i].msr, seq[i].val) == 0);
		m.hold_stop = 1;		/* cpu_start */
		CHECK(ptm_emit(&m, task, 100) == 100 && ptm_trace_stop(&m));
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, regs.ctl) == 0);
		CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &st) == 0 &&
		      (st & PT_STATUS_STOPPED));
		CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_BASE, &base) == 0 &&
		      ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &mask) == 0);
		out.base = base;
		out.mask_ptrs = mask;
		n = pt_seq_drain(&regs, &out, st, flags, seq);
		for (i = 0; i < n; i++)
			CHECK(ptm_wrmsr(&m, seq[i].msr, seq[i].val) == 0);
		CHECKF(m.gp == 0 && m.op_errors == 0, "flags %u: %s", flags,
		       m.gp_rule ? m.gp_rule : "");
		CHECK(ptm_emit(&m, task, 100) == 0 && m.stored == 118);
		/* Stopped cleared instead: refused, still nothing stored. */
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, regs.ctl) == 0);
		CHECK(ptm_wrmsr(&m, PT_MSR_STATUS,
				st & ~PT_STATUS_STOPPED) == -1 && m.gp == 1);
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, regs.ctl | PT_CTL_TRACEEN) ==
		      0 && m.stored == 118);
		out.base = PT_MEM_BASE;
		out.mask_ptrs = 0x7f;
		memset(mem.p + 0x2000, 0, 0x2000);
	}
}

/* Thread mode CR3 filter: the thread's CR3 (low bits dropped). */
static void test_thread_cr3(void)
{
	struct hwt_intel_pt_config x;
	struct pt_caps k;
	struct pt_msrs regs;

	CHECK(pt_caps_parse(&pt_cpus[1].id, &k) == 0);
	pt_config_default(&x);
	x.flags |= F(CR3_FILTER);
	CHECK(pt_config_regs(&k, &x, PT_MODE_THREAD, 1, 0x12345ffful,
			     &regs) == 0);
	CHECK(regs.write_cr3 && regs.cr3_match == 0x12345fe0ul);
	CHECK(regs.ctl & (1ull << 7));
	/* output scheme the CPU lacks */
	CHECK(pt_caps_parse(&pt_cpus[0].id, &k) == 0);	/* Broadwell */
	x.flags &= ~F(CR3_FILTER);
	CHECK(pt_config_regs(&k, &x, PT_MODE_THREAD, 0, 0, &regs) ==
	      -PT_EINVAL);
}

/*
 * PTI or PCID in use: user mode's CR3 is pgd | 1 << 12 | PCID, which the
 * backend cannot know at switch-in (docs/intel-pt.md): CR3_FILTER is
 * refused in both modes rather than tracing nothing; the rest is not.
 */
static void test_cr3_inexact(void)
{
	struct hwt_intel_pt_config x, out;
	struct pt_caps k;
	struct pt_msrs regs;
	const uint32_t v = HWT_INTEL_PT_CONFIG_VERSION;

	CHECK(pt_caps_parse(&pt_cpus[1].id, &k) == 0 && k.cr3_filter);
	k.cr3_inexact = 1;
	pt_config_default(&x);
	CHECK(pt_config_parse(&k, v, &x, sizeof(x), PT_MODE_THREAD,
			      &out) == 0);
	x.flags |= F(CR3_FILTER);
	CHECK(pt_config_parse(&k, v, &x, sizeof(x), PT_MODE_THREAD,
			      &out) == -PT_EOPNOTSUPP);
	CHECK(pt_config_regs(&k, &x, PT_MODE_THREAD, 1, 0x12345000ul,
			     &regs) == -PT_EINVAL);
	x.cr3_match = 0x12345000ul;
	CHECK(pt_config_parse(&k, v, &x, sizeof(x), PT_MODE_CPU,
			      &out) == -PT_EOPNOTSUPP);
	k.cr3_inexact = 0;
	CHECK(pt_config_parse(&k, v, &x, sizeof(x), PT_MODE_CPU,
			      &out) == 0);
	CHECK(pt_config_regs(&k, &x, PT_MODE_CPU, 1, 0, &regs) == 0);
	CHECK(regs.cr3_match == 0x12345000ul);
}

int main(void)
{
	unsigned int i;

	pt_mem_init(&mem, 1 << 20);
	for (i = 0; i < PT_NCPUS; i++)
		RUN(test_cpu(&pt_cpus[i]), "config/%s", pt_cpus[i].name);
	RUN(test_blob(), "config/blob-and-errors");
	RUN(test_seq(), "config/start-sequence");
	RUN(test_seq_drain(), "config/drain-sequence-new-run-psb");
	RUN(test_seq_drain_tracestop(),
	    "config/drain-sequence-keeps-tracestop-stopped");
	RUN(test_cr3_inexact(), "config/cr3-filter-refused-with-pti-or-pcid");
	RUN(test_thread_cr3(), "config/thread-cr3");
	pt_mem_free(&mem);
	return unit_failed != 0;
}
