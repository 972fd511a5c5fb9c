// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ete_enc unit tests: simulate single-stepped runs of generated A64
 * programs (two address regions 2^39 apart; B, BL, B.cond, CBZ/CBNZ,
 * TBZ/TBNZ, BR, BLR, RET, ISB, SVC, asynchronous signal-like exceptions,
 * output losses), feed every step to the encoder as the kernel stepper
 * will, and judge the stream with OpenCSD's own decoder (C API):
 *   - packet level (packet processor only): every byte belongs to a valid
 *     packet (no bad / reserved / incomplete packet);
 *   - full decode over a memory accessor of the program image: the
 *     instruction ranges expand to exactly the simulated execution, with
 *     the exceptions (number, preferred return address), overflows where
 *     output was lost, context ID (= thread id) and VMID, and the
 *     timestamps (instruction-count clock) of the simulation;
 *   - decoding from each A-sync alone gives the rest of the full decode.
 * With -s DIR it also writes one stream as an OpenCSD snapshot directory
 * and the simulated addresses in DIR/expected.txt, for trc_pkt_lister
 * (tests/ete_lister.sh); with -f DIR the same for a run filtered by four
 * address ranges (its device_1.ini has the comparator registers).
 */
#include <opencsd/c_api/opencsd_c_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../ete_enc.h"
#include "../../../tests/lib/u64vec.h"

static int fails;
static unsigned long long tot_steps, tot_insns, tot_progs, tot_syncs;
static unsigned long long tot_exc, tot_ovf, tot_ts, tot_bytes, tot_ts_lost;
/* filtered runs: traced instructions, those not seen (fallen out of a
 * range after the last P0 element), entries into the ranges */
static unsigned long long tot_f_view, tot_f_unseen, tot_f_enter;

