/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libfdt as cs_topo's cs_dt_ops, for the tests that read real DTBs (the
 * arm64 kernel package's, CS_DTBS: backends/coresight/Makefile).
 */
#ifndef CS_FDT_H
#define CS_FDT_H

#include <stdio.h>
#include <stdlib.h>
#include <libfdt.h>

#include "../cs_topo.h"

#ifndef CS_DTBS
#define CS_DTBS "build/vm-arm64/debs/root/usr/lib/linux-image-arm64"
#endif

/* libfdt as cs_dt_ops: a node is its offset + 1. */
static uintptr_t fdt_child(void *ctx, uintptr_t parent, uintptr_t prev)
{
	int off;

	if (!prev)
		off = fdt_first_subnode(ctx, (int)parent - 1);
	else
		off = fdt_next_subnode(ctx, (int)prev - 1);
	return off < 0 ? 0 : (uintptr_t)off + 1;
}

static const char *fdt_nodename(void *ctx, uintptr_t n)
{
	const char *s = fdt_get_name(ctx, (int)n - 1, NULL);

	return s ? s : "";
}

static const void *fdt_prop(void *ctx, uintptr_t n, const char *name,
			    int *len)
{
	return fdt_getprop(ctx, (int)n - 1, name, len);
}

static const struct cs_dt_ops fdt_ops = {
	.child = fdt_child,
	.name = fdt_nodename,
	.prop = fdt_prop,
};

/* The DTB at path, checked, malloc'ed; NULL if unreadable. */
static void *load(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	void *b;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b && fdt_check_header(b)) {
		free(b);
		b = NULL;
	}
	return b;
}

#endif /* CS_FDT_H */
