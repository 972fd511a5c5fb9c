// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests of hwt_recq.c (compiled from the module's own source). */
#include <stdio.h>
#include <stdlib.h>
#include "../hwt_recq.h"
#include "../../../tests/lib/unit.h"

static void make(struct hwt_rec_munmap *m, uint64_t seq)
{
	memset(m, 0, sizeof(*m));
	m->hdr.type = HWT_REC_MUNMAP;
	m->hdr.size = sizeof(*m);
	m->hdr.time = seq;
	m->addr = seq;
}

/* Push and pop in odd batches; every record comes out whole and in order,
 * and every drop is reported by a LOST record before the next record. */
static void test_order_and_loss(void)
{
	static uint8_t mem[1000], out[700];
	struct hwt_recq q;
	struct hwt_rec_munmap m;
	uint64_t pushed = 0, next = 0, dropped = 0, reported = 0;

	hwt_recq_init(&q, mem, sizeof(mem));
	UNIT_CHECK(q.cap == 1000 - 1000 % 8);
	for (int round = 0; round < 400; round++) {
		for (int k = 0; k < round % 13; k++) {
			make(&m, pushed);
			if (hwt_recq_push(&q, &m.hdr) == 0)
				pushed++;
			else
				dropped++, pushed++;	/* seq skips it */
		}
		uint32_t n, got = hwt_recq_pop(&q, out, 100 + round % 600, &n);
		for (uint32_t off = 0; off < got;) {
			struct hwt_record_hdr *h = (void *)(out + off);

			UNIT_CHECK(h->size % 8 == 0 && h->size <= got - off);
			if (h->type == HWT_REC_LOST) {
				struct hwt_rec_lost *l = (void *)h;

				reported += l->records;
				UNIT_CHECK(l->total == reported);
				/* The lost ones are exactly the gap before
				 * the record that follows. */
				next += l->records;
			} else {
				UNIT_CHECK(h->type == HWT_REC_MUNMAP);
				UNIT_CHECK(((struct hwt_rec_munmap *)h)->addr ==
					   next);
				next++;
			}
			off += h->size;
			n--;
		}
		UNIT_CHECK(n == 0);
	}
	UNIT_CHECK(dropped > 0);
	UNIT_CHECK(q.dropped == dropped);
	UNIT_CHECK(reported + q.dropped_unreported == dropped);
}

static void test_malformed(void)
{
	static uint8_t mem[256], out[256];
	struct hwt_recq q;
	struct hwt_rec_munmap m;
	uint32_t n;

	hwt_recq_init(&q, mem, sizeof(mem));
	make(&m, 1);
	m.hdr.size = 12;			/* smaller than a header */
	UNIT_CHECK(hwt_recq_push(&q, &m.hdr) == -EINVAL);
	m.hdr.size = sizeof(m) + 4;		/* not a multiple of 8 */
	UNIT_CHECK(hwt_recq_push(&q, &m.hdr) == -EINVAL);
	m.hdr.size = 512;			/* larger than the queue */
	UNIT_CHECK(hwt_recq_push(&q, &m.hdr) == -EINVAL);
	UNIT_CHECK(q.count == 0 && q.dropped == 0);
	make(&m, 1);
	UNIT_CHECK(hwt_recq_push(&q, &m.hdr) == 0);
	/* A destination too small for the next record gets nothing. */
	UNIT_CHECK(hwt_recq_pop(&q, out, sizeof(m) - 8, &n) == 0 && n == 0);
	UNIT_CHECK(hwt_recq_peek_size(&q) == sizeof(m));
	UNIT_CHECK(hwt_recq_pop(&q, out, sizeof(out), &n) == sizeof(m));
	UNIT_CHECK(hwt_recq_peek_size(&q) == 0);
}

int main(void)
{
	UNIT_RUN(test_order_and_loss(), "kmod/recq-order-and-loss");
	UNIT_RUN(test_malformed(), "kmod/recq-malformed");
	return unit_failed != 0;
}
