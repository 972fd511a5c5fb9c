// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_cs_emu: an emulated ETE trace unit with a TRBE, for testing
 * hwt_coresight where there is no trace hardware (our machines, QEMU
 * virt: ID_AA64DFR0_EL1.TraceVer = TraceBuffer = 0).
 *
 * It exports hwt_cs_emu_hw_ops (hwt_cs_hw.h), which hwt_coresight picks
 * up instead of the hardware when this module is loaded first:
 *  - ID_AA64DFR0_EL1, TRBIDR_EL1, TRCIDR0-13 and TRCDEVARCH answer with
 *    one row of the unit table (tests/cs_cpus.h), chosen with cpu=NAME
 *    (the row's name up to its first space; default soft-ete);
 *  - the trace unit and TRBE registers of each CPU are a cs_model
 *    (cs_model.c), which refuses every write that breaks a rule of ETE
 *    (DDI 0616), ETMv4 (IHI 0064) or the TRBE (Arm ARM D10) and counts it
 *    (parameter "refused"; the last rule broken goes to the log);
 *  - while a CPU's unit is enabled (TRCPRGCTLR.EN) with its TRBE (E set,
 *    not stopped), the user code of the thread running there is traced:
 *    the thread is single-stepped by the soft backend's arm64 stepper
 *    (soft_step_a64.c) and the ETE it encodes (ete_enc.c) is written at
 *    TRBPTR_EL1 into the memory the driver set up, the model moving the
 *    pointer and TRBSR_EL1 as the TRBE would (wrap, Fill-mode stop);
 *  - ETE written while no unit collects on that CPU is counted in
 *    "dropped" (never, in thread mode done right); the stepper is told
 *    (an Overflow and a sync point follow once the TRBE collects again);
 *  - busy_cpus=MASK sets the external debugger's claim tag on those CPUs
 *    (CoreSight B2.4): hwt_coresight must then refuse START (EBUSY).
 *
 * The encoder's config follows the registers programmed on the CPU where
 * tracing was enabled in the thread: TRCCONFIGR.TS (timestamps) and
 * .VMID, TRCTRACEIDR, TRCSYNCPR, the TRCVIIECTLR include ranges
 * (TRCACVR pairs).  What it cannot produce (branch broadcast, cycle
 * counts, return stack, exclude ranges, kernel tracing) is counted in
 * "unsupported"; the unit rows it runs on offer none of it.
 *
 * CPU mode (hwt_coresight's cpu_switch / cpu_start): the unit traces
 * the user code of whatever task runs on a CPU whose unit is enabled
 * with EL0 in view (TRCVICTLR.EXLEVEL_NS[0] clear), so it keeps its own
 * stepper records, one per task met at a switch-in there (soft_tasks.h),
 * until the task exits; at each switch the previous task's run ends (as
 * its kernel entry ended it on hardware) and the next task's run starts
 * where it returns to user mode, with the context ID the encoder puts
 * in its Context packet being that task's tid: what Linux writes to
 * CONTEXTIDR_EL1 at each switch with CONFIG_PID_IN_CONTEXTIDR (the
 * emulator does not read CONTEXTIDR_EL1: it names the task itself).
 * A run's first bytes are its sync point (A-sync, Trace Info, Trace On,
 * Context, Address).  Hardware emits a trace synchronization when the
 * unit is enabled (TRCPRGCTLR.EN 0 -> 1; ETE / ETMv4 "trace unit
 * enabling": A-sync then Trace Info before any other packet), not at a
 * context switch, where only Trace On, Context and an address follow
 * the kernel's untraced part: a run that begins without a re-enable of
 * the unit since the switch cannot be decoded from its start.  The
 * emulator enforces it: the sync point of such a run is not written
 * (counted in "unsynced", which a test requires to be 0), so a driver
 * that does not re-enable the unit at each switch gets runs that do not
 * decode.
 *
 * The TRBE's maintenance interrupt (ETE rows; irq=0: none, as on QEMU
 * virt, whose firmware tables have no TRBE PPI): a per-CPU interrupt in
 * an irq_domain of this module's, which the ops' trbe_irq hands to
 * hwt_coresight; raised on the CPU whose TRBSR_EL1.IRQ the model set
 * (Fill mode full, Wrap mode wrap), level (re-raised and counted in
 * "refused" if the handler returns with IRQ still set), masked per CPU
 * by disable_percpu_irq (see emu_irq_fire below).
 *
 * An ETMv4 row (no ETE: TraceVer 0) is a memory-mapped ETMv4
 * (csm_init_mmio: software lock, TRCPDSR/TRCPDCR power rules) whose
 * sink is a TMC per CPU (csm_tmc), announced through tmc_probe and
 * chosen with tmc=etr (scatter-gather), etr-flat (DEVID.NOSCAT: a
 * contiguous buffer) or etf (16 KiB of RAM): the encoder writes ETMv4
 * (ete_enc's ETMv4 mode), the TMC's formatter wraps it in 16-byte frames
 * with the TRCTRACEIDR programmed and stores them at RWP, walking the
 * scatter-gather table the driver built (every entry checked at enable),
 * into the contiguous buffer, or into the ETF's RAM; bus addresses are
 * physical (no IOMMU).  Refusals of the TMC model count in "refused".
 *
 * topo=shared (an ETMv4 row with tmc=etr): the Juno shape instead, one
 * ETR behind funnels for every CPU (cs_emu_topo.h: CPU c's ETM into the
 * funnel of cluster c % 2, the cluster funnels into the main funnel,
 * that into the ETR).  The unit brings the device tree of it (the ops'
 * topology), answers the funnels' registers by base address (cs_model_link)
 * and the one ETR's from every CPU; each CPU's output crosses its path on
 * the bus model (cs_model_bus), which refuses, in "refused", trace at a
 * funnel port the driver did not enable and two enabled units with one
 * TRCTRACEIDR, before the ETR's formatter frames it under the unit's ID.
 * One lock (emu_bus_lock) serialises the links, the ETR and the bus.
 *
 * topo=juno-r1: the same with the board's path behind the main funnel
 * (cs_emu_topo.h, CS_EMU_TOPO_JUNO_R1: the ETF, funnel@20150000 and
 * the replicator, whose port 1 feeds the ETR): the backend must drive
 * the ETF as a link in Hardware FIFO mode and open the replicator's
 * port towards the ETR; the ETF's model (cs_model_link) refuses its
 * programming while not TMCReady, and the bus counts, in "refused",
 * trace arriving at an ETF that is not passing it on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <trace/events/sched.h>
#include <asm/cputype.h>

#include "hwt_backend.h"
#include "../hwt_cs_hw.h"
#include "../cs_model.h"
#include "../cs_model_bus.h"
#include "../cs_emu_topo.h"
#include "../tests/cs_cpus.h"
#include "ete_enc.h"
#include "soft_step_a64.h"
#include "soft_tasks.h"

static char *cpu = "soft-ete";
module_param(cpu, charp, 0444);
MODULE_PARM_DESC(cpu, "unit table row whose ID registers the unit answers with (ROW, or ROW:TMC for an ETMv4 row)");

static char *tmc = "etr";
module_param(tmc, charp, 0444);
MODULE_PARM_DESC(tmc, "an ETMv4 row's sink: etr, etr-flat or etf");

static bool emu_irq_on = true;
module_param_named(irq, emu_irq_on, bool, 0444);
MODULE_PARM_DESC(irq, "ETE rows: the TRBE raises its maintenance interrupt (0: none, as on QEMU virt, so that hwt_coresight polls)");

static char *topo = "";
module_param(topo, charp, 0444);
MODULE_PARM_DESC(topo, "shared: one ETR behind funnels for every CPU (an ETMv4 row, tmc=etr); juno-r1: the same behind an ETF and a replicator; default: a TMC per CPU");

static const struct cs_cpu *emu_cpu;
static DEFINE_PER_CPU(struct csm, emu_csm);
static DEFINE_PER_CPU(struct csm_tmc, emu_tmc);
static bool emu_etm4;
static u32 emu_devid, emu_rsz;
/* DEVID (TMC 3.3.27): CONFIGTYPE 7:6, MEMWIDTH 10:8 (4: 128 bits), NOSCAT
 * 24; an ETF's RSZ in words. */
#define EMU_DEVID_ETR		(1u << 6 | 4u << 8)
#define EMU_DEVID_ETR_FLAT	(EMU_DEVID_ETR | 1u << 24)
#define EMU_DEVID_ETF		(2u << 6 | 4u << 8)
#define EMU_ETF_WORDS		0x1000
/*
 * topo=shared: the tree, its parse, the funnels' models and the bus; the
 * one ETR is CPU 0's emu_tmc.  emu_bus_lock: every access to them.
 */
static bool emu_shared;
static struct cs_emu_topo *emu_tree;
static struct cs_topo *emu_topo;
static struct csm_link *emu_links;
static struct csm_bus *emu_bus;
static DEFINE_RAW_SPINLOCK(emu_bus_lock);

/* The TMC this CPU's unit writes into. */
static struct csm_tmc *emu_tmc_here(void)
{
	return emu_shared ? per_cpu_ptr(&emu_tmc, 0) : this_cpu_ptr(&emu_tmc);
}

static DEFINE_PER_CPU(int, emu_emitting);
/*
 * CPU mode: the unit was enabled (TRCPRGCTLR.EN 0 -> 1, which emits a
 * trace synchronization) since this CPU's last context switch.
 */
static DEFINE_PER_CPU(bool, emu_synced);
static atomic64_t emu_dropped, emu_unsupported, emu_reentered, emu_bad_ptr;
static atomic64_t emu_cpu_tasks, emu_unsynced;

/* Register accesses from inside an emit on this CPU (an IRQ) wait. */
static bool emu_reentry(void)
{
	if (!this_cpu_read(emu_emitting))
		return false;
	atomic64_inc(&emu_reentered);
	return true;
}

static u64 emu_dfr0(void)
{
	return emu_cpu->id.dfr0;
}

/* TRCIDRn (ETMv4 7.3.17-7.3.30): 0-7 at 0x1e0, 8-13 at 0x180. */
static bool emu_idr(u32 reg, u64 *val)
{
	if (reg >= 0x1e0 && reg < 0x1f8 && !(reg & 3)) {
		*val = emu_cpu->id.trcidr[(reg - 0x1e0) / 4];
		return true;
	}
	if (reg >= 0x180 && reg < 0x198 && !(reg & 3)) {
		*val = emu_cpu->id.trcidr[8 + (reg - 0x180) / 4];
		return true;
	}
	return false;
}

static int emu_read(u32 reg, u64 *val)
{
	unsigned long flags;
	struct csm *m;
	int ret;

	if (emu_reentry())
		return -EIO;
	if (emu_idr(reg, val))
		return 0;
	local_irq_save(flags);
	m = this_cpu_ptr(&emu_csm);
	ret = csm_read(m, reg, val);
	if (ret)
		pr_warn_ratelimited("cpu %d: read %#x refused (%s)\n",
				    smp_processor_id(), reg, m->rule);
	local_irq_restore(flags);
	return ret ? -EIO : 0;
}

static int emu_write(u32 reg, u64 val)
{
	unsigned long flags;
	struct csm *m;
	u32 en;
	int ret;

	if (emu_reentry())
		return -EIO;
	local_irq_save(flags);
	m = this_cpu_ptr(&emu_csm);
	en = m->prgctlr & TRCPRGCTLR_EN;
	ret = csm_write(m, reg, val);
	if (ret)
		pr_warn_ratelimited("cpu %d: write %#x = %#llx refused (%s)\n",
				    smp_processor_id(), reg, val, m->rule);
	else if (!en && (m->prgctlr & TRCPRGCTLR_EN))
		this_cpu_write(emu_synced, true);
	local_irq_restore(flags);
	return ret ? -EIO : 0;
}

static void emu_order(enum cs_op_kind kind)
{
	unsigned long flags;

	local_irq_save(flags);
	csm_barrier(this_cpu_ptr(&emu_csm), kind);
	local_irq_restore(flags);
}

/*
 * The ETR's bus: physical addresses of RAM (the linear map), a page at
 * most per access.  Anything else is counted (bad_ptr) and fails: the
 * model sets STS.MemErr.
 * Returns the kernel address of pa, or NULL if it is not RAM or n bytes
 * cross a page.
 */
static void *emu_phys(u64 pa, size_t n)
{
	if (!n || !pfn_valid(PHYS_PFN(pa)) ||
	    PHYS_PFN(pa) != PHYS_PFN(pa + n - 1)) {
		atomic64_inc(&emu_bad_ptr);
		return NULL;
	}
	return phys_to_virt(pa);
}

static int emu_mem_read(void *ctx, u64 pa, void *dst, size_t n)
{
	void *p = emu_phys(pa, n);

	if (!p)
		return -1;
	memcpy(dst, p, n);
	return 0;
}

static int emu_mem_write(void *ctx, u64 pa, const void *src, size_t n)
{
	size_t k;
	void *p;

	/* A contiguous buffer's write may span pages. */
	while (n) {
		k = min_t(size_t, n, PAGE_SIZE - offset_in_page(pa));
		p = emu_phys(pa, k);
		if (!p)
			return -1;
		memcpy(p, src, k);
		pa += k;
		src += k;
		n -= k;
	}
	return 0;
}

static const struct csm_mem emu_mem = {
	.read = emu_mem_read,
	.write = emu_mem_write,
};

static int emu_tmc_probe(u32 *devid, u32 *rsz)
{
	if (!emu_etm4)
		return -ENODEV;
	*devid = emu_devid;
	*rsz = emu_rsz;
	return 0;
}

static int emu_tmc_read(u32 reg, u64 *val)
{
	unsigned long flags;
	struct csm_tmc *t;
	int ret;

	if (emu_reentry() || !emu_etm4)
		return -EIO;
	raw_spin_lock_irqsave(&emu_bus_lock, flags);
	t = emu_tmc_here();
	ret = csm_tmc_read(t, reg, val);
	if (ret)
		pr_warn_ratelimited("cpu %d: TMC read %#x refused (%s)\n",
				    smp_processor_id(), reg, t->rule);
	raw_spin_unlock_irqrestore(&emu_bus_lock, flags);
	return ret ? -EIO : 0;
}

static int emu_tmc_write(u32 reg, u64 val)
{
	unsigned long flags;
	struct csm_tmc *t;
	int ret;

	if (emu_reentry() || !emu_etm4)
		return -EIO;
	raw_spin_lock_irqsave(&emu_bus_lock, flags);
	t = emu_tmc_here();
	ret = csm_tmc_write(t, reg, val);
	if (ret)
		pr_warn_ratelimited("cpu %d: TMC write %#x = %#llx refused (%s)\n",
				    smp_processor_id(), reg, val, t->rule);
	raw_spin_unlock_irqrestore(&emu_bus_lock, flags);
	return ret ? -EIO : 0;
}

/* Does this CPU's sink take trace: the unit enabled and the TRBE (E
 * set, not stopped) or the TMC (capturing, not stopped) collecting. */
static bool emu_collecting(const struct csm *m)
{
	const struct csm_tmc *t;

	if (!(m->prgctlr & TRCPRGCTLR_EN))
		return false;
	if (!emu_etm4)
		return (m->trblimitr & TRBLIMITR_E) && !(m->trbsr & TRBSR_S);
	t = emu_tmc_here();
	return (t->ctl & TMC_CTL_CAPTEN) && !t->stopped && !t->memerr;
}

/* The stepper's record of current, if the unit traces it. */
static struct soft_thread *emu_lookup(void)
{
	struct hwt_thread *thr = hwt_thread_current(NULL);
	struct soft_task *e;

	if (thr && hwt_thread_hw_priv(thr))
		return hwt_thread_hw_priv(thr);
	e = soft_task_find(current);
	return e ? e->t : NULL;
}

/*
 * CPU mode: does this CPU's unit trace the user code of task?  IRQs off.
 * Returns true if the unit is enabled with its sink collecting, EL0 in
 * view (TRCVICTLR.EXLEVEL_NS[0] = 0, ETMv4 7.3.72) and task is a live
 * user task; false if not.
 */
static bool emu_traces(const struct csm *m, struct task_struct *task)
{
	u32 victlr = m->reg[TRCVICTLR / 4];

	return emu_collecting(m) &&
	       !(victlr & (1u << TRCVICTLR_EXLEVEL_NS_SHIFT)) && task->mm &&
	       !(task->flags & (PF_KTHREAD | PF_EXITING));
}

/*
 * A CPU-mode record's run begins with its sync point: written only if
 * the unit was enabled on this CPU since its last switch (see the top of
 * the file).  Returns true if buf may be written, false if it is the
 * sync point of a run hardware would not have synchronised (counted).
 */
static bool emu_run_synced(struct soft_thread *t)
{
	struct soft_task *e = soft_task_find(current);

	if (!e || e->t != t || !e->fresh)
		return true;
	e->fresh = false;
	if (this_cpu_read(emu_synced)) {
		this_cpu_write(emu_synced, false);
		return true;
	}
	atomic64_inc(&emu_unsynced);
	return false;
}

/*
 * The TRBE's maintenance interrupt (Arm ARM D10.3): a per-CPU interrupt
 * (percpu_devid, as the PPI of the arm,trace-buffer-extension binding)
 * in an irq_domain of its own, hwirq 0, with a chip whose mask is per
 * CPU (enable_percpu_irq / disable_percpu_irq run on the CPU they
 * change).  A level interrupt: asserted on a CPU while that CPU's
 * TRBSR_EL1.IRQ is 1, which only the model sets (csm_emit: Fill mode at
 * the limit, Wrap mode at each wrap; Circular Buffer mode never).  When
 * an emit sets it, an irq_work is queued on this CPU; it runs in hard
 * IRQ context on the same CPU once IRQs are on again and, if the line is
 * still asserted and unmasked, hands it to the flow handler
 * (generic_handle_domain_irq: handle_percpu_devid_irq, then the driver's
 * handler with its per-CPU dev_id).  At the EOI, IRQ still 1 means the
 * handler returned without clearing it: the line stays asserted, which
 * is refused and counted (a driver bug fails the tests) and re-raised,
 * at most EMU_IRQ_REARMS times in a row so that the bug is no storm.
 * A masked line raises nothing; unmasking it while asserted raises it.
 *
 * irq_set_percpu_devid and handle_percpu_devid_irq are not exported
 * (Debian 6.1): resolved by a kprobe on their names, as the stepper's
 * single-step functions are (soft_arm64_syms.c).
 */
#define EMU_IRQ_REARMS	4

static struct irq_domain *emu_irq_domain;
static struct fwnode_handle *emu_irq_fwnode;
static unsigned int emu_virq;
static int (*emu_set_percpu_devid)(unsigned int irq);
static void (*emu_percpu_devid_flow)(struct irq_desc *desc);
static DEFINE_PER_CPU(bool, emu_irq_unmasked);
static DEFINE_PER_CPU(unsigned int, emu_irq_rearmed);
static DEFINE_PER_CPU(struct irq_work, emu_irq_work);
static atomic64_t emu_irq_raised, emu_irq_held;

/* The line of this CPU's TRBE: asserted while TRBSR_EL1.IRQ is 1. */
static bool emu_irq_asserted(void)
{
	return this_cpu_ptr(&emu_csm)->trbsr & TRBSR_IRQ;
}

/* Deliver the asserted line on this CPU, from hard IRQ context. */
static void emu_irq_fire(struct irq_work *w)
{
	if (!this_cpu_read(emu_irq_unmasked) || !emu_irq_asserted())
		return;
	atomic64_inc(&emu_irq_raised);
	generic_handle_domain_irq(emu_irq_domain, 0);
}

/* IRQs off.  If this CPU's line is asserted and unmasked, raise it. */
static void emu_irq_kick(void)
{
	if (emu_virq && this_cpu_read(emu_irq_unmasked) && emu_irq_asserted())
		irq_work_queue(this_cpu_ptr(&emu_irq_work));
}

static void emu_irq_mask(struct irq_data *d)
{
	this_cpu_write(emu_irq_unmasked, false);
}

static void emu_irq_unmask(struct irq_data *d)
{
	this_cpu_write(emu_irq_unmasked, true);
	emu_irq_kick();
}

/*
 * After the driver's handler (handle_percpu_devid_irq's EOI): a line
 * still asserted is a handler that did not clear TRBSR.IRQ (D10.3: the
 * interrupt is asserted while it is 1): refused, counted, raised again.
 */
static void emu_irq_eoi(struct irq_data *d)
{
	struct csm *m = this_cpu_ptr(&emu_csm);

	if (!emu_irq_asserted()) {
		this_cpu_write(emu_irq_rearmed, 0);
		return;
	}
	m->refused++;
	m->rule = "D10.3: TRBSR_EL1.IRQ still 1 when the handler returned (the interrupt stays asserted)";
	atomic64_inc(&emu_irq_held);
	pr_warn_ratelimited("cpu %d: TRBE interrupt handler returned with TRBSR_EL1 %#llx (IRQ set): re-raised\n",
			    smp_processor_id(), m->trbsr);
	if (this_cpu_inc_return(emu_irq_rearmed) <= EMU_IRQ_REARMS)
		irq_work_queue(this_cpu_ptr(&emu_irq_work));
}

static struct irq_chip emu_irq_chip = {
	.name = "hwt_cs_emu-trbe",
	.irq_mask = emu_irq_mask,
	.irq_unmask = emu_irq_unmask,
	.irq_eoi = emu_irq_eoi,
};

static int emu_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	int ret = emu_set_percpu_devid(virq);

	if (ret)
		return ret;
	irq_set_chip_and_handler(virq, &emu_irq_chip, emu_percpu_devid_flow);
	return 0;
}

