/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Flow queries on libipt's packet decoder for the PSB-segment fast path;
 * see pt_fastpkt.h for what is modelled.  libipt's query decoder costs
 * some hundred instructions per query (event bookkeeping, read-ahead);
 * a TNT bit here is a shift and a mask.
 */
#include "pt/pt_fastpkt.h"

/* libipt's packet decoder, positioned at f->pos (the byte-level parser
 * below moves f->pos on its own). */
static int next_packet(struct hwt_fastpkt *f, struct pt_packet *p)
{
	uint64_t off;
	int st = pt_pkt_sync_set(f->pkt, (uint64_t)(f->pos - f->begin));

	if (st < 0)
		return st;
	st = pt_pkt_next(f->pkt, p, sizeof(*p));
	if (st < 0)
		return st;
	if (pt_pkt_get_offset(f->pkt, &off) < 0)
		return -pte_internal;
	f->pos = f->begin + off;
	return st;
}

/* libipt's pt_last_ip_update_ip, for the compressions it knows.  Inline:
 * the fast path takes a TIP's IP through it. */
static inline int update_ip(struct hwt_fastpkt *f, const struct pt_packet_ip *p)
{
	uint64_t ip = p->ip;

	switch (p->ipc) {
	case pt_ipc_suppressed:
		return -pte_nosync;
	case pt_ipc_update_16:
		ip = (f->last_ip & ~0xffffull) | (ip & 0xffffull);
		break;
	case pt_ipc_update_32:
		ip = (f->last_ip & ~0xffffffffull) | (ip & 0xffffffffull);
		break;
	case pt_ipc_update_48:
		ip = (f->last_ip & ~0xffffffffffffull) |
		     (ip & 0xffffffffffffull);
		break;
	case pt_ipc_sext_48:
		ip &= 0xffffffffffffull;
		if (ip & (1ull << 47))
			ip |= ~0xffffffffffffull;
		f->have_ip = 1;
		break;
	case pt_ipc_full:
		f->have_ip = 1;
		break;
	default:
		return -pte_nosync;
	}
	if (!f->have_ip)
		return -pte_nosync;	/* an update with no base */
	f->last_ip = ip;
	return 0;
}

void hwt_fastpkt_time_init(struct hwt_fastpkt *f, const struct pt_config *cfg)
{
	f->tsc = f->pgd_tsc = f->psb_tsc = f->psb_fup = 0;
	f->time_changed = 0;
	f->base = 0;
	f->ctc = 0;
	f->have_tsc = f->have_tma = f->have_mtc = 0;
	f->mtc_freq = cfg->mtc_freq;
	f->ratio_eax = cfg->cpuid_0x15_eax;
	f->ratio_ebx = cfg->cpuid_0x15_ebx;
}

/* The time is now tsc (with a TSC: libipt's tick needs it). */
static void time_set(struct hwt_fastpkt *f, uint64_t tsc)
{
	f->time_changed |= tsc != f->tsc;
	f->tsc = tsc;
}

/* A TSC packet: libipt's pt_time_update_tsc(). */
static void time_tsc(struct hwt_fastpkt *f, uint64_t tsc)
{
	f->have_tsc = 1;
	f->have_tma = f->have_mtc = 0;
	f->base = tsc;
	f->ctc = 0;
	time_set(f, tsc);
}

/* A TMA packet: libipt's pt_time_update_tma(), which fails (and so does
 * the decode) without a TSC before it, after another TMA or an MTC.
 * Returns 0, or -1 where libipt fails. */
static int time_tma(struct hwt_fastpkt *f, const struct pt_packet_tma *p)
{
	uint32_t mtc_hi = f->mtc_freq + 8u;	/* MTC's bits, SDM 33.4.2.13 */

	if (!f->have_tsc || f->have_tma || f->have_mtc || mtc_hi >= 32)
		return -1;
	f->have_tma = 1;
	f->base -= p->fc;
	/* Enough of the CTC in the TMA: it counts as an MTC. */
	if (mtc_hi <= 16)
		f->have_mtc = 1;
	f->ctc = p->ctc & ((1u << mtc_hi) - 1u);
	return 0;
}

/*
 * An MTC packet: libipt's pt_time_update_mtc().  MTCs between a TSC and
 * its TMA are ignored, as is the first one without a TMA; the first one
 * after a TMA that gave too few CTC bits estimates the rest from its
 * own; one wrap of the CTC is corrected.  Without a CPUID 0x15 ratio
 * libipt leaves the time (a configuration error it ignores).
 * Returns 0, or -1 where libipt fails.
 */
