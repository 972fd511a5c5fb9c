/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers shared by the decoder objects. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

void hwt_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void *hwt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "hwt: out of memory\n");
		abort();
	}
	return q;
}

char *hwt_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(hwt_xrealloc(NULL, n), s, n);
}

const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen)
{
	struct stat st;
	void *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		hwt_seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		hwt_seterr(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	*size = (size_t)st.st_size;
	if (!st.st_size) {
		close(fd);
		/* A valid pointer for an empty file; never dereferenced. */
		return (const uint8_t *)"";
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		hwt_seterr(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	return p;
}
