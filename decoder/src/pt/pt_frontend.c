/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel PT front end: libipt's block decoder over an image section cache,
 * with ptxed's error semantics: on a decode error the instructions decoded
 * so far count, the error is reported (a gap) and decoding resyncs at the
 * next PSB; the end of the trace ends the decode.  Large traces go to
 * pt_segment.c (PSB segments in parallel).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt/pt_internal.h"

/* Below this, decode in one piece: segmenting only pays for big traces. */
#define SEGMENT_MIN_BYTES (4u << 20)

struct pt_ctx {
	const struct hwt_pt_env *env;
	const struct hwt_sink *sink;
	uint32_t stream;
	uint64_t base;
	struct pt_block_decoder *dec;
	uint64_t time;
	int aborted;
	struct hwt_pt_stop *stop;
	uint64_t ninsn;		/* instructions emitted */
	uint64_t nblocks;	/* blocks emitted (progress every 64 Ki) */
	int in_prefix;		/* the disabled start's own events pending */
	uint64_t spin_blocks;	/* blocks since the last progress check */
	uint64_t spin_off;	/* the decoder's offset at that check */
	/* A block that may go on in the next one (emit_block()): not yet
	 * sent; held_isid: the libipt section it was read from. */
	struct hwt_block held;
	int have_held, held_isid;
	/* The event after a one-instruction block, fetched before the
	 * block was sent (peek_tick()); peek_status: pt_blk_event's. */
	struct pt_event peek;
	int peek_status, have_peek;
};

int hwt_pt_isa(enum pt_exec_mode m)
{
	switch (m) {
	case ptem_16bit: return HWT_ISA_X86_16;
	case ptem_32bit: return HWT_ISA_X86_32;
	case ptem_64bit: return HWT_ISA_X86_64;
	default: return HWT_ISA_UNKNOWN;
	}
}

static int iclass_of(enum pt_insn_class c)
{
	switch (c) {
	case ptic_call: return HWT_IC_CALL;
	case ptic_return: return HWT_IC_RET;
	case ptic_jump: return HWT_IC_JUMP;
	case ptic_cond_jump: return HWT_IC_COND_JUMP;
	case ptic_far_call: return HWT_IC_FAR_CALL;
	case ptic_far_return: return HWT_IC_FAR_RET;
	case ptic_far_jump: return HWT_IC_FAR_JUMP;
	default: return HWT_IC_OTHER;
	}
}

static uint64_t offset_of(const struct pt_ctx *x)
{
	uint64_t off = 0;

	if (pt_blk_get_offset(x->dec, &off) < 0)
		return x->base;
	return x->base + off;
}

/*
 * The libipt image of img: built over the shared section cache on first
 * use (each section added as hwt_pt_env_init adds the default image's).
 * Returns it, or NULL if: libipt failed (out of memory, a file it cannot
 * read).
 */
static struct pt_image *picked_image(const struct hwt_pt_env *env,
				     struct hwt_image *img)
{
	struct hwt_pt_picks *ps = env->picks;
	struct pt_image *pimg;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->imgs[i] == img)
			return ps->pimgs[i];
	pimg = pt_image_alloc(NULL);
	if (!pimg)
		return NULL;
	for (i = 0; i < hwt_image_nsections(img); i++) {
		const struct hwt_section *s = hwt_image_section(img, i);
		int isid = pt_iscache_add_file(env->isc, s->path,
					       s->file_offset, s->size,
					       s->vaddr);

		if (isid < 0 ||
		    pt_image_add_cached(pimg, env->isc, isid, NULL) < 0) {
			pt_image_free(pimg);
			return NULL;
		}
	}
	ps->imgs = hwt_xrealloc(ps->imgs, (ps->n + 1) * sizeof(*ps->imgs));
	ps->pimgs = hwt_xrealloc(ps->pimgs, (ps->n + 1) *
				 sizeof(*ps->pimgs));
	ps->imgs[ps->n] = img;
	ps->pimgs[ps->n++] = pimg;
	return pimg;
}

