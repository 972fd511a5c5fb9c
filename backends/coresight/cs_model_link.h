/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_model_link: a model of one funnel or programmable replicator
 * (cs_link.h has the registers) that refuses and counts, like cs_model
 * does for the trace unit and the TMC, every write the SoC-400 TRM or
 * the CoreSight architecture rules out:
 *  - any write but LAR while the software lock is set (CoreSight B2
 *    LAR; set at reset);
 *  - a programming register written without this agent's claim tag, a
 *    claim set over another agent's, a tag cleared that is not ours
 *    (CoreSight B2.4);
 *  - RES0 bits, a funnel EnS bit or a replicator filter of a port the
 *    component does not have (DEVID's port count), a register the
 *    component does not have;
 *  - a funnel's Priority Control written while a port is enabled;
 *  - an ETF (a TMC as a link, cs_link.h; TMC TRM DDI 0461B): MODE, BUFWM
 *    or FFCR's settings written while it is not TMCReady (3.3.3: capture
 *    enabled and not stopped), which includes a MODE change while
 *    enabled (3.3.10); a MODE other than circular buffer, software or
 *    hardware FIFO, or RES0 bits of FFCR or CTL; a register an ETF does
 *    not have (the ETR's AXICTL, DBALO/HI, RSZ is read-only).
 * csm_link_pass() says whether a trace ID arriving on one port leaves by
 * another, and counts what the link stops: at an ETF, anything that
 * arrives while it is not capturing in Hardware FIFO mode (disabled,
 * stopped by a flush with StopOnFl, or in circular buffer or software
 * FIFO mode, where nothing leaves by the master port) is lost.
 *
 * Pure C with no kernel includes.
 */
#ifndef HWT_CS_MODEL_LINK_H
#define HWT_CS_MODEL_LINK_H

#include "cs_pure.h"
#include "cs_seq.h"
#include "cs_link.h"

struct csm_link {
	enum cs_link_kind kind;
	uint32_t nports;		/* DEVID: slave (funnel) / master */
	uint32_t ctrl, prictrl;		/* funnel */
	uint32_t idf[2];		/* replicator */
	uint32_t mode, ffcr, ctl, bufwm;	/* ETF */
	uint8_t stopped;		/* ETF: flushed with StopOnFl */
	uint32_t claim, claim_ours;
	uint8_t slk;
	/* accounting */
	uint32_t refused;
	const char *rule;		/* spec section of the last refusal */
	uint32_t writes;
	uint64_t passed, blocked;	/* csm_link_pass() answers */
};

/*
 * Reset state: funnel Control 0x300 (ports off, HT 3), replicator
 * filters 0 (pass all), ETF capture off in circular buffer mode (ready),
 * software lock set, no claim.
 * Returns 0, or -CS_EINVAL if nports is 0 or over 8 (funnel) / 2
 * (replicator) / 1 (ETF) or kind is unknown.
 */
int csm_link_init(struct csm_link *l, enum cs_link_kind kind,
		  uint32_t nports);

/* Returns 0, or -1 if refused (counted). */
int csm_link_write(struct csm_link *l, uint32_t reg, uint64_t val);
int csm_link_read(struct csm_link *l, uint32_t reg, uint64_t *val);

/* Another agent (an external debugger) sets its claim tag. */
void csm_link_claim_external(struct csm_link *l);

/*
 * Trace of ID id arrives on slave port in and leaves by master port out
 * (a funnel has one master port, a replicator one slave port).
 * Returns 1 if it passes (funnel: EnS<in>; replicator: IDFILTER<out>'s
 * bit for id clear; ETF: capturing in Hardware FIFO mode, not stopped),
 * 0 if the link stops it (counted in blocked).
 */
int csm_link_pass(struct csm_link *l, unsigned int in, unsigned int out,
		  uint8_t id);

/* A cs_io that runs ops against the link model. */
void csm_link_io(struct csm_link *l, struct cs_io *io);

#endif /* HWT_CS_MODEL_LINK_H */
