/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libhwtdecode: turn hardware traces (Intel PT, CoreSight ETM) into an SQLite
 * database (schema: docs/schema.md) and read it back.
 *
 * All functions return 0 (or a count) on success and a negative value on
 * failure; on failure a message is written to the caller's err buffer (or
 * stderr for the read-side commands).
 */
#ifndef HWT_DECODE_H
#define HWT_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the output database schema (meta key schema_version). */
#define HWT_SCHEMA_VERSION 3

/* -------------------------------------------------------------------- */
/* Images: the traced program's memory, with symbols.                   */

/* Opaque: a set of sections (file bytes at a virtual address) and the
 * binaries they come from (path, build id, ELF symbols, DWARF lines). */
struct hwt_image;

struct hwt_image *hwt_image_alloc(void);
void hwt_image_free(struct hwt_image *img);

/* Raw bytes of path [offset, offset + size) at vaddr (size 0: to the end of
 * the file).  Like ptxed --raw. */
int hwt_image_add_raw(struct hwt_image *img, const char *path, uint64_t offset,
		      uint64_t size, uint64_t vaddr, char *err, size_t errlen);

/* The PT_LOAD segments of an ELF file; with have_base, relocated so that
 * the lowest segment lands at base (like ptxed --elf FILE:BASE).  Loads its
 * symbols (symtab, dynsym) and DWARF line table when present. */
int hwt_image_add_elf(struct hwt_image *img, const char *path, uint64_t base,
		      int have_base, char *err, size_t errlen);

/* A mapping from an mmap/exec record: len bytes of path at file offset pgoff
 * mapped at addr.  ELF files get their symbols. */
int hwt_image_add_mapping(struct hwt_image *img, const char *path,
			  uint64_t addr, uint64_t len, uint64_t pgoff,
			  char *err, size_t errlen);

/* Separate debug files are looked up by build id, as gdb does, in
 * DIR/.build-id/xx/rest.debug for each DIR of the ':'-separated list dirs,
 * for binaries added from now on; NULL: HWT_DEBUG_DIR; "": nowhere. */
#define HWT_DEBUG_DIR "/usr/lib/debug"
void hwt_image_set_debug_dirs(struct hwt_image *img, const char *dirs);

/* Copies up to size bytes at addr; returns bytes copied or -1 if unmapped. */
int hwt_image_read(const struct hwt_image *img, uint64_t addr, void *buf,
		   size_t size);

/* -------------------------------------------------------------------- */
/* Decoding.                                                            */

/* What the DWARF cache did in a decode (hwt_decode_opts). */
struct hwt_dwarf_cache_stats {
	unsigned long hits;	/* binaries whose DWARF came from the cache */
	unsigned long written;	/* cache files written (new units read) */
	unsigned long rejected;	/* damaged cache files ignored (warned) */
};

/* How an Intel PT decode went (hwt_decode_opts): bytes of trace. */
struct hwt_pt_stats {
	uint64_t fast_bytes;	/* in PSB segments (or pieces of them
				 * between PSBs) the fast path decoded */
	uint64_t libipt_bytes;	/* in those libipt's block decoder decoded:
				 * packets the fast path does not model */
	uint64_t whole_bytes;	/* decoded in one piece by libipt (a small
				 * trace, --threads 1, perf.data's images
				 * by time) */
};