/*
 * With params.pick: asks it which image the trace decodes against from
 * here (enable: at a TIP.PGE's ENABLE event) and switches libipt's
 * decoder to it.  Between blocks only: libipt reads no code for a block
 * before pt_blk_next, and its section cache is checked against the
 * decoder's image on each read.
 * Returns 0 if: switched, the same, or no pick.
 * Returns -1 if: the image could not be built for libipt.
 */
static int pick_image(struct pt_ctx *x, int enable)
{
	struct hwt_pt_picks *ps = x->env->picks;
	const struct hwt_pt_pick *pk = x->env->params.pick;
	struct hwt_image *img;
	struct pt_image *pimg;

	if (!ps || !pk)
		return 0;
	img = pk->image_at(pk->arg, x->time, enable);
	if (img == ps->cur)
		return 0;
	pimg = picked_image(x->env, img);
	if (!pimg)
		return -1;
	ps->cur = img;
	return pt_blk_set_image(x->dec, pimg) < 0 ? -1 : 0;
}

/*
 * Sends hb to the sink, and the progress every 64 Ki blocks.
 * Returns 0, or the sink's negative abort value (x->aborted set).
 */
static int send_block(struct pt_ctx *x, const struct hwt_block *hb)
{
	int rc = x->sink->block(x->sink->arg, x->stream, hb);

	if (rc >= 0 && x->sink->progress && !(++x->nblocks & 0xffff))
		rc = x->sink->progress(x->sink->arg, x->stream, offset_of(x));
	if (rc < 0)
		x->aborted = rc;
	return rc;
}

/*
 * Sends the held block, if any (emit_block()).
 * Returns 0, or the sink's negative abort value.
 */
static int flush_held(struct pt_ctx *x)
{
	if (!x->have_held)
		return 0;
	x->have_held = 0;
	return send_block(x, &x->held);
}

static int emit_event(struct pt_ctx *x, uint32_t type, int32_t code,
		      uint64_t ip, uint64_t arg, const char *msg)
{
	struct hwt_event ev;
	int rc;

	if (pick_image(x, type == HWT_EV_ENABLE) < 0) {
		x->aborted = -1;
		return -1;
	}
	/* The block before the event ends there. */
	rc = flush_held(x);
	if (rc < 0)
		return rc;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.code = code;
	ev.ip = ip;
	ev.arg = arg;
	ev.time = x->time;
	ev.offset = offset_of(x);
	ev.msg = msg;
	rc = x->sink->event(x->sink->arg, x->stream, &ev);
	if (rc < 0)
		x->aborted = rc;
	return rc;
}

/* Whether the decode has read past the stop boundary. */
static int past(const struct pt_ctx *x)
{
	return x->stop && offset_of(x) > x->stop->boundary;
}

/* Returns 1 when the decode stops here (an error past the boundary). */
static int emit_gap_msg(struct pt_ctx *x, int status,
			const struct pt_block *b, const char *msg)
{
	if (emit_event(x, HWT_EV_GAP, status, b && b->ninsn ? b->end_ip : 0,
		       0, msg) < 0)
		return -1;
	if (!past(x))
		return 0;
	x->stop->err_past = 1;
	x->stop->err_off = offset_of(x);
	return 1;
}

static int emit_gap(struct pt_ctx *x, int status, const struct pt_block *b)
{
	return emit_gap_msg(x, status, b, pt_errstr(pt_errcode(status)));
}

/*
 * Whether the decode walks code without reading trace (pt_internal.h's
 * HWT_PT_SPIN_BLOCKS says why), checked once every HWT_PT_SPIN_BLOCKS
 * blocks.
 * Returns 1 if the decoder's offset has not moved since the last check,
 * 0 if it has or no check is due.
 */
static int spinning(struct pt_ctx *x)
{
	uint64_t off;

	if (++x->spin_blocks < HWT_PT_SPIN_BLOCKS)
		return 0;
	x->spin_blocks = 0;
	if (pt_blk_get_offset(x->dec, &off) < 0)
		return 0;
	if (off == x->spin_off)
		return 1;
	x->spin_off = off;
	return 0;
}

