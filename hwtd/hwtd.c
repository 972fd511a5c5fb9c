// SPDX-License-Identifier: BSD-2-Clause
/*
 * hwtd: the hwt trace daemon.  One process, one poll() loop over the
 * control socket, the clients, every session's context fd and a signalfd.
 * Requests and their rules: docs/hwtd.md; privileges: priv.h.
 *
 *   hwtd [-f] [-s SOCKET] [-S STATEDIR]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "proto.h"
#include "session.h"
#include "store.h"

#define MAX_CLIENTS	64
#define MAX_SESSIONS	64

struct client {
	int fd;			/* -1: free slot */
	struct hwtd_cred cred;
	int wait_id;		/* session it waits on, or -1 */
};

static struct client clients[MAX_CLIENTS];
static struct hwtd_session *sessions[MAX_SESSIONS];
static int foreground, next_id = 1, quit;
static const char *state_dir = "/run/hwtd";

static void logmsg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (foreground) {
		fprintf(stderr, "hwtd: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

static void send_resp(int fd, const struct hwtd_resp *r)
{
	/* A client that stopped reading loses its answer, not hwtd. */
	if (send(fd, r->buf, r->len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		logmsg(LOG_DEBUG, "send: %s", strerror(errno));
}

static void send_error(int fd, const char *msg)
{
	struct hwtd_resp r;

	hwtd_resp_init(&r, "error");
	hwtd_resp_add(&r, "message", "%s", msg);
	send_resp(fd, &r);
}

/* --- Sessions in progress are listed in STATEDIR, so that a restarted
 * hwtd can repair what a crash left (fsck, state "interrupted"). ---- */
static void registry_path(int id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/session-%d", state_dir, id);
}

static void registry_add(struct hwtd_session *s)
{
	char p[PATH_MAX];
	FILE *f;

	registry_path(hwtd_session_id(s), p, sizeof(p));
	f = fopen(p, "we");
	if (!f) {
		logmsg(LOG_WARNING, "%s: %s", p, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", hwtd_session_path(s));
	if (fflush(f) || fsync(fileno(f)))
		logmsg(LOG_WARNING, "%s: %s", p, strerror(errno));
	fclose(f);
}

static void registry_del(const struct hwtd_session *s)
{
	char p[PATH_MAX];

	registry_path(hwtd_session_id(s), p, sizeof(p));
	unlink(p);
}

static void recover(void)
{
	char p[PATH_MAX], dir[PATH_MAX], err[512];
	struct dirent *de;
	uint64_t cut;
	DIR *d = opendir(state_dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;

		if (strncmp(de->d_name, "session-", 8))
			continue;
		snprintf(p, sizeof(p), "%s/%s", state_dir, de->d_name);
		f = fopen(p, "re");
		if (f && fgets(dir, sizeof(dir), f)) {
			dir[strcspn(dir, "\n")] = 0;
			if (hwt_store_fsck(dir, &cut, err, sizeof(err)))
				logmsg(LOG_WARNING, "recover %s: %s", dir, err);
			else
				logmsg(LOG_NOTICE, "recovered %s (%llu bytes of"
				       " un-indexed tail cut)", dir,
				       (unsigned long long)cut);
			hwt_store_set_state(dir, "recording", "interrupted");
		}
		if (f)
			fclose(f);
		unlink(p);
	}
	closedir(d);
}

static struct hwtd_session *find_session(const char *path)
{
	int i;

	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] && !strcmp(hwtd_session_path(sessions[i]), path))
			return sessions[i];
	return NULL;
}

static void end_session(int slot)
{
	struct hwtd_session *s = sessions[slot];
	struct hwtd_resp r;
	int i, id = hwtd_session_id(s);

	hwtd_resp_init(&r, "done");
	hwtd_resp_add(&r, "session", "%s", hwtd_session_path(s));
	hwtd_resp_add(&r, "state", "%s", hwtd_session_state(s));
	hwtd_resp_add(&r, "bytes", "%llu",
		      (unsigned long long)hwtd_session_bytes(s));
	if (hwtd_session_error(s)[0])
		hwtd_resp_add(&r, "message", "%s", hwtd_session_error(s));
	logmsg(LOG_INFO, "session %d %s: %s%s%s", hwtd_session_id(s),
	       hwtd_session_path(s), hwtd_session_state(s),
	       hwtd_session_error(s)[0] ? ": " : "", hwtd_session_error(s));
	registry_del(s);
	hwtd_session_free(s);	/* commits first: "done" means durable */
	sessions[slot] = NULL;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].wait_id == id) {
			send_resp(clients[i].fd, &r);
			clients[i].wait_id = -1;
		}
}

static void do_record(struct client *cl, const struct hwtd_req *req)
{
	char err[1024];
	struct hwtd_session *s;
	struct hwtd_resp r;
	int slot;

	for (slot = 0; slot < MAX_SESSIONS && sessions[slot]; slot++)
		;
	if (slot == MAX_SESSIONS) {
		send_error(cl->fd, "too many sessions");
		return;
	}
	if (find_session(req->session)) {
		send_error(cl->fd, "a session with that path is recording");
		return;
	}
	s = hwtd_session_start(req, &cl->cred, next_id, err, sizeof(err));
	if (!s) {
		logmsg(LOG_INFO, "uid %u: record %s refused: %s",
		       (unsigned)cl->cred.uid, req->session, err);
		send_error(cl->fd, err);
		return;
	}
	next_id++;
	sessions[slot] = s;
	registry_add(s);
	logmsg(LOG_INFO, "uid %u: session %d %s started",
	       (unsigned)cl->cred.uid, hwtd_session_id(s), req->session);
	if (req->wait)
		cl->wait_id = hwtd_session_id(s);
	hwtd_resp_init(&r, "ok");
	hwtd_resp_add(&r, "id", "%d", hwtd_session_id(s));
	hwtd_resp_add(&r, "session", "%s", req->session);
	send_resp(cl->fd, &r);
}

static void do_control(struct client *cl, const struct hwtd_req *req)
{
	struct hwtd_session *s = find_session(req->session);
	char err[512];
	struct hwtd_resp r;
	int i;

	if (!s || !hwtd_may_control(&cl->cred, hwtd_session_owner(s))) {
		/* Someone else's session is as invisible as none. */
		send_error(cl->fd, "no such session");
		return;
	}
	if (req->verb == HWTD_SNAPSHOT) {
		if (hwtd_session_snapshot(s, err, sizeof(err))) {
			send_error(cl->fd, err);
			return;
		}
		hwtd_resp_init(&r, "ok");
		hwtd_resp_add(&r, "bytes", "%llu",
			      (unsigned long long)hwtd_session_bytes(s));
		send_resp(cl->fd, &r);
		return;
	}
	hwtd_session_stop(s, "stopped");
	hwtd_resp_init(&r, "ok");
	hwtd_resp_add(&r, "state", "%s", hwtd_session_state(s));
	hwtd_resp_add(&r, "bytes", "%llu",
		      (unsigned long long)hwtd_session_bytes(s));
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i] == s)
			end_session(i);
	send_resp(cl->fd, &r);
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
	send_resp(cl->fd, &r);
}

