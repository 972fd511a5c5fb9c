// SPDX-License-Identifier: BSD-2-Clause
/* A recording session.  See session.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hwt_err.h"

#include "asuser.h"
#include "bopts.h"
#include "collect.h"
#include "ctx.h"
#include "filter.h"
#include "session.h"

#define MAX_MAPS	512

struct hwtd_session {
	int id;
	struct hwtd_cred cred;
	char path[PATH_MAX];
	char backend[HWT_BACKEND_NAME_MAX];
	char state[32];
	char error[512];
	char target[64];
	int ctx;
	int lockfd;		/* flock on the directory: "being recorded";
				 * opened O_NOFOLLOW as the client */
	dev_t dev;		/* the directory hwt_store_create() made */
	ino_t ino;
	pid_t copier;		/* a child copying images as the client */
	long long copier_ms;	/* when it started */
	int image_failed;	/* some image could not be copied */
	int ring;
	struct hwt_store *store;
	struct hwt_collect *col;
	int finished;
	int crash_sig;		/* a traced thread died of this signal */
	int last_exit_seen;	/* THREAD_EXIT of the last thread arrived */
	int records_lost;	/* the kernel dropped records */
	int dumped;
	struct hwtd_mapping *maps;	/* MMAP records before START */
	int nmaps;
	struct hwtd_range ranges[HWTD_RANGES_MAX];
	int nranges;
	int cpu_mode;
	uint64_t cpu_map[HWT_CPU_MAP_WORDS];	/* cpu_mode: what it traces */
};

static void on_record(const struct hwt_record_hdr *h, void *arg)
{
	struct hwtd_session *s = arg;

	if (h->type == HWT_REC_MMAP && s->maps && s->nmaps < MAX_MAPS) {
		const struct hwt_rec_mmap *m = (const void *)h;
		struct hwtd_mapping *d = &s->maps[s->nmaps];
		size_t n = h->size - sizeof(*m);

		if (!(m->prot & PROT_EXEC))
			return;
		d->addr = m->addr;
		d->len = m->len;
		d->pgoff = m->pgoff;
		if (n >= sizeof(d->path))
			n = sizeof(d->path) - 1;
		memcpy(d->path, m->path, n);	/* the store checked the NUL */
		d->path[n] = 0;
		s->nmaps++;
	} else if (h->type == HWT_REC_THREAD_EXIT) {
		const struct hwt_rec_thread *t = (const void *)h;

		/* task->exit_code: a signal in the low 7 bits (0x80: core
		 * dumped), else the exit status << 8. */
		if ((t->exit_code & 0x7f) && !s->crash_sig)
			s->crash_sig = t->exit_code & 0x7f;
		if (t->flags & HWT_THREAD_LAST)
			s->last_exit_seen = 1;
	} else if (h->type == HWT_REC_LOST) {
		s->records_lost = 1;
	}
}

/* The main executable of a running process, for filters without
 * @OBJECT. */
static int main_object(const struct hwtd_req *r, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	if (r->target == HWTD_TARGET_LAUNCH) {
		snprintf(out, len, "%s", r->exe);
		return 0;
	}
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)r->pid);
	n = readlink(link, out, len - 1);
	if (n < 0)
		return -1;
	out[n] = 0;
	return 0;
}

/* The path an object name stands for: itself if absolute, else the path
 * of the first executable mapping whose base name it is. */
static const char *object_path(struct hwtd_session *s, const char *object,
			       const char *main_obj)
{
	int i;

	if (!*object)
		return main_obj;
	if (hwtd_filter_object_matches(object, main_obj))
		return main_obj;
	for (i = 0; i < s->nmaps; i++)
		if (hwtd_filter_object_matches(object, s->maps[i].path))
			return s->maps[i].path;
	return NULL;
}

