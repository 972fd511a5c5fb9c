/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers shared by the decoder objects. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

char *hwt_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(hwt_xrealloc(NULL, n), s, n);
}
