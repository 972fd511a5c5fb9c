/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Calls per thread, the way perf's thread-stack does it: push on a call,
 * pop to the frame whose return address matches on a return (frames above
 * it never returned), a jump to the start of another function is a tail
 * call, a return with no matching frame means we missed the call (trace
 * started inside), and tracing (re)starting creates the bottom frame.
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/callstack.h"
#include "core/util.h"
#include "core/blocks.h"
#include "core/flow.h"
#include "db/calls_vtab.h"

struct cp_ent {
	uint64_t parent, ip, id;
	uint32_t sym;
};

struct hwt_callpaths {
	struct cp_ent *tab;	/* open addressing, id 0: empty */
	size_t mask, n;
	uint64_t next_id;
};

/* Recently met call paths, direct-mapped by (parent, callee): a call
 * from a frame met before costs a probe, not a hash table lookup, also
 * when the frame itself is new (recursion, call trees). */
#define CPC_BITS	12
struct cpc_ent {
	uint64_t parent, ip, cp;	/* cp 0: empty */
	uint32_t sym;
};

struct frame {
	uint64_t call_id, cp, ret_addr;
	uint64_t call_insn, call_time, call_blocks;
	uint32_t sym, flags;
};

struct hwt_callstack {
	struct hwt_callstack_hot h;	/* first: callstack.h's inline step */
	struct hwt_callpaths *cp;
	uint64_t *next_call_id;
	struct hwt_calls_slots *rows;	/* NULL: no call rows */
	uint64_t thread_id;
	hwt_cp_out_fn cpout;
	void *arg;
	struct frame *st;
	size_t cap;
	uint64_t *calls;	/* per symbol id */
	size_t ncalls;
	struct hwt_cpstat *cpst;	/* per call path id */
	size_t ncpst;
	uint64_t off_ip;	/* tracing stopped there, 0: no such stop */
	int off_follows;	/* h.prev_valid when it stopped */
	struct cpc_ent cpc[1u << CPC_BITS];
};

/* hwt_callstack_ublock() (callstack.h) reads the hot state through a
 * pointer to the whole. */
_Static_assert(offsetof(struct hwt_callstack, h) == 0,
	       "the hot state must be the first member");

static uint64_t cp_hash(uint64_t parent, uint32_t sym, uint64_t ip)
{
	uint64_t h = parent * 0x9e3779b97f4a7c15ull ^ ip * 0xff51afd7ed558ccdull;

	return (h ^ sym) * 0xc4ceb9fe1a85ec53ull;
}

struct hwt_callpaths *hwt_callpaths_alloc(void)
{
	struct hwt_callpaths *cp = hwt_xrealloc(NULL, sizeof(*cp));

	cp->mask = 255;
	cp->n = 0;
	cp->next_id = 1;	/* 0 is the root (perf: id 0 = unknown) */
	cp->tab = hwt_xzalloc(cp->mask + 1, sizeof(*cp->tab));
	return cp;
}

void hwt_callpaths_free(struct hwt_callpaths *cp)
{
	if (!cp)
		return;
	free(cp->tab);
	free(cp);
}

uint64_t hwt_callpath_get(struct hwt_callpaths *cp, uint64_t parent,
			  uint32_t sym, uint64_t ip, int *is_new)
{
	size_t k;

	if (sym)
		ip = 0;		/* with a symbol, the path is per function */
	for (k = cp_hash(parent, sym, ip) & cp->mask; cp->tab[k].id;
	     k = (k + 1) & cp->mask) {
		const struct cp_ent *e = &cp->tab[k];

		if (e->parent == parent && e->sym == sym && e->ip == ip) {
			*is_new = 0;
			return e->id;
		}
	}
	cp->tab[k].parent = parent;
	cp->tab[k].sym = sym;
	cp->tab[k].ip = ip;
	cp->tab[k].id = cp->next_id++;
	*is_new = 1;
	if (++cp->n * 2 > cp->mask) {
		size_t om = cp->mask, i;
		struct cp_ent *ot = cp->tab;
		uint64_t id = ot[k].id;

		cp->mask = om * 2 + 1;
		cp->tab = hwt_xzalloc(cp->mask + 1, sizeof(*cp->tab));
		for (i = 0; i <= om; i++) {
			size_t j;

			if (!ot[i].id)
				continue;
			j = cp_hash(ot[i].parent, ot[i].sym, ot[i].ip) &
			    cp->mask;
			while (cp->tab[j].id)
				j = (j + 1) & cp->mask;
			cp->tab[j] = ot[i];
		}
		free(ot);
		return id;
	}
	return cp->tab[k].id;
}

