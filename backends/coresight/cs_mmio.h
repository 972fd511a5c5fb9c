/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_mmio: which memory-mapped CoreSight components a board's ETMv4
 * tracing needs and where their registers are, as pure logic over a
 * cs_topo read from the device tree (the kernel half is hwt_cs_mmio.c,
 * which ioremaps what this says).
 *
 * For each CPU (by its MPIDR affinity, as /cpus reg holds it): its
 * ETMv4 (cs_topo_etm_of), the sink its trace is collected in
 * (cs_topo_collector: the nearest TMC without an output, the ETR behind
 * an ETF), and the funnels, replicators and TMCs (ETFs, driven as links
 * in Hardware FIFO mode) on the path there (cs_topo_path); every CPU
 * must reach the same TMC (what hwt_coresight drives: one ETR shared
 * behind funnels, an ETF and replicators).  Each component
 * with registers becomes one window: its first reg entry, translated
 * to a CPU physical address through the ranges of every bus above it
 * (Devicetree Specification v0.4, 2.3.6 "reg" and 2.3.8 "ranges": an
 * empty ranges maps 1:1, a bus without one cannot be translated).  A
 * CoreSight component's programmers' model is 4 KiB (CoreSight
 * Architecture Specification B2.1 "component"), so a window shorter
 * than that is malformed.
 */
#ifndef HWT_CS_MMIO_H
#define HWT_CS_MMIO_H

#include "cs_topo.h"

#define CS_MMIO_MAX_WIN		32
#define CS_MMIO_WIN_MIN		0x1000u	/* one 4 KiB component */
#define CS_MMIO_NO_CPU		(~0ull)	/* an absent or offline CPU */

enum cs_mmio_role {
	CS_MMIO_ETM,		/* a CPU's ETMv4 */
	CS_MMIO_LINK,		/* a programmable funnel, replicator, ETF */
	CS_MMIO_SINK,		/* the TMC every CPU reaches */
};

struct cs_mmio_win {
	uint16_t comp;		/* index in the topology's comp[] */
	uint8_t role;		/* enum cs_mmio_role */
	int16_t cpu;		/* an ETM's CPU (index in mpidr[]), else -1 */
	uint64_t dt_base;	/* reg as the tree says (cs_comp.base) */
	uint64_t pa, size;	/* translated to the CPU's address space */
};

struct cs_mmio_plan {
	struct cs_mmio_win win[CS_MMIO_MAX_WIN];
	unsigned int nwin;
	int16_t etm[CS_TOPO_MAX_CPU];	/* CPU c's ETM window, -1: none */
	int16_t sink;			/* the shared TMC's window */
	/* What a refusal is about (-1 if nothing in particular). */
	int bad_cpu, bad_comp;
};

/*
 * The first reg entry of node (found under root) as a CPU physical
 * address: decoded with its parent's #address-cells / #size-cells
 * (2 and 1 where absent), then through each bus's ranges up to root.
 * Returns 0 with *pa and *size set;
 * Returns -CS_ENODEV if node is not in the tree under root or has no
 *   reg;
 * Returns -CS_EINVAL if a reg or ranges is malformed or wider than 64
 *   bits, a bus on the way has no ranges, or no ranges entry covers
 *   the whole of the window.
 */
int cs_mmio_reg(const struct cs_dt_ops *ops, void *ctx, uintptr_t root,
		uintptr_t node, uint64_t *pa, uint64_t *size);

/*
 * The windows tracing needs for the CPUs whose MPIDR affinities are
 * mpidr[0..ncpu) (CS_MMIO_NO_CPU: skip that one), from topology t read
 * from the tree under root through ops.  Uses t->reach (cs_topo_path).
 * Returns 0 with *p filled;
 * Returns -CS_EINVAL if ncpu is over CS_TOPO_MAX_CPU, no CPU is given,
 *   or a window's reg is malformed, untranslatable or under 4 KiB
 *   (bad_comp says which);
 * Returns -CS_ENODEV if a CPU has no ETMv4 or its ETMv4 reaches no
 *   sink (bad_cpu says which);
 * Returns -CS_EOPNOTSUPP if a CPU reaches sinks but no TMC (a TPIU
 *   only), its TMC is not the one the other CPUs reach, or the path has
 *   a link other than a funnel, replicator or TMC (bad_cpu, bad_comp);
 * Returns -CS_E2BIG if there are more windows than CS_MMIO_MAX_WIN or
 *   a path is too long.
 */
int cs_mmio_plan(struct cs_topo *t, const struct cs_dt_ops *ops, void *ctx,
		 uintptr_t root, const uint64_t *mpidr, unsigned int ncpu,
		 struct cs_mmio_plan *p);

/*
 * The window whose dt_base is base and whose role is role, or -1 if
 * none (link_read/link_write name a link by its reg in the tree).
 */
int cs_mmio_find(const struct cs_mmio_plan *p, uint64_t base,
		 enum cs_mmio_role role);

/*
 * Whether an ETMv4 register is 64 bits wide (ETMv4 7.2 register
 * summary: the address comparator values and access types TRCACVRn /
 * TRCACATRn, the data value comparators TRCDVCVRn / TRCDVCMRn, the
 * context ID and VMID comparators TRCCIDCVRn / TRCVMIDCVRn).  On a
 * 32-bit memory-mapped interface (APB) each is two 32-bit accesses,
 * the low word at the offset, the high word at offset + 4.
 * Returns 1 if it is, 0 if not.
 */
int cs_mmio_etm_reg64(uint32_t off);

#endif /* HWT_CS_MMIO_H */