static void result(int ok, const char *name)
{
	printf("%s: soft/ete_enc/%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		fails++;
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

/* ---- generated program: two regions of A64 code ---- */

#define NREG		2
#define NFUNC		12
#define REGION_SIZE	0x8000

static const uint64_t region_base[NREG] = {
	0x400000, 0x7f8e590000,
};

struct region {
	uint32_t code[REGION_SIZE / 4];
	size_t n;
	uint64_t func[NFUNC];
};

static struct region regions[NREG];

static const uint32_t fillers[] = {
	0x91000529,	/* add x9, x9, #1 */
	0xd503201f,	/* nop */
	0xaa0b03ea,	/* mov x10, x11 */
	0xf9400be0,	/* ldr x0, [sp, #16] */
	0x8b020020,	/* add x0, x1, x2 */
	0xd503233f,	/* paciasp (a hint: not a branch) */
	0xd50b7520,	/* ic ivau, x0 (not a branch) */
};

static uint32_t enc_imm(uint32_t base, int64_t off, unsigned int bits,
			unsigned int shift)
{
	return base | (uint32_t)(((uint64_t)(off / 4) & ((1ull << bits) - 1))
				 << shift);
}

static void gen_function(struct region *r, int ri, int fi)
{
	size_t start = r->n, len = 8 + rnd(40), i;

	r->func[fi] = region_base[ri] + start * 4;
	for (i = 0; i < len; i++) {
		uint32_t k = rnd(100), w;
		/* in-function branch offset, never outside [start, start+len] */
		int64_t to = (int64_t)(start + rnd((uint32_t)len + 1)) -
			     (int64_t)(start + i);

		if (k < 55)
			w = fillers[rnd(sizeof(fillers) / 4)];
		else if (k < 63)
			w = enc_imm(0x54000000 | rnd(15), to * 4, 19, 5);
		else if (k < 68)
			w = enc_imm(rnd(2) ? 0xb4000003 : 0x35000003, to * 4,
				    19, 5);
		else if (k < 72)
			w = enc_imm(rnd(2) ? 0x36180004 : 0xb7f80004, to * 4,
				    14, 5);
		else if (k < 75)
			w = enc_imm(0x14000000, to * 4, 26, 0);
		else if (k < 81)
			w = 0x94000000;	/* BL: patched in gen_program */
		else if (k < 86)
			w = 0xd63f0000 | rnd(30) << 5;	/* blr xN */
		else if (k < 88)
			w = 0xd61f0000 | rnd(30) << 5;	/* br xN */
		else if (k < 92)
			w = 0xd4000001;			/* svc #0 */
		else if (k < 93)
			w = 0xd5033fdf;			/* isb */
		else
			w = fillers[0];
		r->code[r->n++] = w;
	}
	r->code[r->n++] = 0xd65f03c0;	/* ret */
}

static void gen_program(uint64_t seed)
{
	int ri, fi;
	size_t i;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	for (ri = 0; ri < NREG; ri++) {
		memset(&regions[ri], 0, sizeof(regions[ri]));
		for (fi = 0; fi < NFUNC; fi++)
			gen_function(&regions[ri], ri, fi);
		/* BL to a function of the same region */
		for (i = 0; i < regions[ri].n; i++) {
			if (regions[ri].code[i] != 0x94000000)
				continue;
			regions[ri].code[i] = enc_imm(0x94000000,
				(int64_t)(regions[ri].func[rnd(NFUNC)] -
				(region_base[ri] + i * 4)), 26, 0);
		}
	}
}

static int code_at(uint64_t ip, uint32_t *w)
{
	int ri;

	for (ri = 0; ri < NREG; ri++) {
		uint64_t b = region_base[ri];

		if (ip >= b && ip < b + regions[ri].n * 4) {
			*w = regions[ri].code[(ip - b) / 4];
			return 0;
		}
	}
	return -1;
}

static uint64_t random_func(void)
{
	return regions[rnd(NREG)].func[rnd(NFUNC)];
}

/* ---- simulation ---- */

#define MARK	(~0ull)		/* overflow marker in address lists */

struct sim_opts {
	struct ete_soft_config cfg;
	unsigned int steps;
	unsigned int p_signal;	/* per 10000 steps */
	unsigned int p_loss;	/* per 10000 steps */
	unsigned int nranges;	/* ViewInst include ranges (gen_ranges) */
	uint32_t tid, vmid;
};

struct sim_result {
	struct u64v truth;	/* executed addresses, MARK at overflows */
	struct u64v ord;	/* instruction ordinal of each truth entry */
	struct u64v exc;	/* (number << 56 | preferred return addr) */
	struct u64v p0pos;	/* truth length after each P0 element */
	struct u64v ts;		/* (truth index << 32 | ...) unused */
	uint8_t *t;		/* the trace */
	size_t n, cap;
	unsigned long long steps, syncs, ovf;
	/* filtered: Trace On elements the decoder must show (restarts
	 * followed by a P0 element), and restarts not yet followed */
	unsigned long long ons, ons_pending;
};

static void out_add(struct sim_result *r, const struct ete_soft_out *o)
{
	if (r->n + o->len > r->cap) {
		r->cap = (r->n + o->len) * 2 + 65536;
		r->t = realloc(r->t, r->cap);
		if (!r->t)
			abort();
	}
	memcpy(r->t + r->n, o->buf, o->len);
	r->n += o->len;
}

/* Drop what the decoder cannot show after output is lost at P0 element
 * number `written`: the rest of the segment. */
static void truncate_at(struct sim_result *r, uint64_t written,
			size_t seg_start)
{
	size_t keep = written ? (size_t)r->p0pos.v[written - 1] : seg_start;

	if (keep < seg_start)
		keep = seg_start;
	r->truth.n = keep;
	r->ord.n = keep;
	r->p0pos.n = written;
}

static int is_p0(const struct a64_insn_info *in)
{
	return in->br != A64_BR_NONE && in->br != A64_BR_EXC;
}

/*
 * Where the program goes after the non-exception instruction *in at ip:
 * a random outcome for conditional branches, a random function for
 * indirect calls and branches, returns through the simulated stack.
 */
static uint64_t sim_next(const struct a64_insn_info *in, uint64_t ip,
			 uint64_t stack[64], unsigned int *sp)
{
	switch (in->br) {
	case A64_BR_B:
	case A64_BR_BL:
		if (in->br == A64_BR_BL && *sp < 64)
			stack[(*sp)++] = ip + 4;
		return in->target;
	case A64_BR_BCOND:
	case A64_BR_CB:
	case A64_BR_TB:
		return rnd(2) ? in->target : ip + 4;
	case A64_BR_BLR:
		if (*sp < 64)
			stack[(*sp)++] = ip + 4;
		return random_func();
	case A64_BR_BR:
		return random_func();
	case A64_BR_RET:
		return *sp ? stack[--*sp] : random_func();
	default:
		return ip + 4;
	}
}

static void simulate(const struct sim_opts *o, struct sim_result *r)
{
	struct ete_soft_state st;
	uint8_t buf[4 * ETE_SOFT_MAX_OUT];
	struct ete_soft_out out = { buf, sizeof(buf), 0 };
	uint64_t stack[64], ip = random_func(), icount = 0;
	/* P0 elements the encoder wrote into outputs that were dropped */
	uint64_t skew = 0;
	unsigned int sp = 0, i, lost_left = 0;
	size_t seg_start = 0;
	int err = 0;

	memset(r, 0, sizeof(*r));
	ete_soft_init(&st, &o->cfg);
	err |= ete_soft_start(&st, ip, o->tid, o->vmid, &out);
	out_add(r, &out);
	for (i = 0; i < o->steps && !err; i++) {
		struct a64_insn_info in;
		uint64_t next;
		uint32_t w;
		int drop = 0;

		out.len = 0;
		if (code_at(ip, &w)) {
			fprintf(stderr, "sim: no code at %#llx\n",
				(unsigned long long)ip);
			abort();
		}
		a64_insn_decode(w, ip, &in);
		if (lost_left && !--lost_left) {
			/* space is back: Overflow + sync, a new segment */
			err |= ete_soft_resync(&st, ip, &out);
			out_add(r, &out);
			out.len = 0;
			/* an empty segment leaves no trace: the decoder
			 * drops a Trace On that no P0 element follows */
			if (r->truth.n && r->truth.v[r->truth.n - 1] != MARK) {
				u64v_push(&r->truth, MARK);
				u64v_push(&r->ord, 0);
			}
			seg_start = r->truth.n;
			r->ovf++;
		}
		if (rnd(10000) < o->p_signal) {
			/* asynchronous exception before ip: handler, then
			 * back to ip through a return */
			err |= ete_soft_kernel_enter(&st, NULL, &out);
			if (!st.lost) {
				u64v_push(&r->exc, (uint64_t)0xe << 56 | ip);
				u64v_push(&r->p0pos, r->truth.n);
			}
			if (sp < 64)
				stack[sp++] = ip;
			ip = random_func();
			err |= ete_soft_kernel_exit(&st, ip, &out);
			out_add(r, &out);
			continue;
		}
		if (in.br == A64_BR_EXC) {
			/* SVC: the kernel returns to the next instruction */
			err |= ete_soft_kernel_enter(&st, &in, &out);
			if (!st.lost) {
				u64v_push(&r->truth, ip);
				u64v_push(&r->ord, icount);
				u64v_push(&r->exc, (uint64_t)0x2 << 56 |
					  (ip + 4));
				u64v_push(&r->p0pos, r->truth.n);
			}
			icount++;
			ip += 4;
			err |= ete_soft_kernel_exit(&st, ip, &out);
			out_add(r, &out);
			r->steps++;
			continue;
		}
		next = sim_next(&in, ip, stack, &sp);
		{
			uint64_t before = st.p0_out;
			int was_lost = st.lost;

			err |= ete_soft_step(&st, &in, next, &out);
			if (!was_lost) {
				u64v_push(&r->truth, ip);
				u64v_push(&r->ord, icount);
				if (is_p0(&in))
					u64v_push(&r->p0pos, r->truth.n);
				if (rnd(10000) < o->p_loss) {
					/* this output could not be stored */
					drop = 1;
					ete_soft_lost(&st);
					truncate_at(r, before - skew,
						    seg_start);
					skew += st.p0_out - before;
					lost_left = 1 + rnd(200);
				}
			}
		}
		if (!drop)
			out_add(r, &out);
		icount++;
		r->steps++;
		ip = next;
	}
	out.len = 0;
	err |= ete_soft_flush(&st, &out);
	out_add(r, &out);
	/* the end: the decoder shows instructions up to the last P0 */
	if (!st.lost)
		truncate_at(r, st.p0_out - skew, seg_start);
	r->syncs = st.nsync;
	if (err) {
		fprintf(stderr, "sim: encoder error %d\n", err);
		fails++;
	}
}

/*
 * The same run with ViewInst include ranges (o->cfg.nranges > 0).  What
 * the decoder must show is derived here from the execution alone, by the
 * rules of a trace unit (ETMv4 / ETE "ViewInst", "P0 elements", "Trace On
 * element", "Exception element"), not from the encoder's state:
 *   - an instruction is traced iff its address is in a range;
 *   - a traced instruction is seen iff a traced P0 element follows it
 *     before an untraced instruction runs: its own (a branch, an ISB,
 *     an SVC) or a later one, or a traced asynchronous exception (the
 *     decoder walks to its preferred return address).  The traced
 *     instructions after the last P0 element before an untraced one
 *     (falling out of a range) are not seen;
 *   - an exception is traced iff the instruction where it is taken is:
 *     the SVC, or the instruction an asynchronous one interrupts.
 * No losses here (the unfiltered scenarios cover them).
 */
static void commit(struct sim_result *r, struct u64v *pend,
		   struct u64v *pord)
{
	size_t i;

	/* a P0 element: the Trace On elements before it are output */
	r->ons += r->ons_pending;
	r->ons_pending = 0;
	for (i = 0; i < pend->n; i++) {
		u64v_push(&r->truth, pend->v[i]);
		u64v_push(&r->ord, pord->v[i]);
	}
	pend->n = 0;
	pord->n = 0;
}

/* The test's own range check: start <= ip <= end for some range. */
static int in_ranges(const struct ete_soft_config *c, uint64_t ip)
{
	uint32_t k;

	for (k = 0; k < c->nranges; k++)
		if (ip >= c->ranges[k].start && ip <= c->ranges[k].end)
			return 1;
	return 0;
}

static void simulate_filtered(const struct sim_opts *o, struct sim_result *r)
{
	const struct ete_soft_config *c = &o->cfg;
	struct ete_soft_state st;
	uint8_t buf[4 * ETE_SOFT_MAX_OUT];
	struct ete_soft_out out = { buf, sizeof(buf), 0 };
	struct u64v pend = { 0 }, pord = { 0 };
	uint64_t stack[64], ip = random_func(), icount = 0;
	unsigned int sp = 0, i;
	int err = 0, view = 0, prev_view = 0;

	memset(r, 0, sizeof(*r));
	ete_soft_init(&st, c);
	err |= ete_soft_start(&st, ip, o->tid, o->vmid, &out);
	out_add(r, &out);
	r->ons_pending = in_ranges(c, ip);
	for (i = 0; i < o->steps && !err; i++) {
		struct a64_insn_info in;
		uint64_t next;
		uint32_t w;

		out.len = 0;
		if (code_at(ip, &w))
			abort();
		a64_insn_decode(w, ip, &in);
		view = in_ranges(c, ip);
		if (rnd(10000) < o->p_signal) {
			prev_view = 0;
			err |= ete_soft_kernel_enter(&st, NULL, &out);
			if (view) {
				commit(r, &pend, &pord);
				u64v_push(&r->exc, (uint64_t)0xe << 56 | ip);
			}
			pend.n = pord.n = 0;
			if (sp < 64)
				stack[sp++] = ip;
			ip = random_func();
			err |= ete_soft_kernel_exit(&st, ip, &out);
			r->ons_pending += in_ranges(c, ip);
			out_add(r, &out);
			continue;
		}
		if (!view) {
			tot_f_unseen += pend.n;
			pend.n = pord.n = 0;
		} else {
			tot_f_view++;
			tot_f_enter += !prev_view;
			u64v_push(&pend, ip);
			u64v_push(&pord, icount);
		}
		prev_view = view;
		if (in.br == A64_BR_EXC) {
			err |= ete_soft_kernel_enter(&st, &in, &out);
			if (view) {
				commit(r, &pend, &pord);
				u64v_push(&r->exc, (uint64_t)0x2 << 56 |
					  (ip + 4));
			}
			icount++;
			ip += 4;
			err |= ete_soft_kernel_exit(&st, ip, &out);
			r->ons_pending += in_ranges(c, ip);
			out_add(r, &out);
			r->steps++;
			prev_view = 0;
			continue;
		}
		next = sim_next(&in, ip, stack, &sp);
		if (view && is_p0(&in))
			commit(r, &pend, &pord);
		r->ons_pending += !view && in_ranges(c, next);
		err |= ete_soft_step(&st, &in, next, &out);
		out_add(r, &out);
		icount++;
		r->steps++;
		ip = next;
	}
	out.len = 0;
	err |= ete_soft_flush(&st, &out);
	out_add(r, &out);
	r->syncs = st.nsync;
	free(pend.v);
	free(pord.v);
	if (err) {
		fprintf(stderr, "sim: encoder error %d\n", err);
		fails++;
	}
}

/*
 * Ranges for a filtered scenario: n ranges starting at random
 * instructions (sometimes at a function's entry, sometimes a byte or two
 * before an instruction), 1 to 64 instructions long, ending on the last
 * byte of an instruction or on its first, so that control enters them by
 * branches and by falling in, and leaves by branches, by falling out,
 * by exceptions.
 */
static void gen_ranges(struct ete_soft_config *c, unsigned int n)
{
	unsigned int k;

	c->nranges = n;
	for (k = 0; k < n; k++) {
		int ri = (int)rnd(NREG);
		uint64_t a = rnd(3) ? region_base[ri] +
			     4 * (uint64_t)rnd((uint32_t)regions[ri].n) :
			     regions[ri].func[rnd(NFUNC)];
		uint64_t len = 4 * (uint64_t)rnd(64);

		c->ranges[k].start = a - (rnd(4) ? 0 : 1 + rnd(3));
		c->ranges[k].end = a + len + (rnd(2) ? 3 : 0);
	}
}

/* ---- OpenCSD ---- */

static uint32_t mem_cb(const void *ctx, const ocsd_vaddr_t addr,
		       const ocsd_mem_space_acc_t space, const uint32_t req,
		       uint8_t *buf)
{
	uint32_t n = 0, w;

	(void)ctx;
	(void)space;
	while (n + 4 <= req && !code_at(addr + n, &w)) {
		memcpy(buf + n, &w, 4);
		n += 4;
	}
	return n;
}

struct decoded {
	struct u64v addr;	/* instruction addresses, MARK at overflows */
	struct u64v idx;	/* packet index of each entry */
	struct u64v exc;
	struct u64v ts;		/* timestamp values */
	struct u64v ts_pos;	/* addr.n when each timestamp came */
	unsigned long long bad, ctx_bad, nctx, ons;
	uint32_t tid, vmid;
	int vmid_on;
};

static ocsd_datapath_resp_t elem_cb(const void *ctx,
				    const ocsd_trc_index_t idx, const uint8_t id,
				    const ocsd_generic_trace_elem *e)
{
	struct decoded *d = (struct decoded *)ctx;
	ocsd_vaddr_t a;

	(void)id;
	switch (e->elem_type) {
	case OCSD_GEN_TRC_ELEM_INSTR_RANGE:
		if (e->isa != ocsd_isa_aarch64)
			d->bad++;
		for (a = e->st_addr; a < e->en_addr; a += 4) {
			u64v_push(&d->addr, a);
			u64v_push(&d->idx, idx);
		}
		break;
	case OCSD_GEN_TRC_ELEM_TRACE_ON:
		if (e->trace_on_reason == TRACE_ON_OVERFLOW) {
			u64v_push(&d->addr, MARK);
			u64v_push(&d->idx, idx);
		} else {
			d->ons++;
		}
		break;
	case OCSD_GEN_TRC_ELEM_EXCEPTION:
		u64v_push(&d->exc, (uint64_t)e->exception_number << 56 |
			  e->en_addr);
		break;
	case OCSD_GEN_TRC_ELEM_TIMESTAMP:
		u64v_push(&d->ts, e->timestamp);
		u64v_push(&d->ts_pos, d->addr.n);
		break;
	case OCSD_GEN_TRC_ELEM_PE_CONTEXT:
		d->nctx++;
		if (!e->context.ctxt_id_valid ||
		    e->context.context_id != d->tid ||
		    e->context.exception_level != ocsd_EL0 ||
		    !e->context.bits64 ||
		    (d->vmid_on && (!e->context.vmid_valid ||
				    e->context.vmid != d->vmid)))
			d->ctx_bad++;
		break;
	case OCSD_GEN_TRC_ELEM_NO_SYNC:
	case OCSD_GEN_TRC_ELEM_EO_TRACE:
		break;
	case OCSD_GEN_TRC_ELEM_ADDR_NACC:
	case OCSD_GEN_TRC_ELEM_ADDR_UNKNOWN:
	case OCSD_GEN_TRC_ELEM_I_RANGE_NOPATH:
	default:
		d->bad++;
		break;
	}
	return OCSD_RESP_CONT;
}

struct pkts {
	struct u64v async;	/* offsets of A-sync packets */
	unsigned long long n, bad, bytes;
	char line[1024];
	size_t ll;
};

/*
 * Packet level through OpenCSD's own packet printer (the C API of 1.3.3
 * attaches packet callbacks to ETMv4 but not to ETE decoders): one line
 * per packet, "Idx:N; ID:X; [0xNN ... ];\tI_NAME : ...".  The bytes of
 * all packets must add up to the whole trace, none may be bad, reserved,
 * incomplete or unsynced.
 */
static void parse_line(struct pkts *k, const char *s)
{
	const char *b = strchr(s, '['), *e = b ? strchr(b, ']') : NULL;
	const char *p;

	if (strncmp(s, "Idx:", 4) || !b || !e)
		return;
	k->n++;
	for (p = b; p < e; p++)
		if (p[0] == '0' && p[1] == 'x')
			k->bytes++;
	if (strstr(e, "I_ASYNC"))
		u64v_push(&k->async, strtoull(s + 4, NULL, 10));
	if (strstr(e, "BAD") || strstr(e, "RESERVED") ||
	    strstr(e, "INCOMPLETE") || strstr(e, "NOTSYNC") ||
	    strstr(e, "I_UNKNOWN"))
		k->bad++;
}

/* The printer's text arrives in pieces: cut it into lines. */
static void print_cb(const void *ctx, const char *s, const int len)
{
	struct pkts *k = (struct pkts *)ctx;
	int i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' || k->ll + 1 >= sizeof(k->line)) {
			k->line[k->ll] = 0;
			parse_line(k, k->line);
			k->ll = 0;
		} else {
			k->line[k->ll++] = s[i];
		}
	}
}

