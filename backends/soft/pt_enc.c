// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Intel PT packet encoder for the soft backend (see pt_enc.h).
 *
 * Packet formats: Intel SDM Vol. 3C, section "Packet Definitions".
 * Binding rules that decide which packets a decoder needs where follow
 * what libipt's instruction and block decoders accept; the user-space
 * tests check every case against libipt.
 */
#include "pt_enc.h"

/* Opcodes (SDM Vol. 3C, Table "Packet Definitions"). */
#define OP_TIP		0x0d
#define OP_TIP_PGE	0x11
#define OP_TIP_PGD	0x01
#define OP_FUP		0x1d
#define OP_MODE		0x99
#define OP_TSC		0x19
#define OP_EXT		0x02
#define EXT_PSB		0x82
#define EXT_PSBEND	0x23
#define EXT_OVF		0xf3
#define EXT_TNT64	0xa3
#define EXT_STOP	0x83	/* TraceStop packet (SDM Vol. 3C 33.4.2) */
#define MODE_EXEC_64	0x01	/* leaf 000, CS.L = 1, CS.D = 0 */

/* IPBytes field values. */
#define IPB_NONE	0	/* suppressed */
#define IPB_16		1	/* update bits 15:0 */
#define IPB_32		2	/* update bits 31:0 */
#define IPB_SEXT48	3	/* bits 47:0, sign-extended */
#define IPB_48		4	/* update bits 47:0 */
#define IPB_64		6	/* full */

#define TNT_SHORT_MAX	6
#define TNT_LONG_MAX	47

int pt_soft_config_check(const struct pt_soft_config *cfg)
{
	uint32_t i;

	if (!cfg || cfg->flags & ~PT_SOFT_FLAGS_ALL || cfg->reserved)
		return PT_SOFT_EINVAL;
	if (cfg->psb_period && (cfg->psb_period < PT_SOFT_PSB_MIN ||
				cfg->psb_period > PT_SOFT_PSB_MAX))
		return PT_SOFT_EINVAL;
	if (cfg->nranges > PT_SOFT_MAX_RANGES)
		return PT_SOFT_EINVAL;
	for (i = 0; i < cfg->nranges; i++)
		if (cfg->ranges[i].start > cfg->ranges[i].end)
			return PT_SOFT_EINVAL;
	if (cfg->nstops > PT_SOFT_MAX_RANGES || cfg->reserved2)
		return PT_SOFT_EINVAL;
	for (i = 0; i < cfg->nstops; i++)
		if (cfg->stops[i].start > cfg->stops[i].end)
			return PT_SOFT_EINVAL;
	return 0;
}

/* Does ip lie in a TraceStop region? */
static int in_stop(const struct pt_soft_config *cfg, uint64_t ip)
{
	uint32_t i;

	for (i = 0; i < cfg->nstops; i++)
		if (ip >= cfg->stops[i].start && ip <= cfg->stops[i].end)
			return 1;
	return 0;
}

int pt_soft_in_range(const struct pt_soft_config *cfg, uint64_t ip)
{
	uint32_t i;

	if (!cfg->nranges)
		return 1;
	for (i = 0; i < cfg->nranges; i++)
		if (ip >= cfg->ranges[i].start && ip <= cfg->ranges[i].end)
			return 1;
	return 0;
}

void pt_soft_init(struct pt_soft_state *st, const struct pt_soft_config *cfg)
{
	*st = (struct pt_soft_state){ .cfg = *cfg };
	if (!st->cfg.psb_period)
		st->cfg.psb_period = PT_SOFT_PSB_DEFAULT;
	st->tnt_max = cfg->flags & PT_SOFT_LONG_TNT ? TNT_LONG_MAX :
		      TNT_SHORT_MAX;
}

/* Callers check room for PT_SOFT_MAX_OUT bytes once per API call. */
static void put(struct pt_soft_state *st, struct pt_soft_out *out,
		const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out->buf[out->len + i] = p[i];
	out->len += n;
	st->bytes += n;
	st->total += n;
}

static int room(const struct pt_soft_out *out)
{
	if (!out || !out->buf || out->len > out->cap ||
	    out->cap - out->len < PT_SOFT_MAX_OUT)
		return PT_SOFT_ENOSPC;
	return 0;
}

static void retstack_clear(struct pt_soft_state *st)
{
	st->ret_n = 0;
	st->ret_top = 0;
}

/* libipt's return stack keeps the newest 64 entries. */
static void retstack_push(struct pt_soft_state *st, uint64_t ip)
{
	st->retstack[st->ret_top] = ip;
	st->ret_top = (st->ret_top + 1) % PT_SOFT_RETSTACK;
	if (st->ret_n < PT_SOFT_RETSTACK)
		st->ret_n++;
}

