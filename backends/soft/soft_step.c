// SPDX-License-Identifier: GPL-2.0
/*
 * soft_step: single-steps x86-64 user threads in the kernel and turns
 * every step into Intel PT packets (pt_enc), for a user that says where
 * the packets go.  Used by the soft backend (hwt_soft: into the thread's
 * hwt buffer) and by the emulated Intel PT unit (hwt_pt_emu: through the
 * ToPA the emulated MSRs describe).  Each module builds its own copy of
 * this file, with its own tracepoint probes and die notifier; see
 * soft_step.h for the interface and docs/soft-backend.md.
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
 * found only through the framework's thread (ops->lookup() goes through
 * hwt_thread_current(), whose hash holds a task reference, so a freed
 * task's address never finds a record) and is touched only by the traced
 * thread itself: its traps, its probes, its task_work and its exit hook.
 * So it needs no lock; RCU only because the framework's lookup does.
 * States, always moving down:
 *   ARMING    the user's thread_start made it (soft_thread_new) and
 *             queued rearm_work (soft_thread_arm; started false: no TF
 *             yet, traps and probes ignore it);
 *   STEPPING  rearm_work wrote PSB+ (or, with pge_start, TIP.PGE)
 *             and set TF (started true);
 *   released  soft_thread_stop (the user's thread_stop: sync work,
 *             context stopped or closed) or soft_thread_exit (its
 *             thread_exit: exit hook): the stream is flushed, TF cleared
 *             in the live registers (stop) and in no saved frame; the
 *             user has cleared its pointer to the record.  The framework calls
 *             exactly one of the two for each thread_start, whatever
 *             order the thread's exit, the context's close, STOP, exec or
 *             the owner's death come in (kmod/hwt/hwt_thread.c).  It is
 *             freed there, or by a still-queued rearm_work (dead).
 * TF is only ever set on the current thread while its record is STEPPING:
 * by its own trap, its own sys_exit, its own rearm_work.  Signal frames
 * never keep our TF (soft_scrub_sigframes), so a handler that returns
 * after tracing ended, or in a child forked inside it, does not trap.
 * Module references: the context holds the backend's module (for
 * hwt_pt_emu: the backend holds the unit's module); a queued rearm_work
 * holds one of its own, as it can outlive the context.
 */

#include <linux/atomic.h>
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

#include "hwt_backend.h"
#include "soft_step.h"

/* Resync after a loss only once this much room is back (many steps). */
#define SOFT_RESYNC_SPACE	1024

static const struct soft_step_ops *soft_ops;

