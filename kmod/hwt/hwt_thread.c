// SPDX-License-Identifier: GPL-2.0
/*
 * Traced threads (thread mode).
 *
 * Every traced task has one struct hwt_thread, found by the scheduler and
 * process hooks through a global RCU hash keyed by task.  Work that must
 * run in the traced thread itself (allocating a new thread's buffer,
 * letting the backend arm or disarm the trace unit on the thread's own
 * registers) goes through task_work, since it cannot be cancelled once
 * queued (task_work_cancel is not exported) each queued work holds a
 * context reference and decides what to do from the state it finds when it
 * runs.
 *
 * Lifetimes: a hwt_thread lives exactly as long as its context (freed
 * from the context's list).  The list only grows until then; additions
 * come under hwt_thread_lock, also from the fork hook, which cannot take
 * ctx->mutex, so they are RCU-published for the mutex holders walking it.
 * Being in the hash holds a context reference, and so does each pending
 * task_work.  A thread leaves the hash when it
 * exits, or when its context is gone and its sync work has disarmed it.
 * The hwt_thread holds a reference on its task, so while it is hashed the
 * task_struct cannot be freed and its address cannot key another task.
 *
 * Armed or not (thr->started): only the traced thread itself moves it,
 * from task_work (thread_sync_locked, under ctx->mutex) or from its exit
 * hook (atomic, no mutex: the thread's own works run after it, in
 * exit_task_work).  Every backend thread_start is paired with exactly one
 * thread_stop (sync work) or thread_exit (exit hook), whether or not the
 * context is still open: the backend's per-thread state and its trap
 * settings die with that call and never outlive the hash entry.  Others
 * (ctx_release's detach) only read it, to decide whether a sync is needed.
 *
 * State (thr->state) moves only down: ATTACHING -> ACTIVE (attach work, or
 * at ALLOC) -> EXITED (exit hook) or DETACHED (no buffer, or an exec that
 * gained privileges the context's owner could not ptrace through: the
 * exec hook marks it REVOKED, and its sync work, which runs before the
 * new program's first instruction, disarms and unhashes it).
 */

#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "hwt_internal.h"

#define HWT_THREAD_HASH_BITS	8

static DEFINE_HASHTABLE(hwt_thread_hash, HWT_THREAD_HASH_BITS);
static DEFINE_SPINLOCK(hwt_thread_lock);
static atomic_t hwt_nthreads = ATOMIC_INIT(0);

enum { HWT_THR_SYNC_PENDING, HWT_THR_REVOKED };

struct hwt_thread *hwt_thread_lookup(struct task_struct *task)
{
	struct hwt_thread *thr;

	if (!atomic_read(&hwt_nthreads))
		return NULL;
	hash_for_each_possible_rcu(hwt_thread_hash, thr, hnode,
				   (unsigned long)task)
		if (thr->task == task)
			return thr;
	return NULL;
}

struct hwt_thread *hwt_thread_current(struct hwt_context **ctxp)
{
	struct hwt_thread *thr = hwt_thread_lookup(current);

	if (thr && ctxp)
		*ctxp = thr->ctx;
	return thr;
}
EXPORT_SYMBOL_GPL(hwt_thread_current);

void *hwt_thread_priv(struct hwt_thread *thr)
{
	return READ_ONCE(thr->priv);
}
EXPORT_SYMBOL_GPL(hwt_thread_priv);

void hwt_thread_set_priv(struct hwt_thread *thr, void *priv)
{
	WRITE_ONCE(thr->priv, priv);
}
EXPORT_SYMBOL_GPL(hwt_thread_set_priv);

void *hwt_thread_hw_priv(struct hwt_thread *thr)
{
	return READ_ONCE(thr->hw_priv);
}
EXPORT_SYMBOL_GPL(hwt_thread_hw_priv);

void hwt_thread_set_hw_priv(struct hwt_thread *thr, void *priv)
{
	WRITE_ONCE(thr->hw_priv, priv);
}
EXPORT_SYMBOL_GPL(hwt_thread_set_hw_priv);

const struct hwt_backend *hwt_thread_backend(struct hwt_thread *thr)
{
	return thr->ctx->backend;
}
EXPORT_SYMBOL_GPL(hwt_thread_backend);

struct task_struct *hwt_thread_task(struct hwt_thread *thr)
{
	return thr->task;
}
EXPORT_SYMBOL_GPL(hwt_thread_task);