static void make_cfg(const struct ete_soft_config *c, ocsd_ete_cfg *ete,
		     ocsd_etmv4_cfg *e4)
{
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int n = ete_soft_regs(c, regs), i;

	memset(ete, 0, sizeof(*ete));
	memset(e4, 0, sizeof(*e4));
	for (i = 0; i < n; i++) {
		const char *nm = regs[i].name;
		uint32_t v = regs[i].value;

#define SET(s, f) if (!strcmp(nm, s)) { ete->f = v; e4->f = v; }
		SET("TRCIDR0", reg_idr0);
		SET("TRCIDR1", reg_idr1);
		SET("TRCIDR2", reg_idr2);
		SET("TRCIDR8", reg_idr8);
		SET("TRCCONFIGR", reg_configr);
		SET("TRCTRACEIDR", reg_traceidr);
#undef SET
		if (!strcmp(nm, "TRCDEVARCH"))
			ete->reg_devarch = v;
		if (!strcmp(nm, "TRCIDR9"))
			e4->reg_idr9 = v;
	}
	ete->arch_ver = ARCH_AA64;
	ete->core_prof = profile_CortexA;
	e4->arch_ver = ARCH_V8;
	e4->core_prof = profile_CortexA;
}

/* Run OpenCSD over t[off..n): packets only (k) or full decode (d). */
static int run_ocsd(const struct ete_soft_config *c, const uint8_t *t,
		    size_t n, size_t off, struct pkts *k, struct decoded *d)
{
	dcd_tree_handle_t h = ocsd_create_dcd_tree(OCSD_TRC_SRC_SINGLE, 0);
	ocsd_ete_cfg ete;
	ocsd_etmv4_cfg e4;
	unsigned char csid;
	uint32_t done;
	size_t pos = off;
	int etm4 = !!(c->flags & ETE_SOFT_ETMV4);

	if (!h)
		return -1;
	make_cfg(c, &ete, &e4);
	if (ocsd_dt_create_decoder(h, etm4 ? OCSD_BUILTIN_DCD_ETMV4I :
				   OCSD_BUILTIN_DCD_ETE,
				   d ? OCSD_CREATE_FLG_FULL_DECODER :
				   OCSD_CREATE_FLG_PACKET_PROC,
				   etm4 ? (void *)&e4 : (void *)&ete,
				   &csid) != OCSD_OK) {
		fprintf(stderr, "  OpenCSD: cannot create the decoder\n");
		goto fail;
	}
	if (d) {
		if (ocsd_dt_set_gen_elem_outfn(h, elem_cb, d) != OCSD_OK ||
		    ocsd_dt_add_callback_mem_acc(h, 0, ~0ull,
						 OCSD_MEM_SPACE_ANY, mem_cb,
						 NULL) != OCSD_OK)
			goto fail;
	} else {
		ocsd_err_t e1 = ocsd_def_errlog_set_strprint_cb(h, k, print_cb);
		ocsd_err_t e2 = ocsd_dt_set_pkt_protocol_printer(h, csid, 1);

		if (e1 != OCSD_OK || e2 != OCSD_OK) {
			fprintf(stderr, "  OpenCSD: no packet printer (%d %d)\n",
				(int)e1, (int)e2);
			goto fail;
		}
	}
	while (pos < n) {
		ocsd_datapath_resp_t r = ocsd_dt_process_data(h, OCSD_OP_DATA,
			pos, (uint32_t)(n - pos), t + pos, &done);

		if (OCSD_DATA_RESP_IS_FATAL(r)) {
			fprintf(stderr, "  OpenCSD: fatal response %d at %zu\n",
				(int)r, pos);
			goto fail;
		}
		pos += done;
		if (!done && OCSD_DATA_RESP_IS_WAIT(r))
			ocsd_dt_process_data(h, OCSD_OP_FLUSH, 0, 0, NULL,
					     NULL);
	}
	ocsd_dt_process_data(h, OCSD_OP_EOT, 0, 0, NULL, NULL);
	ocsd_destroy_dcd_tree(h);
	return 0;
fail:
	ocsd_destroy_dcd_tree(h);
	return -1;
}

