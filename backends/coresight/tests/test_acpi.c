// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_acpi: CoreSight components from ACPI objects into the tree
 * cs_topo reads.
 *
 * Ground truth, two ways:
 *  - the booted test's graph (tests/e2e/csacpi/acpi_layout.h, the
 *    ACPI form of tests/e2e/csmmio/layout.h) built as the _DSD
 *    packages ACPICA hands the kernel: each CPU's path must be the one
 *    tests/e2e/csmmio/mkdtb.c wires in the device tree (ETM c -> the
 *    cluster funnel's in-port c -> the main funnel's in-port 0 -> the
 *    ETR), at layout.h's addresses, with the ETR's scatter-gather;
 *  - round trip: the emulator's Juno trees (cs_emu_topo, both shapes:
 *    funnels only, and Juno r1's ETF, replicator and TPIU), each DT
 *    edge written as the two ACPI links DEN0067 asks for: every path
 *    from every ETM to every sink must equal the DT's, component by
 *    component (by base address) and port by port;
 *  - ACPICA itself: the booted test's SSDT (tests/e2e/csacpi/ssdt.h)
 *    compiled by iasl, with a DSDT holding QEMU virt's processor
 *    devices, loaded and evaluated by acpiexec (_HID, _CRS, _DSD of each
 *    device, _UID of each processor); its dump, read back into
 *    cs_acpi_obj, must give the same paths as the device tree.
 * Then every malformed shape cs_acpi.h lists, each refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cs_unit.h"
#include "../cs_acpi.h"
#include "../cs_emu_topo.h"
#include "../../../tests/e2e/csacpi/acpi_layout.h"
#include "../../../tests/e2e/csacpi/ssdt.h"

static const uint8_t uuid_graph[16] = {
	0x6b, 0xa4, 0x02, 0xab, 0xc7, 0x74, 0xa2, 0x45,
	0xbd, 0x68, 0xf7, 0xd3, 0x44, 0xef, 0x21, 0x53,
};
static const uint8_t uuid_cs[16] = {
	0xb6, 0xc8, 0xcb, 0x3e, 0x0e, 0x1d, 0xb3, 0x4f,
	0x81, 0x07, 0xe6, 0x27, 0xf8, 0x05, 0xc6, 0xcd,
};
static const uint8_t uuid_props[16] = {
	0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
	0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01,
};

/* Objects are carved from one pool; a package's elements contiguous. */
static struct cs_acpi_obj pool[8192];
static unsigned int npool;

static struct cs_acpi_obj I(uint64_t v)
{
	return (struct cs_acpi_obj){ .type = CS_ACPI_INTEGER, .integer = v };
}

static struct cs_acpi_obj U(const uint8_t *uuid)
{
	return (struct cs_acpi_obj){ .type = CS_ACPI_BUFFER, .bytes = uuid,
				     .len = 16 };
}

static struct cs_acpi_obj S(const char *s)
{
	return (struct cs_acpi_obj){ .type = CS_ACPI_STRING,
				     .bytes = (const uint8_t *)s,
				     .len = (uint32_t)strlen(s) };
}

static struct cs_acpi_obj R(uintptr_t h)
{
	return (struct cs_acpi_obj){ .type = CS_ACPI_REFERENCE, .ref = h };
}

/* A package of the n objects in items. */
static struct cs_acpi_obj Parr(unsigned int n, const struct cs_acpi_obj *items)
{
	struct cs_acpi_obj p = { .type = CS_ACPI_PACKAGE, .len = n };

	if (npool + n > ARRAY_SIZE(pool)) {
		fprintf(stderr, "test_acpi: object pool exhausted\n");
		exit(2);
	}
	memcpy(&pool[npool], items, n * sizeof(*items));
	p.elem = &pool[npool];
	npool += n;
	return p;
}

/* A package of n objects given as arguments. */
static struct cs_acpi_obj P(unsigned int n, ...)
{
	struct cs_acpi_obj items[16];
	unsigned int i;
	va_list ap;

