/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the in-guest tests of kmod/hwt (static programs run by
 * tests/vm/run.sh).  Each test prints "PASS: name" or "FAIL: name: why".
 */
#ifndef HWT_TEST_H
#define HWT_TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hwt/hwt.h"
#include "../../../kmod/hwt/hwt_null.h"

static int t_failed;		/* current test failed */
static int t_total_failed;	/* tests that failed */
static const char *t_name;

static inline void t_begin(const char *name)
{
	t_name = name;
	t_failed = 0;
}

static inline void t_fail(const char *fmt, ...)
{
	va_list ap;

	if (t_failed++)
		return;		/* report the first reason only */
	printf("FAIL: %s: ", t_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void t_end(void)
{
	if (!t_failed)
		printf("PASS: %s\n", t_name);
	else
		t_total_failed++;
	fflush(stdout);
}

#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		t_fail("line %d: %s", __LINE__, #cond);			\
} while (0)

/* Expect a call to fail with errno e. */
#define CHECK_ERR(call, e) do {						\
	errno = 0;							\
	long r_ = (long)(call);						\
	if (r_ != -1 || errno != (e))					\
		t_fail("line %d: %s returned %ld errno %d (%s), want %s", \
		       __LINE__, #call, r_, errno, strerror(errno), #e); \
	if (r_ >= 0 && r_ > 2)						\
		close((int)r_);						\
} while (0)

/* The state letter in /proc/PID/stat (R, S, 'Z': all its threads have
 * exited...), or 0 if the task is gone. */
static inline char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Loads the module at ko with params.  Returns 0, or -1 (errno) if it
 * did not load. */
static inline int module_load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = (int)syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

/* Unloads module name, retrying while it is busy (the last context's
 * release may still be on its way).  Returns 0 once it is gone, -1 if
 * it stays (busy 5 s, or another error). */
static inline int module_unload(const char *name)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		usleep(100000);
	}
	return -1;
}

static inline int hwt_dev(void)
{
	int fd = open(HWT_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("FAIL: open %s: %s\n", HWT_DEVICE_PATH, strerror(errno));
		exit(1);
	}
	return fd;
}

static inline void alloc_init(struct hwt_alloc *a, uint32_t mode, pid_t pid,
		       const char *backend, uint64_t bufsize)
{
	memset(a, 0, sizeof(*a));
	a->mode = mode;
	a->pid = pid;
	a->bufsize = bufsize;
	snprintf(a->backend, sizeof(a->backend), "%s", backend);
}

static inline int ctx_thread(int dev, pid_t pid, uint64_t bufsize, uint32_t flags,
		      uint32_t recq)
{
	struct hwt_alloc a;

	alloc_init(&a, HWT_MODE_THREAD, pid, "null", bufsize);
	a.flags = flags;
	a.recq_size = recq;
	return ioctl(dev, HWT_IOC_ALLOC, &a);
}

static inline int null_config(int ctx, uint32_t filler)
{
	struct hwt_null_config c = { .filler = filler };
	struct hwt_config cfg = {
		.version = HWT_NULL_CONFIG_VERSION,
		.size = sizeof(c),
		.data = (uintptr_t)&c,
	};

	return ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg);
}

/* A child that waits for a byte on a pipe, runs fn, and exits with its
 * return value. */
struct child {
	pid_t pid;
	int go;
	int hold;		/* write a byte: child_hold() returns */
	int ready;		/* a byte arrives when the child holds */
};

static int child_hold_fd = -1, child_ready_fd = -1;

/* In the child: block until the parent calls child_release().  The parent
 * can wait for this point with child_wait_holding(). */
static inline void child_hold(void)
{
	char b;

	if (write(child_ready_fd, "h", 1) != 1 ||
	    read(child_hold_fd, &b, 1) != 1)
		_exit(101);
}

static inline struct child child_spawn(int (*fn)(void *), void *arg)
{
	struct child c;
	int p[2], h[2], r[2];
	char b;

	if (pipe(p) || pipe(h) || pipe(r))
		abort();
	c.pid = fork();
	if (c.pid == 0) {
		close(p[1]);
		close(h[1]);
		close(r[0]);
		child_hold_fd = h[0];
		child_ready_fd = r[1];
		if (read(p[0], &b, 1) != 1)
			_exit(100);
		_exit(fn(arg));
	}
	close(p[0]);
	close(h[0]);
	close(r[1]);
	c.go = p[1];
	c.hold = h[1];
	c.ready = r[0];
	return c;
}

static inline void child_go(struct child *c)
{
	if (write(c->go, "g", 1) != 1)
		abort();
	close(c->go);
}

/* Wait until the child is about to block in child_hold(), then give it
 * 50 ms to get there. */
