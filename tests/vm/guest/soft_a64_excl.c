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
 * The arm64 soft backend steps over load/store-exclusive sequences
 * (issue 16; backends/soft/a64_excl.h): stepped one by one they never
 * complete.  Each case below runs a workload twice (soft_a64_gt.h):
 *  - with ptrace, single-stepping, and stepping over each exclusive
 *    sequence by the same rule (a64_excl.c, compiled in here): BRK at its
 *    exits, PTRACE_CONT, the path to the exit that was hit is recorded as
 *    if stepped.  ptrace's arm64 quirks are filtered as in soft_a64.c;
 *  - traced by the soft backend: it must finish (no livelock) and exit 0.
 * The ETE and the ground truth go to the console as "SOFTA64:<case>"
 * lines; the host (vm-post.sh, ete_vmcheck) decodes the ETE with OpenCSD
 * and compares instruction for instruction from the workload's entry.
 * Cases: glibc (malloc/free, printf, a pthread mutex, atomics: cortex-a57
 * has no LSE, so these are LL/SC loops), and hand-written loops: LDXR/STXR,
 * LDAXR/STLXR, LDXRB/STXRB, LDXP/STXP, a CAS loop whose two exits (swap
 * done, value differs) are both taken, and a loop whose store fails once
 * each time (CLREX in the first pass): retries are not shown, by the same
 * rule on both sides.
 */
#include "soft_a64_gt.h"

#include <pthread.h>

/* ---- workloads ---- */

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;
static long atom;

void excl_glibc(void);
__attribute__((noinline)) void excl_glibc(void)
{
	void *p[16];
	int i, j;

	for (i = 0; i < 8; i++) {
		for (j = 0; j < 16; j++)
			p[j] = malloc(32 + 48 * j);
		for (j = 0; j < 16; j++)
			free(p[j]);
		pthread_mutex_lock(&mtx);
		counter++;
		pthread_mutex_unlock(&mtx);
		__atomic_fetch_add(&atom, 3, __ATOMIC_SEQ_CST);
	}
	printf("INFO: soft/a64x: glibc workload %ld %ld\n", counter, atom);
	fflush(stdout);
	a64_raw_exit();
}

static uint64_t word, pair[2] __attribute__((aligned(16)));
static uint8_t byte;

void excl_asm(void);
__attribute__((noinline)) void excl_asm(void)
{
	uint64_t v, v2, old;
	uint32_t fail;
	int i;

	for (i = 0; i < 20; i++) {
		/* LDXR/STXR, the loop-back branch after the store */
		__asm__ volatile("1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
				 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&word)
				 : "memory");
		/* LDAXR/STLXR */
		__asm__ volatile("1: ldaxr %0, [%2]\n\teor %0, %0, #2\n\t"
				 "stlxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&word)
				 : "memory");
		/* LDXRB/STXRB */
		__asm__ volatile("1: ldxrb %w0, [%2]\n\tadd %w0, %w0, #1\n\t"
				 "stxrb %w1, %w0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&byte)
				 : "memory");
		/* LDXP/STXP */
		__asm__ volatile("1: ldxp %0, %1, [%3]\n\tadd %0, %0, #1\n\t"
				 "sub %1, %1, #1\n\t"
				 "stxp %w2, %0, %1, [%3]\n\tcbnz %w2, 1b"
				 : "=&r"(v), "=&r"(v2), "=&r"(fail)
				 : "r"(pair) : "memory");
		/*
		 * A retry every time: the first pass clears the monitor
		 * (CLREX), its store fails and the loop-back branch is taken;
		 * the second skips the CLREX with a branch inside the
		 * sequence, which the trace shows not taken (a64_excl.h).
		 */
		__asm__ volatile("mov x5, #0\n1: ldxr %0, [%2]\n\t"
				 "cbnz x5, 2f\n\tclrex\n"
				 "2: add x5, x5, #1\n\t"
				 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&word)
				 : "memory", "x5");
		/*
		 * CAS: exit 1 (value differs, b.ne) on odd i, exit 0 (the
		 * cbnz after the store) on even i.
		 */
		old = (i & 1) ? ~0ull : word;
		__asm__ volatile("1: ldaxr %0, [%2]\n\tcmp %0, %3\n\t"
				 "b.ne 2f\n\tstlxr %w1, %4, [%2]\n\t"
				 "cbnz %w1, 1b\n2:"
				 : "=&r"(v), "=&r"(fail)
				 : "r"(&word), "r"(old), "r"(v + 5)
				 : "memory", "cc");
	}
	a64_raw_exit();
}