static int resolve_filters(struct hwtd_session *s, const struct hwtd_req *r,
			   char *err, size_t errlen)
{
	char main_obj[PATH_MAX];
	int i, n;

	if (r->target == HWTD_TARGET_CPUS)
		return hwt_errf(err, errlen, "filters need a process target");
	if (main_object(r, main_obj, sizeof(main_obj)))
		return hwt_errf(err, errlen, "process %d: cannot read its"
			    " executable", (int)r->pid);
	for (i = 0; i < r->nfilters; i++) {
		struct hwtd_filter f;
		struct hwtd_range *out = s->ranges + s->nranges;
		const char *path;
		int room = HWTD_RANGES_MAX - s->nranges;

		if (hwtd_filter_parse(r->filters[i], &f, err, errlen))
			return -1;
		path = object_path(s, f.object, main_obj);
		if (!path)
			return hwt_errf(err, errlen, "filter '%s': object '%s' is"
				    " not mapped in the target%s",
				    r->filters[i], f.object,
				    r->target == HWTD_TARGET_LAUNCH ?
				    " (a launched program is stopped at its exec:"
				    " shared libraries are not loaded yet)" : "");
		/* Read the ELF file as the client. */
		hwtd_fs_as(&s->cred);
		n = hwtd_filter_resolve(&f, path, out, room, err, errlen);
		if (n > 0 && hwtd_filter_relocate(out, n, path, s->maps,
						  s->nmaps, err, errlen)) {
			/* No mapping reported: a non-PIE file relocates by
			 * its own program headers. */
			char err2[256];

			if (hwtd_filter_relocate_static(out, n, path, err2,
							sizeof(err2)))
				n = -1;
		}
		hwtd_fs_restore();
		if (n < 0)
			return -1;
		s->nranges += n;
	}
	return 0;
}

/*
 * The backend's config: a blob the client sent, or one built here from
 * the client's backend options and the filters' ranges (bopts.h); the
 * backend refuses what its trace unit cannot do.
 */
static int set_config(struct hwtd_session *s, const struct hwtd_req *r,
		      char *err, size_t errlen)
{
	uint64_t blob[HWT_CONFIG_MAX / 8];	/* aligned for any config */
	struct hwt_config cfg = { 0 };
	int built;

	if (r->has_config && (s->nranges || r->options[0]))
		return hwt_errf(err, errlen, "give either filters and options"
			    " or a config blob, not both");
	if (r->has_config) {
		cfg.version = r->config_version;
		cfg.size = r->config_size;
		cfg.data = (uintptr_t)r->config;
	} else {
		built = hwtd_bopts_build(s->backend, r->options, s->ranges,
					 s->nranges, &cfg, blob, err, errlen);
		if (built <= 0)
			return built;
	}
	if (ioctl(s->ctx, HWT_IOC_SET_CONFIG, &cfg))
		return hwt_errf(err, errlen, "backend '%s' rejected the config: %s",
			    s->backend, strerror(errno));
	return 0;
}

static int write_meta(struct hwtd_session *s, const struct hwtd_req *r)
{
	struct utsname uts;
	char num[32];
	int ret;

	uname(&uts);
	snprintf(num, sizeof(num), "%d", (int)r->pid);
	ret = hwt_store_meta(s->store, "backend", s->backend) ||
	      hwt_store_meta(s->store, "mode", r->target == HWTD_TARGET_CPUS ?
			     "cpu" : "thread") ||
	      hwt_store_meta(s->store, "arch", uts.machine) ||
	      hwt_store_meta(s->store, "kernel", uts.release) ||
	      hwt_store_meta(s->store, "recorder", r->ring ? "ring" :
			     "stream");
	if (!ret && r->target != HWTD_TARGET_CPUS)
		ret = hwt_store_meta(s->store, "target_pid", num);
	snprintf(num, sizeof(num), "%d", (int)r->launch_pid);
	if (!ret && r->target == HWTD_TARGET_CPUS && r->launch_pid > 0)
		ret = hwt_store_meta(s->store, "launch_pid", num);
	if (!ret && r->command[0])
		ret = hwt_store_meta(s->store, "command", r->command);
	return ret ? -1 : 0;
}

