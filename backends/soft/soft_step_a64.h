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
