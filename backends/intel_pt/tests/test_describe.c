// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_describe: the family/model/stepping of every CPU row equals the
 * signature its source names (pt_cpus.h, decoded by hand), the SDM's
 * extended family/model rules hold, each key appears exactly when its
 * condition holds, every line keeps the grammar HWT_IOC_DESCRIBE
 * promises (include/hwt/hwt.h), and a short buffer is refused.
 */
#include <stdlib.h>

#include "pt_unit.h"
#include "pt_cpus.h"
#include "../pt_describe.h"

/* The value of key in text, or NULL; "k=v\n" lines. */
static const char *value_of(const char *text, const char *key, char *v,
			    size_t vlen)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');

		if (!nl)
			return NULL;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = (size_t)(nl - p) - klen - 1;

			if (n >= vlen)
				return NULL;
			memcpy(v, p + klen + 1, n);
			v[n] = 0;
			return v;
		}
		p = nl + 1;
	}
	return NULL;
}

/* "kind=" first; each line key=value with [a-z0-9_] keys, printable. */
static int grammar_ok(const char *text)
{
	const char *p = text;

	if (strncmp(text, "kind=", 5))
		return 0;
	while (*p) {
		const char *eq = strchr(p, '='), *nl = strchr(p, '\n'), *q;

		if (!eq || !nl || eq > nl || eq == p || eq - p > 31 ||
		    nl - eq - 1 > 255)
			return 0;
		for (q = p; q < eq; q++)
			if (!((*q >= 'a' && *q <= 'z') ||
			      (*q >= '0' && *q <= '9') || *q == '_'))
				return 0;
		for (q = eq + 1; q < nl; q++)
			if (*q < 0x20 || *q > 0x7e)
				return 0;
		p = nl + 1;
	}
	return 1;
}

static void test_rows(void)
{
	struct hwt_intel_pt_config cfg;
	char text[512], v[64];
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_USER | HWT_INTEL_PT_BRANCH;
	for (i = 0; i < PT_NCPUS; i++) {
		const struct pt_cpu *c = &pt_cpus[i];
		int n = pt_describe(&c->id, &cfg, text, sizeof(text));

		CHECKF(n > 0 && (size_t)n == strlen(text), "%s", c->name);
		CHECKF(grammar_ok(text), "%s: %s", c->name, text);
		CHECKF(value_of(text, "cpu", v, sizeof(v)) &&
		       !strcmp(v, c->want.fms), "%s: cpu=%s, want %s",
		       c->name, v, c->want.fms);
		/* TSC/ART ratio: exactly where leaf 15H gives one. */
		CHECKF(!!value_of(text, "cpuid_15_ebx", v, sizeof(v)) ==
		       !!c->want.num, "%s", c->name);
		if (c->want.num)
			CHECKF(strtoul(v, NULL, 0) == c->want.num &&
			       value_of(text, "cpuid_15_eax", v, sizeof(v)) &&
			       strtoul(v, NULL, 0) == c->want.den,
			       "%s: 15H %s", c->name, v);
		CHECKF(!value_of(text, "mtc_freq", v, sizeof(v)) &&
		       !value_of(text, "addr_filter", v, sizeof(v)),
		       "%s", c->name);
	}
}

static void test_fms(void)
{
	struct pt_fms f;

	/* SDM Vol. 2A CPUID.01H: family 0FH adds the extended family;
	 * families 06H and 0FH extend the model. */
	pt_fms_decode(0x00a20f10, &f);		/* 19/33/0 (AMD Zen 3) */
	CHECK(f.family == 0x19 && f.model == 0x21 && f.stepping == 0);
	pt_fms_decode(0x00000f29, &f);		/* Pentium 4: 15/2/9 */
	CHECK(f.family == 15 && f.model == 2 && f.stepping == 9);
	pt_fms_decode(0x00010551, &f);		/* family 5: no ext model */
	CHECK(f.family == 5 && f.model == 5 && f.stepping == 1);
	pt_fms_decode(0x000b06a2, &f);		/* Raptor Lake 06_BA_2 */
	CHECK(f.family == 6 && f.model == 0xba && f.stepping == 2);
}

static void test_keys(void)
{
	const struct pt_cpu *c = &pt_cpus[1];	/* kabylake */
	struct hwt_intel_pt_config cfg;
	char text[512], v[128];
	int n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_USER | HWT_INTEL_PT_BRANCH |
		    HWT_INTEL_PT_MTC;
	cfg.mtc_period = 3;
	cfg.nranges = 3;
	cfg.ranges[0] = (struct hwt_intel_pt_range){ 0x401000, 0x4010ff,
		HWT_INTEL_PT_RANGE_FILTER, 0 };
	cfg.ranges[1] = (struct hwt_intel_pt_range){ 0x402000, 0x402000,
		HWT_INTEL_PT_RANGE_STOP, 0 };
	cfg.ranges[2] = (struct hwt_intel_pt_range){ 0x7f0000001000,
		0x7f0000001fff, HWT_INTEL_PT_RANGE_FILTER, 0 };
	n = pt_describe(&c->id, &cfg, text, sizeof(text));
	CHECK(n > 0 && grammar_ok(text));
	CHECK(value_of(text, "mtc_freq", v, sizeof(v)) && !strcmp(v, "3"));
	CHECKF(value_of(text, "addr_filter", v, sizeof(v)) &&
	       !strcmp(v, "401000-4010ff,7f0000001000-7f0000001fff"), "%s",
	       v);
	CHECK(value_of(text, "trace_stop", v, sizeof(v)) &&
	      !strcmp(v, "402000-402000"));
	/* Too short: refused, whatever the cut. */
	CHECK(pt_describe(&c->id, &cfg, text, (size_t)n) == -PT_E2BIG);
	CHECK(pt_describe(&c->id, &cfg, text, 8) == -PT_E2BIG);
	CHECK(pt_describe(&c->id, &cfg, text, (size_t)n + 1) == n);
}

int main(void)
{
	RUN(test_rows(), "describe/rows (family/model/stepping, 15H)");
	RUN(test_fms(), "describe/fms (SDM extended family and model)");
	RUN(test_keys(), "describe/keys (mtc_freq, filters, short buffer)");
	return unit_failed ? 1 : 0;
}
