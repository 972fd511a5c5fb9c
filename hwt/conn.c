// SPDX-License-Identifier: BSD-2-Clause
/* Talking to hwtd: connect, one request, one response.  See client.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hwt_cmds.h"
#include "fdpass.h"
#include "proto.h"

const char *hwt_client_socket(const char *opt)
{
	const char *env = getenv("HWTD_SOCKET");

	if (opt)
		return opt;
	return env && *env ? env : HWTD_SOCKET_PATH;
}

int hwt_client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (void *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int hwt_client_recv(int fd, char *resp, size_t resplen)
{
	ssize_t n;

	do
		n = recv(fd, resp, resplen - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	resp[n] = 0;
	return (int)n;
}

int hwt_client_call(int fd, const char *req, size_t reqlen, char *resp,
		    size_t resplen)
{
	return hwt_client_call_fd(fd, req, reqlen, -1, resp, resplen);
}

int hwt_client_call_fd(int fd, const char *req, size_t reqlen, int ctx,
		       char *resp, size_t resplen)
{
	char status[16];
	ssize_t k;
	int n;

	if (hwtd_send_fd(fd, req, reqlen, ctx) != (ssize_t)reqlen) {
		int e = errno;

		/* hwtd may have refused the connection and said why ("too
		 * many connections for uid N") before closing it. */
		k = recv(fd, resp, resplen - 1, MSG_DONTWAIT);
		if (k > 0) {
			resp[k] = 0;
			if (hwtd_resp_status(resp, (size_t)k, status,
					     sizeof(status)))
				return (int)k;
		}
		fprintf(stderr, "hwt: send to hwtd: %s\n", strerror(e));
		return -1;
	}
	n = hwt_client_recv(fd, resp, resplen);
	if (n <= 0) {
		fprintf(stderr, "hwt: hwtd closed the connection\n");
		return -1;
	}
	if (!hwtd_resp_status(resp, (size_t)n, status, sizeof(status))) {
		fprintf(stderr, "hwt: malformed answer from hwtd\n");
		return -1;
	}
	return n;
}

int hwt_client_abspath(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if (strlen(path) >= len)
			return -1;
		strcpy(out, path);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, len, "%s/%s", cwd, path) >= (int)len ? -1 : 0;
}

int hwt_client_report_error(const char *resp, size_t len)
{
	char msg[1024];

	if (hwtd_resp_get(resp, len, "message", 0, msg, sizeof(msg)))
		snprintf(msg, sizeof(msg), "failed");
	fprintf(stderr, "hwt: %s\n", msg);
	return 1;
}
