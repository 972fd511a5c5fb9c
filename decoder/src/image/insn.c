/* SPDX-License-Identifier: BSD-2-Clause */
/* Instruction lengths, text and classes via capstone, for every ISA the
 * front ends feed (x86 from libipt, A64/A32/T32 from OpenCSD). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/insn.h"
#include "image/insn_llvm.h"
#include "image/insn_zydis.h"
#include "core/util.h"
#include "core/flow.h"

#define NISA (HWT_ISA_A64 + 1)

struct hwt_disasm {
	csh h[NISA];		/* lengths/text, no detail */
	csh hd[NISA];		/* with detail, for classes */
	uint8_t tried[NISA], triedd[NISA];
};

struct hwt_disasm *hwt_disasm_alloc(void)
{
	struct hwt_disasm *d = hwt_xrealloc(NULL, sizeof(*d));

	memset(d, 0, sizeof(*d));
	return d;
}

void hwt_disasm_free(struct hwt_disasm *d)
{
	int i;

	if (!d)
		return;
	for (i = 0; i < NISA; i++) {
		if (d->h[i])
			cs_close(&d->h[i]);
		if (d->hd[i])
			cs_close(&d->hd[i]);
	}
	free(d);
}

static csh handle(struct hwt_disasm *d, int isa, int detail)
{
	csh *h = detail ? d->hd : d->h;
	uint8_t *tried = detail ? d->triedd : d->tried;
	cs_arch arch;
	cs_mode mode;

	if (isa <= 0 || isa >= NISA)
		return 0;
	if (tried[isa])
		return h[isa];
	tried[isa] = 1;
	switch (isa) {
	case HWT_ISA_X86_16: arch = CS_ARCH_X86; mode = CS_MODE_16; break;
	case HWT_ISA_X86_32: arch = CS_ARCH_X86; mode = CS_MODE_32; break;
	case HWT_ISA_X86_64: arch = CS_ARCH_X86; mode = CS_MODE_64; break;
	case HWT_ISA_A32: arch = CS_ARCH_ARM; mode = CS_MODE_ARM; break;
	case HWT_ISA_T32: arch = CS_ARCH_ARM; mode = CS_MODE_THUMB; break;
	case HWT_ISA_A64: arch = CS_ARCH_ARM64; mode = CS_MODE_ARM; break;
	default: return 0;
	}
	if (cs_open(arch, mode, &h[isa]) != CS_ERR_OK) {
		h[isa] = 0;
		return 0;
	}
	if (detail)
		cs_option(h[isa], CS_OPT_DETAIL, CS_OPT_ON);
	if (isa == HWT_ISA_A32 || isa == HWT_ISA_T32 || isa == HWT_ISA_A64)
		/* Trace shows what ran: decode undefined-looking words too. */
		cs_option(h[isa], CS_OPT_SKIPDATA, CS_OPT_OFF);
	return h[isa];
}

/*
 * Splits code (at ip) into instructions i..ninsn-1 ending at end_ip.  An
 * instruction capstone does not know (ptwrite, movdir64b, newer ISA
 * extensions) gets the length that lets the rest decode to exactly the
 * block libipt reported; guesses bounds how many such unknowns we accept.
 * Without guesses, an unknown last instruction fails too.
 */
static int split(csh h, cs_insn *insn, const uint8_t *code, size_t size,
		 uint64_t ip, uint64_t end_ip, uint32_t i, uint32_t ninsn,
		 uint8_t *lens, int guesses)
{
	for (; i < ninsn; i++) {
		const uint8_t *c = code;
		size_t sz = size;
		uint64_t a = ip;
		unsigned len;

		if (ip > end_ip)
			return -1;
		if (i + 1 == ninsn && ip != end_ip)
			return -1;
		if (cs_disasm_iter(h, &c, &sz, &a, insn)) {
			lens[i] = (uint8_t)(a - ip);
			code = c;
			size = sz;
			ip = a;
			continue;
		}
		if (i + 1 == ninsn && guesses) {
			/* The last one starts at end_ip: only its length
			 * is unknown, and only call returns need it. */
			lens[i] = 1;
			return 0;
		}
		if (!guesses)
			return -1;
		for (len = 1; len <= 15 && len <= size; len++) {
			lens[i] = (uint8_t)len;
			if (split(h, insn, code + len, size - len, ip + len,
				  end_ip, i + 1, ninsn, lens, guesses - 1) == 0)
				return 0;
		}
		return -1;
	}
	return ip - lens[ninsn - 1] == end_ip ? 0 : -1;
}

