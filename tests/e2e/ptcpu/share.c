// SPDX-License-Identifier: BSD-2-Clause
/*
 * The program of tests/e2e/cs_thread.sh (thread mode through one ETR
 * shared by every CPU): two threads computing at the same time, each
 * sleeping a microsecond (a raw nanosleep) after every iteration, so
 * that each leaves its CPU and comes back dozens of times: every return
 * is a switch_in that may find the shared sink held by the other
 * thread.  prog.c's functions (fib, op_*, jump_table) are the calls
 * the script counts; no libc between share_begin and the ends (raw
 * system calls), so that a run under ptrace (gt.c) and a traced run
 * execute the very same instructions:
 *   - main: from share_begin, makes the thread, 40 iterations, fib(10),
 *     waits for the thread's byte and exit_group()s;
 *   - the thread: 60 iterations (from the 5th: its path differs from
 *     main's), share_end, a byte to main, then waits
 *     until exit_group.
 * The program first binds itself to CPU 1 (before pipe2, where gt.c
 * starts stepping); the thread then binds itself to CPU 2 (a raw
 * sched_setaffinity, the same under ptrace), so that both run at once,
 * unless "share pin": both threads then take turns on CPU 1.
 */
#define main prog_main
int prog_main(void);
#include "prog.c"
#undef main

#include <sched.h>
#include <string.h>

/* struct timespec, as the kernel reads it: 1 us. */
static const long tick[2] = { 0, 1000 };
/* The thread's CPU (a cpu_set_t's first word): CPU 2, or 1 pinned. */
static unsigned long thread_cpus = 1ul << 2;

/*
 * Iterations from..to-1 from v, each ending in a sleep.  The threads
 * start at different iterations, so that their paths through ops and
 * jump_table differ (a run decoded into the wrong thread would not
 * match that thread's ground truth).  Returns the value.
 */
__attribute__((noinline)) static long work(long v, long from, long to)
{
	long i;

	for (i = from; i < to; i++) {
		v = ops[i & 3](v) + jump_table(i, v);
		raw3(SYS_nanosleep, (long)tick, 0, 0);
	}
	return v;
}

void share_thread(void) __attribute__((noreturn));

/* The second thread; it ends blocked, where exit_group() takes it. */
__attribute__((noinline, noreturn)) void share_thread(void)
{
	char c = 't';

	raw3(SYS_sched_setaffinity, 0, sizeof(thread_cpus),
	     (long)&thread_cpus);
	sink = work(1, 5, 65);
	__asm__ volatile (".globl share_end\nshare_end: nop");
	raw3(SYS_write, fds[1], (long)&c, 1);
	for (;;)
		WAIT_FOREVER();
}

int main(int argc, char **argv)
{
	cpu_set_t one;
	long v;
	char c;

	if (argc > 1 && !strcmp(argv[1], "pin"))
		thread_cpus = 1ul << 1;
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return 1;
	if (pipe(fds))
		return 1;
	__asm__ volatile (".globl share_begin\nshare_begin: nop");
	if (spawn(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM, thread_stack +
		  sizeof(thread_stack), share_thread) <= 0)
		raw3(SYS_exit_group, 1, 0, 0);
	v = work(7, 0, 40) + fib(10);
	raw3(SYS_read, fds[0], (long)&c, 1);
	sink = v;
	raw3(SYS_exit_group, 0, 0, 0);
	return 0;
}
