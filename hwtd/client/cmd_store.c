// SPDX-License-Identifier: BSD-2-Clause
/* hwt info / hwt fsck: read (and repair) a session directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "client.h"
#include "store.h"

static sqlite3 *open_db(const char *dir)
{
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	/* Read-only, but not immutable: a WAL left by a crash is read. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "hwt: %s: %s\n", path,
			db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static void print_meta(sqlite3 *db)
{
	static const char *const keys[] = {
		"state", "backend", "mode", "recorder", "arch", "kernel",
		"target_pid", "command", "created", "exit_status",
		"crash_signal", "error"
	};
	sqlite3_stmt *st;
	size_t i;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			printf("%-12s %s\n", keys[i],
			       (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
}

static long long file_size(const char *dir, long long id)
{
	char path[PATH_MAX + 32];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/stream-%lld.bin", dir, id);
	return stat(path, &sb) ? -1 : (long long)sb.st_size;
}

/* Streams and their chunks; returns the number of inconsistencies. */
static int print_streams(sqlite3 *db, const char *dir)
{
	sqlite3_stmt *st;
	long long tb = 0, tc = 0, tl = 0, tg = 0;
	int bad = 0;

	if (sqlite3_prepare_v2(db,
	    "SELECT s.id, s.kind, s.tid, s.cpu, s.bytes, s.lost,"
	    " COUNT(c.seq), COALESCE(SUM(c.length), 0),"
	    " COALESCE(SUM(c.lost_before), 0),"
	    " COALESCE(SUM(c.lost_before > 0), 0),"
	    " COALESCE(MAX(c.offset + c.length), 0)"
	    " FROM streams s LEFT JOIN chunks c ON c.stream = s.id"
	    " GROUP BY s.id ORDER BY s.id", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "hwt info: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		long long bytes = sqlite3_column_int64(st, 4);
		long long lost = sqlite3_column_int64(st, 5);
		long long nch = sqlite3_column_int64(st, 6);
		long long sum = sqlite3_column_int64(st, 7);
		long long lsum = sqlite3_column_int64(st, 8);
		long long gaps = sqlite3_column_int64(st, 9);
		long long end = sqlite3_column_int64(st, 10);
		long long fs = file_size(dir, id);
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
		       (const char *)sqlite3_column_text(st, 1), who, bytes,
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
	printf("total        %lld bytes, %lld chunks, %lld bytes lost in %lld"
	       " gaps\n", tb, tc, tl, tg);
	return bad;
}

static void print_records(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long total = 0;
	char line[1024] = "";
	size_t len = 0;

	/* Format 2 packs switch records into switches BLOBs: count both. */
	if (sqlite3_prepare_v2(db, "SELECT type, SUM(n) FROM (SELECT type,"
			       " COUNT(*) AS n FROM records GROUP BY type"
			       " UNION ALL SELECT type, SUM(count) FROM"
			       " switches GROUP BY type) GROUP BY type ORDER"
			       " BY type", -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT type, COUNT(*) FROM records GROUP"
			       " BY type ORDER BY type", -1, &st, NULL) !=
	    SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 1);

		total += n;
		if (len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
				"%s%s %lld", len ? ", " : "",
				(const char *)sqlite3_column_text(st, 0), n);
	}
	sqlite3_finalize(st);
	printf("records      %lld%s%s%s\n", total, len ? " (" : "", line,
	       len ? ")" : "");
}

int hwt_cmd_info(int argc, char **argv)
{
	sqlite3 *db;
	int bad;

	if (argc == 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", HWT_INFO_USAGE);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s\n", HWT_INFO_USAGE);
		return 2;
	}
	db = open_db(argv[1]);
	if (!db)
		return 1;
	printf("session      %s\n", argv[1]);
	print_meta(db);
	bad = print_streams(db, argv[1]);
	print_records(db);
	sqlite3_close(db);
	if (bad)
		fprintf(stderr, "hwt info: %s: %d inconsistent stream(s)\n",
			argv[1], bad);
	return bad ? 1 : 0;
}

int hwt_cmd_fsck(int argc, char **argv)
{
	char err[512];
	uint64_t cut;
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
	fd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hwt fsck: %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) && !force) {
		fprintf(stderr, "hwt fsck: %s is being recorded; not touching"
			" it (-f to force)\n", argv[optind]);
		close(fd);
		return 1;
	}
	if (hwt_store_fsck(argv[optind], &cut, err, sizeof(err))) {
		fprintf(stderr, "hwt fsck: %s\n", err);
		close(fd);
		return 1;
	}
	hwt_store_set_state(argv[optind], "recording", "interrupted");
	printf("%s: consistent, every chunk verified; %llu un-indexed bytes"
	       " cut\n", argv[optind], (unsigned long long)cut);
	close(fd);
	return 0;
}