/*
 * Undo a half-made session directory (start failed), as the client:
 * only the names the store creates, unlinked relative to the directory
 * opened O_NOFOLLOW (s->lockfd), then the directory itself if its parent
 * still holds that very directory under its name.
 */
static void remove_session_dir(struct hwtd_session *s, const char *dir)
{
	static const char *const files[] = {
		"session.db", "session.db-wal", "session.db-shm",
		"session.db-journal"
	};
	char name[32], parent[PATH_MAX], *slash;
	struct stat sb;
	size_t i;
	int k, pfd;

	hwtd_fs_as(&s->cred);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(s->lockfd, files[i], 0);
	for (k = 0; k < HWT_MAX_THREADS; k++) {
		snprintf(name, sizeof(name), "stream-%d.bin", k);
		unlinkat(s->lockfd, name, 0);
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash[1]) {
		*slash = 0;
		pfd = open(slash == parent ? "/" : parent, O_RDONLY |
			   O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0) {
			if (!fstatat(pfd, slash + 1, &sb, AT_SYMLINK_NOFOLLOW) &&
			    S_ISDIR(sb.st_mode) && sb.st_dev == s->dev &&
			    sb.st_ino == s->ino)
				unlinkat(pfd, slash + 1, AT_REMOVEDIR);
			close(pfd);
		}
	}
	hwtd_fs_restore();
}

struct hwtd_session *hwtd_session_start(const struct hwtd_req *r,
					const struct hwtd_cred *c, int id,
					int ctx, char *err, size_t errlen)
{
	struct hwt_collect_opts co = { 0 };
	struct hwtd_session *s;
	char serr_buf[512];
	struct stat sb;
	int made_dir = 0;

	if (r->verb != HWTD_RECORD) {
		if (ctx >= 0)
			close(ctx);
		return hwt_errf(err, errlen, "not a record request"), NULL;
	}
	/* The kernel checked the client's rights when the client allocated
	 * it; here only that it is the context the request describes. */
	if (hwtd_ctx_check(ctx, r, err, errlen)) {
		if (ctx >= 0)
			close(ctx);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(ctx);
		return hwt_errf(err, errlen, "out of memory"), NULL;
	}
	s->ctx = ctx;
	s->lockfd = -1;
	s->copier = -1;
	s->id = id;
	s->cred = *c;
	s->ring = r->ring;
	snprintf(s->path, sizeof(s->path), "%s", r->session);
	snprintf(s->backend, sizeof(s->backend), "%s", r->backend);
	snprintf(s->state, sizeof(s->state), "recording");
	if (r->target == HWTD_TARGET_CPUS) {
		snprintf(s->target, sizeof(s->target), "cpus");
		s->cpu_mode = 1;
		memcpy(s->cpu_map, r->cpu_map, sizeof(s->cpu_map));
	} else {
		snprintf(s->target, sizeof(s->target), "pid:%d", (int)r->pid);
	}
	s->maps = calloc(MAX_MAPS, sizeof(*s->maps));
	if (!s->maps) {
		hwt_errf(err, errlen, "out of memory");
		goto fail;
	}

	/* The directory and its files belong to the client; hwtd keeps the
	 * directory open (O_NOFOLLOW) and remembers which one it is. */
	hwtd_fs_as(c);
	s->store = hwt_store_create(r->session, serr_buf, sizeof(serr_buf));
	if (s->store)
		s->lockfd = open(r->session, O_RDONLY | O_DIRECTORY |
				 O_NOFOLLOW | O_CLOEXEC);
	hwtd_fs_restore();
	if (!s->store) {
		hwt_errf(err, errlen, "%s", serr_buf);
		goto fail;
	}
	if (s->lockfd < 0 || fstat(s->lockfd, &sb) || sb.st_uid != c->uid) {
		/* Replaced under us: not ours to clean up either. */
		hwt_errf(err, errlen, "%s: not the directory just made",
			  r->session);
		goto fail;
	}
	s->dev = sb.st_dev;
	s->ino = sb.st_ino;
	made_dir = 1;
	if (flock(s->lockfd, LOCK_EX | LOCK_NB)) {
		hwt_errf(err, errlen, "%s: cannot lock: %s", r->session,
		     strerror(errno));
		goto fail;
	}
	co.ring = r->ring;
	co.on_record = on_record;
	co.arg = s;
	co.ring_no_final_dump = 1;
	co.quota = r->quota;
	s->col = hwt_collect_new(s->ctx, s->store, &co);
	if (!s->col) {
		hwt_errf(err, errlen, "out of memory");
		goto fail;
	}
	if (write_meta(s, r)) {
		hwt_errf(err, errlen, "%s", hwt_store_error(s->store));
		goto fail;
	}
	/* The MMAP records the kernel synthesized at attach place the
	 * filters; they go into the store as well. */
	if (hwt_collect_drain_records(s->col)) {
		hwt_errf(err, errlen, "%s", hwt_collect_error(s->col));
		goto fail;
	}
	/* CPU mode around a launched program: it was mapped at its exec,
	 * before this context traced (read as the client: its own child,
	 * and a CPU context's owner has CAP_PERFMON anyway). */
	if (r->target == HWTD_TARGET_CPUS && r->launch_pid > 0) {
		int n;

		hwtd_fs_as(c);
		n = hwt_collect_add_process(s->col, (int)r->launch_pid);
		hwtd_fs_restore();
		if (n < 0) {
			hwt_errf(err, errlen, "%s", hwt_collect_error(s->col));
			goto fail;
		}
	}
	if (r->nfilters && resolve_filters(s, r, err, errlen))
		goto fail;
	if (set_config(s, r, err, errlen))
		goto fail;
	if (hwt_store_commit(s->store)) {
		hwt_errf(err, errlen, "%s", hwt_store_error(s->store));
		goto fail;
	}
	if (ioctl(s->ctx, HWT_IOC_START)) {
		hwt_errf(err, errlen, "start: %s", strerror(errno));
		goto fail;
	}
	free(s->maps);
	s->maps = NULL;		/* filters are set once, at START */
	return s;
fail:
	hwt_collect_free(s->col);
	if (s->store)
		hwt_store_close(s->store);
	if (s->ctx >= 0)
		close(s->ctx);
	if (made_dir)
		remove_session_dir(s, r->session);
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->maps);
	free(s);
	return NULL;
}

