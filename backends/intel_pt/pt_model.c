// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Intel PT MSR interface model (see pt_model.h).  Each rule names the
 * SDM Vol. 3C section it comes from.
 */
#include "pt_model.h"

#define EBX0(m)		((m)->cpuid.leaf14[0][1])
#define ECX0(m)		((m)->cpuid.leaf14[0][2])
#define HAS_EBX(m, b)	(!!(EBX0(m) & (1u << (b))))
#define HAS_ECX(m, b)	(!!(ECX0(m) & (1u << (b))))

static int ptm_present(const struct ptm *m)
{
	return (m->cpuid.leaf7_ebx & (1u << 25)) && m->cpuid.max_leaf >= 0x14;
}

static uint32_t ptm_subleaf1(const struct ptm *m, int reg)
{
	return m->cpuid.leaf14[0][0] >= 1 ? m->cpuid.leaf14[1][reg] : 0;
}

/* Address ranges: CPUID.(14H,1):EAX[2:0], with IP filtering (EBX[2]). */
static unsigned int ptm_ranges(const struct ptm *m)
{
	return HAS_EBX(m, 2) ? ptm_subleaf1(m, 0) & 7 : 0;
}

static unsigned int ptm_maxphy(const struct ptm *m)
{
	return m->cpuid.ext8_eax & 0xff;
}

static int ptm_fault(struct ptm *m, const char *rule)
{
	m->gp++;
	m->gp_rule = rule;
	return -1;
}

static void ptm_op_error(struct ptm *m, const char *rule)
{
	m->op_errors++;
	m->op_rule = rule;
	m->status |= PT_STATUS_ERROR;
	m->status &= ~PT_STATUS_TRIGGEREN;
}

void ptm_init(struct ptm *m, const struct pt_cpuid *cpuid,
	      const struct ptm_mem *mem)
{
	memset(m, 0, sizeof(*m));
	m->cpuid = *cpuid;
	m->mem = mem;
	/* OUTPUT_MASK_PTRS.LowerMask reads 7FH (33.2.8.8). */
	m->mask_ptrs = 0x7f;
}

static int ptm_tracing(const struct ptm *m)
{
	return !!(m->ctl & PT_CTL_TRACEEN);
}

/* Is v's period field (4 bits at shift) an encoding in bitmap? */
static int ptm_enc(uint64_t v, int shift, uint32_t bitmap)
{
	return !!(bitmap & (1u << ((v >> shift) & 0xf)));
}

