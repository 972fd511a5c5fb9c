/* SPDX-License-Identifier: BSD-2-Clause */
/* The sideband table's schema and writer (sideband.h, docs/schema.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt_err.h"
#include "core/util.h"
#include "db/sideband.h"

/* The integer columns, in enum hwt_sb_col order. */
static const char *const int_cols[HWT_SB_NINT] = {
	"file_offset", "misc", "time", "cpu", "pid", "tid", "ppid", "ptid",
	"addr", "len", "pgoff", "prot", "flags", "maj", "min", "ino",
	"ino_generation", "exec", "switch_out", "preempt", "next_prev_pid",
	"next_prev_tid", "aux_offset", "aux_size", "aux_flags", "reference",
	"idx", "lost", "ip", "period", "sample_id", "time_shift", "time_mult",
	"time_zero", "time_cycles", "time_mask", "cap_user_time_zero",
	"cap_user_time_short", "hw_id", "auxtrace_type", "exit_code",
	"stream", "stream_offset",
};

/* The trace start/stop events: ITRACE_START, AUX records that lost or
 * overwrote data, context switches, LOST and EXIT (docs/schema.md). */
static const char views[] =
"CREATE VIEW trace_events AS\n"
"  SELECT * FROM (SELECT id, source, time, cpu, pid, tid,\n"
"    CASE WHEN type = 'ITRACE_START' THEN 'start'\n"
"         WHEN type = 'AUX' AND aux_flags & 1 THEN 'truncated'\n"
"         WHEN type = 'AUX' AND aux_flags & 4 THEN 'partial'\n"
"         WHEN type = 'AUX' AND aux_flags & 8 THEN 'collision'\n"
"         WHEN type = 'AUX' AND aux_flags & 2 THEN 'overwrite'\n"
"         WHEN type IN ('SWITCH', 'SWITCH_CPU_WIDE') AND switch_out\n"
"           THEN 'switch_out'\n"
"         WHEN type IN ('SWITCH', 'SWITCH_CPU_WIDE') THEN 'switch_in'\n"
"         WHEN type IN ('LOST', 'LOST_SAMPLES') THEN 'lost'\n"
"         WHEN type = 'EXIT' THEN 'exit'\n"
"    END AS event, next_prev_pid, next_prev_tid, aux_offset, aux_size,\n"
"    aux_flags, lost\n"
"  FROM sideband) WHERE event IS NOT NULL;\n"
"ALTER TABLE comms ADD COLUMN thread_id INTEGER;\n"
"ALTER TABLE comms ADD COLUMN time INTEGER;\n"
"ALTER TABLE comms ADD COLUMN exec INTEGER;\n";

/* Threads the rows name and threads lacks, first named first; then a
 * comms row per COMM row.  pid of a tid: its first row's. */
static const char fill_sql[] =
"INSERT INTO threads (pid, tid)\n"
"  SELECT pid, tid FROM (SELECT pid, tid, min(id) AS first FROM (\n"
"    SELECT pid, tid, id FROM sideband WHERE type IN ('COMM', 'FORK',\n"
"      'EXIT', 'ITRACE_START', 'SWITCH', 'SWITCH_CPU_WIDE', 'SAMPLE')\n"
"    UNION ALL SELECT ppid, ptid, id FROM sideband\n"
"      WHERE type IN ('FORK', 'EXIT')\n"
"    UNION ALL SELECT next_prev_pid, next_prev_tid, id FROM sideband\n"
"      WHERE type = 'SWITCH_CPU_WIDE')\n"
"    WHERE tid IS NOT NULL AND tid >= 0 GROUP BY tid)\n"
"  WHERE tid NOT IN (SELECT tid FROM threads) ORDER BY first;\n"
"INSERT INTO comms (comm, thread_id, time, exec)\n"
"  SELECT s.comm, (SELECT t.id FROM threads t WHERE t.tid = s.tid\n"
"                  ORDER BY t.id LIMIT 1), s.time, s.exec\n"
"  FROM sideband s WHERE s.type = 'COMM' ORDER BY s.id;\n";

struct hwt_sideband {
	sqlite3 *db;
	sqlite3_stmt *st;
	char *source;
};

void hwt_sb_set(struct hwt_sideband_row *r, enum hwt_sb_col c, int64_t v)
{
	r->set |= 1ull << c;
	r->v[c] = v;
}

/* Returns 0 if: sql ran; -1 with err set if: it failed. */
static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hwt_errf(err, errlen, "sqlite: sideband: %s",
			 msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int hwt_sideband_schema(sqlite3 *db, char *err, size_t errlen)
{
	char sql[2048];
	size_t n, i;

	n = (size_t)snprintf(sql, sizeof(sql), "CREATE TABLE sideband (id "
			     "INTEGER PRIMARY KEY, source TEXT, type TEXT "
			     "NOT NULL");
	for (i = 0; i < HWT_SB_NINT; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s INTEGER",
				      int_cols[i]);
	snprintf(sql + n, sizeof(sql) - n, ", filename TEXT, build_id TEXT, "
		 "comm TEXT);");
	if (exec(db, sql, err, errlen) < 0)
		return -1;
	return exec(db, views, err, errlen);
}

struct hwt_sideband *hwt_sideband_open(sqlite3 *db, const char *source,
				       char *err, size_t errlen)
{
	struct hwt_sideband *sb;
	char sql[2048];
	size_t n, i;

	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO sideband (source, "
			     "type");
	for (i = 0; i < HWT_SB_NINT; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s",
				      int_cols[i]);
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", filename, build_id, "
			      "comm) VALUES (?, ?");
	for (i = 0; i < HWT_SB_NINT + 3; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", ?");
	snprintf(sql + n, sizeof(sql) - n, ")");
	sb = hwt_xrealloc(NULL, sizeof(*sb));
	memset(sb, 0, sizeof(*sb));
	sb->db = db;
	if (sqlite3_prepare_v2(db, sql, -1, &sb->st, NULL) != SQLITE_OK) {
		hwt_errf(err, errlen, "sqlite: sideband: %s",
			 sqlite3_errmsg(db));
		sqlite3_finalize(sb->st);
		free(sb);
		return NULL;
	}
	sb->source = hwt_xstrdup(source);
	return sb;
}

/* Binds s (NULL: NULL) to parameter i.  Returns nothing. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int hwt_sideband_add(struct hwt_sideband *sb, const struct hwt_sideband_row *r,
		     char *err, size_t errlen)
{
	sqlite3_stmt *st = sb->st;
	int i, rc;

	bind_text(st, 1, sb->source);
	bind_text(st, 2, r->type);
	for (i = 0; i < HWT_SB_NINT; i++) {
		if (r->set & (1ull << i))
			sqlite3_bind_int64(st, 3 + i, (sqlite3_int64)r->v[i]);
		else
			sqlite3_bind_null(st, 3 + i);
	}
	bind_text(st, 3 + HWT_SB_NINT, r->filename);
	bind_text(st, 4 + HWT_SB_NINT, r->build_id);
	bind_text(st, 5 + HWT_SB_NINT, r->comm);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return hwt_errf(err, errlen, "sqlite: sideband %s row: %s",
				r->type, sqlite3_errmsg(sb->db));
	return 0;
}

int hwt_sideband_close(struct hwt_sideband *sb, char *err, size_t errlen)
{
	int rc;

	if (!sb)
		return 0;
	sqlite3_finalize(sb->st);
	rc = exec(sb->db, fill_sql, err, errlen);
	free(sb->source);
	free(sb);
	return rc;
}
