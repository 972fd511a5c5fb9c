// SPDX-License-Identifier: BSD-2-Clause
/* Trace store: layout, crash safety (un-indexed tails cut by fsck),
 * checksum verification, record validation. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "store.h"
#include "../../tests/lib/unit.h"

static char root[] = "/tmp/hwt-store-test-XXXXXX";

static long long q1(const char *dir, const char *sql)
{
	char path[512];
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

static long long fsize(const char *dir, const char *name)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) ? -1 : sb.st_size;
}

static void test_crash(void)
{
	char dir[256], err[256];
	uint8_t data[1000];
	uint64_t cut;
	pid_t p;
	int st;

	snprintf(dir, sizeof(dir), "%s/crash", root);
	for (int i = 0; i < 1000; i++)
		data[i] = (uint8_t)(i * 13);
	p = fork();
	if (p == 0) {
		struct hwt_store *s = hwt_store_create(dir, err, sizeof(err));
		struct hwt_rec_munmap m = { .hdr = { .type = HWT_REC_MUNMAP,
			.size = sizeof(m), .buf_idx = ~0u }, .addr = 0x1000,
			.len = 0x2000 };
		struct hwt_rec_switch sw = { .hdr = {
			.type = HWT_REC_SWITCH_IN, .size = sizeof(sw),
			.buf_idx = 0, .buf_head = 300, .time = 7 },
			.other_tid = -1 };

		if (!s || hwt_store_stream(s, 0, "intel_pt", 42, -1, -1, 0) ||
		    hwt_store_append(s, 0, data, 300, 0) ||
		    hwt_store_append(s, 0, data + 300, 200, 77) ||
		    hwt_store_record(s, &m.hdr, sizeof(m)) ||
		    hwt_store_record(s, &sw.hdr, sizeof(sw)) ||
		    hwt_store_record(s, &sw.hdr, sizeof(sw)) ||
		    hwt_store_commit(s))
			_exit(1);
		/* Appended but never committed: a crash right here. */
		if (hwt_store_append(s, 0, data + 500, 500, 0) ||
		    hwt_store_record(s, &sw.hdr, sizeof(sw)) ||
		    hwt_store_record(s, &m.hdr, sizeof(m)))
			_exit(2);
		_exit(0);
	}
	UNIT_CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) &&
		   WEXITSTATUS(st) == 0);
	UNIT_CHECK(fsize(dir, "stream-0.bin") == 1000);
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM chunks") == 2);
	UNIT_CHECK(q1(dir, "SELECT sum(length) FROM chunks") == 500);
	UNIT_CHECK(q1(dir, "SELECT lost_before FROM chunks WHERE seq = 1") == 77);
	UNIT_CHECK(q1(dir, "SELECT bytes FROM streams") == 500);
	UNIT_CHECK(q1(dir, "SELECT lost FROM streams") == 77);
	UNIT_CHECK(q1(dir, "SELECT tid FROM streams") == 42);
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM records") == 1);
	UNIT_CHECK(q1(dir, "SELECT len FROM records WHERE type='munmap'") ==
		   0x2000);
	/* Format 2: the two committed switch records, one packed row of
	 * 32-byte little-endian entries; the uncommitted one is gone. */
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM switches") == 1);
	UNIT_CHECK(q1(dir, "SELECT count FROM switches WHERE stream = 0 AND"
		      " type = 'switch_in'") == 2);
	UNIT_CHECK(q1(dir, "SELECT length(entries) FROM switches") == 64);
	UNIT_CHECK(q1(dir, "SELECT hex(substr(entries, 33, 9)) = "
		      "'07000000000000002C' FROM switches") == 1);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == 0);
	UNIT_CHECK(cut == 500);
	UNIT_CHECK(fsize(dir, "stream-0.bin") == 500);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == 0 && cut == 0);

	/* A flipped byte inside an indexed chunk is caught. */
	{
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/stream-0.bin", dir);
		fd = open(path, O_WRONLY);
		UNIT_CHECK(fd >= 0 && pwrite(fd, "X", 1, 350) == 1);
		close(fd);
		UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == -1);
		UNIT_CHECK(strstr(err, "chunk 1") && strstr(err, "checksum"));
	}
}

