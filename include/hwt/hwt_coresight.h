/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * Config blob of the "coresight" backend (hwt_coresight.ko, arm64: ETE +
 * TRBE, or ETMv4 + a TMC-ETR/ETF sink), passed with HWT_IOC_SET_CONFIG
 * { .version = HWT_CORESIGHT_CONFIG_VERSION,
 *   .size = sizeof(struct hwt_coresight_config) }.
 *
 * Every field maps to a field of a trace unit register; the register and
 * the section of the architecture spec are named beside it.  "ETMv4" is
 * the Arm Embedded Trace Macrocell Architecture Specification ETMv4.0 to
 * ETMv4.6 (IHI 0064), "ETE" the Embedded Trace Extension (DDI 0616, and
 * the Arm ARM chapter D "The Embedded Trace Extension").  The backend
 * checks the config against the unit's TRCIDR0-13 (backends/coresight
 * cs_caps): a feature the unit lacks is EOPNOTSUPP, more address ranges
 * than TRCIDR4.NUMACPAIRS is E2BIG, anything malformed (unknown flag,
 * reserved field not 0, value out of range, range start > end) is
 * EINVAL.  See docs/coresight-backend.md.
 *
 * Without SET_CONFIG the default is HWT_CORESIGHT_DEFAULT_FLAGS, the
 * unit's default sync period, no address filter, the first sink found.
 */
#ifndef _UAPI_HWT_HWT_CORESIGHT_H
#define _UAPI_HWT_HWT_CORESIGHT_H

#include <linux/types.h>

#define HWT_CORESIGHT_BACKEND_NAME	"coresight"
#define HWT_CORESIGHT_CONFIG_VERSION	1

/* TRCIDR4.NUMACPAIRS is at most 8 (ETMv4 7.3.23, ETE TRCIDR4). */
#define HWT_CORESIGHT_MAX_RANGES	8

/*
 * hwt_coresight_config.flags:
 *   USER       trace EL0: TRCVICTLR.EXLEVEL_NS[0] = 0 (ETMv4 7.3.72
 *              "TRCVICTLR", ETE TRCVICTLR); needs TRCIDR3.EXLEVEL_NS[0]
 *   KERNEL     trace EL1 (and EL2 where implemented): EXLEVEL_NS[1,2] = 0;
 *              CPU mode only
 *   BRANCH_BCAST  branch broadcasting: TRCCONFIGR.BB, bit 3, everywhere
 *              (TRCBBCTLR = 0: no range excluded) (ETMv4 7.3.11, 2.7.5
 *              "Branch broadcasting"); needs TRCIDR0.TRCBB (bit 5)
 *   RETSTACK   return stack: TRCCONFIGR.RS, bit 12 (ETMv4 2.7.4 "Return
 *              stack"); needs TRCIDR0.RETSTACK (bit 9)
 *   CYCLES     cycle counting: TRCCONFIGR.CCI, bit 4, with
 *              TRCCCCTLR.THRESHOLD = cc_threshold (ETMv4 7.3.10); needs
 *              TRCIDR0.TRCCCI (bit 7), threshold >= TRCIDR3.CCITMIN
 *   TIMESTAMP  global timestamps: TRCCONFIGR.TS, bit 11 (ETMv4 7.3.11);
 *              needs TRCIDR0.TSSIZE (28:24) != 0.  TRCTSCTLR.EVENT =
 *              ts_event when TS_EVENT is set (ETMv4 7.3.68)
 *   TS_EVENT   also a timestamp whenever resource ts_event fires; needs
 *              TIMESTAMP, and ts_event a resource selector the unit has
 *              (TRCIDR4.NUMRSPAIR)
 *   CONTEXTID  context ID (the thread id) in trace: TRCCONFIGR.CID, bit 6;
 *              needs TRCIDR2.CIDSIZE (9:5) != 0.  Thread mode sets it
 *              whatever the flag says
 *   VMID       VMID in trace: TRCCONFIGR.VMID, bit 7; needs
 *              TRCIDR2.VMIDSIZE (14:10) != 0
 */