static const struct irq_domain_ops emu_irq_domain_ops = {
	.map = emu_irq_map,
};

/* An unexported function's address, by a kprobe on its name. */
static void *emu_lookup_sym(const char *name)
{
	struct kprobe kp = { .symbol_name = name };

	if (register_kprobe(&kp) == 0)
		unregister_kprobe(&kp);
	return kp.addr;
}

/* The driver freed the interrupt first (it holds this module). */
static void emu_irq_free(void)
{
	int c;

	if (!emu_irq_fwnode)
		return;
	for_each_possible_cpu(c)
		irq_work_sync(per_cpu_ptr(&emu_irq_work, c));
	if (emu_virq)
		irq_dispose_mapping(emu_virq);
	emu_virq = 0;
	if (emu_irq_domain)
		irq_domain_remove(emu_irq_domain);
	emu_irq_domain = NULL;
	if (emu_irq_fwnode)
		irq_domain_free_fwnode(emu_irq_fwnode);
	emu_irq_fwnode = NULL;
}

/*
 * ETE rows with irq=1: the domain and the interrupt's mapping.
 * Returns 0 (emu_virq set), or -ENOENT / -ENOMEM / -EINVAL after a line.
 */
static int emu_irq_init(void)
{
	int c;

	for_each_possible_cpu(c)
		init_irq_work(per_cpu_ptr(&emu_irq_work, c), emu_irq_fire);
	emu_set_percpu_devid = emu_lookup_sym("irq_set_percpu_devid");
	emu_percpu_devid_flow = emu_lookup_sym("handle_percpu_devid_irq");
	if (!emu_set_percpu_devid || !emu_percpu_devid_flow) {
		pr_info("irq_set_percpu_devid or handle_percpu_devid_irq not found: not loading (irq=0 offers no TRBE interrupt)\n");
		return -ENOENT;
	}
	emu_irq_fwnode = irq_domain_alloc_named_fwnode("hwt_cs_emu-trbe");
	if (!emu_irq_fwnode)
		return -ENOMEM;
	emu_irq_domain = irq_domain_create_linear(emu_irq_fwnode, 1,
						  &emu_irq_domain_ops, NULL);
	if (!emu_irq_domain) {
		emu_irq_free();
		return -ENOMEM;
	}
	emu_virq = irq_create_mapping(emu_irq_domain, 0);
	if (!emu_virq || !irq_is_percpu_devid(emu_virq)) {
		pr_info("the TRBE interrupt could not be mapped as a per-CPU interrupt\n");
		emu_irq_free();
		return -EINVAL;
	}
	return 0;
}

