// SPDX-License-Identifier: BSD-2-Clause
/*
 * hwt record: start a session through hwtd, or in this process when no
 * hwtd answers (the same session code: hwtd/session.c).
 *
 * A launched program is forked here and stopped at its exec (launch.h)
 * until the session is armed, so its trace starts at its first
 * instruction; it runs with the client's environment and terminal, never
 * as hwtd's child.
 *
 * The trace context is allocated HERE, with the user's own credentials:
 * the kernel decides whether this user may trace the target (ptrace's
 * rule; CAP_PERFMON for CPUs).  hwtd gets the context fd with the request
 * (SCM_RIGHTS) and never allocates one itself (docs/security.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hwt_cmds.h"
#include "ctx.h"
#include "fdpass.h"
#include "cpupin.h"
#include "launch.h"
#include "proto.h"
#include "session.h"

static volatile sig_atomic_t interrupted;

static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: %s\n", HWT_RECORD_USAGE);
	return rc;
}

/* PROG as execvp() would find it, absolute (hwtd reads it for filters). */
static int find_exe(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *e;
	char cand[PATH_MAX];

	if (strchr(prog, '/'))
		return hwt_client_abspath(prog, out, len) ||
		       !realpath(prog, out) ? -1 : 0;
	for (p = path ? path : "/bin:/usr/bin"; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(e - p), p, prog);
		if (!access(cand, X_OK) && realpath(cand, out))
			return 0;
	}
	(void)len;
	return -1;
}

static int load_config(struct hwtd_req *r, const char *spec)
{
	char *end;
	ssize_t n;
	int fd;

	r->config_version = (uint32_t)strtoul(spec, &end, 0);
	if (*end != ':') {
		fprintf(stderr, "hwt record: -c wants VERSION:FILE\n");
		return -1;
	}
	fd = open(end + 1, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, r->config, sizeof(r->config))) < 0) {
		fprintf(stderr, "hwt record: %s: %s\n", end + 1,
			strerror(errno));
		return -1;
	}
	close(fd);
	r->config_size = (uint32_t)n;
	r->has_config = 1;
	return 0;
}

/* Let the launched program run (tracing is armed), once. */
static void release(pid_t *held)
{
	if (*held > 0 && hwt_launch_release(*held))
		perror("hwt record: release");
	*held = -1;
}

static int print_done(const char *session, const char *state,
		      unsigned long long bytes, const char *msg)
{
	fprintf(stderr, "hwt record: %s: %s, %llu bytes%s%s\n", session, state,
		bytes, msg && *msg ? ": " : "", msg ? msg : "");
	return strcmp(state, "error") ? 0 : 1;
}

/* No hwtd: run the session here, in the context ctx (consumed). */
/*
 * CPU mode around a launched program: whether it has exited (reaped:
 * *child set to -1).  Returns 1 if it has, else 0 (no program: never).
 */
static int child_done(pid_t *child)
{
	int st;

	if (*child <= 0 || waitpid(*child, &st, WNOHANG) != *child)
		return 0;
	*child = -1;
	return 1;
}

static int record_local(struct hwtd_req *r, int ctx, pid_t *held,
			pid_t *child)
{
	struct hwtd_cred c = { getpid(), getuid(), getgid() };
	struct hwtd_session *s;
	char err[1024], state[32];
	unsigned long long bytes;
	int stopping = 0;

	s = hwtd_session_start(r, &c, 1, ctx, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "hwt record: %s\n", err);
		return 1;
	}
	release(held);
	for (;;) {
		struct pollfd p = { hwtd_session_fd(s), hwtd_session_events(s),
				    0 };

		if (interrupted && !stopping) {
			hwtd_session_stop(s, "stopped");
			stopping = 1;
		}
		if (!stopping && child_done(child)) {
			hwtd_session_stop(s, "complete");
			stopping = 1;
		}
		if (poll(&p, 1, hwtd_session_service_ms(s)) < 0 &&
		    errno != EINTR)
			break;
		if (hwtd_session_service(s))
			break;
	}
	snprintf(state, sizeof(state), "%s", hwtd_session_state(s));
	snprintf(err, sizeof(err), "%s", hwtd_session_error(s));
	bytes = hwtd_session_bytes(s);
	hwtd_session_free(s);
	return print_done(r->session, state, bytes, err);
}

