/*
 * A deflate/inflate driver over zlib (the copy in Debian's binutils-source,
 * built with the program: run.sh), the second program of bench/pgo.
 *
 * usage: zdrv SEED KIB
 *
 * Generates KIB KiB of input from SEED (text of a made-up vocabulary with
 * a skewed word frequency, CSV-like number lines, short stretches of
 * random bytes: the mix and the vocabulary depend on the seed, so two
 * seeds are two different inputs), then for each of five zlib settings
 * compresses it in 16 KiB pieces (deflate, as zpipe.c does) and inflates
 * the result in pieces again, checks that the round trip gives the input
 * back, and prints the compressed size and the checksums.  Everything
 * runs in memory: the test VM gives a traced program no input files.
 * Exit status 1 if a round trip differs or zlib fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zlib.h"

#define PIECE 16384

static uint64_t rng;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

#define NWORDS 3000

static char words[NWORDS][12];

static void make_words(void)
{
	static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";

	for (int i = 0; i < NWORDS; i++) {
		int len = 2 + next() % 4 + next() % 6;

		for (int j = 0; j < len; j++) {
			/* Low letters (frequent in English) more often. */
			int k = next() % 26;

			words[i][j] = letters[k * (int)(next() % 27) / 26];
		}
		words[i][len] = 0;
	}
}

/* Fills buf[0..n) from the current rng state; returns n. */
static size_t make_input(unsigned char *buf, size_t n, unsigned seed)
{
	size_t o = 0;
	unsigned text = 60 + seed % 5 * 6;	/* percent of text pieces */

	while (o < n) {
		unsigned kind = next() % 100;
		char line[256];
		int len = 0;

		if (kind < text) {
			int nw = 4 + next() % 12;

			for (int i = 0; i < nw && len < 200; i++) {
				/* Skewed: small indices far more often. */
				unsigned r = next() % NWORDS;
				unsigned w = r % (next() % NWORDS + 1);

				len += snprintf(line + len, sizeof(line) - len,
						"%s%s", i ? " " : "", words[w]);
			}
			len += snprintf(line + len, sizeof(line) - len, ".\n");
		} else if (kind < 95) {
			int nf = 3 + next() % 6;

			for (int i = 0; i < nf && len < 200; i++)
				len += snprintf(line + len, sizeof(line) - len,
						"%s%u", i ? "," : "",
						next() % (i ? 100000 : 1000));
			len += snprintf(line + len, sizeof(line) - len, "\n");
		} else {
			len = 16 + next() % 64;
			for (int i = 0; i < len; i++)
				line[i] = (char)next();
		}
		for (int i = 0; i < len && o < n; i++)
			buf[o++] = (unsigned char)line[i];
	}
	return n;
}

/*
 * Compresses in[0..n) into out (cap bytes) with the given settings, in
 * PIECE-sized inputs and outputs.
 * Returns the compressed size.
 * Returns 0 if zlib fails or out is too small.
 */
static size_t compress_pieces(const unsigned char *in, size_t n,
			      unsigned char *out, size_t cap, int level,
			      int wbits, int strategy)
{
	z_stream s;
	size_t o = 0, i = 0;
	int ret;

	memset(&s, 0, sizeof(s));
	if (deflateInit2(&s, level, Z_DEFLATED, wbits, 8, strategy) != Z_OK)
		return 0;
	do {
		size_t take = n - i < PIECE ? n - i : PIECE;
		int flush = i + take == n ? Z_FINISH : Z_NO_FLUSH;

		s.next_in = (unsigned char *)in + i;
		s.avail_in = (uInt)take;
		i += take;
		do {
			size_t room = cap - o < PIECE ? cap - o : PIECE;

			if (room == 0) {
				deflateEnd(&s);
				return 0;
			}
			s.next_out = out + o;
			s.avail_out = (uInt)room;
			ret = deflate(&s, flush);
			if (ret == Z_STREAM_ERROR) {
				deflateEnd(&s);
				return 0;
			}
			o += room - s.avail_out;
		} while (s.avail_out == 0);
	} while (i < n);
	deflateEnd(&s);
	return ret == Z_STREAM_END ? o : 0;
}

/*
 * Inflates in[0..n) into out (cap bytes), in PIECE-sized pieces.
 * Returns the inflated size.
 * Returns (size_t)-1 if the data is corrupt, truncated or too long.
 */
static size_t inflate_pieces(const unsigned char *in, size_t n,
			     unsigned char *out, size_t cap, int wbits)
{
	z_stream s;
	size_t o = 0, i = 0;
	int ret = Z_OK;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, wbits) != Z_OK)
		return (size_t)-1;
	while (ret != Z_STREAM_END && i < n) {
		size_t take = n - i < PIECE ? n - i : PIECE;

		s.next_in = (unsigned char *)in + i;
		s.avail_in = (uInt)take;
		i += take;
		do {
			size_t room = cap - o < PIECE ? cap - o : PIECE;

			if (room == 0)
				break;
			s.next_out = out + o;
			s.avail_out = (uInt)room;
			ret = inflate(&s, Z_NO_FLUSH);
			if (ret != Z_OK && ret != Z_STREAM_END) {
				inflateEnd(&s);
				return (size_t)-1;
			}
			o += room - s.avail_out;
		} while (s.avail_out == 0 && ret != Z_STREAM_END);
	}
	inflateEnd(&s);
	return ret == Z_STREAM_END ? o : (size_t)-1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int level, wbits, strategy;
	} cfg[] = {
		{ "fast-zlib", 1, 15, Z_DEFAULT_STRATEGY },
		{ "default-gzip", 6, 31, Z_DEFAULT_STRATEGY },
		{ "best-zlib", 9, 15, Z_DEFAULT_STRATEGY },
		{ "huffman-raw", 6, -15, Z_HUFFMAN_ONLY },
		{ "rle-zlib", 6, 15, Z_RLE },
	};
	unsigned char *in, *z, *back;
	unsigned long kib;
	unsigned seed;
	size_t n, cap;
	int bad = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: zdrv SEED KIB\n");
		return 2;
	}
	seed = (unsigned)strtoul(argv[1], NULL, 10);
	kib = strtoul(argv[2], NULL, 10);
	if (kib == 0 || kib > 1024 * 1024) {
		fprintf(stderr, "zdrv: KIB must be 1..1048576\n");
		return 2;
	}
	n = kib * 1024;
	cap = compressBound(n) + 1024;
	in = malloc(n);
	z = malloc(cap);
	back = malloc(n);
	if (!in || !z || !back) {
		fprintf(stderr, "zdrv: out of memory\n");
		return 1;
	}
	rng = 0x9e3779b97f4a7c15ull * (seed + 1);
	make_words();
	make_input(in, n, seed);
	printf("input %zu bytes crc32 %08lx adler32 %08lx\n", n,
	       crc32(0, in, (uInt)n), adler32(1, in, (uInt)n));
	for (size_t c = 0; c < sizeof(cfg) / sizeof(cfg[0]); c++) {
		size_t zn = compress_pieces(in, n, z, cap, cfg[c].level,
					    cfg[c].wbits, cfg[c].strategy);
		size_t bn = zn ? inflate_pieces(z, zn, back, n, cfg[c].wbits) :
				 (size_t)-1;
		int ok = bn == n && memcmp(in, back, n) == 0;

		printf("%-13s %9zu bytes crc32 %08lx %s\n", cfg[c].name, zn,
		       crc32(0, z, (uInt)zn), ok ? "ok" : "ROUND TRIP FAILED");
		bad |= !ok;
	}
	free(in);
	free(z);
	free(back);
	return bad;
}
