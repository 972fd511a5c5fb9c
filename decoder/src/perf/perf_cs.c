/* SPDX-License-Identifier: BSD-2-Clause */
/* cs_etm AUXTRACE_INFO metadata (perf_cs.h), after linux
 * tools/perf/util/cs-etm.h: the global header (CS_HEADER_VERSION,
 * CS_PMU_TYPE_CPUS, CS_ETM_SNAPSHOT) then one block per CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt_err.h"
#include "core/util.h"
#include "perf/perf_cs.h"
#include "perf/perf_file.h"

#define MAGIC_ETMV3	0x3030303030303030ull
#define MAGIC_ETMV4	0x4040404040404040ull
#define MAGIC_ETE	0x5050505050505050ull

/* cs-etm.h enums: the registers after magic, cpu (v0) or magic, cpu,
 * nr_trc_params (v1), in order. */
static const char *const etmv3_regs[] = {
	"etmcr", "etmtraceidr", "etmccer", "etmidr",
};
static const char *const etmv4_regs[] = {
	"trcconfigr", "trctraceidr", "trcidr0", "trcidr1", "trcidr2",
	"trcidr8", "trcauthstatus", "ts_source",
};
static const char *const ete_regs[] = {
	"trcconfigr", "trctraceidr", "trcidr0", "trcidr1", "trcidr2",
	"trcidr8", "trcauthstatus", "trcdevarch", "ts_source",
};

int hwt_perf_cs_meta(const uint8_t *priv, size_t npriv,
		     struct hwt_perf_cs_unit **units, size_t *n, char *err,
		     size_t errlen)
{
	struct hwt_perf_cs_unit *u = NULL;
	uint64_t version, ncpus, i;
	size_t pos;

	*units = NULL;
	*n = 0;
	if (npriv < 3)
		return hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: %zu words, "
				"the header needs 3", npriv);
	version = hwt_perf_u64(priv, 0);
	if (version > 2)
		return hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO header "
				"version %llu: not read yet (0, 1 and 2 are)",
				(unsigned long long)version);
	ncpus = hwt_perf_u64(priv, 1) & 0xffffffffu;	/* CS_PMU_TYPE_CPUS */
	if (!ncpus || ncpus > (npriv - 3) / 3)
		return hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: %llu CPUs "
				"in %zu words", (unsigned long long)ncpus, npriv);
	u = hwt_xrealloc(NULL, (size_t)ncpus * sizeof(*u));
	memset(u, 0, (size_t)ncpus * sizeof(*u));
	pos = 3;
	for (i = 0; i < ncpus; i++) {
		const char *const *names;
		size_t nnames, nparams, need, k;
		uint64_t magic;

		if (npriv - pos < 2)
			goto short_block;
		magic = hwt_perf_u64(priv, pos);
		if (magic == MAGIC_ETMV3) {
			names = etmv3_regs;
			nnames = 4;
			u[i].kind = "etm3";
			need = 4;
		} else if (magic == MAGIC_ETMV4) {
			names = etmv4_regs;
			nnames = 8;
			u[i].kind = "etm4";
			need = 7;
		} else if (magic == MAGIC_ETE) {
			names = ete_regs;
			nnames = 9;
			u[i].kind = "ete";
			need = 8;
		} else {
			hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: CPU block "
				 "%llu (word %zu): unknown magic 0x%llx",
				 (unsigned long long)i, pos,
				 (unsigned long long)magic);
			goto fail;
		}
		u[i].cpu = (uint32_t)hwt_perf_u64(priv, pos + 1);
		if (version == 0) {
			nparams = need;
			pos += 2;
		} else {
			if (npriv - pos < 3)
				goto short_block;
			nparams = (size_t)hwt_perf_u64(priv, pos + 2);
			pos += 3;
			if (nparams < need || nparams > HWT_PERF_CS_MAX_REGS) {
				hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: "
					 "CPU %u: %zu parameters, %s needs "
					 "%zu..%d", u[i].cpu, nparams,
					 u[i].kind, need, HWT_PERF_CS_MAX_REGS);
				goto fail;
			}
		}
		if (npriv - pos < nparams)
			goto short_block;
		for (k = 0; k < nparams && k < nnames; k++) {
			u[i].reg[k] = names[k];
			snprintf(u[i].val[k], sizeof(u[i].val[k]), "0x%llx",
				 (unsigned long long)hwt_perf_u64(priv, pos + k));
		}
		u[i].nregs = k;
		u[i].trace_id = (uint32_t)hwt_perf_u64(priv, pos + 1) & 0x7f;
		/* coresight-pmu.h CORESIGHT_TRACE_ID_UNUSED_FLAG (v2) */
		u[i].id_unused = version >= 2 &&
				 (hwt_perf_u64(priv, pos + 1) >> 31 & 1);
		if (u[i].trace_id > 0x6f && !u[i].id_unused) {
			hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: CPU %u: "
				 "trace ID 0x%x is reserved", u[i].cpu,
				 u[i].trace_id);
			goto fail;
		}
		pos += nparams;
	}
	*units = u;
	*n = (size_t)ncpus;
	return 0;
short_block:
	hwt_errf(err, errlen, "cs_etm AUXTRACE_INFO: CPU block %llu runs past "
		 "the record's %zu words", (unsigned long long)i, npriv);
fail:
	free(u);
	return -1;
}

int hwt_perf_cs_set_trace_id(struct hwt_perf_cs_unit *u, uint32_t id)
{
	size_t i;

	if (id > 0x6f)
		return -1;
	u->trace_id = id;
	u->id_unused = 0;
	for (i = 0; i < u->nregs; i++)
		if (!strcmp(u->reg[i], "trctraceidr") ||
		    !strcmp(u->reg[i], "etmtraceidr"))
			snprintf(u->val[i], sizeof(u->val[i]), "0x%x", id);
	return 0;
}

const char *hwt_perf_cs_param(void *unit, const char *key)
{
	const struct hwt_perf_cs_unit *u = unit;
	size_t i;

	for (i = 0; i < u->nregs; i++)
		if (!strcmp(u->reg[i], key))
			return u->val[i];
	return NULL;
}
