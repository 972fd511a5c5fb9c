/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal interfaces between the objects of libhwtdecode.  One section per
 * source file.
 */
#ifndef HWT_DECODER_INTERNAL_H
#define HWT_DECODER_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "hwt/decode.h"
#include "hwt_err.h"
#include "flow.h"
#include "store_io.h"

#define HWT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* util.c ------------------------------------------------------------- */
void *hwt_xrealloc(void *p, size_t n);	/* aborts on OOM: never a partial state */
char *hwt_xstrdup(const char *s);
/* Maps a whole file read-only (a path the user named: symlinks followed,
 * but never a FIFO or a device); returns NULL (err set) on failure. */
const uint8_t *hwt_map_file(const char *path, size_t *size, char *err,
			    size_t errlen);
/* Maps the whole regular file fd (not closed); shown names it. */
const uint8_t *hwt_map_fd(int fd, const char *shown, size_t *size,
			  char *err, size_t errlen);

/* symtab.c (libelf) -------------------------------------------------- */
struct hwt_sym {
	uint64_t start;		/* link-time address */
	uint64_t size;
	char *name;
	uint32_t id;		/* database symbol id (>= 1) */
	uint8_t binding;	/* STB_* */
};

struct hwt_elf_seg {
	uint64_t vaddr, offset, filesz, memsz;
	uint32_t flags;		/* PF_* */
};

struct hwt_elf {
	int type;		/* ET_* */
	int machine;		/* EM_* */
	char build_id[64];	/* lowercase hex, "" if none */
	struct hwt_elf_seg *segs;
	size_t nsegs;
	struct hwt_sym *syms;	/* sorted by start, sized and unique */
	size_t nsyms;
};

/* 1: ELF loaded, 0: not an ELF file, <0: corrupt ELF (err set). */
int hwt_elf_load(const char *path, struct hwt_elf *elf, char *err,
		 size_t errlen);
/* The same from an open file (not closed; path for messages). */
int hwt_elf_load_fd(int fd, const char *path, struct hwt_elf *elf,
		    char *err, size_t errlen);
void hwt_elf_fini(struct hwt_elf *elf);
const struct hwt_sym *hwt_sym_find(const struct hwt_sym *syms, size_t n,
				   uint64_t addr);

/* dwarf.c (libdwarf) ------------------------------------------------- */
struct hwt_line {
	uint64_t addr;		/* link-time address */
	uint32_t file;		/* index into files */
	uint32_t line;
};

struct hwt_lines {
	struct hwt_line *rows;	/* sorted by addr */
	size_t nrows;
	char **files;
	size_t nfiles;
};

/* Loads the DWARF line table of path; NULL if it has none. */
struct hwt_lines *hwt_dwarf_lines(const char *path);
struct hwt_lines *hwt_dwarf_lines_fd(int fd);	/* fd is not closed */
void hwt_dwarf_free(struct hwt_lines *l);
/* The row covering addr (the last row with row.addr <= addr), or NULL. */
const struct hwt_line *hwt_lines_find(const struct hwt_lines *l,
				      uint64_t addr);

/* image.c ------------------------------------------------------------ */
struct hwt_binary {
	uint32_t id;		/* database binary id (>= 1) */
	char *path;
	char build_id[64];
	int64_t bias;		/* runtime address = link address + bias */
	struct hwt_elf elf;
	int is_elf;
	struct hwt_lines *lines;
	int lines_loaded;
	int fd;			/* its file, for the DWARF lines */
};

struct hwt_section {
	uint64_t vaddr, size;
	const uint8_t *data;
	uint64_t file_offset;
	const char *path;	/* owned by the image */
	struct hwt_binary *bin;
};

/* Files added from now on are opened relative to dirfd (AT_FDCWD: as
 * named) and must pass p (store_io.h).  The default: as named, symlinks
 * followed, any owner (files the user names on the command line). */
void hwt_image_set_policy(struct hwt_image *img, int dirfd,
			  const struct hwt_file_policy *p);
/* hwt_image_add_mapping() of the file open_name (relative to the policy's
 * dirfd), recorded as path. */
int hwt_image_add_mapping_at(struct hwt_image *img, const char *open_name,
			     const char *path, uint64_t addr, uint64_t len,
			     uint64_t pgoff, char *err, size_t errlen);
size_t hwt_image_nsections(const struct hwt_image *img);
const struct hwt_section *hwt_image_section(const struct hwt_image *img,
					    size_t i);
size_t hwt_image_nbinaries(const struct hwt_image *img);
struct hwt_binary *hwt_image_binary(const struct hwt_image *img, size_t i);
const struct hwt_section *hwt_image_find(const struct hwt_image *img,
					 uint64_t addr);