static int send_stop(const char *sock, const char *session)
{
	char msg[PATH_MAX + 32], resp[HWTD_MSG_MAX];
	int fd = hwt_client_connect(sock), n, rc = -1;

	if (fd < 0)
		return -1;
	n = snprintf(msg, sizeof(msg), "stop\nsession=%s\n", session);
	if (hwt_client_call(fd, msg, (size_t)n, resp, sizeof(resp)) > 0)
		rc = 0;
	close(fd);
	return rc;
}

/* Through hwtd: the request with the context ctx (consumed: hwtd holds
 * it from here), then wait for "done". */
static int record_daemon(int fd, const char *sock, struct hwtd_req *r,
			 int ctx, pid_t *held, pid_t *child)
{
	static char msg[HWTD_MSG_MAX];
	char resp[HWTD_MSG_MAX], state[32] = "?", bytes[32] = "0",
	     err[1024] = "";
	int n, stopping = 0;

	n = hwtd_req_format(r, msg, sizeof(msg));
	if (n < 0) {
		close(ctx);
		fprintf(stderr, "hwt record: request too large\n");
		return 1;
	}
	n = hwt_client_call_fd(fd, msg, (size_t)n, ctx, resp, sizeof(resp));
	close(ctx);
	if (n < 0)
		return 1;
	if (strncmp(resp, "ok\n", 3))
		return hwt_client_report_error(resp, (size_t)n);
	release(held);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };

		if ((interrupted || child_done(child)) && !stopping) {
			stopping = 1;
			if (send_stop(sock, r->session))
				fprintf(stderr, "hwt record: could not stop"
					" %s\n", r->session);
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = hwt_client_recv(fd, resp, sizeof(resp));
		if (n <= 0) {
			fprintf(stderr, "hwt record: hwtd went away; %s may be"
				" incomplete (hwt fsck)\n", r->session);
			return 1;
		}
		if (!strncmp(resp, "done\n", 5))
			break;
	}
	hwtd_resp_get(resp, (size_t)n, "state", 0, state, sizeof(state));
	hwtd_resp_get(resp, (size_t)n, "bytes", 0, bytes, sizeof(bytes));
	hwtd_resp_get(resp, (size_t)n, "message", 0, err, sizeof(err));
	return print_done(r->session, state, strtoull(bytes, NULL, 10), err);
}

