/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the Intel PT objects: pt_frontend.c (libipt block decoder,
 * ptxed loop) and pt_segment.c (PSB segments decoded in parallel, with a
 * query-decoder fast path and its block cache).
 */
#ifndef HWT_DECODER_PT_INTERNAL_H
#define HWT_DECODER_PT_INTERNAL_H

#include <intel-pt.h>

#include "core/util.h"
#include "image/image.h"
#include "image/insn.h"
#include "pt/pt_frontend.h"
#include "core/flow.h"

/*
 * libipt follows direct jumps and calls without reading the trace, and so
 * does the fast path.  On an image that does not match the trace (another
 * process's code at the traced addresses, damaged bytes) that can be an
 * endless loop (`jmp .`), walked a block at a time for ever.  A real trace
 * consumes a packet at least every 47 conditional branches (a long TNT)
 * and at every indirect branch, async event or trace stop, so this many
 * blocks with no trace read is no longer the trace.
 */
#define HWT_PT_SPIN_BLOCKS	0x10000u

/* The libipt images of params.pick's images, built on first use over
 * the shared section cache, and the one decoding now. */
struct hwt_pt_picks {
	struct hwt_image **imgs;
	struct pt_image **pimgs;
	size_t n;
	struct hwt_image *cur;
};

/* What every decoder of one stream shares: the section cache and the
 * configuration (errata, frequencies); picks: params.pick's images
 * (NULL without). */
struct hwt_pt_env {
	struct pt_image_section_cache *isc;
	int *isids;
	size_t nisids;
	struct hwt_pt_params params;
	struct hwt_image *img;
	struct hwt_pt_picks *picks;
};

int hwt_pt_env_init(struct hwt_pt_env *env, struct hwt_image *img,
		    const struct hwt_pt_params *params, char *err,
		    size_t errlen);
void hwt_pt_env_fini(struct hwt_pt_env *env);
/* A fresh libipt image over the shared cache (one per thread). */
struct pt_image *hwt_pt_env_image(const struct hwt_pt_env *env);
void hwt_pt_config(const struct hwt_pt_env *env, struct pt_config *cfg,
		   const uint8_t *begin, const uint8_t *end);
int hwt_pt_isa(enum pt_exec_mode m);

/*
 * Where a segment's decode that runs on into the next segment's trace
 * stops (pt_segment.c).  by_mode: at the MODE.Exec event of the next PSB+
 * (the modes_before + 1st one; libipt reports it where execution was when
 * the PSB went out) if its IP is fup (found = 1, join_insns the
 * instructions before it), else at once (mismatch = 1).  Otherwise: at the
 * first block that starts skip_insns or more instructions in and holds
 * fup (found = 1; that block is flagged partial).  Either way one more
 * step follows, and an error there or anywhere past boundary, a trace
 * offset (+ base), ends it as the continuous decode's error (err_past =
 * 1, err_off its offset: a continuous decode resyncs after it); so does a
 * sync point past boundary.
 */
struct hwt_pt_stop {
	uint64_t boundary, fup, skip_insns;
	int by_mode, mismatch;
	uint64_t modes_before, modes_seen, join_insns;
	int found, err_past;
	uint64_t err_off;
};

/*
 * ptxed's block-decoder loop over buf[0..size) against pimg (with
 * env->picks: the images params.pick names, from env->picks->cur on;
 * pimg unused) (trace offsets reported
 * + base), blocks and events to sink as stream; stop NULL: to the end.
 * disabled_at NULL: buf's first PSB+ starts the decode as libipt syncs
 * (tracing enabled if it has a FUP); else tracing starts disabled, as a
 * continuous decode is after tracing stopped at *disabled_at.
 * Returns 0 or the sink's negative abort value.
 */
int hwt_pt_blk_loop(const struct hwt_pt_env *env, struct pt_image *pimg,
		    const uint8_t *buf, size_t size, uint64_t base,
		    const struct hwt_sink *sink, uint32_t stream,
		    struct hwt_pt_stop *stop, const uint64_t *disabled_at);

/* Segmented decode on threads threads: this one and threads - 1 workers
 * (pt_segment.c). */
int hwt_pt_decode_segments(const uint8_t *buf, size_t size,
			   const struct hwt_pt_env *env, int threads,
			   const struct hwt_stream_info *info,
			   const struct hwt_sink *sink, char *err,
			   size_t errlen);

#endif /* HWT_DECODER_PT_INTERNAL_H */