/* The ops' trbe_irq: the Linux irq number, or -ENODEV (irq=0, ETMv4). */
static int emu_trbe_irq(void)
{
	return emu_virq ? (int)emu_virq : -ENODEV;
}

/*
 * The ETE of one event of user code on this CPU: written at TRBPTR_EL1
 * while the TRBE collects, at most up to the limit at a time (csm_emit
 * then wraps the pointer to the base, WRAP set, and in Fill mode stops,
 * D10.3).  The TRBE writes through the virtual address the driver gave
 * (TRBLIMITR.nVM = 0, D10.2): a pointer outside the vmalloc area is a
 * driver bug here, counted in bad_ptr, nothing written.
 * Returns true if all len bytes were written.
 */
static bool emu_emit(struct soft_thread *t, const u8 *buf, size_t len)
{
	unsigned long flags;
	size_t done = 0;
	struct csm *m;
	u64 irq_was;

	local_irq_save(flags);
	m = this_cpu_ptr(&emu_csm);
	irq_was = m->trbsr & TRBSR_IRQ;
	rcu_read_lock();
	if (!emu_run_synced(t)) {
		/* Not written, as if stored: the run goes on unsynchronised. */
		rcu_read_unlock();
		local_irq_restore(flags);
		return true;
	}
	rcu_read_unlock();
	this_cpu_write(emu_emitting, 1);
	barrier();
	/* ETMv4: over the ATB to the TMC, which frames and stores it;
	 * behind funnels, across this CPU's path on the bus. */
	if (emu_etm4 && emu_shared && emu_collecting(m)) {
		raw_spin_lock(&emu_bus_lock);
		done = csm_bus_emit(emu_bus, smp_processor_id(), buf, len);
		if (!done)
			pr_warn_ratelimited("cpu %d: trace refused on the bus (%s)\n",
					    smp_processor_id(),
					    emu_bus->rule ? emu_bus->rule : "-");
		raw_spin_unlock(&emu_bus_lock);
	} else if (emu_etm4 && emu_collecting(m)) {
		done = csm_tmc_emit(this_cpu_ptr(&emu_tmc),
				    m->reg[TRCTRACEIDR / 4], buf, len);
	}
	while (!emu_etm4 && done < len && emu_collecting(m)) {
		u64 ptr = m->trbptr;
		u64 lim = m->trblimitr & TRBLIMITR_LIMIT_MASK;
		u64 n = min_t(u64, len - done, lim - ptr);
		void *va = (void *)(uintptr_t)ptr;

		if (!n || !is_vmalloc_addr(va) ||
		    !is_vmalloc_addr(va + n - 1)) {
			atomic64_inc(&emu_bad_ptr);
			break;
		}
		memcpy(va, buf + done, n);
		n = csm_emit(m, n);
		if (!n)
			break;
		done += n;
	}
	barrier();
	this_cpu_write(emu_emitting, 0);
	/* TRBSR.IRQ rose (D10.3): the line asserts on this CPU. */
	if (!irq_was)
		emu_irq_kick();
	local_irq_restore(flags);
	if (done < len)
		atomic64_add(len - done, &emu_dropped);
	return done == len;
}

