// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_intel_pt: the Intel PT backend's kernel glue, thread and CPU mode.
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
 *    one 4 KiB entry per page, END closing the ring (33.2.7.2), INT
 *    where each quarter ends in streaming mode, then the start sequence;
 *  - start / switch_in: with TraceEn clear, STATUS, OUTPUT_BASE,
 *    OUTPUT_MASK_PTRS (from the thread's byte offset), CR3_MATCH,
 *    ADDRn_A/B, then RTIT_CTL with TraceEn last (33.2.8.1, 33.3.3,
 *    33.3.7.1), from pt_seq_start();
 *  - switch_out / stop: RTIT_CTL with TraceEn clear first (packets are
 *    flushed to memory once TraceEn is clear, 33.2.8.3, 33.3.4), then
 *    STATUS, OUTPUT_BASE, OUTPUT_MASK_PTRS read back (33.2.8.4, 33.2.8.7,
 *    33.2.8.8); the pointer is mapped to a byte offset (pt_topa_offset)
 *    and the framework's head moves there (pt_pos_advance): the trace
 *    continues on whichever CPU the thread runs next;
 *  - ToPA PMI (an NMI, 33.2.7.2 "ToPA PMI"): an NMI_LOCAL handler that
 *    does not rely on IA32_PERF_GLOBAL_STATUS bit 55 (perf's handler may
 *    have acknowledged it) but on this CPU's own state: the output
 *    crossed an INT entry since the last drain.  It drains (TraceEn off,
 *    read, on) and defers the head's move and the wakeup to irq_work;
 *    a per-CPU hrtimer polls as a backstop (poll_ms).
 *
 * CPU mode (a buffer per CPU):
 *  - START: the same TraceEn check, then an output over each CPU's
 *    buffer and, by IPI on that CPU, the start sequence; tracing stays
 *    on across context switches (User/OS and CR3Filter decide what is
 *    traced); KERNEL needs CAP_PERFMON or CAP_SYS_ADMIN (SET_CONFIG);
 *  - cpu_switch: a drain (TraceEn clear, pointers read, TraceEn set)
 *    that publishes the head between the framework's SWITCH_OUT and
 *    SWITCH_IN records, so SWITCH_IN's buf_head is the exact byte where
 *    the next task's part of the stream begins;
 *  - STOP: by IPI, TraceEn clear and the last head published.
 *
 * Per-thread state is only touched by the thread itself or by the
 * scheduler hooks of its own switches (IRQs off), never concurrently;
 * per-CPU state only on its CPU (IPI, scheduler hook, PMI, poll).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/nmi.h>
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

/* One per context; the output structs come after struct pt_thr. */
struct pt_thr;

struct pt_ctx {
	struct hwt_intel_pt_config cfg;
	/* CPU mode, from START: each traced CPU's output, else NULL. */
	struct pt_thr **cpu;
};

/* Error/Stopped episodes after which a thread is no longer traced. */
#define PT_MAX_STOPS	8

/*
 * Streaming mode: INT where each 1/PT_INT_PARTS of the buffer ends: the
 * reader is woken (the framework's poll says data at a quarter) with
 * three quarters of the buffer left before the unit overwrites.
 */
#define PT_INT_PARTS	4

/* Bits of RTIT_STATUS carried from a switch-out to the next switch-in. */
#define PT_STATUS_KEEP	((0x1ffffull << PT_STATUS_BYTECNT_SHIFT) | \
			 PT_STATUS_PENDPSB | PT_STATUS_PENDTOPAPMI)

/*
 * One traced thread (thread mode) or one traced CPU (CPU mode, thr
 * NULL): its ToPA over the buffer and where output stands.
 */
struct pt_thr {
	struct llist_node free_link;
	struct irq_work publish;	/* from the PMI handler (NMI) */
	struct hwt_thread *thr;
	struct hwt_context *ctx;
	struct hwt_buffer *buf;
	struct pt_msrs regs;		/* RTIT_CTL with TraceEn clear, ... */
	struct pt_topa topa;
	bool single;			/* single-range output (no ToPA) */
	u64 single_phys;		/* its region: the buffer's one page */
	struct pt_chunk *chunks;	/* ToPA regions (up to one per page) */
	u64 *start;
	u64 **tables;			/* ToPA table pages */
	u64 *tables_phys;
	u32 ntables;
	u64 size;
	u64 status;			/* saved at switch-out (PT_STATUS_KEEP) */
	u64 off;			/* byte offset the unit writes next */
	u64 pos;			/* absolute position (framework head) */
	bool streaming;			/* INT entries, PMI and poll */
	bool tracestop;			/* the config has TraceStop ranges */
	int cpu;			/* TraceEn set by us there, or -1 */
	bool on;			/* between thread_start and stop/exit */
	bool gap;			/* unit stopped (Error): record pending */
	u32 stops;			/* such episodes (PT_MAX_STOPS, then off) */
	u32 busy;			/* switch-ins that found PT taken */
	bool untraced;			/* a load failed: gap recorded */
	u32 errors;			/* refused MSR accesses, Error status */
};

