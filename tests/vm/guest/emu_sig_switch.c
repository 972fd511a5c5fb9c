/* SPDX-License-Identifier: BSD-2-Clause */
#if !defined(__x86_64__) && !defined(__aarch64__)
#include <stdio.h>

int main(void)
{
	printf("SKIP: %s (the emulated trace units are x86-64 and arm64 only)\n",
	       __FILE__);
	return 0;
}
#else
/*
 * An emulated trace unit in CPU mode steps whatever task runs user code
 * on a traced CPU.  On x86-64 a signal delivered to a stepped task saves
 * its RFLAGS, our TF included, in the handler's frame; the stepper's
 * rearm_work, queued by the signal_deliver probe, clears it before the
 * handler runs.  The task can be switched out between the frame's setup
 * and that work (exit_to_user_mode_loop() reschedules before it runs
 * task_work), which ends its run there; if it then comes back on a CPU
 * that does not trace it, rearm_work must still clear the frame's TF,
 * else the handler's rt_sigreturn restores TF into an untraced task: a
 * trap nobody claims, SIGTRAP.  (arm64 frames keep SPSR.SS, which arms
 * nothing without TIF_SINGLESTEP: the test runs there too.)
 *
 * Forced: a worker sends itself signals with a handler in a loop while
 * this program (on CPU 1) moves it between CPU 0, traced, and CPU 1, not
 * traced, every few milliseconds: each move is a reschedule request and
 * a migration, and some come between a frame's setup and rearm_work.
 * The ground truth is the kernel's: the worker must exit normally, not
 * die of SIGTRAP.
 */
#include "hwt_test.h"

#include "emu_unit.h"

#define MOVES		600

static volatile unsigned long *shared;	/* [0] stop, [1] handled */

static void on_usr1(int sig)
{
	(void)sig;
	shared[1]++;
}

/* Signals to itself until shared[0].  Exits 0, or 2 if setup failed. */
static void worker(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL))
		_exit(2);
	while (!shared[0])
		raise(SIGUSR1);
	_exit(0);
}

int main(void)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 1 << 20 };
	int dev, fd, i, st = 0;
	pid_t pid;

	if (!emu_present("emu/sig-switch"))
		return 0;
	emu_pin(0, 1);
	t_begin("emu/sig-switch/no-stray-step");
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		t_fail("mmap");
		return 1;
	}
	if (emu_load("setup")) {
		t_end();
		return 1;
	}
	dev = hwt_dev();
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s", BACKEND);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	if (fd >= 0)
		CHECK(ioctl(fd, HWT_IOC_START) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		worker();
	for (i = 0; i < MOVES && pid > 0; i++) {
		emu_pin(pid, i & 1 ? 1 : 0);
		usleep(1000 + 500 * (i % 5));
	}
	shared[0] = 1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		t_fail("the worker ended with status %#x%s", st,
		       WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP ?
		       " (SIGTRAP: a handler's frame kept our step)" : "");
	CHECK(shared[1] > 0);
	if (fd >= 0) {
		CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
		close(fd);
	}
	close(dev);
	emu_unload();
	t_end();
	return t_total_failed != 0;
}
#endif
