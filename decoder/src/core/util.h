/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c: small helpers of every decoder object (memory that never
 * fails halfway), the one error idiom (hwt_err.h) and the hardened opens
 * and whole-file maps every reader shares (store_io.h).
 */
#ifndef HWT_DECODER_UTIL_H
#define HWT_DECODER_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "hwt_err.h"
#include "store_io.h"

#define HWT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *hwt_xrealloc(void *p, size_t n);	/* aborts on OOM: never a partial state */
char *hwt_xstrdup(const char *s);
/* n zeroed elements of size, zeroed by writing (aborts on OOM): a hash
 * table that calloc() maps fresh is probed (read) before it is written,
 * and each page then faults twice, the second time with a TLB shootdown
 * on every core of a threaded process. */
void *hwt_xzalloc(size_t n, size_t size);
/* CPUs in this process's affinity mask (taskset, cpusets), at least 1. */
int hwt_usable_cpus(void);
/* The calling thread's priority lowered by inc (Linux: nice is per
 * thread); where it cannot be, as it was.  Returns nothing. */
void hwt_thread_nice(int inc);
#endif /* HWT_DECODER_UTIL_H */
