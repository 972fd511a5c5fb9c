// SPDX-License-Identifier: BSD-2-Clause
/*
 * hwt-collect: the minimal one-off recorder.  Launches PROG (stopped at its
 * exec until tracing is armed), traces all of its threads with one backend, and writes a session directory
 * (docs/trace-store.md).  `make vm-record` runs it inside the test VM;
 * hwtd does the same job as a service.
 *
 *   hwt-collect [-b BACKEND] [-s BUFSIZE] [-q RECQ] [-R] [-c VERSION:FILE]
 *               [-C CPUS] [-p KEY=VALUE]... -o SESSION -- PROG [ARGS...]
 *
 * -C traces the CPUs in the list (CPU mode: every task that runs there)
 * while PROG runs, its mappings at its exec stored first (a CPU context
 * reports only the mappings made while it traces), and stops when PROG
 * exits.  PROG runs on those CPUs (its affinity), the collector on the
 * others where there are any: its own draining would be traced too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bopts.h"
#include "collect.h"
#include "cpupin.h"
#include "launch.h"
#include "proto.h"

#define MAX_PARAMS	16

static const char *params[MAX_PARAMS];
static int nparams;

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: hwt-collect [-b BACKEND] [-s BUFSIZE] [-q RECQ] [-R]\n"
		"                   [-c VERSION:CONFIGFILE | -x OPTIONS]\n"
		"                   [-C CPUS] [-p KEY=VALUE]... -o SESSION --"
		" PROG [ARGS...]\n"
		"  -b  backend (default soft)\n"
		"  -C  trace these CPUs (e.g. 0-1) while PROG runs\n"
		"  -s  bytes per buffer (default 16M)\n"
		"  -q  record queue bytes (default 1M)\n"
		"  -R  ring (flight recorder) mode: keep the last BUFSIZE bytes\n"
		"  -c  backend config blob from a file, with its version\n"
		"  -x  backend options, e.g. soft: tsc,psb=256; intel_pt:\n"
		"      tsc,mtc=3,cyc,psb=2,noretcomp,ptwrite,pwr (hwt-record(1))\n"
		"  -p  stream parameter for the decoder (repeatable)\n");
	exit(rc);
}

static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || !v) {
		fprintf(stderr, "hwt-collect: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

/* -p KEY=VALUE: added to (or overriding) what the backend describes. */
static int add_params(struct hwt_store *s, uint32_t id, void *arg)
{
	char key[64];
	int i;

	(void)arg;
	for (i = 0; i < nparams; i++) {
		const char *eq = strchr(params[i], '=');
		size_t n = (size_t)(eq - params[i]);

		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, params[i], n);
		key[n] = 0;
		if (hwt_store_param(s, id, key, eq + 1))
			return -1;
	}
	return 0;
}

