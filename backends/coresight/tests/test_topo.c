// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_topo on real device trees: the DTBs of Debian's arm64 kernel
 * package (the one the arm64 VM boots, tests/vm/fetch-arm64.sh), read
 * with libfdt.  The expected paths were written by hand from each DTB's
 * source (`dtc -I dtb -O dts FILE`: the in-ports/out-ports graph of
 * arch/arm64/boot/dts/arm/juno-base.dtsi and juno-r1.dts,
 * hisilicon/hi6220-coresight.dtsi, qcom/msm8916.dtsi), one line per
 * path: each component, and between two the output port of the first
 * and the input port of the second ("0>2": out-port 0 into in-port 2,
 * so FUNNEL_CTRL's EnS2).
 *
 * The Juno r1 snapshot ../shared/corpus/coresight/juno_r1_1 (a real
 * capture: its snapshot.ini and trace.ini name the sources and the
 * buffer each was captured in) is checked against juno-r1.dtb: four
 * Cortex-A53 and two Cortex-A57 ETMs, all six into one buffer (ETB_0)
 * and the STM into another (ETB_1), as the DT's first TMC on each path.
 *
 * Malformed trees (built with libfdt's sequential writer) check each
 * refusal.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>

#include "cs_unit.h"
#include "cs_fdt.h"

#ifndef CS_ROOT
#define CS_ROOT "../.."
#endif
#define SNAP CS_ROOT "/../shared/corpus/coresight/juno_r1_1"

static struct cs_topo topo;

static int parse_fdt(void *fdt)
{
	return cs_topo_parse(&topo, &fdt_ops, fdt, 1);
}

/* "etm@x 0>1 funnel@y ..." for a path. */
static void path_str(const struct cs_path *p, char *buf, size_t sz)
{
	size_t o = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < p->nhop && o < sz; i++) {
		if (i)
			o += (size_t)snprintf(buf + o, sz - o, " %d>%d ",
					      p->hop[i - 1].out_port,
					      p->hop[i].in_port);
		if (o < sz)
			o += (size_t)snprintf(buf + o, sz - o, "%s",
					      topo.comp[p->hop[i].comp].name);
	}
}

struct want {
	const char *src, *sink, *path;
};

struct dtb_case {
	const char *file;
	unsigned int netm;
	const struct want *w;
	unsigned int nw;
};

#define JUNO_ETF " 0>0 funnel@20040000 0>0 etf@20010000"
#define JUNO_A57(etm, in) etm " 0>" in " funnel@220c0000"
#define JUNO_A53(etm, in) etm " 0>" in " funnel@230c0000"
#define JUNO_REP " 0>0 replicator@20120000"

/* arm/juno.dtb (r0): juno-base.dtsi's graph. */
static const struct want juno_r0[] = {
	{ "etm@22040000", "etf@20010000", JUNO_A57("etm@22040000", "0")
	  JUNO_ETF },
	{ "etm@22140000", "etf@20010000", JUNO_A57("etm@22140000", "1")
	  JUNO_ETF },
	{ "etm@23040000", "etf@20010000", "etm@23040000 0>0 funnel@230c0000"
	  " 0>1 funnel@20040000 0>0 etf@20010000" },
	{ "etm@23340000", "etf@20010000", "etm@23340000 0>3 funnel@230c0000"
	  " 0>1 funnel@20040000 0>0 etf@20010000" },
	{ "etm@22040000", "etr@20070000", JUNO_A57("etm@22040000", "0")
	  JUNO_ETF JUNO_REP " 1>0 etr@20070000" },
	{ "etm@23240000", "etr@20070000", "etm@23240000 0>2 funnel@230c0000"
	  " 0>1 funnel@20040000 0>0 etf@20010000" JUNO_REP
	  " 1>0 etr@20070000" },
	{ "etm@22140000", "tpiu@20030000", JUNO_A57("etm@22140000", "1")
	  JUNO_ETF JUNO_REP " 0>0 tpiu@20030000" },
	{ "stm@20100000", "etr@20070000", "stm@20100000 0>2 funnel@20040000"
	  " 0>0 etf@20010000" JUNO_REP " 1>0 etr@20070000" },
};

/* arm/juno-r1.dtb: juno-r1.dts adds funnel@20150000 between the ETF and
 * the replicator, and the STM goes through its own funnel and ETF. */
static const struct want juno_r1[] = {
	{ "etm@22040000", "etr@20070000", JUNO_A57("etm@22040000", "0")
	  JUNO_ETF " 0>0 funnel@20150000" JUNO_REP " 1>0 etr@20070000" },
	{ "etm@23140000", "etr@20070000", "etm@23140000 0>1 funnel@230c0000"
	  " 0>1 funnel@20040000 0>0 etf@20010000 0>0 funnel@20150000"
	  JUNO_REP " 1>0 etr@20070000" },
	{ "etm@23340000", "tpiu@20030000", "etm@23340000 0>3 funnel@230c0000"
	  " 0>1 funnel@20040000 0>0 etf@20010000 0>0 funnel@20150000"
	  JUNO_REP " 0>0 tpiu@20030000" },
	{ "stm@20100000", "etr@20070000", "stm@20100000 0>0 funnel@20130000"
	  " 0>0 etf@20140000 0>1 funnel@20150000" JUNO_REP
	  " 1>0 etr@20070000" },
};

/* hisilicon/hi6220-hikey.dtb: one funnel for both clusters, a static
 * replicator (no reg) between the ETF and the ETR / TPIU. */
static const struct want hikey[] = {
	{ "etm@f659c000", "etr@f6404000", "etm@f659c000 0>0 funnel@f6501000"
	  " 0>0 funnel@f6401000 0>0 etf@f6402000 0>0 replicator"
	  " 0>0 etr@f6404000" },
	{ "etm@f65df000", "etr@f6404000", "etm@f65df000 0>7 funnel@f6501000"
	  " 0>0 funnel@f6401000 0>0 etf@f6402000 0>0 replicator"
	  " 0>0 etr@f6404000" },
	{ "etm@f65dc000", "tpiu@f6405000", "etm@f65dc000 0>4 funnel@f6501000"
	  " 0>0 funnel@f6401000 0>0 etf@f6402000 0>0 replicator"
	  " 1>0 tpiu@f6405000" },
};

/* qcom/apq8016-sbc.dtb: msm8916.dtsi's graph, which the board enables;
 * the APSS funnel enters the in-port 4 of the QDSS funnel. */
static const struct want apq8016[] = {
	{ "etm@85c000", "etr@826000", "etm@85c000 0>0 funnel@841000"
	  " 0>4 funnel@821000 0>0 etf@825000 0>0 replicator@824000"
	  " 0>0 etr@826000" },
	{ "etm@85e000", "etf@825000", "etm@85e000 0>2 funnel@841000"
	  " 0>4 funnel@821000 0>0 etf@825000" },
	{ "etm@85f000", "tpiu@820000", "etm@85f000 0>3 funnel@841000"
	  " 0>4 funnel@821000 0>0 etf@825000 0>0 replicator@824000"
	  " 1>0 tpiu@820000" },
	{ "stm@802000", "etr@826000", "stm@802000 0>7 funnel@821000"
	  " 0>0 etf@825000 0>0 replicator@824000 0>0 etr@826000" },
};

static const struct dtb_case cases[] = {
	{ "arm/juno.dtb", 6, juno_r0, ARRAY_SIZE(juno_r0) },
	{ "arm/juno-r1.dtb", 6, juno_r1, ARRAY_SIZE(juno_r1) },
	{ "hisilicon/hi6220-hikey.dtb", 8, hikey, ARRAY_SIZE(hikey) },
	{ "qcom/apq8016-sbc.dtb", 4, apq8016, ARRAY_SIZE(apq8016) },
};

static void test_dtb(const struct dtb_case *c)
{
	char path[512], got[512];
	unsigned int i, netm = 0;
	struct cs_path p;
	void *fdt;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", CS_DTBS, c->file);
	fdt = load(path);
	CHECKF(fdt, "cannot read %s (fetched by tests/vm/fetch-arm64.sh)",
	       path);
	if (!fdt)
		return;
	ret = parse_fdt(fdt);
	CHECKF(ret == 0, "cs_topo_parse: %d", ret);
	if (ret) {
		free(fdt);
		return;
	}
	for (i = 0; i < topo.ncomp; i++)
		if (topo.comp[i].kind == CS_COMP_ETM4) {
			netm++;
			CHECKF(topo.comp[i].cpu >= 0 &&
			       topo.cpus[topo.comp[i].cpu].phandle ==
			       topo.comp[i].cpu_phandle, "%s: cpu",
			       topo.comp[i].name);
		}
	CHECKF(netm == c->netm, "%u ETMs, want %u", netm, c->netm);
	for (i = 0; i < c->nw; i++) {
		int s = cs_topo_find(&topo, c->w[i].src);
		int k = cs_topo_find(&topo, c->w[i].sink);

		CHECKF(s >= 0 && k >= 0, "%s or %s not found", c->w[i].src,
		       c->w[i].sink);
		if (s < 0 || k < 0)
			continue;
		ret = cs_topo_path(&topo, (unsigned int)s, (unsigned int)k,
				   &p);
		CHECKF(ret == 0, "%s -> %s: %d", c->w[i].src, c->w[i].sink,
		       ret);
		if (ret)
			continue;
		path_str(&p, got, sizeof(got));
		CHECKF(!strcmp(got, c->w[i].path), "\n    got  %s\n    want %s",
		       got, c->w[i].path);
	}
	free(fdt);
}

/* Juno: an ETM per CPU, the CPUs' MPIDRs and core types (juno-base.dtsi
 * /cpus: cpu@0, cpu@1 Cortex-A57; cpu@100-103 Cortex-A53). */
static void test_juno_cpus(void)
{
	static const struct { uint64_t mpidr; const char *etm, *core; } w[] = {
		{ 0x000, "etm@22040000", "arm,cortex-a57" },
		{ 0x001, "etm@22140000", "arm,cortex-a57" },
		{ 0x100, "etm@23040000", "arm,cortex-a53" },
		{ 0x101, "etm@23140000", "arm,cortex-a53" },
		{ 0x102, "etm@23240000", "arm,cortex-a53" },
		{ 0x103, "etm@23340000", "arm,cortex-a53" },
	};
	void *fdt = load(CS_DTBS "/arm/juno.dtb");
	unsigned int i;

	CHECK(fdt && parse_fdt(fdt) == 0);
	if (!fdt || topo.nep == 0) {
		free(fdt);
		return;
	}
	CHECK(topo.ncpu == 6);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		int e = cs_topo_etm_of(&topo, w[i].mpidr);

		CHECKF(e >= 0 && !strcmp(topo.comp[e].name, w[i].etm),
		       "MPIDR %#llx: %s", (unsigned long long)w[i].mpidr,
		       e >= 0 ? topo.comp[e].name : "none");
		if (e >= 0)
			CHECK(!strcmp(topo.cpus[topo.comp[e].cpu].compatible,
				      w[i].core));
		if (e >= 0)
			CHECK(topo.comp[e].base == strtoull(w[i].etm + 4,
							    NULL, 16) &&
			      topo.comp[e].size == 0x1000);
	}
	CHECK(cs_topo_etm_of(&topo, 0x2) == -1);
	/* The ETR may use scatter-gather, the ETF may not. */
	CHECK(topo.comp[cs_topo_find(&topo, "etr@20070000")].flags &
	      CS_COMP_SG);
	CHECK(!(topo.comp[cs_topo_find(&topo, "etf@20010000")].flags &
		CS_COMP_SG));
	free(fdt);
}

