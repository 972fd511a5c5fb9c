// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Host half of the arm64 soft backend's VM test: reads the SOFTA64 lines
 * tests/vm/guest/soft_a64.c printed on the guest console (the ETE bytes
 * the kernel stepper wrote, the thread id, the workload's entry, the
 * ptrace ground truth with its arm64 quirks filtered), decodes the ETE
 * with OpenCSD's full decoder over the guest binary's loadable segments,
 * and compares the decoded instruction addresses with the ground truth
 * from the workload's entry on, instruction for instruction.
 *
 * usage: ete_vmcheck CONSOLE_LOG GUEST_DIR [TAG NAME]
 * A "stop ADDR" line cuts the comparison at ADDR's first execution; a
 * "tail" line (a flight recorder's content) compares the decode with the
 * end of the ground truth (check_tail()).  "range START END" lines (the
 * backend's address filter, inclusive) make it compare the whole decode
 * with the ground truth inside the ranges, and count a Trace On element
 * at every entry into them (check_ranges()).
 * A "format etm4-tmc" line (the CoreSight backend's ETMv4 + TMC rows)
 * says the bytes are ETMv4 in TMC frames: OpenCSD deformats them
 * (memory-aligned frames) and decodes trace ID 0x10 with the ETMv4
 * decoder and the encoder's ETMv4 registers.
 * "run START END ID" lines (hex; the CoreSight backend's TMC shared by
 * several CPUs) say the bytes are a whole buffer of frames of several
 * sources and which parts are the thread's: one deformatting of it,
 * an ETMv4 decoder per ID named, and only the elements of a run's ID
 * whose trace index (the byte where OpenCSD read their packet) lies in
 * that run are the thread's (the others are other tasks').
 * TAG: the lines' prefix (default SOFTA64; soft_a64_excl.c prints one
 * dump per case as "SOFTA64:case"); NAME: the results' prefix (default
 * soft/a64/vm).  Prints PASS:/FAIL:/INFO: lines; exits non-zero on any FAIL.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <opencsd/c_api/opencsd_c_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ete_enc.h"
#include "../../../tests/lib/u64vec.h"

#define MAXSEG	8

struct seg {
	uint64_t va;
	size_t len;
	uint8_t *data;
};

static struct seg segs[MAXSEG];
static int nsegs;

static struct u64v ete, gt, got;
static uint64_t marker, stop;
static unsigned int tid;
static char binary[64];
static int seen_end;
static unsigned long long bad, nexc, nctx, ctx_bad;
/* A flight recorder's content: only the end of the run ("tail"). */
static int tail;
static uint64_t last_exc_addr;
static size_t got_at_last_exc;
static const char *tag = "SOFTA64", *tname = "soft/a64/vm";
/* Address filter of the traced run ("range" lines). */
#define MAXRANGE 4
static uint64_t rstart[MAXRANGE], rend[MAXRANGE];
static int nranges;
static unsigned long long nons;
/* "format etm4-tmc": ETMv4 in TMC frames. */
static int etm4_tmc;
/* "run" lines: the thread's parts of a shared buffer, and their IDs. */
#define MAXRUN 1024
static uint64_t run_s[MAXRUN], run_e[MAXRUN];
static unsigned int run_id[MAXRUN];
static int nruns;

/* Returns 1 if trace index idx of source id is in one of the runs. */
static int in_run(uint8_t id, uint64_t idx)
{
	int k;

	for (k = 0; k < nruns; k++)
		if (run_id[k] == id && idx >= run_s[k] && idx < run_e[k])
			return 1;
	return 0;
}

