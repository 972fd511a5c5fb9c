/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the decoder's pieces: LEB128 flow coding, capstone
 * instruction splitting (with unknown instructions), block interning,
 * the perf-style thread stack, CPU parsing, image reads, branch targets,
 * transition counts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hwt/decode.h"
#include "core/util.h"
#include "image/dwarf.h"
#include "image/image.h"
#include "image/insn.h"
#include "core/blocks.h"
#include "core/edges.h"
#include "core/callstack.h"
#include "core/flow.h"
#include "db/calls_vtab.h"
#include "db/db.h"
#include <sqlite3.h>
#include <intel-pt.h>

static int failed;

static void check(const char *name, int ok)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		failed = 1;
}

static void test_uleb(void)
{
	static const uint64_t v[] = { 0, 1, 127, 128, 300, 1ull << 35,
				      UINT64_MAX };
	uint8_t buf[16];
	size_t i;
	int ok = 1;

	for (i = 0; i < HWT_ARRAY_SIZE(v); i++) {
		uint64_t r = 0;
		size_t n = hwt_uleb_put(buf, v[i]);

		ok &= hwt_uleb_get(buf, n, &r) == n && r == v[i];
		/* Truncated input is refused, never read past. */
		ok &= n < 2 || hwt_uleb_get(buf, n - 1, &r) == 0;
	}
	check("uleb-roundtrip-and-truncation", ok);
}

/* Reads the 32 bytes at 0x1000 that ipt_class() decodes. */
static int ipt_read(uint8_t *buffer, size_t size, const struct pt_asid *asid,
		    uint64_t ip, void *context)
{
	const uint8_t *mem = context;

	(void)asid;
	if (ip < 0x1000 || ip - 0x1000 >= 32)
		return -pte_nomap;
	if (size > 32 - (ip - 0x1000))
		size = 32 - (size_t)(ip - 0x1000);
	memcpy(buffer, mem + (ip - 0x1000), size);
	return (int)size;
}

/* libipt's class of the one x86-64 instruction in code (at 0x1000),
 * ground truth for the fast path's: its instruction decoder on a PSB+
 * whose FUP is there (the instruction comes back even where its next IP
 * needs trace).  Returns the pt_insn_class, or -1. */
static int ipt_class(const uint8_t *code, size_t len)
{
	uint8_t trace[64], mem[32];
	struct pt_insn_decoder *dec;
	struct pt_encoder *enc;
	struct pt_config cfg;
	struct pt_packet p[4];
	struct pt_insn insn;
	uint64_t off = 0;
	int i, rc = 0, st;

	memset(p, 0, sizeof(p));
	p[0].type = ppt_psb;
	p[1].type = ppt_mode;
	p[1].payload.mode.leaf = pt_mol_exec;
	p[1].payload.mode.bits.exec.csl = 1;
	p[2].type = ppt_fup;
	p[2].payload.ip.ipc = pt_ipc_sext_48;
	p[2].payload.ip.ip = 0x1000;
	p[3].type = ppt_psbend;
	pt_config_init(&cfg);
	cfg.begin = trace;
	cfg.end = trace + sizeof(trace);
	enc = pt_alloc_encoder(&cfg);
	if (!enc)
		return -1;
	for (i = 0; i < 4; i++)
		rc |= pt_enc_next(enc, &p[i]) < 0;
	rc |= pt_enc_get_offset(enc, &off) < 0;
	pt_free_encoder(enc);
	if (rc || len > sizeof(mem))
		return -1;
	memset(mem, 0x90, sizeof(mem));
	memcpy(mem, code, len);
	cfg.end = trace + off;
	dec = pt_insn_alloc_decoder(&cfg);
	if (!dec)
		return -1;
	memset(&insn, 0, sizeof(insn));
	st = pt_image_set_callback(pt_insn_get_image(dec), ipt_read, mem);
	if (st >= 0)
		st = pt_insn_sync_forward(dec);
	while (st >= 0 && (st & pts_event_pending)) {
		struct pt_event ev;

		st = pt_insn_event(dec, &ev, sizeof(ev));
	}
	if (st >= 0)
		pt_insn_next(dec, &insn, sizeof(insn));
	pt_insn_free_decoder(dec);
	return insn.ip == 0x1000 && insn.size == len ? (int)insn.iclass : -1;
}

/* The fast path's word on an instruction against libipt's class: a
 * special far branch of the same kind, or (plain) one it walks through
 * (not special, or special and plain) that libipt calls ptic_other. */
static int special_as_libipt(struct hwt_disasm *d, const char *bytes,
			     size_t len, int plain)
{
	static const int far[] = {
		[ptic_far_call] = HWT_IC_FAR_CALL,
		[ptic_far_return] = HWT_IC_FAR_RET,
		[ptic_far_jump] = HWT_IC_FAR_JUMP,
	};
	struct hwt_insn_info in;
	int c = ipt_class((const uint8_t *)bytes, len);

	if (c < 0 || hwt_insn_decode(d, HWT_ISA_X86_64,
				     (const uint8_t *)bytes, len, 0x1000,
				     &in) != (int)len)
		return 0;
	if (plain)
		return (!in.special || in.plain) && !in.far &&
		       c == ptic_other;
	return in.special && !in.plain && (size_t)c < HWT_ARRAY_SIZE(far) &&
	       far[c] && in.far == far[c];
}

