/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decode entries: a raw PT file or buffer (ptxed style), a trace session
 * directory (docs/trace-store.md), an OpenCSD snapshot (CoreSight front
 * end).  Each builds an image, a core (the database writer) and runs the
 * front end over every stream.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "cs_frontend.h"

/* Replaced by the CoreSight front end's definition when it is built. */
__attribute__((weak)) int hwt_cs_decode_snapshot(const char *dir,
						 const struct hwt_sink *sink,
						 char *err, size_t errlen)
{
	(void)dir;
	(void)sink;
	hwt_seterr(err, errlen, "CoreSight decoding is not built in");
	return -1;
}

__attribute__((weak)) int hwt_cs_snapshot_add_images(const char *dir,
						     struct hwt_image *img,
						     char *err, size_t errlen)
{
	(void)dir;
	(void)img;
	(void)err;
	(void)errlen;
	return 0;
}

int hwt_parse_cpu(const char *s, unsigned *family, unsigned *model,
		  unsigned *stepping)
{
	unsigned long v[3] = { 0, 0, 0 };
	const char *p = s;
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		if (!*p || *p == '-' || *p == '+')
			return -1;
		errno = 0;
		v[i] = strtoul(p, &end, 0);
		if (errno || end == p || v[i] > 0xffff)
			return -1;
		p = end;
		if (!*p)
			break;
		if (*p != '/' || i == 2)
			return -1;
		p++;
	}
	if (i < 1 || v[1] > 0xff || v[2] > 0xff)
		return -1;	/* needs at least F/M */
	*family = (unsigned)v[0];
	*model = (unsigned)v[1];
	*stepping = (unsigned)v[2];
	return 0;
}

static int cpu_params(const char *cpu, struct hwt_pt_params *p, char *err,
		      size_t errlen)
{
	if (!cpu)
		return 0;
	if (hwt_parse_cpu(cpu, &p->family, &p->model, &p->stepping) < 0) {
		hwt_seterr(err, errlen, "unknown CPU '%s' (expected "
			   "family/model[/stepping], e.g. 6/142/10)", cpu);
		return -1;
	}
	return 0;
}

int hwt_decode_pt_buffer(const uint8_t *buf, size_t size,
			 struct hwt_image *img,
			 const struct hwt_decode_opts *opts,
			 char *err, size_t errlen)
{
	struct hwt_pt_params params;
	struct hwt_stream_info info;
	const struct hwt_sink *sink;
	struct hwt_core *core;
	int rc;

	memset(&params, 0, sizeof(params));
	if (cpu_params(opts->cpu, &params, err, errlen) < 0)
		return -1;
	params.threads = opts->threads;
	params.segmented = opts->segmented;
	core = hwt_core_alloc(opts->out, img, err, errlen);
	if (!core)
		return -1;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_db_session(hwt_core_db(core), "pt", "intel_pt");
	memset(&info, 0, sizeof(info));
	info.id = 0;
	info.tid = -1;
	info.cpu = -1;
	info.trace_id = -1;
	info.name = "pt";
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	sink = hwt_core_sink(core);
	rc = sink->stream_begin(sink->arg, &info);
	if (rc >= 0)
		rc = hwt_pt_decode(buf, size, img, &params, &info, sink, err,
				   errlen);
	if (rc < 0) {
		hwt_core_free(core);
		return -1;
	}
	return hwt_core_finish(core, err, errlen);
}

int hwt_decode_pt_file(const char *pt_path, struct hwt_image *img,
		       const struct hwt_decode_opts *opts,
		       char *err, size_t errlen)
{
	const uint8_t *buf;
	size_t size;

	buf = hwt_map_file(pt_path, &size, err, errlen);
	if (!buf)
		return -1;
	if (!size) {
		hwt_seterr(err, errlen, "%s: empty trace file", pt_path);
		return -1;
	}
	return hwt_decode_pt_buffer(buf, size, img, opts, err, errlen);
}

