/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A CoreSight stream of a trace session (docs/trace-store.md), read through
 * the store's reader: stream_params (ETM registers, core_profile) and the
 * chunks' bytes (bounds and crc32 checked) -> hwt_cs_decode_stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt/decode.h"
#include "cs/cs_frontend.h"
#include "core/util.h"
#include "core/flow.h"
#include "store_reader.h"

struct params {
	struct hwt_store_reader *r;
	int64_t id;
	int failed;		/* session.db could not be read */
	char buf[128];
	char err[256];
};

static const char *param(void *arg, const char *key)
{
	struct params *p = arg;
	int rc = hwt_store_reader_param(p->r, p->id, key, p->buf,
					sizeof(p->buf), p->err,
					sizeof(p->err));

	if (rc < 0)
		p->failed = 1;
	return rc > 0 ? p->buf : NULL;
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
	struct hwt_cs_stream s;
	struct params p;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	p.r = r;
	p.id = ss->id;
	if (ss->trace_id > 0x7f) {
		hwt_errf(err, errlen, "stream %lld: trace ID %lld out of range",
			 (long long)ss->id, (long long)ss->trace_id);
		return -1;
	}
	s.id = id;
	s.tid = tid;
	s.cpu = cpu;
	s.kind = ss->kind;
	s.formatted = ss->formatted;
	s.trace_id = (int32_t)ss->trace_id;
	s.param = param;
	s.param_arg = &p;
	s.data = size ? data : (const uint8_t *)"";
	s.size = size;
	s.read_mem = read_mem;
	s.read_mem_arg = read_mem_arg;
	s.name = name;
	s.cuts = cuts;
	s.ncuts = ncuts;
	s.no_fork = opts->test.cs_no_fork;
	s.abort_on_child_exit = opts->test.cs_abort_on_child_exit;
	rc = hwt_cs_decode_stream(&s, sink, err, errlen);
	if (p.failed) {
		hwt_errf(err, errlen, "%s", p.err);
		rc = -1;
	}
	return rc;
}

int hwt_cs_shared_sink(struct hwt_store_reader *r,
		       const struct hwt_store_stream *ss, int *base,
		       char *err, size_t errlen)
{
	char v[32], *end;
	long b;
	int rc;

	rc = hwt_store_reader_param(r, ss->id, "shared_sink", v, sizeof(v),
				    err, errlen);
	if (rc <= 0 || strcmp(v, "1"))
		return rc < 0 ? -1 : 0;
	rc = hwt_store_reader_param(r, ss->id, "traceid_base", v, sizeof(v),
				    err, errlen);
	if (rc < 0)
		return -1;
	b = rc ? strtol(v, &end, 0) : 0;
	if (!rc || *end || b < 1 || b > 0x6f)
		return hwt_errf(err, errlen, "stream %lld: a shared sink "
				"with traceid_base '%s' (1..0x6f wanted)",
				(long long)ss->id, rc ? v : "(none)");
	*base = (int)b;
	return 1;
}

/*
 * Whether thread stream ss came through a sink shared behind funnels (a
 * run on CPU c under trace ID traceid_base + c), its base then in *base.
 * Returns as hwt_cs_shared_sink(); 0 for a CPU stream or raw trace.
 */
static int shared_thread(struct hwt_store_reader *r,
			 const struct hwt_store_stream *ss, int *base,
			 char *err, size_t errlen)
{
	if (!ss->formatted || ss->tid < 0)
		return 0;
	return hwt_cs_shared_sink(r, ss, base, err, errlen);
}

/* One deformatted block of a trace ID: where it came from and lies. */
struct id_block {
	uint64_t src;		/* offset in the frames */
	const uint8_t *data;
	size_t len;
};

/* qsort order of blocks by their offset in the frames.  Returns <0,
 * 0, >0. */
static int cmp_block(const void *a, const void *b)
{
	uint64_t x = ((const struct id_block *)a)->src;
	uint64_t y = ((const struct id_block *)b)->src;

	return x < y ? -1 : x > y;
}

/*
 * A thread's frames through a shared sink (shared_thread) as one raw
 * stream: hwt_coresight gives the sink to one of the thread's runs at
 * a time, each under its CPU's trace ID (base + CPU), and nothing else
 * writes into the thread's buffer, so the bytes of every ID from base
 * on, deformatted (hwt_cs_demux, restarted at each cut) and put back in
 * frame order, are the thread's stream; each cut moves to its place in
 * them.  data[0, n) and k[0, ncuts) in; *raw (malloc'd, *nraw bytes)
 * and k's offsets out.
 * Returns 0 on success; -1 with err set if hwt_cs_demux failed.
 */
