// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_model: the model is the oracle of the other tests, so each of its
 * rules is tested here: the write the SDM says faults is refused and
 * counted with the right section, and the nearest legal write is
 * accepted (so no rule is broader than the SDM's).
 */
#include "pt_unit.h"
#include "pt_cpus.h"
#include "pt_mem.h"

#define KBL	(&pt_cpus[1].id)	/* Kaby Lake */
#define BDW	(&pt_cpus[0].id)	/* Broadwell-E */
#define ALL	(&pt_cpus[3].id)	/* synthetic, every feature */
#define SRO	(&pt_cpus[4].id)	/* synthetic, single range only */
#define TOPA_ONLY (&pt_cpus[5].id)

static struct pt_mem mem;

/* One write on a fresh model: refused with a rule starting with sect? */
static int gp_on(const struct pt_cpuid *id, uint32_t msr, uint64_t v,
		 const char *sect)
{
	struct ptm m;

	ptm_init(&m, id, &mem.ops);
	if (ptm_wrmsr(&m, msr, v) != -1 || m.gp != 1 || m.writes)
		return 0;
	if (strncmp(m.gp_rule, sect, strlen(sect))) {
		printf("  rule \"%s\", want %s\n", m.gp_rule, sect);
		return 0;
	}
	return 1;
}

static int ok_on(const struct pt_cpuid *id, uint32_t msr, uint64_t v)
{
	struct ptm m;

	ptm_init(&m, id, &mem.ops);
	return ptm_wrmsr(&m, msr, v) == 0 && m.gp == 0 && m.writes == 1;
}

#define CTL	PT_MSR_CTL

static void test_ctl_reserved(void)
{
	static const int rsvd[] = { 18, 23, 28, 29, 30, 48, 54, 56, 63 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rsvd); i++)
		CHECKF(gp_on(ALL, CTL, 1ull << rsvd[i], "33.2.8.2"), "bit %d",
		       rsvd[i]);
	CHECK(ok_on(ALL, CTL, PT_CTL_USER | PT_CTL_BRANCHEN));
}

/* A feature bit of RTIT_CTL faults without its CPUID bit (33.2.8.2). */
static void test_ctl_caps(void)
{
	CHECK(gp_on(SRO, CTL, PT_CTL_CR3FILTER, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, PT_CTL_CR3FILTER));
	CHECK(gp_on(BDW, CTL, PT_CTL_CYCEN, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, PT_CTL_CYCEN));
	CHECK(gp_on(BDW, CTL, 1ull << PT_CTL_PSBFREQ_SHIFT, "33.2.8.2"));
	CHECK(gp_on(BDW, CTL, 1ull << PT_CTL_CYCTHRESH_SHIFT, "33.2.8.2"));
	CHECK(gp_on(BDW, CTL, PT_CTL_MTCEN, "33.2.8.2"));
	CHECK(gp_on(TOPA_ONLY, CTL, PT_CTL_MTCEN, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, PT_CTL_MTCEN));
	CHECK(gp_on(KBL, CTL, PT_CTL_PTWEN, "33.2.8.2"));
	CHECK(gp_on(KBL, CTL, PT_CTL_FUPONPTW, "33.2.8.2"));
	CHECK(ok_on(ALL, CTL, PT_CTL_PTWEN | PT_CTL_FUPONPTW));
	CHECK(gp_on(KBL, CTL, PT_CTL_PWREVTEN, "33.2.8.2"));
	CHECK(ok_on(ALL, CTL, PT_CTL_PWREVTEN));
	CHECK(gp_on(KBL, CTL, PT_CTL_EVENTEN, "33.2.8.2"));
	CHECK(ok_on(ALL, CTL, PT_CTL_EVENTEN));
	CHECK(gp_on(KBL, CTL, PT_CTL_DISTNT, "33.2.8.2"));
	CHECK(ok_on(ALL, CTL, PT_CTL_DISTNT));
	CHECK(gp_on(ALL, CTL, PT_CTL_FABRICEN, "33.2.8.2"));
	CHECK(gp_on(SRO, CTL, PT_CTL_TOPA, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, PT_CTL_TOPA));
	/* TraceEn with single-range output the CPU lacks. */
	CHECK(gp_on(BDW, CTL, PT_CTL_TRACEEN | PT_CTL_USER, "33.2.8.2"));
	CHECK(gp_on(TOPA_ONLY, CTL, PT_CTL_TRACEEN, "33.2.8.2"));
}

