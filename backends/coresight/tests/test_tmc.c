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

int main(void)
{
	RUN(test_parse(), "tmc: DEVID decoded");
	RUN(test_program(), "tmc: ETR/ETF register values and refusals");
	RUN(test_sg(), "tmc: SG table walks back to the pages");
	RUN(test_advance(), "tmc: RWP/STS to bytes, wrap and MemErr");
	RUN(test_fmt(), "tmc: formatter frames by hand");
	return unit_failed ? 1 : 0;
}
