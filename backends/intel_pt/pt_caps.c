// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Intel PT capabilities from CPUID (see pt_caps.h).
 */
#include "pt_caps.h"

/* RTIT_CTL has ADDR0_CFG..ADDR3_CFG only (SDM 33.2.8.2). */
#define PT_CTL_ADDR_FIELDS	4

int pt_caps_parse(const struct pt_cpuid *raw, struct pt_caps *caps)
{
	uint32_t ebx = raw->leaf14[0][1], ecx = raw->leaf14[0][2];
	uint8_t phys = raw->ext8_eax & 0xff;
	uint8_t lin = (raw->ext8_eax >> 8) & 0xff;

	*caps = (struct pt_caps){ 0 };
	/* 33.3.1: PT exists iff CPUID.(EAX=07H,ECX=0):EBX[25] = 1. */
	if (!(raw->leaf7_ebx & PT_CPUID7_EBX_PT) || raw->max_leaf < 0x14)
		return -PT_ENODEV;
	if (phys < 32 || phys > 52 || (lin != 48 && lin != 57))
		return -PT_EINVAL;

	caps->max_subleaf = raw->leaf14[0][0];
	caps->cr3_filter = !!(ebx & PT_14_0_EBX_CR3_FILTER);
	caps->psb_cyc = !!(ebx & PT_14_0_EBX_PSB_CYC);
	caps->ip_filter = !!(ebx & PT_14_0_EBX_IP_FILTER);
	caps->mtc = !!(ebx & PT_14_0_EBX_MTC);
	caps->ptwrite = !!(ebx & PT_14_0_EBX_PTWRITE);
	caps->power_event = !!(ebx & PT_14_0_EBX_POWER_EVT);
	caps->psb_pmi_preserve = !!(ebx & PT_14_0_EBX_PSB_PMI);
	caps->event_trace = !!(ebx & PT_14_0_EBX_EVENT_TRACE);
	caps->tnt_disable = !!(ebx & PT_14_0_EBX_TNT_DISABLE);
	caps->topa = !!(ecx & PT_14_0_ECX_TOPA);
	caps->topa_multi = caps->topa && (ecx & PT_14_0_ECX_TOPA_MULTI);
	caps->single_range = !!(ecx & PT_14_0_ECX_SINGLE);
	caps->transport = !!(ecx & PT_14_0_ECX_TRANSPORT);
	caps->lip = !!(ecx & PT_14_0_ECX_LIP);

	/* Sub-leaf 1 exists only if sub-leaf 0 EAX says so (33.3.1). */
	if (caps->max_subleaf >= 1) {
		uint32_t eax1 = raw->leaf14[1][0], ebx1 = raw->leaf14[1][1];

		caps->num_ranges = eax1 & 0x7;
		if (caps->mtc)
			caps->mtc_periods = eax1 >> 16;
		if (caps->psb_cyc) {
			caps->cyc_thresholds = ebx1 & 0xffff;
			caps->psb_periods = ebx1 >> 16;
		}
	}
	/* ADDRn_CFG exist only with IP filtering (CPUID.(14H,0):EBX[2]). */
	if (caps->ip_filter)
		caps->max_ranges = caps->num_ranges < PT_CTL_ADDR_FIELDS ?
				   caps->num_ranges : PT_CTL_ADDR_FIELDS;

	/* Leaf 15H: TSC/"core crystal clock" ratio, ART = crystal. */
	if (raw->max_leaf >= 0x15 && raw->leaf15[0] && raw->leaf15[1]) {
		caps->tsc_art_den = raw->leaf15[0];
		caps->tsc_art_num = raw->leaf15[1];
		caps->crystal_hz = raw->leaf15[2];
	}
	caps->maxphyaddr = phys;
	caps->linaddr_bits = lin;

	/* FabricEn alone cannot write to memory: nothing for us (33.2.7). */
	if (!caps->topa && !caps->single_range)
		return -PT_ENODEV;
	return 0;
}

int pt_caps_lowest(uint16_t bitmap)
{
	int i;

	for (i = 0; i < 16; i++)
		if (bitmap & (1u << i))
			return i;
	return -PT_EOPNOTSUPP;
}