/* 33.2.8.2: reserved bits and encodings of IA32_RTIT_CTL. */
static const char *ptm_ctl_check(const struct ptm *m, uint64_t v)
{
	uint64_t rsvd = (1ull << 18) | (1ull << 23) | (7ull << 28) |
			(0x7full << 48) | (0xffull << 56);
	unsigned int n, ranges = ptm_ranges(m);

	if (v & rsvd)
		return "33.2.8.2: reserved bit of IA32_RTIT_CTL";
	if ((v & PT_CTL_CR3FILTER) && !HAS_EBX(m, 0))
		return "33.2.8.2/33.3.1: CR3Filter without CPUID.(14H,0):EBX[0]";
	if ((v & PT_CTL_CYCEN) && !HAS_EBX(m, 1))
		return "33.2.8.2/33.3.1: CYCEn without CPUID.(14H,0):EBX[1]";
	if (!HAS_EBX(m, 1) && (v & (0xfull << PT_CTL_CYCTHRESH_SHIFT |
				    0xfull << PT_CTL_PSBFREQ_SHIFT)))
		return "33.2.8.2: CycThresh/PSBFreq reserved without EBX[1]";
	if (HAS_EBX(m, 1) &&
	    !ptm_enc(v, PT_CTL_CYCTHRESH_SHIFT, ptm_subleaf1(m, 1) & 0xffff))
		return "33.2.8.2: CycThresh encoding not in CPUID.(14H,1):EBX[15:0]";
	if (HAS_EBX(m, 1) &&
	    !ptm_enc(v, PT_CTL_PSBFREQ_SHIFT, ptm_subleaf1(m, 1) >> 16))
		return "33.2.8.2: PSBFreq encoding not in CPUID.(14H,1):EBX[31:16]";
	if (!HAS_EBX(m, 3) && (v & (PT_CTL_MTCEN |
				    0xfull << PT_CTL_MTCFREQ_SHIFT)))
		return "33.2.8.2: MTCEn/MTCFreq reserved without EBX[3]";
	if (HAS_EBX(m, 3) &&
	    !ptm_enc(v, PT_CTL_MTCFREQ_SHIFT, ptm_subleaf1(m, 0) >> 16))
		return "33.2.8.2: MTCFreq encoding not in CPUID.(14H,1):EAX[31:16]";
	if ((v & (PT_CTL_PTWEN | PT_CTL_FUPONPTW)) && !HAS_EBX(m, 4))
		return "33.2.8.2: PTWEn/FUPonPTW without CPUID.(14H,0):EBX[4]";
	if ((v & PT_CTL_PWREVTEN) && !HAS_EBX(m, 5))
		return "33.2.8.2: PwrEvtEn without CPUID.(14H,0):EBX[5]";
	if ((v & PT_CTL_EVENTEN) && !HAS_EBX(m, 7))
		return "33.2.8.2: EventEn without CPUID.(14H,0):EBX[7]";
	if ((v & PT_CTL_DISTNT) && !HAS_EBX(m, 8))
		return "33.2.8.2: DisTNT without CPUID.(14H,0):EBX[8]";
	if ((v & PT_CTL_FABRICEN) && !HAS_ECX(m, 3))
		return "33.2.8.2: FabricEn without CPUID.(14H,0):ECX[3]";
	if ((v & PT_CTL_TOPA) && !HAS_ECX(m, 0))
		return "33.2.8.2: ToPA without CPUID.(14H,0):ECX[0]";
	if ((v & PT_CTL_TRACEEN) &&
	    !(v & (PT_CTL_TOPA | PT_CTL_FABRICEN)) && !HAS_ECX(m, 2))
		return "33.2.8.2: TraceEn, single range, no CPUID.(14H,0):ECX[2]";
	for (n = 0; n < 4; n++) {
		uint64_t cfg = (v >> PT_CTL_ADDR_SHIFT(n)) & 0xf;

		if (cfg && n >= ranges)
			return "33.2.8.2: ADDRn_CFG beyond CPUID.(14H,1):EAX[2:0]";
		if (cfg > 2)
			return "33.2.8.2: ADDRn_CFG encoding 3..15 reserved";
	}
	return NULL;
}

/* 33.2.7.2 "ToPA Errors": an entry the CPU cannot use. */
static const char *ptm_entry_check(const struct ptm *m, uint64_t e,
				   unsigned int idx, uint64_t table)
{
	uint64_t rsvd = (1ull << 1) | (1ull << 3) | (1ull << 5) |
			(3ull << 10);
	unsigned int phy = ptm_maxphy(m);
	uint64_t addr = e & ~0xfffull;

	if (phy < 64)
		rsvd |= ~0ull << phy;
	if (e & rsvd)
		return "33.2.7.2 ToPA Errors: entry reserved bit";
	if (e & PT_TOPA_END) {
		if (e & (PT_TOPA_INT | PT_TOPA_STOP))
			return "33.2.7.2 ToPA Errors: INT/STOP with END=1";
		if (idx == 0)
			return "33.2.7.2 ToPA Errors: END in entry 0";
		if (!HAS_ECX(m, 1) && addr != table)
			return "33.2.7.2 ToPA Errors: single-entry END not to own table";
		return NULL;
	}
	if (!HAS_ECX(m, 1) && idx != 0)
		return "33.2.7.2 ToPA Errors: entry 1 with END=0 (no ECX[1])";
	if (addr & ((0x1000ull << ((e >> PT_TOPA_SIZE_SHIFT) & 0xf)) - 1))
		return "33.2.7.2 ToPA Errors: region not aligned to its size";
	return NULL;
}

