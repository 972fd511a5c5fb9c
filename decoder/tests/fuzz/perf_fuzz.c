/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the perf.data reader (src/perf/perf_file.c) and the
 * AUXTRACE_INFO parsers (perf_cs.c, perf_pt.c) over arbitrary bytes.
 * Every AUXTRACE byte the reader hands over is read, so a bound it got
 * wrong is an ASan report; every record also goes through the sideband
 * rows (perf_sideband.c, db/sideband.c) into an in-memory database, and
 * TIME_CONV's fields through the TSC conversion (perf_time.c).  Built and
 * run by tests/fuzz/perf_fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "perf/perf_cs.h"
#include "perf/perf_file.h"
#include "perf/perf_pt.h"
#include "perf/perf_sideband.h"
#include "perf/perf_time.h"
#include "db/sideband.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk {
	const struct hwt_perf_file *f;
	uint64_t sum;
};

static int on_record(void *arg, const struct hwt_perf_rec *r)
{
	struct walk *w = arg;
	uint64_t i;

	if (r->type == HWT_PERF_RECORD_AUXTRACE)
		for (i = 0; i < r->u.auxtrace.size; i++)
			w->sum += r->u.auxtrace.data[i];
	if (r->type == HWT_PERF_RECORD_MMAP || r->type == HWT_PERF_RECORD_MMAP2)
		w->sum += strlen(r->u.mmap.filename);
	if (r->type == HWT_PERF_RECORD_COMM)
		w->sum += strlen(r->u.comm.comm);
	if (r->type == HWT_PERF_RECORD_TIME_CONV) {
		struct hwt_perf_tsc_conv tc = {
			.time_shift = (uint16_t)r->u.time_conv.time_shift,
			.time_mult = (uint32_t)r->u.time_conv.time_mult,
			.time_zero = r->u.time_conv.time_zero,
			.time_cycles = r->u.time_conv.time_cycles,
			.time_mask = r->u.time_conv.time_mask,
			.cap_user_time_short =
				r->u.time_conv.cap_user_time_short,
		};

		w->sum += hwt_perf_tsc_to_time(&tc, w->sum);
		w->sum += hwt_perf_time_to_tsc(&tc, w->sum);
	}
	if (r->type == HWT_PERF_RECORD_AUXTRACE_INFO) {
		struct hwt_perf_cs_unit *u;
		struct hwt_pt_params p;
		size_t n;
		char e[256];

		if (!hwt_perf_cs_meta(r->u.auxtrace_info.priv,
				      r->u.auxtrace_info.npriv, &u, &n, e,
				      sizeof(e)))
			free(u);
		hwt_perf_pt_params(r->u.auxtrace_info.priv,
				   r->u.auxtrace_info.npriv, w->f, &p, e,
				   sizeof(e));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwt_perf_file *f;
	struct walk w;
	char err[512];
	size_t i;

	f = hwt_perf_open_mem(data, size, err, sizeof(err));
	if (!f)
		return 0;
	for (i = 0; i < hwt_perf_nbuild_ids(f); i++)
		(void)strlen(hwt_perf_build_id(f, i)->filename);
	if (hwt_perf_cpuid(f))
		(void)strlen(hwt_perf_cpuid(f));
	memset(&w, 0, sizeof(w));
	w.f = f;
	hwt_perf_records(f, on_record, &w, err, sizeof(err));
	{	/* the sideband rows, as hwt decode writes them */
		struct hwt_sideband *sb;
		sqlite3 *db;

		if (sqlite3_open(":memory:", &db) == SQLITE_OK &&
		    sqlite3_exec(db, "CREATE TABLE threads (id INTEGER PRIMARY "
				 "KEY, pid INTEGER, tid INTEGER); CREATE TABLE "
				 "comms (id INTEGER PRIMARY KEY, comm TEXT);",
				 NULL, NULL, NULL) == SQLITE_OK &&
		    hwt_sideband_schema(db, err, sizeof(err)) == 0) {
			sb = hwt_sideband_open(db, "perf.data", err,
					       sizeof(err));
			if (sb) {
				hwt_perf_sideband(f, sb, err, sizeof(err));
				hwt_sideband_close(sb, err, sizeof(err));
			}
		}
		sqlite3_close(db);
	}
	hwt_perf_close(f);
	return 0;
}