/*
 * Past the instructions the segment's own trace accounts for, the block
 * that holds the next segment's FUP ends the decode (one that straddles
 * that point may hold it before it: pt_segment.c's cut_after() checks).
 * Not "past the boundary": libipt reads ahead, so the decoder's offset
 * passes the next PSB while it still finishes blocks that the trace
 * before it decided.
 */
static int at_fup(struct pt_ctx *x, const struct pt_block *b)
{
	if (!x->stop || x->ninsn + b->ninsn <= x->stop->skip_insns ||
	    !b->ninsn || x->stop->fup < b->ip || x->stop->fup > b->end_ip)
		return 0;
	x->stop->found = 1;
	return 1;
}

/*
 * Whether b, the next block after the held one with no event between
 * them, goes on from it: same section and mode, starting one instruction
 * after its end (a held block ends in no branch), within the span the
 * core reads a block's code in (1 MiB).
 */
static int goes_on(const struct pt_ctx *x, const struct pt_block *b)
{
	const struct hwt_block *h = &x->held;

	return x->have_held && b->isid == x->held_isid &&
	       hwt_pt_isa(b->mode) == h->isa && b->ip > h->end_ip &&
	       b->ip - h->end_ip <= 15 && b->end_ip - h->ip < (1u << 20) &&
	       (uint64_t)h->ninsn + b->ninsn <= UINT32_MAX;
}

/*
 * Block b from libipt (partial: the decode stops in it; more: no event
 * comes before the next block).  libipt ends a block early where its
 * block cache, which the section cache shares between decoders, already
 * holds the next instruction's entry: where a segment's blocks end would
 * depend on which segments other threads decoded before it, and so would
 * the ids the sink interns them under.  So a block that ends in no branch
 * (and nothing but the next block follows) is held and joined with the
 * next one that starts where it ends: a run of instructions ends only at
 * a branch, an event, a section's end, an error, a truncated instruction
 * or the decode's stop, whatever the cache held.  The core would join the
 * pieces too (its pending blocks), after interning each.
 * Returns 0, or the sink's negative abort value.
 */
static int emit_block(struct pt_ctx *x, const struct pt_block *b,
		      int partial, int more)
{
	struct hwt_block hb;
	int rc;

	if (!b->ninsn)
		return 0;
	x->ninsn += b->ninsn;
	hb.ip = b->ip;
	hb.end_ip = b->end_ip;
	hb.time = x->time;
	hb.offset = 0;
	hb.ninsn = b->ninsn;
	hb.isa = (uint8_t)hwt_pt_isa(b->mode);
	hb.iclass = (uint8_t)iclass_of(b->iclass);
	hb.flags = (b->truncated ? HWT_BLK_TRUNCATED : 0) |
		   (b->speculative ? HWT_BLK_SPECULATIVE : 0) |
		   (partial ? HWT_BLK_PARTIAL : 0);
	if (goes_on(x, b)) {
		/* The held block's start and time, b's end. */
		hb.ip = x->held.ip;
		hb.time = x->held.time;
		hb.ninsn += x->held.ninsn;
		x->have_held = 0;
	} else if ((rc = flush_held(x)) < 0) {
		return rc;
	}
	if (more && !partial && !b->truncated && b->iclass == ptic_other) {
		x->held = hb;
		x->held_isid = b->isid;
		x->have_held = 1;
		return 0;
	}
	return send_block(x, &hb);
}

/*
 * The next pending event into ev: the one peek_tick() fetched, or the
 * decoder's.  Returns pt_blk_event's status (negative: an error).
 */
static int next_event(struct pt_ctx *x, struct pt_event *ev)
{
	if (x->have_peek) {
		x->have_peek = 0;
		*ev = x->peek;
		return x->peek_status;
	}
	return pt_blk_event(x->dec, ev, sizeof(*ev));
}

