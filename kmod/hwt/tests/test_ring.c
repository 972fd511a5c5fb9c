// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests of hwt_ring.c (compiled from the module's own source). */
#include <stdio.h>
#include <stdlib.h>
#include "../hwt_ring.h"
#include "../../../tests/lib/unit.h"

/* A model buffer: write bytes through the ring's spans and compare with
 * what an independent byte-for-byte model says must be there. */
static void test_model(bool ring_mode)
{
	enum { SIZE = 64 };
	struct hwt_ring r;
	struct hwt_ring_span sp;
	unsigned char mem[SIZE], model[4096];
	unsigned long long written = 0, lost = 0;
	bool wrapped;

	hwt_ring_init(&r, SIZE, ring_mode);
	for (int i = 0; i < 300; i++) {
		unsigned len = 1 + (i * 7) % 23;
		unsigned char data[32];

		for (unsigned k = 0; k < len; k++)
			data[k] = (unsigned char)(written + k);
		if (hwt_ring_reserve(&r, len, &sp, &wrapped)) {
			lost += len;
			UNIT_CHECK(!ring_mode);
			/* Streaming: a consumer catches up now and then. */
			if (i % 5 == 0)
				UNIT_CHECK(hwt_ring_consume(&r, r.head) == 0);
			continue;
		}
		memcpy(mem + sp.off[0], data, sp.len[0]);
		memcpy(mem, data + sp.len[0], sp.len[1]);
		UNIT_CHECK(sp.len[0] + sp.len[1] == len);
		for (unsigned k = 0; k < len; k++)
			model[(written + k) % sizeof(model)] = data[k];
		written += len;
		UNIT_CHECK(r.head == written);
		UNIT_CHECK(r.off == written % SIZE);
		UNIT_CHECK(r.wraps == written / SIZE);
		/* Every byte the ring says is held matches the model. */
		for (unsigned long long p = hwt_ring_oldest(&r); p < r.head; p++)
			UNIT_CHECK(mem[p % SIZE] == model[p % sizeof(model)]);
		UNIT_CHECK(r.head - hwt_ring_oldest(&r) <= SIZE);
	}
	UNIT_CHECK(r.lost == lost);
	UNIT_CHECK(ring_mode ? lost == 0 : lost > 0);
}

static void test_edges(void)
{
	struct hwt_ring r;
	struct hwt_ring_span sp;
	bool wrapped;

	hwt_ring_init(&r, 16, false);
	UNIT_CHECK(hwt_ring_reserve(&r, 0, &sp, &wrapped) == -ENOSPC);
	UNIT_CHECK(hwt_ring_reserve(&r, 17, &sp, &wrapped) == -ENOSPC);
	UNIT_CHECK(r.lost == 17 && r.episode_lost == 17);
	UNIT_CHECK(hwt_ring_reserve(&r, 16, &sp, &wrapped) == 0);
	UNIT_CHECK(wrapped && r.off == 0 && sp.len[0] == 16);
	UNIT_CHECK(hwt_ring_space(&r) == 0);
	UNIT_CHECK(hwt_ring_reserve(&r, 1, &sp, &wrapped) == -ENOSPC);
	UNIT_CHECK(hwt_ring_consume(&r, 17) == -EINVAL);	/* past head */
	UNIT_CHECK(hwt_ring_consume(&r, 10) == 0);
	UNIT_CHECK(hwt_ring_consume(&r, 9) == -EINVAL);	/* backwards */
	UNIT_CHECK(hwt_ring_space(&r) == 10);
	UNIT_CHECK(hwt_ring_reserve(&r, 10, &sp, &wrapped) == 0);
	UNIT_CHECK(sp.off[0] == 0 && sp.len[0] == 10 && sp.len[1] == 0);

	hwt_ring_init(&r, 16, true);
	UNIT_CHECK(hwt_ring_reserve(&r, 12, &sp, &wrapped) == 0);
	UNIT_CHECK(hwt_ring_reserve(&r, 12, &sp, &wrapped) == 0);
	UNIT_CHECK(wrapped && sp.off[0] == 12 && sp.len[0] == 4 &&
		   sp.off[1] == 0 && sp.len[1] == 8);
	UNIT_CHECK(hwt_ring_oldest(&r) == 8 && r.tail == 8);
	UNIT_CHECK(hwt_ring_consume(&r, 3) == 0);	/* stale: harmless */
	UNIT_CHECK(r.tail == 8);
}