	va_start(ap, n);
	for (i = 0; i < n && i < 16; i++)
		items[i] = va_arg(ap, struct cs_acpi_obj);
	va_end(ap);
	return Parr(n, items);
}

/* Handles: devices 0x100 + index, processors 0x900 + CPU. */
#define H_DEV(i)	((uintptr_t)0x100 + (i))
#define H_CPU(c)	((uintptr_t)0x900 + (c))

/* The _DSD of links (DEN0067 graph), and the ETR's device property. */
static struct cs_acpi_obj dsd_of(const struct csacpi_link *l, unsigned int n,
				 int sg)
{
	struct cs_acpi_obj g[3 + 16], top[4];
	unsigned int i, nt = 0;

	g[0] = I(1);
	g[1] = U(uuid_cs);
	g[2] = I(n);
	for (i = 0; i < n; i++)
		g[3 + i] = P(4, I((uint64_t)l[i].port),
			     I((uint64_t)l[i].remote_port),
			     R(H_DEV(l[i].remote)), I((uint64_t)l[i].out));
	if (sg) {
		top[nt++] = U(uuid_props);
		top[nt++] = P(1, P(2, S("arm,scatter-gather"), I(1)));
	}
	top[nt++] = U(uuid_graph);
	top[nt++] = P(3, I(0), I(1), Parr(3 + n, g));
	return Parr(nt, top);
}

static struct cs_acpi_dev dev[CS_ACPI_MAX_DEV];
static struct cs_acpi_obj dsd[CS_ACPI_MAX_DEV];
static struct cs_acpi_cpu cpus[CS_TOPO_MAX_CPU];
static struct cs_acpi_tree tree;
static struct cs_topo topo, dt_topo;

/* layout.h's graph as ACPI devices; returns the device count. */
static unsigned int layout_devs(void)
{
	unsigned int i, c;

	npool = 0;
	memset(dev, 0, sizeof(dev));
	for (c = 0; c < CSMMIO_NCPU; c++) {
		cpus[c].handle = H_CPU(c);
		cpus[c].mpidr = c;	/* QEMU virt: Aff0 = CPU */
	}
	for (i = 0; i < W_N; i++) {
		const struct csacpi_dev *a = &csacpi_devs[i];
		const struct csmmio_win *w = &csmmio_wins[i];

		snprintf(dev[i].hid, sizeof(dev[i].hid), "%s", a->hid);
		snprintf(dev[i].name, sizeof(dev[i].name), "%s", a->path);
		dev[i].handle = H_DEV(i);
		dev[i].parent = w->cpu >= 0 ? H_CPU(w->cpu) : 0x1;
		dev[i].enabled = 1;
		dev[i].base = w->pa;
		dev[i].size = CSMMIO_SIZE;
		dsd[i] = dsd_of(a->link, a->nlink, a->sg);
		dev[i].dsd = &dsd[i];
	}
	return W_N;
}

/* Builds the tree of dev[0..n) and parses it into topo. */
static int build_parse(unsigned int n, unsigned int ncpu)
{
	int ret = cs_acpi_build(&tree, dev, n, cpus, ncpu);

	if (ret)
		return ret;
	return cs_topo_parse(&topo, &cs_dtmem_ops, &tree.m,
			     cs_dtmem_root(&tree.m));
}

/* "name@base 0>1 name@base ..." for a path, names from t. */
static void path_str(const struct cs_topo *t, const struct cs_path *p,
		     char *buf, size_t sz)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < p->nhop && o < sz; i++) {
		const struct cs_comp *c = &t->comp[p->hop[i].comp];

		if (i)
			o += (size_t)snprintf(buf + o, sz - o, " %d>%d ",
					      p->hop[i - 1].out_port,
					      p->hop[i].in_port);
		if (o < sz)
			o += (size_t)snprintf(buf + o, sz - o, "%d@%llx",
					      c->kind,
					      (unsigned long long)c->base);
	}
}

/*
 * dev[0..W_N) as layout.h's graph must read: mkdtb.c's DT paths, the
 * ETR with scatter-gather, each ETM named by its ACPI path.
 */
