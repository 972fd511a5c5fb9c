/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The arm64 soft backend's acceptance harness, shared by the guest tests
 * that compare a traced run with ptrace (soft_a64_excl.c, soft_a64_sys.c):
 * a case is a workload function (ending in a raw exit_group) and an
 * optional setup run in the child first.  For each case:
 *  - a64_ptrace() single-steps it with ptrace from the workload's entry:
 *    the ground truth.  Load/store-exclusive sequences are stepped over
 *    by the stepper's own rule (a64_excl.c, compiled in): BRKs at the
 *    exits, PTRACE_CONT, the path to the exit hit recorded as if stepped,
 *    a retry (the loop-back branch after the store taken) not recorded.
 *    Signals are passed on; ptrace's arm64 quirks are filtered: a second
 *    stop at the same IP after every SVC, and a stop at the return
 *    address before a handler (c->handler) when an SVC raised a signal;
 *  - a64_record() traces it with the soft backend (thread mode, every
 *    thread of the process: the dump is the main thread's buffer), which
 *    must exit 0 within a time limit, and prints the ETE and the ground
 *    truth as "SOFTA64:<case>" lines; the host (vm-post.sh, ete_vmcheck)
 *    decodes the ETE with OpenCSD against this binary and compares.
 */
#ifndef SOFT_A64_GT_H
#define SOFT_A64_GT_H

#include "hwt_test.h"
#include "hwt/hwt_soft.h"

#include <elf.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <asm/ptrace.h>

#include "../../../backends/soft/a64_insn.c"
#include "../../../backends/soft/a64_excl.c"

#define MAX_GT		400000
#define A64_BRK		0xd4200000u

struct a64_case {
	const char *name;
	void (*fn)(void);		/* the workload; ends in exit_group */
	void (*setup)(void);		/* in the child, before it; or NULL */
	const void *handler;		/* a signal handler it runs, or NULL */
	int fatal;			/* the signal it dies of, or 0: exit 0 */
	/* Compared up to here (the first time), or NULL: to the end. */
	const void *stop;
	/* A second thread's entry (soft_a64_mt.c), compared too; or NULL. */
	const void *fn2;
	/*
	 * The backend's config (soft_a64_filt.c: address ranges), or NULL;
	 * its ranges go into the dump as "range START END" lines and the
	 * host compares the decode with the ground truth inside them.
	 */
	const struct hwt_soft_config *cfg;
};

/* What the last a64_ptrace() saw. */
struct a64_gt_stats {
	size_t stops, dup, fake, over, retries;
	double secs;
};

static inline void a64_raw_exit(void)
{
	register long x0 __asm__("x0") = 0;
	register long x8 __asm__("x8") = SYS_exit_group;

	__asm__ volatile("svc #0" : : "r"(x0), "r"(x8) : "memory");
	__builtin_unreachable();
}

/* Our own signal restorer: every instruction of a run is in the binary. */
void a64_restorer(void);
__asm__(".text\n.globl a64_restorer\n.type a64_restorer, %function\n"
	"a64_restorer:\n\tmov x8, #139\n\tsvc #0\n");

struct a64_ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

/* Install handler for sig with a64_restorer; exits 3 if it cannot. */
static inline void a64_sigaction(int sig, void (*handler)(int))
{
	struct a64_ksigaction ka = {
		.handler = handler,
		.flags = 0x04000000 /* SA_RESTORER */,
		.restorer = a64_restorer,
	};

	if (syscall(SYS_rt_sigaction, sig, &ka, NULL, 8))
		_exit(3);
}

static inline double a64_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The refcounts a test program must leave as it found them. */
struct a64_refs {
	int hwt, soft;
};

/*
 * A test program's start: hwt_soft must be loaded (else a FAIL line for
 * name and -1); notes the refcounts, returns /dev/hwt open.
 */
static inline int a64_begin(const char *name, struct a64_refs *r)
{
	if (access("/sys/module/hwt_soft", F_OK)) {
		printf("FAIL: %s (hwt_soft is not loaded)\n", name);
		return -1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	r->hwt = hwt_refcnt();
	r->soft = mod_refcnt("hwt_soft");
	return hwt_dev();
}

/* Its end: the refcounts come back (test name).  The exit status. */
static inline int a64_end(int dev, const struct a64_refs *r,
			  const char *name)
{
	close(dev);
	t_begin(name);
	if (!wait_mod_refcnt("hwt_soft", r->soft))
		t_fail("hwt_soft refcnt %d, was %d", mod_refcnt("hwt_soft"),
		       r->soft);
	if (!wait_refcnt(r->hwt))
		t_fail("hwt refcnt %d, was %d", hwt_refcnt(), r->hwt);
	t_end();
	return t_total_failed != 0;
}

/*
 * Tracer and tracee on one CPU: each ptrace step is then two context
 * switches, not two cross-CPU wake-ups (~10x faster under TCG, where it
 * was ~220 steps/s).  *all: the affinity to restore with a64_unpin().
 */
static inline void a64_pin(cpu_set_t *all)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_getaffinity(0, sizeof(*all), all);
	sched_setaffinity(0, sizeof(one), &one);
}

static inline void a64_unpin(const cpu_set_t *all)
{
	sched_setaffinity(0, sizeof(*all), all);
}

static inline int a64_is_svc_at(uint64_t ip)
{
	return (*(const uint32_t *)(uintptr_t)ip & 0xffe0001f) == 0xd4000001;
}

/*
 * The backend a64_record() traces with: hwt_soft, or (cs_emu.c)
 * hwt_coresight over the emulated unit, with its default config.
 */
static const char *a64_backend = HWT_SOFT_BACKEND_NAME;
/*
 * For another backend: turns a case's config (its address ranges) into
 * that backend's SET_CONFIG (hc's data pointing at storage it owns).
 */
static void (*a64_config_hook)(const struct hwt_soft_config *cfg,
			       struct hwt_config *hc);
/* a64_record()'s streaming buffer (0: 16 MiB), and the dump's "format"
 * line for the host (NULL: none, raw ETE; "etm4-tmc": ETMv4 in TMC
 * frames). */
static uint64_t a64_bufsize;
static const char *a64_dump_format;

static uint64_t a64_raw[MAX_GT], a64_gt[MAX_GT];
static size_t a64_ngt;
/* The second thread's ground truth (c->fn2). */
static uint64_t a64_gt2[MAX_GT];
static size_t a64_ngt2;
static struct a64_gt_stats a64_stats;

static inline int a64_get_pc(pid_t pid, uint64_t *pc)
{
	struct user_pt_regs r;
	struct iovec io = { &r, sizeof(r) };

	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &io))
		return -1;
	*pc = r.pc;
	return 0;
}

