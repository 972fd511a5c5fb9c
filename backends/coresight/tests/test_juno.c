// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A real capture's registers as ground truth: the Juno r1 snapshot
 * ../shared/corpus/coresight/juno_r1_1 (ARM DS-5, 4 Cortex-A53 + 2
 * Cortex-A57, ETMv4.0) recorded each ETM's TRCIDR0-2/8-13 and the
 * TRCCONFIGR and TRCTRACEIDR the capture was programmed with (context
 * ID and VMID tracing: 0xC1).  For every ETM:
 *   - cs_caps decodes the ETM (ETMv4.0, the revision by core type);
 *   - cs_config_regs() for the same trace (CPU mode, EL0 and EL1,
 *     CONTEXTID, VMID) gives the snapshot's TRCCONFIGR and TRCTRACEIDR;
 *   - those registers programmed through cs_seq draw zero refusals;
 *   - the cs_cpus.h rows say what the snapshot says (no typo in them).
 * TRCIDR3-5 are not in the snapshot: the A53 row's are used (an
 * assumption cs_cpus.h documents).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cs_unit.h"
#include "cs_cpus.h"
#include "cs_run.h"
#include "../cs_config.h"

#ifndef CS_ROOT
#define CS_ROOT "../.."
#endif
#define SNAP CS_ROOT "/../shared/corpus/coresight/juno_r1_1"

struct ini_regs {
	int etm;			/* a [device] of type ETM4 */
	char name[32];
	uint32_t configr, traceidr, idr[14];
	int have_configr, have_traceidr, have_idr;
};

/* "NAME(0xIDX)=0xVALUE" lines of one device_N.ini. */
static int read_ini(const char *path, struct ini_regs *r)
{
	char line[256], key[64];
	unsigned int idx, val, n;
	FILE *f = fopen(path, "r");

	memset(r, 0, sizeof(*r));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "type=ETM4", 9))
			r->etm = 1;
		if (sscanf(line, "name=%31s", r->name) == 1)
			continue;
		if (sscanf(line, "%63[A-Z0-9](0x%x)=0x%x", key, &idx, &val) != 3)
			continue;
		if (!strcmp(key, "TRCCONFIGR")) {
			r->configr = val;
			r->have_configr = 1;
		} else if (!strcmp(key, "TRCTRACEIDR")) {
			r->traceidr = val;
			r->have_traceidr = 1;
		} else if (sscanf(key, "TRCIDR%u", &n) == 1 && n < 14) {
			r->idr[n] = val;
			r->have_idr |= 1 << n;
		}
	}
	fclose(f);
	return 0;
}

/* cpu_N.ini's core type for ETM_N (snapshot.ini maps cpu_N=ETM_N). */
static int core_is_a57(int n)
{
	char path[512], line[128];
	int a57 = -1;
	FILE *f;

	snprintf(path, sizeof(path), SNAP "/cpu_%d.ini", n);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "type=Cortex-A57", 15))
			a57 = 1;
		else if (!strncmp(line, "type=Cortex-A53", 15))
			a57 = 0;
	}
	fclose(f);
	return a57;
}

static int netm;

static void test_device(int dev)
{
	struct hwt_coresight_config x;
	struct cs_idregs id;
	struct ini_regs r;
	struct cs_regs regs;
	struct cs_trbe_regs trbe;
	struct cs_caps k;
	struct csm m;
	char path[512];
	int cpu, a57, i, ret;
	const struct cs_cpu *row;

	snprintf(path, sizeof(path), SNAP "/device_%d.ini", dev);
	CHECKF(read_ini(path, &r) == 0, "cannot read %s", path);
	if (!r.etm)
		return;		/* the STM */
	netm++;
	CHECKF(r.have_configr && r.have_traceidr && r.have_idr == 0x3f07,
	       "%s: registers missing", path);
	CHECK(sscanf(r.name, "ETM_%d", &cpu) == 1);
	a57 = core_is_a57(cpu);
	CHECKF(a57 >= 0, "cpu_%d.ini: no core type", cpu);
	row = &cs_cpus[a57 ? 1 : 0];
	/* The table's rows are this snapshot's values. */
	for (i = 0; i < 3; i++)
		CHECKF(row->id.trcidr[i] == r.idr[i], "%s TRCIDR%d %#x, "
		       "cs_cpus %#x", r.name, i, r.idr[i], row->id.trcidr[i]);
	for (i = 8; i < 14; i++)
		CHECK(row->id.trcidr[i] == r.idr[i]);

	id = row->id;
	memcpy(id.trcidr, r.idr, sizeof(r.idr));
	for (i = 3; i < 6; i++)
		id.trcidr[i] = row->id.trcidr[i];	/* not in the snapshot */
	ret = cs_caps_parse(&id, &k);
	CHECKF(ret == 0, "%s: caps %d", r.name, ret);
	CHECK(k.arch == CS_ARCH_ETMV4 && k.arch_major == 4 &&
	      k.arch_minor == 0);
	/* Juno r1: A53 ETM REVISION 3, A57 REVISION 2 (TRCIDR1 3:0). */
	CHECKF(k.revision == (a57 ? 2 : 3), "%s: revision %u", r.name,
	       k.revision);

	memset(&x, 0, sizeof(x));
	x.flags = HWT_CORESIGHT_USER | HWT_CORESIGHT_KERNEL |
		  HWT_CORESIGHT_CONTEXTID | HWT_CORESIGHT_VMID;
	ret = cs_config_regs(&k, &x, CS_MODE_CPU, r.traceidr, &regs);
	CHECKF(ret == 0, "%s: regs %d", r.name, ret);
	CHECKF(regs.configr == r.configr, "%s: TRCCONFIGR %#x, snapshot %#x",
	       r.name, regs.configr, r.configr);
	CHECK(regs.traceidr == r.traceidr);
	CHECK(regs.sink == HWT_CORESIGHT_SINK_ETR);

	csm_init(&m, &id);
	CHECK(run_start(&m, &k, &regs, 0, 0, &trbe) == 0);
	CHECKF(m.refused == 0, "%s: %s", r.name, m.rule);
	CHECK(m.reg[TRCCONFIGR / 4] == r.configr &&
	      m.reg[TRCTRACEIDR / 4] == r.traceidr);
}

int main(void)
{
	int dev;

	for (dev = 6; dev <= 12; dev++)
		RUN(test_device(dev), "juno_r1_1 device_%d.ini", dev);
	RUN(CHECKF(netm == 6, "%d ETMs", netm), "juno_r1_1 has 6 ETMs");
	return unit_failed ? 1 : 0;
}
