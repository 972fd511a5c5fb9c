// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tests of a64_excl (load/store-exclusive sequences), judged by capstone:
 *  1. hand-written sequences (every word's mnemonic checked with
 *     capstone first, so the encodings are what they claim) give the
 *     exits and paths derived by hand;
 *  2. over real arm64 code (the cross libc and libraries), every word
 *     capstone names ld[a]x[r|p]* / st[l]x[r|p]* must be classed so by
 *     a64_excl_class() and no other word may be; and every sequence
 *     a64_excl_scan() accepts is re-derived from capstone's disassembly
 *     (a store-exclusive ends it, only conditional branches in between,
 *     exits = after the store + outside branch targets).
 *
 * usage: a64_excl_test [FILE|DIR...]   (no argument: part 1 only)
 * Prints PASS:/FAIL: lines; exit 0 iff all pass.
 */
#include <capstone/capstone.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "walk_files.h"

#include "../a64_excl.h"

static csh cs;
static int failed;

static void result(int ok, const char *name)
{
	printf("%s: soft/a64_excl/%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		failed = 1;
}

/* capstone's mnemonic of w at addr ("" if it cannot decode it). */
static const char *mnem(uint32_t w, uint64_t addr, cs_insn *ci)
{
	const uint8_t *p = (const uint8_t *)&w;
	size_t left = 4;
	uint64_t a = addr;

	if (!cs_disasm_iter(cs, &p, &left, &a, ci))
		return "";
	return ci->mnemonic;
}

static int cs_excl(const char *m)
{
	/* ldxr ldxrb ldxrh ldaxr.. ldxp ldaxp / stxr.. stlxr.. stxp stlxp */
	if (!strncmp(m, "ldx", 3) || !strncmp(m, "ldax", 4))
		return A64_EXCL_LOAD;
	if (!strncmp(m, "stx", 3) || !strncmp(m, "stlx", 4))
		return A64_EXCL_STORE;
	return A64_EXCL_NONE;
}

/* ---- 1. hand-written sequences ---- */

struct hcase {
	const char *name;
	uint32_t w[8];
	const char *m[8];	/* capstone mnemonics of w[] */
	uint32_t nw;
	int ok;			/* scan accepts */
	uint32_t n, nexits;
	uint64_t exit[A64_EXCL_MAX_EXITS];	/* offsets from ip */
	int pathlen[A64_EXCL_MAX_EXITS];
	int loop;		/* loop-back branch at exit 0 */
};

#define IP	0x400000ull

static const struct hcase hcases[] = {
	{ "ldxr_stxr_cbnz",	/* 1: ldxr x0,[x2]; add; stxr w1,x0,[x2]; cbnz w1,1b */
	  { 0xc85f7c40, 0x91000400, 0xc8017c40, 0x35ffffa1 },
	  { "ldxr", "add", "stxr", "cbnz" }, 4, 1, 3, 1, { 12 }, { 3 }, 1 },
	{ "ldaxr_stlxr",	/* ldaxr x0,[x2]; eor; stlxr w1,x0,[x2] */
	  { 0xc85ffc40, 0xd27f0000, 0xc801fc40, 0x35ffffa1 },
	  { "ldaxr", "eor", "stlxr", "cbnz" }, 4, 1, 3, 1, { 12 }, { 3 }, 1 },
	{ "cas_two_exits",	/* ldaxr; cmp x0,x3; b.ne +16; stlxr; cbnz; 2: */
	  { 0xc85ffc40, 0xeb03001f, 0x54000061, 0xc801fc44, 0x35ffff81 },
	  { "ldaxr", "cmp", "b.ne", "stlxr", "cbnz" }, 5, 1, 4, 2,
	  { 16, 20 }, { 4, 3 }, 1 },
	{ "branch_onto_exit0",	/* ldaxr; cmp; b.ne +8 (after stlxr); stlxr */
	  { 0xc85ffc40, 0xeb03001f, 0x54000041, 0xc801fc44 },
	  { "ldaxr", "cmp", "b.ne", "stlxr" }, 4, 1, 4, 1, { 16 }, { 4 }, 0 },
	{ "branch_back_inside",	/* ldxr; cbnz x0, -4 (to ldxr); stxr */
	  { 0xc85f7c40, 0xb5ffffe0, 0xc8017c40 },
	  { "ldxr", "cbnz", "stxr" }, 3, 1, 3, 1, { 12 }, { 3 }, 0 },
	{ "ldxp_stxp",		/* ldxp x0,x1,[x3]; stxp w2,x0,x1,[x3] */
	  { 0xc87f0460, 0xc8220460 },
	  { "ldxp", "stxp" }, 2, 1, 2, 1, { 8 }, { 2 }, 0 },
	{ "ldxrb_stxrb",	/* ldxrb w0,[x2]; stxrb w1,w0,[x2] */
	  { 0x085f7c40, 0x08017c40 },
	  { "ldxrb", "stxrb" }, 2, 1, 2, 1, { 8 }, { 2 }, 0 },
	{ "no_store",		/* ldxr; add; add: no store-exclusive */
	  { 0xc85f7c40, 0x91000400, 0x91000400 },
	  { "ldxr", "add", "add" }, 3, 0, 0, 0, { 0 }, { 0 }, 0 },
	{ "bl_inside",		/* ldxr; bl; stxr: refused */
	  { 0xc85f7c40, 0x94000010, 0xc8017c40 },
	  { "ldxr", "bl", "stxr" }, 3, 0, 0, 0, { 0 }, { 0 }, 0 },
	{ "svc_inside",		/* ldxr; svc #0; stxr: refused */
	  { 0xc85f7c40, 0xd4000001, 0xc8017c40 },
	  { "ldxr", "svc", "stxr" }, 3, 0, 0, 0, { 0 }, { 0 }, 0 },
	{ "not_load",		/* ldar x0,[x2] (not exclusive) */
	  { 0xc8dffc40, 0xc8017c40 },
	  { "ldar", "stxr" }, 2, 0, 0, 0, { 0 }, { 0 }, 0 },
	/* casp x0,x1,x2,x3,[x4] (LSE; objdump says so, capstone 4.0.2 has no LSE) */
	{ "casp_is_not",
	  { 0x48207c82, 0xc8017c40 },
	  { "", "stxr" }, 2, 0, 0, 0, { 0 }, { 0 }, 0 },
};

static void test_hand(void)
{
	cs_insn *ci = cs_malloc(cs);
	size_t i;
	uint32_t j, k;

	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		const struct hcase *h = &hcases[i];
		struct a64_excl_seq seq;
		uint64_t ip[A64_EXCL_MAX_INSNS], nx[A64_EXCL_MAX_INSNS];
		int ok = 1, r;

		for (j = 0; j < h->nw; j++) {
			const char *m = mnem(h->w[j], IP + 4 * j, ci);

			if (strcmp(m, h->m[j])) {
				fprintf(stderr, "%s: word %u %08x is \"%s\" to "
					"capstone, not %s\n", h->name, j,
					h->w[j], m, h->m[j]);
				ok = 0;
			}
		}
		r = a64_excl_scan(h->w, h->nw, IP, &seq);
		if ((r == 0) != h->ok) {
			ok = 0;
		} else if (r == 0) {
			if (seq.n != h->n || seq.nexits != h->nexits ||
			    seq.loop != h->loop ||
			    a64_excl_retry(&seq, 0, IP) != h->loop ||
			    a64_excl_retry(&seq, 0, IP + 4) ||
			    (seq.nexits > 1 && a64_excl_retry(&seq, 1, IP)))
				ok = 0;
			for (k = 0; ok && k < seq.nexits; k++) {
				int n = a64_excl_path(&seq, k, ip, nx);

				if (seq.exit[k] != IP + h->exit[k] ||
				    n != h->pathlen[k] ||
				    nx[n - 1] != seq.exit[k] ||
				    a64_excl_exit_at(&seq, seq.exit[k]) !=
				    (int)k)
					ok = 0;
				for (j = 0; ok && j + 1 < (uint32_t)n; j++)
					if (ip[j] != IP + 4 * j ||
					    nx[j] != ip[j] + 4)
						ok = 0;
			}
			if (a64_excl_path(&seq, seq.nexits, ip, nx) != -1)
				ok = 0;
		}
		if (!ok)
			fprintf(stderr, "%s: scan %d n %u exits %u\n", h->name,
				r, r ? 0 : seq.n, r ? 0 : seq.nexits);
		result(ok, h->name);
	}
	cs_free(ci, 1);
}

