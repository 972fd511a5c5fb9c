// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_mmio on real device trees: the windows hwt_cs_mmio ioremaps for a
 * board's CPUs, read from the DTBs of Debian's arm64 kernel package
 * (tests/vm/fetch-arm64.sh) with libfdt.  The expected addresses are
 * written by hand from each board's DTS source (`dtc -I dtb -O dts`
 * of the file; the kernel's arch/arm64/boot/dts/arm/juno-base.dtsi and
 * juno-r1.dts, hisilicon/hi6220.dtsi and hi6220-coresight.dtsi,
 * qcom/msm8916.dtsi): each CPU's MPIDR (/cpus reg), its etm4x node's
 * reg, the programmable funnels, replicators and ETF on its way to the
 * ETR behind the ETF, and that ETR.  msm8916.dtsi puts CoreSight under soc@0, a bus with one address
 * cell whose ranges maps it into the root's two: the translation is
 * exercised there, and on trees written with libfdt with a ranges that
 * moves the window, one that does not cover it and a bus without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>

#include "cs_unit.h"
#include "cs_fdt.h"
#include "../cs_mmio.h"
#include "../cs_config.h"
#include "../cs_seq.h"
#include "cs_cpus.h"

static struct cs_topo topo;
static struct cs_mmio_plan plan;

struct want_win {
	const char *name;	/* node name */
	uint64_t pa, size;
	int role, cpu;
};

struct board {
	const char *file;
	unsigned int ncpu;
	uint64_t mpidr[8];
	const struct want_win *w;
	unsigned int nw;
	const char *sink;
};

#define ETM(n, a, c)	{ n, a, 0x1000, CS_MMIO_ETM, c }
#define LINK(n, a)	{ n, a, 0x1000, CS_MMIO_LINK, -1 }
#define TMC(n, a)	{ n, a, 0x1000, CS_MMIO_SINK, -1 }
#define ETF(n, a)	LINK(n, a)	/* a TMC as a link */

/* juno-base.dtsi: A57_0/1 (cpu@0, cpu@1) into the cluster 0 funnel,
 * A53_0-3 (cpu@100-103) into the cluster 1 funnel, both into the main
 * funnel, whose output is the ETF; juno-r1.dts puts funnel@20150000
 * behind the ETF, into replicator@20120000, whose port 1 is the ETR
 * (port 0 the TPIU, not on the way). */
static const struct want_win juno_r1[] = {
	ETM("etm@22040000", 0x22040000, 0),
	ETM("etm@22140000", 0x22140000, 1),
	ETM("etm@23040000", 0x23040000, 2),
	ETM("etm@23140000", 0x23140000, 3),
	ETM("etm@23240000", 0x23240000, 4),
	ETM("etm@23340000", 0x23340000, 5),
	LINK("funnel@220c0000", 0x220c0000),
	LINK("funnel@230c0000", 0x230c0000),
	LINK("funnel@20040000", 0x20040000),
	ETF("etf@20010000", 0x20010000),
	LINK("funnel@20150000", 0x20150000),
	LINK("replicator@20120000", 0x20120000),
	TMC("etr@20070000", 0x20070000),
};

/* hi6220.dtsi: cpu0-3 reg 0x0-0x3, cpu4-7 0x100-0x103;
 * hi6220-coresight.dtsi: etm@f659c000-f659f000 (cpu0-3),
 * etm@f65dc000-f65df000 (cpu4-7) into the ACPU funnel@f6501000, that
 * into funnel@f6401000, that into etf@f6402000, that through a static
 * replicator (no registers: no window) into etr@f6404000. */
static const struct want_win hikey[] = {
	ETM("etm@f659c000", 0xf659c000, 0),
	ETM("etm@f659d000", 0xf659d000, 1),
	ETM("etm@f659e000", 0xf659e000, 2),
	ETM("etm@f659f000", 0xf659f000, 3),
	ETM("etm@f65dc000", 0xf65dc000, 4),
	ETM("etm@f65dd000", 0xf65dd000, 5),
	ETM("etm@f65de000", 0xf65de000, 6),
	ETM("etm@f65df000", 0xf65df000, 7),
	LINK("funnel@f6501000", 0xf6501000),
	LINK("funnel@f6401000", 0xf6401000),
	ETF("etf@f6402000", 0xf6402000),
	TMC("etr@f6404000", 0xf6404000),
};

