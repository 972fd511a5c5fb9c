// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A TMC shared behind funnels (the Juno shape, cs_emu_topo's tree): the
 * paths cs_topo finds in it, and CPU mode's sequences for two ETMv4s
 * (cs_seq_start/stop with trace IDs 0x10 and 0x11, cs_link_hop for
 * each path's funnels, one ETR started once, a manual flush at a
 * "switch" that leaves the other source running) against the models of
 * the units, the funnels, the ETR and the bus between them
 * (cs_model_bus), which refuses trace at a closed funnel port and two
 * sources with one ID.
 *
 * Ground truth: the paths are written by hand from the tree's layout
 * (cs_emu_topo.h: CPU c in cluster c % 2 on port c / 2, the clusters on
 * the main funnel's ports 0 and 1); the stored frames are read back by
 * a deformatter written here from the CoreSight D4 frame layout (ID
 * bytes have bit 0 set; byte 15 holds bit 0 of each even data byte and
 * the delayed-ID flags), whose per-ID bytes must be each source's bytes
 * in order.  test_ocsd holds the formatter itself to OpenCSD.
 */
#include <stdlib.h>

#include "cs_unit.h"
#include "cs_cpus.h"
#include "../cs_config.h"
#include "../cs_emu_topo.h"
#include "../cs_link.h"
#include "../cs_model_bus.h"

/* An ETR without scatter-gather (DEVID: CONFIGTYPE 1, MEMWIDTH 128
 * bits, NOSCAT) over one contiguous block at PA0. */
#define DEVID_FLAT	(1u << 6 | 4u << 8 | 1u << 24)
#define PA0		0x80000000ull
#define SIZE		(64 * 1024)

static uint8_t mem[SIZE];

static int mem_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	(void)ctx;
	if (pa < PA0 || pa + n > PA0 + SIZE)
		return -1;
	memcpy(dst, mem + (pa - PA0), n);
	return 0;
}

static int mem_write(void *ctx, uint64_t pa, const void *src, size_t n)
{
	(void)ctx;
	if (pa < PA0 || pa + n > PA0 + SIZE)
		return -1;
	memcpy(mem + (pa - PA0), src, n);
	return 0;
}

static struct cs_topo topo;
static struct cs_emu_topo tree;
static enum cs_emu_topo_shape shape;

static int build(unsigned int ncpu)
{
	const uint64_t mpidr[4] = { 0, 1, 0x100, 0x101 };

	if (cs_emu_topo_build_shape(&tree, shape, ncpu, mpidr))
		return -1;
	return cs_topo_parse(&topo, &cs_dtmem_ops, &tree.m,
			     cs_dtmem_root(&tree.m));
}

/* "name:in" for each hop of CPU c's path to the sink it is collected
 * in. */
static void path_text(unsigned int c, char *s, size_t n)
{
	const uint64_t mpidr[4] = { 0, 1, 0x100, 0x101 };
	struct cs_path p;
	size_t k = 0;
	unsigned int i;
	int e = cs_topo_etm_of(&topo, mpidr[c]), sink;

	s[0] = 0;
	sink = e < 0 ? -1 : cs_topo_collector(&topo, (unsigned int)e);
	if (sink < 0 ||
	    cs_topo_path(&topo, (unsigned int)e, (unsigned int)sink, &p))
		return;
	for (i = 0; i < p.nhop && k < n; i++)
		k += (size_t)snprintf(s + k, n - k, "%s%s:%d", i ? " " : "",
				      topo.comp[p.hop[i].comp].name,
				      p.hop[i].in_port);
}

static void test_topo_paths(void)
{
	static const char *const want[4] = {
		"etm@22040000:-1 funnel@220c0000:0 funnel@20040000:0 etr@20070000:0",
		"etm@23040000:-1 funnel@230c0000:0 funnel@20040000:1 etr@20070000:0",
		"etm@22140000:-1 funnel@220c0000:1 funnel@20040000:0 etr@20070000:0",
		"etm@23140000:-1 funnel@230c0000:1 funnel@20040000:1 etr@20070000:0",
	};
	char s[160];
	unsigned int n, c;
	int etr;

	for (n = 1; n <= 4; n++) {
		CHECKF(build(n) == 0, "%u CPUs", n);
		etr = cs_topo_find(&topo, "etr@20070000");
		CHECK(etr >= 0 && (topo.comp[etr].flags & CS_COMP_SG));
		CHECK(topo.ncpu == n);
		for (c = 0; c < n; c++) {
			path_text(c, s, sizeof(s));
			CHECKF(!strcmp(s, want[c]), "%u CPUs, CPU %u: %s", n,
			       c, s);
		}
	}
	CHECK(cs_emu_topo_build(&tree, 0, NULL) == -CS_EINVAL);
	CHECK(cs_emu_topo_build(&tree, 5, NULL) == -CS_EINVAL);
}