/*
 * A one-instruction block b with an event pending: if that event is a
 * tick bound to b's instruction (libipt binds the time read before a
 * branch's TIP or TNT to the branch), the instruction retired at the
 * tick's time, and so did the block begin: perf's decoder times it so
 * (a PLT stub's jmp after a TSC: the callee's first instruction).  A
 * longer block's first instruction came before the timing packet.  The
 * event is kept for drain_events(), which handles it as before.
 * Returns status.
 */
static int peek_tick(struct pt_ctx *x, const struct pt_block *b, int status)
{
	if (b->ninsn != 1 || !(status & pts_event_pending) || x->in_prefix)
		return status;
	x->peek_status = pt_blk_event(x->dec, &x->peek, sizeof(x->peek));
	x->have_peek = 1;
	if (x->peek_status >= 0 && x->peek.type == ptev_tick &&
	    x->peek.has_tsc && x->peek.variant.tick.ip == b->ip)
		x->time = x->peek.tsc;
	return status;
}

/* Handles pending events; returns the decoder status or negative. */
static int drain_events(struct pt_ctx *x, int status)
{
	while (x->have_peek || (status & pts_event_pending)) {
		struct pt_event ev;
		int rc = 0;

		status = next_event(x, &ev);
		if (status < 0)
			return status;
		if (x->in_prefix) {
			/* disabled_start()'s packets: not the trace's. */
			if (ev.type == ptev_async_disabled)
				x->in_prefix = 0;
			continue;
		}
		if (ev.has_tsc)
			x->time = ev.tsc;
		switch (ev.type) {
		case ptev_enabled:
			rc = emit_event(x, HWT_EV_ENABLE, 0,
					ev.variant.enabled.ip,
					ev.variant.enabled.resumed, NULL);
			break;
		case ptev_disabled:
			rc = emit_event(x, HWT_EV_DISABLE, 0,
					ev.ip_suppressed ? 0 :
					ev.variant.disabled.ip, 0, NULL);
			break;
		case ptev_async_disabled:
			rc = emit_event(x, HWT_EV_DISABLE, 0,
					ev.variant.async_disabled.at, 0, NULL);
			break;
		case ptev_async_branch:
			rc = emit_event(x, HWT_EV_ASYNC, 0,
					ev.variant.async_branch.from,
					ev.variant.async_branch.to, NULL);
			break;
		case ptev_paging:
			rc = emit_event(x, HWT_EV_CONTEXT, 0, 0,
					ev.variant.paging.cr3, "cr3");
			break;
		case ptev_async_paging:
			/* A PSB+'s PIP (SDM vol. 3C 33.3.7: with ContextEn,
			 * OS=1, with every PSB) says the CR3 in use: while
			 * tracing is enabled a change of it has a PIP of its
			 * own (MOV CR3), so this one changes nothing and is
			 * no break in the flow, as the MODE.Exec beside it. */
			if (ev.status_update)
				break;
			rc = emit_event(x, HWT_EV_CONTEXT, 0,
					ev.variant.async_paging.ip,
					ev.variant.async_paging.cr3, "cr3");
			break;
		case ptev_overflow:
			rc = emit_event(x, HWT_EV_OVERFLOW, 0,
					ev.ip_suppressed ? 0 :
					ev.variant.overflow.ip, 0, "overflow");
			break;
		case ptev_exec_mode:
			if (x->stop && x->stop->by_mode && !x->stop->found &&
			    x->stop->modes_seen++ == x->stop->modes_before) {
				/* The next segment's PSB+: the join. */
				if (ev.ip_suppressed ||
				    ev.variant.exec_mode.ip != x->stop->fup) {
					x->stop->mismatch = 1;
					return status;
				}
				x->stop->found = 1;
				x->stop->join_insns = x->ninsn;
				return status;
			}
			rc = emit_event(x, HWT_EV_EXEC_MODE, 0,
					ev.variant.exec_mode.ip,
					(uint64_t)hwt_pt_isa(
						ev.variant.exec_mode.mode),
					NULL);
			break;
		default:
			break;
		}
		if (rc < 0)
			return rc;
	}
	return status;
}

