/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel PT in PSB segments, decoded by worker threads and the main thread,
 * which feeds them to the sink in trace order.
 *
 * Segment k is [PSB_k, PSB_k+1).  A worker first tries the fast path: its
 * own block cache (ip -> block, built once with capstone) walked with
 * flow queries on libipt's packet decoder (pt_fastpkt.c), so a repeated
 * block costs a table lookup and a TNT bit.  Anything the fast
 * path does not model (events other than PGE/status updates, far and
 * system instructions, decode errors, unmapped code) makes it give up and
 * the segment is decoded again with libipt's block decoder in ptxed's loop.
 * Either way the segment is decoded from a fresh sync at its PSB, and its
 * end is cut at the IP that PSB_k+1's FUP gives (the next instruction to
 * run when that PSB was written), so the segments join into the same
 * instruction sequence a continuous decode yields.  An error resyncs at
 * the next PSB, as ptxed does.
 */
#include <assert.h>

#include "pt/pt_seg.h"

static int buf_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)stream;
	seg_add_ext(arg, IT_BLOCK)->b = *b;
	return 0;
}

static int buf_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	(void)stream;
	/* msg: static strings (pt_errstr, literals) */
	seg_add_ext(arg, IT_EVENT)->e = *e;
	return 0;
}

/*
 * A piece of a segment: trace [from, to) whose items start at item base
 * and ext entry ebase; next_to: the end of the trace after it (the next
 * piece's or segment's), fup: the IP of the PSB+ at to (has_fup).
 */
struct piece {
	uint64_t from, to, next_to, fup;
	int has_fup;
	int start_fup;		/* the PSB+ at from has a FUP, at start_ip */
	int start_disabled;	/* tracing disabled there all the same */
	uint64_t start_ip;
	size_t base, ebase;
	int err_past;		/* out: the continuous decode's error */
	uint64_t err_off;
};

/* libipt's block decoder over trace [from, to), into seg's items after
 * the piece's base (what was there is dropped). */
static void blk_decode(struct worker *w, struct segment *seg,
		       const struct piece *pc, uint64_t to,
		       struct hwt_pt_stop *stop)
{
	struct seg_run *r = w->run;
	struct hwt_sink bs = {
		.arg = seg, .block = buf_block, .event = buf_event,
	};

	seg->n = pc->base;
	seg->next = pc->ebase;
	hwt_pt_blk_loop(r->env, w->pimg, r->buf + pc->from,
			(size_t)(to - pc->from), pc->from, &bs, r->stream,
			stop, pc->start_disabled ? &pc->start_ip : NULL);
}

/*
 * What libipt's pieces need of the packets in trace [from, to): how many
 * MODE.Exec packets (libipt reports each as an event) into *modes, and
 * libipt's time after them (0: none, or not known: CYC, or a timing
 * packet libipt refuses) into *tsc.
 * Returns 0, or -1 if the packets cannot be read.
 */
static int packet_census(const struct seg_run *r, uint64_t from, uint64_t to,
			 uint64_t *modes, uint64_t *tsc)
{
	struct pt_packet_decoder *p;
	struct hwt_fastpkt time;
	struct pt_packet pkt;
	struct pt_config cfg;
	int known = 1;

	*modes = *tsc = 0;
	hwt_pt_config(r->env, &cfg, r->buf + from, r->buf + to);
	hwt_fastpkt_time_init(&time, &cfg);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return -1;
	if (pt_pkt_sync_set(p, 0) < 0) {
		pt_pkt_free_decoder(p);
		return -1;
	}
	while (pt_pkt_next(p, &pkt, sizeof(pkt)) >= 0) {
		if (pkt.type == ppt_mode && pkt.payload.mode.leaf == pt_mol_exec)
			(*modes)++;
		else if (known && hwt_fastpkt_time_packet(&time, &pkt) < 0)
			known = 0;
	}
	pt_pkt_free_decoder(p);
	if (known)
		*tsc = time.tsc;
	return 0;
}

