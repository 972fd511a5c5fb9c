/* SPDX-License-Identifier: BSD-2-Clause */
/* OpenCSD in crash-isolating child processes (cs_child.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cs/cs_child.h"
#include "core/util.h"
#include "core/flow.h"

/*
 * OpenCSD 1.3.3 has memory-safety bugs on corrupt trace (a use after free
 * in TrcPktDecodeEtmV4I::mispredictAtom, found by our robustness test), so
 * the decode runs in a child process that streams its blocks and events
 * back through a pipe.  If the child dies, the chunk it was working on is
 * recorded as a gap and a new child goes on after it.  HWT_CS_DEC_NO_FORK
 * decodes in-process (debugging, fuzzing our own code).
 */
enum { REC_BLOCK = 1, REC_EVENT, REC_PROGRESS, REC_END, REC_ERROR };

struct rec_hdr {
	uint8_t kind;
	uint8_t pad;
	uint16_t len;		/* payload bytes after the header */
	uint32_t stream;
};

struct pipe_out {
	int fd;
	size_t n;
	uint8_t buf[65536];
};

static int out_flush(struct pipe_out *o)
{
	size_t off = 0;

	while (off < o->n) {
		ssize_t w = write(o->fd, o->buf + off, o->n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	o->n = 0;
	return 0;
}

static int out_rec(struct pipe_out *o, int kind, uint32_t stream,
		   const void *a, size_t alen, const void *b, size_t blen)
{
	struct rec_hdr h;

	if (blen > 1024)
		blen = 1024;
	if (o->n + sizeof(h) + alen + blen > sizeof(o->buf) &&
	    out_flush(o) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	h.kind = (uint8_t)kind;
	h.len = (uint16_t)(alen + blen);
	h.stream = stream;
	memcpy(o->buf + o->n, &h, sizeof(h));
	o->n += sizeof(h);
	if (alen)
		memcpy(o->buf + o->n, a, alen);
	o->n += alen;
	if (blen)
		memcpy(o->buf + o->n, b, blen);
	o->n += blen;
	return 0;
}

static int child_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	return out_rec(arg, REC_BLOCK, stream, b, sizeof(*b), NULL, 0);
}

static int child_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	struct hwt_event c = *e;

	c.msg = NULL;
	return out_rec(arg, REC_EVENT, stream, &c, sizeof(c), e->msg,
		       e->msg ? strlen(e->msg) : 0);
}

static int child_progress(void *arg, uint64_t pos)
{
	struct pipe_out *o = arg;

	if (out_rec(o, REC_PROGRESS, 0, &pos, sizeof(pos), NULL, 0) < 0)
		return -1;
	return out_flush(o);
}

/*
 * One decode child: a contiguous group of units, its pipe, what has been
 * read but not yet parsed, and how far it has got.
 */
struct kid {
	struct hwt_cs_unit *units;
	size_t nunits;
	pid_t pid;
	int fd;			/* -1: not running */
	int done;		/* END or ERROR record seen */
	int abort_on_exit;	/* HWT_CS_DEC_ABORT_ON_CHILD_EXIT */
	uint64_t pos;		/* last progress mark */
	size_t len;		/* bytes in buf */
	uint8_t buf[2 * 65536];
};

static int kid_start(struct kid *k, const uint8_t *data, size_t size,
		     int format, char *err, size_t errlen)
{
	int fds[2];

	if (pipe(fds) < 0) {
		hwt_errf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		hwt_errf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (k->pid == 0) {
		static struct pipe_out o;
		struct hwt_sink cs = {
			.arg = &o,
			.block = child_block,
			.event = child_event,
		};
		char e[512] = "";
		int r;

		/* The parent's crash handlers (sanitizers, libFuzzer, a
		 * caller's) must not run here: a crash is ours to report. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		close(fds[0]);
		o.fd = fds[1];
		r = hwt_cs_decode_range(data, size, (size_t)k->pos, format, k->units,
				 k->nunits, &cs, child_progress, &o, e,
				 sizeof(e));
		if (r < 0)
			out_rec(&o, REC_ERROR, 0, e, strlen(e), NULL, 0);
		else
			out_rec(&o, REC_END, 0, NULL, 0, NULL, 0);
		_exit(out_flush(&o) < 0 ? 1 : 0);
	}
	close(fds[1]);
	k->fd = fds[0];
	k->done = 0;
	k->len = 0;
	return 0;
}

/* Hands the complete records in k->buf to the sink.  0, or <0: the
 * sink's value, or -1 with err set (the child could not decode). */
static int kid_parse(struct kid *k, const struct hwt_sink *sink, char *err,
		     size_t errlen)
{
	size_t off = 0;
	int rc = 0;

	while (rc >= 0 && k->len - off >= sizeof(struct rec_hdr)) {
		struct rec_hdr h;
		const uint8_t *p;
		union {
			struct hwt_block b;
			struct hwt_event e;
			uint64_t pos;
		} u;
		char msg[1100];

		memcpy(&h, k->buf + off, sizeof(h));
		if (k->len - off - sizeof(h) < h.len)
			break;	/* the rest comes with the next read */
		p = k->buf + off + sizeof(h);
		off += sizeof(h) + h.len;
		if (h.kind == REC_BLOCK && h.len == sizeof(u.b)) {
			memcpy(&u.b, p, sizeof(u.b));
			rc = sink->block(sink->arg, h.stream, &u.b);
		} else if (h.kind == REC_EVENT && h.len >= sizeof(u.e) &&
			   h.len - sizeof(u.e) < sizeof(msg)) {
			memcpy(&u.e, p, sizeof(u.e));
			memcpy(msg, p + sizeof(u.e), h.len - sizeof(u.e));
			msg[h.len - sizeof(u.e)] = '\0';
			u.e.msg = h.len > sizeof(u.e) ? msg : NULL;
			rc = sink->event ? sink->event(sink->arg, h.stream,
						       &u.e) : 0;
		} else if (h.kind == REC_PROGRESS && h.len == sizeof(u.pos)) {
			memcpy(&u.pos, p, sizeof(u.pos));
			k->pos = u.pos;
		} else if (h.kind == REC_END) {
			k->done = 1;
		} else if (h.kind == REC_ERROR) {
			hwt_errf(err, errlen, "%.*s", (int)h.len,
				   (const char *)p);
			k->done = 1;
			rc = -1;
		}
	}
	memmove(k->buf, k->buf + off, k->len - off);
	k->len -= off;
	return rc;
}

/* Reaps k after its pipe closed: 0 if it finished, 1 if it died (why). */
static int kid_reap(struct kid *k, char *why, size_t whylen)
{
	int status = 0;

	close(k->fd);
	k->fd = -1;
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (k->done && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whylen, "signal %d", WTERMSIG(status));
	else
		snprintf(why, whylen, "exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 1;
}

/* k died in the chunk after k->pos: a gap on its units, then restart
 * after that chunk.  Returns 1 if restarted, 0 if at the end, <0. */
static int kid_restart(struct kid *k, const uint8_t *data, size_t size,
		       int format, const char *why,
		       const struct hwt_sink *sink, char *err, size_t errlen)
{
	uint64_t from = k->pos;
	char msg[256];
	size_t i;

	/* Sanitizers in the child exit (not signal): under the fuzzer that
	 * is a bug in our code, not OpenCSD's. */
	if (!strncmp(why, "exit", 4) && k->abort_on_exit)
		abort();
	k->pos = (k->pos / HWT_CS_CHUNK + 1) * HWT_CS_CHUNK;
	if (k->pos > size)
		k->pos = size;
	snprintf(msg, sizeof(msg),
		 "OpenCSD failed (%s) decoding trace bytes %llu-%llu: skipped",
		 why, (unsigned long long)from, (unsigned long long)k->pos);
	for (i = 0; i < k->nunits && sink->event; i++) {
		struct hwt_event ev;
		int rc;

		memset(&ev, 0, sizeof(ev));
		ev.type = HWT_EV_GAP;
		ev.code = -OCSD_ERR_FAIL;
		ev.offset = from;
		ev.msg = msg;
		rc = sink->event(sink->arg, k->units[i].info.id, &ev);
		if (rc < 0)
			return rc;
	}
	if (k->pos >= size)
		return 0;
	return kid_start(k, data, size, format, err, errlen) < 0 ? -1 : 1;
}

/*
 * Decodes with up to one child per online CPU, each taking a contiguous
 * group of units (trace IDs are independent: every child deformats the
 * whole buffer and keeps its own IDs).  The parent multiplexes their
 * records to the sink: each stream's items stay in trace order.
 */
int hwt_cs_decode_children(const uint8_t *data, size_t start, size_t size,
			   int format, struct hwt_cs_unit *units, size_t nunits,
			   int flags, const struct hwt_sink *sink, char *err,
			   size_t errlen)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nk = nunits, i, running = 0;
	struct kid *kids;
	int rc = 0;

	if (ncpu < 1)
		ncpu = 1;
	if (nk > (size_t)ncpu)
		nk = (size_t)ncpu;
	if (!nk)
		nk = 1;
	kids = hwt_xrealloc(NULL, nk * sizeof(*kids));
	for (i = 0; i < nk; i++) {
		kids[i].units = units + i * nunits / nk;
		kids[i].nunits = (i + 1) * nunits / nk - i * nunits / nk;
		kids[i].fd = -1;
		kids[i].pos = start;
		kids[i].abort_on_exit = !!(flags & HWT_CS_DEC_ABORT_ON_CHILD_EXIT);
	}
	for (i = 0; i < nk && rc >= 0; i++) {
		rc = kid_start(&kids[i], data, size, format, err, errlen);
		running += rc >= 0;
	}
	while (rc >= 0 && running) {
		struct pollfd pfd[128];
		size_t idx[128], n = 0;

		for (i = 0; i < nk && n < 128; i++)
			if (kids[i].fd >= 0) {
				pfd[n].fd = kids[i].fd;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				idx[n++] = i;
			}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			hwt_errf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (i = 0; i < n && rc >= 0; i++) {
			struct kid *k = &kids[idx[i]];
			char why[64];
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(k->fd, k->buf + k->len,
				 sizeof(k->buf) - k->len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				k->len += (size_t)r;
				rc = kid_parse(k, sink, err, errlen);
				continue;
			}
			/* End of the pipe: finished, or died. */
			running--;
			if (!kid_reap(k, why, sizeof(why)))
				continue;
			rc = kid_restart(k, data, size, format, why, sink,
					 err, errlen);
			if (rc > 0) {
				running++;
				rc = 0;
			}
		}
	}
	for (i = 0; i < nk; i++) {
		if (kids[i].fd < 0)
			continue;
		char why[64];

		kill(kids[i].pid, SIGKILL);
		kid_reap(&kids[i], why, sizeof(why));
	}
	free(kids);
	return rc;
}
