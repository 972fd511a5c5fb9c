/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process one of tests/lines_procs.sh: a static program without libc
 * whose functions are straight-line code (no conditional branch: a PT
 * script runs each from a TIP.PGE to its return) with functions inlined
 * into them, one into another.  two.c is another program whose code
 * lies at the same addresses, from other lines of another file.
 */
volatile int one_v;

static inline __attribute__((always_inline)) int one_sq(int x)
{
	return x * x;
}

static inline __attribute__((always_inline)) int one_sq_plus(int x)
{
	int y = one_sq(x);

	return y + one_v;
}

void one_first(void)
{
	one_v = one_sq_plus(one_v + 3);
	one_v = one_sq(one_v) * 7;
}

void one_second(void)
{
	one_v = one_sq_plus(one_v) ^ 0x55;
}