static void test_insn(void)
{
	struct hwt_disasm *d = hwt_disasm_alloc();
	/* nop; ptwrite eax (unknown to capstone 4); mov eax, 1; ret */
	static const uint8_t code[] = { 0x90, 0xf3, 0x0f, 0xae, 0xe0, 0xb8,
					0x01, 0, 0, 0, 0xc3, 0xcc, 0xcc };
	uint8_t lens[4];
	struct hwt_insn_info in;

	check("insn-lengths-plain",
	      hwt_insn_lengths(d, HWT_ISA_X86_64, code + 5, 8, 0x1005, 0x100a,
			       2, lens) == 0 && lens[0] == 5 && lens[1] == 1);
	check("insn-lengths-unknown-insn-inferred",
	      hwt_insn_lengths(d, HWT_ISA_X86_64, code, sizeof(code), 0x1000,
			       0x100a, 4, lens) == 0 && lens[0] == 1 &&
	      lens[1] == 4 && lens[2] == 5 && lens[3] == 1);
	check("insn-lengths-inconsistent-refused",
	      hwt_insn_lengths(d, HWT_ISA_X86_64, code + 5, 8, 0x1005, 0x1009,
			       2, lens) < 0);
	{
		/* vpcmpb k1, ymm16, [rdi], 0; kmovd eax, k1; vpcmpeqb k0,
		 * ymm16, [rdi]; kortestd k1, k0 (capstone 4.0.2 knows none),
		 * jne; then padding: lengths by libipt, the last one too. */
		static const uint8_t evex[] = {
			0x62, 0xf3, 0x7d, 0x20, 0x3f, 0x0f, 0x00,
			0xc5, 0xfb, 0x93, 0xc1,
			0x62, 0xf1, 0x7d, 0x20, 0x74, 0x07,
			0xc4, 0xe1, 0xf9, 0x98, 0xc8,
			0x75, 0x10, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
			0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
		uint8_t el[5], el6[6], ret[sizeof(evex)];

		check("insn-lengths-evex-by-libipt",
		      hwt_insn_lengths(d, HWT_ISA_X86_64, evex, sizeof(evex),
				       0x2000, 0x2016, 5, el) == 0 &&
		      el[0] == 7 && el[1] == 4 && el[2] == 6 && el[3] == 5 &&
		      el[4] == 2);
		check("insn-lengths-evex-last-by-libipt",
		      hwt_insn_lengths_ipt(HWT_ISA_X86_64, evex, sizeof(evex),
					   0x2000, 0x2011, 4, el) == 0 &&
		      el[3] == 5);
		/* The last one a return the made-up trace cannot follow
		 * (jne 0x10 replaced by ret; push rax): its length all the
		 * same. */
		memcpy(ret, evex, sizeof(evex));
		ret[22] = 0x50;
		ret[23] = 0xc3;
		check("insn-lengths-libipt-last-ret",
		      hwt_insn_lengths_ipt(HWT_ISA_X86_64, ret, sizeof(ret),
					   0x2000, 0x2017, 6, el6) == 0 &&
		      el6[4] == 1 && el6[5] == 1);
		check("insn-lengths-libipt-inconsistent-refused",
		      hwt_insn_lengths_ipt(HWT_ISA_X86_64, evex, sizeof(evex),
					   0x2000, 0x2012, 4, el) < 0);
	}
	check("insn-lengths-a64-fixed",
	      hwt_insn_lengths(d, HWT_ISA_A64, NULL, 0, 0x1000, 0x100c, 4,
			       lens) == 0 && lens[3] == 4);
	/* call rel32 / jmp rax / jne rel8 / syscall classes */
	check("insn-decode-call",
	      hwt_insn_decode(d, HWT_ISA_X86_64,
			      (const uint8_t *)"\xe8\x10\x00\x00\x00", 5,
			      0x1000, &in) == 5 && in.iclass == HWT_IC_CALL &&
	      in.target == 0x1015);
	check("insn-decode-ind-jump",
	      hwt_insn_decode(d, HWT_ISA_X86_64, (const uint8_t *)"\xff\xe0",
			      2, 0x1000, &in) == 2 &&
	      in.iclass == HWT_IC_IND_JUMP);
	check("insn-decode-cond",
	      hwt_insn_decode(d, HWT_ISA_X86_64, (const uint8_t *)"\x75\x02",
			      2, 0x1000, &in) == 2 &&
	      in.iclass == HWT_IC_COND_JUMP && in.target == 0x1004);
	check("insn-decode-syscall-special",
	      hwt_insn_decode(d, HWT_ISA_X86_64, (const uint8_t *)"\x0f\x05",
			      2, 0x1000, &in) == 2 && in.special);
	/* LOOP rel8 branches on rCX (SDM Vol. 2A, "LOOP/LOOPcc"): the
	 * fast path must not walk on as if it were no branch (capstone 4
	 * put it in no branch group). */
	check("insn-decode-loop-special",
	      hwt_insn_decode(d, HWT_ISA_X86_64, (const uint8_t *)"\xe2\xfe",
			      2, 0x1000, &in) == 2 && in.special);
	/* vpcmpb k1, ymm16, [rdi], 0 (EVEX, 7 bytes as libipt says above):
	 * no branch, the fast path goes on. */
	check("insn-decode-evex",
	      hwt_insn_decode(d, HWT_ISA_X86_64,
			      (const uint8_t *)"\x62\xf3\x7d\x20\x3f\x0f\x00",
			      7, 0x1000, &in) == 7 && !in.special &&
	      in.iclass == HWT_IC_OTHER);
	/* sti, jne rel16/32 with an operand-size prefix, iretq */
	check("insn-decode-sti-special",
	      hwt_insn_decode(d, HWT_ISA_X86_64, (const uint8_t *)"\xfb",
			      1, 0x1000, &in) == 1 && in.special);
	check("insn-decode-opsize-jcc-special",
	      hwt_insn_decode(d, HWT_ISA_X86_64,
			      (const uint8_t *)"\x66\x0f\x85\x10\x00\x00\x00",
			      7, 0x1000, &in) > 0 && in.special);
	/* Far branches the fast path follows with their TIP, and kernel
	 * code's plain system instructions it walks through: as libipt
	 * classes them.  syscall, sysret, sysenter, sysexit, int 0x80,
	 * int3, iretq, retf, call far [rax], jmp far [rax]; swapgs, cli,
	 * sti, rdmsr, wrmsr, mov cr3 rax, in al dx, out dx al. */
	{
		static const struct {
			const char *b;
			size_t len;
			int plain;
		} sp[] = {
			{ "\x0f\x05", 2, 0 }, { "\x48\x0f\x07", 3, 0 },
			{ "\x0f\x34", 2, 0 }, { "\x0f\x35", 2, 0 },
			{ "\xcd\x80", 2, 0 }, { "\xcc", 1, 0 },
			{ "\x48\xcf", 2, 0 }, { "\xcb", 1, 0 },
			{ "\xff\x18", 2, 0 }, { "\xff\x28", 2, 0 },
			{ "\x0f\x01\xf8", 3, 1 }, { "\xfa", 1, 1 },
			{ "\xfb", 1, 1 }, { "\x0f\x32", 2, 1 },
			{ "\x0f\x30", 2, 1 }, { "\x0f\x22\xd8", 3, 1 },
			{ "\xec", 1, 1 }, { "\xee", 1, 1 },
		};
		int ok = 1;

		for (size_t k = 0; k < HWT_ARRAY_SIZE(sp); k++)
			if (!special_as_libipt(d, sp[k].b, sp[k].len,
					       sp[k].plain)) {
				fprintf(stderr, "unit: instruction %zu of "
					"the far/plain list\n", k);
				ok = 0;
			}
		check("insn-decode-far-and-plain-as-libipt", ok);
	}
	/* What stays libipt's: neither far nor plain (vmlaunch, xbegin,
	 * loop, ud2, hlt). */
	{
		static const struct {
			const char *b;
			size_t len;
		} lv[] = {
			{ "\x0f\x01\xc2", 3 },
			{ "\xc7\xf8\x00\x00\x00\x00", 6 },
			{ "\xe2\xfe", 2 }, { "\x0f\x0b", 2 }, { "\xf4", 1 },
		};
		int ok = 1;

		for (size_t k = 0; k < HWT_ARRAY_SIZE(lv); k++)
			ok = ok && hwt_insn_decode(d, HWT_ISA_X86_64,
					(const uint8_t *)lv[k].b, lv[k].len,
					0x1000, &in) == (int)lv[k].len &&
			     in.special && !in.far && !in.plain;
		check("insn-decode-special-stays-libipts", ok);
	}
	check("insn-class-iretq-far-ret",
	      hwt_insn_class(d, HWT_ISA_X86_64, (const uint8_t *)"\x48\xcf",
			     2, 0x1000) == HWT_IC_FAR_RET);
	check("insn-class-ret-imm",
	      hwt_insn_class(d, HWT_ISA_X86_64,
			     (const uint8_t *)"\xc2\x08\x00", 3, 0x1000) ==
	      HWT_IC_RET);
	hwt_disasm_free(d);
}

static void test_blocks(void)
{
	struct hwt_blocks *b = hwt_blocks_alloc();
	int n1, n2, n3, ok = 1;
	uint32_t a, a2, c, i;

	a = hwt_blocks_intern(b, 0x1000, 0x1010, 3, HWT_ISA_X86_64, 0, 0, &n1);
	c = hwt_blocks_intern(b, 0x2000, 0x2004, 2, HWT_ISA_X86_64, 0, 0, &n2);
	a2 = hwt_blocks_intern(b, 0x1000, 0x1010, 3, HWT_ISA_X86_64, 0, 0, &n3);
	ok &= n1 && n2 && !n3 && a == a2 && a != c;
	/* Same start, other end: another block. */
	ok &= hwt_blocks_intern(b, 0x1000, 0x1008, 2, HWT_ISA_X86_64, 0, 0,
				&n1) != a && n1;
	for (i = 0; i < 5000; i++)	/* growth keeps ids */
		hwt_blocks_intern(b, 0x10000 + 16 * i, 0x10000 + 16 * i, 1,
				  HWT_ISA_X86_64, 0, 0, &n1);
	ok &= hwt_blocks_intern(b, 0x2000, 0x2004, 2, HWT_ISA_X86_64, 0, 0,
				&n1) == c && !n1;
	ok &= hwt_blocks_get(b, c)->ip == 0x2000 && !hwt_blocks_get(b, 0);
	/* Another process's image (address space 1): another block, met
	 * again as itself, right after the same address in space 0 too. */
	i = hwt_blocks_intern(b, 0x1000, 0x1010, 3, HWT_ISA_X86_64, 0, 1, &n1);
	ok &= n1 && i != a && hwt_blocks_get(b, i)->space == 1;
	ok &= hwt_blocks_intern(b, 0x1000, 0x1010, 3, HWT_ISA_X86_64, 0, 0,
				&n1) == a && !n1;
	ok &= hwt_blocks_intern(b, 0x1000, 0x1010, 3, HWT_ISA_X86_64, 0, 1,
				&n1) == i && !n1;
	check("blocks-intern", ok);
	hwt_blocks_free(b);
}

/* Call rows as a call stack writes them, in the order they end; the
 * symbol of each call path. */
struct rows {
	struct hwt_calls_slots sl;	/* first: rows_slot() finds rows */
	struct hwt_calls_rec r[64];
	uint32_t sym[64];
	int n;
};

/* The stored fields of a row (calls_vtab.h's order). */
#define ROW_ID(x)	((x).v[0])
#define ROW_PATH(x)	((x).v[2])
#define ROW_INSNS(x)	((x).v[6] - (x).v[5])
#define ROW_PARENT(x)	((x).v[8])
#define ROW_FLAGS(x)	((x).v[9])
#define ROW_SYM(rs, i)	((rs).sym[ROW_PATH((rs).r[i]) & 63])

/* No slot is ever made (cap 0), so every row comes here: the next
 * record, in the order the rows come.  Returns it. */
static struct hwt_calls_rec *rows_slot(struct hwt_calls_slots *sl,
				       uint64_t id)
{
	static struct hwt_calls_rec spill;
	struct rows *rs = (struct rows *)sl;

	(void)id;
	return rs->n < 64 ? &rs->r[rs->n++] : &spill;
}

static int out_cp(void *arg, uint64_t id, uint64_t parent, uint32_t sym,
		  uint64_t ip)
{
	struct rows *rs = arg;

	(void)parent; (void)ip;
	if (id < 64)
		rs->sym[id] = sym;
	return 0;
}

static void test_callstack(void)
{
	struct hwt_callpaths *cp = hwt_callpaths_alloc();
	uint64_t next = 1;
	struct rows rs = { .sl.slow = rows_slot };
	struct hwt_callstack *cs = hwt_callstack_alloc(cp, &next, &rs.sl, 1,
						       out_cp, &rs);
	size_t n;
	const uint64_t *calls;

	/* main(1) calls f(2) at 0x100a -> f returns to 0x100f; f tail-jumps
	 * to g(3); g returns to main; then a return to an unseen caller
	 * (4) ends main. */
	hwt_callstack_block(cs, 0x1000, 1, 1, 0x100a, 5, 3, HWT_IC_CALL, 0, 0);
	hwt_callstack_block(cs, 0x2000, 2, 1, 0x2004, 5, 2, HWT_IC_JUMP, 3, 0);
	hwt_callstack_block(cs, 0x3000, 3, 1, 0x3002, 1, 2, HWT_IC_RET, 5, 0);
	hwt_callstack_block(cs, 0x100f, 1, 0, 0x1010, 1, 2, HWT_IC_RET, 7, 0);
	hwt_callstack_block(cs, 0x4010, 4, 0, 0x4010, 1, 1, HWT_IC_OTHER, 9,
			    0);
	hwt_callstack_reset(cs, 10, 0);
	calls = hwt_callstack_calls(cs, &n);
	check("callstack-counts", n > 4 && calls[1] == 1 && calls[2] == 1 &&
	      calls[3] == 1 && calls[4] == 1);
	/* Rows in pop order: f (tail-called away), g (returned, non-call),
	 * main (returned to an unseen caller), 4 (open at the end). */
	check("callstack-rows", rs.n == 4 && ROW_SYM(rs, 0) == 2 &&
	      ROW_SYM(rs, 1) == 3 &&
	      (ROW_FLAGS(rs.r[1]) & HWT_CALL_NON_CALL) && ROW_SYM(rs, 2) == 1 &&
	      (ROW_FLAGS(rs.r[2]) & HWT_CALL_NO_CALL) && ROW_SYM(rs, 3) == 4 &&
	      (ROW_FLAGS(rs.r[3]) & HWT_CALL_NO_RETURN) &&
	      ROW_PARENT(rs.r[1]) == ROW_ID(rs.r[2]) &&
	      ROW_INSNS(rs.r[2]) == 9);
	hwt_callstack_free(cs);
	hwt_callpaths_free(cp);
}

/*
 * Tracing stopped right after main (symbol 1) called f (symbol 2, at
 * 0x2000): the next block starts at resume_ip, after a TIP.PGE there if
 * enable, after a gap if gap.
 * Returns 1 if f's frame is a call from main's, 2 if it is a new bottom
 * (its call not seen), 0 if f has none.
 */
static int stop_after_call(int enable, uint64_t resume_ip, int gap)
{
	struct hwt_callpaths *cp = hwt_callpaths_alloc();
	uint64_t next = 1;
	struct rows rs = { .sl.slow = rows_slot };
	struct hwt_callstack *cs = hwt_callstack_alloc(cp, &next, &rs.sl, 1,
						       out_cp, &rs);
	int i, r = 0;

	hwt_callstack_block(cs, 0x1000, 1, 1, 0x100a, 5, 3, HWT_IC_CALL, 0, 0);
	hwt_callstack_disable(cs, 0x2000);
	if (gap)
		hwt_callstack_break(cs);
	if (enable)
		hwt_callstack_enable(cs, resume_ip);
	hwt_callstack_block(cs, resume_ip, resume_ip == 0x2000 ? 2 : 1,
			    resume_ip == 0x2000, resume_ip + 4, 1, 2,
			    HWT_IC_OTHER, 3, 0);
	hwt_callstack_reset(cs, 5, 0);
	for (i = 0; i < rs.n; i++)
		if (ROW_SYM(rs, i) == 2)
			r = ROW_FLAGS(rs.r[i]) & HWT_CALL_NO_CALL ? 2 :
			    ROW_PARENT(rs.r[i]) && i + 1 < rs.n &&
			    ROW_PARENT(rs.r[i]) == ROW_ID(rs.r[i + 1]);
	hwt_callstack_free(cs);
	hwt_callpaths_free(cp);
	return r;
}

/* A stop (TIP.PGD) and what follows it (hwt_callstack_disable). */
static void test_callstack_stop(void)
{
	check("callstack-stop-pge-same-ip-calls",
	      stop_after_call(1, 0x2000, 0) == 1);
	check("callstack-stop-psb-fup-same-ip-calls",
	      stop_after_call(0, 0x2000, 0) == 1);
	check("callstack-stop-gap-between-new-bottom",
	      stop_after_call(0, 0x2000, 1) == 2);
	check("callstack-stop-pge-elsewhere-no-call",
	      stop_after_call(1, 0x1020, 0) == 0);
}

static void test_cpu(void)
{
	unsigned f, m, s;

	check("cpu-parse", hwt_parse_cpu("6/142/10", &f, &m, &s) == 0 &&
	      f == 6 && m == 142 && s == 10 &&
	      hwt_parse_cpu("0x6/0x9e", &f, &m, &s) == 0 && m == 0x9e &&
	      s == 0);
	check("cpu-parse-rejects", hwt_parse_cpu("banana", &f, &m, &s) < 0 &&
	      hwt_parse_cpu("6", &f, &m, &s) < 0 &&
	      hwt_parse_cpu("6/1/2/3", &f, &m, &s) < 0 &&
	      hwt_parse_cpu("6/-1", &f, &m, &s) < 0 &&
	      hwt_parse_cpu("6/300", &f, &m, &s) < 0);
}

static void test_image(void)
{
	char path[] = "/tmp/hwt-unit-XXXXXX", err[256];
	struct hwt_image *img = hwt_image_alloc();
	uint8_t buf[8];
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, "0123456789", 10) != 10) {
		check("image-raw", 0);
		return;
	}
	close(fd);
	check("image-raw", hwt_image_add_raw(img, path, 2, 4, 0x5000, err,
					     sizeof(err)) == 0 &&
	      hwt_image_read(img, 0x5001, buf, 8) == 3 &&
	      !memcmp(buf, "345", 3) && hwt_image_read(img, 0x5004, buf, 1) < 0);
	check("image-raw-offset-beyond-file",
	      hwt_image_add_raw(img, path, 10, 0, 0, err, sizeof(err)) < 0);
	check("image-not-elf", hwt_image_add_elf(img, path, 0, 0, err,
						 sizeof(err)) < 0 &&
	      strstr(err, "not an ELF"));
	unlink(path);
	hwt_image_free(img);
}

