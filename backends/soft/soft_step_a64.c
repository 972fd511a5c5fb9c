// SPDX-License-Identifier: GPL-2.0
/*
 * soft_step_a64: the arm64 kernel single-stepper that turns each step of
 * a user thread (AArch64) into an ETE instruction trace stream
 * (ete_enc.c), which OpenCSD decodes like hardware trace.  Its user
 * (hwt_soft's arm64 half, hwt_soft_arm64.c; the emulated CoreSight unit
 * hwt_cs_emu) finds the record of the current thread and takes the
 * packets (soft_step_a64.h); everything else is here.  See
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
 *  - load/store-exclusive sequences are stepped over with user hardware
 *    breakpoints at their exits (SOFT_EXCL_*, a64_excl.h): stepped, their
 *    store-exclusive would fail forever.
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
 *             cleared, the framework's pointer cleared, breakpoints
 *             handed to soft_wq; freed there or by the last still-queued
 *             task_work of ours, rearm_work or excl_work (dead).
 * TIF_SINGLESTEP is only ever set on the current thread while its record
 * is STEPPING: by its own rearm_work or its own sys_exit; so is
 * debug.suspended_step (excl_work, rearm_work).  A CPU-mode run also
 * ends at a switch (soft_thread_pause(), soft_thread_halt()), which may
 * come while one of those works sleeps (soft_bps_set()): after any
 * sleep they decide to arm with preemption off, so that a run that
 * ended is never armed again (its next step, or its step-over's, would
 * find the record not started, or after rmmod no hook: a SIGTRAP).
 * Module references: the context holds the module; a queued rearm_work
 * holds one of its own, as it can outlive the context.
 */

#include <linux/compat.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/debug-monitors.h>
#include <trace/events/signal.h>
#include <trace/events/syscalls.h>
#include <trace/events/task.h>

#include "a64_excl.h"
#include "ete_enc.h"
#include "soft_arm64_syms.h"
#include "soft_life.h"
#include "soft_step_a64.h"

/* Resync after a loss only once this much room is back (many steps). */
#define SOFT_RESYNC_SPACE	1024
/*
 * Stepping over a load/store-exclusive sequence (a64_excl.h): the step
 * hook finds the thread about to run a load-exclusive and scans the
 * sequence (ARM); excl_work, before the return to user mode, puts user
 * hardware breakpoints at its exits and turns stepping off (RUN); the
 * sequence runs at full speed and hits an exit.  Our breakpoints keep
 * perf's default overflow handler, so the kernel steps over the exit
 * instruction itself (breakpoint_handler(): breakpoints off, stepping on)
 * and, as excl_work set debug.suspended_step, its step exception reaches
 * the step hooks once the breakpoints are back (reinstall_suspended_bps()).
 * The hook tells the exit by the breakpoints' counts, reports the path
 * to it and the exit instruction, and queues excl_work again (DONE) to
 * disable the breakpoints before the thread runs on.
 */
enum {
	SOFT_EXCL_NONE,
	SOFT_EXCL_ARM,		/* sequence scanned, excl_work queued */
	SOFT_EXCL_RUN,		/* at full speed, breakpoints at the exits */
	SOFT_EXCL_DONE,		/* reported; excl_work disables them */
};

/* The breakpoints; freed by soft_wq (unregistering sleeps). */
struct soft_bps {
	struct work_struct work;
	struct perf_event *bp[A64_EXCL_MAX_EXITS];
	bool on;		/* some are enabled */
};

static struct workqueue_struct *soft_wq;

struct soft_thread {
	struct soft_life life;		/* first: the record's lifecycle */
	void *owner;			/* the user's (hwt_soft: hwt_thread) */
	struct ete_soft_state st;
	struct a64_insn_info next;	/* decode of the insn at the IP */
	bool next_valid;
	bool started;			/* sync point written, armed */
	bool step_lost;			/* stepping turned off elsewhere */
	bool svc_entered;		/* the SVC at the IP ran (a syscall
					 * entered since the last trap)
					 */
	/* Kernel passes since the last trap, in order (see soft_step()). */
	struct soft_evlog log;
	/* Exclusive sequences (see SOFT_EXCL_*). */
	u8 excl;
	s8 excl_hit;			/* exit hit, for the next soft_step */
	struct a64_excl_seq seq;
	u64 bpcount[A64_EXCL_MAX_EXITS];
	struct soft_bps *bps;
	u64 excl_runs, excl_retries, excl_fail;
	u64 steps;
	u8 out[2 * ETE_SOFT_MAX_OUT];
};

