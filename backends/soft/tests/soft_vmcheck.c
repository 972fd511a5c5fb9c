// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host half of the soft backend's VM acceptance test: reads the SOFTDUMP
 * lines that tests/vm/guest/soft_trace.c printed on the guest console (PT
 * bytes per thread, the ptrace ground truth, the marker IP, the filter
 * ranges), decodes the PT with libipt's instruction decoder against the
 * guest binary's loadable segments, and compares instruction by
 * instruction.
 *
 * usage: soft_vmcheck CONSOLE_LOG GUEST_DIR
 * (the image of a dump is GUEST_DIR/soft_trace unless it names another
 * guest program with "SOFTDUMP tag binary NAME")
 * Prints PASS:/FAIL: lines; exits non-zero on any FAIL.
 */
#include <fcntl.h>
#include <gelf.h>
#include <intel-pt.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXTAG	256
#define MAXTH	4
#define MAXCPU	8

#include "../../../tests/lib/u64vec.h"

#define vec u64v
#define push u64v_push

struct tagdata {
	char name[64];
	struct vec pt[MAXTH];		/* bytes, one per element */
	struct vec gt[MAXTH];
	uint64_t marker, thread_end;
	char binary[64];
	uint64_t after_ovf;	/* first IP after the first overflow */
	uint64_t contains;	/* an IP the decoded flow must reach */
	uint64_t count_ip;	/* an IP the flow must run count times */
	unsigned long count;
	int allow_ovf;		/* "SOFTDUMP tag binary NAME ovf" */
	double secs;
	unsigned int nranges;
	uint64_t rs[4], re[4];
	/* "SOFTDUMP tag TH cut OFF": bytes are missing at offset OFF */
	uint64_t cut[MAXTH];
	int has_cut[MAXTH];
	/*
	 * "SOFTDUMP tag TH seg OFF": the thread's trace is runs cut out
	 * of per-CPU streams (CPU mode), each starting at OFF; each is
	 * decoded on its own and the instructions concatenated.
	 */
	struct vec seg[MAXTH];
	/*
	 * "SOFTDUMP tag TH seg OFF CLASS": CPU mode with a TraceStop range
	 * (check_stop_runs): the run's class, SEG_LIVE, SEG_STOP or
	 * SEG_AFTER, one per seg.
	 */
	struct vec segcls[MAXTH];
	int has_class[MAXTH];
	/* "SOFTDUMP tag stop START END": a TraceStop range; a thread's
	 * trace ends before its first instruction there. */
	uint64_t stop_s, stop_e;
	int has_stop;
	/*
	 * "SOFTDUMP tag ncpu N" and "SOFTDUMP tag cpulast C HEX": each
	 * CPU's last bytes (its last run that wrote any), which must end
	 * with its TraceStop packet (check_cpulast).
	 */
	int ncpu;
	struct vec cpulast[MAXCPU];
	int has_cpulast[MAXCPU];
};

enum { SEG_LIVE, SEG_STOP, SEG_AFTER };

static struct tagdata tags[MAXTAG];
static int ntags, fails, toomany;

static struct tagdata *tag(const char *name)
{
	int i;

	for (i = 0; i < ntags; i++)
		if (!strcmp(tags[i].name, name))
			return &tags[i];
	if (ntags == MAXTAG) {
		toomany = 1;	/* reported: an unchecked tag is a failure */
		return NULL;
	}
	snprintf(tags[ntags].name, sizeof(tags[ntags].name), "%s", name);
	return &tags[ntags++];
}