static void check_layout(void)
{
	static const char *const want[CSMMIO_NCPU] = {
		"1@7f040000 0>0 2@7f0c0000 0>0 2@7f440000 0>0 4@7f470000",
		"1@7f140000 0>1 2@7f0c0000 0>0 2@7f440000 0>0 4@7f470000",
	};
	unsigned int c;
	struct cs_path p;
	char got[256];
	int ret, e, s;

	ret = build_parse(W_N, CSMMIO_NCPU);
	CHECKF(ret == 0, "build/parse: %d (bad_dev %d)", ret, tree.bad_dev);
	if (ret)
		return;
	CHECK(topo.ncomp == W_N && topo.ncpu == CSMMIO_NCPU);
	for (c = 0; c < CSMMIO_NCPU; c++) {
		e = cs_topo_etm_of(&topo, c);
		CHECKF(e >= 0, "no ETM for CPU %u", c);
		if (e < 0)
			return;
		CHECK(!strcmp(topo.comp[e].name, csacpi_devs[c].path));
		CHECK(cs_acpi_tree_dev(&tree, topo.comp[e].node) == (int)c);
		s = cs_topo_collector(&topo, (unsigned int)e);
		CHECKF(s >= 0 && topo.comp[s].base == csmmio_wins[W_ETR].pa,
		       "collector %d", s);
		if (s < 0)
			return;
		CHECK(topo.comp[s].flags & CS_COMP_SG);
		CHECK(topo.comp[s].size == CSMMIO_SIZE);
		ret = cs_topo_path(&topo, (unsigned int)e, (unsigned int)s,
				   &p);
		CHECKF(ret == 0, "path: %d", ret);
		path_str(&topo, &p, got, sizeof(got));
		CHECKF(!strcmp(got, want[c]), "\n    got  %s\n    want %s",
		       got, want[c]);
	}
}

static void test_layout(void)
{
	layout_devs();
	check_layout();
}

/* acpiexec's dump of evaluated objects, line by line. */
static char dump[1 << 16];
static char *dline[4096];
static unsigned int ndline, di;
static char strings[4096];
static unsigned int nstrings;

/* Returns the line with its indentation skipped. */
static const char *dl(unsigned int i)
{
	const char *l = dline[i];

	while (*l == ' ')
		l++;
	return l;
}

/*
 * One object of the dump at dline[di] (and its elements), into *o.
 * Returns 0, or -1 if the line is no object acpiexec prints.
 */
static int dump_obj(struct cs_acpi_obj *o)
{
	struct cs_acpi_obj items[16];
	unsigned int n, k, len;
	unsigned long long v;
	const char *l, *q;
	char name[5];

	if (di >= ndline)
		return -1;
	l = dl(di++);
	memset(o, 0, sizeof(*o));
	if (sscanf(l, "[Package] Contains %u Elements:", &n) == 1) {
		if (n > 16)
			return -1;
		for (k = 0; k < n; k++)
			if (dump_obj(&items[k]))
				return -1;
		*o = Parr(n, items);
		return 0;
	}
	if (sscanf(l, "[Integer] = %llx", &v) == 1) {
		*o = I(v);
		return 0;
	}
	if (sscanf(l, "[String] Length %x =", &len) == 1) {
		q = strchr(l, '"');
		if (!q || nstrings + len + 1 > sizeof(strings))
			return -1;
		memcpy(strings + nstrings, q + 1, len);
		strings[nstrings + len] = 0;
		*o = S(strings + nstrings);
		nstrings += len + 1;
		return 0;
	}
	if (sscanf(l, "[Buffer] Length %x =", &len) == 1) {
		uint8_t *b = (uint8_t *)strings + nstrings;
		unsigned int got = 0, off, byte;
		int adv;

		if (nstrings + len > sizeof(strings))
			return -1;
		q = strstr(l, "0000:");
		while (q && got < len) {
			q += 5;
			while (got < len &&
			       sscanf(q, " %2x%n", &byte, &adv) == 1 &&
			       adv == 3) {
				b[got++] = (uint8_t)byte;
				q += adv;
			}
			if (got < len && di < ndline &&
			    sscanf(dl(di), "%x:", &off) == 1)
				q = dl(di++) + 4;
			else
				break;
		}
		if (got != len)
			return -1;
		o->type = CS_ACPI_BUFFER;
		o->bytes = b;
		o->len = len;
		nstrings += len;
		return 0;
	}
	q = strstr(l, "[Object Reference]");
	q = q ? strstr(q, " Name ") : NULL;
	if (q && sscanf(q, " Name %4s", name) == 1) {
		for (k = 0; k < W_N; k++)
			if (!strcmp(csacpi_devs[k].name, name))
				break;
		*o = R(k < W_N ? H_DEV(k) : 0);
		return 0;
	}
	return -1;
}