int hwt_insn_lengths(struct hwt_disasm *d, int isa, const uint8_t *code,
		     size_t size, uint64_t ip, uint64_t end_ip, uint32_t ninsn,
		     uint8_t *lens)
{
	uint64_t span;
	cs_insn *insn;
	csh h;
	int rc;

	if (!ninsn || end_ip < ip)
		return -1;
	span = end_ip - ip;
	/* Fixed-width ISAs need no memory. */
	if (isa == HWT_ISA_A64 || isa == HWT_ISA_A32) {
		if (span != 4ull * (ninsn - 1))
			return -1;
		memset(lens, 4, ninsn);
		return 0;
	}
	/* Instructions are >= 1 byte: ninsn - 1 of them fit in span. */
	if (span + 1 < ninsn || size <= span)
		return -1;
	h = handle(d, isa, 0);
	if (!h)
		return -1;
	insn = cs_malloc(h);
	if (!insn)
		return -1;
	/* x86: what capstone splits alone, else libipt's own decoder (the
	 * one that decoded the trace), else a guess for one unknown. */
	rc = split(h, insn, code, size, ip, end_ip, 0, ninsn, lens, 0);
	if (rc)
		rc = hwt_insn_lengths_ipt(isa, code, size, ip, end_ip, ninsn,
					  lens);
	if (rc)
		rc = split(h, insn, code, size, ip, end_ip, 0, ninsn, lens, 1);
	cs_free(insn, 1);
	return rc;
}

int hwt_insn_text(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		  size_t size, uint64_t ip, char *text, size_t textlen)
{
	csh h = handle(d, isa, 0);
	cs_insn *insn;
	int len = -1;

	if (h && cs_disasm(h, bytes, size, ip, 1, &insn) == 1) {
		snprintf(text, textlen, "%s%s%s", insn->mnemonic,
			 insn->op_str[0] ? " " : "", insn->op_str);
		len = insn->size;
		cs_free(insn, 1);
	}
	/* What capstone 4 does not know: EVEX and mask registers (Zydis),
	 * SVE, SME and newer A64 extensions (LLVM). */
	if (len < 0)
		len = isa == HWT_ISA_A64 ?
		      hwt_insn_text_llvm(isa, bytes, size, ip, text, textlen) :
		      hwt_insn_text_zydis(isa, bytes, size, ip, text,
					  textlen);
	return len;
}

static int in_group(csh h, const cs_insn *insn, int grp)
{
	return cs_insn_group(h, insn, (unsigned)grp);
}

