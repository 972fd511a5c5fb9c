// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Intel PT config checking and MSR values (see pt_config.h).
 */
#include "pt_config.h"

#define FLAG(x)	HWT_INTEL_PT_ ## x

int pt_canonical(uint64_t addr, unsigned int lin)
{
	uint64_t top = addr >> (lin - 1);

	/* Bits 63:lin-1 all equal (SDM Vol. 1 3.3.7.1). */
	return top == 0 || top == (~0ull >> (lin - 1));
}

/* Is encoding enc (0..15) in bitmap? */
static int pt_enc_ok(uint16_t bitmap, unsigned int enc)
{
	return enc < 16 && (bitmap & (1u << enc));
}

static int pt_check_range(const struct pt_caps *caps,
			  const struct hwt_intel_pt_range *r)
{
	if (r->reserved)
		return -PT_EINVAL;
	if (r->type != FLAG(RANGE_FILTER) && r->type != FLAG(RANGE_STOP))
		return -PT_EINVAL;
	/* ADDRn_A/B must be canonical, else WRMSR #GPs (33.2.8.5). */
	if (!pt_canonical(r->start, caps->linaddr_bits) ||
	    !pt_canonical(r->end, caps->linaddr_bits))
		return -PT_EINVAL;
	if (r->start > r->end)
		return -PT_EINVAL;
	return 0;
}

static int pt_check(const struct pt_caps *caps,
		    const struct hwt_intel_pt_config *c, enum pt_mode mode)
{
	static const struct hwt_intel_pt_range zero;
	uint32_t f = c->flags, i;
	int ret;

	/* Order: E2BIG for the ABI, EINVAL, EOPNOTSUPP, E2BIG for the CPU. */
	if (c->nranges > HWT_INTEL_PT_MAX_RANGES)
		return -PT_E2BIG;
	if ((f & ~FLAG(FLAGS_ALL)) || c->reserved0 || c->reserved1)
		return -PT_EINVAL;
	if (!(f & (FLAG(USER) | FLAG(KERNEL))))
		return -PT_EINVAL;
	if ((f & FLAG(KERNEL)) && mode != PT_MODE_CPU)
		return -PT_EINVAL;
	if ((f & FLAG(FUP_ON_PTW)) && !(f & FLAG(PTWRITE)))
		return -PT_EINVAL;
	if ((!(f & FLAG(MTC)) && c->mtc_period) ||
	    (!(f & FLAG(CYC)) && c->cyc_thresh) ||
	    (!(f & FLAG(PSB_PERIOD)) && c->psb_period))
		return -PT_EINVAL;
	if (c->mtc_period > 15 || c->cyc_thresh > 15 || c->psb_period > 15)
		return -PT_EINVAL;
	if (c->cr3_match & 0x1f)	/* CR3_MATCH 4:0 reserved (33.2.8.6) */
		return -PT_EINVAL;
	if (mode == PT_MODE_THREAD ? c->cr3_match != 0 :
	    c->cr3_match && !(f & FLAG(CR3_FILTER)))
		return -PT_EINVAL;
	for (i = 0; i < HWT_INTEL_PT_MAX_RANGES; i++) {
		if (i >= c->nranges) {
			if (memcmp(&c->ranges[i], &zero, sizeof(zero)))
				return -PT_EINVAL;
			continue;
		}
		ret = pt_check_range(caps, &c->ranges[i]);
		if (ret)
			return ret;
	}

	/* Capabilities (33.3.1, CPUID leaf 14H). */
	if ((f & (FLAG(CYC) | FLAG(PSB_PERIOD))) && !caps->psb_cyc)
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(MTC)) && !caps->mtc)
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(PTWRITE)) && !caps->ptwrite)
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(PWR_EVT)) && !caps->power_event)
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(CR3_FILTER)) && (!caps->cr3_filter || caps->cr3_inexact))
		return -PT_EOPNOTSUPP;
	/* MTCFreq, CycThresh, PSBFreq: only enumerated encodings. */
	if ((f & FLAG(MTC)) && !pt_enc_ok(caps->mtc_periods, c->mtc_period))
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(CYC)) &&
	    !pt_enc_ok(caps->cyc_thresholds, c->cyc_thresh))
		return -PT_EOPNOTSUPP;
	if ((f & FLAG(PSB_PERIOD)) &&
	    !pt_enc_ok(caps->psb_periods, c->psb_period))
		return -PT_EOPNOTSUPP;
	/*
	 * The first PT generation (no CPUID.(14H,0):EBX[1]) always traces
	 * COFI: Linux's pt_event_valid() refuses BranchEn=0 there.
	 */
	if (!(f & FLAG(BRANCH)) && !caps->psb_cyc)
		return -PT_EOPNOTSUPP;
	if (c->nranges > caps->max_ranges)
		return -PT_E2BIG;
	return 0;
}

int pt_config_parse(const struct pt_caps *caps, uint32_t version,
		    const void *data, uint32_t size, enum pt_mode mode,
		    struct hwt_intel_pt_config *cfg)
{
	int ret;

	if (version != HWT_INTEL_PT_CONFIG_VERSION || size != sizeof(*cfg) ||
	    !data)
		return -PT_EINVAL;
	memcpy(cfg, data, sizeof(*cfg));
	ret = pt_check(caps, cfg, mode);
	if (ret)
		memset(cfg, 0, sizeof(*cfg));
	return ret;
}

void pt_config_default(struct hwt_intel_pt_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flags = HWT_INTEL_PT_DEFAULT_FLAGS;
}

/*
 * A period field the CPU has: the requested encoding, or with the flag off
 * the reset value 0 if enumerated (else the lowest enumerated), since an
 * encoding the bitmap lacks #GPs even when the packet is off (33.2.8.2).
 */
