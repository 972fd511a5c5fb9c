// SPDX-License-Identifier: BSD-2-Clause
/* hwtd control protocol: strict parsing and encoding.  See proto.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt_err.h"
#include "proto.h"

static const char *const verbs[] = {
	[HWTD_RECORD] = "record", [HWTD_STOP] = "stop",
	[HWTD_SNAPSHOT] = "snapshot", [HWTD_STATUS] = "status",
};

/* Keys and the verbs that take them (bit per verb). */
#define V(x) (1u << (x))
static const struct {
	const char *name;
	unsigned verbs;
	int repeat;
} keys[] = {
	{ "target", V(HWTD_RECORD), 0 },
	{ "backend", V(HWTD_RECORD), 0 },
	{ "mode", V(HWTD_RECORD), 0 },
	{ "bufsize", V(HWTD_RECORD), 0 },
	{ "quota", V(HWTD_RECORD), 0 },
	{ "exe", V(HWTD_RECORD), 0 },
	{ "command", V(HWTD_RECORD), 0 },
	{ "filter", V(HWTD_RECORD), 1 },
	{ "wait", V(HWTD_RECORD), 0 },
	{ "config", V(HWTD_RECORD), 0 },
	{ "options", V(HWTD_RECORD), 0 },
	{ "session", V(HWTD_RECORD) | V(HWTD_STOP) | V(HWTD_SNAPSHOT), 0 },
	{ "launch", V(HWTD_RECORD), 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

int hwtd_parse_size(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || (shift && n > (~0ULL >> shift)))
		return -1;
	*v = (uint64_t)n << shift;
	return 0;
}

int hwtd_parse_cpus(const char *s, uint64_t *map, size_t words)
{
	unsigned long a, b;
	char *end;

	memset(map, 0, words * sizeof(*map));
	if (!*s)
		return -1;
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		a = strtoul(s, &end, 10);
		b = a;
		if (*end == '-') {
			s = end + 1;
			if (*s < '0' || *s > '9')
				return -1;
			b = strtoul(s, &end, 10);
		}
		if (a > b || b >= words * 64)
			return -1;
		for (; a <= b; a++)
			map[a / 64] |= 1ULL << (a % 64);
		if (!*end)
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static int copy_val(char *dst, size_t dstlen, const char *v, size_t n,
		    const char *key, char *err, size_t errlen)
{
	if (n >= dstlen)
		return hwt_errf(err, errlen, "%s: value too long (max %zu)", key,
			    dstlen - 1);
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

/* A ".." component would let a path escape a directory the client named. */
static int has_dotdot(const char *path)
{
	const char *p;

	for (p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == 0 || p[2] == '/'))
			return 1;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* VERSION:HEX, the blob in lower-case hex. */
static int parse_config(struct hwtd_req *r, const char *v, char *err,
			size_t errlen)
{
	unsigned long ver;
	char *end;
	size_t i, n;

	errno = 0;
	ver = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno || *end != ':' || ver > UINT32_MAX)
		return hwt_errf(err, errlen, "config: want VERSION:HEX");
	end++;
	n = strlen(end);
	if (n % 2 || n / 2 > HWT_CONFIG_MAX)
		return hwt_errf(err, errlen, "config: want an even number of hex"
			    " digits, at most %d bytes", HWT_CONFIG_MAX);
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(end[2 * i]), lo = hexval(end[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return hwt_errf(err, errlen, "config: bad hex digit");
		r->config[i] = (unsigned char)(hi << 4 | lo);
	}
	r->has_config = 1;
	r->config_version = (uint32_t)ver;
	r->config_size = (uint32_t)(n / 2);
	return 0;
}

static int set_key(struct hwtd_req *r, const char *k, const char *v,
		   size_t vn, char *err, size_t errlen)
{
	char tmp[HWTD_MSG_MAX];

	if (copy_val(tmp, sizeof(tmp), v, vn, k, err, errlen))
		return -1;
	if (!strcmp(k, "target")) {
		long long pid;
		char *end;

		if (!strncmp(tmp, "cpus:", 5)) {
			r->target = HWTD_TARGET_CPUS;
			if (hwtd_parse_cpus(tmp + 5, r->cpu_map,
					    HWT_CPU_MAP_WORDS))
				return hwt_errf(err, errlen, "target: bad CPU list"
					    " '%s'", tmp + 5);
			return 0;
		}
		if (!strncmp(tmp, "pid:", 4))
			r->target = HWTD_TARGET_PID;
		else if (!strncmp(tmp, "launch:", 7))
			r->target = HWTD_TARGET_LAUNCH;
		else
			return hwt_errf(err, errlen, "target: want pid:N, launch:N"
				    " or cpus:LIST, got '%s'", tmp);
		v = strchr(tmp, ':') + 1;
		errno = 0;
		pid = strtoll(v, &end, 10);
		if (*v < '1' || *v > '9' || *end || errno || pid > INT32_MAX)
			return hwt_errf(err, errlen, "target: bad pid '%s'", v);
		r->pid = (pid_t)pid;
		return 0;
	}
	if (!strcmp(k, "launch")) {
		long long pid;
		char *end;

		errno = 0;
		pid = strtoll(tmp, &end, 10);
		if (*tmp < '1' || *tmp > '9' || *end || errno ||
		    pid > INT32_MAX)
			return hwt_errf(err, errlen, "launch: bad pid '%s'",
				    tmp);
		r->launch_pid = (pid_t)pid;
		return 0;
	}
	if (!strcmp(k, "backend")) {
		if (!*tmp)
			return hwt_errf(err, errlen, "backend: empty");
		return copy_val(r->backend, sizeof(r->backend), tmp,
				strlen(tmp), k, err, errlen);
	}
	if (!strcmp(k, "mode")) {
		if (strcmp(tmp, "stream") && strcmp(tmp, "ring"))
			return hwt_errf(err, errlen, "mode: want stream or ring,"
				    " got '%s'", tmp);
		r->ring = !strcmp(tmp, "ring");
		return 0;
	}
	if (!strcmp(k, "bufsize") || !strcmp(k, "quota")) {
		uint64_t n;

		if (hwtd_parse_size(tmp, &n))
			return hwt_errf(err, errlen, "%s: bad size '%s'", k, tmp);
		if (!strcmp(k, "quota")) {
			r->quota = n;
			return 0;
		}
		if (n < HWT_BUFSIZE_MIN || n > HWT_BUFSIZE_MAX || n % 4096)
			return hwt_errf(err, errlen, "bufsize: %s is not a multiple"
				    " of 4K between 4K and 256M", tmp);
		r->bufsize = n;
		return 0;
	}
	if (!strcmp(k, "exe")) {
		if (tmp[0] != '/')
			return hwt_errf(err, errlen, "exe: not an absolute path");
		return copy_val(r->exe, sizeof(r->exe), tmp, strlen(tmp), k,
				err, errlen);
	}
	if (!strcmp(k, "command"))
		return copy_val(r->command, sizeof(r->command), tmp,
				strlen(tmp), k, err, errlen);
	if (!strcmp(k, "filter")) {
		if (r->nfilters == HWTD_FILTERS_MAX)
			return hwt_errf(err, errlen, "filter: more than %d",
				    HWTD_FILTERS_MAX);
		if (!*tmp)
			return hwt_errf(err, errlen, "filter: empty");
		return copy_val(r->filters[r->nfilters++], HWTD_FILTER_LEN,
				tmp, strlen(tmp), k, err, errlen);
	}
	if (!strcmp(k, "config"))
		return parse_config(r, tmp, err, errlen);
	if (!strcmp(k, "options")) {
		if (!*tmp || !hwtd_bopts_syntax_ok(tmp))
			return hwt_errf(err, errlen, "options: want a-z, 0-9,"
					" '_', '=', ',' (1..%d bytes)",
					HWTD_BOPTS_LEN - 1);
		return copy_val(r->options, sizeof(r->options), tmp,
				strlen(tmp), k, err, errlen);
	}
	if (!strcmp(k, "wait")) {
		if (strcmp(tmp, "0") && strcmp(tmp, "1"))
			return hwt_errf(err, errlen, "wait: want 0 or 1");
		r->wait = tmp[0] == '1';
		return 0;
	}
	/* session */
	if (tmp[0] != '/' || has_dotdot(tmp))
		return hwt_errf(err, errlen, "session: want an absolute path"
			    " without '..'");
	return copy_val(r->session, sizeof(r->session), tmp, strlen(tmp), k,
			err, errlen);
}

int hwtd_req_parse(const char *msg, size_t len, struct hwtd_req *r,
		   char *err, size_t errlen)
{
	unsigned seen = 0;
	const char *p = msg, *end = msg + len, *nl;
	size_t i, n;

	memset(r, 0, sizeof(*r));
	if (!len)
		return hwt_errf(err, errlen, "empty request");
	if (len > HWTD_MSG_MAX)
		return hwt_errf(err, errlen, "request longer than %d bytes",
			    HWTD_MSG_MAX);
	if (memchr(msg, 0, len))
		return hwt_errf(err, errlen, "NUL byte in request");
	if (msg[len - 1] != '\n')
		return hwt_errf(err, errlen, "request does not end with a newline");
	nl = memchr(p, '\n', len);
	n = (size_t)(nl - p);
	for (i = 1; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i]) == n && !memcmp(p, verbs[i], n))
			r->verb = (enum hwtd_verb)i;
	if (!r->verb)
		return hwt_errf(err, errlen, "unknown request '%.*s'",
			    (int)(n > 32 ? 32 : n), p);
	for (p = nl + 1; p < end; p = nl + 1) {
		const char *eq;
		char key[16];

		nl = memchr(p, '\n', (size_t)(end - p));
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq || eq == p || eq - p >= (long)sizeof(key))
			return hwt_errf(err, errlen, "malformed line '%.*s'",
				    (int)(nl - p > 40 ? 40 : nl - p), p);
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = 0;
		for (i = 0; i < NKEYS; i++)
			if (!strcmp(keys[i].name, key))
				break;
		if (i == NKEYS || !(keys[i].verbs & V(r->verb)))
			return hwt_errf(err, errlen, "unknown key '%s' for %s",
				    key, verbs[r->verb]);
		if ((seen & (1u << i)) && !keys[i].repeat)
			return hwt_errf(err, errlen, "key '%s' given twice", key);
		seen |= 1u << i;
		if (set_key(r, key, eq + 1, (size_t)(nl - eq - 1), err,
			    errlen))
			return -1;
	}
	switch (r->verb) {
	case HWTD_RECORD:
		if (!r->target || !r->session[0] || !r->backend[0])
			return hwt_errf(err, errlen, "record needs target, backend"
				    " and session");
		if (r->target == HWTD_TARGET_LAUNCH && !r->exe[0])
			return hwt_errf(err, errlen, "target launch needs exe");
		if (r->launch_pid && r->target != HWTD_TARGET_CPUS)
			return hwt_errf(err, errlen, "launch goes with target "
				    "cpus (target launch names its own pid)");
		break;
	case HWTD_STOP:
	case HWTD_SNAPSHOT:
		if (!r->session[0])
			return hwt_errf(err, errlen, "%s needs session",
				    verbs[r->verb]);
		break;
	case HWTD_STATUS:
		break;
	}
	return 0;
}

