/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pt_fastpkt (flow queries on libipt's packet decoder) against libipt's
 * query decoder and against the known content: random traces made with
 * libipt's encoder (short and long TNT, TIP with every IP compression,
 * PAD and timing packets, PSB+ in the middle) are queried both ways, bit
 * by bit and target by target; a TNT query before a TIP must fail with
 * -pte_bad_query on both (the uncompressed-return case), the end must be
 * -pte_eos, and packets the fast layer does not model must make it fail.
 * The time too: after each query, libipt's (pt_qry_time: the last TSC's
 * value at the packet the query read; PSB+s carry one, other TSCs come
 * between packets) changed exactly when the fast layer says so
 * (HWT_FASTPKT_TIME), and is then its tsc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt/pt_fastpkt.h"

static int failed;

static void check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		failed = 1;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum { Q_COND, Q_BADQ, Q_TIP };

struct q {
	int kind;
	int taken;
	uint64_t ip;
};

#define BUFSZ (1 << 20)
#define MAXQ (1 << 18)

static uint8_t buf[BUFSZ];
static struct q qs[MAXQ];

static int emit(struct pt_encoder *e, struct pt_packet *p)
{
	return pt_enc_next(e, p) < 0 ? -1 : 0;
}

/* The TSC of the last PSB+ psb_plus() wrote, and of gen()'s first. */
static uint64_t psb_tsc, first_psb_tsc;
/* The traces' MTC frequency (a TMA gives all of MTC's CTC bits up to
 * 8, not above) and crystal clock, as the next MTC gives it. */
static unsigned mtc_freq, mtc_ctc;

static int psb_plus(struct pt_encoder *e, uint64_t ip)
{
	struct pt_packet p;

	memset(&p, 0, sizeof(p));
	p.type = ppt_psb;
	if (emit(e, &p))
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_tsc;	/* with TSCEn, part of every PSB+ (33.3.7) */
	p.payload.tsc.tsc = psb_tsc = rnd() & 0xffffffffffffffull;
	if (emit(e, &p))
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_tma;	/* with MTCEn, after the TSC (33.4.2.12) */
	p.payload.tma.ctc = (uint16_t)rnd();
	p.payload.tma.fc = (uint16_t)(rnd() & 0x1ff);
	mtc_ctc = p.payload.tma.ctc >> mtc_freq;
	if (emit(e, &p))
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_fup;
	p.payload.ip.ipc = pt_ipc_sext_48;
	p.payload.ip.ip = ip;
	if (emit(e, &p))
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_mode;
	p.payload.mode.leaf = pt_mol_exec;
	p.payload.mode.bits.exec = pt_set_exec_mode(ptem_64bit);
	if (emit(e, &p))
		return -1;
	memset(&p, 0, sizeof(p));
	p.type = ppt_psbend;
	return emit(e, &p);
}

/* Writes a trace into buf and the queries it answers into qs; returns
 * the trace size, sets *nq and *ip0. */
