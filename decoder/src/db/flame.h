/* SPDX-License-Identifier: BSD-2-Clause */
/* Folded stacks of a decoded database (flame.c), for the folded output
 * and the SVG (flame_svg.c). */
#ifndef HWT_DECODER_FLAME_H
#define HWT_DECODER_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/decode.h"

struct hwt_flame_line {
	char *stack;		/* "root;...;leaf" */
	uint64_t count;		/* instructions of the leaf itself */
};

/*
 * The folded stacks of db, one per distinct stack, sorted by stack.
 * Returns 0 with *lines (free with hwt_flame_lines_free) and *n set.
 * Returns -1 (message on stderr) if the database cannot be read or its
 * call paths name a missing parent or loop.
 */
int hwt_flame_lines(const char *db, const struct hwt_flame_opts *opts,
		    struct hwt_flame_line **lines, size_t *n);

void hwt_flame_lines_free(struct hwt_flame_line *lines, size_t n);

#endif /* HWT_DECODER_FLAME_H */
