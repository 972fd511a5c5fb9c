/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_topa: Intel PT output to memory.
 *
 * ToPA (SDM Vol. 3C 33.2.7.2 "Table of Physical Addresses"): a buffer made
 * of physically contiguous chunks of 4K << n bytes (n = 0..15), each
 * aligned to its size, described by tables of 64-bit entries.  Tables are
 * one 4 KiB page each: up to 511 output entries and an END entry that
 * links to the next table; the last END links back to the first, closing
 * the ring.  Entries can carry INT (a PMI when the region fills:
 * streaming mode) and STOP (tracing stops when the region fills).  A CPU
 * without CPUID.(14H,0):ECX[1] takes exactly one output entry followed by
 * an END entry pointing at the table itself.
 *
 * Single-range output (33.2.7.1) where ToPA is missing: one contiguous
 * region of 2^n bytes (128 B .. 4 GiB) aligned to its size.
 *
 * The output position the CPU keeps in IA32_RTIT_OUTPUT_BASE and
 * IA32_RTIT_OUTPUT_MASK_PTRS (33.2.8.7, 33.2.8.8) maps to a byte offset in
 * the buffer (chunks in order) and back, so a thread's trace continues
 * where it stopped on whichever CPU it runs next.
 */
#ifndef HWT_PT_TOPA_H
#define HWT_PT_TOPA_H

#include "pt_pure.h"
#include "pt_caps.h"

/* Entries of one 4 KiB table: 511 outputs + END. */
#define PT_TOPA_TABLE_ENTRIES	512
#define PT_TOPA_TABLE_OUTPUTS	(PT_TOPA_TABLE_ENTRIES - 1)
#define PT_TOPA_CHUNK_MAX_ORDER	PT_TOPA_SIZE_MAX	/* 4K << 15 = 128 MiB */

struct pt_chunk {
	uint64_t phys;		/* aligned to its size */
	uint8_t order;		/* 4K << order bytes */
	uint8_t intr;		/* INT: PMI when this chunk fills */
	uint8_t stop;		/* STOP: tracing stops when it fills */
};

/* A built ToPA; the arrays belong to the caller and must outlive it. */
struct pt_topa {
	const struct pt_chunk *chunks;
	uint64_t *start;	/* [nchunks]: byte offset of each chunk */
	uint64_t **tables;	/* [ntables]: table pages (kernel virtual) */
	const uint64_t *tables_phys;
	uint32_t nchunks;
	uint32_t ntables;	/* tables in use */
	uint64_t size;		/* buffer bytes */
	uint8_t multi;		/* CPU takes several output entries */
};

/* Tables needed for n chunks on this CPU (0 if n is 0). */
uint32_t pt_topa_tables_needed(const struct pt_caps *caps, uint32_t n);

/*
 * pt_topa_build() - fill ToPA tables for a list of chunks.
 * @chunks:	n chunks in buffer order
 * @tables:	ntables table pages; @tables_phys: their physical addresses
 * @start:	n slots, filled with each chunk's byte offset
 *
 * Returns 0 and fills t and the tables.
 * Returns -PT_EOPNOTSUPP if the CPU has no ToPA, or n > 1 on a CPU that
 * takes one output entry per table (CPUID.(14H,0):ECX[1] = 0).
 * Returns -PT_EINVAL if n is 0, a chunk's order is above 15, its address
 * is not aligned to its size or has bits at or above MAXPHYADDR, or a
 * table address is not 4 KiB aligned or beyond MAXPHYADDR.
 * Returns -PT_E2BIG if fewer than pt_topa_tables_needed() tables are
 * given.
 */
int pt_topa_build(struct pt_topa *t, const struct pt_caps *caps,
		  const struct pt_chunk *chunks, uint32_t n,
		  uint64_t **tables, const uint64_t *tables_phys,
		  uint32_t ntables, uint64_t *start);

