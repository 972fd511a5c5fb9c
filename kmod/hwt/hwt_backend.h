/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwt backend interface: what a trace-unit driver (intel_pt, coresight,
 * soft, null) implements and what the framework offers it.
 *
 * A backend is its own module; it calls hwt_backend_register() at init and
 * hwt_backend_unregister() at exit.  The framework holds a reference on the
 * backend's module for as long as any context uses it.
 *
 * Calling contexts (who may sleep) are part of the contract:
 *   configure, init, deinit, start, stop          process context, may sleep
 *   thread_start, thread_stop                      the traced thread itself,
 *                                                  process context (task_work)
 *   thread_exit                                    the exiting thread itself,
 *                                                  atomic (tracepoint)
 *   switch_in, switch_out, cpu_switch              scheduler, atomic, IRQs off,
 *                                                  runqueue lock held: no wakeups,
 *                                                  no sleeping, no allocation
 * hwt_buffer_write() may be called from any of these.
 */
#ifndef _HWT_BACKEND_H
#define _HWT_BACKEND_H

#include <linux/types.h>
#include <linux/list.h>

struct module;
struct task_struct;
struct hwt_context;
struct hwt_thread;
struct hwt_buffer;

struct hwt_backend_ops {
	/* Context created / destroyed. */
	int (*init)(struct hwt_context *ctx);
	void (*deinit)(struct hwt_context *ctx);
	/* Validate and keep a config blob; only before START. */
	int (*configure)(struct hwt_context *ctx, u32 version,
			 const void *data, u32 size);
	int (*start)(struct hwt_context *ctx);
	void (*stop)(struct hwt_context *ctx);

	/*
	 * Thread mode.  Each thread_start is followed by exactly one
	 * thread_stop or thread_exit, also after the context's fd is closed
	 * (then hwt_context_running() is false and no record is queued).
	 * The thread can be switched out and in while it runs thread_start
	 * or thread_stop, and switch_in/switch_out are called for it then
	 * (before thread_start is done, after thread_stop began): a backend
	 * that programs hardware there does it with preemption off, and its
	 * switch hooks go by its own per-thread state.
	 */
	void (*thread_start)(struct hwt_context *ctx, struct hwt_thread *thr);
	void (*thread_stop)(struct hwt_context *ctx, struct hwt_thread *thr);
	void (*thread_exit)(struct hwt_context *ctx, struct hwt_thread *thr);
	void (*switch_in)(struct hwt_context *ctx, struct hwt_thread *thr,
			  int cpu);
	void (*switch_out)(struct hwt_context *ctx, struct hwt_thread *thr,
			   int cpu);

	/*
	 * CPU mode: a context switch on a traced CPU, prev -> next, called
	 * between that CPU's SWITCH_OUT and SWITCH_IN records: a backend
	 * that publishes its unit's head here (hwt_buffer_produced) puts
	 * the switch at its exact place in the stream (the records'
	 * buf_head).
	 */
	void (*cpu_switch)(struct hwt_context *ctx, int cpu,
			   struct task_struct *prev, struct task_struct *next);

	/*
	 * What a decoder needs of this context's trace (HWT_IOC_DESCRIBE,
	 * include/hwt/hwt.h): "kind=K\n" first, then "key=value\n" lines,
	 * into buf (len bytes, HWT_DESCRIBE_MAX), with ctx->mutex held.
	 * Optional: without it the text is "kind=<backend name>\n".
	 * Returns the bytes written (scnprintf), or a negative errno.
	 */
	int (*describe)(struct hwt_context *ctx, char *buf, size_t len);
};

/* hwt_backend.modes */
#define HWT_BACKEND_THREAD	(1u << 0)
#define HWT_BACKEND_CPU		(1u << 1)
/*
 * Buffers of a power-of-two size up to HWT_CONTIG_MAX are allocated
 * physically contiguous (alloc_pages, aligned to their size) when the
 * allocator can, for a trace unit that writes large regions (Intel PT
 * ToPA entries, single-range output); else vmalloc_user as always.
 * hwt_buffer_page() tells which: consecutive physical addresses.
 */
#define HWT_BACKEND_CONTIG	(1u << 2)
#define HWT_CONTIG_MAX		(PAGE_SIZE << (MAX_ORDER - 1))
/*
 * CPU mode: the traced CPUs' trace units write into one sink they share
 * (CoreSight: ETMs behind funnels into one TMC), so a CPU-mode context
 * has one buffer, the lowest traced CPU's: hwt_cpu_buffer() returns it
 * for every traced CPU, and every CPU's records carry its index and
 * head (each record still names the CPU it was made on).
 */
#define HWT_BACKEND_CPU_SHARED	(1u << 3)

