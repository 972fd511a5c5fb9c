/* SPDX-License-Identifier: GPL-2.0 */
/*
 * soft_life: what the two halves of the soft stepper share (x86-64:
 * soft_step.c, also built into hwt_pt_emu; arm64: soft_step_a64.c, also
 * built into hwt_cs_emu).
 * Each module compiles its own copy of soft_life.c.
 *
 *  - The lifecycle of a stepped thread's record.  The record starts with
 *    a struct soft_life; it is touched only by the traced thread itself
 *    (its traps, probes, task_works and exit hook), so no lock.  Its
 *    task_works (SOFT_WORK_*) each hold a module reference while queued,
 *    as they can outlive the context that pins the module.  Releasing
 *    the record (soft_life_release(), once, when tracing of the thread
 *    ends) frees it after an RCU grace period, or, while a work is still
 *    queued, marks it dead: the last such work frees it
 *    (soft_life_work_begin()).
 *  - The log of kernel passes between two traps (struct soft_evlog),
 *    which the trap handler replays in order.
 *  - The tracepoint probes of a module (struct soft_tp).
 *  - The checks of the config blob (struct hwt_soft_config) that do not
 *    depend on the encoder.
 */
#ifndef HWT_SOFT_LIFE_H
#define HWT_SOFT_LIFE_H

#include <linux/rcupdate.h>
#include <linux/task_work.h>
#include <linux/types.h>

/* The record's task_works: bit numbers in soft_life.pending. */
enum {
	SOFT_WORK_REARM,	/* back to user mode: (re)arm stepping */
	SOFT_WORK_EXCL,		/* arm64: exclusive sequence breakpoints */
	SOFT_NWORKS,
};

struct soft_life {
	struct rcu_head rcu;		/* kfree_rcu() of the whole record */
	unsigned long pending;		/* SOFT_WORK_* queued */
	bool dead;			/* released while works were queued */
	struct callback_head work[SOFT_NWORKS];
};

/*
 * Queue task_work w (fn) of the record at l on the current thread,
 * TWA_RESUME, with a module reference.  Returns 0 if it is queued (now,
 * or still from before), or task_work_add()'s error (-ESRCH: the thread
 * is exiting) if it could not be.
 */
int soft_life_queue(struct soft_life *l, unsigned int w, task_work_func_t fn);

/*
 * The same on task, which is not running (the scheduler is switching to
 * it) and so cannot touch the record meanwhile.
 */
int soft_life_queue_on(struct soft_life *l, unsigned int w,
		       task_work_func_t fn, struct task_struct *task);

/*
 * First thing a task_work w of the record does.  Returns true if the
 * record is live: the work runs, then calls soft_life_work_end(); false
 * if the record was released while the work was queued: it is freed if
 * no other work is queued, the work's module reference is dropped, and
 * the work must return at once.
 */
bool soft_life_work_begin(struct soft_life *l, unsigned int w);

/* Last thing a live task_work does: drops its module reference. */
void soft_life_work_end(void);

/*
 * Tracing of the thread ended: free the record at l (its first member)
 * after a grace period, or leave that to its last queued work.
 */
void soft_life_release(struct soft_life *l);

/* What the kernel did between two traps. */
enum {
	/*
	 * The syscall at the current IP returned, towards ip (restart:
	 * the kernel may rewind it onto the syscall instruction).
	 */
	SOFT_EV_SYS,
	SOFT_EV_SIG,		/* a signal is delivered at user IP ip */
	SOFT_EV_RESUME,		/* back to user mode at ip (after a signal) */
};

struct soft_event {
	u8 type;
	u8 restart;
	u64 ip;
};

#define SOFT_NEV	16

/* Kernel passes since the last trap, in order. */
struct soft_evlog {
	u8 nev;			/* SOFT_NEV + 1: more than fit (lost) */
	struct soft_event ev[SOFT_NEV];
};

/* Note a kernel pass (the thread's own context). */
void soft_note(struct soft_evlog *log, u8 type, u64 ip, bool restart);

/* Returns true if ret is a restart code (the syscall may run again). */
bool soft_is_restart(long ret);

/*
 * Checks the SET_CONFIG blob (data, size bytes, version) as both halves
 * read it; the encoder's own check (PSB / sync period) comes after.
 * Returns 0 if it is well formed; -EINVAL if the version or size is
 * wrong, a flag unknown, the reserved field or an unused range slot not
 * zero, or a range has start > end; -E2BIG if it has more than
 * HWT_SOFT_MAX_RANGES ranges.
 */
int soft_config_check(u32 version, const void *data, u32 size);

/* A tracepoint and our probe on it. */
struct soft_tp {
	const char *name;
	void *probe;
};

/*
 * Attach the n probes of tps.  Returns 0, or the first error (none is
 * left attached then).
 */
int soft_tps_attach(const struct soft_tp *tps, int n);

/* Detach the first n probes of tps and wait for running ones. */
void soft_tps_detach(const struct soft_tp *tps, int n);

#endif /* HWT_SOFT_LIFE_H */
