// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_pt_emu: an emulated Intel PT trace unit, for testing hwt_intel_pt
 * where there is no PT hardware (our machines, QEMU TCG).
 *
 * It exports hwt_pt_emu_hw_ops (pt_hw.h), which hwt_intel_pt picks up
 * instead of the hardware when this module is loaded first:
 *  - CPUID answers with one row of the CPU table (tests/pt_cpus.h),
 *    chosen with cpu=NAME (default kabylake);
 *  - the PT MSRs of each CPU are a pt_model (pt_model.c), which refuses
 *    every access the SDM says would #GP and counts it (parameter
 *    "refused"), and flags operational errors ("op_errors");
 *  - while a CPU's RTIT_CTL has TraceEn (and User, and CR3 matching with
 *    CR3Filter), the user code of the thread running there is traced:
 *    the thread is single-stepped by the soft backend's stepper
 *    (soft_step.c) and the PT packets it encodes are stored by the model
 *    where the ToPA tables (or the single range) say, moving
 *    OUTPUT_MASK_PTRS and RTIT_STATUS as the unit would;
 *  - packets produced while packet generation is off on that CPU are
 *    counted in "dropped" (never in thread mode done right);
 *  - busy_cpus=MASK makes TraceEn read as set on those CPUs, as if perf
 *    were tracing there (hwt_intel_pt must then refuse START: EBUSY).
 *
 * Stepping needs the thread's lifecycle, which hardware does not:
 * hwt_intel_pt calls thread_attach once tracing is enabled in the thread
 * and thread_detach before it is disabled for good; the stepper's record
 * sits in the framework's per-thread hw_priv slot.  In CPU mode the
 * backend calls cpu_switch at each context switch of a traced CPU: the
 * unit ends the previous task's user trace there (as a real unit did at
 * its kernel entry) and steps the next task's user code if the CPU's
 * MSRs trace it, with records of its own (soft_tasks.h) kept until the
 * task exits; a task whose CPU stops tracing pauses at its next step,
 * syscall exit or switch away from that CPU (emu_probe_switch).
 * When START's IPI enables a CPU, the backend calls cpu_start: the task
 * the IPI interrupted is stepped from its return to user mode, as
 * hardware traces it from that instant (no switch announces it).
 *
 * TraceStop ranges (ADDRn_CFG = 2) go to the encoder, which ends the
 * thread's trace with TIP.PGD + TraceStop where a taken branch enters
 * one; the unit then sets RTIT_STATUS.Stopped (33.2.4.3).  Stopped is
 * the CPU's: in thread mode the backend keeps it with the thread (its
 * STATUS is saved and restored), in CPU mode it stays on the CPU, and a
 * CPU-mode task there is no longer stepped (the one that entered the
 * range pauses at its next step, none is started), so the CPU writes
 * nothing more for any task until software clears Stopped.  While a
 * CPU-mode session runs on a CPU (cpu_start to cpu_stop) a STATUS write
 * that clears a TraceStop's Stopped is refused and counted in
 * "refused": it would resume tracing past the stop.
 *
 * At a TraceEn enable the unit writes what hardware writes there
 * (pt_model: PSB+ without FUP if RTIT_STATUS.PacketByteCnt is 0, else
 * only TSC), and the stepper starts a thread's or task's run with
 * MODE.Exec and TIP.PGE where it enters user mode.
 *
 * Not emulated (docs/intel-pt.md): BranchEn off, MTC, CYC, PTWRITE,
 * power events, kernel tracing, periodic PSB from PacketByteCnt (the
 * encoder keeps its own PSB count per thread).
 *
 * ToPA PMIs are real NMIs: when an INT region fills, the model sets
 * GLOBAL_STATUS bit 55 and the unit sends an NMI to its CPU through the
 * local APIC; a first NMI handler acknowledges bit 55 as perf's would,
 * so hwt_intel_pt has to recognise its PMI without it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/nmi.h>
#include <trace/events/sched.h>

#include "hwt_backend.h"
#include "../pt_hw.h"
#include "../pt_model.h"
#include "../tests/pt_cpus.h"
#include "soft_step.h"
#include "soft_tasks.h"