/* msm8916.dtsi: soc@0 (#address-cells 1, ranges = <0 0 0 0xffffffff>),
 * etm@85c000-85f000 for CPU0-3 (reg 0-3), the APSS funnel@841000 into
 * the QDSS funnel@821000's port 4, that into etf@825000, that through
 * replicator@824000's port 0 into etr@826000. */
static const struct want_win apq8016[] = {
	ETM("etm@85c000", 0x85c000, 0),
	ETM("etm@85d000", 0x85d000, 1),
	ETM("etm@85e000", 0x85e000, 2),
	ETM("etm@85f000", 0x85f000, 3),
	LINK("funnel@841000", 0x841000),
	LINK("funnel@821000", 0x821000),
	ETF("etf@825000", 0x825000),
	LINK("replicator@824000", 0x824000),
	TMC("etr@826000", 0x826000),
};

static const struct board boards[] = {
	{ "arm/juno-r1.dtb", 6, { 0x0, 0x1, 0x100, 0x101, 0x102, 0x103 },
	  juno_r1, ARRAY_SIZE(juno_r1), "etr@20070000" },
	{ "hisilicon/hi6220-hikey.dtb", 8,
	  { 0x0, 0x1, 0x2, 0x3, 0x100, 0x101, 0x102, 0x103 },
	  hikey, ARRAY_SIZE(hikey), "etr@f6404000" },
	{ "qcom/apq8016-sbc.dtb", 4, { 0x0, 0x1, 0x2, 0x3 },
	  apq8016, ARRAY_SIZE(apq8016), "etr@826000" },
};

static void *load_dtb(const char *file)
{
	char path[512];
	void *fdt;

	snprintf(path, sizeof(path), "%s/%s", CS_DTBS, file);
	fdt = load(path);
	CHECKF(fdt, "cannot read %s (fetched by tests/vm/fetch-arm64.sh)",
	       path);
	return fdt;
}

/* The plan's window of the component named name, or NULL. */
static const struct cs_mmio_win *win_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < plan.nwin; i++)
		if (!strcmp(topo.comp[plan.win[i].comp].name, name))
			return &plan.win[i];
	return NULL;
}

static void test_board(const struct board *b)
{
	const struct cs_mmio_win *w;
	void *fdt = load_dtb(b->file);
	unsigned int i;
	int ret;

	if (!fdt)
		return;
	ret = cs_topo_parse(&topo, &fdt_ops, fdt, 1);
	CHECKF(ret == 0, "cs_topo_parse: %d", ret);
	ret = cs_mmio_plan(&topo, &fdt_ops, fdt, 1, b->mpidr, b->ncpu, &plan);
	CHECKF(ret == 0, "cs_mmio_plan: %d (cpu %d, comp %d)", ret,
	       plan.bad_cpu, plan.bad_comp);
	if (ret) {
		free(fdt);
		return;
	}
	CHECKF(plan.nwin == b->nw, "%u windows, want %u", plan.nwin, b->nw);
	for (i = 0; i < b->nw; i++) {
		const struct want_win *x = &b->w[i];

		w = win_of(x->name);
		CHECKF(w, "%s: no window", x->name);
		if (!w)
			continue;
		CHECKF(w->pa == x->pa && w->size == x->size,
		       "%s: pa %#llx size %#llx, want %#llx %#llx", x->name,
		       (unsigned long long)w->pa, (unsigned long long)w->size,
		       (unsigned long long)x->pa,
		       (unsigned long long)x->size);
		CHECKF(w->role == x->role && w->cpu == x->cpu,
		       "%s: role %d cpu %d", x->name, w->role, w->cpu);
		if (x->role == CS_MMIO_ETM)
			CHECKF(plan.etm[x->cpu] == w - plan.win,
			       "CPU %d's ETM window", x->cpu);
		/* link_read/link_write find a link by its reg in the tree. */
		if (x->role == CS_MMIO_LINK)
			CHECK(cs_mmio_find(&plan, w->dt_base, CS_MMIO_LINK) ==
			      w - plan.win);
	}
	CHECK(plan.sink >= 0 &&
	      !strcmp(topo.comp[plan.win[plan.sink].comp].name, b->sink));
	CHECK(plan.etm[b->ncpu] == -1);
	free(fdt);
}