/* ---- 2. real code ---- */

static unsigned long long n_words, n_load, n_store, n_bad, n_seq, n_refused,
			  n_loop;

static int cs_cond_branch(const cs_insn *ci, uint64_t *target)
{
	const cs_arm64 *a = &ci->detail->arm64;

	if (!((ci->id == ARM64_INS_B && a->cc != ARM64_CC_INVALID &&
	       a->cc != ARM64_CC_AL) ||
	      ci->id == ARM64_INS_CBZ || ci->id == ARM64_INS_CBNZ ||
	      ci->id == ARM64_INS_TBZ || ci->id == ARM64_INS_TBNZ))
		return 0;
	*target = (uint64_t)a->operands[a->op_count - 1].imm;
	return 1;
}

static int cs_other_branch(const cs_insn *ci)
{
	int g;

	for (g = 0; g < ci->detail->groups_count; g++) {
		switch (ci->detail->groups[g]) {
		case ARM64_GRP_JUMP: case ARM64_GRP_CALL: case ARM64_GRP_RET:
		case ARM64_GRP_INT: case ARM64_GRP_BRANCH_RELATIVE:
			return 1;
		}
	}
	return ci->id == ARM64_INS_ISB || ci->id == ARM64_INS_SVC ||
	       ci->id == ARM64_INS_HVC || ci->id == ARM64_INS_SMC ||
	       ci->id == ARM64_INS_BRK || ci->id == ARM64_INS_HLT;
}