static int cmp_vec(const char *what, const struct u64v *want,
		   const struct u64v *got)
{
	size_t i;

	for (i = 0; i < want->n && i < got->n; i++)
		if (want->v[i] != got->v[i])
			break;
	if (i == want->n && i == got->n)
		return 0;
	fprintf(stderr, "  %s: %zu expected, %zu decoded, first difference "
		"at %zu: %#llx vs %#llx\n", what, want->n, got->n, i,
		i < want->n ? (unsigned long long)want->v[i] : 0ull,
		i < got->n ? (unsigned long long)got->v[i] : 0ull);
	return -1;
}

static void free_decoded(struct decoded *d)
{
	free(d->addr.v);
	free(d->idx.v);
	free(d->exc.v);
	free(d->ts.v);
	free(d->ts_pos.v);
}

static void write_snapshot(const char *dir, const struct sim_opts *o,
			   const struct sim_result *r);

/* One scenario: simulate, then let OpenCSD judge. */
static void scenario(const char *name, const struct sim_opts *o,
		     uint64_t seed, const char *snapdir)
{
	struct sim_result r;
	struct pkts k = { 0 };
	struct decoded d = { 0 };
	int ok = 1;
	size_t i, j, nchecked = 0;

	struct sim_opts fo = *o;

	gen_program(seed);
	/* ranges over this program's code */
	if (fo.nranges) {
		gen_ranges(&fo.cfg, fo.nranges);
		if (ete_soft_config_check(&fo.cfg))
			ok = 0;
	}
	o = &fo;
	if (o->cfg.nranges)
		simulate_filtered(o, &r);
	else
		simulate(o, &r);
	tot_progs++;
	tot_steps += r.steps;
	tot_bytes += r.n;
	tot_syncs += r.syncs;
	tot_ovf += r.ovf;
	tot_exc += r.exc.n;

	/* packet level: every byte a valid packet */
	if (run_ocsd(&o->cfg, r.t, r.n, 0, &k, NULL) || k.bad ||
	    !k.async.n || k.bytes != r.n) {
		fprintf(stderr, "  %s: packet level: %llu packets, %llu bad, "
			"%llu of %zu bytes\n", name, k.n, k.bad, k.bytes, r.n);
		ok = 0;
	}
	/* full decode against the simulated execution */
	d.tid = o->tid;
	d.vmid = o->vmid;
	d.vmid_on = !!(o->cfg.flags & ETE_SOFT_VMID);
	if (run_ocsd(&o->cfg, r.t, r.n, 0, NULL, &d) || d.bad || d.ctx_bad ||
	    !d.nctx) {
		fprintf(stderr, "  %s: decode: %llu bad elements, %llu bad "
			"contexts of %llu\n", name, d.bad, d.ctx_bad, d.nctx);
		ok = 0;
	}
	if (cmp_vec("instructions", &r.truth, &d.addr) ||
	    cmp_vec("exceptions", &r.exc, &d.exc))
		ok = 0;
	/* filtered: a Trace On at every restart of tracing */
	if (o->cfg.nranges && d.ons != r.ons) {
		fprintf(stderr, "  %s: %llu Trace On elements decoded, %llu "
			"restarts of tracing\n", name, d.ons, r.ons);
		ok = 0;
	}
	/* timestamps: the instruction-count clock, equal to the ordinal of
	 * the next instruction decoded after each */
	if (o->cfg.flags & ETE_SOFT_TS) {
		if (!d.ts.n)
			ok = 0;
		for (i = 0; ok && i < d.ts.n; i++) {
			size_t p = (size_t)d.ts_pos.v[i];
			int gap = 0;

			while (p < r.truth.n && r.truth.v[p] == MARK) {
				p++;
				gap = 1;
			}
			if (p >= r.truth.n || p >= d.addr.n)
				continue;
			/* a timestamp whose instructions were lost stamps
			 * nothing the decoder shows */
			if (gap && d.ts.v[i] != r.ord.v[p]) {
				tot_ts_lost++;
				continue;
			}
			/* filtered: the instructions right after a Trace On
			 * may be unseen (fallen out of the range) */
			if (o->cfg.nranges) {
				if (d.ts.v[i] > r.ord.v[p] ||
				    (i && d.ts.v[i] < d.ts.v[i - 1])) {
					fprintf(stderr, "  %s: timestamp %zu "
						"= %llu after ordinal %llu\n",
						name, i,
						(unsigned long long)d.ts.v[i],
						(unsigned long long)r.ord.v[p]);
					ok = 0;
				}
				tot_ts++;
				continue;
			}
			if (d.ts.v[i] != r.ord.v[p]) {
				fprintf(stderr, "  %s: timestamp %zu = %llu, "
					"instruction ordinal %llu\n", name, i,
					(unsigned long long)d.ts.v[i],
					(unsigned long long)r.ord.v[p]);
				ok = 0;
			}
			tot_ts++;
		}
	}
	tot_insns += d.addr.n;
	/* every A-sync alone: the rest of the full decode */
	for (i = 0; ok && i < k.async.n; i += 1 + k.async.n / 16) {
		struct decoded s = { 0 };
		struct u64v want = { 0 }, got = { 0 };
		size_t off = (size_t)k.async.v[i];

		s.tid = o->tid;
		s.vmid = o->vmid;
		s.vmid_on = d.vmid_on;
		if (run_ocsd(&o->cfg, r.t, r.n, off, NULL, &s) || s.bad)
			ok = 0;
		for (j = 0; j < d.addr.n; j++)
			if (d.idx.v[j] >= off && d.addr.v[j] != MARK)
				u64v_push(&want, d.addr.v[j]);
		for (j = 0; j < s.addr.n; j++)
			if (s.addr.v[j] != MARK)
				u64v_push(&got, s.addr.v[j]);
		if (cmp_vec("from A-sync", &want, &got)) {
			fprintf(stderr, "  %s: from the A-sync at %zu\n",
				name, off);
			ok = 0;
		}
		nchecked++;
		free(want.v);
		free(got.v);
		free_decoded(&s);
	}
	if (!nchecked)
		ok = 0;
	if (snapdir && ok)
		write_snapshot(snapdir, o, &r);
	result(ok, name);
	free_decoded(&d);
	free(k.async.v);
	free(r.truth.v);
	free(r.ord.v);
	free(r.exc.v);
	free(r.p0pos.v);
	free(r.ts.v);
	free(r.t);
}

