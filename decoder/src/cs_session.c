/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A CoreSight stream of a trace session (docs/trace-store.md): streams
 * row, stream_params (ETM registers, core_profile), chunks (bounds and
 * crc32 checked) -> hwt_cs_decode_stream.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sqlite3.h>
#include <zlib.h>

#include "cs_frontend.h"
#include "internal.h"

struct params {
	sqlite3_stmt *st;
	int64_t id;
	int failed;		/* a step that was neither a row nor done */
	char buf[128];
};

static const char *param(void *arg, const char *key)
{
	struct params *p = arg;
	const char *v = NULL;
	int rc;

	sqlite3_reset(p->st);
	sqlite3_bind_int64(p->st, 1, p->id);
	sqlite3_bind_text(p->st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(p->st);
	if (rc == SQLITE_ROW && sqlite3_column_text(p->st, 0)) {
		snprintf(p->buf, sizeof(p->buf), "%s",
			 (const char *)sqlite3_column_text(p->st, 0));
		v = p->buf;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		p->failed = 1;
	}
	return v;
}

int hwt_cs_decode_session_stream(struct sqlite3 *sdb, int dirfd,
				 unsigned owner, int64_t id, int64_t tid,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink,
				 struct hwt_sqlite_budget *budget, char *err,
				 size_t errlen)
{
	struct hwt_cs_stream s;
	struct params p;
	struct hwt_stream_cut *cuts = NULL;
	struct hwt_cs_cut *k = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, ncuts = 0, i;
	char kind[16] = "", name[32], why[256];
	int rc = -1, step;

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	p.id = id;
	if (sqlite3_prepare_v2(sdb, "SELECT kind, formatted, trace_id, cpu "
			       "FROM streams WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: %s", sqlite3_errmsg(sdb));
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE)
			hwt_seterr(err, errlen, "session.db: no stream %lld",
				   (long long)id);
		else
			hwt_seterr(err, errlen, "session.db: reading streams:"
				   " %s", hwt_sqlite_errmsg(sdb, budget, why,
							    sizeof(why)));
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(kind, sizeof(kind), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	s.formatted = sqlite3_column_int(st, 1) != 0;
	s.trace_id = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		(int32_t)sqlite3_column_int64(st, 2);
	s.cpu = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		(int32_t)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	st = NULL;
	if (s.trace_id > 0x7f) {
		hwt_seterr(err, errlen, "stream %lld: trace ID %d out of range",
			   (long long)id, s.trace_id);
		goto out;
	}
	/* The bytes the chunks index, in order; anything not cleanly there
	 * is a cut (gap) in the decode. */
	buf = hwt_session_stream_bytes(sdb, dirfd, (uid_t)owner, id, budget,
				       &n, &cuts, &ncuts, err, errlen);
	if (!buf)
		goto out;
	k = hwt_xrealloc(NULL, (ncuts ? ncuts : 1) * sizeof(*k));
	for (i = 0; i < ncuts; i++) {
		k[i].offset = cuts[i].offset;
		k[i].msg = cuts[i].msg;
	}
	if (sqlite3_prepare_v2(sdb, "SELECT value FROM stream_params WHERE "
			       "stream = ? AND key = ?", -1, &p.st,
			       NULL) != SQLITE_OK) {
		hwt_seterr(err, errlen, "session.db: no stream_params table");
		goto out;
	}
	snprintf(name, sizeof(name), "stream-%lld", (long long)id);
	s.id = (uint32_t)id;
	s.tid = (int32_t)tid;
	s.kind = kind;
	s.param = param;
	s.param_arg = &p;
	s.data = n ? buf : (const uint8_t *)"";
	s.size = n;
	s.read_mem = read_mem;
	s.read_mem_arg = read_mem_arg;
	s.name = name;
	s.cuts = k;
	s.ncuts = ncuts;
	rc = hwt_cs_decode_stream(&s, sink, err, errlen);
	if (p.failed) {
		hwt_seterr(err, errlen, "session.db: reading stream_params: "
			   "%s", hwt_sqlite_errmsg(sdb, budget, why,
						   sizeof(why)));
		rc = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_finalize(p.st);
	free(buf);
	free(cuts);
	free(k);
	return rc;
}
