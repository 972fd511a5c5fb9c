/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * Config blob of the "soft" backend (hwt_soft.ko), passed with
 * HWT_IOC_SET_CONFIG { .version = HWT_SOFT_CONFIG_VERSION,
 * .size = sizeof(struct hwt_soft_config) }.
 *
 * The backend single-steps traced threads (x86-64 user mode only) and
 * writes a genuine Intel PT packet stream into each thread's buffer; any
 * PT decoder (libipt) decodes it with the process image and the MMAP/EXEC
 * records.  See docs/soft-backend.md.
 *
 * Without SET_CONFIG the defaults are: no flags, PSB every 4 KiB, no
 * address filter.
 */
#ifndef _UAPI_HWT_HWT_SOFT_H
#define _UAPI_HWT_HWT_SOFT_H

#include <linux/types.h>

#define HWT_SOFT_BACKEND_NAME		"soft"
#define HWT_SOFT_CONFIG_VERSION		1

/* Address ranges honoured (= the backend's max_ranges). */
#define HWT_SOFT_MAX_RANGES		4

/* hwt_soft_config.flags */
#define HWT_SOFT_RET_COMPRESSION	(1u << 0)	/* near returns as TNT
							 * bits when a decoder
							 * can predict them */
#define HWT_SOFT_TSC			(1u << 1)	/* TSC packets in PSB+,
							 * on resume, at OVF */
#define HWT_SOFT_LONG_TNT		(1u << 2)	/* up to 47 branches
							 * per TNT packet */
#define HWT_SOFT_FLAGS_ALL		(HWT_SOFT_RET_COMPRESSION | \
					 HWT_SOFT_TSC | HWT_SOFT_LONG_TNT)

/* psb_period: bytes of trace between PSB+ (sync points); 0: default. */
#define HWT_SOFT_PSB_DEFAULT		4096
#define HWT_SOFT_PSB_MIN		64
#define HWT_SOFT_PSB_MAX		(1u << 30)

/*
 * An instruction is traced iff start <= IP <= end (inclusive, as PT's
 * ADDRn_A/B) for some range, or if nranges is 0.
 */
struct hwt_soft_range {
	__u64	start;
	__u64	end;
};

struct hwt_soft_config {
	__u32	flags;			/* HWT_SOFT_* */
	__u32	psb_period;		/* bytes, 0: default */
	__u32	nranges;		/* <= HWT_SOFT_MAX_RANGES */
	__u32	reserved;		/* must be 0 */
	struct hwt_soft_range ranges[HWT_SOFT_MAX_RANGES];
};

#endif /* _UAPI_HWT_HWT_SOFT_H */
