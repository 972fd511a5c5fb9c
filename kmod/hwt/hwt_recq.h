/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The bounded record queue of a context: variable-size records (struct
 * hwt_record_hdr first, size a multiple of 8) in a byte ring.  When a
 * record does not fit it is dropped and counted; the next record that fits
 * is preceded by an HWT_REC_LOST record carrying the count, so the reader
 * always learns about losses in order.  Pure logic; the caller serializes.
 */
#ifndef _HWT_RECQ_H
#define _HWT_RECQ_H

#include "hwt_pure.h"
#include "../../include/hwt/hwt.h"

struct hwt_recq {
	u8 *mem;
	u32 cap;		/* bytes, multiple of 8 */
	u32 count;		/* records queued */
	u64 head;		/* bytes ever queued */
	u64 tail;		/* bytes ever dequeued */
	u64 dropped;		/* records ever dropped */
	u64 dropped_unreported;	/* dropped since the last LOST record */
};

void hwt_recq_init(struct hwt_recq *q, void *mem, u32 cap);

/*
 * Queue a record.  0 on success, -ENOSPC if it was dropped (counted),
 * -EINVAL if the record is malformed (size not a multiple of 8, smaller
 * than its header, or larger than the queue).
 */
int hwt_recq_push(struct hwt_recq *q, const struct hwt_record_hdr *rec);

/* Size of the oldest queued record, 0 if none. */
u32 hwt_recq_peek_size(const struct hwt_recq *q);

/*
 * Move whole records, oldest first, into dst while they fit in dstlen.
 * Returns the bytes copied and sets *nrec to the number of records.
 */
u32 hwt_recq_pop(struct hwt_recq *q, void *dst, u32 dstlen, u32 *nrec);

#endif /* _HWT_RECQ_H */
