// SPDX-License-Identifier: BSD-2-Clause
/* Backend options and filter ranges into a config blob (bopts.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hwt/hwt_coresight.h"
#include "hwt/hwt_intel_pt.h"
#include "hwt/hwt_soft.h"

#include "bopts.h"
#include "filter.h"
#include "hwt_err.h"

int hwtd_bopts_syntax_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= HWTD_BOPTS_LEN - 1 ||
		    !((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '=' || s[i] == ','))
			return 0;
	return 1;
}

/* One "name[=value]" of a list; value -1 if none given. */
struct opt {
	char name[32];
	long long value;
};

/* Split opts into at most max options; count, or -1 (message in err). */
static int split(const char *opts, struct opt *o, int max, char *err,
		 size_t errlen)
{
	const char *p = opts;
	int n = 0, i;

	if (!opts || !*opts)
		return 0;
	if (!hwtd_bopts_syntax_ok(opts))
		return hwt_errf(err, errlen, "backend options: only a-z, 0-9,"
				" '_', '=' and ',' (at most %d bytes)",
				HWTD_BOPTS_LEN - 1);
	while (*p) {
		size_t len = strcspn(p, ","), nlen = strcspn(p, "=,");
		char *end;

		if (!len || nlen >= sizeof(o[n].name))
			return hwt_errf(err, errlen, "backend options: bad"
					" option '%.*s'", (int)len, p);
		if (n == max)
			return hwt_errf(err, errlen, "backend options: more"
					" than %d", max);
		memcpy(o[n].name, p, nlen);
		o[n].name[nlen] = 0;
		o[n].value = -1;
		if (nlen < len) {
			errno = 0;
			o[n].value = strtoll(p + nlen + 1, &end, 10);
			if (end != p + len || end == p + nlen + 1 || errno ||
			    o[n].value < 0)
				return hwt_errf(err, errlen, "backend options:"
						" '%.*s': the value must be a"
						" decimal number", (int)len,
						p);
		}
		for (i = 0; i < n; i++)
			if (!strcmp(o[i].name, o[n].name))
				return hwt_errf(err, errlen, "backend options:"
						" '%s' given twice",
						o[n].name);
		n++;
		p += len;
		if (*p == ',' && !*++p)
			return hwt_errf(err, errlen, "backend options: a"
					" trailing ','");
	}
	return n;
}

/* A flag option takes no value; a valued one is in [lo, hi]. */
static int want_flag(const struct opt *o, char *err, size_t errlen)
{
	if (o->value >= 0)
		return hwt_errf(err, errlen, "backend option '%s' takes no"
				" value", o->name);
	return 0;
}

static int want_value(const struct opt *o, long long lo, long long hi,
		      int optional, char *err, size_t errlen)
{
	if (o->value < 0 && optional)
		return 0;
	if (o->value < lo || o->value > hi)
		return hwt_errf(err, errlen, "backend option '%s' wants a"
				" value in %lld..%lld", o->name, lo, hi);
	return 0;
}

static int build_soft(const struct opt *o, int nopts,
		      const struct hwtd_range *r, int n,
		      struct hwt_soft_config *c, char *err, size_t errlen)
{
	int i;

	if (n > HWT_SOFT_MAX_RANGES)
		return hwt_errf(err, errlen, "too many address ranges: the"
				" filters need %d, backend 'soft' filters at"
				" most %d", n, HWT_SOFT_MAX_RANGES);
	memset(c, 0, sizeof(*c));
	/* Every trace has a clock: the backend's instruction count. */
	c->flags = HWT_SOFT_TSC;
	for (i = 0; i < nopts; i++) {
		const char *nm = o[i].name;

		if (!strcmp(nm, "tsc")) {
			c->flags |= HWT_SOFT_TSC;
		} else if (!strcmp(nm, "notsc")) {
			c->flags &= ~HWT_SOFT_TSC;
		} else if (!strcmp(nm, "retcomp")) {
			c->flags |= HWT_SOFT_RET_COMPRESSION;
		} else if (!strcmp(nm, "longtnt")) {
			c->flags |= HWT_SOFT_LONG_TNT;
		} else if (!strcmp(nm, "psb")) {
			if (want_value(&o[i], HWT_SOFT_PSB_MIN,
				       HWT_SOFT_PSB_MAX, 0, err, errlen))
				return -1;
			c->psb_period = (__u32)o[i].value;
			continue;
		} else {
			return hwt_errf(err, errlen, "backend 'soft' has no"
					" option '%s' (tsc, notsc, psb=BYTES,"
					" retcomp, longtnt)", nm);
		}
		if (want_flag(&o[i], err, errlen))
			return -1;
	}
	c->nranges = (__u32)n;
	for (i = 0; i < n; i++) {
		c->ranges[i].start = r[i].start;
		c->ranges[i].end = r[i].end - 1;
	}
	return 0;
}

