// SPDX-License-Identifier: BSD-2-Clause
/*
 * The store's own cost on the host (no kernel, no VM): what one drain of
 * the null backend's data costs hwtd's writer, per MB of trace and per
 * switch record (two per context switch).  Built and run by run.sh.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* MB/s of 4 MiB drains into a new session at dir, a commit each, and
 * switch records/s (packed, format 2).  rec: records/s out. */
static int run(const char *dir, double *mbs, double *rec)
{
	static unsigned char data[4 << 20];
	struct hwt_rec_switch sw = { .hdr = { .type = HWT_REC_SWITCH_IN,
					      .size = sizeof(sw) } };
	const int mb = 1024, nrec = 2000000;
	char err[256], cmd[600];
	struct hwt_store *s;
	double t0, t1, t2;
	int i;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (unsigned char)(i * 2654435761u >> 24);
	s = hwt_store_create(dir, err, sizeof(err));
	if (!s || hwt_store_stream(s, 0, "null", 1, -1, -1, 0)) {
		fprintf(stderr, "host_store: %s\n", s ? hwt_store_error(s) : err);
		return 1;
	}
	t0 = now();
	for (i = 0; i < mb / 4; i++)	/* 4 MiB drains, a commit each */
		if (hwt_store_append(s, 0, data, sizeof(data), 0) ||
		    hwt_store_commit(s))
			return 1;
	t1 = now();
	for (i = 0; i < nrec; i++) {
		sw.hdr.time = (uint64_t)i;
		sw.hdr.buf_head = (uint64_t)i * 4096;
		if (hwt_store_record(s, &sw.hdr, sizeof(sw)))
			return 1;
		if (i % 5000 == 4999 && hwt_store_commit(s))
			return 1;
	}
	t2 = now();
	hwt_store_close(s);
	*mbs = mb / (t1 - t0) * 1.048576;
	*rec = nrec / (t2 - t1);
	return system(cmd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *disk = argc > 1 ? argv[1] : "/tmp/hwt-host-store";
	const char *mem = argc > 2 ? argv[2] : "/dev/shm/hwt-host-store";
	double mbs, rec;

	/* On disk: what fdatasync per chunk costs with the storage. */
	if (run(disk, &mbs, &rec))
		return 1;
	printf("BENCH: host     %8.1f MB/s into stream files on disk (4 MiB"
	       " drains, crc32 + fdatasync + commit each); %.0f switch"
	       " records/s\n", mbs, rec);
	/* tmpfs: fdatasync is free, so this is the store's own cost into
	 * the page cache, apart from the disk. */
	if (run(mem, &mbs, &rec))
		return 1;
	printf("BENCH: host     %8.1f MB/s into the page cache (tmpfs, same"
	       " loop: the writer alone); %.0f switch records/s\n", mbs, rec);
	return 0;
}
