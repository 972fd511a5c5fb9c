/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_topo: the CoreSight topology of an ETMv4 system as pure logic: the
 * components a device tree describes (ETMv4 sources, funnels,
 * replicators, TMCs, TPIUs), the trace bus between them, and the path
 * from each CPU's ETM to a sink with the port each link takes the trace
 * in and sends it out on.
 *
 * The tree is read through struct cs_dt_ops, a handful of calls that
 * libfdt implements in the user-space tests (on the DTBs Debian's arm64
 * kernel ships) and of_* in the module, so the binding is interpreted
 * here, once.  "Binding" below is Linux's
 * Documentation/devicetree/bindings/arm/arm,coresight-*.yaml (6.1:
 * etm4x, dynamic-funnel, static-funnel, dynamic-replicator,
 * static-replicator, tmc, tpiu) and graph.yaml of dt-schema:
 *  - a component's inputs are under an "in-ports" node, its outputs
 *    under "out-ports"; each holds "port" (port 0) or "port@N" nodes
 *    with reg = <N> (graph.yaml "port@[0-9a-f]+", "reg: the port
 *    number"); each port holds "endpoint" or "endpoint@M" nodes whose
 *    remote-endpoint is the phandle of the endpoint at the other end;
 *  - an input port's number is the funnel's slave interface, so the
 *    FUNNEL_CTRL enable bit (SoC-400 TRM "CSTF Control Register", bits
 *    7:0 EnS0-EnS7); an output port's number is the replicator's master
 *    interface, so IDFILTER0 or IDFILTER1 (SoC-400 TRM, "Replicator ID
 *    filter registers");
 *  - the etm4x node's "cpu" is the phandle of its CPU's node under
 *    /cpus, whose reg is the CPU's MPIDR affinity;
 *  - a TMC node does not say whether it is an ETB, ETF or ETR: its
 *    DEVID.CONFIGTYPE does (TMC 3.3.x "DEVID"), read by the driver.  The
 *    graph only says that a TMC with an output can also be a link (an
 *    ETF in hardware FIFO mode); arm,scatter-gather allows the ETR's SG
 *    mode;
 *  - the legacy binding (ports directly under the node, inputs marked
 *    slave-mode) predates Linux 5.3 and is refused (-CS_EINVAL).
 */
#ifndef HWT_CS_TOPO_H
#define HWT_CS_TOPO_H

#include "cs_pure.h"

#define CS_TOPO_MAX_COMP	96
#define CS_TOPO_MAX_EP		256
#define CS_TOPO_MAX_CPU		64
#define CS_TOPO_MAX_HOPS	12	/* source, links, sink */
#define CS_TOPO_NAME		32
#define CS_TOPO_DEPTH		8	/* node nesting the walk follows */

/* A node of the tree is a uintptr_t the ops define; 0 is none. */
struct cs_dt_ops {
	/* The child after prev (prev 0: the first child), or 0 if none. */
	uintptr_t (*child)(void *ctx, uintptr_t parent, uintptr_t prev);
	/* The node's name with its unit address ("port@1"), never NULL. */
	const char *(*name)(void *ctx, uintptr_t node);
	/* A property's value and length, or NULL if it has none. */
	const void *(*prop)(void *ctx, uintptr_t node, const char *name,
			    int *len);
};

enum cs_comp_kind {
	CS_COMP_OTHER,		/* on the trace bus, not ours (STM, ETB10..) */
	CS_COMP_ETM4,		/* arm,coresight-etm4x */
	CS_COMP_FUNNEL,		/* arm,coresight-{dynamic,static}-funnel */
	CS_COMP_REPLICATOR,	/* arm,coresight-{dynamic,static}-replicator */
	CS_COMP_TMC,		/* arm,coresight-tmc: ETB, ETF or ETR */
	CS_COMP_TPIU,		/* arm,coresight-tpiu */
};

#define CS_COMP_STATIC		(1u << 0)	/* no registers (static-*) */
#define CS_COMP_DISABLED	(1u << 1)	/* status is not "okay" */
#define CS_COMP_SG		(1u << 2)	/* arm,scatter-gather */

struct cs_comp {
	enum cs_comp_kind kind;
	unsigned int flags;		/* CS_COMP_* */
	char name[CS_TOPO_NAME];	/* node name, "funnel@20040000" */
	uintptr_t node;
	/* First reg entry, in the parent bus's address space (0: none). */
	uint64_t base, size;
	int cpu;			/* ETM4: index in cpus[], else -1
					 * (also a disabled ETM4 without cpu) */
	uint32_t cpu_phandle;		/* ETM4: its "cpu" */
	uint16_t n_in, n_out;		/* connected endpoints */
};

struct cs_ep {
	uint16_t comp;			/* index in comp[] */
	uint8_t out;			/* 1: under out-ports */
	uint8_t port;			/* port@N's N */
	uint32_t phandle;		/* the endpoint's own */
	uint32_t remote;		/* remote-endpoint */
	int peer;			/* index in ep[], -1 until linked */
};

struct cs_topo_cpu {
	uint32_t phandle;
	uint64_t mpidr;			/* reg */
	char compatible[CS_TOPO_NAME];	/* first string, "arm,cortex-a53" */
	uintptr_t node;
};

/* Scratch of cs_topo_path() and cs_topo_sinks(), per component. */
struct cs_topo_reach {
	int16_t prev;			/* reached from, -1: not reached */
	int16_t in_port, out_port;	/* its input, prev's output */
	uint16_t order;			/* the i-th component reached */
};

struct cs_topo {
	struct cs_comp comp[CS_TOPO_MAX_COMP];
	struct cs_ep ep[CS_TOPO_MAX_EP];
	struct cs_topo_cpu cpus[CS_TOPO_MAX_CPU];
	unsigned int ncomp, nep, ncpu;
	struct cs_topo_reach reach[CS_TOPO_MAX_COMP];	/* scratch */
};

/* One component on a path and the ports the trace uses there. */
struct cs_hop {
	uint16_t comp;
	int16_t in_port;		/* -1 at the source */
	int16_t out_port;		/* -1 at the sink */
};

struct cs_path {
	struct cs_hop hop[CS_TOPO_MAX_HOPS];
	unsigned int nhop;		/* hop[0] the source, hop[nhop-1] the sink */
};

/*
 * A #address-cells / #size-cells value of node n, or def if it has none.
 * Returns 0 with *v set if it is absent or 0..4 (PCI buses have 3);
 * Returns -CS_EINVAL if it is malformed or larger than 4.
 */
int cs_dt_ncells(const struct cs_dt_ops *ops, void *ctx, uintptr_t n,
		 const char *name, uint32_t def, uint32_t *v);

/* Returns cells [0, ncells) of p (big-endian) as one number (ncells <= 2). */
uint64_t cs_dt_cells(const uint8_t *p, uint32_t ncells);

/*
 * Reads the CoreSight components, their graph and /cpus from the tree
 * under root into *t (zeroed first).
 * Returns 0 if the tree was read (it may hold no component);
 * Returns -CS_EINVAL if a property is malformed (a reg shorter than its
 *   cells, an endpoint without a phandle, a remote-endpoint that names
 *   no endpoint or one in the same direction, an enabled etm4x without
 *   a cpu or one whose cpu names no CPU node, a legacy "ports" node);
 * Returns -CS_E2BIG if there are more components, endpoints or CPUs
 *   than the table holds, a port number over 255, or nesting deeper
 *   than CS_TOPO_DEPTH.
 */
int cs_topo_parse(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		  uintptr_t root);

/*
 * The index of the component named name (node name), or -1 if none.
 */
int cs_topo_find(const struct cs_topo *t, const char *name);

/*
 * The ETM of the CPU whose reg (MPIDR affinity) is mpidr.
 * Returns its index in comp[], or -1 if that CPU has no ETMv4.
 */
int cs_topo_etm_of(const struct cs_topo *t, uint64_t mpidr);

/*
 * A source is a component with outputs and no inputs (an ETM, an STM).
 * The path of the trace from component src to component sink over the
 * graph, through enabled links (funnels, replicators, and TMCs that have
 * an output: an ETF in hardware FIFO mode), shortest first and, among
 * equal lengths, through the lowest port numbers.  Uses t->reach: one
 * caller at a time per topology.
 * Returns 0 with *p filled if there is one;
 * Returns -CS_ENODEV if sink cannot be reached from src, or either is
 *   disabled;
 * Returns -CS_EINVAL if src is not a source or sink not a TMC or TPIU,
 *   or an index is out of range;
 * Returns -CS_E2BIG if the only paths are longer than CS_TOPO_MAX_HOPS.
 */
int cs_topo_path(struct cs_topo *t, unsigned int src, unsigned int sink,
		 struct cs_path *p);

/*
 * The components in which trace from src can be stored: every TMC and
 * TPIU reachable through enabled links, in order of distance.
 * Returns the number found (at most max, written to sinks[]), 0 if none;
 * Returns -CS_EINVAL if src is out of range or not a source.
 */
int cs_topo_sinks(struct cs_topo *t, unsigned int src,
		  uint16_t *sinks, unsigned int max);

/*
 * The sink the trace of src is collected in: the nearest TMC reachable
 * through enabled links that has no output (an ETR or an ETB, where the
 * trace ends up), every TMC on the way with an output being an ETF that
 * passes trace on in Hardware FIFO mode (TMC TRM 2.x "Hardware FIFO
 * mode"), as Linux's coresight_find_default_sink() prefers an ETR to an
 * ETF; if each TMC reached has an output, the nearest TMC.  Whether a
 * TMC is an ETR or an ETF is its DEVID.CONFIGTYPE's to say, which the
 * driver reads.  Uses t->reach.
 * Returns the component's index;
 * Returns -CS_ENODEV if src reaches no enabled TMC or is disabled;
 * Returns -CS_EINVAL if src is out of range or not a source.
 */
int cs_topo_collector(struct cs_topo *t, unsigned int src);

#endif /* HWT_CS_TOPO_H */
