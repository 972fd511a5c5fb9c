// SPDX-License-Identifier: BSD-2-Clause
/*
 * hwtd: the hwt trace daemon.  One process, one poll() loop over the
 * control socket, the clients, every session's context fd and a signalfd.
 * Requests and their rules: docs/hwtd.md; the threat model and who does
 * what as whom: docs/security.md.
 *
 *   hwtd [-f] [-s SOCKET] [-S STATEDIR] [-c CONN] [-n SESSIONS] [-i IDLE]
 *
 * Nothing in the loop blocks: sockets are non-blocking and an answer a
 * client does not read ends that client, not hwtd; a user's files that
 * could block (images) are handled by children; each uid has its own
 * share of connections and sessions; what clients cause is logged at a
 * bounded rate (log.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cpupin.h"
#include "fdpass.h"
#include "log.h"
#include "proto.h"
#include "recover.h"
#include "session.h"

#define MAX_CLIENTS	256
#define ROOT_RESERVE	16	/* slots only root's connections may take */
#define MAX_SESSIONS	64
#define ACCEPT_BURST	16	/* connections accepted per loop */

struct hwtd_opts {
	const char *sock;
	const char *state_dir;
	int foreground;
	int conn_per_uid;	/* -c: connections of one (non-root) uid */
	int sess_per_uid;	/* -n: sessions of one (non-root) uid */
	int idle_ms;		/* -i: an idle connection is closed */
	int bad_max;		/* bad requests before a connection is closed */
	int recover_ms;		/* recovery of one session, at most */
};

struct client {
	int fd;			/* -1: free slot */
	struct hwtd_cred cred;
	int wait_id;		/* session it waits on, or -1 */
	long long last_ms;	/* its last request (or connect) */
	int bad;		/* bad requests so far */
};

static struct hwtd_opts opts = {
	.sock = HWTD_SOCKET_PATH,
	.state_dir = "/run/hwtd",
	.conn_per_uid = 16,
	.sess_per_uid = 16,
	.idle_ms = 60000,
	.bad_max = 32,
	.recover_ms = 30000,
};
static struct client clients[MAX_CLIENTS];
static struct hwtd_session *sessions[MAX_SESSIONS];
static int next_id = 1, quit;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->wait_id = -1;
}

/* A client whose socket is full does not read its answers: it is
 * dropped, so that hwtd never waits for it nor queues for it. */
static void send_resp(struct client *cl, const struct hwtd_resp *r)
{
	if (cl->fd < 0)
		return;
	if (send(cl->fd, r->buf, r->len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		return;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		hwtd_log_client(LOG_INFO, "uid %u: does not read its answers:"
				" disconnected", (unsigned)cl->cred.uid);
	client_close(cl);
}

/* For a connection that is refused before it becomes a client. */
static void send_error_fd(int fd, const char *msg)
{
	struct hwtd_resp r;

	hwtd_resp_init(&r, "error");
	hwtd_resp_add(&r, "message", "%s", msg);
	send(fd, r.buf, r.len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void send_error(struct client *cl, const char *msg)
{
	struct hwtd_resp r;

	hwtd_resp_init(&r, "error");
	hwtd_resp_add(&r, "message", "%s", msg);
	send_resp(cl, &r);
}

static struct hwtd_session *find_session(const char *path)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] && !strcmp(hwtd_session_path(sessions[i]), path))
			return sessions[i];
	return NULL;
}

/* hwtd off the CPUs its CPU-mode sessions trace (cpupin.h), after
 * a session starts or ends. */
static void avoid_traced_cpus(void)
{
	const uint64_t *maps[MAX_SESSIONS];
	size_t n = 0;
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] && hwtd_session_cpu_map(sessions[i]))
			maps[n++] = hwtd_session_cpu_map(sessions[i]);
	if (hwtd_cpus_avoid(maps, n) < 0)
		hwtd_log_client(LOG_WARNING, "CPU affinity: %s",
				strerror(errno));
}