struct out {
	char *buf;
	size_t len, cap;
	int bad;
};

static void put(struct out *o, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(struct out *o, const char *key, const char *fmt, ...)
{
	char val[HWTD_MSG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (strchr(val, '\n'))
		o->bad = 1;
	n = snprintf(o->buf + o->len, o->cap - o->len, "%s%s%s\n", key,
		     key[0] ? "=" : "", val);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->bad = 1;
	else
		o->len += (size_t)n;
}

static void put_cpus(struct out *o, const uint64_t *map)
{
	char s[HWT_CPU_MAP_WORDS * 64 * 5] = "";
	size_t len = 0;
	int c;

	for (c = 0; c < HWT_CPU_MAP_WORDS * 64; c++)
		if (map[c / 64] & (1ULL << (c % 64)))
			len += (size_t)snprintf(s + len, sizeof(s) - len,
						"%s%d", len ? "," : "", c);
	put(o, "target", "cpus:%s", s);
}

static void put_config(struct out *o, const struct hwtd_req *r)
{
	static const char hex[] = "0123456789abcdef";
	char s[2 * HWT_CONFIG_MAX + 1];
	uint32_t i;

	if (r->config_size > HWT_CONFIG_MAX) {
		o->bad = 1;
		return;
	}
	for (i = 0; i < r->config_size; i++) {
		s[2 * i] = hex[r->config[i] >> 4];
		s[2 * i + 1] = hex[r->config[i] & 15];
	}
	s[2 * i] = 0;
	put(o, "config", "%u:%s", r->config_version, s);
}

int hwtd_req_format(const struct hwtd_req *r, char *buf, size_t buflen)
{
	struct out o = { buf, 0, buflen < HWTD_MSG_MAX ? buflen : HWTD_MSG_MAX,
			 0 };
	char err[128];
	struct hwtd_req check;
	int i;

	if (r->verb < HWTD_RECORD || r->verb > HWTD_STATUS)
		return -1;
	put(&o, "", "%s", verbs[r->verb]);
	if (r->verb == HWTD_RECORD) {
		if (r->target == HWTD_TARGET_CPUS)
			put_cpus(&o, r->cpu_map);
		else
			put(&o, "target", "%s:%d", r->target == HWTD_TARGET_PID
			    ? "pid" : "launch", (int)r->pid);
		if (r->target == HWTD_TARGET_CPUS && r->launch_pid > 0)
			put(&o, "launch", "%d", (int)r->launch_pid);
		put(&o, "backend", "%s", r->backend);
		put(&o, "mode", "%s", r->ring ? "ring" : "stream");
		if (r->bufsize)
			put(&o, "bufsize", "%llu",
			    (unsigned long long)r->bufsize);
		if (r->quota)
			put(&o, "quota", "%llu", (unsigned long long)r->quota);
		if (r->exe[0])
			put(&o, "exe", "%s", r->exe);
		if (r->command[0])
			put(&o, "command", "%s", r->command);
		for (i = 0; i < r->nfilters; i++)
			put(&o, "filter", "%s", r->filters[i]);
		if (r->wait)
			put(&o, "wait", "1");
		if (r->has_config)
			put_config(&o, r);
		if (r->options[0])
			put(&o, "options", "%s", r->options);
	}
	if (r->verb != HWTD_STATUS)
		put(&o, "session", "%s", r->session);
	if (o.bad || hwtd_req_parse(buf, o.len, &check, err, sizeof(err)))
		return -1;
	return (int)o.len;
}

void hwtd_resp_init(struct hwtd_resp *r, const char *status)
{
	r->len = (size_t)snprintf(r->buf, sizeof(r->buf), "%s\n", status);
	r->overflow = 0;
}

void hwtd_resp_add(struct hwtd_resp *r, const char *key, const char *fmt,
		   ...)
{
	char val[HWTD_MSG_MAX];
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	for (p = val; *p; p++)
		if (*p == '\n')
			*p = ' ';
	n = snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%s=%s\n", key,
		     val);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len)
		r->overflow = 1;	/* the line is dropped, not cut */
	else
		r->len += (size_t)n;
}

const char *hwtd_resp_status(const char *msg, size_t len, char *status,
			     size_t statuslen)
{
	const char *nl;

	if (!len || memchr(msg, 0, len) || msg[len - 1] != '\n')
		return NULL;
	nl = memchr(msg, '\n', len);
	if ((size_t)(nl - msg) >= statuslen)
		return NULL;
	memcpy(status, msg, (size_t)(nl - msg));
	status[nl - msg] = 0;
	if (strcmp(status, "ok") && strcmp(status, "error") &&
	    strcmp(status, "done"))
		return NULL;
	return status;
}

int hwtd_resp_get(const char *msg, size_t len, const char *key, int n,
		  char *val, size_t vallen)
{
	const char *p = memchr(msg, '\n', len), *end = msg + len, *nl;
	size_t kl = strlen(key);

	for (p = p ? p + 1 : end; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -1;
		if ((size_t)(nl - p) > kl && !memcmp(p, key, kl) &&
		    p[kl] == '=' && n-- == 0) {
			size_t vl = (size_t)(nl - p - kl - 1);

			if (vl >= vallen)
				vl = vallen - 1;
			memcpy(val, p + kl + 1, vl);
			val[vl] = 0;
			return 0;
		}
	}
	return -1;
}