struct hwt_callstack *hwt_callstack_alloc(struct hwt_callpaths *cp,
					  uint64_t *next_call_id,
					  struct hwt_calls_slots *rows,
					  uint64_t thread_id,
					  hwt_cp_out_fn cpout, void *arg)
{
	struct hwt_callstack *cs = hwt_xrealloc(NULL, sizeof(*cs));

	memset(cs, 0, sizeof(*cs));
	cs->cp = cp;
	cs->next_call_id = next_call_id;
	cs->rows = rows;
	cs->thread_id = thread_id;
	cs->cpout = cpout;
	cs->arg = arg;
	return cs;
}

void hwt_callstack_free(struct hwt_callstack *cs)
{
	if (!cs)
		return;
	free(cs->st);
	free(cs->calls);
	free(cs->cpst);
	free(cs);
}

/*
 * frame_path() where cache entry e does not hold (parent, sym, ip): from
 * the shared table (its row written the first time), then kept in e.
 * Returns the id, or negative from the output callback.
 */
static __attribute__((noinline)) int64_t
frame_path_miss(struct hwt_callstack *cs, struct cpc_ent *e, uint64_t parent,
		uint32_t sym, uint64_t ip)
{
	uint64_t id;
	int is_new, rc;

	id = hwt_callpath_get(cs->cp, parent, sym, ip, &is_new);
	/* Every path this stack meets comes through here first (the
	 * cache holds earlier results of it).  Doubled, not stepped: a big
	 * array moved by mremap() in a threaded process costs a TLB
	 * shootdown on every core each time. */
	if (id >= cs->ncpst) {
		size_t nn = id + 256 > 2 * cs->ncpst ? id + 256 :
			    2 * cs->ncpst;

		cs->cpst = hwt_xrealloc(cs->cpst, nn * sizeof(*cs->cpst));
		memset(cs->cpst + cs->ncpst, 0,
		       (nn - cs->ncpst) * sizeof(*cs->cpst));
		cs->ncpst = nn;
	}
	if (is_new) {
		rc = cs->cpout(cs->arg, id, parent, sym, sym ? 0 : ip);
		if (rc < 0)
			return rc;
	}
	e->parent = parent;
	e->sym = sym;
	e->ip = ip;
	e->cp = id;
	return (int64_t)id;
}

/*
 * The call path of a frame of sym (0: keyed by ip) called from the frame
 * whose path is parent: from the direct-mapped cache (inline: a call
 * from a frame met before is a hit), else frame_path_miss().
 * Returns the id, or negative from the output callback.
 */
static inline __attribute__((always_inline)) int64_t
frame_path(struct hwt_callstack *cs, uint64_t parent, uint32_t sym,
	   uint64_t ip)
{
	uint64_t key = sym ? sym : ip;
	struct cpc_ent *e = &cs->cpc[((parent * 0x9e3779b97f4a7c15ull) ^
				      (key * 0xff51afd7ed558ccdull)) >>
				     (64 - CPC_BITS)];

	if (e->cp && e->parent == parent && e->sym == sym &&
	    (sym || e->ip == ip))
		return (int64_t)e->cp;
	return frame_path_miss(cs, e, parent, sym, ip);
}

/* Makes room for one more symbol count than sym.  Returns nothing. */
static __attribute__((noinline)) void grow_calls(struct hwt_callstack *cs,
						 uint32_t sym)
{
	size_t nn = (size_t)sym + 256 > 2 * cs->ncalls ? (size_t)sym + 256 :
		    2 * cs->ncalls;

	cs->calls = hwt_xrealloc(cs->calls, nn * sizeof(*cs->calls));
	memset(cs->calls + cs->ncalls, 0,
	       (nn - cs->ncalls) * sizeof(*cs->calls));
	cs->ncalls = nn;
}

/* A frame of sym entered at ip, to return to ret_addr.  Inline in the
 * slow step, which pushes for most calls.  Returns 0, or negative from
 * the output callbacks. */
static inline __attribute__((always_inline)) int
push(struct hwt_callstack *cs, uint32_t sym, uint64_t ip, uint64_t ret_addr,
     uint32_t flags, uint64_t insn, uint64_t time)
{
	size_t n = cs->h.n;
	int64_t cp = frame_path(cs, n ? cs->st[n - 1].cp : 0, sym, ip);
	struct frame *f;

	if (cp < 0)
		return (int)cp;
	if (n == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 64;
		cs->st = hwt_xrealloc(cs->st, cs->cap * sizeof(*cs->st));
	}
	f = &cs->st[n];
	f->cp = (uint64_t)cp;
	f->ret_addr = ret_addr;
	f->call_insn = insn;
	f->sym = sym;
	f->flags = flags;
	if (cs->rows) {	/* what only call rows need */
		f->call_id = (*cs->next_call_id)++;
		f->call_time = time;
		f->call_blocks = cs->h.blocks;
	}
	cs->h.n = n + 1;
	cs->h.top_sym = sym;
	if (sym >= cs->ncalls)
		grow_calls(cs, sym);
	cs->calls[sym]++;
	return 0;
}

