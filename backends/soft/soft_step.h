/* SPDX-License-Identifier: GPL-2.0 */
/*
 * soft_step: the x86-64 kernel single-stepper that turns each step of a
 * user thread into Intel PT packets (soft_step.c).  Its user (hwt_soft,
 * hwt_pt_emu) finds the record of the current thread and takes the
 * packets; everything else (traps, syscall and signal passes, signal
 * frame scrubbing, TF in children, the record's lifecycle) is here.
 * Each user module compiles its own copy of soft_step.c.
 */
#ifndef HWT_SOFT_STEP_H
#define HWT_SOFT_STEP_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/task_work.h>

#include "pt_enc.h"
#include "soft_life.h"
#include "x86_insn.h"

/* Signal frames set up between two returns to user mode we scrub. */
#define SOFT_NSIGFRAMES	4

/* One stepped thread; the lifecycle is described in soft_step.c. */
struct soft_thread {
	struct soft_life life;		/* first: the record's lifecycle */
	void *owner;			/* the user's (hwt_soft: hwt_thread) */
	struct pt_soft_state st;
	struct x86_insn_info next;	/* decode of the insn at st.ip */
	bool next_valid;
	bool started;			/* stream started, TF set */
	/*
	 * Start with TIP.PGE, not PSB+ (pt_soft_start_pge): the user is a
	 * trace unit that writes its own packets when it is enabled in the
	 * kernel (hwt_pt_emu); set before the record is armed.
	 */
	bool pge_start;
	bool tf_lost;			/* TF was cleared behind our back */
	/*
	 * Kernel passes since the last trap, in order (see soft_step()).
	 * One trap can cover several: SYSCALL clears TF, so a syscall that
	 * returns onto another syscall (sigreturn onto a restarted call, a
	 * rewound restart) runs it without a trap in between.
	 */
	struct soft_evlog log;
	/* Interrupted IPs of the frames set up since the last rearm_work. */
	u8 nsig;
	u64 sig_ip[SOFT_NSIGFRAMES];
	u64 steps;
	u8 out[2 * PT_SOFT_MAX_OUT];
};

struct soft_step_ops {
	/*
	 * The record of current if it is stepped, or NULL.  Called under
	 * RCU (or with preemption or IRQs off), from traps and tracepoints.
	 */
	struct soft_thread *(*lookup)(void);
	/*
	 * Store the packets of one event (any context, possibly IRQs off).
	 * Returns false if they were lost: the stream then resyncs with OVF
	 * once space() says there is room again.
	 */
	bool (*write)(struct soft_thread *t, const u8 *buf, size_t len);
	size_t (*space)(struct soft_thread *t);
	/*
	 * Optional (NULL: always).  Is the unit tracing t's user code on
	 * this CPU now?  Asked at each trap and before a (re)start, for the
	 * current thread, IRQs off.  false: t is paused (no packets, TF
	 * cleared) until soft_thread_resume().
	 */
	bool (*active)(struct soft_thread *t);
};

/* The time-stamp counter for a TSC packet: rdtsc(), never below a value
 * this module returned before (soft_step.c).  Returns it. */
u64 soft_tsc(void);

/* Module init/exit: tracepoint probes and the die notifier. */
int soft_step_init(const struct soft_step_ops *ops);
void soft_step_exit(void);

/*
 * In the thread to step (process context): a record for cfg, which
 * pt_soft_config_check() accepted, or NULL (no memory, or not a 64-bit
 * user thread).  soft_thread_arm() then starts stepping where the thread
 * returns to user mode (PSB+ first, or TIP.PGE with pge_start).
 */
struct soft_thread *soft_thread_new(const struct pt_soft_config *cfg,
				    void *owner);
void soft_thread_arm(struct soft_thread *t);

/*
 * For a unit that traces whatever runs on a CPU (hwt_pt_emu, CPU mode):
 * a record for task, which is not running (the scheduler is switching
 * to it), allocated with gfp, or NULL (no memory, not a 64-bit user
 * task).  It starts paused: soft_thread_resume() arms it.
 */
struct soft_thread *soft_thread_new_task(struct task_struct *task,
					 const struct pt_soft_config *cfg,
					 void *owner, gfp_t gfp);

/*
 * The current thread leaves the CPU (scheduler, IRQs off): its user
 * trace ends where it entered the kernel (TIP.PGD, pending TNT flushed:
 * what a unit tracing user code only wrote at that kernel entry) and
 * stepping pauses (TF cleared).  Nothing if it was not started.
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
 * task (not running: the scheduler is switching to it) goes on being
 * stepped when it next returns to user mode, from a fresh start (PSB+,
 * or TIP.PGE with pge_start: the encoder's state is reset) with the
 * encoder set up for cfg.  Returns 0, or -ESRCH if task is exiting.
 */
int soft_thread_resume(struct soft_thread *t, struct task_struct *task,
		       const struct pt_soft_config *cfg);

/* Returns true if t is being stepped (its stream started). */
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

/*
 * End the stream and release the record, once per soft_thread_new(): in
 * the thread, process context (stop: TF cleared) or from its exit hook
 * (exit: atomic).  The caller has already made ops->lookup() forget it.
 */
void soft_thread_stop(struct soft_thread *t);
void soft_thread_exit(struct soft_thread *t);

#endif /* HWT_SOFT_STEP_H */
