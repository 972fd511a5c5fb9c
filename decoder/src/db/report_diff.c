/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt report --diff A.db B.db`: per function, calls and instructions
 * (self) of two decoded runs side by side with the change, the largest
 * changes in instructions first, and the totals.  A function present in
 * one run only shows 0 in the other.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "hwt/decode.h"

#define MAX_FUNCS	(1u << 24)

struct fn {
	char *name;
	int64_t calls[2], insns[2];
};

struct fns {
	struct fn *v;
	size_t n, cap;
};

static struct hwt_sqlite_budget diff_budget;

/* qsort/bsearch order by name.
 * Returns <0, 0 or >0 as x's name sorts before, with or after y's. */
static int cmp_name(const void *x, const void *y)
{
	return strcmp(((const struct fn *)x)->name,
		      ((const struct fn *)y)->name);
}

static int64_t delta(const struct fn *f)
{
	return f->insns[1] - f->insns[0];
}

/* qsort order for printing: the largest change first, then by name.
 * Returns <0, 0 or >0 as x prints before, with or after y. */
static int cmp_change(const void *x, const void *y)
{
	const struct fn *p = x, *q = y;
	int64_t a = delta(p), b = delta(q);

	a = a < 0 ? -a : a;
	b = b < 0 ? -b : b;
	if (a != b)
		return a > b ? -1 : 1;
	return strcmp(p->name, q->name);
}

/* Adds run side's functions of path to fs (merged by name).
 * Returns 0, or -1 with a message on stderr. */
static int load(const char *path, int side, struct fns *fs)
{
	static const char *const tables[] = { "meta", "symbols",
		"symbol_stats", NULL };
	sqlite3 *db = hwt_db_open_ro(path, &diff_budget, tables);
	sqlite3_stmt *st;
	size_t known = fs->n;
	char why[256];
	int rc;

	if (!db)
		return -1;
	/* function_stats spelled out over tables (a view can be anything in
	 * a database from someone else). */
	if (sqlite3_prepare_v2(db, "SELECT s.name, SUM(st.calls),"
			       " SUM(st.insn_count) FROM symbol_stats st JOIN"
			       " symbols s ON s.id = st.symbol_id WHERE s.name"
			       " IS NOT NULL GROUP BY s.name", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = SQLITE_ERROR;
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fn key, *f;

		key.name = (char *)sqlite3_column_text(st, 0);
		f = side ? bsearch(&key, fs->v, known, sizeof(*f), cmp_name) :
			   NULL;
		if (!f) {
			if (fs->n == MAX_FUNCS) {
				fprintf(stderr, "hwt report: %s: more than %u"
					" functions\n", path, MAX_FUNCS);
				sqlite3_finalize(st);
				sqlite3_close(db);
				return -1;
			}
			if (fs->n == fs->cap) {
				fs->cap = fs->cap ? fs->cap * 2 : 256;
				fs->v = hwt_xrealloc(fs->v, fs->cap *
						     sizeof(*fs->v));
			}
			f = &fs->v[fs->n++];
			memset(f, 0, sizeof(*f));
			f->name = hwt_xstrdup(key.name);
		}
		f->calls[side] = sqlite3_column_int64(st, 1);
		f->insns[side] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_close(db);
	qsort(fs->v, fs->n, sizeof(*fs->v), cmp_name);
	return 0;
fail:
	fprintf(stderr, "hwt report: %s: %s\n", path,
		hwt_sqlite_errmsg(db, &diff_budget, why, sizeof(why)));
	sqlite3_close(db);
	return -1;
}

/* "+12.5%", "-3.0%", "new" or "gone": the change from a to b. */
static void percent(int64_t a, int64_t b, char *s, size_t len)
{
	if (!a)
		snprintf(s, len, "%s", b ? "new" : "");
	else if (!b)
		snprintf(s, len, "gone");
	else
		snprintf(s, len, "%+.1f%%", 100.0 * (double)(b - a) /
			 (double)a);
}

int hwt_report_diff(const char *a, const char *b, int top, FILE *out)
{
	struct fns fs = { 0 };
	int64_t tot[2][2] = { { 0, 0 }, { 0, 0 } };
	size_t i;
	char pc[32];
	int rc = -1;

	if (load(a, 0, &fs) || load(b, 1, &fs))
		goto out;
	for (i = 0; i < fs.n; i++) {
		tot[0][0] += fs.v[i].calls[0];
		tot[0][1] += fs.v[i].insns[0];
		tot[1][0] += fs.v[i].calls[1];
		tot[1][1] += fs.v[i].insns[1];
	}
	qsort(fs.v, fs.n, sizeof(*fs.v), cmp_change);
	fprintf(out, "A: %s\nB: %s\n\n%10s %10s %10s  %12s %12s %12s %8s  %s\n",
		a, b, "calls A", "calls B", "change", "insns A", "insns B",
		"change", "", "function");
	for (i = 0; i < fs.n && i < (size_t)top; i++) {
		const struct fn *f = &fs.v[i];

		percent(f->insns[0], f->insns[1], pc, sizeof(pc));
		fprintf(out, "%10" PRId64 " %10" PRId64 " %+10" PRId64
			"  %12" PRId64 " %12" PRId64 " %+12" PRId64 " %8s  %s\n",
			f->calls[0], f->calls[1], f->calls[1] - f->calls[0],
			f->insns[0], f->insns[1], delta(f), pc, f->name);
	}
	percent(tot[0][1], tot[1][1], pc, sizeof(pc));
	fprintf(out, "%10" PRId64 " %10" PRId64 " %+10" PRId64 "  %12" PRId64
		" %12" PRId64 " %+12" PRId64 " %8s  (all %zu functions)\n",
		tot[0][0], tot[1][0], tot[1][0] - tot[0][0], tot[0][1],
		tot[1][1], tot[1][1] - tot[0][1], pc, fs.n);
	rc = fflush(out) ? -1 : 0;
out:
	for (i = 0; i < fs.n; i++)
		free(fs.v[i].name);
	free(fs.v);
	return rc;
}
