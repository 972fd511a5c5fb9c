// SPDX-License-Identifier: GPL-2.0
/*
 * Sideband records: building headers, queueing from any context, and
 * batch copy-out to user space (HWT_IOC_RECORD_GET).
 */

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "hwt_internal.h"

void hwt_record_init_hdr(struct hwt_record_hdr *hdr, u32 type, u32 size,
			 struct task_struct *task, struct hwt_buffer *buf)
{
	hdr->type = type;
	hdr->size = size;
	hdr->pid = task ? task_tgid_nr(task) : -1;
	hdr->tid = task ? task_pid_nr(task) : -1;
	hdr->cpu = raw_smp_processor_id();
	hdr->time = ktime_get_mono_fast_ns();
	if (buf) {
		hdr->buf_idx = buf->idx;
		hdr->buf_head = READ_ONCE(buf->ring.head);
	} else {
		hdr->buf_idx = HWT_NO_BUF;
		hdr->buf_head = 0;
	}
}

void hwt_record_push(struct hwt_context *ctx, struct hwt_record_hdr *hdr)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ctx->recq_lock, flags);
	hwt_recq_push(&ctx->recq, hdr);
	raw_spin_unlock_irqrestore(&ctx->recq_lock, flags);
	hwt_context_wake(ctx);
}

void hwt_record_buffer_event(struct hwt_buffer *buf, u32 flags, u64 lost)
{
	hwt_record_buffer_event_at(buf, flags, lost, READ_ONCE(buf->ring.head));
}

void hwt_record_buffer_event_at(struct hwt_buffer *buf, u32 flags, u64 lost,
				u64 pos)
{
	struct hwt_rec_buffer rec = { };
	unsigned long irqflags;

	hwt_record_init_hdr(&rec.hdr, HWT_REC_BUFFER, sizeof(rec), NULL, buf);
	rec.hdr.buf_head = pos;
	rec.hdr.tid = buf->tid;
	rec.flags = flags;
	rec.lost = lost;
	raw_spin_lock_irqsave(&buf->lock, irqflags);
	rec.total_lost = buf->ring.lost;
	rec.wraps = buf->ring.wraps;
	raw_spin_unlock_irqrestore(&buf->lock, irqflags);
	hwt_record_push(buf->ctx, &rec.hdr);
}

bool hwt_record_pending(struct hwt_context *ctx)
{
	unsigned long flags;
	bool ret;

	raw_spin_lock_irqsave(&ctx->recq_lock, flags);
	ret = ctx->recq.count != 0;
	raw_spin_unlock_irqrestore(&ctx->recq_lock, flags);
	return ret;
}

static bool record_wait_done(struct hwt_context *ctx, u32 wakeups)
{
	return hwt_record_pending(ctx) || READ_ONCE(ctx->wakeups) != wakeups ||
	       READ_ONCE(ctx->state) == HWT_STATE_STOPPED ||
	       READ_ONCE(ctx->state) == HWT_STATE_TARGET_GONE;
}

/* Called without ctx->mutex so that a blocked reader does not hold up
 * STOP or WAKEUP; the context reference is held by the open file. */
int hwt_record_get(struct hwt_context *ctx, struct hwt_record_get *req)
{
	u32 len, nrec = 0, bytes = 0, next;
	unsigned long flags;
	void *kbuf;
	int ret = 0;

	if (req->flags & ~HWT_RECORD_WAIT || req->reserved ||
	    req->nrecords || req->bytes || req->dropped || req->pending)
		return -EINVAL;
	if (req->buflen < sizeof(struct hwt_record_hdr) || !req->buf)
		return -EINVAL;
	len = min_t(u32, req->buflen, HWT_RECQ_MAX);

	if (req->flags & HWT_RECORD_WAIT) {
		u32 wakeups = READ_ONCE(ctx->wakeups);

		ret = wait_event_interruptible(ctx->wq,
					       record_wait_done(ctx, wakeups));
		if (ret)
			return ret;
	}

	kbuf = kvmalloc(len, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	raw_spin_lock_irqsave(&ctx->recq_lock, flags);
	next = hwt_recq_peek_size(&ctx->recq);
	if (next > len)
		ret = -EMSGSIZE;
	else
		bytes = hwt_recq_pop(&ctx->recq, kbuf, len, &nrec);
	req->dropped = ctx->recq.dropped;
	req->pending = ctx->recq.count;
	raw_spin_unlock_irqrestore(&ctx->recq_lock, flags);

	/* A bad user pointer is the only failure left once records are
	 * popped: count them as dropped rather than lose them silently. */
	if (!ret && bytes && copy_to_user(u64_to_user_ptr(req->buf), kbuf,
					  bytes)) {
		raw_spin_lock_irqsave(&ctx->recq_lock, flags);
		ctx->recq.dropped += nrec;
		raw_spin_unlock_irqrestore(&ctx->recq_lock, flags);
		ret = -EFAULT;
	}
	kvfree(kbuf);
	req->nrecords = nrec;
	req->bytes = bytes;
	return ret;
}
