// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A model of the ETE/ETMv4 programmers' model and TRBE (see cs_model.h).
 * Field positions are spelled out here from the specs rather than taken
 * from cs_caps, so that the two readings check each other.
 */
#include "cs_model.h"
#include "hwt/hwt_coresight.h"

static uint32_t bits(uint64_t v, unsigned int lo, unsigned int n)
{
	return (v >> lo) & ((1u << n) - 1);
}

static int refuse(struct csm *m, const char *rule)
{
	m->refused++;
	m->rule = rule;
	return -1;
}

void csm_init(struct csm *m, const struct cs_idregs *id)
{
	uint32_t da = id->trcdevarch;

	memset(m, 0, sizeof(*m));
	m->id = *id;
	m->ete = (da & (1u << 20)) && bits(da, 12, 4) == 5;
	m->has_trbe = m->ete && bits(id->dfr0, 44, 4) >= 1 &&
		      !(id->trbidr & TRBIDR_P);
	m->oslk = 1;
	m->idle = m->idle_want = 1;
}

void csm_claim_external(struct csm *m)
{
	m->claim |= CS_CLAIM_EXTERNAL;
}

/* Number of address comparator pairs: TRCIDR4[3:0]. */
static uint32_t num_ac(const struct csm *m)
{
	return bits(m->id.trcidr[4], 0, 4);
}

/* Resource selectors: 2 * (TRCIDR4.NUMRSPAIR + 1). */
static uint32_t num_rs(const struct csm *m)
{
	return 2 * (bits(m->id.trcidr[4], 16, 4) + 1);
}

static int check_configr(struct csm *m, uint32_t v)
{
	uint32_t i0 = m->id.trcidr[0], i2 = m->id.trcidr[2];
	const uint32_t defined = 0x3ffdf;	/* 17:6, 4:0 */

	if (v & ~defined)
		return refuse(m, "ETMv4 7.3.11 TRCCONFIGR: RES0 bit set");
	if (!(v & TRCCONFIGR_RES1))
		return refuse(m, "ETMv4 7.3.11 TRCCONFIGR: bit 0 is RES1");
	if ((v & TRCCONFIGR_BB) && !(i0 & (1u << 5)))
		return refuse(m, "TRCCONFIGR.BB without TRCIDR0.TRCBB");
	if ((v & TRCCONFIGR_CCI) && !(i0 & (1u << 7)))
		return refuse(m, "TRCCONFIGR.CCI without TRCIDR0.TRCCCI");
	if ((v & TRCCONFIGR_RS) && !(i0 & (1u << 9)))
		return refuse(m, "TRCCONFIGR.RS without TRCIDR0.RETSTACK");
	if ((v & TRCCONFIGR_TS) && !bits(i0, 24, 5))
		return refuse(m, "TRCCONFIGR.TS without TRCIDR0.TSSIZE");
	if ((v & TRCCONFIGR_CID) && !bits(i2, 5, 5))
		return refuse(m, "TRCCONFIGR.CID without TRCIDR2.CIDSIZE");
	if ((v & TRCCONFIGR_VMID) && !bits(i2, 10, 5))
		return refuse(m, "TRCCONFIGR.VMID without TRCIDR2.VMIDSIZE");
	if ((v & TRCCONFIGR_COND) && !(i0 & (1u << 6)))
		return refuse(m, "TRCCONFIGR.COND without TRCIDR0.TRCCOND");
	if ((v & TRCCONFIGR_QE) && !bits(i0, 15, 2))
		return refuse(m, "TRCCONFIGR.QE without TRCIDR0.QSUPP");
	if ((v & (TRCCONFIGR_INSTP0 | TRCCONFIGR_DA | TRCCONFIGR_DV)) &&
	    !bits(i0, 1, 2))
		return refuse(m, "TRCCONFIGR data trace without TRCIDR0.INSTP0");
	if (v & TRCCONFIGR_VMIDOPT)
		return refuse(m, "TRCCONFIGR.VMIDOPT: not in this model");
	return 0;
}

