/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `hwt export`: compiler profiles from a decoded database (docs/pgo.md),
 * exact counts from blocks, block_counts and edges, per binary, addresses
 * as link-time virtual addresses (runtime - binaries.bias).
 *
 * AutoFDO text (create_llvm_prof --profiler text, llvm-profgen
 * --unsymbolized-profile), as simpleperf's `inject` writes it
 * (cmd_inject.cpp AutoFDOWriter, ETMDecoder.cpp InstrRangeParser):
 *   N / "begin-end:count" per range (each executed block: first and last
 *   instruction), 0 address counts, N / "from->to:count" per taken
 *   branch; hex without 0x, sorted; offsets from the first PT_LOAD's
 *   vaddr; a direct branch goes to its target, an indirect one to 0 (what
 *   simpleperf writes: it only knows immediate targets); then
 *   "// build_id: 0x<20 bytes>" and "// PATH", a blank line.  Several
 *   binaries: sorted by path, after a "Please split" line.
 *
 * llvm-profgen's unsymbolized profile (--unsymbolized-profile with
 * --use-offset=0; LLVM 16 PerfReader.cpp UnsymbolizedProfileReader::
 * readSampleCounters): the AutoFDO ranges and branches without the
 * address section (its reader has none) and without the trailer (its
 * reader would take "//" for the next counter), link-time virtual
 * addresses (with --use-offset it would add the first executable
 * segment's vaddr, not the first PT_LOAD's); an indirect branch goes to
 * its real destination where the trace saw it, 0 where it left the
 * binary.  One binary, as BOLT.
 *
 * BOLT pre-aggregated (llvm-bolt --pa, LLVM 16 DataAggregator
 * parseAggregatedLBREntry): "B from to count mispreds" per taken branch
 * (to 0: outside the binary), "F start end count" per fall-through run:
 * each block, and each not-taken transition between two blocks (the last
 * instruction of one to the first of the next).  Hex without 0x.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/edges.h"
#include "core/flow.h"
#include "db/db.h"
#include "hwt/decode.h"

#define MAX_BLOCKS	(1u << 28)	/* ids we accept from a file */

struct xbin {
	int64_t id, bias;
	uint64_t load_vaddr;
	char *path, *build_id;
	int selected;
	int ran;		/* one of its blocks has a count */
};

struct xblock {
	uint64_t ip, end_ip, target, count;
	uint32_t bin;		/* index in bins + 1, 0: none */
	uint8_t iclass, has_target, present;
};

struct rec {			/* one output line before aggregation */
	uint64_t a, b, count;
	char kind;		/* 'R' range, 'B' branch, 'F' fall-through */
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

#define LBR_DEPTH	32	/* branches per emulated LBR sample */

struct lbr_ent {
	uint64_t from, to;	/* runtime addresses */
	uint32_t fbin, tbin;	/* binary indexes + 1, 0: none */
};

struct pair {			/* a transition without a break */
	uint32_t from, to, taken;
};

struct ex {
	sqlite3 *db;
	uint32_t sample;	/* 0: exact; else LBR samples every N */
	char mode;		/* 'a' AutoFDO, 'b' BOLT, 'p' profgen */
	struct pair *pairs;	/* sorted by (from, to) */
	size_t npairs;
	struct xbin *bins;
	size_t nbins;
	struct xblock *blk;	/* by block id */
	uint32_t nblk;		/* ids < nblk */
};

static struct hwt_sqlite_budget export_budget;

/* The end of a step loop.
 * Returns 0 if rc is SQLITE_DONE,
 * Returns -1 (the reason on stderr) if not. */
static int loop_end(sqlite3 *db, int rc)
{
	char why[256];

	if (rc == SQLITE_DONE)
		return 0;
	fprintf(stderr, "hwt export: %s\n",
		hwt_sqlite_errmsg(db, &export_budget, why, sizeof(why)));
	return -1;
}

static void rec_add(struct recs *r, char kind, uint64_t a, uint64_t b,
		    uint64_t count)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->v = hwt_xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n].kind = kind;
	r->v[r->n].a = a;
	r->v[r->n].b = b;
	r->v[r->n].count = count;
	r->n++;
}

