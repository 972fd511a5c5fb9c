/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c: small helpers of every decoder object (memory that never
 * fails halfway, whole-file maps), and the one error idiom (hwt_err.h).
 */
#ifndef HWT_DECODER_UTIL_H
#define HWT_DECODER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "hwt_err.h"

#define HWT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *hwt_xrealloc(void *p, size_t n);	/* aborts on OOM: never a partial state */
char *hwt_xstrdup(const char *s);
/* Maps a whole file read-only (a path the user named: symlinks followed,
 * but never a FIFO or a device); returns NULL (err set) on failure. */
const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen);
/* Maps the whole regular file fd (not closed); shown names it. */
const uint8_t *hwt_map_fd(int fd, const char *shown, size_t *size,
			  char *err, size_t errlen);

#endif /* HWT_DECODER_UTIL_H */
