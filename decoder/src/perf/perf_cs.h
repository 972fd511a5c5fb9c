/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_cs.c: the cs_etm PERF_RECORD_AUXTRACE_INFO metadata (linux
 * tools/perf/util/cs-etm.h, as perf and simpleperf write it) -> one trace
 * unit per CPU: its kind (etm4, ete, etm3), trace ID and registers, in the
 * form the CoreSight front end reads (hwt_cs_stream.param).
 */
#ifndef HWT_DECODER_PERF_CS_H
#define HWT_DECODER_PERF_CS_H

#include <stddef.h>
#include <stdint.h>

#define HWT_PERF_CS_MAX_REGS 12

struct hwt_perf_cs_unit {
	uint32_t cpu;
	const char *kind;	/* "etm4", "ete", "etm3" */
	uint32_t trace_id;
	size_t nregs;
	const char *reg[HWT_PERF_CS_MAX_REGS];	/* lowercase names */
	char val[HWT_PERF_CS_MAX_REGS][24];	/* "0x..." */
};

/*
 * Parses priv (npriv u64 words, hwt_perf_u64) of a cs_etm AUXTRACE_INFO:
 * header version 0 (fixed blocks: ETMv3 4, ETMv4 7 registers) or 1
 * (per-CPU NR_TRC_PARAMS); magics ETMv3 0x3030..., ETMv4 0x4040...,
 * ETE 0x5050....
 * Returns 0 if: every CPU's block was read (*units malloc'd, *n set).
 * Returns -1 with err set if: the version is not 0 or 1 (version 2 takes
 * trace IDs from AUX_OUTPUT_HW_ID records: not read yet), the CPU count
 * or a block runs past priv, a magic is unknown, NR_TRC_PARAMS is below
 * the kind's needs or over HWT_PERF_CS_MAX_REGS, or a trace ID is over
 * 0x6f.
 */
int hwt_perf_cs_meta(const uint8_t *priv, size_t npriv,
		     struct hwt_perf_cs_unit **units, size_t *n, char *err,
		     size_t errlen);

/* hwt_cs_stream.param over a struct hwt_perf_cs_unit.
 * Returns the register's value text if: unit has key; NULL if not. */
const char *hwt_perf_cs_param(void *unit, const char *key);

#endif /* HWT_DECODER_PERF_CS_H */
