// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pt_topa against pt_model: ToPA tables built over shuffled physical
 * chunks are walked by the model's output pointer while it stores a known
 * byte stream; the test checks, from the chunk list alone, where every
 * byte must land, how many PMIs the INT entries raise, that END closes
 * the ring, that STOP stops at the end of its region, and that the
 * output MSRs read back after each stop map to the exact stream position
 * and back (what switch-out/switch-in do).  Single-range output and the
 * one-entry ToPA of the first PT generation likewise.
 */
#include <stdlib.h>

#include "pt_unit.h"
#include "pt_cpus.h"
#include "pt_mem.h"
#include "../pt_topa.h"

#define BDW	(&pt_cpus[0])
#define KBL	(&pt_cpus[1])
#define ICX	(&pt_cpus[2])
#define SRO	(&pt_cpus[4])

#define MAXCH	1200
#define MAXTAB	4

static struct pt_mem mem;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint8_t stream_byte(uint64_t pos)
{
	uint64_t x = pos * 0x9e3779b97f4a7c15ull;

	return (uint8_t)(x >> 56);
}

struct ring {
	struct pt_caps k;
	struct pt_chunk ch[MAXCH];
	uint64_t start[MAXCH];
	uint64_t *tabs[MAXTAB], tphys[MAXTAB];
	struct pt_topa t;
	uint32_t n;
};

/*
 * n chunks of random orders (<= maxorder), placed at shuffled, aligned
 * physical addresses after the tables.
 */
static void make_chunks(struct ring *r, uint32_t n, unsigned int maxorder)
{
	uint64_t pa = PT_MEM_BASE + MAXTAB * 0x1000ull, sz;
	uint32_t i, j, perm[MAXCH];
	struct pt_chunk tmp;

	r->n = n;
	for (i = 0; i < n; i++) {
		r->ch[i] = (struct pt_chunk){ 0 };
		r->ch[i].order = rnd() % (maxorder + 1);
		perm[i] = i;
	}
	/* sort by size, largest first, so aligned placement packs */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (r->ch[j].order > r->ch[i].order) {
				tmp = r->ch[i];
				r->ch[i] = r->ch[j];
				r->ch[j] = tmp;
			}
	pa = (pa + (0x1000ull << maxorder) - 1) & ~((0x1000ull << maxorder) - 1);
	for (i = 0; i < n; i++) {
		sz = 0x1000ull << r->ch[i].order;
		pa = (pa + sz - 1) & ~(sz - 1);
		r->ch[i].phys = pa;
		pa += sz;
	}
	if (pa - PT_MEM_BASE > mem.size)
		abort();
	/* buffer order != physical order */
	for (i = n - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		tmp = r->ch[i];
		r->ch[i] = r->ch[j];
		r->ch[j] = tmp;
	}
	(void)perm;
	for (i = 0; i < MAXTAB; i++) {
		r->tphys[i] = PT_MEM_BASE + i * 0x1000ull;
		r->tabs[i] = pt_mem_at(&mem, r->tphys[i]);
		memset(r->tabs[i], 0xee, 0x1000);
	}
}

static uint64_t chunk_size(const struct pt_chunk *c)
{
	return 0x1000ull << c->order;
}

static int program(struct ptm *m, const struct pt_output *out, uint64_t ctl)
{
	return ptm_wrmsr(m, PT_MSR_OUTPUT_BASE, out->base) ||
	       ptm_wrmsr(m, PT_MSR_OUTPUT_MASK, out->mask_ptrs) ||
	       ptm_wrmsr(m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN);
}

/* PMIs: INT chunks whose end the stream [0, total) crossed. */
static uint64_t want_pmis(const struct ring *r, uint64_t total)
{
	uint64_t size = r->t.size, end, pmis = 0;
	uint32_t i;

	for (i = 0; i < r->n; i++) {
		if (!r->ch[i].intr)
			continue;
		end = r->start[i] + chunk_size(&r->ch[i]);
		if (total >= end)
			pmis += 1 + (total - end) / size;
	}
	return pmis;
}