static int piece_end(const struct segment *seg, const struct piece *pc);

/*
 * The time at the end of a piece, tsc (0: none): libipt's after the
 * piece's last timing packet, which a continuous decode reports at its
 * next event (a PSB+'s status at the next piece's start, whose own TSC
 * may come after).  An event after the piece's items, which its decode
 * ended before reporting it.
 */
static void piece_time(struct segment *seg, uint64_t tsc)
{
	if (tsc)
		seg_add_event(seg, HWT_EV_TIME, 0, tsc);
}

/*
 * A segment libipt decodes, to be joined at the next PSB+'s FUP.  libipt
 * stops where its trace ends, before the instructions that ran without
 * trace up to the FUP (and before any error a continuous decode meets
 * there), so it decodes with the next segment's trace too and stops at the
 * next PSB+'s MODE.Exec event, which libipt reports where execution was
 * when the PSB went out (the MODE.Exec packets before it counted at the
 * packet level).  Should that event not be where the FUP says, it decodes
 * once with the segment's own trace, to learn how many instructions that
 * trace decided, and once more with the next segment's too, stopping at
 * the FUP's first occurrence after them.  modes: the MODE.Exec packets
 * in the piece's trace (packet_census(); UINT64_MAX: not known).
 */
static void join_libipt(struct worker *w, struct segment *seg,
			struct piece *pc, uint64_t modes)
{
	struct seg_run *r = w->run;
	struct hwt_pt_stop stop = {
		.boundary = pc->to, .fup = pc->fup, .skip_insns = UINT64_MAX,
		.by_mode = 1,
	};
	size_t start;
	int disabled;

	stop.modes_before = r->join2 ? UINT64_MAX : modes;
	if (stop.modes_before != UINT64_MAX) {
		blk_decode(w, seg, pc, pc->next_to, &stop);
		pc->err_past = stop.err_past;
		pc->err_off = stop.err_off;
		if (stop.err_past)
			return;	/* the continuous decode's error ends it */
		/* Stopped at the join: what it emitted ran before it. */
		if (stop.found &&
		    seg_insns_in(seg, pc->base, seg->n) == stop.join_insns)
			return;
	}
	memset(&stop, 0, sizeof(stop));
	stop.boundary = pc->to;
	stop.fup = pc->fup;
	blk_decode(w, seg, pc, pc->to, NULL);
	start = seg_tail_start(w, seg, pc->base);
	stop.skip_insns = seg_insns_in(seg, pc->base, start);
	/* Disabled at the join: nothing runs up to the FUP, which is no
	 * place in the code; only an error of the continuous decode there
	 * is to be learnt from the next segment's trace. */
	disabled = piece_end(seg, pc) == END_DISABLED;
	if (disabled)
		stop.skip_insns = seg_insns_in(seg, pc->base, seg->n);
	blk_decode(w, seg, pc, pc->next_to, &stop);
	pc->err_past = stop.err_past;
	pc->err_off = stop.err_off;
	if (stop.err_past)
		return;
	if (disabled) {
		blk_decode(w, seg, pc, pc->to, NULL);
		return;
	}
	if (stop.found &&
	    seg_cut_after(w, seg, pc->base, stop.skip_insns, pc->fup))
		return;
	/* The trace never reaches the FUP (inconsistent): the piece's own
	 * trace, cut where it can be. */
	blk_decode(w, seg, pc, pc->to, NULL);
	seg_cut(w, seg, seg_tail_start(w, seg, pc->base), pc->fup);
}

/*
 * The fast path over a piece: 1 if its items stand (cut at the next PSB+'s
 * FUP), 0 if the piece is libipt's.  Where the piece ends disabled, the
 * next PSB+'s FUP is no place in the code; a continuous decode in libipt
 * accepts it only where tracing stopped, and fails there otherwise (what
 * libipt's join reproduces).
 */
