// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_soft: a trace backend with no trace hardware.  It single-steps each
 * traced thread in user mode (x86-64) and writes a genuine Intel PT packet
 * stream into the thread's buffer, which libipt decodes like hardware
 * trace.  See docs/soft-backend.md.
 *
 * Mechanics (measured on Debian's 6.1 kernel, see shared/DESIGN.md):
 *  - arming sets X86_EFLAGS_TF in the thread's user pt_regs; it survives
 *    context switches by itself;
 *  - each step traps into exc_debug_user() -> notify_die(DIE_DEBUG); our
 *    notifier consumes it (clears DR_STEP) unless it also belongs to
 *    ptrace (TIF_SINGLESTEP) or a hardware breakpoint (DR_TRAP0-3);
 *  - SYSCALL clears TF, so the trap after a syscall comes one instruction
 *    after the kernel returned; the raw sys_exit tracepoint tells where it
 *    returned (and re-arms after execve, which clears TF);
 *  - signal delivery clears TF: the signal_deliver tracepoint queues a
 *    TWA_RESUME task_work that runs once the handler frame is set up, and
 *    re-arms at the handler;
 *  - fork/clone copy TF into the child: task_newtask clears it there (the
 *    framework arms the child itself if it is traced).
 *
 * Lifecycle of a traced thread's record (struct soft_thread).  It is
 * found only through the framework's thread (hwt_thread_current(), whose
 * hash holds a task reference, so a freed task's address never finds a
 * record) and is touched only by the traced thread itself: its traps, its
 * probes, its task_work and its exit hook.  So it needs no lock; RCU only
 * because the framework's lookup does.  States, always moving down:
 *   ARMING    thread_start allocated it and queued rearm_work (started
 *             false: no TF yet, traps and probes ignore it);
 *   STEPPING  rearm_work wrote PSB+ and set TF (started true);
 *   released  thread_stop (sync work: context stopped or closed) or
 *             thread_exit (exit hook): the stream is flushed, TF cleared
 *             in the live registers (thread_stop) and in no saved frame,
 *             the framework's pointer cleared.  The framework calls
 *             exactly one of the two for each thread_start, whatever
 *             order the thread's exit, the context's close, STOP, exec or
 *             the owner's death come in (kmod/hwt/hwt_thread.c).  It is
 *             freed there, or by a still-queued rearm_work (dead).
 * TF is only ever set on the current thread while its record is STEPPING:
 * by its own trap, its own sys_exit, its own rearm_work.  Signal frames
 * never keep our TF (soft_scrub_sigframes), so a handler that returns
 * after tracing ended, or in a child forked inside it, does not trap.
 * Module references: the context holds the backend's module; a queued
 * rearm_work holds one of its own, as it can outlive the context.
 */

#include <linux/kdebug.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <linux/unistd.h>
#include <linux/uaccess.h>
#include <linux/uprobes.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/sigframe.h>
#include <asm/syscall.h>
#include <trace/events/signal.h>
#include <trace/events/syscalls.h>
#include <trace/events/task.h>

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "pt_enc.h"
#include "x86_insn.h"

/* Resync after a loss only once this much room is back (many steps). */
#define SOFT_RESYNC_SPACE	1024

struct soft_ctx {
	struct pt_soft_config cfg;
};

/*
 * What the kernel did between two traps.  One trap can cover several
 * kernel passes: SYSCALL clears TF, so a syscall that returns onto another
 * syscall (sigreturn onto a restarted call, a rewound restart) runs it
 * without a trap in between.
 */
enum {
	SOFT_EV_SYS,		/* the syscall at the current IP returned,
				 * towards ip (restart: may be rewound) */
	SOFT_EV_SIG,		/* a signal is delivered at user IP ip */
	SOFT_EV_RESUME,		/* back to user mode at ip (after a signal) */
};

struct soft_event {
	u8 type;
	u8 restart;
	u64 ip;
};

#define SOFT_NEV	16
/* Signal frames set up between two returns to user mode we scrub. */
#define SOFT_NSIGFRAMES	4

