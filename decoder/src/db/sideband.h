/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sideband.c: the decoded database's `sideband` table (docs/schema.md):
 * one row per sideband record of the input, perf.data's records (named
 * as perf names them) and a session's kernel records mapped to the same
 * names, so that one query reads both; then the `threads` and `comms`
 * rows those records name.
 */
#ifndef HWT_DECODER_SIDEBAND_H
#define HWT_DECODER_SIDEBAND_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* The integer columns of a sideband row, in table order. */
enum hwt_sb_col {
	HWT_SB_FILE_OFFSET, HWT_SB_MISC, HWT_SB_TIME, HWT_SB_CPU, HWT_SB_PID,
	HWT_SB_TID, HWT_SB_PPID, HWT_SB_PTID, HWT_SB_ADDR, HWT_SB_LEN,
	HWT_SB_PGOFF, HWT_SB_PROT, HWT_SB_FLAGS, HWT_SB_MAJ, HWT_SB_MIN,
	HWT_SB_INO, HWT_SB_INO_GENERATION, HWT_SB_EXEC, HWT_SB_SWITCH_OUT,
	HWT_SB_PREEMPT, HWT_SB_NEXT_PREV_PID, HWT_SB_NEXT_PREV_TID,
	HWT_SB_AUX_OFFSET, HWT_SB_AUX_SIZE, HWT_SB_AUX_FLAGS,
	HWT_SB_REFERENCE, HWT_SB_IDX, HWT_SB_LOST, HWT_SB_IP, HWT_SB_PERIOD,
	HWT_SB_SAMPLE_ID, HWT_SB_TIME_SHIFT, HWT_SB_TIME_MULT,
	HWT_SB_TIME_ZERO, HWT_SB_TIME_CYCLES, HWT_SB_TIME_MASK,
	HWT_SB_CAP_USER_TIME_ZERO, HWT_SB_CAP_USER_TIME_SHORT, HWT_SB_HW_ID,
	HWT_SB_AUXTRACE_TYPE, HWT_SB_EXIT_CODE, HWT_SB_STREAM,
	HWT_SB_STREAM_OFFSET,
	HWT_SB_NINT
};

/* One row: type (perf's record name without PERF_RECORD_), the integer
 * columns whose bit is in set (the others NULL), the strings (NULL:
 * NULL).  Unsigned 64-bit values are stored as SQLite's signed integers
 * (the same 64 bits). */
struct hwt_sideband_row {
	const char *type;
	uint64_t set;
	int64_t v[HWT_SB_NINT];
	const char *filename, *build_id, *comm;
};

/* Sets column c of r to v.  Returns nothing. */
void hwt_sb_set(struct hwt_sideband_row *r, enum hwt_sb_col c, int64_t v);

/*
 * Creates the sideband table, its trace_events view and the columns it
 * adds to comms (thread_id, time, exec) in db (a new database).
 * Returns 0 if: created.
 * Returns -1 with err set if: SQLite failed.
 */
int hwt_sideband_schema(sqlite3 *db, char *err, size_t errlen);

struct hwt_sideband;

/*
 * A writer of source's rows ("perf.data" or "session") into db's
 * sideband table.
 * Returns the writer if: its statement was prepared.
 * Returns NULL with err set if: it was not (no sideband table).
 */
struct hwt_sideband *hwt_sideband_open(sqlite3 *db, const char *source,
				       char *err, size_t errlen);

/*
 * Appends r (ids ascending: the order rows are added).
 * Returns 0 if: inserted.
 * Returns -1 with err set if: SQLite failed.
 */
int hwt_sideband_add(struct hwt_sideband *sb, const struct hwt_sideband_row *r,
		     char *err, size_t errlen);

/*
 * Adds a threads row for every (pid, tid) the rows name (COMM, FORK,
 * EXIT, ITRACE_START, SWITCH*, SAMPLE and their parent / next-prev
 * threads) that threads lacks, and a comms row per COMM row (its thread,
 * time and exec flag), then frees sb.
 * Returns 0 if: done (sb freed either way).
 * Returns -1 with err set if: SQLite failed.
 */
int hwt_sideband_close(struct hwt_sideband *sb, char *err, size_t errlen);

#endif /* HWT_DECODER_SIDEBAND_H */