static uint64_t pt_period(int present, uint16_t bitmap, int flag,
			  unsigned int enc)
{
	int low;

	if (!present)
		return 0;
	if (flag)
		return enc;
	if (bitmap & 1)
		return 0;
	low = pt_caps_lowest(bitmap);
	return low < 0 ? 0 : (uint64_t)low;
}

int pt_config_regs(const struct pt_caps *caps,
		   const struct hwt_intel_pt_config *cfg, enum pt_mode mode,
		   int out_topa, uint64_t cr3, struct pt_msrs *regs)
{
	uint32_t f = cfg->flags, i;
	uint64_t ctl = 0;

	memset(regs, 0, sizeof(*regs));
	if (pt_check(caps, cfg, mode))
		return -PT_EINVAL;
	if (out_topa ? !caps->topa : !caps->single_range)
		return -PT_EINVAL;

	if (f & FLAG(USER))
		ctl |= PT_CTL_USER;
	if (f & FLAG(KERNEL))
		ctl |= PT_CTL_OS;
	if (f & FLAG(BRANCH))
		ctl |= PT_CTL_BRANCHEN;
	if (f & FLAG(TSC))
		ctl |= PT_CTL_TSCEN;
	if (f & FLAG(NO_RETCOMP))
		ctl |= PT_CTL_DISRETC;
	if (f & FLAG(MTC))
		ctl |= PT_CTL_MTCEN;
	if (f & FLAG(CYC))
		ctl |= PT_CTL_CYCEN;
	if (f & FLAG(PTWRITE))
		ctl |= PT_CTL_PTWEN;
	if (f & FLAG(FUP_ON_PTW))
		ctl |= PT_CTL_FUPONPTW;
	if (f & FLAG(PWR_EVT))
		ctl |= PT_CTL_PWREVTEN;
	if (out_topa)
		ctl |= PT_CTL_TOPA;
	ctl |= pt_period(caps->mtc, caps->mtc_periods, f & FLAG(MTC),
			 cfg->mtc_period) << PT_CTL_MTCFREQ_SHIFT;
	ctl |= pt_period(caps->psb_cyc, caps->cyc_thresholds, f & FLAG(CYC),
			 cfg->cyc_thresh) << PT_CTL_CYCTHRESH_SHIFT;
	ctl |= pt_period(caps->psb_cyc, caps->psb_periods,
			 f & FLAG(PSB_PERIOD), cfg->psb_period) <<
	       PT_CTL_PSBFREQ_SHIFT;

	if (f & FLAG(CR3_FILTER)) {
		ctl |= PT_CTL_CR3FILTER;
		regs->cr3_match = mode == PT_MODE_THREAD ? cr3 & ~0x1full :
				  cfg->cr3_match;
		regs->write_cr3 = 1;
	} else if (caps->cr3_filter) {
		/* Leave no stale match value behind (33.2.8.6). */
		regs->write_cr3 = 1;
	}

	for (i = 0; i < cfg->nranges; i++) {
		ctl |= (uint64_t)cfg->ranges[i].type << PT_CTL_ADDR_SHIFT(i);
		regs->addr_a[i] = cfg->ranges[i].start;
		regs->addr_b[i] = cfg->ranges[i].end;
	}
	regs->naddr = cfg->nranges;
	regs->ctl = ctl;
	return 0;
}

int pt_seq_start(const struct pt_msrs *regs, const struct pt_output *out,
		 uint64_t status, struct pt_wrmsr *seq)
{
	int n = 0;
	uint32_t i;

	/* All of these #GP while TraceEn = 1, so they come first. */
	seq[n++] = (struct pt_wrmsr){ PT_MSR_STATUS, status };
	seq[n++] = (struct pt_wrmsr){ PT_MSR_OUTPUT_BASE, out->base };
	seq[n++] = (struct pt_wrmsr){ PT_MSR_OUTPUT_MASK, out->mask_ptrs };
	if (regs->write_cr3)
		seq[n++] = (struct pt_wrmsr){ PT_MSR_CR3_MATCH,
					      regs->cr3_match };
	for (i = 0; i < regs->naddr; i++) {
		seq[n++] = (struct pt_wrmsr){ PT_MSR_ADDR0_A + 2 * i,
					      regs->addr_a[i] };
		seq[n++] = (struct pt_wrmsr){ PT_MSR_ADDR0_A + 2 * i + 1,
					      regs->addr_b[i] };
	}
	/* TraceEn last (33.3.3). */
	seq[n++] = (struct pt_wrmsr){ PT_MSR_CTL,
				      regs->ctl | PT_CTL_TRACEEN };
	return n;
}

int pt_seq_drain(const struct pt_msrs *regs, const struct pt_output *out,
		 uint64_t status, unsigned int flags, struct pt_wrmsr *seq)
{
	int n = 0;

	seq[n++] = (struct pt_wrmsr){ PT_MSR_OUTPUT_BASE, out->base };
	seq[n++] = (struct pt_wrmsr){ PT_MSR_OUTPUT_MASK, out->mask_ptrs };
	if (flags & (PT_DRAIN_STATUS | PT_DRAIN_NEW_RUN)) {
		status &= ~(PT_STATUS_ERROR | PT_STATUS_TRIGGEREN |
			    PT_STATUS_CONTEXTEN | PT_STATUS_FILTEREN);
		if (flags & PT_DRAIN_NEW_RUN)
			status &= ~(0x1ffffull << PT_STATUS_BYTECNT_SHIFT);
		seq[n++] = (struct pt_wrmsr){ PT_MSR_STATUS, status };
	}
	/* TraceEn last (33.3.3). */
	seq[n++] = (struct pt_wrmsr){ PT_MSR_CTL, regs->ctl | PT_CTL_TRACEEN };
	return n;
}
