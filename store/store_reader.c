// SPDX-License-Identifier: BSD-2-Clause
/* The session reader (store_reader.h): the only SQL that reads session.db. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zlib.h>

#include "hwt/hwt.h"
#include "hwt_err.h"
#include "store_io.h"
#include "store_reader.h"

struct hwt_store_reader {
	int dirfd;
	uid_t owner;
	sqlite3 *db;
	sqlite3_stmt *param;	/* prepared once: front ends ask per key */
	struct hwt_sqlite_budget budget;
};

/* The message of a read that did not end on SQLITE_DONE (or could not
 * start).  Returns -1. */
static int db_fail(struct hwt_store_reader *r, const char *what, char *err,
		   size_t errlen)
{
	char why[256];

	return hwt_errf(err, errlen, "session.db: reading %s: %s", what,
			hwt_sqlite_errmsg(r->db, &r->budget, why,
					  sizeof(why)));
}

struct hwt_store_reader *hwt_store_reader_open(const char *dir, char *err,
					       size_t errlen)
{
	struct hwt_store_reader *r = calloc(1, sizeof(*r));
	struct stat sb;
	char v[32];
	int rc;

	if (!r) {
		hwt_errf(err, errlen, "%s: out of memory", dir);
		return NULL;
	}
	r->dirfd = hwt_open_dir(AT_FDCWD, dir, 1, err, errlen);
	if (r->dirfd < 0)
		goto fail;
	if (fstat(r->dirfd, &sb) < 0) {
		hwt_errf(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	r->owner = sb.st_uid;
	r->db = hwt_session_db_open(r->dirfd, dir, 0, &r->budget, err,
				    errlen);
	if (!r->db)
		goto fail;
	rc = hwt_store_reader_meta(r, "format_version", v, sizeof(v), err,
				   errlen);
	if (rc < 0)
		goto fail;
	/* 2 only packs switch records into BLOBs; both read the same here. */
	if (!rc || (strcmp(v, "1") && strcmp(v, "2"))) {
		hwt_errf(err, errlen, "%s/session.db: corrupt or unsupported "
			 "session database (format_version 1 or 2 expected)",
			 dir);
		goto fail;
	}
	return r;
fail:
	hwt_store_reader_close(r);
	return NULL;
}

void hwt_store_reader_close(struct hwt_store_reader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->param);
	sqlite3_close(r->db);
	if (r->dirfd >= 0)
		close(r->dirfd);
	free(r);
}

int hwt_store_reader_dirfd(const struct hwt_store_reader *r)
{
	return r->dirfd;
}

uid_t hwt_store_reader_owner(const struct hwt_store_reader *r)
{
	return r->owner;
}

/* One value of a prepared single-column query: 1, 0 or -1. */
static int one_value(struct hwt_store_reader *r, sqlite3_stmt *st,
		     const char *what, char *buf, size_t len, char *err,
		     size_t errlen)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		snprintf(buf, len, "%s", v ? (const char *)v : "");
		return 1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(r, what, err, errlen);
}

