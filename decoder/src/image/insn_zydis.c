/* SPDX-License-Identifier: BSD-2-Clause */
/* x86 instruction text from Zydis (MIT): see insn_zydis.h. */
#include <string.h>

#include <Zydis/Zydis.h>

#include "image/insn_zydis.h"
#include "core/flow.h"
#include "image/insn.h"

/* dec for isa's machine mode and stack width.
 * Returns 0 if: set up.  Returns -1 if: isa is not x86, or Zydis
 * refused. */
static int decoder_init(ZydisDecoder *dec, int isa)
{
	ZyanStatus st;

	switch (isa) {
	case HWT_ISA_X86_16:
		st = ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LEGACY_16,
				      ZYDIS_STACK_WIDTH_16);
		break;
	case HWT_ISA_X86_32:
		st = ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LEGACY_32,
				      ZYDIS_STACK_WIDTH_32);
		break;
	case HWT_ISA_X86_64:
		st = ZydisDecoderInit(dec, ZYDIS_MACHINE_MODE_LONG_64,
				      ZYDIS_STACK_WIDTH_64);
		break;
	default:
		return -1;
	}
	return ZYAN_SUCCESS(st) ? 0 : -1;
}

int hwt_insn_text_zydis(int isa, const uint8_t *bytes, size_t size,
			uint64_t ip, char *text, size_t textlen)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisFormatter fmt;
	ZydisDecoder dec;

	if (decoder_init(&dec, isa) < 0 || !textlen ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes, size, &in, ops)) ||
	    !ZYAN_SUCCESS(ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&fmt,
			ZYDIS_FORMATTER_PROP_FORCE_SIZE, ZYAN_TRUE)) ||
	    !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&fmt, &in, ops,
			in.operand_count_visible, text, textlen, ip, NULL)))
		return -1;
	return in.length;
}

/* Whether Zydis' decoded instruction in is one the PT fast path leaves to
 * libipt (the far, system, TSX and privileged ones, as the capstone
 * version of hwt_insn_decode() did). */
static int is_special(const ZydisDecodedInstruction *in)
{
	if (in->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR ||
	    (in->attributes & ZYDIS_ATTRIB_IS_PRIVILEGED))
		return 1;
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_INTERRUPT:
	case ZYDIS_CATEGORY_SYSCALL:
	case ZYDIS_CATEGORY_SYSRET:
		return 1;
	default:
		break;
	}
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSENTER:
	case ZYDIS_MNEMONIC_SYSEXIT: case ZYDIS_MNEMONIC_SYSRET:
	case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT1:
	case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_INTO:
	case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1:
	case ZYDIS_MNEMONIC_UD2: case ZYDIS_MNEMONIC_HLT:
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ: case ZYDIS_MNEMONIC_XBEGIN:
	case ZYDIS_MNEMONIC_XEND: case ZYDIS_MNEMONIC_XABORT:
	case ZYDIS_MNEMONIC_VMCALL: case ZYDIS_MNEMONIC_VMFUNC:
	/* What capstone 4 counts as privileged and Zydis does not (IOPL-
	 * or UMIP-dependent, SDM Vol. 3A, 2.8 "System instruction
	 * summary"). */
	case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_STI:
	case ZYDIS_MNEMONIC_STR: case ZYDIS_MNEMONIC_RDPMC:
	/* LOOP/LOOPcc branch on rCX: capstone 4 put them in no branch
	 * group, so the fast path never took them; libipt does. */
	case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE:
	case ZYDIS_MNEMONIC_LOOPNE:
		return 1;
	case ZYDIS_MNEMONIC_MOV:
		/* MOV Sreg, r/m (8E /r), privileged to capstone */
		return in->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT &&
		       in->opcode == 0x8e;
	case ZYDIS_MNEMONIC_POP:
		/* POP FS, POP GS (0F A1, 0F A9): the same */
		return in->opcode_map == ZYDIS_OPCODE_MAP_0F &&
		       (in->opcode == 0xa1 || in->opcode == 0xa9);
	default:
		return 0;
	}
}

