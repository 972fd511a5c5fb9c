/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The perf.data reader (src/perf/perf_file.c) and the cs_etm metadata
 * (perf_cs.c) on simpleperf's perf_etm.data (corpus): the records perf
 * report -D lists, the build ids, the 8 ETMv4 units; then the file cut at
 * every byte and with every header/attr byte damaged, each copy in a
 * buffer of its exact size (built with ASan/UBSan: an over-read fails):
 * never a crash, a cut inside the data section names the record and its
 * file offset, and the records before it are all seen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf/perf_cs.h"
#include "perf/perf_file.h"
#include "perf/perf_pt.h"
#include "perf/perf_time.h"

#define CORPUS "/../shared/corpus/coresight/simpleperf-etm/perf_etm.data"
#define CORPUS_PT \
	"/../shared/corpus/intel_pt/perf-intel_pt-4.14/perf.data.intel_pt-4.14"

static int failed;

static void verdict(int ok, const char *name, const char *why)
{
	printf("%s: perf-file/%s%s%s\n", ok ? "PASS" : "FAIL", name,
	       ok ? "" : ": ", ok ? "" : why);
	failed |= !ok;
}

struct counts {
	size_t n, mmap, mmap2, comm, exit_, itrace, aux, auxtrace, info;
	size_t aux_cpu;		/* AUX records with a CPU (< 8) */
	size_t sw, sw_out, sample, time_conv;
	struct hwt_perf_rec first_sample, tc;
	uint64_t last_offset;
	const uint8_t *priv;
	size_t npriv;
	uint64_t trace_bytes, sum;
};

static int count(void *arg, const struct hwt_perf_rec *r)
{
	struct counts *c = arg;

	c->n++;
	c->last_offset = r->file_offset;
	switch (r->type) {
	case HWT_PERF_RECORD_MMAP: c->mmap++; break;
	case HWT_PERF_RECORD_MMAP2: c->mmap2++; break;
	case HWT_PERF_RECORD_COMM: c->comm++; break;
	case HWT_PERF_RECORD_EXIT: c->exit_++; break;
	case HWT_PERF_RECORD_ITRACE_START: c->itrace++; break;
	case HWT_PERF_RECORD_SWITCH_CPU_WIDE:
		c->sw++;
		c->sw_out += !!(r->misc & HWT_PERF_MISC_SWITCH_OUT);
		break;
	case HWT_PERF_RECORD_SAMPLE:
		if (!c->sample++)
			c->first_sample = *r;
		break;
	case HWT_PERF_RECORD_TIME_CONV:
		c->time_conv++;
		c->tc = *r;
		break;
	case HWT_PERF_RECORD_AUX:
		c->aux++;
		c->aux_cpu += r->sid.has_cpu && r->sid.cpu < 8;
		break;
	case HWT_PERF_RECORD_AUXTRACE: {
		uint64_t i;

		c->auxtrace++;
		c->trace_bytes += r->u.auxtrace.size;
		/* touch every byte: an over-read is ASan's */
		for (i = 0; i < r->u.auxtrace.size; i++)
			c->sum += r->u.auxtrace.data[i];
		break;
	}
	case HWT_PERF_RECORD_AUXTRACE_INFO:
		c->info++;
		c->priv = r->u.auxtrace_info.priv;
		c->npriv = r->u.auxtrace_info.npriv;
		break;
	}
	return 0;
}

static uint8_t *load(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *p;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	p = malloc(n > 0 ? (size_t)n : 1);
	if (!p || fread(p, 1, (size_t)n, fp) != (size_t)n) {
		fclose(fp);
		free(p);
		return NULL;
	}
	fclose(fp);
	*size = (size_t)n;
	return p;
}

/* Opens and walks a copy of data[0, n) in a buffer of exactly n bytes
 * (byte `flip` xored with 0xff unless it is n or more).  Returns the
 * walk's result (-2: not opened) and the records seen in *c. */