/*
 * Walk: emit ~laps buffers of stream in random pieces; after each piece
 * stop (TraceEn=0), read the pointers, check they map to the position,
 * rebuild them from the position (switch-in) and go on, sometimes on a
 * fresh model (another CPU).
 */
static void walk(const struct pt_cpu *cpu, uint32_t n, unsigned int maxorder,
		 uint32_t parts, unsigned int laps)
{
	static uint8_t piece[1 << 16];
	struct ring *r = calloc(1, sizeof(*r));
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN | PT_CTL_TOPA;
	uint64_t total = 0, head = 0, len, i, base, mask, off, pmis = 0, prev;
	struct pt_output out, back;
	struct ptm m;
	int ret;

	if (!r)
		abort();
	CHECK(pt_caps_parse(&cpu->id, &r->k) == 0);
	make_chunks(r, n, maxorder);
	pt_topa_set_int(r->ch, n, parts);
	ret = pt_topa_build(&r->t, &r->k, r->ch, n, r->tabs, r->tphys, MAXTAB,
			    r->start);
	CHECKF(ret == 0, "build %d", ret);
	if (ret) {
		free(r);
		return;
	}
	CHECK(r->t.ntables == pt_topa_tables_needed(&r->k, n));
	ptm_init(&m, &cpu->id, &mem.ops);
	CHECK(pt_topa_output(&r->t, 0, &out) == 0);
	CHECK(program(&m, &out, ctl) == 0);
	while (total < laps * r->t.size) {
		len = 1 + rnd() % (r->t.size < sizeof(piece) ? r->t.size - 1 :
				   sizeof(piece));
		for (i = 0; i < len; i++)
			piece[i] = stream_byte(total + i);
		CHECK(ptm_emit(&m, piece, len) == len);
		total += len;
		/* switch-out: TraceEn first, then read the pointers */
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
		CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_BASE, &base) == 0);
		CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &mask) == 0);
		CHECK(pt_topa_offset(&r->t, base, mask, &off) == 0);
		CHECKF(off == total % r->t.size, "off %#llx total %#llx",
		       (unsigned long long)off, (unsigned long long)total);
		prev = head;
		head = pt_pos_advance(r->t.size, head, off);
		CHECK(head == total);
		/* What the PMI handler computes: the model's PMIs. */
		CHECKF(pt_topa_int_count(&r->t, prev, head) == m.pmi,
		       "int_count %llu, the unit raised %u",
		       (unsigned long long)pt_topa_int_count(&r->t, prev, head),
		       m.pmi);
		CHECK(!!(m.global_status & PT_GLOBAL_STATUS_TOPA_PMI) ==
		      (m.pmi > 0));
		m.global_status = 0;
		/* switch-in, half the time on another CPU */
		pmis += m.pmi;
		m.pmi = 0;
		if (rnd() % 2)
			ptm_init(&m, &cpu->id, &mem.ops);
		CHECK(pt_topa_output(&r->t, off, &back) == 0);
		CHECK(program(&m, &back, ctl) == 0);
		if (unit_cur_failed)
			break;
	}
	pmis += m.pmi;
	CHECK(m.gp == 0 && m.op_errors == 0);
	/* Over several laps at once too (a late drain). */
	CHECK(pt_topa_int_count(&r->t, 0, total) == want_pmis(r, total));
	CHECK(pt_topa_int_count(&r->t, total, total / 3) == 0);
	CHECKF(pmis == want_pmis(r, total), "pmis %llu want %llu",
	       (unsigned long long)pmis,
	       (unsigned long long)want_pmis(r, total));
	/*
	 * The buffer holds the last size bytes of the stream, in order:
	 * byte off of chunk memory (chunks in buffer order) is stream
	 * position off + k * size, the last such one before total.
	 */
	off = 0;
	for (i = 0; i < n && !unit_cur_failed; i++) {
		uint8_t *p = pt_mem_at(&mem, r->ch[i].phys);
		uint64_t j, z = 0x1000ull << r->ch[i].order, pos;

		for (j = 0; j < z; j++, off++) {
			pos = off + (total - 1 - off) / r->t.size * r->t.size;
			if (p[j] != stream_byte(pos)) {
				CHECKF(0, "chunk %llu byte %llu",
				       (unsigned long long)i,
				       (unsigned long long)j);
				break;
			}
		}
	}
	free(r);
}

