/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An OpenCSD snapshot directory: snapshot.ini (device list, trace metadata
 * file), trace.ini (buffers, source -> buffer, core -> source), one .ini
 * per device (trace unit registers, core type, memory dumps).  Read the
 * way OpenCSD's own snapshot reader (trc_pkt_lister) reads it, with every
 * bound checked.
 */
#ifndef HWT_DECODER_CS_SNAPSHOT_H
#define HWT_DECODER_CS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/flow.h"

/* A memory dump of a core: file bytes [offset, offset + length) at addr. */
struct hwt_cs_dump {
	char *path;		/* full path (dir + file) */
	char *file;		/* as written in the .ini */
	uint64_t addr;
	uint64_t offset;
	uint64_t length;	/* 0: to the end of the file */
	uint32_t space;		/* OpenCSD memory space bits (space=) */
	const char *core;	/* core device name */
};

struct hwt_cs_snapshot;

/* Reads and checks DIR's .ini files (not yet the trace or the dumps).
 * NULL on error with a message naming the file and line. */
struct hwt_cs_snapshot *hwt_cs_snapshot_open(const char *dir, char *err,
					     size_t errlen);
void hwt_cs_snapshot_close(struct hwt_cs_snapshot *ss);

/* Memory dumps of the cores that feed a trace unit, deduplicated. */
size_t hwt_cs_snapshot_ndumps(const struct hwt_cs_snapshot *ss);
const struct hwt_cs_dump *hwt_cs_snapshot_dump(const struct hwt_cs_snapshot *ss,
					       size_t i);

/* Warnings collected so far (units skipped, dumps ignored), one per line,
 * "" if none. */
const char *hwt_cs_snapshot_warnings(const struct hwt_cs_snapshot *ss);

/*
 * Decodes the ETM/ETE/PTM sources of one trace buffer, or of every one.
 * Stream ids are the trace IDs (0x100 * buffer index + trace ID if an ID
 * repeats in a later buffer).  only_id: decode just that trace ID (-1:
 * all).  buffer: NULL for the first buffer section of trace.ini (what
 * trc_pkt_lister decodes without -src_name), a buffer's name=, or "all".
 * Returns 0 on success (trace errors become HWT_EV_GAP events).
 * Returns the sink's negative value if it failed.
 * Returns -1 with err set if the snapshot cannot be read or has no such
 * buffer.
 */
int hwt_cs_snapshot_decode(struct hwt_cs_snapshot *ss, int only_id,
			   const char *buffer, int flags,
			   const struct hwt_sink *sink, char *err,
			   size_t errlen);

#endif /* HWT_DECODER_CS_SNAPSHOT_H */
