/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ete_enc: turns single-step observations of one arm64 thread into an ETE
 * (or, selectable, ETMv4) instruction trace stream, raw single source (no
 * formatter frames), as the trace unit of an emulated core would write it.
 * References: Arm Embedded Trace Extension (ETE) architecture (DDI 0616)
 * and ETMv4 architecture (IHI 0064), chapters on trace elements and on
 * the instruction trace packets; the decoder that judges the stream is
 * OpenCSD (trc_pkt_proc_etmv4i.cpp, trc_pkt_decode_etmv4i.cpp), whose
 * rules are named beside the code in ete_enc.c.
 *
 * Pure C, no kernel or libc dependencies: built into the arm64 soft
 * backend and into user-space tests that decode its output with OpenCSD.
 *
 * Model (as pt_enc.h): the encoder knows the next instruction the thread
 * executes (ete_soft_ip()); the caller reports
 *   ete_soft_step()          it executed in user mode, now at next_ip;
 *   ete_soft_kernel_enter()  the thread entered the kernel by executing it
 *                            (SVC: pass its decode) or before executing it
 *                            (signal, fault: NULL);
 *   ete_soft_kernel_exit()   the thread is back in user mode at ip;
 *   ete_soft_lost()          the caller could not store the last output;
 *   ete_soft_resync()        space is back (or the caller lost track):
 *                            Overflow, then a sync point at ip.
 *
 * The emulated unit traces EL0 only (the kernel is excluded as by
 * TRCVICTLR.EXLEVEL_NS), optionally only inside ViewInst include address
 * ranges (ete_soft_config.ranges: address range comparator pairs, as
 * many as TRCIDR4.NUMACPAIRS says), non-secure, AArch64, with the context ID (the
 * thread id) and optionally the VMID, no cycle counts, no return stack,
 * no speculation (TRCIDR8.MAXSPEC = 0: every P0 element is committed),
 * no branch broadcast, no data trace.  Timestamps, when enabled, are an
 * instruction-count clock: the number of instructions the thread executed
 * since ete_soft_start() (lost ones included), not time.
 */
#ifndef HWT_ETE_ENC_H
#define HWT_ETE_ENC_H

#include "a64_insn.h"

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/* ete_soft_config.flags */
#define ETE_SOFT_ETMV4		(1u << 0)	/* ETMv4.2 instead of ETE */
#define ETE_SOFT_TS		(1u << 1)	/* timestamps (insn count) */
#define ETE_SOFT_VMID		(1u << 2)	/* VMID in context packets */
#define ETE_SOFT_FLAGS_ALL	(ETE_SOFT_ETMV4 | ETE_SOFT_TS | ETE_SOFT_VMID)

/*
 * Address-range comparator pairs of the emulated unit (TRCIDR4.NUMACPAIRS)
 * and so the most ViewInst include ranges a config can ask for.
 */
#define ETE_SOFT_MAX_RANGES	4

#define ETE_SOFT_SYNC_MIN	64
#define ETE_SOFT_SYNC_MAX	(1u << 30)
#define ETE_SOFT_SYNC_DEFAULT	4096

/* Most bytes one ete_soft_* call can emit. */
#define ETE_SOFT_MAX_OUT	128

/* Atoms held before they are written (one Atom format 6 packet holds 24). */
#define ETE_SOFT_MAX_ATOMS	24

/* An instruction address range, start <= ip <= end (inclusive). */
struct ete_soft_range {
	uint64_t start;
	uint64_t end;
};

struct ete_soft_config {
	uint32_t flags;		/* ETE_SOFT_* */
	uint32_t sync_period;	/* bytes between sync points, 0: default */
	uint32_t trace_id;	/* 1 .. 0x6f (TRCTRACEIDR) */
	/*
	 * ViewInst include ranges (address range comparator pairs); 0:
	 * every EL0 instruction is traced.  Unused slots must be zero.
	 */
	uint32_t nranges;
	struct ete_soft_range ranges[ETE_SOFT_MAX_RANGES];
};

struct ete_soft_state {
	struct ete_soft_config cfg;
	uint64_t ip;		/* next instruction the thread executes */
	uint64_t hist[3];	/* decoder's address history, newest first */
	uint64_t icount;	/* instructions executed: the timestamp clock */
	uint64_t last_ts;	/* last timestamp emitted */
	uint64_t bytes;		/* emitted since the last sync point */
	uint64_t total;		/* emitted in all */
	uint64_t nsync;		/* sync points emitted */
	uint64_t p0_out;	/* P0 elements (atoms, exceptions) written */
	uint32_t atoms;		/* pending atoms, bit i = i-th oldest, 1 = E */
	uint32_t ctxid;		/* context ID: the thread id */
	uint32_t vmid;
	uint8_t natoms;
	uint8_t nhist;		/* valid entries of hist[] since the sync */
	uint8_t ts_full;	/* next timestamp must carry every bit */
	uint8_t started;
	uint8_t in_kernel;
	uint8_t lost;		/* output lost since the last resync */
	uint8_t sync_due;	/* a sync point is due at the next P0 edge */
	uint8_t active;		/* ViewInst active: the instruction at ip is
				 * traced and the decoder knows ip */
	uint8_t need_sync;	/* no sync point since start or Overflow:
				 * the next Trace On is a full sync point */
	uint8_t reserved[3];
};

