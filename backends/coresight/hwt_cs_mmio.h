/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwt_cs_mmio: the native ops table of a board whose ETMv4s, funnels,
 * replicators and TMC are memory-mapped, found in the booted device
 * tree (hwt_cs_of) or, failing that, in ACPI (hwt_cs_acpi), read by
 * cs_topo and cs_mmio, and ioremapped.
 */
#ifndef HWT_CS_MMIO_OPS_H
#define HWT_CS_MMIO_OPS_H

struct cs_hw_ops;

/*
 * Find, check and map every component the CPUs' trace needs (each
 * online CPU's ETMv4 by its MPIDR, the programmable links on its path,
 * the TMC they all reach), and say in one line per CPU where its ETMv4
 * is and what its ID registers offer.  Process context, at load.
 * Returns 0 with *ops the table (hwt_cs_mmio_close() undoes it);
 * Returns -ENOENT if neither the tree nor ACPI has an ETMv4 (nothing
 *   said: the caller's refusal describes them);
 * Returns -E2BIG after one line if ACPI describes more than the tables
 *   hold;
 * Returns -ENODEV after one line if the ETMv4s cannot be used (ACPI's
 *   CoreSight description malformed, a CPU without one, no common TMC, a malformed reg, ID registers
 *   that are no ETMv4);
 * Returns -EBUSY after one line if Linux's own driver is bound to a
 *   component or another driver holds its registers;
 * Returns -ENOMEM if memory or a mapping could not be had.
 */
int hwt_cs_mmio_open(const struct cs_hw_ops **ops);

/* Unmap and release everything hwt_cs_mmio_open() took (if anything). */
void hwt_cs_mmio_close(void);

#endif /* HWT_CS_MMIO_OPS_H */