/*
 * Run the sequence at pc to one of its exits with BRKs (the code is ours:
 * a static binary, the same in the child).  Appends the path to a64_raw
 * (if record).  Returns 0, or -1 if the child did not stop at an exit.
 */
static inline int a64_step_over(pid_t pid, const struct a64_excl_seq *seq,
				size_t *nraw, int record)
{
	uint64_t ip[A64_EXCL_MAX_INSNS], next[A64_EXCL_MAX_INSNS];
	uint64_t pc = 0, pc2;
	long orig[A64_EXCL_MAX_EXITS];
	int k, n, i, st, hit;

again:
	hit = -1;
	/* One at a time, restored in reverse: 8-byte words may overlap. */
	for (k = 0; k < (int)seq->nexits; k++) {
		errno = 0;
		orig[k] = ptrace(PTRACE_PEEKTEXT, pid, (void *)seq->exit[k],
				 NULL);
		if (errno ||
		    ptrace(PTRACE_POKETEXT, pid, (void *)seq->exit[k],
			   (void *)((orig[k] & ~0xffffffffl) | A64_BRK)))
			return -1;
	}
	if (ptrace(PTRACE_CONT, pid, NULL, NULL) == 0 &&
	    waitpid(pid, &st, 0) == pid && WIFSTOPPED(st) &&
	    WSTOPSIG(st) == SIGTRAP && a64_get_pc(pid, &pc) == 0)
		hit = a64_excl_exit_at(seq, pc);
	for (k = (int)seq->nexits - 1; k >= 0; k--)
		ptrace(PTRACE_POKETEXT, pid, (void *)seq->exit[k],
		       (void *)orig[k]);
	if (hit < 0)
		return -1;
	/* A retry (the loop-back branch at exit 0 taken) is not shown. */
	if (hit == 0 && seq->loop) {
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) ||
		    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
		    a64_get_pc(pid, &pc2))
			return -1;
		if (a64_excl_retry(seq, 0, pc2)) {
			a64_stats.retries++;
			goto again;
		}
	}
	a64_stats.over++;
	if (!record)
		return 0;
	n = a64_excl_path(seq, (uint32_t)hit, ip, next);
	for (i = 0; i < n && *nraw < MAX_GT; i++)
		a64_raw[(*nraw)++] = ip[i];
	if (hit == 0 && seq->loop && *nraw < MAX_GT)
		a64_raw[(*nraw)++] = pc;	/* the branch: not taken */
	return 0;
}

