// SPDX-License-Identifier: BSD-2-Clause
/*
 * Soft-backend acceptance of hwtd, run in the VM by hwtd/tests/soft/run.sh
 * through `make vm-record` (this program is the recorded one; the sessions
 * it makes go inside the session the harness brings back, under sub/).
 *
 *   driver drive [BACKEND]
 *                  records, with the soft backend (or BACKEND: coresight,
 *                  over the emulated unit hwt_cs_emu; intel_pt, over
 *                  hwt_pt_emu): the same program via
 *                  hwtd and via hwt-collect; a filter on one function; a
 *                  4 KiB flight recorder around a crash (it wraps),
 *                  through hwtd and in `hwt record -n`.
 *   driver work    the traced program: deterministic calls
 *   driver crash [N]  more work (N rounds), then a SIGSEGV on CRASH_LINE
 *   driver long    work for seconds (hwtd is killed -9 meanwhile)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hwt/hwt_coresight.h"
#include "hwt/hwt_intel_pt.h"
#include "hwt/hwt_soft.h"

#define SOCK	"/tmp/hwtd-soft.sock"
#define SUB	"/tmp/session/sub"

static volatile int sink;

/* Global (not static): hwt record -f finds them by name. */
int hot_function(int x);
int cold_function(int x);

__attribute__((noinline)) int hot_function(int x)
{
	int i, s = 0;

	for (i = 0; i < x; i++)
		s += (i & 3) ? i : -i;
	return s;
}

__attribute__((noinline)) int cold_function(int x)
{
	return x * 7 + 1;
}

/* One statement: its load of sink retires before its store faults, so the
 * last retired instruction is on the faulting line too.  (A faulting
 * instruction never retires: the trace ends with its IP in a FUP.) */
__attribute__((noinline)) static void fault(void)
{
	*(volatile int *)(uintptr_t)sink = 1;		/* CRASH_LINE */
}

static int work(int crash, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sink += hot_function(50) + cold_function(i);
	if (crash) {
		sink = 0;
		fault();
	}
	return 0;
}

static int run(char *const argv[])
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("driver: %s %s -> %d\n", argv[0], argv[1],
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fflush(stdout);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * A 4 KiB flight recorder around `self crash`, through hwtd or, local,
 * in `hwt record -n` itself (tests/hw/intel_pt.sh runs the same).
 * Intel PT: PSBFreq 0, a PSB+ every 2 KiB (the least hardware has);
 * without the soft config's PSB every 256 bytes, 3000 rounds are only
 * 1.9 KB of PT: 15000 wrap the ring.
 */
static int record_crash(const char *self, const char *be, int local,
			const char *out)
{
	int pt = !strcmp(be, HWT_INTEL_PT_BACKEND_NAME);
	char *argv[24];
	int n = 0;

	argv[n++] = "/bin/hwt";
	argv[n++] = "record";
	if (local) {
		argv[n++] = "-n";
	} else {
		argv[n++] = "-S";
		argv[n++] = SOCK;
	}
	argv[n++] = "-b";
	argv[n++] = (char *)be;
	argv[n++] = "-m";
	argv[n++] = "ring";
	argv[n++] = "-s";
	argv[n++] = "4K";
	argv[n++] = pt ? "-x" : "-c";
	argv[n++] = pt ? "psb=0" : "1:/tmp/softcfg";
	argv[n++] = "-o";
	argv[n++] = (char *)out;
	argv[n++] = "--";
	argv[n++] = (char *)self;
	argv[n++] = "crash";
	if (pt)
		argv[n++] = "15000";
	argv[n] = NULL;
	return run(argv) != 0;
}

static int drive(const char *self, const char *be)
{
	pid_t hwtd;
	int bad = 0, i;

	/* PSB+ (a sync point) every 256 bytes, so that a 4 KiB ring dump
	 * has sync points after the part the ring overwrote. */
	struct hwt_soft_config cfg = { .psb_period = 256 };
	/* coresight: TRCSYNCPR.PERIOD 8, 2^8 bytes. */
	struct hwt_coresight_config cs = {
		.flags = HWT_CORESIGHT_USER | HWT_CORESIGHT_CONTEXTID,
		.sync_period = 8,
	};
	int soft = !strcmp(be, HWT_SOFT_BACKEND_NAME);
	size_t len = soft ? sizeof(cfg) : sizeof(cs);
	int fd = open("/tmp/softcfg", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, soft ? (void *)&cfg : (void *)&cs, len) !=
	    (ssize_t)len)
		return 1;
	close(fd);
	mkdir(SUB, 0755);
	hwtd = fork();
	if (hwtd == 0) {
		execl("/bin/hwtd", "hwtd", "-f", "-s", SOCK, "-S",
		      "/tmp/hwtd-soft-state", NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && access(SOCK, F_OK); i++)
		usleep(50000);
	bad |= run((char *const[]){ "/bin/hwt", "record", "-S", SOCK, "-b",
				    (char *)be, "-o", SUB "/hwtd", "--",
				    (char *)self, "work", NULL }) != 0;
	bad |= run((char *const[]){ "/bin/hwt-collect", "-b", (char *)be, "-o",
				    SUB "/collect", "--", (char *)self, "work",
				    NULL }) != 0;
	bad |= run((char *const[]){ "/bin/hwt", "record", "-S", SOCK, "-b",
				    (char *)be, "-f", "hot_function", "-o",
				    SUB "/filter", "--", (char *)self, "work",
				    NULL }) != 0;
	bad |= record_crash(self, be, 0, SUB "/crash");
	bad |= record_crash(self, be, 1, SUB "/crash-local");
	run((char *const[]){ "/bin/hwt", "info", SUB "/crash", NULL });

	/* kill -9 of hwtd in a busy session: what is indexed must decode. */
	{
		pid_t rec = fork();

		if (rec == 0) {
			execl("/bin/hwt", "hwt", "record", "-S", SOCK, "-b",
			      be, "-o", SUB "/killed", "--", self, "long",
			      NULL);
			_exit(127);
		}
		sleep(2);
		kill(hwtd, SIGKILL);
		waitpid(hwtd, NULL, 0);
		waitpid(rec, NULL, 0);
		bad |= run((char *const[]){ "/bin/hwt", "fsck", SUB "/killed",
					    NULL }) != 0;
		bad |= run((char *const[]){ "/bin/hwt", "info", SUB "/killed",
					    NULL }) != 0;
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "work"))
		return work(0, 20);
	if (argc == 2 && !strcmp(argv[1], "crash"))
		return work(1, 3000);	/* long enough to wrap a 4K ring */
	if (argc == 3 && !strcmp(argv[1], "crash"))
		return work(1, atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "long"))
		return work(0, 200000);	/* still running when hwtd dies */
	if (argc == 2 && !strcmp(argv[1], "drive"))
		return drive(argv[0], HWT_SOFT_BACKEND_NAME);
	if (argc == 3 && !strcmp(argv[1], "drive"))
		return drive(argv[0], argv[2]);
	fprintf(stderr, "usage: driver drive [BACKEND]|work|crash|long\n");
	return 2;
}