static int fast_piece(struct worker *w, struct segment *seg,
		      const struct piece *pc)
{
	struct fast_end fe;

	if (seg_fast_segment(w, seg, pc->from, pc->to, pc->start_disabled,
			 &fe) != FAST_OK)
		return 0;
	if (pc->has_fup && fe.disabled && pc->fup != fe.resume_ip)
		return 0;
	if (pc->has_fup && !fe.disabled)
		seg_cut(w, seg, seg->tail, pc->fup);
	if (fe.tsc != fe.now)
		piece_time(seg, fe.tsc);
	return 1;
}

/* A piece: the fast path (if try_fast), or libipt joined at its end. */
static void decode_piece(struct worker *w, struct segment *seg,
			 struct piece *pc, int try_fast)
{
	uint64_t modes, tsc;
	int counted;

	pc->base = seg->n;
	pc->ebase = seg->next;
	pc->err_past = 0;
	if (try_fast && !w->run->no_fast) {
		if (fast_piece(w, seg, pc)) {
			seg->fast_bytes += pc->to - pc->from;
			return;
		}
		seg->n = pc->base;
		seg->next = pc->ebase;
	}
	seg->libipt_bytes += pc->to - pc->from;
	counted = packet_census(w->run, pc->from, pc->to, &modes, &tsc) == 0;
	if (pc->has_fup)
		join_libipt(w, seg, pc, counted ? modes : UINT64_MAX);
	else
		blk_decode(w, seg, pc, pc->to, NULL);
	if (counted)
		piece_time(seg, tsc);
}

/* The IP of the PSB+ at trace offset off: 1 and *ip, or 0 (none). */
static int psb_fup(const struct seg_run *r, uint64_t off, uint64_t *ip)
{
	struct pt_query_decoder *q;
	struct pt_config cfg;
	int st, has = 0;

	hwt_pt_config(r->env, &cfg, r->buf, r->buf + r->size);
	q = pt_qry_alloc_decoder(&cfg);
	if (q) {
		st = pt_qry_sync_set(q, ip, off);
		has = st >= 0 && !(st & pts_ip_suppressed);
		pt_qry_free_decoder(q);
	}
	return has;
}

/*
 * Whether the PSB+ at off is followed by a TIP.PGE before anything else
 * that changes the flow (timing and status packets, more PSB+s skipped):
 * then tracing was disabled there, though the PSB+ may have a FUP.  A
 * guess where the segment before is not decoded yet (checked when it is).
 */
int seg_psb_then_pge(const struct seg_run *r, uint64_t off)
{
	struct pt_packet_decoder *p;
	struct pt_packet pkt;
	struct pt_config cfg;
	int in_psb = 0, pge = 0;

	hwt_pt_config(r->env, &cfg, r->buf + off, r->buf + r->size);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	if (pt_pkt_sync_set(p, 0) < 0)
		goto out;
	while (pt_pkt_next(p, &pkt, sizeof(pkt)) >= 0) {
		switch (pkt.type) {
		case ppt_psb:
			in_psb = 1;
			continue;
		case ppt_psbend:
			in_psb = 0;
			continue;
		case ppt_fup:
			if (in_psb)
				continue;
			goto out;
		case ppt_tip_pge:
			pge = !in_psb;
			goto out;
		case ppt_pad: case ppt_tsc: case ppt_tma: case ppt_mtc:
		case ppt_cyc: case ppt_cbr: case ppt_mnt: case ppt_mode:
		case ppt_pip: case ppt_vmcs:
			continue;
		default:
			goto out;
		}
	}
out:
	pt_pkt_free_decoder(p);
	return pge;
}

/* The PSBs in trace (from, to), at most max of them, into offs. */
static size_t inner_psbs(const struct seg_run *r, uint64_t from, uint64_t to,
			 uint64_t *offs, size_t max)
{
	struct pt_packet_decoder *p;
	struct pt_config cfg;
	size_t n = 0;

	hwt_pt_config(r->env, &cfg, r->buf + from, r->buf + to);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	/* At the segment's own PSB; each step finds the next one. */
	if (pt_pkt_sync_set(p, 0) >= 0)
		while (n < max && pt_pkt_sync_forward(p) >= 0) {
			uint64_t off;

			if (pt_pkt_get_sync_offset(p, &off) < 0)
				break;
			offs[n++] = from + off;
		}
	pt_pkt_free_decoder(p);
	return n;
}

