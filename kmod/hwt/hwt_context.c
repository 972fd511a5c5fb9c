// SPDX-License-Identifier: GPL-2.0
/*
 * Trace contexts: creation from HWT_IOC_ALLOC, the context fd (ioctl, poll,
 * mmap, release) and lifetime.
 *
 * A context is reference counted: the fd holds one, every thread in the
 * hash holds one, every pending task_work holds one.  The last put queues
 * the free on hwt_wq after an RCU grace period, because hooks look contexts
 * and threads up under RCU from atomic context, and because vfree() must
 * not run there.  Each context also holds a module reference, dropped by
 * that final free; module exit destroys hwt_wq, which waits for it.
 */

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "hwt_internal.h"

void *hwt_context_priv(struct hwt_context *ctx)
{
	return ctx->priv;
}
EXPORT_SYMBOL_GPL(hwt_context_priv);

void hwt_context_set_priv(struct hwt_context *ctx, void *priv)
{
	ctx->priv = priv;
}
EXPORT_SYMBOL_GPL(hwt_context_set_priv);

bool hwt_context_running(struct hwt_context *ctx)
{
	return !READ_ONCE(ctx->dead) &&
	       READ_ONCE(ctx->state) == HWT_STATE_RUNNING;
}
EXPORT_SYMBOL_GPL(hwt_context_running);

bool hwt_context_ring_mode(struct hwt_context *ctx)
{
	return ctx->flags & HWT_ALLOC_RING;
}
EXPORT_SYMBOL_GPL(hwt_context_ring_mode);

bool hwt_context_cpu_mode(struct hwt_context *ctx)
{
	return ctx->mode == HWT_MODE_CPU;
}
EXPORT_SYMBOL_GPL(hwt_context_cpu_mode);

u64 hwt_context_bufsize(struct hwt_context *ctx)
{
	return ctx->bufsize;
}
EXPORT_SYMBOL_GPL(hwt_context_bufsize);

struct hwt_buffer *hwt_cpu_buffer(struct hwt_context *ctx, int cpu)
{
	if (ctx->mode != HWT_MODE_CPU || cpu < 0 || cpu >= ctx->maxbufs)
		return NULL;
	if (ctx->cpu_shared)
		return ctx->cpus && cpumask_test_cpu(cpu, ctx->cpus) ?
		       ctx->cpu_shared : NULL;
	return ctx->bufs[cpu];
}
EXPORT_SYMBOL_GPL(hwt_cpu_buffer);

void hwt_context_get(struct hwt_context *ctx)
{
	kref_get(&ctx->ref);
}

static void ctx_free_work(struct work_struct *work)
{
	struct hwt_context *ctx = container_of(work, struct hwt_context,
					       free_work);
	struct hwt_thread *thr, *tmp;
	u32 i;

	/* Hooks that found this context or its threads are done. */
	synchronize_rcu();
	irq_work_sync(&ctx->wake_work);
	if (ctx->backend_inited && ctx->backend->ops->deinit)
		ctx->backend->ops->deinit(ctx);
	list_for_each_entry_safe(thr, tmp, &ctx->threads, ctx_link) {
		list_del(&thr->ctx_link);
		hwt_thread_free(thr);
	}
	for (i = 0; i < ctx->maxbufs; i++)
		hwt_buffer_free(ctx->bufs[i]);
	kfree(ctx->bufs);
	kvfree(ctx->recq_mem);
	kfree(ctx->cpus);
	hwt_backend_put(ctx->backend);
	kfree(ctx);
	module_put(THIS_MODULE);
}

static void ctx_release_ref(struct kref *ref)
{
	struct hwt_context *ctx = container_of(ref, struct hwt_context, ref);

	queue_work(hwt_wq, &ctx->free_work);
}

void hwt_context_put(struct hwt_context *ctx)
{
	kref_put(&ctx->ref, ctx_release_ref);
}

