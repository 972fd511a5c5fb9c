// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_cs_mmio: native memory-mapped ops for an ETMv4 board (Juno,
 * hi6220, msm8916: no ETE), from the booted device tree or, where the
 * kernel booted with ACPI, from the ACPI namespace (hwt_cs_acpi: the
 * same tree, built from ARMHC500/97C/9FF/... devices and their _DSD
 * graphs).
 *
 * cs_mmio (pure) says which components each online CPU's trace needs
 * and where their registers are: the CPU's etm4x node (by its MPIDR,
 * as cs_topo_etm_of finds it), the programmable funnels and
 * replicators on its path, and the TMC every CPU reaches.  Each is
 * checked and mapped once, at load:
 *  - Linux's own driver bound to the node (coresight-etm4x, -funnel,
 *    -replicator, -tmc: AMBA drivers for arm,primecell nodes, platform
 *    drivers for the others; under ACPI, the device's first physical
 *    node, the AMBA device Linux's ACPI glue adds for ARMHC500/97C/
 *    9FF/98D) -> refused with one line naming the node or ACPI device
 *    and how to unbind it: hwt never takes a device from its driver;
 *  - its registers requested (request_mem_region): another driver that
 *    holds them makes that request fail -> refused too;
 *  - ioremap (Device-nGnRE).
 * Claim tags are not touched here: the backend's sequences claim each
 * component when they program it and refuse one another agent holds
 * (CoreSight B2.4), as for the emulated unit.
 *
 * Accesses: 32-bit registers with readl_relaxed/writel_relaxed (a
 * CoreSight component's APB programming interface is 32 bits wide);
 * the ETMv4's 64-bit registers (address, data, context ID and VMID
 * comparators) as two 32-bit accesses, low word first (ETMv4 7.1: on
 * a 32-bit memory-mapped interface a 64-bit register is two 32-bit
 * accesses).  Device accesses to one component stay in program order;
 * the barriers are those Linux's CoreSight drivers use: a full barrier
 * after the software lock is opened and before it is closed (CS_UNLOCK
 * / CS_LOCK), a write barrier before the TMC's capture is enabled (its
 * scatter-gather table and buffer are in normal memory), a read
 * barrier after each TMC read (the pointer, then the trace it points
 * past), and the ops' ISB / DSB SY / TSB CSYNC where the sequences
 * ask for them (etm4_enable_hw / etm4_disable_hw).
 *
 * read/write reach the current CPU's ETMv4, tmc_* the shared TMC,
 * link_* a funnel or replicator by its reg in the tree; topology is
 * the booted tree (hwt_cs_of) or ACPI's (hwt_cs_acpi), which
 * hwt_coresight's cs_topo_load reads as it reads the emulated unit's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/amba/bus.h>
#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/barrier.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include "hwt_cs_hw.h"
#include "hwt_cs_acpi.h"
#include "hwt_cs_mmio.h"
#include "hwt_cs_of.h"
#include "cs_caps.h"
#include "cs_mmio.h"
#include "cs_tmc.h"

struct cs_mmio {
	struct cs_topo *topo;
	struct cs_mmio_plan plan;
	void __iomem *va[CS_MMIO_MAX_WIN];
	bool held[CS_MMIO_MAX_WIN];	/* its registers requested */
	bool acpi;			/* the topology is ACPI's */
};

static struct cs_mmio *cs_mm;

static const char *cs_mmio_name(int w)
{
	return cs_mm->topo->comp[cs_mm->plan.win[w].comp].name;
}

/* Unlocking is seen before what follows, what precedes before locking. */
static void cs_mmio_wr32(void __iomem *va, u32 reg, u32 val)
{
	if (reg == TRCLAR && val != CS_LAR_UNLOCK)
		mb();
	writel_relaxed(val, va + reg);
	if (reg == TRCLAR && val == CS_LAR_UNLOCK)
		mb();
}

/* Returns the current CPU's ETMv4 registers, or NULL if it has none. */
static void __iomem *cs_mmio_etm(void)
{
	unsigned int cpu = smp_processor_id();

	if (cpu >= CS_TOPO_MAX_CPU || cs_mm->plan.etm[cpu] < 0)
		return NULL;
	return cs_mm->va[cs_mm->plan.etm[cpu]];
}

