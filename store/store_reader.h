/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one reader of a session directory (docs/trace-store.md): every
 * program that reads a session (hwt decode, the CoreSight front end, hwt
 * info) goes through these functions, and only store/ knows session.db's
 * tables.  The writer is store.h.
 *
 * A session is untrusted input: everything is read through the directory's
 * fd with store_io.h's rules (no symlink followed, regular files of the
 * directory's owner, a budget of SQLite operations), every step loop ends
 * on SQLITE_DONE or fails loudly, and a damaged chunk list is never read as
 * a shorter one.
 */
#ifndef HWT_STORE_READER_H
#define HWT_STORE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hwt_store_reader;

/* One streams row, with what its chunks cover. */
struct hwt_store_stream {
	int64_t id;
	char kind[16];		/* "intel_pt", "etm4", "ete", ... ("?" if NULL) */
	int64_t tid;		/* -1: none */
	int64_t cpu;		/* -1: none */
	int64_t trace_id;	/* -1: none */
	int formatted;		/* CoreSight frame-formatted */
	int64_t bytes, lost;	/* as the row says */
	int64_t chunks;		/* chunk rows */
	int64_t chunk_bytes;	/* the sum of their lengths */
	int64_t chunk_lost;	/* the sum of their lost_before */
	int64_t gaps;		/* chunks with lost_before > 0 */
	int64_t chunk_end;	/* the largest offset + length */
};

/* A mapping named by an mmap or exec record. */
struct hwt_store_mapping {
	const char *path;	/* never NULL, may be "" or "[vdso]" */
	uint64_t addr, len, pgoff;
	int64_t pid;		/* the process that mapped it, -1: none */
};

/* A switch_in of a stream: where a task's part of a CPU stream begins. */
struct hwt_store_switch_in {
	uint64_t offset;	/* stream_offset, in the stored bytes */
	int64_t time;		/* CLOCK_MONOTONIC ns, -1: none */
	int64_t pid, tid, cpu;	/* -1: none */
};

/* A place in a stream's bytes where the decode must restart: a missing,
 * damaged or overlapping chunk, or bytes the kernel lost. */
struct hwt_store_cut {
	uint64_t offset;	/* in the bytes hwt_store_reader_bytes gives */
	char msg[96];
};

/* One row of the records table (format 2's packed switches are not
 * rows: hwt_store_reader_record_counts counts them). */
struct hwt_store_record {
	int64_t id;
	const char *type;	/* "mmap", "comm", ... never NULL */
	int64_t time, pid, tid, cpu;	/* -1: NULL */
	int64_t stream, stream_offset;	/* -1: NULL */
	int64_t addr, len, pgoff, prot, flags, aux;	/* -1: NULL */
	int has_addr;		/* addr is not NULL (it may be all ones) */
	const char *path;	/* NULL: NULL */
};

/* Kernel records of one type (format 2's packed switches included). */
struct hwt_store_record_count {
	char type[24];
	int64_t count;
};

/*
 * Opens the session directory dir (a path the user named: a symlink as its
 * last component is followed) and its session.db read-only.
 *
 * Returns the reader on success.
 * Returns NULL with a message in err if: dir cannot be opened as a
 * directory, session.db fails store_io.h's checks (hwt_session_db_open),
 * or its format_version is missing or not one this reader knows (1, 2).
 */
struct hwt_store_reader *hwt_store_reader_open(const char *dir, char *err,
					       size_t errlen);

/* Closes r (NULL is fine). */
void hwt_store_reader_close(struct hwt_store_reader *r);

/* The session directory's fd (owned by r) and its owner. */
int hwt_store_reader_dirfd(const struct hwt_store_reader *r);
uid_t hwt_store_reader_owner(const struct hwt_store_reader *r);

/*
 * The meta value of key into buf.
 *
 * Returns 1 if key is there (buf set; "" for a NULL value).
 * Returns 0 if key is not there.
 * Returns -1 with a message in err if session.db cannot be read.
 */
int hwt_store_reader_meta(struct hwt_store_reader *r, const char *key,
			  char *buf, size_t len, char *err, size_t errlen);

/* The stream_params value of (stream, key): 1, 0 or -1 as
 * hwt_store_reader_meta(). */
int hwt_store_reader_param(struct hwt_store_reader *r, int64_t stream,
			   const char *key, char *buf, size_t len, char *err,
			   size_t errlen);

/*
 * Every stream, by id, into *out (malloc'd; free() it) and *n.
 *
 * Returns 0 on success (*n may be 0).
 * Returns -1 with a message in err if session.db cannot be read whole.
 */
int hwt_store_reader_streams(struct hwt_store_reader *r,
			     struct hwt_store_stream **out, size_t *n,
			     char *err, size_t errlen);

