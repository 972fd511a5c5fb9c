// SPDX-License-Identifier: BSD-2-Clause
/* Collector: hwt context -> trace store.  See collect.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hwt_err.h"
#include "collect.h"
#include "procmaps.h"
#include "hwt/hwt.h"
#include "vdso.h"
#include "describe.h"

#define MAX_BUFS	HWT_MAX_THREADS
#define MAX_GAPS	64
#define MAX_IMAGES	256
#define RECBUF		(256 * 1024)

struct gap {
	uint64_t pos;		/* lost bytes come before this stream byte */
	uint64_t lost;
	uint64_t total;		/* the buffer's losses up to and with it */
};

struct cbuf {
	int mapped;
	const uint8_t *map;
	uint64_t size;
	uint64_t consumed;	/* next stream byte we have not stored */
	uint64_t lost_stored;	/* lost bytes already attributed */
	/*
	 * Kernel positions (the buffer's head counts every byte a trace
	 * unit wrote, also those it wrote over unread data) vs stored
	 * bytes: positions before consumed that were not stored (a lap,
	 * a flight recorder's overwritten part, torn copies), and the
	 * range this drain will not store, known from its head snapshot.
	 * A record's buf_head is stored as the stored offset (stored_pos).
	 */
	uint64_t unstored;
	uint64_t skip_from, skip_to;
	struct gap gaps[MAX_GAPS];
	int ngaps;
};

struct hwt_collect {
	int fd;
	struct hwt_store *store;
	struct hwt_collect_opts opts;
	struct cbuf bufs[MAX_BUFS];
	struct hwt_bufptr heads[MAX_BUFS];	/* drain_all's snapshot */
	uint8_t *recbuf;
	char *images[MAX_IMAGES];
	int nimages;
	int ncopied;		/* images[0..ncopied) are in the session */
	uint64_t vdso_len;	/* the first [vdso] mapping's length */
	uint64_t bytes, records;
	uint64_t torn;		/* bytes overwritten while being copied */
	uint64_t commit_ns, commit_bytes;	/* at the last commit */
	uint64_t drain_ns;			/* the last step's drain */
	int quota_reached;
	/* What the backend records (HWT_IOC_DESCRIBE), asked once the
	 * first stream appears: the config is fixed by then. */
	struct hwt_desc desc;
	int described;
	char err[256];
};

static int cfail(struct hwt_collect *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwt_verrf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

const char *hwt_collect_error(const struct hwt_collect *c)
{
	return c->err;
}

uint64_t hwt_collect_bytes(const struct hwt_collect *c)
{
	return c->bytes;
}

int hwt_collect_quota_reached(const struct hwt_collect *c)
{
	return c->quota_reached;
}

uint64_t hwt_collect_records(const struct hwt_collect *c)
{
	return c->records;
}

struct hwt_collect *hwt_collect_new(int ctxfd, struct hwt_store *store,
				    const struct hwt_collect_opts *opts)
{
	struct hwt_collect *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->recbuf = malloc(RECBUF);
	if (!c->recbuf) {
		free(c);
		return NULL;
	}
	c->fd = ctxfd;
	c->store = store;
	c->opts = *opts;
	return c;
}

void hwt_collect_free(struct hwt_collect *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < MAX_BUFS; i++)
		if (c->bufs[i].mapped)
			munmap((void *)c->bufs[i].map, c->bufs[i].size);
	for (i = 0; i < c->nimages; i++)
		free(c->images[i]);
	free(c->recbuf);
	free(c);
}

static int is_vdso(const char *path)
{
	return !strcmp(path, HWT_MMAP_VDSO);
}

/* Whether a mapping's code is an image the session keeps: an executable
 * file's, or the [vdso] (vdso.h). */
static int is_image(uint32_t prot, const char *path)
{
	return (prot & PROT_EXEC) && (path[0] == '/' || is_vdso(path));
}

static void note_image(struct hwt_collect *c, const struct hwt_rec_mmap *m)
{
	int i;

	if (!is_image(m->prot, m->path))
		return;
	if (is_vdso(m->path) && !c->vdso_len)
		c->vdso_len = m->len;
	for (i = 0; i < c->nimages; i++)
		if (!strcmp(c->images[i], m->path))
			return;
	if (c->nimages < MAX_IMAGES)
		c->images[c->nimages++] = strdup(m->path);
}

