/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__aarch64__)
#include <stdio.h>

int main(void)
{
	printf("SKIP: %s (the CoreSight backend is arm64 only)\n", __FILE__);
	return 0;
}
#else
/*
 * The CoreSight backend (hwt_coresight, ETE + TRBE, thread mode) over the
 * emulated unit hwt_cs_emu (issue 17, step 2), which runs cs_model per
 * CPU and writes the soft stepper's ETE through the TRBE into the pages
 * hwt_coresight programmed:
 *  - a single-threaded workload (calls, a jump table, system calls) and
 *    soft_a64_mt.c's two-thread program, recorded through the backend;
 *    the host (backends/coresight/tests/vm-post.sh) decodes each
 *    thread's stream with OpenCSD and compares it with the thread's
 *    ptrace single-step ground truth, as for the soft backend;
 *  - soft_a64_ring.c's workload, which ends in a SIGSEGV, in ring mode
 *    (an 8 KiB flight recorder: the TRBE in Circular Buffer mode, which
 *    must wrap): the host compares the end of the ground truth with the
 *    decode of what the ring kept, which must end at the fault;
 *  - soft_a64_filt.c's workload with its address filters as include
 *    ranges (TRCVIIECTLR.INCLUDE, TRCACVR pairs): the host compares the
 *    decode with the ground truth inside the ranges;
 *  - SET_CONFIG errors (EINVAL, EOPNOTSUPP, E2BIG) leave the config
 *    as it was: DESCRIBE's TRCCONFIGR and comparators, checked against
 *    the ETMv4 bit definitions (7.3.11: bit 0 RES1, bit 6 CID);
 *  - a unit an external debugger claimed: START is EBUSY and not one
 *    register is written;
 *  - the model refused no access, no trace was dropped or written
 *    outside the buffer, and the config asked for nothing the emulation
 *    cannot produce;
 *  - the single-threaded and two-thread workloads again on the table's
 *    other ETE + TRBE row (all: TRBPTR aligned to 2 KiB), zero refusals,
 *    and CPU mode there (up to 2047 Ignore bytes before each run);
 *  - then loss: a 4 KiB streaming buffer nobody reads fills, the TRBE
 *    stops (Fill mode): gap records, and bytes overwritten unread are
 *    counted in BUFFER records; the TRBE interrupt restarts it (the
 *    "all" row, loaded with irq=0, through the poll instead);
 *  - the TRBE interrupt (issue 17): the flight recorder above is Wrap
 *    mode, each wrap handled by it; and with poll_ms 0 it alone keeps a
 *    4 KiB Fill-mode buffer collecting (cs_fill_irq: every delivered
 *    interrupt handled, none held with TRBSR.IRQ set, a gap per stop,
 *    the last fill decoded on the host against the end of ptrace's
 *    ground truth); and the emulated line's own rules (cs_irq_rules: a
 *    handler that leaves TRBSR.IRQ set is refused at each EOI);
 *  - ETMv4 + TMC (issue 17, step 3): the soft-etm4 row, a memory-mapped
 *    ETMv4 whose sink is an ETR, with scatter-gather (tmc=etr: the
 *    backend's table over the buffer's pages) and without (tmc=etr-flat:
 *    a physically contiguous buffer), writing ETMv4 in TMC frames: the
 *    single-threaded and two-thread workloads (the host deformats and
 *    decodes each thread's stream and compares it with ptrace), zero
 *    refusals, and loss: the ETR wraps (STS.Full) in a 4 KiB buffer:
 *    gap records; the same through an ETF (tmc=etf: 16 KiB of RAM in
 *    Circular Buffer mode, drained through RRD at every stop and poll),
 *    whose drains overrun the 4 KiB buffer in the loss test (bytes
 *    overwritten unread; a gap record only if the ETF itself wrapped
 *    or one drain was more than the buffer, which timing decides);
 *  - the real ETMv4.0 rows (Cortex-A53, A57) with an ETR: every
 *    sequence of a recording on their memory-mapped model, zero
 *    refusals (their trace, the soft encoder's, is not decoded).
 *  - CPU mode through the ETMv4 + TMC rows too (ETR with
 *    scatter-gather, ETF): the TMC flushed and stopped and the unit
 *    re-enabled at each switch, each task's runs whole 16-byte frames,
 *    dumped as "format etm4-tmc";
 *  - one ETR shared behind funnels by both CPUs (topo=shared): CPU mode
 *    on CPUs 0 and 1 in one buffer, each CPU's ETMv4 with its own trace
 *    ID and funnel port, each task's runs decoded per ID on the host
 *    (cs_shared_cpu below);
 *  - CPU mode in ring mode (ETE + TRBE, and the ETMv4 + ETR row): the
 *    ring workload's crash in an 8 KiB flight recorder on CPU 0, which
 *    must wrap; what it kept of the workload's runs decodes to the end
 *    of the ground truth, ending at the faulting instruction;
 *  - CPU mode (ETE + TRBE): a buffer for CPU 0, where soft_a64_mt.c's
 *    two-thread program and a second process (the single-threaded
 *    workload) run, pinned; the backend enables the unit
 *    by IPI at START and, at each context switch there, drains the TRBE
 *    and enables it again, so each task's runs, cut at the framework's
 *    SWITCH_IN records, begin with a trace synchronization; each task's
 *    runs, joined, are decoded on the host and compared with its ptrace
 *    ground truth (every Context packet must name that task), and the
 *    emulator saw no run begin without an enable of the unit since the
 *    switch (its "unsynced" counter).
 * The module refusing to load without trace hardware is init.sh's check
 * at boot (vm-needs).
 */
#define main soft_a64_mt_main
int soft_a64_mt_main(void);
#include "soft_a64_mt.c"
#undef main
#define main soft_a64_ring_main
int soft_a64_ring_main(void);
#include "soft_a64_ring.c"
#undef main
#define main soft_a64_filt_main
int soft_a64_filt_main(void);
#include "soft_a64_filt.c"
#undef main

#include "hwt/hwt_coresight.h"

#define EMU_KO		"/lib/hwt/hwt_cs_emu.ko"
#define CS_KO		"/lib/hwt/hwt_coresight.ko"
#define EMU_PARAMS	"/sys/module/hwt_cs_emu/parameters/"

static long long emu_param(const char *name)
{
	char path[128], buf[32];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), EMU_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoll(buf);
	fclose(f);
	return v;
}

static int emu_set(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), EMU_PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

__attribute__((noinline)) static long cs_op(long x, int k)
{
	switch (k & 3) {
	case 0:
		return x * 3 + 1;
	case 1:
		return x / 2;
	case 2:
		return x ^ 0x55;
	default:
		return x + k;
	}
}

/* Calls, returns, a jump table, conditional branches, system calls. */
void cs_demo(void);
__attribute__((noinline)) void cs_demo(void)
{
	long acc = 1;
	int i;

	for (i = 0; i < 200; i++) {
		acc = cs_op(acc, i) + mt_fib(i % 6);
		if (i % 50 == 0)
			acc += mt_getppid() > 0;
	}
	out1 = acc;
	a64_raw_exit();
}

