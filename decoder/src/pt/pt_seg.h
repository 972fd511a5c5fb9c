/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the objects of the PSB-segmented PT decode share: a segment's
 * output (items and their extensions, inline: the fast path writes one
 * per executed block), the fast path's cached blocks, the worker and the
 * run.  The objects:
 *   pt_seg_cache.c  the fast path's block cache (ip -> block, capstone)
 *   pt_fastpath.c   the fast path: the cache walked with libipt's packet
 *                   decoder's flow queries
 *   pt_seg_join.c   the cut at the next segment's FUP, and how a segment
 *                   ends
 *   pt_segment.c    pieces, libipt's block decoder, workers, and feeding
 *                   the segments to the sink in trace order
 */
#ifndef HWT_DECODER_PT_SEG_H
#define HWT_DECODER_PT_SEG_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pt/pt_fastpkt.h"
#include "pt/pt_internal.h"

#define MAX_BLOCK_INSNS	1024
#define RETSTACK	64	/* libipt's return-compression stack depth */
#define POOL_CAP	8192	/* items of a fresh segment buffer */

enum item_kind { IT_BLOCK, IT_EVENT, IT_FAST };

struct fblock;

/* 16 bytes: the fast path writes one per executed block, the main thread
 * reads it back; a full hwt_block would be 3.5 times the memory traffic. */
struct item {
	uint8_t kind;
	uint16_t flags;		/* IT_FAST: HWT_BLK_* */
	uint32_t x;		/* IT_BLOCK, IT_EVENT: index in segment.ext */
	struct fblock *fb;	/* IT_FAST: the cached block */
};

/* Blocks from libipt's block decoder and events. */
union ext {
	struct hwt_block b;
	struct hwt_event e;
};

struct segment {
	uint64_t start, end;
	struct item *items;
	size_t n, cap;
	union ext *ext;
	size_t next, extcap;
	size_t tail;		/* fast path: first item after the last
				 * trace-consuming block */
	/* How the segment starts: its PSB+ has a FUP (start_fup, at
	 * start_ip), and tracing is disabled there all the same
	 * (start_disabled: a continuous decode arrives disabled); how it
	 * ends (enum end_state). */
	int start_fup, start_disabled, end_state;
	uint64_t start_ip;
	int done;
	/* Its trace bytes the fast path decoded, and libipt's block
	 * decoder (hwt_pt_stats; counted when fed: a segment decoded
	 * again is counted once). */
	uint64_t fast_bytes, libipt_bytes;
	/* An error past the segment's end (its decode ran on into the next
	 * segment's trace): a continuous decode resyncs at the first PSB
	 * after err_off, so the segments that start before it are skipped. */
	int err_past;
	uint64_t err_off;
};

/* A cached block of the fast path. */
struct fblock {
	uint64_t ip, end_ip, next, target;
	uint32_t ninsn;
	uint8_t iclass;
	uint8_t push;		/* call that pushes a return address */
	uint8_t op;		/* what the fast path does at its end
				 * (enum fast_op) */
	uint8_t far;		/* FOP_SPECIAL, FOP_SYSCALL: a far branch,
				 * whose target a TIP gives */
	uint8_t *lens;
	uint32_t cid;		/* the sink's id of the block, 0: not yet;
				 * main thread only (workers never read it) */
	/* Worker only: the blocks that followed this one (at next, at
	 * target, at the last indirect target), so that a repeated path
	 * costs no hash lookup. */
	struct fblock *succ[2];
	struct fblock *ind;
	uint64_t ind_ip;
};

/* What the fast path does at a block's end: its one dispatch, eight
 * cases (a switch on op & 7 needs no range check). */
enum fast_op {
	FOP_EXIT,	/* libipt's (a block cut at MAX_BLOCK_INSNS, a far
			 * branch) */
	FOP_COND,	/* a TNT bit */
	FOP_JUMP,	/* no trace */
	FOP_CALL,	/* no trace; pushes fb->next if fb->push */
	FOP_RET,	/* a taken TNT bit (compressed) or a TIP */
	FOP_IND,	/* a TIP (indirect jump or call) */
	FOP_SPECIAL,	/* libipt's, unless a FUP came first */
	FOP_SYSCALL,	/* TIP.PGD, TIP.PGE (user-space tracing) */
};

struct worker {
	struct seg_run *run;
	struct pt_image *pimg;
	struct hwt_disasm *dis;
	struct fblock **tab;	/* open addressing by ip; blocks never move
				 * (items point at them) */
	size_t mask, n;
	uint8_t buf[MAX_BLOCK_INSNS * 15 + 16];
	pthread_t th;
};

struct seg_run {
	const uint8_t *buf;
	size_t size;
	const struct hwt_pt_env *env;
	uint32_t stream;
	struct segment *segs;
	size_t nsegs;
	size_t next;		/* next segment to take */
	size_t consumed;	/* segments fed to the sink */
	size_t window;		/* segments in flight at most */
	size_t idle;		/* workers waiting for room in the window */
	size_t awaited;		/* the main thread waits for segment
				 * awaited - 1 (0: it does not wait) */
	int stop;
	int bdm70;		/* libipt drops a disabled PSB+'s FUP */
	int no_fast;		/* params.no_fastpath: libipt only (tests) */
	int join2;		/* and the fallback join only (tests) */
	int reverse;		/* params.reverse_segments (tests) */
	struct pooled {		/* spare item buffers, any size: a big */
		struct item *items;	/* one freed and allocated again */
		size_t cap;	/* costs page faults each time */
	} *pool;
	size_t npool;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;	/* workers: room in the window, or stop */
	pthread_cond_t done_cv;	/* the main thread: its segment is done */
};

