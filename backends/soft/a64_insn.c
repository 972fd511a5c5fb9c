// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A64 branch classifier (see a64_insn.h).  Encodings: Arm ARM DDI 0487,
 * C4.1.3 "Branches, Exception Generating and System instructions" and
 * C6.2 (the instruction pages named beside each test).
 */
#include "a64_insn.h"

static uint64_t sext(uint64_t v, unsigned int bits)
{
	uint64_t m = 1ull << (bits - 1);

	v &= (1ull << bits) - 1;
	return (v ^ m) - m;
}

void a64_insn_decode(uint32_t insn, uint64_t ip, struct a64_insn_info *in)
{
	*in = (struct a64_insn_info){ .insn = insn, .br = A64_BR_NONE };

	if ((insn & 0x7c000000) == 0x14000000) {
		/* B / BL: op 0b00101 imm26 (C6.2.26, C6.2.34) */
		in->br = insn >> 31 ? A64_BR_BL : A64_BR_B;
		in->target = ip + (sext(insn, 26) << 2);
	} else if ((insn & 0xff000000) == 0x54000000) {
		/* B.cond (o0 = 0) and BC.cond (o0 = 1, FEAT_HBC): imm19 */
		in->br = A64_BR_BCOND;
		in->target = ip + (sext(insn >> 5, 19) << 2);
	} else if ((insn & 0x7e000000) == 0x34000000) {
		/* CBZ / CBNZ: sf 011010 op imm19 Rt */
		in->br = A64_BR_CB;
		in->target = ip + (sext(insn >> 5, 19) << 2);
	} else if ((insn & 0x7e000000) == 0x36000000) {
		/* TBZ / TBNZ: b5 011011 op b40 imm14 Rt */
		in->br = A64_BR_TB;
		in->target = ip + (sext(insn >> 5, 14) << 2);
	} else if ((insn & 0xfffffc1f) == 0xd61f0000 ||
		   (insn & 0xfffff81f) == 0xd61f081f ||
		   (insn & 0xfffff800) == 0xd71f0800) {
		/* BR; BRAAZ/BRABZ; BRAA/BRAB (C6.2.38-39) */
		in->br = A64_BR_BR;
		in->pac = (insn & 0x800) != 0;
	} else if ((insn & 0xfffffc1f) == 0xd63f0000 ||
		   (insn & 0xfffff81f) == 0xd63f081f ||
		   (insn & 0xfffff800) == 0xd73f0800) {
		/* BLR; BLRAAZ/BLRABZ; BLRAA/BLRAB (C6.2.35-36) */
		in->br = A64_BR_BLR;
		in->pac = (insn & 0x800) != 0;
	} else if ((insn & 0xfffffc1f) == 0xd65f0000 ||
		   (insn & 0xfffffbff) == 0xd65f0bff) {
		/* RET; RETAA/RETAB (C6.2.219-220) */
		in->br = A64_BR_RET;
		in->pac = (insn & 0x800) != 0;
	} else if (insn == 0xd69f03e0 || (insn & 0xfffffbff) == 0xd69f0bff ||
		   insn == 0xd6bf03e0) {
		/* ERET; ERETAA/ERETAB; DRPS */
		in->br = A64_BR_ERET;
		in->pac = (insn & 0x800) != 0;
	} else if ((insn & 0xff000000) == 0xd4000000) {
		/* Exception generation: opc imm16 op2 LL (C4.1.3) */
		uint32_t opc = (insn >> 21) & 7, op2 = (insn >> 2) & 7;
		uint32_t ll = insn & 3;

		if (op2)
			return;
		if ((opc == 0 && ll) ||		/* SVC, HVC, SMC */
		    (opc == 1 && !ll) ||	/* BRK */
		    (opc == 2 && !ll) ||	/* HLT */
		    (opc == 5 && ll)) {		/* DCPS1-3 */
			in->br = A64_BR_EXC;
			in->svc = opc == 0 && ll == 1;
		}
	} else if ((insn & 0xfffff0ff) == 0xd50330df) {
		/* ISB: CRm option (C6.2.113) */
		in->br = A64_BR_ISB;
	}
}

const char *a64_br_name(int br)
{
	static const char *const names[A64_BR_NCLASS] = {
		"none", "b", "bl", "b.cond", "cbz/cbnz", "tbz/tbnz", "br",
		"blr", "ret", "eret", "exception", "isb",
	};

	return br >= 0 && br < A64_BR_NCLASS ? names[br] : "?";
}