/* qsort order: kind, a, b.
 * Returns <0, 0 or >0 if x sorts before, with or after y. */
static int cmp_rec(const void *x, const void *y)
{
	const struct rec *p = x, *q = y;

	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return 0;
}

/* Sorts and sums the counts of equal lines (saturating).
 * Returns the number of lines left. */
static size_t rec_merge(struct recs *r)
{
	size_t i, n = 0;

	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), cmp_rec);
	for (i = 0; i < r->n; i++) {
		if (n && !cmp_rec(&r->v[n - 1], &r->v[i])) {
			uint64_t s = r->v[n - 1].count + r->v[i].count;

			/* simpleperf's OverflowSafeAdd: saturate */
			r->v[n - 1].count = s < r->v[i].count ? UINT64_MAX : s;
			continue;
		}
		r->v[n++] = r->v[i];
	}
	r->n = n;
	return n;
}

/* Returns the number of lines of kind. */
static size_t rec_count(const struct recs *r, char kind)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->v[i].kind == kind;
	return n;
}

/* Returns the file name part of p. */
static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Whether the binary is the one --binary names: its path, its file
 * name, or its build id (perf's 40-digit form with zeros too).
 * Returns 1 if it is (or want is NULL), 0 if not. */
static int bin_matches(const struct xbin *b, const char *want)
{
	size_t n;

	if (!want)
		return 1;
	if (!strcmp(b->path, want) || !strcmp(base_name(b->path), want))
		return 1;
	if (!b->build_id || !b->build_id[0])
		return 0;
	if (!strncmp(want, "0x", 2))
		want += 2;
	n = strlen(b->build_id);
	if (strncasecmp(b->build_id, want, n))
		return 0;
	for (want += n; *want == '0'; want++)
		;
	return !*want;
}

/* Reads the binaries, sorted by path.
 * Returns 0 if read, -1 (message on stderr) if not. */
static int load_bins(struct ex *x)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT id, path, build_id, bias, "
			       "load_vaddr FROM binaries WHERE id > 0 ORDER "
			       "BY path, id", -1, &st, NULL) != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);
		const char *b = (const char *)sqlite3_column_text(st, 2);
		struct xbin *xb;

		if (x->nbins >= MAX_BLOCKS) {
			rc = SQLITE_TOOBIG;
			break;
		}
		x->bins = hwt_xrealloc(x->bins, (x->nbins + 1) *
				       sizeof(*x->bins));
		xb = &x->bins[x->nbins++];
		memset(xb, 0, sizeof(*xb));
		xb->id = sqlite3_column_int64(st, 0);
		xb->path = hwt_xstrdup(p ? p : "");
		xb->build_id = b ? hwt_xstrdup(b) : NULL;
		xb->bias = sqlite3_column_int64(st, 3);
		xb->load_vaddr = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	return loop_end(x->db, rc);
}

/* Returns the index + 1 in bins of the binary with database id, 0 if
 * there is none (binary 0, unknown). */
static uint32_t bin_index(const struct ex *x, const uint32_t *byid,
			  int64_t id)
{
	size_t i;

	if (id > 0 && (uint64_t)id < x->nbins * 2 + 1)
		return byid[id];
	for (i = 0; i < x->nbins; i++)
		if (x->bins[i].id == id)
			return (uint32_t)i + 1;
	return 0;
}

/* Reads every block and its count over all streams; marks the binaries
 * that ran.
 * Returns 0 if read, -1 (message on stderr) if not. */
