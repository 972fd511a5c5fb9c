// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounded record queue; see hwt_recq.h.  No kernel includes. */

#include "hwt_recq.h"

void hwt_recq_init(struct hwt_recq *q, void *mem, u32 cap)
{
	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->cap = cap & ~7u;
}

static u32 recq_used(const struct hwt_recq *q)
{
	return (u32)(q->head - q->tail);
}

static void recq_copy_in(struct hwt_recq *q, const void *src, u32 len)
{
	u32 off = (u32)(q->head % q->cap);
	u32 first = q->cap - off;

	if (first > len)
		first = len;
	memcpy(q->mem + off, src, first);
	memcpy(q->mem, (const u8 *)src + first, len - first);
	q->head += len;
}

static void recq_copy_out(const struct hwt_recq *q, u64 pos, void *dst,
			  u32 len)
{
	u32 off = (u32)(pos % q->cap);
	u32 first = q->cap - off;

	if (first > len)
		first = len;
	memcpy(dst, q->mem + off, first);
	memcpy((u8 *)dst + first, q->mem, len - first);
}

int hwt_recq_push(struct hwt_recq *q, const struct hwt_record_hdr *rec)
{
	struct hwt_rec_lost lost;
	u32 need = rec->size;

	if (rec->size < sizeof(*rec) || rec->size % 8 || rec->size > q->cap)
		return -EINVAL;
	if (q->dropped_unreported)
		need += sizeof(lost);
	if (q->cap - recq_used(q) < need) {
		q->dropped++;
		q->dropped_unreported++;
		return -ENOSPC;
	}
	if (q->dropped_unreported) {
		memset(&lost, 0, sizeof(lost));
		lost.hdr = *rec;
		lost.hdr.type = HWT_REC_LOST;
		lost.hdr.size = sizeof(lost);
		lost.records = q->dropped_unreported;
		lost.total = q->dropped;
		recq_copy_in(q, &lost, sizeof(lost));
		q->count++;
		q->dropped_unreported = 0;
	}
	recq_copy_in(q, rec, rec->size);
	q->count++;
	return 0;
}

u32 hwt_recq_peek_size(const struct hwt_recq *q)
{
	struct hwt_record_hdr hdr;

	if (!q->count)
		return 0;
	recq_copy_out(q, q->tail, &hdr, sizeof(hdr));
	return hdr.size;
}

u32 hwt_recq_pop(struct hwt_recq *q, void *dst, u32 dstlen, u32 *nrec)
{
	u32 done = 0, size;

	*nrec = 0;
	while (q->count) {
		size = hwt_recq_peek_size(q);
		if (size > dstlen - done)
			break;
		recq_copy_out(q, q->tail, (u8 *)dst + done, size);
		q->tail += size;
		q->count--;
		done += size;
		(*nrec)++;
	}
	return done;
}
