/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 instruction text from Zydis, for what capstone 4.0.2 (Debian 12)
 * cannot disassemble: most EVEX (AVX-512) and mask-register instructions,
 * the ones glibc's *_evex string functions run.
 */
#ifndef HWT_DECODER_INSN_ZYDIS_H
#define HWT_DECODER_INSN_ZYDIS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The Intel-syntax text of the instruction at bytes (size of them, at ip)
 * of an x86 isa (enum hwt_isa), memory operand sizes spelled out as
 * capstone does ("ymmword ptr [rdi]").
 * Returns its length in bytes if Zydis decodes it (text set).
 * Returns -1 if isa is not x86, or the bytes are no instruction.
 */
int hwt_insn_text_zydis(int isa, const uint8_t *bytes, size_t size,
			uint64_t ip, char *text, size_t textlen);

struct hwt_insn_info;
/*
 * hwt_insn_decode() for an x86 isa: one instruction's length, class,
 * direct target and whether the PT fast path leaves it to libipt, from
 * Zydis' instruction decoder without operands (capstone with details
 * cost 3,600 instructions a call, most of a decode's block map build).
 * Returns its length if Zydis decodes it (out set).
 * Returns -1 if isa is not x86, or the bytes are no instruction.
 */
int hwt_insn_decode_zydis(int isa, const uint8_t *bytes, size_t size,
			  uint64_t ip, struct hwt_insn_info *out);

/*
 * The near branch at bytes (size of them, at ip) of isa, for
 * hwt_insn_class() and hwt_insn_target() without capstone's 3,600
 * instructions a call: its class (enum hwt_iclass) and, for a direct
 * one, its target.
 * Returns 1 if it is a near call, jump, conditional jump or return in
 * 64-bit code without an operand-size prefix (*iclass set; *target set
 * if the class is HWT_IC_CALL, HWT_IC_JUMP or HWT_IC_COND_JUMP).
 * Returns 0 if anything else: the caller asks capstone.
 */
int hwt_insn_branch_zydis(int isa, const uint8_t *bytes, size_t size,
			  uint64_t ip, int *iclass, uint64_t *target);

#endif /* HWT_DECODER_INSN_ZYDIS_H */