/*
 * ptrace's stops raw[0 .. nraw - 1] of one thread into its ground truth
 * gt[]: the quirks (see the top) dropped, cut at c->stop.  Returns its
 * length.
 */
static inline size_t a64_filter(const struct a64_case *c,
				const uint64_t *raw, size_t nraw, uint64_t *gt)
{
	size_t i, n = 0;

	for (i = 0; i < nraw; i++) {
		uint64_t ip = raw[i];

		if (c->stop && ip == (uintptr_t)c->stop)
			break;
		if (n && gt[n - 1] == ip && a64_is_svc_at(ip - 4)) {
			a64_stats.dup++;
			continue;
		}
		if (c->handler && i > 0 && raw[i - 1] + 4 == ip &&
		    a64_is_svc_at(raw[i - 1])) {
			size_t j = i + 1;

			while (j < nraw && raw[j] == ip)
				j++;
			if (j < nraw && raw[j] == (uintptr_t)c->handler) {
				a64_stats.fake++;
				continue;
			}
		}
		gt[n++] = ip;
	}
	return n;
}

/* The ground truth of c into a64_gt[0 .. a64_ngt - 1]; 0 if it failed. */
static inline int a64_ptrace(const struct a64_case *c)
{
	size_t nraw = 0;
	int st, started = 0, sig;
	double t0 = a64_now();
	cpu_set_t all;
	uint64_t pc;
	pid_t pid;

	memset(&a64_stats, 0, sizeof(a64_stats));
	a64_ngt = 0;
	a64_pin(&all);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (c->setup)
			c->setup();
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		c->fn();
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return 0;
	for (;;) {
		struct a64_excl_seq seq;

		if (a64_get_pc(pid, &pc))
			break;
		if (pc == (uintptr_t)c->fn)
			started = 1;
		if (a64_excl_class(*(const uint32_t *)(uintptr_t)pc) ==
		    A64_EXCL_LOAD &&
		    a64_excl_scan((const uint32_t *)(uintptr_t)pc,
				  A64_EXCL_MAX_INSNS, pc, &seq) == 0) {
			if (a64_step_over(pid, &seq, &nraw, started)) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				return 0;
			}
			continue;
		}
		if (started && nraw < MAX_GT)
			a64_raw[nraw++] = pc;
		if (ptrace(PTRACE_SINGLESTEP, pid, NULL, NULL) ||
		    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		/* A signal stop is no step: deliver it with the next one. */
		while (WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);
			if (ptrace(PTRACE_SINGLESTEP, pid, NULL,
				   (void *)(long)sig) ||
			    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
				goto out;
		}
	}
out:
	a64_stats.secs = a64_now() - t0;
	a64_unpin(&all);
	if ((c->fatal ? !WIFSIGNALED(st) || WTERMSIG(st) != c->fatal :
	     !WIFEXITED(st) || WEXITSTATUS(st) != 0) || nraw < 100 ||
	    nraw >= MAX_GT)
		return 0;
	a64_stats.stops = nraw;
	a64_ngt = a64_filter(c, a64_raw, nraw, a64_gt);
	printf("INFO: soft/a64x/%s: ptrace %zu stops in %.1f s, %zu after "
	       "dropping %zu duplicates after SVC and %zu fake stops before "
	       "handlers; %zu exclusive sequences stepped over (%zu retries "
	       "not shown)\n", c->name, nraw, a64_stats.secs, a64_ngt,
	       a64_stats.dup, a64_stats.fake, a64_stats.over,
	       a64_stats.retries);
	return 1;
}

