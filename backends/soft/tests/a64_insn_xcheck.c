// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Cross-check a64_insn_decode() against capstone's AArch64 decoder on real
 * arm64 code: walk the executable sections of ELF files (e.g. the cross
 * libc in /usr/aarch64-linux-gnu/lib) word by word and compare, for every
 * word capstone decodes, the branch class and the direct target.  Words
 * capstone cannot decode (data in .text, or encodings capstone 4.0.2 does
 * not know: v8.3 pointer-authenticating branches, v8.8 BC.cond) are not
 * compared; they are counted by the class we give them.
 *
 * usage: a64_insn_xcheck [-n min_insns] [-m max_insns] FILE|DIR...
 * Exit 0 iff every compared instruction agrees and at least min_insns
 * were compared.
 */
#include <capstone/capstone.h>
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk_files.h"

#include "../a64_insn.h"

static csh cs;
static unsigned long long n_insn, n_bad, n_files, max_insns;
static unsigned long long n_class[A64_BR_NCLASS], n_skip[A64_BR_NCLASS];

/* Our class of a capstone instruction; -1 for a branch-group instruction
 * we do not map (reported as a disagreement). */
static int cs_class(const cs_insn *ci)
{
	const cs_arm64 *a = &ci->detail->arm64;
	int g;

	switch (ci->id) {
	case ARM64_INS_B:
		return a->cc != ARM64_CC_INVALID && a->cc != ARM64_CC_AL ?
		       A64_BR_BCOND : A64_BR_B;
	case ARM64_INS_BL:
		return A64_BR_BL;
	case ARM64_INS_CBZ: case ARM64_INS_CBNZ:
		return A64_BR_CB;
	case ARM64_INS_TBZ: case ARM64_INS_TBNZ:
		return A64_BR_TB;
	case ARM64_INS_BR:
		return A64_BR_BR;
	case ARM64_INS_BLR:
		return A64_BR_BLR;
	case ARM64_INS_RET:
		return A64_BR_RET;
	case ARM64_INS_ERET:
		return A64_BR_ERET;
	case ARM64_INS_SVC: case ARM64_INS_HVC: case ARM64_INS_SMC:
	case ARM64_INS_BRK: case ARM64_INS_HLT: case ARM64_INS_DCPS1:
	case ARM64_INS_DCPS2: case ARM64_INS_DCPS3:
		return A64_BR_EXC;
	case ARM64_INS_ISB:
		return A64_BR_ISB;
	}
	for (g = 0; g < ci->detail->groups_count; g++) {
		switch (ci->detail->groups[g]) {
		case ARM64_GRP_JUMP: case ARM64_GRP_CALL: case ARM64_GRP_RET:
		case ARM64_GRP_INT: case ARM64_GRP_BRANCH_RELATIVE:
			return -1;
		}
	}
	return A64_BR_NONE;
}

/* The last immediate operand: the target of B/BL/B.cond/CBZ/TBZ. */
static int cs_target(const cs_insn *ci, uint64_t *t)
{
	const cs_arm64 *a = &ci->detail->arm64;
	int i;

	for (i = a->op_count - 1; i >= 0; i--) {
		if (a->operands[i].type == ARM64_OP_IMM) {
			*t = (uint64_t)a->operands[i].imm;
			return 0;
		}
	}
	return -1;
}

static void report(const char *file, uint64_t addr, uint32_t w,
		   const cs_insn *ci, int csc, const struct a64_insn_info *in)
{
	if (++n_bad > (getenv("XCHECK_ALL") ? ~0ull : 30))
		return;
	fprintf(stderr, "MISMATCH %s %#llx: %08x capstone: %s %s class %s; "
		"ours: class %s target %#llx\n", file,
		(unsigned long long)addr, w, ci->mnemonic, ci->op_str,
		csc < 0 ? "(unmapped branch)" : a64_br_name(csc),
		a64_br_name(in->br), (unsigned long long)in->target);
}

static void walk(const char *file, const uint8_t *code, size_t size,
		 uint64_t addr)
{
	cs_insn *ci = cs_malloc(cs);
	size_t off;

	for (off = 0; off + 4 <= size && (!max_insns || n_insn < max_insns);
	     off += 4) {
		const uint8_t *p = code + off;
		size_t left = 4;
		uint64_t a = addr + off, t;
		uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		struct a64_insn_info in;
		int csc;

		a64_insn_decode(w, addr + off, &in);
		if (!cs_disasm_iter(cs, &p, &left, &a, ci)) {
			n_skip[in.br]++;
			continue;
		}
		n_insn++;
		csc = cs_class(ci);
		if (csc != in.br) {
			report(file, addr + off, w, ci, csc, &in);
			continue;
		}
		if (a64_br_is_direct(in.br) &&
		    (cs_target(ci, &t) || t != in.target)) {
			report(file, addr + off, w, ci, csc, &in);
			continue;
		}
		n_class[in.br]++;
	}
	cs_free(ci, 1);
}

static void check_file(const char *path)
{
	n_files += walk_elf_text(path, EM_AARCH64, walk);
}

static int budget_left(void)
{
	return !max_insns || n_insn < max_insns;
}

int main(int argc, char **argv)
{
	unsigned long long min_insns = 0, skipped = 0;
	int i, opt;

	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		if (opt == 'n')
			min_insns = strtoull(optarg, NULL, 0);
		else if (opt == 'm')
			max_insns = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
		return 2;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	for (i = optind; i < argc; i++)
		walk_files(argv[i], check_file, budget_left);
	cs_close(&cs);
	for (i = 0; i < A64_BR_NCLASS; i++)
		skipped += n_skip[i];
	printf("a64_insn_xcheck: %llu files, %llu instructions compared, "
	       "%llu disagree, %llu words capstone could not decode\n",
	       n_files, n_insn, n_bad, skipped);
	printf("  agreeing by class:");
	for (i = 0; i < A64_BR_NCLASS; i++)
		if (n_class[i])
			printf(" %s=%llu", a64_br_name(i), n_class[i]);
	printf("\n  not decoded by capstone, our class:");
	for (i = 0; i < A64_BR_NCLASS; i++)
		if (n_skip[i])
			printf(" %s=%llu", a64_br_name(i), n_skip[i]);
	printf("\n");
	return n_bad || n_insn < min_insns;
}