/*
 * A streaming consumer snapshots the head, copies, and consumes up to it;
 * a unit writing by itself may lap it meanwhile (Intel PT's ToPA ignores
 * the tail).  That consume must succeed and leave the lapped tail alone;
 * going back behind what the consumer said before is still refused.
 */
static void test_lapped_consume(void)
{
	struct hwt_ring r;
	bool wrapped;

	hwt_ring_init(&r, 16, false);
	UNIT_CHECK(hwt_ring_produced(&r, 10, &wrapped) == 0);
	/* snapshot: head 10; the unit then writes 20 more bytes */
	UNIT_CHECK(hwt_ring_produced(&r, 30, &wrapped) == 0);
	UNIT_CHECK(r.tail == 14 && r.lost == 14);
	UNIT_CHECK(hwt_ring_consume(&r, 10) == 0);	/* overtaken */
	UNIT_CHECK(r.tail == 14 && hwt_ring_space(&r) == 0);
	UNIT_CHECK(hwt_ring_consume(&r, 9) == -EINVAL);	/* backwards */
	UNIT_CHECK(hwt_ring_consume(&r, 20) == 0);
	UNIT_CHECK(r.tail == 20 && hwt_ring_space(&r) == 6);
	UNIT_CHECK(hwt_ring_consume(&r, 14) == -EINVAL);
	UNIT_CHECK(hwt_ring_consume(&r, 31) == -EINVAL);	/* past head */
}

/*
 * Hardware output: the unit writes by itself and the backend reports the
 * new absolute head.  Checked against plain arithmetic on positions.
 */
static void test_produced(bool ring_mode)
{
	enum { SIZE = 4096 };
	struct hwt_ring r;
	unsigned long long head = 0, tail = 0, lost = 0, wraps = 0;
	bool wrapped;

	hwt_ring_init(&r, SIZE, ring_mode);
	UNIT_CHECK(hwt_ring_produced(&r, 0, &wrapped) == 0 && !wrapped);
	for (int i = 0; i < 500; i++) {
		unsigned long long step = (unsigned long long)(i * 977) % 5000;
		unsigned long long nh = head + step;

		UNIT_CHECK(hwt_ring_produced(&r, nh, &wrapped) == 0);
		UNIT_CHECK(wrapped == (nh / SIZE != head / SIZE));
		wraps += nh / SIZE - head / SIZE;
		head = nh;
		if (head - tail > SIZE) {
			if (!ring_mode)
				lost += head - tail - SIZE;
			tail = head - SIZE;
		}
		UNIT_CHECK(r.head == head && r.off == head % SIZE);
		UNIT_CHECK(r.wraps == wraps && r.lost == lost);
		UNIT_CHECK(hwt_ring_oldest(&r) == tail || r.tail == tail);
		if (i % 3 == 0) {
			UNIT_CHECK(hwt_ring_consume(&r, head) == 0);
			tail = head;
		}
	}
	UNIT_CHECK(ring_mode ? lost == 0 : lost > 0);
	UNIT_CHECK(hwt_ring_produced(&r, head - 1, &wrapped) == -EINVAL);
	UNIT_CHECK(r.head == head);
}

int main(void)
{
	UNIT_RUN(test_produced(false), "kmod/ring-produced-streaming");
	UNIT_RUN(test_produced(true), "kmod/ring-produced-ring-mode");
	UNIT_RUN(test_model(false), "kmod/ring-streaming-model");
	UNIT_RUN(test_model(true), "kmod/ring-ring-mode-model");
	UNIT_RUN(test_edges(), "kmod/ring-edges");
	UNIT_RUN(test_lapped_consume(), "kmod/ring-lapped-consume");
	return unit_failed != 0;
}