/* Every sink an ETM reaches, nearest first: on Juno r0 the ETF, then
 * through the replicator's out-port 0 the TPIU, out-port 1 the ETR. */
static void test_sinks(void)
{
	void *fdt = load(CS_DTBS "/arm/juno.dtb");
	uint16_t s[8];
	int n;

	CHECK(fdt && parse_fdt(fdt) == 0);
	if (!fdt || topo.nep == 0) {
		free(fdt);
		return;
	}
	n = cs_topo_sinks(&topo, (unsigned int)cs_topo_find(&topo,
			  "etm@23140000"), s, 8);
	CHECKF(n == 3, "%d sinks", n);
	if (n == 3) {
		CHECK(!strcmp(topo.comp[s[0]].name, "etf@20010000"));
		CHECK(!strcmp(topo.comp[s[1]].name, "tpiu@20030000"));
		CHECK(!strcmp(topo.comp[s[2]].name, "etr@20070000"));
	}
	CHECK(cs_topo_sinks(&topo, (unsigned int)cs_topo_find(&topo,
			    "funnel@20040000"), s, 8) == -CS_EINVAL);
	free(fdt);
}

/*
 * The sink each board's ETMs are collected in: the ETR behind the ETF
 * (juno-base.dtsi, juno-r1.dts, hi6220-coresight.dtsi, msm8916.dtsi:
 * the ETF's output goes through a replicator to the ETR and the TPIU),
 * never the ETF, the nearest TMC; with the ETR disabled, the ETF; with
 * the ETF disabled as well, none.
 */
