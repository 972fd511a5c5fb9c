/* SPDX-License-Identifier: BSD-2-Clause */
/* CoreSight front end entry points (cs_frontend.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cs/cs_config.h"
#include "cs/cs_decode.h"
#include "cs/cs_frontend.h"
#include "cs/cs_snapshot.h"
#include "core/util.h"
#include "image/image.h"
#include "core/flow.h"

static int hwt_cs_flags(int no_fork, int abort_on_child_exit)
{
	return (no_fork ? HWT_CS_DEC_NO_FORK : 0) |
	       (abort_on_child_exit ? HWT_CS_DEC_ABORT_ON_CHILD_EXIT : 0);
}

int hwt_cs_decode_snapshot_opts(const char *dir,
				const struct hwt_cs_snapshot_opts *opts,
				const struct hwt_sink *sink,
				char *err, size_t errlen)
{
	struct hwt_cs_snapshot *ss;
	const char *w;
	int rc;

	ss = hwt_cs_snapshot_open(dir, err, errlen);
	if (!ss)
		return -1;
	rc = hwt_cs_snapshot_decode(ss, opts ? opts->only_trace_id : -1,
				    opts ? opts->buffer : NULL,
				    hwt_cs_flags(opts ? opts->no_fork : 0,
				    opts ? opts->abort_on_child_exit : 0),
				    sink, err, errlen);
	w = hwt_cs_snapshot_warnings(ss);
	if (*w && !(opts && opts->quiet)) {
		const char *p = w;

		while (*p) {
			size_t n = strcspn(p, "\n");

			fprintf(stderr, "hwt: warning: %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	hwt_cs_snapshot_close(ss);
	return rc;
}

int hwt_cs_decode_snapshot(const char *dir, const struct hwt_sink *sink,
			   char *err, size_t errlen)
{
	return hwt_cs_decode_snapshot_opts(dir, NULL, sink, err, errlen);
}

int hwt_cs_snapshot_dumps(const char *dir, hwt_cs_dump_fn fn, void *arg,
			  char *err, size_t errlen)
{
	struct hwt_cs_snapshot *ss;
	size_t i;
	int rc = 0;

	ss = hwt_cs_snapshot_open(dir, err, errlen);
	if (!ss)
		return -1;
	for (i = 0; i < hwt_cs_snapshot_ndumps(ss) && rc >= 0; i++) {
		const struct hwt_cs_dump *d = hwt_cs_snapshot_dump(ss, i);

		rc = fn(arg, d->path, d->addr, d->length, d->offset);
	}
	hwt_cs_snapshot_close(ss);
	return rc < 0 ? rc : 0;
}

struct stream_regs {
	const struct hwt_cs_stream *s;
	char traceid[16];
};

/* stream_params keys are the register names in lowercase. */
static const char *stream_reg(void *arg, const char *name)
{
	struct stream_regs *r = arg;
	char key[32];
	size_t i;

	if (r->traceid[0] && !strcasecmp(name, "TRCTRACEIDR"))
		return r->traceid;
	for (i = 0; name[i] && i < sizeof(key) - 1; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	key[i] = '\0';
	return r->s->param ? r->s->param(r->s->param_arg, key) : NULL;
}

/* The pieces of s between its cuts, each decoded afresh, one gap per
 * cut, inside one stream_begin/stream_end. */
static int decode_pieces(const struct hwt_cs_stream *s, struct hwt_cs_unit *u,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	int format = s->formatted ? HWT_CS_FMT_FRAMED : HWT_CS_FMT_SINGLE;
	uint64_t pos = 0;
	size_t i;
	int rc = 0;

	if (sink->stream_begin) {
		rc = sink->stream_begin(sink->arg, &u->info);
		if (rc < 0)
			return rc;
	}
	for (i = 0; rc >= 0 && i <= s->ncuts; i++) {
		uint64_t end = i < s->ncuts ? s->cuts[i].offset : s->size;

		if (end > s->size)
			end = s->size;
		if (end > pos)
			rc = hwt_cs_decode_buffer(s->data, (size_t)pos,
						  (size_t)end, format, u, 1,
						  HWT_CS_DEC_NO_BEGIN_END |
						  hwt_cs_flags(s->no_fork,
						  s->abort_on_child_exit),
						  sink, err, errlen);
		if (end > pos)
			pos = end;
		if (rc >= 0 && i < s->ncuts && s->cuts[i].msg && sink->event) {
			struct hwt_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.type = HWT_EV_GAP;
			ev.code = -1;
			ev.offset = s->cuts[i].offset;
			ev.msg = s->cuts[i].msg;
			rc = sink->event(sink->arg, u->info.id, &ev);
		}
	}
	if (sink->stream_end) {
		int r = sink->stream_end(sink->arg, u->info.id);

		if (r < 0 && rc >= 0)
			rc = r;
	}
	return rc;
}

int hwt_cs_decode_stream(const struct hwt_cs_stream *s,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	struct stream_regs r;
	struct hwt_cs_unit u;
	const char *proto, *core;
	char e[256];

	memset(&r, 0, sizeof(r));
	r.s = s;
	if (s->trace_id >= 0)
		snprintf(r.traceid, sizeof(r.traceid), "0x%x",
			 (unsigned)s->trace_id);
	if (!s->kind || (strcmp(s->kind, "etm4") && strcmp(s->kind, "ete"))) {
		hwt_errf(err, errlen,
			   "stream %u: kind '%s' is not a CoreSight kind (etm4, ete)",
			   s->id, s->kind ? s->kind : "(none)");
		return -1;
	}
	proto = !strcmp(s->kind, "ete") ? "ETE" : "ETM4";
	core = s->param ? s->param(s->param_arg, "core_profile") : NULL;
	if (!core)	/* ETE implies Armv9; ETMv4 on an unnamed core: v8 */
		core = !strcmp(proto, "ETE") ? "ARMv9-A" : "ARMv8-A";
	memset(&u, 0, sizeof(u));
	if (hwt_cs_unit_config(&u, proto, core, stream_reg, &r, e,
			   sizeof(e)) < 0) {
		hwt_errf(err, errlen, "stream %u: %s", s->id, e);
		return -1;
	}
	snprintf(u.name, sizeof(u.name), "%s 0x%x", s->name ? s->name : "etm",
		 u.trace_id);
	u.info.id = s->id;
	u.info.tid = s->tid;
	u.info.cpu = s->cpu;
	u.info.trace_id = u.trace_id;
	u.info.name = u.name;
	u.info.read_mem = s->read_mem;
	u.info.read_mem_arg = s->read_mem_arg;
	return decode_pieces(s, &u, sink, err, errlen);
}

static int add_image(void *arg, const char *path, uint64_t addr,
		     uint64_t len, uint64_t offset)
{
	char e[512];

	/* A dump is memory: an ELF file dumped at addr is that file mapped
	 * there, so its symbols apply; a raw dump still names its range. */
	if (hwt_image_add_mapping(arg, path, addr, len ? len : UINT64_MAX,
				  offset, e, sizeof(e)) < 0)
		fprintf(stderr, "hwt: warning: image %s\n", e);
	return 0;
}

int hwt_cs_snapshot_add_images(const char *dir, struct hwt_image *img,
			       char *err, size_t errlen)
{
	return hwt_cs_snapshot_dumps(dir, add_image, img, err, errlen);
}