static inline void a64_dump(const char *tag, const char *what,
			    const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 64 == 0)
			printf("%s%s %s", i ? "\n" : "", tag, what);
		printf(" %02x", b[i]);
	}
	if (n)
		printf("\n");
}

/*
 * Trace process pid with the soft backend (thread mode, bufsize-byte
 * buffers, HWT_ALLOC_* flags) and wait until its first sync point is
 * written (at most wait_ms).  Returns the context fd; -1 (pid killed and
 * reaped) if it could not be traced.
 */
static inline int a64_trace_cfg(int dev, pid_t pid, uint64_t bufsize,
				uint32_t flags, int wait_ms,
				const struct hwt_soft_config *cfg)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .pid = pid,
			       .bufsize = bufsize, .flags = flags };
	struct hwt_config hc = { .version = HWT_SOFT_CONFIG_VERSION,
				 .size = sizeof(*cfg),
				 .data = (uintptr_t)cfg };
	struct hwt_bufptr bp = { .idx = 0 };
	int fd, st, i;

	snprintf(a.backend, sizeof(a.backend), "%s", a64_backend);
	if (cfg && a64_config_hook)
		a64_config_hook(cfg, &hc);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	if (fd >= 0 && cfg && ioctl(fd, HWT_IOC_SET_CONFIG, &hc)) {
		printf("INFO: soft/a64x: SET_CONFIG: %s\n", strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0 || ioctl(fd, HWT_IOC_START)) {
		if (fd >= 0)
			close(fd);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	for (i = 0; i < wait_ms; i++) {
		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
	return fd;
}

static inline int a64_trace(int dev, pid_t pid, uint64_t bufsize,
			    uint32_t flags, int wait_ms)
{
	return a64_trace_cfg(dev, pid, bufsize, flags, wait_ms, NULL);
}

/*
 * Dump the stream of the main thread (second = 0: tid pid) or of the
 * other one (c->fn2) with its ground truth, as "SOFTA64:<case>[2]".
 */
static inline int a64_dump_thread(int fd, const struct a64_case *c,
				  const char *binary, pid_t pid, int second,
				  uint32_t ring)
{
	struct hwt_bufptr bp;
	const uint64_t *gt = second ? a64_gt2 : a64_gt;
	size_t ngt = second ? a64_ngt2 : a64_ngt, k;
	uint64_t from;
	char tag[64];
	void *m;
	int i;

	for (i = 0; i < 8; i++) {
		memset(&bp, 0, sizeof(bp));
		bp.idx = i;
		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp))
			return 0;
		if (second ? bp.tid != pid : bp.tid == pid)
			break;
	}
	if (i == 8 || bp.lost || !bp.head ||
	    (ring ? !bp.wraps : bp.head >= bp.size))
		return 0;
	m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)bp.mmap_offset);
	if (m == MAP_FAILED)
		return 0;
	snprintf(tag, sizeof(tag), "SOFTA64:%s%s", c->name, second ? "2" : "");
	printf("%s binary %s\n", tag, binary);
	if (a64_dump_format)
		printf("%s format %s\n", tag, a64_dump_format);
	printf("%s marker %llx tid %d\n", tag,
	       (unsigned long long)(uintptr_t)(second ? c->fn2 :
					       (const void *)c->fn),
	       (int)bp.tid);
	if (c->stop && !second)
		printf("%s stop %llx\n", tag,
		       (unsigned long long)(uintptr_t)c->stop);
	for (k = 0; c->cfg && k < c->cfg->nranges; k++)
		printf("%s range %llx %llx\n", tag,
		       (unsigned long long)c->cfg->ranges[k].start,
		       (unsigned long long)c->cfg->ranges[k].end);
	if (ring) {
		/* Oldest first: from the head round to it. */
		printf("%s tail\n", tag);
		from = bp.head % bp.size;
		a64_dump(tag, "ete", (const uint8_t *)m + from, bp.size - from);
		a64_dump(tag, "ete", m, from);
	} else {
		a64_dump(tag, "ete", m, bp.head);
	}
	for (k = 0; k < ngt; k++) {
		if (k % 16 == 0)
			printf("%s%s gt", k ? "\n" : "", tag);
		printf(" %llx", (unsigned long long)gt[k]);
	}
	printf("\n%s end\n", tag);
	munmap(m, bp.size);
	return 1;
}