static void parse(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0) {
		char *p = strstr(line, "SOFTDUMP "), *tok, *save;
		char name[64], what[16];
		struct tagdata *t;
		int th, n;

		if (!p)
			continue;
		p[strcspn(p, "\r\n")] = 0;
		if (sscanf(p, "SOFTDUMP %63s %n", name, &n) != 1)
			continue;
		t = tag(name);
		if (!t)
			continue;
		p += n;
		if (sscanf(p, "marker %lx %lx", &t->marker,
			   &t->thread_end) >= 1)
			continue;
		if (sscanf(p, "time %lf", &t->secs) == 1)
			continue;
		if (sscanf(p, "after_ovf %lx", &t->after_ovf) == 1)
			continue;
		if (sscanf(p, "contains %lx", &t->contains) == 1)
			continue;
		if (sscanf(p, "count %lx %lu", &t->count_ip, &t->count) == 2)
			continue;
		if (sscanf(p, "stop %lx %lx", &t->stop_s, &t->stop_e) == 2) {
			t->has_stop = 1;
			continue;
		}
		if (sscanf(p, "ncpu %d", &t->ncpu) == 1)
			continue;
		if (!strncmp(p, "cpulast ", 8)) {
			char *e;
			long c = strtol(p + 8, &e, 10);

			if (e == p + 8 || c < 0 || c >= MAXCPU)
				continue;
			t->has_cpulast[c] = 1;
			for (e += strspn(e, " "); e[0] && e[1]; e += 2) {
				unsigned int b;

				if (sscanf(e, "%2x", &b) != 1)
					break;
				push(&t->cpulast[c], b);
			}
			continue;
		}
		if (sscanf(p, "binary %63s", t->binary) == 1) {
			t->allow_ovf = strstr(p, " ovf") != NULL;
			continue;
		}
		if (!strncmp(p, "ranges ", 7)) {
			unsigned int i;

			p += 7;
			t->nranges = (unsigned int)strtoul(p, &p, 10);
			for (i = 0; i < t->nranges && i < 4; i++) {
				t->rs[i] = strtoull(p, &p, 16);
				t->re[i] = strtoull(p, &p, 16);
			}
			continue;
		}
		if (sscanf(p, "%d %15s %n", &th, what, &n) != 2 || th < 0 ||
		    th >= MAXTH)
			continue;
		p += n;
		if (!strcmp(what, "pt")) {
			for (; p[0] && p[1]; p += 2) {
				unsigned int b;

				if (sscanf(p, "%2x", &b) != 1)
					break;
				push(&t->pt[th], b);
			}
		} else if (!strcmp(what, "seg")) {
			char *e;

			push(&t->seg[th], strtoull(p, &e, 10));
			e += strspn(e, " ");
			if (*e) {
				t->has_class[th] = 1;
				push(&t->segcls[th], !strcmp(e, "stop") ? SEG_STOP :
				     !strcmp(e, "after") ? SEG_AFTER : SEG_LIVE);
			}
		} else if (!strcmp(what, "cut")) {
			t->cut[th] = strtoull(p, NULL, 10);
			t->has_cut[th] = 1;
		} else if (!strcmp(what, "gt")) {
			for (tok = strtok_r(p, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save))
				push(&t->gt[th], strtoull(tok, NULL, 16));
		}
	}
	free(line);
}

static int add_segments(struct pt_image *img, const char *path)
{
	int fd = open(path, O_RDONLY), n = 0;
	size_t i, phnum;
	Elf *e;

	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &phnum))
		return -1;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		if (pt_image_add_file(img, path, ph.p_offset, ph.p_filesz,
				      NULL, ph.p_vaddr) < 0)
			return -1;
		n++;
	}
	elf_end(e);
	close(fd);
	return n;
}

/* The trace bytes of v (one per element) as libipt reads them. */
static uint8_t *to_bytes(const struct vec *v)
{
	uint8_t *buf = malloc(v->n + 1);
	size_t i;

	if (!buf) {
		fprintf(stderr, "soft_vmcheck: out of memory\n");
		exit(2);
	}
	for (i = 0; i < v->n; i++)
		buf[i] = (uint8_t)v->v[i];
	return buf;
}

/*
 * Decode ptv with libipt against bin, appending the instructions to
 * out; *novf counts overflows (the first at *ovf_at in out), *nstop
 * (if not NULL) TraceStop events and *stop_at where the first came.
 * Returns 0, or -1 with err set.
 */
