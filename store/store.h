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

/* How a session is created. */
struct hwt_store_opts {
	unsigned mode;		/* session.db and stream files; 0: 0600 (like
				 * perf.data).  The directory gets the same
				 * with x where r (0600 -> 0700). */
};

/*
 * Creates dir (which must not exist) and its session.db.  session.db is
 * built complete (tables, format_version, state) under a temporary name
 * and renamed into place, so a creation killed or out of disk leaves no
 * session.db without tables; a creation that fails removes what it made.
 *
 * Returns the store on success.
 * Returns NULL with a message in err if: dir exists ("session already
 * exists") or cannot be made, or session.db cannot be written.
 */
struct hwt_store *hwt_store_create_opts(const char *dir,
					const struct hwt_store_opts *o,
					char *err, size_t errlen);

/* hwt_store_create_opts() with the default options (0600/0700). */
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
 * before them.  Indexed at the next commit.  A stream's bytes and losses
 * must each stay within INT64_MAX (-1 otherwise, nothing appended). */
int hwt_store_append(struct hwt_store *s, uint32_t stream, const void *data,
		     size_t len, uint64_t lost_before);

/* Queue one kernel record (validated: size, type). */
int hwt_store_record(struct hwt_store *s, const struct hwt_record_hdr *rec,
		     size_t avail);

/* Make everything appended and queued so far durable. */
int hwt_store_commit(struct hwt_store *s);

/* Commit and close; returns the commit's result.  s is freed either way. */
int hwt_store_close(struct hwt_store *s);

struct hwt_store_fsck_result {
	uint64_t truncated;	/* un-indexed bytes cut off the files */
	unsigned streams_fixed;	/* streams rows whose bytes/lost were set
				 * to what their chunks cover */
};

/*
 * Checks and repairs the session in the directory dirfd (shown: its name
 * for messages): reads every stream's whole chunk list and verifies every
 * chunk's crc32 against its file; only then sets streams.bytes/lost to what
 * the chunks cover and truncates each stream file to the end of its last
 * chunk (the un-indexed tail a crash leaves).
 *
 * The directory is untrusted input (a user's, checked by root's hwtd or a
 * root `hwt fsck`): every file is opened with openat() on dirfd,
 * O_NOFOLLOW and O_NONBLOCK, and must be a regular file owned by the
 * directory's owner; stream file names come from integer ids (0-1023)
 * only; a file is cut only if it is the very inode verified; session.db's
 * tables must be tables (not views).  The caller should run as the
 * directory's owner (hwtd does): SQLite opens session.db by name, so these
 * checks narrow, but cannot close, the window in which an owner racing
 * fsck could swap it.
 *
 * Returns 0 if consistent (after the repair), with res filled.
 * Returns -1 with a message in err, and no file changed, if: session.db is
 * missing (a creation that was interrupted says so), not a regular file of
 * the owner, not a session database, locked by another process past the
 * busy timeout, or unreadable (SQLite's message: a damaged page is never
 * read as the end of the chunk list); a stream id is out of range; a stream
 * file is a symlink, not regular, of another owner, or missing while
 * chunks index it; chunks are not contiguous, run past the file's end or
 * fail their crc32.
 */
int hwt_store_fsck_at(int dirfd, const char *shown,
		      struct hwt_store_fsck_result *res, char *err,
		      size_t errlen);

/* hwt_store_fsck_at() on dir (opened O_DIRECTORY | O_NOFOLLOW); *truncated
 * gets res.truncated.  0 or -1 as hwt_store_fsck_at(). */
int hwt_store_fsck(const char *dir, uint64_t *truncated, char *err,
		   size_t errlen);

/*
 * Sets meta state to state if it is now from (hwtd marks sessions a crash
 * interrupted), opening session.db as hwt_store_fsck_at() does.
 * Returns 0 on success (also when state was not from).
 * Returns -1 if session.db fails those checks or cannot be written.
 */
int hwt_store_set_state_at(int dirfd, const char *from, const char *state);

/* hwt_store_set_state_at() on dir (opened O_DIRECTORY | O_NOFOLLOW). */
int hwt_store_set_state(const char *dir, const char *from, const char *state);

#endif /* HWT_STORE_H */
