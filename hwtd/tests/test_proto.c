// SPDX-License-Identifier: BSD-2-Clause
/* hwtd protocol: round trips and strict rejection of malformed input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../proto.h"
#include "../../tests/lib/unit.h"

static struct hwtd_req r, r2;
static char err[512], buf[HWTD_MSG_MAX];

static int parse(const char *m)
{
	return hwtd_req_parse(m, strlen(m), &r, err, sizeof(err));
}

/* Must fail, with a message containing what. */
static int rejects(const char *m, const char *what)
{
	err[0] = 0;
	return parse(m) == -1 && strstr(err, what) != NULL;
}

static void test_roundtrip(void)
{
	int n;

	memset(&r, 0, sizeof(r));
	r.verb = HWTD_RECORD;
	r.target = HWTD_TARGET_LAUNCH;
	r.pid = 1234;
	strcpy(r.backend, "soft");
	r.ring = 1;
	r.bufsize = 1 << 20;
	r.quota = 5ULL << 30;
	strcpy(r.exe, "/usr/bin/true");
	strcpy(r.command, "true --x=1");
	r.nfilters = 2;
	strcpy(r.filters[0], "main");
	strcpy(r.filters[1], "401000-402000@/usr/bin/true");
	r.wait = 1;
	r.has_config = 1;
	r.config_version = 7;
	r.config_size = 3;
	memcpy(r.config, "\x00\xab\xff", 3);
	strcpy(r.options, "tsc,mtc=3");
	strcpy(r.session, "/tmp/s");
	n = hwtd_req_format(&r, buf, sizeof(buf));
	UNIT_CHECK(n > 0);
	UNIT_CHECK(hwtd_req_parse(buf, (size_t)n, &r2, err, sizeof(err)) == 0);
	UNIT_CHECK(r2.verb == HWTD_RECORD && r2.target == HWTD_TARGET_LAUNCH);
	UNIT_CHECK(r2.pid == 1234 && r2.ring && r2.wait);
	UNIT_CHECK(r2.bufsize == 1 << 20 && r2.quota == 5ULL << 30);
	UNIT_CHECK(!strcmp(r2.backend, "soft") && !strcmp(r2.exe, r.exe));
	UNIT_CHECK(!strcmp(r2.command, r.command));
	UNIT_CHECK(r2.nfilters == 2 && !strcmp(r2.filters[1], r.filters[1]));
	UNIT_CHECK(r2.has_config && r2.config_version == 7 &&
		   r2.config_size == 3 && !memcmp(r2.config, "\x00\xab\xff", 3));
	UNIT_CHECK(!strcmp(r2.session, "/tmp/s"));
	UNIT_CHECK(!strcmp(r2.options, "tsc,mtc=3"));

	/* CPU sets survive the trip. */
	memset(&r, 0, sizeof(r));
	r.verb = HWTD_RECORD;
	r.target = HWTD_TARGET_CPUS;
	r.cpu_map[0] = 0x2d;		/* 0,2,3,5 */
	r.cpu_map[15] = 1ULL << 63;	/* 1023 */
	strcpy(r.backend, "null");
	strcpy(r.session, "/s");
	n = hwtd_req_format(&r, buf, sizeof(buf));
	UNIT_CHECK(n > 0 && strstr(buf, "target=cpus:0,2,3,5,1023\n"));
	UNIT_CHECK(hwtd_req_parse(buf, (size_t)n, &r2, err, sizeof(err)) == 0);
	UNIT_CHECK(!memcmp(r2.cpu_map, r.cpu_map, sizeof(r.cpu_map)));
	UNIT_CHECK(r2.launch_pid == 0 && !strstr(buf, "launch="));
	/* ... with the program launched for them */
	r.launch_pid = 4321;
	n = hwtd_req_format(&r, buf, sizeof(buf));
	UNIT_CHECK(n > 0 && strstr(buf, "launch=4321\n"));
	UNIT_CHECK(hwtd_req_parse(buf, (size_t)n, &r2, err, sizeof(err)) == 0);
	UNIT_CHECK(r2.launch_pid == 4321 && r2.target == HWTD_TARGET_CPUS);
	r.launch_pid = 0;

	/* A newline in a value cannot smuggle a key in. */
	strcpy(r.session, "/s\nquota=1");
	UNIT_CHECK(hwtd_req_format(&r, buf, sizeof(buf)) == -1);
}