static int check_victlr(struct csm *m, uint32_t v)
{
	uint32_t i3 = m->id.trcidr[3];
	uint32_t ok = 0xff | TRCVICTLR_SSSTATUS | TRCVICTLR_TRCRESET |
		      TRCVICTLR_TRCERR | 0xffu << 16;

	if (v & ~ok)
		return refuse(m, "ETMv4 7.3.72 TRCVICTLR: RES0 bit set");
	if ((v & TRCVICTLR_TRCERR) && !bits(i3, 24, 1))
		return refuse(m, "TRCVICTLR.TRCERR without TRCIDR3.TRCERR");
	/* EXLEVEL_x<n> of an EL TRCIDR3 does not list is RES0. */
	if (bits(v, 16, 4) & ~bits(i3, 16, 4))
		return refuse(m, "TRCVICTLR.EXLEVEL_S: EL not implemented");
	if (bits(v, 20, 4) & ~bits(i3, 20, 4))
		return refuse(m, "TRCVICTLR.EXLEVEL_NS: EL not implemented");
	/* EVENT.SEL names a resource selector (TYPE bit 7 = 0). */
	if (!(v & 0x80) && bits(v, 0, 5) >= num_rs(m))
		return refuse(m, "TRCVICTLR.EVENT: no such resource");
	return 0;
}

/* The trace unit's programming registers. */
static int check_prog(struct csm *m, uint32_t reg, uint64_t v)
{
	uint32_t i0 = m->id.trcidr[0], i3 = m->id.trcidr[3];
	uint32_t i4 = m->id.trcidr[4], n = num_ac(m), idx;
	uint32_t mask_ac = (1u << n) - 1;

	if (reg != TRCACVR(0) + 8 * ((reg - TRCACVR(0)) / 8) &&
	    reg >= TRCACVR(0) && reg < TRCACATR(16))
		return refuse(m, "ETMv4 7.2: no register at this offset");
	if (reg >= TRCACVR(0) && reg < TRCACATR(0)) {
		idx = (reg - TRCACVR(0)) / 8;
		if (idx >= 2 * n)
			return refuse(m, "TRCACVRn: n >= 2 * TRCIDR4.NUMACPAIRS");
		if (bits(m->id.trcidr[2], 0, 5) == 4 && v >> 32)
			return refuse(m, "TRCACVRn: above TRCIDR2.IASIZE");
		return 0;
	}
	if (reg >= TRCACATR(0) && reg < TRCACATR(16)) {
		idx = (reg - TRCACATR(0)) / 8;
		if (idx >= 2 * n)
			return refuse(m, "TRCACATRn: n >= 2 * TRCIDR4.NUMACPAIRS");
		if (v & ~0x3ff7full)
			return refuse(m, "ETMv4 7.3.1 TRCACATRn: RES0 bit set");
		if (bits(v, 0, 2) && !bits(i4, 8, 1))
			return refuse(m, "TRCACATR.TYPE data without SUPPDAC");
		if (bits(v, 2, 2) && !bits(i4, 24, 8))
			return refuse(m, "TRCACATR.CONTEXTTYPE: no comparators");
		return 0;
	}
	if (v >> 32)
		return refuse(m, "32-bit register: bits 63:32 RES0");
	switch (reg) {
	case TRCCONFIGR:
		return check_configr(m, v);
	case TRCEVENTCTL0R:
		/* One 8-bit EVENTn field per event, NUMEVENT + 1 of them. */
		if (bits(i0, 10, 2) < 3 &&
		    v >> (8 * (bits(i0, 10, 2) + 1)))
			return refuse(m, "TRCEVENTCTL0R: no such event");
		return 0;
	case TRCEVENTCTL1R:
		if (v & ~(uint64_t)(0xf | 1u << 11 | 1u << 12))
			return refuse(m, "ETMv4 7.3.13 TRCEVENTCTL1R: RES0");
		return 0;
	case TRCSTALLCTLR:
		if (v && !bits(i3, 26, 1))
			return refuse(m, "TRCSTALLCTLR without TRCIDR3.STALLCTL");
		return 0;
	case TRCTSCTLR:
		if (!bits(i0, 24, 5))
			return refuse(m, "TRCTSCTLR without TRCIDR0.TSSIZE");
		if (v & ~0xffull)
			return refuse(m, "ETMv4 7.3.68 TRCTSCTLR: RES0 bit set");
		if (!(v & 0x80) && bits(v, 0, 5) >= num_rs(m))
			return refuse(m, "TRCTSCTLR.EVENT: no such resource");
		return 0;
	case TRCSYNCPR:
		if (bits(i3, 25, 1))
			return refuse(m, "TRCSYNCPR is RO: TRCIDR3.SYNCPR");
		if (v > 20 || (v && v < 8))
			return refuse(m, "ETMv4 7.3.67 TRCSYNCPR.PERIOD reserved");
		return 0;
	case TRCCCCTLR:
		if (!(i0 & (1u << 7)))
			return refuse(m, "TRCCCCTLR without TRCIDR0.TRCCCI");
		if (v & ~0xfffull)
			return refuse(m, "ETMv4 7.3.10 TRCCCCTLR: RES0 bit set");
		if (v && v < bits(i3, 0, 12))
			return refuse(m, "TRCCCCTLR.THRESHOLD < TRCIDR3.CCITMIN");
		return 0;
	case TRCBBCTLR:
		if (!(i0 & (1u << 5)))
			return refuse(m, "TRCBBCTLR without TRCIDR0.TRCBB");
		if (v & ~(uint64_t)(0x100 | mask_ac))
			return refuse(m, "ETMv4 7.3.6 TRCBBCTLR: RES0 bit set");
		return 0;
	case TRCTRACEIDR:
		if (v >> bits(m->id.trcidr[5], 16, 6))
			return refuse(m, "TRCTRACEIDR above TRACEIDSIZE");
		if (bits(m->id.trcidr[5], 16, 6) && (v == 0 || v >= 0x70))
			return refuse(m, "ETMv4 7.3.70: reserved trace ID");
		return 0;
	case TRCVICTLR:
		return check_victlr(m, v);
	case TRCVIIECTLR:
		if (v & ~(uint64_t)(mask_ac | mask_ac << 16))
			return refuse(m, "TRCVIIECTLR: pair beyond NUMACPAIRS");
		return 0;
	case TRCVISSCTLR:
		if (v & ~(uint64_t)(((1u << 2 * n) - 1) * 0x10001u))
			return refuse(m, "TRCVISSCTLR: comparator beyond 2*NUMACPAIRS");
		return 0;
	default:
		return refuse(m, "ETMv4 7.2: not a register this model has");
	}
}

