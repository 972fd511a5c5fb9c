// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * x86-64 instruction length and branch classifier (see x86_insn.h).
 *
 * Table driven after the Intel SDM Vol. 2 opcode maps (appendix A) and
 * AMD APM Vol. 3 (XOP).  The classifier runs in the single-step trap on
 * instructions the CPU has just executed, so it can be permissive about
 * encodings that would #UD: length rules are applied uniformly rather than
 * rejecting every reserved opcode.
 */
#include "x86_insn.h"

/* Per-opcode attributes: immediate kind in the low nibble, flags above. */
enum {
	I_NONE = 0,
	I_B,		/* imm8 */
	I_W,		/* imm16 */
	I_Z,		/* imm16/32 by operand size */
	I_V,		/* imm16/32/64 by operand size (MOV r, imm) */
	I_WB,		/* ENTER: imm16 + imm8 */
	I_MOFFS,	/* moffs: 64/32 by address size */
	I_REL8,		/* rel8 */
	I_RELZ,		/* rel32 (rel16 never in 64-bit mode, see below) */
	I_GRP3,		/* F6/F7: imm only for /0 and /1 */
};

#define M	0x10	/* has ModRM */
#define X	0x20	/* invalid in 64-bit mode */
#define P	0x40	/* prefix or escape: handled by the decoder */

static const uint8_t map1[256] = {
	/* 00 */ M, M, M, M, I_B, I_Z, X, X,
	/* 08 */ M, M, M, M, I_B, I_Z, X, P,
	/* 10 */ M, M, M, M, I_B, I_Z, X, X,
	/* 18 */ M, M, M, M, I_B, I_Z, X, X,
	/* 20 */ M, M, M, M, I_B, I_Z, P, X,
	/* 28 */ M, M, M, M, I_B, I_Z, P, X,
	/* 30 */ M, M, M, M, I_B, I_Z, P, X,
	/* 38 */ M, M, M, M, I_B, I_Z, P, X,
	/* 40 */ P, P, P, P, P, P, P, P,
	/* 48 */ P, P, P, P, P, P, P, P,
	/* 50 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 58 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 60 */ X, X, P, M, P, P, P, P,
	/* 68 */ I_Z, M | I_Z, I_B, M | I_B, 0, 0, 0, 0,
	/* 70 */ I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8,
	/* 78 */ I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8, I_REL8,
	/* 80 */ M | I_B, M | I_Z, X, M | I_B, M, M, M, M,
	/* 88 */ M, M, M, M, M, M, M, M,
	/* 90 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* 98 */ 0, 0, X, 0, 0, 0, 0, 0,
	/* a0 */ I_MOFFS, I_MOFFS, I_MOFFS, I_MOFFS, 0, 0, 0, 0,
	/* a8 */ I_B, I_Z, 0, 0, 0, 0, 0, 0,
	/* b0 */ I_B, I_B, I_B, I_B, I_B, I_B, I_B, I_B,
	/* b8 */ I_V, I_V, I_V, I_V, I_V, I_V, I_V, I_V,
	/* c0 */ M | I_B, M | I_B, I_W, 0, P, P, M | I_B, M | I_Z,
	/* c8 */ I_WB, 0, I_W, 0, 0, I_B, X, 0,
	/* d0 */ M, M, M, M, X, X, X, 0,
	/* d8 */ M, M, M, M, M, M, M, M,
	/* e0 */ I_REL8, I_REL8, I_REL8, I_REL8, I_B, I_B, I_B, I_B,
	/* e8 */ I_RELZ, I_RELZ, X, I_REL8, 0, 0, 0, 0,
	/* f0 */ P, 0, P, P, 0, 0, M | I_GRP3, M | I_GRP3,
	/* f8 */ 0, 0, 0, 0, 0, 0, M, M,
};

