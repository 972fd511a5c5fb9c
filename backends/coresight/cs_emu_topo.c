// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The emulated CoreSight topology's device tree (see cs_emu_topo.h).
 */
#include "cs_emu_topo.h"

/*
 * Juno r1 (juno-r1.dtb): the ETMs of cluster 0 (0x22x40000) and cluster
 * 1 (0x23x40000).  CPU c is in cluster c % 2, on its funnel's port
 * c / 2, so that two CPUs already take both clusters and both ports of
 * the main funnel.
 */
static const char *const etm_name[CS_EMU_TOPO_MAX_CPU] = {
	"etm@22040000", "etm@23040000", "etm@22140000", "etm@23140000",
};
static const uint32_t etm_base[CS_EMU_TOPO_MAX_CPU] = {
	0x22040000, 0x23040000, 0x22140000, 0x23140000,
};
static const char *const cpu_name[CS_EMU_TOPO_MAX_CPU] = {
	"cpu@0", "cpu@1", "cpu@2", "cpu@3",
};
static const char *const cluster_name[2] = {
	"funnel@220c0000", "funnel@230c0000",
};
static const uint32_t cluster_base[2] = { 0x220c0000, 0x230c0000 };
static const char *const port_name[2] = { "port@0", "port@1" };

#define MAIN_BASE	0x20040000u
#define ETR_BASE	0x20070000u
#define ETF_BASE	0x20010000u
/* juno-r1.dts: the funnel behind the ETF. */
#define ETF_FUNNEL_BASE	0x20150000u
#define REPL_BASE	0x20120000u
#define TPIU_BASE	0x20030000u

/* Phandles: CPUs, then the endpoints at both ends of each edge. */
#define PH_CPU(c)	(0x10u + (c))
#define PH_ETM_OUT(c)	(0x100u + (c))
#define PH_CL_IN(c)	(0x110u + (c))
#define PH_CL_OUT(k)	(0x120u + (k))
#define PH_MAIN_IN(k)	(0x130u + (k))
#define PH_MAIN_OUT	0x140u
#define PH_ETR_IN	0x141u
#define PH_ETF_IN	0x150u
#define PH_ETF_OUT	0x151u
#define PH_EF_IN	0x152u
#define PH_EF_OUT	0x153u
#define PH_REPL_IN	0x154u
#define PH_REPL_OUT(p)	(0x155u + (p))
#define PH_TPIU_IN	0x157u

/* A builder that fails once, and stays failed, when a table is full. */
struct bld {
	struct cs_emu_topo *t;
	int err;
};

/* Returns the new node's index (its parent's if a table is full). */
static unsigned int node(struct bld *b, unsigned int parent,
			 const char *name)
{
	struct cs_emu_topo *t = b->t;
	struct cs_emu_node *n;

	if (t->nnode == CS_EMU_TOPO_NODES) {
		b->err = -CS_E2BIG;
		return parent;
	}
	n = &t->node[t->nnode];
	n->name = name;
	n->parent = (uint16_t)parent;
	n->prop = (uint16_t)t->nprop;
	n->nprop = 0;
	return t->nnode++;
}

/* A property of the node added last (properties stay contiguous). */
static void prop(struct bld *b, const char *name, const void *val,
		 unsigned int len)
{
	struct cs_emu_topo *t = b->t;
	struct cs_emu_prop *p;

	if (t->nprop == CS_EMU_TOPO_PROPS ||
	    t->ndata + len > CS_EMU_TOPO_DATA || !t->nnode) {
		b->err = -CS_E2BIG;
		return;
	}
	p = &t->prop[t->nprop++];
	p->name = name;
	p->off = (uint16_t)t->ndata;
	p->len = (uint16_t)len;
	if (len)
		memcpy(t->data + t->ndata, val, len);
	t->ndata += len;
	t->node[t->nnode - 1].nprop++;
}

/* Cells, big-endian (DT spec 2.2.4). */
static void prop_cells(struct bld *b, const char *name, const uint32_t *v,
		       unsigned int n)
{
	uint8_t buf[16];
	unsigned int i;

	if (n > 4) {
		b->err = -CS_EINVAL;
		return;
	}
	for (i = 0; i < n; i++) {
		buf[4 * i] = (uint8_t)(v[i] >> 24);
		buf[4 * i + 1] = (uint8_t)(v[i] >> 16);
		buf[4 * i + 2] = (uint8_t)(v[i] >> 8);
		buf[4 * i + 3] = (uint8_t)v[i];
	}
	prop(b, name, buf, 4 * n);
}

