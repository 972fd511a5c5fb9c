/* SPDX-License-Identifier: BSD-2-Clause */
/* The database's writer thread (db_writer.h). */
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"
#include "db/db_writer.h"

/* Before each job's bytes: its link, its size as queued (its memory's:
 * a spare block reused for a smaller job counts whole, so the bound is
 * on memory) and its memory's size. */
struct job_hdr {
	struct job_hdr *next;
	size_t size, cap;
	alignas(max_align_t) unsigned char data[];
};

/* Jobs' memory of at least this many bytes is kept for the next jobs
 * (up to max_bytes of it): big blocks freed and allocated again made the
 * heap grow and shrink by brk, every page a fresh page fault (a default
 * decode of bench/decode-pt's trace-64: 466 brk calls, 0.85 s of system
 * time against 0.2 s without the writer). */
#define SPARE_MIN	(64u * 1024)

enum { WAIT_NONE, WAIT_ROOM, WAIT_ALL };

struct hwt_db_writer {
	hwt_db_job_fn run;
	void *ctx;
	size_t max_bytes;
	size_t wake_bytes;	/* a sleeping writer is woken at this much */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;	/* the writer: a job came, or stop */
	pthread_cond_t room_cv;	/* the submitter: room, or all run */
	struct job_hdr *head, *tail;	/* queued, not yet taken */
	struct job_hdr *spare;	/* run jobs' memory, for the next */
	size_t spare_bytes;
	size_t queued;		/* bytes queued or running */
	int running;		/* the writer holds a job */
	int sleeping;		/* the writer waits for work_cv */
	int waiting;		/* the submitter waits for room_cv: for
				 * room (WAIT_ROOM) or for all run */
	int stop;
	atomic_int failed;
};

static void *writer_main(void *arg)
{
	struct hwt_db_writer *w = arg;
	struct job_hdr *j;

	/* Below the decode's threads: the writer only has to keep up
	 * with the queue's bound, the main thread is what the decode
	 * waits for. */
	hwt_thread_nice(10);

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stop) {
			w->sleeping = 1;
			pthread_cond_wait(&w->work_cv, &w->mu);
			w->sleeping = 0;
		}
		if (!w->head)
			break;
		j = w->head;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->running = 1;
		pthread_mutex_unlock(&w->mu);
		/* Unrun after a failure: the file stops at the first. */
		if (!atomic_load_explicit(&w->failed, memory_order_relaxed) &&
		    w->run(w->ctx, j->data) < 0)
			atomic_store(&w->failed, 1);
		pthread_mutex_lock(&w->mu);
		w->running = 0;
		w->queued -= j->size;
		if (j->cap >= SPARE_MIN &&
		    w->spare_bytes + j->cap <= w->max_bytes) {
			j->next = w->spare;
			w->spare = j;
			w->spare_bytes += j->cap;
		} else {
			free(j);
		}
		/* The submitter woken once, not per job: with half the
		 * room free, or with every job run. */
		if ((w->waiting == WAIT_ROOM &&
		     w->queued <= w->max_bytes / 2) || !w->head)
			pthread_cond_signal(&w->room_cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct hwt_db_writer *hwt_db_writer_start(hwt_db_job_fn run, void *ctx,
					  size_t max_bytes)
{
	struct hwt_db_writer *w = hwt_xzalloc(1, sizeof(*w));

	w->run = run;
	w->ctx = ctx;
	w->max_bytes = max_bytes;
	/* Woken for a run of jobs, not for each: a wake-up and a sleep
	 * per job cost more than the job's write (5,800 context switches
	 * in the decode of the bench's sqlite3 trace when woken per job). */
	w->wake_bytes = max_bytes / 8;
	atomic_init(&w->failed, 0);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work_cv, NULL);
	pthread_cond_init(&w->room_cv, NULL);
	if (pthread_create(&w->th, NULL, writer_main, w)) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->work_cv);
		pthread_cond_destroy(&w->room_cv);
		free(w);
		return NULL;
	}
	return w;
}

void *hwt_db_writer_alloc(struct hwt_db_writer *w, size_t size)
{
	struct job_hdr *j = NULL, **pp, **best = NULL;

	if (size > SIZE_MAX - sizeof(*j))
		size = SIZE_MAX;	/* hwt_xrealloc() aborts */
	else
		size += sizeof(*j);
	if (size >= SPARE_MIN / 2) {
		/* The smallest spare block that holds it. */
		pthread_mutex_lock(&w->mu);
		for (pp = &w->spare; *pp; pp = &(*pp)->next)
			if ((*pp)->cap >= size &&
			    (!best || (*pp)->cap < (*best)->cap))
				best = pp;
		if (best) {
			j = *best;
			*best = j->next;
			w->spare_bytes -= j->cap;
		}
		pthread_mutex_unlock(&w->mu);
	}
	if (!j) {
		j = hwt_xrealloc(NULL, size);
		j->cap = size;
	}
	j->next = NULL;
	j->size = j->cap;
	return j->data;
}

static struct job_hdr *hdr_of(void *job)
{
	return (struct job_hdr *)((unsigned char *)job -
				  offsetof(struct job_hdr, data));
}

int hwt_db_writer_submit(struct hwt_db_writer *w, void *job)
{
	struct job_hdr *j = hdr_of(job);

	if (atomic_load(&w->failed)) {
		free(j);
		return -1;
	}
	pthread_mutex_lock(&w->mu);
	/* Bounded: wait while the queue holds more than max_bytes (a job
	 * bigger than that alone still goes). */
	while (w->queued && w->queued + j->size > w->max_bytes &&
	       !atomic_load(&w->failed)) {
		pthread_cond_signal(&w->work_cv);
		w->waiting = WAIT_ROOM;
		pthread_cond_wait(&w->room_cv, &w->mu);
		w->waiting = WAIT_NONE;
	}
	if (atomic_load(&w->failed)) {
		pthread_mutex_unlock(&w->mu);
		free(j);
		return -1;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->queued += j->size;
	if (w->sleeping && w->queued >= w->wake_bytes)
		pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

int hwt_db_writer_wait(struct hwt_db_writer *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->head)
		pthread_cond_signal(&w->work_cv);
	while (w->head || w->running) {
		w->waiting = WAIT_ALL;
		pthread_cond_wait(&w->room_cv, &w->mu);
		w->waiting = WAIT_NONE;
	}
	pthread_mutex_unlock(&w->mu);
	return atomic_load(&w->failed) ? -1 : 0;
}

int hwt_db_writer_failed(struct hwt_db_writer *w)
{
	return atomic_load(&w->failed) != 0;
}

void hwt_db_writer_stop(struct hwt_db_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	while (w->spare) {
		struct job_hdr *j = w->spare;

		w->spare = j->next;
		free(j);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work_cv);
	pthread_cond_destroy(&w->room_cv);
	free(w);
}
