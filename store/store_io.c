// SPDX-License-Identifier: BSD-2-Clause
/* Hardened opens of files and databases; see store_io.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "hwt_err.h"
#include "store_io.h"

/* Without openat2 (before Linux 5.6): no absolute name, no "..". */
static int escapes(const char *name)
{
	const char *p = name;

	if (*name == '/')
		return 1;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n;
		p += *p == '/';
	}
	return 0;
}

static int open_beneath(int dirfd, const char *name, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
	if (escapes(name)) {
		errno = EXDEV;
		return -1;
	}
	return openat(dirfd, name, flags);
}

int hwt_open_checked(int dirfd, const char *name, const char *shown,
		     const struct hwt_file_policy *p, struct stat *sb,
		     char *err, size_t errlen)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	struct stat st;
	int fd;

	if (!p->follow)
		flags |= O_NOFOLLOW;
	fd = p->beneath ? open_beneath(dirfd, name, flags) :
			  openat(dirfd, name, flags);
	if (fd < 0) {
		if (errno == ELOOP)
			return hwt_errf(err, errlen, "%s: %s (not followed)",
				      shown, p->beneath ?
				      "a symbolic link on the way" :
				      "is a symbolic link");
		if (errno == EXDEV)
			return hwt_errf(err, errlen, "%s: outside its "
				      "directory (refused)", shown);
		return hwt_errf(err, errlen, "%s: %s", shown, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;

		hwt_errf(err, errlen, "%s: %s", shown, strerror(e));
		errno = e;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		hwt_errf(err, errlen, "%s: not a regular file (refused)", shown);
		errno = EINVAL;
		goto fail;
	}
	if (p->check_owner && st.st_uid != p->owner &&
	    !(p->other_ok && (st.st_mode & S_IROTH))) {
		if (p->other_ok)
			hwt_errf(err, errlen, "%s: owned by uid %u, not by the "
			       "session's owner (uid %u), and not "
			       "world-readable: refused (its owner may not "
			       "have been able to read it)", shown,
			       (unsigned)st.st_uid, (unsigned)p->owner);
		else
			hwt_errf(err, errlen, "%s: owned by uid %u, not by its "
			       "directory's owner (uid %u): refused", shown,
			       (unsigned)st.st_uid, (unsigned)p->owner);
		errno = EACCES;
		goto fail;
	}
	if (p->max_size && (uint64_t)st.st_size > p->max_size) {
		hwt_errf(err, errlen, "%s: %lld bytes, more than the %llu "
		       "allowed", shown, (long long)st.st_size,
		       (unsigned long long)p->max_size);
		errno = EFBIG;
		goto fail;
	}
	if (sb)
		*sb = st;
	return fd;
fail:
	{
		int e = errno;	/* why, for the caller */

		close(fd);
		errno = e;
	}
	return -1;
}

int hwt_open_dir(int dirfd, const char *name, int follow, char *err,
		 size_t errlen)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			(follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
		return hwt_errf(err, errlen, "%s: %s", name,
			      errno == ELOOP ? "is a symbolic link (not "
			      "followed)" : strerror(errno));
	return fd;
}

#define OPS_PER_CALL	10000

static int over_budget(void *arg)
{
	struct hwt_sqlite_budget *b = arg;

	b->ops += OPS_PER_CALL;
	return b->ops > b->max_ops;
}

