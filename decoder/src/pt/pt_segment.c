/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel PT in PSB segments, decoded by worker threads and fed to the sink
 * in trace order.
 *
 * Segment k is [PSB_k, PSB_k+1).  A worker first tries the fast path: its
 * own block cache (ip -> block, built once with capstone) walked with
 * flow queries on libipt's packet decoder (pt_fastpkt.c), so a repeated
 * block costs a table lookup and a TNT bit.  Anything the fast
 * path does not model (events other than PGE/status updates, far and
 * system instructions, decode errors, unmapped code) makes it give up and
 * the segment is decoded again with libipt's block decoder in ptxed's loop.
 * Either way the segment is decoded from a fresh sync at its PSB, and its
 * end is cut at the IP that PSB_k+1's FUP gives (the next instruction to
 * run when that PSB was written), so the segments join into the same
 * instruction sequence a continuous decode yields.  An error resyncs at
 * the next PSB, as ptxed does.
 */
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
	uint8_t special;	/* ends in something the fast path leaves */
	uint8_t syscall;	/* special: a SYSCALL (0f 05) */
	uint8_t push;		/* call that pushes a return address */
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
	int stop;
	int bdm70;		/* libipt drops a disabled PSB+'s FUP */
	int no_fast;		/* params.no_fastpath: libipt only (tests) */
	int join2;		/* and the fallback join only (tests) */
	struct pooled {		/* spare item buffers, any size: a big */
		struct item *items;	/* one freed and allocated again */
		size_t cap;	/* costs page faults each time */
	} *pool;
	size_t npool;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* ---- segment output ---- */

static struct item *add_item(struct segment *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : POOL_CAP;
		s->items = hwt_xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	return &s->items[s->n++];
}

static uint32_t ext_new(struct segment *s)
{
	if (s->next == s->extcap) {
		s->extcap = s->extcap ? 2 * s->extcap : 16;
		s->ext = hwt_xrealloc(s->ext, s->extcap * sizeof(*s->ext));
	}
	return (uint32_t)s->next++;
}

static union ext *add_ext(struct segment *s, uint8_t kind)
{
	uint32_t x = ext_new(s);
	struct item *it = add_item(s);

	it->kind = kind;
	it->flags = 0;
	it->x = x;
	it->fb = NULL;
	return &s->ext[x];
}

static int buf_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)stream;
	add_ext(arg, IT_BLOCK)->b = *b;
	return 0;
}

static int buf_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	(void)stream;
	/* msg: static strings (pt_errstr, literals) */
	add_ext(arg, IT_EVENT)->e = *e;
	return 0;
}