static int time_mtc(struct hwt_fastpkt *f, const struct pt_packet_mtc *p)
{
	uint32_t last_ctc = f->ctc, ctc, ctc_lo, ctc_hi;
	int had_mtc = f->have_mtc;

	if (!f->have_tsc || !f->have_tma)
		return 0;	/* no time yet, or between TSC and TMA */
	ctc = (uint32_t)p->ctc << f->mtc_freq;
	f->have_mtc = 1;
	f->ctc = ctc;
	if (!had_mtc) {
		if (last_ctc & ~0xffffu)
			return -1;
		ctc_lo = ctc & 0xffffu;
		ctc_hi = ctc & ~0xffffu;
		if (ctc_lo < last_ctc) {
			ctc_hi -= 1u << 16;
			ctc_hi &= 0xffu << f->mtc_freq;
		}
		last_ctc |= ctc_hi;
	}
	if (ctc < last_ctc) {
		ctc += 1u << (f->mtc_freq + 8u);
		if (ctc < last_ctc)
			return -1;
	}
	if (!f->ratio_eax || !f->ratio_ebx)
		return 0;
	f->base += (uint64_t)(ctc - last_ctc) * f->ratio_ebx / f->ratio_eax;
	time_set(f, f->base);
	return 0;
}

int hwt_fastpkt_time_packet(struct hwt_fastpkt *f, const struct pt_packet *p)
{
	switch (p->type) {
	case ppt_tsc:
		time_tsc(f, p->payload.tsc.tsc);
		return 1;
	case ppt_tma:
		return time_tma(f, &p->payload.tma) ? -1 : 1;
	case ppt_mtc:
		return time_mtc(f, &p->payload.mtc) ? -1 : 1;
	case ppt_cyc:
		return -1;
	default:
		return 0;
	}
}

/* Whether p changes nothing this layer does not model (the time it
 * keeps as libipt's). */
static int skip_packet(struct hwt_fastpkt *f, const struct pt_packet *p)
{
	switch (p->type) {
	case ppt_tsc:
	case ppt_tma:
	case ppt_mtc:
	case ppt_cyc:
		return hwt_fastpkt_time_packet(f, p) > 0;
	case ppt_pad:
	case ppt_cbr:	/* a CYC's frequency: CYC is libipt's */
	case ppt_mnt:
		return 1;
	case ppt_mode:
		/* MODE.Exec binds to the next TIP; 64-bit changes nothing. */
		return p->payload.mode.leaf == pt_mol_exec &&
		       pt_get_exec_mode(&p->payload.mode.bits.exec) ==
		       ptem_64bit;
	default:
		return 0;
	}
}

/* Whether p, in a PSB+, is status a real capture's PSB+ carries (SDM
 * vol. 3C 33.3.7) that changes nothing the fast path models: PIP (the
 * CR3 in use; libipt's status update is no event of the front end's),
 * VMCS, and MODE.TSX outside a transaction. */
static int psb_status(const struct pt_packet *p)
{
	switch (p->type) {
	case ppt_pip:
	case ppt_vmcs:
		return 1;
	case ppt_mode:
		return p->payload.mode.leaf == pt_mol_tsx &&
		       !p->payload.mode.bits.tsx.intx &&
		       !p->payload.mode.bits.tsx.abrt;
	default:
		return 0;
	}
}

/* The PSB+ after a PSB: 0 with *enabled (a FUP with an IP), < 0 else. */
static int psb_plus(struct hwt_fastpkt *f, int *enabled)
{
	struct pt_packet p;

	f->last_ip = 0;
	f->have_ip = 0;
	*enabled = 0;
	for (;;) {
		int st = next_packet(f, &p);

		if (st < 0)
			return st == -pte_eos ? -pte_nosync : st;
		if (p.type == ppt_psbend)
			return 0;
		if (p.type == ppt_fup) {
			if (p.payload.ip.ipc == pt_ipc_suppressed)
				continue;
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			*enabled = 1;
			continue;
		}
		if (!skip_packet(f, &p) && !psb_status(&p))
			return -pte_nosync;
	}
}

