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
 * An emulated trace unit in CPU mode (x86-64: hwt_pt_emu under
 * hwt_intel_pt; arm64: hwt_cs_emu under hwt_coresight) single-steps
 * whatever task runs user code on a traced CPU.  A task that is in the
 * kernel when STOP comes and then sleeps there must not come back to user
 * mode still armed for a step (TF; TIF_SINGLESTEP and SPSR.SS) once the
 * unit's module is gone: no hook would take the trap and the task would
 * die of SIGTRAP (seen once as init's death in the arm64 VM).
 *
 * The window, forced: a task pinned to traced CPU 0 reads /dev/zero in
 * big chunks, so it is almost always in the kernel; STOP comes while it
 * is inside a read; its cgroup is then frozen, which ends that read and
 * parks the task on its way back to user mode (get_signal's freezer
 * trap: no signal is delivered, so no signal hook of the stepper runs),
 * off the CPU, after STOP; the context is closed, both modules unload,
 * and the cgroup is thawed.  The ground truth is the kernel's: waitpid()
 * must report a normal exit, not SIGTRAP.  A few rounds, since a switch
 * on CPU 0 before STOP (a kernel worker) may pause the task early and
 * hide the window in one round.
 */
#include "hwt_test.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include "emu_unit.h"

#define ROUNDS		4
#define CHUNK		(32u << 20)
#define CG		"/sys/fs/cgroup/hwt-emu-stop-unload"

/* Write s to the file at path.  Returns 0, or -1 if it could not. */
static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * Freeze (1) or thaw (0) the cgroup and wait until cgroup.events says it
 * is so.  Returns 0, or -1 if it did not come to that within 5 s.
 */
static int cg_freeze(int on)
{
	char buf[256], want[16];
	ssize_t n;
	int i, fd;

	if (put(CG "/cgroup.freeze", on ? "1" : "0"))
		return -1;
	snprintf(want, sizeof(want), "frozen %d", on);
	for (i = 0; i < 500; i++) {
		fd = open(CG "/cgroup.events", O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			if (strstr(buf, want))
				return 0;
		}
		usleep(10000);
	}
	return -1;
}

/*
 * The task: on CPU 0, in the kernel nearly all the time, until *done.
 * Exits 0 then, 2 if its setup failed, 3 if a read did.
 */
static void reader(int go, volatile int *done)
{
	char *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int zero = open("/dev/zero", O_RDONLY);
	char c;

	emu_pin(0, 0);
	if (buf == MAP_FAILED || zero < 0 || read(go, &c, 1) != 1)
		_exit(2);
	while (!*done)
		if (read(zero, buf, CHUNK) < 0 && errno != EINTR)
			_exit(3);
	_exit(0);
}

/* Returns 1 if the round's reader exited normally, 0 if not (reported). */
static int round_once(int r)
{
	struct hwt_alloc a = { .mode = HWT_MODE_CPU, .bufsize = 1 << 20 };
	volatile int *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2], dev, fd = -1, st = 0, ok = 1;
	char cg[32], what[16];
	pid_t pid;

	if (done == MAP_FAILED || pipe(go)) {
		t_fail("round %d: mmap or pipe", r);
		return 0;
	}
	*done = 0;
	snprintf(what, sizeof(what), "round %d", r);
	if (emu_load(what))
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		reader(go[0], done);
	}
	close(go[0]);
	snprintf(cg, sizeof(cg), "%d", (int)pid);
	CHECK(put(CG "/cgroup.procs", cg) == 0);
	dev = hwt_dev();
	a.cpu_map[0] = 1;
	snprintf(a.backend, sizeof(a.backend), "%s", BACKEND);
	fd = ioctl(dev, HWT_IOC_ALLOC, &a);
	CHECK(fd >= 0);
	if (fd >= 0)
		CHECK(ioctl(fd, HWT_IOC_START) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	/* Stepped from its switch-in on CPU 0; then deep in its reads. */
	usleep(300000);
	if (fd >= 0)
		CHECK(ioctl(fd, HWT_IOC_STOP) == 0);
	CHECK(cg_freeze(1) == 0);
	if (fd >= 0)
		close(fd);
	close(dev);
	emu_unload();
	*done = 1;
	CHECK(cg_freeze(0) == 0);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		t_fail("round %d: the reader ended with status %#x%s", r, st,
		       WIFSIGNALED(st) && WTERMSIG(st) == SIGTRAP ?
		       " (SIGTRAP: still armed for a step)" : "");
		ok = 0;
	}
	close(go[1]);
	munmap((void *)done, 4096);
	return ok && !t_failed;
}

int main(void)
{
	int r;

	if (!emu_present("emu/stop-unload"))
		return 0;
	/* Off the traced CPU: this program is not to be stepped. */
	emu_pin(0, 1);
	t_begin("emu/stop-unload/no-stray-step");
	mkdir("/sys/fs/cgroup", 0755);
	if (mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) &&
	    errno != EBUSY)
		t_fail("mount cgroup2: %s", strerror(errno));
	if (!t_failed && mkdir(CG, 0755) && errno != EEXIST)
		t_fail("mkdir %s: %s", CG, strerror(errno));
	for (r = 0; r < ROUNDS && !t_failed; r++)
		round_once(r);
	rmdir(CG);
	t_end();
	return t_total_failed != 0;
}
#endif
