/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A CoreSight stream of a trace session (docs/trace-store.md): streams
 * row, stream_params (ETM registers, core_profile), chunks (bounds and
 * crc32 checked) -> hwt_cs_decode_stream.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sqlite3.h>
#include <zlib.h>

#include "cs_frontend.h"
#include "internal.h"

struct params {
	sqlite3_stmt *st;
	int64_t id;
	char buf[128];
};

static const char *param(void *arg, const char *key)
{
	struct params *p = arg;
	const char *v = NULL;

	sqlite3_reset(p->st);
	sqlite3_bind_int64(p->st, 1, p->id);
	sqlite3_bind_text(p->st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(p->st) == SQLITE_ROW &&
	    sqlite3_column_text(p->st, 0)) {
		snprintf(p->buf, sizeof(p->buf), "%s",
			 (const char *)sqlite3_column_text(p->st, 0));
		v = p->buf;
	}
	return v;
}

struct cuts {
	struct hwt_cs_cut *c;
	char (*msg)[96];
	size_t n;
};

static void add_cut(struct cuts *k, uint64_t off, const char *msg)
{
	k->c = hwt_xrealloc(k->c, (k->n + 1) * sizeof(*k->c));
	k->msg = hwt_xrealloc(k->msg, (k->n + 1) * sizeof(*k->msg));
	snprintf(k->msg[k->n], sizeof(k->msg[0]), "%s", msg);
	k->c[k->n].offset = off;
	k->n++;
}

static int cut_cmp(const void *a, const void *b)
{
	const struct hwt_cs_cut *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int hwt_cs_decode_session_stream(struct sqlite3 *sdb, const char *dir,
				 int64_t id, int64_t tid,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink, char *err,
				 size_t errlen)
{
	struct hwt_cs_stream s;
	struct params p;
	struct cuts k;
	sqlite3_stmt *st = NULL;
	const uint8_t *file = NULL;
	uint8_t *buf = NULL;
	size_t fsize = 0, n = 0, i;
	char path[PATH_MAX], kind[16] = "", name[32];
	int64_t expect = 0;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	memset(&k, 0, sizeof(k));
	p.id = id;
	if (sqlite3_prepare_v2(sdb, "SELECT kind, formatted, trace_id, cpu "
			       "FROM streams WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: %s", sqlite3_errmsg(sdb));
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		hwt_seterr(err, errlen, "session.db: no stream %lld",
			   (long long)id);
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(kind, sizeof(kind), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	s.formatted = sqlite3_column_int(st, 1) != 0;
	s.trace_id = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		(int32_t)sqlite3_column_int64(st, 2);
	s.cpu = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		(int32_t)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	if (s.trace_id > 0x7f) {
		hwt_seterr(err, errlen, "stream %lld: trace ID %d out of range",
			   (long long)id, s.trace_id);
		goto out;
	}
	/* The bytes the chunks index, in order; anything not cleanly there
	 * is a cut (gap) in the decode. */
	snprintf(path, sizeof(path), "%s/stream-%lld.bin", dir, (long long)id);
	file = hwt_map_file(path, &fsize, err, errlen);
	if (!file)
		goto out;
	if (sqlite3_prepare_v2(sdb, "SELECT seq, offset, length, crc32, "
			       "lost_before FROM chunks WHERE stream = ? "
			       "ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: %s", sqlite3_errmsg(sdb));
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t off = sqlite3_column_int64(st, 1);
		int64_t len = sqlite3_column_int64(st, 2);
		uint32_t crc = (uint32_t)sqlite3_column_int64(st, 3);
		int64_t lost = sqlite3_column_int64(st, 4);
		char msg[96];

		if (seq != expect)
			add_cut(&k, n, "missing chunk");
		expect = seq + 1;
		if (lost > 0) {
			snprintf(msg, sizeof(msg), "%lld bytes lost",
				 (long long)lost);
			add_cut(&k, n, msg);
		}
		if (off < 0 || len < 0 || (uint64_t)off > fsize ||
		    (uint64_t)len > fsize - (uint64_t)off) {
			snprintf(msg, sizeof(msg), "chunk %lld beyond the end "
				 "of stream-%lld.bin", (long long)seq,
				 (long long)id);
			add_cut(&k, n, msg);
			continue;
		}
		if (crc32(0, file + off, (uInt)len) != crc) {
			snprintf(msg, sizeof(msg),
				 "chunk %lld: crc32 mismatch, skipped",
				 (long long)seq);
			add_cut(&k, n, msg);
			continue;
		}
		buf = hwt_xrealloc(buf, n + (size_t)len);
		memcpy(buf + n, file + off, (size_t)len);
		n += (size_t)len;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(sdb, "SELECT stream_offset, aux FROM records "
			       "WHERE type IN ('buffer', 'lost') AND "
			       "stream = ? AND stream_offset IS NOT NULL",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char msg[96];
			int64_t off = sqlite3_column_int64(st, 0);

			snprintf(msg, sizeof(msg),
				 "buffer record: %lld bytes lost",
				 (long long)sqlite3_column_int64(st, 1));
			add_cut(&k, off < 0 ? 0 : (uint64_t)off, msg);
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	for (i = 0; i < k.n; i++)
		k.c[i].msg = k.msg[i];
	/* Sort the (offset, msg) pairs together: msg points into k.msg. */
	qsort(k.c, k.n, sizeof(*k.c), cut_cmp);
	if (sqlite3_prepare_v2(sdb, "SELECT value FROM stream_params WHERE "
			       "stream = ? AND key = ?", -1, &p.st,
			       NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: no stream_params table");
		goto out;
	}
	snprintf(name, sizeof(name), "stream-%lld", (long long)id);
	s.id = (uint32_t)id;
	s.tid = (int32_t)tid;
	s.kind = kind;
	s.param = param;
	s.param_arg = &p;
	s.data = buf ? buf : (const uint8_t *)"";
	s.size = n;
	s.read_mem = read_mem;
	s.read_mem_arg = read_mem_arg;
	s.name = name;
	s.cuts = k.c;
	s.ncuts = k.n;
	rc = hwt_cs_decode_stream(&s, sink, err, errlen);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(p.st);
	if (file && fsize)
		munmap((void *)file, fsize);
	free(buf);
	free(k.c);
	free(k.msg);
	return rc;
}
