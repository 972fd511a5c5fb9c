// SPDX-License-Identifier: BSD-2-Clause
/* Trace store writer; see store.h and docs/trace-store.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <zlib.h>

#include "hwt_err.h"
#include "store.h"
#include "store_io.h"

#define MAX_STREAMS	1024

struct pending_chunk {
	uint32_t stream;
	uint64_t seq, offset, length, lost_before, time;
	uint32_t crc;
};

struct stream {
	int fd;			/* -1: not declared */
	char kind[16];		/* the row, rewritten at each commit: a */
	int tid, cpu, trace_id, formatted;	/* rolled-back one comes back */
	uint64_t size;		/* bytes in the file */
	uint64_t seq;		/* next chunk number */
	uint64_t lost;
	int dirty;
};

/* Switch entries of one (stream, type) since the last commit: a BLOB. */
struct swbuf {
	uint8_t *p;
	size_t n, cap;		/* bytes */
};

#define SW_ENTRY	32	/* bytes per packed switch entry */
#define SW_NONE		MAX_STREAMS	/* slot of switches with no stream */

struct hwt_store {
	char dir[PATH_MAX];
	int dirfd;
	unsigned mode;		/* of the files */
	sqlite3 *db;
	sqlite3_stmt *ins_record, *ins_chunk, *upd_stream, *ins_switch;
	struct stream streams[MAX_STREAMS];
	struct swbuf sw[2][MAX_STREAMS + 1];	/* [out?][stream] */
	struct pending_chunk *pending;
	size_t npending, cap;
	char err[256];
};

