/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Flow queries on libipt's packet decoder for the PSB-segment fast path;
 * see pt_fastpkt.h for what is modelled.  libipt's query decoder costs
 * some hundred instructions per query (event bookkeeping, read-ahead);
 * a TNT bit here is a shift and a mask.
 */
#include "pt_fastpkt.h"

/* libipt's pt_last_ip_update_ip, for the compressions it knows. */
static int update_ip(struct hwt_fastpkt *f, const struct pt_packet_ip *p)
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

static int skip_packet(const struct pt_packet *p)
{
	switch (p->type) {
	case ppt_pad:
	case ppt_tsc:
	case ppt_tma:
	case ppt_mtc:
	case ppt_cyc:
	case ppt_cbr:
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

/* The PSB+ after a PSB: 0 with *enabled (a FUP with an IP), < 0 else. */
static int psb_plus(struct hwt_fastpkt *f, int *enabled)
{
	struct pt_packet p;

	f->last_ip = 0;
	f->have_ip = 0;
	*enabled = 0;
	for (;;) {
		int st = pt_pkt_next(f->pkt, &p, sizeof(p));

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
		if (!skip_packet(&p))
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
	f->pkt = pt_pkt_alloc_decoder(cfg);
	if (!f->pkt)
		return -pte_nomem;
	st = pt_pkt_sync_forward(f->pkt);
	if (st < 0)
		return st;
	st = pt_pkt_next(f->pkt, &p, sizeof(p));
	if (st < 0)
		return st;
	if (p.type != ppt_psb)
		return -pte_nosync;
	st = psb_plus(f, enabled);
	if (st < 0)
		return st;
	*ip = f->last_ip;
	return 0;
}

void hwt_fastpkt_fini(struct hwt_fastpkt *f)
{
	pt_pkt_free_decoder(f->pkt);
	f->pkt = NULL;
}

int hwt_fastpkt_fill(struct hwt_fastpkt *f)
{
	struct pt_packet p;

	if (f->tip_pending)
		return -pte_bad_query;
	for (;;) {
		int st = pt_pkt_next(f->pkt, &p, sizeof(p));
		int en;

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
		case ppt_psb:
			/* A status update while tracing stays enabled. */
			st = psb_plus(f, &en);
			if (st < 0)
				return st;
			if (!en)
				return -pte_nosync;
			continue;
		default:
			if (skip_packet(&p))
				continue;
			return -pte_nosync;
		}
	}
}

int hwt_fastpkt_tip(struct hwt_fastpkt *f, uint64_t *ip)
{
	int st;

	if (f->index)
		return -pte_bad_query;
	if (!f->tip_pending) {
		st = hwt_fastpkt_fill(f);
		if (st != -pte_bad_query)
			return st < 0 ? st : -pte_bad_query;
	}
	f->tip_pending = 0;
	*ip = f->tip_ip;
	return 0;
}

int hwt_fastpkt_at_end(struct hwt_fastpkt *f)
{
	struct pt_packet p;
	int en;

	if (f->index || f->tip_pending)
		return 0;
	for (;;) {
		int st = pt_pkt_next(f->pkt, &p, sizeof(p));

		if (st == -pte_eos)
			return 1;
		if (st < 0)
			return st;
		if (p.type == ppt_psb) {
			st = psb_plus(f, &en);
			if (st < 0)
				return st;
			if (en)
				return 0;	/* tracing (re)starts */
			continue;
		}
		if (!skip_packet(&p))
			return 0;
	}
}
