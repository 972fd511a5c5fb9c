/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_link: the links between an ETMv4 and its sink, as pure logic: the
 * register values and programming sequences of a CoreSight funnel and
 * a programmable replicator, one hop of a cs_topo path at a time.
 *
 * "SoC-400" is the CoreSight SoC-400 TRM (DDI 0480), chapter 3
 * "Programmers model": the Trace Funnel (CSTF) registers Funnel
 * Control (0x000) and Priority Control (0x004), and the ATB replicator
 * with ID filtering (the "dynamic" replicator), IDFILTER0 (0x000) and
 * IDFILTER1 (0x004); "CoreSight B2" the CoreSight Architecture
 * Specification v3.0's management registers (LAR, LSR, CLAIM, DEVID).
 * The texts were not at hand: section names are as recalled, the bit
 * positions were checked against Linux's coresight-funnel.c and
 * coresight-replicator.c, which follow the same TRM.
 *
 * Order (as Linux's coresight_enable_path / coresight_disable_path):
 * An ETF on the way to the ETR (Juno, HiKey, DragonBoard 410c: the
 * funnels -> ETF -> replicator -> ETR / TPIU) is a link too: a TMC in
 * Hardware FIFO mode ("TMC" is the TMC TRM, DDI 0461B, as cs_tmc.h:
 * 2.x "Hardware FIFO mode", 3.3.3 STS, 3.3.8 CTL, 3.3.10 MODE, 3.3.20
 * FFCR), which passes what its ATB slave takes to its ATB master in
 * order, buffering it in its RAM; the values and order are those of
 * Linux's coresight-tmc-etf.c (tmc_etf_enable_hw as a link, tmc_flush_
 * and_stop), which follows that TRM.  It is shared by every source
 * behind it: the first user programs and enables it, the last flushes,
 * stops and disables it.
 *
 * a path is enabled from the sink toward the source (the sink first,
 * then each link, the hop nearest the sink first, then the source), so
 * nothing is sent toward a component not yet ready; it is disabled
 * from the source toward the sink.  A link shared by several sources
 * (CPU mode: one funnel for a cluster) is claimed by its first user and
 * released by its last; between, only its own port bit or ID-filter
 * bit changes (read-modify-write).
 */
#ifndef HWT_CS_LINK_H
#define HWT_CS_LINK_H

#include "cs_pure.h"
#include "cs_seq.h"
#include "cs_tmc.h"
#include "cs_topo.h"

/* Funnel (SoC-400 "Funnel Control Register"): EnS0-EnS7 in 7:0 enable
 * the slave ports; HT, 11:8, the hold time (HT + 1 transactions of a
 * port before arbitration moves on), 0x3 at reset; 31:12 RES0. */
#define FUNNEL_CTRL		0x000
#define FUNNEL_CTRL_ENS(p)	(1u << (p))
#define FUNNEL_CTRL_ENS_MASK	0xffu
#define FUNNEL_CTRL_HT_SHIFT	8
#define FUNNEL_CTRL_HT_MASK	(0xfu << FUNNEL_CTRL_HT_SHIFT)
#define FUNNEL_CTRL_HT_RESET	3u
#define FUNNEL_CTRL_RES0	0xfffff000u
/* Funnel (SoC-400 "Priority Control Register"): 3 bits per slave port,
 * PriPort0 in 2:0 ... PriPort7 in 23:21, 0 the highest; 31:24 RES0.
 * Written only while every slave port is disabled (the TRM: changing
 * priorities with ports enabled is UNPREDICTABLE). */
#define FUNNEL_PRICTRL		0x004
#define FUNNEL_PRICTRL_RES0	0xff000000u
/* Replicator (SoC-400 "IDFILTER0/1"): bit n set stops trace IDs
 * 0x10*n .. 0x10*n + 0xf from master port 0 / 1; 31:8 RES0; 0 (pass
 * everything) at reset. */
#define REPL_IDFILTER0		0x000
#define REPL_IDFILTER1		0x004
#define REPL_IDFILTER(p)	(REPL_IDFILTER0 + 4 * (p))
#define REPL_IDFILTER_ALL	0xffu
#define REPL_IDFILTER_RES0	0xffffff00u
/* ETF as a link (TMC 3.3.20 FFCR, as Linux's __tmc_etf_enable_link):
 * formatting and trigger insertion on; with the manual flush, stop after
 * it so that the ETF is TMCReady again before it is disabled. */
#define CS_ETF_LINK_FFCR	(TMC_FFCR_ENFT | TMC_FFCR_ENTI)
/* CoreSight B2, at the same offsets in every component. */
#define CS_LINK_CLAIMSET	0xfa0
#define CS_LINK_CLAIMCLR	0xfa4
#define CS_LINK_LAR		0xfb0
#define CS_LINK_LSR		0xfb4
#define CS_LINK_DEVID		0xfc8
/* DEVID: the funnel's PORTCOUNT (3:0, slave ports), the replicator's
 * PORTNUM (3:0, master ports; 2 for the SoC-400 replicator). */
#define CS_LINK_DEVID_PORTS	0xfu

enum cs_link_kind {
	CS_LINK_FUNNEL,
	CS_LINK_REPLICATOR,
	CS_LINK_ETF,		/* a TMC in Hardware FIFO mode: port 0 */
};

/* The ID-filter bit of trace ID id (SoC-400 IDFILTERn: 16 IDs a bit). */
static inline uint32_t cs_repl_id_bit(uint8_t id)
{
	return 1u << (id >> 4);
}

