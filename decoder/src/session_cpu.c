/* SPDX-License-Identifier: BSD-2-Clause */
/* A CPU-mode session decoded per thread (session_cpu.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/core.h"
#include "core/flow.h"
#include "cs/cs_frontend.h"
#include "image/image.h"
#include "session_cpu.h"
#include "store_reader.h"

/* Intel PT's PSB packet (SDM vol. 3C 33.4.2.17): 02 82 eight times. */
static const uint8_t psb[16] = { 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
				 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
				 0x02, 0x82, 0x02, 0x82 };

/* ETMv4 / ETE A-sync packet (ETMv4 6.4 "A-Sync"): 0x00 x 11, 0x80. */
static const uint8_t async[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 };

/* ETE / ETMv4 Ignore packet header (ETMv4 6.4 "Ignore"). */
#define CS_IGNORE	0x70

/* The first sync point of protocol proto in p[0, len): PSB or A-sync.
 * Returns its address, or NULL if there is none. */
static const uint8_t *find_sync(int proto, const uint8_t *p, size_t len)
{
	if (proto == HWT_CPU_CS)
		return memmem(p, len, async, sizeof(async));
	return memmem(p, len, psb, sizeof(psb));
}

/* One CPU stream's stored bytes and cuts. */
struct cpu_bytes {
	uint8_t *buf;
	size_t size;
	struct hwt_store_cut *cuts;
	size_t ncuts;
};

/* A run: the bytes [begin, end) of CPU stream s, a task's from its
 * switch_in on. */
struct run {
	size_t s;		/* index into the caller's streams */
	uint64_t begin, end;
	int64_t time, pid, tid;	/* tid -1: before the CPU's first switch */
	size_t seq;		/* arrival order, for equal times */
};

/* qsort order: by process, thread, then time, then arrival.
 * Returns <0, 0, >0. */
static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends run [begin, end) of stream s to *v unless it is empty.
 * Returns nothing. */
static void add_run(struct run **v, size_t *n, size_t s, uint64_t begin,
		    uint64_t end, const struct hwt_store_switch_in *w)
{
	struct run *r;

	if (end <= begin)
		return;
	*v = hwt_xrealloc(*v, (*n + 1) * sizeof(**v));
	r = &(*v)[*n];
	r->s = s;
	r->begin = begin;
	r->end = end;
	r->time = w ? w->time : -1;
	r->pid = w ? w->pid : -1;
	r->tid = w ? w->tid : -1;
	r->seq = *n;
	(*n)++;
}

/*
 * Decodes run ru (stream id info->id) of thread's pseudo-stream: the
 * stream's cuts inside it split it (their gaps recorded), bytes before
 * its first PSB are a gap.
 * Returns as hwt_pt_decode_pieces.
 */
static int decode_run(const struct run *ru, const struct cpu_bytes *cb,
		      const struct hwt_cpu_stream *cs, struct hwt_image *img,
		      const struct hwt_stream_info *info,
		      const struct hwt_sink *sink, char *err, size_t errlen)
{
	const uint8_t *p = cb->buf + ru->begin;
	size_t len = (size_t)(ru->end - ru->begin), skip = 0, i, nk = 0;
	const uint8_t *at;
	struct hwt_cut *k;
	char msg[160];
	int rc;

	at = find_sync(HWT_CPU_PT, p, len);
	skip = at ? (size_t)(at - p) : len;
	/* Bytes lost where this run begins (or in the part skipped): the
	 * gap is this run's, before its first instruction. */
	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;
		struct hwt_event ev;

		if (o < ru->begin || o > ru->begin + skip || o >= ru->end)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = HWT_EV_GAP;
		ev.code = -1;
		ev.offset = o;
		ev.msg = cb->cuts[i].msg;
		rc = sink->event(sink->arg, info->id, &ev);
		if (rc < 0)
			return rc;
	}
	if (skip) {
		struct hwt_event ev;

		snprintf(msg, sizeof(msg), "run of tid %lld at stream %lld "
			 "offset %llu: %zu bytes before its first PSB not "
			 "decoded (they continue another task's packets)",
			 (long long)ru->tid, (long long)cs->ss->id,
			 (unsigned long long)ru->begin, skip);
		memset(&ev, 0, sizeof(ev));
		ev.type = HWT_EV_GAP;
		ev.code = -1;
		ev.offset = ru->begin;
		ev.msg = msg;
		rc = sink->event(sink->arg, info->id, &ev);
		if (rc < 0 || skip == len)
			return rc;
	}
	k = hwt_xrealloc(NULL, (cb->ncuts ? cb->ncuts : 1) * sizeof(*k));
	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;

		if (o <= ru->begin + skip || o >= ru->end)
			continue;
		k[nk].offset = o - ru->begin - skip;
		k[nk++].msg = cb->cuts[i].msg;
	}
	rc = hwt_pt_decode_pieces(p + skip, len - skip, k, nk, img,
				  &cs->params, info, sink, err, errlen);
	free(k);
	return rc;
}

