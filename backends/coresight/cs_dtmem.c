// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A device tree in memory (see cs_dtmem.h).
 */
#include "cs_dtmem.h"

void cs_dtmem_init(struct cs_dtmem *m, struct cs_dtmem_node *node,
		   unsigned int max_node, struct cs_dtmem_prop *prop,
		   unsigned int max_prop, uint8_t *data, unsigned int max_data)
{
	memset(m, 0, sizeof(*m));
	m->node = node;
	m->max_node = max_node;
	m->prop = prop;
	m->max_prop = max_prop;
	m->data = data;
	/* Offsets are 16 bits. */
	m->max_data = max_data > 0xffff ? 0xffff : max_data;
}

unsigned int cs_dtmem_node(struct cs_dtmem *m, unsigned int parent,
			   const char *name)
{
	unsigned int len = (unsigned int)strlen(name) + 1;
	struct cs_dtmem_node *n;

	if (m->nnode == m->max_node || m->ndata + len > m->max_data) {
		if (!m->err)
			m->err = -CS_E2BIG;
		return parent;
	}
	n = &m->node[m->nnode];
	memcpy(m->data + m->ndata, name, len);
	n->name = (const char *)m->data + m->ndata;
	m->ndata += len;
	n->parent = (uint16_t)parent;
	n->prop = (uint16_t)m->nprop;
	n->nprop = 0;
	return m->nnode++;
}

void cs_dtmem_prop(struct cs_dtmem *m, const char *name, const void *val,
		   unsigned int len)
{
	struct cs_dtmem_prop *p;

	if (m->nprop == m->max_prop || m->ndata + len > m->max_data ||
	    !m->nnode) {
		if (!m->err)
			m->err = -CS_E2BIG;
		return;
	}
	p = &m->prop[m->nprop++];
	p->name = name;
	p->off = (uint16_t)m->ndata;
	p->len = (uint16_t)len;
	if (len)
		memcpy(m->data + m->ndata, val, len);
	m->ndata += len;
	m->node[m->nnode - 1].nprop++;
}

void cs_dtmem_cells(struct cs_dtmem *m, const char *name, const uint32_t *v,
		    unsigned int n)
{
	uint8_t buf[16];
	unsigned int i;

	if (n > 4) {
		if (!m->err)
			m->err = -CS_EINVAL;
		return;
	}
	for (i = 0; i < n; i++) {
		buf[4 * i] = (uint8_t)(v[i] >> 24);
		buf[4 * i + 1] = (uint8_t)(v[i] >> 16);
		buf[4 * i + 2] = (uint8_t)(v[i] >> 8);
		buf[4 * i + 3] = (uint8_t)v[i];
	}
	cs_dtmem_prop(m, name, buf, 4 * n);
}

void cs_dtmem_u32(struct cs_dtmem *m, const char *name, uint32_t v)
{
	cs_dtmem_cells(m, name, &v, 1);
}

void cs_dtmem_str(struct cs_dtmem *m, const char *name, const char *s)
{
	cs_dtmem_prop(m, name, s, (unsigned int)strlen(s) + 1);
}

uintptr_t cs_dtmem_root(const struct cs_dtmem *m)
{
	return m->nnode ? 1 : 0;
}

/* The child after prev (prev 0: the first); children follow parents. */
static uintptr_t dm_child(void *ctx, uintptr_t parent, uintptr_t prev)
{
	const struct cs_dtmem *m = ctx;
	unsigned int i;

	if (!parent || parent > m->nnode)
		return 0;
	for (i = prev ? (unsigned int)prev : (unsigned int)parent;
	     i < m->nnode; i++)
		if (m->node[i].parent == parent - 1)
			return i + 1;
	return 0;
}

static const char *dm_name(void *ctx, uintptr_t n)
{
	const struct cs_dtmem *m = ctx;

	return n && n <= m->nnode ? m->node[n - 1].name : "";
}

static const void *dm_prop(void *ctx, uintptr_t n, const char *name,
			   int *len)
{
	const struct cs_dtmem *m = ctx;
	const struct cs_dtmem_node *nd;
	unsigned int i;

	if (!n || n > m->nnode)
		return NULL;
	nd = &m->node[n - 1];
	for (i = nd->prop; i < nd->prop + nd->nprop; i++) {
		if (strcmp(m->prop[i].name, name))
			continue;
		*len = m->prop[i].len;
		/* An empty property is there: a non-NULL pointer. */
		return m->data + m->prop[i].off;
	}
	return NULL;
}

const struct cs_dt_ops cs_dtmem_ops = {
	.child = dm_child,
	.name = dm_name,
	.prop = dm_prop,
};
