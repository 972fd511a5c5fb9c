// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel hooks: where the framework learns what traced threads do.
 *
 * Debian's kernel exports no sched/mmap tracepoint symbols, so probes are
 * attached by name through for_each_kernel_tracepoint().  The probe
 * prototypes are not type-checked by that route: each one is guarded by a
 * BUILD_BUG_ON on the matching register_trace_X() so a prototype change in
 * the kernel breaks the build instead of the stack.  munmap has no
 * tracepoint in 6.1; a kprobe on do_mas_munmap() catches it.
 *
 * Every probe runs with preemption off (an RCU read-side section) and
 * must not sleep or wake anyone directly.
 */

#include <linux/binfmts.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>
#include <trace/events/task.h>
#include <trace/events/mmap.h>

#include "hwt_internal.h"

/* Room for the largest record we build: an MMAP/EXEC with a full path. */
#define HWT_SCRATCH_SIZE	(sizeof(struct hwt_rec_mmap) + HWT_PATH_MAX + 8)

struct hwt_scratch {
	u8 rec[HWT_SCRATCH_SIZE] __aligned(8);
	char path[HWT_PATH_MAX];
};

static struct hwt_scratch __percpu *hwt_scratch;

struct tp_find {
	const char *name;
	struct tracepoint *tp;
};

static void tp_match(struct tracepoint *tp, void *priv)
{
	struct tp_find *f = priv;

	if (!strcmp(tp->name, f->name))
		f->tp = tp;
}

static struct tracepoint *tp_lookup(const char *name)
{
	struct tp_find f = { .name = name };

	for_each_kernel_tracepoint(tp_match, &f);
	return f.tp;
}

int hwt_tracepoint_attach(const char *name, void *probe, void *data)
{
	struct tracepoint *tp = tp_lookup(name);

	if (!tp) {
		pr_err("hwt: tracepoint %s not found\n", name);
		return -ENOENT;
	}
	return tracepoint_probe_register(tp, probe, data);
}
EXPORT_SYMBOL_GPL(hwt_tracepoint_attach);

void hwt_tracepoint_detach(const char *name, void *probe, void *data)
{
	struct tracepoint *tp = tp_lookup(name);

	if (tp)
		tracepoint_probe_unregister(tp, probe, data);
}
EXPORT_SYMBOL_GPL(hwt_tracepoint_detach);

/*
 * The contexts interested in what task does right now: the thread context
 * tracing it and the CPU context of this CPU.  Records go to both.
 */
struct hwt_targets {
	struct hwt_context *ctx[2];
	struct hwt_buffer *buf[2];
	int n;
};

static int targets_of(struct task_struct *task, struct hwt_targets *t)
{
	struct hwt_thread *thr = hwt_thread_lookup(task);
	struct hwt_context *cctx;
	int cpu = raw_smp_processor_id();

	t->n = 0;
	if (thr && !READ_ONCE(thr->ctx->dead)) {
		t->ctx[t->n] = thr->ctx;
		t->buf[t->n++] = hwt_thread_buffer(thr);
	}
	cctx = hwt_cpu_context(cpu);
	if (cctx && !READ_ONCE(cctx->dead) &&
	    READ_ONCE(cctx->state) == HWT_STATE_RUNNING) {
		t->ctx[t->n] = cctx;
		t->buf[t->n++] = hwt_cpu_buffer(cctx, cpu);
	}
	return t->n;
}

static void push_all(struct hwt_targets *t, struct hwt_record_hdr *hdr,
		     struct task_struct *task)
{
	int i;

	for (i = 0; i < t->n; i++) {
		hwt_record_init_hdr(hdr, hdr->type, hdr->size, task, t->buf[i]);
		hwt_record_push(t->ctx[i], hdr);
	}
}

static void switch_record(struct hwt_context *ctx, struct hwt_buffer *buf,
			  u32 type, struct task_struct *task,
			  struct task_struct *other)
{
	struct hwt_rec_switch rec = { };

	hwt_record_init_hdr(&rec.hdr, type, sizeof(rec), task, buf);
	rec.other_tid = other->pid ? task_pid_nr(other) : -1;
	hwt_record_push(ctx, &rec.hdr);
}