/* The record of current if it is stepped, or NULL.  Caller: RCU. */
static struct soft_thread *soft_current(void)
{
	return soft_ops->lookup();
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

/*
 * The TSC packets' value: the time-stamp counter, never behind one this
 * module has already written.  An invariant TSC is synchronized across
 * cores (SDM vol. 3B, "Invariant TSC"); a VM's vCPUs need not be
 * (QEMU TCG), and a thread that moved to a lagging one wrote a TSC below
 * the last: perf drops such a timestamp, libipt takes it, and the two
 * decoders' times of the same trace differed.
 */
u64 soft_tsc(void)
{
	static atomic64_t last;
	u64 now = rdtsc();
	s64 seen = atomic64_read(&last);

	while (now > (u64)seen) {
		s64 was = atomic64_cmpxchg(&last, seen, (s64)now);

		if (was == seen)
			return now;
		seen = was;
	}
	return (u64)seen;
}

/* Hand the packets of one event to the user; count a loss. */
static void soft_emit(struct soft_thread *t, struct pt_soft_out *out)
{
	if (out->len && !soft_ops->write(t, out->buf, out->len))
		pt_soft_lost(&t->st);
	out->len = 0;
}

static void soft_resync(struct soft_thread *t, u64 ip,
			struct pt_soft_out *out)
{
	pt_soft_resync(&t->st, ip, soft_tsc(), out);
	t->next_valid = false;
}

/* The step from st.ip to ip, through the kernel passes since then. */
static void soft_step(struct soft_thread *t, struct pt_regs *regs)
{
	struct pt_soft_out out = { t->out, sizeof(t->out), 0 };
	u64 from = pt_soft_ip(&t->st), ip = regs->ip, tsc = soft_tsc();
	struct x86_insn_info in;
	u8 nev = t->log.nev, i;
	bool in_kernel = false;
	u64 pos = from, resume = 0;
	int err;

	t->log.nev = 0;
	t->steps++;
	if (t->tf_lost || nev > SOFT_NEV) {
		/* TF cleared behind our back, or too many passes to track. */
		t->tf_lost = false;
		goto desync;
	}
	if (t->st.lost) {
		/* Nothing to say about the gap: wait for room, then OVF. */
		if (soft_ops->space(t) >= SOFT_RESYNC_SPACE)
			soft_resync(t, ip, &out);
		goto emit;
	}
	if (t->next_valid)
		in = t->next;
	else if (soft_decode_at(from, &in) <= 0)
		goto desync;
	/* Replay the kernel passes; then one instruction ran at pos. */
	for (i = 0; i < nev; i++) {
		const struct soft_event *e = &t->log.ev[i];

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
			    t->log.ev[i + 1].type == SOFT_EV_SYS)
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

/*
 * The unit no longer traces current (soft_ops->active() said so, or its
 * CPU was switched away from after it stopped): the run ends with no
 * packets and TF goes (ptrace's stays) until soft_thread_resume().
 */
static void soft_idle(struct soft_thread *t, struct pt_regs *regs)
{
	t->started = false;
	t->log.nev = 0;
	t->next_valid = false;
	if (!test_thread_flag(TIF_SINGLESTEP))
		regs->flags &= ~X86_EFLAGS_TF;
}

/* Is the unit tracing t's user code here?  (No active op: always.) */
static bool soft_active(struct soft_thread *t)
{
	return !soft_ops->active || soft_ops->active(t);
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
	if (!soft_active(t)) {
		/* The unit stopped tracing here: no packets, pause. */
		soft_idle(t, regs);
		rcu_read_unlock();
	} else {
		soft_step(t, regs);
		rcu_read_unlock();
		regs->flags |= X86_EFLAGS_TF;
	}
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
					     life.work[SOFT_WORK_REARM]);
	struct pt_regs *regs = task_pt_regs(current);
	struct pt_soft_out out = { t->out, sizeof(t->out), 0 };

	/* Released while this was queued: freed, nothing to do. */
	if (!soft_life_work_begin(&t->life, SOFT_WORK_REARM))
		return;
	/*
	 * Also once the run ended since the frames were built (CPU mode: a
	 * switch before this work paused it; the scheduler cannot scrub):
	 * a frame left with our TF traps at its rt_sigreturn, a SIGTRAP
	 * nobody consumes.
	 */
	soft_scrub_sigframes(t, regs);
	/*
	 * The scrub may sleep, and a switch may end a CPU-mode run (pause,
	 * halt): from the test to TF, none may come between.
	 */
	preempt_disable();
	if (t->started) {
		if (soft_active(t))
			soft_note(&t->log, SOFT_EV_RESUME, regs->ip, false);
		else	/* a signal after the unit stopped tracing */
			soft_idle(t, regs);
	} else if (user_64bit_mode(regs) && soft_active(t)) {
		u64 ip = regs->ip;

		/*
		 * Armed from get_signal()'s task_work_run() while a syscall
		 * was interrupted (TWA_SIGNAL): the restart that rewinds
		 * the IP onto the syscall insn (2 bytes) comes after us.
		 */
		if (syscall_get_nr(current, regs) >= 0 &&
		    soft_is_restart(regs->ax))
			ip -= 2;
		if (t->pge_start)
			pt_soft_start_pge(&t->st, ip, soft_tsc(), &out);
		else
			pt_soft_start(&t->st, ip, soft_tsc(), &out);
		soft_emit(t, &out);
		t->next_valid = soft_decode_at(ip, &t->next) > 0;
		t->started = true;
	}
	if (t->started)
		regs->flags |= X86_EFLAGS_TF;
	preempt_enable();
	soft_life_work_end();
}

static void soft_queue_rearm(struct soft_thread *t)
{
	soft_life_queue(&t->life, SOFT_WORK_REARM, soft_rearm_work);
}

static void soft_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			      struct k_sigaction *ka)
{
	struct soft_thread *t;

	rcu_read_lock();
	t = soft_current();
	if (t && t->started) {
		u64 ip = task_pt_regs(current)->ip;

		soft_note(&t->log, SOFT_EV_SIG, ip, false);
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
	if (t && t->started && !soft_active(t)) {
		/*
		 * The unit stopped tracing during the syscall: pause here, not
		 * at a step that may come after the unit's module is gone.
		 */
		soft_idle(t, regs);
	} else if (t && t->started) {
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
		soft_note(&t->log, SOFT_EV_SYS, regs->ip,
			  soft_is_restart(ret));
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

struct soft_thread *soft_thread_new(const struct pt_soft_config *cfg,
				    void *owner)
{
	struct soft_thread *t;

	if (!user_64bit_mode(task_pt_regs(current))) {
		pr_info_once("only 64-bit user threads are traced\n");
		return NULL;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->owner = owner;
	pt_soft_init(&t->st, cfg);
	return t;
}

void soft_thread_arm(struct soft_thread *t)
{
	/* Start where the thread will really resume (after restarts). */
	soft_queue_rearm(t);
}

struct soft_thread *soft_thread_new_task(struct task_struct *task,
					 const struct pt_soft_config *cfg,
					 void *owner, gfp_t gfp)
{
	struct soft_thread *t;

	if ((task->flags & PF_KTHREAD) || !task->mm ||
	    !user_64bit_mode(task_pt_regs(task)))
		return NULL;
	t = kzalloc(sizeof(*t), gfp);
	if (!t)
		return NULL;
	t->owner = owner;
	pt_soft_init(&t->st, cfg);
	return t;
}

int soft_thread_resume(struct soft_thread *t, struct task_struct *task,
		       const struct pt_soft_config *cfg)
{
	/* Paused: task is not running, nothing else touches t. */
	if (!t->started)
		pt_soft_init(&t->st, cfg);
	t->tf_lost = false;
	t->log.nev = 0;
	return soft_life_queue_on(&t->life, SOFT_WORK_REARM, soft_rearm_work,
				  task);
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

/*
 * Whether the kernel was entered through the SYSCALL at the thread's IP,
 * which then ran: a real unit binds its TIP.PGD to that far branch.
 * Returns true if a syscall is in progress (its number is set).
 * Returns true if one has exited since the last step (sys_exit logged
 * it): rt_sigreturn sets orig_ax to -1, so its number no longer says so,
 * and a switch at its exit would otherwise undo it in the trace.
 * Returns false if a trap or an interrupt entered it (the instruction at
 * the IP has not run).
 */
static bool soft_in_syscall(const struct soft_thread *t,
			    struct pt_regs *regs)
{
	return syscall_get_nr(current, regs) >= 0 ||
	       (t->log.nev && t->log.ev[0].type == SOFT_EV_SYS);
}

void soft_thread_pause(struct soft_thread *t)
{
	struct pt_regs *regs = task_pt_regs(current);

	if (!t->started)
		return;
	soft_finish(t, soft_in_syscall(t, regs));
	t->log.nev = 0;
	t->next_valid = false;
	if (!test_thread_flag(TIF_SINGLESTEP))
		regs->flags &= ~X86_EFLAGS_TF;
}

void soft_thread_halt(struct soft_thread *t)
{
	if (t->started)
		soft_idle(t, task_pt_regs(current));
}

void soft_thread_stop(struct soft_thread *t)
{
	struct pt_regs *regs = task_pt_regs(current);

	soft_finish(t, soft_in_syscall(t, regs));
	/* Frames built since the last rearm_work, which now frees only. */
	soft_scrub_sigframes(t, regs);
	if (!test_thread_flag(TIF_SINGLESTEP))
		regs->flags &= ~X86_EFLAGS_TF;
	pr_debug("tid %d: %llu steps, %llu bytes\n",
		 task_pid_nr(current), t->steps, t->st.total);
	soft_life_release(&t->life);
}

bool soft_thread_started(const struct soft_thread *t)
{
	return READ_ONCE(t->started);
}

void soft_thread_drop(struct soft_thread *t)
{
	t->started = false;
}

void soft_thread_free(struct soft_thread *t)
{
	soft_life_release(&t->life);
}

void soft_thread_exit(struct soft_thread *t)
{
	soft_finish(t, true);
	soft_life_release(&t->life);
}

static const struct soft_tp soft_tps[] = {
	{ "signal_deliver", soft_probe_signal },
	{ "sys_exit", soft_probe_sys_exit },
	{ "task_newtask", soft_probe_newtask },
};

int soft_step_init(const struct soft_step_ops *ops)
{
	int ret;

	BUILD_BUG_ON(sizeof(register_trace_signal_deliver(soft_probe_signal,
							  NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sys_exit(soft_probe_sys_exit,
						    NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_task_newtask(soft_probe_newtask,
							NULL)) != sizeof(int));

	/* kfree_rcu() of the life frees the whole record. */
	BUILD_BUG_ON(offsetof(struct soft_thread, life) != 0);

	soft_ops = ops;
	ret = soft_tps_attach(soft_tps, ARRAY_SIZE(soft_tps));
	if (ret)
		return ret;
	ret = register_die_notifier(&soft_die_nb);
	if (ret)
		soft_tps_detach(soft_tps, ARRAY_SIZE(soft_tps));
	return ret;
}

void soft_step_exit(void)
{
	unregister_die_notifier(&soft_die_nb);
	soft_tps_detach(soft_tps, ARRAY_SIZE(soft_tps));
	rcu_barrier();	/* kfree_rcu() of thread records */
}