/* Symbol at runtime address addr, NULL if none; *bin set when mapped. */
const struct hwt_sym *hwt_image_symbol(const struct hwt_image *img,
				       uint64_t addr,
				       const struct hwt_binary **bin);
/* Symbol starting exactly at addr (or NULL). */
int hwt_image_is_sym_start(const struct hwt_image *img, uint64_t addr);
/* Source line of runtime address addr (loads DWARF on first use). */
const struct hwt_line *hwt_image_line(struct hwt_image *img, uint64_t addr,
				      const char **file);
/* read_mem callback for struct hwt_stream_info. */
int hwt_image_read_cb(void *arg, uint64_t addr, void *buf, size_t size);

/* insn.c (capstone) -------------------------------------------------- */
/*
 * Fills lens[0..ninsn) with the instruction lengths of the block
 * [ip, end_ip] whose bytes (from ip) are code[0..size); 0 on success,
 * negative unless they decode to exactly ninsn instructions, the last one
 * at end_ip.
 */
struct hwt_disasm;
struct hwt_disasm *hwt_disasm_alloc(void);
void hwt_disasm_free(struct hwt_disasm *d);
int hwt_insn_lengths(struct hwt_disasm *d, int isa, const uint8_t *code,
		     size_t size, uint64_t ip, uint64_t end_ip, uint32_t ninsn,
		     uint8_t *lens);
/* Disassembles one instruction; returns its length or negative. */
int hwt_insn_text(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		  size_t size, uint64_t ip, char *text, size_t textlen);
/* One x86 instruction for the PT fast path: length, class, direct target,
 * special (far/system/TSX/privileged: left to libipt). */
struct hwt_insn_info {
	uint8_t len;
	uint8_t iclass;		/* enum hwt_iclass, HWT_IC_OTHER: no branch */
	uint8_t special;
	uint64_t target;	/* direct branches */
};
int hwt_insn_decode(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		    size_t size, uint64_t ip, struct hwt_insn_info *out);
/* Class of the instruction in bytes (enum hwt_iclass). */
int hwt_insn_class(struct hwt_disasm *d, int isa, const uint8_t *bytes,
		   size_t size, uint64_t ip);

/* flow.c: the compact replayable flow encoding ------------------------ */
/*
 * A flow chunk is a sequence of unsigned LEB128 values: 2*block_id for an
 * executed block, 2*error_id+1 for a gap (row of the errors table).
 */
size_t hwt_uleb_put(uint8_t *p, uint64_t v);	/* p needs 10 bytes */
/* Returns bytes consumed, 0 on truncated/overlong input. */
size_t hwt_uleb_get(const uint8_t *p, size_t n, uint64_t *v);

/* blocks.c: unique blocks -------------------------------------------- */
struct hwt_ublock {
	uint64_t ip, end_ip;
	uint32_t ninsn;
	uint8_t isa, iclass;
	uint8_t lens_ok;	/* lens valid */
	uint8_t flushed;	/* written to the database */
	uint8_t *lens;		/* ninsn instruction lengths */
	uint8_t *code;		/* bytes from ip, code_size of them */
	uint32_t code_size;
	uint8_t sym_start;	/* ip is the first insn of sym */
	uint8_t end_len;	/* length of the last insn, 0: unknown */
	uint32_t sym_id;	/* symbol of ip, 0: unknown */
	uint32_t bin_id;
};

struct hwt_blocks;
struct hwt_blocks *hwt_blocks_alloc(void);
void hwt_blocks_free(struct hwt_blocks *b);
/* Id (>= 1) of the unique block; *is_new set when it was just added. */
uint32_t hwt_blocks_intern(struct hwt_blocks *b, uint64_t ip, uint64_t end_ip,
			   uint32_t ninsn, uint8_t isa, uint8_t iclass,
			   int *is_new);
struct hwt_ublock *hwt_blocks_get(struct hwt_blocks *b, uint32_t id);
uint32_t hwt_blocks_count(const struct hwt_blocks *b);

/* callstack.c: perf-style thread stack --------------------------------- */
struct hwt_call_row {
	uint64_t id, parent_id, call_path_id;
	uint64_t call_insn, return_insn;	/* instruction index in stream */
	uint64_t call_time, return_time;
	uint64_t insn_count, branch_count;
	uint32_t flags;		/* HWT_CALL_* */
	uint32_t sym_id;
};

#define HWT_CALL_NO_CALL	(1u << 0)	/* entered without a seen call */
#define HWT_CALL_NO_RETURN	(1u << 1)	/* left without a seen return */
#define HWT_CALL_NON_CALL	(1u << 2)	/* entered by a jump (tail call) */