static void prop_u32(struct bld *b, const char *name, uint32_t v)
{
	prop_cells(b, name, &v, 1);
}

/* A string list given with its terminating NULs (sizeof the literal). */
#define PROP_STR(b, name, s)	prop(b, name, s, sizeof(s))

/* reg = <0 base 0 0x1000> under the root's 2 + 2 cells. */
static void prop_reg(struct bld *b, uint32_t base)
{
	const uint32_t r[4] = { 0, base, 0, 0x1000 };

	prop_cells(b, "reg", r, 4);
}

/* A ports node ("in-ports", "out-ports") of parent. */
static unsigned int ports(struct bld *b, unsigned int parent,
			  const char *name)
{
	unsigned int n = node(b, parent, name);

	prop_u32(b, "#address-cells", 1);
	prop_u32(b, "#size-cells", 0);
	return n;
}

/*
 * A port with one endpoint (phandle self) connected to remote.  num < 0:
 * a lone "port" (port 0, no reg).
 */
static void port(struct bld *b, unsigned int ports_node, int num,
		 uint32_t self, uint32_t remote)
{
	node(b, ports_node, num < 0 ? "port" : port_name[num]);
	if (num >= 0)
		prop_u32(b, "reg", (uint32_t)num);
	node(b, b->t->nnode - 1, "endpoint");
	prop_u32(b, "phandle", self);
	prop_u32(b, "remote-endpoint", remote);
}

/* A component node of the root with its compatible and reg. */
static unsigned int comp(struct bld *b, unsigned int root, const char *name,
			 const char *compat, unsigned int compat_len,
			 uint32_t base)
{
	unsigned int n = node(b, root, name);

	prop(b, "compatible", compat, compat_len);
	prop_reg(b, base);
	return n;
}

#define COMP(b, root, name, compat, base) \
	comp(b, root, name, compat, sizeof(compat), base)

/*
 * Juno r1 behind the main funnel (juno-base.dtsi, juno-r1.dts): the
 * ETF, funnel@20150000's port 0, the replicator, its port 0 the TPIU
 * and port 1 the ETR.
 */
static void juno_r1_tail(struct bld *b, unsigned int root)
{
	unsigned int n, p;

	n = COMP(b, root, "etf@20010000",
		 "arm,coresight-tmc\0arm,primecell", ETF_BASE);
	p = ports(b, n, "in-ports");
	port(b, p, -1, PH_ETF_IN, PH_MAIN_OUT);
	p = ports(b, n, "out-ports");
	port(b, p, -1, PH_ETF_OUT, PH_EF_IN);
	n = COMP(b, root, "funnel@20150000",
		 "arm,coresight-dynamic-funnel\0arm,primecell",
		 ETF_FUNNEL_BASE);
	p = ports(b, n, "in-ports");
	port(b, p, 0, PH_EF_IN, PH_ETF_OUT);
	p = ports(b, n, "out-ports");
	port(b, p, -1, PH_EF_OUT, PH_REPL_IN);
	n = COMP(b, root, "replicator@20120000",
		 "arm,coresight-dynamic-replicator\0arm,primecell",
		 REPL_BASE);
	p = ports(b, n, "in-ports");
	port(b, p, -1, PH_REPL_IN, PH_EF_OUT);
	p = ports(b, n, "out-ports");
	port(b, p, 0, PH_REPL_OUT(0), PH_TPIU_IN);
	port(b, p, 1, PH_REPL_OUT(1), PH_ETR_IN);
	n = COMP(b, root, "tpiu@20030000",
		 "arm,coresight-tpiu\0arm,primecell", TPIU_BASE);
	p = ports(b, n, "in-ports");
	port(b, p, -1, PH_TPIU_IN, PH_REPL_OUT(0));
}

int cs_emu_topo_build(struct cs_emu_topo *t, unsigned int ncpu,
		      const uint64_t *mpidr)
{
	return cs_emu_topo_build_shape(t, CS_EMU_TOPO_FUNNELS, ncpu, mpidr);
}

