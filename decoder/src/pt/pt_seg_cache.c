/* SPDX-License-Identifier: BSD-2-Clause */
/* The fast path's block cache (pt_seg.h): ip -> block, built once
 * with capstone; blocks never move. */
#include "pt/pt_seg.h"

static uint64_t ip_hash(uint64_t ip)
{
	return (ip * 0x9e3779b97f4a7c15ull) >> 20;
}

void seg_cache_grow(struct worker *w)
{
	size_t om = w->mask, i;
	struct fblock **ot = w->tab;

	w->mask = om ? om * 2 + 1 : 4095;
	w->tab = hwt_xzalloc(w->mask + 1, sizeof(*w->tab));
	for (i = 0; ot && i <= om; i++) {
		size_t k;

		if (!ot[i])
			continue;
		for (k = ip_hash(ot[i]->ip) & w->mask; w->tab[k];
		     k = (k + 1) & w->mask)
			;
		w->tab[k] = ot[i];
	}
	free(ot);
}

/* Reads the code at ip into w->buf until it holds want bytes from ip
 * (fewer if the image has no more), *got so far.  Most
 * blocks are a few instructions long: reading the whole buffer (15 KiB)
 * per block cost more than decoding it. */
static void fill(struct worker *w, uint64_t ip, size_t *got, size_t want)
{
	const struct hwt_image *img = w->run->env->img;
	int n;

	while (*got < want) {
		n = img ? hwt_image_read(img, ip + *got, w->buf + *got,
					 want - *got) : -1;
		if (n <= 0)
			break;
		*got += (size_t)n;
	}
}

#define FILL_STEP	256	/* bytes read at a time (>= 15, an insn) */

/* What the fast path does at the end of a block whose last instruction
 * is of class iclass (not special). */
static uint8_t fast_op(uint8_t iclass)
{
	switch (iclass) {
	case HWT_IC_COND_JUMP:
		return FOP_COND;
	case HWT_IC_JUMP:
		return FOP_JUMP;
	case HWT_IC_CALL:
		return FOP_CALL;
	case HWT_IC_RET:
		return FOP_RET;
	case HWT_IC_IND_JUMP:
	case HWT_IC_IND_CALL:
		return FOP_IND;
	default:
		return FOP_EXIT;
	}
}

/* Decodes the block at ip with capstone: sequential instructions up to
 * and including the first branch or special instruction. */
static int build(struct worker *w, uint64_t ip, struct fblock *fb)
{
	uint8_t lens[MAX_BLOCK_INSNS];
	size_t got = 0, off = 0, want = FILL_STEP;
	struct hwt_insn_info in;

	memset(fb, 0, sizeof(*fb));
	fb->ip = ip;
	fill(w, ip, &got, want);
	for (;;) {
		/* A whole instruction (15 bytes at most) in the buffer
		 * whenever the image has it (got < want: it has no more). */
		if (got - off < 15 && got == want && want < sizeof(w->buf)) {
			want += FILL_STEP;
			if (want > sizeof(w->buf))
				want = sizeof(w->buf);
			fill(w, ip, &got, want);
		}
		if (off >= got || fb->ninsn == MAX_BLOCK_INSNS ||
		    hwt_insn_decode(w->dis, HWT_ISA_X86_64, w->buf + off,
				    got - off, ip + off, &in) <= 0 ||
		    off + in.len > got)
			return -1;	/* unmapped or undecodable */
		lens[fb->ninsn++] = in.len;
		fb->end_ip = ip + off;
		off += in.len;
		if (in.special && in.plain)
			continue;	/* kernel code's CLI, SWAPGS, ... */
		if (in.special) {
			fb->op = FOP_SPECIAL;
			/* A far branch: a TIP, as libipt's ptic_far_*. */
			fb->far = in.far != 0;
			fb->iclass = in.far;
			/* What a user-space trace disables tracing at. */
			if (in.len == 2 && w->buf[off - 2] == 0x0f &&
			    w->buf[off - 1] == 0x05)
				fb->op = FOP_SYSCALL;
			break;
		}
		if (in.iclass) {
			fb->iclass = in.iclass;
			fb->op = fast_op(in.iclass);
			fb->target = in.target;
			fb->push = (in.iclass == HWT_IC_CALL &&
				    in.target != ip + off) ||
				   in.iclass == HWT_IC_IND_CALL;
			break;
		}
	}
	fb->next = ip + off;
	fb->lens = hwt_xrealloc(NULL, fb->ninsn);
	memcpy(fb->lens, lens, fb->ninsn);
	return 0;
}

struct fblock *seg_cache_lookup(struct worker *w, uint64_t ip)
{
	size_t k = ip_hash(ip) & w->mask;
	struct fblock *fb;

	for (; (fb = w->tab[k]); k = (k + 1) & w->mask)
		if (fb->ip == ip)
			return fb;
	fb = hwt_xrealloc(NULL, sizeof(*fb));
	if (build(w, ip, fb) < 0) {
		free(fb);
		return NULL;
	}
	w->tab[k] = fb;
	if (++w->n * 2 > w->mask)
		seg_cache_grow(w);
	return fb;
}

/* seg_ind's lookup when pfb's last indirect target was not ip: the
 * block, remembered as pfb's, or NULL if it cannot be built. */
struct fblock *seg_ind_miss(struct worker *w, struct fblock *pfb,
			    uint64_t ip)
{
	struct fblock *fb = seg_cache_lookup(w, ip);

	if (fb) {
		pfb->ind = fb;
		pfb->ind_ip = ip;
	}
	return fb;
}