/* One CPU of Juno r1, the others offline: only its path's windows. */
static void test_juno_one(void)
{
	uint64_t mpidr[6] = { CS_MMIO_NO_CPU, CS_MMIO_NO_CPU, CS_MMIO_NO_CPU,
			      0x101, CS_MMIO_NO_CPU, CS_MMIO_NO_CPU };
	void *fdt = load_dtb("arm/juno-r1.dtb");

	if (!fdt)
		return;
	CHECK(cs_topo_parse(&topo, &fdt_ops, fdt, 1) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 6, &plan) == 0);
	CHECK(plan.nwin == 7);
	CHECK(win_of("etm@23140000") && win_of("funnel@230c0000") &&
	      win_of("funnel@20040000") && win_of("etf@20010000") &&
	      win_of("funnel@20150000") && win_of("replicator@20120000") &&
	      win_of("etr@20070000"));
	CHECK(!win_of("funnel@220c0000"));
	CHECK(plan.etm[3] >= 0 && plan.etm[0] == -1);
	/* An MPIDR no ETM names (Juno has no cpu 0x2). */
	mpidr[0] = 0x2;
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 6, &plan) ==
	      -CS_ENODEV && plan.bad_cpu == 0);
	/* No CPU at all. */
	for (int i = 0; i < 6; i++)
		mpidr[i] = CS_MMIO_NO_CPU;
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 6, &plan) ==
	      -CS_EINVAL);
	free(fdt);
}

/* msm8916-mtp leaves CoreSight disabled: its ETMs reach no sink. */
static void test_msm8916_disabled(void)
{
	uint64_t mpidr[4] = { 0, 1, 2, 3 };
	void *fdt = load_dtb("qcom/msm8916-mtp.dtb");

	if (!fdt)
		return;
	CHECK(cs_topo_parse(&topo, &fdt_ops, fdt, 1) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 4, &plan) ==
	      -CS_ENODEV && plan.bad_cpu == 0);
	free(fdt);
}

/* --- Trees written with libfdt: buses and their ranges. --- */

static char fbuf[16384];

/*
 * /cpus with cpu@0 (phandle 1) and cpu@1 (phandle 2), then a bus "bus"
 * (#address-cells 1, #size-cells 1) with the given ranges (NULL: none;
 * "" with rlen 0: empty), holding etm@1000 (cpu 0) -> funnel@2000 ->
 * etr@3000 at the bus addresses; etm_size is the ETM's reg size.
 */
static int fb_tree(const uint32_t *ranges, int rlen, uint32_t etm_size)
{
	uint32_t r[2];

	fdt_create(fbuf, sizeof(fbuf));
	fdt_finish_reservemap(fbuf);
	fdt_begin_node(fbuf, "");
	fdt_property_u32(fbuf, "#address-cells", 2);
	fdt_property_u32(fbuf, "#size-cells", 2);
	fdt_begin_node(fbuf, "cpus");
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 0);
	for (int c = 0; c < 2; c++) {
		char n[16];

		snprintf(n, sizeof(n), "cpu@%d", c);
		fdt_begin_node(fbuf, n);
		fdt_property_string(fbuf, "device_type", "cpu");
		fdt_property_u32(fbuf, "reg", (uint32_t)c);
		fdt_property_u32(fbuf, "phandle", (uint32_t)c + 1);
		fdt_end_node(fbuf);
	}
	fdt_end_node(fbuf);
	fdt_begin_node(fbuf, "bus");
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 1);
	if (ranges)
		fdt_property(fbuf, "ranges", ranges, rlen);

	r[0] = cpu_to_fdt32(0x1000);
	r[1] = cpu_to_fdt32(etm_size);
	fdt_begin_node(fbuf, "etm@1000");
	fdt_property_string(fbuf, "compatible", "arm,coresight-etm4x");
	fdt_property(fbuf, "reg", r, sizeof(r));
	fdt_property_u32(fbuf, "cpu", 1);
	fdt_begin_node(fbuf, "out-ports");
	fdt_begin_node(fbuf, "port");
	fdt_begin_node(fbuf, "endpoint");
	fdt_property_u32(fbuf, "phandle", 10);
	fdt_property_u32(fbuf, "remote-endpoint", 11);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);

	r[0] = cpu_to_fdt32(0x2000);
	r[1] = cpu_to_fdt32(0x1000);
	fdt_begin_node(fbuf, "funnel@2000");
	fdt_property_string(fbuf, "compatible", "arm,coresight-dynamic-funnel");
	fdt_property(fbuf, "reg", r, sizeof(r));
	fdt_begin_node(fbuf, "in-ports");
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 0);
	fdt_begin_node(fbuf, "port@2");
	fdt_property_u32(fbuf, "reg", 2);
	fdt_begin_node(fbuf, "endpoint");
	fdt_property_u32(fbuf, "phandle", 11);
	fdt_property_u32(fbuf, "remote-endpoint", 10);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_begin_node(fbuf, "out-ports");
	fdt_begin_node(fbuf, "port");
	fdt_begin_node(fbuf, "endpoint");
	fdt_property_u32(fbuf, "phandle", 12);
	fdt_property_u32(fbuf, "remote-endpoint", 13);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);

	r[0] = cpu_to_fdt32(0x3000);
	fdt_begin_node(fbuf, "etr@3000");
	fdt_property_string(fbuf, "compatible", "arm,coresight-tmc");
	fdt_property(fbuf, "reg", r, sizeof(r));
	fdt_begin_node(fbuf, "in-ports");
	fdt_begin_node(fbuf, "port");
	fdt_begin_node(fbuf, "endpoint");
	fdt_property_u32(fbuf, "phandle", 13);
	fdt_property_u32(fbuf, "remote-endpoint", 12);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);

	fdt_end_node(fbuf);	/* bus */
	fdt_end_node(fbuf);	/* root */
	fdt_finish(fbuf);
	return cs_topo_parse(&topo, &fdt_ops, fbuf, 1);
}

