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

int hwt_cs_decode_session_stream(struct hwt_store_reader *r,
				 const struct hwt_store_stream *ss,
				 const struct hwt_decode_opts *opts,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink, char *err,
				 size_t errlen)
{
	struct hwt_store_cut *cuts = NULL;
	struct hwt_cut *k = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, ncuts = 0, i;
	char name[32];
	int rc;

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
	rc = hwt_cs_decode_session_bytes(r, ss, opts, buf, n, k, ncuts,
					 (uint32_t)ss->id, (int32_t)ss->tid,
					 (int32_t)ss->cpu, name, read_mem,
					 read_mem_arg, sink, err, errlen);
	free(buf);
	free(cuts);
	free(k);
	return rc;
}
