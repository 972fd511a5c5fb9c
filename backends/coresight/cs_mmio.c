// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cs_mmio: the memory-mapped components an ETMv4 board's tracing needs,
 * and their addresses (cs_mmio.h).
 */
#include "cs_mmio.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * A #address-cells / #size-cells value of node n, def where absent.
 * Returns 0 with *v set if it is absent or 0..2;
 * Returns -CS_EINVAL if malformed or over 2 (wider than 64 bits: no
 *   CoreSight component sits on such a bus).
 */
static int ncells(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		  const char *name, uint32_t def, uint32_t *v)
{
	int ret = cs_dt_ncells(ops, ctx, n, name, def, v);

	if (ret)
		return ret;
	return *v > 2 ? -CS_EINVAL : 0;
}

/*
 * The ancestors of node under n (n itself at anc[depth]).
 * Returns the depth of node (anc[0..depth] its path from n), or -1 if
 * node is not under n within CS_TOPO_DEPTH levels.
 */
static int find_path(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		     uintptr_t node, uintptr_t *anc, int depth)
{
	uintptr_t c = 0;
	int d;

	anc[depth] = n;
	if (n == node)
		return depth;
	if (depth == CS_TOPO_DEPTH)
		return -1;
	while ((c = ops->child(ctx, n, c))) {
		d = find_path(ops, ctx, c, node, anc, depth + 1);
		if (d >= 0)
			return d;
	}
	return -1;
}

/*
 * addr..addr+size in bus's address space into its parent's, through
 * bus's ranges (child address, parent address, length).
 * Returns 0 with *addr moved, -CS_EINVAL if no entry covers it all or
 * ranges is missing or malformed.
 */
static int up_one(const struct cs_dt_ops *ops, void *ctx, uintptr_t bus,
		  uintptr_t parent, uint64_t *addr, uint64_t size)
{
	uint32_t cac, csc, pac, ent;
	const uint8_t *r;
	int len = 0, ret, i;

	r = ops->prop(ctx, bus, "ranges", &len);
	if (!r)
		return -CS_EINVAL;	/* no mapping to the parent */
	if (!len)
		return 0;		/* empty: 1:1 */
	ret = ncells(ops, ctx, bus, "#address-cells", 2, &cac);
	if (!ret)
		ret = ncells(ops, ctx, bus, "#size-cells", 1, &csc);
	if (!ret)
		ret = ncells(ops, ctx, parent, "#address-cells", 2, &pac);
	if (ret)
		return ret;
	ent = 4 * (cac + pac + csc);
	if (!ent || len % (int)ent)
		return -CS_EINVAL;
	for (i = 0; i < len; i += (int)ent) {
		uint64_t cb = cs_dt_cells(r + i, cac);
		uint64_t pb = cs_dt_cells(r + i + 4 * cac, pac);
		uint64_t rs = cs_dt_cells(r + i + 4 * (cac + pac), csc);

		if (*addr >= cb && *addr - cb <= rs && size <= rs - (*addr - cb)) {
			*addr = pb + (*addr - cb);
			return 0;
		}
	}
	return -CS_EINVAL;
}

int cs_mmio_reg(const struct cs_dt_ops *ops, void *ctx, uintptr_t root,
		uintptr_t node, uint64_t *pa, uint64_t *size)
{
	uintptr_t anc[CS_TOPO_DEPTH + 1];
	uint32_t ac, sc;
	const uint8_t *reg;
	int d, len = 0, ret;
	uint64_t a, s;

	d = find_path(ops, ctx, root, node, anc, 0);
	if (d <= 0)
		return -CS_ENODEV;
	reg = ops->prop(ctx, node, "reg", &len);
	if (!reg)
		return -CS_ENODEV;
	ret = ncells(ops, ctx, anc[d - 1], "#address-cells", 2, &ac);
	if (!ret)
		ret = ncells(ops, ctx, anc[d - 1], "#size-cells", 1, &sc);
	if (ret)
		return ret;
	if (!ac || len < (int)(4 * (ac + sc)))
		return -CS_EINVAL;
	a = cs_dt_cells(reg, ac);
	s = cs_dt_cells(reg + 4 * ac, sc);
	/* Every bus between node and root maps into its parent. */
	for (d = d - 1; d > 0; d--) {
		ret = up_one(ops, ctx, anc[d], anc[d - 1], &a, s);
		if (ret)
			return ret;
	}
	*pa = a;
	*size = s;
	return 0;
}

