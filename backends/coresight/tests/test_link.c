// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Funnels and replicators: cs_link's sequences for the paths cs_topo
 * finds in real device trees, run against cs_model_link, which refuses
 * what the SoC-400 TRM and the CoreSight architecture rule out and says
 * whether each source's trace gets through.
 *
 * Ground truth: the Funnel Control values are written by hand from the
 * SoC-400 layout (EnS<n> = bit n, HT = 3 in 11:8) for the ports read by
 * hand from juno.dtb's graph (test_topo); a source's trace reaches the
 * sink exactly when every hop passes it, checked for the traced source
 * and for a source that was not enabled.
 *
 *  - juno.dtb, etm@23240000 -> etf@20010000: two funnels;
 *  - a Juno-like tree (the same cluster/main funnels, then a
 *    programmable replicator with the ETR on master port 0 and a TPIU on
 *    1), written with libfdt's sequential writer: the replicator passes
 *    only the traced ID's group to the ETR;
 *  - CPU mode: the four A53 ETMs through the shared funnels, enabled
 *    one by one and disabled in another order: claims taken once and
 *    released last, each port held while a source needs it;
 *  - refusals: each rule of the model broken once, and a link claimed
 *    by an external debugger (EBUSY, nothing written);
 *  - juno-r1.dtb in CPU mode: the ETF as a link in Hardware FIFO mode
 *    between the funnels and the replicator in front of the ETR, and
 *    the ETF model's rules.
 */
#include "cs_unit.h"
#include "cs_fdt.h"
#include "../cs_link.h"
#include "../cs_model_link.h"

static struct cs_topo topo;
static struct csm_link links[CS_TOPO_MAX_COMP];
static struct cs_link_use use[CS_TOPO_MAX_COMP];

/* A model for each link of the topology (8-port funnels, 2-port
 * replicators: the SoC-400 components' DEVID). */
static void models(void)
{
	unsigned int i;

	memset(use, 0, sizeof(use));
	for (i = 0; i < topo.ncomp; i++) {
		if (topo.comp[i].kind == CS_COMP_FUNNEL)
			csm_link_init(&links[i], CS_LINK_FUNNEL, 8);
		else if (topo.comp[i].kind == CS_COMP_REPLICATOR)
			csm_link_init(&links[i], CS_LINK_REPLICATOR, 2);
		else if (topo.comp[i].kind == CS_COMP_TMC &&
			 topo.comp[i].n_out)
			csm_link_init(&links[i], CS_LINK_ETF, 1);
		else
			memset(&links[i], 0, sizeof(links[i]));
	}
}

/* A link whose reads of FFCR always show FlushMan: its master port
 * never drains (a wedged ETF). */
static struct csm_link *wedged;

static int wedged_read(void *ctx, uint32_t reg, uint64_t *val)
{
	struct cs_io io;
	int ret;

	csm_link_io(ctx, &io);
	ret = io.read(ctx, reg, val);
	if (!ret && reg == TMC_FFCR)
		*val |= TMC_FFCR_FLUSHMAN;
	return ret;
}

/* A link the bus refuses every write to (a powered-down component). */
static struct csm_link *broken;

static int broken_write(void *ctx, uint32_t reg, uint64_t val)
{
	(void)ctx;
	(void)reg;
	(void)val;
	return -1;
}

/* cs_link_run_fn over the models: hop i's ops on its link's model. */
static int run_hop(void *ctx, unsigned int i, const struct cs_op *ops,
		   int n)
{
	const struct cs_path *p = ctx;
	struct csm_link *l = &links[p->hop[i].comp];
	uint64_t res[8];
	struct cs_io io;

	csm_link_io(l, &io);
	if (l == wedged)
		io.read = wedged_read;
	if (l == broken)
		io.write = broken_write;
	return cs_seq_run(ops, n, &io, res, 8);
}

/* Every link of p enabled or disabled by cs_link_path, as the backend
 * does.  Returns 0, or the first error. */
static int program(const struct cs_path *p, uint8_t id, int enable)
{
	struct cs_op ops[CS_SEQ_MAX];

	return cs_link_path(&topo, p, id, enable, use, run_hop, (void *)p,
			    ops);
}