static void test_ranges(void)
{
	/* bus 0x0.. (1 cell) -> 0x1_8000_0000 (2 cells), 64 KiB. */
	const uint32_t moved[] = { cpu_to_fdt32(0), cpu_to_fdt32(1),
				   cpu_to_fdt32(0x80000000),
				   cpu_to_fdt32(0x10000) };
	/* covers 0..0x2fff only: the ETR at 0x3000 is outside */
	const uint32_t short_r[] = { cpu_to_fdt32(0), cpu_to_fdt32(0),
				     cpu_to_fdt32(0x40000000),
				     cpu_to_fdt32(0x3000) };
	/* two entries: the second maps 0x3000.. elsewhere */
	const uint32_t two[] = { cpu_to_fdt32(0), cpu_to_fdt32(0),
				 cpu_to_fdt32(0x40000000), cpu_to_fdt32(0x3000),
				 cpu_to_fdt32(0x3000), cpu_to_fdt32(0),
				 cpu_to_fdt32(0x50000000),
				 cpu_to_fdt32(0x1000) };
	uint64_t mpidr[2] = { 0, CS_MMIO_NO_CPU };
	const struct cs_mmio_win *w;
	uint64_t pa, size;

	CHECK(fb_tree(moved, sizeof(moved), 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) == 0);
	CHECK(plan.nwin == 3);
	w = win_of("etm@1000");
	CHECK(w && w->pa == 0x180001000ull && w->dt_base == 0x1000 &&
	      w->size == 0x1000 && w->cpu == 0);
	w = win_of("funnel@2000");
	CHECK(w && w->pa == 0x180002000ull && w->role == CS_MMIO_LINK);
	CHECK(cs_mmio_find(&plan, 0x2000, CS_MMIO_LINK) == w - plan.win);
	CHECK(cs_mmio_find(&plan, 0x180002000ull, CS_MMIO_LINK) == -1);
	CHECK(cs_mmio_find(&plan, 0x2000, CS_MMIO_SINK) == -1);
	w = win_of("etr@3000");
	CHECK(w && w->pa == 0x180003000ull && plan.sink == w - plan.win);

	/* The empty ranges: 1:1. */
	CHECK(fb_tree(moved, 0, 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) == 0);
	w = win_of("etr@3000");
	CHECK(w && w->pa == 0x3000);

	/* Two entries, each window in its own. */
	CHECK(fb_tree(two, sizeof(two), 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) == 0);
	CHECK(win_of("etm@1000") && win_of("etm@1000")->pa == 0x40001000);
	CHECK(win_of("etr@3000") && win_of("etr@3000")->pa == 0x50000000);

	/* A window no entry covers, named. */
	CHECK(fb_tree(short_r, sizeof(short_r), 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) ==
	      -CS_EINVAL);
	CHECK(plan.bad_comp >= 0 &&
	      !strcmp(topo.comp[plan.bad_comp].name, "etr@3000"));
	/* One that straddles the end of an entry. */
	CHECK(cs_mmio_reg(&fdt_ops, fbuf, 1,
			  topo.comp[cs_topo_find(&topo, "funnel@2000")].node,
			  &pa, &size) == 0 && pa == 0x40002000);

	/* A bus without ranges maps nothing to its parent. */
	CHECK(fb_tree(NULL, 0, 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) ==
	      -CS_EINVAL);
	/* A malformed ranges (not whole entries). */
	CHECK(fb_tree(moved, 12, 0x1000) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) ==
	      -CS_EINVAL);

	/* An ETM window under a component's 4 KiB. */
	CHECK(fb_tree(moved, 0, 0x100) == 0);
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) ==
	      -CS_EINVAL);
	CHECK(plan.bad_comp >= 0 &&
	      !strcmp(topo.comp[plan.bad_comp].name, "etm@1000"));

	/* CPU 1 has no ETM in this tree. */
	CHECK(fb_tree(moved, 0, 0x1000) == 0);
	mpidr[1] = 1;
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fbuf, 1, mpidr, 2, &plan) ==
	      -CS_ENODEV && plan.bad_cpu == 1);
	/* A node not in the tree. */
	CHECK(cs_mmio_reg(&fdt_ops, fbuf, 1, 99999, &pa, &size) ==
	      -CS_ENODEV);
}

