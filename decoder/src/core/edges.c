/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Block and transition counts.  Most blocks go on to one or two
 * successors (straight code, a conditional branch's two ways): each
 * block's count and its first HWT_EDGES_WAYS successors' counts sit in
 * one 32-byte record by block id (the core's per-block loop keeps the
 * record of the block before in a register: a plain transition is one
 * compare and one add), their (to, flags) beside it; any other edge goes
 * to an open-addressing hash of (from, to, flags), grown at half load.
 * An edge is counted in one place only: the record is searched before
 * the hash, and an edge goes to the hash only when from's ways are all
 * taken.
 */
#include <stdlib.h>
#include <string.h>

#include "core/edges.h"
#include "core/util.h"

static size_t slot(const struct hwt_edges *e, uint32_t from, uint32_t to,
		   uint32_t flags)
{
	uint64_t k = ((uint64_t)from << 32 | to) ^ ((uint64_t)flags << 62);

	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 20) & (e->cap - 1);
}

struct hwt_edges *hwt_edges_alloc(void)
{
	struct hwt_edges *e = hwt_xrealloc(NULL, sizeof(*e));

	memset(e, 0, sizeof(*e));
	e->cap = 1024;
	e->v = hwt_xrealloc(NULL, e->cap * sizeof(*e->v));
	memset(e->v, 0, e->cap * sizeof(*e->v));
	return e;
}

void hwt_edges_free(struct hwt_edges *e)
{
	if (!e)
		return;
	free(e->rec);
	free(e->succ);
	free(e->v);
	free(e);
}

void hwt_edges_reserve(struct hwt_edges *e, uint32_t id)
{
	size_t n = (size_t)id * 2 + 1024;

	if (id < e->nrec)
		return;
	e->rec = hwt_xrealloc(e->rec, n * sizeof(*e->rec));
	memset(e->rec + e->nrec, 0, (n - e->nrec) * sizeof(*e->rec));
	e->succ = hwt_xrealloc(e->succ, n * sizeof(*e->succ));
	memset(e->succ + e->nrec, 0, (n - e->nrec) * sizeof(*e->succ));
	e->nrec = n;
}

static struct hwt_edge *find(struct hwt_edges *e, uint32_t from, uint32_t to,
			     uint32_t flags)
{
	size_t i = slot(e, from, to, flags);

	for (;; i = (i + 1) & (e->cap - 1)) {
		struct hwt_edge *x = &e->v[i];

		if (!x->count || (x->from == from && x->to == to &&
				  x->flags == flags))
			return x;
	}
}

static void grow(struct hwt_edges *e)
{
	struct hwt_edge *old = e->v;
	size_t i, cap = e->cap;

	e->cap = cap * 2;
	e->v = hwt_xrealloc(NULL, e->cap * sizeof(*e->v));
	memset(e->v, 0, e->cap * sizeof(*e->v));
	for (i = 0; i < cap; i++)
		if (old[i].count)
			*find(e, old[i].from, old[i].to, old[i].flags) = old[i];
	free(old);
	e->last = NULL;
}

void hwt_edges_add(struct hwt_edges *e, uint32_t from, uint32_t to,
		   uint32_t flags, int plain)
{
	struct hwt_brec *r;
	struct hwt_bsucc *sc;
	struct hwt_edge *x;
	size_t i;

	hwt_edges_reserve(e, from);
	r = &e->rec[from];
	sc = &e->succ[from];
	for (i = 0; i < HWT_EDGES_WAYS; i++) {
		if (r->ecount[i] && sc->to[i] == to && sc->flags[i] == flags) {
			r->ecount[i]++;
			if (plain)
				r->key[i] = to;
			return;
		}
		if (!r->ecount[i]) {
			sc->to[i] = to;
			sc->flags[i] = flags;
			r->key[i] = plain ? to : 0;
			r->ecount[i] = 1;
			e->n++;
			return;
		}
	}
	x = e->last;

	/* Loops repeat the same transition: skip the hash then. */
	if (!x || x->from != from || x->to != to || x->flags != flags) {
		x = find(e, from, to, flags);
		if (!x->count) {
			if ((e->n + 1) * 2 > e->cap) {
				grow(e);
				x = find(e, from, to, flags);
			}
			x->from = from;
			x->to = to;
			x->flags = flags;
			x->plain = 0;
			e->n++;
		}
		e->last = x;
	}
	x->count++;
}

size_t hwt_edges_count(const struct hwt_edges *e)
{
	return e->n;
}

const struct hwt_edge *hwt_edges_next(struct hwt_edges *e, size_t *cursor)
{
	size_t i = *cursor, nf = e->nrec * HWT_EDGES_WAYS;

	for (; i < nf; i++) {
		const struct hwt_brec *r = &e->rec[i / HWT_EDGES_WAYS];
		size_t k = i % HWT_EDGES_WAYS;

		if (!r->ecount[k])
			continue;
		e->out.from = (uint32_t)(i / HWT_EDGES_WAYS);
		e->out.to = e->succ[i / HWT_EDGES_WAYS].to[k];
		e->out.flags = e->succ[i / HWT_EDGES_WAYS].flags[k];
		e->out.plain = r->key[k] != 0;
		e->out.count = r->ecount[k];
		*cursor = i + 1;
		return &e->out;
	}
	for (; i - nf < e->cap; i++)
		if (e->v[i - nf].count) {
			*cursor = i + 1;
			return &e->v[i - nf];
		}
	*cursor = i;
	return NULL;
}