int hwt_fastpkt_init(struct hwt_fastpkt *f, const struct pt_config *cfg,
		     int *enabled, uint64_t *ip)
{
	struct pt_packet p;
	int st;

	f->tnt = f->index = 0;
	f->tip_pending = 0;
	f->resume_ip = 0;
	f->pgd = 0;
	hwt_fastpkt_time_init(f, cfg);
	f->bdm70 = cfg->errata.bdm70;
	f->pkt = pt_pkt_alloc_decoder(cfg);
	if (!f->pkt)
		return -pte_nomem;
	f->begin = f->pos = cfg->begin;
	f->end = cfg->end;
	st = pt_pkt_sync_forward(f->pkt);
	if (st < 0)
		return st;
	{
		uint64_t off;

		if (pt_pkt_get_offset(f->pkt, &off) < 0)
			return -pte_internal;
		f->pos = f->begin + off;
	}
	st = next_packet(f, &p);
	if (st < 0)
		return st;
	if (p.type != ppt_psb)
		return -pte_nosync;
	st = psb_plus(f, enabled);
	if (st < 0)
		return st;
	*ip = f->last_ip;
	f->time_changed = 0;	/* the start's time: the caller's */
	return 0;
}

void hwt_fastpkt_fini(struct hwt_fastpkt *f)
{
	pt_pkt_free_decoder(f->pkt);
	f->pkt = NULL;
}

/* The common packets straight from the bytes: 1 TNT read, 0 PAD
 * skipped, -pte_bad_query TIP read, 2 not handled here (libipt's job). */
static int fast_bytes(struct hwt_fastpkt *f)
{
	const uint8_t *q = f->pos;
	size_t left = (size_t)(f->end - q);
	uint8_t b;

	if (!left)
		return 2;
	b = q[0];
	if (!b) {
		f->pos++;
		return 0;
	}
	if (!(b & 1) && b != 0x02) {
		/* Short TNT: the highest set bit of b >> 1 is the stop bit. */
		unsigned v = b >> 1, n = 31 - (unsigned)__builtin_clz(v);

		f->tnt = v & ((1u << n) - 1);
		f->index = n ? 1ull << (n - 1) : 0;
		f->pos++;
		return n ? 1 : 2;
	}
	if (b == 0x02 && left >= 8 && q[1] == 0xa3) {
		uint64_t v = 0;
		unsigned n, i;

		for (i = 7; i >= 2; i--)
			v = v << 8 | q[i];
		if (!v)
			return 2;
		n = 63 - (unsigned)__builtin_clzll(v);
		if (!n)
			return 2;	/* no bits: libipt's verdict */
		f->tnt = v & ((1ull << n) - 1);
		f->index = 1ull << (n - 1);
		f->pos += 8;
		return 1;
	}
	if ((b & 0x1f) == 0x0d) {
		static const uint8_t sz[8] = { 0, 2, 4, 6, 6, 0xff, 8, 0xff };
		struct pt_packet_ip ip;
		unsigned n = sz[b >> 5], i;

		if (n == 0xff || !n || left < 1 + (size_t)n)
			return 2;
		ip.ipc = (enum pt_ip_compression)(b >> 5);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (left >= 9) {
			/* The payload's bytes in one load. */
			memcpy(&ip.ip, q + 1, 8);
			if (n < 8)
				ip.ip &= (1ull << (8 * n)) - 1;
		} else
#endif
		{
			ip.ip = 0;
			for (i = n; i >= 1; i--)
				ip.ip = ip.ip << 8 | q[i];
		}
		if (update_ip(f, &ip) < 0)
			return 2;
		f->pos += 1 + n;
		f->tip_ip = f->last_ip;
		f->tip_pending = 1;
		return -pte_bad_query;
	}
	return 2;
}

