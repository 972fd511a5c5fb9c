/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The decoder core: a hwt_sink that interns blocks, counts them per stream,
 * appends them to the replayable flow, reconstructs calls and writes it all
 * to the database.  Front ends (Intel PT, CoreSight) only produce blocks.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "core/util.h"
#include "image/symtab.h"
#include "image/dwarf.h"
#include "image/image.h"
#include "image/insn.h"
#include "core/blocks.h"
#include "core/edges.h"
#include "core/callstack.h"
#include "db/db.h"
#include "core/flow.h"

#define FLOW_CHUNK	(64 * 1024)	/* bytes of flow per row */
/* Flow rows per commit.  Each commit rewrites the tables' last, partly
 * filled pages and journals the pages it changes: committing every row
 * wrote 107 MB (24 MB of it journal) for sqlite3's 50 MB database. */
#define FLOW_ROWS_PER_COMMIT	16

struct hwt_core;

struct stream {
	struct hwt_core *core;
	uint32_t id;
	int64_t pid, tid;
	uint64_t thread_id;
	int begun, ended;
	hwt_read_mem_fn rd;
	void *rdarg;
	const struct hwt_image *img;	/* symbols; NULL: the core's */
	uint16_t space;		/* img's address space, 0: the core's */
	struct hwt_callstack *cs;
	uint64_t ninsn, nblocks, nerrors, time;
	uint64_t time_ninsn;	/* ninsn when time last changed */
	uint8_t insn_clock;	/* time counts instructions */
	uint64_t progress;	/* trace offset decoded to */
	uint8_t *flow;
	size_t flen;
	uint64_t fentries, ffirst, fseq;
	struct hwt_edges *edges;	/* block and transition counts */
	uint32_t prev;		/* the block before, 0: none */
	uint16_t prev_flags;	/* its HWT_BLK_* */
	uint8_t brk;		/* a gap or trace event since prev */
	/* A block that may go on (pending(): x86, no branch at its end),
	 * counted once the next block or event shows whether it does; its
	 * flags and the time when it began. */
	uint32_t pend;
	uint16_t pend_flags;
	uint64_t pend_time;
};