static void parse(FILE *f)
{
	char *line = NULL, *p, *tok, *save, prefix[80];
	size_t cap = 0;

	snprintf(prefix, sizeof(prefix), "%s ", tag);
	while (getline(&line, &cap, f) > 0) {
		p = strstr(line, prefix);
		if (!p)
			continue;
		p += strlen(prefix);
		if (sscanf(p, "binary %63s", binary) == 1)
			continue;
		if (sscanf(p, "marker %lx tid %u", &marker, &tid) == 2)
			continue;
		if (sscanf(p, "stop %lx", &stop) == 1)
			continue;
		if (!strncmp(p, "format etm4-tmc", 15)) {
			etm4_tmc = 1;
			continue;
		}
		if (!strncmp(p, "run ", 4)) {
			if (nruns < MAXRUN &&
			    sscanf(p, "run %lx %lx %x", &run_s[nruns],
				   &run_e[nruns], &run_id[nruns]) == 3 &&
			    run_id[nruns] && run_id[nruns] < 0x70)
				nruns++;
			else
				nruns = MAXRUN + 1;	/* refused below */
			continue;
		}
		if (!strncmp(p, "range ", 6)) {
			if (nranges < MAXRANGE &&
			    sscanf(p, "range %lx %lx", &rstart[nranges],
				   &rend[nranges]) == 2)
				nranges++;
			else
				nranges = MAXRANGE + 1;	/* refused below */
			continue;
		}
		if (!strncmp(p, "tail", 4)) {
			tail = 1;
			continue;
		}
		if (!strncmp(p, "end", 3)) {
			seen_end = 1;
			continue;
		}
		tok = strtok_r(p, " \n", &save);
		if (!tok)
			continue;
		if (!strcmp(tok, "ete")) {
			while ((tok = strtok_r(NULL, " \n", &save)))
				u64v_push(&ete, strtoull(tok, NULL, 16));
		} else if (!strcmp(tok, "gt")) {
			while ((tok = strtok_r(NULL, " \n", &save)))
				u64v_push(&gt, strtoull(tok, NULL, 16));
		}
	}
	free(line);
}

static int load_segments(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t i, phnum;
	Elf *e;

	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &phnum))
		return -1;
	for (i = 0; i < phnum && nsegs < MAXSEG; i++) {
		GElf_Phdr ph;
		struct seg *s = &segs[nsegs];

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		s->va = ph.p_vaddr;
		s->len = ph.p_filesz;
		s->data = malloc(s->len);
		if (!s->data ||
		    pread(fd, s->data, s->len, (off_t)ph.p_offset) !=
		    (ssize_t)s->len)
			return -1;
		nsegs++;
	}
	elf_end(e);
	close(fd);
	return nsegs;
}

static uint32_t mem_cb(const void *ctx, const ocsd_vaddr_t addr,
		       const ocsd_mem_space_acc_t space, const uint32_t req,
		       uint8_t *buf)
{
	int i;

	(void)ctx;
	(void)space;
	for (i = 0; i < nsegs; i++) {
		const struct seg *s = &segs[i];
		uint64_t n;

		if (addr < s->va || addr >= s->va + s->len)
			continue;
		n = s->va + s->len - addr;
		if (n > req)
			n = req;
		memcpy(buf, s->data + (addr - s->va), n);
		return (uint32_t)n;
	}
	return 0;
}

static ocsd_datapath_resp_t elem_cb(const void *ctx,
				    const ocsd_trc_index_t idx, const uint8_t id,
				    const ocsd_generic_trace_elem *e)
{
	ocsd_vaddr_t a;

	(void)ctx;
	if (nruns && !in_run(id, idx))
		return OCSD_RESP_CONT;
	switch (e->elem_type) {
	case OCSD_GEN_TRC_ELEM_INSTR_RANGE:
		if (e->isa != ocsd_isa_aarch64)
			bad++;
		for (a = e->st_addr; a < e->en_addr; a += 4)
			u64v_push(&got, a);
		break;
	case OCSD_GEN_TRC_ELEM_EXCEPTION:
		nexc++;
		last_exc_addr = e->excep_ret_addr ? e->en_addr : 0;
		got_at_last_exc = got.n;
		break;
	case OCSD_GEN_TRC_ELEM_PE_CONTEXT:
		nctx++;
		if (!e->context.ctxt_id_valid ||
		    e->context.context_id != tid ||
		    e->context.exception_level != ocsd_EL0 ||
		    !e->context.bits64)
			ctx_bad++;
		break;
	case OCSD_GEN_TRC_ELEM_TRACE_ON:
		nons++;
		break;
	case OCSD_GEN_TRC_ELEM_NO_SYNC:
	case OCSD_GEN_TRC_ELEM_EO_TRACE:
	case OCSD_GEN_TRC_ELEM_TIMESTAMP:
		break;
	default:
		/* Overflows, unknown or inaccessible addresses, gaps. */
		bad++;
		break;
	}
	return OCSD_RESP_CONT;
}

