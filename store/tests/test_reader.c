// SPDX-License-Identifier: BSD-2-Clause
/*
 * store_reader: what the writer (store.h) records is what the reader
 * gives back, and a damaged session gives cuts or a clear error, never a
 * shorter trace read as whole.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "store.h"
#include "store_reader.h"
#include "../../tests/lib/unit.h"

static char root[256];

/* A session: stream 0 (intel_pt, tid 42) of three chunks, 77 bytes lost
 * before the second; stream 3 (etm4, cpu 1, trace id 16, formatted) of
 * one chunk; two params; an mmap, an exec and a munmap record (only the
 * mmap has a length: the one mapping). */
static int make_session(const char *dir, uint8_t *data, size_t len)
{
	char err[256];
	struct hwt_store *s = hwt_store_create(dir, err, sizeof(err));
	struct {
		struct hwt_rec_mmap m;
		char path[16];
	} mm = { .m = { .hdr = { .type = HWT_REC_MMAP, .size = sizeof(mm),
				 .buf_idx = ~0u }, .addr = 0x400000,
			.len = 0x1000, .pgoff = 0x2000, .prot = 5 },
		 .path = "/bin/true" };
	struct {
		struct hwt_rec_exec e;
		char path[16];
	} ex = { .e = { .hdr = { .type = HWT_REC_EXEC, .size = sizeof(ex),
				 .buf_idx = ~0u } }, .path = "/bin/x" };
	struct hwt_rec_munmap um = { .hdr = { .type = HWT_REC_MUNMAP,
		.size = sizeof(um), .buf_idx = ~0u }, .addr = 1, .len = 2 };
	size_t i;

	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	if (!s)
		return -1;
	if (hwt_store_meta(s, "target_pid", "42") ||
	    hwt_store_stream(s, 0, "intel_pt", 42, -1, -1, 0) ||
	    hwt_store_stream(s, 3, "etm4", -1, 1, 16, 1) ||
	    hwt_store_param(s, 0, "cpu", "6/85/4") ||
	    hwt_store_param(s, 3, "trcidr0", "0x28000ea1") ||
	    hwt_store_append(s, 0, data, 100, 0) ||
	    hwt_store_commit(s) ||
	    hwt_store_append(s, 0, data + 100, 100, 77) ||
	    hwt_store_commit(s) ||
	    hwt_store_append(s, 0, data + 200, len - 200, 0) ||
	    hwt_store_append(s, 3, data, 50, 0) ||
	    hwt_store_record(s, &mm.m.hdr, sizeof(mm)) ||
	    hwt_store_record(s, &ex.e.hdr, sizeof(ex)) ||
	    hwt_store_record(s, &um.hdr, sizeof(um))) {
		hwt_store_close(s);
		return -1;
	}
	return hwt_store_close(s);
}