/* The top frame ends at insn (extra_flags: how).  Inline in the slow
 * step, which pops for most returns.  Returns 0, or -1 if its call row
 * could not be kept (a write of the kept ones failed). */
static inline __attribute__((always_inline)) int
pop(struct hwt_callstack *cs, uint32_t extra_flags, uint64_t insn,
    uint64_t time)
{
	const struct frame *f, *below;
	struct hwt_calls_rec *r;
	uint64_t id, parent;
	size_t n = cs->h.n;

	/* Callers pop only while frames are left. */
	assert(n > 0 && n <= cs->cap);
	f = &cs->st[--n];
	below = n ? f - 1 : NULL;
	cs->h.n = n;
	cs->h.top_sym = below ? below->sym : 0;
	/* The call tree's counts, with or without call rows (push made
	 * room for f->cp). */
	cs->cpst[f->cp].calls++;
	cs->cpst[f->cp].insns += insn - f->call_insn;
	if (!cs->rows)
		return 0;	/* no call rows wanted */
	id = f->call_id;
	parent = below ? below->call_id : 0;
	r = hwt_calls_slot(cs->rows, id);
	if (!r)
		return -1;
	/* The stored fields, in calls_vtab.h's order. */
	r->v[0] = id;
	r->v[1] = cs->thread_id;
	r->v[2] = f->cp;
	r->v[3] = f->call_time;
	r->v[4] = time;
	r->v[5] = f->call_insn;
	r->v[6] = insn;
	r->v[7] = cs->h.blocks - f->call_blocks;
	r->v[8] = parent;
	r->v[9] = f->flags | extra_flags;
	return 0;
}

/* Every frame ends at insn, none returned.  Returns 0, or negative if
 * a call row was not kept. */
static int pop_all(struct hwt_callstack *cs, uint64_t insn, uint64_t time)
{
	int rc;

	while (cs->h.n)
		if ((rc = pop(cs, HWT_CALL_NO_RETURN, insn, time)) < 0)
			return rc;
	return 0;
}

/*
 * A return to ip that the top frame does not take: to the innermost
 * frame that returns there (the frames above it never returned), or,
 * with none, to a caller never seen called, which becomes the new bottom.
 * Returns 0, or negative if a call row was not kept.
 */
static __attribute__((noinline)) int ret_deep(struct hwt_callstack *cs,
					      uint64_t ip, uint64_t insn,
					      uint64_t time)
{
	size_t i;
	int rc = 0;

	for (i = cs->h.n; i > 0; i--)
		if (cs->st[i - 1].ret_addr == ip)
			break;
	if (i) {
		while (cs->h.n > i && rc >= 0)
			rc = pop(cs, HWT_CALL_NO_RETURN, insn, time);
		return rc < 0 ? rc : pop(cs, 0, insn, time);
	}
	return cs->h.n == 1 ? pop(cs, 0, insn, time) : pop_all(cs, insn, time);
}

/*
 * Tracing resumed in sym, not the top frame's function: keeps the frames
 * up to the innermost of sym (none if sym is 0 or has none), drops the
 * ones above.
 * Returns 0, or negative if a call row was not kept.
 */
static __attribute__((noinline)) int resume_in(struct hwt_callstack *cs,
					       uint32_t sym, uint64_t insn,
					       uint64_t time)
{
	size_t i;
	int rc = 0;

	for (i = cs->h.n; i > 0; i--)
		if (cs->st[i - 1].sym == sym && sym)
			break;
	while (cs->h.n > i && rc >= 0)
		rc = pop(cs, HWT_CALL_NO_RETURN, insn, time);
	return rc;
}

/* The bottom frame, entered at block u without a seen call.  Returns 0,
 * or negative from the output callbacks. */
static __attribute__((noinline)) int push_bottom(struct hwt_callstack *cs,
						 const struct hwt_ublock *u,
						 uint64_t insn, uint64_t time)
{
	return push(cs, u->sym_id, u->ip, 0, HWT_CALL_NO_CALL, insn, time);
}

/* The first block since tracing stopped (cs->off_ip): where it stopped,
 * it follows the last one as it would have (a TIP.PGE or a PSB+'s FUP
 * there: the thread went on where it was).  Returns nothing. */
