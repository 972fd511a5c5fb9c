/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace unit as the intel_pt backend sees it: CPUID and the PT MSRs,
 * through one table of operations (kernel only).
 *
 * On hardware they are cpuid_count(), rdmsrl_safe() and wrmsrl_safe().
 * The emulated unit hwt_pt_emu (backends/intel_pt/emu) exports its own
 * table as hwt_pt_emu_hw_ops: hwt_intel_pt picks it up at load with
 * symbol_get() when hwt_pt_emu is loaded first, and holds that module
 * until it unloads itself.  A software unit also needs to single-step the
 * threads it traces, so it gets the thread's lifecycle (thread_attach
 * after tracing was enabled in the thread, thread_detach before it is
 * disabled for good); hardware leaves them NULL.
 */
#ifndef HWT_PT_HW_H
#define HWT_PT_HW_H

#include <linux/types.h>

struct hwt_thread;
struct task_struct;

struct pt_hw_ops {
	const char *name;
	void (*cpuid)(u32 leaf, u32 subleaf, u32 regs[4]);
	/* On the current CPU, IRQs or preemption off.  0 or -EIO (#GP). */
	int (*read_msr)(u32 msr, u64 *val);
	int (*write_msr)(u32 msr, u64 val);
	/*
	 * Software units only.  In the traced thread: attach in process
	 * context; detach in process context or (exiting) from its exit
	 * hook, atomic.
	 */
	void (*thread_attach)(struct hwt_thread *thr);
	void (*thread_detach)(struct hwt_thread *thr, bool exiting);
	/*
	 * Software units only, CPU mode: a context switch on this CPU
	 * (current is still prev), IRQs off, runqueue lock held, tracing
	 * enabled here.  The unit ends prev's user trace (a real unit did
	 * at prev's kernel entry) and starts stepping next if this CPU's
	 * MSRs trace its user code.  The backend drains right after.
	 */
	void (*cpu_switch)(struct task_struct *prev, struct task_struct *next);
	/*
	 * Software units only, CPU mode: tracing was just enabled on this
	 * CPU by START's IPI (IRQs off).  A real unit traces whatever runs
	 * here from this instant, also the task the IPI interrupted, which
	 * no switch hands to cpu_switch; a software unit starts stepping
	 * that task (current) if this CPU's MSRs trace its user code.
	 */
	void (*cpu_start)(void);
	/*
	 * Software units only, CPU mode: STOP's IPI just disabled tracing
	 * on this CPU for good (IRQs off): the session there is over.  A
	 * unit that holds a TraceStop's Stopped against the driver while
	 * the session runs (hwt_pt_emu, 33.2.4.3) lets it go.
	 */
	void (*cpu_stop)(void);
};

/* hwt_pt_emu's table (a weak reference: see symbol_get()). */
extern const struct pt_hw_ops hwt_pt_emu_hw_ops;

#endif /* HWT_PT_HW_H */
