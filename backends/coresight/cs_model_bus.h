/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_model_bus: the trace bus of a topology in the model: trace units
 * (cs_model, one per CPU), the funnels and replicators between them
 * (cs_model_link) and the one TMC they share (csm_tmc), wired by the
 * paths cs_topo finds.  It carries a unit's output to the sink the way
 * the ATB does and refuses, counting it like every other model, what a
 * driver must never let happen:
 *  - trace that reaches a funnel slave port whose EnS bit is clear, or
 *    a replicator master port whose ID filter stops it (SoC-400 TRM
 *    "Funnel Control Register", "IDFILTERn"), or an ETF on the way that
 *    is not capturing in Hardware FIFO mode (TMC TRM 2.x, 3.3.8, 3.3.10:
 *    disabled, stopped by a flush, or another mode): the driver enabled
 *    a source without opening its path (the trace is lost, and on
 *    hardware the source stalls or overflows);
 *  - two enabled sources on one sink with the same trace ID (CoreSight
 *    Architecture Specification D4, the formatter: the ID names the
 *    source of each byte in the frames; ETMv4 7.3.70 TRCTRACEIDR): the
 *    deformatter could not tell their bytes apart.
 * The bytes that pass go to the TMC's formatter with the unit's
 * TRCTRACEIDR (csm_tmc_emit).
 *
 * Pure C with no kernel includes.  No locking: the caller serialises
 * every access to the links and the TMC.
 */
#ifndef HWT_CS_MODEL_BUS_H
#define HWT_CS_MODEL_BUS_H

#include "cs_pure.h"
#include "cs_topo.h"
#include "cs_model.h"
#include "cs_model_link.h"

#define CSM_BUS_MAX_SRC	CS_TOPO_MAX_CPU

struct csm_bus {
	struct cs_topo *topo;
	struct csm_link *link;		/* per component of topo */
	struct csm_tmc *tmc;		/* the sink's model */
	unsigned int sink;		/* its component */
	unsigned int nsrc;
	struct csm *src[CSM_BUS_MAX_SRC];
	struct cs_path path[CSM_BUS_MAX_SRC];
	/* accounting */
	uint32_t refused;
	const char *rule;		/* the last rule broken */
};

/*
 * csm_bus_init() - a bus over topology t whose sink is component sink,
 * modelled by tmc; link[] (t->ncomp entries) gets a funnel model (8
 * slave ports, a SoC-400 funnel's most) for each programmable funnel,
 * a replicator model (2 master ports) for each programmable replicator
 * and an ETF model for each TMC other than sink with an output, at
 * reset.
 * Returns 0, or -CS_EINVAL if sink is no TMC of t.
 */
int csm_bus_init(struct csm_bus *b, struct cs_topo *t, struct csm_link *link,
		 struct csm_tmc *tmc, unsigned int sink);

/*
 * csm_bus_add() - source number b->nsrc: unit m, whose ETM is component
 * etm of the topology; its path to the sink is found now.
 * Returns the source's number.
 * Returns -CS_E2BIG if the bus has CSM_BUS_MAX_SRC sources already.
 * Returns -CS_ENODEV or -CS_EINVAL as cs_topo_path() for etm -> sink.
 */
int csm_bus_add(struct csm_bus *b, struct csm *m, unsigned int etm);

/*
 * csm_bus_link() - the link model of the component whose registers are
 * at base (its reg in the tree), for the driver's accesses.
 * Returns it, or NULL if no programmable link is there.
 */
struct csm_link *csm_bus_link(struct csm_bus *b, uint64_t base);

/*
 * csm_bus_emit() - source s outputs len bytes (its unit enabled).
 * Returns the bytes the TMC took (csm_tmc_emit()); 0 if s is out of
 * range, its unit is disabled, or a rule above refused them (counted).
 */
size_t csm_bus_emit(struct csm_bus *b, unsigned int s, const uint8_t *data,
		    size_t len);

#endif /* HWT_CS_MODEL_BUS_H */
