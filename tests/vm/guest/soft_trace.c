/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__x86_64__)
/* The soft backend is x86-64 only: nothing to test elsewhere. */
#include <stdio.h>
int main(void)
{
	printf("SKIP: %s (soft backend is x86-64 only)\n", __FILE__);
	return 0;
}
#else
/*
 * Soft backend acceptance test (guest side).  A deterministic workload
 * (pt_workload.h, shared with pt_emu.c: direct/indirect calls, returns, a
 * jump table, conditional loops, syscalls, a signal handler, a second
 * thread) runs twice in a forked child of this static program:
 *   1. traced by hwt's "soft" backend (one PT buffer per thread);
 *   2. single-stepped with ptrace, recording every executed IP per thread
 *      (the ground truth).
 * The guest checks what it can (data came, no loss, the target survived
 * the stepping, no stray SIGTRAP) and prints both the PT bytes and the
 * ground truth as "SOFTDUMP" lines on the console; the host decodes the PT
 * with libipt against this very binary and compares
 * (backends/soft/tests/vm-post.sh, soft_vmcheck.c).
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include "pt_workload.h"

/* Record one run with the soft backend; dump its buffers. */
static void run_soft(const char *tag, const struct hwt_soft_config *cfg,
		     const struct gt *g, int ngt, int speed)
{
	struct trace_run r = {
		.name = "soft", .tag = tag, .backend = HWT_SOFT_BACKEND_NAME,
		.version = HWT_SOFT_CONFIG_VERSION, .cfg = cfg,
		.cfg_size = sizeof(*cfg), .nranges = cfg->nranges,
		.speed = speed,
	};
	uint32_t i;

	for (i = 0; i < cfg->nranges && i < 4; i++) {
		r.ranges[i][0] = cfg->ranges[i].start;
		r.ranges[i][1] = cfg->ranges[i].end;
	}
	run_traced(&r, g, ngt);
}

int main(void)
{
	struct hwt_soft_config cfg = { 0 };
	struct gt g[NTHREADS];
	double secs = 0;
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	t_begin("soft/ptrace_ground_truth");
	n = run_ptrace(g, &secs);
	CHECK(n == NTHREADS);
	if (n == NTHREADS)
		printf("INFO: ptrace single-step: %zu + %zu steps in %.3f s\n",
		       g[0].ips.n, g[1].ips.n, secs);
	t_end();
	if (n != NTHREADS)
		return 1;

	run_soft("plain", &cfg, g, n, 0);
	cfg.flags = HWT_SOFT_RET_COMPRESSION | HWT_SOFT_TSC |
		    HWT_SOFT_LONG_TNT;
	cfg.psb_period = 256;
	run_soft("retcomp_tsc_psb256", &cfg, g, n, 0);
	/* Only the workload's helpers: edges at every call into them. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.nranges = 2;
	cfg.ranges[0].start = (uintptr_t)fib;
	cfg.ranges[0].end = (uintptr_t)fib + 63;
	cfg.ranges[1].start = (uintptr_t)jump_table;
	cfg.ranges[1].end = (uintptr_t)jump_table + 200;
	run_soft("filter", &cfg, g, n, 0);
	/* Steps per second: about 2.5 M instructions, decoded on the host. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_SOFT_RET_COMPRESSION;
	run_soft("speed", &cfg, g, n, 1);
	return t_total_failed != 0;
}
#endif /* __x86_64__ */