/* Every offset maps to MSR values and back; boundaries are canonical. */
static void test_roundtrip(const struct pt_cpu *cpu, uint32_t n)
{
	struct ring *r = calloc(1, sizeof(*r));
	struct pt_output out;
	uint64_t off, got, probe[8];
	uint32_t i, j;

	if (!r)
		abort();
	CHECK(pt_caps_parse(&cpu->id, &r->k) == 0);
	make_chunks(r, n, 3);
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, n, r->tabs, r->tphys, MAXTAB,
			    r->start) == 0);
	for (i = 0; i < n; i++) {
		uint64_t s = r->start[i], z = chunk_size(&r->ch[i]);

		probe[0] = s;
		probe[1] = s + 1;
		probe[2] = s + z - 1;
		probe[3] = s + rnd() % z;
		for (j = 0; j < 4; j++) {
			off = probe[j];
			CHECK(pt_topa_output(&r->t, off, &out) == 0);
			CHECK(out.topa && (out.mask_ptrs & 0x7f) == 0x7f);
			CHECK(out.base == r->tphys[cpu->want.multi ?
						   i / 511 : 0]);
			CHECK(((out.mask_ptrs >> 7) & 0x1ffffff) ==
			      (cpu->want.multi ? i % 511 : 0));
			CHECK((out.mask_ptrs >> 32) == off - s);
			CHECK(pt_topa_offset(&r->t, out.base, out.mask_ptrs,
					     &got) == 0 && got == off);
		}
		/* full region (STOP) = next chunk's start */
		out.base = r->tphys[cpu->want.multi ? i / 511 : 0];
		out.mask_ptrs = 0x7f | ((uint64_t)(cpu->want.multi ?
						   i % 511 : 0) << 7) |
				(z << 32);
		CHECK(pt_topa_offset(&r->t, out.base, out.mask_ptrs, &got) ==
		      0 && got == (s + z) % r->t.size);
		out.mask_ptrs += 1ull << 32;
		CHECK(pt_topa_offset(&r->t, out.base, out.mask_ptrs, &got) ==
		      -PT_EINVAL);
	}
	CHECK(pt_topa_output(&r->t, r->t.size, &out) == -PT_EINVAL);
	CHECK(pt_topa_offset(&r->t, r->tphys[0] + 0x1000 * MAXTAB, 0x7f,
			     &got) == -PT_EINVAL);
	free(r);
}