static void ctx_wake_fn(struct irq_work *work)
{
	struct hwt_context *ctx = container_of(work, struct hwt_context,
					       wake_work);

	wake_up_interruptible_all(&ctx->wq);
}

/* Safe from any context, including the scheduler with rq locks held. */
void hwt_context_wake(struct hwt_context *ctx)
{
	if (!READ_ONCE(ctx->dead))
		irq_work_queue(&ctx->wake_work);
}

/* Stop the trace unit; ctx->mutex held.  Reports open loss episodes. */
static void ctx_stop_locked(struct hwt_context *ctx)
{
	u32 i, n = ctx->nbufs;

	lockdep_assert_held(&ctx->mutex);
	if (!ctx->started)
		return;
	ctx->started = false;
	if (ctx->backend->ops->stop)
		ctx->backend->ops->stop(ctx);
	if (ctx->mode == HWT_MODE_THREAD)
		hwt_thread_stop_all(ctx);
	for (i = 0; i < n; i++)
		if (ctx->bufs[i])
			hwt_buffer_test_and_clear_overflow(ctx->bufs[i]);
}

static int ctx_release(struct inode *inode, struct file *file)
{
	struct hwt_context *ctx = file->private_data;

	mutex_lock(&ctx->mutex);
	if (ctx->state == HWT_STATE_RUNNING)
		ctx->state = HWT_STATE_STOPPED;
	ctx_stop_locked(ctx);
	WRITE_ONCE(ctx->dead, true);
	if (ctx->mode == HWT_MODE_THREAD)
		hwt_thread_detach_all(ctx);
	else
		hwt_cpu_detach(ctx);
	mutex_unlock(&ctx->mutex);
	hwt_context_put(ctx);
	return 0;
}

