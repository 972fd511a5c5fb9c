/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Privilege rules of hwtd (docs/hwtd.md, "Who may trace what").  hwtd
 * opens /dev/hwt itself, so the kernel sees hwtd's rights, not the
 * client's: these checks stand in for the client.
 *
 *  - a process: the client is root, or the client's uid equals the
 *    target's real, effective and saved uid (the uid half of what
 *    ptrace_may_access() demands);
 *  - CPUs: root only;
 *  - files (session directory, images, ELF files read for filters): made
 *    and read with the client's fsuid/fsgid, so hwtd creates and reads
 *    nothing the client could not.
 */
#ifndef HWTD_PRIV_H
#define HWTD_PRIV_H

#include <stddef.h>
#include <sys/types.h>

struct hwtd_cred {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* SO_PEERCRED of a connected Unix socket; 0 or -1. */
int hwtd_peer_cred(int fd, struct hwtd_cred *c);

/* May c trace process pid?  0, or -1 with the reason in err (errno-like
 * message: "no such process", "permission denied ..."). */
int hwtd_may_trace_pid(const struct hwtd_cred *c, pid_t pid, char *err,
		       size_t errlen);

/* Pin a process against pid reuse: a pidfd, or -1.  After the check and
 * the attach, hwtd_pid_same() tells whether the pid still names the
 * process that was checked (it did not exit and get its pid reused). */
int hwtd_pid_pin(pid_t pid);
int hwtd_pid_same(int pidfd);

/* May c trace CPUs? */
int hwtd_may_trace_cpus(const struct hwtd_cred *c, char *err, size_t errlen);

/* May c control (stop, snapshot, see) a session owned by owner? */
int hwtd_may_control(const struct hwtd_cred *c, uid_t owner);

/* File access as the client from here until hwtd_fs_restore(). */
void hwtd_fs_as(const struct hwtd_cred *c);
void hwtd_fs_restore(void);

#endif /* HWTD_PRIV_H */
