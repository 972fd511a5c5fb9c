/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db.c: the decoded database's schema and writer (docs/decoder.md).
 */
#ifndef HWT_DECODER_DB_H
#define HWT_DECODER_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "hwt/decode.h"
#include "store_io.h"
#include "core/blocks.h"
#include "core/callstack.h"
#include "core/edges.h"
#include "core/flow.h"

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
/*
 * With on, the batched rows, flow rows, call chunks and commits are
 * written from here on by a thread of their own (db_writer.h), in order;
 * any other write, hwt_db_handle() and the end wait for it.  Off: it
 * ends, its writes done.
 * Returns 0 if: done (on: also where no thread could start, the writes
 * then made in place).
 * Returns -1 if: off, and a write of the thread failed.
 */
int hwt_db_set_writer(struct hwt_db *db, int on);
/* The connection, the writer's jobs all run (it is idle until the next
 * write). */
sqlite3 *hwt_db_handle(struct hwt_db *db);
int hwt_db_commit(struct hwt_db *db);	/* commit + begin */
/* Writes the call rows held (their chunk ends here), without a commit;
 * batched rows of other tables wait for a full batch or the commit.
 * Returns 0, or -1 on an SQLite error. */
int hwt_db_flush(struct hwt_db *db);
int hwt_db_meta(struct hwt_db *db, const char *key, const char *value);
int hwt_db_image(struct hwt_db *db, struct hwt_image *img);
int hwt_db_thread(struct hwt_db *db, int64_t tid, int64_t pid,
		  uint64_t *thread_id);
int hwt_db_stream(struct hwt_db *db, const struct hwt_stream_info *info,
		  uint64_t thread_id);
int hwt_db_block(struct hwt_db *db, uint32_t id, const struct hwt_ublock *b);
int hwt_db_edge(struct hwt_db *db, uint32_t stream, uint64_t thread_id,
		const struct hwt_edge *e);
/* A trace event in the flow of stream (events table): kind "on", "off",
 * "async" or "eret" before instruction insn_index, with ev's ip, arg and
 * code.  Returns 0, or -1 on an SQLite error. */
int hwt_db_event(struct hwt_db *db, uint32_t stream, uint64_t insn_index,
		 const char *kind, const struct hwt_event *ev, uint64_t time);
int hwt_db_error(struct hwt_db *db, uint64_t id, uint32_t stream,
		 uint64_t insn_index, const struct hwt_event *ev,
		 const char *kind);
int hwt_db_flow(struct hwt_db *db, uint32_t stream, uint64_t seq,
		uint64_t first_insn, uint64_t ninsn, uint64_t nentries,
		const uint8_t *data, size_t size);
struct hwt_calls_slots;
/* Where the call rows go (calls_vtab.h): a call stack fills them in
 * place, db keeps them until the next flush.  Returns it. */
struct hwt_calls_slots *hwt_db_calls(struct hwt_db *db);
int hwt_db_call_path(struct hwt_db *db, uint64_t id, uint64_t parent,
		     uint32_t sym, uint64_t ip);
int hwt_db_block_count(struct hwt_db *db, uint32_t stream,
		       uint64_t thread_id, uint32_t block, uint64_t count);
int hwt_db_symbol_stat(struct hwt_db *db, uint64_t thread_id, uint32_t sym,
		       uint64_t calls, uint64_t insns);
int hwt_db_call_path_stat(struct hwt_db *db, uint64_t thread_id,
			  uint64_t call_path, uint64_t calls, uint64_t insns);
/* An inlined subroutine's range [start, end) (runtime addresses) in
 * binary_id, depth 1 = inlined into a real function. */
int hwt_db_inline(struct hwt_db *db, uint32_t binary_id, uint64_t start,
		  uint64_t end, uint32_t depth, const char *name,
		  const char *call_file, uint32_t call_line);
/* The source line of the instruction at runtime address addr.
 * Returns 0 if written (or there already), -1 on an SQLite error. */
int hwt_db_line(struct hwt_db *db, uint64_t addr, const char *file,
		uint32_t line);
/* The same of binary_id's instruction at addr, where another binary's
 * code ran at addr too (another process's: the binary_lines table).
 * Returns 0 if written (or there already), -1 on an SQLite error. */
int hwt_db_binary_line(struct hwt_db *db, uint32_t binary_id, uint64_t addr,
		       const char *file, uint32_t line);
int hwt_db_stream_end(struct hwt_db *db, uint32_t stream, uint64_t ninsn,
		      uint64_t nblocks, uint64_t nerrors);
/* The clock of the stream's times (streams.clock): "insn" when its
 * timestamps count instructions.  Returns 0, or -1 on an SQLite error. */
int hwt_db_stream_clock(struct hwt_db *db, uint32_t stream,
			const char *clock);
int hwt_db_session(struct hwt_db *db, const char *source, const char *kind);
/* Opens an existing database read-only (store_io.h: busy timeout,
 * defensive, untrusted schema, budget), checks it is ours and that the
 * NULL-terminated tables (may be NULL) are tables, not views; warns when
 * it is incomplete.  NULL with a message on stderr. */
sqlite3 *hwt_db_open_ro(const char *path, struct hwt_sqlite_budget *budget,
			const char *const *tables);

#endif /* HWT_DECODER_DB_H */
