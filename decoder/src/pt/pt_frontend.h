/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pt_frontend.c: the Intel PT front end's entry (libipt).
 */
#ifndef HWT_DECODER_PT_FRONTEND_H
#define HWT_DECODER_PT_FRONTEND_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/decode.h"
#include "core/flow.h"

/*
 * Per-process images (a perf.data CPU's trace, split between threads of
 * different processes: docs/perf-data.md).  image_at(arg, time, enable)
 * is asked before each block libipt decodes (enable 0) and before each
 * event is handed on (enable 1 for a TIP.PGE's ENABLE), time the trace's
 * TSC there (0: none yet); it keeps its own state across pieces.
 * Returns the image the trace decodes against from there, never NULL.
 */
struct hwt_pt_pick {
	struct hwt_image *(*image_at)(void *arg, uint64_t time, int enable);
	void *arg;
};

struct hwt_pt_params {
	unsigned family, model, stepping;	/* 0/0/0: no errata */
	uint8_t mtc_freq, nom_freq;
	uint32_t cpuid_15_eax, cpuid_15_ebx;
	int threads;		/* segment decoding threads (the main thread
				 * and threads - 1 workers); 0: auto, 1: one
				 * piece */
	int segmented;		/* segments even with one worker (tests) */
	int no_fastpath;	/* hwt_decode_test_opts.pt_no_fastpath */
	uint64_t segment_min;	/* hwt_decode_test_opts.pt_segment_min */
	int reverse_segments;	/* hwt_decode_test_opts.pt_reverse_segments */
	/* NULL: one image (img); else the image by time, and the trace
	 * decoded in one piece (the segments' workers and the fast path's
	 * block cache hold one image) */
	const struct hwt_pt_pick *pick;
	struct hwt_pt_stats *stats;	/* NULL, or added to */
};

/*
 * Decodes buf (raw PT) of stream info->id against img (params->pick: the
 * images it names, switched where it says) into sink.  Decode
 * errors are reported as HWT_EV_GAP events and decoding resyncs at the next
 * PSB, like ptxed.  The caller brackets it with the sink's stream_begin and
 * stream_end (a stream may be decoded in pieces, e.g. around lost data).
 * Returns 0, or negative on setup failure/sink abort.
 */
int hwt_pt_decode(const uint8_t *buf, size_t size, struct hwt_image *img,
		  const struct hwt_pt_params *params,
		  const struct hwt_stream_info *info,
		  const struct hwt_sink *sink, char *err, size_t errlen);

/*
 * Decodes the pieces of buf between cuts (increasing offsets) with
 * hwt_pt_decode, each afresh, a HWT_EV_GAP with the cut's message at each
 * cut (none where msg is NULL).  The caller brackets it with stream_begin
 * and stream_end.
 * Returns 0 if: every piece was decoded (decode errors are gaps).
 * Returns negative if: a piece's setup failed (err set) or the sink
 * aborted.
 */
int hwt_pt_decode_pieces(const uint8_t *buf, size_t size,
			 const struct hwt_cut *cuts, size_t ncuts,
			 struct hwt_image *img,
			 const struct hwt_pt_params *params,
			 const struct hwt_stream_info *info,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen);

#endif /* HWT_DECODER_PT_FRONTEND_H */