int hwt_store_reader_meta(struct hwt_store_reader *r, const char *key,
			  char *buf, size_t len, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, "meta", err, errlen);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = one_value(r, st, "meta", buf, len, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int hwt_store_reader_param(struct hwt_store_reader *r, int64_t stream,
			   const char *key, char *buf, size_t len, char *err,
			   size_t errlen)
{
	int rc;

	if (!r->param &&
	    sqlite3_prepare_v2(r->db, "SELECT value FROM stream_params WHERE "
			       "stream = ? AND key = ?", -1, &r->param,
			       NULL) != SQLITE_OK)
		return db_fail(r, "stream_params", err, errlen);
	sqlite3_reset(r->param);
	sqlite3_bind_int64(r->param, 1, stream);
	sqlite3_bind_text(r->param, 2, key, -1, SQLITE_STATIC);
	rc = one_value(r, r->param, "stream_params", buf, len, err, errlen);
	sqlite3_reset(r->param);
	return rc;
}

static int64_t int_or_none(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 :
	       sqlite3_column_int64(st, col);
}

int hwt_store_reader_streams(struct hwt_store_reader *r,
			     struct hwt_store_stream **out, size_t *n,
			     char *err, size_t errlen)
{
	struct hwt_store_stream *v = NULL, *q;
	sqlite3_stmt *st;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(r->db,
	    "SELECT s.id, s.kind, s.tid, s.cpu, s.trace_id, s.formatted,"
	    " s.bytes, s.lost, COUNT(c.seq), COALESCE(SUM(c.length), 0),"
	    " COALESCE(SUM(c.lost_before), 0),"
	    " COALESCE(SUM(c.lost_before > 0), 0),"
	    " COALESCE(MAX(c.offset + c.length), 0)"
	    " FROM streams s LEFT JOIN chunks c ON c.stream = s.id"
	    " GROUP BY s.id ORDER BY s.id", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, "streams", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *kind = sqlite3_column_text(st, 1);
		struct hwt_store_stream *s;

		q = realloc(v, (cnt + 1) * sizeof(*v));
		if (!q) {
			sqlite3_finalize(st);
			free(v);
			return hwt_errf(err, errlen, "session.db: reading "
					"streams: out of memory");
		}
		v = q;
		s = &v[cnt++];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(st, 0);
		snprintf(s->kind, sizeof(s->kind), "%s",
			 kind ? (const char *)kind : "?");
		s->tid = int_or_none(st, 2);
		s->cpu = int_or_none(st, 3);
		s->trace_id = int_or_none(st, 4);
		s->formatted = sqlite3_column_int(st, 5) != 0;
		s->bytes = sqlite3_column_int64(st, 6);
		s->lost = sqlite3_column_int64(st, 7);
		s->chunks = sqlite3_column_int64(st, 8);
		s->chunk_bytes = sqlite3_column_int64(st, 9);
		s->chunk_lost = sqlite3_column_int64(st, 10);
		s->gaps = sqlite3_column_int64(st, 11);
		s->chunk_end = sqlite3_column_int64(st, 12);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_fail(r, "streams", err, errlen);
	}
	*out = v;
	*n = cnt;
	return 0;
}

struct mapping_filter {
	int (*cb)(void *arg, const struct hwt_store_mapping *m);
	void *arg;
};

/* A records row that maps a file: mmap or exec with a path and a length. */
static int mapping_of(void *arg, const struct hwt_store_record *rec)
{
	const struct mapping_filter *f = arg;
	struct hwt_store_mapping m;

	if ((strcmp(rec->type, "mmap") && strcmp(rec->type, "exec")) ||
	    !rec->path || rec->len <= 0)
		return 0;
	m.path = rec->path;
	m.addr = rec->has_addr ? (uint64_t)rec->addr : 0;
	m.len = (uint64_t)rec->len;
	m.pgoff = rec->pgoff < 0 ? 0 : (uint64_t)rec->pgoff;
	m.pid = rec->pid;
	return f->cb(f->arg, &m);
}

int hwt_store_reader_mappings(struct hwt_store_reader *r,
			      int (*cb)(void *arg,
					const struct hwt_store_mapping *m),
			      void *arg, char *err, size_t errlen)
{
	struct mapping_filter f = { cb, arg };

	return hwt_store_reader_records(r, mapping_of, &f, err, errlen);
}

int hwt_store_reader_records(struct hwt_store_reader *r,
			     int (*cb)(void *arg,
				       const struct hwt_store_record *rec),
			     void *arg, char *err, size_t errlen)
{
	struct hwt_store_record rec;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT id, type, time, pid, tid, cpu, "
			       "stream, stream_offset, addr, len, pgoff, prot, "
			       "flags, aux, path FROM records ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, "records", err, errlen);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		const unsigned char *p = sqlite3_column_text(st, 14);

		rec.id = sqlite3_column_int64(st, 0);
		rec.type = t ? (const char *)t : "";
		rec.time = int_or_none(st, 2);
		rec.pid = int_or_none(st, 3);
		rec.tid = int_or_none(st, 4);
		rec.cpu = int_or_none(st, 5);
		rec.stream = int_or_none(st, 6);
		rec.stream_offset = int_or_none(st, 7);
		rec.addr = int_or_none(st, 8);
		rec.has_addr = sqlite3_column_type(st, 8) != SQLITE_NULL;
		rec.len = int_or_none(st, 9);
		rec.pgoff = int_or_none(st, 10);
		rec.prot = int_or_none(st, 11);
		rec.flags = int_or_none(st, 12);
		rec.aux = int_or_none(st, 13);
		rec.path = p ? (const char *)p : NULL;
		stop = cb(arg, &rec);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return db_fail(r, "records", err, errlen);
	return 0;
}

/* Returns the little-endian u64 at p. */
static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Returns the little-endian s32 at p. */
static int64_t le32s(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

int hwt_store_reader_switches(struct hwt_store_reader *r,
			      int (*cb)(void *arg,
					const struct hwt_store_record *rec),
			      void *arg, char *err, size_t errlen)
{
	struct hwt_store_record rec;
	sqlite3_stmt *st;
	int rc, stop = 0;
	char v[8];

	rc = hwt_store_reader_meta(r, "format_version", v, sizeof(v), err,
				   errlen);
	if (rc <= 0 || strcmp(v, "2"))
		return rc < 0 ? -1 : 0;	/* format 1: no switches table */
	if (sqlite3_prepare_v2(r->db, "SELECT id, stream, type, count, entries"
			       " FROM switches ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(r, "switches", err, errlen);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 2);
		int64_t id = sqlite3_column_int64(st, 0);
		int64_t count = sqlite3_column_int64(st, 3);
		const unsigned char *b = sqlite3_column_blob(st, 4);
		int64_t n = sqlite3_column_bytes(st, 4), i;
		char type[16];

		/* docs/trace-store.md "Format 2": count x 32 bytes */
		snprintf(type, sizeof(type), "%s", t ? (const char *)t : "");
		if (count < 0 || n != count * 32 ||
		    (strcmp(type, "switch_in") && strcmp(type, "switch_out"))) {
			/* the message before finalize frees the row */
			hwt_errf(err, errlen, "session.db: switches row %lld: "
				 "%lld bytes of entries for count %lld, type "
				 "'%s'", (long long)id, (long long)n,
				 (long long)count, type);
			sqlite3_finalize(st);
			return -1;
		}
		for (i = 0; !stop && i < count; i++) {
			const unsigned char *e = b + 32 * i;
			uint64_t so = le64(e + 8);

			memset(&rec, 0xff, sizeof(rec));
			rec.id = id;
			rec.type = type;
			rec.time = (int64_t)le64(e);
			rec.stream = sqlite3_column_type(st, 1) == SQLITE_NULL ?
				-1 : sqlite3_column_int64(st, 1);
			rec.stream_offset = so == UINT64_MAX ? -1 :
				(int64_t)so;
			rec.pid = le32s(e + 16);
			rec.tid = le32s(e + 20);
			rec.cpu = le32s(e + 24);
			rec.aux = le32s(e + 28);
			rec.has_addr = 0;
			rec.path = NULL;
			stop = cb(arg, &rec);
		}
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return db_fail(r, "switches", err, errlen);
	return 0;
}

struct switch_ins {
	int64_t stream;
	struct hwt_store_switch_in *v;
	size_t n;
	int64_t bad_id;		/* the entry that broke the order, or -1 */
	uint64_t bad_prev;	/* the offset before it */
	int64_t bad_off;
};

/* A switch_in of the wanted stream into the array; 1 (stop) at an entry
 * without an offset or before the previous one of its CPU, -2 when
 * memory runs out.  Per CPU: CPUs that share one sink publish their
 * heads under the sink's lock but queue their records after it, so two
 * CPUs' records may arrive out of offset order. */
static int switch_in_of(void *arg, const struct hwt_store_record *rec)
{
	struct switch_ins *s = arg;
	struct hwt_store_switch_in *w;
	uint64_t prev = 0;
	size_t i;

	if (strcmp(rec->type, "switch_in") || rec->stream != s->stream)
		return 0;
	for (i = s->n; i > 0; i--)
		if (s->v[i - 1].cpu == rec->cpu) {
			prev = s->v[i - 1].offset;
			break;
		}
	if (rec->stream_offset < 0 || (uint64_t)rec->stream_offset < prev) {
		s->bad_id = rec->id;
		s->bad_prev = prev;
		s->bad_off = rec->stream_offset;
		return 1;
	}
	w = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (!w)
		return -2;
	s->v = w;
	w = &s->v[s->n++];
	w->offset = (uint64_t)rec->stream_offset;
	w->time = rec->time;
	w->pid = rec->pid;
	w->tid = rec->tid;
	w->cpu = rec->cpu;
	return 0;
}

int hwt_store_reader_switch_ins(struct hwt_store_reader *r, int64_t id,
				struct hwt_store_switch_in **out, size_t *n,
				char *err, size_t errlen)
{
	struct switch_ins s = { id, NULL, 0, -1, 0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	rc = hwt_store_reader_records(r, switch_in_of, &s, err, errlen);
	if (!rc)
		rc = hwt_store_reader_switches(r, switch_in_of, &s, err,
					       errlen);
	if (rc == -2)
		hwt_errf(err, errlen, "stream %lld: out of memory for its "
			 "switch records", (long long)id);
	else if (rc == 1)
		hwt_errf(err, errlen, "stream %lld: switch_in %zu (row %lld)"
			 " at offset %lld, %s %llu", (long long)id, s.n,
			 (long long)s.bad_id, (long long)s.bad_off,
			 s.bad_off < 0 ? "no offset; the previous at" :
			 "before the previous at",
			 (unsigned long long)s.bad_prev);
	if (rc) {
		free(s.v);
		return -1;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

/* A growing array of cuts; 0, or -1 when memory runs out. */
struct cuts {
	struct hwt_store_cut *v;
	size_t n;
	int oom;
	uint64_t *ends;		/* NULL: not wanted */
	size_t nends;
	int want_ends;
};

/* Notes that a chunk ends at offset of the buffer.  Returns nothing. */
static void add_end(struct cuts *c, uint64_t offset)
{
	uint64_t *q;

	if (!c->want_ends || c->oom)
		return;
	q = realloc(c->ends, (c->nends + 1) * sizeof(*q));
	if (!q) {
		c->oom = 1;
		return;
	}
	c->ends = q;
	q[c->nends++] = offset;
}

static void add_cut(struct cuts *c, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_cut(struct cuts *c, uint64_t offset, const char *fmt, ...)
{
	struct hwt_store_cut *q;
	va_list ap;

	if (c->oom)
		return;
	q = realloc(c->v, (c->n + 1) * sizeof(*q));
	if (!q) {
		c->oom = 1;
		return;
	}
	c->v = q;
	q[c->n].offset = offset;
	va_start(ap, fmt);
	vsnprintf(q[c->n].msg, sizeof(q->msg), fmt, ap);
	va_end(ap);
	c->n++;
}

static int cut_cmp(const void *a, const void *b)
{
	const struct hwt_store_cut *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The bytes of a growing buffer; 0, or -1 when memory runs out. */
static int append(uint8_t **buf, size_t *n, const uint8_t *p, size_t len)
{
	uint8_t *q = realloc(*buf, *n + len ? *n + len : 1);

	if (!q)
		return -1;
	if (len)	/* p may be NULL only then */
		memcpy(q + *n, p, len);
	*buf = q;
	*n += len;
	return 0;
}

/* Maps stream-ID.bin (checked as store_io.h says); *size 0: no mapping. */
static const uint8_t *map_stream(struct hwt_store_reader *r,
				 const char *name, size_t *size, char *err,
				 size_t errlen)
{
	struct hwt_file_policy pol = { .check_owner = 1, .owner = r->owner };
	const uint8_t *p;
	int fd;

	*size = 0;
	fd = hwt_open_checked(r->dirfd, name, name, &pol, NULL, err, errlen);
	if (fd < 0)
		return NULL;
	p = hwt_map_fd(fd, name, size, err, errlen);
	close(fd);
	return p;
}

/* The chunks of stream id, in order, appended to *buf; cuts where they do
 * not join.  0, or -1 (err set). */
static int read_chunks(struct hwt_store_reader *r, int64_t id,
		       const char *name, const uint8_t *file, size_t fsize,
		       uint8_t **buf, size_t *n, struct cuts *c, char *err,
		       size_t errlen)
{
	sqlite3_stmt *st;
	uint64_t next = 0;	/* the file's bytes before next are used */
	int64_t expect = 0;
	int rc, oom = 0;

	if (sqlite3_prepare_v2(r->db, "SELECT seq, offset, length, crc32, "
			       "lost_before FROM chunks WHERE stream = ? "
			       "ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, "chunks", err, errlen);
	sqlite3_bind_int64(st, 1, id);
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t off = sqlite3_column_int64(st, 1);
		int64_t len = sqlite3_column_int64(st, 2);
		uint32_t crc = (uint32_t)sqlite3_column_int64(st, 3);
		int64_t lost = sqlite3_column_int64(st, 4);

		if (seq != expect)
			add_cut(c, *n, "missing chunk");
		expect = seq + 1;
		if (lost > 0)
			add_cut(c, *n, "%lld bytes lost", (long long)lost);
		if (off < 0 || len < 0 || (uint64_t)off >= fsize) {
			add_cut(c, *n, "chunk %lld beyond the end of %s "
				"(truncated file)", (long long)seq, name);
			continue;
		}
		if ((uint64_t)off < next) {
			/* The writer never indexes a byte twice: the index
			 * itself is damaged, and no decode of it is true. */
			sqlite3_finalize(st);
			return hwt_errf(err, errlen, "%s: chunk %lld at offset "
					"%lld overlaps the chunks before it (they "
					"end at %llu): the chunk index is "
					"inconsistent (hwt fsck reports it)",
					name, (long long)seq, (long long)off,
					(unsigned long long)next);
		}
		if ((uint64_t)len > fsize - (uint64_t)off) {
			/* Use what is left, unverified, and say so after it. */
			len = (int64_t)(fsize - (uint64_t)off);
			oom = append(buf, n, file + off, (size_t)len);
			add_end(c, *n);
			next = fsize;
			add_cut(c, *n, "%s truncated in chunk %lld (%lld bytes "
				"left, unverified)", name, (long long)seq,
				(long long)len);
			continue;
		}
		next = (uint64_t)(off + len);
		if (crc32(0, file + off, (uInt)len) != crc) {
			add_cut(c, *n, "chunk %lld: crc32 mismatch, skipped",
				(long long)seq);
			continue;
		}
		if (len) {
			oom = append(buf, n, file + off, (size_t)len);
			add_end(c, *n);
		}
	}
	sqlite3_finalize(st);
	if (oom)
		return hwt_errf(err, errlen, "%s: out of memory", name);
	/* Never "no more chunks": the decode would silently lose the rest
	 * of the trace. */
	if (rc != SQLITE_DONE)
		return db_fail(r, "chunks", err, errlen);
	return 0;
}

/*
 * BUFFER records of a loss (HWT_BUFREC_OVERFLOW: bytes dropped or
 * overwritten unread; HWT_BUFREC_GAP: the unit stopped writing) and LOST
 * records place losses in the stream's bytes; their stream_offset is a
 * stored offset (the collector maps the kernel's head to it).  A WRAP
 * alone loses nothing: the bytes on both sides are one stream.  0 or -1.
 */
static int read_loss_records(struct hwt_store_reader *r, int64_t id,
			     struct cuts *c, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(r->db, "SELECT stream_offset, aux FROM records "
			       "WHERE (type = 'lost' OR (type = 'buffer' AND "
			       "(flags & ?) != 0)) AND "
			       "stream = ? AND stream_offset IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(r, "records", err, errlen);
	sqlite3_bind_int64(st, 1, HWT_BUFREC_OVERFLOW | HWT_BUFREC_GAP);
	sqlite3_bind_int64(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t off = sqlite3_column_int64(st, 0);

		add_cut(c, off < 0 ? 0 : (uint64_t)off,
			"buffer record: %lld bytes lost",
			(long long)sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(r, "records", err, errlen);
	return 0;
}

uint8_t *hwt_store_reader_bytes(struct hwt_store_reader *r, int64_t id,
				size_t *size, struct hwt_store_cut **cuts,
				size_t *ncuts, char *err, size_t errlen)
{
	return hwt_store_reader_chunked(r, id, size, cuts, ncuts, NULL, NULL,
					err, errlen);
}

uint8_t *hwt_store_reader_chunked(struct hwt_store_reader *r, int64_t id,
				  size_t *size, struct hwt_store_cut **cuts,
				  size_t *ncuts, uint64_t **ends, size_t *nends,
				  char *err, size_t errlen)
{
	struct cuts c = { NULL, 0, 0, NULL, 0, ends != NULL };
	const uint8_t *file;
	uint8_t *buf = NULL;
	size_t fsize, n = 0;
	char name[48];
	int rc;

	*cuts = NULL;
	*ncuts = 0;
	if (ends) {
		*ends = NULL;
		*nends = 0;
	}
	if (id < 0 || id > INT32_MAX) {
		hwt_errf(err, errlen, "session.db: stream id %lld out of "
			 "range", (long long)id);
		return NULL;
	}
	snprintf(name, sizeof(name), "stream-%lld.bin", (long long)id);
	file = map_stream(r, name, &fsize, err, errlen);
	if (!file)
		return NULL;
	rc = read_chunks(r, id, name, file, fsize, &buf, &n, &c, err, errlen);
	if (!rc)
		rc = read_loss_records(r, id, &c, err, errlen);
	if (fsize)
		munmap((void *)file, fsize);
	/* Never NULL on success, even for a stream without bytes. */
	if (!rc && ((!buf && !(buf = malloc(1))) || c.oom))
		rc = hwt_errf(err, errlen, "%s: out of memory", name);
	if (rc) {
		free(buf);
		free(c.v);
		free(c.ends);
		return NULL;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cut_cmp);
	*cuts = c.v;
	*ncuts = c.n;
	*size = n;
	if (ends) {
		*ends = c.ends;
		*nends = c.nends;
	}
	return buf;
}

int64_t hwt_store_reader_file_size(const struct hwt_store_reader *r,
				   int64_t id)
{
	char name[48];
	struct stat sb;

	/* The name from a bounded integer only; lstat: never follows. */
	if (id < 0 || id > INT32_MAX)
		return -1;
	snprintf(name, sizeof(name), "stream-%lld.bin", (long long)id);
	if (fstatat(r->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISREG(sb.st_mode))
		return -1;
	return (int64_t)sb.st_size;
}

int hwt_store_reader_record_counts(struct hwt_store_reader *r,
				   struct hwt_store_record_count **out,
				   size_t *n, char *err, size_t errlen)
{
	struct hwt_store_record_count *v = NULL, *q;
	sqlite3_stmt *st;
	size_t cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	/* Format 2 packs switch records into switches BLOBs: count both;
	 * format 1 has no switches table. */
	if (sqlite3_prepare_v2(r->db, "SELECT type, SUM(n) FROM (SELECT type,"
			       " COUNT(*) AS n FROM records GROUP BY type"
			       " UNION ALL SELECT type, SUM(count) FROM"
			       " switches GROUP BY type) GROUP BY type ORDER"
			       " BY type", -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(r->db, "SELECT type, COUNT(*) FROM records GROUP"
			       " BY type ORDER BY type", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(r, "records", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *type = sqlite3_column_text(st, 0);

		q = realloc(v, (cnt + 1) * sizeof(*v));
		if (!q) {
			sqlite3_finalize(st);
			free(v);
			return hwt_errf(err, errlen, "session.db: reading "
					"records: out of memory");
		}
		v = q;
		snprintf(v[cnt].type, sizeof(v[cnt].type), "%s",
			 type ? (const char *)type : "?");
		v[cnt++].count = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_fail(r, "records", err, errlen);
	}
	*out = v;
	*n = cnt;
	return 0;
}
