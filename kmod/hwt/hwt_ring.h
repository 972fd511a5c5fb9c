/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Accounting of one trace buffer: where the next bytes go, what the
 * consumer still has to read, what was lost.  Pure logic; the caller
 * serializes access and does the copying.
 *
 * Positions are absolute byte counts (head: ever written, tail: ever
 * consumed), so no state is ambiguous after a wrap.  The offset into the
 * buffer memory is kept separately to avoid 64-bit division in the kernel.
 */
#ifndef _HWT_RING_H
#define _HWT_RING_H

#include "hwt_pure.h"

struct hwt_ring {
	u64 size;		/* buffer bytes */
	u64 head;		/* bytes ever written */
	u64 tail;		/* first byte the consumer may still read */
	u64 consumed;		/* what the consumer said it read */
	u64 off;		/* head modulo size */
	u64 lost;		/* bytes ever dropped */
	u64 episode_lost;	/* dropped since the last report */
	u64 wraps;		/* times off went back to 0 */
	bool ring_mode;		/* overwrite instead of dropping */
};

/* Where a write lands: one or two pieces (the second after a wrap). */
struct hwt_ring_span {
	u64 off[2];
	u64 len[2];
};

void hwt_ring_init(struct hwt_ring *r, u64 size, bool ring_mode);

/* Bytes a streaming write may still use before it would drop data. */
u64 hwt_ring_space(const struct hwt_ring *r);

/*
 * Reserve len bytes.  Returns 0 and fills span, or -ENOSPC when the bytes
 * do not fit (streaming mode with an unread tail in the way, or len larger
 * than the buffer): then they count as lost.  *wrapped tells whether this
 * write crossed the end of the buffer.
 */
int hwt_ring_reserve(struct hwt_ring *r, u64 len, struct hwt_ring_span *span,
		     bool *wrapped);

/*
 * The consumer has read up to new_tail.  Returns 0 if the tail moved, or
 * if new_tail is behind a tail that a lap moved past it (hardware output
 * overwrote the bytes after the consumer looked: not its fault), or in
 * ring mode when new_tail is stale.  Returns -EINVAL if new_tail is past
 * the head, or behind what the consumer said before (streaming mode).
 */
int hwt_ring_consume(struct hwt_ring *r, u64 new_tail);

/*
 * A trace unit wrote into the buffer memory by itself (hardware output,
 * not hwt_ring_reserve()) up to the absolute position new_head.  Returns
 * -EINVAL if new_head is behind head.  Streaming mode: bytes written over
 * data the consumer had not read are lost (counted; the tail moves past
 * them).  *wrapped tells whether the output crossed the end of the buffer.
 */
int hwt_ring_produced(struct hwt_ring *r, u64 new_head, bool *wrapped);

/* First byte still held in memory (ring mode drops the oldest). */
u64 hwt_ring_oldest(const struct hwt_ring *r);

#endif /* _HWT_RING_H */