/* STOP: output ends with the region; Stopped; pointer = region size. */
static void test_stop(const struct pt_cpu *cpu)
{
	struct ring *r = calloc(1, sizeof(*r));
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN | PT_CTL_TOPA;
	uint64_t end, st, base, mask, off;
	static uint8_t buf[1 << 16];
	struct pt_output out;
	uint32_t j, n = cpu->want.multi ? 6 : 1;
	struct ptm m;

	if (!r)
		abort();
	CHECK(pt_caps_parse(&cpu->id, &r->k) == 0);
	make_chunks(r, n, 2);
	j = n > 1 ? 3 : 0;
	r->ch[j].stop = 1;
	r->ch[j].intr = 1;
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, n, r->tabs, r->tphys, MAXTAB,
			    r->start) == 0);
	end = r->start[j] + chunk_size(&r->ch[j]);
	ptm_init(&m, &cpu->id, &mem.ops);
	CHECK(pt_topa_output(&r->t, 0, &out) == 0);
	CHECK(program(&m, &out, ctl) == 0);
	memset(buf, 0x11, sizeof(buf));
	CHECK(end < sizeof(buf));
	CHECK(ptm_emit(&m, buf, end - 1) == end - 1);
	CHECK(ptm_emit(&m, buf, 100) == 1);	/* cut mid-packet (33.2.7.2) */
	CHECK(ptm_emit(&m, buf, 100) == 0);
	CHECK(ptm_rdmsr(&m, PT_MSR_STATUS, &st) == 0);
	CHECK((st & PT_STATUS_STOPPED) && !(st & PT_STATUS_TRIGGEREN));
	CHECK(m.pmi == 1);			/* STOP, then INT */
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_BASE, &base) == 0);
	CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &mask) == 0);
	CHECK((mask >> 32) == chunk_size(&r->ch[j]));
	CHECK(pt_topa_offset(&r->t, base, mask, &off) == 0 &&
	      off == end % r->t.size);
	/* Re-enabling with Stopped still set: no output, no error. */
	CHECK(program(&m, &out, ctl) == 0 && m.op_errors == 0);
	CHECK(ptm_emit(&m, buf, 10) == 0);
	/*
	 * Clearing Stopped with the pointer left at the region's end is an
	 * operational error (33.2.7.2 "ToPA STOP"); from the mapped
	 * position it is not.
	 */
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_BASE, base) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_OUTPUT_MASK, mask) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl | PT_CTL_TRACEEN) == 0);
	CHECK(m.op_errors == 1);
	CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
	CHECK(ptm_wrmsr(&m, PT_MSR_STATUS, 0) == 0);
	CHECK(pt_topa_output(&r->t, off, &out) == 0);
	CHECK(program(&m, &out, ctl) == 0 && m.op_errors == 1);
	CHECK(ptm_emit(&m, buf, 10) == 10);
	CHECK(m.gp == 0);
	free(r);
}

static void test_build_errors(void)
{
	struct ring *r = calloc(1, sizeof(*r));
	struct pt_caps sro;
	uint64_t e;

	if (!r)
		abort();
	CHECK(pt_caps_parse(&KBL->id, &r->k) == 0);
	make_chunks(r, 4, 1);
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 0, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->ch[1].order = 16;
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->ch[1].order = 0;
	r->ch[2].phys |= 0x800;
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->ch[2].phys &= ~0xfffull;
	r->ch[2].order = 1;
	r->ch[2].phys |= 0x1000;	/* 8K region on a 4K boundary */
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->ch[2].order = 0;
	r->ch[3].phys = 1ull << 39;	/* Kaby Lake MAXPHYADDR 39 */
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->ch[3].phys = (1ull << 39) - 0x1000;
	r->ch[3].order = 0;
	r->tphys[0] += 0x80;
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == -PT_EINVAL);
	r->tphys[0] -= 0x80;
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 0,
			    r->start) == -PT_E2BIG);
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 4, r->tabs, r->tphys, 1,
			    r->start) == 0);
	CHECK(pt_topa_tables_needed(&r->k, 511) == 1);
	CHECK(pt_topa_tables_needed(&r->k, 512) == 2);
	/* The entry format of 33.2.7.2, bit by bit, at order 15. */
	r->ch[0] = (struct pt_chunk){ .phys = 0x7ff8000000ull, .order = 15,
				      .intr = 1, .stop = 1 };
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 1, r->tabs, r->tphys, 1,
			    r->start) == 0);
	e = r->tabs[0][0];
	CHECK((e & 1) == 0 && ((e >> 2) & 1) == 1 && ((e >> 4) & 1) == 1);
	CHECK(((e >> 6) & 0xf) == 15 && (e & ~0xfffull) == 0x7ff8000000ull);
	CHECK((e & 0xc2a) == 0);
	CHECK(r->tabs[0][1] == (r->tphys[0] | 1));
	CHECK(r->t.size == 128ull << 20);
	/* One output entry per table on Broadwell; no ToPA: EOPNOTSUPP. */
	CHECK(pt_caps_parse(&BDW->id, &r->k) == 0);
	make_chunks(r, 2, 0);
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 2, r->tabs, r->tphys, 4,
			    r->start) == -PT_EOPNOTSUPP);
	CHECK(pt_topa_tables_needed(&r->k, 1) == 1);
	CHECK(pt_caps_parse(&SRO->id, &sro) == 0);
	CHECK(pt_topa_build(&r->t, &sro, r->ch, 1, r->tabs, r->tphys, 4,
			    r->start) == -PT_EOPNOTSUPP);
	free(r);
}