/* Returns 1 if id's trace from p's source reaches its sink. */
static int reaches(const struct cs_path *p, uint8_t id)
{
	unsigned int i;

	for (i = 1; i + 1 < p->nhop; i++)
		if (!csm_link_pass(&links[p->hop[i].comp],
				   (unsigned int)p->hop[i].in_port,
				   (unsigned int)p->hop[i].out_port, id))
			return 0;
	return 1;
}

static uint32_t refusals(void)
{
	uint32_t r = 0;
	unsigned int i;

	for (i = 0; i < topo.ncomp; i++)
		r += links[i].refused;
	return r;
}

static struct csm_link *link_named(const char *name)
{
	int i = cs_topo_find(&topo, name);

	return i < 0 ? &links[0] : &links[i];
}

static int path_of(const char *src, const char *sink, struct cs_path *p)
{
	int s = cs_topo_find(&topo, src), k = cs_topo_find(&topo, sink);

	if (s < 0 || k < 0)
		return -1;
	return cs_topo_path(&topo, (unsigned int)s, (unsigned int)k, p);
}

/* The topology of the Debian DTB at CS_DTBS/name, its links' models
 * reset.  Returns the tree (freed by the caller), or NULL (a failed
 * check) if it cannot be read or parsed. */
static void *open_dtb(const char *name)
{
	char path[512];
	void *fdt;

	snprintf(path, sizeof(path), "%s/%s", CS_DTBS, name);
	fdt = load(path);
	CHECKF(fdt, "%s", path);
	if (fdt && cs_topo_parse(&topo, &fdt_ops, fdt, 1)) {
		CHECKF(0, "%s: cs_topo_parse", path);
		free(fdt);
		fdt = NULL;
	}
	if (fdt)
		models();
	return fdt;
}

static void test_juno_etf(void)
{
	void *fdt = open_dtb("arm/juno.dtb");
	struct cs_path p, other;
	struct csm_link *cl, *ml;

	if (!fdt)
		return;
	CHECK(path_of("etm@23240000", "etf@20010000", &p) == 0);
	CHECK(path_of("etm@23040000", "etf@20010000", &other) == 0);
	CHECK(p.nhop == 4);
	cl = link_named("funnel@230c0000");
	ml = link_named("funnel@20040000");
	CHECK(!reaches(&p, 0x12));	/* reset: every port off */
	CHECK(program(&p, 0x12, 1) == 0);
	CHECKF(refusals() == 0, "%s", cl->rule ? cl->rule : ml->rule);
	/* EnS2 on the cluster funnel, EnS1 on the main one, HT 3. */
	CHECKF(cl->ctrl == 0x304, "cluster FUNNEL_CTRL %#x", cl->ctrl);
	CHECKF(ml->ctrl == 0x302, "main FUNNEL_CTRL %#x", ml->ctrl);
	CHECK(cl->prictrl == 0 && ml->prictrl == 0);
	CHECK(cl->claim == CS_CLAIM_SELF_HOSTED && cl->slk && ml->slk);
	CHECK(reaches(&p, 0x12));
	CHECK(!reaches(&other, 0x10));	/* port 0 of the cluster: off */
	CHECK(program(&p, 0x12, 0) == 0);
	CHECK(refusals() == 0);
	CHECK(cl->ctrl == 0x300 && ml->ctrl == 0x300);
	CHECK(cl->claim == 0 && ml->claim == 0);
	CHECK(!reaches(&p, 0x12));
	/* A disable with no user left. */
	CHECK(program(&p, 0x12, 0) == -CS_EINVAL);
	free(fdt);
}

/* The Juno-like tree: etm0/etm1 (cpu@0, cpu@1) into a cluster funnel's
 * ports 0 and 1, its output into port 1 of a main funnel, then a
 * programmable replicator: master port 0 to an ETR, 1 to a TPIU. */
static char jl[8192];

static void jl_port(const char *ports, int num, uint32_t ph, uint32_t remote)
{
	char n[32];

	fdt_begin_node(jl, ports);
	fdt_property_u32(jl, "#address-cells", 1);
	fdt_property_u32(jl, "#size-cells", 0);
	snprintf(n, sizeof(n), "port@%x", num);
	fdt_begin_node(jl, n);
	fdt_property_u32(jl, "reg", (uint32_t)num);
	fdt_begin_node(jl, "endpoint");
	fdt_property_u32(jl, "phandle", ph);
	fdt_property_u32(jl, "remote-endpoint", remote);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_end_node(jl);
}

