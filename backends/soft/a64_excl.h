/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * a64_excl: load/store-exclusive sequences, for stepping over them.
 *
 * A single-stepped LDXR ... STXR loop never completes: every step is an
 * exception, and the exception return between the load-exclusive and the
 * store-exclusive clears the exclusive monitor, so the store-exclusive
 * fails every time.  Debuggers step over such a sequence instead (gdb:
 * aarch64_software_single_step): from a load-exclusive, scan forward (at
 * most A64_EXCL_MAX_INSNS instructions) for the store-exclusive, note the
 * conditional branches on the way, and run the whole sequence at full
 * speed with breakpoints at its exits: the instruction after the
 * store-exclusive and the targets of the conditional branches that leave
 * the sequence.  Which exit was hit tells the path taken, because a
 * sequence accepted here has no other branches: the stepper then reports
 * that path as if it had been stepped.
 *
 * Approximations (the path is what a trace shows; see
 * docs/soft-backend.md, "Load/store-exclusive sequences"):
 *  - a conditional branch whose target is inside the sequence (the
 *    load-exclusive itself included: a retry loop closed before the
 *    store-exclusive) or is the instruction after the store-exclusive is
 *    shown not taken: its iterations or the skip are not visible;
 *  - two branches with the same outside target: the first one is shown
 *    taken.
 *  - retries are not visible: when the instruction after the
 *    store-exclusive is a conditional branch back to the load-exclusive
 *    (the usual "cbnz w1, 1b" on a failed store), that branch is stepped
 *    at exit 0, and if it is taken (the store failed: an interrupt or
 *    another CPU cleared the monitor), the pass is not reported and the
 *    sequence runs again.  So the trace shows the pass that succeeded,
 *    its loop-back branch not taken (a64_excl_retry()): the same for any
 *    number of retries, which is also what lets two runs of a program
 *    (the ptrace ground truth and the traced one) be compared exactly.
 *
 * Pure C, no kernel or libc dependencies: built into the arm64 soft
 * backend, its unit tests and the ptrace ground truth of the VM test,
 * which apply the same rule.
 */
#ifndef HWT_A64_EXCL_H
#define HWT_A64_EXCL_H

#include "a64_insn.h"

/* Longest sequence, load-exclusive to store-exclusive inclusive (gdb's). */
#define A64_EXCL_MAX_INSNS	16
/* Exits: after the store-exclusive, and two branch targets. */
#define A64_EXCL_MAX_EXITS	3

enum a64_excl_class {
	A64_EXCL_NONE,
	A64_EXCL_LOAD,		/* LDXR{B,H}, LDAXR{B,H}, LDXP, LDAXP */
	A64_EXCL_STORE,		/* STXR{B,H}, STLXR{B,H}, STXP, STLXP */
};

struct a64_excl_seq {
	uint64_t start;		/* address of the load-exclusive */
	uint32_t n;		/* instructions, load- to store-exclusive */
	uint32_t nexits;
	uint64_t exit[A64_EXCL_MAX_EXITS];	/* [0]: after the store */
	/* exit k > 0 is the target of the branch at start + 4 * br[k] */
	uint8_t br[A64_EXCL_MAX_EXITS];
	/* the instruction at exit 0 branches back to start when taken */
	uint8_t loop;
	uint32_t insn[A64_EXCL_MAX_INSNS];
};

/* Is insn a load-exclusive, a store-exclusive or neither? */
int a64_excl_class(uint32_t insn);

/*
 * words[0 .. nwords - 1] are the instructions at ip.  If words[0] is a
 * load-exclusive that starts a sequence this rule can step over, fill
 * *seq and return 0.  Return -1 otherwise: not a load-exclusive, no
 * store-exclusive within A64_EXCL_MAX_INSNS, an instruction in between
 * that is not a plain one or a conditional branch (B, BL, BR, RET, SVC,
 * ISB, ...), or more exits than A64_EXCL_MAX_EXITS.
 */
int a64_excl_scan(const uint32_t *words, uint32_t nwords, uint64_t ip,
		  struct a64_excl_seq *seq);

/*
 * The path of the sequence that left it through exit k: the instructions
 * run, in order, and where each went.  Fills ip[i], next[i] for i <
 * the returned count (at most A64_EXCL_MAX_INSNS); -1 if k is no exit.
 */
int a64_excl_path(const struct a64_excl_seq *seq, uint32_t k,
		  uint64_t ip[A64_EXCL_MAX_INSNS],
		  uint64_t next[A64_EXCL_MAX_INSNS]);

/*
 * The sequence left through exit k and the instruction there then went
 * to pc: is that a retry (exit 0, its loop-back branch taken), which is
 * not reported?
 */
int a64_excl_retry(const struct a64_excl_seq *seq, uint32_t k, uint64_t pc);

/* The exit whose address is addr, or -1. */
int a64_excl_exit_at(const struct a64_excl_seq *seq, uint64_t addr);

#endif /* HWT_A64_EXCL_H */
