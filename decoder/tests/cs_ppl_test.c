/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CoreSight front end against OpenCSD's reference lister: for every
 * trace ID, the instruction addresses our blocks expand to must equal, in
 * order, those of every OCSD_GEN_TRC_ELEM_INSTR_RANGE line of
 * `trc_pkt_lister -ss_dir DIR -decode` (a .ppl file).  No hwt core needed:
 * a tiny sink expands the blocks (A64/A32: 4 bytes; T32: length from the
 * first halfword in the snapshot's memory).
 *
 * usage: cs_ppl_test                 the corpus snapshots (run.sh)
 *        cs_ppl_test DIR PPL [NAME]  one snapshot
 *        cs_ppl_test --ref DIR PPL   print the expanded reference
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/cs_frontend.h"
#include "cs/cs_mem.h"

#define MAXID 0x800

struct addrs {
	uint64_t *a;
	size_t n, cap;
	int seen;
};

static struct addrs ours[MAXID], ref[MAXID];
static struct hwt_cs_mem *mem;
static size_t nblocks, ngaps, nevents;

static void push(struct addrs *s, uint64_t a)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->a = realloc(s->a, s->cap * sizeof(*s->a));
		if (!s->a) {
			perror("realloc");
			exit(2);
		}
	}
	s->a[s->n++] = a;
}

/* Size of the instruction at addr in isa, 0 if unreadable. */
static unsigned insn_size(int isa, uint64_t addr)
{
	uint8_t b[2];
	unsigned top;

	if (isa != HWT_ISA_T32)
		return 4;
	if (hwt_cs_mem_read(mem, addr, b, 2) != 2)
		return 0;
	top = (unsigned)b[1] >> 3;	/* bits 15:11 of the halfword */
	return top == 0x1d || top == 0x1e || top == 0x1f ? 4 : 2;
}

/* Expands ninsn instructions from ip; checks they end at last. */
static int expand(struct addrs *s, int isa, uint64_t ip, uint64_t last,
		  uint32_t ninsn, const char *what)
{
	uint64_t a = ip;
	uint32_t i;

	for (i = 0; i < ninsn; i++) {
		unsigned sz = insn_size(isa, a);

		push(s, a);
		if (i + 1 == ninsn)
			break;
		if (!sz) {
			fprintf(stderr, "%s: no memory at 0x%" PRIx64 "\n",
				what, a);
			return -1;
		}
		a += sz;
	}
	if (a != last) {
		fprintf(stderr,
			"%s: %u instructions from 0x%" PRIx64
			" end at 0x%" PRIx64 ", not 0x%" PRIx64 "\n",
			what, ninsn, ip, a, last);
		return -1;
	}
	return 0;
}

static int sink_begin(void *arg, const struct hwt_stream_info *info)
{
	(void)arg;
	if (info->id >= MAXID)
		return -1;
	ours[info->id].seen = 1;
	return 0;
}

static int sink_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)arg;
	nblocks++;
	if (stream >= MAXID || !b->ninsn)
		return -1;
	return expand(&ours[stream], b->isa, b->ip, b->end_ip, b->ninsn,
		      "block") < 0 ? -1 : 0;
}

static int sink_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	(void)arg;
	(void)stream;
	nevents++;
	ngaps += e->type == HWT_EV_GAP;
	return 0;
}

static int add_dump(void *arg, const char *path, uint64_t addr,
		    uint64_t len, uint64_t offset)
{
	char err[512];

	(void)arg;
	if (hwt_cs_mem_add_file(mem, path, addr, offset, len, hwt_cs_mem_space(NULL),
			    err, sizeof(err)) < 0)
		fprintf(stderr, "note: %s\n", err);
	return 0;
}

/* Reads the reference: "Idx:N; ID:hex; OCSD_GEN_TRC_ELEM_INSTR_RANGE(exec
 * range=0xST:[0xEN] num_i(N) last_sz(S) (ISA=X) ..." */
static int read_ppl(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	unsigned long lineno = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "; ID:"), *r;
		unsigned long id, n, sz;
		uint64_t st, en;
		char isa[16];
		int k;

		lineno++;
		if (!p)
			continue;
		id = strtoul(p + 5, NULL, 16);
		if (id >= MAXID)
			continue;
		ref[id].seen = 1;
		r = strstr(p, "OCSD_GEN_TRC_ELEM_INSTR_RANGE(exec range=");
		if (!r)
			continue;
		k = sscanf(r, "OCSD_GEN_TRC_ELEM_INSTR_RANGE(exec range=0x%"
			   SCNx64 ":[0x%" SCNx64 "] num_i(%lu) last_sz(%lu) "
			   "(ISA=%15[^)])", &st, &en, &n, &sz, isa);
		if (k != 5 || !n) {
			fprintf(stderr, "%s:%lu: cannot parse: %s", path,
				lineno, line);
			fclose(f);
			return -1;
		}
		if (expand(&ref[id], !strcmp(isa, "T32") ? HWT_ISA_T32 :
			   HWT_ISA_A64, st, en - sz, (uint32_t)n,
			   "reference") < 0) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static void reset(void)
{
	int id;

	for (id = 0; id < MAXID; id++) {
		free(ours[id].a);
		free(ref[id].a);
		memset(&ours[id], 0, sizeof(ours[id]));
		memset(&ref[id], 0, sizeof(ref[id]));
	}
	nblocks = ngaps = nevents = 0;
	hwt_cs_mem_free(mem);
	mem = hwt_cs_mem_alloc();
}