/* ---- OpenCSD snapshot directory (what trc_pkt_lister -ss_dir reads) ---- */

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	return f;
}

static void write_snapshot(const char *dir, const struct sim_opts *o,
			   const struct sim_result *r)
{
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int n = ete_soft_regs(&o->cfg, regs), i;
	int etm4 = !!(o->cfg.flags & ETE_SOFT_ETMV4);
	FILE *f;
	size_t j;

	mkdir(dir, 0755);
	f = open_in(dir, "snapshot.ini");
	fprintf(f, "[snapshot]\nversion=1.0\n\n[device_list]\n"
		"device0=cpu_0.ini\ndevice1=device_1.ini\n\n"
		"[trace]\nmetadata=trace.ini\n");
	fclose(f);
	f = open_in(dir, "device_1.ini");
	fprintf(f, "[device]\nname=%s_0\nclass=trace_source\ntype=%s\n\n"
		"[regs]\n", etm4 ? "ETM" : "ETE", etm4 ? "ETM4" : "ETE");
	for (i = 0; i < n; i++)
		fprintf(f, "%s(0x%03x)=0x%08llX\n", regs[i].name,
			regs[i].index, (unsigned long long)regs[i].value);
	fclose(f);
	f = open_in(dir, "cpu_0.ini");
	fprintf(f, "[device]\nname=cpu_0\nclass=core\ntype=%s\n\n"
		"[regs]\nPC(size:64)=0x%llx\n", etm4 ? "ARMv8-A" : "ARMv9-A",
		(unsigned long long)region_base[0]);
	for (i = 0; i < NREG; i++)
		fprintf(f, "\n[dump%d]\nfile=region%d.bin\naddress=0x%llx\n"
			"length=0x%zx\n", i + 1, i,
			(unsigned long long)region_base[i],
			regions[i].n * 4);
	fclose(f);
	for (i = 0; i < NREG; i++) {
		char name[32];

		snprintf(name, sizeof(name), "region%d.bin", i);
		f = open_in(dir, name);
		fwrite(regions[i].code, 4, regions[i].n, f);
		fclose(f);
	}
	f = open_in(dir, "trace.ini");
	fprintf(f, "[trace_buffers]\nbuffers=buffer0\n\n[buffer0]\n"
		"name=TRB_0\nfile=trace.bin\nformat=source_data\n\n"
		"[source_buffers]\n%s_0=TRB_0\n\n[core_trace_sources]\n"
		"cpu_0=%s_0\n", etm4 ? "ETM" : "ETE", etm4 ? "ETM" : "ETE");
	fclose(f);
	f = open_in(dir, "trace.bin");
	fwrite(r->t, 1, r->n, f);
	fclose(f);
	/* the simulated execution, one address per line, "gap" at losses */
	f = open_in(dir, "expected.txt");
	for (j = 0; j < r->truth.n; j++) {
		if (r->truth.v[j] == MARK)
			fprintf(f, "gap\n");
		else
			fprintf(f, "%016llx\n",
				(unsigned long long)r->truth.v[j]);
	}
	fclose(f);
}