static void test_collector(void)
{
	static const struct {
		const char *file, *etm, *sink;
	} want[] = {
		{ "arm/juno.dtb", "etm@22040000", "etr@20070000" },
		{ "arm/juno-r1.dtb", "etm@23340000", "etr@20070000" },
		{ "hisilicon/hi6220-hikey.dtb", "etm@f65df000",
		  "etr@f6404000" },
		{ "qcom/apq8016-sbc.dtb", "etm@85f000", "etr@826000" },
	};
	char path[512];
	unsigned int i;
	int e, k;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		void *fdt;

		snprintf(path, sizeof(path), "%s/%s", CS_DTBS, want[i].file);
		fdt = load(path);
		CHECK(fdt && parse_fdt(fdt) == 0);
		if (!fdt)
			continue;
		e = cs_topo_find(&topo, want[i].etm);
		CHECK(e >= 0);
		if (e < 0) {
			free(fdt);
			continue;
		}
		k = cs_topo_collector(&topo, (unsigned int)e);
		CHECKF(k >= 0 && !strcmp(topo.comp[k].name, want[i].sink),
		       "%s: %s -> %s", want[i].file, want[i].etm,
		       k >= 0 ? topo.comp[k].name : "none");
		if (i == 1) {
			topo.comp[cs_topo_find(&topo, "etr@20070000")].flags |=
				CS_COMP_DISABLED;
			k = cs_topo_collector(&topo, (unsigned int)e);
			CHECK(k >= 0 &&
			      !strcmp(topo.comp[k].name, "etf@20010000"));
			topo.comp[cs_topo_find(&topo, "etf@20010000")].flags |=
				CS_COMP_DISABLED;
			CHECK(cs_topo_collector(&topo, (unsigned int)e) ==
			      -CS_ENODEV);
			CHECK(cs_topo_collector(&topo, (unsigned int)
				cs_topo_find(&topo, "funnel@20040000")) ==
			      -CS_EINVAL);
		}
		free(fdt);
	}
}

