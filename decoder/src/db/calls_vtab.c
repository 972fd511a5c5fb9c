/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The calls table over compact per-chunk columns (calls_vtab.h): the
 * chunk codec and the read-only virtual table module "hwt_calls".  Built
 * into libhwtdecode and, with HWT_CALLS_EXT defined, as an SQLite
 * loadable extension (sqlite3_hwtcalls_init).  The chunks come from a
 * database file: every length and value is checked before use.
 */
#ifdef HWT_CALLS_EXT
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#else
#include <sqlite3.h>
#endif
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "db/calls_vtab.h"

/* Column order of the calls table (as hwt wrote it before: docs/schema.md)
 * and where each comes from in a stored row. */
enum {
	C_ID, C_THREAD, C_COMM, C_PATH, C_CTIME, C_RTIME, C_CINSN, C_RINSN,
	C_BRANCHES, C_INSNS, C_PARENT, C_FLAGS, C_NUM
};
/* Stored field of each column; -1: derived. */
static const signed char col_field[C_NUM] = {
	[C_ID] = 0, [C_THREAD] = 1, [C_COMM] = -1, [C_PATH] = 2,
	[C_CTIME] = 3, [C_RTIME] = 4, [C_CINSN] = 5, [C_RINSN] = 6,
	[C_BRANCHES] = 7, [C_INSNS] = -1, [C_PARENT] = 8, [C_FLAGS] = 9,
};

/* The LEB128 of z at p.  Returns the byte after it. */
static inline uint8_t *put_leb(uint8_t *p, uint64_t z)
{
	if (z < 0x80) {
		*p = (uint8_t)z;
		return p + 1;
	}
	if (z < 0x4000) {
		p[0] = (uint8_t)(z | 0x80);
		p[1] = (uint8_t)(z >> 7);
		return p + 2;
	}
	while (z >= 0x80) {
		*p++ = (uint8_t)(z | 0x80);
		z >>= 7;
	}
	*p++ = (uint8_t)z;
	return p;
}

#if defined(__SSE2__) && HWT_CALLS_FIELDS == 10
/* Returns fields 2i and 2i+1 of r less those of prev, zigzagged. */
static inline __m128i zigzag2(const struct hwt_calls_rec *prev,
			      const struct hwt_calls_rec *r, int i)
{
	__m128i d = _mm_sub_epi64(
		_mm_loadu_si128((const __m128i *)&r->v[2 * i]),
		_mm_loadu_si128((const __m128i *)&prev->v[2 * i]));
	/* Each lane's sign in all its bits (SSE2 has no 64-bit >>): its
	 * high half copied to both halves, then shifted; the shuffle
	 * first writes a new register, so d needs no copy. */
	__m128i sign = _mm_srai_epi32(_mm_shuffle_epi32(d, _MM_SHUFFLE(3, 3,
								      1, 1)),
				      31);

	return _mm_xor_si128(_mm_slli_epi64(d, 1), sign);
}

/*
 * Two thirds of the rows of a real trace have every zigzagged difference
 * below 0x80, one byte each: those are made ten at a time, the others
 * field by field from the same differences.
 */