static int load_blocks(struct ex *x)
{
	uint32_t *byid;
	sqlite3_stmt *st;
	int64_t max = 0, nrows = 0;
	size_t i;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT MAX(id), COUNT(*) FROM blocks",
			       -1, &st, NULL) != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		max = sqlite3_column_int64(st, 0);
		nrows = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (loop_end(x->db, rc) < 0)
		return -1;
	/* The decoder numbers blocks 1..n: an array by id, bounded by the
	 * rows there are (a forged id must not size it). */
	if (max < 0 || max >= MAX_BLOCKS || max > nrows * 2 + 1024) {
		fprintf(stderr, "hwt export: block id %" PRId64 " out of "
			"range for %" PRId64 " blocks: not a database hwt "
			"decode wrote\n", max, nrows);
		return -1;
	}
	x->nblk = (uint32_t)max + 1;
	x->blk = hwt_xrealloc(NULL, x->nblk * sizeof(*x->blk));
	memset(x->blk, 0, x->nblk * sizeof(*x->blk));
	/* Binary ids are 1..n as the decoder writes them: a table for
	 * those, a search for others. */
	byid = hwt_xrealloc(NULL, (x->nbins * 2 + 1) * sizeof(*byid));
	memset(byid, 0, (x->nbins * 2 + 1) * sizeof(*byid));
	for (i = 0; i < x->nbins; i++)
		if (x->bins[i].id > 0 &&
		    (uint64_t)x->bins[i].id < x->nbins * 2 + 1)
			byid[x->bins[i].id] = (uint32_t)i + 1;
	if (sqlite3_prepare_v2(x->db, "SELECT id, binary_id, ip, end_ip, "
			       "iclass, target FROM blocks", -1, &st, NULL)
	    != SQLITE_OK) {
		free(byid);
		return loop_end(x->db, SQLITE_ERROR);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct xblock *b;

		if (id <= 0 || id >= (int64_t)x->nblk)
			continue;
		b = &x->blk[id];
		b->present = 1;
		b->bin = bin_index(x, byid, sqlite3_column_int64(st, 1));
		b->ip = (uint64_t)sqlite3_column_int64(st, 2);
		b->end_ip = (uint64_t)sqlite3_column_int64(st, 3);
		b->iclass = (uint8_t)sqlite3_column_int(st, 4);
		b->has_target = sqlite3_column_type(st, 5) != SQLITE_NULL;
		b->target = (uint64_t)sqlite3_column_int64(st, 5);
		if (b->end_ip < b->ip)
			b->present = 0;	/* not a block: ignored */
	}
	sqlite3_finalize(st);
	free(byid);
	if (loop_end(x->db, rc) < 0)
		return -1;
	if (sqlite3_prepare_v2(x->db, "SELECT block_id, SUM(count) FROM "
			       "block_counts GROUP BY block_id", -1, &st,
			       NULL) != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);

		if (id > 0 && id < (int64_t)x->nblk && n > 0) {
			x->blk[id].count = (uint64_t)n;
			if (x->blk[id].present && x->blk[id].bin)
				x->bins[x->blk[id].bin - 1].ran = 1;
		}
	}
	sqlite3_finalize(st);
	return loop_end(x->db, rc);
}

/* Returns 1 if class c is a direct branch or call (simpleperf's
 * OCSD_INSTR_BR), 0 if not. */
static int is_direct(int c)
{
	return c == HWT_IC_COND_JUMP || c == HWT_IC_JUMP || c == HWT_IC_CALL;
}

/* Returns 1 if class c is an indirect branch, call or return
 * (OCSD_INSTR_BR_INDIRECT), 0 if not. */
static int is_indirect(int c)
{
	return c == HWT_IC_IND_JUMP || c == HWT_IC_IND_CALL ||
	       c == HWT_IC_RET || c == HWT_IC_FAR_RET;
}

/* Returns the link-time address of runtime address a in binary index bi
 * (1-based). */
