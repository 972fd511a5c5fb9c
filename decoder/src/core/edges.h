/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * edges.c: counts of the transitions between consecutive blocks of one
 * stream's flow (the database's edges table, docs/schema.md): what the
 * compiler profiles (hwt export --autofdo/--bolt) are made of.
 */
#ifndef HWT_DECODER_EDGES_H
#define HWT_DECODER_EDGES_H

#include <stddef.h>
#include <stdint.h>

/* edges.flags */
#define HWT_EDGE_TAKEN	1u	/* from's last instruction branched */
#define HWT_EDGE_BREAK	2u	/* a gap or trace event came between them */

struct hwt_edge {
	uint32_t from, to;	/* block ids; to 0: nothing followed */
	uint32_t flags;		/* HWT_EDGE_* */
	uint32_t plain;		/* internal: flags are the plain flags of
				 * (from, to), see hwt_edges_hit */
	uint64_t count;
};

#define HWT_EDGES_WAYS	2	/* successors of a block kept by from: a
				 * conditional branch's two */

/* Internal: hwt_edges_hit reads it inline. */
struct hwt_edges {
	struct hwt_edge *first;	/* HWT_EDGES_WAYS by from: its first
				 * successors */
	size_t nfirst;		/* froms in first */
	struct hwt_edge *v;	/* count 0: empty slot */
	size_t cap, n;		/* cap: power of two */
	struct hwt_edge *last;	/* the slot the last add hit */
};

struct hwt_edges *hwt_edges_alloc(void);
void hwt_edges_free(struct hwt_edges *e);
/* Adds one to the count of (from, to, flags); plain: flags are the ones
 * a plain transition from -> to always has (no break, no outcome from
 * the trace), so that hwt_edges_hit may count it without them. */
void hwt_edges_add(struct hwt_edges *e, uint32_t from, uint32_t to,
		   uint32_t flags, int plain);
/*
 * hwt_edges_hit() on first and nfirst as read from e (struct hwt_edges)
 * since its last hwt_edges_add(), which may move them: for a per-block
 * loop that keeps them in registers.
 * Returns 1 if it counted the plain transition from -> to, 0 if the
 * caller must hwt_edges_add it.
 */
static inline int hwt_edges_hit_first(struct hwt_edge *first, size_t nfirst,
				      uint32_t from, uint32_t to)
{
	struct hwt_edge *x;

	if (from >= nfirst)
		return 0;
	x = &first[(size_t)from * HWT_EDGES_WAYS];
	if (x[0].to == to && x[0].plain) {
		x[0].count++;
		return 1;
	}
	if (x[1].to == to && x[1].plain) {
		x[1].count++;
		return 1;
	}
	return 0;
}

/*
 * The plain transition from -> to, counted only if it was added plain
 * before and is one of from's first successors: the core's per-block
 * call, which then need not work out the flags.
 * Returns 1 if it counted it, 0 if the caller must hwt_edges_add it.
 */
static inline int hwt_edges_hit(struct hwt_edges *e, uint32_t from,
				uint32_t to)
{
	return hwt_edges_hit_first(e->first, e->nfirst, from, to);
}
/* Distinct edges counted so far. */
size_t hwt_edges_count(const struct hwt_edges *e);
/* Walks the edges, in no order: *cursor 0 first.
 * Returns the next edge, NULL if there is none left. */
const struct hwt_edge *hwt_edges_next(const struct hwt_edges *e,
				      size_t *cursor);

#endif /* HWT_DECODER_EDGES_H */