static const struct a64_case demo_case = { .name = "cs_demo", .fn = cs_demo };
static const struct a64_case cs_mt_case = {
	.name = "cs_mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};
static const struct a64_case cs_filt1 = {
	.name = "cs_filt1", .fn = filt_workload, .cfg = &cfg1,
};
static const struct a64_case cs_filt2 = {
	.name = "cs_filt2", .fn = filt_workload, .cfg = &cfg2,
};

/* A soft case's ranges (inclusive) as include ranges (inclusive too). */
static void cs_config_of(const struct hwt_soft_config *soft,
			 struct hwt_config *hc)
{
	static struct hwt_coresight_config c;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	c.flags = HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID;
	c.nranges = soft->nranges;
	for (i = 0; i < soft->nranges; i++) {
		c.ranges[i].start = soft->ranges[i].start;
		c.ranges[i].end = soft->ranges[i].end;
		c.ranges[i].type = HWT_CORESIGHT_RANGE_INCLUDE;
	}
	hc->version = HWT_CORESIGHT_CONFIG_VERSION;
	hc->size = sizeof(c);
	hc->data = (uintptr_t)&c;
}

static const struct a64_case all_demo_case = {
	.name = "cs_all_demo", .fn = cs_demo,
};
static const struct a64_case all_mt_case = {
	.name = "cs_all_mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};
static const struct a64_case e4sg_demo_case = {
	.name = "cs_e4sg_demo", .fn = cs_demo,
};
static const struct a64_case e4sg_mt_case = {
	.name = "cs_e4sg_mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};
static const struct a64_case e4sh_demo_case = {
	.name = "cs_e4sh_demo", .fn = cs_demo,
};
static const struct a64_case e4sh_mt_case = {
	.name = "cs_e4sh_mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};
static const struct a64_case e4fl_demo_case = {
	.name = "cs_e4fl_demo", .fn = cs_demo,
};
static const struct a64_case e4fl_mt_case = {
	.name = "cs_e4fl_mt", .fn = mt_main, .stop = mt_join, .fn2 = mt_thread2,
};
static const struct a64_case e4etf_demo_case = {
	.name = "cs_e4etf_demo", .fn = cs_demo,
};
static const struct a64_case e4etf_mt_case = {
	.name = "cs_e4etf_mt", .fn = mt_main, .stop = mt_join,
	.fn2 = mt_thread2,
};
static const struct a64_case a53_demo_case = {
	.name = "cs_a53_demo", .fn = cs_demo,
};
static const struct a64_case a57_demo_case = {
	.name = "cs_a57_demo", .fn = cs_demo,
};
static const struct a64_case cs_ring_case = {
	.name = "cs_ring", .fn = ring_workload, .fatal = SIGSEGV,
};
static const struct a64_case cs_ring4k_case = {
	.name = "cs_ring4k", .fn = ring_workload, .fatal = SIGSEGV,
};
static const struct a64_case cs_fill_case = {
	.name = "cs_fill", .fn = ring_workload, .fatal = SIGSEGV,
};

/* The second process's ground truth (cs_demo's, saved before mt's). */
static uint64_t cpu_gt3[MAX_GT];
static size_t cpu_ngt3;

/* Bytes of one task's runs, joined. */
struct cpu_bytes {
	uint8_t *b;
	size_t n, cap, runs;
};

static void cpu_bytes_add(struct cpu_bytes *v, const uint8_t *p, size_t n)
{
	if (v->n + n > v->cap) {
		v->cap = (v->n + n) * 2;
		v->b = realloc(v->b, v->cap);
		if (!v->b)
			abort();
	}
	memcpy(v->b + v->n, p, n);
	v->n += n;
	v->runs++;
}

/* One task's runs as a "SOFTA64:<tag>" dump (a64_dump_thread's form). */
static void cpu_dump(const char *name, const struct cpu_bytes *v,
		     const void *marker, const void *stop, pid_t tid,
		     const uint64_t *gt, size_t ngt)
{
	char tag[64];
	size_t k;

	snprintf(tag, sizeof(tag), "SOFTA64:%s", name);
	printf("%s binary cs_emu\n", tag);
	if (a64_dump_format)
		printf("%s format %s\n", tag, a64_dump_format);
	printf("%s marker %llx tid %d\n", tag,
	       (unsigned long long)(uintptr_t)marker, (int)tid);
	if (stop)
		printf("%s stop %llx\n", tag,
		       (unsigned long long)(uintptr_t)stop);
	a64_dump(tag, "ete", v->b, v->n);
	for (k = 0; k < ngt; k++) {
		if (k % 16 == 0)
			printf("%s%s gt", k ? "\n" : "", tag);
		printf(" %llx", (unsigned long long)gt[k]);
	}
	printf("\n%s end\n", tag);
}

/*
 * CPU mode on CPU 0 (see the top of the file): the two-thread program
 * (pid) and a second process (pid2), each task's runs cut at
 * the SWITCH_IN records of CPU 0's buffer.  This program itself runs on
 * CPU 1 meanwhile (it would be traced on CPU 0 too).
 */
static void cs_cpu_mode(int dev, const char *tag)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 16 << 20,
			       .recq_size = HWT_RECQ_MAX };
	struct cpu_bytes v[3];
	struct hwt_bufptr bp;
	struct recs r = { 0 };
	long long unsynced0 = emu_param("unsynced");
	long long tasks0 = emu_param("cpu_tasks");
	int p[2], st = 0, fd = -1, i, open_k = -1, nswitch = 0;
	uint64_t open_at = 0;
	cpu_set_t all, one;
	pid_t pid, pid2 = 0, tid2 = 0;
	const uint8_t *m;

	memset(v, 0, sizeof(v));
	if (pipe(p)) {
		t_fail("pipe");
		return;
	}
	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid_t c = fork();
		char ch;

		if (c == 0) {
			sched_setaffinity(0, sizeof(one), &one);
			if (read(p[0], &ch, 1) != 1)
				_exit(2);
			if (i)
				cs_demo();
			mt_main();
		}
		*(i ? &pid2 : &pid) = c;
	}
	CHECK(pid > 0 && pid2 > 0);
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	sched_setaffinity(0, sizeof(one), &one);
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 HWT_CORESIGHT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0, "ALLOC (CPU mode): %s", strerror(errno));
	if (fd >= 0 && ioctl(fd, HWT_IOC_START))
		t_fail("line %d: START (CPU mode): %s", __LINE__,
		       strerror(errno));
	CHECK(write(p[1], "gg", 2) == 2);
	for (i = 0; i < 60 * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(50000);
	}
	if (i == 60 * 20) {
		t_fail("workload still running after 60 s");
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	CHECK(waitpid(pid2, &st, 0) == pid2 && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "second process status %#x", st);
	sched_setaffinity(0, sizeof(all), &all);
	if (fd < 0)
		goto out;
	CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(recs_drain(fd, &r) == 0 && r.dropped == 0);
	memset(&bp, 0, sizeof(bp));
	CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.cpu == 0);
	CHECK(bp.lost == 0 && bp.head > 0 && bp.head < bp.size,
	      "head %llu, lost %llu", (unsigned long long)bp.head,
	      (unsigned long long)bp.lost);
	if (t_failed)
		goto out;
	m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)bp.mmap_offset);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		goto out;
	/*
	 * A run: from a task's SWITCH_IN head to the next SWITCH_IN's (its
	 * last packets, written as it left, come before the drain).
	 */
	recs_for_each(&r, h) {
		if (h->type != HWT_REC_SWITCH_IN || h->buf_idx != bp.idx)
			continue;
		nswitch++;
		CHECK(h->buf_head >= open_at && h->buf_head <= bp.head);
		if (t_failed)
			break;
		if (open_k >= 0)
			cpu_bytes_add(&v[open_k], m + open_at,
				      h->buf_head - open_at);
		open_at = h->buf_head;
		open_k = h->pid == pid2 ? 2 : h->pid != pid ? -1 :
			 h->tid == pid ? 0 : 1;
		if (open_k == 1)
			tid2 = h->tid;
	}
	if (open_k >= 0 && !t_failed)
		cpu_bytes_add(&v[open_k], m + open_at, bp.head - open_at);
	printf("INFO: %s: %d switch-ins, runs %zu + %zu + %zu, %zu + %zu + %zu bytes (main, thread, process), CPU 0 head %llu; the unit stepped %lld tasks, %lld runs unsynced\n",
	       tag, nswitch, v[0].runs, v[1].runs, v[2].runs, v[0].n, v[1].n,
	       v[2].n, (unsigned long long)bp.head,
	       emu_param("cpu_tasks") - tasks0,
	       emu_param("unsynced") - unsynced0);
	CHECK(v[0].n && v[1].n && v[2].n && tid2 > 0);
	CHECK(emu_param("unsynced") == unsynced0);
	if (!t_failed) {
		char name[64];

		cpu_dump(tag, &v[0], mt_main, mt_join, pid, a64_gt, a64_ngt);
		snprintf(name, sizeof(name), "%s2", tag);
		cpu_dump(name, &v[1], mt_thread2, NULL, tid2, a64_gt2,
			 a64_ngt2);
		snprintf(name, sizeof(name), "%s_proc", tag);
		cpu_dump(name, &v[2], cs_demo, NULL, pid2, cpu_gt3, cpu_ngt3);
	}
	munmap((void *)m, bp.size);
out:
	for (i = 0; i < 3; i++)
		free(v[i].b);
	recs_free(&r);
	if (fd >= 0)
		close(fd);
	close(p[0]);
	close(p[1]);
}

/*
 * CPU mode in ring mode (a flight recorder per CPU): soft_a64_ring's
 * workload, which ends in a SIGSEGV, pinned to CPU 0 and traced there
 * into ring bytes of ring (the TRBE in Circular Buffer mode, a TMC
 * wrapping in Circular Buffer mode) that must wrap; this program on CPU
 * 1.  What the ring kept of the workload's runs (cut at CPU 0's
 * SWITCH_IN records, the oldest one cut at the ring's start) is dumped
 * oldest first with "tail": the host decodes it from its first sync
 * point and holds it to the end of the ptrace ground truth, which must
 * be the faulting instruction.
 */
