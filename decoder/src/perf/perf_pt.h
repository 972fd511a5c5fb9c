/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_pt.c: the intel_pt PERF_RECORD_AUXTRACE_INFO (linux
 * tools/perf/util/intel-pt.h: PMU type, time conversion, config bits,
 * MTC frequency bits, TSC:CTC ratio, max non-turbo ratio) and the
 * HEADER_CPUID string -> the Intel PT front end's parameters.
 */
#ifndef HWT_DECODER_PERF_PT_H
#define HWT_DECODER_PERF_PT_H

#include <stddef.h>
#include <stdint.h>

#include "pt/pt_frontend.h"

struct hwt_perf_file;

/*
 * Fills p (zeroed first) from priv (npriv u64 words) and f's attrs (the
 * intel_pt event's config gives the MTC frequency) and HEADER_CPUID
 * ("GenuineIntel,FAMILY,MODEL,STEPPING": libipt's errata).
 * Returns 0 if: priv holds the 16 words up to MAX_NONTURBO_RATIO.
 * Returns -1 with err set if: it is shorter.
 */
int hwt_perf_pt_params(const uint8_t *priv, size_t npriv,
		       const struct hwt_perf_file *f,
		       struct hwt_pt_params *p, char *err, size_t errlen);

#endif /* HWT_DECODER_PERF_PT_H */
