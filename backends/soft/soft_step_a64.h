/* SPDX-License-Identifier: GPL-2.0 */
/*
 * soft_step_a64: the arm64 kernel single-stepper that turns each step of
 * a user thread into ETE (soft_step_a64.c, ete_enc.c).  Its user (hwt_soft
 * on arm64, the emulated CoreSight unit hwt_cs_emu) finds the record of
 * the current thread and takes the packets; everything else (step traps,
 * syscall and signal passes, exclusive sequences, the record's
 * lifecycle) is the stepper's.  Each user module compiles its own copy
 * of soft_step_a64.c; their step hooks each claim only their own
 * threads.  The x86-64 counterpart is soft_step.h.
 */
#ifndef HWT_SOFT_STEP_A64_H
#define HWT_SOFT_STEP_A64_H

#include <linux/types.h>

#include "ete_enc.h"

struct soft_thread;

struct soft_step_ops {
	/*
	 * The record of current if it is stepped, or NULL.  Called under
	 * RCU (or with preemption or IRQs off), from traps and tracepoints.
	 */
	struct soft_thread *(*lookup)(void);
	/*
	 * Store the packets of one event (any context, possibly IRQs off).
	 * Returns false if they were lost: the stream then resyncs with an
	 * Overflow once space() says there is room again.
	 */
	bool (*write)(struct soft_thread *t, const u8 *buf, size_t len);
	size_t (*space)(struct soft_thread *t);
	/*
	 * Optional (NULL: always).  Is the unit tracing t's user code on
	 * this CPU now?  Asked at each step and before a (re)start, for the
	 * current thread, IRQs off.  false: t is paused (no packets,
	 * stepping off) until soft_thread_resume().
	 */
	bool (*active)(struct soft_thread *t);
};

/*
 * Module init/exit: tracepoint probes and the step hook.
 * Returns 0, or -ENOENT / -ENOMEM / a tracepoint error (nothing left
 * registered then).
 */
int soft_step_init(const struct soft_step_ops *ops);
void soft_step_exit(void);

/*
 * In the thread to step (process context): a record for cfg, which
 * ete_soft_config_check() accepted, with the user's owner pointer.
 * Returns it, or NULL if out of memory or the thread is not a 64-bit
 * user thread.  soft_thread_arm() then starts stepping where the thread
 * returns to user mode (the sync point first).
 */
struct soft_thread *soft_thread_new(const struct ete_soft_config *cfg,
				    void *owner);
void soft_thread_arm(struct soft_thread *t);

/*
 * For a unit that traces whatever runs on a CPU (hwt_cs_emu, CPU mode):
 * a record for task, which is not running (the scheduler is switching
 * to it, or it is current on its way back to user mode), allocated with
 * gfp.  Returns it, or NULL if there is no memory or task is no 64-bit
 * user task.  It starts paused: soft_thread_resume() arms it.
 */
struct soft_thread *soft_thread_new_task(struct task_struct *task,
					 const struct ete_soft_config *cfg,
					 void *owner, gfp_t gfp);

/*
 * The current thread leaves the CPU (scheduler, IRQs off): its user
 * trace ends where it entered the kernel (what a unit tracing EL0 only
 * wrote at that kernel entry: pending atoms flushed) and stepping pauses.
 * Nothing if it was not started.
 */
void soft_thread_pause(struct soft_thread *t);

/*
 * For a unit whose CPU stopped tracing while current, t's task, was in
 * the kernel (no step or switch of the unit's paused it): current leaves
 * the CPU (scheduler, IRQs off) or is checked in its own context.  Its
 * run ends with no further output and stepping is disarmed, as at a step
 * once the unit is off, so that nothing of ours stays armed in a task
 * that sleeps past the unit's module.  Nothing if t was not started.
 */
void soft_thread_halt(struct soft_thread *t);

/*
 * task goes on being stepped when it next returns to user mode, from a
 * fresh sync point with the encoder set up for cfg (unless it is being
 * stepped already).  Returns 0, or -ESRCH if task is exiting.
 */
int soft_thread_resume(struct soft_thread *t, struct task_struct *task,
		       const struct ete_soft_config *cfg);

/* Returns true if t is being stepped (its sync point written). */
bool soft_thread_started(const struct soft_thread *t);

/*
 * The unit no longer traces t (tracing ended while t was in the kernel):
 * its run ends without further output; soft_thread_exit() then writes
 * nothing.
 */
void soft_thread_drop(struct soft_thread *t);

/*
 * Release a paused record of soft_thread_new_task() whose task is not
 * current and is not being stepped (module exit).
 */
void soft_thread_free(struct soft_thread *t);

/* Returns the owner given to soft_thread_new(). */
void *soft_thread_owner(struct soft_thread *t);

/*
 * End the stream and release the record, once per soft_thread_new(): in
 * the thread, process context (stop) or from its exit hook (exit:
 * atomic).  The caller has already made ops->lookup() forget it.
 */
void soft_thread_stop(struct soft_thread *t);
void soft_thread_exit(struct soft_thread *t);

#endif /* HWT_SOFT_STEP_A64_H */
