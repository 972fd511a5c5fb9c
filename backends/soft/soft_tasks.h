/* SPDX-License-Identifier: GPL-2.0 */
/*
 * soft_tasks: an emulated trace unit's CPU-mode stepper records.
 *
 * In CPU mode an emulated unit (hwt_pt_emu, hwt_cs_emu) steps every task
 * its CPU traces, and no hwt thread says so: it keeps a record per task
 * met at a switch-in there, until the task exits (sched_process_exit) or
 * the module goes.  Keyed by the task, which the record holds a reference
 * on, so that its address keys no other task while the record lives.
 * Readers: RCU (preemption off).  Each emulator builds its own copy
 * (emu/soft_tasks.c), over its architecture's soft_thread.
 */
#ifndef HWT_SOFT_TASKS_H
#define HWT_SOFT_TASKS_H

#include <linux/gfp.h>
#include <linux/types.h>

struct soft_thread;
struct task_struct;

struct soft_task {
	struct hlist_node node;
	struct rcu_head rcu;
	struct task_struct *task;	/* the key, referenced */
	struct soft_thread *t;
	bool fresh;			/* the unit's: its run's first bytes are due */
};

/* Allocation under the runqueue lock: no reclaim, no kswapd wakeup. */
#define SOFT_GFP_SCHED	((GFP_NOWAIT | __GFP_NOWARN) & ~__GFP_KSWAPD_RECLAIM)

/* Returns task's record, or NULL if there is none.  RCU read side. */
struct soft_task *soft_task_find(struct task_struct *task);

/*
 * Returns a new record (SOFT_GFP_SCHED), or NULL if there is no memory;
 * soft_task_insert() publishes it, or kfree() drops it.
 */
struct soft_task *soft_task_alloc(void);

/* Publish e as task's record for t, taking a reference on task. */
void soft_task_insert(struct soft_task *e, struct task_struct *task,
		      struct soft_thread *t);

/*
 * current exits (its sched_process_exit): returns its record, unhashed,
 * for the caller to end its run and hand to soft_task_release(); NULL if
 * it has none.
 */
struct soft_task *soft_task_unhash_current(void);

/* After a grace period the record and its task reference go. */
void soft_task_release(struct soft_task *e);

/*
 * prev leaves a CPU whose unit is off (sched_switch, IRQs off): its run,
 * if any, ends there without output (soft_thread_halt), so that no step
 * stays armed in a task that sleeps past the module.
 */
void soft_task_halt(struct task_struct *prev);

/*
 * Module exit, hooks still in place, every unit off: waits until no
 * record is started.  One still is only in a task that was in the kernel
 * when its CPU stopped tracing and has not left that CPU nor returned to
 * user mode since (the switch probe, sys_exit and the step trap end its
 * run there), so the wait is short; current's own run ends here.  Gives
 * up after 5000 tries, 5 to 10 s (soft_tasks_free() then warns).
 */
void soft_tasks_quiesce(void);

/*
 * Module exit, hooks gone (tracepoint_synchronize_unregister done): the
 * records of tasks still alive, all paused by then, are freed.
 */
void soft_tasks_free(void);

#endif /* HWT_SOFT_TASKS_H */
