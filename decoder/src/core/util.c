/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers shared by the decoder objects. */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "store_io.h"

void *hwt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "hwt: out of memory\n");
		abort();
	}
	return q;
}

void *hwt_xzalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		fprintf(stderr, "hwt: out of memory\n");
		abort();
	}
	return memset(hwt_xrealloc(NULL, n * size), 0, n * size);
}

int hwt_usable_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		n = CPU_COUNT(&set);
		if (n > 0)
			return n;
	}
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

void hwt_thread_nice(int inc)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, tid);
	if (cur == -1 && errno)
		return;
	(void)setpriority(PRIO_PROCESS, tid, cur + inc);
}

char *hwt_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(hwt_xrealloc(NULL, n), s, n);
}