/* A CoreSight thread's pieces: its runs joined, with their cuts. */
struct cs_join {
	uint8_t *buf;
	size_t n;
	struct hwt_cut *k;
	size_t nk;
	char **msgs;		/* the cuts' messages we made */
	size_t nmsgs;
};

/* Appends a cut at the join's end with a copy of msg (NULL: none).
 * Returns nothing. */
static void cs_cut(struct cs_join *j, const char *msg)
{
	j->k = hwt_xrealloc(j->k, (j->nk + 1) * sizeof(*j->k));
	j->k[j->nk].offset = j->n;
	j->k[j->nk].msg = NULL;
	if (msg) {
		j->msgs = hwt_xrealloc(j->msgs,
				       (j->nmsgs + 1) * sizeof(*j->msgs));
		j->msgs[j->nmsgs] = hwt_xstrdup(msg);
		j->k[j->nk].msg = j->msgs[j->nmsgs++];
	}
	j->nk++;
}

/* A TMC frame (CoreSight TMC 3.x, Formatter: 16 bytes, the last the
 * flag byte; memory-aligned in a buffer). */
#define CS_FRAME	16

/*
 * Joins run ru of a CoreSight CPU stream in TMC frames to j.  The stream
 * is whole frames from its first byte (the TMC stores nothing else), and
 * hwt_coresight flushes the TMC at each switch (the flush completes the
 * frame in progress) before reading its write pointer, so a run begins
 * on a frame boundary: the first multiple of 16 at or after its begin.
 * Bytes before it, or a partial frame at its end, are a gap naming the
 * run; the frames are decoded afresh from that boundary (the ETMv4's
 * A-sync, which its re-enable at the switch put first, is found inside
 * them by OpenCSD after deformatting: a raw A-sync search cannot see
 * through the frames' flag bytes).
 * Returns nothing.
 */
static void cs_join_frames(struct cs_join *j, const struct run *ru,
			   const struct cpu_bytes *cb,
			   const struct hwt_cpu_stream *cs)
{
	uint64_t first = (ru->begin + CS_FRAME - 1) / CS_FRAME * CS_FRAME;
	uint64_t last = ru->end / CS_FRAME * CS_FRAME, at;
	size_t i;
	char msg[200];

	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;

		if (o >= ru->begin && o <= first && o < ru->end)
			cs_cut(j, cb->cuts[i].msg);
	}
	if (first != ru->begin || first >= last) {
		snprintf(msg, sizeof(msg), "run of tid %lld at stream %lld "
			 "offset %llu: %llu bytes before its first whole TMC "
			 "frame not decoded", (long long)ru->tid,
			 (long long)cs->ss->id,
			 (unsigned long long)ru->begin,
			 (unsigned long long)((first < ru->end ? first :
					       ru->end) - ru->begin));
		cs_cut(j, msg);
	} else {
		cs_cut(j, NULL);
	}
	if (first >= last)
		return;
	j->buf = hwt_xrealloc(j->buf, j->n + (size_t)(last - first));
	at = first;
	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;

		if (o <= first || o >= last)
			continue;
		memcpy(j->buf + j->n, cb->buf + at, (size_t)(o - at));
		j->n += (size_t)(o - at);
		at = o;
		cs_cut(j, cb->cuts[i].msg);
	}
	memcpy(j->buf + j->n, cb->buf + at, (size_t)(last - at));
	j->n += (size_t)(last - at);
	if (last != ru->end) {
		snprintf(msg, sizeof(msg), "run of tid %lld at stream %lld "
			 "offset %llu: its last %llu bytes are no whole TMC "
			 "frame, not decoded", (long long)ru->tid,
			 (long long)cs->ss->id,
			 (unsigned long long)ru->begin,
			 (unsigned long long)(ru->end - last));
		cs_cut(j, msg);
	}
}

