/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__x86_64__) && !defined(__aarch64__)
/* The soft backend is x86-64 and arm64 only: nothing to test elsewhere. */
#include <stdio.h>
int main(void)
{
	printf("SKIP: %s (soft backend: x86-64 and arm64 only)\n", __FILE__);
	return 0;
}
#else
/*
 * Soft backend lifecycle (guest side): tracing must never touch a task it
 * does not trace.
 *
 * Each trial forks a target (one or three threads, stepping in a loop that
 * makes system calls), traces it with the soft backend, and ends it in
 * one of the orders that race with the target's own exit: SIGKILL then
 * close() at once (the target is in do_exit while the context goes),
 * close() then SIGKILL, SIGKILL after STOP, close() of a context whose
 * thread is blocked, exit of the target while its owner closes.  After
 * the trials, thousands of untraced processes and threads run system
 * calls: none may see SIGTRAP (a stale per-thread record keyed by a
 * reused task_struct would set the trap flag on them), and the module
 * reference counts of hwt and hwt_soft must come back to where they
 * started, so that both modules unload.  Before those, hwt_soft is
 * unloaded while the target's task_works may still be queued (the
 * target raises signals and, on arm64, runs load/store-exclusive loops
 * all the time: each queues one) and loaded again, five times per
 * teardown order; a target left running untraced across the unload
 * must not trap either.
 *
 * The same on x86-64 (TF, die notifier: soft_step.c) and arm64
 * (TIF_SINGLESTEP, step hook: soft_step_a64.c).
 *
 * usage: soft_lifecycle [TRIALS [SPAWNS [SEED]]]  (100, 3000, time;
 * arm64: 60, 2000, time, and 9 unload rounds instead of 15: stepping
 * and fork are slower there under TCG, and the whole program must fit
 * the harness's 120 s even on a shared host)
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <pthread.h>
#include <sys/syscall.h>

static volatile long sink;

__attribute__((noinline)) static long step_a(long x) { return x * 3 + 1; }
__attribute__((noinline)) static long step_b(long x) { return x / 2; }
static long (*const steps[2])(long) = { step_a, step_b };

/* Stepped work with a system call every few hundred instructions. */
static void *spin(void *arg)
{
	long x = 27, i;

	(void)arg;
	for (i = 0;; i++) {
		x = steps[x & 1](x) + (i & 7);
		if (!(i & 31))
			syscall(SYS_getppid);
		sink = x;
	}
	return NULL;
}

static void target(int go, int nthreads)
{
	pthread_t th;
	char c;
	int i;

	if (read(go, &c, 1) != 1)
		_exit(2);
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th, NULL, spin, NULL))
			_exit(3);
	spin(NULL);
}

static int soft_ctx(int dev, pid_t pid)
{
	struct hwt_alloc a;

	alloc_init(&a, HWT_MODE_THREAD, pid, HWT_SOFT_BACKEND_NAME, 1 << 16);
	a.flags = HWT_ALLOC_RING;	/* nobody drains: keep stepping */
	return ioctl(dev, HWT_IOC_ALLOC, &a);
}

/* Wait until buffer 0 has trace: the target's first thread is armed. */
static int wait_stepping(int ctx)
{
	struct hwt_bufptr bp;

	for (int i = 0; i < 5000; i++) {
		memset(&bp, 0, sizeof(bp));
		if (ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 4096)
			return 1;
		usleep(1000);
	}
	return 0;
}

/* ---- unload while work is queued ---- */

#define SOFT_KO	"/lib/hwt/hwt_soft.ko"

static volatile unsigned long xword;
static volatile int nsig;

static void sig_count(int sig)
{
	(void)sig;
	nsig++;
}

/* An atomic add: a load/store-exclusive loop on arm64 (no LSE here). */
static void excl_add(volatile unsigned long *w)
{
#if defined(__aarch64__)
	unsigned long v;
	unsigned int fail;

	__asm__ volatile("1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
			 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
			 : "=&r"(v), "=&r"(fail) : "r"(w) : "memory");
#else
	__atomic_fetch_add(w, 1, __ATOMIC_RELAXED);
#endif
}

