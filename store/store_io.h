/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening files and SQLite databases that someone else may have written:
 * a session directory's session.db and stream-N.bin (the store's fsck,
 * hwt info, the decoder), images named by a session's records, and decoded
 * databases (hwt report/replay/query).  Shared by hwtd/ and decoder/, so
 * every reader applies the same rules:
 *
 * - files are opened with O_NONBLOCK (a FIFO never blocks the caller),
 *   O_NOFOLLOW unless the caller says the user named the path, and must be
 *   regular files of an expected owner;
 * - databases are opened without SQLITE_OPEN_CREATE, read-only unless the
 *   caller needs to write, with a busy timeout, SQLITE_DBCONFIG_DEFENSIVE,
 *   PRAGMA trusted_schema=OFF and a budget of SQLite VM operations (a view
 *   redefined as an endless recursive CTE stops with a clear error).
 */
#ifndef HWT_STORE_IO_H
#define HWT_STORE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sqlite3.h>

/* What a file must be to be opened by hwt_open_checked(). */
struct hwt_file_policy {
	int follow;		/* 1: the last component may be a symlink
				 * (a path the user typed); else O_NOFOLLOW */
	int beneath;		/* 1: name must resolve beneath dirfd, with
				 * no symlink and no ".." on the way */
	int check_owner;	/* 1: st_uid must be owner ... */
	uid_t owner;
	int other_ok;		/* ... or (with check_owner) the file is
				 * world-readable */
	uint64_t max_size;	/* 0: any size */
};

/*
 * Opens name (relative to dirfd, or absolute; dirfd may be AT_FDCWD)
 * read-only, without blocking, and checks it against p.  sb gets its
 * fstat() (may be NULL).
 *
 * Returns the file descriptor (O_CLOEXEC, O_NONBLOCK) on success.
 * Returns -1 with a message in err, naming shown (the path to print), and
 * errno set (EINVAL: not regular, EACCES: owner, EFBIG: size), if:
 * it cannot be opened (errno's text; a symlink where p says O_NOFOLLOW is
 * "is a symbolic link (not followed)"), it is not a regular file, its owner
 * is not allowed by p, or it is larger than p->max_size.
 */
int hwt_open_checked(int dirfd, const char *name, const char *shown,
		     const struct hwt_file_policy *p, struct stat *sb,
		     char *err, size_t errlen);

/* Opens a directory (O_DIRECTORY | O_NOFOLLOW unless follow): the fd, or
 * -1 with a message in err. */
int hwt_open_dir(int dirfd, const char *name, int follow, char *err,
		 size_t errlen);

/* Default busy timeout of hwt_sqlite_open(), ms. */
#define HWT_SQLITE_BUSY_MS	5000
/* SQLite VM operations a database may cost its reader: at least
 * HWT_SQLITE_MIN_OPS, else HWT_SQLITE_OPS_PER_BYTE per byte of the file
 * (real queries cost a few operations per byte; a runaway view costs
 * without end). */
#define HWT_SQLITE_MIN_OPS	500000000ull
#define HWT_SQLITE_OPS_PER_BYTE	1000ull

/* SQLite VM operations spent by one connection, and its limit. */
struct hwt_sqlite_budget {
	uint64_t max_ops;	/* 0: from the file's size (see above) */
	uint64_t ops;		/* spent so far */
};

struct hwt_sqlite_opts {
	struct hwt_file_policy file;	/* the database file itself */
	int writable;		/* 0: SQLITE_OPEN_READONLY */
	int busy_ms;		/* 0: HWT_SQLITE_BUSY_MS */
	struct hwt_sqlite_budget *budget;	/* must outlive the handle;
						 * NULL: no limit */
};

/*
 * Opens an existing database name (relative to dirfd, as for
 * hwt_open_checked(); the file is checked with o->file first), with the
 * hardening above.
 *
 * Returns the handle on success.
 * Returns NULL with a message in err if: the file fails its check, SQLite
 * cannot open it, or it is not a database (its header is read at once).
 */
sqlite3 *hwt_sqlite_open(int dirfd, const char *name, const char *shown,
			 const struct hwt_sqlite_opts *o, char *err,
			 size_t errlen);

/* The text for db's last error: SQLite's, or, when budget ran out, that
 * the database cost more than its limit (a runaway view or query). */
const char *hwt_sqlite_errmsg(sqlite3 *db,
			      const struct hwt_sqlite_budget *budget,
			      char *buf, size_t len);

/*
 * Checks that each of the NULL-terminated names is a table (not a view,
 * which an input can redefine) in db's main schema.
 *
 * Returns 0 if all are tables.
 * Returns -1 with a message in err if one is missing or not a table, or
 * the schema cannot be read.
 */
int hwt_sqlite_check_tables(sqlite3 *db, const char *const *names,
			    char *err, size_t errlen);

/* session.db while hwt_store_create_opts() builds it. */
#define HWT_SESSION_TMP_DB	".session.db.tmp"

/*
 * Opens SESSION/session.db for a reader (writable = 0) or for fsck: the
 * directory dirfd's session.db must be a regular file owned by the
 * directory's owner, not a symlink, and its meta, streams, stream_params,
 * chunks and records must be tables.  shown names the directory in
 * messages; budget as in struct hwt_sqlite_opts.
 *
 * Returns the handle on success.
 * Returns NULL with a message in err if: there is no session.db (a
 * creation that was interrupted says so), or it fails the checks of
 * hwt_sqlite_open() or hwt_sqlite_check_tables().
 */
sqlite3 *hwt_session_db_open(int dirfd, const char *shown, int writable,
			     struct hwt_sqlite_budget *budget, char *err,
			     size_t errlen);

/* Maps the whole regular file fd read-only (fd is not closed; shown names
 * it).  An empty file gives a valid pointer that must not be read or
 * unmapped, with *size 0.
 * Returns the mapping, or NULL with err set if fd is not a regular file
 * or mmap fails. */
const uint8_t *hwt_map_fd(int fd, const char *shown, size_t *size,
			  char *err, size_t errlen);

/* hwt_map_fd() of a path the user named (symlinks followed, but never a
 * FIFO or a device: hwt_open_checked()).  NULL with err set on failure. */
const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen);

#endif /* HWT_STORE_IO_H */