/*
 * At the join (the next PSB+'s MODE.Exec event, or the block that holds
 * its FUP): one more step, as a continuous decode would take, to see
 * whether the trace goes on from there.  If it does, nothing of it is
 * emitted (the next segment decodes it); an error there is the continuous
 * decode's error: what it decoded and the gap (err_past).
 */
static int check_on(struct pt_ctx *x, int status)
{
	struct pt_block block;

	memset(&block, 0, sizeof(block));
	while (status >= 0 &&
	       (x->have_peek || (status & pts_event_pending))) {
		struct pt_event ev;

		status = next_event(x, &ev);
	}
	if (status >= 0 && !(status & pts_eos))
		status = pt_blk_next(x->dec, &block, sizeof(block));
	if (status >= 0 || status == -pte_eos)
		return 0;
	/* What the continuous decode decoded, then its error. */
	x->stop->found = 0;
	if (emit_block(x, &block, 1, 0) < 0 ||
	    emit_event(x, HWT_EV_GAP, status, block.ninsn ? block.end_ip : 0,
		       0, pt_errstr(pt_errcode(status))) < 0)
		return x->aborted;
	x->stop->err_past = 1;
	x->stop->err_off = offset_of(x);
	return 0;
}

/* ptxed's decode loop, block flavour. */
static int decode_loop(struct pt_ctx *x)
{
	uint64_t last_offset = 0;
	int have_last = 0;

	for (;;) {
		struct pt_block block;
		int status, stop, spun = 0;

		memset(&block, 0, sizeof(block));
		status = pt_blk_sync_forward(x->dec);
		x->have_peek = 0;	/* the events before it are gone */
		x->spin_blocks = 0;
		x->spin_off = UINT64_MAX;
		if (status >= 0 && x->stop) {
			uint64_t off;

			/* Resynced into the next segment: its own decode
			 * covers the rest. */
			if (pt_blk_get_sync_offset(x->dec, &off) >= 0 &&
			    x->base + off >= x->stop->boundary)
				break;
		}
		if (status < 0) {
			uint64_t off;
			int rc;

			if (status == -pte_eos)
				break;
			rc = emit_gap(x, status, NULL);
			if (rc < 0)
				return x->aborted;
			if (rc)
				break;
			/* No progress: we never will. */
			if (pt_blk_get_offset(x->dec, &off) < 0 ||
			    (have_last && off <= last_offset))
				break;
			last_offset = off;
			have_last = 1;
			continue;
		}
		for (;;) {
			status = drain_events(x, status);
			if (x->aborted)
				return x->aborted;
			if (x->stop && x->stop->mismatch)
				return 0;
			if (x->stop && x->stop->by_mode && x->stop->found)
				return check_on(x, status);
			if (status < 0)
				break;
			if (status & pts_eos) {
				status = -pte_eos;
				break;
			}
			block.ninsn = 0;
			if (pick_image(x, 0) < 0) {
				x->aborted = -1;
				return x->aborted;
			}
			status = pt_blk_next(x->dec, &block, sizeof(block));
			if (status >= 0)
				status = peek_tick(x, &block, status);
			stop = at_fup(x, &block);
			if (emit_block(x, &block, status < 0 || stop,
				       status >= 0 &&
				       !(status & pts_event_pending)) < 0)
				return x->aborted;
			if (stop && status >= 0)
				return check_on(x, status);
			if (stop && status == -pte_eos)
				return 0;
			/* An error with the block: the continuous decode's
			 * error, reported below. */
			if (stop)
				x->stop->found = 0;
			if (status < 0)
				break;
			if (spinning(x)) {
				spun = 1;
				break;
			}
		}
		if (spun) {
			/* A literal: a segment's items keep the pointer. */
			_Static_assert(HWT_PT_SPIN_BLOCKS == 65536,
				       "the message names the bound");
			/* Resync at the next PSB, as after any error. */
			stop = emit_gap_msg(x, -pte_nosync, &block,
					    "no trace read in 65536 blocks: the "
					    "image does not match the trace (a "
					    "loop of direct branches)");
			if (stop < 0)
				return x->aborted;
			if (stop)
				break;
			continue;
		}
		if (status == -pte_eos)
			break;
		stop = emit_gap(x, status, &block);
		if (stop < 0)
			return x->aborted;
		if (stop)
			break;
	}
	return 0;
}

