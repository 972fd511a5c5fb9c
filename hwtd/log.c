// SPDX-License-Identifier: BSD-2-Clause
/* hwtd's rate-limited log.  See log.h. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static struct hwtd_log_opts opts = { 1, 20, 5 };
static long long tokens_ms;	/* tokens, in ms of refill (1000/per_sec each) */
static long long last_ms;
static unsigned long long suppressed;

void hwtd_log_init(const struct hwtd_log_opts *o)
{
	opts = *o;
	if (opts.burst <= 0)
		opts.burst = 20;
	if (opts.per_sec <= 0)
		opts.per_sec = 5;
	tokens_ms = (long long)opts.burst * 1000;
	last_ms = 0;
	if (!opts.foreground)
		openlog("hwtd", LOG_PID, LOG_DAEMON);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	if (opts.foreground) {
		fprintf(stderr, "hwtd: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
}

static void say(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void hwtd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

/* Refill; 1 if a line may be written now (the token is taken). */
static int take(void)
{
	struct timespec ts;
	long long now, cap = (long long)opts.burst * 1000;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
	if (last_ms)
		tokens_ms += (now - last_ms) * opts.per_sec;
	last_ms = now;
	if (tokens_ms > cap)
		tokens_ms = cap;
	if (tokens_ms < 1000)
		return 0;
	tokens_ms -= 1000;
	return 1;
}

void hwtd_log_flush(void)
{
	if (suppressed && take()) {
		say(LOG_NOTICE, "%llu client messages suppressed (rate limit)",
		    suppressed);
		suppressed = 0;
	}
}

void hwtd_log_client(int prio, const char *fmt, ...)
{
	va_list ap;

	hwtd_log_flush();
	if (suppressed || !take()) {
		suppressed++;
		return;
	}
	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}
