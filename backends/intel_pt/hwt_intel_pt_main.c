// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_intel_pt: the Intel PT backend's kernel glue, thread mode.
 *
 * At load: CPUID through the backend's ops table (struct pt_hw_ops, see
 * pt_hw.h: the hardware, or the emulated unit hwt_pt_emu when it is
 * loaded first), -ENODEV without usable Intel PT.  SET_CONFIG is checked
 * against this CPU's capabilities by the pure pt_config code.
 *
 * Thread mode (SDM Vol. 3C chapter 33; docs/intel-pt.md has the table):
 *  - START: any CPU whose RTIT_CTL.TraceEn is already set (perf's
 *    intel_pt holds the unit) -> -EBUSY, nothing written (33.3.3);
 *  - thread_start (in the thread): a ToPA over the hwt buffer's pages,
 *    one 4 KiB entry per page, END closing the ring (33.2.7.2), no INT
 *    (no PMI handling yet), then the start sequence;
 *  - start / switch_in: with TraceEn clear, STATUS, OUTPUT_BASE,
 *    OUTPUT_MASK_PTRS (from the thread's byte offset), CR3_MATCH,
 *    ADDRn_A/B, then RTIT_CTL with TraceEn last (33.2.8.1, 33.3.3,
 *    33.3.7.1), from pt_seq_start();
 *  - switch_out / stop: RTIT_CTL with TraceEn clear first (packets are
 *    flushed to memory once TraceEn is clear, 33.2.8.3, 33.3.4), then
 *    STATUS, OUTPUT_BASE, OUTPUT_MASK_PTRS read back (33.2.8.4, 33.2.8.7,
 *    33.2.8.8); the pointer is mapped to a byte offset (pt_topa_offset)
 *    and the framework's head moves there (pt_pos_advance): the trace
 *    continues on whichever CPU the thread runs next.
 *
 * Per-thread state is only touched by the thread itself or by the
 * scheduler hooks of its own switches (IRQs off), never concurrently.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

#include "hwt_backend.h"
#include "pt_caps.h"
#include "pt_config.h"
#include "pt_describe.h"
#include "pt_hw.h"
#include "pt_topa.h"

static void pt_native_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	cpuid_count(leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
}

static int pt_native_rdmsr(u32 msr, u64 *val)
{
	return rdmsrl_safe(msr, val) ? -EIO : 0;
}

static int pt_native_wrmsr(u32 msr, u64 val)
{
	return wrmsrl_safe(msr, val) ? -EIO : 0;
}

static const struct pt_hw_ops pt_native_ops = {
	.name = "hardware",
	.cpuid = pt_native_cpuid,
	.read_msr = pt_native_rdmsr,
	.write_msr = pt_native_wrmsr,
};

static const struct pt_hw_ops *pt_hw = &pt_native_ops;
static bool pt_hw_emulated;
static struct pt_cpuid pt_id;
static struct pt_caps pt_caps;

/* The raw CPUID pt_caps_parse() reads (SDM Vol. 3C 33.3.1). */
static void pt_read_cpuid(struct pt_cpuid *id)
{
	u32 r[4];

	memset(id, 0, sizeof(*id));
	pt_hw->cpuid(0, 0, r);
	id->max_leaf = r[0];
	if (id->max_leaf >= 1) {
		pt_hw->cpuid(1, 0, r);
		id->leaf1_eax = r[0];
	}
	if (id->max_leaf >= 7) {
		pt_hw->cpuid(7, 0, r);
		id->leaf7_ebx = r[1];
	}
	if (id->max_leaf >= 0x14) {
		pt_hw->cpuid(0x14, 0, id->leaf14[0]);
		if (id->leaf14[0][0] >= 1)
			pt_hw->cpuid(0x14, 1, id->leaf14[1]);
	}
	if (id->max_leaf >= 0x15)
		pt_hw->cpuid(0x15, 0, id->leaf15);
	pt_hw->cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000008) {
		pt_hw->cpuid(0x80000008, 0, r);
		id->ext8_eax = r[0];
	}
}

struct pt_ctx {
	struct hwt_intel_pt_config cfg;
};

/* Bits of RTIT_STATUS carried from a switch-out to the next switch-in. */
#define PT_STATUS_KEEP	((0x1ffffull << PT_STATUS_BYTECNT_SHIFT) | \
			 PT_STATUS_PENDPSB | PT_STATUS_PENDTOPAPMI)

