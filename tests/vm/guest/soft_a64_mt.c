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
 * The arm64 soft backend on two threads (issue 16): a static program
 * whose main thread makes a second one with a raw clone (no glibc in it:
 * deterministic, no exclusive sequences), both run their own workload
 * with system calls.  Thread mode gives each thread its own buffer; each
 * stream must decode (OpenCSD, host) exactly to that thread's ptrace
 * single-step ground truth (PTRACE_O_TRACECLONE, both threads stepped
 * concurrently).  The main thread is compared from its workload's entry
 * up to mt_join (the wait for the second thread, whose iterations depend
 * on timing); the second from its entry to its exit.
 */
#include "soft_a64_gt.h"

#include <linux/futex.h>

#define STACK		(64 << 10)

static uint64_t a64_raw2[MAX_GT];
static volatile int ctid;	/* CLONE_CHILD_CLEARTID: 0 once it exited */
static volatile long out1, out2;

/* clone(flags, sp, ptid, tls, ctid), then the child calls fn (x5). */
long mt_clone(unsigned long flags, void *sp, int *ptid, void *tls,
	      volatile int *ctid, void (*fn)(void));
__asm__(".text\n.globl mt_clone\n.type mt_clone, %function\n"
	"mt_clone:\n\tmov x9, x5\n\tmov x8, #220\n\tsvc #0\n"
	"\tcbnz x0, 1f\n\tblr x9\n1:\tret\n");

static long mt_getppid(void)
{
	register long x0 __asm__("x0");
	register long x8 __asm__("x8") = SYS_getppid;

	__asm__ volatile("svc #0" : "=r"(x0) : "r"(x8) : "memory");
	return x0;
}

__attribute__((noinline)) static long mt_fib(int n)
{
	return n < 2 ? n : mt_fib(n - 1) + mt_fib(n - 2);
}

/* The second thread: its own work, then exit (the thread only). */
void mt_thread2(void);
__attribute__((noinline)) void mt_thread2(void)
{
	long acc = 0;
	int i;

	for (i = 0; i < 30; i++) {
		acc += mt_fib(i % 9);
		if (i % 5 == 0)
			acc += mt_getppid() > 0;
	}
	out2 = acc;
	{
		register long x0 __asm__("x0") = 0;
		register long x8 __asm__("x8") = SYS_exit;

		__asm__ volatile("svc #0" : : "r"(x0), "r"(x8) : "memory");
	}
	__builtin_unreachable();
}

/* Waits for the second thread: not compared (timing). */
void mt_join(void);
__attribute__((noinline)) void mt_join(void)
{
	int v;

	while ((v = ctid) != 0)
		syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
	a64_raw_exit();
}

static char stack2[STACK] __attribute__((aligned(16)));

void mt_main(void);
__attribute__((noinline)) void mt_main(void)
{
	long acc = 0;
	int i;

	ctid = 1;
	mt_clone(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		 CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID,
		 stack2 + STACK, NULL, NULL, &ctid, mt_thread2);
	for (i = 0; i < 40; i++) {
		acc += mt_fib(i % 7) * 3;
		if (i % 8 == 0)
			acc += mt_getppid() > 0;
	}
	out1 = acc;
	mt_join();
}

static const struct a64_case mt_case = {
	.name = "mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};

/*
 * Both threads' ground truth: every stop of each thread, stepped
 * concurrently (waitpid(-1, __WALL)); the main thread's from mt_main,
 * the other's from mt_thread2.  No exclusive sequence runs once there
 * are two threads (a BRK written for one would trap the other).
 */
static int mt_ptrace(const struct a64_case *c)
{
	size_t n1 = 0, n2 = 0;
	int st, started = 0, ok = 1;
	pid_t pid, tid2 = 0, w;
	double t0 = a64_now();
	cpu_set_t all;
	uint64_t pc;

	memset(&a64_stats, 0, sizeof(a64_stats));
	a64_pin(&all);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		c->fn();
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)PTRACE_O_TRACECLONE))
		return 0;
	w = pid;
	for (;;) {
		int sig = 0;

		if (WIFSTOPPED(st) && (st >> 8) == (SIGTRAP |
						    PTRACE_EVENT_CLONE << 8)) {
			unsigned long msg;

			if (ptrace(PTRACE_GETEVENTMSG, w, NULL, &msg) == 0)
				tid2 = (pid_t)msg;
		} else if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP &&
			   w != pid) {
			/* The new thread's first stop: no step. */
		} else if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
			if (a64_get_pc(w, &pc))
				break;
			if (w == pid) {
				if (pc == (uintptr_t)c->fn)
					started = 1;
				if (started && n1 < MAX_GT)
					a64_raw[n1++] = pc;
			} else if (w == tid2 && n2 < MAX_GT) {
				if (n2 || pc == (uintptr_t)c->fn2)
					a64_raw2[n2++] = pc;
			}
		} else if (WIFSTOPPED(st)) {
			sig = WSTOPSIG(st);
		}
		if (WIFSTOPPED(st) &&
		    ptrace(PTRACE_SINGLESTEP, w, NULL, (void *)(long)sig)) {
			ok = 0;
			break;
		}
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			ok = 0;
			break;
		}
		if (w == pid && (WIFEXITED(st) || WIFSIGNALED(st)))
			break;
		if (!WIFSTOPPED(st)) {
			/* The second thread exited: wait for the next. */
			w = waitpid(-1, &st, __WALL);
			if (w == pid && (WIFEXITED(st) || WIFSIGNALED(st)))
				break;
			if (w < 0) {
				ok = 0;
				break;
			}
		}
	}
	a64_stats.secs = a64_now() - t0;
	a64_unpin(&all);
	if (!ok || !WIFEXITED(st) || WEXITSTATUS(st) || n1 < 100 ||
	    n2 < 100 || n1 >= MAX_GT || n2 >= MAX_GT)
		return 0;
	a64_stats.stops = n1 + n2;
	a64_ngt = a64_filter(c, a64_raw, n1, a64_gt);
	a64_ngt2 = a64_filter(c, a64_raw2, n2, a64_gt2);
	printf("INFO: soft/a64x/mt: ptrace %zu + %zu stops in %.1f s, %zu + "
	       "%zu after the quirks and cutting the main thread at mt_join\n",
	       n1, n2, a64_stats.secs, a64_ngt, a64_ngt2);
	return a64_ngt > 100 && a64_ngt2 > 100;
}

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64x/mt", &r);

	if (dev < 0)
		return 1;
	t_begin("soft/a64x/mt/ptrace");
	CHECK(mt_ptrace(&mt_case));
	t_end();
	t_begin("soft/a64x/mt/record");
	CHECK(a64_record(dev, &mt_case, "soft_a64_mt", 60, 0));
	t_end();
	return a64_end(dev, &r, "soft/a64x/mt/refcnt");
}
#endif /* __aarch64__ */