/* The class of a far branch as libipt has it (pt_ild.c: ptic_far_call,
 * ptic_far_return, ptic_far_jump), 0 for anything else. */
static int far_class(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSENTER:
	case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT1:
	case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_INTO:
		return HWT_IC_FAR_CALL;
	case ZYDIS_MNEMONIC_SYSRET: case ZYDIS_MNEMONIC_SYSEXIT:
	case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD:
	case ZYDIS_MNEMONIC_IRETQ:
		return HWT_IC_FAR_RET;
	default:
		break;
	}
	if (in->meta.branch_type != ZYDIS_BRANCH_TYPE_FAR)
		return 0;
	switch (in->meta.category) {
	case ZYDIS_CATEGORY_CALL:
		return HWT_IC_FAR_CALL;
	case ZYDIS_CATEGORY_RET:
		return HWT_IC_FAR_RET;
	case ZYDIS_CATEGORY_UNCOND_BR:
		return HWT_IC_FAR_JUMP;
	default:
		return 0;
	}
}

/* Whether a special instruction (not a far branch) changes no flow and
 * binds nothing in libipt's block decoder by itself: kernel code's
 * plain system instructions (SDM vol. 3A 2.8 "System instruction
 * summary").  A MOV to CR3 binds a PIP, a WRMSR may bind a TIP.PGD: the
 * fast path gives up at those packets, not at the instruction.  HLT
 * (what runs after it, runs after an interrupt: the walk would go on into
 * whatever follows, often no code), VMX, TSX, LOOP, UD and the rest stay
 * libipt's. */
static int plain_system(const ZydisDecodedInstruction *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_STI:
	case ZYDIS_MNEMONIC_SWAPGS:
	case ZYDIS_MNEMONIC_RDMSR: case ZYDIS_MNEMONIC_WRMSR:
	case ZYDIS_MNEMONIC_IN: case ZYDIS_MNEMONIC_OUT:
	case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW:
	case ZYDIS_MNEMONIC_INSD: case ZYDIS_MNEMONIC_OUTSB:
	case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
	case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT:
	case ZYDIS_MNEMONIC_LLDT: case ZYDIS_MNEMONIC_LTR:
	case ZYDIS_MNEMONIC_STR: case ZYDIS_MNEMONIC_INVLPG:
	case ZYDIS_MNEMONIC_INVPCID: case ZYDIS_MNEMONIC_WBINVD:
	case ZYDIS_MNEMONIC_INVD: case ZYDIS_MNEMONIC_CLTS:
	case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_RDPMC:
	case ZYDIS_MNEMONIC_XSETBV:
		return 1;
	case ZYDIS_MNEMONIC_MOV:
		/* MOV to or from CRn, DRn, a segment register */
		return in->meta.category != ZYDIS_CATEGORY_UNCOND_BR;
	case ZYDIS_MNEMONIC_POP:
		return 1;	/* POP FS, POP GS */
	default:
		return 0;
	}
}