/* Returns 1 if reg (bytes wide) lies in a 4 KiB component, 0 if not. */
static int cs_mmio_in(u32 reg, u32 bytes)
{
	return !(reg & 3) && reg + bytes <= CS_MMIO_WIN_MIN;
}

static u64 cs_mmio_dfr0(void)
{
	return read_sysreg_s(SYS_ID_AA64DFR0_EL1);
}

/* Returns 0, or -EIO if this CPU has no ETMv4 or reg is out of it. */
static int cs_mmio_read(u32 reg, u64 *val)
{
	void __iomem *va = cs_mmio_etm();
	int wide = cs_mmio_etm_reg64(reg);

	if (!va || !cs_mmio_in(reg, wide ? 8 : 4))
		return -EIO;
	*val = readl_relaxed(va + reg);
	if (wide)
		*val |= (u64)readl_relaxed(va + reg + 4) << 32;
	return 0;
}

/* Returns 0, or -EIO if this CPU has no ETMv4 or reg is out of it. */
static int cs_mmio_write(u32 reg, u64 val)
{
	void __iomem *va = cs_mmio_etm();
	int wide = cs_mmio_etm_reg64(reg);

	if (!va || !cs_mmio_in(reg, wide ? 8 : 4))
		return -EIO;
	cs_mmio_wr32(va, reg, (u32)val);
	if (wide)
		writel_relaxed((u32)(val >> 32), va + reg + 4);
	return 0;
}

static void cs_mmio_order(enum cs_op_kind kind)
{
	switch (kind) {
	case CS_OP_ISB:
		isb();
		break;
	case CS_OP_DSB:
		dsb(sy);
		break;
	case CS_OP_TSB:
		tsb_csync();
		break;
	default:
		break;
	}
}

static void __iomem *cs_mmio_sink(void)
{
	return cs_mm->va[cs_mm->plan.sink];
}

/* The shared TMC's DEVID and RSZ: 0. */
static int cs_mmio_tmc_probe(u32 *devid, u32 *rsz)
{
	*devid = readl_relaxed(cs_mmio_sink() + TMC_DEVID);
	*rsz = readl_relaxed(cs_mmio_sink() + TMC_RSZ);
	return 0;
}

/* Returns 0, or -EIO if reg is out of the TMC. */
static int cs_mmio_tmc_read(u32 reg, u64 *val)
{
	if (!cs_mmio_in(reg, 4))
		return -EIO;
	*val = readl_relaxed(cs_mmio_sink() + reg);
	/* RWP before the trace below it is read */
	rmb();
	return 0;
}

/* Returns 0, or -EIO if reg is out of the TMC. */
static int cs_mmio_tmc_write(u32 reg, u64 val)
{
	if (!cs_mmio_in(reg, 4))
		return -EIO;
	/* the SG table and the buffer before capture starts */
	if (reg == TMC_CTL)
		wmb();
	cs_mmio_wr32(cs_mmio_sink(), reg, (u32)val);
	return 0;
}

/* Returns the link whose tree reg is base, or NULL. */
static void __iomem *cs_mmio_link(u64 base)
{
	int w = cs_mmio_find(&cs_mm->plan, base, CS_MMIO_LINK);

	return w < 0 ? NULL : cs_mm->va[w];
}

/* Returns 0, or -EIO if no link is at base or reg is out of it. */
static int cs_mmio_link_read(u64 base, u32 reg, u64 *val)
{
	void __iomem *va = cs_mmio_link(base);

	if (!va || !cs_mmio_in(reg, 4))
		return -EIO;
	*val = readl_relaxed(va + reg);
	return 0;
}

/* Returns 0, or -EIO if no link is at base or reg is out of it. */
static int cs_mmio_link_write(u64 base, u32 reg, u64 val)
{
	void __iomem *va = cs_mmio_link(base);

	if (!va || !cs_mmio_in(reg, 4))
		return -EIO;
	cs_mmio_wr32(va, reg, (u32)val);
	return 0;
}

/* The booted tree or ACPI's: 0, or -ENODEV if there is none. */
static int cs_mmio_topology(const struct cs_dt_ops **ops, void **ctx,
			    uintptr_t *root)
{
	if (cs_mm->acpi)
		return hwt_cs_acpi_tree(ops, ctx, root) ? -ENODEV : 0;
	return hwt_cs_of_tree(ops, ctx, root) ? -ENODEV : 0;
}

