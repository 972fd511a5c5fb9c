/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_sideband.c: a session's kernel records (store_reader.h: the
 * records rows and format 2's packed switches) as rows of the decoded
 * database's sideband table (db/sideband.h), named as perf names its
 * records (docs/schema.md "sideband").
 */
#ifndef HWT_DECODER_SESSION_SIDEBAND_H
#define HWT_DECODER_SESSION_SIDEBAND_H

#include <stddef.h>
#include <sqlite3.h>

struct hwt_store_reader;

/*
 * Writes r's records to db's sideband table by time (arrival order among
 * equal times), then the threads and comms they name.
 * Returns 0 if: written.
 * Returns 1 with err set if: the records or switches cannot be read whole
 * (a damaged row): no sideband row is written, the trace decodes.
 * Returns -1 with err set if: SQLite failed.
 */
int hwt_session_sideband(struct hwt_store_reader *r, sqlite3 *db, char *err,
			 size_t errlen);

#endif /* HWT_DECODER_SESSION_SIDEBAND_H */
