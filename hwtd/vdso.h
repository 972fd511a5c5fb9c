/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vdso.c: the recorder's own [vdso], written into a session as the image
 * of a traced process's [vdso] mapping.  The kernel maps the same vDSO
 * image into every process of an ABI, so the recorder's copy is the
 * target's code when the two mappings have one size; a process of
 * another ABI (another size) gets none, and its vDSO stays a gap.  The
 * decoder needs it: a call into clock_gettime's vDSO code would
 * otherwise stop the decode until the next sync point.
 */
#ifndef HWTD_VDSO_H
#define HWTD_VDSO_H

#include <stdint.h>

/*
 * This process's [vdso] mapping, from /proc/self/maps.
 * Returns 0 if found (*start, *len set).
 * Returns -1 if: the maps cannot be read, or hold no [vdso].
 */
int hwtd_vdso_own(uint64_t *start, uint64_t *len);

/*
 * Writes this process's vDSO, all len bytes of it, to fd.
 * Returns 0 if written.
 * Returns -1 if: this process has no [vdso], its mapping is not len
 * bytes (the target's is of another ABI), or a write fails (errno set).
 */
int hwtd_vdso_write(int fd, uint64_t len);

#endif /* HWTD_VDSO_H */
