/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwt_cs_acpi: the CoreSight components of the ACPI namespace (ARMHC500
 * ETMv4s under their processors, ARMHC97C TMCs, ARMHC9FF funnels, ...)
 * as the device tree cs_topo reads (cs_acpi.h has the rules; this is
 * the thin kernel half: the namespace walk, _CRS, _DSD, the CPUs).
 */
#ifndef HWT_CS_ACPI_OPS_H
#define HWT_CS_ACPI_OPS_H

#include <linux/types.h>

struct cs_dt_ops;
struct device;

/*
 * The namespace's CoreSight components as a tree: *ops, *ctx and *root
 * to read it with, built on the first call and kept until
 * hwt_cs_acpi_free().  Process context.
 * Returns 0;
 * Returns -ENOENT if the kernel did not boot with ACPI or the namespace
 *   has no CoreSight component (nothing said);
 * Returns -ENODEV after one line naming the device if a component's
 *   _DSD graph, _CRS or processor is malformed or missing;
 * Returns -E2BIG after one line if there are more than the tables hold;
 * Returns -ENOMEM if memory could not be had.
 */
int hwt_cs_acpi_tree(const struct cs_dt_ops **ops, void **ctx,
		     uintptr_t *root);

/*
 * The device Linux made of the ACPI device a node of that tree stands
 * for (its first physical node: the AMBA device Linux's ACPI glue adds
 * for ARMHC500/97C/9FF/98D, or a platform device), with a reference.
 * Returns it, or NULL if there is none or node is no component's.
 */
struct device *hwt_cs_acpi_phys(uintptr_t node);

/*
 * One phrase for a refusal: what the last hwt_cs_acpi_tree() found
 * ("ACPI is off", "no CoreSight component in ACPI", "ACPI has 3
 * CoreSight components, 0 ETMv4 (ARMHC500)"), into buf (always
 * terminated).
 */
void hwt_cs_acpi_describe(char *buf, size_t len);

/* Drop the tree (if any). */
void hwt_cs_acpi_free(void);

/*
 * The TRBE interrupt ACPI gives: the MADT's GICC TRBE Interrupt, the
 * same PPI on every CPU (cs_madt), registered as a Linux interrupt,
 * level-sensitive and active high as Linux 6.5's
 * arm_trbe_acpi_register_device() does.  Process context.
 * Returns the Linux irq number (release it with hwt_cs_acpi_trbe_put);
 * Returns 0 if ACPI is off or its MADT gives no TRBE interrupt, or
 *   after one line if the MADT's GICCs are malformed or disagree, or
 *   the GSIV cannot be registered.
 */
int hwt_cs_acpi_trbe_irq(void);

/* Unregisters what hwt_cs_acpi_trbe_irq() registered, if anything. */
void hwt_cs_acpi_trbe_put(void);

#endif /* HWT_CS_ACPI_OPS_H */