static void end_session(int slot)
{
	struct hwtd_session *s = sessions[slot];
	struct hwtd_resp r;
	int i, id = hwtd_session_id(s);
	int was_cpu = hwtd_session_cpu_map(s) != NULL;

	hwtd_resp_init(&r, "done");
	hwtd_resp_add(&r, "session", "%s", hwtd_session_path(s));
	hwtd_resp_add(&r, "state", "%s", hwtd_session_state(s));
	hwtd_resp_add(&r, "bytes", "%llu",
		      (unsigned long long)hwtd_session_bytes(s));
	if (hwtd_session_error(s)[0])
		hwtd_resp_add(&r, "message", "%s", hwtd_session_error(s));
	hwtd_log_client(LOG_INFO, "session %d %s: %s%s%s", hwtd_session_id(s),
			hwtd_session_path(s), hwtd_session_state(s),
			hwtd_session_error(s)[0] ? ": " : "",
			hwtd_session_error(s));
	hwtd_registry_del(opts.state_dir, id);
	hwtd_session_free(s);	/* commits first: "done" means durable */
	sessions[slot] = NULL;
	if (was_cpu)
		avoid_traced_cpus();
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].wait_id == id) {
			clients[i].wait_id = -1;
			clients[i].last_ms = now_ms();
			send_resp(&clients[i], &r);
		}
}

static int sessions_of(uid_t uid)
{
	int i, n = 0;

	for (i = 0; i < MAX_SESSIONS; i++)
		n += sessions[i] && hwtd_session_owner(sessions[i]) == uid;
	return n;
}

/* ctx: the context the client allocated and sent (-1: none); always
 * consumed. */
static void do_record(struct client *cl, const struct hwtd_req *req, int ctx)
{
	char err[1024];
	struct hwtd_session *s;
	struct hwtd_resp r;
	struct hwtd_reg reg;
	int slot;

	for (slot = 0; slot < MAX_SESSIONS && sessions[slot]; slot++)
		;
	if (slot == MAX_SESSIONS) {
		snprintf(err, sizeof(err), "too many sessions (%d recording)",
			 MAX_SESSIONS);
	} else if (cl->cred.uid != 0 &&
		   sessions_of(cl->cred.uid) >= opts.sess_per_uid) {
		snprintf(err, sizeof(err), "too many sessions for uid %u"
			 " (limit %d)", (unsigned)cl->cred.uid,
			 opts.sess_per_uid);
	} else if (find_session(req->session)) {
		snprintf(err, sizeof(err), "a session with that path is"
			 " recording");
	} else {
		err[0] = 0;
	}
	if (err[0]) {
		if (ctx >= 0)
			close(ctx);
		hwtd_log_client(LOG_INFO, "uid %u: record %s refused: %s",
				(unsigned)cl->cred.uid, req->session, err);
		send_error(cl, err);
		return;
	}
	s = hwtd_session_start(req, &cl->cred, next_id, ctx, err, sizeof(err));
	if (!s) {
		hwtd_log_client(LOG_INFO, "uid %u: record %s refused: %s",
				(unsigned)cl->cred.uid, req->session, err);
		send_error(cl, err);
		return;
	}
	next_id++;
	sessions[slot] = s;
	if (hwtd_session_cpu_map(s))
		avoid_traced_cpus();
	memset(&reg, 0, sizeof(reg));
	reg.id = hwtd_session_id(s);
	reg.uid = hwtd_session_owner(s);
	reg.gid = hwtd_session_group(s);
	hwtd_session_dir_id(s, &reg.dev, &reg.ino);
	snprintf(reg.path, sizeof(reg.path), "%s", hwtd_session_path(s));
	if (hwtd_registry_add(opts.state_dir, &reg, err, sizeof(err)))
		hwtd_log(LOG_WARNING, "registry: %s", err);
	hwtd_log_client(LOG_INFO, "uid %u: session %d %s started",
			(unsigned)cl->cred.uid, hwtd_session_id(s),
			req->session);
	if (req->wait)
		cl->wait_id = hwtd_session_id(s);
	hwtd_resp_init(&r, "ok");
	hwtd_resp_add(&r, "id", "%d", hwtd_session_id(s));
	hwtd_resp_add(&r, "session", "%s", req->session);
	send_resp(cl, &r);
}

