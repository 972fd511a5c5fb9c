/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The output database: schema (docs/schema.md) and a writer built from
 * prepared statements inside long transactions, committed every few flow
 * chunks (core.c).
 * It is written as OUT.tmp (O_EXCL, locked exclusively) and renamed over
 * OUT only when complete (meta complete = 1, synced): a failed, killed or
 * disk-full decode never leaves a file that reads as complete, and never
 * touches an existing OUT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "db/calls_vtab.h"
#include "db/db_writer.h"
#include "db/sideband.h"
#include "core/util.h"
#include "image/symtab.h"
#include "image/image.h"
#include "core/blocks.h"
#include "core/callstack.h"
#include "core/edges.h"
#include "core/flow.h"
#include "store_io.h"

static const char schema[] =
"PRAGMA application_id = 0x68777464;\n"	/* 'hwtd' */
"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
"CREATE TABLE sessions (id INTEGER PRIMARY KEY, source TEXT, kind TEXT,\n"
"  created TEXT);\n"
"CREATE TABLE threads (id INTEGER PRIMARY KEY, pid INTEGER, tid INTEGER);\n"
"CREATE TABLE comms (id INTEGER PRIMARY KEY, comm TEXT);\n"
"CREATE TABLE binaries (id INTEGER PRIMARY KEY, path TEXT NOT NULL,\n"
"  build_id TEXT, bias INTEGER NOT NULL DEFAULT 0, load_vaddr INTEGER);\n"
"CREATE TABLE sections (id INTEGER PRIMARY KEY, binary_id INTEGER,\n"
"  vaddr INTEGER, size INTEGER, file_offset INTEGER);\n"
"CREATE TABLE symbols (id INTEGER PRIMARY KEY, binary_id INTEGER,\n"
"  sym_start INTEGER, sym_end INTEGER, binding INTEGER, name TEXT,\n"
"  mangled TEXT);\n"
"CREATE TABLE streams (id INTEGER PRIMARY KEY, thread_id INTEGER,\n"
"  name TEXT, tid INTEGER, cpu INTEGER, trace_id INTEGER,\n"
"  insn_count INTEGER DEFAULT 0, block_count INTEGER DEFAULT 0,\n"
"  error_count INTEGER DEFAULT 0, clock TEXT);\n"
"CREATE TABLE blocks (id INTEGER PRIMARY KEY, binary_id INTEGER,\n"
"  symbol_id INTEGER, ip INTEGER, end_ip INTEGER, ninsn INTEGER,\n"
"  isa INTEGER, iclass INTEGER, insn_lens BLOB, code BLOB, target INTEGER);\n"
"CREATE TABLE edges (stream_id INTEGER, thread_id INTEGER,\n"
"  from_block INTEGER, to_block INTEGER, flags INTEGER, count INTEGER);\n"
"CREATE TABLE block_counts (stream_id INTEGER, thread_id INTEGER,\n"
"  block_id INTEGER, count INTEGER, PRIMARY KEY (stream_id, block_id));\n"
"CREATE TABLE call_paths (id INTEGER PRIMARY KEY, parent_id INTEGER,\n"
"  symbol_id INTEGER, ip INTEGER);\n"
/* The calls rows, compact (calls_vtab.h); calls shows them. */
"CREATE TABLE call_chunks (id INTEGER PRIMARY KEY, min_id INTEGER,\n"
"  max_id INTEGER, n INTEGER, data BLOB);\n"
"CREATE VIRTUAL TABLE calls USING hwt_calls;\n"
"CREATE TABLE errors (id INTEGER PRIMARY KEY, stream_id INTEGER,\n"
"  insn_index INTEGER, offset INTEGER, ip INTEGER, code INTEGER,\n"
"  kind TEXT, message TEXT);\n"
"CREATE TABLE flow (stream_id INTEGER, seq INTEGER, first_insn INTEGER,\n"
"  insn_count INTEGER, entries INTEGER, data BLOB,\n"
"  PRIMARY KEY (stream_id, seq));\n"
"CREATE TABLE symbol_stats (thread_id INTEGER, symbol_id INTEGER,\n"
"  calls INTEGER, insn_count INTEGER);\n"
"CREATE TABLE call_path_stats (thread_id INTEGER, call_path_id INTEGER,\n"
"  calls INTEGER, insn_count INTEGER);\n"
"CREATE TABLE lines (addr INTEGER PRIMARY KEY, file TEXT, line INTEGER);\n"
"CREATE TABLE events (stream_id INTEGER, insn_index INTEGER, kind TEXT,\n"
"  ip INTEGER, arg INTEGER, code INTEGER, time INTEGER);\n"
"CREATE TABLE inlines (binary_id INTEGER, start INTEGER, end INTEGER,\n"
"  depth INTEGER, name TEXT, call_file TEXT, call_line INTEGER);\n"
/* Lines where binaries of several processes ran code at one address
 * (docs/schema.md): by binary, those addresses have no lines row. */
"CREATE TABLE binary_lines (binary_id INTEGER, addr INTEGER, file TEXT,\n"
"  line INTEGER, PRIMARY KEY (binary_id, addr));\n"
"INSERT INTO threads VALUES (0, -1, -1);\n"
"INSERT INTO comms VALUES (0, '');\n"
"INSERT INTO binaries VALUES (0, '[unknown]', NULL, 0, NULL);\n"
"INSERT INTO symbols VALUES (0, 0, 0, 0, 0, '[unknown]', NULL);\n"
"INSERT INTO call_paths VALUES (0, 0, 0, 0);\n"
"CREATE VIEW function_stats AS\n"
"  SELECT s.name AS name, SUM(st.calls) AS calls,\n"
"         SUM(st.insn_count) AS insn_count\n"
"  FROM symbol_stats st JOIN symbols s ON s.id = st.symbol_id\n"
"  GROUP BY s.name;\n"
"CREATE VIEW block_stats AS\n"
"  SELECT b.id AS block_id, bi.path AS binary, b.ip AS ip,\n"
"         b.end_ip AS end_ip, b.ninsn AS ninsn, s.name AS symbol,\n"
"         c.thread_id AS thread_id, c.count AS count,\n"
"         c.count * b.ninsn AS insn_count\n"
"  FROM block_counts c JOIN blocks b ON b.id = c.block_id\n"
"  JOIN binaries bi ON bi.id = b.binary_id\n"
"  JOIN symbols s ON s.id = b.symbol_id;\n"
"CREATE VIEW calls_view AS\n"
"  SELECT c.id, c.thread_id, t.tid, s.name AS symbol, c.call_insn,\n"
"         c.return_insn, c.insn_count, c.branch_count, c.parent_call_id,\n"
"         c.flags\n"
"  FROM calls c JOIN call_paths p ON p.id = c.call_path_id\n"
"  JOIN symbols s ON s.id = p.symbol_id JOIN threads t ON t.id = c.thread_id;\n";

enum {
	S_META, S_THREAD, S_BINARY, S_SECTION, S_SYMBOL, S_STREAM, S_BLOCK,
	S_BCOUNT, S_CP, S_CCHUNK, S_ERROR, S_FLOW, S_SSTAT, S_CPSTAT, S_LINE, S_BLINE, S_INLINE, S_SEND,
	S_EDGE, S_EVENT,
	S_NUM
};