#define MAX_PIECES	64

/* How a continuous decode arrives at a segment's PSB, as far as its
 * start goes (decode_segment()). */
enum arrival { ARRIVE_GUESS = -1, ARRIVE_OTHER = 0, ARRIVE_DISABLED = 1 };

/* How piece pc's items (decoded) end; how it started if they do not
 * say. */
static int piece_end(const struct segment *seg, const struct piece *pc)
{
	return seg_end_state(seg, pc->base,
			 pc->start_disabled || !pc->start_fup ? END_DISABLED :
			 END_ENABLED);
}

/*
 * Segment k, where a continuous decode arrives as given (ARRIVE_GUESS:
 * guessed from the packets after its PSB+; the caller checks the guess
 * against the segment before).  Arriving disabled at a PSB+ with a FUP,
 * the segment starts disabled (libipt would sync enabled there).  The
 * fast path over all of it; if that gives up and the segment holds more
 * PSBs, piece by piece between them (the fast path where it can, libipt
 * joined at each piece's end where it cannot; each piece starts as the
 * one before ended), so that one packet the fast path does not model
 * costs libipt one PSB interval, not the segment.
 */
static void decode_segment(struct worker *w, size_t k, int arrival)
{
	struct seg_run *r = w->run;
	struct segment *seg = &r->segs[k];
	uint64_t offs[MAX_PIECES], skip = 0;
	struct piece pc = { .from = seg->start, .to = seg->end };
	int state;
	size_t n, i;

	seg->err_past = 0;
	seg->start_fup = psb_fup(r, seg->start, &seg->start_ip);
	if (arrival == ARRIVE_GUESS)
		arrival = k > 0 && seg->start_fup &&
			  seg_psb_then_pge(r, seg->start);
	seg->start_disabled = arrival == ARRIVE_DISABLED && seg->start_fup;
	pc.start_fup = seg->start_fup;
	pc.start_disabled = seg->start_disabled;
	pc.start_ip = seg->start_ip;
	if (k + 1 < r->nsegs) {
		/* The next PSB+'s FUP: where segment k hands over. */
		pc.has_fup = psb_fup(r, seg->end, &pc.fup);
		pc.next_to = r->segs[k + 1].end;
	}
	seg->n = 0;
	seg->next = 0;
	seg->fast_bytes = seg->libipt_bytes = 0;
	if (!r->no_fast && fast_piece(w, seg, &pc)) {
		seg->fast_bytes = pc.to - pc.from;
		goto done;
	}
	seg->n = 0;
	seg->next = 0;
	n = r->no_fast ? 0 : inner_psbs(r, seg->start, seg->end, offs,
					MAX_PIECES);
	/* n == 0: one piece, the segment, which the fast path just left. */
	state = END_ERROR;
	for (i = 0; i <= n; i++) {
		struct piece p = pc;

		if (i) {
			p.from = offs[i - 1];
			p.start_disabled = state == END_DISABLED &&
					   p.start_fup;
		}
		if (i < n) {
			p.to = offs[i];
			p.next_to = i + 1 < n ? offs[i + 1] : seg->end;
			p.has_fup = psb_fup(r, p.to, &p.fup);
		}
		/* A continuous decode resynced past this piece. */
		if (p.from < skip) {
			state = END_ERROR;
		} else {
			decode_piece(w, seg, &p, n > 0);
			state = p.err_past ? END_ERROR : piece_end(seg, &p);
		}
		if (p.err_past) {
			skip = p.err_off;
			if (i == n) {
				seg->err_past = 1;
				seg->err_off = p.err_off;
			}
		}
		/* The next piece starts at this one's end. */
		pc.start_fup = p.has_fup;
		pc.start_ip = p.fup;
	}
done:
	pc.base = 0;
	pc.start_fup = seg->start_fup;
	seg->end_state = seg->err_past ? END_ERROR : piece_end(seg, &pc);
}