/*
 * cs_link_seq_enable() - the ops that let the trace of source trace ID
 * id through one programmable link: a funnel's slave port port, or a
 * replicator's master port port.  first: no source of ours uses the
 * link yet, so it is claimed (EXPECT CLAIMCLR 0, LAR unlock, CLAIMSET;
 * a funnel's priorities set while its ports are off; a replicator's two
 * filters closed) before the bit is set; else only LAR unlock and the
 * bit.  Ends with LAR lock.  The READ before each read-modify-write
 * takes a result slot.  An ETF (first only: it has no per-source bit)
 * is claimed, then, once STS.TMCReady says it may be programmed (TMC
 * 3.3.3), MODE = Hardware FIFO (3.3.10), FFCR = EnFt | EnTI (3.3.20),
 * BUFWM = 0, CTL.TraceCaptEn = 1 (3.3.8).
 *
 * Returns the number of ops (at most CS_SEQ_MAX).
 * Returns -CS_EINVAL if port is over 7 (funnel), 1 (replicator) or 0
 * (ETF), id is no source trace ID (1..0x6f), or kind is unknown.
 */
int cs_link_seq_enable(enum cs_link_kind kind, unsigned int port, uint8_t id,
		       int first, struct cs_op *ops);

/*
 * cs_link_seq_disable() - the reverse: the port's EnS bit cleared or the
 * ID's filter bit set; last: no source of ours uses the link any more,
 * so a replicator's filters are closed and the claim released.  An ETF
 * (last only) is flushed and stopped, then disabled (TMC 3.3.20: FFCR
 * StopOnFl, then FlushMan too; wait FlushMan clear, which is when what
 * it held has left by its master port, and STS.TMCReady; CTL = 0).
 *
 * Returns the number of ops, or -CS_EINVAL as cs_link_seq_enable().
 */
int cs_link_seq_disable(enum cs_link_kind kind, unsigned int port,
			uint8_t id, int last, struct cs_op *ops);

/*
 * Who uses a link, per component of a topology: the sources of ours
 * whose trace it carries, and per bit (funnel: slave port's EnS;
 * replicator: master port and ID group's filter bit) how many need it.
 */
struct cs_link_use {
	uint16_t users;
	uint16_t bit[2][8];		/* [replicator port][bit] */
};

/*
 * cs_link_hop() - the ops that enable (enable = 1) or disable hop i of
 * path p for source trace ID id, with the users of each component in
 * use[] (indexed like t->comp, zeroed before the first path): the claim
 * is taken by the first user and released by the last, the bit set by
 * the first that needs it and cleared by the last.  Run the hops of a
 * path from the sink toward the source to enable, from the source
 * toward the sink to disable (the order above).
 *
 * Returns the number of ops, 0 if the hop needs none (a static link, or
 * a bit another source already holds or still needs).
 * Returns -CS_EINVAL if i is not a link of p (the source, the sink, out
 * of range), id is no source trace ID, or a disable finds no user.
 * A TMC with an output is taken as an ETF (its DEVID is the driver's to
 * check): one use count for all its sources.
 * Returns -CS_EOPNOTSUPP if the hop is a link this backend does not
 * program (another vendor's link).
 */
int cs_link_hop(const struct cs_topo *t, const struct cs_path *p,
		unsigned int i, uint8_t id, int enable,
		struct cs_link_use *use, struct cs_op *ops);

/*
 * cs_link_hop_forget() - takes back the use counts of an enable of hop
 * i whose ops wrote nothing (their claim check found another agent's
 * tag: -CS_EBUSY before any write), so that no disable ever runs for it
 * and the other agent's claim and settings stay as they are.
 *
 * Returns 0 if the counts were taken back;
 * Returns -CS_EINVAL if i is not a link of p, id no source trace ID, or
 *   the hop has no such use;
 * Returns -CS_EOPNOTSUPP if the hop is a link this backend does not
 *   program.
 */
int cs_link_hop_forget(const struct cs_topo *t, const struct cs_path *p,
		       unsigned int i, uint8_t id, struct cs_link_use *use);

/* Runs hop's n ops on its registers: 0, or cs_seq_run's error. */
typedef int (*cs_link_run_fn)(void *ctx, unsigned int hop,
			      const struct cs_op *ops, int n);

/*
 * cs_link_path() - enables (enable = 1) every link of path p for source
 * trace ID id from the sink toward the source, or disables them from
 * the source toward the sink (Linux's coresight_enable_path() and
 * coresight_disable_path() orders), through cs_link_hop() and run.
 * A disable goes on past a hop that failed, so that every link it can
 * reach is closed and released; an enable that fails closes what it
 * opened, the failed hop included unless its claim check found another
 * agent's tag (then nothing was written there and its use is forgotten:
 * cs_link_hop_forget()).  ops: room for CS_SEQ_MAX.
 *
 * Returns 0 if every hop completed;
 * Returns the first hop's error otherwise (-CS_EBUSY: another agent
 *   holds a link; -CS_EINVAL: an op was refused or timed out, or a
 *   hop's ops could not be made; -CS_EOPNOTSUPP: a link this backend
 *   does not program), the path closed again if enabling.
 */
int cs_link_path(const struct cs_topo *t, const struct cs_path *p,
		 uint8_t id, int enable, struct cs_link_use *use,
		 cs_link_run_fn run, void *ctx, struct cs_op *ops);

#endif /* HWT_CS_LINK_H */
