/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Memory of the traced cores as a snapshot's dumps give it: file bytes
 * mapped at addresses, each for a set of memory spaces (OpenCSD's
 * ocsd_mem_space_acc_t bits: EL1S, EL1N, EL2, EL3, EL2S).  Regions of
 * intersecting spaces never overlap (such a dump is refused, as OpenCSD's
 * memory map refuses it).
 */
#ifndef HWT_DECODER_CS_MEM_H
#define HWT_DECODER_CS_MEM_H

#include <stddef.h>
#include <stdint.h>

struct hwt_cs_mem;

struct hwt_cs_mem *hwt_cs_mem_alloc(void);
void hwt_cs_mem_free(struct hwt_cs_mem *m);

/*
 * Maps path's bytes [offset, offset + length) (length 0: to the end of the
 * file; a length past the end is clipped) at addr.  Returns 0, 1 if the
 * same region was already added (nothing done), or -1 with err set (file
 * unreadable, offset past its end, empty, overlap, address wrap).
 */
int hwt_cs_mem_add_file(struct hwt_cs_mem *m, const char *path, uint64_t addr,
			uint64_t offset, uint64_t length, uint32_t space,
			char *err, size_t errlen);

/* hwt_read_mem_fn: bytes copied (up to the end of the region holding
 * addr), or -1 if nothing is mapped at addr. */
int hwt_cs_mem_read(void *m, uint64_t addr, void *buf, size_t size);

/* The same for an access in memory space(s) space (0x1f: any). */
int hwt_cs_mem_read_space(struct hwt_cs_mem *m, uint64_t addr, uint32_t space,
			  void *buf, size_t size);

/* Space bits of a snapshot's "space=" name (EL1N, EL2, S, N, ANY, ...);
 * unknown or empty: any, as OpenCSD reads it. */
uint32_t hwt_cs_mem_space(const char *name);

#endif /* HWT_DECODER_CS_MEM_H */
