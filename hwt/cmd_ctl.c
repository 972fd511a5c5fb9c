// SPDX-License-Identifier: BSD-2-Clause
/* hwt stop / snapshot / status: one request to hwtd each. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hwt_cmds.h"
#include "proto.h"

/* Parse [-S SOCKET] and at most want positional arguments. */
static int parse(int argc, char **argv, const char *usage, int want,
		 const char **sock)
{
	int opt;

	*sock = NULL;
	optind = 1;
	while ((opt = getopt(argc, argv, "+S:h")) != -1) {
		if (opt == 'S') {
			*sock = optarg;
			continue;
		}
		fprintf(opt == 'h' ? stdout : stderr, "usage: %s\n", usage);
		return opt == 'h' ? 0 : 2;
	}
	if (argc - optind != want) {
		fprintf(stderr, "usage: %s\n", usage);
		return 2;
	}
	return -1;
}

static int call(const char *sock, const char *req, size_t len, char *resp,
		size_t resplen)
{
	int fd = hwt_client_connect(hwt_client_socket(sock)), n;

	if (fd < 0) {
		fprintf(stderr, "hwt: cannot reach hwtd at %s: %s\n",
			hwt_client_socket(sock), strerror(errno));
		return -1;
	}
	n = hwt_client_call(fd, req, len, resp, resplen);
	close(fd);
	return n;
}

static int session_verb(int argc, char **argv, const char *verb,
			const char *usage)
{
	char path[PATH_MAX], req[PATH_MAX + 64], resp[HWTD_MSG_MAX],
	     v[64];
	const char *sock;
	int rc = parse(argc, argv, usage, 1, &sock), n;

	if (rc >= 0)
		return rc;
	if (hwt_client_abspath(argv[optind], path, sizeof(path)))
		return 2;
	n = snprintf(req, sizeof(req), "%s\nsession=%s\n", verb, path);
	n = call(sock, req, (size_t)n, resp, sizeof(resp));
	if (n < 0)
		return 1;
	if (strncmp(resp, "ok\n", 3))
		return hwt_client_report_error(resp, (size_t)n);
	if (!hwtd_resp_get(resp, (size_t)n, "state", 0, v, sizeof(v)))
		printf("%s: %s", path, v);
	else
		printf("%s: snapshot taken", path);
	if (!hwtd_resp_get(resp, (size_t)n, "bytes", 0, v, sizeof(v)))
		printf(", %s bytes stored", v);
	printf("\n");
	return 0;
}

int hwt_cmd_stop(int argc, char **argv)
{
	return session_verb(argc, argv, "stop", HWT_STOP_USAGE);
}

int hwt_cmd_snapshot(int argc, char **argv)
{
	return session_verb(argc, argv, "snapshot", HWT_SNAPSHOT_USAGE);
}

int hwt_cmd_status(int argc, char **argv)
{
	char resp[HWTD_MSG_MAX], line[PATH_MAX + 256];
	const char *sock;
	int rc = parse(argc, argv, HWT_STATUS_USAGE, 0, &sock), n, i;

	if (rc >= 0)
		return rc;
	n = call(sock, "status\n", 7, resp, sizeof(resp));
	if (n < 0)
		return 1;
	if (strncmp(resp, "ok\n", 3))
		return hwt_client_report_error(resp, (size_t)n);
	printf("%-4s %-13s %-8s %-6s %-10s %12s %9s %s\n", "ID", "STATE",
	       "BACKEND", "MODE", "TARGET", "BYTES", "RECORDS", "SESSION");
	for (i = 0; !hwtd_resp_get(resp, (size_t)n, "session", i, line,
				   sizeof(line)); i++) {
		char id[16], st[32], be[40], mode[16], tgt[40], path[PATH_MAX];
		unsigned long long bytes, recs;

		if (sscanf(line, "%15s %31s %39s %15s %39s %llu %llu %4095[^\n]",
			   id, st, be, mode, tgt, &bytes, &recs, path) == 8)
			printf("%-4s %-13s %-8s %-6s %-10s %12llu %9llu %s\n",
			       id, st, be, mode, tgt, bytes, recs, path);
	}
	if (!i)
		printf("(no sessions)\n");
	return 0;
}