/* A view (hwt_image_add_view) of one of two files mapped at the same
 * address: it reads that file's bytes where the full image reads the
 * later one's, and keeps the full image's binary (its ids). */
static void test_image_view(void)
{
	char a[] = "/tmp/hwt-unit-XXXXXX", b[] = "/tmp/hwt-unit-XXXXXX";
	char err[256];
	struct hwt_image *img = hwt_image_alloc(), *view = hwt_image_alloc();
	const struct hwt_section *sa = NULL, *sv = NULL;
	uint8_t buf[4];
	int fa = mkstemp(a), fb = mkstemp(b), ok;

	ok = fa >= 0 && fb >= 0 && write(fa, "0123456789", 10) == 10 &&
	     write(fb, "abcdefghij", 10) == 10 &&
	     hwt_image_add_raw(img, a, 0, 10, 0x5000, err, sizeof(err)) == 0 &&
	     hwt_image_add_raw(img, b, 0, 10, 0x5000, err, sizeof(err)) == 0;
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	if (ok) {
		sa = hwt_image_section(img, 0);
		ok = hwt_image_add_view(view, sa) == 0;
		sv = hwt_image_section(view, 0);
	}
	check("image-view-reads-its-section", ok &&
	      hwt_image_read(img, 0x5002, buf, 2) == 2 &&
	      !memcmp(buf, "cd", 2) &&
	      hwt_image_read(view, 0x5002, buf, 2) == 2 &&
	      !memcmp(buf, "23", 2) && hwt_image_nsections(view) == 1);
	check("image-view-keeps-the-binary", sv && sv->bin == sa->bin &&
	      hwt_image_nbinaries(view) == 0);
	check("image-view-refused-on-a-full-image",
	      hwt_image_add_view(img, sa ? sa : &(struct hwt_section){ 0 })
	      == -1);
	hwt_image_free(view);
	hwt_image_free(img);
	unlink(a);
	unlink(b);
}