/* Takes the next segment to decode, with a recycled item buffer (they
 * spare the page faults of fresh ones); r->mu held.  Returns its index. */
static size_t take_segment(struct seg_run *r)
{
	size_t k = r->next++;

	if (r->npool) {
		r->npool--;
		r->segs[k].items = r->pool[r->npool].items;
		r->segs[k].cap = r->pool[r->npool].cap;
	}
	return k;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct seg_run *r = w->run;

	for (;;) {
		size_t k;

		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->next < r->nsegs &&
		       r->next >= r->consumed + r->window) {
			r->idle++;
			pthread_cond_wait(&r->work_cv, &r->mu);
			r->idle--;
		}
		if (r->stop || r->next >= r->nsegs) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		k = take_segment(r);
		pthread_mutex_unlock(&r->mu);
		decode_segment(w, k, ARRIVE_GUESS);
		pthread_mutex_lock(&r->mu);
		r->segs[k].done = 1;
		/* Only the main thread waits for a segment, and for one. */
		if (r->awaited == k + 1)
			pthread_cond_signal(&r->done_cv);
		pthread_mutex_unlock(&r->mu);
	}
}

/* PSB offsets via libipt's packet decoder. */
static size_t find_psbs(const struct hwt_pt_env *env, const uint8_t *buf,
			size_t size, struct segment **segs)
{
	struct pt_packet_decoder *p;
	struct pt_config cfg;
	size_t n = 0, cap = 0;
	/* Segments of at least a 1024th of the trace (at most 64 KiB): a
	 * segment costs two thread handoffs, a PSB every few KiB is common. */
	uint64_t min = size / 1024 < 65536 ? size / 1024 : 65536;

	/* Tests: segments of several PSBs in small traces. */
	if (env->params.segment_min)
		min = env->params.segment_min;

	*segs = NULL;
	hwt_pt_config(env, &cfg, buf, buf + size);
	p = pt_pkt_alloc_decoder(&cfg);
	if (!p)
		return 0;
	while (pt_pkt_sync_forward(p) >= 0) {
		uint64_t off;

		if (pt_pkt_get_sync_offset(p, &off) < 0)
			break;
		if (n && off - (*segs)[n - 1].start < min)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*segs = hwt_xrealloc(*segs, cap * sizeof(**segs));
		}
		memset(&(*segs)[n], 0, sizeof(**segs));
		(*segs)[n].start = off;
		if (n)
			(*segs)[n - 1].end = off;
		n++;
	}
	if (n)
		(*segs)[n - 1].end = size;
	pt_pkt_free_decoder(p);
	return n;
}

/*
 * Hands segment s to the sink.  Runs of fast-path blocks go as ids when the
 * sink interns (each cached block interned once, at its first use, which
 * keeps the sink's id order): the per-block work is then the sink's count.
 */
static int feed(struct segment *s, const struct hwt_sink *sink,
		uint32_t stream)
{
	uint32_t ids[1024];
	const struct item *items;
	struct hwt_block tmp;
	size_t j = 0, m, lim;
	int rc = 0;

	while (j < s->n && rc == 0) {
		const struct item *it = &s->items[j];

		if (it->kind == IT_EVENT) {
			rc = sink->event(sink->arg, stream, &s->ext[it->x].e);
			j++;
			continue;
		}
		if (it->kind == IT_BLOCK || !sink->intern || !sink->blocks) {
			rc = sink->block(sink->arg, stream,
					 seg_item_block(s, it, &tmp));
			j++;
			continue;
		}
		/* The run's bounds in locals: the sink's interning cannot
		 * move the items, but the compiler cannot know it. */
		items = s->items;
		lim = s->n - j < HWT_ARRAY_SIZE(ids) ?
		      s->n : j + HWT_ARRAY_SIZE(ids);
		for (m = 0; j < lim && items[j].kind == IT_FAST; m++, j++) {
			struct fblock *fb = items[j].fb;
			uint32_t cid = fb->cid;

			if (__builtin_expect(!cid, 0)) {
				const struct hwt_block *b =
					seg_item_block(s, &items[j], &tmp);

				/* The cache split the block already. */
				cid = sink->intern_lens ?
				      sink->intern_lens(sink->arg, stream,
							b, fb->lens) :
				      sink->intern(sink->arg, stream, b);
				if (!cid)
					return -1;
				fb->cid = cid;
			}
			ids[m] = cid;
		}
		rc = sink->blocks(sink->arg, stream, ids, m);
	}
	return rc;
}

