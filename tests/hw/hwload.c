// SPDX-License-Identifier: BSD-2-Clause
/*
 * A workload for real-hardware traces (tests/hw/ptcap.c): recursion,
 * a quicksort with its comparator called through a pointer, a byte hash,
 * and a switch interpreter (a jump table: indirect jumps).  Each function
 * counts its own calls and the program prints them at the end as
 * "calls NAME N" lines: the ground truth a decode's function_stats must
 * match.  Static, so the trace needs no sideband to be decoded.
 *
 * usage: hwload [SCALE]   (default 1: about 150 M instructions)
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned long n_fib, n_qsort_range, n_cmp_u32, n_hash_step, n_vm_run;

__attribute__((noipa)) static unsigned fib(unsigned n)
{
	n_fib++;
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noipa)) static int cmp_u32(unsigned a, unsigned b)
{
	n_cmp_u32++;
	return a < b ? -1 : a > b;
}

__attribute__((noipa)) static void qsort_range(unsigned *v, long lo, long hi,
					       int (*cmp)(unsigned, unsigned))
{
	long i = lo, j = hi;
	unsigned pivot = v[lo + (hi - lo) / 2], t;

	n_qsort_range++;
	while (i <= j) {
		while (cmp(v[i], pivot) < 0)
			i++;
		while (cmp(v[j], pivot) > 0)
			j--;
		if (i <= j) {
			t = v[i];
			v[i++] = v[j];
			v[j--] = t;
		}
	}
	if (lo < j)
		qsort_range(v, lo, j, cmp);
	if (i < hi)
		qsort_range(v, i, hi, cmp);
}

__attribute__((noipa)) static unsigned hash_step(unsigned h, unsigned char c)
{
	n_hash_step++;
	return (h ^ c) * 16777619u;
}

/* A tiny stack machine: the switch compiles to a jump table. */
__attribute__((noipa)) static long vm_run(const unsigned char *code, long n,
					  long steps)
{
	long acc = 0, x = 1, pc = 0;

	n_vm_run++;
	while (steps--) {
		switch (code[pc]) {
		case 0: acc += x; break;
		case 1: acc -= 3; break;
		case 2: x = (x * 5 + 1) & 1023; break;
		case 3: acc ^= x; break;
		case 4: acc = acc * 3 + 1; break;
		case 5: x ^= acc & 255; break;
		case 6: acc >>= 1; break;
		default: x++; break;
		}
		if (++pc == n)
			pc = 0;
	}
	return acc + x;
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	long n = 100000 * scale, i;
	unsigned *v = malloc(n * sizeof(*v)), h = 2166136261u, seed = 1;
	unsigned char code[61];
	unsigned long sum = 0;

	if (!v || scale < 1)
		return 1;
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = seed >> 8;
	}
	for (i = 0; i < (long)sizeof(code); i++)
		code[i] = (unsigned char)((i * 7 + i / 5) & 7);
	for (long k = 0; k < scale; k++)
		sum += fib(24);
	qsort_range(v, 0, n - 1, cmp_u32);
	for (i = 0; i < 4 * n; i++)
		h = hash_step(h, (unsigned char)v[i % n]);
	for (long k = 0; k < 10 * scale; k++)
		sum += vm_run(code, sizeof(code), 100000);
	printf("result %lu %u\n", sum, h);
	printf("calls fib %lu\ncalls qsort_range %lu\ncalls cmp_u32 %lu\n"
	       "calls hash_step %lu\ncalls vm_run %lu\n", n_fib, n_qsort_range,
	       n_cmp_u32, n_hash_step, n_vm_run);
	free(v);
	return 0;
}