static void test_bad_input(void)
{
	char dir[256], err[256];
	struct hwt_store *s;
	uint8_t rec[64] = { 0 };
	struct hwt_record_hdr *h = (void *)rec;

	snprintf(dir, sizeof(dir), "%s/bad", root);
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s != NULL);
	if (!s)
		return;
	/* The same session twice: refused, the first one untouched. */
	UNIT_CHECK(hwt_store_create(dir, err, sizeof(err)) == NULL &&
		   strstr(err, "already exists"));
	UNIT_CHECK(hwt_store_append(s, 3, "x", 1, 0) == -1);	/* undeclared */
	UNIT_CHECK(hwt_store_stream(s, 5000, "x", -1, -1, -1, 0) == -1);
	UNIT_CHECK(hwt_store_stream(s, 1, "null", -1, 0, -1, 0) == 0);
	UNIT_CHECK(hwt_store_stream(s, 1, "null", -1, 0, -1, 0) == -1);
	h->type = HWT_REC_COMM;
	h->size = 12;					/* < header */
	UNIT_CHECK(hwt_store_record(s, h, sizeof(rec)) == -1);
	h->size = 128;					/* > available */
	UNIT_CHECK(hwt_store_record(s, h, sizeof(rec)) == -1);
	h->size = sizeof(struct hwt_record_hdr);	/* short COMM */
	UNIT_CHECK(hwt_store_record(s, h, sizeof(rec)) == -1);
	h->type = HWT_REC_EXEC;				/* unterminated */
	h->size = 64;
	memset(rec + sizeof(*h), 'a', 64 - sizeof(*h));
	UNIT_CHECK(hwt_store_record(s, h, sizeof(rec)) == -1);
	h->type = 999;					/* unknown: skipped */
	UNIT_CHECK(hwt_store_record(s, h, sizeof(rec)) == 0);
	UNIT_CHECK(hwt_store_close(s) == 0);
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM records") == 0);
	UNIT_CHECK(q1(dir, "SELECT value FROM meta WHERE key='format_version'")
		   == 2);
}

static int exec1(const char *dir, const char *sql)
{
	char path[512];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void chown_tree(const char *dir, uid_t uid)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "chown -hR %u:%u %s", (unsigned)uid,
		 (unsigned)uid, dir);
	if (system(cmd))
		UNIT_CHECK(!"chown");
}

/* A user's session whose stream-7.bin links to root's file: fsck (hwtd's
 * recovery as root, a root `hwt fsck`) must not follow it, truncate it or
 * block on a FIFO. */
static void test_fsck_hostile(void)
{
	char dir[256], victim[256], err[512], path[512];
	struct hwt_store *s;
	struct stat sb;
	uint64_t cut;
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", root);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	UNIT_CHECK(fd >= 0 && write(fd, "precious root data", 18) == 18);
	close(fd);
	snprintf(dir, sizeof(dir), "%s/hostile", root);
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s && hwt_store_close(s) == 0);
	UNIT_CHECK(exec1(dir, "INSERT INTO streams (id, kind) VALUES"
			 " (7, 'intel_pt')") == 0);
	snprintf(path, sizeof(path), "%s/stream-7.bin", dir);
	UNIT_CHECK(symlink(victim, path) == 0);
	chown_tree(dir, 1000);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "symbolic link") != NULL);
	UNIT_CHECK(stat(victim, &sb) == 0 && sb.st_size == 18);

	/* A FIFO in its place: refused at once, never opened blocking. */
	UNIT_CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	alarm(20);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == -1);
	alarm(0);
	UNIT_CHECK(strstr(err, "not a regular file") != NULL);

	/* A hard link to root's file keeps root as its owner: refused. */
	UNIT_CHECK(unlink(path) == 0 && link(victim, path) == 0);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "owned by uid 0") != NULL);
	UNIT_CHECK(stat(victim, &sb) == 0 && sb.st_size == 18);
	UNIT_CHECK(unlink(path) == 0);

	/* session.db itself a symlink to another database: refused. */
	snprintf(path, sizeof(path), "%s/session.db", dir);
	UNIT_CHECK(rename(path, victim) == 0 && symlink(victim, path) == 0);
	UNIT_CHECK(hwt_store_fsck(dir, &cut, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "symbolic link") != NULL);
}

/* fsck leaves streams.bytes/lost equal to what the chunks it kept cover. */
static void test_fsck_reconciles(void)
{
	char dir[256], err[512];
	struct hwt_store_fsck_result res;
	struct hwt_store *s;
	int fd;

	snprintf(dir, sizeof(dir), "%s/reconcile", root);
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s && hwt_store_stream(s, 0, "intel_pt", 1, -1, -1, 0) == 0 &&
		   hwt_store_append(s, 0, "abcdef", 6, 5) == 0 &&
		   hwt_store_close(s) == 0);
	UNIT_CHECK(exec1(dir, "UPDATE streams SET bytes = 99, lost = 1") == 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	UNIT_CHECK(hwt_store_fsck_at(fd, dir, &res, err, sizeof(err)) == 0);
	close(fd);
	UNIT_CHECK(res.streams_fixed == 1);
	UNIT_CHECK(q1(dir, "SELECT bytes FROM streams") == 6);
	UNIT_CHECK(q1(dir, "SELECT lost FROM streams") == 5);
}

