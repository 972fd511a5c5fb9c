/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decode entries: a raw PT file or buffer (ptxed style), a trace session
 * directory (docs/trace-store.md), an OpenCSD snapshot (CoreSight front
 * end).  Each builds an image, a core (the database writer) and runs the
 * front end over every stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hwt/hwt.h"
#include "core/util.h"
#include "image/image.h"
#include "db/db.h"
#include "core/core.h"
#include "pt/pt_frontend.h"
#include "core/flow.h"
#include "cs/cs_frontend.h"
#include "perf/perf_decode.h"
#include "perf/perf_sideband.h"
#include "db/sideband.h"
#include "session_cpu.h"
#include "session_sideband.h"
#include "store_reader.h"

static int check_output(const char *out, const char *in_dir,
			const char *in_file, char *err, size_t errlen);

int hwt_parse_cpu(const char *s, unsigned *family, unsigned *model,
		  unsigned *stepping)
{
	unsigned long v[3] = { 0, 0, 0 };
	const char *p = s;
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		if (!*p || *p == '-' || *p == '+')
			return -1;
		errno = 0;
		v[i] = strtoul(p, &end, 0);
		if (errno || end == p || v[i] > 0xffff)
			return -1;
		p = end;
		if (!*p)
			break;
		if (*p != '/' || i == 2)
			return -1;
		p++;
	}
	if (i < 1 || v[1] > 0xff || v[2] > 0xff)
		return -1;	/* needs at least F/M */
	*family = (unsigned)v[0];
	*model = (unsigned)v[1];
	*stepping = (unsigned)v[2];
	return 0;
}

static int cpu_params(const char *cpu, struct hwt_pt_params *p, char *err,
		      size_t errlen)
{
	if (!cpu)
		return 0;
	if (hwt_parse_cpu(cpu, &p->family, &p->model, &p->stepping) < 0) {
		hwt_errf(err, errlen, "unknown CPU '%s' (expected "
			   "family/model[/stepping], e.g. 6/142/10)", cpu);
		return -1;
	}
	return 0;
}

int hwt_decode_pt_buffer(const uint8_t *buf, size_t size,
			 struct hwt_image *img,
			 const struct hwt_decode_opts *opts,
			 char *err, size_t errlen)
{
	struct hwt_pt_params params;
	struct hwt_stream_info info;
	const struct hwt_sink *sink;
	struct hwt_core *core;
	int rc;

	memset(&params, 0, sizeof(params));
	if (cpu_params(opts->cpu, &params, err, errlen) < 0)
		return -1;
	params.threads = opts->threads;
	params.no_fastpath = opts->test.pt_no_fastpath;
	params.segment_min = opts->test.pt_segment_min;
	params.reverse_segments = opts->test.pt_reverse_segments;
	params.segmented = opts->segmented;
	params.stats = opts->pt_stats;
	if (img)
		hwt_image_set_dwarf_cache(img, opts);
	core = hwt_core_alloc(opts, img, err, errlen);
	if (!core)
		return -1;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_core_set_total(core, size);
	hwt_db_session(hwt_core_db(core), "pt", "intel_pt");
	memset(&info, 0, sizeof(info));
	info.id = 0;
	info.tid = -1;
	info.cpu = -1;
	info.trace_id = -1;
	info.name = "pt";
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	sink = hwt_core_sink(core);
	rc = sink->stream_begin(sink->arg, &info);
	if (rc >= 0)
		rc = hwt_pt_decode(buf, size, img, &params, &info, sink, err,
				   errlen);
	if (rc < 0) {
		hwt_core_free(core);
		return -1;
	}
	return hwt_core_finish(core, err, errlen);
}

/* Intel PT emits a PSB+ at least every 64 KiB of trace (SDM 33.2.7.2,
 * IA32_RTIT_CTL.PSBFreq: at most 64K bytes), so a file without one in its
 * first MiB is no PT trace, whatever its name. */
#define PT_SYNC_WINDOW	(1u << 20)

/*
 * A --pt file that is something else: an empty decode with exit 0 would
 * hide it.
 * Returns 0 if buf may be raw Intel PT (a PSB in its first MiB).
 * Returns -1 with err naming what it is (perf.data, SQLite, ELF) or
 * saying no PSB was found.
 */