/* Runs one statement on dir's session.db (the test's way to damage it). */
static int sql(const char *dir, const char *stmt)
{
	char path[512];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, stmt, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

struct maps {
	int n;
	char path[2][32];
	uint64_t addr, len, pgoff;
};

static int count_map(void *arg, const struct hwt_store_mapping *m)
{
	struct maps *w = arg;

	if (w->n < 2)
		snprintf(w->path[w->n], sizeof(w->path[0]), "%s", m->path);
	if (!w->n) {
		w->addr = m->addr;
		w->len = m->len;
		w->pgoff = m->pgoff;
	}
	w->n++;
	return 0;
}

struct recs {
	int n;
	char types[3][16];
	int64_t mmap_addr, mmap_prot, munmap_len;
	int exec_path_ok;
};

static int count_rec(void *arg, const struct hwt_store_record *rec)
{
	struct recs *w = arg;

	if (w->n < 3)
		snprintf(w->types[w->n], sizeof(w->types[0]), "%s", rec->type);
	if (!strcmp(rec->type, "mmap")) {
		w->mmap_addr = rec->addr;
		w->mmap_prot = rec->prot;
	}
	if (!strcmp(rec->type, "munmap"))
		w->munmap_len = rec->len;
	if (!strcmp(rec->type, "exec"))
		w->exec_path_ok = rec->path && !strcmp(rec->path, "/bin/x");
	w->n++;
	return 0;
}

/* hwt_store_reader_records gives every row in order with its columns;
 * hwt_store_reader_chunked where each chunk ends in the bytes. */
static void test_records_and_chunks(void)
{
	char dir[300], err[256];
	struct hwt_store_reader *r;
	struct hwt_store_cut *cuts;
	struct recs recs = { 0 };
	uint8_t data[300], *b;
	uint64_t *ends;
	size_t ncuts, size, nends;

	snprintf(dir, sizeof(dir), "%s/recs", root);
	UNIT_CHECK(make_session(dir, data, sizeof(data)) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	UNIT_CHECK(hwt_store_reader_records(r, count_rec, &recs, err,
					    sizeof(err)) == 0);
	UNIT_CHECK(recs.n == 3 && !strcmp(recs.types[0], "mmap") &&
		   !strcmp(recs.types[1], "exec") &&
		   !strcmp(recs.types[2], "munmap"));
	UNIT_CHECK(recs.mmap_addr == 0x400000 && recs.mmap_prot == 5 &&
		   recs.munmap_len == 2 && recs.exec_path_ok);
	b = hwt_store_reader_chunked(r, 0, &size, &cuts, &ncuts, &ends, &nends,
				     err, sizeof(err));
	UNIT_CHECK(b && size == 300 && nends == 3);
	if (b && nends == 3)
		UNIT_CHECK(ends[0] == 100 && ends[1] == 200 && ends[2] == 300);
	free(b);
	free(cuts);
	free(ends);
	/* A chunk skipped for its crc32 has no end. */
	UNIT_CHECK(sql(dir, "UPDATE chunks SET crc32 = crc32 + 1 WHERE "
		       "stream = 0 AND seq = 1") == 0);
	b = hwt_store_reader_chunked(r, 0, &size, &cuts, &ncuts, &ends, &nends,
				     err, sizeof(err));
	UNIT_CHECK(b && size == 200 && nends == 2);
	if (b && nends == 2)
		UNIT_CHECK(ends[0] == 100 && ends[1] == 200);
	free(b);
	free(cuts);
	free(ends);
	hwt_store_reader_close(r);
}

static void test_round_trip(void)
{
	char dir[300], err[256], v[64];
	struct hwt_store_reader *r;
	struct hwt_store_stream *st;
	struct hwt_store_record_count *rc;
	struct hwt_store_cut *cuts;
	struct maps maps = { 0 };
	uint8_t data[300], *b;
	size_t n, ncuts, size, i;

	snprintf(dir, sizeof(dir), "%s/ok", root);
	UNIT_CHECK(make_session(dir, data, sizeof(data)) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	UNIT_CHECK(hwt_store_reader_owner(r) == geteuid());
	UNIT_CHECK(hwt_store_reader_meta(r, "target_pid", v, sizeof(v), err,
					 sizeof(err)) == 1 && !strcmp(v, "42"));
	UNIT_CHECK(hwt_store_reader_meta(r, "no_such_key", v, sizeof(v), err,
					 sizeof(err)) == 0);
	UNIT_CHECK(hwt_store_reader_param(r, 0, "cpu", v, sizeof(v), err,
					  sizeof(err)) == 1 &&
		   !strcmp(v, "6/85/4"));
	UNIT_CHECK(hwt_store_reader_param(r, 3, "cpu", v, sizeof(v), err,
					  sizeof(err)) == 0);
	UNIT_CHECK(hwt_store_reader_streams(r, &st, &n, err,
					    sizeof(err)) == 0);
	UNIT_CHECK(n == 2);
	if (n == 2) {
		UNIT_CHECK(st[0].id == 0 && !strcmp(st[0].kind, "intel_pt"));
		UNIT_CHECK(st[0].tid == 42 && st[0].cpu == -1 &&
			   st[0].trace_id == -1 && !st[0].formatted);
		UNIT_CHECK(st[0].bytes == 300 && st[0].lost == 77);
		UNIT_CHECK(st[0].chunks == 3 && st[0].chunk_bytes == 300 &&
			   st[0].chunk_lost == 77 && st[0].gaps == 1 &&
			   st[0].chunk_end == 300);
		UNIT_CHECK(st[1].id == 3 && !strcmp(st[1].kind, "etm4"));
		UNIT_CHECK(st[1].tid == -1 && st[1].cpu == 1 &&
			   st[1].trace_id == 16 && st[1].formatted);
	}
	free(st);
	UNIT_CHECK(hwt_store_reader_file_size(r, 0) == 300);
	UNIT_CHECK(hwt_store_reader_file_size(r, 9) == -1);
	UNIT_CHECK(hwt_store_reader_mappings(r, count_map, &maps, err,
					     sizeof(err)) == 0);
	UNIT_CHECK(maps.n == 1 && !strcmp(maps.path[0], "/bin/true"));
	UNIT_CHECK(maps.addr == 0x400000 && maps.len == 0x1000 &&
		   maps.pgoff == 0x2000);
	b = hwt_store_reader_bytes(r, 0, &size, &cuts, &ncuts, err,
				   sizeof(err));
	UNIT_CHECK(b && size == 300 && !memcmp(b, data, 300));
	/* The loss sits where the second chunk's bytes begin. */
	UNIT_CHECK(ncuts == 1 && cuts && cuts[0].offset == 100 &&
		   strstr(cuts[0].msg, "77 bytes lost"));
	free(b);
	free(cuts);
	UNIT_CHECK(hwt_store_reader_record_counts(r, &rc, &n, err,
						  sizeof(err)) == 0);
	for (i = 0; i < n; i++)
		UNIT_CHECK(rc[i].count == 1);
	UNIT_CHECK(n == 3);
	free(rc);
	hwt_store_reader_close(r);
}

/*
 * Loss records cut the stream where their stream_offset says (a stored
 * offset: the collector maps the kernel's head to it); a WRAP record
 * alone loses nothing and must not cut: the bytes on both sides are one
 * stream (a cut there would make the decoder skip to the next PSB).
 */
static void test_loss_records(void)
{
	char dir[300], err[256];
	struct hwt_rec_buffer over = { .hdr = { .type = HWT_REC_BUFFER,
		.size = sizeof(over), .buf_idx = 0, .buf_head = 100 },
		.flags = HWT_BUFREC_OVERFLOW, .lost = 77, .total_lost = 77 };
	struct hwt_rec_buffer wrap = { .hdr = { .type = HWT_REC_BUFFER,
		.size = sizeof(wrap), .buf_idx = 0, .buf_head = 150 },
		.flags = HWT_BUFREC_WRAP, .wraps = 1 };
	struct hwt_rec_buffer gap = { .hdr = { .type = HWT_REC_BUFFER,
		.size = sizeof(gap), .buf_idx = 0, .buf_head = 250 },
		.flags = HWT_BUFREC_GAP };
	struct hwt_store_reader *r;
	struct hwt_store_cut *cuts = NULL;
	struct hwt_store *s;
	uint8_t data[300], *b;
	size_t size, ncuts = 0, i;
	int at100 = 0, at150 = 0, at250 = 0;

	snprintf(dir, sizeof(dir), "%s/loss", root);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s != NULL);
	if (!s)
		return;
	UNIT_CHECK(hwt_store_stream(s, 0, "intel_pt", 42, -1, -1, 0) == 0 &&
		   hwt_store_append(s, 0, data, 100, 0) == 0 &&
		   hwt_store_append(s, 0, data + 100, 200, 77) == 0 &&
		   hwt_store_record(s, &over.hdr, sizeof(over)) == 0 &&
		   hwt_store_record(s, &wrap.hdr, sizeof(wrap)) == 0 &&
		   hwt_store_record(s, &gap.hdr, sizeof(gap)) == 0);
	UNIT_CHECK(hwt_store_close(s) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	b = hwt_store_reader_bytes(r, 0, &size, &cuts, &ncuts, err,
				   sizeof(err));
	UNIT_CHECK(b && size == 300);
	for (i = 0; i < ncuts; i++) {
		at100 += cuts[i].offset == 100;
		at150 += cuts[i].offset == 150;
		at250 += cuts[i].offset == 250;
	}
	UNIT_CHECK(at100 >= 1 && at150 == 0 && at250 == 1);
	free(b);
	free(cuts);
	hwt_store_reader_close(r);
}

struct sws {
	int n, order_ok;
};

static int count_sw(void *arg, const struct hwt_store_record *rec)
{
	struct sws *w = arg;
	static const struct {
		const char *type;
		int64_t time, tid, cpu, other, off;
	} want[] = {
		{ "switch_in", 10, 42, 1, -1, 64 },
		{ "switch_out", 20, 42, 1, 43, 128 },
		{ "switch_in", 30, 43, 2, 42, -1 },
	};
	int i;

	/* rows are per (stream, type, commit): match by time */
	w->n++;
	for (i = 0; i < 3 && want[i].time != rec->time; i++)
		;
	if (i < 3)
		w->order_ok += !strcmp(rec->type, want[i].type) &&
			       rec->time == want[i].time &&
			       rec->tid == want[i].tid &&
			       rec->cpu == want[i].cpu &&
			       rec->aux == want[i].other &&
			       rec->stream_offset == want[i].off &&
			       rec->stream == (want[i].off < 0 ? -1 : 0) &&
			       rec->pid == 42 && !rec->path && !rec->has_addr;
	return 0;
}

/* Format 2's packed switch records (docs/trace-store.md): every entry the
 * writer packed comes back with its fields; a BLOB that is not count x 32
 * bytes is an error naming its row, not fewer switches. */
static void test_switches(void)
{
	char dir[300], err[256];
	struct hwt_rec_switch in1 = { .hdr = { .type = HWT_REC_SWITCH_IN,
		.size = sizeof(in1), .pid = 42, .tid = 42, .cpu = 1,
		.buf_idx = 0, .time = 10, .buf_head = 64 }, .other_tid = -1 };
	struct hwt_rec_switch out1 = { .hdr = { .type = HWT_REC_SWITCH_OUT,
		.size = sizeof(out1), .pid = 42, .tid = 42, .cpu = 1,
		.buf_idx = 0, .time = 20, .buf_head = 128 }, .other_tid = 43 };
	struct hwt_rec_switch in2 = { .hdr = { .type = HWT_REC_SWITCH_IN,
		.size = sizeof(in2), .pid = 42, .tid = 43, .cpu = 2,
		.buf_idx = ~0u, .time = 30 }, .other_tid = 42 };
	struct hwt_store_reader *r;
	struct hwt_store *s;
	struct sws w = { 0, 0 };
	uint8_t data[200];

	snprintf(dir, sizeof(dir), "%s/switches", root);
	memset(data, 0, sizeof(data));
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s != NULL);
	if (!s)
		return;
	UNIT_CHECK(hwt_store_meta(s, "mode", "cpu") == 0 &&
		   hwt_store_stream(s, 0, "intel_pt", -1, 1, -1, 0) == 0 &&
		   hwt_store_append(s, 0, data, sizeof(data), 0) == 0 &&
		   hwt_store_record(s, &in1.hdr, sizeof(in1)) == 0 &&
		   hwt_store_record(s, &out1.hdr, sizeof(out1)) == 0 &&
		   hwt_store_record(s, &in2.hdr, sizeof(in2)) == 0);
	UNIT_CHECK(hwt_store_close(s) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	UNIT_CHECK(hwt_store_reader_switches(r, count_sw, &w, err,
					     sizeof(err)) == 0);
	UNIT_CHECK(w.n == 3 && w.order_ok == 3);
	hwt_store_reader_close(r);
	/* one entry's bytes cut off the BLOB: refused, the row named */
	UNIT_CHECK(sql(dir, "UPDATE switches SET entries = substr(entries, "
		       "1, length(entries) - 1) WHERE type = 'switch_in'") == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	err[0] = 0;
	UNIT_CHECK(hwt_store_reader_switches(r, count_sw, &w, err,
					     sizeof(err)) == -1 &&
		   strstr(err, "switches row") != NULL);
	hwt_store_reader_close(r);
}

/* A stream's switch_ins (hwt_store_reader_switch_ins): only that
 * stream's, in arrival order, with their fields; an entry whose offset
 * goes back from its CPU's previous one is an error naming it, not a
 * shorter list; another CPU's entry into the same (shared) stream may
 * lie before it. */
static void test_switch_ins(void)
{
	struct hwt_rec_switch sw[5];
	static const struct {
		uint32_t type, tid, cpu, buf;
		uint64_t head;
	} in[5] = {
		{ HWT_REC_SWITCH_IN, 42, 0, 0, 0 },
		{ HWT_REC_SWITCH_OUT, 42, 0, 0, 96 },
		{ HWT_REC_SWITCH_IN, 43, 1, 1, 16 },
		{ HWT_REC_SWITCH_IN, 43, 0, 0, 96 },
		/* CPU 2 shares stream 0's sink: its head was read before
		 * CPU 0's last one, its record queued after it */
		{ HWT_REC_SWITCH_IN, 44, 2, 0, 48 },
	};
	struct hwt_store_switch_in *v = NULL;
	struct hwt_store_reader *r;
	struct hwt_store *s;
	char dir[300], err[256];
	uint8_t data[200];
	size_t n = 0;
	int i;

	snprintf(dir, sizeof(dir), "%s/switch_ins", root);
	memset(data, 0, sizeof(data));
	memset(sw, 0, sizeof(sw));
	s = hwt_store_create(dir, err, sizeof(err));
	UNIT_CHECK(s != NULL);
	if (!s)
		return;
	UNIT_CHECK(hwt_store_meta(s, "mode", "cpu") == 0 &&
		   hwt_store_stream(s, 0, "intel_pt", -1, 0, -1, 0) == 0 &&
		   hwt_store_stream(s, 1, "intel_pt", -1, 1, -1, 0) == 0 &&
		   hwt_store_append(s, 0, data, sizeof(data), 0) == 0);
	for (i = 0; i < 5; i++) {
		sw[i].hdr.type = in[i].type;
		sw[i].hdr.size = sizeof(sw[i]);
		sw[i].hdr.pid = 42;
		sw[i].hdr.tid = in[i].tid;
		sw[i].hdr.cpu = in[i].cpu;
		sw[i].hdr.buf_idx = in[i].buf;
		sw[i].hdr.time = 10 * (uint64_t)(i + 1);
		sw[i].hdr.buf_head = in[i].head;
		sw[i].other_tid = -1;
		UNIT_CHECK(hwt_store_record(s, &sw[i].hdr, sizeof(sw[i])) == 0);
	}
	UNIT_CHECK(hwt_store_close(s) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	UNIT_CHECK(hwt_store_reader_switch_ins(r, 0, &v, &n, err,
					       sizeof(err)) == 0);
	UNIT_CHECK(n == 3 && v && v[0].offset == 0 && v[0].tid == 42 &&
		   v[0].time == 10 && v[0].pid == 42 && v[0].cpu == 0 &&
		   v[1].offset == 96 && v[1].tid == 43 && v[1].time == 40 &&
		   v[2].offset == 48 && v[2].tid == 44 && v[2].cpu == 2);
	free(v);
	UNIT_CHECK(hwt_store_reader_switch_ins(r, 1, &v, &n, err,
					       sizeof(err)) == 0);
	UNIT_CHECK(n == 1 && v && v[0].offset == 16 && v[0].tid == 43);
	free(v);
	hwt_store_reader_close(r);
	/* the first switch_in of stream 0 moved past the second */
	UNIT_CHECK(sql(dir, "UPDATE switches SET entries = "
		       "substr(entries, 1, 8) || x'8000000000000000' || "
		       "substr(entries, 17) WHERE stream = 0 AND "
		       "type = 'switch_in' AND count = 3") == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	err[0] = 0;
	UNIT_CHECK(hwt_store_reader_switch_ins(r, 0, &v, &n, err,
					       sizeof(err)) == -1 && !v &&
		   strstr(err, "before the previous at 128") != NULL);
	hwt_store_reader_close(r);
}

static void test_damage(void)
{
	char dir[300], err[256];
	struct hwt_store_reader *r;
	struct hwt_store_cut *cuts;
	uint8_t data[300], *b;
	size_t size, ncuts;

	snprintf(dir, sizeof(dir), "%s/bad", root);
	UNIT_CHECK(make_session(dir, data, sizeof(data)) == 0);
	/* A bad crc and a missing chunk: skipped, each a cut. */
	UNIT_CHECK(sql(dir, "UPDATE chunks SET crc32 = (crc32 + 1) % 4294967296 WHERE "
		       "stream = 0 AND seq = 0; DELETE FROM chunks WHERE "
		       "stream = 0 AND seq = 1") == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	b = hwt_store_reader_bytes(r, 0, &size, &cuts, &ncuts, err,
				   sizeof(err));
	UNIT_CHECK(b && size == 100 && !memcmp(b, data + 200, 100));
	UNIT_CHECK(ncuts == 2 && strstr(cuts[0].msg, "crc32 mismatch") &&
		   strstr(cuts[1].msg, "missing chunk"));
	free(b);
	free(cuts);
	/* Overlapping chunks: the index is damaged, refused by name. */
	UNIT_CHECK(sql(dir, "UPDATE chunks SET offset = 0 WHERE stream = 0 "
		       "AND seq = 2") == 0);
	UNIT_CHECK(!hwt_store_reader_bytes(r, 0, &size, &cuts, &ncuts, err,
					   sizeof(err)) &&
		   strstr(err, "chunk 2 at offset 0 overlaps"));
	/* Out of range ids never name a file. */
	UNIT_CHECK(!hwt_store_reader_bytes(r, -1, &size, &cuts, &ncuts, err,
					   sizeof(err)) &&
		   strstr(err, "out of range"));
	hwt_store_reader_close(r);

	/* Unknown formats are refused at open. */
	UNIT_CHECK(sql(dir, "UPDATE meta SET value = '9' WHERE key = "
		       "'format_version'") == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(!r && strstr(err, "format_version"));
	hwt_store_reader_close(r);

	/* A view where a table should be is refused at open. */
	UNIT_CHECK(sql(dir, "UPDATE meta SET value = '2' WHERE key = "
		       "'format_version'; DROP TABLE chunks; CREATE VIEW "
		       "chunks AS SELECT 0 AS stream") == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(!r && strstr(err, "chunks"));
	hwt_store_reader_close(r);

	/* Not a session. */
	r = hwt_store_reader_open(root, err, sizeof(err));
	UNIT_CHECK(!r && strstr(err, "session.db"));
}

/* A stream file replaced by a symlink is never followed. */
static void test_symlink_stream(void)
{
	char dir[300], path[400], err[256];
	struct hwt_store_reader *r;
	struct hwt_store_cut *cuts;
	uint8_t data[300];
	size_t size, ncuts;

	snprintf(dir, sizeof(dir), "%s/link", root);
	UNIT_CHECK(make_session(dir, data, sizeof(data)) == 0);
	snprintf(path, sizeof(path), "%s/stream-0.bin", dir);
	UNIT_CHECK(unlink(path) == 0 && symlink("/etc/passwd", path) == 0);
	r = hwt_store_reader_open(dir, err, sizeof(err));
	UNIT_CHECK(r != NULL);
	if (!r)
		return;
	UNIT_CHECK(!hwt_store_reader_bytes(r, 0, &size, &cuts, &ncuts, err,
					   sizeof(err)) &&
		   strstr(err, "symbolic link"));
	UNIT_CHECK(hwt_store_reader_file_size(r, 0) == -1);
	hwt_store_reader_close(r);
}

int main(void)
{
	char cmd[300];

	snprintf(root, sizeof(root), "/tmp/hwt-test-reader.%d", getpid());
	if (mkdir(root, 0700)) {
		perror(root);
		return 1;
	}
	UNIT_RUN(test_round_trip(), "store/reader-round-trip");
	UNIT_RUN(test_records_and_chunks(), "store/reader-records-and-chunk-ends");
	UNIT_RUN(test_loss_records(), "store/reader-cuts-at-losses-not-wraps");
	UNIT_RUN(test_damage(), "store/reader-damage-is-cut-or-error");
	UNIT_RUN(test_switches(), "store/reader-packed-switches");
	UNIT_RUN(test_switch_ins(), "store/reader-switch-ins-of-a-stream");
	UNIT_RUN(test_symlink_stream(), "store/reader-no-symlinked-stream");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		return 1;
	return unit_failed ? 1 : 0;
}