static void cs_cpu_ring(int dev, const char *tag, uint64_t ring)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = ring,
			       .flags = HWT_ALLOC_RING,
			       .recq_size = HWT_RECQ_MAX };
	struct cpu_bytes v;
	struct hwt_bufptr bp;
	struct recs r = { 0 };
	uint64_t lo, open_at = 0, s, e, k;
	int p[2], st = 0, fd = -1, open = 0, nruns = 0;
	cpu_set_t all, one;
	const uint8_t *m;
	pid_t pid;
	char tg[64];

	memset(&v, 0, sizeof(v));
	if (pipe(p)) {
		t_fail("pipe");
		return;
	}
	sched_getaffinity(0, sizeof(all), &all);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char ch;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		sched_setaffinity(0, sizeof(one), &one);
		if (read(p[0], &ch, 1) != 1)
			_exit(2);
		ring_workload();
	}
	CPU_ZERO(&one);
	CPU_SET(1, &one);
	sched_setaffinity(0, sizeof(one), &one);
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 HWT_CORESIGHT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0, "ALLOC (CPU mode, ring): %s", strerror(errno));
	if (fd >= 0 && ioctl(fd, HWT_IOC_START))
		t_fail("line %d: START (CPU mode, ring): %s", __LINE__,
		       strerror(errno));
	CHECK(write(p[1], "g", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGSEGV, "status %#x", st);
	sched_setaffinity(0, sizeof(all), &all);
	if (fd < 0)
		goto out;
	CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(recs_drain(fd, &r) == 0 && r.dropped == 0);
	memset(&bp, 0, sizeof(bp));
	CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.cpu == 0);
	/* A flight recorder that wrapped: only the last ring bytes. */
	CHECK(bp.size == ring && bp.head > bp.size && bp.wraps > 0,
	      "head %llu, size %llu, wraps %llu",
	      (unsigned long long)bp.head, (unsigned long long)bp.size,
	      (unsigned long long)bp.wraps);
	if (t_failed)
		goto out;
	m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)bp.mmap_offset);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		goto out;
	lo = bp.head - bp.size;
	/* The workload's runs, the parts of them the ring still holds. */
	recs_for_each(&r, h) {
		if (h->type != HWT_REC_SWITCH_IN || h->buf_idx != bp.idx)
			continue;
		CHECK(h->buf_head >= open_at && h->buf_head <= bp.head);
		if (t_failed)
			break;
		if (open) {
			s = open_at > lo ? open_at : lo;
			for (k = s, e = h->buf_head; k < e; k++)
				cpu_bytes_add(&v, m + k % bp.size, 1);
			nruns += e > s;
		}
		open_at = h->buf_head;
		open = h->pid == pid;
	}
	if (open && !t_failed) {
		s = open_at > lo ? open_at : lo;
		for (k = s; k < bp.head; k++)
			cpu_bytes_add(&v, m + k % bp.size, 1);
		nruns += bp.head > s;
	}
	printf("INFO: %s: CPU 0 head %llu, ring %llu bytes (%llu wraps): %zu bytes of the workload in %d runs kept\n",
	       tag, (unsigned long long)bp.head, (unsigned long long)bp.size,
	       (unsigned long long)bp.wraps, v.n, nruns);
	CHECK(v.n > 0);
	if (!t_failed) {
		snprintf(tg, sizeof(tg), "SOFTA64:%s", tag);
		printf("%s binary cs_emu\n", tg);
		if (a64_dump_format)
			printf("%s format %s\n", tg, a64_dump_format);
		printf("%s marker %llx tid %d\n", tg,
		       (unsigned long long)(uintptr_t)ring_workload, (int)pid);
		printf("%s tail\n", tg);
		a64_dump(tg, "ete", v.b, v.n);
		for (k = 0; k < a64_ngt; k++) {
			if (k % 16 == 0)
				printf("%s%s gt", k ? "\n" : "", tg);
			printf(" %llx", (unsigned long long)a64_gt[k]);
		}
		printf("\n%s end\n", tg);
	}
	munmap((void *)m, bp.size);
out:
	free(v.b);
	recs_free(&r);
	if (fd >= 0)
		close(fd);
	close(p[0]);
	close(p[1]);
}

static int cs_set(int ctx, const struct hwt_coresight_config *c,
		  uint32_t version, uint32_t size)
{
	struct hwt_config hc = { .version = version, .size = size,
				 .data = (uintptr_t)c };

	return ioctl(ctx, HWT_IOC_SET_CONFIG, &hc);
}

/* DESCRIBE's value of key (0x...), or -1. */
static long long cs_desc(int ctx, const char *key)
{
	static char text[4096];
	struct hwt_describe d = { .buf = (uintptr_t)text,
				  .buflen = sizeof(text) };
	char want[64], *p;

	if (ioctl(ctx, HWT_IOC_DESCRIBE, &d))
		return -1;
	snprintf(want, sizeof(want), "\n%s=", key);
	p = strstr(text, want);
	return p ? strtoll(p + strlen(want), NULL, 0) : -1;
}

/*
 * Every refused config leaves the one before it: an include range
 * (TRCVIIECTLR.INCLUDE bit 0, TRCACVR0/1 = its ends, ETMv4 7.3.73), then
 * the errors.  The soft-ete unit has 4 comparator pairs, no branch
 * broadcast (TRCIDR0.TRCBB 0) and traces EL0 only.
 */
static void cs_config_errors(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .pid = getpid(),
			       .bufsize = 1 << 16 };
	struct hwt_coresight_config c, ok;
	int ctx, i;

	snprintf(a.backend, sizeof(a.backend), HWT_CORESIGHT_BACKEND_NAME);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0);
	if (ctx < 0)
		return;
	/* The default: TRCCONFIGR RES1 (bit 0) + CID (bit 6), 7.3.11. */
	CHECK(cs_desc(ctx, "trcconfigr") == 0x41);
	CHECK(cs_desc(ctx, "trcviiectlr") == 0);
	memset(&ok, 0, sizeof(ok));
	ok.flags = HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID;
	ok.nranges = 1;
	ok.ranges[0].start = (uintptr_t)cs_demo;
	ok.ranges[0].end = (uintptr_t)cs_demo + 0x100;
	ok.ranges[0].type = HWT_CORESIGHT_RANGE_INCLUDE;
	CHECK(cs_set(ctx, &ok, HWT_CORESIGHT_CONFIG_VERSION, sizeof(ok)) == 0);
	c = ok;
	CHECK_ERR(cs_set(ctx, &c, 2, sizeof(c)), EINVAL);
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION,
			 sizeof(c) - 8), EINVAL);
	c.reserved[1] = 1;
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  EINVAL);
	c = ok;
	c.flags |= HWT_CORESIGHT_KERNEL;	/* thread mode: EL0 only */
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  EINVAL);
	c = ok;
	c.ranges[0].start = c.ranges[0].end + 4;
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  EINVAL);
	c = ok;
	c.flags |= HWT_CORESIGHT_BRANCH_BCAST;
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  EOPNOTSUPP);
	c = ok;
	for (i = 0; i < 5; i++)
		c.ranges[i] = ok.ranges[0];
	c.nranges = 5;			/* TRCIDR4.NUMACPAIRS is 4 */
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  E2BIG);
	c.nranges = 9;			/* the ABI's 8 */
	CHECK_ERR(cs_set(ctx, &c, HWT_CORESIGHT_CONFIG_VERSION, sizeof(c)),
		  E2BIG);
	CHECK(cs_desc(ctx, "trcconfigr") == 0x41);
	CHECK(cs_desc(ctx, "trcviiectlr") == 1);
	CHECK(cs_desc(ctx, "trcacvr0") == (long long)(uintptr_t)cs_demo);
	CHECK(cs_desc(ctx, "trcacvr1") ==
	      (long long)(uintptr_t)cs_demo + 0x100);
	close(ctx);
}

/*
 * What an ETMv4 + TMC session tells the decoder: kind etm4, formatted
 * (TMC frames), and the trace ID its frames carry.
 */
