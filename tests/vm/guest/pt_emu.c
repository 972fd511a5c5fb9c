/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__x86_64__)
#include <stdio.h>
int main(void)
{
	printf("SKIP: %s (Intel PT is x86-64 only)\n", __FILE__);
	return 0;
}
#else
/*
 * The intel_pt backend's kernel path on the emulated trace unit
 * (hwt_pt_emu, backends/intel_pt/emu): the guest has no Intel PT, so
 * hwt_intel_pt refused to load at boot; this test loads hwt_pt_emu (one
 * CPU of the table at a time), then hwt_intel_pt, which picks the
 * emulated unit up, and checks:
 *  - the shared workload (pt_workload.h) traced in thread mode by the
 *    intel_pt backend decodes on the host with libipt to exactly the
 *    ptrace single-step ground truth (SOFTDUMP lines, soft_vmcheck);
 *  - the unit refused no MSR access (what hardware would #GP), saw no
 *    operational error, and no packet was produced while it was off;
 *  - SET_CONFIG errors (EINVAL, EOPNOTSUPP, E2BIG) and a START refused
 *    because the unit is held on a CPU (EBUSY) leave nothing behind: the
 *    unit's state and counters are unchanged, and the same context then
 *    traces exactly;
 *  - a buffer the CPU's ToPA cannot describe is refused (EOPNOTSUPP),
 *    and Broadwell's single-entry ToPA traces into one 4 KiB page;
 *  - CPU mode, also with a TraceStop range: Stopped is per CPU, each
 *    CPU's stream ends at its TraceStop and no task is single-stepped
 *    there after it (run_cpu_tracestop);
 *  - both modules unload, with no reference left.
 */
#include "hwt_test.h"
#include "hwt/hwt_intel_pt.h"

#include "pt_workload.h"

#include <linux/capability.h>

#define EMU_KO		"/lib/hwt/hwt_pt_emu.ko"
#define PT_KO		"/lib/hwt/hwt_intel_pt.ko"
#define EMU_PARAMS	"/sys/module/hwt_pt_emu/parameters/"

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

static int set_busy(unsigned long mask)
{
	FILE *f = fopen(EMU_PARAMS "busy_cpus", "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%lu\n", mask) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

struct refusals {
	int max_ranges;		/* the emulated CPU's address ranges */
	int ptwrite;		/* it has PTWRITE */
};

/*
 * Before START of a traced run: configs the CPU or the ABI refuses, then
 * START while the unit is held on CPU 0.  None may change anything: the
 * unit's counters stay, and the run that follows must decode exactly.
 */
static void refuse_first(int fd, void *arg)
{
	const struct refusals *rf = arg;
	struct hwt_intel_pt_config bad;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(bad), .data = (uintptr_t)&bad };
	long long stored = emu_param("stored"), refused = emu_param("refused");

	memset(&bad, 0, sizeof(bad));
	bad.flags = HWT_INTEL_PT_DEFAULT_FLAGS | (1u << 20);
	CHECK_ERR(ioctl(fd, HWT_IOC_SET_CONFIG, &c), EINVAL);
	bad.flags = HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_KERNEL;
	CHECK_ERR(ioctl(fd, HWT_IOC_SET_CONFIG, &c), EINVAL);
	if (!rf->ptwrite) {
		bad.flags = HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_PTWRITE;
		CHECK_ERR(ioctl(fd, HWT_IOC_SET_CONFIG, &c), EOPNOTSUPP);
	}
	bad.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
	bad.nranges = HWT_INTEL_PT_MAX_RANGES + 1;
	CHECK_ERR(ioctl(fd, HWT_IOC_SET_CONFIG, &c), E2BIG);
	if (rf->max_ranges < HWT_INTEL_PT_MAX_RANGES) {
		int i;

		bad.nranges = (uint32_t)rf->max_ranges + 1;
		for (i = 0; i < (int)bad.nranges; i++) {
			bad.ranges[i].start = (uintptr_t)fib;
			bad.ranges[i].end = (uintptr_t)fib + 16;
			bad.ranges[i].type = HWT_INTEL_PT_RANGE_FILTER;
		}
		CHECK_ERR(ioctl(fd, HWT_IOC_SET_CONFIG, &c), E2BIG);
	}
	/* perf holds PT on CPU 0: the thread could run there. */
	CHECK(set_busy(1) == 0);
	CHECK_ERR(ioctl(fd, HWT_IOC_START), EBUSY);
	CHECK(set_busy(0) == 0);
	CHECK(emu_param("stored") == stored);
	CHECK(emu_param("refused") == refused);
}

/*
 * A CPU that takes one output region (one ToPA entry, or single-range
 * output) needs a physically contiguous buffer: a power of two the
 * framework can allocate so.  12 KiB is not.
 */
static void check_topa_single(void)
{
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = 12288,
			       .pid = getpid() };
	int dev = hwt_dev(), fd;

	strcpy(a.backend, HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK_ERR(ioctl(fd, HWT_IOC_START), EOPNOTSUPP);
	close(fd);
	close(dev);
}

/* Backstop poll of hwt_intel_pt, ms (0: off). */
static int set_poll_ms(unsigned int ms)
{
	FILE *f = fopen("/sys/module/hwt_intel_pt/parameters/poll_ms", "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%u\n", ms) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static long long pt_param(const char *name)
{
	char path[128], buf[32];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/hwt_intel_pt/parameters/%s",
		 name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoll(buf);
	fclose(f);
	return v;
}

/* What a streaming reader collected from one buffer. */
struct sbuf {
	uint8_t *data;
	size_t n, cap;
	const uint8_t *map;
	uint64_t size;
	uint64_t lost;
	uint64_t max_lag;	/* most unread bytes seen at a read */
	int torn;		/* the unit lapped the bytes being copied */
};

/*
 * Copy what buffer i holds past its tail, then consume it (SVC_BUF).  The
 * unit does not respect the tail: if, once copied, the head is more than
 * a buffer past where the copy began, the bytes may have been overwritten
 * while being read (torn).  Returns 0, or -1 if the buffer is not there.
 */
static int drain_one(int fd, uint32_t i, struct sbuf *b)
{
	struct hwt_bufptr bp = { .idx = i }, after = { .idx = i };
	struct hwt_svc_buf svc = { .idx = i };
	uint64_t p;

	if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp))
		return -1;
	if (!b->map) {
		void *m = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, fd,
			       (off_t)bp.mmap_offset);

		if (m == MAP_FAILED)
			return -1;
		b->map = m;
		b->size = bp.size;
	}
	b->lost = bp.lost;
	if (bp.head - bp.tail > b->max_lag)
		b->max_lag = bp.head - bp.tail;
	if (bp.head == bp.tail)
		return 0;
	if (b->n + (bp.head - bp.tail) > b->cap) {
		b->cap = (b->n + (bp.head - bp.tail)) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			abort();
	}
	for (p = bp.tail; p < bp.head; p++)
		b->data[b->n++] = b->map[p % b->size];
	if (ioctl(fd, HWT_IOC_BUFPTR_GET, &after) == 0 &&
	    after.head > bp.tail + b->size)
		b->torn = 1;
	svc.tail = bp.head;
	return ioctl(fd, HWT_IOC_SVC_BUF, &svc) ? -1 : 0;
}

