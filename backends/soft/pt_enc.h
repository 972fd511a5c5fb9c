/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pt_enc: turns single-step observations of one thread into an Intel PT
 * packet stream (Intel SDM Vol. 3C, "Intel Processor Trace").
 *
 * Pure C, no kernel or libc dependencies: built into hwt_soft.ko and into
 * user-space tests that decode its output with libipt.
 *
 * Model.  The encoder knows the IP of the next instruction the thread will
 * execute (pt_soft_ip()).  The caller reports what happened to it:
 *
 *   pt_soft_step()          it executed in user mode and the thread is now
 *                           at next_ip (one single-step trap);
 *   pt_soft_kernel_enter()  the thread entered the kernel: by executing it
 *                           (SYSCALL, INT n: pass its decode) or before
 *                           executing it (interrupt, signal: pass NULL);
 *   pt_soft_kernel_exit()   the thread is back in user mode at an IP;
 *   pt_soft_lost()          the caller could not store the last output;
 *   pt_soft_resync()        space is back, or the caller lost track of the
 *                           thread: OVF, then restart at an IP.
 *
 * Packets: PSB+ (TSC, MODE.Exec, FUP) at start and every psb_period bytes;
 * TNT for conditional branches (and compressed returns); TIP with IP
 * compression for indirect branches and returns; TIP.PGD/TIP.PGE around
 * kernel entry and exit and at filter-range edges; FUP for asynchronous
 * exits; TSC on resume; OVF after loss.
 *
 * Decoder state mirrored here, so that the stream decodes without the
 * encoder's history:
 *   - last IP: reset by every PSB+ and OVF, which carry full IPs;
 *   - return stack: compressed returns only pop what this encoder pushed
 *     since the last PSB+, OVF or enable, so any PSB decodes on its own.
 */
#ifndef HWT_PT_ENC_H
#define HWT_PT_ENC_H

#include "x86_insn.h"

#define PT_SOFT_MAX_RANGES	4
#define PT_SOFT_RETSTACK	64	/* libipt's return stack depth */

/* pt_soft_config.flags */
#define PT_SOFT_RET_COMPRESSION	(1u << 0)	/* returns as TNT when
						 * predictable */
#define PT_SOFT_TSC		(1u << 1)	/* emit TSC packets */
#define PT_SOFT_LONG_TNT	(1u << 2)	/* collect up to 47 bits per
						 * (long) TNT instead of 6 */
/*
 * TSC packets carry the instruction clock, not the caller's tsc: the
 * number of instructions the thread executed before the next one (REP
 * iterations count once, as a decoder counts them).  A decoder that
 * adds the instructions it decoded since the last TSC gets every
 * instruction's exact time on that clock.
 */
#define PT_SOFT_INSN_CLOCK	(1u << 3)
#define PT_SOFT_FLAGS_ALL	(PT_SOFT_RET_COMPRESSION | PT_SOFT_TSC | \
				 PT_SOFT_LONG_TNT | PT_SOFT_INSN_CLOCK)

#define PT_SOFT_PSB_MIN		64
#define PT_SOFT_PSB_MAX		(1u << 30)
#define PT_SOFT_PSB_DEFAULT	4096

/* Most bytes one pt_soft_* call can emit. */
#define PT_SOFT_MAX_OUT		128

struct pt_soft_range {
	uint64_t start;		/* first traced byte */
	uint64_t end;		/* last traced byte (inclusive, as PT) */
};

struct pt_soft_config {
	uint32_t flags;		/* PT_SOFT_* */
	uint32_t psb_period;	/* bytes between PSB+, 0: default */
	uint32_t nranges;	/* 0: trace everything */
	uint32_t reserved;
	struct pt_soft_range ranges[PT_SOFT_MAX_RANGES];
	/*
	 * TraceStop regions (Intel SDM Vol. 3C 33.2.4.3, ADDRn_CFG = 2): a
	 * taken branch that lands in one ends the trace for good (TIP.PGD
	 * with its target while packets flow, then a TraceStop packet).
	 */
	uint32_t nstops;
	uint32_t reserved2;
	struct pt_soft_range stops[PT_SOFT_MAX_RANGES];
};

