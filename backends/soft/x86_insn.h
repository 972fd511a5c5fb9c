/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * x86_insn: a small x86-64 instruction length and branch classifier.
 *
 * Pure C with no kernel or libc dependencies, so the same file is built
 * into the hwt_soft kernel module (which must know, for every single-step
 * trap, how long the instruction that just ran was and whether it was a
 * branch) and into user-space tests that cross-check it against capstone.
 *
 * Only 64-bit mode is supported (the soft backend refuses compat tasks).
 */
#ifndef HWT_X86_INSN_H
#define HWT_X86_INSN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/* Longest legal x86 instruction; longer ones raise #GP. */
#define X86_INSN_MAX_LEN	15

/* Branch classes: what an instruction does to the flow of control. */
enum x86_br {
	X86_BR_NONE = 0,	/* falls through */
	X86_BR_JCC,		/* conditional relative: Jcc, LOOPcc, JrCXZ */
	X86_BR_JMP_REL,		/* JMP rel8/rel32 */
	X86_BR_JMP_IND,		/* JMP r/m */
	X86_BR_CALL_REL,	/* CALL rel32 */
	X86_BR_CALL_IND,	/* CALL r/m */
	X86_BR_RET,		/* near RET [imm16] */
	X86_BR_RET_FAR,		/* RETF [imm16] */
	X86_BR_SYSCALL,		/* SYSCALL */
	X86_BR_SYSENTER,	/* SYSENTER */
	X86_BR_SYSRET,		/* SYSRET, SYSEXIT (kernel only) */
	X86_BR_INT,		/* INT n, INT3, INT1 */
	X86_BR_IRET,		/* IRET/IRETD/IRETQ */
	X86_BR_FAR_JMP,		/* JMP m16:64 */
	X86_BR_FAR_CALL,	/* CALL m16:64 */
	X86_BR_UD,		/* UD0, UD1, UD2: always fault */
	X86_BR_NR
};

/* x86_insn.flags */
#define X86_INSN_REP_STRING	(1u << 0)	/* REP/REPcc string insn: a
						 * single step may leave IP
						 * unchanged */
#define X86_INSN_RIP_REL	(1u << 1)	/* ModRM is RIP-relative */
#define X86_INSN_OSZ16		(1u << 2)	/* 16-bit relative branch */

struct x86_insn_info {
	uint8_t len;		/* bytes, 1..15 */
	uint8_t br;		/* enum x86_br */
	uint8_t flags;		/* X86_INSN_* */
	uint8_t opcode;		/* last opcode byte */
	uint8_t map;		/* 0: 1-byte, 1: 0F, 2: 0F38, 3: 0F3A,
				 * 4: 3DNow!, 8-10: XOP, 0x11-0x13: VEX,
				 * 0x21-0x27: EVEX (low nibble: mmm) */
	uint8_t modrm;		/* valid if has_modrm */
	uint8_t has_modrm;
	uint8_t reserved;
	int32_t rel;		/* displacement of relative branches */
};

/* x86_insn_decode() errors (negative returns). */
#define X86_INSN_EINVAL		(-1)	/* not a valid instruction */
#define X86_INSN_ETRUNC		(-2)	/* needs more than avail bytes */

/*
 * Decode the instruction at bytes[0..avail).  Returns its length (1..15)
 * and fills *out, or a negative X86_INSN_E* code.  Reads at most
 * min(avail, 15) bytes.
 */
int x86_insn_decode(const uint8_t *bytes, size_t avail,
		    struct x86_insn_info *out);

/* Target of a relative branch (X86_BR_JCC, _JMP_REL, _CALL_REL) at ip. */
static inline uint64_t x86_insn_target(uint64_t ip,
				       const struct x86_insn_info *in)
{
	uint64_t t = ip + in->len + (uint64_t)(int64_t)in->rel;

	return in->flags & X86_INSN_OSZ16 ? t & 0xffff : t;
}

/* Does the class name a transfer into the kernel (syscall, interrupt)? */
static inline int x86_br_enters_kernel(unsigned int br)
{
	return br == X86_BR_SYSCALL || br == X86_BR_SYSENTER ||
	       br == X86_BR_INT;
}

/* Name of a branch class, for diagnostics. */
const char *x86_br_name(unsigned int br);

#endif /* HWT_X86_INSN_H */
