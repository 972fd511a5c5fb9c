/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenCSD (C API) decode of a CoreSight trace buffer: frame deformatter,
 * ETMv4/ETE (and ETMv3/PTM) packet + instruction-flow decoders, one memory
 * accessor callback per trace ID, generic elements mapped to flow.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/cs_child.h"
#include "cs/cs_decode.h"
#include "cs/cs_mem.h"
#include "core/util.h"
#include "core/flow.h"

/* ------------------------------------------------------------------ */
/* Decoding.                                                           */

struct unit_state {
	struct hwt_cs_unit *u;
	uint64_t time;		/* last timestamp */
	int isa;		/* last isa reported (enum hwt_isa) */
	int64_t ctxid;		/* last context ID reported, -1 none */
	/* A run of ADDR_NACC elements (trace going through code with no
	 * image, e.g. the kernel) becomes one gap. */
	uint64_t nacc_n, nacc_first, nacc_last, nacc_off;
};

struct dec {
	const struct hwt_sink *sink;
	struct unit_state *by_id[128];
	int abort_rc;		/* sink's negative value */
};

static int map_isa(ocsd_isa isa)
{
	switch (isa) {
	case ocsd_isa_arm: return HWT_ISA_A32;
	case ocsd_isa_thumb2: return HWT_ISA_T32;
	case ocsd_isa_aarch64: return HWT_ISA_A64;
	default: return HWT_ISA_UNKNOWN;
	}
}

static int map_iclass(const ocsd_generic_trace_elem *e)
{
	int link = e->last_i_subtype == OCSD_S_INSTR_BR_LINK;

	switch (e->last_i_type) {
	case OCSD_INSTR_BR:
		if (link)
			return HWT_IC_CALL;
		return e->last_instr_cond ? HWT_IC_COND_JUMP : HWT_IC_JUMP;
	case OCSD_INSTR_BR_INDIRECT:
		if (link)
			return HWT_IC_IND_CALL;
		if (e->last_i_subtype == OCSD_S_INSTR_V8_RET ||
		    e->last_i_subtype == OCSD_S_INSTR_V7_IMPLIED_RET)
			return HWT_IC_RET;
		if (e->last_i_subtype == OCSD_S_INSTR_V8_ERET)
			return HWT_IC_FAR_RET;
		return HWT_IC_IND_JUMP;
	default:
		return HWT_IC_OTHER;
	}
}

static ocsd_datapath_resp_t emit_event(struct dec *d, struct unit_state *s,
				       struct hwt_event *ev)
{
	int rc;

	ev->time = s->time;
	if (!d->sink->event)
		return OCSD_RESP_CONT;
	rc = d->sink->event(d->sink->arg, s->u->info.id, ev);
	if (rc < 0) {
		d->abort_rc = rc;
		return OCSD_RESP_FATAL_SYS_ERR;
	}
	return OCSD_RESP_CONT;
}

static const char *unsync_str(unsync_info_t r)
{
	switch (r) {
	case UNSYNC_INIT_DECODER: return "decoder start";
	case UNSYNC_RESET_DECODER: return "decoder reset";
	case UNSYNC_OVERFLOW: return "trace unit overflow";
	case UNSYNC_DISCARD: return "speculative trace discarded";
	case UNSYNC_BAD_PACKET: return "bad packet";
	case UNSYNC_EOT: return "end of trace";
	default: return "lost sync";
	}
}

static ocsd_datapath_resp_t flush_nacc(struct dec *d, struct unit_state *s)
{
	struct hwt_event ev;
	char msg[160];

	memset(&ev, 0, sizeof(ev));
	ev.type = HWT_EV_GAP;
	ev.code = -OCSD_ERR_MEM_NACC;
	ev.ip = s->nacc_first;
	ev.arg = s->nacc_n;
	ev.offset = s->nacc_off;
	if (s->nacc_n == 1)
		snprintf(msg, sizeof(msg), "no memory image at 0x%" PRIx64,
			 s->nacc_first);
	else
		snprintf(msg, sizeof(msg),
			 "no memory image at 0x%" PRIx64 " (%" PRIu64
			 " traced addresses without an image, last 0x%" PRIx64 ")",
			 s->nacc_first, s->nacc_n, s->nacc_last);
	ev.msg = msg;
	s->nacc_n = 0;
	return emit_event(d, s, &ev);
}