/* Stepped work that keeps the stepper's task_works queued. */
static void busy_queueing(int go)
{
	long x = 27, i;
	char c;

	signal(SIGUSR2, sig_count);
	if (read(go, &c, 1) != 1)
		_exit(2);
	for (i = 0;; i++) {
		x = steps[x & 1](x) + (i & 7);
		if (!(i & 15))
			raise(SIGUSR2);
		if (!(i & 3))
			excl_add(&xword);
		sink = x;
	}
}

enum unload_order {
	UL_KILL_CLOSE,		/* kill, close, unload at once */
	UL_CLOSE_KILL,		/* close, kill, unload at once */
	UL_CLOSE_RUN,		/* close, unload while it runs untraced */
	UL_NORDERS
};

/*
 * One round: trace a target, end tracing in order how, and unload
 * hwt_soft as soon as it lets us (each refused attempt is counted), then
 * load it again.  Returns 1 if the target died of our SIGKILL and the
 * module went and came back.
 */
static int unload_round(enum unload_order how, unsigned int jitter,
			int *refused)
{
	int go[2], dev = hwt_dev(), ctx, st = 0, i, fd, ok = 1;
	pid_t pid;

	if (dev < 0 || pipe(go))
		return 0;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		busy_queueing(go[0]);
	}
	close(go[0]);
	ctx = soft_ctx(dev, pid);
	if (ctx < 0 || ioctl(ctx, HWT_IOC_START) ||
	    write(go[1], "g", 1) != 1 || !wait_stepping(ctx))
		ok = 0;
	usleep(jitter);
	switch (how) {
	case UL_KILL_CLOSE:
		kill(pid, SIGKILL);
		close(ctx);
		break;
	case UL_CLOSE_KILL:
	case UL_CLOSE_RUN:
		close(ctx);
		if (how == UL_CLOSE_KILL)
			kill(pid, SIGKILL);
		break;
	default:
		break;
	}
	close(dev);
	for (i = 0; i < 1000; i++) {
		if (syscall(SYS_delete_module, "hwt_soft", O_NONBLOCK) == 0)
			break;
		if (errno != EBUSY && errno != EWOULDBLOCK) {
			t_fail("delete_module: %s", strerror(errno));
			ok = 0;
			break;
		}
		(*refused)++;
		usleep(1000);
	}
	if (i == 1000) {
		t_fail("hwt_soft still busy after 1 s (refcnt %d)",
		       mod_refcnt("hwt_soft"));
		ok = 0;
	}
	if (how == UL_CLOSE_RUN) {
		/* The module is gone: the target must run on, untrapped. */
		usleep(50000);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) ||
	    WTERMSIG(st) != SIGKILL) {
		t_fail("target of order %d ended with status %#x", how, st);
		ok = 0;
	}
	fd = open(SOFT_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
		t_fail("cannot load %s again: %s", SOFT_KO, strerror(errno));
		ok = 0;
	}
	if (fd >= 0)
		close(fd);
	close(go[1]);
	return ok;
}

static void test_unload_with_work(int rounds)
{
	int r, good = 0, refused = 0;

	t_begin("soft/lifecycle/unload-with-work-queued");
	for (r = 0; r < rounds && !t_failed; r++)
		good += unload_round((enum unload_order)(r % UL_NORDERS),
				     (unsigned int)rand() % 20000, &refused);
	printf("INFO: soft/lifecycle: %d of %d unload rounds good, %d unload "
	       "attempts refused while busy\n", good, rounds, refused);
	CHECK(good == rounds);
	t_end();
}

enum ending {
	KILL_THEN_CLOSE,	/* close while the target is in do_exit */
	CLOSE_THEN_KILL,	/* disarm work queued, then the target dies */
	STOP_KILL_CLOSE,	/* STOP queued, kill, close */
	CLOSE_THEN_REAP,	/* close; the target keeps running untraced */
	OWNER_DIES,		/* the owner process is killed instead */
	NENDINGS
};

static const char *const ending_names[NENDINGS] = {
	"kill-then-close", "close-then-kill", "stop-kill-close",
	"close-then-reap", "owner-dies",
};

