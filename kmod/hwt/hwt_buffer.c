// SPDX-License-Identifier: GPL-2.0
/*
 * Trace buffers: vmalloc_user memory, or physically contiguous pages for
 * a backend that asks (HWT_BACKEND_CONTIG), written by backends from any
 * context, mapped read-only into the consumer.
 */

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hwt_internal.h"

struct hwt_buffer *hwt_buffer_alloc(struct hwt_context *ctx, u32 idx,
				    pid_t tid, int cpu)
{
	struct hwt_buffer *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	if ((ctx->backend->modes & HWT_BACKEND_CONTIG) &&
	    is_power_of_2(ctx->bufsize) && ctx->bufsize <= HWT_CONTIG_MAX) {
		/* A buddy block: contiguous and aligned to its size. */
		buf->order = get_order(ctx->bufsize);
		buf->contig = alloc_pages(GFP_KERNEL | __GFP_ZERO |
					  __GFP_NOWARN | __GFP_NORETRY,
					  buf->order);
		if (buf->contig)
			buf->base = page_address(buf->contig);
	}
	if (!buf->base)
		buf->base = vmalloc_user(ctx->bufsize);
	if (!buf->base) {
		kfree(buf);
		return NULL;
	}
	buf->ctx = ctx;
	buf->idx = idx;
	buf->tid = tid;
	buf->cpu = cpu;
	buf->live = true;
	raw_spin_lock_init(&buf->lock);
	hwt_ring_init(&buf->ring, ctx->bufsize, ctx->flags & HWT_ALLOC_RING);
	return buf;
}

void hwt_buffer_free(struct hwt_buffer *buf)
{
	if (!buf)
		return;
	if (buf->contig)
		__free_pages(buf->contig, buf->order);
	else
		vfree(buf->base);
	kfree(buf);
}

/* A quarter of the buffer is unread: poll should say so (once). */
static bool hwt_buffer_signal_locked(struct hwt_buffer *buf)
{
	lockdep_assert_held(&buf->lock);
	if (buf->signalled ||
	    buf->ring.head - buf->ring.tail < buf->ring.size / 4)
		return false;
	buf->signalled = true;
	return true;
}

/* After a write, outside buf->lock: loss and wrap records, the wakeup. */
static void hwt_buffer_report(struct hwt_buffer *buf, u64 lost, bool wrapped,
			      bool notify)
{
	if (lost)
		hwt_record_buffer_event(buf, HWT_BUFREC_OVERFLOW, lost);
	if (wrapped && buf->ring.ring_mode)
		hwt_record_buffer_event(buf, HWT_BUFREC_WRAP, 0);
	if (notify)
		hwt_context_wake(buf->ctx);
}

int hwt_buffer_write(struct hwt_buffer *buf, const void *data, size_t len)
{
	struct hwt_ring_span span;
	unsigned long flags;
	bool wrapped, notify = false;
	u64 lost = 0;
	int ret;

	raw_spin_lock_irqsave(&buf->lock, flags);
	ret = hwt_ring_reserve(&buf->ring, len, &span, &wrapped);
	if (ret) {
		buf->overflow = true;
	} else {
		memcpy(buf->base + span.off[0], data, span.len[0]);
		if (span.len[1])
			memcpy(buf->base, data + span.len[0], span.len[1]);
		/* Writing resumed: the loss episode is over, report it. */
		if (buf->overflow) {
			buf->overflow = false;
			lost = buf->ring.episode_lost;
			buf->ring.episode_lost = 0;
		}
		notify = hwt_buffer_signal_locked(buf);
	}
	raw_spin_unlock_irqrestore(&buf->lock, flags);

	hwt_buffer_report(buf, lost, wrapped, notify);
	return ret ? ret : (int)len;
}
EXPORT_SYMBOL_GPL(hwt_buffer_write);

/*
 * Hardware output: the trace unit writes into the buffer's pages by
 * itself.  The backend builds its output tables from the pages and
 * reports how far the unit got (absolute position, as head).
 */
u64 hwt_buffer_size(struct hwt_buffer *buf)
{
	return buf->ring.size;
}
EXPORT_SYMBOL_GPL(hwt_buffer_size);

/* Page i of the buffer (vmalloc_user: 4 KiB pages, not contiguous). */
struct page *hwt_buffer_page(struct hwt_buffer *buf, unsigned long i)
{
	if (i >= buf->ring.size >> PAGE_SHIFT)
		return NULL;
	if (buf->contig)
		return nth_page(buf->contig, i);
	return vmalloc_to_page(buf->base + (i << PAGE_SHIFT));
}
EXPORT_SYMBOL_GPL(hwt_buffer_page);

u64 hwt_buffer_head(struct hwt_buffer *buf)
{
	unsigned long flags;
	u64 head;

	raw_spin_lock_irqsave(&buf->lock, flags);
	head = buf->ring.head;
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	return head;
}
EXPORT_SYMBOL_GPL(hwt_buffer_head);

