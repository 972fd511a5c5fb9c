// SPDX-License-Identifier: BSD-2-Clause
/*
 * kmod/hwt lifecycle: alloc/start/stop/close in thread and CPU mode, target
 * exit while traced, owner killed with a live context, and many
 * iterations with balanced references.
 */
#include "hwt_test.h"

static int busy_yield(void *arg)
{
	int n = (int)(intptr_t)arg;

	for (int i = 0; i < n; i++)
		sched_yield(), usleep(100);
	return 0;
}

static int yield_hold(void *arg)
{
	busy_yield(arg);
	child_hold();
	return 0;
}

static void test_thread_lifecycle(int dev)
{
	struct hwt_info info;
	struct child c;
	int ctx;

	t_begin("kmod/lifecycle-thread");
	c = child_spawn(yield_hold, (void *)(intptr_t)20);
	ctx = ctx_thread(dev, c.pid, 65536, 0, 0);
	CHECK(ctx >= 0);
	memset(&info, 0, sizeof(info));
	CHECK(ioctl(ctx, HWT_IOC_INFO, &info) == 0);
	CHECK(info.abi_version == HWT_ABI_VERSION);
	CHECK(info.mode == HWT_MODE_THREAD);
	CHECK(info.state == HWT_STATE_ALLOCATED);
	CHECK(info.nbuffers == 1);
	CHECK(!strcmp(info.backend, "null"));
	CHECK(info.pid == c.pid && info.flags == 0);	/* what hwtd checks */
	CHECK_ERR(ioctl(ctx, HWT_IOC_STOP), EINVAL);	/* not running */
	CHECK(null_config(ctx, 0) == 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	CHECK_ERR(ioctl(ctx, HWT_IOC_START), EBUSY);
	CHECK_ERR(null_config(ctx, 0), EBUSY);		/* running */
	CHECK(ioctl(ctx, HWT_IOC_INFO, &info) == 0 &&
	      info.state == HWT_STATE_RUNNING);
	child_go(&c);
	child_wait_holding(&c);
	CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
	CHECK(ioctl(ctx, HWT_IOC_INFO, &info) == 0 &&
	      info.state == HWT_STATE_STOPPED);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);		/* restart */
	child_release(&c);
	CHECK(child_wait(&c) == 0);
	/* The target is gone: the context stays readable and says so. */
	CHECK(ioctl(ctx, HWT_IOC_INFO, &info) == 0 &&
	      info.state == HWT_STATE_TARGET_GONE);
	CHECK_ERR(ioctl(ctx, HWT_IOC_START), ESRCH);
	{
		struct hwt_bufptr bp = { .idx = 0 };
		struct recs r = { 0 };
		int last = 0;

		CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
		CHECK(!(bp.flags & HWT_BUF_LIVE));
		CHECK(bp.tid == c.pid);
		CHECK(recs_drain(ctx, &r) == 0);
		recs_for_each(&r, h)
			if (h->type == HWT_REC_THREAD_EXIT && h->tid == c.pid)
				last = ((struct hwt_rec_thread *)h)->flags &
				       HWT_THREAD_LAST;
		CHECK(last);
		recs_free(&r);
	}
	{
		struct pollfd p = { .fd = ctx, .events = POLLIN };

		CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP));
	}
	CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
	close(ctx);
	t_end();
}

static void test_cpu_mode(int dev)
{
	struct hwt_alloc a;
	struct hwt_bufptr bp;
	struct recs r = { 0 };
	int ctx, ctx2;

	t_begin("kmod/lifecycle-cpu");
	alloc_init(&a, HWT_MODE_CPU, 0, "null", 65536);
	a.cpu_map[0] = 1;			/* CPU 0 */
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0);
	ctx2 = ioctl(dev, HWT_IOC_ALLOC, &a);	/* one context per CPU */
	CHECK(ctx2 == -1 && errno == EBUSY);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	{
		/* CPU 0 may sit idle: give it a thread that sleeps and wakes. */
		pid_t p = fork();
		int st;

		if (p == 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(0, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				_exit(1);
			for (int i = 0; i < 50; i++)
				usleep(200);
			_exit(0);
		}
		CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0);
	}
	CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
	memset(&bp, 0, sizeof(bp));
	bp.idx = 0;
	CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	CHECK(bp.cpu == 0 && bp.tid == -1);
	CHECK(bp.head > 0);			/* CPU 0 switched tasks */
	bp.idx = 1;				/* not in the set */
	CHECK_ERR(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp), EINVAL);
	CHECK(recs_drain(ctx, &r) == 0);
	CHECK(recs_valid(&r));
	CHECK(recs_count(&r, HWT_REC_SWITCH_IN, 0) > 0);
	CHECK(recs_count(&r, HWT_REC_SWITCH_OUT, 0) > 0);
	recs_for_each(&r, h)
		if (h->type == HWT_REC_SWITCH_IN && h->cpu != 0)
			t_fail("switch record from cpu %d", h->cpu);
	recs_free(&r);
	close(ctx);
	t_end();
}

/* The owner dies (SIGKILL) holding a running context: everything goes. */
static void test_owner_killed(int dev)
{
	int base = settled_refcnt(), p[2], st;
	struct child c;
	pid_t owner;
	char b;

	t_begin("kmod/owner-killed");
	c = child_spawn(busy_yield, (void *)(intptr_t)2000);
	CHECK(pipe(p) == 0);
	owner = fork();
	if (owner == 0) {
		int ctx = ctx_thread(dev, c.pid, 65536, 0, 0);

		if (ctx < 0 || ioctl(ctx, HWT_IOC_START))
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK(read(p[0], &b, 1) == 1);
	close(p[0]);
	child_go(&c);
	CHECK(hwt_refcnt() > base);
	kill(owner, SIGKILL);
	CHECK(waitpid(owner, &st, 0) == owner && WIFSIGNALED(st));
	/* The traced child still runs; tracing must be gone anyway. */
	CHECK(wait_refcnt(base));
	kill(c.pid, SIGKILL);
	child_wait(&c);
	CHECK(wait_refcnt(base));
	t_end();
}

static void test_iterations(int dev)
{
	int base = settled_refcnt(), i;

	t_begin("kmod/iterations-25");
	CHECK(base >= 0);
	for (i = 0; i < 25 && !t_failed; i++) {
		struct child c = child_spawn(busy_yield, (void *)(intptr_t)5);
		struct recs r = { 0 };
		int ctx = ctx_thread(dev, c.pid, 16384, 0, 0);

		CHECK(ctx >= 0);
		CHECK(ioctl(ctx, HWT_IOC_START) == 0);
		child_go(&c);
		if (i % 2)
			CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
		CHECK(child_wait(&c) == 0);
		CHECK(recs_drain(ctx, &r) == 0);
		recs_free(&r);
		close(ctx);
		if (!wait_refcnt(base))
			t_fail("iteration %d: refcnt %d, want %d", i,
			       hwt_refcnt(), base);
	}
	t_end();
}

int main(void)
{
	int dev = hwt_dev();

	test_thread_lifecycle(dev);
	test_cpu_mode(dev);
	test_owner_killed(dev);
	test_iterations(dev);
	close(dev);
	return t_total_failed ? 1 : 0;
}
