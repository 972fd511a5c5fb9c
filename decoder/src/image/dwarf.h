/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwarf.c: an ELF file's line table (libdwarf).
 */
#ifndef HWT_DECODER_DWARF_H
#define HWT_DECODER_DWARF_H

#include <stddef.h>
#include <stdint.h>

#include "image/symtab.h"

struct hwt_line {
	uint64_t addr;		/* link-time address */
	uint32_t file;		/* index into files */
	uint32_t line;
};

struct hwt_lines {
	struct hwt_line *rows;	/* sorted by addr */
	size_t nrows;
	char **files;
	size_t nfiles;
};

/* Loads the DWARF line table of path; NULL if it has none. */
struct hwt_lines *hwt_dwarf_lines(const char *path);
struct hwt_lines *hwt_dwarf_lines_fd(int fd);	/* fd is not closed */
void hwt_dwarf_free(struct hwt_lines *l);
/* The row covering addr (the last row with row.addr <= addr), or NULL. */
const struct hwt_line *hwt_lines_find(const struct hwt_lines *l,
				      uint64_t addr);

/*
 * Function extents from the FDEs of fd's .eh_frame (present in stripped
 * binaries: the unwinder needs it), link-time addresses.
 * Returns their number with *out allocated (free() it).
 * Returns 0 with *out NULL if fd has no .eh_frame or libdwarf cannot
 * read it.
 */
size_t hwt_dwarf_fde_ranges(int fd, struct hwt_range **out);

#endif /* HWT_DECODER_DWARF_H */