/*
 * Prints the instruction addresses of every OCSD_GEN_TRC_ELEM_INSTR_RANGE
 * line of a trc_pkt_lister -decode log ("exec range=0xST:[0xEN]", end
 * exclusive, A64: 4 bytes each).  Returns 0, or 1 if the file is
 * unreadable.
 */
static int expand_ppl(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *r = strstr(line,
			"OCSD_GEN_TRC_ELEM_INSTR_RANGE(exec range=");
		unsigned long long st, en, a;

		if (!r || sscanf(strchr(r, '=') + 1, "%llx:[%llx]", &st,
				 &en) != 2)
			continue;
		for (a = st; a < en; a += 4)
			printf("%016llx\n", a);
	}
	fclose(f);
	return 0;
}

/* The value of register name in regs[0 .. n - 1], or ~0 if absent. */
static uint64_t reg_val(const struct ete_soft_reg *regs, int n,
			const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(regs[i].name, name))
			return regs[i].value;
	return ~0ull;
}

/*
 * The filter as hardware is programmed (hand-derived from the ETMv4 /
 * ETE register descriptions): TRCIDR4.NUMACPAIRS [3:0] = 4; TRCVIIECTLR
 * INCLUDE[m] = bit m, EXCLUDE = bits [23:16]; range m in TRCACVR<2m>
 * (register 0x100 + 4m) and TRCACVR<2m+1> (0x102 + 4m); TRCACATR 0
 * (instruction address, no context); and the config checks.
 */
