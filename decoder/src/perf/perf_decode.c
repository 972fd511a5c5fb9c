/* SPDX-License-Identifier: BSD-2-Clause */
/* perf.data -> CoreSight front end -> core (perf_decode.h). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "hwt/decode.h"
#include "hwt_err.h"
#include "core/core.h"
#include "core/util.h"
#include "cs/cs_frontend.h"
#include "pt/pt_frontend.h"
#include "image/image.h"
#include "image/symtab.h"
#include "perf/perf_cs.h"
#include "perf/perf_decode.h"
#include "perf/perf_file.h"
#include "perf/perf_pt.h"
#include "perf/perf_time.h"

#define PER_THREAD_CPU	0xffffffffu
#define PER_THREAD_ID	0x1000u

struct buf {			/* an AUXTRACE record's trace */
	uint32_t cpu, tid;
	uint64_t offset, size, file_offset;
	const uint8_t *data;
};

struct aux {			/* a PERF_RECORD_AUX */
	uint32_t cpu, tid;
	int has_cpu, has_tid;
	uint64_t offset, size, flags, file_offset;
};

struct map {
	uint32_t pid;
	uint64_t addr, len, pgoff;
	const char *path;
	char build_id[41];
	size_t seq;		/* file order among all records */
	int found;		/* 0: not looked for, 1: file, -1: none */
	char *file;		/* the binary found */
	long sec;		/* its section in pd->all, -1: none */
};

struct mapkey {			/* a map by pid (index_processes()) */
	uint32_t pid;
	size_t seq, idx;	/* file order; index into pd->maps */
};

struct pexec {			/* a COMM with PERF_RECORD_MISC_COMM_EXEC */
	uint32_t pid;
	int has_time;
	uint64_t time;		/* perf time (sample_id) */
	size_t seq;
};

struct pfork {			/* a FORK of a new process */
	uint32_t pid, ppid;
	size_t seq;
};

struct pimage {			/* a process's image after its gen-th exec */
	uint32_t pid;
	size_t gen;
	struct hwt_image *img;
};

struct hwid {			/* a PERF_RECORD_AUX_OUTPUT_HW_ID */
	uint32_t cpu;
	int has_cpu;
	uint64_t hw_id, file_offset;
};

struct swin {			/* a thread switched in on a CPU at time */
	uint32_t cpu;
	uint64_t time;		/* perf time (sample_id) */
	int64_t pid, tid;
	size_t seq;		/* file order */
};

struct note {			/* a gap on every stream */
	uint64_t at_end;	/* 1: after the trace, 0: before */
	char *msg;
};

struct hwt_perf_decode {
	struct hwt_perf_file *f;
	const struct hwt_decode_opts *opts;
	struct hwt_perf_cs_unit *units;
	size_t nunits;
	int have_info;
	uint32_t info_type;
	struct hwt_pt_params pt;	/* Intel PT */
	/* Intel PT's TSC -> perf time: AUXTRACE_INFO's time_shift,
	 * time_mult, time_zero when its cap_user_time_zero is set (perf's
	 * intel-pt.c), TIME_CONV's time_cycles/time_mask with
	 * cap_user_time_short */
	struct hwt_perf_tsc_conv tc;
	int have_tc;
	struct buf *bufs;
	size_t nbufs;
	struct aux *auxs;
	size_t nauxs;
	struct map *maps;
	size_t nmaps;
	size_t nrecs;		/* records seen (their seq) */
	struct pexec *execs;
	size_t nexecs;
	struct pfork *forks;
	size_t nforks;
	struct pimage *pimgs;	/* built on first use */
	size_t npimgs;
	uint32_t *mpcpus;	/* CPUs whose threads' images differ */
	size_t nmpcpus;
	int mp_done, mp_thread;
	struct mapkey *mapidx;	/* index_processes() */
	uint32_t *spids;
	size_t nspids;
	int indexed;
	/* with such CPUs: the image hwt_perf_decode_images filled holds
	 * every process's binaries (the core's symbols); tview is the
	 * traced processes' part of it, what the other streams decode
	 * against, and each process's image (pimgs) is a view too */
	struct hwt_image *all, *tview;
	struct hwid *hwids;
	size_t nhwids;
	struct note *notes;
	size_t nnotes;
	struct swin *swins;	/* file order (perf's: by time) */
	size_t nswins;
	uint32_t pids[16];	/* traced processes (ITRACE_START) */
	uint32_t tids[16];
	uint32_t pid_cpu[16];
	size_t npids;
	char err[512];
};

/* Records a message as a gap on every stream (at_end: after the trace,
 * else before it) and warns unless quiet.  Returns nothing. */
static void note(struct hwt_perf_decode *pd, int at_end, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns a malloc'd copy of the formatted message. */
static char *vfmt(const char *f, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), f, ap);
	return hwt_xstrdup(msg);
}

static void note(struct hwt_perf_decode *pd, int at_end, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vfmt(fmt, ap);
	va_end(ap);
	pd->notes = hwt_xrealloc(pd->notes, (pd->nnotes + 1) *
				 sizeof(*pd->notes));
	pd->notes[pd->nnotes].at_end = (uint64_t)at_end;
	pd->notes[pd->nnotes++].msg = msg;
	if (!pd->opts->quiet)
		fprintf(stderr, "hwt: warning: %s\n", msg);
}

/* id's n bytes as lowercase hex in out ("" for n = 0).
 * Returns nothing. */
static void hex(char *out, size_t outlen, const uint8_t *id, size_t n)
{
	size_t i;

	out[0] = 0;
	for (i = 0; i < n && 2 * i + 2 < outlen; i++)
		snprintf(out + 2 * i, 3, "%02x", id[i]);
}

/* Notes that thread pid/tid (u32 as the record has them) runs on cpu
 * from perf time on.  Returns nothing. */
static void add_swin(struct hwt_perf_decode *pd, uint32_t cpu, uint64_t time,
		     uint32_t pid, uint32_t tid)
{
	struct swin *w;

	pd->swins = hwt_xrealloc(pd->swins, (pd->nswins + 1) *
				 sizeof(*pd->swins));
	w = &pd->swins[pd->nswins++];
	w->cpu = cpu;
	w->time = time;
	w->pid = (int32_t)pid;
	w->tid = (int32_t)tid;
	w->seq = pd->nswins - 1;
}

/*
 * Keeps what the decode needs of one record.
 * Returns 0 if: kept or not needed.
 * Returns -1 with pd->err set if: the AUXTRACE_INFO is not cs_etm, is
 * damaged or repeated.
 */