static void jl_comp(const char *name, const char *compat, uint32_t addr)
{
	uint32_t r[2] = { cpu_to_fdt32(addr), cpu_to_fdt32(0x1000) };

	fdt_begin_node(jl, name);
	fdt_property_string(jl, "compatible", compat);
	fdt_property(jl, "reg", r, sizeof(r));
}

static void jl_cpu(const char *name, uint32_t mpidr, uint32_t ph)
{
	fdt_begin_node(jl, name);
	fdt_property_string(jl, "device_type", "cpu");
	fdt_property_u32(jl, "reg", mpidr);
	fdt_property_u32(jl, "phandle", ph);
	fdt_end_node(jl);
}

static void *juno_like(void)
{
	fdt_create(jl, sizeof(jl));
	fdt_finish_reservemap(jl);
	fdt_begin_node(jl, "");
	fdt_property_u32(jl, "#address-cells", 1);
	fdt_property_u32(jl, "#size-cells", 1);
	fdt_begin_node(jl, "cpus");
	fdt_property_u32(jl, "#address-cells", 1);
	fdt_property_u32(jl, "#size-cells", 0);
	jl_cpu("cpu@0", 0, 1);
	jl_cpu("cpu@1", 1, 2);
	fdt_end_node(jl);
	jl_comp("etm@22040000", "arm,coresight-etm4x", 0x22040000);
	fdt_property_u32(jl, "cpu", 1);
	jl_port("out-ports", 0, 10, 20);
	fdt_end_node(jl);
	jl_comp("etm@22140000", "arm,coresight-etm4x", 0x22140000);
	fdt_property_u32(jl, "cpu", 2);
	jl_port("out-ports", 0, 11, 21);
	fdt_end_node(jl);
	jl_comp("funnel@220c0000", "arm,coresight-dynamic-funnel", 0x220c0000);
	fdt_begin_node(jl, "in-ports");
	fdt_property_u32(jl, "#address-cells", 1);
	fdt_property_u32(jl, "#size-cells", 0);
	fdt_begin_node(jl, "port@0");
	fdt_property_u32(jl, "reg", 0);
	fdt_begin_node(jl, "endpoint");
	fdt_property_u32(jl, "phandle", 20);
	fdt_property_u32(jl, "remote-endpoint", 10);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_begin_node(jl, "port@1");
	fdt_property_u32(jl, "reg", 1);
	fdt_begin_node(jl, "endpoint");
	fdt_property_u32(jl, "phandle", 21);
	fdt_property_u32(jl, "remote-endpoint", 11);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_end_node(jl);
	jl_port("out-ports", 0, 22, 30);
	fdt_end_node(jl);
	jl_comp("funnel@20040000", "arm,coresight-dynamic-funnel", 0x20040000);
	jl_port("in-ports", 1, 30, 22);
	jl_port("out-ports", 0, 31, 40);
	fdt_end_node(jl);
	jl_comp("replicator@20120000", "arm,coresight-dynamic-replicator",
		0x20120000);
	jl_port("in-ports", 0, 40, 31);
	fdt_begin_node(jl, "out-ports");
	fdt_property_u32(jl, "#address-cells", 1);
	fdt_property_u32(jl, "#size-cells", 0);
	fdt_begin_node(jl, "port@0");
	fdt_property_u32(jl, "reg", 0);
	fdt_begin_node(jl, "endpoint");
	fdt_property_u32(jl, "phandle", 41);
	fdt_property_u32(jl, "remote-endpoint", 50);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_begin_node(jl, "port@1");
	fdt_property_u32(jl, "reg", 1);
	fdt_begin_node(jl, "endpoint");
	fdt_property_u32(jl, "phandle", 42);
	fdt_property_u32(jl, "remote-endpoint", 60);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_end_node(jl);
	jl_comp("etr@20070000", "arm,coresight-tmc", 0x20070000);
	jl_port("in-ports", 0, 50, 41);
	fdt_end_node(jl);
	jl_comp("tpiu@20030000", "arm,coresight-tpiu", 0x20030000);
	jl_port("in-ports", 0, 60, 42);
	fdt_end_node(jl);
	fdt_end_node(jl);
	fdt_finish(jl);
	return jl;
}