void hwt_cpu_record_current(struct hwt_context *ctx)
{
	struct hwt_buffer *buf = hwt_cpu_buffer(ctx, smp_processor_id());
	struct hwt_rec_switch rec = { };

	lockdep_assert_irqs_disabled();
	if (!buf)
		return;
	hwt_record_init_hdr(&rec.hdr, HWT_REC_SWITCH_IN, sizeof(rec), current,
			    buf);
	rec.other_tid = -1;
	hwt_record_push(ctx, &rec.hdr);
}
EXPORT_SYMBOL_GPL(hwt_cpu_record_current);

static void probe_sched_switch(void *data, bool preempt,
			       struct task_struct *prev,
			       struct task_struct *next,
			       unsigned int prev_state)
{
	int cpu = raw_smp_processor_id();
	struct hwt_context *ctx;
	struct hwt_thread *thr;
	struct hwt_buffer *buf;

	thr = hwt_thread_lookup(prev);
	if (thr && thr->state == HWT_THR_ACTIVE) {
		ctx = thr->ctx;
		buf = hwt_thread_buffer(thr);
		/*
		 * Out of this CPU while the backend has the thread started,
		 * also once the context stopped or died: its stop runs later,
		 * in the thread, maybe on another CPU, and must not find the
		 * unit still enabled here (writing into a buffer on its way
		 * out, whatever runs here next).  Switch-ins stop with the
		 * context, so it is not enabled again.
		 */
		if (thr->started && ctx->backend->ops->switch_out)
			ctx->backend->ops->switch_out(ctx, thr, cpu);
		if (hwt_context_running(ctx))
			switch_record(ctx, buf, HWT_REC_SWITCH_OUT, prev, next);
	}
	thr = hwt_thread_lookup(next);
	if (thr && thr->state == HWT_THR_ACTIVE) {
		ctx = thr->ctx;
		buf = hwt_thread_buffer(thr);
		if (hwt_context_running(ctx)) {
			switch_record(ctx, buf, HWT_REC_SWITCH_IN, next, prev);
			if (thr->started && ctx->backend->ops->switch_in)
				ctx->backend->ops->switch_in(ctx, thr, cpu);
		}
	}

	ctx = hwt_cpu_context(cpu);
	if (ctx && hwt_context_running(ctx)) {
		buf = hwt_cpu_buffer(ctx, cpu);
		switch_record(ctx, buf, HWT_REC_SWITCH_OUT, prev, next);
		if (ctx->backend->ops->cpu_switch)
			ctx->backend->ops->cpu_switch(ctx, cpu, prev, next);
		switch_record(ctx, buf, HWT_REC_SWITCH_IN, next, prev);
	}
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct hwt_context *ctx = hwt_cpu_context(raw_smp_processor_id());
	struct hwt_rec_thread rec = { };

	hwt_thread_on_fork(parent, child);
	if (ctx && hwt_context_running(ctx)) {
		hwt_record_init_hdr(&rec.hdr, HWT_REC_THREAD_CREATE,
				    sizeof(rec), child,
				    hwt_cpu_buffer(ctx, raw_smp_processor_id()));
		rec.parent_pid = task_tgid_nr(parent);
		rec.parent_tid = task_pid_nr(parent);
		rec.flags = same_thread_group(parent, child) ? 0 :
							       HWT_THREAD_FORK;
		hwt_record_push(ctx, &rec.hdr);
	}
}

static void probe_exit(void *data, struct task_struct *task)
{
	struct hwt_context *ctx = hwt_cpu_context(raw_smp_processor_id());
	struct hwt_rec_thread rec = { };

	hwt_thread_on_exit(task);
	if (ctx && hwt_context_running(ctx)) {
		hwt_record_init_hdr(&rec.hdr, HWT_REC_THREAD_EXIT,
				    sizeof(rec), task,
				    hwt_cpu_buffer(ctx, raw_smp_processor_id()));
		rec.parent_pid = -1;
		rec.parent_tid = -1;
		rec.exit_code = task->exit_code;
		hwt_record_push(ctx, &rec.hdr);
	}
}

