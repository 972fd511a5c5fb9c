// SPDX-License-Identifier: BSD-2-Clause
/* launch.c: the program is stopped right after its exec (new image in
 * place, not one instruction run), and runs normally once released. */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../launch.h"
#include "../../tests/lib/unit.h"

static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return '?';
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void test_stopped_at_exec(void)
{
	char *argv[] = { "sh", "-c", "exit 7", NULL };
	char err[256], exe[PATH_MAX], link[64];
	ssize_t n;
	pid_t pid;
	int st;

	pid = hwt_launch_stopped(argv, err, sizeof(err));
	UNIT_CHECK(pid > 0);
	if (pid <= 0)
		return;
	UNIT_CHECK(state_of(pid) == 't');	/* ptrace stop */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	UNIT_CHECK(n > 0);
	exe[n > 0 ? n : 0] = 0;
	/* The exec happened: the image is the shell, not this test. */
	UNIT_CHECK(strstr(exe, "sh") && !strstr(exe, "test_launch"));
	UNIT_CHECK(hwt_launch_release(pid) == 0);
	UNIT_CHECK(waitpid(pid, &st, 0) == pid);
	UNIT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

static void test_exec_fails(void)
{
	char *argv[] = { "/nonexistent/prog", NULL };
	char err[256] = "";

	UNIT_CHECK(hwt_launch_stopped(argv, err, sizeof(err)) == -1);
	UNIT_CHECK(strstr(err, "No such file") != NULL);
	UNIT_CHECK(waitpid(-1, NULL, WNOHANG) == -1);	/* reaped */
}

int main(void)
{
	UNIT_RUN(test_stopped_at_exec(), "hwtd/launch-stopped-at-exec");
	UNIT_RUN(test_exec_fails(), "hwtd/launch-exec-fails");
	return unit_failed ? 1 : 0;
}
