/* SPDX-License-Identifier: BSD-2-Clause */
/* x86 instruction text from Zydis (MIT): see insn_zydis.h. */
#include <Zydis/Zydis.h>

#include "image/insn_zydis.h"
#include "core/flow.h"

int hwt_insn_text_zydis(int isa, const uint8_t *bytes, size_t size,
			uint64_t ip, char *text, size_t textlen)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisFormatter fmt;
	ZydisDecoder dec;
	ZyanStatus st;

	switch (isa) {
	case HWT_ISA_X86_16:
		st = ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_16,
				      ZYDIS_STACK_WIDTH_16);
		break;
	case HWT_ISA_X86_32:
		st = ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32,
				      ZYDIS_STACK_WIDTH_32);
		break;
	case HWT_ISA_X86_64:
		st = ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64,
				      ZYDIS_STACK_WIDTH_64);
		break;
	default:
		return -1;
	}
	if (!ZYAN_SUCCESS(st) || !textlen ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes, size, &in, ops)) ||
	    !ZYAN_SUCCESS(ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&fmt,
			ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE)) ||
	    !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &in, ops,
			in.operand_count_visible, text, textlen, ip, NULL)))
		return -1;
	return in.length;
}