static int walk(const uint8_t *data, size_t n, size_t flip,
		struct counts *c, char *err, size_t errlen)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct hwt_perf_file *f;
	int rc = -2;

	memcpy(copy, data, n);
	if (flip < n)
		copy[flip] ^= 0xff;
	memset(c, 0, sizeof(*c));
	f = hwt_perf_open_mem(copy, n, err, errlen);
	if (f) {
		rc = hwt_perf_records(f, count, c, err, errlen);
		if (c->priv) {	/* the metadata parser on damaged words */
			struct hwt_perf_cs_unit *u;
			size_t nu;
			char e[256];

			if (hwt_perf_cs_meta(c->priv, c->npriv, &u, &nu, e,
					     sizeof(e)) == 0)
				free(u);
		}
		hwt_perf_close(f);
	}
	c->priv = NULL;
	free(copy);
	return rc;
}

int main(void)
{
	const char *root = getenv("ROOT");
	char path[1024], err[512], why[2048];
	struct hwt_perf_cs_unit *u = NULL;
	struct hwt_perf_file *f;
	struct counts c, full;
	size_t size, nu = 0, i, n;
	uint8_t *data;
	int ok, rc;

	snprintf(path, sizeof(path), "%s%s", root ? root : "../..", CORPUS);
	data = load(path, &size);
	if (!data) {
		verdict(0, "corpus", path);
		return 1;
	}

	/* The whole file: what perf report -D lists. */
	f = hwt_perf_open_mem(data, size, err, sizeof(err));
	if (!f) {
		verdict(0, "open", err);
		return 1;
	}
	memset(&full, 0, sizeof(full));
	rc = hwt_perf_records(f, count, &full, err, sizeof(err));
	snprintf(why, sizeof(why), "rc %d (%s), %zu MMAP2 %zu COMM %zu EXIT "
		 "%zu ITRACE_START %zu AUX %zu AUXTRACE (%llu bytes) %zu INFO",
		 rc, rc ? err : "", full.mmap2, full.comm, full.exit_,
		 full.itrace, full.aux, full.auxtrace,
		 (unsigned long long)full.trace_bytes, full.info);
	verdict(rc == 0 && full.mmap2 == 59 && full.comm == 2 &&
		full.exit_ == 1 && full.itrace == 2 && full.aux == 4 &&
		full.auxtrace == 1 && full.trace_bytes == 0x180 &&
		full.info == 1, "records-as-perf-report-D", why);
	ok = hwt_perf_nbuild_ids(f) == 8 && hwt_perf_nattrs(f) == 1 &&
	     hwt_perf_attr(f, 0)->type == 8;
	for (i = 0; ok && i < hwt_perf_nbuild_ids(f); i++)
		if (!strcmp(hwt_perf_build_id(f, i)->filename,
			    "/data/local/tmp/etm_test_loop"))
			ok = !strcmp(hwt_perf_build_id(f, i)->hex,
				     "0c9a20bf9c009d0e4e8bbf9fad0300ae00000000");
	verdict(ok, "build-ids-and-attrs", "expected 8 build ids (etm_test_loop "
		"0c9a20bf...), one attr of PMU type 8");
	rc = hwt_perf_cs_meta(full.priv, full.npriv, &u, &nu, err, sizeof(err));
	ok = rc == 0 && nu == 8;
	for (i = 0; ok && i < nu; i++)
		ok = u[i].cpu == i && !strcmp(u[i].kind, "etm4") &&
		     u[i].trace_id == 0x10 + 2 * i &&
		     !strcmp(hwt_perf_cs_param(&u[i], "trcidr0"), "0x28000ea1");
	verdict(ok, "cs-etm-metadata-v1", rc ? err : "8 ETMv4 units, trace "
		"IDs 0x10..0x1e, TRCIDR0 0x28000ea1");
	free(u);
	hwt_perf_close(f);

	/* Header version 0 (fixed ETMv4 block) and an ETE block (v1,
	 * TRCDEVARCH), as perf's cs-etm.h lays them out. */
	{
		uint64_t v0[3 + 9] = { 0, (8ull << 32) | 1, 0,
			0x4040404040404040ull, 3, 0x40, 0x22, 0x28000ea1,
			0x4100f422, 0x20001088, 0, 0x8c };
		uint64_t ete[3 + 3 + 9] = { 1, (9ull << 32) | 1, 0,
			0x5050505050505050ull, 5, 9, 0x40, 0x2a, 0x28000ea1,
			0x4100f422, 0x20001088, 0, 0x8c, 0x47705a13, 0 };
		uint64_t bad[3 + 3 + 7], v2[3 + 3 + 9];

		rc = hwt_perf_cs_meta((const uint8_t *)v0, 12, &u, &nu, err,
				      sizeof(err));
		ok = rc == 0 && nu == 1 && u[0].cpu == 3 &&
		     !strcmp(u[0].kind, "etm4") && u[0].trace_id == 0x22 &&
		     !strcmp(hwt_perf_cs_param(&u[0], "trcauthstatus"), "0x8c");
		if (!rc)
			free(u);
		verdict(ok, "cs-etm-metadata-v0", rc ? err : "CPU 3 ETMv4 0x22");
		rc = hwt_perf_cs_meta((const uint8_t *)ete, 15, &u, &nu, err,
				      sizeof(err));
		ok = rc == 0 && nu == 1 && !strcmp(u[0].kind, "ete") &&
		     u[0].trace_id == 0x2a &&
		     !strcmp(hwt_perf_cs_param(&u[0], "trcdevarch"),
			     "0x47705a13");
		if (!rc)
			free(u);
		verdict(ok, "cs-etm-metadata-ete", rc ? err : "CPU 5 ETE 0x2a");
		/* ETE with 7 parameters (no TRCDEVARCH), a block past the
		 * end, version 3: refused. */
		memcpy(bad, ete, sizeof(bad));
		bad[5] = 7;
		ok = hwt_perf_cs_meta((const uint8_t *)bad, 13, &u, &nu, err,
				      sizeof(err)) < 0 && strstr(err, "ete needs");
		ok = ok && hwt_perf_cs_meta((const uint8_t *)ete, 14, &u, &nu,
					    err, sizeof(err)) < 0 &&
		     strstr(err, "runs past");
		bad[0] = 3;
		ok = ok && hwt_perf_cs_meta((const uint8_t *)bad, 13, &u, &nu,
					    err, sizeof(err)) < 0 &&
		     strstr(err, "version 3");
		verdict(ok, "cs-etm-metadata-refused", err);
		/* Version 2: v1's blocks; a trace ID word with bit 31
		 * (CORESIGHT_TRACE_ID_UNUSED_FLAG) is no ID until an
		 * AUX_OUTPUT_HW_ID gives one. */
		memcpy(v2, ete, sizeof(v2));
		v2[0] = 2;
		v2[7] = 0x25 | 1ull << 31;
		rc = hwt_perf_cs_meta((const uint8_t *)v2, 15, &u, &nu, err,
				      sizeof(err));
		ok = rc == 0 && nu == 1 && u[0].id_unused &&
		     u[0].trace_id == 0x25 &&
		     hwt_perf_cs_set_trace_id(&u[0], 0x70) < 0 &&
		     hwt_perf_cs_set_trace_id(&u[0], 0x1e) == 0 &&
		     !u[0].id_unused && u[0].trace_id == 0x1e &&
		     !strcmp(hwt_perf_cs_param(&u[0], "trctraceidr"), "0x1e");
		if (!rc)
			free(u);
		verdict(ok, "cs-etm-metadata-v2-unused-id", rc ? err : "0x1e");
	}

	/* Intel PT: perf 4.14's file (three events, PERF_SAMPLE_IDENTIFIER,
	 * sample_id layouts that differ): perf report -D's counts, the
	 * front end's parameters from intel_pt's AUXTRACE_INFO, HEADER_CPUID
	 * and the intel_pt attr's config 0x300e601. */
	snprintf(path, sizeof(path), "%s%s", root ? root : "../..", CORPUS_PT);
	{
		size_t psize;
		uint8_t *pdata = load(path, &psize);
		struct hwt_pt_params p;

		f = pdata ? hwt_perf_open_mem(pdata, psize, err, sizeof(err))
			  : NULL;
		memset(&c, 0, sizeof(c));
		rc = f ? hwt_perf_records(f, count, &c, err, sizeof(err)) : -1;
		snprintf(why, sizeof(why), "%s: rc %d (%s), %zu MMAP %zu MMAP2 "
			 "%zu COMM %zu AUX (%zu with CPU) %zu AUXTRACE", path, rc,
			 rc ? err : "", c.mmap, c.mmap2, c.comm, c.aux,
			 c.aux_cpu, c.auxtrace);
		verdict(rc == 0 && c.mmap == 56 && c.mmap2 == 10 &&
			c.comm == 3 && c.exit_ == 1 && c.itrace == 2 &&
			c.aux == 10 && c.aux_cpu == 10 && c.auxtrace == 2 &&
			c.info == 1, "pt-records-as-perf-report-D", why);
		/* perf report -D: 152 SWITCH_CPU_WIDE (76 OUT), 15 SAMPLE,
		 * the first in the file at 0x2820 "PERF_RECORD_SAMPLE(IP,
		 * 0x1): 3174/3174: 0xffffffffb96071f4 period: 1" at
		 * 641257924901,
		 * TIME_CONV shift 31, mult 1789569706, zero
		 * 18446744041015200657 (the old 24-byte record). */
		snprintf(why, sizeof(why), "%zu SWITCH_CPU_WIDE (%zu OUT), %zu "
			 "SAMPLE (first at 0x%llx ip 0x%llx tid %u period %llu "
			 "time %llu), %zu TIME_CONV (%llu %llu %llu short %d)",
			 c.sw, c.sw_out, c.sample,
			 (unsigned long long)c.first_sample.file_offset,
			 (unsigned long long)c.first_sample.u.sample.ip,
			 c.first_sample.u.sample.tid,
			 (unsigned long long)c.first_sample.u.sample.period,
			 (unsigned long long)c.first_sample.u.sample.time,
			 c.time_conv,
			 (unsigned long long)c.tc.u.time_conv.time_shift,
			 (unsigned long long)c.tc.u.time_conv.time_mult,
			 (unsigned long long)c.tc.u.time_conv.time_zero,
			 c.tc.u.time_conv.has_short);
		verdict(c.sw == 152 && c.sw_out == 76 && c.sample == 15 &&
			c.first_sample.file_offset == 0x2820 &&
			c.first_sample.u.sample.ip == 0xffffffffb96071f4ull &&
			c.first_sample.u.sample.tid == 3174 &&
			c.first_sample.u.sample.period == 1 &&
			c.first_sample.u.sample.time == 641257924901ull &&
			c.time_conv == 1 && c.tc.u.time_conv.time_shift == 31 &&
			c.tc.u.time_conv.time_mult == 1789569706 &&
			c.tc.u.time_conv.time_zero == 18446744041015200657ull &&
			!c.tc.u.time_conv.has_short,
			"pt-switch-sample-time-conv", why);
		/* A SAMPLE, a SWITCH_CPU_WIDE and the TIME_CONV record made
		 * too short for their fields (header.size 16): the walk
		 * stops there naming it and its offset, every record
		 * before it seen. */
		if (pdata) {
			static const struct { uint64_t off; const char *name; }
			bad[] = { { 0x6440, "PERF_RECORD_SAMPLE at file offset "
				    "0x6440" },
				  { 0x21b0, "PERF_RECORD_SWITCH_CPU_WIDE at file "
				    "offset 0x21b0" },
				  { 0x2e8, "PERF_RECORD_TIME_CONV at file offset "
				    "0x2e8" } };
			struct counts d;
			size_t k;
			uint8_t *copy = malloc(psize);

			ok = copy != NULL;
			for (k = 0; ok && k < 3; k++) {
				struct hwt_perf_file *g;

				memcpy(copy, pdata, psize);
				copy[bad[k].off + 6] = 16;
				copy[bad[k].off + 7] = 0;
				memset(&d, 0, sizeof(d));
				g = hwt_perf_open_mem(copy, psize, err,
						      sizeof(err));
				rc = g ? hwt_perf_records(g, count, &d, err,
							  sizeof(err)) : -2;
				ok = rc == -1 && strstr(err, bad[k].name) &&
				     d.last_offset < bad[k].off;
				if (!ok)
					snprintf(why, sizeof(why), "%s: rc %d "
						 "(%s), last record 0x%llx",
						 bad[k].name, rc, err,
						 (unsigned long long)d.last_offset);
				hwt_perf_close(g);
			}
			free(copy);
			verdict(ok, "pt-short-new-records-named", why);
		}
		rc = f && c.priv ? hwt_perf_pt_params(c.priv, c.npriv, f, &p,
						      err, sizeof(err)) : -1;
		snprintf(why, sizeof(why), "rc %d: mtc_freq %u nom_freq %u "
			 "cpuid_15 %u/%u cpu %u/%u/%u", rc, p.mtc_freq,
			 p.nom_freq, p.cpuid_15_eax, p.cpuid_15_ebx, p.family,
			 p.model, p.stepping);
		verdict(rc == 0 && p.mtc_freq == 3 && p.nom_freq == 12 &&
			p.cpuid_15_eax == 2 && p.cpuid_15_ebx == 100 &&
			p.family == 6 && p.model == 78 && p.stepping == 3,
			"pt-params", why);
		hwt_perf_close(f);
		free(pdata);
	}

	/* TSC -> perf time (perf's tsc.c): a 2.4 GHz TSC gets shift 31 and
	 * mult floor(1e9 * 2^31 / 2.4e9); perf 6.1 printed 1.789569706 and
	 * 1.789570122 for TSCs 0x100000000 and 0x100000000 + 1000 with
	 * them (perf_export.sh's file); cap_user_time_short widens a
	 * 16-bit counter that wrapped past time_cycles; the inverse. */
	{
		struct hwt_perf_tsc_conv tc, sh;

		ok = hwt_perf_tsc_conv_for_hz(2400000000ull, &tc) == 0 &&
		     tc.time_shift == 31 && tc.time_mult == 894784853u &&
		     hwt_perf_tsc_to_time(&tc, 0x100000000ull) == 1789569706 &&
		     hwt_perf_tsc_to_time(&tc, 0x100000000ull + 1000) ==
		     1789570122 &&
		     hwt_perf_time_to_tsc(&tc, 1789569706) <= 0x100000000ull &&
		     hwt_perf_tsc_to_time(&tc, hwt_perf_time_to_tsc(&tc,
				1789569706)) == 1789569706 &&
		     hwt_perf_tsc_conv_for_hz(0, &tc) < 0;
		memset(&sh, 0, sizeof(sh));
		sh.time_mult = 1;
		sh.cap_user_time_short = 1;
		sh.time_cycles = 0xfff0;
		sh.time_mask = 0xffff;
		ok = ok && hwt_perf_tsc_to_time(&sh, 5) == 0x10005;
		verdict(ok, "tsc-to-perf-time", "2.4 GHz: shift 31 mult "
			"894784853, 0x100000000 -> 1789569706; short: 5 after "
			"0xfff0 -> 0x10005");
	}

	/* CLOCK_MONOTONIC -> perf time by ties (perf_write.c's sideband
	 * times), by hand: ties (1000, 5000), (1100, 5400), (1200, 5400):
	 * 1050 is half way, 5200; 1099 -> 5396 (floor of 99 * 4); 1150
	 * lies between two ties of one t: 5400; before the first tie and
	 * after the last, the first-to-last rate (400 / 200 = 2): 990 ->
	 * 4980, 1300 -> 5600; ties 1 ns apart over 10 ns round down (1005,
	 * 1009 -> 5000); one tie: rate 1, never below 0; none or a
	 * non-positive mono: 0; distances near 2^64 (128-bit products):
	 * (1, 1) to (2^63 - 1, 2^64 - 1) at 2^63 - 2 is 2^64 - 4. */
	{
		struct hwt_perf_tie t[] = {
			{ 1000, 5000 }, { 1100, 5400 }, { 1200, 5400 } };
		struct hwt_perf_tie ns[] = { { 1000, 5000 }, { 1010, 5001 } };
		struct hwt_perf_tie one[] = { { 100, 7 } };

		ok = hwt_perf_tie_time(t, 3, 1050) == 5200 &&
		     hwt_perf_tie_time(t, 3, 1000) == 5000 &&
		     hwt_perf_tie_time(t, 3, 1150) == 5400 &&
		     hwt_perf_tie_time(t, 3, 990) == 4980 &&
		     hwt_perf_tie_time(t, 3, 1300) == 5600 &&
		     hwt_perf_tie_time(t, 2, 1099) == 5396 &&
		     hwt_perf_tie_time(ns, 2, 1005) == 5000 &&
		     hwt_perf_tie_time(ns, 2, 1009) == 5000 &&
		     hwt_perf_tie_time(one, 1, 150) == 57 &&
		     hwt_perf_tie_time(one, 1, 50) == 0 &&
		     hwt_perf_tie_time(one, 1, 94) == 1 &&
		     hwt_perf_tie_time(t, 0, 1050) == 0 &&
		     hwt_perf_tie_time(t, 3, 0) == 0 &&
		     hwt_perf_tie_time((struct hwt_perf_tie[]){
			{ 1, 1 }, { INT64_MAX, UINT64_MAX } }, 2,
			INT64_MAX - 1) == UINT64_MAX - 3;
		verdict(ok, "mono-to-perf-time-by-ties", "interpolated, kept "
			"below the next tie, extrapolated at the first-to-last "
			"rate, 0 without ties");
	}

	/* Pipe mode (format.txt "Pipe-mode data"): the 16-byte header, a
	 * HEADER_ATTR record (attr 0 with its ids), the data section. */
	{
		uint64_t aoff, doff, dsz, ioff, isz;
		uint32_t asize;
		uint8_t *pipe;
		size_t psize, pos = 0;

		memcpy(&aoff, data + 24, 8);
		memcpy(&doff, data + 40, 8);
		memcpy(&dsz, data + 48, 8);
		memcpy(&asize, data + aoff + 4, 4);
		memcpy(&ioff, data + aoff + 0x80, 8);	/* attr_size 0x90 */
		memcpy(&isz, data + aoff + 0x88, 8);
		psize = 16 + 8 + asize + isz + dsz;
		pipe = malloc(psize);
		memcpy(pipe, "PERFILE2\x10\0\0\0\0\0\0\0", 16);
		pos = 16;
		pipe[pos] = 64;
		memset(pipe + pos + 1, 0, 5);
		pipe[pos + 6] = (uint8_t)(8 + asize + isz);
		pipe[pos + 7] = (uint8_t)((8 + asize + isz) >> 8);
		memcpy(pipe + pos + 8, data + aoff, asize);
		memcpy(pipe + pos + 8 + asize, data + ioff, isz);
		pos += 8 + asize + isz;
		memcpy(pipe + pos, data + doff, dsz);
		rc = walk(pipe, psize, psize, &c, err, sizeof(err));
		snprintf(why, sizeof(why), "rc %d (%s), %zu records (%zu + 1 "
			 "expected), %zu AUX with CPU", rc, rc ? err : "", c.n,
			 full.n, c.aux_cpu);
		verdict(rc == 0 && c.n == full.n + 1 && c.aux == 4 &&
			c.aux_cpu == 4 && c.trace_bytes == 0x180, "pipe-mode",
			why);
		ok = 1;
		for (n = 0; n < psize && ok; n++) {
			rc = walk(pipe, n, psize, &c, err, sizeof(err));
			ok = n < 16 ? rc == -2 : rc == -1 || c.n <= full.n + 1;
			if (!ok)
				snprintf(why, sizeof(why), "pipe cut at %zu: "
					 "rc %d", n, rc);
		}
		verdict(ok, "pipe-cut-at-every-byte", why);
		free(pipe);
	}

	/* Cut at every byte. */
	ok = 1;
	for (n = 0; n <= size && ok; n++) {
		rc = walk(data, n, size, &c, err, sizeof(err));
		if (n == size)
			ok = rc == 0 && c.n == full.n;
		else if (rc == 0)	/* only a cut past the data section */
			ok = c.n == full.n;
		if (!ok)
			snprintf(why, sizeof(why), "cut at %zu: rc %d, %zu of "
				 "%zu records (%s)", n, rc, c.n, full.n, err);
	}
	verdict(ok, "cut-at-every-byte", why);

	/* A cut inside the ITRACE_START at 0x6b0: named, all before seen. */
	rc = walk(data, 0x6c0, size, &c, err, sizeof(err));
	snprintf(why, sizeof(why), "rc %d, %zu records, last at 0x%llx: %s",
		 rc, c.n, (unsigned long long)c.last_offset, err);
	verdict(rc == -1 && strstr(err, "ITRACE_START") &&
		strstr(err, "0x6b0") && c.last_offset == 0x408 &&
		c.n > 0, "cut-names-record-and-offset", why);

	/* Every byte of the header and attrs damaged; 4000 random flips. */
	ok = 1;
	for (i = 0; i < 0x138; i++)
		walk(data, size, i, &c, err, sizeof(err));
	srand(18);
	for (i = 0; i < 4000; i++)
		walk(data, size, (size_t)rand() % size, &c, err, sizeof(err));
	verdict(ok, "damaged-bytes-no-crash", "");
	free(data);
	return failed;
}
