// SPDX-License-Identifier: BSD-2-Clause
/* hwt info / hwt fsck: read (and repair) a session directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hwt_cmds.h"
#include "store.h"
#include "store_io.h"
#include "store_reader.h"

static int print_meta(struct hwt_store_reader *r, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"state", "backend", "mode", "recorder", "arch", "kernel",
		"target_pid", "command", "created", "exit_status",
		"crash_signal", "error"
	};
	char v[1024];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int rc = hwt_store_reader_meta(r, keys[i], v, sizeof(v), err,
					       errlen);

		if (rc < 0)
			return -1;
		if (rc)
			printf("%-12s %s\n", keys[i], v);
	}
	return 0;
}

/* Streams and their chunks; returns the number of inconsistencies, or -1
 * if the database cannot be read. */
static int print_streams(struct hwt_store_reader *r, char *err,
			 size_t errlen)
{
	struct hwt_store_stream *v;
	long long tb = 0, tc = 0, tl = 0, tg = 0;
	size_t n, i;
	int bad = 0;

	if (hwt_store_reader_streams(r, &v, &n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct hwt_store_stream *s = &v[i];
		long long fs = hwt_store_reader_file_size(r, s->id);
		char who[48];

		if (s->tid >= 0)
			snprintf(who, sizeof(who), "tid %lld",
				 (long long)s->tid);
		else if (s->cpu >= 0)
			snprintf(who, sizeof(who), "cpu %lld",
				 (long long)s->cpu);
		else
			snprintf(who, sizeof(who), "-");
		printf("stream %-4lld %-9s %-10s %12lld bytes %6lld chunks"
		       " %10lld lost in %lld gaps", (long long)s->id, s->kind,
		       who, (long long)s->bytes, (long long)s->chunks,
		       (long long)s->lost, (long long)s->gaps);
		if (s->chunk_bytes != s->bytes || s->chunk_end != s->bytes ||
		    s->chunk_lost != s->lost || fs < s->chunk_end) {
			printf("  INCONSISTENT (chunks cover %lld, file %lld)",
			       (long long)s->chunk_bytes, fs);
			bad++;
		} else if (fs > s->chunk_end) {
			printf("  (un-indexed tail %lld bytes: hwt fsck)",
			       fs - (long long)s->chunk_end);
		}
		printf("\n");
		tb += s->bytes, tc += s->chunks, tl += s->lost, tg += s->gaps;
	}
	free(v);
	printf("total        %lld bytes, %lld chunks, %lld bytes lost in %lld"
	       " gaps\n", tb, tc, tl, tg);
	return bad;
}

static int print_records(struct hwt_store_reader *r, char *err,
			 size_t errlen)
{
	struct hwt_store_record_count *v;
	long long total = 0;
	char line[1024] = "";
	size_t len = 0, n, i;

	if (hwt_store_reader_record_counts(r, &v, &n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		total += v[i].count;
		if (len < sizeof(line))
			len += (size_t)snprintf(line + len, sizeof(line) - len,
				"%s%s %lld", len ? ", " : "", v[i].type,
				(long long)v[i].count);
	}
	free(v);
	printf("records      %lld%s%s%s\n", total, len ? " (" : "", line,
	       len ? ")" : "");
	return 0;
}

int hwt_cmd_info(int argc, char **argv)
{
	struct hwt_store_reader *r;
	char err[512];
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
	/* Read-only, but not immutable: a WAL left by a crash is read. */
	r = hwt_store_reader_open(argv[1], err, sizeof(err));
	if (!r) {
		fprintf(stderr, "hwt: %s\n", err);
		return 1;
	}
	printf("session      %s\n", argv[1]);
	bad = print_meta(r, err, sizeof(err));
	if (!bad)
		bad = print_streams(r, err, sizeof(err));
	if (bad >= 0 && print_records(r, err, sizeof(err)))
		bad = -1;
	hwt_store_reader_close(r);
	if (bad < 0) {
		fprintf(stderr, "hwt info: %s\n", err);
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