static size_t gen(int ops, int with_ovf, size_t *nq, uint64_t *ip0)
{
	struct pt_config cfg;
	struct pt_encoder *e;
	struct pt_packet p;
	uint64_t last = 0x7f0000401000ull, off = 0;
	size_t n = 0;
	int i;

	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + BUFSZ;
	e = pt_alloc_encoder(&cfg);
	*ip0 = last;
	if (!e || psb_plus(e, last))
		return 0;
	first_psb_tsc = psb_tsc;
	for (i = 0; i < ops; i++) {
		unsigned r = rnd() % 16;

		memset(&p, 0, sizeof(p));
		if (r < 6) {
			int k = r < 3 ? 1 + rnd() % 6 : 1 + rnd() % 47, j;

			p.type = k <= 6 && r < 3 ? ppt_tnt_8 : ppt_tnt_64;
			p.payload.tnt.bit_size = (uint8_t)k;
			p.payload.tnt.payload = rnd() & ((1ull << k) - 1);
			for (j = k - 1; j >= 0; j--) {
				qs[n].kind = Q_COND;
				qs[n++].taken = (p.payload.tnt.payload >> j) & 1;
			}
		} else if (r < 10) {
			static const enum pt_ip_compression ipc[] = {
				pt_ipc_update_16, pt_ipc_update_32,
				pt_ipc_update_48, pt_ipc_sext_48, pt_ipc_full };
			enum pt_ip_compression c = ipc[rnd() % 5];
			uint64_t ip = last, m;

			m = c == pt_ipc_update_16 ? 0xffffull :
			    c == pt_ipc_update_32 ? 0xffffffffull :
						    0x7fffffffffffull;
			ip = (ip & ~m) | (rnd() & m);
			if ((c == pt_ipc_full || c == pt_ipc_sext_48) &&
			    (rnd() & 1))
				ip |= 0xffff800000000000ull; /* kernel half */
			else if (c == pt_ipc_full || c == pt_ipc_sext_48)
				ip &= 0x7fffffffffffull;
			if (c == pt_ipc_update_48)
				ip = (last & ~0xffffffffffffull) |
				     (ip & 0xffffffffffffull);
			if (rnd() & 1) {
				qs[n].kind = Q_BADQ;
				n++;
			}
			p.type = ppt_tip;
			p.payload.ip.ipc = c;
			p.payload.ip.ip = ip;
			qs[n].kind = Q_TIP;
			qs[n++].ip = ip;
			last = ip;
		} else if (r < 12) {
			p.type = ppt_pad;
		} else if (r < 13 && (rnd() & 3)) {
			/* An MTC every 1-3 periods (one dropped now and
			 * then). */
			mtc_ctc += 1 + rnd() % 3;
			p.type = ppt_mtc;
			p.payload.mtc.ctc = (uint8_t)mtc_ctc;
		} else if (r < 13) {
			p.type = ppt_tsc;
			p.payload.tsc.tsc = rnd() & 0xffffffffffffffull;
		} else if (r < 14) {
			p.type = ppt_cbr;
			p.payload.cbr.ratio = 20;
		} else {
			if (psb_plus(e, last & 0x7fffffffffffull))
				return 0;
			last &= 0x7fffffffffffull;
			continue;
		}
		if (emit(e, &p))
			return 0;
		if (n + 64 >= MAXQ)
			break;
	}
	if (with_ovf) {
		memset(&p, 0, sizeof(p));
		p.type = ppt_ovf;
		emit(e, &p);
	}
	pt_enc_get_offset(e, &off);
	pt_free_encoder(e);
	*nq = n;
	return (size_t)off;
}

/* libipt's query decoder, draining status events. */
static int qry_events(struct pt_query_decoder *q, int st)
{
	while (st >= 0 && (st & pts_event_pending)) {
		struct pt_event ev;

		st = pt_qry_event(q, &ev, sizeof(ev));
	}
	return st;
}

/* libipt's time now, 0 if it has none. */
static uint64_t qry_time(struct pt_query_decoder *q)
{
	uint32_t lost_mtc, lost_cyc;
	uint64_t t;

	return pt_qry_time(q, &t, &lost_mtc, &lost_cyc) < 0 ? 0 : t;
}

/* Whether the fast layer's word on the time (changed: it said the time
 * changed) is libipt's at the query, t, since the last query (*was: its
 * time then).  Sampled before the status events after the packet are
 * drained: the block decoder reports those (a PSB+'s) later, at their
 * IP, where the fast layer reads them at its next query. */
static int same_time(uint64_t t, const struct hwt_fastpkt *f, int changed,
		     uint64_t *was, size_t *nchanges)
{
	int ok = changed == (t != *was) && (!changed || f->tsc == t);

	*nchanges += changed;
	*was = t;
	return ok;
}

static size_t time_changes;	/* the fast layer's, all traces */