enum { FAST_OK = 0, FAST_BAIL = 1 };

/* Where the fast path left tracing: disabled (and libipt's decoder at
 * resume_ip, where tracing stopped) or not. */
struct fast_end {
	int disabled;
	uint64_t resume_ip;
	/* The last TSC's value (0: none) and the time of the last item:
	 * a TSC after the last flow packet is the caller's to report. */
	uint64_t tsc, now;
};

/* How a decode leaves tracing: a continuous decode goes on from there
 * into the next PSB+ enabled, disabled, or resyncing after an error. */
enum end_state { END_ENABLED, END_DISABLED, END_ERROR };

/* ---- a segment's output ---- */
static inline struct item *seg_add_item(struct segment *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : POOL_CAP;
		s->items = hwt_xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	return &s->items[s->n++];
}

static inline uint32_t seg_ext_new(struct segment *s)
{
	if (s->next == s->extcap) {
		s->extcap = s->extcap ? 2 * s->extcap : 16;
		s->ext = hwt_xrealloc(s->ext, s->extcap * sizeof(*s->ext));
	}
	return (uint32_t)s->next++;
}

static inline union ext *seg_add_ext(struct segment *s, uint8_t kind)
{
	uint32_t x = seg_ext_new(s);
	struct item *it = seg_add_item(s);

	it->kind = kind;
	it->flags = 0;
	it->x = x;
	it->fb = NULL;
	return &s->ext[x];
}

/* An event of type at ip (0: none) and time (0: none) after s's items.
 * Returns it, for the fields the caller sets. */
static inline struct hwt_event *seg_add_event(struct segment *s,
					      uint32_t type, uint64_t ip,
					      uint64_t time)
{
	struct hwt_event *e = &seg_add_ext(s, IT_EVENT)->e;

	memset(e, 0, sizeof(*e));
	e->type = type;
	e->ip = ip;
	e->time = time;
	return e;
}

/* The block of item it (IT_BLOCK or IT_FAST); tmp holds a fast one. */
static inline struct hwt_block *seg_item_block(const struct segment *s,
					       const struct item *it,
					       struct hwt_block *tmp)
{
	const struct fblock *fb = it->fb;

	if (it->kind == IT_BLOCK)
		return &s->ext[it->x].b;
	memset(tmp, 0, sizeof(*tmp));
	tmp->ip = fb->ip;
	tmp->end_ip = fb->end_ip;
	tmp->ninsn = fb->ninsn;
	tmp->isa = HWT_ISA_X86_64;
	tmp->iclass = fb->iclass;
	tmp->flags = it->flags;
	return tmp;
}

/* pt_seg_cache.c (the block cache) */
void seg_cache_grow(struct worker *w);
struct fblock *seg_cache_lookup(struct worker *w, uint64_t ip);
struct fblock *seg_ind_miss(struct worker *w, struct fblock *pfb,
			    uint64_t ip);

/* The block that follows pfb by way k (0: falling through, 1: its direct
 * branch taken); NULL if it cannot be built.  Its address is computed
 * only for the lookup: a repeated path needs none. */
static inline struct fblock *seg_succ(struct worker *w, struct fblock *pfb,
				      int k)
{
	struct fblock *fb = pfb->succ[k];

	if (__builtin_expect(!fb, 0))
		fb = pfb->succ[k] = seg_cache_lookup(w, k ? pfb->target :
						     pfb->next);
	return fb;
}

/* The block at ip that pfb's indirect branch or return went to; NULL if
 * it cannot be built. */
static inline struct fblock *seg_ind(struct worker *w, struct fblock *pfb,
				     uint64_t ip)
{
	if (pfb->ind_ip == ip && pfb->ind)
		return pfb->ind;
	return seg_ind_miss(w, pfb, ip);
}

/* pt_fastpath.c (the fast path) */
int seg_fast_segment(struct worker *w, struct segment *seg, uint64_t from,
		     uint64_t to, int start_disabled, struct fast_end *fe);

/* pt_seg_join.c (the join) */
int seg_cut(struct worker *w, struct segment *seg, size_t start,
	    uint64_t fup);
size_t seg_tail_start(struct worker *w, const struct segment *seg,
		      size_t base);
uint64_t seg_insns_in(const struct segment *seg, size_t from, size_t to);
int seg_cut_after(struct worker *w, struct segment *seg, size_t base,
		  uint64_t skip, uint64_t fup);
int seg_end_state(const struct segment *seg, size_t base, int start_state);

/* pt_segment.c (pieces and workers) */
int seg_psb_then_pge(const struct seg_run *r, uint64_t off);

#endif /* HWT_DECODER_PT_SEG_H */
