// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_topo: CoreSight components and the trace bus from a device tree,
 * and the path from a source to a sink (cs_topo.h has the binding).
 */
#include "cs_topo.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/*
 * A property of exactly one cell.
 * Returns 0 with *v set if node has it;
 * Returns -CS_ENODEV if it has none;
 * Returns -CS_EINVAL if its length is not 4.
 */
static int prop_u32(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		    const char *name, uint32_t *v)
{
	int len = 0;
	const void *p = ops->prop(ctx, n, name, &len);

	if (!p)
		return -CS_ENODEV;
	if (len != 4)
		return -CS_EINVAL;
	*v = be32(p);
	return 0;
}

int cs_dt_ncells(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		 const char *name, uint32_t def, uint32_t *v)
{
	int ret = prop_u32(ops, ctx, n, name, v);

	if (ret == -CS_ENODEV) {
		*v = def;
		return 0;
	}
	if (ret)
		return ret;
	return *v > 4 ? -CS_EINVAL : 0;
}

uint64_t cs_dt_cells(const uint8_t *p, uint32_t ncells)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < ncells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/*
 * Whether the stringlist property name of n holds s.
 * Returns 1 if it does, 0 if not or if n has no such property.
 */
static int has_string(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		      const char *name, const char *s)
{
	int len = 0, i = 0;
	const char *p = ops->prop(ctx, n, name, &len);
	size_t sl = strlen(s);

	if (!p)
		return 0;
	while (i < len) {
		int l = (int)strnlen(p + i, (size_t)(len - i));

		if ((size_t)l == sl && !memcmp(p + i, s, sl))
			return 1;
		i += l + 1;
	}
	return 0;
}

/*
 * Whether a node is enabled (DT spec 2.3.4 "status").
 * Returns 1 if it has no status or "okay" / "ok", 0 otherwise.
 */
static int enabled(const struct cs_dt_ops *ops, void *ctx, uintptr_t n)
{
	int len = 0;
	const char *p = ops->prop(ctx, n, "status", &len);

	if (!p)
		return 1;
	return (len == 5 && !memcmp(p, "okay", 5)) ||
	       (len == 3 && !memcmp(p, "ok", 3));
}

/* Copies s into a CS_TOPO_NAME buffer, cut if it is longer. */
static void copy_name(char *dst, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < CS_TOPO_NAME && s[i]; i++)
		dst[i] = s[i];
	dst[i] = 0;
}

/*
 * Whether name is base or base@unit.
 * Returns 1 if it is, 0 if not.
 */
static int name_is(const char *name, const char *base)
{
	size_t l = strlen(base);

	return !strncmp(name, base, l) && (name[l] == 0 || name[l] == '@');
}

/*
 * The phandle of a node ("phandle", or the older "linux,phandle").
 * Returns it, or 0 if the node has none or a malformed one.
 */
static uint32_t node_phandle(const struct cs_dt_ops *ops, void *ctx,
			     uintptr_t n)
{
	uint32_t v;

	if (!prop_u32(ops, ctx, n, "phandle", &v))
		return v;
	if (!prop_u32(ops, ctx, n, "linux,phandle", &v))
		return v;
	return 0;
}

/*
 * The port number of a port node: its reg, or 0 for a "port" without
 * one (graph.yaml: a single port needs no number).
 * Returns 0 with *port set;
 * Returns -CS_EINVAL if reg is malformed or a "port@N" has none;
 * Returns -CS_E2BIG if the number is over 255.
 */
static int port_number(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		       uint8_t *port)
{
	uint32_t v;
	int ret = prop_u32(ops, ctx, n, "reg", &v);

	if (ret == -CS_ENODEV) {
		if (ops->name(ctx, n)[4] == '@')
			return -CS_EINVAL;
		*port = 0;
		return 0;
	}
	if (ret)
		return ret;
	if (v > 255)
		return -CS_E2BIG;
	*port = (uint8_t)v;
	return 0;
}

