/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A session as a file-mode perf.data (perf_write.h).  Section names in
 * comments are those of tools/perf/Documentation/perf.data-file-format.txt
 * ("format.txt"), of uapi linux/perf_event.h ("uapi") and of perf's
 * tools/perf/util/intel-pt.h and tools/lib/perf/include/perf/event.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <intel-pt.h>

#include "hwt/decode.h"
#include "hwt_err.h"
#include "core/util.h"
#include "image/symtab.h"
#include "perf/perf_file.h"
#include "perf/perf_time.h"
#include "perf/perf_write.h"
#include "store_io.h"
#include "store_reader.h"

/* format.txt "The file header": 104 bytes; one attr entry is the
 * perf_event_attr (PERF_ATTR_SIZE_VER7: 128 bytes, what perf 6.1 writes)
 * and the {offset, size} of its ids. */
#define HDR_SIZE	104
#define ATTR_SIZE	128
#define ATTR_ENTRY	(ATTR_SIZE + 16)
/* format.txt feature bits */
#define FEAT_BUILD_ID	2
#define FEAT_OSRELEASE	4
#define FEAT_ARCH	6
#define FEAT_CPUID	9
#define FEAT_PMU_MAPPINGS 16
#define NAME_ALIGN	64	/* perf's header.c: strings padded to 64 */
/* uapi perf_event_attr flag bits (the bitfield word at offset 40) */
#define A_EXCLUDE_KERNEL (1ull << 5)
#define A_EXCLUDE_HV	(1ull << 6)
#define A_MMAP		(1ull << 8)
#define A_COMM		(1ull << 9)
#define A_TASK		(1ull << 13)
#define A_SAMPLE_ID_ALL	(1ull << 18)
#define A_MMAP2		(1ull << 23)
#define A_COMM_EXEC	(1ull << 24)
#define A_CONTEXT_SWITCH (1ull << 26)
/* uapi enum perf_event_sample_format: samples and the sample_id of
 * other records carry pid/tid (TID) and the attr's id (IDENTIFIER, last:
 * perf finds the event of a record by it once intel_pt adds its
 * synthesized events).  TIME only where the trace has TSC packets:
 * without it perf delivers the records in file order and decodes Intel
 * PT "without timestamps"; with it perf converts the TSC to its time by
 * AUXTRACE_INFO's time_shift/time_mult/time_zero. */
#define S_IP		(1ull << 0)
#define S_TID		(1ull << 1)
#define S_TIME		(1ull << 2)
#define S_CPU		(1ull << 7)
#define S_IDENTIFIER	(1ull << 16)
#define SAMPLE_TYPE	(S_IP | S_TID | S_IDENTIFIER)
/* The intel_pt event's one id (perf's intel_pt_evsel() takes only an
 * event with ids; its synthesized events get this id + 1000000000). */
#define ATTR_ID		1
/* uapi PERF_RECORD_MISC_* */
#define MISC_USER	2
#define MISC_BUILD_ID_SIZE (1u << 15)	/* perf: HEADER_BUILD_ID size byte */
/* intel-pt.h: the AUXTRACE_INFO words, INTEL_PT_PMU_TYPE ..
 * INTEL_PT_FILTER_STR_LEN (17 of them in perf 6.1). */
enum {
	PT_PMU_TYPE, PT_TIME_SHIFT, PT_TIME_MULT, PT_TIME_ZERO,
	PT_CAP_USER_TIME_ZERO, PT_TSC_BIT, PT_NORETCOMP_BIT,
	PT_HAVE_SCHED_SWITCH, PT_SNAPSHOT_MODE, PT_PER_CPU_MMAPS, PT_MTC_BIT,
	PT_MTC_FREQ_BITS, PT_TSC_CTC_N, PT_TSC_CTC_D, PT_CYC_BIT,
	PT_MAX_NONTURBO_RATIO, PT_FILTER_STR_LEN, PT_PRIV_MAX
};
#define AUX_ALIGN	8	/* auxtrace.h PERF_AUXTRACE_RECORD_ALIGNMENT */
#define REC_MAX		65535	/* perf_event_header.size is a u16 */

struct out {
	FILE *f;
	uint64_t pos;
	int failed;
	char msg[256];
};

/* Writes n bytes of p at the current position; the first failure is kept
 * (with its file offset) and later writes do nothing.  Returns nothing. */
static void put(struct out *o, const void *p, size_t n)
{
	if (o->failed || !n)
		return;
	if (fwrite(p, 1, n, o->f) != n) {
		o->failed = 1;
		snprintf(o->msg, sizeof(o->msg), "writing %zu bytes at file "
			 "offset 0x%llx: %s", n, (unsigned long long)o->pos,
			 strerror(errno ? errno : EIO));
		return;
	}
	o->pos += n;
}

/* Writes n zero bytes.  Returns nothing. */
static void put_zeros(struct out *o, size_t n)
{
	static const uint8_t z[64];

	while (n) {
		size_t k = n < sizeof(z) ? n : sizeof(z);

		put(o, z, k);
		n -= k;
	}
}

/* A record being built (little-endian fields appended). */
struct rec {
	uint8_t b[REC_MAX + 8];
	size_t n;
	int too_big;
	int timed;		/* sample_id carries TIME */
	int per_cpu;		/* sample_id carries CPU (a CPU-mode session) */
	uint64_t time;		/* the sample_id's time (timed) */
	uint32_t cpu;		/* the sample_id's CPU (per_cpu) */
};

/* Appends n bytes of p.  Returns nothing (too_big set past REC_MAX). */
static void rb(struct rec *r, const void *p, size_t n)
{
	if (r->too_big || n > REC_MAX - r->n) {
		r->too_big = 1;
		return;
	}
	if (p)
		memcpy(r->b + r->n, p, n);
	else
		memset(r->b + r->n, 0, n);
	r->n += n;
}

/* Appends a u16/u32/u64 (little-endian).  Returns nothing. */
static void r16(struct rec *r, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	rb(r, b, 2);
}

static void r32(struct rec *r, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rb(r, b, 4);
}

static void r64(struct rec *r, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rb(r, b, 8);
}

/* Appends s with its NUL, zero-padded to a multiple of align.
 * Returns nothing. */
static void rstr(struct rec *r, const char *s, size_t align)
{
	size_t n = strlen(s) + 1;

	rb(r, s, n);
	if (n % align)
		rb(r, NULL, align - n % align);
}

/* Starts a record of type with misc (the size is filled by rec_end).
 * Returns nothing. */
static void rec_begin(struct rec *r, uint32_t type, uint16_t misc)
{
	r->n = 0;
	r->too_big = 0;
	r32(r, type);
	r16(r, misc);
	r16(r, 0);
}

/* Appends the sample_id of a kernel record (uapi struct sample_id in
 * sample_type order: pid, tid, time if timed, cpu if per_cpu,
 * identifier).  The time is r->time, in perf time (the trace's TSC
 * through TIME_CONV): a record's CLOCK_MONOTONIC time mapped onto the
 * trace (mono_time()), a switch's or ITRACE_START's the trace's own
 * where it happened, 0 where none is known (perf delivers a record of
 * time 0 at once, in file order, before the trace).  Returns nothing. */
static void rec_sid(struct rec *r, int64_t pid, int64_t tid)
{
	r32(r, (uint32_t)pid);
	r32(r, (uint32_t)tid);
	if (r->timed)
		r64(r, r->time);
	if (r->per_cpu) {		/* u32 cpu, u32 res */
		r32(r, r->cpu);
		r32(r, 0);
	}
	r64(r, ATTR_ID);
}

/* Writes r with its size in the header.
 * Returns 0 if: written; -1 with o->msg set if: too big or not written. */
