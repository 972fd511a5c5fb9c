// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_madt_trbe_gsiv() over MADTs built here byte by byte from ACPI 6.5
 * 5.2.12 (the table) and 5.2.12.14 (GICC: Flags at 12, SPE Overflow
 * Interrupt at 78, TRBE Interrupt at 80, 82 bytes; 80 before ACPI 6.5):
 * QEMU virt's shape (ACPI 6.3 GICCs: no TRBE field), a server's (every
 * CPU the same PPI), CPUs that are off or only online-capable, the
 * disagreements Linux 6.5's arm_trbe_acpi_register_device() also
 * refuses, a GSIV that is no PPI, and every malformed length.
 */
#include <stdlib.h>

#include "cs_unit.h"
#include "../cs_madt.h"

static uint8_t t[1024];
static size_t tlen;

static void put(size_t off, uint32_t v, unsigned int n)
{
	while (n--) {
		t[off++] = (uint8_t)v;
		v >>= 8;
	}
}

/* A MADT header: "APIC", the length fixed by done(). */
static void start(void)
{
	memset(t, 0, sizeof(t));
	memcpy(t, "APIC", 4);
	t[8] = 5;			/* revision (ACPI 6.5: 7; not read) */
	put(36, 0, 4);			/* Local Interrupt Controller Address */
	tlen = CS_MADT_HDR;
}

/* One GICC of length len (80 or 82), flags, TRBE Interrupt trbe. */
static void gicc(unsigned int len, uint32_t flags, uint32_t trbe)
{
	t[tlen] = CS_MADT_GICC;
	t[tlen + 1] = (uint8_t)len;
	put(tlen + 8, (uint32_t)(tlen / 82), 4);	/* ACPI Processor UID */
	put(tlen + CS_MADT_GICC_FLAGS, flags, 4);
	put(tlen + 20, 23, 4);		/* Performance Interrupt GSIV */
	put(tlen + 78, 21, 2);		/* SPE Overflow Interrupt */
	if (len >= CS_MADT_GICC_LEN_TRBE)
		put(tlen + CS_MADT_GICC_TRBE, trbe, 2);
	tlen += len;
}

/* Another structure: a GICD (type 0xC, 24 bytes) or any type. */
static void other(uint8_t type, unsigned int len)
{
	t[tlen] = type;
	t[tlen + 1] = (uint8_t)len;
	tlen += len;
}

/* The table in a buffer of exactly len bytes (ASan: not a byte more is
 * read).  Returns cs_madt_trbe_gsiv()'s answer. */
static int parse(size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	int ret;

	if (!b)
		return -1000;
	memcpy(b, t, len);
	ret = cs_madt_trbe_gsiv(b, len);
	free(b);
	return ret;
}

static int done(void)
{
	put(4, (uint32_t)tlen, 4);
	return parse(tlen);
}

static void test_shapes(void)
{
	int c;

	/* QEMU virt 7.2: ACPI 6.3 GICCs (80 bytes), a GICD: none. */
	start();
	gicc(80, 1, 0);
	gicc(80, 1, 0);
	other(0xc, 24);
	CHECK(done() == 0);
	/* A server: every CPU's TRBE on PPI 22 (Linux's arm,trbe PPI on
	 * Neoverse boards), a GICD and a GIC ITS between. */
	start();
	other(0xc, 24);
	for (c = 0; c < 4; c++)
		gicc(82, 1, 22);
	other(0xf, 20);
	CHECK(done() == 22);
	/* A CPU that is off (no Enabled, no Online Capable) is not asked;
	 * one that is only online-capable is. */
	start();
	gicc(82, 1, 22);
	gicc(82, 0, 0);
	gicc(82, CS_MADT_GICC_ONLINE_CAP, 22);
	CHECK(done() == 22);
	start();
	gicc(82, 1, 22);
	gicc(82, CS_MADT_GICC_ONLINE_CAP, 23);
	CHECK(done() == -CS_EINVAL);
	/* ACPI 6.5 GICCs that say 0: no TRBE interrupt. */
	start();
	gicc(82, 1, 0);
	gicc(82, 1, 0);
	CHECK(done() == 0);
	/* An extended PPI (GICv3.1, 1056-1119). */
	start();
	gicc(82, 1, 1060);
	CHECK(done() == 1060);
	/* No CPU at all. */
	start();
	other(0xc, 24);
	CHECK(done() == 0);
}

static void test_refusals(void)
{
	/* Two CPUs, two PPIs; or one with and one without (a field
	 * missing or 0 beside a GSIV): Linux refuses both. */
	start();
	gicc(82, 1, 22);
	gicc(82, 1, 23);
	CHECK(done() == -CS_EINVAL);
	start();
	gicc(82, 1, 22);
	gicc(80, 1, 0);
	CHECK(done() == -CS_EINVAL);
	start();
	gicc(82, 1, 0);
	gicc(82, 1, 22);
	CHECK(done() == -CS_EINVAL);
	/* Not a PPI: an SGI, an SPI, past the extended PPIs. */
	start();
	gicc(82, 1, 7);
	CHECK(done() == -CS_EINVAL);
	start();
	gicc(82, 1, 40);
	CHECK(done() == -CS_EINVAL);
	start();
	gicc(82, 1, 1120);
	CHECK(done() == -CS_EINVAL);
	/* A GICC too short for the fields before TRBE. */
	start();
	gicc(82, 1, 22);
	other(CS_MADT_GICC, 76);
	CHECK(done() == -CS_EINVAL);
	/* Structure lengths: 0 (would never end), 1, past the table. */
	start();
	gicc(82, 1, 22);
	other(0xc, 0);
	tlen += 24;
	CHECK(done() == -CS_EINVAL);
	start();
	other(0xc, 1);
	tlen += 23;
	CHECK(done() == -CS_EINVAL);
	/* Length 1, its length byte read as the type of a 2-byte
	 * structure that ends the table: still refused. */
	start();
	t[tlen] = 0xc;
	t[tlen + 1] = 1;
	t[tlen + 2] = 2;
	tlen += 3;
	CHECK(done() == -CS_EINVAL);
	start();
	gicc(82, 1, 22);
	put(4, (uint32_t)tlen, 4);
	t[CS_MADT_HDR + 1] = 83;	/* one byte past the end */
	CHECK(parse(tlen) == -CS_EINVAL);
	/* A lone byte after the last structure. */
	start();
	gicc(82, 1, 22);
	tlen++;
	CHECK(done() == -CS_EINVAL);
	/* The table: shorter than its header says, than a header. */
	start();
	gicc(82, 1, 22);
	put(4, (uint32_t)tlen, 4);
	CHECK(parse(tlen - 1) == -CS_EINVAL);
	CHECK(parse(CS_MADT_HDR - 1) == -CS_EINVAL);
	put(4, CS_MADT_HDR - 1, 4);
	CHECK(parse(tlen) == -CS_EINVAL);
	/* A table whose length stops before a structure ends. */
	put(4, (uint32_t)(tlen - 2), 4);
	CHECK(parse(tlen) == -CS_EINVAL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN(test_shapes(), "madt_trbe_shapes");
	RUN(test_refusals(), "madt_trbe_refusals");
	return unit_failed ? 1 : 0;
}
