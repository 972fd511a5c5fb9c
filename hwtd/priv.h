/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwtd's privilege rules (docs/security.md).  Who may trace what is the
 * kernel's decision, made when the CLIENT allocates its context (ctx.h):
 * hwtd holds no rule of its own about targets.  What is left here:
 *
 *  - who the client is (SO_PEERCRED);
 *  - who may control a session (stop, snapshot, see it): its owner or root;
 *  - files (the session directory, ELF files read for filters) are made
 *    and read with the client's fsuid/fsgid, so hwtd creates and reads
 *    nothing the client could not; work that may block or that walks a
 *    user's files outside a request (image copies, recovery) runs in a
 *    child that became the user (asuser.h).
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

/* May c control (stop, snapshot, see) a session owned by owner? */
int hwtd_may_control(const struct hwtd_cred *c, uid_t owner);

/* File access as the client from here until hwtd_fs_restore(). */
void hwtd_fs_as(const struct hwtd_cred *c);
void hwtd_fs_restore(void);

#endif /* HWTD_PRIV_H */