static int decode_ev(const struct vec *ptv, const char *bin, struct vec *out,
		     size_t *novf, size_t *ovf_at, size_t *nstop,
		     size_t *stop_at, char *err, size_t errlen)
{
	struct pt_insn_decoder *d;
	struct pt_image *img;
	struct pt_config c;
	uint8_t *buf;
	int status;

	buf = to_bytes(ptv);
	pt_config_init(&c);
	c.begin = buf;
	c.end = buf + ptv->n;
	d = pt_insn_alloc_decoder(&c);
	img = pt_image_alloc("guest");
	if (!d || !img || add_segments(img, bin) <= 0) {
		snprintf(err, errlen, "cannot load %.200s", bin);
		return -1;
	}
	pt_insn_set_image(d, img);
	status = pt_insn_sync_forward(d);
	for (;;) {
		struct pt_insn insn;

		while (status >= 0 && (status & pts_event_pending)) {
			struct pt_event ev;

			status = pt_insn_event(d, &ev, sizeof(ev));
			if (status >= 0 && ev.type == ptev_overflow &&
			    !(*novf)++)
				*ovf_at = out->n;
			if (status >= 0 && ev.type == ptev_stop && nstop &&
			    !(*nstop)++)
				*stop_at = out->n;
		}
		if (status < 0)
			break;
		status = pt_insn_next(d, &insn, sizeof(insn));
		if (status < 0)
			break;
		push(out, insn.ip);
	}
	if (status != -pte_eos && !err[0]) {
		uint64_t off = 0;

		pt_insn_get_offset(d, &off);
		snprintf(err, errlen, "libipt: %s at offset %#llx after %zu insns",
			 pt_errstr(pt_errcode(status)),
			 (unsigned long long)off, out->n);
	}
	pt_insn_free_decoder(d);
	pt_image_free(img);
	free(buf);
	return err[0] ? -1 : 0;
}

static int decode(const struct vec *ptv, const char *bin, struct vec *out,
		  size_t *novf, size_t *ovf_at, char *err, size_t errlen)
{
	return decode_ev(ptv, bin, out, novf, ovf_at, NULL, NULL, err,
			 errlen);
}

/*
 * A thread's runs (t->seg[th]: their start offsets, ascending), each
 * decoded on its own into out, one after the other.
 */
static int decode_runs(const struct tagdata *t, int th, const char *bin,
		       struct vec *out, size_t *novf, size_t *ovf_at,
		       char *err, size_t errlen)
{
	const struct vec *seg = &t->seg[th], *all = &t->pt[th];
	size_t k, i;

	for (k = 0; k < seg->n; k++) {
		uint64_t from = seg->v[k];
		uint64_t to = k + 1 < seg->n ? seg->v[k + 1] : all->n;
		struct vec piece = { 0 };
		int ret;

		if (from > to || to > all->n) {
			snprintf(err, errlen, "run %zu: bytes %llu..%llu of %zu",
				 k, (unsigned long long)from,
				 (unsigned long long)to, all->n);
			return -1;
		}
		if (from == to)
			continue;
		for (i = from; i < to; i++)
			push(&piece, all->v[i]);
		ret = decode(&piece, bin, out, novf, ovf_at, err, errlen);
		free(piece.v);
		if (ret) {
			size_t n = strlen(err);

			snprintf(err + n, errlen - n, " (run %zu of %zu)", k,
				 seg->n);
			return -1;
		}
	}
	return 0;
}

static int in_ranges(const struct tagdata *t, uint64_t ip)
{
	unsigned int i;

	if (!t->nranges)
		return 1;
	for (i = 0; i < t->nranges && i < 4; i++)
		if (ip >= t->rs[i] && ip <= t->re[i])
			return 1;
	return 0;
}

static size_t find(const struct vec *a, uint64_t ip)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i] == ip)
			return i;
	return a->n;
}

/*
 * Whether libipt finds a PSB (SDM Vol. 3C 33.4.2.17) starting in p before
 * offset limit: where none does, no decoder can sync on p, so decoding
 * nothing from it is right.
 */
static int psb_before(const struct vec *p, size_t limit)
{
	struct pt_packet_decoder *d;
	struct pt_config c;
	uint64_t off;
	uint8_t *buf = to_bytes(p);
	int found;

	pt_config_init(&c);
	c.begin = buf;
	c.end = buf + p->n;
	d = pt_pkt_alloc_decoder(&c);
	found = d && pt_pkt_sync_forward(d) >= 0 &&
		pt_pkt_get_sync_offset(d, &off) >= 0 && off < limit;
	pt_pkt_free_decoder(d);
	free(buf);
	return found;
}

/* A PSB+ (PSB, TSC, TMA, CBR, MODE, FUP, PSBEND) fits in this many bytes:
 * one that starts later may leave nothing to decode after it. */
#define PSB_PLUS_MAX	64

/*
 * A trace with bytes missing at t->cut[th] (the kernel counted them lost):
 * the two pieces are decoded apart, as the decoder does at a gap.  The
 * piece before must equal the ground truth from the marker on, the piece
 * after (from its first PSB) the ground truth's end, and something must
 * be missing in between.
 */
