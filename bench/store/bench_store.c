// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench/store: how fast trace data goes into the store, in the test VM.
 * The null backend writes a 4096-byte filler sample at every switch-in of
 * a busy target (two threads yielding on CPU 0); we record it three ways
 * and report MB/s stored, MB/s produced, and the loss, which must all be
 * accounted for (the samples' per-context sequence numbers are the ground
 * truth):
 *   drain   - this program drains and discards (the kernel's ceiling)
 *   hwtd    - through the daemon (hwt record -S)
 *   collect - hwt-collect, the one-off recorder
 * and, for scale, a bare write(2) loop of 4 MiB blocks into a new tmpfs
 * file (the guest's page-cache ceiling: under TCG the kernel's copy and
 * page allocation are emulated too).
 * Run with bench/store/run.sh (one command).
 */
#include "../../tests/vm/guest/hwtd_util.h"

#define RUN_MS		1500
#define BUFSIZE		"16M"

struct span {
	uint64_t first, last;	/* sample times, ns */
};

/* First and last sample time over a session's streams. */
static void sample_span(const char *dir, struct span *sp)
{
	static uint8_t buf[1 << 16];
	int s;

	sp->first = UINT64_MAX;
	sp->last = 0;
	for (s = 0; s < 8; s++) {
		ssize_t r;
		int fd = open_stream(dir, s);

		if (fd < 0)
			continue;
		/* Samples are SAMPLE bytes each, back to back. */
		for (off_t off = 0; (r = pread(fd, buf, sizeof(struct
				hwt_null_sample), off)) ==
				(ssize_t)sizeof(struct hwt_null_sample);
		     off += SAMPLE) {
			struct hwt_null_sample *sm = (void *)buf;

			if (sm->magic != HWT_NULL_MAGIC)
				break;
			if (sm->time < sp->first)
				sp->first = sm->time;
			if (sm->time > sp->last)
				sp->last = sm->time;
		}
		close(fd);
	}
}

/* Echo the `hwt info` line that starts with key (after its newline). */
static void info_line(const char *how, const char *key)
{
	const char *k = strstr(out, key);

	if (k)
		printf("BENCH: %-8s %.*s\n", how, (int)strcspn(k + 1, "\n"),
		       k + 1);
}

/* secs: the recording's wall time (launch to done). */
static void report(const char *how, char *dir, int rc, double wall)
{
	long long bytes, lost, n;
	struct span sp;
	uint64_t max;
	double secs;

	t_begin(how);
	CHECK(rc == 0);
	CHECK(HWT("info", dir) == 0);
	CHECK(info_totals(&bytes, &lost) == 0 && bytes > 0);
	/* Drains (chunks) and records stored: where the time goes. */
	info_line(how + 12, "\ntotal ");
	info_line(how + 12, "\nrecords ");
	n = check_samples(dir, 0, &max);
	CHECK(n > 0 && accounted(n, lost, max));
	sample_span(dir, &sp);
	secs = sp.last > sp.first ? (sp.last - sp.first) / 1e9 : 0;
	CHECK(secs > 0);
	if (t_failed) {
		t_end();
		return;
	}
	/* Per wall second of the recording, and per second of the span
	 * the stored samples cover (a lost tail shortens the span). */
	printf("BENCH: %-8s %8.1f MB/s stored, %8.1f MB/s produced (wall %.2f s);"
	       " %8.1f MB/s over the stored span (%.2f s); %5.2f%% lost, all"
	       " accounted\n", how + 12, bytes / wall / 1e6,
	       (bytes + lost) / wall / 1e6, wall, bytes / secs / 1e6, secs,
	       100.0 * lost / (bytes + lost));
	printf("PASS: %s (%.1f MB/s stored, %.2f%% lost, accounted)\n", how,
	       bytes / wall / 1e6, 100.0 * lost / (bytes + lost));
}

/* The kernel's ceiling: drain by SVC_BUF, store nothing. */
static void drain_only(void)
{
	struct hwt_bufptr bp;
	struct hwt_svc_buf svc;
	struct hwt_info info;
	uint64_t stored = 0, lost = 0;
	long long t0, t1;
	int dev = hwt_dev(), ctx, st;
	pid_t pid;

	t_begin("bench/store/drain");
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		exit(busy(RUN_MS, 0));
	}
	ctx = ctx_thread(dev, pid, 16 << 20, 0, 1 << 20);
	CHECK(ctx >= 0 && null_config(ctx, filler) == 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	t0 = now_ms();
	for (;;) {
		struct pollfd p = { ctx, POLLIN, 0 };
		uint32_t i;

		poll(&p, 1, 100);
		memset(&info, 0, sizeof(info));
		if (ioctl(ctx, HWT_IOC_INFO, &info))
			break;
		for (i = 0; i < info.nbuffers; i++) {
			memset(&bp, 0, sizeof(bp));
			bp.idx = i;
			if (ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp))
				continue;
			stored += bp.head - bp.tail;
			svc = (struct hwt_svc_buf){ .idx = i, .tail = bp.head };
			ioctl(ctx, HWT_IOC_SVC_BUF, &svc);
		}
		if (info.state == HWT_STATE_TARGET_GONE)
			break;
	}
	t1 = now_ms();
	for (uint32_t i = 0; i < info.nbuffers; i++) {
		bp = (struct hwt_bufptr){ .idx = i };
		if (!ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp))
			lost += bp.lost;
	}
	waitpid(pid, &st, 0);
	close(ctx);
	close(dev);
	CHECK(t1 > t0 && stored > 0);
	if (!t_failed)
		printf("BENCH: drain    %8.1f MB/s drained, %8.1f MB/s produced,"
		       " %5.2f%% lost, %.2f s (whole run, incl. start)\n",
		       stored / ((t1 - t0) / 1e3) / 1e6,
		       (stored + lost) / ((t1 - t0) / 1e3) / 1e6,
		       100.0 * lost / (stored + lost), (t1 - t0) / 1e3);
	t_end();
}

