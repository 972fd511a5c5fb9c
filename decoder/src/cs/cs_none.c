/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CoreSight front end's entry points when the decoder is built without
 * OpenCSD (make NO_CS=1): the Makefile compiles this file instead of
 * cs_*.c.  Each says so and fails; nothing else changes.
 */
#include <string.h>

#include "cs/cs_frontend.h"
#include "core/util.h"
#include "core/flow.h"

int hwt_cs_decode_snapshot_opts(const char *dir,
				const struct hwt_cs_snapshot_opts *opts,
				const struct hwt_sink *sink, char *err,
				size_t errlen)
{
	(void)dir;
	(void)opts;
	(void)sink;
	return hwt_errf(err, errlen, "CoreSight decoding is not built in");
}

int hwt_cs_snapshot_add_images(const char *dir, struct hwt_image *img,
			       char *err, size_t errlen)
{
	(void)dir;
	(void)img;
	(void)err;
	(void)errlen;
	return 0;
}

int hwt_cs_decode_session_stream(struct hwt_store_reader *r,
				 const struct hwt_store_stream *ss,
				 const struct hwt_decode_opts *opts,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink, char *err,
				 size_t errlen)
{
	(void)r;
	(void)ss;
	(void)opts;
	(void)read_mem;
	(void)read_mem_arg;
	(void)sink;
	return hwt_errf(err, errlen, "CoreSight decoding is not built in");
}

int hwt_cs_decode_session_bytes(struct hwt_store_reader *r,
				const struct hwt_store_stream *ss,
				const struct hwt_decode_opts *opts,
				const uint8_t *data, size_t size,
				const struct hwt_cut *cuts, size_t ncuts,
				uint32_t id, int32_t tid, int32_t cpu,
				const char *name, hwt_read_mem_fn read_mem,
				void *read_mem_arg, const struct hwt_sink *sink,
				char *err, size_t errlen)
{
	(void)r;
	(void)ss;
	(void)opts;
	(void)data;
	(void)size;
	(void)cuts;
	(void)ncuts;
	(void)id;
	(void)tid;
	(void)cpu;
	(void)name;
	(void)read_mem;
	(void)read_mem_arg;
	(void)sink;
	return hwt_errf(err, errlen, "CoreSight decoding is not built in");
}

int hwt_cs_decode_stream(const struct hwt_cs_stream *s,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	(void)s;
	(void)sink;
	return hwt_errf(err, errlen, "CoreSight decoding is not built in");
}

int hwt_cs_demux(const uint8_t *data, size_t size, const uint64_t *resets,
		 size_t nresets, const uint8_t *ids, size_t nids,
		 struct hwt_cs_id_bytes *out, char *err, size_t errlen)
{
	(void)data;
	(void)size;
	(void)resets;
	(void)nresets;
	(void)ids;
	memset(out, 0, nids * sizeof(*out));
	return hwt_errf(err, errlen, "CoreSight decoding is not built in");
}

uint64_t hwt_cs_id_bytes_pos(const struct hwt_cs_id_bytes *b, uint64_t off)
{
	(void)off;
	return b->n;
}

void hwt_cs_id_bytes_free(struct hwt_cs_id_bytes *b)
{
	(void)b;
}
