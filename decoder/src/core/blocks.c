/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unique blocks: (ip, end_ip, ninsn, isa) -> dense id.  Hot path of the
 * core: one hash probe per executed block.
 */
#include <stdlib.h>
#include <string.h>

#include "core/blocks.h"
#include "core/callstack.h"
#include "core/util.h"

struct hwt_blocks {
	struct hwt_ublock *v;	/* v[id - 1] */
	uint32_t *succ;		/* succ[id]: the block that last followed id */
	uint32_t prev;		/* the last block interned */
	uint32_t n, cap;
	uint32_t *tab;		/* open addressing, 0: empty */
	uint32_t mask;
};

static uint64_t hash(uint64_t ip, uint64_t end_ip, uint32_t ninsn)
{
	uint64_t h = ip * 0x9e3779b97f4a7c15ull;

	h ^= (end_ip + ninsn) * 0xc2b2ae3d27d4eb4full;
	return h ^ (h >> 29);
}

struct hwt_blocks *hwt_blocks_alloc(void)
{
	struct hwt_blocks *b = hwt_xrealloc(NULL, sizeof(*b));

	memset(b, 0, sizeof(*b));
	b->mask = 1023;
	b->succ = calloc(1, sizeof(*b->succ));	/* succ[0]: start */
	if (!b->succ)
		abort();
	b->tab = hwt_xzalloc(b->mask + 1, sizeof(*b->tab));
	return b;
}

void hwt_blocks_free(struct hwt_blocks *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->v[i].lens);
		free(b->v[i].code);
	}
	free(b->v);
	free(b->succ);
	free(b->tab);
	free(b);
}

static void grow(struct hwt_blocks *b)
{
	uint32_t nmask = b->mask * 2 + 1, i;
	uint32_t *nt = hwt_xzalloc((size_t)nmask + 1, sizeof(*nt));

	for (i = 0; i < b->n; i++) {
		const struct hwt_ublock *u = &b->v[i];
		uint64_t k = hash(u->ip, u->end_ip, u->ninsn) & nmask;

		while (nt[k])
			k = (k + 1) & nmask;
		nt[k] = i + 1;
	}
	free(b->tab);
	b->tab = nt;
	b->mask = nmask;
}

uint32_t hwt_blocks_intern(struct hwt_blocks *b, uint64_t ip, uint64_t end_ip,
			   uint32_t ninsn, uint8_t isa, uint8_t iclass,
			   uint16_t space, int *is_new)
{
	uint64_t k;
	struct hwt_ublock *u;
	uint32_t id;

	/* Traces repeat: the block that followed prev last time usually
	 * follows it again, which spares the hash probe. */
	id = b->succ[b->prev];
	if (id) {
		u = &b->v[id - 1];
		if (u->ip == ip && u->end_ip == end_ip && u->ninsn == ninsn &&
		    u->isa == isa && u->space == space) {
			*is_new = 0;
			b->prev = id;
			return id;
		}
	}
	k = hash(ip, end_ip, ninsn) & b->mask;
	while ((id = b->tab[k])) {
		u = &b->v[id - 1];
		if (u->ip == ip && u->end_ip == end_ip && u->ninsn == ninsn &&
		    u->isa == isa && u->space == space) {
			*is_new = 0;
			b->succ[b->prev] = id;
			b->prev = id;
			return id;
		}
		k = (k + 1) & b->mask;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->v = hwt_xrealloc(b->v, (size_t)b->cap * sizeof(*b->v));
		b->succ = hwt_xrealloc(b->succ, ((size_t)b->cap + 1) *
				       sizeof(*b->succ));
		memset(b->succ + b->n + 1, 0,
		       ((size_t)b->cap - b->n) * sizeof(*b->succ));
	}
	u = &b->v[b->n];
	memset(u, 0, sizeof(*u));
	u->ip = ip;
	u->end_ip = end_ip;
	u->ninsn = ninsn;
	u->isa = isa;
	u->iclass = iclass;
	u->space = space;
	u->stack_mode = (uint8_t)hwt_callstack_mode(iclass);
	id = ++b->n;
	b->tab[k] = id;
	b->succ[b->prev] = id;
	b->prev = id;
	if ((uint64_t)b->n * 2 > b->mask)
		grow(b);
	*is_new = 1;
	return id;
}

struct hwt_ublock *hwt_blocks_get(struct hwt_blocks *b, uint32_t id)
{
	return id && id <= b->n ? &b->v[id - 1] : NULL;
}

uint32_t hwt_blocks_count(const struct hwt_blocks *b)
{
	return b->n;
}
