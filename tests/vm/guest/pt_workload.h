/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The deterministic workload of the PT acceptance tests and their harness,
 * shared by soft_trace.c (the soft backend) and pt_emu.c (the intel_pt
 * backend on the emulated unit): the workload (direct/indirect calls,
 * returns, a jump table, conditional loops, syscalls, int $0x80,
 * pushf/popf, a signal handler, a second thread), its ground truth by
 * ptrace single-step, and one traced run whose PT buffers and ground truth
 * are printed as SOFTDUMP lines for the host's libipt check
 * (backends/soft/tests/soft_vmcheck.c).  x86-64 only; include after
 * hwt_test.h.
 */
#ifndef PT_WORKLOAD_H
#define PT_WORKLOAD_H

#include "../../lib/u64vec.h"

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <linux/sched.h>

#define NTHREADS	2
/* op_add calls of the speed run's extra loop. */
#define HEAVY_CALLS	100000
/* The gap run's loop after its pause: ~10 KB of PT without RETcomp. */
#define MEDIUM_ITERS	800

/* ---- the workload: no libc inside, raw syscalls only ---- */

static long raw3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c)
			  : "rcx", "r11", "memory");
	return ret;
}

static int start_fd = -1, sync_rd = -1, sync_wr = -1, mid_wr = -1;
static volatile long sink;
static volatile int handled;
/*
 * 1: speed run, much more work, no ground truth.  2: gap run, a pause
 * (a byte to mid_wr, then a read of start_fd) and MEDIUM_ITERS more
 * iterations after the first loop; ground truth by ptrace.
 */
static int heavy;

__attribute__((noinline)) static long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static long op_add(long a) { return a + 3; }
__attribute__((noinline)) static long op_mul(long a) { return a * 5; }
__attribute__((noinline)) static long op_xor(long a) { return a ^ 0x55; }
__attribute__((noinline)) static long op_neg(long a) { return -a; }

static long (*const ops[4])(long) = { op_add, op_mul, op_xor, op_neg };

/* Dense switch: gcc -O2 makes it a jump table (an indirect jmp). */
__attribute__((noinline)) static long jump_table(long i, long v)
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

static void on_usr1(int sig)
{
	handled += sig + (int)fib(5);
}

/*
 * Runs on its own stack and ends blocked in pause(2): exit_group() takes it
 * down at a known instruction (a racing SYS_exit would not be).
 */
__attribute__((noinline, noreturn)) static void thread_body(void)
{
	long v = 1, i;
	char c = 't';

	for (i = 0; i < 40; i++)
		v = ops[i & 3](v) + jump_table(i, v);
	sink = v;
	/*
	 * Compare up to here: once the main thread has its byte it races
	 * to exit_group(), and pause() may return under ptrace.
	 */
	__asm__ volatile (".globl soft_thread_end\nsoft_thread_end: nop");
	raw3(SYS_write, sync_wr, (long)&c, 1);
	for (;;)
		raw3(SYS_pause, 0, 0, 0);
}

static char thread_stack[64 << 10] __attribute__((aligned(16)));

/* clone(2) by hand: the child returns 0 on the new stack. */
__attribute__((noinline)) static long spawn_thread(void)
{
	long ret;
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;

	__asm__ volatile ("syscall\n\t"
			  "test %%rax, %%rax\n\t"
			  "jnz 1f\n\t"
			  "call *%[body]\n"
			  "1:"
			  : "=a"(ret)
			  : "a"((long)SYS_clone),
			    "D"((long)(CLONE_VM | CLONE_FS | CLONE_FILES |
				       CLONE_SIGHAND | CLONE_THREAD |
				       CLONE_SYSVSEM)),
			    "S"(thread_stack + sizeof(thread_stack)),
			    "d"(0L), "r"(r10), "r"(r8),
			    [body] "r"(thread_body)
			  : "rcx", "r11", "memory");
	return ret;
}

