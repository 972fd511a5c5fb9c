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

/* One function of the report: its name, calls, instructions (self) and,
 * with children, inclusive. */
struct func {
	char *name;
	uint64_t calls, self, total;
};

static int by_self(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_calls(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_total(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
	const struct func *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/*
 * The functions of one thread (thread_id >= 0) or all, with their calls
 * and self instructions.  function_stats is a view, which a database
 * from someone else can redefine (as an endless recursive CTE...): its
 * definition is spelled out here, over tables checked to be tables.
 * Returns 0 with *f, *nf set, or -1 (message on stderr).
 */
static int load_funcs(sqlite3 *db, int64_t thread_id, struct func **f,
		      size_t *nf)
{
	sqlite3_stmt *st;
	int rc;

	*f = NULL;
	*nf = 0;
	if (sqlite3_prepare_v2(db, "SELECT s.name, SUM(st.calls), "
			       "SUM(st.insn_count) FROM symbol_stats st JOIN "
			       "symbols s ON s.id = st.symbol_id WHERE ?1 < 0 "
			       "OR st.thread_id = ?1 GROUP BY s.name", -1, &st,
			       NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR);
	sqlite3_bind_int64(st, 1, thread_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		*f = hwt_xrealloc(*f, (*nf + 1) * sizeof(**f));
		(*f)[*nf].name = hwt_xstrdup(name ? name : "?");
		(*f)[*nf].calls = (uint64_t)sqlite3_column_int64(st, 1);
		(*f)[*nf].self = (uint64_t)sqlite3_column_int64(st, 2);
		(*f)[*nf].total = 0;
		(*nf)++;
	}
	sqlite3_finalize(st);
	return loop_end(db, rc);
}

static int node_by_id(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int node_by_insns(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	if (x->insns != y->insns)
		return x->insns > y->insns ? -1 : 1;
	return node_by_id(a, b);
}

static struct node *find_node(struct node *n, size_t nn, uint64_t id)
{
	struct node key = { .id = id };

	return bsearch(&key, n, nn, sizeof(*n), node_by_id);
}

/*
 * Inclusive instructions per function (perf report --children): each
 * call path's instructions (call_path_stats, inclusive) count for its
 * function unless an ancestor path is the same function (recursion is
 * counted once, at its outermost frame).  n: the call paths, sorted by
 * id here.
 */
static void add_totals(struct node *n, size_t nn, struct func *f, size_t nf)
{
	size_t i, depth;

	qsort(n, nn, sizeof(*n), node_by_id);
	qsort(f, nf, sizeof(*f), by_name);
	for (i = 0; i < nn; i++) {
		struct node *up = find_node(n, nn, n[i].parent);
		struct func key = { .name = (char *)n[i].name }, *fn;

		for (depth = 0; up && up->id && depth < 100000; depth++) {
			if (!strcmp(up->name, n[i].name))
				break;
			up = up->parent != up->id ?
			     find_node(n, nn, up->parent) : NULL;
		}
		if (up && up->id)
			continue;	/* an outer frame of the same function */
		fn = bsearch(&key, f, nf, sizeof(*f), by_name);
		if (fn)
			fn->total += n[i].insns;
	}
}

static void print_funcs(struct func *f, size_t nf, int (*cmp)(const void *,
			const void *), const char *title, int top,
			int children, uint64_t all, FILE *out)
{
	double pc = all ? 100.0 / (double)all : 0;
	size_t i;

	qsort(f, nf, sizeof(*f), cmp);
	fprintf(out, "%s\n%14s %7s ", title, "instructions", "%");
	if (children)
		fprintf(out, "%14s %7s ", "children", "%");
	fprintf(out, "%10s  %s\n", "calls", "function");
	for (i = 0; i < nf && i < (size_t)top; i++) {
		fprintf(out, "%14llu %6.2f%% ", (unsigned long long)f[i].self,
			(double)f[i].self * pc);
		if (children)
			fprintf(out, "%14llu %6.2f%% ",
				(unsigned long long)f[i].total,
				(double)f[i].total * pc);
		fprintf(out, "%10llu  %s\n", (unsigned long long)f[i].calls,
			f[i].name);
	}
	fputc('\n', out);
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

/* The threads row of tid, or -2 if the trace has no such thread. */
static int64_t thread_row(sqlite3 *db, int64_t tid)
{
	sqlite3_stmt *st;
	int64_t id = -2;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id FROM threads WHERE tid = ? "
			       "ORDER BY id LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK) {
		loop_end(db, SQLITE_ERROR);
		return -3;
	}
	sqlite3_bind_int64(st, 1, tid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return loop_end(db, rc) < 0 ? -3 : id;
}

int hwt_report(const char *path, const struct hwt_report_opts *o, FILE *out)
{
	static const char *const tables[] = { "meta", "symbols",
		"symbol_stats", "call_paths", "calls", "threads", NULL };
	sqlite3 *db = hwt_db_open_ro(path, &report_budget, tables);
	sqlite3_stmt *st;
	struct node *n = NULL;
	struct func *f = NULL;
	size_t nn = 0, nf = 0, i;
	int64_t thread_id = -1;
	uint64_t all = 0;
	int lines = 500, rc = 0, step, stats;
	char title[160];

	if (!db)
		return -1;
	if (o->tid >= 0) {
		thread_id = thread_row(db, o->tid);
		if (thread_id == -2)
			fprintf(stderr, "hwt: report: no thread %lld in %s\n",
				(long long)o->tid, path);
		if (thread_id < 0) {
			sqlite3_close(db);
			return -1;
		}
	}
	if (load_funcs(db, thread_id, &f, &nf) < 0) {
		sqlite3_close(db);
		return -1;
	}
	for (i = 0; i < nf; i++)
		all += f[i].self;
	/* Call paths: per path, how often and how many instructions
	 * (inclusive).  call_path_stats has the counts with or without
	 * call rows (a database of an older hwt has only the rows). */
	stats = has_table(db, "call_path_stats");
	if (sqlite3_prepare_v2(db, stats ?
			       "SELECT p.id, p.parent_id, "
			       "CASE WHEN p.symbol_id = 0 THEN printf('%#x', "
			       "p.ip) ELSE s.name END, "
			       "COALESCE(SUM(c.calls), 0), "
			       "COALESCE(SUM(c.insn_count), 0) FROM call_paths p "
			       "JOIN symbols s ON s.id = p.symbol_id LEFT JOIN "
			       "call_path_stats c ON c.call_path_id = p.id AND "
			       "(?1 < 0 OR c.thread_id = ?1) "
			       "WHERE p.id != 0 GROUP BY p.id ORDER BY 5 DESC" :
			       "SELECT p.id, p.parent_id, "
			       "CASE WHEN p.symbol_id = 0 THEN printf('%#x', "
			       "p.ip) ELSE s.name END, COUNT(c.id), "
			       "COALESCE(SUM(c.insn_count), 0) FROM call_paths p "
			       "JOIN symbols s ON s.id = p.symbol_id LEFT JOIN "
			       "calls c ON c.call_path_id = p.id AND "
			       "(?1 < 0 OR c.thread_id = ?1) WHERE p.id != 0 "
			       "GROUP BY p.id ORDER BY 5 DESC", -1, &st, NULL) !=
	    SQLITE_OK) {
		loop_end(db, SQLITE_ERROR);
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, thread_id);
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
	if (loop_end(db, step)) {
		rc = -1;
		goto out;
	}
	snprintf(title, sizeof(title), " (%llu instructions%s)",
		 (unsigned long long)all, thread_id >= 0 ? ", one thread" :
		 "");
	switch (o->sort) {
	case HWT_REPORT_SORT_DEFAULT:
		if (o->children) {
			add_totals(n, nn, f, nf);
			print_funcs(f, nf, by_total, "Top functions by "
				    "instructions with children", o->top, 1,
				    all, out);
		}
		print_funcs(f, nf, by_self, "Top functions by instructions "
			    "(self)", o->top, o->children, all, out);
		print_funcs(f, nf, by_calls, "Top functions by calls", o->top,
			    o->children, all, out);
		break;
	case HWT_REPORT_SORT_TOTAL:
		add_totals(n, nn, f, nf);
		print_funcs(f, nf, by_total, "Functions by instructions with "
			    "children", o->top, 1, all, out);
		break;
	default:
		if (o->children)
			add_totals(n, nn, f, nf);
		print_funcs(f, nf, o->sort == HWT_REPORT_SORT_CALLS ?
			    by_calls : o->sort == HWT_REPORT_SORT_NAME ?
			    by_name : by_self, o->sort ==
			    HWT_REPORT_SORT_CALLS ? "Functions by calls" :
			    o->sort == HWT_REPORT_SORT_NAME ? "Functions by "
			    "name" : "Functions by instructions (self)",
			    o->top, o->children, all, out);
		break;
	}
	/* The tree prints siblings in the nodes' order: by instructions
	 * (add_totals sorted them by id). */
	qsort(n, nn, sizeof(*n), node_by_insns);
	fprintf(out, "Call tree (calls, instructions inclusive)%s\n", title);
	tree(n, nn, 0, 0, out, &lines);
	if (lines <= 0)
		fprintf(out, "... (truncated)\n");
out:
	for (i = 0; i < nn; i++)
		free((char *)n[i].name);
	free(n);
	for (i = 0; i < nf; i++)
		free(f[i].name);
	free(f);
	sqlite3_close(db);
	return rc;
}
