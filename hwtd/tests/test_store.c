// SPDX-License-Identifier: BSD-2-Clause
/* Trace store: layout, crash safety (un-indexed tails cut by fsck),
 * checksum verification, record validation. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>

#include "../store.h"
#include "../../kmod/hwt/tests/unit.h"

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

int main(void)
{
	if (!mkdtemp(root))
		return 1;
	UNIT_RUN(test_crash(), "hwtd/store-crash-safety");
	UNIT_RUN(test_bad_input(), "hwtd/store-bad-input");
	if (!unit_failed) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd))
			return 1;
	}
	return unit_failed != 0;
}
