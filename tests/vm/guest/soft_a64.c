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
 *     console as "SOFTA64" lines (the ETE bytes and the IP list); the
 *     host (backends/soft/tests/vm-post.sh, ete_vmcheck) decodes the ETE
 *     with OpenCSD against this binary and compares instruction for
 *     instruction from the workload's entry on.  ptrace's arm64 quirks are
 *     filtered here: a second stop at the same IP after every SVC, and a
 *     stop at the return address before the handler when an SVC raised a
 *     signal (the handler runs first);
 *  3. tracing is torn down in racing orders (SIGKILL then close, close
 *     while stepping, close while blocked in read), then 1000 untraced
 *     processes make system calls: none may die of SIGTRAP, and the
 *     refcounts of hwt_soft and hwt come back.
 */
#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <asm/ptrace.h>

#define MAX_GT		200000

static volatile int sig_seen;
static int start_fd = -1;

static void raw_exit(void)
{
	register long x0 __asm__("x0") = 0;
	register long x8 __asm__("x8") = SYS_exit_group;

	__asm__ volatile("svc #0" : : "r"(x0), "r"(x8) : "memory");
	__builtin_unreachable();
}

/* Our own restorer: every instruction of the run is in this binary. */
void soft_a64_restorer(void);
__asm__(".text\n.globl soft_a64_restorer\n.type soft_a64_restorer, %function\n"
	"soft_a64_restorer:\n\tmov x8, #139\n\tsvc #0\n");

__attribute__((noinline)) static void on_usr1(int sig)
{
	sig_seen += sig;
}

struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static void install_handler(void)
{
	struct ksigaction ka = {
		.handler = on_usr1,
		.flags = 0x04000000 /* SA_RESTORER */,
		.restorer = soft_a64_restorer,
	};

	syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
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
	raw_exit();
}

/* ---- ground truth: ptrace single-step ---- */

static int is_svc_at(uint64_t ip)
{
	return (*(const uint32_t *)(uintptr_t)ip & 0xffe0001f) == 0xd4000001;
}

static uint64_t gt[MAX_GT];
static size_t ngt;

static int get_pc(pid_t pid, uint64_t *pc)
{
	struct user_pt_regs r;
	struct iovec io = { &r, sizeof(r) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io))
		return -1;
	*pc = r.pc;
	return 0;
}

static void run_ptrace(void)
{
	static uint64_t raw[MAX_GT];
	size_t nraw = 0, i, dup = 0, fake = 0;
	int st, started = 0;
	uint64_t pc;
	pid_t pid;

	t_begin("soft/a64/ptrace");
	pid = fork();
	if (pid == 0) {
		install_handler();
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		soft_a64_workload();
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSTOPPED(st));
	for (;;) {
		int sig = 0;

		if (get_pc(pid, &pc))
			break;
		if (pc == (uintptr_t)soft_a64_workload)
			started = 1;
		if (started && nraw < MAX_GT)
			raw[nraw++] = pc;
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(long)sig))
			break;
		if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		/* SIGUSR1 stops: deliver it on the next step. */
		while (WSTOPSIG(st) == SIGUSR1) {
			if (ptrace(PTRACE_SINGLESTEP, pid, NULL,
				   (void *)(long)SIGUSR1) ||
			    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
				goto out;
		}
	}
out:
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(nraw > 100 && nraw < MAX_GT);
	/* The quirks (see the top). */
	for (i = 0; i < nraw; i++) {
		uint64_t ip = raw[i];
		int after_svc = i > 0 && raw[i - 1] + 4 == ip &&
				is_svc_at(raw[i - 1]);

		if (ngt && gt[ngt - 1] == ip && is_svc_at(ip - 4)) {
			dup++;
			continue;
		}
		if (after_svc) {
			size_t j = i + 1;

			while (j < nraw && raw[j] == ip)
				j++;
			if (j < nraw && raw[j] == (uintptr_t)on_usr1) {
				fake++;
				continue;
			}
		}
		gt[ngt++] = ip;
	}
	printf("INFO: soft/a64: ptrace %zu stops, %zu after dropping %zu "
	       "duplicates after SVC and %zu fake stops before handlers\n",
	       nraw, ngt, dup, fake);
	CHECK(fake == 3);
	t_end();
}

