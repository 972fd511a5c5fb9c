/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CoreSight (OpenCSD) front end: the entry points the decoder core calls.
 * Implementation: cs_frontend.c on top of cs_snapshot.c (snapshot
 * directories), cs_decode.c (OpenCSD), cs_mem.c (memory dumps) and
 * cs_ini.c (.ini files).  docs/coresight.md describes the mapping.
 *
 * Every function returns 0 on success (also when the trace had decode
 * errors: those reach the sink as HWT_EV_GAP events with their trace
 * offset), the sink's negative value if the sink aborted, or -1 with a
 * message in err (errlen bytes) when the input cannot be decoded at all.
 *
 * What reaches the sink (flow.h), per trace unit:
 *   stream_begin   info.id (see below), info.trace_id, info.cpu, info.name,
 *                  info.read_mem (the unit's code)
 *   block          one per OCSD_GEN_TRC_ELEM_INSTR_RANGE: ip = st_addr,
 *                  end_ip = en_addr - size of the last instruction,
 *                  ninsn = num_instr_range, isa, iclass from the last
 *                  instruction's type (BL -> CALL, BLR -> IND_CALL,
 *                  RET -> RET, ERET -> FAR_RET, B.cond -> COND_JUMP ...),
 *                  HWT_BLK_TAKEN if it was executed, offset = byte index
 *                  of the packet in the trace buffer, time = last timestamp
 *   event          TRACE_ON -> ENABLE; NO_SYNC/EO_TRACE -> DISABLE
 *                  (OVERFLOW for an overflow, GAP for a bad packet);
 *                  ADDR_NACC -> GAP "no memory image at ADDR" (ip = ADDR);
 *                  EXCEPTION -> ASYNC (ip = preferred return address,
 *                  code = exception number); EXCEPTION_RET; PE_CONTEXT ->
 *                  CONTEXT (arg = context ID, when it changes) and
 *                  EXEC_MODE (arg = enum hwt_isa, when it changes);
 *                  TIMESTAMP -> TIME
 *   stream_end
 */
#ifndef HWT_DECODER_CS_FRONTEND_H
#define HWT_DECODER_CS_FRONTEND_H

#include <stddef.h>
#include <stdint.h>
#include "core/flow.h"

/*
 * Decodes every ETMv4/ETE (and ETMv3/PTM) trace source of the OpenCSD
 * snapshot in dir (snapshot.ini, trace.ini, device .ini files, memory
 * dumps) in its first trace buffer, as trc_pkt_lister does (opts: another
 * buffer, or all of them).  Stream ids are the CoreSight
 * trace IDs (so `hwt replay --stream 16` is trace ID 0x10); an ID repeated
 * in a later buffer N gets 0x100 * N + ID.  Sources that cannot be
 * decoded (STM, unknown core, missing registers) and dumps that cannot be
 * mapped are skipped with a warning on stderr.
 */
int hwt_cs_decode_snapshot(const char *dir, const struct hwt_sink *sink,
			   char *err, size_t errlen);

struct hwt_cs_snapshot_opts {
	int only_trace_id;	/* -1: all */
	int quiet;		/* no warnings on stderr */
	int no_fork;		/* hwt_decode_test_opts.cs_no_fork */
	int abort_on_child_exit; /* hwt_decode_test_opts.cs_abort_on_child_exit */
	/* The trace buffer to decode: NULL, the first buffer section of
	 * trace.ini (trc_pkt_lister's default: several buffers are often
	 * several sinks of the same trace); a buffer's name= (its -src_name);
	 * "all": every buffer listed. */
	const char *buffer;
};

int hwt_cs_decode_snapshot_opts(const char *dir,
				const struct hwt_cs_snapshot_opts *opts,
				const struct hwt_sink *sink,
				char *err, size_t errlen);

/*
 * The memory dumps of a snapshot, for symbolization: calls fn once per
 * distinct dump (file bytes [offset, offset + len) at addr; len 0: to the
 * end of the file), in snapshot order.  A dump is a byte image of memory,
 * so an ELF file dumped at addr is that file mapped at addr with file
 * offset `offset` (e.g. hwt_image_add_mapping(img, path, addr, len,
 * offset)).  fn returns <0 to stop (that value is returned).
 */
typedef int (*hwt_cs_dump_fn)(void *arg, const char *path, uint64_t addr,
			      uint64_t len, uint64_t offset);
int hwt_cs_snapshot_dumps(const char *dir, hwt_cs_dump_fn fn, void *arg,
			  char *err, size_t errlen);

/* The same dumps added to img with hwt_image_add_mapping (ELF dumps get
 * their symbols; raw dumps are still attributed by range).  Call before
 * the core is allocated with img. */
struct hwt_image;
int hwt_cs_snapshot_add_images(const char *dir, struct hwt_image *img,
			       char *err, size_t errlen);

/*
 * One stream of a trace session (docs/trace-store.md) of kind "etm4" or
 * "ete": the bytes covered by its chunks, in order.
 */
