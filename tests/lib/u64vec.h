/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A growable array of u64 (instruction addresses, trace bytes) for the
 * soft backend's tests: host tests and the guest test share it.
 */
#ifndef HWT_SOFT_U64VEC_H
#define HWT_SOFT_U64VEC_H

#include <stdint.h>
#include <stdlib.h>

struct u64v {
	uint64_t *v;
	size_t n, cap;
};

static inline void u64v_push(struct u64v *a, uint64_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1024;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			abort();
	}
	a->v[a->n++] = x;
}

#endif /* HWT_SOFT_U64VEC_H */