static int on_record(void *arg, const struct hwt_perf_rec *r)
{
	struct hwt_perf_decode *pd = arg;
	size_t seq = pd->nrecs++;

	switch (r->type) {
	case HWT_PERF_RECORD_AUXTRACE_INFO:
		if (pd->have_info)
			return hwt_errf(pd->err, sizeof(pd->err),
					"PERF_RECORD_AUXTRACE_INFO at file "
					"offset 0x%llx: a second one",
					(unsigned long long)r->file_offset);
		pd->have_info = 1;
		pd->info_type = r->u.auxtrace_info.type;
		if (pd->info_type == HWT_PERF_AUXTRACE_INTEL_PT) {
			char e[512];

			if (hwt_perf_pt_params(r->u.auxtrace_info.priv,
					       r->u.auxtrace_info.npriv, pd->f,
					       &pd->pt, e, sizeof(e)) == 0) {
				/* intel-pt.h: TIME_SHIFT 1, TIME_MULT 2,
				 * TIME_ZERO 3, CAP_USER_TIME_ZERO 4 (the
				 * 16 words are there: checked above) */
				const uint8_t *pv = r->u.auxtrace_info.priv;

				pd->tc.time_shift = (uint16_t)hwt_perf_u64(pv,
									   1);
				pd->tc.time_mult = (uint32_t)hwt_perf_u64(pv,
									  2);
				pd->tc.time_zero = hwt_perf_u64(pv, 3);
				pd->have_tc = hwt_perf_u64(pv, 4) != 0 &&
					      pd->tc.time_mult != 0;
				return 0;
			}
			return hwt_errf(pd->err, sizeof(pd->err),
					"PERF_RECORD_AUXTRACE_INFO at file "
					"offset 0x%llx: %s",
					(unsigned long long)r->file_offset, e);
		}
		if (pd->info_type != HWT_PERF_AUXTRACE_CS_ETM)
			return 0;
		if (hwt_perf_cs_meta(r->u.auxtrace_info.priv,
				     r->u.auxtrace_info.npriv, &pd->units,
				     &pd->nunits, pd->err,
				     sizeof(pd->err)) < 0) {
			char e[512];

			snprintf(e, sizeof(e), "%s", pd->err);
			return hwt_errf(pd->err, sizeof(pd->err),
					"PERF_RECORD_AUXTRACE_INFO at file "
					"offset 0x%llx: %s",
					(unsigned long long)r->file_offset, e);
		}
		return 0;
	case HWT_PERF_RECORD_AUXTRACE: {
		struct buf *b;

		pd->bufs = hwt_xrealloc(pd->bufs, (pd->nbufs + 1) *
					sizeof(*pd->bufs));
		b = &pd->bufs[pd->nbufs++];
		b->cpu = r->u.auxtrace.cpu;
		b->tid = r->u.auxtrace.tid;
		b->offset = r->u.auxtrace.offset;
		b->size = r->u.auxtrace.size;
		b->data = r->u.auxtrace.data;
		b->file_offset = r->file_offset;
		return 0;
	}
	case HWT_PERF_RECORD_AUX: {
		struct aux *a;

		pd->auxs = hwt_xrealloc(pd->auxs, (pd->nauxs + 1) *
					sizeof(*pd->auxs));
		a = &pd->auxs[pd->nauxs++];
		a->cpu = r->sid.cpu;
		a->has_cpu = r->sid.has_cpu;
		a->tid = r->sid.tid;
		a->has_tid = r->sid.has_tid;
		a->offset = r->u.aux.aux_offset;
		a->size = r->u.aux.aux_size;
		a->flags = r->u.aux.flags;
		a->file_offset = r->file_offset;
		return 0;
	}
	case HWT_PERF_RECORD_ITRACE_START: {
		size_t i;

		if (r->sid.has_time && r->sid.has_cpu)
			add_swin(pd, r->sid.cpu, r->sid.time,
				 r->u.itrace_start.pid, r->u.itrace_start.tid);

		for (i = 0; i < pd->npids; i++)
			if (pd->pids[i] == r->u.itrace_start.pid &&
			    pd->tids[i] == r->u.itrace_start.tid &&
			    pd->pid_cpu[i] == (r->sid.has_cpu ? r->sid.cpu :
					       PER_THREAD_CPU))
				return 0;
		if (pd->npids < 16) {
			pd->pids[pd->npids] = r->u.itrace_start.pid;
			pd->tids[pd->npids] = r->u.itrace_start.tid;
			pd->pid_cpu[pd->npids++] = r->sid.has_cpu ?
				r->sid.cpu : PER_THREAD_CPU;
		}
		return 0;
	}
	case HWT_PERF_RECORD_AUX_OUTPUT_HW_ID: {
		struct hwid *h;

		pd->hwids = hwt_xrealloc(pd->hwids, (pd->nhwids + 1) *
					 sizeof(*pd->hwids));
		h = &pd->hwids[pd->nhwids++];
		h->cpu = r->sid.cpu;
		h->has_cpu = r->sid.has_cpu;
		h->hw_id = r->u.aux_output_hw_id.hw_id;
		h->file_offset = r->file_offset;
		return 0;
	}
	case HWT_PERF_RECORD_SWITCH:
	case HWT_PERF_RECORD_SWITCH_CPU_WIDE: {
		/* uapi: the sample_id names the thread switched; an OUT of
		 * SWITCH_CPU_WIDE names the next in next_prev (a SWITCH OUT
		 * names none: its next thread's IN does) */
		int out = !!(r->misc & HWT_PERF_MISC_SWITCH_OUT);

		if (!r->sid.has_time || !r->sid.has_cpu ||
		    (out && r->type == HWT_PERF_RECORD_SWITCH))
			return 0;
		add_swin(pd, r->sid.cpu, r->sid.time,
			 out ? r->u.switch_cpu_wide.next_prev_pid : r->sid.pid,
			 out ? r->u.switch_cpu_wide.next_prev_tid : r->sid.tid);
		return 0;
	}
	case HWT_PERF_RECORD_COMM:
		/* uapi: misc COMM_EXEC when the comm changed by exec */
		if (r->misc & HWT_PERF_MISC_COMM_EXEC) {
			struct pexec *e;

			pd->execs = hwt_xrealloc(pd->execs, (pd->nexecs + 1) *
						 sizeof(*pd->execs));
			e = &pd->execs[pd->nexecs++];
			e->pid = r->u.comm.pid;
			e->has_time = r->sid.has_time;
			e->time = r->sid.time;
			e->seq = seq;
		}
		return 0;
	case HWT_PERF_RECORD_FORK:
		if (r->u.fork.pid != r->u.fork.ppid) {	/* a new process */
			struct pfork *k;

			pd->forks = hwt_xrealloc(pd->forks, (pd->nforks + 1) *
						 sizeof(*pd->forks));
			k = &pd->forks[pd->nforks++];
			k->pid = r->u.fork.pid;
			k->ppid = r->u.fork.ppid;
			k->seq = seq;
		}
		return 0;
	case HWT_PERF_RECORD_TIME_CONV:
		if (r->u.time_conv.has_short &&
		    r->u.time_conv.cap_user_time_short) {
			pd->tc.time_cycles = r->u.time_conv.time_cycles;
			pd->tc.time_mask = r->u.time_conv.time_mask;
			pd->tc.cap_user_time_short = 1;
		}
		return 0;
	case HWT_PERF_RECORD_LOST:
		note(pd, 1, "perf.data: PERF_RECORD_LOST at file offset "
		     "0x%llx: %llu sideband records lost",
		     (unsigned long long)r->file_offset,
		     (unsigned long long)r->u.lost.lost);
		return 0;
	case HWT_PERF_RECORD_MMAP:
	case HWT_PERF_RECORD_MMAP2: {
		struct map *m;

		if ((r->misc & HWT_PERF_MISC_CPUMODE_MASK) !=
		    HWT_PERF_MISC_USER)
			return 0;	/* kernel maps: never this host's */
		if (r->type == HWT_PERF_RECORD_MMAP2 ?
		    !(r->u.mmap.prot & PROT_EXEC) :
		    (r->misc & HWT_PERF_MISC_MMAP_DATA))
			return 0;
		pd->maps = hwt_xrealloc(pd->maps, (pd->nmaps + 1) *
					sizeof(*pd->maps));
		m = &pd->maps[pd->nmaps++];
		m->pid = r->u.mmap.pid;
		m->addr = r->u.mmap.addr;
		m->len = r->u.mmap.len;
		m->pgoff = r->u.mmap.pgoff;
		m->path = r->u.mmap.filename;
		m->seq = seq;
		m->found = 0;
		m->file = NULL;
		m->sec = -1;
		hex(m->build_id, sizeof(m->build_id), r->u.mmap.build_id,
		    r->u.mmap.build_id ? r->u.mmap.build_id_size : 0);
		return 0;
	}
	}
	return 0;
}

/* cs_etm v2: each PERF_RECORD_AUX_OUTPUT_HW_ID gives its CPU's trace ID
 * (coresight-pmu.h: hw_id [7:0] the ID, [63:60] the version, 0), as
 * perf's cs_etm__process_aux_output_hw_id; a record perf would refuse (no
 * CPU in its sample_id, another version, a reserved ID, a CPU without a
 * unit, an ID that changes) is a gap naming it, its CPU keeps the
 * metadata's ID.  Returns nothing. */
static void apply_hw_ids(struct hwt_perf_decode *pd)
{
	size_t i, k;

	for (i = 0; i < pd->nhwids; i++) {
		const struct hwid *h = &pd->hwids[i];
		uint32_t id = (uint32_t)(h->hw_id & 0xff);
		unsigned ver = (unsigned)(h->hw_id >> 60);
		const char *why = NULL;

		for (k = 0; k < pd->nunits; k++)
			if (pd->units[k].cpu == h->cpu)
				break;
		if (!h->has_cpu)
			why = "no CPU in its sample_id";
		else if (ver != 0)
			why = "hw_id version not 0";
		else if (k == pd->nunits)
			why = "no trace unit of that CPU in AUXTRACE_INFO";
		else if (!pd->units[k].id_unused &&
			 pd->units[k].trace_id != id)
			why = "the CPU's trace ID changes";
		else if (hwt_perf_cs_set_trace_id(&pd->units[k], id) < 0)
			why = "reserved trace ID";
		if (why)
			note(pd, 0, "PERF_RECORD_AUX_OUTPUT_HW_ID at file offset "
			     "0x%llx (CPU %u, hw_id 0x%llx): %s",
			     (unsigned long long)h->file_offset, h->cpu,
			     (unsigned long long)h->hw_id, why);
	}
}