static ocsd_datapath_resp_t elem_cb(const void *ctx, ocsd_trc_index_t idx,
				    uint8_t chan, const ocsd_generic_trace_elem *e)
{
	struct dec *d = (struct dec *)ctx;
	struct unit_state *s = d->by_id[chan & 0x7f];
	struct hwt_event ev;
	char msg[320];

	if (!s)
		return OCSD_RESP_CONT;
	if (s->nacc_n && e->elem_type != OCSD_GEN_TRC_ELEM_ADDR_NACC) {
		ocsd_datapath_resp_t r = flush_nacc(d, s);

		if (OCSD_DATA_RESP_IS_FATAL(r))
			return r;
	}
	memset(&ev, 0, sizeof(ev));
	ev.offset = idx;
	switch (e->elem_type) {
	case OCSD_GEN_TRC_ELEM_INSTR_RANGE: {
		struct hwt_block b;
		int rc;

		if (e->num_instr_range == 0 || e->en_addr <= e->st_addr)
			return OCSD_RESP_CONT;
		b.ip = e->st_addr;
		b.end_ip = e->en_addr - (e->last_instr_sz ? e->last_instr_sz : 4);
		b.time = s->time;
		b.offset = idx;
		b.ninsn = e->num_instr_range;
		b.isa = (uint8_t)map_isa(e->isa);
		b.iclass = (uint8_t)map_iclass(e);
		b.flags = HWT_BLK_OUTCOME |
			  (e->last_instr_exec ? HWT_BLK_TAKEN : 0);
		rc = d->sink->block(d->sink->arg, s->u->info.id, &b);
		if (rc < 0) {
			d->abort_rc = rc;
			return OCSD_RESP_FATAL_SYS_ERR;
		}
		return OCSD_RESP_CONT;
	}
	case OCSD_GEN_TRC_ELEM_TRACE_ON:
		ev.type = HWT_EV_ENABLE;
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_NO_SYNC:
	case OCSD_GEN_TRC_ELEM_EO_TRACE:
		switch (e->unsync_eot_info) {
		case UNSYNC_OVERFLOW:
			ev.type = HWT_EV_OVERFLOW;
			break;
		case UNSYNC_BAD_PACKET:
			ev.type = HWT_EV_GAP;
			ev.code = -OCSD_ERR_BAD_PACKET_SEQ;
			ev.msg = "bad packet: decoder resyncs";
			break;
		default:
			ev.type = HWT_EV_DISABLE;
			ev.msg = unsync_str(e->unsync_eot_info);
			break;
		}
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_ADDR_NACC:
		if (!s->nacc_n++) {
			s->nacc_first = e->st_addr;
			s->nacc_off = idx;
		}
		s->nacc_last = e->st_addr;
		return OCSD_RESP_CONT;
	case OCSD_GEN_TRC_ELEM_ADDR_UNKNOWN:
		ev.type = HWT_EV_GAP;
		ev.code = -OCSD_ERR_BAD_DECODE_PKT;
		ev.msg = "address unknown";
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_I_RANGE_NOPATH:
		/* Instructions ran but their path is unknown (ETE). */
		ev.type = HWT_EV_GAP;
		ev.code = -OCSD_ERR_BAD_DECODE_PKT;
		ev.ip = e->st_addr;
		snprintf(msg, sizeof(msg), "%u instructions with no path from 0x%"
			 PRIx64, e->num_instr_range, (uint64_t)e->st_addr);
		ev.msg = msg;
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_EXCEPTION:
		ev.type = HWT_EV_ASYNC;
		ev.ip = e->excep_ret_addr ? e->en_addr : 0;
		ev.code = (int32_t)e->exception_number;
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_EXCEPTION_RET:
		ev.type = HWT_EV_EXCEPTION_RET;
		return emit_event(d, s, &ev);
	case OCSD_GEN_TRC_ELEM_PE_CONTEXT: {
		int isa = map_isa(e->isa);
		ocsd_datapath_resp_t r = OCSD_RESP_CONT;

		if (e->context.ctxt_id_valid &&
		    (int64_t)e->context.context_id != s->ctxid) {
			s->ctxid = e->context.context_id;
			ev.type = HWT_EV_CONTEXT;
			ev.arg = e->context.context_id;
			r = emit_event(d, s, &ev);
			if (OCSD_DATA_RESP_IS_FATAL(r))
				return r;
		}
		if (isa != s->isa) {
			s->isa = isa;
			ev.type = HWT_EV_EXEC_MODE;
			ev.arg = (uint64_t)isa;
			r = emit_event(d, s, &ev);
		}
		return r;
	}
	case OCSD_GEN_TRC_ELEM_TIMESTAMP:
		s->time = e->timestamp;
		ev.type = HWT_EV_TIME;
		return emit_event(d, s, &ev);
	default:
		return OCSD_RESP_CONT;
	}
}

