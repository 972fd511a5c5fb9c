/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt report --inline`: the functions the compiler inlined (DWARF's
 * DW_TAG_inlined_subroutine, the inlines table) and how many
 * instructions ran inside each, exactly: every executed instruction (a
 * block's count times its instructions, per address) is matched with the
 * inline frames covering its address.  "self" counts it for the innermost
 * frame only, "total" for every inlined function in the chain (each name
 * once, so an inlined recursion counts once), as perf report's
 * --inline children.  "sites" is the number of distinct places
 * (call_file:call_line) the function was inlined at.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "db/inlines.h"
#include "hwt/decode.h"


struct ifn {			/* an inlined function, by name */
	char *name;
	uint64_t self, total;
	uint64_t mark;		/* last instruction counted in total */
	char **sites;
	size_t nsites;
};

struct iscan {
	sqlite3 *db;
	struct hwt_inline_table rows;
	size_t *fn;		/* per row, its function's index */
	struct ifn *fns;
	size_t nfns;
	uint64_t traced, inlined;	/* instructions: all, in inlined code */
	uint64_t seq;			/* instruction visits, for ifn.mark */
};

static struct hwt_sqlite_budget inline_budget;

/* The function named name, added if new.  Returns its index. */
static size_t fn_of(struct iscan *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nfns; i++)
		if (!strcmp(s->fns[i].name, name))
			return i;
	s->fns = hwt_xrealloc(s->fns, (s->nfns + 1) * sizeof(*s->fns));
	memset(&s->fns[s->nfns], 0, sizeof(s->fns[0]));
	s->fns[s->nfns].name = hwt_xstrdup(name);
	s->fns[s->nfns].mark = UINT64_MAX;
	return s->nfns++;
}

static void add_site(struct ifn *f, const char *site)
{
	size_t i;

	for (i = 0; i < f->nsites; i++)
		if (!strcmp(f->sites[i], site))
			return;
	f->sites = hwt_xrealloc(f->sites, (f->nsites + 1) *
				sizeof(*f->sites));
	f->sites[f->nsites++] = hwt_xstrdup(site);
}

/*
 * Every inlines row (db/inlines.h) and the function each names.
 * Returns 0 if loaded.
 * Returns -1 (message printed) on an SQLite error.
 */
static int load_rows(struct iscan *s)
{
	char why[256];
	size_t i;

	if (hwt_inline_table_load(s->db, &s->rows) < 0) {
		fprintf(stderr, "hwt report: inlines: %s\n",
			hwt_sqlite_errmsg(s->db, &inline_budget, why,
					  sizeof(why)));
		return -1;
	}
	s->fn = hwt_xrealloc(NULL, (s->rows.n ? s->rows.n : 1) *
			     sizeof(*s->fn));
	for (i = 0; i < s->rows.n; i++) {
		s->fn[i] = fn_of(s, s->rows.v[i].name);
		add_site(&s->fns[s->fn[i]], s->rows.v[i].site);
	}
	return 0;
}

/* count executions of the instruction at ip of binary bin. */
static void count_insn(struct iscan *s, int64_t bin, uint64_t ip,
		       uint64_t count)
{
	const struct hwt_inline_row *at[64];
	size_t n = hwt_inline_table_at(&s->rows, bin, ip, at, 64), i;

	s->traced += count;
	if (!n)
		return;
	s->seq++;
	for (i = 0; i < n; i++) {	/* each function once */
		struct ifn *f = &s->fns[s->fn[at[i] - s->rows.v]];

		if (f->mark != s->seq) {
			f->mark = s->seq;
			f->total += count;
		}
	}
	s->fns[s->fn[at[0] - s->rows.v]].self += count;	/* deepest */
	s->inlined += count;
}

/*
 * Every executed block of thread tid (-1: all), instruction by
 * instruction.  A block whose lengths are unknown counts at its first
 * address only (the trace's decoder could not split it).
 * Returns 0 if scanned; -1 (message printed) on an SQLite error.
 */
static int scan_blocks(struct iscan *s, int64_t tid)
{
	sqlite3_stmt *st;
	char why[256];
	int step;

	if (sqlite3_prepare_v2(s->db, "SELECT b.binary_id, b.ip, b.ninsn, "
			       "b.insn_lens, SUM(c.count) FROM block_counts c "
			       "JOIN blocks b ON b.id = c.block_id LEFT JOIN "
			       "threads t ON t.id = c.thread_id WHERE ?1 < 0 "
			       "OR t.tid = ?1 GROUP BY b.id", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, tid);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t bin = sqlite3_column_int64(st, 0);
		uint64_t ip = (uint64_t)sqlite3_column_int64(st, 1);
		int64_t ninsn = sqlite3_column_int64(st, 2);
		const uint8_t *lens = sqlite3_column_blob(st, 3);
		int nlens = sqlite3_column_bytes(st, 3);
		uint64_t count = (uint64_t)sqlite3_column_int64(st, 4);
		int64_t i;

		if (!lens || nlens != ninsn) {
			count_insn(s, bin, ip, count * (uint64_t)ninsn);
			continue;
		}
		for (i = 0; i < ninsn; ip += lens[i++])
			count_insn(s, bin, ip, count);
	}
	sqlite3_finalize(st);
	if (step == SQLITE_DONE)
		return 0;
fail:
	fprintf(stderr, "hwt report: blocks: %s\n",
		hwt_sqlite_errmsg(s->db, &inline_budget, why, sizeof(why)));
	return -1;
}

/* qsort order of functions: total, then self, descending, then name.
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int fn_cmp(const void *x, const void *y)
{
	const struct ifn *a = x, *b = y;

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	if (a->self != b->self)
		return a->self > b->self ? -1 : 1;
	return strcmp(a->name, b->name);
}

int hwt_report_inline(const char *path, int64_t tid, int top, FILE *out)
{
	static const char *const tables[] = { "meta", "blocks",
		"block_counts", "threads", "inlines", NULL };
	struct iscan s;
	size_t i, shown = 0;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.db = hwt_db_open_ro(path, &inline_budget, tables);
	if (!s.db)
		return -1;
	if (load_rows(&s) < 0 || scan_blocks(&s, tid) < 0)
		goto out;
	qsort(s.fns, s.nfns, sizeof(*s.fns), fn_cmp);
	fprintf(out, "Inlined functions (DWARF): instructions that ran in "
		"their inlined code\n(%" PRIu64 " of %" PRIu64 " traced "
		"instructions; self: innermost frame, total: anywhere in the "
		"inline chain)\n%12s %12s %6s  %s\n", s.inlined, s.traced,
		"self", "total", "sites", "function");
	for (i = 0; i < s.nfns && (!top || shown < (size_t)top); i++) {
		if (!s.fns[i].total)
			continue;
		fprintf(out, "%12" PRIu64 " %12" PRIu64 " %6zu  %s\n",
			s.fns[i].self, s.fns[i].total, s.fns[i].nsites,
			s.fns[i].name);
		shown++;
	}
	if (!shown)
		fprintf(out, "(none: no inlined code ran, or the binaries have "
			"no DWARF inline information)\n");
	rc = fflush(out) ? -1 : 0;
out:
	for (i = 0; i < s.nfns; i++) {
		size_t k;

		for (k = 0; k < s.fns[i].nsites; k++)
			free(s.fns[i].sites[k]);
		free(s.fns[i].sites);
		free(s.fns[i].name);
	}
	hwt_inline_table_free(&s.rows);
	free(s.fn);
	free(s.fns);
	sqlite3_close(s.db);
	return rc;
}
