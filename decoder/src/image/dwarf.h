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
 * binaries: the unwinder needs it), link-time addresses, in libdwarf's
 * order (by start); read directly where the section is what toolchains
 * write, else through libdwarf.
 * Returns their number with *out allocated (free() it).
 * Returns 0 with *out NULL if fd has no .eh_frame or libdwarf cannot
 * read it.
 */
size_t hwt_dwarf_fde_ranges(int fd, struct hwt_range **out);
/* The same, always through libdwarf's FDE list (what
 * hwt_dwarf_fde_ranges() reads itself when it can: the tests compare
 * the two).  Returns as hwt_dwarf_fde_ranges(). */
size_t hwt_dwarf_fde_ranges_libdwarf(int fd, struct hwt_range **out);

/* An inlined subroutine's code (DW_TAG_inlined_subroutine): one entry
 * per address range. */
struct hwt_inline {
	uint64_t lo, hi;	/* link-time [lo, hi) */
	uint32_t depth;		/* 1: inlined into a real function, 2: into
				 * an inlined one, ... */
	char *name;		/* of the function inlined ("??" if none) */
	char *call_file;	/* where it was inlined ("??") */
	uint32_t call_line;
};

struct hwt_inlines {
	struct hwt_inline *v;	/* sorted by lo, then depth */
	uint64_t *max_hi;	/* max_hi[i]: the largest hi of v[0..i] */
	size_t n;
};

/*
 * The inlined subroutines of fd's DWARF (libdwarf; DWARF 2-5 ranges);
 * with want (sorted, disjoint link-time ranges), only the CUs that
 * .debug_aranges places in them, and those it does not list (a big
 * library's debug file is mostly code that did not run).
 * Returns them, or NULL if fd has none or no DWARF.
 */
struct hwt_inlines *hwt_dwarf_inlines_fd(int fd, const struct hwt_range *want,
					 size_t nwant);
void hwt_dwarf_inlines_free(struct hwt_inlines *l);
/*
 * The line table (with lines) and the inlined subroutines (with inlines)
 * of fd's DWARF, in one pass over its units (libdwarf decompresses and
 * reads .debug_info once).  With want (sorted, disjoint link-time
 * ranges), only the units that .debug_aranges places in them and those
 * it does not list, as hwt_dwarf_inlines_fd(): rows of the other units
 * are left out, so look up only addresses inside want.
 * Returns 0 with *lines and *inlines set (each NULL if there are none).
 * Returns -1 with both NULL if libdwarf cannot read fd's DWARF.
 */
int hwt_dwarf_load_fd(int fd, const struct hwt_range *want, size_t nwant,
		      struct hwt_lines **lines, struct hwt_inlines **inlines);
/*
 * Indexes (into l->v) of the entries overlapping [lo, hi), up to max of
 * them, in no particular order.
 * Returns their number.
 */
size_t hwt_inlines_at(const struct hwt_inlines *l, uint64_t lo, uint64_t hi,
		      size_t *idx, size_t max);

/*
 * One unit of a binary's DWARF as the cache keeps it (dwarf_cache.h):
 * its .debug_aranges ranges and, once read, its line rows and inlined
 * subroutines in the order its DIEs give them (unsorted; a row's file
 * indexes lines.files, 0 being "", the end of a sequence line 0; every
 * inlined subroutine of the unit, no subprogram left out).
 */
struct hwt_dwarf_unit {
	uint64_t off;		/* its unit DIE's offset in .debug_info */
	uint16_t version;	/* of its header */
	uint8_t listed;		/* .debug_aranges names it */
	uint8_t loaded;		/* lines and inl read */
	struct hwt_range *ar;	/* its .debug_aranges ranges */
	size_t nar;
	struct hwt_lines lines;
	struct hwt_inlines inl;	/* max_hi NULL */
};

/* A binary's units, in .debug_info order (off increasing). */
struct hwt_dwarf_units {
	struct hwt_dwarf_unit *v;
	size_t n;
	int listed;		/* v holds every unit with its aranges */
};

/*
 * Whether u holds code of want (sorted, disjoint link-time ranges; NULL:
 * every unit): as hwt_dwarf_load_fd() picks units.
 * Returns 1 if want is NULL, .debug_aranges does not list u, or one of
 * u's ranges overlaps want; 0 if not.
 */
int hwt_dwarf_unit_needed(const struct hwt_dwarf_unit *u,
			  const struct hwt_range *want, size_t nwant);
/*
 * Returns 1 if us lists its units and every one needed for want is
 * loaded (hwt_dwarf_units_tables() then needs no libdwarf), 0 if not.
 */
int hwt_dwarf_units_complete(const struct hwt_dwarf_units *us,
			     const struct hwt_range *want, size_t nwant);
/*
 * Reads from fd's DWARF what us lacks for want: the unit list with each
 * unit's aranges if us has none, then every needed unit not yet loaded.
 * Returns the number of units read (0: none was missing).
 * Returns -1 if libdwarf cannot read fd's DWARF (us unchanged).
 */
int hwt_dwarf_units_read(int fd, struct hwt_dwarf_units *us,
			 const struct hwt_range *want, size_t nwant);
/*
 * The line table (with lines) and the inlined subroutines (with inlines)
 * of the units of us needed for want, all loaded: the tables
 * hwt_dwarf_load_fd() makes of the same units (the inlines of
 * subprograms that did not run added; they lie outside want).
 * Returns nothing; *lines and *inlines each NULL if there are none.
 */
void hwt_dwarf_units_tables(const struct hwt_dwarf_units *us,
			    const struct hwt_range *want, size_t nwant,
			    struct hwt_lines **lines,
			    struct hwt_inlines **inlines);
/* Frees what us holds (not us). */
void hwt_dwarf_units_fini(struct hwt_dwarf_units *us);

#endif /* HWT_DECODER_DWARF_H */
