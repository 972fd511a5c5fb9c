// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_tmc against the TMC rules, each spelled out here from the text
 * cited beside it rather than taken from cs_tmc: DEVID decoding, the
 * register values, the scatter-gather table walked by an independent
 * reader of the entry format (SoC-600 TMC-ETR / Linux
 * coresight-tmc-etr.c: bits 31:4 = address 39:12, 1:0 type), RWP <->
 * offset, what a drain adds, and formatter frames checked byte by byte
 * against the CoreSight D4 frame layout (test_ocsd has OpenCSD's
 * deformatter judge the formatter on real trace).
 */
#include <stdlib.h>

#include "cs_unit.h"
#include "cs_cpus.h"
#include "../cs_config.h"
#include "../cs_model.h"
#include "../cs_tmc.h"

/* DEVID values: CONFIGTYPE 7:6, MEMWIDTH 10:8, NOSCAT 24. */
#define DEVID_ETR_SG	(1u << 6 | 4u << 8)		/* 128-bit */
#define DEVID_ETR_NOSG	(1u << 6 | 3u << 8 | 1u << 24)
#define DEVID_ETF	(2u << 6 | 3u << 8)		/* 64-bit */

static void test_parse(void)
{
	struct cs_tmc_caps c;

	CHECK(cs_tmc_parse(DEVID_ETR_SG, 0, &c) == 0 &&
	      c.kind == CS_TMC_ETR && c.memwidth == 16 && c.sg &&
	      c.addr_bits == 40);
	CHECK(cs_tmc_parse(DEVID_ETR_NOSG, 0, &c) == 0 && !c.sg &&
	      c.memwidth == 8);
	/* AXIAW valid (16), 44 bits (23:17). */
	CHECK(cs_tmc_parse(DEVID_ETR_SG | 1u << 16 | 44u << 17, 0, &c) == 0 &&
	      c.addr_bits == 44);
	CHECK(cs_tmc_parse(DEVID_ETR_SG | 1u << 16 | 12u << 17, 0, &c) ==
	      -CS_EINVAL);
	CHECK(cs_tmc_parse(DEVID_ETF, 0x1000, &c) == 0 &&
	      c.kind == CS_TMC_ETF && c.ram == 0x4000);
	CHECK(cs_tmc_parse(DEVID_ETF, 0, &c) == -CS_EINVAL);
	CHECK(cs_tmc_parse(DEVID_ETF, 3, &c) == -CS_EINVAL); /* 12 % 8 */
	CHECK(cs_tmc_parse(0u << 6 | 3u << 8, 0x100, &c) == -CS_ENODEV);
	CHECK(cs_tmc_parse(3u << 6 | 3u << 8, 0x100, &c) == -CS_ENODEV);
	CHECK(cs_tmc_parse(1u << 6 | 1u << 8, 0, &c) == -CS_EINVAL);
	CHECK(cs_tmc_parse(1u << 6 | 6u << 8, 0, &c) == -CS_EINVAL);
}

static void test_program(void)
{
	struct cs_tmc_caps etr, flat, etf;
	struct cs_tmc_regs r;
	const uint64_t dba = 0x8000001000ull;

	CHECK(cs_tmc_parse(DEVID_ETR_SG, 0, &etr) == 0);
	CHECK(cs_tmc_parse(DEVID_ETR_NOSG, 0, &flat) == 0);
	CHECK(cs_tmc_parse(DEVID_ETF, 0x1000, &etf) == 0);

	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_SG, dba, 0x10000, 0x20,
			     0x5000020, &r) == 0);
	/* RSZ in words; MODE 0 circular; AXICTL: ProtCtrl[1] NS, SG (7),
	 * WrBurstLen 15 (11:8); FFCR EnFt|EnTI|FOnFlIn|FOnTrigEvt. */
	CHECK(r.rsz == 0x4000 && r.mode == 0 && r.dba == dba);
	CHECK(r.axictl == (0x2 | 0x80 | 0xf00));
	CHECK(r.ffcr == (0x1 | 0x2 | 0x10 | 0x20));
	CHECK(r.rwp == 0x5000020 && r.rrp == r.rwp);
	CHECK(cs_tmc_program(&flat, CS_TMC_BUF_FLAT, dba, 0x10000, 0x40,
			     dba + 0x40, &r) == 0 && r.axictl == 0xf02);
	CHECK(cs_tmc_program(&etf, CS_TMC_BUF_RAM, 0, 0x4000, 0x30, 0, &r) ==
	      0 && r.rwp == 0x30 && r.mode == 0 && r.rsz == 0);

	CHECK(cs_tmc_program(&flat, CS_TMC_BUF_SG, dba, 0x10000, 0, dba, &r)
	      == -CS_EINVAL);			/* DEVID.NOSCAT */
	CHECK(r.ffcr == 0);			/* nothing left behind */
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, dba, 0x10000, 0x40,
			     dba + 0x80, &r) == -CS_EINVAL);
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, dba + 0x10, 0x10000, 0,
			     dba + 0x10, &r) == -CS_EINVAL);
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, dba, 0x10800, 0, dba,
			     &r) == -CS_EINVAL);
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, dba, 0x10000, 0x18,
			     dba + 0x18, &r) == -CS_EINVAL); /* not a frame */
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, dba, 0x10000, 0x10000,
			     dba + 0x10000, &r) == -CS_EINVAL);
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_FLAT, 0xfffffff000ull, 0x2000,
			     0, 0xfffffff000ull, &r) == -CS_EINVAL); /* 2^40 */
	CHECK(cs_tmc_program(&etr, CS_TMC_BUF_RAM, 0, 0x4000, 0, 0, &r) ==
	      -CS_EINVAL);
	CHECK(cs_tmc_program(&etf, CS_TMC_BUF_RAM, 0, 0x2000, 0, 0, &r) ==
	      -CS_EINVAL);			/* not its RAM size */
	CHECK(cs_tmc_program(&etf, CS_TMC_BUF_SG, 0, 0x4000, 0, 0, &r) ==
	      -CS_EINVAL);
}