int hwt_fastpkt_fill(struct hwt_fastpkt *f)
{
	struct pt_packet p;

	if (f->tip_pending)
		return -pte_bad_query;
	for (;;) {
		int st = fast_bytes(f);
		int en;

		if (st == 0)
			continue;
		if (st != 2)
			return st == 1 ? 0 : st;
		st = next_packet(f, &p);

		if (st < 0)
			return st;
		switch (p.type) {
		case ppt_tnt_8:
		case ppt_tnt_64:
			if (!p.payload.tnt.bit_size)
				return -pte_nosync;
			f->tnt = p.payload.tnt.payload;
			f->index = 1ull << (p.payload.tnt.bit_size - 1);
			return 0;
		case ppt_tip:
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			f->tip_ip = f->last_ip;
			f->tip_pending = 1;
			return -pte_bad_query;
		case ppt_fup:
			/* An asynchronous event before the branch queried. */
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			f->fup_ip = f->last_ip;
			return HWT_FASTPKT_ASYNC;
		case ppt_tip_pgd:
			/* Disabled by a branch, at the IP it gives (none:
			 * libipt's, e.g. SKL014's filter case). */
			if (p.payload.ip.ipc == pt_ipc_suppressed)
				return -pte_nosync;
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			f->fup_ip = f->last_ip;
			f->pgd_tsc = f->tsc;
			f->pgd = 1;
			return HWT_FASTPKT_ASYNC;
		case ppt_psb:
			/* A status update while tracing stays enabled. */
			st = psb_plus(f, &en);
			if (st < 0)
				return st;
			if (!en)
				return -pte_nosync;
			f->psb_tsc = f->tsc;
			f->psb_fup = f->last_ip;
			continue;
		default:
			if (skip_packet(f, &p))
				continue;
			return -pte_nosync;
		}
	}
}

int hwt_fastpkt_tip_slow(struct hwt_fastpkt *f, uint64_t *ip)
{
	int st;

	if (f->index)
		return -pte_bad_query;
	if (!f->tip_pending) {
		st = hwt_fastpkt_fill(f);
		if (st == HWT_FASTPKT_ASYNC)
			return st;
		if (st != -pte_bad_query)
			return st < 0 ? st : -pte_bad_query;
	}
	f->tip_pending = 0;
	*ip = f->tip_ip;
	if (f->time_changed) {
		f->time_changed = 0;
		return HWT_FASTPKT_TIME;
	}
	return 0;
}

/* TIP.PGD first unless disabled (with no IP unless any_ip), then up to
 * TIP.PGE; or, not disabled, a TIP instead of the TIP.PGD: 2 with its
 * IP (traced on: a far branch's target, an interrupt's handler). */
static int pgd_pge(struct hwt_fastpkt *f, uint64_t *ip, int disabled,
		   int any_ip)
{
	struct pt_packet p;
	int st, en;

	/* TNT bits or a TIP left over: not the pattern. */
	if (f->index || f->tip_pending)
		return -pte_nosync;
	for (;;) {
		st = next_packet(f, &p);
		if (st == -pte_eos && disabled)
			return 1;	/* disabled to the end */
		if (st < 0)
			return st;
		switch (p.type) {
		case ppt_tip_pgd:
			if (disabled || (!any_ip &&
			    p.payload.ip.ipc != pt_ipc_suppressed))
				return -pte_nosync;
			if (p.payload.ip.ipc != pt_ipc_suppressed) {
				st = update_ip(f, &p.payload.ip);
				if (st < 0)
					return st;
			}
			f->pgd_tsc = f->tsc;
			disabled = 1;
			continue;
		case ppt_tip:
			if (disabled)
				return -pte_nosync;
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			*ip = f->last_ip;
			return 2;
		case ppt_tip_pge:
			if (!disabled)
				return -pte_nosync;
			st = update_ip(f, &p.payload.ip);
			if (st < 0)
				return st;
			*ip = f->last_ip;
			/* The enable's time is its event's. */
			f->time_changed = 0;
			return 0;
		case ppt_psb:
			if (!disabled)
				return -pte_nosync;
			st = psb_plus(f, &en);
			if (st < 0)
				return st;
			/* A FUP while disabled (TraceEn=1, FilterEn or
			 * ContextEn=0): libipt stays disabled if it is where
			 * tracing stopped; else its decode fails there. */
			if (en && (f->bdm70 || f->last_ip != f->resume_ip))
				return -pte_nosync;
			continue;
		default:
			if (skip_packet(f, &p))
				continue;
			return -pte_nosync;
		}
	}
}

int hwt_fastpkt_syscall(struct hwt_fastpkt *f, uint64_t *ip)
{
	return pgd_pge(f, ip, 0, 0);
}

int hwt_fastpkt_enable(struct hwt_fastpkt *f, uint64_t *ip)
{
	return pgd_pge(f, ip, 1, 0);
}

int hwt_fastpkt_async_pgd(struct hwt_fastpkt *f, uint64_t *ip)
{
	f->resume_ip = f->fup_ip;
	return pgd_pge(f, ip, 0, 1);
}