/* Room before the TRBE's limit; none while it does not collect. */
static size_t emu_space(struct soft_thread *t)
{
	unsigned long flags;
	const struct csm *m;
	size_t room = 0;

	local_irq_save(flags);
	m = this_cpu_ptr(&emu_csm);
	/* A TMC in Circular Buffer mode always has room: it wraps. */
	if (emu_collecting(m))
		room = emu_etm4 ? SIZE_MAX / 2 :
		       (m->trblimitr & TRBLIMITR_LIMIT_MASK) - m->trbptr;
	local_irq_restore(flags);
	return room;
}

/*
 * A CPU-mode record pauses once this CPU no longer traces its task's
 * user code (STOP came while it ran); thread mode's records go by the
 * backend's attach/detach.  Returns true if t may go on.
 */
static bool emu_active(struct soft_thread *t)
{
	struct soft_task *e;
	unsigned long flags;
	bool on = true;

	rcu_read_lock();
	e = soft_task_find(current);
	if (e && e->t == t) {
		local_irq_save(flags);
		on = emu_traces(this_cpu_ptr(&emu_csm), current);
		local_irq_restore(flags);
	}
	rcu_read_unlock();
	return on;
}

static const struct soft_step_ops emu_step_ops = {
	.lookup = emu_lookup,
	.write = emu_emit,
	.space = emu_space,
	.active = emu_active,
};

/* The registers programmed on a unit, as the encoder reads them. */
static void emu_regs_of(const struct csm *m, struct cs_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->configr = m->reg[TRCCONFIGR / 4];
	r->victlr = m->reg[TRCVICTLR / 4];
	r->viiectlr = m->reg[TRCVIIECTLR / 4];
	r->syncpr = m->reg[TRCSYNCPR / 4];
	r->traceidr = m->reg[TRCTRACEIDR / 4];
	BUILD_BUG_ON(sizeof(r->acvr) != sizeof(m->acvr));
	memcpy(r->acvr, m->acvr, sizeof(r->acvr));
}