static void test_set_int(void)
{
	struct pt_chunk ch[16];
	uint32_t i, nint = 0;

	for (i = 0; i < 16; i++)
		ch[i] = (struct pt_chunk){ .phys = 0, .order = 0, .stop = 1 };
	pt_topa_set_int(ch, 16, 0);
	for (i = 0; i < 16; i++)
		CHECK(!ch[i].intr && !ch[i].stop);
	pt_topa_set_int(ch, 16, 1);
	for (i = 0; i < 16; i++)
		CHECK(ch[i].intr == (i == 15));
	pt_topa_set_int(ch, 16, 4);
	for (i = 0; i < 16; i++)
		CHECK(ch[i].intr == (i % 4 == 3));
	/* uneven chunks: every quarter boundary lies in an INT chunk */
	ch[0].order = 3;	/* 32K + 15 x 4K = 92K */
	pt_topa_set_int(ch, 16, 4);
	for (i = 0; i < 16; i++)
		nint += ch[i].intr;
	CHECK(ch[0].intr && ch[15].intr && nint >= 2 && nint <= 4);
}

/*
 * Chunks over page lists: contiguous and aligned runs become one chunk
 * of the largest power of two, never across a part boundary, scattered
 * pages one each; every page is covered once, in order.
 */
static void chunks_cover(const uint64_t *phys, uint32_t npages,
			 const struct pt_chunk *ch, uint32_t n)
{
	uint32_t i, k, page = 0;

	for (i = 0; i < n; i++) {
		CHECK(!(ch[i].phys & ((4096ull << ch[i].order) - 1)));
		for (k = 0; k < (1u << ch[i].order); k++, page++) {
			CHECK(page < npages);
			if (page < npages)
				CHECK(phys[page] == ch[i].phys + 4096ull * k);
		}
	}
	CHECK(page == npages);
}

static void test_chunks(void)
{
	static uint64_t phys[1024];
	struct pt_chunk ch[1024];
	uint32_t i, n;

	/* 4 MiB contiguous, aligned: one 4 MiB chunk, or quarters. */
	for (i = 0; i < 1024; i++)
		phys[i] = 0x40000000ull + 4096ull * i;
	n = pt_topa_chunks(phys, 1024, PT_TOPA_CHUNK_MAX_ORDER, 0, ch);
	CHECK(n == 1 && ch[0].order == 10);
	chunks_cover(phys, 1024, ch, n);
	n = pt_topa_chunks(phys, 1024, PT_TOPA_CHUNK_MAX_ORDER, 256, ch);
	CHECK(n == 4);
	for (i = 0; i < n; i++)
		CHECK(ch[i].order == 8);
	chunks_cover(phys, 1024, ch, n);
	/* max_order caps it */
	n = pt_topa_chunks(phys, 1024, 2, 0, ch);
	CHECK(n == 256 && ch[255].order == 2);
	chunks_cover(phys, 1024, ch, n);
	/* Contiguous but starting at 4 KiB past a 64 KiB boundary. */
	for (i = 0; i < 32; i++)
		phys[i] = 0x40001000ull + 4096ull * i;
	n = pt_topa_chunks(phys, 32, PT_TOPA_CHUNK_MAX_ORDER, 0, ch);
	/* 1 + 2 + 4 + 8 + 16 - 15 ... : first page alone (not 8K aligned) */
	CHECK(ch[0].order == 0 && ch[1].order == 1 && ch[2].order == 2 &&
	      ch[3].order == 3 && ch[4].order == 4);
	chunks_cover(phys, 32, ch, n);
	/* Scattered (vmalloc): one page each, as before. */
	for (i = 0; i < 64; i++)
		phys[i] = 0x80000000ull + 4096ull * ((i * 37) % 64) * 3;
	n = pt_topa_chunks(phys, 64, PT_TOPA_CHUNK_MAX_ORDER, 16, ch);
	CHECK(n == 64);
	chunks_cover(phys, 64, ch, n);
	/* Two contiguous halves in swapped order. */
	for (i = 0; i < 16; i++)
		phys[i] = 0x100000ull * 3 + 0x10000ull * 16 + 4096ull * i;
	for (i = 16; i < 32; i++)
		phys[i] = 0x100000ull * 3 + 4096ull * (i - 16);
	n = pt_topa_chunks(phys, 32, PT_TOPA_CHUNK_MAX_ORDER, 0, ch);
	CHECK(n == 2 && ch[0].order == 4 && ch[1].order == 4);
	chunks_cover(phys, 32, ch, n);
	/* Misaligned page, none */
	phys[0] = 0x1234;
	CHECK(pt_topa_chunks(phys, 32, 4, 0, ch) == 0);
	CHECK(pt_topa_chunks(phys, 0, 4, 0, ch) == 0);
}

