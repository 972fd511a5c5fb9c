/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the CoreSight front end: the input is a whole
 * snapshot directory packed as five parts separated by "\n%%\n":
 * snapshot.ini, trace.ini, device_0.ini (the ETM), cpu_0.ini (the core,
 * dumps), trace.bin.  The parts are written to a private directory and
 * decoded with hwt_cs_decode_snapshot_opts; a dump file "code.bin" of
 * A64 code is always present.  Build and run: tests/fuzz/cs_fuzz.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cs/cs_frontend.h"

static char dir[64];

static int sink_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	(void)arg;
	(void)stream;
	if (!b->ninsn || b->end_ip < b->ip)
		abort();	/* the front end must never emit these */
	return 0;
}

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (n)
		fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "snapshot.ini", "trace.ini",
				       "device_0.ini", "cpu_0.ini",
				       "trace.bin" };
	/* A child that exits (a sanitizer's report) is a bug in our code,
	 * not OpenCSD's: abort so that libFuzzer keeps the input. */
	struct hwt_cs_snapshot_opts o = { .only_trace_id = -1, .quiet = 1,
					  .abort_on_child_exit = 1 };
	const struct hwt_sink sink = { .block = sink_block };
	size_t i, pos = 0;
	char err[1024];

	if (!dir[0]) {
		uint32_t code[1024];

		snprintf(dir, sizeof(dir), "/tmp/hwt-cs-fuzz-%d", (int)getpid());
		if (mkdir(dir, 0700) < 0 && access(dir, W_OK) < 0)
			abort();
		/* A64: runs of NOPs, B, BL, RET, B.cond. */
		for (i = 0; i < 1024; i++)
			code[i] = (i % 7 == 6) ? 0x14000002u :
				  (i % 11 == 10) ? 0x94000004u :
				  (i % 13 == 12) ? 0xd65f03c0u :
				  (i % 5 == 4) ? 0x54000041u : 0xd503201fu;
		put("code.bin", (const uint8_t *)code, sizeof(code));
	}
	for (i = 0; i < 5; i++) {
		const uint8_t *end = NULL;
		size_t n;

		if (i < 4 && pos < size) {
			const uint8_t *p = data + pos;

			for (; p + 4 <= data + size; p++)
				if (!memcmp(p, "\n%%\n", 4)) {
					end = p;
					break;
				}
		}
		n = end ? (size_t)(end - (data + pos)) : size - pos;
		put(names[i], data + pos, n);
		pos += n + (end ? 4 : 0);
		if (pos > size)
			pos = size;
	}
	hwt_cs_decode_snapshot_opts(dir, &o, &sink, err, sizeof(err));
	return 0;
}
