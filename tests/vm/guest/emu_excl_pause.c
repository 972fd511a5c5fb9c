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
 * The arm64 stepper runs a load/store-exclusive sequence at full speed,
 * stepping off, with user hardware breakpoints at its exits and
 * debug.suspended_step set, so that the kernel's step over the exit it
 * hits reaches the step hooks.  If the task's run ends in the middle of
 * that (a context switch pauses it in CPU mode, the unit stops, tracing
 * ends) and the task then runs the sequence on untraced, its step over
 * the exit must not fall through to the hooks: they no longer want it,
 * and the kernel would send SIGTRAP.
 *
 * Forced in CPU mode over the emulated unit (hwt_cs_emu under
 * hwt_coresight): a child's thread pinned to traced CPU 0 runs an atomic
 * add (LDXR/ADD/STXR/CBNZ, no LSE) on a page registered with
 * userfaultfd, so the LDXR of the step-over faults and the thread sleeps
 * in the kernel in mid-sequence; its switch-out pauses it (the context
 * runs); STOP; then the fault is resolved, the thread finishes the
 * sequence untraced, hits the exit breakpoint still in place, and runs
 * on.  The ground truth is the kernel's: the child must exit normally,
 * not die of SIGTRAP.
 */
#include "hwt_test.h"

#include <linux/userfaultfd.h>
#include "emu_unit.h"

static volatile unsigned long *page;
static int go_rd;

/*
 * On traced CPU 0: into the faulting step-over, then seven more adds.
 * Returns NULL; ends the process (status 2) if the go pipe fails.
 */
static void *adder(void *arg)
{
	char c;
	int i;

	(void)arg;
	emu_pin(0, 0);
	if (read(go_rd, &c, 1) != 1)
		_exit(2);
	for (i = 0; i < 8; i++)
		emu_excl_add(page);
	return NULL;
}

/*
 * The child: the adder thread, and this thread (CPU 1) serving its
 * fault.  Tells the parent (fd up) once the adder sleeps in the fault,
 * resolves it when the parent says so (fd down).  Exits 0 if the adder
 * finished with the page at 8, else 1..6.
 */
static void child(int go, int up, int down)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zp = { .mode = 0 };
	struct uffd_msg msg;
	pthread_t th;
	int uffd;
	char c;

	emu_pin(0, 1);
	go_rd = go;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (page == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		_exit(3);
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&th, NULL, adder, NULL))
		_exit(4);
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		_exit(5);
	/* Asleep in the fault: switched out, as far as it goes. */
	usleep(100000);
	if (write(up, "f", 1) != 1 || read(down, &c, 1) != 1)
		_exit(6);
	zp.range.start = (uintptr_t)page;
	zp.range.len = 4096;
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp))
		_exit(6);
	pthread_join(th, NULL);
	_exit(*page == 8 ? 0 : 1);
}

int main(void)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 1 << 20 };
	int go[2], up[2], down[2], dev, fd, st = 0;
	pid_t pid;
	char c;

	if (!emu_present("emu/excl-pause"))
		return 0;
	emu_pin(0, 1);
	t_begin("emu/excl-pause/no-stray-step");
	if (pipe(go) || pipe(up) || pipe(down)) {
		t_fail("pipe");
		return 1;
	}
	if (emu_load("setup")) {
		t_end();
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child(go[0], up[1], down[0]);
	dev = hwt_dev();
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s",
		 BACKEND);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	if (fd >= 0)
		CHECK(ioctl(fd, HWT_IOC_START) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(read(up[0], &c, 1) == 1);
	if (fd >= 0)
		CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(write(down[1], "r", 1) == 1);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		t_fail("the child ended with status %#x%s", st,
		       WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP ?
		       " (SIGTRAP: a step-over's step fell through)" : "");
	if (fd >= 0)
		close(fd);
	close(dev);
	emu_unload();
	t_end();
	return t_total_failed != 0;
}
#endif