static void check_cut(struct tagdata *t, int th, const char *dir)
{
	struct vec piece[2] = { { 0 }, { 0 } }, dec[2] = { { 0 }, { 0 } };
	size_t novf = 0, ovf_at = 0, gs, ds, n0, n1, want, i, k;
	uint64_t cut = t->cut[th];
	char err[256] = "", bin[4096];

	snprintf(bin, sizeof(bin), "%s/%s", dir,
		 t->binary[0] ? t->binary : "soft_trace");
	if (cut > t->pt[th].n)
		snprintf(err, sizeof(err), "cut %llu beyond %zu bytes",
			 (unsigned long long)cut, t->pt[th].n);
	for (i = 0; !err[0] && i < t->pt[th].n; i++)
		push(&piece[i >= cut], t->pt[th].v[i]);
	for (k = 0; k < 2 && !err[0]; k++)
		if (decode(&piece[k], bin, &dec[k], &novf, &ovf_at, err,
			   sizeof(err)) == 0 && novf)
			snprintf(err, sizeof(err), "%zu overflows", novf);
	gs = find(&t->gt[th], th == 0 ? t->marker : t->gt[th].v[0]);
	want = t->gt[th].n - gs;
	ds = th == 0 ? find(&dec[0], t->marker) : 0;
	if (!err[0] && (gs == t->gt[th].n || ds == dec[0].n))
		snprintf(err, sizeof(err), "marker not in ground truth or trace");
	n0 = err[0] ? 0 : dec[0].n - ds;
	n1 = dec[1].n;
	/* The piece after the gap is what the unit kept: a lapped 4 KiB
	 * buffer with a PSB every 4 KiB (no PSBFreq: Broadwell) may hold
	 * no whole PSB+, and then nothing after the gap can decode. */
	if (!err[0] && (!n0 || n0 + n1 >= want ||
			(!n1 && psb_before(&piece[1],
					   piece[1].n > PSB_PLUS_MAX ?
					   piece[1].n - PSB_PLUS_MAX : 0))))
		snprintf(err, sizeof(err),
			 "%zu + %zu insns around the gap, ground truth %zu",
			 n0, n1, want);
	for (i = 0; !err[0] && i < n0; i++)
		if (dec[0].v[ds + i] != t->gt[th].v[gs + i])
			snprintf(err, sizeof(err),
				 "before the gap, insn %zu: decoded %#llx, ground truth %#llx",
				 i, (unsigned long long)dec[0].v[ds + i],
				 (unsigned long long)t->gt[th].v[gs + i]);
	for (i = 0; !err[0] && i < n1; i++)
		if (dec[1].v[i] != t->gt[th].v[t->gt[th].n - n1 + i])
			snprintf(err, sizeof(err),
				 "after the gap, insn %zu of %zu: decoded %#llx, ground truth %#llx",
				 i, n1, (unsigned long long)dec[1].v[i],
				 (unsigned long long)t->gt[th].v[t->gt[th].n - n1 + i]);
	if (err[0]) {
		printf("FAIL: soft/vm/%s/thread%d/libipt_vs_ptrace_gap: %s\n",
		       t->name, th, err);
		fails++;
	} else {
		printf("PASS: soft/vm/%s/thread%d/libipt_vs_ptrace_gap (%zu insns before the gap, %zu after%s, %zu not in the trace; %zu + %zu PT bytes)\n",
		       t->name, th, n0, n1,
		       n1 ? "" : " (no whole PSB+ in the bytes kept)",
		       want - n0 - n1, piece[0].n, piece[1].n);
	}
	for (k = 0; k < 2; k++) {
		free(piece[k].v);
		free(dec[k].v);
	}
}

/*
 * Does g hold piece from index q on?
 * Returns 1 if it does, 0 if not (or if piece runs past g's end).
 */
static int match_at(const struct vec *g, size_t q, const struct vec *piece)
{
	size_t i;

	if (q > g->n || piece->n > g->n - q)
		return 0;
	for (i = 0; i < piece->n; i++)
		if (g->v[q + i] != piece->v[i])
			return 0;
	return 1;
}

/* Where the pieces of check_stop_runs stand. */
struct stop_walk {
	struct tagdata *t;
	const struct vec *g;
	struct vec piece;	/* instructions of the piece being built */
	size_t pos;		/* ground truth index it must start at */
	int exact;		/* ... exactly there (else: first match) */
	size_t npieces, ninsns;
	char *err;
	size_t errlen;
};

