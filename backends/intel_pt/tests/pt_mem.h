/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A fake physical address space for pt_model: one arena of host memory at
 * physical address PT_MEM_BASE; everything else is not memory.
 */
#ifndef PT_MEM_H
#define PT_MEM_H

#include <stdlib.h>
#include <string.h>
#include "../pt_model.h"

#define PT_MEM_BASE	(1ull << 32)

struct pt_mem {
	uint8_t *p;
	uint64_t size;
	struct ptm_mem ops;
};

static inline int pt_mem_in(struct pt_mem *m, uint64_t pa, uint32_t len)
{
	return pa >= PT_MEM_BASE && pa - PT_MEM_BASE <= m->size &&
	       len <= m->size - (pa - PT_MEM_BASE);
}

static inline int pt_mem_read(void *ctx, uint64_t pa, void *buf, uint32_t len)
{
	struct pt_mem *m = ctx;

	if (!pt_mem_in(m, pa, len))
		return -1;
	memcpy(buf, m->p + (pa - PT_MEM_BASE), len);
	return 0;
}

static inline int pt_mem_write(void *ctx, uint64_t pa, const void *buf,
			uint32_t len)
{
	struct pt_mem *m = ctx;

	if (!pt_mem_in(m, pa, len))
		return -1;
	memcpy(m->p + (pa - PT_MEM_BASE), buf, len);
	return 0;
}

static inline void pt_mem_init(struct pt_mem *m, uint64_t size)
{
	m->p = calloc(1, size);
	if (!m->p)
		abort();
	m->size = size;
	m->ops.read = pt_mem_read;
	m->ops.write = pt_mem_write;
	m->ops.ctx = m;
}

static inline void pt_mem_free(struct pt_mem *m)
{
	free(m->p);
	m->p = NULL;
}

static inline void *pt_mem_at(struct pt_mem *m, uint64_t pa)
{
	return m->p + (pa - PT_MEM_BASE);
}

#endif /* PT_MEM_H */
