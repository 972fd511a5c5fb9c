/* SPDX-License-Identifier: BSD-2-Clause */
/* The inlines table read back: see inlines.h. */
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"
#include "db/inlines.h"

/* qsort order of rows: by binary, start, then depth.
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int row_cmp(const void *x, const void *y)
{
	const struct hwt_inline_row *a = x, *b = y;

	if (a->bin != b->bin)
		return a->bin < b->bin ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->depth > b->depth) - (a->depth < b->depth);
}

int hwt_inline_table_load(sqlite3 *db, struct hwt_inline_table *in)
{
	sqlite3_stmt *st;
	size_t cap = 0, i;
	int rc;

	in->v = NULL;
	in->n = 0;
	if (sqlite3_prepare_v2(db, "SELECT binary_id, start, end, depth, "
			       "name, call_file, call_line FROM inlines", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 4);
		const char *file = (const char *)sqlite3_column_text(st, 5);
		struct hwt_inline_row *r;
		char site[512];

		if (in->n == cap) {
			cap = cap ? 2 * cap : 256;
			in->v = hwt_xrealloc(in->v, cap * sizeof(*in->v));
		}
		r = &in->v[in->n++];
		r->bin = sqlite3_column_int64(st, 0);
		r->start = (uint64_t)sqlite3_column_int64(st, 1);
		r->end = (uint64_t)sqlite3_column_int64(st, 2);
		r->depth = (uint32_t)sqlite3_column_int64(st, 3);
		r->name = hwt_xstrdup(name ? name : "??");
		snprintf(site, sizeof(site), "%s:%d", file ? file : "?",
			 sqlite3_column_int(st, 6));
		r->site = hwt_xstrdup(site);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		hwt_inline_table_free(in);
		return -1;
	}
	if (in->n)
		qsort(in->v, in->n, sizeof(*in->v), row_cmp);
	for (i = 0; i < in->n; i++)
		in->v[i].max_end = i && in->v[i - 1].bin == in->v[i].bin &&
				   in->v[i - 1].max_end > in->v[i].end ?
				   in->v[i - 1].max_end : in->v[i].end;
	return 0;
}

size_t hwt_inline_table_at(const struct hwt_inline_table *in, int64_t bin, uint64_t ip,
		      const struct hwt_inline_row **at, size_t max)
{
	size_t lo = 0, hi = in->n, n = 0, j, k;

	while (lo < hi) {	/* the first row after (bin, ip) */
		size_t mid = lo + (hi - lo) / 2;
		const struct hwt_inline_row *r = &in->v[mid];

		if (r->bin < bin || (r->bin == bin && r->start <= ip))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j > 0 && n < max; j--) {
		const struct hwt_inline_row *r = &in->v[j - 1];

		if (r->bin != bin || r->max_end <= ip)
			break;
		if (r->end > ip)
			at[n++] = r;
	}
	for (j = 1; j < n; j++)	/* by depth, deepest first */
		for (k = j; k > 0 && at[k]->depth > at[k - 1]->depth; k--) {
			const struct hwt_inline_row *t = at[k];

			at[k] = at[k - 1];
			at[k - 1] = t;
		}
	return n;
}

void hwt_inline_table_free(struct hwt_inline_table *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		free(in->v[i].name);
		free(in->v[i].site);
	}
	free(in->v);
	in->v = NULL;
	in->n = 0;
}
