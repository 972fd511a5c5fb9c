/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A frame-formatted buffer split by trace ID (cs_frontend.h,
 * hwt_cs_demux): OpenCSD's frame deformatter does the work, its output
 * for each wanted ID taken by a custom decoder (the C API's
 * ocsd_register_custom_decoder) that only keeps the bytes and the trace
 * index each block of them came from.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <opencsd/c_api/opencsd_c_api.h>
#include <opencsd/c_api/ocsd_c_api_custom.h>

#include "cs/cs_frontend.h"
#include "core/util.h"

#define DEMUX_NAME	"HWT_DEMUX"
#define FRAME		16	/* CoreSight D4: a formatter frame */

/* The decoder_cfg handed to ocsd_dt_create_decoder: one ID's output. */
struct demux_cfg {
	uint8_t id;
	struct hwt_cs_id_bytes *out;
	size_t cap, blkcap;
};

/* OpenCSD's data input of a demux decoder: the ID's deformatted bytes.
 * Returns OCSD_RESP_CONT (every byte taken). */
static ocsd_datapath_resp_t demux_in(const void *handle,
				     const ocsd_datapath_op_t op,
				     const ocsd_trc_index_t index,
				     const uint32_t size, const uint8_t *data,
				     uint32_t *done)
{
	struct demux_cfg *c = (struct demux_cfg *)handle;
	struct hwt_cs_id_bytes *b = c->out;

	if (done)
		*done = op == OCSD_OP_DATA ? size : 0;
	if (op != OCSD_OP_DATA || !size)
		return OCSD_RESP_CONT;
	if (b->n + size > c->cap) {
		c->cap = (b->n + size) * 2;
		b->buf = hwt_xrealloc(b->buf, c->cap);
	}
	/* A new block unless it continues the last one's source bytes. */
	if (!b->nblk || b->src[b->nblk - 1] + (b->n - b->pos[b->nblk - 1]) !=
	    (uint64_t)index) {
		if (b->nblk == c->blkcap) {
			c->blkcap = c->blkcap ? c->blkcap * 2 : 64;
			b->src = hwt_xrealloc(b->src,
					      c->blkcap * sizeof(*b->src));
			b->pos = hwt_xrealloc(b->pos,
					      c->blkcap * sizeof(*b->pos));
		}
		b->src[b->nblk] = (uint64_t)index;
		b->pos[b->nblk++] = b->n;
	}
	memcpy(b->buf + b->n, data, size);
	b->n += size;
	return OCSD_RESP_CONT;
}

/* No packet monitor: nothing to update.  Returns nothing. */
static void demux_mon(const void *handle, const int flags)
{
	(void)handle;
	(void)flags;
}

/* The factory's create: the instance is its config.  Returns OCSD_OK. */
static ocsd_err_t demux_create(const int flags, const void *cfg,
			       const ocsd_extern_dcd_cb_fns *cb,
			       ocsd_extern_dcd_inst_t *inst)
{
	const struct demux_cfg *c = cfg;

	(void)flags;
	(void)cb;
	inst->fn_data_in = demux_in;
	inst->fn_update_pkt_mon = demux_mon;
	inst->decoder_handle = (void *)c;
	inst->p_decoder_name = (char *)DEMUX_NAME;
	inst->cs_id = c->id;
	return OCSD_OK;
}

/* The instance is the caller's config: nothing to free.  Returns OCSD_OK. */
static ocsd_err_t demux_destroy(const void *handle)
{
	(void)handle;
	return OCSD_OK;
}

/* Returns OCSD_OK with the config's trace ID in *id. */
static ocsd_err_t demux_csid(const void *cfg, unsigned char *id)
{
	*id = ((const struct demux_cfg *)cfg)->id;
	return OCSD_OK;
}

/* No packets to print.  Returns OCSD_OK with an empty string. */
static ocsd_err_t demux_pkt_str(const void *pkt, char *buf, const int len)
{
	(void)pkt;
	if (len > 0)
		buf[0] = 0;
	return OCSD_OK;
}

static ocsd_extern_dcd_fact_t demux_fact = {
	.createDecoder = demux_create,
	.destroyDecoder = demux_destroy,
	.csidFromConfig = demux_csid,
	.pktToString = demux_pkt_str,
};
static pthread_once_t demux_once = PTHREAD_ONCE_INIT;
static ocsd_err_t demux_reg_err;

/* Registers the demux factory with OpenCSD, once.  Returns nothing. */
static void demux_register(void)
{
	demux_reg_err = ocsd_register_custom_decoder(DEMUX_NAME, &demux_fact);
}

/* No generic elements come out of a demux decoder.  Returns CONT. */
static ocsd_datapath_resp_t no_elem(const void *arg, const ocsd_trc_index_t i,
				    const uint8_t id,
				    const ocsd_generic_trace_elem *e)
{
	(void)arg;
	(void)i;
	(void)id;
	(void)e;
	return OCSD_RESP_CONT;
}

