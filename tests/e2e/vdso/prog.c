/*
 * Calls into the vDSO a known number of times (tests/e2e/vdso.sh):
 * clock_gettime, which the C library runs in the kernel's vDSO, ROUNDS
 * times, each followed by a call of work() in the program's own code.
 */
#include <stdio.h>
#include <time.h>

#define ROUNDS 20

static volatile long sink;

__attribute__((noinline)) static long work(int i)
{
	return i * 3 + 1;
}

int main(void)
{
	struct timespec ts;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			return 1;
		sink += ts.tv_nsec + work(i);
	}
	printf("%d rounds\n", i);
	return 0;
}