/*
 * The piece built so far ends (by_stop: with the branch into the stop
 * range): it must be the ground truth from w->pos on (w->exact) or from
 * its first match after w->pos, and hold no instruction of the range.
 */
static void stop_piece_end(struct stop_walk *w, int by_stop)
{
	const struct vec *g = w->g;
	size_t q = w->pos, i;

	if (w->err[0])
		return;
	if (w->piece.n) {
		if (!w->exact)
			while (q < g->n && !match_at(g, q, &w->piece))
				q++;
		if (!match_at(g, q, &w->piece)) {
			for (i = 0; w->exact && i < w->piece.n &&
			     q + i < g->n && g->v[q + i] == w->piece.v[i]; i++)
				;
			if (w->exact)
				snprintf(w->err, w->errlen,
					 "piece %zu, insn %zu: decoded %#llx, ground truth %#llx (%zu insns decoded, %zu left in the ground truth)",
					 w->npieces, i,
					 i < w->piece.n ?
					 (unsigned long long)w->piece.v[i] : 0ull,
					 q + i < g->n ?
					 (unsigned long long)g->v[q + i] : 0ull,
					 w->piece.n, g->n - q);
			else
				snprintf(w->err, w->errlen,
					 "piece %zu (%zu insns from %#llx) is nowhere in the ground truth after insn %zu",
					 w->npieces, w->piece.n,
					 (unsigned long long)w->piece.v[0], w->pos);
			return;
		}
		for (i = 0; i < w->piece.n; i++)
			if (w->piece.v[i] >= w->t->stop_s &&
			    w->piece.v[i] <= w->t->stop_e) {
				snprintf(w->err, w->errlen,
					 "piece %zu: insn %zu (%#llx) is in the stop range",
					 w->npieces, i,
					 (unsigned long long)w->piece.v[i]);
				return;
			}
		w->pos = q + w->piece.n;
		w->ninsns += w->piece.n;
		w->npieces++;
	}
	if (by_stop && (w->pos >= g->n || g->v[w->pos] < w->t->stop_s ||
			g->v[w->pos] > w->t->stop_e))
		snprintf(w->err, w->errlen,
			 "piece %zu ends with a TraceStop at ground truth insn %zu (%#llx), which is not in the stop range",
			 w->npieces, w->pos, w->pos < g->n ?
			 (unsigned long long)g->v[w->pos] : 0ull);
	w->piece.n = 0;
}

/*
 * CPU mode with a TraceStop range (33.2.4.3): once a taken branch enters
 * the range on a CPU, its unit writes TIP.PGD and TraceStop and then
 * nothing more, whatever task runs there; the other CPUs go on.  A
 * thread's runs ("seg OFF CLASS" lines, in record order) make pieces of
 * its ground truth:
 *  - live (its CPU had not stopped by the run's end): decodes with no
 *    TraceStop; consecutive live runs make one piece, since the thread
 *    ran nowhere untraced in between;
 *  - stop (its CPU's last bytes): ends with the TraceStop; its piece
 *    ends with the branch into the range: the next ground-truth
 *    instruction is in the range, and is not in the trace;
 *  - after (its CPU had stopped already): no bytes; the thread ran
 *    untraced, so the next piece starts wherever the thread was then.
 * A piece starts exactly where the last one ended unless a stop or an
 * after run came between (then at its first match from there); the
 * first one exactly at the marker (main thread: what it ran before it
 * is not in the window) or at the thread's first instruction.  If the last run is live, the last piece ends
 * where the ground truth does (the second thread: both are compared up
 * to thread_end).  No decoded instruction lies in the stop range.
 */
