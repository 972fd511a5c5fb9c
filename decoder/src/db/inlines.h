/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The inlines table read back (hwt replay -F inline, hwt report
 * --inline): its rows by binary and start, and the inline frames that
 * cover an address.
 */
#ifndef HWT_DECODER_DB_INLINES_H
#define HWT_DECODER_DB_INLINES_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct hwt_inline_row {
	int64_t bin;			/* binaries.id */
	uint64_t start, end;		/* [start, end), runtime addresses */
	uint64_t max_end;		/* of this and the binary's rows
					 * before it */
	uint32_t depth;			/* 1: inlined into a real function */
	char *name;			/* the function inlined */
	char *site;			/* "call_file:call_line" */
};

struct hwt_inline_table {
	struct hwt_inline_row *v;
	size_t n;
};

/*
 * Every row of db's inlines table into *in, sorted.
 * Returns 0 if read.
 * Returns -1 (in empty) if SQLite failed: its step result or error is
 * left for the caller to report with the database's message.
 */
int hwt_inline_table_load(sqlite3 *db, struct hwt_inline_table *in);

/*
 * The rows of binary bin that cover ip, deepest first, into at (at most
 * max of them).
 * Returns how many.
 */
size_t hwt_inline_table_at(const struct hwt_inline_table *in, int64_t bin, uint64_t ip,
		      const struct hwt_inline_row **at, size_t max);

void hwt_inline_table_free(struct hwt_inline_table *in);

#endif /* HWT_DECODER_DB_INLINES_H */