/* The IDs to decode: those the runs name, else 0x10. */
static int decode_ids(uint8_t *ids)
{
	int k, j, n = 0;

	if (!nruns) {
		ids[0] = 0x10;
		return 1;
	}
	for (k = 0; k < nruns; k++) {
		for (j = 0; j < n && ids[j] != run_id[k]; j++)
			;
		if (j == n && n < 16)
			ids[n++] = (uint8_t)run_id[k];
	}
	return n;
}

/* An ETMv4 or ETE decoder for trace ID id in tree h.  Returns 0 or -1. */
static int add_decoder(dcd_tree_handle_t h, uint8_t id)
{
	struct ete_soft_config c = {
		.trace_id = id, .flags = etm4_tmc ? ETE_SOFT_ETMV4 : 0,
	};
	struct ete_soft_reg regs[ETE_SOFT_NREGS];
	ocsd_etmv4_cfg e4;
	ocsd_ete_cfg cfg;
	unsigned char csid;
	size_t i;
	int n;

	memset(&cfg, 0, sizeof(cfg));
	memset(&e4, 0, sizeof(e4));
	n = ete_soft_regs(&c, regs);
	for (i = 0; i < (size_t)n; i++) {
		const char *nm = regs[i].name;
		uint32_t v = regs[i].value;

		if (!strcmp(nm, "TRCIDR0"))
			cfg.reg_idr0 = v;
		else if (!strcmp(nm, "TRCIDR1"))
			cfg.reg_idr1 = v;
		else if (!strcmp(nm, "TRCIDR2"))
			cfg.reg_idr2 = v;
		else if (!strcmp(nm, "TRCIDR8"))
			cfg.reg_idr8 = v;
		else if (!strcmp(nm, "TRCCONFIGR"))
			cfg.reg_configr = v;
		else if (!strcmp(nm, "TRCTRACEIDR"))
			cfg.reg_traceidr = v;
		else if (!strcmp(nm, "TRCDEVARCH"))
			cfg.reg_devarch = v;
		else if (!strcmp(nm, "TRCIDR9"))
			e4.reg_idr9 = v;
		else if (!strcmp(nm, "TRCIDR10"))
			e4.reg_idr10 = v;
		else if (!strcmp(nm, "TRCIDR11"))
			e4.reg_idr11 = v;
		else if (!strcmp(nm, "TRCIDR12"))
			e4.reg_idr12 = v;
		else if (!strcmp(nm, "TRCIDR13"))
			e4.reg_idr13 = v;
	}
	cfg.arch_ver = ARCH_AA64;
	cfg.core_prof = profile_CortexA;
	e4.reg_idr0 = cfg.reg_idr0;
	e4.reg_idr1 = cfg.reg_idr1;
	e4.reg_idr2 = cfg.reg_idr2;
	e4.reg_idr8 = cfg.reg_idr8;
	e4.reg_configr = cfg.reg_configr;
	e4.reg_traceidr = cfg.reg_traceidr;
	e4.arch_ver = ARCH_V8;
	e4.core_prof = profile_CortexA;
	return ocsd_dt_create_decoder(h, etm4_tmc ? OCSD_BUILTIN_DCD_ETMV4I :
				      OCSD_BUILTIN_DCD_ETE,
				      OCSD_CREATE_FLG_FULL_DECODER,
				      etm4_tmc ? (void *)&e4 : (void *)&cfg,
				      &csid) == OCSD_OK ? 0 : -1;
}

