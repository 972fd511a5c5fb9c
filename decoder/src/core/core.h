/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core.c: the sink every front end feeds; it fills the database.
 */
#ifndef HWT_DECODER_CORE_H
#define HWT_DECODER_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/decode.h"
#include "core/flow.h"
#include "db/db.h"

struct hwt_core;
struct hwt_core *hwt_core_alloc(const struct hwt_decode_opts *opts,
				struct hwt_image *img, char *err,
				size_t errlen);
const struct hwt_sink *hwt_core_sink(struct hwt_core *core);
struct hwt_db *hwt_core_db(struct hwt_core *core);
/* Skip the per-call rows of the calls table (perf exports calls only on
 * request too); call_paths and function_stats stay complete. */
void hwt_core_set_no_calls(struct hwt_core *core, int no_calls);
/* Bytes of trace in the whole input, for opts->progress. */
void hwt_core_set_total(struct hwt_core *core, uint64_t total);
/* Pid/tid of a stream (before its stream_begin). */
void hwt_core_set_thread(struct hwt_core *core, uint32_t stream, int64_t pid,
			 int64_t tid);
/* The stream's blocks are symbolized against img (NULL: the core's
 * image), a view of the core's image (hwt_image_add_view: the same
 * binaries and symbol ids) holding the stream's process's mappings: their
 * symbols, and at hwt_core_finish() their source lines and inline frames,
 * come from the binaries img maps (blocks are interned per image, so a
 * block is symbolized once, by the first stream of that image that runs
 * it).  img must live until hwt_core_finish().
 * Returns nothing. */
void hwt_core_set_image(struct hwt_core *core, uint32_t stream,
			const struct hwt_image *img);
/* The stream's timestamps count instructions (a session's clock=insn):
 * each instruction's time is the last one plus those decoded since. */
void hwt_core_set_insn_clock(struct hwt_core *core, uint32_t stream);
/* Writes counts and statistics, commits, frees. */
int hwt_core_finish(struct hwt_core *core, char *err, size_t errlen);
void hwt_core_free(struct hwt_core *core);

#endif /* HWT_DECODER_CORE_H */