static int ptm_read_entry(struct ptm *m, uint64_t table, unsigned int idx,
			  uint64_t *e)
{
	if (m->mem->read(m->mem->ctx, table + 8ull * idx, e, 8)) {
		ptm_op_error(m, "33.2.7.2: ToPA entry not in memory");
		return -1;
	}
	return 0;
}

/*
 * The current output entry (following END links), checked.  Returns -1
 * after signalling an operational error.
 */
static int ptm_current(struct ptm *m, uint64_t *entry)
{
	unsigned int idx = (m->mask_ptrs >> 7) & 0x1ffffff, hops = 0;
	const char *why;
	uint64_t e;

	for (;;) {
		if (ptm_read_entry(m, m->base, idx, &e))
			return -1;
		why = ptm_entry_check(m, e, idx, m->base);
		if (why) {
			ptm_op_error(m, why);
			return -1;
		}
		if (!(e & PT_TOPA_END))
			break;
		/* A table base from an END entry must be 4K aligned too. */
		m->base = e & ~0xfffull;
		idx = 0;
		m->mask_ptrs &= 0xffffffff0000007full;
		if (++hops > 1) {
			ptm_op_error(m, "33.2.7.2: END entry loop");
			return -1;
		}
	}
	/* Without ECX[1] the one output entry must be followed by END. */
	if (!HAS_ECX(m, 1)) {
		uint64_t next;

		if (ptm_read_entry(m, m->base, 1, &next))
			return -1;
		why = ptm_entry_check(m, next, 1, m->base);
		if (!why && !(next & PT_TOPA_END))
			why = "33.2.7.2 ToPA Errors: entry 1 with END=0 (no ECX[1])";
		if (why) {
			ptm_op_error(m, why);
			return -1;
		}
	}
	*entry = e;
	return 0;
}

/* Operational errors signalled when TraceEn goes to 1 (33.2.8.7/8). */
static void ptm_enable_checks(struct ptm *m)
{
	uint64_t e, mask = (m->mask_ptrs & 0xffffffffull) | 0x7f;
	uint64_t outoff = m->mask_ptrs >> 32;

	if (!(m->ctl & PT_CTL_TOPA)) {
		if (mask & (mask + 1))
			ptm_op_error(m, "33.2.8.8: single-range mask not contiguous");
		else if (m->base & mask)
			ptm_op_error(m, "33.2.8.7: single-range base not aligned to size");
		else if (outoff > mask)
			ptm_op_error(m, "33.2.8.8: OutputOffset beyond the mask");
		return;
	}
	if (m->base & 0xf80)
		ptm_op_error(m, "33.2.8.7/33.2.7.2: ToPA table base not 4K aligned");
	else if (!HAS_ECX(m, 1) && (m->mask_ptrs & 0xffffff80ull))
		ptm_op_error(m, "33.2.7.2: table offset with one output entry");
	else if (!ptm_current(m, &e) && !(m->status & PT_STATUS_STOPPED) &&
		 outoff >= (0x1000ull << ((e >> PT_TOPA_SIZE_SHIFT) & 0xf)))
		ptm_op_error(m, "33.2.7.2 ToPA Errors: OutputOffset >= region size");
}

static int ptm_generating(const struct ptm *m)
{
	return ptm_tracing(m) && (m->status & PT_STATUS_TRIGGEREN) &&
	       !(m->status & (PT_STATUS_ERROR | PT_STATUS_STOPPED));
}

#define PTM_PBC_MAX	0x1ffffu	/* PacketByteCnt is bits 48:32 */