/*
 * Joins run ru of a CoreSight CPU stream to j: a cut where it begins
 * (the decoder starts afresh there), its bytes from its first A-sync on
 * (the ones before are a gap that names the run), the stream's cuts
 * inside it (lost or damaged bytes) at their places.
 * Returns nothing.
 */
static void cs_join_run(struct cs_join *j, const struct run *ru,
			const struct cpu_bytes *cb,
			const struct hwt_cpu_stream *cs)
{
	const uint8_t *p = cb->buf + ru->begin, *at;
	size_t len = (size_t)(ru->end - ru->begin), skip, i;
	char msg[200];

	at = find_sync(HWT_CPU_CS, p, len);
	skip = at ? (size_t)(at - p) : len;
	/* Bytes lost where this run begins (or in the part skipped). */
	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;

		if (o >= ru->begin && o <= ru->begin + skip && o < ru->end)
			cs_cut(j, cb->cuts[i].msg);
	}
	/* Ignore packets (0x70: the TRBE pointer's alignment padding that
	 * hwt_coresight writes at a re-enable, ETE "Ignore") are no loss. */
	for (i = 0; i < skip && p[i] == CS_IGNORE; i++)
		;
	if (i < skip) {
		char id[32] = "";

		/* a shared sink's CPU: offsets in its trace ID's bytes */
		if (cs->ss->trace_id >= 0)
			snprintf(id, sizeof(id), " trace ID 0x%llx",
				 (unsigned long long)cs->ss->trace_id);
		snprintf(msg, sizeof(msg), "run of tid %lld at stream %lld%s "
			 "offset %llu: %zu bytes before its first A-sync not "
			 "decoded (no trace synchronization at the switch)",
			 (long long)ru->tid, (long long)cs->ss->id, id,
			 (unsigned long long)ru->begin, skip);
		cs_cut(j, msg);
	} else {
		cs_cut(j, NULL);
	}
	if (skip == len)
		return;
	j->buf = hwt_xrealloc(j->buf, j->n + len - skip);
	for (i = 0; i < cb->ncuts; i++) {
		uint64_t o = cb->cuts[i].offset;

		if (o <= ru->begin + skip || o >= ru->end)
			continue;
		/* the bytes before it first, then the cut */
		memcpy(j->buf + j->n, p + skip,
		       (size_t)(o - ru->begin) - skip);
		j->n += (size_t)(o - ru->begin) - skip;
		skip = (size_t)(o - ru->begin);
		cs_cut(j, cb->cuts[i].msg);
	}
	memcpy(j->buf + j->n, p + skip, len - skip);
	j->n += len - skip;
}

/*
 * Decodes a CoreSight thread's runs v[0..n) as stream id through the CS
 * front end: their bytes joined, each run a piece decoded afresh.
 * Returns as hwt_cs_decode_session_bytes.
 */
static int cs_decode_thread(struct hwt_store_reader *r, const struct run *v,
			    size_t n, uint32_t id,
			    const struct hwt_cpu_stream *cs,
			    const struct cpu_bytes *cb,
			    const struct hwt_stream_info *info,
			    struct hwt_image *img,
			    const struct hwt_sink *sink, char *err,
			    size_t errlen)
{
	const struct hwt_cpu_stream *first = &cs[v[0].s];
	struct cs_join j;
	size_t i, k;
	int rc;

	memset(&j, 0, sizeof(j));
	for (i = 0; i < n; i++) {
		if (cs[v[i].s].ss->formatted != first->ss->formatted) {
			free(j.buf);
			free(j.k);
			for (k = 0; k < j.nmsgs; k++)
				free(j.msgs[k]);
			free(j.msgs);
			return hwt_errf(err, errlen, "stream %lld: TMC frames "
					"and raw trace in one thread's runs",
					(long long)cs[v[i].s].ss->id);
		}
		if (cs[v[i].s].ss->formatted)
			cs_join_frames(&j, &v[i], &cb[v[i].s], &cs[v[i].s]);
		else
			cs_join_run(&j, &v[i], &cb[v[i].s], &cs[v[i].s]);
	}
	rc = hwt_cs_decode_session_bytes(r, first->ss, first->opts, j.buf,
					 j.n, j.k, j.nk, id, info->tid,
					 info->cpu, info->name,
					 hwt_image_read_cb, img, sink, err,
					 errlen);
	for (i = 0; i < j.nmsgs; i++)
		free(j.msgs[i]);
	free(j.msgs);
	free(j.k);
	free(j.buf);
	return rc;
}