static void do_control(struct client *cl, const struct hwtd_req *req)
{
	struct hwtd_session *s = find_session(req->session);
	char err[512];
	struct hwtd_resp r;

	if (!s || !hwtd_may_control(&cl->cred, hwtd_session_owner(s))) {
		/* Someone else's session is as invisible as none. */
		send_error(cl, "no such session");
		return;
	}
	if (req->verb == HWTD_SNAPSHOT) {
		if (hwtd_session_snapshot(s, err, sizeof(err))) {
			send_error(cl, err);
			return;
		}
		hwtd_resp_init(&r, "ok");
		hwtd_resp_add(&r, "bytes", "%llu",
			      (unsigned long long)hwtd_session_bytes(s));
		send_resp(cl, &r);
		return;
	}
	/* Finished and committed before the answer; the loop frees it once
	 * its image copier is done (then "done" goes to its recorder). */
	hwtd_session_stop(s, "stopped");
	hwtd_resp_init(&r, "ok");
	hwtd_resp_add(&r, "state", "%s", hwtd_session_state(s));
	hwtd_resp_add(&r, "bytes", "%llu",
		      (unsigned long long)hwtd_session_bytes(s));
	send_resp(cl, &r);
}

static void do_status(struct client *cl)
{
	struct hwtd_resp r;
	char line[PATH_MAX + 256];
	int i;

	hwtd_resp_init(&r, "ok");
	hwtd_resp_add(&r, "format", "id state backend mode target bytes"
		      " records path");
	for (i = 0; i < MAX_SESSIONS; i++) {
		if (!sessions[i] ||
		    !hwtd_may_control(&cl->cred, hwtd_session_owner(sessions[i])))
			continue;
		hwtd_session_describe(sessions[i], line, sizeof(line));
		hwtd_resp_add(&r, "session", "%s", line);
	}
	if (r.overflow)
		hwtd_resp_add(&r, "truncated", "1");
	send_resp(cl, &r);
}

static void bad_request(struct client *cl, const char *err)
{
	hwtd_log_client(LOG_INFO, "uid %u: bad request: %s",
			(unsigned)cl->cred.uid, err);
	send_error(cl, err);
	if (cl->fd >= 0 && ++cl->bad >= opts.bad_max) {
		hwtd_log_client(LOG_INFO, "uid %u: %d bad requests:"
				" disconnected", (unsigned)cl->cred.uid,
				cl->bad);
		send_error(cl, "too many bad requests: connection closed");
		if (cl->fd >= 0)
			client_close(cl);
	}
}

static void client_read(struct client *cl)
{
	static char msg[HWTD_MSG_MAX + 1];
	static struct hwtd_req req;
	const char *why = NULL;
	char err[512];
	int fd, extra;
	ssize_t n;

	n = hwtd_recv_fd(cl->fd, msg, sizeof(msg), &fd, &extra);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (fd >= 0)
			close(fd);
		client_close(cl);
		return;
	}
	cl->last_ms = now_ms();
	if (extra)
		why = "at most one file descriptor per request";
	else if ((size_t)n > HWTD_MSG_MAX)
		why = "request too long";
	else if (hwtd_req_parse(msg, (size_t)n, &req, err, sizeof(err)))
		why = err;
	else if (fd >= 0 && req.verb != HWTD_RECORD)
		why = "a file descriptor with a request that takes none";
	if (why) {
		if (fd >= 0)
			close(fd);
		bad_request(cl, why);
		return;
	}
	switch (req.verb) {
	case HWTD_RECORD:
		do_record(cl, &req, fd);
		break;
	case HWTD_STOP:
	case HWTD_SNAPSHOT:
		do_control(cl, &req);
		break;
	case HWTD_STATUS:
		do_status(cl);
		break;
	}
}

static int connections_of(uid_t uid, int *total)
{
	int i, n = 0;

	*total = 0;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0) {
			(*total)++;
			n += clients[i].cred.uid == uid;
		}
	return n;
}