size_t hwt_calls_encode_next(uint8_t *p, const struct hwt_calls_rec *prev,
			     const struct hwt_calls_rec *r)
{
	__m128i z0 = zigzag2(prev, r, 0), z1 = zigzag2(prev, r, 1);
	__m128i z2 = zigzag2(prev, r, 2), z3 = zigzag2(prev, r, 3);
	__m128i z4 = zigzag2(prev, r, 4), z[5], t;
	uint64_t zs[10];
	uint8_t *q = p;
	int i;

	t = _mm_or_si128(_mm_or_si128(z0, z1),
			 _mm_or_si128(_mm_or_si128(z2, z3), z4));
	t = _mm_andnot_si128(_mm_set1_epi32(0x7f), t);
	if (_mm_movemask_epi8(_mm_cmpeq_epi32(t, _mm_setzero_si128())) ==
	    0xffff) {
		/* Every value fits a byte: lane 0 gets fields 0, 2, .. 8 in
		 * its bytes 0-4, lane 1 fields 1, 3, .. 9; interleaved. */
		t = _mm_or_si128(_mm_or_si128(z0, _mm_slli_epi64(z1, 8)),
				 _mm_or_si128(_mm_slli_epi64(z2, 16),
					      _mm_slli_epi64(z3, 24)));
		t = _mm_or_si128(t, _mm_slli_epi64(z4, 32));
		/* 16 bytes stored, 10 used: p has room for
		 * HWT_CALLS_ROW_MAX. */
		_mm_storeu_si128((__m128i *)p,
				 _mm_unpacklo_epi8(t, _mm_srli_si128(t, 8)));
		return HWT_CALLS_FIELDS;
	}
	z[0] = z0;
	z[1] = z1;
	z[2] = z2;
	z[3] = z3;
	z[4] = z4;
	for (i = 0; i < 5; i++)
		_mm_storeu_si128((__m128i *)&zs[2 * i], z[i]);
#pragma GCC unroll 10
	for (i = 0; i < HWT_CALLS_FIELDS; i++)
		q = put_leb(q, zs[i]);
	return (size_t)(q - p);
}
#else
/*
 * The same rows without SSE2 (arm64): the ten differences first, then one
 * test for whether all fit a byte (two thirds of a real trace's rows),
 * those stored a byte each, the others field by field.
 */
size_t hwt_calls_encode_next(uint8_t *p, const struct hwt_calls_rec *prev,
			     const struct hwt_calls_rec *r)
{
	uint64_t z[HWT_CALLS_FIELDS], any = 0;
	uint8_t *q = p;
	int i;

#pragma GCC unroll 10
	for (i = 0; i < HWT_CALLS_FIELDS; i++) {
		uint64_t d = r->v[i] - prev->v[i];

		/* zigzag: small differences either way, small numbers */
		z[i] = (d << 1) ^ (uint64_t)((int64_t)d >> 63);
		any |= z[i];
	}
	if (any < 0x80) {
#pragma GCC unroll 10
		for (i = 0; i < HWT_CALLS_FIELDS; i++)
			p[i] = (uint8_t)z[i];
		return HWT_CALLS_FIELDS;
	}
#pragma GCC unroll 10
	for (i = 0; i < HWT_CALLS_FIELDS; i++)
		q = put_leb(q, z[i]);
	return (size_t)(q - p);
}
#endif

size_t hwt_calls_encode(uint8_t *p, struct hwt_calls_rec *prev,
			const struct hwt_calls_rec *r)
{
	size_t n = hwt_calls_encode_next(p, prev, r);

	*prev = *r;
	return n;
}

int hwt_calls_decode(const uint8_t *data, size_t size, size_t n,
		     struct hwt_calls_rec *rows)
{
	struct hwt_calls_rec prev;
	size_t off = 0, k;
	int i;

	memset(&prev, 0, sizeof(prev));
	for (k = 0; k < n; k++) {
		for (i = 0; i < HWT_CALLS_FIELDS; i++) {
			uint64_t z = 0;
			unsigned shift = 0;
			uint8_t b;

			do {
				if (off >= size || shift > 63)
					return -1;
				b = data[off++];
				/* The tenth byte holds bit 63 only. */
				if (shift == 63 && b > 1)
					return -1;
				z |= (uint64_t)(b & 0x7f) << shift;
				shift += 7;
			} while (b & 0x80);
			prev.v[i] += (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
		}
		rows[k] = prev;
	}
	return off == size ? 0 : -1;
}

struct calls_vtab {
	sqlite3_vtab base;
	sqlite3 *db;
	char *scan, *find;	/* the chunks' queries, in the table's
				 * own database (main, an attached one) */
};

/* Decoded chunks a cursor keeps: a join by id looks up ids near each
 * other, and the few chunks of long calls (written last, their id ranges
 * wide) hold candidates for every lookup. */
#define CACHED	8

struct cached {
	sqlite3_int64 chunk;	/* call_chunks.id, 0: empty */
	struct hwt_calls_rec *rows;
	size_t n;
	unsigned long used;	/* last use, for eviction */
};

struct calls_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *scan, *find;	/* the chunks, in order; those whose
					 * id range holds want */
	sqlite3_stmt *st;	/* the one of them running */
	struct cached cache[CACHED];
	unsigned long clock;
	const struct hwt_calls_rec *rows;	/* the current chunk's */
	size_t n, i;
	int eof;
	int eq;			/* only the row with id want */
	sqlite3_int64 want;
};

