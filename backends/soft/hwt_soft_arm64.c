// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_soft, arm64 half: single-steps each traced thread in user mode
 * (AArch64) and writes an ETE instruction trace stream (ete_enc.c) into
 * the thread's buffer, which OpenCSD decodes like hardware trace.  See
 * docs/soft-backend.md, "arm64 half".
 *
 * Mechanics (measured on Debian's 6.1 arm64 kernel under QEMU, issue 16):
 *  - stepping is TIF_SINGLESTEP (MDSCR_EL1.SS on return to user mode) plus
 *    SPSR.SS in the user pt_regs: set, one instruction runs, then a
 *    software-step exception calls the user step hooks; ours consumes it
 *    and sets SPSR.SS again.  The hook list and the enable/disable
 *    functions are not exported: soft_arm64_syms.c resolves them at load;
 *  - with TIF_SINGLESTEP set, syscall exit reports a pseudo-step (a
 *    SIGTRAP for a task nobody ptraces): the sys_enter probe clears the
 *    flag and the sys_exit probe sets it again, after the kernel's check.
 *    So the trap after a syscall comes one instruction after the kernel
 *    returned; sys_exit says where it returned (and re-arms after execve);
 *  - signal delivery: the signal_deliver probe queues a TWA_RESUME
 *    task_work that runs once the handler frame is set up, notes where the
 *    handler starts and sets SPSR.SS, so the handler's first instruction
 *    is stepped like any other;
 *  - a child does not inherit TIF_SINGLESTEP (copy_process clears it);
 *    task_newtask clears it anyway, with the child's SPSR.SS.
 * Signal frames keep SPSR.SS, but without TIF_SINGLESTEP it arms nothing
 * (MDSCR_EL1.SS stays off), so no frame needs scrubbing, unlike x86's TF.
 *
 * Lifecycle of a traced thread's record (struct soft_thread), as in the
 * x86 half (hwt_soft_main.c): found only through the framework's thread
 * (hwt_thread_current()), touched only by the traced thread itself (its
 * traps, probes, task_work and exit hook), so it needs no lock.  States:
 *   ARMING    thread_start allocated it and queued rearm_work (started
 *             false: traps and probes ignore it);
 *   STEPPING  rearm_work wrote the sync point and armed (started true);
 *   released  thread_stop or thread_exit (exactly one of them per
 *             thread_start): stream flushed, TIF_SINGLESTEP and SPSR.SS
 *             cleared, the framework's pointer cleared; freed there or
 *             by a still-queued rearm_work (dead).
 * TIF_SINGLESTEP is only ever set on the current thread while its record
 * is STEPPING: by its own rearm_work or its own sys_exit.  Module
 * references: the context holds the module; a queued rearm_work holds
 * one of its own, as it can outlive the context.
 */

#include <linux/compat.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <asm/debug-monitors.h>
#include <trace/events/signal.h>
#include <trace/events/syscalls.h>
#include <trace/events/task.h>

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "ete_enc.h"
#include "soft_arm64_syms.h"

/* Resync after a loss only once this much room is back (many steps). */
#define SOFT_RESYNC_SPACE	1024
/* TRCTRACEIDR of the emulated unit (any of 1 .. 0x6f). */
#define SOFT_TRACE_ID		0x10

struct soft_ctx {
	struct ete_soft_config cfg;
};

/* What the kernel did between two traps (see soft_step()). */
enum {
	/* The SVC at the current IP returned towards ip (restart: it may
	 * be rewound onto the SVC).
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

struct soft_thread {
	struct rcu_head rcu;
	struct hwt_thread *thr;
	struct ete_soft_state st;
	struct a64_insn_info next;	/* decode of the insn at the IP */
	bool next_valid;
	bool started;			/* sync point written, armed */
	bool dead;			/* released, rearm_work frees it */
	bool step_lost;			/* stepping turned off elsewhere */
	bool svc_entered;		/* the SVC at the IP ran (a syscall
					 * entered since the last trap)
					 */
	/* Kernel passes since the last trap, in order. */
	u8 nev;
	struct soft_event ev[SOFT_NEV];
	unsigned long rearm_pending;	/* bit 0: rearm_work queued */
	struct callback_head rearm_work;
	u64 steps;
	u8 out[2 * ETE_SOFT_MAX_OUT];
};

static struct hwt_backend soft_backend;

/* The record of current if this backend traces it.  Caller: RCU. */
static struct soft_thread *soft_current(void)
{
	struct hwt_thread *thr = hwt_thread_current(NULL);

	if (!thr || hwt_thread_backend(thr) != &soft_backend)
		return NULL;
	return hwt_thread_priv(thr);
}

/* Arm / disarm stepping of current (its own user registers). */
static void soft_arm(struct pt_regs *regs)
{
	soft_a64.user_enable_single_step(current);
	regs->pstate |= DBG_SPSR_SS;
}

static void soft_disarm(struct pt_regs *regs)
{
	soft_a64.user_disable_single_step(current);
	regs->pstate &= ~DBG_SPSR_SS;
}

/* Read and classify the instruction at ip without sleeping. */
static bool soft_decode_at(u64 ip, struct a64_insn_info *in)
{
	u32 w;

	if (ip & 3 ||
	    copy_from_user_nofault(&w, (const void __user *)ip, sizeof(w)))
		return false;
	a64_insn_decode(le32_to_cpu((__force __le32)w), ip, in);
	return true;
}

static bool soft_is_svc(const struct a64_insn_info *in)
{
	return in->br == A64_BR_EXC && in->svc;
}

/* Hand the packets of one event to the buffer; count a loss. */
static void soft_emit(struct soft_thread *t, struct ete_soft_out *out)
{
	struct hwt_buffer *buf = hwt_thread_buffer(t->thr);

	if (out->len && buf && hwt_buffer_write(buf, out->buf, out->len) < 0)
		ete_soft_lost(&t->st);
	out->len = 0;
}

/*
 * The step from the encoder's IP to regs->pc, through the kernel passes
 * since then.
 */
static void soft_step(struct soft_thread *t, struct pt_regs *regs)
{
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };
	struct hwt_buffer *buf = hwt_thread_buffer(t->thr);
	u64 from = ete_soft_ip(&t->st), ip = regs->pc;
	struct a64_insn_info in;
	u8 nev = t->nev, i;
	bool in_kernel = false;
	u64 pos = from, resume = 0;

	t->nev = 0;
	t->svc_entered = false;
	t->steps++;
	if (t->step_lost || nev > SOFT_NEV) {
		t->step_lost = false;
		goto desync;
	}
	if (t->st.lost) {
		/* Nothing to say about the gap: wait for room, then resync. */
		if (buf && hwt_buffer_space(buf) >= SOFT_RESYNC_SPACE)
			goto desync;
		goto emit;
	}
	if (t->next_valid)
		in = t->next;
	else if (!soft_decode_at(from, &in))
		goto desync;
	for (i = 0; i < nev; i++) {
		const struct soft_event *e = &t->ev[i];

		switch (e->type) {
		case SOFT_EV_SYS:
			if (in_kernel) {
				/* Returned onto an SVC that ran at once. */
				if (ete_soft_kernel_exit(&t->st, resume, &out))
					goto desync;
				soft_emit(t, &out);
				pos = resume;
				if (!soft_decode_at(pos, &in))
					goto desync;
			}
			if (!soft_is_svc(&in) ||
			    ete_soft_kernel_enter(&t->st, &in, &out))
				goto desync;
			soft_emit(t, &out);
			in_kernel = true;
			resume = e->ip;
			/*
			 * A restart with no handler rewinds onto the SVC,
			 * which then runs again: the next pass.
			 */
			if (e->restart && i + 1 < nev &&
			    t->ev[i + 1].type == SOFT_EV_SYS)
				resume = pos;
			break;
		case SOFT_EV_SIG:
			if (!in_kernel) {
				/* Delivered before the insn at pos ran. */
				if (e->ip != pos ||
				    ete_soft_kernel_enter(&t->st, NULL, &out))
					goto desync;
				soft_emit(t, &out);
				in_kernel = true;
			}
			resume = e->ip;
			break;
		case SOFT_EV_RESUME:
			if (in_kernel)
				resume = e->ip;
			break;
		}
	}
	if (in_kernel) {
		if (ete_soft_kernel_exit(&t->st, resume, &out))
			goto desync;
		soft_emit(t, &out);
		if (!soft_decode_at(resume, &in))
			goto desync;
	}
	if (ete_soft_step(&t->st, &in, ip, &out) == 0)
		goto emit;
desync:
	/*
	 * We cannot explain the step (or space is back): Overflow and a
	 * sync point at ip.
	 */
	out.len = 0;
	ete_soft_resync(&t->st, ip, &out);
emit:
	soft_emit(t, &out);
	t->next_valid = soft_decode_at(ete_soft_ip(&t->st), &t->next);
}

