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

void csm_init_mmio(struct csm *m, const struct cs_idregs *id)
{
	csm_init(m, id);
	m->mmio = !m->ete;
	m->slk = m->mmio;
	m->stickypd = 1;
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

	/* Memory-mapped ETMv4: the software lock ignores every write but
	 * TRCLAR's (CoreSight B2 "Lock Status Register"). */
	if (m->mmio && m->slk && reg != TRCLAR)
		return refuse(m, "CoreSight B2: written with the software lock set");
	if (reg >= CS_TRBLIMITR) {
		ret = csm_write_trbe(m, reg, v);
		if (!ret)
			m->writes++;
		return ret;
	}
	switch (reg) {
	case TRCLAR:
		if (m->ete)
			return refuse(m, "ETE: no TRCLAR (system registers)");
		if (m->mmio)
			m->slk = v != CS_LAR_UNLOCK;
		m->writes++;
		return 0;
	case TRCPDCR:
		if (m->ete)
			return refuse(m, "ETE: no TRCPDCR");
		if (v & ~(uint64_t)TRCPDCR_PU)
			return refuse(m, "ETMv4 7.3.49 TRCPDCR: RES0 bit set");
		m->pdcr = v;
		m->writes++;
		return 0;
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
			if (m->mmio && m->stickypd)
				return refuse(m, "ETMv4 7.3.50: enabled with TRCPDSR.STICKYPD unread");
			if (m->mmio && !(m->pdcr & TRCPDCR_PU))
				return refuse(m, "ETMv4 7.3.49: enabled without TRCPDCR.PU");
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
	case TRCPDSR:
		if (m->ete)
			break;
		*v = TRCPDSR_POWER | (m->stickypd ? TRCPDSR_STICKYPD : 0) |
		     (m->oslk ? TRCPDSR_OSLK : 0);
		m->stickypd = 0;
		return 0;
	case TRCPDCR:
		*v = m->pdcr;
		return 0;
	case TRCLSR:
		*v = m->mmio ? CS_LSR_SLI | (m->slk ? CS_LSR_SLK : 0) : 0;
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

/*
 * The TMC model.  Rules, with the TMC TRM (DDI 0461B) register pages
 * and chapter 2 sections as recalled; see cs_tmc.h for the references.
 */
static int trefuse(struct csm_tmc *t, const char *rule)
{
	t->refused++;
	t->rule = rule;
	return -1;
}

int csm_tmc_init(struct csm_tmc *t, uint32_t devid, uint32_t rsz,
		 uint8_t *ram, const struct csm_mem *mem)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = cs_tmc_parse(devid, rsz, &t->caps);
	if (ret)
		return ret;
	if (t->caps.kind == CS_TMC_ETF ? !ram : !mem || !mem->read ||
	    !mem->write)
		return -CS_EINVAL;
	t->devid = devid;
	t->rsz_ro = rsz;
	t->ram = ram;
	if (mem)
		t->mem = *mem;
	t->slk = 1;
	t->ready = t->ready_seen = 1;
	cs_fmt_init(&t->fmt);
	return 0;
}

static uint64_t tmc_size(const struct csm_tmc *t)
{
	return t->caps.kind == CS_TMC_ETF ? t->caps.ram : 4ull * t->rsz;
}

static int sg_entry_at(struct csm_tmc *t, uint64_t tab, uint32_t idx,
		       uint32_t *e)
{
	return t->mem.read(t->mem.ctx, tab + 4ull * idx, e, 4);
}

/*
 * Walk the scatter-gather table from DBA (SoC-600 TMC-ETR table format)
 * as the ETR would: every entry of a known type with SBZ bits 3:2 clear,
 * a LINK only as a table page's last entry and to a 4K page, data pages
 * that add up to RSZ exactly, ending in LAST.  Finds the entry of the
 * page RWP points into.  Returns 0, or -1 if refused.
 */
static int tmc_sg_check(struct csm_tmc *t)
{
	uint64_t tab = t->dba, pages = 0, want = 4ull * t->rsz / CS_TMC_PAGE;
	uint64_t hops = 0;
	uint32_t idx = 0, e;
	int found = 0;

	if ((4ull * t->rsz) % CS_TMC_PAGE)
		return trefuse(t, "TMC-ETR SG: RSZ not whole 4K pages");
	for (;;) {
		if (sg_entry_at(t, tab, idx, &e))
			return trefuse(t, "TMC-ETR SG: table entry unreadable");
		if (e & 0xc)
			return trefuse(t, "TMC-ETR SG: entry SBZ bits 3:2 set");
		if ((e & 3) == CS_TMC_SG_RESERVED)
			return trefuse(t, "TMC-ETR SG: reserved entry type 0b00");
		if ((e & 3) == CS_TMC_SG_LINK) {
			if (idx != CS_TMC_SG_ENTRIES - 1)
				return trefuse(t, "TMC-ETR SG: LINK not a table page's last entry");
			if (++hops > want)
				return trefuse(t, "TMC-ETR SG: table loops");
			tab = (uint64_t)(e >> 4) << 12;
			idx = 0;
			continue;
		}
		if (++pages > want)
			return trefuse(t, "TMC-ETR SG: table longer than RSZ");
		if (t->rwp >> 12 == e >> 4 && !found) {
			found = 1;
			t->sg_tab = tab;
			t->sg_idx = idx;
			t->sg_last = (e & 3) == CS_TMC_SG_LAST;
		}
		if ((e & 3) == CS_TMC_SG_LAST)
			break;
		if (++idx == CS_TMC_SG_ENTRIES)
			return trefuse(t, "TMC-ETR SG: table page without LINK");
	}
	if (pages != want)
		return trefuse(t, "TMC-ETR SG: table shorter than RSZ");
	if (!found)
		return trefuse(t, "TMC-ETR SG: RWP in no page of the table");
	return 0;
}

/* ETF: what RRD returns from RRP on: up to RWP, a whole RAM if RRP is
 * at RWP with Full set (TMC 3.3.4). */
static void tmc_rrd_reset(struct csm_tmc *t)
{
	uint64_t size = tmc_size(t);

	t->rrd_left = 0;
	if (t->caps.kind != CS_TMC_ETF || t->rrp >= size || t->rrp % 4)
		return;
	t->rrd_left = t->rrp == t->rwp ? (t->full ? size : 0) :
		      (t->rwp + size - t->rrp) % size;
}

/* Enabling capture (CTL.TraceCaptEn 0 -> 1, TMC 3.3.8). */
static int tmc_enable(struct csm_tmc *t)
{
	uint64_t size = tmc_size(t);
	uint64_t align = t->caps.memwidth > CS_FRAME ? t->caps.memwidth :
			 CS_FRAME;

	if (!t->ready_seen)
		return trefuse(t, "TMC 3.3.3: enabled before TMCReady was read");
	if (t->mode != TMC_MODE_CB)
		return trefuse(t, "TMC 3.3.10: MODE not Circular Buffer (model)");
	if (t->rwp % align)
		return trefuse(t, "TMC 3.3.6: RWP not aligned to the memory width");
	if (t->caps.kind == CS_TMC_ETF) {
		if (t->rwp >= size || t->rrp >= size)
			return trefuse(t, "TMC 3.3.5/6: RRP/RWP beyond the RAM");
	} else {
		if (!t->rsz)
			return trefuse(t, "TMC 3.3.2: ETR enabled with RSZ 0");
		if (t->dba % CS_TMC_PAGE)
			return trefuse(t, "TMC 3.3.17: DBA not 4K aligned");
		if (t->axictl & TMC_AXICTL_SG) {
			if (tmc_sg_check(t))
				return -1;
		} else if (t->rwp < t->dba || t->rwp - t->dba >= size) {
			return trefuse(t, "TMC 3.3.6: RWP outside [DBA, DBA + RSZ)");
		}
	}
	/* The capture starts: Full clear, the formatter empty (Full
	 * cleared on enable: ASSUMED from TMC 2.x, Linux relies on it). */
	t->full = t->memerr = t->stopped = 0;
	t->ready = t->ready_seen = 0;
	cs_fmt_init(&t->fmt);
	return 0;
}

int csm_tmc_write(struct csm_tmc *t, uint32_t reg, uint64_t v)
{
	int capt = !!(t->ctl & TMC_CTL_CAPTEN), etr = t->caps.kind == CS_TMC_ETR;

	if (reg == TMC_LAR) {
		t->slk = v != CS_LAR_UNLOCK;
		t->writes++;
		return 0;
	}
	if (t->slk)
		return trefuse(t, "CoreSight B2: TMC written with the software lock set");
	if (v >> 32)
		return trefuse(t, "TMC: 32-bit register, bits 63:32");
	switch (reg) {
	case TMC_CLAIMSET:
		if (v & ~0xfull)
			return trefuse(t, "CoreSight B2.4 CLAIMSET: tag not there");
		if (t->claim & ~t->claim_ours)
			return trefuse(t, "CoreSight B2.4: TMC claim tag stomped");
		t->claim |= v;
		t->claim_ours |= v;
		t->writes++;
		return 0;
	case TMC_CLAIMCLR:
		if (v & ~(uint64_t)t->claim_ours)
			return trefuse(t, "CoreSight B2.4: cleared another's tag");
		t->claim &= ~v;
		t->claim_ours &= ~v;
		t->writes++;
		return 0;
	}
	if (!(t->claim_ours & CS_CLAIM_SELF_HOSTED) ||
	    (t->claim & CS_CLAIM_EXTERNAL))
		return trefuse(t, "CoreSight B2.4: TMC programmed without the claim");
	switch (reg) {
	case TMC_CTL:
		if (v & ~1ull)
			return trefuse(t, "TMC 3.3.8 CTL: RES0 bit set");
		if (v && !capt) {
			if (tmc_enable(t))
				return -1;
		} else if (!v && capt) {
			/* Flush and stop first, or the formatter's partial
			 * frame and the pipeline are lost (TMC 2.x
			 * "Disabling"; Linux tmc_flush_and_stop()). */
			if (!t->stopped)
				return trefuse(t, "TMC 2.x: capture disabled before flush and stop (TMCReady)");
			t->ready = 0;
			t->ready_reads = CSM_IDLE_READS;
			t->ready_seen = 0;
		}
		t->ctl = v;
		t->writes++;
		return 0;
	case TMC_FFCR:
		if (v & ~(uint64_t)TMC_FFCR_DEFINED)
			return trefuse(t, "TMC 3.3.20 FFCR: RES0 bit set");
		if (capt && ((v ^ t->ffcr) & (TMC_FFCR_ENFT | TMC_FFCR_ENTI)))
			return trefuse(t, "TMC 3.3.20: EnFt/EnTI changed while capturing");
		if ((v & TMC_FFCR_FLUSHMAN) && capt && !t->stopped) {
			uint8_t pad[CS_FRAME];
			size_t n = 0;

			/* The flush completes the frame in progress. */
			if (v & TMC_FFCR_ENFT)
				n = (size_t)cs_fmt_flush(&t->fmt, pad);
			t->ffcr = v & ~(uint64_t)TMC_FFCR_FLUSHMAN;
			if (n)
				csm_tmc_emit(t, 0, pad, n);
			if (v & TMC_FFCR_STOPONFL) {
				t->stopped = 1;
				tmc_rrd_reset(t);
				t->ready_reads = CSM_IDLE_READS;
			}
			t->flush_reads = CSM_IDLE_READS;
		}
		t->ffcr = v & ~(uint64_t)TMC_FFCR_FLUSHMAN;
		t->writes++;
		return 0;
	case TMC_RRP:
	case TMC_RRPHI:
		/* RRP may move while stopped (the ETF drain), not while
		 * capturing (TMC 3.3.5). */
		if (capt && !t->stopped)
			return trefuse(t, "TMC 3.3.5: RRP written while capturing");
		if (reg == TMC_RRP)
			t->rrp = (t->rrp & ~0xffffffffull) | v;
		else
			t->rrp = (t->rrp & 0xffffffffull) | v << 32;
		tmc_rrd_reset(t);
		t->writes++;
		return 0;
	}
	if (capt)
		return trefuse(t, "TMC 3.3: programmed while TraceCaptEn = 1");
	if (!t->ready_seen)
		return trefuse(t, "TMC 3.3.3: programmed before TMCReady was read");
	switch (reg) {
	case TMC_RSZ:
		if (!etr)
			return trefuse(t, "TMC 3.3.2: RSZ is read-only on an ETF");
		if (v >> 31)
			return trefuse(t, "TMC 3.3.2 RSZ: bit 31 RES0");
		t->rsz = v;
		break;
	case TMC_MODE:
		if (v > TMC_MODE_HWFIFO || (etr && v == TMC_MODE_HWFIFO))
			return trefuse(t, "TMC 3.3.10 MODE: reserved for this TMC");
		t->mode = v;
		break;
	case TMC_AXICTL:
		if (!etr)
			return trefuse(t, "TMC 3.3.16: AXICTL is ETR only");
		if (v & ~(uint64_t)TMC_AXICTL_DEFINED)
			return trefuse(t, "TMC 3.3.16 AXICTL: RES0 bit set");
		if ((v & TMC_AXICTL_SG) && !t->caps.sg)
			return trefuse(t, "TMC AXICTL.ScatterGatherMode without it (DEVID.NOSCAT)");
		t->axictl = v;
		break;
	case TMC_DBALO:
	case TMC_DBAHI:
		if (!etr)
			return trefuse(t, "TMC 3.3.17: DBA is ETR only");
		if (reg == TMC_DBALO)
			t->dba = (t->dba & ~0xffffffffull) | v;
		else
			t->dba = (t->dba & 0xffffffffull) | v << 32;
		if (t->caps.addr_bits < 64 && t->dba >> t->caps.addr_bits)
			return trefuse(t, "TMC DBA: beyond DEVID.AXIAW");
		break;
	case TMC_RWP:
	case TMC_RWPHI:
		if (reg == TMC_RWPHI && !etr)
			return trefuse(t, "TMC 3.3.13: RWPHI is ETR only");
		if (reg == TMC_RWP)
			t->rwp = (t->rwp & ~0xffffffffull) | v;
		else
			t->rwp = (t->rwp & 0xffffffffull) | v << 32;
		break;
	case TMC_TRG:
		t->trg = v;
		break;
	default:
		return trefuse(t, "TMC 3.1: not a register this model has");
	}
	t->writes++;
	return 0;
}

int csm_tmc_read(struct csm_tmc *t, uint32_t reg, uint64_t *v)
{
	int capt = !!(t->ctl & TMC_CTL_CAPTEN);
	uint64_t size = tmc_size(t);

	*v = 0;
	switch (reg) {
	case TMC_STS:
		/* TMCReady: disabled, or stopped with the pipeline empty;
		 * it follows a change after CSM_IDLE_READS reads. */
		if ((!capt || t->stopped) && !t->ready && !--t->ready_reads)
			t->ready = 1;
		if (t->ready && !capt)
			t->ready_seen = 1;
		*v = (t->full ? TMC_STS_FULL : 0) |
		     (t->ready ? TMC_STS_TMCREADY : 0) |
		     (t->memerr ? TMC_STS_MEMERR : 0);
		return 0;
	case TMC_FFCR:
		if (t->flush_reads && --t->flush_reads)
			*v = TMC_FFCR_FLUSHMAN;
		*v |= t->ffcr;
		return 0;
	case TMC_FFSR:
		*v = t->stopped ? TMC_FFSR_FTSTOPPED : 0;
		return 0;
	case TMC_RRP:
		*v = (uint32_t)t->rrp;
		return 0;
	case TMC_RRPHI:
		*v = t->rrp >> 32;
		return 0;
	case TMC_RWP:
		*v = (uint32_t)t->rwp;
		return 0;
	case TMC_RWPHI:
		*v = t->rwp >> 32;
		return 0;
	case TMC_RSZ:
		*v = t->caps.kind == CS_TMC_ETF ? t->rsz_ro : t->rsz;
		return 0;
	case TMC_CTL:
		*v = t->ctl;
		return 0;
	case TMC_MODE:
		*v = t->mode;
		return 0;
	case TMC_AXICTL:
		*v = t->axictl;
		return 0;
	case TMC_DEVID:
		*v = t->devid;
		return 0;
	case TMC_CLAIMSET:
		*v = 0xf;
		return 0;
	case TMC_CLAIMCLR:
		*v = t->claim;
		return 0;
	case TMC_LSR:
		*v = CS_LSR_SLI | (t->slk ? CS_LSR_SLK : 0);
		return 0;
	case TMC_RRD:
		/* ETF drain: RAM words from RRP while stopped or disabled,
		 * 0xFFFFFFFF when none is left (TMC 3.3.4). */
		if (t->caps.kind != CS_TMC_ETF)
			return trefuse(t, "TMC RRD: not modelled for the ETR");
		if (capt && !t->stopped)
			return trefuse(t, "TMC 3.3.4: RRD read while capturing");
		if (!t->rrd_left) {
			*v = 0xffffffffu;
			return 0;
		}
		memcpy(v, t->ram + t->rrp, 4);
		*v &= 0xffffffffu;
		t->rrp = (t->rrp + 4) % size;
		t->rrd_left -= 4;
		return 0;
	}
	return trefuse(t, "TMC 3.1: read of no register");
}

/* The next data page after the one RWP is in (TMC-ETR SG walk). */
static int tmc_sg_next(struct csm_tmc *t)
{
	uint32_t e;

	if (t->sg_last) {
		/* After LAST the ETR starts over at DBA: a wrap. */
		t->sg_tab = t->dba;
		t->sg_idx = 0;
		t->full = 1;
		t->wraps++;
	} else {
		t->sg_idx++;
	}
	if (sg_entry_at(t, t->sg_tab, t->sg_idx, &e))
		return -1;
	if ((e & 3) == CS_TMC_SG_LINK) {
		t->sg_tab = (uint64_t)(e >> 4) << 12;
		t->sg_idx = 0;
		if (sg_entry_at(t, t->sg_tab, 0, &e))
			return -1;
	}
	t->sg_last = (e & 3) == CS_TMC_SG_LAST;
	t->rwp = (uint64_t)(e >> 4) << 12;
	return 0;
}

/* n bytes (a multiple of 16) at RWP; 0, or -1 on a memory error. */
static int tmc_store(struct csm_tmc *t, const uint8_t *b, size_t n)
{
	uint64_t size = tmc_size(t), room;
	size_t k;

	while (n) {
		if (t->caps.kind == CS_TMC_ETF) {
			room = size - t->rwp;
			k = n < room ? n : (size_t)room;
			memcpy(t->ram + t->rwp, b, k);
			t->rwp += k;
			if (t->rwp == size) {
				t->rwp = 0;
				t->full = 1;
				t->wraps++;
			}
		} else {
			room = (t->axictl & TMC_AXICTL_SG) ?
			       CS_TMC_PAGE - t->rwp % CS_TMC_PAGE :
			       t->dba + size - t->rwp;
			k = n < room ? n : (size_t)room;
			if (t->mem.write(t->mem.ctx, t->rwp, b, k))
				return -1;
			t->rwp += k;
			if (k == room) {
				if (!(t->axictl & TMC_AXICTL_SG)) {
					t->rwp = t->dba;
					t->full = 1;
					t->wraps++;
				} else if (tmc_sg_next(t)) {
					return -1;
				}
			}
		}
		t->stored += k;
		b += k;
		n -= k;
	}
	return 0;
}

/* A write the bus refused: STS.MemErr, capture stops (TMCReady). */
static void tmc_memerr(struct csm_tmc *t)
{
	t->memerr = t->stopped = 1;
	t->ready_reads = CSM_IDLE_READS;
}

size_t csm_tmc_emit(struct csm_tmc *t, uint8_t id, const uint8_t *data,
		    size_t len)
{
	uint8_t out[CS_FRAME * 8];
	size_t done = 0, k;
	int n;

	if (!(t->ctl & TMC_CTL_CAPTEN) || t->stopped || t->memerr)
		return 0;
	/* The flush's padding frame is already framed (id 0). */
	if (!id || !(t->ffcr & TMC_FFCR_ENFT)) {
		if (tmc_store(t, data, len)) {
			tmc_memerr(t);
			return 0;
		}
		return len;
	}
	while (done < len) {
		k = len - done < 64 ? len - done : 64;
		n = cs_fmt_put(&t->fmt, id, data + done, k, out, sizeof(out));
		if (n < 0 || tmc_store(t, out, (size_t)n)) {
			tmc_memerr(t);
			break;
		}
		done += k;
	}
	return done;
}

static int tio_read(void *ctx, uint32_t reg, uint64_t *v)
{
	return csm_tmc_read(ctx, reg, v);
}

static int tio_write(void *ctx, uint32_t reg, uint64_t v)
{
	return csm_tmc_write(ctx, reg, v);
}

static void tio_order(void *ctx, enum cs_op_kind kind)
{
	(void)ctx;
	(void)kind;
}

void csm_tmc_io(struct csm_tmc *t, struct cs_io *io)
{
	io->read = tio_read;
	io->write = tio_write;
	io->order = tio_order;
	io->ctx = t;
}
