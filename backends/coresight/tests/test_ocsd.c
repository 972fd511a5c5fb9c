// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_config's registers decode a real stream: a small A64 program (a
 * call in a counted loop, whose executed addresses are known exactly) is
 * run through backends/soft/ete_enc.c, the encoder of the emulated unit,
 * for ETE and ETMv4; OpenCSD (libopencsd) decodes the stream with the
 * unit's ID registers (tests/cs_cpus.h's soft rows) and the TRCCONFIGR
 * and TRCTRACEIDR that cs_config_regs() produced for the config the
 * encoder ran with; the decoded addresses must equal the program's.
 * Also: the soft rows equal ete_soft_regs()'s ID registers, and
 * cs_config's TRCCONFIGR equals the one the encoder describes, so the
 * backend and the emulated unit agree.
 *
 * Measured limit of the decode half: flipping any one of TRCCONFIGR bits
 * 0, 3, 4, 6, 7, 11, 12 or the trace ID handed to OpenCSD changes
 * nothing here (this encoder's packets carry their own context flags,
 * and a single-source tree ignores the ID), so the register values are
 * held to ground truth by test_juno and to the encoder by the check
 * above; the decode proves the set is one OpenCSD accepts and decodes.
 */
#include <stdio.h>
#include <stdlib.h>

#include <opencsd/c_api/opencsd_c_api.h>

#include "cs_unit.h"
#include "cs_cpus.h"
#include "../cs_config.h"
#include "../cs_tmc.h"
#include "../../soft/ete_enc.h"

#define BASE	0x400000ull

/*
 * LeakSanitizer: the OpenCSD C API (1.3.3) does not free the callback
 * wrapper ocsd_dt_set_gen_elem_outfn() allocates (32 bytes a tree) when
 * the tree is destroyed.  This test allocates nothing itself.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

/*
 *   0: movz x0, #3
 *   4: bl   0x14
 *   8: subs x0, x0, #1
 *   c: b.ne 0x4
 *  10: b    0x10          (the end: not executed)
 *  14: ret
 */
static const uint32_t prog[] = {
	0xd2800060, 0x94000004, 0xf1000400, 0x54ffffc1, 0x14000000,
	0xd65f03c0,
};

static int code_at(uint64_t a, uint32_t *w)
{
	if (a < BASE || a >= BASE + sizeof(prog) || (a & 3))
		return -1;
	*w = prog[(a - BASE) / 4];
	return 0;
}

/* Addresses one decode keeps (the longest run is 1 + 4 x 600). */
#define MAXADDR	4096

/*
 * Run the program to 0x10, its loop taken loops times; truth (MAXADDR
 * entries) gets every executed address.
 */
static int run_loops(const struct ete_soft_config *cfg, uint64_t loops,
		     uint64_t *truth, int *ntruth, uint8_t *t, size_t cap,
		     size_t *n)
{
	struct ete_soft_state st;
	struct ete_soft_out out = { t, cap, 0 };
	struct a64_insn_info in;
	uint64_t ip = BASE, lr = 0, x0 = 0, next;
	uint32_t w;
	int k = 0;

	ete_soft_init(&st, cfg);
	if (ete_soft_start(&st, ip, 1234, 7, &out))
		return -1;
	while (ip != BASE + 0x10 && k < MAXADDR) {
		if (code_at(ip, &w) || out.cap - out.len < ETE_SOFT_MAX_OUT)
			return -1;
		a64_insn_decode(w, ip, &in);
		truth[k++] = ip;
		switch (ip - BASE) {
		case 0x0:
			x0 = loops;
			next = ip + 4;
			break;
		case 0x4:
			lr = ip + 4;
			next = in.target;
			break;
		case 0x8:
			x0--;
			next = ip + 4;
			break;
		case 0xc:
			next = x0 ? in.target : ip + 4;
			break;
		default:
			next = lr;
			break;
		}
		if (ete_soft_step(&st, &in, next, &out))
			return -1;
		ip = next;
	}
	if (ete_soft_flush(&st, &out))
		return -1;
	*ntruth = k;
	*n = out.len;
	return 0;
}

