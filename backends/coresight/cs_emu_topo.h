/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_emu_topo: the device tree of the emulated CoreSight topology, a
 * Juno-shaped trace bus (Juno r1's juno-r1.dtb and its DS-5 snapshot:
 * each cluster's ETMs into a cluster funnel, the cluster funnels into
 * the main funnel, one TMC behind it for every CPU), held in memory as
 * nodes and properties and read through struct cs_dt_ops, so that
 * hwt_coresight finds it with cs_topo_parse() exactly as it reads a
 * real board's tree (hwt_cs_of.c), and the emulator (hwt_cs_emu) builds
 * its funnels and its shared TMC from the same parse.
 *
 *   /cpus/cpu@N             reg = the CPU's MPIDR affinity, phandle
 *   /etm@...                arm,coresight-etm4x, cpu = <&cpuN>,
 *                           out-ports/port -> the funnel of cluster
 *                           N % 2, its port N / 2
 *   /funnel@220c0000 (CPUs 0, 2), /funnel@230c0000 (CPUs 1, 3)
 *                           arm,coresight-dynamic-funnel,
 *                           in-ports/port@0, port@1, out-ports/port ->
 *                           main funnel port 0 / 1
 *   /funnel@20040000        the main funnel, in-ports/port@0, port@1
 *   /etr@20070000           arm,coresight-tmc, arm,scatter-gather
 *
 * CS_EMU_TOPO_JUNO_R1, the board as juno-r1.dtb wires it, puts the
 * ETF and the replicator between the main funnel and the ETR:
 *
 *   /funnel@20040000        out-ports/port -> the ETF
 *   /etf@20010000           arm,coresight-tmc, in-ports/port,
 *                           out-ports/port -> funnel@20150000 port 0
 *   /funnel@20150000        in-ports/port@0, out-ports/port
 *   /replicator@20120000    arm,coresight-dynamic-replicator,
 *                           out-ports/port@0 -> the TPIU, port@1 -> ETR
 *   /tpiu@20030000          arm,coresight-tpiu
 *   /etr@20070000           as above
 *
 * The addresses are Juno r1's (etm@22040000 ... from juno-r1.dtb);
 * nothing is mapped there: the emulator answers register accesses by
 * component base.  Graph as Linux's binding (cs_topo.h): "port@N" with
 * reg = <N>, endpoints with phandle and remote-endpoint.
 *
 * Why not the VM's own device tree: QEMU virt generates its tree, and a
 * tree given with -dtb that names arm,primecell components makes the
 * AMBA bus read their peripheral IDs at addresses where nothing
 * answers; the emulated unit brings its tree along instead.
 *
 * Pure C with no kernel includes.
 */
#ifndef HWT_CS_EMU_TOPO_H
#define HWT_CS_EMU_TOPO_H

#include "cs_pure.h"
#include "cs_topo.h"
#include "cs_dtmem.h"

#define CS_EMU_TOPO_MAX_CPU	4
#define CS_EMU_TOPO_NODES	96
#define CS_EMU_TOPO_PROPS	288
#define CS_EMU_TOPO_DATA	4608	/* values and node names */

enum cs_emu_topo_shape {
	CS_EMU_TOPO_FUNNELS,	/* funnels -> ETR */
	CS_EMU_TOPO_JUNO_R1,	/* funnels -> ETF -> funnel -> replicator
				 * -> ETR (and TPIU) */
};

/* The tree (read it as a cs_dtmem: &t->m) and its tables. */
struct cs_emu_topo {
	struct cs_dtmem m;
	struct cs_dtmem_node node[CS_EMU_TOPO_NODES];
	struct cs_dtmem_prop prop[CS_EMU_TOPO_PROPS];
	uint8_t data[CS_EMU_TOPO_DATA];
};

/*
 * cs_emu_topo_build() - the tree for ncpu CPUs whose MPIDR affinities
 * are mpidr[0..ncpu).  Read it with cs_dtmem_ops, &t->m as the context,
 * from cs_dtmem_root(&t->m).
 * Returns 0.
 * Returns -CS_EINVAL if ncpu is 0 or over CS_EMU_TOPO_MAX_CPU.
 */
int cs_emu_topo_build(struct cs_emu_topo *t, unsigned int ncpu,
		      const uint64_t *mpidr);

/*
 * cs_emu_topo_build_shape() - cs_emu_topo_build() for shape.
 * Returns 0.
 * Returns -CS_EINVAL if ncpu is 0 or over CS_EMU_TOPO_MAX_CPU, or shape
 * is unknown.
 */
int cs_emu_topo_build_shape(struct cs_emu_topo *t,
			    enum cs_emu_topo_shape shape, unsigned int ncpu,
			    const uint64_t *mpidr);

#endif /* HWT_CS_EMU_TOPO_H */