static void client_close(struct client *cl)
{
	close(cl->fd);
	cl->fd = -1;
}

static void client_read(struct client *cl)
{
	static char msg[HWTD_MSG_MAX + 1];
	static struct hwtd_req req;
	char err[512];
	ssize_t n;

	n = recv(cl->fd, msg, sizeof(msg), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(cl);
		return;
	}
	if ((size_t)n > HWTD_MSG_MAX) {
		send_error(cl->fd, "request too long");
		return;
	}
	if (hwtd_req_parse(msg, (size_t)n, &req, err, sizeof(err))) {
		logmsg(LOG_INFO, "uid %u: bad request: %s",
		       (unsigned)cl->cred.uid, err);
		send_error(cl->fd, err);
		return;
	}
	switch (req.verb) {
	case HWTD_RECORD:
		do_record(cl, &req);
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

static void client_accept(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && clients[i].fd >= 0; i++)
		;
	if (i == MAX_CLIENTS) {
		send_error(fd, "too many clients");
		close(fd);
		return;
	}
	if (hwtd_peer_cred(fd, &clients[i].cred)) {
		close(fd);
		return;
	}
	clients[i].fd = fd;
	clients[i].wait_id = -1;
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
					logmsg(LOG_WARNING, "snapshot %s: %s",
					       hwtd_session_path(sessions[i]),
					       err);
			logmsg(LOG_INFO, "SIGUSR2: flight recorders dumped");
		} else if (si.ssi_signo == SIGHUP) {
			logmsg(LOG_INFO, "SIGHUP ignored");
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
		logmsg(LOG_ERR, "%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A socket nobody answers on is a leftover: replace it. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (void *)&sa, sizeof(sa))) {
		logmsg(LOG_ERR, "%s: another hwtd is running", path);
		close(probe);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) ||
	    chmod(path, 0666) || listen(fd, 16)) {
		logmsg(LOG_ERR, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: hwtd [-f] [-s SOCKET] [-S STATEDIR]\n"
		"  -f  stay in the foreground, log to stderr\n"
		"  -s  control socket (default %s)\n"
		"  -S  where sessions in progress are listed (default %s)\n",
		HWTD_SOCKET_PATH, state_dir);
	exit(rc);
}

int main(int argc, char **argv)
{
	static struct pollfd pfd[2 + MAX_CLIENTS + MAX_SESSIONS];
	const char *sock = HWTD_SOCKET_PATH;
	int opt, lfd, sfd, i, n;
	sigset_t mask;

	while ((opt = getopt(argc, argv, "fs:S:h")) != -1) {
		switch (opt) {
		case 'f': foreground = 1; break;
		case 's': sock = optarg; break;
		case 'S': state_dir = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (!foreground)
		openlog("hwtd", LOG_PID, LOG_DAEMON);
	/* File access goes through setfsuid/setfsgid as the client: no
	 * supplementary group of hwtd's may leak into it. */
	if (geteuid() == 0 && setgroups(0, NULL))
		logmsg(LOG_WARNING, "setgroups: %s", strerror(errno));
	umask(022);
	if (mkdir(state_dir, 0700) && errno != EEXIST)
		logmsg(LOG_WARNING, "%s: %s", state_dir, strerror(errno));
	recover();

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	lfd = listen_on(sock);
	if (sfd < 0 || lfd < 0)
		return 1;
	if (!foreground && daemon(0, 0)) {
		logmsg(LOG_ERR, "daemon: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	logmsg(LOG_INFO, "listening on %s", sock);

	while (!quit) {
		int cmap[MAX_CLIENTS], smap[MAX_SESSIONS], nc = 0, ns = 0;
		int timeout = HWTD_SERVICE_MS;

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
			logmsg(LOG_ERR, "poll: %s", strerror(errno));
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
	logmsg(LOG_INFO, "exiting: stopping every session");
	for (i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i]) {
			hwtd_session_stop(sessions[i], "stopped");
			end_session(i);
		}
	unlink(sock);
	return 0;
}