/* What registers programmed (or to be programmed) ask of the encoder. */
static void emu_soft_config(const struct cs_regs *r,
			    struct ete_soft_config *cfg)
{
	u32 configr = r->configr;
	u32 victlr = r->victlr;
	u32 iie = r->viiectlr;
	u32 n, els, p = r->syncpr & 0x1f;

	memset(cfg, 0, sizeof(*cfg));
	if (emu_etm4)
		cfg->flags |= ETE_SOFT_ETMV4;
	if (configr & TRCCONFIGR_TS)
		cfg->flags |= ETE_SOFT_TS;
	if (configr & TRCCONFIGR_VMID)
		cfg->flags |= ETE_SOFT_VMID;
	cfg->trace_id = r->traceidr;
	/* TRCSYNCPR.PERIOD: a sync point every 2^PERIOD bytes (7.3.67). */
	cfg->sync_period = p ? 1u << p : 0;
	/* TRCVIIECTLR.INCLUDE[n]: pair n, TRCACVR(2n) .. (2n+1) (7.3.73). */
	for (n = 0; n < 8; n++) {
		if (!(iie & (1u << n)))
			continue;
		if (cfg->nranges == ETE_SOFT_MAX_RANGES) {
			atomic64_inc(&emu_unsupported);
			break;
		}
		cfg->ranges[cfg->nranges].start = r->acvr[2 * n];
		cfg->ranges[cfg->nranges].end = r->acvr[2 * n + 1];
		cfg->nranges++;
	}
	/*
	 * EXCLUDE ranges, BB, CCI, RS, data trace; EL1/EL2 traced: an
	 * EXLEVEL_NS bit clear for an EL the unit has (TRCIDR3.EXLEVEL_NS,
	 * 23:20; the others are RES0, 7.3.72).
	 */
	els = emu_cpu->id.trcidr[3] >> 20 & 0xf;
	if ((iie >> 16) ||
	    (configr & (TRCCONFIGR_BB | TRCCONFIGR_CCI | TRCCONFIGR_RS |
			TRCCONFIGR_DA | TRCCONFIGR_DV)) ||
	    (els & ~(victlr >> TRCVICTLR_EXLEVEL_NS_SHIFT) & 0x6))
		atomic64_inc(&emu_unsupported);
}

/*
 * In the thread, process context, once tracing was enabled in it: the
 * encoder's config is the one programmed on this CPU's unit.  Through a
 * sink shared by every CPU the thread may have found it held by another
 * thread (its unit here then not enabled): the config is then regs, the
 * values the backend programs at each of its runs (they differ only in
 * TRCTRACEIDR, which is not in an ETMv4 packet stream).
 */
static void emu_thread_attach(struct hwt_thread *thr,
			      const struct cs_regs *regs)
{
	const struct csm *m;
	struct ete_soft_config cfg;
	struct cs_regs here;
	struct soft_thread *t;
	bool on;

	if (hwt_thread_hw_priv(thr))
		return;
	preempt_disable();
	m = this_cpu_ptr(&emu_csm);
	on = m->prgctlr & TRCPRGCTLR_EN;
	emu_regs_of(m, &here);
	preempt_enable();
	emu_soft_config(on ? &here : regs, &cfg);
	if (ete_soft_config_check(&cfg)) {
		atomic64_inc(&emu_unsupported);
		return;
	}
	t = soft_thread_new(&cfg, thr);
	if (!t)
		return;
	hwt_thread_set_hw_priv(thr, t);
	soft_thread_arm(t);
}

/*
 * CPU mode: the stepper's record of task, made on first use (SOFT_GFP_SCHED:
 * IRQs off, possibly under the runqueue lock).  Returns the record, or
 * NULL if there is no memory or task is not a 64-bit user task.
 */
static struct soft_task *emu_task_get(struct task_struct *task,
				      const struct ete_soft_config *cfg)
{
	struct soft_task *e = soft_task_find(task);

	if (e)
		return e;
	e = soft_task_alloc();
	if (!e)
		return NULL;
	e->t = soft_thread_new_task(task, cfg, e, SOFT_GFP_SCHED);
	if (!e->t) {
		kfree(e);
		return NULL;
	}
	soft_task_insert(e, task, e->t);
	atomic64_inc(&emu_cpu_tasks);
	return e;
}

/*
 * CPU mode: step task's user code from its next return to user mode, if
 * this CPU's unit traces it (task is next at a switch, or current; IRQs
 * off).  A task being stepped already is left alone unless switched_in
 * (a new run then starts).
 */
static void emu_step_task(struct task_struct *task, bool switched_in)
{
	const struct csm *m = this_cpu_ptr(&emu_csm);
	struct ete_soft_config cfg;
	struct soft_task *e;
	struct cs_regs r;

	if (!emu_traces(m, task))
		return;
	emu_regs_of(m, &r);
	emu_soft_config(&r, &cfg);
	if (ete_soft_config_check(&cfg)) {
		atomic64_inc(&emu_unsupported);
		return;
	}
	rcu_read_lock();
	e = emu_task_get(task, &cfg);
	if (e && (switched_in || !soft_thread_started(e->t))) {
		e->fresh = true;
		soft_thread_resume(e->t, task, &cfg);
	}
	rcu_read_unlock();
}

/*
 * CPU mode, a context switch on this CPU while its unit is on (current
 * is prev; IRQs off, runqueue lock held), before the backend drains and
 * re-enables it.  A real unit wrote prev's last user packets when prev
 * entered the kernel; the stepper writes them now, and pauses.  next is
 * stepped from its return to user mode if the unit traces it there.
 * The trace synchronization of an enable before this switch belongs to
 * prev's run.
 */
static void emu_cpu_switch(struct task_struct *prev, struct task_struct *next)
{
	struct soft_task *e;

	rcu_read_lock();
	e = soft_task_find(prev);
	if (e)
		soft_thread_pause(e->t);
	rcu_read_unlock();
	this_cpu_write(emu_synced, false);
	emu_step_task(next, true);
}

/* The task_work of emu_cpu_start, freed by itself. */
struct emu_start_work {
	struct callback_head cb;
};

/*
 * In the task that was running when its CPU started tracing, on its way
 * back to user mode (process context): from here it is stepped like a
 * task that was switched in, if the CPU it is on now traces it.
 */
static void emu_start_fn(struct callback_head *cb)
{
	unsigned long flags;

	kfree(container_of(cb, struct emu_start_work, cb));
	local_irq_save(flags);
	emu_step_task(current, false);
	local_irq_restore(flags);
	module_put(THIS_MODULE);
}

/*
 * CPU mode: START's IPI just enabled the unit here (IRQs off).  Hardware
 * traces the interrupted task (current) from this instant, but no switch
 * hands it to emu_cpu_switch until it next leaves the CPU: it gets a
 * task_work that starts stepping it where it next returns to user mode
 * (the stepper's record is only touched by its own task or by the
 * scheduler while it is not running, never from an interrupt).
 */
static void emu_cpu_start(void)
{
	struct emu_start_work *w;

	if (!emu_traces(this_cpu_ptr(&emu_csm), current))
		return;
	w = kzalloc(sizeof(*w), GFP_ATOMIC | __GFP_NOWARN);
	if (!w)
		return;
	init_task_work(&w->cb, emu_start_fn);
	__module_get(THIS_MODULE);
	if (task_work_add(current, &w->cb, TWA_RESUME)) {
		module_put(THIS_MODULE);
		kfree(w);
	}
}

