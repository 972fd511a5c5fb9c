/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process two of tests/lines_procs.sh: another static program whose
 * code lies at one.c's addresses.  Its lines are other lines, of this
 * file, and its inlined functions others.
 */
volatile long two_w, two_x;

static inline __attribute__((always_inline)) long two_cube(long x)
{
	return x * x * x;
}

static inline __attribute__((always_inline)) long two_mix(long a, long b)
{
	long c = two_cube(a + b);

	c ^= two_x;
	return c + two_cube(b);
}

static inline __attribute__((always_inline)) long two_twice(long a)
{
	return two_mix(a, two_x) * 2;
}

void two_first(void)
{
	two_w = two_twice(two_w);
	two_x = two_cube(two_x + 1);
	two_w += two_x;
}

void two_second(void)
{
	two_x = two_mix(two_w, 9) - 3;
}