static int rec_end(struct out *o, struct rec *r)
{
	if (r->too_big || r->n % 8) {
		o->failed = 1;
		snprintf(o->msg, sizeof(o->msg), "record type %u at file "
			 "offset 0x%llx: %s", r->b[0] | r->b[1] << 8,
			 (unsigned long long)o->pos, r->too_big ?
			 "more than perf's 64 KiB record size" :
			 "not a multiple of 8 bytes");
		return -1;
	}
	r->b[6] = (uint8_t)r->n;
	r->b[7] = (uint8_t)(r->n >> 8);
	put(o, r->b, r->n);
	return o->failed ? -1 : 0;
}

/* ---- the session ---- */

struct image {			/* one recorded path's build id */
	char *path;
	uint8_t id[20];
	size_t idlen;		/* 0: none found */
};

struct tscmap {			/* a stream's TSC packets, by offset */
	int64_t id, cpu, tid;	/* tid: the stream's thread, -1 none */
	uint64_t *off, *tsc;
	size_t n;
	int64_t first_pid, first_tid;	/* first thread switched in */
	uint64_t first_off;
};

struct thread_end {		/* the time after its last instruction */
	int64_t tid;
	uint64_t t;
};

struct wctx {
	const char *dir;
	struct hwt_store_reader *r;
	struct out *o;
	struct rec rec;
	int64_t pid;		/* target_pid, -1 if unknown */
	int tsc;		/* a stream has TSC packets */
	struct hwt_perf_tsc_conv tc;	/* with tsc: TSC -> perf time */
	int cpu_mode;		/* per-CPU streams, switch records */
	struct tscmap *maps;	/* cpu_mode: each stream's TSC packets */
	size_t nmaps;
	struct image *images;
	size_t nimages;
	struct hwt_perf_tie *pts;	/* timed: by mono, t never decreasing */
	size_t npts;
	struct thread_end *ends;	/* timed: per thread */
	size_t nends;
	int64_t *exec_comms;	/* ids of comm rows an exec follows */
	size_t nexec_comms;
	int64_t *bare_execs;	/* ids of exec rows with no comm before */
	size_t nbare_execs;
	int64_t (*last_comm)[2];	/* pre-pass: pid, its last comm id */
	size_t nlast_comm;
	char err[512];
};

static uint64_t time_at(const struct wctx *w, const struct tscmap *m,
			uint64_t at);

/* Returns the hex digit value of c, or -1. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The build id of a recorded path, from the file hwt decode would take:
 * SESSION/images/PATH (beneath the session directory, no symlink on the
 * way) if there, else PATH; never through a symlink, and when the caller
 * is not the session's owner only a file that owner, the caller or
 * anyone could read (store_io.h's policy, as decode.c's session_images).
 * None if neither is an ELF file with one.  Returns the image (cached per
 * path). */
static const struct image *image_of(struct wctx *w, const char *path)
{
	uid_t owner = hwt_store_reader_owner(w->r);
	struct hwt_file_policy pol = {
		.check_owner = geteuid() != owner, .owner = owner,
		.other_ok = 1,
	};
	char name[PATH_MAX + 16], e[256];
	struct hwt_elf elf;
	struct image *im;
	struct stat sb;
	size_t i;
	int fd, rc;

	for (i = 0; i < w->nimages; i++)
		if (!strcmp(w->images[i].path, path))
			return &w->images[i];
	w->images = hwt_xrealloc(w->images, (w->nimages + 1) *
				 sizeof(*w->images));
	im = &w->images[w->nimages++];
	memset(im, 0, sizeof(*im));
	im->path = hwt_xstrdup(path);
	snprintf(name, sizeof(name), "images/%s", path + (*path == '/'));
	pol.beneath = !fstatat(hwt_store_reader_dirfd(w->r), name, &sb,
			       AT_SYMLINK_NOFOLLOW);
	fd = pol.beneath ?
	     hwt_open_checked(hwt_store_reader_dirfd(w->r), name, name, &pol,
			      NULL, e, sizeof(e)) :
	     hwt_open_checked(AT_FDCWD, path, path, &pol, NULL, e, sizeof(e));
	if (fd < 0)
		return im;
	memset(&elf, 0, sizeof(elf));
	rc = hwt_elf_load_fd(fd, path, &elf, e, sizeof(e));
	close(fd);
	if (rc != 1)
		return im;
	for (i = 0; elf.build_id[2 * i] && elf.build_id[2 * i + 1] &&
		    i < sizeof(im->id); i++) {
		int hi = hexval(elf.build_id[2 * i]);
		int lo = hexval(elf.build_id[2 * i + 1]);

		if (hi < 0 || lo < 0)
			break;
		im->id[i] = (uint8_t)(hi << 4 | lo);
	}
	im->idlen = i;
	hwt_elf_fini(&elf);
	return im;
}

/* Returns the thread's process: the record's pid, else target_pid, else
 * the tid itself. */
static int64_t pid_of(const struct wctx *w, int64_t pid, int64_t tid)
{
	if (pid >= 0)
		return pid;
	return w->pid >= 0 ? w->pid : tid;
}

/* Returns 1 if: id is one of the n ids of v; 0 if not. */
static int has_id(const int64_t *v, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return 1;
	return 0;
}

/*
 * The perf time of a record's CLOCK_MONOTONIC time mono: the session
 * ties the two clocks only where a switch_in record has both (its time,
 * and the first TSC of its own run: the PSB+ the unit writes as the
 * task's trace starts, SDM vol. 3C 33.2.8.3 / 33.3.7); between two ties
 * interpolated, before the first and after the last extrapolated
 * (hwt_perf_tie_time(): the TSC's rate against CLOCK_MONOTONIC is not
 * TIME_CONV's nominal one), so the record stays between the same two
 * pieces of trace it was recorded between.
 * Returns the perf time; 0 (perf delivers such a record first, in file
 * order) if: the file is untimed (no TSC packets, or the soft backend's
 * instruction clock: neither is a time), mono is not positive (none
 * recorded), or no switch_in ties the clocks.
 */
static uint64_t mono_time(const struct wctx *w, int64_t mono)
{
	return w->rec.timed ? hwt_perf_tie_time(w->pts, w->npts, mono) : 0;
}

/* Returns the perf time just after thread tid's last traced instruction
 * (w->ends), 0 if: none is known (untimed, or no TSC in its trace). */
static uint64_t trace_end(const struct wctx *w, int64_t tid)
{
	size_t i;

	for (i = 0; i < w->nends; i++)
		if (w->ends[i].tid == tid)
			return w->ends[i].t;
	return 0;
}

/* The pre-pass over the rows: which comm row an exec row of the same
 * process follows (the kernel's task_rename in begin_new_exec, before
 * the new program's mmaps and the exec record; perf writes its
 * PERF_RECORD_COMM with PERF_RECORD_MISC_COMM_EXEC there) and which exec
 * rows have none (their COMM is written at the exec row).
 * Returns 0. */
static int pre_record(void *arg, const struct hwt_store_record *s)
{
	struct wctx *w = arg;
	int64_t pid = pid_of(w, s->pid, s->tid);
	int comm = !strcmp(s->type, "comm") && s->tid >= 0;
	size_t i;

	if (pid < 0 || !s->path || (!comm && strcmp(s->type, "exec")))
		return 0;
	for (i = 0; i < w->nlast_comm && w->last_comm[i][0] != pid; i++)
		;
	if (comm) {
		if (i == w->nlast_comm) {
			w->last_comm = hwt_xrealloc(w->last_comm, (i + 1) *
						    sizeof(*w->last_comm));
			w->last_comm[w->nlast_comm++][0] = pid;
		}
		w->last_comm[i][1] = s->id;
	} else {
		if (i < w->nlast_comm && w->last_comm[i][1] >= 0) {
			w->exec_comms = hwt_xrealloc(w->exec_comms,
				(w->nexec_comms + 1) * sizeof(int64_t));
			w->exec_comms[w->nexec_comms++] = w->last_comm[i][1];
			w->last_comm[i][1] = -1;
		} else {
			w->bare_execs = hwt_xrealloc(w->bare_execs,
				(w->nbare_execs + 1) * sizeof(int64_t));
			w->bare_execs[w->nbare_execs++] = s->id;
		}
	}
	return 0;
}

