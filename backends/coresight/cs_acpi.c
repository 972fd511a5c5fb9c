// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_acpi: CoreSight components and their graph from ACPI objects, as
 * the device tree cs_topo reads (cs_acpi.h has the rules).
 */
#include "cs_acpi.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ToUUID()'s byte order: the first three fields little-endian. */
static const uint8_t uuid_acpi_graph[16] = {	/* ab02a46b-74c7-45a2-... */
	0x6b, 0xa4, 0x02, 0xab, 0xc7, 0x74, 0xa2, 0x45,
	0xbd, 0x68, 0xf7, 0xd3, 0x44, 0xef, 0x21, 0x53,
};
static const uint8_t uuid_cs_graph[16] = {	/* 3ecbc8b6-1d0e-4fb3-... */
	0xb6, 0xc8, 0xcb, 0x3e, 0x0e, 0x1d, 0xb3, 0x4f,
	0x81, 0x07, 0xe6, 0x27, 0xf8, 0x05, 0xc6, 0xcd,
};
static const uint8_t uuid_dev_props[16] = {	/* daffd814-6eba-4d8c-... */
	0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
	0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01,
};

static const struct {
	const char *hid;
	const char *compatible;	/* the binding's (cs_topo.h) */
	int programmable;	/* has registers, so a memory window */
} hid_table[] = {
	{ "ARMHC500", "arm,coresight-etm4x", 1 },
	{ "ARMHC97C", "arm,coresight-tmc", 1 },
	{ "ARMHC501", "arm,coresight-tmc", 1 },
	{ "ARMHC9FF", "arm,coresight-dynamic-funnel", 1 },
	{ "ARMHC9FE", "arm,coresight-static-funnel", 0 },
	{ "ARMHC98D", "arm,coresight-dynamic-replicator", 1 },
	{ "ARMHC985", "arm,coresight-static-replicator", 0 },
	{ "ARMHC979", "arm,coresight-tpiu", 1 },
};

/* Returns hid's index in hid_table, or -1. */
static int hid_index(const char *hid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hid_table); i++)
		if (!strncmp(hid, hid_table[i].hid, CS_ACPI_HID))
			return (int)i;
	return -1;
}

const char *cs_acpi_hid_at(unsigned int i)
{
	return i < ARRAY_SIZE(hid_table) ? hid_table[i].hid : NULL;
}

/* Returns 1 if o is a 16-byte buffer holding uuid, 0 if not. */
static int is_uuid(const struct cs_acpi_obj *o, const uint8_t *uuid)
{
	return o->type == CS_ACPI_BUFFER && o->len == 16 &&
	       !memcmp(o->bytes, uuid, 16);
}

/* Returns 1 if o is a string equal to s, 0 if not. */
static int is_string(const struct cs_acpi_obj *o, const char *s)
{
	size_t l = strlen(s), n = o->len;

	/* ACPICA's length leaves the NUL out; tolerate one. */
	if (n && o->bytes[n - 1] == 0)
		n--;
	return o->type == CS_ACPI_STRING && n == l && !memcmp(o->bytes, s, l);
}

/*
 * One link package of device di (DEN0067 "Link descriptor"):
 * { local port, remote port, remote device, direction }, appended to
 * tr->link[].
 * Returns 0, -CS_EINVAL if malformed, -CS_E2BIG if the table is full.
 */
static int parse_link(struct cs_acpi_tree *tr, const struct cs_acpi_dev *dev,
		      unsigned int ndev, unsigned int di,
		      const struct cs_acpi_obj *l)
{
	const struct cs_acpi_obj *f = l->elem;
	struct cs_acpi_link *k;
	unsigned int r, i;

	if (l->type != CS_ACPI_PACKAGE || l->len != 4 ||
	    f[0].type != CS_ACPI_INTEGER || f[1].type != CS_ACPI_INTEGER ||
	    f[2].type != CS_ACPI_REFERENCE || f[3].type != CS_ACPI_INTEGER)
		return -CS_EINVAL;
	/* Ports number the funnel's EnS bits and the replicator's
	 * IDFILTERn: at most 256 of them, as in the device tree. */
	if (f[0].integer > 255 || f[1].integer > 255 || f[3].integer > 1)
		return -CS_EINVAL;
	for (r = 0; r < ndev; r++)
		if (dev[r].handle == f[2].ref)
			break;
	if (r == ndev || r == di)
		return -CS_EINVAL;
	for (i = 0; i < tr->nlink; i++) {
		const struct cs_acpi_link *o = &tr->link[i];

		if (o->dev == di && o->out == f[3].integer &&
		    o->port == f[0].integer)
			return -CS_EINVAL;
	}
	if (tr->nlink == CS_ACPI_MAX_LINK)
		return -CS_E2BIG;
	k = &tr->link[tr->nlink++];
	k->dev = (uint16_t)di;
	k->remote = (uint16_t)r;
	k->out = (uint8_t)f[3].integer;
	k->port = (uint8_t)f[0].integer;
	k->remote_port = (uint8_t)f[1].integer;
	k->peer = -1;
	return 0;
}

