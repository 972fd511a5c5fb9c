/* SPDX-License-Identifier: BSD-2-Clause */
/* Where a segment's decode stops: the cut at the next segment's
 * FUP, and the state tracing is left in (pt_seg.h). */
#include <assert.h>

#include "pt/pt_seg.h"

/* Whether the last instruction of b took trace (conditional, indirect,
 * return); libipt does not tell direct from indirect jumps and calls. */
static int takes_trace(struct worker *w, const struct hwt_block *b)
{
	const struct fblock *fb;

	switch (b->iclass) {
	case HWT_IC_COND_JUMP: case HWT_IC_RET: case HWT_IC_IND_JUMP:
	case HWT_IC_IND_CALL:
		return 1;
	case HWT_IC_JUMP: case HWT_IC_CALL:
		fb = seg_cache_lookup(w, b->ip);
		return !fb || fb->ninsn != b->ninsn ||
		       (fb->iclass != HWT_IC_JUMP && fb->iclass != HWT_IC_CALL);
	default:
		return 1;	/* far/other: stop the search */
	}
}

/* Instruction count of block b before address ip, -1 if ip is not an
 * instruction boundary of b. */
static long insns_before(struct worker *w, const struct hwt_block *b,
			 uint64_t ip)
{
	const struct fblock *fb = seg_cache_lookup(w, b->ip);
	uint64_t a = b->ip;
	uint32_t i;

	/* The cached block starting at b->ip covers b when sequential. */
	if (!fb || fb->ninsn < b->ninsn)
		return -1;
	for (i = 0; i < b->ninsn; a += fb->lens[i++])
		if (a == ip)
			return i;
	return -1;
}

/*
 * Where the instructions that ran without trace after the last
 * trace-consuming block of libipt's items from base begin (an item index;
 * the fast path keeps it in seg->tail): only they can hold the next
 * PSB+'s FUP.  A final partial block consumed nothing (it ran out of
 * trace).
 */
size_t seg_tail_start(struct worker *w, const struct segment *seg,
		      size_t base)
{
	size_t start = seg->n;

	while (start > base) {
		const struct item *it = &seg->items[start - 1];
		const struct hwt_block *b;

		if (it->kind != IT_BLOCK)
			break;
		b = &seg->ext[it->x].b;
		if (takes_trace(w, b) &&
		    !(start == seg->n && (b->flags & HWT_BLK_PARTIAL)))
			break;
		start--;
	}
	return start;
}

/* Instructions in the items [from, to). */
uint64_t seg_insns_in(const struct segment *seg, size_t from, size_t to)
{
	uint64_t n = 0;
	size_t i;

	for (i = from; i < to; i++) {
		struct hwt_block tmp;

		if (seg->items[i].kind != IT_EVENT)
			n += seg_item_block(seg, &seg->items[i], &tmp)->ninsn;
	}
	return n;
}

/* Ends the segment's items before instruction k of item i's block. */
static void cut_block(struct worker *w, struct segment *seg, size_t i,
		      long k)
{
	struct item *it = &seg->items[i];
	struct hwt_block tmp, *b = seg_item_block(seg, it, &tmp);
	const struct fblock *fb;
	uint64_t a = b->ip;
	long j;

	/* A cut keeps the first k instructions of a block the items hold. */
	assert(i < seg->n && k >= 0 && (uint64_t)k < b->ninsn);
	if (k == 0) {
		seg->n = i;
		return;
	}
	fb = seg_cache_lookup(w, b->ip);
	/* insns_before() found k through this block's cached lengths. */
	assert(fb && fb->ninsn >= (uint32_t)k);
	for (j = 0; j < k - 1; j++)
		a += fb->lens[j];
	if (it->kind == IT_FAST) {
		/* A cut block is no cached block. */
		it->x = seg_ext_new(seg);
		it->kind = IT_BLOCK;
		it->fb = NULL;
		seg->ext[it->x].b = tmp;
		b = &seg->ext[it->x].b;
	}
	b->ninsn = (uint32_t)k;
	b->end_ip = a;
	b->iclass = HWT_IC_OTHER;
	b->flags &= (uint16_t)~HWT_BLK_PARTIAL;
	seg->n = i + 1;
}


/*
 * The same by instruction index: at the first instruction at fup that is
 * skip or more instructions after item base (libipt's blocks need not
 * split the same way in two decodes: its block cache is shared).
 */
int seg_cut_after(struct worker *w, struct segment *seg, size_t base,
		  uint64_t skip, uint64_t fup)
{
	uint64_t n = 0;
	size_t i;

	for (i = base; i < seg->n; i++) {
		struct item *it = &seg->items[i];
		struct hwt_block tmp, *b;
		long k;

		if (it->kind == IT_EVENT)
			continue;
		b = seg_item_block(seg, it, &tmp);
		n += b->ninsn;
		if (n <= skip || fup < b->ip || fup > b->end_ip)
			continue;
		k = insns_before(w, b, fup);
		/* Not before the skip-th instruction. */
		if (k < 0 || n - b->ninsn + (uint64_t)k < skip)
			continue;
		cut_block(w, seg, i, k);
		return 1;
	}
	return 0;
}

/*
 * Cuts the segment at fup, the next PSB+'s FUP IP: at its first
 * occurrence from item start on (seg_tail_start()).  Returns whether it was
 * there; if not, the segment already ends where the next one starts.
 */
int seg_cut(struct worker *w, struct segment *seg, size_t start,
	    uint64_t fup)
{
	return seg_cut_after(w, seg, start, 0, fup);
}

/* How the items from base end; start_state if none says. */
int seg_end_state(const struct segment *seg, size_t base, int start_state)
{
	size_t i;

	for (i = seg->n; i > base; i--) {
		const struct item *it = &seg->items[i - 1];
		const struct hwt_event *e;

		if (it->kind != IT_EVENT)
			return END_ENABLED;
		e = &seg->ext[it->x].e;
		switch (e->type) {
		case HWT_EV_ENABLE:
		case HWT_EV_ASYNC:
			return END_ENABLED;
		case HWT_EV_DISABLE:
			return END_DISABLED;
		case HWT_EV_OVERFLOW:
			/* No IP: it resolved while tracing was disabled. */
			return e->ip ? END_ENABLED : END_DISABLED;
		case HWT_EV_GAP:
			return END_ERROR;
		default:
			break;
		}
	}
	return start_state;
}
