/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Backend options: what `hwt record -x` / `hwt-collect -x` ask of a trace
 * unit ("tsc,mtc=3,noretcomp"), turned together with the address ranges
 * of the filters into the backend's config blob (include/hwt/hwt_soft.h,
 * hwt_intel_pt.h, hwt_coresight.h).  hwtd builds the blob itself: the options travel as
 * text and are checked here, the ranges come from symbols it resolved.
 * Pure: no system calls, unit-tested.
 *
 * Options, comma-separated (each at most once):
 *   soft:     tsc, psb=BYTES (64 .. 2^30), retcomp, longtnt
 *   intel_pt: tsc, mtc[=ENC], cyc[=ENC], psb=ENC, noretcomp, ptwrite,
 *             fup_on_ptw, pwr, nobranch   (ENC: the SDM's 4-bit period
 *             encodings 0..15; the kernel checks them against CPUID)
 *   coresight: ts, vmid, sync=N (a sync every 2^N bytes, 8..20); ranges
 *             become include ranges (the kernel checks TRCIDR4)
 */
#ifndef HWTD_BOPTS_H
#define HWTD_BOPTS_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/hwt.h"

#define HWTD_BOPTS_LEN	256	/* the option string, NUL included */

struct hwtd_range;

/*
 * Returns 1 if s is a syntactically acceptable option string (at most
 * HWTD_BOPTS_LEN - 1 bytes of [a-z0-9_=,]), 0 if not.
 */
int hwtd_bopts_syntax_ok(const char *s);

/*
 * Build backend's config from opts (NULL or "" for none) and the n
 * ranges r ([start, end)) into blob (HWT_CONFIG_MAX bytes, 8-aligned),
 * and point cfg at it.
 * Returns 1 if a config was built.
 * Returns 0 if there is nothing to configure (no options, no ranges).
 * Returns -1 if an option is unknown to the backend, repeated or out of
 * range, if the backend takes no options or ranges (e.g. "null"), or if
 * there are more ranges than its config holds (message in err).
 */
int hwtd_bopts_build(const char *backend, const char *opts,
		     const struct hwtd_range *r, int n, struct hwt_config *cfg,
		     void *blob, char *err, size_t errlen);

#endif /* HWTD_BOPTS_H */
