/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Trace units the tests run on: raw ID register values, with what the
 * ETMv4 spec's bit definitions (IHI 0064 7.3.15, 7.3.17-7.3.22) say they
 * mean, decoded by hand here (not by cs_caps) so that test_caps can hold
 * the parser to them.
 *
 * Real cores, and where each value comes from:
 *  - Cortex-A53 (ETMv4.0, TRCIDR1 REVISION 3): TRCIDR0-2, 8-13 and
 *    TRCCONFIGR/TRCTRACEIDR from the Juno r1 snapshot
 *    ../shared/corpus/coresight/juno_r1_1/device_6.ini (ETM_0, cpu_0 is
 *    a Cortex-A53).  TRCIDR3 0x0D7B0004: the A53 ETM's reset value in
 *    AMD/Xilinx UG1087 (Zynq UltraScale+ register reference, IDR3
 *    A53_ETM_n), a shipped A53.  TRCIDR4 0x11170004: the field values the
 *    Arm TRMs give (Cortex-A35 C11.36, Cortex-A76 D9.33: one VMID and
 *    one CID comparator, one single-shot control, 8 resource selector
 *    pairs, no data comparators) with NUMACPAIRS 4 (A35: "Four address
 *    comparator pairs"); ASSUMED for the A53, not read from one.
 *    TRCIDR5 is ASSUMED: TRACEIDSIZE 7 (the Juno trace IDs 0x10-0x15
 *    need it), NUMCNTR 2, NUMSEQSTATE 4, NUMEXTIN 30.
 *  - Cortex-A57 (ETMv4.0, REVISION 2): TRCIDR0-2, 8-13 from
 *    juno_r1_1/device_10.ini (ETM_4, cpu_4 is a Cortex-A57); TRCIDR3-5
 *    ASSUMED equal to the A53 row's (no source found).
 * Cortex-A76 (ETMv4.2) and Neoverse N2 (ETE + TRBE): no public dump of
 * their TRCIDR0-5 / TRBIDR_EL1 was found (the TRMs give field lists,
 * and the A76 TRM's TRCIDR4 page is what the A53 row borrows), so they
 * are not in the table rather than made up; the lead should add them
 * from a machine (tests/hw) or the TRM tables.
 *
 * Synthetic units, marked as such, cover what no real row has:
 *  - soft-ete / soft-etm4: the register set backends/soft/ete_enc.c
 *    describes for the emulated unit (ete_soft_regs()): EL0 only, no
 *    comparators, no CCI/BB/RS; the ETE one with a TRBE (TraceBuffer 1,
 *    TRBIDR.Align 6 = 64 bytes, F).
 *  - all: ETE with every feature this backend uses, 8 comparator pairs,
 *    TRBE, and an ETR; min: ETMv4.0 with no timestamps, context IDs,
 *    VMIDs or comparators, an ETF the only sink.
 */
#ifndef CS_CPUS_H
#define CS_CPUS_H

#include "../cs_caps.h"
#include "hwt/hwt_coresight.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define SINK(x)		(1u << HWT_CORESIGHT_SINK_ ## x)

struct cs_cpu {
	const char *name;
	int real;
	struct cs_idregs id;
	/* expected decoding, by hand from the spec */
	struct {
		int ete, major, minor, rev;
		int bb, cci, rs, ts_bits, cid_bits, vmid_bits, ia_bits;
		unsigned int ccitmin, exl_s, exl_ns, sync_fixed;
		unsigned int pairs, rs_pairs, traceid_bits;
		int trbe, align;
		unsigned int sinks;
	} want;
};

static const struct cs_cpu cs_cpus[] = {
	{
		.name = "cortex-a53", .real = 1,
		.id = {
			.trcidr = { 0x28000EA1, 0x4100F403, 0x00000488,
				    0x0D7B0004, 0x11170004, 0x28C7081E },
			.sinks = SINK(ETR) | SINK(ETF),	/* Juno: both */
		},
		/* IDR0 0x28000EA1: bit 0 RES1, TRCBB (5), TRCCCI (7),
		 * RETSTACK (9), NUMEVENT 3 (11:10), TSSIZE 8 = 64-bit,
		 * COMMOPT (29).  IDR1 0x4100F403: DESIGNER 0x41, 15:12
		 * RES1, ARCHMAJ 4, ARCHMIN 0, REVISION 3.  IDR2 0x488:
		 * IASIZE 8 (64), CIDSIZE 4 (32), VMIDSIZE 1 (8).  IDR3
		 * 0x0D7B0004: CCITMIN 4, EXLEVEL_S 0xB, EXLEVEL_NS 7,
		 * TRCERR, STALLCTL, SYSSTALL.  IDR4: 4 pairs, NUMRSPAIR 7
		 * (8 pairs).  IDR5: TRACEIDSIZE 7. */
		.want = { 0, 4, 0, 3, 1, 1, 1, 64, 32, 8, 64,
			  4, 0xb, 7, 0, 4, 8, 7, 0, 0,
			  SINK(ETR) | SINK(ETF) },
	},
	{
		.name = "cortex-a57", .real = 1,
		.id = {
			.trcidr = { 0x28000EA1, 0x4100F402, 0x00000488,
				    0x0D7B0004, 0x11170004, 0x28C7081E },
			.sinks = SINK(ETR) | SINK(ETF),
		},
		.want = { 0, 4, 0, 2, 1, 1, 1, 64, 32, 8, 64,
			  4, 0xb, 7, 0, 4, 8, 7, 0, 0,
			  SINK(ETR) | SINK(ETF) },
	},
	{
		.name = "soft-ete (synthetic)",
		.id = {
			.trcidr = { 0x08000001, 0x0000fff0, 0x08 | 4 << 5 |
				    4 << 10, 0x00100000, 0x4, 0x00070000 },
			.trcdevarch = 0x47705a13,
			/* TraceVer 1 (7:4), TraceBuffer 1 (47:44) */
			.dfr0 = 1ull << 4 | 1ull << 44,
			.trbidr = 6 | TRBIDR_F,
		},
		/* DEVARCH 0x47705a13: ARCHITECT 0x23b, PRESENT, REVISION
		 * 0, ARCHVER 5 (ETE), ARCHPART 0xa13.  IDR3 0x00100000:
		 * EXLEVEL_NS 1 (EL0 only), CCITMIN 0.  IDR4 0x4:
		 * NUMACPAIRS 4, the soft unit's address filters. */
		.want = { 1, 5, 0, 0, 0, 0, 0, 64, 32, 32, 64,
			  0, 0, 1, 0, 4, 1, 7, 1, 6, SINK(TRBE) },
	},
	{
		.name = "soft-etm4 (synthetic)",
		.id = {
			.trcidr = { 0x08000001, 0x0000f420, 0x08 | 4 << 5 |
				    4 << 10, 0x00100000, 0x4, 0x00070000 },
			.trcdevarch = 0x47724a13,
			.sinks = SINK(ETR),
		},
		/* DEVARCH 0x47724a13: REVISION 2, ARCHVER 4: ETMv4.2.
		 * IDR4 0x4: NUMACPAIRS 4. */
		.want = { 0, 4, 2, 0, 0, 0, 0, 64, 32, 32, 64,
			  0, 0, 1, 0, 4, 1, 7, 0, 0, SINK(ETR) },
	},
	{
		.name = "all (synthetic)",
		.id = {
			/* + TRCCOND (6) */
			.trcidr = { 0x28000EE1, 0x4100fff0, 0x00001088,
				    0x0DF00008, 0x11170008, 0x28C7081E },
			.trcdevarch = 0x47705a13,
			.dfr0 = 1ull << 4 | 1ull << 44,
			.trbidr = 11,
			.sinks = SINK(ETR),
		},
		/* IDR2 0x1088: VMIDSIZE 4 (32).  IDR3 0x0DF00008:
		 * CCITMIN 8, EXLEVEL_S 0, EXLEVEL_NS 0xF, TRCERR, STALLCTL,
		 * SYSSTALL, SYNCPR 0.  IDR4: 8 pairs. */
		.want = { 1, 5, 0, 0, 1, 1, 1, 64, 32, 32, 64,
			  8, 0, 0xf, 0, 8, 8, 7, 1, 11,
			  SINK(TRBE) | SINK(ETR) },
	},
	{
		.name = "min (synthetic)",
		.id = {
			/* TSSIZE 0, no BB/CCI/RS; IDR2: IASIZE 64 only;
			 * IDR3: EXLEVEL_NS 3, SYNCPR fixed (25). */
			.trcidr = { 0x00000001, 0x4100F400, 0x00000008,
				    0x02300000, 0x00000000, 0x00000000 },
			.sinks = SINK(ETF),
		},
		.want = { 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 64,
			  0, 0, 3, 1, 0, 1, 0, 0, 0, SINK(ETF) },
	},
};

#endif /* CS_CPUS_H */