static int run_one(int seed, int ops)
{
	struct pt_config cfg;
	struct pt_query_decoder *q;
	struct hwt_fastpkt f;
	uint64_t ip0, qip = 0, fip = 0, qtime;
	size_t nq, size, i;
	int en = 0, st, fs, ok = 1;

	rng = 88172645463325252ull + (uint64_t)seed * 7919;
	/* MTC every 2^3 crystal clocks (the TMA holds all its bits), or
	 * 2^10 (it does not: the first MTC estimates the rest). */
	mtc_freq = seed & 1 ? 10 : 3;
	size = gen(ops, 0, &nq, &ip0);
	if (!size)
		return 0;
	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + size;
	cfg.mtc_freq = (uint8_t)mtc_freq;
	/* TSC / crystal clock 168/2; no ratio in every fifth (libipt then
	 * keeps the time at MTCs). */
	cfg.cpuid_0x15_eax = seed % 5 == 4 ? 0 : 2;
	cfg.cpuid_0x15_ebx = 168;
	q = pt_qry_alloc_decoder(&cfg);
	st = q ? pt_qry_sync_forward(q, &qip) : -1;
	st = qry_events(q, st);
	fs = hwt_fastpkt_init(&f, &cfg, &en, &fip);
	if (st < 0 || fs < 0 || !en || qip != ip0 || fip != ip0)
		ok = 0;
	/* Time at the first PSB+'s end: its TSC (libipt's query decoder,
	 * synced there, has read on past the TSCs that follow; a decode
	 * that runs through the PSB+ has not, as the fast layer). */
	qtime = first_psb_tsc;
	if (f.tsc != qtime)
		ok = 0;
	for (i = 0; ok && i < nq; i++) {
		int qt = -1, ft = -1, changed = 0;
		uint64_t t;

		switch (qs[i].kind) {
		case Q_COND:
			st = pt_qry_cond_branch(q, &qt);
			t = qry_time(q);
			st = qry_events(q, st);
			/* Both forms of the query, the bit as the answer
			 * and through *taken. */
			if (i & 1) {
				fs = hwt_fastpkt_bit(&f);
				if (fs >= 0 && fs != HWT_FASTPKT_BIT_ASYNC) {
					changed = !!(fs & HWT_FASTPKT_BIT_TIME);
					ft = fs & 1;
					fs = 0;
				}
			} else {
				fs = hwt_fastpkt_cond(&f, &ft);
				changed = fs == HWT_FASTPKT_TIME;
				fs = changed ? 0 : fs;
			}
			ok = st >= 0 && fs == 0 && qt == qs[i].taken &&
			     ft == qs[i].taken &&
			     same_time(t, &f, changed, &qtime, &time_changes);
			break;
		case Q_BADQ:
			st = pt_qry_cond_branch(q, &qt);
			fs = i & 1 ? hwt_fastpkt_bit(&f) :
			     hwt_fastpkt_cond(&f, &ft);
			ok = st == -pte_bad_query && fs == -pte_bad_query;
			break;
		case Q_TIP:
			st = pt_qry_indirect_branch(q, &qip);
			t = qry_time(q);
			st = qry_events(q, st);
			fs = hwt_fastpkt_tip(&f, &fip);
			changed = fs == HWT_FASTPKT_TIME;
			fs = changed ? 0 : fs;
			ok = st >= 0 && fs == 0 && qip == qs[i].ip &&
			     fip == qs[i].ip &&
			     same_time(t, &f, changed, &qtime, &time_changes);
			break;
		}
		if (!ok)
			fprintf(stderr, "seed %d query %zu/%zu kind %d: qry %d "
				"fast %d\n", seed, i, nq, qs[i].kind, st, fs);
	}
	if (ok) {
		int qt, ft;

		st = pt_qry_cond_branch(q, &qt);
		fs = hwt_fastpkt_cond(&f, &ft);
		ok = st == -pte_eos && fs == -pte_eos;
	}
	pt_qry_free_decoder(q);
	hwt_fastpkt_fini(&f);
	return ok;
}

/* A TIP of each IP compression as the trace's last packet (fewer than 8
 * bytes after its header: not the inline read), after a TNT query that
 * must leave it: the target libipt's query decoder gives. */