/*
 * Streaming mode as hwt-collect reads it: a 256 KiB buffer per thread
 * with INT where each quarter ends, a reader woken through poll() that
 * copies and consumes while the traced program runs.  The main thread
 * writes ~3.5 times its buffer (fib(25) and 100000 op_add calls, no
 * return compression: ~900 KB) in one stretch on one CPU: without the
 * PMI path nothing but switch-outs and the poll would move the head, and
 * the unit would lap unread data.  No byte may be lost, every lap must
 * be seen, and the collected stream must decode on the host with
 * op_add's entry run exactly as often as the program calls it.
 */
#define SBUF_SIZE	(256 << 10)

static void run_streaming(const char *cpu)
{
	struct hwt_intel_pt_config cfg;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(cfg), .data = (uintptr_t)&cfg };
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD, .bufsize = SBUF_SIZE };
	struct sbuf b[NTHREADS];
	long long pmi0 = emu_param("pmi"), acked0 = emu_param("pmi_acked");
	long long handled0 = pt_param("pmi");
	int p[2], sp[2], status = 0, fd, dev, i, done = 0;
	struct timespec t0, t1;
	char name[96], tag[64];
	double secs;
	pid_t pid;

	snprintf(tag, sizeof(tag), "ptemu_%s_stream", cpu);
	snprintf(name, sizeof(name), "pt_emu/%s/record", tag);
	t_begin(name);
	/* The PMIs alone must keep the reader going: no backstop poll. */
	CHECK(set_poll_ms(0) == 0);
	memset(b, 0, sizeof(b));
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_NO_RETCOMP;
	if (pipe(p) || pipe(sp)) {
		t_fail("pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		heavy = 1;
		child_prepare();
		workload();
		_exit(1);
	}
	dev = hwt_dev();
	a.pid = pid;
	snprintf(a.backend, sizeof(a.backend), "%s", HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	for (i = 0; i < 5000; i++) {
		struct hwt_bufptr bp = { .idx = 0 };

		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
	CHECK(i < 5000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(write(p[1], "g", 1) == 1);
	while (!t_failed) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		if (!done && waitpid(pid, &status, WNOHANG) == pid) {
			done = 1;
			clock_gettime(CLOCK_MONOTONIC, &t1);
			/* the framework finishes the exits */
			usleep(200000);
		}
		poll(&pf, 1, 50);
		for (i = 0; i < NTHREADS; i++)
			drain_one(fd, (uint32_t)i, &b[i]);
		if (done)
			break;
	}
	CHECK(done);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (i = 0; i < NTHREADS; i++) {
		CHECK(b[i].map != NULL);
		CHECK(b[i].lost == 0);
		CHECK(!b[i].torn);
	}
	/* It lapped its buffer many times: the PMIs kept it read. */
	CHECK(b[0].n > 3 * SBUF_SIZE);
	printf("INFO: pt_emu/%s: %zu + %zu bytes streamed through %d KiB buffers (lost %llu, most unread at a read %llu), unit PMIs %lld (acked first %lld), backend PMIs %lld, other NMIs %lld, polls %lld\n",
	       tag, b[0].n, b[1].n, SBUF_SIZE >> 10,
	       (unsigned long long)b[0].lost,
	       (unsigned long long)b[0].max_lag, emu_param("pmi") - pmi0,
	       emu_param("pmi_acked") - acked0, pt_param("pmi") - handled0,
	       pt_param("pmi_other"), pt_param("polls"));
	/* Each PMI the unit raised was taken by the backend (not bit 55). */
	CHECK(emu_param("pmi") - pmi0 >= 2 * 3);
	CHECK(emu_param("pmi_acked") - acked0 > 0);
	CHECK(pt_param("pmi") - handled0 > 0);
	CHECK(pt_param("pmi") - handled0 <= emu_param("pmi") - pmi0);
	CHECK(emu_param("reentered") == 0);
	CHECK(set_poll_ms(10) == 0);
	printf("SOFTDUMP %s binary pt_emu\n", tag);
	printf("SOFTDUMP %s count %llx %d\n", tag,
	       (unsigned long long)(uintptr_t)op_add, 8 + HEAVY_CALLS);
	for (i = 0; i < NTHREADS; i++) {
		dump_hex(tag, i, "pt", b[i].data, b[i].n);
		if (b[i].map)
			munmap((void *)b[i].map, b[i].size);
		free(b[i].data);
	}
	printf("SOFTDUMP %s marker %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)soft_marker,
	       (unsigned long long)(uintptr_t)soft_thread_end);
	printf("SOFTDUMP %s time %.6f\n", tag, secs);
	printf("SOFTDUMP %s ranges 0\n", tag);
	close(fd);
	close(dev);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	t_end();
}

/*
 * Loss, never silent.  The workload's gap variant (pt_workload.h,
 * heavy = 2) with its own ptrace ground truth gm.  The reader takes what
 * the main thread wrote up to its pause (it blocks in read(2): the
 * switch-out publishes the head), then reads nothing until the program
 * has exited, while ~10 KB more are written.
 *  - !inject, a 4 KiB streaming buffer nobody reads: the unit laps it
 *    (its one 4 KiB region has INT: a PMI per lap, 33.2.7.2), so the
 *    framework counts exactly the bytes overwritten unread (bufptr.lost
 *    = the oldest byte kept - the reader's tail, the same in BUFFER
 *    records);
 *  - GAP_ERROR, 64 KiB (4 KiB on Broadwell): the unit meets an
 *    operational error right after the pause (RTIT_STATUS.Error): one
 *    BUFFER record with HWT_BUFREC_GAP where its output stopped, tracing
 *    resumed;
 *  - GAP_BUSY, the same buffer: "perf" takes the unit on every CPU
 *    during the pause (busy_cpus: TraceEn reads as set), so the thread's
 *    switch-in leaves it untraced from there to its exit: one GAP record
 *    at the pause, nothing written after it.  (Without it the trace
 *    would simply end at the pause, as if the thread had stopped.)
 * The host decodes the pieces apart (a cut where bytes are missing):
 * before it equal to the ground truth from the marker, after it (from
 * the first PSB) equal to the ground truth's end, something missing.
 * GAP_BUSY has nothing after its cut: it is checked here only.
 */
enum gap_kind { GAP_LAP, GAP_ERROR, GAP_BUSY };

static int set_inject(void)
{
	FILE *f = fopen(EMU_PARAMS "inject_error", "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs("1\n", f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void run_gap(const char *cpu, int multi, const struct gt *gm,
		    int ngt, enum gap_kind kind)
{
	int inject = kind != GAP_LAP;
	struct hwt_intel_pt_config cfg;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(cfg), .data = (uintptr_t)&cfg };
	struct hwt_alloc a = { .mode = HWT_MODE_THREAD,
			       .bufsize = inject && multi ? 65536 : 4096 };
	struct hwt_bufptr bp = { .idx = 0 }, bp2, bp3 = { .idx = 0 };
	struct hwt_svc_buf svc = { .idx = 0 };
	struct sbuf b[NTHREADS];
	struct recs r = { 0 };
	uint64_t head0 = 0, rec_lost = 0, cut = 0;
	long long injected = emu_param("injected");
	int p[2], sp[2], mp[2], status = 0, fd, dev, i, ngap = 0;
	char name[96], tag[64], ch;
	pid_t pid;

	snprintf(tag, sizeof(tag), "ptemu_%s_%s", cpu,
		 kind == GAP_BUSY ? "busy" : inject ? "error" : "gap");
	snprintf(name, sizeof(name), "pt_emu/%s/record", tag);
	t_begin(name);
	memset(b, 0, sizeof(b));
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_NO_RETCOMP;
	if (pipe(p) || pipe(sp) || pipe(mp)) {
		t_fail("pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		mid_wr = mp[1];
		heavy = 2;
		child_prepare();
		workload();
		_exit(1);
	}
	dev = hwt_dev();
	a.pid = pid;
	snprintf(a.backend, sizeof(a.backend), "%s", HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	for (i = 0; i < 5000; i++) {
		if (ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0 && bp.head > 0)
			break;
		usleep(1000);
	}
	CHECK(i < 5000);
	CHECK(write(p[1], "g", 1) == 1);
	/* The pause: blocked in read(2), its switch-out drained the unit. */
	CHECK(read(mp[0], &ch, 1) == 1);
	for (i = 0; i < 200 && proc_state(pid) != 'S'; i++)
		usleep(10000);
	CHECK(i < 200);
	do {
		head0 = bp.head;
		usleep(20000);
		CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp) == 0);
	} while (bp.head != head0 && !t_failed);
	CHECK(bp.tail == 0 && bp.head > 0 && bp.head < 4096 && bp.lost == 0);
	CHECK(drain_one(fd, 0, &b[0]) == 0 && b[0].n == head0);
	/*
	 * Nobody reads from here on; or the unit fails once, right away;
	 * or it is taken on every CPU.
	 */
	if (kind == GAP_ERROR)
		CHECK(set_inject() == 0);
	if (kind == GAP_BUSY)
		CHECK(set_busy(~0ul) == 0);
	CHECK(write(p[1], "g", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (kind == GAP_BUSY)
		CHECK(set_busy(0) == 0);
	usleep(200000);
	bp2 = (struct hwt_bufptr){ .idx = 0 };
	CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp2) == 0);
	CHECK(recs_drain(fd, &r) == 0);
	recs_for_each(&r, h) {
		const struct hwt_rec_buffer *rb = (const void *)h;

		if (h->type != HWT_REC_BUFFER || h->buf_idx != 0)
			continue;
		if (rb->flags & HWT_BUFREC_OVERFLOW)
			rec_lost += rb->lost;
		if (rb->flags & HWT_BUFREC_GAP) {
			ngap++;
			cut = h->buf_head;
		}
	}
	recs_free(&r);
	if (kind == GAP_BUSY) {
		/* Untraced from its switch-in after the pause: said once. */
		CHECK(ngap == 1 && cut == head0, "%d gaps, at %llu (pause %llu)",
		      ngap, (unsigned long long)cut,
		      (unsigned long long)head0);
		CHECK(bp2.head == head0 && bp2.lost == 0);
		printf("INFO: pt_emu/%s: gap at byte %llu, the pause; nothing written after it\n",
		       tag, (unsigned long long)cut);
		for (i = 0; i < NTHREADS; i++) {
			if (b[i].map)
				munmap((void *)b[i].map, b[i].size);
			free(b[i].data);
		}
		goto out;
	}
	if (inject) {
		/*
		 * RTIT_STATUS.Error: the unit wrote nothing until the
		 * backend's poll saw it, recorded a gap where the output
		 * stopped, cleared it and enabled again.
		 */
		CHECK(emu_param("injected") == injected + 1);
		CHECK(ngap == 1);
		CHECK(cut >= head0 && cut < bp2.head);
	} else {
		CHECK(ngap == 0);
	}
	if (a.bufsize == 4096) {
		/*
		 * It lapped: exactly the bytes between the reads are lost.
		 * (Broadwell's error run too: one 4 KiB region is all its
		 * ToPA takes; the Error gap then lies inside the loss.)
		 */
		CHECK(bp2.head > head0 + 2 * 4096);
		CHECK(bp2.tail == bp2.head - 4096);
		CHECK(bp2.lost == bp2.tail - head0);
		CHECK(bp2.flags & HWT_BUF_OVERFLOW);
		CHECK(rec_lost == bp2.lost);
		cut = head0;
		/*
		 * A collector that read up to head0 before the lap consumes
		 * it late: not refused (the kernel tail is past it, by no
		 * fault of the reader), the tail stays; going back still is.
		 */
		svc.tail = head0;
		CHECK(ioctl(fd, HWT_IOC_SVC_BUF, &svc) == 0);
		svc.tail = head0 - 1;
		CHECK(ioctl(fd, HWT_IOC_SVC_BUF, &svc) == -1 &&
		      errno == EINVAL);
		CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp3) == 0);
		CHECK(bp3.tail == bp2.tail && bp3.lost == bp2.lost);
	} else {
		/* No byte of the buffer was overwritten. */
		CHECK(bp2.lost == 0 && rec_lost == 0);
		CHECK(bp2.tail == head0);
	}
	printf("INFO: pt_emu/%s: gap at byte %llu, %llu bytes lost, %llu kept after the pause (head %llu, %llu KiB buffer)\n",
	       tag, (unsigned long long)cut, (unsigned long long)bp2.lost,
	       (unsigned long long)(bp2.head - bp2.tail),
	       (unsigned long long)bp2.head,
	       (unsigned long long)a.bufsize >> 10);
	for (i = 0; i < NTHREADS; i++) {
		CHECK(drain_one(fd, (uint32_t)i, &b[i]) == 0);
		CHECK(i == 0 || b[i].lost == 0);
	}
	printf("SOFTDUMP %s binary pt_emu\n", tag);
	for (i = 0; i < NTHREADS; i++) {
		dump_hex(tag, i, "pt", b[i].data, b[i].n);
		if (b[i].map)
			munmap((void *)b[i].map, b[i].size);
		free(b[i].data);
	}
	printf("SOFTDUMP %s 0 cut %llu\n", tag, (unsigned long long)cut);
	for (i = 0; i < ngt; i++)
		dump_gt(tag, i, &gm[i]);
	printf("SOFTDUMP %s marker %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)soft_marker,
	       (unsigned long long)(uintptr_t)soft_thread_end);
	printf("SOFTDUMP %s ranges 0\n", tag);
out:
	close(fd);
	close(dev);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	close(mp[0]);
	close(mp[1]);
	t_end();
}

