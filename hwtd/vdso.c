// SPDX-License-Identifier: BSD-2-Clause
/* The recorder's own vDSO, for the session's images (vdso.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procmaps.h"
#include "hwt/hwt.h"
#include "vdso.h"

int hwtd_vdso_own(uint64_t *start, uint64_t *len)
{
	char line[4096 + 256];
	struct hwtd_procmap m;
	int found = -1;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (hwtd_procmap_parse(line, &m) ||
		    strcmp(m.path, HWT_MMAP_VDSO))
			continue;
		*start = m.start;
		*len = m.end - m.start;
		found = 0;
	}
	fclose(f);
	return found;
}

int hwtd_vdso_write(int fd, uint64_t len)
{
	uint64_t start, own, done = 0;
	ssize_t n;

	if (hwtd_vdso_own(&start, &own) || own != len) {
		errno = ENOENT;
		return -1;
	}
	while (done < len) {
		n = write(fd, (const char *)(uintptr_t)start + done,
			  len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (uint64_t)n;
	}
	return 0;
}
