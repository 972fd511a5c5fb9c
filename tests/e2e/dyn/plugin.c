// SPDX-License-Identifier: BSD-2-Clause
/* Loaded with dlopen by prog.c (tests/e2e/dyn_counts.sh). */
int plugin_work(int n);
int plugin_step(int x);

static volatile int sink;

__attribute__((noinline)) int plugin_step(int x)
{
	sink += x;
	return sink;
}

__attribute__((noinline)) int plugin_work(int n)
{
	int i, s = 0;

	for (i = 0; i < n; i++)
		s += plugin_step(i);
	return s;
}