static __attribute__((noinline)) void after_stop(struct hwt_callstack *cs,
						 uint64_t ip)
{
	if (ip == cs->off_ip)
		cs->h.prev_valid = cs->off_follows;
	cs->off_ip = 0;
}

int hwt_callstack_block_slow(struct hwt_callstack *cs,
			     const struct hwt_ublock *u, uint64_t insn_index,
			     uint64_t time)
{
	uint32_t sym = u->sym_id;
	int rc = 0;

	if (__builtin_expect(cs->off_ip != 0, 0))
		after_stop(cs, u->ip);
	if (__builtin_expect(cs->h.n && cs->h.prev_valid, 1)) {
		switch (cs->h.prev_class) {
		case HWT_IC_CALL:
		case HWT_IC_IND_CALL:
			rc = push(cs, sym, u->ip, cs->h.prev_ret, 0,
				  insn_index, time);
			break;
		case HWT_IC_RET:
			if (cs->st[cs->h.n - 1].ret_addr == u->ip)
				rc = pop(cs, 0, insn_index, time);
			else
				rc = ret_deep(cs, u->ip, insn_index, time);
			break;
		case HWT_IC_JUMP:
		case HWT_IC_IND_JUMP:
		case HWT_IC_COND_JUMP:
			if (u->sym_start && sym != cs->h.top_sym) {
				/* Tail call: the callee returns for us. */
				uint64_t ra = cs->st[cs->h.n - 1].ret_addr;

				rc = pop(cs, 0, insn_index, time);
				if (rc >= 0)
					rc = push(cs, sym, u->ip, ra,
						  HWT_CALL_NON_CALL,
						  insn_index, time);
			}
			break;
		default:
			break;
		}
	} else if (cs->h.n && sym != cs->h.top_sym) {
		rc = resume_in(cs, sym, insn_index, time);
	}
	if (rc < 0)
		return rc;
	if (__builtin_expect(!cs->h.n, 0)) {
		rc = push_bottom(cs, u, insn_index, time);
		if (rc < 0)
			return rc;
	}
	cs->h.blocks++;
	cs->h.prev_valid = 1;
	cs->h.prev_class = u->iclass;
	cs->h.mode = u->stack_mode;
	cs->h.prev_ret = u->end_ip + u->end_len;
	return 0;
}

int hwt_callstack_block(struct hwt_callstack *cs, uint64_t ip, uint32_t sym,
			int sym_start, uint64_t end_ip, uint32_t end_len,
			uint32_t ninsn, int iclass, uint64_t insn_index,
			uint64_t time)
{
	struct hwt_ublock u;

	memset(&u, 0, sizeof(u));
	u.ip = ip;
	u.end_ip = end_ip;
	u.ninsn = ninsn;
	u.iclass = (uint8_t)iclass;
	u.stack_mode = (uint8_t)hwt_callstack_mode(iclass);
	u.sym_id = sym;
	u.sym_start = !!sym_start;
	u.end_len = (uint8_t)end_len;	/* instruction lengths: <= 15 */
	return hwt_callstack_ublock(cs, &u, insn_index, time);
}

void hwt_callstack_break(struct hwt_callstack *cs)
{
	cs->h.prev_valid = 0;
	cs->h.mode = HWT_CS_SLOW;
	cs->off_ip = 0;
}

void hwt_callstack_disable(struct hwt_callstack *cs, uint64_t ip)
{
	int follows = cs->h.prev_valid;

	/* An end of trace that says no place (CoreSight's) right after a
	 * stop whose place is known (the exception that ended the run). */
	if (!ip && cs->off_ip)
		return;
	hwt_callstack_break(cs);
	cs->off_ip = ip;
	cs->off_follows = follows;
}

void hwt_callstack_enable(struct hwt_callstack *cs, uint64_t ip)
{
	/* Elsewhere: a break.  Where it stopped, or at a place the trace
	 * does not say (CoreSight's trace on: its next range does):
	 * hwt_callstack_block_slow() decides at the next block, as for a
	 * run that starts there without one. */
	if (ip && ip != cs->off_ip)
		hwt_callstack_break(cs);
}

int hwt_callstack_reset(struct hwt_callstack *cs, uint64_t insn_index,
			uint64_t time)
{
	hwt_callstack_break(cs);
	return pop_all(cs, insn_index, time);
}

const uint64_t *hwt_callstack_calls(const struct hwt_callstack *cs, size_t *n)
{
	*n = cs->ncalls;
	return cs->calls;
}

const struct hwt_cpstat *hwt_callstack_cpstats(const struct hwt_callstack *cs,
					       size_t *n)
{
	*n = cs->ncpst;
	return cs->cpst;
}