static const struct soft_step_ops *soft_ops;

/* The record of current if it is stepped.  Caller: RCU. */
static struct soft_thread *soft_current(void)
{
	return soft_ops->lookup();
}

void *soft_thread_owner(struct soft_thread *t)
{
	return t->owner;
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

/*
 * Stepping of current ends (tracing ended, or the unit no longer traces
 * it): disarmed, and no step of a step-over of ours (SOFT_EXCL_*) is left
 * to fall through to the step hooks (debug.suspended_step), which would
 * not claim it once the record is gone or paused: a SIGTRAP.  While the
 * kernel is stepping over a breakpoint (its registers off until that
 * step: bps_disabled, wps_disabled), the step stays armed, so that
 * reinstall_suspended_bps() ends the step-over itself and turns the
 * registers back on; it consumes that step, suspended_step being clear.
 */
static void soft_unstep(struct pt_regs *regs)
{
	struct debug_info *d = &current->thread.debug;

	d->suspended_step = 0;
	if (d->bps_disabled || d->wps_disabled)
		return;
	soft_disarm(regs);
}

/*
 * The unit no longer traces current (soft_ops->active() said so, or its
 * CPU was switched away from after it stopped): the run ends with no
 * packets, stepping is off until soft_thread_resume().
 */
static void soft_idle(struct soft_thread *t, struct pt_regs *regs)
{
	t->started = false;
	t->log.nev = 0;
	t->next_valid = false;
	soft_unstep(regs);
}

/* Is the unit tracing t's user code here?  (No active op: always.) */
static bool soft_active(struct soft_thread *t)
{
	return !soft_ops->active || soft_ops->active(t);
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

/* Hand the packets of one event to the user; count a loss. */
static void soft_emit(struct soft_thread *t, struct ete_soft_out *out)
{
	if (out->len && !soft_ops->write(t, out->buf, out->len))
		ete_soft_lost(&t->st);
	out->len = 0;
}

/* Read up to A64_EXCL_MAX_INSNS words at ip without sleeping. */
static u32 soft_read_words(u64 ip, u32 *w)
{
	u32 n;

	for (n = 0; n < A64_EXCL_MAX_INSNS; n++) {
		if (copy_from_user_nofault(&w[n], (const void __user *)(ip + 4 * n),
					   sizeof(*w)))
			break;
		w[n] = le32_to_cpu((__force __le32)w[n]);
	}
	return n;
}

/*
 * Report the path through the exclusive sequence that left it through
 * exit k, or (k < 0) that stopped before the instruction at pc inside it:
 * each instruction as a step.  The encoder is at the load-exclusive.
 */
static void soft_excl_report(struct soft_thread *t, int k, u64 pc)
{
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };
	u64 ip[A64_EXCL_MAX_INSNS], next[A64_EXCL_MAX_INSNS];
	struct a64_insn_info in;
	int n, i;

	/* Losing output: the resync after it says where we are. */
	if (t->st.lost)
		return;
	if (k < 0) {
		/* Interrupted inside: no branch was taken on the way. */
		if (pc < t->seq.start || pc >= t->seq.start + 4 * t->seq.n)
			goto lost;
		if (a64_excl_path(&t->seq, 0, ip, next) < 0)
			goto lost;
		n = (pc - t->seq.start) / 4;
	} else {
		n = a64_excl_path(&t->seq, k, ip, next);
	}
	if (n < 0 || ete_soft_ip(&t->st) != t->seq.start)
		goto lost;
	for (i = 0; i < n; i++) {
		a64_insn_decode(t->seq.insn[i], ip[i], &in);
		if (ete_soft_step(&t->st, &in, next[i], &out))
			goto lost;
		soft_emit(t, &out);
	}
	t->steps += n;
	t->next_valid = false;
	return;
lost:
	t->step_lost = true;
}

/* Queue excl_work for the current thread (its own context). */
static void soft_queue_excl(struct soft_thread *t);

/*
 * Step hook, the thread is about to run the instruction at pc: if it is
 * a load-exclusive starting a sequence we can step over, have excl_work
 * arm the exits.
 */
static void soft_excl_try(struct soft_thread *t, u64 pc)
{
	u32 w[A64_EXCL_MAX_INSNS] = { 0 };

	/*
	 * DONE: a sequence just exited onto this one (a retry): excl_work
	 * moves the breakpoints rather than disabling them.  Cheap test
	 * first: the predecode of the encoder's IP (pc).
	 */
	if ((t->excl != SOFT_EXCL_NONE && t->excl != SOFT_EXCL_DONE) ||
	    (t->next_valid && ete_soft_ip(&t->st) == pc &&
	     a64_excl_class(t->next.insn) != A64_EXCL_LOAD))
		return;
	if (a64_excl_scan(w, soft_read_words(pc, w), pc, &t->seq)) {
		if (a64_excl_class(w[0]) != A64_EXCL_LOAD)
			return;
		t->excl_fail++;
		return;
	}
	t->excl = SOFT_EXCL_ARM;
	soft_queue_excl(t);
}

/*
 * Step hook after the sequence ran (RUN) and the instruction at the exit
 * it hit went to pc: soft_step reports the kernel passes before it (if
 * it began where the kernel returned), the path to the exit, then the
 * exit instruction's step.  Returns true instead for a retry (the
 * loop-back branch at exit 0 taken: the store-exclusive failed): nothing
 * is reported and the sequence runs again (a64_excl.h).
 */
static bool soft_excl_exited(struct soft_thread *t, u64 pc)
{
	int k, hit = -1;

	for (k = 0; k < t->seq.nexits && t->bps; k++) {
		if (local64_read(&t->bps->bp[k]->count) != t->bpcount[k]) {
			hit = k;
			break;
		}
	}
	if (hit >= 0 && a64_excl_retry(&t->seq, hit, pc)) {
		t->excl_retries++;
		t->excl = SOFT_EXCL_ARM;
		soft_queue_excl(t);
		return true;
	}
	t->excl = SOFT_EXCL_DONE;
	soft_queue_excl(t);
	t->excl_runs++;
	if (hit < 0)
		t->step_lost = true;
	else
		t->excl_hit = hit;	/* soft_step reports the path */
	return false;
}

/*
 * Interrupted while RUN (a signal, the end of tracing) at pc: report the
 * part of the sequence that ran.
 */
static void soft_excl_interrupted(struct soft_thread *t, u64 pc)
{
	int k = a64_excl_exit_at(&t->seq, pc);

	if (t->excl != SOFT_EXCL_RUN)
		return;
	soft_excl_report(t, k, pc);
	t->excl = SOFT_EXCL_DONE;
}

static void soft_bps_free_work(struct work_struct *work)
{
	struct soft_bps *b = container_of(work, struct soft_bps, work);
	int k;

	for (k = 0; k < A64_EXCL_MAX_EXITS; k++)
		if (b->bp[k])
			unregister_hw_breakpoint(b->bp[k]);
	kfree(b);
}

/*
 * Enable the breakpoints at the exits of t->seq (on) or disable them.
 * The thread itself, process context.
 */
static int soft_bps_set(struct soft_thread *t, bool on)
{
	struct perf_event_attr attr;
	struct perf_event *bp;
	int k, ret = 0;

	might_sleep();
	if (!t->bps) {
		if (!on)
			return 0;
		t->bps = kzalloc(sizeof(*t->bps), GFP_KERNEL);
		if (!t->bps)
			return -ENOMEM;
		INIT_WORK(&t->bps->work, soft_bps_free_work);
	}
	if (!on && !t->bps->on)
		return 0;
	for (k = 0; k < A64_EXCL_MAX_EXITS; k++) {
		bool en = on && k < t->seq.nexits;

		bp = t->bps->bp[k];
		if (!bp && !en)
			continue;
		hw_breakpoint_init(&attr);
		attr.bp_addr = en ? t->seq.exit[k] : bp->attr.bp_addr;
		attr.bp_len = HW_BREAKPOINT_LEN_4;
		attr.bp_type = HW_BREAKPOINT_X;
		attr.exclude_kernel = 1;
		attr.disabled = !en;
		if (!bp) {
			/* No handler: the kernel steps over the exit. */
			bp = register_user_hw_breakpoint(&attr, NULL, NULL,
							 current);
			if (IS_ERR(bp)) {
				ret = PTR_ERR(bp);
				break;
			}
			t->bps->bp[k] = bp;
		} else if (modify_user_hw_breakpoint(bp, &attr)) {
			ret = -EINVAL;
			if (en)
				break;
		}
		if (en)
			t->bpcount[k] = local64_read(&bp->count);
	}
	t->bps->on = on;
	if (ret && on)
		soft_bps_set(t, false);
	return ret;
}

/* Hand the breakpoints to soft_wq to unregister (may be atomic). */
static void soft_bps_release(struct soft_thread *t)
{
	if (t->bps)
		queue_work(soft_wq, &t->bps->work);
	t->bps = NULL;
}

/*
 * Stepping armed again: while the kernel has breakpoints toggled off
 * (stepping over one, an exit of ours), the next step must still reach
 * the step hooks, not only end that step-over.
 */
static void soft_excl_resume_stepping(void)
{
	struct debug_info *d = &current->thread.debug;

	d->suspended_step = d->bps_disabled || d->wps_disabled;
}

/* Before the return to user mode: arm the exits (ARM) or disarm (DONE). */
static void soft_excl_work(struct callback_head *cb)
{
	struct soft_thread *t = container_of(cb, struct soft_thread,
					     life.work[SOFT_WORK_EXCL]);
	struct pt_regs *regs = task_pt_regs(current);

	/* Released while this was queued: the last work frees. */
	if (!soft_life_work_begin(&t->life, SOFT_WORK_EXCL))
		return;
	if (t->excl == SOFT_EXCL_ARM) {
		bool set = t->started && regs->pc == t->seq.start &&
			   test_thread_flag(TIF_SINGLESTEP) &&
			   !soft_bps_set(t, true);

		/*
		 * soft_bps_set() sleeps: a switch meanwhile may have ended the
		 * run (a pause, a halt: stepping off, suspended_step clear).
		 * RUN only for a run still going, decided with no switch
		 * between; else the exit's step would reach the step hooks
		 * with the run ended, a SIGTRAP.
		 */
		preempt_disable();
		if (set && t->started && test_thread_flag(TIF_SINGLESTEP)) {
			t->excl = SOFT_EXCL_RUN;
			soft_disarm(regs);
			/* Report the exit's step: see SOFT_EXCL_*. */
			current->thread.debug.suspended_step = 1;
			preempt_enable();
		} else {
			preempt_enable();
			/* Step on (an exclusive loop may not finish). */
			if (set)
				soft_bps_set(t, false);
			t->excl = SOFT_EXCL_NONE;
			t->excl_fail++;
		}
	} else if (t->excl == SOFT_EXCL_DONE) {
		soft_bps_set(t, false);
		t->excl = SOFT_EXCL_NONE;
	}
	soft_life_work_end();
}

static void soft_queue_excl(struct soft_thread *t)
{
	if (soft_life_queue(&t->life, SOFT_WORK_EXCL, soft_excl_work) &&
	    t->excl == SOFT_EXCL_ARM)
		t->excl = SOFT_EXCL_NONE;
}

/*
 * The step from the encoder's IP to regs->pc, through the kernel passes
 * since then.  Without step, only the kernel passes: the thread is back
 * at regs->pc, which it has not run yet (a retried exclusive sequence
 * that started where the kernel returned).
 */
static void soft_step(struct soft_thread *t, struct pt_regs *regs, bool step)
{
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };
	u64 from = ete_soft_ip(&t->st), ip = regs->pc;
	struct a64_insn_info in;
	u8 nev = t->log.nev, i;
	bool in_kernel = false;
	u64 pos = from, resume = 0;
	int hit = t->excl_hit;

	t->excl_hit = -1;
	t->log.nev = 0;
	t->svc_entered = false;
	t->steps++;
	if (t->step_lost || nev > SOFT_NEV) {
		t->step_lost = false;
		goto desync;
	}
	if (t->st.lost) {
		/* Nothing to say about the gap: wait for room, then resync. */
		if (soft_ops->space(t) >= SOFT_RESYNC_SPACE)
			goto desync;
		goto emit;
	}
	if (t->next_valid)
		in = t->next;
	else if (!soft_decode_at(from, &in))
		goto desync;
	for (i = 0; i < nev; i++) {
		const struct soft_event *e = &t->log.ev[i];

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
			    t->log.ev[i + 1].type == SOFT_EV_SYS)
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
	if (!step) {
		t->steps--;
		if (ete_soft_ip(&t->st) == ip)
			goto emit;
		goto desync;
	}
	if (hit >= 0) {
		/* A sequence ran at full speed to exit hit (SOFT_EXCL_*). */
		soft_excl_report(t, hit, 0);
		if (t->step_lost) {
			t->step_lost = false;
			goto desync;
		}
		if (!soft_decode_at(ete_soft_ip(&t->st), &in))
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
	if (!soft_active(t)) {
		/* The unit stopped tracing here: no packets, pause. */
		soft_idle(t, regs);
		rcu_read_unlock();
		return DBG_HOOK_HANDLED;
	}
	if (t->excl != SOFT_EXCL_RUN || !soft_excl_exited(t, regs->pc)) {
		soft_step(t, regs, true);
		soft_excl_try(t, regs->pc);
	} else if (t->log.nev) {
		/* A retry, not shown; the passes before it are. */
		soft_step(t, regs, false);
	}
	rcu_read_unlock();
	/* Active-not-pending again: the next instruction runs, then traps. */
	regs->pstate |= DBG_SPSR_SS;
	return DBG_HOOK_HANDLED;
}

static struct step_hook soft_step_hook = {
	.fn = soft_step_fn,
};

/*
 * Runs in the thread right before it returns to user mode: after the
 * framework armed it (start the stream at the IP it resumes at: on arm64
 * a restart has already rewound it onto the SVC) or once a signal frame
 * is set up (resume at the handler, and step its first instruction).
 */
static void soft_rearm_work(struct callback_head *cb)
{
	struct soft_thread *t = container_of(cb, struct soft_thread,
					     life.work[SOFT_WORK_REARM]);
	struct pt_regs *regs = task_pt_regs(current);
	struct ete_soft_out out = { t->out, sizeof(t->out), 0 };

	/* Released while this was queued: the last work frees. */
	if (!soft_life_work_begin(&t->life, SOFT_WORK_REARM))
		return;
	if (t->excl != SOFT_EXCL_NONE) {
		/* A signal or a pause ended a step-over. */
		soft_bps_set(t, false);
		t->excl = SOFT_EXCL_NONE;
	}
	/*
	 * From here to the arming, no switch may end the run between the
	 * test and the arming (soft_bps_set() above sleeps; a preemptible
	 * kernel switches anywhere).
	 */
	preempt_disable();
	if (t->started && !soft_active(t)) {
		/* A signal after the unit stopped tracing: pause. */
		soft_idle(t, regs);
	} else if (t->started) {
		soft_note(&t->log, SOFT_EV_RESUME, regs->pc, false);
	} else if (!compat_user_mode(regs) && soft_active(t)) {
		ete_soft_start(&t->st, regs->pc, task_pid_nr(current), 0, &out);
		soft_emit(t, &out);
		t->next_valid = soft_decode_at(regs->pc, &t->next);
		t->started = true;
	}
	if (t->started) {
		soft_arm(regs);
		soft_excl_resume_stepping();
		/* Starting at, or a handler starting with, a load-exclusive. */
		soft_excl_try(t, regs->pc);
	}
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
		soft_excl_interrupted(t, task_pt_regs(current)->pc);
		soft_note(&t->log, SOFT_EV_SIG, task_pt_regs(current)->pc,
			  false);
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
	if (t && t->started && !soft_active(t)) {
		/*
		 * The unit stopped tracing during the syscall: pause here, not
		 * at a step that may come after the unit's module is gone.
		 */
		soft_idle(t, regs);
	} else if (t && t->started) {
		soft_note(&t->log, SOFT_EV_SYS, regs->pc,
			  soft_is_restart(ret));
		soft_arm(regs);
		/* Returning onto a load-exclusive: step it over too. */
		soft_excl_try(t, regs->pc);
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

struct soft_thread *soft_thread_new(const struct ete_soft_config *cfg,
				    void *owner)
{
	struct soft_thread *t;

	if (compat_user_mode(task_pt_regs(current))) {
		pr_info_once("hwt_soft: only 64-bit user threads are traced\n");
		return NULL;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->owner = owner;
	t->excl_hit = -1;
	ete_soft_init(&t->st, cfg);
	return t;
}

void soft_thread_arm(struct soft_thread *t)
{
	soft_queue_rearm(t);
}

struct soft_thread *soft_thread_new_task(struct task_struct *task,
					 const struct ete_soft_config *cfg,
					 void *owner, gfp_t gfp)
{
	struct soft_thread *t;

	if ((task->flags & PF_KTHREAD) || !task->mm ||
	    compat_user_mode(task_pt_regs(task)))
		return NULL;
	t = kzalloc(sizeof(*t), gfp);
	if (!t)
		return NULL;
	t->owner = owner;
	t->excl_hit = -1;
	ete_soft_init(&t->st, cfg);
	return t;
}

int soft_thread_resume(struct soft_thread *t, struct task_struct *task,
		       const struct ete_soft_config *cfg)
{
	/* Paused: task is not running, nothing else touches t. */
	if (!t->started)
		ete_soft_init(&t->st, cfg);
	t->log.nev = 0;
	t->step_lost = false;
	t->svc_entered = false;
	return soft_life_queue_on(&t->life, SOFT_WORK_REARM, soft_rearm_work,
				  task);
}

bool soft_thread_started(const struct soft_thread *t)
{
	return t->started;
}

void soft_thread_drop(struct soft_thread *t)
{
	t->started = false;
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

/*
 * A step-over running at full speed (SOFT_EXCL_RUN) is reported up to
 * where the thread was interrupted; its breakpoints stay until the
 * thread's rearm_work (process context: unregistering may sleep) or its
 * release.
 */
void soft_thread_pause(struct soft_thread *t)
{
	struct pt_regs *regs = task_pt_regs(current);

	if (!t->started)
		return;
	soft_excl_interrupted(t, regs->pc);
	soft_finish(t);
	t->log.nev = 0;
	t->next_valid = false;
	soft_unstep(regs);
}

void soft_thread_halt(struct soft_thread *t)
{
	if (t->started)
		soft_idle(t, task_pt_regs(current));
}

static void soft_release(struct soft_thread *t)
{
	soft_bps_release(t);
	soft_life_release(&t->life);
}

void soft_thread_free(struct soft_thread *t)
{
	soft_release(t);
}

void soft_thread_stop(struct soft_thread *t)
{
	soft_excl_interrupted(t, task_pt_regs(current)->pc);
	soft_finish(t);
	soft_unstep(task_pt_regs(current));
	/* No breakpoint of ours may fire once the thread runs untraced. */
	soft_bps_set(t, false);
	t->excl = SOFT_EXCL_NONE;
	pr_debug("hwt_soft: tid %d: %llu steps, %llu bytes, %llu exclusive sequences stepped over (%llu retries), %llu not\n",
		 task_pid_nr(current), t->steps, t->st.total, t->excl_runs,
		 t->excl_retries, t->excl_fail);
	soft_release(t);
}

/* The thread exits (atomic; its mm may be gone: use the predecode). */
void soft_thread_exit(struct soft_thread *t)
{
	soft_excl_interrupted(t, task_pt_regs(current)->pc);
	soft_finish(t);
	soft_unstep(task_pt_regs(current));
	soft_release(t);
}

static const struct soft_tp soft_tps[] = {
	{ "signal_deliver", soft_probe_signal },
	{ "sys_enter", soft_probe_sys_enter },
	{ "sys_exit", soft_probe_sys_exit },
	{ "task_newtask", soft_probe_newtask },
};

int soft_step_init(const struct soft_step_ops *ops)
{
	int ret;

	/* kfree_rcu() of the life frees the whole record. */
	BUILD_BUG_ON(offsetof(struct soft_thread, life) != 0);
	BUILD_BUG_ON(sizeof(register_trace_signal_deliver(soft_probe_signal,
							  NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sys_enter(soft_probe_sys_enter,
						     NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sys_exit(soft_probe_sys_exit,
						    NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_task_newtask(soft_probe_newtask,
							NULL)) != sizeof(int));

	soft_ops = ops;
	ret = soft_a64_resolve();
	if (ret)
		return ret;
	soft_wq = alloc_workqueue("hwt_soft", 0, 0);
	if (!soft_wq)
		return -ENOMEM;
	ret = soft_tps_attach(soft_tps, ARRAY_SIZE(soft_tps));
	if (ret) {
		destroy_workqueue(soft_wq);
		return ret;
	}
	soft_a64.register_user_step_hook(&soft_step_hook);
	return 0;
}

void soft_step_exit(void)
{
	/* Waits for hooks running (synchronize_rcu). */
	soft_a64.unregister_user_step_hook(&soft_step_hook);
	soft_tps_detach(soft_tps, ARRAY_SIZE(soft_tps));
	rcu_barrier();	/* kfree_rcu() of thread records */
	destroy_workqueue(soft_wq);	/* breakpoints still to unregister */
}