/*
 * The stored offset of kernel position kpos of buffer cb (kpos at or
 * after the bytes stored before this drain): kpos less the positions
 * before it that are not stored.  A position inside a range that is not
 * stored maps to where that range's loss sits among the stored bytes.
 */
static uint64_t stored_pos(const struct cbuf *cb, uint64_t kpos)
{
	uint64_t u = cb->unstored;

	if (kpos > cb->skip_from)
		u += (kpos < cb->skip_to ? kpos : cb->skip_to) - cb->skip_from;
	return kpos > u ? kpos - u : 0;
}

static void note_gap(struct hwt_collect *c, const struct hwt_rec_buffer *b)
{
	struct cbuf *cb;

	if (!(b->flags & HWT_BUFREC_OVERFLOW) || b->hdr.buf_idx >= MAX_BUFS)
		return;
	cb = &c->bufs[b->hdr.buf_idx];
	if (cb->ngaps < MAX_GAPS) {
		cb->gaps[cb->ngaps].pos = b->hdr.buf_head;
		cb->gaps[cb->ngaps].lost = b->lost;
		cb->gaps[cb->ngaps].total = b->total_lost;
		cb->ngaps++;
	}
	/* More episodes than we track between drains: the excess is
	 * attributed at the end of the next drain instead. */
}

/*
 * Drain the records queued now, not the ones that arrive meanwhile: a
 * target switching fast makes records faster than they can be stored,
 * and an unbounded loop would never get to the buffers.
 */
static int drain_records(struct hwt_collect *c)
{
	struct hwt_record_get g;
	uint64_t left = UINT64_MAX;
	uint32_t off;

	while (left) {
		memset(&g, 0, sizeof(g));
		g.buf = (uintptr_t)c->recbuf;
		g.buflen = RECBUF;
		if (ioctl(c->fd, HWT_IOC_RECORD_GET, &g))
			return cfail(c, "RECORD_GET: %s", strerror(errno));
		if (!g.nrecords)
			return 0;
		if (left == UINT64_MAX)
			left = (uint64_t)g.nrecords + g.pending;
		left -= g.nrecords < left ? g.nrecords : left;
		for (off = 0; off < g.bytes;) {
			struct hwt_record_hdr *h = (void *)(c->recbuf + off);

			/* Gaps are placed in kernel positions (drain_buffer);
			 * the store keeps stored offsets. */
			if (h->type == HWT_REC_MMAP)
				note_image(c, (const void *)h);
			else if (h->type == HWT_REC_BUFFER)
				note_gap(c, (const void *)h);
			if (h->buf_idx < MAX_BUFS)
				h->buf_head = stored_pos(&c->bufs[h->buf_idx],
							 h->buf_head);
			if (hwt_store_record(c->store, h, g.bytes - off))
				return cfail(c, "%s",
					     hwt_store_error(c->store));
			if (c->opts.on_record)
				c->opts.on_record(h, c->opts.arg);
			c->records++;
			off += h->size;
		}
	}
	return 0;
}

/*
 * Store stream bytes [from, to) of buffer cb.  A software backend keeps
 * them intact until we SVC_BUF them, but a trace unit that ignores the
 * reader's tail (Intel PT's ToPA, a flight recorder still running) may
 * overwrite the oldest of them while we copy: so they are copied out
 * first, the head is read again, and what the unit may have reached
 * (more than a buffer behind the new head) is stored as lost instead.
 */
static int store_range(struct hwt_collect *c, uint32_t idx, struct cbuf *cb,
		       uint64_t from, uint64_t to, uint64_t lost_before)
{
	uint64_t off = from % cb->size, len = to - from, first, skip = 0;
	struct hwt_bufptr after = { .idx = idx };
	uint8_t *copy;
	int rc;

	if (!len)
		return lost_before && hwt_store_append(c->store, idx, NULL, 0,
						       lost_before) ?
		       cfail(c, "%s", hwt_store_error(c->store)) : 0;
	if (len > cb->size)	/* never more than the buffer holds */
		return cfail(c, "buffer %u: %llu bytes to copy from a %llu-byte"
			     " buffer", idx, (unsigned long long)len,
			     (unsigned long long)cb->size);
	copy = malloc(len);
	if (!copy)
		return cfail(c, "out of memory");
	first = cb->size - off < len ? cb->size - off : len;
	memcpy(copy, cb->map + off, first);
	memcpy(copy + first, cb->map, len - first);
	if (!ioctl(c->fd, HWT_IOC_BUFPTR_GET, &after) &&
	    after.head > from + cb->size)
		skip = after.head - cb->size - from < len ?
		       after.head - cb->size - from : len;
	rc = hwt_store_append(c->store, idx, copy + skip, len - skip,
			      lost_before + skip);
	free(copy);
	if (rc)
		return cfail(c, "%s", hwt_store_error(c->store));
	c->bytes += len - skip;
	c->torn += skip;
	cb->unstored += skip;
	/* Streaming: the unit lapped these bytes, so the kernel counts them
	 * too; the BUFFER record of that lap must not store them again. */
	if (!c->opts.ring)
		cb->lost_stored += skip;
	return 0;
}