static int build_intel_pt(const struct opt *o, int nopts,
			  const struct hwtd_range *r, int n,
			  struct hwt_intel_pt_config *c, char *err,
			  size_t errlen)
{
	int i;

	if (n > HWT_INTEL_PT_MAX_RANGES)
		return hwt_errf(err, errlen, "too many address ranges: the"
				" filters need %d, backend 'intel_pt' filters"
				" at most %d", n, HWT_INTEL_PT_MAX_RANGES);
	memset(c, 0, sizeof(*c));
	c->flags = HWT_INTEL_PT_DEFAULT_FLAGS;
	for (i = 0; i < nopts; i++) {
		const char *nm = o[i].name;
		int valued = 1;

		if (!strcmp(nm, "mtc")) {
			c->flags |= HWT_INTEL_PT_MTC;
			if (want_value(&o[i], 0, 15, 1, err, errlen))
				return -1;
			c->mtc_period = o[i].value < 0 ? 3 :
					(__u8)o[i].value;
		} else if (!strcmp(nm, "cyc")) {
			c->flags |= HWT_INTEL_PT_CYC;
			if (want_value(&o[i], 0, 15, 1, err, errlen))
				return -1;
			c->cyc_thresh = o[i].value < 0 ? 0 : (__u8)o[i].value;
		} else if (!strcmp(nm, "psb")) {
			c->flags |= HWT_INTEL_PT_PSB_PERIOD;
			if (want_value(&o[i], 0, 15, 0, err, errlen))
				return -1;
			c->psb_period = (__u8)o[i].value;
		} else {
			valued = 0;
			if (!strcmp(nm, "tsc"))
				c->flags |= HWT_INTEL_PT_TSC;
			else if (!strcmp(nm, "noretcomp"))
				c->flags |= HWT_INTEL_PT_NO_RETCOMP;
			else if (!strcmp(nm, "ptwrite"))
				c->flags |= HWT_INTEL_PT_PTWRITE;
			else if (!strcmp(nm, "fup_on_ptw"))
				c->flags |= HWT_INTEL_PT_FUP_ON_PTW;
			else if (!strcmp(nm, "pwr"))
				c->flags |= HWT_INTEL_PT_PWR_EVT;
			else if (!strcmp(nm, "nobranch"))
				c->flags &= ~HWT_INTEL_PT_BRANCH;
			else
				return hwt_errf(err, errlen, "backend"
						" 'intel_pt' has no option"
						" '%s' (tsc, mtc[=N], cyc[=N],"
						" psb=N, noretcomp, ptwrite,"
						" fup_on_ptw, pwr, nobranch)",
						nm);
		}
		if (!valued && want_flag(&o[i], err, errlen))
			return -1;
	}
	c->nranges = (__u32)n;
	for (i = 0; i < n; i++) {
		c->ranges[i].start = r[i].start;
		c->ranges[i].end = r[i].end - 1;
		c->ranges[i].type = HWT_INTEL_PT_RANGE_FILTER;
	}
	return 0;
}

/*
 * coresight: ranges become include ranges, [start, last instruction]
 * (A64 instructions are 4 bytes: the ABI wants both ends 4-aligned);
 * ts: TIMESTAMP, vmid: VMID, sync=N: a sync every 2^N bytes (8..20).
 * The kernel checks them against the unit (TRCIDR*).
 */
