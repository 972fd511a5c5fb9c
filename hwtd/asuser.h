/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Work done as a user, in a child process: hwtd (root) touches a user's
 * files only as that user and never blocks its poll loop on them
 * (docs/security.md).  The child drops every privilege for good
 * (setgroups, setresgid, setresuid), closes every inherited descriptor
 * and runs one function; the parent bounds how long it may take.
 */
#ifndef HWTD_ASUSER_H
#define HWTD_ASUSER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Become uid/gid for good: no supplementary groups, real, effective and
 * saved ids all uid/gid.  As a non-root process, only checks that it is
 * uid already.
 *
 * Returns 0, or -1 with errno (EPERM: not root and not uid).
 */
int hwtd_become(uid_t uid, gid_t gid);

/*
 * Run fn(arg, msg, msglen) in a child that became uid/gid and wait at
 * most timeout_ms for it (then it is killed).  What fn writes into msg
 * comes back in msg.
 *
 * Returns fn's return value (0-125), or -1 with msg saying why: the fork
 * failed, the child could not become uid/gid, it died of a signal, or
 * "timed out after N ms".
 */
int hwtd_run_as(uid_t uid, gid_t gid,
		int (*fn)(void *arg, char *msg, size_t msglen), void *arg,
		int timeout_ms, char *msg, size_t msglen);

/*
 * Start fn(arg) in a child that became uid/gid, without waiting: its
 * exit status is fn's return value (0-125; 126: it could not become
 * uid/gid).  The caller reaps it (waitpid) and may kill it.
 *
 * Returns the child's pid, or -1 with errno.
 */
pid_t hwtd_spawn_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg);

#endif /* HWTD_ASUSER_H */
