/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/* The null test backend's data and config formats (for tests). */
#ifndef _HWT_NULL_H
#define _HWT_NULL_H

#include <linux/types.h>

#define HWT_NULL_MAGIC		0x4e545748	/* "HWTN" */
#define HWT_NULL_CONFIG_VERSION	1
#define HWT_NULL_FILLER_MAX	4096

struct hwt_null_sample {
	__u32	magic;
	__s32	tid;
	__s32	cpu;
	__u32	filler;		/* zero bytes that follow */
	__u64	seq;		/* per context, from 1 */
	__u64	time;		/* CLOCK_MONOTONIC ns */
};

struct hwt_null_config {
	__u32	filler;		/* multiple of 8, <= HWT_NULL_FILLER_MAX */
	__u32	reserved;
};

#endif /* _HWT_NULL_H */