/* Writes a PERF_RECORD_COMM (uapi: pid, tid, comm[] u64 aligned), with
 * PERF_RECORD_MISC_COMM_EXEC if exec, at r->time.
 * Returns 0 if: written; -1 if: the write failed. */
static int put_comm(struct wctx *w, int64_t pid, int64_t tid,
		    const char *comm, int exec)
{
	struct rec *r = &w->rec;

	rec_begin(r, HWT_PERF_RECORD_COMM, exec ? HWT_PERF_MISC_COMM_EXEC : 0);
	r32(r, (uint32_t)pid);
	r32(r, (uint32_t)tid);
	rstr(r, comm, 8);
	rec_sid(r, pid, tid);
	return rec_end(w->o, r);
}

/* Writes what perf needs of one sideband row, at its time (mono_time()):
 * COMM (PERF_RECORD_MISC_COMM_EXEC for an exec's), FORK (thread_create),
 * EXIT (thread_exit, timed only: untimed, perf would decode the thread's
 * queue at it, before later mappings), a COMM exec for an exec row with
 * no comm before it (the comm the kernel gives: the path's last
 * component, TASK_COMM_LEN 16), and MMAP2 (an executable file mapping,
 * with its build id).  Anonymous and special mappings, munmap (perf has
 * none: a later map replaces), buffer rows and exec rows that follow a
 * comm are not written.
 * Returns 0 if: written or skipped; -1 if: a write failed. */
static int on_record(void *arg, const struct hwt_store_record *s)
{
	struct wctx *w = arg;
	struct rec *r = &w->rec;
	int64_t pid = pid_of(w, s->pid, s->tid);
	int rc;

	r->time = 0;
	if (!strcmp(s->type, "comm") && s->path && s->tid >= 0) {
		r->time = mono_time(w, s->time);
		rc = put_comm(w, pid, s->tid, s->path,
			      has_id(w->exec_comms, w->nexec_comms, s->id));
		r->time = 0;
		return rc;
	}
	if (!strcmp(s->type, "exec") && s->path &&
	    has_id(w->bare_execs, w->nbare_execs, s->id)) {
		const char *base = strrchr(s->path, '/');
		char comm[16];

		snprintf(comm, sizeof(comm), "%s", base ? base + 1 : s->path);
		r->time = mono_time(w, s->time);
		rc = put_comm(w, pid, s->tid >= 0 ? s->tid : pid, comm, 1);
		r->time = 0;
		return rc;
	}
	if ((!strcmp(s->type, "thread_create") ||
	     (!strcmp(s->type, "thread_exit") && mono_time(w, s->time))) &&
	    s->tid >= 0) {
		/* uapi PERF_RECORD_FORK / _EXIT: pid, ppid, tid, ptid,
		 * time; a create row's addr is the parent's pid, aux its
		 * tid (an exit row's aux is its code: its parent is
		 * itself). */
		int create = !strcmp(s->type, "thread_create");
		int64_t ppid = create && s->has_addr ? s->addr : pid;
		int64_t ptid = create && s->aux >= 0 ? s->aux : ppid;

		r->time = mono_time(w, s->time);
		if (!create && r->time < trace_end(w, s->tid))
			r->time = trace_end(w, s->tid);
		rec_begin(r, create ? HWT_PERF_RECORD_FORK :
			  HWT_PERF_RECORD_EXIT, 0);
		r32(r, (uint32_t)pid);
		r32(r, (uint32_t)ppid);
		r32(r, (uint32_t)s->tid);
		r32(r, (uint32_t)ptid);
		r64(r, r->time);
		rec_sid(r, pid, s->tid);
		r->time = 0;
		return rec_end(w->o, r);
	}
	if (w->cpu_mode && (!strcmp(s->type, "switch_in") ||
			    !strcmp(s->type, "switch_out")) &&
	    s->tid >= 0 && s->stream_offset >= 0) {
		/* uapi PERF_RECORD_SWITCH_CPU_WIDE: next_prev_pid,
		 * next_prev_tid; misc PERF_RECORD_MISC_SWITCH_OUT for an
		 * out; the sample_id names the thread switched (idle: 0) */
		int out = !strcmp(s->type, "switch_out");
		struct tscmap *m = NULL;
		int64_t other = s->aux >= 0 ? s->aux : 0;
		size_t i;

		for (i = 0; i < w->nmaps; i++)
			if (w->maps[i].id == s->stream)
				m = &w->maps[i];
		if (!m)
			return 0;
		if (!out && m->first_tid < 0) {
			m->first_pid = pid;
			m->first_tid = s->tid;
			m->first_off = (uint64_t)s->stream_offset;
		}
		rec_begin(r, HWT_PERF_RECORD_SWITCH_CPU_WIDE,
			  out ? HWT_PERF_MISC_SWITCH_OUT : 0);
		r32(r, (uint32_t)(other ? pid_of(w, -1, other) : 0));
		r32(r, (uint32_t)other);
		r->time = time_at(w, m, (uint64_t)s->stream_offset) + !out;
		r->cpu = (uint32_t)m->cpu;
		rec_sid(r, pid, s->tid);
		r->time = 0;
		r->cpu = 0;
		return rec_end(w->o, r);
	}
	if (!strcmp(s->type, "mmap") && s->path && s->path[0] &&
	    s->path[0] != '[' && s->len > 0 && s->prot >= 0 &&
	    (s->prot & PROT_EXEC)) {
		const struct image *im = image_of(w, s->path);
		uint16_t misc = MISC_USER;

		/* uapi PERF_RECORD_MMAP2: pid, tid, addr, len, pgoff, then
		 * maj/min/ino/ino_generation or (PERF_RECORD_MISC_MMAP_BUILD_ID)
		 * build_id_size, 3 reserved bytes, build_id[20]; prot, flags,
		 * filename[] (u64 aligned). */
		if (im->idlen)
			misc |= HWT_PERF_MISC_MMAP_BUILD_ID;
		rec_begin(r, HWT_PERF_RECORD_MMAP2, misc);
		r32(r, (uint32_t)pid);
		r32(r, (uint32_t)(s->tid >= 0 ? s->tid : pid));
		r64(r, (uint64_t)s->addr);
		r64(r, (uint64_t)s->len);
		r64(r, s->pgoff >= 0 ? (uint64_t)s->pgoff : 0);
		if (im->idlen) {
			uint8_t id[20] = { 0 };

			memcpy(id, im->id, im->idlen);
			r32(r, (uint32_t)im->idlen);
			rb(r, id, sizeof(id));
		} else {
			rb(r, NULL, 24);
		}
		r32(r, (uint32_t)s->prot);
		r32(r, s->flags >= 0 ? (uint32_t)s->flags : MAP_PRIVATE);
		rstr(r, s->path, 8);
		r->time = mono_time(w, s->time);
		rec_sid(r, pid, s->tid >= 0 ? s->tid : pid);
		r->time = 0;
		return rec_end(w->o, r);
	}
	return 0;
}

/* The params of one stream perf's intel_pt needs. */
struct pt_params {
	unsigned family, model, stepping;
	int have_cpu;
	int64_t mtc_freq, nom_freq, ctc_eax, ctc_ebx, retcomp;
};

