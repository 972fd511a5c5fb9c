// SPDX-License-Identifier: BSD-2-Clause
/*
 * The decoder's entry points for the test VM's static hwt, which cannot
 * link libipt (Debian ships no static libipt).  Each says so and fails;
 * sessions recorded in the guest are decoded on the host.
 */
#include <stdio.h>

#include "hwt/decode.h"
#include "hwt_err.h"

static int absent(char *err, size_t errlen)
{
	return hwt_errf(err, errlen, "the decoder is not in this build of "
			"hwt (the VM's static hwt); decode on the host");
}

struct hwt_image *hwt_image_alloc(void)
{
	return NULL;
}

void hwt_image_free(struct hwt_image *img)
{
	(void)img;
}

void hwt_image_set_debug_dirs(struct hwt_image *img, const char *dirs)
{
	(void)img;
	(void)dirs;
}

int hwt_image_add_raw(struct hwt_image *img, const char *path,
		      uint64_t offset, uint64_t size, uint64_t vaddr,
		      char *err, size_t errlen)
{
	(void)img, (void)path, (void)offset, (void)size, (void)vaddr;
	return absent(err, errlen);
}

int hwt_image_add_elf(struct hwt_image *img, const char *path, uint64_t base,
		      int have_base, char *err, size_t errlen)
{
	(void)img, (void)path, (void)base, (void)have_base;
	return absent(err, errlen);
}

int hwt_decode_pt_file(const char *pt_path, struct hwt_image *img,
		       const struct hwt_decode_opts *opts, char *err,
		       size_t errlen)
{
	(void)pt_path, (void)img, (void)opts;
	return absent(err, errlen);
}

int hwt_decode_session(const char *dir, const struct hwt_decode_opts *opts,
		       char *err, size_t errlen)
{
	(void)dir, (void)opts;
	return absent(err, errlen);
}

int hwt_decode_snapshot(const char *dir, struct hwt_image *img,
			const struct hwt_decode_opts *opts, char *err,
			size_t errlen)
{
	(void)dir, (void)img, (void)opts;
	return absent(err, errlen);
}

int hwt_parse_cpu(const char *s, unsigned *family, unsigned *model,
		  unsigned *stepping)
{
	(void)s, (void)family, (void)model, (void)stepping;
	return -1;
}

int hwt_replay(const char *db, const struct hwt_replay_opts *opts, FILE *out)
{
	(void)db, (void)opts, (void)out;
	fprintf(stderr, "hwt: replay is not in this build (VM)\n");
	return -1;
}

int hwt_report(const char *db, const struct hwt_report_opts *opts,
	       FILE *out)
{
	(void)db, (void)opts, (void)out;
	fprintf(stderr, "hwt: report is not in this build (VM)\n");
	return -1;
}

int hwt_query(const char *db, const char *sql, int csv, FILE *out)
{
	(void)db, (void)sql, (void)csv, (void)out;
	fprintf(stderr, "hwt: query is not in this build (VM)\n");
	return -1;
}

int hwt_export(const char *db, const struct hwt_export_opts *opts, FILE *out)
{
	(void)db, (void)opts, (void)out;
	fprintf(stderr, "hwt: export is not in this build (VM)\n");
	return -1;
}

int hwt_export_perf_data(const char *session, const char *out, char *err,
			 size_t errlen)
{
	(void)session, (void)out;
	return hwt_errf(err, errlen, "export is not in this build (VM)");
}

int hwt_decode_perf_data(const char *path, const struct hwt_decode_opts *opts,
			 char *err, size_t errlen)
{
	(void)path, (void)opts;
	return absent(err, errlen);
}

int hwt_is_perf_data(const char *path)
{
	(void)path;
	return 0;
}

int hwt_flame_folded(const char *db, const struct hwt_flame_opts *opts,
		     FILE *out)
{
	(void)db;
	(void)opts;
	(void)out;
	fprintf(stderr, "hwt: flamegraph is not in this build (VM)\n");
	return -1;
}

int hwt_timeline_json(const char *db, const struct hwt_timeline_opts *opts,
		      FILE *out)
{
	(void)db;
	(void)opts;
	(void)out;
	fprintf(stderr, "hwt: export is not in this build (VM)\n");
	return -1;
}

int hwt_report_diff(const char *a, const char *b, int top, FILE *out)
{
	(void)a;
	(void)b;
	(void)top;
	(void)out;
	fprintf(stderr, "hwt: report is not in this build (VM)\n");
	return -1;
}

int hwt_report_latency(const char *db, const char *func, FILE *out)
{
	(void)db;
	(void)func;
	(void)out;
	fprintf(stderr, "hwt: report is not in this build (VM)\n");
	return -1;
}

int hwt_report_inline(const char *db, int64_t tid, int top, FILE *out)
{
	(void)db;
	(void)tid;
	(void)top;
	(void)out;
	fprintf(stderr, "hwt: report is not in this build (VM)\n");
	return -1;
}

int hwt_replay_calls(const char *db, const struct hwt_calls_opts *opts,
		     FILE *out)
{
	(void)db;
	(void)opts;
	(void)out;
	fprintf(stderr, "hwt: replay is not in this build (VM)\n");
	return -1;
}

int hwt_flame_svg(const char *db, const struct hwt_flame_opts *opts,
		  const char *title, FILE *out)
{
	(void)db;
	(void)opts;
	(void)title;
	(void)out;
	fprintf(stderr, "hwt: flamegraph is not in this build (VM)\n");
	return -1;
}

int hwt_replay_fields_check(const char *fields, char *err, size_t errlen)
{
	(void)fields;
	snprintf(err, errlen, "not in this build (VM)");
	return -1;
}
