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
	int id_unused;		/* v2: CORESIGHT_TRACE_ID_UNUSED_FLAG set */
	size_t nregs;
	const char *reg[HWT_PERF_CS_MAX_REGS];	/* lowercase names */
	char val[HWT_PERF_CS_MAX_REGS][24];	/* "0x..." */
};

/*
 * Parses priv (npriv u64 words, hwt_perf_u64) of a cs_etm AUXTRACE_INFO:
 * header version 0 (fixed blocks: ETMv3 4, ETMv4 7 registers), 1
 * (per-CPU NR_TRC_PARAMS) or 2 (v1's blocks; a trace ID word with
 * CORESIGHT_TRACE_ID_UNUSED_FLAG, bit 31, is no ID: the
 * AUX_OUTPUT_HW_ID records give it, hwt_perf_cs_set_trace_id); magics
 * ETMv3 0x3030..., ETMv4 0x4040..., ETE 0x5050....
 * Returns 0 if: every CPU's block was read (*units malloc'd, *n set).
 * Returns -1 with err set if: the version is over 2, the CPU count
 * or a block runs past priv, a magic is unknown, NR_TRC_PARAMS is below
 * the kind's needs or over HWT_PERF_CS_MAX_REGS, or a trace ID is over
 * 0x6f.
 */
int hwt_perf_cs_meta(const uint8_t *priv, size_t npriv,
		     struct hwt_perf_cs_unit **units, size_t *n, char *err,
		     size_t errlen);

/* Sets u's trace ID (and its TRCTRACEIDR / ETMTRACEIDR register) to id,
 * as an AUX_OUTPUT_HW_ID record gives it.
 * Returns 0 if: set; -1 if: id is over 0x6f (reserved, ARM IHI 0029
 * "Trace ID"). */
int hwt_perf_cs_set_trace_id(struct hwt_perf_cs_unit *u, uint32_t id);

/* hwt_cs_stream.param over a struct hwt_perf_cs_unit.
 * Returns the register's value text if: unit has key; NULL if not. */
const char *hwt_perf_cs_param(void *unit, const char *key);

#endif /* HWT_DECODER_PERF_CS_H */