struct hwt_decode_opts {
	const char *out;	/* output database: written as OUT.tmp and
				 * renamed over OUT when complete */
	int force;		/* replace an existing OUT (else refused) */
	unsigned mode;		/* of OUT; 0: 0600 (like perf.data) */
	const char *cpu;	/* "F/M[/S]" for libipt errata, NULL: none */
	int threads;		/* PT segment decoding threads, the main
				 * thread one of them; 0: auto (segments for
				 * traces >= 4 MiB), 1: one continuous decode */
	int segmented;		/* PSB segments even with one worker */
	int quiet;		/* no progress/diagnostics on stderr */
	int no_calls;		/* no per-call rows in calls */
	/* --snapshot input: the trace buffer (its name=) to decode; NULL:
	 * the first in trace.ini, as trc_pkt_lister; "all": every one. */
	const char *snapshot_buffer;
	/* perf.data inputs: where binaries are looked up (docs/decoder.md
	 * "perf.data"); NULL: not there. */
	const char *buildid_dir;	/* DIR/xx/rest[/elf] by build id */
	const char *symfs;		/* DIR + the recorded path */
	/* Where debug files are found by build id: as for
	 * hwt_image_set_debug_dirs(), for the images a session or perf.data
	 * decode makes. */
	const char *debug_dirs;
	/* The DWARF cache's directory (docs/decoder.md: what DWARF gave,
	 * kept per build id under DIR/dwarf, so the next decode of the
	 * same binary reads none); NULL: no cache.  `hwt decode` passes
	 * $XDG_CACHE_HOME/hwt or ~/.cache/hwt unless --no-cache. */
	const char *dwarf_cache;
	/* NULL, or counts of what the cache did, added to. */
	struct hwt_dwarf_cache_stats *dwarf_cache_stats;
	/* NULL, or how Intel PT traces were decoded, added to. */
	struct hwt_pt_stats *pt_stats;
	/* Called from the decoding thread with the trace bytes decoded so
	 * far and the input's total (0: unknown), at most every half
	 * second and not during the first second (NULL: never). */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	/* Switches for tests and fuzzers (0: off), never needed otherwise;
	 * the library reads no environment variables. */
	struct hwt_decode_test_opts {
		int pt_no_fastpath;	/* 1: every PT segment through libipt's
					 * block decoder (its joins checked);
					 * 2: and joins by two decodes only */
		uint64_t pt_segment_min; /* PT segments of at least this many
					 * bytes; 0: a 1024th of the trace, at
					 * most 64 KiB */
		int pt_reverse_segments; /* 1: every PT segment decoded
					 * before the first is fed, last
					 * first, on one thread */
		int cs_no_fork;		/* OpenCSD in this process, not in a
					 * crash-isolating child */
		int cs_abort_on_child_exit; /* abort() if an OpenCSD child exits
					 * (sanitizers under the fuzzer) */
		int progress_unthrottled; /* progress at every report, from
					 * the start */
		int db_writer;		/* 1: the database's writer thread
					 * even on one CPU or --threads 1;
					 * -1: never (writes in place) */
	} test;
};

/* Raw Intel PT file + image (ptxed style).  Returns 0 on success, also when
 * the trace had decode errors (they are recorded in the errors table). */
int hwt_decode_pt_file(const char *pt_path, struct hwt_image *img,
		       const struct hwt_decode_opts *opts,
		       char *err, size_t errlen);

/*
 * A trace session directory (docs/trace-store.md), untrusted: its files
 * are opened through the directory's fd without following symlinks and
 * must be regular files of the directory's owner; sizes and counts read
 * from session.db are bounded by the real file sizes.  Images named by its
 * records are opened as the caller, never through a symlink, and, when the
 * caller is not the session's owner (root decoding a user's session), only
 * if owned by that owner, by the caller, or world-readable.
 *
 * Returns 0 on success (decode errors and gaps are recorded in errors).
 * Returns -1 with a message in err if: OUT is inside the session directory,
 * OUT exists without force, OUT.tmp exists (another decode), session.db
 * cannot be read whole (a damaged page, a lock held past the busy timeout:
 * SQLite's message), or the output cannot be written.
 */
int hwt_decode_session(const char *dir, const struct hwt_decode_opts *opts,
		       char *err, size_t errlen);

/* A perf.data file (file or pipe mode) with CoreSight (cs_etm) or Intel PT AUX
 * trace: one stream per CPU.  Returns 0 on success (lost or missing trace, missing
 * binaries and a damaged record after the header are recorded gaps), -1
 * with err set if the file cannot be decoded at all. */
