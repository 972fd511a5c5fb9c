/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwarf.c: an ELF file's line table (libdwarf).
 */
#ifndef HWT_DECODER_DWARF_H
#define HWT_DECODER_DWARF_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* HWT_DECODER_DWARF_H */