/* Juno r1's ETF and TPIU as the nearest sinks of two CPUs' ETMs. */
static void test_other_sink(void)
{
	uint64_t mpidr[2] = { 0x0, 0x1 };
	void *fdt = load_dtb("arm/juno-r1.dtb");
	int tpiu;

	if (!fdt)
		return;
	CHECK(cs_topo_parse(&topo, &fdt_ops, fdt, 1) == 0);
	/* Disable the ETF: the nearest sink becomes... none on the way
	 * (a disabled component is no link), so the ETMs reach nothing. */
	topo.comp[cs_topo_find(&topo, "etf@20010000")].flags |=
		CS_COMP_DISABLED;
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 2, &plan) ==
	      -CS_ENODEV);
	/* A TPIU as the nearest sink: not a TMC. */
	CHECK(cs_topo_parse(&topo, &fdt_ops, fdt, 1) == 0);
	tpiu = cs_topo_find(&topo, "tpiu@20030000");
	CHECK(tpiu >= 0);
	topo.comp[cs_topo_find(&topo, "etf@20010000")].kind = CS_COMP_TPIU;
	topo.comp[cs_topo_find(&topo, "etf@20010000")].n_out = 0;
	CHECK(cs_mmio_plan(&topo, &fdt_ops, fdt, 1, mpidr, 2, &plan) ==
	      -CS_EOPNOTSUPP && plan.bad_cpu == 0);
	free(fdt);
}

static void test_reg64(void)
{
	CHECK(cs_mmio_etm_reg64(TRCACVR(0)) && cs_mmio_etm_reg64(TRCACVR(15)));
	CHECK(cs_mmio_etm_reg64(TRCACATR(0)) &&
	      cs_mmio_etm_reg64(TRCACATR(15)));
	CHECK(cs_mmio_etm_reg64(0x500) && cs_mmio_etm_reg64(0x600) &&
	      cs_mmio_etm_reg64(0x678));
	CHECK(!cs_mmio_etm_reg64(TRCACVR(0) + 4));
	CHECK(!cs_mmio_etm_reg64(0x680) && !cs_mmio_etm_reg64(TRCCONFIGR) &&
	      !cs_mmio_etm_reg64(TRCIDR0) && !cs_mmio_etm_reg64(TRCCLAIMSET));
}

/*
 * Plain memory behind an ETMv4's window, as the arm64 VM boots it
 * (tests/e2e/cs_mmio.sh): a read returns what was last written, so
 * nothing answers a write.  The ETMv4 start sequence over it, with
 * TRCSTATR preset IDLE and TRCPDSR POWER, must stop at the poll for
 * TRCSTATR.IDLE to clear after TRCPRGCTLR = 1, and cs_seq_run_at must
 * say so; every step before it ran.
 */