/* The traced window starts at the first instruction after this read. */
__attribute__((noinline)) static void workload(void)
{
	long v = 0, i;
	char c;

	raw3(SYS_read, start_fd, (long)&c, 1);
	__asm__ volatile (".globl soft_marker\nsoft_marker: nop");
	for (i = 0; i < 30; i++) {		/* conditional loop */
		v += ops[i & 3](i);		/* indirect calls */
		v = jump_table(i, v);		/* jump table */
		if (i % 7 == 0)
			v += raw3(SYS_getpid, 0, 0, 0) > 0;	/* syscalls */
	}
	if (heavy == 2) {
		raw3(SYS_write, mid_wr, (long)&c, 1);	/* the reader's cue */
		raw3(SYS_read, start_fd, (long)&c, 1);
		for (i = 0; i < MEDIUM_ITERS; i++)
			v = ops[i & 3](v) + jump_table(i, v);
	}
	v += fib(10);				/* direct calls, returns */
	/* TF-sensitive: pushf sees TF, popf keeps it; the i386 ABI. */
	__asm__ volatile ("pushfq\n\tpopfq" ::: "memory", "cc");
	{
		long r;

		__asm__ volatile ("int $0x80" : "=a"(r) : "a"(20L)
				  : "r8", "r9", "r10", "r11", "memory");
		v += r > 0;
	}
	raw3(SYS_kill, raw3(SYS_getpid, 0, 0, 0), SIGUSR1, 0);	/* handler */
	if (spawn_thread() > 0)			/* second thread */
		raw3(SYS_read, sync_rd, (long)&c, 1);	/* waits for it */
	sink = v + handled;
	if (heavy == 1) {
		sink += fib(25);
		/* A call count no compiler can change (fib's recursion it
		 * may turn into a loop): op_add's entry runs exactly
		 * 8 + HEAVY_CALLS times in the main thread. */
		for (i = 0; i < HEAVY_CALLS; i++)
			v = op_add(v);
		sink += v;
	}
	raw3(SYS_exit_group, 0, 0, 0);
}

extern const char soft_marker[], soft_thread_end[];

/* ---- harness ---- */

struct gt {			/* ground truth of one thread */
	pid_t tid;
	struct u64v ips;
};

/* A REP string instruction single-steps once per iteration. */
static int is_rep_string(uint64_t ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	size_t i = 0;

	while (i < 4 && (p[i] == 0x66 || p[i] == 0x67 || (p[i] & 0xf0) == 0x40))
		i++;
	if (p[i] != 0xf2 && p[i] != 0xf3)
		return 0;
	i++;
	if ((p[i] & 0xf0) == 0x40)
		i++;
	return (p[i] >= 0xa4 && p[i] <= 0xa7) || (p[i] >= 0xaa && p[i] <= 0xaf) ||
	       (p[i] >= 0x6c && p[i] <= 0x6f);
}

static void child_prepare(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigaction(SIGUSR1, &sa, NULL);
}

/* Ground truth: single-step every thread of a fresh child with ptrace. */
static int run_ptrace(struct gt *g, double *secs)
{
	int p[2], sp[2], status, nthr = 1, exited = 0;
	struct timespec t0, t1;
	pid_t pid;

	if (pipe(p) || pipe(sp))
		return -1;
	pid = fork();
	if (pid == 0) {
		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		child_prepare();
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		workload();
		_exit(1);
	}
	/* The gap run reads start_fd twice. */
	if (write(p[1], "gg", heavy == 2 ? 2 : 1) != (heavy == 2 ? 2 : 1))
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE |
	       PTRACE_O_EXITKILL);
	memset(g, 0, NTHREADS * sizeof(*g));
	g[0].tid = pid;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
	while (exited < nthr) {
		struct user_regs_struct regs;
		struct gt *cur = NULL;
		pid_t tid = waitpid(-1, &status, __WALL);
		int sig = 0, i;

		if (tid < 0)
			return -1;
		for (i = 0; i < nthr; i++)
			if (g[i].tid == tid)
				cur = &g[i];
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			exited++;
			continue;
		}
		if (!cur) {	/* the new thread's first stop */
			if (nthr == NTHREADS)
				return -1;
			cur = &g[nthr++];
			cur->tid = tid;
		}
		ptrace(PTRACE_GETREGS, tid, 0, &regs);
		if (status >> 16) {
			/* PTRACE_EVENT_CLONE: not a step */
		} else if (WSTOPSIG(status) == SIGTRAP ||
			   (WSTOPSIG(status) == SIGSTOP && cur->ips.n == 0 &&
			    cur != &g[0])) {
			if (!(cur->ips.n && cur->ips.v[cur->ips.n - 1] == regs.rip &&
			      is_rep_string(regs.rip)))
				u64v_push(&cur->ips, regs.rip);
		} else {
			/*
			 * Signal delivery: the handler runs before the
			 * instruction this stop is at, which ptrace's fake
			 * step after the syscall already reported.
			 */
			sig = WSTOPSIG(status);
			if (cur->ips.n && cur->ips.v[cur->ips.n - 1] == regs.rip)
				cur->ips.n--;
		}
		ptrace(PTRACE_SINGLESTEP, tid, 0, sig);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	close(p[0]);
	close(p[1]);
	return nthr;
}

