// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The trace bus model (see cs_model_bus.h).
 */
#include "cs_model_bus.h"

/* Returns 0 after counting a refusal of rule. */
static size_t refuse(struct csm_bus *b, const char *rule)
{
	b->refused++;
	b->rule = rule;
	return 0;
}

int csm_bus_init(struct csm_bus *b, struct cs_topo *t, struct csm_link *link,
		 struct csm_tmc *tmc, unsigned int sink)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	if (sink >= t->ncomp || t->comp[sink].kind != CS_COMP_TMC)
		return -CS_EINVAL;
	b->topo = t;
	b->link = link;
	b->tmc = tmc;
	b->sink = sink;
	for (i = 0; i < t->ncomp; i++) {
		const struct cs_comp *c = &t->comp[i];

		memset(&link[i], 0, sizeof(link[i]));
		if (c->flags & CS_COMP_STATIC)
			continue;
		if (c->kind == CS_COMP_FUNNEL)
			csm_link_init(&link[i], CS_LINK_FUNNEL, 8);
		else if (c->kind == CS_COMP_REPLICATOR)
			csm_link_init(&link[i], CS_LINK_REPLICATOR, 2);
		else if (c->kind == CS_COMP_TMC && c->n_out && i != sink)
			csm_link_init(&link[i], CS_LINK_ETF, 1);
	}
	return 0;
}

int csm_bus_add(struct csm_bus *b, struct csm *m, unsigned int etm)
{
	int ret;

	if (b->nsrc == CSM_BUS_MAX_SRC)
		return -CS_E2BIG;
	ret = cs_topo_path(b->topo, etm, b->sink, &b->path[b->nsrc]);
	if (ret)
		return ret;
	b->src[b->nsrc] = m;
	return (int)b->nsrc++;
}

struct csm_link *csm_bus_link(struct csm_bus *b, uint64_t base)
{
	unsigned int i;

	for (i = 0; i < b->topo->ncomp; i++) {
		const struct cs_comp *c = &b->topo->comp[i];

		if (c->base == base && !(c->flags & CS_COMP_STATIC) &&
		    (c->kind == CS_COMP_FUNNEL ||
		     c->kind == CS_COMP_REPLICATOR ||
		     (c->kind == CS_COMP_TMC && c->n_out &&
		      i != b->sink)))
			return &b->link[i];
	}
	return NULL;
}

/* The unit's trace ID (ETMv4 7.3.70: TRACEID, 6:0). */
static uint8_t unit_id(const struct csm *m)
{
	return (uint8_t)(m->reg[TRCTRACEIDR / 4] & 0x7f);
}

size_t csm_bus_emit(struct csm_bus *b, unsigned int s, const uint8_t *data,
		    size_t len)
{
	const struct cs_path *p;
	unsigned int i;
	uint8_t id;

	if (s >= b->nsrc || !(b->src[s]->prgctlr & TRCPRGCTLR_EN))
		return 0;
	id = unit_id(b->src[s]);
	p = &b->path[s];
	/* Every link on the way must let it through. */
	for (i = 1; i + 1 < p->nhop; i++) {
		const struct cs_hop *h = &p->hop[i];
		const struct cs_comp *c = &b->topo->comp[h->comp];
		struct csm_link *l = &b->link[h->comp];

		if (c->flags & CS_COMP_STATIC)
			continue;
		if (c->kind == CS_COMP_FUNNEL &&
		    !csm_link_pass(l, (unsigned int)h->in_port, 0, id))
			return refuse(b, "SoC-400 Funnel Control: trace at a slave port whose EnS is clear (the source's path was not enabled)");
		if (c->kind == CS_COMP_REPLICATOR &&
		    !csm_link_pass(l, 0, (unsigned int)h->out_port, id))
			return refuse(b, "SoC-400 IDFILTERn: trace stopped by the replicator's ID filter (the source's path was not enabled)");
		if (c->kind == CS_COMP_TMC && !csm_link_pass(l, 0, 0, id))
			return refuse(b, "TMC Hardware FIFO mode: trace at an ETF that is not passing it on (disabled, stopped or not in Hardware FIFO mode): lost");
	}
	/* No other enabled source on this sink may use the same ID. */
	for (i = 0; i < b->nsrc; i++)
		if (i != s && (b->src[i]->prgctlr & TRCPRGCTLR_EN) &&
		    unit_id(b->src[i]) == id)
			return refuse(b, "CoreSight D4 / ETMv4 7.3.70: two enabled sources with one trace ID on a sink");
	return csm_tmc_emit(b->tmc, id, data, len);
}
