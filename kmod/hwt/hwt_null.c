// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_null: a TEST backend with no trace unit.  On every switch-in of a
 * traced thread (thread mode) or every context switch (CPU mode) it writes
 * one struct hwt_null_sample into the buffer, so tests can check the data
 * path (mmap, head/tail, wrap, loss) against the SWITCH records.  Its
 * config (version 1) is one u32: extra filler bytes per sample, to fill
 * buffers fast.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "hwt_backend.h"
#include "hwt_null.h"

/* A sample and its filler go in one write, so that each switch-in is
 * either stored whole or counted whole as lost. */
struct null_bounce {
	struct hwt_null_sample s;
	u8 filler[HWT_NULL_FILLER_MAX];
};

static struct null_bounce __percpu *null_bounce;

struct null_ctx {
	atomic64_t seq;
	u32 filler;
};

static int null_init(struct hwt_context *ctx)
{
	struct null_ctx *nc = kzalloc(sizeof(*nc), GFP_KERNEL);

	if (!nc)
		return -ENOMEM;
	atomic64_set(&nc->seq, 0);
	hwt_context_set_priv(ctx, nc);
	return 0;
}

static void null_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

static int null_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct null_ctx *nc = hwt_context_priv(ctx);
	const struct hwt_null_config *cfg = data;

	if (version != HWT_NULL_CONFIG_VERSION)
		return -EINVAL;
	if (size != sizeof(*cfg))
		return -EINVAL;
	if (cfg->filler > HWT_NULL_FILLER_MAX || cfg->filler % 8 ||
	    cfg->reserved)
		return -EINVAL;
	nc->filler = cfg->filler;
	return 0;
}

/* Scheduler context: preemption is off, so the per-CPU bounce is ours. */
static void null_emit(struct hwt_context *ctx, struct hwt_buffer *buf,
		      struct task_struct *task, int cpu)
{
	struct null_ctx *nc = hwt_context_priv(ctx);
	struct null_bounce *b = this_cpu_ptr(null_bounce);

	if (!buf)
		return;
	b->s.magic = HWT_NULL_MAGIC;
	b->s.tid = task_pid_nr(task);
	b->s.cpu = cpu;
	b->s.filler = nc->filler;
	b->s.seq = atomic64_inc_return(&nc->seq);
	b->s.time = ktime_get_mono_fast_ns();
	hwt_buffer_write(buf, b, sizeof(b->s) + nc->filler);
}

static void null_switch_in(struct hwt_context *ctx, struct hwt_thread *thr,
			   int cpu)
{
	null_emit(ctx, hwt_thread_buffer(thr), hwt_thread_task(thr), cpu);
}

static void null_cpu_switch(struct hwt_context *ctx, int cpu,
			    struct task_struct *prev, struct task_struct *next)
{
	null_emit(ctx, hwt_cpu_buffer(ctx, cpu), next, cpu);
}

static const struct hwt_backend_ops null_ops = {
	.init = null_init,
	.deinit = null_deinit,
	.configure = null_configure,
	.switch_in = null_switch_in,
	.cpu_switch = null_cpu_switch,
};

static struct hwt_backend null_backend = {
	.name = "null",
	.owner = THIS_MODULE,
	.ops = &null_ops,
	.modes = HWT_BACKEND_THREAD | HWT_BACKEND_CPU,
};

static int __init hwt_null_init(void)
{
	int ret;

	null_bounce = alloc_percpu(struct null_bounce);
	if (!null_bounce)
		return -ENOMEM;
	ret = hwt_backend_register(&null_backend);
	if (ret)
		free_percpu(null_bounce);
	return ret;
}

static void __exit hwt_null_exit(void)
{
	hwt_backend_unregister(&null_backend);
	free_percpu(null_bounce);
}

module_init(hwt_null_init);
module_exit(hwt_null_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt test backend (no hardware; writes samples)");
