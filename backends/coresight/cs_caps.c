// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Trace unit capabilities from the ID registers (see cs_caps.h).
 */
#include "cs_caps.h"
#include "hwt/hwt_coresight.h"

static uint32_t field(uint32_t v, unsigned int lo, unsigned int bits)
{
	return (v >> lo) & ((1u << bits) - 1);
}

/* TRCIDR2 size encodings: 0 none, 1 8-bit, 2 16, 4 32, 8 64 (7.3.19). */
static int size_bits(uint32_t enc)
{
	switch (enc) {
	case 0:
		return 0;
	case 1:
		return 8;
	case 2:
		return 16;
	case 4:
		return 32;
	case 8:
		return 64;
	default:
		return -1;
	}
}

static int cs_arch_of(const struct cs_idregs *r, struct cs_caps *c)
{
	uint32_t da = r->trcdevarch, idr1 = r->trcidr[1];

	c->revision = field(idr1, 0, 4);
	c->designer = field(idr1, 24, 8);
	if (da & TRCDEVARCH_PRESENT) {
		/* ARCHITECT Arm (JEP106 0x3b, bank 4: 0x23b), ARCHPART 0xa13. */
		if (field(da, 21, 11) != 0x23b || field(da, 0, 12) != 0xa13)
			return -CS_ENODEV;
		c->arch_major = field(da, 12, 4);
		c->arch_minor = field(da, 16, 4);
		if (c->arch_major == 4) {
			c->arch = CS_ARCH_ETMV4;
			return 0;
		}
		/* ETE needs the system register interface: TraceVer. */
		if (c->arch_major == 5 && field(r->dfr0, 4, 4) >= 1) {
			c->arch = CS_ARCH_ETE;
			return 0;
		}
		return -CS_ENODEV;
	}
	/* ETMv4.0/4.1: no TRCDEVARCH, the version is in TRCIDR1. */
	if (field(idr1, 8, 4) != 4)
		return -CS_ENODEV;
	c->arch = CS_ARCH_ETMV4;
	c->arch_major = 4;
	c->arch_minor = field(idr1, 4, 4);
	return 0;
}

int cs_caps_parse(const struct cs_idregs *r, struct cs_caps *c)
{
	uint32_t i0 = r->trcidr[0], i2 = r->trcidr[2], i3 = r->trcidr[3];
	uint32_t i4 = r->trcidr[4], i5 = r->trcidr[5];
	int ret, ia, cid, vmid;

	memset(c, 0, sizeof(*c));
	if (!(i0 & TRCIDR0_RES1) ||
	    (r->trcidr[1] & TRCIDR1_RES1) != TRCIDR1_RES1)
		return -CS_EINVAL;
	ret = cs_arch_of(r, c);
	if (ret) {
		memset(c, 0, sizeof(*c));
		return ret;
	}

	c->data = field(i0, 1, 2) || field(i0, 3, 2);
	c->bb = !!(i0 & TRCIDR0_TRCBB);
	c->cond = !!(i0 & TRCIDR0_TRCCOND);
	c->cci = !!(i0 & TRCIDR0_TRCCCI);
	c->retstack = !!(i0 & TRCIDR0_RETSTACK);
	c->num_events = field(i0, 10, 2) + 1;
	switch (field(i0, 24, 5)) {
	case 0:
		c->ts_bits = 0;
		break;
	case 6:
		c->ts_bits = 48;
		break;
	case 8:
		c->ts_bits = 64;
		break;
	default:
		goto bad;
	}

	ia = size_bits(field(i2, 0, 5));
	cid = size_bits(field(i2, 5, 5));
	vmid = size_bits(field(i2, 10, 5));
	if ((ia != 32 && ia != 64) || (cid != 0 && cid != 32) || vmid < 0 ||
	    vmid > 32)
		goto bad;
	c->ia_bits = ia;
	c->cid_bits = cid;
	c->vmid_bits = vmid;
	c->cc_bits = 12 + field(i2, 25, 4);

	c->ccitmin = field(i3, 0, 12);
	c->exlevel_s = field(i3, 16, 4);
	c->exlevel_ns = field(i3, 20, 4);
	c->trcerr = field(i3, 24, 1);
	c->sync_fixed = field(i3, 25, 1);
	c->stallctl = field(i3, 26, 1);

	c->num_ac_pairs = field(i4, 0, 4);
	if (c->num_ac_pairs > HWT_CORESIGHT_MAX_RANGES)
		goto bad;
	/* A range filter is only useful on an AArch64 PE with 64-bit IAs. */
	c->max_ranges = ia == 64 ? c->num_ac_pairs : 0;
	c->num_rs_pairs = field(i4, 16, 4) + 1;
	c->num_cidc = field(i4, 24, 4);
	c->num_vmidc = field(i4, 28, 4);

	c->traceid_bits = field(i5, 16, 6);
	if (c->traceid_bits != 0 && c->traceid_bits != 7)
		goto bad;
	c->num_cntr = field(i5, 28, 3);
	c->maxspec = r->trcidr[8];

	/* TRBE: FEAT_TRBE (TraceBuffer) and programmable here (!P). */
	if (c->arch == CS_ARCH_ETE && field(r->dfr0 >> 32, 12, 4) >= 1 &&
	    !(r->trbidr & TRBIDR_P)) {
		c->trbe = 1;
		c->trbe_align = r->trbidr & TRBIDR_ALIGN_MASK;
		c->trbe_flag = !!(r->trbidr & TRBIDR_F);
		c->sinks |= 1u << HWT_CORESIGHT_SINK_TRBE;
	}
	c->sinks |= r->sinks & (1u << HWT_CORESIGHT_SINK_ETR |
				1u << HWT_CORESIGHT_SINK_ETF);
	return 0;
bad:
	memset(c, 0, sizeof(*c));
	return -CS_EINVAL;
}