static int not_pt(const char *path, const uint8_t *buf, size_t size,
		  char *err, size_t errlen)
{
	static const uint8_t psb[16] = { 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
					 0x02, 0x82, 0x02, 0x82, 0x02, 0x82,
					 0x02, 0x82, 0x02, 0x82 };
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} other[] = {
		{ "PERFILE2", 8, "a perf.data file, not raw Intel PT: give it "
				 "without --pt" },
		{ "SQLite format 3", 16, "an SQLite database (hwt replay, "
					 "report and query read decoded ones)" },
		{ "\177ELF", 4, "an ELF file: programs go with --elf" },
	};
	size_t i;

	for (i = 0; i < HWT_ARRAY_SIZE(other); i++)
		if (size >= other[i].len &&
		    !memcmp(buf, other[i].magic, other[i].len))
			return hwt_errf(err, errlen, "%s: %s", path,
					other[i].what);
	if (!memmem(buf, size < PT_SYNC_WINDOW ? size : PT_SYNC_WINDOW, psb,
		    sizeof(psb)))
		return hwt_errf(err, errlen, "%s: not an Intel PT trace (no "
				"PSB packet in its first %zu bytes)", path,
				size < PT_SYNC_WINDOW ? size : PT_SYNC_WINDOW);
	return 0;
}

int hwt_decode_pt_file(const char *pt_path, struct hwt_image *img,
		       const struct hwt_decode_opts *opts,
		       char *err, size_t errlen)
{
	const uint8_t *buf;
	size_t size;

	if (check_output(opts->out, NULL, pt_path, err, errlen) < 0)
		return -1;
	buf = hwt_map_file(pt_path, &size, err, errlen);
	if (!buf)
		return -1;
	if (!size) {
		hwt_errf(err, errlen, "%s: empty trace file", pt_path);
		return -1;
	}
	if (not_pt(pt_path, buf, size, err, errlen) < 0)
		return -1;
	return hwt_decode_pt_buffer(buf, size, img, opts, err, errlen);
}

int hwt_decode_snapshot(const char *dir, struct hwt_image *img,
			const struct hwt_decode_opts *opts,
			char *err, size_t errlen)
{
	struct hwt_cs_snapshot_opts cs = {
		.only_trace_id = -1,
		.no_fork = opts->test.cs_no_fork,
		.abort_on_child_exit = opts->test.cs_abort_on_child_exit,
		.buffer = opts->snapshot_buffer,
	};
	struct hwt_core *core;
	int rc;

	if (check_output(opts->out, dir, NULL, err, errlen) < 0)
		return -1;
	/* The snapshot's memory dumps are its images (CoreSight helper). */
	if (hwt_cs_snapshot_add_images(dir, img, err, errlen) < 0)
		return -1;
	hwt_image_set_dwarf_cache(img, opts);
	core = hwt_core_alloc(opts, img, err, errlen);
	if (!core)
		return -1;
	hwt_core_set_no_calls(core, opts->no_calls);
	hwt_db_session(hwt_core_db(core), dir, "coresight");
	rc = hwt_cs_decode_snapshot_opts(dir, &cs, hwt_core_sink(core), err,
					 errlen);
	if (rc < 0) {
		hwt_core_free(core);
		return -1;
	}
	return hwt_core_finish(core, err, errlen);
}

int hwt_is_perf_data(const char *path)
{
	char magic[8];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == (ssize_t)sizeof(magic) && !memcmp(magic, "PERFILE2", 8);
}

/*
 * Every record of pd's file as a sideband row, then the threads and
 * comms they name (db/sideband.h).
 * Returns 0 if: written.
 * Returns -1 with err set if: SQLite failed.
 */
static int perf_sideband(struct hwt_perf_decode *pd, struct hwt_core *core,
			 char *err, size_t errlen)
{
	struct hwt_sideband *sb;
	int rc;

	sb = hwt_sideband_open(hwt_db_handle(hwt_core_db(core)), "perf.data",
			       err, errlen);
	if (!sb)
		return -1;
	rc = hwt_perf_sideband(hwt_perf_decode_file(pd), sb, err, errlen);
	if (hwt_sideband_close(sb, rc < 0 ? NULL : err, errlen) < 0)
		rc = -1;
	return rc;
}