struct soft_thread {
	struct rcu_head rcu;
	struct hwt_thread *thr;
	struct pt_soft_state st;
	struct x86_insn_info next;	/* decode of the insn at st.ip */
	bool next_valid;
	bool started;			/* PSB+ written, TF set */
	bool dead;			/* released, rearm_work frees it */
	bool tf_lost;			/* TF was cleared behind our back */
	/* Kernel passes since the last trap, in order (see soft_step()). */
	u8 nev;
	struct soft_event ev[SOFT_NEV];
	/* Interrupted IPs of the frames set up since the last rearm_work. */
	u8 nsig;
	u64 sig_ip[SOFT_NSIGFRAMES];
	unsigned long rearm_pending;	/* bit 0: rearm_work queued */
	struct callback_head rearm_work;
	u64 steps;
	u8 out[2 * PT_SOFT_MAX_OUT];
};

static struct hwt_backend soft_backend;

/*
 * The record of current if this backend traces it, or NULL.  Caller: RCU
 * or preemption off.
 */
static struct soft_thread *soft_current(void)
{
	struct hwt_thread *thr = hwt_thread_current(NULL);

	if (!thr || hwt_thread_backend(thr) != &soft_backend)
		return NULL;
	return hwt_thread_priv(thr);
}

/* Read the instruction at ip without sleeping (we may run with IRQs off). */
static int soft_decode_at(u64 ip, struct x86_insn_info *in)
{
	u8 b[X86_INSN_MAX_LEN];
	size_t n = min_t(size_t, sizeof(b), PAGE_SIZE - offset_in_page(ip));

	if (copy_from_user_nofault(b, (const void __user *)ip, n))
		return X86_INSN_EINVAL;
	if (n < sizeof(b) &&
	    copy_from_user_nofault(b + n, (const void __user *)(ip + n),
				   sizeof(b) - n) == 0)
		n = sizeof(b);
	return x86_insn_decode(b, n, in);
}

/* Hand the packets of one event to the buffer; count a loss. */
static void soft_emit(struct soft_thread *t, struct pt_soft_out *out)
{
	struct hwt_buffer *buf = hwt_thread_buffer(t->thr);

	if (out->len && buf && hwt_buffer_write(buf, out->buf, out->len) < 0)
		pt_soft_lost(&t->st);
	out->len = 0;
}

static void soft_resync(struct soft_thread *t, u64 ip,
			struct pt_soft_out *out)
{
	pt_soft_resync(&t->st, ip, rdtsc(), out);
	t->next_valid = false;
}

