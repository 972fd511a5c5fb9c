/* SPDX-License-Identifier: BSD-2-Clause */
/* `hwt report`: top functions by instructions and by calls, call tree. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"

struct node {
	uint64_t id, parent, count, insns;
	const char *name;
};

static struct hwt_sqlite_budget report_budget;

/* A step loop's end: SQLITE_DONE, or a loud failure (never "no more
 * rows").  0 or -1. */
static int loop_end(sqlite3 *db, int rc)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt: report: %s\n",
		hwt_sqlite_errmsg(db, &report_budget, why, sizeof(why)));
	return -1;
}

static int print_top(sqlite3 *db, const char *title, const char *order,
		     int top, FILE *out)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	/* function_stats is a view, which a database from someone else can
	 * redefine (as an endless recursive CTE...): its definition is
	 * spelled out here, over tables checked to be tables. */
	snprintf(sql, sizeof(sql), "SELECT s.name AS name, SUM(st.calls) AS "
		 "calls, SUM(st.insn_count) AS insn_count FROM symbol_stats st"
		 " JOIN symbols s ON s.id = st.symbol_id GROUP BY s.name "
		 "ORDER BY %s DESC, name LIMIT ?", order);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR);
	sqlite3_bind_int(st, 1, top);
	fprintf(out, "%s\n%14s %10s  %s\n", title, "instructions", "calls",
		"function");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		fprintf(out, "%14lld %10lld  %s\n",
			(long long)sqlite3_column_int64(st, 2),
			(long long)sqlite3_column_int64(st, 1),
			name ? name : "?");
	}
	fputc('\n', out);
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

static int has_table(sqlite3 *db, const char *name)
{
	const char *const names[] = { name, NULL };

	return !hwt_sqlite_check_tables(db, names, NULL, 0);
}

static void tree(const struct node *n, size_t nn, uint64_t parent, int depth,
		 FILE *out, int *budget)
{
	size_t i;

	if (depth > 64)
		return;
	for (i = 0; i < nn && *budget > 0; i++) {
		if (n[i].parent != parent || n[i].id == parent)
			continue;
		(*budget)--;
		fprintf(out, "%*s%-*s %8llu calls %12llu insns\n", 2 * depth,
			"", 40 - 2 * (depth < 20 ? depth : 20), n[i].name,
			(unsigned long long)n[i].count,
			(unsigned long long)n[i].insns);
		tree(n, nn, n[i].id, depth + 1, out, budget);
	}
}

int hwt_report(const char *path, int top, FILE *out)
{
	static const char *const tables[] = { "meta", "symbols",
		"symbol_stats", "call_paths", "calls", NULL };
	sqlite3 *db = hwt_db_open_ro(path, &report_budget, tables);
	sqlite3_stmt *st;
	struct node *n = NULL;
	size_t nn = 0, i;
	int lines = 500, rc = 0, step;

	if (!db)
		return -1;
	if (print_top(db, "Top functions by instructions (self)",
		      "insn_count", top, out) < 0 ||
	    print_top(db, "Top functions by calls", "calls", top, out) < 0) {
		sqlite3_close(db);
		return -1;
	}
	/* Call tree: per call path, how often and how many instructions
	 * (inclusive). */
	/* call_path_stats has the counts with or without call rows (a
	 * database of an older hwt has only the rows). */
	if (sqlite3_prepare_v2(db, has_table(db, "call_path_stats") ?
			       "SELECT p.id, p.parent_id, "
			       "CASE WHEN p.symbol_id = 0 THEN printf('%#x', "
			       "p.ip) ELSE s.name END, "
			       "COALESCE(SUM(c.calls), 0), "
			       "COALESCE(SUM(c.insn_count), 0) FROM call_paths p "
			       "JOIN symbols s ON s.id = p.symbol_id LEFT JOIN "
			       "call_path_stats c ON c.call_path_id = p.id "
			       "WHERE p.id != 0 GROUP BY p.id ORDER BY 5 DESC" :
			       "SELECT p.id, p.parent_id, "
			       "CASE WHEN p.symbol_id = 0 THEN printf('%#x', "
			       "p.ip) ELSE s.name END, COUNT(c.id), "
			       "COALESCE(SUM(c.insn_count), 0) FROM call_paths p "
			       "JOIN symbols s ON s.id = p.symbol_id LEFT JOIN "
			       "calls c ON c.call_path_id = p.id WHERE p.id != 0 "
			       "GROUP BY p.id ORDER BY 5 DESC", -1, &st, NULL) !=
	    SQLITE_OK) {
		loop_end(db, SQLITE_ERROR);
		sqlite3_close(db);
		return -1;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 2);

		n = hwt_xrealloc(n, (nn + 1) * sizeof(*n));
		n[nn].id = (uint64_t)sqlite3_column_int64(st, 0);
		n[nn].parent = (uint64_t)sqlite3_column_int64(st, 1);
		n[nn].name = hwt_xstrdup(name ? name : "?");
		n[nn].count = (uint64_t)sqlite3_column_int64(st, 3);
		n[nn].insns = (uint64_t)sqlite3_column_int64(st, 4);
		nn++;
	}
	sqlite3_finalize(st);
	if (loop_end(db, step))
		rc = -1;
	fprintf(out, "Call tree (calls, instructions inclusive)\n");
	tree(n, nn, 0, 0, out, &lines);
	if (lines <= 0)
		fprintf(out, "... (truncated)\n");
	for (i = 0; i < nn; i++)
		free((char *)n[i].name);
	free(n);
	sqlite3_close(db);
	return rc;
}
