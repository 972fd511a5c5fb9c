/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CoreSight graph of tests/e2e/csmmio/layout.h as ACPI describes it
 * (Arm DEN 0067; Linux's coresight-platform.c reads the same): one
 * device per window, ETMs (ARMHC500) under QEMU virt's processor
 * devices \_SB.C000 and \_SB.C001 (ACPI0007, _UID 0 and 1, in QEMU
 * 7.2's DSDT), the funnels (ARMHC9FF) and the ETR (ARMHC97C, with the
 * "arm,scatter-gather" device property) under \_SB, each with a
 * Memory32Fixed window and a _DSD CoreSight graph whose links are both
 * ends of the DT's edges.  mkssdt.c writes it as ASL for the booted
 * test (tests/e2e/cs_acpi.sh); backends/coresight/tests/test_acpi.c
 * builds the same objects for cs_acpi and checks the paths equal the
 * device tree's.
 */
#ifndef CSACPI_LAYOUT_H
#define CSACPI_LAYOUT_H

#include "../csmmio/layout.h"

#define CSACPI_MAX_LINK	3

struct csacpi_link {
	int port, remote_port;	/* local, remote */
	int remote;		/* W_* */
	int out;		/* 1: output (master), 0: input */
};

struct csacpi_dev {
	const char *path;	/* as acpi_get_name(ACPI_FULL_PATHNAME) */
	const char *scope;	/* its parent, in ASL */
	const char *name;	/* its 4-character name */
	const char *hid;
	int sg;			/* "arm,scatter-gather" */
	unsigned int nlink;
	struct csacpi_link link[CSACPI_MAX_LINK];
};

/* Indexed by layout.h's W_*: the same windows. */
static const struct csacpi_dev csacpi_devs[W_N] = {
	[W_ETM0] = { "\\_SB_.C000.ETM0", "\\_SB.C000", "ETM0", "ARMHC500",
		     0, 1, { { 0, 0, W_CFUNNEL, 1 } } },
	[W_ETM1] = { "\\_SB_.C001.ETM1", "\\_SB.C001", "ETM1", "ARMHC500",
		     0, 1, { { 0, 1, W_CFUNNEL, 1 } } },
	[W_CFUNNEL] = { "\\_SB_.CFUN", "\\_SB", "CFUN", "ARMHC9FF", 0, 3,
			{ { 0, 0, W_ETM0, 0 }, { 1, 0, W_ETM1, 0 },
			  { 0, 0, W_MFUNNEL, 1 } } },
	[W_MFUNNEL] = { "\\_SB_.MFUN", "\\_SB", "MFUN", "ARMHC9FF", 0, 2,
			{ { 0, 0, W_CFUNNEL, 0 }, { 0, 0, W_ETR, 1 } } },
	[W_ETR] = { "\\_SB_.ETR0", "\\_SB", "ETR0", "ARMHC97C", 1, 1,
		    { { 0, 0, W_MFUNNEL, 0 } } },
};

#endif /* CSACPI_LAYOUT_H */