/* The object acpiexec printed for "evaluate path". */
static int dump_eval(const char *path, struct cs_acpi_obj *o)
{
	char want[128];
	unsigned int i;

	snprintf(want, sizeof(want), "Evaluation of %s returned", path);
	for (i = 0; i < ndline; i++) {
		if (!strncmp(dline[i], want, strlen(want))) {
			di = i + 1;
			return dump_obj(o);
		}
	}
	return -1;
}

/* Runs cmd, its output into dump[] and dline[]. */
static int run_dump(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t n;
	char *p;

	if (!f)
		return -1;
	n = fread(dump, 1, sizeof(dump) - 1, f);
	dump[n] = 0;
	if (pclose(f))
		return -1;
	ndline = 0;
	for (p = strtok(dump, "\n"); p && ndline < ARRAY_SIZE(dline);
	     p = strtok(NULL, "\n"))
		dline[ndline++] = p;
	return 0;
}

/* QEMU 7.2 virt's processor devices (hw/arm/virt-acpi-build.c). */
static const char dsdt_asl[] =
	"DefinitionBlock (\"\", \"DSDT\", 2, \"HWT\", \"VIRTCPU\", 1)\n"
	"{\n"
	"    Scope (\\_SB)\n"
	"    {\n"
	"        Device (C000) { Name (_HID, \"ACPI0007\") Name (_UID, 0) }\n"
	"        Device (C001) { Name (_HID, \"ACPI0007\") Name (_UID, 1) }\n"
	"    }\n"
	"}\n";

/* A little-endian 32-bit field of a resource descriptor. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ASL path ("\\_SB.CFUN") of layout device w. */
static void asl_path(int w, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%s", csacpi_devs[w].scope, csacpi_devs[w].name);
}

