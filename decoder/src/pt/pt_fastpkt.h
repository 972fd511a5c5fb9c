/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A minimal Intel PT flow query on libipt's packet decoder, for the PSB
 * segment fast path (pt_segment.c).  It models only what that path needs:
 * TNT bits (short and long TNT, oldest bit = most significant valid bit,
 * as libipt's tnt cache reads them), TIP with last-IP compression, PSB+
 * as a status update (FUP, MODE.Exec, timing, and the PIP, VMCS and
 * MODE.TSX outside a transaction that real captures have there),
 * MODE.Exec 64-bit, the TIP.PGD/TIP.PGE pair around a SYSCALL, after a
 * FUP (an interrupt) in a user-space trace, or with the IP a branch left
 * an IP filter's range for (HWT_FASTPKT_ASYNC), a FUP and TIP (an
 * interrupt whose handler is traced), skips PAD, CBR and MNT,
 * and keeps the time as libipt's query decoder has it at the flow packets
 * (TSC, and TMA and MTC as libipt's pt_time.c estimates between TSCs;
 * libipt does not export it); a query that read a new packet says when it
 * changed (HWT_FASTPKT_TIME).  Anything else (CYC, whose time needs
 * libipt's calibration; a TMA or MTC libipt's time refuses; a TIP.PGD
 * without IP but at a SYSCALL, a TIP.PGE while enabled, a timing packet
 * between a FUP and its TIP, OVF, PTWRITE, power events, suppressed IPs,
 * non-64-bit modes; MODE.TSX,
 * PIP and VMCS outside a PSB+) is reported as -pte_nosync so that the
 * caller gives the segment to libipt's block decoder, which models it
 * all.  PAD, short and long TNT and TIP are parsed here (bounds-checked;
 * anything unusual goes to libipt's packet decoder at the same offset),
 * the rest by pt_pkt_next.
 */
#ifndef HWT_PT_FASTPKT_H
#define HWT_PT_FASTPKT_H

#include <intel-pt.h>
#include <stdint.h>
#include <string.h>

struct hwt_fastpkt {
	struct pt_packet_decoder *pkt;
	const uint8_t *begin, *pos, *end;	/* pos: the next packet */
	uint64_t tnt;		/* pending TNT payload */
	uint64_t index;		/* mask of the next (oldest) bit; 0: empty */
	uint64_t last_ip;
	uint64_t tip_ip;	/* a TIP read ahead by a TNT query */
	int have_ip;
	int tip_pending;
	uint64_t fup_ip;	/* HWT_FASTPKT_ASYNC: where */
	int pgd;		/* HWT_FASTPKT_ASYNC came from a TIP.PGD with
				 * an IP (fup_ip: it), not from a FUP */
	/* While tracing is disabled: where libipt's decoder is (where
	 * tracing stopped; 0 after a sync without FUP).  A PSB+ whose FUP
	 * carries another IP then fails libipt's continuous decode. */
	uint64_t resume_ip;
	int bdm70;		/* erratum BDM70 applied: libipt drops a
				 * PSB+ FUP while disabled */
	/* The time (0: no TSC yet) of the packets read since the last
	 * timing packet; pgd_tsc: at the last TIP.PGD; psb_tsc and
	 * psb_fup: the time and FUP of the last PSB+ read while tracing
	 * was enabled (libipt reports its status at the FUP's IP). */
	uint64_t tsc, pgd_tsc, psb_tsc, psb_fup;
	int time_changed;	/* tsc changed since the last query that
				 * said so */
	/* libipt's time state between TSCs (pt_time.c): the TSC less the
	 * TMA's fast counter plus the MTCs' crystal clock, the last CTC,
	 * which packets came; the config's MTC frequency and the CPUID
	 * 0x15 TSC/crystal ratio (eax: denominator, ebx: numerator). */
	uint64_t base;
	uint32_t ctc, ratio_eax, ratio_ebx;
	uint8_t have_tsc, have_tma, have_mtc, mtc_freq;
};

/* A query's answer: a FUP (outside PSB+) instead of TNT or TIP, i.e. an
 * asynchronous event at fup_ip before the branch queried; or (pgd set)
 * a TIP.PGD with an IP, fup_ip, and its time in pgd_tsc: tracing
 * disabled by a branch (an IP filter's exit; SDM vol. 3C 33.2.5.3,
 * 33.4.2.4), which libipt binds where the flow reaches that IP without
 * trace, else to the branch queried. */
#define HWT_FASTPKT_ASYNC	1

/* Allocates on cfg and reads the first PSB+.  Returns 0 with *enabled
 * and *ip set, or a negative pt_error_code. */
int hwt_fastpkt_init(struct hwt_fastpkt *f, const struct pt_config *cfg,
		     int *enabled, uint64_t *ip);
void hwt_fastpkt_fini(struct hwt_fastpkt *f);

/* The time's state empty, cfg's MTC frequency and CPUID 0x15 ratio
 * (hwt_fastpkt_init() starts so).  Returns nothing. */
void hwt_fastpkt_time_init(struct hwt_fastpkt *f, const struct pt_config *cfg);

/*
 * p applied to the time (f->tsc) as libipt's query decoder applies it:
 * for a caller that reads packets itself.
 * Returns 1 if p is a timing packet this layer models (TSC, TMA, MTC).
 * Returns 0 if p is no timing packet.
 * Returns -1 if libipt's time is not this layer's (CYC), or libipt's
 * decode fails at p (a TMA or MTC out of place).
 */
int hwt_fastpkt_time_packet(struct hwt_fastpkt *f, const struct pt_packet *p);

/* Refills the TNT queue; 0, -pte_eos at the end, -pte_bad_query when the
 * next flow packet is a TIP (kept for hwt_fastpkt_tip), HWT_FASTPKT_ASYNC
 * for a FUP, other < 0: the trace has something this layer does not
 * model. */
int hwt_fastpkt_fill(struct hwt_fastpkt *f);

/* hwt_fastpkt_bit's answer for HWT_FASTPKT_ASYNC (1 is a taken bit). */
#define HWT_FASTPKT_BIT_ASYNC	2

/* A query's answer when the time changed since the last one that said
 * so (f->tsc; libipt's query decoder's time at the packet it read):
 * hwt_fastpkt_tip's and hwt_fastpkt_cond's, with the target or *taken;
 * hwt_fastpkt_bit's, or'ed with the bit.  Only a query that reads a new
 * packet can say it. */
#define HWT_FASTPKT_TIME	2
#define HWT_FASTPKT_BIT_TIME	4

/* The next TNT bit of a conditional branch (or compressed return): 0 or 1,
 * or what hwt_fastpkt_fill answers when it has to refill and cannot
 * (HWT_FASTPKT_ASYNC as HWT_FASTPKT_BIT_ASYNC).  The bit as the return
 * value: the fast path keeps it in a register. */
static inline int hwt_fastpkt_bit(struct hwt_fastpkt *f)
{
	int bit;

	if (!f->index) {
		/* A short TNT (even byte other than PAD 0x00 and the 0x02
		 * prefix) inline: its stop bit sits above the queue's mask. */
		if (f->pos < f->end && !(f->pos[0] & 1) && f->pos[0] > 2 &&
		    !f->tip_pending) {
			unsigned v = f->pos[0] >> 1;

			f->tnt = v;
			f->index = 1ull << (30 - __builtin_clz(v));
			f->pos++;
		} else if (f->tip_pending ||
			   (f->pos < f->end && (f->pos[0] & 0x1f) == 0x0d)) {
			/* A TIP next: hwt_fastpkt_fill's answer, the packet
			 * left for hwt_fastpkt_tip to read. */
			return -pte_bad_query;
		} else {
			int st = hwt_fastpkt_fill(f);

			if (st)
				return st == HWT_FASTPKT_ASYNC ?
				       HWT_FASTPKT_BIT_ASYNC : st;
			if (f->time_changed) {
				f->time_changed = 0;
				bit = !!(f->tnt & f->index);
				f->index >>= 1;
				return bit | HWT_FASTPKT_BIT_TIME;
			}
		}
	}
	bit = !!(f->tnt & f->index);
	f->index >>= 1;
	return bit;
}

/* Conditional branch (or compressed return): 0 or HWT_FASTPKT_TIME and
 * *taken, or non-zero as for hwt_fastpkt_fill. */
static inline int hwt_fastpkt_cond(struct hwt_fastpkt *f, int *taken)
{
	int st = hwt_fastpkt_bit(f);

	if (st == HWT_FASTPKT_BIT_ASYNC)
		return HWT_FASTPKT_ASYNC;
	if (st < 0)
		return st;
	*taken = st & 1;
	return st & HWT_FASTPKT_BIT_TIME ? HWT_FASTPKT_TIME : 0;
}

/* hwt_fastpkt_tip for every case (the inline one takes the common). */
int hwt_fastpkt_tip_slow(struct hwt_fastpkt *f, uint64_t *ip);

/* Indirect branch target: 0 or HWT_FASTPKT_TIME and *ip, HWT_FASTPKT_ASYNC,
 * or < 0 as for hwt_fastpkt_fill (-pte_bad_query: TNT bits pending, as
 * libipt's query says).  A TIP at
 * pos with a 16-, 32- or 48-bit update, a sign-extended 48-bit or a full
 * IP, and 8 bytes after its header, is read here: most indirect
 * branches of a real program's trace are that, and the general path
 * (a call, its packet and IP compression switches) cost some 70
 * instructions more. */
static inline int hwt_fastpkt_tip(struct hwt_fastpkt *f, uint64_t *ip)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (!f->index && !f->tip_pending && f->end - f->pos >= 9 &&
	    (f->pos[0] & 0x1f) == 0x0d) {
		uint64_t v, last = f->last_ip;
		unsigned len;

		memcpy(&v, f->pos + 1, 8);
		switch (f->pos[0] >> 5) {
		case pt_ipc_update_16:
			v = (last & ~0xffffull) | (v & 0xffffull);
			len = 3;
			break;
		case pt_ipc_update_32:
			v = (last & ~0xffffffffull) | (v & 0xffffffffull);
			len = 5;
			break;
		case pt_ipc_update_48:
			v = (last & ~0xffffffffffffull) |
			    (v & 0xffffffffffffull);
			len = 7;
			break;
		case pt_ipc_sext_48:
			v = (uint64_t)((int64_t)(v << 16) >> 16);
			f->have_ip = 1;
			len = 7;
			break;
		case pt_ipc_full:
			f->have_ip = 1;
			len = 9;
			break;
		default:
			return hwt_fastpkt_tip_slow(f, ip);
		}
		if (!f->have_ip)
			return hwt_fastpkt_tip_slow(f, ip);
		f->last_ip = v;
		f->pos += len;
		*ip = v;
		return 0;
	}
#endif
	return hwt_fastpkt_tip_slow(f, ip);
}

/* After a SYSCALL in a user-space trace: TIP.PGD with no IP (its time
 * in pgd_tsc), then (after
 * timing packets and PSB+ with tracing disabled at most; a PSB+ FUP only
 * at resume_ip, which the caller sets) TIP.PGE: 0 and
 * *ip its target; 1 when the trace ends disabled; 2 and *ip: a TIP
 * instead of the TIP.PGD (the kernel traced too: the SYSCALL's target);
 * -pte_eos when it ends before the TIP.PGD; other < 0: something else
 * (libipt's job). */
int hwt_fastpkt_syscall(struct hwt_fastpkt *f, uint64_t *ip);

/* Tracing disabled (a PSB+ without FUP): the same from the TIP.PGE on. */
int hwt_fastpkt_enable(struct hwt_fastpkt *f, uint64_t *ip);

/* After HWT_FASTPKT_ASYNC in a user-space trace: TIP.PGD (an asynchronous
 * disable at fup_ip, which becomes resume_ip), then as
 * hwt_fastpkt_syscall; 2 and *ip: a TIP instead, an asynchronous branch
 * from fup_ip to *ip (the interrupt's handler traced too). */
int hwt_fastpkt_async_pgd(struct hwt_fastpkt *f, uint64_t *ip);

#endif