int hwt_decode_snapshot(const char *dir, struct hwt_image *img,
			const struct hwt_decode_opts *opts,
			char *err, size_t errlen)
{
	struct hwt_core *core;
	int rc;

	/* The snapshot's memory dumps are its images (CoreSight helper). */
	if (hwt_cs_snapshot_add_images(dir, img, err, errlen) < 0)
		return -1;
	core = hwt_core_alloc(opts->out, img, err, errlen);
	if (!core)
		return -1;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_db_session(hwt_core_db(core), dir, "coresight");
	rc = hwt_cs_decode_snapshot(dir, hwt_core_sink(core), err, errlen);
	if (rc < 0) {
		hwt_core_free(core);
		return -1;
	}
	return hwt_core_finish(core, err, errlen);
}

/* ---- session directories ---- */

struct cut {
	uint64_t offset;	/* in the stream's concatenated bytes */
	char msg[96];
};

static int cut_cmp(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static const char *param(sqlite3 *db, int64_t stream, const char *key,
			 char *buf, size_t len)
{
	sqlite3_stmt *st;
	const char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM stream_params WHERE "
			       "stream = ? AND key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, stream);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
		v = buf;
	}
	sqlite3_finalize(st);
	return v;
}

static int session_images(sqlite3 *sdb, const char *dir,
			  struct hwt_image *img, int quiet)
{
	sqlite3_stmt *st;
	char path[PATH_MAX + 64], err[512];