/* One connection: a client, or refused with a message saying why. */
static void client_accept_one(int fd)
{
	struct hwtd_cred cred;
	char msg[160];
	int i, total, mine;

	if (hwtd_peer_cred(fd, &cred)) {
		close(fd);
		return;
	}
	mine = connections_of(cred.uid, &total);
	msg[0] = 0;
	if (cred.uid != 0 && mine >= opts.conn_per_uid)
		snprintf(msg, sizeof(msg), "too many connections for uid %u"
			 " (limit %d)", (unsigned)cred.uid, opts.conn_per_uid);
	else if (total >= MAX_CLIENTS ||
		 (cred.uid != 0 && total >= MAX_CLIENTS - ROOT_RESERVE))
		snprintf(msg, sizeof(msg), "too many clients (%d connections)",
			 total);
	if (msg[0]) {
		hwtd_log_client(LOG_INFO, "uid %u: %s", (unsigned)cred.uid,
				msg);
		send_error_fd(fd, msg);
		close(fd);
		return;
	}
	for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
		;
	clients[i].fd = fd;
	clients[i].cred = cred;
	clients[i].wait_id = -1;
	clients[i].last_ms = now_ms();
	clients[i].bad = 0;
}

static void client_accept(int lfd)
{
	int i, fd;

	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		client_accept_one(fd);
	}
}

/* Close connections idle past opts.idle_ms (not those waiting for their
 * session); the ms until the next could be due. */
static int close_idle(void)
{
	long long now = now_ms(), next = opts.idle_ms;
	char msg[96];
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &clients[i];
		long long left;

		if (cl->fd < 0 || cl->wait_id >= 0)
			continue;
		left = cl->last_ms + opts.idle_ms - now;
		if (left > 0) {
			if (left < next)
				next = left;
			continue;
		}
		snprintf(msg, sizeof(msg), "idle for %d s: connection closed",
			 opts.idle_ms / 1000);
		send_error(cl, msg);
		if (cl->fd >= 0)
			client_close(cl);
	}
	return (int)next;
}

static void on_signal(int sfd)
{
	struct signalfd_siginfo si;
	char err[512];
	int i;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR2) {
			/* Dump every flight recorder. */
			for (i = 0; i < MAX_SESSIONS; i++)
				if (sessions[i] &&
				    hwtd_session_is_ring(sessions[i]) &&
				    hwtd_session_snapshot(sessions[i], err,
							  sizeof(err)))
					hwtd_log(LOG_WARNING, "snapshot %s: %s",
						 hwtd_session_path(sessions[i]),
						 err);
			hwtd_log(LOG_INFO, "SIGUSR2: flight recorders dumped");
		} else if (si.ssi_signo == SIGHUP) {
			hwtd_log(LOG_INFO, "SIGHUP ignored");
		} else {
			quit = 1;
		}
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		hwtd_log(LOG_ERR, "%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A socket nobody answers on is a leftover: replace it. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (void *)&sa, sizeof(sa))) {
		hwtd_log(LOG_ERR, "%s: another hwtd is running", path);
		close(probe);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) ||
	    chmod(path, 0666) || listen(fd, SOMAXCONN)) {
		hwtd_log(LOG_ERR, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: hwtd [-f] [-s SOCKET] [-S STATEDIR] [-c CONN] [-n SESSIONS]"
		" [-i IDLE]\n"
		"  -f  stay in the foreground, log to stderr\n"
		"  -s  control socket (default %s)\n"
		"  -S  where sessions in progress are listed (default %s)\n"
		"  -c  connections per uid (default %d; root: no limit)\n"
		"  -n  sessions per uid (default %d; root: no limit)\n"
		"  -i  seconds before an idle connection is closed (default %d)\n",
		HWTD_SOCKET_PATH, opts.state_dir, opts.conn_per_uid,
		opts.sess_per_uid, opts.idle_ms / 1000);
	exit(rc);
}

static int number(const char *s, int min, int max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < min || v > max)
		usage(2);
	return (int)v;
}