/* The step from st.ip to ip, through the kernel passes since then. */
static void soft_step(struct soft_thread *t, struct pt_regs *regs)
{
	struct pt_soft_out out = { t->out, sizeof(t->out), 0 };
	struct hwt_buffer *buf = hwt_thread_buffer(t->thr);
	u64 from = pt_soft_ip(&t->st), ip = regs->ip, tsc = rdtsc();
	struct x86_insn_info in;
	u8 nev = t->nev, i;
	bool in_kernel = false;
	u64 pos = from, resume = 0;
	int err;

	t->nev = 0;
	t->steps++;
	if (t->tf_lost || nev > SOFT_NEV) {
		/* TF cleared behind our back, or too many passes to track. */
		t->tf_lost = false;
		goto desync;
	}
	if (t->st.lost) {
		/* Nothing to say about the gap: wait for room, then OVF. */
		if (buf && hwt_buffer_space(buf) >= SOFT_RESYNC_SPACE)
			soft_resync(t, ip, &out);
		goto emit;
	}
	if (t->next_valid)
		in = t->next;
	else if (soft_decode_at(from, &in) <= 0)
		goto desync;
	/* Replay the kernel passes; then one instruction ran at pos. */
	for (i = 0; i < nev; i++) {
		const struct soft_event *e = &t->ev[i];

		switch (e->type) {
		case SOFT_EV_SYS:
			if (in_kernel) {
				/* Returned onto a syscall that ran at once. */
				pt_soft_kernel_exit(&t->st, resume, tsc, &out);
				soft_emit(t, &out);
				pos = resume;
				if (soft_decode_at(pos, &in) <= 0)
					goto desync;
			}
			if (!x86_br_enters_kernel(in.br))
				goto desync;
			pt_soft_kernel_enter(&t->st, &in, &out);
			soft_emit(t, &out);
			in_kernel = true;
			resume = e->ip;
			/* A restart with no handler goes back to the syscall,
			 * which then runs again: the next pass. */
			if (e->restart && i + 1 < nev &&
			    t->ev[i + 1].type == SOFT_EV_SYS)
				resume = pos;
			break;
		case SOFT_EV_SIG:
			if (!in_kernel) {
				/* Delivered before the insn at pos ran. */
				if (e->ip != pos)
					goto desync;
				pt_soft_kernel_enter(&t->st, NULL, &out);
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
		pt_soft_kernel_exit(&t->st, resume, tsc, &out);
		soft_emit(t, &out);
		if (soft_decode_at(resume, &in) <= 0)
			goto desync;
	}
	err = pt_soft_step(&t->st, &in, ip, tsc, &out);
	if (err == PT_SOFT_EDESYNC)
		goto desync;
	goto emit;
desync:
	/* We cannot explain the step: OVF and restart at ip. */
	soft_resync(t, ip, &out);
emit:
	soft_emit(t, &out);
	t->next_valid = soft_decode_at(pt_soft_ip(&t->st), &t->next) > 0;
}

static int soft_die(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	unsigned long *dr6 = (unsigned long *)args->err;
	struct soft_thread *t;

	if (val != DIE_DEBUG || !regs || !user_mode(regs) ||
	    !(*dr6 & DR_STEP))
		return NOTIFY_DONE;
#ifdef CONFIG_UPROBES
	/*
	 * A uprobe stepping its out-of-line copy: its trap, not a step of
	 * the program (uprobes and soft tracing do not mix; see docs).
	 */
	if (current->utask && current->utask->state == UTASK_SSTEP)
		return NOTIFY_DONE;
#endif
	rcu_read_lock();
	t = soft_current();
	if (!t || !t->started) {
		rcu_read_unlock();
		return NOTIFY_DONE;
	}
	soft_step(t, regs);
	rcu_read_unlock();
	regs->flags |= X86_EFLAGS_TF;
	/* ptrace's own step: leave the trap to it. */
	if (test_thread_flag(TIF_SINGLESTEP))
		return NOTIFY_DONE;
	*dr6 &= ~DR_STEP;
	current->thread.virtual_dr6 &= ~DR_STEP;
	/*
	 * A hardware breakpoint hit together with the step: the breakpoint
	 * handler (same priority, registered earlier) moved its bits to
	 * virtual_dr6; let the kernel signal it.
	 */
	if ((*dr6 & DR_TRAP_BITS) ||
	    (current->thread.virtual_dr6 & DR_TRAP_BITS))
		return NOTIFY_DONE;
	return NOTIFY_STOP;
}

static struct notifier_block soft_die_nb = {
	.notifier_call = soft_die,
	.priority = INT_MAX,
};

/* The kernel may rewind the IP to run the syscall again. */
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
 * Signal delivery saved the stepped code's RFLAGS, our TF included, in the
 * handler's frame; rt_sigreturn would restore it even once tracing has
 * ended (or in a child forked inside the handler), and that trap would be
 * a SIGTRAP nobody asked for.  Clear it in the frames set up since the
 * last return to user mode, innermost first (each frame's saved SP is the
 * next one out); while the thread is still traced, sys_exit of
 * rt_sigreturn sets TF again.  A frame is trusted only if its saved IP is
 * where that delivery interrupted the thread (or 2 bytes before: with
 * SA_RESTART, handle_signal() rewinds an interrupted syscall onto its
 * SYSCALL instruction after the tracepoint), so a failed frame setup (the
 * kernel then forces SIGSEGV) makes us write nothing.  Runs from
 * rearm_work, or from thread_stop when tracing ends before it (the frames
 * are built by then: a stop runs from task_work, which get_signal runs
 * before it dequeues the next signal).
 */
static void soft_scrub_sigframes(struct soft_thread *t, struct pt_regs *regs)
{
	unsigned long frame = regs->sp;
	int i = t->nsig;

	t->nsig = 0;
	if (test_thread_flag(TIF_SINGLESTEP))
		return;		/* ptrace's TF: its business */
	while (i-- > 0) {
		struct rt_sigframe __user *f = (void __user *)frame;
		unsigned long flags, ip, sp;

		if (get_user(ip, &f->uc.uc_mcontext.ip) ||
		    get_user(flags, &f->uc.uc_mcontext.flags) ||
		    get_user(sp, &f->uc.uc_mcontext.sp) ||
		    (ip != t->sig_ip[i] && ip != t->sig_ip[i] - 2))
			return;
		if ((flags & X86_EFLAGS_TF) &&
		    put_user(flags & ~X86_EFLAGS_TF, &f->uc.uc_mcontext.flags))
			return;
		frame = sp;
	}
}

/*
 * Runs in the thread right before it returns to user mode: after the
 * framework armed it (start the stream there, past any syscall restart)
 * or after a signal frame was set up (resume at the handler).
 */
static void soft_rearm_work(struct callback_head *cb)
{
	struct soft_thread *t = container_of(cb, struct soft_thread,
					     rearm_work);
	struct pt_regs *regs = task_pt_regs(current);
	struct pt_soft_out out = { t->out, sizeof(t->out), 0 };

	if (t->dead) {
		/* Released while this was queued: ours to free. */
		kfree_rcu(t, rcu);
		module_put(THIS_MODULE);
		return;
	}
	clear_bit(0, &t->rearm_pending);
	if (t->started) {
		soft_scrub_sigframes(t, regs);
		soft_note(t, SOFT_EV_RESUME, regs->ip, false);
	} else if (user_64bit_mode(regs)) {
		u64 ip = regs->ip;

		/*
		 * Armed from get_signal()'s task_work_run() while a syscall
		 * was interrupted (TWA_SIGNAL): the restart that rewinds
		 * the IP onto the syscall insn (2 bytes) comes after us.
		 */
		if (syscall_get_nr(current, regs) >= 0 &&
		    soft_is_restart(regs->ax))
			ip -= 2;
		pt_soft_start(&t->st, ip, rdtsc(), &out);
		soft_emit(t, &out);
		t->next_valid = soft_decode_at(ip, &t->next) > 0;
		t->started = true;
	}
	if (t->started)
		regs->flags |= X86_EFLAGS_TF;
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
		u64 ip = task_pt_regs(current)->ip;

		soft_note(t, SOFT_EV_SIG, ip, false);
		/*
		 * A handler will run: its frame gets our TF.  (The
		 * tracepoint also fires for stops and default actions,
		 * which build no frame.)  More nested frames than we keep:
		 * keep the innermost, which the scrub walks from.
		 */
		if (ka->sa.sa_handler != SIG_DFL &&
		    ka->sa.sa_handler != SIG_IGN) {
			if (t->nsig == SOFT_NSIGFRAMES) {
				memmove(t->sig_ip, t->sig_ip + 1,
					sizeof(t->sig_ip) - sizeof(t->sig_ip[0]));
				t->nsig--;
			}
			t->sig_ip[t->nsig++] = ip;
		}
		soft_queue_rearm(t);
	}
	rcu_read_unlock();
}

static bool soft_is_exec(struct pt_regs *regs)
{
	long nr = syscall_get_nr(current, regs);

	return nr == __NR_execve || nr == __NR_execveat;
}

/*
 * rt_sigreturn restores a frame whose TF we cleared ourselves.  It also
 * sets orig_ax to -1 (no restart), so that is how its exit looks.
 */
static bool soft_is_sigreturn(struct pt_regs *regs)
{
	return syscall_get_nr(current, regs) < 0;
}

static void soft_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct soft_thread *t;

	rcu_read_lock();
	t = soft_current();
	if (t && t->started) {
		/*
		 * regs->flags is the user RFLAGS of the syscall (SYSCALL
		 * only cleared the live TF).  Without TF, popf or a debugger
		 * turned it off and steps went unseen; a successful execve
		 * clears it legitimately (new image, new start), and so
		 * does rt_sigreturn of a frame we scrubbed.
		 */
		if (!(regs->flags & X86_EFLAGS_TF) &&
		    !(ret == 0 && soft_is_exec(regs)) &&
		    !soft_is_sigreturn(regs))
			t->tf_lost = true;
		soft_note(t, SOFT_EV_SYS, regs->ip, soft_is_restart(ret));
		regs->flags |= X86_EFLAGS_TF;
	}
	rcu_read_unlock();
}

