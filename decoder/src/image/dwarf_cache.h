/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dwarf_cache.c: what a binary's DWARF gave (struct hwt_dwarf_units: the
 * unit list, each unit's aranges, the lines and inlines of the units
 * read so far) kept in a file per build id, so that the next decode of
 * the same binary reads no DWARF (libdwarf inflating a debug file's
 * .debug_info, reading .debug_aranges).
 *
 * A file DIR/dwarf/BUILD_ID is keyed by the build id and the size and
 * mtime of the file the DWARF came from; everything in it is validated
 * on read (every count against the bytes left, every index against its
 * table, a CRC-32 over all of it), so a damaged, truncated or foreign
 * file is refused, never trusted.  It is written to a temporary file
 * and renamed over the old one, so a reader sees a whole file or none.
 */
#ifndef HWT_DECODER_DWARF_CACHE_H
#define HWT_DECODER_DWARF_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "image/dwarf.h"

/* What a cache file must be for: the DWARF file's identity. */
struct hwt_dwarf_cache_key {
	const char *build_id;	/* lowercase hex, at most 128 digits */
	uint64_t size;		/* of the file the DWARF is read from */
	int64_t mtime_sec, mtime_nsec;
};

/*
 * us encoded under key into a new buffer (free() it).
 * Returns it with *len set.
 */
uint8_t *hwt_dwarf_cache_encode(const struct hwt_dwarf_units *us,
				const struct hwt_dwarf_cache_key *key,
				size_t *len);
/*
 * Decodes buf[0..len) into *us (empty on entry).
 * Returns 0 if it is a whole cache of key.
 * Returns 1 if it is a whole cache of another key (the file changed),
 * or an older version's (its DWARF is read again).
 * Returns -1 with why set if it is damaged: a bad magic, version or
 * CRC, a count past the bytes left, an index past its table, units out
 * of order, an empty or reversed range, a string with a NUL, trailing
 * bytes (*us empty).
 */
int hwt_dwarf_cache_decode(const uint8_t *buf, size_t len,
			   const struct hwt_dwarf_cache_key *key,
			   struct hwt_dwarf_units *us, char *why,
			   size_t whylen);
/*
 * Reads the cache file of key under dir into *us (empty on entry).
 * Returns 0 if it was there, whole and of key.
 * Returns 1 if there is none or it is of another key (us empty).
 * Returns -1 with why set if it is damaged or cannot be read (us
 * empty).
 */
int hwt_dwarf_cache_load(const char *dir, const struct hwt_dwarf_cache_key *key,
			 struct hwt_dwarf_units *us, char *why, size_t whylen);
/*
 * Writes us as the cache file of key under dir (directories made 0700),
 * through a temporary file renamed over the old one.
 * Returns 0 if it was written.
 * Returns -1 with why set if it could not be.
 */
int hwt_dwarf_cache_store(const char *dir,
			  const struct hwt_dwarf_cache_key *key,
			  const struct hwt_dwarf_units *us, char *why,
			  size_t whylen);

#endif /* HWT_DECODER_DWARF_CACHE_H */