static void test_pos(void)
{
	uint64_t size, prev, d;
	int i;

	for (i = 0; i < 100000; i++) {
		size = 4096ull << (rnd() % 16);
		prev = rnd() % (size * 1000);
		d = rnd() % size;
		CHECK(pt_pos_advance(size, prev, (prev + d) % size) ==
		      prev + d);
	}
}

/* INT region ends exactly at the edges of (prev, pos]. */
static void test_int_count(void)
{
	struct ring *r = calloc(1, sizeof(*r));
	const struct pt_topa *t = &r->t;

	if (!r)
		abort();
	CHECK(pt_caps_parse(&KBL->id, &r->k) == 0);
	make_chunks(r, 16, 0);			/* 16 x 4K, INT on 3, 7, 11, 15 */
	pt_topa_set_int(r->ch, 16, 4);
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 16, r->tabs, r->tphys,
			    MAXTAB, r->start) == 0);
	CHECK(pt_topa_int_count(t, 0, 0x4000 - 1) == 0);
	CHECK(pt_topa_int_count(t, 0, 0x4000) == 1);
	CHECK(pt_topa_int_count(t, 0x4000 - 1, 0x4000) == 1);
	CHECK(pt_topa_int_count(t, 0x4000, 0x4001) == 0);
	CHECK(pt_topa_int_count(t, 0x4000, 0x8000) == 1);
	CHECK(pt_topa_int_count(t, 0xffff, 0x10000 + 0x4000) == 2);
	CHECK(pt_topa_int_count(t, 0, 3 * 0x10000) == 12);
	CHECK(pt_topa_int_count(t, 0x8000, 0x8000) == 0);
	pt_topa_set_int(r->ch, 16, 0);		/* ring mode */
	CHECK(pt_topa_build(&r->t, &r->k, r->ch, 16, r->tabs, r->tphys,
			    MAXTAB, r->start) == 0);
	CHECK(pt_topa_int_count(t, 0, 5 * 0x10000) == 0);
	free(r);
}

