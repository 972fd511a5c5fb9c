/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The hwtd control protocol (docs/hwtd.md): one request per SOCK_SEQPACKET
 * message, one or more response messages back.  Text, so that it can be
 * read in a trace of the socket and typed by hand:
 *
 *   request  = VERB "\n" *( KEY "=" VALUE "\n" )
 *   response = ("ok" | "error" | "done") "\n" *( KEY "=" VALUE "\n" )
 *
 * Parsing is strict: unknown verbs or keys, repeated keys (but `filter`),
 * missing required keys, NUL bytes, empty lines, values out of range or a
 * message without its final newline are errors with a message saying
 * which.  Nothing here touches the system: pure functions, unit-tested.
 */
#ifndef HWTD_PROTO_H
#define HWTD_PROTO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hwt/hwt.h"
#include "bopts.h"

#define HWTD_MSG_MAX		16384	/* one message, either direction */
#define HWTD_FILTERS_MAX	16
#define HWTD_FILTER_LEN		512
#define HWTD_COMMAND_LEN	1024
#define HWTD_SOCKET_PATH	"/run/hwtd.sock"

enum hwtd_verb {
	HWTD_RECORD = 1,	/* start a session */
	HWTD_STOP,		/* stop one; it is finished and closed */
	HWTD_SNAPSHOT,		/* flush (stream) or dump the rings (ring) */
	HWTD_STATUS,		/* list sessions */
};

enum hwtd_target {
	HWTD_TARGET_PID = 1,	/* attach to a running process */
	HWTD_TARGET_LAUNCH,	/* the client's child, held before exec */
	HWTD_TARGET_CPUS,	/* a CPU set (root only) */
};

struct hwtd_req {
	enum hwtd_verb verb;
	/* record */
	enum hwtd_target target;
	pid_t pid;				/* PID, LAUNCH */
	uint64_t cpu_map[HWT_CPU_MAP_WORDS];	/* CPUS */
	pid_t launch_pid;	/* CPUS: the client's launched child (its
				 * mappings stored at START), 0: none */
	char backend[HWT_BACKEND_NAME_MAX];
	int ring;				/* mode=ring */
	uint64_t bufsize;			/* per buffer, 0: default */
	uint64_t quota;				/* stored bytes, 0: none */
	char exe[PATH_MAX];			/* LAUNCH: the program */
	char command[HWTD_COMMAND_LEN];		/* for the session's meta */
	int nfilters;
	char filters[HWTD_FILTERS_MAX][HWTD_FILTER_LEN];
	int wait;				/* answer again when done */
	int has_config;				/* backend config blob */
	uint32_t config_version, config_size;
	unsigned char config[HWT_CONFIG_MAX];
	char options[HWTD_BOPTS_LEN];		/* backend options (bopts.h) */
	/* record, stop, snapshot */
	char session[PATH_MAX];			/* absolute path */
};

/* Parse one request message; 0, or -1 with a message in err. */
int hwtd_req_parse(const char *msg, size_t len, struct hwtd_req *r,
		   char *err, size_t errlen);

/* Encode r into buf; the message length, or -1 if it does not fit or r
 * is not valid (the encoder never sends what the parser would refuse). */
int hwtd_req_format(const struct hwtd_req *r, char *buf, size_t buflen);

/* Size with an optional K/M/G suffix ("16M"); 0, or -1. */
int hwtd_parse_size(const char *s, uint64_t *v);

/* CPU list "0-3,8" into a bit map; 0, or -1. */
int hwtd_parse_cpus(const char *s, uint64_t *map, size_t words);

/*
 * Responses.  A response builder appends "key=value\n" lines; values must
 * not contain newlines (they are replaced by spaces).
 */
struct hwtd_resp {
	char buf[HWTD_MSG_MAX];
	size_t len;
	int overflow;
};

void hwtd_resp_init(struct hwtd_resp *r, const char *status);
void hwtd_resp_add(struct hwtd_resp *r, const char *key, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/* Status of a received response ("ok", "error", "done") or NULL if the
 * message is malformed. */
const char *hwtd_resp_status(const char *msg, size_t len, char *status,
			     size_t statuslen);

/* The n-th value of key in a response (0-based), NUL-terminated into val;
 * 0, or -1 if absent. */
int hwtd_resp_get(const char *msg, size_t len, const char *key, int n,
		  char *val, size_t vallen);

#endif /* HWTD_PROTO_H */