int hwt_insn_decode_zydis(int isa, const uint8_t *bytes, size_t size,
			  uint64_t ip, struct hwt_insn_info *out)
{
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	int direct;

	memset(out, 0, sizeof(*out));
	/* The instruction alone, no operands: its length, mnemonic,
	 * category and raw immediate are all the fast path needs. */
	if (decoder_init(&dec, isa) < 0 ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, bytes,
							size, &in)))
		return -1;
	/* Knights Corner's mask branches (VEX JKZD/JKNZD): no branch on
	 * any CPU Intel PT runs on; capstone 4 did not decode them. */
	if (in.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY &&
	    (in.meta.category == ZYDIS_CATEGORY_COND_BR ||
	     in.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
	     in.meta.category == ZYDIS_CATEGORY_CALL ||
	     in.meta.category == ZYDIS_CATEGORY_RET))
		return -1;
	out->len = in.length;
	/* A direct branch's target: its relative immediate from the next
	 * instruction (Intel SDM Vol. 2A, 3.2 "JMP", "CALL", "Jcc"). */
	direct = in.raw.imm[0].is_relative;
	if (direct)
		out->target = ip + in.length + (uint64_t)in.raw.imm[0].value.s;
	switch (in.meta.category) {
	case ZYDIS_CATEGORY_CALL:
		out->iclass = direct ? HWT_IC_CALL : HWT_IC_IND_CALL;
		break;
	case ZYDIS_CATEGORY_RET:
		out->iclass = HWT_IC_RET;
		break;
	case ZYDIS_CATEGORY_UNCOND_BR:
		out->iclass = direct ? HWT_IC_JUMP : HWT_IC_IND_JUMP;
		break;
	case ZYDIS_CATEGORY_COND_BR:
		out->iclass = HWT_IC_COND_JUMP;
		break;
	default:
		break;
	}
	if (is_special(&in)) {
		out->special = 1;
		out->iclass = HWT_IC_OTHER;
		out->far = (uint8_t)far_class(&in);
		out->plain = !out->far && plain_system(&in);
	}
	/* Operand-size prefixed near branches truncate the IP: leave them
	 * to libipt (and a direct-looking class without an immediate). */
	if (out->iclass &&
	    ((in.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) ||
	     (out->iclass != HWT_IC_RET && out->iclass != HWT_IC_IND_CALL &&
	      out->iclass != HWT_IC_IND_JUMP && !direct)))
		out->special = 1;
	return out->len;
}

int hwt_insn_branch_zydis(int isa, const uint8_t *bytes, size_t size,
			  uint64_t ip, int *iclass, uint64_t *target)
{
	ZydisDecodedInstruction in;
	ZydisDecoder dec;
	int direct;

	if (isa != HWT_ISA_X86_64 || decoder_init(&dec, isa) < 0 ||
	    !ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&dec, NULL, bytes,
							size, &in)))
		return 0;
	/* Legacy-encoded near branches without an operand-size prefix
	 * only (not VEX JKZD, see above); LOOPcc and
	 * XBEGIN are no branch to capstone 4 (SDM Vol. 2A, "LOOP/LOOPcc";
	 * Vol. 2D, "XBEGIN"). */
	if (in.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR ||
	    in.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY ||
	    (in.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) ||
	    in.mnemonic == ZYDIS_MNEMONIC_LOOP ||
	    in.mnemonic == ZYDIS_MNEMONIC_LOOPE ||
	    in.mnemonic == ZYDIS_MNEMONIC_LOOPNE ||
	    in.mnemonic == ZYDIS_MNEMONIC_XBEGIN)
		return 0;
	direct = in.raw.imm[0].is_relative;
	switch (in.meta.category) {
	case ZYDIS_CATEGORY_CALL:
		if (in.mnemonic != ZYDIS_MNEMONIC_CALL)
			return 0;
		*iclass = direct ? HWT_IC_CALL : HWT_IC_IND_CALL;
		break;
	case ZYDIS_CATEGORY_UNCOND_BR:
		if (in.mnemonic != ZYDIS_MNEMONIC_JMP)
			return 0;
		*iclass = direct ? HWT_IC_JUMP : HWT_IC_IND_JUMP;
		break;
	case ZYDIS_CATEGORY_COND_BR:
		if (!direct)
			return 0;
		*iclass = HWT_IC_COND_JUMP;
		break;
	case ZYDIS_CATEGORY_RET:
		/* not IRET, which is a far return to capstone */
		if (in.mnemonic != ZYDIS_MNEMONIC_RET)
			return 0;
		*iclass = HWT_IC_RET;
		return 1;
	default:
		return 0;
	}
	if (direct)
		*target = ip + in.length + (uint64_t)in.raw.imm[0].value.s;
	return 1;
}