static void regs_and_config(void)
{
	struct ete_soft_config c = { .trace_id = 0x10 };
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	int n, ok = 1, i;

	n = ete_soft_regs(&c, regs);
	ok &= n <= ETE_SOFT_NREGS && reg_val(regs, n, "TRCIDR4") == 4 &&
	      reg_val(regs, n, "TRCVIIECTLR") == 0 &&
	      reg_val(regs, n, "TRCACVR0") == ~0ull;
	c.nranges = 2;
	c.ranges[0] = (struct ete_soft_range){ 0x400000, 0x400fff };
	c.ranges[1] = (struct ete_soft_range){ 0x7f0000001000, 0x7f0000001003 };
	ok &= ete_soft_config_check(&c) == 0;
	n = ete_soft_regs(&c, regs);
	ok &= n <= ETE_SOFT_NREGS && reg_val(regs, n, "TRCIDR4") == 4 &&
	      reg_val(regs, n, "TRCVIIECTLR") == 0x3 &&
	      reg_val(regs, n, "TRCACVR0") == 0x400000 &&
	      reg_val(regs, n, "TRCACVR1") == 0x400fff &&
	      reg_val(regs, n, "TRCACVR2") == 0x7f0000001000 &&
	      reg_val(regs, n, "TRCACVR3") == 0x7f0000001003 &&
	      reg_val(regs, n, "TRCACATR0") == 0 &&
	      reg_val(regs, n, "TRCACATR3") == 0 &&
	      reg_val(regs, n, "TRCACVR4") == ~0ull;
	for (i = 0; i < n; i++) {
		if (!strcmp(regs[i].name, "TRCACVR1"))
			ok &= regs[i].index == 0x102;
		if (!strcmp(regs[i].name, "TRCACVR2"))
			ok &= regs[i].index == 0x104;
		if (!strcmp(regs[i].name, "TRCACATR3"))
			ok &= regs[i].index == 0x126;
		if (!strcmp(regs[i].name, "TRCVIIECTLR"))
			ok &= regs[i].index == 0x021;
	}
	ok &= ete_soft_in_view(&c, 0x400000) && ete_soft_in_view(&c, 0x400ffc) &&
	      !ete_soft_in_view(&c, 0x401000) && !ete_soft_in_view(&c, 0x3ffffc) &&
	      ete_soft_in_view(&c, 0x7f0000001000) &&
	      !ete_soft_in_view(&c, 0x7f0000001004);
	/* config errors */
	c.ranges[2].end = 4;			/* unused slot not zero */
	ok &= ete_soft_config_check(&c) != 0;
	c.ranges[2].end = 0;
	c.ranges[1].start = c.ranges[1].end + 4;	/* reversed */
	ok &= ete_soft_config_check(&c) != 0;
	c.ranges[1].start = c.ranges[1].end;	/* one address */
	ok &= ete_soft_config_check(&c) == 0;
	c.nranges = ETE_SOFT_MAX_RANGES + 1;
	ok &= ete_soft_config_check(&c) != 0;
	result(ok, "filter_registers_and_config");
}

