/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The database writer thread (src/db/db_writer.c): jobs run in the order
 * submitted, each once; a failure drops the jobs after it and is
 * reported; the queue's bytes stay bounded; wait and stop run jobs a
 * sleeping writer was not woken for.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../tests/lib/unit.h"
#include "db/db_writer.h"

struct log {
	uint32_t *seen;		/* job numbers in the order run */
	atomic_size_t n;
	uint32_t fail_at;	/* the job that fails (UINT32_MAX: none) */
	atomic_size_t run_bytes;
	int slow;		/* sleep in each job: the queue fills */
};

struct job {
	uint32_t no;
	uint32_t size;		/* bytes of the job as submitted */
};

static int run(void *ctx, void *p)
{
	struct log *l = ctx;
	struct job *j = p;
	size_t k = atomic_load(&l->n);

	if (l->slow) {
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
	l->seen[k] = j->no;
	atomic_store(&l->n, k + 1);
	atomic_fetch_add(&l->run_bytes, j->size);
	return j->no == l->fail_at ? -1 : 0;
}

static int submit(struct hwt_db_writer *w, uint32_t no, uint32_t size)
{
	struct job *j = hwt_db_writer_alloc(w, size);

	memset(j, 0xa5, size);
	j->no = no;
	j->size = size;
	return hwt_db_writer_submit(w, j);
}

/* 20,000 jobs of mixed sizes through a 64 KiB queue: all run, in order,
 * and no more than the bound (plus the one job let in) is ever queued. */
static void test_order_and_bound(void)
{
	enum { N = 20000, MAX = 64 * 1024 };
	struct log l = { .fail_at = UINT32_MAX, .slow = 1 };
	struct hwt_db_writer *w;
	size_t sent = 0, worst = 0;
	uint32_t i;

	l.seen = calloc(N, sizeof(*l.seen));
	atomic_init(&l.n, 0);
	atomic_init(&l.run_bytes, 0);
	w = hwt_db_writer_start(run, &l, MAX);
	UNIT_CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < N; i++) {
		uint32_t size = sizeof(struct job) + (i * 7919u) % 3000;
		size_t queued;

		UNIT_CHECK(submit(w, i, size) == 0);
		sent += size;
		queued = sent - atomic_load(&l.run_bytes);
		if (queued > worst)
			worst = queued;
	}
	UNIT_CHECK(hwt_db_writer_wait(w) == 0);
	UNIT_CHECK(atomic_load(&l.n) == N);
	for (i = 0; i < N; i++)
		if (l.seen[i] != i)
			break;
	UNIT_CHECK(i == N);
	/* The queue's own bytes include a header per job: the payloads
	 * alone stay below the bound plus the last job's. */
	UNIT_CHECK(worst <= MAX + 3100);
	UNIT_CHECK(worst > MAX / 2);	/* it did fill: the bound was met */
	UNIT_CHECK(!hwt_db_writer_failed(w));
	hwt_db_writer_stop(w);
	free(l.seen);
}

/* Job 100 fails: it and those before run once each, none after; submit
 * says so once the writer has met it, wait and failed() too. */
static void test_failure_drops_the_rest(void)
{
	enum { N = 1000 };
	struct log l = { .fail_at = 100 };
	struct hwt_db_writer *w;
	uint32_t i;
	int refused = 0;

	l.seen = calloc(N, sizeof(*l.seen));
	atomic_init(&l.n, 0);
	atomic_init(&l.run_bytes, 0);
	w = hwt_db_writer_start(run, &l, 4096);
	UNIT_CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < N; i++)
		if (submit(w, i, 512) < 0)
			refused++;
	UNIT_CHECK(hwt_db_writer_wait(w) == -1);
	UNIT_CHECK(hwt_db_writer_failed(w));
	UNIT_CHECK(atomic_load(&l.n) == 101);
	for (i = 0; i <= 100; i++)
		if (l.seen[i] != i)
			break;
	UNIT_CHECK(i == 101);
	/* A 4 KiB queue of 512-byte jobs: the submitter waited on the
	 * writer, so it met the failure before its last submits. */
	UNIT_CHECK(refused > 0);
	UNIT_CHECK(submit(w, N, 512) == -1);
	hwt_db_writer_stop(w);
	UNIT_CHECK(atomic_load(&l.n) == 101);
	free(l.seen);
}

/* Big jobs (32 KiB to 300 KiB: their memory is reused for later jobs)
 * each filled with its own byte: every job runs with its own bytes
 * intact, so no memory is reused while a job holding it is queued. */
struct big_log {
	atomic_size_t n, bad;
};

static int run_big(void *ctx, void *p)
{
	struct big_log *l = ctx;
	const struct job *j = p;
	const unsigned char *b = p;
	size_t i;

	for (i = sizeof(*j); i < j->size; i++)
		if (b[i] != (unsigned char)j->no)
			break;
	if (i != j->size || j->no != atomic_load(&l->n))
		atomic_fetch_add(&l->bad, 1);
	atomic_fetch_add(&l->n, 1);
	return 0;
}

static void test_big_jobs_reuse(void)
{
	enum { N = 2000 };
	struct big_log l;
	struct hwt_db_writer *w;
	uint32_t i;

	atomic_init(&l.n, 0);
	atomic_init(&l.bad, 0);
	w = hwt_db_writer_start(run_big, &l, 1u << 20);
	UNIT_CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < N; i++) {
		uint32_t size = 32768 + (i * 104729u) % (300 * 1024 - 32768);
		struct job *j = hwt_db_writer_alloc(w, size);

		memset(j, (int)(i & 0xff), size);
		j->no = i;
		j->size = size;
		UNIT_CHECK(hwt_db_writer_submit(w, j) == 0);
	}
	UNIT_CHECK(hwt_db_writer_wait(w) == 0);
	UNIT_CHECK(atomic_load(&l.n) == N);
	UNIT_CHECK(atomic_load(&l.bad) == 0);
	hwt_db_writer_stop(w);
}

/* A few small jobs never wake a sleeping writer by their size: wait and
 * stop run them all the same. */
static void test_wait_and_stop_run_small_jobs(void)
{
	struct log l = { .fail_at = UINT32_MAX };
	struct hwt_db_writer *w;
	uint32_t i;

	l.seen = calloc(16, sizeof(*l.seen));
	atomic_init(&l.n, 0);
	atomic_init(&l.run_bytes, 0);
	w = hwt_db_writer_start(run, &l, 1u << 30);
	UNIT_CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < 5; i++)
		UNIT_CHECK(submit(w, i, 64) == 0);
	UNIT_CHECK(hwt_db_writer_wait(w) == 0);
	UNIT_CHECK(atomic_load(&l.n) == 5);
	for (i = 5; i < 9; i++)
		UNIT_CHECK(submit(w, i, 64) == 0);
	hwt_db_writer_stop(w);
	UNIT_CHECK(atomic_load(&l.n) == 9);
	for (i = 0; i < 9; i++)
		UNIT_CHECK(l.seen[i] == i);
	free(l.seen);
}

int main(void)
{
	UNIT_RUN(test_order_and_bound(), "db-writer-order-and-bound");
	UNIT_RUN(test_failure_drops_the_rest(), "db-writer-failure-drops-the-rest");
	UNIT_RUN(test_big_jobs_reuse(), "db-writer-big-jobs-reuse-memory");
	UNIT_RUN(test_wait_and_stop_run_small_jobs(),
		 "db-writer-wait-and-stop-run-small-jobs");
	return unit_failed != 0;
}