static uint32_t ram[1024];

static int ram_read(void *ctx, uint32_t reg, uint64_t *val)
{
	(void)ctx;
	*val = ram[reg / 4];
	if (cs_mmio_etm_reg64(reg))
		*val |= (uint64_t)ram[reg / 4 + 1] << 32;
	return 0;
}

static int ram_write(void *ctx, uint32_t reg, uint64_t val)
{
	(void)ctx;
	ram[reg / 4] = (uint32_t)val;
	if (cs_mmio_etm_reg64(reg))
		ram[reg / 4 + 1] = (uint32_t)(val >> 32);
	return 0;
}

static void ram_order(void *ctx, enum cs_op_kind kind)
{
	(void)ctx;
	(void)kind;
}

static void test_run_at(void)
{
	const struct cs_io io = { ram_read, ram_write, ram_order, NULL };
	struct hwt_coresight_config cfg;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_caps caps;
	struct cs_regs regs;
	int n, at = -1, i, prg1 = -1;

	CHECK(cs_caps_parse(&cs_cpus[0].id, &caps) == 0);
	cs_config_default(&cfg);
	CHECK(cs_config_regs(&caps, &cfg, CS_MODE_CPU, 0x10, &regs) == 0);
	n = cs_seq_start(&caps, &regs, NULL, ops);
	CHECK(n > 0);
	memset(ram, 0, sizeof(ram));
	ram[TRCSTATR / 4] = TRCSTATR_IDLE;
	ram[TRCPDSR / 4] = TRCPDSR_POWER;
	CHECK(cs_seq_run_at(ops, n, &io, NULL, 0, &at) == -CS_EINVAL);
	for (i = 0; i < n; i++)
		if (ops[i].kind == CS_OP_WRITE && ops[i].reg == TRCPRGCTLR &&
		    ops[i].val == TRCPRGCTLR_EN)
			prg1 = i;
	CHECKF(prg1 >= 0 && at > prg1 && ops[at].kind == CS_OP_POLL &&
	       ops[at].reg == TRCSTATR && ops[at].mask == TRCSTATR_IDLE &&
	       ops[at].val == 0, "failed at %d (enable at %d)", at, prg1);
	CHECK(ram[TRCPRGCTLR / 4] == TRCPRGCTLR_EN);
	CHECK(ram[TRCCLAIMSET / 4] == CS_CLAIM_SELF_HOSTED);
	CHECK(ram[TRCTRACEIDR / 4] == 0x10);
	/* A claim tag set: nothing after the EXPECT ran. */
	memset(ram, 0, sizeof(ram));
	ram[TRCCLAIMCLR / 4] = CS_CLAIM_EXTERNAL;
	CHECK(cs_seq_run_at(ops, n, &io, NULL, 0, &at) == -CS_EBUSY);
	CHECK(at == 0 && ops[0].kind == CS_OP_EXPECT);
	for (i = 0; i < 1024; i++)
		if (i != TRCCLAIMCLR / 4)
			CHECKF(!ram[i], "word %#x written", 4 * i);
	/* A unit that answers: every op ran. */
	ram[TRCCLAIMCLR / 4] = 0;
	ram[TRCPDSR / 4] = TRCPDSR_POWER;
	ram[TRCSTATR / 4] = TRCSTATR_IDLE;
	n = cs_seq_stop(&caps, 0, ops);
	CHECK(n > 0);
	ram[TRCSTATR / 4] = TRCSTATR_IDLE | TRCSTATR_PMSTABLE;
	CHECK(cs_seq_run_at(ops, n, &io, NULL, 0, &at) == 0 && at == n);
}

int main(void)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(boards); i++)
		RUN(test_board(&boards[i]), "mmio_%s", boards[i].file);
	RUN(test_juno_one(), "mmio_juno_one_cpu");
	RUN(test_msm8916_disabled(), "mmio_msm8916_disabled");
	RUN(test_ranges(), "mmio_ranges");
	RUN(test_other_sink(), "mmio_sink_kinds");
	RUN(test_reg64(), "mmio_reg64");
	RUN(test_run_at(), "mmio_ram_window_start_times_out");
	return unit_failed ? 1 : 0;
}