static void test_replicator(void)
{
	struct cs_path p0, p1, tp;
	struct csm_link *r;

	CHECK(cs_topo_parse(&topo, &fdt_ops, juno_like(), 1) == 0);
	models();
	CHECK(path_of("etm@22140000", "etr@20070000", &p1) == 0);
	CHECK(path_of("etm@22040000", "etr@20070000", &p0) == 0);
	CHECK(path_of("etm@22140000", "tpiu@20030000", &tp) == 0);
	CHECK(p1.nhop == 5);
	r = link_named("replicator@20120000");
	CHECK(program(&p1, 0x21, 1) == 0);
	CHECK(refusals() == 0);
	/* ID 0x21 is group 2: IDFILTER0 passes it alone, IDFILTER1 none. */
	CHECKF(r->idf[0] == 0xfb && r->idf[1] == 0xff, "IDFILTER %#x %#x",
	       r->idf[0], r->idf[1]);
	CHECK(link_named("funnel@220c0000")->ctrl == 0x302);
	CHECK(link_named("funnel@20040000")->ctrl == 0x302);
	CHECK(reaches(&p1, 0x21));
	CHECK(!reaches(&tp, 0x21));	/* master port 1 closed */
	CHECK(!reaches(&p1, 0x10));	/* another group: filtered */
	CHECK(!reaches(&p0, 0x21));	/* cluster port 0: off */
	CHECK(program(&p1, 0x21, 0) == 0);
	CHECK(refusals() == 0);
	CHECK(r->idf[0] == 0xff && r->idf[1] == 0xff && r->claim == 0);
	CHECK(!reaches(&p1, 0x21));
}

/* CPU mode: the four A53 ETMs of juno.dtb share funnel@230c0000 (ports
 * 0-3) and port 1 of funnel@20040000. */
static void test_shared(void)
{
	static const char *const etm[] = {
		"etm@23040000", "etm@23140000", "etm@23240000", "etm@23340000",
	};
	void *fdt = open_dtb("arm/juno.dtb");
	struct cs_path p[4];
	struct csm_link *cl, *ml;
	uint32_t w;
	int i;

	if (!fdt)
		return;
	cl = link_named("funnel@230c0000");
	ml = link_named("funnel@20040000");
	for (i = 0; i < 4; i++) {
		CHECK(path_of(etm[i], "etf@20010000", &p[i]) == 0);
		CHECK(program(&p[i], (uint8_t)(0x12 + i), 1) == 0);
	}
	CHECK(refusals() == 0);
	CHECKF(cl->ctrl == 0x30f && ml->ctrl == 0x302, "%#x %#x", cl->ctrl,
	       ml->ctrl);
	/* The main funnel's port was set once: LAR, CLAIM, PRICTRL, CTRL,
	 * LAR; the later sources wrote nothing there. */
	CHECKF(ml->writes == 5, "main funnel: %u writes", ml->writes);
	for (i = 0; i < 4; i++)
		CHECK(reaches(&p[i], (uint8_t)(0x12 + i)));
	/* Off in another order: 2, 0, 3, 1. */
	CHECK(program(&p[2], 0x14, 0) == 0);
	CHECK(cl->ctrl == 0x30b && ml->ctrl == 0x302 && cl->claim);
	CHECK(!reaches(&p[2], 0x14) && reaches(&p[3], 0x15));
	CHECK(program(&p[0], 0x12, 0) == 0);
	w = ml->writes;
	CHECK(program(&p[3], 0x15, 0) == 0);
	CHECK(ml->writes == w);		/* port 1 still needed by etm 1 */
	CHECK(cl->ctrl == 0x302 && ml->ctrl == 0x302 && ml->claim);
	CHECK(reaches(&p[1], 0x13));
	CHECK(program(&p[1], 0x13, 0) == 0);
	CHECK(cl->ctrl == 0x300 && ml->ctrl == 0x300);
	CHECK(cl->claim == 0 && ml->claim == 0);
	CHECK(refusals() == 0);
	free(fdt);
}

