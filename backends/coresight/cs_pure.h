/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Types, register numbers and error codes shared by the pure parts of the
 * coresight backend: files with no kernel includes, built into
 * hwt_coresight.ko (a later step) and into the user-space tests.
 *
 * Functions return 0 or a negated CS_E* code; the kernel glue maps them
 * to -errno (cs_errno()).  "ETMv4 x.y" is a section of the ETMv4
 * architecture spec (IHI 0064, issue H), "ETE" the Embedded Trace
 * Extension (DDI 0616), "Arm ARM Dx" the Arm Architecture Reference
 * Manual (DDI 0487), whose chapter D10 "The Trace Buffer Extension" and
 * register pages TRB*_EL1 define TRBE.
 *
 * The spec texts were not at hand when this was written: section numbers
 * are as recalled and want checking against IHI 0064H.  The bit positions
 * of TRCCONFIGR, TRCSTATR, TRCIDR3 and TRCIDR4 were checked against the
 * Cortex-A35/A53/A76 TRMs' register pages; the TRBSR_EL1, TRBLIMITR_EL1
 * and TRBIDR_EL1 fields against Linux's arch/arm64 sysreg definitions
 * and coresight-trbe.h.
 */
#ifndef HWT_CS_PURE_H
#define HWT_CS_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#endif

#define CS_EINVAL	1	/* malformed request or value */
#define CS_EOPNOTSUPP	2	/* the trace unit lacks the feature */
#define CS_E2BIG	3	/* more than the unit or the ABI holds */
#define CS_ENODEV	4	/* no usable trace unit */
#define CS_EBUSY	5	/* claimed by another agent */

/* Map a pure return value (0 or -CS_E*) to 0 or -errno. */
static inline int cs_errno(int ret)
{
	switch (ret) {
	case 0:
		return 0;
	case -CS_EOPNOTSUPP:
		return -EOPNOTSUPP;
	case -CS_E2BIG:
		return -E2BIG;
	case -CS_ENODEV:
		return -ENODEV;
	case -CS_EBUSY:
		return -EBUSY;
	default:
		return -EINVAL;
	}
}

/*
 * Trace unit registers by their byte offset in the ETMv4 memory-mapped
 * view (ETMv4 7.2 "Register summary"); ETE's system registers carry the
 * same numbers (ETE: "the system register encoding is derived from the
 * offset"), so one table serves both.
 */
#define TRCPRGCTLR	0x004
#define TRCSTATR	0x00c
#define TRCCONFIGR	0x010
#define TRCEVENTCTL0R	0x020
#define TRCEVENTCTL1R	0x024
#define TRCSTALLCTLR	0x02c
#define TRCTSCTLR	0x030
#define TRCSYNCPR	0x034
#define TRCCCCTLR	0x038
#define TRCBBCTLR	0x03c
#define TRCTRACEIDR	0x040
#define TRCVICTLR	0x080
#define TRCVIIECTLR	0x084
#define TRCVISSCTLR	0x088
#define TRCIDR8		0x180
#define TRCIDR0		0x1e0
#define TRCOSLAR	0x300
#define TRCOSLSR	0x304
#define TRCPDCR		0x310	/* ETMv4 only (memory-mapped power) */
#define TRCPDSR		0x314
#define TRCACVR(n)	(0x400 + 8 * (n))	/* n = 0..15 */
#define TRCACATR(n)	(0x480 + 8 * (n))
#define TRCCLAIMSET	0xfa0
#define TRCCLAIMCLR	0xfa4
#define TRCLAR		0xfb0	/* ETMv4 memory-mapped: software lock */
#define TRCLSR		0xfb4
#define TRCDEVARCH	0xfbc
/* TRBE system registers (no offset: numbered here past the unit's 4K). */
#define CS_TRBLIMITR	0x1000
#define CS_TRBPTR	0x1001
#define CS_TRBBASER	0x1002
#define CS_TRBSR	0x1003
#define CS_TRBIDR	0x1004

/* TRCPRGCTLR (ETMv4 7.3.44) and TRCSTATR (7.3.66). */
#define TRCPRGCTLR_EN		(1u << 0)
#define TRCSTATR_IDLE		(1u << 0)
#define TRCSTATR_PMSTABLE	(1u << 1)
/* TRCOSLAR.OSLK (7.3.41), TRCOSLSR.OSLK is bit 1 (7.3.42). */
#define TRCOSLAR_OSLK		(1u << 0)
#define TRCOSLSR_OSLK		(1u << 1)

/* TRCPDCR.PU (ETMv4 7.3.49): keep the trace unit powered.  TRCPDSR
 * (7.3.50): POWER (0) the unit is powered, STICKYPD (1) its state was
 * lost since TRCPDSR was last read (set at reset, cleared by the read),
 * OSLK (5) mirrors the OS Lock. */
#define TRCPDCR_PU		(1u << 3)
#define TRCPDSR_POWER		(1u << 0)
#define TRCPDSR_STICKYPD	(1u << 1)
#define TRCPDSR_OSLK		(1u << 5)
/* TRCLAR / TRCLSR: the CoreSight software lock (CoreSight B2 "Lock
 * Access Register"): writing 0xC5ACCE55 unlocks, anything else locks;
 * LSR.SLI (0) implemented, SLK (1) locked. */
#define CS_LAR_UNLOCK		0xc5acce55u
#define CS_LSR_SLI		(1u << 0)
#define CS_LSR_SLK		(1u << 1)