#define HWT_CORESIGHT_USER		(1u << 0)
#define HWT_CORESIGHT_KERNEL		(1u << 1)
#define HWT_CORESIGHT_BRANCH_BCAST	(1u << 2)
#define HWT_CORESIGHT_RETSTACK		(1u << 3)
#define HWT_CORESIGHT_CYCLES		(1u << 4)
#define HWT_CORESIGHT_TIMESTAMP		(1u << 5)
#define HWT_CORESIGHT_TS_EVENT		(1u << 6)
#define HWT_CORESIGHT_CONTEXTID		(1u << 7)
#define HWT_CORESIGHT_VMID		(1u << 8)
#define HWT_CORESIGHT_FLAGS_ALL		((1u << 9) - 1)

#define HWT_CORESIGHT_DEFAULT_FLAGS	(HWT_CORESIGHT_USER | \
					 HWT_CORESIGHT_CONTEXTID)

/*
 * hwt_coresight_config.sink: where the trace goes.
 *   ANY   TRBE where the CPU has one, else the first ETR, else ETF
 *   TRBE  the per-CPU Trace Buffer Extension (Arm ARM D10); ETE only,
 *         ID_AA64DFR0_EL1.TraceBuffer != 0 and TRBIDR_EL1.P == 0
 *   ETR   a TMC in ETR configuration (CoreSight TMC TRM, DDI 0461)
 *   ETF   a TMC in ETF configuration, drained to the buffer
 */
#define HWT_CORESIGHT_SINK_ANY		0
#define HWT_CORESIGHT_SINK_TRBE		1
#define HWT_CORESIGHT_SINK_ETR		2
#define HWT_CORESIGHT_SINK_ETF		3

/* hwt_coresight_range.type */
#define HWT_CORESIGHT_RANGE_INCLUDE	1	/* TRCVIIECTLR.INCLUDE[n] */
#define HWT_CORESIGHT_RANGE_EXCLUDE	2	/* TRCVIIECTLR.EXCLUDE[n] */

/*
 * One address range comparator pair n: TRCACVR(2n) = start, TRCACVR(2n+1)
 * = end, both instruction addresses (TRCACATR.TYPE = 0), inclusive
 * (ETMv4 7.3.1 "TRCACATRn", 4.1.3 "Address range comparators").  With
 * any INCLUDE range only the included ranges are traced; EXCLUDE ranges
 * are never traced (ETMv4 7.3.73 "TRCVIIECTLR").  start and end must be
 * 4-byte aligned (A64 instructions) and fit TRCIDR2.IASIZE.
 */
struct hwt_coresight_range {
	__u64	start;
	__u64	end;
	__u32	type;			/* HWT_CORESIGHT_RANGE_* */
	__u32	reserved;		/* must be 0 */
};

/*
 * cc_threshold: TRCCCCTLR.THRESHOLD (11:0), with CYCLES only (else 0),
 * at least TRCIDR3.CCITMIN.  sync_period: TRCSYNCPR.PERIOD, a trace
 * sync every 2^sync_period bytes, 8..20, or 0 for 12 (4096 bytes, what
 * Linux's etm4x programs); a non-zero value needs TRCIDR3.SYNCPR == 0
 * (ETMv4 7.3.67), and where the period is fixed TRCSYNCPR is not written.  ts_event: a
 * resource selector number 0..31 (TRCTSCTLR.EVENT.SEL), with TS_EVENT
 * only.  Range slots from nranges on must be all 0.
 */
struct hwt_coresight_config {
	__u32	flags;			/* HWT_CORESIGHT_* */
	__u32	sink;			/* HWT_CORESIGHT_SINK_* */
	__u16	cc_threshold;
	__u8	sync_period;
	__u8	ts_event;
	__u32	nranges;		/* <= TRCIDR4.NUMACPAIRS */
	__u32	reserved[2];		/* must be 0 */
	struct hwt_coresight_range ranges[HWT_CORESIGHT_MAX_RANGES];
};

#endif /* _UAPI_HWT_HWT_CORESIGHT_H */