/* Period encodings must be enumerated in CPUID.(14H,1) (33.2.8.2). */
static void test_ctl_encodings(void)
{
	/* Kaby Lake: MTC 0x249 = {0,3,6,9}, CYC 0x3fff, PSB 0x3f. */
	CHECK(ok_on(KBL, CTL, 3ull << PT_CTL_MTCFREQ_SHIFT));
	CHECK(gp_on(KBL, CTL, 2ull << PT_CTL_MTCFREQ_SHIFT, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, 13ull << PT_CTL_CYCTHRESH_SHIFT));
	CHECK(gp_on(KBL, CTL, 14ull << PT_CTL_CYCTHRESH_SHIFT, "33.2.8.2"));
	CHECK(ok_on(KBL, CTL, 5ull << PT_CTL_PSBFREQ_SHIFT));
	CHECK(gp_on(KBL, CTL, 6ull << PT_CTL_PSBFREQ_SHIFT, "33.2.8.2"));
	/* Encoding 0 missing from the bitmap faults too. */
	CHECK(gp_on(TOPA_ONLY, CTL, 0, "33.2.8.2"));
	CHECK(ok_on(TOPA_ONLY, CTL, (1ull << PT_CTL_CYCTHRESH_SHIFT) |
		    (1ull << PT_CTL_PSBFREQ_SHIFT)));
	/* ADDRn_CFG: only 0..2, only n < RANGECNT. */
	CHECK(ok_on(KBL, CTL, (2ull << 32) | (1ull << 36)));
	CHECK(gp_on(KBL, CTL, 3ull << 32, "33.2.8.2"));
	CHECK(gp_on(KBL, CTL, 1ull << 40, "33.2.8.2"));
	CHECK(gp_on(BDW, CTL, 1ull << 32, "33.2.8.2"));
	CHECK(ok_on(ALL, CTL, 2ull << 44));
}

/*
 * While TraceEn = 1 only TraceEn may change (33.2.8.1, 33.2.8.2), and
 * the other config MSRs cannot be written (33.2.8.4-8).
 */
static void test_traceen_locks(void)
{
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN | PT_CTL_TOPA;
	uint64_t *tbl, pa = PT_MEM_BASE;
	struct ptm m;

	tbl = pt_mem_at(&mem, pa);
	tbl[0] = (pa + 0x1000) | (0ull << PT_TOPA_SIZE_SHIFT);
	tbl[1] = pa | PT_TOPA_END;
	ptm_init(&m, KBL, &mem.ops);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_BASE, pa) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_MASK, 0) == 0);
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.op_errors == 0 && (m.status & PT_STATUS_TRIGGEREN));
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0); /* same */
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN | PT_CTL_TSCEN)
	      == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_BASE, pa) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_MASK, 0) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_CR3_MATCH, 0) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_ADDR0_A, 0) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_ADDR0_A + 3, 0) == -1);
	CHECK(m.gp == 7);
	CHECK(ptm_wrmsr(&m, CTL, ctl) == 0);	/* clearing TraceEn: ok */
	CHECK(!(m.status & PT_STATUS_TRIGGEREN));
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_BASE, pa) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_ADDR0_A + 3, 0) == 0);
	CHECK(m.gp == 7);
}

