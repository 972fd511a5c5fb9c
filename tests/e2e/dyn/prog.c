// SPDX-License-Identifier: BSD-2-Clause
/*
 * A dynamically linked, two-thread program whose call counts its
 * structure fixes (tests/e2e/dyn_counts.sh):
 *   dyn_add      2 x ADDS (one loop per thread, through the PLT)
 *   dyn_mul      MULS (main thread, through the PLT)
 *   plugin_work  1, plugin_step STEPS (a library loaded with dlopen)
 *   prog ARGV[1] = the plugin's path.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define ADDS	100
#define MULS	7
#define STEPS	5

int dyn_add(int a, int b);
int dyn_mul(int a, int b);

static volatile int sink;

static void *adder(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < ADDS; i++)
		sink = dyn_add(sink, i);
	return NULL;
}

int main(int argc, char **argv)
{
	int (*work)(int);
	pthread_t t;
	void *h;
	int i;

	if (argc != 2 || pthread_create(&t, NULL, adder, NULL))
		return 2;
	adder(NULL);
	if (pthread_join(t, NULL))
		return 2;
	for (i = 0; i < MULS; i++)
		sink = dyn_mul(sink, 3);
	h = dlopen(argv[1], RTLD_NOW);
	if (!h)
		return 3;
	*(void **)&work = dlsym(h, "plugin_work");
	if (!work)
		return 4;
	sink += work(STEPS);
	return 0;
}