static void csm_set_idle(struct csm *m, uint32_t want)
{
	m->idle_want = want;
	m->idle_reads = CSM_IDLE_READS;
	m->isb_due = m->ete;
	m->idle_seen = 0;
}

static int csm_write_trbe(struct csm *m, uint32_t reg, uint64_t v)
{
	uint64_t align = 1ull << (m->id.trbidr & TRBIDR_ALIGN_MASK);
	int on = !!(m->trblimitr & TRBLIMITR_E);
	uint64_t lim;

	if (!m->has_trbe)
		return refuse(m, "TRBE: ID_AA64DFR0_EL1.TraceBuffer 0 or TRBIDR.P");
	switch (reg) {
	case CS_TRBLIMITR:
		if (v & 0xfc0)
			return refuse(m, "TRBLIMITR_EL1: RES0 bits 11:6");
		if (bits(v, 1, 2) == 2 || bits(v, 3, 2) == 2)
			return refuse(m, "TRBLIMITR_EL1: reserved FM/TM 0b10");
		if (v & TRBLIMITR_NVM)
			return refuse(m, "TRBLIMITR_EL1.nVM: model is VA only");
		if (on && (v & TRBLIMITR_E))
			return refuse(m, "D10: TRBLIMITR written while enabled");
		if (!on && (v & TRBLIMITR_E)) {
			lim = v & TRBLIMITR_LIMIT_MASK;
			if (lim <= m->trbbaser)
				return refuse(m, "D10.2: enabled with limit <= base");
			if (m->trbptr < m->trbbaser || m->trbptr >= lim)
				return refuse(m, "D10.2: TRBPTR outside [base, limit)");
			if (m->trbsr & (TRBSR_S | TRBSR_IRQ))
				return refuse(m, "D10.3: enabled with TRBSR.S/IRQ set");
		}
		if (on && !(v & TRBLIMITR_E)) {
			if ((m->prgctlr & TRCPRGCTLR_EN) || !m->idle_seen)
				return refuse(m, "D10.8: TRBE off before the source is idle");
			if (!m->tsb_done || !m->dsb_done)
				return refuse(m, "D10.8: TRBE off without TSB CSYNC; DSB");
		}
		m->trblimitr = v;
		return 0;
	case CS_TRBPTR:
		if (on)
			return refuse(m, "D10: TRBPTR written while enabled");
		if (v & (align - 1))
			return refuse(m, "TRBPTR_EL1 not aligned to TRBIDR.Align");
		m->trbptr = v;
		return 0;
	case CS_TRBBASER:
		if (on)
			return refuse(m, "D10: TRBBASER written while enabled");
		if (v & 0xfff)
			return refuse(m, "TRBBASER_EL1: bits 11:0 RES0 (4K base)");
		m->trbbaser = v;
		return 0;
	case CS_TRBSR:
		if (on)
			return refuse(m, "D10: TRBSR written while enabled");
		if (v & ~(TRBSR_MSS_MASK | TRBSR_S | TRBSR_EA | TRBSR_WRAP |
			  TRBSR_TRG | TRBSR_IRQ | TRBSR_EC_MASK))
			return refuse(m, "TRBSR_EL1: RES0 bit set");
		m->trbsr = v;
		return 0;
	default:
		return refuse(m, "TRBIDR_EL1 is read-only");
	}
}