/* The same accessors, named by where the topology came from. */
#define CS_MMIO_OPS(from) {						\
	.name = "memory-mapped (" from ")",				\
	.dfr0 = cs_mmio_dfr0,						\
	.read = cs_mmio_read,						\
	.write = cs_mmio_write,						\
	.order = cs_mmio_order,						\
	.tmc_probe = cs_mmio_tmc_probe,					\
	.tmc_read = cs_mmio_tmc_read,					\
	.tmc_write = cs_mmio_tmc_write,					\
	.topology = cs_mmio_topology,					\
	.link_read = cs_mmio_link_read,					\
	.link_write = cs_mmio_link_write,				\
}

static const struct cs_hw_ops cs_mmio_ops = CS_MMIO_OPS("device tree");
static const struct cs_hw_ops cs_mmio_acpi_ops = CS_MMIO_OPS("ACPI");

/* Where the topology came from, for the lines below. */
static const char *cs_mmio_src(void)
{
	return cs_mm->acpi ? "ACPI" : "the device tree";
}

/* This CPU's MPIDR affinity, as /cpus reg holds it (Arm ARM D19). */
static void cs_mmio_mpidr_fn(void *arg)
{
	u64 *mpidr = arg;

	mpidr[smp_processor_id()] = read_cpuid_mpidr() & MPIDR_HWID_BITMASK;
}

/*
 * Returns the device Linux made of np, with a reference, or NULL:
 * arm,primecell nodes are AMBA devices, the others platform devices.
 */
static struct device *cs_mmio_dev_of(struct device_node *np)
{
	struct device *dev = bus_find_device_by_of_node(&amba_bustype, np);

	return dev ? dev : bus_find_device_by_of_node(&platform_bus_type, np);
}

/*
 * The one line for a component Linux's driver has: how to free it.
 * Linux's CoreSight drivers allow no unbind through sysfs
 * (suppress_bind_attrs): their module must go, or not load.  The device
 * is locked.
 */
static void cs_mmio_driven(const char *what, struct device *dev)
{
	const struct device_driver *drv = dev->driver;
	const char *mod = drv->owner ? module_name(drv->owner) : NULL;

	device_lock_assert(dev);
	if (!drv->suppress_bind_attrs)
		pr_info("%s is driven by Linux's %s (device %s): unbind it first (echo %s > /sys/bus/%s/drivers/%s/unbind): not loading\n",
			what, drv->name, dev_name(dev), dev_name(dev),
			dev->bus->name, drv->name);
	else if (mod)
		pr_info("%s is driven by Linux's %s (device %s), which allows no unbind: unload it first (rmmod %s) or keep it from loading (modprobe.blacklist=%s): not loading\n",
			what, drv->name, dev_name(dev), mod, mod);
	else
		pr_info("%s is driven by Linux's %s (device %s), built in and allowing no unbind: boot without it: not loading\n",
			what, drv->name, dev_name(dev));
}

/*
 * Window w free for us: no Linux driver bound to its node, its
 * registers requested and mapped.
 * Returns 0; -EBUSY after one line if a driver has it; -ENOMEM after
 * one line if it cannot be mapped.
 */
static int cs_mmio_take(int w)
{
	const struct cs_mmio_win *win = &cs_mm->plan.win[w];
	uintptr_t node = cs_mm->topo->comp[win->comp].node;
	struct device *dev;
	char what[64];
	int ret = 0;

	/* An ACPI component by its path, a DT one by its node's. */
	if (cs_mm->acpi) {
		dev = hwt_cs_acpi_phys(node);
		strscpy(what, cs_mm->topo->comp[win->comp].name, sizeof(what));
	} else {
		dev = cs_mmio_dev_of((struct device_node *)node);
		snprintf(what, sizeof(what), "%pOF",
			 (struct device_node *)node);
	}
	if (dev) {
		device_lock(dev);
		if (dev->driver)
			cs_mmio_driven(what, dev);
		ret = dev->driver ? -EBUSY : 0;
		device_unlock(dev);
		put_device(dev);
		if (ret)
			return ret;
	}
	if (!request_mem_region(win->pa, win->size, "hwt_coresight")) {
		pr_info("%s: its registers at %#llx are held by another driver (/proc/iomem): not loading\n",
			what, win->pa);
		return -EBUSY;
	}
	cs_mm->held[w] = true;
	cs_mm->va[w] = ioremap(win->pa, win->size);
	if (!cs_mm->va[w]) {
		pr_info("%s: cannot map %#llx (%#llx bytes): not loading\n",
			what, win->pa, win->size);
		return -ENOMEM;
	}
	return 0;
}