static int merge_ids(const uint8_t *data, size_t n, struct hwt_cut *k,
		     size_t ncuts, int base, uint8_t **raw, size_t *nraw,
		     char *err, size_t errlen)
{
	size_t nids = (size_t)(0x70 - base), nblk = 0, i, j, pos = 0;
	struct hwt_cs_id_bytes *out;
	struct id_block *blk;
	uint64_t *resets;
	uint8_t ids[0x70];
	uint8_t *buf;
	int rc;

	out = hwt_xrealloc(NULL, nids * sizeof(*out));
	resets = hwt_xrealloc(NULL, (ncuts ? ncuts : 1) * sizeof(*resets));
	for (i = 0; i < nids; i++)
		ids[i] = (uint8_t)(base + (int)i);
	for (i = 0; i < ncuts; i++)
		resets[i] = k[i].offset;
	rc = hwt_cs_demux(data, n, resets, ncuts, ids, nids, out, err,
			  errlen);
	free(resets);
	if (rc < 0) {
		free(out);
		return -1;
	}
	for (i = 0; i < nids; i++)
		nblk += out[i].nblk;
	blk = hwt_xrealloc(NULL, (nblk ? nblk : 1) * sizeof(*blk));
	nblk = 0;
	for (i = 0; i < nids; i++)
		for (j = 0; j < out[i].nblk; j++) {
			size_t end = j + 1 < out[i].nblk ? out[i].pos[j + 1] :
				     out[i].n;

			blk[nblk].src = out[i].src[j];
			blk[nblk].data = out[i].buf + out[i].pos[j];
			blk[nblk++].len = end - out[i].pos[j];
		}
	qsort(blk, nblk, sizeof(*blk), cmp_block);
	buf = hwt_xrealloc(NULL, pos + 1);
	for (i = 0; i < nblk; i++) {
		buf = hwt_xrealloc(buf, pos + blk[i].len + 1);
		memcpy(buf + pos, blk[i].data, blk[i].len);
		pos += blk[i].len;
	}
	for (i = 0; i < ncuts; i++) {
		uint64_t at = 0;

		for (j = 0; j < nids; j++)
			at += hwt_cs_id_bytes_pos(&out[j], k[i].offset);
		k[i].offset = at;
	}
	for (i = 0; i < nids; i++)
		hwt_cs_id_bytes_free(&out[i]);
	free(out);
	free(blk);
	*raw = buf;
	*nraw = pos;
	return 0;
}

int hwt_cs_decode_session_stream(struct hwt_store_reader *r,
				 const struct hwt_store_stream *ss,
				 const struct hwt_decode_opts *opts,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink, char *err,
				 size_t errlen)
{
	struct hwt_store_cut *cuts = NULL;
	struct hwt_store_stream own;
	struct hwt_cut *k = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, ncuts = 0, i;
	char name[32];
	int rc, base = 0;

	if (ss->trace_id > 0x7f) {
		hwt_errf(err, errlen, "stream %lld: trace ID %lld out of range",
			 (long long)ss->id, (long long)ss->trace_id);
		return -1;
	}
	/* The bytes the chunks index, in order; anything not cleanly there
	 * is a cut (gap) in the decode. */
	buf = hwt_store_reader_bytes(r, ss->id, &n, &cuts, &ncuts, err,
				     errlen);
	if (!buf)
		return -1;
	k = hwt_xrealloc(NULL, (ncuts ? ncuts : 1) * sizeof(*k));
	for (i = 0; i < ncuts; i++) {
		k[i].offset = cuts[i].offset;
		k[i].msg = cuts[i].msg;
	}
	snprintf(name, sizeof(name), "stream-%lld", (long long)ss->id);
	rc = shared_thread(r, ss, &base, err, errlen);
	if (rc > 0) {
		/* a thread's runs under several CPUs' trace IDs: one raw
		 * stream (merge_ids) */
		uint8_t *raw = NULL;
		size_t nraw = 0;

		rc = merge_ids(buf, n, k, ncuts, base, &raw, &nraw, err,
			       errlen);
		own = *ss;
		own.formatted = 0;
		own.trace_id = base;
		free(buf);
		buf = raw;
		n = nraw;
		ss = &own;
	}
	if (rc >= 0)
		rc = hwt_cs_decode_session_bytes(r, ss, opts, buf, n, k,
						 ncuts, (uint32_t)ss->id,
						 (int32_t)ss->tid,
						 (int32_t)ss->cpu, name,
						 read_mem, read_mem_arg, sink,
						 err, errlen);
	free(buf);
	free(cuts);
	free(k);
	return rc;
}