/*
 * The endpoints under one in-ports or out-ports node of component ci.
 * Returns 0, or -CS_EINVAL / -CS_E2BIG as cs_topo_parse() says.
 */
static int parse_ports(struct cs_topo *t, const struct cs_dt_ops *ops,
		       void *ctx, uintptr_t ports, unsigned int ci, int out)
{
	uintptr_t port = 0, ep;
	int ret;

	while ((port = ops->child(ctx, ports, port))) {
		uint8_t num;

		if (!name_is(ops->name(ctx, port), "port"))
			continue;
		ret = port_number(ops, ctx, port, &num);
		if (ret)
			return ret;
		ep = 0;
		while ((ep = ops->child(ctx, port, ep))) {
			struct cs_ep *e;
			uint32_t remote;

			if (!name_is(ops->name(ctx, ep), "endpoint"))
				continue;
			ret = prop_u32(ops, ctx, ep, "remote-endpoint",
				       &remote);
			if (ret == -CS_ENODEV)
				continue;	/* not connected */
			if (ret)
				return ret;
			if (t->nep == CS_TOPO_MAX_EP)
				return -CS_E2BIG;
			e = &t->ep[t->nep++];
			e->comp = (uint16_t)ci;
			e->out = (uint8_t)out;
			e->port = num;
			e->remote = remote;
			e->phandle = node_phandle(ops, ctx, ep);
			e->peer = -1;
			if (!e->phandle || !remote)
				return -CS_EINVAL;
			if (out)
				t->comp[ci].n_out++;
			else
				t->comp[ci].n_in++;
		}
	}
	return 0;
}

static const struct {
	const char *compatible;
	enum cs_comp_kind kind;
	unsigned int flags;
} comp_table[] = {
	{ "arm,coresight-etm4x", CS_COMP_ETM4, 0 },
	{ "arm,coresight-dynamic-funnel", CS_COMP_FUNNEL, 0 },
	{ "arm,coresight-static-funnel", CS_COMP_FUNNEL, CS_COMP_STATIC },
	{ "arm,coresight-dynamic-replicator", CS_COMP_REPLICATOR, 0 },
	{ "arm,coresight-static-replicator", CS_COMP_REPLICATOR,
	  CS_COMP_STATIC },
	{ "arm,coresight-tmc", CS_COMP_TMC, 0 },
	{ "arm,coresight-tpiu", CS_COMP_TPIU, 0 },
};

/*
 * A node that may be a component: added with its endpoints if it is
 * one of comp_table's, or any other node with in-ports or out-ports
 * (CS_COMP_OTHER: an STM, a vendor link), so that the graph is whole.
 * Returns 1 if it was a component, 0 if not, or a negative CS_E* code.
 */