/*
 * A loss count that wrapped below zero in the caller (the collector once
 * stored -N to make up for a loss it had counted twice) is refused by the
 * writer: it used to be indexed as lost_before -N, and fsck, which rightly
 * refuses negative losses, then refused the whole session.
 */
static void test_append_range(void)
{
	char dir[256], err[512];
	struct hwt_store_fsck_result res;
	struct hwt_store *s;
	int fd;

	snprintf(dir, sizeof(dir), "%s/range", root);
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s && hwt_store_stream(s, 0, "null", 1, -1, -1, 0) == 0);
	if (!s)
		return;
	UNIT_CHECK(hwt_store_append(s, 0, "abcdef", 6, 4096) == 0);
	UNIT_CHECK(hwt_store_append(s, 0, NULL, 0, 4096) == 0);
	UNIT_CHECK(hwt_store_append(s, 0, NULL, 0, (uint64_t)-4096) == -1);
	UNIT_CHECK(strstr(hwt_store_error(s), "more than a stream can count")
		   != NULL);
	UNIT_CHECK(hwt_store_append(s, 0, NULL, 0,
				    (uint64_t)INT64_MAX - 8191) == -1);
	UNIT_CHECK(hwt_store_append(s, 0, "gh", 2, 0) == 0);
	UNIT_CHECK(hwt_store_close(s) == 0);
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM chunks") == 3);
	UNIT_CHECK(q1(dir, "SELECT count(*) FROM chunks WHERE lost_before < 0")
		   == 0);
	UNIT_CHECK(q1(dir, "SELECT lost FROM streams") == 8192);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	UNIT_CHECK(hwt_store_fsck_at(fd, dir, &res, err, sizeof(err)) == 0);
	if (res.truncated || res.streams_fixed)
		UNIT_CHECK(!"fsck changed a session the writer left whole");
	close(fd);
}

/* Sessions are private by default, like perf.data. */
static void test_modes(void)
{
	char dir[256], err[512], path[512];
	struct hwt_store_opts o = { .mode = 0644 };
	struct hwt_store *s;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/modes", root);
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s && hwt_store_stream(s, 0, "null", -1, 0, -1, 0) == 0 &&
		   hwt_store_close(s) == 0);
	UNIT_CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/session.db", dir);
	UNIT_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/stream-0.bin", dir);
	UNIT_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(dir, sizeof(dir), "%s/modes-shared", root);
	s = hwt_store_create_opts(dir, &o, err, sizeof(err));
	UNIT_CHECK(s && hwt_store_close(s) == 0);
	UNIT_CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0755);
}

/* Out of disk (RLIMIT_FSIZE) while creating: no session.db without its
 * tables is ever left behind. */
static void test_create_full_disk(void)
{
	char dir[256], err[512], path[512];
	struct stat sb;
	uint64_t cut;
	pid_t p;
	int st;

	snprintf(dir, sizeof(dir), "%s/fulldisk", root);
	p = fork();
	if (p == 0) {
		struct rlimit rl = { 1024, 1024 };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		_exit(hwt_store_create(dir, err, sizeof(err)) ? 1 : 0);
	}
	UNIT_CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) &&
		   WEXITSTATUS(st) == 0);
	snprintf(path, sizeof(path), "%s/session.db", dir);
	UNIT_CHECK(stat(path, &sb) != 0 ||
		   hwt_store_fsck(dir, &cut, err, sizeof(err)) == 0);
}

/*
 * kill -9 at random points of a writer, its creation included: every
 * byte a commit returned for is there afterwards, and every session is
 * either complete enough for fsck or has no session.db at all (its
 * creation died; then nothing was recorded).
 */
#define CRASH_ROUNDS	40
#define CRASH_STREAMS	2

static uint8_t pattern(unsigned seed, int stream, uint64_t off)
{
	return (uint8_t)((off * 2654435761u) >> 7 ^ seed ^ (unsigned)stream *
			 77u);
}

static void crash_writer(const char *dir, unsigned seed, int wfd)
{
	char err[512];
	struct hwt_store *s = hwt_store_create(dir, err, sizeof(err));
	uint64_t size[CRASH_STREAMS] = { 0 };
	uint8_t buf[65536];
	unsigned r = seed;
	int i;

	if (!s)
		_exit(3);
	for (i = 0; i < CRASH_STREAMS; i++)
		if (hwt_store_stream(s, (uint32_t)i, "intel_pt", i, -1, -1, 0))
			_exit(4);
	for (;;) {
		int k = (int)((r = r * 1103515245u + 12345u) >> 16) %
			CRASH_STREAMS;
		size_t len = 1 + ((r = r * 1103515245u + 12345u) >> 8) %
			     sizeof(buf);
		size_t j;

		for (j = 0; j < len; j++)
			buf[j] = pattern(seed, k, size[k] + j);
		if (hwt_store_append(s, (uint32_t)k, buf, len, 0))
			_exit(5);
		size[k] += len;
		if ((r >> 4) % 3 == 0) {
			if (hwt_store_commit(s))
				_exit(6);
			/* Committed: the parent may count on these. */
			if (write(wfd, size, sizeof(size)) != sizeof(size))
				_exit(7);
		}
	}
}