static char *cpu = "kabylake";
module_param(cpu, charp, 0444);
MODULE_PARM_DESC(cpu, "CPU table row whose CPUID the unit answers with");

static const struct pt_cpu *emu_cpu;
static DEFINE_PER_CPU(struct ptm, emu_ptm);
static atomic64_t emu_dropped;
static atomic64_t emu_unsupported;
/* ptm_emit() running on this CPU: an MSR access now would interleave. */
static DEFINE_PER_CPU(int, emu_emitting);
static atomic64_t emu_reentered;
static atomic64_t emu_pmi_acked;
/* Tests: the next emit hits an operational error (inject_error=1). */
static atomic_t emu_inject;
static atomic64_t emu_injected;

/*
 * An MSR access while this CPU's unit is in ptm_emit() (only an NMI can
 * do that): hardware completes one or the other atomically, the model
 * cannot.  Refused and counted; the tests require none.
 */
static bool emu_reentry(void)
{
	if (!this_cpu_read(emu_emitting))
		return false;
	atomic64_inc(&emu_reentered);
	return true;
}

/* Physical memory as the trace unit sees it (ToPA tables, output). */
static int emu_mem_rw(u64 pa, void *buf, u32 len, bool write)
{
	while (len) {
		unsigned long pfn = pa >> PAGE_SHIFT;
		u32 off = offset_in_page(pa);
		u32 n = min_t(u32, len, PAGE_SIZE - off);
		void *va;

		if (!pfn_valid(pfn))
			return -1;
		va = kmap_local_page(pfn_to_page(pfn));
		if (write)
			memcpy(va + off, buf, n);
		else
			memcpy(buf, va + off, n);
		kunmap_local(va);
		pa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int emu_mem_read(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	return emu_mem_rw(pa, buf, len, false);
}

static int emu_mem_write(void *ctx, uint64_t pa, const void *buf,
			 uint32_t len)
{
	return emu_mem_rw(pa, (void *)buf, len, true);
}

static const struct ptm_mem emu_mem = {
	.read = emu_mem_read,
	.write = emu_mem_write,
};

static void emu_cpuid(u32 leaf, u32 subleaf, u32 r[4])
{
	const struct pt_cpuid *id = &emu_cpu->id;

	memset(r, 0, 4 * sizeof(u32));
	switch (leaf) {
	case 0:
		r[0] = id->max_leaf;
		break;
	case 1:
		r[0] = id->leaf1_eax;
		break;
	case 7:
		if (id->max_leaf >= 7 && subleaf == 0)
			r[1] = id->leaf7_ebx;
		break;
	case 0x14:
		if (id->max_leaf >= 0x14 && subleaf < 2)
			memcpy(r, id->leaf14[subleaf], 4 * sizeof(u32));
		break;
	case 0x15:
		if (id->max_leaf >= 0x15)
			memcpy(r, id->leaf15, 4 * sizeof(u32));
		break;
	case 0x80000000:
		r[0] = 0x80000008;
		break;
	case 0x80000008:
		r[0] = id->ext8_eax;
		break;
	}
}

static int emu_read_msr(u32 msr, u64 *val)
{
	unsigned long flags;
	int ret;

	if (emu_reentry())
		return -EIO;
	local_irq_save(flags);
	ret = ptm_rdmsr(this_cpu_ptr(&emu_ptm), msr, val);
	local_irq_restore(flags);
	return ret ? -EIO : 0;
}

/*
 * A WRMSR.  One that sets TraceEn also makes the unit store the packets
 * of an enable (pt_model.h, psb_plus): PSB+ without FUP if
 * PacketByteCnt is 0, else TSC alone (with TSCEn); an INT region they
 * fill raises the PMI as a step's packets do.
 */
static int emu_write_msr(u32 msr, u64 val)
{
	unsigned long flags;
	struct ptm *m;
	u32 pmis;
	int ret;

	if (emu_reentry())
		return -EIO;
	local_irq_save(flags);
	m = this_cpu_ptr(&emu_ptm);
	m->tsc = soft_tsc();
	pmis = m->pmi;
	ret = ptm_wrmsr(m, msr, val);
	if (ret)
		pr_warn_ratelimited("cpu %d: wrmsr %#x = %#llx refused (SDM %s)\n",
				    smp_processor_id(), msr, val, m->gp_rule);
	if (m->pmi != pmis)
		apic->send_IPI_mask(cpumask_of(smp_processor_id()), NMI_VECTOR);
	local_irq_restore(flags);
	return ret ? -EIO : 0;
}

/*
 * Does the unit write its own packets at a TraceEn enable, so that the
 * stepper starts a run with TIP.PGE (soft_thread.pge_start)?  Where
 * CPUID.(14H,0):EBX[1] enumerates PacketByteCnt.  Without it (Broadwell)
 * the field is reserved: software cannot keep a thread's count across
 * its switch-ins, so an enable there may write PSB+ in the middle of a
 * thread-mode stream, after user code the stepper did not end (it does
 * not model the interrupt that preempted it: no FUP/TIP.PGD).  There the
 * stepper keeps writing its own PSB+ (with FUP) at a run's start.
 * Returns true if the CPU row enumerates PacketByteCnt, else false.
 */
static bool emu_enable_packets(void)
{
	return !!(emu_cpu->id.leaf14[0][1] & (1u << 1));
}

static atomic64_t emu_cpu_tasks;

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
 * Has a TraceStop stopped this CPU's unit (Stopped without Error: it
 * writes nothing until software clears Stopped, 33.2.4.3, 33.2.8.4)?
 * An Error, which the driver clears at its next drain, is not this.
 * Returns true if Stopped is set and Error is not, else false.
 */
static bool emu_stopped(const struct ptm *m)
{
	return (m->status & (PT_STATUS_STOPPED | PT_STATUS_ERROR)) ==
	       PT_STATUS_STOPPED;
}

/*
 * Does this CPU's unit trace the user code of task (TraceEn, User, and
 * CR3 matching with CR3Filter: 33.2.8.2, 33.2.8.6; not stopped by a
 * TraceStop: 33.2.4.3)?  IRQs off.
 */
static bool emu_traces(const struct ptm *m, struct task_struct *task)
{
	if (!(m->ctl & PT_CTL_TRACEEN) || !(m->ctl & PT_CTL_USER) ||
	    emu_stopped(m) ||
	    !task->mm || (task->flags & (PF_KTHREAD | PF_EXITING)))
		return false;
	return !(m->ctl & PT_CTL_CR3FILTER) ||
	       (m->cr3_match & ~0xfffull) ==
	       (__pa(task->mm->pgd) & ~0xfffull);
}

/*
 * The packets of one step of user code on this CPU: stored by the model
 * if packet generation is on for user code here (TraceEn, User, CR3
 * matching with CR3Filter; 33.2.8.2, 33.2.8.6; not stopped by a
 * TraceStop, 33.2.4.3: such packets count in "dropped", since no task
 * is stepped on a stopped CPU).
 */
static bool emu_write(struct soft_thread *t, const u8 *buf, size_t len)
{
	unsigned long flags;
	struct ptm *m;
	u64 stored = len;
	bool on, pmi = false;
	u32 pmis;

	local_irq_save(flags);
	m = this_cpu_ptr(&emu_ptm);
	on = (m->ctl & PT_CTL_TRACEEN) && (m->ctl & PT_CTL_USER);
	if (on && (m->ctl & PT_CTL_CR3FILTER) && current->mm)
		on = (m->cr3_match & ~0xfffull) ==
		     (__pa(current->mm->pgd) & ~0xfffull);
	if (on && emu_stopped(m))
		on = false;
	if (on && (m->status & PT_STATUS_TRIGGEREN) &&
	    atomic_xchg(&emu_inject, 0)) {
		/*
		 * As an operational error does (33.2.7.2 "ToPA Errors"):
		 * Error set, TriggerEn cleared, nothing written from here
		 * until software clears Error and enables again.
		 */
		m->status |= PT_STATUS_ERROR;
		m->status &= ~PT_STATUS_TRIGGEREN;
		atomic64_inc(&emu_injected);
	}
	if (on) {
		pmis = m->pmi;
		this_cpu_write(emu_emitting, 1);
		barrier();
		stored = ptm_emit(m, buf, len);
		barrier();
		this_cpu_write(emu_emitting, 0);
		pmi = m->pmi != pmis;
		/*
		 * The encoder just wrote a TraceStop packet: the unit sets
		 * Stopped, which clears TriggerEn (33.2.4.3, 33.2.8.4),
		 * after the packet, as hardware writes TraceStop last.
		 */
		if (t->st.stopped && stored == len)
			ptm_trace_stop(m);
	} else {
		atomic64_add(len, &emu_dropped);
	}
	/*
	 * An INT region filled: the ToPA PMI, which is an NMI on this CPU
	 * (33.2.7.2 "ToPA PMI"), sent once the unit's state is consistent.
	 */
	if (pmi)
		apic->send_IPI_mask(cpumask_of(smp_processor_id()), NMI_VECTOR);
	local_irq_restore(flags);
	return stored == len;
}

/* Hardware has no notion of room: output goes on until a STOP entry. */
static size_t emu_space(struct soft_thread *t)
{
	return SIZE_MAX;
}

/*
 * A record of CPU mode pauses once this CPU no longer traces its user
 * code (STOP came while it ran); thread mode's records go by the
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
		on = emu_traces(this_cpu_ptr(&emu_ptm), current);
		local_irq_restore(flags);
	}
	rcu_read_unlock();
	return on;
}

static const struct soft_step_ops emu_step_ops = {
	.lookup = emu_lookup,
	.write = emu_write,
	.space = emu_space,
	.active = emu_active,
};

/* What this CPU's RTIT MSRs ask of the encoder. */
static void emu_soft_config(const struct ptm *m, struct pt_soft_config *cfg)
{
	const struct pt_cpuid *id = &emu_cpu->id;
	u32 n;

	memset(cfg, 0, sizeof(*cfg));
	if (!(m->ctl & PT_CTL_DISRETC))
		cfg->flags |= PT_SOFT_RET_COMPRESSION;
	if (m->ctl & PT_CTL_TSCEN)
		cfg->flags |= PT_SOFT_TSC;
	/* PSBFreq: 2K << n bytes where enumerated (CPUID.(14H,0):EBX[1]). */
	if (id->leaf14[0][1] & (1u << 1))
		cfg->psb_period = 2048u << ((m->ctl >> PT_CTL_PSBFREQ_SHIFT) &
					     0xf);
	for (n = 0; n < PT_SOFT_MAX_RANGES; n++) {
		u32 type = (m->ctl >> PT_CTL_ADDR_SHIFT(n)) & 0xf;

		if (type == 1) {
			cfg->ranges[cfg->nranges].start = m->addr[2 * n];
			cfg->ranges[cfg->nranges].end = m->addr[2 * n + 1];
			cfg->nranges++;
		} else if (type == 2) {
			/* TraceStop (33.2.4.3) */
			cfg->stops[cfg->nstops].start = m->addr[2 * n];
			cfg->stops[cfg->nstops].end = m->addr[2 * n + 1];
			cfg->nstops++;
		}
	}
	if (!(m->ctl & PT_CTL_BRANCHEN) ||
	    (m->ctl & (PT_CTL_MTCEN | PT_CTL_CYCEN | PT_CTL_PTWEN |
		       PT_CTL_PWREVTEN | PT_CTL_OS)))
		atomic64_inc(&emu_unsupported);
}

/* In the thread, process context, tracing enabled on this CPU. */
static void emu_thread_attach(struct hwt_thread *thr)
{
	struct pt_soft_config cfg;
	struct soft_thread *t;

	if (hwt_thread_hw_priv(thr))
		return;
	preempt_disable();
	emu_soft_config(this_cpu_ptr(&emu_ptm), &cfg);
	preempt_enable();
	if (pt_soft_config_check(&cfg)) {
		atomic64_inc(&emu_unsupported);
		return;
	}
	t = soft_thread_new(&cfg, thr);
	if (!t)
		return;
	/* The unit wrote PSB+ (or not) at the enable: TIP.PGE follows. */
	t->pge_start = emu_enable_packets();
	hwt_thread_set_hw_priv(thr, t);
	soft_thread_arm(t);
}

/*
 * CPU mode: the stepper's record of task, made on first use (SOFT_GFP_SCHED:
 * IRQs off, possibly under the runqueue lock).  Returns the record, or
 * NULL if there is no memory or task is not a 64-bit user task.
 */
static struct soft_task *emu_task_get(struct task_struct *task,
				      const struct pt_soft_config *cfg)
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
	e->t->pge_start = emu_enable_packets();
	soft_task_insert(e, task, e->t);
	atomic64_inc(&emu_cpu_tasks);
	return e;
}

