/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * insn.c: instruction lengths, classes and text (capstone).
 */
#ifndef HWT_DECODER_INSN_H
#define HWT_DECODER_INSN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fills lens[0..ninsn) with the instruction lengths of the block
 * [ip, end_ip] whose bytes (from ip) are code[0..size); 0 on success,
 * negative unless they decode to exactly ninsn instructions, the last one
 * at end_ip.
 */
struct hwt_disasm;
struct hwt_disasm *hwt_disasm_alloc(void);
void hwt_disasm_free(struct hwt_disasm *d);
int hwt_insn_lengths(struct hwt_disasm *d, int isa, const uint8_t *code,
		     size_t size, uint64_t ip, uint64_t end_ip, uint32_t ninsn,
		     uint8_t *lens);
/* The same for x86 from libipt's instruction decoder, for blocks capstone
 * cannot split (insn_ipt.c); needs code. */
int hwt_insn_lengths_ipt(int isa, const uint8_t *code, size_t size,
			 uint64_t ip, uint64_t end_ip, uint32_t ninsn,
			 uint8_t *lens);
/* Disassembles one instruction; returns its length or negative. */
int hwt_insn_text(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		  size_t size, uint64_t ip, char *text, size_t textlen);
/* One x86 instruction for the PT fast path: length, class, direct target,
 * special (far/system/TSX/privileged: left to libipt), from Zydis
 * (insn_zydis.c); d is not used.  Returns its length, or -1 if the bytes
 * are no instruction or isa is not x86. */
struct hwt_insn_info {
	uint8_t len;
	uint8_t iclass;		/* enum hwt_iclass, HWT_IC_OTHER: no branch */
	uint8_t special;
	/* Of a special one: a far branch (HWT_IC_FAR_CALL, _RET, _JUMP:
	 * libipt's ptic_far_*, a TIP gives its target), or 0; plain: a
	 * privileged or system instruction that changes no flow, where
	 * libipt binds nothing unless a packet (PIP, TIP.PGD, ...) says */
	uint8_t far, plain;
	uint64_t target;	/* direct branches */
};
int hwt_insn_decode(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		    size_t size, uint64_t ip, struct hwt_insn_info *out);
/*
 * Target of the direct branch or call in bytes (at ip), for every ISA.
 * Returns 0 with *target set if it is a direct branch (b, bl, b.cond,
 * cbz, tbz, jmp, jcc, call rel),
 * Returns -1 if it is no branch, an indirect one, or does not decode.
 */
int hwt_insn_target(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		    size_t size, uint64_t ip, uint64_t *target);
/* Class of the instruction in bytes (enum hwt_iclass). */
int hwt_insn_class(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		   size_t size, uint64_t ip);

#endif /* HWT_DECODER_INSN_H */