struct hwt_buffer *hwt_thread_buffer(struct hwt_thread *thr)
{
	return smp_load_acquire(&thr->buf);
}
EXPORT_SYMBOL_GPL(hwt_thread_buffer);

static struct hwt_thread *thread_new(struct hwt_context *ctx,
				     struct task_struct *task, gfp_t gfp)
{
	struct hwt_thread *thr = kzalloc(sizeof(*thr), gfp);

	if (!thr)
		return NULL;
	get_task_struct(task);
	thr->task = task;
	thr->ctx = ctx;
	thr->pid = task_tgid_nr(task);
	thr->tid = task_pid_nr(task);
	thr->state = HWT_THR_ATTACHING;
	INIT_LIST_HEAD(&thr->ctx_link);
	return thr;
}

/* Called from the context's final free only. */
void hwt_thread_free(struct hwt_thread *thr)
{
	put_task_struct(thr->task);
	kfree(thr);
}

/* Insert into the hash and the context's list; -EBUSY if already traced. */
static int thread_hash(struct hwt_thread *thr)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&hwt_thread_lock, flags);
	if (hwt_thread_lookup(thr->task) || thr->ctx->dead) {
		ret = -EBUSY;
	} else {
		hwt_context_get(thr->ctx);
		hash_add_rcu(hwt_thread_hash, &thr->hnode,
			     (unsigned long)thr->task);
		/* The fork hook adds without ctx->mutex: publish it for
		 * the mutex holders that walk the list meanwhile. */
		list_add_tail_rcu(&thr->ctx_link, &thr->ctx->threads);
		thr->hashed = true;
		atomic_inc(&hwt_nthreads);
		atomic_inc(&thr->ctx->live_threads);
	}
	spin_unlock_irqrestore(&hwt_thread_lock, flags);
	return ret;
}

/* Remove from the hash (the thread stays on the context's list).  Returns
 * whether this call did it; the caller then drops the hash's reference
 * (the context's final free waits for an RCU grace period). */
static bool thread_unhash(struct hwt_thread *thr)
{
	unsigned long flags;
	bool did = false;

	spin_lock_irqsave(&hwt_thread_lock, flags);
	if (thr->hashed) {
		hash_del_rcu(&thr->hnode);
		thr->hashed = false;
		atomic_dec(&hwt_nthreads);
		did = true;
	}
	spin_unlock_irqrestore(&hwt_thread_lock, flags);
	return did;
}

static void thread_record_comm(struct hwt_thread *thr)
{
	struct hwt_rec_comm rec = { };

	hwt_record_init_hdr(&rec.hdr, HWT_REC_COMM, sizeof(rec), thr->task,
			    thr->buf);
	get_task_comm(rec.comm, thr->task);
	hwt_record_push(thr->ctx, &rec.hdr);
}

/* Give a thread its buffer; ctx->mutex held. */
static int thread_add_buffer(struct hwt_thread *thr)
{
	struct hwt_context *ctx = thr->ctx;
	struct hwt_buffer *buf;

	lockdep_assert_held(&ctx->mutex);
	if (ctx->nbufs >= ctx->maxbufs)
		return -ENOSPC;
	buf = hwt_buffer_alloc(ctx, ctx->nbufs, thr->tid, -1);
	if (!buf)
		return -ENOMEM;
	ctx->bufs[ctx->nbufs] = buf;
	smp_store_release(&ctx->nbufs, ctx->nbufs + 1);
	smp_store_release(&thr->buf, buf);
	thr->state = HWT_THR_ACTIVE;
	return 0;
}

/*
 * Bring the thread's trace unit in line with the context: armed while the
 * context runs, disarmed otherwise.  Runs in the thread itself with
 * ctx->mutex held.
 */
static void thread_sync_locked(struct hwt_thread *thr)
{
	struct hwt_context *ctx = thr->ctx;
	const struct hwt_backend_ops *ops = ctx->backend->ops;
	bool want = !ctx->dead && ctx->state == HWT_STATE_RUNNING &&
		    thr->state == HWT_THR_ACTIVE &&
		    !test_bit(HWT_THR_REVOKED, &thr->work_flags);

	lockdep_assert_held(&ctx->mutex);
	if (want && !thr->started) {
		/*
		 * Started first: a backend that enables hardware in
		 * thread_start must see every switch-out from then on.
		 */
		smp_store_release(&thr->started, true);
		if (ops->thread_start)
			ops->thread_start(ctx, thr);
	} else if (!want && thr->started) {
		if (ops->thread_stop)
			ops->thread_stop(ctx, thr);
		smp_store_release(&thr->started, false);
	}
}