/* Output area for one call; ete_soft_* append at out->len. */
struct ete_soft_out {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

/* The emulated unit's registers, as a session or snapshot records them. */
struct ete_soft_reg {
	const char *name;	/* "TRCIDR0", ... */
	uint16_t index;		/* register number (byte offset / 4) */
	uint64_t value;		/* TRCACVRn are 64-bit, the rest 32 */
};
#define ETE_SOFT_NREGS		(22 + 4 * ETE_SOFT_MAX_RANGES)

/* Errors (negative returns). */
#define ETE_SOFT_EINVAL		(-1)	/* bad config, argument or state */
#define ETE_SOFT_ENOSPC		(-2)	/* out too small (< ETE_SOFT_MAX_OUT) */
#define ETE_SOFT_EDESYNC	(-3)	/* next_ip impossible for the insn;
					 * nothing emitted, call resync */

/*
 * Returns 0 if cfg is valid; ETE_SOFT_EINVAL if a field is out of range,
 * more than ETE_SOFT_MAX_RANGES ranges, a range with start > end, or an
 * unused range slot not zero.
 */
int ete_soft_config_check(const struct ete_soft_config *cfg);

/*
 * Fills regs[0 .. ETE_SOFT_NREGS - 1] with the register set describing
 * the emulated unit for cfg (checked).  Returns the number filled.
 */
int ete_soft_regs(const struct ete_soft_config *cfg,
		  struct ete_soft_reg regs[ETE_SOFT_NREGS]);

/*
 * Returns 1 if ViewInst is active for the instruction at ip under cfg (in
 * one of its ranges, or no ranges), 0 if not.
 */
int ete_soft_in_view(const struct ete_soft_config *cfg, uint64_t ip);

/* Reset st for cfg (which must pass ete_soft_config_check()). */
void ete_soft_init(struct ete_soft_state *st,
		   const struct ete_soft_config *cfg);

/*
 * Start the stream at ip (the next instruction to execute) for thread
 * ctxid: a sync point with Trace On, or nothing yet if ip is outside the
 * ranges (the sync point comes with the first traced instruction).
 * Returns 0, ETE_SOFT_EINVAL if
 * already started, ETE_SOFT_ENOSPC if out has no room.
 */
int ete_soft_start(struct ete_soft_state *st, uint64_t ip, uint32_t ctxid,
		   uint32_t vmid, struct ete_soft_out *out);

static inline uint64_t ete_soft_ip(const struct ete_soft_state *st)
{
	return st->ip;
}

/*
 * The instruction at ete_soft_ip(), classified as *in, executed in user
 * mode; the thread is now at next_ip.  Returns 0; ETE_SOFT_EINVAL if not
 * started, in the kernel, or *in is an exception-generating instruction
 * (those go through ete_soft_kernel_enter()); ETE_SOFT_EDESYNC if next_ip
 * cannot follow *in (nothing emitted); ETE_SOFT_ENOSPC if out has no room.
 */
int ete_soft_step(struct ete_soft_state *st, const struct a64_insn_info *in,
		  uint64_t next_ip, struct ete_soft_out *out);

/*
 * The thread entered the kernel at ete_soft_ip(): by executing the
 * exception-generating instruction there (in != NULL; SVC, HVC, SMC are
 * complete, their preferred return address is ip + 4; BRK, HLT are not)
 * or before executing it (in == NULL: signal, interrupt, fault).
 * Returns 0, ETE_SOFT_EINVAL (wrong state or in not exception
 * generating), ETE_SOFT_ENOSPC.
 */
int ete_soft_kernel_enter(struct ete_soft_state *st,
			  const struct a64_insn_info *in,
			  struct ete_soft_out *out);

/* The thread returned to user mode at ip.  Returns 0, ETE_SOFT_EINVAL
 * (not in the kernel), ETE_SOFT_ENOSPC. */
int ete_soft_kernel_exit(struct ete_soft_state *st, uint64_t ip,
			 struct ete_soft_out *out);

/* End of trace: write the pending atoms.  Returns 0, ETE_SOFT_ENOSPC. */
int ete_soft_flush(struct ete_soft_state *st, struct ete_soft_out *out);

/* The caller dropped output: pending atoms are dropped too, and nothing
 * is emitted until ete_soft_resync(). */
void ete_soft_lost(struct ete_soft_state *st);

/*
 * Overflow, then a sync point with Trace On at ip (user mode; deferred to
 * the first traced instruction if ip is outside the ranges), for both
 * loss (after ete_soft_lost()) and an EDESYNC step.  Returns 0,
 * ETE_SOFT_EINVAL if not started, ETE_SOFT_ENOSPC.
 */
int ete_soft_resync(struct ete_soft_state *st, uint64_t ip,
		    struct ete_soft_out *out);

#endif /* HWT_ETE_ENC_H */
