// SPDX-License-Identifier: GPL-2.0
/*
 * soft_tasks: an emulated unit's CPU-mode stepper records (soft_tasks.h).
 */
#include <linux/delay.h>
#include <linux/hashtable.h>
#include <linux/irqflags.h>
#include <linux/rculist.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "soft_tasks.h"
#ifdef CONFIG_ARM64
#include "soft_step_a64.h"
#else
#include "soft_step.h"
#endif

static DEFINE_HASHTABLE(soft_tasks, 7);
/* Writers: the scheduler's switch (runqueue lock held), exit, module exit. */
static DEFINE_RAW_SPINLOCK(soft_tasks_lock);

struct soft_task *soft_task_find(struct task_struct *task)
{
	struct soft_task *e;

	hash_for_each_possible_rcu(soft_tasks, e, node, (unsigned long)task)
		if (e->task == task)
			return e;
	return NULL;
}

struct soft_task *soft_task_alloc(void)
{
	return kzalloc(sizeof(struct soft_task), SOFT_GFP_SCHED);
}

void soft_task_insert(struct soft_task *e, struct task_struct *task,
		      struct soft_thread *t)
{
	unsigned long flags;

	e->task = task;
	e->t = t;
	get_task_struct(task);
	raw_spin_lock_irqsave(&soft_tasks_lock, flags);
	hash_add_rcu(soft_tasks, &e->node, (unsigned long)task);
	raw_spin_unlock_irqrestore(&soft_tasks_lock, flags);
}

struct soft_task *soft_task_unhash_current(void)
{
	struct soft_task *e;
	unsigned long flags;

	rcu_read_lock();
	e = soft_task_find(current);
	rcu_read_unlock();
	if (!e)
		return NULL;
	raw_spin_lock_irqsave(&soft_tasks_lock, flags);
	hash_del_rcu(&e->node);
	raw_spin_unlock_irqrestore(&soft_tasks_lock, flags);
	return e;
}

static void soft_task_free_rcu(struct rcu_head *rcu)
{
	struct soft_task *e = container_of(rcu, struct soft_task, rcu);

	put_task_struct(e->task);
	kfree(e);
}

void soft_task_release(struct soft_task *e)
{
	call_rcu(&e->rcu, soft_task_free_rcu);
}

void soft_task_halt(struct task_struct *prev)
{
	struct soft_task *e;

	rcu_read_lock();
	e = soft_task_find(prev);
	if (e)
		soft_thread_halt(e->t);
	rcu_read_unlock();
}

void soft_tasks_quiesce(void)
{
	unsigned long flags;
	struct soft_task *e;
	int bkt, tries;
	bool busy;

	for (tries = 0; tries < 5000; tries++) {
		busy = false;
		rcu_read_lock();
		hash_for_each_rcu(soft_tasks, bkt, e, node) {
			if (!soft_thread_started(e->t))
				continue;
			if (e->task != current) {
				busy = true;
				continue;
			}
			local_irq_save(flags);
			soft_thread_halt(e->t);
			local_irq_restore(flags);
		}
		rcu_read_unlock();
		if (!busy)
			return;
		usleep_range(1000, 2000);
	}
}

void soft_tasks_free(void)
{
	struct hlist_node *tmp;
	struct soft_task *e;
	int bkt;

	raw_spin_lock_irq(&soft_tasks_lock);
	hash_for_each_safe(soft_tasks, bkt, tmp, e, node) {
		hash_del_rcu(&e->node);
		WARN_ON_ONCE(soft_thread_started(e->t));
		soft_thread_free(e->t);
		soft_task_release(e);
	}
	raw_spin_unlock_irq(&soft_tasks_lock);
}