int cs_mmio_find(const struct cs_mmio_plan *p, uint64_t base,
		 enum cs_mmio_role role)
{
	unsigned int i;

	for (i = 0; i < p->nwin; i++)
		if (p->win[i].dt_base == base && p->win[i].role == role)
			return (int)i;
	return -1;
}

/*
 * Component c as a window with role (once: a link shared by several
 * CPUs' paths is one window).
 * Returns its index, or a negative CS_E* code (bad_comp set).
 */
static int add_win(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		   uintptr_t root, unsigned int c, enum cs_mmio_role role,
		   int cpu, struct cs_mmio_plan *p)
{
	struct cs_mmio_win *w;
	unsigned int i;
	int ret;

	for (i = 0; i < p->nwin; i++)
		if (p->win[i].comp == c)
			return (int)i;
	p->bad_comp = (int)c;
	if (p->nwin == CS_MMIO_MAX_WIN)
		return -CS_E2BIG;
	w = &p->win[p->nwin];
	memset(w, 0, sizeof(*w));
	w->comp = (uint16_t)c;
	w->role = (uint8_t)role;
	w->cpu = (int16_t)cpu;
	w->dt_base = t->comp[c].base;
	ret = cs_mmio_reg(ops, ctx, root, t->comp[c].node, &w->pa, &w->size);
	if (ret)
		return ret == -CS_ENODEV ? -CS_EINVAL : ret;
	if (w->size < CS_MMIO_WIN_MIN)
		return -CS_EINVAL;
	p->bad_comp = -1;
	return (int)p->nwin++;
}

int cs_mmio_plan(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		 uintptr_t root, const uint64_t *mpidr, unsigned int ncpu,
		 struct cs_mmio_plan *p)
{
	struct cs_path path;
	unsigned int c, i;
	int e, n, w, sink = -1, any = 0;
	uint16_t s;

	memset(p, 0, sizeof(*p));
	p->bad_cpu = -1;
	p->bad_comp = -1;
	p->sink = -1;
	for (c = 0; c < ARRAY_SIZE(p->etm); c++)
		p->etm[c] = -1;
	if (ncpu > CS_TOPO_MAX_CPU)
		return -CS_EINVAL;
	for (c = 0; c < ncpu; c++) {
		if (mpidr[c] == CS_MMIO_NO_CPU)
			continue;
		any = 1;
		p->bad_cpu = (int)c;
		e = cs_topo_etm_of(t, mpidr[c]);
		if (e < 0)
			return -CS_ENODEV;
		p->bad_comp = e;
		n = cs_topo_collector(t, (unsigned int)e);
		if (n < 0)
			return n == -CS_ENODEV && cs_topo_sinks(t,
				(unsigned int)e, &s, 1) > 0 ?
			       -CS_EOPNOTSUPP : -CS_ENODEV;
		s = (uint16_t)n;
		p->bad_comp = s;
		if (sink >= 0 && s != sink)
			return -CS_EOPNOTSUPP;
		sink = s;
		n = cs_topo_path(t, (unsigned int)e, s, &path);
		if (n)
			return n;
		for (i = 1; i + 1 < path.nhop; i++) {
			const struct cs_comp *l = &t->comp[path.hop[i].comp];

			p->bad_comp = path.hop[i].comp;
			if (l->kind != CS_COMP_FUNNEL &&
			    l->kind != CS_COMP_REPLICATOR &&
			    l->kind != CS_COMP_TMC)
				return -CS_EOPNOTSUPP;
			if (l->flags & CS_COMP_STATIC)
				continue;	/* no registers */
			w = add_win(t, ops, ctx, root, path.hop[i].comp,
				    CS_MMIO_LINK, -1, p);
			if (w < 0)
				return w;
		}
		w = add_win(t, ops, ctx, root, (unsigned int)e, CS_MMIO_ETM,
			    (int)c, p);
		if (w < 0)
			return w;
		p->etm[c] = (int16_t)w;
	}
	p->bad_cpu = -1;
	if (!any)
		return -CS_EINVAL;
	w = add_win(t, ops, ctx, root, (unsigned int)sink, CS_MMIO_SINK, -1, p);
	if (w < 0)
		return w;
	p->sink = (int16_t)w;
	p->bad_comp = -1;
	return 0;
}

int cs_mmio_etm_reg64(uint32_t off)
{
	return off >= 0x400 && off < 0x680 && !(off & 7);
}
