/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * edges.c: one stream's execution count per block and counts of the
 * transitions between consecutive blocks of its flow (the database's
 * block_counts and edges tables, docs/schema.md): what the compiler
 * profiles (hwt export --autofdo/--bolt) are made of.
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

/*
 * What the core's per-block loop touches, by block id, in 32 bytes: the
 * block's count, and its first HWT_EDGES_WAYS successors' counts with
 * the keys that let a plain transition to them be counted by one
 * compare (the successor's id where the edge is plain, else 0: no
 * block has id 0).
 */
struct hwt_brec {
	uint64_t count;				/* executions of the block */
	uint32_t key[HWT_EDGES_WAYS];
	uint64_t ecount[HWT_EDGES_WAYS];	/* 0: way unused */
};

/* The rest of a first successor's edge (off the per-block path). */
struct hwt_bsucc {
	uint32_t to[HWT_EDGES_WAYS];
	uint32_t flags[HWT_EDGES_WAYS];
};

/* Internal: the core's loop reads rec inline. */
struct hwt_edges {
	struct hwt_brec *rec;	/* by block id, nrec of them */
	struct hwt_bsucc *succ;	/* by block id, nrec of them */
	size_t nrec;
	struct hwt_edge *v;	/* the other edges; count 0: empty slot */
	size_t cap, n;		/* cap: power of two; n: every edge */
	struct hwt_edge *last;	/* the slot the last add hit */
	struct hwt_edge out;	/* hwt_edges_next()'s */
};

struct hwt_edges *hwt_edges_alloc(void);
void hwt_edges_free(struct hwt_edges *e);
/* Makes e->rec cover block ids 0..id (moving it). */
void hwt_edges_reserve(struct hwt_edges *e, uint32_t id);
/* Adds one to the count of (from, to, flags); plain: flags are the ones
 * a plain transition from -> to always has (no break, no outcome from
 * the trace), so that hwt_edges_hit may count it without them.  May
 * move e->rec. */
void hwt_edges_add(struct hwt_edges *e, uint32_t from, uint32_t to,
		   uint32_t flags, int plain);

/*
 * The plain transition from -> to, counted only if it was added plain
 * before and is one of from's first successors: what the core's
 * per-block loop does inline on e->rec.
 * Returns 1 if it counted it, 0 if the caller must hwt_edges_add it.
 */
static inline int hwt_edges_hit(struct hwt_edges *e, uint32_t from,
				uint32_t to)
{
	struct hwt_brec *r;

	if (from >= e->nrec || !to)
		return 0;
	r = &e->rec[from];
	if (r->key[0] == to) {
		r->ecount[0]++;
		return 1;
	}
	if (r->key[1] == to) {
		r->ecount[1]++;
		return 1;
	}
	return 0;
}

/* Counts one execution of block id. */
static inline void hwt_edges_count_block(struct hwt_edges *e, uint32_t id)
{
	if (id >= e->nrec)
		hwt_edges_reserve(e, id);
	e->rec[id].count++;
}

/* Returns the execution count of block id. */
static inline uint64_t hwt_edges_block_count(const struct hwt_edges *e,
					     uint32_t id)
{
	return id < e->nrec ? e->rec[id].count : 0;
}
/* Distinct edges counted so far. */
size_t hwt_edges_count(const struct hwt_edges *e);
/* Walks the edges, in no order: *cursor 0 first.
 * Returns the next edge (valid until the next call), NULL if there is
 * none left. */
const struct hwt_edge *hwt_edges_next(struct hwt_edges *e, size_t *cursor);

#endif /* HWT_DECODER_EDGES_H */