static void cs_etm4_describe(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .pid = getpid(),
			       .bufsize = 1 << 16 };
	static char text[4096];
	struct hwt_describe d = { .buf = (uintptr_t)text,
				  .buflen = sizeof(text) };
	int ctx;

	snprintf(a.backend, sizeof(a.backend), HWT_CORESIGHT_BACKEND_NAME);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0);
	if (ctx < 0)
		return;
	CHECK(ioctl(ctx, HWT_IOC_DESCRIBE, &d) == 0);
	CHECK(!strncmp(text, "kind=etm4\n", 10));
	CHECK(strstr(text, "\nformatted=1\n") != NULL);
	CHECK(cs_desc(ctx, "trctraceidr") == 0x10);
	/* ETMv4.2 (TRCIDR1 of the soft-etm4 row), RES1 + CID. */
	CHECK(cs_desc(ctx, "trcconfigr") == 0x41);
	close(ctx);
}

/*
 * An external debugger's claim tag on CPU 0 (CoreSight B2.4): START is
 * EBUSY and the model saw not one write; released, START works.
 */
static void cs_claimed(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 1 << 16 };
	long long w0;
	int p[2], ctx, st;
	pid_t pid;
	char ch;

	if (pipe(p)) {
		t_fail("pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &ch, 1) < 0);
	}
	close(p[0]);
	a.pid = pid;
	snprintf(a.backend, sizeof(a.backend), HWT_CORESIGHT_BACKEND_NAME);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0);
	CHECK(emu_set("busy_cpus", "1") == 0);
	w0 = emu_param("writes");
	CHECK_ERR(ioctl(ctx, HWT_IOC_START), EBUSY);
	CHECK(emu_param("writes") == w0);
	CHECK(emu_set("busy_cpus", "0") == 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	close(p[1]);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(ctx);
}

/*
 * Claimed while the thread sleeps (CoreSight B2.4: an external debugger
 * takes every CPU's unit after START): its switch-in leaves it untraced
 * from there to its exit, and exactly one BUFFER record with
 * HWT_BUFREC_GAP says so, at the head where its trace stopped (without
 * it the trace would just end there, as if the thread had).  After the
 * counters check: the steps of the untraced thread count as dropped.
 */
static void cs_claimed_gap(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 1 << 16 };
	struct hwt_bufptr bp = { .idx = 0 };
	struct recs r = { 0 };
	uint64_t head0 = 0, at = 0;
	int p[2], ctx, st = 0, gaps = 0, i;
	pid_t pid;
	char ch;

	if (pipe(p)) {
		t_fail("pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &ch, 1) < 0);
	}
	close(p[0]);
	a.pid = pid;
	snprintf(a.backend, sizeof(a.backend), HWT_CORESIGHT_BACKEND_NAME);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(ctx >= 0 && ioctl(ctx, HWT_IOC_START) == 0);
	for (i = 0; i < 500 && proc_state(pid) != 'S'; i++)
		usleep(10000);
	CHECK(i < 500);
	usleep(50000);
	CHECK(ctx >= 0 && ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	head0 = bp.head;
	CHECK(emu_set("busy_cpus", "255") == 0);
	close(p[1]);
	waitpid(pid, &st, 0);
	CHECK(emu_set("busy_cpus", "0") == 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	usleep(100000);
	CHECK(ctx >= 0 && recs_drain(ctx, &r) == 0 && recs_valid(&r));
	recs_for_each(&r, h) {
		const struct hwt_rec_buffer *b = (const void *)h;

		if (h->type == HWT_REC_BUFFER && h->buf_idx == 0 &&
		    (b->flags & HWT_BUFREC_GAP)) {
			gaps++;
			at = h->buf_head;
		}
	}
	printf("INFO: cs/emu/claimed-gap: %d gap records, at byte %llu (the pause: %llu)\n",
	       gaps, (unsigned long long)at, (unsigned long long)head0);
	CHECK(gaps == 1 && at == head0);
	recs_free(&r);
	if (ctx >= 0)
		close(ctx);
}

static long long cs_param(const char *name)
{
	char path[128], buf[32];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/hwt_coresight/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoll(buf);
	fclose(f);
	return v;
}

/* The unit offers no TRBE interrupt (irq=0): the poll restarts it. */
static int cs_polled;

/*
 * soft_a64_ring's workload (some 27 KB of ETE, ending in a SIGSEGV),
 * forked and traced in thread mode with a (its pid set here): ALLOC,
 * START, run to its fault; settle_us later, its records drained into r,
 * the BUFFER records flagged GAP counted into *gaps, the most bytes
 * overwritten unread into *lost.  *pid: the workload's.
 * Returns the context's fd, -1 if ALLOC failed (a failed check), -2 if
 * no pipe could be had (a failed check; nothing to close).
 */
static int ring_segv_run(int dev, struct hwt_alloc *a, unsigned int settle_us,
			 struct recs *r, int *gaps, unsigned long long *lost,
			 pid_t *pid)
{
	int p[2], ctx, st = 0;
	char ch;

	if (pipe(p)) {
		t_fail("pipe");
		return -2;
	}
	fflush(stdout);
	*pid = fork();
	if (*pid == 0) {
		if (read(p[0], &ch, 1) != 1)
			_exit(2);
		ring_workload();
	}
	a->pid = *pid;
	snprintf(a->backend, sizeof(a->backend), HWT_CORESIGHT_BACKEND_NAME);
	ctx = ioctl(dev, HWT_IOC_ALLOC, a);
	CHECK(ctx >= 0);
	CHECK(ctx >= 0 && ioctl(ctx, HWT_IOC_START) == 0);
	CHECK(write(p[1], "g", 1) == 1);
	waitpid(*pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	usleep(settle_us);
	CHECK(ctx >= 0 && recs_drain(ctx, r) == 0 && recs_valid(r));
	recs_for_each(r, h) {
		const struct hwt_rec_buffer *b = (const void *)h;

		if (h->type != HWT_REC_BUFFER)
			continue;
		if (b->flags & HWT_BUFREC_GAP)
			(*gaps)++;
		if (b->total_lost > *lost)
			*lost = b->total_lost;
	}
	close(p[0]);
	close(p[1]);
	return ctx;
}

/*
 * Loss is never silent: soft_a64_ring's workload (some 27 KB of ETE)
 * into a 4 KiB streaming buffer nobody reads.  The TRBE (Fill mode)
 * stops at the buffer's end with TRBSR.S (D10.3); the unit traces into
 * nothing until the poll restarts it at the base (the emulator counts
 * those bytes as dropped): a BUFFER record flagged GAP.  The restarted
 * TRBE then writes over bytes nobody read: BUFFER records counting them.
 */
static void cs_loss(int dev, int tmc, int need_gap)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 4096 };
	long long drop0 = emu_param("dropped"), stops0 = cs_param("stops");
	long long irqs0 = cs_param("irqs");
	unsigned long long lost = 0;
	struct recs r = { 0 };
	int ctx, gaps = 0;
	pid_t pid;

	ctx = ring_segv_run(dev, &a, 100000, &r, &gaps, &lost, &pid);
	if (ctx == -2)
		return;
	printf("INFO: cs/emu/loss%s: %d gap records, %llu bytes overwritten unread, %lld bytes traced while the TRBE was stopped, %lld stops drained\n",
	       tmc ? "/tmc" : "", gaps, lost, emu_param("dropped") - drop0,
	       cs_param("stops") - stops0);
	/* An ETF drained every poll_ms may never wrap its 16 KiB: the loss
	 * is then the bytes the drains wrote over unread ones. */
	if (need_gap)
		CHECK(gaps > 0);
	CHECK(lost > 0);
	/* A TRBE in Fill mode stops and drops (with its interrupt, only
	 * what the unit traced between the stop and the handler, which may
	 * be nothing); a TMC wraps (STS.Full) and raises none. */
	if (tmc)
		CHECK(emu_param("dropped") == drop0);
	else if (cs_polled)
		CHECK(emu_param("dropped") > drop0);
	if (tmc || cs_polled)
		CHECK(cs_param("irqs") == irqs0);
	else
		CHECK(cs_param("irqs") > irqs0);
	CHECK(cs_param("stops") > stops0);
	recs_free(&r);
	if (ctx >= 0)
		close(ctx);
}

static int cs_set_param(const char *name, const char *val)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/module/hwt_coresight/parameters/%s",
		 name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * The TRBE's interrupt alone (issue 17): poll_ms 0, so no timer runs;
 * soft_a64_ring's workload (some 27 KB of ETE, ending in a SIGSEGV)
 * streams into a 4 KiB buffer nobody reads, the TRBE in Fill mode.  At
 * each full buffer the unit stops (TRBSR.S, BSC FULL, IRQ: Arm ARM
 * D10.3) and only the handler restarts it, so:
 *  - the handler ran (hwt_coresight's irqs), every interrupt the unit
 *    delivered was the handler's (irqs + irqs_none = the emulator's
 *    irqs_raised), none fatal, none returned with TRBSR.IRQ still set
 *    (irqs_held, refused);
 *  - every stop is a gap record (at least one per interrupt), and the
 *    bytes written over unread are counted in BUFFER records;
 *  - the TRBE went on collecting: it stored several buffers' worth;
 *  - what the buffer kept, from the base to the head (the run after the
 *    last restart, which the unit resynchronises after the loss), is
 *    dumped as a flight recorder's tail ("SOFTA64:cs_fill"): the host
 *    decodes it and compares it with the end of the ptrace ground truth,
 *    ending at the faulting instruction.
 */
static void cs_fill_irq(int dev)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 4096 };
	long long irqs0 = cs_param("irqs"), none0 = cs_param("irqs_none");
	long long fatal0 = cs_param("irqs_fatal");
	long long raised0 = emu_param("irqs_raised");
	long long held0 = emu_param("irqs_held"), ref0 = emu_param("refused");
	long long stored0 = emu_param("stored"), irqs, raised, stored;
	unsigned long long lost = 0;
	struct hwt_bufptr bp = { .idx = 0 };
	struct recs r = { 0 };
	int ctx, gaps = 0;
	const char *tag = "SOFTA64:cs_fill";
	uint64_t from;
	size_t k;
	void *m;
	pid_t pid;

	CHECK(a64_ptrace(&cs_fill_case));
	CHECK(cs_set_param("poll_ms", "0") == 0);
	ctx = ring_segv_run(dev, &a, 200000, &r, &gaps, &lost, &pid);
	if (ctx == -2)
		return;
	irqs = cs_param("irqs") - irqs0;
	raised = emu_param("irqs_raised") - raised0;
	stored = emu_param("stored") - stored0;
	printf("INFO: cs/emu/fill-irq: poll_ms 0: %lld interrupts handled, %lld with nothing pending, %lld fatal, %lld raised by the unit, %lld held; %d gap records, %llu bytes overwritten unread, %lld bytes stored\n",
	       irqs, cs_param("irqs_none") - none0,
	       cs_param("irqs_fatal") - fatal0, raised,
	       emu_param("irqs_held") - held0, gaps, lost, stored);
	CHECK(irqs > 0);
	CHECK(raised == irqs + cs_param("irqs_none") - none0);
	CHECK(cs_param("irqs_fatal") == fatal0);
	CHECK(emu_param("irqs_held") == held0);
	CHECK(emu_param("refused") == ref0);
	CHECK(gaps >= irqs);
	CHECK(lost > 0);
	CHECK(stored > 4 * 4096);
	/* The buffer from the base to the head: the run after the last
	 * restart, oldest first (a64_dump_thread's ring form). */
	CHECK(ctx >= 0 && ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	from = bp.size ? bp.head % bp.size : 0;
	CHECK(bp.size == 4096 && from > 0);
	m = ctx >= 0 && from ? mmap(NULL, bp.size, PROT_READ, MAP_SHARED, ctx,
				    (off_t)bp.mmap_offset) : MAP_FAILED;
	CHECK(m != MAP_FAILED);
	if (m != MAP_FAILED) {
		printf("%s binary cs_emu\n", tag);
		printf("%s marker %llx tid %d\n", tag,
		       (unsigned long long)(uintptr_t)ring_workload, (int)pid);
		printf("%s tail\n", tag);
		a64_dump(tag, "ete", m, from);
		for (k = 0; k < a64_ngt; k++) {
			if (k % 16 == 0)
				printf("%s%s gt", k ? "\n" : "", tag);
			printf(" %llx", (unsigned long long)a64_gt[k]);
		}
		printf("\n%s end\n", tag);
		munmap(m, bp.size);
	}
	CHECK(cs_set_param("poll_ms", "10") == 0);
	recs_free(&r);
	if (ctx >= 0)
		close(ctx);
}

