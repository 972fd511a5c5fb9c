// SPDX-License-Identifier: BSD-2-Clause
/*
 * mksession: builds a session directory with the store's own writer, for
 * tests that need a session a recorder did not make (a raw capture, a
 * CoreSight snapshot, a damaged store).  No test copies session.db's
 * schema: they describe the session here.
 *
 *   mksession DIR [option]...
 *     --meta K=V              a meta row (state defaults to "complete")
 *     --stream ID:KIND[:tid=N][:cpu=N][:trace_id=N][:formatted]
 *     --param ID:K=V          a stream_params row
 *     --params-ini ID:FILE    every "TRCxxx=value" line of an OpenCSD
 *                             snapshot device .ini as a param (key in
 *                             lower case, without "(...)")
 *     --data ID:FILE:SPLIT    FILE's bytes into stream ID as chunks:
 *                             SPLIT is "/N" (N chunks) or a chunk size
 *     --lost-before ID:SEQ:N  N bytes lost before chunk SEQ of stream ID
 *                             (give it before --data)
 *     --bad-crc ID:SEQ        damage chunk SEQ's bytes in the file after
 *                             it is indexed (its crc32 no longer matches;
 *                             give it before --data)
 *     --mmap ADDR:LEN:PGOFF:PATH[:PID[:TIME]]   an mmap record
 *     --record TYPE[:K=V]...  a comm, exec, switch_in, switch_out,
 *                             thread_create, thread_exit, buffer or lost
 *                             record; K: pid, tid, cpu, buf, head, time
 *                             (header fields, pid/tid -1 and buf ~0 if
 *                             not given), name (comm), path (exec),
 *                             other (switch),
 *                             ppid, ptid, code, flags (thread, buffer),
 *                             lost, total
 *
 * Exit status 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define MAX_LOST 64
#define MAX_BAD 64

static struct { unsigned id, seq; uint64_t n; } lost[MAX_LOST];
static unsigned nlost;
static struct { unsigned id, seq; uint64_t off; int done; } bad[MAX_BAD];
static unsigned nbad;

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mksession: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static unsigned long long num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	if (!s)
		die("%s: a field is missing", what);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || (*end && *end != ':'))
		die("bad number in %s", what);
	return v;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat sb;
	uint8_t *p;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &sb))
		die("%s: cannot read", path);
	p = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!p || read(fd, p, (size_t)sb.st_size) != sb.st_size)
		die("%s: cannot read", path);
	close(fd);
	*len = (size_t)sb.st_size;
	return p;
}

static void stream(struct hwt_store *s, char *arg)
{
	int tid = -1, cpu = -1, trace_id = -1, formatted = 0;
	char *kind, *opt, *save = NULL;
	unsigned id;

	id = (unsigned)num(strtok_r(arg, ":", &save), "--stream");
	kind = strtok_r(NULL, ":", &save);
	if (!kind)
		die("--stream %s: no kind", arg);
	while ((opt = strtok_r(NULL, ":", &save))) {
		if (!strncmp(opt, "tid=", 4))
			tid = (int)num(opt + 4, "tid=");
		else if (!strncmp(opt, "cpu=", 4))
			cpu = (int)num(opt + 4, "cpu=");
		else if (!strncmp(opt, "trace_id=", 9))
			trace_id = (int)num(opt + 9, "trace_id=");
		else if (!strcmp(opt, "formatted"))
			formatted = 1;
		else
			die("--stream: unknown %s", opt);
	}
	if (hwt_store_stream(s, id, kind, tid, cpu, trace_id, formatted))
		die("%s", hwt_store_error(s));
}

static void param(struct hwt_store *s, unsigned id, const char *kv)
{
	char key[128];
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key))
		die("param %s: want K=V", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = 0;
	if (hwt_store_param(s, id, key, eq + 1))
		die("%s", hwt_store_error(s));
}

static void params_ini(struct hwt_store *s, unsigned id, const char *path)
{
	char line[512], kv[512];
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: cannot read", path);
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *paren, *p;
		size_t klen;

		if (strncmp(line, "TRC", 3) || !eq)
			continue;
		line[strcspn(line, "\r\n")] = 0;
		paren = strchr(line, '(');
		klen = (size_t)((paren && paren < eq ? paren : eq) - line);
		snprintf(kv, sizeof(kv), "%.*s=%s", (int)klen, line, eq + 1);
		for (p = kv; *p != '='; p++)
			*p = (char)tolower((unsigned char)*p);
		param(s, id, kv);
	}
	fclose(f);
}

static void data(struct hwt_store *s, char *arg)
{
	char *save = NULL, *file, *split;
	unsigned id, seq = 0, i;
	size_t len, step, off;
	uint8_t *buf;

	id = (unsigned)num(strtok_r(arg, ":", &save), "--data");
	file = strtok_r(NULL, ":", &save);
	split = strtok_r(NULL, ":", &save);
	if (!file || !split)
		die("--data %s: want ID:FILE:SPLIT", arg);
	buf = slurp(file, &len);
	if (*split == '/') {
		unsigned long long n = num(split + 1, "--data /N");

		step = n ? (len + n - 1) / n : len;
	} else {
		step = (size_t)num(split, "--data SIZE");
	}
	if (!step)
		step = 1;
	for (off = 0; off < len || (!len && !seq); off += step, seq++) {
		size_t n = len - off < step ? len - off : step;
		uint64_t before = 0;

		for (i = 0; i < nlost; i++)
			if (lost[i].id == id && lost[i].seq == seq)
				before = lost[i].n;
		for (i = 0; i < nbad; i++)
			if (bad[i].id == id && bad[i].seq == seq) {
				bad[i].off = off;
				bad[i].done = 1;
			}
		if (hwt_store_append(s, id, buf + off, n, before) ||
		    hwt_store_commit(s))
			die("%s", hwt_store_error(s));
		if (!len)
			break;
	}
	free(buf);
}

static void mmap_record(struct hwt_store *s, char *arg)
{
	struct {
		struct hwt_rec_mmap m;
		char path[HWT_PATH_MAX];
	} r;
	char *save = NULL, *path, *pid, *time;
	size_t plen;

	memset(&r, 0, sizeof(r));
	r.m.hdr.type = HWT_REC_MMAP;
	r.m.hdr.buf_idx = ~0u;
	r.m.hdr.pid = r.m.hdr.tid = 1;
	r.m.prot = 5;
	r.m.addr = num(strtok_r(arg, ":", &save), "--mmap ADDR");
	r.m.len = num(strtok_r(NULL, ":", &save), "--mmap LEN");
	r.m.pgoff = num(strtok_r(NULL, ":", &save), "--mmap PGOFF");
	path = strtok_r(NULL, ":", &save);
	pid = strtok_r(NULL, ":", &save);
	time = strtok_r(NULL, ":", &save);
	if (!path || strlen(path) >= HWT_PATH_MAX)
		die("--mmap: want ADDR:LEN:PGOFF:PATH[:PID[:TIME]]", "");
	if (pid)
		r.m.hdr.pid = r.m.hdr.tid = (int)num(pid, "--mmap PID");
	if (time)
		r.m.hdr.time = num(time, "--mmap TIME");
	plen = strlen(path) + 1;
	memcpy(r.path, path, plen);
	r.m.hdr.size = (uint32_t)((sizeof(r.m) + plen + 7) & ~(size_t)7);
	if (hwt_store_record(s, &r.m.hdr, sizeof(r)))
		die("%s", hwt_store_error(s));
}

/* A sideband record of --record TYPE[:K=V]... (include/hwt/hwt.h). */
static void other_record(struct hwt_store *s, char *arg)
{
	static const struct { const char *name; uint32_t type, size; } t[] = {
		{ "comm", HWT_REC_COMM, sizeof(struct hwt_rec_comm) },
		{ "exec", HWT_REC_EXEC, sizeof(struct hwt_rec_exec) },
		{ "switch_in", HWT_REC_SWITCH_IN, sizeof(struct hwt_rec_switch) },
		{ "switch_out", HWT_REC_SWITCH_OUT,
		  sizeof(struct hwt_rec_switch) },
		{ "thread_create", HWT_REC_THREAD_CREATE,
		  sizeof(struct hwt_rec_thread) },
		{ "thread_exit", HWT_REC_THREAD_EXIT,
		  sizeof(struct hwt_rec_thread) },
		{ "buffer", HWT_REC_BUFFER, sizeof(struct hwt_rec_buffer) },
		{ "lost", HWT_REC_LOST, sizeof(struct hwt_rec_lost) },
	};
	union {
		struct hwt_record_hdr hdr;
		struct hwt_rec_comm comm;
		struct hwt_rec_switch sw;
		struct hwt_rec_thread th;
		struct hwt_rec_buffer buf;
		struct hwt_rec_lost lost;
		struct {
			struct hwt_rec_exec e;
			char path[HWT_PATH_MAX];
		} exec;
	} r;
	char *save = NULL, *type, *kv;
	size_t i;

	memset(&r, 0, sizeof(r));
	type = strtok_r(arg, ":", &save);
	for (i = 0; type && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(type, t[i].name))
			break;
	if (!type || i == sizeof(t) / sizeof(t[0]))
		die("--record: unknown type %s", type ? type : "");
	r.hdr.type = t[i].type;
	r.hdr.size = t[i].size;
	r.hdr.pid = r.hdr.tid = -1;
	r.hdr.buf_idx = ~0u;
	if (r.hdr.type == HWT_REC_SWITCH_IN || r.hdr.type == HWT_REC_SWITCH_OUT)
		r.sw.other_tid = -1;
	while ((kv = strtok_r(NULL, ":", &save))) {
		char *v = strchr(kv, '=');

		if (!v)
			die("--record: want K=V, got %s", kv);
		*v++ = 0;
		if (!strcmp(kv, "name")) {
			snprintf(r.comm.comm, sizeof(r.comm.comm), "%s", v);
			continue;
		}
		if (!strcmp(kv, "path") && r.hdr.type == HWT_REC_EXEC) {
			size_t plen = strlen(v) + 1;

			if (plen > HWT_PATH_MAX)
				die("--record exec: path too long: %s", v);
			memcpy(r.exec.path, v, plen);
			r.hdr.size = (uint32_t)((sizeof(r.exec.e) + plen + 7) &
						~(size_t)7);
			continue;
		}
#define F(key, field) else if (!strcmp(kv, key)) field = (__typeof__(field))num(v, key)
		if (0)
			;
		F("pid", r.hdr.pid);
		F("tid", r.hdr.tid);
		F("cpu", r.hdr.cpu);
		F("buf", r.hdr.buf_idx);
		F("head", r.hdr.buf_head);
		F("time", r.hdr.time);
		F("other", r.sw.other_tid);
		F("ppid", r.th.parent_pid);
		F("ptid", r.th.parent_tid);
		F("code", r.th.exit_code);
		F("flags", *(r.hdr.type == HWT_REC_BUFFER ? &r.buf.flags :
			     &r.th.flags));
		F("lost", *(r.hdr.type == HWT_REC_LOST ? &r.lost.records :
			    &r.buf.lost));
		F("total", *(r.hdr.type == HWT_REC_LOST ? &r.lost.total :
			     &r.buf.total_lost));
#undef F
		else
			die("--record: unknown field %s", kv);
	}
	if (hwt_store_record(s, &r.hdr, r.hdr.size))
		die("%s", hwt_store_error(s));
}