void hwt_pt_config(const struct hwt_pt_env *env, struct pt_config *cfg,
		   const uint8_t *begin, const uint8_t *end)
{
	const struct hwt_pt_params *p = &env->params;

	pt_config_init(cfg);
	/* libipt never writes through begin/end. */
	cfg->begin = (uint8_t *)(uintptr_t)begin;
	cfg->end = (uint8_t *)(uintptr_t)end;
	/* Blocks contiguous in memory: the core finds instruction
	 * boundaries by decoding sequentially from ip. */
	cfg->flags.variant.block.end_on_call = 1;
	cfg->flags.variant.block.end_on_jump = 1;
	/* A timing packet outside an event (a PSB+'s TSC, the TSC an
	 * enable writes mid-run, 33.2.8.3) moves the time as perf moves
	 * it: a tick event (drain_events takes its TSC); the block split
	 * there is merged again by the core (no branch ends it). */
	cfg->flags.variant.block.enable_tick_events = 1;
	if (p->family || p->model) {
		cfg->cpu.vendor = pcv_intel;
		cfg->cpu.family = (uint16_t)p->family;
		cfg->cpu.model = (uint8_t)p->model;
		cfg->cpu.stepping = (uint8_t)p->stepping;
		pt_cpu_errata(&cfg->errata, &cfg->cpu);
	}
	cfg->mtc_freq = p->mtc_freq;
	cfg->nom_freq = p->nom_freq;
	cfg->cpuid_0x15_eax = p->cpuid_15_eax;
	cfg->cpuid_0x15_ebx = p->cpuid_15_ebx;
}

/*
 * The trace buf[0..size), which starts at a PSB, behind packets that leave
 * libipt's decoder where a continuous decode is after tracing was disabled
 * at ip: a PSB+ with FUP ip, then FUP ip and TIP.PGD (an asynchronous
 * disable at ip: no instruction runs).  libipt syncs with tracing enabled
 * at a PSB+ that has a FUP, but a PSB+ while tracing is disabled may carry
 * one too (TraceEn=1 with FilterEn or ContextEn=0, SDM "Packet
 * Generation"); a continuous decode stays disabled there and accepts it if
 * its IP is where tracing stopped.  Returns a malloc'd copy (*prefix_len
 * bytes of prefix) or NULL.
 */
static uint8_t *disabled_start(const struct pt_config *cfg, uint64_t ip,
			       size_t *prefix_len)
{
	uint8_t head[64];
	struct pt_config ec;
	struct pt_encoder *enc;
	struct pt_packet p[6];
	uint64_t len = 0;
	uint8_t *copy = NULL;
	size_t size = (size_t)(cfg->end - cfg->begin), i;

	memset(p, 0, sizeof(p));
	p[0].type = ppt_psb;
	p[1].type = ppt_mode;
	p[1].payload.mode.leaf = pt_mol_exec;
	p[1].payload.mode.bits.exec.csl = 1;
	p[2].type = ppt_fup;
	p[2].payload.ip.ipc = pt_ipc_full;
	p[2].payload.ip.ip = ip;
	p[3].type = ppt_psbend;
	p[4] = p[2];
	p[5].type = ppt_tip_pgd;
	p[5].payload.ip.ipc = pt_ipc_suppressed;
	pt_config_init(&ec);
	ec.begin = head;
	ec.end = head + sizeof(head);
	enc = pt_alloc_encoder(&ec);
	if (!enc)
		return NULL;
	for (i = 0; i < HWT_ARRAY_SIZE(p); i++)
		if (pt_enc_next(enc, &p[i]) < 0)
			break;
	if (i == HWT_ARRAY_SIZE(p) && pt_enc_get_offset(enc, &len) >= 0) {
		copy = hwt_xrealloc(NULL, (size_t)len + size);
		memcpy(copy, head, (size_t)len);
		memcpy(copy + len, cfg->begin, size);
		*prefix_len = (size_t)len;
	}
	pt_free_encoder(enc);
	return copy;
}

