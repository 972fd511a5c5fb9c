// SPDX-License-Identifier: BSD-2-Clause
/* A shared library of ours for tests/e2e/dyn_counts.sh (PLT calls). */
int dyn_add(int a, int b);
int dyn_mul(int a, int b);

__attribute__((noinline)) int dyn_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int dyn_mul(int a, int b)
{
	return a * b;
}