static void test_acpiexec(void)
{
	char dir[] = "/tmp/test_acpi.XXXXXX", cmd[4096], path[64], ev[128];
	size_t o;
	FILE *f;
	int w, c;

	CHECKF(!system("command -v iasl >/dev/null && command -v acpiexec >/dev/null"),
	       "no iasl or acpiexec (acpica-tools: make deps)");
	if (unit_cur_failed || !mkdtemp(dir))
		return;
	snprintf(cmd, sizeof(cmd), "%s/ssdt.asl", dir);
	f = fopen(cmd, "w");
	if (f) {
		csacpi_write_ssdt(f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "%s/dsdt.asl", dir);
	f = fopen(cmd, "w");
	if (f) {
		fputs(dsdt_asl, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s && iasl -p ssdt ssdt.asl >iasl.log 2>&1 && iasl -p dsdt dsdt.asl >>iasl.log 2>&1",
		 dir);
	CHECKF(!system(cmd), "iasl failed: %s/iasl.log", dir);
	if (unit_cur_failed)
		return;
	o = (size_t)snprintf(cmd, sizeof(cmd), "cd %s && acpiexec -b '", dir);
	for (c = 0; c < CSMMIO_NCPU; c++)
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o,
				      "evaluate \\_SB.C%03X._UID;", c);
	for (w = 0; w < W_N; w++) {
		asl_path(w, path, sizeof(path));
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o,
				      "evaluate %s._HID;evaluate %s._CRS;evaluate %s._DSD;",
				      path, path, path);
	}
	snprintf(cmd + o, sizeof(cmd) - o, "' dsdt.aml ssdt.aml 2>&1");
	CHECKF(!run_dump(cmd), "acpiexec failed");
	if (unit_cur_failed)
		return;

	npool = 0;
	nstrings = 0;
	memset(dev, 0, sizeof(dev));
	for (c = 0; c < CSMMIO_NCPU; c++) {
		struct cs_acpi_obj uid;

		snprintf(ev, sizeof(ev), "\\_SB.C%03X._UID", c);
		CHECKF(!dump_eval(ev, &uid) && uid.type == CS_ACPI_INTEGER,
		       "%s", ev);
		/* QEMU virt: _UID is the CPU index, MPIDR Aff0. */
		cpus[c].handle = H_CPU(c);
		cpus[c].mpidr = uid.integer;
	}
	for (w = 0; w < W_N; w++) {
		struct cs_acpi_obj hid, crs;

		asl_path(w, path, sizeof(path));
		snprintf(ev, sizeof(ev), "%s._HID", path);
		CHECKF(!dump_eval(ev, &hid) && hid.type == CS_ACPI_STRING &&
		       hid.len < sizeof(dev[w].hid), "%s", ev);
		snprintf(ev, sizeof(ev), "%s._CRS", path);
		/* Memory32Fixed (ACPI 6.x 6.4.3.4): 0x86, length 9, info,
		 * base and length little-endian; then the end tag. */
		CHECKF(!dump_eval(ev, &crs) && crs.type == CS_ACPI_BUFFER &&
		       crs.len >= 12 && crs.bytes[0] == 0x86, "%s", ev);
		snprintf(ev, sizeof(ev), "%s._DSD", path);
		CHECKF(!dump_eval(ev, &dsd[w]), "%s", ev);
		if (unit_cur_failed)
			return;
		memcpy(dev[w].hid, hid.bytes, hid.len);
		snprintf(dev[w].name, sizeof(dev[w].name), "%s",
			 csacpi_devs[w].path);
		dev[w].handle = H_DEV(w);
		/* An ETM's scope is its processor: \_SB.C00n. */
		dev[w].parent = 0x1;
		for (c = 0; c < CSMMIO_NCPU; c++) {
			snprintf(ev, sizeof(ev), "\\_SB.C%03X", c);
			if (!strcmp(csacpi_devs[w].scope, ev))
				dev[w].parent = H_CPU(c);
		}
		dev[w].enabled = 1;
		dev[w].base = le32(crs.bytes + 4);
		dev[w].size = le32(crs.bytes + 8);
		dev[w].dsd = &dsd[w];
	}
	check_layout();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!unit_cur_failed && system(cmd))
		CHECK(0);
}

/*
 * The emulator's DT (shape) as ACPI devices: a component per DT
 * component, each endpoint one link; the paths must be the DT's.
 */