int hwt_pt_blk_loop(const struct hwt_pt_env *env, struct pt_image *pimg,
		    const uint8_t *buf, size_t size, uint64_t base,
		    const struct hwt_sink *sink, uint32_t stream,
		    struct hwt_pt_stop *stop, const uint64_t *disabled_at)
{
	struct pt_config cfg;
	struct pt_ctx x;
	uint8_t *copy = NULL;
	int rc;

	memset(&x, 0, sizeof(x));
	x.env = env;
	x.stop = stop;
	x.sink = sink;
	x.stream = stream;
	x.base = base;
	hwt_pt_config(env, &cfg, buf, buf + size);
	if (disabled_at) {
		size_t plen = 0;

		copy = disabled_start(&cfg, *disabled_at, &plen);
		if (!copy)
			return -1;
		cfg.begin = copy;
		cfg.end = copy + plen + size;
		x.base = base - plen;
		x.in_prefix = 1;
	}
	x.dec = pt_blk_alloc_decoder(&cfg);
	if (!x.dec) {
		free(copy);
		return -1;
	}
	if (env->picks && env->picks->cur)
		pimg = picked_image(env, env->picks->cur);
	if (!pimg || pt_blk_set_image(x.dec, pimg) < 0) {
		pt_blk_free_decoder(x.dec);
		free(copy);
		return -1;
	}
	rc = decode_loop(&x);
	/* The block held last ends where the decode does. */
	if (rc >= 0 && flush_held(&x) < 0)
		rc = x.aborted;
	pt_blk_free_decoder(x.dec);
	free(copy);
	return rc;
}

int hwt_pt_env_init(struct hwt_pt_env *env, struct hwt_image *img,
		    const struct hwt_pt_params *params, char *err,
		    size_t errlen)
{
	size_t i;

	memset(env, 0, sizeof(*env));
	if (params)
		env->params = *params;
	env->img = img;
	env->isc = pt_iscache_alloc(NULL);
	if (!env->isc) {
		hwt_errf(err, errlen, "libipt: out of memory");
		return -1;
	}
	env->nisids = img ? hwt_image_nsections(img) : 0;
	env->isids = hwt_xrealloc(NULL, (env->nisids + 1) * sizeof(int));
	for (i = 0; i < env->nisids; i++) {
		const struct hwt_section *s = hwt_image_section(img, i);

		env->isids[i] = pt_iscache_add_file(env->isc, s->path,
						    s->file_offset, s->size,
						    s->vaddr);
		if (env->isids[i] < 0) {
			hwt_errf(err, errlen, "libipt: %s: %s", s->path,
				   pt_errstr(pt_errcode(env->isids[i])));
			hwt_pt_env_fini(env);
			return -1;
		}
	}
	return 0;
}

void hwt_pt_env_fini(struct hwt_pt_env *env)
{
	pt_iscache_free(env->isc);
	free(env->isids);
	memset(env, 0, sizeof(*env));
}

struct pt_image *hwt_pt_env_image(const struct hwt_pt_env *env)
{
	struct pt_image *pimg = pt_image_alloc(NULL);
	size_t i;

	if (!pimg)
		return NULL;
	for (i = 0; i < env->nisids; i++)
		if (pt_image_add_cached(pimg, env->isc, env->isids[i],
					NULL) < 0) {
			pt_image_free(pimg);
			return NULL;
		}
	return pimg;
}

/*
 * buf decoded in one piece with libipt's block decoder, its image
 * switched where env->params.pick says (pick_image()): the segments'
 * workers and the fast path's block cache (by ip) hold one image.
 * Returns 0, or -1 with err set if: an image could not be built or the
 * sink aborted.
 */