/* MB/s of write(2) into a new tmpfs file: what no writer can beat. */
static void page_cache_ceiling(void)
{
	static char block[4 << 20];
	long long t0;
	int fd, i;

	memset(block, 0x5a, sizeof(block));
	fd = open("/tmp/bench-ceiling", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	t0 = now_ms();
	for (i = 0; i < 64; i++)	/* 256 MiB */
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
	printf("BENCH: ceiling  %8.1f MB/s bare write(2) of 4 MiB blocks into"
	       " tmpfs (%d MiB)\n", i * 4.194304 / ((now_ms() - t0) / 1e3 +
						1e-9), i * 4);
	close(fd);
	unlink("/tmp/bench-ceiling");
}

int main(int argc, char **argv)
{
	char ms[16];
	long long t0;
	int rc;

	filler = 4096;
	traced_program(argc, argv);
	if (access("/bin/hwtd", X_OK) || access("/bin/hwt", X_OK) ||
	    find_self()) {
		printf("SKIP: bench/store (no /bin/hwtd or /bin/hwt)\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(ms, sizeof(ms), "%d", RUN_MS);
	write_null_config();
	start_hwtd();
	page_cache_ceiling();
	drain_only();
	t0 = now_ms();
	rc = HWT("record", "-S", SOCK, "-b", "null", "-s", BUFSIZE, "-c",
		 "1:/tmp/nullcfg", "-o", "/tmp/bench-hwtd", "--", self, "busy",
		 ms);
	report("bench/store/hwtd", (char *)"/tmp/bench-hwtd", rc,
	       (now_ms() - t0) / 1e3);
	system("rm -rf /tmp/bench-hwtd");
	t0 = now_ms();
	rc = run((char *const[]){ "/bin/hwt-collect", "-b", "null", "-s",
				  BUFSIZE, "-c", "1:/tmp/nullcfg", "-o",
				  "/tmp/bench-collect", "--", self, "busy", ms,
				  NULL });
	report("bench/store/collect", (char *)"/tmp/bench-collect", rc,
	       (now_ms() - t0) / 1e3);
	kill(hwtd_pid, SIGTERM);
	waitpid(hwtd_pid, NULL, 0);
	fflush(stdout);
	system("cat /tmp/busy.log");	/* how long the targets ran */
	return t_total_failed ? 1 : 0;
}
