/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callstack.c: a perf-style thread stack: calls, returns, call paths.
 */
#ifndef HWT_DECODER_CALLSTACK_H
#define HWT_DECODER_CALLSTACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/blocks.h"
#include "core/flow.h"

#define HWT_CALL_NO_CALL	(1u << 0)	/* entered without a seen call */
#define HWT_CALL_NO_RETURN	(1u << 1)	/* left without a seen return */
#define HWT_CALL_NON_CALL	(1u << 2)	/* entered by a jump (tail call) */

struct hwt_callpaths;	/* shared by all streams */
struct hwt_callpaths *hwt_callpaths_alloc(void);
void hwt_callpaths_free(struct hwt_callpaths *cp);
/* Id of (parent, sym, ip): sym 0 keys by ip.  *is_new on creation. */
uint64_t hwt_callpath_get(struct hwt_callpaths *cp, uint64_t parent,
			  uint32_t sym, uint64_t ip, int *is_new);

typedef int (*hwt_cp_out_fn)(void *arg, uint64_t id, uint64_t parent,
			     uint32_t sym, uint64_t ip);

/*
 * A call stack whose call rows (ids from *next_call_id) go to rows
 * (db/calls_vtab.h: one per frame that ends, its fields in place, of
 * thread_id), NULL: none (call paths and counts still); each new call
 * path to cpout(arg, ...).  Returns it.
 */
struct hwt_callstack;
struct hwt_calls_slots;
struct hwt_callstack *hwt_callstack_alloc(struct hwt_callpaths *cp,
					  uint64_t *next_call_id,
					  struct hwt_calls_slots *rows,
					  uint64_t thread_id,
					  hwt_cp_out_fn cpout, void *arg);
void hwt_callstack_free(struct hwt_callstack *cs);
/*
 * Feeds one executed block: first_sym is the symbol of blk_ip, insn_index
 * the stream index of its first instruction.  The previous block's class
 * decides what entering this block means (call, return, tail call).
 */
int hwt_callstack_block(struct hwt_callstack *cs, uint64_t ip, uint32_t sym,
			int sym_start, uint64_t end_ip, uint32_t end_len,
			uint32_t ninsn, int iclass, uint64_t insn_index,
			uint64_t time);
/*
 * The per-block step's state: the first member of struct hwt_callstack
 * (callstack.c), so that the common step below is inline in the core's
 * per-block loop; everything else stays in callstack.c.
 */
struct hwt_callstack_hot {
	size_t n;		/* frames */
	uint32_t top_sym;	/* the top frame's symbol (n > 0) */
	int prev_valid;
	int prev_class;
	uint64_t prev_ret;	/* address after the previous block */
	uint64_t blocks;
	int mode;		/* HWT_CS_*: what the next block costs */
};

/* hwt_callstack_hot.mode, what the next block costs: SLOW, the slow step
 * (no frame, a break before it, or the previous block called or
 * returned); JUMP, quiet unless it starts another function (the previous
 * block jumped); QUIET, quiet.  0 (a new stack): SLOW. */
#define HWT_CS_SLOW	0
#define HWT_CS_JUMP	1
#define HWT_CS_QUIET	2

/* Returns the mode after a block of class iclass, with frames and no
 * break. */
static inline int hwt_callstack_mode(int iclass)
{
	switch (iclass) {
	case HWT_IC_CALL:
	case HWT_IC_IND_CALL:
	case HWT_IC_RET:
		return HWT_CS_SLOW;
	case HWT_IC_JUMP:
	case HWT_IC_IND_JUMP:
	case HWT_IC_COND_JUMP:
		return HWT_CS_JUMP;
	default:
		return HWT_CS_QUIET;
	}
}
int hwt_callstack_block_slow(struct hwt_callstack *cs,
			     const struct hwt_ublock *u, uint64_t insn_index,
			     uint64_t time);

/*
 * The common step of hwt_callstack_ublock(), for a caller that works out
 * the time only when it is needed: most blocks follow one that neither
 * called nor returned nor jumped into another function, and then only
 * the state moves on.
 * Returns 1 if it took block u, 0 if the caller must pass u to
 * hwt_callstack_block_slow().
 */
static inline int hwt_callstack_quiet(struct hwt_callstack *cs,
				      const struct hwt_ublock *u)
{
	struct hwt_callstack_hot *h = (struct hwt_callstack_hot *)cs;
	int m = h->mode;

	/* One load and test for most blocks: h->mode stands for h->n,
	 * h->prev_valid and h->prev_class (callstack.c keeps it so). */
	if (m != HWT_CS_QUIET && (m == HWT_CS_SLOW ||
				  (u->sym_start && u->sym_id != h->top_sym)))
		return 0;
	h->blocks++;
	h->prev_class = u->iclass;
	h->mode = u->stack_mode;
	h->prev_ret = u->end_ip + u->end_len;
	return 1;
}

/* The same for block u (end_len: u->end_len) that began at insn_index
 * at time.  Returns 0, or negative from the output callbacks. */
static inline int hwt_callstack_ublock(struct hwt_callstack *cs,
				       const struct hwt_ublock *u,
				       uint64_t insn_index, uint64_t time)
{
	if (hwt_callstack_quiet(cs, u))
		return 0;
	return hwt_callstack_block_slow(cs, u, insn_index, time);
}
/* Tracing stopped and what comes next is not known to follow (a gap,
 * an overflow, an asynchronous branch): the next block does not follow
 * the last.  Returns nothing. */
void hwt_callstack_break(struct hwt_callstack *cs);
/*
 * Tracing stopped with ip (0: not known) the next instruction, as
 * TIP.PGD or FUP + TIP.PGD give it (user-only tracing entering the
 * kernel, a CPU-mode task switched out).  If the next block starts at ip
 * (TIP.PGE there, or a run that starts with a PSB+ whose FUP is ip), it
 * follows the last block before the stop, as the thread did; any other
 * block, event, break or reset in between forgets ip.
 * Returns nothing.
 */
void hwt_callstack_disable(struct hwt_callstack *cs, uint64_t ip);
/* Tracing enabled at ip (TIP.PGE): a break unless ip is where it
 * stopped (hwt_callstack_disable).  Returns nothing. */
void hwt_callstack_enable(struct hwt_callstack *cs, uint64_t ip);
/* Exec: everything returns. */
int hwt_callstack_reset(struct hwt_callstack *cs, uint64_t insn_index,
			uint64_t time);
/* Per-symbol call counts so far: calls[sym] for sym < n. */
const uint64_t *hwt_callstack_calls(const struct hwt_callstack *cs,
				    size_t *n);
/* Per call path (index: call path id < n), the frames that have ended:
 * how many, and their instructions (inclusive). */
struct hwt_cpstat {
	uint64_t calls, insns;
};
const struct hwt_cpstat *hwt_callstack_cpstats(const struct hwt_callstack *cs,
					       size_t *n);

#endif /* HWT_DECODER_CALLSTACK_H */
