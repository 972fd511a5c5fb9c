/* SPDX-License-Identifier: BSD-2-Clause */
/* A trace unit's OpenCSD configuration from its registers (cs_config.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cs/cs_config.h"
#include "cs/cs_ini.h"
#include "core/util.h"

/* ------------------------------------------------------------------ */
/* Configuration from registers.                                       */

struct core_map {
	const char *name;
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
};

/* The cores OpenCSD's snapshot reader knows (trc_core_arch_map). */
static const struct core_map cores[] = {
	{ "Cortex-A78", ARCH_V8, profile_CortexA },
	{ "Cortex-A77", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A76", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A75", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A73", ARCH_V8, profile_CortexA },
	{ "Cortex-A72", ARCH_V8, profile_CortexA },
	{ "Cortex-A65", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A57", ARCH_V8, profile_CortexA },
	{ "Cortex-A55", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A53", ARCH_V8, profile_CortexA },
	{ "Cortex-A35", ARCH_V8, profile_CortexA },
	{ "Cortex-A32", ARCH_V8, profile_CortexA },
	{ "Cortex-A17", ARCH_V7, profile_CortexA },
	{ "Cortex-A15", ARCH_V7, profile_CortexA },
	{ "Cortex-A12", ARCH_V7, profile_CortexA },
	{ "Cortex-A9", ARCH_V7, profile_CortexA },
	{ "Cortex-A8", ARCH_V7, profile_CortexA },
	{ "Cortex-A7", ARCH_V7, profile_CortexA },
	{ "Cortex-A5", ARCH_V7, profile_CortexA },
	{ "Cortex-R52", ARCH_V8, profile_CortexR },
	{ "Cortex-R8", ARCH_V7, profile_CortexR },
	{ "Cortex-R7", ARCH_V7, profile_CortexR },
	{ "Cortex-R5", ARCH_V7, profile_CortexR },
	{ "Cortex-R4", ARCH_V7, profile_CortexR },
	{ "Cortex-M33", ARCH_V8, profile_CortexM },
	{ "Cortex-M23", ARCH_V8, profile_CortexM },
	{ "Cortex-M0", ARCH_V7, profile_CortexM },
	{ "Cortex-M0+", ARCH_V7, profile_CortexM },
	{ "Cortex-M3", ARCH_V7, profile_CortexM },
	{ "Cortex-M4", ARCH_V7, profile_CortexM },
};

static ocsd_core_profile_t profile_letter(char c)
{
	switch (c) {
	case 'A': return profile_CortexA;
	case 'R': return profile_CortexR;
	case 'M': return profile_CortexM;
	default: return profile_Unknown;
	}
}

/* Core name to architecture: the table, then "ARMvM[.m]-P" and
 * "ARM-AA64[-P]" patterns.  0 or -1. */
static int core_arch(const char *core, ocsd_arch_version_t *arch,
		     ocsd_core_profile_t *prof)
{
	size_t i;

	for (i = 0; i < HWT_ARRAY_SIZE(cores); i++)
		if (!strcmp(core, cores[i].name)) {
			*arch = cores[i].arch;
			*prof = cores[i].prof;
			return 0;
		}
	if (!strncmp(core, "ARMv", 4) && core[4] >= '7' && core[4] <= '9') {
		int maj = core[4] - '0', min = 0;
		const char *p = core + 5;

		if (*p == '.') {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			min = p[1] - '0';
			p += 2;
		}
		if (*p != '-' || profile_letter(p[1]) == profile_Unknown)
			return -1;
		*prof = profile_letter(p[1]);
		if (maj == 7)
			*arch = ARCH_V7;
		else if (maj == 8 && min < 3)
			*arch = ARCH_V8;
		else if (maj == 8 && min == 3)
			*arch = ARCH_V8r3;
		else
			*arch = ARCH_AA64;
		return 0;
	}
	if (!strncasecmp(core, "ARM-AA64", 8)) {
		*arch = ARCH_AA64;
		*prof = profile_CortexA;
		if (core[8] == '-' && profile_letter(core[9]) != profile_Unknown)
			*prof = profile_letter(core[9]);
		return 0;
	}
	return -1;
}

struct reg_want {
	const char *name;
	uint32_t *dst;
	int required;
	uint32_t def;
};

static int get_regs(const struct reg_want *w, size_t n, hwt_cs_reg_get_fn get,
		    void *arg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s = get(arg, w[i].name);
		uint64_t v;

		if (!s) {
			if (w[i].required) {
				hwt_errf(err, errlen,
					   "missing register %s", w[i].name);
				return -1;
			}
			*w[i].dst = w[i].def;
			continue;
		}
		if (hwt_cs_parse_u64(s, &v) < 0 || v > UINT32_MAX) {
			hwt_errf(err, errlen,
				   "register %s: bad value '%s'", w[i].name, s);
			return -1;
		}
		*w[i].dst = (uint32_t)v;
	}
	return 0;
}

int hwt_cs_unit_config(struct hwt_cs_unit *u, const char *proto_name,
		       const char *core, hwt_cs_reg_get_fn get, void *arg,
		       char *err, size_t errlen)
{
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
	size_t plen = strcspn(proto_name, ".");
	uint32_t traceid;

	memset(&u->cfg, 0, sizeof(u->cfg));
	u->proto = HWT_CS_PROTO_NONE;
	if (!core || core_arch(core, &arch, &prof) < 0) {
		hwt_errf(err, errlen,
			   "unknown core type '%s': cannot tell its architecture",
			   core ? core : "(none)");
		return -1;
	}
#define IS(s) (plen == strlen(s) && !strncasecmp(proto_name, s, plen))
	if (IS("ETM4")) {
		ocsd_etmv4_cfg *c = &u->cfg.etm4;
		const struct reg_want w[] = {
			{ "TRCCONFIGR", &c->reg_configr, 1, 0 },
			{ "TRCTRACEIDR", &c->reg_traceidr, 1, 0 },
			{ "TRCIDR0", &c->reg_idr0, 1, 0 },
			{ "TRCIDR1", &c->reg_idr1, 0, 0x4100F403 },
			{ "TRCIDR2", &c->reg_idr2, 1, 0 },
			{ "TRCIDR8", &c->reg_idr8, 0, 0 },
			{ "TRCIDR9", &c->reg_idr9, 0, 0 },
			{ "TRCIDR10", &c->reg_idr10, 0, 0 },
			{ "TRCIDR11", &c->reg_idr11, 0, 0 },
			{ "TRCIDR12", &c->reg_idr12, 0, 0 },
			{ "TRCIDR13", &c->reg_idr13, 0, 0 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = HWT_CS_PROTO_ETMV4;
		traceid = c->reg_traceidr;
	} else if (IS("ETE")) {
		ocsd_ete_cfg *c = &u->cfg.ete;
		const struct reg_want w[] = {
			{ "TRCCONFIGR", &c->reg_configr, 1, 0 },
			{ "TRCTRACEIDR", &c->reg_traceidr, 1, 0 },
			{ "TRCIDR0", &c->reg_idr0, 1, 0 },
			{ "TRCIDR1", &c->reg_idr1, 0, 0x4100F403 },
			{ "TRCIDR2", &c->reg_idr2, 1, 0 },
			{ "TRCIDR8", &c->reg_idr8, 0, 0 },
			{ "TRCDEVARCH", &c->reg_devarch, 0, 0x47705A13 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = HWT_CS_PROTO_ETE;
		traceid = c->reg_traceidr;
	} else if (IS("ETM3") || IS("PTM1") || IS("PFT1")) {
		/* ocsd_etmv3_cfg and ocsd_ptm_cfg have the same layout. */
		ocsd_etmv3_cfg *c = &u->cfg.etm3;
		const struct reg_want w[] = {
			{ "ETMIDR", &c->reg_idr, 1, 0 },
			{ "ETMCR", &c->reg_ctrl, 1, 0 },
			{ "ETMCCER", &c->reg_ccer, 1, 0 },
			{ "ETMTRACEIDR", &c->reg_trc_id, 1, 0 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = IS("ETM3") ? HWT_CS_PROTO_ETMV3 : HWT_CS_PROTO_PTM;
		traceid = c->reg_trc_id;
	} else {
		hwt_errf(err, errlen, "unsupported trace unit type '%s'",
			   proto_name);
		return -1;
	}
#undef IS
	traceid &= 0x7f;
	/* 0 and 0x70..0x7f are reserved IDs: a decoder cannot use them. */
	if (traceid == 0 || traceid >= 0x70) {
		hwt_errf(err, errlen, "reserved trace ID 0x%x", traceid);
		return -1;
	}
	u->trace_id = (uint8_t)traceid;
	return 0;
}