static int verify_stream(const char *dir, unsigned seed, int k,
			 uint64_t committed)
{
	char path[512];
	long long bytes;
	uint8_t c;
	uint64_t off;
	int fd, ok = 1;

	snprintf(path, sizeof(path), "SELECT COALESCE(SUM(length), 0) FROM "
		 "chunks WHERE stream = %d", k);
	bytes = q1(dir, path);
	if (bytes < 0 || (uint64_t)bytes < committed)
		return 0;
	snprintf(path, sizeof(path), "%s/stream-%d.bin", dir, k);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return committed == 0;
	for (off = 0; off < (uint64_t)bytes && ok; off += 4093)
		ok = pread(fd, &c, 1, (off_t)off) == 1 &&
		     c == pattern(seed, k, off);
	close(fd);
	return ok;
}

static void test_crash_random(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	const char *env = getenv("HWT_STORE_CRASH_SEED");
	uint64_t lost = 0, committed_total = 0;
	int round, sessions = 0, uncreated = 0;

	if (env)
		seed = (unsigned)strtoul(env, NULL, 0);
	printf("# store crash test: seed %u (HWT_STORE_CRASH_SEED=%u repeats"
	       " it), %d rounds\n", seed, seed, CRASH_ROUNDS);
	srand(seed);
	for (round = 0; round < CRASH_ROUNDS; round++) {
		uint64_t size[CRASH_STREAMS] = { 0 }, got[CRASH_STREAMS];
		unsigned rseed = (unsigned)rand();
		char dir[256], err[512], path[512];
		struct stat sb;
		uint64_t cut;
		int pfd[2], k, st;
		pid_t p;

		snprintf(dir, sizeof(dir), "%s/crash-%d", root, round);
		if (pipe(pfd))
			return;
		p = fork();
		if (p == 0) {
			close(pfd[0]);
			crash_writer(dir, rseed, pfd[1]);
		}
		close(pfd[1]);
		/* From 0 (inside the creation) to 30 ms. */
		usleep((useconds_t)(rand() % 4 == 0 ? rand() % 2000 :
				    rand() % 30000));
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
		while (read(pfd[0], got, sizeof(got)) == sizeof(got))
			memcpy(size, got, sizeof(size));
		close(pfd[0]);
		snprintf(path, sizeof(path), "%s/session.db", dir);
		if (stat(path, &sb)) {
			/* Killed inside the creation: nothing committed. */
			uncreated++;
			UNIT_CHECK(size[0] == 0 && size[1] == 0);
			continue;
		}
		sessions++;
		if (hwt_store_fsck(dir, &cut, err, sizeof(err))) {
			printf("#   round %d: fsck: %s\n", round, err);
			UNIT_CHECK(!"every session fsck-able");
			continue;
		}
		UNIT_CHECK(q1(dir, "SELECT count(*) FROM meta WHERE key ="
			      " 'format_version'") == 1);
		for (k = 0; k < CRASH_STREAMS; k++) {
			committed_total += size[k];
			if (!verify_stream(dir, rseed, k, size[k])) {
				printf("#   round %d stream %d: committed %llu"
				       " bytes not all there\n", round, k,
				       (unsigned long long)size[k]);
				lost += size[k];
			}
		}
	}
	printf("# %d sessions fsck'd, %d killed while being created, %llu "
	       "committed bytes checked, %llu lost\n", sessions, uncreated,
	       (unsigned long long)committed_total,
	       (unsigned long long)lost);
	UNIT_CHECK(lost == 0);
}

int main(void)
{
	if (!mkdtemp(root))
		return 1;
	UNIT_RUN(test_crash(), "store/crash-safety");
	UNIT_RUN(test_bad_input(), "store/bad-input");
	UNIT_RUN(test_fsck_hostile(), "store/fsck-no-symlink-fifo-or-other-owner");
	UNIT_RUN(test_fsck_reconciles(), "store/fsck-reconciles-streams");
	UNIT_RUN(test_append_range(), "store/append-refuses-negative-loss");
	UNIT_RUN(test_modes(), "store/modes-0600-0700");
	UNIT_RUN(test_create_full_disk(), "store/create-atomic-full-disk");
	UNIT_RUN(test_crash_random(), "store/crash-kill9-random");
	if (!unit_failed) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd))
			return 1;
	}
	return unit_failed != 0;
}