static const char calls_decl[] =
	"CREATE TABLE x(id INTEGER, thread_id INTEGER, comm_id INTEGER, "
	"call_path_id INTEGER, call_time INTEGER, return_time INTEGER, "
	"call_insn INTEGER, return_insn INTEGER, branch_count INTEGER, "
	"insn_count INTEGER, parent_call_id INTEGER, flags INTEGER)";

/* xCreate and xConnect: the table's columns; no arguments are taken (the
 * chunks are the call_chunks table of the table's own database). */
static int calls_connect(sqlite3 *db, void *aux, int argc,
			 const char *const *argv, sqlite3_vtab **out,
			 char **err)
{
	struct calls_vtab *t;
	int rc;

	(void)aux;
	if (argc > 3) {
		*err = sqlite3_mprintf("hwt_calls takes no arguments");
		return SQLITE_ERROR;
	}
	rc = sqlite3_declare_vtab(db, calls_decl);
	if (rc != SQLITE_OK)
		return rc;
	/* It reads the database's own call_chunks table, nothing else: safe
	 * in views (calls_view) with trusted_schema=OFF. */
	sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
	t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->db = db;
	t->scan = sqlite3_mprintf("SELECT id, n, data FROM \"%w\".call_chunks "
				  "ORDER BY id", argv[1]);
	t->find = sqlite3_mprintf("SELECT id, n, data FROM \"%w\".call_chunks "
				  "WHERE min_id <= ?1 AND max_id >= ?1 "
				  "ORDER BY id", argv[1]);
	if (!t->scan || !t->find) {
		sqlite3_free(t->scan);
		sqlite3_free(t->find);
		sqlite3_free(t);
		return SQLITE_NOMEM;
	}
	*out = &t->base;
	return SQLITE_OK;
}

static int calls_disconnect(sqlite3_vtab *vt)
{
	struct calls_vtab *t = (struct calls_vtab *)vt;

	sqlite3_free(t->scan);
	sqlite3_free(t->find);
	sqlite3_free(t);
	return SQLITE_OK;
}

/* id = ? (the column or the rowid): idxNum 1, the chunks whose id range
 * holds it; else a scan of all. */
static int calls_best_index(sqlite3_vtab *vt, sqlite3_index_info *ix)
{
	int i;

	(void)vt;
	for (i = 0; i < ix->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &ix->aConstraint[i];

		if (c->usable && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
		    (c->iColumn == C_ID || c->iColumn == -1)) {
			ix->aConstraintUsage[i].argvIndex = 1;
			ix->aConstraintUsage[i].omit = 1;
			ix->idxNum = 1;
			ix->estimatedCost = 20;
			ix->estimatedRows = 1;
			ix->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
			return SQLITE_OK;
		}
	}
	ix->idxNum = 0;
	ix->estimatedCost = 1e6;
	ix->estimatedRows = 1000000;
	return SQLITE_OK;
}

