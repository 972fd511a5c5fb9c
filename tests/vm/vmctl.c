// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmctl: the guest side of tests/vm/run.sh's channels to the host.
 *
 *   vmctl exit N        end the VM; QEMU exits with status (N << 1) | 1
 *   vmctl append FILE   copy stdin to FILE on the host (arm64 only)
 *   vmctl seed FILE     credit FILE's bytes (host randomness) to the
 *                       kernel's RNG, so that it is ready at boot
 *
 * x86-64 exits through QEMU's isa-debug-exit device (port 0xf4), which
 * makes QEMU exit with (N << 1) | 1.  arm64 exits through semihosting
 * SYS_EXIT and passes (N << 1) | 1 itself, so the host decodes both the
 * same way and a plain reboot or panic (status 0) never looks like a pass.
 * arm64's virt machine has one UART, so results and dmesg go to host files
 * through semihosting SYS_OPEN/SYS_WRITE (QEMU's cwd is the run directory).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <linux/random.h>
#if defined(__x86_64__)
#include <sys/io.h>
#endif

#if defined(__aarch64__)
#define SYS_OPEN	0x01
#define SYS_CLOSE	0x02
#define SYS_WRITE	0x05
#define SYS_SEEK	0x0a
#define SYS_FLEN	0x0c
#define SYS_EXIT	0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define SH_MODE_AB	9	/* fopen mode "ab" */

static long semihost(long op, void *arg)
{
	register long x0 __asm__("x0") = op;
	register void *x1 __asm__("x1") = arg;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

static int host_append(const char *path)
{
	static char buf[4096];
	uint64_t open_arg[3] = { (uintptr_t)path, SH_MODE_AB, strlen(path) };
	uint64_t arg[3];
	long h = semihost(SYS_OPEN, open_arg);
	ssize_t n;

	if (h < 0) {
		fprintf(stderr, "vmctl: semihosting open %s failed\n", path);
		return 1;
	}
	/* QEMU 7.2 ignores the append mode: seek to the end ourselves. */
	arg[0] = h;
	arg[1] = semihost(SYS_FLEN, arg);
	if ((long)arg[1] < 0 || semihost(SYS_SEEK, arg) != 0) {
		fprintf(stderr, "vmctl: semihosting seek failed\n");
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		arg[0] = h;
		arg[1] = (uintptr_t)buf;
		arg[2] = n;
		/* Returns the number of bytes NOT written. */
		if (semihost(SYS_WRITE, arg) != 0) {
			fprintf(stderr, "vmctl: semihosting write failed\n");
			return 1;
		}
	}
	arg[0] = h;
	semihost(SYS_CLOSE, arg);
	return n < 0;
}
#endif

/* Results leave through serial ports on x86: let them drain first. */
static void drain_ttys(void)
{
	static const char *const ttys[] = { "/dev/ttyS1", "/dev/ttyS2" };

	for (size_t i = 0; i < sizeof(ttys) / sizeof(ttys[0]); i++) {
		int fd = open(ttys[i], O_WRONLY | O_NOCTTY | O_NONBLOCK);

		if (fd >= 0) {
			tcdrain(fd);
			close(fd);
		}
	}
}

static int vm_exit(int code)
{
	unsigned int status = ((unsigned int)code << 1) | 1;

	sync();
	drain_ttys();
#if defined(__x86_64__)
	if (ioperm(0xf4, 4, 1) == 0)
		outl((unsigned int)code, 0xf4);
	(void)status;
#elif defined(__aarch64__)
	uint64_t arg[2] = { ADP_STOPPED_APPLICATION_EXIT, status };

	semihost(SYS_EXIT, arg);
#endif
	fprintf(stderr, "vmctl: exit %d did not stop the VM: %s\n", code,
		strerror(errno));
	return 1;
}

/*
 * Credits the bytes of path (the host's /dev/urandom, put in the
 * initramfs) to the RNG (RNDADDENTROPY), so "crng init done" comes now
 * and not minutes later in the middle of a test: the static key that
 * flips then is patched with int3 (text_poke_bp), and with both vCPUs
 * in getrandom() under TCG that once locked up both (soft lockups at
 * __x64_sys_getrandom+0x73, seen twice).
 * Returns 0 if credited, 1 if not (the message says why).
 */
static int seed(const char *path)
{
	struct {
		struct rand_pool_info info;
		uint8_t buf[64];
	} r;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	n = fd >= 0 ? read(fd, r.buf, sizeof(r.buf)) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 32) {
		fprintf(stderr, "vmctl: seed %s: too short or unreadable\n",
			path);
		return 1;
	}
	r.info.entropy_count = (int)n * 8;
	r.info.buf_size = (int)n;
	fd = open("/dev/random", O_WRONLY);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &r.info) < 0) {
		fprintf(stderr, "vmctl: seed: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "seed"))
		return seed(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		return vm_exit(atoi(argv[2]));
#if defined(__aarch64__)
	if (argc == 3 && !strcmp(argv[1], "append"))
		return host_append(argv[2]);
#endif
	fprintf(stderr, "usage: vmctl exit N | vmctl append HOSTFILE |"
		" vmctl seed FILE\n");
	return 2;
}
