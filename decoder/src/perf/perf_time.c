/* SPDX-License-Identifier: BSD-2-Clause */
/* TSC <-> perf time (perf_time.h), as linux tools/perf/util/tsc.c. */
#include <string.h>

#include "perf/perf_time.h"

uint64_t hwt_perf_tsc_to_time(const struct hwt_perf_tsc_conv *c, uint64_t tsc)
{
	uint64_t quot, rem;
	unsigned shift = c->time_shift & 63;

	/* uapi perf_event_mmap_page: "if (cap_user_time_short)
	 * cyc = time_cycles + ((cyc - time_cycles) & time_mask)" */
	if (c->cap_user_time_short)
		tsc = c->time_cycles + ((tsc - c->time_cycles) & c->time_mask);
	quot = tsc >> shift;
	rem = tsc & ((1ull << shift) - 1);
	return c->time_zero + quot * c->time_mult +
	       ((rem * c->time_mult) >> shift);
}

uint64_t hwt_perf_time_to_tsc(const struct hwt_perf_tsc_conv *c, uint64_t ns)
{
	uint64_t t, quot, rem;
	unsigned shift = c->time_shift & 63;

	if (!c->time_mult)
		return 0;
	t = ns - c->time_zero;
	quot = t / c->time_mult;
	rem = t % c->time_mult;
	return (quot << shift) + (rem << shift) / c->time_mult;
}

int hwt_perf_tsc_conv_for_hz(uint64_t hz, struct hwt_perf_tsc_conv *c)
{
	int shift;

	memset(c, 0, sizeof(*c));
	if (!hz)
		return -1;
	for (shift = 31; shift >= 0; shift--) {
		/* mult = 1e9 * 2^shift / hz, in 128-bit-free steps:
		 * 1e9 < 2^30, so 1e9 << 31 < 2^61 */
		uint64_t mult = (1000000000ull << shift) / hz;

		if (mult && mult <= UINT32_MAX) {
			c->time_shift = (uint16_t)shift;
			c->time_mult = (uint32_t)mult;
			return 0;
		}
	}
	return -1;
}