static void dump_hex(const char *tag, int th, const char *what,
		     const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 64 == 0)
			printf("%sSOFTDUMP %s %d %s ", i ? "\n" : "", tag, th,
			       what);
		printf("%02x", p[i]);
	}
	if (n)
		printf("\n");
}

static void dump_gt(const char *tag, int th, const struct gt *g)
{
	size_t i;

	for (i = 0; i < g->ips.n; i++) {
		if (i % 16 == 0)
			printf("%sSOFTDUMP %s %d gt", i ? "\n" : "", tag, th);
		printf(" %llx", (unsigned long long)g->ips.v[i]);
	}
	if (g->ips.n)
		printf("\n");
}

/* One traced run of the workload: what differs between backends. */
struct trace_run {
	const char *name;	/* test name prefix: "soft", "pt_emu" */
	const char *tag;	/* SOFTDUMP tag (unique in the console) */
	const char *binary;	/* guest program the host decodes against */
	const char *backend;
	uint32_t version;	/* SET_CONFIG */
	const void *cfg;
	uint32_t cfg_size;
	uint32_t nranges;	/* address filters, for the host's check */
	uint64_t ranges[4][2];
	int speed;		/* speed run: more work, no ground truth */
	uint64_t bufsize;	/* per thread; 0: 4 MiB */
	/* Before START, the context allocated; may fail the test. */
	void (*before_start)(int fd, void *arg);
	void *arg;
};

/* Record one run with r's backend; dump its buffers. */
static void run_traced(const struct trace_run *r, const struct gt *g, int ngt)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD,
			       .bufsize = r->bufsize ? r->bufsize : 4 << 20 };
	struct hwt_config c = { .version = r->version, .size = r->cfg_size,
				.data = (uintptr_t)r->cfg };
	const char *tag = r->tag;
	struct timespec t0, t1;
	int p[2], sp[2], status, fd, dev, i, nbuf = 0;
	size_t steps = 0;
	uint64_t lost = 0;
	char name[96];
	double secs;
	pid_t pid;

	snprintf(name, sizeof(name), "%s/%s/record", r->name, tag);
	t_begin(name);
	if (pipe(p) || pipe(sp)) {
		t_fail("pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		heavy = r->speed;
		child_prepare();
		workload();
		_exit(1);
	}
	dev = hwt_dev();
	a.pid = pid;
	snprintf(a.backend, sizeof(a.backend), "%s", r->backend);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	if (r->before_start)
		r->before_start(fd, r->arg);
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	/* Armed once its PSB+ is in buffer 0. */
	for (i = 0; i < 5000; i++) {
		struct hwt_bufptr bp = { .idx = 0 };

		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
	CHECK(i < 5000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(write(p[1], "g", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* Stepping must be invisible: a stray SIGTRAP would kill it. */
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Let the framework finish the exits (pthread_join-like race). */
	usleep(200000);
	if (r->binary)
		printf("SOFTDUMP %s binary %s\n", tag, r->binary);
	for (i = 0; i < NTHREADS; i++) {
		struct hwt_bufptr bp = { .idx = (uint32_t)i };
		void *m;

		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp))
			break;
		nbuf++;
		lost += bp.lost;
		m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
			 (off_t)bp.mmap_offset);
		CHECK(m != MAP_FAILED);
		if (m == MAP_FAILED)
			continue;
		CHECK(bp.head > 0 && bp.head <= bp.size);
		/* Buffer i belongs to the i-th thread created. */
		CHECK(i > 0 || bp.tid == pid);
		dump_hex(tag, i, "pt", m, bp.head < bp.size ? bp.head : bp.size);
		munmap(m, bp.size);
	}
	CHECK(nbuf == ngt);
	CHECK(lost == 0);
	for (i = 0; i < ngt && !r->speed; i++) {
		dump_gt(tag, i, &g[i]);
		steps += g[i].ips.n;
	}
	printf("SOFTDUMP %s marker %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)soft_marker,
	       (unsigned long long)(uintptr_t)soft_thread_end);
	printf("SOFTDUMP %s time %.6f\n", tag, secs);
	printf("SOFTDUMP %s ranges %u", tag, r->nranges);
	for (i = 0; i < (int)r->nranges; i++)
		printf(" %llx %llx", (unsigned long long)r->ranges[i][0],
		       (unsigned long long)r->ranges[i][1]);
	printf("\n");
	if (!r->speed)
		printf("INFO: %s/%s: %zu steps (ground truth) in %.3f s\n",
		       r->name, tag, steps, secs);
	close(fd);
	close(dev);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	t_end();
}

#endif /* PT_WORKLOAD_H */