/*
 * pt_topa_chunks() - the fewest chunks over a buffer of npages 4 KiB
 * pages at physical addresses phys[0..npages-1] (buffer order): from the
 * first page on, each chunk is the largest 4K << n bytes (n <= max_order)
 * of physically contiguous pages that starts at an address aligned to
 * its size and does not cross a multiple of part pages (streaming: the
 * INT boundaries stay chunk ends; 0: no bound).  Scattered pages give
 * one 4 KiB chunk each, as before.
 * Returns the number of chunks written to out (1 .. npages), or 0 if
 * npages is 0 or a page address is not 4 KiB aligned.
 */
uint32_t pt_topa_chunks(const uint64_t *phys, uint32_t npages,
			uint32_t max_order, uint32_t part,
			struct pt_chunk *out);

/*
 * pt_topa_set_int() - streaming mode: INT on the chunks in which each
 * 1/parts of the buffer ends (at least the last chunk); ring mode passes
 * parts = 0: INT nowhere.  Clears stop.
 */
void pt_topa_set_int(struct pt_chunk *chunks, uint32_t n, uint32_t parts);

/*
 * pt_topa_output() - the output MSRs that make the CPU write next at byte
 * offset off (33.2.8.7, 33.2.8.8 with ToPA = 1).
 *
 * Returns 0 and fills out.
 * Returns -PT_EINVAL if off >= t->size.
 */
int pt_topa_output(const struct pt_topa *t, uint64_t off,
		   struct pt_output *out);

/*
 * pt_topa_offset() - where the output MSRs read back after TraceEn was
 * cleared point in the buffer.  An output offset equal to the region size
 * (ToPA STOP, 33.2.7.2 "ToPA STOP") is the start of the next chunk, and
 * so is a pointer at a table's END entry with output offset 0.
 *
 * Returns 0 and sets *off (0 .. size - 1).
 * Returns -PT_EINVAL if base is none of the tables, the entry index is
 * not an output entry of that table, or the output offset is beyond the
 * chunk.
 */
int pt_topa_offset(const struct pt_topa *t, uint64_t base,
		   uint64_t mask_ptrs, uint64_t *off);

/*
 * pt_single_output() - single-range output MSRs for a region of size
 * bytes at phys, writing next at off (33.2.7.1, 33.2.8.8 with ToPA = 0).
 *
 * Returns 0 and fills out.
 * Returns -PT_EOPNOTSUPP if the CPU has no single-range output.
 * Returns -PT_EINVAL if size is not a power of two in 128 B .. 4 GiB, phys
 * is not aligned to size or beyond MAXPHYADDR, or off >= size.
 */
int pt_single_output(const struct pt_caps *caps, uint64_t phys,
		     uint64_t size, uint64_t off, struct pt_output *out);

/*
 * pt_single_offset() - the byte offset single-range MSRs point at.
 *
 * Returns 0 and sets *off.
 * Returns -PT_EINVAL if the output offset is beyond the mask.
 */
int pt_single_offset(uint64_t mask_ptrs, uint64_t *off);

/*
 * pt_pos_advance() - the absolute position (bytes ever written, as the
 * framework's head) that the CPU's offset off stands for, given the last
 * known position prev: the first position >= prev that is off modulo
 * size.  Exact as long as less than one buffer was written since prev
 * (what INT entries and the drain at switch-out guarantee; a full lap
 * reads as none).  The wrap count is the result / size.
 */
uint64_t pt_pos_advance(uint64_t size, uint64_t prev, uint64_t off);

/*
 * pt_topa_int_count() - ToPA PMIs between two absolute positions: how
 * many ends of INT regions (33.2.7.2 "ToPA PMI": the PMI is signalled when
 * such a region fills) lie in (prev, pos].  The PMI handler asks it
 * instead of IA32_PERF_GLOBAL_STATUS bit 55, which another handler (perf)
 * may have cleared first.
 *
 * Returns the number of INT region ends crossed (0 if pos <= prev or no
 * chunk has INT).
 */
uint64_t pt_topa_int_count(const struct pt_topa *t, uint64_t prev,
			   uint64_t pos);

#endif /* HWT_PT_TOPA_H */
