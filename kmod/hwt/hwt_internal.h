/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwt framework internals, shared by the files of hwt.ko.
 *
 * Lock order and discipline (outermost first):
 *   ctx->mutex        ioctl/mmap/release of one context; may sleep.  Guards
 *                     ctx->state changes and ctx->bufs[] growth.
 *   hwt_thread_lock   global spinlock guarding the thread hash (writers);
 *                     hooks read the hash under RCU (tracepoints run with
 *                     preemption off, which is an RCU read-side section).
 *   ctx->recq_lock    raw spinlock, IRQ-safe: the record queue.  Taken from
 *                     scheduler hooks, so never wake anyone up under it:
 *                     wakeups go through ctx->wake_work (irq_work).
 *   buf->lock         raw spinlock, IRQ-safe: one buffer's ring accounting.
 * recq_lock and buf->lock are never held together.
 */
#ifndef _HWT_INTERNAL_H
#define _HWT_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/kref.h>
#include <linux/irq_work.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>

#include "../../include/hwt/hwt.h"
#include "hwt_backend.h"
#include "hwt_ring.h"
#include "hwt_recq.h"

#define HWT_NO_BUF	(~0u)

struct hwt_buffer {
	void *base;			/* vmalloc_user, or contig's address */
	struct page *contig;		/* physically contiguous (backend asked
					 * HWT_BACKEND_CONTIG), or NULL */
	unsigned int order;		/* of contig */
	struct hwt_context *ctx;
	u32 idx;
	pid_t tid;			/* -1 in CPU mode */
	int cpu;			/* -1 in thread mode */
	bool live;			/* its thread/CPU is still traced */
	bool signalled;			/* poll was told about data */
	bool overflow;			/* lost data, not yet told backend */
	raw_spinlock_t lock;
	struct hwt_ring ring;
};

enum hwt_thread_state {
	HWT_THR_ATTACHING,		/* buffer not yet allocated */
	HWT_THR_ACTIVE,
	HWT_THR_EXITED,
	HWT_THR_DETACHED,		/* context gone or stopped tracing it */
};

struct hwt_thread {
	struct hlist_node hnode;	/* hwt_thread_hash, by task */
	struct list_head ctx_link;	/* ctx->threads, under ctx->mutex */
	struct kref ref;
	struct task_struct *task;	/* holds a task reference */
	struct hwt_context *ctx;	/* holds a context reference */
	struct hwt_buffer *buf;		/* NULL until attached */
	pid_t pid, tid;
	int state;			/* enum hwt_thread_state */
	bool hashed;
	bool started;			/* backend thread_start ran */
	void *priv;			/* backend's */
	void *hw_priv;			/* software trace unit's */
	unsigned long work_flags;	/* HWT_THR_SYNC_PENDING */
	struct callback_head attach_work;
	struct callback_head sync_work;
};

struct hwt_context {
	struct kref ref;
	struct mutex mutex;
	struct hwt_backend *backend;
	void *priv;			/* backend's */
	u32 mode;			/* HWT_MODE_* */
	u32 flags;			/* HWT_ALLOC_* */
	int state;			/* HWT_STATE_* */
	bool configured;
	bool started;			/* backend start ran, stop not yet */
	bool backend_inited;		/* backend init ran */
	bool dead;			/* fd released */
	bool owner_may_ptrace;		/* CAP_SYS_PTRACE at ALLOC: keeps
					 * tracing across privileged exec */
	pid_t pid;			/* thread mode target */
	u64 bufsize;

	/* Buffers, by index; grows (thread mode) under mutex, read in hooks
	 * only through thr->buf or cpu_bufs. */
	struct hwt_buffer **bufs;
	u32 nbufs, maxbufs;

	struct list_head threads;	/* struct hwt_thread; added under
					 * hwt_thread_lock (RCU), walked under
					 * mutex or that lock */
	atomic_t live_threads;
	struct cpumask *cpus;		/* CPU mode */
	struct hwt_buffer *cpu_shared;	/* CPU mode, HWT_BACKEND_CPU_SHARED:
					 * every traced CPU's buffer */

	raw_spinlock_t recq_lock;
	struct hwt_recq recq;
	void *recq_mem;
	u32 wakeups;			/* HWT_IOC_WAKEUP count */
	wait_queue_head_t wq;
	struct irq_work wake_work;
	struct work_struct free_work;
};

/* hwt_main.c */
extern struct workqueue_struct *hwt_wq;

/* hwt_backend.c */
struct hwt_backend *hwt_backend_get(const char *name);
void hwt_backend_put(struct hwt_backend *be);

/* hwt_context.c */
int hwt_context_alloc(struct hwt_alloc *req);
void hwt_context_get(struct hwt_context *ctx);
void hwt_context_put(struct hwt_context *ctx);
void hwt_context_wake(struct hwt_context *ctx);

/* hwt_buffer.c */
struct hwt_buffer *hwt_buffer_alloc(struct hwt_context *ctx, u32 idx,
				    pid_t tid, int cpu);
void hwt_buffer_free(struct hwt_buffer *buf);
int hwt_buffer_mmap(struct hwt_context *ctx, struct vm_area_struct *vma);
void hwt_buffer_ptr(struct hwt_buffer *buf, struct hwt_bufptr *ptr);
int hwt_buffer_consume(struct hwt_buffer *buf, u64 tail);
bool hwt_buffer_has_data(struct hwt_buffer *buf);

/* hwt_record.c */
void hwt_record_init_hdr(struct hwt_record_hdr *hdr, u32 type, u32 size,
			 struct task_struct *task, struct hwt_buffer *buf);
void hwt_record_push(struct hwt_context *ctx, struct hwt_record_hdr *hdr);
void hwt_record_buffer_event(struct hwt_buffer *buf, u32 flags, u64 lost);
/* The same, placed at stream position pos instead of the head. */
void hwt_record_buffer_event_at(struct hwt_buffer *buf, u32 flags, u64 lost,
				u64 pos);
int hwt_record_get(struct hwt_context *ctx, struct hwt_record_get *req);
bool hwt_record_pending(struct hwt_context *ctx);

/* hwt_thread.c */
int hwt_thread_init(void);
void hwt_thread_exit(void);
int hwt_thread_attach_process(struct hwt_context *ctx, pid_t pid);
void hwt_thread_start_all(struct hwt_context *ctx);
void hwt_thread_stop_all(struct hwt_context *ctx);
void hwt_thread_detach_all(struct hwt_context *ctx);
struct hwt_thread *hwt_thread_lookup(struct task_struct *task);
void hwt_thread_on_fork(struct task_struct *parent, struct task_struct *child);
void hwt_thread_on_exit(struct task_struct *task);
void hwt_thread_on_exec(struct task_struct *task);
void hwt_thread_free(struct hwt_thread *thr);

/* hwt_cpu.c */
int hwt_cpu_attach(struct hwt_context *ctx, const u64 *map);
void hwt_cpu_detach(struct hwt_context *ctx);
struct hwt_context *hwt_cpu_context(int cpu);

/* hwt_hook.c */
int hwt_hook_init(void);
int hwt_hook_synthesize_mmaps(struct hwt_context *ctx,
			      struct task_struct *task,
			      struct hwt_buffer *buf);
void hwt_hook_exit(void);

/* hwt_security.c */
int hwt_security_init(void);
bool hwt_may_trace_task(struct task_struct *task);
bool hwt_may_trace_cpus(void);

#endif /* _HWT_INTERNAL_H */