/*
 * Trace c with the soft backend and dump its main thread's stream with
 * the ground truth of the last a64_ptrace() (binary: this program's name
 * in the guest).  ring: 0, streaming into 16 MiB; else a flight recorder
 * of that many bytes, which must wrap: the dump is its content oldest
 * first, and says "tail" (only the end of the run is in it).  Returns 1
 * if it ran, ended as c says within limit_s and lost nothing.
 */
static inline int a64_record(int dev, const struct a64_case *c,
			     const char *binary, int limit_s, uint32_t ring)
{
	int p[2], st = 0, fd, i, ok = 1;
	double t0, dt;
	pid_t pid;

	if (pipe(p))
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char ch;

		if (c->setup)
			c->setup();
		if (read(p[0], &ch, 1) != 1)
			_exit(2);
		c->fn();
	}
	fd = a64_trace_cfg(dev, pid, ring ? ring : a64_bufsize ? a64_bufsize :
			   16 << 20,
			   ring ? HWT_ALLOC_RING : 0, 5000, c->cfg);
	if (fd < 0)
		return 0;
	t0 = a64_now();
	if (write(p[1], "g", 1) != 1)
		ok = 0;
	/* Livelock guard: a stepped exclusive loop never ends. */
	for (i = 0; i < limit_s * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(50000);
	}
	dt = a64_now() - t0;
	if (i == limit_s * 20) {
		printf("INFO: soft/a64x/%s: traced workload still running "
		       "after %d s (livelock?)\n", c->name, limit_s);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		ok = 0;
	}
	if (c->fatal ? !WIFSIGNALED(st) || WTERMSIG(st) != c->fatal :
	    !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("INFO: soft/a64x/%s: traced workload status %#x\n",
		       c->name, st);
		ok = 0;
	}
	printf("INFO: soft/a64x/%s: traced run %.3f s (%zu ground-truth "
	       "instructions: %.0f steps/s; ptrace: %.0f steps/s)\n", c->name,
	       dt, a64_ngt, a64_ngt / dt,
	       a64_stats.secs > 0 ? a64_stats.stops / a64_stats.secs : 0);
	usleep(200000);
	/* The main thread's buffer (other threads have theirs). */
	if (ok && !a64_dump_thread(fd, c, binary, pid, 0, ring))
		ok = 0;
	if (ok && c->fn2 && !a64_dump_thread(fd, c, binary, pid, 1, ring))
		ok = 0;
	close(fd);
	close(p[0]);
	close(p[1]);
	return ok;
}

#endif /* SOFT_A64_GT_H */
