/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_decode.c: a perf.data file (perf_file.h) through the CoreSight
 * front end (cs_frontend.h) or the Intel PT one (pt_frontend.h) into the
 * core: what it records is read once
 * (hwt_perf_decode_open), its binaries added to the image
 * (hwt_perf_decode_images), then each CPU's AUX trace decoded
 * (hwt_perf_decode_run).  docs/perf-data.md has the rules.
 */
#ifndef HWT_DECODER_PERF_DECODE_H
#define HWT_DECODER_PERF_DECODE_H

#include <stddef.h>

struct hwt_decode_opts;
struct hwt_image;
struct hwt_core;
struct hwt_perf_decode;

/*
 * Opens path and reads every record.  A damaged record ends the reading:
 * the records before it are used and its message becomes a gap on every
 * stream (and a warning unless opts->quiet).
 * Returns the decode state if: the file's header is sound and it holds a
 * cs_etm or intel_pt AUXTRACE_INFO.
 * Returns NULL with err set if: the file cannot be opened or its header
 * is damaged (hwt_perf_open), it holds no AUX trace, its AUX trace is of
 * another type, or the AUXTRACE_INFO is damaged (hwt_perf_cs_meta,
 * hwt_perf_pt_params).
 */
struct hwt_perf_decode *hwt_perf_decode_open(const char *path,
					     const struct hwt_decode_opts *opts,
					     char *err, size_t errlen);

/*
 * Adds each executable user-space mapping (MMAP/MMAP2) of the traced
 * processes (ITRACE_START) to img, its binary found by build id
 * (opts->buildid_dir), then opts->symfs + path, then path (a candidate
 * whose build id differs from the recorded one is refused); [vdso],
 * [kernel...] and other bracketed names are never taken from this host.
 * The binaries of the other processes a split CPU switches to are looked
 * for too (for their own images, made by hwt_perf_decode_run).  A binary
 * not found is noted: a gap naming path and build id on every stream.
 * Returns 0 always (missing binaries are not errors).
 */
int hwt_perf_decode_images(struct hwt_perf_decode *pd, struct hwt_image *img);

/*
 * Decodes every trace unit's AUX data (code read from img, the image
 * hwt_perf_decode_images filled; the threads of a per-CPU Intel PT
 * buffer whose switch records name two processes or more, and per-thread
 * Intel PT buffers of two processes or more: each process's own image,
 * code and symbols, docs/perf-data.md) into core's sink: one stream per
 * CPU (stream id = CPU; per-thread buffers: 0x1000 + CPU of the unit for
 * CoreSight, 0x1000 for Intel PT).  Intel PT: a CPU's buffers that join
 * are one trace (as perf decodes them), a hole between them a gap.
 * Returns 0 if: every stream was decoded (decode errors are gaps).
 * Returns -1 with err set if: the front end fails.
 */
int hwt_perf_decode_run(struct hwt_perf_decode *pd, struct hwt_image *img,
			struct hwt_core *core, char *err, size_t errlen);

/* Returns the perf.data file pd reads (owned by pd). */
struct hwt_perf_file *hwt_perf_decode_file(struct hwt_perf_decode *pd);

/* Returns nothing; pd may be NULL. */
void hwt_perf_decode_close(struct hwt_perf_decode *pd);

#endif /* HWT_DECODER_PERF_DECODE_H */
