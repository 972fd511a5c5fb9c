// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_caps: every CPU of the table decodes to what the SDM's bit
 * definitions say (expectations written by hand in pt_cpus.h), and CPUs
 * without usable PT are refused.
 */
#include "pt_unit.h"
#include "pt_cpus.h"

static void test_cpu(const struct pt_cpu *c)
{
	struct pt_caps k;
	int ret = pt_caps_parse(&c->id, &k);

	CHECKF(ret == 0, "ret %d", ret);
	CHECK(k.topa == c->want.topa);
	CHECK(k.topa_multi == c->want.multi);
	CHECK(k.single_range == c->want.single);
	CHECK(k.cr3_filter == c->want.cr3);
	CHECK(k.psb_cyc == c->want.psb_cyc);
	CHECK(k.ip_filter == c->want.ip);
	CHECK(k.mtc == c->want.mtc);
	CHECK(k.ptwrite == c->want.ptw);
	CHECK(k.power_event == c->want.pwr);
	CHECKF(k.max_ranges == c->want.ranges, "%u", k.max_ranges);
	CHECKF(k.mtc_periods == c->want.mtc_bm, "%#x", k.mtc_periods);
	CHECKF(k.cyc_thresholds == c->want.cyc_bm, "%#x", k.cyc_thresholds);
	CHECKF(k.psb_periods == c->want.psb_bm, "%#x", k.psb_periods);
	CHECK(k.tsc_art_num == c->want.num && k.tsc_art_den == c->want.den);
	CHECK(k.maxphyaddr == c->want.phys);
	CHECK(k.linaddr_bits == 48 || k.linaddr_bits == 57);
}

/* No PT, or PT without an output scheme to memory: -PT_ENODEV. */
static void test_nodev(void)
{
	struct pt_cpuid id = pt_cpus[1].id;
	struct pt_caps k;

	id.leaf7_ebx &= ~PT_CPUID7_EBX_PT;	/* QEMU TCG, our VMs */
	CHECK(pt_caps_parse(&id, &k) == -PT_ENODEV);
	id = pt_cpus[1].id;
	id.max_leaf = 0x13;			/* leaf 14H not there */
	CHECK(pt_caps_parse(&id, &k) == -PT_ENODEV);
	id = pt_cpus[1].id;
	id.leaf14[0][2] = PT_14_0_ECX_TRANSPORT;	/* FabricEn only */
	CHECK(pt_caps_parse(&id, &k) == -PT_ENODEV);
	id = pt_cpus[1].id;
	id.leaf14[0][2] = PT_14_0_ECX_TOPA_MULTI;	/* MENTRY w/o ToPA */
	CHECK(pt_caps_parse(&id, &k) == -PT_ENODEV);
	id = pt_cpus[1].id;
	id.ext8_eax = 0x301f;			/* MAXPHYADDR 31 */
	CHECK(pt_caps_parse(&id, &k) == -PT_EINVAL);
}

/*
 * Sub-leaf 1 is only read when sub-leaf 0 EAX says it exists; range and
 * period fields only count with their feature bits.
 */
static void test_subleaf(void)
{
	struct pt_cpuid id = pt_cpus[1].id;
	struct pt_caps k;

	id.leaf14[0][0] = 0;
	CHECK(pt_caps_parse(&id, &k) == 0);
	CHECK(k.max_ranges == 0 && k.mtc_periods == 0 &&
	      k.cyc_thresholds == 0 && k.psb_periods == 0);
	id = pt_cpus[1].id;
	id.leaf14[0][1] &= ~PT_14_0_EBX_IP_FILTER;
	CHECK(pt_caps_parse(&id, &k) == 0);
	CHECK(k.num_ranges == 2 && k.max_ranges == 0);
	id = pt_cpus[1].id;
	id.leaf14[1][0] |= 7;			/* RANGECNT 7 */
	CHECK(pt_caps_parse(&id, &k) == 0);
	CHECK(k.num_ranges == 7 && k.max_ranges == 4);
	id = pt_cpus[1].id;
	id.leaf14[0][1] &= ~(PT_14_0_EBX_MTC | PT_14_0_EBX_PSB_CYC);
	CHECK(pt_caps_parse(&id, &k) == 0);
	CHECK(k.mtc_periods == 0 && k.cyc_thresholds == 0 &&
	      k.psb_periods == 0);
	id = pt_cpus[1].id;
	id.max_leaf = 0x14;			/* leaf 15H beyond max */
	CHECK(pt_caps_parse(&id, &k) == 0);
	CHECK(k.tsc_art_num == 0 && k.tsc_art_den == 0);
}

static void test_lowest(void)
{
	CHECK(pt_caps_lowest(0) == -PT_EOPNOTSUPP);
	CHECK(pt_caps_lowest(1) == 0);
	CHECK(pt_caps_lowest(0x8000) == 15);
	CHECK(pt_caps_lowest(0x0a0) == 5);
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < PT_NCPUS; i++)
		RUN(test_cpu(&pt_cpus[i]), "caps/%s", pt_cpus[i].name);
	RUN(test_nodev(), "caps/nodev");
	RUN(test_subleaf(), "caps/subleaf");
	RUN(test_lowest(), "caps/lowest");
	return unit_failed != 0;
}