/* One trial; returns 0 when the target ended as it should. */
static int trial(int dev, enum ending how, int nthreads, unsigned int jitter)
{
	int go[2], ctx, st, ok = 1;
	pid_t pid, owner = -1;

	if (pipe(go))
		return 0;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		target(go[0], nthreads);
	}
	close(go[0]);
	if (how == OWNER_DIES) {
		int p[2];
		char b;

		if (pipe(p))
			return 0;
		owner = fork();
		if (owner == 0) {
			ctx = soft_ctx(dev, pid);
			if (ctx < 0 || ioctl(ctx, HWT_IOC_START) ||
			    write(p[1], "s", 1) != 1)
				_exit(1);
			wait_stepping(ctx);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(p[1]);
		ok = read(p[0], &b, 1) == 1;
		if (write(go[1], "g", 1) != 1)
			ok = 0;
		ok = ok && read(p[0], &b, 1) == 1;
		close(p[0]);
		usleep(jitter);
		kill(owner, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(owner, NULL, 0);
		waitpid(pid, &st, 0);
		close(go[1]);
		return ok && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	}
	ctx = soft_ctx(dev, pid);
	if (ctx < 0 || ioctl(ctx, HWT_IOC_START)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		if (ctx >= 0)
			close(ctx);
		return 0;
	}
	if (write(go[1], "g", 1) != 1)
		ok = 0;
	close(go[1]);
	if (!wait_stepping(ctx))
		ok = 0;
	switch (how) {
	case KILL_THEN_CLOSE:
		kill(pid, SIGKILL);
		usleep(jitter);
		close(ctx);
		break;
	case CLOSE_THEN_KILL:
		close(ctx);
		usleep(jitter);
		kill(pid, SIGKILL);
		break;
	case STOP_KILL_CLOSE:
		ioctl(ctx, HWT_IOC_STOP);
		kill(pid, SIGKILL);
		usleep(jitter);
		close(ctx);
		break;
	case CLOSE_THEN_REAP:
		close(ctx);
		/* Untraced now: it must run on without a trap. */
		usleep(20000 + jitter);
		kill(pid, SIGKILL);
		break;
	default:
		break;
	}
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	/* Anything but our SIGKILL (a SIGTRAP above all) is a failure. */
	return ok && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/*
 * Tracing ends while the target is inside a signal handler; the handler
 * then returns (rt_sigreturn restores the registers saved when it was
 * entered, while the target was being stepped).  Inside the handler the
 * target also forks: the untraced child returns from the same frame.
 * Neither may trap.
 */
static int handler_rd = -1, handler_ready_wr = -1, blocked_rd = -1;
static volatile int handler_done, in_forked_child, forked_child_status;

static void blocking_handler(int sig)
{
	pid_t p;
	char c;
	int st;

	(void)sig;
	p = fork();
	if (p == 0) {
		in_forked_child = 1;
		return;
	}
	if (write(handler_ready_wr, "h", 1) != 1 ||
	    read(handler_rd, &c, 1) != 1)
		_exit(6);
	forked_child_status = p > 0 && waitpid(p, &st, 0) == p ? st : -1;
	handler_done = 1;
}

static void handler_target(int go)
{
	long x = 27, i;
	char c;

	signal(SIGUSR1, blocking_handler);	/* glibc: SA_RESTART */
	if (read(go, &c, 1) != 1)
		_exit(2);
	if (blocked_rd >= 0) {
		/* The signal interrupts read(), which restarts after the
		 * handler: its frame's IP is the SYSCALL instruction. */
		if (read(blocked_rd, &c, 1) != 1 && !in_forked_child)
			_exit(8);
	}
	for (i = 0; !handler_done && !in_forked_child; i++) {
		x = steps[x & 1](x) + (i & 7);
		sink = x;
	}
	if (in_forked_child)
		_exit(0);
	_exit(WIFEXITED(forked_child_status) &&
	      !WEXITSTATUS(forked_child_status) ? 0 : 7);
}

static void test_end_in_handler(int dev, int rounds)
{
	int r, bad = 0;

	t_begin("soft/lifecycle/handler-returns-untraced");
	for (r = 0; r < rounds; r++) {
		int go[2], hp[2], ready[2], blk[2], ctx, st;
		int blocked = r & 2;
		pid_t pid;
		char c;

		if (pipe(go) || pipe(hp) || pipe(ready) || pipe(blk))
			abort();
		pid = fork();
		if (pid == 0) {
			handler_rd = hp[0];
			handler_ready_wr = ready[1];
			blocked_rd = blocked ? blk[0] : -1;
			handler_target(go[0]);
		}
		ctx = soft_ctx(dev, pid);
		CHECK(ctx >= 0 && ioctl(ctx, HWT_IOC_START) == 0);
		CHECK(write(go[1], "g", 1) == 1);
		if (blocked)
			usleep(100000);	/* let it block in read() */
		else
			CHECK(wait_stepping(ctx));
		kill(pid, SIGUSR1);
		CHECK(read(ready[0], &c, 1) == 1);	/* in the handler */
		if (r & 1) {
			CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
			usleep(20000);
		}
		close(ctx);
		usleep(20000);
		CHECK(write(hp[1], "r", 1) == 1);	/* return from it */
		if (blocked) {
			/* One byte for the target, one for its child. */
			usleep(20000);
			CHECK(write(blk[1], "bb", 2) == 2);
		}
		CHECK(waitpid(pid, &st, 0) == pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!bad++)
				t_fail("round %d: target %s %d", r,
				       WIFSIGNALED(st) ? "killed by signal" :
				       "exited", WIFSIGNALED(st) ?
				       WTERMSIG(st) : WEXITSTATUS(st));
		}
		close(go[0]), close(go[1]), close(hp[0]), close(hp[1]);
		close(ready[0]), close(ready[1]);
		close(blk[0]), close(blk[1]);
	}
	t_end();
}

#if defined(__aarch64__)
#define DEF_TRIALS	60
#define DEF_SPAWNS	2000
#define UNLOAD_ROUNDS	(3 * UL_NORDERS)
#else
#define DEF_TRIALS	100
#define DEF_SPAWNS	3000
#define UNLOAD_ROUNDS	(5 * UL_NORDERS)
#endif

int main(int argc, char **argv)
{
	int trials = argc > 1 ? atoi(argv[1]) : DEF_TRIALS;
	int spawns = argc > 2 ? atoi(argv[2]) : DEF_SPAWNS;
	unsigned int seed = argc > 3 ? (unsigned int)strtoul(argv[3], NULL, 0)
				     : (unsigned int)time(NULL);
	int dev = hwt_dev(), hwt_base, soft_base, bad, trapped, i;
	int failed_by[NENDINGS] = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* a target that died early */
	srand(seed);
	hwt_base = settled_refcnt();
	soft_base = mod_refcnt("hwt_soft");

	t_begin("soft/lifecycle/exit-races");
	for (i = 0; i < trials; i++) {
		enum ending how = (enum ending)(i % NENDINGS);
		int nthreads = (i / NENDINGS) % 2 ? 3 : 1;

		if (!trial(dev, how, nthreads, (unsigned int)rand() % 3000))
			failed_by[how]++;
	}
	for (i = 0; i < NENDINGS; i++)
		if (failed_by[i])
			t_fail("%d %s trials ended otherwise than by SIGKILL",
			       failed_by[i], ending_names[i]);
	printf("INFO: soft/lifecycle: %d trials, seed %u\n", trials, seed);
	t_end();

	test_end_in_handler(dev, 12);
	test_unload_with_work(UNLOAD_ROUNDS);

	t_begin("soft/lifecycle/no-stray-sigtrap");
	spawn_untraced(spawns, 4, &bad, &trapped);
	printf("INFO: soft/lifecycle: %d untraced processes, %d killed by SIGTRAP, %d failed otherwise\n",
	       spawns, trapped, bad - trapped);
	CHECK(trapped == 0);
	CHECK(bad == 0);
	t_end();

	t_begin("soft/lifecycle/refcounts-settle");
	close(dev);
	if (!wait_mod_refcnt("hwt_soft", soft_base))
		t_fail("hwt_soft refcnt %d, was %d", mod_refcnt("hwt_soft"),
		       soft_base);
	if (!wait_refcnt(hwt_base - 1))	/* our /dev/hwt fd is closed */
		t_fail("hwt refcnt %d, was %d", hwt_refcnt(), hwt_base - 1);
	t_end();
	return t_total_failed != 0;
}
#endif /* __x86_64__ || __aarch64__ */
