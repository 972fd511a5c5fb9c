/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt report --latency FUNC`: how long each call of a function took,
 * in instructions (inclusive: its callees count) and, where the trace has
 * timestamps, in the trace's clock: count, min, p50, p90, p99, max, and a
 * terminal histogram with power-of-two buckets.  Percentiles are the
 * nearest-rank ones (the smallest value with at least p% of the calls at
 * or below it).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "hwt/decode.h"

#define MAX_CALLS	(1u << 27)

static struct hwt_sqlite_budget latency_budget;

/* qsort order of uint64_t.
 * Returns <0, 0 or >0 as x is below, equal to or above y. */
static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The nearest-rank p-th percentile of the n sorted values v (n > 0). */
static uint64_t pct(const uint64_t *v, size_t n, unsigned p)
{
	size_t rank = (size_t)((p * (uint64_t)n + 99) / 100);

	return v[rank ? rank - 1 : 0];
}

static void histogram(const uint64_t *v, size_t n, FILE *out)
{
	uint64_t buckets[65] = { 0 }, most = 0;
	int lo = 64, hi = 0, b, i;
	size_t k;

	for (k = 0; k < n; k++) {
		b = v[k] ? 64 - __builtin_clzll(v[k]) : 0;	/* [2^(b-1), 2^b) */
		buckets[b]++;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	for (b = lo; b <= hi; b++)
		most = buckets[b] > most ? buckets[b] : most;
	for (b = lo; b <= hi; b++) {
		int bar = most ? (int)((buckets[b] * 50 + most - 1) / most) : 0;

		if (!b)
			fprintf(out, "  %21s", "0");
		else
			fprintf(out, "  [%8" PRIu64 ", %8" PRIu64 ")",
				(uint64_t)1 << (b - 1),
				b == 64 ? UINT64_MAX : (uint64_t)1 << b);
		fprintf(out, " %8" PRIu64 " |", buckets[b]);
		for (i = 0; i < bar; i++)
			fputc('#', out);
		fputc('\n', out);
	}
}

int hwt_report_latency(const char *path, const char *func, FILE *out)
{
	static const char *const tables[] = { "meta", "symbols", "call_paths",
		"calls", NULL };
	sqlite3 *db = hwt_db_open_ro(path, &latency_budget, tables);
	uint64_t *insns = NULL, *times = NULL;
	size_t n = 0, cap = 0, ntimes = 0;
	static const unsigned ps[] = { 50, 90, 99 };
	sqlite3_stmt *st;
	char why[256];
	int rc = -1, step;
	size_t i;

	if (!db)
		return -1;
	/* Inclusive instructions; a time only where both ends have one. */
	if (sqlite3_prepare_v2(db, "SELECT c.insn_count, c.call_time,"
			       " c.return_time FROM calls c JOIN call_paths p"
			       " ON p.id = c.call_path_id JOIN symbols s ON"
			       " s.id = p.symbol_id WHERE s.name = ?", -1, &st,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "hwt report: %s\n", hwt_sqlite_errmsg(db,
			&latency_budget, why, sizeof(why)));
		goto out;
	}
	sqlite3_bind_text(st, 1, func, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ic = sqlite3_column_int64(st, 0);
		int64_t ct = sqlite3_column_int64(st, 1);
		int64_t rt = sqlite3_column_int64(st, 2);

		if (n == MAX_CALLS) {
			fprintf(stderr, "hwt report: more than %u calls of"
				" %s\n", MAX_CALLS, func);
			sqlite3_finalize(st);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			insns = hwt_xrealloc(insns, cap * sizeof(*insns));
			times = hwt_xrealloc(times, cap * sizeof(*times));
		}
		insns[n++] = ic > 0 ? (uint64_t)ic : 0;
		if (ct > 0 && rt >= ct)
			times[ntimes++] = (uint64_t)(rt - ct);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		fprintf(stderr, "hwt report: %s\n", hwt_sqlite_errmsg(db,
			&latency_budget, why, sizeof(why)));
		goto out;
	}
	if (!n) {
		fprintf(stderr, "hwt report: no call of '%s' in %s\n", func,
			path);
		goto out;
	}
	qsort(insns, n, sizeof(*insns), cmp_u64);
	qsort(times, ntimes, sizeof(*times), cmp_u64);
	fprintf(out, "%s: %zu calls (duration of each, its callees"
		" included)\n%6s %14s %14s\n", func, n, "", "instructions",
		ntimes ? "time" : "");
	fprintf(out, "%6s %14" PRIu64, "min", insns[0]);
	if (ntimes)
		fprintf(out, " %14" PRIu64, times[0]);
	fputc('\n', out);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		fprintf(out, "   p%-2u %14" PRIu64, ps[i], pct(insns, n, ps[i]));
		if (ntimes)
			fprintf(out, " %14" PRIu64, pct(times, ntimes, ps[i]));
		fputc('\n', out);
	}
	fprintf(out, "%6s %14" PRIu64, "max", insns[n - 1]);
	if (ntimes)
		fprintf(out, " %14" PRIu64, times[ntimes - 1]);
	fprintf(out, "\n%s\nhistogram of instructions per call:\n",
		ntimes && ntimes != n ? "(time: the calls with timestamps"
		" only)" : "");
	histogram(insns, n, out);
	rc = fflush(out) ? -1 : 0;
out:
	free(insns);
	free(times);
	sqlite3_close(db);
	return rc;
}