/*
 * The unit wrote over unread bytes (a lap): the loss lies where the bytes
 * kept begin, the new tail, not at the head (a software backend's loss,
 * dropped writes, is at the head): the BUFFER record says so, so that a
 * reader cuts the stream where the bytes are missing.
 */
int hwt_buffer_produced(struct hwt_buffer *buf, u64 head)
{
	unsigned long flags;
	bool wrapped, notify = false;
	u64 lost, tail;
	int ret;

	raw_spin_lock_irqsave(&buf->lock, flags);
	ret = hwt_ring_produced(&buf->ring, head, &wrapped);
	lost = buf->ring.episode_lost;
	buf->ring.episode_lost = 0;
	tail = buf->ring.tail;
	if (!ret)
		notify = hwt_buffer_signal_locked(buf);
	raw_spin_unlock_irqrestore(&buf->lock, flags);

	if (lost)
		hwt_record_buffer_event_at(buf, HWT_BUFREC_OVERFLOW, lost,
					   tail);
	hwt_buffer_report(buf, 0, wrapped, notify);
	return ret;
}
EXPORT_SYMBOL_GPL(hwt_buffer_produced);

void hwt_buffer_gap(struct hwt_buffer *buf)
{
	hwt_record_buffer_event(buf, HWT_BUFREC_GAP, 0);
}
EXPORT_SYMBOL_GPL(hwt_buffer_gap);

size_t hwt_buffer_space(struct hwt_buffer *buf)
{
	unsigned long flags;
	size_t space;

	raw_spin_lock_irqsave(&buf->lock, flags);
	space = hwt_ring_space(&buf->ring);
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	return space;
}
EXPORT_SYMBOL_GPL(hwt_buffer_space);

/*
 * The backend asks whether data was lost since it last asked, to mark the
 * gap in its own format (an OVF packet) before it writes again.  The
 * episode's total goes into a BUFFER record.
 */
bool hwt_buffer_test_and_clear_overflow(struct hwt_buffer *buf)
{
	unsigned long flags;
	bool was;
	u64 lost;

	raw_spin_lock_irqsave(&buf->lock, flags);
	was = buf->overflow;
	buf->overflow = false;
	lost = buf->ring.episode_lost;
	buf->ring.episode_lost = 0;
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	if (was)
		hwt_record_buffer_event(buf, HWT_BUFREC_OVERFLOW, lost);
	return was;
}
EXPORT_SYMBOL_GPL(hwt_buffer_test_and_clear_overflow);

void hwt_buffer_ptr(struct hwt_buffer *buf, struct hwt_bufptr *ptr)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&buf->lock, flags);
	ptr->size = buf->ring.size;
	ptr->head = buf->ring.head;
	ptr->tail = hwt_ring_oldest(&buf->ring);
	ptr->lost = buf->ring.lost;
	ptr->wraps = buf->ring.wraps;
	ptr->flags = 0;
	if (buf->ring.lost)
		ptr->flags |= HWT_BUF_OVERFLOW;
	if (buf->ring.wraps)
		ptr->flags |= HWT_BUF_WRAPPED;
	if (READ_ONCE(buf->live))
		ptr->flags |= HWT_BUF_LIVE;
	buf->signalled = false;
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	ptr->tid = buf->tid;
	ptr->cpu = buf->cpu;
	ptr->mmap_offset = (u64)buf->idx * HWT_MMAP_STRIDE;
}

int hwt_buffer_consume(struct hwt_buffer *buf, u64 tail)
{
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&buf->lock, flags);
	ret = hwt_ring_consume(&buf->ring, tail);
	if (!ret)
		buf->signalled = false;
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	return ret;
}

bool hwt_buffer_has_data(struct hwt_buffer *buf)
{
	unsigned long flags;
	bool ret;

	raw_spin_lock_irqsave(&buf->lock, flags);
	ret = buf->ring.head - buf->ring.tail >= buf->ring.size / 4 ||
	      (!buf->live && buf->ring.head != buf->ring.tail &&
	       !buf->ring.ring_mode);
	raw_spin_unlock_irqrestore(&buf->lock, flags);
	return ret;
}

int hwt_buffer_mmap(struct hwt_context *ctx, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct hwt_buffer *buf;
	u32 idx;

	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (offset % HWT_MMAP_STRIDE)
		return -EINVAL;
	idx = offset / HWT_MMAP_STRIDE;
	if (idx >= ctx->nbufs || !ctx->bufs[idx])
		return -EINVAL;
	buf = ctx->bufs[idx];
	if (size > ctx->bufsize)
		return -EINVAL;
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_pgoff = 0;
	if (buf->contig)
		return remap_pfn_range(vma, vma->vm_start,
				       page_to_pfn(buf->contig), size,
				       vma->vm_page_prot);
	return remap_vmalloc_range(vma, buf->base, 0);
}