static void test_malformed(void)
{
	static char big[HWTD_MSG_MAX + 10];
	char m[64];

	UNIT_CHECK(hwtd_req_parse("", 0, &r, err, sizeof(err)) == -1);
	UNIT_CHECK(rejects("status", "newline"));
	UNIT_CHECK(rejects("bogus\n", "unknown request"));
	UNIT_CHECK(rejects("STATUS\n", "unknown request"));
	UNIT_CHECK(rejects("status\n\n", "malformed"));
	UNIT_CHECK(rejects("status\nnoequals\n", "malformed"));
	UNIT_CHECK(rejects("status\n=x\n", "malformed"));
	UNIT_CHECK(rejects("status\nsession=/x\n", "unknown key"));
	UNIT_CHECK(rejects("stop\n", "needs session"));
	UNIT_CHECK(rejects("stop\nsession=x\n", "absolute"));
	UNIT_CHECK(rejects("stop\nsession=/a/../etc\n", "absolute"));
	UNIT_CHECK(rejects("stop\nsession=/a/..\n", "absolute"));
	UNIT_CHECK(parse("stop\nsession=/a/..b/c..\n") == 0);
	UNIT_CHECK(rejects("stop\nsession=/a\nsession=/b\n", "twice"));
	UNIT_CHECK(rejects("record\ntarget=pid:1\nbackend=null\n", "needs"));
	UNIT_CHECK(rejects("record\ntarget=pid:0\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=pid:-3\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=pid:12x\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=pid:99999999999\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=tid:5\n", "want pid"));
	UNIT_CHECK(rejects("record\ntarget=cpus:3-1\n", "CPU list"));
	UNIT_CHECK(rejects("record\ntarget=cpus:1024\n", "CPU list"));
	UNIT_CHECK(rejects("record\ntarget=cpus:1,\n", "CPU list"));
	UNIT_CHECK(rejects("record\ntarget=cpus:\n", "CPU list"));
	UNIT_CHECK(rejects("record\ntarget=cpus:0\nlaunch=0\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=cpus:0\nlaunch=-1\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=cpus:0\nlaunch=7x\n", "bad pid"));
	UNIT_CHECK(rejects("record\ntarget=pid:5\nlaunch=7\nbackend=null\n"
			   "session=/s\n", "goes with target cpus"));
	UNIT_CHECK(rejects("record\nmode=fast\n", "mode"));
	UNIT_CHECK(rejects("record\nbufsize=4097\n", "bufsize"));
	UNIT_CHECK(rejects("record\nbufsize=512M\n", "bufsize"));
	UNIT_CHECK(rejects("record\nbufsize=1X\n", "bad size"));
	UNIT_CHECK(rejects("record\nquota=99999999999999999999\n", "bad size"));
	UNIT_CHECK(rejects("record\nquota=18446744073709551615G\n", "bad size"));
	UNIT_CHECK(rejects("record\nbackend=\n", "empty"));
	UNIT_CHECK(rejects("record\nbackend=0123456789012345678901234567890123\n",
			   "too long"));
	UNIT_CHECK(rejects("record\nexe=rel\n", "absolute"));
	UNIT_CHECK(rejects("record\nwait=2\n", "wait"));
	UNIT_CHECK(rejects("record\nconfig=1:abc\n", "even"));
	UNIT_CHECK(rejects("record\nconfig=1:zz\n", "hex"));
	UNIT_CHECK(rejects("record\nconfig=x:00\n", "VERSION"));
	UNIT_CHECK(rejects("record\noptions=\n", "options"));
	UNIT_CHECK(rejects("record\noptions=tsc;x\n", "options"));
	UNIT_CHECK(rejects("record\noptions=TSC\n", "options"));
	UNIT_CHECK(rejects("record\noptions=tsc\noptions=tsc\n", "twice"));
	UNIT_CHECK(rejects("record\nfilter=\n", "empty"));
	UNIT_CHECK(rejects("record\ntarget=launch:5\nbackend=soft\n"
			   "session=/s\n", "needs exe"));
	UNIT_CHECK(parse("record\ntarget=launch:5\nbackend=soft\nsession=/s\n"
			 "exe=/bin/true\nfilter=a\nfilter=b\n") == 0 &&
		   r.nfilters == 2);
	for (int i = 0; i < HWTD_FILTERS_MAX + 1; i++) {
		snprintf(m, sizeof(m), "filter=f%d\n", i);
		strcat(big, m);
	}
	memmove(big + 7, big, strlen(big) + 1);
	memcpy(big, "record\n", 7);
	UNIT_CHECK(rejects(big, "more than"));
	UNIT_CHECK(hwtd_req_parse("status\n\0\n", 9, &r, err, sizeof(err)) ==
		   -1 && strstr(err, "NUL"));
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	UNIT_CHECK(hwtd_req_parse(big, sizeof(big), &r, err, sizeof(err)) ==
		   -1 && strstr(err, "longer"));
}

