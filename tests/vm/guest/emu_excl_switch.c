/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__aarch64__)
#include <stdio.h>

int main(void)
{
	printf("SKIP: %s (exclusive step-overs are the arm64 stepper's)\n",
	       __FILE__);
	return 0;
}
#else
/*
 * The arm64 stepper's excl_work sets up a step-over of a load/store-
 * exclusive sequence: it registers or moves user hardware breakpoints at
 * the sequence's exits (which sleeps: perf's mutexes, allocations), then
 * turns stepping off and sets debug.suspended_step so that the step over
 * the exit reaches the step hooks.  In CPU mode a context switch during
 * that sleep may end the task's run (a pause while the unit is on, a halt
 * once it is off).  If the work then armed the step-over anyway, the run
 * would be over with suspended_step set: at the exit, the kernel's step
 * over the breakpoint falls through to the hooks, which no longer want
 * it (or, after rmmod, are gone): SIGTRAP, as init died of in the arm64
 * VM.
 *
 * Forced: a worker pinned to traced CPU 0 runs atomic adds (LDXR/ADD/
 * STXR/CBNZ, no LSE), each one a step-over; a task on CPU 1 opens and
 * closes hardware breakpoints without pause, so perf's breakpoint mutex
 * is contended and the worker's excl_work often sleeps there; a hog on
 * CPU 0 makes it switch out at its might-sleep points.  The context is
 * started and stopped over and over, so the worker's run ends in that
 * sleep at some STOP and no switch-in after STOP resumes it.  The ground
 * truth is the kernel's: the worker must exit normally, not of SIGTRAP.
 */
#include "hwt_test.h"

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include "emu_unit.h"
#define ROUNDS		40

/* Children run until *stop; the worker counts its adds in *count. */
static volatile unsigned long *stop, *count;

/* On CPU 0: step-overs, one after the other.  Exits 0 at *stop. */
static void worker(void)
{
	emu_pin(0, 0);
	while (!*stop)
		emu_excl_add(count);
	_exit(0);
}

/* On CPU 0, untraced work to switch to: a loop.  Exits 0 at *stop. */
static void hog(void)
{
	emu_pin(0, 0);
	while (!*stop)
		;
	_exit(0);
}

/*
 * On CPU 1: a user hardware breakpoint (on this function) opened and
 * closed over and over, contending perf's breakpoint slots.  Exits 0 at
 * *stop, 2 if no breakpoint can be opened.
 */
static void contender(void)
{
	struct perf_event_attr attr;
	int fd, n = 0;

	emu_pin(0, 1);
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_X;
	attr.bp_addr = (uintptr_t)contender;
	attr.bp_len = 4;
	attr.exclude_kernel = 1;
	while (!*stop) {
		fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
		if (fd < 0 && !n)
			_exit(2);
		if (fd >= 0) {
			close(fd);
			n++;
		}
	}
	_exit(0);
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fn();
	return pid;
}

/* Returns 0 if the child exited 0; reports and returns -1 if not. */
static int reap(pid_t pid, const char *name)
{
	int st = 0;

	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)
		return 0;
	t_fail("the %s ended with status %#x%s", name, st,
	       WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP ?
	       " (SIGTRAP: a step-over's step fell through)" : "");
	return -1;
}

int main(void)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 1 << 20 };
	pid_t wpid, hpid, cpid;
	int dev, fd, r;

	if (!emu_present("emu/excl-switch"))
		return 0;
	emu_pin(0, 1);
	t_begin("emu/excl-switch/no-stray-step");
	stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stop == MAP_FAILED) {
		t_fail("mmap");
		return 1;
	}
	count = stop + 8;
	if (emu_load("setup")) {
		t_end();
		return 1;
	}
	dev = hwt_dev();
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 BACKEND);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	wpid = spawn(worker);
	hpid = spawn(hog);
	cpid = spawn(contender);
	for (r = 0; r < ROUNDS && fd >= 0 && !t_failed; r++) {
		CHECK(ioctl(fd, HWT_IOC_START) == 0);
		usleep(20000 + 1000 * (r % 7));
		CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
		usleep(10000);
	}
	/* Untraced now: each add's exit breakpoint, if still there, fires. */
	usleep(100000);
	*stop = 1;
	reap(wpid, "worker");
	reap(hpid, "hog");
	reap(cpid, "breakpoint contender");
	CHECK(*count > 0);
	if (fd >= 0)
		close(fd);
	close(dev);
	emu_unload();
	t_end();
	return t_total_failed != 0;
}
#endif