struct hwt_backend {
	const char *name;
	struct module *owner;
	const struct hwt_backend_ops *ops;
	u32 modes;			/* HWT_BACKEND_* */
	u32 max_ranges;			/* address-range filters it honours */
	struct list_head link;		/* framework's */
};

int hwt_backend_register(struct hwt_backend *be);
void hwt_backend_unregister(struct hwt_backend *be);

/* Per-context and per-thread backend state. */
void *hwt_context_priv(struct hwt_context *ctx);
void hwt_context_set_priv(struct hwt_context *ctx, void *priv);
bool hwt_context_running(struct hwt_context *ctx);
bool hwt_context_ring_mode(struct hwt_context *ctx);
/*
 * CPU mode (HWT_MODE_CPU): one buffer per traced CPU, hwt_cpu_buffer()
 * (one for all of them with HWT_BACKEND_CPU_SHARED).
 */
bool hwt_context_cpu_mode(struct hwt_context *ctx);
/* Bytes of each of the context's buffers (a multiple of PAGE_SIZE). */
u64 hwt_context_bufsize(struct hwt_context *ctx);
void *hwt_thread_priv(struct hwt_thread *thr);
void hwt_thread_set_priv(struct hwt_thread *thr, void *priv);
struct task_struct *hwt_thread_task(struct hwt_thread *thr);
/*
 * A second per-thread slot for the trace unit itself when it is software
 * (the emulated Intel PT unit, hwt_pt_emu): the backend owns priv, the
 * unit hw_priv.  Set and cleared by the traced thread only.
 */
void *hwt_thread_hw_priv(struct hwt_thread *thr);
void hwt_thread_set_hw_priv(struct hwt_thread *thr, void *priv);
/* The backend of the thread's context: is this thread one of ours? */
const struct hwt_backend *hwt_thread_backend(struct hwt_thread *thr);
struct hwt_buffer *hwt_thread_buffer(struct hwt_thread *thr);
struct hwt_buffer *hwt_cpu_buffer(struct hwt_context *ctx, int cpu);
/*
 * CPU mode: tracing just began on this CPU (the backend's START, on that
 * CPU, IRQs off): a SWITCH_IN record for the task running here, at the
 * buffer's head, since no context switch will announce it.  The
 * framework's context is RUNNING while the backend starts in CPU mode,
 * so switches on CPUs already started are recorded and reach cpu_switch.
 */
void hwt_cpu_record_current(struct hwt_context *ctx);

/*
 * The traced thread that is current, with its context, or NULL.  Caller
 * must be in an RCU read-side or preempt-disabled section; the result is
 * valid until it ends.
 */
struct hwt_thread *hwt_thread_current(struct hwt_context **ctxp);

/*
 * Append len bytes to a buffer.  Streaming mode: if they do not fit before
 * the consumer's tail, nothing is written, the loss is counted and a BUFFER
 * record is queued; returns -ENOSPC.  Ring mode: overwrites the oldest data.
 * Returns len on success.
 */
int hwt_buffer_write(struct hwt_buffer *buf, const void *data, size_t len);
/*
 * Hardware output (a trace unit writing into the pages itself): the
 * buffer's size and its pages (4 KiB each, physically scattered), the
 * current head, and hwt_buffer_produced() to move the head to where the
 * unit got (absolute bytes, >= head).  Streaming mode: bytes the unit
 * wrote over unread data count as lost (a BUFFER record placed at the new
 * tail, where the kept bytes begin: that is where the stream has the
 * hole); ring mode: a wrap record.  Returns 0, or -EINVAL if head goes
 * backwards.
 */
u64 hwt_buffer_size(struct hwt_buffer *buf);
struct page *hwt_buffer_page(struct hwt_buffer *buf, unsigned long i);
u64 hwt_buffer_head(struct hwt_buffer *buf);
int hwt_buffer_produced(struct hwt_buffer *buf, u64 head);
/*
 * The trace unit lost output it cannot count (it stopped writing: an
 * output error): a BUFFER record flagged HWT_BUFREC_GAP at the current
 * head.  Not from NMI context.
 */
void hwt_buffer_gap(struct hwt_buffer *buf);
/* Free bytes before a streaming write would fail (ring mode: size). */
size_t hwt_buffer_space(struct hwt_buffer *buf);
/* True once data has been lost since the last call (clears the flag). */
bool hwt_buffer_test_and_clear_overflow(struct hwt_buffer *buf);

/*
 * Attach a probe to a kernel tracepoint by name (tracepoints are not
 * exported as symbols on Debian's kernel).  Returns 0 or -errno.
 */
int hwt_tracepoint_attach(const char *name, void *probe, void *data);
void hwt_tracepoint_detach(const char *name, void *probe, void *data);

#endif /* _HWT_BACKEND_H */
