// SPDX-License-Identifier: BSD-2-Clause
/*
 * kmod/hwt records and data path, each produced by a real action of a
 * traced child: mmap/munmap of an executable mapping, a thread created and
 * joined, a rename, an exec, context switches; the null backend's samples
 * read back through mmap; buffer overflow, ring wrap, record queue
 * overflow -- all counted, nothing unaccounted.
 */
#include <pthread.h>
#include "hwt_test.h"

#define SAMPLE	sizeof(struct hwt_null_sample)

static void *thread_fn(void *arg)
{
	for (int i = 0; i < 5; i++)
		usleep(200);
	return arg;
}

struct actions_out {
	uint64_t map_addr, map_len;
};

static struct actions_out *shared_out;

static int actions(void *arg)
{
	pthread_t t;
	void *m;
	int fd;

	(void)arg;
	prctl(PR_SET_NAME, "hwt-renamed");
	fd = open("/proc/self/exe", O_RDONLY);
	m = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 2;
	shared_out->map_addr = (uintptr_t)m;
	shared_out->map_len = 8192;
	munmap(m, 8192);
	close(fd);
	if (pthread_create(&t, NULL, thread_fn, NULL) ||
	    pthread_join(t, NULL))
		return 3;
	for (int i = 0; i < 10; i++)
		usleep(100);
	execl("/proc/self/exe", "hwt_records", "--exec-target", (char *)NULL);
	return 4;
}

static void test_records(int dev)
{
	struct recs r = { 0 };
	struct child c;
	int ctx, exited_thread = 0, ok;
	pid_t new_tid = 0;

	t_begin("kmod/records-every-type");
	c = child_spawn(actions, NULL);
	ctx = ctx_thread(dev, c.pid, 1 << 20, 0, 1 << 20);
	CHECK(ctx >= 0);
	/* Attach reports the mappings the process already has. */
	CHECK(recs_drain(ctx, &r) == 0);
	ok = 0;
	recs_for_each(&r, h)
		if (h->type == HWT_REC_MMAP && h->pid == c.pid &&
		    (((struct hwt_rec_mmap *)h)->prot & PROT_EXEC) &&
		    strstr(((struct hwt_rec_mmap *)h)->path, "hwt_records"))
			ok = 1;
	CHECK(ok);
	recs_free(&r);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	child_go(&c);
	CHECK(child_wait(&c) == 0);
	CHECK(recs_drain(ctx, &r) == 0);
	CHECK(recs_valid(&r));
	CHECK(r.dropped == 0);

	ok = 0;
	recs_for_each(&r, h) {
		struct hwt_rec_mmap *m = (void *)h;

		if (h->type == HWT_REC_MMAP && m->addr == shared_out->map_addr &&
		    m->len == shared_out->map_len && (m->prot & PROT_EXEC) &&
		    m->pgoff == 0 && strstr(m->path, "hwt_records"))
			ok = 1;
	}
	CHECK(ok);					/* MMAP */
	ok = 0;
	recs_for_each(&r, h) {
		struct hwt_rec_munmap *m = (void *)h;

		if (h->type == HWT_REC_MUNMAP && m->addr == shared_out->map_addr &&
		    m->len == shared_out->map_len)
			ok = 1;
	}
	CHECK(ok);					/* MUNMAP */
	recs_for_each(&r, h) {
		struct hwt_rec_thread *t = (void *)h;

		if (h->type == HWT_REC_THREAD_CREATE && t->parent_tid == c.pid &&
		    h->pid == c.pid && !(t->flags & HWT_THREAD_FORK))
			new_tid = h->tid;
	}
	CHECK(new_tid > 0 && new_tid != c.pid);		/* THREAD_CREATE */
	recs_for_each(&r, h)
		if (h->type == HWT_REC_THREAD_EXIT && h->tid == new_tid)
			exited_thread = 1;
	CHECK(exited_thread);				/* THREAD_EXIT */
	ok = 0;
	recs_for_each(&r, h)
		if (h->type == HWT_REC_COMM && h->tid == c.pid &&
		    !strcmp(((struct hwt_rec_comm *)h)->comm, "hwt-renamed"))
			ok = 1;
	CHECK(ok);					/* COMM */
	ok = 0;
	recs_for_each(&r, h)
		if (h->type == HWT_REC_EXEC && h->pid == c.pid &&
		    !strcmp(((struct hwt_rec_exec *)h)->path, "/proc/self/exe"))
			ok = 1;
	CHECK(ok);					/* EXEC */
	CHECK(recs_count(&r, HWT_REC_SWITCH_IN, c.pid) > 0);
	CHECK(recs_count(&r, HWT_REC_SWITCH_OUT, c.pid) > 0);
	CHECK(recs_count(&r, HWT_REC_SWITCH_IN, new_tid) > 0);
	{
		/* The new thread got a buffer of its own. */
		struct hwt_bufptr bp = { .idx = 1 };

		CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
		CHECK(bp.tid == new_tid);
	}
	recs_free(&r);
	close(ctx);
	t_end();
}