/* The program as written (movz x0, #3): 13 instructions. */
static int run_prog(const struct ete_soft_config *cfg, uint64_t *truth,
		    int *ntruth, uint8_t *t, size_t cap, size_t *n)
{
	return run_loops(cfg, 3, truth, ntruth, t, cap, n);
}

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

struct dec {
	uint64_t a[MAXADDR];
	int n, bad;
	uint8_t id;		/* formatted: the trace ID this one takes */
	struct dec *other;	/* formatted: the second source's */
};

static ocsd_datapath_resp_t elem_cb(const void *ctx,
				    const ocsd_trc_index_t idx,
				    const uint8_t id,
				    const ocsd_generic_trace_elem *e)
{
	struct dec *d = (struct dec *)ctx;
	ocsd_vaddr_t a;

	(void)idx;
	if (d->other && id != d->id)
		d = d->other;
	if (d->id && id != d->id) {
		d->bad++;
		return OCSD_RESP_CONT;
	}
	switch (e->elem_type) {
	case OCSD_GEN_TRC_ELEM_INSTR_RANGE:
		for (a = e->st_addr; a < e->en_addr && d->n < MAXADDR; a += 4)
			d->a[d->n++] = a;
		break;
	case OCSD_GEN_TRC_ELEM_PE_CONTEXT:
	case OCSD_GEN_TRC_ELEM_TRACE_ON:
	case OCSD_GEN_TRC_ELEM_TIMESTAMP:
	case OCSD_GEN_TRC_ELEM_NO_SYNC:
	case OCSD_GEN_TRC_ELEM_EO_TRACE:
		break;
	default:
		d->bad++;
		break;
	}
	return OCSD_RESP_CONT;
}

/*
 * Decode t: a raw single-source stream, or (fmt_ids[0]) TMC frames
 * carrying sources with trace IDs fmt_ids[0] and fmt_ids[1], demuxed by
 * OpenCSD's deformatter (memory-aligned frames, as a TMC writes them).
 */
static int decode_any(const struct cs_idregs *id, const struct cs_regs *regs,
		      int etm4, const uint8_t *t, size_t n, struct dec *d,
		      const uint8_t *fmt_ids)
{
	dcd_tree_handle_t h = fmt_ids ?
		ocsd_create_dcd_tree(OCSD_TRC_SRC_FRAME_FORMATTED,
				     OCSD_DFRMTR_FRAME_MEM_ALIGN) :
		ocsd_create_dcd_tree(OCSD_TRC_SRC_SINGLE, 0);
	ocsd_ete_cfg ete;
	ocsd_etmv4_cfg e4;
	unsigned char csid;
	uint32_t done;
	size_t pos = 0;
	int ret = -1;

	if (!h)
		return -1;
	memset(&ete, 0, sizeof(ete));
	memset(&e4, 0, sizeof(e4));
	ete.reg_idr0 = e4.reg_idr0 = id->trcidr[0];
	ete.reg_idr1 = e4.reg_idr1 = id->trcidr[1];
	ete.reg_idr2 = e4.reg_idr2 = id->trcidr[2];
	ete.reg_idr8 = e4.reg_idr8 = id->trcidr[8];
	e4.reg_idr9 = id->trcidr[9];
	e4.reg_idr10 = id->trcidr[10];
	e4.reg_idr11 = id->trcidr[11];
	e4.reg_idr12 = id->trcidr[12];
	e4.reg_idr13 = id->trcidr[13];
	ete.reg_devarch = id->trcdevarch;
	/* What this test is about: the backend's values. */
	ete.reg_configr = e4.reg_configr = regs->configr;
	ete.reg_traceidr = e4.reg_traceidr = regs->traceidr;
	ete.arch_ver = ARCH_AA64;
	ete.core_prof = e4.core_prof = profile_CortexA;
	e4.arch_ver = ARCH_V8;
	if (fmt_ids) {
		e4.reg_traceidr = ete.reg_traceidr = fmt_ids[1];
		if (ocsd_dt_create_decoder(h, etm4 ? OCSD_BUILTIN_DCD_ETMV4I :
					   OCSD_BUILTIN_DCD_ETE,
					   OCSD_CREATE_FLG_FULL_DECODER,
					   etm4 ? (void *)&e4 : (void *)&ete,
					   &csid) != OCSD_OK)
			goto out;
		e4.reg_traceidr = ete.reg_traceidr = fmt_ids[0];
	}
	if (ocsd_dt_create_decoder(h, etm4 ? OCSD_BUILTIN_DCD_ETMV4I :
				   OCSD_BUILTIN_DCD_ETE,
				   OCSD_CREATE_FLG_FULL_DECODER,
				   etm4 ? (void *)&e4 : (void *)&ete,
				   &csid) != OCSD_OK ||
	    ocsd_dt_set_gen_elem_outfn(h, elem_cb, d) != OCSD_OK ||
	    ocsd_dt_add_callback_mem_acc(h, 0, ~0ull, OCSD_MEM_SPACE_ANY,
					 mem_cb, NULL) != OCSD_OK)
		goto out;
	while (pos < n) {
		ocsd_datapath_resp_t r = ocsd_dt_process_data(h, OCSD_OP_DATA,
			pos, (uint32_t)(n - pos), t + pos, &done);

		if (OCSD_DATA_RESP_IS_FATAL(r) || !done)
			goto out;
		pos += done;
	}
	ocsd_dt_process_data(h, OCSD_OP_EOT, 0, 0, NULL, NULL);
	ret = 0;
out:
	ocsd_destroy_dcd_tree(h);
	return ret;
}