/* TRCCONFIGR (ETMv4 7.3.11). */
#define TRCCONFIGR_RES1		(1u << 0)
#define TRCCONFIGR_INSTP0	(3u << 1)
#define TRCCONFIGR_BB		(1u << 3)
#define TRCCONFIGR_CCI		(1u << 4)
#define TRCCONFIGR_CID		(1u << 6)
#define TRCCONFIGR_VMID		(1u << 7)
#define TRCCONFIGR_COND		(7u << 8)
#define TRCCONFIGR_TS		(1u << 11)
#define TRCCONFIGR_RS		(1u << 12)
#define TRCCONFIGR_QE		(3u << 13)
#define TRCCONFIGR_VMIDOPT	(1u << 15)
#define TRCCONFIGR_DA		(1u << 16)
#define TRCCONFIGR_DV		(1u << 17)

/* TRCVICTLR (ETMv4 7.3.72). */
#define TRCVICTLR_EVENT_MASK	0xffu		/* EVENT.SEL, 7:0 */
#define TRCVICTLR_SSSTATUS	(1u << 9)
#define TRCVICTLR_TRCRESET	(1u << 10)
#define TRCVICTLR_TRCERR	(1u << 11)
#define TRCVICTLR_EXLEVEL_S_SHIFT	16	/* 19:16, 1 = excluded */
#define TRCVICTLR_EXLEVEL_NS_SHIFT	20	/* 23:20 */
/* Resource selector 1 is "always TRUE" (ETMv4 4.5.4, 7.3.58). */
#define CS_RES_TRUE		1u

/* TRCTRACEIDR: 0 and 0x70-0x7f are reserved ATB IDs (ETMv4 7.3.70). */
#define CS_TRACEID_MIN		1u
#define CS_TRACEID_MAX		0x6fu

/* Claim tag bits as Linux and CoreSight software use them (CoreSight
 * Architecture Spec v3.0, B2.4 "Claim tag" and its example protocol). */
#define CS_CLAIM_SELF_HOSTED	(1u << 0)
#define CS_CLAIM_EXTERNAL	(1u << 1)

#ifdef __KERNEL__
/*
 * The kernel's asm/sysreg.h names some TRBE fields alike, some as
 * unshifted masks (TRBSR_EC_MASK): in files that see both, these win.
 */
#undef TRBLIMITR_NVM
#undef TRBLIMITR_LIMIT_MASK
#undef TRBSR_BSC_MASK
#undef TRBSR_MSS_MASK
#undef TRBSR_WRAP
#undef TRBSR_TRG
#undef TRBSR_IRQ
#undef TRBSR_EC_MASK
#undef TRBSR_EC_SHIFT
#undef TRBIDR_ALIGN_MASK
#undef TRBSR_S
#undef TRBSR_EA
#undef TRBLIMITR_E
#undef TRBIDR_P
#undef TRBIDR_F
#endif
/* TRBLIMITR_EL1 (Arm ARM D19 "TRBLIMITR_EL1"). */
#define TRBLIMITR_E		(1ull << 0)
#define TRBLIMITR_FM_SHIFT	1	/* 2:1 */
#define TRBLIMITR_TM_SHIFT	3	/* 4:3 */
#define TRBLIMITR_NVM		(1ull << 5)
#define TRBLIMITR_LIMIT_MASK	(~0xfffull)	/* 63:12 */
#define TRB_FM_FILL		0u	/* stop and interrupt when full */
#define TRB_FM_WRAP		1u	/* interrupt on wrap, go on */
#define TRB_FM_CIRCULAR		3u	/* wrap silently */
#define TRB_TM_STOP		0u	/* stop on trigger */
#define TRB_TM_IRQ		1u	/* interrupt on trigger */
#define TRB_TM_IGNORE		3u
/* TRBSR_EL1 (Arm ARM D19 "TRBSR_EL1"). */
#define TRBSR_BSC_MASK		0x3full		/* 5:0, EC == 0 */
#define TRBSR_MSS_MASK		0xffffull	/* 15:0 */
#define TRBSR_S			(1ull << 17)
#define TRBSR_EA		(1ull << 18)
#define TRBSR_WRAP		(1ull << 20)
#define TRBSR_TRG		(1ull << 21)
#define TRBSR_IRQ		(1ull << 22)
#define TRBSR_EC_SHIFT		26		/* 31:26 */
#define TRBSR_EC_MASK		(0x3full << TRBSR_EC_SHIFT)
/* TRBSR_EL1.EC values. */
#define TRB_EC_BUF_MGMT		0x00	/* BSC says which */
#define TRB_EC_GPC		0x1e	/* granule protection check */
#define TRB_EC_IMPDEF		0x1f
#define TRB_EC_ABORT_S1		0x24	/* data abort, stage 1 / same EL */
#define TRB_EC_ABORT_S2		0x25	/* stage 2 */
/* TRBSR_EL1.BSC values (EC == 0). */
#define TRB_BSC_NONE		0
#define TRB_BSC_FULL		1
#define TRB_BSC_TRIGGER		2
/* TRBIDR_EL1 (Arm ARM D19 "TRBIDR_EL1"). */
#define TRBIDR_ALIGN_MASK	0xfull		/* 3:0, 2^Align bytes */
#define TRBIDR_P		(1ull << 4)	/* owned by a higher EL */
#define TRBIDR_F		(1ull << 5)	/* flag updates */

#endif /* HWT_CS_PURE_H */