static int retstack_pop_if(struct pt_soft_state *st, uint64_t ip)
{
	uint32_t top = (st->ret_top + PT_SOFT_RETSTACK - 1) % PT_SOFT_RETSTACK;

	if (!st->ret_n || st->retstack[top] != ip)
		return 0;
	st->ret_top = top;
	st->ret_n--;
	return 1;
}

static void emit_tnt_flush(struct pt_soft_state *st, struct pt_soft_out *out)
{
	uint8_t p[8];
	uint64_t payload;
	int i;

	if (!st->ntnt)
		return;
	/* Stop bit above the oldest branch; the byte 0x02 is never made. */
	payload = (1ull << st->ntnt) | st->tnt;
	if (st->ntnt <= TNT_SHORT_MAX) {
		p[0] = (uint8_t)(payload << 1);
		put(st, out, p, 1);
	} else {
		p[0] = OP_EXT;
		p[1] = EXT_TNT64;
		for (i = 0; i < 6; i++)
			p[2 + i] = (uint8_t)(payload >> (8 * i));
		put(st, out, p, 8);
	}
	st->tnt = 0;
	st->ntnt = 0;
}

static void add_tnt(struct pt_soft_state *st, struct pt_soft_out *out,
		    int taken)
{
	st->tnt = st->tnt << 1 | (taken ? 1 : 0);
	if (++st->ntnt >= st->tnt_max)
		emit_tnt_flush(st, out);
}

static int is_sext48(uint64_t ip)
{
	uint64_t hi = ip >> 47;

	return hi == 0 || hi == 0x1ffff;
}

/*
 * An IP packet (TIP, TIP.PGE, TIP.PGD, FUP) with the shortest payload that
 * decodes to ip against the decoder's last IP.  full: independent of the
 * last IP (after PSB and OVF).
 */
static void emit_ip(struct pt_soft_state *st, struct pt_soft_out *out,
		    uint8_t op, uint64_t ip, int full)
{
	static const uint8_t nbytes[8] = { 0, 2, 4, 6, 6, 0, 8, 0 };
	uint64_t last = st->last_ip;
	uint8_t p[9];
	unsigned int ipb, i;

	if (full || st->ip_full)
		ipb = is_sext48(ip) ? IPB_SEXT48 : IPB_64;
	else if (ip >> 16 == last >> 16)
		ipb = IPB_16;
	else if (ip >> 32 == last >> 32)
		ipb = IPB_32;
	else if (is_sext48(ip))
		ipb = IPB_SEXT48;
	else if (ip >> 48 == last >> 48)
		ipb = IPB_48;
	else
		ipb = IPB_64;
	p[0] = (uint8_t)(ipb << 5 | op);
	for (i = 0; i < nbytes[ipb]; i++)
		p[1 + i] = (uint8_t)(ip >> (8 * i));
	put(st, out, p, 1 + nbytes[ipb]);
	st->last_ip = ip;
	st->ip_full = 0;
}

static void emit_pgd_noip(struct pt_soft_state *st, struct pt_soft_out *out)
{
	uint8_t p = IPB_NONE << 5 | OP_TIP_PGD;

	put(st, out, &p, 1);
}

static void emit_tsc(struct pt_soft_state *st, struct pt_soft_out *out,
		     uint64_t tsc)
{
	uint8_t p[8];
	int i;

	if (!(st->cfg.flags & PT_SOFT_TSC))
		return;
	if (st->cfg.flags & PT_SOFT_INSN_CLOCK)
		tsc = st->icount;
	p[0] = OP_TSC;
	for (i = 0; i < 7; i++)
		p[1 + i] = (uint8_t)(tsc >> (8 * i));
	put(st, out, p, 8);
}

static void emit_mode_exec(struct pt_soft_state *st, struct pt_soft_out *out)
{
	static const uint8_t p[2] = { OP_MODE, MODE_EXEC_64 };

	put(st, out, p, 2);
}

/* PSB+: PSB, TSC, MODE.Exec, FUP (if traced), PSBEND. */
static void emit_psb_plus(struct pt_soft_state *st, struct pt_soft_out *out,
			  uint64_t tsc)
{
	static const uint8_t psbend[2] = { OP_EXT, EXT_PSBEND };
	uint8_t psb[16];
	int i;

	emit_tnt_flush(st, out);
	for (i = 0; i < 16; i += 2) {
		psb[i] = OP_EXT;
		psb[i + 1] = EXT_PSB;
	}
	put(st, out, psb, sizeof(psb));
	st->last_ip = 0;
	emit_tsc(st, out, tsc);
	emit_mode_exec(st, out);
	if (st->enabled)
		emit_ip(st, out, OP_FUP, st->ip, 1);
	put(st, out, psbend, 2);
	/* PSB is where a decoder may start: compress nothing across it. */
	retstack_clear(st);
	st->bytes = 0;
	st->npsb++;
}