struct hwt_perf_decode *hwt_perf_decode_open(const char *path,
					     const struct hwt_decode_opts *opts,
					     char *err, size_t errlen)
{
	struct hwt_perf_decode *pd;
	char e[512];
	int rc;

	pd = hwt_xrealloc(NULL, sizeof(*pd));
	memset(pd, 0, sizeof(*pd));
	pd->opts = opts;
	pd->f = hwt_perf_open(path, err, errlen);
	if (!pd->f)
		goto fail;
	if (*hwt_perf_warning(pd->f))
		note(pd, 1, "%s: %s", path, hwt_perf_warning(pd->f));
	rc = hwt_perf_records(pd->f, on_record, pd, e, sizeof(e));
	if (rc < 0 && pd->err[0]) {
		hwt_errf(err, errlen, "%s: %s", path, pd->err);
		goto fail;
	}
	if (rc < 0)	/* a damaged record: keep what came before */
		note(pd, 1, "%s: %s (the records before it are decoded)",
		     path, e);
	apply_hw_ids(pd);
	if (!pd->have_info) {
		hwt_errf(err, errlen, "%s: no PERF_RECORD_AUXTRACE_INFO: no "
			 "AUX trace (recorded with -e cs_etm//u or "
			 "intel_pt//u?)", path);
		goto fail;
	}
	if (pd->info_type != HWT_PERF_AUXTRACE_CS_ETM &&
	    pd->info_type != HWT_PERF_AUXTRACE_INTEL_PT) {
		hwt_errf(err, errlen, "%s: AUX trace type %u: only Intel PT "
			 "(1) and CoreSight (cs_etm, 3) are decoded", path,
			 pd->info_type);
		goto fail;
	}
	return pd;
fail:
	hwt_perf_decode_close(pd);
	return NULL;
}

struct hwt_perf_file *hwt_perf_decode_file(struct hwt_perf_decode *pd)
{
	return pd->f;
}

void hwt_perf_decode_close(struct hwt_perf_decode *pd)
{
	size_t i;

	if (!pd)
		return;
	for (i = 0; i < pd->nnotes; i++)
		free(pd->notes[i].msg);
	free(pd->notes);
	free(pd->units);
	free(pd->bufs);
	free(pd->auxs);
	for (i = 0; i < pd->nmaps; i++)
		free(pd->maps[i].file);
	free(pd->maps);
	free(pd->execs);
	free(pd->forks);
	for (i = 0; i < pd->npimgs; i++)
		hwt_image_free(pd->pimgs[i].img);
	free(pd->pimgs);
	free(pd->mpcpus);
	free(pd->mapidx);
	free(pd->spids);
	hwt_image_free(pd->tview);
	free(pd->hwids);
	free(pd->swins);
	hwt_perf_close(pd->f);
	free(pd);
}

/* ---- binaries ---- */

/* A recorded id and a file's: perf pads a 16-byte id to 20 with zeros.
 * Returns 1 if: they are the same id. */
static int same_build_id(const char *recorded, const char *file)
{
	size_t n = strlen(file);

	if (!*recorded || !n)
		return 0;
	if (strncmp(recorded, file, n))
		return 0;
	return strspn(recorded + n, "0") == strlen(recorded + n);
}

/* Returns 1 if: path is an ELF file whose build id is want (any ELF
 * if want is ""); 0 if not. */
