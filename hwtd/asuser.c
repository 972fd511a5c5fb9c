// SPDX-License-Identifier: BSD-2-Clause
/* Work as a user in a child process.  See asuser.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asuser.h"
#include "hwt_err.h"

int hwtd_become(uid_t uid, gid_t gid)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	if (geteuid() != 0) {
		if (getuid() != uid || geteuid() != uid) {
			errno = EPERM;
			return -1;
		}
		return 0;
	}
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -1;
	/* Make sure: no way back. */
	if (getresuid(&r, &e, &s) || r != uid || e != uid || s != uid ||
	    getresgid(&rg, &eg, &sg) || rg != gid || eg != gid || sg != gid ||
	    (uid != 0 && setresuid(0, 0, 0) == 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* In the child: default signals, nothing inherited but fd keep. */
static void child_setup(int keep)
{
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (keep >= 0 && keep != 3) {
		if (dup2(keep, 3) < 0)
			_exit(126);
	}
	syscall(SYS_close_range, keep >= 0 ? 4u : 3u, ~0u, 0u);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int hwtd_run_as(uid_t uid, gid_t gid,
		int (*fn)(void *arg, char *msg, size_t msglen), void *arg,
		int timeout_ms, char *msg, size_t msglen)
{
	long long end = mono_ms() + timeout_ms;
	size_t got = 0;
	int p[2], st, timed_out = 0;
	pid_t pid;

	msg[0] = 0;
	if (pipe2(p, O_CLOEXEC))
		return hwt_errf(msg, msglen, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return hwt_errf(msg, msglen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int rc;

		close(p[0]);
		child_setup(p[1]);
		if (hwtd_become(uid, gid)) {
			snprintf(msg, msglen, "cannot become uid %u: %s",
				 (unsigned)uid, strerror(errno));
			rc = 126;
		} else {
			rc = fn(arg, msg, msglen);
			if (rc < 0 || rc > 125)
				rc = 125;
		}
		if (write(3, msg, strnlen(msg, msglen)) < 0)
			_exit(rc);
		_exit(rc);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		long long left = end - mono_ms();
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			break;
		n = read(p[0], msg + got, msglen - 1 - got);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0)
			got += (size_t)n;
		if (got == msglen - 1)
			break;
	}
	msg[got] = 0;
	close(p[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return hwt_errf(msg, msglen, "waitpid: %s",
					 strerror(errno));
	if (timed_out)
		return hwt_errf(msg, msglen, "timed out after %d ms",
				 timeout_ms);
	if (WIFSIGNALED(st))
		return hwt_errf(msg, msglen, "killed by signal %d",
				 WTERMSIG(st));
	if (WEXITSTATUS(st) == 126)
		return -1;	/* msg says why */
	return WEXITSTATUS(st);
}

pid_t hwtd_spawn_as(uid_t uid, gid_t gid, int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();
	int rc;

	if (pid != 0)
		return pid;
	child_setup(-1);
	if (hwtd_become(uid, gid))
		_exit(126);
	rc = fn(arg);
	_exit(rc < 0 || rc > 125 ? 125 : rc);
}