static void pt_thr_free(struct pt_thr *pt)
{
	u32 i;

	/* A PMI's publish may still be queued on the CPU it came on. */
	irq_work_sync(&pt->publish);
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
 * The output of a thread or CPU over its hwt buffer's pages.  ToPA
 * (33.2.7.2): the fewest chunks of 4K << n bytes the pages allow
 * (pt_topa_chunks: a physically contiguous buffer, HWT_BACKEND_CONTIG,
 * gives a few large regions; vmalloc_user pages one 4 KiB entry each),
 * END entries chaining the tables and closing the ring.  Streaming mode:
 * no region crosses a quarter of the buffer, and INT on the regions
 * where each quarter ends (a ToPA PMI when such a region fills, 33.2.7.2
 * "ToPA PMI"), so the reader is woken while most of the buffer is still
 * free; ring mode: no INT.  Without multi-entry ToPA the buffer must be
 * one region.  Without ToPA, single-range output (33.2.7.1): the whole
 * buffer as one region of 2^n bytes aligned to its size (a contiguous
 * buffer); no INT, so no PMI: the poll and switch-out drain.
 * Returns 0; -EOPNOTSUPP if the pages do not make the one region the CPU
 * needs; -ENOMEM; -EINVAL.
 */
static int pt_thr_build(struct pt_thr *pt)
{
	u32 n = pt->size >> PAGE_SHIFT, i, part;
	u64 *phys;
	int ret;

	phys = kvcalloc(n, sizeof(*phys), GFP_KERNEL);
	pt->chunks = kvcalloc(n, sizeof(*pt->chunks), GFP_KERNEL);
	if (!phys || !pt->chunks) {
		kvfree(phys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct page *pg = hwt_buffer_page(pt->buf, i);

		if (!pg) {
			kvfree(phys);
			return -EINVAL;
		}
		phys[i] = page_to_phys(pg);
	}
	part = pt->streaming && pt_caps.topa_multi && n % PT_INT_PARTS == 0 ?
	       n / PT_INT_PARTS : 0;
	/* ToPA regions up to 4K << 15; a single range up to 4 GiB. */
	n = pt_topa_chunks(phys, n, pt_caps.topa ? PT_TOPA_CHUNK_MAX_ORDER :
				    20, part, pt->chunks);
	kvfree(phys);
	if (!n)
		return -EINVAL;
	if (!pt_caps.topa) {
		if (n != 1)
			return -EOPNOTSUPP;
		pt->single = true;
		pt->single_phys = pt->chunks[0].phys;
		return 0;
	}
	if (n > 1 && !pt_caps.topa_multi)
		return -EOPNOTSUPP;
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
	/* Streaming: a PMI where each quarter of the buffer ends. */
	pt_topa_set_int(pt->chunks, n, pt->streaming ? PT_INT_PARTS : 0);
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

static unsigned int poll_ms = 10;
module_param(poll_ms, uint, 0644);
MODULE_PARM_DESC(poll_ms, "Backstop poll of a tracing CPU's output, ms (0: off)");

/* The thread whose TraceEn we set on this CPU: the PMI's and poll's. */
static DEFINE_PER_CPU(struct pt_thr *, pt_cur);
/* Load, unload or poll under way here: an NMI leaves the MSRs alone. */
static DEFINE_PER_CPU(int, pt_busy);
/* A drain crossed an INT region end: its PMI may still come. */
static DEFINE_PER_CPU(int, pt_late_pmi);
static DEFINE_PER_CPU(struct hrtimer, pt_poll_timer);
static atomic64_t pt_nmi_pmis, pt_nmi_other, pt_poll_count, pt_drain_off;

/*
 * The output MSRs that make the unit write next at byte offset off: ToPA
 * (33.2.7.2) or the single range (33.2.7.1, 33.2.8.7, 33.2.8.8).
 * Returns 0, or -PT_EINVAL if off is outside the buffer.
 */
static int pt_out_at(const struct pt_thr *pt, u64 off, struct pt_output *out)
{
	if (pt->single)
		return pt_single_output(&pt_caps, pt->single_phys, pt->size, off,
					out);
	return pt_topa_output(&pt->topa, off, out);
}

/*
 * The byte offset the output MSRs read back point at.
 * Returns 0, or -PT_EINVAL if they point outside the thread's output.
 */
static int pt_out_offset(const struct pt_thr *pt, u64 base, u64 mask,
			 u64 *off)
{
	if (pt->single)
		return base == pt->single_phys ? pt_single_offset(mask, off) :
		       -PT_EINVAL;
	return pt_topa_offset(&pt->topa, base, mask, off);
}

/* INT region ends crossed in (prev, pos]: none with a single range. */
static u64 pt_ints(const struct pt_thr *pt, u64 prev, u64 pos)
{
	return pt->single ? 0 : pt_topa_int_count(&pt->topa, prev, pos);
}

/*
 * Disable tracing on this CPU and take the output position back: TraceEn
 * clear first (the unit flushes its buffered packets, after which the
 * output MSRs are stable: 33.2.8.3 "Disabling Packet Generation", 33.3.4
 * "Flushing Trace Output", 33.3.7.1), then STATUS (Error, Stopped: 33.2.8.4
 * and 33.3.3 "Disabling Packet Generation") and the output pointers
 * (33.2.8.7, 33.2.8.8).  IRQs off (or NMI), on the CPU where pt traces.
 * Returns 0 and the absolute position the unit got to in *pos.
 * Returns -EIO if an MSR access was refused, -EINVAL if the pointers
 * are outside the thread's ToPA.
 */
static int pt_stop_read(struct pt_thr *pt, u64 *pos)
{
	u64 status = 0, base = 0, mask = 0, off;

	if (pt_hw->write_msr(PT_MSR_CTL, pt->regs.ctl) ||
	    pt_hw->read_msr(PT_MSR_STATUS, &status) ||
	    pt_hw->read_msr(PT_MSR_OUTPUT_BASE, &base) ||
	    pt_hw->read_msr(PT_MSR_OUTPUT_MASK, &mask))
		return -EIO;
	if ((status & PT_STATUS_STOPPED) && !(status & PT_STATUS_ERROR) &&
	    pt->tracestop) {
		/*
		 * TraceStop (33.2.4.3): a branch entered a TraceStop range,
		 * the unit set Stopped and cleared TriggerEn, the trace ends
		 * there as asked (its TraceStop packet says so; the backend
		 * builds no ToPA STOP entry).  Not a loss: no gap.  Stopped
		 * is kept, so the unit stays stopped on whichever CPU the
		 * thread runs next (STATUS is restored at switch-in).  In
		 * CPU mode Stopped is this CPU's: every later drain writes
		 * it back with the STATUS of a new run (pt_seq_drain), so
		 * nothing more is written here, whatever task runs, until
		 * STOP: the CPU's stream ends at the stop.
		 */
		status &= PT_STATUS_KEEP | PT_STATUS_STOPPED;
	} else if (status & (PT_STATUS_ERROR | PT_STATUS_STOPPED)) {
		/*
		 * An operational error (33.2.7.2 "ToPA Errors") or a ToPA
		 * STOP (33.2.7.2 "ToPA STOP"): TriggerEn was cleared and the
		 * unit wrote nothing since (33.2.8.4).  What it would have
		 * written is lost, how much is unknown: a gap at this
		 * position (pt->gap, recorded by the caller).  The next
		 * enable writes STATUS without these bits.
		 */
		pt->errors++;
		pt->stops++;
		pt->gap = true;
		pr_warn_ratelimited("RTIT_STATUS %#llx: the unit stopped writing (%s)\n",
				    status, status & PT_STATUS_ERROR ?
				    "output error" : "ToPA STOP");
	}
	pt->status = status & (PT_STATUS_KEEP | PT_STATUS_STOPPED);
	if (pt_out_offset(pt, base, mask, &off))
		return -EINVAL;
	pt->off = off;
	*pos = pt_pos_advance(pt->size, pt->pos, off);
	return 0;
}

/*
 * Where the unit writes now, read with TraceEn still set (RDMSR of the
 * output MSRs does not fault while tracing, 33.2.8.7/8; bytes still
 * buffered in the unit are not counted, which only makes it late).
 * Returns the absolute position, or pt->pos if the MSRs cannot be read.
 */
static u64 pt_peek(struct pt_thr *pt)
{
	u64 base, mask, off;

	if (pt_hw->read_msr(PT_MSR_OUTPUT_BASE, &base) ||
	    pt_hw->read_msr(PT_MSR_OUTPUT_MASK, &mask) ||
	    pt_out_offset(pt, base, mask, &off))
		return pt->pos;
	return pt_pos_advance(pt->size, pt->pos, off);
}

/*
 * Drain while tracing goes on (PMI, poll, CPU-mode context switch):
 * TraceEn clear, read, TraceEn set again (33.2.7.2 "ToPA PMI": the
 * handler clears TraceEn to flush and re-enables it before returning),
 * the writes from pt_seq_drain().  new_run (a CPU-mode context switch):
 * RTIT_STATUS is written with PacketByteCnt 0 while TraceEn is clear, so
 * that the enable writes a full PSB+ (33.2.8.3 "Enabling and Disabling
 * Packet Generation with TraceEn"; 33.4.3 rows 2b/2d) where the next
 * task's part of the stream begins: a decoder can start there.  Without
 * it the enable writes only timing packets and that part continues the
 * previous task's packets (TIP.PGE compressed against its last IP) up to
 * the next periodic PSB.  A PMI or poll drain, inside a task's run,
 * keeps the count.  IRQs off or NMI, pt_busy or the NMI itself keeping
 * others off the MSRs.
 * Returns the number of INT region ends the output crossed since the
 * last drain (0 also if an access failed: tracing then stays off here
 * until the next switch-in, counted in errors).
 */
static u64 pt_drain(struct pt_thr *pt, bool new_run)
{
	struct pt_wrmsr seq[PT_DRAIN_MAX];
	struct pt_output out;
	unsigned int flags = 0;
	u64 pos, n;
	int i, k;

	if (pt_stop_read(pt, &pos)) {
		pt->errors++;
		goto off;
	}
	n = pt_ints(pt, pt->pos, pos);
	WRITE_ONCE(pt->pos, pos);
	/*
	 * The output MSRs again in their canonical form: a pointer left at
	 * an END entry after a region filled is, without multi-entry ToPA,
	 * a table offset that enabling refuses (33.2.7.2 "ToPA Errors").
	 * After Error/Stopped, STATUS without them (writable while TraceEn
	 * is clear, 33.2.8.4) before TraceEn; an error that keeps coming
	 * back ends tracing of the thread.
	 */
	if (pt_out_at(pt, pt->off, &out)) {
		pt->errors++;
		goto off;
	}
	if (pt->gap) {
		if (pt->stops > PT_MAX_STOPS)
			goto off;
		flags |= PT_DRAIN_STATUS;
	}
	if (new_run)
		flags |= PT_DRAIN_NEW_RUN;
	k = pt_seq_drain(&pt->regs, &out, pt->status, flags, seq);
	for (i = 0; i < k; i++) {
		if (pt_hw->write_msr(seq[i].msr, seq[i].val)) {
			/* A refused STATUS after an error: as before. */
			if (seq[i].msr != PT_MSR_STATUS || !pt->gap)
				pt->errors++;
			goto off;
		}
	}
	return n;
off:
	atomic64_inc(&pt_drain_off);
	this_cpu_write(pt_cur, NULL);
	pt->cpu = -1;
	return 0;
}

/*
 * The unit stopped writing (Error/Stopped) before the head just
 * published: a BUFFER record with HWT_BUFREC_GAP marks the place.  IRQs
 * off, not NMI.
 */
static void pt_note_gap(struct pt_thr *pt)
{
	if (!xchg(&pt->gap, false))
		return;
	hwt_buffer_gap(pt->buf);
	if (pt->stops > PT_MAX_STOPS && pt->thr)
		pr_warn_ratelimited("tid %d: the unit stopped writing %u times: no longer traced\n",
				    task_pid_nr(hwt_thread_task(pt->thr)),
				    pt->stops);
	else if (pt->stops > PT_MAX_STOPS)
		pr_warn_ratelimited("cpu %d: the unit stopped writing %u times: no longer traced\n",
				    smp_processor_id(), pt->stops);
}

/* irq_work after a PMI: the framework's head moves, the reader wakes. */
static void pt_publish_fn(struct irq_work *w)
{
	struct pt_thr *pt = container_of(w, struct pt_thr, publish);

	/*
	 * After the thread's last drain (thread_end) the position is
	 * published already; the buffer may be on its way out.
	 */
	if (!READ_ONCE(pt->on))
		return;
	/* -EINVAL if a drain since published further: nothing to do. */
	hwt_buffer_produced(pt->buf, READ_ONCE(pt->pos));
	pt_note_gap(pt);
}

/*
 * The ToPA PMI reaches Linux as an NMI (33.2.7.2 "ToPA PMI"; 33.2.8.4).
 * IA32_PERF_GLOBAL_STATUS bit 55 is not looked at: perf's handler, first
 * in the chain, may have acknowledged it already.  Instead: is this CPU
 * tracing for us, and has the output crossed an INT region end since
 * the last drain?  Then drain and defer the rest to irq_work.
 * Returns NMI_HANDLED if the NMI was (or may have been) our PMI:
 * crossed INT ends, a drain under way on this CPU, or a PMI a drain
 * already accounted for (pt_late_pmi).
 * Returns NMI_DONE otherwise.
 */
static int pt_nmi(unsigned int cmd, struct pt_regs *regs)
{
	struct pt_thr *pt = this_cpu_read(pt_cur);

	if (this_cpu_read(pt_busy)) {
		atomic64_inc(&pt_nmi_other);
		return NMI_HANDLED;
	}
	if (pt && pt_ints(pt, pt->pos, pt_peek(pt))) {
		u64 n = pt_drain(pt, false);

		if (n || pt->gap)
			irq_work_queue(&pt->publish);
		if (n) {
			atomic64_inc(&pt_nmi_pmis);
			return NMI_HANDLED;
		}
	}
	if (this_cpu_read(pt_late_pmi)) {
		this_cpu_write(pt_late_pmi, 0);
		atomic64_inc(&pt_nmi_other);
		return NMI_HANDLED;
	}
	return NMI_DONE;
}

/*
 * Has the unit on this CPU stopped writing by accident (RTIT_STATUS.Error,
 * or Stopped without a TraceStop range; readable while tracing,
 * 33.2.8.4)?  Returns true if so (or if STATUS cannot be read).
 */
static bool pt_stopped(const struct pt_thr *pt)
{
	u64 status;

	if (pt_hw->read_msr(PT_MSR_STATUS, &status))
		return true;
	return (status & PT_STATUS_ERROR) ||
	       ((status & PT_STATUS_STOPPED) && !pt->tracestop);
}

/*
 * Backstop (a PMI lost or coalesced; ring mode, which has none): every
 * poll_ms on a CPU that traces for us, drain if the output moved or the
 * unit stopped writing (it then resumes, after a gap record).
 */
static enum hrtimer_restart pt_poll_fn(struct hrtimer *t)
{
	struct pt_thr *pt = this_cpu_read(pt_cur);
	unsigned int ms = READ_ONCE(poll_ms);

	if (!pt || !ms)
		return HRTIMER_NORESTART;
	if (pt_peek(pt) != pt->pos || pt_stopped(pt)) {
		this_cpu_write(pt_busy, 1);
		barrier();
		if (pt_drain(pt, false))
			this_cpu_write(pt_late_pmi, 1);
		barrier();
		this_cpu_write(pt_busy, 0);
		atomic64_inc(&pt_poll_count);
		hwt_buffer_produced(pt->buf, READ_ONCE(pt->pos));
		pt_note_gap(pt);
		if (!this_cpu_read(pt_cur))
			return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(t, ms_to_ktime(ms));
	return HRTIMER_RESTART;
}

/*
 * Enable tracing of the thread on this CPU: the start sequence with
 * TraceEn written last (33.2.8.1, 33.3.3, 33.3.7.1).  IRQs or preemption
 * off.  TraceEn already set means another user (perf) holds the unit:
 * nothing is written (33.3.3).  A run left untraced (the unit taken, a
 * refused access) gets a BUFFER record with HWT_BUFREC_GAP at the head,
 * so the decode shows the missing run.
 */
static void pt_load(struct pt_thr *pt)
{
	struct hrtimer *timer = this_cpu_ptr(&pt_poll_timer);
	struct pt_wrmsr seq[PT_SEQ_MAX];
	struct pt_output out;
	unsigned int ms;
	u64 ctl;
	int i, n;

	if (pt->cpu >= 0 || pt->stops > PT_MAX_STOPS)
		return;
	this_cpu_write(pt_busy, 1);
	barrier();
	if (pt_hw->read_msr(PT_MSR_CTL, &ctl)) {
		pt->errors++;
		goto untraced;
	}
	if (ctl & PT_CTL_TRACEEN) {
		pt->busy++;
		goto untraced;
	}
	if (pt_out_at(pt, pt->off, &out)) {
		pt->errors++;
		goto untraced;
	}
	n = pt_seq_start(&pt->regs, &out, pt->status, seq);
	for (i = 0; i < n; i++) {
		if (pt_hw->write_msr(seq[i].msr, seq[i].val)) {
			pt->errors++;
			pr_warn_ratelimited("wrmsr %#x = %#llx refused\n",
					    seq[i].msr, seq[i].val);
			goto untraced;	/* TraceEn (written last) stays clear */
		}
	}
	pt->cpu = smp_processor_id();
	pt->untraced = false;
	this_cpu_write(pt_cur, pt);
	ms = READ_ONCE(poll_ms);
	if (ms && !hrtimer_active(timer))
		hrtimer_start(timer, ms_to_ktime(ms),
			      HRTIMER_MODE_REL_PINNED_HARD);
	goto out;
untraced:
	/*
	 * The thread runs untraced here, and its trace would just go on
	 * at its next run as after any switch: record a gap, once per
	 * stretch of such runs.
	 */
	if (!pt->untraced) {
		pt->untraced = true;
		hwt_buffer_gap(pt->buf);
	}
out:
	barrier();
	this_cpu_write(pt_busy, 0);
}

/*
 * Disable tracing on this CPU (pt_stop_read) and publish the position to
 * the framework: hwt_buffer_produced() moves the head, counts wraps and
 * losses and wakes the reader.  IRQs or preemption off.
 */
static void pt_unload(struct pt_thr *pt)
{
	u64 pos;

	if (pt->cpu < 0)
		return;
	WARN_ON_ONCE(pt->cpu != smp_processor_id());
	this_cpu_write(pt_busy, 1);
	barrier();
	this_cpu_write(pt_cur, NULL);
	pt->cpu = -1;
	if (pt_stop_read(pt, &pos)) {
		pt->errors++;
		goto out;
	}
	if (pt_ints(pt, pt->pos, pos))
		this_cpu_write(pt_late_pmi, 1);
	WRITE_ONCE(pt->pos, pos);
	hwt_buffer_produced(pt->buf, pos);
	pt_note_gap(pt);
out:
	barrier();
	this_cpu_write(pt_busy, 0);
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

/*
 * CPU mode: the outputs of the last START (tracing is off on all).  The
 * scheduler hook may still be reading them (the context is RUNNING
 * again while a new START is under way): unpublished first, freed after
 * a grace period (the hook runs with preemption off).  Process context.
 */
static void pt_cpu_free(struct pt_ctx *pc)
{
	struct pt_thr **cpu = pc->cpu;
	unsigned int c;

	if (!cpu)
		return;
	WRITE_ONCE(pc->cpu, NULL);
	synchronize_rcu();
	for (c = 0; c < nr_cpu_ids; c++)
		if (cpu[c])
			pt_thr_free(cpu[c]);
	kfree(cpu);
}

static void pt_deinit(struct hwt_context *ctx)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);

	pt_cpu_free(pc);
	kfree(pc);
}

/*
 * Kernel tracing (CPU mode only: pt_config_parse refuses it in thread
 * mode) shows everything the kernel runs on those CPUs: like perf's
 * kernel profiling it needs CAP_PERFMON or CAP_SYS_ADMIN of the caller
 * of SET_CONFIG (the context's fd may have been passed on since ALLOC).
 * Returns -EPERM without it; the pt_config_parse errors.
 */
static int pt_configure(struct hwt_context *ctx, u32 version,
			const void *data, u32 size)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct hwt_intel_pt_config cfg;
	int ret;

	ret = pt_config_parse(&pt_caps, version, data, size,
			      hwt_context_cpu_mode(ctx) ? PT_MODE_CPU :
							  PT_MODE_THREAD,
			      &cfg);
	if (ret)
		return pt_errno(ret);
	if ((cfg.flags & HWT_INTEL_PT_KERNEL) && !perfmon_capable())
		return -EPERM;
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

static struct pt_thr *pt_out_new(struct hwt_context *ctx,
				 struct hwt_buffer *buf,
				 struct hwt_thread *thr);

/*
 * CPU mode, by IPI on the CPU of pt: the start sequence (pt_load).  The
 * task the IPI interrupted is traced from here on (33.2.8.2: packet
 * generation follows TraceEn and the filters, not context switches), but
 * no switch announces it: a SWITCH_IN record for it at the head, in the
 * same IRQs-off section, so its bytes are placed; and a software unit is
 * told, so that it steps that task.  The CPU's output is new, its saved
 * STATUS 0: the start sequence writes PacketByteCnt 0 and the enable a
 * full PSB+ (33.2.8.3), where that task's run begins.
 */
static void pt_cpu_on(void *arg)
{
	struct pt_thr *pt = arg;

	WRITE_ONCE(pt->on, true);
	pt_load(pt);
	if (pt->cpu != smp_processor_id())
		return;
	hwt_cpu_record_current(pt->ctx);
	if (pt_hw->cpu_start)
		pt_hw->cpu_start();
}

/*
 * CPU mode, by IPI: TraceEn clear, the head published (pt_unload); a
 * software unit is told that the session on this CPU is over.  A
 * TraceStop's Stopped (33.2.4.3) stays in the unit until the next
 * START writes STATUS 0: this CPU's stream ended at the stop.
 */
static void pt_cpu_off(void *arg)
{
	struct pt_thr *pt = arg;

	pt_unload(pt);
	WRITE_ONCE(pt->on, false);
	if (pt_hw->cpu_stop)
		pt_hw->cpu_stop();
}

/* CPU mode: tracing off on every CPU of the context; ctx->mutex held. */
static void pt_cpu_stop(struct pt_ctx *pc)
{
	unsigned int c;

	if (!pc->cpu)
		return;
	cpus_read_lock();
	for (c = 0; c < nr_cpu_ids; c++)
		if (pc->cpu[c] && smp_call_function_single(c, pt_cpu_off,
							   pc->cpu[c], 1))
			WRITE_ONCE(pc->cpu[c]->on, false);	/* offline */
	cpus_read_unlock();
}

/*
 * CPU mode START: an output over each traced CPU's buffer, then, by IPI
 * on each of those CPUs, the start sequence with TraceEn last (33.3.3,
 * the same as a thread's switch-in).  Tracing then stays on across
 * context switches (User/OS and the CR3 filter decide what is traced);
 * pt_cpu_switch drains at each one.
 * Returns 0; -EBUSY if a CPU's TraceEn was set meanwhile (perf) or a
 * write was refused: tracing is then off everywhere again; the
 * pt_out_new errors; -ENXIO if a traced CPU went offline.
 */
static int pt_cpu_start(struct hwt_context *ctx)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct pt_thr **cpu;
	unsigned int c;
	int ret = 0;

	pt_cpu_free(pc);
	cpu = kcalloc(nr_cpu_ids, sizeof(*cpu), GFP_KERNEL);
	if (!cpu)
		return -ENOMEM;
	for (c = 0; c < nr_cpu_ids && !ret; c++) {
		struct hwt_buffer *buf = hwt_cpu_buffer(ctx, c);

		if (!buf)
			continue;
		cpu[c] = pt_out_new(ctx, buf, NULL);
		if (IS_ERR(cpu[c])) {
			ret = PTR_ERR(cpu[c]);
			cpu[c] = NULL;
		}
	}
	/* The scheduler hook reads it once the context runs. */
	smp_store_release(&pc->cpu, cpu);
	cpus_read_lock();
	for (c = 0; c < nr_cpu_ids && !ret; c++) {
		if (!cpu[c])
			continue;
		ret = smp_call_function_single(c, pt_cpu_on, cpu[c], 1);
		if (!ret && cpu[c]->cpu != c)
			ret = -EBUSY;	/* taken, or refused: counted */
	}
	cpus_read_unlock();
	if (ret) {
		pt_cpu_stop(pc);
		pt_cpu_free(pc);
	}
	return ret;
}

static void pt_stop(struct hwt_context *ctx)
{
	pt_cpu_stop(hwt_context_priv(ctx));
}

/*
 * CPU mode: a context switch on a traced CPU.  Tracing stays on; a
 * software unit is told (it steps per thread); then a drain (TraceEn
 * clear, pointers read, TraceEn set: 33.2.8.3, 33.2.8.7, 33.2.8.8)
 * publishes the head, so that the framework's SWITCH_IN record that
 * follows marks the exact byte where next's part of the stream begins.
 * Scheduler: IRQs off, runqueue lock held.
 */
static void pt_cpu_switch(struct hwt_context *ctx, int cpu,
			  struct task_struct *prev, struct task_struct *next)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct pt_thr **cpus = smp_load_acquire(&pc->cpu);
	struct pt_thr *pt = cpus ? cpus[cpu] : NULL;

	lockdep_assert_irqs_disabled();
	if (!pt || !READ_ONCE(pt->on) || pt->cpu != cpu)
		return;
	if (pt_hw->cpu_switch)
		pt_hw->cpu_switch(prev, next);
	this_cpu_write(pt_busy, 1);
	barrier();
	if (pt_drain(pt, true))
		this_cpu_write(pt_late_pmi, 1);
	barrier();
	this_cpu_write(pt_busy, 0);
	hwt_buffer_produced(pt->buf, READ_ONCE(pt->pos));
	pt_note_gap(pt);
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
 * somewhere (perf's intel_pt) -> -EBUSY, nothing written (33.3.3).  A
 * CPU that takes one output region (no multi-entry ToPA,
 * CPUID.(14H,0):ECX[1], or single-range output only, ECX[2], 33.2.7.1)
 * needs a physically contiguous buffer: a power of two up to
 * HWT_CONTIG_MAX (the framework then allocates it so, when it can:
 * else that thread or CPU is not traced).  Else -EOPNOTSUPP.
 */
static int pt_start(struct hwt_context *ctx)
{
	u64 size = hwt_context_bufsize(ctx);
	atomic_t busy = ATOMIC_INIT(0);

	if (!pt_caps.topa && !pt_caps.single_range)
		return -EOPNOTSUPP;
	if ((!pt_caps.topa || !pt_caps.topa_multi) &&
	    (!is_power_of_2(size) || size > HWT_CONTIG_MAX))
		return -EOPNOTSUPP;
	on_each_cpu(pt_busy_cpu, &busy, 1);
	if (atomic_read(&busy))
		return -EBUSY;
	return hwt_context_cpu_mode(ctx) ? pt_cpu_start(ctx) : 0;
}

/*
 * The output of one thread (thr, thread mode) or one CPU (thr NULL, CPU
 * mode) into buf: ToPA or single range, the RTIT values of the config,
 * the position at the buffer's head.  Process context.
 * Returns the new output, or an ERR_PTR: -ENOMEM, -EOPNOTSUPP if the
 * buffer does not fit the CPU's output scheme, -EINVAL.
 */
static struct pt_thr *pt_out_new(struct hwt_context *ctx,
				 struct hwt_buffer *buf,
				 struct hwt_thread *thr)
{
	struct pt_ctx *pc = hwt_context_priv(ctx);
	struct pt_thr *pt;
	u32 i;
	u64 off;
	int ret;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return ERR_PTR(-ENOMEM);
	pt->publish = IRQ_WORK_INIT_HARD(pt_publish_fn);
	pt->thr = thr;
	pt->ctx = ctx;
	pt->streaming = !hwt_context_ring_mode(ctx);
	pt->buf = buf;
	pt->size = hwt_buffer_size(pt->buf);
	pt->cpu = -1;
	for (i = 0; i < pc->cfg.nranges && i < HWT_INTEL_PT_MAX_RANGES; i++)
		if (pc->cfg.ranges[i].type == HWT_INTEL_PT_RANGE_STOP)
			pt->tracestop = true;
	ret = pt_thr_build(pt);
	if (!ret)
		ret = pt_errno(pt_config_regs(&pt_caps, &pc->cfg,
					      thr ? PT_MODE_THREAD :
						    PT_MODE_CPU,
					      !pt->single,
					      thr ? pt_user_cr3() : 0,
					      &pt->regs));
	if (ret) {
		pt_thr_free(pt);
		return ERR_PTR(ret);
	}
	pt->pos = hwt_buffer_head(pt->buf);
	off = pt->pos;
	pt->off = do_div(off, (u32)pt->size);
	return pt;
}

/* In the traced thread (task_work), process context. */
static void pt_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
{
	unsigned long flags;
	struct pt_thr *pt;

	if (hwt_thread_priv(thr) || !hwt_thread_buffer(thr))
		return;
	pt = pt_out_new(ctx, hwt_thread_buffer(thr), thr);
	if (IS_ERR(pt)) {
		pr_info_ratelimited("tid %d not traced (%ld)\n",
				    task_pid_nr(current), PTR_ERR(pt));
		return;
	}
	hwt_thread_set_priv(thr, pt);
	/*
	 * The hooks of this thread's switches act from here on.  IRQs off:
	 * the poll (hrtimer) must not find this CPU half programmed.
	 */
	local_irq_save(flags);
	pt->on = true;
	pt_load(pt);
	local_irq_restore(flags);
	if (pt_hw->thread_attach)
		pt_hw->thread_attach(thr);
}

/* Tracing of the thread ends for good (stop, or its exit: atomic). */
static void pt_thread_end(struct hwt_thread *thr, bool exiting)
{
	struct pt_thr *pt = hwt_thread_priv(thr);
	unsigned long flags;

	if (!pt)
		return;
	/* A software unit flushes what it still holds while TraceEn is on. */
	if (pt_hw->thread_detach)
		pt_hw->thread_detach(thr, exiting);
	local_irq_save(flags);
	pt_unload(pt);
	WRITE_ONCE(pt->on, false);
	local_irq_restore(flags);
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

/* Read-only counters for the tests (docs/intel-pt.md). */
static int pt_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(kp->arg));
}

static const struct kernel_param_ops pt_counter_ops = {
	.get = pt_get_counter,
};

module_param_cb(pmi, &pt_counter_ops, &pt_nmi_pmis, 0444);
MODULE_PARM_DESC(pmi, "ToPA PMIs handled (output crossed an INT entry)");
module_param_cb(pmi_other, &pt_counter_ops, &pt_nmi_other, 0444);
MODULE_PARM_DESC(pmi_other, "NMIs claimed during a drain or after one");
module_param_cb(polls, &pt_counter_ops, &pt_poll_count, 0444);
MODULE_PARM_DESC(polls, "backstop polls that found new output");
module_param_cb(drain_off, &pt_counter_ops, &pt_drain_off, 0444);
MODULE_PARM_DESC(drain_off,
		 "drains that failed or gave up, leaving tracing off there");

static const struct hwt_backend_ops pt_ops = {
	.init = pt_init,
	.deinit = pt_deinit,
	.configure = pt_configure,
	.describe = pt_describe_ctx,
	.start = pt_start,
	.stop = pt_stop,
	.cpu_switch = pt_cpu_switch,
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
	.modes = HWT_BACKEND_THREAD | HWT_BACKEND_CPU | HWT_BACKEND_CONTIG,
};

static int __init hwt_intel_pt_init(void)
{
	int ret, c;

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
	/* User mode runs on PTI's user page tables (pgd | 1 << 12) or with
	 * a per-CPU PCID in CR3: the thread's CR3 cannot be known at
	 * switch-in, so a CR3 filter would trace nothing.
	 */
	pt_caps.cr3_inexact = boot_cpu_has(X86_FEATURE_PTI) ||
			      boot_cpu_has(X86_FEATURE_PCID);
	pt_backend.max_ranges = pt_caps.max_ranges;
	for_each_possible_cpu(c) {
		struct hrtimer *t = per_cpu_ptr(&pt_poll_timer, c);

		hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
		t->function = pt_poll_fn;
	}
	ret = register_nmi_handler(NMI_LOCAL, pt_nmi, 0, "hwt_intel_pt");
	if (ret)
		goto fail;
	ret = hwt_backend_register(&pt_backend);
	if (ret) {
		unregister_nmi_handler(NMI_LOCAL, "hwt_intel_pt");
		goto fail;
	}
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
	int c;

	hwt_backend_unregister(&pt_backend);
	flush_work(&pt_free_work);
	/* No thread traced any more: the polls stop, no PMI is ours. */
	for_each_possible_cpu(c)
		hrtimer_cancel(per_cpu_ptr(&pt_poll_timer, c));
	unregister_nmi_handler(NMI_LOCAL, "hwt_intel_pt");
	if (pt_hw_emulated)
		symbol_put(hwt_pt_emu_hw_ops);
}

module_init(hwt_intel_pt_init);
module_exit(hwt_intel_pt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt Intel PT backend (thread and CPU mode)");