/* Each rule of the model once. */
static void test_refusals(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct csm_link f, r;
	struct cs_io io;
	uint64_t res[8], v;
	int n;

	csm_link_init(&f, CS_LINK_FUNNEL, 4);
	CHECK(csm_link_write(&f, FUNNEL_CTRL, 0x301) == -1);	/* locked */
	CHECK(csm_link_write(&f, CS_LINK_LAR, CS_LAR_UNLOCK) == 0);
	CHECK(csm_link_write(&f, FUNNEL_CTRL, 0x301) == -1);	/* no claim */
	CHECK(csm_link_write(&f, CS_LINK_CLAIMSET, 1) == 0);
	CHECK(csm_link_write(&f, FUNNEL_CTRL, 0x1301) == -1);	/* RES0 */
	CHECK(csm_link_write(&f, FUNNEL_CTRL, 0x310) == -1);	/* port 4 */
	CHECK(csm_link_write(&f, FUNNEL_CTRL, 0x308) == 0);
	CHECK(csm_link_write(&f, FUNNEL_PRICTRL, 0) == -1);	/* enabled */
	CHECK(csm_link_write(&f, 0x008, 0) == -1);
	CHECK(csm_link_write(&f, CS_LINK_CLAIMCLR, 2) == -1);	/* not ours */
	CHECK(f.refused == 7 && f.ctrl == 0x308);
	CHECK(csm_link_read(&f, CS_LINK_DEVID, &v) == 0 && v == 4);

	/* Another agent's claim: EBUSY, nothing written. */
	csm_link_init(&f, CS_LINK_FUNNEL, 8);
	csm_link_claim_external(&f);
	csm_link_io(&f, &io);
	n = cs_link_seq_enable(CS_LINK_FUNNEL, 1, 0x10, 1, ops);
	CHECK(n > 0 && cs_seq_run(ops, n, &io, res, 8) == -CS_EBUSY);
	CHECK(f.writes == 0 && f.refused == 0 && f.ctrl == 0x300);

	csm_link_init(&r, CS_LINK_REPLICATOR, 1);
	csm_link_write(&r, CS_LINK_LAR, CS_LAR_UNLOCK);
	csm_link_write(&r, CS_LINK_CLAIMSET, 1);
	CHECK(csm_link_write(&r, REPL_IDFILTER1, 0xff) == -1);	/* port 1 */
	CHECK(csm_link_write(&r, REPL_IDFILTER0, 0x1ff) == -1);	/* RES0 */
	CHECK(r.refused == 2);

	/* Bad arguments. */
	CHECK(cs_link_seq_enable(CS_LINK_FUNNEL, 8, 0x10, 1, ops) ==
	      -CS_EINVAL);
	CHECK(cs_link_seq_enable(CS_LINK_REPLICATOR, 2, 0x10, 1, ops) ==
	      -CS_EINVAL);
	CHECK(cs_link_seq_enable(CS_LINK_FUNNEL, 0, 0x70, 1, ops) ==
	      -CS_EINVAL);
	CHECK(cs_link_seq_enable(CS_LINK_FUNNEL, 0, 0, 1, ops) == -CS_EINVAL);
	CHECK(csm_link_init(&r, CS_LINK_REPLICATOR, 3) == -CS_EINVAL);
}

/*
 * CPU mode on juno-r1.dtb as the board is wired: the six ETMs through
 * the cluster funnels and the main funnel into etf@20010000, then
 * funnel@20150000 and replicator@20120000, whose master port 1 feeds
 * etr@20070000 and port 0 tpiu@20030000 (juno-base.dtsi, juno-r1.dts).
 * Ground truth, by hand from the TMC TRM's layout: the ETF as a link
 * runs with MODE = 2 (Hardware FIFO), FFCR = 0x3 (EnFt | EnTI), CTL =
 * 1, claimed once by the first source and flushed, stopped and
 * released by the last; the replicator opens each traced ID's group on
 * port 1 and nothing on port 0 (IDFILTER0 0xff).
 */
