/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_sideband.c: every record of a perf.data file (perf_file.h) as a
 * row of the decoded database's sideband table (db/sideband.h), with the
 * fields `perf report -D` shows (docs/perf-data.md).
 */
#ifndef HWT_DECODER_PERF_SIDEBAND_H
#define HWT_DECODER_PERF_SIDEBAND_H

#include <stddef.h>

struct hwt_perf_file;
struct hwt_sideband;

/*
 * Writes a row per record of f's data section, in file order.
 * Returns 0 if: every record was written, or a damaged record ended the
 * walk (the records before it are written; the decode reports it).
 * Returns -1 with err set if: a row could not be written.
 */
int hwt_perf_sideband(struct hwt_perf_file *f, struct hwt_sideband *sb,
		      char *err, size_t errlen);

#endif /* HWT_DECODER_PERF_SIDEBAND_H */