/* One traced thread: its ToPA over the buffer and where output stands. */
struct pt_thr {
	struct llist_node free_link;
	struct hwt_thread *thr;
	struct hwt_buffer *buf;
	struct pt_msrs regs;		/* RTIT_CTL with TraceEn clear, ... */
	struct pt_topa topa;
	struct pt_chunk *chunks;	/* one per buffer page */
	u64 *start;
	u64 **tables;			/* ToPA table pages */
	u64 *tables_phys;
	u32 ntables;
	u64 size;
	u64 status;			/* saved at switch-out (PT_STATUS_KEEP) */
	u64 off;			/* byte offset the unit writes next */
	u64 pos;			/* absolute position (framework head) */
	int cpu;			/* TraceEn set by us there, or -1 */
	bool on;			/* between thread_start and stop/exit */
	u32 busy;			/* switch-ins that found PT taken */
	u32 errors;			/* refused MSR accesses, Error status */
};

static void pt_thr_free(struct pt_thr *pt)
{
	u32 i;

	for (i = 0; pt->tables && i < pt->ntables; i++)
		if (pt->tables[i])
			free_page((unsigned long)pt->tables[i]);
	kvfree(pt->tables);
	kvfree(pt->tables_phys);
	kvfree(pt->chunks);
	kvfree(pt->start);
	kfree(pt);
}

/* thread_exit is atomic: kvfree() may sleep, so free from a work item. */
static LLIST_HEAD(pt_free_list);

static void pt_free_fn(struct work_struct *w)
{
	struct llist_node *n = llist_del_all(&pt_free_list);
	struct pt_thr *pt, *tmp;

	llist_for_each_entry_safe(pt, tmp, n, free_link)
		pt_thr_free(pt);
}

static DECLARE_WORK(pt_free_work, pt_free_fn);

/*
 * The ToPA of a thread: one 4 KiB output entry per page of its hwt buffer
 * (vmalloc_user: pages are scattered, 4 KiB is the contiguous unit), END
 * entries chaining the tables and closing the ring (33.2.7.2).  No INT:
 * ring mode needs none, and streaming mode drains at every switch-out
 * (no PMI handler yet).
 */
static int pt_thr_build(struct pt_thr *pt)
{
	u32 n = pt->size >> PAGE_SHIFT, i;
	int ret;

	pt->chunks = kvcalloc(n, sizeof(*pt->chunks), GFP_KERNEL);
	pt->start = kvcalloc(n, sizeof(*pt->start), GFP_KERNEL);
	pt->ntables = pt_topa_tables_needed(&pt_caps, n);
	pt->tables = kvcalloc(pt->ntables, sizeof(*pt->tables), GFP_KERNEL);
	pt->tables_phys = kvcalloc(pt->ntables, sizeof(*pt->tables_phys),
				   GFP_KERNEL);
	if (!pt->chunks || !pt->start || !pt->tables || !pt->tables_phys)
		return -ENOMEM;
	for (i = 0; i < pt->ntables; i++) {
		pt->tables[i] = (u64 *)get_zeroed_page(GFP_KERNEL);
		if (!pt->tables[i])
			return -ENOMEM;
		pt->tables_phys[i] = virt_to_phys(pt->tables[i]);
	}
	for (i = 0; i < n; i++) {
		struct page *pg = hwt_buffer_page(pt->buf, i);

		if (!pg)
			return -EINVAL;
		pt->chunks[i].phys = page_to_phys(pg);
		pt->chunks[i].order = 0;
	}
	pt_topa_set_int(pt->chunks, n, 0);
	ret = pt_topa_build(&pt->topa, &pt_caps, pt->chunks, n, pt->tables,
			    pt->tables_phys, pt->ntables, pt->start);
	return pt_errno(ret);
}

/* The CR3 of the thread's address space as user mode runs with it. */
static u64 pt_user_cr3(void)
{
	/* Without PCID bits (a PCID CPU needs them: docs/intel-pt.md). */
	return current->mm ? __pa(current->mm->pgd) : 0;
}

/*
 * Enable tracing of the thread on this CPU: the start sequence with
 * TraceEn written last (33.2.8.1, 33.3.3, 33.3.7.1).  IRQs or preemption
 * off.  TraceEn already set means another user (perf) holds the unit:
 * nothing is written (33.3.3).
 */
static void pt_load(struct pt_thr *pt)
{
	struct pt_wrmsr seq[PT_SEQ_MAX];
	struct pt_output out;
	u64 ctl;
	int i, n;

	if (pt->cpu >= 0)
		return;
	if (pt_hw->read_msr(PT_MSR_CTL, &ctl)) {
		pt->errors++;
		return;
	}
	if (ctl & PT_CTL_TRACEEN) {
		pt->busy++;
		return;
	}
	if (pt_topa_output(&pt->topa, pt->off, &out)) {
		pt->errors++;
		return;
	}
	n = pt_seq_start(&pt->regs, &out, pt->status, seq);
	for (i = 0; i < n; i++) {
		if (pt_hw->write_msr(seq[i].msr, seq[i].val)) {
			pt->errors++;
			pr_warn_ratelimited("wrmsr %#x = %#llx refused\n",
					    seq[i].msr, seq[i].val);
			return;	/* TraceEn (written last) stays clear */
		}
	}
	pt->cpu = smp_processor_id();
}