static void test_other_msrs(void)
{
	uint64_t v;
	struct ptm m;

	/* STATUS: bit 3 and 31:8 reserved; PacketByteCnt needs EBX[1]. */
	CHECK(gp_on(KBL, PT_MSR_STATUS, 1ull << 3, "33.2.8.4"));
	CHECK(gp_on(KBL, PT_MSR_STATUS, 1ull << 8, "33.2.8.4"));
	CHECK(gp_on(KBL, PT_MSR_STATUS, 1ull << 6, "33.2.8.4"));
	CHECK(ok_on(ALL, PT_MSR_STATUS, 1ull << 6));
	CHECK(ok_on(KBL, PT_MSR_STATUS, PT_STATUS_ERROR |
		    PT_STATUS_STOPPED | (0x123ull << 32)));
	CHECK(gp_on(BDW, PT_MSR_STATUS, 1ull << 32, "33.3.1"));
	/* FilterEn/ContextEn/TriggerEn: writes ignored. */
	ptm_init(&m, KBL, &mem.ops);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 7) == 0);
	CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &v) == 0 && v == 0);
	/* CR3_MATCH: EBX[0]; bits 4:0 reserved. */
	CHECK(gp_on(SRO, PT_MSR_CR3_MATCH, 0x1000, "33.2.8.6"));
	CHECK(gp_on(KBL, PT_MSR_CR3_MATCH, 0x1010, "33.2.8.6"));
	CHECK(ok_on(KBL, PT_MSR_CR3_MATCH, 0x1020));
	ptm_init(&m, SRO, &mem.ops);
	CHECK(ptm_rdmsr(&m, PT_MSR_CR3_MATCH, &v) == -1 && m.gp == 1);
	/* OUTPUT_BASE: bits 6:0 and >= MAXPHYADDR reserved. */
	CHECK(gp_on(KBL, PT_MSR_OUTPUT_BASE, 0x40, "33.2.8.7"));
	CHECK(gp_on(KBL, PT_MSR_OUTPUT_BASE, 1ull << 39, "33.2.8.7"));
	CHECK(ok_on(KBL, PT_MSR_OUTPUT_BASE, (1ull << 39) - 0x80));
	CHECK(ok_on(KBL, PT_MSR_OUTPUT_BASE, 0x80)); /* op error later */
	/* OUTPUT_MASK_PTRS: LowerMask reads 7FH whatever is written. */
	ptm_init(&m, KBL, &mem.ops);
	CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &v) == 0 && v == 0x7f);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_MASK, 0x100) == 0);
	CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &v) == 0 && v == 0x17f);
	/* ADDRn: n < RANGECNT, canonical. */
	CHECK(ok_on(KBL, PT_MSR_ADDR0_A + 3, 0x401000));
	CHECK(gp_on(KBL, PT_MSR_ADDR0_A + 4, 0x401000, "33.2.8.5"));
	CHECK(gp_on(BDW, PT_MSR_ADDR0_A, 0x401000, "33.2.8.5"));
	CHECK(gp_on(KBL, PT_MSR_ADDR0_A, 0x0000800000000000ull,
		    "33.2.8.5"));
	CHECK(ok_on(KBL, PT_MSR_ADDR0_A, 0xffff800000000000ull));
	CHECK(ok_on(ALL, PT_MSR_ADDR0_A + 7, 0x00ff800000000000ull));
	CHECK(gp_on(ALL, PT_MSR_ADDR0_A + 7, 0x0100000000000000ull,
		    "33.2.8.5"));
	ptm_init(&m, KBL, &mem.ops);
	CHECK(ptm_rdmsr(&m, PT_MSR_ADDR0_A + 5, &v) == -1 && m.gp == 1);
	/* No PT at all: every PT MSR faults (33.3.1). */
	{
		struct pt_cpuid id = *KBL;

		id.leaf7_ebx = 0;
		CHECK(gp_on(&id, CTL, 0, "33.3.1"));
		CHECK(gp_on(&id, PT_MSR_STATUS, 0, "33.3.1"));
	}
	CHECK(gp_on(KBL, 0x573, 0, "not an Intel PT MSR"));
}