/*
 * The packets a TraceEn 0 -> 1 write makes the unit store (see
 * psb_plus in pt_model.h): PSB+ (PSB, TSC?, PSBEND) with PacketByteCnt
 * = 0, else TSC? alone (33.2.8.3; 33.4.3 rows 2b and 2d with PacketEn 0
 * after the write; PSB+ contents: 33.3.7).  CBR, which the hardware
 * adds, is left out: the emulation has no ratio to report.
 */
static void ptm_enable_packets(struct ptm *m)
{
	uint8_t p[16 + 8 + 2];
	size_t n = 0;
	int i;

	if (m->pbc == 0) {
		for (i = 0; i < 8; i++) {
			p[n++] = 0x02;
			p[n++] = 0x82;
		}
	}
	if (m->ctl & PT_CTL_TSCEN) {
		p[n++] = 0x19;
		for (i = 0; i < 7; i++)
			p[n++] = (uint8_t)(m->tsc >> (8 * i));
	}
	if (m->pbc == 0) {
		p[n++] = 0x02;
		p[n++] = 0x23;
		m->enable_psbs++;
	}
	if (n)
		ptm_emit(m, p, n);
}

static int ptm_wr_ctl(struct ptm *m, uint64_t v)
{
	const char *why;

	/*
	 * 33.2.8.1/.2: while TraceEn=1 only TraceEn may change; the same
	 * value may be written back.
	 */
	if (ptm_tracing(m) && (v & ~PT_CTL_TRACEEN) !=
	    (m->ctl & ~PT_CTL_TRACEEN))
		return ptm_fault(m, "33.2.8.2: IA32_RTIT_CTL changed while TraceEn=1");
	why = ptm_ctl_check(m, v);
	if (why)
		return ptm_fault(m, why);
	if (!ptm_tracing(m) && (v & PT_CTL_TRACEEN)) {
		m->ctl = v;
		if (!(m->status & (PT_STATUS_ERROR | PT_STATUS_STOPPED)))
			m->status |= PT_STATUS_TRIGGEREN;
		ptm_enable_checks(m);
		if (m->psb_plus && ptm_generating(m))
			ptm_enable_packets(m);
	} else {
		m->ctl = v;
		if (!(v & PT_CTL_TRACEEN))
			m->status &= ~PT_STATUS_TRIGGEREN;
	}
	return 0;
}

static int ptm_wr_status(struct ptm *m, uint64_t v)
{
	uint64_t ok = PT_STATUS_FILTEREN | PT_STATUS_CONTEXTEN |
		      PT_STATUS_TRIGGEREN | PT_STATUS_ERROR |
		      PT_STATUS_STOPPED | (0x1ffffull << 32);

	if (HAS_EBX(m, 6))
		ok |= PT_STATUS_PENDPSB | PT_STATUS_PENDTOPAPMI;
	if (ptm_tracing(m))
		return ptm_fault(m, "33.2.8.4: IA32_RTIT_STATUS written while TraceEn=1");
	if (v & ~ok)
		return ptm_fault(m, "33.2.8.4: reserved bit of IA32_RTIT_STATUS");
	if ((v >> 32) && !HAS_EBX(m, 1))
		return ptm_fault(m, "33.3.1: PacketByteCnt != 0 without EBX[1]");
	/*
	 * Clearing the Stopped of a TraceStop resumes tracing past the stop
	 * (33.2.4.3); refused while hold_stop says a CPU-mode session owns
	 * the stop (pt_model.h).
	 */
	if (m->hold_stop && m->trace_stopped && !(v & PT_STATUS_STOPPED))
		return ptm_fault(m, "33.2.4.3 (hwt_pt_emu): Stopped of a TraceStop cleared in a CPU-mode session");
	if (!(v & PT_STATUS_STOPPED))
		m->trace_stopped = 0;
	/*
	 * FilterEn, ContextEn, TriggerEn: writes ignored.  PacketByteCnt:
	 * what was written (0 where the field is reserved).
	 */
	m->status = (m->status & 7) |
		    (v & ~(7ull | (uint64_t)PTM_PBC_MAX << 32));
	m->pbc = (uint32_t)(v >> 32) & PTM_PBC_MAX;
	return 0;
}