int hwt_cmd_record(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	static struct hwtd_req r;
	const char *sock_opt = NULL, *out = NULL, *cpus = NULL;
	int opt, local = 0, fd = -1, ctx, rc, st, i;
	char err[512];
	size_t len = 0;
	pid_t child = -1, held = -1, waited;

	memset(&r, 0, sizeof(r));
	r.verb = HWTD_RECORD;
	snprintf(r.backend, sizeof(r.backend), "soft");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:f:m:s:q:c:x:S:no:p:C:h", lo,
				  NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (strlen(optarg) >= sizeof(r.backend))
				return usage(2);
			strcpy(r.backend, optarg);
			break;
		case 'f':
			if (r.nfilters == HWTD_FILTERS_MAX ||
			    strlen(optarg) >= HWTD_FILTER_LEN) {
				fprintf(stderr, "hwt record: at most %d filters"
					"\n", HWTD_FILTERS_MAX);
				return 2;
			}
			strcpy(r.filters[r.nfilters++], optarg);
			break;
		case 'm':
			if (strcmp(optarg, "stream") && strcmp(optarg, "ring"))
				return usage(2);
			r.ring = !strcmp(optarg, "ring");
			break;
		case 's':
		case 'q':
			if (hwtd_parse_size(optarg, opt == 's' ? &r.bufsize :
					    &r.quota)) {
				fprintf(stderr, "hwt record: -%c %s: a size "
					"such as 4096, 64K or 16M expected\n",
					opt, optarg);
				return 2;
			}
			break;
		case 'c':
			if (load_config(&r, optarg))
				return 2;
			break;
		case 'x':
			/* Repeated -x add to the list: "-x tsc -x mtc=3". */
			len = strlen(r.options);
			if (len + !!len + strlen(optarg) >= sizeof(r.options) ||
			    !*optarg || !hwtd_bopts_syntax_ok(optarg)) {
				fprintf(stderr, "hwt record: -x %s: options are"
					" a-z, 0-9, '_', '=' and ',' (at most"
					" %zu bytes in all)\n", optarg,
					sizeof(r.options) - 1);
				return 2;
			}
			snprintf(r.options + len, sizeof(r.options) - len,
				 "%s%s", len ? "," : "", optarg);
			len = 0;
			break;
		case 'S': sock_opt = optarg; break;
		case 'n': local = 1; break;
		case 'o': out = optarg; break;
		case 'p':
			r.target = HWTD_TARGET_PID;
			r.pid = atoi(optarg);
			if (r.pid <= 0)
				return usage(2);
			break;
		case 'C':
			r.target = HWTD_TARGET_CPUS;
			cpus = optarg;
			break;
		case 'h': return usage(0);
		default: return usage(2);
		}
	}
	/* -C with a program: the CPUs traced while it runs */
	if (!out || (r.target == HWTD_TARGET_PID && optind < argc) ||
	    (!r.target && optind >= argc))
		return usage(2);
	if (r.has_config && (r.options[0] || r.nfilters)) {
		fprintf(stderr, "hwt record: -c gives the whole config: not with"
			" -x or -f\n");
		return 2;
	}
	if (cpus && hwtd_parse_cpus(cpus, r.cpu_map, HWT_CPU_MAP_WORDS)) {
		fprintf(stderr, "hwt record: bad CPU list '%s'\n", cpus);
		return 2;
	}
	if (hwt_client_abspath(out, r.session, sizeof(r.session))) {
		fprintf(stderr, "hwt record: %s: path too long\n", out);
		return 2;
	}
	for (i = optind; i < argc; i++)
		len += (size_t)snprintf(r.command + len,
					len < sizeof(r.command) ?
					sizeof(r.command) - len : 0,
					"%s%s", i > optind ? " " : "", argv[i]);
	if (len >= sizeof(r.command))
		r.command[sizeof(r.command) - 1] = 0;
	r.wait = 1;

	if (!local) {
		fd = hwt_client_connect(hwt_client_socket(sock_opt));
		if (fd < 0 && sock_opt) {
			fprintf(stderr, "hwt record: %s: %s\n", sock_opt,
				strerror(errno));
			return 1;
		}
		if (fd < 0)
			fprintf(stderr, "hwt record: no hwtd at %s (%s):"
				" recording in this process\n",
				hwt_client_socket(NULL), strerror(errno));
	}
	if (!r.target || (r.target == HWTD_TARGET_CPUS && optind < argc)) {
		if (!r.target)
			r.target = HWTD_TARGET_LAUNCH;
		if (find_exe(argv[optind], r.exe, sizeof(r.exe))) {
			fprintf(stderr, "hwt record: %s: not found\n",
				argv[optind]);
			return 1;
		}
		child = hwt_launch_stopped(argv + optind, err, sizeof(err));
		if (child < 0) {
			fprintf(stderr, "hwt record: %s\n", err);
			if (fd >= 0)
				close(fd);
			return 1;
		}
		held = child;
		if (r.target == HWTD_TARGET_CPUS)
			r.launch_pid = child;
		else
			r.pid = child;
		/* The program on the traced CPUs; recording here: this
		 * process off them (hwtd moves itself). */
		if (r.target == HWTD_TARGET_CPUS &&
		    hwtd_cpus_pin_launch(child, r.cpu_map, fd < 0, err,
					 sizeof(err)))
			fprintf(stderr, "hwt record: warning: %s\n", err);
	}
	/* With this user's own rights: the kernel decides. */
	ctx = hwtd_ctx_alloc(&r, err, sizeof(err));
	if (ctx < 0) {
		fprintf(stderr, "hwt record: %s\n", err);
		rc = 1;
		goto out;
	}
	signal(SIGINT, on_int);
	signal(SIGTERM, on_int);
	/* CPU mode ends when the launched program does (-C CPUS -- PROG);
	 * thread mode when its target is gone */
	waited = r.target == HWTD_TARGET_CPUS ? child : -1;
	rc = fd >= 0 ? record_daemon(fd, hwt_client_socket(sock_opt), &r,
				     ctx, &held, &waited)
		     : record_local(&r, ctx, &held, &waited);
	if (r.target == HWTD_TARGET_CPUS && child > 0 && waited < 0)
		child = -1;	/* reaped while recording */
out:
	if (child > 0) {
		if (held > 0)	/* never armed: it must not run untraced */
			kill(child, SIGKILL);
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