static void test_roundtrip(enum cs_emu_topo_shape shape)
{
	static struct cs_emu_topo et;
	static struct csacpi_link links[CS_ACPI_MAX_DEV][8];
	static const char *const hid[] = {
		[CS_COMP_ETM4] = "ARMHC500", [CS_COMP_FUNNEL] = "ARMHC9FF",
		[CS_COMP_REPLICATOR] = "ARMHC98D", [CS_COMP_TMC] = "ARMHC97C",
		[CS_COMP_TPIU] = "ARMHC979",
	};
	const uint64_t mpidr[4] = { 0x0, 0x100, 0x1, 0x101 };
	unsigned int nl[CS_ACPI_MAX_DEV] = { 0 }, i, npaths = 0;
	int ret;

	npool = 0;
	memset(dev, 0, sizeof(dev));
	CHECK(cs_emu_topo_build_shape(&et, shape, 4, mpidr) == 0);
	ret = cs_topo_parse(&dt_topo, &cs_dtmem_ops, &et.m,
			    cs_dtmem_root(&et.m));
	CHECKF(ret == 0, "DT parse: %d", ret);
	if (ret)
		return;
	for (i = 0; i < dt_topo.nep; i++) {
		const struct cs_ep *e = &dt_topo.ep[i];
		const struct cs_ep *pe = &dt_topo.ep[e->peer];

		links[e->comp][nl[e->comp]++] = (struct csacpi_link){
			e->port, pe->port, pe->comp, e->out };
	}
	for (i = 0; i < 4; i++) {
		cpus[i].handle = H_CPU(i);
		cpus[i].mpidr = dt_topo.cpus[i].mpidr;
	}
	for (i = 0; i < dt_topo.ncomp; i++) {
		const struct cs_comp *c = &dt_topo.comp[i];

		snprintf(dev[i].hid, sizeof(dev[i].hid), "%s", hid[c->kind]);
		snprintf(dev[i].name, sizeof(dev[i].name), "\\_SB_.D%03u", i);
		dev[i].handle = H_DEV(i);
		dev[i].parent = c->cpu >= 0 ? H_CPU(c->cpu) : 0x1;
		dev[i].enabled = 1;
		dev[i].base = c->base;
		dev[i].size = c->size;
		dsd[i] = dsd_of(links[i], nl[i], !!(c->flags & CS_COMP_SG));
		dev[i].dsd = &dsd[i];
	}
	ret = build_parse(dt_topo.ncomp, 4);
	CHECKF(ret == 0, "ACPI build/parse: %d (bad_dev %d)", ret,
	       tree.bad_dev);
	if (ret)
		return;
	CHECK(topo.ncomp == dt_topo.ncomp && topo.nep == dt_topo.nep);
	for (i = 0; i < dt_topo.ncomp; i++) {
		uint16_t sinks[8];
		int n, k;

		CHECK(topo.comp[i].flags == dt_topo.comp[i].flags);
		if (dt_topo.comp[i].kind != CS_COMP_ETM4)
			continue;
		CHECK(topo.comp[i].cpu == dt_topo.comp[i].cpu);
		CHECK(cs_topo_collector(&topo, i) ==
		      cs_topo_collector(&dt_topo, i));
		n = cs_topo_sinks(&dt_topo, i, sinks, 8);
		for (k = 0; k < n; k++) {
			struct cs_path pd, pa;
			char a[256], d[256];

			CHECK(cs_topo_path(&dt_topo, i, sinks[k], &pd) == 0);
			CHECK(cs_topo_path(&topo, i, sinks[k], &pa) == 0);
			path_str(&dt_topo, &pd, d, sizeof(d));
			path_str(&topo, &pa, a, sizeof(a));
			CHECKF(!strcmp(a, d), "\n    ACPI %s\n    DT   %s",
			       a, d);
			npaths++;
		}
	}
	CHECKF(npaths >= 4, "%u paths compared", npaths);
}

enum bad {
	BAD_REVISION, BAD_NGRAPHS, BAD_NLINKS, BAD_PORT, BAD_REMOTE_PORT,
	BAD_DIRECTION, BAD_NOT_COMPONENT, BAD_SELF, BAD_DUP_PORT,
	BAD_ONE_WAY, BAD_IN_ONLY, BAD_LINK_SHAPE, BAD_LINK_TYPE,
	BAD_NOT_PAIRS, BAD_UUID_LEN, BAD_TWO_CS_GRAPHS, BAD_NO_WINDOW,
	BAD_ETM_PARENT, BAD_HID, BAD_PROPS, BAD_N
};

static const char *const bad_name[BAD_N] = {
	"revision 1", "NumberOfGraphs 2 for 1", "NumberOfLinks 2 for 1",
	"local port 256", "remote port 256", "direction 2",
	"link to a non-component", "link to itself", "duplicate port",
	"output without its input", "input without its output",
	"link of 3 elements", "reference given as a string",
	"_DSD of 3 elements", "15-byte UUID", "two CoreSight graphs",
	"funnel without _CRS window", "ETM under no processor",
	"unknown _HID", "device property not a pair",
};

