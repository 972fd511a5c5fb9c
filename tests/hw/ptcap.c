// SPDX-License-Identifier: BSD-2-Clause
/*
 * ptcap: record a real Intel PT trace of one program with the kernel's
 * intel_pt PMU (perf_event_open + the AUX area), for hosts that have PT.
 * It writes what `hwt decode --pt` needs:
 *   DIR/pt.bin    the raw PT bytes, in order, as the hardware wrote them
 *   DIR/info      key value lines: cpu F/M/S, PT caps, the config used,
 *                 AUX records, bytes lost (truncated AUX records), exit status
 * Per thread (pid = the child), user space only, enabled on exec.  The AUX
 * area is drained while the program runs, so a long run loses nothing
 * unless the drain falls behind (then `lost` says how much).
 *
 * usage: ptcap [-a AUX_MiB] [-c FLAGS] DIR PROG [ARGS...]
 *   FLAGS: comma-separated intel_pt format names (default pt,branch,tsc)
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PMU "/sys/bus/event_source/devices/intel_pt"
#define DATA_PAGES 64

static void die(const char *what)
{
	fprintf(stderr, "ptcap: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Sets the format bit NAME ("config:N") in *config. */
static int set_format(const char *name, __u64 *config)
{
	char path[256], buf[64];
	unsigned bit;

	snprintf(path, sizeof(path), PMU "/format/%s", name);
	if (read_small(path, buf, sizeof(buf)) ||
	    sscanf(buf, "config:%u", &bit) != 1 || bit > 63) {
		fprintf(stderr, "ptcap: no intel_pt format '%s'\n", name);
		return -1;
	}
	*config |= 1ull << bit;
	return 0;
}

static FILE *info;

static void write_cpu(void)
{
	unsigned a, b, c, d, fam, model, step;

	__cpuid(1, a, b, c, d);
	fam = (a >> 8) & 0xf;
	model = (a >> 4) & 0xf;
	step = a & 0xf;
	if (fam == 0xf)
		fam += (a >> 20) & 0xff;
	if (fam == 6 || fam >= 0xf)
		model += ((a >> 16) & 0xf) << 4;
	fprintf(info, "cpu %u/%u/%u\n", fam, model, step);
	if (__get_cpuid_max(0, NULL) >= 0x15) {
		__cpuid(0x15, a, b, c, d);
		fprintf(info, "tsc_ratio %u/%u\n", b, a);
	}
}

static void write_caps(void)
{
	static const char *const caps[] = {
		"psb_cyc", "ip_filtering", "mtc", "num_address_ranges",
		"power_event_trace", "ptwrite", "return_compression",
		"topa_multiple_entries", "mtc_periods", "psb_periods",
		"max_subleaf", "single_range_output",
	};
	char path[256], buf[64];

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		snprintf(path, sizeof(path), PMU "/caps/%s", caps[i]);
		if (!read_small(path, buf, sizeof(buf)))
			fprintf(info, "cap_%s %s\n", caps[i], buf);
	}
}

struct ring {
	struct perf_event_mmap_page *pg;
	unsigned char *data;	/* data pages, after the control page */
	size_t data_size;
	unsigned char *aux;
	size_t aux_size;
	int out;		/* pt.bin */
	uint64_t stored, aux_records, lost, flags_seen, lost_records;
};