int cs_emu_topo_build_shape(struct cs_emu_topo *t,
			    enum cs_emu_topo_shape shape, unsigned int ncpu,
			    const uint64_t *mpidr)
{
	struct bld b = { .t = t, .err = 0 };
	unsigned int root, cpus, n, p, c, k, nclus;
	int juno = shape == CS_EMU_TOPO_JUNO_R1;

	if (!ncpu || ncpu > CS_EMU_TOPO_MAX_CPU ||
	    (shape != CS_EMU_TOPO_FUNNELS && !juno))
		return -CS_EINVAL;
	memset(t, 0, sizeof(*t));
	nclus = ncpu > 1 ? 2 : 1;
	root = node(&b, 0, "");
	prop_u32(&b, "#address-cells", 2);
	prop_u32(&b, "#size-cells", 2);
	cpus = node(&b, root, "cpus");
	prop_u32(&b, "#address-cells", 2);
	prop_u32(&b, "#size-cells", 0);
	for (c = 0; c < ncpu; c++) {
		const uint32_t reg[2] = {
			(uint32_t)(mpidr[c] >> 32), (uint32_t)mpidr[c],
		};

		node(&b, cpus, cpu_name[c]);
		PROP_STR(&b, "device_type", "cpu");
		PROP_STR(&b, "compatible", "arm,cortex-a57\0arm,armv8");
		prop_cells(&b, "reg", reg, 2);
		prop_u32(&b, "phandle", PH_CPU(c));
	}
	for (c = 0; c < ncpu; c++) {
		n = node(&b, root, etm_name[c]);
		PROP_STR(&b, "compatible",
			 "arm,coresight-etm4x\0arm,primecell");
		prop_reg(&b, etm_base[c]);
		prop_u32(&b, "cpu", PH_CPU(c));
		p = ports(&b, n, "out-ports");
		port(&b, p, -1, PH_ETM_OUT(c), PH_CL_IN(c));
	}
	for (k = 0; k < nclus; k++) {
		n = node(&b, root, cluster_name[k]);
		PROP_STR(&b, "compatible",
			 "arm,coresight-dynamic-funnel\0arm,primecell");
		prop_reg(&b, cluster_base[k]);
		p = ports(&b, n, "in-ports");
		for (c = k; c < ncpu; c += 2)
			port(&b, p, (int)(c / 2), PH_CL_IN(c), PH_ETM_OUT(c));
		p = ports(&b, n, "out-ports");
		port(&b, p, -1, PH_CL_OUT(k), PH_MAIN_IN(k));
	}
	n = node(&b, root, "funnel@20040000");
	PROP_STR(&b, "compatible",
		 "arm,coresight-dynamic-funnel\0arm,primecell");
	prop_reg(&b, MAIN_BASE);
	p = ports(&b, n, "in-ports");
	for (k = 0; k < nclus; k++)
		port(&b, p, (int)k, PH_MAIN_IN(k), PH_CL_OUT(k));
	p = ports(&b, n, "out-ports");
	port(&b, p, -1, PH_MAIN_OUT, juno ? PH_ETF_IN : PH_ETR_IN);
	if (juno)
		juno_r1_tail(&b, root);
	n = node(&b, root, "etr@20070000");
	PROP_STR(&b, "compatible", "arm,coresight-tmc\0arm,primecell");
	prop_reg(&b, ETR_BASE);
	prop(&b, "arm,scatter-gather", NULL, 0);
	p = ports(&b, n, "in-ports");
	port(&b, p, -1, PH_ETR_IN, juno ? PH_REPL_OUT(1) : PH_MAIN_OUT);
	return b.err;
}

uintptr_t cs_emu_topo_root(const struct cs_emu_topo *t)
{
	return t->nnode ? 1 : 0;
}

/* Handles are node index + 1 (0 is "none"). */
static uintptr_t et_child(void *ctx, uintptr_t parent, uintptr_t prev)
{
	const struct cs_emu_topo *t = ctx;
	unsigned int i;

	if (!parent || parent > t->nnode)
		return 0;
	for (i = prev ? (unsigned int)prev : 1; i < t->nnode; i++)
		if (t->node[i].parent == parent - 1)
			return i + 1;
	return 0;
}

static const char *et_name(void *ctx, uintptr_t n)
{
	const struct cs_emu_topo *t = ctx;

	return n && n <= t->nnode ? t->node[n - 1].name : "";
}

static const void *et_prop(void *ctx, uintptr_t n, const char *name,
			   int *len)
{
	const struct cs_emu_topo *t = ctx;
	const struct cs_emu_node *nd;
	unsigned int i;

	if (!n || n > t->nnode)
		return NULL;
	nd = &t->node[n - 1];
	for (i = nd->prop; i < nd->prop + nd->nprop; i++) {
		if (strcmp(t->prop[i].name, name))
			continue;
		*len = t->prop[i].len;
		/* An empty property is there: a non-NULL pointer. */
		return t->data + t->prop[i].off;
	}
	return NULL;
}

const struct cs_dt_ops cs_emu_topo_ops = {
	.child = et_child,
	.name = et_name,
	.prop = et_prop,
};