/*
 * CPU mode: kernel tracing shows what the kernel runs, so SET_CONFIG
 * with KERNEL needs CAP_PERFMON or CAP_SYS_ADMIN of its caller (the
 * context's fd may have been handed on since ALLOC, which needed one of
 * them too).  A child that dropped both from its effective set gets
 * EPERM; user-only tracing stays allowed; root's KERNEL is accepted.
 */
#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif

static int drop_perfmon(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_PERFMON / 32].effective &= ~(1u << (CAP_PERFMON % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static void check_kernel_perm(const char *cpu)
{
	struct hwt_intel_pt_config cfg;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(cfg), .data = (uintptr_t)&cfg };
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 4096 };
	int dev = hwt_dev(), fd, status = -1;
	char name[96];
	pid_t pid;

	snprintf(name, sizeof(name), "pt_emu/%s/cpu_kernel_needs_perfmon",
		 cpu);
	t_begin(name);
	a.cpu_map[0] = 1;
	strcpy(a.backend, HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS | HWT_INTEL_PT_KERNEL;
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	pid = fork();
	if (pid == 0) {
		int e;

		if (drop_perfmon())
			_exit(2);
		e = ioctl(fd, HWT_IOC_SET_CONFIG, &c) ? errno : 0;
		if (e != EPERM)
			_exit(3);
		cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
		_exit(ioctl(fd, HWT_IOC_SET_CONFIG, &c) ? 4 : 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
	close(fd);
	close(dev);
	t_end();
}

/*
 * CPU mode: a buffer per CPU (both of the VM's), user code only, the
 * unit enabled on each CPU by IPI at START and left on across context
 * switches; the emulated unit steps whatever user code runs there (the
 * workload's two threads, but also this program once it wakes).  At
 * each switch the backend drains, so the framework's SWITCH_IN record
 * marks the byte where the next task's part of that CPU's stream
 * begins.  Split by those records, each CPU's stream gives the runs of
 * each thread of the workload; in record order they decode on the host
 * (each run on its own: "seg" lines) to exactly the ptrace ground truth.
 */
#define CPU_MAXCPUS	64

/* CPU-mode runs per CPU row (the last with the workload running). */
#define CPU_MODE_RUNS	3

struct cpu_run {
	int th;			/* workload thread, -1: someone else */
	uint64_t start;		/* byte where it began */
};

/*
 * One CPU-mode run of the workload (tag ptemu_ROW_cpuN).  running: the
 * workload does not wait for START in read(2) but spins in user code
 * until the parent, after START, sets a flag in shared memory; the start
 * pipe already holds its byte, so from the spin to the marker and on it
 * may not leave its CPU at all.  START's IPI interrupts it there: the
 * unit must trace it from that instant, as hardware would, and not only
 * from its next context switch.
 */
static void run_cpu_mode(const char *cpu, const struct gt *g, int ngt,
			 int n, int running)
{
	volatile int *go = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct hwt_intel_pt_config cfg;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(cfg), .data = (uintptr_t)&cfg };
	struct hwt_alloc a = { .mode = HWT_MODE_CPU,
			       .bufsize = 1 << 20,
			       .recq_size = HWT_RECQ_MAX };
	struct hwt_bufptr bp[CPU_MAXCPUS];
	const uint8_t *map[CPU_MAXCPUS];
	struct cpu_run open[CPU_MAXCPUS];
	struct u64v seg[NTHREADS], bytes[NTHREADS];
	struct recs r = { 0 };
	long long tasks0 = emu_param("cpu_tasks");
	int p[2], sp[2], status = 0, fd, dev, i, ncpu, nswitch = 0;
	char name[96], tag[64];
	pid_t pid;

	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > CPU_MAXCPUS)
		ncpu = CPU_MAXCPUS;
	snprintf(tag, sizeof(tag), "ptemu_%s_cpu%d%s", cpu, n,
		 running ? "_running" : "");
	snprintf(name, sizeof(name), "pt_emu/%s/record", tag);
	t_begin(name);
	if (go == MAP_FAILED) {
		t_fail("mmap");
		return;
	}
	*go = 0;
	memset(seg, 0, sizeof(seg));
	memset(bytes, 0, sizeof(bytes));
	memset(map, 0, sizeof(map));
	memset(open, 0, sizeof(open));
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
	for (i = 0; i < ncpu; i++) {
		a.cpu_map[i / 64] |= 1ull << (i % 64);
		open[i].th = -1;
	}
	if (pipe(p) || pipe(sp) ||
	    (running && write(p[1], "g", 1) != 1)) {
		t_fail("pipe");
		munmap((void *)go, 4096);
		return;
	}
	pid = fork();
	if (pid == 0) {
		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		heavy = 0;
		child_prepare();
		while (running && !*go)
			;
		workload();
		_exit(1);
	}
	dev = hwt_dev();
	snprintf(a.backend, sizeof(a.backend), "%s", HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	if (running)
		*go = 1;
	else
		CHECK(write(p[1], "g", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(recs_drain(fd, &r) == 0 && r.dropped == 0);
	for (i = 0; i < ncpu; i++) {
		void *m;

		memset(&bp[i], 0, sizeof(bp[i]));
		bp[i].idx = (uint32_t)i;
		CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp[i]) == 0);
		/* Every byte of the run is still there. */
		CHECK(bp[i].lost == 0 && bp[i].head <= bp[i].size,
		      "cpu %d: head %llu, lost %llu", i,
		      (unsigned long long)bp[i].head,
		      (unsigned long long)bp[i].lost);
		m = mmap(NULL, bp[i].size, PROT_READ, MAP_SHARED, fd,
			 (off_t)bp[i].mmap_offset);
		CHECK(m != MAP_FAILED);
		map[i] = m == MAP_FAILED ? NULL : m;
	}
	/*
	 * A run of a task on a CPU: from its SWITCH_IN's head to the next
	 * SWITCH_IN's there (its last packets, written as it left, come
	 * after its SWITCH_OUT record, before the drain).
	 */
	recs_for_each(&r, h) {
		uint32_t ci = h->buf_idx;
		uint64_t k;

		if (h->type != HWT_REC_SWITCH_IN || ci >= (uint32_t)ncpu ||
		    !map[ci] || t_failed)
			continue;
		nswitch++;
		CHECK(h->buf_head >= open[ci].start &&
		      h->buf_head <= bp[ci].head);
		if (open[ci].th >= 0) {
			struct cpu_run *o = &open[ci];

			u64v_push(&seg[o->th], bytes[o->th].n);
			for (k = o->start; k < h->buf_head; k++)
				u64v_push(&bytes[o->th], map[ci][k]);
		}
		open[ci].start = h->buf_head;
		open[ci].th = h->pid != pid ? -1 : h->tid == pid ? 0 : 1;
	}
	for (i = 0; i < ncpu && !t_failed; i++) {
		struct cpu_run *o = &open[i];
		uint64_t k;

		if (o->th < 0 || !map[i])
			continue;
		u64v_push(&seg[o->th], bytes[o->th].n);
		for (k = o->start; k < bp[i].head; k++)
			u64v_push(&bytes[o->th], map[i][k]);
	}
	CHECK(nswitch > 0);
	CHECK(bytes[0].n > 0 && bytes[1].n > 0);
	/*
	 * An intermittent failure (docs/intel-pt.md, "What is left"): the
	 * main thread's trace stops after its first run.  Then show every
	 * switch record, to tell a unit that stopped stepping from bytes
	 * the records give to another task.
	 */
	if (bytes[0].n < 100)
		recs_for_each(&r, h)
			if (h->type == HWT_REC_SWITCH_IN ||
			    h->type == HWT_REC_SWITCH_OUT)
				printf("INFO: pt_emu/%s: %s cpu %d pid %d tid %d head %llu\n",
				       tag, h->type == HWT_REC_SWITCH_IN ?
				       "in " : "out", (int)h->buf_idx, h->pid,
				       h->tid, (unsigned long long)h->buf_head);
	printf("INFO: pt_emu/%s: %d switch-ins on %d CPUs, runs %zu + %zu, %zu + %zu bytes of the workload's threads, CPU heads",
	       tag, nswitch, ncpu, seg[0].n, seg[1].n, bytes[0].n, bytes[1].n);
	for (i = 0; i < ncpu; i++)
		printf(" %llu", (unsigned long long)bp[i].head);
	printf(", unit stepped %lld tasks, drains that left tracing off %lld\n",
	       emu_param("cpu_tasks") - tasks0, pt_param("drain_off"));
	printf("SOFTDUMP %s binary pt_emu\n", tag);
	for (i = 0; i < NTHREADS; i++) {
		uint8_t *b = malloc(bytes[i].n + 1);
		size_t k;

		for (k = 0; k < bytes[i].n; k++)
			b[k] = (uint8_t)bytes[i].v[k];
		dump_hex(tag, i, "pt", b, bytes[i].n);
		for (k = 0; k < seg[i].n; k++)
			printf("SOFTDUMP %s %d seg %llu\n", tag, i,
			       (unsigned long long)seg[i].v[k]);
		free(b);
		free(seg[i].v);
		free(bytes[i].v);
	}
	for (i = 0; i < ngt; i++)
		dump_gt(tag, i, &g[i]);
	printf("SOFTDUMP %s marker %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)soft_marker,
	       (unsigned long long)(uintptr_t)soft_thread_end);
	printf("SOFTDUMP %s ranges 0\n", tag);
	for (i = 0; i < ncpu; i++)
		if (map[i])
			munmap((void *)map[i], bp[i].size);
	recs_free(&r);
	close(fd);
	close(dev);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	munmap((void *)go, 4096);
	t_end();
}

/*
 * CPU mode with a TraceStop range (ADDR0_CFG = 2, SDM Vol. 3C 33.2.4.3).
 * When a taken branch enters the range the unit writes TIP.PGD +
 * TraceStop and sets RTIT_STATUS.Stopped: Stopped is the CPU's, so that
 * CPU writes nothing more, for any task, until software clears it (the
 * backend keeps it until STOP), while a task that runs next on a CPU
 * that has not stopped is traced there (until it enters the range
 * there too).
 *  - plain (run_cpu_mode's workload, the range on fib's entry): the
 *    main thread stops the CPU it calls fib(10) on;
 *  - migrate (the gap variant, heavy = 2, the range on op_add's entry,
 *    ground truth gm): the main thread runs on CPU 0 and stops it at
 *    its first op_add call; at its pause (blocked in read(2)) the parent
 *    moves it to CPU 1, where it is traced again from its return to
 *    user mode to its next op_add call, which stops CPU 1.
 * Then, for each CPU, a probe pinned there calls the range's function
 * (the CPU stops now if it had not), and a second probe pinned there
 * just runs: neither may be single-stepped by the unit after the stop
 * (pushf shows TF to a stepped task).  The host (soft_vmcheck) checks
 * each thread's runs against the ptrace ground truth by their class
 * (live, stop, after: see there) and that each CPU's last bytes end
 * with the TraceStop packet.
 */
/* Returns 1 if this task's RFLAGS.TF is set (it is single-stepped). */
static int tf_set(void)
{
	unsigned long f;

	__asm__ volatile ("pushfq\n\tpopq %0" : "=r"(f) : : "memory");
	return !!(f & 0x100);	/* RFLAGS.TF */
}

/* Returns the CPU this task runs on, or -1 if getcpu fails. */
static int on_cpu(void)
{
	unsigned int c = ~0u;

	return syscall(SYS_getcpu, &c, NULL, NULL) ? -1 : (int)c;
}

/*
 * A probe task on CPU c: with fn (the stop range's function), it enters
 * the stop range first.  Returns (its exit status) 0 if it never saw TF
 * set from then on, 1 if it did (the unit still stepped it), 2 if it did
 * not run on c.
 */
static int stop_probe(int c, long (*fn)(long))
{
	long (*volatile f)(long) = fn;
	cpu_set_t cs;
	pid_t pid;
	int st, i, tf = 0;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		CPU_ZERO(&cs);
		CPU_SET(c, &cs);
		if (sched_setaffinity(0, sizeof(cs), &cs) || on_cpu() != c)
			_exit(2);
		if (f)
			sink += f(2);	/* a taken branch into the range */
		for (i = 0; i < 200; i++)
			tf += tf_set();
		_exit(on_cpu() != c ? 2 : tf ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One run of a task on a CPU, in SWITCH_IN order. */
struct stop_run {
	int ci;			/* CPU (buffer) */
	int th;			/* workload thread, -1: another task */
	pid_t pid, tid;
	uint64_t s, e;		/* its bytes in the CPU's stream */
};

static void dump_cpu_bytes(const char *tag, int c, const uint8_t *p,
			   uint64_t n)
{
	uint64_t i;

	printf("SOFTDUMP %s cpulast %d", tag, c);
	for (i = 0; i < n; i++) {
		if (i && i % 64 == 0)
			printf("\nSOFTDUMP %s cpulast %d", tag, c);
		printf("%s%02x", i % 64 ? "" : " ", p[i]);
	}
	printf("\n");
}

static void run_cpu_tracestop(const char *cpu, const struct gt *g, int ngt,
			      int migrate)
{
	long (*stopfn)(long) = migrate ? op_add : fib;
	struct hwt_intel_pt_config cfg;
	struct hwt_config c = { .version = HWT_INTEL_PT_CONFIG_VERSION,
				.size = sizeof(cfg), .data = (uintptr_t)&cfg };
	struct hwt_alloc a = { .mode = HWT_MODE_CPU,
			       .bufsize = 1 << 20,
			       .recq_size = HWT_RECQ_MAX };
	struct hwt_bufptr bp[CPU_MAXCPUS];
	const uint8_t *map[CPU_MAXCPUS];
	int last[CPU_MAXCPUS], open_run[CPU_MAXCPUS];
	struct stop_run *runs = NULL;
	struct u64v bytes[NTHREADS];
	struct recs r = { 0 };
	long long refused0 = emu_param("refused"), dropped0 =
		emu_param("dropped"), off0 = pt_param("drain_off");
	int p[2], sp[2], mp[2], status = 0, fd, dev, i, k, ncpu, nruns = 0;
	int cap = 0;
	int ngap = 0, nlive[NTHREADS] = { 0 }, nafter[NTHREADS] = { 0 };
	char name[96], tag[64];
	pid_t pid;

	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > CPU_MAXCPUS)
		ncpu = CPU_MAXCPUS;
	snprintf(tag, sizeof(tag), "ptemu_%s_cpu_tracestop%s", cpu,
		 migrate ? "_migrate" : "");
	snprintf(name, sizeof(name), "pt_emu/%s/record", tag);
	t_begin(name);
	if (migrate && ncpu < 2) {
		printf("SKIP: %s (one CPU)\n", name);
		t_end();
		return;
	}
	memset(bytes, 0, sizeof(bytes));
	memset(map, 0, sizeof(map));
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
	cfg.nranges = 1;
	cfg.ranges[0].start = (uintptr_t)stopfn;
	cfg.ranges[0].end = (uintptr_t)stopfn;
	cfg.ranges[0].type = HWT_INTEL_PT_RANGE_STOP;
	for (i = 0; i < ncpu; i++) {
		a.cpu_map[i / 64] |= 1ull << (i % 64);
		open_run[i] = -1;
		last[i] = -1;
	}
	if (pipe(p) || pipe(sp) || pipe(mp)) {
		t_fail("pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		cpu_set_t cs;

		start_fd = p[0];
		sync_rd = sp[0];
		sync_wr = sp[1];
		mid_wr = mp[1];
		heavy = migrate ? 2 : 0;
		CPU_ZERO(&cs);
		CPU_SET(0, &cs);
		if (migrate && sched_setaffinity(0, sizeof(cs), &cs))
			_exit(3);
		child_prepare();
		workload();
		_exit(1);
	}
	dev = hwt_dev();
	snprintf(a.backend, sizeof(a.backend), "%s", HWT_INTEL_PT_BACKEND_NAME);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	CHECK(ioctl(fd, HWT_IOC_SET_CONFIG, &c) == 0);
	CHECK(ioctl(fd, HWT_IOC_START) == 0);
	CHECK(write(p[1], "g", 1) == 1);
	if (migrate) {
		cpu_set_t cs;
		char ch;

		/* At its pause, blocked in read(2): off to CPU 1. */
		CHECK(read(mp[0], &ch, 1) == 1);
		for (i = 0; i < 200 && proc_state(pid) != 'S'; i++)
			usleep(10000);
		CHECK(i < 200);
		CPU_ZERO(&cs);
		CPU_SET(1, &cs);
		CHECK(sched_setaffinity(pid, sizeof(cs), &cs) == 0);
		CHECK(write(p[1], "g", 1) == 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/*
	 * Every CPU stops (if the workload did not stop it already), and
	 * from then on no task is stepped there: not the one that entered
	 * the range, not one that comes later.
	 */
	for (i = 0; i < ncpu; i++) {
		int r1 = stop_probe(i, stopfn), r2 = stop_probe(i, NULL);

		if (r1)
			t_fail("cpu %d: the task that entered the stop range %s",
			       i, r1 == 1 ? "was still single-stepped after it (pushf saw TF)" :
			       r1 == 2 ? "did not run there" : "failed");
		if (r2)
			t_fail("cpu %d: a task that ran there after the stop %s",
			       i, r2 == 1 ? "was single-stepped (pushf saw TF)" :
			       r2 == 2 ? "did not run there" : "failed");
	}
	CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(recs_drain(fd, &r) == 0 && r.dropped == 0);
	for (i = 0; i < ncpu; i++) {
		void *m;

		memset(&bp[i], 0, sizeof(bp[i]));
		bp[i].idx = (uint32_t)i;
		CHECK(ioctl(fd, HWT_IOC_BUFPTR_GET, &bp[i]) == 0);
		CHECK(bp[i].lost == 0 && bp[i].head <= bp[i].size,
		      "cpu %d: head %llu, lost %llu", i,
		      (unsigned long long)bp[i].head,
		      (unsigned long long)bp[i].lost);
		m = mmap(NULL, bp[i].size, PROT_READ, MAP_SHARED, fd,
			 (off_t)bp[i].mmap_offset);
		CHECK(m != MAP_FAILED);
		map[i] = m == MAP_FAILED ? NULL : m;
	}
	/* The runs, in SWITCH_IN order; each ends at the next on its CPU. */
	recs_for_each(&r, h) {
		const struct hwt_rec_buffer *rb = (const void *)h;
		uint32_t ci = h->buf_idx;

		if (h->type == HWT_REC_BUFFER && (rb->flags & HWT_BUFREC_GAP))
			ngap++;
		if (h->type != HWT_REC_SWITCH_IN || ci >= (uint32_t)ncpu ||
		    !map[ci] || t_failed)
			continue;
		CHECK(h->buf_head <= bp[ci].head);
		if (open_run[ci] >= 0) {
			CHECK(h->buf_head >= runs[open_run[ci]].s);
			runs[open_run[ci]].e = h->buf_head;
		}
		if (nruns == cap) {
			cap = cap ? 2 * cap : 256;
			runs = realloc(runs, (size_t)cap * sizeof(*runs));
			if (!runs)
				abort();
		}
		runs[nruns] = (struct stop_run){
			.ci = (int)ci, .pid = h->pid, .tid = h->tid,
			.th = h->pid != pid ? -1 : h->tid == pid ? 0 : 1,
			.s = h->buf_head, .e = h->buf_head };
		open_run[ci] = nruns++;
	}
	for (i = 0; i < ncpu; i++)
		if (open_run[i] >= 0)
			runs[open_run[i]].e = bp[i].head;
	/* A stop is not a loss: no gap record (docs/intel-pt.md). */
	CHECK(ngap == 0);
	CHECK(nruns > 0);
	/* Each CPU's last bytes: where its TraceStop must be, at the end. */
	for (k = 0; k < nruns; k++)
		if (runs[k].e > runs[k].s)
			last[runs[k].ci] = k;
	printf("SOFTDUMP %s binary pt_emu\n", tag);
	printf("SOFTDUMP %s ncpu %d\n", tag, ncpu);
	for (i = 0; i < ncpu; i++) {
		const struct stop_run *l = last[i] >= 0 ? &runs[last[i]] : NULL;

		if (!l)
			t_fail("cpu %d wrote nothing", i);
		if (!l || !map[i]) {
			printf("SOFTDUMP %s cpulast %d\n", tag, i);
			continue;
		}
		printf("INFO: pt_emu/%s: cpu %d: head %llu, last bytes %llu..%llu (pid %d tid %d%s)\n",
		       tag, i, (unsigned long long)bp[i].head,
		       (unsigned long long)l->s, (unsigned long long)l->e,
		       (int)l->pid, (int)l->tid,
		       l->th == 0 ? ", the workload's main thread" :
		       l->th == 1 ? ", the workload's second thread" : "");
		dump_cpu_bytes(tag, i, map[i] + l->s, l->e - l->s);
	}
	/*
	 * Each workload thread's runs: live (its CPU had not stopped by
	 * the run's end), stop (its CPU's last bytes), after (its CPU had
	 * stopped: no bytes).
	 */
	for (k = 0; k < nruns && !t_failed; k++) {
		const struct stop_run *x = &runs[k];
		const char *cls;
		uint64_t b;

		if (x->th < 0)
			continue;
		if (k == last[x->ci])
			cls = "stop";
		else if (k > last[x->ci])
			cls = "after";
		else
			cls = "live";
		if (cls[0] == 'l')
			nlive[x->th]++;
		if (cls[0] == 'a')
			nafter[x->th]++;
		printf("SOFTDUMP %s %d seg %zu %s\n", tag, x->th,
		       bytes[x->th].n, cls);
		for (b = x->s; b < x->e; b++)
			u64v_push(&bytes[x->th], map[x->ci][b]);
	}
	printf("INFO: pt_emu/%s: %d runs on %d CPUs; main thread %d live + %d after a stop, %zu bytes; second thread %d + %d, %zu bytes\n",
	       tag, nruns, ncpu, nlive[0], nafter[0], bytes[0].n, nlive[1],
	       nafter[1], bytes[1].n);
	for (i = 0; i < NTHREADS; i++) {
		uint8_t *b = malloc(bytes[i].n + 1);
		size_t n;

		for (n = 0; n < bytes[i].n; n++)
			b[n] = (uint8_t)bytes[i].v[n];
		dump_hex(tag, i, "pt", b, bytes[i].n);
		free(b);
		free(bytes[i].v);
	}
	for (i = 0; i < ngt; i++)
		dump_gt(tag, i, &g[i]);
	printf("SOFTDUMP %s marker %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)soft_marker,
	       (unsigned long long)(uintptr_t)soft_thread_end);
	printf("SOFTDUMP %s ranges 0\n", tag);
	printf("SOFTDUMP %s stop %llx %llx\n", tag,
	       (unsigned long long)(uintptr_t)stopfn,
	       (unsigned long long)(uintptr_t)stopfn);
	/* The driver never cleared a TraceStop's Stopped (33.2.4.3). */
	CHECK(emu_param("refused") == refused0);
	CHECK(emu_param("dropped") == dropped0);
	CHECK(pt_param("drain_off") == off0);
	for (i = 0; i < ncpu; i++)
		if (map[i])
			munmap((void *)map[i], bp[i].size);
	free(runs);
	recs_free(&r);
	close(fd);
	close(dev);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
	close(mp[0]);
	close(mp[1]);
	t_end();
}

struct emu_cpu {
	const char *name;
	int multi;		/* multi-entry ToPA */
	int max_ranges;
	int ptwrite;
};

static const struct emu_cpu cpus[] = {
	{ "kabylake", 1, 2, 0 },
	{ "icelake-sp", 1, 2, 0 },
	{ "broadwell-e", 0, 0, 0 },
	/* no ToPA: single-range output (33.2.7.1) over a contiguous buffer */
	{ "synthetic-single-range", 0, 1, 0 },
};

static void run_cpu(const struct emu_cpu *cpu, const struct gt *g, int ngt,
		    const struct gt *gm)
{
	struct hwt_intel_pt_config cfg;
	struct refusals rf = { cpu->max_ranges, cpu->ptwrite };
	struct trace_run r = {
		.name = "pt_emu", .binary = "pt_emu",
		.backend = HWT_INTEL_PT_BACKEND_NAME,
		.version = HWT_INTEL_PT_CONFIG_VERSION, .cfg = &cfg,
		.cfg_size = sizeof(cfg),
	};
	char name[96], tag[64], params[64];
	int i;

	snprintf(name, sizeof(name), "pt_emu/%s/load", cpu->name);
	t_begin(name);
	snprintf(params, sizeof(params), "cpu=%s", cpu->name);
	CHECK(module_load(EMU_KO, params) == 0);
	CHECK(module_load(PT_KO, "") == 0);
	t_end();
	if (t_failed) {
		module_unload("hwt_intel_pt");
		module_unload("hwt_pt_emu");
		return;
	}

	if (!cpu->multi) {
		snprintf(name, sizeof(name), "pt_emu/%s/topa_single_entry",
			 cpu->name);
		t_begin(name);
		check_topa_single();
		t_end();
		/*
		 * A 64 KiB buffer, physically contiguous: one ToPA output
		 * entry of 64 KiB followed by an END to its own table
		 * (33.2.7.2), or without ToPA the single range over all of
		 * it (33.2.7.1).
		 */
		memset(&cfg, 0, sizeof(cfg));
		cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
		snprintf(tag, sizeof(tag), "ptemu_%s_64k", cpu->name);
		r.tag = tag;
		r.bufsize = 65536;
		run_traced(&r, g, ngt);
	} else {
		/* Default config (return compression on), after refusals. */
		memset(&cfg, 0, sizeof(cfg));
		cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
		snprintf(tag, sizeof(tag), "ptemu_%s_default", cpu->name);
		r.tag = tag;
		r.before_start = refuse_first;
		r.arg = &rf;
		run_traced(&r, g, ngt);
		/* TSC, no return compression, PSB every 2K, two ranges. */
		cfg.flags |= HWT_INTEL_PT_TSC | HWT_INTEL_PT_NO_RETCOMP |
			     HWT_INTEL_PT_PSB_PERIOD;
		cfg.psb_period = 0;
		cfg.nranges = 2;
		cfg.ranges[0].start = (uintptr_t)fib;
		cfg.ranges[0].end = (uintptr_t)fib + 63;
		cfg.ranges[0].type = HWT_INTEL_PT_RANGE_FILTER;
		cfg.ranges[1].start = (uintptr_t)jump_table;
		cfg.ranges[1].end = (uintptr_t)jump_table + 200;
		cfg.ranges[1].type = HWT_INTEL_PT_RANGE_FILTER;
		r.nranges = 2;
		r.ranges[0][0] = cfg.ranges[0].start;
		r.ranges[0][1] = cfg.ranges[0].end;
		r.ranges[1][0] = cfg.ranges[1].start;
		r.ranges[1][1] = cfg.ranges[1].end;
		snprintf(tag, sizeof(tag), "ptemu_%s_tsc_psb2k_filter",
			 cpu->name);
		r.before_start = NULL;
		run_traced(&r, g, ngt);
	}
	if (cpu->max_ranges > 0) {
		/*
		 * TraceStop (33.2.4.3): ADDR0_CFG = 2 on fib's entry.  The
		 * main thread's trace ends at its first call of fib (the
		 * call decodes, fib's first instruction does not); the
		 * second thread, which never calls fib, is traced whole.
		 * The unit's Stopped stays with the main thread across its
		 * switches (no gap record, nothing written after).
		 */
		memset(&cfg, 0, sizeof(cfg));
		cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS;
		cfg.nranges = 1;
		cfg.ranges[0].start = (uintptr_t)fib;
		cfg.ranges[0].end = (uintptr_t)fib;
		cfg.ranges[0].type = HWT_INTEL_PT_RANGE_STOP;
		memset(&r.ranges, 0, sizeof(r.ranges));
		r.nranges = 0;
		r.speed = 0;
		r.before_start = NULL;
		r.bufsize = cpu->multi ? 0 : 65536;
		snprintf(tag, sizeof(tag), "ptemu_%s_tracestop", cpu->name);
		r.tag = tag;
		printf("SOFTDUMP %s stop %llx %llx\n", tag,
		       (unsigned long long)(uintptr_t)fib,
		       (unsigned long long)(uintptr_t)fib);
		run_traced(&r, g, ngt);
		r.bufsize = 0;
	}
	if (cpu->multi && !strcmp(cpu->name, "kabylake")) {
		/*
		 * ~2.5 M instructions, ~1 MB of PT without return
		 * compression: hundreds of ToPA entries filled and crossed,
		 * PSB every 2K, many switch-outs.  No ground truth: it must
		 * decode cleanly and run op_add's entry as often as the
		 * program calls it (8 in the main loop, HEAVY_CALLS more).
		 */
		memset(&cfg, 0, sizeof(cfg));
		cfg.flags = HWT_INTEL_PT_DEFAULT_FLAGS |
			    HWT_INTEL_PT_NO_RETCOMP;
		memset(&r.ranges, 0, sizeof(r.ranges));
		r.nranges = 0;
		r.speed = 1;
		snprintf(tag, sizeof(tag), "ptemu_%s_speed", cpu->name);
		printf("SOFTDUMP %s count %llx %d\n", tag,
		       (unsigned long long)(uintptr_t)op_add, 8 + HEAVY_CALLS);
		run_traced(&r, g, ngt);
		/* Seconds of tracing on one CPU: the backstop poll ran. */
		snprintf(name, sizeof(name), "pt_emu/%s/poll", cpu->name);
		t_begin(name);
		CHECK(pt_param("polls") > 0);
		t_end();
	}

	/*
	 * Streaming through INT entries needs more than one region: with
	 * Broadwell's single output entry the PMI comes when the only
	 * region is full and the unit goes on over it (33.2.7.2).
	 */
	check_kernel_perm(cpu->name);
	/*
	 * CPU mode, three times per row (switches fall differently each
	 * time): twice with the workload blocked in read(2) at START, once
	 * with it running user code on its CPU when START enables the unit
	 * there.
	 */
	for (i = 0; i < CPU_MODE_RUNS; i++)
		run_cpu_mode(cpu->name, g, ngt, i, i == CPU_MODE_RUNS - 1);
	/* TraceStop in CPU mode: Stopped is per CPU (33.2.4.3). */
	if (cpu->max_ranges > 0) {
		run_cpu_tracestop(cpu->name, g, ngt, 0);
		run_cpu_tracestop(cpu->name, gm, ngt, 1);
	}
	if (cpu->multi)
		run_streaming(cpu->name);
	run_gap(cpu->name, cpu->multi, gm, ngt, GAP_LAP);
	run_gap(cpu->name, cpu->multi, gm, ngt, GAP_ERROR);
	run_gap(cpu->name, cpu->multi, gm, ngt, GAP_BUSY);

	snprintf(name, sizeof(name), "pt_emu/%s/unit_counters", cpu->name);
	t_begin(name);
	printf("INFO: pt_emu/%s: stored %lld, refused %lld, op_errors %lld, dropped %lld, unsupported %lld, pmi %lld, reentered %lld, backend drains that left tracing off %lld\n",
	       cpu->name, emu_param("stored"), emu_param("refused"),
	       emu_param("op_errors"), emu_param("dropped"),
	       emu_param("unsupported"), emu_param("pmi"),
	       emu_param("reentered"), pt_param("drain_off"));
	CHECK(emu_param("refused") == 0);
	CHECK(emu_param("op_errors") == 0);
	CHECK(emu_param("dropped") == 0);
	CHECK(emu_param("unsupported") == 0);
	CHECK(emu_param("reentered") == 0);
	CHECK(emu_param("injected") == 1);
	CHECK(emu_param("stored") > 0);
	t_end();

	snprintf(name, sizeof(name), "pt_emu/%s/rmmod", cpu->name);
	t_begin(name);
	CHECK(module_unload("hwt_intel_pt") == 0);
	CHECK(module_unload("hwt_pt_emu") == 0);
	CHECK(access("/sys/module/hwt_pt_emu", F_OK) != 0);
	t_end();
}

int main(void)
{
	struct gt g[NTHREADS], gm[NTHREADS];
	double secs = 0;
	size_t i;
	int n, nm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(EMU_KO, F_OK) != 0) {
		printf("FAIL: pt_emu/modules (%s missing)\n", EMU_KO);
		return 1;
	}
	/* On a PT machine the real backend is loaded: not ours to replace. */
	if (access("/sys/module/hwt_intel_pt", F_OK) == 0) {
		printf("SKIP: pt_emu (hwt_intel_pt is loaded: real Intel PT)\n");
		return 0;
	}
	t_begin("pt_emu/ptrace_ground_truth");
	n = run_ptrace(g, &secs);
	CHECK(n == NTHREADS);
	t_end();
	if (n != NTHREADS)
		return 1;
	/* The gap run's variant of the workload (pt_workload.h). */
	t_begin("pt_emu/ptrace_ground_truth_gap");
	heavy = 2;
	nm = run_ptrace(gm, &secs);
	heavy = 0;
	CHECK(nm == NTHREADS);
	printf("INFO: pt_emu: gap variant ground truth %zu + %zu steps in %.1f s\n",
	       gm[0].ips.n, gm[1].ips.n, secs);
	t_end();
	if (nm != NTHREADS)
		return 1;
	for (i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		run_cpu(&cpus[i], g, n, gm);
	return t_total_failed != 0;
}
#endif /* __x86_64__ */