int ptm_wrmsr(struct ptm *m, uint32_t msr, uint64_t v)
{
	unsigned int phy = ptm_maxphy(m), lin = (m->cpuid.ext8_eax >> 8) & 0xff;
	int out = HAS_ECX(m, 0) || HAS_ECX(m, 2);
	uint64_t top;
	int ret = 0;

	if (!ptm_present(m))
		return ptm_fault(m, "33.3.1: PT MSR without CPUID.(7,0):EBX[25]");
	switch (msr) {
	case PT_MSR_CTL:
		ret = ptm_wr_ctl(m, v);
		break;
	case PT_MSR_STATUS:
		ret = ptm_wr_status(m, v);
		break;
	case PT_MSR_CR3_MATCH:
		if (!HAS_EBX(m, 0))
			return ptm_fault(m, "33.2.8.6/33.3.1: CR3_MATCH without EBX[0]");
		if (ptm_tracing(m))
			return ptm_fault(m, "33.2.8.6: CR3_MATCH written while TraceEn=1");
		if (v & 0x1f)
			return ptm_fault(m, "33.2.8.6: CR3_MATCH bits 4:0 reserved");
		m->cr3_match = v;
		break;
	case PT_MSR_OUTPUT_BASE:
		if (!out)
			return ptm_fault(m, "33.2.8.7: OUTPUT_BASE without ECX[0] or ECX[2]");
		if (ptm_tracing(m))
			return ptm_fault(m, "33.2.8.7: OUTPUT_BASE written while TraceEn=1");
		if ((v & 0x7f) || (phy < 64 && (v >> phy)))
			return ptm_fault(m, "33.2.8.7: OUTPUT_BASE reserved bits (6:0, >= MAXPHYADDR)");
		m->base = v;
		break;
	case PT_MSR_OUTPUT_MASK:
		if (!out)
			return ptm_fault(m, "33.2.8.8: OUTPUT_MASK_PTRS without ECX[0] or ECX[2]");
		if (ptm_tracing(m))
			return ptm_fault(m, "33.2.8.8: OUTPUT_MASK_PTRS written while TraceEn=1");
		m->mask_ptrs = v | 0x7f;	/* LowerMask forced to 1 */
		break;
	default:
		if (msr < PT_MSR_ADDR0_A || msr > PT_MSR_ADDR0_A + 7)
			return ptm_fault(m, "not an Intel PT MSR");
		if ((msr - PT_MSR_ADDR0_A) / 2 >= ptm_ranges(m))
			return ptm_fault(m, "33.2.8.5: ADDRn beyond CPUID.(14H,1):EAX[2:0]");
		if (ptm_tracing(m))
			return ptm_fault(m, "33.2.8.5: ADDRn written while TraceEn=1");
		top = v >> (lin - 1);
		if (top && top != (~0ull >> (lin - 1)))
			return ptm_fault(m, "33.2.8.5: ADDRn not canonical");
		m->addr[msr - PT_MSR_ADDR0_A] = v;
		break;
	}
	if (!ret)
		m->writes++;
	return ret;
}