static uint32_t mem_cb(const void *ctx, ocsd_vaddr_t addr,
		       ocsd_mem_space_acc_t space, uint8_t trcid,
		       uint32_t req, uint8_t *buf)
{
	const struct dec *d = ctx;
	const struct unit_state *s = d->by_id[trcid & 0x7f];
	int n;

	if (!s)
		return 0;
	if (s->u->mem)
		n = hwt_cs_mem_read_space(s->u->mem, addr, space, buf, req);
	else if (s->u->info.read_mem)
		n = s->u->info.read_mem(s->u->info.read_mem_arg, addr, buf,
					req);
	else
		return 0;
	return n > 0 ? (uint32_t)n : 0;
}

static const char *decoder_name(int proto)
{
	switch (proto) {
	case HWT_CS_PROTO_ETMV4: return OCSD_BUILTIN_DCD_ETMV4I;
	case HWT_CS_PROTO_ETE: return OCSD_BUILTIN_DCD_ETE;
	case HWT_CS_PROTO_ETMV3: return OCSD_BUILTIN_DCD_ETMV3;
	case HWT_CS_PROTO_PTM: return OCSD_BUILTIN_DCD_PTM;
	default: return NULL;
	}
}

/* Feeds data[start, size) through the tree in HWT_CS_CHUNK pieces, calling
 * progress(pos) after each.  A fatal datapath response (corrupt frames) is
 * recorded as a gap on every unit, the tree reset, and decode goes on one
 * frame (or byte) later. */
static int push_data(struct dec *d, dcd_tree_handle_t tree,
		     const uint8_t *data, size_t size, size_t start,
		     int format, struct unit_state *st, size_t n,
		     int (*progress)(void *, uint64_t), void *parg)
{
	size_t pos = start, step = format == HWT_CS_FMT_SINGLE ? 1 : 16;
	ocsd_datapath_resp_t r = OCSD_RESP_CONT;

	while (pos < size) {
		size_t end = (pos / HWT_CS_CHUNK + 1) * HWT_CS_CHUNK;
		uint32_t done = 0;

		if (end > size)
			end = size;
		if (OCSD_DATA_RESP_IS_WAIT(r))
			r = ocsd_dt_process_data(tree, OCSD_OP_FLUSH, 0, 0,
						 NULL, NULL);
		else
			r = ocsd_dt_process_data(tree, OCSD_OP_DATA, pos,
						 (uint32_t)(end - pos),
						 data + pos, &done);
		if (d->abort_rc)
			return d->abort_rc;
		if (OCSD_DATA_RESP_IS_FATAL(r)) {
			char msg[160];
			size_t i;

			snprintf(msg, sizeof(msg),
				 "OpenCSD datapath error %d at trace offset %zu: decoder reset",
				 (int)r, pos + done);
			for (i = 0; i < n; i++) {
				struct hwt_event ev;

				memset(&ev, 0, sizeof(ev));
				ev.type = HWT_EV_GAP;
				ev.code = -OCSD_ERR_BAD_PACKET_SEQ;
				ev.offset = pos + done;
				ev.msg = msg;
				emit_event(d, &st[i], &ev);
				if (d->abort_rc)
					return d->abort_rc;
			}
			ocsd_dt_process_data(tree, OCSD_OP_RESET, 0, 0, NULL,
					     NULL);
			/* Skip past the bad spot, to the next frame. */
			pos += done;
			pos += step - pos % step;
			r = OCSD_RESP_CONT;
			continue;
		}
		pos += done;
		if (!done && !OCSD_DATA_RESP_IS_WAIT(r))
			pos += step;	/* never spin on a stuck decoder */
		if (pos % HWT_CS_CHUNK == 0 || pos >= size) {
			int rc = progress ? progress(parg, pos) : 0;

			if (rc < 0)
				return rc;
		}
	}
	while (OCSD_DATA_RESP_IS_WAIT(r)) {
		r = ocsd_dt_process_data(tree, OCSD_OP_FLUSH, 0, 0, NULL, NULL);
		if (d->abort_rc)
			return d->abort_rc;
	}
	ocsd_dt_process_data(tree, OCSD_OP_EOT, 0, 0, NULL, NULL);
	return d->abort_rc;
}

