/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt replay --calls`: the call trace, one line per call in the order
 * the calls were made, indented by call depth (what `perf script
 * --call-trace` shows): the instruction index the call was made at, the
 * trace's time where it has one, the callee, and the instructions the
 * call took with its callees.  Per thread; --thread keeps one, --func
 * only the calls of NAME and what they called.
 *
 * Depth comes from the calls' instruction intervals (a call lies inside
 * every call still open when it starts), not from parent ids, so a
 * damaged database cannot make it loop.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "hwt/decode.h"

#define MAX_DEPTH	4096	/* deeper calls print at this indent */

static struct hwt_sqlite_budget calls_budget;

int hwt_replay_calls(const char *path, const struct hwt_calls_opts *o,
		     FILE *out)
{
	static const char *const tables[] = { "meta", "symbols", "threads",
		"call_paths", "calls", NULL };
	sqlite3 *db = hwt_db_open_ro(path, &calls_budget, tables);
	uint64_t ends[MAX_DEPTH];
	int64_t tid = INT64_MIN;
	size_t depth = 0, func_depth = 0;
	int in_func = 0, step, rc = -1;
	uint64_t lines = 0;
	sqlite3_stmt *st;
	char why[256];

	if (!db)
		return -1;
	/* Calls by thread, then start; an enclosing call (same start, later
	 * end) before the calls it made. */
	if (sqlite3_prepare_v2(db, "SELECT t.tid, c.call_insn, c.return_insn,"
			       " c.call_time, s.name, p.ip, c.insn_count FROM"
			       " calls c JOIN threads t ON t.id = c.thread_id"
			       " JOIN call_paths p ON p.id = c.call_path_id"
			       " LEFT JOIN symbols s ON s.id = p.symbol_id AND"
			       " p.symbol_id != 0 WHERE ?1 < 0 OR t.tid = ?1"
			       " ORDER BY t.tid, c.thread_id, c.call_insn,"
			       " c.return_insn DESC, c.id", -1, &st,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "hwt replay: %s\n", hwt_sqlite_errmsg(db,
			&calls_budget, why, sizeof(why)));
		goto out;
	}
	sqlite3_bind_int64(st, 1, o->tid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(st, 0);
		uint64_t b = (uint64_t)sqlite3_column_int64(st, 1);
		uint64_t e = (uint64_t)sqlite3_column_int64(st, 2);
		uint64_t when = (uint64_t)sqlite3_column_int64(st, 3);
		const char *name = (const char *)sqlite3_column_text(st, 4);
		char addr[32];
		size_t indent;

		if (t != tid) {
			tid = t;
			depth = 0;
			in_func = 0;
			fprintf(out, "%stid %" PRId64 ":\n", lines ? "\n" : "",
				t);
			lines++;
		}
		/* Close the calls that returned before this one began. */
		while (depth && b >= ends[depth - 1]) {
			depth--;
			if (in_func && depth < func_depth)
				in_func = 0;
		}
		if (!name) {
			snprintf(addr, sizeof(addr), "%#" PRIx64,
				 (uint64_t)sqlite3_column_int64(st, 5));
			name = addr;
		}
		if (o->func && !in_func && !strcmp(name, o->func)) {
			in_func = 1;
			func_depth = depth;
		}
		indent = depth < MAX_DEPTH ? depth : MAX_DEPTH;
		if (!o->func || in_func) {
			indent -= o->func ? func_depth : 0;
			fprintf(out, "%10" PRIu64, b);
			if (when)
				fprintf(out, " %16" PRIu64, when);
			fprintf(out, "  %*s%s [%" PRId64 "]\n", (int)(2 * indent),
				"", name, (int64_t)sqlite3_column_int64(st, 6));
			lines++;
		}
		if (depth < MAX_DEPTH)
			ends[depth] = e > b ? e : b + 1;
		else
			ends[MAX_DEPTH - 1] = e > ends[MAX_DEPTH - 1] ? e :
					      ends[MAX_DEPTH - 1];
		if (depth < MAX_DEPTH)
			depth++;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		fprintf(stderr, "hwt replay: %s\n", hwt_sqlite_errmsg(db,
			&calls_budget, why, sizeof(why)));
		goto out;
	}
	if (!lines && o->tid >= 0) {
		fprintf(stderr, "hwt replay: %s: no calls of thread %" PRId64
			"\n", path, o->tid);
		goto out;
	}
	rc = fflush(out) ? -1 : 0;
out:
	sqlite3_close(db);
	return rc;
}