int ptm_rdmsr(struct ptm *m, uint32_t msr, uint64_t *v)
{
	int out = HAS_ECX(m, 0) || HAS_ECX(m, 2);

	if (!ptm_present(m))
		return ptm_fault(m, "33.3.1: PT MSR without CPUID.(7,0):EBX[25]");
	switch (msr) {
	case PT_MSR_CTL:
		*v = m->ctl;
		return 0;
	case PT_MSR_STATUS:
		*v = m->status;
		if (HAS_EBX(m, 1))
			*v |= (uint64_t)m->pbc << 32;
		return 0;
	case PT_MSR_CR3_MATCH:
		if (!HAS_EBX(m, 0))
			return ptm_fault(m, "33.2.8.6/33.3.1: CR3_MATCH without EBX[0]");
		*v = m->cr3_match;
		return 0;
	case PT_MSR_OUTPUT_BASE:
	case PT_MSR_OUTPUT_MASK:
		if (!out)
			return ptm_fault(m, "33.2.8.7/8: output MSR without ECX[0] or ECX[2]");
		*v = msr == PT_MSR_OUTPUT_BASE ? m->base : m->mask_ptrs;
		return 0;
	default:
		if (msr < PT_MSR_ADDR0_A || msr > PT_MSR_ADDR0_A + 7)
			return ptm_fault(m, "not an Intel PT MSR");
		if ((msr - PT_MSR_ADDR0_A) / 2 >= ptm_ranges(m))
			return ptm_fault(m, "33.2.8.5: ADDRn beyond CPUID.(14H,1):EAX[2:0]");
		*v = m->addr[msr - PT_MSR_ADDR0_A];
		return 0;
	}
}

static uint64_t ptm_emit_single(struct ptm *m, const uint8_t *buf,
				uint64_t len)
{
	uint64_t mask = (m->mask_ptrs & 0xffffffffull) | 0x7f;
	uint64_t off = m->mask_ptrs >> 32, done = 0, n;

	/* 33.2.7.1: the offset wraps within the region (ANDed with mask). */
	while (done < len) {
		n = mask + 1 - off;
		if (n > len - done)
			n = len - done;
		if (m->mem->write(m->mem->ctx, m->base + off, buf + done,
				  (uint32_t)n)) {
			ptm_op_error(m, "33.2.7.1: single range not in memory");
			break;
		}
		done += n;
		off = (off + n) & mask;
	}
	m->mask_ptrs = (m->mask_ptrs & 0xffffffffull) | (off << 32);
	return done;
}

uint64_t ptm_emit(struct ptm *m, const uint8_t *buf, uint64_t len)
{
	uint64_t done = 0, e, size, off, n;
	unsigned int idx;

	if (!ptm_generating(m))
		return 0;
	if (!(m->ctl & PT_CTL_TOPA)) {
		done = ptm_emit_single(m, buf, len);
		goto out;
	}
	while (done < len && ptm_generating(m)) {
		if (ptm_current(m, &e))
			break;
		idx = (m->mask_ptrs >> 7) & 0x1ffffff;
		size = 0x1000ull << ((e >> PT_TOPA_SIZE_SHIFT) & 0xf);
		off = m->mask_ptrs >> 32;
		n = size - off;
		if (n > len - done)
			n = len - done;
		if (m->mem->write(m->mem->ctx, (e & ~0xfffull) + off,
				  buf + done, (uint32_t)n)) {
			ptm_op_error(m, "33.2.7.2: output region not in memory");
			break;
		}
		done += n;
		off += n;
		if (off < size) {
			m->mask_ptrs = (m->mask_ptrs & 0xffffffffull) |
				       (off << 32);
			break;
		}
		/* Region full: STOP before INT (33.2.7.2 table, INT). */
		if (e & PT_TOPA_STOP) {
			m->mask_ptrs = (m->mask_ptrs & 0xffffffffull) |
				       (off << 32);
			m->status |= PT_STATUS_STOPPED;
			m->status &= ~PT_STATUS_TRIGGEREN;
		} else {
			idx++;
			m->mask_ptrs = 0x7full | ((uint64_t)idx << 7);
		}
		if (e & PT_TOPA_INT) {
			m->pmi++;
			m->global_status |= PT_GLOBAL_STATUS_TOPA_PMI;
		}
	}
out:
	m->stored += done;
	m->pbc = done >= PTM_PBC_MAX - m->pbc ? PTM_PBC_MAX :
		 m->pbc + (uint32_t)done;
	return done;
}

int ptm_trace_stop(struct ptm *m)
{
	if (!ptm_generating(m))
		return 0;
	m->status |= PT_STATUS_STOPPED;
	m->status &= ~PT_STATUS_TRIGGEREN;
	m->trace_stopped = 1;
	return 1;
}