int csm_write(struct csm *m, uint32_t reg, uint64_t v)
{
	int ret;

	if (reg >= CS_TRBLIMITR) {
		ret = csm_write_trbe(m, reg, v);
		if (!ret)
			m->writes++;
		return ret;
	}
	switch (reg) {
	case TRCOSLAR:
		if (v & ~1ull)
			return refuse(m, "ETMv4 7.3.41 TRCOSLAR: RES0 bit set");
		m->oslk = v & 1;
		m->writes++;
		return 0;
	case TRCCLAIMSET:
		if (v & ~0xfull)
			return refuse(m, "CoreSight B2.4 CLAIMSET: tag not there");
		if (m->claim & ~m->claim_ours)
			return refuse(m, "CoreSight B2.4: claim tag stomped");
		m->claim |= v;
		m->claim_ours |= v;
		m->writes++;
		return 0;
	case TRCCLAIMCLR:
		if (v & ~0xfull)
			return refuse(m, "CoreSight B2.4 CLAIMCLR: tag not there");
		if (v & ~m->claim_ours)
			return refuse(m, "CoreSight B2.4: cleared another's tag");
		m->claim &= ~v;
		m->claim_ours &= ~v;
		m->writes++;
		return 0;
	}
	if (m->oslk)
		return refuse(m, "ETMv4 3.4.1, 7.3.42: OS Lock held");
	if (!(m->claim_ours & CS_CLAIM_SELF_HOSTED) ||
	    (m->claim & CS_CLAIM_EXTERNAL))
		return refuse(m, "CoreSight B2.4: programmed without the claim");
	if (reg == TRCPRGCTLR) {
		if (v & ~1ull)
			return refuse(m, "ETMv4 7.3.44 TRCPRGCTLR: RES0 bit set");
		if ((v & 1) && !(m->prgctlr & 1)) {
			if (!m->idle_seen)
				return refuse(m, "ETMv4 3.4.3: enabled before idle");
			/* With TRBE off ETE trace goes to the ATB; with no
			 * ATB sink behind it, it is lost. */
			if (m->has_trbe && !(m->trblimitr & TRBLIMITR_E) &&
			    !(m->id.sinks & (1u << HWT_CORESIGHT_SINK_ETR |
					     1u << HWT_CORESIGHT_SINK_ETF)))
				return refuse(m, "D10.2: source on with TRBE off");
			csm_set_idle(m, 0);
		} else if (!(v & 1) && (m->prgctlr & 1)) {
			csm_set_idle(m, 1);
			m->tsb_done = m->dsb_done = 0;
		}
		m->prgctlr = v;
		m->writes++;
		return 0;
	}
	if (m->prgctlr & TRCPRGCTLR_EN)
		return refuse(m, "ETMv4 3.4.3: programmed while TRCPRGCTLR.EN");
	if (!m->idle || !m->idle_seen)
		return refuse(m, "ETMv4 3.4.3: programmed before TRCSTATR.IDLE");
	if (check_prog(m, reg, v))
		return -1;
	if (reg >= TRCACVR(0) && reg < TRCACATR(0))
		m->acvr[(reg - TRCACVR(0)) / 8] = v;
	else
		m->reg[reg / 4] = v;
	m->writes++;
	return 0;
}