/* Single-range output: wraps within its mask, pointer maps both ways. */
static void test_single(const struct pt_cpu *cpu)
{
	static uint8_t piece[5000];
	uint64_t size = 0x4000, phys = PT_MEM_BASE + 0x40000, total = 0;
	uint64_t head = 0, mask, off, i, len;
	struct pt_caps k;
	struct pt_output out;
	struct ptm m;
	uint64_t ctl = PT_CTL_USER | PT_CTL_BRANCHEN;

	CHECK(pt_caps_parse(&cpu->id, &k) == 0);
	ptm_init(&m, &cpu->id, &mem.ops);
	CHECK(pt_single_output(&k, phys, size, 0, &out) == 0);
	CHECK(out.topa == 0 && out.mask_ptrs == 0x3fff);
	CHECK(program(&m, &out, ctl) == 0);
	while (total < 5 * size) {
		len = 1 + rnd() % sizeof(piece);
		for (i = 0; i < len; i++)
			piece[i] = stream_byte(total + i);
		CHECK(ptm_emit(&m, piece, len) == len);
		total += len;
		CHECK(ptm_wrmsr(&m, PT_MSR_CTL, ctl) == 0);
		CHECK(ptm_rdmsr(&m, PT_MSR_OUTPUT_MASK, &mask) == 0);
		CHECK(pt_single_offset(mask, &off) == 0 &&
		      off == total % size);
		head = pt_pos_advance(size, head, off);
		CHECK(head == total);
		CHECK(pt_single_output(&k, phys, size, off, &out) == 0);
		CHECK(out.mask_ptrs == mask);
		CHECK(program(&m, &out, ctl) == 0);
	}
	for (i = total - size; i < total; i++)
		CHECK(((uint8_t *)pt_mem_at(&mem, phys))[i % size] ==
		      stream_byte(i));
	CHECK(m.gp == 0 && m.op_errors == 0);
	/* errors */
	CHECK(pt_single_output(&k, phys, 0x3000, 0, &out) == -PT_EINVAL);
	CHECK(pt_single_output(&k, phys, 64, 0, &out) == -PT_EINVAL);
	CHECK(pt_single_output(&k, phys, 1ull << 33, 0, &out) == -PT_EINVAL);
	CHECK(pt_single_output(&k, phys + 0x2000, size, 0, &out) ==
	      -PT_EINVAL);
	CHECK(pt_single_output(&k, phys, size, size, &out) == -PT_EINVAL);
	CHECK(pt_single_output(&k, 1ull << 39, size, 0, &out) == -PT_EINVAL);
	CHECK(pt_single_offset(0x3fff | (0x4000ull << 32), &off) ==
	      -PT_EINVAL);
	CHECK(pt_caps_parse(&BDW->id, &k) == 0);
	CHECK(pt_single_output(&k, phys, size, 0, &out) == -PT_EOPNOTSUPP);
}

int main(void)
{
	pt_mem_init(&mem, 64 << 20);
	RUN(walk(KBL, 16, 2, 4, 5), "topa/walk-16-chunks-int");
	RUN(walk(KBL, 40, 0, 0, 4), "topa/walk-ring-no-int");
	RUN(walk(ICX, 1100, 0, 3, 3), "topa/walk-3-tables");
	RUN(walk(KBL, 511, 0, 1, 2), "topa/walk-511-one-table");
	RUN(walk(KBL, 512, 0, 2, 2), "topa/walk-512-two-tables");
	RUN(walk(KBL, 3, 4, 2, 6), "topa/walk-64k-chunks");
	RUN(walk(BDW, 1, 2, 1, 8), "topa/walk-single-entry-broadwell");
	RUN(test_roundtrip(KBL, 30), "topa/pointer-offset-roundtrip");
	RUN(test_roundtrip(ICX, 1030), "topa/pointer-offset-3-tables");
	RUN(test_roundtrip(BDW, 1), "topa/pointer-offset-broadwell");
	RUN(test_stop(KBL), "topa/stop");
	RUN(test_stop(BDW), "topa/stop-broadwell");
	RUN(test_build_errors(), "topa/build-errors");
	RUN(test_set_int(), "topa/set-int");
	RUN(test_chunks(), "topa/chunks-contiguous-runs");
	RUN(test_pos(), "topa/position-advance");
	RUN(test_int_count(), "topa/int-count-edges");
	RUN(test_single(KBL), "topa/single-range");
	RUN(test_single(SRO), "topa/single-range-no-topa");
	pt_mem_free(&mem);
	return unit_failed != 0;
}