/* TRCIDRn's offset (ETMv4 7.3.17-7.3.30): 0-7 at 0x1e0, 8-13 at 0x180. */
static u32 cs_mmio_idr_off(int n)
{
	return n < 8 ? 0x1e0 + 4 * n : 0x180 + 4 * (n - 8);
}

struct cs_mmio_id {
	struct cs_idregs id;
	struct cs_caps caps;
	int ret;
};

/* On a CPU: its ETMv4's ID registers and what they offer. */
static void cs_mmio_id_fn(void *arg)
{
	struct cs_mmio_id *r = arg;
	u64 v = 0;
	int n;

	memset(&r->id, 0, sizeof(r->id));
	for (n = 0; n < 14; n++) {
		if (n == 6 || n == 7)
			continue;
		cs_mmio_read(cs_mmio_idr_off(n), &v);
		r->id.trcidr[n] = v;
	}
	cs_mmio_read(TRCDEVARCH, &v);
	r->id.trcdevarch = v;
	r->ret = cs_caps_parse(&r->id, &r->caps);
}

/*
 * One line per online CPU: where its ETMv4 is (node, physical address)
 * and what its ID registers say (read on that CPU through the table).
 * Returns 0, or -ENODEV after one line if a CPU's are no ETMv4.
 */
static int cs_mmio_report(const u64 *mpidr)
{
	struct cs_mmio_id r;
	int c, w;

	for_each_online_cpu(c) {
		w = cs_mm->plan.etm[c];
		if (smp_call_function_single(c, cs_mmio_id_fn, &r, 1))
			return -ENODEV;
		if (r.ret) {
			pr_info("cpu %d: %s at %#llx: its ID registers are no ETMv4 this backend drives (TRCIDR0 %#x, TRCIDR1 %#x, %d): not loading\n",
				c, cs_mmio_name(w), cs_mm->plan.win[w].pa,
				r.id.trcidr[0], r.id.trcidr[1], cs_errno(r.ret));
			return -ENODEV;
		}
		pr_info("cpu %d (MPIDR %#llx): %s at %#llx: ETMv4.%u rev %u, %u address comparator pairs, %u-bit timestamps, context ID %u bits, VMID %u bits, trace ID %u bits%s%s%s\n",
			c, mpidr[c], cs_mmio_name(w), cs_mm->plan.win[w].pa,
			r.caps.arch_minor, r.caps.revision,
			r.caps.num_ac_pairs, r.caps.ts_bits, r.caps.cid_bits,
			r.caps.vmid_bits, r.caps.traceid_bits,
			r.caps.bb ? ", branch broadcast" : "",
			r.caps.cci ? ", cycle counting" : "",
			r.caps.retstack ? ", return stack" : "");
	}
	return 0;
}

/*
 * Says why the plan was refused, in one line.
 * Returns -ENODEV.
 */
static int cs_mmio_refuse(int ret, const u64 *mpidr)
{
	const struct cs_mmio_plan *p = &cs_mm->plan;
	const char *comp = p->bad_comp >= 0 ?
			   cs_mm->topo->comp[p->bad_comp].name : "";

	if (p->bad_cpu >= 0 && ret == -CS_ENODEV && p->bad_comp < 0)
		pr_info("cpu %d (MPIDR %#llx): no ETMv4 in %s: not loading\n",
			p->bad_cpu, mpidr[p->bad_cpu], cs_mmio_src());
	else if (p->bad_cpu >= 0 && ret == -CS_ENODEV)
		pr_info("cpu %d: %s reaches no enabled sink: not loading\n",
			p->bad_cpu, comp);
	else if (ret == -CS_EOPNOTSUPP)
		pr_info("cpu %d: %s on its path: only one TMC shared by every CPU, reached through funnels and replicators, is driven: not loading\n",
			p->bad_cpu, comp);
	else
		pr_info("%s's CoreSight components cannot be mapped (%s%s%d): not loading\n",
			cs_mmio_src(), comp, *comp ? ": " : "", cs_errno(ret));
	return -ENODEV;
}

/*
 * cs_mm->topo from the tree at root.
 * Returns 1 if it parsed and has an ETMv4, 0 if not.
 */