static void test_etf_link(void)
{
	static const char *const etm[] = {
		"etm@22040000", "etm@22140000", "etm@23040000",
		"etm@23140000", "etm@23240000", "etm@23340000",
	};
	void *fdt = open_dtb("arm/juno-r1.dtb");
	struct cs_path p[6], tp;
	struct cs_op ops[CS_SEQ_MAX];
	struct csm_link *etf, *rep;
	uint32_t w;
	int i, k;

	if (!fdt)
		return;
	etf = link_named("etf@20010000");
	rep = link_named("replicator@20120000");
	CHECK(etf->kind == CS_LINK_ETF && rep->kind == CS_LINK_REPLICATOR);
	for (i = 0; i < 6; i++) {
		k = cs_topo_collector(&topo, (unsigned int)cs_topo_find(&topo,
					      etm[i]));
		CHECK(k == cs_topo_find(&topo, "etr@20070000"));
		CHECK(path_of(etm[i], "etr@20070000", &p[i]) == 0);
		CHECK(!reaches(&p[i], (uint8_t)(0x10 + i)));
	}
	CHECK(p[0].nhop == 7 && !strcmp(topo.comp[p[0].hop[3].comp].name,
					"etf@20010000"));
	CHECK(path_of(etm[0], "tpiu@20030000", &tp) == 0);
	/* Bad hops: the source and the sink are no links. */
	CHECK(cs_link_hop(&topo, &p[0], 0, 0x10, 1, use, ops) == -CS_EINVAL);
	CHECK(cs_link_hop(&topo, &p[0], 6, 0x10, 1, use, ops) == -CS_EINVAL);
	CHECK(program(&p[0], 0x10, 1) == 0);
	CHECKF(refusals() == 0, "%s", etf->rule ? etf->rule : "-");
	CHECKF(etf->mode == 2 && etf->ffcr == 0x3 && etf->ctl == 1 &&
	       etf->claim == CS_CLAIM_SELF_HOSTED && etf->slk,
	       "ETF MODE %u FFCR %#x CTL %u claim %u", etf->mode, etf->ffcr,
	       etf->ctl, etf->claim);
	w = etf->writes;
	for (i = 1; i < 6; i++)
		CHECK(program(&p[i], (uint8_t)(0x10 + i), 1) == 0);
	CHECK(refusals() == 0);
	CHECKF(etf->writes == w, "the ETF reprogrammed: %u writes, was %u",
	       etf->writes, w);
	/* IDs 0x10-0x15: group 1 open on port 1 only. */
	CHECKF(rep->idf[1] == 0xfd && rep->idf[0] == 0xff,
	       "IDFILTER0 %#x IDFILTER1 %#x", rep->idf[0], rep->idf[1]);
	for (i = 0; i < 6; i++)
		CHECK(reaches(&p[i], (uint8_t)(0x10 + i)));
	CHECK(!reaches(&tp, 0x10));
	/* Off in another order; the ETF runs until the last. */
	for (i = 5; i > 0; i--) {
		CHECK(program(&p[(i + 2) % 6], (uint8_t)(0x10 + (i + 2) % 6),
			      0) == 0);
		CHECK(etf->ctl == 1 && etf->claim && !etf->stopped);
	}
	CHECK(etf->writes == w);
	CHECK(reaches(&p[2], 0x12));
	CHECK(program(&p[2], 0x12, 0) == 0);
	CHECK(refusals() == 0);
	CHECK(etf->ctl == 0 && etf->claim == 0 && etf->slk);
	CHECK(rep->idf[0] == 0xff && rep->idf[1] == 0xff && rep->claim == 0);
	CHECK(!reaches(&p[2], 0x12));
	CHECK(program(&p[2], 0x12, 0) == -CS_EINVAL);
	free(fdt);
}

/* The ETF model's rules (TMC 3.3.3, 3.3.8, 3.3.10, 3.3.20), each once,
 * and trace at an ETF that is not passing it on. */
