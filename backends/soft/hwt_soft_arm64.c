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
 * is STEPPING: by its own rearm_work or its own sys_exit.  Module
 * references: the context holds the module; a queued rearm_work holds
 * one of its own, as it can outlive the context.
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

#include <hwt/hwt_soft.h>
#include "hwt_backend.h"
#include "a64_excl.h"
#include "ete_enc.h"
#include "soft_arm64_syms.h"
#include "soft_life.h"

/* Resync after a loss only once this much room is back (many steps). */
#define SOFT_RESYNC_SPACE	1024
/* TRCTRACEIDR of the emulated unit (any of 1 .. 0x6f). */
#define SOFT_TRACE_ID		0x10

struct soft_ctx {
	struct ete_soft_config cfg;
};

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
	struct hwt_thread *thr;
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
 * The step-over's part of debug.suspended_step: while the kernel has our
 * breakpoints toggled off (stepping over an exit), the next step must
 * still reach the step hooks.
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
		if (t->started && regs->pc == t->seq.start &&
		    test_thread_flag(TIF_SINGLESTEP) && !soft_bps_set(t, true)) {
			t->excl = SOFT_EXCL_RUN;
			soft_disarm(regs);
			/* Report the exit's step: see SOFT_EXCL_*. */
			current->thread.debug.suspended_step = 1;
		} else {
			/* Step on (an exclusive loop may not finish). */
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
	struct hwt_buffer *buf = hwt_thread_buffer(t->thr);
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
		if (buf && hwt_buffer_space(buf) >= SOFT_RESYNC_SPACE)
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
		/* A signal ended a step-over: the handler is stepped. */
		soft_bps_set(t, false);
		soft_excl_resume_stepping();
		t->excl = SOFT_EXCL_NONE;
	}
	if (t->started) {
		soft_note(&t->log, SOFT_EV_RESUME, regs->pc, false);
	} else if (!compat_user_mode(regs)) {
		ete_soft_start(&t->st, regs->pc, task_pid_nr(current), 0, &out);
		soft_emit(t, &out);
		t->next_valid = soft_decode_at(regs->pc, &t->next);
		t->started = true;
	}
	if (t->started) {
		soft_arm(regs);
		/* Starting at, or a handler starting with, a load-exclusive. */
		soft_excl_try(t, regs->pc);
	}
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
	if (t && t->started) {
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
 * ranges (inclusive, as on x86) become ViewInst include ranges, one
 * address range comparator pair each (ete_enc.h).
 * Returns 0 if the config was taken; -EINVAL if the version, size,
 * flags, reserved field, a range or the PSB period is wrong; -E2BIG if
 * more than HWT_SOFT_MAX_RANGES ranges.
 */
static int soft_configure(struct hwt_context *ctx, u32 version,
			  const void *data, u32 size)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	const struct hwt_soft_config *uc = data;
	struct ete_soft_config cfg = { .trace_id = SOFT_TRACE_ID };
	int ret = soft_config_check(version, data, size);
	u32 i;

	if (ret)
		return ret;
	if (uc->flags & HWT_SOFT_TSC)
		cfg.flags |= ETE_SOFT_TS;
	cfg.sync_period = uc->psb_period;
	cfg.nranges = uc->nranges;
	for (i = 0; i < uc->nranges; i++) {
		cfg.ranges[i].start = uc->ranges[i].start;
		cfg.ranges[i].end = uc->ranges[i].end;
	}
	if (ete_soft_config_check(&cfg))
		return -EINVAL;
	sc->cfg = cfg;
	return 0;
}

/*
 * HWT_IOC_DESCRIBE: the stream is raw ETE (or ETMv4) from one source,
 * decoded with the register set the emulated unit would show
 * (ete_soft_regs()), named as lowercase stream parameters.
 */