/* The layout with one defect; returns the device the defect is in. */
static int layout_bad(enum bad b)
{
	struct csacpi_link l[CSACPI_MAX_LINK + 1];
	struct cs_acpi_obj g[8];
	int d = W_ETR;		/* ETR0: { 0, 0, MFUN, 0 } */
	unsigned int n;

	layout_devs();
	memcpy(l, csacpi_devs[d].link, sizeof(csacpi_devs[d].link));
	n = csacpi_devs[d].nlink;
	switch (b) {
	case BAD_REVISION:
	case BAD_NGRAPHS:
	case BAD_NLINKS:
	case BAD_TWO_CS_GRAPHS:
		g[0] = P(4, I(1), U(uuid_cs), I(b == BAD_NLINKS ? 2 : 1),
			 P(4, I(0), I(0), R(H_DEV(W_MFUNNEL)), I(0)));
		if (b == BAD_TWO_CS_GRAPHS)
			dsd[d] = P(2, U(uuid_graph),
				   P(4, I(0), I(2), g[0], g[0]));
		else
			dsd[d] = P(2, U(uuid_graph),
				   P(3, I(b == BAD_REVISION),
				     I(1 + (b == BAD_NGRAPHS)), g[0]));
		return d;
	case BAD_PORT:
		l[0].port = 256;
		break;
	case BAD_REMOTE_PORT:
		d = W_MFUNNEL;
		memcpy(l, csacpi_devs[d].link, sizeof(l[0]) * 2);
		n = 2;
		l[1].remote_port = 256;
		break;
	case BAD_DIRECTION:
		l[0].out = 2;
		break;
	case BAD_NOT_COMPONENT:
		l[n++] = (struct csacpi_link){ 1, 0, 0x777, 0 };
		dsd[d] = dsd_of(l, n, 0);
		/* 0x777 + 0x100: a handle no device has. */
		return d;
	case BAD_SELF:
		l[n++] = (struct csacpi_link){ 1, 0, W_ETR, 0 };
		break;
	case BAD_DUP_PORT:
		d = W_CFUNNEL;
		memcpy(l, csacpi_devs[d].link, sizeof(l[0]) * 3);
		n = 3;
		l[1].port = 0;	/* ETM1 into in-port 0 too */
		break;
	case BAD_ONE_WAY:
		n = 0;		/* ETR0 says nothing of MFUN's output */
		break;
	case BAD_IN_ONLY:
		d = W_MFUNNEL;	/* MFUN drops its output to ETR0 */
		memcpy(l, csacpi_devs[d].link, sizeof(l[0]));
		n = 1;
		break;
	case BAD_LINK_SHAPE:
		dsd[d] = P(2, U(uuid_graph), P(3, I(0), I(1),
			   P(4, I(1), U(uuid_cs), I(1),
			     P(3, I(0), I(0), R(H_DEV(W_MFUNNEL))))));
		return d;
	case BAD_LINK_TYPE:
		dsd[d] = P(2, U(uuid_graph), P(3, I(0), I(1),
			   P(4, I(1), U(uuid_cs), I(1),
			     P(4, I(0), I(0), S("\\_SB.MFUN"), I(0)))));
		return d;
	case BAD_NOT_PAIRS:
		dsd[d] = dsd_of(l, n, 0);
		dsd[d] = P(3, dsd[d].elem[0], dsd[d].elem[1], I(0));
		return d;
	case BAD_UUID_LEN:
		dsd[d] = dsd_of(l, n, 0);
		pool[dsd[d].elem - pool].len = 15;
		return d;
	case BAD_NO_WINDOW:
		d = W_CFUNNEL;
		dev[d].size = 0;
		return d;
	case BAD_ETM_PARENT:
		d = W_ETM1;
		dev[d].parent = H_DEV(W_CFUNNEL);
		return d;
	case BAD_HID:
		d = W_MFUNNEL;
		snprintf(dev[d].hid, sizeof(dev[d].hid), "ARMHC600");
		return d;
	case BAD_PROPS:
		dsd[d] = P(4, U(uuid_props),
			   P(1, P(1, S("arm,scatter-gather"))),
			   dsd[d].elem[2], dsd[d].elem[3]);
		return d;
	default:
		break;
	}
	dsd[d] = dsd_of(l, n, 0);
	return d;
}

