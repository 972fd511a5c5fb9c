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

/* A string list given with its terminating NULs (sizeof the literal). */
#define PROP_STR(m, name, s)	cs_dtmem_prop(m, name, s, sizeof(s))

/* reg = <0 base 0 0x1000> under the root's 2 + 2 cells. */
static void prop_reg(struct cs_dtmem *m, uint32_t base)
{
	const uint32_t r[4] = { 0, base, 0, 0x1000 };

	cs_dtmem_cells(m, "reg", r, 4);
}

/* A ports node ("in-ports", "out-ports") of parent. */
static unsigned int ports(struct cs_dtmem *m, unsigned int parent,
			  const char *name)
{
	unsigned int n = cs_dtmem_node(m, parent, name);

	cs_dtmem_u32(m, "#address-cells", 1);
	cs_dtmem_u32(m, "#size-cells", 0);
	return n;
}

/*
 * A port with one endpoint (phandle self) connected to remote.  num < 0:
 * a lone "port" (port 0, no reg).
 */
static void port(struct cs_dtmem *m, unsigned int ports_node, int num,
		 uint32_t self, uint32_t remote)
{
	unsigned int p = cs_dtmem_node(m, ports_node,
				       num < 0 ? "port" : port_name[num]);

	if (num >= 0)
		cs_dtmem_u32(m, "reg", (uint32_t)num);
	cs_dtmem_node(m, p, "endpoint");
	cs_dtmem_u32(m, "phandle", self);
	cs_dtmem_u32(m, "remote-endpoint", remote);
}

/* A component node of the root with its compatible and reg. */
static unsigned int comp(struct cs_dtmem *m, unsigned int root,
			 const char *name, const char *compat,
			 unsigned int compat_len, uint32_t base)
{
	unsigned int n = cs_dtmem_node(m, root, name);

	cs_dtmem_prop(m, "compatible", compat, compat_len);
	prop_reg(m, base);
	return n;
}

#define COMP(m, root, name, compat, base) \
	comp(m, root, name, compat, sizeof(compat), base)

/*
 * Juno r1 behind the main funnel (juno-base.dtsi, juno-r1.dts): the
 * ETF, funnel@20150000's port 0, the replicator, its port 0 the TPIU
 * and port 1 the ETR.
 */
static void juno_r1_tail(struct cs_dtmem *m, unsigned int root)
{
	unsigned int n, p;

	n = COMP(m, root, "etf@20010000",
		 "arm,coresight-tmc\0arm,primecell", ETF_BASE);
	p = ports(m, n, "in-ports");
	port(m, p, -1, PH_ETF_IN, PH_MAIN_OUT);
	p = ports(m, n, "out-ports");
	port(m, p, -1, PH_ETF_OUT, PH_EF_IN);
	n = COMP(m, root, "funnel@20150000",
		 "arm,coresight-dynamic-funnel\0arm,primecell",
		 ETF_FUNNEL_BASE);
	p = ports(m, n, "in-ports");
	port(m, p, 0, PH_EF_IN, PH_ETF_OUT);
	p = ports(m, n, "out-ports");
	port(m, p, -1, PH_EF_OUT, PH_REPL_IN);
	n = COMP(m, root, "replicator@20120000",
		 "arm,coresight-dynamic-replicator\0arm,primecell",
		 REPL_BASE);
	p = ports(m, n, "in-ports");
	port(m, p, -1, PH_REPL_IN, PH_EF_OUT);
	p = ports(m, n, "out-ports");
	port(m, p, 0, PH_REPL_OUT(0), PH_TPIU_IN);
	port(m, p, 1, PH_REPL_OUT(1), PH_ETR_IN);
	n = COMP(m, root, "tpiu@20030000",
		 "arm,coresight-tpiu\0arm,primecell", TPIU_BASE);
	p = ports(m, n, "in-ports");
	port(m, p, -1, PH_TPIU_IN, PH_REPL_OUT(0));
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
	struct cs_dtmem *m = &t->m;
	unsigned int root, cpus, n, p, c, k, nclus;
	int juno = shape == CS_EMU_TOPO_JUNO_R1;

	if (!ncpu || ncpu > CS_EMU_TOPO_MAX_CPU ||
	    (shape != CS_EMU_TOPO_FUNNELS && !juno))
		return -CS_EINVAL;
	cs_dtmem_init(m, t->node, CS_EMU_TOPO_NODES, t->prop,
		      CS_EMU_TOPO_PROPS, t->data, CS_EMU_TOPO_DATA);
	nclus = ncpu > 1 ? 2 : 1;
	root = cs_dtmem_node(m, 0, "");
	cs_dtmem_u32(m, "#address-cells", 2);
	cs_dtmem_u32(m, "#size-cells", 2);
	cpus = cs_dtmem_node(m, root, "cpus");
	cs_dtmem_u32(m, "#address-cells", 2);
	cs_dtmem_u32(m, "#size-cells", 0);
	for (c = 0; c < ncpu; c++) {
		const uint32_t reg[2] = {
			(uint32_t)(mpidr[c] >> 32), (uint32_t)mpidr[c],
		};

		cs_dtmem_node(m, cpus, cpu_name[c]);
		PROP_STR(m, "device_type", "cpu");
		PROP_STR(m, "compatible", "arm,cortex-a57\0arm,armv8");
		cs_dtmem_cells(m, "reg", reg, 2);
		cs_dtmem_u32(m, "phandle", PH_CPU(c));
	}
	for (c = 0; c < ncpu; c++) {
		n = cs_dtmem_node(m, root, etm_name[c]);
		PROP_STR(m, "compatible",
			 "arm,coresight-etm4x\0arm,primecell");
		prop_reg(m, etm_base[c]);
		cs_dtmem_u32(m, "cpu", PH_CPU(c));
		p = ports(m, n, "out-ports");
		port(m, p, -1, PH_ETM_OUT(c), PH_CL_IN(c));
	}
	for (k = 0; k < nclus; k++) {
		n = cs_dtmem_node(m, root, cluster_name[k]);
		PROP_STR(m, "compatible",
			 "arm,coresight-dynamic-funnel\0arm,primecell");
		prop_reg(m, cluster_base[k]);
		p = ports(m, n, "in-ports");
		for (c = k; c < ncpu; c += 2)
			port(m, p, (int)(c / 2), PH_CL_IN(c), PH_ETM_OUT(c));
		p = ports(m, n, "out-ports");
		port(m, p, -1, PH_CL_OUT(k), PH_MAIN_IN(k));
	}
	n = cs_dtmem_node(m, root, "funnel@20040000");
	PROP_STR(m, "compatible",
		 "arm,coresight-dynamic-funnel\0arm,primecell");
	prop_reg(m, MAIN_BASE);
	p = ports(m, n, "in-ports");
	for (k = 0; k < nclus; k++)
		port(m, p, (int)k, PH_MAIN_IN(k), PH_CL_OUT(k));
	p = ports(m, n, "out-ports");
	port(m, p, -1, PH_MAIN_OUT, juno ? PH_ETF_IN : PH_ETR_IN);
	if (juno)
		juno_r1_tail(m, root);
	n = cs_dtmem_node(m, root, "etr@20070000");
	PROP_STR(m, "compatible", "arm,coresight-tmc\0arm,primecell");
	prop_reg(m, ETR_BASE);
	cs_dtmem_prop(m, "arm,scatter-gather", NULL, 0);
	p = ports(m, n, "in-ports");
	port(m, p, -1, PH_ETR_IN, juno ? PH_REPL_OUT(1) : PH_MAIN_OUT);
	return m->err;
}