static int decode(void)
{
	dcd_tree_handle_t h = etm4_tmc ?
		ocsd_create_dcd_tree(OCSD_TRC_SRC_FRAME_FORMATTED,
				     OCSD_DFRMTR_FRAME_MEM_ALIGN) :
		ocsd_create_dcd_tree(OCSD_TRC_SRC_SINGLE, 0);
	uint8_t *t = malloc(ete.n + 1), ids[16];
	size_t pos = 0, i;
	uint32_t done;
	int n, k, ret = -1;

	if (!h || !t)
		return -1;
	for (i = 0; i < ete.n; i++)
		t[i] = (uint8_t)ete.v[i];
	n = decode_ids(ids);
	/* Runs of several sources are frames (one source without them). */
	if (n > 1 && !etm4_tmc)
		goto out;
	for (k = 0; k < n; k++)
		if (add_decoder(h, ids[k]))
			goto out;
	if (ocsd_dt_set_gen_elem_outfn(h, elem_cb, NULL) != OCSD_OK ||
	    ocsd_dt_add_callback_mem_acc(h, 0, ~0ull, OCSD_MEM_SPACE_ANY,
					 mem_cb, NULL) != OCSD_OK)
		goto out;
	while (pos < ete.n) {
		ocsd_datapath_resp_t r = ocsd_dt_process_data(h, OCSD_OP_DATA,
			pos, (uint32_t)(ete.n - pos), t + pos, &done);

		if (OCSD_DATA_RESP_IS_FATAL(r))
			goto out;
		pos += done;
		if (!done && OCSD_DATA_RESP_IS_WAIT(r))
			ocsd_dt_process_data(h, OCSD_OP_FLUSH, 0, 0, NULL,
					     NULL);
	}
	ocsd_dt_process_data(h, OCSD_OP_EOT, 0, 0, NULL, NULL);
	ret = 0;
out:
	ocsd_destroy_dcd_tree(h);
	free(t);
	return ret;
}

static int in_ranges(uint64_t a)
{
	int k;

	for (k = 0; k < nranges; k++)
		if (a >= rstart[k] && a <= rend[k])
			return 1;
	return 0;
}

/* Whether the guest binary has an SVC at a. */
static int svc_at(uint64_t a)
{
	uint32_t w;

	if (mem_cb(NULL, a, OCSD_MEM_SPACE_ANY, 4, (uint8_t *)&w) != 4)
		return 0;
	return (w & 0xffe0001f) == 0xd4000001;
}

/*
 * A filtered run: the decode (all of it: nothing outside the ranges is
 * traced, so nothing before the workload's entry either) must be the
 * ground truth restricted to the ranges, and there must be one Trace On
 * element per entry into them: from an instruction outside, or back
 * from the kernel after an SVC inside (the kernel is not traced).
 */
static int check_ranges(void)
{
	struct u64v want = { 0 };
	size_t i, entries = 0;
	int ok;

	for (i = 0; i < gt.n; i++) {
		if (!in_ranges(gt.v[i]))
			continue;
		u64v_push(&want, gt.v[i]);
		if (!i || !in_ranges(gt.v[i - 1]) || svc_at(gt.v[i - 1]))
			entries++;
	}
	printf("INFO: %s: %zu ETE bytes, %zu instructions decoded, %llu "
	       "exceptions, %llu Trace On; ptrace ground truth %zu, %zu in "
	       "the %d ranges, %zu entries into them\n", tname, ete.n, got.n,
	       nexc, nons, gt.n, want.n, nranges, entries);
	for (i = 0; i < want.n && i < got.n; i++)
		if (got.v[i] != want.v[i])
			break;
	ok = i == want.n && i == got.n && want.n;
	if (ok)
		printf("PASS: %s/steps_equal_ptrace_in_ranges (%zu)\n", tname,
		       want.n);
	else
		printf("FAIL: %s/steps_equal_ptrace_in_ranges (%zu decoded vs "
		       "%zu; first difference at %zu: %#llx vs %#llx)\n",
		       tname, got.n, want.n, i,
		       i < got.n ? (unsigned long long)got.v[i] : 0ull,
		       i < want.n ? (unsigned long long)want.v[i] : 0ull);
	if (nons == entries) {
		printf("PASS: %s/trace_on_per_entry (%zu)\n", tname, entries);
	} else {
		printf("FAIL: %s/trace_on_per_entry (%llu Trace On, %zu "
		       "entries)\n", tname, nons, entries);
		ok = 0;
	}
	free(want.v);
	return !ok;
}

/*
 * The decode of a flight recorder (from its first sync point) must be the
 * end of the ground truth up to its last instruction, the one that
 * faulted: the stream ends with an exception whose preferred return
 * address is that instruction, and nothing after it.
 */
