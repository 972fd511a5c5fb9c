// SPDX-License-Identifier: BSD-2-Clause
/* hwtd privilege checks.  See priv.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "priv.h"

int hwtd_peer_cred(int fd, struct hwtd_cred *c)
{
	struct ucred u;
	socklen_t len = sizeof(u);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &u, &len) ||
	    len != sizeof(u))
		return -1;
	c->pid = u.pid;
	c->uid = u.uid;
	c->gid = u.gid;
	return 0;
}

int hwtd_may_control(const struct hwtd_cred *c, uid_t owner)
{
	return c->uid == 0 || c->uid == owner;
}

/* hwtd is single-threaded, so the switch covers exactly the calls made
 * until hwtd_fs_restore(); main() dropped supplementary groups. */
void hwtd_fs_as(const struct hwtd_cred *c)
{
	setfsgid(c->gid);
	setfsuid(c->uid);
}

void hwtd_fs_restore(void)
{
	setfsuid(geteuid());
	setfsgid(getegid());
}