/* Loads the snapshot's memory (for T32 lengths) and the reference. */
static int load_ref(const char *dir, const char *ppl)
{
	char err[512];

	reset();
	if (hwt_cs_snapshot_dumps(dir, add_dump, NULL, err,
				  sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return read_ppl(ppl);
}

/* One comparison; prints PASS:/FAIL: name.  Returns 1 if it passed. */
static int run_case(const char *dir, const char *ppl, const char *name)
{
	const struct hwt_sink sink = {
		.stream_begin = sink_begin,
		.block = sink_block,
		.event = sink_event,
	};
	char err[512];
	size_t total = 0;
	int id, ok = 1, rc, nids = 0;

	if (load_ref(dir, ppl) < 0)
		ok = 0;
	if (ok) {
		rc = hwt_cs_decode_snapshot(dir, &sink, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "decode: %s\n", rc == -1 ? err :
				"sink aborted");
			ok = 0;
		}
	}
	for (id = 0; ok && id < MAXID; id++) {
		size_t i, n;

		if (!ref[id].seen && !ours[id].n)
			continue;
		if (ref[id].seen && !ours[id].seen) {
			fprintf(stderr, "trace ID 0x%x: not decoded\n", id);
			ok = 0;
			continue;
		}
		nids++;
		n = ref[id].n < ours[id].n ? ref[id].n : ours[id].n;
		for (i = 0; i < n && ref[id].a[i] == ours[id].a[i]; i++)
			;
		if (i < n || ref[id].n != ours[id].n) {
			fprintf(stderr,
				"trace ID 0x%x: %zu reference / %zu decoded instructions, first difference at #%zu",
				id, ref[id].n, ours[id].n, i);
			if (i < n)
				fprintf(stderr, " (0x%" PRIx64 " vs 0x%" PRIx64 ")",
					ref[id].a[i], ours[id].a[i]);
			fprintf(stderr, "\n");
			ok = 0;
		}
		total += ref[id].n;
	}
	if (ok && !total) {
		fprintf(stderr, "no instructions in the reference\n");
		ok = 0;
	}
	printf("# %s: %d trace IDs, %zu instructions, %zu blocks, %zu events (%zu gaps)\n",
	       name, nids, total, nblocks, nevents, ngaps);
	printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
	fflush(stdout);
	return ok;
}

/* Snapshots of the corpus and the lister output they must match.  The
 * badopcode/rangelimit .ppl files were produced (see their headers) from
 * the same juno_r1_1 directory: they must match it as well. */
static const struct {
	const char *dir, *ppl;
} cases[] = {
	{ "juno_r1_1", "juno_r1_1" },
	{ "juno_r1_1", "juno_r1_1_badopcode" },
	{ "juno_r1_1", "juno_r1_1_rangelimit" },
	{ "juno-uname-002", "juno-uname-002" },
};

int main(int argc, char **argv)
{
	char dir[4096], ppl[4096], name[256];
	const char *root = getenv("ROOT");
	size_t i;
	int ok = 1;

	if (argc == 4 && !strcmp(argv[1], "--ref")) {
		/* The expanded reference, "ID ADDR" per instruction, for the
		 * CLI test (cs_cli.sh). */
		int id;
		size_t k;

		if (load_ref(argv[2], argv[3]) < 0)
			return 1;
		for (id = 0; id < MAXID; id++)
			for (k = 0; k < ref[id].n; k++)
				printf("%d %016" PRIx64 "\n", id, ref[id].a[k]);
		return 0;
	}
	if (argc >= 3)
		return run_case(argv[1], argv[2], argc > 3 ? argv[3] :
				"cs-ppl") ? 0 : 1;
	if (argc != 1) {
		fprintf(stderr, "usage: %s [SNAPSHOT_DIR EXPECTED.ppl [NAME]]\n"
			"       %s --ref SNAPSHOT_DIR EXPECTED.ppl\n", argv[0],
			argv[0]);
		return 2;
	}
	/* No arguments: the corpus cases (run.sh sets ROOT). */
	if (!root)
		root = "../..";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/../shared/corpus/coresight/%s",
			 root, cases[i].dir);
		snprintf(ppl, sizeof(ppl),
			 "%s/../shared/corpus/coresight/expected/%s.ppl", root,
			 cases[i].ppl);
		snprintf(name, sizeof(name), "cs-ppl-%s", cases[i].ppl);
		ok &= run_case(dir, ppl, name);
	}
	reset();
	hwt_cs_mem_free(mem);
	return ok ? 0 : 1;
}
