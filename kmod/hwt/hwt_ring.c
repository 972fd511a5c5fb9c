// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Trace buffer accounting; see hwt_ring.h.  No kernel includes. */

#include "hwt_ring.h"

void hwt_ring_init(struct hwt_ring *r, u64 size, bool ring_mode)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	r->ring_mode = ring_mode;
}

u64 hwt_ring_space(const struct hwt_ring *r)
{
	if (r->ring_mode)
		return r->size;
	return r->size - (r->head - r->tail);
}

int hwt_ring_reserve(struct hwt_ring *r, u64 len, struct hwt_ring_span *span,
		     bool *wrapped)
{
	u64 first;

	*wrapped = false;
	if (len == 0 || len > r->size || len > hwt_ring_space(r)) {
		r->lost += len;
		r->episode_lost += len;
		return -ENOSPC;
	}
	first = r->size - r->off;
	if (first > len)
		first = len;
	span->off[0] = r->off;
	span->len[0] = first;
	span->off[1] = 0;
	span->len[1] = len - first;
	r->off += len;
	if (r->off >= r->size) {
		r->off -= r->size;
		r->wraps++;
		*wrapped = true;
	}
	r->head += len;
	/* Ring mode: the reader can never lag more than one buffer behind. */
	if (r->ring_mode && r->head - r->tail > r->size)
		r->tail = r->head - r->size;
	return 0;
}

int hwt_ring_produced(struct hwt_ring *r, u64 new_head, bool *wrapped)
{
	u64 len, over;

	*wrapped = false;
	if (new_head < r->head)
		return -EINVAL;
	len = new_head - r->head;
	r->head = new_head;
	/* Less than a lap between two reads in practice: no division. */
	r->off += len;
	while (r->off >= r->size) {
		r->off -= r->size;
		r->wraps++;
		*wrapped = true;
	}
	if (r->head - r->tail > r->size) {
		over = r->head - r->tail - r->size;
		if (!r->ring_mode) {
			r->lost += over;
			r->episode_lost += over;
		}
		r->tail += over;
	}
	return 0;
}

int hwt_ring_consume(struct hwt_ring *r, u64 new_tail)
{
	if (new_tail > r->head)
		return -EINVAL;
	if (r->ring_mode) {
		/* Ring mode moves tail forward by itself: an old value is
		 * harmless. */
		if (new_tail > r->tail)
			r->tail = new_tail;
		return 0;
	}
	/* A streaming consumer going back is a bug in the consumer; one
	 * that a lap overtook while it copied is not. */
	if (new_tail < r->consumed)
		return -EINVAL;
	r->consumed = new_tail;
	if (new_tail > r->tail)
		r->tail = new_tail;
	return 0;
}

u64 hwt_ring_oldest(const struct hwt_ring *r)
{
	if (r->head > r->size && r->head - r->size > r->tail)
		return r->head - r->size;
	return r->tail;
}