/*
 * CPU mode: step task's user code from its next return to user mode, if
 * this CPU's MSRs trace it (task is next at a switch, or current; IRQs
 * off).  A task being stepped already is left alone unless switched_in
 * (its stepping then resumes afresh).
 */
static void emu_step_task(struct task_struct *task, bool switched_in)
{
	const struct ptm *m = this_cpu_ptr(&emu_ptm);
	struct pt_soft_config cfg;
	struct soft_task *e;

	if (!emu_traces(m, task))
		return;
	emu_soft_config(m, &cfg);
	if (pt_soft_config_check(&cfg)) {
		atomic64_inc(&emu_unsupported);
		return;
	}
	e = emu_task_get(task, &cfg);
	if (e && (switched_in || !soft_thread_started(e->t)))
		soft_thread_resume(e->t, task, &cfg);
}

/*
 * CPU mode, a context switch on this CPU while it traces (current is
 * prev; IRQs off, runqueue lock held).  A real unit wrote prev's last
 * user packets (TIP.PGD) when prev entered the kernel; the stepper
 * writes them now, and pauses.  If the CPU traces next's user code,
 * next is stepped from its return to user mode on, starting as a real
 * unit does there: MODE.Exec and TIP.PGE (with the full IP: the
 * stepper's encoder is per task and does not know the CPU stream's last
 * IP), after whatever the backend's drain that follows makes the unit
 * write at its TraceEn enable -- a PSB+ without FUP only if the driver
 * wrote PacketByteCnt 0 (33.2.8.3), which is what lets a decoder start
 * each run on its own.  (Without CPUID.(14H,0):EBX[1], see
 * emu_enable_packets: a PSB+ with FUP of the stepper's own.)
 */