static void check_stop_runs(struct tagdata *t, int th, const char *dir)
{
	const struct vec *seg = &t->seg[th], *cls = &t->segcls[th];
	const struct vec *all = &t->pt[th];
	struct stop_walk w = { .t = t, .g = &t->gt[th], .exact = 1 };
	size_t k, i, nstopruns = 0, nafter = 0, gend = t->gt[th].n;
	int seen_marker = th != 0, last = SEG_LIVE, past_end = 0;
	char err[256] = "", bin[4096];

	w.err = err;
	w.errlen = sizeof(err);
	snprintf(bin, sizeof(bin), "%s/%s", dir,
		 t->binary[0] ? t->binary : "soft_trace");
	if (seg->n != cls->n)
		snprintf(err, sizeof(err), "%zu runs, %zu classes", seg->n,
			 cls->n);
	if (!err[0] && th == 0) {
		w.pos = find(w.g, t->marker);
		if (w.pos == w.g->n)
			snprintf(err, sizeof(err), "marker not in ground truth");
	}
	if (th > 0 && t->thread_end && find(w.g, t->thread_end) < w.g->n)
		gend = find(w.g, t->thread_end) + 1;
	for (k = 0; k < seg->n && !err[0]; k++) {
		uint64_t from = seg->v[k];
		uint64_t to = k + 1 < seg->n ? seg->v[k + 1] : all->n;
		struct vec run = { 0 }, dec = { 0 };
		size_t novf = 0, ovf_at = 0, nstop = 0, stop_at = 0, ds = 0;

		last = (int)cls->v[k];
		if (from > to || to > all->n) {
			snprintf(err, sizeof(err), "run %zu: bytes %llu..%llu of %zu",
				 k, (unsigned long long)from,
				 (unsigned long long)to, all->n);
			break;
		}
		for (i = from; i < to; i++)
			push(&run, all->v[i]);
		if (last == SEG_AFTER) {
			nafter++;
			if (run.n)
				snprintf(err, sizeof(err),
					 "run %zu: %zu bytes on a CPU stopped before it",
					 k, run.n);
			stop_piece_end(&w, 0);
			w.exact = 0;
			free(run.v);
			continue;
		}
		if (run.n && decode_ev(&run, bin, &dec, &novf, &ovf_at, &nstop,
				       &stop_at, err, sizeof(err))) {
			size_t n = strlen(err);

			snprintf(err + n, sizeof(err) - n, " (run %zu of %zu)",
				 k, seg->n);
		} else if (novf) {
			snprintf(err, sizeof(err), "run %zu: %zu overflows", k,
				 novf);
		} else if (last == SEG_LIVE && nstop) {
			snprintf(err, sizeof(err),
				 "run %zu: a TraceStop after insn %zu, but its CPU wrote more later",
				 k, stop_at);
		} else if (last == SEG_STOP &&
			   (nstop != 1 || stop_at != dec.n)) {
			snprintf(err, sizeof(err),
				 "run %zu: its CPU's last bytes (%zu) end with %zu TraceStops, the first after insn %zu of %zu",
				 k, run.n, nstop, stop_at, dec.n);
		}
		/*
		 * The main thread's window opens at the marker: what its
		 * runs decode before it (it may not have blocked before
		 * START) is not compared.
		 */
		if (!err[0] && !seen_marker) {
			ds = find(&dec, t->marker);
			seen_marker = ds < dec.n;
		}
		/*
		 * The second thread's ground truth is compared up to
		 * thread_end: after it, it races the main thread's
		 * exit_group() (ptrace may stop it earlier than the run).
		 */
		for (i = ds; !err[0] && !past_end && i < dec.n; i++) {
			push(&w.piece, dec.v[i]);
			if (th > 0 && t->thread_end &&
			    dec.v[i] == t->thread_end)
				past_end = 1;
		}
		if (last == SEG_STOP) {
			nstopruns++;
			stop_piece_end(&w, 1);
			w.exact = 0;
		}
		free(run.v);
		free(dec.v);
		if (past_end) {
			last = SEG_LIVE;	/* the end of the comparison */
			break;
		}
	}
	if (!err[0] && !seen_marker)
		snprintf(err, sizeof(err), "marker %#llx not decoded",
			 (unsigned long long)t->marker);
	if (!err[0] && last == SEG_LIVE && (w.piece.n || w.exact)) {
		stop_piece_end(&w, 0);
		if (!err[0] && w.pos < gend)
			snprintf(err, sizeof(err),
				 "the trace ends at ground truth insn %zu of %zu, its last run traced",
				 w.pos, gend);
	}
	free(w.piece.v);
	if (err[0]) {
		printf("FAIL: soft/vm/%s/thread%d/libipt_vs_ptrace_tracestop: %s\n",
		       t->name, th, err);
		fails++;
	} else {
		printf("PASS: soft/vm/%s/thread%d/libipt_vs_ptrace_tracestop (%zu insns in %zu pieces, %zu runs: %zu ending in its CPU's TraceStop, %zu on a stopped CPU; %zu PT bytes)\n",
		       t->name, th, w.ninsns, w.npieces, seg->n, nstopruns,
		       nafter, all->n);
	}
}

