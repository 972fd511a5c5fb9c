/* SPDX-License-Identifier: BSD-2-Clause */
/* A session's records -> sideband rows (session_sideband.h).  The record
 * columns: docs/trace-store.md "How each kernel record type fills the
 * optional records columns". */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/sideband.h"
#include "session_sideband.h"
#include "store_reader.h"

struct rows {
	struct hwt_sideband_row *v;
	char **strs;		/* owned copies of each row's string */
	char **types;		/* owned type of a row of another type */
	size_t n;
};

/* Sets column c to v unless v is -1 (NULL).  Returns nothing. */
static void set_opt(struct hwt_sideband_row *row, enum hwt_sb_col c,
		    int64_t v)
{
	if (v != -1)
		hwt_sb_set(row, c, v);
}

/* One store record as a row (type named as perf's record of the same
 * meaning; kept by time later).  Returns 0 always. */
static int on_record(void *arg, const struct hwt_store_record *rec)
{
	struct rows *rs = arg;
	struct hwt_sideband_row *row;
	const char *t = rec->type;

	rs->v = hwt_xrealloc(rs->v, (rs->n + 1) * sizeof(*rs->v));
	rs->strs = hwt_xrealloc(rs->strs, (rs->n + 1) * sizeof(*rs->strs));
	rs->types = hwt_xrealloc(rs->types, (rs->n + 1) * sizeof(*rs->types));
	row = &rs->v[rs->n];
	memset(row, 0, sizeof(*row));
	rs->types[rs->n] = NULL;
	rs->strs[rs->n++] = rec->path ? hwt_xstrdup(rec->path) : NULL;
	set_opt(row, HWT_SB_TIME, rec->time);
	set_opt(row, HWT_SB_CPU, rec->cpu);
	set_opt(row, HWT_SB_PID, rec->pid);
	set_opt(row, HWT_SB_TID, rec->tid);
	set_opt(row, HWT_SB_STREAM, rec->stream);
	set_opt(row, HWT_SB_STREAM_OFFSET, rec->stream_offset);
	if (!strcmp(t, "mmap")) {
		row->type = "MMAP2";
		if (rec->has_addr)
			hwt_sb_set(row, HWT_SB_ADDR, rec->addr);
		set_opt(row, HWT_SB_LEN, rec->len);
		set_opt(row, HWT_SB_PGOFF, rec->pgoff);
		set_opt(row, HWT_SB_PROT, rec->prot);
		set_opt(row, HWT_SB_FLAGS, rec->flags);
	} else if (!strcmp(t, "munmap")) {
		row->type = "MUNMAP";
		if (rec->has_addr)
			hwt_sb_set(row, HWT_SB_ADDR, rec->addr);
		set_opt(row, HWT_SB_LEN, rec->len);
	} else if (!strcmp(t, "exec")) {
		row->type = "EXEC";
	} else if (!strcmp(t, "thread_create")) {
		row->type = "FORK";
		set_opt(row, HWT_SB_PPID, rec->addr);
		set_opt(row, HWT_SB_PTID, rec->aux);
		set_opt(row, HWT_SB_FLAGS, rec->flags);
	} else if (!strcmp(t, "thread_exit")) {
		row->type = "EXIT";
		set_opt(row, HWT_SB_EXIT_CODE, rec->aux);
		set_opt(row, HWT_SB_FLAGS, rec->flags);
	} else if (!strcmp(t, "comm")) {
		row->type = "COMM";
		hwt_sb_set(row, HWT_SB_EXEC, 0);
	} else if (!strcmp(t, "switch_in") || !strcmp(t, "switch_out")) {
		/* perf's SWITCH_CPU_WIDE: the record's thread is the one
		 * switched, next_prev the other (-1: idle) */
		row->type = "SWITCH_CPU_WIDE";
		hwt_sb_set(row, HWT_SB_SWITCH_OUT, !strcmp(t, "switch_out"));
		hwt_sb_set(row, HWT_SB_NEXT_PREV_TID, rec->aux);
	} else if (!strcmp(t, "buffer")) {
		/* flags OVERFLOW (1) or GAP (4): trace lost, perf's AUX
		 * truncated */
		row->type = "AUX";
		set_opt(row, HWT_SB_AUX_OFFSET, rec->stream_offset);
		hwt_sb_set(row, HWT_SB_AUX_FLAGS,
			   rec->flags > 0 && (rec->flags & 5) ? 1 : 0);
		set_opt(row, HWT_SB_FLAGS, rec->flags);
		set_opt(row, HWT_SB_LOST, rec->aux);
	} else if (!strcmp(t, "lost")) {
		row->type = "LOST";
		set_opt(row, HWT_SB_LOST, rec->aux);
	} else {		/* a type perf has not: the store's name */
		rs->types[rs->n - 1] = hwt_xstrdup(t);
		row->type = rs->types[rs->n - 1];
	}
	return 0;
}

/* qsort order: by time (no time last), then arrival.  Returns <0, 0, >0. */
static int cmp_row(const void *a, const void *b)
{
	const struct hwt_sideband_row *x = a, *y = b;
	int hx = !!(x->set & (1ull << HWT_SB_TIME));
	int hy = !!(y->set & (1ull << HWT_SB_TIME));

	if (hx != hy)
		return hy - hx;
	if (hx && x->v[HWT_SB_TIME] != y->v[HWT_SB_TIME])
		return x->v[HWT_SB_TIME] < y->v[HWT_SB_TIME] ? -1 : 1;
	/* arrival: HWT_SB_FILE_OFFSET holds it while sorting */
	return x->v[HWT_SB_FILE_OFFSET] < y->v[HWT_SB_FILE_OFFSET] ? -1 : 1;
}

int hwt_session_sideband(struct hwt_store_reader *r, sqlite3 *db, char *err,
			 size_t errlen)
{
	struct rows rs = { NULL, NULL, NULL, 0 };
	struct hwt_sideband *sb = NULL;
	size_t i;
	int rc, unreadable;

	rc = hwt_store_reader_records(r, on_record, &rs, err, errlen);
	if (rc >= 0)
		rc = hwt_store_reader_switches(r, on_record, &rs, err, errlen);
	unreadable = rc < 0;
	/* The strings (path, comm), owned by rs. */
	for (i = 0; i < rs.n; i++) {
		struct hwt_sideband_row *row = &rs.v[i];

		if (!strcmp(row->type, "COMM"))
			row->comm = rs.strs[i];
		else
			row->filename = rs.strs[i];
		/* arrival order, for the sort (not a file offset) */
		row->v[HWT_SB_FILE_OFFSET] = (int64_t)i;
	}
	if (rc >= 0 && rs.n)
		qsort(rs.v, rs.n, sizeof(*rs.v), cmp_row);
	if (unreadable) {	/* the trace decodes without its sideband */
		rs.n = 0;
		rc = 0;
	}
	if (rc >= 0) {
		sb = hwt_sideband_open(db, "session", unreadable ? NULL : err,
				       errlen);
		rc = sb ? 0 : -1;
	}
	for (i = 0; rc >= 0 && i < rs.n; i++)
		rc = hwt_sideband_add(sb, &rs.v[i], err, errlen);
	if (sb && hwt_sideband_close(sb, rc < 0 ? NULL : err, errlen) < 0)
		rc = -1;
	for (i = 0; i < rs.n; i++) {
		free(rs.strs[i]);
		free(rs.types[i]);
	}
	free(rs.strs);
	free(rs.types);
	free(rs.v);
	return rc < 0 ? -1 : unreadable;
}
