/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenCSD decode of one CoreSight trace buffer into flow.h blocks/events.
 * Shared by the snapshot path (cs_snapshot.c) and the session path
 * (cs_frontend.c); the fuzz target calls it directly.
 */
#ifndef HWT_DECODER_CS_DECODE_H
#define HWT_DECODER_CS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <opencsd/c_api/opencsd_c_api.h>

#include "core/flow.h"

struct hwt_cs_mem;

enum hwt_cs_proto {
	HWT_CS_PROTO_NONE = 0,
	HWT_CS_PROTO_ETMV4,		/* device type "ETM4" */
	HWT_CS_PROTO_ETE,		/* "ETE" */
	HWT_CS_PROTO_ETMV3,		/* "ETM3" */
	HWT_CS_PROTO_PTM,		/* "PTM1" / "PFT1" */
};

/* One trace unit (one trace ID) to decode. */
struct hwt_cs_unit {
	int proto;		/* enum hwt_cs_proto */
	uint8_t trace_id;	/* 1..0x6f */
	union {
		ocsd_etmv4_cfg etm4;
		ocsd_ete_cfg ete;
		ocsd_etmv3_cfg etm3;
		ocsd_ptm_cfg ptm;
	} cfg;
	struct hwt_stream_info info;	/* handed to sink->stream_begin */
	struct hwt_cs_mem *mem;	/* set: OpenCSD reads code here, by memory
				 * space; NULL: through info.read_mem */
	char name[48];			/* info.name points here */
};

/* Buffer formats. */
enum hwt_cs_format {
	HWT_CS_FMT_FRAMED = 0,	/* TMC/ETB 16-byte frames, memory aligned */
	HWT_CS_FMT_FRAMED_FSYNC,	/* DSTREAM: frames with fsyncs */
	HWT_CS_FMT_SINGLE,		/* raw bytes of one source */
};

/* hwt_cs_decode_buffer flags */
#define HWT_CS_DEC_NO_BEGIN_END	1	/* the caller brackets the streams */
#define HWT_CS_DEC_NO_FORK		2	/* OpenCSD in this process (tests) */
#define HWT_CS_DEC_ABORT_ON_CHILD_EXIT 4	/* abort() when a child exits
					 * (sanitizers under the fuzzer) */

/*
 * Decodes data[start, size) holding the units' trace (offsets reported
 * are indexes into data); each unit's info.read_mem supplies its code.
 * Calls sink->stream_begin for every unit first and stream_end for every
 * unit last (unless HWT_CS_DEC_NO_BEGIN_END).  Returns 0 (also when the trace
 * had errors: they become HWT_EV_GAP events), or the sink's negative
 * value, or -1 with err set if the decoder cannot be built.
 */
int hwt_cs_decode_buffer(const uint8_t *data, size_t start, size_t size,
			 int format, struct hwt_cs_unit *units, size_t nunits,
			 int flags, const struct hwt_sink *sink, char *err,
			 size_t errlen);

#endif /* HWT_DECODER_CS_DECODE_H */
