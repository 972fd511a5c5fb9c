// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Intel PT output: ToPA tables, single range, output pointers (see
 * pt_topa.h).
 */
#include "pt_topa.h"

#define PAGE_4K		4096ull

static uint64_t pt_chunk_size(const struct pt_chunk *c)
{
	return PAGE_4K << c->order;
}

static int pt_phys_ok(const struct pt_caps *caps, uint64_t pa)
{
	return caps->maxphyaddr >= 64 || !(pa >> caps->maxphyaddr);
}

uint32_t pt_topa_tables_needed(const struct pt_caps *caps, uint32_t n)
{
	if (!n)
		return 0;
	if (!caps->topa_multi)
		return 1;
	return (n + PT_TOPA_TABLE_OUTPUTS - 1) / PT_TOPA_TABLE_OUTPUTS;
}

/* Table and slot of output entry i. */
static void pt_topa_slot(const struct pt_topa *t, uint32_t i, uint32_t *tbl,
			 uint32_t *slot)
{
	*tbl = t->multi ? i / PT_TOPA_TABLE_OUTPUTS : 0;
	*slot = t->multi ? i % PT_TOPA_TABLE_OUTPUTS : 0;
}

int pt_topa_build(struct pt_topa *t, const struct pt_caps *caps,
		  const struct pt_chunk *chunks, uint32_t n,
		  uint64_t **tables, const uint64_t *tables_phys,
		  uint32_t ntables, uint64_t *start)
{
	uint32_t i, need, tbl, slot, outs;
	uint64_t off = 0;

	if (!caps->topa)
		return -PT_EOPNOTSUPP;
	if (!n)
		return -PT_EINVAL;
	/* One output entry + END without CPUID.(14H,0):ECX[1] (33.2.7.2). */
	if (n > 1 && !caps->topa_multi)
		return -PT_EOPNOTSUPP;
	need = pt_topa_tables_needed(caps, n);
	if (ntables < need)
		return -PT_E2BIG;
	for (i = 0; i < need; i++)
		/* "ToPA table base address is not 4KB-aligned" (33.2.7.2) */
		if ((tables_phys[i] & (PAGE_4K - 1)) ||
		    !pt_phys_ok(caps, tables_phys[i]))
			return -PT_EINVAL;
	for (i = 0; i < n; i++) {
		const struct pt_chunk *c = &chunks[i];

		if (c->order > PT_TOPA_CHUNK_MAX_ORDER)
			return -PT_EINVAL;
		/* Regions are aligned to their size (33.2.7.2). */
		if ((c->phys & (pt_chunk_size(c) - 1)) ||
		    !pt_phys_ok(caps, c->phys + pt_chunk_size(c) - 1))
			return -PT_EINVAL;
	}

	t->chunks = chunks;
	t->start = start;
	t->tables = tables;
	t->tables_phys = tables_phys;
	t->nchunks = n;
	t->ntables = need;
	t->multi = caps->topa_multi;
	for (i = 0; i < n; i++) {
		const struct pt_chunk *c = &chunks[i];

		pt_topa_slot(t, i, &tbl, &slot);
		tables[tbl][slot] = c->phys |
			((uint64_t)c->order << PT_TOPA_SIZE_SHIFT) |
			(c->intr ? PT_TOPA_INT : 0) | (c->stop ? PT_TOPA_STOP : 0);
		start[i] = off;
		off += pt_chunk_size(c);
	}
	t->size = off;
	/* END entries: table k -> k + 1, the last one -> the first. */
	for (tbl = 0; tbl < need; tbl++) {
		outs = tbl + 1 < need ? PT_TOPA_TABLE_OUTPUTS :
		       n - tbl * (t->multi ? PT_TOPA_TABLE_OUTPUTS : 0);
		tables[tbl][outs] = tables_phys[(tbl + 1) % need] | PT_TOPA_END;
	}
	return 0;
}

uint32_t pt_topa_chunks(const uint64_t *phys, uint32_t npages,
			uint32_t max_order, uint32_t part,
			struct pt_chunk *out)
{
	uint32_t i = 0, n = 0, order, k, len;

	for (k = 0; k < npages; k++)
		if (phys[k] & 0xfff)
			return 0;
	while (i < npages) {
		/* Largest first; order 0 (one page) always fits. */
		for (order = max_order; order > 0; order--) {
			len = 1u << order;
			if (order >= 32 || len > npages - i ||
			    phys[i] & ((4096ull << order) - 1) ||
			    (part && i % part + len > part))
				continue;
			for (k = 1; k < len; k++)
				if (phys[i + k] != phys[i] + 4096ull * k)
					break;
			if (k == len)
				break;
		}
		out[n].phys = phys[i];
		out[n].order = (uint8_t)order;
		out[n].intr = 0;
		out[n].stop = 0;
		n++;
		i += 1u << order;
	}
	return n;
}

