/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * perf_write.c: a session directory (docs/trace-store.md) as a file-mode
 * perf.data perf's tools read (`hwt export --perf-data`), written to
 * linux tools/perf/Documentation/perf.data-file-format.txt ("the file
 * header", "attributes", "data", the feature sections), the records of
 * uapi linux/perf_event.h and perf's tools/perf/util/intel-pt.h (the
 * intel_pt AUXTRACE_INFO).  docs/perf-data.md "Writing" has the rules.
 */
#ifndef HWT_DECODER_PERF_WRITE_H
#define HWT_DECODER_PERF_WRITE_H

#include <stdint.h>
#include <stdio.h>

/* The intel_pt PMU's type written in the attr, the AUXTRACE_INFO and
 * HEADER_PMU_MAPPINGS (perf matches the three; the kernel gives the PMU a
 * dynamic type, commonly 8 on Intel machines). */
#define HWT_PERF_PT_PMU_TYPE	8u

/* intel_pt PMU format bits (/sys/bus/event_source/devices/intel_pt/format,
 * Intel SDM vol. 3C 33.2.8.2 IA32_RTIT_CTL: the same positions). */
#define HWT_PERF_PT_CFG_PT		(1ull << 0)
#define HWT_PERF_PT_CFG_CYC		(1ull << 1)
#define HWT_PERF_PT_CFG_MTC		(1ull << 9)
#define HWT_PERF_PT_CFG_TSC		(1ull << 10)
#define HWT_PERF_PT_CFG_NORETCOMP	(1ull << 11)
#define HWT_PERF_PT_CFG_BRANCH		(1ull << 13)
#define HWT_PERF_PT_CFG_MTC_PERIOD	(0xfull << 14)

/*
 * Writes the session directory dir to out (a regular file opened for
 * writing, at offset 0: the header is written last, by seeking back).
 * Returns 0 if: every byte was written.
 * Returns -1 with err set if: the session cannot be read (the store
 * reader's message), perf cannot represent it (a stream that is not
 * Intel PT, a CPU-mode session, no stream with a thread), a record would
 * exceed perf's 64 KiB record size, or a write or seek fails (the message
 * names the file offset).
 */
int hwt_perf_write_session(const char *dir, FILE *out, char *err,
			   size_t errlen);

#endif /* HWT_DECODER_PERF_WRITE_H */
