// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CoreSight config checking and register values (see cs_config.h).
 */
#include "cs_config.h"

#define FLAG(x)	HWT_CORESIGHT_ ## x

static int cs_check_range(const struct cs_caps *caps,
			  const struct hwt_coresight_range *r)
{
	if (r->reserved)
		return -CS_EINVAL;
	if (r->type != FLAG(RANGE_INCLUDE) && r->type != FLAG(RANGE_EXCLUDE))
		return -CS_EINVAL;
	/* A64 instructions are 4-byte aligned; comparators hold IASIZE. */
	if ((r->start | r->end) & 3)
		return -CS_EINVAL;
	if (caps->ia_bits == 32 && (r->start | r->end) >> 32)
		return -CS_EINVAL;
	if (r->start > r->end)
		return -CS_EINVAL;
	return 0;
}

/* Exclusion bits of the ELs to leave out, among those the unit has
 * (TRCVICTLR.EXLEVEL_NS: bits of ELs TRCIDR3 lacks are RES0). */
static uint32_t cs_exlevel_ns(const struct cs_caps *caps, uint32_t f)
{
	uint32_t keep = 0;

	if (f & FLAG(USER))
		keep |= 1u << 0;
	if (f & FLAG(KERNEL))
		keep |= 1u << 1 | 1u << 2;
	return caps->exlevel_ns & ~keep;
}

static int cs_check(const struct cs_caps *caps,
		    const struct hwt_coresight_config *c, enum cs_mode mode)
{
	static const struct hwt_coresight_range zero;
	uint32_t f = c->flags, i;
	int ret;

	/* Order: E2BIG for the ABI, EINVAL, EOPNOTSUPP, E2BIG for the unit. */
	if (c->nranges > HWT_CORESIGHT_MAX_RANGES)
		return -CS_E2BIG;
	if ((f & ~FLAG(FLAGS_ALL)) || c->reserved[0] || c->reserved[1])
		return -CS_EINVAL;
	if (c->sink > FLAG(SINK_ETF))
		return -CS_EINVAL;
	if (!(f & (FLAG(USER) | FLAG(KERNEL))))
		return -CS_EINVAL;
	if ((f & FLAG(KERNEL)) && mode != CS_MODE_CPU)
		return -CS_EINVAL;
	if ((f & FLAG(CYCLES)) ? c->cc_threshold == 0 ||
	    c->cc_threshold > 0xfff : c->cc_threshold != 0)
		return -CS_EINVAL;
	if ((f & FLAG(TS_EVENT)) && !(f & FLAG(TIMESTAMP)))
		return -CS_EINVAL;
	if ((f & FLAG(TS_EVENT)) ? c->ts_event > 31 : c->ts_event != 0)
		return -CS_EINVAL;
	if (c->sync_period && (c->sync_period < 8 || c->sync_period > 20))
		return -CS_EINVAL;
	for (i = 0; i < HWT_CORESIGHT_MAX_RANGES; i++) {
		if (i >= c->nranges) {
			if (memcmp(&c->ranges[i], &zero, sizeof(zero)))
				return -CS_EINVAL;
			continue;
		}
		ret = cs_check_range(caps, &c->ranges[i]);
		if (ret)
			return ret;
	}

	/* Capabilities (TRCIDR0-5, ETMv4 7.3.17-7.3.22). */
	if ((f & FLAG(BRANCH_BCAST)) && !caps->bb)
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(RETSTACK)) && !caps->retstack)
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(CYCLES)) &&
	    (!caps->cci || c->cc_threshold < caps->ccitmin))
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(TIMESTAMP)) && !caps->ts_bits)
		return -CS_EOPNOTSUPP;
	/* Resource selectors 0..2*NUMRSPAIR-1 exist (ETMv4 7.3.58). */
	if ((f & FLAG(TS_EVENT)) && c->ts_event >= 2u * caps->num_rs_pairs)
		return -CS_EOPNOTSUPP;
	if (((f & FLAG(CONTEXTID)) || mode == CS_MODE_THREAD) &&
	    !caps->cid_bits)
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(VMID)) && !caps->vmid_bits)
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(USER)) && !(caps->exlevel_ns & 1))
		return -CS_EOPNOTSUPP;
	if ((f & FLAG(KERNEL)) && !(caps->exlevel_ns & 2))
		return -CS_EOPNOTSUPP;
	if (c->sync_period && caps->sync_fixed)
		return -CS_EOPNOTSUPP;
	if (c->sink != FLAG(SINK_ANY) && !(caps->sinks & (1u << c->sink)))
		return -CS_EOPNOTSUPP;
	if (c->sink == FLAG(SINK_ANY) && !caps->sinks)
		return -CS_EOPNOTSUPP;
	if (c->nranges > caps->max_ranges)
		return -CS_E2BIG;
	return 0;
}