static int cs_mmio_has_etm(const struct cs_dt_ops *dops, void *ctx,
			   uintptr_t root)
{
	unsigned int i;

	if (cs_topo_parse(cs_mm->topo, dops, ctx, root))
		return 0;
	for (i = 0; i < cs_mm->topo->ncomp; i++)
		if (cs_mm->topo->comp[i].kind == CS_COMP_ETM4)
			return 1;
	return 0;
}

/*
 * The topology: the device tree's if it has an ETMv4, else ACPI's
 * (a kernel booted with ACPI has no device tree but the EFI stub's
 * empty /chosen).
 * Returns 0 with cs_mm->topo parsed and cs_mm->acpi set;
 * Returns -ENOENT if neither has an ETMv4 (a malformed device tree
 *   included: the caller's refusal describes it);
 * Returns -ENODEV, -E2BIG or -ENOMEM as hwt_cs_acpi_tree() (a line
 *   said why).
 */
static int cs_mmio_topo(const struct cs_dt_ops **dops, void **ctx,
			uintptr_t *root)
{
	int ret;

	if (!hwt_cs_of_tree(dops, ctx, root) &&
	    cs_mmio_has_etm(*dops, *ctx, *root))
		return 0;
	ret = hwt_cs_acpi_tree(dops, ctx, root);
	if (ret)
		return ret;
	cs_mm->acpi = true;
	return cs_mmio_has_etm(*dops, *ctx, *root) ? 0 : -ENOENT;
}

int hwt_cs_mmio_open(const struct cs_hw_ops **ops)
{
	const struct cs_dt_ops *dops;
	u64 *mpidr = NULL;
	unsigned int i, c;
	uintptr_t root;
	void *ctx;
	int ret;

	cs_mm = kzalloc(sizeof(*cs_mm), GFP_KERNEL);
	mpidr = kcalloc(nr_cpu_ids, sizeof(*mpidr), GFP_KERNEL);
	ret = -ENOMEM;
	if (!cs_mm || !mpidr)
		goto fail;
	cs_mm->topo = kvzalloc(sizeof(*cs_mm->topo), GFP_KERNEL);
	if (!cs_mm->topo)
		goto fail;
	ret = cs_mmio_topo(&dops, &ctx, &root);
	if (ret)
		goto fail;
	ret = -ENODEV;
	if (nr_cpu_ids > CS_TOPO_MAX_CPU) {
		pr_info("%u CPUs: more than the topology holds (%d): not loading\n",
			nr_cpu_ids, CS_TOPO_MAX_CPU);
		goto fail;
	}

	cpus_read_lock();
	for (c = 0; c < nr_cpu_ids; c++)
		mpidr[c] = CS_MMIO_NO_CPU;
	on_each_cpu(cs_mmio_mpidr_fn, mpidr, 1);
	ret = cs_mmio_plan(cs_mm->topo, dops, ctx, root, mpidr, nr_cpu_ids,
			   &cs_mm->plan);
	if (ret) {
		ret = cs_mmio_refuse(ret, mpidr);
		goto unlock;
	}
	for (i = 0; i < cs_mm->plan.nwin && !ret; i++)
		ret = cs_mmio_take(i);
	if (!ret)
		ret = cs_mmio_report(mpidr);
unlock:
	cpus_read_unlock();
	if (ret)
		goto fail;
	kfree(mpidr);
	/* A refusal is one line (it names ACPI paths); a load says more. */
	if (cs_mm->acpi)
		pr_info("CoreSight topology from ACPI: %u components, %u CPUs with an ETMv4 (ARMHC500)\n",
			cs_mm->topo->ncomp, cs_mm->topo->ncpu);
	*ops = cs_mm->acpi ? &cs_mmio_acpi_ops : &cs_mmio_ops;
	return 0;
fail:
	kfree(mpidr);
	hwt_cs_mmio_close();
	return ret;
}

void hwt_cs_mmio_close(void)
{
	unsigned int i;

	hwt_cs_acpi_free();
	if (!cs_mm)
		return;
	for (i = 0; i < CS_MMIO_MAX_WIN; i++) {
		if (cs_mm->va[i])
			iounmap(cs_mm->va[i]);
		if (cs_mm->held[i])
			release_mem_region(cs_mm->plan.win[i].pa,
					   cs_mm->plan.win[i].size);
	}
	kvfree(cs_mm->topo);
	kfree(cs_mm);
	cs_mm = NULL;
}
