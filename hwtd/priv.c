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

int hwtd_may_trace_pid(const struct hwtd_cred *c, pid_t pid, char *err,
		       size_t errlen)
{
	char path[64], line[256];
	unsigned long r, e, s;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "process %d: %s", (int)pid,
			 errno == ENOENT ? "no such process" : strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %lu %lu %lu", &r, &e, &s) == 3) {
			found = 1;
			break;
		}
	fclose(f);
	if (!found) {
		snprintf(err, errlen, "process %d: cannot read its uids",
			 (int)pid);
		return -1;
	}
	if (c->uid == 0 || (r == c->uid && e == c->uid && s == c->uid))
		return 0;
	snprintf(err, errlen, "process %d: permission denied (uid %u may"
		 " trace only its own processes)", (int)pid, (unsigned)c->uid);
	return -1;
}

int hwtd_pid_pin(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int hwtd_pid_same(int pidfd)
{
	/* Signal 0 through the pidfd: ESRCH once that process is gone, even
	 * if its pid names another one now. */
	return pidfd >= 0 &&
	       syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
}

int hwtd_may_trace_cpus(const struct hwtd_cred *c, char *err, size_t errlen)
{
	if (c->uid == 0)
		return 0;
	snprintf(err, errlen, "permission denied (only root may trace CPUs)");
	return -1;
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