/* Reads stream id's params into p.
 * Returns 0 if: read; -1 with err set if: session.db cannot be read. */
static int read_params(struct wctx *w, int64_t id, struct pt_params *p,
		       char *err, size_t errlen)
{
	static const char *const keys[] = { "mtc_freq", "nom_freq",
		"cpuid_15_eax", "cpuid_15_ebx", "ret_compression" };
	int64_t *vals[] = { &p->mtc_freq, &p->nom_freq, &p->ctc_eax,
			    &p->ctc_ebx, &p->retcomp };
	char v[64];
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = hwt_store_reader_param(w->r, id, "cpu", v, sizeof(v), err,
				    errlen);
	if (rc < 0)
		return -1;
	if (rc == 1 && hwt_parse_cpu(v, &p->family, &p->model,
				     &p->stepping) == 0 && p->family)
		p->have_cpu = 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		*vals[i] = -1;
		rc = hwt_store_reader_param(w->r, id, keys[i], v, sizeof(v),
					    err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 1)
			*vals[i] = strtoll(v, NULL, 0);
	}
	return 0;
}

/* The intel_pt attr's config from the params and the trace: pt, branch,
 * tsc where the trace has TSC packets (SDM vol. 3C 33.2.8.2 TSCEn), mtc
 * with its period, noretcomp where the session says returns were not
 * compressed.  Returns the config. */
static uint64_t pt_config(const struct pt_params *p, int tsc)
{
	uint64_t c = HWT_PERF_PT_CFG_PT | HWT_PERF_PT_CFG_BRANCH;

	if (tsc)
		c |= HWT_PERF_PT_CFG_TSC;
	if (p->mtc_freq >= 0 && p->mtc_freq <= 15)
		c |= HWT_PERF_PT_CFG_MTC | (uint64_t)p->mtc_freq << 14;
	if (p->retcomp == 0)
		c |= HWT_PERF_PT_CFG_NORETCOMP;
	return c;
}

/* Writes the attr section's one entry (uapi struct perf_event_attr,
 * PERF_ATTR_SIZE_VER7) and its ids section (one id, at ids_off).
 * Returns nothing. */
static void put_attr(struct out *o, uint64_t config, uint64_t ids_off,
		     int timed, int per_cpu)
{
	struct rec r;

	r.n = 0;
	r.too_big = 0;
	r32(&r, HWT_PERF_PT_PMU_TYPE);		/* type */
	r32(&r, ATTR_SIZE);			/* size */
	r64(&r, config);			/* config */
	r64(&r, 1);				/* sample_period */
	r64(&r, SAMPLE_TYPE | (timed ? S_TIME : 0) |
	    (per_cpu ? S_CPU : 0));			/* sample_type */
	r64(&r, 0);				/* read_format */
	r64(&r, A_EXCLUDE_KERNEL | A_EXCLUDE_HV | A_MMAP | A_COMM | A_TASK |
	    A_SAMPLE_ID_ALL | A_MMAP2 | A_COMM_EXEC |
	    (per_cpu ? A_CONTEXT_SWITCH : 0));
	rb(&r, NULL, ATTR_SIZE - r.n);		/* the rest: 0 */
	r64(&r, ids_off);			/* ids: offset */
	r64(&r, 8);				/* ids: size */
	r64(&r, ATTR_ID);			/* the ids */
	put(o, r.b, r.n);
}

/* Writes the intel_pt PERF_RECORD_AUXTRACE_INFO (perf/event.h
 * perf_record_auxtrace_info: type, reserved, priv[]; intel-pt.h's words).
 * Per-thread buffers, no snapshot, no sched_switch, no filter string;
 * the TSC conversion (cap_user_time_zero 1) where the trace has TSC, else
 * none (perf decodes "without timestamps").
 * Returns 0, or -1 if: the write failed. */
static int put_auxtrace_info(struct wctx *w, const struct pt_params *p)
{
	uint64_t priv[PT_PRIV_MAX];
	struct rec *r = &w->rec;
	size_t i;

	memset(priv, 0, sizeof(priv));
	priv[PT_PMU_TYPE] = HWT_PERF_PT_PMU_TYPE;
	priv[PT_TIME_MULT] = 1;
	if (w->rec.timed) {
		priv[PT_TIME_SHIFT] = w->tc.time_shift;
		priv[PT_TIME_MULT] = w->tc.time_mult;
		priv[PT_TIME_ZERO] = w->tc.time_zero;
		priv[PT_CAP_USER_TIME_ZERO] = 1;
	}
	if (w->cpu_mode) {	/* per-CPU buffers, context_switch attr */
		priv[PT_PER_CPU_MMAPS] = 1;
		priv[PT_HAVE_SCHED_SWITCH] = 2;
	}
	priv[PT_TSC_BIT] = HWT_PERF_PT_CFG_TSC;
	priv[PT_NORETCOMP_BIT] = HWT_PERF_PT_CFG_NORETCOMP;
	priv[PT_MTC_BIT] = HWT_PERF_PT_CFG_MTC;
	priv[PT_MTC_FREQ_BITS] = HWT_PERF_PT_CFG_MTC_PERIOD;
	/* CPUID.15H (SDM vol. 2A, CPUID leaf 15H): TSC/"core crystal
	 * clock" = EBX/EAX; perf's TSC_CTC_N is EBX, TSC_CTC_D EAX. */
	priv[PT_TSC_CTC_N] = p->ctc_ebx > 0 ? (uint64_t)p->ctc_ebx : 0;
	priv[PT_TSC_CTC_D] = p->ctc_eax > 0 ? (uint64_t)p->ctc_eax : 0;
	priv[PT_CYC_BIT] = HWT_PERF_PT_CFG_CYC;
	priv[PT_MAX_NONTURBO_RATIO] = p->nom_freq > 0 ?
				      (uint64_t)p->nom_freq : 0;
	rec_begin(r, HWT_PERF_RECORD_AUXTRACE_INFO, 0);
	r32(r, HWT_PERF_AUXTRACE_INTEL_PT);
	r32(r, 0);
	for (i = 0; i < PT_PRIV_MAX; i++)
		r64(r, priv[i]);
	return rec_end(w->o, r);
}

/* Packet boundaries of a stream's bytes (libipt's packet decoder), walked
 * forward: perf's Intel PT decoder (64-bit) takes no packet split across
 * two AUXTRACE buffers ("Bad packet"), so pieces end between packets. */
struct pkts {
	struct pt_packet_decoder *dec;	/* NULL: no boundary known */
	uint64_t cur;		/* a boundary: the next packet starts here */
	uint64_t size;
};

/* Starts the walk at offset at: at the first PSB from there (SDM vol. 3C
 * 33.4.2.3 "PSB": where a decoder synchronizes).  Returns nothing (no PSB:
 * no boundary from there on). */
static void pkts_sync(struct pkts *k, uint64_t at)
{
	uint64_t off;

	k->cur = k->size;
	if (!k->dec || at >= k->size ||
	    pt_pkt_sync_set(k->dec, at) < 0 ||
	    pt_pkt_sync_forward(k->dec) < 0 ||
	    pt_pkt_get_offset(k->dec, &off) < 0)
		return;
	k->cur = off;
}

/* Returns the last packet boundary at or before x that the walk reaches
 * (packets from a PSB on; after a damaged packet, the next PSB), or 0 if
 * there is none after the walk's position; the walk stays at the first
 * boundary not yet taken. */