int main(int argc, char **argv)
{
	/* -s: the lossy run's snapshot; -f: the 4-range filtered one's */
	const char *snapdir = argc == 3 && (!strcmp(argv[1], "-s") ||
					    !strcmp(argv[1], "-f")) ?
			      argv[2] : NULL;
	const char *snapcase = snapdir && argv[1][1] == 'f' ?
			       "ete_filter4_sync256" : "ete_loss";
	static const struct {
		const char *name;
		uint32_t flags, period;
		unsigned int steps, p_signal, p_loss, nranges;
	} sc[] = {
		{ "ete_plain", 0, 0, 20000, 0, 0, 0 },
		{ "ete_ts_vmid", ETE_SOFT_TS | ETE_SOFT_VMID, 0, 20000, 0, 0, 0 },
		{ "ete_signals", ETE_SOFT_TS, 0, 20000, 30, 0, 0 },
		{ "ete_sync64", ETE_SOFT_TS, 64, 20000, 10, 0, 0 },
		{ "ete_loss", ETE_SOFT_TS, 512, 30000, 10, 8, 0 },
		{ "etm4_plain", ETE_SOFT_ETMV4, 0, 20000, 0, 0, 0 },
		{ "etm4_ts_vmid_signals", ETE_SOFT_ETMV4 | ETE_SOFT_TS |
		  ETE_SOFT_VMID, 256, 20000, 30, 0, 0 },
		{ "etm4_loss", ETE_SOFT_ETMV4 | ETE_SOFT_TS, 1024, 30000, 10,
		  8, 0 },
		{ "ete_filter1", ETE_SOFT_TS, 0, 60000, 20, 0, 1 },
		{ "ete_filter4_sync256", ETE_SOFT_TS | ETE_SOFT_VMID, 256,
		  60000, 20, 0, 4 },
		{ "etm4_filter2", ETE_SOFT_ETMV4 | ETE_SOFT_TS, 0, 60000, 20,
		  0, 2 },
	};
	unsigned int i, seed;

	if (argc == 3 && !strcmp(argv[1], "-x"))
		return expand_ppl(argv[2]);
	ocsd_def_errlog_init(OCSD_ERR_SEV_ERROR, 1);
	ocsd_def_errlog_config_output(C_API_MSGLOGOUT_FLG_NONE, NULL);
	regs_and_config();
	for (i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		for (seed = 1; seed <= 4; seed++) {
			struct sim_opts o = {
				.cfg = { .flags = sc[i].flags,
					 .sync_period = sc[i].period,
					 .trace_id = 0x10 + i },
				.steps = sc[i].steps,
				.p_signal = sc[i].p_signal,
				.p_loss = sc[i].p_loss,
				.nranges = sc[i].nranges,
				.tid = 1000 + seed * 7,
				.vmid = 0x2a,
			};
			char name[64];

			snprintf(name, sizeof(name), "%s_%u", sc[i].name,
				 seed);
			scenario(name, &o, seed * 100 + i,
				 snapdir && seed == 1 && !strcmp(sc[i].name,
				 snapcase) ? snapdir : NULL);
		}
	}
	printf("ete_enc_test: %llu programs, %llu steps, %llu instructions "
	       "compared with OpenCSD, %llu exceptions, %llu overflows, "
	       "%llu sync points, %llu timestamps (%llu more before a loss), "
	       "%llu trace bytes; filtered runs: %llu instructions in the "
	       "ranges (%llu not seen: fallen out after the last P0 "
	       "element), ~%llu entries\n",
	       tot_progs, tot_steps, tot_insns, tot_exc, tot_ovf, tot_syncs,
	       tot_ts, tot_ts_lost, tot_bytes, tot_f_view, tot_f_unseen,
	       tot_f_enter);
	return fails != 0;
}
