// SPDX-License-Identifier: BSD-2-Clause
/* vdso.c: this process's vDSO found and written whole, never another
 * size's. */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "../vdso.h"
#include "../../tests/lib/unit.h"

/* Found where the kernel says it put it (AT_SYSINFO_EHDR), whole pages. */
static void test_own(void)
{
	uint64_t start = 0, len = 0;

	UNIT_CHECK(hwtd_vdso_own(&start, &len) == 0);
	UNIT_CHECK(start == getauxval(AT_SYSINFO_EHDR));
	UNIT_CHECK(len > 0 && len % (uint64_t)sysconf(_SC_PAGESIZE) == 0);
}

/* Written: exactly the mapping's bytes, an ELF file (a DSO). */
static void test_write(void)
{
	char path[] = "/tmp/hwtd-vdso-XXXXXX";
	uint64_t start = 0, len = 0;
	unsigned char *buf;
	int fd = mkstemp(path);

	UNIT_CHECK(fd >= 0 && hwtd_vdso_own(&start, &len) == 0);
	if (fd < 0 || !len)
		return;
	unlink(path);
	UNIT_CHECK(hwtd_vdso_write(fd, len) == 0);
	UNIT_CHECK(lseek(fd, 0, SEEK_END) == (off_t)len);
	buf = malloc(len);
	UNIT_CHECK(buf && pread(fd, buf, len, 0) == (ssize_t)len);
	if (buf) {
		UNIT_CHECK(!memcmp(buf, (void *)(uintptr_t)start, len));
		UNIT_CHECK(!memcmp(buf, ELFMAG, SELFMAG) &&
			   ((Elf64_Ehdr *)buf)->e_type == ET_DYN);
	}
	free(buf);
	close(fd);
}

/* A mapping of another size (another ABI's vDSO): nothing written. */
static void test_other_size(void)
{
	char path[] = "/tmp/hwtd-vdso-XXXXXX";
	uint64_t start = 0, len = 0;
	int fd = mkstemp(path);

	UNIT_CHECK(fd >= 0 && hwtd_vdso_own(&start, &len) == 0);
	if (fd < 0)
		return;
	unlink(path);
	UNIT_CHECK(hwtd_vdso_write(fd, len + 4096) == -1);
	UNIT_CHECK(hwtd_vdso_write(fd, len - 4096) == -1);
	UNIT_CHECK(lseek(fd, 0, SEEK_END) == 0);
	close(fd);
}

int main(void)
{
	UNIT_RUN(test_own(), "hwtd/vdso/own-is-auxv-sysinfo-ehdr");
	UNIT_RUN(test_write(), "hwtd/vdso/written-whole-elf");
	UNIT_RUN(test_other_size(), "hwtd/vdso/other-size-refused");
	return unit_failed ? 1 : 0;
}
