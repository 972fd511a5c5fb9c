// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of x86_insn_decode() on encodings that real code rarely
 * exercises (the capstone cross-check covers the common ones): prefixes,
 * VEX/EVEX/XOP, 3DNow!, truncation, the 15-byte limit, invalid opcodes.
 * Expected values come from the SDM/APM; where capstone decodes the bytes
 * correctly it is asked too.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../x86_insn.h"

struct tcase {
	const char *name;
	const char *hex;
	int len;		/* or X86_INSN_E* */
	int br;
	int rel;
	unsigned int flags;	/* expected subset of flags */
	int capstone;		/* also check capstone agrees on length */
};

static const struct tcase cases[] = {
	{ "nop", "90", 1, X86_BR_NONE, 0, 0, 1 },
	{ "endbr64", "f30f1efa", 4, X86_BR_NONE, 0, 0, 1 },
	{ "syscall", "0f05", 2, X86_BR_SYSCALL, 0, 0, 1 },
	{ "sysenter", "0f34", 2, X86_BR_SYSENTER, 0, 0, 1 },
	{ "int80", "cd80", 2, X86_BR_INT, 0, 0, 1 },
	{ "int3", "cc", 1, X86_BR_INT, 0, 0, 1 },
	{ "int1", "f1", 1, X86_BR_INT, 0, 0, 1 },
	{ "into_invalid64", "ce", X86_INSN_EINVAL, 0, 0, 0, 0 },
	{ "iretq", "48cf", 2, X86_BR_IRET, 0, 0, 1 },
	{ "ret", "c3", 1, X86_BR_RET, 0, 0, 1 },
	{ "ret_imm", "c20800", 3, X86_BR_RET, 0, 0, 1 },
	{ "bnd_ret", "f2c3", 2, X86_BR_RET, 0, 0, 1 },
	{ "retf", "cb", 1, X86_BR_RET_FAR, 0, 0, 1 },
	{ "retfq_imm", "48ca0400", 4, X86_BR_RET_FAR, 0, 0, 1 },
	{ "jcc8", "74fe", 2, X86_BR_JCC, -2, 0, 1 },
	{ "jcc32", "0f8410000000", 6, X86_BR_JCC, 16, 0, 1 },
	{ "jcc16_66", "660f841000", 5, X86_BR_JCC, 16, X86_INSN_OSZ16, 1 },
	{ "jrcxz", "e305", 2, X86_BR_JCC, 5, 0, 1 },
	{ "jecxz", "67e305", 3, X86_BR_JCC, 5, 0, 1 },
	{ "loop", "e2f0", 2, X86_BR_JCC, -16, 0, 1 },
	{ "jmp8", "eb00", 2, X86_BR_JMP_REL, 0, 0, 1 },
	{ "jmp32", "e9fbffffff", 5, X86_BR_JMP_REL, -5, 0, 1 },
	{ "jmp_rexw_66", "6648e901000000", 7, X86_BR_JMP_REL, 1, 0, 1 },
	{ "call32", "e800000000", 5, X86_BR_CALL_REL, 0, 0, 1 },
	{ "call_reg", "ffd0", 2, X86_BR_CALL_IND, 0, 0, 1 },
	{ "call_rip", "ff1500100000", 6, X86_BR_CALL_IND, 0,
	  X86_INSN_RIP_REL, 1 },
	{ "jmp_sib_disp32", "ff24c500104000", 7, X86_BR_JMP_IND, 0, 0, 1 },
	{ "notrack_jmp", "3effe0", 3, X86_BR_JMP_IND, 0, 0, 1 },
	{ "ljmp_mem", "48ff2c24", 4, X86_BR_FAR_JMP, 0, 0, 1 },
	{ "lcall_mem", "ff5d08", 3, X86_BR_FAR_CALL, 0, 0, 1 },
	{ "ljmp_reg_invalid", "ffe8", X86_INSN_EINVAL, 0, 0, 0, 0 },
	{ "ud2", "0f0b", 2, X86_BR_UD, 0, 0, 1 },
	{ "ud1_modrm", "0fb9c8", 3, X86_BR_UD, 0, 0, 0 },
	{ "movabs_imm64", "48b88877665544332211", 10, X86_BR_NONE, 0, 0, 1 },
	{ "mov_imm16", "66b83412", 4, X86_BR_NONE, 0, 0, 1 },
	{ "moffs64", "48a11122334455667788", 10, X86_BR_NONE, 0, 0, 1 },
	{ "moffs32_67", "67a111223344", 6, X86_BR_NONE, 0, 0, 1 },
	{ "enter", "c8100000", 4, X86_BR_NONE, 0, 0, 1 },
	{ "test_f6_imm", "f6c001", 3, X86_BR_NONE, 0, 0, 1 },
	{ "neg_f7_noimm", "f7d8", 2, X86_BR_NONE, 0, 0, 1 },
	{ "test_f7_imm16", "66f7c03412", 5, X86_BR_NONE, 0, 0, 1 },
	{ "test_f7_rexw", "6648f7c078563412", 8, X86_BR_NONE, 0, 0, 1 },
	{ "rep_movsb", "f3a4", 2, X86_BR_NONE, 0, X86_INSN_REP_STRING, 1 },
	{ "repne_scasb", "f2ae", 2, X86_BR_NONE, 0, X86_INSN_REP_STRING, 1 },
	{ "rex_then_legacy", "4866 90", 3, X86_BR_NONE, 0, 0, 1 },
	{ "lock_add_sib", "f0480fc10c24", 6, X86_BR_NONE, 0, 0, 1 },
	{ "vex2_vzeroupper", "c5f877", 3, X86_BR_NONE, 0, 0, 1 },
	{ "vex3_vpshufb", "c4e27100c2", 5, X86_BR_NONE, 0, 0, 1 },
	{ "vex3_0f3a_imm", "c4e3790fc108", 6, X86_BR_NONE, 0, 0, 1 },
	{ "vex_pshufd_imm", "c5f970c11b", 5, X86_BR_NONE, 0, 0, 1 },
	{ "evex_vmovdqu64", "62f1fe486f4001", 7, X86_BR_NONE, 0, 0, 1 },
	{ "evex_round_reg", "62f2f578a8e2", 6, X86_BR_NONE, 0, 0, 0 },
	{ "xop_vprotb_imm", "8fe878c0c105", 6, X86_BR_NONE, 0, 0, 0 },
	{ "xop_bextr_imm32", "8fea7810c078563412", 9, X86_BR_NONE, 0, 0, 0 },
	{ "pop_8f", "8fc0", 2, X86_BR_NONE, 0, 0, 1 },
	{ "3dnow_pfadd", "0f0fc19e", 4, X86_BR_NONE, 0, 0, 1 },
	{ "sse41_0f3a", "660f3a0fc108", 6, X86_BR_NONE, 0, 0, 1 },
	{ "mov_cr_mod_ignored", "0f2000", 3, X86_BR_NONE, 0, 0, 0 },
	{ "extrq_imm", "660f78c00408", 6, X86_BR_NONE, 0, 0, 0 },
	{ "xbegin", "c7f800000000", 6, X86_BR_NONE, 0, 0, 1 },
	{ "padlock_xsha1", "f30fa6c8", 4, X86_BR_NONE, 0, 0, 1 },
	{ "push_es_invalid64", "06", X86_INSN_EINVAL, 0, 0, 0, 0 },
	{ "callf_ptr_invalid64", "9a0000000000", X86_INSN_EINVAL, 0, 0, 0, 0 },
	{ "truncated_modrm", "8b", X86_INSN_ETRUNC, 0, 0, 0, 0 },
	{ "truncated_imm", "e80000", X86_INSN_ETRUNC, 0, 0, 0, 0 },
	{ "truncated_prefix", "66", X86_INSN_ETRUNC, 0, 0, 0, 0 },
	{ "15_bytes_ok", "6666666666666666666666 c7c07856", 15, X86_BR_NONE,
	  0, 0, 1 },
	{ "14_prefixes", "66666666666666666666666666 90", 14, X86_BR_NONE, 0,
	  0, 1 },
	{ "16_bytes_too_long", "666666666666666666666666666666 90",
	  X86_INSN_EINVAL, 0, 0, 0, 0 },
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	while (*s) {
		unsigned int v;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

int main(void)
{
	int fails = 0;
	size_t i;
	csh cs;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 2;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		struct x86_insn_info in;
		uint8_t b[32];
		size_t n = unhex(t->hex, b);
		int len = x86_insn_decode(b, n, &in);
		int ok = len == t->len;

		if (ok && len > 0)
			ok = in.br == t->br && in.rel == t->rel &&
			     (in.flags & t->flags) == t->flags;
		if (ok && t->capstone) {
			cs_insn *ci;
			size_t k = cs_disasm(cs, b, n, 0x1000, 1, &ci);

			ok = k == 1 && ci[0].size == (size_t)len;
			if (k)
				cs_free(ci, k);
		}
		if (!ok) {
			fprintf(stderr, "%s: got len %d br %s rel %d flags %#x\n",
				t->name, len, len > 0 ? x86_br_name(in.br) : "-",
				len > 0 ? in.rel : 0, len > 0 ? in.flags : 0);
			fails++;
		}
		printf("%s: soft/x86_insn/%s\n", ok ? "PASS" : "FAIL", t->name);
	}
	/* Never reads past avail, even for a long valid prefix run. */
	{
		struct x86_insn_info in;
		uint8_t b[1] = { 0x0f };
		int ok = x86_insn_decode(b, 1, &in) == X86_INSN_ETRUNC &&
			 x86_insn_decode(b, 0, &in) == X86_INSN_ETRUNC;

		printf("%s: soft/x86_insn/avail_bound\n", ok ? "PASS" : "FAIL");
		fails += !ok;
	}
	/* 16-bit branch targets wrap within 64 KiB as on AMD. */
	{
		struct x86_insn_info in;
		uint8_t b[] = { 0x66, 0xe9, 0x05, 0x00 };
		int ok = x86_insn_decode(b, sizeof(b), &in) == 4 &&
			 x86_insn_target(0x12345678, &in) == 0x5681;

		printf("%s: soft/x86_insn/rel16_target\n", ok ? "PASS" : "FAIL");
		fails += !ok;
	}
	cs_close(&cs);
	return fails != 0;
}