int csm_read(struct csm *m, uint32_t reg, uint64_t *v)
{
	*v = 0;
	switch (reg) {
	case TRCSTATR:
		/* ETE: without an ISB the write may not have happened yet. */
		if (!m->isb_due && m->idle != m->idle_want &&
		    !--m->idle_reads)
			m->idle = m->idle_want;
		if (m->idle && m->idle_want)
			m->idle_seen = 1;
		*v = m->idle ? TRCSTATR_IDLE | TRCSTATR_PMSTABLE : 0;
		return 0;
	case TRCOSLSR:
		*v = m->oslk ? TRCOSLSR_OSLK : 0;
		return 0;
	case TRCCLAIMSET:
		*v = 0xf;		/* four tags implemented */
		return 0;
	case TRCCLAIMCLR:
		*v = m->claim;
		return 0;
	case TRCPRGCTLR:
		*v = m->prgctlr;
		return 0;
	case TRCDEVARCH:
		*v = m->id.trcdevarch;
		return 0;
	}
	if (reg >= CS_TRBLIMITR) {
		if (!m->has_trbe)
			return refuse(m, "TRBE read without TRBE");
		switch (reg) {
		case CS_TRBLIMITR:
			*v = m->trblimitr;
			return 0;
		case CS_TRBPTR:
			*v = m->trbptr;
			return 0;
		case CS_TRBBASER:
			*v = m->trbbaser;
			return 0;
		case CS_TRBSR:
			*v = m->trbsr;
			return 0;
		default:
			*v = m->id.trbidr;
			return 0;
		}
	}
	if (reg >= TRCACVR(0) && reg < TRCACATR(0) && !(reg & 7)) {
		*v = m->acvr[(reg - TRCACVR(0)) / 8];
		return 0;
	}
	if (reg < 0x1000 && !(reg & 3)) {
		*v = m->reg[reg / 4];
		return 0;
	}
	return refuse(m, "read of no register");
}

void csm_barrier(struct csm *m, enum cs_op_kind kind)
{
	switch (kind) {
	case CS_OP_ISB:
		m->isb_due = 0;
		break;
	case CS_OP_TSB:
		/* Only a TSB after the unit went idle flushes its trace. */
		if (m->idle_seen && !(m->prgctlr & 1))
			m->tsb_done = 1;
		break;
	case CS_OP_DSB:
		if (m->tsb_done)
			m->dsb_done = 1;
		break;
	default:
		break;
	}
}

uint64_t csm_emit(struct csm *m, uint64_t len)
{
	uint64_t done = 0, lim = m->trblimitr & TRBLIMITR_LIMIT_MASK, room;
	uint32_t fm = bits(m->trblimitr, 1, 2);

	if (!(m->prgctlr & 1) || !(m->trblimitr & TRBLIMITR_E) ||
	    (m->trbsr & TRBSR_S))
		return 0;
	m->tsb_done = m->dsb_done = 0;
	while (done < len) {
		room = lim - m->trbptr;
		if (room > len - done)
			room = len - done;
		m->trbptr += room;
		done += room;
		if (m->trbptr < lim)
			break;
		/* At the limit the pointer wraps to the base, WRAP set
		 * (D10.3; see cs_trbe_collect()). */
		m->trbptr = m->trbbaser;
		m->trbsr |= TRBSR_WRAP;
		if (fm == TRB_FM_FILL) {
			/* Fill mode: stop, buffer full, interrupt. */
			m->trbsr |= TRBSR_S | TRBSR_IRQ | TRB_BSC_FULL;
			m->irqs++;
			break;
		}
		if (fm == TRB_FM_WRAP) {
			m->trbsr |= TRBSR_IRQ;
			m->irqs++;
		}
	}
	m->stored += done;
	return done;
}

static int io_read(void *ctx, uint32_t reg, uint64_t *v)
{
	return csm_read(ctx, reg, v);
}

static int io_write(void *ctx, uint32_t reg, uint64_t v)
{
	return csm_write(ctx, reg, v);
}

static void io_order(void *ctx, enum cs_op_kind kind)
{
	csm_barrier(ctx, kind);
}

void csm_io(struct csm *m, struct cs_io *io)
{
	io->read = io_read;
	io->write = io_write;
	io->order = io_order;
	io->ctx = m;
}
