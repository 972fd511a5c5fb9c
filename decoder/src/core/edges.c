/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Transition counts.  Most blocks go on to one or two successors (straight
 * code, a conditional branch's two ways): each from block's first
 * HWT_EDGES_WAYS (to, flags) are counted in an array indexed by from, like
 * the block counts; any other goes to an open-addressing hash of (from,
 * to, flags), grown at half load.  An edge is counted in one place only:
 * the array is searched before the hash, and an edge goes to the hash only
 * when from's array entries are all taken.
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
		   uint32_t flags, int plain)
{
	struct hwt_edge *x;
	size_t i;

	if (from >= e->nfirst) {
		size_t n = (size_t)from * 2 + 1024;

		e->first = hwt_xrealloc(e->first, n * HWT_EDGES_WAYS *
					sizeof(*e->first));
		memset(e->first + e->nfirst * HWT_EDGES_WAYS, 0,
		       (n - e->nfirst) * HWT_EDGES_WAYS * sizeof(*e->first));
		e->nfirst = n;
	}
	x = &e->first[(size_t)from * HWT_EDGES_WAYS];
	for (i = 0; i < HWT_EDGES_WAYS; i++, x++) {
		if (x->count && x->to == to && x->flags == flags) {
			x->count++;
			if (plain)
				x->plain = 1;
			return;
		}
		if (!x->count) {
			x->from = from;
			x->to = to;
			x->flags = flags;
			x->plain = !!plain;
			x->count = 1;
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

const struct hwt_edge *hwt_edges_next(const struct hwt_edges *e,
				      size_t *cursor)
{
	size_t i = *cursor, nf = e->nfirst * HWT_EDGES_WAYS;

	for (; i < nf; i++)
		if (e->first[i].count) {
			*cursor = i + 1;
			return &e->first[i];
		}
	for (; i - nf < e->cap; i++)
		if (e->v[i - nf].count) {
			*cursor = i + 1;
			return &e->v[i - nf];
		}
	*cursor = i;
	return NULL;
}