/*
 * Disable tracing on this CPU and take the output position back: TraceEn
 * clear first (the unit flushes its buffered packets, after which the
 * output MSRs are stable: 33.2.8.3 "Disabling Packet Generation", 33.3.4
 * "Flushing Trace Output", 33.3.7.1), then STATUS (Error, Stopped: 33.2.8.4
 * and 33.3.3 "Disabling Packet Generation") and the output pointers
 * (33.2.8.7, 33.2.8.8).  IRQs or preemption off.
 */
static void pt_unload(struct pt_thr *pt)
{
	u64 status = 0, base = 0, mask = 0, off;

	if (pt->cpu < 0)
		return;
	WARN_ON_ONCE(pt->cpu != smp_processor_id());
	pt->cpu = -1;
	if (pt_hw->write_msr(PT_MSR_CTL, pt->regs.ctl) ||
	    pt_hw->read_msr(PT_MSR_STATUS, &status) ||
	    pt_hw->read_msr(PT_MSR_OUTPUT_BASE, &base) ||
	    pt_hw->read_msr(PT_MSR_OUTPUT_MASK, &mask)) {
		pt->errors++;
		return;
	}
	if (status & PT_STATUS_ERROR) {
		/* An operational error (33.2.7.2 "ToPA Errors"). */
		pt->errors++;
		pr_warn_ratelimited("RTIT_STATUS %#llx: output error\n", status);
	}
	pt->status = status & PT_STATUS_KEEP;
	if (pt_topa_offset(&pt->topa, base, mask, &off)) {
		pt->errors++;
		return;
	}
	pt->pos = pt_pos_advance(pt->size, pt->pos, off);
	pt->off = off;
	hwt_buffer_produced(pt->buf, pt->pos);
}

static struct pt_thr *pt_thr_of(struct hwt_thread *thr)
{
	struct pt_thr *pt = hwt_thread_priv(thr);

	return pt && pt->on ? pt : NULL;
}

static void pt_switch_in(struct hwt_context *ctx, struct hwt_thread *thr,
			 int cpu)
{
	struct pt_thr *pt = pt_thr_of(thr);

	lockdep_assert_irqs_disabled();
	if (pt)
		pt_load(pt);
}

static void pt_switch_out(struct hwt_context *ctx, struct hwt_thread *thr,
			  int cpu)
{
	struct pt_thr *pt = pt_thr_of(thr);

	lockdep_assert_irqs_disabled();
	if (pt)
		pt_unload(pt);
}

static int pt_init(struct hwt_context *ctx)
{
	struct pt_ctx *pc = kzalloc(sizeof(*pc), GFP_KERNEL);

	if (!pc)
		return -ENOMEM;
	pt_config_default(&pc->cfg);
	hwt_context_set_priv(ctx, pc);
	return 0;
}

static void pt_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

/* Thread mode only for now: kernel tracing is refused (EINVAL). */
static int pt_configure(struct hwt_context *ctx, u32 version,
			const void *data, u32 size)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct hwt_intel_pt_config cfg;
	int ret;

	ret = pt_config_parse(&pt_caps, version, data, size, PT_MODE_THREAD,
			      &cfg);
	if (ret)
		return pt_errno(ret);
	pc->cfg = cfg;
	return 0;
}

/* HWT_IOC_DESCRIBE: the CPU and the filters libipt decodes with. */
static int pt_describe_ctx(struct hwt_context *ctx, char *buf, size_t len)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	int n = pt_describe(&pt_id, &pc->cfg, buf, len);

	return n < 0 ? pt_errno(n) : n;
}

static void pt_busy_cpu(void *arg)
{
	atomic_t *busy = arg;
	u64 ctl;

	if (pt_hw->read_msr(PT_MSR_CTL, &ctl) || (ctl & PT_CTL_TRACEEN))
		atomic_inc(busy);
}

/*
 * The unit must be free on every CPU the thread may run on: TraceEn set
 * somewhere (perf's intel_pt) -> -EBUSY, nothing written (33.3.3).  ToPA
 * output only: the buffer is 4 KiB pages, so more than one page needs
 * multi-entry ToPA (CPUID.(14H,0):ECX[1]).
 */
static int pt_start(struct hwt_context *ctx)
{
	atomic_t busy = ATOMIC_INIT(0);

	if (!pt_caps.topa ||
	    (!pt_caps.topa_multi && hwt_context_bufsize(ctx) > PAGE_SIZE))
		return -EOPNOTSUPP;
	on_each_cpu(pt_busy_cpu, &busy, 1);
	return atomic_read(&busy) ? -EBUSY : 0;
}