/*
 * An independent reader of the table: from entry 0 of table page 0,
 * NORMAL/LAST name a data page, LINK moves to the table page it names,
 * LAST ends; SBZ bits 3:2 must be 0 and type 0 never appears.
 * Returns the data pages found, -1 on a format error.
 */
static long walk(const uint32_t *tables, const uint64_t *tpa, uint32_t nt,
		 uint64_t *out, long max)
{
	uint32_t t = 0, i = 0, k;
	long n = 0;

	for (;;) {
		uint32_t e = tables[t * 1024 + i];
		uint64_t pa = (uint64_t)(e >> 4) << 12;

		if ((e & 0xc) || !(e & 3) || n >= max)
			return -1;
		if ((e & 3) == 3) {
			if (i != 1023)
				return -1;	/* a link ends a page */
			for (k = 0; k < nt && tpa[k] != pa; k++)
				;
			if (k == nt)
				return -1;
			t = k;
			i = 0;
			continue;
		}
		out[n++] = pa;
		if ((e & 3) == 1)
			return n;
		if (++i == 1024)
			return -1;		/* ran off a table page */
	}
}

static void sg_case(uint64_t npages, uint32_t want_tables)
{
	uint64_t *data = calloc(npages, 8), *seen = calloc(npages + 1, 8);
	uint64_t tpa[8], i, off, ptr;
	uint32_t nt = cs_tmc_sg_ntables(npages), *tab;
	long n;

	CHECKF(nt == want_tables, "%llu pages: %u tables, want %u",
	       (unsigned long long)npages, nt, want_tables);
	if (!data || !seen || nt != want_tables || nt > 8)
		goto out;
	/* Scattered, descending pages; tables elsewhere. */
	for (i = 0; i < npages; i++)
		data[i] = 0x80000000ull + (npages - i) * 0x3000;
	for (i = 0; i < nt; i++)
		tpa[i] = 0xff0000000ull - i * 0x1000;
	tab = calloc(nt, 4096);
	if (!tab)
		goto out;
	CHECK(cs_tmc_sg_build(data, npages, tpa, nt, tab) == 0);
	n = walk(tab, tpa, nt, seen, (long)npages + 1);
	CHECKF(n == (long)npages, "%llu pages: walk found %ld",
	       (unsigned long long)npages, n);
	for (i = 0; n == (long)npages && i < npages; i++)
		CHECK(seen[i] == data[i]);
	/* Offsets round-trip through the RWP form. */
	for (off = 0; off < npages * 4096; off += 4096 * (npages / 7 + 1) + 48) {
		uint64_t back = ~0ull;

		CHECK(cs_tmc_sg_addr(data, npages, off, &ptr) == 0);
		CHECK(ptr == data[off / 4096] + off % 4096);
		CHECK(cs_tmc_sg_offset(data, npages, ptr, &back) == 0 &&
		      back == off);
	}
	CHECK(cs_tmc_sg_addr(data, npages, npages * 4096, &ptr) ==
	      -CS_EINVAL);
	CHECK(cs_tmc_sg_offset(data, npages, 0x1000, &off) == -CS_EINVAL);
	free(tab);
out:
	free(data);
	free(seen);
}

static void test_sg(void)
{
	uint64_t d[2] = { 0x1000, 0x2000 }, t[2] = { 0x9000, 0xa000 };
	uint32_t tab[2048];

	sg_case(1, 1);
	sg_case(16, 1);
	sg_case(1024, 1);	/* the only table page holds 1024 */
	sg_case(1025, 2);	/* 1023 + LINK, then 2 */
	sg_case(2047, 2);
	sg_case(2048, 3);
	sg_case(5000, 5);

	/* Entry format by hand: page 0x1000 NORMAL, 0x2000 LAST. */
	CHECK(cs_tmc_sg_build(d, 2, t, 1, tab) == 0);
	CHECK(tab[0] == (0x1u << 4 | 2) && tab[1] == (0x2u << 4 | 1) &&
	      tab[2] == 0);
	d[1] = 0x2010;			/* not 4K */
	CHECK(cs_tmc_sg_build(d, 2, t, 1, tab) == -CS_EINVAL);
	d[1] = 1ull << 40;		/* beyond bits 39:12 */
	CHECK(cs_tmc_sg_build(d, 2, t, 1, tab) == -CS_EINVAL);
	d[1] = 0x2000;
	CHECK(cs_tmc_sg_build(d, 2, t, 2, tab) == -CS_EINVAL);
	CHECK(cs_tmc_sg_build(d, 0, t, 0, tab) == -CS_EINVAL);
}