/* Direct branch targets, encodings from the Arm ARM (C6.2: B, BL,
 * B.cond, CBZ; RET, BR are indirect) and the Intel SDM (CALL rel32,
 * Jcc rel8; JMP r/m64 and RET indirect). */
static void test_insn_target(void)
{
	static const struct {
		int isa;
		uint32_t word;	/* A64: the instruction */
		uint8_t x86[5], n;
		uint64_t ip;
		int64_t want;	/* target - ip, or INT64_MIN: none */
	} t[] = {
		{ HWT_ISA_A64, 0x14000002, {0}, 4, 0x1000, 8 },	/* b +8 */
		{ HWT_ISA_A64, 0x97ffffff, {0}, 4, 0x1000, -4 },	/* bl -4 */
		{ HWT_ISA_A64, 0x54000081, {0}, 4, 0x1000, 16 },	/* b.ne +16 */
		{ HWT_ISA_A64, 0xb4000040, {0}, 4, 0x2000, 8 },	/* cbz x0, +8 */
		{ HWT_ISA_A64, 0xd65f03c0, {0}, 4, 0x1000, INT64_MIN },	/* ret */
		{ HWT_ISA_A64, 0xd61f0220, {0}, 4, 0x1000, INT64_MIN },	/* br x17 */
		{ HWT_ISA_A64, 0xd503201f, {0}, 4, 0x1000, INT64_MIN },	/* nop */
		{ HWT_ISA_X86_64, 0, { 0xe8, 0, 0, 0, 0 }, 5, 0x400000, 5 },
		{ HWT_ISA_X86_64, 0, { 0x75, 0xfe }, 2, 0x400000, 0 },
		{ HWT_ISA_X86_64, 0, { 0xff, 0xe0 }, 2, 0x400000, INT64_MIN },
		{ HWT_ISA_X86_64, 0, { 0xc3 }, 1, 0x400000, INT64_MIN },
	};
	struct hwt_disasm *d = hwt_disasm_alloc();
	size_t i;
	int ok = 1;

	for (i = 0; i < HWT_ARRAY_SIZE(t); i++) {
		uint8_t b[8];
		uint64_t got = 0;
		int rc;

		if (t[i].isa == HWT_ISA_A64) {
			b[0] = (uint8_t)t[i].word;
			b[1] = (uint8_t)(t[i].word >> 8);
			b[2] = (uint8_t)(t[i].word >> 16);
			b[3] = (uint8_t)(t[i].word >> 24);
		} else {
			memcpy(b, t[i].x86, t[i].n);
		}
		rc = hwt_insn_target(d, t[i].isa, b, t[i].n, t[i].ip, &got);
		if (t[i].want == INT64_MIN ? rc != -1 :
		    rc || got != t[i].ip + (uint64_t)t[i].want) {
			printf("  insn-target %zu: rc %d target 0x%llx\n", i,
			       rc, (unsigned long long)got);
			ok = 0;
		}
	}
	hwt_disasm_free(d);
	check("insn-direct-branch-targets", ok);
}