/* Re-derive the sequence at words[0] from capstone alone. */
static int check_seq(const uint32_t *w, size_t nw, uint64_t addr,
		     const struct a64_excl_seq *seq, cs_insn *ci)
{
	uint64_t ex[8], t, end;
	uint32_t i, n = 0, nex = 1, k;

	for (i = 1; i < nw && i < A64_EXCL_MAX_INSNS; i++) {
		if (cs_excl(mnem(w[i], addr + 4 * i, ci)) == A64_EXCL_STORE) {
			n = i + 1;
			break;
		}
		if (!cs_cond_branch(ci, &t) && cs_other_branch(ci))
			return 0;
	}
	if (!n || n != seq->n)
		return 0;
	end = addr + 4 * (n - 1);
	ex[0] = end + 4;
	for (i = 1; i + 1 < n; i++) {
		mnem(w[i], addr + 4 * i, ci);
		if (!cs_cond_branch(ci, &t) || (t >= addr && t <= end + 4))
			continue;
		for (k = 0; k < nex && ex[k] != t; k++)
			;
		if (k == nex && nex < 8)
			ex[nex++] = t;
	}
	if (nex != seq->nexits)
		return 0;
	/* The loop-back branch after the store. */
	k = 0;
	if (n < nw) {
		mnem(w[n], addr + 4 * n, ci);
		k = cs_cond_branch(ci, &t) && t == addr;
	}
	if (k != seq->loop)
		return 0;
	n_loop += k;
	for (k = 0; k < nex; k++)
		if (ex[k] != seq->exit[k])
			return 0;
	return 1;
}

static void walk(const char *file, const uint8_t *code, size_t size,
		 uint64_t addr)
{
	cs_insn *ci = cs_malloc(cs);
	size_t off, nw = size / 4;
	uint32_t *w = malloc(nw * 4 + 4);

	if (!w)
		return;
	memcpy(w, code, nw * 4);
	for (off = 0; off < nw; off++) {
		uint64_t a = addr + 4 * off;
		const char *m = mnem(w[off], a, ci);
		struct a64_excl_seq seq;
		int c = a64_excl_class(w[off]);

		n_words++;
		if (!*m)
			continue;	/* capstone cannot say */
		if (c != cs_excl(m)) {
			if (++n_bad < 20)
				fprintf(stderr, "MISMATCH %s %#llx: %08x %s %s: "
					"class %d\n", file,
					(unsigned long long)a, w[off], m,
					ci->op_str, c);
			continue;
		}
		if (c == A64_EXCL_STORE)
			n_store++;
		if (c != A64_EXCL_LOAD)
			continue;
		n_load++;
		if (a64_excl_scan(w + off, (uint32_t)(nw - off), a, &seq)) {
			n_refused++;
			continue;
		}
		n_seq++;
		if (!check_seq(w + off, nw - off, a, &seq, ci) &&
		    ++n_bad < 20)
			fprintf(stderr, "SEQUENCE %s %#llx differs from "
				"capstone's\n", file, (unsigned long long)a);
	}
	free(w);
	cs_free(ci, 1);
}

static void check_file(const char *path)
{
	walk_elf_text(path, EM_AARCH64, walk);
}

static int budget_left(void)
{
	return n_words < 20000000ull;
}

int main(int argc, char **argv)
{
	int i;

	if (elf_version(EV_CURRENT) == EV_NONE ||
	    cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK)
		return 2;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	test_hand();
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			walk_files(argv[i], check_file, budget_left);
		printf("INFO: a64_excl: %llu words, %llu load- and %llu "
		       "store-exclusives as capstone says; %llu sequences "
		       "accepted (equal to capstone's; %llu with a loop-back "
		       "branch after the store), %llu refused, %llu "
		       "disagreements\n", n_words, n_load, n_store, n_seq,
		       n_loop, n_refused, n_bad);
		result(n_bad == 0 && n_load > 0 && n_seq > 0,
		       "xcheck_capstone");
	}
	cs_close(&cs);
	return failed;
}