static int parse_comp(struct cs_topo *t, const struct cs_dt_ops *ops,
		      void *ctx, uintptr_t n, uint32_t ac, uint32_t sc)
{
	enum cs_comp_kind kind = CS_COMP_OTHER;
	unsigned int flags = 0, i, ci;
	uintptr_t c = 0, in = 0, out = 0, legacy = 0;
	struct cs_comp *cp;
	const uint8_t *reg;
	int len = 0, ret, known = 0;

	for (i = 0; i < ARRAY_SIZE(comp_table); i++) {
		if (has_string(ops, ctx, n, "compatible",
			       comp_table[i].compatible)) {
			kind = comp_table[i].kind;
			flags = comp_table[i].flags;
			known = 1;
			break;
		}
	}
	while ((c = ops->child(ctx, n, c))) {
		const char *cn = ops->name(ctx, c);

		if (!strcmp(cn, "in-ports"))
			in = c;
		else if (!strcmp(cn, "out-ports"))
			out = c;
		else if (!strcmp(cn, "ports"))
			legacy = c;
	}
	if (!known && ((!in && !out) || !ops->prop(ctx, n, "compatible", &len)))
		return 0;
	if (known && legacy && !in && !out)
		return -CS_EINVAL;
	if (t->ncomp == CS_TOPO_MAX_COMP)
		return -CS_E2BIG;
	ci = t->ncomp++;
	cp = &t->comp[ci];
	cp->kind = kind;
	cp->flags = flags;
	cp->node = n;
	cp->cpu = -1;
	copy_name(cp->name, ops->name(ctx, n));
	if (!enabled(ops, ctx, n))
		cp->flags |= CS_COMP_DISABLED;
	if (ops->prop(ctx, n, "arm,scatter-gather", &len))
		cp->flags |= CS_COMP_SG;
	reg = ops->prop(ctx, n, "reg", &len);
	if (reg) {
		/* One entry, each number in at most 64 bits. */
		if (len < (int)(4 * (ac + sc)) || !ac || ac > 2 || sc > 2)
			return -CS_EINVAL;
		cp->base = cs_dt_cells(reg, ac);
		cp->size = cs_dt_cells(reg + 4 * ac, sc);
	} else if (!(flags & CS_COMP_STATIC) && known) {
		return -CS_EINVAL;	/* programmable, so it has registers */
	}
	/* A disabled node is no device (DT spec 2.3.4): one without its
	 * cpu is let be (msm8998.dtsi in 6.1 has a funnel@7b60000 that
	 * says etm4x, has no cpu, and is disabled). */
	if (kind == CS_COMP_ETM4) {
		ret = prop_u32(ops, ctx, n, "cpu", &cp->cpu_phandle);
		if (ret && (ret != -CS_ENODEV ||
			    !(cp->flags & CS_COMP_DISABLED)))
			return -CS_EINVAL;
	}
	if (in) {
		ret = parse_ports(t, ops, ctx, in, ci, 0);
		if (ret)
			return ret;
	}
	if (out) {
		ret = parse_ports(t, ops, ctx, out, ci, 1);
		if (ret)
			return ret;
	}
	return 1;
}

/*
 * The CPU nodes under /cpus: phandle, reg (the MPIDR affinity) and the
 * first compatible string.
 * Returns 0, -CS_EINVAL if a reg is malformed, -CS_E2BIG if too many.
 */
static int parse_cpus(struct cs_topo *t, const struct cs_dt_ops *ops,
		      void *ctx, uintptr_t cpus)
{
	uintptr_t c = 0;
	uint32_t ac;
	int ret;

	ret = cs_dt_ncells(ops, ctx, cpus, "#address-cells", 2, &ac);
	if (ret)
		return ret;
	while ((c = ops->child(ctx, cpus, c))) {
		struct cs_topo_cpu *cpu;
		const uint8_t *reg;
		const char *compat;
		int len = 0;

		if (!has_string(ops, ctx, c, "device_type", "cpu"))
			continue;
		if (t->ncpu == CS_TOPO_MAX_CPU)
			return -CS_E2BIG;
		cpu = &t->cpus[t->ncpu++];
		cpu->node = c;
		cpu->phandle = node_phandle(ops, ctx, c);
		reg = ops->prop(ctx, c, "reg", &len);
		if (!reg || !ac || ac > 2 || len < (int)(4 * ac))
			return -CS_EINVAL;
		cpu->mpidr = cs_dt_cells(reg, ac);
		compat = ops->prop(ctx, c, "compatible", &len);
		if (compat && len > 0 && strnlen(compat, (size_t)len) <
		    (size_t)len)
			copy_name(cpu->compatible, compat);
	}
	return 0;
}

/*
 * The walk: node n with its parent's #address-cells ac and #size-cells
 * sc.  Components' own children are their ports, not walked further.
 * Returns 0, or a negative CS_E* code as cs_topo_parse() says.
 */
