/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decode entries: a raw PT file or buffer (ptxed style), a trace session
 * directory (docs/trace-store.md), an OpenCSD snapshot (CoreSight front
 * end).  Each builds an image, a core (the database writer) and runs the
 * front end over every stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "cs_frontend.h"

static int check_output(const char *out, const char *in_dir,
			const char *in_file, char *err, size_t errlen);

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
	core = hwt_core_alloc(opts, img, err, errlen);
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

	if (check_output(opts->out, NULL, pt_path, err, errlen) < 0)
		return -1;
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

	if (check_output(opts->out, dir, NULL, err, errlen) < 0)
		return -1;
	/* The snapshot's memory dumps are its images (CoreSight helper). */
	if (hwt_cs_snapshot_add_images(dir, img, err, errlen) < 0)
		return -1;
	core = hwt_core_alloc(opts, img, err, errlen);
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

/* ---- the output: never inside an input ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * OUT must not lie inside the input directory in_dir (a session or a
 * snapshot) or inside any session directory, nor be the input file
 * in_file: the decode (and its rename) would replace what it reads.
 * 0, or -1 with err set.
 */
static int check_output(const char *out, const char *in_dir,
			const char *in_file, char *err, size_t errlen)
{
	char parent[PATH_MAX], real[PATH_MAX];
	struct stat in, sb, osb;
	char *slash;
	int first = 1;

	if (!out || !strcmp(out, ":memory:"))
		return 0;
	if (in_file && !stat(in_file, &in) && !stat(out, &osb) &&
	    same_file(&in, &osb)) {
		hwt_seterr(err, errlen, "%s is the input %s: refused", out,
			   in_file);
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", out);
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	if (!realpath(parent, real))
		return 0;	/* creating OUT.tmp will say why */
	if (in_dir && stat(in_dir, &in))
		in_dir = NULL;
	for (;;) {
		char probe[PATH_MAX + 16];

		if (stat(real, &sb))
			return 0;
		if (in_dir && same_file(&sb, &in)) {
			hwt_seterr(err, errlen, "%s is inside the input %s: "
				   "refused (give an output outside it)", out,
				   in_dir);
			return -1;
		}
		snprintf(probe, sizeof(probe), "%s/session.db", real);
		if (first && !lstat(probe, &sb)) {
			hwt_seterr(err, errlen, "%s would be written into the "
				   "trace session %s: refused (give an output "
				   "outside it)", out, real);
			return -1;
		}
		first = 0;
		if (!strcmp(real, "/"))
			return 0;
		slash = strrchr(real, '/');
		if (slash == real)
			real[1] = 0;
		else
			*slash = 0;
	}
}

/* ---- session directories ---- */

static int cut_cmp(const void *a, const void *b)
{
	const struct hwt_stream_cut *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void add_cut(struct hwt_stream_cut **cuts, size_t *ncuts,
		    uint64_t offset, const char *msg)
{
	*cuts = hwt_xrealloc(*cuts, (*ncuts + 1) * sizeof(**cuts));
	(*cuts)[*ncuts].offset = offset;
	snprintf((*cuts)[*ncuts].msg, sizeof((*cuts)->msg), "%s", msg);
	(*ncuts)++;
}

/* The message of a step loop that did not end on SQLITE_DONE. */
static int db_fail(sqlite3 *db, struct hwt_sqlite_budget *budget,
		   const char *what, char *err, size_t errlen)
{
	char why[256];

	hwt_seterr(err, errlen, "session.db: reading %s: %s", what,
		   hwt_sqlite_errmsg(db, budget, why, sizeof(why)));
	return -1;
}

/* 1: *v set, 0: no such parameter, -1: the database cannot be read. */
static int param(sqlite3 *db, int64_t stream, const char *key, char *buf,
		 size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT value FROM stream_params WHERE "
			       "stream = ? AND key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, stream);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Images named by the records: SESSION/images/PATH (beneath the session
 * directory, no symlink on the way) if there, else PATH.  Never through a
 * symlink; and when the caller is not the session's owner (root decoding
 * a user's session), only files that owner, the caller or anyone could
 * read (a 0600 secret of another user is never copied into blocks.code).
 */
static int session_images(sqlite3 *sdb, int dirfd, const char *dir,
			  uid_t owner, struct hwt_image *img, int quiet,
			  struct hwt_sqlite_budget *budget, char *err,
			  size_t errlen)
{
	struct hwt_file_policy pol = { .check_owner = geteuid() != owner,
				       .owner = owner, .other_ok = 1 };
	sqlite3_stmt *st;
	char name[PATH_MAX + 64], shown[2 * PATH_MAX + 64], why[PATH_MAX + 256];
	int rc;

	if (sqlite3_prepare_v2(sdb, "SELECT path, addr, len, pgoff FROM "
			       "records WHERE type IN ('mmap', 'exec') AND "
			       "path IS NOT NULL AND len > 0 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(sdb, budget, "records", err, errlen);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		struct stat sb;
		int in_session;

		/* Anonymous and special mappings ([vdso]) have no file. */
		if (!p || !*p || *p == '[' || strlen(p) >= PATH_MAX)
			continue;
		snprintf(name, sizeof(name), "images/%s", p + (*p == '/'));
		in_session = !fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW);
		pol.beneath = in_session;
		hwt_image_set_policy(img, in_session ? dirfd : AT_FDCWD, &pol);
		if (in_session)
			snprintf(shown, sizeof(shown), "%s/%s", dir, name);
		else
			snprintf(shown, sizeof(shown), "%s", p);
		if (hwt_image_add_mapping_at(img, in_session ? name : p, shown,
					(uint64_t)sqlite3_column_int64(st, 1),
					(uint64_t)sqlite3_column_int64(st, 2),
					(uint64_t)sqlite3_column_int64(st, 3),
					why, sizeof(why)) < 0 && !quiet)
			fprintf(stderr, "hwt: warning: image %s\n", why);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(sdb, budget, "records", err, errlen);
	return 0;
}

uint8_t *hwt_session_stream_bytes(sqlite3 *sdb, int dirfd, uid_t owner,
				  int64_t id, struct hwt_sqlite_budget *budget,
				  size_t *size, struct hwt_stream_cut **cuts,
				  size_t *ncuts, char *err, size_t errlen)
{
	struct hwt_file_policy pol = { .check_owner = 1, .owner = owner };
	sqlite3_stmt *st = NULL;
	char name[48];
	const uint8_t *file;
	size_t fsize = 0, n = 0;
	uint64_t next = 0;	/* the file's bytes before next are used */
	uint8_t *buf = NULL;
	int64_t expect = 0;
	int fd, rc;

	*ncuts = 0;
	*cuts = NULL;
	if (id < 0 || id > INT32_MAX) {
		hwt_seterr(err, errlen, "session.db: stream id %lld out of "
			   "range", (long long)id);
		return NULL;
	}
	snprintf(name, sizeof(name), "stream-%lld.bin", (long long)id);
	fd = hwt_open_checked(dirfd, name, name, &pol, NULL, err, errlen);
	if (fd < 0)
		return NULL;
	file = hwt_map_fd(fd, name, &fsize, err, errlen);
	close(fd);
	if (!file)
		return NULL;
	if (sqlite3_prepare_v2(sdb, "SELECT seq, offset, length, crc32, "
			       "lost_before FROM chunks WHERE stream = ? "
			       "ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		db_fail(sdb, budget, "chunks", err, errlen);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	/* Every byte copied is a byte of the file, used once: whatever the
	 * rows say, the buffer never exceeds the file. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t off = sqlite3_column_int64(st, 1);
		int64_t len = sqlite3_column_int64(st, 2);
		uint32_t crc = (uint32_t)sqlite3_column_int64(st, 3);
		int64_t lost = sqlite3_column_int64(st, 4);
		char msg[96];

		if (seq != expect)
			add_cut(cuts, ncuts, n, "missing chunk");
		expect = seq + 1;
		if (lost > 0) {
			snprintf(msg, sizeof(msg), "%lld bytes lost",
				 (long long)lost);
			add_cut(cuts, ncuts, n, msg);
		}
		if (off < 0 || len < 0 || (uint64_t)off >= fsize) {
			snprintf(msg, sizeof(msg), "chunk %lld beyond the end "
				 "of %s (truncated file)", (long long)seq,
				 name);
			add_cut(cuts, ncuts, n, msg);
			continue;
		}
		if ((uint64_t)off < next) {
			snprintf(msg, sizeof(msg), "chunk %lld overlaps an "
				 "earlier chunk, skipped", (long long)seq);
			add_cut(cuts, ncuts, n, msg);
			continue;
		}
		if ((uint64_t)len > fsize - (uint64_t)off) {
			/* Use what is left, unverified, and say so after it. */
			len = (int64_t)(fsize - (uint64_t)off);
			buf = hwt_xrealloc(buf, n + (size_t)len);
			memcpy(buf + n, file + off, (size_t)len);
			n += (size_t)len;
			next = fsize;
			snprintf(msg, sizeof(msg), "%s truncated in chunk %lld "
				 "(%lld bytes left, unverified)", name,
				 (long long)seq, (long long)len);
			add_cut(cuts, ncuts, n, msg);
			continue;
		}
		next = (uint64_t)(off + len);
		if (crc32(0, file + off, (uInt)len) != crc) {
			snprintf(msg, sizeof(msg), "chunk %lld: crc32 "
				 "mismatch, skipped", (long long)seq);
			add_cut(cuts, ncuts, n, msg);
			continue;
		}
		if (!len)
			continue;
		buf = hwt_xrealloc(buf, n + (size_t)len);
		memcpy(buf + n, file + off, (size_t)len);
		n += (size_t)len;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		/* Never "no more chunks": the decode would silently lose the
		 * rest of the trace. */
		db_fail(sdb, budget, "chunks", err, errlen);
		goto fail;
	}
	/* BUFFER/LOST records place losses in the stream's bytes. */
	if (sqlite3_prepare_v2(sdb, "SELECT stream_offset, aux FROM records "
			       "WHERE type IN ('buffer', 'lost') AND "
			       "stream = ? AND stream_offset IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(sdb, budget, "records", err, errlen);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t off = sqlite3_column_int64(st, 0);
		char msg[96];

		snprintf(msg, sizeof(msg), "buffer record: %lld bytes lost",
			 (long long)sqlite3_column_int64(st, 1));
		add_cut(cuts, ncuts, off < 0 ? 0 : (uint64_t)off, msg);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		db_fail(sdb, budget, "records", err, errlen);
		goto fail;
	}
	qsort(*cuts, *ncuts, sizeof(**cuts), cut_cmp);
	if (fsize)
		munmap((void *)file, fsize);
	*size = n;
	return buf ? buf : hwt_xrealloc(NULL, 1);
fail:
	sqlite3_finalize(st);
	if (fsize)
		munmap((void *)file, fsize);
	free(buf);
	free(*cuts);
	*cuts = NULL;
	*ncuts = 0;
	return NULL;
}

static int decode_stream(sqlite3 *sdb, int dirfd, uid_t owner, int64_t id,
			 int64_t tid, struct hwt_image *img,
			 struct hwt_core *core,
			 const struct hwt_decode_opts *opts,
			 struct hwt_sqlite_budget *budget,
			 char *err, size_t errlen)
{
	static const char *const keys[] = { "cpu", "mtc_freq", "nom_freq",
					    "cpuid_15_eax", "cpuid_15_ebx" };
	const struct hwt_sink *sink = hwt_core_sink(core);
	struct hwt_pt_params params;
	struct hwt_stream_info info;
	struct hwt_stream_cut *cuts;
	size_t size, ncuts, i;
	uint64_t pos = 0;
	char v[5][64], name[32];
	int have[5];
	uint8_t *buf;
	int rc;

	memset(&params, 0, sizeof(params));
	for (i = 0; i < 5; i++) {
		have[i] = param(sdb, id, keys[i], v[i], sizeof(v[i]));
		if (have[i] < 0)
			return db_fail(sdb, budget, "stream_params", err,
				       errlen);
	}
	if (cpu_params(have[0] ? v[0] : NULL, &params, err, errlen) < 0)
		return -1;
	params.threads = opts->threads;
	params.segmented = opts->segmented;
	if (have[1])
		params.mtc_freq = (uint8_t)strtoul(v[1], NULL, 0);
	if (have[2])
		params.nom_freq = (uint8_t)strtoul(v[2], NULL, 0);
	if (have[3])
		params.cpuid_15_eax = (uint32_t)strtoul(v[3], NULL, 0);
	if (have[4])
		params.cpuid_15_ebx = (uint32_t)strtoul(v[4], NULL, 0);
	buf = hwt_session_stream_bytes(sdb, dirfd, owner, id, budget, &size,
				       &cuts, &ncuts, err, errlen);
	if (!buf)
		return -1;
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
	struct hwt_sqlite_budget budget = { 0, 0 };
	struct hwt_image *img = NULL;
	struct hwt_core *core = NULL;
	sqlite3 *sdb = NULL;
	sqlite3_stmt *st = NULL;
	struct stat dsb;
	int64_t pid = -1;
	int rc = -1, n = 0, step, dirfd;

	/* Everything of the session through this fd (store_io.h). */
	dirfd = hwt_open_dir(AT_FDCWD, dir, 1, err, errlen);
	if (dirfd < 0)
		return -1;
	if (fstat(dirfd, &dsb) < 0) {
		hwt_seterr(err, errlen, "%s: %s", dir, strerror(errno));
		close(dirfd);
		return -1;
	}
	if (check_output(opts->out, dir, NULL, err, errlen) < 0) {
		close(dirfd);
		return -1;
	}
	sdb = hwt_session_db_open(dirfd, dir, 0, &budget, err, errlen);
	if (!sdb)
		goto out;
	if (sqlite3_prepare_v2(sdb, "SELECT value FROM meta WHERE key = "
			       "'format_version'", -1, &st, NULL) != SQLITE_OK) {
		db_fail(sdb, &budget, "meta", err, errlen);
		goto out;
	}
	step = sqlite3_step(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		db_fail(sdb, &budget, "meta", err, errlen);
		goto out;
	}
	if (step != SQLITE_ROW || sqlite3_column_int(st, 0) < 1 ||
	    sqlite3_column_int(st, 0) > 2) {
		/* 2 only packs switch records, which decoding does not use. */
		hwt_seterr(err, errlen, "%s/session.db: corrupt or unsupported "
			   "session database (format_version 1 or 2 expected)",
			   dir);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(sdb, "SELECT value FROM meta WHERE key = "
			       "'target_pid'", -1, &st, NULL) != SQLITE_OK) {
		db_fail(sdb, &budget, "meta", err, errlen);
		goto out;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		pid = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE) {
		db_fail(sdb, &budget, "meta", err, errlen);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	img = hwt_image_alloc();
	if (session_images(sdb, dirfd, dir, dsb.st_uid, img, opts->quiet,
			   &budget, err, errlen) < 0)
		goto out;
	core = hwt_core_alloc(opts, img, err, errlen);
	if (!core)
		goto out;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_db_session(hwt_core_db(core), dir, "session");
	if (sqlite3_prepare_v2(sdb, "SELECT id, kind, tid FROM streams ORDER "
			       "BY id", -1, &st, NULL) != SQLITE_OK) {
		db_fail(sdb, &budget, "streams", err, errlen);
		goto out;
	}
	rc = 0;
	while (rc >= 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		int64_t tid = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
			      sqlite3_column_int64(st, 2);

		if (kind && (!strcmp(kind, "etm4") || !strcmp(kind, "ete"))) {
			/* CoreSight front end (cs_session.c). */
			hwt_core_set_thread(core, (uint32_t)id, pid, tid);
			rc = hwt_cs_decode_session_stream(sdb, dirfd,
					dsb.st_uid, id, tid, hwt_image_read_cb,
					img, hwt_core_sink(core), &budget, err,
					errlen);
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
		rc = decode_stream(sdb, dirfd, dsb.st_uid, id, tid, img, core,
				   opts, &budget, err, errlen);
		n++;
	}
	if (rc >= 0 && step != SQLITE_DONE)
		rc = db_fail(sdb, &budget, "streams", err, errlen);
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
	close(dirfd);
	return rc;
}