/*
 * The ACPI graph package (DEN0067 "ACPI graph"; Linux
 * acpi_validate_dsd_graph): { Revision 0, NumberOfGraphs N, Graph[N] },
 * each graph { GraphID, UUID, NumberOfLinks M, Link[M] }; the
 * CoreSight graph's links are device di's.
 * Returns 0, -CS_EINVAL if malformed or two graphs are CoreSight's,
 * -CS_E2BIG if the link table is full.
 */
static int parse_graph(struct cs_acpi_tree *tr, const struct cs_acpi_dev *dev,
		       unsigned int ndev, unsigned int di,
		       const struct cs_acpi_obj *g)
{
	const struct cs_acpi_obj *e = g->elem;
	unsigned int i, j, found = 0;
	int ret;

	if (g->len < 2 || e[0].type != CS_ACPI_INTEGER ||
	    e[1].type != CS_ACPI_INTEGER || e[0].integer != 0 ||
	    e[1].integer != (uint64_t)g->len - 2)
		return -CS_EINVAL;
	for (i = 2; i < g->len; i++) {
		const struct cs_acpi_obj *gr = &e[i], *ge = gr->elem;

		if (gr->type != CS_ACPI_PACKAGE || gr->len < 3 ||
		    ge[0].type != CS_ACPI_INTEGER ||
		    ge[2].type != CS_ACPI_INTEGER)
			return -CS_EINVAL;
		if (!is_uuid(&ge[1], uuid_cs_graph))
			continue;	/* another specification's graph */
		if (found++ || ge[2].integer != (uint64_t)gr->len - 3)
			return -CS_EINVAL;
		for (j = 3; j < gr->len; j++) {
			ret = parse_link(tr, dev, ndev, di, &ge[j]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Device di's _DSD (ACPI 6.2.5): pairs of a UUID buffer and a package.
 * Sets *sg if the device properties hold "arm,scatter-gather".
 * Returns 0, -CS_EINVAL if malformed, -CS_E2BIG if the link table is
 * full.
 */
static int parse_dsd(struct cs_acpi_tree *tr, const struct cs_acpi_dev *dev,
		     unsigned int ndev, unsigned int di, int *sg)
{
	const struct cs_acpi_obj *d = dev[di].dsd;
	unsigned int i, j, graphs = 0;
	int ret;

	*sg = 0;
	if (!d)
		return 0;
	if (d->type != CS_ACPI_PACKAGE || d->len % 2)
		return -CS_EINVAL;
	for (i = 0; i < d->len; i += 2) {
		const struct cs_acpi_obj *u = &d->elem[i], *p = &d->elem[i + 1];

		if (u->type != CS_ACPI_BUFFER || u->len != 16 ||
		    p->type != CS_ACPI_PACKAGE)
			return -CS_EINVAL;
		if (is_uuid(u, uuid_acpi_graph)) {
			if (graphs++)
				return -CS_EINVAL;
			ret = parse_graph(tr, dev, ndev, di, p);
			if (ret)
				return ret;
		} else if (is_uuid(u, uuid_dev_props)) {
			/* { name, value } pairs (the _DSD device
			 * properties UUID's rules). */
			for (j = 0; j < p->len; j++) {
				const struct cs_acpi_obj *kv = &p->elem[j];

				if (kv->type != CS_ACPI_PACKAGE ||
				    kv->len != 2 ||
				    kv->elem[0].type != CS_ACPI_STRING)
					return -CS_EINVAL;
				if (is_string(&kv->elem[0],
					      "arm,scatter-gather"))
					*sg = 1;
			}
		}
	}
	return 0;
}

/*
 * Each output link with the input it feeds: the link of the remote
 * device, input, on the remote port, from this device's port.
 * Returns 0, or -CS_EINVAL (bad_dev set) if a link has no other end.
 */
static int pair_links(struct cs_acpi_tree *tr)
{
	unsigned int i, j;

	for (i = 0; i < tr->nlink; i++) {
		struct cs_acpi_link *o = &tr->link[i];

		if (!o->out)
			continue;
		for (j = 0; j < tr->nlink; j++) {
			const struct cs_acpi_link *n = &tr->link[j];

			if (!n->out && n->dev == o->remote &&
			    n->port == o->remote_port &&
			    n->remote == o->dev &&
			    n->remote_port == o->port)
				break;
		}
		if (j == tr->nlink) {
			tr->bad_dev = o->dev;
			return -CS_EINVAL;
		}
		o->peer = (int16_t)j;
		tr->link[j].peer = (int16_t)i;
	}
	for (i = 0; i < tr->nlink; i++) {
		if (tr->link[i].peer < 0) {
			tr->bad_dev = tr->link[i].dev;
			return -CS_EINVAL;
		}
	}
	return 0;
}

/* "prefix" and n in decimal, into a node name. */
static void name_num(char *dst, const char *prefix, unsigned int n)
{
	char digits[12];
	size_t l = strlen(prefix), k = 0;

	memcpy(dst, prefix, l);
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		dst[l++] = digits[--k];
	dst[l] = 0;
}

/* A node for component dev (-1: none). Returns its index (its
 * parent's if a table is full). */
static unsigned int node(struct cs_acpi_tree *tr, unsigned int parent,
			 const char *name, int dev)
{
	unsigned int n = cs_dtmem_node(&tr->m, parent, name);

	if (!tr->m.err)
		tr->node_dev[n] = (int16_t)dev;
	return n;
}

#define PH_CPU(i)	(0x10000u + (i))
#define PH_LINK(i)	(0x20000u + (i))

/* in-ports or out-ports of component di, if it has such links. */
static void emit_ports(struct cs_acpi_tree *t, unsigned int comp,
		       unsigned int di, int out)
{
	unsigned int i, ports = 0, p;
	char name[16];

	for (i = 0; i < t->nlink; i++) {
		const struct cs_acpi_link *k = &t->link[i];

		if (k->dev != di || k->out != out)
			continue;
		if (!ports)
			ports = node(t, comp, out ? "out-ports" : "in-ports",
				     -1);
		name_num(name, "port@", k->port);
		p = node(t, ports, name, -1);
		cs_dtmem_u32(&t->m, "reg", k->port);
		node(t, p, "endpoint", -1);
		cs_dtmem_u32(&t->m, "phandle", PH_LINK(i));
		cs_dtmem_u32(&t->m, "remote-endpoint",
			     PH_LINK((unsigned int)k->peer));
	}
}

int cs_acpi_build(struct cs_acpi_tree *tr, const struct cs_acpi_dev *dev,
		  unsigned int ndev, const struct cs_acpi_cpu *cpu,
		  unsigned int ncpu)
{
	struct cs_dtmem *m = &tr->m;
	uint32_t sgs[(CS_ACPI_MAX_DEV + 31) / 32] = { 0 };
	unsigned int i, k, cpus, c;
	char name[16];
	int ret, sg;

	cs_dtmem_init(m, tr->node, CS_ACPI_NODES, tr->prop, CS_ACPI_PROPS,
		      tr->data, CS_ACPI_DATA);
	tr->nlink = 0;
	tr->bad_dev = -1;
	if (ndev > CS_ACPI_MAX_DEV || ncpu > CS_TOPO_MAX_CPU)
		return -CS_E2BIG;
	for (i = 0; i < ndev; i++) {
		int h = hid_index(dev[i].hid);

		tr->bad_dev = (int)i;
		if (h < 0 || (hid_table[h].programmable && !dev[i].size))
			return -CS_EINVAL;
		ret = parse_dsd(tr, dev, ndev, i, &sg);
		if (ret)
			return ret;
		if (sg)
			sgs[i / 32] |= 1u << (i % 32);
	}
	tr->bad_dev = -1;
	ret = pair_links(tr);
	if (ret)
		return ret;

	node(tr, 0, "", -1);
	cs_dtmem_u32(m, "#address-cells", 2);
	cs_dtmem_u32(m, "#size-cells", 2);
	cpus = node(tr, 0, "cpus", -1);
	cs_dtmem_u32(m, "#address-cells", 2);
	cs_dtmem_u32(m, "#size-cells", 0);
	for (k = 0; k < ncpu; k++) {
		const uint32_t reg[2] = { (uint32_t)(cpu[k].mpidr >> 32),
					  (uint32_t)cpu[k].mpidr };

		name_num(name, "cpu@", k);
		node(tr, cpus, name, -1);
		cs_dtmem_str(m, "device_type", "cpu");
		cs_dtmem_cells(m, "reg", reg, 2);
		cs_dtmem_u32(m, "phandle", PH_CPU(k));
	}
	for (i = 0; i < ndev; i++) {
		const struct cs_acpi_dev *d = &dev[i];
		int h = hid_index(d->hid);

		c = node(tr, 0, d->name, (int)i);
		cs_dtmem_str(m, "compatible", hid_table[h].compatible);
		if (d->size) {
			const uint32_t reg[4] = {
				(uint32_t)(d->base >> 32), (uint32_t)d->base,
				(uint32_t)(d->size >> 32), (uint32_t)d->size,
			};

			cs_dtmem_cells(m, "reg", reg, 4);
		}
		if (!d->enabled)
			cs_dtmem_str(m, "status", "disabled");
		if (sgs[i / 32] & (1u << (i % 32)))
			cs_dtmem_prop(m, "arm,scatter-gather", NULL, 0);
		if (!strcmp(hid_table[h].hid, "ARMHC500")) {
			for (k = 0; k < ncpu; k++)
				if (cpu[k].handle == d->parent)
					break;
			if (k < ncpu) {
				cs_dtmem_u32(m, "cpu", PH_CPU(k));
			} else if (d->enabled) {
				tr->bad_dev = (int)i;
				return -CS_EINVAL;
			}
		}
		emit_ports(tr, c, i, 0);
		emit_ports(tr, c, i, 1);
	}
	return m->err;
}

int cs_acpi_tree_dev(const struct cs_acpi_tree *tr, uintptr_t node)
{
	if (!node || node > tr->m.nnode)
		return -1;
	return tr->node_dev[node - 1];
}