	if (sqlite3_prepare_v2(sdb, "SELECT path, addr, len, pgoff FROM "
			       "records WHERE type IN ('mmap', 'exec') AND "
			       "path IS NOT NULL AND len > 0 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		struct stat sb;

		/* Anonymous and special mappings ([vdso]) have no file. */
		if (!p || !*p || *p == '[')
			continue;
		snprintf(path, sizeof(path), "%s/images/%s", dir, p);
		if (stat(path, &sb) < 0)
			snprintf(path, sizeof(path), "%s", p);
		if (hwt_image_add_mapping(img, path,
					  (uint64_t)sqlite3_column_int64(st, 1),
					  (uint64_t)sqlite3_column_int64(st, 2),
					  (uint64_t)sqlite3_column_int64(st, 3),
					  err, sizeof(err)) < 0 && !quiet)
			fprintf(stderr, "hwt: warning: image %s\n", err);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Reads the chunks of one stream: concatenated bytes and the cut points
 * (lost data, bad checksums, BUFFER records) where the decoder must stop
 * and resync. */
static uint8_t *stream_bytes(sqlite3 *sdb, const char *dir, int64_t id,
			     size_t *size, struct cut **cuts, size_t *ncuts,
			     char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char path[PATH_MAX];
	const uint8_t *file;
	size_t fsize = 0, n = 0;
	uint8_t *buf = NULL;
	int64_t expect = 0;

	*ncuts = 0;
	*cuts = NULL;
	snprintf(path, sizeof(path), "%s/stream-%lld.bin", dir, (long long)id);
	file = hwt_map_file(path, &fsize, err, errlen);
	if (!file)
		return NULL;
	if (sqlite3_prepare_v2(sdb, "SELECT seq, offset, length, crc32, "
			       "lost_before FROM chunks WHERE stream = ? "
			       "ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: no chunks table");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t off = sqlite3_column_int64(st, 1);
		int64_t len = sqlite3_column_int64(st, 2);
		uint32_t crc = (uint32_t)sqlite3_column_int64(st, 3);
		int64_t lost = sqlite3_column_int64(st, 4);
		const char *why = NULL;
		char msg[96];

		if (seq != expect)
			why = "missing chunk";
		expect = seq + 1;
		if (lost > 0) {
			snprintf(msg, sizeof(msg), "%lld bytes lost",
				 (long long)lost);
			why = msg;
		}
		if (off < 0 || len < 0 || (uint64_t)off >= fsize) {
			snprintf(msg, sizeof(msg), "chunk %lld beyond the end "
				 "of stream-%lld.bin (truncated file)",
				 (long long)seq, (long long)id);
			why = msg;
			len = 0;
		} else if ((uint64_t)len > fsize - (uint64_t)off) {
			/* Use what is left, unverified, and say so after it. */
			len = (int64_t)(fsize - (uint64_t)off);
			buf = hwt_xrealloc(buf, n + (size_t)len);
			memcpy(buf + n, file + off, (size_t)len);
			n += (size_t)len;
			snprintf(msg, sizeof(msg), "stream-%lld.bin truncated "
				 "in chunk %lld (%lld bytes left, unverified)",
				 (long long)id, (long long)seq, (long long)len);
			why = msg;
			len = 0;
		} else if (crc32(0, file + off, (uInt)len) != crc) {
			snprintf(msg, sizeof(msg), "chunk %lld: crc32 "
				 "mismatch, skipped", (long long)seq);
			why = msg;
			len = 0;
		}
		if (why) {
			*cuts = hwt_xrealloc(*cuts, (*ncuts + 1) *
					     sizeof(**cuts));
			(*cuts)[*ncuts].offset = n;
			snprintf((*cuts)[*ncuts].msg, sizeof((*cuts)->msg),
				 "%s", why);
			(*ncuts)++;
		}
		if (!len)
			continue;
		buf = hwt_xrealloc(buf, n + (size_t)len);
		memcpy(buf + n, file + off, (size_t)len);
		n += (size_t)len;
	}
	sqlite3_finalize(st);
	*size = n;
	return buf ? buf : hwt_xrealloc(NULL, 1);
}

static void buffer_cuts(sqlite3 *sdb, int64_t id, struct cut **cuts,
			size_t *ncuts)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(sdb, "SELECT stream_offset, aux FROM records "
			       "WHERE type IN ('buffer', 'lost') AND "
			       "stream = ? AND stream_offset IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		*cuts = hwt_xrealloc(*cuts, (*ncuts + 1) * sizeof(**cuts));
		(*cuts)[*ncuts].offset = (uint64_t)sqlite3_column_int64(st, 0);
		snprintf((*cuts)[*ncuts].msg, sizeof((*cuts)->msg),
			 "buffer record: %lld bytes lost",
			 (long long)sqlite3_column_int64(st, 1));
		(*ncuts)++;
	}
	sqlite3_finalize(st);
}

static int decode_stream(sqlite3 *sdb, const char *dir, int64_t id,
			 int64_t tid, struct hwt_image *img,
			 struct hwt_core *core,
			 const struct hwt_decode_opts *opts,
			 char *err, size_t errlen)
{
	const struct hwt_sink *sink = hwt_core_sink(core);
	struct hwt_pt_params params;
	struct hwt_stream_info info;
	struct cut *cuts;
	size_t size, ncuts, i;
	uint64_t pos = 0;
	char v[64], name[32];
	uint8_t *buf;
	int rc;

	memset(&params, 0, sizeof(params));
	if (cpu_params(param(sdb, id, "cpu", v, sizeof(v)), &params, err,
		       errlen) < 0)
		return -1;
	params.threads = opts->threads;
	params.segmented = opts->segmented;
	if (param(sdb, id, "mtc_freq", v, sizeof(v)))
		params.mtc_freq = (uint8_t)strtoul(v, NULL, 0);
	if (param(sdb, id, "nom_freq", v, sizeof(v)))
		params.nom_freq = (uint8_t)strtoul(v, NULL, 0);
	if (param(sdb, id, "cpuid_15_eax", v, sizeof(v)))
		params.cpuid_15_eax = (uint32_t)strtoul(v, NULL, 0);
	if (param(sdb, id, "cpuid_15_ebx", v, sizeof(v)))
		params.cpuid_15_ebx = (uint32_t)strtoul(v, NULL, 0);
	buf = stream_bytes(sdb, dir, id, &size, &cuts, &ncuts, err, errlen);
	if (!buf)
		return -1;
	buffer_cuts(sdb, id, &cuts, &ncuts);
	qsort(cuts, ncuts, sizeof(*cuts), cut_cmp);
	memset(&info, 0, sizeof(info));
	snprintf(name, sizeof(name), "stream-%lld", (long long)id);
	info.id = (uint32_t)id;
	info.tid = (int32_t)tid;
	info.cpu = -1;
	info.trace_id = -1;
	info.name = name;
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	rc = sink->stream_begin(sink->arg, &info);
	/* Decode the pieces between cuts; each cut is a recorded gap. */
	for (i = 0; rc >= 0 && i <= ncuts; i++) {
		uint64_t end = i < ncuts ? cuts[i].offset : size;

		if (end > size)
			end = size;
		if (end > pos)
			rc = hwt_pt_decode(buf + pos, (size_t)(end - pos), img,
					   &params, &info, sink, err, errlen);
		if (end > pos)
			pos = end;
		if (rc >= 0 && i < ncuts) {
			struct hwt_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.type = HWT_EV_GAP;
			ev.code = -1;
			ev.offset = cuts[i].offset;
			ev.msg = cuts[i].msg;
			rc = sink->event(sink->arg, info.id, &ev);
		}
	}
	free(cuts);
	free(buf);
	return rc < 0 ? -1 : 0;
}

int hwt_decode_session(const char *dir, const struct hwt_decode_opts *opts,
		       char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct hwt_image *img = NULL;
	struct hwt_core *core = NULL;
	sqlite3 *sdb = NULL;
	sqlite3_stmt *st = NULL;
	int64_t pid = -1;
	int rc = -1, n = 0;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	if (access(path, R_OK) < 0) {
		hwt_seterr(err, errlen, "%s: not a trace session (no readable "
			   "session.db)", dir);
		return -1;
	}
	if (sqlite3_open_v2(path, &sdb, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(sdb, "SELECT value FROM meta WHERE key = "
			       "'format_version'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_int(st, 0) < 1 || sqlite3_column_int(st, 0) > 2) {
		/* 2 only packs switch records, which decoding does not use. */
		hwt_seterr(err, errlen, "%s: corrupt or unsupported session "
			   "database (format_version 1 or 2 expected)", path);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(sdb, "SELECT value FROM meta WHERE key = "
			       "'target_pid'", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		pid = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	img = hwt_image_alloc();
	session_images(sdb, dir, img, opts->quiet);
	core = hwt_core_alloc(opts->out, img, err, errlen);
	if (!core)
		goto out;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_db_session(hwt_core_db(core), dir, "session");
	if (sqlite3_prepare_v2(sdb, "SELECT id, kind, tid FROM streams ORDER "
			       "BY id", -1, &st, NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "%s: no streams table", path);
		goto out;
	}
	rc = 0;
	while (rc >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		int64_t tid = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
			      sqlite3_column_int64(st, 2);

		if (kind && (!strcmp(kind, "etm4") || !strcmp(kind, "ete"))) {
			/* CoreSight front end (cs_session.c). */
			hwt_core_set_thread(core, (uint32_t)id, pid, tid);
			rc = hwt_cs_decode_session_stream(sdb, dir, id, tid,
					hwt_image_read_cb, img,
					hwt_core_sink(core), err, errlen);
			n++;
			continue;
		}
		if (!kind || strcmp(kind, "intel_pt")) {
			if (!opts->quiet)
				fprintf(stderr, "hwt: stream %lld: kind '%s' "
					"not decoded from sessions yet\n",
					(long long)id, kind ? kind : "?");
			continue;
		}
		hwt_core_set_thread(core, (uint32_t)id, pid, tid);
		rc = decode_stream(sdb, dir, id, tid, img, core, opts, err,
				   errlen);
		n++;
	}
	if (rc >= 0) {
		rc = hwt_core_finish(core, err, errlen);
		core = NULL;
	}
	if (rc >= 0 && !n && !opts->quiet)
		fprintf(stderr, "hwt: %s: no intel_pt streams\n", dir);
out:
	sqlite3_finalize(st);
	hwt_core_free(core);
	hwt_image_free(img);
	sqlite3_close(sdb);
	return rc;
}
