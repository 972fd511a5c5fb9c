/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The subcommands of hwt(1), one group per file: decode (cmd_decode.c);
 * replay, report, query (cmd_view.c); record, stop, snapshot, status
 * (cmd_record.c, cmd_ctl.c: talk to hwtd over its socket; record falls
 * back to recording in-process when no hwtd runs); info, fsck
 * (cmd_store.c: read a session directory).  Each takes argv from its own
 * name on and returns the exit status.
 */
#ifndef HWT_CLIENT_H
#define HWT_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int hwt_cmd_decode(int argc, char **argv);
int hwt_cmd_replay(int argc, char **argv);
int hwt_cmd_report(int argc, char **argv);
int hwt_cmd_export(int argc, char **argv);
int hwt_cmd_flamegraph(int argc, char **argv);
int hwt_cmd_query(int argc, char **argv);
int hwt_cmd_record(int argc, char **argv);
int hwt_cmd_stop(int argc, char **argv);
int hwt_cmd_snapshot(int argc, char **argv);
int hwt_cmd_status(int argc, char **argv);
int hwt_cmd_info(int argc, char **argv);
int hwt_cmd_fsck(int argc, char **argv);

#define HWT_DECODE_USAGE \
	"hwt decode (SESSION | --pt FILE | --snapshot DIR | FILE.data |\n" \
	"            --perf-data FILE) [--buildid-dir DIR] [--symfs DIR]\n" \
	"         [--raw FILE:VADDR | --raw FILE:OFFSET-SIZE:VADDR |\n" \
	"          --elf FILE[:BASE]]... [--cpu F/M[/S]] [--threads N]\n" \
	"         [--debug-dir DIR[:DIR]...] [--segmented] [--no-calls] [-q]\n" \
	"         [--buffer NAME|all] [--no-cache] [--force] [--mode MODE]\n" \
	"         -o OUT.db\n" \
	"(the other way, a session as a perf.data: hwt export --perf-data\n" \
	" OUT.data SESSION)"
#define HWT_REPLAY_USAGE \
	"hwt replay DB [--thread TID] [--stream ID] [--from N --count K]\n" \
	"         [--time A,B] [--markers]\n" \
	"         [--format addr|insn|line | -F FIELD[,FIELD]...]\n" \
	"         (fields: tid,cpu,index,ip,sym,symoff,dso,srcline,inline,insn,\n" \
	"         time)\n" \
	"hwt replay DB --calls [--thread TID] [--func NAME]"
#define HWT_REPORT_USAGE \
	"hwt report DB [--top N] [--sort self|calls|total|name] [--children]\n" \
	"         [--thread TID]\n" \
	"hwt report --diff A.db B.db [--top N]\n" \
	"hwt report --latency FUNC DB\n" \
	"hwt report --inline DB [--top N] [--thread TID]"
#define HWT_QUERY_USAGE		"hwt query DB [--csv] \"SQL\""
#define HWT_EXPORT_USAGE \
	"hwt export (--autofdo OUT.txt | --bolt OUT.fdata |\n" \
	"            --profgen OUT.txt) DB\n" \
	"         [--binary PATH|NAME|BUILDID] [--sample N]\n" \
	"hwt export --perfetto OUT.json DB [--clock insn|time]\n" \
	"         [--min-duration N] [--max-events N]\n" \
	"hwt export --perf-data OUT.data SESSION"
#define HWT_FLAMEGRAPH_USAGE \
	"hwt flamegraph DB (--folded [-o OUT] | --svg OUT.svg)\n" \
	"         [--per-thread] [--thread TID] [--weight insn|time]"
#define HWT_RECORD_USAGE \
	"hwt record [-b BACKEND] [-f FILTER]... [-m stream|ring] [-s SIZE]\n" \
	"         [-q QUOTA] [-x OPTIONS]... [-c VERSION:FILE] [-S SOCKET] [-n]\n" \
	"         -o SESSION (-- PROG [ARGS...] | -p PID | -C CPUS [-- PROG [ARGS...]])"
#define HWT_STOP_USAGE		"hwt stop [-S SOCKET] SESSION"
#define HWT_SNAPSHOT_USAGE	"hwt snapshot [-S SOCKET] SESSION"
#define HWT_STATUS_USAGE	"hwt status [-S SOCKET]"
#define HWT_INFO_USAGE		"hwt info SESSION"
#define HWT_FSCK_USAGE		"hwt fsck [-f] SESSION"

/* --- hwt.c --- */

/* Prints the usage of command name to f; returns rc. */
int hwt_usage_of(const char *name, FILE *f, int rc);

/* A decimal or 0x number, no sign: 0, or -1 if s is not one. */
int hwt_parse_u64(const char *s, uint64_t *v);

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