static uint64_t pkts_boundary(struct pkts *k, uint64_t x)
{
	struct pt_packet pkt;
	uint64_t last = 0, off;

	while (k->cur <= x) {
		last = k->cur;
		if (k->cur == x)
			break;
		if (pt_pkt_next(k->dec, &pkt, sizeof(pkt)) < 0) {
			if (pt_pkt_sync_forward(k->dec) < 0 ||
			    pt_pkt_get_offset(k->dec, &off) < 0) {
				k->cur = k->size;	/* no more */
				break;
			}
			k->cur = off;
			continue;
		}
		if (pt_pkt_get_offset(k->dec, &off) < 0 || off <= k->cur) {
			k->cur = k->size;
			break;
		}
		if (off > x) {		/* this packet crosses x: stay */
			pt_pkt_sync_set(k->dec, k->cur);
			break;
		}
		k->cur = off;
	}
	return last;
}

/* The first TSC packet's value (SDM vol. 3C 33.4.2.11 "TSC": bits 55:0
 * of the TSC) into *tsc, packets read from each PSB on.
 * Returns 1 if: the bytes hold one; 0 if not (*tsc untouched). */
static int first_tsc(const struct pt_config *cfg, uint64_t *tsc)
{
	struct pt_packet_decoder *dec = pt_pkt_alloc_decoder(cfg);
	struct pt_packet pkt;
	int found = 0;

	while (dec && !found && pt_pkt_sync_forward(dec) >= 0)
		while (pt_pkt_next(dec, &pkt, sizeof(pkt)) >= 0)
			if (pkt.type == ppt_tsc) {
				*tsc = pkt.payload.tsc.tsc;
				found = 1;
				break;
			}
	pt_pkt_free_decoder(dec);
	return found;
}

/* Returns 1 if: a cut of the store reader is at offset x; 0 if not. */
static int cut_at(const struct hwt_store_cut *cuts, size_t ncuts, uint64_t x)
{
	size_t i;

	for (i = 0; i < ncuts; i++)
		if (cuts[i].offset == x)
			return 1;
	return 0;
}

/* Writes one stream: ITRACE_START, then per piece a PERF_RECORD_AUX and
 * its PERF_RECORD_AUXTRACE with the bytes, zero-padded to 8 (auxtrace.h:
 * AUXTRACE records keep perf's 8-byte alignment; zeros are Intel PT PAD
 * packets, SDM vol. 3C 33.4.2.13 "PAD", as perf record pads).  A piece is
 * a chunk, its end moved back to the packet boundary before it (a chunk
 * may end inside a packet; the rest goes with the next piece); where
 * bytes were lost (a cut of the store reader) and at the end, the piece
 * ends there.  A loss sets PERF_AUX_FLAG_TRUNCATED on the AUX record
 * ending where it is (a zero-size one if it is before the first byte).
 * Returns 0 if: written; -1 with w->err set if: read or write failed. */
static int put_stream(struct wctx *w, const struct hwt_store_stream *ss,
		      uint32_t idx)
{
	struct hwt_store_cut *cuts = NULL;
	uint64_t *ends = NULL, start = 0, aux_off = 0, *b, ref = 0;
	size_t size, ncuts, nends, nb = 0, i, k;
	int64_t pid = pid_of(w, -1, ss->tid), tid = ss->tid;
	struct rec *r = &w->rec;
	struct pt_config cfg;
	struct pkts pk;
	uint8_t *buf;
	int rc = 0;

	buf = hwt_store_reader_chunked(w->r, ss->id, &size, &cuts, &ncuts,
				       &ends, &nends, w->err, sizeof(w->err));
	if (!buf)
		return -1;
	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + size;
	memset(&pk, 0, sizeof(pk));
	pk.size = size;
	pk.dec = size ? pt_pkt_alloc_decoder(&cfg) : NULL;
	pkts_sync(&pk, 0);
	/* timed: each AUXTRACE's reference is a TSC of the stream (perf
	 * record's is the TSC when it read the buffer): perf's decoder takes
	 * the TSC's bits 63:56, which a TSC packet lacks, from it, and
	 * without one (0) perf 6.1 finds no timestamp and crashes on the
	 * first instruction it walks. */
	if (r->timed)
		first_tsc(&cfg, &ref);
	/* cpu mode: the CPU's buffer (AUXTRACE tid -1), tracing started by
	 * the first thread switched in (ITRACE_START) */
	r->cpu = w->cpu_mode ? (uint32_t)ss->cpu : 0;
	for (i = 0; i < w->nmaps; i++)
		if (w->maps[i].id == ss->id) {
			if (w->cpu_mode) {
				tid = w->maps[i].first_tid;
				pid = w->maps[i].first_pid;
			}
			/* timed: where the trace starts (its first
			 * thread's switch_in), just before its TSC */
			if (r->timed)
				r->time = time_at(w, &w->maps[i],
						  w->maps[i].first_off);
		}
	/* uapi PERF_RECORD_ITRACE_START: pid, tid */
	rec_begin(r, HWT_PERF_RECORD_ITRACE_START, 0);
	r32(r, (uint32_t)pid);
	r32(r, (uint32_t)tid);
	rec_sid(r, pid, tid);
	r->time = 0;
	rc = rec_end(w->o, r);
	/* The piece boundaries: chunk ends and cuts, ascending, unique. */
	b = hwt_xrealloc(NULL, (nends + ncuts + 2) * sizeof(*b));
	for (i = 0; i < nends; i++)
		b[nb++] = ends[i];
	b[nb++] = size;
	for (i = 0; i < ncuts; i++)
		if (cuts[i].offset > 0 && cuts[i].offset < size)
			b[nb++] = cuts[i].offset;
	for (i = 1; i < nb; i++)		/* insertion sort: nearly sorted */
		for (k = i; k > 0 && b[k - 1] > b[k]; k--) {
			uint64_t t = b[k];

			b[k] = b[k - 1];
			b[k - 1] = t;
		}
	if (ncuts && cuts[0].offset == 0 && !rc) {
		/* lost before the first byte: a zero-size truncated AUX */
		rec_begin(r, HWT_PERF_RECORD_AUX, 0);
		r64(r, 0);
		r64(r, 0);
		r64(r, HWT_PERF_AUX_TRUNCATED);
		rec_sid(r, pid, tid);
		rc = rec_end(w->o, r);
	}
	for (i = 0; i < nb && !rc; i++) {
		uint64_t end = b[i], n, padded;
		uint64_t flags = 0;
		int hard;

		if (end <= start || end > size)
			continue;
		hard = end == size || cut_at(cuts, ncuts, end);
		if (!hard) {		/* a chunk end: moved to a packet's */
			end = pkts_boundary(&pk, end);
			if (end <= start)
				continue;
		}
		n = end - start;
		padded = (n + AUX_ALIGN - 1) / AUX_ALIGN * AUX_ALIGN;
		if (end < size && cut_at(cuts, ncuts, end))
			flags |= HWT_PERF_AUX_TRUNCATED;
		/* uapi PERF_RECORD_AUX: aux_offset, aux_size, flags */
		rec_begin(r, HWT_PERF_RECORD_AUX, 0);
		r64(r, aux_off);
		r64(r, padded);
		r64(r, flags);
		rec_sid(r, pid, tid);
		rc = rec_end(w->o, r);
		if (rc)
			break;
		/* perf/event.h perf_record_auxtrace: size, offset, reference,
		 * idx, tid, cpu (-1: per-thread), reserved; size bytes follow */
		rec_begin(r, HWT_PERF_RECORD_AUXTRACE, 0);
		r64(r, padded);
		r64(r, aux_off);
		r64(r, ref);
		r32(r, idx);
		r32(r, w->cpu_mode ? UINT32_MAX : (uint32_t)ss->tid);
		r32(r, w->cpu_mode ? (uint32_t)ss->cpu : UINT32_MAX);
		r32(r, 0);
		rc = rec_end(w->o, r);
		put(w->o, buf + start, n);
		put_zeros(w->o, padded - n);
		if (w->o->failed)
			rc = -1;
		aux_off += padded;
		start = end;
		if (hard)		/* after a loss: the next PSB */
			pkts_sync(&pk, end);
	}
	pt_pkt_free_decoder(pk.dec);
	free(b);
	free(ends);
	free(cuts);
	free(buf);
	if (rc && !w->err[0])
		snprintf(w->err, sizeof(w->err), "%s", w->o->msg);
	return rc;
}

