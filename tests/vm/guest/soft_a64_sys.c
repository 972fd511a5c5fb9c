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
 * The arm64 soft backend over many kernel passes (issue 16): 10,000
 * system calls, and every 1000th a kill() of itself whose SIGUSR1
 * handler (with our own restorer: every instruction is in this binary)
 * is stepped through, traced and compared instruction for instruction
 * with ptrace's single-stepping (soft_a64_gt.h: its duplicate stop after
 * each SVC and its fake stop at the return address before each handler
 * filtered).
 */
#include "soft_a64_gt.h"

#define NSYS		10000
#define SIG_EVERY	1000

static volatile int sig_seen;

__attribute__((noinline)) static void on_usr1(int sig)
{
	sig_seen += sig;
}

static void sys_setup(void)
{
	a64_sigaction(SIGUSR1, on_usr1);
}

void sys_workload(void);
__attribute__((noinline)) void sys_workload(void)
{
	long acc = 0;
	int i;

	for (i = 0; i < NSYS; i++) {
		register long x0 __asm__("x0");
		register long x8 __asm__("x8") = SYS_getppid;

		__asm__ volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
		acc += x0;
		if (i % SIG_EVERY == SIG_EVERY - 1)
			kill(getpid(), SIGUSR1);
	}
	if (acc <= 0 || sig_seen != SIGUSR1 * (NSYS / SIG_EVERY))
		_exit(4);
	a64_raw_exit();
}

static const struct a64_case sys_case = {
	.name = "sys", .fn = sys_workload, .setup = sys_setup,
	.handler = on_usr1,
};

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64x/sys", &r);

	if (dev < 0)
		return 1;
	t_begin("soft/a64x/sys/ptrace");
	CHECK(a64_ptrace(&sys_case));
	/* Each kill's SVC has its duplicate stop, and one fake stop. */
	CHECK(a64_stats.dup >= NSYS + NSYS / SIG_EVERY);
	CHECK(a64_stats.fake == NSYS / SIG_EVERY);
	t_end();
	t_begin("soft/a64x/sys/record");
	CHECK(a64_record(dev, &sys_case, "soft_a64_sys", 90, 0));
	t_end();
	return a64_end(dev, &r, "soft/a64x/sys/refcnt");
}
#endif /* __aarch64__ */
