/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hwtd client subcommands of hwt(1): record, stop, snapshot, status
 * (talk to hwtd over its socket; record falls back to recording
 * in-process when no hwtd runs) and info, fsck (read a session
 * directory).  Each takes argv from its own name on.
 */
#ifndef HWT_CLIENT_H
#define HWT_CLIENT_H

#include <stddef.h>

int hwt_cmd_record(int argc, char **argv);
int hwt_cmd_stop(int argc, char **argv);
int hwt_cmd_snapshot(int argc, char **argv);
int hwt_cmd_status(int argc, char **argv);
int hwt_cmd_info(int argc, char **argv);
int hwt_cmd_fsck(int argc, char **argv);

#define HWT_RECORD_USAGE \
	"hwt record [-b BACKEND] [-f FILTER]... [-m stream|ring] [-s SIZE]\n" \
	"         [-q QUOTA] [-c VERSION:FILE] [-S SOCKET] [-n]\n" \
	"         -o SESSION (-- PROG [ARGS...] | -p PID | -C CPUS)"
#define HWT_STOP_USAGE		"hwt stop [-S SOCKET] SESSION"
#define HWT_SNAPSHOT_USAGE	"hwt snapshot [-S SOCKET] SESSION"
#define HWT_STATUS_USAGE	"hwt status [-S SOCKET]"
#define HWT_INFO_USAGE		"hwt info SESSION"
#define HWT_FSCK_USAGE		"hwt fsck [-f] SESSION"

/* --- shared by the client sources (conn.c) --- */

/* The socket: -S, else $HWTD_SOCKET, else /run/hwtd.sock. */
const char *hwt_client_socket(const char *opt);

/* Connect; the fd, or -1 with errno. */
int hwt_client_connect(const char *path);

/* Send one request and receive one response into resp (NUL-terminated);
 * the response length, or -1 with a message printed. */
int hwt_client_call(int fd, const char *req, size_t reqlen, char *resp,
		    size_t resplen);

/* The same with a file descriptor attached (SCM_RIGHTS; ctx < 0: none):
 * how `hwt record` hands hwtd the context it allocated. */
int hwt_client_call_fd(int fd, const char *req, size_t reqlen, int ctx,
		       char *resp, size_t resplen);

/* Receive one message; its length, 0 at EOF, -1 on error. */
int hwt_client_recv(int fd, char *resp, size_t resplen);

/* An absolute version of a session path (which need not exist). */
int hwt_client_abspath(const char *path, char *out, size_t len);

/* Print a response's message= (error) to stderr; returns 1. */
int hwt_client_report_error(const char *resp, size_t len);

#endif /* HWT_CLIENT_H */