static void maybe_psb(struct pt_soft_state *st, struct pt_soft_out *out,
		      uint64_t tsc)
{
	if (st->bytes >= st->cfg.psb_period)
		emit_psb_plus(st, out, tsc);
}

/* TIP.PGE: tracing (re)starts at st->ip. */
static void enable(struct pt_soft_state *st, struct pt_soft_out *out,
		   uint64_t tsc)
{
	emit_tsc(st, out, tsc);
	emit_mode_exec(st, out);
	emit_ip(st, out, OP_TIP_PGE, st->ip, 0);
	st->enabled = 1;
	retstack_clear(st);
}

int pt_soft_start(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		  struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	st->ip = ip;
	st->enabled = (uint8_t)pt_soft_in_range(&st->cfg, ip);
	st->in_kernel = 0;
	st->lost = 0;
	st->tnt = 0;
	st->ntnt = 0;
	st->started = 1;
	emit_psb_plus(st, out, tsc);
	return 0;
}

int pt_soft_start_pge(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		      struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	st->ip = ip;
	st->enabled = 0;
	st->in_kernel = 0;
	st->lost = 0;
	st->tnt = 0;
	st->ntnt = 0;
	st->started = 1;
	st->ip_full = 1;
	retstack_clear(st);
	if (pt_soft_in_range(&st->cfg, ip))
		enable(st, out, tsc);
	return 0;
}

static int is_branch(unsigned int br)
{
	return br != X86_BR_NONE;
}

/* Check next_ip against what the instruction can do. */
static int step_possible(const struct pt_soft_state *st,
			 const struct x86_insn_info *in, uint64_t next_ip)
{
	uint64_t fall = st->ip + in->len;

	switch (in->br) {
	case X86_BR_NONE:
		return next_ip == fall ||
		       (next_ip == st->ip && (in->flags & X86_INSN_REP_STRING));
	case X86_BR_JCC:
		return next_ip == fall ||
		       next_ip == x86_insn_target(st->ip, in);
	case X86_BR_JMP_REL:
	case X86_BR_CALL_REL:
		return next_ip == x86_insn_target(st->ip, in);
	case X86_BR_JMP_IND:
	case X86_BR_CALL_IND:
	case X86_BR_RET:
	case X86_BR_RET_FAR:
	case X86_BR_IRET:
	case X86_BR_FAR_JMP:
	case X86_BR_FAR_CALL:
		return 1;
	default:
		/*
		 * Kernel entries go through pt_soft_kernel_enter(); UD and
		 * SYSRET never complete in user mode.
		 */
		return 0;
	}
}

int pt_soft_step(struct pt_soft_state *st, const struct x86_insn_info *in,
		 uint64_t next_ip, uint64_t tsc, struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	if (!in || !st->started || st->in_kernel)
		return PT_SOFT_EINVAL;
	if (!step_possible(st, in, next_ip))
		return PT_SOFT_EDESYNC;
	if (next_ip == st->ip && (in->flags & X86_INSN_REP_STRING))
		return 0;	/* one more iteration, the same instruction */
	st->icount++;
	if (st->stopped || st->lost) {
		if (!st->stopped && is_branch(in->br) &&
		    next_ip != st->ip + in->len && in_stop(&st->cfg, next_ip))
			st->stopped = 1;	/* nothing was being written */
		st->ip = next_ip;
		return 0;
	}
	if (is_branch(in->br) && next_ip != st->ip + in->len &&
	    in_stop(&st->cfg, next_ip)) {
		/*
		 * TraceStop (33.2.4.3): a taken branch landed in a TraceStop
		 * region.  Stopped is set, TriggerEn cleared: while packets
		 * flowed, TIP.PGD with the branch's target (bound to the
		 * branch, as when leaving a filter range); then the TraceStop
		 * packet.  Nothing after it.
		 */
		static const uint8_t stop[2] = { OP_EXT, EXT_STOP };

		if (st->enabled) {
			emit_tnt_flush(st, out);
			emit_ip(st, out, OP_TIP_PGD, next_ip, 0);
		}
		put(st, out, stop, 2);
		st->enabled = 0;
		st->stopped = 1;
		retstack_clear(st);
		st->ip = next_ip;
		return 0;
	}

	if (!st->enabled) {
		st->ip = next_ip;
		if (pt_soft_in_range(&st->cfg, next_ip))
			enable(st, out, tsc);
		maybe_psb(st, out, tsc);
		return 0;
	}

	if (!pt_soft_in_range(&st->cfg, next_ip)) {
		/*
		 * Leaving the ranges.  After a branch, TIP.PGD carries its
		 * target and binds to it (no TNT/TIP for it); after a
		 * non-branch, FUP + TIP.PGD says tracing stopped at next_ip.
		 */
		emit_tnt_flush(st, out);
		if (is_branch(in->br)) {
			emit_ip(st, out, OP_TIP_PGD, next_ip, 0);
		} else {
			emit_ip(st, out, OP_FUP, next_ip, 0);
			emit_pgd_noip(st, out);
		}
		st->enabled = 0;
		retstack_clear(st);
		st->ip = next_ip;
		maybe_psb(st, out, tsc);
		return 0;
	}

	switch (in->br) {
	case X86_BR_JCC:
		add_tnt(st, out, next_ip != st->ip + in->len);
		break;
	case X86_BR_CALL_REL:
		/*
		 * A call to the next instruction (PIC idiom) is not a call
		 * to a decoder's return stack.
		 */
		if (in->rel)
			retstack_push(st, st->ip + in->len);
		break;
	case X86_BR_CALL_IND:
		retstack_push(st, st->ip + in->len);
		emit_tnt_flush(st, out);
		emit_ip(st, out, OP_TIP, next_ip, 0);
		break;
	case X86_BR_RET:
		if ((st->cfg.flags & PT_SOFT_RET_COMPRESSION) &&
		    retstack_pop_if(st, next_ip)) {
			add_tnt(st, out, 1);
			break;
		}
		emit_tnt_flush(st, out);
		emit_ip(st, out, OP_TIP, next_ip, 0);
		break;
	case X86_BR_JMP_IND:
	case X86_BR_RET_FAR:
	case X86_BR_IRET:
	case X86_BR_FAR_JMP:
	case X86_BR_FAR_CALL:
		emit_tnt_flush(st, out);
		emit_ip(st, out, OP_TIP, next_ip, 0);
		break;
	default:
		break;
	}
	st->ip = next_ip;
	maybe_psb(st, out, tsc);
	return 0;
}