static int open_stream(struct hwt_collect *c, uint32_t idx,
		       const struct hwt_bufptr *bp)
{
	struct cbuf *cb = &c->bufs[idx];
	int i, formatted;
	void *m;

	m = mmap(NULL, bp->size, PROT_READ, MAP_SHARED, c->fd,
		 (off_t)bp->mmap_offset);
	if (m == MAP_FAILED)
		return cfail(c, "mmap buffer %u: %s", idx, strerror(errno));
	cb->map = m;
	cb->size = bp->size;
	cb->mapped = 1;
	cb->consumed = 0;
	if (!c->described) {
		char e[256];

		if (hwt_desc_get(c->fd, &c->desc, e, sizeof(e)))
			return cfail(c, "%s", e);
		c->described = 1;
	}
	/* A backend whose sink frames its trace (CoreSight TMC frames)
	 * says formatted=1 in its description. */
	formatted = 0;
	for (i = 0; i < c->desc.nparams; i++)
		if (!strcmp(c->desc.params[i].key, "formatted"))
			formatted = !strcmp(c->desc.params[i].value, "1");
	if (hwt_store_stream(c->store, idx, c->desc.kind, bp->tid, bp->cpu,
			     -1, formatted))
		return cfail(c, "%s", hwt_store_error(c->store));
	for (i = 0; i < c->desc.nparams; i++)
		if (hwt_store_param(c->store, idx, c->desc.params[i].key,
				    c->desc.params[i].value))
			return cfail(c, "%s", hwt_store_error(c->store));
	if (c->opts.on_stream && c->opts.on_stream(c->store, idx, c->opts.arg))
		return cfail(c, "%s", hwt_store_error(c->store));
	return 0;
}

/*
 * What drain_buffer will not store of the bytes up to bp's head: in
 * ring mode what the recorder overwrote before we looked, in streaming
 * mode what the unit lapped (the kernel moved the tail past it).
 */
static void note_skip(struct hwt_collect *c, struct cbuf *cb,
		      const struct hwt_bufptr *bp)
{
	uint64_t from = cb->consumed, to = from;

	if (c->opts.ring) {
		to = bp->head > bp->size ? bp->head - bp->size : 0;
		if (to < bp->tail)
			to = bp->tail;
	} else if (bp->tail > from) {
		to = bp->tail;
	}
	cb->skip_from = from;
	cb->skip_to = to > from ? to : from;
}

/* Store buffer idx up to the head of bp, a snapshot taken before the
 * records were drained (drain_all says why). */
