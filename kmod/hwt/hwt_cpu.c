// SPDX-License-Identifier: GPL-2.0
/*
 * CPU mode: one buffer per traced CPU (one for all of them when the
 * backend's units share a sink, HWT_BACKEND_CPU_SHARED), and at most one
 * context per CPU.
 * The scheduler hook finds a CPU's context through an RCU per-CPU pointer.
 */

#include <linux/cpumask.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "hwt_internal.h"

static DEFINE_PER_CPU(struct hwt_context __rcu *, hwt_cpu_ctx);
static DEFINE_MUTEX(hwt_cpu_lock);

struct hwt_context *hwt_cpu_context(int cpu)
{
	return rcu_dereference_sched(per_cpu(hwt_cpu_ctx, cpu));
}

/* ctx->mutex held. */
int hwt_cpu_attach(struct hwt_context *ctx, const u64 *map)
{
	unsigned int cpu, word, bit;
	int ret = 0;

	lockdep_assert_held(&ctx->mutex);
	ctx->cpus = kzalloc(cpumask_size(), GFP_KERNEL);
	if (!ctx->cpus)
		return -ENOMEM;
	for (word = 0; word < HWT_CPU_MAP_WORDS; word++) {
		for (bit = 0; bit < 64; bit++) {
			if (!(map[word] & (1ULL << bit)))
				continue;
			cpu = word * 64 + bit;
			if (cpu >= nr_cpu_ids || !cpu_online(cpu))
				return -EINVAL;
			cpumask_set_cpu(cpu, ctx->cpus);
		}
	}
	if (cpumask_empty(ctx->cpus))
		return -EINVAL;

	for_each_cpu(cpu, ctx->cpus) {
		ctx->bufs[cpu] = hwt_buffer_alloc(ctx, cpu, -1, cpu);
		if (!ctx->bufs[cpu])
			return -ENOMEM;
		/* One sink for all: the lowest CPU's buffer only. */
		if (ctx->backend->modes & HWT_BACKEND_CPU_SHARED) {
			ctx->cpu_shared = ctx->bufs[cpu];
			break;
		}
	}
	smp_store_release(&ctx->nbufs, ctx->maxbufs);

	mutex_lock(&hwt_cpu_lock);
	for_each_cpu(cpu, ctx->cpus)
		if (rcu_access_pointer(per_cpu(hwt_cpu_ctx, cpu)))
			ret = -EBUSY;
	if (!ret)
		for_each_cpu(cpu, ctx->cpus)
			rcu_assign_pointer(per_cpu(hwt_cpu_ctx, cpu), ctx);
	mutex_unlock(&hwt_cpu_lock);
	return ret;
}

/* ctx->mutex held; the final free waits for a grace period. */
void hwt_cpu_detach(struct hwt_context *ctx)
{
	unsigned int cpu;

	lockdep_assert_held(&ctx->mutex);
	if (!ctx->cpus)
		return;
	mutex_lock(&hwt_cpu_lock);
	for_each_cpu(cpu, ctx->cpus)
		if (rcu_access_pointer(per_cpu(hwt_cpu_ctx, cpu)) == ctx)
			RCU_INIT_POINTER(per_cpu(hwt_cpu_ctx, cpu), NULL);
	mutex_unlock(&hwt_cpu_lock);
	for_each_cpu(cpu, ctx->cpus)
		if (ctx->bufs[cpu])
			WRITE_ONCE(ctx->bufs[cpu]->live, false);
}