static uint64_t link_addr(const struct ex *x, uint32_t bi, uint64_t a)
{
	return a - (uint64_t)x->bins[bi - 1].bias;
}

/* The address AutoFDO's offsets of binary index bi (1-based) count from.
 * Returns the first PT_LOAD's vaddr if the mode is AutoFDO,
 * Returns 0 if it is profgen (link-time virtual addresses). */
static uint64_t afdo_base(const struct ex *x, uint32_t bi)
{
	return x->mode == 'a' ? x->bins[bi - 1].load_vaddr : 0;
}

/* Where a taken branch of block f went: the next block t, or its direct
 * target across a break; *tbin: the binary index of the destination.
 * Returns 0 (*to, *tbin set) if known,
 * Returns -1 if not (an indirect branch before a break). */
static int branch_dest(const struct xblock *f,
		       const struct xblock *t, uint32_t flags, uint64_t *to,
		       uint32_t *tbin)
{
	if (t && !(flags & HWT_EDGE_BREAK)) {
		*to = t->ip;
		*tbin = t->bin;
		return 0;
	}
	if (is_direct(f->iclass) && f->has_target) {
		*to = f->target;
		*tbin = f->bin;
		return 0;
	}
	return -1;
}

/* Calls fn for each edges row (summed over streams) from a block of a
 * selected binary.
 * Returns 0 if all were read, -1 (message on stderr) if not. */
static int each_edge(struct ex *x, struct recs *r,
		     void (*fn)(struct ex *, struct recs *,
				const struct xblock *, const struct xblock *,
				uint32_t, uint64_t))
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT from_block, to_block, flags, "
			       "SUM(count) FROM edges GROUP BY from_block, "
			       "to_block, flags", -1, &st, NULL) != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t f = sqlite3_column_int64(st, 0);
		int64_t t = sqlite3_column_int64(st, 1);
		int64_t fl = sqlite3_column_int64(st, 2);
		int64_t n = sqlite3_column_int64(st, 3);
		const struct xblock *fb, *tb = NULL;

		if (f <= 0 || f >= (int64_t)x->nblk || t < 0 ||
		    t >= (int64_t)x->nblk || n <= 0 || fl < 0 || fl > 3)
			continue;	/* not a row we wrote: skipped */
		fb = &x->blk[f];
		if (!fb->present || !fb->bin || !x->bins[fb->bin - 1].selected)
			continue;
		if (t && x->blk[t].present)
			tb = &x->blk[t];
		fn(x, r, fb, tb, (uint32_t)fl, (uint64_t)n);
	}
	sqlite3_finalize(st);
	return loop_end(x->db, rc);
}

/* ---- LBR sampling: what perf inject / perf2bolt see of a trace ---- */

/* qsort/bsearch order of pairs: from, to.
 * Returns <0, 0 or >0 if x sorts before, with or after y. */
static int cmp_pair(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	if (p->from != q->from)
		return p->from < q->from ? -1 : 1;
	if (p->to != q->to)
		return p->to < q->to ? -1 : 1;
	return 0;
}

/* Reads the transitions without a break (whether they branched).
 * Returns 0 if read, -1 (message on stderr) if not. */
static int load_pairs(struct ex *x)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT from_block, to_block, "
			       "MAX(flags & 1) FROM edges WHERE flags & 2 = 0 "
			       "AND to_block > 0 GROUP BY from_block, to_block",
			       -1, &st, NULL) != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t f = sqlite3_column_int64(st, 0);
		int64_t t = sqlite3_column_int64(st, 1);

		if (f <= 0 || t <= 0 || f >= (int64_t)x->nblk ||
		    t >= (int64_t)x->nblk)
			continue;
		if (x->npairs == cap) {
			cap = cap ? cap * 2 : 1024;
			x->pairs = hwt_xrealloc(x->pairs, cap * sizeof(*x->pairs));
		}
		x->pairs[x->npairs].from = (uint32_t)f;
		x->pairs[x->npairs].to = (uint32_t)t;
		x->pairs[x->npairs].taken = sqlite3_column_int(st, 2) == 1;
		x->npairs++;
	}
	sqlite3_finalize(st);
	if (x->npairs)
		qsort(x->pairs, x->npairs, sizeof(*x->pairs), cmp_pair);
	return loop_end(x->db, rc);
}