/*
 * The emulated interrupt's own rules, so that a handler bug fails the
 * tests (hwt_cs_emu's irq_selftest, no driver loaded): a handler that
 * returns without clearing TRBSR.IRQ gets the asserted line again at
 * each EOI, 1 + 4 deliveries, each refused (rule D10.3) and counted in
 * irqs_held; nothing is delivered while the line is masked (the write
 * fails with EIO otherwise).  With hwt_coresight holding the interrupt
 * the selftest cannot take it (EBUSY).
 */
static void cs_irq_rules(void)
{
	t_begin("cs/emu/irq-rules");
	CHECK(module_load(EMU_KO, "cpu=soft-ete") == 0);
	CHECK(emu_set("irq_selftest", "1") == 0);
	printf("INFO: cs/emu/irq-rules: a handler that never clears TRBSR.IRQ: %lld deliveries, %lld held, %lld refused\n",
	       emu_param("irqs_raised"), emu_param("irqs_held"),
	       emu_param("refused"));
	CHECK(emu_param("irqs_raised") == 5);
	CHECK(emu_param("irqs_held") == 5);
	CHECK(emu_param("refused") == 5);
	CHECK(module_load(CS_KO, "") == 0);
	CHECK(emu_set("irq_selftest", "1") != 0);
	CHECK(emu_param("irqs_raised") == 5);
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
}

/*
 * The table's other ETE + TRBE row, "all": 8 comparator pairs, every
 * feature, and TRBPTR aligned to 2 KiB (TRBIDR.Align 11), so each
 * switch-in pads up to 2047 Ignore bytes.  The single-threaded and the
 * two-thread workloads again, zero refusals and drops.
 */
static void cs_all_row(void)
{
	int dev;

	t_begin("cs/emu/all/insmod");
	/* Without the TRBE interrupt: the poll's path (QEMU virt's). */
	CHECK(module_load(EMU_KO, "cpu=all irq=0") == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_failed)
		return;
	dev = hwt_dev();
	t_begin("cs/emu/all/demo");
	CHECK(a64_ptrace(&all_demo_case));
	memcpy(cpu_gt3, a64_gt, a64_ngt * sizeof(a64_gt[0]));
	cpu_ngt3 = a64_ngt;
	CHECK(a64_record(dev, &all_demo_case, "cs_emu", 60, 0));
	t_end();
	t_begin("cs/emu/all/mt");
	CHECK(mt_ptrace(&all_mt_case));
	CHECK(a64_record(dev, &all_mt_case, "cs_emu", 60, 0));
	t_end();
	/* CPU mode with up to 2047 Ignore bytes before each run. */
	t_begin("cs/emu/all/cpu");
	cs_cpu_mode(dev, "cs_all_cpu");
	t_end();
	t_begin("cs/emu/all/counters");
	printf("INFO: cs/emu/all: model: %lld writes, %lld refused, %lld bytes stored; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       emu_param("writes"), emu_param("refused"), emu_param("stored"),
	       emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("stored") > 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("bad_ptr") == 0);
	CHECK(emu_param("unsupported") == 0);
	CHECK(cs_param("irqs") == 0 && emu_param("irqs_raised") == 0);
	t_end();
	/* Loss, the poll restarting the stopped TRBE. */
	t_begin("cs/emu/all/loss-polled");
	cs_polled = 1;
	cs_loss(dev, 0, 1);
	cs_polled = 0;
	CHECK(emu_param("refused") == 0);
	t_end();
	close(dev);
	t_begin("cs/emu/all/rmmod");
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
}

/*
 * ETMv4 + TMC: the soft-etm4 row (memory-mapped ETMv4, the encoder's own
 * ID registers) with a TMC of kind tmc per CPU.  The single-threaded and
 * two-thread workloads in a 1 MiB buffer (a contiguous one for the ETR
 * without scatter-gather), dumped with "format etm4-tmc" so that the
 * host deformats the frames (trace ID 0x10) and decodes ETMv4; zero
 * refusals, nothing dropped or written outside RAM; then loss.
 */
