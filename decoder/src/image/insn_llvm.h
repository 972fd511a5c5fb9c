/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A64 instruction text from LLVM's disassembler, for what capstone 4.0.2
 * (Debian 12) cannot disassemble: SVE, SVE2, SME and other Armv8.x/v9
 * extensions.  libLLVM is opened (dlopen) the first time it is needed,
 * so commands that never meet such an instruction do not pay its load.
 */
#ifndef HWT_DECODER_INSN_LLVM_H
#define HWT_DECODER_INSN_LLVM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The text of the A64 instruction at bytes (size of them, at ip) as LLVM
 * prints it ("ld1d { z0.d }, p0/z, [x0]"), with every extension enabled.
 * Returns its length in bytes (4) if LLVM decodes it (text set).
 * Returns -1 if isa is not A64, libLLVM (libllvm14..16) is not
 * installed, or the bytes are no instruction.
 */
int hwt_insn_text_llvm(int isa, const uint8_t *bytes, size_t size,
		       uint64_t ip, char *text, size_t textlen);

#endif /* HWT_DECODER_INSN_LLVM_H */
