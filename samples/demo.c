// SPDX-License-Identifier: BSD-2-Clause
/*
 * The sample program `make demo` traces.  Its call structure is known
 * exactly, so the report can be checked by eye (and by tests):
 *   main -> run_all once
 *   run_all -> fib(12) once: fib is called 465 times in all
 *   run_all -> checksum once -> mix 64 times
 *   run_all -> apply(square) and apply(cube): indirect calls through a
 *              function pointer, 16 times each
 * Static, no stdio: one write(2) at the end, so every instruction it runs
 * is in this binary (no vDSO, no shared libraries).
 */
#include <unistd.h>

__attribute__((noipa)) static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noipa)) static unsigned mix(unsigned h, unsigned v)
{
	h ^= v;
	h *= 16777619u;
	return h;
}

__attribute__((noipa)) static unsigned checksum(const unsigned char *p, unsigned n)
{
	unsigned h = 2166136261u;

	for (unsigned i = 0; i < n; i++)
		h = mix(h, p[i]);
	return h;
}

__attribute__((noipa)) static unsigned square(unsigned x) { return x * x; }
__attribute__((noipa)) static unsigned cube(unsigned x) { return x * x * x; }

__attribute__((noipa)) static unsigned apply(unsigned (*f)(unsigned), unsigned n)
{
	unsigned s = 0;

	for (unsigned i = 0; i < n; i++)
		s += f(i);
	return s;
}

/* noipa (on every function) keeps the call structure the comment
 * promises: no inlining, cloning or tail-call rewriting. */
__attribute__((noipa)) static unsigned run_all(void)
{
	static unsigned char data[64];
	unsigned r = 0;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	r += fib(12);
	r += checksum(data, sizeof(data));
	r += apply(square, 16);
	r += apply(cube, 16);
	return r;
}

int main(void)
{
	static const char hex[] = "0123456789abcdef";
	char out[10];
	unsigned r = run_all();

	for (int i = 0; i < 8; i++)
		out[i] = hex[(r >> (28 - 4 * i)) & 15];
	out[8] = '\n';
	return write(1, out, 9) == 9 ? 0 : 1;
}
