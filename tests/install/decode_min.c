// SPDX-License-Identifier: BSD-2-Clause
/*
 * A user's smallest libhwtdecode program, built by tests/install/check.sh
 * against an installed tree with pkg-config only:
 *   decode_min PT ELF OUT.db   decodes a raw PT file and replays it
 * (addresses, one per line) on stdout.
 */
#include <stdio.h>
#include <string.h>

#include <hwt/decode.h>

int main(int argc, char **argv)
{
	struct hwt_replay_opts ro = { .tid = -1, .stream = -1,
				      .format = HWT_REPLAY_ADDR };
	struct hwt_decode_opts o;
	struct hwt_image *img;
	char err[512];

	if (argc != 4) {
		fprintf(stderr, "usage: decode_min PT ELF OUT.db\n");
		return 2;
	}
	img = hwt_image_alloc();
	if (hwt_image_add_elf(img, argv[2], 0, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "decode_min: %s\n", err);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.out = argv[3];
	o.quiet = 1;
	if (hwt_decode_pt_file(argv[1], img, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "decode_min: %s\n", err);
		return 1;
	}
	hwt_image_free(img);
	return hwt_replay(argv[3], &ro, stdout) < 0;
}