/* Two-byte map (0F xx).  0F 0F (3DNow!), 0F 38 and 0F 3A are escapes. */
static const uint8_t map2[256] = {
	/* 00 */ M, M, M, M, X, 0, 0, 0,
	/* 08 */ 0, 0, X, 0, X, M, 0, P,
	/* 10 */ M, M, M, M, M, M, M, M,
	/* 18 */ M, M, M, M, M, M, M, M,
	/* 20 */ M, M, M, M, X, X, X, X,
	/* 28 */ M, M, M, M, M, M, M, M,
	/* 30 */ 0, 0, 0, 0, 0, 0, X, 0,
	/* 38 */ P, X, P, X, X, X, X, X,
	/* 40 */ M, M, M, M, M, M, M, M,
	/* 48 */ M, M, M, M, M, M, M, M,
	/* 50 */ M, M, M, M, M, M, M, M,
	/* 58 */ M, M, M, M, M, M, M, M,
	/* 60 */ M, M, M, M, M, M, M, M,
	/* 68 */ M, M, M, M, M, M, M, M,
	/* 70 */ M | I_B, M | I_B, M | I_B, M | I_B, M, M, M, 0,
	/* 78 */ M, M, X, X, M, M, M, M,
	/* 80 */ I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ,
	/* 88 */ I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ, I_RELZ,
	/* 90 */ M, M, M, M, M, M, M, M,
	/* 98 */ M, M, M, M, M, M, M, M,
	/* a0 */ 0, 0, 0, M, M | I_B, M, M, M,
	/* a8 */ 0, 0, 0, M, M | I_B, M, M, M,
	/* b0 */ M, M, M, M, M, M, M, M,
	/* b8 */ M, M, M | I_B, M, M, M, M, M,
	/* c0 */ M, M, M | I_B, M, M | I_B, M | I_B, M | I_B, M,
	/* c8 */ 0, 0, 0, 0, 0, 0, 0, 0,
	/* d0 */ M, M, M, M, M, M, M, M,
	/* d8 */ M, M, M, M, M, M, M, M,
	/* e0 */ M, M, M, M, M, M, M, M,
	/* e8 */ M, M, M, M, M, M, M, M,
	/* f0 */ M, M, M, M, M, M, M, M,
	/* f8 */ M, M, M, M, M, M, M, M,
};

#undef M
#undef X
#undef P

const char *x86_br_name(unsigned int br)
{
	static const char *const names[X86_BR_NR] = {
		"none", "jcc", "jmp", "jmp*", "call", "call*", "ret", "retf",
		"syscall", "sysenter", "sysret", "int", "iret", "ljmp",
		"lcall", "ud",
	};

	return br < X86_BR_NR ? names[br] : "?";
}

struct dec {
	const uint8_t *b;
	size_t avail;
	size_t pos;
	int osz16;	/* 66 prefix */
	int asz32;	/* 67 prefix */
	int rex_w;
	int rep;	/* F2 or F3 */
};

static int dec_byte(struct dec *d, uint8_t *v)
{
	if (d->pos >= X86_INSN_MAX_LEN)
		return X86_INSN_EINVAL;
	if (d->pos >= d->avail)
		return X86_INSN_ETRUNC;
	*v = d->b[d->pos++];
	return 0;
}

static int dec_skip(struct dec *d, size_t n)
{
	if (d->pos + n > X86_INSN_MAX_LEN)
		return X86_INSN_EINVAL;
	if (d->pos + n > d->avail)
		return X86_INSN_ETRUNC;
	d->pos += n;
	return 0;
}