int hwtd_session_fd(const struct hwtd_session *s)
{
	/* Finished (waiting for its image copier): nothing to poll. */
	return s->finished ? -1 : s->ctx;
}

int hwtd_session_service_ms(const struct hwtd_session *s)
{
	int due = s->col && !s->finished ? hwt_collect_due_ms(s->col) : 0;

	if (s->finished)
		return HWTD_RING_SERVICE_MS;	/* reap the copier soon */

	/* Just drained: come back when the next drain is worth it. */
	if (due)
		return due;
	return s->ring ? HWTD_RING_SERVICE_MS : HWTD_SERVICE_MS;
}

short hwtd_session_events(const struct hwtd_session *s)
{
	/* A ring always holds data: poll only for POLLHUP (reported even
	 * with no events asked) and service ring sessions by time.  Data
	 * right after a drain waits for hwtd_session_service_ms(). */
	if (s->ring || (s->col && !s->finished && hwt_collect_due_ms(s->col)))
		return 0;
	return POLLIN;
}

static int service(struct hwtd_session *s);

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* In the copier child, as the client. */
static int copier_main(void *arg)
{
	struct hwtd_session *s = arg;

	return hwt_collect_copy_images(s->col, s->path) ? 1 : 0;
}

/*
 * Reap the image copier if it is done; kill it past HWTD_COPIER_MAX_MS,
 * or at once with wait set.  Returns 1 while it runs, else 0.
 */
