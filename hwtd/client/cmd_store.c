// SPDX-License-Identifier: BSD-2-Clause
/* hwt info / hwt fsck: read (and repair) a session directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "client.h"
#include "store.h"
#include "store_io.h"

/* Session reads are bounded like any reader's (store_io.h). */
static struct hwt_sqlite_budget budget;

static sqlite3 *open_db(int dirfd, const char *dir)
{
	char err[512];
	/* Read-only, but not immutable: a WAL left by a crash is read. */
	sqlite3 *db = hwt_session_db_open(dirfd, dir, 0, &budget, err,
					  sizeof(err));

	if (!db)
		fprintf(stderr, "hwt: %s\n", err);
	return db;
}

/* A step loop's end: SQLITE_DONE, or a loud failure (never "no more
 * rows"); 0 or -1. */
static int loop_end(sqlite3 *db, int rc, const char *what)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt info: %s: %s\n", what,
		hwt_sqlite_errmsg(db, &budget, why, sizeof(why)));
	return -1;
}

static int print_meta(sqlite3 *db)
{
	static const char *const keys[] = {
		"state", "backend", "mode", "recorder", "arch", "kernel",
		"target_pid", "command", "created", "exit_status",
		"crash_signal", "error"
	};
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return loop_end(db, SQLITE_ERROR, "meta");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !rc; i++) {
		int step;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			const char *v = (const char *)
					sqlite3_column_text(st, 0);

			printf("%-12s %s\n", keys[i], v ? v : "NULL");
		} else {
			rc = loop_end(db, step, "meta");
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static long long file_size(int dirfd, long long id)
{
	char name[48];
	struct stat sb;

	/* The name from a bounded integer only; lstat: never follows. */
	if (id < 0 || id > INT32_MAX)
		return -1;
	snprintf(name, sizeof(name), "stream-%lld.bin", id);
	return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) ||
	       !S_ISREG(sb.st_mode) ? -1 : (long long)sb.st_size;
}

/* Streams and their chunks; returns the number of inconsistencies, or -1
 * if the database cannot be read. */
static int print_streams(sqlite3 *db, int dirfd)
{
	sqlite3_stmt *st;
	long long tb = 0, tc = 0, tl = 0, tg = 0;
	int bad = 0, rc;

	if (sqlite3_prepare_v2(db,
	    "SELECT s.id, s.kind, s.tid, s.cpu, s.bytes, s.lost,"
	    " COUNT(c.seq), COALESCE(SUM(c.length), 0),"
	    " COALESCE(SUM(c.lost_before), 0),"
	    " COALESCE(SUM(c.lost_before > 0), 0),"
	    " COALESCE(MAX(c.offset + c.length), 0)"
	    " FROM streams s LEFT JOIN chunks c ON c.stream = s.id"
	    " GROUP BY s.id ORDER BY s.id", -1, &st, NULL) != SQLITE_OK) {
		loop_end(db, SQLITE_ERROR, "streams");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		long long bytes = sqlite3_column_int64(st, 4);
		long long lost = sqlite3_column_int64(st, 5);
		long long nch = sqlite3_column_int64(st, 6);
		long long sum = sqlite3_column_int64(st, 7);
		long long lsum = sqlite3_column_int64(st, 8);
		long long gaps = sqlite3_column_int64(st, 9);
		long long end = sqlite3_column_int64(st, 10);
		long long fs = file_size(dirfd, id);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		char who[48];

		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			snprintf(who, sizeof(who), "tid %lld",
				 sqlite3_column_int64(st, 2));
		else if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			snprintf(who, sizeof(who), "cpu %lld",
				 sqlite3_column_int64(st, 3));
		else
			snprintf(who, sizeof(who), "-");
		printf("stream %-4lld %-9s %-10s %12lld bytes %6lld chunks"
		       " %10lld lost in %lld gaps", id,
		       kind ? kind : "?", who, bytes,
		       nch, lost, gaps);
		if (sum != bytes || end != bytes || lsum != lost || fs < end) {
			printf("  INCONSISTENT (chunks cover %lld, file %lld)",
			       sum, fs);
			bad++;
		} else if (fs > end) {
			printf("  (un-indexed tail %lld bytes: hwt fsck)",
			       fs - end);
		}
		printf("\n");
		tb += bytes, tc += nch, tl += lost, tg += gaps;
	}
	sqlite3_finalize(st);
	if (loop_end(db, rc, "streams"))
		return -1;
	printf("total        %lld bytes, %lld chunks, %lld bytes lost in %lld"
	       " gaps\n", tb, tc, tl, tg);
	return bad;
}

