// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_enc unit tests: simulate single-stepped executions of generated x86-64
 * programs, feed every step to the encoder exactly as hwt_soft.ko does, and
 * decode the stream with libipt:
 *   - packet level (pt_pkt_*): every byte is a valid packet, PSB period;
 *   - flow level (pt_insn_* and pt_blk_* over a memory image): the decoded
 *     instruction sequence equals the simulated one (ground truth), with
 *     syscalls (one trap covers SYSCALL and the kernel), signals, REP
 *     strings, PIC call-next, filters (PGD/PGE at edges), return
 *     compression on/off, long/short TNT, loss (OVF) and desync;
 *   - every PSB decodes on its own (what a parallel decoder relies on).
 */
#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pt_enc.h"
#include "../../../tests/lib/u64vec.h"

static int fails;

static void result(int ok, const char *name)
{
	printf("%s: soft/pt_enc/%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		fails++;
}

/* ---- growable arrays ---- */

struct bytes {
	uint8_t *p;
	size_t n, cap;
};

static void bytes_add(struct bytes *b, const uint8_t *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* ---- deterministic PRNG ---- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* ---- generated program ---- */

#define NREG		2
#define NFUNC		8
#define REGION_SIZE	0x10000

static const uint64_t region_base[NREG] = {
	0x400000, 0x7f1234560000,
};

struct region {
	uint8_t code[REGION_SIZE];
	size_t len;
	uint64_t func[NFUNC];		/* entry IPs */
	uint64_t func_end[NFUNC];	/* one past */
};

static struct region regions[NREG];
static uint64_t restorer_syscall;	/* IP of the sigreturn SYSCALL */
static struct u64v pop_after_callnext;	/* "pop %rcx" after call-next */

/* Instruction kinds the generator lays out. */
enum { K_FILL, K_JCC, K_JMP, K_CALL, K_CALL_IND, K_JMP_IND, K_RET,
	K_SYSCALL, K_INT80, K_REP, K_CALLNEXT };

struct gen_insn {
	int kind;
	int target;	/* instruction index (JCC/JMP) or function (CALL) */
	uint32_t off;
	uint32_t len;
};

static const char *const fillers[] = {
	"90", "4889f8", "4883c005", "488d0510000000", "c5f9efc0",
	"660f1f440000", "f30f1efa", "62f1fe486f4001", "0fa2", "8fc1",
	"48b88877665544332211", "f6c101", "4d8b442408", "c4e27100c2",
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned int v;

	while (s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void emit(struct region *r, const uint8_t *p, size_t n)
{
	if (r->len + n > REGION_SIZE)
		abort();
	memcpy(r->code + r->len, p, n);
	r->len += n;
}

static void put32(uint8_t *p, int32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One function: random instruction kinds, then two passes for sizes and
 * displacements (rel8 where it fits). */
static void gen_function(struct region *r, int ri, int fi)
{
	struct gen_insn ins[64];
	int n = 10 + (int)rnd(40), i, pass;
	uint32_t start = (uint32_t)r->len;

	for (i = 0; i < n; i++) {
		uint32_t k = rnd(100);

		ins[i].target = 0;
		if (i == n - 1)
			ins[i].kind = K_RET;
		else if (k < 40)
			ins[i].kind = K_FILL, ins[i].target = (int)rnd(14);
		else if (k < 60)
			ins[i].kind = K_JCC, ins[i].target = (int)rnd((uint32_t)n);
		else if (k < 64)
			ins[i].kind = K_JMP,
			ins[i].target = i + 1 + (int)rnd((uint32_t)(n - i - 1));
		else if (k < 74 && fi < NFUNC - 1)
			/*
			 * Direct calls only go to later functions, and direct
			 * jumps only forward: a cycle of direct branches
			 * produces no packets, so where an asynchronous FUP
			 * in it binds is ambiguous (for real PT too).
			 */
			ins[i].kind = K_CALL,
			ins[i].target = fi + 1 + (int)rnd((uint32_t)(NFUNC - fi - 1));
		else if (k < 78)
			ins[i].kind = K_CALL_IND;
		else if (k < 81)
			ins[i].kind = K_JMP_IND;
		else if (k < 83)
			ins[i].kind = K_RET;
		else if (k < 88)
			ins[i].kind = K_SYSCALL;
		else if (k < 90)
			ins[i].kind = K_INT80;
		else if (k < 95)
			ins[i].kind = K_REP;
		else
			ins[i].kind = K_CALLNEXT;
	}
	/* Sizes converge: start with rel8 everywhere, widen as needed. */
	for (i = 0; i < n; i++)
		ins[i].len = 0;
	for (pass = 0; pass < 8; pass++) {
		uint32_t off = start;

		for (i = 0; i < n; i++) {
			uint8_t tmp[16];

			ins[i].off = off;
			switch (ins[i].kind) {
			case K_FILL:
				ins[i].len = (uint32_t)unhex(
					fillers[ins[i].target], tmp);
				break;
			case K_JCC:
			case K_JMP: {
				int64_t d = (int64_t)ins[ins[i].target].off -
					    (off + 2);

				if (ins[i].len <= 2 && d >= -128 && d < 128 &&
				    pass > 0)
					ins[i].len = 2;
				else if (pass > 0 || ins[i].len > 2)
					ins[i].len = ins[i].kind == K_JCC ? 6 : 5;
				else
					ins[i].len = 2;
				break;
			}
			case K_CALL:
				ins[i].len = 5;
				break;
			case K_CALL_IND: case K_JMP_IND: case K_INT80:
			case K_SYSCALL: case K_REP:
				ins[i].len = 2;
				break;
			case K_RET:
				ins[i].len = 1;
				break;
			case K_CALLNEXT:
				ins[i].len = 6;	/* call +0; pop %rcx */
				break;
			}
			off += ins[i].len;
		}
	}
	r->func[fi] = region_base[ri] + start;
	for (i = 0; i < n; i++) {
		uint8_t b[16];
		size_t len = 0;
		int64_t d;

		switch (ins[i].kind) {
		case K_FILL:
			len = unhex(fillers[ins[i].target], b);
			break;
		case K_JCC:
		case K_JMP:
			d = (int64_t)ins[ins[i].target].off -
			    (ins[i].off + ins[i].len);
			if (ins[i].len == 2) {
				b[0] = ins[i].kind == K_JCC ?
				       (uint8_t)(0x70 + rnd(16)) : 0xeb;
				b[1] = (uint8_t)(int8_t)d;
				len = 2;
			} else if (ins[i].kind == K_JCC) {
				b[0] = 0x0f;
				b[1] = (uint8_t)(0x80 + rnd(16));
				put32(b + 2, (int32_t)d);
				len = 6;
			} else {
				b[0] = 0xe9;
				put32(b + 1, (int32_t)d);
				len = 5;
			}
			break;
		case K_CALL:
			/* Displacement filled in once all entries exist. */
			b[0] = 0xe8;
			put32(b + 1, ins[i].target + 1);
			len = 5;
			break;
		case K_CALL_IND:
			len = unhex("ffd0", b);
			break;
		case K_JMP_IND:
			len = unhex("ffe0", b);
			break;
		case K_RET:
			len = unhex("c3", b);
			break;
		case K_SYSCALL:
			len = unhex("0f05", b);
			break;
		case K_INT80:
			len = unhex("cd80", b);
			break;
		case K_REP:
			len = unhex("f3a4", b);
			break;
		case K_CALLNEXT:
			len = unhex("e80000000059", b);
			u64v_push(&pop_after_callnext,
				  region_base[ri] + ins[i].off + 5);
			break;
		}
		if (len != ins[i].len)
			abort();
		emit(r, b, len);
	}
	r->func_end[fi] = region_base[ri] + r->len;
}

static void gen_program(uint64_t seed)
{
	int ri, fi;
	size_t off;

	rng_state = seed;
	pop_after_callnext.n = 0;
	for (ri = 0; ri < NREG; ri++) {
		struct region *r = &regions[ri];

		memset(r, 0, sizeof(*r));
		for (fi = 0; fi < NFUNC; fi++)
			gen_function(r, ri, fi);
		/* Fix call rel32: the placeholder holds the callee index. */
		off = 0;
		while (off < r->len) {
			struct x86_insn_info in;
			int len = x86_insn_decode(r->code + off, r->len - off,
						  &in);

			if (len <= 0)
				abort();
			if (in.br == X86_BR_CALL_REL && in.rel) {
				uint64_t ip = region_base[ri] + off;

				put32(r->code + off + 1,
				      (int32_t)(r->func[in.rel - 1] - (ip + 5)));
			}
			off += (size_t)len;
		}
	}
	/* Signal restorer: mov $15, %eax; syscall. */
	{
		uint8_t b[8];
		size_t n = unhex("b80f0000000f05", b);

		restorer_syscall = region_base[0] + regions[0].len + 5;
		emit(&regions[0], b, n);
	}
}

static int read_mem(uint8_t *buffer, size_t size, const struct pt_asid *asid,
		    uint64_t ip, void *context)
{
	int ri;

	(void)asid;
	(void)context;
	for (ri = 0; ri < NREG; ri++) {
		const struct region *r = &regions[ri];

		if (ip >= region_base[ri] && ip < region_base[ri] + r->len) {
			size_t off = ip - region_base[ri];
			size_t n = r->len - off < size ? r->len - off : size;

			memcpy(buffer, r->code + off, n);
			return (int)n;
		}
	}
	return -pte_nomap;
}

static const uint8_t *code_at(uint64_t ip, size_t *avail)
{
	int ri;

	for (ri = 0; ri < NREG; ri++)
		if (ip >= region_base[ri] &&
		    ip < region_base[ri] + regions[ri].len) {
			*avail = region_base[ri] + regions[ri].len - ip;
			return regions[ri].code + (ip - region_base[ri]);
		}
	return NULL;
}

/* ---- simulation ---- */

struct sim_opts {
	uint64_t seed;
	struct pt_soft_config cfg;
	size_t steps;			/* budget */
	int loss;			/* drop output in random windows */
	int desync;			/* inject impossible steps */
};

struct sim_result {
	struct bytes trace;
	struct u64v truth;		/* executed IPs (filtered) */
	struct u64v seg_start;		/* truth index where each segment
					 * after a loss/desync starts */
	struct u64v seg_lost;		/* truth index where output was
					 * first lost before that segment */
	struct u64v psb_truth;		/* truth index at each PSB */
	size_t syscalls, signals, reps, rets, tips;
};

static int is_pop_after_callnext(uint64_t ip)
{
	size_t i;

	for (i = 0; i < pop_after_callnext.n; i++)
		if (pop_after_callnext.v[i] == ip)
			return 1;
	return 0;
}

static uint64_t random_func(void)
{
	int ri = (int)rnd(NREG);

	return regions[ri].func[rnd(NFUNC)];
}

/* A random instruction boundary of the function containing ip. */
static uint64_t random_boundary(uint64_t ip)
{
	int ri, fi;

	for (ri = 0; ri < NREG; ri++)
		for (fi = 0; fi < NFUNC; fi++) {
			uint64_t a = regions[ri].func[fi];
			uint64_t e = regions[ri].func_end[fi];
			uint64_t pick = a, cur = a;
			uint32_t n = 0;

			if (ip < a || ip >= e)
				continue;
			while (cur < e) {
				struct x86_insn_info in;
				size_t av = 0;
				const uint8_t *p = code_at(cur, &av);

				if (x86_insn_decode(p, av, &in) <= 0)
					abort();
				if (rnd(++n) == 0)
					pick = cur;
				cur += in.len;
			}
			return pick;
		}
	abort();
}

struct sim {
	const struct sim_opts *o;
	struct sim_result *res;
	struct pt_soft_state st;
	uint8_t buf[4 * PT_SOFT_MAX_OUT];
	struct pt_soft_out out;
	int dropping;		/* simulated full buffer */
	uint64_t npsb;
	uint64_t tsc;
};

/* Hand one call's output to the "buffer", or lose it. */
static void sink(struct sim *s, int err)
{
	if (err) {
		fprintf(stderr, "pt_soft call failed: %d\n", err);
		abort();
	}
	if (s->dropping && s->out.len) {
		if (!s->st.lost) {
			u64v_push(&s->res->seg_lost, s->res->truth.n);
			pt_soft_lost(&s->st);
		}
	} else {
		bytes_add(&s->res->trace, s->out.buf, s->out.len);
		if (s->st.npsb != s->npsb)
			u64v_push(&s->res->psb_truth, s->res->truth.n);
	}
	s->npsb = s->st.npsb;
	s->out.len = 0;
	s->tsc += 1000;
}

static void truth_add(struct sim *s, uint64_t ip)
{
	/* After TraceStop nothing runs in the trace. */
	if (s->st.stopped)
		return;
	if (pt_soft_in_range(&s->o->cfg, ip))
		u64v_push(&s->res->truth, ip);
}

static void resync(struct sim *s, uint64_t ip)
{
	u64v_push(&s->res->seg_start, s->res->truth.n);
	sink(s, pt_soft_resync(&s->st, ip, s->tsc, &s->out));
}

static void kernel_roundtrip(struct sim *s, const struct x86_insn_info *in,
			     uint64_t resume)
{
	sink(s, pt_soft_kernel_enter(&s->st, in, &s->out));
	sink(s, pt_soft_kernel_exit(&s->st, resume, s->tsc, &s->out));
}

static void simulate(const struct sim_opts *o, struct sim_result *res)
{
	struct sim s = { .o = o, .res = res };
	struct u64v stack = { 0 }, sigstack = { 0 };
	uint64_t ip;
	size_t step;
	int reps_left = 0;

	memset(res, 0, sizeof(*res));
	gen_program(o->seed);
	rng_state = o->seed * 7919 + 1;
	s.out.buf = s.buf;
	s.out.cap = sizeof(s.buf);
	pt_soft_init(&s.st, &o->cfg);
	ip = regions[0].func[0];
	sink(&s, pt_soft_start(&s.st, ip, s.tsc, &s.out));

	for (step = 0; step < o->steps; step++) {
		struct x86_insn_info in;
		uint64_t next;
		const uint8_t *p;
		size_t avail = 0;
		int err;

		/* Loss windows: the buffer fills, later drains. */
		if (o->loss && !s.dropping && rnd(3000) == 0)
			s.dropping = 1;
		else if (s.dropping && rnd(200) == 0) {
			s.dropping = 0;
			if (s.st.lost)
				resync(&s, ip);
		}
		/* Asynchronous signal before the instruction at ip. */
		if (rnd(400) == 0 && sigstack.n < 3 && !reps_left) {
			uint64_t h = random_func();

			res->signals++;
			sink(&s, pt_soft_kernel_enter(&s.st, NULL, &s.out));
			sink(&s, pt_soft_kernel_exit(&s.st, h, s.tsc, &s.out));
			u64v_push(&stack, restorer_syscall - 5);
			u64v_push(&sigstack, ip);
			ip = h;
			continue;
		}
		p = code_at(ip, &avail);
		if (!p || x86_insn_decode(p, avail, &in) <= 0) {
			fprintf(stderr, "sim: bad ip %#llx\n",
				(unsigned long long)ip);
			abort();
		}
		/* Returning from the entry: "main" calls another function
		 * (a return the decoder cannot predict). */
		if (in.br == X86_BR_RET && !stack.n)
			u64v_push(&stack, random_func());

		if (x86_br_enters_kernel(in.br)) {
			uint64_t resume = ip + in.len;

			truth_add(&s, ip);
			res->syscalls++;
			if (ip == restorer_syscall && sigstack.n) {
				resume = sigstack.v[--sigstack.n];
			} else if (rnd(10) == 0 && sigstack.n < 3) {
				/* signal delivered on the way out */
				res->signals++;
				u64v_push(&sigstack, resume);
				u64v_push(&stack, restorer_syscall - 5);
				resume = random_func();
			}
			kernel_roundtrip(&s, &in, resume);
			ip = resume;
			continue;
		}

		next = ip + in.len;
		switch (in.br) {
		case X86_BR_JCC:
			if (rnd(2))
				next = x86_insn_target(ip, &in);
			break;
		case X86_BR_JMP_REL:
			next = x86_insn_target(ip, &in);
			break;
		case X86_BR_CALL_REL:
			u64v_push(&stack, ip + in.len);
			next = x86_insn_target(ip, &in);
			break;
		case X86_BR_CALL_IND:
			u64v_push(&stack, ip + in.len);
			next = random_func();
			break;
		case X86_BR_JMP_IND:
			next = random_boundary(ip);
			break;
		case X86_BR_RET:
			next = stack.v[--stack.n];
			res->rets++;
			break;
		default:
			if (in.flags & X86_INSN_REP_STRING) {
				if (!reps_left) {
					reps_left = 1 + (int)rnd(3);
					res->reps++;
				}
				if (--reps_left)
					next = ip;
			}
			if (is_pop_after_callnext(ip) && stack.n)
				stack.n--;
		}
		if (!reps_left)
			truth_add(&s, ip);	/* a REP insn counts once */

		/* An impossible step: the encoder must refuse it. */
		if (o->desync && in.br == X86_BR_NONE && !reps_left &&
		    rnd(2000) == 0) {
			err = pt_soft_step(&s.st, &in, next + 1, s.tsc, &s.out);
			if (err != PT_SOFT_EDESYNC || s.out.len) {
				fprintf(stderr, "desync not refused\n");
				abort();
			}
			/* As the kernel glue does: start over at next. */
			u64v_push(&res->seg_lost, res->truth.n);
			ip = next;
			resync(&s, ip);
			continue;
		}
		err = pt_soft_step(&s.st, &in, next, s.tsc, &s.out);
		sink(&s, err);
		ip = next;
	}
	/* Stop tracing before ip (like thread_stop). */
	sink(&s, pt_soft_kernel_enter(&s.st, NULL, &s.out));
	sink(&s, pt_soft_flush(&s.st, &s.out));
	free(stack.v);
	free(sigstack.v);
}

/* ---- decoding with libipt ---- */

struct decoded {
	struct u64v ips;
	struct u64v seg_start;		/* ips index after each overflow */
	int err;			/* first libipt error, 0 if none */
	uint64_t err_offset;
};

static void config_init(struct pt_config *c, struct bytes *t)
{
	pt_config_init(c);
	c->begin = t->p;
	c->end = t->p + t->n;
}

static struct pt_image *make_image(void)
{
	struct pt_image *img = pt_image_alloc("sim");

	if (!img || pt_image_set_callback(img, read_mem, NULL) < 0)
		abort();
	return img;
}

static int drain_insn_events(struct pt_insn_decoder *d, int status,
			     struct decoded *out)
{
	while (status >= 0 && (status & pts_event_pending)) {
		struct pt_event ev;

		status = pt_insn_event(d, &ev, sizeof(ev));
		if (status >= 0 && ev.type == ptev_overflow)
			u64v_push(&out->seg_start, out->ips.n);
	}
	return status;
}

/* Decode from the PSB at offset (or the first one if offset is ~0). */
static void decode_insn(struct bytes *t, uint64_t offset, struct decoded *out)
{
	struct pt_insn_decoder *d;
	struct pt_image *img = make_image();
	struct pt_config c;
	int status;

	memset(out, 0, sizeof(*out));
	config_init(&c, t);
	d = pt_insn_alloc_decoder(&c);
	if (!d)
		abort();
	pt_insn_set_image(d, img);
	status = offset == ~0ull ? pt_insn_sync_forward(d) :
		 pt_insn_sync_set(d, offset);
	for (;;) {
		struct pt_insn insn;

		status = drain_insn_events(d, status, out);
		if (status < 0)
			break;
		status = pt_insn_next(d, &insn, sizeof(insn));
		if (status < 0)
			break;
		u64v_push(&out->ips, insn.ip);
	}
	if (status != -pte_eos) {
		out->err = status;
		pt_insn_get_offset(d, &out->err_offset);
	}
	pt_insn_free_decoder(d);
	pt_image_free(img);
}

static void decode_blk(struct bytes *t, struct decoded *out)
{
	struct pt_block_decoder *d;
	struct pt_image *img = make_image();
	struct pt_config c;
	int status;

	memset(out, 0, sizeof(*out));
	config_init(&c, t);
	d = pt_blk_alloc_decoder(&c);
	if (!d)
		abort();
	pt_blk_set_image(d, img);
	status = pt_blk_sync_forward(d);
	for (;;) {
		struct pt_block blk;
		uint64_t ip;
		uint16_t i;

		while (status >= 0 && (status & pts_event_pending)) {
			struct pt_event ev;

			status = pt_blk_event(d, &ev, sizeof(ev));
			if (status >= 0 && ev.type == ptev_overflow)
				u64v_push(&out->seg_start, out->ips.n);
		}
		if (status < 0)
			break;
		status = pt_blk_next(d, &blk, sizeof(blk));
		if (status < 0 && !blk.ninsn)
			break;
		/*
		 * A block's instructions run in sequence, following direct
		 * jumps and calls (libipt's contract): walk it with our
		 * classifier.
		 */
		for (ip = blk.ip, i = 0; i < blk.ninsn; i++) {
			struct x86_insn_info in;
			size_t av = 0;
			const uint8_t *p = code_at(ip, &av);

			u64v_push(&out->ips, ip);
			if (!p || x86_insn_decode(p, av, &in) <= 0)
				abort();
			if (in.br == X86_BR_JMP_REL || in.br == X86_BR_CALL_REL)
				ip = x86_insn_target(ip, &in);
			else
				ip += in.len;
		}
		if (status < 0)
			break;
	}
	if (status != -pte_eos) {
		out->err = status;
		pt_blk_get_offset(d, &out->err_offset);
	}
	pt_blk_free_decoder(d);
	pt_image_free(img);
}

/* Same sequence, or, with losses, each decoded segment a prefix of the
 * true one and the last one whole. */
static int compare(const char *what, const struct sim_result *r,
		   const struct decoded *d)
{
	size_t seg, nseg = r->seg_start.n + 1;

	if (d->err) {
		fprintf(stderr, "%s: libipt error %s at offset %#llx after %zu insns\n",
			what, pt_errstr(pt_errcode(d->err)),
			(unsigned long long)d->err_offset, d->ips.n);
		return 0;
	}
	if (d->seg_start.n != r->seg_start.n) {
		fprintf(stderr, "%s: %zu overflows decoded, %zu expected\n",
			what, d->seg_start.n, r->seg_start.n);
		return 0;
	}
	for (seg = 0; seg < nseg; seg++) {
		size_t ts = seg ? r->seg_start.v[seg - 1] : 0;
		size_t te = seg < r->seg_lost.n ? r->seg_lost.v[seg] :
			    r->truth.n;
		size_t ds = seg ? d->seg_start.v[seg - 1] : 0;
		size_t de = seg < d->seg_start.n ? d->seg_start.v[seg] :
			    d->ips.n;
		size_t i;

		for (i = 0; i < de - ds && i < te - ts; i++)
			if (d->ips.v[ds + i] != r->truth.v[ts + i]) {
				if (getenv("PT_ENC_DEBUG")) {
					size_t k, lo = i > 8 ? i - 8 : 0;

					for (k = lo; k < i + 3 && k < te - ts; k++) {
						size_t av = 0;
						const uint8_t *p = code_at(r->truth.v[ts + k], &av);

						fprintf(stderr, "  %zu: dec %#llx true %#llx  %02x %02x %02x\n",
							k, k < de - ds ? (unsigned long long)d->ips.v[ds + k] : 0ull,
							(unsigned long long)r->truth.v[ts + k],
							p[0], p[1], p[2]);
					}
				}
				fprintf(stderr, "%s: segment %zu insn %zu: %#llx, true %#llx\n",
					what, seg, i,
					(unsigned long long)d->ips.v[ds + i],
					(unsigned long long)r->truth.v[ts + i]);
				return 0;
			}
		if (de - ds > te - ts || (seg == nseg - 1 && de - ds != te - ts)) {
			fprintf(stderr, "%s: segment %zu: %zu insns decoded, %zu true\n",
				what, seg, de - ds, te - ts);
			return 0;
		}
	}
	return 1;
}

struct pkt_stats {
	size_t n[64];
	size_t psb_max_gap, psb_min_gap, npsb;
	struct u64v psb_off;
	int err;
};

/* Packet level: every byte belongs to a packet libipt accepts. */
static void pkt_scan(struct bytes *t, struct pkt_stats *s)
{
	struct pt_packet_decoder *d;
	struct pt_config c;
	uint64_t off, last_psb = 0;
	size_t total = 0;
	int status;

	memset(s, 0, sizeof(*s));
	s->psb_min_gap = ~(size_t)0;
	config_init(&c, t);
	d = pt_pkt_alloc_decoder(&c);
	status = pt_pkt_sync_set(d, 0);
	while (status >= 0) {
		struct pt_packet p;

		pt_pkt_get_offset(d, &off);
		status = pt_pkt_next(d, &p, sizeof(p));
		if (status < 0)
			break;
		total += p.size;
		s->n[p.type & 63]++;
		if (p.type == ppt_psb) {
			if (s->npsb) {
				size_t gap = off - last_psb;

				if (gap > s->psb_max_gap)
					s->psb_max_gap = gap;
				if (gap < s->psb_min_gap)
					s->psb_min_gap = gap;
			}
			u64v_push(&s->psb_off, off);
			last_psb = off;
			s->npsb++;
		}
	}
	if (status != -pte_eos || total != t->n)
		s->err = status == -pte_eos ? -pte_internal : status;
	pt_pkt_free_decoder(d);
}

static void free_result(struct sim_result *r)
{
	free(r->trace.p);
	free(r->truth.v);
	free(r->seg_start.v);
	free(r->seg_lost.v);
	free(r->psb_truth.v);
}

static void free_decoded(struct decoded *d)
{
	free(d->ips.v);
	free(d->seg_start.v);
}

/* Run one scenario; check insn and block decoders, packets, PSBs. */
static void scenario(const char *name, const struct sim_opts *o,
		     struct sim_result *keep)
{
	struct sim_result r;
	struct decoded di, db;
	struct pkt_stats ps;
	char n[128];
	size_t i;
	int ok;

	simulate(o, &r);
	pkt_scan(&r.trace, &ps);
	snprintf(n, sizeof(n), "%s/packets", name);
	ok = !ps.err && ps.npsb == r.psb_truth.n;
	if (!ok)
		fprintf(stderr, "%s: pkt err %d, %zu PSB, %zu expected\n", n,
			ps.err, ps.npsb, r.psb_truth.n);
	result(ok, n);

	decode_insn(&r.trace, ~0ull, &di);
	snprintf(n, sizeof(n), "%s/insn_decoder", name);
	result(compare(n, &r, &di) && r.truth.n > 100, n);

	decode_blk(&r.trace, &db);
	snprintf(n, sizeof(n), "%s/block_decoder", name);
	result(compare(n, &r, &db), n);

	if (!o->loss && !o->desync) {
		/* Each PSB on its own decodes the rest of the truth. */
		ok = ps.npsb == r.psb_truth.n;
		for (i = 0; ok && i < ps.npsb; i++) {
			struct decoded dp;
			size_t k, base = r.psb_truth.v[i];

			decode_insn(&r.trace, ps.psb_off.v[i], &dp);
			ok = !dp.err && dp.ips.n == r.truth.n - base;
			for (k = 0; ok && k < dp.ips.n; k++)
				ok = dp.ips.v[k] == r.truth.v[base + k];
			if (!ok)
				fprintf(stderr, "%s: PSB %zu at %#llx: err %d, %zu insns, want %zu\n",
					name, i,
					(unsigned long long)ps.psb_off.v[i],
					dp.err, dp.ips.n, r.truth.n - base);
			free_decoded(&dp);
		}
		snprintf(n, sizeof(n), "%s/each_psb_standalone", name);
		result(ok, n);
	}
	fprintf(stderr, "%s: %zu bytes, %zu insns, %zu syscalls, %zu signals, "
		"%zu rep, %zu PSB, %zu TIP, %zu TNT8, %zu TNT64, %zu OVF, "
		"%zu PGD, %zu PGE, %zu FUP\n",
		name, r.trace.n, r.truth.n, r.syscalls, r.signals, r.reps,
		ps.npsb, ps.n[ppt_tip & 63], ps.n[ppt_tnt_8 & 63],
		ps.n[ppt_tnt_64 & 63], ps.n[ppt_ovf & 63],
		ps.n[ppt_tip_pgd & 63], ps.n[ppt_tip_pge & 63],
		ps.n[ppt_fup & 63]);
	free_decoded(&di);
	free_decoded(&db);
	free(ps.psb_off.v);
	if (keep)
		*keep = r;
	else
		free_result(&r);
}

/*
 * PT_SOFT_INSN_CLOCK: every TSC libipt reports with an event (each
 * TIP.PGE after a system call or signal carries one) equals the number
 * of instructions libipt decoded before it, and the trace's TSCs
 * count up by instructions, not by the caller's tsc (which moves by
 * 1000 per call).  With the flag off they are the caller's.
 */
static void test_insn_clock(void)
{
	struct sim_opts o;
	struct sim_result r;
	struct pt_insn_decoder *d;
	struct pt_image *img;
	struct pt_config c;
	uint64_t n = 0, checked = 0, bad = 0;
	int status, flip;

	for (flip = 0; flip < 2; flip++) {
		memset(&o, 0, sizeof(o));
		o.seed = 11;
		o.steps = 100000;
		o.cfg.flags = PT_SOFT_TSC | (flip ? 0 : PT_SOFT_INSN_CLOCK);
		o.cfg.psb_period = 512;
		simulate(&o, &r);
		img = make_image();
		config_init(&c, &r.trace);
		d = pt_insn_alloc_decoder(&c);
		if (!d)
			abort();
		pt_insn_set_image(d, img);
		n = checked = bad = 0;
		status = pt_insn_sync_forward(d);
		for (;;) {
			struct pt_insn insn;

			while (status >= 0 && (status & pts_event_pending)) {
				struct pt_event ev;

				status = pt_insn_event(d, &ev, sizeof(ev));
				if (status < 0 || !ev.has_tsc ||
				    ev.type != ptev_enabled)
					continue;
				checked++;
				bad += ev.tsc != n;
			}
			if (status < 0)
				break;
			status = pt_insn_next(d, &insn, sizeof(insn));
			if (status < 0)
				break;
			n++;
		}
		pt_insn_free_decoder(d);
		pt_image_free(img);
		if (!flip) {
			if (bad || checked < 10 || status != -pte_eos)
				fprintf(stderr, "insn_clock: %llu of %llu "
					"enable TSCs wrong, %llu insns, %d\n",
					(unsigned long long)bad,
					(unsigned long long)checked,
					(unsigned long long)n, status);
			result(!bad && checked >= 10 && status == -pte_eos &&
			       n == r.truth.n, "insn_clock/enable_tsc_is_insn_count");
		} else {
			/* The check can fail: the caller's tsc is not it. */
			result(checked >= 10 && bad == checked,
			       "insn_clock/off_uses_caller_tsc");
		}
		free_result(&r);
	}
}

/* ---- packet-exact checks ---- */

static int next_pkt(struct pt_packet_decoder *d, struct pt_packet *p)
{
	return pt_pkt_next(d, p, sizeof(*p));
}

static void test_start_packets(void)
{
	struct pt_soft_config cfg = { .flags = PT_SOFT_TSC };
	struct pt_soft_state st;
	uint8_t buf[256];
	struct pt_soft_out out = { buf, sizeof(buf), 0 };
	struct bytes t = { 0 };
	struct pt_packet_decoder *d;
	struct pt_packet p;
	struct pt_config c;
	int ok = 1;

	pt_soft_init(&st, &cfg);
	ok &= pt_soft_start(&st, 0x7fffdeadbeef, 0x123456789abcdull, &out) == 0;
	bytes_add(&t, buf, out.len);
	config_init(&c, &t);
	d = pt_pkt_alloc_decoder(&c);
	ok &= pt_pkt_sync_set(d, 0) >= 0;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_psb;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tsc &&
	      p.payload.tsc.tsc == 0x123456789abcdull;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_mode &&
	      p.payload.mode.leaf == pt_mol_exec &&
	      p.payload.mode.bits.exec.csl && !p.payload.mode.bits.exec.csd;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_fup &&
	      p.payload.ip.ipc == pt_ipc_sext_48 &&
	      p.payload.ip.ip == 0x7fffdeadbeefull;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_psbend;
	ok &= next_pkt(d, &p) == -pte_eos;
	pt_pkt_free_decoder(d);
	free(t.p);
	result(ok, "start_psb_plus_exact");
}

/*
 * pt_soft_start_pge after another task's packets on the same stream:
 * the hardware shape of a run whose unit was enabled in the kernel
 * (SDM Vol. 3C 33.4.3 rows 2b/2d): the unit's PSB+ without FUP (or
 * nothing), then TSC, MODE.Exec, TIP.PGE with the full IP, whatever the
 * last IP before; the next TIP is compressed against it.
 */
static void test_start_pge_packets(void)
{
	struct pt_soft_config cfg = { .flags = PT_SOFT_TSC };
	static const uint8_t psb_psbend[18] = {
		2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
		2, 0x82, 2, 0x23 };
	struct pt_soft_state prev, st;
	uint8_t buf[256];
	struct pt_soft_out out = { buf, sizeof(buf), 0 };
	uint8_t jmpi_b[] = { 0xff, 0xe0 };
	struct x86_insn_info jmpi;
	struct bytes t = { 0 };
	struct pt_packet_decoder *d;
	struct pt_packet p;
	struct pt_config c;
	int ok = 1, with_psb;

	x86_insn_decode(jmpi_b, 2, &jmpi);
	for (with_psb = 0; with_psb < 2; with_psb++) {
		/* Another task: its last IP 0x401000, then into the kernel. */
		out.len = 0;
		pt_soft_init(&prev, &cfg);
		ok &= pt_soft_start(&prev, 0x401000, 1, &out) == 0;
		ok &= pt_soft_kernel_enter(&prev, NULL, &out) == 0;
		ok &= pt_soft_flush(&prev, &out) == 0;
		bytes_add(&t, buf, out.len);
		if (with_psb)
			bytes_add(&t, psb_psbend, sizeof(psb_psbend));
		out.len = 0;
		pt_soft_init(&st, &cfg);
		ok &= pt_soft_start_pge(&st, 0x401234, 7, &out) == 0;
		ok &= st.npsb == 0;
		ok &= pt_soft_step(&st, &jmpi, 0x405678, 8, &out) == 0;
		bytes_add(&t, buf, out.len);
	}
	config_init(&c, &t);
	d = pt_pkt_alloc_decoder(&c);
	ok &= pt_pkt_sync_set(d, 0) >= 0;
	for (with_psb = 0; with_psb < 2; with_psb++) {
		/* prev: PSB, TSC, MODE, FUP, PSBEND, FUP, TIP.PGD */
		while (ok && next_pkt(d, &p) >= 0 && p.type != ppt_tip_pgd)
			;
		if (with_psb) {
			ok &= next_pkt(d, &p) >= 0 && p.type == ppt_psb;
			ok &= next_pkt(d, &p) >= 0 && p.type == ppt_psbend;
		}
		ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tsc &&
		      p.payload.tsc.tsc == 7;
		ok &= next_pkt(d, &p) >= 0 && p.type == ppt_mode &&
		      p.payload.mode.leaf == pt_mol_exec &&
		      p.payload.mode.bits.exec.csl;
		ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip_pge &&
		      p.payload.ip.ipc == pt_ipc_sext_48 &&
		      p.payload.ip.ip == 0x401234;
		ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
		      p.payload.ip.ipc == pt_ipc_update_16 &&
		      p.payload.ip.ip == 0x5678;
	}
	ok &= next_pkt(d, &p) == -pte_eos;
	pt_pkt_free_decoder(d);
	free(t.p);
	result(ok, "start_pge_exact");
}

/* TNT bit order and IP compression, packet by packet. */
static void test_tnt_and_compression(void)
{
	struct pt_soft_config cfg = { 0 };
	struct pt_soft_state st;
	uint8_t buf[512];
	struct pt_soft_out out = { buf, sizeof(buf), 0 };
	struct x86_insn_info jcc, jmpi;
	uint8_t jcc_b[] = { 0x74, 0x10 }, jmpi_b[] = { 0xff, 0xe0 };
	struct bytes t = { 0 };
	struct pt_packet_decoder *d;
	struct pt_packet p;
	struct pt_config c;
	uint64_t ip = 0x400000;
	int ok = 1, i;
	const int taken[5] = { 1, 0, 0, 1, 1 };

	x86_insn_decode(jcc_b, 2, &jcc);
	x86_insn_decode(jmpi_b, 2, &jmpi);
	pt_soft_init(&st, &cfg);
	pt_soft_start(&st, ip, 0, &out);
	for (i = 0; i < 5; i++) {
		uint64_t next = taken[i] ? ip + 2 + 0x10 : ip + 2;

		ok &= pt_soft_step(&st, &jcc, next, 0, &out) == 0;
		ip = next;
	}
	/* Indirect jumps: same 64K page, same 4G, far away. */
	ok &= pt_soft_step(&st, &jmpi, 0x401234, 0, &out) == 0;
	ok &= pt_soft_step(&st, &jmpi, 0x7654321, 0, &out) == 0;
	ok &= pt_soft_step(&st, &jmpi, 0x7f0000001000, 0, &out) == 0;
	ok &= pt_soft_step(&st, &jmpi, 0xffff800000001000ull, 0, &out) == 0;
	ok &= pt_soft_step(&st, &jmpi, 0x7f0000002000, 0, &out) == 0;
	bytes_add(&t, buf, out.len);
	config_init(&c, &t);
	d = pt_pkt_alloc_decoder(&c);
	pt_pkt_sync_set(d, 0);
	while (next_pkt(d, &p) >= 0 && p.type != ppt_psbend)
		;
	/* TNT bits oldest first: 1 0 0 1 1. */
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tnt_8 &&
	      p.payload.tnt.bit_size == 5 && p.payload.tnt.payload == 0x13;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
	      p.payload.ip.ipc == pt_ipc_update_16 &&
	      p.payload.ip.ip == 0x1234;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
	      p.payload.ip.ipc == pt_ipc_update_32 &&
	      p.payload.ip.ip == 0x7654321;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
	      p.payload.ip.ipc == pt_ipc_sext_48;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
	      p.payload.ip.ipc == pt_ipc_sext_48 &&
	      p.payload.ip.ip == 0x800000001000ull;
	ok &= next_pkt(d, &p) >= 0 && p.type == ppt_tip &&
	      p.payload.ip.ipc == pt_ipc_sext_48;
	ok &= next_pkt(d, &p) == -pte_eos;
	pt_pkt_free_decoder(d);
	free(t.p);
	result(ok, "tnt_order_ip_compression");
}

static void test_bad_input(void)
{
	struct pt_soft_config cfg = { 0 };
	struct pt_soft_state st;
	struct x86_insn_info nop;
	uint8_t small[PT_SOFT_MAX_OUT - 1], nopb = 0x90;
	struct pt_soft_out out = { small, sizeof(small), 0 };
	int ok = 1;

	cfg.nranges = PT_SOFT_MAX_RANGES + 1;
	ok &= pt_soft_config_check(&cfg) == PT_SOFT_EINVAL;
	cfg.nranges = 1;
	cfg.ranges[0].start = 10;
	cfg.ranges[0].end = 9;
	ok &= pt_soft_config_check(&cfg) == PT_SOFT_EINVAL;
	cfg.ranges[0].end = 10;
	ok &= pt_soft_config_check(&cfg) == 0;
	cfg.psb_period = 1;
	ok &= pt_soft_config_check(&cfg) == PT_SOFT_EINVAL;
	cfg.psb_period = 0;
	cfg.flags = 0x80;
	ok &= pt_soft_config_check(&cfg) == PT_SOFT_EINVAL;
	cfg.flags = 0;
	pt_soft_init(&st, &cfg);
	/* Too small an output area is refused, nothing written. */
	ok &= pt_soft_start(&st, 10, 0, &out) == PT_SOFT_ENOSPC && !out.len;
	ok &= pt_soft_start(&st, 10, 0, NULL) == PT_SOFT_ENOSPC;
	/* Steps before start, kernel exit without entry. */
	x86_insn_decode(&nopb, 1, &nop);
	{
		uint8_t big[PT_SOFT_MAX_OUT];
		struct pt_soft_out o2 = { big, sizeof(big), 0 };

		pt_soft_init(&st, &cfg);
		ok &= pt_soft_step(&st, &nop, 11, 0, &o2) == PT_SOFT_EINVAL;
		ok &= pt_soft_start(&st, 10, 0, &o2) == 0;
		o2.len = 0;
		ok &= pt_soft_kernel_exit(&st, 10, 0, &o2) == PT_SOFT_EINVAL;
		ok &= pt_soft_step(&st, &nop, 12, 0, &o2) == PT_SOFT_EDESYNC;
		ok &= pt_soft_kernel_enter(&st, &nop, &o2) == PT_SOFT_EINVAL;
		ok &= o2.len == 0;
	}
	result(ok, "bad_input");
}

int main(void)
{
	struct sim_opts o;
	struct sim_result keep_off, keep_on;
	size_t tips_off, tips_on;
	struct pkt_stats ps;

	setvbuf(stdout, NULL, _IONBF, 0);
	test_start_packets();
	test_start_pge_packets();
	test_tnt_and_compression();
	test_bad_input();
	test_insn_clock();

	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.steps = 200000;
	o.cfg.psb_period = 4096;
	scenario("plain", &o, &keep_off);

	o.cfg.flags = PT_SOFT_RET_COMPRESSION;
	scenario("retcomp", &o, &keep_on);
	/* Same execution: compressed returns must replace TIPs. */
	pkt_scan(&keep_off.trace, &ps);
	tips_off = ps.n[ppt_tip & 63];
	free(ps.psb_off.v);
	pkt_scan(&keep_on.trace, &ps);
	tips_on = ps.n[ppt_tip & 63];
	free(ps.psb_off.v);
	result(keep_on.truth.n == keep_off.truth.n && tips_on < tips_off &&
	       keep_on.trace.n < keep_off.trace.n, "retcomp/fewer_tips");
	free_result(&keep_off);
	free_result(&keep_on);

	o.cfg.flags = PT_SOFT_RET_COMPRESSION | PT_SOFT_TSC | PT_SOFT_LONG_TNT;
	o.cfg.psb_period = 256;
	o.seed = 2;
	scenario("longtnt_tsc_psb256", &o, NULL);

	o.cfg.flags = PT_SOFT_TSC;
	o.cfg.psb_period = 0;
	o.seed = 3;
	o.cfg.nranges = 2;
	gen_program(o.seed);	/* ranges from the generated layout */
	o.cfg.ranges[0].start = regions[0].func[2];
	o.cfg.ranges[0].end = regions[0].func_end[4] - 1;
	o.cfg.ranges[1].start = region_base[1];
	o.cfg.ranges[1].end = region_base[1] + regions[1].len - 1;
	scenario("filter_ranges", &o, NULL);

	o.cfg.nranges = 1;
	o.cfg.ranges[0].start = regions[0].func[0] + 1;	/* mid-insn edges */
	o.cfg.ranges[0].end = regions[0].func_end[3] + 2;
	o.cfg.flags = PT_SOFT_RET_COMPRESSION;
	o.seed = 3;
	scenario("filter_odd_edges", &o, NULL);

	/*
	 * TraceStop (SDM Vol. 3C 33.2.4.3): the first taken branch into a
	 * stop region ends the trace (TIP.PGD bound to it, then the
	 * TraceStop packet); both decoders end exactly there, with the
	 * branch, and nothing is written after it.
	 */
	{
		struct sim_result ts;
		struct pkt_stats tps;

		o.cfg.nranges = 0;
		o.cfg.flags = PT_SOFT_RET_COMPRESSION | PT_SOFT_TSC;
		o.seed = 6;
		gen_program(o.seed);
		o.cfg.nstops = 1;
		o.cfg.stops[0].start = regions[1].func[5];
		o.cfg.stops[0].end = regions[1].func_end[5] - 1;
		scenario("tracestop", &o, &ts);
		pkt_scan(&ts.trace, &tps);
		result(tps.n[ppt_stop & 63] == 1 && ts.truth.n > 100 &&
		       ts.trace.n > 2 && ts.trace.p[ts.trace.n - 2] == 0x02 &&
		       ts.trace.p[ts.trace.n - 1] == 0x83,
		       "tracestop/stop_packet_last");
		free(tps.psb_off.v);
		free_result(&ts);
		o.cfg.nstops = 0;
		memset(o.cfg.stops, 0, sizeof(o.cfg.stops));
	}

	o.cfg.nranges = 0;
	o.cfg.flags = PT_SOFT_RET_COMPRESSION | PT_SOFT_TSC;
	o.seed = 4;
	o.loss = 1;
	scenario("overflow", &o, NULL);

	o.loss = 0;
	o.desync = 1;
	o.seed = 5;
	scenario("desync_resync", &o, NULL);

	return fails != 0;
}