/* Builds a tree for the units and decodes data[start, size) into sink. */
int hwt_cs_decode_range(const uint8_t *data, size_t size, size_t start,
			int format, struct hwt_cs_unit *units, size_t nunits,
			const struct hwt_sink *sink,
			int (*progress)(void *, uint64_t), void *parg,
			char *err, size_t errlen)
{
	struct unit_state *st;
	dcd_tree_handle_t tree;
	struct dec d;
	uint32_t flags;
	size_t i;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.sink = sink;
	flags = format == HWT_CS_FMT_FRAMED_FSYNC ? OCSD_DFRMTR_HAS_FSYNCS :
		OCSD_DFRMTR_FRAME_MEM_ALIGN;
	tree = ocsd_create_dcd_tree(format == HWT_CS_FMT_SINGLE ?
				    OCSD_TRC_SRC_SINGLE :
				    OCSD_TRC_SRC_FRAME_FORMATTED, flags);
	if (!tree) {
		hwt_errf(err, errlen, "OpenCSD: cannot create a decode tree");
		return -1;
	}
	st = hwt_xrealloc(NULL, (nunits ? nunits : 1) * sizeof(*st));
	memset(st, 0, (nunits ? nunits : 1) * sizeof(*st));
	for (i = 0; i < nunits; i++) {
		struct hwt_cs_unit *u = &units[i];
		unsigned char csid = 0;
		ocsd_err_t oe;

		st[i].u = u;
		st[i].ctxid = -1;
		oe = ocsd_dt_create_decoder(tree, decoder_name(u->proto),
					    OCSD_CREATE_FLG_FULL_DECODER,
					    &u->cfg, &csid);
		if (oe != OCSD_OK) {
			hwt_errf(err, errlen,
				   "OpenCSD: cannot create the %s decoder for %s (error %d)",
				   decoder_name(u->proto), u->name, (int)oe);
			rc = -1;
			goto out;
		}
		d.by_id[u->trace_id & 0x7f] = &st[i];
	}
	if (ocsd_dt_set_gen_elem_outfn(tree, elem_cb, &d) != OCSD_OK ||
	    ocsd_dt_add_callback_trcid_mem_acc(tree, 0, ~(ocsd_vaddr_t)0,
					       OCSD_MEM_SPACE_ANY, mem_cb,
					       &d) != OCSD_OK) {
		hwt_errf(err, errlen, "OpenCSD: cannot attach callbacks");
		rc = -1;
		goto out;
	}
	rc = push_data(&d, tree, data, size, start, format, st, nunits,
		       progress, parg);
	for (i = 0; rc >= 0 && i < nunits; i++)
		if (st[i].nacc_n)
			flush_nacc(&d, &st[i]);
	if (rc >= 0)
		rc = d.abort_rc;
out:
	ocsd_destroy_dcd_tree(tree);
	free(st);
	return rc;
}

int hwt_cs_decode_buffer(const uint8_t *data, size_t start, size_t size,
			 int format, struct hwt_cs_unit *units, size_t nunits,
			 int flags, const struct hwt_sink *sink, char *err,
			 size_t errlen)
{
	size_t i, begun = 0;
	uint8_t seen[128];
	int rc = 0;

	if (format == HWT_CS_FMT_SINGLE && nunits != 1) {
		hwt_errf(err, errlen,
			   "a single-source buffer needs exactly one trace unit (%zu given)",
			   nunits);
		return -1;
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < nunits; i++) {
		if (seen[units[i].trace_id & 0x7f]++) {
			hwt_errf(err, errlen,
				   "two trace units with trace ID 0x%x",
				   units[i].trace_id);
			return -1;
		}
		if (!decoder_name(units[i].proto)) {
			hwt_errf(err, errlen, "%s: no decoder for its protocol",
				   units[i].name);
			return -1;
		}
	}
	for (i = 0; i < nunits && !(flags & HWT_CS_DEC_NO_BEGIN_END);
	     i++, begun++) {
		if (sink->stream_begin) {
			rc = sink->stream_begin(sink->arg, &units[i].info);
			if (rc < 0)
				goto out;
		}
	}
	if (flags & HWT_CS_DEC_NO_FORK)
		rc = hwt_cs_decode_range(data, size, start, format, units, nunits,
				  sink, NULL, NULL, err, errlen);
	else
		rc = hwt_cs_decode_children(data, start, size, format, units, nunits,
				     flags, sink, err, errlen);
out:
	for (i = 0; i < begun; i++) {
		if (sink->stream_end) {
			int r = sink->stream_end(sink->arg, units[i].info.id);

			if (r < 0 && rc >= 0)
				rc = r;
		}
	}
	return rc;
}