static void test_etf_refusals(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct csm_link e;
	struct cs_io io;
	uint64_t res[8], v;
	int n;

	CHECK(csm_link_init(&e, CS_LINK_ETF, 2) == -CS_EINVAL);
	csm_link_init(&e, CS_LINK_ETF, 1);
	CHECK(csm_link_read(&e, CS_LINK_DEVID, &v) == 0 &&
	      ((v >> 6) & 3) == 2);			/* CONFIGTYPE ETF */
	CHECK(csm_link_pass(&e, 0, 0, 0x10) == 0);	/* disabled */
	CHECK(csm_link_write(&e, TMC_MODE, 2) == -1);	/* locked */
	csm_link_write(&e, CS_LINK_LAR, CS_LAR_UNLOCK);
	CHECK(csm_link_write(&e, TMC_MODE, 2) == -1);	/* no claim */
	csm_link_write(&e, CS_LINK_CLAIMSET, 1);
	CHECK(csm_link_write(&e, TMC_MODE, 3) == -1);	/* reserved */
	CHECK(csm_link_write(&e, TMC_CTL, 1) == 0);	/* CB mode */
	CHECK(csm_link_pass(&e, 0, 0, 0x10) == 0);	/* nothing leaves */
	CHECK(csm_link_write(&e, TMC_MODE, 2) == -1);	/* enabled */
	CHECK(csm_link_write(&e, TMC_BUFWM, 0) == -1);	/* not ready */
	CHECK(csm_link_write(&e, TMC_FFCR, 0x3) == -1);	/* settings */
	CHECK(csm_link_write(&e, TMC_CTL, 2) == -1);	/* RES0 */
	CHECK(csm_link_write(&e, TMC_AXICTL, 0) == -1);	/* an ETR's */
	CHECK(e.refused == 8);
	CHECK(csm_link_write(&e, TMC_CTL, 0) == 0);
	CHECK(csm_link_write(&e, TMC_MODE, 2) == 0 &&
	      csm_link_write(&e, TMC_FFCR, 0x3) == 0 &&
	      csm_link_write(&e, TMC_CTL, 1) == 0);
	CHECK(csm_link_pass(&e, 0, 0, 0x10) == 1);
	/* The flush and stop controls may be written while running. */
	CHECK(csm_link_write(&e, TMC_FFCR, 0x1003) == 0);
	CHECK(csm_link_pass(&e, 0, 0, 0x10) == 1);
	CHECK(csm_link_write(&e, TMC_FFCR, 0x1043) == 0 && e.stopped);
	CHECK(csm_link_read(&e, TMC_STS, &v) == 0 && (v & TMC_STS_TMCREADY));
	CHECK(csm_link_pass(&e, 0, 0, 0x10) == 0);	/* stopped */
	CHECK(e.refused == 8 && e.blocked == 3);

	/* Another agent's claim: EBUSY, nothing written. */
	csm_link_init(&e, CS_LINK_ETF, 1);
	csm_link_claim_external(&e);
	csm_link_io(&e, &io);
	n = cs_link_seq_enable(CS_LINK_ETF, 0, 0x10, 1, ops);
	CHECK(n > 0 && cs_seq_run(ops, n, &io, res, 8) == -CS_EBUSY);
	CHECK(e.writes == 0 && e.refused == 0 && e.ctl == 0);
	CHECK(cs_link_seq_enable(CS_LINK_ETF, 1, 0x10, 1, ops) == -CS_EINVAL);
	/* Disabled in the sequence's order: no refusal, capture off. */
	csm_link_init(&e, CS_LINK_ETF, 1);
	csm_link_io(&e, &io);
	n = cs_link_seq_enable(CS_LINK_ETF, 0, 0x10, 1, ops);
	CHECK(n > 0 && cs_seq_run(ops, n, &io, res, 8) == 0);
	n = cs_link_seq_disable(CS_LINK_ETF, 0, 0x10, 1, ops);
	CHECK(n > 0 && cs_seq_run(ops, n, &io, res, 8) == 0);
	CHECK(e.refused == 0 && e.ctl == 0 && e.claim == 0 && e.slk);
}

/* What a failure leaves (juno-r1.dtb, ETM -> funnels -> ETF ->
 * replicator -> ETR): a wedged ETF's flush times out and capture is
 * turned off all the same (TMC 3.3.20, as Linux's tmc_disable_hw()
 * follows tmc_flush_and_stop()), every other link closed; an enable
 * that meets another agent's claim closes what it opened and leaves
 * that link untouched; a refused hop's enable closes the path again. */
