/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the hwtd guest test (hwtd_daemon.c) and bench/store: a traced
 * program (busy/slow/crash), running hwtd and hwt, reading `hwt info`, and
 * the null backend's ground truth (per-context sample sequence numbers).
 */
#ifndef HWTD_UTIL_H
#define HWTD_UTIL_H

#include "hwt_test.h"

#include <pthread.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* Each user takes what it needs. */
#pragma GCC diagnostic ignored "-Wunused-function"

#define SOCK	"/tmp/hwtd.sock"
#define STATE	"/tmp/hwtd-state"
/* Null backend filler per sample; 2016: a 2048-byte sample divides the
 * rings the tests use. */
static unsigned filler = 2016;
#define SAMPLE	(sizeof(struct hwt_null_sample) + filler)

static pid_t hwtd_pid = -1;
static char self[256];

/* --- the traced program --------------------------------------------- */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int slow;		/* sleep, not yield: a bounded data rate */

static void *spin(void *arg)
{
	long long end = *(long long *)arg;
	cpu_set_t cs;

	CPU_ZERO(&cs);
	CPU_SET(0, &cs);
	sched_setaffinity(0, sizeof(cs), &cs);
	while (now_ms() < end)
		if (slow)
			usleep(500);
		else
			sched_yield();
	return NULL;
}

static int busy(int ms, int crash)
{
	long long start = now_ms(), end = start + ms;
	pthread_t t;
	FILE *f;

	pthread_create(&t, NULL, spin, &end);
	spin(&end);
	pthread_join(t, NULL);
	f = fopen("/tmp/busy.log", "a");
	if (f) {
		fprintf(f, "busy pid %d: %d ms asked, %lld ms ran\n", getpid(),
			ms, now_ms() - start);
		fclose(f);
	}
	if (crash) {
		volatile uintptr_t bad = 8;

		*(volatile int *)bad = 1;	/* SIGSEGV */
	}
	return 0;
}

/* --- running tools ---------------------------------------------------- */
static char out[65536];