static int drain_buffer(struct hwt_collect *c, uint32_t idx,
			const struct hwt_bufptr *bpp, int final)
{
	struct cbuf *cb = &c->bufs[idx];
	struct hwt_bufptr bp = *bpp;
	struct hwt_svc_buf svc = { .idx = idx };
	uint64_t from, lost_unplaced;
	int i;

	from = cb->consumed;
	if (!c->opts.ring && c->opts.quota &&
	    c->bytes + (bp.head - from) > c->opts.quota) {
		c->quota_reached = 1;
		return 0;
	}
	if (c->opts.ring) {
		/* Flight recorder: what was overwritten before we looked is
		 * a gap in front of what is still there. */
		uint64_t oldest = bp.head > bp.size ? bp.head - bp.size : 0;

		if (oldest < bp.tail)
			oldest = bp.tail;
		if (from < oldest) {
			cb->unstored += oldest - from;
			if (store_range(c, idx, cb, oldest, bp.head,
					oldest - from))
				return -1;
		} else if (store_range(c, idx, cb, from, bp.head, 0)) {
			return -1;
		}
		cb->consumed = bp.head;
		cb->skip_from = cb->skip_to = bp.head;
		return 0;
	}

	/* Streaming, and the unit lapped unread bytes (a ToPA ignores the
	 * tail): the kernel moved the tail to the oldest byte kept; what
	 * lies before it is lost, whatever records say of it. */
	if (bp.tail > from) {
		uint64_t lapped = bp.tail - from;

		for (i = 0; i < cb->ngaps && cb->gaps[i].pos <= bp.tail; i++)
			;
		memmove(cb->gaps, cb->gaps + i,
			(cb->ngaps - i) * sizeof(cb->gaps[0]));
		cb->ngaps -= i;
		if (hwt_store_append(c->store, idx, NULL, 0, lapped))
			return cfail(c, "%s", hwt_store_error(c->store));
		cb->lost_stored += lapped;
		cb->unstored += lapped;
		from = bp.tail;
	}
	/* Split the new bytes at the loss points the BUFFER records gave,
	 * so each gap sits where it happened. */
	for (i = 0; i < cb->ngaps && cb->gaps[i].pos <= bp.head; i++) {
		struct gap *g = &cb->gaps[i];
		uint64_t room = g->total > cb->lost_stored ?
				g->total - cb->lost_stored : 0;
		uint64_t lost = g->lost < room ? g->lost : room;

		/* A loss is stored once: no more than the kernel counted up
		 * to this record.  A final drain stores an episode still
		 * open (the target gone, its buffer full) as unplaced; STOP
		 * reports that episode only afterwards. */
		if (g->pos < from)
			g->pos = from;		/* cannot be: defensive */
		if (store_range(c, idx, cb, from, g->pos, 0))
			return -1;
		if (hwt_store_append(c->store, idx, NULL, 0, lost))
			return cfail(c, "%s", hwt_store_error(c->store));
		cb->lost_stored += lost;
		from = g->pos;
	}
	memmove(cb->gaps, cb->gaps + i, (cb->ngaps - i) * sizeof(cb->gaps[0]));
	cb->ngaps -= i;
	if (store_range(c, idx, cb, from, bp.head, 0))
		return -1;
	cb->consumed = bp.head;
	/* Losses with no BUFFER record yet (episode still open, or the
	 * record was dropped): account for them at the end. */
	lost_unplaced = bp.lost > cb->lost_stored ?
			bp.lost - cb->lost_stored : 0;
	if (final && lost_unplaced) {
		if (hwt_store_append(c->store, idx, NULL, 0, lost_unplaced))
			return cfail(c, "%s", hwt_store_error(c->store));
		cb->lost_stored = bp.lost;
	}
	cb->skip_from = cb->skip_to = bp.head;
	svc.tail = bp.head;
	if (ioctl(c->fd, HWT_IOC_SVC_BUF, &svc))
		return cfail(c, "SVC_BUF %u: %s", idx, strerror(errno));
	return 0;
}

/*
 * Heads first, then records, then the data up to those heads: every
 * BUFFER record of a loss before a head was queued before the head was
 * read, so each gap is known before the bytes after it are stored.
 */
static int drain_all(struct hwt_collect *c, int buffers, int final)
{
	struct hwt_info info = { 0 };
	uint32_t i, n = 0;

	if (buffers) {
		if (ioctl(c->fd, HWT_IOC_INFO, &info))
			return cfail(c, "INFO: %s", strerror(errno));
		n = info.nbuffers < MAX_BUFS ? info.nbuffers : MAX_BUFS;
		for (i = 0; i < n; i++) {
			struct hwt_bufptr *bp = &c->heads[i];

			memset(bp, 0, sizeof(*bp));
			bp->idx = i;
			if (ioctl(c->fd, HWT_IOC_BUFPTR_GET, bp)) {
				if (errno != EINVAL)
					return cfail(c, "BUFPTR_GET %u: %s", i,
						     strerror(errno));
				bp->size = 0;	/* not there (yet) */
				continue;
			}
			if (!c->bufs[i].mapped && open_stream(c, i, bp))
				return -1;
			note_skip(c, &c->bufs[i], bp);
		}
	}
	if (drain_records(c))
		return -1;
	for (i = 0; i < n; i++)
		if (c->heads[i].size && drain_buffer(c, i, &c->heads[i], final))
			return -1;
	return 0;
}