/* Transition counts: every (from, to, flags) keeps its own count across
 * the table's growth; the same pair with other flags is another edge. */
static void test_edges(void)
{
	struct hwt_edges *e = hwt_edges_alloc();
	const struct hwt_edge *v;
	uint64_t total = 0, want = 0;
	size_t i, n, seen = 0;
	uint32_t k;
	int ok = 1;

	for (k = 1; k <= 5000; k++)
		for (i = 0; i < k % 7 + 1; i++) {
			hwt_edges_add(e, k, k * 3 + 1, k & 3, 0);
			want++;
		}
	hwt_edges_add(e, 1, 4, 2, 0);	/* (1, 4) seen with flags 1 */
	want++;
	/* The second successor of some blocks, in the hash. */
	for (k = 1; k <= 5000; k += 3) {
		hwt_edges_add(e, k, k + 100000, 0, 0);
		hwt_edges_add(e, k, k + 100000, 0, 0);
		want += 2;
	}
	n = 0;
	while ((v = hwt_edges_next(e, &n))) {
		seen++;
		total += v->count;
		if (v->from == 1 && v->flags == 2)
			ok &= v->to == 4 && v->count == 1;
		else if (v->to == v->from + 100000)
			ok &= v->from % 3 == 1 && v->flags == 0 &&
			      v->count == 2;
		else
			ok &= v->to == v->from * 3 + 1 &&
			      v->flags == (v->from & 3) &&
			      v->count == v->from % 7 + 1;
	}
	ok &= seen == 5001 + 1667 && hwt_edges_count(e) == 5001 + 1667 &&
	       total == want;
	hwt_edges_free(e);
	check("edges-counts", ok);
}