struct hwt_callpaths;	/* shared by all streams */
struct hwt_callpaths *hwt_callpaths_alloc(void);
void hwt_callpaths_free(struct hwt_callpaths *cp);
/* Id of (parent, sym, ip): sym 0 keys by ip.  *is_new on creation. */
uint64_t hwt_callpath_get(struct hwt_callpaths *cp, uint64_t parent,
			  uint32_t sym, uint64_t ip, int *is_new);

typedef int (*hwt_call_out_fn)(void *arg, const struct hwt_call_row *row);
typedef int (*hwt_cp_out_fn)(void *arg, uint64_t id, uint64_t parent,
			     uint32_t sym, uint64_t ip);

/* out NULL: no call rows (call paths and counts still). */
struct hwt_callstack;
struct hwt_callstack *hwt_callstack_alloc(struct hwt_callpaths *cp,
					  uint64_t *next_call_id,
					  hwt_call_out_fn out,
					  hwt_cp_out_fn cpout, void *arg);
void hwt_callstack_free(struct hwt_callstack *cs);
/*
 * Feeds one executed block: first_sym is the symbol of blk_ip, insn_index
 * the stream index of its first instruction.  The previous block's class
 * decides what entering this block means (call, return, tail call).
 */
int hwt_callstack_block(struct hwt_callstack *cs, uint64_t ip, uint32_t sym,
			int sym_start, uint64_t end_ip, uint32_t end_len,
			uint32_t ninsn, int iclass, uint64_t insn_index,
			uint64_t time);
/*
 * The per-block step's state: the first member of struct hwt_callstack
 * (callstack.c), so that the common step below is inline in the core's
 * per-block loop; everything else stays in callstack.c.
 */
struct hwt_callstack_hot {
	size_t n;		/* frames */
	uint32_t top_sym;	/* the top frame's symbol (n > 0) */
	int prev_valid;
	int prev_class;
	uint64_t prev_ret;	/* address after the previous block */
	uint64_t blocks;
};
int hwt_callstack_block_slow(struct hwt_callstack *cs,
			     const struct hwt_ublock *u, uint64_t insn_index,
			     uint64_t time);

/* The same for block u (end_len: u->end_len); the core's per-block call.
 * Most blocks follow one that neither called nor returned nor jumped into
 * another function: only the state moves on. */
static inline int hwt_callstack_ublock(struct hwt_callstack *cs,
				       const struct hwt_ublock *u,
				       uint64_t insn_index, uint64_t time)
{
	struct hwt_callstack_hot *h = (struct hwt_callstack_hot *)cs;

	if (h->n && h->prev_valid) {
		switch (h->prev_class) {
		case HWT_IC_CALL:
		case HWT_IC_IND_CALL:
		case HWT_IC_RET:
			break;
		case HWT_IC_JUMP:
		case HWT_IC_IND_JUMP:
		case HWT_IC_COND_JUMP:
			if (u->sym_start && u->sym_id != h->top_sym)
				break;
			__attribute__((fallthrough));
		default:
			h->blocks++;
			h->prev_class = u->iclass;
			h->prev_ret = u->end_ip + u->end_len;
			return 0;
		}
	}
	return hwt_callstack_block_slow(cs, u, insn_index, time);
}
/* Tracing stopped (PGD/gap): the next block does not follow the last. */
void hwt_callstack_break(struct hwt_callstack *cs);
/* Exec: everything returns. */
int hwt_callstack_reset(struct hwt_callstack *cs, uint64_t insn_index,
			uint64_t time);
/* Per-symbol call counts so far: calls[sym] for sym < n. */
const uint64_t *hwt_callstack_calls(const struct hwt_callstack *cs,
				    size_t *n);
/* Per call path (index: call path id < n), the frames that have ended:
 * how many, and their instructions (inclusive). */
struct hwt_cpstat {
	uint64_t calls, insns;
};
const struct hwt_cpstat *hwt_callstack_cpstats(const struct hwt_callstack *cs,
					       size_t *n);

/* db.c: schema and writer -------------------------------------------- */
struct hwt_db;
/* Creates path.tmp (O_EXCL, mode or 0600): path itself must not exist
 * unless force.  ":memory:" is written in memory. */
struct hwt_db *hwt_db_create(const char *path, int force, unsigned mode,
			     char *err, size_t errlen);
/* Marks the database complete, commits, syncs and renames it over path:
 * 0, or -1 with err set (the temporary file removed). */