/* qcom/msm8916-mtp.dtb leaves msm8916.dtsi's CoreSight disabled: the
 * components are there, no path is. */
static void test_disabled(void)
{
	void *fdt = load(CS_DTBS "/qcom/msm8916-mtp.dtb");
	struct cs_path p;
	uint16_t s[8];
	int e, k;

	CHECK(fdt && parse_fdt(fdt) == 0);
	if (!fdt || topo.nep == 0) {
		free(fdt);
		return;
	}
	e = cs_topo_find(&topo, "etm@85c000");
	k = cs_topo_find(&topo, "etr@826000");
	CHECK(e >= 0 && k >= 0);
	if (e < 0 || k < 0)
		return;
	CHECK(topo.comp[e].flags & CS_COMP_DISABLED);
	CHECK(cs_topo_sinks(&topo, (unsigned int)e, s, 8) == 0);
	CHECK(cs_topo_path(&topo, (unsigned int)e, (unsigned int)k, &p) ==
	      -CS_ENODEV);
	free(fdt);
}

/* The first TMC on a source's path to the ETR: where it is captured. */
static int first_tmc(const char *src)
{
	int s = cs_topo_find(&topo, src), k = cs_topo_find(&topo,
							   "etr@20070000");
	struct cs_path p;
	unsigned int i;

	if (s < 0 || k < 0 ||
	    cs_topo_path(&topo, (unsigned int)s, (unsigned int)k, &p))
		return -1;
	for (i = 1; i < p.nhop; i++)
		if (topo.comp[p.hop[i].comp].kind == CS_COMP_TMC)
			return p.hop[i].comp;
	return -1;
}

