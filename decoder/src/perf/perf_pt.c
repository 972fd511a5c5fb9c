/* SPDX-License-Identifier: BSD-2-Clause */
/* intel_pt AUXTRACE_INFO -> hwt_pt_params (perf_pt.h), after linux
 * tools/perf/util/intel-pt.h's enum of priv words. */
#include <stdio.h>
#include <string.h>

#include "hwt_err.h"
#include "perf/perf_file.h"
#include "perf/perf_pt.h"

enum {				/* intel-pt.h */
	PT_PMU_TYPE = 0,
	PT_MTC_FREQ_BITS = 11,
	PT_TSC_CTC_N = 12,
	PT_TSC_CTC_D = 13,
	PT_MAX_NONTURBO_RATIO = 15,
	PT_WORDS_NEEDED = 16,
};

int hwt_perf_pt_params(const uint8_t *priv, size_t npriv,
		       const struct hwt_perf_file *f,
		       struct hwt_pt_params *p, char *err, size_t errlen)
{
	uint64_t type, bits, config = 0;
	const char *cpuid;
	unsigned fam, mod, step;
	size_t i;
	int shift = 0;

	memset(p, 0, sizeof(*p));
	if (npriv < PT_WORDS_NEEDED)
		return hwt_errf(err, errlen, "intel_pt AUXTRACE_INFO: %zu "
				"words, %d needed", npriv, PT_WORDS_NEEDED);
	type = hwt_perf_u64(priv, PT_PMU_TYPE);
	for (i = 0; i < hwt_perf_nattrs(f); i++)
		if (hwt_perf_attr(f, i)->type == type) {
			config = hwt_perf_attr(f, i)->config;
			break;
		}
	/* perf: mtc_freq = (config & mtc_freq_bits) >> lowest bit */
	bits = hwt_perf_u64(priv, PT_MTC_FREQ_BITS);
	if (bits) {
		while (!(bits & (1ull << shift)))
			shift++;
		p->mtc_freq = (uint8_t)((config & bits) >> shift);
	}
	/* CPUID.15H: EAX the denominator, EBX the numerator */
	p->cpuid_15_eax = (uint32_t)hwt_perf_u64(priv, PT_TSC_CTC_D);
	p->cpuid_15_ebx = (uint32_t)hwt_perf_u64(priv, PT_TSC_CTC_N);
	p->nom_freq = (uint8_t)hwt_perf_u64(priv, PT_MAX_NONTURBO_RATIO);
	cpuid = hwt_perf_cpuid(f);
	if (cpuid && !strncmp(cpuid, "GenuineIntel,", 13) &&
	    sscanf(cpuid + 13, "%u,%u,%u", &fam, &mod, &step) == 3) {
		p->family = fam;
		p->model = mod;
		p->stepping = step;
	}
	return 0;
}
