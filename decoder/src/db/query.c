/* SPDX-License-Identifier: BSD-2-Clause */
/* `hwt query`: run SQL against a decoded database, print a table or CSV. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"

static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Prints the result of one statement; rows are buffered for alignment. */
static int print_stmt(sqlite3_stmt *st, int csv, FILE *out)
{
	int ncol = sqlite3_column_count(st), c, rc;
	char **cells = NULL;
	size_t nrows = 0, cap = 0, r, *w;

	if (!ncol) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		return rc == SQLITE_DONE ? 0 : -1;
	}
	w = calloc((size_t)ncol, sizeof(*w));
	if (!w)
		return -1;
	for (c = 0; c < ncol; c++)
		w[c] = strlen(sqlite3_column_name(st, c));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nrows == cap) {
			cap = cap ? 2 * cap : 64;
			cells = hwt_xrealloc(cells, cap * (size_t)ncol *
					     sizeof(*cells));
		}
		for (c = 0; c < ncol; c++) {
			const char *t = (const char *)sqlite3_column_text(st, c);
			char *v = hwt_xstrdup(t ? t : (csv ? "" : "NULL"));

			cells[nrows * (size_t)ncol + (size_t)c] = v;
			if (strlen(v) > w[c])
				w[c] = strlen(v);
		}
		nrows++;
	}
	for (c = 0; c < ncol; c++) {
		if (csv) {
			if (c)
				fputc(',', out);
			csv_field(out, sqlite3_column_name(st, c));
		} else {
			fprintf(out, "%s%-*s", c ? "  " : "", (int)w[c],
				sqlite3_column_name(st, c));
		}
	}
	fputc('\n', out);
	if (!csv) {
		for (c = 0; c < ncol; c++) {
			size_t i;

			fputs(c ? "  " : "", out);
			for (i = 0; i < w[c]; i++)
				fputc('-', out);
		}
		fputc('\n', out);
	}
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncol; c++) {
			char *v = cells[r * (size_t)ncol + (size_t)c];

			if (csv) {
				if (c)
					fputc(',', out);
				csv_field(out, v);
			} else {
				fprintf(out, "%s%-*s", c ? "  " : "",
					c == ncol - 1 ? 0 : (int)w[c], v);
			}
			free(v);
		}
		fputc('\n', out);
	}
	free(cells);
	free(w);
	return rc == SQLITE_DONE ? 0 : -1;
}

int hwt_query(const char *path, const char *sql, int csv, FILE *out)
{
	/* The budget stops a statement (or a view it reads) that runs
	 * away, with a clear message. */
	struct hwt_sqlite_budget budget = { 0, 0 };
	sqlite3 *db = hwt_db_open_ro(path, &budget, NULL);
	const char *tail = sql;
	char why[256];
	int rc = 0;

	if (!db)
		return -1;
	while (tail && *tail && rc == 0) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
			fprintf(stderr, "hwt: query: %s\n",
				hwt_sqlite_errmsg(db, &budget, why,
						  sizeof(why)));
			rc = -1;
			break;
		}
		if (!st)
			break;	/* trailing whitespace/comment */
		if (print_stmt(st, csv, out) < 0) {
			fprintf(stderr, "hwt: query: %s\n",
				hwt_sqlite_errmsg(db, &budget, why,
						  sizeof(why)));
			rc = -1;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return rc;
}