/* "KEY=VALUE" of an ini file, or 0 if absent. */
static int ini_get(const char *path, const char *key, char *val, size_t sz)
{
	char line[256];
	size_t kl = strlen(key);
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			snprintf(val, sz, "%s", line + kl + 1);
			val[strcspn(val, "\r\n")] = 0;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

static void test_snapshot(void)
{
	static const char *const etms[] = {
		"etm@22040000", "etm@22140000", "etm@23040000",
		"etm@23140000", "etm@23240000", "etm@23340000",
	};
	void *fdt = load(CS_DTBS "/arm/juno-r1.dtb");
	unsigned int i, dt_a53 = 0, dt_a57 = 0, snap_a53 = 0, snap_a57 = 0;
	char path[512], type[64], buf0[64], buf[64];
	int tmc0;

	CHECK(fdt && parse_fdt(fdt) == 0);
	if (!fdt || topo.nep == 0) {
		free(fdt);
		return;
	}
	/* The snapshot: cpu_N's type, ETM_N's buffer, STM_12's. */
	CHECK(ini_get(SNAP "/trace.ini", "ETM_0", buf0, sizeof(buf0)));
	for (i = 0; i < 6; i++) {
		char key[16];

		snprintf(path, sizeof(path), SNAP "/cpu_%u.ini", i);
		CHECKF(ini_get(path, "type", type, sizeof(type)), "%s", path);
		snap_a53 += !strcmp(type, "Cortex-A53");
		snap_a57 += !strcmp(type, "Cortex-A57");
		snprintf(key, sizeof(key), "ETM_%u", i);
		CHECK(ini_get(SNAP "/trace.ini", key, buf, sizeof(buf)) &&
		      !strcmp(buf, buf0));
	}
	CHECK(ini_get(SNAP "/trace.ini", "STM_12", buf, sizeof(buf)) &&
	      strcmp(buf, buf0));
	/* The DT: the same core types, one first TMC for the six ETMs, and
	 * another for the STM. */
	tmc0 = first_tmc(etms[0]);
	CHECK(tmc0 >= 0 && !strcmp(topo.comp[tmc0].name, "etf@20010000"));
	for (i = 0; i < ARRAY_SIZE(etms); i++) {
		int e = cs_topo_find(&topo, etms[i]);
		const char *core;

		CHECK(e >= 0 && topo.comp[e].cpu >= 0);
		if (e < 0 || topo.comp[e].cpu < 0)
			continue;
		core = topo.cpus[topo.comp[e].cpu].compatible;
		dt_a53 += !strcmp(core, "arm,cortex-a53");
		dt_a57 += !strcmp(core, "arm,cortex-a57");
		CHECK(first_tmc(etms[i]) == tmc0);
	}
	CHECKF(dt_a53 == snap_a53 && dt_a57 == snap_a57 && snap_a53 == 4 &&
	       snap_a57 == 2, "DT %u A53 %u A57, snapshot %u %u", dt_a53,
	       dt_a57, snap_a53, snap_a57);
	CHECK(first_tmc("stm@20100000") >= 0 &&
	      first_tmc("stm@20100000") != tmc0);
	free(fdt);
}

/* qcom/msm8998-mtp.dtb (msm8998.dtsi in 6.1): funnel@7b60000 says
 * "arm,coresight-etm4x", has no cpu and is disabled; the ETMs feed it
 * (etm@7840000 into its port 0), and it feeds funnel@7b70000, also
 * disabled: the tree parses, and no ETM reaches a sink. */
static void test_msm8998(void)
{
	void *fdt = load(CS_DTBS "/qcom/msm8998-mtp.dtb");
	struct cs_path p;
	uint16_t s[8];
	int f, e, k;

	CHECK(fdt && parse_fdt(fdt) == 0);
	if (!fdt || topo.nep == 0 || topo.ep[0].peer < 0) {
		free(fdt);
		return;
	}
	f = cs_topo_find(&topo, "funnel@7b60000");
	e = cs_topo_find(&topo, "etm@7840000");
	k = cs_topo_find(&topo, "etr@6048000");
	CHECK(f >= 0 && e >= 0 && k >= 0);
	if (f >= 0 && e >= 0 && k >= 0) {
		CHECK(topo.comp[f].kind == CS_COMP_ETM4 &&
		      topo.comp[f].cpu == -1 &&
		      (topo.comp[f].flags & CS_COMP_DISABLED));
		CHECK(!(topo.comp[e].flags & CS_COMP_DISABLED));
		CHECK(cs_topo_sinks(&topo, (unsigned int)e, s, 8) == 0);
		CHECK(cs_topo_path(&topo, (unsigned int)e, (unsigned int)k,
				   &p) == -CS_ENODEV);
	}
	free(fdt);
}

/* Whether the blob holds "arm,coresight-" anywhere. */
static int mentions_coresight(const void *fdt)
{
	const char *b = fdt, *k = "arm,coresight-";
	size_t n = fdt_totalsize(fdt), kl = strlen(k), i;

	for (i = 0; i + kl <= n; i++)
		if (!memcmp(b + i, k, kl))
			return 1;
	return 0;
}

/* Every DTB of the package that mentions CoreSight is read without a
 * refusal (a false -CS_EINVAL would refuse a real board). */
static void test_all_dtbs(void)
{
	char dir[512], path[1024];
	unsigned int files = 0, cs = 0;
	struct dirent *v, *d;
	DIR *top = opendir(CS_DTBS), *sub;
	int ret;

	CHECKF(top, "%s", CS_DTBS);
	if (!top)
		return;
	while ((v = readdir(top))) {
		if (v->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", CS_DTBS, v->d_name);
		sub = opendir(dir);
		if (!sub)
			continue;
		while ((d = readdir(sub))) {
			size_t l = strlen(d->d_name);
			void *fdt;

			if (l < 4 || strcmp(d->d_name + l - 4, ".dtb"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			fdt = load(path);
			CHECKF(fdt, "%s", path);
			files++;
			if (fdt && mentions_coresight(fdt)) {
				cs++;
				ret = parse_fdt(fdt);
				CHECKF(ret == 0, "%s: %d", path, ret);
			}
			free(fdt);
		}
		closedir(sub);
	}
	closedir(top);
	CHECKF(files > 500 && cs > 100, "%u DTBs, %u with CoreSight", files,
	       cs);
}

/* --- Malformed and corner-case trees, written with libfdt. --- */

static char fbuf[16384];

static void fb_begin(void)
{
	fdt_create(fbuf, sizeof(fbuf));
	fdt_finish_reservemap(fbuf);
	fdt_begin_node(fbuf, "");
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 1);
	fdt_begin_node(fbuf, "cpus");
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 0);
	fdt_begin_node(fbuf, "cpu@0");
	fdt_property_string(fbuf, "device_type", "cpu");
	fdt_property_u32(fbuf, "reg", 0);
	fdt_property_u32(fbuf, "phandle", 1);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
}

static int fb_end(void)
{
	fdt_end_node(fbuf);
	fdt_finish(fbuf);
	return parse_fdt(fbuf);
}

/* A node name@addr with compatible and reg; its ports follow. */
static void fb_comp(const char *name, const char *compat, uint32_t addr)
{
	uint32_t r[2] = { cpu_to_fdt32(addr), cpu_to_fdt32(0x1000) };
	char n[64];

	snprintf(n, sizeof(n), "%s@%x", name, addr);
	fdt_begin_node(fbuf, n);
	fdt_property_string(fbuf, "compatible", compat);
	fdt_property(fbuf, "reg", r, sizeof(r));
}

/* ports ("in-ports"/"out-ports") with one endpoint at port num. */
static void fb_port(const char *ports, int num, uint32_t ph, uint32_t remote)
{
	char n[32];

	fdt_begin_node(fbuf, ports);
	fdt_property_u32(fbuf, "#address-cells", 1);
	fdt_property_u32(fbuf, "#size-cells", 0);
	snprintf(n, sizeof(n), "port@%x", num);
	fdt_begin_node(fbuf, n);
	fdt_property_u32(fbuf, "reg", (uint32_t)num);
	fdt_begin_node(fbuf, "endpoint");
	fdt_property_u32(fbuf, "phandle", ph);
	fdt_property_u32(fbuf, "remote-endpoint", remote);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
	fdt_end_node(fbuf);
}

/* etm -> funnel in-port `in` -> tmc, endpoints 10..13. */
static int fb_simple(int in, int etm_cpu, const char *etm_ports)
{
	fb_begin();
	fb_comp("etm", "arm,coresight-etm4x", 0x1000);
	if (etm_cpu)
		fdt_property_u32(fbuf, "cpu", 1);
	fb_port(etm_ports, 0, 10, 11);
	fdt_end_node(fbuf);
	fb_comp("funnel", "arm,coresight-dynamic-funnel", 0x2000);
	fb_port("in-ports", in, 11, 10);
	fb_port("out-ports", 0, 12, 13);
	fdt_end_node(fbuf);
	fb_comp("etr", "arm,coresight-tmc", 0x3000);
	fb_port("in-ports", 0, 13, 12);
	fdt_end_node(fbuf);
	return fb_end();
}

static void test_malformed(void)
{
	struct cs_path p;
	char got[256];
	int i;

	CHECK(fb_simple(5, 1, "out-ports") == 0);
	CHECK(cs_topo_path(&topo, 0, 2, &p) == 0);
	path_str(&p, got, sizeof(got));
	CHECKF(!strcmp(got, "etm@1000 0>5 funnel@2000 0>0 etr@3000"), "%s",
	       got);
	CHECK(cs_topo_path(&topo, 2, 0, &p) == -CS_EINVAL);
	CHECK(cs_topo_path(&topo, 0, 1, &p) == -CS_EINVAL);
	CHECK(cs_topo_path(&topo, 0, 9, &p) == -CS_EINVAL);
	/* An ETM without its cpu. */
	CHECK(fb_simple(0, 0, "out-ports") == -CS_EINVAL);
	/* An ETM whose output is an in-port: out meets out at the funnel
	 * (its in-port endpoint 11 names 10, which is an input too). */
	CHECK(fb_simple(0, 1, "in-ports") == -CS_EINVAL);
	/* A funnel port beyond 255. */
	CHECK(fb_simple(300, 1, "out-ports") == -CS_E2BIG);

	/* A remote-endpoint that names nothing. */
	fb_begin();
	fb_comp("etm", "arm,coresight-etm4x", 0x1000);
	fdt_property_u32(fbuf, "cpu", 1);
	fb_port("out-ports", 0, 10, 99);
	fdt_end_node(fbuf);
	CHECK(fb_end() == -CS_EINVAL);

	/* The legacy binding: "ports" under the component. */
	fb_begin();
	fb_comp("etm", "arm,coresight-etm4x", 0x1000);
	fdt_property_u32(fbuf, "cpu", 1);
	fb_port("ports", 0, 10, 11);
	fdt_end_node(fbuf);
	CHECK(fb_end() == -CS_EINVAL);

	/* A reg shorter than #address-cells + #size-cells. */
	fb_begin();
	fdt_begin_node(fbuf, "funnel@1");
	fdt_property_string(fbuf, "compatible",
			    "arm,coresight-dynamic-funnel");
	fdt_property_u32(fbuf, "reg", 1);
	fdt_end_node(fbuf);
	CHECK(fb_end() == -CS_EINVAL);

	/* A chain of 14 static funnels: too long for a path. */
	fb_begin();
	fb_comp("etm", "arm,coresight-etm4x", 0x1000);
	fdt_property_u32(fbuf, "cpu", 1);
	fb_port("out-ports", 0, 10, 20);
	fdt_end_node(fbuf);
	for (i = 0; i < 14; i++) {
		char n[32];

		snprintf(n, sizeof(n), "funnel@%x", 0x2000 + i);
		fdt_begin_node(fbuf, n);
		fdt_property_string(fbuf, "compatible",
				    "arm,coresight-static-funnel");
		/* in-port 0 from the previous, out to the next */
		fb_port("in-ports", 0, (uint32_t)(20 + 2 * i),
			i ? (uint32_t)(21 + 2 * (i - 1)) : 10);
		fb_port("out-ports", 0, (uint32_t)(21 + 2 * i),
			(uint32_t)(20 + 2 * (i + 1)));
		fdt_end_node(fbuf);
	}
	fb_comp("etr", "arm,coresight-tmc", 0x9000);
	fb_port("in-ports", 0, 20 + 2 * 14, 21 + 2 * 13);
	fdt_end_node(fbuf);
	CHECK(fb_end() == 0);
	CHECK(topo.comp[1].flags & CS_COMP_STATIC);
	CHECK(cs_topo_path(&topo, 0, 15, &p) == -CS_E2BIG);
}

int main(void)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		RUN(test_dtb(&cases[i]), "topo_dtb_%s", cases[i].file);
	RUN(test_juno_cpus(), "topo_juno_cpus");
	RUN(test_sinks(), "topo_sinks");
	RUN(test_collector(), "topo_collector_etr_behind_etf");
	RUN(test_disabled(), "topo_disabled");
	RUN(test_snapshot(), "topo_juno_r1_snapshot");
	RUN(test_msm8998(), "topo_msm8998_mislabelled");
	RUN(test_all_dtbs(), "topo_all_package_dtbs");
	RUN(test_malformed(), "topo_malformed");
	return unit_failed ? 1 : 0;
}