/* In the traced thread (task_work), process context. */
static void pt_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct pt_thr *pt;
	u64 off;
	int ret;

	if (hwt_thread_priv(thr) || !hwt_thread_buffer(thr))
		return;
	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return;
	pt->thr = thr;
	pt->buf = hwt_thread_buffer(thr);
	pt->size = hwt_buffer_size(pt->buf);
	pt->cpu = -1;
	ret = pt_thr_build(pt);
	if (!ret)
		ret = pt_errno(pt_config_regs(&pt_caps, &pc->cfg,
					      PT_MODE_THREAD, 1,
					      pt_user_cr3(), &pt->regs));
	if (ret) {
		pr_info_ratelimited("tid %d not traced (%d)\n",
				    task_pid_nr(current), ret);
		pt_thr_free(pt);
		return;
	}
	pt->pos = hwt_buffer_head(pt->buf);
	off = pt->pos;
	pt->off = do_div(off, (u32)pt->size);
	hwt_thread_set_priv(thr, pt);
	/* The hooks of this thread's switches act from here on. */
	preempt_disable();
	pt->on = true;
	pt_load(pt);
	preempt_enable();
	if (pt_hw->thread_attach)
		pt_hw->thread_attach(thr);
}

/* Tracing of the thread ends for good (stop, or its exit: atomic). */
static void pt_thread_end(struct hwt_thread *thr, bool exiting)
{
	struct pt_thr *pt = hwt_thread_priv(thr);

	if (!pt)
		return;
	/* A software unit flushes what it still holds while TraceEn is on. */
	if (pt_hw->thread_detach)
		pt_hw->thread_detach(thr, exiting);
	preempt_disable();
	pt_unload(pt);
	pt->on = false;
	preempt_enable();
	hwt_thread_set_priv(thr, NULL);
	if (pt->busy || pt->errors)
		pr_info_ratelimited("tid %d: %u switch-ins found PT in use, %u MSR or output errors\n",
				    task_pid_nr(current), pt->busy, pt->errors);
	if (exiting) {
		llist_add(&pt->free_link, &pt_free_list);
		schedule_work(&pt_free_work);
	} else {
		pt_thr_free(pt);
	}
}

static void pt_thread_stop(struct hwt_context *ctx, struct hwt_thread *thr)
{
	pt_thread_end(thr, false);
}

static void pt_thread_exit(struct hwt_context *ctx, struct hwt_thread *thr)
{
	pt_thread_end(thr, true);
}

static const struct hwt_backend_ops pt_ops = {
	.init = pt_init,
	.deinit = pt_deinit,
	.configure = pt_configure,
	.describe = pt_describe_ctx,
	.start = pt_start,
	.thread_start = pt_thread_start,
	.thread_stop = pt_thread_stop,
	.thread_exit = pt_thread_exit,
	.switch_in = pt_switch_in,
	.switch_out = pt_switch_out,
};

static struct hwt_backend pt_backend = {
	.name = HWT_INTEL_PT_BACKEND_NAME,
	.owner = THIS_MODULE,
	.ops = &pt_ops,
	.modes = HWT_BACKEND_THREAD,
};

static int __init hwt_intel_pt_init(void)
{
	int ret;

	/* The emulated unit, if it is loaded (docs/intel-pt.md). */
	const struct pt_hw_ops *emu = symbol_get(hwt_pt_emu_hw_ops);

	if (emu) {
		pt_hw = emu;
		pt_hw_emulated = true;
	}
	pt_read_cpuid(&pt_id);
	ret = pt_errno(pt_caps_parse(&pt_id, &pt_caps));
	if (ret) {
		pr_info("no usable Intel PT on this CPU (CPUID.(EAX=7,ECX=0):EBX[25]=%u, CPUID.(EAX=14H,ECX=0):ECX=%#x): not loading\n",
			!!(pt_id.leaf7_ebx & PT_CPUID7_EBX_PT),
			pt_id.max_leaf >= 0x14 ? pt_id.leaf14[0][2] : 0);
		goto fail;
	}
	pt_backend.max_ranges = pt_caps.max_ranges;
	ret = hwt_backend_register(&pt_backend);
	if (ret)
		goto fail;
	if (pt_hw_emulated)
		pr_info("using the trace unit of %s\n", pt_hw->name);
	return 0;
fail:
	if (pt_hw_emulated)
		symbol_put(hwt_pt_emu_hw_ops);
	return ret;
}

static void __exit hwt_intel_pt_exit(void)
{
	hwt_backend_unregister(&pt_backend);
	flush_work(&pt_free_work);
	if (pt_hw_emulated)
		symbol_put(hwt_pt_emu_hw_ops);
}

module_init(hwt_intel_pt_init);
module_exit(hwt_intel_pt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt Intel PT backend (thread mode)");