static const char *const stmt_sql[S_NUM] = {
	[S_META] = "INSERT OR REPLACE INTO meta VALUES (?, ?)",
	[S_THREAD] = "INSERT INTO threads (pid, tid) VALUES (?, ?)",
	[S_BINARY] = "INSERT INTO binaries VALUES (?, ?, ?, ?, ?)",
	[S_SECTION] = "INSERT INTO sections (binary_id, vaddr, size, "
		      "file_offset) VALUES (?, ?, ?, ?)",
	[S_SYMBOL] = "INSERT INTO symbols VALUES (?, ?, ?, ?, ?, ?, ?)",
	[S_STREAM] = "INSERT INTO streams (id, thread_id, name, tid, cpu, "
		     "trace_id) VALUES (?, ?, ?, ?, ?, ?)",
	[S_BLOCK] = "INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		    "?)",
	[S_EDGE] = "INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?)",
	[S_BCOUNT] = "INSERT INTO block_counts VALUES (?, ?, ?, ?)",
	[S_CP] = "INSERT INTO call_paths VALUES (?, ?, ?, ?)",
	[S_CCHUNK] = "INSERT INTO call_chunks (min_id, max_id, n, data) "
		     "VALUES (?, ?, ?, ?)",
	[S_ERROR] = "INSERT INTO errors VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[S_EVENT] = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
	[S_FLOW] = "INSERT INTO flow VALUES (?, ?, ?, ?, ?, ?)",
	[S_SSTAT] = "INSERT INTO symbol_stats VALUES (?, ?, ?, ?)",
	[S_CPSTAT] = "INSERT INTO call_path_stats VALUES (?, ?, ?, ?)",
	[S_LINE] = "INSERT OR IGNORE INTO lines VALUES (?, ?, ?)",
	[S_BLINE] = "INSERT OR IGNORE INTO binary_lines VALUES (?, ?, ?, ?)",
	[S_INLINE] = "INSERT INTO inlines VALUES (?, ?, ?, ?, ?, ?, ?)",
	[S_SEND] = "UPDATE streams SET insn_count = ?, block_count = ?, "
		   "error_count = ? WHERE id = ?",
};

/* Call rows kept by id - calls.base at most: a row further on (more
 * calls still open than this) is kept with the earlier ones. */
#define CALLS_SLOTS	(4 * HWT_CALLS_KEPT)

/*
 * Rows of the statements written many times (batched()) are kept and
 * written BATCH at a time by one INSERT ... VALUES (...), (...), ...: a
 * statement's step costs SQLite about 5,700 instructions whatever its
 * rows hold (callgrind, a 4-integer row into block_counts: 9,700
 * instructions a row one per step, 4,000 with 64 per step).  The rows
 * come out in the order they were added, so every row and rowid is the
 * one the row-by-row inserts gave.  Rows left at a flush (a commit, the
 * end) go in statements of 16, 4 and 1 rows.
 */
#define BATCH		64
#define BATCH_SIZES	3	/* statements of 64, 16 and 4 rows */

enum { CELL_NULL, CELL_INT, CELL_TEXT, CELL_BLOB };

/* A value of a kept row; text and blobs are copied into the batch's
 * arena (v: their offset there). */
struct cell {
	sqlite3_int64 v;
	uint32_t len;
	uint8_t type;
};

struct batch {
	int ncols;		/* 0: the statement is not batched */
	size_t n;		/* rows kept */
	struct cell *cells;	/* BATCH rows of ncols */
	char *arena;
	size_t alen, acap;
	sqlite3_stmt *multi[BATCH_SIZES];	/* prepared on first use */
	uint64_t max_id;	/* the largest id given (cell_id()) */
};

struct hwt_db {
	sqlite3 *db;
	char *out, *tmp;	/* NULL for ":memory:" */
	int tmp_fd;		/* OUT.tmp, open from its O_EXCL creation
				 * (-1: none): its writeback is started at each
				 * commit and waited for before the rename */
	int force;
	sqlite3_stmt *st[S_NUM];
	/* Call rows come at returns, inner calls first: kept until the
	 * next commit and written sorted by id, so that a chunk's id range
	 * is narrow and a scan of calls meets them in id order but for long
	 * calls.  A row whose id is calls.base + k is kept in slot[k]
	 * (a slot holding another id holds none: slots are not cleared, a
	 * flush moves calls.base past them), others (calls that began
	 * before the last flush) in early, in the order they came. */
	struct hwt_calls_slots calls;
	struct hwt_calls_rec *early;
	size_t nearly, earlycap;
	uint8_t *chunk;		/* a call_chunks row's data being built */
	struct batch batch[S_NUM];
	/* NULL, or the writer thread that runs the batches, flow rows,
	 * call chunks and commits (hwt_db_set_writer()); every other
	 * statement waits for it first (sync_point()). */
	struct hwt_db_writer *w;
};

/* A write for the writer thread (run_job()): its values, then n rows of
 * cells (JOB_ROWS), then len bytes (the rows' arena, a blob, or n call
 * rows in id order: JOB_CALLS). */
enum job_kind { JOB_ROWS, JOB_FLOW, JOB_CALLS, JOB_COMMIT };

struct db_job {
	int kind;
	int k;			/* JOB_ROWS: the statement */
	size_t n;		/* JOB_ROWS, JOB_CALLS: rows */
	size_t len;		/* bytes after the cells */
	uint64_t v[5];		/* JOB_FLOW: the integers */
};

/* Queued bytes at most: flow rows are 64 KiB. */
#define WRITER_MAX_BYTES	(16u << 20)

static int flush_calls(struct hwt_db *db);
static struct hwt_calls_rec *call_slot_slow(struct hwt_calls_slots *sl,
					    uint64_t id);
static int flush_batches(struct hwt_db *db);
static void free_batches(struct hwt_db *db);
static struct db_job *new_job(struct hwt_db *db, int kind, int k, size_t n,
			      size_t len);
static int run_job(void *ctx, void *job);
static int run_calls_job(struct hwt_db *db, struct db_job *j);

/* Returns whether rows of statement k are batched (struct batch). */
static int batched(int k)
{
	switch (k) {
	case S_SYMBOL: case S_SECTION: case S_BLOCK: case S_EDGE:
	case S_BCOUNT: case S_CP: case S_ERROR: case S_EVENT: case S_SSTAT:
	case S_CPSTAT: case S_LINE: case S_INLINE:
		return 1;
	default:
		return 0;
	}
}