static int yielder(void *arg)
{
	for (int i = 0; i < (int)(intptr_t)arg; i++)
		usleep(50);
	return 0;
}

static int yield_hold(void *arg)
{
	yielder(arg);
	child_hold();
	return 0;
}

/* Samples in buffer 0 agree with the SWITCH_IN records of the thread. */
static void test_datapath(int dev)
{
	struct hwt_bufptr bp = { .idx = 0 };
	struct recs r = { 0 };
	const uint8_t *map;
	struct child c;
	uint64_t off, prev_seq = 0;
	int ctx, n = 0, nsw;

	t_begin("kmod/datapath-mmap");
	c = child_spawn(yielder, (void *)(intptr_t)100);
	ctx = ctx_thread(dev, c.pid, 1 << 20, 0, 1 << 20);
	CHECK(ctx >= 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	child_go(&c);
	CHECK(child_wait(&c) == 0);
	CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	CHECK(recs_drain(ctx, &r) == 0);
	nsw = recs_count(&r, HWT_REC_SWITCH_IN, c.pid);
	map = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, ctx, bp.mmap_offset);
	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		goto out;
	CHECK(bp.head % SAMPLE == 0 && bp.lost == 0);
	for (off = 0; off < bp.head; off += SAMPLE, n++) {
		const struct hwt_null_sample *s = (const void *)(map + off);
		int matched = 0;

		CHECK(s->magic == HWT_NULL_MAGIC);
		CHECK(s->tid == c.pid);
		CHECK(s->seq == prev_seq + 1);
		prev_seq = s->seq;
		/* Each sample sits where its SWITCH_IN said the head was. */
		recs_for_each(&r, h)
			if (h->type == HWT_REC_SWITCH_IN && h->tid == c.pid &&
			    h->buf_idx == 0 && h->buf_head == off)
				matched = 1;
		CHECK(matched);
	}
	CHECK(n >= 10);
	/* Switch-ins before the thread armed itself carry no sample. */
	CHECK(n <= nsw && n >= nsw - 2);
	/* Read-only: no writable mapping, no mprotect to write. */
	CHECK(mprotect((void *)map, bp.size, PROT_READ | PROT_WRITE) == -1);
	CHECK_ERR(mmap(NULL, bp.size, PROT_READ | PROT_WRITE, MAP_SHARED, ctx,
		       bp.mmap_offset) == MAP_FAILED ? -1 : 0, EPERM);
	munmap((void *)map, bp.size);
out:
	recs_free(&r);
	close(ctx);
	t_end();
}