int cs_config_parse(const struct cs_caps *caps, uint32_t version,
		    const void *data, uint32_t size, enum cs_mode mode,
		    struct hwt_coresight_config *cfg)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (version != HWT_CORESIGHT_CONFIG_VERSION || size != sizeof(*cfg) ||
	    !data)
		return -CS_EINVAL;
	memcpy(cfg, data, sizeof(*cfg));
	ret = cs_check(caps, cfg, mode);
	if (ret)
		memset(cfg, 0, sizeof(*cfg));
	return ret;
}

void cs_config_default(struct hwt_coresight_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->flags = HWT_CORESIGHT_DEFAULT_FLAGS;
}

/* ANY: TRBE first (per CPU, no shared path), then ETR, then ETF. */
static uint32_t cs_pick_sink(const struct cs_caps *caps, uint32_t sink)
{
	static const uint32_t order[] = { FLAG(SINK_TRBE), FLAG(SINK_ETR),
					  FLAG(SINK_ETF) };
	unsigned int i;

	if (sink != FLAG(SINK_ANY))
		return sink;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (caps->sinks & (1u << order[i]))
			return order[i];
	return FLAG(SINK_ANY);
}

int cs_config_regs(const struct cs_caps *caps,
		   const struct hwt_coresight_config *cfg, enum cs_mode mode,
		   uint32_t trace_id, struct cs_regs *regs)
{
	uint32_t f = cfg->flags, i, inc = 0, exc = 0;

	memset(regs, 0, sizeof(*regs));
	if (cs_check(caps, cfg, mode))
		return -CS_EINVAL;
	if (caps->traceid_bits &&
	    (trace_id < CS_TRACEID_MIN || trace_id > CS_TRACEID_MAX))
		return -CS_EINVAL;

	/* TRCCONFIGR (ETMv4 7.3.11): bit 0 RES1, instruction trace only. */
	regs->configr = TRCCONFIGR_RES1;
	if (f & FLAG(BRANCH_BCAST)) {
		regs->configr |= TRCCONFIGR_BB;
		/* TRCBBCTLR (7.3.6): MODE 0 = exclude, RANGE 0: everywhere. */
		regs->bbctlr = 0;
		regs->write_bbctlr = 1;
	}
	if (f & FLAG(CYCLES)) {
		regs->configr |= TRCCONFIGR_CCI;
		regs->ccctlr = cfg->cc_threshold;	/* THRESHOLD 11:0 */
		regs->write_ccctlr = 1;
	}
	if ((f & FLAG(CONTEXTID)) || mode == CS_MODE_THREAD)
		regs->configr |= TRCCONFIGR_CID;
	if (f & FLAG(VMID))
		regs->configr |= TRCCONFIGR_VMID;
	if (f & FLAG(TIMESTAMP))
		regs->configr |= TRCCONFIGR_TS;
	if (f & FLAG(RETSTACK))
		regs->configr |= TRCCONFIGR_RS;

	/* TRCTSCTLR.EVENT (7.3.68): SEL 4:0, TYPE 7 = 0 single resource;
	 * resource 0 is always FALSE, so 0 means "only at sync". */
	regs->tsctlr = f & FLAG(TS_EVENT) ? cfg->ts_event : 0;
	/* PERIOD 4:0; always written where writable, so that no earlier
	 * session's period is left behind. */
	if (!caps->sync_fixed) {
		regs->syncpr = cfg->sync_period ? cfg->sync_period :
			       CS_SYNC_DEFAULT;
		regs->write_syncpr = 1;
	}
	regs->traceidr = caps->traceid_bits ? trace_id : 0;

	/*
	 * TRCVICTLR (7.3.72): ViewInst event = resource 1 (TRUE), the
	 * start/stop logic in the started state (SSSTATUS, no start/stop
	 * points: TRCVISSCTLR = 0), Secure state excluded at every EL it
	 * has, Non-secure ELs per USER/KERNEL.
	 */
	regs->victlr = CS_RES_TRUE | TRCVICTLR_SSSTATUS |
		       (uint32_t)caps->exlevel_s << TRCVICTLR_EXLEVEL_S_SHIFT |
		       cs_exlevel_ns(caps, f) << TRCVICTLR_EXLEVEL_NS_SHIFT;

	/* Pair n: TRCACVR(2n) low, (2n+1) high; TRCACATR 0: instruction
	 * address, no context match, every EL (7.3.1); TRCVIIECTLR (7.3.73):
	 * INCLUDE 7:0, EXCLUDE 23:16. */
	for (i = 0; i < cfg->nranges; i++) {
		regs->acvr[2 * i] = cfg->ranges[i].start;
		regs->acvr[2 * i + 1] = cfg->ranges[i].end;
		if (cfg->ranges[i].type == FLAG(RANGE_INCLUDE))
			inc |= 1u << i;
		else
			exc |= 1u << i;
	}
	regs->nac = 2 * cfg->nranges;
	regs->viiectlr = inc | exc << 16;
	regs->sink = cs_pick_sink(caps, cfg->sink);
	return 0;
}