sqlite3 *hwt_sqlite_open(int dirfd, const char *name, const char *shown,
			 const struct hwt_sqlite_opts *o, char *err,
			 size_t errlen)
{
	char path[PATH_MAX + 64];
	struct stat sb;
	sqlite3 *db = NULL;
	char *msg = NULL;
	int fd;

	fd = hwt_open_checked(dirfd, name, shown, &o->file, &sb, err, errlen);
	if (fd < 0)
		return NULL;
	close(fd);
	/* SQLite opens by name: through the directory fd, so a renamed
	 * directory is still the one checked. */
	if (dirfd == AT_FDCWD || name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd,
			 name);
	if (sqlite3_open_v2(path, &db, o->writable ? SQLITE_OPEN_READWRITE :
			    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: %s", shown,
		       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, o->busy_ms ? o->busy_ms : HWT_SQLITE_BUSY_MS);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (o->budget) {
		struct hwt_sqlite_budget *b = o->budget;

		if (!b->max_ops) {
			uint64_t size = (uint64_t)sb.st_size;

			b->max_ops = size > UINT64_MAX / HWT_SQLITE_OPS_PER_BYTE
				     ? UINT64_MAX :
				     size * HWT_SQLITE_OPS_PER_BYTE;
			if (b->max_ops < HWT_SQLITE_MIN_OPS)
				b->max_ops = HWT_SQLITE_MIN_OPS;
		}
		b->ops = 0;
		sqlite3_progress_handler(db, OPS_PER_CALL, over_budget, b);
	}
	/* Reading the schema now: a file that is not a database fails
	 * here, with SQLite's reason. */
	if (sqlite3_exec(db, "PRAGMA trusted_schema=OFF;"
			 "SELECT count(*) FROM sqlite_master", NULL, NULL,
			 &msg) != SQLITE_OK) {
		hwt_errf(err, errlen, "%s: cannot be read (corrupt, locked or not"
		       " a database): %s", shown, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

const char *hwt_sqlite_errmsg(sqlite3 *db,
			      const struct hwt_sqlite_budget *budget,
			      char *buf, size_t len)
{
	if (budget && budget->ops > budget->max_ops &&
	    sqlite3_errcode(db) == SQLITE_INTERRUPT) {
		snprintf(buf, len, "stopped after %llu SQLite operations, the "
			 "limit for this database (a view or query that runs "
			 "away?)", (unsigned long long)budget->max_ops);
		return buf;
	}
	snprintf(buf, len, "%s", sqlite3_errmsg(db));
	return buf;
}

int hwt_sqlite_check_tables(sqlite3 *db, const char *const *names,
			    char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT type FROM main.sqlite_master "
			       "WHERE lower(name) = lower(?1)", -1, &st,
			       NULL) != SQLITE_OK)
		return hwt_errf(err, errlen, "schema: %s", sqlite3_errmsg(db));
	for (; *names && !rc; names++) {
		const char *type;
		int step;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, *names, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		type = step == SQLITE_ROW ?
		       (const char *)sqlite3_column_text(st, 0) : NULL;
		if (step == SQLITE_DONE)
			rc = hwt_errf(err, errlen, "no table %s", *names);
		else if (step != SQLITE_ROW)
			rc = hwt_errf(err, errlen, "schema: %s",
				    sqlite3_errmsg(db));
		else if (!type || strcmp(type, "table"))
			rc = hwt_errf(err, errlen, "%s is a %s, not a table "
				    "(refused: not as hwt writes it)", *names,
				    type ? type : "NULL");
	}
	sqlite3_finalize(st);
	return rc;
}

sqlite3 *hwt_session_db_open(int dirfd, const char *shown, int writable,
			     struct hwt_sqlite_budget *budget, char *err,
			     size_t errlen)
{
	static const char *const tables[] = { "meta", "streams",
		"stream_params", "chunks", "records", NULL };
	struct hwt_sqlite_opts o;
	struct stat dsb, sb;
	char path[PATH_MAX + 32], why[256];
	sqlite3 *db;

	if (fstat(dirfd, &dsb)) {
		hwt_errf(err, errlen, "%s: %s", shown, strerror(errno));
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.file.check_owner = 1;
	o.file.owner = dsb.st_uid;
	o.writable = writable;
	o.budget = budget;
	snprintf(path, sizeof(path), "%s/session.db", shown);
	if (fstatat(dirfd, "session.db", &sb, AT_SYMLINK_NOFOLLOW) &&
	    errno == ENOENT) {
		hwt_errf(err, errlen, "%s: no session.db (%s)", shown,
		       fstatat(dirfd, HWT_SESSION_TMP_DB, &sb,
			       AT_SYMLINK_NOFOLLOW) ?
		       "not a trace session" : "its creation was interrupted:"
		       " nothing was recorded");
		return NULL;
	}
	db = hwt_sqlite_open(dirfd, "session.db", path, &o, err, errlen);
	if (db && hwt_sqlite_check_tables(db, tables, why, sizeof(why))) {
		hwt_errf(err, errlen, "%s: %s", path, why);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

const uint8_t *hwt_map_fd(int fd, const char *shown, size_t *size,
			  char *err, size_t errlen)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		hwt_errf(err, errlen, "%s: not a regular file", shown);
		return NULL;
	}
	*size = (size_t)st.st_size;
	if (!st.st_size)	/* a valid pointer, never dereferenced */
		return (const uint8_t *)"";
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		hwt_errf(err, errlen, "%s: mmap: %s", shown, strerror(errno));
		return NULL;
	}
	return p;
}

const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen)
{
	static const struct hwt_file_policy named = { .follow = 1 };
	const uint8_t *p;
	int fd;

	fd = hwt_open_checked(AT_FDCWD, path, path, &named, NULL, err, errlen);
	if (fd < 0)
		return NULL;
	p = hwt_map_fd(fd, path, size, err, errlen);
	close(fd);
	return p;
}