/*
 * The Juno r1 shape (juno-r1.dtb's graph behind the main funnel): each
 * CPU's trace is collected in the ETR, through the ETF, funnel@20150000
 * port 0 and the replicator's master port 1; the TPIU is on port 0.
 */
static void test_juno_r1_paths(void)
{
	static const char *const tail =
		" etf@20010000:0 funnel@20150000:0 replicator@20120000:0"
		" etr@20070000:0";
	static const char *const head[4] = {
		"etm@22040000:-1 funnel@220c0000:0 funnel@20040000:0",
		"etm@23040000:-1 funnel@230c0000:0 funnel@20040000:1",
		"etm@22140000:-1 funnel@220c0000:1 funnel@20040000:0",
		"etm@23140000:-1 funnel@230c0000:1 funnel@20040000:1",
	};
	char s[256], want[256];
	struct cs_path p;
	unsigned int n, c;
	int e, tpiu;

	shape = CS_EMU_TOPO_JUNO_R1;
	for (n = 1; n <= 4; n++) {
		CHECKF(build(n) == 0, "%u CPUs", n);
		for (c = 0; c < n; c++) {
			snprintf(want, sizeof(want), "%s%s", head[c], tail);
			path_text(c, s, sizeof(s));
			CHECKF(!strcmp(s, want), "%u CPUs, CPU %u: %s", n, c,
			       s);
		}
	}
	tpiu = cs_topo_find(&topo, "tpiu@20030000");
	e = cs_topo_etm_of(&topo, 0);
	CHECK(tpiu >= 0 && e >= 0 &&
	      cs_topo_path(&topo, (unsigned int)e, (unsigned int)tpiu, &p) == 0 &&
	      p.hop[p.nhop - 2].out_port == 0);
	CHECK(cs_emu_topo_build_shape(&tree, (enum cs_emu_topo_shape)7, 2,
				      NULL) == -CS_EINVAL);
	shape = CS_EMU_TOPO_FUNNELS;
}

/* The system: two ETMv4s, the tree's funnels, one ETR. */
static struct csm unit[2];
static struct csm_link links[CS_TOPO_MAX_COMP];
static struct cs_link_use use[CS_TOPO_MAX_COMP];
static struct csm_tmc tmc;
static struct csm_bus bus;
static struct cs_path path[2];
static struct cs_caps caps;
static struct cs_tmc_regs tregs;

static const struct cs_cpu *soft_etm4(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cs_cpus); i++)
		if (!strncmp(cs_cpus[i].name, "soft-etm4", 9))
			return &cs_cpus[i];
	return NULL;
}

static int run(struct cs_io *io, const struct cs_op *ops, int n,
	       uint64_t *res, int nres)
{
	if (n < 0 || n > CS_SEQ_MAX)
		return -100;
	return cs_seq_run(ops, n, io, res, nres);
}

static void setup(void)
{
	const struct cs_cpu *row = soft_etm4();
	const struct csm_mem m = { mem_read, mem_write, NULL };
	struct cs_tmc_caps tc;
	int etr, c, e;

	memset(mem, 0, sizeof(mem));
	memset(use, 0, sizeof(use));
	CHECK(row && build(2) == 0);
	if (!row)
		return;
	etr = cs_topo_find(&topo, "etr@20070000");
	CHECK(csm_tmc_init(&tmc, DEVID_FLAT, 0, NULL, &m) == 0);
	CHECK(csm_bus_init(&bus, &topo, links, &tmc, (unsigned int)etr) == 0);
	CHECK(cs_caps_parse(&row->id, &caps) == 0);
	for (c = 0; c < 2; c++) {
		csm_init_mmio(&unit[c], &row->id);
		e = cs_topo_etm_of(&topo, (uint64_t)c);
		CHECK(e >= 0 && csm_bus_add(&bus, &unit[c], (unsigned int)e)
		      == c);
		CHECK(cs_topo_path(&topo, (unsigned int)e, (unsigned int)etr,
				   &path[c]) == 0);
	}
	CHECK(cs_tmc_parse(DEVID_FLAT, 0, &tc) == 0);
	CHECK(cs_tmc_program(&tc, CS_TMC_BUF_FLAT, PA0, SIZE, 0, PA0,
			     &tregs) == 0);
}

static int tmc_run(const struct cs_op *ops, int n, uint64_t *res, int nres)
{
	struct cs_io io;

	csm_tmc_io(&tmc, &io);
	return run(&io, ops, n, res, nres);
}