int hwt_decode_perf_data(const char *path, const struct hwt_decode_opts *opts,
			 char *err, size_t errlen);

/* 1 if path starts with perf.data's magic "PERFILE2", else 0. */
int hwt_is_perf_data(const char *path);

/* An OpenCSD snapshot directory (CoreSight front end). */
int hwt_decode_snapshot(const char *dir, struct hwt_image *img,
			const struct hwt_decode_opts *opts,
			char *err, size_t errlen);

/* Parses "F/M[/S]" (decimal or 0x hex). */
int hwt_parse_cpu(const char *s, unsigned *family, unsigned *model,
		  unsigned *stepping);

/* Decodes a raw PT buffer against img into a database at out; the fuzzing
 * and test entry (no files besides the output). */
int hwt_decode_pt_buffer(const uint8_t *buf, size_t size,
			 struct hwt_image *img,
			 const struct hwt_decode_opts *opts,
			 char *err, size_t errlen);

/* -------------------------------------------------------------------- */
/* Reading a decoded database.                                          */

enum hwt_replay_format {
	HWT_REPLAY_ADDR = 0,	/* 16 hex digits per instruction */
	HWT_REPLAY_INSN,	/* address + disassembly */
	HWT_REPLAY_LINE,	/* source file:line transitions */
};

struct hwt_replay_opts {
	int64_t tid;		/* -1: any */
	int64_t stream;		/* -1: all streams, in id order */
	uint64_t from;		/* first instruction index (per stream) */
	uint64_t count;		/* 0: all */
	enum hwt_replay_format format;
	/* NULL, or a line per instruction with these fields, comma
	 * separated, as perf script -F: tid, cpu, index (the instruction's
	 * in its stream), ip, sym, symoff (sym+0xOFF with sym, else +0xOFF),
	 * dso, srcline, inline (inlined functions there, innermost first,
	 * ';'-separated, '-' if none), insn, time (on the stream's clock:
	 * exact on an instruction clock, else the last call or return's,
	 * '-' if none).  format is then not used. */
	const char *fields;
	/* Only the instructions whose time is in [time_from, time_to] (on
	 * an instruction clock exactly; on a hardware clock from the first
	 * call or return at or after time_from to the last at or before
	 * time_to).  time_slice 0: no slicing. */
	int time_slice;
	uint64_t time_from, time_to;
	/* A line starting with '[' wherever the trace says tracing stopped
	 * or started, a system call, an interrupt or exception or a return
	 * from one happened (the events table), besides the gaps. */
	int markers;
};

/* Returns 0 if hwt_replay_opts.fields names only known fields, else -1
 * with the first unknown one in err. */
int hwt_replay_fields_check(const char *fields, char *err, size_t errlen);

int hwt_replay(const char *db, const struct hwt_replay_opts *opts, FILE *out);

/* The call trace: a line per call in call order, indented by depth
 * (perf script --call-trace). */
struct hwt_calls_opts {
	int64_t tid;		/* -1: every thread */
	const char *func;	/* NULL; else only its calls and callees */
};

int hwt_replay_calls(const char *db, const struct hwt_calls_opts *opts,
		     FILE *out);

/* Top functions and the call tree (perf report's). */
enum hwt_report_sort {
	HWT_REPORT_SORT_DEFAULT = 0,	/* a table by self instructions and
					 * one by calls */
	HWT_REPORT_SORT_SELF,		/* one table, by self instructions */
	HWT_REPORT_SORT_CALLS,
	HWT_REPORT_SORT_TOTAL,		/* by instructions with children */
	HWT_REPORT_SORT_NAME,
};

struct hwt_report_opts {
	int top;			/* rows per table (>= 1) */
	enum hwt_report_sort sort;
	int children;			/* a column of inclusive instructions
					 * (perf report --children: recursion
					 * counted once) */
	int64_t tid;			/* -1: every thread */
};

/* Returns 0, or -1 (message on stderr) if db cannot be read or has no
 * thread tid. */