/* A task exits: its CPU-mode record ends (current is the task). */
static void emu_probe_exit(void *data, struct task_struct *task)
{
	struct soft_task *e = soft_task_unhash_current();

	if (!e)
		return;
	/*
	 * A live run's last packets go to this CPU's stream if the unit
	 * here still traces user code (the mm is gone by now); after STOP
	 * nothing is written.
	 */
	if (!emu_collecting(this_cpu_ptr(&emu_csm)))
		soft_thread_drop(e->t);
	soft_thread_exit(e->t);
	soft_task_release(e);
}

/*
 * Every context switch (IRQs off, runqueue lock held; current is prev).
 * hwt_coresight calls cpu_switch only while its context runs, so a task
 * that was in the kernel when STOP disabled the unit, and then sleeps
 * there, would keep its step armed (TIF_SINGLESTEP, SPSR.SS) into a
 * return to user mode that may come after this module is gone: a
 * SIGTRAP nobody consumes.  Leaving a CPU whose unit is disabled, its
 * run ends here, without output (the unit is off).
 */
static void emu_probe_switch(void *data, bool preempt,
			     struct task_struct *prev,
			     struct task_struct *next, unsigned int prev_state)
{
	if (!(this_cpu_ptr(&emu_csm)->prgctlr & TRCPRGCTLR_EN))
		soft_task_halt(prev);
}

static void emu_thread_detach(struct hwt_thread *thr, bool exiting)
{
	struct soft_thread *t = hwt_thread_hw_priv(thr);

	if (!t)
		return;
	hwt_thread_set_hw_priv(thr, NULL);
	if (exiting)
		soft_thread_exit(t);
	else
		soft_thread_stop(t);
}

/* topo=shared: the unit's own device tree (cs_emu_topo). */
static int emu_topology(const struct cs_dt_ops **ops, void **ctx,
			uintptr_t *root)
{
	if (!emu_shared)
		return -ENODEV;
	*ops = &cs_dtmem_ops;
	*ctx = &emu_tree->m;
	*root = cs_dtmem_root(&emu_tree->m);
	return 0;
}

static int emu_link_read(u64 base, u32 reg, u64 *val)
{
	unsigned long flags;
	struct csm_link *l;
	int ret = -1;

	if (!emu_shared)
		return -EIO;
	raw_spin_lock_irqsave(&emu_bus_lock, flags);
	l = csm_bus_link(emu_bus, base);
	if (l) {
		ret = csm_link_read(l, reg, val);
		if (ret)
			pr_warn_ratelimited("link %#llx: read %#x refused (%s)\n",
					    base, reg, l->rule);
	}
	raw_spin_unlock_irqrestore(&emu_bus_lock, flags);
	return ret ? -EIO : 0;
}

static int emu_link_write(u64 base, u32 reg, u64 val)
{
	unsigned long flags;
	struct csm_link *l;
	int ret = -1;

	if (!emu_shared)
		return -EIO;
	raw_spin_lock_irqsave(&emu_bus_lock, flags);
	l = csm_bus_link(emu_bus, base);
	if (l) {
		ret = csm_link_write(l, reg, val);
		if (ret)
			pr_warn_ratelimited("link %#llx: write %#x = %#llx refused (%s)\n",
					    base, reg, val, l->rule);
	}
	raw_spin_unlock_irqrestore(&emu_bus_lock, flags);
	return ret ? -EIO : 0;
}

const struct cs_hw_ops hwt_cs_emu_hw_ops = {
	.name = "hwt_cs_emu (emulated)",
	.dfr0 = emu_dfr0,
	.read = emu_read,
	.write = emu_write,
	.order = emu_order,
	.thread_attach = emu_thread_attach,
	.thread_detach = emu_thread_detach,
	.cpu_switch = emu_cpu_switch,
	.cpu_start = emu_cpu_start,
	.tmc_probe = emu_tmc_probe,
	.tmc_read = emu_tmc_read,
	.tmc_write = emu_tmc_write,
	.topology = emu_topology,
	.link_read = emu_link_read,
	.link_write = emu_link_write,
	.trbe_irq = emu_trbe_irq,
};
EXPORT_SYMBOL_GPL(hwt_cs_emu_hw_ops);

/* Read-only counters, summed over CPUs, for the tests. */
enum {
	EMU_REFUSED, EMU_WRITES, EMU_STORED, EMU_IRQS, EMU_DROPPED,
	EMU_UNSUPPORTED, EMU_REENTERED, EMU_BAD_PTR, EMU_CPU_TASKS,
	EMU_UNSYNCED, EMU_LIVE, EMU_IRQ_RAISED, EMU_IRQ_HELD,
};

/*
 * What a driver left on, for the tests to require none once tracing
 * stopped: per CPU the unit enabled (TRCPRGCTLR.EN) and each claim tag
 * of ours (CoreSight B2.4) on the unit and its TMC, the TMC capturing
 * (CTL.TraceCaptEn); topo=shared: each funnel slave port enabled
 * (SoC-400 Funnel Control EnS) and each link's claim tag of ours.
 * The caller holds emu_bus_lock.  Returns the count.
 */
static u64 emu_live(void)
{
	u64 n = 0;
	unsigned int i;
	int c;

	lockdep_assert_held(&emu_bus_lock);
	for_each_possible_cpu(c) {
		const struct csm *m = per_cpu_ptr(&emu_csm, c);
		const struct csm_tmc *t = per_cpu_ptr(&emu_tmc, c);

		n += !!(m->prgctlr & TRCPRGCTLR_EN) + hweight32(m->claim_ours) +
		     !!(t->ctl & TMC_CTL_CAPTEN) + hweight32(t->claim_ours);
	}
	for (i = 0; emu_shared && i < emu_topo->ncomp; i++) {
		const struct csm_link *l = &emu_links[i];

		if (l->kind == CS_LINK_FUNNEL)
			n += hweight32(l->ctrl & FUNNEL_CTRL_ENS_MASK);
		n += hweight32(l->claim_ours);
	}
	return n;
}

static int emu_get_counter(char *buf, const struct kernel_param *kp)
{
	long which = (long)kp->arg;
	u64 sum = 0;
	int c;

	if (which == EMU_LIVE) {
		raw_spin_lock_irq(&emu_bus_lock);
		sum = emu_live();
		raw_spin_unlock_irq(&emu_bus_lock);
		return sysfs_emit(buf, "%llu\n", sum);
	}
	if (which == EMU_DROPPED)
		sum = atomic64_read(&emu_dropped);
	else if (which == EMU_UNSUPPORTED)
		sum = atomic64_read(&emu_unsupported);
	else if (which == EMU_REENTERED)
		sum = atomic64_read(&emu_reentered);
	else if (which == EMU_BAD_PTR)
		sum = atomic64_read(&emu_bad_ptr);
	else if (which == EMU_CPU_TASKS)
		sum = atomic64_read(&emu_cpu_tasks);
	else if (which == EMU_UNSYNCED)
		sum = atomic64_read(&emu_unsynced);
	else if (which == EMU_IRQ_RAISED)
		sum = atomic64_read(&emu_irq_raised);
	else if (which == EMU_IRQ_HELD)
		sum = atomic64_read(&emu_irq_held);
	else
		for_each_possible_cpu(c) {
			const struct csm *m = per_cpu_ptr(&emu_csm, c);
			const struct csm_tmc *t = per_cpu_ptr(&emu_tmc, c);

			sum += which == EMU_REFUSED ? m->refused + t->refused :
			       which == EMU_WRITES ? m->writes + t->writes :
			       which == EMU_IRQS ? m->irqs :
			       m->stored + t->stored;
		}
	/* The bus and its links (topo=shared). */
	if (emu_shared && (which == EMU_REFUSED || which == EMU_WRITES)) {
		unsigned int i;

		if (which == EMU_REFUSED)
			sum += emu_bus->refused;
		for (i = 0; i < emu_topo->ncomp; i++)
			sum += which == EMU_REFUSED ? emu_links[i].refused :
			       emu_links[i].writes;
	}
	return sysfs_emit(buf, "%llu\n", sum);
}