/*
 * The links of CPU c's path, enabled from the sink's side or disabled
 * from the source's; only hops lo..hi-1 (0, 0: all of them).
 * Returns 0, or the first error.
 */
static int links_part(int c, int enable, unsigned int lo, unsigned int hi)
{
	struct cs_op ops[CS_SEQ_MAX];
	const struct cs_path *p = &path[c];
	unsigned int k, i;
	uint64_t res[4];
	int n, ret;

	for (k = 1; k + 1 < p->nhop; k++) {
		struct cs_io io;

		i = enable ? p->nhop - 1 - k : k;
		if (hi && (i < lo || i >= hi))
			continue;
		n = cs_link_hop(&topo, p, i, (uint8_t)(0x10 + c), enable, use,
				ops);
		if (n < 0)
			return n;
		csm_link_io(&links[p->hop[i].comp], &io);
		ret = run(&io, ops, n, res, 4);
		if (ret)
			return ret;
	}
	return 0;
}

static int links_set(int c, int enable)
{
	return links_part(c, enable, 0, 0);
}

/* ETM c on with trace ID id.  Returns 0 or the sequence's error. */
static int unit_start(int c, uint8_t id)
{
	struct hwt_coresight_config x;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_regs regs;
	struct cs_io io;

	cs_config_default(&x);
	x.sink = HWT_CORESIGHT_SINK_ETR;
	if (cs_config_regs(&caps, &x, CS_MODE_CPU, id, &regs))
		return -101;
	csm_io(&unit[c], &io);
	return run(&io, ops, cs_seq_start(&caps, &regs, NULL, ops), NULL, 0);
}

static int unit_stop(int c)
{
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;

	csm_io(&unit[c], &io);
	return run(&io, ops, cs_seq_stop(&caps, 0, ops), NULL, 0);
}

/* What each source sent, in order. */
struct sent {
	uint8_t b[8192];
	size_t n;
};

static struct sent sent[2], got[2];

static void emit(int c, size_t len, unsigned int seed)
{
	uint8_t d[64];
	size_t i;

	for (i = 0; i < len && i < sizeof(d); i++)
		d[i] = (uint8_t)(seed * 31 + i * 7 + (unsigned int)c);
	CHECK(csm_bus_emit(&bus, (unsigned int)c, d, len) == len);
	for (i = 0; i < len && sent[c].n < sizeof(sent[c].b); i++)
		sent[c].b[sent[c].n++] = d[i];
}

/* A deformatted byte of ID id: kept for 0x10 and 0x11.
 * Returns 0, or -1 if got[] is full. */
static int put(unsigned int id, uint8_t b)
{
	struct sent *g;

	if (id < 0x10 || id > 0x11)
		return 0;
	g = &got[id - 0x10];
	if (g->n == sizeof(g->b))
		return -1;
	g->b[g->n++] = b;
	return 0;
}

/*
 * Deformat n bytes of frames (CoreSight D4): per frame, even byte 2i
 * with bit 0 set is an ID change (ID in 7:1), taking effect after the
 * next byte if flag bit i of byte 15 is set, else at once; an even data
 * byte's bit 0 is flag bit i; odd bytes are data.  Bytes of IDs 0x10
 * and 0x11 go to got[]; null-ID (0) bytes are padding.
 * Returns 0, or -1 on a reserved ID or a frame that is not whole.
 */
static int deformat(const uint8_t *f, size_t n)
{
	unsigned int id = 0xff, i;
	size_t at;

	memset(got, 0, sizeof(got));
	if (n % 16)
		return -1;
	for (at = 0; at < n; at += 16) {
		const uint8_t *fr = f + at;

		for (i = 0; i < 8; i++) {
			uint8_t e = fr[2 * i], flag = (fr[15] >> i) & 1;
			unsigned int next_id = id, data_id = id;
			int have_odd = i < 7;
			uint8_t b;

			if (e & 1) {
				next_id = e >> 1;
				if (next_id >= 0x70)
					return -1;
				/* flag: the odd byte is still the old ID's */
				data_id = flag ? id : next_id;
				id = next_id;
				if (have_odd && put(data_id, fr[2 * i + 1]))
					return -1;
				continue;
			}
			b = (uint8_t)(e | flag);
			if (put(id, b) || (have_odd && put(id, fr[2 * i + 1])))
				return -1;
		}
	}
	return 0;
}

static int same(int c)
{
	return got[c].n == sent[c].n &&
	       !memcmp(got[c].b, sent[c].b, sent[c].n);
}

