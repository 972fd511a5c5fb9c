/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * OpenCSD (C API) decode of a CoreSight trace buffer: frame deformatter,
 * ETMv4/ETE (and ETMv3/PTM) packet + instruction-flow decoders, one memory
 * accessor callback per trace ID, generic elements mapped to flow.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/wait.h>
#include <unistd.h>

#include "cs/cs_decode.h"
#include "cs/cs_ini.h"
#include "cs/cs_mem.h"
#include "core/util.h"
#include "core/flow.h"

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

static int get_regs(const struct reg_want *w, size_t n, hwt_cs_reg_get_fn get,
		    void *arg, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s = get(arg, w[i].name);
		uint64_t v;

		if (!s) {
			if (w[i].required) {
				hwt_errf(err, errlen,
					   "missing register %s", w[i].name);
				return -1;
			}
			*w[i].dst = w[i].def;
			continue;
		}
		if (hwt_cs_parse_u64(s, &v) < 0 || v > UINT32_MAX) {
			hwt_errf(err, errlen,
				   "register %s: bad value '%s'", w[i].name, s);
			return -1;
		}
		*w[i].dst = (uint32_t)v;
	}
	return 0;
}

int hwt_cs_unit_config(struct hwt_cs_unit *u, const char *proto_name,
		       const char *core, hwt_cs_reg_get_fn get, void *arg,
		       char *err, size_t errlen)
{
	ocsd_arch_version_t arch;
	ocsd_core_profile_t prof;
	size_t plen = strcspn(proto_name, ".");
	uint32_t traceid;

	memset(&u->cfg, 0, sizeof(u->cfg));
	u->proto = HWT_CS_PROTO_NONE;
	if (!core || core_arch(core, &arch, &prof) < 0) {
		hwt_errf(err, errlen,
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
		u->proto = HWT_CS_PROTO_ETMV4;
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
		u->proto = HWT_CS_PROTO_ETE;
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
		u->proto = IS("ETM3") ? HWT_CS_PROTO_ETMV3 : HWT_CS_PROTO_PTM;
		traceid = c->reg_trc_id;
	} else {
		hwt_errf(err, errlen, "unsupported trace unit type '%s'",
			   proto_name);
		return -1;
	}
#undef IS
	traceid &= 0x7f;
	/* 0 and 0x70..0x7f are reserved IDs: a decoder cannot use them. */
	if (traceid == 0 || traceid >= 0x70) {
		hwt_errf(err, errlen, "reserved trace ID 0x%x", traceid);
		return -1;
	}
	u->trace_id = (uint8_t)traceid;
	return 0;
}

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

/* Bytes handed to OpenCSD per call: progress is reported (and a crash
 * localised) at this granularity.  A multiple of the 16-byte frame. */
#define HWT_CS_CHUNK 4096

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
static int decode_range(const uint8_t *data, size_t size, size_t start,
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

/*
 * OpenCSD 1.3.3 has memory-safety bugs on corrupt trace (a use after free
 * in TrcPktDecodeEtmV4I::mispredictAtom, found by our robustness test), so
 * the decode runs in a child process that streams its blocks and events
 * back through a pipe.  If the child dies, the chunk it was working on is
 * recorded as a gap and a new child goes on after it.  HWT_CS_DEC_NO_FORK
 * decodes in-process (debugging, fuzzing our own code).
 */
enum { REC_BLOCK = 1, REC_EVENT, REC_PROGRESS, REC_END, REC_ERROR };

struct rec_hdr {
	uint8_t kind;
	uint8_t pad;
	uint16_t len;		/* payload bytes after the header */
	uint32_t stream;
};

struct pipe_out {
	int fd;
	size_t n;
	uint8_t buf[65536];
};

static int out_flush(struct pipe_out *o)
{
	size_t off = 0;

	while (off < o->n) {
		ssize_t w = write(o->fd, o->buf + off, o->n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	o->n = 0;
	return 0;
}

static int out_rec(struct pipe_out *o, int kind, uint32_t stream,
		   const void *a, size_t alen, const void *b, size_t blen)
{
	struct rec_hdr h;

	if (blen > 1024)
		blen = 1024;
	if (o->n + sizeof(h) + alen + blen > sizeof(o->buf) &&
	    out_flush(o) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	h.kind = (uint8_t)kind;
	h.len = (uint16_t)(alen + blen);
	h.stream = stream;
	memcpy(o->buf + o->n, &h, sizeof(h));
	o->n += sizeof(h);
	if (alen)
		memcpy(o->buf + o->n, a, alen);
	o->n += alen;
	if (blen)
		memcpy(o->buf + o->n, b, blen);
	o->n += blen;
	return 0;
}

static int child_block(void *arg, uint32_t stream, const struct hwt_block *b)
{
	return out_rec(arg, REC_BLOCK, stream, b, sizeof(*b), NULL, 0);
}

static int child_event(void *arg, uint32_t stream, const struct hwt_event *e)
{
	struct hwt_event c = *e;

	c.msg = NULL;
	return out_rec(arg, REC_EVENT, stream, &c, sizeof(c), e->msg,
		       e->msg ? strlen(e->msg) : 0);
}

static int child_progress(void *arg, uint64_t pos)
{
	struct pipe_out *o = arg;

	if (out_rec(o, REC_PROGRESS, 0, &pos, sizeof(pos), NULL, 0) < 0)
		return -1;
	return out_flush(o);
}

/*
 * One decode child: a contiguous group of units, its pipe, what has been
 * read but not yet parsed, and how far it has got.
 */
struct kid {
	struct hwt_cs_unit *units;
	size_t nunits;
	pid_t pid;
	int fd;			/* -1: not running */
	int done;		/* END or ERROR record seen */
	int abort_on_exit;	/* HWT_CS_DEC_ABORT_ON_CHILD_EXIT */
	uint64_t pos;		/* last progress mark */
	size_t len;		/* bytes in buf */
	uint8_t buf[2 * 65536];
};

static int kid_start(struct kid *k, const uint8_t *data, size_t size,
		     int format, char *err, size_t errlen)
{
	int fds[2];

	if (pipe(fds) < 0) {
		hwt_errf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		hwt_errf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (k->pid == 0) {
		static struct pipe_out o;
		struct hwt_sink cs = {
			.arg = &o,
			.block = child_block,
			.event = child_event,
		};
		char e[512] = "";
		int r;

		/* The parent's crash handlers (sanitizers, libFuzzer, a
		 * caller's) must not run here: a crash is ours to report. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		close(fds[0]);
		o.fd = fds[1];
		r = decode_range(data, size, (size_t)k->pos, format, k->units,
				 k->nunits, &cs, child_progress, &o, e,
				 sizeof(e));
		if (r < 0)
			out_rec(&o, REC_ERROR, 0, e, strlen(e), NULL, 0);
		else
			out_rec(&o, REC_END, 0, NULL, 0, NULL, 0);
		_exit(out_flush(&o) < 0 ? 1 : 0);
	}
	close(fds[1]);
	k->fd = fds[0];
	k->done = 0;
	k->len = 0;
	return 0;
}

/* Hands the complete records in k->buf to the sink.  0, or <0: the
 * sink's value, or -1 with err set (the child could not decode). */
static int kid_parse(struct kid *k, const struct hwt_sink *sink, char *err,
		     size_t errlen)
{
	size_t off = 0;
	int rc = 0;

	while (rc >= 0 && k->len - off >= sizeof(struct rec_hdr)) {
		struct rec_hdr h;
		const uint8_t *p;
		union {
			struct hwt_block b;
			struct hwt_event e;
			uint64_t pos;
		} u;
		char msg[1100];

		memcpy(&h, k->buf + off, sizeof(h));
		if (k->len - off - sizeof(h) < h.len)
			break;	/* the rest comes with the next read */
		p = k->buf + off + sizeof(h);
		off += sizeof(h) + h.len;
		if (h.kind == REC_BLOCK && h.len == sizeof(u.b)) {
			memcpy(&u.b, p, sizeof(u.b));
			rc = sink->block(sink->arg, h.stream, &u.b);
		} else if (h.kind == REC_EVENT && h.len >= sizeof(u.e) &&
			   h.len - sizeof(u.e) < sizeof(msg)) {
			memcpy(&u.e, p, sizeof(u.e));
			memcpy(msg, p + sizeof(u.e), h.len - sizeof(u.e));
			msg[h.len - sizeof(u.e)] = '\0';
			u.e.msg = h.len > sizeof(u.e) ? msg : NULL;
			rc = sink->event ? sink->event(sink->arg, h.stream,
						       &u.e) : 0;
		} else if (h.kind == REC_PROGRESS && h.len == sizeof(u.pos)) {
			memcpy(&u.pos, p, sizeof(u.pos));
			k->pos = u.pos;
		} else if (h.kind == REC_END) {
			k->done = 1;
		} else if (h.kind == REC_ERROR) {
			hwt_errf(err, errlen, "%.*s", (int)h.len,
				   (const char *)p);
			k->done = 1;
			rc = -1;
		}
	}
	memmove(k->buf, k->buf + off, k->len - off);
	k->len -= off;
	return rc;
}

/* Reaps k after its pipe closed: 0 if it finished, 1 if it died (why). */
static int kid_reap(struct kid *k, char *why, size_t whylen)
{
	int status = 0;

	close(k->fd);
	k->fd = -1;
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (k->done && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whylen, "signal %d", WTERMSIG(status));
	else
		snprintf(why, whylen, "exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 1;
}

/* k died in the chunk after k->pos: a gap on its units, then restart
 * after that chunk.  Returns 1 if restarted, 0 if at the end, <0. */
static int kid_restart(struct kid *k, const uint8_t *data, size_t size,
		       int format, const char *why,
		       const struct hwt_sink *sink, char *err, size_t errlen)
{
	uint64_t from = k->pos;
	char msg[256];
	size_t i;

	/* Sanitizers in the child exit (not signal): under the fuzzer that
	 * is a bug in our code, not OpenCSD's. */
	if (!strncmp(why, "exit", 4) && k->abort_on_exit)
		abort();
	k->pos = (k->pos / HWT_CS_CHUNK + 1) * HWT_CS_CHUNK;
	if (k->pos > size)
		k->pos = size;
	snprintf(msg, sizeof(msg),
		 "OpenCSD failed (%s) decoding trace bytes %llu-%llu: skipped",
		 why, (unsigned long long)from, (unsigned long long)k->pos);
	for (i = 0; i < k->nunits && sink->event; i++) {
		struct hwt_event ev;
		int rc;

		memset(&ev, 0, sizeof(ev));
		ev.type = HWT_EV_GAP;
		ev.code = -OCSD_ERR_FAIL;
		ev.offset = from;
		ev.msg = msg;
		rc = sink->event(sink->arg, k->units[i].info.id, &ev);
		if (rc < 0)
			return rc;
	}
	if (k->pos >= size)
		return 0;
	return kid_start(k, data, size, format, err, errlen) < 0 ? -1 : 1;
}

/*
 * Decodes with up to one child per online CPU, each taking a contiguous
 * group of units (trace IDs are independent: every child deformats the
 * whole buffer and keeps its own IDs).  The parent multiplexes their
 * records to the sink: each stream's items stay in trace order.
 */
static int decode_children(const uint8_t *data, size_t start, size_t size,
			   int format, struct hwt_cs_unit *units, size_t nunits,
			   int flags, const struct hwt_sink *sink, char *err,
			   size_t errlen)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nk = nunits, i, running = 0;
	struct kid *kids;
	int rc = 0;

	if (ncpu < 1)
		ncpu = 1;
	if (nk > (size_t)ncpu)
		nk = (size_t)ncpu;
	if (!nk)
		nk = 1;
	kids = hwt_xrealloc(NULL, nk * sizeof(*kids));
	for (i = 0; i < nk; i++) {
		kids[i].units = units + i * nunits / nk;
		kids[i].nunits = (i + 1) * nunits / nk - i * nunits / nk;
		kids[i].fd = -1;
		kids[i].pos = start;
		kids[i].abort_on_exit = !!(flags & HWT_CS_DEC_ABORT_ON_CHILD_EXIT);
	}
	for (i = 0; i < nk && rc >= 0; i++) {
		rc = kid_start(&kids[i], data, size, format, err, errlen);
		running += rc >= 0;
	}
	while (rc >= 0 && running) {
		struct pollfd pfd[128];
		size_t idx[128], n = 0;

		for (i = 0; i < nk && n < 128; i++)
			if (kids[i].fd >= 0) {
				pfd[n].fd = kids[i].fd;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				idx[n++] = i;
			}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			hwt_errf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		for (i = 0; i < n && rc >= 0; i++) {
			struct kid *k = &kids[idx[i]];
			char why[64];
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(k->fd, k->buf + k->len,
				 sizeof(k->buf) - k->len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r > 0) {
				k->len += (size_t)r;
				rc = kid_parse(k, sink, err, errlen);
				continue;
			}
			/* End of the pipe: finished, or died. */
			running--;
			if (!kid_reap(k, why, sizeof(why)))
				continue;
			rc = kid_restart(k, data, size, format, why, sink,
					 err, errlen);
			if (rc > 0) {
				running++;
				rc = 0;
			}
		}
	}
	for (i = 0; i < nk; i++) {
		if (kids[i].fd < 0)
			continue;
		char why[64];

		kill(kids[i].pid, SIGKILL);
		kid_reap(&kids[i], why, sizeof(why));
	}
	free(kids);
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
		rc = decode_range(data, size, start, format, units, nunits,
				  sink, NULL, NULL, err, errlen);
	else
		rc = decode_children(data, start, size, format, units, nunits,
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