static void cs_etm4_row(const char *tmc, const struct a64_case *demo,
			const struct a64_case *mt, const char *cpu_tag)
{
	char params[64], name[64];
	int dev;

	snprintf(params, sizeof(params), "cpu=soft-etm4 tmc=%s", tmc);
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/insmod", tmc);
	t_begin(name);
	CHECK(module_load(EMU_KO, params) == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_failed)
		return;
	dev = hwt_dev();
	a64_bufsize = 1 << 20;
	a64_dump_format = "etm4-tmc";
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/describe", tmc);
	t_begin(name);
	cs_etm4_describe(dev);
	t_end();
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/demo", tmc);
	t_begin(name);
	CHECK(a64_ptrace(demo));
	memcpy(cpu_gt3, a64_gt, a64_ngt * sizeof(a64_gt[0]));
	cpu_ngt3 = a64_ngt;
	CHECK(a64_record(dev, demo, "cs_emu", 60, 0));
	t_end();
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/mt", tmc);
	t_begin(name);
	CHECK(mt_ptrace(mt));
	CHECK(a64_record(dev, mt, "cs_emu", 60, 0));
	t_end();
	/*
	 * CPU mode through the TMC (not the contiguous ETR: a 16 MiB
	 * physically contiguous buffer is not to be had here), against the
	 * ground truths of demo and mt above: each task's runs, cut at the
	 * SWITCH_IN heads, are whole frames, decoded on the host.
	 */
	if (cpu_tag) {
		snprintf(name, sizeof(name), "cs/emu/etm4-%s/cpu", tmc);
		t_begin(name);
		cs_cpu_mode(dev, cpu_tag);
		t_end();
	}

	a64_bufsize = 0;
	a64_dump_format = NULL;
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/counters", tmc);
	t_begin(name);
	printf("INFO: cs/emu/etm4-%s: model: %lld writes, %lld refused, %lld bytes stored; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       tmc, emu_param("writes"), emu_param("refused"),
	       emu_param("stored"), emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("stored") > 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("bad_ptr") == 0);
	CHECK(emu_param("unsupported") == 0);
	t_end();
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/loss", tmc);
	t_begin(name);
	cs_loss(dev, 1, strcmp(tmc, "etf") != 0);
	CHECK(emu_param("refused") == 0);
	t_end();
	close(dev);
	snprintf(name, sizeof(name), "cs/emu/etm4-%s/rmmod", tmc);
	t_begin(name);
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
}

/*
 * The table's real ETMv4.0 rows (Cortex-A53, Cortex-A57: the Juno
 * snapshot's ID registers) with a scatter-gather ETR: the backend
 * programs them through every sequence (start, switch, poll, stop) on
 * the memory-mapped model with zero refusals.  Their trace is the soft
 * encoder's (whose ID registers are the soft-etm4 row's), so it is not
 * decoded here: the row is about the register sequences.
 */
static void cs_etm4_real_row(const char *row, const struct a64_case *c)
{
	char params[64], name[64];
	int dev;

	snprintf(params, sizeof(params), "cpu=%s:etr", row);
	snprintf(name, sizeof(name), "cs/emu/%s/insmod", row);
	t_begin(name);
	CHECK(module_load(EMU_KO, params) == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_failed)
		return;
	dev = hwt_dev();
	a64_bufsize = 1 << 20;
	snprintf(name, sizeof(name), "cs/emu/%s/record", row);
	t_begin(name);
	CHECK(a64_ptrace(c));
	CHECK(a64_record(dev, c, "cs_emu", 60, 0));
	printf("INFO: cs/emu/%s: model: %lld writes, %lld refused, %lld bytes stored; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       row, emu_param("writes"), emu_param("refused"),
	       emu_param("stored"), emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("writes") > 0);
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("stored") > 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("unsupported") == 0);
	t_end();
	a64_bufsize = 0;
	close(dev);
	snprintf(name, sizeof(name), "cs/emu/%s/rmmod", row);
	t_begin(name);
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
}

/*
 * One ETR shared behind funnels by both CPUs (topo=shared, the Juno
 * shape of cs_emu_topo.h): the backend programs the funnels' ports
 * (SoC-400 Funnel Control EnS) and each ETMv4's TRCTRACEIDR (0x10 +
 * CPU), and flushes the ETR without stopping it at each switch; the
 * emulator's bus refuses trace at a closed port and two units with one
 * ID (counted in "refused").  CPU mode on CPUs 0 and 1 in one context
 * and one buffer: soft_a64_mt.c's two threads pinned to CPU 0, the
 * single-threaded workload as a second process pinned to CPU 1, this
 * program wherever it runs (traced, its runs not dumped).  Each CPU's
 * runs are cut at that CPU's SWITCH_IN records (each names its CPU;
 * their heads are positions in the one stream, frame boundaries after
 * the flush); each task's dump is the whole buffer with its runs as
 * "run START END ID" lines, which the host deformats with OpenCSD once
 * and decodes per trace ID, keeping the elements inside the task's runs.
 */
struct shared_runs {
	uint64_t s[256], e[256];
	unsigned int id[256], n;
};

static void shared_run_add(struct shared_runs *r, uint64_t s, uint64_t e,
			   unsigned int id)
{
	if (r->n == 256) {
		t_fail("more than 256 runs of one task");
		return;
	}
	r->s[r->n] = s;
	r->e[r->n] = e;
	r->id[r->n++] = id;
}

static void shared_dump(const char *name, const struct shared_runs *r,
			const uint8_t *m, uint64_t head, const void *marker,
			const void *stop, pid_t tid, const uint64_t *gt,
			size_t ngt)
{
	char tag[64];
	size_t k;

	snprintf(tag, sizeof(tag), "SOFTA64:%s", name);
	printf("%s binary cs_emu\n", tag);
	printf("%s format etm4-tmc\n", tag);
	printf("%s marker %llx tid %d\n", tag,
	       (unsigned long long)(uintptr_t)marker, (int)tid);
	if (stop)
		printf("%s stop %llx\n", tag,
		       (unsigned long long)(uintptr_t)stop);
	for (k = 0; k < r->n; k++)
		printf("%s run %llx %llx %x\n", tag,
		       (unsigned long long)r->s[k],
		       (unsigned long long)r->e[k], r->id[k]);
	a64_dump(tag, "ete", m, head);
	for (k = 0; k < ngt; k++) {
		if (k % 16 == 0)
			printf("%s%s gt", k ? "\n" : "", tag);
		printf(" %llx", (unsigned long long)gt[k]);
	}
	printf("\n%s end\n", tag);
}

