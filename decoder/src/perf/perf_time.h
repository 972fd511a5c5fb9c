/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_time.c: TSC <-> perf time (ns), the conversion perf applies
 * (linux tools/perf/util/tsc.c tsc_to_perf_time / perf_time_to_tsc, from
 * the uapi perf_event_mmap_page's time_shift, time_mult, time_zero and,
 * with cap_user_time_short, time_cycles and time_mask), and the
 * constants hwt export writes for a TSC frequency.  Pure arithmetic.
 */
#ifndef HWT_DECODER_PERF_TIME_H
#define HWT_DECODER_PERF_TIME_H

#include <stddef.h>
#include <stdint.h>

struct hwt_perf_tsc_conv {
	uint16_t time_shift;
	uint32_t time_mult;
	uint64_t time_zero;
	uint64_t time_cycles, time_mask;
	int cap_user_time_short;
};

/*
 * perf_event_mmap_page's rule: with cap_user_time_short the TSC is first
 * widened from time_cycles by time_mask; then time_zero +
 * (tsc >> shift) * mult + ((tsc & (2^shift - 1)) * mult >> shift), in
 * u64 arithmetic (wrapping as perf's).
 * Returns the perf time of tsc.
 */
uint64_t hwt_perf_tsc_to_time(const struct hwt_perf_tsc_conv *c, uint64_t tsc);

/*
 * The inverse (perf's perf_time_to_tsc, without time_cycles).
 * Returns the TSC of perf time ns (0 if time_mult is 0).
 */
uint64_t hwt_perf_time_to_tsc(const struct hwt_perf_tsc_conv *c, uint64_t ns);

/*
 * The shift and mult of a TSC counting hz times a second (perf time in
 * ns: mult / 2^shift = 1e9 / hz), the largest shift <= 31 whose mult
 * fits perf's u32; time_zero 0, no short fields.
 * Returns 0 if: set; -1 if: hz is 0 or below 1e9 / 2^32 * 2^-31 (no
 * shift fits).
 */
int hwt_perf_tsc_conv_for_hz(uint64_t hz, struct hwt_perf_tsc_conv *c);

/* A point where a session ties its records' CLOCK_MONOTONIC time to the
 * trace's perf time (perf_write.c: a switch_in and its run's first TSC). */
struct hwt_perf_tie {
	int64_t mono;
	uint64_t t;
};

/*
 * The perf time of CLOCK_MONOTONIC time mono by the n ties (sorted by
 * mono, t never decreasing): between two ties linearly interpolated
 * (rounded down) and kept below the later tie's t (at the earlier's if
 * both have one t); before the first and after the last, extrapolated
 * at the rate from the first tie to the last (1 if they share a mono
 * or a t, or n is 1); before the first, never below 0.  128-bit
 * products: no overflow for any u64 distances.
 * Returns the perf time; 0 if: n is 0 or mono is not positive.
 */
uint64_t hwt_perf_tie_time(const struct hwt_perf_tie *ties, size_t n,
			   int64_t mono);

#endif /* HWT_DECODER_PERF_TIME_H */
