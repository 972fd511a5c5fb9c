/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_madt: the TRBE interrupt an ACPI machine gives, read from the MADT
 * as firmware wrote it (pure: the table's bytes in, a GSIV out).
 *
 * ACPI 6.5 5.2.12.14 "GIC CPU Interface (GICC) Structure" (type 0xB):
 * Flags (4 bytes at offset 12: bit 0 Enabled, bit 3 Online Capable),
 * SPE Overflow Interrupt (2 at 78, ACPI 6.3) and TRBE Interrupt (2 at
 * 80, ACPI 6.5: the structure is 82 bytes long; older ones are 80 and
 * have no TRBE field).  The MADT itself (5.2.12): the 36-byte table
 * header, Local Interrupt Controller Address (4), Flags (4), then the
 * interrupt controller structures, each with its type and length in
 * its first two bytes.  Linux 6.5's arm_trbe_acpi_register_device()
 * reads the same field and, like this, wants one GSIV on every CPU;
 * Debian 6.1's struct acpi_madt_generic_interrupt ends at the SPE field,
 * hence the bytes.
 */
#ifndef HWT_CS_MADT_H
#define HWT_CS_MADT_H

#include "cs_pure.h"

#define CS_MADT_HDR		44	/* table header + address + flags */
#define CS_MADT_GICC		0x0b
#define CS_MADT_GICC_FLAGS	12
#define CS_MADT_GICC_ENABLED	(1u << 0)
#define CS_MADT_GICC_ONLINE_CAP	(1u << 3)
#define CS_MADT_GICC_TRBE	80	/* u16 TRBE Interrupt */
#define CS_MADT_GICC_LEN_TRBE	82	/* ACPI 6.5's GICC length */

/*
 * cs_madt_trbe_gsiv() - the TRBE interrupt of the CPUs a MADT describes.
 * @madt: the table, header included; @len: the bytes readable there
 *
 * GICC structures of CPUs neither enabled nor online-capable are
 * skipped, as are the other structure types.
 * Returns the GSIV (a PPI, 16-31, or an extended PPI, 1056-1119) if
 *   every usable CPU's GICC gives that one;
 * Returns 0 if none has a TRBE field or every one says 0 (no TRBE
 *   interrupt), or the table has no usable CPU;
 * Returns -CS_EINVAL if the table is malformed (shorter than
 *   CS_MADT_HDR or than its header's length says, a structure shorter
 *   than 2 bytes or running past the end, a GICC shorter than 80), if
 *   two usable CPUs disagree (a GSIV against another or against none),
 *   or the GSIV is no PPI.
 */
int cs_madt_trbe_gsiv(const uint8_t *madt, size_t len);

#endif /* HWT_CS_MADT_H */