static int decode(const struct cs_idregs *id, const struct cs_regs *regs,
		  int etm4, const uint8_t *t, size_t n, struct dec *d)
{
	return decode_any(id, regs, etm4, t, n, d, NULL);
}

static void test_unit(const struct cs_cpu *c, uint32_t flags)
{
	struct ete_soft_config ecfg = { 0 };
	struct ete_soft_reg er[ETE_SOFT_NREGS];
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_caps k;
	struct dec d;
	uint64_t truth[MAXADDR];
	uint8_t t[4096];
	size_t n;
	int etm4 = !c->want.ete, nt = 0, i, nr;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	memset(&x, 0, sizeof(x));
	x.flags = flags;
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x21, &regs) == 0);

	ecfg.flags = (etm4 ? ETE_SOFT_ETMV4 : 0) |
		     (flags & HWT_CORESIGHT_TIMESTAMP ? ETE_SOFT_TS : 0) |
		     (flags & HWT_CORESIGHT_VMID ? ETE_SOFT_VMID : 0);
	ecfg.trace_id = 0x21;
	CHECK(ete_soft_config_check(&ecfg) == 0);

	/* The table's soft rows and the backend agree with the encoder. */
	nr = ete_soft_regs(&ecfg, er);
	for (i = 0; i < nr; i++) {
		unsigned int idx = er[i].index;
		uint32_t want;

		if (idx >= 0x78 && idx <= 0x7d)		/* TRCIDR0-5 */
			want = c->id.trcidr[idx - 0x78];
		else if (idx >= 0x60 && idx <= 0x65)	/* TRCIDR8-13 */
			want = c->id.trcidr[idx - 0x60 + 8];
		else if (idx == 0x3ef)
			want = c->id.trcdevarch;
		else if (idx == 0x004)
			want = regs.configr;
		else if (idx == 0x010)
			want = regs.traceidr;
		else
			continue;
		CHECKF(er[i].value == want, "%s: %s %#llx, ours %#x", c->name,
		       er[i].name, (unsigned long long)er[i].value, want);
	}

	CHECK(run_prog(&ecfg, truth, &nt, t, sizeof(t), &n) == 0);
	CHECKF(nt == 13, "%d executed", nt);	/* 0, then 3 x (4, 14, 8, c) */
	memset(&d, 0, sizeof(d));
	CHECK(decode(&c->id, &regs, etm4, t, n, &d) == 0);
	CHECKF(d.n == nt && !d.bad, "%s: %d decoded, %d executed, %d bad",
	       c->name, d.n, nt, d.bad);
	for (i = 0; i < nt && i < d.n; i++)
		CHECKF(d.a[i] == truth[i], "%s: #%d %#llx, executed %#llx",
		       c->name, i, (unsigned long long)d.a[i],
		       (unsigned long long)truth[i]);
}