static void test_advance(void)
{
	struct cs_tmc_adv a;

	CHECK(cs_tmc_advance(0x1000, 0x100, 0x400, TMC_STS_TMCREADY, &a) ==
	      0 && a.bytes == 0x300 && a.off == 0x400 && !a.gap);
	/* Full, now below start: crossed the top once at least. */
	CHECK(cs_tmc_advance(0x1000, 0x800, 0x200, TMC_STS_FULL, &a) == 0 &&
	      a.bytes == 0xa00 && a.wrapped && a.gap);
	/* Full, now at or past start: overtook it: a lap and more. */
	CHECK(cs_tmc_advance(0x1000, 0x200, 0x300, TMC_STS_FULL, &a) == 0 &&
	      a.bytes == 0x1100 && a.gap);
	CHECK(cs_tmc_advance(0x1000, 0x200, 0x200, TMC_STS_FULL, &a) == 0 &&
	      a.bytes == 0x1000);
	CHECK(cs_tmc_advance(0x1000, 0, 0x40, TMC_STS_MEMERR, &a) == 0 &&
	      a.error && a.gap && !a.bytes);
	CHECK(cs_tmc_advance(0x1000, 0x400, 0x100, 0, &a) == -CS_EINVAL);
	CHECK(cs_tmc_advance(0x1000, 0x1000, 0, 0, &a) == -CS_EINVAL);
	CHECK(cs_tmc_advance(0x1000, 0, 0x1000, 0, &a) == -CS_EINVAL);
}

/*
 * Frames by hand (CoreSight D4): bytes 0..14, byte 15 the flag bits of
 * the even bytes; an even byte with bit 0 set is an ID (7:1), its flag
 * 1 if the next byte is still the old ID's; an even data byte keeps its
 * bit 0 in the flag.
 */
static void test_fmt(void)
{
	struct cs_fmt f;
	uint8_t d[40], out[96];
	int i, n;

	for (i = 0; i < 40; i++)
		d[i] = (uint8_t)(0x81 + i);
	cs_fmt_init(&f);
	/* ID 0x10, then 14 data bytes: one frame exactly. */
	n = cs_fmt_put(&f, 0x10, d, 14, out, sizeof(out));
	CHECK(n == 16);
	CHECK(out[0] == 0x21);				/* ID 0x10 */
	CHECK(out[1] == 0x81 && out[2] == 0x82 && out[3] == 0x83);
	CHECK(out[14] == 0x8e);				/* d[13] */
	/* flags: byte 0 ID (0), bytes 2,4..14 hold d[1], d[3].. d[13]:
	 * their bit 0: 0x82 0, 0x84 0, .. all even values: 0. */
	CHECK(out[15] == 0x00);
	/* 3 bytes of 0x10, then ID 0x11 at byte 3 (odd): delayed form. */
	n = cs_fmt_put(&f, 0x10, d + 14, 3, out, sizeof(out));
	CHECK(n == 0 && f.pos == 3);
	n = cs_fmt_put(&f, 0x11, d + 20, 1, out, sizeof(out));
	CHECK(n == 0 && f.pos == 5);
	n = cs_fmt_flush(&f, out);
	CHECK(n == 16);
	/* d[14] = 0x8f at 0 (even: 0x8e, flag 1); byte 1 d[15] = 0x90;
	 * byte 2: ID 0x11 (0x23) with flag 1; byte 3: d[16] = 0x91 whole;
	 * d[20] = 0x95 went to byte 4, then the flush at odd byte 5 took the
	 * delayed form again: byte 4 the null ID (0x01) with flag 1, byte 5
	 * 0x95 whole (still ID 0x11's); the rest 0, null-ID data. */
	CHECK(out[0] == 0x8e && out[1] == 0x90 && out[2] == 0x23 &&
	      out[3] == 0x91 && out[4] == 0x01 && out[5] == 0x95);
	for (i = 6; i < 15; i++)
		CHECK(out[i] == 0);
	CHECK(out[15] == (0x1 | 0x2 | 0x4));
	CHECK(cs_fmt_flush(&f, out) == 0);
	CHECK(cs_fmt_put(&f, 0, d, 1, out, sizeof(out)) == -CS_EINVAL);
	CHECK(cs_fmt_put(&f, 0x70, d, 1, out, sizeof(out)) == -CS_EINVAL);
	CHECK(cs_fmt_put(&f, 0x10, d, 40, out, 16) == -CS_E2BIG);
}

#ifndef CS_ROOT
#define CS_ROOT "../.."
#endif
#define JUNO_ETF CS_ROOT "/../shared/corpus/coresight/juno_r1_1/cstrace.bin"

/*
 * Frames in a row naming no ID, the most of them in out[0, len)
 * (frame sync words skipped), and in *bad the ID bytes that are not id
 * (id 0xff: any).  Reads the frames by the D4 layout: an even byte with
 * bit 0 set is an ID.
 */
static unsigned int quiet_frames(const uint8_t *out, size_t len, uint8_t id,
				 unsigned int *bad)
{
	unsigned int run = 0, most = 0, i;
	size_t fr;

	*bad = 0;
	for (fr = 0; fr + CS_FRAME <= len; fr += CS_FRAME) {
		const uint8_t *b = out + fr;
		int named = 0;

		if (b[0] == 0xff && b[1] == 0xff && b[2] == 0xff &&
		    b[3] == 0x7f)
			continue;
		for (i = 0; i < 15; i += 2) {
			if (!(b[i] & 1))
				continue;
			named = 1;
			*bad += id != 0xff && b[i] >> 1 != id;
		}
		run = named ? 0 : run + 1;
		most = run > most ? run : most;
	}
	return most;
}