static int candidate(const char *path, const char *want)
{
	struct hwt_elf elf;
	struct stat sb;
	char e[256];
	int ok;

	if (stat(path, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	memset(&elf, 0, sizeof(elf));
	if (hwt_elf_load(path, &elf, e, sizeof(e)) != 1)
		return 0;
	ok = !*want || same_build_id(want, elf.build_id);
	hwt_elf_fini(&elf);
	return ok;
}

/*
 * The file for a mapping: buildid_dir/xx/rest[/elf] (rest with and
 * without perf's zero padding), symfs/path, path.
 * Returns 1 with out set if: one was found; 0 if not.
 */
static int find_binary(const struct hwt_decode_opts *o, const char *path,
		       const char *bid, char *out, size_t outlen)
{
	char trimmed[41];
	size_t n;

	snprintf(trimmed, sizeof(trimmed), "%s", bid);
	n = strlen(trimmed);
	while (n > 32 && trimmed[n - 1] == '0' && trimmed[n - 2] == '0')
		trimmed[n -= 2] = 0;
	if (o->buildid_dir && *bid) {
		const char *ids[2] = { bid, trimmed };
		int i;

		for (i = 0; i < 2; i++) {
			snprintf(out, outlen, "%s/%.2s/%s/elf", o->buildid_dir,
				 ids[i], ids[i] + 2);
			if (candidate(out, bid))
				return 1;
			snprintf(out, outlen, "%s/%.2s/%s", o->buildid_dir,
				 ids[i], ids[i] + 2);
			if (candidate(out, bid))
				return 1;
		}
	}
	if (o->symfs) {
		snprintf(out, outlen, "%s/%s", o->symfs, path);
		if (candidate(out, bid))
			return 1;
	}
	snprintf(out, outlen, "%s", path);
	return candidate(out, bid);
}

/* Returns 1 if: pid started tracing (ITRACE_START) or none is known;
 * 0 if not. */
static int traced_pid(const struct hwt_perf_decode *pd, uint32_t pid)
{
	size_t i;

	if (!pd->npids)
		return 1;
	for (i = 0; i < pd->npids; i++)
		if (pd->pids[i] == pid)
			return 1;
	return 0;
}

/*
 * The per-CPU Intel PT CPUs whose switch-ins name two processes or more
 * (in perf's time: the split needs it): their threads decode each
 * against its own process's image (docs/perf-data.md); so do per-thread
 * buffers of two processes or more (pd->mp_thread).  Fills pd->mpcpus
 * once.  Returns nothing.
 */
static void find_mp_cpus(struct hwt_perf_decode *pd)
{
	struct { uint32_t cpu; int64_t pid; } *seen = NULL;
	size_t nseen = 0, i, k;

	if (pd->mp_done)
		return;
	pd->mp_done = 1;
	if (pd->info_type != HWT_PERF_AUXTRACE_INTEL_PT)
		return;
	/* per-thread buffers of two processes or more (ITRACE_START) */
	for (i = 1; i < pd->npids; i++)
		for (k = 0; k < i; k++)
			if (pd->pid_cpu[i] == PER_THREAD_CPU &&
			    pd->pid_cpu[k] == PER_THREAD_CPU &&
			    pd->pids[i] != pd->pids[k])
				pd->mp_thread = 1;
	if (!pd->have_tc)
		return;
	for (i = 0; i < pd->nswins; i++) {
		const struct swin *w = &pd->swins[i];

		if (w->pid <= 0)	/* idle, or no process */
			continue;
		for (k = 0; k < nseen && seen[k].cpu != w->cpu; k++)
			;
		if (k == nseen) {
			seen = hwt_xrealloc(seen, (nseen + 1) * sizeof(*seen));
			seen[nseen].cpu = w->cpu;
			seen[nseen++].pid = w->pid;
		} else if (seen[k].pid != w->pid && seen[k].pid >= 0) {
			seen[k].pid = -1;	/* a second process */
			pd->mpcpus = hwt_xrealloc(pd->mpcpus, (pd->nmpcpus + 1) *
						  sizeof(*pd->mpcpus));
			pd->mpcpus[pd->nmpcpus++] = w->cpu;
		}
	}
	free(seen);
}

/* Returns 1 if: cpu's threads decode against their processes' images
 * (find_mp_cpus); 0 if not. */
static int mp_cpu(const struct hwt_perf_decode *pd, uint32_t cpu)
{
	size_t i;

	for (i = 0; i < pd->nmpcpus; i++)
		if (pd->mpcpus[i] == cpu)
			return 1;
	return 0;
}

/* qsort order of u32 values.  Returns <0, 0, >0. */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* qsort order of execs and forks: by pid, then file order.
 * Returns <0, 0, >0. */
static int cmp_exec(const void *a, const void *b)
{
	const struct pexec *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_fork(const void *a, const void *b)
{
	const struct pfork *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* qsort order of map keys: by pid, then file order.
 * Returns <0, 0, >0. */
static int cmp_mapkey(const void *a, const void *b)
{
	const struct mapkey *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Returns the first index of pid in the n execs (sorted), n if none. */
static size_t first_exec(const struct hwt_perf_decode *pd, uint32_t pid)
{
	size_t lo = 0, hi = pd->nexecs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pd->execs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Returns the first index of pid in the forks (sorted), nforks if none. */
static size_t first_fork(const struct hwt_perf_decode *pd, uint32_t pid)
{
	size_t lo = 0, hi = pd->nforks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pd->forks[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Returns the first place of pid in pd->mapidx, nmaps if none. */
static size_t first_map(const struct hwt_perf_decode *pd, uint32_t pid)
{
	size_t lo = 0, hi = pd->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pd->mapidx[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The lookups of per-process images, once (find_mp_cpus() first): execs,
 * forks and maps by pid, and pd->spids: the processes of the threads
 * switched in on mp_cpu() CPUs and their FORK parents (a child without
 * exec runs its parent's maps), 16 up at most, sorted and unique.
 * Returns nothing.
 */
static void index_processes(struct hwt_perf_decode *pd)
{
	size_t i, n = 0, k;

	if (pd->indexed)
		return;
	pd->indexed = 1;
	if (pd->nexecs)
		qsort(pd->execs, pd->nexecs, sizeof(*pd->execs), cmp_exec);
	if (pd->nforks)
		qsort(pd->forks, pd->nforks, sizeof(*pd->forks), cmp_fork);
	pd->mapidx = hwt_xrealloc(NULL, (pd->nmaps + 1) *
				  sizeof(*pd->mapidx));
	for (i = 0; i < pd->nmaps; i++) {
		pd->mapidx[i].pid = pd->maps[i].pid;
		pd->mapidx[i].seq = pd->maps[i].seq;
		pd->mapidx[i].idx = i;
	}
	if (pd->nmaps)
		qsort(pd->mapidx, pd->nmaps, sizeof(*pd->mapidx), cmp_mapkey);
	if (!pd->nmpcpus)
		return;
	pd->spids = hwt_xrealloc(NULL, (pd->nswins + 1) * sizeof(*pd->spids));
	for (i = 0; i < pd->nswins; i++)
		if (pd->swins[i].pid > 0 && pd->swins[i].pid <= UINT32_MAX &&
		    mp_cpu(pd, pd->swins[i].cpu))
			pd->spids[n++] = (uint32_t)pd->swins[i].pid;
	qsort(pd->spids, n, sizeof(*pd->spids), cmp_u32);
	for (i = k = 0; i < n; i++)	/* unique */
		if (!k || pd->spids[k - 1] != pd->spids[i])
			pd->spids[k++] = pd->spids[i];
	n = k;
	/* and their parents: 16 more entries each at most */
	pd->spids = hwt_xrealloc(pd->spids, (n * 17 + 1) *
				 sizeof(*pd->spids));
	for (i = 0, k = n; i < n; i++) {
		uint32_t p = pd->spids[i];
		int depth;

		for (depth = 0; depth < 16; depth++) {
			size_t f = first_fork(pd, p);

			if (f == pd->nforks || pd->forks[f].pid != p)
				break;
			p = pd->forks[f].ppid;
			pd->spids[k++] = p;
		}
	}
	qsort(pd->spids, k, sizeof(*pd->spids), cmp_u32);
	for (i = n = 0; i < k; i++)
		if (!n || pd->spids[n - 1] != pd->spids[i])
			pd->spids[n++] = pd->spids[i];
	pd->nspids = n;
}

/* Returns 1 if: pid is in pd->spids (index_processes()); 0 if not. */
static int split_process(const struct hwt_perf_decode *pd, uint32_t pid)
{
	return pd->nspids && bsearch(&pid, pd->spids, pd->nspids,
				     sizeof(*pd->spids), cmp_u32) != NULL;
}

/*
 * Finds m's binary once (m->found, m->file): its build id from the
 * record or HEADER_BUILD_ID (by file name), then find_binary().  Notes
 * a special mapping or a binary not found (a gap on every stream).
 * Returns 1 if: m->file is its binary; 0 if: none.
 */
static int resolve_map(struct hwt_perf_decode *pd, struct map *m)
{
	char file[PATH_MAX + 128];
	size_t j;

	if (m->found)
		return m->found > 0;
	m->found = -1;
	if (!*m->path)
		return 0;
	if (!m->build_id[0])	/* HEADER_BUILD_ID by file name */
		for (j = 0; j < hwt_perf_nbuild_ids(pd->f); j++) {
			const struct hwt_perf_build_id *b =
				hwt_perf_build_id(pd->f, j);

			if (!strcmp(b->filename, m->path)) {
				snprintf(m->build_id, sizeof(m->build_id),
					 "%s", b->hex);
				break;
			}
		}
	if (m->path[0] == '[') {	/* [vdso], [kernel.kallsyms] */
		note(pd, 0, "%s at 0x%llx: not decoded (special mapping of "
		     "the recording machine)", m->path,
		     (unsigned long long)m->addr);
		return 0;
	}
	if (!find_binary(pd->opts, m->path, m->build_id, file,
			 sizeof(file))) {
		note(pd, 0, "binary %s (build id %s) at 0x%llx not found "
		     "(--buildid-dir, --symfs): its code is not decoded",
		     m->path, m->build_id[0] ? m->build_id : "unknown",
		     (unsigned long long)m->addr);
		return 0;
	}
	m->file = hwt_xstrdup(file);
	m->found = 1;
	return 1;
}

/* Adds m (its binary found) to img (m->sec: its section there); a
 * failure is noted.  Returns nothing. */
static void add_map(struct hwt_perf_decode *pd, struct hwt_image *img,
		    struct map *m)
{
	char e[512];

	/* Recorded as the path the trace ran (perf's dso name, what the
	 * profiles of hwt export name), opened where found.  Intel PT:
	 * libipt's image section cache opens the file by the section's
	 * name, so it is the file found. */
	if (hwt_image_add_mapping_at(img, m->file,
				     pd->info_type ==
				     HWT_PERF_AUXTRACE_INTEL_PT ?
				     m->file : m->path, m->addr, m->len,
				     m->pgoff, e, sizeof(e)) < 0) {
		note(pd, 0, "binary %s: %s", m->file, e);
		return;
	}
	m->sec = (long)hwt_image_nsections(img) - 1;
}

int hwt_perf_decode_images(struct hwt_perf_decode *pd, struct hwt_image *img)
{
	size_t i;

	find_mp_cpus(pd);
	index_processes(pd);
	pd->all = img;
	for (i = 0; i < pd->nmaps; i++) {
		struct map *m = &pd->maps[i];
		int traced = traced_pid(pd, m->pid);

		/* the processes of split threads: into img too (their
		 * binaries and symbols), their own images views of it
		 * (pid_image()); a missing binary is a gap all the same */
		if (!traced && !split_process(pd, m->pid))
			continue;
		if (resolve_map(pd, m))
			add_map(pd, img, m);
	}
	if (!pd->nmpcpus && !pd->mp_thread)
		return 0;
	pd->tview = hwt_image_alloc();
	for (i = 0; i < pd->nmaps; i++)
		if (pd->maps[i].sec >= 0 && traced_pid(pd, pd->maps[i].pid))
			hwt_image_add_view(pd->tview, hwt_image_section(img,
					   (size_t)pd->maps[i].sec));
	return 0;
}

/* Returns how many execs (COMM_EXEC) of pid come before file order seq. */
static size_t gen_at_seq(const struct hwt_perf_decode *pd, uint32_t pid,
			 size_t seq)
{
	size_t i, n = 0;

	for (i = first_exec(pd, pid); i < pd->nexecs &&
	     pd->execs[i].pid == pid; i++)
		if (pd->execs[i].seq < seq)
			n++;
	return n;
}

/*
 * How many execs of pid happened at or before perf time t (an exec
 * without a time: before any); *from, *until: the times between which
 * that count holds (the latest such exec's, 0; the earliest later one's,
 * UINT64_MAX).
 * Returns the count.
 */
static size_t gen_at_time(const struct hwt_perf_decode *pd, uint32_t pid,
			  uint64_t t, uint64_t *from, uint64_t *until)
{
	size_t i, n = 0;

	*from = 0;
	*until = UINT64_MAX;
	for (i = first_exec(pd, pid); i < pd->nexecs &&
	     pd->execs[i].pid == pid; i++) {
		const struct pexec *e = &pd->execs[i];

		if (!e->has_time || e->time <= t) {
			n++;
			if (e->has_time && e->time > *from)
				*from = e->time;
		} else if (e->time < *until) {
			*until = e->time;
		}
	}
	return n;
}

/*
 * Adds to img (a view of pd->all) the mappings pid made after its gen-th
 * exec (0: from its start) and before its next one and file order
 * `before`; generation 0 of a forked process first gets its parent's
 * image at the fork (a child without exec runs its parent's code), at
 * most 16 parents up.
 * Returns nothing.
 */
static void add_gen(struct hwt_perf_decode *pd, struct hwt_image *img,
		    uint32_t pid, size_t gen, size_t before, int depth)
{
	size_t lo = 0, hi = before, n = 0, i;

	for (i = first_exec(pd, pid); i < pd->nexecs &&
	     pd->execs[i].pid == pid; i++) {
		n++;
		if (n == gen)
			lo = pd->execs[i].seq;
		if (n == gen + 1 && pd->execs[i].seq < hi)
			hi = pd->execs[i].seq;
	}
	i = first_fork(pd, pid);
	if (gen == 0 && depth < 16 && i < pd->nforks &&
	    pd->forks[i].pid == pid && pd->forks[i].seq < hi) {
		uint32_t pp = pd->forks[i].ppid;

		add_gen(pd, img, pp, gen_at_seq(pd, pp, pd->forks[i].seq),
			pd->forks[i].seq, depth + 1);
	}
	for (i = first_map(pd, pid); i < pd->nmaps &&
	     pd->mapidx[i].pid == pid; i++) {
		const struct map *m = &pd->maps[pd->mapidx[i].idx];

		if (m->seq >= lo && m->seq < hi && m->sec >= 0)
			hwt_image_add_view(img, hwt_image_section(pd->all,
					   (size_t)m->sec));
	}
}

/*
 * The image of process pid at perf time t: its mappings since its last
 * exec at or before t (add_gen()), a view of pd->all built on first use;
 * *from, *until as gen_at_time() says: the same image serves any time
 * in [*from, *until).
 * Returns it (owned by pd; empty if pid mapped nothing).
 */
static struct hwt_image *pid_image(struct hwt_perf_decode *pd, uint32_t pid,
				   uint64_t t, uint64_t *from,
				   uint64_t *until)
{
	size_t gen = gen_at_time(pd, pid, t, from, until), i;
	struct pimage *p;

	for (i = 0; i < pd->npimgs; i++)
		if (pd->pimgs[i].pid == pid && pd->pimgs[i].gen == gen)
			return pd->pimgs[i].img;
	pd->pimgs = hwt_xrealloc(pd->pimgs, (pd->npimgs + 1) *
				 sizeof(*pd->pimgs));
	p = &pd->pimgs[pd->npimgs++];
	p->pid = pid;
	p->gen = gen;
	p->img = hwt_image_alloc();
	add_gen(pd, p->img, pid, gen, SIZE_MAX, 0);
	return p->img;
}

/* ---- streams ---- */

/* qsort order of cuts: by offset, gaps before plain restarts.
 * Returns <0, 0, >0 as qsort wants. */
static int cmp_cut(const void *a, const void *b)
{
	const struct hwt_cut *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* gaps (msg) before plain restarts at the same offset */
	return (x->msg == NULL) - (y->msg == NULL);
}

struct stream {
	uint8_t *data;
	size_t size;
	struct hwt_cut *cuts;
	size_t ncuts;
	char **msgs;		/* owned cut messages */
	size_t nmsgs;
	int raw;
};

/* Appends a cut at `at` (msg owned by s from now on; NULL: restart).
 * Returns nothing. */
static void add_cut(struct stream *s, uint64_t at, char *msg)
{
	s->cuts = hwt_xrealloc(s->cuts, (s->ncuts + 1) * sizeof(*s->cuts));
	s->cuts[s->ncuts].offset = at;
	s->cuts[s->ncuts++].msg = msg;
	if (msg) {
		s->msgs = hwt_xrealloc(s->msgs, (s->nmsgs + 1) *
				       sizeof(*s->msgs));
		s->msgs[s->nmsgs++] = msg;
	}
}

/* Returns the formatted message, malloc'd (aborts on OOM). */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, f);
	msg = vfmt(f, ap);
	va_end(ap);
	return msg;
}

/* Which buffers and AUX records make a stream: a CPU's, or (Intel PT)
 * the per-thread ones of one thread. */
struct sel {
	uint32_t cpu;
	int by_tid;
	uint32_t tid;
};

/* Returns 1 if: buffer b belongs to the stream sel selects; 0 if not. */
static int buf_in(const struct buf *b, const struct sel *sel)
{
	return b->cpu == sel->cpu && (!sel->by_tid || b->tid == sel->tid);
}

/* Returns 1 if: AUX record a belongs to the stream sel selects (an AUX
 * record without a tid goes with every thread's); 0 if not. */
static int aux_in(const struct aux *a, const struct sel *sel)
{
	return (a->has_cpu ? a->cpu : PER_THREAD_CPU) == sel->cpu &&
	       (!sel->by_tid || !a->has_tid || a->tid == sel->tid);
}

/* Returns the stream position of AUX offset o in sel's buffers (file
 * order; past them all: the stream's size). */
static uint64_t stream_pos(const struct hwt_perf_decode *pd,
			   const struct sel *sel, uint64_t o)
{
	uint64_t pos = 0;
	size_t i;

	for (i = 0; i < pd->nbufs; i++) {
		const struct buf *b = &pd->bufs[i];

		if (!buf_in(b, sel))
			continue;
		if (o < b->offset + b->size)
			return pos + (o > b->offset ? o - b->offset : 0);
		pos += b->size;
	}
	return pos;
}

/* Returns the bytes of [o, o + n) that some buffer of sel holds. */
static uint64_t covered(const struct hwt_perf_decode *pd,
			const struct sel *sel, uint64_t o, uint64_t n)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < pd->nbufs; i++) {
		const struct buf *b = &pd->bufs[i];
		uint64_t lo, hi;

		if (!buf_in(b, sel))
			continue;
		lo = b->offset > o ? b->offset : o;
		hi = b->offset + b->size < o + n ? b->offset + b->size : o + n;
		if (hi > lo)
			c += hi - lo;
	}
	return c;
}

/* The bytes, cuts and gaps of the stream sel selects (a CPU's, the
 * per-thread ones, or one thread's) into s; restart_each: a plain restart
 * where buffers join (CoreSight).  Returns nothing. */
static void build_stream(const struct hwt_perf_decode *pd,
			 const struct sel *sel, int restart_each,
			 struct stream *s)
{
	uint32_t cpu = sel->cpu;
	uint64_t prev_end = 0;
	int first = 1;
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < pd->nnotes; i++)
		if (!pd->notes[i].at_end)
			add_cut(s, 0, hwt_xstrdup(pd->notes[i].msg));
	for (i = 0; i < pd->nbufs; i++) {
		const struct buf *b = &pd->bufs[i];

		if (!buf_in(b, sel))
			continue;
		if (!first && b->offset != prev_end)
			add_cut(s, s->size, fmt("AUX trace of CPU %d: bytes "
				"0x%llx-0x%llx not in the file (AUXTRACE at "
				"file offset 0x%llx starts at 0x%llx)",
				(int)cpu, (unsigned long long)prev_end,
				(unsigned long long)b->offset,
				(unsigned long long)b->file_offset,
				(unsigned long long)b->offset));
		else if (!first && restart_each) /* perf's CoreSight decode */
			add_cut(s, s->size, NULL);
		first = 0;
		s->data = hwt_xrealloc(s->data, s->size + b->size + 1);
		memcpy(s->data + s->size, b->data, b->size);
		s->size += b->size;
		prev_end = b->offset + b->size;
	}
	for (i = 0; i < pd->nauxs; i++) {
		const struct aux *a = &pd->auxs[i];
		uint64_t have;

		if (!aux_in(a, sel))
			continue;
		if (a->flags & HWT_PERF_AUX_CS_RAW)
			s->raw = 1;
		have = covered(pd, sel, a->offset, a->size);
		if (have < a->size)
			add_cut(s, stream_pos(pd, sel, a->offset),
				fmt("AUX data of CPU %d: %llu of %llu bytes at "
				    "0x%llx not in the file (PERF_RECORD_AUX at "
				    "file offset 0x%llx)", (int)cpu,
				    (unsigned long long)(a->size - have),
				    (unsigned long long)a->size,
				    (unsigned long long)a->offset,
				    (unsigned long long)a->file_offset));
		if (a->flags & (HWT_PERF_AUX_TRUNCATED | HWT_PERF_AUX_PARTIAL |
				HWT_PERF_AUX_COLLISION))
			add_cut(s, stream_pos(pd, sel, a->offset + a->size),
				fmt("AUX data of CPU %d lost after 0x%llx "
				    "(PERF_RECORD_AUX at file offset 0x%llx, "
				    "flags 0x%llx:%s%s%s)", (int)cpu,
				    (unsigned long long)(a->offset + a->size),
				    (unsigned long long)a->file_offset,
				    (unsigned long long)a->flags,
				    a->flags & HWT_PERF_AUX_TRUNCATED ?
				    " truncated" : "",
				    a->flags & HWT_PERF_AUX_PARTIAL ?
				    " partial" : "",
				    a->flags & HWT_PERF_AUX_COLLISION ?
				    " collision" : ""));
	}
	for (i = 0; i < pd->nnotes; i++)
		if (pd->notes[i].at_end)
			add_cut(s, s->size, hwt_xstrdup(pd->notes[i].msg));
	if (s->ncuts)
		qsort(s->cuts, s->ncuts, sizeof(*s->cuts), cmp_cut);
}

/* Returns nothing. */
static void free_stream(struct stream *s)
{
	size_t i;

	for (i = 0; i < s->nmsgs; i++)
		free(s->msgs[i]);
	free(s->msgs);
	free(s->cuts);
	free(s->data);
}

/* Returns 1 if: cpu has AUX records or buffers; 0 if not. */
static int has_trace(const struct hwt_perf_decode *pd, uint32_t cpu)
{
	size_t i;

	for (i = 0; i < pd->nbufs; i++)
		if (pd->bufs[i].cpu == cpu)
			return 1;
	for (i = 0; i < pd->nauxs; i++)
		if ((pd->auxs[i].has_cpu ? pd->auxs[i].cpu : PER_THREAD_CPU) ==
		    cpu)
			return 1;
	return 0;
}

/* The pid/tid of cpu's first ITRACE_START (-1: none).
 * Returns nothing. */
static void stream_thread(const struct hwt_perf_decode *pd, uint32_t cpu,
			  int64_t *pid, int64_t *tid)
{
	size_t i;

	*pid = *tid = -1;
	for (i = 0; i < pd->npids; i++)
		if (pd->pid_cpu[i] == cpu) {
			*pid = pd->pids[i];
			*tid = pd->tids[i];
			return;
		}
}

/* The pid of thread tid from its ITRACE_START (-1: none); *tid = tid.
 * Returns nothing. */
static void thread_pid(const struct hwt_perf_decode *pd, uint32_t t,
		       int64_t *pid, int64_t *tid)
{
	size_t i;

	*pid = -1;
	*tid = t;
	for (i = 0; i < pd->npids; i++)
		if (pd->tids[i] == t) {
			*pid = pd->pids[i];
			return;
		}
}

/* CoreSight: unit u's trace on cpu (PER_THREAD_CPU: the per-thread
 * buffers) as stream id, each AUXTRACE buffer afresh as perf does.
 * Returns 0 if: decoded (errors are gaps).
 * Returns -1 with err set if: the CoreSight front end failed. */
static int decode_unit(struct hwt_perf_decode *pd, struct hwt_core *core,
		       struct hwt_perf_cs_unit *u, uint32_t cpu, uint32_t id,
		       struct hwt_image *img, char *err, size_t errlen)
{
	struct sel sel = { cpu, 0, 0 };
	struct hwt_cs_stream cs;
	struct stream s;
	char name[32];
	int64_t pid, tid;
	int rc;

	stream_thread(pd, cpu, &pid, &tid);
	build_stream(pd, &sel, 1, &s);
	memset(&cs, 0, sizeof(cs));
	snprintf(name, sizeof(name), "cpu%d", (int)cpu);
	cs.id = id;
	cs.tid = (int32_t)tid;
	cs.cpu = cpu == PER_THREAD_CPU ? -1 : (int32_t)u->cpu;
	cs.kind = u->kind;
	cs.formatted = !s.raw;
	cs.trace_id = (int32_t)u->trace_id;
	cs.param = hwt_perf_cs_param;
	cs.param_arg = u;
	cs.data = s.size ? s.data : (const uint8_t *)"";
	cs.size = s.size;
	cs.read_mem = hwt_image_read_cb;
	cs.read_mem_arg = img;
	cs.name = name;
	cs.cuts = s.cuts;
	cs.ncuts = s.ncuts;
	cs.no_fork = pd->opts->test.cs_no_fork;
	cs.abort_on_child_exit = pd->opts->test.cs_abort_on_child_exit;
	hwt_core_set_thread(core, id, pid, tid);
	rc = hwt_cs_decode_stream(&cs, hwt_core_sink(core), err, errlen);
	free_stream(&s);
	return rc < 0 ? -1 : 0;
}

/* A sink that hands the core perf's times: each block's and event's TSC
 * through the file's conversion (perf_time.h), the rest unchanged. */
struct time_sink {
	const struct hwt_sink *inner;
	const struct hwt_perf_tsc_conv *tc;
	struct hwt_sink sink;
};

/* Returns the inner sink's result for info. */
static int ts_begin(void *arg, const struct hwt_stream_info *info)
{
	struct time_sink *t = arg;

	return t->inner->stream_begin(t->inner->arg, info);
}

/* Returns the inner sink's result for blk, its time converted. */
static int ts_block(void *arg, uint32_t stream, const struct hwt_block *blk)
{
	struct time_sink *t = arg;
	struct hwt_block b = *blk;

	if (b.time)
		b.time = hwt_perf_tsc_to_time(t->tc, b.time);
	return t->inner->block(t->inner->arg, stream, &b);
}

/* Returns the inner sink's result for ev, its time converted. */
static int ts_event(void *arg, uint32_t stream, const struct hwt_event *ev)
{
	struct time_sink *t = arg;
	struct hwt_event e = *ev;

	if (e.time)
		e.time = hwt_perf_tsc_to_time(t->tc, e.time);
	return t->inner->event(t->inner->arg, stream, &e);
}

/* Returns the inner sink's result. */
static int ts_end(void *arg, uint32_t stream)
{
	struct time_sink *t = arg;

	return t->inner->stream_end(t->inner->arg, stream);
}

/* Returns the inner sink's id for blk (interned blocks carry no time). */
static uint32_t ts_intern(void *arg, uint32_t stream,
			  const struct hwt_block *blk)
{
	struct time_sink *t = arg;

	return t->inner->intern(t->inner->arg, stream, blk);
}

/* Returns the inner sink's result. */
static int ts_blocks(void *arg, uint32_t stream, const uint32_t *ids,
		     size_t n)
{
	struct time_sink *t = arg;

	return t->inner->blocks(t->inner->arg, stream, ids, n);
}

/* Returns the inner sink's id for blk. */
static uint32_t ts_intern_lens(void *arg, uint32_t stream,
			       const struct hwt_block *blk,
			       const uint8_t *lens)
{
	struct time_sink *t = arg;

	return t->inner->intern_lens(t->inner->arg, stream, blk, lens);
}

/* Returns the inner sink's result. */
static int ts_progress(void *arg, uint32_t stream, uint64_t offset)
{
	struct time_sink *t = arg;

	return t->inner->progress(t->inner->arg, stream, offset);
}

/* t wraps inner with conversion tc (the optional calls only where inner
 * has them).  Returns t's sink. */
static const struct hwt_sink *time_sink(struct time_sink *t,
					const struct hwt_sink *inner,
					const struct hwt_perf_tsc_conv *tc)
{
	memset(t, 0, sizeof(*t));
	t->inner = inner;
	t->tc = tc;
	t->sink.arg = t;
	t->sink.stream_begin = ts_begin;
	t->sink.block = ts_block;
	t->sink.event = ts_event;
	t->sink.stream_end = ts_end;
	t->sink.intern = inner->intern ? ts_intern : NULL;
	t->sink.blocks = inner->blocks ? ts_blocks : NULL;
	t->sink.intern_lens = inner->intern_lens ? ts_intern_lens : NULL;
	t->sink.progress = inner->progress ? ts_progress : NULL;
	return &t->sink;
}

/*
 * A CPU's trace split between its threads by the sideband, as perf's
 * intel-pt.c does with per-CPU buffers and context-switch records: the
 * thread of the trace from a TIP.PGE on (HWT_EV_ENABLE: where a user-only
 * trace resumes after a switch) is the one the CPU's switch records and
 * ITRACE_START name last at or before the event's time (perf time, the
 * time sink before this one converted it).  Each thread gets a stream of
 * its own (the CPU's first thread id = CPU, the k-th CPU + 0x10000 * k);
 * before an enable, the trace's first time places it,
 * so its own flow, call stack and thread row; everything the front end
 * hands on goes to the current thread's.
 */
#define SPLIT_MAX	64	/* threads per CPU */
#define SPLIT_STEP	0x10000u

struct split_sink {
	const struct hwt_sink *inner;
	struct hwt_core *core;
	/* per-process images (mp_cpu()): the file's, and its time
	 * conversion; now: the latest perf time the front end gave */
	struct hwt_perf_decode *pd;
	const struct hwt_perf_tsc_conv *tc;
	struct hwt_pt_pick pick;
	uint64_t now;
	struct hwt_image *symimg;	/* NULL: the core's symbols */
	const struct swin *sw;	/* this CPU's, by time */
	size_t nsw;
	struct hwt_stream_info info;	/* the CPU's */
	char names[SPLIT_MAX][40];
	int64_t tids[SPLIT_MAX], pids[SPLIT_MAX];
	/* each thread's process's image, good from tfrom to tuntil */
	struct hwt_image *timg[SPLIT_MAX];
	/* the image each thread's stream is symbolized against (the core's
	 * hwt_core_set_image()), NULL: s->symimg */
	const struct hwt_image *simg[SPLIT_MAX];
	uint64_t tfrom[SPLIT_MAX], tuntil[SPLIT_MAX];
	int begun[SPLIT_MAX];
	size_t nthreads, cur;
	int placed;		/* a time chose the current thread */
	struct hwt_sink sink;
};

/* Returns the image of thread k's process at s->now (pid_image(),
 * kept while it holds; a thread without a process: the CPU stream's). */
static struct hwt_image *thread_image(struct split_sink *s, size_t k)
{
	if (s->pids[k] < 0 || s->pids[k] > UINT32_MAX)
		return s->info.read_mem_arg;
	if (!s->timg[k] || s->now < s->tfrom[k] || s->now >= s->tuntil[k])
		s->timg[k] = pid_image(s->pd, (uint32_t)s->pids[k], s->now,
				       &s->tfrom[k], &s->tuntil[k]);
	return s->timg[k];
}

/* Returns the index of thread tid (pid) among s's, added (and the core
 * told its thread) if new; the last one when SPLIT_MAX are taken. */
static size_t split_thread(struct split_sink *s, int64_t pid, int64_t tid)
{
	size_t k;

	for (k = 0; k < s->nthreads; k++)
		if (s->tids[k] == tid)
			return k;
	if (s->nthreads == SPLIT_MAX)
		return SPLIT_MAX - 1;
	k = s->nthreads++;
	s->tids[k] = tid;
	s->pids[k] = pid;
	hwt_core_set_thread(s->core, s->info.id + SPLIT_STEP * (uint32_t)k,
			    pid, tid);
	/* its symbols: its process's image where threads' images differ */
	if (s->symimg) {
		s->simg[k] = s->pd && pid >= 0 && pid <= UINT32_MAX ?
			     thread_image(s, k) : s->symimg;
		hwt_core_set_image(s->core, s->info.id +
				   SPLIT_STEP * (uint32_t)k, s->simg[k]);
	}
	return k;
}

/* Makes the thread running at perf time t the current one.
 * Returns nothing. */
static void split_at(struct split_sink *s, uint64_t t)
{
	size_t lo = 0, hi = s->nsw, best;

	if (!s->nsw)
		return;
	/* the last switch-in at or before t (by time): the first after
	 * t, less one; none: the first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->sw[mid].time <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	best = lo ? lo - 1 : 0;
	s->cur = split_thread(s, s->sw[best].pid, s->sw[best].tid);
	s->placed = 1;
}

/* Returns the image of the current thread's process (thread_image()). */
static struct hwt_image *sp_image(struct split_sink *s)
{
	return thread_image(s, s->cur);
}

/* read_mem over the current thread's image: the core reads a block's
 * code as it comes, from the image libipt decoded it against.
 * Returns hwt_image_read_cb's result. */
static int sp_read_mem(void *arg, uint64_t addr, void *buf, size_t size)
{
	return hwt_image_read_cb(sp_image(arg), addr, buf, size);
}

/*
 * hwt_pt_pick's image_at: the thread placed as split_at() will place it
 * when the time sink hands on what the front end decodes next (perf time
 * of tsc; an ENABLE places anew, anything else only the first time), so
 * that the trace decodes against the image of the process whose thread
 * it is attributed to.
 * Returns that thread's process's image.
 */
static struct hwt_image *sp_image_at(void *arg, uint64_t tsc, int enable)
{
	struct split_sink *s = arg;
	uint64_t t = tsc && s->tc ? hwt_perf_tsc_to_time(s->tc, tsc) : tsc;
	struct hwt_image *img;

	if (t) {
		s->now = t;
		if (enable || !s->placed)
			split_at(s, t);
	}
	img = sp_image(s);
	/* Its process's image changed (an exec): the thread's blocks,
	 * symbols, lines and inline frames are the new program's from
	 * here, where its code is. */
	if (s->simg[s->cur] && s->simg[s->cur] != img &&
	    s->simg[s->cur] != s->symimg) {
		s->simg[s->cur] = img;
		hwt_core_set_image(s->core, s->info.id + SPLIT_STEP *
				   (uint32_t)s->cur, img);
	}
	return img;
}

/* Begins the current thread's stream if not yet.
 * Returns the stream id, or 0xffffffff if: the inner sink failed. */
static uint32_t split_cur(struct split_sink *s)
{
	uint32_t id = s->info.id + SPLIT_STEP * (uint32_t)s->cur;

	if (!s->begun[s->cur]) {
		struct hwt_stream_info info = s->info;

		s->begun[s->cur] = 1;
		snprintf(s->names[s->cur], sizeof(s->names[s->cur]),
			 "%s-tid%lld", s->info.name,
			 (long long)s->tids[s->cur]);
		info.id = id;
		info.tid = (int32_t)s->tids[s->cur];
		info.name = s->names[s->cur];
		if (s->pd) {	/* the core reads the thread's own code */
			info.read_mem = sp_read_mem;
			info.read_mem_arg = s;
		}
		if (s->inner->stream_begin(s->inner->arg, &info) < 0)
			return 0xffffffffu;
	}
	return id;
}

/* Returns 0: the streams begin with their first block or event. */
static int sp_begin(void *arg, const struct hwt_stream_info *info)
{
	(void)arg;
	(void)info;
	return 0;
}

/* Returns the inner sink's result for blk on the current thread's. */
static int sp_block(void *arg, uint32_t stream, const struct hwt_block *blk)
{
	struct split_sink *s = arg;
	uint32_t id;

	(void)stream;
	if (!s->placed && blk->time)	/* the trace's first time */
		split_at(s, blk->time);
	id = split_cur(s);
	if (id == 0xffffffffu)
		return -1;
	return s->inner->block(s->inner->arg, id, blk);
}

/* Returns the inner sink's result for ev, an ENABLE first choosing the
 * thread by its time. */
static int sp_event(void *arg, uint32_t stream, const struct hwt_event *ev)
{
	struct split_sink *s = arg;
	uint32_t id;

	(void)stream;
	if ((ev->type == HWT_EV_ENABLE || !s->placed) && ev->time)
		split_at(s, ev->time);
	id = split_cur(s);
	if (id == 0xffffffffu)
		return -1;
	return s->inner->event(s->inner->arg, id, ev);
}

/* Returns the inner sink's result for every thread's stream begun (the
 * first's begun if none was: the CPU's stream exists). */
static int sp_end(void *arg, uint32_t stream)
{
	struct split_sink *s = arg;
	size_t k;
	int rc = 0;

	(void)stream;
	if (!s->nthreads || split_cur(s) == 0xffffffffu)
		return -1;
	for (k = 0; k < s->nthreads && rc >= 0; k++)
		if (s->begun[k])
			rc = s->inner->stream_end(s->inner->arg, s->info.id +
						  SPLIT_STEP * (uint32_t)k);
	return rc;
}

/* Returns the inner sink's id for blk (ids serve every stream). */
static uint32_t sp_intern(void *arg, uint32_t stream,
			  const struct hwt_block *blk)
{
	struct split_sink *s = arg;
	uint32_t id = split_cur(s);

	(void)stream;
	return id == 0xffffffffu ? 0 :
	       s->inner->intern(s->inner->arg, id, blk);
}

/* Returns the inner sink's result on the current thread's stream. */
static int sp_blocks(void *arg, uint32_t stream, const uint32_t *ids,
		     size_t n)
{
	struct split_sink *s = arg;
	uint32_t id = split_cur(s);

	(void)stream;
	return id == 0xffffffffu ? -1 :
	       s->inner->blocks(s->inner->arg, id, ids, n);
}

/* Returns the inner sink's id for blk. */
static uint32_t sp_intern_lens(void *arg, uint32_t stream,
			       const struct hwt_block *blk,
			       const uint8_t *lens)
{
	struct split_sink *s = arg;
	uint32_t id = split_cur(s);

	(void)stream;
	return id == 0xffffffffu ? 0 :
	       s->inner->intern_lens(s->inner->arg, id, blk, lens);
}

/* Returns the inner sink's result. */
static int sp_progress(void *arg, uint32_t stream, uint64_t offset)
{
	struct split_sink *s = arg;

	(void)stream;
	return s->inner->progress(s->inner->arg, s->info.id, offset);
}

/* qsort order of switch-ins: by time, then file order (stable).
 * Returns <0, 0, >0. */
static int cmp_swin(const void *a, const void *b)
{
	const struct swin *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * s splitting the CPU stream info (its switch-ins sw, nsw of them, by
 * time) between threads in front of inner.  The first thread is info's
 * (its ITRACE_START's, pid its process) if it has one, else the first
 * switched in.  With pd's per-process images (mp_cpu()): s->pick for the
 * front end, and each thread's symbols and code from its process's.
 * Returns s's sink.
 */
static const struct hwt_sink *split_sink(struct split_sink *s,
					 const struct hwt_sink *inner,
					 struct hwt_core *core,
					 const struct hwt_stream_info *info,
					 int64_t pid, const struct swin *sw,
					 size_t nsw, struct hwt_perf_decode *pd)
{
	memset(s, 0, sizeof(*s));
	s->inner = inner;
	s->core = core;
	s->info = *info;
	s->sw = sw;
	s->nsw = nsw;
	s->symimg = pd->tview;
	if (mp_cpu(pd, info->cpu < 0 ? UINT32_MAX : (uint32_t)info->cpu)) {
		/* threads of two processes or more: each decodes against
		 * its own process's image (sp_image_at) */
		s->pd = pd;
		s->tc = &pd->tc;
		s->pick.image_at = sp_image_at;
		s->pick.arg = s;
	}
	/* until a time places it: the CPU's ITRACE_START thread (tracing
	 * starts with it), else the first switched in */
	s->cur = info->tid >= 0 ? split_thread(s, pid, info->tid) :
		 split_thread(s, sw[0].pid, sw[0].tid);
	s->sink.arg = s;
	s->sink.stream_begin = sp_begin;
	s->sink.block = sp_block;
	s->sink.event = sp_event;
	s->sink.stream_end = sp_end;
	s->sink.intern = inner->intern ? sp_intern : NULL;
	s->sink.blocks = inner->blocks ? sp_blocks : NULL;
	s->sink.intern_lens = inner->intern_lens ? sp_intern_lens : NULL;
	s->sink.progress = inner->progress ? sp_progress : NULL;
	return &s->sink;
}

/* A per-thread buffer's process image by time, where the per-thread
 * buffers are of two processes or more (pd->mp_thread). */
struct thread_pick {
	struct hwt_perf_decode *pd;
	uint32_t pid;
	uint64_t now, from, until;	/* perf time; the image's range */
	struct hwt_image *img;
	struct hwt_pt_pick pick;
};

/* Returns the image of tp's process at tp->now (pid_image(), kept while
 * it holds). */
static struct hwt_image *tp_image(struct thread_pick *tp)
{
	if (!tp->img || tp->now < tp->from || tp->now >= tp->until)
		tp->img = pid_image(tp->pd, tp->pid, tp->now, &tp->from,
				    &tp->until);
	return tp->img;
}

/* hwt_pt_pick's image_at for a per-thread buffer: the image at the
 * trace's time (perf time; a file without the conversion: the latest,
 * as perf decodes such a queue at the end, with every mapping known).
 * Returns it. */
static struct hwt_image *tp_image_at(void *arg, uint64_t tsc, int enable)
{
	struct thread_pick *tp = arg;

	(void)enable;
	if (tsc && tp->pd->have_tc)
		tp->now = hwt_perf_tsc_to_time(&tp->pd->tc, tsc);
	return tp_image(tp);
}

/* read_mem over tp's current image.  Returns hwt_image_read_cb's. */
static int tp_read_mem(void *arg, uint64_t addr, void *buf, size_t size)
{
	return hwt_image_read_cb(tp_image(arg), addr, buf, size);
}

/* Intel PT: one stream per CPU, or per thread of the per-thread buffers
 * (stream id PER_THREAD_ID + nth, its tid the buffers'), its contiguous
 * buffers decoded as one trace, as perf does (perf's auxtrace queues: one
 * per mmap, i.e. per CPU or per thread).
 * Returns 0 if: decoded (errors are gaps).
 * Returns -1 with err set if: the PT front end or the sink failed. */
static int decode_pt(struct hwt_perf_decode *pd, struct hwt_image *img,
		     struct hwt_core *core, const struct sel *sel,
		     uint32_t nth, char *err, size_t errlen)
{
	const struct hwt_sink *sink = hwt_core_sink(core);
	uint32_t cpu = sel->cpu;
	struct hwt_pt_params params = pd->pt;
	struct hwt_stream_info info;
	struct time_sink ts;
	struct split_sink *sp = NULL;
	struct thread_pick tp;
	struct swin *sw = NULL;
	size_t nsw = 0, i;
	struct stream s;
	char name[32];
	int64_t pid, tid;
	int rc;

	/* the decode settings of the command (--threads, --segmented) */
	params.threads = pd->opts->threads;
	params.segmented = pd->opts->segmented;
	params.no_fastpath = pd->opts->test.pt_no_fastpath;
	params.segment_min = pd->opts->test.pt_segment_min;
	params.reverse_segments = pd->opts->test.pt_reverse_segments;
	params.stats = pd->opts->pt_stats;
	stream_thread(pd, cpu, &pid, &tid);
	if (sel->by_tid)
		thread_pid(pd, sel->tid, &pid, &tid);
	build_stream(pd, sel, 0, &s);
	memset(&info, 0, sizeof(info));
	if (sel->by_tid)
		snprintf(name, sizeof(name), "thread%u", sel->tid);
	else
		snprintf(name, sizeof(name), "cpu%d", (int)cpu);
	info.id = cpu == PER_THREAD_CPU ? PER_THREAD_ID + nth : cpu;
	info.tid = (int32_t)tid;
	info.cpu = cpu == PER_THREAD_CPU ? -1 : (int32_t)cpu;
	info.trace_id = -1;
	info.name = name;
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	hwt_core_set_thread(core, info.id, pid, tid);
	if (pd->tview)	/* the traced processes' symbols */
		hwt_core_set_image(core, info.id, pd->tview);
	if (sel->by_tid && pd->mp_thread && pid >= 0 && pid <= UINT32_MAX) {
		/* its own process's image, code and symbols */
		memset(&tp, 0, sizeof(tp));
		tp.pd = pd;
		tp.pid = (uint32_t)pid;
		tp.now = pd->have_tc ? 0 : UINT64_MAX;
		tp.pick.image_at = tp_image_at;
		tp.pick.arg = &tp;
		info.read_mem = tp_read_mem;
		info.read_mem_arg = &tp;
		hwt_core_set_image(core, info.id, tp_image(&tp));
		params.pick = &tp.pick;
	}
	/* per-CPU buffers with switch records in perf's time: a stream per
	 * thread (split_sink) */
	for (i = 0; pd->have_tc && !sel->by_tid && i < pd->nswins; i++)
		if (pd->swins[i].cpu == cpu) {
			sw = hwt_xrealloc(sw, (nsw + 1) * sizeof(*sw));
			sw[nsw++] = pd->swins[i];
		}
	if (nsw) {
		qsort(sw, nsw, sizeof(*sw), cmp_swin);
		sp = hwt_xrealloc(NULL, sizeof(*sp));
		sink = split_sink(sp, sink, core, &info, pid, sw, nsw, pd);
		if (sp->pd)
			params.pick = &sp->pick;
	}
	if (pd->have_tc)	/* calls' times in perf's clock */
		sink = time_sink(&ts, sink, &pd->tc);
	rc = sink->stream_begin(sink->arg, &info);
	if (rc >= 0)
		rc = hwt_pt_decode_pieces(s.size ? s.data : (const uint8_t *)"",
					  s.size, s.cuts, s.ncuts, img, &params,
					  &info, sink, err, errlen);
	if (rc >= 0)
		rc = sink->stream_end(sink->arg, info.id);
	free_stream(&s);
	free(sp);
	free(sw);
	return rc < 0 ? -1 : 0;
}

/* The stream entry i of the buffers followed by the AUX records is in:
 * its CPU, or (per-thread, Intel PT) its thread.  Returns it in *sel. */
static void trace_sel(const struct hwt_perf_decode *pd, size_t i,
		      struct sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (i < pd->nbufs) {
		sel->cpu = pd->bufs[i].cpu;
		sel->tid = pd->bufs[i].tid;
	} else {
		const struct aux *a = &pd->auxs[i - pd->nbufs];

		sel->cpu = a->has_cpu ? a->cpu : PER_THREAD_CPU;
		sel->tid = a->tid;
		if (sel->cpu == PER_THREAD_CPU && !a->has_tid)
			sel->cpu = UINT32_MAX - 1;	/* no stream of its own */
	}
	sel->by_tid = sel->cpu == PER_THREAD_CPU;
}

/* Every CPU (per-thread buffers: every thread) with trace, first seen
 * first, through decode_pt.
 * Returns 0 if: all decoded; -1 with err set if: one failed. */
static int decode_pt_all(struct hwt_perf_decode *pd, struct hwt_image *img,
			 struct hwt_core *core, char *err, size_t errlen)
{
	size_t i, j, n = pd->nbufs + pd->nauxs;
	uint32_t nth = 0;

	find_mp_cpus(pd);	/* once; hwt_perf_decode_images did */
	for (i = 0; i < n; i++) {
		struct sel a, b;

		trace_sel(pd, i, &a);
		if (a.cpu == UINT32_MAX - 1)
			continue;
		for (j = 0; j < i; j++) {
			trace_sel(pd, j, &b);
			if (b.cpu == a.cpu && (!a.by_tid || b.tid == a.tid))
				break;
		}
		if (j < i)
			continue;
		if (decode_pt(pd, img, core, &a, a.by_tid ? nth++ : 0, err,
			      errlen) < 0)
			return -1;
	}
	return 0;
}

int hwt_perf_decode_run(struct hwt_perf_decode *pd, struct hwt_image *img,
			struct hwt_core *core, char *err, size_t errlen)
{
	int per_thread = has_trace(pd, PER_THREAD_CPU);
	size_t i;

	if (pd->tview)	/* img holds other processes' binaries too */
		img = pd->tview;

	if (pd->info_type == HWT_PERF_AUXTRACE_INTEL_PT)
		return decode_pt_all(pd, img, core, err, errlen);

	for (i = 0; i < pd->nunits; i++) {
		struct hwt_perf_cs_unit *u = &pd->units[i];

		if (!has_trace(pd, u->cpu) && !per_thread)
			continue;
		/* perf: with AUX_OUTPUT_HW_ID records, a unit still
		 * without an ID (v2's unused flag) has no decoder */
		if (u->id_unused && pd->nhwids)
			continue;
		if (strcmp(u->kind, "etm4") && strcmp(u->kind, "ete")) {
			note(pd, 1, "CPU %u: %s trace in perf.data: not "
			     "decoded yet", u->cpu, u->kind);
			continue;
		}
		if (has_trace(pd, u->cpu) &&
		    decode_unit(pd, core, u, u->cpu, u->cpu, img, err,
				errlen) < 0)
			return -1;
		/* A per-thread buffer may hold any unit's trace ID. */
		if (per_thread &&
		    decode_unit(pd, core, u, PER_THREAD_CPU,
				PER_THREAD_ID + u->cpu, img, err, errlen) < 0)
			return -1;
	}
	return 0;
}