static int calls_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct calls_vtab *t = (struct calls_vtab *)vt;
	struct calls_cursor *c = sqlite3_malloc(sizeof(*c));

	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->eof = 1;
	if (sqlite3_prepare_v2(t->db, t->scan, -1, &c->scan, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(t->db, t->find, -1, &c->find, NULL) !=
	    SQLITE_OK) {
		sqlite3_free(vt->zErrMsg);
		vt->zErrMsg = sqlite3_mprintf("calls: %s",
					      sqlite3_errmsg(t->db));
		sqlite3_finalize(c->scan);
		sqlite3_finalize(c->find);
		sqlite3_free(c);
		return SQLITE_ERROR;
	}
	*out = &c->base;
	return SQLITE_OK;
}

static int calls_close(sqlite3_vtab_cursor *cur)
{
	struct calls_cursor *c = (struct calls_cursor *)cur;
	int k;

	sqlite3_finalize(c->scan);
	sqlite3_finalize(c->find);
	for (k = 0; k < CACHED; k++)
		sqlite3_free(c->cache[k].rows);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int cursor_error(struct calls_cursor *c, const char *msg)
{
	sqlite3_vtab *vt = c->base.pVtab;

	sqlite3_free(vt->zErrMsg);
	vt->zErrMsg = sqlite3_mprintf("calls: %s", msg);
	return SQLITE_ERROR;
}

/* The next chunk's rows as c->rows (c->eof at the end), decoded or from
 * the cache.  Returns an SQLite result code. */
static int next_chunk(struct calls_cursor *c)
{
	struct calls_vtab *t = (struct calls_vtab *)c->base.pVtab;
	struct cached *e = &c->cache[0];
	sqlite3_int64 id, n;
	const void *data;
	int rc, size, k;

	rc = sqlite3_step(c->st);
	if (rc == SQLITE_DONE) {
		c->eof = 1;
		return SQLITE_OK;
	}
	c->rows = NULL;
	c->n = 0;
	c->i = 0;
	if (rc != SQLITE_ROW)
		return cursor_error(c, sqlite3_errmsg(t->db));
	id = sqlite3_column_int64(c->st, 0);
	for (k = 0; k < CACHED; k++) {
		if (c->cache[k].chunk == id && c->cache[k].rows) {
			e = &c->cache[k];
			goto have;
		}
		if (c->cache[k].used < e->used)
			e = &c->cache[k];	/* the least recently used */
	}
	n = sqlite3_column_int64(c->st, 1);
	data = sqlite3_column_blob(c->st, 2);
	size = sqlite3_column_bytes(c->st, 2);
	e->chunk = 0;
	if (id == 0 || n < 1 || n > HWT_CALLS_CHUNK || !data || size <= 0)
		return cursor_error(c, "a call_chunks row is not as hwt "
				    "writes it (id, row count or data)");
	if (!e->rows) {
		e->rows = sqlite3_malloc64(HWT_CALLS_CHUNK * sizeof(*e->rows));
		if (!e->rows)
			return SQLITE_NOMEM;
	}
	if (hwt_calls_decode(data, (size_t)size, (size_t)n, e->rows) < 0)
		return cursor_error(c, "a call_chunks row's data is "
				    "damaged");
	e->chunk = id;
	e->n = (size_t)n;
have:
	e->used = ++c->clock;
	c->rows = e->rows;
	c->n = e->n;
	return SQLITE_OK;
}

/* From the current row on, the first that the filter keeps (loading
 * chunks as needed).  Returns an SQLite result code. */
static int settle(struct calls_cursor *c)
{
	int rc;

	for (;;) {
		while (c->i < c->n) {
			if (!c->eq ||
			    (sqlite3_int64)c->rows[c->i].v[0] == c->want)
				return SQLITE_OK;
			c->i++;
		}
		rc = next_chunk(c);
		if (rc != SQLITE_OK || c->eof)
			return rc;
	}
}

/* Whether a cached chunk holds id c->want (then the current row).  Its
 * rows are in id order as hwt writes them; a file's that are not only
 * miss here. */
static int find_cached(struct calls_cursor *c)
{
	int k;

	for (k = 0; k < CACHED; k++) {
		struct cached *e = &c->cache[k];
		size_t lo = 0, hi = e->chunk ? e->n : 0;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			sqlite3_int64 id = (sqlite3_int64)e->rows[mid].v[0];

			if (id == c->want) {
				e->used = ++c->clock;
				c->rows = e->rows;
				c->n = e->n;
				c->i = mid;
				return 1;
			}
			if (id < c->want)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return 0;
}

static int calls_filter(sqlite3_vtab_cursor *cur, int idx_num,
			const char *idx_str, int argc, sqlite3_value **argv)
{
	struct calls_cursor *c = (struct calls_cursor *)cur;

	(void)idx_str;
	sqlite3_reset(c->scan);
	sqlite3_reset(c->find);
	c->st = idx_num == 1 ? c->find : c->scan;
	c->eof = 0;
	c->eq = 0;
	c->rows = NULL;
	c->n = c->i = 0;
	if (idx_num == 1) {
		if (argc < 1 ||
		    sqlite3_value_numeric_type(argv[0]) != SQLITE_INTEGER) {
			c->eof = 1;	/* no integer id equals it */
			return SQLITE_OK;
		}
		c->eq = 1;
		c->want = sqlite3_value_int64(argv[0]);
		/* ids are unique: a row found is the row. */
		if (find_cached(c))
			return SQLITE_OK;
		sqlite3_bind_int64(c->find, 1, c->want);
	}
	return settle(c);
}

static int calls_next(sqlite3_vtab_cursor *cur)
{
	struct calls_cursor *c = (struct calls_cursor *)cur;

	if (c->eq) {
		c->eof = 1;	/* ids are unique */
		return SQLITE_OK;
	}
	c->i++;
	return settle(c);
}

static int calls_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct calls_cursor *)cur)->eof;
}

