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

#include "../../hwtd/store.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char data[4 << 20];
	struct hwt_rec_switch sw = { .hdr = { .type = HWT_REC_SWITCH_IN,
					      .size = sizeof(sw) } };
	const char *dir = argc > 1 ? argv[1] : "/tmp/hwt-host-store";
	const int mb = 512, nrec = 500000;
	char err[256], cmd[600];
	struct hwt_store *s;
	double t0, t1, t2;
	int i;

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	memset(data, 0x5a, sizeof(data));
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
		if (hwt_store_record(s, &sw.hdr, sizeof(sw)))
			return 1;
		if (i % 5000 == 4999 && hwt_store_commit(s))
			return 1;
	}
	t2 = now();
	hwt_store_close(s);
	printf("BENCH: host     %8.1f MB/s into stream files (4 MiB drains,"
	       " crc32 + fdatasync + commit each); %.0f records/s\n",
	       mb / (t1 - t0) * 1.048576, nrec / (t2 - t1));
	system(cmd);
	return 0;
}