/*
 * The ID named again in the eighth frame of one source (DDI 0314H
 * 8.12.1): 3000 bytes of ID 0x10 in chunks of 1..61 never make 8 frames
 * in a row without an ID, and every ID byte is 0x10; the data between
 * them is the input, byte for byte.  The rule's 8 is what Juno r1's ETF
 * did (the corpus capture: 7 frames in a row at most, and that often).
 */
static void test_fmt_id_repeat(void)
{
	static uint8_t d[3000], out[4096], juno[65536];
	unsigned int seed = 11, bad, i;
	size_t len = 0, pos = 0, k, fr, got = 0;
	uint8_t cur;
	struct cs_fmt f;
	FILE *jf;
	int n;

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 7 + (i >> 8));
	cs_fmt_init(&f);
	while (pos < sizeof(d)) {
		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 61;
		if (k > sizeof(d) - pos)
			k = sizeof(d) - pos;
		CHECK(cs_fmt_room(k) <= sizeof(out) - len);
		n = cs_fmt_put(&f, 0x10, d + pos, k, out + len,
			       sizeof(out) - len);
		CHECK(n >= 0 && n % 16 == 0 && (size_t)n <= cs_fmt_room(k));
		if (n < 0)
			return;
		len += (size_t)n;
		pos += k;
	}
	len += (size_t)cs_fmt_flush(&f, out + len);
	/* The last frame is the flush's (null ID): leave it out. */
	CHECK(quiet_frames(out, len - CS_FRAME, 0x10, &bad) ==
	      CS_FMT_QUIET_MAX && bad == 0);
	/* Data bytes back, in order: an ID byte with flag 1 leaves the
	 * byte after it to the ID before (the flush's null ID). */
	for (fr = 0, cur = 0; fr + CS_FRAME <= len; fr += CS_FRAME)
		for (i = 0; i < 15; i++) {
			uint8_t b = out[fr + i], flag = !(i & 1) &&
				out[fr + 15] >> (i / 2) & 1;
			uint8_t owner = cur;

			if (!(i & 1) && (b & 1)) {
				cur = b >> 1;
				if (flag && i < 14) {
					b = out[fr + ++i];
					if (owner == 0x10 && got < sizeof(d))
						CHECK(b == d[got++]);
				}
				continue;
			}
			if (!(i & 1))
				b |= flag;
			if (cur != 0x10)
				continue;
			CHECKF(got < sizeof(d) && b == d[got],
			       "byte %zu: %#x", got, b);
			got++;
		}
	CHECK(got == sizeof(d));
	jf = fopen(JUNO_ETF, "rb");
	if (!jf) {
		printf("SKIP: juno_r1_1 ETF capture (%s)\n", JUNO_ETF);
		return;
	}
	k = fread(juno, 1, sizeof(juno), jf);
	fclose(jf);
	CHECK(k == sizeof(juno));
	CHECKF(quiet_frames(juno, k, 0xff, &bad) == CS_FMT_QUIET_MAX,
	       "Juno r1's ETF: %u frames in a row without an ID",
	       quiet_frames(juno, k, 0xff, &bad));
}

/* A bus address space of NPG scattered 4K pages for the ETR model. */
#define NPG	1040
#define TPG	(NPG - 3)	/* the table pages: TPG.. */
struct fmem {
	uint64_t pa[NPG];
	uint8_t pg[NPG][4096];
};

static uint8_t *fmem_at(struct fmem *f, uint64_t pa, size_t n)
{
	int i;

	for (i = 0; i < NPG; i++)
		if (pa >= f->pa[i] && pa + n <= f->pa[i] + 4096)
			return f->pg[i] + (pa - f->pa[i]);
	return NULL;
}

static int fmem_read(void *ctx, uint64_t pa, void *dst, size_t n)
{
	uint8_t *p = fmem_at(ctx, pa, n);

	if (!p)
		return -1;
	memcpy(dst, p, n);
	return 0;
}

static int fmem_write(void *ctx, uint64_t pa, const void *src, size_t n)
{
	uint8_t *p = fmem_at(ctx, pa, n);

	if (!p)
		return -1;
	memcpy(p, src, n);
	return 0;
}

static struct fmem *fmem_new(struct csm_mem *mem)
{
	struct fmem *f = calloc(1, sizeof(*f));
	int i;

	if (!f)
		return NULL;
	/* Pages out of order, none adjacent. */
	for (i = 0; i < NPG; i++)
		f->pa[i] = 0x40000000ull + (uint64_t)((i * 17) % NPG) * 0x3000;
	mem->read = fmem_read;
	mem->write = fmem_write;
	mem->ctx = f;
	return f;
}

static int run_ops(struct cs_io *io, const struct cs_op *ops, int n,
		   uint64_t *res, int nres)
{
	if (n < 0 || n > CS_SEQ_MAX)
		return -100;
	return cs_seq_run(ops, n, io, res, nres);
}

/*
 * One ETR session: the SG table of the first npages fmem pages (data)
 * and table pages TPG.. (tables), or the contiguous buffer at data page
 * 0 (flat: the pages are not adjacent, so only a one-page flat buffer
 * is real memory here); len bytes of source 0x10 from offset start;
 * then flush and stop.  The bytes found in the buffer, read in buffer
 * order from start, must be the frames cs_fmt makes of the same input
 * (cs_fmt itself is held to OpenCSD in test_ocsd).
 */