static int ctx_set_config(struct hwt_context *ctx, void __user *uarg)
{
	const struct hwt_backend_ops *ops = ctx->backend->ops;
	struct hwt_config cfg;
	void *blob = NULL;
	int ret;

	if (copy_from_user(&cfg, uarg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.size > HWT_CONFIG_MAX)
		return -E2BIG;
	if (cfg.size && !cfg.data)
		return -EINVAL;
	if (!ops->configure)
		return -EOPNOTSUPP;
	if (cfg.size) {
		blob = memdup_user(u64_to_user_ptr(cfg.data), cfg.size);
		if (IS_ERR(blob))
			return PTR_ERR(blob);
	}
	mutex_lock(&ctx->mutex);
	if (ctx->state != HWT_STATE_ALLOCATED &&
	    ctx->state != HWT_STATE_STOPPED)
		ret = -EBUSY;
	else
		ret = ops->configure(ctx, cfg.version, blob, cfg.size);
	if (!ret)
		ctx->configured = true;
	mutex_unlock(&ctx->mutex);
	kfree(blob);
	return ret;
}

static int ctx_start(struct hwt_context *ctx)
{
	int ret = 0;

	mutex_lock(&ctx->mutex);
	if (ctx->state == HWT_STATE_TARGET_GONE) {
		ret = -ESRCH;
	} else if (ctx->state == HWT_STATE_RUNNING) {
		ret = -EBUSY;
	} else {
		int old = ctx->state;

		/*
		 * CPU mode: the backend enables CPU after CPU; switches on
		 * those already enabled must be recorded and reach its
		 * cpu_switch, so the context runs from before its start.
		 */
		if (ctx->mode == HWT_MODE_CPU)
			WRITE_ONCE(ctx->state, HWT_STATE_RUNNING);
		if (ctx->backend->ops->start)
			ret = ctx->backend->ops->start(ctx);
		if (!ret) {
			ctx->started = true;
			WRITE_ONCE(ctx->state, HWT_STATE_RUNNING);
			if (ctx->mode == HWT_MODE_THREAD)
				hwt_thread_start_all(ctx);
		} else {
			WRITE_ONCE(ctx->state, old);
		}
	}
	mutex_unlock(&ctx->mutex);
	return ret;
}

static int ctx_stop(struct hwt_context *ctx)
{
	int ret = 0;

	mutex_lock(&ctx->mutex);
	/*
	 * CPU mode: the backend stops CPU after CPU; until it has, switches
	 * there are still recorded and drained (the records place each
	 * task's bytes).
	 */
	if (ctx->mode == HWT_MODE_CPU && ctx->state == HWT_STATE_RUNNING)
		ctx_stop_locked(ctx);
	if (ctx->state == HWT_STATE_RUNNING)
		WRITE_ONCE(ctx->state, HWT_STATE_STOPPED);
	else if (ctx->state != HWT_STATE_TARGET_GONE || !ctx->started)
		ret = -EINVAL;		/* not running: nothing to stop */
	ctx_stop_locked(ctx);
	mutex_unlock(&ctx->mutex);
	if (!ret)
		wake_up_interruptible_all(&ctx->wq);
	return ret;
}

/* Buffer idx, or NULL; the array only grows and slots are set once. */
static struct hwt_buffer *ctx_buffer(struct hwt_context *ctx, u32 idx)
{
	if (idx >= smp_load_acquire(&ctx->nbufs))
		return NULL;
	return ctx->bufs[idx];
}

static int ctx_bufptr(struct hwt_context *ctx, void __user *uarg)
{
	struct hwt_bufptr ptr;
	struct hwt_buffer *buf;

	if (copy_from_user(&ptr, uarg, sizeof(ptr)))
		return -EFAULT;
	buf = ctx_buffer(ctx, ptr.idx);
	if (!buf)
		return -EINVAL;
	hwt_buffer_ptr(buf, &ptr);
	return copy_to_user(uarg, &ptr, sizeof(ptr)) ? -EFAULT : 0;
}

static int ctx_svc_buf(struct hwt_context *ctx, void __user *uarg)
{
	struct hwt_svc_buf svc;
	struct hwt_buffer *buf;

	if (copy_from_user(&svc, uarg, sizeof(svc)))
		return -EFAULT;
	if (svc.reserved)
		return -EINVAL;
	buf = ctx_buffer(ctx, svc.idx);
	if (!buf)
		return -EINVAL;
	return hwt_buffer_consume(buf, svc.tail);
}

static int ctx_info(struct hwt_context *ctx, void __user *uarg)
{
	struct hwt_info info = { };

	info.abi_version = HWT_ABI_VERSION;
	info.mode = ctx->mode;
	info.nbuffers = smp_load_acquire(&ctx->nbufs);
	info.state = READ_ONCE(ctx->state);
	info.bufsize = ctx->bufsize;
	strscpy(info.backend, ctx->backend->name, sizeof(info.backend));
	info.flags = ctx->flags;
	/* A receiver of the fd (hwtd) checks the target is what it was
	 * asked to record: the pid as the caller sees it. */
	if (ctx->mode == HWT_MODE_THREAD) {
		rcu_read_lock();
		info.pid = pid_nr_ns(find_pid_ns(ctx->pid, &init_pid_ns),
				     task_active_pid_ns(current));
		rcu_read_unlock();
	}
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * A backend's description is handed to user space as is: only what the
 * ABI promises passes (printable lines, the first "kind=").
 */
static bool describe_ok(const char *text, size_t len)
{
	size_t i;

	if (len < 7 || strncmp(text, "kind=", 5) || text[len - 1] != '\n')
		return false;
	for (i = 0; i < len; i++)
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e))
			return false;
	return true;
}