static int walk(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		uintptr_t n, uint32_t ac, uint32_t sc, int depth)
{
	uintptr_t c = 0;
	uint32_t cac, csc;
	int ret;

	if (depth > CS_TOPO_DEPTH)
		return -CS_E2BIG;
	if (depth) {
		ret = parse_comp(t, ops, ctx, n, ac, sc);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	if (depth == 1 && !strcmp(ops->name(ctx, n), "cpus"))
		return parse_cpus(t, ops, ctx, n);
	/* DT spec 2.3.5: a node without them means 2 and 1. */
	ret = cs_dt_ncells(ops, ctx, n, "#address-cells", 2, &cac);
	if (!ret)
		ret = cs_dt_ncells(ops, ctx, n, "#size-cells", 1, &csc);
	if (ret)
		return ret;
	while ((c = ops->child(ctx, n, c))) {
		ret = walk(t, ops, ctx, c, cac, csc, depth + 1);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Each endpoint's peer: the endpoint its remote-endpoint names, which
 * must be in the other direction.
 * Returns 0, or -CS_EINVAL if one names no endpoint or a wrong one.
 */
static int link_eps(struct cs_topo *t)
{
	unsigned int i, j;

	for (i = 0; i < t->nep; i++) {
		struct cs_ep *e = &t->ep[i];

		for (j = 0; j < t->nep; j++)
			if (t->ep[j].phandle == e->remote)
				break;
		if (j == t->nep || t->ep[j].out == e->out || j == i)
			return -CS_EINVAL;
		e->peer = (int)j;
	}
	return 0;
}

int cs_topo_parse(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		  uintptr_t root)
{
	unsigned int i, j;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = walk(t, ops, ctx, root, 2, 1, 0);
	if (ret)
		return ret;
	ret = link_eps(t);
	if (ret)
		return ret;
	for (i = 0; i < t->ncomp; i++) {
		struct cs_comp *c = &t->comp[i];

		if (c->kind != CS_COMP_ETM4 ||
		    (!c->cpu_phandle && (c->flags & CS_COMP_DISABLED)))
			continue;
		for (j = 0; j < t->ncpu; j++)
			if (t->cpus[j].phandle &&
			    t->cpus[j].phandle == c->cpu_phandle)
				break;
		if (j == t->ncpu)
			return -CS_EINVAL;
		c->cpu = (int)j;
	}
	return 0;
}

int cs_topo_find(const struct cs_topo *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->ncomp; i++)
		if (!strcmp(t->comp[i].name, name))
			return (int)i;
	return -1;
}

int cs_topo_etm_of(const struct cs_topo *t, uint64_t mpidr)
{
	unsigned int i;

	for (i = 0; i < t->ncomp; i++) {
		const struct cs_comp *c = &t->comp[i];

		if (c->kind == CS_COMP_ETM4 && c->cpu >= 0 &&
		    t->cpus[c->cpu].mpidr == mpidr)
			return (int)i;
	}
	return -1;
}

/* Returns 1 if c is a source: outputs and no inputs; 0 if not. */
static int is_source(const struct cs_comp *c)
{
	return c->n_out && !c->n_in;
}

/* Returns 1 if c stores trace (a TMC or a TPIU), 0 if not. */
static int is_sink(const struct cs_comp *c)
{
	return c->kind == CS_COMP_TMC || c->kind == CS_COMP_TPIU;
}

/* Returns 1 if trace goes through c to its outputs, 0 if not. */
static int is_link(const struct cs_comp *c)
{
	if (c->flags & CS_COMP_DISABLED)
		return 0;
	return c->kind == CS_COMP_FUNNEL || c->kind == CS_COMP_REPLICATOR ||
	       (c->kind == CS_COMP_TMC && c->n_out);
}

/*
 * Breadth first from src into t->reach: each component reached, from
 * which component and through which ports, and the order reached in.
 * Each component's outputs are taken by port number.
 * Returns the number of components reached (src included).
 */
static unsigned int bfs(struct cs_topo *t, unsigned int src)
{
	struct cs_topo_reach *r = t->reach;
	unsigned int head = 0, tail = 0, i;

	for (i = 0; i < t->ncomp; i++)
		r[i].prev = -1;
	r[src].prev = (int16_t)src;
	r[tail++].order = (uint16_t)src;
	while (head < tail) {
		unsigned int c = r[head++].order;
		int port = -1;

		if (c != src && !is_link(&t->comp[c]))
			continue;
		for (;;) {
			int next = 256;

			/* The lowest output port above port. */
			for (i = 0; i < t->nep; i++)
				if (t->ep[i].comp == c && t->ep[i].out &&
				    t->ep[i].port > port &&
				    t->ep[i].port < next)
					next = t->ep[i].port;
			if (next == 256)
				break;
			port = next;
			for (i = 0; i < t->nep; i++) {
				const struct cs_ep *e = &t->ep[i], *pe;

				if (e->comp != c || !e->out ||
				    e->port != port || e->peer < 0)
					continue;
				pe = &t->ep[e->peer];
				if (r[pe->comp].prev != -1)
					continue;
				r[pe->comp].prev = (int16_t)c;
				r[pe->comp].in_port = pe->port;
				r[pe->comp].out_port = (int16_t)port;
				r[tail++].order = pe->comp;
			}
		}
	}
	return tail;
}

int cs_topo_path(struct cs_topo *t, unsigned int src, unsigned int sink,
		 struct cs_path *p)
{
	uint16_t rev[CS_TOPO_MAX_HOPS];
	unsigned int n = 0, i, c;

	if (src >= t->ncomp || sink >= t->ncomp ||
	    !is_source(&t->comp[src]) || !is_sink(&t->comp[sink]))
		return -CS_EINVAL;
	if ((t->comp[src].flags | t->comp[sink].flags) & CS_COMP_DISABLED)
		return -CS_ENODEV;
	bfs(t, src);
	if (t->reach[sink].prev == -1)
		return -CS_ENODEV;
	for (c = sink; ; c = (unsigned int)t->reach[c].prev) {
		if (n == CS_TOPO_MAX_HOPS)
			return -CS_E2BIG;
		rev[n++] = (uint16_t)c;
		if (c == src)
			break;
	}
	memset(p, 0, sizeof(*p));
	p->nhop = n;
	for (i = 0; i < n; i++) {
		struct cs_hop *h = &p->hop[i];

		h->comp = rev[n - 1 - i];
		h->in_port = i ? t->reach[h->comp].in_port : -1;
		h->out_port = i + 1 < n ?
			t->reach[rev[n - 2 - i]].out_port : -1;
	}
	return 0;
}

int cs_topo_sinks(struct cs_topo *t, unsigned int src,
		  uint16_t *sinks, unsigned int max)
{
	unsigned int n, i, found = 0;

	if (src >= t->ncomp || !is_source(&t->comp[src]))
		return -CS_EINVAL;
	if (t->comp[src].flags & CS_COMP_DISABLED)
		return 0;
	n = bfs(t, src);
	for (i = 1; i < n && found < max; i++) {
		uint16_t ci = t->reach[i].order;
		const struct cs_comp *c = &t->comp[ci];

		if (is_sink(c) && !(c->flags & CS_COMP_DISABLED))
			sinks[found++] = ci;
	}
	return (int)found;
}

int cs_topo_collector(struct cs_topo *t, unsigned int src)
{
	unsigned int n, i;
	int nearest = -1;

	if (src >= t->ncomp || !is_source(&t->comp[src]))
		return -CS_EINVAL;
	if (t->comp[src].flags & CS_COMP_DISABLED)
		return -CS_ENODEV;
	n = bfs(t, src);
	for (i = 1; i < n; i++) {
		uint16_t ci = t->reach[i].order;
		const struct cs_comp *c = &t->comp[ci];

		if (c->kind != CS_COMP_TMC || (c->flags & CS_COMP_DISABLED))
			continue;
		if (!c->n_out)
			return ci;
		if (nearest < 0)
			nearest = ci;
	}
	return nearest < 0 ? -CS_ENODEV : nearest;
}