/* ---- the soft backend ---- */

static void dump(const char *what, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 64 == 0)
			printf("%sSOFTA64 %s", i ? "\n" : "", what);
		printf(" %02x", b[i]);
	}
	if (n)
		printf("\n");
}

static void run_soft(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 1 << 20 };
	struct hwt_bufptr bp = { .idx = 0 };
	int p[2], st, fd, i;
	size_t k;
	pid_t pid;
	void *m;

	t_begin("soft/a64/record");
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		char c;

		install_handler();
		start_fd = p[0];
		if (read(start_fd, &c, 1) != 1)
			_exit(2);
		soft_a64_workload();
	}
	a.pid = pid;
	strcpy(a.backend, HWT_SOFT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	for (i = 0; i < 5000; i++) {
		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
	CHECK(i < 5000);
	CHECK(write(p[1], "g", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid);
	/* (1) stepping is invisible: a stray SIGTRAP would kill it. */
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (!WIFEXITED(st))
		t_fail("target died of signal %d", WTERMSIG(st));
	usleep(200000);
	CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0);
	CHECK(bp.lost == 0 && bp.head > 0 && bp.head < bp.size);
	m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)bp.mmap_offset);
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		printf("SOFTA64 binary soft_a64\n");
		printf("SOFTA64 marker %llx tid %d\n",
		       (unsigned long long)(uintptr_t)soft_a64_workload,
		       (int)pid);
		dump("ete", m, bp.head);
		for (k = 0; k < ngt; k++) {
			if (k % 16 == 0)
				printf("%sSOFTA64 gt", k ? "\n" : "");
			printf(" %llx", (unsigned long long)gt[k]);
		}
		printf("\nSOFTA64 end\n");
		munmap(m, bp.size);
	}
	close(fd);
	close(p[0]);
	close(p[1]);
	t_end();
}

/*
 * A load/store-exclusive loop under tracing must complete: stepped, each
 * step is an exception, which clears the exclusive monitor, so the
 * store-exclusive would never succeed; the stepper steps over such
 * sequences (soft_a64_excl.c checks their traces).
 */
static void probe_exclusive(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 64 << 10 };
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
	a.pid = pid;
	strcpy(a.backend, HWT_SOFT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	if (fd >= 0 && ioctl(fd, HWT_IOC_START) == 0)
		usleep(100000);
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
	if (fd >= 0)
		close(fd);
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
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 64 << 10 };
	struct hwt_bufptr bp = { .idx = 0 };
	int p[2], st, fd, i, ok = 1;
	pid_t pid;

	if (pipe(p))
		return 0;
	pid = fork();
	if (pid == 0)
		spin_target(how == CLOSE_BLOCKED ? p[0] : -1);
	a.pid = pid;
	strcpy(a.backend, HWT_SOFT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	if (fd < 0 || ioctl(fd, HWT_IOC_START)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 0;
	}
	for (i = 0; i < 2000; i++) {
		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
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
	int dev, hwt_base, soft_base;

	if (access("/sys/module/hwt_soft", F_OK)) {
		printf("FAIL: soft/a64 (hwt_soft is not loaded)\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	hwt_base = hwt_refcnt();
	soft_base = mod_refcnt("hwt_soft");
	run_ptrace();
	dev = hwt_dev();
	run_soft(dev);
	probe_exclusive(dev);
	run_races(dev, soft_base);
	close(dev);
	t_begin("soft/a64/refcnt");
	if (!wait_refcnt(hwt_base))
		t_fail("hwt refcnt %d, was %d", hwt_refcnt(), hwt_base);
	t_end();
	return t_total_failed != 0;
}
#endif /* __aarch64__ */