static int decode_picked(const uint8_t *buf, size_t size,
			 struct hwt_pt_env *env,
			 const struct hwt_stream_info *info,
			 const struct hwt_sink *sink, char *err, size_t errlen)
{
	const struct hwt_pt_pick *pk = env->params.pick;
	struct hwt_pt_picks ps;
	size_t i;
	int rc = 0;

	memset(&ps, 0, sizeof(ps));
	env->picks = &ps;
	/* The image before the trace says a time: the pick's first. */
	ps.cur = pk->image_at(pk->arg, 0, 0);
	if (size)
		rc = hwt_pt_blk_loop(env, NULL, buf, size, 0, sink, info->id,
				     NULL, NULL);
	if (env->params.stats)
		env->params.stats->whole_bytes += size;
	if (rc < 0)
		hwt_errf(err, errlen, "decode aborted (output, or an image "
			 "libipt could not build)");
	for (i = 0; i < ps.n; i++)
		pt_image_free(ps.pimgs[i]);
	free(ps.pimgs);
	free(ps.imgs);
	env->picks = NULL;
	return rc;
}

int hwt_pt_decode(const uint8_t *buf, size_t size, struct hwt_image *img,
		  const struct hwt_pt_params *params,
		  const struct hwt_stream_info *info,
		  const struct hwt_sink *sink, char *err, size_t errlen)
{
	struct hwt_pt_env env;
	struct pt_image *pimg;
	int threads = params ? params->threads : 0, rc;

	if (hwt_pt_env_init(&env, img, params, err, errlen) < 0)
		return -1;
	if (params && params->pick) {
		rc = decode_picked(buf, size, &env, info, sink, err, errlen);
		hwt_pt_env_fini(&env);
		return rc;
	}
	if (threads <= 0 && size >= SEGMENT_MIN_BYTES) {
		/* Auto, a big trace: PSB segments (the fast path pays even
		 * on one CPU), a decoding thread per CPU this process may
		 * run on (the main thread one of them). */
		int n = hwt_usable_cpus();

		threads = n > 8 ? 8 : n;
		rc = hwt_pt_decode_segments(buf, size, &env, threads, info,
					    sink, err, errlen);
		hwt_pt_env_fini(&env);
		return rc;
	}
	if (threads > 1 || (params && params->segmented)) {
		rc = hwt_pt_decode_segments(buf, size, &env, threads, info,
					    sink, err, errlen);
		hwt_pt_env_fini(&env);
		return rc;
	}
	pimg = hwt_pt_env_image(&env);
	if (!pimg) {
		hwt_errf(err, errlen, "libipt: cannot build the image");
		hwt_pt_env_fini(&env);
		return -1;
	}
	rc = size ? hwt_pt_blk_loop(&env, pimg, buf, size, 0, sink,
				    info->id, NULL, NULL) : 0;
	if (env.params.stats)
		env.params.stats->whole_bytes += size;
	if (rc < 0)
		hwt_errf(err, errlen, "decode aborted (output)");
	pt_image_free(pimg);
	hwt_pt_env_fini(&env);
	return rc;
}

int hwt_pt_decode_pieces(const uint8_t *buf, size_t size,
			 const struct hwt_cut *cuts, size_t ncuts,
			 struct hwt_image *img,
			 const struct hwt_pt_params *params,
			 const struct hwt_stream_info *info,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	uint64_t pos = 0;
	size_t i;
	int rc = 0;

	for (i = 0; rc >= 0 && i <= ncuts; i++) {
		uint64_t end = i < ncuts ? cuts[i].offset : size;

		if (end > size)
			end = size;
		if (end > pos)
			rc = hwt_pt_decode(buf + pos, (size_t)(end - pos), img,
					   params, info, sink, err, errlen);
		if (end > pos)
			pos = end;
		if (rc >= 0 && i < ncuts && cuts[i].msg) {
			struct hwt_event ev;

			memset(&ev, 0, sizeof(ev));
			ev.type = HWT_EV_GAP;
			ev.code = -1;
			ev.offset = cuts[i].offset;
			ev.msg = cuts[i].msg;
			rc = sink->event(sink->arg, info->id, &ev);
		}
	}
	return rc;
}
