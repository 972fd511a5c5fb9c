// SPDX-License-Identifier: GPL-2.0
/*
 * soft_life: the lifecycle of a stepped thread's record, its log of
 * kernel passes and the probes' attachment, shared by both halves of the
 * soft stepper (see soft_life.h).
 */

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "soft_life.h"

int soft_life_queue(struct soft_life *l, unsigned int w, task_work_func_t fn)
{
	return soft_life_queue_on(l, w, fn, current);
}

int soft_life_queue_on(struct soft_life *l, unsigned int w,
		       task_work_func_t fn, struct task_struct *task)
{
	int ret;

	if (test_and_set_bit(w, &l->pending))
		return 0;
	__module_get(THIS_MODULE);
	init_task_work(&l->work[w], fn);
	ret = task_work_add(task, &l->work[w], TWA_RESUME);
	if (ret) {
		clear_bit(w, &l->pending);
		module_put(THIS_MODULE);
	}
	return ret;
}

bool soft_life_work_begin(struct soft_life *l, unsigned int w)
{
	/* Same thread as the other works and the release: no race. */
	clear_bit(w, &l->pending);
	if (!l->dead)
		return true;
	if (!l->pending)
		kfree_rcu(l, rcu);
	module_put(THIS_MODULE);
	return false;
}

void soft_life_work_end(void)
{
	module_put(THIS_MODULE);
}

void soft_life_release(struct soft_life *l)
{
	if (l->pending)
		l->dead = true;
	else
		kfree_rcu(l, rcu);
}

void soft_note(struct soft_evlog *log, u8 type, u64 ip, bool restart)
{
	if (log->nev < SOFT_NEV) {
		log->ev[log->nev].type = type;
		log->ev[log->nev].restart = restart;
		log->ev[log->nev].ip = ip;
	}
	if (log->nev <= SOFT_NEV)
		log->nev++;	/* SOFT_NEV + 1: overflowed, resync */
}

bool soft_is_restart(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

int soft_config_check(u32 version, const void *data, u32 size)
{
	const struct hwt_soft_config *uc = data;
	u32 i;

	if (version != HWT_SOFT_CONFIG_VERSION) {
		pr_debug("hwt_soft: config version %u, want %u\n", version,
			 HWT_SOFT_CONFIG_VERSION);
		return -EINVAL;
	}
	if (size != sizeof(*uc))
		return -EINVAL;
	if (uc->nranges > HWT_SOFT_MAX_RANGES)
		return -E2BIG;
	if (uc->flags & ~HWT_SOFT_FLAGS_ALL || uc->reserved)
		return -EINVAL;
	for (i = 0; i < HWT_SOFT_MAX_RANGES; i++) {
		if (i < uc->nranges && uc->ranges[i].start > uc->ranges[i].end)
			return -EINVAL;
		/* Unused slots must be zero, like reserved fields. */
		if (i >= uc->nranges &&
		    (uc->ranges[i].start || uc->ranges[i].end))
			return -EINVAL;
	}
	return 0;
}

int soft_tps_attach(const struct soft_tp *tps, int n)
{
	int ret, i;

	for (i = 0; i < n; i++) {
		ret = hwt_tracepoint_attach(tps[i].name, tps[i].probe, NULL);
		if (ret) {
			soft_tps_detach(tps, i);
			return ret;
		}
	}
	return 0;
}

void soft_tps_detach(const struct soft_tp *tps, int n)
{
	while (n-- > 0)
		hwt_tracepoint_detach(tps[n].name, tps[n].probe, NULL);
	tracepoint_synchronize_unregister();
}
