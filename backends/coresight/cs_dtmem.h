/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_dtmem: a device tree held in memory, built node by node and read
 * through struct cs_dt_ops (cs_topo.h) like the booted one, so that
 * cs_topo interprets every source of a CoreSight graph once: the
 * emulated unit's Juno-shaped trees (cs_emu_topo) and the graph ACPI
 * describes (cs_acpi) are written as one of these.
 *
 * Handles are a node's index + 1 (0 is "none"); a node's children come
 * after it; its properties are contiguous (each is added to the node
 * added last).  A node's name is copied into the data pool; a
 * property's name is not (a string literal).  The builder fails once
 * and stays failed: check err when done.
 *
 * Pure C with no kernel includes.
 */
#ifndef HWT_CS_DTMEM_H
#define HWT_CS_DTMEM_H

#include "cs_pure.h"
#include "cs_topo.h"

struct cs_dtmem_node {
	const char *name;		/* in data[] */
	uint16_t parent;		/* index; the root is its own */
	uint16_t prop, nprop;		/* its properties, contiguous */
};

struct cs_dtmem_prop {
	const char *name;
	uint16_t off, len;		/* value in data[] */
};

struct cs_dtmem {
	struct cs_dtmem_node *node;
	struct cs_dtmem_prop *prop;
	uint8_t *data;
	unsigned int max_node, max_prop, max_data;	/* data: < 64 KiB */
	unsigned int nnode, nprop, ndata;
	int err;			/* 0, or the first failure */
};

/* An empty tree over the caller's tables. */
void cs_dtmem_init(struct cs_dtmem *m, struct cs_dtmem_node *node,
		   unsigned int max_node, struct cs_dtmem_prop *prop,
		   unsigned int max_prop, uint8_t *data, unsigned int max_data);

/*
 * A node named name under parent (an index; the first node, the root,
 * is its own parent: pass 0).
 * Returns its index; parent's after setting err to -CS_E2BIG if a table
 * is full.
 */
unsigned int cs_dtmem_node(struct cs_dtmem *m, unsigned int parent,
			   const char *name);

/* A property of the node added last: len bytes of val (err -CS_E2BIG if
 * a table is full or there is no node yet). */
void cs_dtmem_prop(struct cs_dtmem *m, const char *name, const void *val,
		   unsigned int len);

/* n (at most 4) big-endian cells (DT spec 2.2.4); err -CS_EINVAL if
 * n > 4. */
void cs_dtmem_cells(struct cs_dtmem *m, const char *name, const uint32_t *v,
		    unsigned int n);

/* One cell. */
void cs_dtmem_u32(struct cs_dtmem *m, const char *name, uint32_t v);

/* A string with its NUL; for a string list, cs_dtmem_prop with the
 * list's size. */
void cs_dtmem_str(struct cs_dtmem *m, const char *name, const char *s);

/* The root's handle, 0 if the tree is empty. */
uintptr_t cs_dtmem_root(const struct cs_dtmem *m);

/* Reads a struct cs_dtmem (the context). */
extern const struct cs_dt_ops cs_dtmem_ops;

#endif /* HWT_CS_DTMEM_H */