/*
 * Calls cb for each mmap/exec record with a path and a length, in record
 * order; a cb that returns non-zero stops the walk with that value.
 *
 * Returns 0 after the last record, or cb's non-zero value.
 * Returns -1 with a message in err if session.db cannot be read whole.
 */
int hwt_store_reader_mappings(struct hwt_store_reader *r,
			      int (*cb)(void *arg,
					const struct hwt_store_mapping *m),
			      void *arg, char *err, size_t errlen);

/*
 * Calls cb for every records row, in id order (pointers valid during the
 * call); a cb that returns non-zero stops the walk with that value.
 *
 * Returns 0 after the last row, or cb's non-zero value.
 * Returns -1 with a message in err if session.db cannot be read whole.
 */
int hwt_store_reader_records(struct hwt_store_reader *r,
			     int (*cb)(void *arg,
				       const struct hwt_store_record *rec),
			     void *arg, char *err, size_t errlen);

/*
 * Calls cb for every switch record of format 2's switches table (rows in
 * id order, each row's entries in order; docs/trace-store.md "Format 2"):
 * type "switch_in" or "switch_out", time, pid, tid, cpu, stream,
 * stream_offset (-1: none) and aux = the other tid; the other fields -1.
 * A format 1 session has none (its switches are records rows).
 * Returns 0 after the last entry, or cb's non-zero value.
 * Returns -1 with a message in err if: session.db cannot be read whole,
 * or a row's BLOB is not count entries of 32 bytes (named by its id).
 */
int hwt_store_reader_switches(struct hwt_store_reader *r,
			      int (*cb)(void *arg,
					const struct hwt_store_record *rec),
			      void *arg, char *err, size_t errlen);

/*
 * The switch_in records of stream id (format 1: records rows; format 2:
 * the switches table), in arrival order, into *out (malloc'd, NULL when
 * *n is 0; free() it) and *n.  In a CPU-mode stream the thread a
 * switch_in names owns the bytes from its offset to the next one's of
 * the same CPU (a sink shared by several CPUs: their records interleave,
 * and may arrive out of offset order between CPUs).
 *
 * Returns 0 on success (*n may be 0).
 * Returns -1 with a message in err if: session.db cannot be read whole, a
 * switches BLOB is damaged (hwt_store_reader_switches), or an entry has
 * no offset or an offset before the previous entry's of its CPU (the
 * message names the entry and both offsets).
 */
int hwt_store_reader_switch_ins(struct hwt_store_reader *r, int64_t id,
				struct hwt_store_switch_in **out, size_t *n,
				char *err, size_t errlen);

/*
 * The bytes of stream id that its chunks index, in chunk order, into a
 * malloc'd buffer (never NULL on success, even when *size is 0), and the
 * cuts (malloc'd, sorted by offset; free() it) where they do not join: a
 * missing sequence number, bytes lost before a chunk, a chunk beyond the
 * file's end, a crc32 mismatch (the chunk is skipped), and the BUFFER/LOST
 * records' offsets.  Every byte copied is
 * a byte of the file, used once: whatever the rows say, the buffer never
 * exceeds stream-ID.bin.
 *
 * Returns the buffer on success.
 * Returns NULL with a message in err if: id is out of range, stream-ID.bin
 * fails store_io.h's checks, memory runs out, a chunk overlaps the chunks
 * before it (the index is damaged: the message names the chunk), or the
 * chunk list or the records cannot be read whole (never "no more
 * chunks").
 */
uint8_t *hwt_store_reader_bytes(struct hwt_store_reader *r, int64_t id,
				size_t *size, struct hwt_store_cut **cuts,
				size_t *ncuts, char *err, size_t errlen);

/*
 * As hwt_store_reader_bytes, and where each chunk copied ends in the
 * buffer: *ends (malloc'd; free() it), *nends entries, ascending (a chunk
 * skipped for its crc32 or beyond the file has none).
 *
 * Returns as hwt_store_reader_bytes (*ends NULL on failure).
 */
uint8_t *hwt_store_reader_chunked(struct hwt_store_reader *r, int64_t id,
				  size_t *size, struct hwt_store_cut **cuts,
				  size_t *ncuts, uint64_t **ends, size_t *nends,
				  char *err, size_t errlen);

/*
 * The size of stream-ID.bin (lstat: never follows a link).
 * Returns the size, or -1 if it is missing or not a regular file.
 */
int64_t hwt_store_reader_file_size(const struct hwt_store_reader *r,
				   int64_t id);

/*
 * Counts of kernel records by type, by type name, into *out (malloc'd) and
 * *n.
 *
 * Returns 0 on success.
 * Returns -1 with a message in err if session.db cannot be read whole.
 */
int hwt_store_reader_record_counts(struct hwt_store_reader *r,
				   struct hwt_store_record_count **out,
				   size_t *n, char *err, size_t errlen);

#endif /* HWT_STORE_READER_H */