static void test_path_failures(void)
{
	void *fdt = open_dtb("arm/juno-r1.dtb");
	struct csm_link *etf, *rep, *cl, *ml;
	struct cs_path p;
	unsigned int i;

	if (!fdt)
		return;
	etf = link_named("etf@20010000");
	rep = link_named("replicator@20120000");
	CHECK(path_of("etm@22040000", "etr@20070000", &p) == 0);
	CHECK(p.nhop == 7);
	cl = &links[p.hop[1].comp];
	ml = &links[p.hop[2].comp];

	/* Wedged: the disable reports it, and goes on to the end. */
	CHECK(program(&p, 0x10, 1) == 0 && etf->ctl == 1 && reaches(&p, 0x10));
	wedged = etf;
	CHECK(program(&p, 0x10, 0) == -CS_EINVAL);
	wedged = NULL;
	CHECKF(etf->ctl == 0 && etf->claim == 0 && etf->slk,
	       "ETF CTL %u claim %u", etf->ctl, etf->claim);
	CHECK(rep->claim == 0 && rep->idf[0] == 0xff && rep->idf[1] == 0xff);
	CHECK(cl->claim == 0 && ml->claim == 0 && !(cl->ctrl & 0xff));
	for (i = 0; i < topo.ncomp; i++)
		CHECK(use[i].users == 0);
	CHECK(refusals() == 0);

	/* The ETF claimed by an external debugger: EBUSY, the sink's
	 * side (the replicator) closed again, the ETF and the funnels
	 * not written. */
	models();
	csm_link_claim_external(etf);
	CHECK(program(&p, 0x10, 1) == -CS_EBUSY);
	CHECK(etf->writes == 0 && etf->claim == CS_CLAIM_EXTERNAL);
	CHECK(cl->writes == 0 && ml->writes == 0);
	CHECK(rep->writes > 0 && rep->claim == 0 &&
	      rep->idf[0] == 0xff && rep->idf[1] == 0xff);
	for (i = 0; i < topo.ncomp; i++)
		CHECK(use[i].users == 0);
	CHECK(!reaches(&p, 0x10) && refusals() == 0);
	/* Freed, the same path opens: no use was left behind. */
	models();
	CHECK(program(&p, 0x10, 1) == 0 && reaches(&p, 0x10));
	CHECK(program(&p, 0x10, 0) == 0 && refusals() == 0);

	/* The cluster funnel, the last hop opened, claimed by a debugger:
	 * the main funnel, ETF and replicator opened and closed again. */
	models();
	csm_link_claim_external(cl);
	CHECK(program(&p, 0x10, 1) == -CS_EBUSY);
	CHECK(cl->writes == 0 && ml->writes > 0 && ml->claim == 0 &&
	      !(ml->ctrl & 0xff));
	CHECK(etf->claim == 0 && etf->ctl == 0 && etf->writes > 0);
	CHECK(rep->claim == 0 && rep->idf[0] == 0xff && rep->idf[1] == 0xff);
	for (i = 0; i < topo.ncomp; i++)
		CHECK(use[i].users == 0);
	CHECK(refusals() == 0);

	/* The ETF refuses every write: -CS_EINVAL, its use released (its
	 * disable tried), the replicator closed again, the funnels never
	 * written. */
	models();
	broken = etf;
	CHECK(program(&p, 0x10, 1) == -CS_EINVAL);
	broken = NULL;
	CHECK(etf->writes == 0 && cl->writes == 0 && ml->writes == 0);
	CHECK(rep->writes > 0 && rep->claim == 0);
	for (i = 0; i < topo.ncomp; i++)
		CHECK(use[i].users == 0);
	CHECK(program(&p, 0x10, 1) == 0 && reaches(&p, 0x10));
	CHECK(refusals() == 0);
	free(fdt);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_juno_etf(), "link_juno_etf");
	RUN(test_replicator(), "link_replicator");
	RUN(test_shared(), "link_shared_cpu_mode");
	RUN(test_refusals(), "link_refusals");
	RUN(test_etf_link(), "link_juno_r1_etf_hwfifo_cpu_mode");
	RUN(test_etf_refusals(), "link_etf_refusals");
	RUN(test_path_failures(), "link_path_failures");
	return unit_failed ? 1 : 0;
}