static const char schema[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE streams (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" tid INTEGER, cpu INTEGER, trace_id INTEGER,"
	" formatted INTEGER NOT NULL DEFAULT 0,"
	" bytes INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE stream_params (stream INTEGER NOT NULL, key TEXT NOT NULL,"
	" value TEXT NOT NULL, PRIMARY KEY (stream, key));"
	"CREATE TABLE chunks (stream INTEGER NOT NULL, seq INTEGER NOT NULL,"
	" offset INTEGER NOT NULL, length INTEGER NOT NULL,"
	" crc32 INTEGER NOT NULL, lost_before INTEGER NOT NULL DEFAULT 0,"
	" time INTEGER, PRIMARY KEY (stream, seq));"
	"CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL,"
	" time INTEGER, pid INTEGER, tid INTEGER, cpu INTEGER, stream INTEGER,"
	" stream_offset INTEGER, addr INTEGER, len INTEGER, pgoff INTEGER,"
	" prot INTEGER, flags INTEGER, path TEXT, aux INTEGER);"
	"CREATE TABLE switches (id INTEGER PRIMARY KEY, stream INTEGER,"
	" type TEXT NOT NULL, count INTEGER NOT NULL, entries BLOB NOT NULL);";

static int fail(struct hwt_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwt_verrf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int db_fail(struct hwt_store *s, const char *what)
{
	return fail(s, "%s: %s", what, sqlite3_errmsg(s->db));
}

const char *hwt_store_error(const struct hwt_store *s)
{
	return s->err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Names a session directory may hold; hwt_store_create() removes them
 * all from a directory it made and could not finish. */
#define TMP_DB		HWT_SESSION_TMP_DB

static void remove_made(struct hwt_store *s)
{
	static const char *const names[] = {
		TMP_DB, TMP_DB "-wal", TMP_DB "-shm", TMP_DB "-journal",
		"session.db", "session.db-wal", "session.db-shm",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(s->dirfd, names[i], 0);
	rmdir(s->dir);
}

/*
 * session.db is built complete (schema, format_version, state) under a
 * temporary name and renamed into place: a session killed or out of disk
 * while being created never has a session.db without its tables.
 */
static int build_db(struct hwt_store *s, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], created[32], version[16];
	time_t t = time(NULL);
	int fd;

	fd = openat(s->dirfd, TMP_DB, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, s->mode);
	if (fd < 0) {
		hwt_errf(err, errlen, "%s/%s: %s", s->dir, TMP_DB,
			 strerror(errno));
		return -1;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/%s", s->dir, TMP_DB);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	snprintf(version, sizeof(version), "%d", HWT_STORE_FORMAT_VERSION);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=FULL; BEGIN", NULL, NULL, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    hwt_store_meta(s, "format_version", version) ||
	    hwt_store_meta(s, "created", created) ||
	    hwt_store_meta(s, "state", "recording") ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		return -1;
	}
	/* The last close checkpoints the WAL into the file (synced) and
	 * removes it: the renamed file is complete on its own. */
	if (sqlite3_close(s->db) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		return -1;
	}
	s->db = NULL;
	fd = openat(s->dirfd, TMP_DB, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fsync(fd) ||
	    renameat(s->dirfd, TMP_DB, s->dirfd, "session.db") ||
	    fsync(s->dirfd)) {
		hwt_errf(err, errlen, "%s/session.db: %s", s->dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

struct hwt_store *hwt_store_create(const char *dir, char *err, size_t errlen)
{
	return hwt_store_create_opts(dir, NULL, err, errlen);
}

struct hwt_store *hwt_store_create_opts(const char *dir,
					const struct hwt_store_opts *o,
					char *err, size_t errlen)
{
	struct hwt_store *s = calloc(1, sizeof(*s));
	char path[PATH_MAX + 16];
	unsigned mode = o && o->mode ? o->mode & 0666 : 0600;
	int i;

	if (!s) {
		hwt_errf(err, errlen, "out of memory");
		return NULL;
	}
	s->dirfd = -1;
	s->mode = mode;
	for (i = 0; i < MAX_STREAMS; i++)
		s->streams[i].fd = -1;
	if (strlen(dir) >= sizeof(s->dir) - 32) {
		hwt_errf(err, errlen, "%s: path too long", dir);
		free(s);
		return NULL;
	}
	strcpy(s->dir, dir);
	/* The directory: the files' mode, searchable where readable. */
	if (mkdir(dir, mode | (mode & 0444) >> 2)) {
		hwt_errf(err, errlen, "%s: %s", dir,
			 errno == EEXIST ? "session already exists" :
					   strerror(errno));
		free(s);
		return NULL;
	}
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	if (s->dirfd < 0) {
		hwt_errf(err, errlen, "%s: %s", s->dir, strerror(errno));
		rmdir(s->dir);
		free(s);
		return NULL;
	}
	if (build_db(s, err, errlen))
		goto fail;
	snprintf(path, sizeof(path), "%s/session.db", dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO records (type, time, pid, tid, cpu,"
			       " stream, stream_offset, addr, len, pgoff, prot,"
			       " flags, path, aux) VALUES"
			       " (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &s->ins_record, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO chunks VALUES"
			       " (?,?,?,?,?,?,?)", -1,
			       &s->ins_chunk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO switches (stream, type, count,"
			       " entries) VALUES (?,?,?,?)", -1,
			       &s->ins_switch, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO streams (bytes, lost, id, kind,"
			       " tid, cpu, trace_id, formatted) VALUES"
			       " (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE"
			       " SET bytes = excluded.bytes,"
			       " lost = excluded.lost", -1, &s->upd_stream,
			       NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	return s;
fail:
	sqlite3_finalize(s->ins_record);
	sqlite3_finalize(s->ins_chunk);
	sqlite3_finalize(s->ins_switch);
	sqlite3_finalize(s->upd_stream);
	s->ins_record = s->ins_chunk = s->ins_switch = s->upd_stream = NULL;
	sqlite3_close(s->db);
	s->db = NULL;
	remove_made(s);
	hwt_store_close(s);
	return NULL;
}

static int exec_bind_text2(struct hwt_store *s, const char *sql,
			   const char *a, const char *b)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "prepare");
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, sql);
}

int hwt_store_meta(struct hwt_store *s, const char *key, const char *value)
{
	return exec_bind_text2(s, "INSERT OR REPLACE INTO meta VALUES (?, ?)",
			       key, value);
}

int hwt_store_stream(struct hwt_store *s, uint32_t id, const char *kind,
		     int tid, int cpu, int trace_id, int formatted)
{
	char path[32];
	sqlite3_stmt *st;
	int rc;

	if (id >= MAX_STREAMS)
		return fail(s, "stream %u: at most %d streams", id,
			    MAX_STREAMS);
	if (s->streams[id].fd >= 0)
		return fail(s, "stream %u declared twice", id);
	snprintf(path, sizeof(path), "stream-%u.bin", id);
	s->streams[id].fd = openat(s->dirfd, path, O_WRONLY | O_CREAT | O_EXCL |
				   O_APPEND | O_NOFOLLOW | O_CLOEXEC, s->mode);
	if (s->streams[id].fd < 0)
		return fail(s, "%s/%s: %s", s->dir, path, strerror(errno));
	snprintf(s->streams[id].kind, sizeof(s->streams[id].kind), "%s", kind);
	s->streams[id].tid = tid;
	s->streams[id].cpu = cpu;
	s->streams[id].trace_id = trace_id;
	s->streams[id].formatted = !!formatted;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO streams (id, kind, tid, cpu,"
			       " trace_id, formatted) VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	if (tid >= 0)
		sqlite3_bind_int(st, 3, tid);
	if (cpu >= 0)
		sqlite3_bind_int(st, 4, cpu);
	if (trace_id >= 0)
		sqlite3_bind_int(st, 5, trace_id);
	sqlite3_bind_int(st, 6, !!formatted);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "insert stream");
}

int hwt_store_param(struct hwt_store *s, uint32_t stream, const char *key,
		    const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO stream_params"
			       " VALUES (?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, "prepare");
	sqlite3_bind_int64(st, 1, stream);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, value, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "insert param");
}

/*
 * write() and crc32 in one pass over pieces small enough to stay in the
 * cache: the data (the kernel's buffer, mmap'd) is read from memory once.
 */
#define PIECE	(128u << 10)

static int write_all(int fd, const void *data, size_t len, uint32_t *crc)
{
	const uint8_t *p = data;
	size_t done = 0;	/* bytes summed so far */

	*crc = (uint32_t)crc32(0, NULL, 0);
	while (len) {
		size_t piece = len < PIECE ? len : PIECE;
		ssize_t n;

		if (done < (size_t)(p - (const uint8_t *)data) + piece) {
			size_t from = done - (size_t)(p - (const uint8_t *)data);

			*crc = (uint32_t)crc32(*crc, p + from,
					       (uInt)(piece - from));
			done += piece - from;
		}
		n = write(fd, p, piece);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwt_store_append(struct hwt_store *s, uint32_t stream, const void *data,
		     size_t len, uint64_t lost_before)
{
	struct stream *st;
	struct pending_chunk *c;
	uint32_t crc = 0;

	if (stream >= MAX_STREAMS || s->streams[stream].fd < 0)
		return fail(s, "append to undeclared stream %u", stream);
	st = &s->streams[stream];
	if (!len && !lost_before)
		return 0;
	/* The columns are signed 64-bit and fsck refuses a negative one: a
	 * count that does not fit (a caller's unsigned wrap) is refused here,
	 * not indexed as a session that fsck then rejects. */
	if (lost_before > (uint64_t)INT64_MAX - st->lost ||
	    len > (uint64_t)INT64_MAX - st->size)
		return fail(s, "stream %u: %llu bytes lost, %zu written: more"
			    " than a stream can count (a caller's bug)",
			    stream, (unsigned long long)lost_before, len);
	if (s->npending == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->pending, cap * sizeof(*s->pending));

		if (!p)
			return fail(s, "out of memory");
		s->pending = p;
		s->cap = cap;
	}
	if (len && write_all(st->fd, data, len, &crc)) {
		int e = errno;

		/* A short write leaves an un-indexed tail: cut it now so the
		 * file stays equal to what chunks describe. */
		if (ftruncate(st->fd, (off_t)st->size))
			(void)0;
		return fail(s, "stream-%u.bin: %s", stream,
			    strerror(e ? e : ENOSPC));
	}
	c = &s->pending[s->npending++];
	c->stream = stream;
	c->seq = st->seq++;
	c->offset = st->size;
	c->length = len;
	c->lost_before = lost_before;
	c->crc = len ? crc : (uint32_t)crc32(0, NULL, 0);
	c->time = now_ns();
	st->size += len;
	st->lost += lost_before;
	st->dirty = 1;
	return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, int64_t v, int present)
{
	if (present)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static const char *const rec_names[HWT_REC_MAX + 1] = {
	[HWT_REC_MMAP] = "mmap", [HWT_REC_MUNMAP] = "munmap",
	[HWT_REC_EXEC] = "exec", [HWT_REC_THREAD_CREATE] = "thread_create",
	[HWT_REC_THREAD_EXIT] = "thread_exit", [HWT_REC_COMM] = "comm",
	[HWT_REC_SWITCH_IN] = "switch_in", [HWT_REC_SWITCH_OUT] = "switch_out",
	[HWT_REC_BUFFER] = "buffer", [HWT_REC_LOST] = "lost",
};

/* Payload sizes the record must at least have. */
static const size_t rec_min[HWT_REC_MAX + 1] = {
	[HWT_REC_MMAP] = sizeof(struct hwt_rec_mmap) + 1,
	[HWT_REC_MUNMAP] = sizeof(struct hwt_rec_munmap),
	[HWT_REC_EXEC] = sizeof(struct hwt_rec_exec) + 1,
	[HWT_REC_THREAD_CREATE] = sizeof(struct hwt_rec_thread),
	[HWT_REC_THREAD_EXIT] = sizeof(struct hwt_rec_thread),
	[HWT_REC_COMM] = sizeof(struct hwt_rec_comm),
	[HWT_REC_SWITCH_IN] = sizeof(struct hwt_rec_switch),
	[HWT_REC_SWITCH_OUT] = sizeof(struct hwt_rec_switch),
	[HWT_REC_BUFFER] = sizeof(struct hwt_rec_buffer),
	[HWT_REC_LOST] = sizeof(struct hwt_rec_lost),
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Switch records come by the thousand per MB of trace: a row each costs
 * more than the trace bytes themselves, so they are packed into one BLOB
 * per (stream, type, commit); see docs/trace-store.md, format 2.
 */
static int queue_switch(struct hwt_store *s, const struct hwt_rec_switch *r)
{
	const struct hwt_record_hdr *h = &r->hdr;
	int has_stream = h->buf_idx != (uint32_t)~0u;
	struct swbuf *b = &s->sw[h->type == HWT_REC_SWITCH_OUT]
				[has_stream ? h->buf_idx : SW_NONE];
	uint8_t *e;

	if (b->n + SW_ENTRY > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * SW_ENTRY;
		void *p = realloc(b->p, cap);

		if (!p)
			return fail(s, "out of memory");
		b->p = p;
		b->cap = cap;
	}
	e = b->p + b->n;
	put64(e, h->time);
	put64(e + 8, has_stream ? h->buf_head : UINT64_MAX);
	put32(e + 16, (uint32_t)h->pid);
	put32(e + 20, (uint32_t)h->tid);
	put32(e + 24, (uint32_t)h->cpu);
	put32(e + 28, (uint32_t)r->other_tid);
	b->n += SW_ENTRY;
	return 0;
}

static int flush_switches(struct hwt_store *s)
{
	static const char *const names[2] = { "switch_in", "switch_out" };
	sqlite3_stmt *st = s->ins_switch;
	int t, i;

	for (t = 0; t < 2; t++)
		for (i = 0; i <= MAX_STREAMS; i++) {
			struct swbuf *b = &s->sw[t][i];

			if (!b->n)
				continue;
			sqlite3_reset(st);
			if (i == SW_NONE)
				sqlite3_bind_null(st, 1);
			else
				sqlite3_bind_int(st, 1, i);
			sqlite3_bind_text(st, 2, names[t], -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, (int64_t)(b->n / SW_ENTRY));
			sqlite3_bind_blob(st, 4, b->p, (int)b->n,
					  SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				return -1;
			b->n = 0;	/* in the transaction, like records */
		}
	return 0;
}

int hwt_store_record(struct hwt_store *s, const struct hwt_record_hdr *h,
		     size_t avail)
{
	sqlite3_stmt *st = s->ins_record;
	const char *str = NULL;
	size_t strmax = 0;
	int64_t addr = 0, len = 0, pgoff = 0, prot = 0, flags = 0, aux = 0;
	int has = 0;	/* bit per optional column */
	int rc;

	if (avail < sizeof(*h) || h->size < sizeof(*h) || h->size > avail ||
	    h->size % 8)
		return fail(s, "malformed record (size %u)", h->size);
	if (h->type < 1 || h->type > HWT_REC_MAX)
		return 0;	/* newer kernel: skip unknown types */
	if (h->size < rec_min[h->type])
		return fail(s, "short %s record", rec_names[h->type]);

	switch (h->type) {
	case HWT_REC_MMAP: {
		const struct hwt_rec_mmap *r = (const void *)h;

		addr = r->addr, len = r->len, pgoff = r->pgoff;
		prot = r->prot, flags = r->flags, has = 0x1f;
		str = r->path;
		strmax = h->size - sizeof(*r);
		break;
	}
	case HWT_REC_MUNMAP: {
		const struct hwt_rec_munmap *r = (const void *)h;

		addr = r->addr, len = r->len, has = 0x3;
		break;
	}
	case HWT_REC_EXEC:
		str = ((const struct hwt_rec_exec *)h)->path;
		strmax = h->size - sizeof(struct hwt_rec_exec);
		break;
	case HWT_REC_THREAD_CREATE:
	case HWT_REC_THREAD_EXIT: {
		const struct hwt_rec_thread *r = (const void *)h;

		addr = r->parent_pid, flags = r->flags, has = 0x11 | 0x20;
		aux = h->type == HWT_REC_THREAD_CREATE ? r->parent_tid :
							 r->exit_code;
		if (h->type == HWT_REC_THREAD_EXIT)
			has &= ~0x1;
		break;
	}
	case HWT_REC_COMM:
		str = ((const struct hwt_rec_comm *)h)->comm;
		strmax = sizeof(((const struct hwt_rec_comm *)h)->comm);
		break;
	case HWT_REC_SWITCH_IN:
	case HWT_REC_SWITCH_OUT:
		if (h->buf_idx == (uint32_t)~0u || h->buf_idx < MAX_STREAMS)
			return queue_switch(s, (const void *)h);
		aux = ((const struct hwt_rec_switch *)h)->other_tid;
		has = 0x20;
		break;
	case HWT_REC_BUFFER: {
		const struct hwt_rec_buffer *r = (const void *)h;

		aux = (int64_t)r->lost, len = (int64_t)r->total_lost;
		flags = r->flags, addr = (int64_t)r->wraps, has = 0x33;
		break;
	}
	case HWT_REC_LOST: {
		const struct hwt_rec_lost *r = (const void *)h;

		aux = (int64_t)r->records, len = (int64_t)r->total;
		has = 0x22;
		break;
	}
	}
	/* Strings from the kernel are NUL-terminated within the record;
	 * check rather than trust. */
	if (str && !memchr(str, 0, strmax))
		return fail(s, "%s record: unterminated string",
			    rec_names[h->type]);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, rec_names[h->type], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)h->time);
	bind_opt(st, 3, h->pid, h->pid >= 0);
	bind_opt(st, 4, h->tid, h->tid >= 0);
	sqlite3_bind_int(st, 5, h->cpu);
	bind_opt(st, 6, h->buf_idx, h->buf_idx != (uint32_t)~0u);
	bind_opt(st, 7, (int64_t)h->buf_head, h->buf_idx != (uint32_t)~0u);
	bind_opt(st, 8, addr, has & 0x1);
	bind_opt(st, 9, len, has & 0x2);
	bind_opt(st, 10, pgoff, has & 0x4);
	bind_opt(st, 11, prot, has & 0x8);
	bind_opt(st, 12, flags, has & 0x10);
	if (str)
		sqlite3_bind_text(st, 13, str, -1, SQLITE_TRANSIENT);
	bind_opt(st, 14, aux, has & 0x20);
	rc = sqlite3_step(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, "insert record");
}

/*
 * A failed commit (a full disk) leaves the pending chunks pending, so a
 * later commit indexes them; if SQLite rolled the transaction back, the
 * stream rows come back from memory (the upsert), and the records queued
 * since the last commit are lost (said in the error).  The database never
 * counts bytes that no chunk covers.
 */
static int commit_failed(struct hwt_store *s, const char *what)
{
	int rolled_back = sqlite3_get_autocommit(s->db);

	db_fail(s, what);
	if (rolled_back) {
		size_t n = strlen(s->err);

		snprintf(s->err + n, sizeof(s->err) - n, " (rolled back: records"
			 " since the last commit lost)");
		sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	}
	return -1;
}

int hwt_store_commit(struct hwt_store *s)
{
	size_t i;

	if (flush_switches(s))
		return commit_failed(s, "insert switches");
	/* Bytes first, durably; only then the rows that point at them. */
	for (i = 0; i < MAX_STREAMS; i++) {
		struct stream *st = &s->streams[i];

		if (st->fd >= 0 && st->dirty) {
			if (fdatasync(st->fd))
				return fail(s, "stream-%zu.bin: fdatasync: %s",
					    i, strerror(errno));
			st->dirty = 0;
		}
	}
	for (i = 0; i < s->npending; i++) {
		struct pending_chunk *c = &s->pending[i];
		sqlite3_stmt *st = s->ins_chunk;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, c->stream);
		sqlite3_bind_int64(st, 2, (int64_t)c->seq);
		sqlite3_bind_int64(st, 3, (int64_t)c->offset);
		sqlite3_bind_int64(st, 4, (int64_t)c->length);
		sqlite3_bind_int64(st, 5, c->crc);
		sqlite3_bind_int64(st, 6, (int64_t)c->lost_before);
		sqlite3_bind_int64(st, 7, (int64_t)c->time);
		if (sqlite3_step(st) != SQLITE_DONE)
			return commit_failed(s, "insert chunk");
	}
	for (i = 0; i < MAX_STREAMS; i++) {
		struct stream *st = &s->streams[i];
		sqlite3_stmt *u = s->upd_stream;

		if (st->fd < 0)
			continue;
		sqlite3_reset(u);
		sqlite3_clear_bindings(u);
		sqlite3_bind_int64(u, 1, (int64_t)st->size);
		sqlite3_bind_int64(u, 2, (int64_t)st->lost);
		sqlite3_bind_int64(u, 3, (int64_t)i);
		sqlite3_bind_text(u, 4, st->kind, -1, SQLITE_STATIC);
		if (st->tid >= 0)
			sqlite3_bind_int(u, 5, st->tid);
		if (st->cpu >= 0)
			sqlite3_bind_int(u, 6, st->cpu);
		if (st->trace_id >= 0)
			sqlite3_bind_int(u, 7, st->trace_id);
		sqlite3_bind_int(u, 8, st->formatted);
		if (sqlite3_step(u) != SQLITE_DONE)
			return commit_failed(s, "update stream");
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return commit_failed(s, "commit");
	s->npending = 0;	/* indexed for good only now */
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, "begin");
	return 0;
}

int hwt_store_close(struct hwt_store *s)
{
	int ret = 0, i;

	if (s->db && s->ins_chunk) {
		ret = hwt_store_commit(s);
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(s->ins_record);
	sqlite3_finalize(s->ins_chunk);
	sqlite3_finalize(s->upd_stream);
	sqlite3_finalize(s->ins_switch);
	if (s->db)
		sqlite3_close(s->db);
	for (i = 0; i < MAX_STREAMS; i++)
		if (s->streams[i].fd >= 0)
			close(s->streams[i].fd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (i = 0; i <= MAX_STREAMS; i++) {
		free(s->sw[0][i].p);
		free(s->sw[1][i].p);
	}
	free(s->pending);
	free(s);
	return ret;
}

/* ---- fsck: the session directory is untrusted input ---- */

struct fsck_stream {
	int64_t id;
	uint64_t end;		/* bytes the chunks cover */
	uint64_t lost;		/* their lost_before, summed */
	int64_t bytes_row, lost_row;	/* what streams says */
	struct stat sb;		/* the file, as verified */
	int exists;
};

/* Checks one stream's chunks against its file, reading the whole list;
 * no file is changed.  0, or -1 with a message. */
static int fsck_verify(int dirfd, sqlite3 *db, sqlite3_stmt *ck,
		       struct hwt_sqlite_budget *budget, uid_t owner,
		       struct fsck_stream *f, uint8_t *buf, size_t buflen,
		       char *err, size_t errlen)
{
	struct hwt_file_policy pol = { .check_owner = 1, .owner = owner };
	char name[48], why[256];
	int64_t expect_seq = 0;
	int fd, rc;

	snprintf(name, sizeof(name), "stream-%lld.bin", (long long)f->id);
	errno = 0;
	fd = hwt_open_checked(dirfd, name, name, &pol, &f->sb, why,
			      sizeof(why));
	if (fd < 0 && errno != ENOENT) {
		hwt_errf(err, errlen, "%s", why);
		return -1;
	}
	f->exists = fd >= 0;
	sqlite3_reset(ck);
	sqlite3_bind_int64(ck, 1, f->id);
	while ((rc = sqlite3_step(ck)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(ck, 0);
		int64_t off = sqlite3_column_int64(ck, 1);
		int64_t len = sqlite3_column_int64(ck, 2);
		uint32_t crc = (uint32_t)sqlite3_column_int64(ck, 3);
		int64_t lost = sqlite3_column_int64(ck, 4);
		uint32_t sum = (uint32_t)crc32(0, NULL, 0);
		int64_t done;

		if (!f->exists) {
			hwt_errf(err, errlen, "%s: %s (chunk %lld indexes it)",
				 name, strerror(ENOENT), (long long)seq);
			return -1;
		}
		if (seq != expect_seq++ || off != (int64_t)f->end || len < 0 ||
		    lost < 0 || len > f->sb.st_size - off) {
			hwt_errf(err, errlen, "stream %lld chunk %lld: not "
				 "contiguous or past end of file",
				 (long long)f->id, (long long)seq);
			goto fail;
		}
		for (done = 0; done < len; ) {
			size_t n = (size_t)(len - done) < buflen ?
				   (size_t)(len - done) : buflen;

			if (pread(fd, buf, n, off + done) != (ssize_t)n) {
				hwt_errf(err, errlen, "%s: short read",
					 name);
				goto fail;
			}
			sum = (uint32_t)crc32(sum, buf, (uInt)n);
			done += (int64_t)n;
		}
		if (sum != crc) {
			hwt_errf(err, errlen, "stream %lld chunk %lld: checksum"
				 " mismatch", (long long)f->id,
				 (long long)seq);
			goto fail;
		}
		f->end += (uint64_t)len;
		f->lost += (uint64_t)lost;
	}
	if (rc != SQLITE_DONE) {
		/* An error is never "no more chunks": cutting there would
		 * cut committed, indexed bytes. */
		hwt_errf(err, errlen, "session.db: reading the chunks of stream"
			 " %lld: %s", (long long)f->id,
			 hwt_sqlite_errmsg(db, budget, why, sizeof(why)));
		goto fail;
	}
	if (fd >= 0)
		close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Cuts a verified file to end: only the very file verified (same inode),
 * opened again for writing without following a link. */
static int fsck_cut(int dirfd, const struct fsck_stream *f, char *err,
		    size_t errlen)
{
	char name[48];
	struct stat sb;
	int fd;

	snprintf(name, sizeof(name), "stream-%lld.bin", (long long)f->id);
	fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) || sb.st_dev != f->sb.st_dev ||
	    sb.st_ino != f->sb.st_ino || !S_ISREG(sb.st_mode)) {
		hwt_errf(err, errlen, "%s: %s", name, fd < 0 ? strerror(errno)
			 : "replaced while being checked; not cut");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (ftruncate(fd, (off_t)f->end)) {
		hwt_errf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int fsck_reconcile(sqlite3 *db, const struct fsck_stream *fs,
			  size_t n, unsigned *fixed, char *err, size_t errlen)
{
	sqlite3_stmt *up = NULL;
	size_t i;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE streams SET bytes = ?2, lost = ?3"
			       " WHERE id = ?1", -1, &up, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if (fs[i].bytes_row == (int64_t)fs[i].end &&
		    fs[i].lost_row == (int64_t)fs[i].lost)
			continue;
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, fs[i].id);
		sqlite3_bind_int64(up, 2, (int64_t)fs[i].end);
		sqlite3_bind_int64(up, 3, (int64_t)fs[i].lost);
		if (sqlite3_step(up) != SQLITE_DONE)
			goto fail;
		(*fixed)++;
	}
	sqlite3_finalize(up);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	hwt_errf(err, errlen, "session.db: updating streams: %s",
		 sqlite3_errmsg(db));
	sqlite3_finalize(up);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int hwt_store_fsck_at(int dirfd, const char *shown,
		      struct hwt_store_fsck_result *res, char *err,
		      size_t errlen)
{
	struct hwt_sqlite_budget budget = { 0, 0 };
	struct fsck_stream *fs = NULL;
	sqlite3_stmt *st = NULL, *ck = NULL;
	sqlite3 *db = NULL;
	struct stat dsb;
	size_t n = 0, i, buflen = 1u << 20;
	uint8_t *buf = NULL;
	char why[256];
	int ret = -1, rc;

	memset(res, 0, sizeof(*res));
	if (fstat(dirfd, &dsb) || !S_ISDIR(dsb.st_mode)) {
		hwt_errf(err, errlen, "%s: not a directory", shown);
		return -1;
	}
	db = hwt_session_db_open(dirfd, shown, 1, &budget, err, errlen);
	if (!db)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT id, bytes, lost FROM streams ORDER"
			       " BY id", -1, &st, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT seq, offset, length, crc32,"
			       " lost_before FROM chunks WHERE stream = ?"
			       " ORDER BY seq", -1, &ck, NULL)) {
		hwt_errf(err, errlen, "%s/session.db: %s", shown,
			 sqlite3_errmsg(db));
		goto out;
	}
	fs = calloc(MAX_STREAMS, sizeof(*fs));
	buf = malloc(buflen);
	if (!fs || !buf) {
		hwt_errf(err, errlen, "out of memory");
		goto out;
	}
	/* Phase 1: read every stream's whole chunk list and verify it;
	 * nothing is written unless all of it reads and checks out. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		/* File names come from a bounded integer only. */
		if (id < 0 || id >= MAX_STREAMS || n == MAX_STREAMS) {
			hwt_errf(err, errlen, "%s/session.db: stream id %lld "
				 "out of range", shown, (long long)id);
			goto out;
		}
		fs[n].id = id;
		fs[n].bytes_row = sqlite3_column_int64(st, 1);
		fs[n].lost_row = sqlite3_column_int64(st, 2);
		n++;
	}
	if (rc != SQLITE_DONE) {
		hwt_errf(err, errlen, "%s/session.db: reading streams: %s",
			 shown, hwt_sqlite_errmsg(db, &budget, why,
						  sizeof(why)));
		goto out;
	}
	for (i = 0; i < n; i++)
		if (fsck_verify(dirfd, db, ck, &budget, dsb.st_uid, &fs[i],
				buf, buflen, err, errlen))
			goto out;
	sqlite3_finalize(st);
	sqlite3_finalize(ck);
	st = ck = NULL;
	/* Phase 2: the rows say what the chunks cover, then the files are
	 * cut to it (either order repeats safely). */
	if (fsck_reconcile(db, fs, n, &res->streams_fixed, err, errlen))
		goto out;
	for (i = 0; i < n; i++) {
		if (!fs[i].exists || (uint64_t)fs[i].sb.st_size <= fs[i].end)
			continue;
		if (fsck_cut(dirfd, &fs[i], err, errlen))
			goto out;
		res->truncated += (uint64_t)fs[i].sb.st_size - fs[i].end;
	}
	ret = 0;
out:
	free(buf);
	free(fs);
	sqlite3_finalize(st);
	sqlite3_finalize(ck);
	sqlite3_close(db);
	return ret;
}

int hwt_store_fsck(const char *dir, uint64_t *truncated, char *err,
		   size_t errlen)
{
	struct hwt_store_fsck_result res;
	int fd = hwt_open_dir(AT_FDCWD, dir, 0, err, errlen), rc;

	*truncated = 0;
	if (fd < 0)
		return -1;
	rc = hwt_store_fsck_at(fd, dir, &res, err, errlen);
	*truncated = res.truncated;
	close(fd);
	return rc;
}

int hwt_store_set_state_at(int dirfd, const char *from, const char *state)
{
	struct hwt_sqlite_budget budget = { 0, 0 };
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	char err[256];
	int ret = -1;

	db = hwt_session_db_open(dirfd, "session", 1, &budget, err,
				 sizeof(err));
	if (!db)
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE meta SET value = ? WHERE"
			       " key = 'state' AND value = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			ret = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

int hwt_store_set_state(const char *dir, const char *from, const char *state)
{
	int fd = hwt_open_dir(AT_FDCWD, dir, 0, NULL, 0), rc;

	if (fd < 0)
		return -1;
	rc = hwt_store_set_state_at(fd, from, state);
	close(fd);
	return rc;
}
