/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * image.c: the traced process's memory image: files mapped at
 * addresses, their symbols and lines (struct hwt_image, hwt/decode.h).
 */
#ifndef HWT_DECODER_IMAGE_H
#define HWT_DECODER_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/decode.h"
#include "store_io.h"
#include "image/dwarf.h"
#include "image/symtab.h"

/* Where a binary's DWARF is cached (hwt_image_set_dwarf_cache). */
struct hwt_image_dwarf_cache {
	char *dir;		/* NULL: no cache */
	struct hwt_dwarf_cache_stats *stats;	/* NULL: not counted */
	int quiet;		/* no warning on stderr */
};

struct hwt_binary {
	uint32_t id;		/* database binary id (>= 1) */
	char *path;
	char build_id[64];
	int64_t bias;		/* runtime address = link address + bias */
	struct hwt_elf elf;
	int is_elf;
	struct hwt_lines *lines;
	int lines_loaded;
	struct hwt_inlines *inlines;
	int inlines_loaded;
	int fd;			/* its file, for the DWARF lines */
	int debug_fd;		/* its debug file (by build id), or -1 */
	const struct hwt_image_dwarf_cache *cache;	/* its image's */
};

struct hwt_section {
	uint64_t vaddr, size;
	const uint8_t *data;
	uint64_t file_offset;
	const char *path;	/* owned by the image */
	struct hwt_binary *bin;
};

/* The DWARF cache of o (dwarf_cache, dwarf_cache_stats, quiet) for
 * img's binaries' DWARF from now on. */
void hwt_image_set_dwarf_cache(struct hwt_image *img,
			       const struct hwt_decode_opts *o);
/* Files added from now on are opened relative to dirfd (AT_FDCWD: as
 * named) and must pass p (store_io.h).  The default: as named, symlinks
 * followed, any owner (files the user names on the command line). */
void hwt_image_set_policy(struct hwt_image *img, int dirfd,
			  const struct hwt_file_policy *p);
/* hwt_image_add_mapping() of the file open_name (relative to the policy's
 * dirfd), recorded as path. */
int hwt_image_add_mapping_at(struct hwt_image *img, const char *open_name,
			     const char *path, uint64_t addr, uint64_t len,
			     uint64_t pgoff, char *err, size_t errlen);
/*
 * A view: adds section s of another image (its file, data and binary
 * stay that image's, so symbol and binary ids are that image's; free
 * the view first).  Returns 0 if: added.  Returns -1 if: img has files
 * or binaries of its own (not a view).
 */
int hwt_image_add_view(struct hwt_image *img, const struct hwt_section *s);
size_t hwt_image_nsections(const struct hwt_image *img);
const struct hwt_section *hwt_image_section(const struct hwt_image *img,
					    size_t i);
size_t hwt_image_nbinaries(const struct hwt_image *img);
struct hwt_binary *hwt_image_binary(const struct hwt_image *img, size_t i);
const struct hwt_section *hwt_image_find(const struct hwt_image *img,
					 uint64_t addr);
/* Symbol at runtime address addr, NULL if none; *bin set when mapped. */
const struct hwt_sym *hwt_image_symbol(const struct hwt_image *img,
				       uint64_t addr,
				       const struct hwt_binary **bin);
/* Symbol starting exactly at addr (or NULL). */
int hwt_image_is_sym_start(const struct hwt_image *img, uint64_t addr);
/* Source line of runtime address addr in the binary img maps there
 * (loads its DWARF on first use: a view's binaries are its image's, so
 * one load serves every view), NULL if none. */
const struct hwt_line *hwt_image_line(const struct hwt_image *img,
				      uint64_t addr, const char **file);
/* Loads b's DWARF lines and inlined subroutines (those not yet loaded)
 * in one pass, from the units that cover want (link-time ranges, sorted,
 * disjoint; NULL: all): then look up only addresses inside want. */
void hwt_binary_load_dwarf(struct hwt_binary *b, const struct hwt_range *want,
			   size_t nwant);
/* The inlined subroutines of b, loaded on first use: then only from the
 * DWARF units that cover want (link-time ranges, sorted, disjoint;
 * NULL: all); NULL if none. */
const struct hwt_inlines *hwt_binary_inlines(struct hwt_binary *b,
					     const struct hwt_range *want,
					     size_t nwant);
/* read_mem callback for struct hwt_stream_info. */
int hwt_image_read_cb(void *arg, uint64_t addr, void *buf, size_t size);

#endif /* HWT_DECODER_IMAGE_H */