static void etr_session(int sg, uint32_t npages, uint64_t start, size_t len)
{
	struct csm_mem mem;
	struct fmem *f = fmem_new(&mem);
	struct cs_tmc_caps caps;
	struct cs_tmc_regs r;
	struct cs_tmc_adv adv;
	struct csm_tmc t;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	struct cs_fmt ref;
	uint64_t res[3], size = npages * 4096ull, rwp, now, i;
	static uint32_t tab[3 * 1024];
	uint32_t nt = cs_tmc_sg_ntables(npages);
	uint8_t *data = malloc(len), *want = malloc(cs_fmt_room(len) + 16);
	size_t wn = 0;
	int n;

	if (!f || !data || !want)
		goto out;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	CHECK(cs_tmc_parse(DEVID_ETR_SG, 0, &caps) == 0);
	CHECK(csm_tmc_init(&t, DEVID_ETR_SG, 0, NULL, &mem) == 0);
	if (sg) {
		CHECK(cs_tmc_sg_build(f->pa, npages, f->pa + TPG, nt, tab) == 0);
		for (i = 0; i < nt && i < 3; i++)
			memcpy(f->pg[TPG + i], tab + 1024 * i, 4096);
		CHECK(cs_tmc_sg_addr(f->pa, npages, start, &rwp) == 0);
		CHECK(cs_tmc_program(&caps, CS_TMC_BUF_SG, f->pa[TPG], size,
				     start, rwp, &r) == 0);
	} else {
		CHECK(cs_tmc_program(&caps, CS_TMC_BUF_FLAT, f->pa[0], size,
				     start, f->pa[0] + start, &r) == 0);
	}
	csm_tmc_io(&t, &io);
	CHECK(run_ops(&io, ops, cs_seq_tmc_start(&r, ops), NULL, 0) == 0);
	CHECKF(t.refused == 0, "start refused: %s", t.rule);
	/* In pieces, as a trace unit sends them. */
	for (i = 0; i < len; i += 29)
		CHECK(csm_tmc_emit(&t, 0x10, data + i,
				   len - i < 29 ? len - i : 29) ==
		      (len - i < 29 ? len - i : 29));
	CHECK(run_ops(&io, ops, cs_seq_tmc_stop(&r, ops), res, 3) == 0);
	CHECK(run_ops(&io, ops, cs_seq_tmc_release(ops), NULL, 0) == 0);
	CHECKF(t.refused == 0, "stop refused: %s", t.rule);
	rwp = res[0] | res[1] << 32;
	if (sg)
		CHECK(cs_tmc_sg_offset(f->pa, npages, rwp, &now) == 0);
	else
		now = rwp - f->pa[0];
	CHECK(cs_tmc_advance(size, start, now, (uint32_t)res[2], &adv) == 0);

	cs_fmt_init(&ref);
	n = cs_fmt_put(&ref, 0x10, data, len, want, cs_fmt_room(len));
	CHECK(n >= 0);
	wn = (size_t)n + (size_t)cs_fmt_flush(&ref, want + n);
	if (wn <= size - start) {
		CHECKF(!adv.gap && adv.bytes == wn, "%llu bytes, %zu framed",
		       (unsigned long long)adv.bytes, wn);
	} else {
		/* Wrapped: Full, a gap, the newest lap ends at now. */
		CHECK(adv.gap && adv.wrapped && (res[2] & TMC_STS_FULL));
		CHECK(now == (start + wn) % size);
	}
	/* The newest min(wn, size) bytes, from the buffer in order. */
	for (i = 0; i < wn && i < size; i++) {
		uint64_t o = (start + wn - 1 - i) % size, pa;
		uint8_t b = 0;

		if (sg)
			CHECK(cs_tmc_sg_addr(f->pa, npages, o, &pa) == 0);
		else
			pa = f->pa[0] + o;
		CHECK(fmem_read(f, pa, &b, 1) == 0);
		if (b != want[wn - 1 - i]) {
			CHECKF(0, "byte %llu of the buffer: %#x, want %#x",
			       (unsigned long long)o, b, want[wn - 1 - i]);
			break;
		}
	}
out:
	free(f);
	free(data);
	free(want);
}

static void test_etr_sessions(void)
{
	etr_session(1, 8, 0, 1000);		/* within a page */
	etr_session(1, 8, 0x40, 9000);		/* across pages */
	etr_session(1, 8, 0x7f00, 300);		/* across LAST: a wrap */
	etr_session(1, 3, 0x800, 20000);	/* many laps */
	etr_session(1, 39, 0x10, 100000);	/* 39 pages, laps */
	/* Two table pages: across the LINK, around LAST, back to DBA. */
	etr_session(1, 1030, 1020 * 4096 + 0x30, 40000);
	etr_session(1, 1030, 1029 * 4096, 3 * 4096);
	etr_session(0, 1, 0, 2000);		/* contiguous */
	etr_session(0, 1, 0xe00, 2000);		/* contiguous, wraps */
}