/* Flips one byte of each --bad-crc chunk in its stream file. */
static void damage(const char *dir)
{
	char path[4096];
	unsigned i;

	for (i = 0; i < nbad; i++) {
		uint8_t b;
		int fd;

		if (!bad[i].done)
			die("--bad-crc: no such chunk", "");
		snprintf(path, sizeof(path), "%s/stream-%u.bin", dir,
			 bad[i].id);
		fd = open(path, O_RDWR);
		if (fd < 0 || pread(fd, &b, 1, (off_t)bad[i].off) != 1)
			die("%s: cannot damage", path);
		b ^= 1;
		if (pwrite(fd, &b, 1, (off_t)bad[i].off) != 1)
			die("%s: cannot damage", path);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct hwt_store *s;
	char err[512];
	int i, have_state = 0;

	if (argc < 2 || argv[1][0] == '-')
		die("usage: mksession DIR [option]... (see mksession.c)", "");
	s = hwt_store_create(argv[1], err, sizeof(err));
	if (!s)
		die("%s", err);
	for (i = 2; i < argc; i++) {
		const char *o = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *save = NULL;

		if (!v)
			die("%s: needs a value", o);
		i++;
		if (!strcmp(o, "--meta")) {
			char *eq = strchr(v, '=');

			if (!eq)
				die("--meta %s: want K=V", v);
			*eq = 0;
			have_state |= !strcmp(v, "state");
			if (hwt_store_meta(s, v, eq + 1))
				die("%s", hwt_store_error(s));
		} else if (!strcmp(o, "--stream")) {
			stream(s, v);
		} else if (!strcmp(o, "--param")) {
			unsigned id = (unsigned)num(strtok_r(v, ":", &save),
						    "--param");

			param(s, id, save);
		} else if (!strcmp(o, "--params-ini")) {
			unsigned id = (unsigned)num(strtok_r(v, ":", &save),
						    "--params-ini");

			params_ini(s, id, save);
		} else if (!strcmp(o, "--data")) {
			data(s, v);
		} else if (!strcmp(o, "--lost-before")) {
			if (nlost == MAX_LOST)
				die("too many %s", o);
			lost[nlost].id = (unsigned)num(strtok_r(v, ":", &save),
						       o);
			lost[nlost].seq = (unsigned)num(strtok_r(NULL, ":",
							 &save), o);
			lost[nlost++].n = num(strtok_r(NULL, ":", &save), o);
		} else if (!strcmp(o, "--bad-crc")) {
			if (nbad == MAX_BAD)
				die("too many %s", o);
			bad[nbad].id = (unsigned)num(strtok_r(v, ":", &save), o);
			bad[nbad++].seq = (unsigned)num(strtok_r(NULL, ":",
							 &save), o);
		} else if (!strcmp(o, "--mmap")) {
			mmap_record(s, v);
		} else if (!strcmp(o, "--record")) {
			other_record(s, v);
		} else {
			die("unknown option %s", o);
		}
	}
	if (!have_state && hwt_store_meta(s, "state", "complete"))
		die("%s", hwt_store_error(s));
	if (hwt_store_close(s))
		die("%s", "cannot close the session");
	damage(argv[1]);
	return 0;
}
