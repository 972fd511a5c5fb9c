/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * User space's one error idiom (store, hwtd, decoder, hwt): a function
 * that can fail takes (char *err, size_t errlen), formats its message
 * there and returns -1 (or NULL): `return hwt_errf(err, errlen, ...);`.
 * An object that outlives the call (a store, a collector) keeps its last
 * message in itself, formatted the same way (hwt_verrf).
 */
#ifndef HWT_ERR_H
#define HWT_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int hwt_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* hwt_errf() with a va_list, for an object's own fail(obj, fmt, ...)
 * that keeps its last message in the object.  Returns -1 always. */
static inline int hwt_verrf(char *err, size_t errlen, const char *fmt,
			    va_list ap)
{
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	return -1;
}

/* Returns -1 always; err may be NULL (the message is dropped). */
static inline int hwt_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwt_verrf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

#endif /* HWT_ERR_H */