/* A child inherits TF from a stepped parent: it is not ours to step. */
static void soft_probe_newtask(void *data, struct task_struct *task,
			       unsigned long clone_flags)
{
	rcu_read_lock();
	if (soft_current())
		task_pt_regs(task)->flags &= ~X86_EFLAGS_TF;
	rcu_read_unlock();
}

static int soft_init(struct hwt_context *ctx)
{
	struct soft_ctx *sc = kzalloc(sizeof(*sc), GFP_KERNEL);

	if (!sc)
		return -ENOMEM;
	hwt_context_set_priv(ctx, sc);
	return 0;
}

static void soft_deinit(struct hwt_context *ctx)
{
	kfree(hwt_context_priv(ctx));
}

static int soft_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	const struct hwt_soft_config *uc = data;
	struct pt_soft_config cfg = { };
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
	cfg.flags = uc->flags;
	cfg.psb_period = uc->psb_period;
	cfg.nranges = uc->nranges;
	cfg.reserved = uc->reserved;
	for (i = 0; i < uc->nranges; i++) {
		cfg.ranges[i].start = uc->ranges[i].start;
		cfg.ranges[i].end = uc->ranges[i].end;
	}
	/* Unused range slots must be zero, like reserved fields. */
	for (; i < HWT_SOFT_MAX_RANGES; i++)
		if (uc->ranges[i].start || uc->ranges[i].end)
			return -EINVAL;
	if (pt_soft_config_check(&cfg))
		return -EINVAL;
	sc->cfg = cfg;
	return 0;
}

