// SPDX-License-Identifier: BSD-2-Clause
/* Launch a program stopped at its exec.  See launch.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hwt_err.h"
#include "launch.h"

pid_t hwt_launch_stopped(char **argv, char *err, size_t errlen)
{
	int st, ep[2], e = 0;
	pid_t pid;

	/* The exec error, if any, comes back on a close-on-exec pipe. */
	if (pipe2(ep, O_CLOEXEC))
		return hwt_errf(err, errlen, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(ep[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			execvp(argv[0], argv);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) != sizeof(e))
			_exit(126);
		_exit(127);
	}
	close(ep[1]);
	if (pid < 0) {
		close(ep[0]);
		return hwt_errf(err, errlen, "fork: %s", strerror(errno));
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			close(ep[0]);
			return hwt_errf(err, errlen, "waitpid: %s",
					 strerror(errno));
		}
	if (read(ep[0], &e, sizeof(e)) == sizeof(e) && e) {
		close(ep[0]);	/* the child has exited: reaped above */
		return hwt_errf(err, errlen, "%s: %s", argv[0], strerror(e));
	}
	close(ep[0]);
	/* The exec's SIGTRAP stop: the new image is in place, not run. */
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return hwt_errf(err, errlen, "%s: did not stop at exec",
				 argv[0]);
	}
	return pid;
}

int hwt_launch_release(pid_t pid)
{
	/* Detach with no signal: the exec's SIGTRAP is dropped. */
	return ptrace(PTRACE_DETACH, pid, NULL, NULL) ? -1 : 0;
}