static int run_tip_at_end(void)
{
	static const enum pt_ip_compression ipc[] = {
		pt_ipc_update_16, pt_ipc_update_32, pt_ipc_update_48,
		pt_ipc_sext_48, pt_ipc_full };
	uint64_t ip0 = 0x7f0000401000ull;
	size_t c;
	int ok = 1;

	for (c = 0; c < sizeof(ipc) / sizeof(ipc[0]); c++) {
		struct pt_config cfg;
		struct pt_encoder *e;
		struct pt_query_decoder *q;
		struct hwt_fastpkt f;
		struct pt_packet p;
		uint64_t off = 0, qip = 0, fip = 0;
		int en = 0, st, fs, t;

		pt_config_init(&cfg);
		cfg.begin = buf;
		cfg.end = buf + BUFSZ;
		e = pt_alloc_encoder(&cfg);
		if (!e || psb_plus(e, ip0))
			return 0;
		memset(&p, 0, sizeof(p));
		p.type = ppt_tip;
		p.payload.ip.ipc = ipc[c];
		p.payload.ip.ip = ipc[c] == pt_ipc_sext_48 ?
				  0xffff800000001234ull : 0x7f0000405678ull;
		if (emit(e, &p))
			return 0;
		pt_enc_get_offset(e, &off);
		pt_free_encoder(e);
		cfg.end = buf + off;
		q = pt_qry_alloc_decoder(&cfg);
		st = q ? qry_events(q, pt_qry_sync_forward(q, &qip)) : -1;
		fs = hwt_fastpkt_init(&f, &cfg, &en, &fip);
		if (st >= 0 && fs >= 0) {
			st = pt_qry_cond_branch(q, &t);
			fs = hwt_fastpkt_bit(&f);
			ok &= st == -pte_bad_query && fs == -pte_bad_query;
			st = qry_events(q, pt_qry_indirect_branch(q, &qip));
			fs = hwt_fastpkt_tip(&f, &fip);
			ok &= st >= 0 && (fs == 0 || fs == HWT_FASTPKT_TIME) &&
			      fip == qip;
		} else {
			ok = 0;
		}
		pt_qry_free_decoder(q);
		hwt_fastpkt_fini(&f);
	}
	return ok;
}

/* Packets the fast layer leaves to libipt make it fail (not end). */
static int run_ovf(void)
{
	struct pt_config cfg;
	struct hwt_fastpkt f;
	uint64_t ip0, ip;
	size_t nq, size, i;
	int en, fs = 0, t;

	rng = 12345;
	size = gen(50, 1, &nq, &ip0);
	if (!size)
		return 0;
	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + size;
	if (hwt_fastpkt_init(&f, &cfg, &en, &ip) < 0)
		return 0;
	for (i = 0; i < nq && fs >= 0; i++)
		fs = qs[i].kind == Q_TIP ? hwt_fastpkt_tip(&f, &ip) :
		     qs[i].kind == Q_COND ? hwt_fastpkt_cond(&f, &t) : 0;
	/* (HWT_FASTPKT_TIME is an answer too: >= 0.) */
	if (fs >= 0)
		fs = hwt_fastpkt_cond(&f, &t);
	hwt_fastpkt_fini(&f);
	return fs < 0 && fs != -pte_eos && fs != -pte_bad_query;
}

int main(void)
{
	int s, ok = 1;

	for (s = 0; s < 20; s++)
		ok &= run_one(s, 200 + s * 500);
	check("fastpkt-matches-query-decoder-20-traces", ok);
	/* The traces' TSCs did change the time at some queries. */
	printf("%s: fastpkt-time-changes-are-libipts (%zu)\n",
	       ok && time_changes > 100 ? "PASS" : "FAIL", time_changes);
	failed |= !(ok && time_changes > 100);
	check("fastpkt-ovf-fails", run_ovf());
	check("fastpkt-tip-at-trace-end", run_tip_at_end());
	return failed;
}