/* The ETR model's rules, one broken write each. */
#define TREFUSED(t, reg, v) do {					\
	uint32_t r0 = (t)->refused;					\
	CHECKF(csm_tmc_write(t, reg, v) == -1 && (t)->refused == r0 + 1, \
	       "write %#x = %#llx accepted", (unsigned int)(reg),	\
	       (unsigned long long)(v));				\
} while (0)
#define TACCEPTED(t, reg, v) CHECKF(csm_tmc_write(t, reg, v) == 0,	\
	"write %#x = %#llx refused: %s", (unsigned int)(reg),		\
	(unsigned long long)(v), (t)->rule)

static void tmc_ready(struct csm_tmc *t)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 10 && !(v & TMC_STS_TMCREADY); i++)
		CHECK(csm_tmc_read(t, TMC_STS, &v) == 0);
}

/* Program an SG ETR over fmem pages 0..1, table at page 40. */
static void sg_setup(struct csm_tmc *t, struct fmem *f, uint32_t *tab)
{
	TACCEPTED(t, TMC_LAR, CS_LAR_UNLOCK);
	TACCEPTED(t, TMC_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	tmc_ready(t);
	TACCEPTED(t, TMC_RSZ, 2 * 1024);
	TACCEPTED(t, TMC_AXICTL, TMC_AXICTL_SG | TMC_AXICTL_PROT_NS);
	TACCEPTED(t, TMC_DBALO, (uint32_t)f->pa[TPG]);
	TACCEPTED(t, TMC_RWP, (uint32_t)f->pa[1] + 0x20);
	TACCEPTED(t, TMC_FFCR, TMC_FFCR_ENFT);
	memcpy(f->pg[TPG], tab, 4096);
}

static void test_tmc_rules(void)
{
	struct csm_mem mem;
	struct fmem *f = fmem_new(&mem);
	struct csm_tmc t;
	uint32_t tab[1024], good[1024];
	uint64_t v;
	uint8_t b[16] = { 0 };

	if (!f)
		return;
	CHECK(cs_tmc_sg_build(f->pa, 2, f->pa + TPG, 1, good) == 0);
	CHECK(csm_tmc_init(&t, DEVID_ETR_SG, 0, NULL, &mem) == 0);
	/* Software lock (CoreSight B2), then the claim. */
	TREFUSED(&t, TMC_RSZ, 1024);
	TACCEPTED(&t, TMC_LAR, CS_LAR_UNLOCK);
	TREFUSED(&t, TMC_RSZ, 1024);			/* no claim */
	TACCEPTED(&t, TMC_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	TREFUSED(&t, TMC_CLAIMCLR, CS_CLAIM_EXTERNAL);	/* not ours */
	TREFUSED(&t, TMC_RSZ, 1u << 31);
	TREFUSED(&t, TMC_MODE, 2);			/* HW FIFO: ETF */
	TREFUSED(&t, TMC_AXICTL, 1u << 6);		/* RES0 */
	TREFUSED(&t, TMC_FFCR, 1u << 2);		/* RES0 */
	TREFUSED(&t, TMC_CTL, 2);

	/* Table format, one fault at a time. */
	memcpy(tab, good, sizeof(tab));
	tab[0] = (tab[0] & ~3u);			/* type 0b00 */
	sg_setup(&t, f, tab);
	TREFUSED(&t, TMC_CTL, 1);
	memcpy(tab, good, sizeof(tab));
	tab[1] |= 0x4;					/* SBZ */
	memcpy(f->pg[TPG], tab, 4096);
	TREFUSED(&t, TMC_CTL, 1);
	memcpy(tab, good, sizeof(tab));
	tab[1] = (tab[1] & ~3u) | CS_TMC_SG_LINK;	/* link at 1 */
	memcpy(f->pg[TPG], tab, 4096);
	TREFUSED(&t, TMC_CTL, 1);
	memcpy(tab, good, sizeof(tab));
	tab[0] = (tab[0] & ~3u) | CS_TMC_SG_LAST;	/* short of RSZ */
	memcpy(f->pg[TPG], tab, 4096);
	TREFUSED(&t, TMC_CTL, 1);
	memcpy(f->pg[TPG], good, 4096);
	TACCEPTED(&t, TMC_RWP, (uint32_t)f->pa[5]);	/* not in the table */
	TREFUSED(&t, TMC_CTL, 1);
	TACCEPTED(&t, TMC_RWP, (uint32_t)f->pa[1] + 0x28); /* not a frame */
	TREFUSED(&t, TMC_CTL, 1);
	TACCEPTED(&t, TMC_RWP, (uint32_t)f->pa[1] + 0x20);
	TACCEPTED(&t, TMC_CTL, 1);

	/* Capturing: no programming, no RRP; EnFt fixed; no disable
	 * before flush and stop. */
	TREFUSED(&t, TMC_RWP, (uint32_t)f->pa[0]);
	TREFUSED(&t, TMC_RRP, (uint32_t)f->pa[0]);
	TREFUSED(&t, TMC_FFCR, 0);
	CHECK(csm_tmc_emit(&t, 0x10, b, 16) == 16);
	TREFUSED(&t, TMC_CTL, 0);
	TACCEPTED(&t, TMC_FFCR, TMC_FFCR_ENFT | TMC_FFCR_STOPONFL |
		  TMC_FFCR_FLUSHMAN);
	CHECK(csm_tmc_read(&t, TMC_FFCR, &v) == 0 && (v & TMC_FFCR_FLUSHMAN));
	CHECK(csm_tmc_emit(&t, 0x10, b, 16) == 0);	/* stopped: lost */
	TACCEPTED(&t, TMC_CTL, 0);
	TREFUSED(&t, TMC_RSZ, 1024);			/* TMCReady unread */
	tmc_ready(&t);
	TACCEPTED(&t, TMC_RSZ, 1024);
	/* 16 bytes + ID = 17: two frames, the second padded. */
	CHECK(t.stored == 32 && t.rwp == f->pa[1] + 0x40);
	CHECK(csm_tmc_read(&t, TMC_RRD, &v) == -1);	/* ETR: no RRD */
	CHECKF(t.refused == 20, "%u refused", t.refused);

	/* No scatter-gather on this ETR. */
	CHECK(csm_tmc_init(&t, DEVID_ETR_NOSG, 0, NULL, &mem) == 0);
	TACCEPTED(&t, TMC_LAR, CS_LAR_UNLOCK);
	TACCEPTED(&t, TMC_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	TREFUSED(&t, TMC_AXICTL, TMC_AXICTL_SG);
	/* Another agent's claim. */
	CHECK(csm_tmc_init(&t, DEVID_ETR_SG, 0, NULL, &mem) == 0);
	t.claim = CS_CLAIM_EXTERNAL;
	TACCEPTED(&t, TMC_LAR, CS_LAR_UNLOCK);
	TREFUSED(&t, TMC_CLAIMSET, CS_CLAIM_SELF_HOSTED);
	free(f);
}

/*
 * The ETF: its RAM as a circular buffer; after flush and stop the RAM
 * read through RRD from the oldest byte (RRP = RWP when Full, the
 * start otherwise) is the newest RAM-size bytes of the formatted
 * stream.
 */
static void etf_session(size_t len)
{
	static uint8_t ram[0x1000], got[0x1000];
	uint8_t *data = malloc(len), *want = malloc(cs_fmt_room(len) + 16);
	struct cs_tmc_caps caps;
	struct cs_tmc_regs r;
	struct cs_tmc_adv adv;
	struct csm_tmc t;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	struct cs_fmt ref;
	uint64_t res[3];
	size_t i, wn;
	uint64_t n;
	int k;

	if (!data || !want)
		goto out;
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 13 + 1);
	CHECK(cs_tmc_parse(DEVID_ETF, 0x400, &caps) == 0);
	CHECK(csm_tmc_init(&t, DEVID_ETF, 0x400, ram, NULL) == 0);
	CHECK(cs_tmc_program(&caps, CS_TMC_BUF_RAM, 0, 0x1000, 0x100, 0,
			     &r) == 0);
	csm_tmc_io(&t, &io);
	CHECK(run_ops(&io, ops, cs_seq_tmc_start(&r, ops), NULL, 0) == 0);
	CHECK(csm_tmc_emit(&t, 0x22, data, len) == len);
	CHECK(run_ops(&io, ops, cs_seq_tmc_stop(&r, ops), res, 3) == 0);
	CHECK(cs_tmc_advance(0x1000, 0x100, res[0], (uint32_t)res[2],
			     &adv) == 0);
	/* Full: the oldest byte is at RWP. */
	if (res[2] & TMC_STS_FULL)
		CHECK(csm_tmc_write(&t, TMC_LAR, CS_LAR_UNLOCK) == 0 &&
		      csm_tmc_write(&t, TMC_RRP, res[0]) == 0);
	CHECK(cs_tmc_drain(&io, got, sizeof(got), 0, &n) == 0);
	CHECK(run_ops(&io, ops, cs_seq_tmc_release(ops), NULL, 0) == 0);
	CHECKF(t.refused == 0, "refused: %s", t.rule);
	cs_fmt_init(&ref);
	k = cs_fmt_put(&ref, 0x22, data, len, want, cs_fmt_room(len));
	CHECK(k >= 0);
	wn = (size_t)k + (size_t)cs_fmt_flush(&ref, want + k);
	if (wn <= 0x1000 - 0x100) {
		CHECKF(n == wn, "drained %llu, want %zu", (unsigned long long)n, wn);
		CHECK(!adv.gap && adv.bytes == wn && !memcmp(got, want, wn));
	} else {
		/* Wrapped: the newest RAM-size bytes, oldest first. */
		CHECK(wn > 0x1000 && adv.gap && n == 0x1000);
		CHECK(!memcmp(got, want + wn - 0x1000, 0x1000));
	}
out:
	free(data);
	free(want);
}

static void test_etf(void)
{
	etf_session(500);
	etf_session(3000);
	etf_session(9000);
}

/* ETMv4 through its memory-mapped view, then with an ETR behind it. */
static void test_etm4_mmio(void)
{
	const struct cs_cpu *c;
	struct hwt_coresight_config x;
	struct cs_regs regs;
	struct cs_caps k;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	struct csm m;
	uint64_t v, res[2];
	int i;

	csm_init_mmio(&m, &cs_cpus[0].id);
	CHECK(csm_write(&m, TRCOSLAR, 0) == -1);	/* locked */
	CHECK(csm_read(&m, TRCLSR, &v) == 0 && v == 3);
	CHECK(csm_write(&m, TRCLAR, CS_LAR_UNLOCK) == 0);
	CHECK(csm_read(&m, TRCLSR, &v) == 0 && v == 1);
	CHECK(csm_write(&m, TRCCLAIMSET, CS_CLAIM_SELF_HOSTED) == 0);
	CHECK(csm_write(&m, TRCOSLAR, 0) == 0);
	for (i = 0; i < CSM_IDLE_READS; i++)
		CHECK(csm_read(&m, TRCSTATR, &v) == 0);
	CHECK(csm_write(&m, TRCCONFIGR, 1) == 0);
	CHECK(csm_write(&m, TRCPDCR, 1) == -1);		/* RES0 */
	CHECK(csm_write(&m, TRCPRGCTLR, 1) == -1);	/* STICKYPD */
	CHECK(csm_read(&m, TRCPDSR, &v) == 0 && v == (TRCPDSR_POWER |
	      TRCPDSR_STICKYPD));
	CHECK(csm_read(&m, TRCPDSR, &v) == 0 && v == TRCPDSR_POWER);
	CHECK(csm_write(&m, TRCPRGCTLR, 1) == -1);	/* PU clear */
	CHECK(csm_write(&m, TRCPDCR, TRCPDCR_PU) == 0);
	CHECK(csm_write(&m, TRCPRGCTLR, 1) == 0);
	CHECKF(m.refused == 4, "%u refused", m.refused);

	/* The real ETMv4 rows: cs_seq on the memory-mapped model. */
	for (i = 0; i < 2; i++) {
		c = &cs_cpus[i];
		CHECK(cs_caps_parse(&c->id, &k) == 0);
		cs_config_default(&x);
		x.sink = HWT_CORESIGHT_SINK_ETR;
		CHECK(cs_config_regs(&k, &x, CS_MODE_THREAD, 0x10 + i,
				     &regs) == 0);
		csm_init_mmio(&m, &c->id);
		csm_io(&m, &io);
		CHECK(run_ops(&io, ops, cs_seq_start(&k, &regs, NULL, ops),
			      NULL, 0) == 0);
		CHECK(m.prgctlr == 1 && m.slk);
		CHECK(run_ops(&io, ops, cs_seq_stop(&k, 0, ops), res, 2) == 0);
		CHECKF(m.refused == 0, "%s: %u refused: %s", c->name,
		       m.refused, m.rule);
		CHECK(m.prgctlr == 0 && !m.claim && m.slk);
	}
}

/*
 * A data page the bus does not have (the table names it, the ETR cannot
 * write it): STS.MemErr, capture stops, the stop sequence still
 * completes, and the drain is an error and a gap, not bytes.
 */
static void test_memerr(void)
{
	struct csm_mem mem;
	struct fmem *f = fmem_new(&mem);
	struct cs_tmc_caps caps;
	struct cs_tmc_regs r;
	struct cs_tmc_adv adv;
	struct csm_tmc t;
	struct cs_op ops[CS_SEQ_MAX];
	struct cs_io io;
	uint64_t pages[2], res[3], now;
	uint32_t tab[1024];
	uint8_t b[64] = { 0 };
	int i;

	if (!f)
		return;
	pages[0] = f->pa[0];
	pages[1] = 0x7000000000ull;		/* no memory there */
	CHECK(cs_tmc_sg_build(pages, 2, f->pa + TPG, 1, tab) == 0);
	memcpy(f->pg[TPG], tab, 4096);
	CHECK(cs_tmc_parse(DEVID_ETR_SG, 0, &caps) == 0);
	CHECK(csm_tmc_init(&t, DEVID_ETR_SG, 0, NULL, &mem) == 0);
	CHECK(cs_tmc_program(&caps, CS_TMC_BUF_SG, f->pa[TPG], 8192, 4000,
			     pages[0] + 4000, &r) == 0);
	csm_tmc_io(&t, &io);
	CHECK(run_ops(&io, ops, cs_seq_tmc_start(&r, ops), NULL, 0) == 0);
	for (i = 0; i < 4; i++)
		csm_tmc_emit(&t, 0x10, b, sizeof(b));
	CHECK(t.memerr && t.stopped);
	CHECK(run_ops(&io, ops, cs_seq_tmc_stop(&r, ops), res, 3) == 0);
	CHECK(res[2] & TMC_STS_MEMERR);
	CHECK(run_ops(&io, ops, cs_seq_tmc_release(ops), NULL, 0) == 0);
	CHECKF(t.refused == 0, "refused: %s", t.rule);
	CHECK(cs_tmc_sg_offset(pages, 2, res[0] | res[1] << 32, &now) == 0);
	CHECK(cs_tmc_advance(8192, 4000, now, (uint32_t)res[2], &adv) == 0 &&
	      adv.error && adv.gap && !adv.bytes);
	free(f);
}

int main(void)
{
	RUN(test_parse(), "tmc: DEVID decoded");
	RUN(test_program(), "tmc: ETR/ETF register values and refusals");
	RUN(test_sg(), "tmc: SG table walks back to the pages");
	RUN(test_advance(), "tmc: RWP/STS to bytes, wrap and MemErr");
	RUN(test_fmt(), "tmc: formatter frames by hand");
	RUN(test_fmt_id_repeat(), "tmc: formatter names the ID every 8 frames");
	RUN(test_etr_sessions(), "tmc: ETR model, SG and contiguous sessions");
	RUN(test_tmc_rules(), "tmc: ETR model refuses each broken rule");
	RUN(test_etf(), "tmc: ETF model, drained through RRD");
	RUN(test_memerr(), "tmc: a write the bus refuses: MemErr, a gap");
	RUN(test_etm4_mmio(), "tmc: memory-mapped ETMv4 lock and power rules");
	return unit_failed ? 1 : 0;
}
