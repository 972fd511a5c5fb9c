/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blocks.c: the unique blocks of a decode.
 */
#ifndef HWT_DECODER_BLOCKS_H
#define HWT_DECODER_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

struct hwt_ublock {
	uint64_t ip, end_ip;
	uint32_t ninsn;
	uint8_t isa, iclass;
	uint8_t lens_ok;	/* lens valid */
	uint8_t flushed;	/* written to the database */
	uint8_t *lens;		/* ninsn instruction lengths */
	uint8_t *code;		/* bytes from ip, code_size of them */
	uint32_t code_size;
	uint8_t sym_start;	/* ip is the first insn of sym */
	uint8_t end_len;	/* length of the last insn, 0: unknown */
	uint8_t stack_mode;	/* hwt_callstack_mode(iclass) (callstack.h),
				 * the call stack's per-block step */
	uint8_t loop_mode;	/* the core's per-block loop (core.c):
				 * stack_mode, or 3 for a block that may go
				 * on into the next (pending()) */
	uint32_t sym_id;	/* symbol of ip, 0: unknown */
	uint32_t bin_id;
	uint8_t has_target;	/* target valid */
	uint16_t space;		/* address space (hwt_blocks_intern) */
	uint64_t target;	/* of the last insn, a direct branch */
};

struct hwt_blocks;
struct hwt_blocks *hwt_blocks_alloc(void);
void hwt_blocks_free(struct hwt_blocks *b);
/*
 * The block [ip, end_ip] of ninsn instructions in address space space
 * (0: the decode's one image; else a process's own, where processes map
 * different code at one address: its blocks are other blocks).
 * Returns its id (>= 1), with *is_new set if it was just added.
 */
uint32_t hwt_blocks_intern(struct hwt_blocks *b, uint64_t ip, uint64_t end_ip,
			   uint32_t ninsn, uint8_t isa, uint8_t iclass,
			   uint16_t space, int *is_new);
struct hwt_ublock *hwt_blocks_get(struct hwt_blocks *b, uint32_t id);
uint32_t hwt_blocks_count(const struct hwt_blocks *b);

#endif /* HWT_DECODER_BLOCKS_H */