/* Returns 1 if block from went on to block to by a taken branch, 0 if it
 * fell through, -1 if the two were never seen together without a break
 * (an event between them: no branch). */
static int pair_taken(const struct ex *x, uint32_t from, uint32_t to)
{
	struct pair key = { from, to, 0 };
	const struct pair *p = x->npairs ?
		bsearch(&key, x->pairs, x->npairs, sizeof(*x->pairs),
			cmp_pair) : NULL;

	return p ? (int)p->taken : -1;
}

/* Returns 1 if binary index bi (1-based) is selected, 0 if not. */
static int sel(const struct ex *x, uint32_t bi)
{
	return bi && x->bins[bi - 1].selected;
}

/* The records one LBR sample (ring e, n entries, oldest at head) gives:
 * AutoFDO as simpleperf's ConvertLBRDataToAutoFDO (a branch within the
 * binary, a range from one branch's target to the next one's source, the
 * sample's address: the last target); BOLT as perf2bolt (B per branch, F
 * per fall-through between two). */
static void lbr_sample(struct ex *x, struct recs *r, const struct lbr_ent *e,
		       size_t head, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct lbr_ent *c = &e[(head + i) % LBR_DEPTH];
		const struct lbr_ent *p = i ?
			&e[(head + i - 1) % LBR_DEPTH] : NULL;

		if (x->mode != 'b') {
			uint64_t base = sel(x, c->fbin) ?
				afdo_base(x, c->fbin) : 0;
			uint64_t f, t;

			if (sel(x, c->fbin) && c->tbin == c->fbin) {
				f = link_addr(x, c->fbin, c->from);
				t = link_addr(x, c->tbin, c->to);
				if (f >= base)
					rec_add(r, 'B', f - base,
						t >= base ? t - base : 0, 1);
			}
			if (p && sel(x, c->fbin) && p->tbin == c->fbin) {
				f = link_addr(x, c->fbin, p->to);
				t = link_addr(x, c->fbin, c->from);
				if (t >= f && t - f <= (1u << 20) && f >= base)
					rec_add(r, 'R', f - base, t - base, 1);
			}
			continue;
		}
		if (sel(x, c->fbin) || sel(x, c->tbin))
			rec_add(r, 'B', sel(x, c->fbin) ?
				link_addr(x, c->fbin, c->from) : 0,
				sel(x, c->tbin) ?
				link_addr(x, c->tbin, c->to) : 0, 1);
		if (p && sel(x, p->tbin) && p->tbin == c->fbin &&
		    c->from >= p->to)
			rec_add(r, 'F', link_addr(x, c->fbin, p->to),
				link_addr(x, c->fbin, c->from), 1);
	}
	if (x->mode == 'a' && n) {
		const struct lbr_ent *c = &e[(head + n - 1) % LBR_DEPTH];

		if (sel(x, c->tbin)) {
			uint64_t a = link_addr(x, c->tbin, c->to);
			uint64_t base = afdo_base(x, c->tbin);

			if (a >= base)
				rec_add(r, 'A', a - base, 0, 1);
		}
	}
}

/* Walks every stream's flow and takes an LBR sample (the last LBR_DEPTH
 * taken branches) at every x->sample-th taken branch; a gap empties the
 * branch stack.
 * Returns 0 if done, -1 (message on stderr) if the flow is corrupt or
 * cannot be read. */