/* The per-block shortcut: a plain edge counted by hwt_edges_hit once it
 * was added plain and sits in from's first ways; anything else (a third
 * successor, in the hash; an edge added with other flags or not plain) is
 * left to hwt_edges_add, and every (from, to, flags) is one edge. */
static void test_edges_hit(void)
{
	struct hwt_edges *e = hwt_edges_alloc();
	const struct hwt_edge *v;
	size_t n = 0, seen = 0;
	int ok = 1, i;

	ok &= !hwt_edges_hit(e, 7, 8);		/* nothing yet */
	hwt_edges_add(e, 7, 8, 1, 1);
	for (i = 0; i < 3; i++)
		ok &= hwt_edges_hit(e, 7, 8);
	ok &= !hwt_edges_hit(e, 7, 9);
	hwt_edges_add(e, 7, 9, 0, 1);
	ok &= hwt_edges_hit(e, 7, 9);
	hwt_edges_add(e, 7, 10, 1, 1);		/* third: the hash */
	ok &= !hwt_edges_hit(e, 7, 10);
	hwt_edges_add(e, 7, 10, 1, 1);
	hwt_edges_add(e, 7, 8, 1, 0);		/* same key, not plain */
	hwt_edges_add(e, 11, 12, 3, 0);		/* not plain */
	ok &= !hwt_edges_hit(e, 11, 12);
	hwt_edges_add(e, 11, 12, 1, 1);		/* other flags: other edge */
	ok &= hwt_edges_hit(e, 11, 12);
	while ((v = hwt_edges_next(e, &n))) {
		seen++;
		if (v->from == 7 && v->to == 8)
			ok &= v->flags == 1 && v->count == 5;
		else if (v->from == 7 && v->to == 9)
			ok &= v->flags == 0 && v->count == 2;
		else if (v->from == 7 && v->to == 10)
			ok &= v->flags == 1 && v->count == 2;
		else if (v->from == 11 && v->flags == 3)
			ok &= v->to == 12 && v->count == 1;
		else
			ok &= v->from == 11 && v->to == 12 && v->flags == 1 &&
			      v->count == 2;
	}
	ok &= seen == 5 && hwt_edges_count(e) == 5;
	hwt_edges_free(e);
	check("edges-hit", ok);
}

/* Block counts in the same records: each id's own count, across the
 * records' growth (hwt_edges_add and hwt_edges_reserve move them), 0 for
 * ids never counted or past the records; and the record's keys as the
 * core's loop reads them: a plain edge's to, 0 for one not plain. */
static void test_edges_blocks(void)
{
	struct hwt_edges *e = hwt_edges_alloc();
	uint32_t k;
	int ok = 1;

	for (k = 1; k <= 3000; k++) {
		uint32_t j;

		for (j = 0; j < k % 5; j++)
			hwt_edges_count_block(e, k);
		if (k % 7 == 0)
			hwt_edges_add(e, k * 2, k, 0, 1);	/* grows */
	}
	hwt_edges_reserve(e, 100000);
	for (k = 1; k <= 3000; k++)
		ok &= hwt_edges_block_count(e, k) == k % 5;
	ok &= hwt_edges_block_count(e, 0) == 0 &&
	      hwt_edges_block_count(e, 99999) == 0 &&
	      hwt_edges_block_count(e, 4000000000u) == 0;
	hwt_edges_add(e, 5, 6, 1, 0);
	hwt_edges_add(e, 5, 7, 0, 1);
	ok &= e->rec[5].key[0] == 0 && e->rec[5].key[1] == 7 &&
	      e->rec[5].ecount[0] == 1 && e->rec[5].ecount[1] == 1;
	hwt_edges_add(e, 5, 6, 1, 1);	/* now seen plain */
	ok &= e->rec[5].key[0] == 6 && e->rec[5].ecount[0] == 2 &&
	      hwt_edges_hit(e, 5, 6) && e->rec[5].ecount[0] == 3 &&
	      !hwt_edges_hit(e, 5, 0);
	hwt_edges_free(e);
	check("edges-block-counts", ok);
}

/* Rows of the calls table's chunks: every value, however far from the
 * row before, comes back; damaged data is refused, never read past. */