/* Run argv, output (stdout+stderr) into out; the exit status. */
static int run(char *const argv[])
{
	int p[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = 0;
	close(p[0]);
	waitpid(pid, &st, 0);
	printf("  $ %s ... -> %d\n%s", argv[1] ? argv[1] : argv[0],
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define HWT(...) run((char *const[]){ "/bin/hwt", __VA_ARGS__, NULL })

/* Start argv in the background, output discarded; its pid. */
static pid_t spawn_hwt(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void start_hwtd(void)
{
	hwtd_pid = fork();
	if (hwtd_pid == 0) {
		int fd = open("/tmp/hwtd.log", O_WRONLY | O_CREAT | O_APPEND,
			      0644);

		dup2(fd, 2);
		execl("/bin/hwtd", "hwtd", "-f", "-s", SOCK, "-S", STATE, NULL);
		_exit(127);
	}
	/* Up once it answers. */
	for (int i = 0; i < 100; i++) {
		if (!run((char *const[]){ "/bin/hwt", "status", "-S", SOCK,
					  NULL }))
			return;
		usleep(50000);
	}
}

/* Wait until hwtd lists a session (the recorder started it). */
static int wait_session(const char *path)
{
	for (int i = 0; i < 200; i++) {
		if (!HWT("status", "-S", SOCK) && strstr(out, path))
			return 0;
		usleep(50000);
	}
	return -1;
}

static void write_null_config(void)
{
	struct hwt_null_config c = { .filler = filler };
	int fd = open("/tmp/nullcfg", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, &c, sizeof(c)) != sizeof(c))
		abort();
	close(fd);
}

/* "key  value" of hwt info output, as a number (-1: absent). */
static long long info_num(const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s ", key);
	p = strstr(out, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static int info_has(const char *s)
{
	return strstr(out, s) != NULL;
}

/* Totals of hwt info: bytes and lost. */
static int info_totals(long long *bytes, long long *lost)
{
	const char *p = strstr(out, "\ntotal ");

	return !p || sscanf(p, "\ntotal %lld bytes, %*d chunks, %lld", bytes,
			    lost) != 2 ? -1 : 0;
}

/* SESSION/stream-N.bin, read-only; -1 if there is none. */
static int open_stream(const char *dir, int n)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/stream-%d.bin", dir, n);
	return open(path, O_RDONLY);
}

/*
 * The null backend's ground truth: each stream file is whole samples with
 * the magic, per-context seqs increasing.  Returns samples seen and the
 * highest seq; -1 on a bad sample.
 */
static long long check_samples(const char *dir, int partial_ok,
			       uint64_t *max_seq)
{
	static uint8_t buf[1 << 16];
	long long n = 0;
	int s;

	*max_seq = 0;
	for (s = 0; s < 8; s++) {
		uint64_t last = 0;
		size_t have = 0;
		ssize_t r;
		int fd = open_stream(dir, s);

		if (fd < 0)
			continue;
		while ((r = read(fd, buf + have, sizeof(buf) - have)) > 0 ||
		       have >= SAMPLE) {
			size_t off = 0;

			have += r > 0 ? (size_t)r : 0;
			while (have - off >= SAMPLE) {
				struct hwt_null_sample *sm = (void *)(buf + off);

				if (sm->magic != HWT_NULL_MAGIC ||
				    sm->filler != filler || sm->seq <= last) {
					if (!partial_ok || n) {
						close(fd);
						return -1;
					}
					off += 8;	/* ring start mid-sample */
					continue;
				}
				last = sm->seq;
				if (sm->seq > *max_seq)
					*max_seq = sm->seq;
				n++;
				off += SAMPLE;
			}
			memmove(buf, buf + off, have - off);
			have -= off;
			if (r <= 0)
				break;
		}
		close(fd);
		if (have && !partial_ok)
			return -1;	/* a torn sample */
	}
	return n;
}

/*
 * Zero unaccounted loss: the null backend numbers its samples per context,
 * so every sequence number up to the highest stored is either stored or
 * inside a counted loss (a loss at the very end has no stored successor:
 * it can only be counted, which "lost" covers too).
 */
static int accounted(long long n, long long lost, uint64_t max)
{
	long long lost_samples = lost / (long long)SAMPLE;

	if (lost % (long long)SAMPLE || n > (long long)max)
		return 0;
	return lost ? lost_samples >= (long long)max - n : n == (long long)max;
}

/* argv names a traced-program mode: run it and exit. */
/* PID's Cpus_allowed_list from /proc/PID/status (0: this process) into
 * buf, "" if it cannot be read. */
static void cpus_allowed(pid_t pid, char *buf, size_t len)
{
	char path[64], line[256];
	FILE *f;

	buf[0] = 0;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			snprintf(buf, len, "%s", line + 18 +
				 strspn(line + 18, " \t"));
			buf[strcspn(buf, "\n")] = 0;
		}
	if (f)
		fclose(f);
}

static void traced_program(int argc, char **argv)
{
	if (argc != 3)
		return;
	if (!strcmp(argv[1], "busy"))
		exit(busy(atoi(argv[2]), 0));
	if (!strcmp(argv[1], "crash"))
		exit(busy(atoi(argv[2]), 1));
	if (!strcmp(argv[1], "slow")) {
		slow = 1;
		exit(busy(atoi(argv[2]), 0));
	}
	if (!strcmp(argv[1], "mapexec")) {
		/* Map a file executable (an MMAP record: hwtd copies it
		 * into the session) and exit at once. */
		int fd = open(argv[2], O_RDONLY);
		struct stat sb;

		if (fd < 0 || fstat(fd, &sb) ||
		    mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_EXEC,
			 MAP_PRIVATE, fd, 0) == MAP_FAILED)
			exit(1);
		exit(0);
	}
	if (!strcmp(argv[1], "affinity")) {
		/* Where this program, its recorder (the parent) and hwtd
		 * (pid argv[2]) may run, while it is traced. */
		char a[128], b[128], c[128];
		FILE *f = fopen("/tmp/affinity.txt", "w");

		cpus_allowed(0, a, sizeof(a));
		cpus_allowed(getppid(), b, sizeof(b));
		cpus_allowed(atoi(argv[2]), c, sizeof(c));
		exit(!f || fprintf(f, "self %s\nparent %s\nhwtd %s\n", a, b,
				   c) < 0 || fclose(f));
	}
	if (!strcmp(argv[1], "burst")) {
		/* Traced from here on: say who we are, then wait for the
		 * test's go before the busy part. */
		FILE *f = fopen("/tmp/burst.pid.tmp", "w");

		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) ||
		    rename("/tmp/burst.pid.tmp", "/tmp/burst.pid"))
			exit(1);
		while (access("/tmp/burst.go", F_OK))
			usleep(1000);
		exit(busy(atoi(argv[2]), 0));
	}
}

/* The path of this program, for re-executing it as the target. */
static int find_self(void)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = 0;
	return 0;
}

#endif /* HWTD_UTIL_H */