int hwt_db_finish(struct hwt_db *db, char *err, size_t errlen);
/* Closes and removes the temporary file: path is left as it was. */
void hwt_db_abandon(struct hwt_db *db);
sqlite3 *hwt_db_handle(struct hwt_db *db);
int hwt_db_commit(struct hwt_db *db);	/* commit + begin */
int hwt_db_meta(struct hwt_db *db, const char *key, const char *value);
int hwt_db_image(struct hwt_db *db, struct hwt_image *img);
int hwt_db_thread(struct hwt_db *db, int64_t tid, int64_t pid,
		  uint64_t *thread_id);
int hwt_db_stream(struct hwt_db *db, const struct hwt_stream_info *info,
		  uint64_t thread_id);
int hwt_db_block(struct hwt_db *db, uint32_t id, const struct hwt_ublock *b);
int hwt_db_error(struct hwt_db *db, uint64_t id, uint32_t stream,
		 uint64_t insn_index, const struct hwt_event *ev,
		 const char *kind);
int hwt_db_flow(struct hwt_db *db, uint32_t stream, uint64_t seq,
		uint64_t first_insn, uint64_t ninsn, uint64_t nentries,
		const uint8_t *data, size_t size);
int hwt_db_call(struct hwt_db *db, uint64_t thread_id,
		const struct hwt_call_row *row);
int hwt_db_call_path(struct hwt_db *db, uint64_t id, uint64_t parent,
		     uint32_t sym, uint64_t ip);
int hwt_db_block_count(struct hwt_db *db, uint32_t stream,
		       uint64_t thread_id, uint32_t block, uint64_t count);
int hwt_db_symbol_stat(struct hwt_db *db, uint64_t thread_id, uint32_t sym,
		       uint64_t calls, uint64_t insns);
int hwt_db_call_path_stat(struct hwt_db *db, uint64_t thread_id,
			  uint64_t call_path, uint64_t calls, uint64_t insns);
int hwt_db_line(struct hwt_db *db, uint64_t addr, const char *file,
		uint32_t line);
int hwt_db_stream_end(struct hwt_db *db, uint32_t stream, uint64_t ninsn,
		      uint64_t nblocks, uint64_t nerrors);
int hwt_db_session(struct hwt_db *db, const char *source, const char *kind);
/* Opens an existing database read-only (store_io.h: busy timeout,
 * defensive, untrusted schema, budget), checks it is ours and that the
 * NULL-terminated tables (may be NULL) are tables, not views; warns when
 * it is incomplete.  NULL with a message on stderr. */
sqlite3 *hwt_db_open_ro(const char *path, struct hwt_sqlite_budget *budget,
			const char *const *tables);

/* core.c: the sink that fills the database ----------------------------- */
struct hwt_core;
struct hwt_core *hwt_core_alloc(const struct hwt_decode_opts *opts,
				struct hwt_image *img, char *err,
				size_t errlen);
const struct hwt_sink *hwt_core_sink(struct hwt_core *core);
struct hwt_db *hwt_core_db(struct hwt_core *core);
/* Skip the per-call rows of the calls table (perf exports calls only on
 * request too); call_paths and function_stats stay complete. */
void hwt_core_set_no_calls(struct hwt_core *core, int no_calls);
/* Pid/tid of a stream (before its stream_begin). */
void hwt_core_set_thread(struct hwt_core *core, uint32_t stream, int64_t pid,
			 int64_t tid);
/* Writes counts and statistics, commits, frees. */
int hwt_core_finish(struct hwt_core *core, char *err, size_t errlen);
void hwt_core_free(struct hwt_core *core);

/* pt_frontend.c (libipt) ---------------------------------------------- */
struct hwt_pt_params {
	unsigned family, model, stepping;	/* 0/0/0: no errata */
	uint8_t mtc_freq, nom_freq;
	uint32_t cpuid_15_eax, cpuid_15_ebx;
	int threads;		/* segment workers; 0: auto, 1: one piece */
	int segmented;		/* segments even with one worker (tests) */
	int no_fastpath;	/* hwt_decode_test_opts.pt_no_fastpath */
	uint64_t segment_min;	/* hwt_decode_test_opts.pt_segment_min */
};

/*
 * Decodes buf (raw PT) of stream info->id against img into sink.  Decode
 * errors are reported as HWT_EV_GAP events and decoding resyncs at the next
 * PSB, like ptxed.  The caller brackets it with the sink's stream_begin and
 * stream_end (a stream may be decoded in pieces, e.g. around lost data).
 * Returns 0, or negative on setup failure/sink abort.
 */
int hwt_pt_decode(const uint8_t *buf, size_t size, struct hwt_image *img,
		  const struct hwt_pt_params *params,
		  const struct hwt_stream_info *info,
		  const struct hwt_sink *sink, char *err, size_t errlen);

#endif /* HWT_DECODER_INTERNAL_H */
