/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__aarch64__)
#include <stdio.h>

int main(void)
{
	printf("SKIP: %s (the arm64 half of the soft backend)\n", __FILE__);
	return 0;
}
#else
/*
 * Acceptance of the arm64 soft backend's stepper (issue 16): a
 * deterministic static workload (loops, direct and indirect calls, system
 * calls, a signal raised by a system call, run through its handler) is
 *  1. traced by the soft backend: it must exit 0 (no stray SIGTRAP);
 *  2. single-stepped with ptrace: the ground truth.  Both go to the
 *     console as "SOFTA64:a64" lines (the ETE bytes and the IP list); the
 *     host (backends/soft/tests/vm-post.sh, ete_vmcheck) decodes the ETE
 *     with OpenCSD against this binary and compares instruction for
 *     instruction from the workload's entry on.  ptrace's arm64 quirks are
 *     filtered (soft_a64_gt.h): a second stop at the same IP after every
 *     SVC, and a stop at the return address before the handler when an
 *     SVC raised a signal (the handler runs first: 3 here);
 *  3. tracing is torn down in racing orders (SIGKILL then close, close
 *     while stepping, close while blocked in read), then 1000 untraced
 *     processes make system calls: none may die of SIGTRAP, and the
 *     refcounts of hwt_soft and hwt come back.
 */
#include "soft_a64_gt.h"

static volatile int sig_seen;

__attribute__((noinline)) static void on_usr1(int sig)
{
	sig_seen += sig;
}

static void install_handler(void)
{
	a64_sigaction(SIGUSR1, on_usr1);
}

__attribute__((noinline)) static long square(long x)
{
	return x * x;
}

__attribute__((noinline)) static long cube(long x)
{
	return x * square(x);
}

__attribute__((noinline)) static long fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static long (*volatile ops[2])(long) = { square, cube };

/* The compared region: from its entry to the final exit_group. */
void soft_a64_workload(void);
__attribute__((noinline)) void soft_a64_workload(void)
{
	volatile long acc = 0;
	int i;

	for (i = 0; i < 40; i++) {
		acc += ops[i & 1](i);
		if (i % 7 == 0)
			acc += syscall(SYS_getppid) > 0;
	}
	acc += fib(10);
	for (i = 0; i < 3; i++)
		kill(getpid(), SIGUSR1);	/* handler right after the SVC */
	acc += sig_seen;
	a64_raw_exit();
}

static const struct a64_case a64_case = {
	.name = "a64", .fn = soft_a64_workload, .setup = install_handler,
	.handler = on_usr1,
};

/*
 * A load/store-exclusive loop under tracing must complete: stepped, each
 * step is an exception, which clears the exclusive monitor, so the
 * store-exclusive would never succeed; the stepper steps over such
 * sequences (soft_a64_excl.c checks their traces).
 */
static void probe_exclusive(int dev)
{
	static volatile uint64_t word;
	int p[2], st = 0, fd, i;
	pid_t pid;

	t_begin("soft/a64/exclusive_completes");
	if (pipe(p)) {
		t_fail("pipe");
		t_end();
		return;
	}
	pid = fork();
	if (pid == 0) {
		uint64_t v;
		uint32_t fail;
		char c;

		if (read(p[0], &c, 1) != 1)
			_exit(2);
		__asm__ volatile("1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
				 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&word)
				 : "memory");
		_exit(0);
	}
	fd = a64_trace(dev, pid, 64 << 10, 0, 2000);
	if (fd < 0) {
		/* (reaped) It must not pass untraced. */
		t_fail("could not trace the loop");
		goto out;
	}
	if (write(p[1], "g", 1) != 1)
		kill(pid, SIGKILL);
	for (i = 0; i < 30; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (i == 30) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (i == 30)
		t_fail("a traced LDXR/STXR loop did not complete in 3 s");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
out:
	close(p[0]);
	close(p[1]);
	t_end();
}

/* ---- teardown races ---- */

static void spin_target(int rfd)
{
	volatile long x = 0;
	char c;

	if (rfd >= 0 && read(rfd, &c, 1) != 1)
		_exit(2);
	for (;;) {
		x += syscall(SYS_getppid);
		for (int i = 0; i < 50; i++)
			x += i;
		if (x < 0)
			break;
	}
	_exit(0);
}

enum ending { KILL_CLOSE, CLOSE_RUN, CLOSE_BLOCKED, NENDINGS };

static int race(int dev, enum ending how)
{
	int p[2], st, fd, ok = 1;
	pid_t pid;

	if (pipe(p))
		return 0;
	pid = fork();
	if (pid == 0)
		spin_target(how == CLOSE_BLOCKED ? p[0] : -1);
	fd = a64_trace(dev, pid, 64 << 10, 0, 2000);
	if (fd < 0)
		return 0;
	switch (how) {
	case KILL_CLOSE:
		kill(pid, SIGKILL);
		close(fd);
		break;
	case CLOSE_RUN:
		close(fd);
		usleep(50000);	/* untraced now: it must go on */
		kill(pid, SIGKILL);
		break;
	case CLOSE_BLOCKED:
		close(fd);
		usleep(20000);
		if (write(p[1], "g", 1) != 1)
			ok = 0;
		usleep(50000);
		kill(pid, SIGKILL);
		break;
	default:
		break;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st) ||
	    WTERMSIG(st) != SIGKILL)
		ok = 0;
	close(p[0]);
	close(p[1]);
	return ok;
}

static void run_races(int dev, int base)
{
	int i, bad = 0, n = 0;

	t_begin("soft/a64/teardown");
	for (i = 0; i < 30; i++)
		bad += !race(dev, (enum ending)(i % NENDINGS));
	CHECK(bad == 0);
	if (bad)
		t_fail("%d of 30 races ended otherwise than by our SIGKILL", bad);
	for (i = 0; i < 1000; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			syscall(SYS_getppid);
			if (write(-1, "", 0) == 0)
				_exit(3);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			continue;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			n++;
		else if (WIFSIGNALED(st))
			t_fail("untraced process %d died of signal %d", i,
			       WTERMSIG(st));
	}
	CHECK(n == 1000);
	printf("INFO: soft/a64: %d of 1000 untraced processes exited 0\n", n);
	if (!wait_mod_refcnt("hwt_soft", base))
		t_fail("hwt_soft refcnt %d, was %d", mod_refcnt("hwt_soft"),
		       base);
	t_end();
}

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64", &r);

	if (dev < 0)
		return 1;
	t_begin("soft/a64/ptrace");
	CHECK(a64_ptrace(&a64_case));
	CHECK(a64_stats.fake == 3);
	t_end();
	t_begin("soft/a64/record");
	CHECK(a64_record(dev, &a64_case, "soft_a64", 30, 0));
	t_end();
	probe_exclusive(dev);
	run_races(dev, r.soft);
	return a64_end(dev, &r, "soft/a64/refcnt");
}
#endif /* __aarch64__ */
