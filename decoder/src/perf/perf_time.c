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

/* Returns d * num / den (den > 0), rounded down, in 128-bit arithmetic. */
static uint64_t scale(uint64_t d, uint64_t num, uint64_t den)
{
	return (uint64_t)((unsigned __int128)d * num / den);
}

uint64_t hwt_perf_tie_time(const struct hwt_perf_tie *p, size_t n,
			   int64_t mono)
{
	uint64_t d, v, num = 1, den = 1;
	size_t i;

	if (!n || mono <= 0)
		return 0;
	if (p[n - 1].mono > p[0].mono && p[n - 1].t > p[0].t) {
		num = p[n - 1].t - p[0].t;
		den = (uint64_t)(p[n - 1].mono - p[0].mono);
	}
	for (i = 0; i < n && p[i].mono <= mono; i++)
		;
	if (!i) {
		d = scale((uint64_t)(p[0].mono - mono), num, den);
		return p[0].t > d ? p[0].t - d : 0;
	}
	i--;
	d = (uint64_t)(mono - p[i].mono);
	if (i + 1 == n)
		return p[i].t + scale(d, num, den);
	v = p[i].t + scale(d, p[i + 1].t - p[i].t,
			   (uint64_t)(p[i + 1].mono - p[i].mono));
	if (v >= p[i + 1].t)
		v = p[i + 1].t > p[i].t ? p[i + 1].t - 1 : p[i].t;
	return v;
}
