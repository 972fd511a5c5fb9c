/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trace store writer: a session directory as docs/trace-store.md
 * describes it (session.db + append-only stream-N.bin).
 *
 * Crash safety: bytes are appended at once, but a chunk row naming them is
 * inserted only by hwt_store_commit(), after fdatasync() of the stream
 * files, in the same transaction as the records queued since the last
 * commit.  Whatever a crash leaves past the last indexed chunk is garbage
 * that hwt_store_fsck() truncates.
 */
#ifndef HWT_STORE_H
#define HWT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hwt/hwt.h"

#define HWT_STORE_FORMAT_VERSION 2

struct hwt_store;

/* Creates dir (which must not exist) and its session.db.  NULL on error,
 * with a message in err. */
struct hwt_store *hwt_store_create(const char *dir, char *err, size_t errlen);

/* Last error message of s. */
const char *hwt_store_error(const struct hwt_store *s);

int hwt_store_meta(struct hwt_store *s, const char *key, const char *value);

/* Declare stream id (the kernel buffer index) of kind ("intel_pt", ...);
 * tid/cpu/trace_id < 0 mean none. */
int hwt_store_stream(struct hwt_store *s, uint32_t id, const char *kind,
		     int tid, int cpu, int trace_id, int formatted);
int hwt_store_param(struct hwt_store *s, uint32_t stream, const char *key,
		    const char *value);

/* Append bytes to stream-N.bin; lost_before: bytes the kernel dropped just
 * before them.  Indexed at the next commit. */
int hwt_store_append(struct hwt_store *s, uint32_t stream, const void *data,
		     size_t len, uint64_t lost_before);

/* Queue one kernel record (validated: size, type). */
int hwt_store_record(struct hwt_store *s, const struct hwt_record_hdr *rec,
		     size_t avail);

/* Make everything appended and queued so far durable. */
int hwt_store_commit(struct hwt_store *s);

/* Commit and close; returns the commit's result.  s is freed either way. */
int hwt_store_close(struct hwt_store *s);

/* Truncate stream files to what their chunks index, and verify every
 * chunk's crc32.  Returns 0 if consistent (after truncation), -1 with a
 * message otherwise.  *truncated gets the bytes cut off. */
int hwt_store_fsck(const char *dir, uint64_t *truncated, char *err,
		   size_t errlen);

/* Set meta state to state if it is now from (hwtd marks sessions a crash
 * interrupted).  0, or -1 if the database cannot be written. */
int hwt_store_set_state(const char *dir, const char *from, const char *state);

#endif /* HWT_STORE_H */
