/* SPDX-License-Identifier: BSD-2-Clause */
/* The fast path of a PT segment (pt_seg.h): cached blocks walked
 * with flow queries on libipt's packet decoder (pt_fastpkt.c). */
#include <stddef.h>

#include "pt/pt_seg.h"

/* libipt's return-compression stack: a ring that forgets the oldest. */
static void ret_push(uint64_t *rs, unsigned *top, unsigned *n, uint64_t ip)
{
	rs[*top] = ip;
	*top = (*top + 1) % RETSTACK;
	if (*n < RETSTACK)
		(*n)++;
}


/* seg's item count and tail from the fast path's pointers. */
static inline void seg_sync(struct segment *seg, const struct item *it,
			    const struct item *tail)
{
	seg->n = (size_t)(it - seg->items);
	seg->tail = (size_t)(tail - seg->items);
}

/* A fast-path item's fields before fb. */
static const struct item fast_item = { .kind = IT_FAST };

/* Tracing enabled at ip: resumed (the event's arg) where libipt's decoder
 * waits, where tracing stopped (f->resume_ip). */
static void fast_enable(struct segment *seg, const struct hwt_fastpkt *f,
			uint64_t ip)
{
	seg_add_event(seg, HWT_EV_ENABLE, ip, f->tsc)->arg =
		f->resume_ip && ip == f->resume_ip;
}

/*
 * Tracing disabled at at (0: not known), and st a TIP.PGE query's answer:
 * 0, enabled again at ip, or 1, disabled to the end.  The events libipt
 * reports, each at the time of its packet (*now: the last); returns st.
 */
static int fast_disabled(struct segment *seg, const struct hwt_fastpkt *f,
			 int st, uint64_t at, uint64_t ip, uint64_t *now)
{
	seg_add_event(seg, HWT_EV_DISABLE, at, f->pgd_tsc);
	*now = f->pgd_tsc;
	if (st == 1)
		return 1;
	fast_enable(seg, f, ip);
	*now = f->tsc;
	seg->tail = seg->n;
	return 0;
}

/* A time event (t) at item index at of seg's; the items from there on
 * move up one. */
static void time_item_at(struct segment *seg, size_t at, uint64_t t)
{
	struct item ev;

	seg_add_event(seg, HWT_EV_TIME, 0, t);
	ev = seg->items[seg->n - 1];
	memmove(&seg->items[at + 1], &seg->items[at],
		(seg->n - 1 - at) * sizeof(ev));
	seg->items[at] = ev;
}

/*
 * The query at the end of the block of the last item (it - 1; tail: the
 * loop's, seg's items synced from them) said the time changed: libipt's
 * time at the TNT or TIP packet it read may differ from the last
 * event's, *now (HWT_FASTPKT_TIME: a TSC of another value came).  A
 * PSB+ read on the way changed it at its FUP first (libipt's status
 * update, bound to the FUP's IP: before the first block from tail on that
 * begins there, else after the one that holds it, else before the last);
 * then libipt's tick, bound to the branch: the blocks after the last item
 * take the time, and so does the last item itself if its block is that
 * one instruction (pt_frontend.c's peek_tick()).
 * Returns where the loop's next item goes.
 */
static __attribute__((noinline)) struct item *
fast_time(struct segment *seg, struct hwt_fastpkt *f, uint64_t *now,
	  struct item *it, const struct item *tail)
{
	size_t last, i, at;

	seg_sync(seg, it, tail);
	last = seg->n - 1;
	if (f->psb_tsc && f->psb_tsc != *now) {
		at = last;	/* the FUP not walked: inconsistent */
		for (i = seg->tail; i < seg->n; i++) {
			struct hwt_block tmp;
			const struct hwt_block *b;

			if (seg->items[i].kind == IT_EVENT)
				continue;
			b = seg_item_block(seg, &seg->items[i], &tmp);
			if (b->ip == f->psb_fup) {
				at = i;
				break;
			}
			/* After the block that holds it, the last one
			 * too: libipt splits it there, the core joins the
			 * halves at the first's time. */
			if (f->psb_fup > b->ip && f->psb_fup <= b->end_ip) {
				at = i + 1;
				break;
			}
		}
		time_item_at(seg, at, f->psb_tsc);
		*now = f->psb_tsc;
		if (at <= last)
			last++;
	}
	f->psb_tsc = 0;
	if (f->tsc != *now) {
		const struct item *q = &seg->items[last];

		time_item_at(seg, q->kind == IT_FAST && q->fb->ninsn == 1 ?
			     last : seg->n, f->tsc);
		*now = f->tsc;
	}
	return seg->items + seg->n;
}