/*
 * The TMC formatter judged by OpenCSD's deformatter: two sources (the
 * program traced twice, trace IDs 0x21 and 0x22) cut into chunks of
 * 1..37 bytes, interleaved through cs_fmt_put() as a TMC fed by two
 * ETMs would frame them (ID changes at odd and even bytes), flushed;
 * OpenCSD, given memory-aligned frames and one decoder per ID, must give
 * each source exactly its executed addresses.
 */
static void test_formatted(const struct cs_cpu *c, uint32_t flags)
{
	static const uint8_t ids[2] = { 0x21, 0x22 };
	struct ete_soft_config ecfg = { 0 };
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_caps k;
	struct cs_fmt f;
	struct dec d[2];
	uint64_t truth[MAXADDR];
	uint8_t t[2][4096], out[16384];
	size_t n[2], pos[2] = { 0, 0 }, len = 0, chunk;
	unsigned int seed = 7;
	int etm4 = !c->want.ete, nt = 0, i, s, r;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	memset(&x, 0, sizeof(x));
	x.flags = flags;
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x21, &regs) == 0);
	ecfg.flags = (etm4 ? ETE_SOFT_ETMV4 : 0) |
		     (flags & HWT_CORESIGHT_TIMESTAMP ? ETE_SOFT_TS : 0);
	for (s = 0; s < 2; s++) {
		ecfg.trace_id = ids[s];
		CHECK(run_prog(&ecfg, truth, &nt, t[s], sizeof(t[s]), &n[s]) ==
		      0);
	}
	cs_fmt_init(&f);
	while (pos[0] < n[0] || pos[1] < n[1]) {
		seed = seed * 1103515245u + 12345u;
		s = pos[0] < n[0] && (pos[1] >= n[1] || (seed >> 16) & 1) ?
		    0 : 1;
		chunk = 1 + (seed >> 20) % 37;
		if (chunk > n[s] - pos[s])
			chunk = n[s] - pos[s];
		r = cs_fmt_put(&f, ids[s], t[s] + pos[s], chunk, out + len,
			       sizeof(out) - len);
		CHECK(r >= 0 && r % 16 == 0);
		if (r < 0)
			return;
		len += (size_t)r;
		pos[s] += chunk;
	}
	len += (size_t)cs_fmt_flush(&f, out + len);
	CHECKF(len % 16 == 0 && len >= (n[0] + n[1]) * 16 / 15,
	       "%zu framed bytes for %zu + %zu", len, n[0], n[1]);
	memset(d, 0, sizeof(d));
	d[0].id = ids[0];
	d[1].id = ids[1];
	d[0].other = &d[1];
	CHECK(decode_any(&c->id, &regs, etm4, out, len, &d[0], ids) == 0);
	for (s = 0; s < 2; s++) {
		CHECKF(d[s].n == nt && !d[s].bad,
		       "%s id %#x: %d decoded, %d executed, %d bad", c->name,
		       ids[s], d[s].n, nt, d[s].bad);
		for (i = 0; i < nt && i < d[s].n; i++)
			CHECK(d[s].a[i] == truth[i]);
	}
}

/*
 * A wrapped ETR's tail: one ETMv4 source (the loop 600 times, a sync
 * point every 256 bytes) in TMC frames, the oldest frames overwritten
 * (the capture cut at each frame boundary).  OpenCSD must decode every
 * cut to an exact suffix of the executed addresses, and to some of them
 * wherever the cut leaves 8 frames (the formatter's ID again) and two
 * sync periods: the source's data is named by an ID again 8 frames in
 * at most.
 */