static int is_sqlite_or_empty(const char *path, char *err, size_t errlen)
{
	char hdr[16];
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(sb.st_mode)) {
		hwt_errf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (!sb.st_size)
		return 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hwt_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, "SQLite format 3", 16)) {
		hwt_errf(err, errlen, "%s: exists and is not an SQLite "
			   "database; refusing to overwrite it", path);
		return -1;
	}
	return 1;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hwt_errf(err, errlen, "sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* OUT.tmp and what SQLite keeps beside it. */
static void remove_tmp(const char *tmp)
{
	char aux[PATH_MAX + 16];

	unlink(tmp);
	snprintf(aux, sizeof(aux), "%s-journal", tmp);
	unlink(aux);
}

struct hwt_db *hwt_db_create(const char *path, int force, unsigned mode,
			     char *err, size_t errlen)
{
	struct hwt_db *db;
	char aux[4096];
	int i, rc, fd;

	db = hwt_xrealloc(NULL, sizeof(*db));
	memset(db, 0, sizeof(*db));
	db->tmp_fd = -1;
	db->calls.base = 1;	/* call ids start at 1 */
	db->calls.slow = call_slot_slow;
	db->force = force;
	if (strcmp(path, ":memory:")) {
		rc = is_sqlite_or_empty(path, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc > 0 && !force) {
			hwt_errf(err, errlen, "%s exists (--force replaces "
				   "it once the decode succeeds)", path);
			goto fail;
		}
		if (strlen(path) > PATH_MAX - 16) {
			hwt_errf(err, errlen, "%s: path too long", path);
			goto fail;
		}
		db->out = hwt_xstrdup(path);
		snprintf(aux, sizeof(aux), "%s.tmp", path);
		/* O_EXCL: a second decode into the same OUT stops here. */
		fd = open(aux, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode ? mode & 0666 : 0600);
		if (fd < 0) {
			hwt_errf(err, errlen, errno == EEXIST ?
				   "%s exists: another decode into %s is "
				   "running (or one was killed: remove it)" :
				   "%s: cannot create: %s", aux, errno == EEXIST
				   ? path : strerror(errno));
			goto fail;
		}
		db->tmp_fd = fd;
		db->tmp = hwt_xstrdup(aux);
		path = db->tmp;
	}
	/* NOMUTEX: one thread writes (the core's); serialized mode would
	 * take a mutex on every bind and step of millions of rows. */
	if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE |
			    (db->tmp ? 0 : SQLITE_OPEN_CREATE) |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: cannot create database: %s", path,
			   db->db ? sqlite3_errmsg(db->db) : "out of memory");
		goto fail;
	}
	/* Rollback journal + commits every few chunks; synchronous=OFF
	 * (the file is synced once, complete, before its rename).  New pages are
	 * appended without journaling, cheaper than WAL's double write.
	 * locking_mode=EXCLUSIVE: the lock taken at the first write is
	 * held to the end, so a reader of OUT.tmp never makes a commit
	 * fail (it waits, then says the file is locked).  cache_size: 2 MiB;
	 * the tables are appended, so a page once written is seldom read
	 * again, and a larger cache only took fresh memory (a page fault)
	 * for more pages of the file: a commit's dirty pages beyond it are
	 * written out early, not twice (8 MiB -> 2 MiB: the same pwrite64
	 * calls, 1,550 page faults fewer, about 20 more page reads).
	 * temp_store=MEMORY: the statement journal of each batched INSERT
	 * (the pages it changes, dropped when it ends) stays in memory, not
	 * in a file under /var/tmp. */
	sqlite3_busy_timeout(db->db, 10000);
	if (hwt_calls_vtab_register(db->db) != SQLITE_OK) {
		hwt_errf(err, errlen, "sqlite: %s", sqlite3_errmsg(db->db));
		goto fail;
	}
	if (exec(db->db, "PRAGMA page_size=16384; PRAGMA journal_mode=TRUNCATE; PRAGMA synchronous=OFF; PRAGMA cache_size=-2048;"
		 "PRAGMA temp_store=MEMORY;"
		 "PRAGMA locking_mode=EXCLUSIVE; BEGIN;", err, errlen) < 0)
		goto fail;
	if (exec(db->db, schema, err, errlen) < 0 ||
	    hwt_sideband_schema(db->db, err, errlen) < 0)
		goto fail;
	for (i = 0; i < S_NUM; i++) {
		if (sqlite3_prepare_v2(db->db, stmt_sql[i], -1, &db->st[i],
				       NULL) != SQLITE_OK) {
			hwt_errf(err, errlen, "sqlite: %s",
				   sqlite3_errmsg(db->db));
			goto fail;
		}
		if (batched(i)) {
			db->batch[i].ncols =
				sqlite3_bind_parameter_count(db->st[i]);
			db->batch[i].cells = hwt_xrealloc(NULL, BATCH *
				(size_t)db->batch[i].ncols *
				sizeof(*db->batch[i].cells));
		}
	}
	snprintf(aux, sizeof(aux), "%d", HWT_SCHEMA_VERSION);
	if (hwt_db_meta(db, "schema_version", aux) < 0 ||
	    hwt_db_commit(db) < 0) {
		hwt_errf(err, errlen, "sqlite: %s", sqlite3_errmsg(db->db));
		goto fail;
	}
	return db;
fail:
	for (i = 0; i < S_NUM; i++)
		sqlite3_finalize(db->st[i]);
	free_batches(db);
	sqlite3_close(db->db);
	if (db->tmp)
		remove_tmp(db->tmp);
	if (db->tmp_fd >= 0)
		close(db->tmp_fd);
	free(db->tmp);
	free(db->out);
	free(db);
	return NULL;
}

/* Where the main thread uses the connection itself: the writer's jobs
 * all run first (it is idle until the next is submitted).  Returns 0, or
 * -1 if one of them failed. */
static int sync_point(struct hwt_db *db)
{
	return db->w ? hwt_db_writer_wait(db->w) : 0;
}

/* Ends the writer thread, its jobs run.  Returns 0, or -1 if one
 * failed. */
static int stop_writer(struct hwt_db *db)
{
	int rc = sync_point(db);

	hwt_db_writer_stop(db->w);
	db->w = NULL;
	return rc;
}

int hwt_db_set_writer(struct hwt_db *db, int on)
{
	if (!on)
		return stop_writer(db);
	if (!db->w)
		db->w = hwt_db_writer_start(run_job, db, WRITER_MAX_BYTES);
	return 0;
}

sqlite3 *hwt_db_handle(struct hwt_db *db)
{
	sync_point(db);
	return db->db;
}

int hwt_db_flush(struct hwt_db *db)
{
	return flush_calls(db) < 0 ? -1 : 0;
}

/* Commits and begins the next transaction, now (by the thread that owns
 * the connection).  Returns 0, or -1 on an SQLite error (said). */