/* A software-step exception from user mode (IRQs may be off). */
static int soft_step_fn(struct pt_regs *regs, unsigned long esr)
{
	struct soft_thread *t;

	if (!user_mode(regs))
		return DBG_HOOK_ERROR;
	rcu_read_lock();
	t = soft_current();
	if (!t || !t->started) {
		rcu_read_unlock();
		return DBG_HOOK_ERROR;
	}
	soft_step(t, regs);
	rcu_read_unlock();
	/* Active-not-pending again: the next instruction runs, then traps. */
	regs->pstate |= DBG_SPSR_SS;
	return DBG_HOOK_HANDLED;
}

static struct step_hook soft_step_hook = {
	.fn = soft_step_fn,
};

static bool soft_is_restart(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	       ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

/* Note a kernel pass of the current, armed thread (its own context). */
static void soft_note(struct soft_thread *t, u8 type, u64 ip, bool restart)
{
	if (t->nev < SOFT_NEV) {
		t->ev[t->nev].type = type;
		t->ev[t->nev].restart = restart;
		t->ev[t->nev].ip = ip;
	}
	if (t->nev <= SOFT_NEV)
		t->nev++;	/* SOFT_NEV + 1: overflowed, resync */
}

/*
 * Runs in the thread right before it returns to user mode: after the
 * framework armed it (start the stream at the IP it resumes at: on arm64
 * a restart has already rewound it onto the SVC) or once a signal frame
 * is set up (resume at the handler, and step its first instruction).
 */
static void soft_rearm_work(struct callback_head *cb)
{
	struct soft_thread *t = container_of(cb, struct soft_thread,
					     rearm_work);
	struct pt_regs *regs = task_pt_regs(current);
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };

	if (t->dead) {
		/* Released while this was queued: ours to free. */
		kfree_rcu(t, rcu);
		module_put(THIS_MODULE);
		return;
	}
	clear_bit(0, &t->rearm_pending);
	if (t->started) {
		soft_note(t, SOFT_EV_RESUME, regs->pc, false);
	} else if (!compat_user_mode(regs)) {
		ete_soft_start(&t->st, regs->pc, task_pid_nr(current), 0, &out);
		soft_emit(t, &out);
		t->next_valid = soft_decode_at(regs->pc, &t->next);
		t->started = true;
	}
	if (t->started)
		soft_arm(regs);
	module_put(THIS_MODULE);
}

