/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CoreSight graph tests/e2e/cs_mmio.sh adds to QEMU virt's device
 * tree (mkdtb.c) and fills through /dev/mem in the guest (guest.c), in
 * one place.  Juno's shape and names, moved into guest RAM that the
 * kernel is told not to use (mem=1008M of -m 1024: 0x7f000000 up is
 * left out of the linear map, so ioremap takes it and /dev/mem reaches
 * it): each CPU's ETMv4 (etm4x) into a cluster funnel (its in-port
 * CPU), that into the main funnel's in-port 0, that into an ETR
 * (arm,coresight-tmc with arm,scatter-gather).  Every component is one
 * 4 KiB window, arm,primecell as on Juno (juno-base.dtsi), so Linux
 * makes AMBA devices of them.
 */
#ifndef CSMMIO_LAYOUT_H
#define CSMMIO_LAYOUT_H

#include <stdint.h>

#define CSMMIO_NCPU	2
#define CSMMIO_SIZE	0x1000u

enum csmmio_kind { CSMMIO_ETM, CSMMIO_FUNNEL, CSMMIO_ETR };

struct csmmio_win {
	const char *node;
	const char *compat;	/* first compatible; "arm,primecell" follows */
	uint64_t pa;
	enum csmmio_kind kind;
	int cpu;		/* an ETM's CPU, else -1 */
};

enum { W_ETM0, W_ETM1, W_CFUNNEL, W_MFUNNEL, W_ETR, W_N };

static const struct csmmio_win csmmio_wins[W_N] = {
	[W_ETM0] = { "etm@7f040000", "arm,coresight-etm4x", 0x7f040000,
		     CSMMIO_ETM, 0 },
	[W_ETM1] = { "etm@7f140000", "arm,coresight-etm4x", 0x7f140000,
		     CSMMIO_ETM, 1 },
	[W_CFUNNEL] = { "funnel@7f0c0000", "arm,coresight-dynamic-funnel",
			0x7f0c0000, CSMMIO_FUNNEL, -1 },
	[W_MFUNNEL] = { "funnel@7f440000", "arm,coresight-dynamic-funnel",
			0x7f440000, CSMMIO_FUNNEL, -1 },
	[W_ETR] = { "etr@7f470000", "arm,coresight-tmc", 0x7f470000,
		    CSMMIO_ETR, -1 },
};

#endif /* CSMMIO_LAYOUT_H */