int hwt_decode_perf_data(const char *path, const struct hwt_decode_opts *opts,
			 char *err, size_t errlen)
{
	struct hwt_perf_decode *pd;
	struct hwt_image *img;
	struct hwt_core *core;
	int rc = -1;

	if (check_output(opts->out, NULL, path, err, errlen) < 0)
		return -1;
	pd = hwt_perf_decode_open(path, opts, err, errlen);
	if (!pd)
		return -1;
	img = hwt_image_alloc();
	hwt_image_set_debug_dirs(img, opts->debug_dirs);
	hwt_image_set_dwarf_cache(img, opts);
	hwt_perf_decode_images(pd, img);
	core = hwt_core_alloc(opts, img, err, errlen);
	if (core) {
		hwt_core_set_no_calls(core, opts->no_calls);
		hwt_db_session(hwt_core_db(core), path, "perf.data");
		if (hwt_perf_decode_run(pd, img, core, err, errlen) < 0 ||
		    perf_sideband(pd, core, err, errlen) < 0)
			hwt_core_free(core);
		else
			rc = hwt_core_finish(core, err, errlen);
	}
	hwt_perf_decode_close(pd);
	hwt_image_free(img);
	return rc;
}

/* ---- the output: never inside an input ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * OUT must not lie inside the input directory in_dir (a session or a
 * snapshot) or inside any session directory, nor be the input file
 * in_file: the decode (and its rename) would replace what it reads.
 * 0, or -1 with err set.
 */
