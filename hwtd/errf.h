/* SPDX-License-Identifier: BSD-2-Clause */
/* hwtd's one error idiom: format a message into err, return -1. */
#ifndef HWTD_ERRF_H
#define HWTD_ERRF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int hwtd_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int hwtd_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif /* HWTD_ERRF_H */