static int sample_recs(struct ex *x, struct recs *r)
{
	struct lbr_ent ring[LBR_DEPTH];
	sqlite3_stmt *st;
	uint64_t ntaken = 0;
	int64_t stream = -1;
	uint32_t prev = 0;
	size_t head = 0, n = 0;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT stream_id, data FROM flow "
			       "ORDER BY stream_id, seq", -1, &st, NULL)
	    != SQLITE_OK)
		return loop_end(x->db, SQLITE_ERROR);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *p = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1), off = 0;

		if (sqlite3_column_int64(st, 0) != stream) {
			stream = sqlite3_column_int64(st, 0);
			prev = 0;
			n = 0;
		}
		while (off < len) {
			uint64_t v;
			size_t k = hwt_uleb_get(p + off, len - off, &v);
			const struct xblock *a, *b;
			struct lbr_ent *e;

			if (!k) {
				fprintf(stderr, "hwt export: corrupt flow in "
					"stream %lld\n", (long long)stream);
				sqlite3_finalize(st);
				return -1;
			}
			off += k;
			if (v & 1 || v >> 1 >= x->nblk) {	/* a gap */
				prev = 0;
				n = 0;
				continue;
			}
			if (prev && pair_taken(x, prev, (uint32_t)(v >> 1)) == 1) {
				a = &x->blk[prev];
				b = &x->blk[v >> 1];
				e = &ring[(head + n) % LBR_DEPTH];
				if (n == LBR_DEPTH)
					head = (head + 1) % LBR_DEPTH;
				else
					n++;
				e->from = a->end_ip;
				e->to = b->ip;
				e->fbin = a->bin;
				e->tbin = b->bin;
				if (++ntaken % x->sample == 0)
					lbr_sample(x, r, ring, head, n);
			}
			prev = (uint32_t)(v >> 1);
		}
	}
	sqlite3_finalize(st);
	return loop_end(x->db, rc);
}

/* ---- AutoFDO ---- */

static void afdo_edge(struct ex *x, struct recs *r, const struct xblock *f,
		      const struct xblock *t, uint32_t flags, uint64_t n)
{
	uint64_t base = afdo_base(x, f->bin), from, to = 0;
	uint32_t tbin = 0;

	if (!(flags & HWT_EDGE_TAKEN))
		return;
	from = link_addr(x, f->bin, f->end_ip);
	if (is_direct(f->iclass)) {
		if (branch_dest(f, t, flags, &to, &tbin) < 0)
			return;
		/* simpleperf converts with the map the next range is in. */
		to = tbin ? link_addr(x, tbin, to) : to;
	} else if (!is_indirect(f->iclass)) {
		return;
	} else if (x->mode == 'p' &&
		   branch_dest(f, t, flags, &to, &tbin) == 0) {
		/* The trace saw where it went: llvm-profgen takes an
		 * indirect call's target for call-target samples. */
		to = tbin && x->bins[tbin - 1].selected ?
		     link_addr(x, tbin, to) : 0;
	}
	if (from < base)
		return;
	rec_add(r, 'B', from - base, to >= base ? to - base : 0, n);
}

/* The ranges of the blocks of the selected binaries. */
static void block_recs(struct ex *x, struct recs *r, char kind, int rebase)
{
	uint32_t i;

	for (i = 1; i < x->nblk; i++) {
		const struct xblock *b = &x->blk[i];
		uint64_t s, e, base;

		if (!b->present || !b->count || !b->bin ||
		    !x->bins[b->bin - 1].selected)
			continue;
		base = rebase ? x->bins[b->bin - 1].load_vaddr : 0;
		s = link_addr(x, b->bin, b->ip);
		e = link_addr(x, b->bin, b->end_ip);
		if (s >= base && e >= base)
			rec_add(r, kind, s - base, e - base, b->count);
	}
}

static void print_recs(const struct recs *r, char kind, const char *fmt,
		       FILE *out)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].kind == kind)
			fprintf(out, fmt, r->v[i].a, r->v[i].b,
				r->v[i].count);
}