/*
 * CPU mode on two CPUs through the shared ETR: each source's bytes come
 * out under its own ID, in order; a switch on CPU 0 (its unit stopped,
 * a manual flush, its unit started again) while CPU 1 runs on puts a
 * frame boundary at RWP before which every byte CPU 0 sent before the
 * switch is stored; zero refusals; after stop everything is at reset.
 */
static void test_shared(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	uint64_t res[3];
	unsigned int k;
	size_t before;
	int c;

	memset(sent, 0, sizeof(sent));
	setup();
	CHECK(tmc_run(ops, cs_seq_tmc_start(&tregs, ops), NULL, 0) == 0);
	for (c = 0; c < 2; c++) {
		CHECK(links_set(c, 1) == 0);
		CHECK(unit_start(c, (uint8_t)(0x10 + c)) == 0);
	}
	for (k = 0; k < 40; k++)
		emit((int)(k % 2), 1 + (k * 13) % 50, k);
	/* CPU 0's last bytes leave a frame unfinished in the formatter. */
	emit(0, 5, 77);
	/* The switch on CPU 0. */
	CHECK(unit_stop(0) == 0);
	before = sent[0].n;
	CHECK(tmc_run(ops, cs_seq_tmc_flush(&tregs, ops), res, 3) == 0);
	CHECKF(res[0] % 16 == 0 && res[0] > PA0, "RWP %#llx",
	       (unsigned long long)res[0]);
	CHECK(!(res[2] & TMC_STS_FULL));
	emit(1, 20, 99);
	CHECK(unit_start(0, 0x10) == 0);
	CHECK(deformat(mem, res[0] - PA0) == 0);
	CHECKF(got[0].n == before && !memcmp(got[0].b, sent[0].b, before),
	       "ID 0x10 before the flush: %zu bytes of %zu", got[0].n,
	       before);
	for (k = 0; k < 30; k++)
		emit((int)(k % 2), 1 + (k * 7) % 40, 100 + k);
	/* Off: sources, then their paths, then the sink. */
	for (c = 0; c < 2; c++) {
		CHECK(unit_stop(c) == 0);
		CHECK(links_set(c, 0) == 0);
	}
	CHECK(tmc_run(ops, cs_seq_tmc_stop(&tregs, ops), res, 3) == 0);
	CHECK(tmc_run(ops, cs_seq_tmc_release(ops), NULL, 0) == 0);
	CHECK(deformat(mem, res[0] - PA0) == 0);
	CHECKF(same(0) && same(1), "ID 0x10: %zu of %zu, 0x11: %zu of %zu",
	       got[0].n, sent[0].n, got[1].n, sent[1].n);
	CHECKF(bus.refused == 0, "bus: %s", bus.rule);
	CHECKF(tmc.refused == 0, "TMC: %s", tmc.rule);
	for (c = 0; c < 2; c++)
		CHECKF(unit[c].refused == 0, "unit %d: %s", c, unit[c].rule);
	for (k = 0; k < topo.ncomp; k++) {
		CHECKF(links[k].refused == 0, "%s: %s", topo.comp[k].name,
		       links[k].rule);
		if (topo.comp[k].kind == CS_COMP_FUNNEL)
			CHECKF(!(links[k].ctrl & FUNNEL_CTRL_ENS_MASK) &&
			       !links[k].claim, "%s: ctrl %#x claim %#x",
			       topo.comp[k].name, links[k].ctrl,
			       links[k].claim);
		if (links[k].kind == CS_LINK_ETF)
			CHECKF(!links[k].ctl && !links[k].claim &&
			       links[k].passed, "%s: CTL %#x claim %#x",
			       topo.comp[k].name, links[k].ctl,
			       links[k].claim);
	}
}

/* The same through Juno r1's ETF and replicator in front of the ETR. */
static void test_shared_juno_r1(void)
{
	int etf;

	shape = CS_EMU_TOPO_JUNO_R1;
	test_shared();
	etf = cs_topo_find(&topo, "etf@20010000");
	CHECK(etf >= 0 && links[etf].kind == CS_LINK_ETF &&
	      links[etf].passed > 0 && links[etf].mode == TMC_MODE_HWFIFO);
	CHECK(path[0].nhop == 7);
	shape = CS_EMU_TOPO_FUNNELS;
}

/*
 * The ETF's rules on the bus: a source whose path is open but for the
 * ETF (disabled, or stopped by a flush with StopOnFl) loses its trace,
 * counted; the ETF's mode changed while enabled is refused.
 */