static void test_wrapped(const struct cs_cpu *c)
{
	static const uint8_t ids[2] = { 0x21, 0x22 };	/* 0x22: unused */
	static uint64_t truth[MAXADDR];
	static uint8_t t[16384], out[20480];
	struct ete_soft_config ecfg = { 0 };
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_caps k;
	struct cs_fmt f;
	size_t n, pos = 0, len = 0, cut, chunk, i, empty = 0, ncuts = 0;
	unsigned int seed = 5;
	struct dec *d;
	int nt = 0, r;

	CHECK(cs_caps_parse(&c->id, &k) == 0);
	memset(&x, 0, sizeof(x));
	x.flags = HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID;
	CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x21, &regs) == 0);
	ecfg.flags = ETE_SOFT_ETMV4;
	ecfg.trace_id = 0x21;
	ecfg.sync_period = 256;
	CHECK(ete_soft_config_check(&ecfg) == 0);
	CHECK(run_loops(&ecfg, 600, truth, &nt, t, sizeof(t), &n) == 0);
	CHECKF(nt == 1 + 4 * 600 && n > 1024, "%d executed, %zu bytes", nt,
	       n);
	cs_fmt_init(&f);
	while (pos < n) {
		seed = seed * 1103515245u + 12345u;
		chunk = 1 + (seed >> 16) % 37;
		if (chunk > n - pos)
			chunk = n - pos;
		r = cs_fmt_put(&f, 0x21, t + pos, chunk, out + len,
			       sizeof(out) - len);
		CHECK(r >= 0);
		if (r < 0)
			return;
		len += (size_t)r;
		pos += chunk;
	}
	len += (size_t)cs_fmt_flush(&f, out + len);
	d = calloc(2, sizeof(*d));
	CHECK(d != NULL);
	if (!d)
		return;
	for (cut = 0; cut < len; cut += 16) {
		memset(d, 0, 2 * sizeof(*d));
		d->id = 0x21;
		d->other = &d[1];
		d[1].id = 0x22;
		CHECK(decode_any(&c->id, &regs, 1, out + cut, len - cut, d,
				 ids) == 0);
		CHECKF(!d->bad && d->n <= nt && !d[1].n && !d[1].bad,
		       "cut at %zu: %d bad, %d decoded", cut, d->bad, d->n);
		for (i = 0; i < (size_t)d->n && d->n <= nt; i++)
			if (d->a[i] != truth[nt - d->n + (int)i])
				break;
		CHECKF(i == (size_t)d->n, "cut at %zu: %zu of %d decoded "
		       "are the executed suffix", cut, i, d->n);
		if (len - cut >= 8 * 16 + 2 * 256 * 16 / 15 + 16) {
			ncuts++;
			empty += !d->n;
		}
	}
	CHECKF(ncuts > 32 && !empty, "%zu of %zu cuts decoded nothing", empty,
	       ncuts);
	free(d);
}

int main(void)
{
	const uint32_t base = HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID;
	const uint32_t more = base | HWT_CORESIGHT_TIMESTAMP |
			      HWT_CORESIGHT_VMID;

	ocsd_def_errlog_init(OCSD_ERR_SEV_ERROR, 1);
	ocsd_def_errlog_config_output(C_API_MSGLOGOUT_FLG_NONE, NULL);
	RUN(test_unit(&cs_cpus[2], base), "ocsd decodes soft ETE, CID");
	RUN(test_unit(&cs_cpus[2], more), "ocsd decodes soft ETE, CID TS VMID");
	RUN(test_unit(&cs_cpus[3], base), "ocsd decodes soft ETMv4, CID");
	RUN(test_unit(&cs_cpus[3], more),
	    "ocsd decodes soft ETMv4, CID TS VMID");
	RUN(test_formatted(&cs_cpus[3], base),
	    "ocsd deformats TMC frames of two soft ETMv4 sources");
	RUN(test_formatted(&cs_cpus[3], base | HWT_CORESIGHT_TIMESTAMP),
	    "ocsd deformats TMC frames of two soft ETMv4 sources, TS");
	RUN(test_wrapped(&cs_cpus[3]),
	    "ocsd decodes each cut of a wrapped single-source ETR");
	return unit_failed ? 1 : 0;
}