struct hwt_cs_stream {
	uint32_t id;		/* streams.id: the sink's stream id */
	int32_t tid;		/* -1: unknown */
	int32_t cpu;		/* -1: unknown */
	const char *kind;	/* "etm4" or "ete" */
	int formatted;		/* 1: TMC 16-byte frames; 0: raw single source */
	int32_t trace_id;	/* streams.trace_id; -1: from trctraceidr */
	/* stream_params lookup: value text of key ("trcidr0", ...,
	 * "core_profile"), NULL if absent. */
	const char *(*param)(void *arg, const char *key);
	void *param_arg;
	const uint8_t *data;
	size_t size;
	hwt_read_mem_fn read_mem;	/* the process's code (session images) */
	void *read_mem_arg;
	const char *name;	/* for messages/stream_info; NULL: "etm" */
	/* Offsets in data where bytes are missing (lost, bad chunk), in
	 * increasing order: decode restarts there after a HWT_EV_GAP with
	 * msg (msg NULL: restarts without a gap, e.g. where perf.data's
	 * AUXTRACE buffers join, which perf decodes each afresh). */
	const struct hwt_cut *cuts;	/* flow.h */
	size_t ncuts;
	int no_fork;		/* hwt_decode_test_opts.cs_no_fork */
	int abort_on_child_exit; /* hwt_decode_test_opts.cs_abort_on_child_exit */
};

/*
 * Decodes one session stream.  In a formatted stream only the frames of
 * this unit's trace ID are decoded (a shared sink buffer may carry several
 * units: give each its own hwt_cs_stream over the same bytes).
 */
int hwt_cs_decode_stream(const struct hwt_cs_stream *s,
			 const struct hwt_sink *sink, char *err,
			 size_t errlen);

/*
 * Decodes the session stream ss (kind etm4 or ete) of the session r: its
 * stream_params (ETM registers, core_profile) and the bytes its chunks
 * index (hwt_store_reader_bytes: a missing, damaged or lost chunk, or a
 * buffer/lost record, becomes a gap) through hwt_cs_decode_stream.
 * read_mem: the session's images.
 *
 * Returns 0 on success.
 * Returns -1 with err set if: the trace ID is out of range, session.db
 * cannot be read whole, or the decode fails.
 */
struct hwt_decode_opts;
struct hwt_store_reader;
struct hwt_store_stream;
int hwt_cs_decode_session_stream(struct hwt_store_reader *r,
				 const struct hwt_store_stream *ss,
				 const struct hwt_decode_opts *opts,
				 hwt_read_mem_fn read_mem, void *read_mem_arg,
				 const struct hwt_sink *sink, char *err,
				 size_t errlen);

/*
 * Whether CoreSight stream ss came through one sink shared by several
 * CPUs (hwt_coresight's DESCRIBE: shared_sink=1, CPU c's unit with trace
 * ID traceid_base + c), its base then in *base.
 * Returns 1 if shared, 0 if not; -1 with err set if: session.db cannot
 * be read, or traceid_base is missing or out of range.
 */
int hwt_cs_shared_sink(struct hwt_store_reader *r,
		       const struct hwt_store_stream *ss, int *base,
		       char *err, size_t errlen);

/*
 * Decodes bytes of the session stream ss (kind etm4 or ete) other than
 * the ones it stores: data[0, size) with its cuts (flow.h), as sink
 * stream id for thread tid on cpu (-1: several; name: for messages),
 * with ss's stream_params.  For CPU mode's per-thread split (session_cpu.c): a thread's
 * runs, joined, each run a piece decoded afresh.
 *
 * Returns 0 on success.
 * Returns -1 with err set if: the trace ID is out of range, session.db
 * cannot be read whole, or the decode fails; the sink's negative value if
 * it aborted.
 */
int hwt_cs_decode_session_bytes(struct hwt_store_reader *r,
				const struct hwt_store_stream *ss,
				const struct hwt_decode_opts *opts,
				const uint8_t *data, size_t size,
				const struct hwt_cut *cuts, size_t ncuts,
				uint32_t id, int32_t tid, int32_t cpu,
				const char *name, hwt_read_mem_fn read_mem,
				void *read_mem_arg, const struct hwt_sink *sink,
				char *err, size_t errlen);

/*
 * One trace ID's bytes out of a frame-formatted buffer (hwt_cs_demux):
 * buf[0, n), and where they came from: block k, from buf[pos[k]] to
 * the next block's pos, is the bytes at trace offset src[k] on of the
 * buffer (within one frame); both increase with k.
 */
struct hwt_cs_id_bytes {
	uint8_t *buf;
	size_t n;
	uint64_t *src, *pos;
	size_t nblk;
};

/*
 * Splits data[0, size), 16-byte CoreSight frames (CoreSight D4, memory
 * aligned from data[0]: a TMC's buffer), by trace ID through OpenCSD's
 * frame deformatter: out[i] (nids of them, zeroed here; free each with
 * hwt_cs_id_bytes_free) gets the bytes of trace ID ids[i] in order.  At
 * each offset of resets[0..nresets) (increasing: bytes lost there) the
 * deformatter restarts from the first whole frame after it, knowing no
 * ID: the bytes before the first ID a frame names are nobody's, as
 * after bytes the sink lost; a frame the deformatter refuses restarts it
 * one frame later.  Bytes of other IDs are dropped.
 *
 * Returns 0 on success.
 * Returns -1 with err set if: OpenCSD cannot register the demultiplexer,
 * build the tree or attach an ID (out[] then empty).
 */
int hwt_cs_demux(const uint8_t *data, size_t size, const uint64_t *resets,
		 size_t nresets, const uint8_t *ids, size_t nids,
		 struct hwt_cs_id_bytes *out, char *err, size_t errlen);

/* The position in b of trace offset off of the buffer: the number of
 * b's bytes that come from before off.  Returns it (b->n at most). */
uint64_t hwt_cs_id_bytes_pos(const struct hwt_cs_id_bytes *b, uint64_t off);

/* Frees b's arrays and empties it.  Returns nothing. */
void hwt_cs_id_bytes_free(struct hwt_cs_id_bytes *b);

#endif /* HWT_DECODER_CS_FRONTEND_H */
