/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwt_cs_of: the CoreSight topology of the booted device tree, read
 * through of_* into cs_topo (cs_topo.h holds the binding and the path
 * search; this is the thin kernel half).
 */
#ifndef HWT_CS_OF_H
#define HWT_CS_OF_H

#include <linux/types.h>

/*
 * One phrase for the load-time line: what the device tree offers
 * ("no device tree; " and what ACPI offers (hwt_cs_acpi_describe),
 * "no CoreSight ETMv4 in the device tree", or "the
 * device tree has 6 ETMv4 (CPU 0: etm@22040000 -> etf@20010000, 3
 * sinks)"), written to buf (always terminated).
 * Returns 0 if it parsed (or there is no tree);
 * Returns -ENOMEM if the topology could not be allocated;
 * Returns -EINVAL or -E2BIG (with the phrase saying so) if cs_topo
 *   refused the tree.
 */
int hwt_cs_of_describe(char *buf, size_t len);

struct cs_dt_ops;

/*
 * The booted tree as cs_topo reads it: *ops over of_*, *ctx unused,
 * *root the root node (of the base tree, never freed).
 * Returns 0, or -ENOENT if there is no device tree.
 */
int hwt_cs_of_tree(const struct cs_dt_ops **ops, void **ctx,
		   uintptr_t *root);

#endif /* HWT_CS_OF_H */