static int calls_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
			int col)
{
	struct calls_cursor *c = (struct calls_cursor *)cur;
	const struct hwt_calls_rec *r = &c->rows[c->i];
	uint64_t v;

	if (col < 0 || col >= C_NUM)
		return SQLITE_ERROR;
	if (col == C_COMM)
		v = 0;
	else if (col == C_INSNS)
		v = r->v[col_field[C_RINSN]] - r->v[col_field[C_CINSN]];
	else
		v = r->v[(int)col_field[col]];
	sqlite3_result_int64(ctx, (sqlite3_int64)v);
	return SQLITE_OK;
}

static int calls_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	struct calls_cursor *c = (struct calls_cursor *)cur;

	*rowid = (sqlite3_int64)c->rows[c->i].v[0];
	return SQLITE_OK;
}

static const sqlite3_module calls_module = {
	.iVersion = 0,
	.xCreate = calls_connect,
	.xConnect = calls_connect,
	.xBestIndex = calls_best_index,
	.xDisconnect = calls_disconnect,
	.xDestroy = calls_disconnect,
	.xOpen = calls_open,
	.xClose = calls_close,
	.xFilter = calls_filter,
	.xNext = calls_next,
	.xEof = calls_eof,
	.xColumn = calls_column,
	.xRowid = calls_rowid,
};

int hwt_calls_vtab_register(struct sqlite3 *db)
{
	return sqlite3_create_module(db, "hwt_calls", &calls_module, NULL);
}

#ifdef HWT_CALLS_EXT
int sqlite3_hwtcalls_init(sqlite3 *db, char **err,
			  const sqlite3_api_routines *api);

/* The loadable extension's entry point ("hwt_calls.so" -> hwtcalls). */
int sqlite3_hwtcalls_init(sqlite3 *db, char **err,
			  const sqlite3_api_routines *api)
{
	(void)err;
	SQLITE_EXTENSION_INIT2(api);
	return hwt_calls_vtab_register(db);
}
#endif