static int load_config(int ctx, const char *spec)
{
	struct hwt_config cfg = { 0 };
	unsigned char blob[HWT_CONFIG_MAX];
	char *end;
	ssize_t n;
	int fd;

	cfg.version = (uint32_t)strtoul(spec, &end, 0);
	if (*end != ':') {
		fprintf(stderr, "hwt-collect: -c wants VERSION:FILE\n");
		return -1;
	}
	fd = open(end + 1, O_RDONLY);
	if (fd < 0 || (n = read(fd, blob, sizeof(blob))) < 0) {
		fprintf(stderr, "hwt-collect: %s: %s\n", end + 1,
			strerror(errno));
		return -1;
	}
	close(fd);
	cfg.size = (uint32_t)n;
	cfg.data = (uintptr_t)blob;
	if (ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg)) {
		fprintf(stderr, "hwt-collect: backend rejected config: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* -x OPTIONS: the backend's config from its options (bopts.h). */
static int set_options(int ctx, const char *backend, const char *opts)
{
	uint64_t blob[HWT_CONFIG_MAX / 8];
	struct hwt_config cfg;
	char err[256];
	int rc;

	rc = hwtd_bopts_build(backend, opts, NULL, 0, &cfg, blob, err,
			      sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "hwt-collect: %s\n", err);
		return -1;
	}
	if (rc && ioctl(ctx, HWT_IOC_SET_CONFIG, &cfg)) {
		fprintf(stderr, "hwt-collect: backend '%s' rejected -x %s: %s\n",
			backend, opts, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *backend = "soft", *out = NULL, *config = NULL;
	const char *bopts = NULL, *cpus = NULL;
	uint64_t cpu_map[HWT_CPU_MAP_WORDS] = { 0 };
	unsigned long long bufsize = 16 << 20, recq = 1 << 20;
	struct hwt_collect_opts copts = { 0 };
	struct hwt_alloc a = { 0 };
	struct hwt_collect *col;
	struct hwt_store *store;
	struct utsname uts;
	char err[512], cmd[1024] = "", num[32];
	int opt, ring = 0, dev, ctx, st = -1, rc = 0, i;
	pid_t pid;

	if (argc == 2 && !strcmp(argv[1], "--help"))
		usage(0);
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("hwt-collect %s\n", HWT_VERSION);
		return 0;
	}
	while ((opt = getopt(argc, argv, "b:s:q:Rc:x:p:o:C:h")) != -1) {
		switch (opt) {
		case 'C':
			cpus = optarg;
			if (hwtd_parse_cpus(cpus, cpu_map, HWT_CPU_MAP_WORDS)) {
				fprintf(stderr, "hwt-collect: bad CPU list "
					"'%s'\n", cpus);
				return 2;
			}
			memcpy(a.cpu_map, cpu_map, sizeof(a.cpu_map));
			break;
		case 'b': backend = optarg; break;
		case 's': bufsize = parse_size(optarg); break;
		case 'q': recq = parse_size(optarg); break;
		case 'R': ring = 1; break;
		case 'c': config = optarg; break;
		case 'x': bopts = optarg; break;
		case 'p':
			if (nparams == MAX_PARAMS || !strchr(optarg, '='))
				usage(2);
			params[nparams++] = optarg;
			break;
		case 'o': out = optarg; break;
		case 'h': usage(0); break;
		default: usage(2);
		}
	}
	if (!out || optind >= argc || (config && bopts))
		usage(2);
	for (i = optind; i < argc; i++) {
		strncat(cmd, argv[i], sizeof(cmd) - strlen(cmd) - 2);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}

	dev = open(HWT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "hwt-collect: %s: %s (is the hwt module loaded?)\n",
			HWT_DEVICE_PATH, strerror(errno));
		return 1;
	}
	store = hwt_store_create(out, err, sizeof(err));
	if (!store) {
		fprintf(stderr, "hwt-collect: %s\n", err);
		return 1;
	}

	/* Stopped at its exec until tracing is armed (launch.h). */
	pid = hwt_launch_stopped(argv + optind, err, sizeof(err));
	if (pid < 0) {
		fprintf(stderr, "hwt-collect: %s\n", err);
		return 1;
	}

	/* The program on the traced CPUs, this collector off them. */
	if (cpus && hwtd_cpus_pin_launch(pid, cpu_map, 1, err, sizeof(err)))
		fprintf(stderr, "hwt-collect: warning: %s\n", err);
	a.mode = cpus ? HWT_MODE_CPU : HWT_MODE_THREAD;
	a.flags = ring ? HWT_ALLOC_RING : 0;
	a.pid = cpus ? 0 : pid;
	a.bufsize = bufsize;
	a.recq_size = (uint32_t)recq;
	snprintf(a.backend, sizeof(a.backend), "%s", backend);
	ctx = ioctl(dev, HWT_IOC_ALLOC, &a);
	if (ctx < 0) {
		fprintf(stderr, "hwt-collect: cannot trace with backend '%s': %s\n",
			backend, strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}
	if (config && load_config(ctx, config)) {
		kill(pid, SIGKILL);
		return 1;
	}
	/* Without -x too: a backend may want a config by default (soft:
	 * its instruction clock). */
	if (!config && set_options(ctx, backend, bopts ? bopts : "")) {
		kill(pid, SIGKILL);
		return 1;
	}
	uname(&uts);
	snprintf(num, sizeof(num), "%d", pid);
	if (hwt_store_meta(store, "backend", backend) ||
	    hwt_store_meta(store, "mode", cpus ? "cpu" : "thread") ||
	    hwt_store_meta(store, "arch", uts.machine) ||
	    hwt_store_meta(store, "kernel", uts.release) ||
	    hwt_store_meta(store, cpus ? "launch_pid" : "target_pid", num) ||
	    hwt_store_meta(store, "command", cmd)) {
		fprintf(stderr, "hwt-collect: %s\n", hwt_store_error(store));
		return 1;
	}
	copts.ring = ring;
	copts.on_stream = add_params;
	col = hwt_collect_new(ctx, store, &copts);
	/* CPU mode: PROG's mappings from its exec, before its first step */
	if (col && cpus && hwt_collect_add_process(col, pid) < 0) {
		fprintf(stderr, "hwt-collect: %s\n", hwt_collect_error(col));
		kill(pid, SIGKILL);
		return 1;
	}
	if (!col || ioctl(ctx, HWT_IOC_START)) {
		fprintf(stderr, "hwt-collect: start: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}
	if (hwt_launch_release(pid)) {
		fprintf(stderr, "hwt-collect: release: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}

	if (cpus) {
		/* the CPUs trace on: until PROG exits, then STOP and what
		 * the buffers hold */
		while (!(rc = hwt_collect_step(col, 100)) &&
		       waitpid(pid, &st, WNOHANG) == 0)
			;
		if (rc >= 0 && ioctl(ctx, HWT_IOC_STOP)) {
			fprintf(stderr, "hwt-collect: stop: %s\n",
				strerror(errno));
			rc = -1;
		}
		if (rc >= 0)
			rc = hwt_collect_snapshot(col);
		if (rc < 0)
			fprintf(stderr, "hwt-collect: %s\n",
				hwt_collect_error(col));
		pid = -1;
	}
	while (pid > 0 && (rc = hwt_collect_step(col, 100)) == 0)
		;
	if (rc < 0 && pid > 0)
		fprintf(stderr, "hwt-collect: %s\n", hwt_collect_error(col));
	if (pid > 0 && waitpid(pid, &st, 0) != pid)
		st = -1;
	if (hwt_collect_copy_images(col, out))
		fprintf(stderr, "hwt-collect: %s\n", hwt_collect_error(col));
	hwt_store_meta(store, "state", rc < 0 ? "error" : "complete");
	snprintf(num, sizeof(num), "%d", WIFEXITED(st) ? WEXITSTATUS(st) :
			128 + WTERMSIG(st));
	hwt_store_meta(store, "exit_status", num);
	fprintf(stderr, "hwt-collect: %s: %llu bytes, %llu records, exit %s\n",
		out, (unsigned long long)hwt_collect_bytes(col),
		(unsigned long long)hwt_collect_records(col), num);
	hwt_collect_free(col);
	close(ctx);
	if (hwt_store_close(store) || rc < 0)
		return 1;
	return 0;
}