static int check_output(const char *out, const char *in_dir,
			const char *in_file, char *err, size_t errlen)
{
	char parent[PATH_MAX], real[PATH_MAX];
	struct stat in, sb, osb;
	char *slash;
	int first = 1;

	if (!out || !strcmp(out, ":memory:"))
		return 0;
	if (in_file && !stat(in_file, &in) && !stat(out, &osb) &&
	    same_file(&in, &osb)) {
		hwt_errf(err, errlen, "%s is the input %s: refused", out,
			   in_file);
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", out);
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = 0;
	else
		*slash = 0;
	if (!realpath(parent, real))
		return 0;	/* creating OUT.tmp will say why */
	if (in_dir && stat(in_dir, &in))
		in_dir = NULL;
	for (;;) {
		char probe[PATH_MAX + 16];

		if (stat(real, &sb))
			return 0;
		if (in_dir && same_file(&sb, &in)) {
			hwt_errf(err, errlen, "%s is inside the input %s: "
				   "refused (give an output outside it)", out,
				   in_dir);
			return -1;
		}
		snprintf(probe, sizeof(probe), "%s/session.db", real);
		if (first && !lstat(probe, &sb)) {
			hwt_errf(err, errlen, "%s would be written into the "
				   "trace session %s: refused (give an output "
				   "outside it)", out, real);
			return -1;
		}
		first = 0;
		if (!strcmp(real, "/"))
			return 0;
		slash = strrchr(real, '/');
		if (slash == real)
			real[1] = 0;
		else
			*slash = 0;
	}
}

/* ---- session directories ---- */

/* The session's images: SESSION/images/PATH (beneath the session
 * directory, no symlink on the way) if there, else PATH.  Never through a
 * symlink; and when the caller is not the session's owner (root decoding
 * a user's session), only files that owner, the caller or anyone could
 * read (a 0600 secret of another user is never copied into blocks.code). */
struct image_walk {
	struct hwt_image *img;
	int dirfd;
	const char *dir;
	struct hwt_file_policy pol;
	int quiet;
	int64_t pid;		/* only this process's mappings; -2: all */
};

static int add_image(void *arg, const struct hwt_store_mapping *m)
{
	struct image_walk *w = arg;
	const char *p = m->path;
	char name[PATH_MAX + 64], shown[2 * PATH_MAX + 64], why[PATH_MAX + 256];
	struct stat sb;
	int in_session;

	/*
	 * Anonymous and special mappings have no file, but for the [vdso],
	 * which the recorder copies into the session (hwtd/vdso.h): only
	 * that copy, never this host's.
	 */
	if (!*p || (*p == '[' && strcmp(p, HWT_MMAP_VDSO)) ||
	    strlen(p) >= PATH_MAX || (w->pid != -2 && m->pid != w->pid))
		return 0;
	snprintf(name, sizeof(name), "images/%s", p + (*p == '/'));
	in_session = !fstatat(w->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW);
	if (*p == '[' && !in_session)
		return 0;
	w->pol.beneath = in_session;
	hwt_image_set_policy(w->img, in_session ? w->dirfd : AT_FDCWD, &w->pol);
	if (in_session)
		snprintf(shown, sizeof(shown), "%s/%s", w->dir, name);
	else
		snprintf(shown, sizeof(shown), "%s", p);
	if (hwt_image_add_mapping_at(w->img, in_session ? name : p, shown,
				     m->addr, m->len, m->pgoff, why,
				     sizeof(why)) < 0 && !w->quiet)
		fprintf(stderr, "hwt: warning: image %s\n", why);
	return 0;
}

/* The mappings of process pid (-2: every process's) into img; warnings
 * on stderr unless quiet.  Returns as hwt_store_reader_mappings. */
static int session_images(struct hwt_store_reader *r, const char *dir,
			  int64_t pid, struct hwt_image *img, int quiet,
			  char *err, size_t errlen)
{
	uid_t owner = hwt_store_reader_owner(r);
	struct image_walk w = {
		.img = img, .dirfd = hwt_store_reader_dirfd(r), .dir = dir,
		.pol = { .check_owner = geteuid() != owner, .owner = owner,
			 .other_ok = 1 },
		.quiet = quiet, .pid = pid,
	};

	return hwt_store_reader_mappings(r, add_image, &w, err, errlen);
}

/*
 * Whether CPU stream ss has switch_in records (a CPU-mode recording's
 * do; a snapshot's stream stored with a CPU does not).
 * Returns 1 if it has, 0 if not, -1 with err set if the reader failed.
 */
static int has_switch_ins(struct hwt_store_reader *r,
			  const struct hwt_store_stream *ss, char *err,
			  size_t errlen)
{
	struct hwt_store_switch_in *w = NULL;
	size_t nw = 0;

	if (hwt_store_reader_switch_ins(r, ss->id, &w, &nw, err, errlen) < 0)
		return -1;
	free(w);
	return nw > 0;
}

/*
 * The clock a stream's timestamps count, from its "clock" parameter:
 * none or "tsc" is the hardware's; "insn" (the soft backend) counts
 * instructions.
 * Returns 1 if it counts instructions (set on the core), 0 if it is the
 * hardware's; -1 if the parameter cannot be read or names another clock
 * (err says which).
 */
static int stream_clock(struct hwt_store_reader *r,
			const struct hwt_store_stream *ss,
			struct hwt_core *core, char *err, size_t errlen)
{
	char v[32];
	int have = hwt_store_reader_param(r, ss->id, "clock", v, sizeof(v),
					  err, errlen);

	if (have <= 0)
		return have;
	if (!strcmp(v, "insn")) {
		hwt_core_set_insn_clock(core, (uint32_t)ss->id);
		return 1;
	}
	if (strcmp(v, "tsc"))
		return hwt_errf(err, errlen, "stream %lld: unknown clock '%s'"
				" (insn, tsc)", (long long)ss->id, v);
	return 0;
}

/*
 * What the PT front end needs to decode stream ss: its recorded CPU and
 * timing parameters (docs/trace-store.md "stream_params keys") and opts'
 * decode settings, into *params.
 * Returns 0 if: set; -1 with err set if: a parameter cannot be read or
 * the CPU is malformed.
 */
static int pt_stream_params(struct hwt_store_reader *r,
			    const struct hwt_store_stream *ss,
			    const struct hwt_decode_opts *opts,
			    struct hwt_pt_params *params, char *err,
			    size_t errlen)
{
	static const char *const keys[] = { "cpu", "mtc_freq", "nom_freq",
					    "cpuid_15_eax", "cpuid_15_ebx" };
	char v[5][64];
	int have[5];
	size_t i;

	memset(params, 0, sizeof(*params));
	for (i = 0; i < 5; i++) {
		have[i] = hwt_store_reader_param(r, ss->id, keys[i], v[i],
						 sizeof(v[i]), err, errlen);
		if (have[i] < 0)
			return -1;
	}
	if (cpu_params(have[0] ? v[0] : NULL, params, err, errlen) < 0)
		return -1;
	params->threads = opts->threads;
	params->no_fastpath = opts->test.pt_no_fastpath;
	params->segment_min = opts->test.pt_segment_min;
	params->reverse_segments = opts->test.pt_reverse_segments;
	params->segmented = opts->segmented;
	params->stats = opts->pt_stats;
	if (have[1])
		params->mtc_freq = (uint8_t)strtoul(v[1], NULL, 0);
	if (have[2])
		params->nom_freq = (uint8_t)strtoul(v[2], NULL, 0);
	if (have[3])
		params->cpuid_15_eax = (uint32_t)strtoul(v[3], NULL, 0);
	if (have[4])
		params->cpuid_15_ebx = (uint32_t)strtoul(v[4], NULL, 0);
	return 0;
}

static int decode_stream(struct hwt_store_reader *r,
			 const struct hwt_store_stream *ss,
			 struct hwt_image *img, struct hwt_core *core,
			 const struct hwt_decode_opts *opts, char *err,
			 size_t errlen)
{
	const struct hwt_sink *sink = hwt_core_sink(core);
	struct hwt_pt_params params;
	struct hwt_stream_info info;
	struct hwt_store_cut *cuts;
	size_t size, ncuts, i;
	struct hwt_cut *k;
	char name[32];
	uint8_t *buf;
	int rc;

	if (pt_stream_params(r, ss, opts, &params, err, errlen) < 0)
		return -1;
	buf = hwt_store_reader_bytes(r, ss->id, &size, &cuts, &ncuts, err,
				     errlen);
	if (!buf)
		return -1;
	memset(&info, 0, sizeof(info));
	snprintf(name, sizeof(name), "stream-%lld", (long long)ss->id);
	info.id = (uint32_t)ss->id;
	info.tid = (int32_t)ss->tid;
	info.cpu = -1;
	info.trace_id = -1;
	info.name = name;
	info.read_mem = hwt_image_read_cb;
	info.read_mem_arg = img;
	rc = sink->stream_begin(sink->arg, &info);
	/* Decode the pieces between cuts; each cut is a recorded gap. */
	k = hwt_xrealloc(NULL, (ncuts ? ncuts : 1) * sizeof(*k));
	for (i = 0; i < ncuts; i++) {
		k[i].offset = cuts[i].offset;
		k[i].msg = cuts[i].msg;
	}
	if (rc >= 0)
		rc = hwt_pt_decode_pieces(buf, size, k, ncuts, img, &params,
					  &info, sink, err, errlen);
	free(k);
	free(cuts);
	free(buf);
	return rc < 0 ? -1 : 0;
}

/* The images of a CPU-mode session's processes, each built once from
 * that process's own mappings, and its parent's where it was forked and
 * did not exec (a fork shares the parent's mappings; session_cpu.h). */
struct pid_images {
	struct hwt_store_reader *r;
	const char *dir;
	const struct hwt_decode_opts *opts;
	struct hwt_image *all;	/* every process's: pid -1 */
	int64_t *pids;
	struct hwt_image **imgs;
	struct hwt_image **views;	/* imgs[i]'s sections in all */
	size_t n;
	int64_t (*forks)[2];	/* (child pid, parent pid) of new processes */
	size_t nforks;
	int64_t *execs;		/* pids with an exec record */
	size_t nexecs;
	int read;		/* forks and execs read */
};

/* A thread_create record of a new process, or an exec, into pi.
 * Returns 0. */
static int fork_or_exec(void *arg, const struct hwt_store_record *rec)
{
	struct pid_images *pi = arg;

	/* docs/trace-store.md: thread_create addr = parent pid, flags 2 =
	 * a new process */
	if (!strcmp(rec->type, "thread_create") && rec->flags > 0 &&
	    (rec->flags & 2) && rec->pid >= 0 && rec->has_addr) {
		pi->forks = hwt_xrealloc(pi->forks, (pi->nforks + 1) *
					 sizeof(*pi->forks));
		pi->forks[pi->nforks][0] = rec->pid;
		pi->forks[pi->nforks++][1] = rec->addr;
	} else if (!strcmp(rec->type, "exec") && rec->pid >= 0) {
		pi->execs = hwt_xrealloc(pi->execs, (pi->nexecs + 1) *
					 sizeof(*pi->execs));
		pi->execs[pi->nexecs++] = rec->pid;
	}
	return 0;
}

/* Returns the parent of pid if pid was forked and did not exec, else
 * -1. */
static int64_t fork_parent(const struct pid_images *pi, int64_t pid)
{
	size_t i;

	for (i = 0; i < pi->nexecs; i++)
		if (pi->execs[i] == pid)
			return -1;
	for (i = 0; i < pi->nforks; i++)
		if (pi->forks[i][0] == pid && pi->forks[i][1] != pid)
			return pi->forks[i][1];
	return -1;
}

/* A view of all (hwt_image_add_view) holding the sections of all that
 * are img's: the same file at the same address and offset.
 * Returns it. */
static struct hwt_image *view_of(const struct hwt_image *all,
				 const struct hwt_image *img)
{
	struct hwt_image *v = hwt_image_alloc();
	size_t i, j;

	for (i = 0; i < hwt_image_nsections(img); i++) {
		const struct hwt_section *a = hwt_image_section(img, i);

		for (j = 0; j < hwt_image_nsections(all); j++) {
			const struct hwt_section *t = hwt_image_section(all,
									j);

			if (t->vaddr == a->vaddr && t->size == a->size &&
			    t->file_offset == a->file_offset &&
			    !strcmp(t->path, a->path)) {
				hwt_image_add_view(v, t);
				break;
			}
		}
	}
	return v;
}

/* hwt_pid_image_fn over a struct pid_images.
 * Returns the image of pid (built on first use) and in *symbols its view
 * of pi->all, or NULL with err set if: its mappings cannot be read. */
static struct hwt_image *pid_image(void *arg, int64_t pid,
				   const struct hwt_image **symbols,
				   char *err, size_t errlen)
{
	struct pid_images *pi = arg;
	struct hwt_image *img;
	int64_t p;
	size_t i;

	*symbols = NULL;
	if (pid < 0)
		return pi->all;
	for (i = 0; i < pi->n; i++)
		if (pi->pids[i] == pid) {
			*symbols = pi->views[i];
			return pi->imgs[i];
		}
	if (!pi->read && hwt_store_reader_records(pi->r, fork_or_exec, pi,
						  err, errlen) < 0)
		return NULL;
	pi->read = 1;
	img = hwt_image_alloc();
	hwt_image_set_debug_dirs(img, pi->opts->debug_dirs);
	hwt_image_set_dwarf_cache(img, pi->opts);
	/* warnings: the session's image said them once; then the mappings
	 * of its parents back to one that exec'd (at most 16 forks) */
	for (i = 0, p = pid; p >= 0 && i < 16; i++, p = fork_parent(pi, p))
		if (session_images(pi->r, pi->dir, p, img, 1, err,
				   errlen) < 0) {
			hwt_image_free(img);
			return NULL;
		}
	pi->pids = hwt_xrealloc(pi->pids, (pi->n + 1) * sizeof(*pi->pids));
	pi->imgs = hwt_xrealloc(pi->imgs, (pi->n + 1) * sizeof(*pi->imgs));
	pi->views = hwt_xrealloc(pi->views, (pi->n + 1) *
				 sizeof(*pi->views));
	pi->pids[pi->n] = pid;
	pi->views[pi->n] = view_of(pi->all, img);
	*symbols = pi->views[pi->n];
	pi->imgs[pi->n++] = img;
	return img;
}

/* Returns nothing; frees pi's per-process images (not pi->all). */
static void pid_images_free(struct pid_images *pi)
{
	size_t i;

	/* views first (image.h) */
	for (i = 0; i < pi->n; i++) {
		hwt_image_free(pi->views[i]);
		hwt_image_free(pi->imgs[i]);
	}
	free(pi->views);
	free(pi->imgs);
	free(pi->pids);
	free(pi->forks);
	free(pi->execs);
}

int hwt_decode_session(const char *dir, const struct hwt_decode_opts *opts,
		       char *err, size_t errlen)
{
	struct hwt_store_stream *streams = NULL;
	struct hwt_cpu_stream *cs = NULL;
	struct pid_images pi;
	struct hwt_store_reader *r;
	struct hwt_image *img = NULL;
	struct hwt_core *core = NULL;
	int64_t pid = -1;
	size_t nstreams = 0, ncs = 0, i;
	uint64_t total = 0;
	char v[32];
	int rc = -1, n = 0, switched = 0;

	memset(&pi, 0, sizeof(pi));
	/* Everything of the session through the reader (store_reader.h). */
	r = hwt_store_reader_open(dir, err, errlen);
	if (!r)
		return -1;
	if (check_output(opts->out, dir, NULL, err, errlen) < 0)
		goto out;
	switch (hwt_store_reader_meta(r, "target_pid", v, sizeof(v), err,
				      errlen)) {
	case -1:
		goto out;
	case 1:
		pid = strtoll(v, NULL, 0);
		break;
	}
	img = hwt_image_alloc();
	hwt_image_set_debug_dirs(img, opts->debug_dirs);
	hwt_image_set_dwarf_cache(img, opts);
	if (session_images(r, dir, -2, img, opts->quiet, err, errlen) < 0)
		goto out;
	if (hwt_store_reader_streams(r, &streams, &nstreams, err, errlen) < 0)
		goto out;
	core = hwt_core_alloc(opts, img, err, errlen);
	if (!core)
		goto out;
	hwt_core_set_no_calls(core, opts->no_calls);
	for (i = 0; i < nstreams; i++)
		total += (uint64_t)streams[i].bytes;
	hwt_core_set_total(core, total);
	hwt_db_session(hwt_core_db(core), dir, "session");
	rc = 0;
	for (i = 0; rc >= 0 && i < nstreams; i++) {
		const struct hwt_store_stream *ss = &streams[i];
		int insn_clock = stream_clock(r, ss, core, err, errlen);

		if (insn_clock < 0) {
			rc = -1;
			break;
		}
		if ((!strcmp(ss->kind, "etm4") || !strcmp(ss->kind, "ete")) &&
		    ss->cpu >= 0 && ss->tid < 0 &&
		    (!ss->formatted || (switched = has_switch_ins(r, ss,
							err, errlen)) > 0)) {
			/* CPU mode, one source per CPU (hwt_coresight's
			 * ETE + TRBE raw; ETMv4 + TMC in frames, where the
			 * stream has switch_in records: a Juno snapshot's
			 * has none and stays whole): split between its
			 * threads, below. */
			n++;
			cs = hwt_xrealloc(cs, (ncs + 1) * sizeof(*cs));
			memset(&cs[ncs], 0, sizeof(cs[ncs]));
			cs[ncs].ss = ss;
			cs[ncs].proto = HWT_CPU_CS;
			cs[ncs].opts = opts;
			cs[ncs++].insn_clock = insn_clock;
			continue;
		}
		if (switched < 0) {
			rc = -1;
			break;
		}
		if (!strcmp(ss->kind, "etm4") || !strcmp(ss->kind, "ete")) {
			/* CoreSight front end (cs_session.c). */
			hwt_core_set_thread(core, (uint32_t)ss->id, pid,
					    ss->tid);
			rc = hwt_cs_decode_session_stream(r, ss, opts,
							  hwt_image_read_cb, img,
							  hwt_core_sink(core), err, errlen);
			n++;
			continue;
		}
		if (strcmp(ss->kind, "intel_pt")) {
			if (!opts->quiet)
				fprintf(stderr, "hwt: stream %lld: kind '%s' "
					"not decoded from sessions yet\n",
					(long long)ss->id, ss->kind);
			continue;
		}
		n++;
		if (ss->cpu >= 0 && ss->tid < 0) {
			/* CPU mode: split between its threads, below */
			cs = hwt_xrealloc(cs, (ncs + 1) * sizeof(*cs));
			memset(&cs[ncs], 0, sizeof(cs[ncs]));
			cs[ncs].ss = ss;
			cs[ncs].proto = HWT_CPU_PT;
			cs[ncs].insn_clock = insn_clock;
			rc = pt_stream_params(r, ss, opts, &cs[ncs++].params,
					      err, errlen);
			continue;
		}
		hwt_core_set_thread(core, (uint32_t)ss->id, pid, ss->tid);
		rc = decode_stream(r, ss, img, core, opts, err, errlen);
	}
	if (rc >= 0 && ncs) {
		pi.r = r;
		pi.dir = dir;
		pi.opts = opts;
		pi.all = img;
		rc = hwt_session_cpu_decode(r, cs, ncs, pid_image, &pi, core,
					    err, errlen);
	}
	if (rc >= 0) {
		rc = hwt_session_sideband(r, hwt_db_handle(hwt_core_db(core)),
					  err, errlen);
		if (rc == 1 && !opts->quiet)
			fprintf(stderr, "hwt: warning: %s: sideband not kept: "
				"%s\n", dir, err);
		if (rc == 1)
			rc = 0;
	}
	if (rc >= 0) {
		rc = hwt_core_finish(core, err, errlen);
		core = NULL;
	}
	if (rc >= 0 && !n && !opts->quiet)
		fprintf(stderr, "hwt: %s: no intel_pt streams\n", dir);
out:
	free(cs);
	free(streams);
	hwt_core_free(core);
	pid_images_free(&pi);
	hwt_image_free(img);
	hwt_store_reader_close(r);
	return rc;
}