static void soft_queue_rearm(struct soft_thread *t)
{
	if (test_and_set_bit(0, &t->rearm_pending))
		return;
	__module_get(THIS_MODULE);
	init_task_work(&t->rearm_work, soft_rearm_work);
	if (task_work_add(current, &t->rearm_work, TWA_RESUME)) {
		clear_bit(0, &t->rearm_pending);
		module_put(THIS_MODULE);
	}
}

static void soft_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			      struct k_sigaction *ka)
{
	struct soft_thread *t;

	rcu_read_lock();
	t = soft_current();
	if (t && t->started) {
		soft_note(t, SOFT_EV_SIG, task_pt_regs(current)->pc, false);
		soft_queue_rearm(t);
	}
	rcu_read_unlock();
}

/*
 * Syscall entry: with TIF_SINGLESTEP set, the exit path would report a
 * pseudo-step, a SIGTRAP for a thread nobody ptraces.
 */
static void soft_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	struct soft_thread *t;

	rcu_read_lock();
	t = soft_current();
	if (t && t->started) {
		/* A debugger turned stepping off: steps went unseen. */
		if (!test_thread_flag(TIF_SINGLESTEP))
			t->step_lost = true;
		t->svc_entered = true;
		soft_a64.user_disable_single_step(current);
	}
	rcu_read_unlock();
}

