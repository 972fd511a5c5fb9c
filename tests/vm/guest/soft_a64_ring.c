/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__aarch64__)
#include <stdio.h>

int main(void)
{
	printf("SKIP: %s (the arm64 half of the soft backend)\n", __FILE__);
	return 0;
}
#else
/*
 * The arm64 soft backend as a flight recorder (issue 16): a workload of
 * indirect calls (an address packet each) and system calls much longer
 * than the ring, ending in a SIGSEGV (a store through NULL).  Traced in
 * ring mode with an 8 KiB buffer, which wraps; the host decodes the
 * ring's content, oldest first, from its first sync point with OpenCSD:
 * it must be the end of ptrace's single-step sequence, and end with an
 * exception whose preferred return address is the faulting store
 * (ete_vmcheck "tail" mode).
 */
#include "soft_a64_gt.h"

#define RING		8192

__attribute__((noinline)) static long ring_sq(long x)
{
	return x * x;
}

__attribute__((noinline)) static long ring_cu(long x)
{
	return x * ring_sq(x);
}

static long (*volatile ring_ops[2])(long) = { ring_sq, ring_cu };
static long *volatile ring_null;

void ring_workload(void);
__attribute__((noinline)) void ring_workload(void)
{
	long acc = 0;
	int i;

	for (i = 0; i < 2500; i++) {
		acc += ring_ops[i & 1](i);
		if (i % 500 == 0)
			acc += syscall(SYS_getppid) > 0;
	}
	*ring_null = acc;	/* SIGSEGV: the last instruction */
	a64_raw_exit();
}

static const struct a64_case ring_case = {
	.name = "ring", .fn = ring_workload, .fatal = SIGSEGV,
};

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64x/ring", &r);

	if (dev < 0)
		return 1;
	t_begin("soft/a64x/ring/ptrace");
	CHECK(a64_ptrace(&ring_case));
	t_end();
	t_begin("soft/a64x/ring/record");
	CHECK(a64_record(dev, &ring_case, "soft_a64_ring", 60, RING));
	t_end();
	return a64_end(dev, &r, "soft/a64x/ring/refcnt");
}
#endif /* __aarch64__ */
