/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db_writer.c: a thread that runs a database's writes in the order they
 * were made, beside the thread that makes them (the decode's main thread:
 * SQLite's steps, its page writes and pwrite64 were a fifth of its time).
 *
 * A job is one block of memory (hwt_db_writer_alloc()) holding all it
 * needs; the writer runs it with the run function given at the start and
 * frees it.  After a job fails, the ones after it are freed unrun: the
 * database stops at the first error, as a write made in place would.
 * The thread that submits is the only one that waits, so the writer is
 * idle (and the connection free for that thread) whenever
 * hwt_db_writer_wait() has returned, until the next submit.
 */
#ifndef HWT_DECODER_DB_WRITER_H
#define HWT_DECODER_DB_WRITER_H

#include <stddef.h>

struct hwt_db_writer;

/* Runs job (of hwt_db_writer_alloc()) for ctx.
 * Returns 0 if it was written, -1 if it failed (said on stderr). */
typedef int (*hwt_db_job_fn)(void *ctx, void *job);

/*
 * Starts the writer thread; submit waits while more than max_bytes of
 * jobs are queued (the bound on the queue's memory).
 * Returns the writer if it started.
 * Returns NULL if the thread could not be started.
 */
struct hwt_db_writer *hwt_db_writer_start(hwt_db_job_fn run, void *ctx,
					  size_t max_bytes);

/* A job of size bytes to fill and submit (aborts if out of memory).
 * Returns it. */
void *hwt_db_writer_alloc(struct hwt_db_writer *w, size_t size);

/*
 * Queues job (of hwt_db_writer_alloc()) after the jobs before it.
 * Returns 0 if it is queued.
 * Returns -1 if a job before it failed (job freed unrun).
 */
int hwt_db_writer_submit(struct hwt_db_writer *w, void *job);

/*
 * Waits until every job submitted has run.
 * Returns 0 if they all were written.
 * Returns -1 if one failed (and those after it were dropped).
 */
int hwt_db_writer_wait(struct hwt_db_writer *w);

/* Returns whether a job has failed so far (no wait). */
int hwt_db_writer_failed(struct hwt_db_writer *w);

/* Waits for the queued jobs, ends the thread and frees w (NULL: none).
 * Returns nothing. */
void hwt_db_writer_stop(struct hwt_db_writer *w);

#endif /* HWT_DECODER_DB_WRITER_H */
