// SPDX-License-Identifier: BSD-2-Clause
/*
 * kmod/hwt bad input: every ioctl field checked, clear errno, and no state
 * left behind (the module reference count is back where it was).
 */
#include "hwt_test.h"

static int sleeper(void *arg)
{
	(void)arg;
	pause();
	return 0;
}

static void test_alloc_errors(int dev)
{
	int base = settled_refcnt();
	struct hwt_alloc a;
	struct child c;

	t_begin("kmod/bad-alloc");
	c = child_spawn(sleeper, NULL);

	CHECK_ERR(ioctl(dev, _IO(HWT_IOC_MAGIC, 0x7f)), ENOTTY);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, (void *)8), EFAULT);

	alloc_init(&a, 0, c.pid, "null", 65536);		/* mode */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, 3, c.pid, "null", 65536);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);	/* flags */
	a.flags = 1u << 31;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);	/* reserved */
	a.reserved[3] = 1;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, 0, "null", 65536);	/* pid */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, -5, "null", 65536);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, 4000000, "null", 65536);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), ESRCH);
	alloc_init(&a, HWT_MODE_THREAD, 2, "null", 65536);	/* kthreadd */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EPERM);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 0);	/* sizes */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 4096 + 100);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", HWT_BUFSIZE_MAX * 2);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), E2BIG);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);	/* recq */
	a.recq_size = 100;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	a.recq_size = HWT_RECQ_MAX * 2;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "nosuch", 65536); /* backend */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), ENOENT);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "", 65536);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);
	memset(a.backend, 'x', sizeof(a.backend));		/* no NUL */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);	/* cpu map */
	a.cpu_map[0] = 1;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_CPU, 0, "null", 65536);
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);	/* empty */
	a.cpu_map[HWT_CPU_MAP_WORDS - 1] = 1ULL << 63;		/* CPU 1023 */
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);
	alloc_init(&a, HWT_MODE_CPU, c.pid, "null", 65536);	/* pid set */
	a.cpu_map[0] = 1;
	CHECK_ERR(ioctl(dev, HWT_IOC_ALLOC, &a), EINVAL);

	/* A thread may be traced by one context at a time. */
	{
		int ctx = ctx_thread(dev, c.pid, 65536, 0, 0);

		CHECK(ctx >= 0);
		CHECK_ERR(ctx_thread(dev, c.pid, 65536, 0, 0), EBUSY);
		close(ctx);
	}
	kill(c.pid, SIGKILL);
	child_wait(&c);
	CHECK(wait_refcnt(base));			/* nothing left behind */
	t_end();
}

