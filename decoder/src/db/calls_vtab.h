/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * calls_vtab.c: the calls table stored as compact per-chunk columns.
 *
 * One row per call instance costs SQLite about 4,400 instructions as a
 * B-tree row (0.5 us, most of a decode with calls); the decoder writes
 * them instead as chunks of up to HWT_CALLS_CHUNK rows into
 * call_chunks (min_id, max_id, n, data): per row, each stored field as
 * the zigzag LEB128 of its difference from the row before (the first row
 * of a chunk: from zeros), in this order:
 *   id, thread_id, call_path_id, call_time, return_time, call_insn,
 *   return_insn, branch_count, parent_call_id, flags
 * (insn_count is return_insn - call_insn, comm_id is 0).  The virtual
 * table module "hwt_calls" shows them as the calls table (docs/schema.md);
 * it is registered on every connection hwt opens and built as an SQLite
 * loadable extension (build/lib/hwt_calls.so) for other readers:
 *   sqlite3 -cmd '.load build/lib/hwt_calls' DB 'SELECT ... FROM calls'
 */
#ifndef HWT_DECODER_CALLS_VTAB_H
#define HWT_DECODER_CALLS_VTAB_H

#include <stddef.h>
#include <stdint.h>

#define HWT_CALLS_CHUNK		4096	/* rows per call_chunks row at most */
#define HWT_CALLS_FIELDS	10	/* stored per row */
#define HWT_CALLS_ROW_MAX	(HWT_CALLS_FIELDS * 10)	/* encoded bytes */

struct sqlite3;

/* The stored fields of one row, in the order above. */
struct hwt_calls_rec {
	uint64_t v[HWT_CALLS_FIELDS];
};

/*
 * Call rows kept in memory until they are written (db.c), by id: the row
 * of id base + k in slot[k] (a slot holding another id holds none).  The
 * call stack writes each row into the record hwt_calls_slot() gives.
 */
struct hwt_calls_slots {
	struct hwt_calls_rec *slot;
	size_t nslot;		/* slots up to the last row's */
	size_t cap;		/* slots made */
	size_t n;		/* rows kept, these and others (db.c) */
	uint64_t base;
	/* The record for a row hwt_calls_slot() does not place: the kept
	 * rows written first, slots made, or a record beside them (an id
	 * below base or too far past it).  NULL on a write error. */
	struct hwt_calls_rec *(*slow)(struct hwt_calls_slots *sl,
				      uint64_t id);
};

/* Rows kept at most: the next one writes them first. */
#define HWT_CALLS_KEPT	65536

/*
 * The record to fill with the row of id (its fields in the order above;
 * a flush may come first).  Returns it, or NULL on a write error.
 */
static inline struct hwt_calls_rec *hwt_calls_slot(struct hwt_calls_slots *sl,
						   uint64_t id)
{
	/* An id below base wraps k past every slot. */
	uint64_t k = id - sl->base;

	/* Most rows: no flush due, their slot made. */
	if (__builtin_expect(sl->n < HWT_CALLS_KEPT && k < sl->cap, 1)) {
		if (k >= sl->nslot)
			sl->nslot = (size_t)k + 1;
		sl->n++;
		return &sl->slot[k];
	}
	return sl->slow(sl, id);
}

/*
 * Appends row r to p (room for HWT_CALLS_ROW_MAX bytes), prev the row
 * before in the chunk (zeros for the first), which becomes r.  Returns
 * the bytes written.
 */
size_t hwt_calls_encode(uint8_t *p, struct hwt_calls_rec *prev,
			const struct hwt_calls_rec *r);
/* The same with prev left as it is (the caller keeps the row before).
 * Returns the bytes written. */
size_t hwt_calls_encode_next(uint8_t *p, const struct hwt_calls_rec *prev,
			     const struct hwt_calls_rec *r);

/*
 * Decodes n rows from data[0..size) into rows.  Returns 0, or -1 if the
 * data does not hold exactly n well-formed rows.
 */
int hwt_calls_decode(const uint8_t *data, size_t size, size_t n,
		     struct hwt_calls_rec *rows);

/* Registers the module on db.  Returns an SQLite result code. */
int hwt_calls_vtab_register(struct sqlite3 *db);

#endif /* HWT_DECODER_CALLS_VTAB_H */