static void test_calls_chunk(void)
{
	static struct hwt_calls_rec rows[5], got[5];
	uint8_t buf[5 * HWT_CALLS_ROW_MAX + 1];
	struct hwt_calls_rec prev;
	size_t len = 0, i, cut[5];
	int ok = 1, f;

	for (i = 0; i < 5; i++)
		for (f = 0; f < HWT_CALLS_FIELDS; f++)
			rows[i].v[f] = i == 1 ? UINT64_MAX : i == 2 ? 0 :
				       i == 3 ? 1ull << 63 :
				       (uint64_t)(f + 1) * 1000003 * (i + 1);
	memset(&prev, 0, sizeof(prev));
	for (i = 0; i < 5; i++) {
		len += hwt_calls_encode(buf + len, &prev, &rows[i]);
		cut[i] = len;
	}
	ok &= hwt_calls_decode(buf, len, 5, got) == 0 &&
	      !memcmp(got, rows, sizeof(rows));
	check("calls-chunk-roundtrip", ok);
	/* Every shorter piece, a byte more, a row more or less. */
	for (i = 0; i < len; i++)
		ok &= hwt_calls_decode(buf, i, 5, got) < 0;
	buf[len] = 0;
	ok &= hwt_calls_decode(buf, len + 1, 5, got) < 0;
	ok &= hwt_calls_decode(buf, len, 4, got) < 0;
	ok &= hwt_calls_decode(buf, cut[3], 4, got) == 0;
	/* A LEB128 of more than 64 bits. */
	memset(buf, 0xff, 10);
	buf[10] = 0;
	ok &= hwt_calls_decode(buf, HWT_CALLS_ROW_MAX, 1, got) < 0;
	memset(buf, 0x80, 9);
	buf[9] = 2;
	ok &= hwt_calls_decode(buf, 10, 1, got) < 0;
	check("calls-chunk-damaged-refused", ok);
}

/* The calls table read back through the module: its rows, insn_count as
 * return_insn - call_insn, a lookup by id, and a damaged chunk as an
 * error. */
static void test_calls_vtab(void)
{
	struct hwt_calls_rec r[3], prev;
	uint8_t buf[3 * HWT_CALLS_ROW_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0, i;
	int ok, n = 0, rc;

	memset(r, 0, sizeof(r));
	memset(&prev, 0, sizeof(prev));
	for (i = 0; i < 3; i++) {
		r[i].v[0] = 10 - i;		/* id */
		r[i].v[1] = 1;			/* thread */
		r[i].v[5] = 100 * i;		/* call_insn */
		r[i].v[6] = 100 * i + 7 + i;	/* return_insn */
		r[i].v[8] = i ? 10 : 0;		/* parent */
		len += hwt_calls_encode(buf + len, &prev, &r[i]);
	}
	ok = sqlite3_open(":memory:", &db) == SQLITE_OK &&
	     hwt_calls_vtab_register(db) == SQLITE_OK &&
	     sqlite3_exec(db, "CREATE TABLE call_chunks (id INTEGER PRIMARY "
			  "KEY, min_id, max_id, n, data); CREATE VIRTUAL "
			  "TABLE calls USING hwt_calls;", NULL, NULL,
			  NULL) == SQLITE_OK &&
	     sqlite3_prepare_v2(db, "INSERT INTO call_chunks (min_id, "
				"max_id, n, data) VALUES (8, 10, 3, ?)", -1,
				&st, NULL) == SQLITE_OK &&
	     sqlite3_bind_blob(st, 1, buf, (int)len, SQLITE_STATIC) ==
	     SQLITE_OK && sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	st = NULL;
	ok = ok && sqlite3_prepare_v2(db, "SELECT id, insn_count, "
				      "parent_call_id, comm_id FROM calls "
				      "ORDER BY id", -1, &st, NULL) ==
		   SQLITE_OK;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = 2 - (size_t)n++;
		ok = sqlite3_column_int64(st, 0) == (sqlite3_int64)(10 - i) &&
		     sqlite3_column_int64(st, 1) == (sqlite3_int64)(7 + i) &&
		     sqlite3_column_int64(st, 2) == (i ? 10 : 0) &&
		     sqlite3_column_int64(st, 3) == 0;
	}
	ok = ok && rc == SQLITE_DONE && n == 3;
	sqlite3_finalize(st);
	st = NULL;
	ok = ok && sqlite3_prepare_v2(db, "SELECT call_insn FROM calls WHERE "
				      "id = 9", -1, &st, NULL) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_ROW &&
	     sqlite3_column_int64(st, 0) == 100 &&
	     sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	st = NULL;
	check("calls-vtab-rows", ok);
	/* One byte fewer: the query fails with the module's word. */
	ok = ok && sqlite3_exec(db, "UPDATE call_chunks SET data = "
				"substr(data, 1, length(data) - 1)", NULL,
				NULL, NULL) == SQLITE_OK &&
	     sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM calls", -1, &st,
				NULL) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_ERROR &&
	     strstr(sqlite3_errmsg(db), "damaged") != NULL;
	sqlite3_finalize(st);
	sqlite3_close(db);
	check("calls-vtab-damaged-chunk-fails", ok);
}

/* Call rows as the decoder hands them over (at returns: inner calls
 * first, a long call after its flush, one past the id slots, thousands
 * in reverse order) come out of each commit's chunks sorted by id, each
 * field where it belongs. */