/*
 * Pushes the whole frames of data[start, end) through the tree (a
 * 16-byte aligned start; OCSD_DFRMTR_FRAME_MEM_ALIGN refuses a block
 * that is not whole frames, so a partial frame at the end is left out);
 * a frame the deformatter refuses resets it one frame later (the bytes
 * of that frame are lost to every ID, as the next ones' until a frame
 * names an ID).
 * Returns nothing.
 */
static void push(dcd_tree_handle_t tree, const uint8_t *data, size_t start,
		 size_t end)
{
	size_t pos = start;

	end = start + (end - start) / FRAME * FRAME;

	while (pos < end) {
		uint32_t done = 0;
		ocsd_datapath_resp_t r;

		r = ocsd_dt_process_data(tree, OCSD_OP_DATA, pos,
					 (uint32_t)(end - pos), data + pos,
					 &done);
		pos += done;
		if (OCSD_DATA_RESP_IS_FATAL(r)) {
			ocsd_dt_process_data(tree, OCSD_OP_RESET, 0, 0, NULL,
					     NULL);
			pos += FRAME - pos % FRAME;
		} else if (!done) {
			pos += FRAME - pos % FRAME;	/* never spin */
		}
	}
}

int hwt_cs_demux(const uint8_t *data, size_t size, const uint64_t *resets,
		 size_t nresets, const uint8_t *ids, size_t nids,
		 struct hwt_cs_id_bytes *out, char *err, size_t errlen)
{
	struct demux_cfg *cfg;
	dcd_tree_handle_t tree;
	uint64_t start = 0;
	size_t i, k;
	int rc = 0;

	memset(out, 0, nids * sizeof(*out));
	pthread_once(&demux_once, demux_register);
	if (demux_reg_err != OCSD_OK)
		return hwt_errf(err, errlen, "OpenCSD: cannot register the "
				"trace ID demultiplexer (error %d)",
				(int)demux_reg_err);
	tree = ocsd_create_dcd_tree(OCSD_TRC_SRC_FRAME_FORMATTED,
				    OCSD_DFRMTR_FRAME_MEM_ALIGN);
	if (!tree)
		return hwt_errf(err, errlen,
				"OpenCSD: cannot create a decode tree");
	cfg = hwt_xrealloc(NULL, (nids ? nids : 1) * sizeof(*cfg));
	memset(cfg, 0, (nids ? nids : 1) * sizeof(*cfg));
	for (i = 0; i < nids; i++) {
		unsigned char csid = 0;
		ocsd_err_t oe;

		cfg[i].id = ids[i];
		cfg[i].out = &out[i];
		oe = ocsd_dt_create_decoder(tree, DEMUX_NAME,
					    OCSD_CREATE_FLG_FULL_DECODER,
					    &cfg[i], &csid);
		if (oe != OCSD_OK) {
			rc = hwt_errf(err, errlen, "OpenCSD: cannot attach "
				      "trace ID 0x%x to the deformatter "
				      "(error %d)", ids[i], (int)oe);
			goto out;
		}
	}
	if (ocsd_dt_set_gen_elem_outfn(tree, no_elem, NULL) != OCSD_OK) {
		rc = hwt_errf(err, errlen, "OpenCSD: cannot attach callbacks");
		goto out;
	}
	/* Each piece from the first whole frame after a reset point (the
	 * ID in force there is unknown: the deformatter starts without
	 * one) up to the next. */
	for (k = 0; k <= nresets; k++) {
		uint64_t end = k < nresets ? resets[k] : size;

		if (end > size)
			end = size;
		if (end > start)
			push(tree, data, (size_t)start, (size_t)end);
		ocsd_dt_process_data(tree, OCSD_OP_RESET, 0, 0, NULL, NULL);
		end = (end + FRAME - 1) / FRAME * FRAME;
		if (end > start)
			start = end;
	}
	ocsd_dt_process_data(tree, OCSD_OP_EOT, 0, 0, NULL, NULL);
out:
	ocsd_destroy_dcd_tree(tree);
	free(cfg);
	if (rc < 0)
		for (i = 0; i < nids; i++)
			hwt_cs_id_bytes_free(&out[i]);
	return rc;
}

uint64_t hwt_cs_id_bytes_pos(const struct hwt_cs_id_bytes *b, uint64_t off)
{
	size_t lo = 0, hi = b->nblk;

	/* the first block whose source is at or after off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->src[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->nblk ? b->pos[lo] : b->n;
}

void hwt_cs_id_bytes_free(struct hwt_cs_id_bytes *b)
{
	free(b->buf);
	free(b->src);
	free(b->pos);
	memset(b, 0, sizeof(*b));
}