static int ctx_describe(struct hwt_context *ctx, void __user *uarg)
{
	const struct hwt_backend_ops *ops = ctx->backend->ops;
	struct hwt_describe req;
	char *text;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.reserved[0] || req.reserved[1] || !req.buf)
		return -EINVAL;
	text = kzalloc(HWT_DESCRIBE_MAX, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	mutex_lock(&ctx->mutex);
	if (ops->describe)
		ret = ops->describe(ctx, text, HWT_DESCRIBE_MAX);
	else
		ret = scnprintf(text, HWT_DESCRIBE_MAX, "kind=%s\n",
				ctx->backend->name);
	mutex_unlock(&ctx->mutex);
	if (ret >= 0 && !describe_ok(text, ret)) {
		pr_warn_ratelimited("hwt: backend %s described its trace badly\n",
				    ctx->backend->name);
		ret = -EIO;
	}
	if (ret >= 0) {
		req.len = ret;
		if (req.buflen <= req.len)
			ret = -EMSGSIZE;
		else if (copy_to_user(u64_to_user_ptr(req.buf), text,
				      req.len + 1))
			ret = -EFAULT;
		else
			ret = 0;
		if ((!ret || ret == -EMSGSIZE) &&
		    copy_to_user(uarg, &req, sizeof(req)))
			ret = -EFAULT;
	}
	kfree(text);
	return ret;
}

static int ctx_record_get(struct hwt_context *ctx, void __user *uarg)
{
	struct hwt_record_get req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = hwt_record_get(ctx, &req);
	if ((!ret || ret == -EMSGSIZE) && copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return ret;
}

static long ctx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hwt_context *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case HWT_IOC_SET_CONFIG:
		return ctx_set_config(ctx, uarg);
	case HWT_IOC_START:
		return ctx_start(ctx);
	case HWT_IOC_STOP:
		return ctx_stop(ctx);
	case HWT_IOC_RECORD_GET:
		return ctx_record_get(ctx, uarg);
	case HWT_IOC_BUFPTR_GET:
		return ctx_bufptr(ctx, uarg);
	case HWT_IOC_SVC_BUF:
		return ctx_svc_buf(ctx, uarg);
	case HWT_IOC_WAKEUP:
		WRITE_ONCE(ctx->wakeups, ctx->wakeups + 1);
		wake_up_interruptible_all(&ctx->wq);
		return 0;
	case HWT_IOC_INFO:
		return ctx_info(ctx, uarg);
	case HWT_IOC_DESCRIBE:
		return ctx_describe(ctx, uarg);
	default:
		return -ENOTTY;
	}
}

static __poll_t ctx_poll(struct file *file, poll_table *wait)
{
	struct hwt_context *ctx = file->private_data;
	u32 i, n = smp_load_acquire(&ctx->nbufs);
	__poll_t mask = 0;
	int state;

	poll_wait(file, &ctx->wq, wait);
	if (hwt_record_pending(ctx))
		mask |= EPOLLIN | EPOLLRDNORM;
	for (i = 0; i < n; i++)
		if (ctx->bufs[i] && hwt_buffer_has_data(ctx->bufs[i]))
			mask |= EPOLLIN | EPOLLRDNORM;
	state = READ_ONCE(ctx->state);
	if (state == HWT_STATE_TARGET_GONE)
		mask |= EPOLLHUP;
	return mask;
}

static int ctx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hwt_context *ctx = file->private_data;
	int ret;

	mutex_lock(&ctx->mutex);
	ret = hwt_buffer_mmap(ctx, vma);
	mutex_unlock(&ctx->mutex);
	return ret;
}

static const struct file_operations hwt_ctx_fops = {
	.owner = THIS_MODULE,
	.release = ctx_release,
	.unlocked_ioctl = ctx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = ctx_poll,
	.mmap = ctx_mmap,
	.llseek = noop_llseek,
};

