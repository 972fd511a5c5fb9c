/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Trace contexts and who allocates them (docs/security.md).  The kernel
 * decides who may trace what: HWT_IOC_ALLOC checks the CALLER's rights
 * (ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS) for a process,
 * CAP_PERFMON or CAP_SYS_ADMIN for CPUs).  So the client allocates with
 * its own credentials and hands the context fd to hwtd over the control
 * socket (SCM_RIGHTS); hwtd never allocates on anyone's behalf, it only
 * checks that the fd it was given is the context the request describes.
 */
#ifndef HWTD_CTX_H
#define HWTD_CTX_H

#include <stddef.h>

#include "proto.h"

#define HWTD_RECQ_DEFAULT	(1u << 20)
#define HWTD_BUFSIZE_DEFAULT	(4u << 20)

/*
 * Allocate the context r describes (target, backend, mode, bufsize) with
 * the calling process's credentials.
 *
 * Returns the context fd (close-on-exec), or -1 with a message in err:
 *   "cannot trace process N: permission denied (...)"  the kernel's
 *       ptrace check refused (another user's, non-dumpable, setuid/setgid
 *       or file-capability program, Yama);
 *   "cannot trace CPUs: permission denied (...)"  no CAP_PERFMON;
 *   "process N: no such process", "unknown backend 'B' ...",
 *   "backend 'B' cannot trace ...", "... is already traced",
 *   "/dev/hwt: ..." (module not loaded), or the errno text.
 */
int hwtd_ctx_alloc(const struct hwtd_req *r, char *err, size_t errlen);

/*
 * Check that fd, received from a client, is an hwt context fd that
 * matches request r: the kernel's own anon inode "[hwt]", the ABI
 * version, the mode (thread for pid/launch targets, CPU for cpus), the
 * target pid, the backend, ring or not, and still unstarted (hwtd
 * programs filters and starts it).  No ioctl is issued on an fd that is
 * not an hwt context.
 *
 * Returns 0, or -1 with a message in err ("the file descriptor is not an
 * hwt context", "the context traces process N, not M", ...).
 */
int hwtd_ctx_check(int fd, const struct hwtd_req *r, char *err,
		   size_t errlen);

#endif /* HWTD_CTX_H */