int hwt_pt_decode_segments(const uint8_t *buf, size_t size,
			   const struct hwt_pt_env *env, int threads,
			   const struct hwt_stream_info *info,
			   const struct hwt_sink *sink, char *err,
			   size_t errlen)
{
	struct seg_run r;
	struct worker *ws, *mw;
	uint64_t skip_until = 0;
	size_t i;
	int t, rc = 0, started = 0;
	/* How the segment fed last ended (the first starts with a sync). */
	int prev_end = END_ERROR;

	memset(&r, 0, sizeof(r));
	r.buf = buf;
	r.size = size;
	r.env = env;
	r.stream = info->id;
	r.nsegs = find_psbs(env, buf, size, &r.segs);
	/* Tests: every segment through libipt's block decoder, so that its
	 * joins are checked on traces the fast path would take. */
	r.no_fast = env->params.no_fastpath != 0;
	/* 2: and the two-decode join only (its test). */
	r.join2 = env->params.no_fastpath == 2;
	/* Tests: this thread decodes every segment, last first, before it
	 * feeds the first; the workers take none. */
	r.reverse = env->params.reverse_segments != 0;
	if (r.reverse)
		r.next = r.nsegs;
	r.bdm70 = env->params.family || env->params.model;
	if (r.bdm70) {
		struct pt_config cfg;

		hwt_pt_config(env, &cfg, buf, buf + size);
		r.bdm70 = cfg.errata.bdm70;
	}
	if (threads < 1)
		threads = 1;
	r.window = (size_t)threads * 16;
	r.pool = hwt_xrealloc(NULL, (r.window + (size_t)threads) *
			      sizeof(*r.pool));
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.work_cv, NULL);
	pthread_cond_init(&r.done_cv, NULL);
	/* ws[0] is this thread's: it decodes the segments no worker has
	 * taken when it comes to them, and again one whose start a worker
	 * guessed wrong; the others' threads are workers.  This thread feeds
	 * the sink, the longest part of the work: a worker of its own on
	 * each CPU beside it would take CPU time from it. */
	ws = calloc((size_t)threads, sizeof(*ws));
	if (!ws)
		abort();
	mw = &ws[0];
	for (t = 0; t < threads; t++) {
		ws[t].run = &r;
		ws[t].pimg = hwt_pt_env_image(env);
		ws[t].dis = hwt_disasm_alloc();
		seg_cache_grow(&ws[t]);
		if (!ws[t].pimg) {
			hwt_errf(err, errlen, "libipt: cannot build the image");
			rc = -1;
			break;
		}
		if (t == 0)
			continue;
		if (pthread_create(&ws[t].th, NULL, worker_main, &ws[t])) {
			hwt_errf(err, errlen, "cannot start decoder threads");
			rc = -1;
			break;
		}
		started++;
	}
	/* Tests: every segment, last first, decoded as a worker decodes it
	 * (how it starts guessed; the feed below checks the guess). */
	for (i = r.nsegs; rc == 0 && r.reverse && i-- > 0;) {
		decode_segment(mw, i, ARRIVE_GUESS);
		r.segs[i].done = 1;
	}
	/* Feed the segments to the sink in order as they complete. */
	for (i = 0; rc == 0 && i < r.nsegs; i++) {
		struct segment *s = &r.segs[i];

		pthread_mutex_lock(&r.mu);
		/* Taken by no worker yet (all busy, or none: inline): this
		 * thread decodes it, knowing how the one before ended. */
		if (r.next == i) {
			take_segment(&r);
			pthread_mutex_unlock(&r.mu);
			if (s->start >= skip_until)
				decode_segment(mw, i, prev_end == END_DISABLED);
			pthread_mutex_lock(&r.mu);
			s->done = 1;
		}
		while (!s->done) {
			size_t k;

			/* A worker has it (and may be descheduled on a busy
			 * machine): rather than sleep, decode one the workers
			 * would take next, as they do. */
			if (r.next < r.nsegs && r.next < r.consumed + r.window) {
				k = take_segment(&r);
				pthread_mutex_unlock(&r.mu);
				decode_segment(mw, k, ARRIVE_GUESS);
				pthread_mutex_lock(&r.mu);
				r.segs[k].done = 1;
				continue;
			}
			r.awaited = i + 1;
			pthread_cond_wait(&r.done_cv, &r.mu);
		}
		r.awaited = 0;
		pthread_mutex_unlock(&r.mu);
		if (s->start >= skip_until) {
			/* The worker guessed how the segment starts: decode it
			 * again if the segment before says otherwise. */
			if (s->start_disabled !=
			    (prev_end == END_DISABLED && s->start_fup))
				decode_segment(mw, i, prev_end == END_DISABLED);
			rc = feed(s, sink, info->id);
			if (env->params.stats) {
				env->params.stats->fast_bytes += s->fast_bytes;
				env->params.stats->libipt_bytes +=
					s->libipt_bytes;
			}
			if (!rc && sink->progress)
				rc = sink->progress(sink->arg, info->id, s->end);
			if (s->err_past)
				skip_until = s->err_off;
			prev_end = s->end_state;
		} else {
			prev_end = END_ERROR;	/* resynced after it */
		}
		pthread_mutex_lock(&r.mu);
		if (s->items && r.npool < r.window + (size_t)threads) {
			r.pool[r.npool].items = s->items;
			r.pool[r.npool++].cap = s->cap;
		} else {
			free(s->items);
		}
		s->items = NULL;
		free(s->ext);
		s->ext = NULL;
		/* The sink sees the segments in trace order, each once. */
		assert(r.consumed == i);
		r.consumed = i + 1;
		/* Waiting workers go on once half the window is free: they
		 * decode segments in runs, not one handoff per segment. */
		if (r.idle && r.next - r.consumed <= r.window / 2)
			pthread_cond_broadcast(&r.work_cv);
		pthread_mutex_unlock(&r.mu);
	}
	if (rc)
		hwt_errf(err, errlen, "decode aborted (output)");
	pthread_mutex_lock(&r.mu);
	r.stop = 1;
	pthread_cond_broadcast(&r.work_cv);
	pthread_mutex_unlock(&r.mu);
	for (t = 0; t < threads; t++) {
		if (t >= 1 && t <= started)
			pthread_join(ws[t].th, NULL);
		if (ws[t].pimg)
			pt_image_free(ws[t].pimg);
		hwt_disasm_free(ws[t].dis);
		for (i = 0; ws[t].tab && i <= ws[t].mask; i++)
			if (ws[t].tab[i]) {
				free(ws[t].tab[i]->lens);
				free(ws[t].tab[i]);
			}
		free(ws[t].tab);
	}
	for (i = 0; i < r.nsegs; i++) {
		free(r.segs[i].items);
		free(r.segs[i].ext);
	}
	while (r.npool)
		free(r.pool[--r.npool].items);
	free(r.pool);
	free(r.segs);
	free(ws);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.work_cv);
	pthread_cond_destroy(&r.done_cv);
	return rc ? -1 : 0;
}