/*
 * A commit (fdatasync + a SQLite transaction) per poll wakeup costs more
 * than the bytes at high rates; the bytes are written and their buffer
 * space given back already, so committing by time or volume only delays
 * when they are indexed (a crash meanwhile loses at most that much).
 */
#define COMMIT_NS	(50 * 1000000ull)
#define COMMIT_BYTES	(32ull << 20)

#define PACE_NS		(2 * 1000000ull)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t pace_left_ns(const struct hwt_collect *c, uint64_t now)
{
	return now - c->drain_ns < PACE_NS ? PACE_NS - (now - c->drain_ns) : 0;
}

int hwt_collect_due_ms(const struct hwt_collect *c)
{
	uint64_t left = pace_left_ns(c, mono_ns());

	return (int)((left + 999999) / 1000000);
}

static int commit_due(struct hwt_collect *c)
{
	uint64_t now = mono_ns();

	if (now - c->commit_ns < COMMIT_NS &&
	    c->bytes - c->commit_bytes < COMMIT_BYTES)
		return 0;
	if (hwt_store_commit(c->store))
		return cfail(c, "%s", hwt_store_error(c->store));
	c->commit_ns = now;
	c->commit_bytes = c->bytes;
	return 0;
}

int hwt_collect_step(struct hwt_collect *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct hwt_info info = { 0 };
	uint64_t left = pace_left_ns(c, mono_ns());

	if (left && !timeout_ms)
		return 0;
	if (left) {
		struct timespec ts = { 0, (long)left };

		nanosleep(&ts, NULL);
	}
	if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR)
		return cfail(c, "poll: %s", strerror(errno));
	if (ioctl(c->fd, HWT_IOC_INFO, &info))
		return cfail(c, "INFO: %s", strerror(errno));
	if (info.state == HWT_STATE_TARGET_GONE) {
		if (c->opts.ring && c->opts.ring_no_final_dump) {
			if (drain_records(c))
				return -1;
			if (hwt_store_commit(c->store))
				return cfail(c, "%s", hwt_store_error(c->store));
			return 1;
		}
		if (hwt_collect_snapshot(c))
			return -1;
		return 1;
	}
	c->drain_ns = mono_ns();
	if (drain_all(c, !c->opts.ring, 0))
		return -1;
	return commit_due(c);
}

int hwt_collect_drain_records(struct hwt_collect *c)
{
	return drain_records(c);
}

int hwt_collect_add_process(struct hwt_collect *c, int pid)
{
	char name[64], line[HWT_PATH_MAX + 256];
	struct hwt_rec_mmap *rec;
	struct hwtd_procmap m;
	size_t len;
	FILE *f;
	int n = 0, lineno = 0;

	snprintf(name, sizeof(name), "/proc/%d/maps", pid);
	f = fopen(name, "re");
	if (!f)
		return cfail(c, "%s: %s", name, strerror(errno));
	rec = calloc(1, sizeof(*rec) + HWT_PATH_MAX + 8);
	if (!rec) {
		fclose(f);
		return cfail(c, "out of memory");
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (hwtd_procmap_parse(line, &m)) {
			n = cfail(c, "%s: line %d is not a mapping", name,
				  lineno);
			break;
		}
		if (!is_image(m.prot, m.path))
			continue;
		len = strnlen(m.path, HWT_PATH_MAX - 1);
		memset(rec, 0, sizeof(*rec) + HWT_PATH_MAX + 8);
		rec->hdr.type = HWT_REC_MMAP;
		rec->hdr.size = (uint32_t)((sizeof(*rec) + len + 1 + 7) & ~7ul);
		rec->hdr.pid = pid;
		rec->hdr.tid = pid;
		rec->hdr.cpu = -1;
		rec->hdr.buf_idx = ~0u;
		rec->hdr.time = mono_ns();
		rec->addr = m.start;
		rec->len = m.end - m.start;
		rec->pgoff = m.offset;
		rec->prot = m.prot;
		rec->flags = m.shared ? MAP_SHARED : MAP_PRIVATE;
		memcpy(rec->path, m.path, len);
		note_image(c, rec);
		if (hwt_store_record(c->store, &rec->hdr, rec->hdr.size)) {
			n = cfail(c, "%s", hwt_store_error(c->store));
			break;
		}
		c->records++;
		n++;
	}
	if (n >= 0 && ferror(f))
		n = cfail(c, "%s: %s", name, strerror(errno));
	free(rec);
	fclose(f);
	return n;
}