static inline void child_wait_holding(struct child *c)
{
	char b;

	if (read(c->ready, &b, 1) != 1)
		abort();
	usleep(50000);
}

static inline void child_release(struct child *c)
{
	if (write(c->hold, "r", 1) != 1)
		abort();
}

static inline int child_wait(struct child *c)
{
	int st;

	/* The ready pipe stays open until the child is gone: a child that
	 * reaches child_hold() late must not die of SIGPIPE. */
	close(c->hold);
	if (waitpid(c->pid, &st, 0) != c->pid)
		st = -1;
	close(c->ready);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Records drained from a context, back to back. */
struct recs {
	uint8_t *buf;
	size_t len, cap;
	uint64_t dropped;
};

static inline int recs_drain(int ctx, struct recs *r)
{
	struct hwt_record_get g;
	uint8_t tmp[65536];

	for (;;) {
		memset(&g, 0, sizeof(g));
		g.buf = (uintptr_t)tmp;
		g.buflen = sizeof(tmp);
		if (ioctl(ctx, HWT_IOC_RECORD_GET, &g))
			return -1;
		r->dropped = g.dropped;
		if (!g.nrecords)
			return 0;
		if (r->len + g.bytes > r->cap) {
			r->cap = (r->len + g.bytes) * 2;
			r->buf = realloc(r->buf, r->cap);
		}
		memcpy(r->buf + r->len, tmp, g.bytes);
		r->len += g.bytes;
	}
}

#define recs_for_each(r, h)						\
	for (struct hwt_record_hdr *h = (void *)(r)->buf;		\
	     (uint8_t *)h < (r)->buf + (r)->len &&			\
	     h->size >= sizeof(*h);					\
	     h = (void *)((uint8_t *)h + h->size))

static inline int recs_count(struct recs *r, uint32_t type, pid_t tid)
{
	int n = 0;

	recs_for_each(r, h)
		if (h->type == type && (tid <= 0 || h->tid == tid))
			n++;
	return n;
}

/* Check every record is well-formed: size, alignment, known type. */
static inline int recs_valid(struct recs *r)
{
	size_t off = 0;

	while (off < r->len) {
		struct hwt_record_hdr *h = (void *)(r->buf + off);

		if (r->len - off < sizeof(*h) || h->size < sizeof(*h) ||
		    h->size % 8 || h->size > r->len - off ||
		    h->type < 1 || h->type > HWT_REC_MAX)
			return 0;
		off += h->size;
	}
	return 1;
}

static inline void recs_free(struct recs *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* /sys/module/MOD/refcnt, or -1 if the module is not loaded. */
static inline int mod_refcnt(const char *mod)
{
	char path[128];
	FILE *f;
	int n = -1;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Teardown is asynchronous (task_work, RCU, workqueue): poll up to 10 s. */
static inline int wait_mod_refcnt(const char *mod, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (mod_refcnt(mod) == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* /sys/module/hwt/refcnt: contexts and open fds hold references. */
static inline int hwt_refcnt(void)
{
	return mod_refcnt("hwt");
}

/* The reference count once pending teardowns (RCU grace period, then a
 * workqueue) are done: unchanged for 300 ms. */
static inline int settled_refcnt(void)
{
	int last = hwt_refcnt(), same = 0;

	for (int i = 0; i < 500 && same < 30; i++) {
		int n;

		usleep(10000);
		n = hwt_refcnt();
		same = n == last ? same + 1 : 0;
		last = n;
	}
	return last;
}

/* Teardown is asynchronous (RCU, workqueue): poll for up to 5 s. */
static inline int wait_refcnt(int want)
{
	for (int i = 0; i < 500; i++) {
		if (hwt_refcnt() == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

static inline void *untraced_thread(void *arg)
{
	for (int i = 0; i < 8; i++)
		syscall(SYS_getppid);
	return arg;
}

/*
 * Spawn n untraced processes that make system calls, every thread_every-th
 * (0: none) with a second thread; count those that did not exit 0 in *bad
 * and those killed by SIGTRAP in *trapped.  A stale trace record keyed by
 * a reused task would set the trap flag on them.
 */
static inline void spawn_untraced(int n, int thread_every, int *bad,
				  int *trapped)
{
	*bad = *trapped = 0;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();
		int st;

		if (p == 0) {
			pthread_t th;

			for (int j = 0; j < 8; j++)
				syscall(SYS_getppid);
			if (thread_every && i % thread_every == 0 &&
			    (pthread_create(&th, NULL, untraced_thread, NULL) ||
			     pthread_join(th, NULL)))
				_exit(3);
			_exit(0);
		}
		if (p < 0 || waitpid(p, &st, 0) != p) {
			(*bad)++;
			continue;
		}
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP)
			(*trapped)++;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			(*bad)++;
	}
}

#endif /* HWT_TEST_H */