/* The block of item it (IT_BLOCK or IT_FAST); tmp holds a fast one. */
static struct hwt_block *item_block(const struct segment *s,
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

/* ---- fast path block cache ---- */

static uint64_t ip_hash(uint64_t ip)
{
	return (ip * 0x9e3779b97f4a7c15ull) >> 20;
}

static void cache_grow(struct worker *w)
{
	size_t om = w->mask, i;
	struct fblock **ot = w->tab;

	w->mask = om ? om * 2 + 1 : 4095;
	w->tab = calloc(w->mask + 1, sizeof(*w->tab));
	if (!w->tab)
		abort();
	for (i = 0; ot && i <= om; i++) {
		size_t k;

		if (!ot[i])
			continue;
		for (k = ip_hash(ot[i]->ip) & w->mask; w->tab[k];
		     k = (k + 1) & w->mask)
			;
		w->tab[k] = ot[i];
	}
	free(ot);
}

/* Decodes the block at ip with capstone: sequential instructions up to
 * and including the first branch or special instruction. */
static int build(struct worker *w, uint64_t ip, struct fblock *fb)
{
	const struct hwt_image *img = w->run->env->img;
	uint8_t lens[MAX_BLOCK_INSNS];
	size_t got = 0, off = 0;
	struct hwt_insn_info in;
	int n;

	memset(fb, 0, sizeof(*fb));
	fb->ip = ip;
	while (got < sizeof(w->buf)) {
		n = img ? hwt_image_read(img, ip + got, w->buf + got,
					 sizeof(w->buf) - got) : -1;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	for (;;) {
		if (off >= got || fb->ninsn == MAX_BLOCK_INSNS ||
		    hwt_insn_decode(w->dis, HWT_ISA_X86_64, w->buf + off,
				    got - off, ip + off, &in) <= 0 ||
		    off + in.len > got)
			return -1;	/* unmapped or undecodable */
		lens[fb->ninsn++] = in.len;
		fb->end_ip = ip + off;
		off += in.len;
		if (in.special) {
			fb->special = 1;
			/* What a user-space trace disables tracing at. */
			if (in.len == 2 && w->buf[off - 2] == 0x0f &&
			    w->buf[off - 1] == 0x05) {
				fb->syscall = 1;
				fb->iclass = HWT_IC_FAR_CALL;
			}
			break;
		}
		if (in.iclass) {
			fb->iclass = in.iclass;
			fb->target = in.target;
			fb->push = (in.iclass == HWT_IC_CALL &&
				    in.target != ip + off) ||
				   in.iclass == HWT_IC_IND_CALL;
			break;
		}
	}
	fb->next = ip + off;
	fb->lens = hwt_xrealloc(NULL, fb->ninsn);
	memcpy(fb->lens, lens, fb->ninsn);
	return 0;
}

static struct fblock *lookup(struct worker *w, uint64_t ip)
{
	size_t k = ip_hash(ip) & w->mask;
	struct fblock *fb;

	for (; (fb = w->tab[k]); k = (k + 1) & w->mask)
		if (fb->ip == ip)
			return fb;
	fb = hwt_xrealloc(NULL, sizeof(*fb));
	if (build(w, ip, fb) < 0) {
		free(fb);
		return NULL;
	}
	w->tab[k] = fb;
	if (++w->n * 2 > w->mask)
		cache_grow(w);
	return fb;
}

/* The block at ip, entered from pfb (NULL: unknown) by way k: 0 fall
 * through, 1 direct branch, 2 indirect branch or return. */
static struct fblock *next_block(struct worker *w, struct fblock *pfb,
				 int k, uint64_t ip)
{
	struct fblock *fb;

	if (!pfb)
		return lookup(w, ip);
	if (k < 2) {
		if (!pfb->succ[k])
			pfb->succ[k] = lookup(w, ip);
		return pfb->succ[k];
	}
	if (pfb->ind && pfb->ind_ip == ip)
		return pfb->ind;
	fb = lookup(w, ip);
	if (fb) {
		pfb->ind = fb;
		pfb->ind_ip = ip;
	}
	return fb;
}

/* ---- fast path ---- */

enum { FAST_OK = 0, FAST_BAIL = 1 };

/* libipt's return-compression stack: a ring that forgets the oldest. */
static void ret_push(uint64_t *rs, unsigned *top, unsigned *n, uint64_t ip)
{
	rs[*top] = ip;
	*top = (*top + 1) % RETSTACK;
	if (*n < RETSTACK)
		(*n)++;
}

static int cut(struct worker *w, struct segment *seg, size_t start,
	       uint64_t fup);

/* An event of the fast path's (tracing disabled or enabled at ip). */
static void fast_event(struct segment *seg, uint32_t type, uint64_t ip)
{
	struct hwt_event *e = &add_ext(seg, IT_EVENT)->e;

	memset(e, 0, sizeof(*e));
	e->type = type;
	e->ip = ip;
}

/*
 * Tracing disabled at at (0: not known), and st a TIP.PGE query's answer:
 * 0, enabled again at ip, or 1, disabled to the end.  The events libipt
 * reports; returns st.
 */
static int fast_disabled(struct segment *seg, int st, uint64_t at,
			 uint64_t ip)
{
	fast_event(seg, HWT_EV_DISABLE, at);
	if (st == 1)
		return 1;
	fast_event(seg, HWT_EV_ENABLE, ip);
	seg->tail = seg->n;
	return 0;
}

/*
 * An asynchronous disable at f->fup_ip: the instructions from there on,
 * walked since the last trace consumed, never ran (cut); then TIP.PGD and
 * TIP.PGE.  Returns 0 with *ip where tracing resumes, 1 if it never does,
 * -1 for libipt.
 */
static int fast_async(struct worker *w, struct segment *seg,
		      struct hwt_fastpkt *f, uint64_t *ip)
{
	uint64_t at = f->fup_ip;
	int st;

	if (!cut(w, seg, seg->tail, at))
		return -1;
	st = hwt_fastpkt_async_pgd(f, ip);
	if (st < 0)
		return -1;
	return fast_disabled(seg, st, at, *ip);
}

static int psb_then_pge(const struct seg_run *r, uint64_t off);

/* Where the fast path left tracing: disabled (and libipt's decoder at
 * resume_ip, where tracing stopped) or not. */
struct fast_end {
	int disabled;
	uint64_t resume_ip;
};

/* The fast path over trace [from, to), its items after seg's;
 * start_disabled: tracing is disabled at the PSB+ at from, its FUP
 * notwithstanding. */
static int fast_segment(struct worker *w, struct segment *seg, uint64_t from,
			uint64_t to, int start_disabled, struct fast_end *fe)
{
	const uint8_t *b = w->run->buf;
	struct hwt_fastpkt f;
	struct pt_config cfg;
	uint64_t ip = 0, rs[RETSTACK];
	unsigned rtop = 0, rn = 0;
	int status, enabled = 0, taken = 0, ret = FAST_BAIL, way = 0;
	struct fblock *pfb = NULL;

	seg->tail = seg->n;
	fe->disabled = 0;
	hwt_pt_config(w->run->env, &cfg, b + from, b + to);
	status = hwt_fastpkt_init(&f, &cfg, &enabled, &ip);
	if (status < 0)
		goto out;
	/* With BDM70 applied libipt drops the FUP of a PSB+ that a TIP.PGE
	 * follows (and the IP it gives): libipt's case. */
	if (enabled && !start_disabled && w->run->bdm70 &&
	    psb_then_pge(w->run, from))
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
		fast_event(seg, HWT_EV_ENABLE, ip);
		seg->tail = seg->n;
	}
	for (;;) {
		struct fblock *fb;
		struct item *it;

		fb = next_block(w, pfb, way, ip);
		if (!fb)
			goto out;
		pfb = fb;
		it = add_item(seg);
		it->kind = IT_FAST;
		it->flags = 0;
		it->x = 0;
		it->fb = fb;
		if (fb->special) {
			if (!fb->syscall) {
				/* libipt's, unless an interrupt came first
				 * (a FUP at or before it). */
				if (f.index || f.tip_pending)
					goto out;
				status = hwt_fastpkt_fill(&f);
				if (status == HWT_FASTPKT_ASYNC)
					goto async;
				goto out;
			}
			/* User-space tracing: TIP.PGD at the SYSCALL, TIP.PGE
			 * where it returns, as libipt reports them; libipt's
			 * decoder waits after the SYSCALL. */
			f.resume_ip = fb->next;
			status = hwt_fastpkt_syscall(&f, &ip);
			if (status == -pte_eos)
				goto end;	/* the segment ends first */
			if (status < 0)
				goto out;
			if (fast_disabled(seg, status, 0, ip)) {
				ret = FAST_OK;	/* disabled to the end */
				fe->disabled = 1;
				fe->resume_ip = f.resume_ip;
				goto out;
			}
			pfb = NULL;
			continue;
		}
		switch (fb->iclass) {
		case HWT_IC_COND_JUMP:
			status = hwt_fastpkt_cond(&f, &taken);
			if (status == HWT_FASTPKT_ASYNC)
				goto async;
			if (status < 0)
				goto end;
			ip = taken ? fb->target : fb->next;
			way = !!taken;
			seg->tail = seg->n;	/* what follows ran after the
						 * last trace consumed */
			break;
		case HWT_IC_JUMP:
			ip = fb->target;
			way = 1;
			continue;	/* no trace */
		case HWT_IC_CALL:
			if (fb->push)
				ret_push(rs, &rtop, &rn, fb->next);
			ip = fb->target;
			way = 1;
			continue;
		case HWT_IC_RET:
			/* A compressed return is a taken TNT bit. */
			status = hwt_fastpkt_cond(&f, &taken);
			if (status == HWT_FASTPKT_ASYNC)
				goto async;
			if (status >= 0) {
				if (!taken || !rn)
					goto out;
				rtop = (rtop + RETSTACK - 1) % RETSTACK;
				rn--;
				ip = rs[rtop];
				way = 2;
				seg->tail = seg->n;
				break;
			}
			if (status != -pte_bad_query)
				goto end;
			/* An uncompressed return is an indirect branch. */
			__attribute__((fallthrough));
		case HWT_IC_IND_CALL:
		case HWT_IC_IND_JUMP:
			status = hwt_fastpkt_tip(&f, &ip);
			if (status == HWT_FASTPKT_ASYNC)
				goto async;
			if (status < 0)
				goto end;
			if (fb->push)
				ret_push(rs, &rtop, &rn, fb->next);
			way = 2;
			seg->tail = seg->n;
			break;
		default:
			goto out;	/* block cut at MAX_BLOCK_INSNS etc. */
		}
		continue;
async:
		/* An interrupt (FUP, TIP.PGD) before the branch queried,
		 * tracing back at the TIP.PGE. */
		status = fast_async(w, seg, &f, &ip);
		if (status == 1) {
			ret = FAST_OK;	/* disabled to the end */
			fe->disabled = 1;
			fe->resume_ip = f.resume_ip;
		}
		if (status)
			goto out;
		pfb = NULL;
	}
end:
	/* Out of trace at a branch: the segment's end (the block stays, as
	 * libipt's partial block does); anything else is libipt's job. */
	if (status == -pte_eos) {
		seg->items[seg->n - 1].flags |= HWT_BLK_PARTIAL;
		ret = FAST_OK;
	}
out:
	hwt_fastpkt_fini(&f);
	return ret;
}

/* ---- the cut at the next segment's FUP ---- */

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
		fb = lookup(w, b->ip);
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
	const struct fblock *fb = lookup(w, b->ip);
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
static size_t tail_start(struct worker *w, const struct segment *seg,
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
static uint64_t insns_in(const struct segment *seg, size_t from, size_t to)
{
	uint64_t n = 0;
	size_t i;

	for (i = from; i < to; i++) {
		struct hwt_block tmp;

		if (seg->items[i].kind != IT_EVENT)
			n += item_block(seg, &seg->items[i], &tmp)->ninsn;
	}
	return n;
}

/* Ends the segment's items before instruction k of item i's block. */
static void cut_block(struct worker *w, struct segment *seg, size_t i,
		      long k)
{
	struct item *it = &seg->items[i];
	struct hwt_block tmp, *b = item_block(seg, it, &tmp);
	const struct fblock *fb;
	uint64_t a = b->ip;
	long j;

	if (k == 0) {
		seg->n = i;
		return;
	}
	fb = lookup(w, b->ip);
	for (j = 0; j < k - 1; j++)
		a += fb->lens[j];
	if (it->kind == IT_FAST) {
		/* A cut block is no cached block. */
		it->x = ext_new(seg);
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
static int cut_after(struct worker *w, struct segment *seg, size_t base,
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
		b = item_block(seg, it, &tmp);
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
 * occurrence from item start on (tail_start()).  Returns whether it was
 * there; if not, the segment already ends where the next one starts.
 */
static int cut(struct worker *w, struct segment *seg, size_t start,
	       uint64_t fup)
{
	return cut_after(w, seg, start, 0, fup);
}

/* How a decode leaves tracing: a continuous decode goes on from there
 * into the next PSB+ enabled, disabled, or resyncing after an error. */
enum end_state { END_ENABLED, END_DISABLED, END_ERROR };

/* How the items from base end; start_state if none says. */
static int end_state(const struct segment *seg, size_t base, int start_state)
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

/*
 * A piece of a segment: trace [from, to) whose items start at item base
 * and ext entry ebase; next_to: the end of the trace after it (the next
 * piece's or segment's), fup: the IP of the PSB+ at to (has_fup).
 */
struct piece {
	uint64_t from, to, next_to, fup;
	int has_fup;
	int start_fup;		/* the PSB+ at from has a FUP, at start_ip */
	int start_disabled;	/* tracing disabled there all the same */
	uint64_t start_ip;
	size_t base, ebase;
	int err_past;		/* out: the continuous decode's error */
	uint64_t err_off;
};

/* libipt's block decoder over trace [from, to), into seg's items after
 * the piece's base (what was there is dropped). */
static void blk_decode(struct worker *w, struct segment *seg,
		       const struct piece *pc, uint64_t to,
		       struct hwt_pt_stop *stop)
{
	struct seg_run *r = w->run;
	struct hwt_sink bs = {
		.arg = seg, .block = buf_block, .event = buf_event,
	};

	seg->n = pc->base;
	seg->next = pc->ebase;
	hwt_pt_blk_loop(r->env, w->pimg, r->buf + pc->from,
			(size_t)(to - pc->from), pc->from, &bs, r->stream,
			stop, pc->start_disabled ? &pc->start_ip : NULL);
}

/* MODE.Exec packets in trace [from, to): libipt reports each as an event. */
static uint64_t count_modes(const struct seg_run *r, uint64_t from,
			    uint64_t to)
{
	struct pt_packet_decoder *p;
	struct pt_packet pkt;
	struct pt_config cfg;
	uint64_t n = 0;

	hwt_pt_config(r->env, &cfg, r->buf + from, r->buf + to);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return UINT64_MAX;
	if (pt_pkt_sync_set(p, 0) < 0) {
		pt_pkt_free_decoder(p);
		return UINT64_MAX;
	}
	while (pt_pkt_next(p, &pkt, sizeof(pkt)) >= 0)
		if (pkt.type == ppt_mode && pkt.payload.mode.leaf == pt_mol_exec)
			n++;
	pt_pkt_free_decoder(p);
	return n;
}

static int piece_end(const struct segment *seg, const struct piece *pc);

/*
 * A segment libipt decodes, to be joined at the next PSB+'s FUP.  libipt
 * stops where its trace ends, before the instructions that ran without
 * trace up to the FUP (and before any error a continuous decode meets
 * there), so it decodes with the next segment's trace too and stops at the
 * next PSB+'s MODE.Exec event, which libipt reports where execution was
 * when the PSB went out (the MODE.Exec packets before it counted at the
 * packet level).  Should that event not be where the FUP says, it decodes
 * once with the segment's own trace, to learn how many instructions that
 * trace decided, and once more with the next segment's too, stopping at
 * the FUP's first occurrence after them.
 */
static void join_libipt(struct worker *w, struct segment *seg,
			struct piece *pc)
{
	struct seg_run *r = w->run;
	struct hwt_pt_stop stop = {
		.boundary = pc->to, .fup = pc->fup, .skip_insns = UINT64_MAX,
		.by_mode = 1,
	};
	size_t start;
	int disabled;

	stop.modes_before = r->join2 ? UINT64_MAX :
			    count_modes(r, pc->from, pc->to);
	if (stop.modes_before != UINT64_MAX) {
		blk_decode(w, seg, pc, pc->next_to, &stop);
		pc->err_past = stop.err_past;
		pc->err_off = stop.err_off;
		if (stop.err_past)
			return;	/* the continuous decode's error ends it */
		/* Stopped at the join: what it emitted ran before it. */
		if (stop.found &&
		    insns_in(seg, pc->base, seg->n) == stop.join_insns)
			return;
	}
	memset(&stop, 0, sizeof(stop));
	stop.boundary = pc->to;
	stop.fup = pc->fup;
	blk_decode(w, seg, pc, pc->to, NULL);
	start = tail_start(w, seg, pc->base);
	stop.skip_insns = insns_in(seg, pc->base, start);
	/* Disabled at the join: nothing runs up to the FUP, which is no
	 * place in the code; only an error of the continuous decode there
	 * is to be learnt from the next segment's trace. */
	disabled = piece_end(seg, pc) == END_DISABLED;
	if (disabled)
		stop.skip_insns = insns_in(seg, pc->base, seg->n);
	blk_decode(w, seg, pc, pc->next_to, &stop);
	pc->err_past = stop.err_past;
	pc->err_off = stop.err_off;
	if (stop.err_past)
		return;
	if (disabled) {
		blk_decode(w, seg, pc, pc->to, NULL);
		return;
	}
	if (stop.found &&
	    cut_after(w, seg, pc->base, stop.skip_insns, pc->fup))
		return;
	/* The trace never reaches the FUP (inconsistent): the piece's own
	 * trace, cut where it can be. */
	blk_decode(w, seg, pc, pc->to, NULL);
	cut(w, seg, tail_start(w, seg, pc->base), pc->fup);
}

/*
 * The fast path over a piece: 1 if its items stand (cut at the next PSB+'s
 * FUP), 0 if the piece is libipt's.  Where the piece ends disabled, the
 * next PSB+'s FUP is no place in the code; a continuous decode in libipt
 * accepts it only where tracing stopped, and fails there otherwise (what
 * libipt's join reproduces).
 */
static int fast_piece(struct worker *w, struct segment *seg,
		      const struct piece *pc)
{
	struct fast_end fe;

	if (fast_segment(w, seg, pc->from, pc->to, pc->start_disabled,
			 &fe) != FAST_OK)
		return 0;
	if (!pc->has_fup)
		return 1;
	if (fe.disabled)
		return pc->fup == fe.resume_ip;
	cut(w, seg, seg->tail, pc->fup);
	return 1;
}

/* A piece: the fast path (if try_fast), or libipt joined at its end. */
static void decode_piece(struct worker *w, struct segment *seg,
			 struct piece *pc, int try_fast)
{
	pc->base = seg->n;
	pc->ebase = seg->next;
	pc->err_past = 0;
	if (try_fast && !w->run->no_fast) {
		if (fast_piece(w, seg, pc))
			return;
		seg->n = pc->base;
		seg->next = pc->ebase;
	}
	if (pc->has_fup)
		join_libipt(w, seg, pc);
	else
		blk_decode(w, seg, pc, pc->to, NULL);
}

/* The IP of the PSB+ at trace offset off: 1 and *ip, or 0 (none). */
static int psb_fup(const struct seg_run *r, uint64_t off, uint64_t *ip)
{
	struct pt_query_decoder *q;
	struct pt_config cfg;
	int st, has = 0;

	hwt_pt_config(r->env, &cfg, r->buf, r->buf + r->size);
	q = pt_qry_alloc_decoder(&cfg);
	if (q) {
		st = pt_qry_sync_set(q, ip, off);
		has = st >= 0 && !(st & pts_ip_suppressed);
		pt_qry_free_decoder(q);
	}
	return has;
}

/*
 * Whether the PSB+ at off is followed by a TIP.PGE before anything else
 * that changes the flow (timing and status packets, more PSB+s skipped):
 * then tracing was disabled there, though the PSB+ may have a FUP.  A
 * guess where the segment before is not decoded yet (checked when it is).
 */
static int psb_then_pge(const struct seg_run *r, uint64_t off)
{
	struct pt_packet_decoder *p;
	struct pt_packet pkt;
	struct pt_config cfg;
	int in_psb = 0, pge = 0;

	hwt_pt_config(r->env, &cfg, r->buf + off, r->buf + r->size);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	if (pt_pkt_sync_set(p, 0) < 0)
		goto out;
	while (pt_pkt_next(p, &pkt, sizeof(pkt)) >= 0) {
		switch (pkt.type) {
		case ppt_psb:
			in_psb = 1;
			continue;
		case ppt_psbend:
			in_psb = 0;
			continue;
		case ppt_fup:
			if (in_psb)
				continue;
			goto out;
		case ppt_tip_pge:
			pge = !in_psb;
			goto out;
		case ppt_pad: case ppt_tsc: case ppt_tma: case ppt_mtc:
		case ppt_cyc: case ppt_cbr: case ppt_mnt: case ppt_mode:
		case ppt_pip: case ppt_vmcs:
			continue;
		default:
			goto out;
		}
	}
out:
	pt_pkt_free_decoder(p);
	return pge;
}

/* The PSBs in trace (from, to), at most max of them, into offs. */
static size_t inner_psbs(const struct seg_run *r, uint64_t from, uint64_t to,
			 uint64_t *offs, size_t max)
{
	struct pt_packet_decoder *p;
	struct pt_config cfg;
	size_t n = 0;

	hwt_pt_config(r->env, &cfg, r->buf + from, r->buf + to);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	/* At the segment's own PSB; each step finds the next one. */
	if (pt_pkt_sync_set(p, 0) >= 0)
		while (n < max && pt_pkt_sync_forward(p) >= 0) {
			uint64_t off;

			if (pt_pkt_get_sync_offset(p, &off) < 0)
				break;
			offs[n++] = from + off;
		}
	pt_pkt_free_decoder(p);
	return n;
}

#define MAX_PIECES	64

/* How a continuous decode arrives at a segment's PSB, as far as its
 * start goes (decode_segment()). */
enum arrival { ARRIVE_GUESS = -1, ARRIVE_OTHER = 0, ARRIVE_DISABLED = 1 };

/* How piece pc's items (decoded) end; how it started if they do not
 * say. */
static int piece_end(const struct segment *seg, const struct piece *pc)
{
	return end_state(seg, pc->base,
			 pc->start_disabled || !pc->start_fup ? END_DISABLED :
			 END_ENABLED);
}

/*
 * Segment k, where a continuous decode arrives as given (ARRIVE_GUESS:
 * guessed from the packets after its PSB+; the caller checks the guess
 * against the segment before).  Arriving disabled at a PSB+ with a FUP,
 * the segment starts disabled (libipt would sync enabled there).  The
 * fast path over all of it; if that gives up and the segment holds more
 * PSBs, piece by piece between them (the fast path where it can, libipt
 * joined at each piece's end where it cannot; each piece starts as the
 * one before ended), so that one packet the fast path does not model
 * costs libipt one PSB interval, not the segment.
 */
static void decode_segment(struct worker *w, size_t k, int arrival)
{
	struct seg_run *r = w->run;
	struct segment *seg = &r->segs[k];
	uint64_t offs[MAX_PIECES], skip = 0;
	struct piece pc = { .from = seg->start, .to = seg->end };
	int state;
	size_t n, i;

	seg->err_past = 0;
	seg->start_fup = psb_fup(r, seg->start, &seg->start_ip);
	if (arrival == ARRIVE_GUESS)
		arrival = k > 0 && seg->start_fup &&
			  psb_then_pge(r, seg->start);
	seg->start_disabled = arrival == ARRIVE_DISABLED && seg->start_fup;
	pc.start_fup = seg->start_fup;
	pc.start_disabled = seg->start_disabled;
	pc.start_ip = seg->start_ip;
	if (k + 1 < r->nsegs) {
		/* The next PSB+'s FUP: where segment k hands over. */
		pc.has_fup = psb_fup(r, seg->end, &pc.fup);
		pc.next_to = r->segs[k + 1].end;
	}
	seg->n = 0;
	seg->next = 0;
	if (!r->no_fast && fast_piece(w, seg, &pc))
		goto done;
	seg->n = 0;
	seg->next = 0;
	n = r->no_fast ? 0 : inner_psbs(r, seg->start, seg->end, offs,
					MAX_PIECES);
	/* n == 0: one piece, the segment, which the fast path just left. */
	state = END_ERROR;
	for (i = 0; i <= n; i++) {
		struct piece p = pc;

		if (i) {
			p.from = offs[i - 1];
			p.start_disabled = state == END_DISABLED &&
					   p.start_fup;
		}
		if (i < n) {
			p.to = offs[i];
			p.next_to = i + 1 < n ? offs[i + 1] : seg->end;
			p.has_fup = psb_fup(r, p.to, &p.fup);
		}
		/* A continuous decode resynced past this piece. */
		if (p.from < skip) {
			state = END_ERROR;
		} else {
			decode_piece(w, seg, &p, n > 0);
			state = p.err_past ? END_ERROR : piece_end(seg, &p);
		}
		if (p.err_past) {
			skip = p.err_off;
			if (i == n) {
				seg->err_past = 1;
				seg->err_off = p.err_off;
			}
		}
		/* The next piece starts at this one's end. */
		pc.start_fup = p.has_fup;
		pc.start_ip = p.fup;
	}
done:
	pc.base = 0;
	pc.start_fup = seg->start_fup;
	seg->end_state = seg->err_past ? END_ERROR : piece_end(seg, &pc);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct seg_run *r = w->run;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->next < r->nsegs &&
		       r->next >= r->consumed + r->window)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop || r->next >= r->nsegs) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		k = r->next++;
		/* Recycled buffers spare the page faults of fresh ones. */
		if (r->npool) {
			r->npool--;
			r->segs[k].items = r->pool[r->npool].items;
			r->segs[k].cap = r->pool[r->npool].cap;
		}
		pthread_mutex_unlock(&r->mu);
		decode_segment(w, k, ARRIVE_GUESS);
		pthread_mutex_lock(&r->mu);
		r->segs[k].done = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* PSB offsets via libipt's packet decoder. */
static size_t find_psbs(const struct hwt_pt_env *env, const uint8_t *buf,
			size_t size, struct segment **segs)
{
	struct pt_packet_decoder *p;
	struct pt_config cfg;
	size_t n = 0, cap = 0;
	/* Segments of at least a 1024th of the trace (at most 64 KiB): a
	 * segment costs two thread handoffs, a PSB every few KiB is common. */
	uint64_t min = size / 1024 < 65536 ? size / 1024 : 65536;

	/* Tests: segments of several PSBs in small traces. */
	if (env->params.segment_min)
		min = env->params.segment_min;

	*segs = NULL;
	hwt_pt_config(env, &cfg, buf, buf + size);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	while (pt_pkt_sync_forward(p) >= 0) {
		uint64_t off;

		if (pt_pkt_get_sync_offset(p, &off) < 0)
			break;
		if (n && off - (*segs)[n - 1].start < min)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*segs = hwt_xrealloc(*segs, cap * sizeof(**segs));
		}
		memset(&(*segs)[n], 0, sizeof(**segs));
		(*segs)[n].start = off;
		if (n)
			(*segs)[n - 1].end = off;
		n++;
	}
	if (n)
		(*segs)[n - 1].end = size;
	pt_pkt_free_decoder(p);
	return n;
}

/*
 * Hands segment s to the sink.  Runs of fast-path blocks go as ids when the
 * sink interns (each cached block interned once, at its first use, which
 * keeps the sink's id order): the per-block work is then the sink's count.
 */
static int feed(struct segment *s, const struct hwt_sink *sink,
		uint32_t stream)
{
	uint32_t ids[1024];
	struct hwt_block tmp;
	size_t j = 0, m;
	int rc = 0;

	while (j < s->n && rc == 0) {
		const struct item *it = &s->items[j];

		if (it->kind == IT_EVENT) {
			rc = sink->event(sink->arg, stream, &s->ext[it->x].e);
			j++;
			continue;
		}
		if (it->kind == IT_BLOCK || !sink->intern || !sink->blocks) {
			rc = sink->block(sink->arg, stream,
					 item_block(s, it, &tmp));
			j++;
			continue;
		}
		for (m = 0; m < HWT_ARRAY_SIZE(ids) && j < s->n &&
		     s->items[j].kind == IT_FAST; m++, j++) {
			struct fblock *fb = s->items[j].fb;

			if (!fb->cid) {
				fb->cid = sink->intern(sink->arg, stream,
						       item_block(s,
							&s->items[j], &tmp));
				if (!fb->cid)
					return -1;
			}
			ids[m] = fb->cid;
		}
		rc = sink->blocks(sink->arg, stream, ids, m);
	}
	return rc;
}

int hwt_pt_decode_segments(const uint8_t *buf, size_t size,
			   const struct hwt_pt_env *env, int threads,
			   const struct hwt_stream_info *info,
			   const struct hwt_sink *sink, char *err,
			   size_t errlen)
{
	struct seg_run r;
	struct worker *ws, *mw;
	uint64_t skip_until = 0;
	size_t i;
	int t, rc = 0, started = 0, inline_worker;
	/* How the segment fed last ended (the first starts with a sync). */
	int prev_end = END_ERROR;

	memset(&r, 0, sizeof(r));
	r.buf = buf;
	r.size = size;
	r.env = env;
	r.stream = info->id;
	r.nsegs = find_psbs(env, buf, size, &r.segs);
	/* Tests: every segment through libipt's block decoder, so that its
	 * joins are checked on traces the fast path would take. */
	r.no_fast = env->params.no_fastpath != 0;
	/* 2: and the two-decode join only (its test). */
	r.join2 = env->params.no_fastpath == 2;
	r.bdm70 = env->params.family || env->params.model;
	if (r.bdm70) {
		struct pt_config cfg;

		hwt_pt_config(env, &cfg, buf, buf + size);
		r.bdm70 = cfg.errata.bdm70;
	}
	if (threads < 1)
		threads = 1;
	inline_worker = threads == 1;
	r.window = (size_t)threads * 16;
	r.pool = hwt_xrealloc(NULL, (r.window + (size_t)threads) *
			      sizeof(*r.pool));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	/* One more: the main thread's, to decode a segment again whose
	 * start its worker guessed wrong. */
	ws = calloc((size_t)threads + 1, sizeof(*ws));
	if (!ws)
		abort();
	mw = &ws[inline_worker ? 0 : threads];
	for (t = 0; t <= threads; t++) {
		ws[t].run = &r;
		ws[t].pimg = hwt_pt_env_image(env);
		ws[t].dis = hwt_disasm_alloc();
		cache_grow(&ws[t]);
		if (!ws[t].pimg) {
			hwt_errf(err, errlen, "libipt: cannot build the image");
			rc = -1;
			break;
		}
		/* One worker: this thread is the worker (no handoffs, no
		 * context switches on a single CPU). */
		if (inline_worker || t == threads)
			break;
		if (pthread_create(&ws[t].th, NULL, worker_main, &ws[t])) {
			hwt_errf(err, errlen, "cannot start decoder threads");
			rc = -1;
			break;
		}
		started++;
	}
	/* Feed the segments to the sink in order as they complete. */
	for (i = 0; rc == 0 && i < r.nsegs; i++) {
		struct segment *s = &r.segs[i];

		if (inline_worker) {
			if (s->start >= skip_until) {
				if (r.npool) {
					r.npool--;
					s->items = r.pool[r.npool].items;
					s->cap = r.pool[r.npool].cap;
				}
				decode_segment(mw, i, prev_end == END_DISABLED);
			}
			s->done = 1;
		}
		pthread_mutex_lock(&r.mu);
		while (!s->done)
			pthread_cond_wait(&r.cv, &r.mu);
		pthread_mutex_unlock(&r.mu);
		if (s->start >= skip_until) {
			/* The worker guessed how the segment starts: decode it
			 * again if the segment before says otherwise. */
			if (s->start_disabled !=
			    (prev_end == END_DISABLED && s->start_fup))
				decode_segment(mw, i, prev_end == END_DISABLED);
			rc = feed(s, sink, info->id);
			if (s->err_past)
				skip_until = s->err_off;
			prev_end = s->end_state;
		} else {
			prev_end = END_ERROR;	/* resynced after it */
		}
		pthread_mutex_lock(&r.mu);
		if (s->items && r.npool < r.window + (size_t)threads) {
			r.pool[r.npool].items = s->items;
			r.pool[r.npool++].cap = s->cap;
		} else {
			free(s->items);
		}
		s->items = NULL;
		free(s->ext);
		s->ext = NULL;
		r.consumed = i + 1;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
	}
	if (rc)
		hwt_errf(err, errlen, "decode aborted (output)");
	pthread_mutex_lock(&r.mu);
	r.stop = 1;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	for (t = 0; t <= threads; t++) {
		if (t < started)
			pthread_join(ws[t].th, NULL);
		if (ws[t].pimg)
			pt_image_free(ws[t].pimg);
		hwt_disasm_free(ws[t].dis);
		for (i = 0; ws[t].tab && i <= ws[t].mask; i++)
			if (ws[t].tab[i]) {
				free(ws[t].tab[i]->lens);
				free(ws[t].tab[i]);
			}
		free(ws[t].tab);
	}
	for (i = 0; i < r.nsegs; i++) {
		free(r.segs[i].items);
		free(r.segs[i].ext);
	}
	while (r.npool)
		free(r.pool[--r.npool].items);
	free(r.pool);
	free(r.segs);
	free(ws);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	return rc ? -1 : 0;
}