static void cs_shared_cpu(int dev, const char *tag)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 16 << 20,
			       .recq_size = HWT_RECQ_MAX };
	static struct shared_runs v[3];
	struct hwt_bufptr bp;
	struct recs r = { 0 };
	long long unsynced0 = emu_param("unsynced");
	int p[2], ready[2], st = 0, fd = -1, i, c, nswitch[2] = { 0, 0 };
	int open_k[2] = { -1, -1 };
	uint64_t open_at[2] = { 0, 0 }, last[2] = { 0, 0 };
	cpu_set_t one;
	pid_t pid, pid2 = 0, tid2 = 0;
	const uint8_t *m;
	char pinned[2];

	memset(v, 0, sizeof(v));
	if (pipe(p)) {
		t_fail("pipe");
		return;
	}
	if (pipe(ready)) {
		t_fail("pipe");
		close(p[0]);
		close(p[1]);
		return;
	}
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		pid_t ch = fork();
		char b;

		if (ch == 0) {
			CPU_ZERO(&one);
			CPU_SET(i, &one);
			sched_setaffinity(0, sizeof(one), &one);
			/* on its CPU before START: its first switch-in
			 * must name that CPU */
			if (write(ready[1], "r", 1) != 1 ||
			    read(p[0], &b, 1) != 1)
				_exit(2);
			if (i)
				cs_demo();
			mt_main();
		}
		*(i ? &pid2 : &pid) = ch;
	}
	CHECK(pid > 0 && pid2 > 0);
	/* Both pinned (a child not yet run could first run on the other
	 * CPU after START, then move). */
	CHECK(read(ready[0], pinned, 1) == 1 && read(ready[0], pinned, 1) == 1);
	close(ready[0]);
	close(ready[1]);
	a.cpu_map[0] = 3;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 HWT_CORESIGHT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0, "ALLOC (CPU mode, CPUs 0-1): %s", strerror(errno));
	if (fd >= 0) {
		CHECK(cs_desc(fd, "shared_sink") == 1);
		CHECK(cs_desc(fd, "traceid_base") == 0x10);
	}
	if (fd >= 0 && ioctl(fd, HWT_IOC_START))
		t_fail("line %d: START (CPU mode, shared TMC): %s", __LINE__,
		       strerror(errno));
	CHECK(write(p[1], "gg", 2) == 2);
	for (i = 0; i < 60 * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(50000);
	}
	if (i == 60 * 20) {
		t_fail("workload still running after 60 s");
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	CHECK(waitpid(pid2, &st, 0) == pid2 && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "second process status %#x", st);
	if (fd < 0)
		goto out;
	CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(recs_drain(fd, &r) == 0 && r.dropped == 0);
	/* One buffer, CPU 0's; CPU 1 has none of its own. */
	memset(&bp, 0, sizeof(bp));
	bp.idx = 1;
	CHECK_ERR(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp), EINVAL);
	memset(&bp, 0, sizeof(bp));
	CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.cpu == 0);
	CHECK(bp.lost == 0 && bp.head > 0 && bp.head < bp.size &&
	      bp.head % 16 == 0, "head %llu, lost %llu",
	      (unsigned long long)bp.head, (unsigned long long)bp.lost);
	if (t_failed)
		goto out;
	m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
		 (off_t)bp.mmap_offset);
	CHECK(m != MAP_FAILED);
	if (m == MAP_FAILED)
		goto out;
	/*
	 * Per CPU, a run: from a task's SWITCH_IN head to that CPU's next
	 * SWITCH_IN head (its unit disabled and the ETR flushed in
	 * between), under that CPU's trace ID.
	 */
	recs_for_each(&r, h) {
		if (h->type != HWT_REC_SWITCH_IN || h->buf_idx != bp.idx)
			continue;
		c = h->cpu;
		CHECK(c == 0 || c == 1, "SWITCH_IN on CPU %d", c);
		if (t_failed)
			break;
		/* In order per CPU (two CPUs' records may pass each other
		 * on their way into the queue). */
		CHECK(h->buf_head >= last[c] && h->buf_head <= bp.head &&
		      h->buf_head % 16 == 0, "CPU %d: head %llu after %llu",
		      c, (unsigned long long)h->buf_head,
		      (unsigned long long)last[c]);
		if (t_failed)
			break;
		last[c] = h->buf_head;
		nswitch[c]++;
		if (open_k[c] >= 0)
			shared_run_add(&v[open_k[c]], open_at[c], h->buf_head,
				       0x10 + c);
		open_at[c] = h->buf_head;
		open_k[c] = h->pid == pid2 ? 2 : h->pid != pid ? -1 :
			    h->tid == pid ? 0 : 1;
		if (open_k[c] == 1)
			tid2 = h->tid;
	}
	for (c = 0; c < 2 && !t_failed; c++)
		if (open_k[c] >= 0)
			shared_run_add(&v[open_k[c]], open_at[c], bp.head,
				       0x10 + c);
	printf("INFO: %s: %d + %d switch-ins (CPU 0, 1), runs %u + %u + %u (main, thread, process), head %llu; %lld runs unsynced\n",
	       tag, nswitch[0], nswitch[1], v[0].n, v[1].n, v[2].n,
	       (unsigned long long)bp.head,
	       emu_param("unsynced") - unsynced0);
	CHECK(nswitch[0] > 0 && nswitch[1] > 0);
	CHECK(v[0].n && v[1].n && v[2].n && tid2 > 0);
	/* Pinned: the threads' runs on CPU 0, the process's on CPU 1. */
	for (i = 0; i < 3; i++)
		for (c = 0; c < (int)v[i].n; c++)
			CHECK(v[i].id[c] == (i == 2 ? 0x11u : 0x10u));
	CHECK(emu_param("unsynced") == unsynced0);
	if (!t_failed) {
		char name[64];

		shared_dump(tag, &v[0], m, bp.head, mt_main, mt_join, pid,
			    a64_gt, a64_ngt);
		snprintf(name, sizeof(name), "%s2", tag);
		shared_dump(name, &v[1], m, bp.head, mt_thread2, NULL, tid2,
			    a64_gt2, a64_ngt2);
		snprintf(name, sizeof(name), "%s_proc", tag);
		shared_dump(name, &v[2], m, bp.head, cs_demo, NULL, pid2,
			    cpu_gt3, cpu_ngt3);
	}
	munmap((void *)m, bp.size);
out:
	recs_free(&r);
	if (fd >= 0)
		close(fd);
	close(p[0]);
	close(p[1]);
}

/*
 * Thread mode through the shared ETR: c recorded with this program
 * pinned to CPU 0 (its child inherits it), so every run has that CPU's
 * trace ID, 0x10, and the host decodes the dump as the per-CPU rows'
 * (the two-CPU case, with runs under both IDs and runs that find the
 * sink held, is tests/e2e/cs_thread.sh).  Pinned, the threads take
 * turns and always find the sink free: sink_busy does not move and
 * nothing is dropped.  Once the context is gone (the framework tears it
 * down after close: polled), nothing is left on: no unit enabled, ETR
 * capturing, funnel port enabled or claim tag of ours (the emulator's
 * "live").
 */
static void cs_shared_thread(int dev, const struct a64_case *c)
{
	long long busy0 = cs_param("sink_busy"), drop0 = emu_param("dropped");
	long long stored0 = emu_param("stored");
	cpu_set_t all;
	int i;

	a64_pin(&all);
	CHECK(a64_record(dev, c, "cs_emu", 60, 0));
	a64_unpin(&all);
	printf("INFO: cs/emu/etm4-shared/%s: %lld bytes stored by the ETR, sink found held %lld times, %lld bytes dropped\n",
	       c->name, emu_param("stored") - stored0,
	       cs_param("sink_busy") - busy0, emu_param("dropped") - drop0);
	/* Through the backend and the shared ETR, not another backend. */
	CHECK(emu_param("stored") > stored0);
	CHECK(cs_param("sink_busy") == busy0);
	CHECK(emu_param("dropped") == drop0);
	for (i = 0; i < 250 && emu_param("live") != 0; i++)
		usleep(20000);
	CHECK(emu_param("live") == 0, "%lld left on after the context",
	      emu_param("live"));
}

/*
 * The shared-sink rows: soft-etm4 with one ETR behind funnels for both
 * CPUs (topo=shared, dumps cs_e4sh_*), and the same behind Juno r1's
 * ETF and replicator (topo=juno-r1, dumps cs_e4jr_*: the backend drives
 * the ETF as a link in Hardware FIFO mode and the replicator's ID
 * filters; the emulator refuses, in "refused", any ETF programming
 * while not TMCReady and trace that reaches a closed ETF or port).
 * Thread mode's ALLOC on both; its recordings (the ETR taken by one
 * thread's run at a time, over that thread's buffer: cs_shared_thread)
 * with with_threads; CPU mode (one buffer for both CPUs: cs_shared_cpu)
 * on both.
 */
static void cs_shared_row(const char *topo, const char *label,
			  const char *dump, int with_threads)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .pid = getpid(),
			       .bufsize = 1 << 16 };
	char name[96], params[96];
	int dev, fd;

#define T_BEGIN(step) do { \
	snprintf(name, sizeof(name), "cs/emu/%s/%s", label, step); \
	t_begin(name); \
} while (0)
	T_BEGIN("insmod");
	snprintf(params, sizeof(params), "cpu=soft-etm4 tmc=etr topo=%s",
		 topo);
	CHECK(module_load(EMU_KO, params) == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_failed)
		return;
	dev = hwt_dev();
	T_BEGIN("thread_describe");
	snprintf(a.backend, sizeof(a.backend), HWT_CORESIGHT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0, "ALLOC (thread mode, shared ETR): %s",
	      strerror(errno));
	if (fd >= 0) {
		CHECK(cs_desc(fd, "shared_sink") == 1);
		CHECK(cs_desc(fd, "traceid_base") == 0x10);
		CHECK(cs_desc(fd, "trctraceidr") == 0x10);
		close(fd);
	}
	t_end();
	if (with_threads) {
		a64_bufsize = 1 << 20;
		a64_dump_format = "etm4-tmc";
	}
	T_BEGIN(with_threads ? "thread_demo" : "ptrace");
	CHECK(a64_ptrace(with_threads ? &e4sh_demo_case : &e4sg_demo_case));
	memcpy(cpu_gt3, a64_gt, a64_ngt * sizeof(a64_gt[0]));
	cpu_ngt3 = a64_ngt;
	if (with_threads) {
		cs_shared_thread(dev, &e4sh_demo_case);
		t_end();
		T_BEGIN("thread_mt");
		CHECK(mt_ptrace(&e4sh_mt_case));
		cs_shared_thread(dev, &e4sh_mt_case);
	} else {
		/* CPU mode's main thread and thread: a64_gt, a64_gt2. */
		CHECK(mt_ptrace(&e4sg_mt_case));
	}
	t_end();
	a64_bufsize = 0;
	a64_dump_format = NULL;
	T_BEGIN("cpu");
	cs_shared_cpu(dev, dump);
	t_end();
	T_BEGIN("counters");
	printf("INFO: cs/emu/%s: model: %lld writes, %lld refused, %lld bytes stored; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       label, emu_param("writes"), emu_param("refused"),
	       emu_param("stored"), emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("stored") > 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("bad_ptr") == 0);
	CHECK(emu_param("unsupported") == 0);
	t_end();
	close(dev);
	T_BEGIN("rmmod");
	CHECK(module_unload("hwt_coresight") == 0);
	/* After STOP, exit and unload: nothing of ours left on. */
	CHECK(emu_param("live") == 0, "%lld left on", emu_param("live"));
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
#undef T_BEGIN
}

