/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel PT front end: libipt's block decoder over an image section cache,
 * with ptxed's error semantics: on a decode error the instructions decoded
 * so far count, the error is reported (a gap) and decoding resyncs at the
 * next PSB; the end of the trace ends the decode.
 */
#include <intel-pt.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pt_ctx {
	const struct hwt_sink *sink;
	const struct hwt_stream_info *info;
	struct pt_block_decoder *dec;
	int isa;
	uint64_t time;
	int aborted;
};

static int isa_of(enum pt_exec_mode m)
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
		return 0;
	return off;
}

static int emit_event(struct pt_ctx *x, uint32_t type, int32_t code,
		      uint64_t ip, uint64_t arg, const char *msg)
{
	struct hwt_event ev;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.code = code;
	ev.ip = ip;
	ev.arg = arg;
	ev.time = x->time;
	ev.offset = offset_of(x);
	ev.msg = msg;
	rc = x->sink->event(x->sink->arg, x->info->id, &ev);
	if (rc < 0)
		x->aborted = rc;
	return rc;
}

static int emit_gap(struct pt_ctx *x, int status, const struct pt_block *b)
{
	return emit_event(x, HWT_EV_GAP, status, b && b->ninsn ? b->end_ip : 0,
			  0, pt_errstr(pt_errcode(status)));
}

static int emit_block(struct pt_ctx *x, const struct pt_block *b)
{
	struct hwt_block hb;
	int rc;

	if (!b->ninsn)
		return 0;
	hb.ip = b->ip;
	hb.end_ip = b->end_ip;
	hb.time = x->time;
	hb.offset = 0;
	hb.ninsn = b->ninsn;
	hb.isa = (uint8_t)isa_of(b->mode);
	hb.iclass = (uint8_t)iclass_of(b->iclass);
	hb.flags = (b->truncated ? HWT_BLK_TRUNCATED : 0) |
		   (b->speculative ? HWT_BLK_SPECULATIVE : 0);
	rc = x->sink->block(x->sink->arg, x->info->id, &hb);
	if (rc < 0)
		x->aborted = rc;
	return rc;
}

/* Handles pending events; returns the decoder status or negative. */
static int drain_events(struct pt_ctx *x, int status)
{
	while (status & pts_event_pending) {
		struct pt_event ev;
		int rc = 0;

		status = pt_blk_event(x->dec, &ev, sizeof(ev));
		if (status < 0)
			return status;
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
			x->isa = isa_of(ev.variant.exec_mode.mode);
			rc = emit_event(x, HWT_EV_EXEC_MODE, 0,
					ev.variant.exec_mode.ip,
					(uint64_t)x->isa, NULL);
			break;
		default:
			break;
		}
		if (rc < 0)
			return rc;
	}
	return status;
}

/* ptxed's decode loop, block flavour. */
static int decode_loop(struct pt_ctx *x)
{
	uint64_t last_offset = 0;
	int have_last = 0;

	for (;;) {
		struct pt_block block;
		int status;

		memset(&block, 0, sizeof(block));
		status = pt_blk_sync_forward(x->dec);
		if (status < 0) {
			uint64_t off;

			if (status == -pte_eos)
				break;
			if (emit_gap(x, status, NULL) < 0)
				return x->aborted;
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
			if (status < 0)
				break;
			if (status & pts_eos) {
				status = -pte_eos;
				break;
			}
			block.ninsn = 0;
			status = pt_blk_next(x->dec, &block, sizeof(block));
			if (emit_block(x, &block) < 0)
				return x->aborted;
			if (status < 0)
				break;
		}
		if (status == -pte_eos)
			break;
		if (emit_gap(x, status, &block) < 0)
			return x->aborted;
	}
	return 0;
}

static void config_init(struct pt_config *cfg, const uint8_t *buf,
			size_t size, const struct hwt_pt_params *p)
{
	pt_config_init(cfg);
	/* libipt never writes through begin/end. */
	cfg->begin = (uint8_t *)(uintptr_t)buf;
	cfg->end = (uint8_t *)(uintptr_t)buf + size;
	/* Blocks contiguous in memory: the core finds instruction
	 * boundaries by decoding sequentially from ip. */
	cfg->flags.variant.block.end_on_call = 1;
	cfg->flags.variant.block.end_on_jump = 1;
	if (p && (p->family || p->model)) {
		cfg->cpu.vendor = pcv_intel;
		cfg->cpu.family = (uint16_t)p->family;
		cfg->cpu.model = (uint8_t)p->model;
		cfg->cpu.stepping = (uint8_t)p->stepping;
		pt_cpu_errata(&cfg->errata, &cfg->cpu);
	}
	if (p) {
		cfg->mtc_freq = p->mtc_freq;
		cfg->nom_freq = p->nom_freq;
		cfg->cpuid_0x15_eax = p->cpuid_15_eax;
		cfg->cpuid_0x15_ebx = p->cpuid_15_ebx;
	}
}

int hwt_pt_decode(const uint8_t *buf, size_t size, struct hwt_image *img,
		  const struct hwt_pt_params *params,
		  const struct hwt_stream_info *info,
		  const struct hwt_sink *sink, char *err, size_t errlen)
{
	struct pt_image_section_cache *isc = NULL;
	struct pt_image *pimg = NULL;
	struct pt_config cfg;
	struct pt_ctx x;
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	x.sink = sink;
	x.info = info;
	config_init(&cfg, buf, size, params);
	isc = pt_iscache_alloc(NULL);
	pimg = pt_image_alloc(NULL);
	if (!isc || !pimg) {
		hwt_seterr(err, errlen, "libipt: out of memory");
		rc = -1;
		goto out;
	}
	for (i = 0; img && i < hwt_image_nsections(img); i++) {
		const struct hwt_section *s = hwt_image_section(img, i);
		int isid = pt_iscache_add_file(isc, s->path, s->file_offset,
					       s->size, s->vaddr);

		if (isid < 0 || (rc = pt_image_add_cached(pimg, isc, isid,
							  NULL)) < 0) {
			hwt_seterr(err, errlen, "libipt: %s: %s", s->path,
				   pt_errstr(pt_errcode(isid < 0 ? isid : rc)));
			rc = -1;
			goto out;
		}
	}
	rc = 0;
	if (size) {
		x.dec = pt_blk_alloc_decoder(&cfg);
		if (!x.dec) {
			hwt_seterr(err, errlen, "libipt: bad configuration");
			rc = -1;
			goto out;
		}
		pt_blk_set_image(x.dec, pimg);
		rc = decode_loop(&x);
		pt_blk_free_decoder(x.dec);
		if (rc < 0) {
			hwt_seterr(err, errlen, "decode aborted (output)");
			goto out;
		}
	}
out:
	pt_image_free(pimg);
	pt_iscache_free(isc);
	return rc;
}
