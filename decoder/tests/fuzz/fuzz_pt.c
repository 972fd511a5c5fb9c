/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the raw-PT decode entry (libipt front end, core,
 * SQLite writer into :memory:).  The image is ptgen's program (FUZZ_IMAGE,
 * at 0x400000) and, if FUZZ_IMAGE2 is set, a second raw file at 0x401000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hwt/decode.h"

static struct hwt_image *img;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *p = getenv("FUZZ_IMAGE"), *p2 = getenv("FUZZ_IMAGE2");
	char err[256];

	(void)argc;
	(void)argv;
	img = hwt_image_alloc();
	if (p && hwt_image_add_raw(img, p, 0, 0, 0x400000, err,
				   sizeof(err)) < 0)
		fprintf(stderr, "fuzz: %s\n", err);
	if (p2 && hwt_image_add_raw(img, p2, 0x1000, 0x27, 0x401000, err,
				    sizeof(err)) < 0)
		fprintf(stderr, "fuzz: %s\n", err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwt_decode_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.out = ":memory:";
	o.quiet = 1;
	/* Odd first byte: the PSB-segment path (fast path, cuts) too;
	 * bit 1 also: libipt alone in the segments (its joins); */
	if (size && (data[0] & 1)) {
		o.segmented = 1;
		o.threads = 1 + (data[0] >> 7);
	}
	if (size && (data[0] & 3) == 3)
		o.test.pt_no_fastpath = 1;
	/* bit 2 also: all PSBs in one segment (piece by piece). */
	if (size && (data[0] & 5) == 5)
		o.test.pt_segment_min = 1000000;
	hwt_decode_pt_buffer(data, size, img, &o, err, sizeof(err));
	return 0;
}