/* Every TSC packet of the bytes (SDM vol. 3C 33.4.2.11), from each PSB
 * on, with its offset, into m (ascending).  Returns nothing. */
static void tsc_packets(const struct pt_config *cfg, struct tscmap *m)
{
	struct pt_packet_decoder *dec = pt_pkt_alloc_decoder(cfg);
	struct pt_packet pkt;
	uint64_t off;

	while (dec && pt_pkt_sync_forward(dec) >= 0)
		while (pt_pkt_get_offset(dec, &off) >= 0 &&
		       pt_pkt_next(dec, &pkt, sizeof(pkt)) >= 0)
			if (pkt.type == ppt_tsc &&
			    (!m->n || off > m->off[m->n - 1])) {
				m->off = hwt_xrealloc(m->off, (m->n + 1) *
						      sizeof(*m->off));
				m->tsc = hwt_xrealloc(m->tsc, (m->n + 1) *
						      sizeof(*m->tsc));
				m->off[m->n] = off;
				m->tsc[m->n++] = pkt.payload.tsc.tsc;
			}
	pt_pkt_free_decoder(dec);
}

/* The perf time of stream offset `at` of the stream m maps: that of the
 * last TSC packet before it + 1 ns (the switch comes after every
 * instruction timed by that TSC); before the first TSC, 2 ns before its
 * time.  Returns it. */
static uint64_t time_at(const struct wctx *w, const struct tscmap *m,
			uint64_t at)
{
	uint64_t tsc = 0;
	size_t i;

	for (i = 0; i < m->n && m->off[i] < at; i++)
		tsc = m->tsc[i];
	if (!i) {	/* before the first TSC: just before its time */
		tsc = hwt_perf_tsc_to_time(&w->tc, m->n ? m->tsc[0] : 0);
		return tsc > 2 ? tsc - 2 : 0;
	}
	return hwt_perf_tsc_to_time(&w->tc, tsc) + 1;
}

/* qsort order of ties: by mono, then t.  Returns <0, 0, >0. */
static int cmp_tie(const void *a, const void *b)
{
	const struct hwt_perf_tie *x = a, *y = b;

	if (x->mono != y->mono)
		return x->mono < y->mono ? -1 : 1;
	return (x->t > y->t) - (x->t < y->t);
}

/*
 * The points that tie the session's CLOCK_MONOTONIC to the trace
 * (mono_time()): each switch_in with a time (> 0) and, in its stream,
 * a TSC packet at or after its stream_offset and before the next
 * switch_in's (its own task's: a task switched in with no trace of its
 * own, such as idle, ties nothing), sorted by time; a point
 * whose trace time is below an earlier point's (clocks that disagree)
 * is dropped, so that the mapping never runs backwards.  A stream whose
 * switch_ins cannot be read (no offset, offsets out of order) ties
 * nothing: its records then keep time 0, the export goes on.
 * Returns nothing.
 */
static void tie_clocks(struct wctx *w)
{
	size_t i, j, k, n, keep;
	char err[256];

	for (i = 0; i < w->nmaps; i++) {
		const struct tscmap *m = &w->maps[i];
		struct hwt_store_switch_in *si = NULL;

		if (hwt_store_reader_switch_ins(w->r, m->id, &si, &n, err,
						sizeof(err)) < 0)
			continue;
		for (j = 0, k = 0; j < n; j++) {
			uint64_t next = j + 1 < n ? si[j + 1].offset :
				UINT64_MAX;

			while (k < m->n && m->off[k] < si[j].offset)
				k++;
			if (k == m->n)
				break;
			if (si[j].time <= 0 || m->off[k] >= next)
				continue;
			w->pts = hwt_xrealloc(w->pts, (w->npts + 1) *
					      sizeof(*w->pts));
			w->pts[w->npts].mono = si[j].time;
			w->pts[w->npts++].t =
				hwt_perf_tsc_to_time(&w->tc, m->tsc[k]);
		}
		free(si);
	}
	if (w->npts)
		qsort(w->pts, w->npts, sizeof(*w->pts), cmp_tie);
	for (i = 0, keep = 0; i < w->npts; i++)
		if (!keep || w->pts[i].t >= w->pts[keep - 1].t)
			w->pts[keep++] = w->pts[i];
	w->npts = keep;
}

/* Raises thread tid's trace end (w->ends) to t.  Returns nothing. */
static void raise_end(struct wctx *w, int64_t tid, uint64_t t)
{
	size_t i;

	for (i = 0; i < w->nends && w->ends[i].tid != tid; i++)
		;
	if (i == w->nends) {
		w->ends = hwt_xrealloc(w->ends, (i + 1) * sizeof(*w->ends));
		w->ends[w->nends].tid = tid;
		w->ends[w->nends++].t = 0;
	}
	if (w->ends[i].t < t)
		w->ends[i].t = t;
}

/* A switch_out of a CPU-mode stream: its thread's trace ends at the
 * switch's offset (time_at(): after the last TSC before it).  Returns 0. */
static int end_at_switch_out(void *arg, const struct hwt_store_record *s)
{
	struct wctx *w = arg;
	size_t i;

	if (strcmp(s->type, "switch_out") || s->tid < 0 ||
	    s->stream_offset < 0)
		return 0;
	for (i = 0; i < w->nmaps; i++)
		if (w->maps[i].id == s->stream && w->maps[i].n &&
		    w->maps[i].off[0] < (uint64_t)s->stream_offset)
			raise_end(w, s->tid, time_at(w, &w->maps[i],
					(uint64_t)s->stream_offset));
	return 0;
}

/*
 * Where each thread's trace ends in perf time (w->ends), so that its
 * EXIT comes after its last instruction whatever mono_time() gives: the
 * clocks are tied only at switch_ins, and past the last one the
 * extrapolation with the session's mean rate can fall short of the
 * trace's end (seen: an EXIT 71 ms before perf's last instruction of a
 * thread, in a VM whose TSC and CLOCK_MONOTONIC drift apart).  A
 * thread's own stream ends just after its last TSC packet (perf times an
 * instruction by the last TSC before it: no MTC or CYC is written); in
 * CPU mode, at each of its switch_outs.  A switch record that cannot be
 * read only leaves that thread without an end.  Returns nothing.
 */
static void thread_ends(struct wctx *w)
{
	char err[256];
	size_t i;

	for (i = 0; i < w->nmaps; i++)
		if (w->maps[i].tid >= 0 && w->maps[i].n)
			raise_end(w, w->maps[i].tid, hwt_perf_tsc_to_time(
				&w->tc, w->maps[i].tsc[w->maps[i].n - 1]) + 1);
	if (!w->cpu_mode)
		return;
	if (!hwt_store_reader_records(w->r, end_at_switch_out, w, err,
				      sizeof(err)))
		hwt_store_reader_switches(w->r, end_at_switch_out, w, err,
					  sizeof(err));
}