static void probe_exec(void *data, struct task_struct *task, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct hwt_rec_exec *rec;
	struct hwt_targets t;
	size_t len;

	if (!targets_of(task, &t))
		return;
	rec = (struct hwt_rec_exec *)this_cpu_ptr(hwt_scratch)->rec;
	len = strnlen(bprm->filename, HWT_PATH_MAX - 1);
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->path, bprm->filename, len);
	rec->path[len] = '\0';
	rec->hdr.type = HWT_REC_EXEC;
	rec->hdr.size = ALIGN(sizeof(*rec) + len + 1, 8);
	memset(rec->path + len + 1, 0, rec->hdr.size - sizeof(*rec) - len - 1);
	push_all(&t, &rec->hdr, task);
	hwt_thread_on_exec(task);
}

static void probe_rename(void *data, struct task_struct *task,
			 const char *comm)
{
	struct hwt_rec_comm rec = { };
	struct hwt_targets t;

	if (!targets_of(task, &t))
		return;
	strscpy_pad(rec.comm, comm, sizeof(rec.comm));
	rec.hdr.type = HWT_REC_COMM;
	rec.hdr.size = sizeof(rec);
	push_all(&t, &rec.hdr, task);
}

static u32 vma_prot(unsigned long vm_flags)
{
	return (vm_flags & VM_READ ? PROT_READ : 0) |
	       (vm_flags & VM_WRITE ? PROT_WRITE : 0) |
	       (vm_flags & VM_EXEC ? PROT_EXEC : 0);
}

/*
 * Build an MMAP record for vma in rec (room for HWT_PATH_MAX); pathbuf
 * is scratch for d_path.  A file's path; a special mapping's name as
 * /proc/PID/maps shows it ("[vdso]": user code the decoder needs, which
 * the recorder copies); else "" (anonymous).
 */
static void build_mmap_record(struct hwt_rec_mmap *rec,
			      struct vm_area_struct *vma, char *pathbuf)
{
	const char *path = "";
	size_t len;

	if (vma->vm_file) {
		path = d_path(&vma->vm_file->f_path, pathbuf, HWT_PATH_MAX);
		if (IS_ERR(path))
			path = "";
	} else if (vma->vm_ops && vma->vm_ops->name) {
		path = vma->vm_ops->name(vma);
		if (!path)
			path = "";
	}
	len = strnlen(path, HWT_PATH_MAX - 1);
	memset(rec, 0, sizeof(*rec));
	rec->addr = vma->vm_start;
	rec->len = vma->vm_end - vma->vm_start;
	rec->pgoff = vma->vm_file ? (u64)vma->vm_pgoff << PAGE_SHIFT : 0;
	rec->prot = vma_prot(vma->vm_flags);
	rec->flags = vma->vm_flags & VM_SHARED ? MAP_SHARED : MAP_PRIVATE;
	memmove(rec->path, path, len);
	rec->hdr.type = HWT_REC_MMAP;
	rec->hdr.size = ALIGN(sizeof(*rec) + len + 1, 8);
	memset(rec->path + len, 0, rec->hdr.size - sizeof(*rec) - len);
}

static void probe_vma_store(void *data, struct maple_tree *mt,
			    struct vm_area_struct *vma)
{
	struct hwt_scratch *s;
	struct hwt_targets t;

	/* Exec builds the new image's first mappings on an mm that is not
	 * yet current's; the ELF mappings that matter come after the switch. */
	if (vma->vm_mm != current->mm || !targets_of(current, &t))
		return;
	s = this_cpu_ptr(hwt_scratch);
	build_mmap_record((struct hwt_rec_mmap *)s->rec, vma, s->path);
	push_all(&t, &((struct hwt_rec_mmap *)s->rec)->hdr, current);
}

/*
 * Attaching to a running process: report the executable mappings it
 * already has, as if they had just been made (the decoder needs them).
 * Process context, ctx->mutex held.
 */
int hwt_hook_synthesize_mmaps(struct hwt_context *ctx,
			      struct task_struct *task,
			      struct hwt_buffer *buf)
{
	struct mm_struct *mm = get_task_mm(task);
	struct vm_area_struct *vma;
	struct hwt_rec_mmap *rec;
	char *pathbuf;
	int ret = 0;

