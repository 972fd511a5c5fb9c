/* SPDX-License-Identifier: BSD-2-Clause */
/* `hwt report`: top functions by instructions and by calls, call tree. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct node {
	uint64_t id, parent, count, insns;
	const char *name;
};

static int print_top(sqlite3 *db, const char *title, const char *order,
		     int top, FILE *out)
{
	char sql[256];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "SELECT name, calls, insn_count FROM "
		 "function_stats ORDER BY %s DESC, name LIMIT ?", order);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int(st, 1, top);
	fprintf(out, "%s\n%14s %10s  %s\n", title, "instructions", "calls",
		"function");
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(out, "%14lld %10lld  %s\n",
			(long long)sqlite3_column_int64(st, 2),
			(long long)sqlite3_column_int64(st, 1),
			sqlite3_column_text(st, 0));
	fputc('\n', out);
	sqlite3_finalize(st);
	return 0;
}

static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
			       "type = 'table' AND name = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
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
	sqlite3 *db = hwt_db_open_ro(path);
	sqlite3_stmt *st;
	struct node *n = NULL;
	size_t nn = 0, i;
	int budget = 500, rc = 0;

	if (!db)
		return -1;
	if (print_top(db, "Top functions by instructions (self)",
		      "insn_count", top, out) < 0 ||
	    print_top(db, "Top functions by calls", "calls", top, out) < 0) {
		fprintf(stderr, "hwt: report: %s\n", sqlite3_errmsg(db));
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
		fprintf(stderr, "hwt: report: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
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
	fprintf(out, "Call tree (calls, instructions inclusive)\n");
	tree(n, nn, 0, 0, out, &budget);
	if (budget <= 0)
		fprintf(out, "... (truncated)\n");
	for (i = 0; i < nn; i++)
		free((char *)n[i].name);
	free(n);
	sqlite3_close(db);
	return rc;
}