/*
 * CPU mode's flight recorder on the unit the emulator's params name
 * (dump format fmt): the ring workload's ptrace ground truth, then
 * cs_cpu_ring; zero refusals, drops, bad pointers.
 */
static void cs_ring_row(const char *params, const char *fmt, const char *tag)
{
	char name[64];
	int dev;

	snprintf(name, sizeof(name), "cs/emu/%s/insmod", tag);
	t_begin(name);
	CHECK(module_load(EMU_KO, params) == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_failed)
		return;
	dev = hwt_dev();
	snprintf(name, sizeof(name), "cs/emu/%s/ring", tag);
	t_begin(name);
	CHECK(a64_ptrace(&cs_ring_case));
	a64_dump_format = fmt;
	cs_cpu_ring(dev, tag, 8192);
	a64_dump_format = NULL;
	printf("INFO: cs/emu/%s: model: %lld writes, %lld refused, %lld bytes stored; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       tag, emu_param("writes"), emu_param("refused"),
	       emu_param("stored"), emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("bad_ptr") == 0);
	CHECK(emu_param("unsupported") == 0);
	t_end();
	close(dev);
	snprintf(name, sizeof(name), "cs/emu/%s/rmmod", tag);
	t_begin(name);
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
}

/*
 * "cs_emu shared" (run by cs_emu_shared.c, a guest program of its own:
 * each has HWT_VM_PROG_TIMEOUT, and the rows above fill cs_emu's): the
 * TMC shared behind funnels, and CPU mode's flight recorder through the
 * TRBE and through the ETR.
 */
static int cs_emu_shared(void)
{
	a64_backend = HWT_CORESIGHT_BACKEND_NAME;
	a64_config_hook = cs_config_of;
	cs_shared_row("shared", "etm4-shared", "cs_e4sh_cpu", 1);
	cs_shared_row("juno-r1", "etm4-juno-r1", "cs_e4jr_cpu", 0);
	cs_ring_row("cpu=soft-ete", NULL, "cs_cpu_ring");
	cs_ring_row("cpu=soft-etm4 tmc=etr", "etm4-tmc", "cs_e4sg_cpu_ring");
	return t_total_failed != 0;
}

int main(int argc, char **argv)
{
	long long ring_irqs0;
	struct a64_refs r;
	int dev, ret;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc > 1 && !strcmp(argv[1], "shared"))
		return cs_emu_shared();
	t_begin("cs/emu/insmod");
	CHECK(module_load(EMU_KO, "cpu=soft-ete") == 0);
	CHECK(module_load(CS_KO, "") == 0);
	t_end();
	if (t_total_failed)
		return 1;
	a64_backend = HWT_CORESIGHT_BACKEND_NAME;
	dev = a64_begin("cs/emu", &r);
	if (dev < 0)
		return 1;
	t_begin("cs/emu/config_errors");
	cs_config_errors(dev);
	t_end();
	t_begin("cs/emu/claimed");
	cs_claimed(dev);
	t_end();
	t_begin("cs/emu/demo/ptrace");
	CHECK(a64_ptrace(&demo_case));
	t_end();
	/* CPU mode's second process runs it too (cs_cpu_mode). */
	memcpy(cpu_gt3, a64_gt, a64_ngt * sizeof(a64_gt[0]));
	cpu_ngt3 = a64_ngt;
	t_begin("cs/emu/demo/record");
	CHECK(a64_record(dev, &demo_case, "cs_emu", 60, 0));
	t_end();
	t_begin("cs/emu/mt/ptrace");
	CHECK(mt_ptrace(&cs_mt_case));
	t_end();
	t_begin("cs/emu/mt/record");
	CHECK(a64_record(dev, &cs_mt_case, "cs_emu", 60, 0));
	t_end();
	/* CPU mode, against the ground truths of demo and mt above. */
	t_begin("cs/emu/cpu/record");
	cs_cpu_mode(dev, "cs_cpu");
	t_end();
	t_begin("cs/emu/ring/ptrace");
	CHECK(a64_ptrace(&cs_ring_case));
	t_end();
	t_begin("cs/emu/ring/record");
	ring_irqs0 = cs_param("irqs");
	CHECK(a64_record(dev, &cs_ring_case, "cs_emu", 60, RING));
	/* With the TRBE interrupt the flight recorder is Wrap mode: an
	 * interrupt at each wrap, each lap counted by the handler. */
	printf("INFO: cs/emu/ring: %lld TRBE interrupts (wraps) handled\n",
	       cs_param("irqs") - ring_irqs0);
	CHECK(cs_param("irqs") > ring_irqs0);
	t_end();
	/* A 4 KiB flight recorder: more wraps, each an interrupt whose
	 * handler counts the lap; the host holds what it kept to the end
	 * of the ground truth (SOFTA64:cs_ring4k). */
	t_begin("cs/emu/ring4k/record");
	ring_irqs0 = cs_param("irqs");
	CHECK(a64_record(dev, &cs_ring4k_case, "cs_emu", 60, 4096));
	printf("INFO: cs/emu/ring4k: %lld TRBE interrupts (wraps) handled\n",
	       cs_param("irqs") - ring_irqs0);
	CHECK(cs_param("irqs") - ring_irqs0 >= 3);
	t_end();
	a64_config_hook = cs_config_of;
	cfg1.nranges = 1;
	cfg1.ranges[0].start = (uintptr_t)filt_sum;
	cfg1.ranges[0].end = (uintptr_t)filt_sum_end - 4;
	cfg2.nranges = 2;
	cfg2.ranges[0].start = (uintptr_t)filt_leaf;
	cfg2.ranges[0].end = (uintptr_t)filt_leaf_end - 4;
	cfg2.ranges[1].start = (uintptr_t)filt_sum_loop;
	cfg2.ranges[1].end = (uintptr_t)filt_sum_call;
	t_begin("cs/emu/filt/ptrace");
	CHECK(a64_ptrace(&cs_filt1));
	t_end();
	t_begin("cs/emu/filt1/record");
	CHECK(a64_record(dev, &cs_filt1, "cs_emu", 30, 0));
	t_end();
	t_begin("cs/emu/filt2/record");
	CHECK(a64_record(dev, &cs_filt2, "cs_emu", 30, 0));
	t_end();
	t_begin("cs/emu/counters");
	printf("INFO: cs/emu: model: %lld writes, %lld refused, %lld bytes stored, %lld TRBE events; %lld dropped, %lld bad pointer, %lld unsupported\n",
	       emu_param("writes"), emu_param("refused"), emu_param("stored"),
	       emu_param("irqs"), emu_param("dropped"), emu_param("bad_ptr"),
	       emu_param("unsupported"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("writes") > 0);
	CHECK(emu_param("stored") > 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("bad_ptr") == 0);
	CHECK(emu_param("unsupported") == 0);
	t_end();
	t_begin("cs/emu/claimed-gap");
	cs_claimed_gap(dev);
	t_end();
	t_begin("cs/emu/loss");
	cs_loss(dev, 0, 1);
	t_end();
	t_begin("cs/emu/fill-irq");
	cs_fill_irq(dev);
	t_end();
	ret = a64_end(dev, &r, "cs/emu/refcnt");
	t_begin("cs/emu/rmmod");
	CHECK(module_unload("hwt_coresight") == 0);
	CHECK(module_unload("hwt_cs_emu") == 0);
	t_end();
	cs_irq_rules();
	cs_all_row();
	cs_etm4_row("etr", &e4sg_demo_case, &e4sg_mt_case, "cs_e4sg_cpu");
	cs_etm4_row("etr-flat", &e4fl_demo_case, &e4fl_mt_case, NULL);
	cs_etm4_row("etf", &e4etf_demo_case, &e4etf_mt_case, "cs_e4etf_cpu");
	cs_etm4_real_row("cortex-a53", &a53_demo_case);
	cs_etm4_real_row("cortex-a57", &a57_demo_case);
	return ret || t_total_failed;
}
#endif /* __aarch64__ */