static int alloc_validate(const struct hwt_alloc *req)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(req->reserved); i++)
		if (req->reserved[i])
			return -EINVAL;
	if (req->mode != HWT_MODE_THREAD && req->mode != HWT_MODE_CPU)
		return -EINVAL;
	if (req->flags & ~HWT_ALLOC_FLAGS_ALL)
		return -EINVAL;
	if (!memchr(req->backend, 0, sizeof(req->backend)) ||
	    !req->backend[0])
		return -EINVAL;
	if (req->bufsize > HWT_BUFSIZE_MAX)
		return -E2BIG;
	if (req->bufsize < HWT_BUFSIZE_MIN || !IS_ALIGNED(req->bufsize, PAGE_SIZE))
		return -EINVAL;
	if (req->recq_size && (req->recq_size < PAGE_SIZE ||
			       req->recq_size > HWT_RECQ_MAX ||
			       req->recq_size % 8))
		return -EINVAL;
	if (req->mode == HWT_MODE_THREAD) {
		if (req->pid <= 0)
			return -EINVAL;
		for (i = 0; i < HWT_CPU_MAP_WORDS; i++)
			if (req->cpu_map[i])
				return -EINVAL;
	} else if (req->pid) {
		return -EINVAL;
	}
	return 0;
}

int hwt_context_alloc(struct hwt_alloc *req)
{
	struct hwt_context *ctx;
	struct hwt_backend *be;
	u32 recq_size;
	int ret, fd;

	ret = alloc_validate(req);
	if (ret)
		return ret;
	if (req->mode == HWT_MODE_CPU && !hwt_may_trace_cpus())
		return -EPERM;
	be = hwt_backend_get(req->backend);
	if (!be)
		return -ENOENT;
	if (!(be->modes & (req->mode == HWT_MODE_THREAD ?
			   HWT_BACKEND_THREAD : HWT_BACKEND_CPU))) {
		hwt_backend_put(be);
		return -EOPNOTSUPP;
	}

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		hwt_backend_put(be);
		return -ENOMEM;
	}
	__module_get(THIS_MODULE);
	kref_init(&ctx->ref);
	mutex_init(&ctx->mutex);
	raw_spin_lock_init(&ctx->recq_lock);
	init_waitqueue_head(&ctx->wq);
	init_irq_work(&ctx->wake_work, ctx_wake_fn);
	INIT_WORK(&ctx->free_work, ctx_free_work);
	INIT_LIST_HEAD(&ctx->threads);
	ctx->backend = be;
	ctx->mode = req->mode;
	ctx->flags = req->flags;
	ctx->bufsize = req->bufsize;
	ctx->state = HWT_STATE_ALLOCATED;
	/* ptrace keeps a tracer with this capability attached across a
	 * privileged exec (and lets the exec gain the privileges). */
	ctx->owner_may_ptrace = ns_capable_noaudit(&init_user_ns,
						   CAP_SYS_PTRACE);
	ctx->maxbufs = req->mode == HWT_MODE_THREAD ? HWT_MAX_THREADS :
						      nr_cpu_ids;

	recq_size = req->recq_size ? req->recq_size : HWT_RECQ_DEFAULT;
	ctx->recq_mem = kvzalloc(recq_size, GFP_KERNEL);
	ctx->bufs = kcalloc(ctx->maxbufs, sizeof(*ctx->bufs), GFP_KERNEL);
	if (!ctx->recq_mem || !ctx->bufs) {
		ret = -ENOMEM;
		goto fail;
	}
	hwt_recq_init(&ctx->recq, ctx->recq_mem, recq_size);

	if (be->ops->init) {
		ret = be->ops->init(ctx);
		if (ret)
			goto fail;
	}
	ctx->backend_inited = true;

	mutex_lock(&ctx->mutex);
	if (req->mode == HWT_MODE_THREAD)
		ret = hwt_thread_attach_process(ctx, req->pid);
	else
		ret = hwt_cpu_attach(ctx, req->cpu_map);
	mutex_unlock(&ctx->mutex);
	if (ret)
		goto fail_detach;

	fd = anon_inode_getfd("[hwt]", &hwt_ctx_fops, ctx,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto fail_detach;
	}
	return fd;

fail_detach:
	mutex_lock(&ctx->mutex);
	WRITE_ONCE(ctx->dead, true);
	if (req->mode == HWT_MODE_THREAD)
		hwt_thread_detach_all(ctx);
	else
		hwt_cpu_detach(ctx);
	mutex_unlock(&ctx->mutex);
fail:
	hwt_context_put(ctx);
	return ret;
}
