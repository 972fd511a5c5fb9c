/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt export --perfetto`: a decoded database as Chrome trace-event JSON
 * (the format ui.perfetto.dev and chrome://tracing open): one track per
 * thread (pid, tid), a complete ("X") slice per call with the callee's
 * name, instant ("i") events at every gap or decode error, where tracing
 * was off ("[trace off]" slices where that range has a length on the
 * clock, else instants: a system call on the instruction clock) and where
 * an interrupt or exception struck, and metadata naming the process and
 * threads.
 *
 * The clock: instructions (each call's call_insn / return_insn, the
 * index in its thread's stream; shown as microseconds, 1 us = one
 * instruction), which every trace has and which is exact; or the trace's
 * own timestamps (calls.call_time / return_time: TSC, or what the trace
 * unit gave), where it has them.  Slices shorter than min_duration are
 * left out, and at most max_events events are written: the cut is said
 * in the file (a metadata event) and on stderr.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "hwt/decode.h"

static struct hwt_sqlite_budget timeline_budget;

/* The end of a step loop.
 * Returns 0 if rc is SQLITE_DONE.
 * Returns -1 (the reason on stderr) if not. */
static int loop_end(sqlite3 *db, int rc)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt export: %s\n",
		hwt_sqlite_errmsg(db, &timeline_budget, why, sizeof(why)));
	return -1;
}

/* s as a JSON string body (quotes not included). */
static void json_str(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);	/* bytes as Latin-1 */
		else
			fputc(c, out);
	}
}

struct tl {
	FILE *out;
	uint64_t events, max, cut;
	int first;
};

/* Starts one event object ("{" with the separator before it).
 * Returns 1 if it may be written, 0 if the limit cut it. */
static int event(struct tl *t)
{
	if (t->max && t->events >= t->max) {
		t->cut++;
		return 0;
	}
	fputs(t->first ? "\n{" : ",\n{", t->out);
	t->first = 0;
	t->events++;
	return 1;
}

static int threads(sqlite3 *db, struct tl *t, const char *comm)
{
	int64_t last_pid = 0;
	sqlite3_stmt *st;
	int rc, seen = 0;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT pid, tid FROM threads"
			       " WHERE id IN (SELECT thread_id FROM calls)"
			       " ORDER BY pid, tid", -1, &st, NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pid = (int64_t)sqlite3_column_int64(st, 0);
		int64_t tid = (int64_t)sqlite3_column_int64(st, 1);
		int new_pid = !seen || pid != last_pid;

		seen = 1;
		last_pid = pid;
		if (event(t)) {
			fprintf(t->out, "\"ph\":\"M\",\"name\":\"thread_name\","
				"\"pid\":%" PRId64 ",\"tid\":%" PRId64 ","
				"\"args\":{\"name\":\"tid %" PRId64 "\"}}",
				pid, tid, tid);
		}
		if (new_pid && comm && event(t)) {
			fprintf(t->out, "\"ph\":\"M\",\"name\":\"process_name\","
				"\"pid\":%" PRId64 ",\"tid\":%" PRId64 ","
				"\"args\":{\"name\":\"", pid, tid);
			json_str(t->out, comm);
			fputs("\"}}", t->out);
		}
	}
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

static int slices(sqlite3 *db, struct tl *t,
		  const struct hwt_timeline_opts *o)
{
	sqlite3_stmt *st;
	char sql[512];
	int rc;

	/* One query for either clock, its two columns named; parents before
	 * children at equal start (by start, then longest first), which is
	 * how the viewers nest slices. */
	snprintf(sql, sizeof(sql), "SELECT t.pid, t.tid, c.%s, c.%s, s.name,"
		 " p.ip, c.insn_count, c.flags FROM calls c JOIN threads t ON"
		 " t.id = c.thread_id JOIN call_paths p ON p.id ="
		 " c.call_path_id LEFT JOIN symbols s ON s.id = p.symbol_id"
		 " AND p.symbol_id != 0 ORDER BY t.pid, t.tid, 3, 4 DESC, c.id",
		 o->clock_time ? "call_time" : "call_insn",
		 o->clock_time ? "return_time" : "return_insn");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t b = (int64_t)sqlite3_column_int64(st, 2);
		int64_t e = (int64_t)sqlite3_column_int64(st, 3);
		const char *name = (const char *)sqlite3_column_text(st, 4);
		char addr[32];

		if (e < b || (uint64_t)(e - b) < o->min_duration)
			continue;
		if (!event(t))
			continue;
		if (!name) {
			snprintf(addr, sizeof(addr), "%#" PRIx64,
				 (uint64_t)sqlite3_column_int64(st, 5));
			name = addr;
		}
		fprintf(t->out, "\"ph\":\"X\",\"pid\":%" PRId64 ",\"tid\":%"
			PRId64 ",\"ts\":%" PRId64 ",\"dur\":%" PRId64
			",\"name\":\"", (int64_t)sqlite3_column_int64(st, 0),
			(int64_t)sqlite3_column_int64(st, 1), b, e - b);
		json_str(t->out, name);
		fprintf(t->out, "\",\"args\":{\"instructions\":%" PRId64
			",\"flags\":%" PRId64 "}}",
			(int64_t)sqlite3_column_int64(st, 6),
			(int64_t)sqlite3_column_int64(st, 7));
	}
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

/* Gaps and decode errors as instant events on their thread's track (the
 * instruction clock only: an error row has no timestamp). */
static int gaps(sqlite3 *db, struct tl *t)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT COALESCE(t.pid, -1),"
			       " COALESCE(t.tid, s.tid), e.insn_index, e.kind,"
			       " e.message FROM errors e JOIN streams s ON"
			       " s.id = e.stream_id LEFT JOIN threads t ON"
			       " t.id = s.thread_id ORDER BY e.id", -1, &st,
			       NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!event(t))
			continue;
		fprintf(t->out, "\"ph\":\"i\",\"s\":\"t\",\"pid\":%" PRId64
			",\"tid\":%" PRId64 ",\"ts\":%" PRId64 ",\"name\":\"",
			(int64_t)sqlite3_column_int64(st, 0),
			(int64_t)sqlite3_column_int64(st, 1),
			(int64_t)sqlite3_column_int64(st, 2));
		json_str(t->out, (const char *)sqlite3_column_text(st, 3));
		fputs("\",\"args\":{\"message\":\"", t->out);
		json_str(t->out, (const char *)sqlite3_column_text(st, 4));
		fputs("\"}}", t->out);
	}
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

/* One trace-off range [b, e) of a thread's track: a complete slice
 * "[trace off]" where it has a length on the chosen clock, else an
 * instant event (on the instruction clock a range while nothing was
 * traced has none). */
static void off_range(struct tl *t, int64_t pid, int64_t tid, int64_t b,
		      int64_t e, const struct hwt_timeline_opts *o)
{
	if (e > b && (uint64_t)(e - b) < o->min_duration)
		return;
	if (!event(t))
		return;
	if (e > b)
		fprintf(t->out, "\"ph\":\"X\",\"pid\":%" PRId64 ",\"tid\":%"
			PRId64 ",\"ts\":%" PRId64 ",\"dur\":%" PRId64
			",\"name\":\"[trace off]\",\"cat\":\"trace\","
			"\"args\":{\"instructions\":0}}", pid, tid, b, e - b);
	else
		fprintf(t->out, "\"ph\":\"i\",\"s\":\"t\",\"pid\":%" PRId64
			",\"tid\":%" PRId64 ",\"ts\":%" PRId64 ",\"name\":"
			"\"trace off\",\"cat\":\"trace\"}", pid, tid, b);
}

/*
 * The events table (newer decodes): where tracing was off (from "off" to
 * the next "on" of the stream: a system call, a filter's edge) and
 * where an interrupt or exception struck, on the chosen clock.
 * Returns 0 if written (or the table is absent); -1 on an SQLite error.
 */
static int trace_events(sqlite3 *db, struct tl *t,
			const struct hwt_timeline_opts *o)
{
	int64_t stream = -1, off_at = 0, pid = 0, tid = 0;
	sqlite3_stmt *st;
	int rc, off = 0;

	if (sqlite3_prepare_v2(db, "SELECT e.stream_id, COALESCE(th.pid, -1),"
			       " COALESCE(th.tid, s.tid), e.kind,"
			       " e.insn_index, e.time FROM events e JOIN"
			       " streams s ON s.id = e.stream_id LEFT JOIN"
			       " threads th ON th.id = s.thread_id ORDER BY"
			       " e.stream_id, e.insn_index, e.rowid", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;	/* decoded before the events table */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 3);
		int64_t at = sqlite3_column_int64(st, o->clock_time ? 5 : 4);

		if (sqlite3_column_int64(st, 0) != stream) {
			if (off)
				off_range(t, pid, tid, off_at, off_at, o);
			stream = sqlite3_column_int64(st, 0);
			off = 0;
		}
		pid = sqlite3_column_int64(st, 1);
		tid = sqlite3_column_int64(st, 2);
		if (!kind)
			continue;
		if (!strcmp(kind, "off") && !off) {
			off = 1;
			off_at = at;
		} else if (!strcmp(kind, "on") && off) {
			off_range(t, pid, tid, off_at, at, o);
			off = 0;
		} else if (!strcmp(kind, "async") && event(t)) {
			fprintf(t->out, "\"ph\":\"i\",\"s\":\"t\",\"pid\":%"
				PRId64 ",\"tid\":%" PRId64 ",\"ts\":%" PRId64
				",\"name\":\"interrupt or exception\",\"cat\":"
				"\"trace\"}", pid, tid, at);
		}
	}
	if (off)
		off_range(t, pid, tid, off_at, off_at, o);
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

/* The traced program's name, for the process track; NULL if unknown. */
static char *comm_of(sqlite3 *db)
{
	sqlite3_stmt *st;
	char *comm = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT comm FROM comms ORDER BY id"
			       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    *sqlite3_column_text(st, 0))
		comm = hwt_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return comm;
}

int hwt_timeline_json(const char *path, const struct hwt_timeline_opts *o,
		      FILE *out)
{
	static const char *const tables[] = { "meta", "symbols", "threads",
		"comms", "call_paths", "calls", "errors", "streams", NULL };
	struct tl t = { .out = out, .first = 1 };
	char *comm;
	sqlite3 *db;
	int rc;

	db = hwt_db_open_ro(path, &timeline_budget, tables);
	if (!db)
		return -1;
	t.max = o->max_events;
	comm = comm_of(db);
	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"clock\":"
		"\"%s\"},\"traceEvents\":[", o->clock_time ?
		"trace timestamps" : "instructions (1 us = 1 instruction)");
	rc = threads(db, &t, comm);
	if (!rc)
		rc = slices(db, &t, o);
	if (!rc && !o->clock_time)
		rc = gaps(db, &t);
	if (!rc)
		rc = trace_events(db, &t, o);
	if (!rc && t.cut) {
		/* Said in the file as well, past the limit on purpose. */
		fprintf(out, "%s{\"ph\":\"M\",\"name\":\"hwt_cut\",\"pid\":0,"
			"\"tid\":0,\"args\":{\"events_left_out\":%" PRIu64 "}}",
			t.first ? "\n" : ",\n", t.cut);
		fprintf(stderr, "hwt export: %" PRIu64 " events left out"
			" (--max-events %" PRIu64 ")\n", t.cut, t.max);
	}
	fputs("\n]}\n", out);
	free(comm);
	sqlite3_close(db);
	if (!rc && fflush(out)) {
		fprintf(stderr, "hwt export: write failed\n");
		rc = -1;
	}
	return rc;
}
