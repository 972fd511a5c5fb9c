/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The calls chunk encoder (src/db/calls_vtab.c) against the format as
 * docs/schema.md states it, written here the plain way: each row's ten
 * fields as differences from the row before, zigzagged, each a LEB128.
 * The encoder has an SSE2 path (x86-64) and a portable one (arm64); the
 * Makefile builds this test twice, once with the library as built and
 * once with calls_vtab.c compiled without __SSE2__, so both are held to
 * the same bytes.  Rows: random differences of every size, the
 * one-byte edges (zigzag 0x7f and 0x80: +-64), every field at 0 and at
 * the 64-bit extremes; then every chunk read back by hwt_calls_decode.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db/calls_vtab.h"
#include "../../tests/lib/unit.h"

#ifndef CALLS_ENC_VARIANT
#define CALLS_ENC_VARIANT "library"
#endif
#define NAME(what)	"calls-enc-" what " (" CALLS_ENC_VARIANT ")"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The row as docs/schema.md says: zigzag(v - prev) as LEB128, per
 * field.  Returns its length. */
static size_t ref_encode(uint8_t *p, const struct hwt_calls_rec *prev,
			 const struct hwt_calls_rec *r)
{
	size_t n = 0;
	int f;

	for (f = 0; f < HWT_CALLS_FIELDS; f++) {
		int64_t d = (int64_t)(r->v[f] - prev->v[f]);
		uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);

		do {
			p[n++] = (uint8_t)((z & 0x7f) | (z > 0x7f ? 0x80 : 0));
			z >>= 7;
		} while (z);
	}
	return n;
}

/* A difference of one of several sizes, either sign. */
static uint64_t diff(void)
{
	static const int64_t edge[] = { 0, 1, -1, 63, -64, 64, -65, 8191,
					-8192, 8192, INT64_MAX, INT64_MIN };
	uint64_t x = rnd();

	switch (x % 6) {
	case 0:
		return (uint64_t)edge[(x >> 8) % (sizeof(edge) /
						 sizeof(edge[0]))];
	case 1:
	case 2:
		return (uint64_t)((int64_t)((x >> 8) % 128) - 64);
	case 3:
		return (uint64_t)((int64_t)((x >> 8) % 20000) - 10000);
	case 4:
		return rnd() >> ((x >> 8) % 64);
	default:
		return rnd();
	}
}

#define NROWS	200000
#define CHUNK	HWT_CALLS_CHUNK

static struct hwt_calls_rec rows[NROWS], got[CHUNK];
static uint8_t enc[CHUNK * HWT_CALLS_ROW_MAX + 16];

int main(void)
{
	struct hwt_calls_rec prev, rprev;
	uint8_t want[HWT_CALLS_ROW_MAX];
	size_t i, len, wlen, start, n, one = 0;
	int f, same = 1, back = 1;

	memset(&rows[0], 0, sizeof(rows[0]));
	for (i = 1; i < NROWS; i++) {
		/* Rows of one kind in runs, as a decode writes them: all
		 * small, one field far, all far. */
		int kind = (int)((i / 97) % 3);

		for (f = 0; f < HWT_CALLS_FIELDS; f++) {
			uint64_t d = kind == 0 ? (uint64_t)((int64_t)(rnd() % 128) - 64) :
				     kind == 1 && f != (int)(i % 10) ? 1 : diff();

			rows[i].v[f] = rows[i - 1].v[f] + d;
		}
		/* The edges of the one-byte rows: every difference 64
		 * (zigzag 0x80 each: none fits), -64 (0x7f each: all fit),
		 * 64 and 0 alternating, none at all. */
		for (f = 0; f < HWT_CALLS_FIELDS; f++) {
			int64_t e = i % 1000 == 500 ? 64 : i % 1000 == 501 ?
				    -64 : i % 1000 == 502 ? (f % 2) * 64 : 0;

			if (i % 1000 >= 500 && i % 1000 <= 503)
				rows[i].v[f] = rows[i - 1].v[f] + (uint64_t)e;
			if (i % 1000 == 0)
				rows[i].v[f] = i % 2000 ? UINT64_MAX : 0;
		}
	}
	for (start = 0; start < NROWS; start += n) {
		n = NROWS - start < CHUNK ? NROWS - start : CHUNK;
		memset(&prev, 0, sizeof(prev));
		memset(&rprev, 0, sizeof(rprev));
		len = 0;
		for (i = 0; i < n; i++) {
			size_t k = hwt_calls_encode(enc + len, &prev,
						    &rows[start + i]);

			wlen = ref_encode(want, &rprev, &rows[start + i]);
			rprev = rows[start + i];
			one += wlen == HWT_CALLS_FIELDS;
			if (k != wlen || memcmp(enc + len, want, k)) {
				if (same)
					printf("row %zu: %zu bytes, want %zu\n",
					       start + i, k, wlen);
				same = 0;
			}
			len += k;
		}
		if (hwt_calls_decode(enc, len, n, got) ||
		    memcmp(got, &rows[start], n * sizeof(got[0])))
			back = 0;
	}
	UNIT_RUN(UNIT_CHECK(same), NAME("bytes-as-schema"));
	UNIT_RUN(UNIT_CHECK(back), NAME("decodes-back"));
	/* Both paths taken: the all-one-byte rows and the others. */
	UNIT_RUN(UNIT_CHECK(one > NROWS / 4 && one < NROWS - NROWS / 4),
		 NAME("both-row-shapes"));
	return unit_failed != 0;
}
