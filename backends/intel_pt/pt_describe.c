// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The describe text of an Intel PT trace: what libipt's struct pt_config
 * wants beside the bytes.  The keys are the ones hwt decode reads
 * (decoder/src/decode.c): cpu, cpuid_15_eax, cpuid_15_ebx, mtc_freq.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#else
#include <stdio.h>
#endif

#include "pt_describe.h"

void pt_fms_decode(uint32_t eax, struct pt_fms *fms)
{
	uint32_t family = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;

	/* SDM Vol. 2A, CPUID EAX=01H: the extended family adds to family
	 * 0FH only; the extended model extends families 06H and 0FH. */
	if (family == 0xf)
		family += (eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model += ((eax >> 16) & 0xf) << 4;
	fms->family = family;
	fms->model = model;
	fms->stepping = eax & 0xf;
}

struct text {
	char *buf;
	size_t len, pos;
	int cut;
};

static void put(struct text *t, const char *key, const char *fmt,
		unsigned long long v1, unsigned long long v2,
		unsigned long long v3)
{
	size_t room = t->pos < t->len ? t->len - t->pos : 0;
	int n;

	if (key) {
		n = snprintf(t->buf + t->pos, room, "%s=", key);
		if (n < 0 || (size_t)n >= room) {
			t->cut = 1;
			return;
		}
		t->pos += (size_t)n;
		room -= (size_t)n;
	}
	n = snprintf(t->buf + t->pos, room, fmt, v1, v2, v3);
	if (n < 0 || (size_t)n >= room) {
		t->cut = 1;
		return;
	}
	t->pos += (size_t)n;
}

static void put_ranges(struct text *t, const struct hwt_intel_pt_config *cfg,
		       uint32_t type, const char *key)
{
	int first = 1;
	uint32_t i;

	for (i = 0; i < cfg->nranges && i < HWT_INTEL_PT_MAX_RANGES; i++) {
		if (cfg->ranges[i].type != type)
			continue;
		put(t, first ? key : NULL, first ? "%llx-%llx" : ",%llx-%llx",
		    cfg->ranges[i].start, cfg->ranges[i].end, 0);
		first = 0;
	}
	if (!first)
		put(t, NULL, "\n", 0, 0, 0);
}

int pt_describe(const struct pt_cpuid *id,
		const struct hwt_intel_pt_config *cfg, char *buf, size_t len)
{
	struct text t = { .buf = buf, .len = len };
	struct pt_fms fms = { 0, 0, 0 };

	if (id->max_leaf >= 1)
		pt_fms_decode(id->leaf1_eax, &fms);
	put(&t, "kind", "intel_pt\n", 0, 0, 0);
	put(&t, "cpu", "%llu/%llu/%llu\n", fms.family, fms.model,
	    fms.stepping);
	if (id->max_leaf >= 0x15 && id->leaf15[0] && id->leaf15[1]) {
		put(&t, "cpuid_15_eax", "%llu\n", id->leaf15[0], 0, 0);
		put(&t, "cpuid_15_ebx", "%llu\n", id->leaf15[1], 0, 0);
	}
	if (cfg->flags & HWT_INTEL_PT_MTC)
		put(&t, "mtc_freq", "%llu\n", cfg->mtc_period, 0, 0);
	put_ranges(&t, cfg, HWT_INTEL_PT_RANGE_FILTER, "addr_filter");
	put_ranges(&t, cfg, HWT_INTEL_PT_RANGE_STOP, "trace_stop");
	if (t.cut)
		return -PT_E2BIG;
	return (int)t.pos;
}