int hwt_report(const char *db, const struct hwt_report_opts *opts,
	       FILE *out);

/* Two decoded runs side by side: per function, calls and instructions
 * (self) in a and in b with the change, the largest changes first (top
 * of them), and the totals. */
int hwt_report_diff(const char *a, const char *b, int top, FILE *out);

/* Per-call durations of func (instructions, and time where the trace has
 * it): count, min, p50, p90, p99, max and a histogram. */
int hwt_report_latency(const char *db, const char *func, FILE *out);

/* The inlined functions (DWARF) and the instructions that ran in their
 * inlined code, self and total, of thread tid (-1: all), the top
 * (0: all) by total.  Returns 0, or -1 with a message on stderr. */
int hwt_report_inline(const char *db, int64_t tid, int top, FILE *out);

/* Runs sql and prints the rows as an aligned table or CSV. */
int hwt_query(const char *db, const char *sql, int csv, FILE *out);

/* Compiler profiles from a decoded database (docs/pgo.md). */
enum hwt_export_format {
	HWT_EXPORT_AUTOFDO = 1,	/* AutoFDO text, as simpleperf inject */
	HWT_EXPORT_BOLT,	/* llvm-bolt --pa pre-aggregated */
	HWT_EXPORT_PROFGEN,	/* llvm-profgen --unsymbolized-profile
				 * --use-offset=0 (one binary) */
};

struct hwt_export_opts {
	enum hwt_export_format format;
	const char *binary;	/* NULL: every traced binary; else its
				 * path, file name or build id */
	uint32_t sample;	/* 0: exact counts; N: what LBR sampling
				 * sees instead (a 32-branch stack at every
				 * N-th taken branch), for comparison */
};

/* Writes the profile to out: 0, or -1 with a message on stderr. */
int hwt_export(const char *db, const struct hwt_export_opts *opts,
	       FILE *out);

/* A session directory with Intel PT streams (thread mode) as a file-mode
 * perf.data at out that perf's tools read (perf script --itrace,
 * perf2bolt, hotspot): docs/perf-data.md "Writing".  Returns 0, or -1 with
 * err set if the session cannot be read, perf cannot represent it (the
 * message says why) or out cannot be written (it is removed). */
int hwt_export_perf_data(const char *session, const char *out, char *err,
			 size_t errlen);

/* A timeline of a decoded database as Chrome trace-event JSON (what
 * ui.perfetto.dev opens): a track per thread, a slice per call, instant
 * events at gaps. */
struct hwt_timeline_opts {
	int clock_time;		/* 0: instructions; 1: the trace's clock */
	uint64_t min_duration;	/* shorter slices are left out */
	uint64_t max_events;	/* 0: no limit; else the cut is reported */
};

/* Writes the JSON to out: 0, or -1 with a message on stderr. */
int hwt_timeline_json(const char *db, const struct hwt_timeline_opts *opts,
		      FILE *out);

/* Folded stacks of a decoded database (flamegraph.pl, inferno,
 * speedscope read them): "root;...;leaf N" with N the instructions the
 * leaf executed itself under that path; the lines sum to the traced
 * instructions. */
struct hwt_flame_opts {
	int per_thread;		/* a "tid N" root frame per thread */
	int64_t tid;		/* -1: every thread; else only this one */
	/* Weight: 0, instructions (call_path_stats); 1, the trace's
	 * clock: each path's calls' return_time - call_time, less its
	 * callees' (calls with both times only). */
	int weight_time;
};

/* Writes the folded stacks to out: 0, or -1 with a message on stderr. */
int hwt_flame_folded(const char *db, const struct hwt_flame_opts *opts,
		     FILE *out);

/* Writes them as a self-contained interactive SVG flame graph (zoom,
 * search, tooltips) titled title: 0, or -1 with a message on stderr. */
int hwt_flame_svg(const char *db, const struct hwt_flame_opts *opts,
		  const char *title, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* HWT_DECODE_H */
