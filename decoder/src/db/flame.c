/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt flamegraph --folded`: the call paths of a decoded database as
 * folded stacks ("root;caller;callee N", the interchange format of
 * flamegraph.pl, inferno and speedscope), weighted by instructions
 * executed in the last frame itself under that path: a path's inclusive
 * count (call_path_stats) minus its children's.  So the lines add up to
 * every instruction the decode attributed to a call path: the traced
 * instruction count.  Or weighted by time on the trace's clock (the
 * calls' return_time - call_time per path, less its callees'), where
 * calls have both times.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "db/db.h"
#include "db/flame.h"
#include "hwt/decode.h"

/* A bound on what a database may make us allocate (ids come from rows). */
#define MAX_ROWS	(1u << 26)

struct fpath {
	int64_t id, parent;
	char *name;
};

struct fstat {
	int64_t thread, path, tid;
	uint64_t incl, children;
};

struct flame {
	sqlite3 *db;
	struct fpath *paths;
	size_t npaths, cap_paths;
	struct fstat *stats;
	size_t nstats, cap_stats;
	int weight_time;	/* hwt_flame_opts.weight_time */
};

/* Room for one more element in *v (n used, *cap allocated). */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 256;
	return hwt_xrealloc(v, *cap * size);
}

static struct hwt_sqlite_budget flame_budget;

/* The end of a step loop.
 * Returns 0 if rc is SQLITE_DONE.
 * Returns -1 (the reason on stderr) if not. */
static int loop_end(sqlite3 *db, int rc)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt flamegraph: %s\n",
		hwt_sqlite_errmsg(db, &flame_budget, why, sizeof(why)));
	return -1;
}

/* qsort/bsearch order of paths by id.
 * Returns <0, 0 or >0 if x's id is below, equal to or above y's. */
static int cmp_path(const void *x, const void *y)
{
	const struct fpath *p = x, *q = y;

	return p->id < q->id ? -1 : p->id > q->id;
}

/* qsort/bsearch order of stats by (thread, path).
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int cmp_stat(const void *x, const void *y)
{
	const struct fstat *p = x, *q = y;

	if (p->thread != q->thread)
		return p->thread < q->thread ? -1 : 1;
	return p->path < q->path ? -1 : p->path > q->path;
}

/* Returns the path with id, or NULL if there is none. */
static struct fpath *find_path(const struct flame *f, int64_t id)
{
	struct fpath key = { .id = id };

	return bsearch(&key, f->paths, f->npaths, sizeof(key), cmp_path);
}

/* Returns the stats row of (thread, path), or NULL if there is none. */
static struct fstat *find_stat(const struct flame *f, int64_t thread,
			       int64_t path)
{
	struct fstat key = { .thread = thread, .path = path };

	return bsearch(&key, f->stats, f->nstats, sizeof(key), cmp_stat);
}

/* A frame name as the folded format can hold it: no ';' or newline. */
static char *frame_name(const char *name, int64_t ip)
{
	char buf[32], *s;
	size_t i;

	if (!name || !*name) {
		snprintf(buf, sizeof(buf), "%#" PRIx64, (uint64_t)ip);
		name = buf;
	}
	s = hwt_xstrdup(name);
	for (i = 0; s[i]; i++)
		if (s[i] == ';')
			s[i] = ':';
		else if (s[i] == '\n' || s[i] == '\r')
			s[i] = ' ';
	return s;
}

/* Returns 0 with f's paths and stats loaded, or -1 (message on stderr). */
static int load(struct flame *f)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(f->db, "SELECT p.id, p.parent_id, s.name, p.ip"
			       " FROM call_paths p LEFT JOIN symbols s ON"
			       " s.id = p.symbol_id AND p.symbol_id != 0"
			       " WHERE p.id != 0", -1, &st, NULL) != SQLITE_OK)
		return loop_end(f->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fpath *p;

		if (f->npaths == MAX_ROWS) {
			fprintf(stderr, "hwt flamegraph: more than %u call"
				" paths\n", MAX_ROWS);
			sqlite3_finalize(st);
			return -1;
		}
		f->paths = grow(f->paths, f->npaths, &f->cap_paths,
				sizeof(*f->paths));
		p = &f->paths[f->npaths++];
		p->id = sqlite3_column_int64(st, 0);
		p->parent = sqlite3_column_int64(st, 1);
		p->name = frame_name((const char *)sqlite3_column_text(st, 2),
				     sqlite3_column_int64(st, 3));
	}
	sqlite3_finalize(st);
	if (loop_end(f->db, rc))
		return -1;
	qsort(f->paths, f->npaths, sizeof(*f->paths), cmp_path);

	if (sqlite3_prepare_v2(f->db, f->weight_time ?
			       "SELECT c.thread_id, c.call_path_id,"
			       " SUM(c.return_time - c.call_time),"
			       " COALESCE(t.tid, -1) FROM calls c LEFT JOIN"
			       " threads t ON t.id = c.thread_id WHERE"
			       " c.call_path_id != 0 AND c.call_time > 0 AND"
			       " c.return_time >= c.call_time"
			       " GROUP BY c.thread_id, c.call_path_id" :
			       "SELECT c.thread_id, c.call_path_id,"
			       " SUM(c.insn_count), COALESCE(t.tid, -1) FROM"
			       " call_path_stats c LEFT JOIN threads t ON"
			       " t.id = c.thread_id WHERE c.call_path_id != 0"
			       " GROUP BY c.thread_id, c.call_path_id", -1,
			       &st, NULL) != SQLITE_OK)
		return loop_end(f->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fstat *s;
		int64_t incl = sqlite3_column_int64(st, 2);

		if (f->nstats == MAX_ROWS || incl < 0) {
			fprintf(stderr, "hwt flamegraph: call_path_stats:"
				" too many rows or a negative count\n");
			sqlite3_finalize(st);
			return -1;
		}
		f->stats = grow(f->stats, f->nstats, &f->cap_stats,
				sizeof(*f->stats));
		s = &f->stats[f->nstats++];
		s->thread = sqlite3_column_int64(st, 0);
		s->path = sqlite3_column_int64(st, 1);
		s->incl = (uint64_t)incl;
		s->children = 0;
		s->tid = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (loop_end(f->db, rc))
		return -1;
	qsort(f->stats, f->nstats, sizeof(*f->stats), cmp_stat);
	return 0;
}

/* Append path id's frames, root first, to *buf.
 * Returns 0, or -1 if the path or one of its parents is missing or the
 * parents form a cycle (a damaged database). */
static int stack_of(const struct flame *f, int64_t id, char **buf,
		    size_t *len)
{
	const struct fpath **chain = NULL;
	size_t n = 0, i;
	struct fpath *p;

	while (id != 0) {
		p = find_path(f, id);
		if (!p || n == f->npaths) {
			free(chain);
			return -1;
		}
		chain = hwt_xrealloc(chain, (n + 1) * sizeof(*chain));
		chain[n++] = p;
		id = p->parent;
	}
	for (i = n; i-- > 0;) {
		size_t k = strlen(chain[i]->name);

		*buf = hwt_xrealloc(*buf, *len + k + 2);
		memcpy(*buf + *len, chain[i]->name, k);
		*len += k;
		(*buf)[(*len)++] = i ? ';' : '\0';
	}
	free(chain);
	return n ? 0 : -1;
}

/* qsort order of output lines: by stack.
 * Returns <0, 0 or >0 as x sorts before, with or after y. */
static int cmp_line(const void *x, const void *y)
{
	return strcmp(((const struct hwt_flame_line *)x)->stack,
		      ((const struct hwt_flame_line *)y)->stack);
}

int hwt_flame_lines(const char *path, const struct hwt_flame_opts *opts,
		    struct hwt_flame_line **linesp, size_t *nlinesp)
{
	static const char *const tables[] = { "meta", "symbols", "threads",
		"call_paths", "call_path_stats", NULL };
	struct flame f = { 0 };
	struct hwt_flame_line *lines = NULL;
	size_t nlines = 0, cap_lines = 0, i, j;

	*linesp = NULL;
	*nlinesp = 0;
	uint64_t clamped = 0;
	int rc = -1;

	f.weight_time = opts->weight_time;
	f.db = hwt_db_open_ro(path, &flame_budget, tables);
	if (!f.db)
		return -1;
	if (load(&f))
		goto out;
	/* A damaged database may point a path at a missing parent or make
	 * the parents loop: refused before any count is trusted. */
	for (i = 0; i < f.nstats; i++) {
		int64_t id = f.stats[i].path;
		size_t steps = 0;
		struct fpath *p;

		while (id != 0) {
			p = find_path(&f, id);
			if (!p || steps++ == f.npaths) {
				fprintf(stderr, "hwt flamegraph: call path %"
					PRId64 ": a parent is missing or the"
					" parents loop\n", f.stats[i].path);
				goto out;
			}
			id = p->parent;
		}
	}
	/* Each path's inclusive count, less its children's: its self. */
	for (i = 0; i < f.nstats; i++) {
		struct fpath *p = find_path(&f, f.stats[i].path);
		struct fstat *parent;

		if (!p || !p->parent)
			continue;
		parent = find_stat(&f, f.stats[i].thread, p->parent);
		if (parent)
			parent->children += f.stats[i].incl;
	}
	for (i = 0; i < f.nstats; i++) {
		const struct fstat *s = &f.stats[i];
		uint64_t self = s->incl - s->children;
		char *stack = NULL;
		size_t len = 0;

		if (opts && opts->tid >= 0 && s->tid != opts->tid)
			continue;
		if (s->children > s->incl) {
			clamped++;
			continue;
		}
		if (!self)
			continue;
		if (opts && opts->per_thread) {
			char pre[48];

			len = (size_t)snprintf(pre, sizeof(pre), "tid %" PRId64
					       ";", s->tid);
			stack = hwt_xstrdup(pre);
		}
		if (stack_of(&f, s->path, &stack, &len)) {
			fprintf(stderr, "hwt flamegraph: call path %" PRId64
				": a parent is missing or the parents loop\n",
				s->path);
			free(stack);
			goto out;
		}
		lines = grow(lines, nlines, &cap_lines, sizeof(*lines));
		lines[nlines].stack = stack;
		lines[nlines++].count = self;
	}
	if (clamped)
		fprintf(stderr, "hwt flamegraph: warning: %" PRIu64 " call"
			" paths count fewer instructions than their callees"
			" (left out)\n", clamped);
	/* One line per stack: threads merged unless asked apart. */
	qsort(lines, nlines, sizeof(*lines), cmp_line);
	for (i = 0, j = 0; i < nlines; i++) {
		if (j && !strcmp(lines[j - 1].stack, lines[i].stack)) {
			lines[j - 1].count += lines[i].count;
			free(lines[i].stack);
			continue;
		}
		lines[j++] = lines[i];
	}
	*linesp = lines;
	*nlinesp = j;
	lines = NULL;
	nlines = 0;
	rc = 0;
out:
	for (i = 0; i < nlines; i++)
		free(lines[i].stack);
	free(lines);
	for (i = 0; i < f.npaths; i++)
		free(f.paths[i].name);
	free(f.paths);
	free(f.stats);
	sqlite3_close(f.db);
	return rc;
}

void hwt_flame_lines_free(struct hwt_flame_line *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i].stack);
	free(lines);
}

int hwt_flame_folded(const char *path, const struct hwt_flame_opts *opts,
		     FILE *out)
{
	struct hwt_flame_line *lines;
	size_t n, i;
	int rc = 0;

	if (hwt_flame_lines(path, opts, &lines, &n))
		return -1;
	for (i = 0; i < n && !rc; i++)
		if (fprintf(out, "%s %" PRIu64 "\n", lines[i].stack,
			    lines[i].count) < 0)
			rc = -1;
	if (!rc && fflush(out))
		rc = -1;
	if (rc)
		fprintf(stderr, "hwt flamegraph: write failed\n");
	hwt_flame_lines_free(lines, n);
	return rc;
}
