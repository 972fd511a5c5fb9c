/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Between the OpenCSD decode in this process (cs_decode.c) and the
 * crash-isolating children that run it (cs_child.c).
 */
#ifndef HWT_DECODER_CS_CHILD_H
#define HWT_DECODER_CS_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "cs/cs_decode.h"

/* Bytes handed to OpenCSD per call: progress is reported (and a crash
 * localised) at this granularity.  A multiple of the 16-byte frame. */
#define HWT_CS_CHUNK 4096

/* Builds a tree for the units and decodes data[start, size) into sink,
 * calling progress(parg, pos) as it goes (may be NULL).  Returns 0, the
 * sink's negative value, or -1 with err set if the tree cannot be built. */
int hwt_cs_decode_range(const uint8_t *data, size_t size, size_t start,
			int format, struct hwt_cs_unit *units, size_t nunits,
			const struct hwt_sink *sink,
			int (*progress)(void *, uint64_t), void *parg,
			char *err, size_t errlen);

/* The same in children that stream blocks and events back (cs_child.c):
 * a child that dies costs a gap over the chunk it was in.  flags:
 * HWT_CS_DEC_ABORT_ON_CHILD_EXIT. */
int hwt_cs_decode_children(const uint8_t *data, size_t start, size_t size,
			   int format, struct hwt_cs_unit *units, size_t nunits,
			   int flags, const struct hwt_sink *sink, char *err,
			   size_t errlen);

#endif /* HWT_DECODER_CS_CHILD_H */