/*
 * Whether a stream's trace has TSC packets (w->tsc), whether they are
 * time (w->rec.timed: not the soft backend's instruction clock) and, if
 * so, the conversion written (w->tc): a TSC counting at the nominal
 * frequency (Intel: max non-turbo ratio x 100 MHz, SDM vol. 3B 18.17
 * "Time-Stamp Counter": "the TSC increments at the maximum resolved
 * frequency"; MSR_PLATFORM_INFO's ratio is what perf records as
 * MAX_NONTURBO_RATIO), else 1 GHz (perf time = TSC); time_zero 0.
 * Returns 0 if: read; -1 with err set if: a stream cannot be read.
 */
static int scan_tsc(struct wctx *w, const struct hwt_store_stream *st,
		    size_t n, const struct pt_params *p, char *err,
		    size_t errlen)
{
	size_t i, size, ncuts;
	char clock[16];
	uint64_t tsc;

	w->maps = hwt_xrealloc(NULL, n * sizeof(*w->maps));
	for (i = 0; i < n; i++) {
		struct hwt_store_cut *cuts = NULL;
		struct pt_config cfg;
		uint8_t *buf;

		buf = hwt_store_reader_bytes(w->r, st[i].id, &size, &cuts,
					     &ncuts, err, errlen);
		if (!buf)
			return -1;
		pt_config_init(&cfg);
		cfg.begin = buf;
		cfg.end = buf + size;
		if (size && first_tsc(&cfg, &tsc))
			w->tsc = 1;
		{
			struct tscmap *m = &w->maps[w->nmaps++];

			memset(m, 0, sizeof(*m));
			m->id = st[i].id;
			m->cpu = st[i].cpu;
			m->tid = st[i].tid;
			m->first_pid = m->first_tid = -1;
			if (size)
				tsc_packets(&cfg, m);
		}
		free(cuts);
		free(buf);
	}
	/* The soft backend's TSC counts instructions (clock=insn), not
	 * time: perf could not place it among the sideband's times (and
	 * perf 6.1 stops on a first TSC of 0), so its file is untimed. */
	w->rec.timed = w->tsc;
	if (n && hwt_store_reader_param(w->r, st[0].id, "clock", clock,
					sizeof(clock), err, errlen) > 0 &&
	    !strcmp(clock, "insn"))
		w->rec.timed = 0;
	w->rec.per_cpu = w->cpu_mode;
	if (w->cpu_mode && !w->rec.timed)
		return hwt_errf(err, errlen, "%s: a cpu-mode session without "
				"TSC packets of time: perf.data's context-switch"
				" records need the trace's time (record with "
				"TSC)", w->dir);
	if (w->rec.timed &&
	    hwt_perf_tsc_conv_for_hz(p->nom_freq > 0 ?
				     (uint64_t)p->nom_freq * 100000000ull :
				     1000000000ull, &w->tc) < 0)
		hwt_perf_tsc_conv_for_hz(1000000000ull, &w->tc);
	if (w->rec.timed) {
		tie_clocks(w);
		thread_ends(w);
	}
	return 0;
}

/* Writes PERF_RECORD_TIME_CONV (perf/event.h perf_record_time_conv:
 * time_shift, time_mult, time_zero, time_cycles, time_mask, u8
 * cap_user_time_zero, u8 cap_user_time_short, 6 reserved; perf 5.10's
 * size, what perf 6.1 writes).  Returns 0, or -1 if: the write failed. */
static int put_time_conv(struct wctx *w)
{
	struct rec *r = &w->rec;

	rec_begin(r, HWT_PERF_RECORD_TIME_CONV, 0);
	r64(r, w->tc.time_shift);
	r64(r, w->tc.time_mult);
	r64(r, w->tc.time_zero);
	r64(r, 0);
	r64(r, 0);
	rb(r, (uint8_t[8]){ 1, 0, 0, 0, 0, 0, 0, 0 }, 8);
	return rec_end(w->o, r);
}

/* ---- feature sections ---- */

/* Appends a perf_header_string (format.txt: u32 len, then the string
 * with its NUL, padded to 64).  Returns nothing. */
static void rhstr(struct rec *r, const char *s)
{
	size_t n = strlen(s) + 1;

	r32(r, (uint32_t)((n + NAME_ALIGN - 1) / NAME_ALIGN * NAME_ALIGN));
	rstr(r, s, NAME_ALIGN);
}

/* The HEADER_BUILD_ID section (format.txt: build_id_event entries, as
 * perf's write_buildid: header with misc USER | BUILD_ID_SIZE, pid -1 (the
 * host machine), build_id[20] + size byte + 3 reserved, the file name
 * padded to 64) into a malloc'd buffer.  Returns it, *n its size. */
static uint8_t *build_id_section(const struct wctx *w, size_t *n)
{
	uint8_t *out = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < w->nimages; i++) {
		const struct image *im = &w->images[i];
		struct rec r;
		uint8_t id[20] = { 0 };

		if (!im->idlen)
			continue;
		memcpy(id, im->id, im->idlen);
		rec_begin(&r, 0, MISC_USER | MISC_BUILD_ID_SIZE);
		r32(&r, UINT32_MAX);			/* pid -1 */
		rb(&r, id, sizeof(id));
		rb(&r, (uint8_t[4]){ (uint8_t)im->idlen, 0, 0, 0 }, 4);
		rstr(&r, im->path, NAME_ALIGN);
		if (r.too_big)
			continue;
		r.b[6] = (uint8_t)r.n;
		r.b[7] = (uint8_t)(r.n >> 8);
		out = hwt_xrealloc(out, *n + r.n);
		memcpy(out + *n, r.b, r.n);
		*n += r.n;
	}
	return out;
}

struct feat {
	int bit;
	uint8_t *data;
	size_t size;
};

/* Writes the feature index (format.txt: a perf_file_section per set bit,
 * in bit order, after the data section) and the sections.
 * Returns nothing (failures are in o). */
static void put_features(struct out *o, struct feat *ft, size_t nft)
{
	uint64_t off = o->pos + 16 * nft;
	size_t i;
	struct rec r;

	r.n = 0;
	r.too_big = 0;
	for (i = 0; i < nft; i++) {
		r64(&r, off);
		r64(&r, ft[i].size);
		off += ft[i].size;
	}
	put(o, r.b, r.n);
	for (i = 0; i < nft; i++)
		put(o, ft[i].data, ft[i].size);
}

/* A feature holding one perf_header_string s.  Returns nothing. */
static void str_feat(struct feat *f, int bit, const char *s)
{
	struct rec r;

	r.n = 0;
	r.too_big = 0;
	rhstr(&r, s);
	f->bit = bit;
	f->size = r.n;
	f->data = hwt_xrealloc(NULL, r.n);
	memcpy(f->data, r.b, r.n);
}

/* ---- the file ---- */

/* Checks that perf can represent the session: x86_64, thread mode, every
 * stream Intel PT with a thread.
 * Returns 0 if: it can; -1 with err set (the reason) if: not. */
static int check_session(struct wctx *w, const struct hwt_store_stream *st,
			 size_t n, char *err, size_t errlen)
{
	char v[64];
	size_t i;
	int rc;

	rc = hwt_store_reader_meta(w->r, "mode", v, sizeof(v), err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1 && !strcmp(v, "cpu"))
		w->cpu_mode = 1;
	else if (rc == 1 && strcmp(v, "thread"))
		return hwt_errf(err, errlen, "%s: a %s-mode session: thread "
				"or cpu mode expected", w->dir, v);
	if (!n)
		return hwt_errf(err, errlen, "%s: no stream: nothing to "
				"export", w->dir);
	for (i = 0; i < n; i++) {
		if (strcmp(st[i].kind, "intel_pt"))
			return hwt_errf(err, errlen, "%s: stream %lld is %s: "
					"hwt export --perf-data writes Intel "
					"PT sessions only (CoreSight: not yet)",
					w->dir, (long long)st[i].id,
					st[i].kind);
		if (!w->cpu_mode && st[i].tid < 0)
			return hwt_errf(err, errlen, "%s: stream %lld has no "
					"thread: perf's per-thread buffers "
					"need one", w->dir,
					(long long)st[i].id);
		if (w->cpu_mode && st[i].cpu < 0)
			return hwt_errf(err, errlen, "%s: stream %lld of a "
					"cpu-mode session has no CPU", w->dir,
					(long long)st[i].id);
	}
	return 0;
}