static int build_coresight(const struct opt *o, int nopts,
			   const struct hwtd_range *r, int n,
			   struct hwt_coresight_config *c, char *err,
			   size_t errlen)
{
	int i;

	if (n > HWT_CORESIGHT_MAX_RANGES)
		return hwt_errf(err, errlen, "too many address ranges: the"
				" filters need %d, backend 'coresight' filters"
				" at most %d", n, HWT_CORESIGHT_MAX_RANGES);
	memset(c, 0, sizeof(*c));
	c->flags = HWT_CORESIGHT_DEFAULT_FLAGS;
	for (i = 0; i < nopts; i++) {
		const char *nm = o[i].name;

		if (!strcmp(nm, "ts")) {
			c->flags |= HWT_CORESIGHT_TIMESTAMP;
		} else if (!strcmp(nm, "vmid")) {
			c->flags |= HWT_CORESIGHT_VMID;
		} else if (!strcmp(nm, "sync")) {
			if (want_value(&o[i], 8, 20, 0, err, errlen))
				return -1;
			c->sync_period = (__u8)o[i].value;
			continue;
		} else {
			return hwt_errf(err, errlen, "backend 'coresight' has"
					" no option '%s' (ts, vmid, sync=8..20)",
					nm);
		}
		if (want_flag(&o[i], err, errlen))
			return -1;
	}
	c->nranges = (__u32)n;
	for (i = 0; i < n; i++) {
		__u64 last = (r[i].end - 1) & ~3ull;

		if ((r[i].start & 3) || r[i].end <= r[i].start)
			return hwt_errf(err, errlen, "address range %#llx-%#llx"
					" does not start at an A64 instruction",
					(unsigned long long)r[i].start,
					(unsigned long long)r[i].end);
		c->ranges[i].start = r[i].start;
		c->ranges[i].end = last;
		c->ranges[i].type = HWT_CORESIGHT_RANGE_INCLUDE;
	}
	return 0;
}

int hwtd_bopts_build(const char *backend, const char *opts,
		     const struct hwtd_range *r, int n, struct hwt_config *cfg,
		     void *blob, char *err, size_t errlen)
{
	struct opt o[16];
	int nopts;

	nopts = split(opts, o, (int)(sizeof(o) / sizeof(o[0])), err, errlen);
	if (nopts < 0)
		return -1;
	/* Without options the backend's defaults, except soft's clock. */
	if (!nopts && !n && strcmp(backend, HWT_SOFT_BACKEND_NAME))
		return 0;
	memset(cfg, 0, sizeof(*cfg));
	if (!strcmp(backend, HWT_SOFT_BACKEND_NAME)) {
		if (build_soft(o, nopts, r, n, blob, err, errlen))
			return -1;
		cfg->version = HWT_SOFT_CONFIG_VERSION;
		cfg->size = sizeof(struct hwt_soft_config);
	} else if (!strcmp(backend, HWT_INTEL_PT_BACKEND_NAME)) {
		if (build_intel_pt(o, nopts, r, n, blob, err, errlen))
			return -1;
		cfg->version = HWT_INTEL_PT_CONFIG_VERSION;
		cfg->size = sizeof(struct hwt_intel_pt_config);
	} else if (!strcmp(backend, HWT_CORESIGHT_BACKEND_NAME)) {
		if (build_coresight(o, nopts, r, n, blob, err, errlen))
			return -1;
		cfg->version = HWT_CORESIGHT_CONFIG_VERSION;
		cfg->size = sizeof(struct hwt_coresight_config);
	} else if (n) {
		return hwt_errf(err, errlen, "too many address ranges: backend"
				" '%s' has no address-range filters (the"
				" filters need %d)", backend, n);
	} else {
		return hwt_errf(err, errlen, "backend '%s' takes no options",
				backend);
	}
	cfg->data = (uintptr_t)blob;
	return 1;
}