static int reap_copier(struct hwtd_session *s, int wait)
{
	int st;
	pid_t r;

	if (s->copier <= 0)
		return 0;
	if (wait || mono_ms() - s->copier_ms > HWTD_COPIER_MAX_MS) {
		kill(s->copier, SIGKILL);
		wait = 1;
	}
	do
		r = waitpid(s->copier, &st, wait ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 1;
	if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		s->image_failed = 1;
	s->copier = -1;
	return 0;
}

/*
 * The images mapped since the last copy go into the session, copied by a
 * child that became the client (asuser.h): hwtd opens none of them itself,
 * and a FIFO, a device or a slow file system there never blocks its loop.
 * One copier at a time; a missing image is noted, not fatal: the trace is
 * intact.
 */
static void copy_images(struct hwtd_session *s)
{
	if (reap_copier(s, 0) || !hwt_collect_images_pending(s->col))
		return;
	s->copier = hwtd_spawn_as(s->cred.uid, s->cred.gid, copier_main, s);
	if (s->copier < 0) {
		s->image_failed = 1;
		s->copier = -1;
	}
	s->copier_ms = mono_ms();
	hwt_collect_images_taken(s->col);
}

/* The copier is done: say so in the meta if an image is missing. */
static void note_images(struct hwtd_session *s)
{
	if (s->image_failed)
		hwt_store_meta(s->store, "image_error", "some images could not"
			       " be copied (not a regular file, larger than"
			       " the cap, unreadable, or the copy timed out)");
}

static void set_state(struct hwtd_session *s, const char *state)
{
	snprintf(s->state, sizeof(s->state), "%s", state);
	hwt_store_meta(s->store, "state", state);
}

/* Ends the session: stop, drain, copy the images, commit. */
static void finish(struct hwtd_session *s, const char *state)
{
	char num[16];

	if (s->finished)
		return;
	s->finished = 1;
	if (ioctl(s->ctx, HWT_IOC_STOP) && errno != EINVAL && !s->error[0])
		snprintf(s->error, sizeof(s->error), "stop: %s",
			 strerror(errno));
	/* Streaming: what is left in the buffers.  Ring: nothing unless
	 * asked (a dump happened already if it was wanted). */
	if (!s->ring && !s->error[0] && hwt_collect_snapshot(s->col))
		snprintf(s->error, sizeof(s->error), "%s",
			 hwt_collect_error(s->col));
	copy_images(s);
	if (s->crash_sig) {
		snprintf(num, sizeof(num), "%d", s->crash_sig);
		hwt_store_meta(s->store, "crash_signal", num);
	}
	if (s->error[0] && strcmp(state, "error"))
		hwt_store_meta(s->store, "error", s->error);
	set_state(s, s->error[0] && !strcmp(state, "complete") ? "error" :
		  state);
	if (hwt_store_commit(s->store) && !s->error[0])
		snprintf(s->error, sizeof(s->error), "%s",
			 hwt_store_error(s->store));
}

static int dump(struct hwtd_session *s)
{
	if (hwt_collect_snapshot(s->col)) {
		snprintf(s->error, sizeof(s->error), "%s",
			 hwt_collect_error(s->col));
		return -1;
	}
	s->dumped++;
	return 0;
}

int hwtd_session_service(struct hwtd_session *s)
{
	int rc;

	if (s->finished) {
		/* Done once its last images are in. */
		if (reap_copier(s, 0) || hwt_collect_images_pending(s->col)) {
			copy_images(s);
			return 0;
		}
		if (s->image_failed) {
			hwtd_fs_as(&s->cred);
			note_images(s);
			hwt_store_commit(s->store);
			hwtd_fs_restore();
		}
		return 1;
	}
	hwtd_fs_as(&s->cred);	/* new stream files belong to the client */
	rc = service(s);
	hwtd_fs_restore();
	/* Just finished: done only once the image copier is (ending the
	 * session now would kill it mid-copy and lose the program's image:
	 * a short-lived target ends while its first copy still runs). */
	if (rc == 1 && s->finished)
		return hwtd_session_service(s);
	return rc;
}

static int service(struct hwtd_session *s)
{
	int rc;

	rc = hwt_collect_step(s->col, 0);
	/* Images as soon as they are mapped: a session hwtd did not get to
	 * finish still decodes. */
	if (rc >= 0)
		copy_images(s);
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "%s",
			 hwt_collect_error(s->col));
		hwt_store_meta(s->store, "error", s->error);
		finish(s, "error");
		return 1;
	}
	/* Post-mortem: a traced thread died of a signal; its ring holds the
	 * last bytes before the fault.  Dump once, at once. */
	if (s->crash_sig && s->ring && !s->dumped && dump(s)) {
		finish(s, "error");
		return 1;
	}
	if (hwt_collect_quota_reached(s->col)) {
		finish(s, "stopped-quota");
		return 1;
	}
	/* The target is gone but its exit records were dropped: it may
	 * have crashed.  Keep the rings rather than lose a post-mortem. */
	if (rc == 1 && s->ring && !s->crash_sig && !s->last_exit_seen &&
	    s->records_lost && !s->dumped) {
		hwt_store_meta(s->store, "exit_cause", "unknown (records lost);"
			       " rings dumped");
		if (dump(s)) {
			finish(s, "error");
			return 1;
		}
	}
	if (rc == 1) {
		finish(s, s->crash_sig ? "crashed" : "complete");
		return 1;
	}
	return 0;
}