struct pt_soft_state {
	struct pt_soft_config cfg;
	uint64_t ip;		/* next instruction the thread executes */
	uint64_t last_ip;	/* decoder's last IP, for compression */
	uint64_t tnt;		/* pending TNT bits, oldest highest */
	uint64_t bytes;		/* emitted since the last PSB */
	uint64_t total;		/* emitted in all */
	uint64_t npsb;		/* PSB+ emitted */
	uint64_t icount;	/* instructions executed: the insn clock */
	uint64_t retstack[PT_SOFT_RETSTACK];
	uint32_t ret_top;	/* index of the next free slot */
	uint32_t ret_n;		/* entries held */
	uint8_t ntnt;		/* pending TNT bits */
	uint8_t tnt_max;	/* 6 or 47 */
	uint8_t started;
	uint8_t enabled;	/* packets flow (in a range, user mode) */
	uint8_t in_kernel;
	uint8_t lost;		/* output lost since the last resync */
	uint8_t stopped;	/* a TraceStop region was entered: no more */
	uint8_t ip_full;	/* the decoder's last IP is unknown: the
				 * next IP packet carries the full IP */
};

/* Output area for one call; pt_soft_* append at out->len. */
struct pt_soft_out {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

/* Errors (negative returns). */
#define PT_SOFT_EINVAL		(-1)	/* bad config or argument */
#define PT_SOFT_ENOSPC		(-2)	/* out too small (< PT_SOFT_MAX_OUT) */
#define PT_SOFT_EDESYNC		(-3)	/* next_ip impossible for the insn;
					 * nothing emitted, call resync */

/* 0 if cfg is valid (ranges ordered, count, period, flags). */
int pt_soft_config_check(const struct pt_soft_config *cfg);

/* Does the config trace the instruction at ip? */
int pt_soft_in_range(const struct pt_soft_config *cfg, uint64_t ip);

/* Reset st for cfg (which must pass pt_soft_config_check()). */
void pt_soft_init(struct pt_soft_state *st, const struct pt_soft_config *cfg);

/* Start the stream with PSB+ at ip, the next instruction to execute. */
int pt_soft_start(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		  struct pt_soft_out *out);

/*
 * Start at ip, the next instruction to execute, where the thread enters
 * user mode, as a trace unit does when it was enabled in the kernel
 * (Intel SDM Vol. 3C 33.4.3 "Packet Generation under Different Enable
 * Conditions"; TIP.PGE 33.4.2.4): no PSB+ of its own (the unit wrote
 * one at its enable, without FUP, or only timing packets), then TSC (if
 * configured), MODE.Exec and TIP.PGE(ip) if ip is traced.  What came
 * before in the stream is not this encoder's, so the first IP packet
 * carries the full IP.
 * Returns 0 if started; PT_SOFT_ENOSPC if out has less room than
 * PT_SOFT_MAX_OUT (nothing changed).
 */
int pt_soft_start_pge(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		      struct pt_soft_out *out);

static inline uint64_t pt_soft_ip(const struct pt_soft_state *st)
{
	return st->ip;
}

/*
 * The instruction at pt_soft_ip(), decoded as *in, executed in user mode;
 * the thread is now at next_ip.  A REP string step that left IP unchanged
 * emits nothing.  Instructions that enter the kernel go through
 * pt_soft_kernel_enter() instead.
 */
int pt_soft_step(struct pt_soft_state *st, const struct x86_insn_info *in,
		 uint64_t next_ip, uint64_t tsc, struct pt_soft_out *out);

/*
 * The thread entered the kernel at pt_soft_ip(): by executing the
 * instruction there (in != NULL: SYSCALL, SYSENTER, INT n) or before
 * executing it (in == NULL: interrupt, exception, signal).
 */
int pt_soft_kernel_enter(struct pt_soft_state *st,
			 const struct x86_insn_info *in,
			 struct pt_soft_out *out);

/* The thread returned to user mode at ip. */
int pt_soft_kernel_exit(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
			struct pt_soft_out *out);

/* End of trace: flush pending TNT bits (after pt_soft_kernel_enter()). */
int pt_soft_flush(struct pt_soft_state *st, struct pt_soft_out *out);

/* The caller dropped output: emit nothing until pt_soft_resync(). */
void pt_soft_lost(struct pt_soft_state *st);

/*
 * OVF, then resume at ip (user mode): FUP(ip) if traced.  For both loss
 * (after pt_soft_lost()) and an EDESYNC step.
 */
int pt_soft_resync(struct pt_soft_state *st, uint64_t ip, uint64_t tsc,
		   struct pt_soft_out *out);

#endif /* HWT_PT_ENC_H */