/* Operational errors at TraceEn (33.2.7.2 "ToPA Errors", 33.2.8.7/8). */
static int op_error_at_enable(const struct pt_cpuid *id, uint64_t base,
			      uint64_t mask, uint64_t ctl, const char *sect)
{
	struct ptm m;

	ptm_init(&m, id, &mem.ops);
	if (ptm_wrmsr(&m, PT_MSR_OUTPUT_BASE, base) ||
	    ptm_wrmsr(&m, PT_MSR_OUTPUT_MASK, mask) ||
	    ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN | PT_CTL_USER |
		      PT_CTL_BRANCHEN))
		return -1;
	if (!m.op_errors)
		return 0;
	if (!(m.status & PT_STATUS_ERROR) ||
	    (m.status & PT_STATUS_TRIGGEREN))
		return -1;
	if (strncmp(m.op_rule, sect, strlen(sect))) {
		printf("  rule \"%s\", want %s\n", m.op_rule, sect);
		return -1;
	}
	return 1;
}

static void test_op_errors(void)
{
	uint64_t pa = PT_MEM_BASE + 0x10000, *tbl = pt_mem_at(&mem, pa);
	uint64_t region = PT_MEM_BASE + 0x20000;

	memset(tbl, 0, 0x1000);
	tbl[0] = region | (1ull << PT_TOPA_SIZE_SHIFT);	/* 8K */
	tbl[1] = pa | PT_TOPA_END;
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "") == 0);
	CHECK(op_error_at_enable(BDW, pa, 0, PT_CTL_TOPA, "") == 0);
	CHECK(op_error_at_enable(KBL, pa, 0x1fffull << 32, PT_CTL_TOPA,
				 "") == 0);
	/* Output offset at or beyond the region. */
	CHECK(op_error_at_enable(KBL, pa, 0x2000ull << 32, PT_CTL_TOPA,
				 "33.2.7.2") == 1);
	/* Table base bits 11:7. */
	CHECK(op_error_at_enable(KBL, pa + 0x80, 0, PT_CTL_TOPA,
				 "33.2.8.7") == 1);
	/* Region not aligned to its size. */
	tbl[0] = (region + 0x1000) | (1ull << PT_TOPA_SIZE_SHIFT);
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	/* Reserved entry bit. */
	tbl[0] = region | (1ull << 3);
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	tbl[0] = region | (1ull << 39);		/* >= MAXPHYADDR 39 */
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	/* END in entry 0; INT with END. */
	tbl[0] = pa | PT_TOPA_END;
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	tbl[0] = region;
	tbl[1] = pa | PT_TOPA_END | PT_TOPA_INT;
	CHECK(op_error_at_enable(KBL, pa, 1ull << 7, PT_CTL_TOPA,
				 "33.2.7.2") == 1);
	/* One-entry ToPA (Broadwell): entry 1 must be END to the table. */
	tbl[1] = (region + 0x2000);
	CHECK(op_error_at_enable(BDW, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	CHECK(op_error_at_enable(KBL, pa, 0, PT_CTL_TOPA, "") == 0);
	tbl[1] = (pa + 0x1000) | PT_TOPA_END;
	CHECK(op_error_at_enable(BDW, pa, 0, PT_CTL_TOPA, "33.2.7.2") == 1);
	tbl[1] = pa | PT_TOPA_END;
	CHECK(op_error_at_enable(BDW, pa, 1ull << 7, PT_CTL_TOPA,
				 "33.2.7.2") == 1);
	/* Single range: contiguous mask, aligned base, offset <= mask. */
	CHECK(op_error_at_enable(KBL, region, 0x1fff, 0, "") == 0);
	CHECK(op_error_at_enable(KBL, region, 0x2f7f, 0, "33.2.8.8") == 1);
	CHECK(op_error_at_enable(KBL, region + 0x1000, 0x1fff, 0,
				 "33.2.8.7") == 1);
	CHECK(op_error_at_enable(KBL, region, 0x1fff | (0x2000ull << 32), 0,
				 "33.2.8.8") == 1);
}

/*
 * A model on cpu with psb_plus on, ToPA over one 4K region at
 * PT_MEM_BASE + 0x1000 (a ring), STATUS = status, not enabled yet.
 */
static void psb_setup(struct ptm *m, const struct pt_cpuid *id,
		      uint64_t status)
{
	uint64_t *tbl, pa = PT_MEM_BASE;

	tbl = pt_mem_at(&mem, pa);
	tbl[0] = pa + 0x1000;
	tbl[1] = pa | PT_TOPA_END;
	memset(pt_mem_at(&mem, pa + 0x1000), 0, 0x1000);
	ptm_init(m, id, &mem.ops);
	m->psb_plus = 1;
	m->tsc = 0x0123456789abcdull;
	CHECK(ptm_wrmsr(m, PT_MSR_OUTPUT_BASE, pa) == 0);
	CHECK(ptm_wrmsr(m, PT_MSR_OUTPUT_MASK, 0) == 0);
	CHECK(ptm_wrmsr(m, PT_MSR_STATUS, status) == 0);
}

/* The 16 bytes of PSB (33.4.2.17) then the rest at out + 16. */
static int is_psb(const uint8_t *out)
{
	int i;

	for (i = 0; i < 16; i += 2)
		if (out[i] != 0x02 || out[i + 1] != 0x82)
			return 0;
	return 1;
}

static uint64_t pbc_of(struct ptm *m)
{
	uint64_t st = 0;

	CHECK(ptm_rdmsr(m, PT_MSR_STATUS, &st) == 0);
	return st >> 32 & 0x1ffff;
}

/*
 * TraceEn 0 -> 1 (33.2.8.3; 33.4.3 rows 2b, 2d; PSB+ contents 33.3.7):
 * with PacketByteCnt = 0 a PSB+ of PSB, TSC (TSCEn), PSBEND, no
 * MODE.Exec and no FUP (PacketEn is 0 at a kernel-mode enable of
 * user-only tracing); with PacketByteCnt != 0 only TSC (TSCEn).
 * PacketByteCnt reads back the bytes stored, saturating.
 */
static void test_enable_psb(void)
{
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN | PT_CTL_TOPA;
	const uint8_t *out = pt_mem_at(&mem, PT_MEM_BASE + 0x1000);
	static const uint8_t junk[1000];
	uint64_t saved;
	struct ptm m;
	int i;

	/* PacketByteCnt 0, no TSCEn: PSB, PSBEND: 18 bytes. */
	psb_setup(&m, KBL, 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 18 && is_psb(out) && out[16] == 0x02 &&
	      out[17] == 0x23 && m.enable_psbs == 1);
	CHECK(pbc_of(&m) == 18);
	CHECK(ptm_emit(&m, junk, 100) == 100 && pbc_of(&m) == 118);
	/* Disabled and enabled with the count kept: nothing. */
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	saved = 0;
	CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &saved) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, saved) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 118 && m.enable_psbs == 1);
	/* STATUS cannot be written while TraceEn = 1 (33.2.8.4). */
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == -1 && m.gp == 1);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	/* PacketByteCnt written 0 while clear: PSB+ again, at 118. */
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0 && pbc_of(&m) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 136 && is_psb(out + 118) && m.enable_psbs == 2);

	/* TSCEn: PSB, TSC, PSBEND; later enables: TSC alone. */
	psb_setup(&m, KBL, 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TSCEN |
			PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 26 && is_psb(out) && out[16] == 0x19 &&
	      out[17] == 0xcd && out[23] == 0x01 && out[24] == 0x02 &&
	      out[25] == 0x23);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TSCEN) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TSCEN |
			PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 34 && out[26] == 0x19 && m.enable_psbs == 1);

	/* A saved non-zero count restored: no PSB+ (thread switch-in). */
	psb_setup(&m, KBL, 40ull << 32);
	CHECK(pbc_of(&m) == 40);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 0 && m.enable_psbs == 0);

	/* Error set: TriggerEn stays clear, nothing is written. */
	psb_setup(&m, KBL, PT_STATUS_ERROR);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 0 && m.enable_psbs == 0);

	/* psb_plus off (test_topa's raw output): nothing either. */
	psb_setup(&m, KBL, 0);
	m.psb_plus = 0;
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 0);

	/* The count saturates at the field's maximum, never wraps to 0. */
	psb_setup(&m, KBL, 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	for (i = 0; i < 200; i++)
		ptm_emit(&m, junk, sizeof(junk));
	CHECK(pbc_of(&m) == 0x1ffff);

	/*
	 * Broadwell (no CPUID.(14H,0):EBX[1]): the field is reserved, reads
	 * 0 and only 0 is written; the unit's own count still decides, and
	 * writing STATUS resets it.
	 */
	psb_setup(&m, BDW, 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 18 && pbc_of(&m) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 18);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 1ull << 32) == -1);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 36 && is_psb(out + 18) && m.enable_psbs == 2);
}

