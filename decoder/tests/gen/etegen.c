/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * etegen: synthetic ETE traces of one thread, cut into runs as a CPU-mode
 * recording of hwt_coresight cuts them, with ground truth.
 *
 * Hand-assembles a small A64 program at 0x400000 (a looping main, 16
 * functions with conditional branches, direct and indirect calls, SVCs,
 * returns), writes it as a raw image, then "executes" it: a walker
 * follows the code, chooses every conditional branch and indirect call
 * target by a seeded PRNG, records each executed instruction address (the
 * truth) and feeds every step to the soft backend's ETE encoder
 * (backends/soft/ete_enc.c, checked against OpenCSD by its own tests) as
 * the kernel stepper does.  Every --switch steps the thread is switched
 * out (an interrupt before the next instruction: an Exception element,
 * the pending atoms flushed) and its next run starts as the unit's
 * re-enable at the switch starts it: a fresh sync point (A-sync, Trace
 * Info, Trace On, Context with the tid, Address).  So every run decodes
 * on its own and the runs joined decode to the whole truth.
 *
 * --pad N puts N Ignore bytes (0x70, ETE "Ignore") before each run's sync
 * point, as hwt_coresight pads the TRBE pointer to TRBIDR.Align at each
 * re-enable.
 *
 * --tmc 1 writes ETMv4 (the encoder's ETMv4 mode) in TMC frames, trace
 * ID 0x10, as hwt_coresight's ETMv4 + TMC CPU mode stores it: each run
 * through a fresh formatter (the TMC restarted at the switch) by the
 * backend's own cs_fmt_put (backends/coresight/cs_tmc.c, checked
 * against OpenCSD's deformatter by test_tmc), completed by cs_fmt_flush
 * (the flush at the switch): every run whole frames.
 *
 * --etm4 1 writes the same ETMv4 raw, unformatted (for tmcmux, which
 * interleaves several units' runs in the frames of one shared TMC).
 *
 * usage: etegen OUTDIR --tid TID [--seed N] [--runs N] [--switch N]
 *               [--pad N] [--tmc 1] [--etm4 1]
 * Writes OUTDIR/{pt.bin,runs.txt,truth.txt,prog.bin,params.txt}: the ETE
 * (named pt.bin as ptgen's, for mkcpu.py), each run's first byte and
 * instruction, the executed addresses (%016llx lines, as hwt replay
 * --format addr prints them), the code, and the unit's registers as
 * session stream_params ("key=value" lines, lowercase names).
 * Exit status 0, or 1 with a message.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../backends/soft/a64_insn.c"
#include "../../../backends/soft/ete_enc.c"
#include "../../../backends/coresight/cs_tmc.c"

#define BASE	0x400000ull
#define NFUNC	16
#define FSIZE	16		/* instructions per function */

static uint32_t code[NFUNC * FSIZE];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static uint64_t fn_addr(unsigned int f)
{
	return BASE + 4ull * FSIZE * f;
}

/* A64 encodings (Arm ARM C6): B, BL, B.EQ, RET, BLR x1, SVC #0, NOP, ADD. */
static uint32_t a64_b(uint32_t op, uint64_t from, uint64_t to)
{
	return op | (uint32_t)(((int64_t)(to - from) / 4) & 0x3ffffff);
}

static uint32_t a64_beq(uint64_t from, uint64_t to)
{
	return 0x54000000u |
	       (uint32_t)((((int64_t)(to - from) / 4) & 0x7ffff) << 5);
}

#define A64_NOP		0xd503201fu
#define A64_ADD		0x91000400u	/* add x0, x0, #1 */
#define A64_RET		0xd65f03c0u
#define A64_BLR_X1	0xd63f0020u
#define A64_SVC		0xd4000001u

/*
 * Function f: add; b.eq over two; nop; add; bl f+1; svc (every third);
 * blr x1 (every fourth: a random later function); more adds; ret.  main
 * (f 0) ends in a branch back to its start instead.  Calls only go to
 * later functions: the depth is bounded.
 */
static void gen_program(void)
{
	unsigned int f, i;

	for (f = 0; f < NFUNC; f++) {
		uint32_t *c = &code[f * FSIZE];
		uint64_t a = fn_addr(f);

		for (i = 0; i < FSIZE; i++)
			c[i] = i % 2 ? A64_NOP : A64_ADD;
		c[1] = a64_beq(a + 4, a + 16);
		if (f + 1 < NFUNC)
			c[4] = a64_b(0x94000000u, a + 16, fn_addr(f + 1));
		if (f % 3 == 1)
			c[5] = A64_SVC;
		if (f % 4 == 2 && f + 2 < NFUNC)
			c[6] = A64_BLR_X1;
		c[FSIZE - 1] = f ? A64_RET : a64_b(0x14000000u,
						   a + 4 * (FSIZE - 1), a);
	}
}

struct out {
	uint8_t *b;
	size_t n, cap;
};

static void append(struct out *o, const struct ete_soft_out *e)
{
	if (o->n + e->len > o->cap) {
		o->cap = (o->n + e->len) * 2 + 4096;
		o->b = realloc(o->b, o->cap);
		if (!o->b)
			abort();
	}
	memcpy(o->b + o->n, e->buf, e->len);
	o->n += e->len;
}

/* The raw run o->b[from..] in TMC frames, appended to fo. */
static void frame_run(struct out *fo, const struct out *o, size_t from,
		      uint8_t id)
{
	size_t len = o->n - from, cap = cs_fmt_room(len);
	struct ete_soft_out e;
	struct cs_fmt fmt;
	uint8_t *b = malloc(cap);
	int n, m;

	if (!b)
		abort();
	cs_fmt_init(&fmt);
	n = cs_fmt_put(&fmt, id, o->b + from, len, b, cap);
	if (n < 0)
		abort();
	m = cs_fmt_flush(&fmt, b + n);
	e.buf = b;
	e.len = (size_t)(n + m);
	append(fo, &e);
	free(b);
}

static int usage(void)
{
	fprintf(stderr, "usage: etegen OUTDIR --tid TID [--seed N] "
		"[--runs N] [--switch N] [--pad N] [--tmc 1] [--etm4 1]\n");
	return 1;
}

static FILE *out_file(const char *dir, const char *name, const char *mode)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, mode);
	if (!f)
		fprintf(stderr, "etegen: %s: %s\n", path, strerror(errno));
	return f;
}

int main(int argc, char **argv)
{
	struct ete_soft_config cfg = { .trace_id = 0x10 };
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	struct ete_soft_state st;
	uint8_t buf[4 * ETE_SOFT_MAX_OUT];
	struct ete_soft_out e = { buf, sizeof(buf), 0 };
	struct out o = { 0 }, fo = { 0 }, *w = &o;
	uint64_t stack[NFUNC + 2], ip = fn_addr(0);
	unsigned int runs = 12, every = 400, tid = 0, sp = 0, pad = 0, r, k, i;
	unsigned int tmc = 0, etm4 = 0;
	size_t from;
	FILE *ft, *fr, *f;
	const char *dir;
	int err = 0, nregs;

	if (argc < 2)
		return usage();
	dir = argv[1];
	for (i = 2; i + 1 < (unsigned int)argc; i += 2) {
		unsigned long v = strtoul(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--tid"))
			tid = (unsigned int)v;
		else if (!strcmp(argv[i], "--seed"))
			rng ^= v * 0x2545f4914f6cdd1dull;
		else if (!strcmp(argv[i], "--runs"))
			runs = (unsigned int)v;
		else if (!strcmp(argv[i], "--switch"))
			every = (unsigned int)v;
		else if (!strcmp(argv[i], "--pad") && v <= sizeof(buf))
			pad = (unsigned int)v;
		else if (!strcmp(argv[i], "--tmc") && v <= 1)
			tmc = (unsigned int)v;
		else if (!strcmp(argv[i], "--etm4") && v <= 1)
			etm4 = (unsigned int)v;
		else
			return usage();
	}
	if (i != (unsigned int)argc || !tid || !runs || !every)
		return usage();
	if (tmc || etm4)
		cfg.flags |= ETE_SOFT_ETMV4;
	if (tmc)
		w = &fo;
	gen_program();
	ft = out_file(dir, "truth.txt", "w");
	fr = out_file(dir, "runs.txt", "w");
	if (!ft || !fr)
		return 1;
	for (r = 0, k = 0; r < runs && !err; r++) {
		/* the unit enabled at the switch: a sync point first */
		fprintf(fr, "%zu %u\n", w->n, k);
		from = o.n;
		ete_soft_init(&st, &cfg);
		memset(buf, 0x70, pad);
		e.len = pad;
		append(&o, &e);
		e.len = 0;
		err |= ete_soft_start(&st, ip, tid, 0, &e);
		append(&o, &e);
		for (i = 0; i < every && !err; i++, k++) {
			struct a64_insn_info in;
			unsigned int fi = (unsigned int)((ip - BASE) / 4 /
							 FSIZE);
			uint64_t next;

			a64_insn_decode(code[(ip - BASE) / 4], ip, &in);
			fprintf(ft, "%016llx\n", (unsigned long long)ip);
			e.len = 0;
			if (in.br == A64_BR_EXC) {
				/* SVC: back at the next instruction */
				err |= ete_soft_kernel_enter(&st, &in, &e);
				ip += 4;
				err |= ete_soft_kernel_exit(&st, ip, &e);
				append(&o, &e);
				continue;
			}
			switch (in.br) {
			case A64_BR_BCOND:
				next = rnd(2) ? in.target : ip + 4;
				break;
			case A64_BR_BL:
				stack[sp++] = ip + 4;
				next = in.target;
				break;
			case A64_BR_BLR:
				stack[sp++] = ip + 4;
				next = fn_addr(fi + 1 + rnd(NFUNC - fi - 1));
				break;
			case A64_BR_RET:
				next = stack[--sp];
				break;
			case A64_BR_B:
				next = in.target;
				break;
			default:
				next = ip + 4;
			}
			err |= ete_soft_step(&st, &in, next, &e);
			append(&o, &e);
			ip = next;
		}
		/* switched out before ip: Exception element, atoms out */
		e.len = 0;
		err |= ete_soft_kernel_enter(&st, NULL, &e);
		err |= ete_soft_flush(&st, &e);
		append(&o, &e);
		if (tmc)
			frame_run(&fo, &o, from, (uint8_t)cfg.trace_id);
	}
	if (err) {
		fprintf(stderr, "etegen: encoder error %d\n", err);
		return 1;
	}
	fclose(ft);
	fclose(fr);
	f = out_file(dir, "pt.bin", "wb");
	if (!f || fwrite(w->b, 1, w->n, f) != w->n || fclose(f))
		return 1;
	f = out_file(dir, "prog.bin", "wb");
	if (!f || fwrite(code, sizeof(code), 1, f) != 1 || fclose(f))
		return 1;
	f = out_file(dir, "params.txt", "w");
	if (!f)
		return 1;
	nregs = ete_soft_regs(&cfg, regs);
	for (i = 0; i < (unsigned int)nregs; i++) {
		char name[32];
		size_t j;

		for (j = 0; regs[i].name[j] && j < sizeof(name) - 1; j++)
			name[j] = (char)tolower((unsigned char)regs[i].name[j]);
		name[j] = 0;
		fprintf(f, "%s=0x%llx\n", name,
			(unsigned long long)regs[i].value);
	}
	free(o.b);
	free(fo.b);
	return fclose(f) ? 1 : 0;
}
