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
 * Address-range filters of the arm64 soft backend (issue 16): ViewInst
 * include ranges with ETM comparator semantics.  A workload calls two
 * hand-written functions (so every boundary is a known instruction) from
 * outside, directly and through a pointer; filt_sum loops, calls
 * filt_leaf and makes a system call.  Two cases, each run under ptrace
 * (the ground truth) and traced (soft_a64_gt.h), the host decoding the
 * ETE with OpenCSD (ete_vmcheck, "range" lines):
 *   filt1: one range, the whole of filt_sum;
 *   filt2: two ranges, filt_leaf, and filt_sum from its loop head to the
 *          BL in its middle (both ends mid-function, the end bound on
 *          that instruction's first byte).
 * The decode must equal the ground truth restricted to the ranges,
 * instruction for instruction, with a Trace On at every entry.  First,
 * the config's errors: up to HWT_SOFT_MAX_RANGES ranges are taken, one
 * more is E2BIG, a reversed range or a non-zero unused slot EINVAL.
 */
#include "soft_a64_gt.h"

long filt_sum(long n);
long filt_leaf(long x);
extern const char filt_sum_loop[], filt_sum_call[], filt_sum_end[];
extern const char filt_leaf_end[];

/*
 * filt_sum(n): sum of n + leaf(n) down to 1, then a getppid SVC.
 * filt_leaf(x): (x & 3) + 1, or 8 when x & 3 is 0.
 */
__asm__(".text\n.p2align 4\n"
	".globl filt_sum\n.type filt_sum, %function\nfilt_sum:\n"
	"\thint #34\n"
	"\tstp x29, x30, [sp, #-32]!\n"
	"\tmov x29, sp\n"
	"\tstr x19, [sp, #16]\n"
	"\tmov x19, x0\n"
	"\tmov x2, #0\n"
	".globl filt_sum_loop\nfilt_sum_loop:\n"
	"\tcbz x19, 2f\n"
	"\tadd x2, x2, x19\n"
	"\tmov x0, x19\n"
	"\tstr x2, [sp, #24]\n"
	".globl filt_sum_call\nfilt_sum_call:\n"
	"\tbl filt_leaf\n"
	"\tldr x2, [sp, #24]\n"
	"\tadd x2, x2, x0\n"
	"\tsub x19, x19, #1\n"
	"\tb filt_sum_loop\n"
	"2:\tstr x2, [sp, #24]\n"
	"\tmov x8, #173\n"		/* getppid */
	"\tsvc #0\n"
	"\tldr x0, [sp, #24]\n"
	"\tldr x19, [sp, #16]\n"
	"\tldp x29, x30, [sp], #32\n"
	"\tret\n"
	".globl filt_sum_end\nfilt_sum_end:\n"
	".size filt_sum, filt_sum_end - filt_sum\n"
	".globl filt_leaf\n.type filt_leaf, %function\nfilt_leaf:\n"
	"\thint #34\n"
	"\tand x0, x0, #3\n"
	"\tcbnz x0, 3f\n"
	"\tadd x0, x0, #7\n"
	"3:\tadd x0, x0, #1\n"
	"\tret\n"
	".globl filt_leaf_end\nfilt_leaf_end:\n"
	".size filt_leaf, filt_leaf_end - filt_leaf\n");

static long (*volatile sum_ptr)(long) = filt_sum;

void filt_workload(void);
__attribute__((noinline)) void filt_workload(void)
{
	volatile long acc = 0;
	int i;

	for (i = 0; i < 12; i++) {
		acc += filt_sum(i % 4);		/* direct call */
		acc += sum_ptr(2);		/* indirect call */
		acc += filt_leaf(i);		/* called from outside */
	}
	if (acc <= 0)
		_exit(4);
	a64_raw_exit();
}

static int cfg_errno(int ctx, const struct hwt_soft_config *c)
{
	struct hwt_config hc = { .version = HWT_SOFT_CONFIG_VERSION,
				 .size = sizeof(*c), .data = (uintptr_t)c };

	return ioctl(ctx, HWT_IOC_SET_CONFIG, &hc) ? errno : 0;
}

static void bad_config(int dev)
{
	struct hwt_soft_config c = { 0 };
	struct hwt_alloc a;
	unsigned int i;
	int ctx;

	t_begin("soft/a64x/filt/config");
	alloc_init(&a, HWT_MODE_THREAD, getpid(), HWT_SOFT_BACKEND_NAME,
		   1 << 16);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0);
	c.nranges = HWT_SOFT_MAX_RANGES;
	for (i = 0; i < HWT_SOFT_MAX_RANGES; i++) {
		c.ranges[i].start = 0x400000 + 0x1000 * i;
		c.ranges[i].end = c.ranges[i].start + 0xfff;
	}
	CHECK(cfg_errno(ctx, &c) == 0);
	c.nranges = HWT_SOFT_MAX_RANGES + 1;
	CHECK(cfg_errno(ctx, &c) == E2BIG);
	c.nranges = 1;
	CHECK(cfg_errno(ctx, &c) == EINVAL);	/* unused slots not zero */
	memset(&c.ranges[1], 0, sizeof(c.ranges) - sizeof(c.ranges[0]));
	CHECK(cfg_errno(ctx, &c) == 0);
	c.ranges[0].start = c.ranges[0].end + 4;
	CHECK(cfg_errno(ctx, &c) == EINVAL);
	c.ranges[0].start = c.ranges[0].end;	/* one address: taken */
	CHECK(cfg_errno(ctx, &c) == 0);
	if (ctx >= 0)
		close(ctx);
	t_end();
}

static struct hwt_soft_config cfg1, cfg2;

static const struct a64_case filt1 = {
	.name = "filt1", .fn = filt_workload, .cfg = &cfg1,
};

static const struct a64_case filt2 = {
	.name = "filt2", .fn = filt_workload, .cfg = &cfg2,
};

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64x/filt", &r);

	if (dev < 0)
		return 1;
	bad_config(dev);
	cfg1.nranges = 1;
	cfg1.ranges[0].start = (uintptr_t)filt_sum;
	cfg1.ranges[0].end = (uintptr_t)filt_sum_end - 1;
	cfg2.nranges = 2;
	cfg2.ranges[0].start = (uintptr_t)filt_leaf;
	cfg2.ranges[0].end = (uintptr_t)filt_leaf_end - 1;
	cfg2.ranges[1].start = (uintptr_t)filt_sum_loop;
	cfg2.ranges[1].end = (uintptr_t)filt_sum_call;
	t_begin("soft/a64x/filt/ptrace");
	CHECK(a64_ptrace(&filt1));
	t_end();
	t_begin("soft/a64x/filt1/record");
	CHECK(a64_record(dev, &filt1, "soft_a64_filt", 30, 0));
	t_end();
	t_begin("soft/a64x/filt2/record");
	CHECK(a64_record(dev, &filt2, "soft_a64_filt", 30, 0));
	t_end();
	return a64_end(dev, &r, "soft/a64x/filt/refcnt");
}
#endif /* __aarch64__ */