/*
 * The thread leaves the context (it exits, or a privileged exec ended its
 * tracing): a THREAD_EXIT record, the last one ending the context, and
 * its buffer no longer live.  Safe from the exit hook (atomic).
 */
static void thread_leaves(struct hwt_thread *thr, u32 flags, int exit_code)
{
	struct hwt_context *ctx = thr->ctx;
	struct hwt_buffer *buf = hwt_thread_buffer(thr);
	struct hwt_rec_thread rec = { };

	if (!READ_ONCE(ctx->dead)) {
		hwt_record_init_hdr(&rec.hdr, HWT_REC_THREAD_EXIT,
				    sizeof(rec), thr->task, buf);
		rec.parent_pid = -1;
		rec.parent_tid = -1;
		rec.exit_code = exit_code;
		rec.flags = flags;
		if (atomic_dec_and_test(&ctx->live_threads)) {
			rec.flags |= HWT_THREAD_LAST;
			WRITE_ONCE(ctx->state, HWT_STATE_TARGET_GONE);
		}
		hwt_record_push(ctx, &rec.hdr);
	}
	if (buf)
		WRITE_ONCE(buf->live, false);
}

/*
 * Tracing of a thread ended by a privileged exec: say so (a THREAD_EXIT
 * record flagged REVOKED).  ctx->mutex held, the thread disarmed.
 */
static void thread_revoke_locked(struct hwt_thread *thr)
{
	lockdep_assert_held(&thr->ctx->mutex);
	WRITE_ONCE(thr->state, HWT_THR_DETACHED);
	thread_leaves(thr, HWT_THREAD_REVOKED, 0);
	pr_info_ratelimited("hwt: tid %d: tracing ended at a privileged exec\n",
			    thr->tid);
}

static void thread_sync_work(struct callback_head *cb)
{
	struct hwt_thread *thr = container_of(cb, struct hwt_thread,
					      sync_work);
	struct hwt_context *ctx = thr->ctx;
	bool gone, revoked;

	clear_bit(HWT_THR_SYNC_PENDING, &thr->work_flags);
	mutex_lock(&ctx->mutex);
	thread_sync_locked(thr);
	revoked = test_bit(HWT_THR_REVOKED, &thr->work_flags) &&
		  thr->state == HWT_THR_ACTIVE;
	if (revoked)
		thread_revoke_locked(thr);
	gone = ctx->dead || revoked;
	mutex_unlock(&ctx->mutex);
	/* Disarmed and nobody wants it: let go of the hash entry. */
	if (gone && thread_unhash(thr))
		hwt_context_put(ctx);
	hwt_context_put(ctx);
}

/* Queue a sync in the thread (mode: TWA_SIGNAL from another thread). */
static void thread_queue_sync_mode(struct hwt_thread *thr,
				   enum task_work_notify_mode mode)
{
	if (thr->state != HWT_THR_ACTIVE && !thr->started)
		return;
	if (test_and_set_bit(HWT_THR_SYNC_PENDING, &thr->work_flags))
		return;
	hwt_context_get(thr->ctx);
	init_task_work(&thr->sync_work, thread_sync_work);
	if (task_work_add(thr->task, &thr->sync_work, mode)) {
		/* Exiting: the exit hook disarms and unhashes it. */
		clear_bit(HWT_THR_SYNC_PENDING, &thr->work_flags);
		hwt_context_put(thr->ctx);
	}
}

/* Queue a sync in the thread; ctx->mutex held. */
static void thread_queue_sync(struct hwt_thread *thr)
{
	lockdep_assert_held(&thr->ctx->mutex);
	/* TWA_SIGNAL: a thread blocked in a syscall runs it at once (the
	 * syscall restarts transparently). */
	thread_queue_sync_mode(thr, TWA_SIGNAL);
}

