// SPDX-License-Identifier: BSD-2-Clause
/*
 * bopts.c: each option sets exactly the config field the ABI headers
 * (include/hwt/hwt_soft.h, hwt_intel_pt.h) name for it, ranges become
 * inclusive [start, end - 1], and every malformed option string, unknown
 * option, repeat, out-of-range value and excess of ranges is refused.
 */
#include <string.h>

#include "hwt/hwt_coresight.h"
#include "hwt/hwt_intel_pt.h"
#include "hwt/hwt_soft.h"

#include "../bopts.h"
#include "../filter.h"
#include "../../tests/lib/unit.h"

static uint64_t blob[HWT_CONFIG_MAX / 8];
static struct hwt_config cfg;
static char err[256];

static int build(const char *backend, const char *opts,
		 const struct hwtd_range *r, int n)
{
	memset(blob, 0xa5, sizeof(blob));
	memset(&cfg, 0, sizeof(cfg));
	err[0] = 0;
	return hwtd_bopts_build(backend, opts, r, n, &cfg, blob, err,
				sizeof(err));
}

static void test_soft(void)
{
	const struct hwt_soft_config *c = (const void *)blob;
	struct hwtd_range r[5] = { { 0x401000, 0x401100 },
				   { 0x500000, 0x500001 } };

	/* No options: a config anyway, for the instruction clock. */
	UNIT_CHECK(build("soft", NULL, NULL, 0) == 1 &&
		   c->flags == HWT_SOFT_TSC && c->nranges == 0);
	UNIT_CHECK(build("soft", "", NULL, 0) == 1 && c->flags == HWT_SOFT_TSC);
	UNIT_CHECK(build("soft", "notsc", NULL, 0) == 1 && c->flags == 0);
	UNIT_CHECK(build("soft", "notsc=1", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "tsc,psb=256", r, 2) == 1);
	UNIT_CHECK(cfg.version == HWT_SOFT_CONFIG_VERSION &&
		   cfg.size == sizeof(*c) && cfg.data == (uintptr_t)blob);
	UNIT_CHECK(c->flags == HWT_SOFT_TSC && c->psb_period == 256 &&
		   c->reserved == 0);
	UNIT_CHECK(c->nranges == 2 && c->ranges[0].start == 0x401000 &&
		   c->ranges[0].end == 0x4010ff &&
		   c->ranges[1].start == 0x500000 &&
		   c->ranges[1].end == 0x500000);
	UNIT_CHECK(c->ranges[2].start == 0 && c->ranges[3].end == 0);
	UNIT_CHECK(build("soft", "retcomp,longtnt", NULL, 0) == 1 &&
		   c->flags == (HWT_SOFT_TSC | HWT_SOFT_RET_COMPRESSION |
				HWT_SOFT_LONG_TNT) && c->nranges == 0);
	UNIT_CHECK(build("soft", "psb=63", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb=1073741825", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "tsc=1", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "mtc", NULL, 0) == -1 &&
		   strstr(err, "mtc"));
	UNIT_CHECK(build("soft", NULL, r, 5) == -1 && strstr(err, "at most 4"));
}

static void test_intel_pt(void)
{
	const struct hwt_intel_pt_config *c = (const void *)blob;
	struct hwtd_range r[5] = { { 0x401000, 0x401100 } };

	UNIT_CHECK(build("intel_pt", NULL, r, 1) == 1);
	UNIT_CHECK(cfg.version == HWT_INTEL_PT_CONFIG_VERSION &&
		   cfg.size == sizeof(*c));
	UNIT_CHECK(c->flags == HWT_INTEL_PT_DEFAULT_FLAGS && c->nranges == 1 &&
		   c->ranges[0].start == 0x401000 &&
		   c->ranges[0].end == 0x4010ff &&
		   c->ranges[0].type == HWT_INTEL_PT_RANGE_FILTER &&
		   c->ranges[0].reserved == 0 && c->reserved0 == 0 &&
		   c->reserved1 == 0 && c->cr3_match == 0);
	UNIT_CHECK(build("intel_pt", "tsc,mtc=6,cyc=2,psb=1,noretcomp,"
			 "ptwrite,fup_on_ptw,pwr", NULL, 0) == 1);
	UNIT_CHECK(c->flags == (HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_TSC |
				HWT_INTEL_PT_MTC | HWT_INTEL_PT_CYC |
				HWT_INTEL_PT_PSB_PERIOD |
				HWT_INTEL_PT_NO_RETCOMP |
				HWT_INTEL_PT_PTWRITE |
				HWT_INTEL_PT_FUP_ON_PTW |
				HWT_INTEL_PT_PWR_EVT));
	UNIT_CHECK(c->mtc_period == 6 && c->cyc_thresh == 2 &&
		   c->psb_period == 1 && c->nranges == 0);
	/* perf's default MTC period; CYC threshold 0 = every cycle. */
	UNIT_CHECK(build("intel_pt", "mtc,cyc", NULL, 0) == 1 &&
		   c->mtc_period == 3 && c->cyc_thresh == 0);
	UNIT_CHECK(build("intel_pt", "nobranch", NULL, 0) == 1 &&
		   c->flags == HWT_INTEL_PT_USER);
	UNIT_CHECK(build("intel_pt", "mtc=16", NULL, 0) == -1);
	UNIT_CHECK(build("intel_pt", "psb", NULL, 0) == -1);
	UNIT_CHECK(build("intel_pt", "tsc=1", NULL, 0) == -1);
	UNIT_CHECK(build("intel_pt", "kernel", NULL, 0) == -1);
	UNIT_CHECK(build("intel_pt", NULL, r, 5) == -1);
}

/*
 * coresight: [start, end) becomes an include range from start to the
 * last 4-byte instruction (hwt_coresight.h: inclusive, 4-aligned ends).
 */
static void test_coresight(void)
{
	const struct hwt_coresight_config *c = (const void *)blob;
	struct hwtd_range r[9] = { { 0x401000, 0x401100 },
				   { 0x500000, 0x500006 } };
	int i;

	UNIT_CHECK(build("coresight", NULL, NULL, 0) == 0);
	UNIT_CHECK(build("coresight", NULL, r, 2) == 1);
	UNIT_CHECK(cfg.version == HWT_CORESIGHT_CONFIG_VERSION &&
		   cfg.size == sizeof(*c) && cfg.data == (uintptr_t)blob);
	UNIT_CHECK(c->flags == (HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID) &&
		   c->sink == 0 && c->cc_threshold == 0 &&
		   c->sync_period == 0 && c->ts_event == 0 &&
		   c->nranges == 2 && c->reserved[0] == 0 &&
		   c->reserved[1] == 0);
	UNIT_CHECK(c->ranges[0].start == 0x401000 &&
		   c->ranges[0].end == 0x4010fc &&
		   c->ranges[0].type == HWT_CORESIGHT_RANGE_INCLUDE &&
		   c->ranges[0].reserved == 0);
	UNIT_CHECK(c->ranges[1].start == 0x500000 &&
		   c->ranges[1].end == 0x500004);
	for (i = 2; i < HWT_CORESIGHT_MAX_RANGES; i++)
		UNIT_CHECK(c->ranges[i].start == 0 && c->ranges[i].end == 0 &&
			   c->ranges[i].type == 0);
	UNIT_CHECK(build("coresight", "ts,vmid,sync=8", NULL, 0) == 1);
	UNIT_CHECK(c->flags == (HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID |
				HWT_CORESIGHT_TIMESTAMP | HWT_CORESIGHT_VMID) &&
		   c->sync_period == 8 && c->nranges == 0);
	UNIT_CHECK(build("coresight", "sync=7", NULL, 0) == -1);
	UNIT_CHECK(build("coresight", "sync=21", NULL, 0) == -1);
	UNIT_CHECK(build("coresight", "sync", NULL, 0) == -1);
	UNIT_CHECK(build("coresight", "ts=1", NULL, 0) == -1);
	UNIT_CHECK(build("coresight", "tsc", NULL, 0) == -1 &&
		   strstr(err, "no option 'tsc'"));
	r[1].start = 0x500002;			/* not an A64 address */
	UNIT_CHECK(build("coresight", NULL, r, 2) == -1);
	r[1].start = 0x500000;
	r[1].end = 0x500002;			/* one instruction address */
	UNIT_CHECK(build("coresight", NULL, r, 2) == 1 &&
		   c->ranges[1].start == 0x500000 &&
		   c->ranges[1].end == 0x500000);
	for (i = 0; i < 9; i++) {
		r[i].start = 0x400000 + 0x1000 * i;
		r[i].end = r[i].start + 0x100;
	}
	UNIT_CHECK(build("coresight", NULL, r, 8) == 1 && c->nranges == 8);
	UNIT_CHECK(build("coresight", NULL, r, 9) == -1 &&
		   strstr(err, "at most 8"));
}

static void test_bad(void)
{
	struct hwtd_range r[1] = { { 0x401000, 0x401100 } };
	char big[HWTD_BOPTS_LEN + 8];

	UNIT_CHECK(build("null", "tsc", NULL, 0) == -1);
	UNIT_CHECK(build("null", NULL, r, 1) == -1 &&
		   strstr(err, "too many address ranges"));
	UNIT_CHECK(build("null", NULL, NULL, 0) == 0);
	UNIT_CHECK(build("soft", "tsc,tsc", NULL, 0) == -1 &&
		   strstr(err, "twice"));
	UNIT_CHECK(build("soft", "tsc,", NULL, 0) == -1);
	UNIT_CHECK(build("soft", ",tsc", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "tsc,,psb=64", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb=", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb=64x", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb=-64", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "psb=99999999999999999999", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "TSC", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "tsc psb=64", NULL, 0) == -1);
	UNIT_CHECK(build("soft", "a_very_long_option_name_beyond_31=1", NULL,
			 0) == -1);
	memset(big, 'a', sizeof(big));
	big[HWTD_BOPTS_LEN] = 0;			/* 256 bytes */
	UNIT_CHECK(!hwtd_bopts_syntax_ok(big));
	big[HWTD_BOPTS_LEN - 1] = 0;			/* 255 */
	UNIT_CHECK(hwtd_bopts_syntax_ok(big));
	UNIT_CHECK(!hwtd_bopts_syntax_ok("tsc;rm"));
	UNIT_CHECK(hwtd_bopts_syntax_ok("tsc,mtc=3"));
}

int main(void)
{
	UNIT_RUN(test_soft(), "hwtd/bopts/soft");
	UNIT_RUN(test_intel_pt(), "hwtd/bopts/intel_pt");
	UNIT_RUN(test_coresight(), "hwtd/bopts/coresight");
	UNIT_RUN(test_bad(), "hwtd/bopts/refused");
	return unit_failed ? 1 : 0;
}