/* Syscall exit, after the kernel's pseudo-step check: step again. */
static void soft_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct soft_thread *t;

	rcu_read_lock();
	t = soft_current();
	if (t && t->started) {
		soft_note(t, SOFT_EV_SYS, regs->pc, soft_is_restart(ret));
		soft_arm(regs);
	}
	rcu_read_unlock();
}

/* A child of a stepped thread is not ours to step. */
static void soft_probe_newtask(void *data, struct task_struct *task,
			       unsigned long clone_flags)
{
	rcu_read_lock();
	if (soft_current()) {
		soft_a64.user_disable_single_step(task);
		task_pt_regs(task)->pstate &= ~DBG_SPSR_SS;
	}
	rcu_read_unlock();
}

static int soft_init(struct hwt_context *ctx)
{
	struct soft_ctx *sc = kzalloc(sizeof(*sc), GFP_KERNEL);

	if (!sc)
		return -ENOMEM;
	sc->cfg.trace_id = SOFT_TRACE_ID;
	hwt_context_set_priv(ctx, sc);
	return 0;
}

static void soft_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

/*
 * The x86 half's struct hwt_soft_config, validated the same way.
 * HWT_SOFT_TSC asks for timestamps (an instruction-count clock), the
 * PSB period is the sync period; RET_COMPRESSION and LONG_TNT are
 * Intel PT encodings with no ETE meaning and change nothing.  Address
 * ranges are not honoured on arm64 yet: -EOPNOTSUPP.
 */
static int soft_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	const struct hwt_soft_config *uc = data;
	struct ete_soft_config cfg = { .trace_id = SOFT_TRACE_ID };
	u32 i;

	if (version != HWT_SOFT_CONFIG_VERSION || size != sizeof(*uc))
		return -EINVAL;
	if (uc->nranges > HWT_SOFT_MAX_RANGES)
		return -E2BIG;
	if (uc->flags & ~HWT_SOFT_FLAGS_ALL || uc->reserved)
		return -EINVAL;
	for (i = 0; i < HWT_SOFT_MAX_RANGES; i++) {
		if (i < uc->nranges && uc->ranges[i].start > uc->ranges[i].end)
			return -EINVAL;
		if (i >= uc->nranges &&
		    (uc->ranges[i].start || uc->ranges[i].end))
			return -EINVAL;
	}
	if (uc->flags & HWT_SOFT_TSC)
		cfg.flags |= ETE_SOFT_TS;
	cfg.sync_period = uc->psb_period;
	if (ete_soft_config_check(&cfg))
		return -EINVAL;
	if (uc->nranges)
		return -EOPNOTSUPP;
	sc->cfg = cfg;
	return 0;
}

/* In the traced thread (task_work), process context. */
static void soft_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	struct soft_thread *t;

	if (hwt_thread_priv(thr) || compat_user_mode(task_pt_regs(current))) {
		pr_info_once("hwt_soft: only 64-bit user threads are traced\n");
		return;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return;
	t->thr = thr;
	ete_soft_init(&t->st, &sc->cfg);
	hwt_thread_set_priv(thr, t);
	soft_queue_rearm(t);
}