/* In the traced thread (task_work), process context. */
static void soft_thread_start(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	struct soft_thread *t;

	if (hwt_thread_priv(thr) || !user_64bit_mode(task_pt_regs(current))) {
		pr_info_once("hwt_soft: only 64-bit user threads are traced\n");
		return;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return;
	t->thr = thr;
	pt_soft_init(&t->st, &sc->cfg);
	hwt_thread_set_priv(thr, t);
	/* Start where the thread will really resume (after restarts). */
	soft_queue_rearm(t);
}

/* End the stream: where the thread left off, and how. */
static void soft_finish(struct soft_thread *t, bool in_syscall)
{
	struct pt_soft_out out = { t->out, sizeof(t->out), 0 };
	bool executed = in_syscall && t->next_valid &&
			x86_br_enters_kernel(t->next.br);

	if (!t->started)
		return;
	if (!t->st.in_kernel)
		pt_soft_kernel_enter(&t->st, executed ? &t->next : NULL, &out);
	pt_soft_flush(&t->st, &out);
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
	struct pt_regs *regs = task_pt_regs(current);

	if (!t)
		return;
	soft_finish(t, syscall_get_nr(current, regs) >= 0);
	/* Frames built since the last rearm_work, which now frees only. */
	soft_scrub_sigframes(t, regs);
	if (!test_thread_flag(TIF_SINGLESTEP))
		regs->flags &= ~X86_EFLAGS_TF;
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
	soft_finish(t, true);
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
	.max_ranges = HWT_SOFT_MAX_RANGES,
};

static const struct {
	const char *name;
	void *probe;
} soft_tps[] = {
	{ "signal_deliver", soft_probe_signal },
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
	BUILD_BUG_ON(sizeof(register_trace_sys_exit(soft_probe_sys_exit,
						    NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_task_newtask(soft_probe_newtask,
							NULL)) != sizeof(int));
	BUILD_BUG_ON(HWT_SOFT_MAX_RANGES != PT_SOFT_MAX_RANGES);
	BUILD_BUG_ON(HWT_SOFT_FLAGS_ALL != PT_SOFT_FLAGS_ALL);

	for (i = 0; i < ARRAY_SIZE(soft_tps); i++) {
		ret = hwt_tracepoint_attach(soft_tps[i].name, soft_tps[i].probe,
					    NULL);
		if (ret) {
			soft_tps_detach(i);
			return ret;
		}
	}
	ret = register_die_notifier(&soft_die_nb);
	if (ret)
		goto fail_tps;
	ret = hwt_backend_register(&soft_backend);
	if (ret)
		goto fail_die;
	return 0;
fail_die:
	unregister_die_notifier(&soft_die_nb);
fail_tps:
	soft_tps_detach(ARRAY_SIZE(soft_tps));
	return ret;
}

static void __exit hwt_soft_exit(void)
{
	hwt_backend_unregister(&soft_backend);
	unregister_die_notifier(&soft_die_nb);
	soft_tps_detach(ARRAY_SIZE(soft_tps));
	rcu_barrier();	/* kfree_rcu() of thread records */
}

module_init(hwt_soft_init);
module_exit(hwt_soft_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt soft backend: Intel PT from single-stepped threads");