/*
 * TraceStop (33.2.4.3): the unit sets Stopped (TriggerEn cleared) and
 * stores nothing more, not even at a later enable, until software
 * clears Stopped with TraceEn clear; then the next enable traces again
 * (PSB+ with PacketByteCnt 0).  With hold_stop (the emulated unit in a
 * CPU-mode session) that write is refused and counted, Stopped written
 * back is not; hold_stop without a TraceStop refuses nothing.
 */
static void test_trace_stop(void)
{
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN | PT_CTL_TOPA;
	static const uint8_t pkt[4] = { 0x02, 0x83, 0x00, 0x00 };
	uint64_t st = 0;
	uint32_t gp;
	struct ptm m;

	psb_setup(&m, KBL, 0);
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0 &&
	      m.stored == 18);
	CHECK(ptm_emit(&m, pkt, sizeof(pkt)) == 4 && m.stored == 22);
	CHECK(ptm_trace_stop(&m) == 1 && m.trace_stopped);
	CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &st) == 0 &&
	      (st & PT_STATUS_STOPPED) && !(st & PT_STATUS_TRIGGEREN));
	CHECK(ptm_emit(&m, pkt, sizeof(pkt)) == 0 && m.stored == 22);
	CHECK(ptm_trace_stop(&m) == 0);
	/* A CPU-mode drain: Stopped kept, PacketByteCnt 0: nothing. */
	m.hold_stop = 1;
	CHECK(ptm_wrmsr(&m, CTL, ctl) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, PT_STATUS_STOPPED) == 0);
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 22 && m.enable_psbs == 1 && m.gp == 0);
	CHECK(ptm_emit(&m, pkt, sizeof(pkt)) == 0);
	/* A drain that clears it would trace past the stop: refused. */
	CHECK(ptm_wrmsr(&m, CTL, ctl) == 0);
	gp = m.gp;
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == -1 && m.gp == gp + 1 &&
	      !strncmp(m.gp_rule, "33.2.4.3", 8));
	CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &st) == 0 &&
	      (st & PT_STATUS_STOPPED) && m.trace_stopped);
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0 &&
	      m.stored == 22);
	/* The session over (no hold): cleared, traced again from PSB+. */
	CHECK(ptm_wrmsr(&m, CTL, ctl) == 0);
	m.hold_stop = 0;
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0 && !m.trace_stopped);
	CHECK(ptm_wrmsr(&m, CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.stored == 40 && is_psb(pt_mem_at(&mem, PT_MEM_BASE +
						 0x1000 + 22)) &&
	      m.enable_psbs == 2);
	CHECK(ptm_emit(&m, pkt, sizeof(pkt)) == 4);
	/* hold_stop without a TraceStop: Error cleared as always. */
	psb_setup(&m, KBL, PT_STATUS_ERROR);
	m.hold_stop = 1;
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0 && m.gp == 0);
	/* Error is not a TraceStop. */
	CHECK(!m.trace_stopped);
}

int main(void)
{
	pt_mem_init(&mem, 1 << 20);
	RUN(test_ctl_reserved(), "model/ctl-reserved-bits");
	RUN(test_ctl_caps(), "model/ctl-needs-cpuid");
	RUN(test_ctl_encodings(), "model/ctl-encodings");
	RUN(test_traceen_locks(), "model/traceen-locks-config");
	RUN(test_other_msrs(), "model/status-cr3-output-addr");
	RUN(test_op_errors(), "model/operational-errors");
	RUN(test_enable_psb(), "model/psb-plus-at-enable-iff-packetbytecnt-0");
	RUN(test_trace_stop(), "model/tracestop-stops-until-cleared");
	pt_mem_free(&mem);
	return unit_failed != 0;
}