/*
 * Sequences the stepper does not reach by a step: a signal handler
 * whose first instruction is a load-exclusive (on its own frame: sp),
 * and one right after an SVC (where the kernel returns).
 */
void excl_handler(int sig);
__asm__(".text\n.globl excl_handler\n.type excl_handler, %function\n"
	"excl_handler:\n1:\tldxr x1, [sp]\n\tstxr w3, x1, [sp]\n"
	"\tcbnz w3, 1b\n\tret\n");

static void edges_setup(void)
{
	a64_sigaction(SIGUSR1, excl_handler);
}

void excl_edges(void);
__attribute__((noinline)) void excl_edges(void)
{
	uint64_t v;
	uint32_t fail;
	int i;

	for (i = 0; i < 10; i++) {
		__asm__ volatile("mov x8, #173\n\tsvc #0\n"	/* getppid */
				 "1: ldxr %0, [%2]\n\tadd %0, %0, #1\n\t"
				 "stxr %w1, %0, [%2]\n\tcbnz %w1, 1b"
				 : "=&r"(v), "=&r"(fail) : "r"(&word)
				 : "memory", "x0", "x8");
		kill(getpid(), SIGUSR1);
	}
	a64_raw_exit();
}

static void threaded_setup(void);

static const struct a64_case cases[] = {
	{ .name = "asm", .fn = excl_asm },
	/* a parked second thread: glibc's locks are real */
	{ .name = "glibc", .fn = excl_glibc, .setup = threaded_setup },
	{ .name = "edges", .fn = excl_edges, .setup = edges_setup,
	  .handler = excl_handler },
};

static void *parked(void *arg)
{
	char ch;

	/* Never written: blocked until exit_group. */
	if (read(*(int *)arg, &ch, 1) < 0)
		return NULL;
	return NULL;
}

/*
 * In the child: with a second thread, glibc (2.34+) no longer takes its
 * single-thread shortcuts (mutexes and malloc's arena locks use atomics).
 */
static void threaded_setup(void)
{
	static int pfd[2];
	pthread_t th;

	if (pipe(pfd) || pthread_create(&th, NULL, parked, &pfd[0]))
		_exit(3);
}

int main(void)
{
	struct a64_refs r;
	int dev = a64_begin("soft/a64x", &r), n, bad;
	size_t i;
	char name[64];

	if (dev < 0)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct a64_case *c = &cases[i];

		snprintf(name, sizeof(name), "soft/a64x/%s/ptrace", c->name);
		t_begin(name);
		CHECK(a64_ptrace(c));
		/* One retry per iteration of the CLREX loop. */
		if (c->fn == excl_asm)
			CHECK(a64_stats.over >= 120 && a64_stats.retries >= 20);
		/* Each of the 10 passes: after an SVC, in a handler. */
		if (c->fn == excl_edges)
			CHECK(a64_stats.over >= 20 && a64_stats.fake == 10);
		/* Without LSE (cortex-a57) glibc's atomics are LL/SC. */
		if (c->fn == excl_glibc &&
		    !(getauxval(AT_HWCAP) & HWCAP_ATOMICS))
			CHECK(a64_stats.over > 0);
		t_end();
		snprintf(name, sizeof(name), "soft/a64x/%s/record", c->name);
		t_begin(name);
		CHECK(a64_record(dev, c, "soft_a64_excl", 30, 0));
		t_end();
	}
	/* Tracing leaves no breakpoint or step behind: untraced runs. */
	t_begin("soft/a64x/untraced_after");
	bad = 0;
	for (n = 0; n < 200; n++) {
		pid_t pid = fork();
		int st;

		if (pid == 0)
			excl_asm();	/* exits 0 */
		if (pid < 0 || waitpid(pid, &st, 0) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	CHECK(bad == 0);
	t_end();
	return a64_end(dev, &r, "soft/a64x/refcnt");
}
#endif /* __aarch64__ */