/* Stop every session and end them once their images are in (at most
 * 5 s; then their copiers are killed). */
static void stop_all(void)
{
	long long end = now_ms() + 5000;
	int i, left;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i])
			hwtd_session_stop(sessions[i], "stopped");
	do {
		left = 0;
		for (i = 0; i < MAX_SESSIONS; i++) {
			if (!sessions[i])
				continue;
			if (hwtd_session_service(sessions[i]) ||
			    now_ms() > end)
				end_session(i);
			else
				left++;
		}
		if (left)
			poll(NULL, 0, 20);
	} while (left);
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[2 + MAX_CLIENTS + MAX_SESSIONS];
	struct hwtd_log_opts lo = { 0 };
	int opt, lfd, sfd, i, n;
	sigset_t mask;

	if (argc == 2 && !strcmp(argv[1], "--help"))
		usage(0);
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("hwtd %s\n", HWT_VERSION);
		return 0;
	}
	while ((opt = getopt(argc, argv, "fs:S:c:n:i:h")) != -1) {
		switch (opt) {
		case 'f': opts.foreground = 1; break;
		case 's': opts.sock = optarg; break;
		case 'S': opts.state_dir = optarg; break;
		case 'c': opts.conn_per_uid = number(optarg, 1, MAX_CLIENTS); break;
		case 'n': opts.sess_per_uid = number(optarg, 1, MAX_SESSIONS); break;
		case 'i': opts.idle_ms = number(optarg, 1, 86400) * 1000; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	lo.foreground = opts.foreground;
	hwtd_log_init(&lo);
	/* File access goes through setfsuid/setfsgid as the client: no
	 * supplementary group of hwtd's may leak into it. */
	if (geteuid() == 0 && setgroups(0, NULL))
		hwtd_log(LOG_WARNING, "setgroups: %s", strerror(errno));
	umask(022);
	if (mkdir(opts.state_dir, 0700) && errno != EEXIST)
		hwtd_log(LOG_WARNING, "%s: %s", opts.state_dir,
			 strerror(errno));
	hwtd_recover(opts.state_dir, opts.recover_ms);

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	lfd = listen_on(opts.sock);
	if (sfd < 0 || lfd < 0)
		return 1;
	if (!opts.foreground && daemon(0, 0)) {
		hwtd_log(LOG_ERR, "daemon: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	hwtd_log(LOG_INFO, "listening on %s", opts.sock);

	while (!quit) {
		int cmap[MAX_CLIENTS], smap[MAX_SESSIONS], nc = 0, ns = 0;
		int timeout = close_idle();

		hwtd_log_flush();
		if (timeout > HWTD_SERVICE_MS)
			timeout = HWTD_SERVICE_MS;
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0) {
				cmap[nc++] = i;
				pfd[n++] = (struct pollfd){
					.fd = clients[i].fd, .events = POLLIN };
			}
		for (i = 0; i < MAX_SESSIONS; i++)
			if (sessions[i]) {
				smap[ns++] = i;
				if (hwtd_session_service_ms(sessions[i]) <
				    timeout)
					timeout = hwtd_session_service_ms(
							sessions[i]);
				pfd[n++] = (struct pollfd){
					.fd = hwtd_session_fd(sessions[i]),
					.events = hwtd_session_events(sessions[i]) };
			}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR) {
			hwtd_log(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		/* Sessions first: a slow client never delays a drain.  Each
		 * one is serviced when ready and at least every
		 * hwtd_session_service_ms() (the poll timeout). */
		for (i = 0; i < ns; i++)
			if (sessions[smap[i]] &&
			    hwtd_session_service(sessions[smap[i]]))
				end_session(smap[i]);
		if (pfd[1].revents)
			on_signal(sfd);
		for (i = 0; i < nc; i++)
			if (clients[cmap[i]].fd >= 0 && pfd[2 + i].revents)
				client_read(&clients[cmap[i]]);
		if (pfd[0].revents)
			client_accept(lfd);
	}
	hwtd_log(LOG_INFO, "exiting: stopping every session");
	stop_all();
	unlink(opts.sock);
	return 0;
}
