// SPDX-License-Identifier: GPL-2.0
/*
 * hwt_cs_of: cs_dt_ops over the kernel's unflattened device tree, and
 * what cs_topo makes of it (hwt_cs_of.h).
 *
 * A node handle is a struct device_node pointer held without a
 * reference: the walk runs once at module load over the base tree,
 * whose nodes are never freed (only overlay nodes are, and CoreSight
 * is not added by overlays here).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/of.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/cputype.h>
#include <asm/smp_plat.h>

#include "cs_topo.h"
#include "hwt_cs_acpi.h"
#include "hwt_cs_of.h"

static struct device_node *dn(uintptr_t n)
{
	return (struct device_node *)n;
}

/*
 * of_get_next_child() drops prev's reference and takes the child's:
 * take prev's first and drop the child's after, so no count moves.
 * Returns the child after prev (prev 0: the first), 0 if none.
 */
static uintptr_t of_child(void *ctx, uintptr_t parent, uintptr_t prev)
{
	struct device_node *c;

	c = of_get_next_child(dn(parent), of_node_get(dn(prev)));
	of_node_put(c);
	return (uintptr_t)c;
}

/* Returns the node's name with its unit address ("port@1"). */
static const char *of_name(void *ctx, uintptr_t n)
{
	return kbasename(dn(n)->full_name);
}

/* Returns the property's value (length in *len), or NULL. */
static const void *of_prop(void *ctx, uintptr_t n, const char *name,
			   int *len)
{
	return of_get_property(dn(n), name, len);
}

static const struct cs_dt_ops hwt_cs_of_ops = {
	.child = of_child,
	.name = of_name,
	.prop = of_prop,
};

int hwt_cs_of_tree(const struct cs_dt_ops **ops, void **ctx,
		   uintptr_t *root)
{
	struct device_node *r = of_find_node_by_path("/");

	if (!r)
		return -ENOENT;
	/* The base tree's root is never freed (see the top). */
	of_node_put(r);
	*ops = &hwt_cs_of_ops;
	*ctx = NULL;
	*root = (uintptr_t)r;
	return 0;
}

int hwt_cs_of_describe(char *buf, size_t len)
{
	struct device_node *root = of_find_node_by_path("/");
	unsigned int i, netm = 0;
	struct cs_topo *t;
	uint16_t sinks[8];
	int ret, e, n;

	if (!root) {
		char acpi[96];

		hwt_cs_acpi_describe(acpi, sizeof(acpi));
		snprintf(buf, len, "no device tree; %s", acpi);
		return 0;
	}
	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		of_node_put(root);
		strscpy(buf, "no memory for the device tree's topology", len);
		return -ENOMEM;
	}
	ret = cs_topo_parse(t, &hwt_cs_of_ops, NULL, (uintptr_t)root);
	of_node_put(root);
	if (ret) {
		snprintf(buf, len,
			 "the device tree's CoreSight graph is malformed or too large (%d)",
			 cs_errno(ret));
		kvfree(t);
		return cs_errno(ret);
	}
	for (i = 0; i < t->ncomp; i++)
		netm += t->comp[i].kind == CS_COMP_ETM4;
	if (!netm) {
		strscpy(buf, "no CoreSight ETMv4 in the device tree", len);
		kvfree(t);
		return 0;
	}
	/* MPIDR affinity, as /cpus reg holds it (Arm ARM D19 MPIDR_EL1). */
	e = cs_topo_etm_of(t, read_cpuid_mpidr() & MPIDR_HWID_BITMASK);
	n = e < 0 ? 0 : cs_topo_sinks(t, e, sinks, ARRAY_SIZE(sinks));
	if (e < 0)
		snprintf(buf, len,
			 "the device tree has %u ETMv4, none for CPU %d",
			 netm, raw_smp_processor_id());
	else if (n <= 0)
		snprintf(buf, len,
			 "the device tree has %u ETMv4 (CPU %d: %s reaches no sink)",
			 netm, raw_smp_processor_id(), t->comp[e].name);
	else
		snprintf(buf, len,
			 "the device tree has %u ETMv4 (CPU %d: %s -> %s, %d sinks)",
			 netm, raw_smp_processor_id(), t->comp[e].name,
			 t->comp[sinks[0]].name, n);
	kvfree(t);
	return 0;
}
