/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reference: a minimal ptxed-like libipt block-decoder loop (sync, drain
 * events, pt_blk_next, resync on errors), counting instructions.  The bar
 * `hwt decode` is measured against.
 *
 * usage: ref_blk PT FILE VADDR FILE_OFFSET SIZE [FILE VADDR OFFSET SIZE]...
 * (each FILE section mapped at VADDR, like ptxed's --raw FILE:OFFSET-SIZE:VADDR;
 * several for a dynamically linked program's images)
 */
#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long sz;

	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0)
		exit(1);
	rewind(f);
	b = malloc((size_t)sz + 1);
	if (!b || fread(b, 1, (size_t)sz, f) != (size_t)sz)
		exit(1);
	fclose(f);
	*n = (size_t)sz;
	return b;
}

int main(int argc, char **argv)
{
	struct pt_image_section_cache *isc;
	struct pt_block_decoder *dec;
	struct pt_image *img;
	struct pt_config cfg;
	struct timespec t0, t1;
	uint64_t ninsn = 0, nblk = 0, nerr = 0;
	size_t size;
	uint8_t *buf;
	int isid, a;

	if (argc < 6 || (argc - 2) % 4) {
		fprintf(stderr,
			"usage: ref_blk PT FILE VADDR OFFSET SIZE [FILE VADDR OFFSET SIZE]...\n");
		return 2;
	}
	buf = slurp(argv[1], &size);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pt_config_init(&cfg);
	cfg.begin = buf;
	cfg.end = buf + size;
	isc = pt_iscache_alloc(NULL);
	img = pt_image_alloc(NULL);
	for (a = 2; a < argc; a += 4) {
		isid = pt_iscache_add_file(isc, argv[a],
					   strtoull(argv[a + 2], NULL, 0),
					   strtoull(argv[a + 3], NULL, 0),
					   strtoull(argv[a + 1], NULL, 0));
		if (isid < 0 || pt_image_add_cached(img, isc, isid, NULL) < 0) {
			fprintf(stderr, "ref_blk: cannot map %s\n", argv[a]);
			return 1;
		}
	}
	dec = pt_blk_alloc_decoder(&cfg);
	pt_blk_set_image(dec, img);
	for (;;) {
		int st = pt_blk_sync_forward(dec);

		if (st < 0)
			break;
		for (;;) {
			struct pt_block b;

			while (st & pts_event_pending) {
				struct pt_event ev;

				st = pt_blk_event(dec, &ev, sizeof(ev));
				if (st < 0)
					break;
			}
			if (st < 0 || (st & pts_eos))
				break;
			st = pt_blk_next(dec, &b, sizeof(b));
			ninsn += b.ninsn;
			nblk++;
			if (st < 0)
				break;
		}
		if (st == -pte_eos || st >= 0)
			break;
		nerr++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("ref_blk insns %llu blocks %llu errors %llu seconds %.3f\n",
	       (unsigned long long)ninsn, (unsigned long long)nblk,
	       (unsigned long long)nerr,
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	pt_blk_free_decoder(dec);
	pt_image_free(img);
	pt_iscache_free(isc);
	free(buf);
	return 0;
}