static int check_tail(void)
{
	size_t i, n = got.n, base;

	printf("INFO: %s: %zu ETE bytes (the ring), %zu instructions decoded "
	       "from its first sync point, last exception at %#llx; ptrace "
	       "ground truth %zu, ends at %#llx\n", tname, ete.n, n,
	       (unsigned long long)last_exc_addr, gt.n,
	       gt.n ? (unsigned long long)gt.v[gt.n - 1] : 0ull);
	if (!n || n >= gt.n || got_at_last_exc != n ||
	    last_exc_addr != gt.v[gt.n - 1]) {
		printf("FAIL: %s/ends_at_fault\n", tname);
		return 1;
	}
	printf("PASS: %s/ends_at_fault\n", tname);
	base = gt.n - 1 - n;
	for (i = 0; i < n; i++)
		if (got.v[i] != gt.v[base + i])
			break;
	if (i == n) {
		printf("PASS: %s/tail_equal_ptrace (%zu)\n", tname, n);
		return 0;
	}
	printf("FAIL: %s/tail_equal_ptrace (first difference at %zu of %zu: "
	       "%#llx vs %#llx)\n", tname, i, n,
	       (unsigned long long)got.v[i],
	       (unsigned long long)gt.v[base + i]);
	return 1;
}

int main(int argc, char **argv)
{
	char path[4096];
	size_t from, end, i;
	FILE *f;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s CONSOLE_LOG GUEST_DIR [TAG NAME]\n",
			argv[0]);
		return 2;
	}
	if (argc == 5) {
		tag = argv[3];
		tname = argv[4];
	}
	f = fopen(argv[1], "r");
	if (!f || elf_version(EV_CURRENT) == EV_NONE) {
		printf("FAIL: %s/decode (cannot read %s)\n", tname, argv[1]);
		return 1;
	}
	parse(f);
	fclose(f);
	if (!seen_end || !ete.n || !gt.n || !marker || !binary[0]) {
		printf("FAIL: %s/decode (no complete %s dump in %s)\n",
		       tname, tag, argv[1]);
		return 1;
	}
	if (nruns > MAXRUN) {
		printf("FAIL: %s/decode (bad run line)\n", tname);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", argv[2], binary);
	if (load_segments(path) <= 0) {
		printf("FAIL: %s/decode (cannot load %s)\n", tname, path);
		return 1;
	}
	ocsd_def_errlog_init(OCSD_ERR_SEV_ERROR, 1);
	ocsd_def_errlog_config_output(C_API_MSGLOGOUT_FLG_NONE, NULL);
	if (decode() || bad || ctx_bad || !nctx) {
		printf("FAIL: %s/decode (OpenCSD: %llu bad elements, "
		       "%llu contexts, %llu not thread %u)\n", tname, bad,
		       nctx, ctx_bad, tid);
		return 1;
	}
	printf("PASS: %s/decode\n", tname);
	if (tail)
		return check_tail();
	if (nranges > MAXRANGE) {
		printf("FAIL: %s/decode (bad range line)\n", tname);
		return 1;
	}
	if (nranges)
		return check_ranges();
	for (from = 0; from < got.n && got.v[from] != marker; from++)
		;
	/* "stop": compared up to its first execution (the guest cut too). */
	for (end = from; stop && end < got.n && got.v[end] != stop; end++)
		;
	if (!stop)
		end = got.n;
	for (i = 0; from + i < end && i < gt.n; i++)
		if (got.v[from + i] != gt.v[i])
			break;
	printf("INFO: %s: %zu ETE bytes, %zu instructions decoded "
	       "(%zu from the workload's entry, %llu exceptions), ptrace "
	       "ground truth %zu\n", tname, ete.n, got.n, end - from, nexc,
	       gt.n);
	if (i == gt.n && from + i == end) {
		printf("PASS: %s/steps_equal_ptrace (%zu)\n", tname, gt.n);
		return 0;
	}
	printf("FAIL: %s/steps_equal_ptrace (%zu decoded vs %zu "
	       "ptrace; first difference at %zu: %#llx vs %#llx)\n",
	       tname, end - from, gt.n, i,
	       from + i < got.n ? (unsigned long long)got.v[from + i] : 0ull,
	       i < gt.n ? (unsigned long long)gt.v[i] : 0ull);
	for (size_t k = i > 4 ? i - 4 : 0; k < i + 4; k++)
		printf("INFO:   %zu: %#llx %#llx\n", k,
		       from + k < got.n ? (unsigned long long)got.v[from + k] : 0ull,
		       k < gt.n ? (unsigned long long)gt.v[k] : 0ull);
	return 1;
}
