/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address-range filters: "FUNC[@OBJECT]", "START-END@OBJECT" (link-time
 * addresses, hex, END exclusive) or "OBJECT" (every executable segment).
 *
 * Two steps, as FreeBSD hwt does: resolve a filter with libelf to ranges
 * of FILE OFFSETS in its object, then relocate those to run-time
 * addresses with the process's mappings (MMAP records: addr, len, pgoff,
 * path).  A non-PIE executable that is not mapped yet (a launched program
 * held before exec) relocates by its program headers.
 */
#ifndef HWTD_FILTER_H
#define HWTD_FILTER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define HWTD_RANGES_MAX	16
/* An ELF file read for a filter: a regular file of at most this size. */
#define HWTD_ELF_MAX	(1ull << 30)

struct hwtd_range {
	uint64_t start, end;		/* [start, end) */
};

enum hwtd_filter_kind { HWTD_F_FUNC = 1, HWTD_F_RANGE, HWTD_F_OBJECT };

struct hwtd_filter {
	enum hwtd_filter_kind kind;
	char func[256];			/* FUNC */
	uint64_t start, end;		/* RANGE: link-time [start, end) */
	char object[PATH_MAX];		/* "" = the main executable */
};

/* One mapping of the target, from an MMAP record. */
struct hwtd_mapping {
	uint64_t addr, len, pgoff;
	char path[PATH_MAX];
};

int hwtd_filter_parse(const char *spec, struct hwtd_filter *f, char *err,
		      size_t errlen);

/* Resolve f against ELF file path into file-offset ranges (at most max);
 * the count, or -1 with a message. */
int hwtd_filter_resolve(const struct hwtd_filter *f, const char *path,
			struct hwtd_range *out, int max, char *err,
			size_t errlen);

/* Relocate file-offset ranges of object path to run-time addresses with
 * the mappings; a range must lie in one mapping.  0 or -1. */
int hwtd_filter_relocate(struct hwtd_range *r, int n, const char *path,
			 const struct hwtd_mapping *maps, int nmaps,
			 char *err, size_t errlen);

/* Relocate by path's own program headers (non-PIE executables not yet
 * mapped); -1 for position-independent files. */
int hwtd_filter_relocate_static(struct hwtd_range *r, int n,
				const char *path, char *err, size_t errlen);

/* Does a mapping path name object (same path, or same base name when
 * object has no '/')? */
int hwtd_filter_object_matches(const char *object, const char *mapped);

#endif /* HWTD_FILTER_H */
