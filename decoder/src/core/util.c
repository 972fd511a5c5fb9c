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

char *hwt_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(hwt_xrealloc(NULL, n), s, n);
}

const uint8_t *hwt_map_fd(int fd, const char *shown, size_t *size,
			  char *err, size_t errlen)
{
	struct stat st;
	void *p;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		hwt_errf(err, errlen, "%s: not a regular file", shown);
		return NULL;
	}
	*size = (size_t)st.st_size;
	if (!st.st_size)	/* a valid pointer, never dereferenced */
		return (const uint8_t *)"";
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		hwt_errf(err, errlen, "%s: mmap: %s", shown, strerror(errno));
		return NULL;
	}
	return p;
}

const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen)
{
	static const struct hwt_file_policy named = { .follow = 1 };
	const uint8_t *p;
	int fd;

	fd = hwt_open_checked(AT_FDCWD, path, path, &named, NULL, err, errlen);
	if (fd < 0)
		return NULL;
	p = hwt_map_fd(fd, path, size, err, errlen);
	close(fd);
	return p;
}