/* Streaming mode, tiny buffer: what does not fit is counted, exactly. */
static void test_overflow(int dev)
{
	const uint32_t filler = 1024, unit = SAMPLE + filler;
	struct hwt_bufptr bp = { .idx = 0 };
	struct recs r = { 0 };
	uint64_t rec_total = 0, rec_sum = 0;
	struct child c;
	int ctx, nsw;

	t_begin("kmod/buffer-overflow-counted");
	c = child_spawn(yielder, (void *)(intptr_t)200);
	ctx = ctx_thread(dev, c.pid, 8192, 0, 1 << 20);
	CHECK(ctx >= 0);
	CHECK(null_config(ctx, filler) == 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	child_go(&c);
	CHECK(child_wait(&c) == 0);
	CHECK(ioctl(ctx, HWT_IOC_STOP) == 0);
	CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	CHECK(recs_drain(ctx, &r) == 0);
	nsw = recs_count(&r, HWT_REC_SWITCH_IN, c.pid);
	CHECK(bp.lost > 0 && (bp.flags & HWT_BUF_OVERFLOW));
	CHECK(bp.head == (8192 / unit) * unit);	/* stopped when full */
	CHECK((bp.head + bp.lost) % unit == 0);
	CHECK((bp.head + bp.lost) / unit <= (uint64_t)nsw);
	CHECK((bp.head + bp.lost) / unit + 2 >= (uint64_t)nsw);
	recs_for_each(&r, h) {
		struct hwt_rec_buffer *b = (void *)h;

		if (h->type == HWT_REC_BUFFER &&
		    (b->flags & HWT_BUFREC_OVERFLOW)) {
			rec_sum += b->lost;
			rec_total = b->total_lost;
		}
	}
	CHECK(rec_sum == bp.lost);
	CHECK(rec_total == bp.lost);
	recs_free(&r);
	close(ctx);
	t_end();
}

/* Ring mode: wraps, never loses, newest sample is at the head. */
static void test_ring(int dev)
{
	struct hwt_bufptr bp = { .idx = 0 };
	struct recs r = { 0 };
	const struct hwt_null_sample *last;
	const uint8_t *map;
	struct child c;
	int ctx, wraps = 0;

	t_begin("kmod/ring-mode-wraps");
	c = child_spawn(yielder, (void *)(intptr_t)300);
	ctx = ctx_thread(dev, c.pid, 4096, HWT_ALLOC_RING, 1 << 20);
	CHECK(ctx >= 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	child_go(&c);
	CHECK(child_wait(&c) == 0);
	CHECK(ioctl(ctx, HWT_IOC_BUFPTR_GET, &bp) == 0);
	CHECK(recs_drain(ctx, &r) == 0);
	CHECK(bp.lost == 0 && bp.wraps > 0 && (bp.flags & HWT_BUF_WRAPPED));
	CHECK(bp.tail == bp.head - bp.size);
	recs_for_each(&r, h)
		if (h->type == HWT_REC_BUFFER &&
		    (((struct hwt_rec_buffer *)h)->flags & HWT_BUFREC_WRAP))
			wraps++;
	CHECK((uint64_t)wraps == bp.wraps);
	map = mmap(NULL, bp.size, PROT_READ, MAP_SHARED, ctx, 0);
	CHECK(map != MAP_FAILED);
	if (map != MAP_FAILED) {
		last = (const void *)(map + (bp.head - SAMPLE) % bp.size);
		CHECK(last->magic == HWT_NULL_MAGIC);
		CHECK(last->seq == bp.head / SAMPLE);
		munmap((void *)map, bp.size);
	}
	recs_free(&r);
	close(ctx);
	t_end();
}

/* A tiny record queue overflows; the drops are counted and reported in
 * order by a LOST record. */
static void test_recq_overflow(int dev)
{
	struct recs r = { 0 }, r2 = { 0 };
	uint64_t nlost = 0, sum = 0, last_total = 0;
	struct child c;
	int ctx;

	t_begin("kmod/record-queue-overflow");
	c = child_spawn(yield_hold, (void *)(intptr_t)400);
	ctx = ctx_thread(dev, c.pid, 65536, 0, 4096);
	CHECK(ctx >= 0);
	CHECK(ioctl(ctx, HWT_IOC_START) == 0);
	child_go(&c);
	child_wait_holding(&c);			/* it yielded, now it waits */
	CHECK(recs_drain(ctx, &r) == 0);	/* makes room again */
	CHECK(r.dropped > 0);
	child_release(&c);
	CHECK(child_wait(&c) == 0);		/* exit pushes records */
	CHECK(recs_drain(ctx, &r2) == 0);
	/* The LOST may come before the first drain ends (the child blocks
	 * while we drain) or after it: look at both, in order. */
	for (int k = 0; k < 2; k++) {
		struct recs *rr = k ? &r2 : &r;

		recs_for_each(rr, h) {
			struct hwt_rec_lost *l = (void *)h;

			if (h->type != HWT_REC_LOST)
				continue;
			nlost++;
			CHECK(l->records > 0);
			CHECK(l->total > last_total);
			sum += l->records;
			last_total = l->total;
			CHECK(l->total == sum);	/* none unreported between */
		}
	}
	CHECK(nlost > 0);
	/* Drops happened only while the queue was full, before the first
	 * drain: the LOSTs report every one of them. */
	CHECK(last_total == r2.dropped && r2.dropped == r.dropped);
	recs_free(&r);
	recs_free(&r2);
	close(ctx);
	t_end();
}

int main(int argc, char **argv)
{
	int dev;

	if (argc > 1 && !strcmp(argv[1], "--exec-target"))
		return 0;
	shared_out = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	dev = hwt_dev();
	test_records(dev);
	test_datapath(dev);
	test_overflow(dev);
	test_ring(dev);
	test_recq_overflow(dev);
	close(dev);
	return t_total_failed ? 1 : 0;
}