/*
 * CPU mode with a TraceStop range: each CPU's last bytes (its last run
 * that wrote any, "cpulast" lines) end with the TraceStop packet, the
 * only one there: the unit writes nothing after it on that CPU
 * (33.2.4.3).  Packets as libipt's packet decoder reads them from the
 * run's first PSB (each CPU-mode run begins with PSB+).
 */
static void check_cpulast(const struct tagdata *t)
{
	int c;

	for (c = 0; c < t->ncpu; c++) {
		const struct vec *v = c < MAXCPU ? &t->cpulast[c] : NULL;
		struct pt_packet_decoder *d = NULL;
		uint64_t off = 0, stop_end = 0;
		size_t nstop = 0, npkt = 0;
		struct pt_config cfg;
		uint8_t *buf = NULL;
		char err[256] = "";
		int st;

		if (!v || !t->has_cpulast[c] || !v->n) {
			snprintf(err, sizeof(err), "no bytes of its last run");
		} else {
			buf = to_bytes(v);
			pt_config_init(&cfg);
			cfg.begin = buf;
			cfg.end = buf + v->n;
			d = pt_pkt_alloc_decoder(&cfg);
			st = d ? pt_pkt_sync_forward(d) : -pte_nomem;
			while (st >= 0) {
				struct pt_packet pkt;

				st = pt_pkt_next(d, &pkt, sizeof(pkt));
				if (st < 0)
					break;
				npkt++;
				if (pkt.type == ppt_stop && !nstop++ &&
				    pt_pkt_get_offset(d, &off) >= 0)
					stop_end = off;
			}
			if (st != -pte_eos)
				snprintf(err, sizeof(err), "libipt: %s after %zu packets",
					 pt_errstr(pt_errcode(st)), npkt);
			else if (nstop != 1 || stop_end != v->n)
				snprintf(err, sizeof(err),
					 "%zu TraceStop packets in its last %zu bytes, the first ending at %llu",
					 nstop, v->n, (unsigned long long)stop_end);
			pt_pkt_free_decoder(d);
			free(buf);
		}
		if (err[0]) {
			printf("FAIL: soft/vm/%s/cpu%d/tracestop_ends_stream: %s\n",
			       t->name, c, err);
			fails++;
		} else {
			printf("PASS: soft/vm/%s/cpu%d/tracestop_ends_stream (%zu packets in its last %zu bytes, TraceStop last)\n",
			       t->name, c, npkt, v->n);
		}
	}
}