/* New thread of a traced process: first thing it does in user context. */
static void thread_attach_work(struct callback_head *cb)
{
	struct hwt_thread *thr = container_of(cb, struct hwt_thread,
					      attach_work);
	struct hwt_context *ctx = thr->ctx;
	bool drop = false;

	mutex_lock(&ctx->mutex);
	if (ctx->dead || thr->state != HWT_THR_ATTACHING) {
		drop = ctx->dead;
	} else if (thread_add_buffer(thr)) {
		pr_warn_ratelimited("hwt: no buffer for thread %d, not traced\n",
				    thr->tid);
		thr->state = HWT_THR_DETACHED;
		drop = true;
	} else {
		thread_record_comm(thr);
		thread_sync_locked(thr);
	}
	mutex_unlock(&ctx->mutex);
	if (drop && thread_unhash(thr)) {
		atomic_dec(&ctx->live_threads);
		hwt_context_put(ctx);
	}
	hwt_context_put(ctx);
}

static bool thread_in_context(struct hwt_context *ctx, struct task_struct *t)
{
	struct hwt_thread *thr;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&hwt_thread_lock, flags);
	list_for_each_entry(thr, &ctx->threads, ctx_link)
		if (thr->task == t)
			found = true;
	spin_unlock_irqrestore(&hwt_thread_lock, flags);
	return found;
}

/* Next thread of leader's group not yet in ctx, with a reference. */
static struct task_struct *next_untraced(struct hwt_context *ctx,
					 struct task_struct *leader)
{
	struct task_struct *t, *found = NULL;

	rcu_read_lock();
	for_each_thread(leader, t) {
		if (t->flags & PF_EXITING || thread_in_context(ctx, t))
			continue;
		get_task_struct(t);
		found = t;
		break;
	}
	rcu_read_unlock();
	return found;
}

/*
 * Thread mode ALLOC: trace every thread of process pid.  ctx->mutex held.
 * Threads created meanwhile are caught either here (they are on the
 * thread list) or by the fork hook (their parent is already hashed).
 */
int hwt_thread_attach_process(struct hwt_context *ctx, pid_t pid)
{
	struct task_struct *leader, *t;
	struct hwt_thread *thr;
	struct pid *p;
	int ret = 0;

	lockdep_assert_held(&ctx->mutex);
	p = find_get_pid(pid);
	leader = p ? get_pid_task(p, PIDTYPE_TGID) : NULL;
	put_pid(p);
	if (!leader)
		return -ESRCH;
	if (leader->flags & PF_KTHREAD) {
		ret = -EPERM;
		goto out;
	}
	if (!hwt_may_trace_task(leader)) {
		ret = -EPERM;
		goto out;
	}
	ctx->pid = task_tgid_nr(leader);

	while ((t = next_untraced(ctx, leader))) {
		thr = thread_new(ctx, t, GFP_KERNEL);
		put_task_struct(t);
		if (!thr) {
			ret = -ENOMEM;
			break;
		}
		ret = thread_add_buffer(thr);
		if (!ret)
			ret = thread_hash(thr);
		if (ret) {
			/* The buffer (if any) stays in ctx->bufs and is freed
			 * with the context. */
			hwt_thread_free(thr);
			break;
		}
		thread_record_comm(thr);
	}
	if (!ret && list_empty(&ctx->threads))
		ret = -ESRCH;		/* it exited under us */
	if (!ret)
		ret = hwt_hook_synthesize_mmaps(ctx, leader, ctx->bufs[0]);
out:
	put_task_struct(leader);
	return ret;
}

void hwt_thread_start_all(struct hwt_context *ctx)
{
	struct hwt_thread *thr;

	lockdep_assert_held(&ctx->mutex);
	list_for_each_entry_rcu(thr, &ctx->threads, ctx_link,
				lockdep_is_held(&ctx->mutex))
		thread_queue_sync(thr);
}

void hwt_thread_stop_all(struct hwt_context *ctx)
{
	hwt_thread_start_all(ctx);	/* a sync stops when not running */
}

/*
 * The context's fd is gone (ctx->dead set, ctx->mutex held).  Threads that
 * are armed get a sync that disarms and unhashes them; the others leave
 * the hash now.
 */
void hwt_thread_detach_all(struct hwt_context *ctx)
{
	struct hwt_thread *thr;
	int dropped = 0;

	lockdep_assert_held(&ctx->mutex);
	list_for_each_entry_rcu(thr, &ctx->threads, ctx_link,
				lockdep_is_held(&ctx->mutex)) {
		if (smp_load_acquire(&thr->started)) {
			thread_queue_sync(thr);
			if (test_bit(HWT_THR_SYNC_PENDING, &thr->work_flags))
				continue;
		}
		if (thr->state == HWT_THR_ATTACHING)
			continue;	/* its attach work unhashes it */
		if (thread_unhash(thr))
			dropped++;
	}
	while (dropped--)
		hwt_context_put(ctx);
}

