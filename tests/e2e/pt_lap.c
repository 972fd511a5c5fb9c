/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel PT streaming with a lap, recorded by hwt-collect (tests/e2e/
 * pt_lap.sh): a 4 KiB buffer on the emulated unit.  The program stops
 * its collector (its parent) with SIGSTOP, runs ~60 KB of trace without
 * return compression (the unit laps the unread buffer many times),
 * lets the collector go on (SIGCONT), sleeps while it drains, and ends
 * with a tail that calls tail_fn exactly TAIL_CALLS times after the loss,
 * then exit_group (libc's exit path would lap the small buffer again).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WORK_CALLS	20000
#define TAIL_CALLS	40

static volatile long sink;

__attribute__((noinline)) static long work_fn(long v)
{
	return v * 3 + 1;
}

__attribute__((noinline)) static long tail_fn(long v)
{
	return v ^ 5;
}

int main(void)
{
	pid_t collector = getppid();
	long v = 0, i;

	kill(collector, SIGSTOP);
	for (i = 0; i < WORK_CALLS; i++)
		v = work_fn(v);
	kill(collector, SIGCONT);
	{
		struct timespec ts = { 1, 0 };

		nanosleep(&ts, NULL);
	}
	for (i = 0; i < TAIL_CALLS; i++)
		v = tail_fn(v);
	sink = v;
	syscall(SYS_exit_group, 0);
	return 0;
}
