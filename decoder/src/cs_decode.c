/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenCSD (C API) decode of a CoreSight trace buffer: frame deformatter,
 * ETMv4/ETE (and ETMv3/PTM) packet + instruction-flow decoders, one memory
 * accessor callback per trace ID, generic elements mapped to flow.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cs_decode.h"
#include "cs_ini.h"
#include "internal.h"

/* ------------------------------------------------------------------ */
/* Configuration from registers.                                       */

struct core_map {
	const char *name;
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
};

/* The cores OpenCSD's snapshot reader knows (trc_core_arch_map). */
static const struct core_map cores[] = {
	{ "Cortex-A78", ARCH_V8, profile_CortexA },
	{ "Cortex-A77", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A76", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A75", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A73", ARCH_V8, profile_CortexA },
	{ "Cortex-A72", ARCH_V8, profile_CortexA },
	{ "Cortex-A65", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A57", ARCH_V8, profile_CortexA },
	{ "Cortex-A55", ARCH_V8r3, profile_CortexA },
	{ "Cortex-A53", ARCH_V8, profile_CortexA },
	{ "Cortex-A35", ARCH_V8, profile_CortexA },
	{ "Cortex-A32", ARCH_V8, profile_CortexA },
	{ "Cortex-A17", ARCH_V7, profile_CortexA },
	{ "Cortex-A15", ARCH_V7, profile_CortexA },
	{ "Cortex-A12", ARCH_V7, profile_CortexA },
	{ "Cortex-A9", ARCH_V7, profile_CortexA },
	{ "Cortex-A8", ARCH_V7, profile_CortexA },
	{ "Cortex-A7", ARCH_V7, profile_CortexA },
	{ "Cortex-A5", ARCH_V7, profile_CortexA },
	{ "Cortex-R52", ARCH_V8, profile_CortexR },
	{ "Cortex-R8", ARCH_V7, profile_CortexR },
	{ "Cortex-R7", ARCH_V7, profile_CortexR },
	{ "Cortex-R5", ARCH_V7, profile_CortexR },
	{ "Cortex-R4", ARCH_V7, profile_CortexR },
	{ "Cortex-M33", ARCH_V8, profile_CortexM },
	{ "Cortex-M23", ARCH_V8, profile_CortexM },
	{ "Cortex-M0", ARCH_V7, profile_CortexM },
	{ "Cortex-M0+", ARCH_V7, profile_CortexM },
	{ "Cortex-M3", ARCH_V7, profile_CortexM },
	{ "Cortex-M4", ARCH_V7, profile_CortexM },
};

static ocsd_core_profile_t profile_letter(char c)
{
	switch (c) {
	case 'A': return profile_CortexA;
	case 'R': return profile_CortexR;
	case 'M': return profile_CortexM;
	default: return profile_Unknown;
	}
}

/* Core name to architecture: the table, then "ARMvM[.m]-P" and
 * "ARM-AA64[-P]" patterns.  0 or -1. */
static int core_arch(const char *core, ocsd_arch_version_t *arch,
		     ocsd_core_profile_t *prof)
{
	size_t i;

	for (i = 0; i < HWT_ARRAY_SIZE(cores); i++)
		if (!strcmp(core, cores[i].name)) {
			*arch = cores[i].arch;
			*prof = cores[i].prof;
			return 0;
		}
	if (!strncmp(core, "ARMv", 4) && core[4] >= '7' && core[4] <= '9') {
		int maj = core[4] - '0', min = 0;
		const char *p = core + 5;

		if (*p == '.') {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			min = p[1] - '0';
			p += 2;
		}
		if (*p != '-' || profile_letter(p[1]) == profile_Unknown)
			return -1;
		*prof = profile_letter(p[1]);
		if (maj == 7)
			*arch = ARCH_V7;
		else if (maj == 8 && min < 3)
			*arch = ARCH_V8;
		else if (maj == 8 && min == 3)
			*arch = ARCH_V8r3;
		else
			*arch = ARCH_AA64;
		return 0;
	}
	if (!strncasecmp(core, "ARM-AA64", 8)) {
		*arch = ARCH_AA64;
		*prof = profile_CortexA;
		if (core[8] == '-' && profile_letter(core[9]) != profile_Unknown)
			*prof = profile_letter(core[9]);
		return 0;
	}
	return -1;
}

struct reg_want {
	const char *name;
	uint32_t *dst;
	int required;
	uint32_t def;
};

static int get_regs(const struct reg_want *w, size_t n, cs_reg_get_fn get,
		    void *arg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s = get(arg, w[i].name);
		uint64_t v;

		if (!s) {
			if (w[i].required) {
				hwt_seterr(err, errlen,
					   "missing register %s", w[i].name);
				return -1;
			}
			*w[i].dst = w[i].def;
			continue;
		}
		if (cs_parse_u64(s, &v) < 0 || v > UINT32_MAX) {
			hwt_seterr(err, errlen,
				   "register %s: bad value '%s'", w[i].name, s);
			return -1;
		}
		*w[i].dst = (uint32_t)v;
	}
	return 0;
}

int cs_unit_config(struct cs_unit *u, const char *proto_name,
		   const char *core, cs_reg_get_fn get, void *arg,
		   char *err, size_t errlen)
{
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
	size_t plen = strcspn(proto_name, ".");
	uint32_t traceid;

	memset(&u->cfg, 0, sizeof(u->cfg));
	u->proto = CS_PROTO_NONE;
	if (!core || core_arch(core, &arch, &prof) < 0) {
		hwt_seterr(err, errlen,
			   "unknown core type '%s': cannot tell its architecture",
			   core ? core : "(none)");
		return -1;
	}
#define IS(s) (plen == strlen(s) && !strncasecmp(proto_name, s, plen))
	if (IS("ETM4")) {
		ocsd_etmv4_cfg *c = &u->cfg.etm4;
		const struct reg_want w[] = {
			{ "TRCCONFIGR", &c->reg_configr, 1, 0 },
			{ "TRCTRACEIDR", &c->reg_traceidr, 1, 0 },
			{ "TRCIDR0", &c->reg_idr0, 1, 0 },
			{ "TRCIDR1", &c->reg_idr1, 0, 0x4100F403 },
			{ "TRCIDR2", &c->reg_idr2, 1, 0 },
			{ "TRCIDR8", &c->reg_idr8, 0, 0 },
			{ "TRCIDR9", &c->reg_idr9, 0, 0 },
			{ "TRCIDR10", &c->reg_idr10, 0, 0 },
			{ "TRCIDR11", &c->reg_idr11, 0, 0 },
			{ "TRCIDR12", &c->reg_idr12, 0, 0 },
			{ "TRCIDR13", &c->reg_idr13, 0, 0 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = CS_PROTO_ETMV4;
		traceid = c->reg_traceidr;
	} else if (IS("ETE")) {
		ocsd_ete_cfg *c = &u->cfg.ete;
		const struct reg_want w[] = {
			{ "TRCCONFIGR", &c->reg_configr, 1, 0 },
			{ "TRCTRACEIDR", &c->reg_traceidr, 1, 0 },
			{ "TRCIDR0", &c->reg_idr0, 1, 0 },
			{ "TRCIDR1", &c->reg_idr1, 0, 0x4100F403 },
			{ "TRCIDR2", &c->reg_idr2, 1, 0 },
			{ "TRCIDR8", &c->reg_idr8, 0, 0 },
			{ "TRCDEVARCH", &c->reg_devarch, 0, 0x47705A13 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = CS_PROTO_ETE;
		traceid = c->reg_traceidr;
	} else if (IS("ETM3") || IS("PTM1") || IS("PFT1")) {
		/* ocsd_etmv3_cfg and ocsd_ptm_cfg have the same layout. */
		ocsd_etmv3_cfg *c = &u->cfg.etm3;
		const struct reg_want w[] = {
			{ "ETMIDR", &c->reg_idr, 1, 0 },
			{ "ETMCR", &c->reg_ctrl, 1, 0 },
			{ "ETMCCER", &c->reg_ccer, 1, 0 },
			{ "ETMTRACEIDR", &c->reg_trc_id, 1, 0 },
		};

		if (get_regs(w, HWT_ARRAY_SIZE(w), get, arg, err, errlen) < 0)
			return -1;
		c->arch_ver = arch;
		c->core_prof = prof;
		u->proto = IS("ETM3") ? CS_PROTO_ETMV3 : CS_PROTO_PTM;
		traceid = c->reg_trc_id;
	} else {
		hwt_seterr(err, errlen, "unsupported trace unit type '%s'",
			   proto_name);
		return -1;
	}
#undef IS
	traceid &= 0x7f;
	/* 0 and 0x70..0x7f are reserved IDs: a decoder cannot use them. */
	if (traceid == 0 || traceid >= 0x70) {
		hwt_seterr(err, errlen, "reserved trace ID 0x%x", traceid);
		return -1;
	}
	u->trace_id = (uint8_t)traceid;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoding.                                                           */

struct unit_state {
	struct cs_unit *u;
	uint64_t time;		/* last timestamp */
	int isa;		/* last isa reported (enum hwt_isa) */
	int64_t ctxid;		/* last context ID reported, -1 none */
	int active;		/* stream_begin done */
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

static ocsd_datapath_resp_t elem_cb(const void *ctx, ocsd_trc_index_t idx,
				    uint8_t chan, const ocsd_generic_trace_elem *e)
{
	struct dec *d = (struct dec *)ctx;
	struct unit_state *s = d->by_id[chan & 0x7f];
	struct hwt_event ev;
	char msg[320];

	if (!s)
		return OCSD_RESP_CONT;
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
		b.flags = e->last_instr_exec ? HWT_BLK_TAKEN : 0;
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
		ev.type = HWT_EV_GAP;
		ev.code = -OCSD_ERR_MEM_NACC;
		ev.ip = e->st_addr;
		snprintf(msg, sizeof(msg),
			 "no memory image at 0x%" PRIx64, (uint64_t)e->st_addr);
		ev.msg = msg;
		return emit_event(d, s, &ev);
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

	(void)space;
	if (!s || !s->u->info.read_mem)
		return 0;
	n = s->u->info.read_mem(s->u->info.read_mem_arg, addr, buf, req);
	return n > 0 ? (uint32_t)n : 0;
}

static const char *decoder_name(int proto)
{
	switch (proto) {
	case CS_PROTO_ETMV4: return OCSD_BUILTIN_DCD_ETMV4I;
	case CS_PROTO_ETE: return OCSD_BUILTIN_DCD_ETE;
	case CS_PROTO_ETMV3: return OCSD_BUILTIN_DCD_ETMV3;
	case CS_PROTO_PTM: return OCSD_BUILTIN_DCD_PTM;
	default: return NULL;
	}
}

/* Feeds the buffer through the tree; a fatal datapath response (corrupt
 * frames) is recorded as a gap on every unit, the tree reset, and decode
 * goes on one frame (or byte) later. */
static int push_data(struct dec *d, dcd_tree_handle_t tree,
		     const uint8_t *data, size_t size, int format,
		     struct unit_state *st, size_t n)
{
	size_t pos = 0, step = format == CS_FMT_SINGLE ? 1 : 16;
	ocsd_datapath_resp_t r = OCSD_RESP_CONT;

	while (pos < size) {
		uint32_t done = 0, len;

		len = size - pos > UINT32_MAX ? UINT32_MAX :
			(uint32_t)(size - pos);
		if (OCSD_DATA_RESP_IS_WAIT(r))
			r = ocsd_dt_process_data(tree, OCSD_OP_FLUSH, 0, 0,
						 NULL, NULL);
		else
			r = ocsd_dt_process_data(tree, OCSD_OP_DATA, pos, len,
						 data + pos, &done);
		if (d->abort_rc)
			return d->abort_rc;
		if (OCSD_DATA_RESP_IS_FATAL(r)) {
			char msg[320];
			size_t i;

			snprintf(msg, sizeof(msg),
				 "OpenCSD datapath error %d at trace offset %zu: reset",
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
			pos += step;	/* cannot happen; never spin */
	}
	while (OCSD_DATA_RESP_IS_WAIT(r)) {
		r = ocsd_dt_process_data(tree, OCSD_OP_FLUSH, 0, 0, NULL, NULL);
		if (d->abort_rc)
			return d->abort_rc;
	}
	ocsd_dt_process_data(tree, OCSD_OP_EOT, 0, 0, NULL, NULL);
	return d->abort_rc;
}

int cs_decode_buffer(const uint8_t *data, size_t size, int format,
		     struct cs_unit *units, size_t nunits,
		     const struct hwt_sink *sink, char *err, size_t errlen)
{
	struct unit_state *st = NULL;
	dcd_tree_handle_t tree;
	struct dec d;
	uint32_t flags;
	size_t i;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.sink = sink;
	if (format == CS_FMT_SINGLE && nunits != 1) {
		hwt_seterr(err, errlen,
			   "a single-source buffer needs exactly one trace unit (%zu given)",
			   nunits);
		return -1;
	}
	flags = format == CS_FMT_FRAMED_FSYNC ? OCSD_DFRMTR_HAS_FSYNCS :
		OCSD_DFRMTR_FRAME_MEM_ALIGN;
	tree = ocsd_create_dcd_tree(format == CS_FMT_SINGLE ?
				    OCSD_TRC_SRC_SINGLE :
				    OCSD_TRC_SRC_FRAME_FORMATTED, flags);
	if (!tree) {
		hwt_seterr(err, errlen, "OpenCSD: cannot create a decode tree");
		return -1;
	}
	st = hwt_xrealloc(NULL, (nunits ? nunits : 1) * sizeof(*st));
	memset(st, 0, (nunits ? nunits : 1) * sizeof(*st));
	for (i = 0; i < nunits; i++) {
		struct cs_unit *u = &units[i];
		unsigned char csid = 0;
		ocsd_err_t oe;

		st[i].u = u;
		st[i].ctxid = -1;
		if (d.by_id[u->trace_id & 0x7f]) {
			hwt_seterr(err, errlen,
				   "two trace units with trace ID 0x%x (%s, %s)",
				   u->trace_id, d.by_id[u->trace_id]->u->name,
				   u->name);
			rc = -1;
			goto out;
		}
		oe = ocsd_dt_create_decoder(tree, decoder_name(u->proto),
					    OCSD_CREATE_FLG_FULL_DECODER,
					    &u->cfg, &csid);
		if (oe != OCSD_OK) {
			hwt_seterr(err, errlen,
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
		hwt_seterr(err, errlen, "OpenCSD: cannot attach callbacks");
		rc = -1;
		goto out;
	}
	for (i = 0; i < nunits; i++) {
		if (sink->stream_begin) {
			rc = sink->stream_begin(sink->arg, &units[i].info);
			if (rc < 0)
				goto out;
		}
		st[i].active = 1;
	}
	rc = push_data(&d, tree, data, size, format, st, nunits);
out:
	for (i = 0; i < nunits; i++) {
		if (st && st[i].active && sink->stream_end) {
			int r = sink->stream_end(sink->arg, units[i].info.id);

			if (r < 0 && rc >= 0)
				rc = r;
		}
	}
	ocsd_destroy_dcd_tree(tree);
	free(st);
	return rc;
}