static void test_parse_fuzz(void)
{
	/* Random mutations of a valid request never crash and are either
	 * parsed or refused with a message. */
	const char *base = "record\ntarget=pid:42\nbackend=null\nmode=ring\n"
			   "bufsize=64K\nquota=1M\nfilter=main@/bin/x\n"
			   "config=1:0010\nsession=/tmp/s\n";
	char m[256];
	size_t len = strlen(base);
	int ok = 0, bad = 0;

	srand(1);
	for (int i = 0; i < 200000; i++) {
		memcpy(m, base, len);
		for (int k = 0; k < 1 + i % 4; k++)
			m[rand() % len] = (char)(rand() % 256);
		err[0] = 0;
		if (hwtd_req_parse(m, len - (size_t)(i % 3), &r, err,
				   sizeof(err)))
			bad += err[0] != 0;
		else
			ok++;
	}
	UNIT_CHECK(bad > 0 && ok > 0);
	UNIT_CHECK(ok + bad == 200000);
}

static void test_responses(void)
{
	struct hwtd_resp rs;
	char v[64], st[16];

	hwtd_resp_init(&rs, "ok");
	hwtd_resp_add(&rs, "session", "1 a\nb");
	hwtd_resp_add(&rs, "session", "2");
	UNIT_CHECK(hwtd_resp_status(rs.buf, rs.len, st, sizeof(st)) &&
		   !strcmp(st, "ok"));
	UNIT_CHECK(!hwtd_resp_get(rs.buf, rs.len, "session", 0, v, sizeof(v))
		   && !strcmp(v, "1 a b"));
	UNIT_CHECK(!hwtd_resp_get(rs.buf, rs.len, "session", 1, v, sizeof(v))
		   && !strcmp(v, "2"));
	UNIT_CHECK(hwtd_resp_get(rs.buf, rs.len, "session", 2, v, sizeof(v)));
	UNIT_CHECK(!hwtd_resp_status("nope\n", 5, st, sizeof(st)));
	UNIT_CHECK(!hwtd_resp_status("ok", 2, st, sizeof(st)));
}

int main(void)
{
	UNIT_RUN(test_roundtrip(), "hwtd/proto-roundtrip");
	UNIT_RUN(test_malformed(), "hwtd/proto-malformed");
	UNIT_RUN(test_parse_fuzz(), "hwtd/proto-mutations");
	UNIT_RUN(test_responses(), "hwtd/proto-responses");
	return unit_failed ? 1 : 0;
}