static const struct kernel_param_ops emu_counter_ops = {
	.get = emu_get_counter,
};

#define EMU_COUNTER(name, which, desc)					\
	module_param_cb(name, &emu_counter_ops, (void *)(long)(which), 0444); \
	MODULE_PARM_DESC(name, desc)

EMU_COUNTER(refused, EMU_REFUSED,
	    "register writes or reads refused (rule broken)");
EMU_COUNTER(writes, EMU_WRITES, "register writes accepted");
EMU_COUNTER(stored, EMU_STORED, "trace bytes written through the TRBE");
EMU_COUNTER(irqs, EMU_IRQS, "TRBE management events (TRBSR.IRQ set)");
EMU_COUNTER(irqs_raised, EMU_IRQ_RAISED,
	    "TRBE interrupts delivered to the driver's handler");
EMU_COUNTER(irqs_held, EMU_IRQ_HELD,
	    "TRBE interrupt handlers that returned with TRBSR.IRQ still set (also in refused)");
EMU_COUNTER(dropped, EMU_DROPPED,
	    "trace bytes of user code run while no TRBE collected");
EMU_COUNTER(unsupported, EMU_UNSUPPORTED,
	    "configs asking for what the emulation does not produce");
EMU_COUNTER(reentered, EMU_REENTERED,
	    "register accesses refused because they interleaved an emit");
EMU_COUNTER(bad_ptr, EMU_BAD_PTR,
	    "writes refused: TRBPTR outside the vmalloc area");
EMU_COUNTER(cpu_tasks, EMU_CPU_TASKS,
	    "CPU mode: tasks whose user code the unit started to step");
EMU_COUNTER(live, EMU_LIVE,
	    "units enabled, TMCs capturing, funnel ports enabled and claim tags of the driver's, now");
EMU_COUNTER(unsynced, EMU_UNSYNCED,
	    "CPU mode: runs begun without an enable of the unit since the switch (their sync point not written)");

/*
 * irq_selftest: the line's rules seen by a handler with the bug the
 * emulator must catch.  On CPU 0, its TRBE disabled, with no driver
 * holding the interrupt: a handler that returns without clearing
 * TRBSR.IRQ is requested; IRQ is set in the model as a Fill-mode stop
 * sets it; while the line is masked (never enabled) nothing may be
 * delivered; once enable_percpu_irq unmasks it the asserted line must
 * be delivered, and at each EOI with IRQ still set refused and raised
 * again: 1 + EMU_IRQ_REARMS deliveries, each counted in irqs_held and
 * refused.  TRBSR is restored and the interrupt freed.
 */
static atomic_t emu_selftest_hits;

static irqreturn_t emu_selftest_fn(int irq, void *dev_id)
{
	atomic_inc(&emu_selftest_hits);
	return IRQ_HANDLED;		/* the bug: TRBSR.IRQ left set */
}

/* In a worker bound to CPU 0.  Returns 0, -EBUSY or -EIO (see above). */
static long emu_selftest_cpu(void *arg)
{
	struct csm *m = per_cpu_ptr(&emu_csm, raw_smp_processor_id());
	int masked, hits;
	u64 saved;

	local_irq_disable();
	if (m->trblimitr & TRBLIMITR_E) {
		local_irq_enable();
		return -EBUSY;
	}
	saved = m->trbsr;
	m->trbsr |= TRBSR_IRQ;
	emu_irq_kick();			/* masked: raises nothing */
	local_irq_enable();
	msleep(20);
	masked = atomic_read(&emu_selftest_hits);
	enable_percpu_irq(emu_virq, IRQ_TYPE_NONE);
	msleep(50);
	disable_percpu_irq(emu_virq);
	hits = atomic_read(&emu_selftest_hits);
	local_irq_disable();
	m->trbsr = saved;
	local_irq_enable();
	pr_info("irq_selftest: %d deliveries while masked, %d once unmasked with TRBSR.IRQ never cleared (want 0 and %d)\n",
		masked, hits, 1 + EMU_IRQ_REARMS);
	return masked || hits != 1 + EMU_IRQ_REARMS ? -EIO : 0;
}

/* Returns 0; -ENODEV without the interrupt; -EBUSY if a driver holds it
 * or CPU 0's TRBE is on; -EIO if a rule did not hold. */
static int emu_selftest_set(const char *val, const struct kernel_param *kp)
{
	int __percpu *cookie;
	int ret;

	if (!emu_virq)
		return -ENODEV;
	cookie = alloc_percpu(int);
	if (!cookie)
		return -ENOMEM;
	ret = request_percpu_irq(emu_virq, emu_selftest_fn,
				 "hwt_cs_emu-selftest", cookie);
	if (!ret) {
		atomic_set(&emu_selftest_hits, 0);
		ret = work_on_cpu(0, emu_selftest_cpu, NULL);
		free_percpu_irq(emu_virq, cookie);
	}
	free_percpu(cookie);
	return ret;
}

static const struct kernel_param_ops emu_selftest_ops = {
	.set = emu_selftest_set,
};
module_param_cb(irq_selftest, &emu_selftest_ops, NULL, 0200);
MODULE_PARM_DESC(irq_selftest,
		 "write: check the TRBE interrupt's rules with a handler that never clears TRBSR.IRQ (counts in refused)");

/* Another agent (an external debugger) holding the unit on some CPUs. */
static unsigned long busy_cpus;

static void emu_set_busy(void *arg)
{
	struct csm *m = this_cpu_ptr(&emu_csm);

	if (test_bit(smp_processor_id(), &busy_cpus))
		csm_claim_external(m);
	else
		m->claim &= ~CS_CLAIM_EXTERNAL;
}

static int emu_set_busy_cpus(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_ulong(val, kp);

	if (!ret)
		on_each_cpu(emu_set_busy, NULL, 1);
	return ret;
}

static const struct kernel_param_ops emu_busy_ops = {
	.set = emu_set_busy_cpus,
	.get = param_get_ulong,
};
module_param_cb(busy_cpus, &emu_busy_ops, &busy_cpus, 0644);
MODULE_PARM_DESC(busy_cpus,
		 "CPUs whose unit an external debugger has claimed");

static void emu_tmc_free(void)
{
	int c;

	for_each_possible_cpu(c) {
		kfree(per_cpu_ptr(&emu_tmc, c)->ram);
		per_cpu_ptr(&emu_tmc, c)->ram = NULL;
	}
}

/*
 * A TMC per CPU of the kind tmc= names.
 * Returns 0, -EINVAL if tmc names no kind, or -ENOMEM.
 */