static void check(struct tagdata *t, int th, const char *dir)
{
	struct vec dec = { 0 }, want = { 0 };
	size_t gs = 0, ds = 0, i, n, novf = 0, ovf_at = 0;
	char err[256] = "", bin[4096];

	if (t->has_cut[th]) {
		check_cut(t, th, dir);
		return;
	}
	if (t->has_stop && t->has_class[th]) {
		check_stop_runs(t, th, dir);
		return;
	}
	snprintf(bin, sizeof(bin), "%s/%s", dir,
		 t->binary[0] ? t->binary : "soft_trace");
	if ((t->seg[th].n ?
	     decode_runs(t, th, bin, &dec, &novf, &ovf_at, err, sizeof(err)) :
	     decode(&t->pt[th], bin, &dec, &novf, &ovf_at, err,
		    sizeof(err))) == 0 && novf && !t->allow_ovf)
		snprintf(err, sizeof(err), "%zu overflows in the trace", novf);
	if (!err[0] && novf && t->after_ovf &&
	    (ovf_at >= dec.n || dec.v[ovf_at] != t->after_ovf))
		snprintf(err, sizeof(err),
			 "first insn after the overflow %#llx, want %#llx",
			 ovf_at < dec.n ? (unsigned long long)dec.v[ovf_at] : 0ull,
			 (unsigned long long)t->after_ovf);
	if (!err[0] && t->contains && find(&dec, t->contains) == dec.n)
		snprintf(err, sizeof(err), "%#llx never decoded",
			 (unsigned long long)t->contains);
	/* Counted in the main thread (the workloads' other threads never
	 * run the counted IP). */
	if (!err[0] && t->count_ip && th == 0) {
		size_t k = 0;

		for (i = 0; i < dec.n; i++)
			k += dec.v[i] == t->count_ip;
		if (k != t->count)
			snprintf(err, sizeof(err), "%#llx decoded %zu times, ran %lu",
				 (unsigned long long)t->count_ip, k, t->count);
	}
	if (!err[0] && t->allow_ovf && !novf)
		snprintf(err, sizeof(err), "no overflow decoded");
	if (!err[0] && !t->gt[th].n) {
		/* No ground truth (speed, overflow): decode cleanly, count. */
		printf("PASS: soft/vm/%s/thread%d/libipt_decode (%zu insns, "
		       "%zu PT bytes, %zu overflows)\n", t->name, th, dec.n,
		       t->pt[th].n, novf);
		if (t->secs > 0)
			printf("INFO: soft/vm/%s/thread%d: %.0f steps/s "
			       "(%zu insns in %.3f s, TCG)\n", t->name, th,
			       (double)dec.n / t->secs, dec.n, t->secs);
		free(dec.v);
		return;
	}
	if (!err[0]) {
		/* The main thread's window opens at the marker. */
		if (th == 0) {
			gs = find(&t->gt[0], t->marker);
			if (gs == t->gt[0].n)
				snprintf(err, sizeof(err), "marker not in ground truth");
			if (in_ranges(t, t->marker)) {
				ds = find(&dec, t->marker);
				if (ds == dec.n && !err[0])
					snprintf(err, sizeof(err),
						 "marker %#llx not decoded (%zu insns)",
						 (unsigned long long)t->marker,
						 dec.n);
			}
		}
		for (i = gs; i < t->gt[th].n; i++) {
			uint64_t ip = t->gt[th].v[i];

			/* TraceStop: nothing from the stop range's entry on. */
			if (t->has_stop && ip >= t->stop_s && ip <= t->stop_e)
				break;
			if (in_ranges(t, ip))
				push(&want, ip);
		}
		n = dec.n - ds;
		/*
		 * The second thread ends blocked in pause(), which returns
		 * a varying number of times under ptrace: compare up to
		 * the label after its last write.
		 */
		if (th > 0 && t->thread_end) {
			size_t we = find(&want, t->thread_end);
			size_t de = find(&dec, t->thread_end);

			if (we < want.n && de < dec.n) {
				want.n = we + 1;
				n = de + 1 - ds;
			}
		}
		for (i = 0; !err[0] && i < n && i < want.n; i++)
			if (dec.v[ds + i] != want.v[i])
				snprintf(err, sizeof(err),
					 "insn %zu: decoded %#llx, ground truth %#llx",
					 i, (unsigned long long)dec.v[ds + i],
					 (unsigned long long)want.v[i]);
		if (!err[0] && n != want.n)
			snprintf(err, sizeof(err),
				 "%zu insns decoded, ground truth %zu", n,
				 want.n);
	}
	if (err[0]) {
		printf("FAIL: soft/vm/%s/thread%d/libipt_vs_ptrace: %s\n",
		       t->name, th, err);
		fails++;
	} else {
		printf("PASS: soft/vm/%s/thread%d/libipt_vs_ptrace (%zu insns, "
		       "%zu PT bytes)\n", t->name, th, want.n, t->pt[th].n);
	}
	free(dec.v);
	free(want.v);
}

int main(int argc, char **argv)
{
	FILE *f;
	int i, th;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONSOLE_LOG GUEST_DIR\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f || elf_version(EV_CURRENT) == EV_NONE) {
		printf("FAIL: soft/vm/console (cannot read %s)\n", argv[1]);
		return 1;
	}
	parse(f);
	fclose(f);
	if (!ntags) {
		printf("FAIL: soft/vm/dump (no SOFTDUMP lines in %s)\n", argv[1]);
		return 1;
	}
	if (toomany) {
		printf("FAIL: soft/vm/dump (more than %d SOFTDUMP tags: the rest are not checked)\n",
		       MAXTAG);
		fails++;
	}
	for (i = 0; i < ntags; i++) {
		for (th = 0; th < MAXTH; th++)
			if (tags[i].pt[th].n || tags[i].gt[th].n ||
			    (th == 0 && tags[i].secs > 0))
				check(&tags[i], th, argv[2]);
		if (tags[i].ncpu > 0)
			check_cpulast(&tags[i]);
	}
	return fails != 0;
}