int pt_soft_kernel_enter(struct pt_soft_state *st,
			 const struct x86_insn_info *in,
			 struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	if (!st->started || st->in_kernel)
		return PT_SOFT_EINVAL;
	if (in && !x86_br_enters_kernel(in->br))
		return PT_SOFT_EINVAL;
	if (in)
		st->icount++;	/* the SYSCALL (INT n...) ran */
	st->in_kernel = 1;
	if (st->lost || st->stopped || !st->enabled)
		return 0;
	emit_tnt_flush(st, out);
	/*
	 * A far branch into the kernel binds a TIP.PGD without IP; an
	 * asynchronous exit needs the FUP of where user code stopped.
	 */
	if (!in)
		emit_ip(st, out, OP_FUP, st->ip, 0);
	emit_pgd_noip(st, out);
	st->enabled = 0;
	retstack_clear(st);
	return 0;
}

int pt_soft_kernel_exit(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
			struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	if (!st->started || !st->in_kernel)
		return PT_SOFT_EINVAL;
	st->in_kernel = 0;
	st->ip = ip;
	if (st->lost || st->stopped)
		return 0;
	if (pt_soft_in_range(&st->cfg, ip))
		enable(st, out, tsc);
	maybe_psb(st, out, tsc);
	return 0;
}

int pt_soft_flush(struct pt_soft_state *st, struct pt_soft_out *out)
{
	int err = room(out);

	if (err)
		return err;
	if (!st->lost && !st->stopped)
		emit_tnt_flush(st, out);
	return 0;
}

void pt_soft_lost(struct pt_soft_state *st)
{
	st->lost = 1;
	/* The bits describe branches whose packets may be gone. */
	st->tnt = 0;
	st->ntnt = 0;
}

int pt_soft_resync(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		   struct pt_soft_out *out)
{
	static const uint8_t ovf[2] = { OP_EXT, EXT_OVF };
	int err = room(out);

	if (err)
		return err;
	if (!st->started)
		return PT_SOFT_EINVAL;
	if (st->stopped) {
		st->lost = 0;
		st->in_kernel = 0;
		st->ip = ip;
		return 0;
	}
	/* Without loss (a desync) the pending bits are good: keep them. */
	if (!st->lost)
		emit_tnt_flush(st, out);
	st->tnt = 0;
	st->ntnt = 0;
	st->lost = 0;
	st->in_kernel = 0;
	st->ip = ip;
	st->enabled = (uint8_t)pt_soft_in_range(&st->cfg, ip);
	retstack_clear(st);
	emit_tsc(st, out, tsc);
	put(st, out, ovf, 2);
	if (st->enabled)
		emit_ip(st, out, OP_FUP, ip, 1);
	maybe_psb(st, out, tsc);
	return 0;
}