int hwt_insn_class(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		   size_t size, uint64_t ip)
{
	csh h;
	cs_insn *insn;
	int cls = HWT_IC_OTHER;
	uint64_t t;

	if (hwt_insn_branch_zydis(isa, bytes, size, ip, &cls, &t))
		return cls;
	h = handle(d, isa, 1);
	if (!h || cs_disasm(h, bytes, size, ip, 1, &insn) != 1)
		return HWT_IC_OTHER;
	if (isa <= HWT_ISA_X86_64) {
		const cs_x86 *x = &insn->detail->x86;
		int direct = x->op_count == 1 && x->operands[0].type ==
			     X86_OP_IMM;

		switch (insn->id) {
		case X86_INS_CALL:
			cls = direct ? HWT_IC_CALL : HWT_IC_IND_CALL;
			break;
		case X86_INS_RET:
			cls = HWT_IC_RET;
			break;
		case X86_INS_JMP:
			cls = direct ? HWT_IC_JUMP : HWT_IC_IND_JUMP;
			break;
		case X86_INS_LJMP:
			cls = HWT_IC_FAR_JUMP;
			break;
		case X86_INS_LCALL: case X86_INS_SYSCALL: case X86_INS_SYSENTER:
		case X86_INS_INT: case X86_INS_INT3: case X86_INS_INTO:
		case X86_INS_UD2:
			cls = HWT_IC_FAR_CALL;
			break;
		case X86_INS_IRET: case X86_INS_IRETD: case X86_INS_IRETQ:
		case X86_INS_SYSRET: case X86_INS_SYSEXIT: case X86_INS_RETF:
		case X86_INS_RETFQ:
			cls = HWT_IC_FAR_RET;
			break;
		default:
			if (in_group(h, insn, CS_GRP_JUMP))
				cls = HWT_IC_COND_JUMP;
		}
	} else if (in_group(h, insn, CS_GRP_CALL)) {
		cls = HWT_IC_CALL;
		if (strstr(insn->mnemonic, "blr") || strstr(insn->mnemonic, "blx"))
			cls = HWT_IC_IND_CALL;
	} else if (in_group(h, insn, CS_GRP_RET) ||
		   !strcmp(insn->mnemonic, "ret")) {
		cls = HWT_IC_RET;
	} else if (in_group(h, insn, CS_GRP_INT)) {
		cls = HWT_IC_FAR_CALL;
	} else if (in_group(h, insn, CS_GRP_IRET)) {
		cls = HWT_IC_FAR_RET;
	} else if (in_group(h, insn, CS_GRP_JUMP)) {
		cls = strchr(insn->mnemonic, '.') || !strncmp(insn->mnemonic, "cb", 2) ||
		      !strncmp(insn->mnemonic, "tb", 2) ? HWT_IC_COND_JUMP :
		      (!strcmp(insn->mnemonic, "br") || !strcmp(insn->mnemonic, "bx")) ?
		      HWT_IC_IND_JUMP : HWT_IC_JUMP;
	}
	cs_free(insn, 1);
	return cls;
}

int hwt_insn_target(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		    size_t size, uint64_t ip, uint64_t *target)
{
	csh h;
	cs_insn *insn;
	int rc = -1, i, cls;

	if (hwt_insn_branch_zydis(isa, bytes, size, ip, &cls, target))
		return cls == HWT_IC_CALL || cls == HWT_IC_JUMP ||
		       cls == HWT_IC_COND_JUMP ? 0 : -1;
	h = handle(d, isa, 1);
	if (!h || cs_disasm(h, bytes, size, ip, 1, &insn) != 1)
		return -1;
	if (!in_group(h, insn, CS_GRP_JUMP) && !in_group(h, insn, CS_GRP_CALL))
		goto out;
	/* The immediate operand of a direct branch is its absolute target
	 * (capstone adds the pc); cbz/tbz carry it last. */
	if (isa <= HWT_ISA_X86_64) {
		const cs_x86 *x = &insn->detail->x86;

		if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
			*target = (uint64_t)x->operands[0].imm;
			rc = 0;
		}
	} else if (isa == HWT_ISA_A64) {
		const cs_arm64 *a = &insn->detail->arm64;

		i = a->op_count - 1;
		if (i >= 0 && a->operands[i].type == ARM64_OP_IMM) {
			*target = (uint64_t)a->operands[i].imm;
			rc = 0;
		}
	} else {
		const cs_arm *a = &insn->detail->arm;

		i = a->op_count - 1;
		if (i >= 0 && a->operands[i].type == ARM_OP_IMM) {
			*target = (uint64_t)(uint32_t)a->operands[i].imm;
			rc = 0;
		}
	}
out:
	cs_free(insn, 1);
	return rc;
}

int hwt_insn_decode(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		    size_t size, uint64_t ip, struct hwt_insn_info *out)
{
	(void)d;	/* Zydis' decoder keeps no state between calls */
	return hwt_insn_decode_zydis(isa, bytes, size, ip, out);
}