int hwt_collect_snapshot(struct hwt_collect *c)
{
	/* Records first: BUFFER records place the gaps in the data. */
	if (drain_all(c, 1, 1))
		return -1;
	if (drain_records(c))
		return -1;
	if (hwt_store_commit(c->store))
		return cfail(c, "%s", hwt_store_error(c->store));
	return 0;
}

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Writes dst through fill(fd, arg) on a temporary name, then renames it:
 * a crash never leaves a cut image under the real name.
 * Returns 0 if: dst is written, or was already there.
 * Returns -1 (nothing left behind) if: the temporary cannot be created,
 * fill fails, or fsync or rename fails.
 */
static int write_atomically(const char *dst, int (*fill)(int fd, void *arg),
			    void *arg)
{
	char tmp[PATH_MAX * 2 + 8];
	int out, ret = 0;

	if (!access(dst, F_OK))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	unlink(tmp);		/* a leftover of a crash */
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0644);
	if (out < 0)
		return -1;
	if (fill(out, arg) || fsync(out))
		ret = -1;
	close(out);
	if (!ret && rename(tmp, dst))
		ret = -1;
	if (ret)
		unlink(tmp);
	return ret;
}

struct file_source {
	int fd;
	uint64_t size;
};

/* Copies src->size bytes of src->fd to fd.  Returns 0, or -1 if: a read
 * comes short (the file shrank) or a write fails. */
static int fill_from_file(int fd, void *arg)
{
	const struct file_source *src = arg;
	char buf[65536];
	uint64_t left;
	ssize_t n;

	for (left = src->size; left; left -= (uint64_t)n) {
		n = read(src->fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0 || write(fd, buf, (size_t)n) != n)
			return -1;
	}
	return 0;
}

/*
 * Copies src to dst (write_atomically).  The source is whatever is at
 * the mapped path now, which its owner may have replaced: it is opened
 * without following a symlink and without blocking (a FIFO), must be a
 * regular file of at most max bytes, and no more than its size is copied.
 * Returns 0 if: copied, or dst was there.  Returns -1 (not copied;
 * nothing left behind) if: src cannot be opened, is not such a file, or
 * the copy fails.
 */
static int copy_file(const char *src, const char *dst, uint64_t max)
{
	struct file_source from;
	struct stat sb;
	int ret;

	if (!access(dst, F_OK))
		return 0;
	from.fd = open(src, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
		       O_CLOEXEC);
	if (from.fd < 0)
		return -1;
	if (fstat(from.fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > max) {
		close(from.fd);
		return -1;
	}
	from.size = (uint64_t)sb.st_size;
	ret = write_atomically(dst, fill_from_file, &from);
	close(from.fd);
	return ret;
}

/* Writes this process's vDSO, *(uint64_t *)arg bytes, to fd
 * (hwtd_vdso_write).  Returns 0, or -1 if: that fails. */
static int fill_from_vdso(int fd, void *arg)
{
	return hwtd_vdso_write(fd, *(const uint64_t *)arg);
}

int hwt_collect_copy_images(struct hwt_collect *c, const char *session_dir)
{
	char dst[PATH_MAX * 2];
	int failed = 0;

	/* Only the images seen since the last call. */
	for (; c->ncopied < c->nimages; c->ncopied++) {
		const char *img = c->images[c->ncopied];

		if (is_vdso(img)) {
			snprintf(dst, sizeof(dst), "%s/images/%s",
				 session_dir, img);
			/* this process's vDSO, the target's if their
			 * mappings have one size (vdso.h) */
			if (mkdirs(dst) || write_atomically(dst,
					fill_from_vdso, &c->vdso_len))
				failed++;
			continue;
		}
		snprintf(dst, sizeof(dst), "%s/images%s", session_dir, img);
		if (mkdirs(dst) || copy_file(img, dst, c->opts.image_max ?
					     c->opts.image_max :
					     HWT_COLLECT_IMAGE_MAX))
			failed++;
	}
	return failed ? cfail(c, "%d image(s) could not be copied", failed) :
			0;
}

int hwt_collect_images_pending(const struct hwt_collect *c)
{
	return c->nimages - c->ncopied;
}

void hwt_collect_images_taken(struct hwt_collect *c)
{
	c->ncopied = c->nimages;
}
