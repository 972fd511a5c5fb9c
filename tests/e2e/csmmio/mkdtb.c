// SPDX-License-Identifier: BSD-2-Clause
/*
 * mkdtb IN OUT: QEMU virt's device tree (qemu -M virt,dumpdtb=IN) with
 * the CoreSight graph of layout.h added at the root, in the binding
 * Linux 6.1 reads (Documentation/devicetree/bindings/arm/
 * arm,coresight-*.yaml: in-ports / out-ports, port@N with reg N,
 * endpoints linked by remote-endpoint; etm4x's cpu the phandle of its
 * /cpus node).  Written with libfdt (no dtc on these machines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include "layout.h"

static void *fdt;
static uint32_t next_ph, pclk;

static void die(const char *what, int err)
{
	fprintf(stderr, "mkdtb: %s: %s\n", what, fdt_strerror(err));
	exit(1);
}

static int ok(int r, const char *what)
{
	if (r < 0)
		die(what, r);
	return r;
}

/* A node's phandle, given one if it has none. */
static uint32_t phandle_of(int node)
{
	uint32_t ph = fdt_get_phandle(fdt, node);

	if (!ph) {
		ph = next_ph++;
		ok(fdt_setprop_u32(fdt, node, "phandle", ph), "phandle");
	}
	return ph;
}

/* ports/port@N/endpoint under comp (port: "port" when only port 0).
 * Returns the endpoint's node. */
static int endpoint(int comp, const char *ports, int num, int numbered,
		    uint32_t ph, uint32_t remote)
{
	char name[16];
	int p, port, ep;

	p = fdt_subnode_offset(fdt, comp, ports);
	if (p < 0) {
		p = ok(fdt_add_subnode(fdt, comp, ports), ports);
		if (numbered) {
			ok(fdt_setprop_u32(fdt, p, "#address-cells", 1), "ac");
			ok(fdt_setprop_u32(fdt, p, "#size-cells", 0), "sc");
		}
	}
	if (numbered)
		snprintf(name, sizeof(name), "port@%x", num);
	else
		snprintf(name, sizeof(name), "port");
	port = ok(fdt_add_subnode(fdt, p, name), name);
	if (numbered)
		ok(fdt_setprop_u32(fdt, port, "reg", (uint32_t)num), "reg");
	ep = ok(fdt_add_subnode(fdt, port, "endpoint"), "endpoint");
	ok(fdt_setprop_u32(fdt, ep, "phandle", ph), "ep phandle");
	ok(fdt_setprop_u32(fdt, ep, "remote-endpoint", remote), "remote");
	return ep;
}

static int component(const struct csmmio_win *w)
{
	char compat[96];
	size_t n = strlen(w->compat) + 1;
	fdt64_t reg[2] = { cpu_to_fdt64(w->pa), cpu_to_fdt64(CSMMIO_SIZE) };
	int node = ok(fdt_add_subnode(fdt, 0, w->node), w->node);

	memcpy(compat, w->compat, n);
	memcpy(compat + n, "arm,primecell", sizeof("arm,primecell"));
	ok(fdt_setprop(fdt, node, "compatible", compat,
		       (int)(n + sizeof("arm,primecell"))), "compatible");
	ok(fdt_setprop(fdt, node, "reg", reg, sizeof(reg)), "reg");
	/* The APB clock an AMBA device needs before its IDs are read (as
	 * Juno's "apb_pclk"): QEMU virt's fixed /apb-pclk. */
	ok(fdt_setprop_u32(fdt, node, "clocks", pclk), "clocks");
	ok(fdt_setprop_string(fdt, node, "clock-names", "apb_pclk"),
	   "clock-names");
	if (w->kind == CSMMIO_ETR)
		ok(fdt_setprop_empty(fdt, node, "arm,scatter-gather"), "sg");
	return node;
}

int main(int argc, char **argv)
{
	uint32_t etm_out[CSMMIO_NCPU], cf_in[CSMMIO_NCPU];
	uint32_t cf_out, mf_in, mf_out, etr_in;
	int node[W_N], c, ac;
	FILE *f;
	void *in;

	if (argc != 3) {
		fprintf(stderr, "usage: mkdtb IN.dtb OUT.dtb\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f)
		return perror(argv[1]), 1;
	in = malloc(1 << 20);
	if (!in || !fread(in, 1, 1 << 20, f))
		return perror(argv[1]), 1;
	fclose(f);
	ok(fdt_check_header(in), "header");
	fdt = malloc((size_t)fdt_totalsize(in) + 65536);
	ok(fdt_open_into(in, fdt, (int)fdt_totalsize(in) + 65536), "open");
	/* The root must address 64 bits (QEMU virt: 2 and 2). */
	ac = fdt_address_cells(fdt, 0);
	if (ac != 2 || fdt_size_cells(fdt, 0) != 2)
		die("root #address-cells/#size-cells are not 2/2", 0);
	next_ph = fdt_get_max_phandle(fdt) + 1;
	pclk = phandle_of(ok(fdt_path_offset(fdt, "/apb-pclk"), "/apb-pclk"));

	for (c = 0; c < W_N; c++)
		node[c] = component(&csmmio_wins[c]);
	for (c = 0; c < CSMMIO_NCPU; c++) {
		etm_out[c] = next_ph++;
		cf_in[c] = next_ph++;
	}
	cf_out = next_ph++;
	mf_in = next_ph++;
	mf_out = next_ph++;
	etr_in = next_ph++;
	for (c = 0; c < W_N; c++) {
		const struct csmmio_win *w = &csmmio_wins[c];
		char path[32];
		int cpu;

		if (w->kind != CSMMIO_ETM)
			continue;
		snprintf(path, sizeof(path), "/cpus/cpu@%x", w->cpu);
		cpu = ok(fdt_path_offset(fdt, path), path);
		/* the node offsets moved: find ours again by name */
		node[c] = ok(fdt_subnode_offset(fdt, 0, w->node), w->node);
		ok(fdt_setprop_u32(fdt, node[c], "cpu", phandle_of(cpu)),
		   "cpu");
		node[c] = ok(fdt_subnode_offset(fdt, 0, w->node), w->node);
		endpoint(node[c], "out-ports", 0, 0, etm_out[w->cpu],
			 cf_in[w->cpu]);
	}
	for (c = 0; c < CSMMIO_NCPU; c++) {
		int n = ok(fdt_subnode_offset(fdt, 0,
					      csmmio_wins[W_CFUNNEL].node), "cf");

		endpoint(n, "in-ports", c, 1, cf_in[c], etm_out[c]);
	}
	endpoint(ok(fdt_subnode_offset(fdt, 0, csmmio_wins[W_CFUNNEL].node),
		    "cf"), "out-ports", 0, 0, cf_out, mf_in);
	endpoint(ok(fdt_subnode_offset(fdt, 0, csmmio_wins[W_MFUNNEL].node),
		    "mf"), "in-ports", 0, 1, mf_in, cf_out);
	endpoint(ok(fdt_subnode_offset(fdt, 0, csmmio_wins[W_MFUNNEL].node),
		    "mf"), "out-ports", 0, 0, mf_out, etr_in);
	endpoint(ok(fdt_subnode_offset(fdt, 0, csmmio_wins[W_ETR].node),
		    "etr"), "in-ports", 0, 0, etr_in, mf_out);
	ok(fdt_pack(fdt), "pack");
	f = fopen(argv[2], "wb");
	if (!f || fwrite(fdt, 1, fdt_totalsize(fdt), f) != fdt_totalsize(fdt))
		return perror(argv[2]), 1;
	fclose(f);
	return 0;
}