int hwtd_session_snapshot(struct hwtd_session *s, char *err, size_t errlen)
{
	int rc;

	if (s->finished)
		return hwt_errf(err, errlen, "session has finished");
	hwtd_fs_as(&s->cred);
	rc = dump(s);
	hwtd_fs_restore();
	return rc ? hwt_errf(err, errlen, "%s", s->error) : 0;
}

void hwtd_session_stop(struct hwtd_session *s, const char *state)
{
	hwtd_fs_as(&s->cred);
	finish(s, state);
	hwtd_fs_restore();
}

void hwtd_session_free(struct hwtd_session *s)
{
	if (!s->finished)
		hwtd_session_stop(s, "stopped");
	if (s->copier > 0) {
		reap_copier(s, 1);
		hwtd_fs_as(&s->cred);
		note_images(s);
		hwtd_fs_restore();
	}
	hwt_collect_free(s->col);
	hwt_store_close(s->store);
	close(s->ctx);
	close(s->lockfd);
	free(s->maps);
	free(s);
}

int hwtd_session_id(const struct hwtd_session *s)
{
	return s->id;
}

uid_t hwtd_session_owner(const struct hwtd_session *s)
{
	return s->cred.uid;
}

gid_t hwtd_session_group(const struct hwtd_session *s)
{
	return s->cred.gid;
}

void hwtd_session_dir_id(const struct hwtd_session *s, dev_t *dev,
			 ino_t *ino)
{
	*dev = s->dev;
	*ino = s->ino;
}

const char *hwtd_session_path(const struct hwtd_session *s)
{
	return s->path;
}

const char *hwtd_session_state(const struct hwtd_session *s)
{
	return s->state;
}

int hwtd_session_is_ring(const struct hwtd_session *s)
{
	return s->ring;
}

int hwtd_session_finished(const struct hwtd_session *s)
{
	return s->finished;
}

const char *hwtd_session_error(const struct hwtd_session *s)
{
	return s->error;
}

const uint64_t *hwtd_session_cpu_map(const struct hwtd_session *s)
{
	return s->cpu_mode ? s->cpu_map : NULL;
}

uint64_t hwtd_session_bytes(const struct hwtd_session *s)
{
	return hwt_collect_bytes(s->col);
}

void hwtd_session_describe(const struct hwtd_session *s, char *buf,
			   size_t len)
{
	snprintf(buf, len, "%d %s %s %s %s %llu %llu %s", s->id, s->state,
		 s->backend, s->ring ? "ring" : "stream", s->target,
		 (unsigned long long)hwt_collect_bytes(s->col),
		 (unsigned long long)hwt_collect_records(s->col), s->path);
}