static void test_etf_rules(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	uint8_t d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct csm_link *etf;
	int i;

	shape = CS_EMU_TOPO_JUNO_R1;
	setup();
	i = cs_topo_find(&topo, "etf@20010000");
	CHECK(i >= 0);
	if (i < 0)
		return;
	etf = &links[i];
	CHECK(csm_bus_link(&bus, 0x20010000) == etf);
	CHECK(tmc_run(ops, cs_seq_tmc_start(&tregs, ops), NULL, 0) == 0);
	/* Every hop but the ETF (hop 3) opened. */
	CHECK(links_part(0, 1, 4, path[0].nhop - 1) == 0);
	CHECK(links_part(0, 1, 1, 3) == 0);
	CHECK(unit_start(0, 0x10) == 0);
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 0);
	CHECK(bus.refused == 1 && strstr(bus.rule, "ETF"));
	CHECK(links_part(0, 1, 3, 4) == 0);
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 8 && bus.refused == 1);
	/* MODE while enabled. */
	CHECK(csm_link_write(etf, CS_LINK_LAR, CS_LAR_UNLOCK) == 0);
	CHECK(csm_link_write(etf, TMC_MODE, TMC_MODE_CB) == -1 &&
	      etf->refused == 1 && strstr(etf->rule, "MODE"));
	/* Stopped by a flush: what arrives then is lost. */
	CHECK(csm_link_write(etf, TMC_FFCR, CS_ETF_LINK_FFCR |
			     TMC_FFCR_STOPONFL | TMC_FFCR_FLUSHMAN) == 0);
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 0 && bus.refused == 2);
	shape = CS_EMU_TOPO_FUNNELS;
}

/*
 * The bus's rules, each broken by a driver mistake: a source whose path
 * was not opened (none of it, or only its cluster funnel), and two
 * sources with one trace ID.  The refused trace is not stored.
 */
static void test_rules(void)
{
	struct cs_op ops[CS_SEQ_MAX];
	uint8_t d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	setup();
	CHECK(tmc_run(ops, cs_seq_tmc_start(&tregs, ops), NULL, 0) == 0);
	CHECK(links_set(0, 1) == 0);
	CHECK(unit_start(0, 0x10) == 0);
	CHECK(unit_start(1, 0x11) == 0);
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 8);
	/* CPU 1's path closed. */
	CHECK(csm_bus_emit(&bus, 1, d, 8) == 0);
	CHECK(bus.refused == 1 && bus.rule && strstr(bus.rule, "EnS"));
	/* Only its cluster funnel open (hop 1): the main funnel's port 1
	 * is still closed. */
	CHECK(links_part(1, 1, 1, 2) == 0);
	CHECK(csm_bus_emit(&bus, 1, d, 8) == 0);
	CHECK(bus.refused == 2);
	/* The rest of its path: it passes. */
	CHECK(links_part(1, 1, 2, path[1].nhop - 1) == 0);
	CHECK(csm_bus_emit(&bus, 1, d, 8) == 8);
	CHECK(bus.refused == 2);
	/* CPU 1 again with CPU 0's ID: neither may send. */
	CHECK(unit_stop(1) == 0);
	CHECK(unit_start(1, 0x10) == 0);
	CHECK(csm_bus_emit(&bus, 1, d, 8) == 0);
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 0);
	CHECK(bus.refused == 4 && strstr(bus.rule, "one trace ID"));
	/* Once CPU 0's unit is off, CPU 1 has the ID alone. */
	CHECK(unit_stop(0) == 0);
	CHECK(csm_bus_emit(&bus, 1, d, 8) == 8);
	CHECK(bus.refused == 4);
	/* A disabled unit sends nothing, and is no refusal. */
	CHECK(csm_bus_emit(&bus, 0, d, 8) == 0);
	CHECK(bus.refused == 4);
	CHECK(csm_bus_link(&bus, 0x20040000) ==
	      &links[cs_topo_find(&topo, "funnel@20040000")]);
	CHECK(csm_bus_link(&bus, 0x20070000) == NULL);
	CHECK(csm_bus_emit(&bus, 2, d, 8) == 0);
}

int main(void)
{
	RUN(test_topo_paths(), "bus: the emulated Juno-shaped tree's paths");
	RUN(test_shared(), "bus: two ETMv4s through funnels into one ETR");
	RUN(test_rules(), "bus: closed port and shared trace ID refused");
	RUN(test_juno_r1_paths(), "bus: the emulated Juno r1 tree's paths (ETF, replicator)");
	RUN(test_shared_juno_r1(), "bus: two ETMv4s through funnels, an ETF and a replicator into one ETR");
	RUN(test_etf_rules(), "bus: trace at a disabled or stopped ETF lost and counted");
	return unit_failed ? 1 : 0;
}