/* Sign-extended little-endian value of n (1 or 4) bytes ending at pos. */
static int32_t dec_rel(const struct dec *d, size_t n)
{
	const uint8_t *p = d->b + d->pos - n;

	if (n == 1)
		return (int8_t)p[0];
	if (n == 2)
		return (int16_t)(p[0] | p[1] << 8);
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* ModRM, SIB and displacement (32/64-bit addressing only). */
static int dec_modrm(struct dec *d, struct x86_insn_info *out, int reg_only)
{
	uint8_t modrm, sib, mod, rm;
	int err;

	err = dec_byte(d, &modrm);
	if (err)
		return err;
	out->modrm = modrm;
	out->has_modrm = 1;
	mod = modrm >> 6;
	rm = modrm & 7;
	/* MOV to/from CRn/DRn ignore mod: always a register operand. */
	if (mod == 3 || reg_only)
		return 0;
	if (rm == 4) {
		err = dec_byte(d, &sib);
		if (err)
			return err;
		if (mod == 0 && (sib & 7) == 5)
			return dec_skip(d, 4);
	} else if (mod == 0 && rm == 5) {
		out->flags |= X86_INSN_RIP_REL;
		return dec_skip(d, 4);
	}
	if (mod == 1)
		return dec_skip(d, 1);
	if (mod == 2)
		return dec_skip(d, 4);
	return 0;
}

static int dec_imm(struct dec *d, struct x86_insn_info *out, unsigned int kind)
{
	size_t n;
	int err;

	switch (kind) {
	case I_NONE:
		return 0;
	case I_B:
		return dec_skip(d, 1);
	case I_W:
		return dec_skip(d, 2);
	case I_Z:
		return dec_skip(d, d->osz16 && !d->rex_w ? 2 : 4);
	case I_V:
		n = d->rex_w ? 8 : d->osz16 ? 2 : 4;
		return dec_skip(d, n);
	case I_WB:
		return dec_skip(d, 3);
	case I_MOFFS:
		return dec_skip(d, d->asz32 ? 4 : 8);
	case I_REL8:
	case I_RELZ:
		/*
		 * A 66 prefix (without REX.W) makes a near branch 16-bit:
		 * rel16 and a target truncated to 16 bits.  That is AMD's
		 * behaviour (our machines are AMD); Intel CPUs ignore the
		 * prefix.  Compilers never emit it; capstone and objdump
		 * decode it as AMD does.
		 */
		if (d->osz16 && !d->rex_w)
			out->flags |= X86_INSN_OSZ16;
		n = kind == I_REL8 ? 1 : d->osz16 && !d->rex_w ? 2 : 4;
		err = dec_skip(d, n);
		if (!err)
			out->rel = dec_rel(d, n);
		return err;
	case I_GRP3:
		if ((out->modrm >> 3 & 7) > 1)
			return 0;
		return dec_skip(d, out->opcode == 0xf6 ? 1 :
			       d->osz16 && !d->rex_w ? 2 : 4);
	}
	return X86_INSN_EINVAL;
}

/* Immediate size of VEX/EVEX/legacy-SSE opcodes in maps 0F, 0F38, 0F3A. */
static unsigned int vex_imm(unsigned int map, uint8_t op)
{
	if (map == 3)
		return I_B;
	if (map == 1)
		return map2[op] & 0x0f;
	return I_NONE;
}

/* VEX (C4/C5), EVEX (62) and XOP (8F) encoded instructions. */
static int dec_vex(struct dec *d, struct x86_insn_info *out, uint8_t esc)
{
	uint8_t p0, p1, op;
	unsigned int map, imm;
	int err;

	err = dec_byte(d, &p0);
	if (err)
		return err;
	if (esc == 0xc5) {
		map = 1;
	} else {
		map = p0 & 0x1f;
		if (esc == 0x62)
			map &= 7;
		err = dec_byte(d, &p1);
		if (err)
			return err;
		if (esc == 0x62) {
			err = dec_skip(d, 1);
			if (err)
				return err;
			/* P0 bits 3:2 are zero, P1 bit 2 is one. */
			if ((p0 & 0x0c) || !(p1 & 0x04))
				return X86_INSN_EINVAL;
		}
	}
	err = dec_byte(d, &op);
	if (err)
		return err;
	out->opcode = op;
	if (esc == 0x8f) {
		if (map < 8 || map > 10)
			return X86_INSN_EINVAL;
		out->map = (uint8_t)map;
		imm = map == 8 ? I_B : map == 10 ? I_Z : I_NONE;
		d->osz16 = 0;
		d->rex_w = 0;
	} else {
		if (map < 1 || map > 3)
			return X86_INSN_EINVAL;
		out->map = (uint8_t)((esc == 0x62 ? 0x20 : 0x10) | map);
		imm = vex_imm(map, op);
		/* VZEROUPPER/VZEROALL have no ModRM. */
		if (esc != 0x62 && map == 1 && op == 0x77)
			return 0;
	}
	err = dec_modrm(d, out, 0);
	if (err)
		return err;
	return dec_imm(d, out, imm);
}

static void classify_map1(struct x86_insn_info *out)
{
	uint8_t op = out->opcode, reg = out->modrm >> 3 & 7;

	if ((op >= 0x70 && op <= 0x7f) || (op >= 0xe0 && op <= 0xe3))
		out->br = X86_BR_JCC;
	else if (op == 0xe8)
		out->br = X86_BR_CALL_REL;
	else if (op == 0xe9 || op == 0xeb)
		out->br = X86_BR_JMP_REL;
	else if (op == 0xc2 || op == 0xc3)
		out->br = X86_BR_RET;
	else if (op == 0xca || op == 0xcb)
		out->br = X86_BR_RET_FAR;
	else if (op == 0xcc || op == 0xcd || op == 0xf1)
		out->br = X86_BR_INT;
	else if (op == 0xcf)
		out->br = X86_BR_IRET;
	else if (op == 0xff && reg == 2)
		out->br = X86_BR_CALL_IND;
	else if (op == 0xff && reg == 3)
		out->br = X86_BR_FAR_CALL;
	else if (op == 0xff && reg == 4)
		out->br = X86_BR_JMP_IND;
	else if (op == 0xff && reg == 5)
		out->br = X86_BR_FAR_JMP;
}

static void classify_map2(struct x86_insn_info *out)
{
	switch (out->opcode) {
	case 0x05:
		out->br = X86_BR_SYSCALL;
		break;
	case 0x34:
		out->br = X86_BR_SYSENTER;
		break;
	case 0x07:
	case 0x35:
		out->br = X86_BR_SYSRET;
		break;
	case 0x0b:
	case 0xb9:
	case 0xff:
		out->br = X86_BR_UD;
		break;
	default:
		if (out->opcode >= 0x80 && out->opcode <= 0x8f)
			out->br = X86_BR_JCC;
	}
}

static int is_string_op(uint8_t op)
{
	return (op >= 0x6c && op <= 0x6f) || (op >= 0xa4 && op <= 0xa7) ||
	       (op >= 0xaa && op <= 0xaf);
}

int x86_insn_decode(const uint8_t *bytes, size_t avail,
		    struct x86_insn_info *out)
{
	struct dec d = { .b = bytes, .avail = avail };
	uint8_t op, rex = 0;
	unsigned int attr;
	int err;

	*out = (struct x86_insn_info){ 0 };
	for (;;) {
		err = dec_byte(&d, &op);
		if (err)
			return err;
		if (op >= 0x40 && op <= 0x4f) {
			rex = op;	/* counts only right before the opcode */
			continue;
		}
		if (op == 0x66)
			d.osz16 = 1;
		else if (op == 0x67)
			d.asz32 = 1;
		else if (op == 0xf2 || op == 0xf3)
			d.rep = 1;
		else if (op != 0xf0 && op != 0x26 && op != 0x2e &&
			 op != 0x36 && op != 0x3e && op != 0x64 && op != 0x65)
			break;
		rex = 0;
	}
	d.rex_w = (rex & 0x08) != 0;
	out->opcode = op;

	if (op == 0xc4 || op == 0xc5 || op == 0x62) {
		err = dec_vex(&d, out, op);
		goto done;
	}
	if (op == 0x8f) {
		if (d.pos >= d.avail)
			return X86_INSN_ETRUNC;
		if ((d.b[d.pos] & 0x1f) >= 8) {
			err = dec_vex(&d, out, op);
			goto done;
		}
	}
	if (op != 0x0f) {
		attr = map1[op];
		if (attr & 0x20)
			return X86_INSN_EINVAL;
		if (attr & 0x10) {
			err = dec_modrm(&d, out, 0);
			if (err)
				return err;
		}
		/* Far CALL/JMP take a memory operand only. */
		if (op == 0xff && out->modrm >= 0xc0 &&
		    ((out->modrm >> 3 & 7) == 3 || (out->modrm >> 3 & 7) == 5))
			return X86_INSN_EINVAL;
		err = dec_imm(&d, out, attr & 0x0f);
		if (err)
			return err;
		if (d.rep && is_string_op(op))
			out->flags |= X86_INSN_REP_STRING;
		classify_map1(out);
		goto done;
	}

	err = dec_byte(&d, &op);
	if (err)
		return err;
	out->opcode = op;
	if (op == 0x38 || op == 0x3a) {
		out->map = op == 0x38 ? 2 : 3;
		err = dec_byte(&d, &op);
		if (err)
			return err;
		out->opcode = op;
		err = dec_modrm(&d, out, 0);
		if (!err && out->map == 3)
			err = dec_skip(&d, 1);
		goto done;
	}
	if (op == 0x0f) {
		/* 3DNow!: ModRM operands, then the opcode as a suffix byte. */
		out->map = 4;
		err = dec_modrm(&d, out, 0);
		if (!err)
			err = dec_byte(&d, &out->opcode);
		goto done;
	}
	out->map = 1;
	attr = map2[op];
	if (attr & 0x20)
		return X86_INSN_EINVAL;
	if (attr & 0x10) {
		err = dec_modrm(&d, out, op >= 0x20 && op <= 0x23);
		if (err)
			return err;
	}
	err = dec_imm(&d, out, attr & 0x0f);
	/* SSE4a EXTRQ/INSERTQ immediate forms: two imm8. */
	if (!err && op == 0x78 && (d.osz16 || d.rep))
		err = dec_skip(&d, 2);
	if (err)
		return err;
	classify_map2(out);
done:
	if (err)
		return err;
	out->len = (uint8_t)d.pos;
	return (int)d.pos;
}
