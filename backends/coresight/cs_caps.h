/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_caps: what a CPU's trace unit (ETE or ETMv4) and its TRBE can do,
 * decoded from the ID registers the kernel glue reads on that CPU:
 * TRCIDR0-5 and TRCIDR8-13 (ETMv4 7.3.17-7.3.30 "TRCIDRn"; ETE, same
 * names), TRCDEVARCH (ETMv4 7.3.15), ID_AA64DFR0_EL1 (Arm ARM D19:
 * TraceVer 7:4, TraceBuffer 47:44) and TRBIDR_EL1 (Arm ARM D19).
 */
#ifndef HWT_CS_CAPS_H
#define HWT_CS_CAPS_H

#include "cs_pure.h"

/* Raw ID registers, as read. */
struct cs_idregs {
	uint32_t trcidr[14];	/* TRCIDR0..13; 6 and 7 unused (0) */
	uint32_t trcdevarch;	/* 0 where the unit has none (ETMv4.0/1) */
	uint64_t dfr0;		/* ID_AA64DFR0_EL1 */
	uint64_t trbidr;	/* TRBIDR_EL1, 0 without TRBE */
	/* discovery: memory-mapped sinks reachable from this unit */
	uint32_t sinks;		/* bit HWT_CORESIGHT_SINK_ETR / _ETF */
};

/* TRCIDR0 (ETMv4 7.3.17). */
#define TRCIDR0_RES1		(1u << 0)
#define TRCIDR0_INSTP0_SHIFT	1	/* 2:1 */
#define TRCIDR0_TRCDATA_SHIFT	3	/* 4:3 */
#define TRCIDR0_TRCBB		(1u << 5)
#define TRCIDR0_TRCCOND		(1u << 6)
#define TRCIDR0_TRCCCI		(1u << 7)
#define TRCIDR0_RETSTACK	(1u << 9)
#define TRCIDR0_NUMEVENT_SHIFT	10	/* 11:10, events - 1 */
#define TRCIDR0_QSUPP_SHIFT	15	/* 16:15 */
#define TRCIDR0_TSSIZE_SHIFT	24	/* 28:24: 0 none, 6 48-bit, 8 64 */
/* TRCIDR1 (7.3.18): REVISION 3:0, ARCHMIN 7:4, ARCHMAJ 11:8, 15:12 RES1,
 * DESIGNER 31:24. */
#define TRCIDR1_RES1		(0xfu << 12)
/* TRCIDR2 (7.3.19): IASIZE 4:0, CIDSIZE 9:5, VMIDSIZE 14:10, DASIZE
 * 19:15, DVSIZE 24:20, CCSIZE 28:25 (counter is 12 + CCSIZE bits). */
/* TRCIDR3 (7.3.20): CCITMIN 11:0, EXLEVEL_S 19:16, EXLEVEL_NS 23:20,
 * TRCERR 24, SYNCPR 25 (fixed period), STALLCTL 26, SYSSTALL 27,
 * NUMPROC 30:28, NOOVERFLOW 31. */
/* TRCIDR4 (7.3.21): NUMACPAIRS 3:0, NUMDVC 7:4, SUPPDAC 8, NUMPC 15:12,
 * NUMRSPAIR 19:16, NUMSSCC 23:20, NUMCIDC 27:24, NUMVMIDC 31:28. */
/* TRCIDR5 (7.3.22): NUMEXTIN 8:0, TRACEIDSIZE 21:16, ATBTRIG 22,
 * LPOVERRIDE 23, NUMSEQSTATE 27:25, NUMCNTR 30:28, REDFUNCNTR 31. */
/* TRCDEVARCH (7.3.15): ARCHITECT 31:21 (0x23b = Arm), PRESENT 20,
 * REVISION 19:16, ARCHVER 15:12 (4 ETMv4, 5 ETE), ARCHPART 11:0
 * (0xa13). */
#define TRCDEVARCH_PRESENT	(1u << 20)

enum cs_arch {
	CS_ARCH_ETMV4,		/* memory-mapped ETMv4.x */
	CS_ARCH_ETE,		/* ETE, system registers */
};

struct cs_caps {
	enum cs_arch arch;
	uint8_t arch_major, arch_minor;	/* 4.x; ETE: 5.x from DEVARCH */
	uint8_t revision;
	uint8_t designer;
	/* TRCIDR0 */
	uint8_t bb;			/* branch broadcast */
	uint8_t cond;			/* conditional instruction trace */
	uint8_t cci;			/* cycle counting */
	uint8_t retstack;
	uint8_t data;			/* INSTP0 / TRCDATA: data trace */
	uint8_t ts_bits;		/* 0, 48 or 64 */
	uint8_t num_events;
	/* TRCIDR2 */
	uint8_t ia_bits;		/* 32 or 64 */
	uint8_t cid_bits;		/* 0 or 32 */
	uint8_t vmid_bits;		/* 0, 8, 16, 32 */
	uint8_t cc_bits;		/* cycle counter width, 12..27 */
	/* TRCIDR3 */
	uint16_t ccitmin;
	uint8_t exlevel_s;		/* bitmap of ELs traceable */
	uint8_t exlevel_ns;
	uint8_t trcerr;
	uint8_t sync_fixed;		/* TRCSYNCPR is read-only */
	uint8_t stallctl;
	/* TRCIDR4 */
	uint8_t num_ac_pairs;		/* address comparator pairs */
	uint8_t max_ranges;		/* what the config may ask for */
	uint8_t num_rs_pairs;		/* resource selector pairs */
	uint8_t num_cidc, num_vmidc;
	/* TRCIDR5 */
	uint8_t traceid_bits;		/* 0 or 7 */
	uint8_t num_cntr;
	/* TRCIDR8 */
	uint32_t maxspec;
	/* TRBE (ETE only) */
	uint8_t trbe;			/* TRBE usable at EL1 */
	uint8_t trbe_align;		/* TRBPTR alignment: 2^trbe_align */
	uint8_t trbe_flag;		/* TRBIDR.F */
	uint32_t sinks;			/* HWT_CORESIGHT_SINK_* bits usable */
};

/*
 * cs_caps_parse() - decode raw ID registers into caps.
 *
 * Returns 0 and fills caps if the unit is an ETMv4 (TRCIDR1.TRCARCHMAJ 4,
 * or TRCDEVARCH.ARCHVER 4) or ETE (ARCHVER 5 with
 * ID_AA64DFR0_EL1.TraceVer >= 1) that traces AArch64 (IASIZE 64-bit).
 * Returns -CS_ENODEV if it is neither (no TRCDEVARCH.PRESENT with a
 * non-Arm ARCHITECT or another ARCHPART, TRCIDR1 not 4.x without
 * TRCDEVARCH, ETE without the system register interface).
 * Returns -CS_EINVAL if a RES1 field reads 0 (TRCIDR0 bit 0, TRCIDR1
 * 15:12: not an ID register read), IASIZE is not 32/64-bit,
 * NUMACPAIRS > 8, TSSIZE is not 0/6/8 or TRACEIDSIZE is not 0/7.
 */
int cs_caps_parse(const struct cs_idregs *raw, struct cs_caps *caps);

#endif /* HWT_CS_CAPS_H */