/* Writes the whole file.  Returns 0, or -1 with err set. */
static int write_file(struct wctx *w, char *err, size_t errlen)
{
	struct hwt_store_stream *st = NULL;
	struct pt_params p;
	struct feat ft[5];
	size_t n = 0, nft = 0, i;
	uint64_t data_off = HDR_SIZE + ATTR_ENTRY + 8, data_end;
	char v[256];
	int rc = -1;
	struct rec hdr;

	memset(ft, 0, sizeof(ft));
	if (hwt_store_reader_streams(w->r, &st, &n, err, errlen) < 0)
		return -1;
	if (check_session(w, st, n, err, errlen) < 0 ||
	    read_params(w, st[0].id, &p, err, errlen) < 0)
		goto out;
	switch (hwt_store_reader_meta(w->r, "target_pid", v, sizeof(v), err,
				      errlen)) {
	case -1:
		goto out;
	case 1:
		w->pid = strtoll(v, NULL, 0);
		break;
	}
	if (scan_tsc(w, st, n, &p, err, errlen) < 0)
		goto out;
	/* the header, rewritten at the end */
	put_zeros(w->o, HDR_SIZE);
	put_attr(w->o, pt_config(&p, w->tsc), HDR_SIZE + ATTR_ENTRY,
		 w->rec.timed, w->cpu_mode);
	if (w->rec.timed && put_time_conv(w) < 0)
		goto wfail;
	if (put_auxtrace_info(w, &p) < 0)
		goto wfail;
	rc = hwt_store_reader_records(w->r, pre_record, w, err, errlen);
	if (!rc)
		rc = hwt_store_reader_records(w->r, on_record, w, err,
					      errlen);
	if (!rc && w->cpu_mode)	/* format 2's packed switches */
		rc = hwt_store_reader_switches(w->r, on_record, w, err,
					       errlen);
	if (rc) {
		if (w->o->failed)
			goto wfail;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (put_stream(w, &st[i], (uint32_t)i) < 0) {
			hwt_errf(err, errlen, "%s: stream %lld: %s", w->dir,
				 (long long)st[i].id, w->err);
			rc = -1;
			goto out;
		}
	data_end = w->o->pos;
	/* features, in bit order */
	ft[nft].bit = FEAT_BUILD_ID;
	ft[nft].data = build_id_section(w, &ft[nft].size);
	nft++;
	if (hwt_store_reader_meta(w->r, "kernel", v, sizeof(v), err,
				  errlen) == 1)
		str_feat(&ft[nft++], FEAT_OSRELEASE, v);
	str_feat(&ft[nft++], FEAT_ARCH, "x86_64");
	if (p.have_cpu) {
		snprintf(v, sizeof(v), "GenuineIntel,%u,%u,%u", p.family,
			 p.model, p.stepping);
		str_feat(&ft[nft++], FEAT_CPUID, v);
	}
	{	/* HEADER_PMU_MAPPINGS: u32 count, then u32 type + string */
		struct rec r;

		r.n = 0;
		r.too_big = 0;
		r32(&r, 1);
		r32(&r, HWT_PERF_PT_PMU_TYPE);
		rhstr(&r, "intel_pt");
		ft[nft].bit = FEAT_PMU_MAPPINGS;
		ft[nft].size = r.n;
		ft[nft].data = hwt_xrealloc(NULL, r.n);
		memcpy(ft[nft++].data, r.b, r.n);
	}
	put_features(w->o, ft, nft);
	if (w->o->failed)
		goto wfail;
	/* format.txt "The file header" */
	hdr.n = 0;
	hdr.too_big = 0;
	rb(&hdr, "PERFILE2", 8);
	r64(&hdr, HDR_SIZE);
	r64(&hdr, ATTR_ENTRY);
	r64(&hdr, HDR_SIZE);			/* attrs */
	r64(&hdr, ATTR_ENTRY);
	r64(&hdr, data_off);			/* data */
	r64(&hdr, data_end - data_off);
	r64(&hdr, 0);				/* event_types */
	r64(&hdr, 0);
	{
		uint8_t bits[32] = { 0 };

		for (i = 0; i < nft; i++)
			bits[ft[i].bit / 8] |= (uint8_t)(1u << ft[i].bit % 8);
		rb(&hdr, bits, sizeof(bits));
	}
	if (fflush(w->o->f) || fseeko(w->o->f, 0, SEEK_SET)) {
		hwt_errf(err, errlen, "seeking to the header: %s (perf.data "
			 "needs a regular file)", strerror(errno));
		rc = -1;
		goto out;
	}
	w->o->pos = 0;
	put(w->o, hdr.b, hdr.n);
	put_attr(w->o, pt_config(&p, w->tsc), HDR_SIZE + ATTR_ENTRY,
		 w->rec.timed, w->cpu_mode);
	if (!w->o->failed && fflush(w->o->f)) {
		w->o->failed = 1;
		snprintf(w->o->msg, sizeof(w->o->msg), "flushing: %s",
			 strerror(errno));
	}
	if (w->o->failed)
		goto wfail;
	rc = 0;
	goto out;
wfail:
	hwt_errf(err, errlen, "%s", w->o->msg);
	rc = -1;
out:
	for (i = 0; i < nft; i++)
		free(ft[i].data);
	free(st);
	return rc;
}

int hwt_perf_write_session(const char *dir, FILE *out, char *err,
			   size_t errlen)
{
	struct out o = { .f = out };
	struct wctx *w;
	size_t i;
	int rc;

	w = hwt_xrealloc(NULL, sizeof(*w));
	memset(w, 0, sizeof(*w));
	w->dir = dir;
	w->o = &o;
	w->pid = -1;
	w->r = hwt_store_reader_open(dir, err, errlen);
	if (!w->r) {
		free(w);
		return -1;
	}
	rc = write_file(w, err, errlen);
	for (i = 0; i < w->nmaps; i++) {
		free(w->maps[i].off);
		free(w->maps[i].tsc);
	}
	free(w->maps);
	free(w->pts);
	free(w->ends);
	free(w->exec_comms);
	free(w->bare_execs);
	free(w->last_comm);
	for (i = 0; i < w->nimages; i++)
		free(w->images[i].path);
	free(w->images);
	hwt_store_reader_close(w->r);
	free(w);
	return rc;
}

int hwt_export_perf_data(const char *session, const char *out, char *err,
			 size_t errlen)
{
	struct stat sb;
	FILE *f;
	int rc;

	if (stat(session, &sb) || !S_ISDIR(sb.st_mode))
		return hwt_errf(err, errlen, "%s: not a session directory (a "
				"decoded database holds no trace bytes: export "
				"the session it was decoded from)", session);
	if (!strcmp(out, "-"))
		return hwt_errf(err, errlen, "perf.data to standard output: "
				"not written (the header is written last, "
				"the file must be seekable)");
	f = fopen(out, "w");
	if (!f)
		return hwt_errf(err, errlen, "%s: %s", out, strerror(errno));
	rc = hwt_perf_write_session(session, f, err, errlen);
	if (fclose(f) && !rc)
		rc = hwt_errf(err, errlen, "%s: %s", out, strerror(errno));
	if (rc)
		unlink(out);	/* no half a file */
	return rc;
}