/* Copies the AUX bytes the kernel has published, then frees them. */
static void drain_aux(struct ring *r)
{
	uint64_t head = __atomic_load_n(&r->pg->aux_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->pg->aux_tail;

	while (tail < head) {
		size_t off = tail % r->aux_size;
		size_t n = r->aux_size - off;

		if (n > head - tail)
			n = head - tail;
		if (write(r->out, r->aux + off, n) != (ssize_t)n)
			die("write pt.bin");
		tail += n;
		r->stored += n;
	}
	__atomic_store_n(&r->pg->aux_tail, tail, __ATOMIC_RELEASE);
}

/* Reads the data ring's records: AUX (with loss flags) and LOST. */
static void drain_records(struct ring *r)
{
	uint64_t head = __atomic_load_n(&r->pg->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->pg->data_tail;

	while (tail + sizeof(struct perf_event_header) <= head) {
		struct perf_event_header h;
		unsigned char rec[256];
		size_t off = tail % r->data_size;

		for (size_t i = 0; i < sizeof(h); i++)
			((unsigned char *)&h)[i] =
				r->data[(off + i) % r->data_size];
		if (h.size < sizeof(h) || tail + h.size > head)
			break;
		for (size_t i = 0; i < h.size && i < sizeof(rec); i++)
			rec[i] = r->data[(off + i) % r->data_size];
		if (h.type == PERF_RECORD_AUX && h.size >= sizeof(h) + 24) {
			uint64_t size, flags;

			memcpy(&size, rec + sizeof(h) + 8, 8);
			memcpy(&flags, rec + sizeof(h) + 16, 8);
			r->aux_records++;
			r->flags_seen |= flags;
			if (flags & PERF_AUX_FLAG_TRUNCATED)
				r->lost++;
		} else if (h.type == PERF_RECORD_LOST) {
			r->lost_records++;
		}
		tail += h.size;
	}
	__atomic_store_n(&r->pg->data_tail, tail, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	const char *flags = "pt,branch,tsc";
	size_t aux_mib = 64;
	struct perf_event_attr attr;
	struct ring r = { 0 };
	char buf[64], path[4096], *save, *tok, *fl;
	int opt, go[2], fd, status;
	long page = sysconf(_SC_PAGESIZE);
	pid_t pid;

	while ((opt = getopt(argc, argv, "+a:c:")) != -1) {
		if (opt == 'a')
			aux_mib = strtoul(optarg, NULL, 0);
		else if (opt == 'c')
			flags = optarg;
		else
			return 2;
	}
	if (argc - optind < 2 || aux_mib == 0 || (aux_mib & (aux_mib - 1))) {
		fprintf(stderr, "usage: ptcap [-a AUX_MiB (power of 2)] "
			"[-c FLAGS] DIR PROG [ARGS...]\n");
		return 2;
	}
	if (read_small(PMU "/type", buf, sizeof(buf))) {
		fprintf(stderr, "ptcap: no intel_pt PMU (%s)\n", PMU);
		return 3;
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = strtoul(buf, NULL, 10);
	fl = strdup(flags);
	for (tok = strtok_r(fl, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (set_format(tok, &attr.config))
			return 2;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.disabled = 1;
	attr.enable_on_exec = 1;
	attr.wakeup_events = 1;
	attr.aux_watermark = aux_mib << 18;	/* a quarter of the area */

	mkdir(argv[optind], 0755);
	snprintf(path, sizeof(path), "%s/pt.bin", argv[optind]);
	r.out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	snprintf(path, sizeof(path), "%s/info", argv[optind]);
	info = fopen(path, "w");
	if (r.out < 0 || !info)
		die(argv[optind]);
	write_cpu();
	write_caps();
	fprintf(info, "config %s 0x%llx\n", flags,
		(unsigned long long)attr.config);
	fflush(info);

	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execv(argv[optind + 1], argv + optind + 1);
		_exit(127);
	}
	close(go[0]);
	fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1, 0);
	if (fd < 0)
		die("perf_event_open");
	r.data_size = DATA_PAGES * page;
	r.pg = mmap(NULL, (DATA_PAGES + 1) * page, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (r.pg == MAP_FAILED)
		die("mmap data");
	r.data = (unsigned char *)r.pg + page;
	r.aux_size = aux_mib << 20;
	r.pg->aux_offset = (DATA_PAGES + 1) * page;
	r.pg->aux_size = r.aux_size;
	r.aux = mmap(NULL, r.aux_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     r.pg->aux_offset);
	if (r.aux == MAP_FAILED)
		die("mmap aux");
	if (write(go[1], "g", 1) != 1)
		die("start");
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		poll(&p, 1, 5);
		drain_records(&r);
		drain_aux(&r);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	/* The task's exit flushed its last AUX record: take it. */
	drain_records(&r);
	drain_aux(&r);
	fprintf(info, "bytes %llu\naux_records %llu\ntruncated %llu\n"
		"lost_records %llu\naux_flags 0x%llx\nstatus %d\n",
		(unsigned long long)r.stored,
		(unsigned long long)r.aux_records,
		(unsigned long long)r.lost,
		(unsigned long long)r.lost_records,
		(unsigned long long)r.flags_seen, status);
	fclose(info);
	close(r.out);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
