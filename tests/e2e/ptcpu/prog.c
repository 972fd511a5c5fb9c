// SPDX-License-Identifier: BSD-2-Clause
/*
 * The program of the CPU-mode end to ends (tests/e2e/pt_cpu.sh on x86-64,
 * tests/e2e/cs_cpu.sh on arm64): three
 * tasks with deterministic code between markers, no libc inside them
 * (raw syscalls), so that a run under ptrace and a traced run execute
 * the very same instructions there:
 *   - main: from main_begin, calls (fib, an indirect call table, a jump
 *     table, loops), a second process, a second thread, waits for both
 *     and exit_group()s;
 *   - proc: a process made with clone() (no exit signal: nothing is
 *     delivered to main), from its first instruction to proc_end, then
 *     _exit;
 *   - thread: a thread on its own stack, from its first instruction to
 *     thread_end, then a byte to main and pause() until exit_group.
 * The scripts take each task's call counts from its ground truth (the
 * times each function's first instruction ran) and the decode must give
 * them exactly.  arm64 has no pause(2): the thread waits in ppoll(2)
 * with no descriptors and no timeout instead.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
static long raw3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c)
			  : "rcx", "r11", "memory");
	return ret;
}

static long raw4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			  : "rcx", "r11", "memory");
	return ret;
}

#define WAIT_FOREVER()	raw3(SYS_pause, 0, 0, 0)
#elif defined(__aarch64__)
static long raw4(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile ("svc #0" : "+r"(x0)
			  : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			  : "memory");
	return x0;
}

static long raw3(long nr, long a, long b, long c)
{
	return raw4(nr, a, b, c, 0);
}

#define WAIT_FOREVER()	raw4(SYS_ppoll, 0, 0, 0, 0)
#else
#error "x86-64 or arm64 only"
#endif

long fib(long n);
long op_add(long a);
long op_mul(long a);
long op_xor(long a);
long op_neg(long a);
long jump_table(long i, long v);
void thread_body(void) __attribute__((noreturn));
void proc_body(void) __attribute__((noreturn));
long spawn(long flags, char *stack, void (*body)(void));

static int fds[2];
static volatile long sink;

__attribute__((noinline)) long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) long op_add(long a) { return a + 3; }
__attribute__((noinline)) long op_mul(long a) { return a * 5; }
__attribute__((noinline)) long op_xor(long a) { return a ^ 0x55; }
__attribute__((noinline)) long op_neg(long a) { return -a; }

static long (*const ops[4])(long) = { op_add, op_mul, op_xor, op_neg };

/* Dense switch: gcc -O2 makes it a jump table (an indirect jmp). */
__attribute__((noinline)) long jump_table(long i, long v)
{
	switch (i % 9) {
	case 0: v += 7; break;
	case 1: v *= 3; break;
	case 2: v -= 11; break;
	case 3: v ^= 0x1234; break;
	case 4: v = v << 2; break;
	case 5: v = v >> 1; break;
	case 6: v |= 0x80; break;
	case 7: v &= 0xffff; break;
	default: v = ~v; break;
	}
	return v;
}

/* The thread: 60 iterations, then a byte to main; it ends blocked in
 * pause(), where exit_group() takes it down. */
__attribute__((noinline, noreturn)) void thread_body(void)
{
	long v = 1, i;
	char c = 't';

	for (i = 0; i < 60; i++)
		v = ops[i & 3](v) + jump_table(i, v);
	sink = v;
	__asm__ volatile (".globl thread_end\nthread_end: nop");
	raw3(SYS_write, fds[1], (long)&c, 1);
	for (;;)
		WAIT_FOREVER();
}

/* The second process: fib(12), then _exit. */
__attribute__((noinline, noreturn)) void proc_body(void)
{
	sink = fib(12);
	__asm__ volatile (".globl proc_end\nproc_end: nop");
	raw3(SYS_exit, 0, 0, 0);
	for (;;)
		;
}

static char thread_stack[64 << 10] __attribute__((aligned(16)));

/* clone(2) by hand: the child calls body on stack (NULL: the parent's
 * stack, copied: a process).  Returns the child's id in the parent. */
__attribute__((noinline)) long spawn(long flags, char *stack,
				     void (*body)(void))
{
#if defined(__x86_64__)
	long ret;
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;

	__asm__ volatile ("syscall\n\t"
			  "test %%rax, %%rax\n\t"
			  "jnz 1f\n\t"
			  "call *%[body]\n"
			  "1:"
			  : "=a"(ret)
			  : "a"((long)SYS_clone), "D"(flags), "S"(stack),
			    "d"(0L), "r"(r10), "r"(r8), [body] "r"(body)
			  : "rcx", "r11", "memory");
	return ret;
#else
	/* clone(flags, newsp, parent_tid, tls, child_tid) */
	register long x8 __asm__("x8") = SYS_clone;
	register long x0 __asm__("x0") = flags;
	register long x1 __asm__("x1") = (long)stack;
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = 0;

	__asm__ volatile ("svc #0\n\t"
			  "cbnz x0, 1f\n\t"
			  "blr %[body]\n"
			  "1:"
			  : "+r"(x0)
			  : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
			    [body] "r"(body)
			  : "x30", "memory");
	return x0;
#endif
}

int main(void)
{
	long v = 0, i, child;
	char c;

	if (pipe(fds))
		return 1;
	__asm__ volatile (".globl main_begin\nmain_begin: nop");
	for (i = 0; i < 40; i++) {
		v += ops[i & 3](i);
		v = jump_table(i, v);
	}
	v += fib(10);
	/* a process (no exit signal), then a thread */
	child = spawn(0, NULL, proc_body);
	if (spawn(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		  CLONE_THREAD | CLONE_SYSVSEM, thread_stack +
		  sizeof(thread_stack), thread_body) > 0)
		raw3(SYS_read, fds[0], (long)&c, 1);
	if (child > 0)
		raw4(SYS_wait4, child, 0, __WALL, 0);
	sink = v;
	raw3(SYS_exit_group, 0, 0, 0);
	return 0;
}