static void test_ctx_errors(int dev)
{
	int base = settled_refcnt(), ctx;
	struct hwt_config cfg;
	struct hwt_bufptr bp;
	struct hwt_svc_buf svc;
	struct hwt_record_get g;
	uint8_t blob[HWT_CONFIG_MAX + 8];
	struct child c;
	void *m;

	t_begin("kmod/bad-context-ioctls");
	c = child_spawn(sleeper, NULL);
	ctx = ctx_thread(dev, c.pid, 65536, 0, 0);
	CHECK(ctx >= 0);

	CHECK_ERR(ioctl(ctx, _IO(HWT_IOC_MAGIC, 0x70)), ENOTTY);
	CHECK_ERR(ioctl(ctx, HWT_IOC_ALLOC, blob), ENOTTY);

	memset(blob, 0, sizeof(blob));
	cfg = (struct hwt_config){ .version = 1, .size = HWT_CONFIG_MAX + 8,
				   .data = (uintptr_t)blob };
	CHECK_ERR(ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg), E2BIG);
	cfg.size = 8;
	cfg.version = 99;				/* backend rejects */
	CHECK_ERR(ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg), EINVAL);
	cfg.version = 1;
	cfg.size = 4;					/* wrong size */
	CHECK_ERR(ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg), EINVAL);
	cfg.size = 8;
	cfg.data = 0;
	CHECK_ERR(ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg), EINVAL);
	cfg.data = 16;					/* bad pointer */
	CHECK_ERR(ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg), EFAULT);
	CHECK_ERR(null_config(ctx, 7), EINVAL);		/* not 8-aligned */
	CHECK_ERR(null_config(ctx, HWT_NULL_FILLER_MAX + 8), EINVAL);

	memset(&bp, 0, sizeof(bp));
	bp.idx = 1;
	CHECK_ERR(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp), EINVAL);
	bp.idx = 0xffffffff;
	CHECK_ERR(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp), EINVAL);
	memset(&svc, 0, sizeof(svc));
	svc.tail = 1;					/* past head */
	CHECK_ERR(ioctl(ctx, HWT_IOC_SVC_BUF, &svc), EINVAL);
	svc.tail = 0;
	svc.reserved = 1;
	CHECK_ERR(ioctl(ctx, HWT_IOC_SVC_BUF, &svc), EINVAL);
	svc.reserved = 0;
	svc.idx = 9;
	CHECK_ERR(ioctl(ctx, HWT_IOC_SVC_BUF, &svc), EINVAL);

	memset(&g, 0, sizeof(g));
	g.buf = (uintptr_t)blob;
	g.buflen = 8;					/* < one header */
	CHECK_ERR(ioctl(ctx, HWT_IOC_RECORD_GET, &g), EINVAL);
	g.buflen = sizeof(blob);
	g.flags = 0x80;
	CHECK_ERR(ioctl(ctx, HWT_IOC_RECORD_GET, &g), EINVAL);
	g.flags = 0;
	g.buf = 0;
	CHECK_ERR(ioctl(ctx, HWT_IOC_RECORD_GET, &g), EINVAL);

	/* mmap: past the buffers, bigger than one, writable. */
	m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, ctx, HWT_MMAP_STRIDE);
	CHECK(m == MAP_FAILED && errno == EINVAL);
	m = mmap(NULL, 65536 * 2, PROT_READ, MAP_SHARED, ctx, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL);
	m = mmap(NULL, 65536, PROT_READ, MAP_SHARED, ctx, 4096);
	CHECK(m == MAP_FAILED && errno == EINVAL);
	m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, ctx, 0);
	CHECK(m == MAP_FAILED && errno == EPERM);

	/* WAKEUP releases a reader blocked in RECORD_GET. */
	{
		pid_t w = fork();

		if (w == 0) {
			usleep(100000);
			ioctl(ctx, HWT_IOC_WAKEUP);
			_exit(0);
		}
		memset(&g, 0, sizeof(g));
		g.buf = (uintptr_t)blob;
		g.buflen = sizeof(blob);
		g.flags = HWT_RECORD_WAIT;
		/* COMM records are queued at attach: drain them first. */
		{
			struct recs r = { 0 };

			recs_drain(ctx, &r);
			recs_free(&r);
		}
		CHECK(ioctl(ctx, HWT_IOC_RECORD_GET, &g) == 0);
		CHECK(g.nrecords == 0);
		waitpid(w, NULL, 0);
	}
	close(ctx);
	kill(c.pid, SIGKILL);
	child_wait(&c);
	CHECK(wait_refcnt(base));
	t_end();
}

/* An unprivileged user may not trace others' processes or CPUs. */
static void test_permissions(int dev)
{
	struct child c;
	pid_t p;
	int st;

	t_begin("kmod/permissions");
	c = child_spawn(sleeper, NULL);		/* root-owned target */
	p = fork();
	if (p == 0) {
		struct hwt_alloc a;
		int bad = 0;

		if (setgid(1000) || setuid(1000))
			_exit(10);
		alloc_init(&a, HWT_MODE_THREAD, c.pid, "null", 65536);
		if (ioctl(dev, HWT_IOC_ALLOC, &a) != -1 || errno != EPERM)
			bad |= 1;
		alloc_init(&a, HWT_MODE_THREAD, 1, "null", 65536);
		if (ioctl(dev, HWT_IOC_ALLOC, &a) != -1 || errno != EPERM)
			bad |= 2;
		alloc_init(&a, HWT_MODE_CPU, 0, "null", 65536);
		a.cpu_map[0] = 1;
		if (ioctl(dev, HWT_IOC_ALLOC, &a) != -1 || errno != EPERM)
			bad |= 4;
		/* Its own process is fine. */
		alloc_init(&a, HWT_MODE_THREAD, getpid(), "null", 65536);
		if (ioctl(dev, HWT_IOC_ALLOC, &a) < 0)
			bad |= 8;
		_exit(bad);
	}
	CHECK(waitpid(p, &st, 0) == p);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		t_fail("unprivileged child status 0x%x", st);
	kill(c.pid, SIGKILL);
	child_wait(&c);
	t_end();
}

int main(void)
{
	int dev = hwt_dev();

	test_alloc_errors(dev);
	test_ctx_errors(dev);
	test_permissions(dev);
	close(dev);
	return t_total_failed ? 1 : 0;
}
