/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session_cpu.c: a CPU-mode session's Intel PT, raw ETE / ETMv4 or
 * TMC-formatted ETMv4 streams decoded per thread
 * (docs/intel-pt.md "CPU mode", docs/trace-store.md "switch_in").  Each
 * CPU stream is cut at its switch_in offsets into runs, a run belonging
 * to the task its switch_in names; each thread's runs, from every CPU, by
 * time, are decoded as the pieces of one stream of that thread, against
 * the image of its own process.
 *
 * The cut: the backend drains at every switch (TraceEn cleared, the
 * output pointer read, TraceEn set again) and publishes the head between
 * the SWITCH_OUT and SWITCH_IN records, so a run starts exactly at the
 * first byte its task's trace has on that CPU.  Each run is decoded
 * afresh from its first PSB: the decoder's state is never carried from
 * one task to another (last IP, return compression and the TNT cache are
 * the CPU's packet stream's, and the run before on this CPU is another
 * task's).  The emulated unit starts every run with PSB+ (it encodes per
 * task), so nothing is skipped there.  On hardware, TraceEn 0 -> 1 emits
 * PSB+ only with PacketByteCnt 0 (SDM vol. 3C 33.4.3, table "Packet
 * Generation under Different Enable Conditions", rows 2b/2e); otherwise a
 * run continues the CPU's stream (TIP.PGE compressed against the previous
 * task's last IP), and the bytes before its first PSB cannot be decoded
 * without the other task's state: they become a gap that names the run
 * and the bytes skipped, never instructions guessed.
 *
 * CoreSight (hwt_coresight's CPU mode, ETE + TRBE: one raw source per
 * CPU) is split the same way; a run is decoded from its first A-sync
 * (eleven 0x00 then 0x80, ETMv4 / ETE "A-Sync"), each run a piece of
 * the thread's stream that OpenCSD decodes afresh (hwt_cs_decode_stream
 * cuts).  The backend re-enables the unit at every switch, which makes
 * it emit A-sync + Trace Info first (docs/coresight-backend.md, "CPU
 * mode"); bytes before a run's first A-sync are a gap naming the run.
 * A stream in TMC frames (ETMv4 + TMC) is whole 16-byte frames from its
 * first byte, and the backend flushes the TMC (which completes the frame
 * in progress) before reading its write pointer at each switch, so its
 * runs begin on frame boundaries: each run's frames, from the first
 * multiple of 16 at or after its switch_in offset, are a piece the
 * deformatter and OpenCSD take afresh; bytes before that boundary or a
 * partial frame at a run's end are gaps naming the run.
 *
 * One TMC shared by several CPUs (hwt_coresight's Juno shape: stream
 * params shared_sink=1 and traceid_base, CPU c's ETMv4 with trace ID
 * traceid_base + c, every CPU's switch_in records on the one stream,
 * each naming its CPU): the frames interleave the CPUs' IDs, so the
 * stream is first split by trace ID through OpenCSD's deformatter over
 * the whole buffer (hwt_cs_demux: the ID in force carries from frame to
 * frame, which a deformatter started at each run's frame could not
 * know), restarted at each cut (lost bytes: a gap in every ID's bytes
 * there).  Each CPU that a switch_in names is then a raw source of its
 * ID's bytes, with its own switch_ins and the cuts moved to their places
 * in them (a switch_in's head is a frame boundary after every byte that
 * CPU's unit sent before the switch), cut into runs and decoded exactly
 * as a raw per-CPU source above.
 */
#ifndef HWT_DECODER_SESSION_CPU_H
#define HWT_DECODER_SESSION_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "pt/pt_frontend.h"

struct hwt_core;
struct hwt_image;
struct hwt_store_reader;
struct hwt_store_stream;

/* The first thread's stream id; the k-th thread's is this + k (session
 * stream ids are 0..1023). */
#define HWT_CPU_THREAD_ID	0x10000u

/* hwt_cpu_stream.proto: the trace protocol, and so the sync searched. */
#define HWT_CPU_PT	0	/* Intel PT: PSB; params */
#define HWT_CPU_CS	1	/* raw ETE / ETMv4: A-sync; the session's
				 * stream_params through the CS front end */

struct hwt_decode_opts;

/* One CPU stream to split: its row and what decoding it needs. */
struct hwt_cpu_stream {
	const struct hwt_store_stream *ss;
	int proto;		/* HWT_CPU_PT or HWT_CPU_CS */
	struct hwt_pt_params params;	/* PT */
	const struct hwt_decode_opts *opts;	/* CS */
	int insn_clock;		/* its times count instructions */
};

/* The image of process pid (-1: every process's mappings, for trace
 * before a CPU's first switch_in); NULL: none (an error, err set).
 * *symbols: the same mappings as a view of the core's image
 * (hwt_image_add_view: its binaries and symbol ids), which the thread's
 * blocks are symbolized against; NULL: the core's image itself. */
typedef struct hwt_image *(*hwt_pid_image_fn)(void *arg, int64_t pid,
					       const struct hwt_image **symbols,
					       char *err, size_t errlen);

/*
 * Decodes the CPU streams cs (n of them) of r into core's sink, a stream
 * per thread (id HWT_CPU_THREAD_ID + k: first the streams of trace
 * before a CPU's first switch_in, then the threads by pid and tid; its
 * tid and pid set on the core), each run against
 * image_of(pid) of the run's process.  Trace before a CPU's first
 * switch_in (none with hwt's recorders: the START record opens each
 * CPU's first run) is its own stream, against image_of(-1).  The cuts of
 * a stream's bytes (hwt_store_reader_bytes: lost or damaged bytes) stay
 * gaps inside the runs they fall in.
 *
 * Returns 0 if: every run was decoded (decode errors are gaps).
 * Returns -1 with err set if: a stream's bytes or switch records cannot
 * be read (hwt_store_reader_bytes, hwt_store_reader_switch_ins), an image
 * cannot be built, the front end's setup failed or the sink aborted.
 */
int hwt_session_cpu_decode(struct hwt_store_reader *r,
			   const struct hwt_cpu_stream *cs, size_t n,
			   hwt_pid_image_fn image_of, void *image_arg,
			   struct hwt_core *core, char *err, size_t errlen);

#endif /* HWT_DECODER_SESSION_CPU_H */