/* sched_process_fork: runs in the parent, atomic; child not yet running. */
void hwt_thread_on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct hwt_rec_thread rec = { };
	struct hwt_thread *pthr, *thr;
	struct hwt_context *ctx;
	bool is_thread;

	pthr = hwt_thread_lookup(parent);
	if (!pthr)
		return;
	ctx = pthr->ctx;
	if (READ_ONCE(ctx->dead))
		return;
	is_thread = same_thread_group(parent, child);
	if (!is_thread && !(ctx->flags & HWT_ALLOC_INHERIT))
		return;

	thr = thread_new(ctx, child, GFP_ATOMIC);
	if (thr && thread_hash(thr)) {
		hwt_thread_free(thr);
		thr = NULL;
	}
	hwt_record_init_hdr(&rec.hdr, HWT_REC_THREAD_CREATE, sizeof(rec),
			    child, NULL);
	rec.parent_pid = task_tgid_nr(parent);
	rec.parent_tid = task_pid_nr(parent);
	rec.flags = is_thread ? 0 : HWT_THREAD_FORK;
	hwt_record_push(ctx, &rec.hdr);
	if (!thr) {
		pr_warn_ratelimited("hwt: cannot follow new thread %d\n",
				    task_pid_nr(child));
		return;
	}

	hwt_context_get(ctx);
	init_task_work(&thr->attach_work, thread_attach_work);
	if (task_work_add(child, &thr->attach_work, TWA_RESUME)) {
		/* Cannot happen for a task that has not run yet; if it
		 * does, the exit hook cleans up. */
		hwt_context_put(ctx);
	}
}

/*
 * sched_process_exec: runs in the exec'ing thread, atomic, once the new
 * program is set up and before its first instruction.  An exec that
 * gained privileges (or of a binary the caller cannot read) leaves the
 * process non-dumpable, which is what ptrace's access check looks at: a
 * context whose owner could not ptrace it now stops tracing it, as
 * ptrace would have kept the exec from gaining them.  The sync work runs
 * before the return to user mode.
 */
void hwt_thread_on_exec(struct task_struct *task)
{
	struct hwt_thread *thr = hwt_thread_lookup(task);

	if (!thr || READ_ONCE(thr->ctx->dead) || thr->ctx->owner_may_ptrace)
		return;
	if (!task->mm || get_dumpable(task->mm) == SUID_DUMP_USER)
		return;
	if (test_and_set_bit(HWT_THR_REVOKED, &thr->work_flags))
		return;
	thread_queue_sync_mode(thr, TWA_RESUME);
}

/* sched_process_exit: runs in the exiting thread, atomic. */
void hwt_thread_on_exit(struct task_struct *task)
{
	struct hwt_thread *thr = hwt_thread_lookup(task);
	struct hwt_context *ctx;

	if (!thr)
		return;
	ctx = thr->ctx;
	/*
	 * Disarm even when the context was closed meanwhile: a sync queued by
	 * the close runs after us and finds nothing armed, so without this
	 * call the backend's per-thread state would outlive the thread.
	 */
	if (thr->started && ctx->backend->ops->thread_exit)
		ctx->backend->ops->thread_exit(ctx, thr);
	thread_leaves(thr, 0, task->exit_code);
	/* state and started are otherwise changed under ctx->mutex, which
	 * we cannot take here; the task is dying, so no work of it can run
	 * concurrently except its own pending ones, which run after this
	 * (exit_task_work comes later in do_exit) and see EXITED. */
	WRITE_ONCE(thr->state, HWT_THR_EXITED);
	/* Pairs with detach_all: seen false only once thread_exit is done. */
	smp_store_release(&thr->started, false);
	/* Hash readers may still hold thr: the context's final free
	 * waits for a grace period first (see hwt_context_put). */
	if (thread_unhash(thr))
		hwt_context_put(ctx);
}

int hwt_thread_init(void)
{
	return 0;
}

void hwt_thread_exit(void)
{
	WARN_ON(atomic_read(&hwt_nthreads));
}