/*
 * Decodes runs v[0..n) (one thread's, by time) as stream id.
 * Returns 0 if: decoded; -1 with err set if: an image or the decode
 * failed.
 */
static int decode_thread(struct hwt_store_reader *r,
			 const struct run *v, size_t n, uint32_t id,
			 const struct hwt_cpu_stream *cs,
			 const struct cpu_bytes *cb,
			 hwt_pid_image_fn image_of, void *image_arg,
			 struct hwt_core *core, char *err, size_t errlen)
{
	const struct hwt_sink *sink = hwt_core_sink(core);
	struct hwt_stream_info info;
	const struct hwt_image *symbols = NULL;
	struct hwt_image *img;
	int64_t cpu = cs[v[0].s].ss->cpu;
	char name[48];
	size_t i;
	int rc;

	img = image_of(image_arg, v[0].tid < 0 ? -1 : v[0].pid, &symbols,
		       err, errlen);
	if (!img)
		return -1;
	for (i = 1; i < n; i++)
		if (cs[v[i].s].ss->cpu != cpu)
			cpu = -1;
	memset(&info, 0, sizeof(info));
	info.id = id;
	info.tid = (int32_t)v[0].tid;
	info.cpu = (int32_t)cpu;
	info.trace_id = -1;
	if (v[0].tid < 0)
		snprintf(name, sizeof(name), "cpu%lld-before-switch",
			 (long long)cs[v[0].s].ss->cpu);
	else
		snprintf(name, sizeof(name), "tid%lld", (long long)v[0].tid);
	info.name = name;
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	hwt_core_set_thread(core, id, v[0].tid < 0 ? -1 : v[0].pid,
			    v[0].tid);
	/* Two processes may map different binaries at one address. */
	hwt_core_set_image(core, id, symbols);
	if (cs[v[0].s].insn_clock)
		hwt_core_set_insn_clock(core, id);
	if (cs[v[0].s].proto == HWT_CPU_CS) {
		rc = cs_decode_thread(r, v, n, id, cs, cb, &info, img, sink,
				      err, errlen);
		if (rc < 0 && !err[0])
			hwt_errf(err, errlen, "%s: decode aborted", name);
		return rc < 0 ? -1 : 0;
	}
	rc = sink->stream_begin(sink->arg, &info);
	for (i = 0; rc >= 0 && i < n; i++)
		rc = decode_run(&v[i], &cb[v[i].s], &cs[v[i].s], img, &info,
				sink, err, errlen);
	if (rc >= 0)
		rc = sink->stream_end(sink->arg, id);
	if (rc < 0 && !err[0])
		hwt_errf(err, errlen, "%s: decode aborted", name);
	return rc < 0 ? -1 : 0;
}

/* The sources runs are cut from: the caller's streams, or each CPU's
 * part of a shared one (its own row copy in own[], else NULL). */
struct sources {
	struct hwt_cpu_stream *cs;
	struct cpu_bytes *cb;
	struct hwt_store_stream **own;
	size_t n;
};

/* Appends a source decoded as c, with no bytes yet.  Returns its index. */
static size_t source_add(struct sources *x, const struct hwt_cpu_stream *c)
{
	x->cs = hwt_xrealloc(x->cs, (x->n + 1) * sizeof(*x->cs));
	x->cb = hwt_xrealloc(x->cb, (x->n + 1) * sizeof(*x->cb));
	x->own = hwt_xrealloc(x->own, (x->n + 1) * sizeof(*x->own));
	x->cs[x->n] = *c;
	memset(&x->cb[x->n], 0, sizeof(x->cb[x->n]));
	x->own[x->n] = NULL;
	return x->n++;
}

