/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The OpenCSD decode alone: the CoreSight front end over a snapshot with a
 * sink that only counts (no database), in-process or in the crash-safe
 * child (without --no-fork).  Prints "insn N blocks N seconds S".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cs/cs_frontend.h"

static unsigned long long nblocks, ninsn;

static int count(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)arg;
	(void)stream;
	nblocks++;
	ninsn += b->ninsn;
	return 0;
}

int main(int argc, char **argv)
{
	struct hwt_cs_snapshot_opts o = { .only_trace_id = -1, .quiet = 1 };
	const struct hwt_sink sink = { .block = count };
	struct timespec t0, t1;
	char err[512];

	if (argc == 3 && !strcmp(argv[1], "--no-fork")) {
		o.no_fork = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s [--no-fork] SNAPSHOT_DIR\n",
			argv[0]);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (hwt_cs_decode_snapshot_opts(argv[1], &o, &sink, err,
					sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("insn %llu blocks %llu seconds %.3f\n", ninsn, nblocks,
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