/*
 * The return addresses the walk pushed for calls ending the blocks of
 * items [from, to): direct calls, pushed as walked (the walk since the
 * last trace consumed has no other), each a whole cached block (a cut
 * one is no longer IT_FAST).
 */
static unsigned walked_calls(const struct segment *seg, size_t from,
			     size_t to)
{
	unsigned n = 0;

	for (; from < to; from++)
		if (seg->items[from].kind == IT_FAST &&
		    seg->items[from].fb->push)
			n++;
	return n;
}

/*
 * An asynchronous disable at f->fup_ip: the instructions from there on,
 * walked since the last trace consumed, never ran (cut); then TIP.PGD and
 * TIP.PGE.  Or (f->pgd) a TIP.PGD at f->fup_ip, read already, which
 * libipt binds (pt_blk_proceed_event) where the walk since the last trace
 * consumed reaches that IP without trace (cut there, tracing expected
 * back there), else to the branch queried, the last item's: all of it
 * ran (a call's return address pushed, *ret set to it; tracing expected
 * back there for a call, nowhere for another branch).  *undo: how many
 * return addresses the walk pushed for calls that the cut says never ran.
 * Returns 0 with *ip where tracing resumes, 1 if it never does, -1 for
 * libipt.
 */
static int fast_async(struct worker *w, struct segment *seg,
		      struct hwt_fastpkt *f, uint64_t *ip, uint64_t *now,
		      uint64_t *ret, unsigned *undo)
{
	uint64_t at = f->fup_ip;
	/* The calls walked, which a cut says never ran (the last item's
	 * branch queried: it pushed nothing yet). */
	unsigned walked = seg->n > seg->tail ?
		walked_calls(seg, seg->tail, seg->n - 1) : 0;
	int st;

	*ret = 0;
	*undo = 0;
	if (seg_cut(w, seg, seg->tail, at)) {
		*undo = walked - walked_calls(seg, seg->tail, seg->n);
		if (f->pgd) {
			f->pgd = 0;
			f->resume_ip = at;
			st = hwt_fastpkt_enable(f, ip);
		} else {
			uint64_t tsc = f->tsc;

			st = hwt_fastpkt_async_pgd(f, ip);
			if (st == 2) {
				/* An interrupt whose handler is traced:
				 * libipt's async branch, at the time of its
				 * FUP (a timing packet between it and the
				 * TIP: libipt's). */
				if (f->tsc != tsc)
					return -1;
				seg_add_event(seg, HWT_EV_ASYNC, at,
					      f->tsc)->arg = *ip;
				*now = f->tsc;
				f->time_changed = 0;
				seg->tail = seg->n;
				return 0;
			}
		}
	} else if (f->pgd) {
		/* Not reached without trace: bound to the branch queried. */
		const struct item *q = &seg->items[seg->n - 1];

		f->pgd = 0;
		if (seg->n == seg->tail || q->kind != IT_FAST)
			return -1;
		f->resume_ip = q->fb->iclass == HWT_IC_CALL ||
			       q->fb->iclass == HWT_IC_IND_CALL ?
			       q->fb->next : 0;
		if (q->fb->push)
			*ret = q->fb->next;
		st = hwt_fastpkt_enable(f, ip);
	} else {
		return -1;	/* a FUP where the walk never was */
	}
	if (st < 0)
		return -1;
	return fast_disabled(seg, f, st, at, *ip, now);
}

/* The fast path over trace [from, to), its items after seg's;
 * start_disabled: tracing is disabled at the PSB+ at from, its FUP
 * notwithstanding.  The per-block loop keeps where the next item goes,
 * the array's end and seg->tail as pointers in locals (an item's store may
 * alias seg's fields for the compiler): seg holds them again before
 * anything else reads or changes them. */