static void emu_cpu_switch(struct task_struct *prev, struct task_struct *next)
{
	struct soft_task *e = soft_task_find(prev);

	if (e)
		soft_thread_pause(e->t);
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
 * CPU mode: START's IPI just set TraceEn here (IRQs off).  Hardware
 * traces the interrupted task (current) from this instant (33.2.8.2:
 * packet generation follows TraceEn and the CPL/CR3 filters, not
 * context switches), but no switch will hand it to emu_cpu_switch until
 * it next leaves the CPU: a task that was running user code here would
 * go untraced until then.  So current gets a task_work that starts
 * stepping it where it next returns to user mode (the stepper's record
 * is only ever touched by its own task or by the scheduler while it is
 * not running, never from an interrupt).
 */
static void emu_cpu_start(void)
{
	struct emu_start_work *w;

	/* A TraceStop's Stopped is this session's from here (33.2.4.3). */
	this_cpu_ptr(&emu_ptm)->hold_stop = 1;
	if (!emu_traces(this_cpu_ptr(&emu_ptm), current))
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

/*
 * CPU mode: STOP's IPI disabled tracing here (IRQs off): the session on
 * this CPU is over, and so is its hold on a TraceStop's Stopped (the
 * next START or thread switch-in writes its own STATUS).
 */
static void emu_cpu_stop(void)
{
	this_cpu_ptr(&emu_ptm)->hold_stop = 0;
}

/* A task exits: its CPU-mode record ends (current is the task). */
static void emu_probe_exit(void *data, struct task_struct *task)
{
	struct soft_task *e = soft_task_unhash_current();
	struct ptm *m;

	if (!e)
		return;
	/*
	 * A live record's last packets go to this CPU's stream, if the unit
	 * here still traces user code (the mm is gone by now: no CR3 test);
	 * after STOP or a TraceStop nothing is written (a task that was in
	 * the kernel when tracing ended exits without a step that would
	 * have paused it).
	 */
	m = this_cpu_ptr(&emu_ptm);
	if (!(m->ctl & PT_CTL_TRACEEN) || !(m->ctl & PT_CTL_USER) ||
	    emu_stopped(m))
		soft_thread_drop(e->t);
	soft_thread_exit(e->t);
	soft_task_release(e);
}

/*
 * Every context switch (IRQs off, runqueue lock held; current is prev).
 * hwt_intel_pt calls cpu_switch only while its context runs, so a task
 * that was in the kernel when STOP cleared TraceEn, and then sleeps
 * there, would keep TF in its saved RFLAGS into a return to user mode
 * that may come after this module is gone: a SIGTRAP nobody consumes.
 * Leaving a CPU without TraceEn, its run ends here, without output (the
 * unit is off).
 */
static void emu_probe_switch(void *data, bool preempt,
			     struct task_struct *prev,
			     struct task_struct *next, unsigned int prev_state)
{
	if (!(this_cpu_ptr(&emu_ptm)->ctl & PT_CTL_TRACEEN))
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

/*
 * What perf's NMI handler does on hardware, first in the chain: it
 * acknowledges IA32_PERF_GLOBAL_STATUS bit 55 (Trace_ToPA_PMI, cleared
 * through GLOBAL_STATUS_RESET) before any later handler looks.  It does
 * not claim the NMI: hwt_intel_pt must recognise its PMI without the
 * bit, or the kernel reports an unknown NMI.
 * Returns NMI_DONE.
 */
static int emu_perf_ack(unsigned int cmd, struct pt_regs *regs)
{
	struct ptm *m = this_cpu_ptr(&emu_ptm);

	if (m->global_status & PT_GLOBAL_STATUS_TOPA_PMI) {
		m->global_status &= ~PT_GLOBAL_STATUS_TOPA_PMI;
		atomic64_inc(&emu_pmi_acked);
	}
	return NMI_DONE;
}

const struct pt_hw_ops hwt_pt_emu_hw_ops = {
	.name = "hwt_pt_emu (emulated)",
	.cpuid = emu_cpuid,
	.read_msr = emu_read_msr,
	.write_msr = emu_write_msr,
	.thread_attach = emu_thread_attach,
	.thread_detach = emu_thread_detach,
	.cpu_switch = emu_cpu_switch,
	.cpu_start = emu_cpu_start,
	.cpu_stop = emu_cpu_stop,
};
EXPORT_SYMBOL_GPL(hwt_pt_emu_hw_ops);

/* Read-only counters, summed over CPUs, for the tests. */
enum {
	EMU_REFUSED, EMU_OP_ERRORS, EMU_PMI, EMU_STORED, EMU_DROPPED,
	EMU_UNSUPPORTED, EMU_REENTERED, EMU_PMI_ACKED, EMU_INJECTED,
	EMU_CPU_TASKS,
};

static int emu_get_counter(char *buf, const struct kernel_param *kp)
{
	long which = (long)kp->arg;
	u64 sum = 0;
	int c;

	if (which == EMU_DROPPED)
		sum = atomic64_read(&emu_dropped);
	else if (which == EMU_UNSUPPORTED)
		sum = atomic64_read(&emu_unsupported);
	else if (which == EMU_REENTERED)
		sum = atomic64_read(&emu_reentered);
	else if (which == EMU_PMI_ACKED)
		sum = atomic64_read(&emu_pmi_acked);
	else if (which == EMU_INJECTED)
		sum = atomic64_read(&emu_injected);
	else if (which == EMU_CPU_TASKS)
		sum = atomic64_read(&emu_cpu_tasks);
	else
		for_each_possible_cpu(c) {
			const struct ptm *m = per_cpu_ptr(&emu_ptm, c);

			sum += which == EMU_REFUSED ? m->gp :
			       which == EMU_OP_ERRORS ? m->op_errors :
			       which == EMU_PMI ? m->pmi : m->stored;
		}
	return sysfs_emit(buf, "%llu\n", sum);
}

static const struct kernel_param_ops emu_counter_ops = {
	.get = emu_get_counter,
};

#define EMU_COUNTER(name, which, desc)					\
	module_param_cb(name, &emu_counter_ops, (void *)(long)(which), 0444); \
	MODULE_PARM_DESC(name, desc)

EMU_COUNTER(refused, EMU_REFUSED, "MSR accesses refused (#GP on hardware)");
EMU_COUNTER(op_errors, EMU_OP_ERRORS, "ToPA/output operational errors");
EMU_COUNTER(pmi, EMU_PMI, "ToPA PMIs raised (NMI to the CPU)");
EMU_COUNTER(pmi_acked, EMU_PMI_ACKED,
	    "GLOBAL_STATUS bit 55 acknowledged first, as perf would");
EMU_COUNTER(reentered, EMU_REENTERED,
	    "MSR accesses refused because they interleaved an emit");
EMU_COUNTER(stored, EMU_STORED, "packet bytes stored through ToPA");
EMU_COUNTER(dropped, EMU_DROPPED,
	    "packet bytes of user code run while generation was off");
EMU_COUNTER(unsupported, EMU_UNSUPPORTED,
	    "configs asking for what the emulation does not produce");

EMU_COUNTER(injected, EMU_INJECTED, "operational errors injected");
EMU_COUNTER(cpu_tasks, EMU_CPU_TASKS,
	    "CPU mode: tasks whose user code the unit started to step");

static int emu_set_inject(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (!ret)
		atomic_set(&emu_inject, on);
	return ret;
}

static int emu_get_inject(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&emu_inject));
}

static const struct kernel_param_ops emu_inject_ops = {
	.set = emu_set_inject,
	.get = emu_get_inject,
};
module_param_cb(inject_error, &emu_inject_ops, NULL, 0644);
MODULE_PARM_DESC(inject_error,
		 "1: the next packets written hit an operational error");

/* Another agent (perf) holding the unit on some CPUs. */
static unsigned long busy_cpus;

static void emu_set_busy(void *arg)
{
	struct ptm *m = this_cpu_ptr(&emu_ptm);

	if (test_bit(smp_processor_id(), &busy_cpus))
		m->ctl |= PT_CTL_TRACEEN | PT_CTL_USER | PT_CTL_BRANCHEN;
	else if (m->ctl == (PT_CTL_TRACEEN | PT_CTL_USER | PT_CTL_BRANCHEN))
		m->ctl = 0;
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
MODULE_PARM_DESC(busy_cpus, "CPUs whose TraceEn reads as set (held by perf)");

static int __init hwt_pt_emu_init(void)
{
	size_t i;
	int c, ret;

	for (i = 0; i < ARRAY_SIZE(pt_cpus); i++)
		if (!strcmp(pt_cpus[i].name, cpu))
			emu_cpu = &pt_cpus[i];
	if (!emu_cpu) {
		pr_info("no CPU \"%s\" in the table\n", cpu);
		return -EINVAL;
	}
	for_each_possible_cpu(c) {
		struct ptm *m = per_cpu_ptr(&emu_ptm, c);

		ptm_init(m, &emu_cpu->id, &emu_mem);
		m->psb_plus = emu_enable_packets();
	}
	ret = register_nmi_handler(NMI_LOCAL, emu_perf_ack, NMI_FLAG_FIRST,
				   "hwt_pt_emu_ack");
	if (ret)
		return ret;
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
	pr_info("emulating Intel PT of %s\n", emu_cpu->name);
	return 0;
fail_switch:
	hwt_tracepoint_detach("sched_switch", emu_probe_switch, NULL);
fail_exit:
	hwt_tracepoint_detach("sched_process_exit", emu_probe_exit, NULL);
	tracepoint_synchronize_unregister();
fail:
	unregister_nmi_handler(NMI_LOCAL, "hwt_pt_emu_ack");
	return ret;
}

static void __exit hwt_pt_emu_exit(void)
{
	soft_tasks_quiesce();
	hwt_tracepoint_detach("sched_switch", emu_probe_switch, NULL);
	hwt_tracepoint_detach("sched_process_exit", emu_probe_exit, NULL);
	tracepoint_synchronize_unregister();
	soft_tasks_free();
	soft_step_exit();
	unregister_nmi_handler(NMI_LOCAL, "hwt_pt_emu_ack");
}

module_init(hwt_pt_emu_init);
module_exit(hwt_pt_emu_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt: emulated Intel PT trace unit (tests)");