struct hwt_core {
	struct hwt_db *db;
	struct hwt_image *img;
	/* Streams' own images, by address space - 1 (hwt_core_set_image). */
	const struct hwt_image **spaces;
	size_t nspaces;
	struct hwt_sink sink;
	struct hwt_blocks *blocks;
	struct hwt_callpaths *cps;
	struct hwt_disasm *dis;
	struct stream **st;
	size_t nst;
	size_t last;
	uint64_t next_call_id, next_error_id;
	int no_calls;		/* no calls rows (call paths/stats still) */
	uint8_t *buf;
	size_t bufcap;
	/* Progress meter (opts->progress): bytes decoded over all streams,
	 * the input's size, when it was last called (ms). */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	uint64_t progress_done, progress_total, progress_ms;
	int progress_unthrottled;
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static struct stream *get_stream(struct hwt_core *c, uint32_t id)
{
	struct stream *s;
	size_t i;

	if (c->last < c->nst && c->st[c->last]->id == id)
		return c->st[c->last];
	for (i = 0; i < c->nst; i++)
		if (c->st[i]->id == id) {
			c->last = i;
			return c->st[i];
		}
	c->st = hwt_xrealloc(c->st, (c->nst + 1) * sizeof(*c->st));
	s = hwt_xrealloc(NULL, sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->core = c;
	s->id = id;
	s->pid = -1;
	s->tid = -1;
	s->flow = hwt_xrealloc(NULL, FLOW_CHUNK + 32);
	s->edges = hwt_edges_alloc();
	c->st[c->nst] = s;
	c->last = c->nst++;
	return s;
}

void hwt_core_set_image(struct hwt_core *c, uint32_t stream,
			const struct hwt_image *img)
{
	struct stream *s = get_stream(c, stream);
	size_t i;

	s->img = img;
	s->space = 0;
	if (!img)
		return;
	/* Blocks of another image are other blocks: the same address may
	 * hold other code there, and its symbol is that image's. */
	for (i = 0; i < c->nspaces && c->spaces[i] != img; i++)
		;
	if (i == c->nspaces && i < UINT16_MAX) {
		c->spaces = hwt_xrealloc(c->spaces, (i + 1) *
					 sizeof(*c->spaces));
		c->spaces[c->nspaces++] = img;
	}
	s->space = (uint16_t)(i < c->nspaces ? i + 1 : c->nspaces);
}

/* Returns the image s's blocks are symbolized against (NULL: none). */
static const struct hwt_image *sym_image(const struct hwt_core *c,
					 const struct stream *s)
{
	return s->img ? s->img : c->img;
}

/* Returns the image block u was symbolized against: its address
 * space's (hwt_core_set_image), the core's for space 0. */
static const struct hwt_image *block_image(const struct hwt_core *c,
					   const struct hwt_ublock *u)
{
	return u->space && u->space <= c->nspaces ? c->spaces[u->space - 1] :
	       c->img;
}

void hwt_core_set_thread(struct hwt_core *c, uint32_t stream, int64_t pid,
			 int64_t tid)
{
	struct stream *s = get_stream(c, stream);

	s->pid = pid;
	s->tid = tid;
}

void hwt_core_set_insn_clock(struct hwt_core *c, uint32_t stream)
{
	get_stream(c, stream)->insn_clock = 1;
}

/* A timestamp from the trace: the time of the next instruction, which
 * comes after a block held back (put_block()) if there is one. */
static void set_time(struct hwt_core *c, struct stream *s, uint64_t time)
{
	if (!time || time == s->time)
		return;
	s->time = time;
	s->time_ninsn = s->ninsn;
	if (s->pend)
		s->time_ninsn += hwt_blocks_get(c->blocks, s->pend)->ninsn;
}

/*
 * The time of the instruction ninsn: the last timestamp, plus on an
 * instruction clock the instructions decoded since (exact, as a CYC
 * packet per instruction would be).
 */
static inline uint64_t time_at(const struct stream *s, uint64_t ninsn)
{
	return s->insn_clock ? s->time + (ninsn - s->time_ninsn) : s->time;
}

static int on_cp(void *arg, uint64_t id, uint64_t parent, uint32_t sym,
		 uint64_t ip)
{
	struct stream *s = arg;

	return hwt_db_call_path(s->core->db, id, parent, sym, ip);
}

static int flush_flow(struct stream *s)
{
	struct hwt_core *c = s->core;
	int rc;

	if (!s->fentries)
		return 0;
	rc = hwt_db_flow(c->db, s->id, s->fseq++, s->ffirst,
			 s->ninsn - s->ffirst, s->fentries, s->flow, s->flen);
	s->flen = 0;
	s->fentries = 0;
	s->ffirst = s->ninsn;
	if (rc < 0)
		return rc;
	/* The call chunks end at each flow row, whatever the commits; a
	 * killed decode keeps everything up to the last commit.  Other
	 * tables' batched rows wait for a full batch (64 rows a statement)
	 * or the commit: written at every flow row, they went in
	 * statements of 16, 4 and 1 rows. */
	if (s->fseq % FLOW_ROWS_PER_COMMIT)
		return hwt_db_flush(c->db);
	return hwt_db_commit(c->db);
}

/* The LEB128 of v (at least 0x4000) at p, which has room for 10 bytes:
 * three bytes without hwt_uleb_put()'s loop.  Returns the bytes
 * written. */
static inline size_t uleb_put_long(uint8_t *p, uint64_t v)
{
	if (v >= 0x200000)
		return hwt_uleb_put(p, v);
	p[0] = (uint8_t)(v | 0x80);
	p[1] = (uint8_t)(v >> 7 | 0x80);
	p[2] = (uint8_t)(v >> 14);
	return 3;
}

static inline int flow_put(struct stream *s, uint64_t v)
{
	uint8_t *p = s->flow + s->flen;

	if (v < 0x80) {
		p[0] = (uint8_t)v;	/* small block ids */
		s->flen++;
	} else if (v < 0x4000) {
		/* LEB128's two and three bytes without its loop: a real
		 * program runs thousands of distinct blocks, a large one
		 * (perl and its libraries) past 8,192 of them. */
		p[0] = (uint8_t)(v | 0x80);
		p[1] = (uint8_t)(v >> 7);
		s->flen += 2;
	} else {
		s->flen += uleb_put_long(p, v);
	}
	s->fentries++;
	return s->flen >= FLOW_CHUNK ? flush_flow(s) : 0;
}

static int sink_begin(void *arg, const struct hwt_stream_info *info)
{
	struct hwt_core *c = arg;
	struct stream *s = get_stream(c, info->id);
	size_t i;

	if (s->begun)
		return 0;	/* a stream may be fed in pieces */
	s->begun = 1;
	s->rd = info->read_mem;
	s->rdarg = info->read_mem_arg;
	if (s->tid < 0)
		s->tid = info->tid;
	/* One thread row per tid; unknown tids get one each. */
	for (i = 0; i < c->nst; i++)
		if (c->st[i] != s && c->st[i]->begun && s->tid >= 0 &&
		    c->st[i]->tid == s->tid) {
			s->thread_id = c->st[i]->thread_id;
			break;
		}
	if (!s->thread_id &&
	    hwt_db_thread(c->db, s->tid, s->pid, &s->thread_id) < 0)
		return -1;
	s->cs = hwt_callstack_alloc(c->cps, &c->next_call_id,
				    c->no_calls ? NULL : hwt_db_calls(c->db),
				    s->thread_id, on_cp, s);
	return hwt_db_stream(c->db, info, s->thread_id);
}

static inline int is_x86(uint8_t isa)
{
	return isa >= HWT_ISA_X86_16 && isa <= HWT_ISA_X86_64;
}

/*
 * Blocks are the same whichever way a front end splits the flow: a block
 * is a run of instructions that ran one after another, up to a branch or
 * a break (event, gap, end).  libipt's block decoder ends a block where a
 * PSB+ reports its status (an EXEC_MODE event, no break) or a section
 * ends, and a PSB segment ends at the next segment's FUP, wherever those
 * fall; so an x86 block that does not end in a branch waits (s->pend)
 * for the block after it, and the two become one block where that one
 * starts at the next instruction.  Returns whether u may go on so.
 */
static inline int pending(const struct hwt_ublock *u)
{
	return u->iclass == HWT_IC_OTHER && u->lens_ok && is_x86(u->isa);
}

/* hwt_ublock.loop_mode of a pending() block (the call stack's modes are
 * 0..2), and the loop's mode without a call stack. */
#define LOOP_PEND	3
#define LOOP_NO_STACK	4

/* lens: the block's instruction lengths from the front end, NULL: split
 * its bytes here. */
static void new_block(struct hwt_core *c, struct stream *s,
		      struct hwt_ublock *u, const struct hwt_block *blk,
		      const uint8_t *lens)
{
	const struct hwt_binary *bin = NULL;
	const struct hwt_image *img;
	const struct hwt_sym *sym;
	uint64_t span = u->end_ip - u->ip;
	size_t want, got = 0;
	int n;

	/* Bytes of the block plus room for the last instruction. */
	if (s->rd && span < (1u << 20)) {
		want = (size_t)span + 16;
		if (want > c->bufcap) {
			c->bufcap = want;
			c->buf = hwt_xrealloc(c->buf, want);
		}
		while (got < want) {
			n = s->rd(s->rdarg, u->ip + got, c->buf + got,
				  want - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		u->lens = hwt_xrealloc(NULL, u->ninsn);
		if (lens && got >= (size_t)span + lens[u->ninsn - 1]) {
			memcpy(u->lens, lens, u->ninsn);
			u->lens_ok = 1;
			got = (size_t)span + u->lens[u->ninsn - 1];
		} else if (got > span &&
			   hwt_insn_lengths(c->dis, u->isa, c->buf, got, u->ip,
					    u->end_ip, u->ninsn, u->lens) == 0) {
			u->lens_ok = 1;
			got = (size_t)span + u->lens[u->ninsn - 1];
		}
		if (got) {
			u->code = hwt_xrealloc(NULL, got);
			memcpy(u->code, c->buf, got);
			u->code_size = (uint32_t)got;
		}
	}
	if (!u->lens_ok && (u->isa == HWT_ISA_A64 || u->isa == HWT_ISA_A32)) {
		u->lens = hwt_xrealloc(u->lens, u->ninsn);
		u->lens_ok = !hwt_insn_lengths(c->dis, u->isa, NULL, 0, u->ip,
					       u->end_ip, u->ninsn, u->lens);
	}
	/* The class of the last instruction from its bytes where the front
	 * end's word is ambiguous (libipt: ptic_call and ptic_jump for
	 * direct and indirect alike; none), so that a block is the same
	 * row whichever decoder found it first. */
	if (u->code_size && u->lens_ok &&
	    (!u->iclass || (is_x86(u->isa) &&
			    (u->iclass == HWT_IC_CALL ||
			     u->iclass == HWT_IC_JUMP))))
		u->iclass = (uint8_t)hwt_insn_class(
			c->dis, u->isa, u->code + span, u->code_size - span,
			u->end_ip);
	u->stack_mode = (uint8_t)hwt_callstack_mode(u->iclass);
	img = sym_image(c, s);
	sym = img ? hwt_image_symbol(img, u->ip, &bin) : NULL;
	u->sym_id = sym ? sym->id : 0;
	u->bin_id = bin ? bin->id : 0;
	u->sym_start = sym && sym->start + (uint64_t)bin->bias == u->ip;
	u->end_len = u->lens_ok ? u->lens[u->ninsn - 1] : 0;
	if ((u->iclass == HWT_IC_COND_JUMP || u->iclass == HWT_IC_JUMP ||
	     u->iclass == HWT_IC_CALL) && u->code_size > span &&
	    !hwt_insn_target(c->dis, u->isa, u->code + span,
			     u->code_size - span, u->end_ip, &u->target))
		u->has_target = 1;
	u->loop_mode = pending(u) ? LOOP_PEND : u->stack_mode;
	(void)blk;
}

static inline struct stream *cur_stream(struct hwt_core *c, uint32_t stream)
{
	return c->st && c->last < c->nst && c->st[c->last]->id == stream ?
	       c->st[c->last] : get_stream(c, stream);
}

/* Id of the block (interned, its row written, the first time), 0 on a
 * database error. */
static uint32_t intern(struct hwt_core *c, struct stream *s,
		       const struct hwt_block *blk, const uint8_t *lens)
{
	struct hwt_ublock *u;
	uint32_t id;
	int is_new;

	id = hwt_blocks_intern(c->blocks, blk->ip, blk->end_ip, blk->ninsn,
			       blk->isa, blk->iclass, s->space, &is_new);
	if (is_new) {
		u = hwt_blocks_get(c->blocks, id);
		new_block(c, s, u, blk, lens);
		if (hwt_db_block(c->db, id, u) < 0)
			return 0;
	}
	return id;
}

/*
 * The edges row of prev -> the block next (id, 0: the stream ended):
 * taken from the front end where it knows the outcome (OpenCSD's atoms),
 * else from where the flow went: a conditional branch was taken when the
 * next block does not start after it; unknown after a break, counted as
 * not taken.
 */
static uint32_t edge_flags(const struct hwt_ublock *p, uint16_t pflags,
			   const struct hwt_ublock *next, int brk)
{
	uint32_t f = brk ? HWT_EDGE_BREAK : 0;

	if (p->iclass == HWT_IC_OTHER)
		return f;
	if (pflags & HWT_BLK_OUTCOME)
		return f | (pflags & HWT_BLK_TAKEN ? HWT_EDGE_TAKEN : 0);
	if (p->iclass != HWT_IC_COND_JUMP)
		return f | HWT_EDGE_TAKEN;
	if (next && !brk && p->end_len &&
	    next->ip != p->end_ip + p->end_len)
		return f | HWT_EDGE_TAKEN;
	return f;
}

static inline void note_edge(struct hwt_core *c, struct stream *s,
			     uint32_t id, const struct hwt_ublock *u,
			     uint16_t flags)
{
	if (s->prev)
		hwt_edges_add(s->edges, s->prev, id,
			      edge_flags(hwt_blocks_get(c->blocks, s->prev),
					 s->prev_flags, u, s->brk),
			      !s->brk && !(s->prev_flags & HWT_BLK_OUTCOME));
	s->prev = id;
	s->prev_flags = flags;
	s->brk = 0;
}

/* One executed block u (id): the per-block work of the core. */
static inline int count_block(struct stream *s, const struct hwt_ublock *u,
			      uint32_t id, uint64_t time)
{
	int rc;

	hwt_edges_count_block(s->edges, id);
	if (s->cs) {
		/* On an instruction clock the time is the block's own
		 * index past the last timestamp (a held block is counted
		 * before any later timestamp is taken). */
		rc = hwt_callstack_ublock(s->cs, u, s->ninsn, s->insn_clock ?
					  time_at(s, s->ninsn) : time);
		if (rc < 0)
			return rc;
	}
	s->nblocks++;
	s->ninsn += u->ninsn;
	return flow_put(s, (uint64_t)id << 1);
}

static int sink_progress(void *arg, uint32_t stream, uint64_t offset)
{
	struct hwt_core *c = arg;
	struct stream *s;
	uint64_t ms;

	if (!c->progress)
		return 0;
	s = cur_stream(c, stream);
	if (offset > s->progress) {
		c->progress_done += offset - s->progress;
		s->progress = offset;
	}
	ms = now_ms();
	if (c->progress_unthrottled ||
	    (ms - c->progress_ms < (1ull << 63) && ms - c->progress_ms >= 500)) {
		c->progress_ms = ms;
		c->progress(c->progress_arg, c->progress_done,
			    c->progress_total);
	}
	return 0;
}

/* The call stack's hot state as sink_blocks() kept it in locals: blocks
 * counted, the mode, and (pu non-NULL) the block before.  h NULL: no
 * call stack.  Returns nothing. */
static inline void cs_put(struct hwt_callstack_hot *h, uint64_t blocks,
			  int mode, const struct hwt_ublock *pu)
{
	if (!h)
		return;
	h->blocks = blocks;
	h->mode = mode;
	if (pu) {
		h->prev_class = pu->iclass;
		h->prev_ret = pu->end_ip + pu->end_len;
	}
}

/* The executed block id, counted (its transition, the call stack with
 * time as when it began, the flow). */
static int emit(struct hwt_core *c, struct stream *s, uint32_t id,
		uint16_t flags, uint64_t time)
{
	const struct hwt_ublock *u = hwt_blocks_get(c->blocks, id);

	note_edge(c, s, id, u, flags);
	return count_block(s, u, id, time);
}

/* Counts the pending block, if any.  Returns 0 or negative (database). */
static int flush_pend(struct hwt_core *c, struct stream *s)
{
	uint32_t id = s->pend;

	if (!id)
		return 0;
	s->pend = 0;
	return emit(c, s, id, s->pend_flags, s->pend_time);
}

/* The block of pending p followed by u (u starts at p's next
 * instruction), interned; 0 on a database error. */
static uint32_t merge(struct hwt_core *c, struct stream *s,
		      const struct hwt_ublock *p, const struct hwt_ublock *u)
{
	struct hwt_block b;
	uint8_t *lens = NULL;
	uint32_t id;

	memset(&b, 0, sizeof(b));
	b.ip = p->ip;
	b.end_ip = u->end_ip;
	b.ninsn = p->ninsn + u->ninsn;
	b.isa = u->isa;
	b.iclass = u->iclass;
	if (u->lens_ok) {
		lens = hwt_xrealloc(NULL, b.ninsn);
		memcpy(lens, p->lens, p->ninsn);
		memcpy(lens + p->ninsn, u->lens, u->ninsn);
	}
	id = intern(c, s, &b, lens);
	free(lens);
	return id;
}

/*
 * The executed block id (flags: its HWT_BLK_*; time: when it began):
 * joined to the pending block where it goes on from there, else after
 * it.  Returns 0 or negative (database).
 */
static int put_block(struct hwt_core *c, struct stream *s, uint32_t id,
		     uint16_t flags, uint64_t time)
{
	const struct hwt_ublock *u = hwt_blocks_get(c->blocks, id);
	int rc;

	if (s->pend) {
		const struct hwt_ublock *p = hwt_blocks_get(c->blocks, s->pend);

		if (u->isa == p->isa && u->ip == p->end_ip + p->end_len &&
		    u->ip > p->ip && u->end_ip - p->ip < (1u << 20) &&
		    (uint64_t)p->ninsn + u->ninsn <= UINT32_MAX) {
			id = merge(c, s, p, u);
			if (!id)
				return -1;
			u = hwt_blocks_get(c->blocks, id);
			time = s->pend_time;
			s->pend = 0;
		} else if ((rc = flush_pend(c, s)) < 0) {
			return rc;
		}
	}
	if (pending(u)) {
		s->pend = id;
		s->pend_flags = flags;
		s->pend_time = time;
		return 0;
	}
	return emit(c, s, id, flags, time);
}

static int sink_block(void *arg, uint32_t stream, const struct hwt_block *blk)
{
	struct hwt_core *c = arg;
	struct stream *s = cur_stream(c, stream);
	uint32_t id;

	if (!blk->ninsn)
		return 0;
	id = intern(c, s, blk, NULL);
	if (!id)
		return -1;
	set_time(c, s, blk->time);
	if (c->progress && blk->offset && !(s->nblocks & 0xffff))
		sink_progress(c, stream, blk->offset);
	return put_block(c, s, id, blk->flags, s->time);
}

static uint32_t sink_intern(void *arg, uint32_t stream,
			    const struct hwt_block *blk)
{
	struct hwt_core *c = arg;

	return blk->ninsn ? intern(c, cur_stream(c, stream), blk, NULL) : 0;
}

static uint32_t sink_intern_lens(void *arg, uint32_t stream,
				 const struct hwt_block *blk,
				 const uint8_t *lens)
{
	struct hwt_core *c = arg;

	return blk->ninsn ? intern(c, cur_stream(c, stream), blk, lens) : 0;
}

static int sink_blocks(void *arg, uint32_t stream, const uint32_t *ids,
		       size_t n)
{
	struct hwt_core *c = arg;
	struct stream *s = cur_stream(c, stream);
	const struct hwt_ublock *v = hwt_blocks_get(c->blocks, 1);
	uint32_t nb = hwt_blocks_count(c->blocks);
	uint64_t ninsn, nblocks;
	uint64_t fentries;
	struct hwt_callstack *cs = s->cs;
	struct hwt_edges *edges = s->edges;
	struct hwt_brec *rec, *pr, nohit;
	struct hwt_callstack_hot *h;
	const struct hwt_ublock *pu;
	uint64_t hb;
	uint32_t top;
	uint8_t *flow;
	size_t i, flen, mark;
	int rc, mode;

again:
	/* A block pending (put_block()) before the run, or after a block
	 * of it that may go on: one block at a time. */
	while (n && (s->pend || (ids[0] && ids[0] <= nb &&
				 pending(&v[ids[0] - 1])))) {
		if (!ids[0] || ids[0] > nb)
			return -1;
		rc = put_block(c, s, ids[0], 0, s->time);
		if (rc < 0)
			return rc;
		/* merge() may have interned a block. */
		v = hwt_blocks_get(c->blocks, 1);
		nb = hwt_blocks_count(c->blocks);
		ids++;
		n--;
	}
	ninsn = s->ninsn;
	nblocks = s->nblocks;
	fentries = s->fentries;
	flow = s->flow;
	flen = s->flen;
	/* count_block() by hand, with the hot state in locals (written
	 * back before anything that reads it from s): the block records
	 * (counts, first successors) cover every id up to nb. */
	hwt_edges_reserve(edges, nb);
	rec = edges->rec;
	/* The record of prev, whose keys count a plain transition from it.
	 * The flags of the transition from prev are plain after the first
	 * block of the run always (its flags are 0, no break); before it,
	 * if no break or outcome came: else a record with no keys.  (No
	 * edge from 0 is, so rec[0] has none either.) */
	memset(&nohit, 0, sizeof(nohit));
	pr = !s->brk && !(s->prev_flags & HWT_BLK_OUTCOME) ? &rec[s->prev] :
	     &nohit;
	/* The call stack's per-block state in locals (hwt_callstack_quiet()
	 * on them), written back before its slow step and where the loop
	 * ends: before block i, h->blocks is hb + i; pu is the block before
	 * where h does not have it yet (its class and end). */
	h = (struct hwt_callstack_hot *)cs;
	mode = h ? h->mode : LOOP_NO_STACK;
	top = h ? h->top_sym : 0;
	hb = h ? h->blocks : 0;
	pu = NULL;
	/* Blocks [mark, i) are flow entries and blocks not yet added to
	 * fentries and nblocks: counted from i, not one by one. */
	mark = 0;
	for (i = 0; i < n; i++) {
		uint32_t id = ids[i], fv = id << 1;
		const struct hwt_ublock *u;
		int m;

		if (!id || id > nb)
			return -1;
		u = &v[id - 1];
		m = u->loop_mode;
		if (m == LOOP_PEND) {
			/* Rare (the fast path's blocks end in branches):
			 * the rest one block at a time. */
			cs_put(h, hb + i, mode, pu);
			s->flen = flen;
			s->fentries = fentries + (i - mark);
			s->ninsn = ninsn;
			s->nblocks = nblocks + (i - mark);
			if (i) {
				s->prev = ids[i - 1];
				s->prev_flags = 0;
				s->brk = 0;
			}
			ids += i;
			n -= i;
			goto again;
		}
		rec[id].count++;
		/* The transition from the block before: a plain one seen
		 * before costs one compare (no flags, no hash). */
		if (pr->key[0] == id) {
			pr->ecount[0]++;
		} else if (pr->key[1] == id) {
			pr->ecount[1]++;
		} else {
			/* The block before: s->prev for the first. */
			if (i)
				s->prev = ids[i - 1];
			note_edge(c, s, id, u, 0);
			/* hwt_edges_add() may have moved them. */
			rec = edges->rec;
		}
		pr = &rec[id];
		/* hwt_callstack_quiet(), the time only for a block that calls
		 * or returns. */
		if (mode != HWT_CS_QUIET) {
			/* After a jump: quiet unless it entered another
			 * function. */
			if (mode == HWT_CS_JUMP) {
				if (!u->sym_start || u->sym_id == top)
					goto quiet;
			} else if (mode == LOOP_NO_STACK) {
				goto counted;
			}
			h->blocks = hb + i;
			if (pu) {
				h->prev_class = pu->iclass;
				h->prev_ret = pu->end_ip + pu->end_len;
			}
			if (hwt_callstack_block_slow(cs, u, ninsn,
						     time_at(s, ninsn)) < 0)
				return -1;
			mode = h->mode;
			top = h->top_sym;
			pu = NULL;
			goto counted;
		}
quiet:
		mode = m;
		pu = u;
counted:
		ninsn += u->ninsn;
		/* flow_put's bytes. */
		if (fv < 0x80) {
			flow[flen++] = (uint8_t)fv;
		} else if (fv < 0x4000) {
			flow[flen] = (uint8_t)(fv | 0x80);
			flow[flen + 1] = (uint8_t)(fv >> 7);
			flen += 2;
		} else {
			flen += uleb_put_long(flow + flen, fv);
		}
		if (flen < FLOW_CHUNK)
			continue;
		s->flen = flen;
		s->fentries = fentries + (i + 1 - mark);
		s->ninsn = ninsn;
		s->nblocks = nblocks + (i + 1 - mark);
		rc = flush_flow(s);
		if (rc < 0)
			return rc;
		flow = s->flow;
		flen = s->flen;
		fentries = s->fentries;
		nblocks = s->nblocks;
		mark = i + 1;
	}
	cs_put(h, hb + n, mode, pu);
	s->flen = flen;
	s->fentries = fentries + (n - mark);
	s->ninsn = ninsn;
	s->nblocks = nblocks + (n - mark);
	if (n) {
		s->prev = ids[n - 1];
		s->prev_flags = 0;
		s->brk = 0;
	}
	return 0;
}

static const char *gap_kind(uint32_t type)
{
	switch (type) {
	case HWT_EV_OVERFLOW: return "overflow";
	case HWT_EV_GAP: return "error";
	default: return "event";
	}
}

/* The events table's kind of a trace event that is kept. */
static const char *event_kind(uint32_t type)
{
	switch (type) {
	case HWT_EV_ENABLE: return "on";
	case HWT_EV_DISABLE: return "off";
	case HWT_EV_ASYNC: return "async";
	default: return "eret";
	}
}

static int sink_event(void *arg, uint32_t stream, const struct hwt_event *ev)
{
	struct hwt_core *c = arg;
	struct stream *s = get_stream(c, stream);
	uint64_t eid;

	/* The flow goes on elsewhere: no transition between the blocks
	 * around it (an ISA switch or a timestamp is none), and the block
	 * before ends here, counted on the time base before this one. */
	if (ev->type != HWT_EV_TIME && ev->type != HWT_EV_EXEC_MODE) {
		if (flush_pend(c, s) < 0)
			return -1;
		s->brk = 1;
	}
	set_time(c, s, ev->time);
	switch (ev->type) {
	case HWT_EV_GAP:
	case HWT_EV_OVERFLOW:
		eid = ++c->next_error_id;
		s->nerrors++;
		if (hwt_db_error(c->db, eid, stream, s->ninsn, ev,
				 gap_kind(ev->type)) < 0)
			return -1;
		if (s->cs)
			hwt_callstack_break(s->cs);
		return flow_put(s, eid << 1 | 1);
	case HWT_EV_DISABLE:
	case HWT_EV_ASYNC:
	case HWT_EV_ENABLE:
		/* Enabled again where it was disabled (an interrupt around
		 * user-only tracing, a CPU-mode run's end and its next
		 * run's start): the flow goes on, and so do its calls. */
		/* An exception that struck at ip (CoreSight: a preemption
		 * that ends a CPU-mode run) stops there as a disable does:
		 * a run that goes on at ip keeps its calls. */
		if (s->cs && (ev->type == HWT_EV_DISABLE ||
			      (ev->type == HWT_EV_ASYNC && ev->ip)))
			hwt_callstack_disable(s->cs, ev->ip);
		else if (s->cs && ev->type == HWT_EV_ENABLE)
			hwt_callstack_enable(s->cs, ev->ip);
		else if (s->cs)
			hwt_callstack_break(s->cs);
		/* Kept for replay's markers, as an exception return is. */
		__attribute__((fallthrough));
	case HWT_EV_EXCEPTION_RET:
		return hwt_db_event(c->db, stream, s->ninsn,
				    event_kind(ev->type), ev,
				    time_at(s, s->ninsn));
	case HWT_EV_CONTEXT:
		/* A new address space (exec): every frame is gone. */
		if (s->cs && ev->msg && !strcmp(ev->msg, "exec"))
			return hwt_callstack_reset(s->cs, s->ninsn,
						   time_at(s, s->ninsn));
		return 0;
	default:
		return 0;
	}
}

/* Instructions of block u per symbol, added count times into insns[]:
 * the symbols of the image u was symbolized against (a stream whose
 * image changed, at an exec, ran blocks of both). */
static void attribute(struct hwt_core *c, const struct hwt_ublock *u,
		      uint64_t count, uint64_t *insns, size_t nsyms)
{
	const struct hwt_image *img = block_image(c, u);
	const struct hwt_binary *bin;
	const struct hwt_sym *sym;
	uint64_t ip = u->ip;
	uint32_t i;

	sym = img ? hwt_image_symbol(img, u->end_ip, &bin) : NULL;
	if (!u->lens_ok || (sym && sym->id == u->sym_id)) {
		if (u->sym_id < nsyms)
			insns[u->sym_id] += count * u->ninsn;
		return;
	}
	for (i = 0; i < u->ninsn; ip += u->lens[i++]) {
		sym = hwt_image_symbol(img, ip, &bin);
		insns[sym && sym->id < nsyms ? sym->id : 0] += count;
	}
}

static int stream_stats(struct hwt_core *c, struct stream *s, size_t nsyms)
{
	uint64_t *insns = calloc(nsyms, sizeof(*insns));
	const uint64_t *calls = NULL;
	size_t ncalls = 0, i;
	int rc = 0;

	if (!insns)
		return -1;
	for (i = 1; i < s->edges->nrec; i++) {
		uint64_t n = hwt_edges_block_count(s->edges, (uint32_t)i);
		struct hwt_ublock *u;

		if (!n)
			continue;
		u = hwt_blocks_get(c->blocks, (uint32_t)i);
		attribute(c, u, n, insns, nsyms);
		if (hwt_db_block_count(c->db, s->id, s->thread_id, (uint32_t)i,
				       n) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc >= 0) {
		const struct hwt_edge *e;
		size_t cur = 0;

		while (rc >= 0 && (e = hwt_edges_next(s->edges, &cur)))
			rc = hwt_db_edge(c->db, s->id, s->thread_id, e);
	}
	if (s->cs)
		calls = hwt_callstack_calls(s->cs, &ncalls);
	for (i = 0; i < nsyms && rc >= 0; i++) {
		uint64_t nc = i < ncalls ? calls[i] : 0;

		if (nc || insns[i])
			rc = hwt_db_symbol_stat(c->db, s->thread_id,
						(uint32_t)i, nc, insns[i]);
	}
	free(insns);
	if (s->cs) {
		const struct hwt_cpstat *cp = hwt_callstack_cpstats(s->cs,
								   &ncalls);

		for (i = 1; i < ncalls && rc >= 0; i++)
			if (cp[i].calls)
				rc = hwt_db_call_path_stat(c->db, s->thread_id,
							   i, cp[i].calls,
							   cp[i].insns);
	}
	return rc;
}

static size_t nsymbols(const struct hwt_core *c)
{
	size_t i, n = 1;

	for (i = 0; c->img && i < hwt_image_nbinaries(c->img); i++) {
		const struct hwt_binary *b = hwt_image_binary(c->img, i);

		if (b->elf.nsyms && b->elf.syms[b->elf.nsyms - 1].id >= n)
			n = b->elf.syms[b->elf.nsyms - 1].id + 1;
	}
	return n;
}

static int sink_end(void *arg, uint32_t stream)
{
	struct hwt_core *c = arg;
	struct stream *s = get_stream(c, stream);
	int rc;

	if (s->ended)
		return 0;
	s->ended = 1;
	if (flush_pend(c, s) < 0)
		return -1;
	s->brk = 1;
	note_edge(c, s, 0, NULL, 0);
	if (s->cs && hwt_callstack_reset(s->cs, s->ninsn,
						 time_at(s, s->ninsn)) < 0)
		return -1;
	rc = flush_flow(s);
	if (rc >= 0)
		rc = stream_stats(c, s, nsymbols(c));
	if (rc >= 0)
		rc = hwt_db_stream_end(c->db, s->id, s->ninsn, s->nblocks,
				       s->nerrors);
	if (rc >= 0 && s->insn_clock)
		rc = hwt_db_stream_clock(c->db, s->id, "insn");
	if (rc >= 0)
		rc = hwt_db_commit(c->db);
	return rc;
}

struct hwt_core *hwt_core_alloc(const struct hwt_decode_opts *opts,
				struct hwt_image *img, char *err,
				size_t errlen)
{
	struct hwt_core *c = hwt_xrealloc(NULL, sizeof(*c));
	const char *db_path = opts->out;

	memset(c, 0, sizeof(*c));
	c->db = hwt_db_create(db_path, opts->force, opts->mode, err, errlen);
	if (!c->db) {
		free(c);
		return NULL;
	}
	c->img = img;
	/* The database's writes beside this thread where another CPU can
	 * take them (not with --threads 1: one thread asked for). */
	if (opts->test.db_writer > 0 ||
	    (!opts->test.db_writer && opts->threads != 1 &&
	     hwt_usable_cpus() > 1))
		hwt_db_set_writer(c->db, 1);
	if (img && hwt_db_image(c->db, img) < 0) {
		hwt_errf(err, errlen, "%s: cannot write images: %s", db_path,
			   sqlite3_errmsg(hwt_db_handle(c->db)));
		hwt_db_abandon(c->db);
		free(c);
		return NULL;
	}
	c->blocks = hwt_blocks_alloc();
	c->cps = hwt_callpaths_alloc();
	c->dis = hwt_disasm_alloc();
	c->next_call_id = 1;
	c->sink.arg = c;
	c->sink.stream_begin = sink_begin;
	c->sink.block = sink_block;
	c->sink.event = sink_event;
	c->sink.stream_end = sink_end;
	c->sink.intern = sink_intern;
	c->sink.intern_lens = sink_intern_lens;
	c->sink.blocks = sink_blocks;
	c->sink.progress = sink_progress;
	c->progress = opts->progress;
	c->progress_arg = opts->progress_arg;
	c->progress_ms = now_ms() + 500;	/* the first after a second */
	c->progress_unthrottled = opts->test.progress_unthrottled;
	return c;
}

const struct hwt_sink *hwt_core_sink(struct hwt_core *c)
{
	return &c->sink;
}

void hwt_core_set_total(struct hwt_core *c, uint64_t total)
{
	c->progress_total = total;
}

void hwt_core_set_no_calls(struct hwt_core *c, int no_calls)
{
	c->no_calls = no_calls;
}

struct hwt_db *hwt_core_db(struct hwt_core *c)
{
	return c->db;
}

/* An instruction of binary bin (its block's binary_id) at addr. */
struct addr_bin {
	uint64_t addr;
	uint32_t bin;
};

/* qsort order of addr_bin: by address, then binary.
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int addr_bin_cmp(const void *x, const void *y)
{
	const struct addr_bin *a = x, *b = y;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (a->bin > b->bin) - (a->bin < b->bin);
}

/* qsort/bsearch order of addresses.
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int addr_cmp(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	return (*a > *b) - (*a < *b);
}

/*
 * The addresses where instructions of two binaries or more ran:
 * processes (address spaces) mapping different binaries at one address.
 * One image maps one binary at an address, so there are none unless the
 * blocks are of two address spaces or more.
 * Returns them sorted, with *n (free()); NULL with *n 0 if none.
 */
static uint64_t *shared_addrs(const struct hwt_core *c, size_t *n)
{
	uint32_t nb = hwt_blocks_count(c->blocks), id, i;
	struct addr_bin *v = NULL;
	uint64_t *out = NULL;
	size_t nv = 0, cap = 0, k;

	*n = 0;
	for (id = 2; id <= nb; id++)
		if (hwt_blocks_get(c->blocks, id)->space !=
		    hwt_blocks_get(c->blocks, 1)->space)
			break;
	if (id > nb)
		return NULL;	/* one address space */
	for (id = 1; id <= nb; id++) {
		const struct hwt_ublock *u = hwt_blocks_get(c->blocks, id);
		uint64_t ip = u->ip;

		if (!u->lens_ok)
			continue;
		for (i = 0; i < u->ninsn; ip += u->lens[i++]) {
			if (nv == cap) {
				cap = cap ? 2 * cap : 1024;
				v = hwt_xrealloc(v, cap * sizeof(*v));
			}
			v[nv].addr = ip;
			v[nv++].bin = u->bin_id;
		}
	}
	if (nv > 1) {
		qsort(v, nv, sizeof(*v), addr_bin_cmp);
		out = hwt_xrealloc(NULL, nv * sizeof(*out));
	}
	for (k = 1; k < nv; k++)
		if (v[k].addr == v[k - 1].addr && v[k].bin != v[k - 1].bin &&
		    (!*n || out[*n - 1] != v[k].addr))
			out[(*n)++] = v[k].addr;
	free(v);
	if (!*n) {
		free(out);
		out = NULL;
	}
	return out;
}

/* A lines row to write (sort_by_key(): the address first). */
struct line_row {
	uint64_t addr;
	const char *file;
	uint32_t line;
};
_Static_assert(offsetof(struct line_row, addr) == 0 &&
	       offsetof(struct hwt_range, start) == 0,
	       "sort_by_key() sorts by the uint64_t an element begins with");

/* The uint64_t an element of sort_by_key() begins with. */
static inline uint64_t elem_key(const uint8_t *p)
{
	uint64_t k;

	memcpy(&k, p, sizeof(k));
	return k;
}

/*
 * Sorts the n elements of size bytes at v by the uint64_t each begins
 * with, stably (elements of a key stay in their order): a least-
 * significant-digit radix sort, one pass per byte in which the keys
 * differ (qsort of sqlite3's 15,000 lines rows through a comparator took
 * 12.8 M instructions).
 */
static void sort_by_key(void *v, size_t n, size_t size)
{
	uint8_t *src = v, *dst, *tmp, *t;
	size_t count[256], i, c, pos, k;
	uint64_t diff = 0;
	unsigned sh;

	for (i = 1; i < n; i++)
		diff |= elem_key(src + i * size) ^ elem_key(src);
	if (!diff)
		return;
	tmp = hwt_xrealloc(NULL, n * size);
	dst = tmp;
	for (sh = 0; sh < 64; sh += 8) {
		if (!((diff >> sh) & 0xff))
			continue;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(elem_key(src + i * size) >> sh) & 0xff]++;
		for (c = 0, pos = 0; c < 256; c++) {
			k = count[c];
			count[c] = pos;
			pos += k;
		}
		for (i = 0; i < n; i++) {
			c = (elem_key(src + i * size) >> sh) & 0xff;
			memcpy(dst + count[c]++ * size, src + i * size, size);
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != (uint8_t *)v)
		memcpy(v, src, n * size);
	free(tmp);
}

/*
 * Source lines of every executed instruction that has DWARF info, from
 * the binary its block's image maps there; where another binary's code
 * ran at that address too (shared_addrs()), by binary (binary_lines).
 * lines rows are written in address order, the first found per address
 * (what INSERT OR IGNORE keeps): lines is keyed by address, so its rows
 * are the same, appended to the table's B-tree instead of inserted all
 * over it.
 * Returns 0 if written, -1 if a database write failed.
 */
static int write_lines(struct hwt_core *c)
{
	struct line_row *rows = NULL;
	size_t nrows = 0, cap = 0, k;
	uint32_t id, i;
	size_t nshared;
	uint64_t *shared;
	int rc = 0;

	if (!c->img)
		return 0;
	shared = shared_addrs(c, &nshared);
	for (id = 1; id <= hwt_blocks_count(c->blocks) && rc >= 0; id++) {
		const struct hwt_ublock *u = hwt_blocks_get(c->blocks, id);
		const struct hwt_image *img = block_image(c, u);
		uint64_t ip = u->ip;

		if (!u->lens_ok)
			continue;
		for (i = 0; i < u->ninsn && rc >= 0; ip += u->lens[i++]) {
			const char *file = NULL;
			const struct hwt_line *l = hwt_image_line(img, ip,
								  &file);

			if (!l)
				break;	/* no DWARF here: skip the block */
			if (nshared && bsearch(&ip, shared, nshared,
					       sizeof(*shared), addr_cmp)) {
				rc = hwt_db_binary_line(c->db, u->bin_id, ip,
							file, l->line);
				continue;
			}
			if (nrows == cap) {
				cap = cap ? 2 * cap : 1024;
				rows = hwt_xrealloc(rows, cap * sizeof(*rows));
			}
			rows[nrows].addr = ip;
			rows[nrows].file = file;
			rows[nrows++].line = l->line;
		}
	}
	free(shared);
	sort_by_key(rows, nrows, sizeof(*rows));	/* by address */
	for (k = 0; k < nrows && rc >= 0; k++)
		if (!k || rows[k].addr != rows[k - 1].addr)
			rc = hwt_db_line(c->db, rows[k].addr, rows[k].file,
					 rows[k].line);
	free(rows);
	return rc;
}

/* Per binary: the executed code's link-time ranges, sorted and merged. */
struct bin_ranges {
	struct hwt_range *v;
	size_t n, cap;
	uint8_t *done;		/* per inline entry: its row written */
};

static void merge_ranges(struct bin_ranges *r)
{
	size_t i, j = 0;

	sort_by_key(r->v, r->n, sizeof(*r->v));	/* by start */
	for (i = 0; i < r->n; i++) {
		struct hwt_range *last = j ? &r->v[j - 1] : NULL;

		if (last && r->v[i].start <= last->start + last->size) {
			uint64_t end = r->v[i].start + r->v[i].size;

			if (end > last->start + last->size)
				last->size = end - last->start;
		} else {
			r->v[j++] = r->v[i];
		}
	}
	r->n = j;
}

/* Frees br[0..nb] (load_ranges()) and what each entry holds. */
static void free_ranges(struct bin_ranges *br, size_t nb)
{
	size_t k;

	for (k = 0; k <= nb; k++) {
		free(br[k].v);
		free(br[k].done);
	}
	free(br);
}

/*
 * Per binary (by id, 1..nb): the executed blocks' link-time ranges (a
 * block's binary: the one its own image maps there, so each process's
 * code goes to its own binary), sorted and merged; each binary with
 * some has its DWARF lines and inlines loaded, once whichever processes
 * ran it, from the units covering them only (a big library's debug file
 * is mostly code that did not run).
 * Returns them (free_ranges()), or NULL if out of memory.
 */
static struct bin_ranges *load_ranges(struct hwt_core *c, size_t nb)
{
	struct bin_ranges *br = calloc(nb + 1, sizeof(*br));
	uint32_t id;
	size_t k;

	if (!br)
		return NULL;
	for (id = 1; id <= hwt_blocks_count(c->blocks); id++) {
		const struct hwt_ublock *u = hwt_blocks_get(c->blocks, id);
		const struct hwt_section *s = hwt_image_find(block_image(c, u),
							     u->ip);
		struct bin_ranges *b;

		if (!s || !s->bin->is_elf || s->bin->id > nb ||
		    hwt_image_binary(c->img, s->bin->id - 1) != s->bin)
			continue;	/* (not a view of the core's image) */
		b = &br[s->bin->id];
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 64;
			b->v = hwt_xrealloc(b->v, b->cap * sizeof(*b->v));
		}
		b->v[b->n].start = u->ip - (uint64_t)s->bin->bias;
		b->v[b->n++].size = u->end_ip - u->ip + 1;
	}
	for (k = 1; k <= nb; k++) {
		if (!br[k].n)
			continue;
		merge_ranges(&br[k]);
		hwt_binary_load_dwarf(hwt_image_binary(c->img, k - 1),
				      br[k].v, br[k].n);
	}
	return br;
}

/*
 * The inlined subroutines (DWARF) whose code ran: one row per range that
 * overlaps an executed block (br: load_ranges()), in runtime addresses.
 * Returns 0 if every row was written.
 * Returns -1 if out of memory or a database write failed.
 */
static int write_inlines(struct hwt_core *c, struct bin_ranges *br, size_t nb)
{
	size_t k, r, n, e;
	int rc = 0;

	/* Per binary: the entries overlapping its executed ranges (their
	 * union is the blocks'), each written once. */
	for (k = 1; k <= nb && rc >= 0; k++) {
		struct hwt_binary *bin = hwt_image_binary(c->img, k - 1);
		const struct hwt_inlines *l;
		size_t *idx;

		if (!br[k].n)
			continue;
		l = hwt_binary_inlines(bin, br[k].v, br[k].n);
		if (!l)
			continue;
		idx = calloc(l->n, sizeof(*idx));
		br[k].done = calloc(l->n, 1);
		if (!idx || !br[k].done) {
			free(idx);
			rc = -1;
			break;
		}
		for (r = 0; r < br[k].n && rc >= 0; r++) {
			n = hwt_inlines_at(l, br[k].v[r].start, br[k].v[r].start +
					   br[k].v[r].size, idx, l->n);
			for (e = 0; e < n && rc >= 0; e++) {
				const struct hwt_inline *x = &l->v[idx[e]];

				if (br[k].done[idx[e]])
					continue;
				br[k].done[idx[e]] = 1;
				rc = hwt_db_inline(c->db, bin->id,
						   x->lo + (uint64_t)bin->bias,
						   x->hi + (uint64_t)bin->bias,
						   x->depth, x->name,
						   x->call_file, x->call_line);
			}
		}
		free(idx);
	}
	return rc;
}

int hwt_core_finish(struct hwt_core *c, char *err, size_t errlen)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->nst && rc >= 0; i++)
		if (c->st[i]->begun)
			rc = sink_end(c, c->st[i]->id);
	if (rc >= 0 && c->img) {
		size_t nb = hwt_image_nbinaries(c->img);
		struct bin_ranges *br = load_ranges(c, nb);

		rc = br ? write_lines(c) : -1;
		if (rc >= 0)
			rc = write_inlines(c, br, nb);
		if (br)
			free_ranges(br, nb);
	}
	if (rc < 0)
		hwt_errf(err, errlen, "database write failed: %s",
			   sqlite3_errmsg(hwt_db_handle(c->db)));
	if (rc >= 0)
		rc = hwt_db_finish(c->db, err, errlen);
	else
		hwt_db_abandon(c->db);
	c->db = NULL;
	hwt_core_free(c);
	return rc;
}

void hwt_core_free(struct hwt_core *c)
{
	size_t i;

	if (!c)
		return;
	hwt_db_abandon(c->db);
	for (i = 0; i < c->nst; i++) {
		hwt_callstack_free(c->st[i]->cs);
		hwt_edges_free(c->st[i]->edges);
		free(c->st[i]->flow);
		free(c->st[i]);
	}
	free(c->st);
	free(c->spaces);
	hwt_blocks_free(c->blocks);
	hwt_callpaths_free(c->cps);
	hwt_disasm_free(c->dis);
	free(c->buf);
	free(c);
}