/* Writes the profile of the selected binaries (one path).
 * Returns 0 if written, -1 (message on stderr) if not. */
static int afdo_binary(struct ex *x, FILE *out)
{
	const char *bid = "", *path = "";
	struct recs r = { 0 };
	size_t i, n;
	int rc;

	for (i = 0; i < x->nbins; i++)
		if (x->bins[i].selected) {
			path = x->bins[i].path;
			if (x->bins[i].build_id)
				bid = x->bins[i].build_id;
		}
	if (x->sample) {
		rc = sample_recs(x, &r);
	} else {
		block_recs(x, &r, 'R', x->mode == 'a');
		rc = each_edge(x, &r, afdo_edge);
	}
	if (rc < 0) {
		free(r.v);
		return rc;
	}
	rec_merge(&r);
	fprintf(out, "%zu\n", rec_count(&r, 'R'));
	print_recs(&r, 'R', "%" PRIx64 "-%" PRIx64 ":%" PRIu64 "\n", out);
	if (x->mode == 'p') {	/* no address section, no trailer */
		fprintf(out, "%zu\n", rec_count(&r, 'B'));
		print_recs(&r, 'B', "%" PRIx64 "->%" PRIx64 ":%" PRIu64 "\n",
			   out);
		free(r.v);
		return 0;
	}
	fprintf(out, "%zu\n", rec_count(&r, 'A'));
	for (i = 0; i < r.n; i++)
		if (r.v[i].kind == 'A')
			fprintf(out, "%" PRIx64 ":%" PRIu64 "\n", r.v[i].a,
				r.v[i].count);
	fprintf(out, "%zu\n", rec_count(&r, 'B'));
	print_recs(&r, 'B', "%" PRIx64 "->%" PRIx64 ":%" PRIu64 "\n", out);
	/* simpleperf's BuildId::ToString(): 0x and 20 bytes. */
	n = strlen(bid);
	fprintf(out, "// build_id: 0x%s%.*s\n// %s\n\n", bid,
		n < 40 ? (int)(40 - n) : 0,
		"0000000000000000000000000000000000000000", path);
	free(r.v);
	return 0;
}

/* Writes one profile per path of the wanted binaries.
 * Returns 0 if written, -1 (message on stderr) if not. */
static int export_autofdo(struct ex *x, uint8_t *want, FILE *out)
{
	size_t i, j, npaths = 0;
	int rc = 0;

	for (i = 0; i < x->nbins; i++)	/* sorted by path */
		if (want[i] && (!i || !want[i - 1] ||
				strcmp(x->bins[i].path, x->bins[i - 1].path)))
			npaths++;
	if (npaths > 1)
		fprintf(out, "// Please split this file. AutoFDO only accepts "
			"profile for one binary.\n");
	for (i = 0; i < x->nbins && rc >= 0; i = j) {
		for (j = i; j < x->nbins &&
		     !strcmp(x->bins[j].path, x->bins[i].path); j++)
			;
		if (!want[i])
			continue;
		for (size_t k = 0; k < x->nbins; k++)
			x->bins[k].selected = k >= i && k < j && want[k];
		rc = afdo_binary(x, out);
	}
	return rc;
}

/* ---- BOLT ---- */

static void bolt_edge(struct ex *x, struct recs *r, const struct xblock *f,
		      const struct xblock *t, uint32_t flags, uint64_t n)
{
	uint64_t from = link_addr(x, f->bin, f->end_ip), to;
	uint32_t tbin = 0;

	if (flags & HWT_EDGE_TAKEN) {
		if (branch_dest(f, t, flags, &to, &tbin) < 0)
			return;
		/* A destination outside the binary: 0, what BOLT finds no
		 * function at (an exit from the binary). */
		if (!tbin || !x->bins[tbin - 1].selected)
			to = 0;
		else
			to = link_addr(x, tbin, to);
		rec_add(r, 'B', from, to, n);
	} else if (t && !(flags & HWT_EDGE_BREAK) && t->bin == f->bin) {
		/* Not taken: the fall-through across the two blocks. */
		rec_add(r, 'F', from, link_addr(x, t->bin, t->ip), n);
	}
}

