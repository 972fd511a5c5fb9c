/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hwtd's log: stderr (-f) or syslog.  What clients cause (bad requests,
 * refusals, sessions) is rate-limited, so that no client can flood the
 * log: a token bucket of `burst` lines refilled at `per_sec` a second;
 * what is dropped is counted and said in one line when logging resumes.
 */
#ifndef HWTD_LOG_H
#define HWTD_LOG_H

struct hwtd_log_opts {
	int foreground;		/* stderr, else syslog (LOG_DAEMON) */
	int burst;		/* client-caused lines at once (0: 20) */
	int per_sec;		/* client-caused lines a second (0: 5) */
};

void hwtd_log_init(const struct hwtd_log_opts *o);

/* hwtd's own events (start, exit, recovery): always written. */
void hwtd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Events a client causes: written while the bucket has tokens, else
 * counted ("N messages suppressed" when the next one is written). */
void hwtd_log_client(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Say how many were suppressed if the bucket has refilled since (call it
 * now and then, so the count is not held back for ever). */
void hwtd_log_flush(void);

#endif /* HWTD_LOG_H */