static int emu_tmc_init(void)
{
	u8 *ram = NULL;
	int c;

	if (!strcmp(tmc, "etr")) {
		emu_devid = EMU_DEVID_ETR;
	} else if (!strcmp(tmc, "etr-flat")) {
		emu_devid = EMU_DEVID_ETR_FLAT;
	} else if (!strcmp(tmc, "etf")) {
		emu_devid = EMU_DEVID_ETF;
		emu_rsz = EMU_ETF_WORDS;
	} else {
		pr_info("tmc=%s: not etr, etr-flat or etf\n", tmc);
		return -EINVAL;
	}
	for_each_possible_cpu(c) {
		if (emu_rsz) {
			ram = kzalloc(4 * emu_rsz, GFP_KERNEL);
			if (!ram) {
				emu_tmc_free();
				return -ENOMEM;
			}
		}
		if (csm_tmc_init(per_cpu_ptr(&emu_tmc, c), emu_devid, emu_rsz,
				 ram, &emu_mem)) {
			kfree(ram);
			emu_tmc_free();
			return -EINVAL;
		}
	}
	return 0;
}

static void emu_shared_free(void)
{
	kvfree(emu_bus);
	kvfree(emu_links);
	kvfree(emu_topo);
	kvfree(emu_tree);
	emu_bus = NULL;
	emu_links = NULL;
	emu_topo = NULL;
	emu_tree = NULL;
	emu_shared = false;
}

/* This CPU's MPIDR affinity (Arm ARM D19), for its cpu@ node. */
static void emu_mpidr_fn(void *arg)
{
	u64 *mpidr = arg;

	mpidr[smp_processor_id()] = read_cpuid_mpidr() & MPIDR_HWID_BITMASK;
}

/*
 * topo=shared: the tree for the CPUs there are, parsed as the backend
 * will parse it, the funnels' models and the bus from each CPU's ETM to
 * the one ETR (CPU 0's emu_tmc); CPU c is the bus's source c.
 * Returns 0, -ENOMEM, or -EINVAL after a line saying what does not fit.
 */
static int emu_shared_init(enum cs_emu_topo_shape shape)
{
	u64 mpidr[CS_EMU_TOPO_MAX_CPU];
	unsigned int c;
	int e, etr, ret = -ENOMEM;

	if (!emu_etm4 || strcmp(tmc, "etr") ||
	    nr_cpu_ids > CS_EMU_TOPO_MAX_CPU ||
	    num_online_cpus() != nr_cpu_ids) {
		pr_info("topo=shared: needs an ETMv4 row, tmc=etr and at most %d CPUs, all online\n",
			CS_EMU_TOPO_MAX_CPU);
		return -EINVAL;
	}
	emu_tree = kvzalloc(sizeof(*emu_tree), GFP_KERNEL);
	emu_topo = kvzalloc(sizeof(*emu_topo), GFP_KERNEL);
	emu_links = kvcalloc(CS_TOPO_MAX_COMP, sizeof(*emu_links),
			     GFP_KERNEL);
	emu_bus = kvzalloc(sizeof(*emu_bus), GFP_KERNEL);
	if (!emu_tree || !emu_topo || !emu_links || !emu_bus)
		goto fail;
	ret = -EINVAL;
	on_each_cpu(emu_mpidr_fn, mpidr, 1);
	if (cs_emu_topo_build_shape(emu_tree, shape, nr_cpu_ids, mpidr) ||
	    cs_topo_parse(emu_topo, &cs_dtmem_ops, &emu_tree->m,
			  cs_dtmem_root(&emu_tree->m)))
		goto fail;
	etr = cs_topo_find(emu_topo, "etr@20070000");
	if (etr < 0 || csm_bus_init(emu_bus, emu_topo, emu_links,
				    per_cpu_ptr(&emu_tmc, 0), etr))
		goto fail;
	for (c = 0; c < nr_cpu_ids; c++) {
		e = cs_topo_etm_of(emu_topo, mpidr[c]);
		if (e < 0 || csm_bus_add(emu_bus, per_cpu_ptr(&emu_csm, c),
					 e) != (int)c)
			goto fail;
	}
	emu_shared = true;
	return 0;
fail:
	pr_info("topo=shared: the emulated topology could not be built (%d)\n",
		ret);
	emu_shared_free();
	return ret;
}

static int __init hwt_cs_emu_init(void)
{
	char *sep;
	size_t i, n;
	int c, ret;

	/* cpu=ROW or ROW:TMC (one word for init.sh's HWT_CS_EMU). */
	sep = strchr(cpu, ':');
	if (sep)
		tmc = sep + 1;
	for (i = 0; i < ARRAY_SIZE(cs_cpus); i++) {
		n = strcspn(cs_cpus[i].name, " ");
		if ((sep ? sep - cpu : strlen(cpu)) == n &&
		    !strncmp(cs_cpus[i].name, cpu, n))
			emu_cpu = &cs_cpus[i];
	}
	if (!emu_cpu) {
		pr_info("no unit \"%s\" in the table\n", cpu);
		return -EINVAL;
	}
	for_each_possible_cpu(c)
		csm_init_mmio(per_cpu_ptr(&emu_csm, c), &emu_cpu->id);
	emu_etm4 = !per_cpu_ptr(&emu_csm, 0)->ete;
	if (emu_etm4) {
		ret = emu_tmc_init();
		if (ret)
			return ret;
	} else if (emu_irq_on) {
		ret = emu_irq_init();
		if (ret)
			return ret;
	}
	if (!strcmp(topo, "shared") || !strcmp(topo, "juno-r1")) {
		ret = emu_shared_init(strcmp(topo, "shared") ?
				      CS_EMU_TOPO_JUNO_R1 :
				      CS_EMU_TOPO_FUNNELS);
		if (ret) {
			emu_tmc_free();
			return ret;
		}
	} else if (*topo) {
		pr_info("topo=%s: neither shared nor juno-r1\n", topo);
		emu_irq_free();
		emu_tmc_free();
		return -EINVAL;
	}
	BUILD_BUG_ON(sizeof(register_trace_sched_process_exit(emu_probe_exit,
							      NULL)) !=
		     sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sched_switch(emu_probe_switch,
							NULL)) != sizeof(int));
	ret = hwt_tracepoint_attach("sched_process_exit", emu_probe_exit,
				    NULL);
	if (ret)
		goto fail;
	ret = hwt_tracepoint_attach("sched_switch", emu_probe_switch, NULL);
	if (ret)
		goto fail_exit;
	ret = soft_step_init(&emu_step_ops);
	if (ret)
		goto fail_switch;
	pr_info("emulating the trace unit of %s%s%s%s%s\n", emu_cpu->name,
		emu_etm4 ? " with a TMC: " : "", emu_etm4 ? tmc : "",
		emu_shared ? ", one for every CPU behind funnels" : "",
		emu_virq ? ", TRBE interrupt as a per-CPU irq" : "");
	return 0;
fail_switch:
	hwt_tracepoint_detach("sched_switch", emu_probe_switch, NULL);
fail_exit:
	hwt_tracepoint_detach("sched_process_exit", emu_probe_exit, NULL);
	tracepoint_synchronize_unregister();
fail:
	emu_shared_free();
	emu_irq_free();
	emu_tmc_free();
	return ret;
}

static void __exit hwt_cs_emu_exit(void)
{
	soft_tasks_quiesce();
	hwt_tracepoint_detach("sched_switch", emu_probe_switch, NULL);
	hwt_tracepoint_detach("sched_process_exit", emu_probe_exit, NULL);
	tracepoint_synchronize_unregister();
	soft_tasks_free();
	soft_step_exit();
	emu_shared_free();
	emu_irq_free();
	emu_tmc_free();
}

module_init(hwt_cs_emu_init);
module_exit(hwt_cs_emu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt: emulated ETE + TRBE, ETMv4 + TMC trace unit (tests)");