static void test_malformed(void)
{
	unsigned int b;
	int d, ret;

	for (b = 0; b < BAD_N; b++) {
		d = layout_bad((enum bad)b);
		ret = cs_acpi_build(&tree, dev, W_N, cpus, CSMMIO_NCPU);
		CHECKF(ret == -CS_EINVAL, "%s: %d", bad_name[b], ret);
		/* Every defect but a link seen from its other end names
		 * the device it is in. */
		if (b != BAD_ONE_WAY && b != BAD_IN_ONLY)
			CHECKF(tree.bad_dev == d, "%s: bad_dev %d, want %d",
			       bad_name[b], tree.bad_dev, d);
	}
	/* A disabled ETM under no processor is let be (as in the DT). */
	layout_devs();
	dev[W_ETM1].parent = 0x1;
	dev[W_ETM1].enabled = 0;
	CHECK(build_parse(W_N, CSMMIO_NCPU) == 0);
	CHECK(topo.comp[W_ETM1].flags & CS_COMP_DISABLED);
	CHECK(cs_topo_etm_of(&topo, 1) == -1);
	/* Another specification's graph beside it is skipped. */
	layout_devs();
	dsd[W_ETR] = P(2, U(uuid_graph), P(4, I(0), I(2),
		       P(3, I(7), U(uuid_props), I(0)),
		       P(4, I(1), U(uuid_cs), I(1),
			 P(4, I(0), I(0), R(H_DEV(W_MFUNNEL)), I(0)))));
	CHECK(build_parse(W_N, CSMMIO_NCPU) == 0);
	/* No _DSD: a component without links. */
	layout_devs();
	dev[W_ETM1].dsd = NULL;
	dsd[W_CFUNNEL] = dsd_of((const struct csacpi_link[]){
		{ 0, 0, W_ETM0, 0 }, { 0, 0, W_MFUNNEL, 1 } }, 2, 0);
	CHECK(build_parse(W_N, CSMMIO_NCPU) == 0);
	CHECK(topo.comp[W_ETM1].n_out == 0);
}

static void test_limits(void)
{
	unsigned int i;

	layout_devs();
	CHECK(cs_acpi_build(&tree, dev, CS_ACPI_MAX_DEV + 1, cpus, 2) ==
	      -CS_E2BIG);
	CHECK(cs_acpi_build(&tree, dev, W_N, cpus, CS_TOPO_MAX_CPU + 1) ==
	      -CS_E2BIG);
	/* More links than the table holds: 95 static funnels with 3
	 * outputs each into a 96th: 288 links. */
	npool = 0;
	memset(dev, 0, sizeof(dev));
	for (i = 0; i < CS_ACPI_MAX_DEV; i++) {
		struct csacpi_link l[3];
		unsigned int k, n = 0;

		snprintf(dev[i].hid, sizeof(dev[i].hid), "ARMHC9FE");
		snprintf(dev[i].name, sizeof(dev[i].name), "\\_SB_.F%03u", i);
		dev[i].handle = H_DEV(i);
		dev[i].enabled = 1;
		for (k = 0; k < 3; k++) {
			if (i == 0)
				l[n++] = (struct csacpi_link){ (int)k, (int)k,
							       1, 0 };
			else
				l[n++] = (struct csacpi_link){ (int)k, (int)k,
							       0, 1 };
		}
		dsd[i] = dsd_of(l, n, 0);
		dev[i].dsd = &dsd[i];
	}
	CHECK(cs_acpi_build(&tree, dev, CS_ACPI_MAX_DEV, cpus, 2) ==
	      -CS_E2BIG);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_layout(), "acpi_layout_paths_equal_dt");
	RUN(test_acpiexec(), "acpi_iasl_acpiexec_paths_equal_dt");
	RUN(test_roundtrip(CS_EMU_TOPO_FUNNELS), "acpi_roundtrip_funnels");
	RUN(test_roundtrip(CS_EMU_TOPO_JUNO_R1), "acpi_roundtrip_juno_r1");
	RUN(test_malformed(), "acpi_malformed");
	RUN(test_limits(), "acpi_limits");
	return unit_failed ? 1 : 0;
}