static int commit_now(struct hwt_db *db)
{
	char err[256];

	if (exec(db->db, "COMMIT; BEGIN;", err, sizeof(err)) < 0) {
		fprintf(stderr, "hwt: database commit: %s\n", err);
		return -1;
	}
	/* The file is synced once, before its rename; pages written out
	 * from here on, while the decode goes on, are not waited for then
	 * (117 ms of the sqlite3 bench's 0.8 s wall, 1.3 ms after).  Only
	 * a start: an error shows at that fsync. */
	if (db->tmp_fd >= 0)
		(void)sync_file_range(db->tmp_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

int hwt_db_commit(struct hwt_db *db)
{
	if (flush_batches(db) < 0 || flush_calls(db) < 0)
		return -1;
	if (db->w)
		return hwt_db_writer_submit(db->w,
					    new_job(db, JOB_COMMIT, 0, 0, 0));
	return commit_now(db);
}

static void db_free(struct hwt_db *db)
{
	int i;

	free(db->calls.slot);
	free(db->early);
	free(db->chunk);
	for (i = 0; i < S_NUM; i++)
		sqlite3_finalize(db->st[i]);
	free_batches(db);
	if (db->tmp_fd >= 0)
		close(db->tmp_fd);
	free(db->tmp);
	free(db->out);
	free(db);
}

void hwt_db_abandon(struct hwt_db *db)
{
	if (!db)
		return;
	stop_writer(db);
	for (int i = 0; i < S_NUM; i++) {
		sqlite3_finalize(db->st[i]);
		db->st[i] = NULL;
	}
	free_batches(db);
	sqlite3_close(db->db);
	if (db->tmp)
		remove_tmp(db->tmp);
	db_free(db);
}

/* Syncs the directory holding path (its entries: a rename into it).
 * Returns 0, or -1 if it cannot be opened or synced. */
static int sync_dir_of(const char *path)
{
	char buf[PATH_MAX];
	const char *p;
	char *slash;
	int fd, rc;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash)
		p = ".";
	else if (slash == buf)
		p = "/";
	else
		*slash = 0, p = buf;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int hwt_db_finish(struct hwt_db *db, char *err, size_t errlen)
{
	char aux[PATH_MAX + 16];
	int rc;

	rc = flush_batches(db);
	if (!rc)
		rc = flush_calls(db);
	if (stop_writer(db) < 0)
		rc = -1;
	/* complete is the last row written: a file without it is what a
	 * decode left that did not finish. */
	if (!rc)
		rc = hwt_db_meta(db, "complete", "1");
	if (!rc)
		rc = exec(db->db, "COMMIT;", err, errlen);
	else
		hwt_errf(err, errlen, "database write: %s",
			   sqlite3_errmsg(db->db));
	for (int i = 0; i < S_NUM; i++) {
		sqlite3_finalize(db->st[i]);
		db->st[i] = NULL;
	}
	free_batches(db);
	/* Leave a single self-contained file behind. */
	if (!rc)
		rc = exec(db->db, "PRAGMA journal_mode=DELETE;", err, errlen);
	if (sqlite3_close(db->db) != SQLITE_OK && !rc) {
		hwt_errf(err, errlen, "database close: %s",
			   sqlite3_errmsg(db->db));
		rc = -1;
	}
	db->db = NULL;
	if (!rc && db->tmp) {
		/* A journal of an older OUT would be rolled back into the new
		 * file: they go first. */
		snprintf(aux, sizeof(aux), "%s-journal", db->out);
		unlink(aux);
		snprintf(aux, sizeof(aux), "%s-wal", db->out);
		unlink(aux);
		if (fsync(db->tmp_fd) < 0 ||
		    (db->force ? rename(db->tmp, db->out) :
		     renameat2(AT_FDCWD, db->tmp, AT_FDCWD, db->out,
			       RENAME_NOREPLACE)) < 0) {
			hwt_errf(err, errlen, "%s: %s", db->out,
				   errno == EEXIST ? "created meanwhile by "
				   "someone else (--force replaces it)" :
				   strerror(errno));
			rc = -1;
		} else {
			sync_dir_of(db->out);
			free(db->tmp);
			db->tmp = NULL;	/* it is OUT now */
		}
	}
	if (rc && db->tmp)
		remove_tmp(db->tmp);
	db_free(db);
	return rc ? -1 : 0;
}

static int step(struct hwt_db *db, int s)
{
	sqlite3_stmt *st = db->st[s];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	/* Say why once; the caller only sees -1 travel up. */
	fprintf(stderr, "hwt: database write: %s\n", sqlite3_errmsg(db->db));
	return -1;
}

#define B64(s, i, v) sqlite3_bind_int64(db->st[s], i, (sqlite3_int64)(v))
#define BTXT(s, i, v) sqlite3_bind_text(db->st[s], i, v, -1, SQLITE_TRANSIENT)

static void free_batches(struct hwt_db *db)
{
	int k, j;

	for (k = 0; k < S_NUM; k++) {
		struct batch *b = &db->batch[k];

		for (j = 0; j < BATCH_SIZES; j++) {
			sqlite3_finalize(b->multi[j]);
			b->multi[j] = NULL;
		}
		free(b->cells);
		free(b->arena);
		b->cells = NULL;
		b->arena = NULL;
		b->n = b->alen = b->acap = 0;
	}
}

/* Rows in the statement multi[j] of a batch. */
static size_t batch_size(int j)
{
	return (size_t)BATCH >> (2 * j);	/* 64, 16, 4 */
}

/*
 * The statement that inserts rows rows of statement k (rows: 1 or a
 * batch_size()), prepared the first time.
 * Returns it, or NULL with the error said if it cannot be prepared.
 */
static sqlite3_stmt *batch_stmt(struct hwt_db *db, int k, size_t rows)
{
	struct batch *b = &db->batch[k];
	const char *sql = stmt_sql[k], *tuple;
	size_t pre, tl, r, len;
	char *q;
	int j;

	if (rows == 1)
		return db->st[k];
	for (j = 0; j < BATCH_SIZES && batch_size(j) != rows; j++)
		;
	if (j == BATCH_SIZES)
		return NULL;
	if (b->multi[j])
		return b->multi[j];
	/* "INSERT ... VALUES (?, ...)": the tuple rows times. */
	tuple = strstr(sql, "VALUES (");
	if (!tuple)
		return NULL;
	tuple += 7;
	pre = (size_t)(tuple - sql);
	tl = strlen(tuple);
	len = pre + rows * (tl + 1) + 1;
	q = hwt_xrealloc(NULL, len);
	memcpy(q, sql, pre);
	for (r = 0; r < rows; r++) {
		memcpy(q + pre + r * (tl + 1), tuple, tl);
		q[pre + r * (tl + 1) + tl] = r + 1 < rows ? ',' : 0;
	}
	if (sqlite3_prepare_v2(db->db, q, -1, &b->multi[j], NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "hwt: database write: %s\n",
			sqlite3_errmsg(db->db));
		b->multi[j] = NULL;
	}
	free(q);
	return b->multi[j];
}

/* Writes n rows of statement k (cells: ncols each, their bytes in arena,
 * NULL: none), in order.  Returns 0, or -1 on an SQLite error (said). */
static int write_rows(struct hwt_db *db, int k, const struct cell *cells,
		      size_t n, const char *arena)
{
	const struct batch *b = &db->batch[k];
	size_t done = 0, rows, r;
	sqlite3_stmt *st;
	int c, j, i, rc = 0;

	while (done < n && rc == 0) {
		for (j = 0; j < BATCH_SIZES &&
		     batch_size(j) > n - done; j++)
			;
		rows = j < BATCH_SIZES ? batch_size(j) : 1;
		st = batch_stmt(db, k, rows);
		if (!st) {
			rc = -1;
			break;
		}
		for (r = 0, i = 1; r < rows; r++) {
			const struct cell *v = &cells[(done + r) *
						      (size_t)b->ncols];

			for (c = 0; c < b->ncols; c++, i++) {
				/* v is an offset in the arena for text and
				 * blobs only (an integer's value else: no
				 * pointer to form from it). */
				int in_arena = v[c].type == CELL_TEXT ||
					       v[c].type == CELL_BLOB;
				const char *p = arena && in_arena ?
						arena + v[c].v : "";

				switch (v[c].type) {
				case CELL_INT:
					sqlite3_bind_int64(st, i, v[c].v);
					break;
				case CELL_TEXT:
					sqlite3_bind_text(st, i, p,
							  (int)v[c].len,
							  SQLITE_STATIC);
					break;
				case CELL_BLOB:
					sqlite3_bind_blob(st, i, p,
							  (int)v[c].len,
							  SQLITE_STATIC);
					break;
				default:
					sqlite3_bind_null(st, i);
					break;
				}
			}
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		/* Nothing may point into the arena once it moves (a batch
		 * of integers and NULLs has none: every step binds each
		 * parameter anew). */
		if (arena)
			sqlite3_clear_bindings(st);
		if (rc == SQLITE_DONE) {
			rc = 0;
		} else {
			fprintf(stderr, "hwt: database write: %s\n",
				sqlite3_errmsg(db->db));
			rc = -1;
		}
		done += rows;
	}
	return rc;
}

/* A job of kind for the writer with len bytes after its cells (rows of
 * statement k: n rows of its cells).  Returns it; its bytes are at
 * job_bytes(). */
static struct db_job *new_job(struct hwt_db *db, int kind, int k, size_t n,
			      size_t len)
{
	size_t ncells = kind == JOB_ROWS ? n * (size_t)db->batch[k].ncols : 0;
	struct db_job *j = hwt_db_writer_alloc(db->w, sizeof(*j) + ncells *
					       sizeof(struct cell) + len);

	memset(j, 0, sizeof(*j));
	j->kind = kind;
	j->k = k;
	j->n = n;
	j->len = len;
	return j;
}

static struct cell *job_cells(struct db_job *j)
{
	return (struct cell *)(j + 1);
}

static char *job_bytes(struct hwt_db *db, struct db_job *j)
{
	size_t ncells = j->kind == JOB_ROWS ?
			j->n * (size_t)db->batch[j->k].ncols : 0;

	return (char *)(job_cells(j) + ncells);
}

/* A flow row (v: stream, seq, first_insn, ninsn, nentries; data: size
 * bytes), written now; the blob unbound after (a job's is freed once
 * run).  Returns 0, or -1 on an SQLite error (said). */
static int write_flow(struct hwt_db *db, const uint64_t v[5],
		      const void *data, size_t size)
{
	int i, rc;

	for (i = 0; i < 5; i++)
		B64(S_FLOW, i + 1, v[i]);
	sqlite3_bind_blob(db->st[S_FLOW], 6, data, (int)size, SQLITE_STATIC);
	rc = step(db, S_FLOW);
	sqlite3_clear_bindings(db->st[S_FLOW]);
	return rc;
}

/* The writer thread's hwt_db_job_fn: job run on ctx's connection.
 * Returns 0, or -1 on an SQLite error (said). */
static int run_job(void *ctx, void *job)
{
	struct hwt_db *db = ctx;
	struct db_job *j = job;

	switch (j->kind) {
	case JOB_ROWS:
		return write_rows(db, j->k, job_cells(j), j->n,
				  j->len ? job_bytes(db, j) : NULL);
	case JOB_FLOW:
		return write_flow(db, j->v, job_bytes(db, j), j->len);
	case JOB_CALLS:
		return run_calls_job(db, j);
	case JOB_COMMIT:
		return commit_now(db);
	}
	return -1;
}

/* Writes the rows of batch k, in order (by the writer, if any: its cells
 * and arena copied into the job).  Returns 0, or -1 on an SQLite error
 * (said; the writer's may be an earlier job's). */
static int flush_batch(struct hwt_db *db, int k)
{
	struct batch *b = &db->batch[k];
	size_t csize = b->n * (size_t)b->ncols * sizeof(*b->cells);
	struct db_job *j;
	int rc;

	if (!db->w) {
		rc = write_rows(db, k, b->cells, b->n, b->arena);
	} else {
		j = new_job(db, JOB_ROWS, k, b->n, b->alen);
		memcpy(job_cells(j), b->cells, csize);
		if (b->alen)
			memcpy(job_bytes(db, j), b->arena, b->alen);
		rc = hwt_db_writer_submit(db->w, j);
	}
	b->n = 0;
	b->alen = 0;
	return rc;
}

/* Writes every batch's rows.  Returns 0, or -1 on an SQLite error. */
static int flush_batches(struct hwt_db *db)
{
	int k;

	for (k = 0; k < S_NUM; k++)
		if (db->batch[k].n && flush_batch(db, k) < 0)
			return -1;
	return 0;
}

/* The cells of a new row of batch k (each set by cell_*()). */
static struct cell *batch_row(struct hwt_db *db, int k)
{
	struct batch *b = &db->batch[k];

	return &b->cells[b->n * (size_t)b->ncols];
}

/* The row of batch_row() is complete.  Returns 0, or -1 if the batch was
 * full and its write failed. */
static int batch_add(struct hwt_db *db, int k)
{
	return ++db->batch[k].n == BATCH ? flush_batch(db, k) : 0;
}

static void cell_int(struct cell *c, sqlite3_int64 v)
{
	c->type = CELL_INT;
	c->v = v;
}

static void cell_null(struct cell *c)
{
	c->type = CELL_NULL;
}

/* len bytes of p copied into batch k's arena, as a blob or text. */
static void cell_bytes(struct hwt_db *db, int k, struct cell *c,
		       const void *p, size_t len, int type)
{
	struct batch *b = &db->batch[k];

	if (b->alen + len > b->acap) {
		b->acap = b->acap ? b->acap : 4096;
		while (b->alen + len > b->acap)
			b->acap *= 2;
		b->arena = hwt_xrealloc(b->arena, b->acap);
	}
	if (len)
		memcpy(b->arena + b->alen, p, len);
	c->type = (uint8_t)type;
	c->v = (sqlite3_int64)b->alen;
	c->len = (uint32_t)len;
	b->alen += len;
}

/* Text s (NULL: a NULL, as sqlite3_bind_text() binds it). */
static void cell_text(struct hwt_db *db, int k, struct cell *c, const char *s)
{
	if (s)
		cell_bytes(db, k, c, s, strlen(s), CELL_TEXT);
	else
		cell_null(c);
}

/*
 * The id (INTEGER PRIMARY KEY) of a row of batch k, whose table's rows
 * all came through cell_id(): NULL where it is one past the largest so
 * far, the rowid SQLite gives a NULL there (the largest plus one), found
 * at the B-tree's end instead of by a search from its root.
 */
static void cell_id(struct hwt_db *db, int k, struct cell *c, uint64_t id)
{
	struct batch *b = &db->batch[k];

	if (id == b->max_id + 1 && id < (uint64_t)INT64_MAX)
		cell_null(c);
	else
		cell_int(c, (sqlite3_int64)id);
	if (id > b->max_id)
		b->max_id = id;
}

#define C64(c, v) cell_int(c, (sqlite3_int64)(v))
#define CTXT(k, c, s) cell_text(db, k, c, s)

int hwt_db_meta(struct hwt_db *db, const char *key, const char *value)
{
	if (sync_point(db) < 0)
		return -1;
	BTXT(S_META, 1, key);
	BTXT(S_META, 2, value);
	return step(db, S_META);
}

int hwt_db_image(struct hwt_db *db, struct hwt_image *img)
{
	size_t i, j;

	for (i = 0; i < hwt_image_nbinaries(img); i++) {
		const struct hwt_binary *b = hwt_image_binary(img, i);

		if (sync_point(db) < 0)
			return -1;
		B64(S_BINARY, 1, b->id);
		BTXT(S_BINARY, 2, b->path);
		if (b->build_id[0])
			BTXT(S_BINARY, 3, b->build_id);
		else
			sqlite3_bind_null(db->st[S_BINARY], 3);
		B64(S_BINARY, 4, b->bias);
		/* AutoFDO's offsets count from the first PT_LOAD's vaddr. */
		if (b->is_elf && b->elf.nsegs)
			B64(S_BINARY, 5, b->elf.segs[0].vaddr);
		else
			sqlite3_bind_null(db->st[S_BINARY], 5);
		if (step(db, S_BINARY) < 0)
			return -1;
		for (j = 0; j < b->elf.nsyms; j++) {
			const struct hwt_sym *s = &b->elf.syms[j];
			struct cell *c = batch_row(db, S_SYMBOL);

			cell_id(db, S_SYMBOL, &c[0], s->id);
			C64(&c[1], b->id);
			C64(&c[2], s->start + (uint64_t)b->bias);
			C64(&c[3], s->start + s->size + (uint64_t)b->bias);
			C64(&c[4], s->binding);
			CTXT(S_SYMBOL, &c[5], s->name);
			if (s->mangled)
				CTXT(S_SYMBOL, &c[6], s->mangled);
			else
				cell_null(&c[6]);
			if (batch_add(db, S_SYMBOL) < 0)
				return -1;
		}
	}
	for (i = 0; i < hwt_image_nsections(img); i++) {
		const struct hwt_section *s = hwt_image_section(img, i);
		struct cell *c = batch_row(db, S_SECTION);

		C64(&c[0], s->bin->id);
		C64(&c[1], s->vaddr);
		C64(&c[2], s->size);
		C64(&c[3], s->file_offset);
		if (batch_add(db, S_SECTION) < 0)
			return -1;
	}
	return 0;
}

int hwt_db_thread(struct hwt_db *db, int64_t tid, int64_t pid,
		  uint64_t *thread_id)
{
	if (sync_point(db) < 0)
		return -1;
	B64(S_THREAD, 1, pid);
	B64(S_THREAD, 2, tid);
	if (step(db, S_THREAD) < 0)
		return -1;
	*thread_id = (uint64_t)sqlite3_last_insert_rowid(db->db);
	return 0;
}

int hwt_db_stream(struct hwt_db *db, const struct hwt_stream_info *info,
		  uint64_t thread_id)
{
	if (sync_point(db) < 0)
		return -1;
	B64(S_STREAM, 1, info->id);
	B64(S_STREAM, 2, thread_id);
	BTXT(S_STREAM, 3, info->name ? info->name : "");
	B64(S_STREAM, 4, info->tid);
	B64(S_STREAM, 5, info->cpu);
	B64(S_STREAM, 6, info->trace_id);
	return step(db, S_STREAM);
}


int hwt_db_block(struct hwt_db *db, uint32_t id, const struct hwt_ublock *b)
{
	struct cell *c = batch_row(db, S_BLOCK);

	cell_id(db, S_BLOCK, &c[0], id);
	C64(&c[1], b->bin_id);
	C64(&c[2], b->sym_id);
	C64(&c[3], b->ip);
	C64(&c[4], b->end_ip);
	C64(&c[5], b->ninsn);
	C64(&c[6], b->isa);
	C64(&c[7], b->iclass);
	if (b->lens_ok)
		cell_bytes(db, S_BLOCK, &c[8], b->lens, b->ninsn, CELL_BLOB);
	else
		cell_null(&c[8]);
	if (b->code_size)
		cell_bytes(db, S_BLOCK, &c[9], b->code, b->code_size,
			   CELL_BLOB);
	else
		cell_null(&c[9]);
	if (b->has_target)
		C64(&c[10], b->target);
	else
		cell_null(&c[10]);
	return batch_add(db, S_BLOCK);
}

int hwt_db_edge(struct hwt_db *db, uint32_t stream, uint64_t thread_id,
		const struct hwt_edge *e)
{
	struct cell *c = batch_row(db, S_EDGE);

	C64(&c[0], stream);
	C64(&c[1], thread_id);
	C64(&c[2], e->from);
	C64(&c[3], e->to);
	C64(&c[4], e->flags);
	C64(&c[5], e->count);
	return batch_add(db, S_EDGE);
}

int hwt_db_error(struct hwt_db *db, uint64_t id, uint32_t stream,
		 uint64_t insn_index, const struct hwt_event *ev,
		 const char *kind)
{
	struct cell *c = batch_row(db, S_ERROR);

	C64(&c[0], id);
	C64(&c[1], stream);
	C64(&c[2], insn_index);
	C64(&c[3], ev->offset);
	C64(&c[4], ev->ip);
	C64(&c[5], ev->code);
	CTXT(S_ERROR, &c[6], kind);
	CTXT(S_ERROR, &c[7], ev->msg ? ev->msg : "");
	return batch_add(db, S_ERROR);
}

int hwt_db_event(struct hwt_db *db, uint32_t stream, uint64_t insn_index,
		 const char *kind, const struct hwt_event *ev, uint64_t time)
{
	struct cell *c = batch_row(db, S_EVENT);

	C64(&c[0], stream);
	C64(&c[1], insn_index);
	CTXT(S_EVENT, &c[2], kind);
	C64(&c[3], ev->ip);
	C64(&c[4], ev->arg);
	C64(&c[5], ev->code);
	C64(&c[6], time);
	return batch_add(db, S_EVENT);
}

int hwt_db_flow(struct hwt_db *db, uint32_t stream, uint64_t seq,
		uint64_t first_insn, uint64_t ninsn, uint64_t nentries,
		const uint8_t *data, size_t size)
{
	const uint64_t v[5] = { stream, seq, first_insn, ninsn, nentries };
	struct db_job *j;

	if (!db->w)
		return write_flow(db, v, data, size);
	j = new_job(db, JOB_FLOW, 0, 0, size);
	memcpy(j->v, v, sizeof(v));
	memcpy(job_bytes(db, j), data, size);
	return hwt_db_writer_submit(db->w, j);
}

/* hwt_calls_slot() for a row that needs a flush first, a slot not made
 * yet, or no slot (an id below calls.base or CALLS_SLOTS past it).
 * Returns its record, or NULL on an SQLite error. */
static struct hwt_calls_rec *call_slot_slow(struct hwt_calls_slots *sl,
					    uint64_t id)
{
	struct hwt_db *db = (struct hwt_db *)((char *)sl -
					      offsetof(struct hwt_db, calls));
	uint64_t k;

	if (sl->n == HWT_CALLS_KEPT && flush_calls(db) < 0)
		return NULL;
	sl->n++;
	k = id - sl->base;
	if (id >= sl->base && k < CALLS_SLOTS) {
		if (k >= sl->cap) {
			/* Zeros: no id (calls.base is at least 1). */
			size_t n = sl->cap ? sl->cap : 4096;

			while (n <= k)
				n *= 2;
			sl->slot = hwt_xrealloc(sl->slot, n * sizeof(*sl->slot));
			memset(sl->slot + sl->cap, 0,
			       (n - sl->cap) * sizeof(*sl->slot));
			sl->cap = n;
		}
		if (k >= sl->nslot)
			sl->nslot = (size_t)k + 1;
		return &sl->slot[k];
	}
	if (db->nearly == db->earlycap) {
		db->earlycap = db->earlycap ? 2 * db->earlycap : 256;
		db->early = hwt_xrealloc(db->early, db->earlycap *
					 sizeof(*db->early));
	}
	return &db->early[db->nearly++];
}

struct hwt_calls_slots *hwt_db_calls(struct hwt_db *db)
{
	return &db->calls;
}

/* Orders call rows by id (qsort). */
static int rec_cmp(const void *a, const void *b)
{
	const struct hwt_calls_rec *x = a, *y = b;

	return x->v[0] < y->v[0] ? -1 : x->v[0] > y->v[0];
}

/* The n rows encoded in db->chunk (len bytes), ids min_id to max_id, as
 * one call_chunks row, written now (by the thread that owns the
 * connection).  Returns 0, or -1 on an SQLite error. */
static int write_chunk(struct hwt_db *db, uint64_t min_id, uint64_t max_id,
		       size_t n, size_t len)
{
	B64(S_CCHUNK, 1, min_id);
	B64(S_CCHUNK, 2, max_id);
	B64(S_CCHUNK, 3, n);
	sqlite3_bind_blob(db->st[S_CCHUNK], 4, db->chunk, (int)len,
			  SQLITE_STATIC);
	return step(db, S_CCHUNK);
}

/* Kept call rows: the slots from base (a slot holds the row of base + k
 * if its id says so) and the early rows. */
struct kept_calls {
	struct hwt_calls_rec *slot, *early;
	size_t nslot, nearly;
	uint64_t base;
};

/* The rows of kc in id order (calls_next()): its early rows (sorted
 * first) merged with the slots' made ones. */
struct calls_iter {
	const struct kept_calls *kc;
	size_t e, k;
};

static void calls_begin(struct calls_iter *it, struct kept_calls *kc)
{
	if (kc->nearly > 1)
		qsort(kc->early, kc->nearly, sizeof(*kc->early), rec_cmp);
	it->kc = kc;
	it->e = 0;
	it->k = 0;
}

/* Returns the next row, or NULL after the last.  (Inline, as
 * chunk_add(): their loop was one before, and a call a row cost the
 * one-core decode of the bench's sqlite3 trace 3% more instructions.) */
static inline __attribute__((always_inline)) const struct hwt_calls_rec *
calls_next(struct calls_iter *it)
{
	const struct kept_calls *kc = it->kc;

	if (it->e == kc->nearly) {
		/* Most rows: the slots' alone (a slot holds its id). */
		while (it->k < kc->nslot) {
			const struct hwt_calls_rec *r = &kc->slot[it->k++];

			if (r->v[0] == kc->base + it->k - 1)
				return r;
		}
		return NULL;
	}
	while (it->k < kc->nslot && kc->slot[it->k].v[0] != kc->base + it->k)
		it->k++;
	if (it->k == kc->nslot || kc->early[it->e].v[0] < kc->slot[it->k].v[0])
		return &kc->early[it->e++];
	return &kc->slot[it->k++];
}

/* A call_chunks row being built in db->chunk: its rows so far. */
struct chunk_out {
	const struct hwt_calls_rec *prev;
	size_t n, len;
	uint64_t min_id;
};

/* Row r encoded after the chunk's rows (r stays where it is until the
 * next row is added: that one is encoded against it), the chunk written
 * once full.  Returns 0, or -1 on an SQLite error. */
static inline __attribute__((always_inline)) int
chunk_add(struct hwt_db *db, struct chunk_out *co,
	  const struct hwt_calls_rec *r)
{
	static const struct hwt_calls_rec zero;
	size_t len;

	if (!db->chunk)
		db->chunk = hwt_xrealloc(NULL, HWT_CALLS_CHUNK *
					 HWT_CALLS_ROW_MAX);
	if (!co->n) {
		co->prev = &zero;
		co->min_id = r->v[0];
	}
	co->len += hwt_calls_encode_next(db->chunk + co->len, co->prev, r);
	co->prev = r;
	if (++co->n < HWT_CALLS_CHUNK)
		return 0;
	len = co->len;
	co->n = 0;
	co->len = 0;
	return write_chunk(db, co->min_id, r->v[0], HWT_CALLS_CHUNK, len);
}

/* The chunk's rows written, if any.  Returns 0, or -1 on an SQLite
 * error. */
static int chunk_end(struct hwt_db *db, struct chunk_out *co)
{
	if (!co->n)
		return 0;
	return write_chunk(db, co->min_id, co->prev->v[0], co->n, co->len);
}

/* Writes the rows of kc sorted by id, HWT_CALLS_CHUNK per call_chunks
 * row, each encoded as it is met.  Returns 0, or -1 on an SQLite
 * error. */
static int write_calls(struct hwt_db *db, struct kept_calls *kc)
{
	const struct hwt_calls_rec *r;
	struct chunk_out co = { .n = 0 };
	struct calls_iter it;

	calls_begin(&it, kc);
	while ((r = calls_next(&it)))
		if (chunk_add(db, &co, r) < 0)
			return -1;
	return chunk_end(db, &co);
}

/* The writer's part of a flush_calls(): the job's rows (in id order)
 * encoded and written.  Returns 0, or -1 on an SQLite error. */
static int run_calls_job(struct hwt_db *db, struct db_job *j)
{
	const struct hwt_calls_rec *rows = (const void *)job_bytes(db, j);
	struct chunk_out co = { .n = 0 };
	size_t i;

	for (i = 0; i < j->n; i++)
		if (chunk_add(db, &co, &rows[i]) < 0)
			return -1;
	return chunk_end(db, &co);
}

/* The kept call rows (flush_calls()) copied in id order into a job for
 * the writer, which encodes them (the encoding is most of a flush's
 * work; a row's copy is 80 bytes).  Returns 0, or -1 if a write of the
 * writer failed. */
static int submit_calls(struct hwt_db *db, struct kept_calls *kc)
{
	size_t n = db->calls.n;
	struct db_job *j = new_job(db, JOB_CALLS, 0, 0,
				   n * sizeof(struct hwt_calls_rec));
	struct hwt_calls_rec *rows = (void *)job_bytes(db, j);
	const struct hwt_calls_rec *r;
	struct calls_iter it;
	size_t i = 0;

	calls_begin(&it, kc);
	while (i < n && (r = calls_next(&it)))
		rows[i++] = *r;
	j->n = i;
	return hwt_db_writer_submit(db->w, j);
}

/* Writes the kept call rows (write_calls(); by the writer, if any) and
 * starts the next rows' slots after them.  Returns 0, or -1 on an
 * SQLite error. */
static int flush_calls(struct hwt_db *db)
{
	struct kept_calls kc;
	int rc;

	if (!db->calls.n)
		return 0;
	kc.slot = db->calls.slot;
	kc.nslot = db->calls.nslot;
	kc.base = db->calls.base;
	kc.early = db->early;
	kc.nearly = db->nearly;
	rc = db->w ? submit_calls(db, &kc) : write_calls(db, &kc);
	/* The ids up to the last slot's have been given out: rows of them
	 * that come later are early ones. */
	db->calls.base += db->calls.nslot;
	db->calls.nslot = 0;
	db->nearly = 0;
	db->calls.n = 0;
	return rc;
}

/* The statements of four integers. */
static int insert4(struct hwt_db *db, int k, uint64_t a, uint64_t b,
		   uint64_t c, uint64_t d)
{
	struct cell *v;

	if (!batched(k)) {
		if (sync_point(db) < 0)
			return -1;
		B64(k, 1, a);
		B64(k, 2, b);
		B64(k, 3, c);
		B64(k, 4, d);
		return step(db, k);
	}
	v = batch_row(db, k);
	C64(&v[0], a);
	C64(&v[1], b);
	C64(&v[2], c);
	C64(&v[3], d);
	return batch_add(db, k);
}

int hwt_db_stream_end(struct hwt_db *db, uint32_t stream, uint64_t ninsn,
		      uint64_t nblocks, uint64_t nerrors)
{
	return insert4(db, S_SEND, ninsn, nblocks, nerrors, stream);
}

int hwt_db_stream_clock(struct hwt_db *db, uint32_t stream,
			const char *clock)
{
	sqlite3_stmt *st;
	int rc;

	if (sync_point(db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->db, "UPDATE streams SET clock = ? WHERE "
			       "id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, clock, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, stream);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int hwt_db_call_path(struct hwt_db *db, uint64_t id, uint64_t parent,
		     uint32_t sym, uint64_t ip)
{
	struct cell *c = batch_row(db, S_CP);

	cell_id(db, S_CP, &c[0], id);
	C64(&c[1], parent);
	C64(&c[2], sym);
	C64(&c[3], ip);
	return batch_add(db, S_CP);
}

int hwt_db_block_count(struct hwt_db *db, uint32_t stream,
		       uint64_t thread_id, uint32_t block, uint64_t count)
{
	return insert4(db, S_BCOUNT, stream, thread_id, block, count);
}

int hwt_db_symbol_stat(struct hwt_db *db, uint64_t thread_id, uint32_t sym,
		       uint64_t calls, uint64_t insns)
{
	return insert4(db, S_SSTAT, thread_id, sym, calls, insns);
}

int hwt_db_call_path_stat(struct hwt_db *db, uint64_t thread_id,
			  uint64_t call_path, uint64_t calls, uint64_t insns)
{
	return insert4(db, S_CPSTAT, thread_id, call_path, calls, insns);
}

int hwt_db_line(struct hwt_db *db, uint64_t addr, const char *file,
		uint32_t line)
{
	struct cell *c = batch_row(db, S_LINE);

	C64(&c[0], addr);
	CTXT(S_LINE, &c[1], file);
	C64(&c[2], line);
	return batch_add(db, S_LINE);
}

int hwt_db_binary_line(struct hwt_db *db, uint32_t binary_id, uint64_t addr,
		       const char *file, uint32_t line)
{
	if (sync_point(db) < 0)
		return -1;
	B64(S_BLINE, 1, binary_id);
	B64(S_BLINE, 2, addr);
	BTXT(S_BLINE, 3, file);
	B64(S_BLINE, 4, line);
	return step(db, S_BLINE);
}

int hwt_db_inline(struct hwt_db *db, uint32_t binary_id, uint64_t start,
		  uint64_t end, uint32_t depth, const char *name,
		  const char *call_file, uint32_t call_line)
{
	struct cell *c = batch_row(db, S_INLINE);

	C64(&c[0], binary_id);
	C64(&c[1], start);
	C64(&c[2], end);
	C64(&c[3], depth);
	CTXT(S_INLINE, &c[4], name);
	CTXT(S_INLINE, &c[5], call_file);
	C64(&c[6], call_line);
	return batch_add(db, S_INLINE);
}

int hwt_db_session(struct hwt_db *db, const char *source, const char *kind)
{
	sqlite3_stmt *st;
	int rc;

	if (sync_point(db) < 0)
		return -1;
	if (sqlite3_prepare_v2(db->db, "INSERT INTO sessions (source, kind, "
			       "created) VALUES (?, ?, datetime('now'))", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

sqlite3 *hwt_db_open_ro(const char *path, struct hwt_sqlite_budget *budget,
			const char *const *tables)
{
	struct hwt_sqlite_opts o;
	sqlite3_stmt *st = NULL;
	char err[512];
	sqlite3 *db;
	int rc, ok = 0, complete = 0;

	/* Read only, for any file: a decode in progress writes OUT.tmp and
	 * holds its lock, so a reader can never make it fail. */
	memset(&o, 0, sizeof(o));
	o.file.follow = 1;	/* the user named it */
	o.budget = budget;
	db = hwt_sqlite_open(AT_FDCWD, path, path, &o, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "hwt: %s\n", err);
		return NULL;
	}
	/* calls reads its compact chunks through this module. */
	if (hwt_calls_vtab_register(db) != SQLITE_OK) {
		fprintf(stderr, "hwt: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta WHERE key IN "
			       "('schema_version', 'complete')", -1, &st,
			       NULL) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *k = (const char *)
					sqlite3_column_text(st, 0);

			if (k && !strcmp(k, "complete"))
				complete = sqlite3_column_int(st, 1) == 1;
			else
				ok = sqlite3_column_int(st, 1) ==
				     HWT_SCHEMA_VERSION;
		}
		if (rc != SQLITE_DONE)
			ok = 0;
	}
	sqlite3_finalize(st);
	if (!ok) {
		fprintf(stderr, "hwt: %s: not an hwt database (schema "
			"version %d expected)\n", path, HWT_SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	if (tables && hwt_sqlite_check_tables(db, tables, err, sizeof(err))) {
		fprintf(stderr, "hwt: %s: %s\n", path, err);
		sqlite3_close(db);
		return NULL;
	}
	if (!complete)
		fprintf(stderr, "hwt: warning: %s is incomplete (no meta "
			"complete: its decode did not finish); what follows "
			"covers only what it wrote\n", path);
	return db;
}