int seg_fast_segment(struct worker *w, struct segment *seg, uint64_t from,
		     uint64_t to, int start_disabled, struct fast_end *fe)
{
	const uint8_t *b = w->run->buf;
	struct hwt_fastpkt f;
	struct pt_config cfg;
	uint64_t ip = 0, ret_ip, rs[RETSTACK];
	unsigned rtop = 0, rn = 0, undo;
	int status, enabled = 0, ret = FAST_BAIL;
	uint64_t now = 0;	/* the time the blocks walked take */
	struct fblock *fb;
	struct item *it, *end, *tail;

	seg->tail = seg->n;
	fe->disabled = 0;
	hwt_pt_config(w->run->env, &cfg, b + from, b + to);
	status = hwt_fastpkt_init(&f, &cfg, &enabled, &ip);
	if (status < 0)
		goto out;
	/* The PSB+'s time: libipt's at the segment's first block. */
	now = f.tsc;
	if (now)
		seg_add_event(seg, HWT_EV_TIME, 0, now);
	/* With BDM70 applied libipt drops the FUP of a PSB+ that a TIP.PGE
	 * follows (and the IP it gives): libipt's case. */
	if (enabled && !start_disabled && w->run->bdm70 &&
	    seg_psb_then_pge(w->run, from))
		goto out;
	if (start_disabled && enabled) {
		/* libipt's decoder is where tracing stopped: the FUP's IP
		 * (pt_frontend.c's disabled start). */
		enabled = 0;
		f.resume_ip = ip;
	}
	if (!enabled) {
		/* Disabled at the PSB: timing to the end, or to a TIP.PGE
		 * (else libipt's job). */
		status = hwt_fastpkt_enable(&f, &ip);
		if (status == 1) {
			ret = FAST_OK;
			fe->disabled = 1;
			fe->resume_ip = f.resume_ip;
		}
		if (status)
			goto out;
		fast_enable(seg, &f, ip);
		now = f.tsc;
		seg->tail = seg->n;
	}
	if (seg->n == seg->cap) {
		/* Room for an item: the pointers below into an array. */
		seg_add_item(seg);
		seg->n--;
	}
	/* The locals from seg and the block at ip, as after an interrupt. */
	goto resume;
	for (;;) {
		if (__builtin_expect(it == end, 0)) {
			size_t t = (size_t)(tail - seg->items);
			size_t n = seg->cap;

			seg->n = n;
			seg_add_item(seg);	/* grows the array */
			it = seg->items + n;
			end = seg->items + seg->cap;
			tail = seg->items + t;
		}
		/* kind, flags and x in one store, not three. */
		memcpy(it, &fast_item, offsetof(struct item, fb));
		it->fb = fb;
		it++;
		/* The next block: the way this one's branch went, the
		 * successor it led to before (no hash lookup). */
		switch (fb->op & 7) {
		case FOP_SPECIAL:
			/* A far branch: its TIP, as an indirect branch's. */
			if (fb->far)
				goto far;
			/* libipt's, unless an interrupt came first (a FUP at
			 * or before it). */
			seg_sync(seg, it, tail);
			if (f.index || f.tip_pending)
				goto out;
			status = hwt_fastpkt_fill(&f);
			if (status == HWT_FASTPKT_ASYNC)
				goto async;
			goto out;
		case FOP_SYSCALL:
			/* User-space tracing: TIP.PGD at the SYSCALL, TIP.PGE
			 * where it returns, as libipt reports them; libipt's
			 * decoder waits after the SYSCALL. */
			seg_sync(seg, it, tail);
			f.resume_ip = fb->next;
			status = hwt_fastpkt_syscall(&f, &ip);
			if (status == -pte_eos)
				goto end;	/* the segment ends first */
			if (status < 0)
				goto out;
			if (status == 2) {
				/* Traced into the kernel: a far branch. */
				if (f.time_changed) {
					f.time_changed = 0;
					it = fast_time(seg, &f, &now, it, tail);
					end = seg->items + seg->cap;
				}
				tail = it;
				fb = seg_ind(w, fb, ip);
				break;
			}
			if (fast_disabled(seg, &f, status, 0, ip, &now)) {
				ret = FAST_OK;	/* disabled to the end */
				fe->disabled = 1;
				fe->resume_ip = f.resume_ip;
				goto out;
			}
			goto resume;
		case FOP_COND:
			status = hwt_fastpkt_bit(&f);
			/* One test for the bit: negative as unsigned too. */
			if (__builtin_expect((unsigned)status > 1, 0)) {
				if (status == HWT_FASTPKT_BIT_ASYNC)
					goto sync_async;
				if (status < 0)
					goto sync_end;
				it = fast_time(seg, &f, &now, it, tail);
				end = seg->items + seg->cap;
				status &= 1;
			}
			tail = it;	/* what follows ran after the last
					 * trace consumed */
			fb = seg_succ(w, fb, status);
			break;
		case FOP_CALL:
			if (fb->push)
				ret_push(rs, &rtop, &rn, fb->next);
			__attribute__((fallthrough));
		case FOP_JUMP:
			/* No trace: items since the last trace read (tail),
			 * a loop of direct branches (HWT_PT_SPIN_BLOCKS),
			 * libipt's decode reports it. */
			if (it - tail > HWT_PT_SPIN_BLOCKS)
				goto sync_out;
			fb = seg_succ(w, fb, 1);
			break;
		case FOP_RET:
			/* A compressed return is a taken TNT bit. */
			status = hwt_fastpkt_bit(&f);
			if (status == HWT_FASTPKT_BIT_ASYNC)
				goto sync_async;
			if (status >= 0) {
				if (__builtin_expect(status > 1, 0)) {
					it = fast_time(seg, &f, &now, it,
						       tail);
					end = seg->items + seg->cap;
					tail = seg->items + seg->tail;
					status &= 1;
				}
				if (!status || !rn)
					goto sync_out;
				rtop = (rtop + RETSTACK - 1) % RETSTACK;
				rn--;
				ip = rs[rtop];
				tail = it;
				fb = seg_ind(w, fb, ip);
				break;
			}
			if (status != -pte_bad_query)
				goto sync_end;
			/* An uncompressed return is an indirect branch. */
			__attribute__((fallthrough));
		case FOP_IND:
far:
			status = hwt_fastpkt_tip(&f, &ip);
			if (__builtin_expect(status != 0, 0)) {
				if (status == HWT_FASTPKT_ASYNC)
					goto sync_async;
				if (status < 0)
					goto sync_end;
				it = fast_time(seg, &f, &now, it, tail);
				end = seg->items + seg->cap;
			}
			if (fb->push)
				ret_push(rs, &rtop, &rn, fb->next);
			tail = it;
			fb = seg_ind(w, fb, ip);
			break;
		case FOP_EXIT:
		default:
			goto sync_out;	/* block cut at MAX_BLOCK_INSNS etc. */
		}
		if (!fb)
			goto sync_out;
		continue;
sync_async:
		seg_sync(seg, it, tail);
async:
		/* An interrupt (FUP, TIP.PGD) before the branch queried,
		 * tracing back at the TIP.PGE. */
		status = fast_async(w, seg, &f, &ip, &now, &ret_ip, &undo);
		if (undo) {
			/* A full ring may have forgotten entries for
			 * them: libipt's then. */
			if (status < 0 || rn == RETSTACK || undo > rn)
				goto out;
			rn -= undo;
			rtop = (rtop + RETSTACK - undo) % RETSTACK;
		}
		if (ret_ip)
			ret_push(rs, &rtop, &rn, ret_ip);
		if (status == 1) {
			ret = FAST_OK;	/* disabled to the end */
			fe->disabled = 1;
			fe->resume_ip = f.resume_ip;
		}
		if (status)
			goto out;
resume:
		it = seg->items + seg->n;
		end = seg->items + seg->cap;
		tail = seg->items + seg->tail;
		fb = seg_cache_lookup(w, ip);
		if (!fb)
			goto sync_out;
	}
sync_end:
	seg_sync(seg, it, tail);
end:
	/* Out of trace at a branch: the segment's end (the block stays, as
	 * libipt's partial block does); anything else is libipt's job. */
	if (status == -pte_eos) {
		seg->items[seg->n - 1].flags |= HWT_BLK_PARTIAL;
		ret = FAST_OK;
	}
	goto out;
sync_out:
	seg_sync(seg, it, tail);
out:
	fe->tsc = f.tsc;
	fe->now = now;
	hwt_fastpkt_fini(&f);
	return ret;
}
