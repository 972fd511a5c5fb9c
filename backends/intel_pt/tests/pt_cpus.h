/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * CPUs the tests run on: raw CPUID values, with what the SDM's bit
 * definitions (Vol. 3C 33.3.1, Vol. 2A CPUID leaf 14H) say they mean,
 * decoded by hand here (not by pt_caps) so that test_caps can hold the
 * parser to them.
 *
 * Real CPUs, and where their values come from:
 *  - Broadwell-E, Core i7-6900K (06_4F_1): bare-metal `cpuid -r` dump in
 *    Apache Cassandra, test/unit/org/apache/cassandra/io/util/
 *    FileUtilsTest.java ("baremetalCpuid").  Max leaf 14H, so no leaf 15H
 *    and no sub-leaf 1: the first PT generation, one ToPA output entry,
 *    no single-range output.
 *  - Kaby Lake, Pentium G4600 (06_9E_9): dump in google/EXEgesis,
 *    exegesis/base/cpuid_x86_test.cc (kDumpString).  Skylake-generation
 *    PT: CR3 filter, PSB/CYC, IP filter (2 ranges), MTC; TSC/ART 300/2.
 *  - Ice Lake-SP (ICX): the Intel PT feature set QEMU exposes to guests,
 *    which its Intel maintainers describe as "reported from ICX silicon"
 *    (qemu target/i386/cpu.c INTEL_PT_DEFAULT_*, patch "i386/cpu: Rename
 *    Intel PT feature set", Xiaoyao Li): leaf 14H only; leaf 7 EBX,
 *    leaf 15H and MAXPHYADDR (46) are not from that source.  Leaf 1 is
 *    06_6A_6, the signature of 3rd-generation Xeon Scalable (ICX).
 * Leaf 1 of the other real rows is the signature in their names; the
 * synthetic rows have 0 there (family 0: no errata apply).
 * Sapphire Rapids: we found no public dump of its leaf 14H (QEMU's list
 * only says SPR enumerates fewer CycThresh encodings than ICX), so it is
 * not in the table rather than made up.
 *
 * Synthetic CPUs, marked as such, cover what no real row has: every
 * EBX feature and 4 ranges; single-range output without ToPA; ToPA
 * without single range but with multiple entries and one range.
 */
#ifndef PT_CPUS_H
#define PT_CPUS_H

#include "../pt_caps.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct pt_cpu {
	const char *name;
	int real;
	struct pt_cpuid id;
	/* expected decoding, by hand from the SDM */
	struct {
		int topa, multi, single, cr3, psb_cyc, ip, mtc, ptw, pwr;
		unsigned int ranges;
		unsigned int mtc_bm, cyc_bm, psb_bm;
		unsigned int num, den, phys;
		const char *fms;	/* family/model/stepping, decimal */
	} want;
};

static const struct pt_cpu pt_cpus[] = {
	{
		.name = "broadwell-e", .real = 1,
		.id = {
			.max_leaf = 0x14, .leaf1_eax = 0x000406f1,
			.leaf7_ebx = 0x021cbfbb,
			.leaf14 = { { 0x0, 0x1, 0x1, 0x0 } },
			.ext8_eax = 0x302e,
		},
		.want = { .topa = 1, .cr3 = 1, .phys = 46, .fms = "6/79/1" },
	},
	{
		.name = "kabylake", .real = 1,
		.id = {
			.max_leaf = 0x16, .leaf1_eax = 0x000906e9,
			.leaf7_ebx = 0x02946687,
			.leaf14 = { { 0x1, 0xf, 0x7, 0x0 },
				    { 0x02490002, 0x003f3fff, 0, 0 } },
			.leaf15 = { 2, 0x12c, 0, 0 },
			.ext8_eax = 0x3027,
		},
		.want = { .topa = 1, .multi = 1, .single = 1, .cr3 = 1,
			  .psb_cyc = 1, .ip = 1, .mtc = 1, .ranges = 2,
			  .mtc_bm = 0x249, .cyc_bm = 0x3fff, .psb_bm = 0x3f,
			  .num = 300, .den = 2, .phys = 39, .fms = "6/158/9" },
	},
	{
		.name = "icelake-sp", .real = 1,
		.id = {
			.max_leaf = 0x14, .leaf1_eax = 0x000606a6,
			.leaf7_ebx = 1u << 25,
			.leaf14 = { { 0x1, 0xf, 0x7, 0x0 },
				    { 0x02490002, 0x003f1fff, 0, 0 } },
			.ext8_eax = 0x302e,
		},
		.want = { .topa = 1, .multi = 1, .single = 1, .cr3 = 1,
			  .psb_cyc = 1, .ip = 1, .mtc = 1, .ranges = 2,
			  .mtc_bm = 0x249, .cyc_bm = 0x1fff, .psb_bm = 0x3f,
			  .phys = 46, .fms = "6/106/6" },
	},
	{
		.name = "synthetic-all", .real = 0,
		.id = {
			.max_leaf = 0x15, .leaf7_ebx = 1u << 25,
			.leaf14 = { { 0x1, 0x1ff, 0x7, 0x0 },
				    { 0xffff0004, 0xffffffff, 0, 0 } },
			.leaf15 = { 3, 250, 25000000, 0 },
			.ext8_eax = 0x3934,
		},
		.want = { .topa = 1, .multi = 1, .single = 1, .cr3 = 1,
			  .psb_cyc = 1, .ip = 1, .mtc = 1, .ptw = 1, .pwr = 1,
			  .ranges = 4, .mtc_bm = 0xffff, .cyc_bm = 0xffff,
			  .psb_bm = 0xffff, .num = 250, .den = 3, .phys = 52,
			  .fms = "0/0/0" },
	},
	{
		.name = "synthetic-single-range", .real = 0,
		.id = {
			.max_leaf = 0x14, .leaf7_ebx = 1u << 25,
			.leaf14 = { { 0x1, 0xe, 0x4, 0x0 },
				    { 0x00090001, 0x00050003, 0, 0 } },
			.ext8_eax = 0x3027,
		},
		.want = { .single = 1, .psb_cyc = 1, .ip = 1, .mtc = 1,
			  .ranges = 1, .mtc_bm = 0x9, .cyc_bm = 0x3,
			  .psb_bm = 0x5, .phys = 39, .fms = "0/0/0" },
	},
	{
		.name = "synthetic-topa-only", .real = 0,
		.id = {
			.max_leaf = 0x14, .leaf7_ebx = 1u << 25,
			.leaf14 = { { 0x1, 0x6, 0x3, 0x0 },
				    { 0x00000001, 0x00020006, 0, 0 } },
			.ext8_eax = 0x3024,
		},
		.want = { .topa = 1, .multi = 1, .psb_cyc = 1, .ip = 1,
			  .ranges = 1, .cyc_bm = 0x6, .psb_bm = 0x2,
			  .phys = 36, .fms = "0/0/0" },
	},
};

#define PT_NCPUS	ARRAY_SIZE(pt_cpus)

#endif /* PT_CPUS_H */