static int soft_describe(struct hwt_context *ctx, char *buf, size_t len)
{
	struct soft_ctx *sc = hwt_context_priv(ctx);
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int i, j, n, pos;

	n = ete_soft_regs(&sc->cfg, regs);
	pos = scnprintf(buf, len, "kind=%s\n",
			sc->cfg.flags & ETE_SOFT_ETMV4 ? "etm4" : "ete");
	for (i = 0; i < n; i++) {
		for (j = 0; regs[i].name[j] && (size_t)pos + 1 < len; j++)
			buf[pos++] = tolower(regs[i].name[j]);
		pos += scnprintf(buf + pos, len - pos, "=0x%llx\n",
				 (unsigned long long)regs[i].value);
	}
	return pos;
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
	t->excl_hit = -1;
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
	soft_bps_release(t);
	soft_life_release(&t->life);
}

static void soft_thread_stop(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	soft_excl_interrupted(t, task_pt_regs(current)->pc);
	soft_finish(t);
	soft_disarm(task_pt_regs(current));
	/* No breakpoint of ours may fire once the thread runs untraced. */
	if (t->excl != SOFT_EXCL_NONE) {
		soft_bps_set(t, false);
		current->thread.debug.suspended_step = 0;
		t->excl = SOFT_EXCL_NONE;
	}
	pr_debug("hwt_soft: tid %d: %llu steps, %llu bytes, %llu exclusive sequences stepped over (%llu retries), %llu not\n",
		 task_pid_nr(current), t->steps, t->st.total, t->excl_runs,
		 t->excl_retries, t->excl_fail);
	soft_release(thr, t);
}

/* The thread exits (atomic; its mm may be gone: use the predecode). */
static void soft_thread_exit(struct hwt_context *ctx, struct hwt_thread *thr)
{
	struct soft_thread *t = hwt_thread_priv(thr);

	if (!t)
		return;
	soft_excl_interrupted(t, task_pt_regs(current)->pc);
	soft_finish(t);
	soft_disarm(task_pt_regs(current));
	soft_release(thr, t);
}

static const struct hwt_backend_ops soft_ops = {
	.init = soft_init,
	.deinit = soft_deinit,
	.configure = soft_configure,
	.describe = soft_describe,
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

static const struct soft_tp soft_tps[] = {
	{ "signal_deliver", soft_probe_signal },
	{ "sys_enter", soft_probe_sys_enter },
	{ "sys_exit", soft_probe_sys_exit },
	{ "task_newtask", soft_probe_newtask },
};

static int __init hwt_soft_init(void)
{
	int ret;

	/* kfree_rcu() of the life frees the whole record. */
	BUILD_BUG_ON(offsetof(struct soft_thread, life) != 0);
	/* The emulated unit's TRCIDR4.NUMACPAIRS is what we offer. */
	BUILD_BUG_ON(HWT_SOFT_MAX_RANGES != ETE_SOFT_MAX_RANGES);
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
	soft_wq = alloc_workqueue("hwt_soft", 0, 0);
	if (!soft_wq)
		return -ENOMEM;
	ret = soft_tps_attach(soft_tps, ARRAY_SIZE(soft_tps));
	if (ret) {
		destroy_workqueue(soft_wq);
		return ret;
	}
	soft_a64.register_user_step_hook(&soft_step_hook);
	ret = hwt_backend_register(&soft_backend);
	if (ret) {
		soft_a64.unregister_user_step_hook(&soft_step_hook);
		soft_tps_detach(soft_tps, ARRAY_SIZE(soft_tps));
		destroy_workqueue(soft_wq);
	}
	return ret;
}

static void __exit hwt_soft_exit(void)
{
	hwt_backend_unregister(&soft_backend);
	/* Waits for hooks running (synchronize_rcu). */
	soft_a64.unregister_user_step_hook(&soft_step_hook);
	soft_tps_detach(soft_tps, ARRAY_SIZE(soft_tps));
	rcu_barrier();	/* kfree_rcu() of thread records */
	destroy_workqueue(soft_wq);	/* breakpoints still to unregister */
}

module_init(hwt_soft_init);
module_exit(hwt_soft_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hwt soft backend: ETE from single-stepped threads");