	lockdep_assert_held(&ctx->mutex);
	if (!mm)
		return 0;
	rec = kmalloc(HWT_SCRATCH_SIZE, GFP_KERNEL);
	pathbuf = kmalloc(HWT_PATH_MAX, GFP_KERNEL);
	if (!rec || !pathbuf) {
		ret = -ENOMEM;
		goto out;
	}
	if (mmap_read_lock_killable(mm)) {
		ret = -EINTR;
		goto out;
	}
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (!(vma->vm_flags & VM_EXEC))
				continue;
			build_mmap_record(rec, vma, pathbuf);
			hwt_record_init_hdr(&rec->hdr, HWT_REC_MMAP,
					    rec->hdr.size, task, buf);
			hwt_record_push(ctx, &rec->hdr);
		}
	}
	mmap_read_unlock(mm);
out:
	kfree(pathbuf);
	kfree(rec);
	mmput(mm);
	return ret;
}

static int kp_munmap_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct mm_struct *mm = (void *)regs_get_kernel_argument(regs, 1);
	struct hwt_rec_munmap rec = { };
	struct hwt_targets t;

	if (mm != current->mm || !targets_of(current, &t))
		return 0;
	rec.addr = regs_get_kernel_argument(regs, 2);
	rec.len = regs_get_kernel_argument(regs, 3);
	rec.hdr.type = HWT_REC_MUNMAP;
	rec.hdr.size = sizeof(rec);
	push_all(&t, &rec.hdr, current);
	return 0;
}

/* int do_mas_munmap(struct ma_state *mas, struct mm_struct *mm,
 *		     unsigned long start, size_t len, ...) */
static struct kprobe kp_munmap = {
	.symbol_name = "do_mas_munmap",
	.pre_handler = kp_munmap_pre,
};
static bool kp_munmap_on;

struct hwt_tp {
	const char *name;
	void *probe;
	bool on;
};

static struct hwt_tp hwt_tps[] = {
	{ "sched_switch", probe_sched_switch },
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exit", probe_exit },
	{ "sched_process_exec", probe_exec },
	{ "task_rename", probe_rename },
	{ "vma_store", probe_vma_store },
};

static void hooks_off(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hwt_tps); i++) {
		if (hwt_tps[i].on)
			hwt_tracepoint_detach(hwt_tps[i].name,
					      hwt_tps[i].probe, NULL);
		hwt_tps[i].on = false;
	}
	if (kp_munmap_on)
		unregister_kprobe(&kp_munmap);
	kp_munmap_on = false;
	tracepoint_synchronize_unregister();
}

int hwt_hook_init(void)
{
	int i, ret;

	/* The probes' prototypes must match the tracepoints'. */
	BUILD_BUG_ON(sizeof(register_trace_sched_switch(probe_sched_switch,
							NULL)) != sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sched_process_fork(probe_fork,
							      NULL)) !=
		     sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sched_process_exit(probe_exit,
							      NULL)) !=
		     sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_sched_process_exec(probe_exec,
							      NULL)) !=
		     sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_task_rename(probe_rename, NULL)) !=
		     sizeof(int));
	BUILD_BUG_ON(sizeof(register_trace_vma_store(probe_vma_store, NULL)) !=
		     sizeof(int));

	hwt_scratch = alloc_percpu(struct hwt_scratch);
	if (!hwt_scratch)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(hwt_tps); i++) {
		ret = hwt_tracepoint_attach(hwt_tps[i].name, hwt_tps[i].probe,
					    NULL);
		if (ret)
			goto fail;
		hwt_tps[i].on = true;
	}
	if (register_kprobe(&kp_munmap) == 0)
		kp_munmap_on = true;
	else
		pr_warn("hwt: no kprobe on do_mas_munmap, no MUNMAP records\n");
	return 0;
fail:
	hooks_off();
	free_percpu(hwt_scratch);
	return ret;
}

void hwt_hook_exit(void)
{
	hooks_off();
	free_percpu(hwt_scratch);
}
