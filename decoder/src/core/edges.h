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
	uint64_t count;
};

struct hwt_edges;
struct hwt_edges *hwt_edges_alloc(void);
void hwt_edges_free(struct hwt_edges *e);
/* Adds one to the count of (from, to, flags). */
void hwt_edges_add(struct hwt_edges *e, uint32_t from, uint32_t to,
		   uint32_t flags);
/* Distinct edges counted so far. */
size_t hwt_edges_count(const struct hwt_edges *e);
/* Walks the edges, in no order: *cursor 0 first.
 * Returns the next edge, NULL if there is none left. */
const struct hwt_edge *hwt_edges_next(const struct hwt_edges *e,
				      size_t *cursor);

#endif /* HWT_DECODER_EDGES_H */