void pt_topa_set_int(struct pt_chunk *chunks, uint32_t n, uint32_t parts)
{
	uint64_t size = 0, pos = 0, end;
	uint32_t i, k;

	for (i = 0; i < n; i++) {
		chunks[i].intr = 0;
		chunks[i].stop = 0;
		size += pt_chunk_size(&chunks[i]);
	}
	if (!parts)
		return;
	for (i = 0, k = 1; i < n; i++) {
		end = pos + pt_chunk_size(&chunks[i]);
		/* Does a boundary size * k / parts fall in (pos, end]? */
		while (k <= parts && size / parts * k +
		       (k == parts ? size % parts : 0) <= end) {
			chunks[i].intr = 1;
			k++;
		}
		pos = end;
	}
}

/* Index of the chunk holding byte off (binary search on start). */
static uint32_t pt_topa_find(const struct pt_topa *t, uint64_t off)
{
	uint32_t lo = 0, hi = t->nchunks - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (t->start[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int pt_topa_output(const struct pt_topa *t, uint64_t off,
		   struct pt_output *out)
{
	uint32_t i, tbl, slot;

	if (off >= t->size)
		return -PT_EINVAL;
	i = pt_topa_find(t, off);
	pt_topa_slot(t, i, &tbl, &slot);
	out->base = t->tables_phys[tbl];
	/*
	 * MaskOrTableOffset holds bits 27:3 of the table offset, i.e. the
	 * entry index, in bits 31:7; OutputOffset in 63:32 (33.2.8.8).
	 */
	out->mask_ptrs = 0x7full | ((uint64_t)slot << 7) |
			 ((off - t->start[i]) << 32);
	out->topa = 1;
	return 0;
}

int pt_topa_offset(const struct pt_topa *t, uint64_t base,
		   uint64_t mask_ptrs, uint64_t *off)
{
	uint32_t tbl, slot = (mask_ptrs >> 7) & 0x1ffffff, i, outs;
	uint64_t outoff = mask_ptrs >> 32, end;

	for (tbl = 0; tbl < t->ntables; tbl++)
		if (t->tables_phys[tbl] == base)
			break;
	if (tbl == t->ntables)
		return -PT_EINVAL;
	outs = tbl + 1 < t->ntables ? PT_TOPA_TABLE_OUTPUTS :
	       t->nchunks - tbl * (t->multi ? PT_TOPA_TABLE_OUTPUTS : 0);
	i = tbl * PT_TOPA_TABLE_OUTPUTS + slot;
	/* At the END entry after a region filled: the next table's start. */
	if (slot == outs && outoff == 0) {
		*off = i == t->nchunks ? 0 : t->start[i];
		return 0;
	}
	if (slot >= outs)
		return -PT_EINVAL;
	if (outoff > pt_chunk_size(&t->chunks[i]))
		return -PT_EINVAL;
	end = t->start[i] + outoff;
	*off = end == t->size ? 0 : end;
	return 0;
}

int pt_single_output(const struct pt_caps *caps, uint64_t phys,
		     uint64_t size, uint64_t off, struct pt_output *out)
{
	if (!caps->single_range)
		return -PT_EOPNOTSUPP;
	/* MaskOrTableOffset is bits 31:7 of the mask: 128 B .. 4 GiB. */
	if (size < 128 || size > (1ull << 32) || (size & (size - 1)))
		return -PT_EINVAL;
	if ((phys & (size - 1)) || !pt_phys_ok(caps, phys + size - 1) ||
	    off >= size)
		return -PT_EINVAL;
	out->base = phys;
	out->mask_ptrs = (size - 1) | (off << 32);
	out->topa = 0;
	return 0;
}

int pt_single_offset(uint64_t mask_ptrs, uint64_t *off)
{
	uint64_t mask = (mask_ptrs & 0xffffffffull) | 0x7f;

	if ((mask_ptrs >> 32) > mask)
		return -PT_EINVAL;
	*off = mask_ptrs >> 32;
	return 0;
}

uint64_t pt_pos_advance(uint64_t size, uint64_t prev, uint64_t off)
{
	uint64_t prev_off = prev % size;

	return prev - prev_off + off + (off < prev_off ? size : 0);
}

/* Positions in [0, x] that are end + k * size, k >= 0. */
static uint64_t pt_ends_upto(uint64_t size, uint64_t end, uint64_t x)
{
	return x >= end ? (x - end) / size + 1 : 0;
}

uint64_t pt_topa_int_count(const struct pt_topa *t, uint64_t prev,
			   uint64_t pos)
{
	uint64_t n = 0, end;
	uint32_t i;

	if (pos <= prev || !t->size)
		return 0;
	for (i = 0; i < t->nchunks; i++) {
		if (!t->chunks[i].intr)
			continue;
		end = t->start[i] + pt_chunk_size(&t->chunks[i]);
		n += pt_ends_upto(t->size, end, pos) -
		     pt_ends_upto(t->size, end, prev);
	}
	return n;
}