static int print_records(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long total = 0;
	char line[1024] = "";
	size_t len = 0;
	int rc;

	/* Format 2 packs switch records into switches BLOBs: count both. */
	if (sqlite3_prepare_v2(db, "SELECT type, SUM(n) FROM (SELECT type,"
			       " COUNT(*) AS n FROM records GROUP BY type"
			       " UNION ALL SELECT type, SUM(count) FROM"
			       " switches GROUP BY type) GROUP BY type ORDER"
			       " BY type", -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT type, COUNT(*) FROM records GROUP"
			       " BY type ORDER BY type", -1, &st, NULL) !=
	    SQLITE_OK)
		return loop_end(db, SQLITE_ERROR, "records");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 1);
		const char *type = (const char *)sqlite3_column_text(st, 0);

		total += n;
		if (len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
				"%s%s %lld", len ? ", " : "",
				type ? type : "?", n);
	}
	sqlite3_finalize(st);
	if (loop_end(db, rc, "records"))
		return -1;
	printf("records      %lld%s%s%s\n", total, len ? " (" : "", line,
	       len ? ")" : "");
	return 0;
}

int hwt_cmd_info(int argc, char **argv)
{
	char err[512];
	sqlite3 *db;
	int bad, dirfd;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", HWT_INFO_USAGE);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s\n", HWT_INFO_USAGE);
		return 2;
	}
	dirfd = hwt_open_dir(AT_FDCWD, argv[1], 1, err, sizeof(err));
	if (dirfd < 0) {
		fprintf(stderr, "hwt: %s\n", err);
		return 1;
	}
	db = open_db(dirfd, argv[1]);
	if (!db) {
		close(dirfd);
		return 1;
	}
	printf("session      %s\n", argv[1]);
	bad = print_meta(db);
	if (!bad)
		bad = print_streams(db, dirfd);
	if (bad >= 0 && print_records(db))
		bad = -1;
	sqlite3_close(db);
	close(dirfd);
	if (bad < 0) {
		fprintf(stderr, "hwt info: %s: the session database cannot be "
			"read whole: the output above is incomplete\n",
			argv[1]);
		return 1;
	}
	if (bad)
		fprintf(stderr, "hwt info: %s: %d inconsistent stream(s)\n",
			argv[1], bad);
	return bad ? 1 : 0;
}

int hwt_cmd_fsck(int argc, char **argv)
{
	struct hwt_store_fsck_result res;
	char err[512];
	int opt, force = 0, fd;

	optind = 1;
	while ((opt = getopt(argc, argv, "+fh")) != -1) {
		if (opt == 'f') {
			force = 1;
			continue;
		}
		fprintf(opt == 'h' ? stdout : stderr, "usage: %s\n",
			HWT_FSCK_USAGE);
		return opt == 'h' ? 0 : 2;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: %s\n", HWT_FSCK_USAGE);
		return 2;
	}
	/* A recorder holds this lock: cutting its un-indexed tail would cut
	 * bytes it is about to index. */
	/* Everything through this one fd (openat, store.h): a path
	 * swapped meanwhile is never followed. */
	fd = hwt_open_dir(AT_FDCWD, argv[optind], 1, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "hwt fsck: %s\n", err);
		return 1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) && !force) {
		fprintf(stderr, "hwt fsck: %s is being recorded; not touching"
			" it (-f to force)\n", argv[optind]);
		close(fd);
		return 1;
	}
	if (hwt_store_fsck_at(fd, argv[optind], &res, err, sizeof(err))) {
		fprintf(stderr, "hwt fsck: %s (nothing changed)\n", err);
		close(fd);
		return 1;
	}
	if (hwt_store_set_state_at(fd, "recording", "interrupted"))
		fprintf(stderr, "hwt fsck: %s: cannot update meta state\n",
			argv[optind]);
	printf("%s: consistent, every chunk verified; %llu un-indexed bytes"
	       " cut", argv[optind], (unsigned long long)res.truncated);
	if (res.streams_fixed)
		printf("; bytes/lost of %u stream(s) set to what their chunks"
		       " cover", res.streams_fixed);
	printf("\n");
	close(fd);
	return 0;
}