/*
 * End the stream where the thread left off: in an SVC it ran, or before
 * the instruction at the IP.
 */
static void soft_finish(struct soft_thread *t)
{
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };
	bool executed = t->svc_entered && t->next_valid &&
			soft_is_svc(&t->next);

	if (!t->started)
		return;
	if (!t->st.in_kernel && !t->st.lost)
		ete_soft_kernel_enter(&t->st, executed ? &t->next : NULL, &out);
	ete_soft_flush(&t->st, &out);
	soft_emit(t, &out);
	t->started = false;
}

static void soft_release(struct hwt_thread *thr, struct soft_thread *t)
{
	hwt_thread_set_priv(thr, NULL);
	/* Same thread as rearm_work: no race on the bit. */
	if (test_bit(0, &t->rearm_pending))
		t->dead = true;
	else
		kfree_rcu(t, rcu);
}

static void soft_thread_stop(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	soft_finish(t);
	soft_disarm(task_pt_regs(current));
	pr_debug("hwt_soft: tid %d: %llu steps, %llu bytes\n",
		 task_pid_nr(current), t->steps, t->st.total);
	soft_release(thr, t);
}

/* The thread exits (atomic; its mm may be gone: use the predecode). */
static void soft_thread_exit(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	soft_finish(t);
	soft_disarm(task_pt_regs(current));
	soft_release(thr, t);
}

static const struct hwt_backend_ops soft_ops = {
	.init = soft_init,
	.deinit = soft_deinit,
	.configure = soft_configure,
	.thread_start = soft_thread_start,
	.thread_stop = soft_thread_stop,
	.thread_exit = soft_thread_exit,
};

static struct hwt_backend soft_backend = {
	.name = HWT_SOFT_BACKEND_NAME,
	.owner = THIS_MODULE,
	.ops = &soft_ops,
	.modes = HWT_BACKEND_THREAD,
	.max_ranges = 0,
};

static const struct {
	const char *name;
	void *probe;
} soft_tps[] = {
	{ "signal_deliver", soft_probe_signal },
	{ "sys_enter", soft_probe_sys_enter },
	{ "sys_exit", soft_probe_sys_exit },
	{ "task_newtask", soft_probe_newtask },
};

static void soft_tps_detach(int n)
{
	while (n-- > 0)
		hwt_tracepoint_detach(soft_tps[n].name, soft_tps[n].probe, NULL);
	tracepoint_synchronize_unregister();
}

static int __init hwt_soft_init(void)
{
	int ret, i;

	BUILD_BUG_ON(sizeof(register_trace_signal_deliver(soft_probe_signal,
							  NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sys_enter(soft_probe_sys_enter,
						     NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sys_exit(soft_probe_sys_exit,
						    NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_task_newtask(soft_probe_newtask,
							NULL)) != sizeof(int));

	ret = soft_a64_resolve();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(soft_tps); i++) {
		ret = hwt_tracepoint_attach(soft_tps[i].name, soft_tps[i].probe,
					    NULL);
		if (ret) {
			soft_tps_detach(i);
			return ret;
		}
	}
	soft_a64.register_user_step_hook(&soft_step_hook);
	ret = hwt_backend_register(&soft_backend);
	if (ret) {
		soft_a64.unregister_user_step_hook(&soft_step_hook);
		soft_tps_detach(ARRAY_SIZE(soft_tps));
	}
	return ret;
}

static void __exit hwt_soft_exit(void)
{
	hwt_backend_unregister(&soft_backend);
	/* Waits for hooks running (synchronize_rcu). */
	soft_a64.unregister_user_step_hook(&soft_step_hook);
	soft_tps_detach(ARRAY_SIZE(soft_tps));
	rcu_barrier();	/* kfree_rcu() of thread records */
}

module_init(hwt_soft_init);
module_exit(hwt_soft_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt soft backend: ETE from single-stepped threads");
