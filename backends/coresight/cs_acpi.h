/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cs_acpi: the CoreSight components an ACPI namespace describes, as the
 * device tree cs_topo reads.  Pure logic: the kernel half
 * (hwt_cs_acpi.c) walks the namespace, evaluates each component's _DSD
 * and _CRS and hands them here as struct cs_acpi_dev, whose _DSD is a
 * tree of struct cs_acpi_obj mirroring ACPICA's union acpi_object
 * (integer, string, buffer, package, reference).
 *
 * "DEN0067" is Arm's "CoreSight ACPI Base Specification" (ARM DEN 0067);
 * its text was not at hand here, so its rules are cited by topic, and
 * checked against Linux 6.1's reading of them,
 * drivers/hwtracing/coresight/coresight-platform.c
 * (acpi_get_dsd_graph, acpi_validate_dsd_graph,
 * acpi_get_coresight_graph, acpi_coresight_parse_link,
 * acpi_coresight_get_cpu), and the _HIDs Linux 6.1 matches
 * (drivers/acpi/arm64/amba.c, coresight-funnel.c, -replicator.c):
 *  - components by _HID (DEN0067 "Component identification"):
 *    ARMHC500 ETMv4, ARMHC97C TMC (SoC-400 ETB/ETF/ETR, SoC-600
 *    ETF/ETB), ARMHC501 SoC-600 ETR, ARMHC9FF dynamic funnel, ARMHC9FE
 *    static funnel (no registers), ARMHC98D dynamic replicator,
 *    ARMHC985 static replicator, ARMHC979 TPIU;
 *  - an ETM is a child of its processor device (DEN0067 "ETM": the
 *    trace unit is described under the processor it traces;
 *    acpi_coresight_get_cpu takes the parent);
 *  - registers: the first memory window of _CRS (Memory32Fixed or
 *    QWordMemory); a programmable component must have one;
 *  - _DSD (ACPI 6.x 6.2.5 "_DSD (Device Specific Data)"): pairs of a
 *    16-byte UUID buffer and a package.  The ACPI graph UUID
 *    ab02a46b-74c7-45a2-bd68-f7d344ef2153's package is
 *    { Revision (0), NumberOfGraphs, Graph[...] }, and the graph whose
 *    UUID is the CoreSight graph's 3ecbc8b6-1d0e-4fb3-8107-e627f805c6cd
 *    is { GraphID, UUID, NumberOfLinks, Link[...] }, each link
 *    { local port, remote port, remote device reference, direction:
 *    1 output (master), 0 input (slave) } (DEN0067 "CoreSight graph",
 *    "Link descriptor").  The device-properties UUID
 *    daffd814-6eba-4d8c-8a91-bc9bbf4aa301 may carry "arm,scatter-gather"
 *    for an ETR (as Linux's tmc_etr_can_use_sg reads it).
 *
 * The result is the tree cs_topo_parse() reads from a device tree
 * (cs_topo.h): /cpus/cpu@N with reg = the CPU's MPIDR affinity, one
 * node per component named by its ACPI path, with compatible, reg
 * (2 + 2 cells), status = "disabled" if _STA says so, cpu = <&cpuN>,
 * and in-ports / out-ports / port@N / endpoint with phandle and
 * remote-endpoint per link.  So cs_topo, cs_mmio and hwt_coresight read
 * an ACPI machine exactly as a device-tree one.
 */
#ifndef HWT_CS_ACPI_H
#define HWT_CS_ACPI_H

#include "cs_pure.h"
#include "cs_topo.h"
#include "cs_dtmem.h"

/* union acpi_object's type numbers (ACPICA actypes.h). */
enum cs_acpi_type {
	CS_ACPI_INTEGER = 1,
	CS_ACPI_STRING = 2,
	CS_ACPI_BUFFER = 3,
	CS_ACPI_PACKAGE = 4,
	CS_ACPI_REFERENCE = 0x14,	/* ACPI_TYPE_LOCAL_REFERENCE */
};

struct cs_acpi_obj {
	enum cs_acpi_type type;
	uint64_t integer;		/* INTEGER */
	const uint8_t *bytes;		/* STRING (NUL optional), BUFFER */
	uint32_t len;			/* bytes, or a PACKAGE's count */
	const struct cs_acpi_obj *elem;	/* PACKAGE */
	uintptr_t ref;			/* REFERENCE: a device's handle */
};

#define CS_ACPI_HID		9	/* "ARMHC500" and a NUL */

struct cs_acpi_dev {
	char hid[CS_ACPI_HID];
	char name[CS_TOPO_NAME];	/* its path, "\\_SB.C000.ETM0" */
	uintptr_t handle, parent;	/* namespace handles */
	int enabled;			/* _STA present and enabled */
	uint64_t base, size;		/* _CRS's first memory window */
	const struct cs_acpi_obj *dsd;	/* evaluated _DSD, NULL if none */
};

/* A processor device: its handle and the MPIDR affinity of that CPU. */
struct cs_acpi_cpu {
	uintptr_t handle;
	uint64_t mpidr;
};

#define CS_ACPI_MAX_DEV		CS_TOPO_MAX_COMP
#define CS_ACPI_MAX_LINK	CS_TOPO_MAX_EP
#define CS_ACPI_NODES		1024
#define CS_ACPI_PROPS		2048
#define CS_ACPI_DATA		32768	/* values and node names */
#define CS_ACPI_DEPTH		6	/* _DSD nesting read */

struct cs_acpi_link {
	uint16_t dev, remote;		/* indices in dev[] */
	uint8_t out;			/* 1: output (master) */
	uint8_t port, remote_port;
	int16_t peer;			/* the other end, -1: none yet */
};

/* The tree built (read it as a cs_dtmem: &tr->m) and its tables. */
struct cs_acpi_tree {
	struct cs_dtmem m;
	struct cs_dtmem_node node[CS_ACPI_NODES];
	struct cs_dtmem_prop prop[CS_ACPI_PROPS];
	uint8_t data[CS_ACPI_DATA];
	int16_t node_dev[CS_ACPI_NODES];	/* a component's dev[], or -1 */
	struct cs_acpi_link link[CS_ACPI_MAX_LINK];
	unsigned int nlink;
	/* What a refusal is about: index in dev[], or -1. */
	int bad_dev;
};

/*
 * The _HIDs of the components this backend reads, for the namespace
 * walk.  Returns the i-th ("ARMHC500", ...), or NULL past the last.
 */
const char *cs_acpi_hid_at(unsigned int i);

/*
 * The tree of the components dev[0..ndev) whose ETMs' parents are among
 * the processors cpu[0..ncpu), into *tr (rebuilt from scratch).  Read it
 * with cs_dtmem_ops, &tr->m as the context, from cs_dtmem_root(&tr->m).
 * Returns 0 if every component and link is well formed;
 * Returns -CS_EINVAL (tr->bad_dev says which device) if a _HID is not a
 *   component's, a programmable component has no memory window, an
 *   enabled ETM's parent is no processor given, a _DSD is not pairs
 *   of a 16-byte UUID and a package, the graph's revision is not 0,
 *   its NumberOfGraphs or NumberOfLinks disagrees with its package,
 *   there are two CoreSight graphs, a link is not 4 elements of
 *   integer, integer, reference, integer, a port is over 255, the
 *   direction is neither 0 nor 1, a link names itself or a device that
 *   is not a component, two links share a port and direction, or a
 *   link is described at one end only (each output needs the input it
 *   feeds, each input the output feeding it);
 * Returns -CS_E2BIG if there are more devices, CPUs or links than the
 *   tables hold, or the tree
 *   outgrows its tables.
 */
int cs_acpi_build(struct cs_acpi_tree *tr, const struct cs_acpi_dev *dev,
		  unsigned int ndev, const struct cs_acpi_cpu *cpu,
		  unsigned int ncpu);

/*
 * The device a component's node stands for.
 * Returns its index in the dev[] given to cs_acpi_build(), or -1 if
 * node is no component's.
 */
int cs_acpi_tree_dev(const struct cs_acpi_tree *tr, uintptr_t node);

#endif /* HWT_CS_ACPI_H */
