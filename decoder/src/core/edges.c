/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Transition counts.  Most blocks go on to one successor (loops, straight
 * code): each from block's first (to, flags) is counted in an array indexed
 * by from, like the block counts; any other goes to an open-addressing
 * hash of (from, to, flags), grown at half load.
 */
#include <stdlib.h>
#include <string.h>

#include "core/edges.h"
#include "core/util.h"

struct hwt_edges {
	struct hwt_edge *first;	/* by from: its first successor */
	size_t nfirst;
	struct hwt_edge *v;	/* count 0: empty slot */
	size_t cap, n;		/* cap: power of two */
	struct hwt_edge *last;	/* the slot the last add hit */
};

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
	free(e->first);
	free(e->v);
	free(e);
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
		   uint32_t flags)
{
	struct hwt_edge *x;

	if (from >= e->nfirst) {
		size_t n = (size_t)from * 2 + 1024;

		e->first = hwt_xrealloc(e->first, n * sizeof(*e->first));
		memset(e->first + e->nfirst, 0,
		       (n - e->nfirst) * sizeof(*e->first));
		e->nfirst = n;
	}
	x = &e->first[from];
	if (x->count && x->to == to && x->flags == flags) {
		x->count++;
		return;
	}
	if (!x->count) {
		x->from = from;
		x->to = to;
		x->flags = flags;
		x->count = 1;
		e->n++;
		return;
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

const struct hwt_edge *hwt_edges_next(const struct hwt_edges *e,
				      size_t *cursor)
{
	size_t i = *cursor;

	for (; i < e->nfirst; i++)
		if (e->first[i].count) {
			*cursor = i + 1;
			return &e->first[i];
		}
	for (; i - e->nfirst < e->cap; i++)
		if (e->v[i - e->nfirst].count) {
			*cursor = i + 1;
			return &e->v[i - e->nfirst];
		}
	*cursor = i;
	return NULL;
}
