/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * a64_insn: branch class and target of one A64 instruction, for the arm64
 * half of the soft backend (Arm ARM, DDI 0487, C4.1 "A64 instruction set
 * encoding": "Branches, Exception Generating and System instructions").
 *
 * A64 instructions are 4 bytes, so only the class matters.  Pure C, no
 * kernel or libc dependencies; cross-checked against capstone's AArch64
 * decoder in user space (tests/a64_insn_xcheck.c).
 */
#ifndef HWT_A64_INSN_H
#define HWT_A64_INSN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

enum a64_br {
	A64_BR_NONE,	/* not a branch: execution goes on at ip + 4 */
	A64_BR_B,	/* B imm26 */
	A64_BR_BL,	/* BL imm26 */
	A64_BR_BCOND,	/* B.cond / BC.cond imm19 */
	A64_BR_CB,	/* CBZ / CBNZ imm19 */
	A64_BR_TB,	/* TBZ / TBNZ imm14 */
	A64_BR_BR,	/* BR, BRAA, BRAB, BRAAZ, BRABZ */
	A64_BR_BLR,	/* BLR, BLRAA, BLRAB, BLRAAZ, BLRABZ */
	A64_BR_RET,	/* RET, RETAA, RETAB */
	A64_BR_ERET,	/* ERET, ERETAA, ERETAB, DRPS (never at EL0) */
	A64_BR_EXC,	/* SVC, HVC, SMC, BRK, HLT, DCPSn: exception generating */
	A64_BR_ISB,	/* ISB: a P0 instruction for ETMv4 / ETE decoders */
	A64_BR_NCLASS
};

struct a64_insn_info {
	uint32_t insn;		/* the instruction word */
	uint8_t br;		/* enum a64_br */
	uint8_t pac;		/* pointer-authenticating branch (v8.3) */
	uint8_t svc;		/* SVC #imm: a system call */
	uint8_t reserved;
	uint64_t target;	/* direct branches: the taken target */
};

/*
 * Classify insn (read little-endian from memory) at ip into *in.
 * Always succeeds: every 32-bit word is some instruction or undefined,
 * which is A64_BR_NONE (it traps; the stepper sees the kernel entry).
 */
void a64_insn_decode(uint32_t insn, uint64_t ip, struct a64_insn_info *in);

/* Is the class a direct branch (target in the instruction)? */
static inline int a64_br_is_direct(int br)
{
	return br >= A64_BR_B && br <= A64_BR_TB;
}

/* Is the class a conditional direct branch (taken or not)? */
static inline int a64_br_is_cond(int br)
{
	return br == A64_BR_BCOND || br == A64_BR_CB || br == A64_BR_TB;
}

/* Is the class an indirect branch (target in a register)? */
static inline int a64_br_is_indirect(int br)
{
	return br >= A64_BR_BR && br <= A64_BR_ERET;
}

/* Name of a class, for messages. */
const char *a64_br_name(int br);

#endif /* HWT_A64_INSN_H */
