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

#endif /* HWT_DECODER_INSN_ZYDIS_H */