/* Selects the wanted binaries, which must be one path (a BOLT or
 * llvm-profgen profile is for one binary; opt names the format).
 * Returns 0 if they are one path,
 * Returns -1 (message on stderr) if they are several. */
static int select_one(struct ex *x, const uint8_t *want, const char *opt)
{
	size_t i, first = x->nbins;

	for (i = 0; i < x->nbins; i++) {
		x->bins[i].selected = want[i];
		if (!want[i])
			continue;
		if (first == x->nbins)
			first = i;
		else if (strcmp(x->bins[i].path, x->bins[first].path)) {
			fprintf(stderr, "hwt export: %s: a profile is for "
				"one binary; the trace ran %s and %s: choose "
				"one with --binary\n", opt,
				x->bins[first].path, x->bins[i].path);
			return -1;
		}
	}
	return 0;
}

/* Writes the BOLT profile of the wanted binaries (one path).
 * Returns 0 if written, -1 (message on stderr) if there are several
 * paths or the database cannot be read. */
static int export_bolt(struct ex *x, uint8_t *want, FILE *out)
{
	struct recs r = { 0 };
	int rc;

	if (select_one(x, want, "--bolt") < 0)
		return -1;
	if (x->sample) {
		rc = sample_recs(x, &r);
	} else {
		block_recs(x, &r, 'F', 0);
		rc = each_edge(x, &r, bolt_edge);
	}
	if (rc >= 0) {
		rec_merge(&r);
		print_recs(&r, 'B', "B %" PRIx64 " %" PRIx64 " %" PRIu64
			   " 0\n", out);
		print_recs(&r, 'F', "F %" PRIx64 " %" PRIx64 " %" PRIu64 "\n",
			   out);
	}
	free(r.v);
	return rc;
}

int hwt_export(const char *path, const struct hwt_export_opts *opts,
	       FILE *out)
{
	static const char *const tables[] = {
		"binaries", "blocks", "block_counts", "edges", "flow", NULL
	};
	struct ex x;
	uint8_t *want = NULL;
	size_t i, nwant = 0;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.db = hwt_db_open_ro(path, &export_budget, tables);
	if (!x.db)
		return -1;
	x.sample = opts->sample;
	x.mode = opts->format == HWT_EXPORT_BOLT ? 'b' :
		 opts->format == HWT_EXPORT_PROFGEN ? 'p' : 'a';
	if (load_bins(&x) < 0 || load_blocks(&x) < 0 ||
	    (x.sample && load_pairs(&x) < 0))
		goto out;
	want = hwt_xrealloc(NULL, x.nbins + 1);
	for (i = 0; i < x.nbins; i++) {
		want[i] = bin_matches(&x.bins[i], opts->binary) &&
			  x.bins[i].ran;
		nwant += want[i];
	}
	if (!nwant) {
		if (opts->binary)
			fprintf(stderr, "hwt export: %s: no traced binary "
				"has that path, file name or build id\n",
				opts->binary);
		else
			fprintf(stderr, "hwt export: %s: no instruction of "
				"a known binary was traced\n", path);
		goto out;
	}
	if (x.mode == 'b')
		rc = export_bolt(&x, want, out);
	else if (x.mode == 'p')
		rc = select_one(&x, want, "--profgen") < 0 ? -1 :
		     afdo_binary(&x, out);
	else
		rc = export_autofdo(&x, want, out);
out:
	for (i = 0; i < x.nbins; i++) {
		free(x.bins[i].path);
		free(x.bins[i].build_id);
	}
	free(x.bins);
	free(x.blk);
	free(x.pairs);
	free(want);
	sqlite3_close(x.db);
	return rc;
}