/* Source s's runs (size bytes): before its first switch_in, then from
 * each switch_in w[j] to the next one's.  Returns nothing. */
static void add_runs(struct run **runs, size_t *nruns, size_t s,
		     const struct hwt_store_switch_in *w, size_t nw,
		     size_t size)
{
	size_t j;

	add_run(runs, nruns, s, 0, nw ? w[0].offset : size, NULL);
	for (j = 0; j < nw; j++) {
		uint64_t end = j + 1 < nw ? w[j + 1].offset : size;

		if (end > size)
			end = size;
		add_run(runs, nruns, s, w[j].offset, end, &w[j]);
	}
}

/* qsort order of CPU numbers.  Returns <0, 0, >0. */
static int cmp_cpu(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Shared stream c (its bytes and cuts in *whole, its switch_ins of
 * every CPU w[0..nw)) as one source per CPU its switch_ins name: the
 * bytes of that CPU's trace ID, base + CPU, out of the frames
 * (hwt_cs_demux, restarted at each cut), with the cuts and that CPU's
 * switch_ins moved to their places in them; each source raw trace of
 * its ID, whose runs are added to *runs.
 * Returns 0 if: done; -1 with err set if: a switch_in names no CPU, a
 * CPU's ID is out of range, or hwt_cs_demux failed.
 */
static int add_shared(struct sources *x, struct run **runs, size_t *nruns,
		      const struct hwt_cpu_stream *c,
		      const struct cpu_bytes *whole,
		      const struct hwt_store_switch_in *w, size_t nw, int base,
		      char *err, size_t errlen)
{
	struct hwt_store_switch_in *wk;
	struct hwt_cs_id_bytes *out;
	int64_t *cpus = NULL;
	uint64_t *resets;
	size_t ncpu = 0, i, j, k;
	uint8_t *ids;
	int rc = 0;

	for (j = 0; j < nw; j++) {
		if (w[j].cpu < 0 || w[j].cpu > 0x6f - base)
			return hwt_errf(err, errlen, "stream %lld: switch_in "
					"%zu names CPU %lld, which has no trace "
					"ID in the shared sink (0x%x + CPU)",
					(long long)c->ss->id, j,
					(long long)w[j].cpu, base);
		for (k = 0; k < ncpu && cpus[k] != w[j].cpu; k++)
			;
		if (k == ncpu) {
			cpus = hwt_xrealloc(cpus, (ncpu + 1) * sizeof(*cpus));
			cpus[ncpu++] = w[j].cpu;
		}
	}
	if (!ncpu)
		return 0;
	qsort(cpus, ncpu, sizeof(*cpus), cmp_cpu);
	ids = hwt_xrealloc(NULL, ncpu);
	out = hwt_xrealloc(NULL, ncpu * sizeof(*out));
	resets = hwt_xrealloc(NULL, (whole->ncuts ? whole->ncuts : 1) *
			      sizeof(*resets));
	for (k = 0; k < ncpu; k++)
		ids[k] = (uint8_t)(base + cpus[k]);
	for (i = 0; i < whole->ncuts; i++)
		resets[i] = whole->cuts[i].offset;
	rc = hwt_cs_demux(whole->buf, whole->size, resets, whole->ncuts, ids,
			  ncpu, out, err, errlen);
	wk = hwt_xrealloc(NULL, nw * sizeof(*wk));
	for (k = 0; rc >= 0 && k < ncpu; k++) {
		size_t s = source_add(x, c), nwk = 0;
		struct hwt_store_stream *own = hwt_xrealloc(NULL, sizeof(*own));
		struct cpu_bytes *cb = &x->cb[s];

		*own = *c->ss;
		own->formatted = 0;	/* deformatted */
		own->trace_id = ids[k];
		own->cpu = cpus[k];
		x->own[s] = own;
		x->cs[s].ss = own;
		cb->buf = out[k].buf ? out[k].buf : hwt_xrealloc(NULL, 1);
		cb->size = out[k].n;
		out[k].buf = NULL;
		cb->cuts = hwt_xrealloc(NULL, (whole->ncuts ? whole->ncuts :
					       1) * sizeof(*cb->cuts));
		for (i = 0; i < whole->ncuts; i++) {
			cb->cuts[i] = whole->cuts[i];
			cb->cuts[i].offset = hwt_cs_id_bytes_pos(&out[k],
							whole->cuts[i].offset);
		}
		cb->ncuts = whole->ncuts;
		for (j = 0; j < nw; j++) {
			if (w[j].cpu != cpus[k])
				continue;
			wk[nwk] = w[j];
			wk[nwk++].offset = hwt_cs_id_bytes_pos(&out[k],
							       w[j].offset);
		}
		add_runs(runs, nruns, s, wk, nwk, cb->size);
	}
	for (k = 0; rc >= 0 && k < ncpu; k++)
		hwt_cs_id_bytes_free(&out[k]);
	free(wk);
	free(resets);
	free(out);
	free(ids);
	free(cpus);
	return rc;
}

int hwt_session_cpu_decode(struct hwt_store_reader *r,
			   const struct hwt_cpu_stream *cs, size_t n,
			   hwt_pid_image_fn image_of, void *image_arg,
			   struct hwt_core *core, char *err, size_t errlen)
{
	struct sources x;
	struct run *runs = NULL;
	size_t nruns = 0, i, first;
	uint32_t id = HWT_CPU_THREAD_ID;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	err[0] = 0;
	for (i = 0; rc >= 0 && i < n; i++) {
		struct hwt_store_switch_in *w = NULL;
		struct cpu_bytes whole;
		size_t nw = 0, s;
		int base = 0, shared = 0;

		memset(&whole, 0, sizeof(whole));
		whole.buf = hwt_store_reader_bytes(r, cs[i].ss->id,
						   &whole.size, &whole.cuts,
						   &whole.ncuts, err, errlen);
		if (!whole.buf ||
		    hwt_store_reader_switch_ins(r, cs[i].ss->id, &w, &nw, err,
						errlen) < 0) {
			free(whole.buf);
			free(whole.cuts);
			rc = -1;
			break;
		}
		if (cs[i].proto == HWT_CPU_CS && cs[i].ss->formatted)
			shared = hwt_cs_shared_sink(r, cs[i].ss, &base, err,
						    errlen);
		if (shared) {
			/* each CPU's trace ID its own source */
			rc = shared < 0 ? -1 :
			     add_shared(&x, &runs, &nruns, &cs[i], &whole, w,
					nw, base, err, errlen);
			free(whole.buf);
			free(whole.cuts);
		} else {
			/* a CPU's runs: from each switch_in to the next
			 * one's */
			s = source_add(&x, &cs[i]);
			x.cb[s] = whole;
			add_runs(&runs, &nruns, s, w, nw, whole.size);
		}
		free(w);
	}
	if (rc >= 0 && nruns)
		qsort(runs, nruns, sizeof(*runs), cmp_run);
	/* Bytes before a CPU's first switch (pid and tid -1, sorted
	 * first): a stream per CPU. */
	for (i = 0; rc >= 0 && i < nruns && runs[i].tid < 0 &&
	     runs[i].pid < 0; i++, id++)
		rc = decode_thread(r, &runs[i], 1, id, x.cs, x.cb, image_of,
				   image_arg, core, err, errlen);
	/* Then each thread's runs as one stream. */
	for (first = i; rc >= 0 && first < nruns; first = i, id++) {
		for (i = first; i < nruns && runs[i].tid == runs[first].tid &&
		     runs[i].pid == runs[first].pid; i++)
			;
		rc = decode_thread(r, &runs[first], i - first, id, x.cs, x.cb,
				   image_of, image_arg, core, err, errlen);
	}
	for (i = 0; i < x.n; i++) {
		free(x.cb[i].buf);
		free(x.cb[i].cuts);
		free(x.own[i]);
	}
	free(x.cs);
	free(x.cb);
	free(x.own);
	free(runs);
	return rc < 0 ? -1 : 0;
}
