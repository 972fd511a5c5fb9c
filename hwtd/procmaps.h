/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * procmaps.c: one line of /proc/PID/maps (proc(5): "start-end perms
 * offset dev inode [path]") parsed, for the mappings a program already has
 * when its tracing starts (a CPU-mode context gets MMAP records only for
 * mappings made while it traces).  No I/O here: the collector reads the
 * file.
 */
#ifndef HWTD_PROCMAPS_H
#define HWTD_PROCMAPS_H

#include <stddef.h>
#include <stdint.h>

struct hwtd_procmap {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset in bytes */
	uint32_t prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	int shared;		/* 's' in perms */
	const char *path;	/* into the line; "" if anonymous */
};

/*
 * Parses line (one line of /proc/PID/maps, its newline removed or not;
 * the path's trailing newline and a " (deleted)" suffix are cut off in
 * place) into *m.
 * Returns 0 if: parsed.
 * Returns -1 if: a field is missing or malformed (start not below end,
 * perms not four of r/w/x/p/s/-, a number not hex).
 */
int hwtd_procmap_parse(char *line, struct hwtd_procmap *m);

#endif /* HWTD_PROCMAPS_H */