static void test_calls_order(void)
{
	static const uint64_t big = 21 + 4 * 65536 + 5;
	char dir[] = "/tmp/hwt-unit-calls-XXXXXX", path[64], err[256];
	struct hwt_calls_rec *r;
	struct hwt_db *db;
	sqlite3 *rd = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t want[64 + 5000], id;
	size_t nw = 0, n = 0;
	int ok = 1, rc = SQLITE_ERROR;

	if (!mkdtemp(dir)) {
		check("calls-rows-sorted-per-commit", 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/x.db", dir);
	db = hwt_db_create(path, 0, 0, err, sizeof(err));
	ok = db != NULL;
	/* A row as a call stack writes it: each stored field in place. */
#define CALL(x) do {							\
		r = ok ? hwt_calls_slot(hwt_db_calls(db), (x)) : NULL;	\
		ok = ok && r != NULL;					\
		if (r) {						\
			memset(r, 0, sizeof(*r));			\
			r->v[0] = (x);					\
			r->v[1] = 1 + (x) % 2;				\
			r->v[5] = 3 * (x);				\
			r->v[6] = 3 * (x) + 1 + (x) % 7;		\
			r->v[8] = (x) / 2;				\
		}							\
	} while (0)
	/* Commit 1: 1 calls 2 .. 10 (nested: 10 returns first). */
	for (id = 10; id >= 2; id--)
		CALL(id);
	for (id = 2; id <= 10; id++)
		want[nw++] = id;
	ok = ok && hwt_db_commit(db) == 0;
	/* Commit 2: 1 returns; 11 .. 20 backwards; one past the slots. */
	CALL(big);
	for (id = 20; id >= 11; id--)
		CALL(id);
	CALL(1);
	want[nw++] = 1;
	for (id = 11; id <= 20; id++)
		want[nw++] = id;
	want[nw++] = big;
	ok = ok && hwt_db_commit(db) == 0;
	/* At the end: 5,000 backwards (two chunks). */
	for (id = big + 5000; id > big; id--)
		CALL(id);
#undef CALL
	for (id = big + 1; id <= big + 5000; id++)
		want[nw++] = id;
	ok = ok && hwt_db_finish(db, err, sizeof(err)) == 0;
	ok = ok && sqlite3_open_v2(path, &rd, SQLITE_OPEN_READONLY, NULL) ==
		   SQLITE_OK &&
	     hwt_calls_vtab_register(rd) == SQLITE_OK &&
	     sqlite3_prepare_v2(rd, "SELECT id, thread_id, call_insn, "
				"return_insn, parent_call_id FROM calls", -1,
				&st, NULL) == SQLITE_OK;
	while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = (uint64_t)sqlite3_column_int64(st, 0);
		ok = n < nw && id == want[n++] &&
		     sqlite3_column_int64(st, 1) == (sqlite3_int64)(1 + id % 2) &&
		     sqlite3_column_int64(st, 2) == (sqlite3_int64)(3 * id) &&
		     sqlite3_column_int64(st, 3) ==
		     (sqlite3_int64)(3 * id + 1 + id % 7) &&
		     sqlite3_column_int64(st, 4) == (sqlite3_int64)(id / 2);
	}
	ok = ok && rc == SQLITE_DONE && n == nw;
	sqlite3_finalize(st);
	st = NULL;
	/* The chunks: one per commit, the last split at 4,096 rows. */
	ok = ok && sqlite3_prepare_v2(rd, "SELECT group_concat(n) FROM "
				      "(SELECT n FROM call_chunks ORDER BY "
				      "id)", -1, &st, NULL) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_ROW &&
	     !strcmp((const char *)sqlite3_column_text(st, 0),
		     "9,12,4096,904");
	sqlite3_finalize(st);
	sqlite3_close(rd);
	unlink(path);
	rmdir(dir);
	check("calls-rows-sorted-per-commit", ok);
}

/* The descriptors this process has open.  Returns -1 if it cannot
 * tell. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The database keeps OUT.tmp open (its writeback started at each
 * commit): closed again whether the decode finishes (OUT complete, no
 * OUT.tmp left) or is abandoned (neither left). */
static void test_db_files_closed(void)
{
	char dir[] = "/tmp/hwt-unit-fds-XXXXXX", path[64], tmp[80];
	char err[256];
	struct hwt_db *db;
	int before, ok;

	if (!mkdtemp(dir)) {
		check("db-closes-its-files", 0);
		return;
	}
	snprintf(path, sizeof(path), "%s/x.db", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	before = open_fds();
	db = hwt_db_create(path, 0, 0, err, sizeof(err));
	ok = before > 0 && db && open_fds() > before &&
	     hwt_db_commit(db) == 0 &&
	     hwt_db_finish(db, err, sizeof(err)) == 0 &&
	     open_fds() == before && access(path, F_OK) == 0 &&
	     access(tmp, F_OK) < 0;
	unlink(path);
	db = ok ? hwt_db_create(path, 0, 0, err, sizeof(err)) : NULL;
	ok = ok && db && access(tmp, F_OK) == 0;
	hwt_db_abandon(db);
	ok = ok && open_fds() == before && access(tmp, F_OK) < 0 &&
	     access(path, F_OK) < 0;
	unlink(path);
	rmdir(dir);
	check("db-closes-its-files", ok);
}

/* .eh_frame's FDE ranges as read by hwt equal libdwarf's (the ground
 * truth they replace), range for range in order, on this test's own
 * binary and the C library it runs on. */
static void test_fde_ranges(void)
{
	static const char *const paths[] = {
		"/proc/self/exe", "/lib/x86_64-linux-gnu/libc.so.6",
		"/lib/aarch64-linux-gnu/libc.so.6",
		"/lib/x86_64-linux-gnu/libstdc++.so.6",
	};
	size_t i, files = 0, ranges = 0;
	int same = 1;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct hwt_range *a, *b;
		size_t na, nb;
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		na = hwt_dwarf_fde_ranges(fd, &a);
		nb = hwt_dwarf_fde_ranges_libdwarf(fd, &b);
		if (na != nb || (na && memcmp(a, b, na * sizeof(*a)))) {
			fprintf(stderr, "%s: %zu FDE ranges, libdwarf %zu\n",
				paths[i], na, nb);
			same = 0;
		}
		files++;
		ranges += na;
		free(a);
		free(b);
		close(fd);
	}
	check("fde_ranges/as-libdwarf", same && files >= 2 && ranges > 100);
}

int main(void)
{
	test_calls_chunk();
	test_calls_vtab();
	test_calls_order();
	test_db_files_closed();
	test_insn_target();
	test_edges();
	test_edges_hit();
	test_edges_blocks();
	test_uleb();
	test_insn();
	test_blocks();
	test_callstack();
	test_callstack_stop();
	test_cpu();
	test_image();
	test_image_view();
	test_fde_ranges();
	return failed;
}
