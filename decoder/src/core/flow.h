/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The contract between a decoder front end (Intel PT via libipt, CoreSight via
 * OpenCSD) and the decoder core (symbolization, calls, block counts,
 * replayable flow, SQLite).
 *
 * A front end turns one trace stream into a sequence of executed blocks
 * (runs of instructions that ran one after another) and events, and hands
 * them, in trace order, to a sink.  The core never sees packets; a front end
 * never sees SQLite.
 */
#ifndef HWT_DECODER_FLOW_H
#define HWT_DECODER_FLOW_H

#include <stddef.h>
#include <stdint.h>

enum hwt_isa {
	HWT_ISA_UNKNOWN = 0,
	HWT_ISA_X86_16,
	HWT_ISA_X86_32,
	HWT_ISA_X86_64,
	HWT_ISA_A32,
	HWT_ISA_T32,
	HWT_ISA_A64,
};

/* Class of the last instruction of a block. */
enum hwt_iclass {
	HWT_IC_OTHER = 0,	/* not a branch (block ended for another reason) */
	HWT_IC_COND_JUMP,	/* conditional direct branch */
	HWT_IC_JUMP,		/* unconditional direct branch */
	HWT_IC_IND_JUMP,	/* indirect branch */
	HWT_IC_CALL,		/* direct call / BL */
	HWT_IC_IND_CALL,	/* indirect call / BLR */
	HWT_IC_RET,		/* near return / RET */
	HWT_IC_FAR_CALL,	/* syscall, int, svc, ... */
	HWT_IC_FAR_RET,		/* sysret, iret, eret */
	HWT_IC_FAR_JUMP,
};

/* hwt_block.flags */
#define HWT_BLK_TAKEN		(1u << 0)	/* last branch was taken */
#define HWT_BLK_TRUNCATED	(1u << 1)	/* last insn crosses a section */
#define HWT_BLK_SPECULATIVE	(1u << 2)
#define HWT_BLK_OUTCOME		(1u << 4)	/* HWT_BLK_TAKEN is the
						 * branch's outcome, as the
						 * trace said (ETM atoms) */
#define HWT_BLK_PARTIAL		(1u << 3)	/* decoding stopped at end_ip
						 * (end of trace or error):
						 * its outcome is unknown */

struct hwt_block {
	uint64_t ip;		/* first instruction */
	uint64_t end_ip;	/* last instruction (inclusive) */
	uint64_t time;		/* last known timestamp (TSC/ETM), 0: none */
	uint64_t offset;	/* trace byte offset of the packet that led here */
	uint32_t ninsn;		/* >= 1 */
	uint8_t isa;		/* enum hwt_isa */
	uint8_t iclass;		/* enum hwt_iclass of the instruction at end_ip */
	uint16_t flags;		/* HWT_BLK_* */
};

enum hwt_event_type {
	HWT_EV_ENABLE = 1,	/* tracing (re)starts at ip (PGE, TRACE_ON) */
	HWT_EV_DISABLE,		/* tracing stops; ip: next insn if known */
	HWT_EV_ASYNC,		/* interrupt/exception: from ip to arg */
	HWT_EV_EXCEPTION_RET,	/* return from exception to ip */
	HWT_EV_OVERFLOW,	/* trace unit lost data */
	HWT_EV_GAP,		/* decode error: code/msg; decode resyncs */
	HWT_EV_CONTEXT,		/* address space/thread changed: arg = cr3,
				 * context ID, ... */
	HWT_EV_EXEC_MODE,	/* isa changed: arg = enum hwt_isa */
	HWT_EV_TIME,		/* timestamp: time */
};

struct hwt_event {
	uint32_t type;		/* enum hwt_event_type */
	int32_t code;		/* GAP: front-end error code (negative) */
	uint64_t ip;		/* 0: unknown */
	uint64_t arg;
	uint64_t time;
	uint64_t offset;	/* trace byte offset */
	const char *msg;	/* GAP: human-readable, valid during the call */
};

/*
 * A place in a stream's bytes where bytes are missing (lost, a bad chunk,
 * a perf.data AUX gap): the front end decodes afresh from offset, after a
 * HWT_EV_GAP with msg there (msg NULL: afresh without a gap).
 */
struct hwt_cut {
	uint64_t offset;
	const char *msg;
};

/*
 * Memory of the traced program as the front end sees it (from the session's
 * images / the snapshot's dumps).  Returns bytes copied (possibly < size),
 * or a negative value if nothing is mapped at addr.
 */
typedef int (*hwt_read_mem_fn)(void *arg, uint64_t addr, void *buf,
			       size_t size);

struct hwt_stream_info {
	uint32_t id;		/* stream id, unique within one decode */
	int32_t tid;		/* -1: unknown */
	int32_t cpu;		/* -1: unknown */
	int32_t trace_id;	/* CoreSight trace ID, -1 otherwise */
	const char *name;	/* e.g. "pt", "etm 0x10" */
	hwt_read_mem_fn read_mem;
	void *read_mem_arg;
};

/*
 * A sink.  Each callback returns 0 to go on, negative to abort the decode
 * (the front end then returns that value).
 */
struct hwt_sink {
	void *arg;
	int (*stream_begin)(void *arg, const struct hwt_stream_info *info);
	int (*block)(void *arg, uint32_t stream, const struct hwt_block *blk);
	int (*event)(void *arg, uint32_t stream, const struct hwt_event *ev);
	int (*stream_end)(void *arg, uint32_t stream);
	/*
	 * Optional (NULL: a front end calls block).  A front end that keeps
	 * its own cache of blocks may intern each block once (its id, > 0;
	 * 0: the decode aborts) and then hand over runs of executed blocks
	 * as ids: blocks(ids) does what block() does for each of them
	 * (timestamp 0, offset and flags are not needed).  Ids stay valid
	 * for the sink's lifetime.
	 */
	uint32_t (*intern)(void *arg, uint32_t stream,
			   const struct hwt_block *blk);
	int (*blocks)(void *arg, uint32_t stream, const uint32_t *ids,
		      size_t n);
	/*
	 * Optional (NULL: intern).  intern with the block's instruction
	 * lengths (blk->ninsn of them), which the front end decoded already:
	 * the sink need not split the block's bytes again.
	 */
	uint32_t (*intern_lens)(void *arg, uint32_t stream,
				const struct hwt_block *blk,
				const uint8_t *lens);
	/*
	 * Optional: the stream's trace is decoded up to offset (for a
	 * progress meter; a front end that hands over blocks with offsets
	 * need not call it).  Returns 0.
	 */
	int (*progress)(void *arg, uint32_t stream, uint64_t offset);
};

/* flow.c: the compact replayable flow encoding. */
/*
 * A flow chunk is a sequence of unsigned LEB128 values: 2*block_id for an
 * executed block, 2*error_id+1 for a gap (row of the errors table).
 */
size_t hwt_uleb_put(uint8_t *p, uint64_t v);	/* p needs 10 bytes */
/* Returns bytes consumed, 0 on truncated/overlong input. */
size_t hwt_uleb_get(const uint8_t *p, size_t n, uint64_t *v);

#endif /* HWT_DECODER_FLOW_H */
